/* ftp_get.c - transfers: get, reget, cat, put.  The local end is lfile /
 * lsource, the data connection ftp_xfer; this file is the protocol's part:
 * SIZE and MDTM, the resume checks, REST, what the server sent. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "err.h"
#include "ev.h"
#include "ftp_int.h"
#include "lfile.h"
#include "log.h"
#include "pp.h"
#include "session.h"
#include "sink.h"
#include "ui.h"

/* ==== progress and summary ============================================== */

#define PROGRESS_MS 250  /* four drawings a second */

/* xfer:progress: auto is on when both standard output and standard error
 * are terminals (a person watches), off in batch use. */
static bool progress_mode(const struct ftp_op *op)
{
	return ui_progress_wanted(config_str(op->o.s->cfg, "xfer:progress"));
}

/* Only the foreground command draws: a job in the background (its output
 * a log, its errors kept for the notice) has its notice at the end. */
static bool op_foreground(void *arg)
{
	struct ftp_op *op = arg;
	return op->o.ctx && !op->o.ctx->on_error;
}

static const char *progress_name(const struct ftp_op *op)
{
	if (op->src.path)
		return op->src.path;
	if (op->lf.path)
		return op->lf.path;
	return op->remote ? op->remote : "";
}

/* The transfer whose line the terminal shows: one at a time, the
 * foreground command's (a job in the background must not replace or blank
 * it). */
static struct ftp_op *progress_owner;

static void progress_release(struct ftp_op *op)
{
	if (progress_owner != op)
		return;
	ui_progress(NULL, NULL, NULL);
	progress_owner = NULL;
}

static long progress_tick(void *arg)
{
	struct ftp_op *op = arg;
	struct cmdctx *ctx = op->o.ctx;
	if (!ctx)
		return PROGRESS_MS;
	progress_sample(&op->meter, ev_now_ms(op->o.s->ev), ctx->bytes);
	if (!op_foreground(op)) {
		progress_release(op);
		return PROGRESS_MS;
	}
	char *name = ftp_esc_str(progress_name(op));
	char line[512];
	progress_line(line, sizeof(line), name, ctx->bytes, ctx->total, op->meter.rate);
	free(name);
	progress_owner = op;
	ui_progress(line, op_foreground, op);
	return PROGRESS_MS;
}

/* A transfer began: measure it, and draw its line on a terminal (not for
 * data printed to the terminal itself: cat). */
static void progress_begin(struct ftp_op *op)
{
	int64_t now = ev_now_ms(op->o.s->ev);
	op->t0 = now;
	if (!op->cmd_t0)
		op->cmd_t0 = now;
	progress_start(&op->meter, now, op->o.ctx ? op->o.ctx->bytes : 0);
	op->progress = progress_mode(op) &&
	               !(op->to_stdout && ui_stdout_tty());
	if (op->progress && !op->ptimer)
		op->ptimer = ev_timer_add(op->o.s->ev, PROGRESS_MS, progress_tick, op);
}

static void progress_end(struct ftp_op *op)
{
	if (op->ptimer) {
		ev_timer_del(op->ptimer);
		op->ptimer = NULL;
	}
	progress_release(op);
	op->progress = false;
}

void ftp_progress_begin(struct ftp_op *op, const char *name)
{
	if (!op->remote && name)
		op->remote = xstrdup(name);
	progress_begin(op);
}

/* The summary of a command moving many files, where a person watches (or
 * xfer:progress on): "mirror: 3 files: 1.0 MiB in 0.4 s (2.5 MiB/s)", the
 * time from t0 on. */
static void total_line(struct ftp_op *op, const char *what, size_t files, uint64_t bytes,
                       int64_t t0)
{
	if (!progress_mode(op) || !t0)
		return;
	char sum[128];
	progress_summary(sum, sizeof(sum), bytes, ev_now_ms(op->o.s->ev) - t0);
	ui_trace("%s: %zu file%s: %s", what, files, files == 1 ? "" : "s", sum);
	if (op->o.ctx)
		op->o.ctx->summed = true;
}

void ftp_progress_done(struct ftp_op *op, const char *what, size_t files, uint64_t bytes)
{
	progress_end(op);
	total_line(op, what, files, bytes, op->t0);
}

static char *reput_hint(const struct ftp_op *op);

void ftp_get_stop(struct ftp_op *op)
{
	/* An upload stopped midway (Ctrl-C, kill, the connection lost): the
	 * server keeps what it got, and reput goes on from there. */
	if (op->x && op->src.path && op->streamed > 0) {
		char *h = reput_hint(op);
		char *d = ftp_esc_str(op->remote ? op->remote : op->src.path);
		ui_error("%s: upload stopped after %" PRIu64 " of %" PRIu64 " bytes; %s "
		         "continues it", d, op->up_offset + op->streamed,
		         (uint64_t)op->src.size, h);
		free(d);
		free(h);
	}
	ftp_pget_stop(op);
	progress_end(op);
	if (op->rtimer) {
		ev_timer_del(op->rtimer);
		op->rtimer = NULL;
	}
}

/* After a transfer: "NAME: 1.0 GiB in 2.1 s (490.0 MiB/s)" where a person
 * watches, "NAME: N bytes" (what it always said) elsewhere. */
