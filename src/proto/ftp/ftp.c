/* ftp.c - the FTP protocol: descriptor, session ops, the login state
 * machine and the commands.  Data connections live in ftp_xfer.c, the
 * reply parsers in ftp_parse.c.
 *
 * Login (one reply callback, one state setter):
 *   greeting 220 -> [AUTH TLS -> 234 -> handshake] -> [PBSZ 0 -> PROT P]
 *   -> USER -> [PASS] -> TYPE I -> FEAT -> [CWD saved or URL dir] -> [PWD]
 * With TLS required, nothing but AUTH TLS is sent before the handshake,
 * whatever the greeting says (curl CVE-2021-22946), and a refusal of
 * AUTH TLS or PROT P ends the login before USER.
 *
 * Commands keep their state in a struct ftp_op (ctx->op and f->op).  Ctrl-C
 * closes the data connection, discards the reply still due (pp keeps the
 * session in step: the reply is read and dropped, ABOR follows a transfer
 * command) and finishes with ERR_INTR.
 */
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

/* ==== login state machine ============================================ */

static const char *const state_names[] = {
	[FS_IDLE] = "idle",
	[FS_GREETING] = "greeting",
	[FS_AUTH] = "auth-tls",
	[FS_HANDSHAKE] = "tls-handshake",
	[FS_PBSZ] = "pbsz",
	[FS_PROT] = "prot",
	[FS_USER] = "user",
	[FS_PASS] = "pass",
	[FS_TYPE] = "type",
	[FS_FEAT] = "feat",
	[FS_CWD] = "cwd",
	[FS_PWD] = "pwd",
	[FS_READY] = "ready",
};

static void set_state(struct ftp *f, enum ftp_state st)
{
	if (f->state != st)
		log_note(f->s->name, "ftp %s -> %s", state_names[f->state],
		         state_names[st]);
	f->state = st;
}

/* Escaped first line of a reply for messages (caller frees). */
static char *reply_esc(const struct pp_reply *r)
{
	return ui_escape_str(r->msg, strlen(r->msg));
}

static void login_finish(struct ftp *f, int err)
{
	proto_done_fn done = f->login_done;
	void *arg = f->login_arg;

	f->login_done = NULL;
	f->login_arg = NULL;
	if (err)
		set_state(f, FS_IDLE);
	else
		set_state(f, FS_READY);
	if (done)
		done(f->s, err, arg);
}

static void login_fail(struct ftp *f, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void login_fail(struct ftp *f, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->s->err, sizeof(f->s->err), fmt, ap);
	va_end(ap);
	login_finish(f, err);
}

/* Fail with the server's reply in the reason. */
static void login_fail_reply(struct ftp *f, int err, const char *what,
                             const struct pp_reply *r)
{
	char *esc = reply_esc(r);
	login_fail(f, err, "%s: %d %s", what, r->code, esc);
	free(esc);
}

static void login_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg);

static void login_send(struct ftp *f, enum ftp_state st, const char *line, int mask_from)
{
	struct pp_cmd c = { .done = login_reply, .arg = f, .mask_from = mask_from };

	set_state(f, st);
	int e = pp_send(f->s->pp, line, &c);
	if (e == ERR_USAGE)
		login_fail(f, ERR_USAGE, "line breaks in a login command");
	else if (e < 0)
		login_fail(f, e, "cannot send: %s", pp_error(f->s->pp));
}

/* An anonymous login (no user, or the user anonymous or ftp): nothing
 * secret on the wire, so it may go on in clear under ftp:tls auto. */
static bool ftp_anonymous(const struct session *s)
{
	return !s->user || strcasecmp(s->user, "anonymous") == 0 ||
	       strcasecmp(s->user, "ftp") == 0;
}

static void send_user(struct ftp *f)
{
	const char *user = f->s->user ? f->s->user : "anonymous";
	char *line = xasprintf("USER %s", user);
	login_send(f, FS_USER, line, 0);
	free(line);
}

static void send_pass(struct ftp *f)
{
	const char *pass = f->s->pass;
	if (!pass && !f->s->user)
		pass = "ferry@";
	if (!pass) {
		login_fail(f, ERR_AUTH, "the server wants a password for %s; give it "
		           "in the URL or in ~/.netrc", f->s->user);
		return;
	}
	char *line = xasprintf("PASS %s", pass);
	login_send(f, FS_PASS, line, 5);
	memset(line, 0, strlen(line));
	free(line);
}

static void send_pbsz(struct ftp *f)
{
	login_send(f, FS_PBSZ, "PBSZ 0", 0);
}

/* After the greeting: explicit TLS as the policy says, else log in. */
static void after_greeting(struct ftp *f)
{
	struct session *s = f->s;

	if (conn_is_tls(s->conn))
		send_pbsz(f);        /* implicit TLS: already up */
	else if (s->tls == TLS_IMPLICIT)
		login_fail(f, ERR_TLS, "implicit TLS is not up");
	else if (s->tls == TLS_REQUIRE || s->tls == TLS_AUTO)
		login_send(f, FS_AUTH, "AUTH TLS", 0);
	else
		send_user(f);
}

static void tls_done(struct conn *c, int err, void *arg)
{
	struct ftp *f = arg;

	if (err) {
		login_fail(f, ERR_TLS, "TLS with %s failed: %s", f->s->host, conn_error(c));
		return;
	}
	log_note(f->s->name, "TLS: %s", conn_tls_desc(c));
	send_pbsz(f);
}

static void start_tls(struct ftp *f)
{
	struct session *s = f->s;
	struct tls_params tp;

	set_state(f, FS_HANDSHAKE);
	session_tls_params(s, &tp);
	int e = conn_tls_start(s->conn, &tp, tls_done, f);
	if (e == ERR_PROTO)
		login_fail(f, ERR_PROTO, "server sent data before the TLS handshake "
		           "(reply injection?)");
	else if (e < 0)
		login_fail(f, ERR_TLS, "TLS with %s failed: %s", s->host, conn_error(s->conn));
}

/* Where to go after login: back to the saved directory, else the URL's. */
static void goto_location(struct ftp *f)
{
	struct session *s = f->s;
	const char *dir = NULL;

	f->restoring = false;
	if (f->cwd) {
		dir = f->cwd;
		f->restoring = true;
	} else if (!f->start_done && s->start_path && *s->start_path) {
		dir = s->start_path;
	}
	if (!dir) {
		login_send(f, FS_PWD, "PWD", 0);
		return;
	}
	char *line = xasprintf("CWD %s", dir);
	login_send(f, FS_CWD, line, 0);
	free(line);
}

