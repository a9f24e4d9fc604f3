/* ftp_cp.c - cp @A:PATH @B:PATH: copy between two FTP sessions
 * (proto_ops.copy, from the shell's `cp`).
 *
 * The command leases a connection of each site (session_acquire; one site
 * twice gives two connections of its pool), then runs as one operation
 * (op.h) on the source connection, holding the target connection beside
 * it; both connections' f->op point at it, so losing either stops it.
 *
 * Streamed (the default): RETR on the source feeds STOR on the target
 * through a bounded pipe in memory (never a temporary file): past
 * PIPE_HIGH bytes the download is paused (ftp_xfer_pause), below
 * PIPE_LOW it resumes; the upload's fill says ERR_AGAIN while the pipe is
 * empty and is kicked (ftp_xfer_kick) when bytes come.  The upload starts
 * only once the source answered 1xx (a missing source leaves nothing on
 * the target) and goes to NAME.part, renamed (RNFR/RNTO) to NAME only when
 * both ends said 226: the final name never shows a partial copy.
 *
 * --fxp: PASV (EPSV over IPv6) on the source, PORT (EPRT) with that
 * address on the target, STOR on the target, RETR on the source once the
 * target answered 1xx; both 226s awaited, then the rename.  The address a
 * 227 reply names must be the source's own (the control connection's
 * peer): one pointing elsewhere is refused, as ferry refuses it for its
 * own data connections.
 *
 * --fxp under PROT P on both sides: both servers would be the TLS server
 * of the data connection, so one is asked to be its TLS client with
 * "SSCN ON" (the one whose FEAT lists SSCN first, then the other); it is
 * put back with "SSCN OFF" when the file ends, so the pool's next plain
 * transfer on that connection is not in client mode.  Neither accepting
 * SSCN, or PROT P on one side only, refuses the copy: never silently
 * turned into clear data or a streamed copy.  A server that requires the
 * data connection's TLS session to resume its control connection's
 * (vsftpd's require_ssl_reuse, proftpd's default) cannot be served by
 * the other server: its 425/426/522 is reported as that, naming both.
 *
 * -r: the source directory is listed (ftp_fetch_start_all: MLSD, else
 * LIST -a, so that dot files come as mirror brings them),
 * directory by directory, names checked with ftp_ent_name_safe() as
 * mirror does; every directory is made on the target (MKD; an existing
 * one is fine), then the files are copied one after the other.  Symbolic
 * links and special files are skipped.
 *
 * Ctrl-C or `kill`: both transfers are stopped (ABOR on each control
 * connection; under --fxp written at once, pp_send_urgent, while the
 * transfer's reply is due, since the servers stop only when told), the
 * partial NAME.part is deleted (DELE) and one line says so.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "err.h"
#include "ev.h"
#include "ftp_int.h"
#include "ftp_list.h"
#include "log.h"
#include "pp.h"
#include "session.h"
#include "ui.h"

/* The download pauses past PIPE_HIGH bytes in the pipe and resumes under
 * PIPE_LOW; one wake of the data connection may still bring up to conn's
 * read buffer (1 MiB) at once, so the pipe holds PIPE_HIGH plus that. */
#define PIPE_HIGH (512 * 1024)
#define PIPE_LOW  (128 * 1024)
#define PIPE_MAX  (PIPE_HIGH + 1024 * 1024)

struct cp_item {
	char *src, *dst;       /* absolute or as typed; the target's final name */
	int64_t size;          /* from the listing, -1 unknown */
};

struct cp_dir {
	char *src, *dst;
};

struct ftp_cp {
	struct ftp_op fo;       /* first (op.h): fo.o.s is the source connection */
	struct session *dst;    /* the target connection, held */
	struct ftp *df;
	bool fxp, rec;
	char **srcs;
	int nsrcs;
	char *target;
	char *tdir;             /* the target is this directory, or NULL */

	struct cp_item *it;
	size_t nit, capit, cur;
	struct cp_dir *dq;      /* -r: directories to make and list */
	size_t ndq, capdq, idq;

	step_fn dstep;          /* the final reply due on the target */
	int dreq;
	bool dprelim;           /* dstep wants 1xx replies too */

	/* the file being copied */
	struct ftp_xfer *xd, *xu;
	bool ddone, dpaused, up_started;
	struct buf pipe;
	uint64_t got;
	char *tmp;
	int64_t size;
	bool s_ok, d_ok;        /* --fxp: the 226 of each side */
	bool tls;               /* --fxp with PROT P on both: SSCN needed */
	struct session *sscn;   /* the connection in SSCN ON mode, or NULL */
	struct session *sscn_asked; /* SSCN ON sent here, reply still due */
	int sscn_try;           /* candidates asked for SSCN ON (this file) */
	char sscn_said[2][200]; /* what each that refused answered */
	int fxp_port;
	char fxp_host[INET6_ADDRSTRLEN];
	bool fxp_v6;
};

static struct ftp_cp *cp_of(struct ftp_op *op)
{
	return (struct ftp_cp *)op;
}

static struct session *cp_src(struct ftp_cp *cp)
{
	return cp->fo.o.s;
}