static void summary(struct ftp_op *op, const char *path, uint64_t bytes,
                    uint64_t from, const char *verb)
{
	char *l = ftp_esc_str(path);
	char at[64] = "";
	if (from)
		snprintf(at, sizeof(at), " (resumed at %" PRIu64 ")", from);
	op->cmd_bytes += bytes;
	op->cmd_files++;
	if (op->o.ctx)
		op->o.ctx->summed = true;
	if (progress_mode(op)) {
		char sum[128];
		progress_summary(sum, sizeof(sum), bytes, ev_now_ms(op->o.s->ev) - op->t0);
		/* Asked for (xfer:progress on) in batch use too: not quiet. */
		ui_trace("%s: %s%s", l, sum, at);
	} else {
		ui_info("%s: %" PRIu64 " bytes%s%s", l, bytes, verb, at);
	}
	free(l);
}

/* After the last operand of a command over several files (get, mget,
 * put, mput, cp), where a person watches: the total, named after the
 * command as mirror's is. */
static void summary_total(struct ftp_op *op)
{
	if (op->o.idx < op->o.nargs || op->cmd_files < 2)
		return;
	const struct cmdctx *ctx = op->o.ctx;
	total_line(op, ctx && ctx->def ? ctx->def->name : "total", (size_t)op->cmd_files,
	           op->cmd_bytes, op->cmd_t0);
}

/* For cp (ftp_cp.c): the same line and summaries. */
void ftp_progress_end(struct ftp_op *op)
{
	progress_end(op);
}

void ftp_summary(struct ftp_op *op, const char *path, uint64_t bytes, const char *verb)
{
	summary(op, path, bytes, 0, verb);
}

void ftp_summary_total(struct ftp_op *op)
{
	summary_total(op);
}

/* ==== get, cat ========================================================= */

static bool clobber(struct ftp_op *op)
{
	return op->force || config_bool(op->o.s->cfg, "xfer:clobber");
}

/* Open the local side when the server starts sending. */
static int get_start(void *arg)
{
	struct ftp_op *op = arg;

	if (op->to_stdout)
		return 0;
	/* The 150 reply may have told the size SIZE did not. */
	if (op->size < 0 && op->x && ftp_xfer_size(op->x) >= 0 &&
	    !op->lf.in_place && !op->lf.append && !op->lf.resume_part)
		op->size = ftp_xfer_size(op->x);
	int r = lfile_open(&op->lf, op->size, op->mtime);
	if (r < 0)
		snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
	return r;
}

static int get_write(struct ftp_op *op, const char *p, size_t n);

static int get_data(void *arg, const char *p, size_t n)
{
	struct ftp_op *op = arg;
	if (op->ascii) {
		/* CRLF to LF: at most one byte more than came (a CR held). */
		op->abuf = xrealloc(op->abuf, n + 1);
		n = ftp_ascii_down(p, n, op->abuf, &op->acr);
		p = op->abuf;
	}
	return get_write(op, p, n);
}

static int get_write(struct ftp_op *op, const char *p, size_t n)
{
	/* What SIZE (less the REST offset) or the 150 reply said is due:
	 * more is refused at once (lfile_write_due). */
	int64_t left = op->x ? ftp_xfer_size(op->x) : -1;
	int r;
	if (op->to_stdout) {
		if (left >= 0 && op->streamed + n > (uint64_t)left) {
			snprintf(op->why, sizeof(op->why), "the server sent more than the "
			         "%" PRId64 " bytes it announced", left);
			return ERR_PROTO;
		}
		r = cmd_data(op->o.ctx, p, n);
		if (r < 0)
			snprintf(op->why, sizeof(op->why), "%s", sink_why(cmd_out(op->o.ctx)));
		else
			op->streamed += n;
		op->o.ctx->bytes = op->streamed;
	} else {
		r = lfile_write_due(&op->lf, p, n, left);
		if (r < 0)
			snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
		op->o.ctx->bytes = op->lf.offset + op->lf.written;
	}
	op->o.ctx->total = op->size;
	return r;
}

static void get_item_end(struct ftp_op *op, int err)
{
	free(op->abuf);
	op->abuf = NULL;
	op->acr = false;
	op->tries = 0;
	op->sized = false;
	free(op->remote);
	op->remote = NULL;
	lfile_clear(&op->lf);
	op->streamed = 0;
	op->size = -1;
	op->mtime = -1;
	op->why[0] = '\0';
	summary_total(op);
	op_item_done(&op->o, err);
}

static bool get_may_resume(struct ftp_op *op, bool cut, int err);
static void get_resume_later(struct ftp_op *op, const char *why);

static void get_dele_reply(struct ftp_op *op, const struct pp_reply *r)
{
	int err = 0;
	ftp_cache_forget(op->o.s, op->remote);
	if (r->code < 200 || r->code >= 300) {
		char *d = ftp_esc_str(op->remote);
		char *esc = ftp_reply_esc(r);
		err = ftp_reply_err(r->code);
		err = cmd_error(op->o.ctx, err ? err : ERR_PROTO, "%s: downloaded, but not "
		                "removed from the server (-E): %d %s", d, r->code, esc);
		free(esc);
		free(d);
	}
	get_item_end(op, err);
}