static void login_step(struct ftp *f, const struct pp_reply *r)
{
	struct session *s = f->s;
	int code = r->code;

	switch (f->state) {
	case FS_GREETING:
		/* RFC 959 5.4: 220 (after any 120), or 421 to refuse; any
		 * other greeting (a 230 that would skip AUTH TLS, say) is a
		 * protocol violation. */
		if (code == 421) {
			login_fail_reply(f, ERR_NET, "server refused the connection", r);
			return;
		}
		if (code != 220) {
			login_fail_reply(f, ERR_PROTO, "unexpected greeting (not 220)", r);
			return;
		}
		after_greeting(f);
		return;
	case FS_AUTH:
		if (code == 234) {
			start_tls(f);
			return;
		}
		if (s->tls == TLS_REQUIRE) {
			login_fail_reply(f, ERR_TLS, "TLS required but the server "
			                 "refused AUTH TLS", r);
			return;
		}
		if (code == 421 || code < 400) {
			login_fail_reply(f, code == 421 ? ERR_NET : ERR_PROTO,
			                 "unexpected reply to AUTH TLS", r);
			return;
		}
		/* ftp:tls auto: no password ever goes out in clear (a server
		 * or a man in the middle refusing AUTH TLS must not get it);
		 * only an anonymous login carries on without TLS. */
		if (!ftp_anonymous(s)) {
			char *esc = reply_esc(r);
			login_fail(f, ERR_TLS, "the server refused AUTH TLS (%d %s), "
			           "so the password is not sent in clear; set ftp:tls "
			           "off to allow that", r->code, esc);
			free(esc);
			return;
		}
		log_note(s->name, "server refused AUTH TLS; continuing without TLS");
		ui_info("ferry: warning: %s: no TLS (AUTH TLS refused); anonymous "
		        "login in clear", s->name);
		send_user(f);
		return;
	case FS_PBSZ:
		if (code / 100 != 2) {
			if (s->tls != TLS_AUTO) {
				login_fail_reply(f, ERR_TLS, "server refused PBSZ", r);
				return;
			}
			log_note(s->name, "PBSZ refused: data connections in clear");
			ui_info("ferry: warning: %s: PBSZ refused; data "
			        "connections in clear", s->name);
			f->prot_p = false;
			send_user(f);
			return;
		}
		login_send(f, FS_PROT, "PROT P", 0);
		return;
	case FS_PROT:
		if (code / 100 == 2) {
			f->prot_p = true;
		} else if (s->tls != TLS_AUTO) {
			login_fail_reply(f, ERR_TLS, "TLS required but the server "
			                 "refused PROT P", r);
			return;
		} else {
			log_note(s->name, "PROT P refused: data connections in clear");
			ui_info("ferry: warning: %s: PROT P refused; data "
			        "connections in clear", s->name);
			f->prot_p = false;
		}
		send_user(f);
		return;
	case FS_USER:
	case FS_PASS:
		if (code == 230 || (f->state == FS_PASS && code == 202)) {
			login_send(f, FS_TYPE, "TYPE I", 0);
			return;
		}
		if (f->state == FS_USER && code == 331) {
			send_pass(f);
			return;
		}
		if (code == 332) {
			login_fail_reply(f, ERR_AUTH, "the server wants an account "
			                 "(ACCT), which ferry does not support", r);
			return;
		}
		if (code == 421 || (code >= 400 && code < 500)) {
			login_fail_reply(f, ERR_NET, "login failed", r);
			return;
		}
		login_fail_reply(f, ERR_AUTH, code == 530 ? "login incorrect" :
		                 "login refused", r);
		return;
	case FS_TYPE:
		if (code / 100 != 2) {
			login_fail_reply(f, ftp_reply_err(code) == ERR_NET ? ERR_NET : ERR_FAIL,
			                 "server refused binary mode (TYPE I)", r);
			return;
		}
		login_send(f, FS_FEAT, "FEAT", 0);
		return;
	case FS_FEAT:
		if (code == 211) {
			ftp_parse_feat(r->text, &f->feat);
			f->feat_known = true;
			log_note(s->name, "features:%s%s%s%s%s",
			         f->feat.epsv ? " EPSV" : "", f->feat.mlst ? " MLST" : "",
			         f->feat.size ? " SIZE" : "", f->feat.mdtm ? " MDTM" : "",
			         f->feat.utf8 ? " UTF8" : "");
		}
		goto_location(f);
		return;
	case FS_CWD:
		if (code / 100 == 2) {
			if (f->restoring) {
				login_finish(f, 0);
				return;
			}
			f->start_done = true;
			login_send(f, FS_PWD, "PWD", 0);
			return;
		}
		if (f->restoring) {
			char *d = ui_escape_str(f->cwd, strlen(f->cwd));
			char *e = reply_esc(r);
			ui_error("%s: cannot return to %s: %d %s", s->name, d, code, e);
			free(d);
			free(e);
			free(f->cwd);
			f->cwd = NULL;
			login_send(f, FS_PWD, "PWD", 0);
			return;
		}
		f->start_done = true; /* reported once; later logins stay home */
		{
			char *d = ui_escape_str(s->start_path, strlen(s->start_path));
			char *e = reply_esc(r);
			int err = ftp_reply_err(code);
			login_fail(f, err ? err : ERR_PROTO, "cd %s: %d %s", d, code, e);
			free(d);
			free(e);
		}
		return;
	case FS_PWD:
		if (code == 257) {
			char *path = NULL;
			if (ftp_parse_257(r->msg, &path) == 0) {
				free(f->cwd);
				f->cwd = path;
			} else {
				log_note(s->name, "malformed PWD reply ignored");
			}
		}
		f->start_done = true;
		login_finish(f, 0);
		return;
	default:
		login_fail(f, ERR_PROTO, "reply in login state %s", state_names[f->state]);
		return;
	}
}

static void login_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp *f = arg;

	if (err) {
		login_fail(f, err, "connection to %s lost during login: %s",
		           f->s->host, pp_error(pp));
		return;
	}
	if (!r->final) {
		/* 120 "ready in nnn minutes" before the 220; other 1xx here
		 * mean nothing: wait for the final reply. */
		return;
	}
	login_step(f, r);
}

/* ==== proto ops ========================================================= */

static void *ftp_init(struct session *s)
{
	struct ftp *f = xcalloc(1, sizeof(*f));
	f->s = s;
	f->state = FS_IDLE;
	return f;
}

static void op_abort(struct ftp_op *op, int err, const char *why);

static void ftp_free(void *pdata)
{
	struct ftp *f = pdata;
	if (!f)
		return;
	if (f->op)
		op_abort(f->op, ERR_NET, "session closed");
	free(f->cwd);
	free(f);
}

static void ftp_login(struct session *s, proto_done_fn done, void *arg)
{
	struct ftp *f = s->pdata;
	struct pp_cmd c = { .done = login_reply, .arg = f };

	f->login_done = done;
	f->login_arg = arg;
	f->prot_p = false;
	f->epsv_refused = false;
	f->feat_known = false;
	memset(&f->feat, 0, sizeof(f->feat));
	set_state(f, FS_GREETING);
	int e = pp_expect(s->pp, &c);
	if (e < 0)
		login_fail(f, e, "cannot read the greeting: %s", pp_error(s->pp));
}

static void ignore_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	(void)pp; (void)err; (void)r; (void)arg;
}

static void ftp_logout(struct session *s)
{
	struct pp_cmd c = { .done = ignore_reply };
	if (s->pp)
		pp_send(s->pp, "QUIT", &c);
}

static void ftp_keepalive(struct session *s)
{
	struct pp_cmd c = { .done = ignore_reply };
	if (s->pp)
		pp_send(s->pp, "NOOP", &c);
}

static const char *ftp_location(struct session *s)
{
	struct ftp *f = s->pdata;
	return f->cwd;
}