static void cp_next(struct ftp_cp *cp);
static void cp_walk_next(struct ftp_cp *cp);
static void cp_plan_deferred(void *arg);

/* ---- the op ------------------------------------------------------------ */

static void cp_detach(struct ftp_cp *cp)
{
	if (cp->fo.f && cp->fo.f->op == &cp->fo)
		cp->fo.f->op = NULL;
	if (cp->df && cp->df->op == &cp->fo)
		cp->df->op = NULL;
}

/* Send line on c with no reply wanted (DELE after a failure). */
static void cp_fire(struct session *c, const char *line)
{
	struct pp_cmd pc = { 0 };
	if (c->pp && !pp_failed(c->pp))
		pp_send(c->pp, line, &pc);
}

/* ABOR on c at once, while the reply to its transfer command is still
 * due (RFC 959 4.1.3): the servers move the data of an FXP copy, so
 * nothing of ferry's closes to stop them.  The transfer's reply (426 or
 * 226) and ABOR's are read and dropped. */
static void cp_abor(struct session *c)
{
	struct pp_cmd pc = { 0 };
	if (c->pp && !pp_failed(c->pp))
		pp_send_urgent(c->pp, "ABOR", &pc);
}

/* The connection in SSCN ON mode goes back to TLS server (SSCN OFF), so
 * its next ordinary transfer works; so does one whose answer to SSCN ON
 * was dropped (Ctrl-C while it was due). */
static void fxp_sscn_off(struct ftp_cp *cp)
{
	struct session *c = cp->sscn ? cp->sscn : cp->sscn_asked;
	if (!c)
		return;
	cp_fire(c, "SSCN OFF");
	((struct ftp *)c->pdata)->sscn_on = false;
	cp->sscn = cp->sscn_asked = NULL;
}

static void cp_stop(struct op *o)
{
	struct ftp_cp *cp = cp_of(ftp_op_of(o));
	struct session *s = cp_src(cp);
	bool fxp_running = cp->fxp && cp->up_started;

	cp_detach(cp);
	ftp_get_stop(&cp->fo);
	ftp_fetch_cancel(cp->fo.fetch);
	cp->fo.fetch = NULL;
	if (cp->fo.req && s->pp && !pp_failed(s->pp))
		pp_cancel(s->pp, cp->fo.req);
	if (cp->dreq && cp->dst->pp && !pp_failed(cp->dst->pp))
		pp_cancel(cp->dst->pp, cp->dreq);
	if (fxp_running) {
		/* The servers move the data: tell both to stop. */
		if (cp->fo.req)
			cp_abor(s);
		if (cp->dreq)
			cp_abor(cp->dst);
	}
	cp->fo.req = cp->dreq = 0;
	ftp_xfer_abort(cp->xd);
	ftp_xfer_abort(cp->xu);
	cp->xd = cp->xu = NULL;
	if (cp->tmp && cp->up_started) {
		char *line = xasprintf("DELE %s", cp->tmp);
		cp_fire(cp->dst, line);
		free(line);
		/* Said at once, also for a job killed in the background
		 * (whose notice is not shown). */
		char *msg = fxp_running ?
		            xasprintf("stopped; both servers were told to stop (ABOR) and "
		                      "the partial copy %s:%s is deleted (DELE)",
		                      cp->dst->name, cp->tmp) :
		            xasprintf("stopped after %" PRIu64 " bytes; the partial copy "
		                      "%s:%s is deleted (DELE sent)", cp->got, cp->dst->name,
		                      cp->tmp);
		char *esc = ui_escape_str(msg, strlen(msg));
		ui_error("cp: %s", esc);
		free(esc);
		free(msg);
		cp->up_started = false;
	}
}

static void cp_clear(struct op *o)
{
	struct ftp_cp *cp = cp_of(ftp_op_of(o));

	struct session *s = cp_src(cp);

	cp_detach(cp);
	ev_defer_cancel(s->ev, cp_plan_deferred, cp);
	ftp_get_stop(&cp->fo);
	ftp_fetch_cancel(cp->fo.fetch);
	if (cp->fo.req && s->pp && !pp_failed(s->pp))
		pp_cancel(s->pp, cp->fo.req);
	if (cp->dreq && cp->dst->pp && !pp_failed(cp->dst->pp))
		pp_cancel(cp->dst->pp, cp->dreq);
	ftp_xfer_abort(cp->xd);
	ftp_xfer_abort(cp->xu);
	fxp_sscn_off(cp);
	for (size_t i = 0; i < cp->nit; i++) {
		free(cp->it[i].src);
		free(cp->it[i].dst);
	}
	free(cp->it);
	for (size_t i = 0; i < cp->ndq; i++) {
		free(cp->dq[i].src);
		free(cp->dq[i].dst);
	}
	free(cp->dq);
	for (int i = 0; i < cp->nsrcs; i++)
		free(cp->srcs[i]);
	free(cp->srcs);
	free(cp->target);
	free(cp->tdir);
	free(cp->tmp);
	free(cp->fo.remote);
	buf_clear(&cp->pipe);
	buf_clear(&cp->fo.lbuf);
	session_release(cp->dst);
	session_release(o->s);
}

static const struct op_class cp_class = {
	.stop = cp_stop,
	.clear = cp_clear,
};