/* A download ended (err 0: the copy is whole): with -E the remote file
 * goes, but only when its size proved the copy whole (SIZE, or the 150's
 * count): a 226 alone, or a text transfer, proves nothing. */
static void get_end_ok(struct ftp_op *op, int err)
{
	if (!err && op->remove_src) {
		struct pp *pp = op->o.s->pp;
		if (op->size < 0 || op->ascii || !pp || pp_failed(pp)) {
			char *d = ftp_esc_str(op->remote);
			err = cmd_error(op->o.ctx, op->size < 0 || op->ascii ? ERR_FAIL : ERR_NET,
			                "%s: downloaded, but kept on the server (-E): %s", d,
			                op->ascii ? "in ascii mode the size proves nothing" :
			                op->size < 0 ? "the server did not tell its size" :
			                "the connection was lost");
			free(d);
		} else if ((err = ftp_op_sendf(op, get_dele_reply, "DELE %s", op->remote)) == 0) {
			return;
		}
	}
	get_item_end(op, err);
}

void ftp_get_xfer_done(void *arg, int err, const char *why)
{
	struct ftp_op *op = arg;

	bool cut = op->x && ftp_xfer_cut(op->x);
	op->x = NULL;
	progress_end(op);
	char cr;
	if (!err && op->ascii && ftp_ascii_down_end(&cr, &op->acr)) {
		int r = get_write(op, &cr, 1); /* a lone CR at the very end */
		if (r < 0)
			err = r;
	}
	int e = lfile_close(&op->lf);
	if (!err && e < 0) {
		err = e;
		snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
	}
	if (!err && (e = lfile_commit(&op->lf)) < 0) {
		err = e;
		snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
	}
	if (err && get_may_resume(op, cut, err)) {
		get_resume_later(op, op->why[0] ? op->why : why);
		return;
	}
	if (err) {
		char *r = ftp_esc_str(op->remote);
		/* The server's refusal says little (vsftpd: "Failed to open
		 * file"); the listing may know better. */
		bool dir = !op->why[0] && ftp_cache_is_dir(op->o.s, op->remote);
		cmd_error(op->o.ctx, err, "%s: %s%s", r, op->why[0] ? op->why : why,
		          dir ? " (a directory: get -r fetches trees)" : "");
		free(r);
		lfile_discard(&op->lf);
	} else if (!op->to_stdout) {
		summary(op, op->lf.path, op->lf.written, op->lf.offset, "");
	}
	get_end_ok(op, err);
}

static const struct ftp_xfer_ops get_ops = {
	.start = get_start,
	.data = get_data,
	.done = ftp_get_xfer_done,
};

/* Start the RETR; 0, or ERR_* (reported). */
static int get_retr(struct ftp_op *op)
{
	char *line = xasprintf("RETR %s", op->remote);
	int64_t left = op->size >= 0 ? op->size - (int64_t)op->lf.offset : -1;
	int r = ftp_xfer_start_typed(op->o.s, line, XFER_DOWN, left, op->lf.offset,
	                             &get_ops, op, &op->x);
	free(line);
	if (r == 0) {
		op->o.ctx->bytes = op->lf.offset;
		op->o.ctx->total = op->size;
		progress_begin(op);
	}
	if (r < 0) {
		char *d = ftp_esc_str(op->remote);
		cmd_error(op->o.ctx, r, "%s: %s", d, err_str(r));
		free(d);
	}
	return r;
}

/* A resume splices what is here with the rest of the remote file: only
 * when the remote size is known (a server that ignores REST and sends the
 * whole file again is then caught) and, when NAME.part.meta tells what the
 * file was when the part began, only if it has not changed since.
 * 0, or ERR_* (reported). */
static int resume_check(struct ftp_op *op)
{
	int64_t msize, mtime;
	uint64_t offset = op->lf.offset;
	char *l = ftp_esc_str(op->lf.path);
	int err = 0;

	if (!offset) {
		/* nothing here yet: a plain download */
	} else if (op->size < 0 && !op->unverified) {
		err = cmd_error(op->o.ctx, ERR_FAIL, "%s: the server does not tell the "
		                "remote size (SIZE), so the resume cannot be checked; "
		                "reget --unverified resumes anyway", l);
	} else if (op->lf.resume_part && lfile_meta(&op->lf, &msize, &mtime) == 0 &&
	           ((msize >= 0 && op->size >= 0 && msize != op->size) ||
	            (mtime >= 0 && op->mtime >= 0 && mtime != op->mtime))) {
		err = cmd_error(op->o.ctx, ERR_FAIL, "%s: the remote file changed since "
		                "%s.part began (%s); get -f starts over", l, l,
		                msize != op->size ? "size" : "modification time");
	} else if (op->size >= 0 && offset > (uint64_t)op->size) {
		err = cmd_error(op->o.ctx, ERR_LOCAL, "%s: the local file (%" PRIu64
		                " bytes) is longer than the remote one (%" PRId64 ")",
		                l, offset, op->size);
	}
	free(l);
	return err;
}