static void ftp_disconnected(struct session *s)
{
	struct ftp *f = s->pdata;

	if (f->op)
		op_abort(f->op, ERR_NET, "connection lost");
	f->login_done = NULL;
	f->login_arg = NULL;
	f->prot_p = false;
	f->epsv_refused = false;
	f->feat_known = false;
	set_state(f, FS_IDLE);
}

/* ==== commands: common machinery ======================================= */

struct ftp_op;
typedef void (*step_fn)(struct ftp_op *op, const struct pp_reply *r);
/* Start the work for one operand: 0 when something was sent (a callback
 * follows), or ERR_* (already reported). */
typedef int (*item_fn)(struct ftp_op *op);

struct ftp_op {
	struct cmdctx *ctx;
	struct session *s;
	struct ftp *f;
	step_fn step;         /* handles the final reply of the command sent */
	bool waiting;         /* a reply is due */
	bool show_prelim;     /* quote, site: print 1xx replies too */
	item_fn item;         /* per operand */
	char **args;          /* operands (pointers into ctx->argv) */
	int nargs, idx;
	const char *arg;      /* current operand */
	int err;              /* last failure */

	/* cd, quote, mv */
	char *line;
	bool follow_pwd;
	/* chmod */
	const char *mode;

	/* transfers */
	struct ftp_xfer *x;
	const char *out_opt;  /* -o */
	bool force;           /* -f */
	bool to_stdout;
	int64_t size;
	char *remote;
	bool reget;           /* resume: REST offset */
	bool unverified;      /* reget --unverified: resume without a size */
	int64_t mtime;        /* remote modification time (MDTM), -1 unknown */
	uint64_t streamed;    /* get -o -, cat: bytes to the output */
	struct lfile lf;      /* get: the local end */
	struct lsource src;   /* put: the local file */
	char why[600];        /* failure reason of the local end */
	struct buf lbuf;      /* listing: the partial line */
};

static bool fatal(int err)
{
	return err == ERR_NET || err == ERR_TIMEOUT || err == ERR_EOF ||
	       err == ERR_TOOLONG || err == ERR_INTR || err == ERR_TLS;
}


/* The output cannot take more for now (a slow pipe, a full job log):
 * hold the download feeding it. */
static void op_flow(void *arg, bool pause)
{
	struct ftp_op *op = arg;
	if (op->x)
		ftp_xfer_pause(op->x, pause);
}

static void op_free(struct ftp_op *op)
{
	sink_set_flow(cmd_out(op->ctx), NULL, NULL);
	if (op->f->op == op)
		op->f->op = NULL;
	lfile_clear(&op->lf);
	lsource_clear(&op->src);
	free(op->args);
	free(op->line);
	free(op->remote);
	buf_clear(&op->lbuf);
	free(op);
}

static struct ftp_op *op_new(struct cmdctx *ctx)
{
	struct ftp_op *op = xcalloc(1, sizeof(*op));
	op->ctx = ctx;
	op->s = ctx->sess;
	op->f = ctx->sess->pdata;
	lfile_init(&op->lf, false);
	lsource_clear(&op->src);
	op->size = -1;
	op->mtime = -1;
	buf_init(&op->lbuf, 64 * 1024);
	ctx->op = op;
	sink_set_flow(cmd_out(ctx), op_flow, op);
	return op;
}

static void op_finish(struct ftp_op *op, int err)
{
	struct cmdctx *ctx = op->ctx;
	ctx->cancel = NULL;
	ctx->op = NULL;
	op_free(op);
	cmd_done(ctx, err);
}

/* Print "NAME: NNN text" and return the reply's error code. */
static int op_reply_error(struct ftp_op *op, const char *what, const struct pp_reply *r)
{
	int err = ftp_reply_err(r->code);
	if (!err)
		err = ERR_PROTO; /* a positive reply where another was due */
	char *esc = reply_esc(r);
	cmd_error(op->ctx, err, "%s: %d %s", what, r->code, esc);
	free(esc);
	return err;
}

static void op_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_op *op = arg;

	if (err) {
		op->waiting = false;
		cmd_error(op->ctx, err, "%s", pp_error(pp)[0] ? pp_error(pp) : err_str(err));
		op_finish(op, err);
		return;
	}
	if (!r->final) {
		if (op->show_prelim)
			cmd_data_line(op->ctx, r->text, r->len);
		return;
	}
	op->waiting = false;
	op->step(op, r);
}

/* Send a line whose final reply goes to step.  0 or ERR_* (reported). */
static int op_send(struct ftp_op *op, step_fn step, const char *line, int mask_from)
{
	struct pp_cmd c = { .done = op_reply, .arg = op, .mask_from = mask_from };
	struct pp *pp = op->s->pp;

	if (!ftp_arg_ok(line))
		return cmd_error(op->ctx, ERR_USAGE, "line breaks are not allowed");
	if (!pp || pp_failed(pp))
		return cmd_error(op->ctx, ERR_NET, "not connected");
	int e = pp_send(pp, line, &c);
	if (e < 0)
		return cmd_error(op->ctx, e, "cannot send: %s", pp_error(pp));
	op->step = step;
	op->waiting = true;
	return 0;
}