/* ---- the target's control connection ----------------------------------- */

static void cp_dreply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_cp *cp = arg;

	if (err) {
		cp->dreq = 0;
		cmd_error(cp->fo.o.ctx, err, "%s: %s", cp->dst->name,
		          pp_error(pp)[0] ? pp_error(pp) : err_str(err));
		op_abort(&cp->fo.o, err, NULL);
		return;
	}
	if (!r->final && !cp->dprelim)
		return;
	if (r->final)
		cp->dreq = 0;
	cp->dstep(&cp->fo, r);
}

static int cp_dsend(struct ftp_cp *cp, step_fn step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A line on the target whose final reply goes to step.  0 or ERR_*
 * (reported). */
static int cp_dsend(struct ftp_cp *cp, step_fn step, const char *fmt, ...)
{
	struct pp_cmd pc = { .done = cp_dreply, .arg = cp };
	struct pp *pp = cp->dst->pp;
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) || !ftp_arg_ok(line))
		return cmd_error(cp->fo.o.ctx, ERR_USAGE, "%s: bad path", cp->dst->name);
	if (!pp || pp_failed(pp))
		return cmd_error(cp->fo.o.ctx, ERR_NET, "%s: not connected", cp->dst->name);
	int id = pp_send(pp, line, &pc);
	if (id < 0)
		return cmd_error(cp->fo.o.ctx, id, "%s: cannot send: %s", cp->dst->name,
		                 pp_error(pp));
	cp->dstep = step;
	cp->dreq = id;
	cp->dprelim = false;
	return 0;
}

/* "SESSION:PATH" for messages. */
static char *cp_where(struct session *c, const char *path)
{
	return xasprintf("%s:%s", c->name, path);
}