static bool resuming(const struct ftp_op *op)
{
	return op->lf.append || op->lf.resume_part;
}

/* Size and time known (or not): check a resume, then RETR. */
static void get_sized(struct ftp_op *op)
{
	int e = 0;

	if (resuming(op)) {
		e = resume_check(op);
		if (!e && op->size >= 0 && op->lf.offset == (uint64_t)op->size) {
			char *l = ftp_esc_str(op->lf.path);
			if ((e = lfile_commit(&op->lf)) < 0)
				cmd_error(op->o.ctx, e, "%s", op->lf.why);
			else
				ui_info("%s: already complete (%" PRIu64 " bytes)", l, op->lf.offset);
			free(l);
			get_end_ok(op, e);
			return;
		}
	}
	if (!e && op->pget_n > 1 && (e = ftp_pget_start(op)) == 0)
		return; /* pget: segments on several connections */
	if (e > 0)
		e = 0;  /* not worth splitting */
	if (!e)
		e = get_retr(op);
	if (e < 0)
		get_item_end(op, e);
}

/* The time goes with a NAME.part, for a later resume to check. */
static bool want_mdtm(const struct ftp_op *op)
{
	return !op->to_stdout && !op->lf.in_place &&
	       (!op->f->feat_known || op->f->feat.mdtm);
}

static void get_mdtm_reply(struct ftp_op *op, const struct pp_reply *r)
{
	int64_t t;

	if (r->code == 421) {
		get_item_end(op, ftp_op_reply_error(op, "MDTM", r));
		return;
	}
	/* Only a hint for the resume check: a malformed time is ignored. */
	if (r->code == 213 && ftp_parse_mdtm(r->msg, &t) == 0)
		op->mtime = t;
	get_sized(op);
}

static void get_size_reply(struct ftp_op *op, const struct pp_reply *r)
{
	uint64_t size;

	if (r->code == 213) {
		if (ftp_parse_size(r->msg, &size) < 0) {
			char *d = ftp_esc_str(op->remote);
			char *esc = ftp_reply_esc(r);
			cmd_error(op->o.ctx, ERR_PROTO, "%s: malformed SIZE reply: %s", d, esc);
			free(d);
			free(esc);
			get_item_end(op, ERR_PROTO);
			return;
		}
		op->size = (int64_t)size;
		op->sized = true;
	} else if (r->code == 421) {
		get_item_end(op, ftp_op_reply_error(op, "SIZE", r));
		return;
	}
	if (want_mdtm(op)) {
		int e = ftp_op_sendf(op, get_mdtm_reply, "MDTM %s", op->remote);
		if (e < 0)
			get_item_end(op, e);
		return;
	}
	get_sized(op);
}