static int op_sendf(struct ftp_op *op, step_fn step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int op_sendf(struct ftp_op *op, step_fn step, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *line = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(line, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int r = op_send(op, step, line, 0);
	free(line);
	return r;
}

/* Run items until one is pending.  CMD_PENDING, or the final status. */
static int op_advance(struct ftp_op *op)
{
	while (op->idx < op->nargs) {
		if (op->err && fatal(op->err))
			break;
		op->arg = op->args[op->idx++];
		int r = op->item(op);
		if (r == 0)
			return CMD_PENDING;
		op->err = r;
	}
	return op->err;
}

/* An item finished (from a callback): record and go on. */
static void op_item_done(struct ftp_op *op, int err)
{
	if (err)
		op->err = err;
	int r = op_advance(op);
	if (r != CMD_PENDING)
		op_finish(op, r);
}

static void op_cancel(struct cmdctx *ctx)
{
	struct ftp_op *op = ctx->op;
	if (!op)
		return;
	op_abort(op, ERR_INTR, NULL);
}

/* Stop now: Ctrl-C, connection lost, session closed.  The reply still
 * due is discarded by pp when it comes (the session stays in step). */
static void op_abort(struct ftp_op *op, int err, const char *why)
{
	struct pp *pp = op->s->pp;

	op->f->op = NULL;
	if (op->x) {
		ftp_xfer_abort(op->x);
		op->x = NULL;
	} else if (op->waiting && pp && !pp_failed(pp)) {
		pp_cancel_all(pp);
	}
	op->waiting = false;
	lfile_discard(&op->lf);
	lsource_clear(&op->src);
	if (why)
		cmd_error(op->ctx, err, "%s", why);
	op_finish(op, err);
}

/* Set up an op over the operands argv[first..] and start it from run(). */
static int op_run(struct ftp_op *op, int first, item_fn item)
{
	struct cmdctx *ctx = op->ctx;
	if (!op->args) {
		op->args = xcalloc((size_t)ctx->argc + 1, sizeof(char *));
		for (int i = first; i < ctx->argc; i++)
			op->args[op->nargs++] = ctx->argv[i];
	}
	op->item = item;
	op->f->op = op;
	ctx->cancel = op_cancel;
	int r = op_advance(op);
	if (r != CMD_PENDING) {
		ctx->cancel = NULL;
		ctx->op = NULL;
		op_free(op);
	}
	return r;
}

/* Refuse CR/LF before anything is sent (pp_send checks again). */
static int check_args(struct cmdctx *ctx, int first)
{
	for (int i = first; i < ctx->argc; i++)
		if (!ftp_arg_ok(ctx->argv[i]))
			return cmd_error(ctx, ERR_USAGE, "line breaks are not allowed in arguments");
	return 0;
}

/* A simple command with operands: each operand is one command line. */
static int simple_run(struct cmdctx *ctx, int first, item_fn item)
{
	int r = check_args(ctx, first);
	if (r < 0)
		return r;
	return op_run(op_new(ctx), first, item);
}

/* Start an op of one command line from run(): CMD_PENDING, or ERR_*
 * (reported; op freed). */
static int op_start1(struct ftp_op *op, step_fn step, const char *line, int mask_from)
{
	struct cmdctx *ctx = op->ctx;

	op->f->op = op;
	ctx->cancel = op_cancel;
	int r = op_send(op, step, line, mask_from);
	if (r < 0) {
		ctx->cancel = NULL;
		ctx->op = NULL;
		op_free(op);
		return r;
	}
	return CMD_PENDING;
}

/* Escaped copy of a user-typed name for output (caller frees). */
static char *esc_str(const char *s)
{
	return ui_escape_str(s, strlen(s));
}

/* ==== pwd, cd, cdup ====================================================== */

/* Path for when PWD does not tell: dir relative to the known cwd. */
static char *join_path(const char *cwd, const char *dir)
{
	if (dir[0] == '/')
		return xstrdup(dir);
	if (!cwd)
		return NULL;
	size_t n = strlen(cwd);
	return xasprintf("%s%s%s", cwd, n && cwd[n - 1] == '/' ? "" : "/", dir);
}

static void set_cwd(struct ftp *f, char *path)
{
	if (!path)
		return;
	free(f->cwd);
	f->cwd = path;
}

/* The PWD reply: 257 with a quoted path. */
static int learn_pwd(struct ftp_op *op, const struct pp_reply *r, bool print)
{
	char *path = NULL;

	if (r->code != 257)
		return op_reply_error(op, "PWD", r);
	if (ftp_parse_257(r->msg, &path) < 0) {
		char *esc = reply_esc(r);
		cmd_error(op->ctx, ERR_PROTO, "malformed reply to PWD: %d %s", r->code, esc);
		free(esc);
		return ERR_PROTO;
	}
	set_cwd(op->f, path);
	if (print)
		cmd_data_line(op->ctx, path, strlen(path));
	return 0;
}

static void pwd_reply(struct ftp_op *op, const struct pp_reply *r)
{
	op_finish(op, learn_pwd(op, r, true));
}

static int do_pwd(struct cmdctx *ctx)
{
	return op_start1(op_new(ctx), pwd_reply, "PWD", 0);
}

static void cd_pwd_reply(struct ftp_op *op, const struct pp_reply *r)
{
	if (r->code != 257) {
		/* No PWD here: keep our own idea of the path. */
		set_cwd(op->f, op->line);
		op->line = NULL;
		op_finish(op, 0);
		return;
	}
	int err = learn_pwd(op, r, false);
	if (err) {
		set_cwd(op->f, op->line);
		op->line = NULL;
	}
	op_finish(op, err);
}

static void cd_reply(struct ftp_op *op, const struct pp_reply *r)
{
	if (r->code / 100 != 2) {
		char *d = esc_str(op->arg);
		op_finish(op, op_reply_error(op, d, r));
		free(d);
		return;
	}
	int e = op_send(op, cd_pwd_reply, "PWD", 0);
	if (e < 0) {
		set_cwd(op->f, op->line);
		op->line = NULL;
		op_finish(op, e);
	}
}

/* CWD/CDUP, then PWD to learn the real path; op->line keeps our own idea
 * of it for servers whose PWD does not answer. */
static int cd_start(struct cmdctx *ctx, const char *cmdline, const char *dir)
{
	int r = check_args(ctx, 1);
	if (r < 0)
		return r;
	struct ftp_op *op = op_new(ctx);
	op->arg = dir;
	op->line = join_path(op->f->cwd, dir);
	return op_start1(op, cd_reply, cmdline, 0);
}

static int do_cd(struct cmdctx *ctx)
{
	const char *dir = ctx->argv[1];
	if (!*dir)
		return cmd_error(ctx, ERR_USAGE, "empty directory name");
	if (!ftp_arg_ok(dir))
		return cmd_error(ctx, ERR_USAGE, "line breaks are not allowed in arguments");
	char *line = xasprintf("CWD %s", dir);
	int r = cd_start(ctx, line, dir);
	free(line);
	return r;
}

static int do_cdup(struct cmdctx *ctx)
{
	return cd_start(ctx, "CDUP", "..");
}

/* ==== simple commands with operands ===================================== */

static void plain_reply(struct ftp_op *op, const struct pp_reply *r)
{
	int err = 0;
	if (r->code / 100 != 2) {
		char *d = esc_str(op->arg);
		err = op_reply_error(op, d, r);
		free(d);
	}
	op_item_done(op, err);
}

static int rm_item(struct ftp_op *op)
{
	return op_sendf(op, plain_reply, "DELE %s", op->arg);
}

static int do_rm(struct cmdctx *ctx)
{
	return simple_run(ctx, 1, rm_item);
}

static int mkdir_item(struct ftp_op *op)
{
	return op_sendf(op, plain_reply, "MKD %s", op->arg);
}

static int do_mkdir(struct cmdctx *ctx)
{
	return simple_run(ctx, 1, mkdir_item);
}

static int rmdir_item(struct ftp_op *op)
{
	return op_sendf(op, plain_reply, "RMD %s", op->arg);
}

static int do_rmdir(struct cmdctx *ctx)
{
	return simple_run(ctx, 1, rmdir_item);
}

static int chmod_item(struct ftp_op *op)
{
	return op_sendf(op, plain_reply, "SITE CHMOD %s %s", op->mode, op->arg);
}

static int do_chmod(struct cmdctx *ctx)
{
	const char *mode = ctx->argv[1];
	size_t n = strlen(mode);
	if (n < 1 || n > 4 || strspn(mode, "01234567") != n)
		return cmd_error(ctx, ERR_USAGE, "MODE must be octal, e.g. 644");
	int r = check_args(ctx, 2);
	if (r < 0)
		return r;
	struct ftp_op *op = op_new(ctx);
	op->mode = mode;
	return op_run(op, 2, chmod_item);
}

static void size_reply(struct ftp_op *op, const struct pp_reply *r)
{
	uint64_t size;
	char *d = esc_str(op->arg);
	int err = 0;

	if (r->code != 213) {
		err = op_reply_error(op, d, r);
	} else if (ftp_parse_size(r->msg, &size) < 0) {
		char *esc = reply_esc(r);
		err = cmd_error(op->ctx, ERR_PROTO, "%s: malformed SIZE reply: %s", d, esc);
		free(esc);
	} else {
		cmd_printf(op->ctx, "%s\t%" PRIu64, d, size);
	}
	free(d);
	op_item_done(op, err);
}

static int size_item(struct ftp_op *op)
{
	return op_sendf(op, size_reply, "SIZE %s", op->arg);
}

static int do_size(struct cmdctx *ctx)
{
	return simple_run(ctx, 1, size_item);
}

static void mdtm_reply(struct ftp_op *op, const struct pp_reply *r)
{
	int64_t t;
	char *d = esc_str(op->arg);
	int err = 0;

	if (r->code != 213) {
		err = op_reply_error(op, d, r);
	} else if (ftp_parse_mdtm(r->msg, &t) < 0) {
		char *esc = reply_esc(r);
		err = cmd_error(op->ctx, ERR_PROTO, "%s: malformed MDTM reply: %s", d, esc);
		free(esc);
	} else {
		time_t tt = (time_t)t;
		struct tm tm;
		char when[64];
		gmtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		cmd_printf(op->ctx, "%s\t%s", d, when);
	}
	free(d);
	op_item_done(op, err);
}

static int mdtm_item(struct ftp_op *op)
{
	return op_sendf(op, mdtm_reply, "MDTM %s", op->arg);
}

static int do_mdtm(struct cmdctx *ctx)
{
	return simple_run(ctx, 1, mdtm_item);
}

/* mv FROM TO: RNFR, 350, RNTO. */
static void rnto_reply(struct ftp_op *op, const struct pp_reply *r)
{
	int err = 0;
	if (r->code / 100 != 2) {
		char *d = esc_str(op->ctx->argv[2]);
		err = op_reply_error(op, d, r);
		free(d);
	}
	op_finish(op, err);
}

static void rnfr_reply(struct ftp_op *op, const struct pp_reply *r)
{
	if (r->code != 350) {
		char *d = esc_str(op->ctx->argv[1]);
		op_finish(op, op_reply_error(op, d, r));
		free(d);
		return;
	}
	int e = op_sendf(op, rnto_reply, "RNTO %s", op->ctx->argv[2]);
	if (e < 0)
		op_finish(op, e);
}

static int mv_item(struct ftp_op *op)
{
	return op_sendf(op, rnfr_reply, "RNFR %s", op->arg);
}

static int do_mv(struct cmdctx *ctx)
{
	int r = check_args(ctx, 1);
	if (r < 0)
		return r;
	struct ftp_op *op = op_new(ctx);
	op->args = xcalloc(2, sizeof(char *));
	op->args[0] = ctx->argv[1];
	op->nargs = 1;
	return op_run(op, 1, mv_item);
}

/* ==== quote, site, feat ================================================ */

static bool starts_word(const char *line, const char *word)
{
	size_t n = strlen(word);
	return strncasecmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\0');
}

static void pwd_sync_reply(struct ftp_op *op, const struct pp_reply *r)
{
	char *path = NULL;
	if (r->code == 257 && ftp_parse_257(r->msg, &path) == 0)
		set_cwd(op->f, path);
	op_finish(op, op->err);
}

static void quote_reply(struct ftp_op *op, const struct pp_reply *r)
{
	cmd_data_line(op->ctx, r->text, r->len);
	if (r->code >= 400) {
		int err = ftp_reply_err(r->code);
		op_finish(op, cmd_error(op->ctx, err, "server replied %d", r->code));
		return;
	}
	/* A directory change by hand: learn the new place for the prompt
	 * and for reconnecting. */
	if (op->follow_pwd && r->code / 100 == 2) {
		op->show_prelim = false;
		if (op_send(op, pwd_sync_reply, "PWD", 0) == 0)
			return;
	}
	/* QUIT by hand: the server closes; reconnect on next use instead of
	 * racing the next command against its EOF. */
	if (starts_word(op->line, "QUIT") && r->code == 221) {
		struct session *s = op->s;
		op_finish(op, 0);
		session_drop(s, "QUIT sent by quote");
		return;
	}
	op_finish(op, 0);
}

static int quote_start(struct cmdctx *ctx, const char *prefix)
{
	struct buf b;
	buf_init(&b, PP_MAX_LINE);
	if (prefix)
		buf_appendstr(&b, prefix);
	for (int i = 1; i < ctx->argc; i++) {
		if ((i > 1 || prefix) && buf_append(&b, " ", 1) < 0)
			break;
		if (buf_appendstr(&b, ctx->argv[i]) < 0)
			break;
	}
	/* A NUL cannot come through argv; CR and LF can. */
	if (buf_avail(&b) >= PP_MAX_LINE - 2) {
		buf_clear(&b);
		return cmd_error(ctx, ERR_USAGE, "line too long");
	}
	char *line = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	if (!ftp_arg_ok(line)) {
		free(line);
		return cmd_error(ctx, ERR_USAGE, "CR and LF are not allowed in the line");
	}
	/* Commands that change the session's security (AUTH, PROT, CCC...)
	 * or put it out of step with ferry's idea of it (a data port, a
	 * restart offset, REIN) would be silently undone or, worse, kept:
	 * ferry does those itself or not at all. */
	static const char *const refused[] = {
		"AUTH", "ADAT", "PBSZ", "PROT", "CCC", "REIN", "PASV", "EPSV",
		"LPSV", "PORT", "EPRT", "LPRT", "REST", NULL,
	};
	for (int i = 0; !prefix && refused[i]; i++)
		if (starts_word(line, refused[i])) {
			free(line);
			return cmd_error(ctx, ERR_USAGE, "%s changes the session's "
			                 "security or state behind ferry's back; not "
			                 "available through quote", refused[i]);
		}
	struct ftp_op *op = op_new(ctx);
	op->line = line;
	op->show_prelim = true;
	op->follow_pwd = starts_word(line, "CWD") || starts_word(line, "CDUP") ||
	                 starts_word(line, "XCWD") || starts_word(line, "XCUP");
	return op_start1(op, quote_reply, line, starts_word(line, "PASS") ? 5 : 0);
}

static int do_quote(struct cmdctx *ctx)
{
	return quote_start(ctx, NULL);
}

static int do_site(struct cmdctx *ctx)
{
	return quote_start(ctx, "SITE");
}

static void feat_reply(struct ftp_op *op, const struct pp_reply *r)
{
	cmd_data_line(op->ctx, r->text, r->len);
	if (r->code != 211) {
		int err = ftp_reply_err(r->code);
		op_finish(op, cmd_error(op->ctx, err ? err : ERR_FAIL,
		                        "server replied %d", r->code));
		return;
	}
	ftp_parse_feat(r->text, &op->f->feat);
	op->f->feat_known = true;
	op_finish(op, 0);
}

static int do_feat(struct cmdctx *ctx)
{
	return op_start1(op_new(ctx), feat_reply, "FEAT", 0);
}

/* ==== ls, dir, nlist ==================================================== */

/* One listing line, the CR before its LF removed (ASCII type: lines end
 * the local way). */
static int list_emit(struct ftp_op *op, const char *p, size_t n)
{
	if (n && p[n - 1] == '\r')
		n--;
	return cmd_data_line(op->ctx, p, n);
}

static int list_data(void *arg, const char *p, size_t n)
{
	struct ftp_op *op = arg;
	int r = 0;

	while (n && !r) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (buf_append(&op->lbuf, p, take) < 0) {
			/* A line longer than the buffer: show what we have. */
			r = cmd_data(op->ctx, buf_peek(&op->lbuf), buf_avail(&op->lbuf));
			buf_reset(&op->lbuf);
			if (!r && buf_append(&op->lbuf, p, take) < 0)
				r = cmd_data(op->ctx, p, take);
		}
		if (!nl || r)
			break;
		r = list_emit(op, buf_peek(&op->lbuf), buf_avail(&op->lbuf));
		buf_reset(&op->lbuf);
		p += take + 1;
		n -= take + 1;
	}
	return r;
}

static void list_done(void *arg, int err, const char *why)
{
	struct ftp_op *op = arg;

	op->x = NULL;
	if (buf_avail(&op->lbuf) && !err)
		err = list_emit(op, buf_peek(&op->lbuf), buf_avail(&op->lbuf));
	buf_reset(&op->lbuf);
	if (!err)
		err = sink_error(cmd_out(op->ctx));
	if (err)
		cmd_error(op->ctx, err, "%s", why && *why ? why : sink_why(cmd_out(op->ctx)));
	op_finish(op, err);
}

static const struct ftp_xfer_ops list_ops = {
	.data = list_data,
	.done = list_done,
};

static int list_start(struct cmdctx *ctx, const char *verb)
{
	int r = check_args(ctx, 1);
	if (r < 0)
		return r;
	struct buf b;
	buf_init(&b, PP_MAX_LINE);
	buf_appendstr(&b, verb);
	for (int i = 1; i < ctx->argc; i++) {
		if (buf_append(&b, " ", 1) < 0 || buf_appendstr(&b, ctx->argv[i]) < 0) {
			buf_clear(&b);
			return cmd_error(ctx, ERR_USAGE, "arguments too long");
		}
	}
	char *line = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);

	struct ftp_op *op = op_new(ctx);
	r = ftp_xfer_start(op->s, line, XFER_DOWN, -1, 0, &list_ops, op, &op->x);
	free(line);
	if (r < 0) {
		ctx->op = NULL;
		op_free(op);
		return cmd_error(ctx, r, "%s", err_str(r));
	}
	op->f->op = op;
	ctx->cancel = op_cancel;
	return CMD_PENDING;
}