static char *cp_join(const char *dir, const char *name)
{
	if (strcmp(dir, ".") == 0)
		return xstrdup(name);
	size_t n = strlen(dir);
	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

/* ---- one file ---------------------------------------------------------- */

static bool cp_fatal(int err)
{
	return err == ERR_NET || err == ERR_TIMEOUT || err == ERR_EOF ||
	       err == ERR_TOOLONG || err == ERR_INTR || err == ERR_TLS;
}

/* The current file ended: on failure, the partial NAME.part goes (DELE),
 * and the next file follows unless a connection is gone. */
static void cp_item_end(struct ftp_cp *cp, int err)
{
	ftp_progress_end(&cp->fo);
	if (err) {
		cp->fo.o.err = err;
		if (cp->tmp && cp->up_started) {
			char *line = xasprintf("DELE %s", cp->tmp);
			cp_fire(cp->dst, line);
			free(line);
		}
	}
	fxp_sscn_off(cp);
	cp->up_started = false;
	free(cp->tmp);
	cp->tmp = NULL;
	buf_reset(&cp->pipe);
	if (err && cp_fatal(err)) {
		op_finish(&cp->fo.o, err);
		return;
	}
	cp->cur++;
	cp_next(cp);
}

static void cp_fail(struct ftp_cp *cp, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cp_fail(struct ftp_cp *cp, int err, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cmd_error(cp->fo.o.ctx, err, "%s", msg);
	cp_item_end(cp, err);
}

/* RNFR or RNTO refused: the item fails and NAME.part is deleted, so the
 * target keeps no half-named copy. */
static void cp_rename_failed(struct ftp_cp *cp, const struct pp_reply *r)
{
	char *esc = ftp_reply_esc(r);
	int e = ftp_reply_err(r->code);
	cp_fail(cp, e ? e : ERR_PROTO, "%s:%s: the copy came whole as %s but the server "
	        "refuses to rename it (%d %s); it is deleted", cp->dst->name, cp->it[cp->cur].dst, cp->tmp,
	        r->code, esc);
	free(esc);
}

static void cp_renamed(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_cp *cp = cp_of(op);
	struct cp_item *it = &cp->it[cp->cur];
	if (r->code / 100 != 2) {
		cp_rename_failed(cp, r);
		return;
	}
	ftp_cache_forget(cp->dst, it->dst);
	char *w = cp_where(cp->dst, it->dst);
	ftp_summary(&cp->fo, w, cp->got, " copied");
	free(w);
	cp->up_started = false; /* it is the final name now */
	cp_item_end(cp, 0);
}

static void cp_rnfr(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_cp *cp = cp_of(op);
	struct cp_item *it = &cp->it[cp->cur];
	if (r->code != 350) {
		cp_rename_failed(cp, r);
		return;
	}
	if (cp_dsend(cp, cp_renamed, "RNTO %s", it->dst) < 0)
		cp_item_end(cp, ERR_NET);
}

/* Both ends are done: give the copy its name. */
static void cp_both_done(struct ftp_cp *cp)
{
	if (cp_dsend(cp, cp_rnfr, "RNFR %s", cp->tmp) < 0)
		cp_item_end(cp, ERR_NET);
}

/* ---- streamed ---------------------------------------------------------- */

static int up_start(void *arg)
{
	(void)arg;
	return 0;
}

static ssize_t up_fill(void *arg, char *p, size_t cap)
{
	struct ftp_cp *cp = arg;
	size_t n = buf_avail(&cp->pipe);
	if (n == 0)
		return cp->ddone ? 0 : ERR_AGAIN;
	if (n > cap)
		n = cap;
	memcpy(p, buf_peek(&cp->pipe), n);
	buf_consume(&cp->pipe, n);
	if (cp->dpaused && cp->xd && buf_avail(&cp->pipe) < PIPE_LOW) {
		cp->dpaused = false;
		ftp_xfer_pause(cp->xd, false);
	}
	return (ssize_t)n;
}

static void up_done(void *arg, int err, const char *why)
{
	struct ftp_cp *cp = arg;
	struct cp_item *it = &cp->it[cp->cur];
	cp->xu = NULL;
	if (err) {
		ftp_xfer_abort(cp->xd);
		cp->xd = NULL;
		cp_fail(cp, err, "%s:%s: %s", cp->dst->name, it->dst, why);
		return;
	}
	cp_both_done(cp);
}

static const struct ftp_xfer_ops up_ops = {
	.start = up_start,
	.fill = up_fill,
	.done = up_done,
};

/* The source answered 1xx (or sent data): the target's side begins. */
static int down_start(void *arg)
{
	struct ftp_cp *cp = arg;
	char *cmd = xasprintf("STOR %s", cp->tmp);
	int e = ftp_xfer_start(cp->dst, cmd, XFER_UP, -1, 0, &up_ops, cp, &cp->xu);
	free(cmd);
	if (e < 0) {
		snprintf(cp->fo.why, sizeof(cp->fo.why), "%s: cannot start the upload: %s",
		         cp->dst->name, err_str(e));
		return e;
	}
	cp->up_started = true;
	ftp_progress_begin(&cp->fo, NULL);
	return 0;
}

static int down_data(void *arg, const char *p, size_t n)
{
	struct ftp_cp *cp = arg;
	if (buf_append(&cp->pipe, p, n) < 0) {
		snprintf(cp->fo.why, sizeof(cp->fo.why), "the copy's buffer is full");
		return ERR_LOCAL;
	}
	cp->got += n;
	cp->fo.o.ctx->bytes = cp->got;
	if (!cp->dpaused && buf_avail(&cp->pipe) >= PIPE_HIGH) {
		cp->dpaused = true;
		ftp_xfer_pause(cp->xd, true);
	}
	if (cp->xu)
		ftp_xfer_kick(cp->xu);
	return 0;
}

static void down_done(void *arg, int err, const char *why)
{
	struct ftp_cp *cp = arg;
	struct cp_item *it = &cp->it[cp->cur];
	cp->xd = NULL;
	cp->ddone = true;
	if (err) {
		ftp_xfer_abort(cp->xu);
		cp->xu = NULL;
		cp_fail(cp, err, "%s:%s: %s", cp_src(cp)->name, it->src, why && *why ? why : cp->fo.why);
		return;
	}
	if (cp->xu)
		ftp_xfer_kick(cp->xu); /* the end of the source */
}

static const struct ftp_xfer_ops down_ops = {
	.start = down_start,
	.data = down_data,
	.done = down_done,
};

static void cp_stream(struct ftp_cp *cp)
{
	struct cp_item *it = &cp->it[cp->cur];
	char *cmd = xasprintf("RETR %s", it->src);
	int e = ftp_xfer_start(cp_src(cp), cmd, XFER_DOWN, cp->size, 0, &down_ops, cp, &cp->xd);
	free(cmd);
	if (e < 0)
		cp_fail(cp, e, "%s:%s: cannot start the download: %s", cp_src(cp)->name, it->src,
		        err_str(e));
}

/* ---- FXP --------------------------------------------------------------- */

static void fxp_check(struct ftp_cp *cp)
{
	if (!cp->s_ok || !cp->d_ok)
		return;
	cp->got = cp->size >= 0 ? (uint64_t)cp->size : 0;
	cp->fo.o.ctx->bytes = cp->got;
	cp_both_done(cp);
}

/* A failure on one side: the other side is told to stop. */
static void fxp_fail(struct ftp_cp *cp, bool on_src, const struct pp_reply *r, const char *what)
{
	struct cp_item *it = &cp->it[cp->cur];
	struct session *other = on_src ? cp->dst : cp_src(cp);
	int *oreq = on_src ? &cp->dreq : &cp->fo.req;
	if (*oreq && other->pp && !pp_failed(other->pp)) {
		pp_cancel(other->pp, *oreq);
		cp_abor(other);
	}
	*oreq = 0;
	char *esc = ftp_reply_esc(r);
	int e = ftp_reply_err(r->code);
	struct session *c = on_src ? cp_src(cp) : cp->dst;
	if (cp->sscn && (r->code == 425 || r->code == 426 || r->code == 522)) {
		/* The server-to-server TLS handshake failed; the usual cause
		 * is the TLS server's demand that the data connection resume
		 * its control connection's session. */
		struct session *srv = cp->sscn == cp->dst ? cp_src(cp) : cp->dst;
		cp_fail(cp, ERR_TLS, "--fxp: the TLS data connection between %s and %s "
		        "failed (%s: %d %s): %s may require TLS session reuse, which %s "
		        "(SSCN client) cannot give; copy without --fxp", cp_src(cp)->name,
		        cp->dst->name, c->name, r->code, esc, srv->name, cp->sscn->name);
		free(esc);
		return;
	}
	cp_fail(cp, e ? e : ERR_PROTO, "%s:%s: %s: %d %s", c->name, on_src ? it->src : it->dst,
	        what, r->code, esc);
	free(esc);
}

/* The final reply of one side's transfer command. */
static void fxp_final(struct ftp_cp *cp, bool on_src, const struct pp_reply *r)
{
	if (r->code / 100 != 2) {
		fxp_fail(cp, on_src, r, on_src ? "RETR" : "STOR");
		return;
	}
	*(on_src ? &cp->s_ok : &cp->d_ok) = true;
	fxp_check(cp);
}

static void fxp_retr(struct ftp_op *op, const struct pp_reply *r)
{
	fxp_final(cp_of(op), true, r);
}

static void fxp_stor(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_cp *cp = cp_of(op);
	struct cp_item *it = &cp->it[cp->cur];
	if (!r->final) {
		/* The target opened its data connection to the source: the
		 * source may send now. */
		if (cp->fo.req == 0 && !cp->s_ok &&
		    ftp_op_sendf(&cp->fo, fxp_retr, "RETR %s", it->src) < 0)
			fxp_fail(cp, false, r, "cannot send RETR");
		return;
	}
	fxp_final(cp, false, r);
}

static void fxp_port(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_cp *cp = cp_of(op);
	if (r->code / 100 != 2) {
		char *esc = ftp_reply_esc(r);
		int e = ftp_reply_err(r->code);
		cp_fail(cp, e ? e : ERR_FAIL, "--fxp: %s refuses %s to another server's "
		        "address (%d %s); copy without --fxp", cp->dst->name,
		        cp->fxp_v6 ? "EPRT" : "PORT", r->code, esc);
		free(esc);
		return;
	}
	cp->up_started = true;
	cp->s_ok = cp->d_ok = false;
	if (cp_dsend(cp, fxp_stor, "STOR %s", cp->tmp) < 0) {
		cp_item_end(cp, ERR_NET);
		return;
	}
	cp->dprelim = true;
}

static void fxp_pasv(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_cp *cp = cp_of(op);
	struct sockaddr_storage peer;
	socklen_t len;
	int e;

	if (conn_peer(cp_src(cp)->conn, &peer, &len) < 0) {
		cp_fail(cp, ERR_NET, "--fxp: cannot find %s's address", cp_src(cp)->name);
		return;
	}
	const void *pa = peer.ss_family == AF_INET6 ?
	                 (const void *)&((struct sockaddr_in6 *)&peer)->sin6_addr :
	                 (const void *)&((struct sockaddr_in *)&peer)->sin_addr;
	inet_ntop(peer.ss_family, pa, cp->fxp_host, sizeof(cp->fxp_host));
	if (cp->fxp_v6 ? r->code != 229 || ftp_parse_229(r->msg, &cp->fxp_port) < 0
	               : r->code != 227) {
		char *esc = ftp_reply_esc(r);
		e = ftp_reply_err(r->code);
		cp_fail(cp, e ? e : ERR_PROTO, "--fxp: %s: %d %s", cp->fxp_v6 ? "EPSV" : "PASV",
		        r->code, esc);
		free(esc);
		return;
	}
	if (!cp->fxp_v6) {
		unsigned char a[4];
		char said[INET_ADDRSTRLEN];
		if (ftp_parse_227(r->msg, &cp->fxp_port, a) < 0) {
			char *esc = ftp_reply_esc(r);
			cp_fail(cp, ERR_PROTO, "--fxp: malformed PASV reply: %d %s", r->code, esc);
			free(esc);
			return;
		}
		snprintf(said, sizeof(said), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		if (strcmp(said, cp->fxp_host) != 0) {
			/* The target would send the file (or its connection)
			 * wherever the source says: only to the source. */
			cp_fail(cp, ERR_PROTO, "--fxp: %s's PASV reply points to %s, not to "
			        "the server (%s): refused", cp_src(cp)->name, said, cp->fxp_host);
			return;
		}
		e = cp_dsend(cp, fxp_port, "PORT %u,%u,%u,%u,%d,%d", a[0], a[1], a[2], a[3],
		             cp->fxp_port >> 8, cp->fxp_port & 255);
	} else {
		e = cp_dsend(cp, fxp_port, "EPRT |2|%s|%d|", cp->fxp_host, cp->fxp_port);
	}
	if (e < 0)
		cp_item_end(cp, ERR_NET);
}

static void fxp_go(struct ftp_cp *cp)
{
	struct sockaddr_storage peer;
	socklen_t len;
	if (conn_peer(cp_src(cp)->conn, &peer, &len) < 0) {
		cp_fail(cp, ERR_NET, "--fxp: cannot find %s's address", cp_src(cp)->name);
		return;
	}
	cp->fxp_v6 = peer.ss_family == AF_INET6;
	if (ftp_op_send(&cp->fo, fxp_pasv, cp->fxp_v6 ? "EPSV" : "PASV", 0) < 0)
		cp_item_end(cp, ERR_NET);
}

/* The i-th side to ask for SSCN ON: one whose FEAT lists SSCN first. */
static struct session *fxp_sscn_cand(struct ftp_cp *cp, int i)
{
	bool dst_first = !cp->fo.f->feat.sscn && cp->df->feat.sscn;
	return (i == 0) != dst_first ? cp_src(cp) : cp->dst;
}

static void fxp_sscn_next(struct ftp_cp *cp);

static void fxp_sscn(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_cp *cp = cp_of(op);
	struct session *c = fxp_sscn_cand(cp, cp->sscn_try);
	cp->sscn_asked = NULL;
	if (r->code / 100 == 2) {
		cp->sscn = c;
		((struct ftp *)c->pdata)->sscn_on = true;
		fxp_go(cp);
		return;
	}
	char *esc = ftp_reply_esc(r);
	snprintf(cp->sscn_said[cp->sscn_try], sizeof(cp->sscn_said[0]), "%s: %d %s",
	         c->name, r->code, esc);
	free(esc);
	cp->sscn_try++;
	fxp_sscn_next(cp);
}

/* Ask the next side for SSCN ON; when both refused, the copy is refused
 * (the rest of the files would be too). */
static void fxp_sscn_next(struct ftp_cp *cp)
{
	if (cp->sscn_try >= 2) {
		cmd_error(cp->fo.o.ctx, ERR_USAGE, "--fxp: the data connections are "
		          "TLS-protected (PROT P) and neither server offers SSCN "
		          "(server-to-server TLS: %s; %s); copy without --fxp (streamed "
		          "through ferry)", cp->sscn_said[0], cp->sscn_said[1]);
		op_finish(&cp->fo.o, ERR_USAGE);
		return;
	}
	struct session *c = fxp_sscn_cand(cp, cp->sscn_try);
	int e = c == cp_src(cp) ? ftp_op_send(&cp->fo, fxp_sscn, "SSCN ON", 0)
	                        : cp_dsend(cp, fxp_sscn, "SSCN ON");
	if (e < 0)
		cp_item_end(cp, ERR_NET);
	else
		cp->sscn_asked = c;
}

static void cp_fxp(struct ftp_cp *cp)
{
	if (!cp->tls) {
		fxp_go(cp);
		return;
	}
	cp->sscn_try = 0;
	fxp_sscn_next(cp);
}

/* ---- the files one after the other -------------------------------------- */

static void cp_sized(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_cp *cp = cp_of(op);
	uint64_t n;
	if (r->code == 213 && ftp_parse_size(r->msg, &n) == 0 && n <= INT64_MAX)
		cp->size = (int64_t)n;
	cp->fo.o.ctx->total = cp->size;
	if (cp->fxp)
		cp_fxp(cp);
	else
		cp_stream(cp);
}

static void cp_next(struct ftp_cp *cp)
{
	if (cp->cur >= cp->nit) {
		cp->fo.o.idx = cp->fo.o.nargs = (int)cp->nit;
		ftp_summary_total(&cp->fo);
		op_finish(&cp->fo.o, cp->fo.o.err);
		return;
	}
	struct cp_item *it = &cp->it[cp->cur];
	free(cp->fo.remote);
	cp->fo.remote = xstrdup(it->src);
	cp->tmp = xasprintf("%s.part", it->dst);
	cp->size = it->size;
	cp->got = 0;
	cp->ddone = cp->dpaused = false;
	cp->fo.o.ctx->bytes = 0;
	cp->fo.o.ctx->total = cp->size;
	cp->fo.t0 = ev_now_ms(cp_src(cp)->ev);
	if (!cp->fo.cmd_t0)
		cp->fo.cmd_t0 = cp->fo.t0;
	cp->fo.o.nargs = (int)cp->nit;
	cp->fo.o.idx = (int)cp->cur + 1;
	if (cp->size >= 0) {
		if (cp->fxp)
			cp_fxp(cp);
		else
			cp_stream(cp);
		return;
	}
	if (ftp_op_sendf(&cp->fo, cp_sized, "SIZE %s", it->src) < 0)
		cp_item_end(cp, ERR_NET);
}

static void cp_add(struct ftp_cp *cp, const char *src, char *dst, int64_t size)
{
	if (cp->nit == cp->capit) {
		cp->capit = cp->capit ? 2 * cp->capit : 8;
		cp->it = xrealloc(cp->it, cp->capit * sizeof(*cp->it));
	}
	cp->it[cp->nit++] = (struct cp_item){ xstrdup(src), dst, size };
}

/* ---- -r: the walk -------------------------------------------------------- */

static void cp_dir_add(struct ftp_cp *cp, char *src, char *dst)
{
	if (cp->ndq == cp->capdq) {
		cp->capdq = cp->capdq ? 2 * cp->capdq : 8;
		cp->dq = xrealloc(cp->dq, cp->capdq * sizeof(*cp->dq));
	}
	cp->dq[cp->ndq++] = (struct cp_dir){ src, dst };
}

static void cp_listed(void *arg, int err, const char *why, struct ftp_dir *d)
{
	struct ftp_cp *cp = arg;
	struct cp_dir *q = &cp->dq[cp->idq];
	cp->fo.fetch = NULL;
	if (err) {
		cmd_error(cp->fo.o.ctx, err, "%s: %s", q->src, why);
		cp->fo.o.err = err;
		if (cp_fatal(err)) {
			op_finish(&cp->fo.o, err);
			return;
		}
		cp->idq++;
		cp_walk_next(cp);
		return;
	}
	for (size_t i = 0; i < ftp_dir_count(d); i++) {
		const struct ftp_ent *e = ftp_dir_ent(d, i);
		if (!ftp_ent_name_safe(e->name)) {
			log_note(cp_src(cp)->name, "cp -r: unsafe name skipped");
			continue;
		}
		char *s = cp_join(q->src, e->name);
		if (e->type == FTP_ENT_DIR)
			cp_dir_add(cp, s, cp_join(q->dst, e->name));
		else if (e->type == FTP_ENT_FILE) {
			cp_add(cp, s, cp_join(q->dst, e->name), e->size);
			free(s);
		} else {
			log_note(cp_src(cp)->name, "cp -r: %s skipped (not a file)", s);
			free(s);
		}
	}
	ftp_dir_free(d);
	cp->idq++;
	cp_walk_next(cp);
}

static void cp_made(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_cp *cp = cp_of(op);
	struct cp_dir *q = &cp->dq[cp->idq];
	/* 550 is what servers say for a directory already there; a real
	 * failure shows at the first STOR into it. */
	if (r->code / 100 != 2 && r->code != 550)
		log_note(cp->dst->name, "MKD %s: %d", q->dst, r->code);
	ftp_cache_forget(cp->dst, q->dst);
	int e = ftp_fetch_start_all(cp_src(cp), q->src, true, cp_listed, cp, &cp->fo.fetch);
	if (e < 0) {
		cmd_error(cp->fo.o.ctx, e, "%s: cannot list: %s", q->src, err_str(e));
		op_finish(&cp->fo.o, e);
	}
}

static void cp_walk_next(struct ftp_cp *cp)
{
	if (cp->idq >= cp->ndq) {
		cp->cur = 0;
		cp_next(cp);
		return;
	}
	if (cp_dsend(cp, cp_made, "MKD %s", cp->dq[cp->idq].dst) < 0)
		op_finish(&cp->fo.o, ERR_NET);
}

/* ---- the target: a directory or a name ---------------------------------- */

static void cp_plan(struct ftp_cp *cp)
{
	if (cp->rec) {
		for (int i = 0; i < cp->nsrcs; i++) {
			char *base;
			char *dst;
			if (cp->nsrcs == 1 && !cp->tdir) {
				dst = xstrdup(cp->target);
			} else if (ftp_local_name(cp->srcs[i], &base) < 0) {
				cmd_error(cp->fo.o.ctx, ERR_USAGE, "%s: no directory name to copy "
				          "to (name the target directory)", cp->srcs[i]);
				cp->fo.o.err = ERR_USAGE;
				continue;
			} else {
				dst = cp_join(cp->tdir ? cp->tdir : cp->target, base);
				free(base);
			}
			cp_dir_add(cp, xstrdup(cp->srcs[i]), dst);
		}
		cp_walk_next(cp);
		return;
	}
	for (int i = 0; i < cp->nsrcs; i++) {
		char *base;
		if (!cp->tdir) {
			cp_add(cp, cp->srcs[i], xstrdup(cp->target), -1);
			continue;
		}
		if (ftp_local_name(cp->srcs[i], &base) < 0) {
			cmd_error(cp->fo.o.ctx, ERR_USAGE, "%s: not a file name (a directory "
			          "is copied with cp -r)", cp->srcs[i]);
			cp->fo.o.err = ERR_USAGE;
			continue;
		}
		cp_add(cp, cp->srcs[i], cp_join(cp->tdir, base), -1);
		free(base);
	}
	cp->cur = 0;
	cp_next(cp);
}

static void cp_plan_deferred(void *arg)
{
	cp_plan(arg);
}

static void cp_back(struct ftp_op *op, const struct pp_reply *r)
{
	(void)r;
	cp_plan(cp_of(op));
}

/* CWD TARGET answered: 250 means a directory (go back where the
 * connection was); otherwise TARGET names the copy. */
static void cp_probed(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_cp *cp = cp_of(op);
	if (r->code / 100 == 2) {
		if (cp->df->cwd) {
			cp->tdir = xstrdup(cp->target);
			if (cp_dsend(cp, cp_back, "CWD %s", cp->df->cwd) < 0)
				op_finish(&cp->fo.o, ERR_NET);
			return;
		}
		/* Where it was is unknown (no 257 reply): stay in TARGET. */
		cp->tdir = xstrdup(".");
	} else if (cp->nsrcs > 1) {
		cmd_error(cp->fo.o.ctx, ERR_NOTFOUND, "%s: not a directory (several sources "
		          "go into a directory)", cp->target);
		op_finish(&cp->fo.o, ERR_NOTFOUND);
		return;
	}
	cp_plan(cp);
}

static void cp_begin(struct cmdctx *ctx, const struct proto_copy *req,
                     struct session *src, struct session *dst)
{
	ctx->sess = src;
	struct ftp_cp *cp = op_new(ctx, &cp_class, sizeof(*cp));
	ctx->sess = NULL; /* messages name the session they concern */
	cp->fo.f = src->pdata;
	cp->fo.size = -1;
	cp->fo.mtime = -1;
	buf_init(&cp->fo.lbuf, 64 * 1024);
	buf_init(&cp->pipe, PIPE_MAX);
	cp->dst = dst;
	cp->df = dst->pdata;
	cp->fo.f->op = &cp->fo;
	cp->df->op = &cp->fo;
	cp->fxp = req->fxp;
	cp->rec = req->recursive;
	cp->nsrcs = req->nsrcs;
	cp->srcs = xcalloc((size_t)req->nsrcs + 1, sizeof(char *));
	for (int i = 0; i < req->nsrcs; i++)
		cp->srcs[i] = xstrdup(req->srcs[i]);
	cp->target = xstrdup(*req->dst_path ? req->dst_path : ".");

	int e = 0;
	cp->tls = cp->fxp && cp->fo.f->prot_p && cp->df->prot_p;
	if (cp->fxp && cp->fo.f->prot_p != cp->df->prot_p)
		e = cmd_error(ctx, ERR_USAGE, "--fxp: the data connections of %s are "
		              "TLS-protected (PROT P) and those of %s are not; copy without "
		              "--fxp (streamed through ferry)",
		              cp->fo.f->prot_p ? src->name : dst->name,
		              cp->fo.f->prot_p ? dst->name : src->name);
	if (!e) {
		size_t n = strlen(cp->target);
		if (cp->target[n - 1] == '/' || strcmp(cp->target, ".") == 0 ||
		    strcmp(cp->target, "..") == 0) {
			cp->tdir = xstrdup(cp->target);
			op_start(&cp->fo.o, 0);
			ev_defer(src->ev, cp_plan_deferred, cp);
			return;
		}
		if (cp->rec && cp->nsrcs == 1) {
			op_start(&cp->fo.o, 0);
			ev_defer(src->ev, cp_plan_deferred, cp);
			return;
		}
		e = cp_dsend(cp, cp_probed, "CWD %s", cp->target);
	}
	if (op_start(&cp->fo.o, e) != CMD_PENDING)
		cmd_done(ctx, e);
}

/* ---- leasing both connections ------------------------------------------- */

struct cp_lease {
	struct cmdctx *ctx;         /* NULL once handed to cp_begin */
	struct proto_copy req;
	struct session_lease *l;
	struct session *src;        /* held */
};

static void cpl_free(struct cp_lease *l)
{
	for (int i = 0; i < l->req.nsrcs; i++)
		free(l->req.srcs[i]);
	free(l->req.srcs);
	free((char *)l->req.dst_path);
	if (l->l)
		session_lease_cancel(l->l);
	if (l->src)
		session_release(l->src);
	if (l->ctx && l->ctx->op == l) {
		l->ctx->op = NULL;
		l->ctx->cancel = NULL;
	}
	free(l);
}

static void cpl_cancel(struct cmdctx *ctx)
{
	cpl_free(ctx->op);
	cmd_done(ctx, ERR_INTR);
}

static void cpl_leased(struct session *c, int err, void *arg)
{
	struct cp_lease *l = arg;
	struct cmdctx *ctx = l->ctx;
	l->l = NULL;
	if (err) {
		char *why = session_failure(c, err);
		cmd_error(ctx, err, "%s", why);
		free(why);
		cpl_free(l);
		cmd_done(ctx, err);
		return;
	}
	if (!l->src) {
		l->src = c;
		l->l = session_acquire(l->req.dst, cpl_leased, l);
		return;
	}
	struct session *src = l->src;
	l->src = NULL;
	ctx->op = NULL;
	ctx->cancel = NULL;
	/* cp_begin may end the command at once (a refused --fxp), and with it
	 * ctx: l forgets it first. */
	l->ctx = NULL;
	cp_begin(ctx, &l->req, src, c);
	cpl_free(l);
}

int ftp_copy(struct cmdctx *ctx, const struct proto_copy *req)
{
	for (int i = 0; i < req->nsrcs; i++)
		if (!*req->srcs[i] || !ftp_arg_ok(req->srcs[i]))
			return cmd_error(ctx, ERR_USAGE, "%s: not a path to copy", req->srcs[i]);
	if (!ftp_arg_ok(req->dst_path))
		return cmd_error(ctx, ERR_USAGE, "line breaks are not allowed in paths");
	if (req->src == req->dst && config_int(req->src->cfg, "net:connection-limit") < 2)
		return cmd_error(ctx, ERR_USAGE, "a copy within %s needs two connections; "
		                 "set net:connection-limit 2 or more", req->src->name);
	struct cp_lease *l = xcalloc(1, sizeof(*l));
	l->ctx = ctx;
	l->req = *req;
	l->req.srcs = xcalloc((size_t)req->nsrcs + 1, sizeof(char *));
	for (int i = 0; i < req->nsrcs; i++)
		l->req.srcs[i] = xstrdup(req->srcs[i]);
	l->req.dst_path = xstrdup(req->dst_path);
	ctx->op = l;
	ctx->cancel = cpl_cancel;
	l->l = session_acquire(req->src, cpl_leased, l);
	return CMD_PENDING;
}