/* Decide the local target of op->o.arg; 0 or ERR_* (reported). */
static int get_target(struct ftp_op *op)
{
	char *base = NULL, *local;
	struct stat st;

	op->remote = xstrdup(op->o.arg);
	if (op->to_stdout)
		return 0;
	if (ftp_local_name(op->remote, &base) < 0) {
		char *d = ftp_esc_str(op->remote);
		cmd_error(op->o.ctx, ERR_USAGE, "%s: no file name to save under (use -o)", d);
		free(d);
		return ERR_USAGE;
	}
	if (op->out_opt && stat(op->out_opt, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t n = strlen(op->out_opt);
		local = xasprintf("%s%s%s", op->out_opt,
		                  n && op->out_opt[n - 1] == '/' ? "" : "/", base);
	} else {
		local = xstrdup(op->out_opt ? op->out_opt : base);
	}
	free(base);
	lfile_init(&op->lf, clobber(op));
	int err = lfile_target(&op->lf, local, op->reget);
	free(local);
	if (err)
		cmd_error(op->o.ctx, err, "%s", op->lf.why);
	return err;
}

/* The size first, so a cut transfer can be told from a whole one; then
 * the time; then RETR.  0 or ERR_* (reported). */
static int get_query(struct ftp_op *op)
{
	/* ascii: a text transfer's byte count is not the file's size, so
	 * SIZE could not tell a whole transfer from a cut one. */
	if (!op->ascii && (!op->f->feat_known || op->f->feat.size))
		return ftp_op_sendf(op, get_size_reply, "SIZE %s", op->remote);
	if (want_mdtm(op))
		return ftp_op_sendf(op, get_mdtm_reply, "MDTM %s", op->remote);
	int err = resuming(op) ? resume_check(op) : 0;
	return err ? err : get_retr(op);
}

/* ---- a download cut by the network is resumed -------------------------- */

/* Only what a later reget could check: the remote size known (a server
 * that ignores REST is then caught), a NAME.part (or NAME) on disk that
 * grew this time, tries left. */
static bool get_may_resume(struct ftp_op *op, bool cut, int err)
{
	return cut && err != ERR_INTR && !op->ascii && op->o.ctx && !op->to_stdout &&
	       !op->lf.in_place && op->sized && op->lf.written > 0 &&
	       op->tries < config_int(op->o.s->cfg, "xfer:retries");
}

static void get_resume_ready(struct op *o, int err)
{
	struct ftp_op *op = ftp_op_of(o);
	struct session *s = o->s;

	op->f = s->pdata;
	op->f->op = op;
	if (err) {
		/* Still a cut transfer (8), whatever stopped the resume. */
		char *l = ftp_esc_str(op->remote);
		cmd_error(o->ctx, ERR_PROTO, "%s: transfer incomplete; cannot resume: %s", l,
		          s->err[0] ? s->err : err_str(err));
		free(l);
		lfile_discard(&op->lf);
		get_item_end(op, ERR_PROTO);
		return;
	}
	/* As reget: NAME.part again, its size the offset, SIZE and MDTM
	 * compared with what NAME.part.meta recorded. */
	char *local = xstrdup(op->lf.path);
	lfile_clear(&op->lf);
	lfile_init(&op->lf, clobber(op));
	err = lfile_target(&op->lf, local, true);
	free(local);
	if (err)
		cmd_error(o->ctx, err, "%s", op->lf.why);
	op->size = -1;
	op->mtime = -1;
	op->sized = false;
	op->why[0] = '\0';
	if (!err)
		err = get_query(op);
	if (err)
		get_item_end(op, err);
}

static long get_resume_tick(void *arg)
{
	struct ftp_op *op = arg;
	op->rtimer = NULL;
	op_ensure(&op->o, get_resume_ready);
	return 0;
}

/* One line says where it was cut and why; a second later the download
 * goes on, on a connection logged in again if the control connection was
 * lost (the command is not the connection's op meanwhile, so losing it
 * does not end the command). */
static void get_resume_later(struct ftp_op *op, const char *why)
{
	char at[32];
	char *l = ftp_esc_str(op->lf.path);

	why = ftp_why_cut(why);
	op->tries++;
	progress_size(op->lf.offset + op->lf.written, at, sizeof(at));
	/* Batch logs want it too: not a ui_info, which quiet silences. */
	ui_error("%s: cut at %s (%s); resuming (try %d of %ld)", l, at, why,
	        op->tries, config_int(op->o.s->cfg, "xfer:retries"));
	free(l);
	if (op->f->op == op)
		op->f->op = NULL;
	op->rtimer = ev_timer_add(op->o.s->ev, 1000, get_resume_tick, op);
}

static int get_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	op->ascii = ftp_site_ascii(o->s);
	int err = get_target(op);
	if (!err)
		err = get_query(op);
	if (err) {
		free(op->remote);
		op->remote = NULL;
		lfile_clear(&op->lf);
	}
	return err;
}

/* The options of get, reget and put (-o NAME, -O DIR, -f, -c,
 * --unverified, --) and the operands, into op.  -c makes get reget and put
 * reput, and -O DIR is -o DIR/, as in lftp.  0 or ERR_USAGE (reported). */
static int xfer_opts(struct ftp_op *op, const char *usage)
{
	struct cmdctx *ctx = op->o.ctx;
	bool get = !strstr(ctx->def->name, "put");
	bool opts = true;

	op->o.args = xcalloc((size_t)ctx->argc + 1, sizeof(char *));
	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && strcmp(a, "-o") == 0) {
			if (++i >= ctx->argc)
				return cmd_error(ctx, ERR_USAGE, "-o needs a %s name",
				                 get ? "file" : "remote");
			op->out_opt = ctx->argv[i];
		} else if (opts && strcmp(a, "-O") == 0) {
			if (++i >= ctx->argc || !*ctx->argv[i])
				return cmd_error(ctx, ERR_USAGE, "-O needs a directory");
			free(op->out_dir);
			op->out_dir = ftp_names_dir(ctx->argv[i]) ? xstrdup(ctx->argv[i]) :
			              xasprintf("%s/", ctx->argv[i]);
			op->out_opt = op->out_dir;
		} else if (opts && get && strcmp(a, "-f") == 0) {
			op->force = true;
		} else if (opts && strcmp(a, "-c") == 0) {
			if (get)
				op->reget = true;
			else
				op->reput = true;
		} else if (opts && strcmp(a, "-E") == 0 && strncmp(ctx->def->name, "re", 2)) {
			op->remove_src = true;
		} else if (opts && op->pget_n && strcmp(a, "-n") == 0) {
			char *end;
			long n = ++i < ctx->argc ? strtol(ctx->argv[i], &end, 10) : 0;
			if (i >= ctx->argc || *end || n < 1 || n > 64)
				return cmd_error(ctx, ERR_USAGE, "-n needs a number of "
				                 "connections from 1 to 64");
			op->pget_n = (int)n;
		} else if (opts && get && strcmp(a, "--unverified") == 0) {
			op->unverified = true;
		} else if (opts && a[0] == '-' && a[1]) {
			return cmd_error(ctx, ERR_USAGE, "unknown option %s (use -- before "
			                 "names starting with -)", a);
		} else {
			op->o.args[op->o.nargs++] = ctx->argv[i];
		}
	}
	if (!op->o.nargs)
		return cmd_error(ctx, ERR_USAGE, "usage: %s %s", ctx->def->name, usage);
	if (op->unverified && !op->reget)
		return cmd_error(ctx, ERR_USAGE, "--unverified is for a resume (reget, "
		                 "or get -c)");
	return ftp_check_args(ctx, 1);
}