static int do_ls(struct cmdctx *ctx)
{
	return list_start(ctx, "LIST");
}

static int do_nlist(struct cmdctx *ctx)
{
	return list_start(ctx, "NLST");
}

/* ==== get, cat ========================================================= */

static bool clobber(struct ftp_op *op)
{
	return op->force || config_bool(op->s->cfg, "xfer:clobber");
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

static int get_data(void *arg, const char *p, size_t n)
{
	struct ftp_op *op = arg;
	uint64_t written = op->to_stdout ? op->streamed : op->lf.written;
	uint64_t offset = op->to_stdout ? 0 : op->lf.offset;

	/* What SIZE (less the REST offset) or the 150 reply said is due. */
	int64_t left = op->x ? ftp_xfer_size(op->x) : -1;
	if (left >= 0 && written + n > (uint64_t)left) {
		/* More than the file has left: a server that ignored REST
		 * sends from the start.  Undo what this transfer appended. */
		if (offset > 0 && op->lf.fd >= 0 && ftruncate(op->lf.fd, (off_t)offset) == 0)
			op->lf.written = 0;
		snprintf(op->why, sizeof(op->why), "the server sent more than the "
		         "%" PRId64 " bytes %s%s", left,
		         offset ? "left of the file" : "it announced",
		         offset ? " (REST ignored?); local file left as it was" : "");
		return ERR_PROTO;
	}
	int r;
	if (op->to_stdout) {
		r = cmd_data(op->ctx, p, n);
		if (r < 0)
			snprintf(op->why, sizeof(op->why), "%s", sink_why(cmd_out(op->ctx)));
		else
			op->streamed += n;
		op->ctx->bytes = op->streamed;
	} else {
		r = lfile_write(&op->lf, p, n);
		if (r < 0)
			snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
		op->ctx->bytes = op->lf.offset + op->lf.written;
	}
	op->ctx->total = op->size;
	return r;
}

static void get_item_end(struct ftp_op *op, int err)
{
	free(op->remote);
	op->remote = NULL;
	lfile_clear(&op->lf);
	op->streamed = 0;
	op->size = -1;
	op->mtime = -1;
	op->why[0] = '\0';
	op_item_done(op, err);
}

static void get_done(void *arg, int err, const char *why)
{
	struct ftp_op *op = arg;

	op->x = NULL;
	int e = lfile_close(&op->lf);
	if (!err && e < 0) {
		err = e;
		snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
	}
	if (!err && (e = lfile_commit(&op->lf)) < 0) {
		err = e;
		snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
	}
	if (err) {
		char *r = esc_str(op->remote);
		cmd_error(op->ctx, err, "%s: %s", r, op->why[0] ? op->why : why);
		free(r);
		lfile_discard(&op->lf);
	} else if (!op->to_stdout) {
		char *l = esc_str(op->lf.path);
		if (op->lf.offset)
			ui_info("%s: %" PRIu64 " bytes (resumed at %" PRIu64 ")", l,
			        op->lf.written, op->lf.offset);
		else
			ui_info("%s: %" PRIu64 " bytes", l, op->lf.written);
		free(l);
	}
	get_item_end(op, err);
}

static const struct ftp_xfer_ops get_ops = {
	.start = get_start,
	.data = get_data,
	.done = get_done,
};

/* Start the RETR; 0, or ERR_* (reported). */
static int get_retr(struct ftp_op *op)
{
	char *line = xasprintf("RETR %s", op->remote);
	int64_t left = op->size >= 0 ? op->size - (int64_t)op->lf.offset : -1;
	int r = ftp_xfer_start(op->s, line, XFER_DOWN, left, op->lf.offset, &get_ops,
	                       op, &op->x);
	free(line);
	if (r < 0) {
		char *d = esc_str(op->remote);
		cmd_error(op->ctx, r, "%s: %s", d, err_str(r));
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
	char *l = esc_str(op->lf.path);
	int err = 0;

	if (!offset) {
		/* nothing here yet: a plain download */
	} else if (op->size < 0 && !op->unverified) {
		err = cmd_error(op->ctx, ERR_FAIL, "%s: the server does not tell the "
		                "remote size (SIZE), so the resume cannot be checked; "
		                "reget --unverified resumes anyway", l);
	} else if (op->lf.resume_part && lfile_meta(&op->lf, &msize, &mtime) == 0 &&
	           ((msize >= 0 && op->size >= 0 && msize != op->size) ||
	            (mtime >= 0 && op->mtime >= 0 && mtime != op->mtime))) {
		err = cmd_error(op->ctx, ERR_FAIL, "%s: the remote file changed since "
		                "%s.part began (%s); get -f starts over", l, l,
		                msize != op->size ? "size" : "modification time");
	} else if (op->size >= 0 && offset > (uint64_t)op->size) {
		err = cmd_error(op->ctx, ERR_LOCAL, "%s: the local file (%" PRIu64
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
			char *l = esc_str(op->lf.path);
			if ((e = lfile_commit(&op->lf)) < 0)
				cmd_error(op->ctx, e, "%s", op->lf.why);
			else
				ui_info("%s: already complete (%" PRIu64 " bytes)", l, op->lf.offset);
			free(l);
			get_item_end(op, e);
			return;
		}
	}
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
		get_item_end(op, op_reply_error(op, "MDTM", r));
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
			char *d = esc_str(op->remote);
			char *esc = reply_esc(r);
			cmd_error(op->ctx, ERR_PROTO, "%s: malformed SIZE reply: %s", d, esc);
			free(d);
			free(esc);
			get_item_end(op, ERR_PROTO);
			return;
		}
		op->size = (int64_t)size;
	} else if (r->code == 421) {
		get_item_end(op, op_reply_error(op, "SIZE", r));
		return;
	}
	if (want_mdtm(op)) {
		int e = op_sendf(op, get_mdtm_reply, "MDTM %s", op->remote);
		if (e < 0)
			get_item_end(op, e);
		return;
	}
	get_sized(op);
}

