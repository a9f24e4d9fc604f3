/* ftp_op.c - what every FTP command runs on: a struct ftp_op per command
 * (ctx->op and f->op), one reply step at a time, one operand after the
 * other, Ctrl-C and errors (see ftp_int.h). */
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

/* ==== commands: common machinery ======================================= */


static bool ftp_fatal(int err)
{
	return err == ERR_NET || err == ERR_TIMEOUT || err == ERR_EOF ||
	       err == ERR_TOOLONG || err == ERR_INTR || err == ERR_TLS;
}


/* The output cannot take more for now (a slow pipe, a full job log):
 * hold the download feeding it. */
static void ftp_op_flow(void *arg, bool pause)
{
	struct ftp_op *op = arg;
	if (op->x)
		ftp_xfer_pause(op->x, pause);
}

void ftp_op_free(struct ftp_op *op)
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

struct ftp_op *ftp_op_new(struct cmdctx *ctx)
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
	sink_set_flow(cmd_out(ctx), ftp_op_flow, op);
	return op;
}

void ftp_op_finish(struct ftp_op *op, int err)
{
	struct cmdctx *ctx = op->ctx;
	ctx->cancel = NULL;
	ctx->op = NULL;
	ftp_op_free(op);
	cmd_done(ctx, err);
}

/* Print "NAME: NNN text" and return the reply's error code. */
int ftp_op_reply_error(struct ftp_op *op, const char *what, const struct pp_reply *r)
{
	int err = ftp_reply_err(r->code);
	if (!err)
		err = ERR_PROTO; /* a positive reply where another was due */
	char *esc = ftp_reply_esc(r);
	cmd_error(op->ctx, err, "%s: %d %s", what, r->code, esc);
	free(esc);
	return err;
}

static void ftp_op_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_op *op = arg;

	if (err) {
		op->waiting = false;
		cmd_error(op->ctx, err, "%s", pp_error(pp)[0] ? pp_error(pp) : err_str(err));
		ftp_op_finish(op, err);
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
int ftp_op_send(struct ftp_op *op, step_fn step, const char *line, int mask_from)
{
	struct pp_cmd c = { .done = ftp_op_reply, .arg = op, .mask_from = mask_from };
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

int ftp_op_sendf(struct ftp_op *op, step_fn step, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *line = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(line, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int r = ftp_op_send(op, step, line, 0);
	free(line);
	return r;
}

/* Run items until one is pending.  CMD_PENDING, or the final status. */
static int ftp_op_advance(struct ftp_op *op)
{
	while (op->idx < op->nargs) {
		if (op->err && ftp_fatal(op->err))
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
void ftp_op_item_done(struct ftp_op *op, int err)
{
	if (err)
		op->err = err;
	int r = ftp_op_advance(op);
	if (r != CMD_PENDING)
		ftp_op_finish(op, r);
}

void ftp_op_cancel(struct cmdctx *ctx)
{
	struct ftp_op *op = ctx->op;
	if (!op)
		return;
	ftp_op_abort(op, ERR_INTR, NULL);
}

/* Stop now: Ctrl-C, connection lost, session closed.  The reply still
 * due is discarded by pp when it comes (the session stays in step). */
void ftp_op_abort(struct ftp_op *op, int err, const char *why)
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
	ftp_op_finish(op, err);
}

/* Set up an op over the operands argv[first..] and start it from run(). */
int ftp_op_run(struct ftp_op *op, int first, item_fn item)
{
	struct cmdctx *ctx = op->ctx;
	if (!op->args) {
		op->args = xcalloc((size_t)ctx->argc + 1, sizeof(char *));
		for (int i = first; i < ctx->argc; i++)
			op->args[op->nargs++] = ctx->argv[i];
	}
	op->item = item;
	op->f->op = op;
	ctx->cancel = ftp_op_cancel;
	int r = ftp_op_advance(op);
	if (r != CMD_PENDING) {
		ctx->cancel = NULL;
		ctx->op = NULL;
		ftp_op_free(op);
	}
	return r;
}

/* Refuse CR/LF before anything is sent (pp_send checks again). */
int ftp_check_args(struct cmdctx *ctx, int first)
{
	for (int i = first; i < ctx->argc; i++)
		if (!ftp_arg_ok(ctx->argv[i]))
			return cmd_error(ctx, ERR_USAGE, "line breaks are not allowed in arguments");
	return 0;
}

/* A simple command with operands: each operand is one command line. */
int ftp_simple_run(struct cmdctx *ctx, int first, item_fn item)
{
	int r = ftp_check_args(ctx, first);
	if (r < 0)
		return r;
	return ftp_op_run(ftp_op_new(ctx), first, item);
}

/* Start an op of one command line from run(): CMD_PENDING, or ERR_*
 * (reported; op freed). */
int ftp_op_start1(struct ftp_op *op, step_fn step, const char *line, int mask_from)
{
	struct cmdctx *ctx = op->ctx;

	op->f->op = op;
	ctx->cancel = ftp_op_cancel;
	int r = ftp_op_send(op, step, line, mask_from);
	if (r < 0) {
		ctx->cancel = NULL;
		ctx->op = NULL;
		ftp_op_free(op);
		return r;
	}
	return CMD_PENDING;
}

/* Escaped copy of a user-typed name for output (caller frees). */
char *ftp_esc_str(const char *s)
{
	return ui_escape_str(s, strlen(s));
}