/* Byte offsets in the local file are not offsets in the remote one when
 * line ends change on the way. */
static int ascii_no_resume(struct cmdctx *ctx)
{
	return cmd_error(ctx, ERR_USAGE, "cannot resume in ascii mode (line ends "
	                 "change the byte offsets); type binary first");
}

static int get_run(struct cmdctx *ctx, bool reget)
{
	struct ftp_op *op = ftp_op_new(ctx);
	op->reget = reget;
	bool pget = strcmp(ctx->def->name, "pget") == 0;
	if (pget)
		op->pget_n = PGET_DEFAULT_N;
	int r = xfer_opts(op, reget ? "REMOTE... [-o LOCAL] [-f] [--unverified]" :
	                  pget ? "[-n N] REMOTE... [-o LOCAL] [-f] [-c] [-E]" :
	                         "REMOTE... [-o LOCAL] [-f] [-c] [-E]");
	if (r < 0)
		goto fail;
	if (op->reget && ftp_site_ascii(ctx->sess)) {
		r = ascii_no_resume(ctx);
		goto fail;
	}
	if (op->out_opt && strcmp(op->out_opt, "-") == 0) {
		if (op->reget) {
			r = cmd_error(ctx, ERR_USAGE, "%s cannot resume standard output",
			              reget ? "reget" : "-c");
			goto fail;
		}
		op->to_stdout = true;
	} else if (op->out_opt && strcmp(ctx->def->name, "mget") == 0) {
		/* Checked once, not once for each file the patterns match. */
		struct stat st;
		if (stat(op->out_opt, &st) < 0 || !S_ISDIR(st.st_mode)) {
			bool none = errno == ENOENT;
			char *d = ui_escape_str(op->out_opt, strlen(op->out_opt));
			r = cmd_error(ctx, ERR_LOCAL, "%s: %s (mget -o takes a directory)", d,
			              none ? "no such directory" : "not a directory");
			free(d);
			goto fail;
		}
	} else if (op->out_opt && op->o.nargs > 1) {
		struct stat st;
		if (stat(op->out_opt, &st) < 0 || !S_ISDIR(st.st_mode)) {
			r = cmd_error(ctx, ERR_USAGE, "-o with several files needs a "
			              "directory or -");
			goto fail;
		}
	}
	return ftp_glob_run(op, strcmp(ctx->def->name, "mget") == 0, get_item);
fail:
	return op_start(&op->o, r);
}

/* -r among the options (before any "--"): a tree, through mirror. */
static bool recursive(const struct cmdctx *ctx)
{
	for (int i = 1; i < ctx->argc && strcmp(ctx->argv[i], "--"); i++)
		if (!strcmp(ctx->argv[i], "-r") && !(ctx->quoted && ctx->quoted[i]))
			return true;
	return false;
}

int ftp_do_get(struct cmdctx *ctx)
{
	if (!strcmp(ctx->def->name, "get") && recursive(ctx))
		return ftp_do_tree_xfer(ctx, false);
	return get_run(ctx, false);
}

int ftp_do_pget(struct cmdctx *ctx)
{
	return get_run(ctx, false);
}

int ftp_do_reget(struct cmdctx *ctx)
{
	return get_run(ctx, true);
}

int ftp_do_cat(struct cmdctx *ctx)
{
	int r = ftp_check_args(ctx, 1);
	if (r < 0)
		return r;
	struct ftp_op *op = ftp_op_new(ctx);
	op->to_stdout = true;
	return op_run(&op->o, 1, get_item);
}

/* ==== put ============================================================== */

static ssize_t put_fill(void *arg, char *p, size_t cap)
{
	struct ftp_op *op = arg;
	char *in = p;
	if (op->ascii) {
		/* LF to CRLF: read half, expand into p. */
		cap /= 2;
		op->abuf = xrealloc(op->abuf, cap);
		in = op->abuf;
	}
	ssize_t n = lsource_read(&op->src, in, cap);
	if (n < 0) {
		snprintf(op->why, sizeof(op->why), "%s", op->src.why);
		return n;
	}
	op->streamed += (uint64_t)n;
	op->o.ctx->bytes = op->up_offset + op->streamed;
	if (op->ascii)
		n = (ssize_t)ftp_ascii_up(in, (size_t)n, p, &op->acr);
	return n;
}

static void put_item_end(struct ftp_op *op, int err)
{
	free(op->abuf);
	op->abuf = NULL;
	op->acr = false;
	op->up_offset = 0;
	lsource_clear(&op->src);
	free(op->remote);
	op->remote = NULL;
	op->streamed = 0;
	op->size = -1;
	op->why[0] = '\0';
	summary_total(op);
	op_item_done(&op->o, err);
}

/* What reput says to type: the name as given, quoted when a shell word
 * would split it. */
static char *reput_hint(const struct ftp_op *op)
{
	char *l = ftp_esc_str(op->src.path);
	bool plain = strcspn(l, " \t'\"\\;&|<>*?[]$`") == strlen(l);
	char *h = op->out_opt ?
	          xasprintf(plain ? "reput %s -o %s" : "reput '%s' -o ...", l, op->out_opt) :
	          xasprintf(plain ? "reput %s" : "reput '%s'", l);
	free(l);
	return h;
}