/* Decide the local target of op->arg; 0 or ERR_* (reported). */
static int get_target(struct ftp_op *op)
{
	char *base = NULL, *local;
	struct stat st;

	op->remote = xstrdup(op->arg);
	if (op->to_stdout)
		return 0;
	if (ftp_local_name(op->remote, &base) < 0) {
		char *d = esc_str(op->remote);
		cmd_error(op->ctx, ERR_USAGE, "%s: no file name to save under (use -o)", d);
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
		cmd_error(op->ctx, err, "%s", op->lf.why);
	return err;
}

static int get_item(struct ftp_op *op)
{
	int err = get_target(op);
	if (!err) {
		/* The size first, so a cut transfer can be told from a
		 * whole one. */
		if (!op->f->feat_known || op->f->feat.size)
			err = op_sendf(op, get_size_reply, "SIZE %s", op->remote);
		else if (want_mdtm(op))
			err = op_sendf(op, get_mdtm_reply, "MDTM %s", op->remote);
		else if (!(err = resuming(op) ? resume_check(op) : 0))
			err = get_retr(op);
	}
	if (err) {
		free(op->remote);
		op->remote = NULL;
		lfile_clear(&op->lf);
	}
	return err;
}

static int get_run(struct cmdctx *ctx, bool reget)
{
	struct ftp_op *op = op_new(ctx);
	op->reget = reget;
	op->args = xcalloc((size_t)ctx->argc + 1, sizeof(char *));
	bool opts = true;
	int r;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && strcmp(a, "-o") == 0) {
			if (++i >= ctx->argc) {
				r = cmd_error(ctx, ERR_USAGE, "-o needs a file name");
				goto fail;
			}
			op->out_opt = ctx->argv[i];
		} else if (opts && strcmp(a, "-f") == 0) {
			op->force = true;
		} else if (opts && reget && strcmp(a, "--unverified") == 0) {
			op->unverified = true;
		} else if (opts && a[0] == '-' && a[1]) {
			r = cmd_error(ctx, ERR_USAGE, "unknown option %s (use -- before "
			              "names starting with -)", a);
			goto fail;
		} else {
			op->args[op->nargs++] = ctx->argv[i];
		}
	}
	if (!op->nargs) {
		r = cmd_error(ctx, ERR_USAGE, "usage: %s REMOTE... [-o LOCAL] [-f]%s",
		              reget ? "reget" : "get", reget ? " [--unverified]" : "");
		goto fail;
	}
	r = check_args(ctx, 1);
	if (r < 0)
		goto fail;
	if (op->out_opt && strcmp(op->out_opt, "-") == 0) {
		if (reget) {
			r = cmd_error(ctx, ERR_USAGE, "reget cannot resume standard output");
			goto fail;
		}
		op->to_stdout = true;
	} else if (op->out_opt && op->nargs > 1) {
		struct stat st;
		if (stat(op->out_opt, &st) < 0 || !S_ISDIR(st.st_mode)) {
			r = cmd_error(ctx, ERR_USAGE, "-o with several files needs a "
			              "directory or -");
			goto fail;
		}
	}
	return op_run(op, 1, get_item);