/* -E: the local file goes once the server's size matched what was sent;
 * 0 or ERR_LOCAL (reported). */
static int put_kept(struct ftp_op *op, const char *why);

static int put_remove_src(struct ftp_op *op)
{
	if (!op->remove_src)
		return 0;
	if (!lsource_unchanged(&op->src, op->up_offset + op->streamed))
		return put_kept(op, "it changed while it was sent");
	if (unlink(op->src.path) == 0)
		return 0;
	char *l = ftp_esc_str(op->src.path);
	int err = cmd_error(op->o.ctx, ERR_LOCAL, "%s: sent, but not removed here (-E): %s",
	                    l, strerror(errno));
	free(l);
	return err;
}

/* -E, but nothing proves the server has it all: the local file stays.
 * 0 without -E, else ERR_FAIL (reported). */
static int put_kept(struct ftp_op *op, const char *why)
{
	if (!op->remove_src)
		return 0;
	char *l = ftp_esc_str(op->src.path);
	int err = cmd_error(op->o.ctx, ERR_FAIL, "%s: sent, but kept here (-E): %s", l, why);
	free(l);
	return err;
}

/* After the upload: the server's SIZE must match what was sent. */
static void put_size_reply(struct ftp_op *op, const struct pp_reply *r)
{
	uint64_t size, want = op->up_offset + op->streamed;
	int err = 0;

	if (r->code == 213 && ftp_parse_size(r->msg, &size) == 0 && size != want) {
		char *d = ftp_esc_str(op->remote);
		char *h = size < want ? reput_hint(op) : NULL;
		err = cmd_error(op->o.ctx, ERR_PROTO, "%s: upload incomplete: the server "
		                "has %" PRIu64 " of %" PRIu64 " bytes%s%s%s", d, size, want,
		                h ? "; " : "", h ? h : "", h ? " continues it" : "");
		free(h);
		free(d);
	} else if (r->code != 213 || ftp_parse_size(r->msg, &size) < 0) {
		summary(op, op->src.path, op->streamed, op->up_offset, " sent");
		err = put_kept(op, "the server did not tell its size (SIZE)");
	} else {
		summary(op, op->src.path, op->streamed, op->up_offset, " sent");
		err = put_remove_src(op);
	}
	put_item_end(op, err);
}

/* An upload that failed midway: what the server kept, and how to go on. */
static void put_left_reply(struct ftp_op *op, const struct pp_reply *r)
{
	uint64_t size;
	char *h = reput_hint(op);
	char *d = ftp_esc_str(op->remote);
	if (r->code == 213 && ftp_parse_size(r->msg, &size) == 0)
		ui_error("%s: the server has %" PRIu64 " of %" PRIu64 " bytes; %s "
		         "continues it", d, size, (uint64_t)op->src.size, h);
	else
		ui_error("%s: %s continues it", d, h);
	free(d);
	free(h);
	put_item_end(op, op->o.err ? op->o.err : ERR_PROTO);
}

static void put_done(void *arg, int err, const char *why)
{
	struct ftp_op *op = arg;

	op->x = NULL;
	ftp_cache_forget(op->o.s, op->remote);
	progress_end(op);
	if (err) {
		char *d = ftp_esc_str(op->src.path);
		cmd_error(op->o.ctx, err, "%s: %s", d, op->why[0] ? op->why : why);
		free(d);
		/* Something reached the server: say what, and that reput
		 * continues it (SIZE when the connection still works). */
		struct pp *pp = op->o.s->pp;
		if (op->streamed > 0 && err != ERR_LOCAL) {
			op->o.err = err;
			if (pp && !pp_failed(pp) && (!op->f->feat_known || op->f->feat.size) &&
			    ftp_op_sendf(op, put_left_reply, "SIZE %s", op->remote) == 0)
				return;
			char *h = reput_hint(op);
			ui_error("%s: %s continues it", d = ftp_esc_str(op->remote), h);
			free(d);
			free(h);
		}
		put_item_end(op, err);
		return;
	}
	/* ascii: the server may store other line ends than were sent, so
	 * its size proves nothing. */
	if (!op->ascii && (!op->f->feat_known || op->f->feat.size)) {
		if (ftp_op_sendf(op, put_size_reply, "SIZE %s", op->remote) == 0)
			return;
	}
	if (op->ascii)
		summary(op, op->src.path, op->streamed, 0, " sent");
	put_item_end(op, put_kept(op, op->ascii ? "in ascii mode the server's size "
	                          "proves nothing" : "the server cannot tell its size (SIZE)"));
}

static const struct ftp_xfer_ops put_ops = {
	.fill = put_fill,
	.done = put_done,
};