fail:
	ctx->op = NULL;
	op_free(op);
	return r;
}

static int do_get(struct cmdctx *ctx)
{
	return get_run(ctx, false);
}

static int do_reget(struct cmdctx *ctx)
{
	return get_run(ctx, true);
}

static int do_cat(struct cmdctx *ctx)
{
	int r = check_args(ctx, 1);
	if (r < 0)
		return r;
	struct ftp_op *op = op_new(ctx);
	op->to_stdout = true;
	return op_run(op, 1, get_item);
}

/* ==== put ============================================================== */

static ssize_t put_fill(void *arg, char *p, size_t cap)
{
	struct ftp_op *op = arg;
	ssize_t n = lsource_read(&op->src, p, cap);
	if (n < 0) {
		snprintf(op->why, sizeof(op->why), "%s", op->src.why);
		return n;
	}
	op->streamed += (uint64_t)n;
	op->ctx->bytes = op->streamed;
	return n;
}

static void put_item_end(struct ftp_op *op, int err)
{
	lsource_clear(&op->src);
	free(op->remote);
	op->remote = NULL;
	op->streamed = 0;
	op->size = -1;
	op->why[0] = '\0';
	op_item_done(op, err);
}

/* After the upload: the server's SIZE must match what was sent. */
static void put_size_reply(struct ftp_op *op, const struct pp_reply *r)
{
	uint64_t size;
	int err = 0;

	if (r->code == 213 && ftp_parse_size(r->msg, &size) == 0 &&
	    size != op->streamed) {
		char *d = esc_str(op->remote);
		err = cmd_error(op->ctx, ERR_PROTO, "%s: upload incomplete: the server "
		                "has %" PRIu64 " of %" PRIu64 " bytes", d, size, op->streamed);
		free(d);
	} else {
		char *l = esc_str(op->src.path);
		ui_info("%s: %" PRIu64 " bytes sent", l, op->streamed);
		free(l);
	}
	put_item_end(op, err);
}

static void put_done(void *arg, int err, const char *why)
{
	struct ftp_op *op = arg;

	op->x = NULL;
	if (err) {
		char *d = esc_str(op->src.path);
		cmd_error(op->ctx, err, "%s: %s", d, op->why[0] ? op->why : why);
		free(d);
		put_item_end(op, err);
		return;
	}
	if (!op->f->feat_known || op->f->feat.size) {
		if (op_sendf(op, put_size_reply, "SIZE %s", op->remote) == 0)
			return;
	}
	put_item_end(op, 0);
}

static const struct ftp_xfer_ops put_ops = {
	.fill = put_fill,
	.done = put_done,
};

static int put_item(struct ftp_op *op)
{
	char *l = esc_str(op->arg);
	int err = lsource_open(&op->src, op->arg);

	if (err) {
		cmd_error(op->ctx, err, "%s", op->src.why);
		goto out;
	}
	op->ctx->total = (int64_t)op->src.size;
	if (op->out_opt) {
		op->remote = xstrdup(op->out_opt);
	} else if (ftp_local_name(op->src.path, &op->remote) < 0) {
		err = cmd_error(op->ctx, ERR_USAGE, "%s: no file name to store under "
		                "(use -o)", l);
		goto out;
	}
	char *line = xasprintf("STOR %s", op->remote);
	err = ftp_xfer_start(op->s, line, XFER_UP, -1, 0, &put_ops, op, &op->x);
	free(line);
	if (err < 0)
		cmd_error(op->ctx, err, "%s: %s", l, err_str(err));
out:
	free(l);
	if (err) {
		lsource_clear(&op->src);
		free(op->remote);
		op->remote = NULL;
	}
	return err;
}

static int do_put(struct cmdctx *ctx)
{
	struct ftp_op *op = op_new(ctx);
	op->args = xcalloc((size_t)ctx->argc + 1, sizeof(char *));
	bool opts = true;
	int r;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && strcmp(a, "-o") == 0) {
			if (++i >= ctx->argc) {
				r = cmd_error(ctx, ERR_USAGE, "-o needs a remote name");
				goto fail;
			}
			op->out_opt = ctx->argv[i];
		} else if (opts && a[0] == '-' && a[1]) {
			r = cmd_error(ctx, ERR_USAGE, "unknown option %s (use -- before "
			              "names starting with -)", a);
			goto fail;
		} else {
			op->args[op->nargs++] = ctx->argv[i];
		}
	}
	if (!op->nargs) {
		r = cmd_error(ctx, ERR_USAGE, "usage: put LOCAL... [-o REMOTE]");
		goto fail;
	}
	if (op->out_opt && op->nargs > 1) {
		r = cmd_error(ctx, ERR_USAGE, "-o takes one file");
		goto fail;
	}
	if (op->out_opt && (!*op->out_opt || !ftp_arg_ok(op->out_opt))) {
		r = cmd_error(ctx, ERR_USAGE, "bad remote name");
		goto fail;
	}
	r = check_args(ctx, 1);
	if (r < 0)
		goto fail;
	return op_run(op, 1, put_item);
fail:
	ctx->op = NULL;
	op_free(op);
	return r;
}

/* ==== the descriptor ================================================== */

static const struct cmd_def ftp_cmds[] = {
	{ "ls", "[ARGS...]", "list the remote directory (LIST), as the server sends it",
	  "r", 0, -1, do_ls },
	{ "dir", "[ARGS...]", "same as ls", "r", 0, -1, do_ls },
	{ "nlist", "[ARGS...]", "list remote names only (NLST)", "r", 0, -1, do_nlist },
	{ "cd", "DIR", "change the remote directory", "r", 1, 1, do_cd },
	{ "cdup", "", "go to the parent remote directory", "-", 0, 0, do_cdup },
	{ "pwd", "", "print the remote directory", "-", 0, 0, do_pwd },
	{ "get", "REMOTE... [-o LOCAL] [-f]", "download files (-o - : standard output; "
	  "-f: overwrite)", "r", 1, -1, do_get },
	{ "reget", "REMOTE... [-o LOCAL] [-f] [--unverified]", "resume downloads "
	  "(NAME.part, or a shorter NAME) with REST, checked against the remote "
	  "size", "r", 1, -1, do_reget },
	{ "put", "LOCAL... [-o REMOTE]", "upload files", "l", 1, -1, do_put },
	{ "cat", "REMOTE...", "print remote files", "r", 1, -1, do_cat },
	{ "size", "REMOTE...", "print the size of remote files", "r", 1, -1, do_size },
	{ "mdtm", "REMOTE...", "print the modification time of remote files",
	  "r", 1, -1, do_mdtm },
	{ "mkdir", "DIR...", "make remote directories", "r", 1, -1, do_mkdir },
	{ "rmdir", "DIR...", "remove remote directories", "r", 1, -1, do_rmdir },
	{ "rm", "FILE...", "remove remote files", "r", 1, -1, do_rm },
	{ "mv", "FROM TO", "rename a remote file", "r", 2, 2, do_mv },
	{ "chmod", "MODE FILE...", "change permissions (SITE CHMOD)", "-r", 2, -1, do_chmod },
	{ "feat", "", "show the server's features (FEAT)", "-", 0, 0, do_feat },
	{ "site", "ARGS...", "send a SITE command and show the reply", "-", 1, -1, do_site },
	{ "quote", "LINE...", "send one raw command line and show the whole reply",
	  "-", 1, -1, do_quote },
};

static const struct proto_scheme ftp_schemes[] = {
	{ "ftp", 21, TLS_AUTO },
	{ "ftpes", 21, TLS_REQUIRE },
	{ "ftps", 990, TLS_IMPLICIT },
	{ NULL, 0, TLS_AUTO },
};

/* ---- a session's other connections ------------------------------------ */

static void ftp_set_location(struct session *s, const char *loc)
{
	struct ftp *f = s->pdata;
	free(f->cwd);
	f->cwd = xstrdup(loc);
}

struct reloc {
	struct session *s;
	char *dir;
	proto_done_fn done;
	void *arg;
};

static void reloc_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct reloc *rl = arg;
	struct session *s = rl->s;
	(void)pp;
	if (!err && r->code / 100 == 2) {
		set_cwd(s->pdata, rl->dir);
		rl->dir = NULL;
	} else if (!err) {
		char *d = ui_escape_str(rl->dir, strlen(rl->dir));
		char *e = reply_esc(r);
		err = ftp_reply_err(r->code);
		session_fail(s, err ? err : ERR_PROTO, "cannot go to %s: %d %s", d, r->code, e);
		err = err ? err : ERR_PROTO;
		free(d);
		free(e);
	} else {
		session_fail(s, err, "%s", pp_error(s->pp));
	}
	proto_done_fn done = rl->done;
	void *darg = rl->arg;
	free(rl->dir);
	free(rl);
	done(s, err, darg);
}

/* The site moved on another connection: follow it (CWD). */
static void ftp_relocate(struct session *s, const char *loc, proto_done_fn done, void *arg)
{
	struct reloc *rl = xcalloc(1, sizeof(*rl));
	rl->s = s;
	rl->dir = xstrdup(loc);
	rl->done = done;
	rl->arg = arg;
	struct pp_cmd c = { .done = reloc_reply, .arg = rl };
	char *line = xasprintf("CWD %s", loc);
	int e = pp_send(s->pp, line, &c);
	free(line);
	if (e < 0) {
		session_fail(s, e, "%s", pp_error(s->pp));
		free(rl->dir);
		free(rl);
		done(s, e, arg);
	}
}

static const struct proto_ops ftp_ops = {
	.init = ftp_init,
	.free = ftp_free,
	.login = ftp_login,
	.logout = ftp_logout,
	.keepalive = ftp_keepalive,
	.location = ftp_location,
	.disconnected = ftp_disconnected,
	.set_location = ftp_set_location,
	.relocate = ftp_relocate,
};

const struct proto_desc ftp_proto = {
	.name = "ftp",
	.schemes = ftp_schemes,
	.tls_setting = "ftp:tls",
	.style = PP_FTP,
	.ops = &ftp_ops,
	.cmds = ftp_cmds,
	.ncmds = sizeof(ftp_cmds) / sizeof(ftp_cmds[0]),
};