/* STOR (or APPE for reput) of the open source; 0 or ERR_* (reported). */
static int put_send(struct ftp_op *op, const char *verb)
{
	char *line = xasprintf("%s %s", verb, op->remote);
	int err = ftp_xfer_start_typed(op->o.s, line, XFER_UP, -1, 0, &put_ops, op, &op->x);
	free(line);
	if (err < 0) {
		char *l = ftp_esc_str(op->src.path);
		cmd_error(op->o.ctx, err, "%s: %s", l, err_str(err));
		free(l);
		return err;
	}
	op->o.ctx->bytes = op->up_offset;
	op->o.ctx->total = (int64_t)op->src.size;
	progress_begin(op);
	return 0;
}

/* reput: the server's size says where to go on from.  APPE only when
 * that size is known and not beyond the local file; the size after the
 * upload is checked as for put. */
static void reput_size_reply(struct ftp_op *op, const struct pp_reply *r)
{
	uint64_t size = 0;
	char *d = ftp_esc_str(op->remote);
	int err = 0;

	if (r->code == 550) {
		size = 0; /* nothing there yet: a plain put */
	} else if (r->code == 421) {
		err = ftp_op_reply_error(op, "SIZE", r);
	} else if (r->code != 213 || ftp_parse_size(r->msg, &size) < 0) {
		char *e = ftp_reply_esc(r);
		err = cmd_error(op->o.ctx, ERR_FAIL, "%s: the server does not tell the "
		                "remote size (SIZE: %d %s), so reput cannot tell where to "
		                "go on; put sends it whole", d, r->code, e);
		free(e);
	} else if (size > op->src.size) {
		err = cmd_error(op->o.ctx, ERR_FAIL, "%s: the remote file (%" PRIu64
		                " bytes) is longer than the local one (%" PRIu64 "); put "
		                "sends it whole", d, size, (uint64_t)op->src.size);
	}
	if (!err && size == op->src.size && size > 0) {
		ui_info("%s: already complete (%" PRIu64 " bytes)", d, size);
		free(d);
		put_item_end(op, 0);
		return;
	}
	if (!err && size && lseek(op->src.fd, (off_t)size, SEEK_SET) != (off_t)size) {
		char *l = ftp_esc_str(op->src.path);
		err = cmd_error(op->o.ctx, ERR_LOCAL, "%s: %s", l, strerror(errno));
		free(l);
	}
	free(d);
	if (!err) {
		op->up_offset = size;
		err = put_send(op, size ? "APPE" : "STOR");
	}
	if (err)
		put_item_end(op, err);
}

static int put_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	char *l = ftp_esc_str(op->o.arg);
	int err = lsource_open(&op->src, op->o.arg);

	op->ascii = ftp_site_ascii(o->s);

	if (err) {
		cmd_error(op->o.ctx, err, "%s", op->src.why);
		goto out;
	}
	op->o.ctx->total = (int64_t)op->src.size;
	if (op->out_opt && !ftp_names_dir(op->out_opt)) {
		op->remote = xstrdup(op->out_opt);
	} else if (ftp_local_name(op->src.path, &op->remote) < 0) {
		err = cmd_error(op->o.ctx, ERR_USAGE, "%s: no file name to store under "
		                "(use -o)", l);
		goto out;
	} else if (op->out_opt) {
		/* -o DIR/: into that directory, under the local name. */
		char *in = xasprintf("%s%s", op->out_opt, op->remote);
		free(op->remote);
		op->remote = in;
	}
	if (op->reput)
		err = ftp_op_sendf(op, reput_size_reply, "SIZE %s", op->remote);
	else
		err = put_send(op, "STOR");
out:
	free(l);
	if (err) {
		lsource_clear(&op->src);
		free(op->remote);
		op->remote = NULL;
	}
	return err;
}

static int put_run(struct cmdctx *ctx, bool reput)
{
	struct ftp_op *op = ftp_op_new(ctx);
	op->reput = reput;
	int r = xfer_opts(op, reput ? "LOCAL... [-o REMOTE]" : "LOCAL... [-o REMOTE] [-c] [-E]");

	if (r < 0)
		goto fail;
	if (op->reput && ftp_site_ascii(ctx->sess)) {
		r = ascii_no_resume(ctx);
		goto fail;
	}
	if (op->out_opt && (!*op->out_opt || !ftp_arg_ok(op->out_opt))) {
		r = cmd_error(ctx, ERR_USAGE, "bad remote name");
		goto fail;
	}
	r = ftp_local_glob(op, strcmp(ctx->def->name, "mput") == 0);
	if (r < 0 && op->o.nargs == 0)
		goto fail;
	/* Counted once the patterns are expanded: `mput *.txt -o x` would
	 * store every file as x. */
	if (op->out_opt && op->o.nargs > 1 && !ftp_names_dir(op->out_opt)) {
		r = cmd_error(ctx, ERR_USAGE, "-o with several files takes a remote "
		              "directory, ending in / (-o DIR/)");
		goto fail;
	}
	op->o.err = r;
	return op_run(&op->o, 1, put_item);
fail:
	return op_start(&op->o, r);
}

int ftp_do_put(struct cmdctx *ctx)
{
	if (!strcmp(ctx->def->name, "put") && recursive(ctx))
		return ftp_do_tree_xfer(ctx, true);
	return put_run(ctx, false);
}

int ftp_do_reput(struct cmdctx *ctx)
{
	return put_run(ctx, true);
}
