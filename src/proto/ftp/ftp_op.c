/* ftp_op.c - what every FTP command runs on: a struct ftp_op per command
 * (ctx->op and f->op), one reply step at a time, one operand after the
 * other, Ctrl-C and errors: FTP's part of the shared operation (op.h). */
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
static void ftp_op_flow(struct op *o, bool pause)
{
	struct ftp_op *op = ftp_op_of(o);
	if (op->x)
		ftp_xfer_pause(op->x, pause);
}

/* Ctrl-C, connection lost, session closed: the reply still due is
 * discarded by pp when it comes (the connection stays in step); a
 * transfer closes its data connection and sends ABOR. */
static void ftp_op_stop(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	struct pp *pp = o->s->pp;

	if (op->f->op == op)
		op->f->op = NULL;
	ftp_fetch_cancel(op->fetch);
	op->fetch = NULL;
	ftp_get_stop(op);
	if (op->x) {
		ftp_xfer_abort(op->x);
		op->x = NULL;
	} else if (op->req && pp && !pp_failed(pp)) {
		pp_cancel(pp, op->req);
	}
	op->req = 0;
	lfile_discard(&op->lf);
	lsource_clear(&op->src);
}

static void ftp_op_clear(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	if (op->f->op == op)
		op->f->op = NULL;
	ftp_fetch_cancel(op->fetch);
	for (size_t i = 0; i < op->nglobbed; i++)
		free(op->globbed[i]);
	free(op->globbed);
	ftp_mirror_free(op->mirror);
	ftp_tree_free(op->tree);
	ftp_get_stop(op);
	lfile_clear(&op->lf);
	lsource_clear(&op->src);
	free(op->line);
	free(op->cd_from);
	free(op->out_dir);
	free(op->remote);
	free(op->abuf);
	buf_clear(&op->lbuf);
}

static const struct op_class ftp_op_class = {
	.stop = ftp_op_stop,
	.flow = ftp_op_flow,
	.clear = ftp_op_clear,
	.fatal = ftp_fatal,
};

struct ftp_op *ftp_op_new(struct cmdctx *ctx)
{
	struct ftp_op *op = op_new(ctx, &ftp_op_class, sizeof(*op));
	op->f = ctx->sess->pdata;
	op->f->op = op;
	lfile_init(&op->lf, false);
	lsource_clear(&op->src);
	op->size = -1;
	op->mtime = -1;
	buf_init(&op->lbuf, 64 * 1024);
	return op;
}

/* Print "NAME: NNN text" and return the reply's error code. */
int ftp_op_reply_error(struct ftp_op *op, const char *what, const struct pp_reply *r)
{
	int err = ftp_reply_err(r->code);
	if (!err)
		err = ERR_PROTO; /* a positive reply where another was due */
	char *esc = ftp_reply_esc(r);
	cmd_error(op->o.ctx, err, "%s: %d %s", what, r->code, esc);
	free(esc);
	return err;
}

static void ftp_op_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_op *op = arg;

	if (err) {
		op->req = 0;
		cmd_error(op->o.ctx, err, "%s", pp_error(pp)[0] ? pp_error(pp) : err_str(err));
		op_finish(&op->o, err);
		return;
	}
	if (!r->final) {
		if (op->show_prelim)
			cmd_data_line(op->o.ctx, r->text, r->len);
		return;
	}
	op->req = 0;
	op->step(op, r);
}

int ftp_op_send(struct ftp_op *op, step_fn step, const char *line, int mask_from)
{
	struct pp_cmd c = { .done = ftp_op_reply, .arg = op, .mask_from = mask_from };
	struct pp *pp = op->o.s->pp;

	if (!ftp_arg_ok(line))
		return cmd_error(op->o.ctx, ERR_USAGE, "line breaks are not allowed");
	if (!pp || pp_failed(pp))
		return cmd_error(op->o.ctx, ERR_NET, "not connected");
	int id = pp_send(pp, line, &c);
	if (id < 0)
		return cmd_error(op->o.ctx, id, "cannot send: %s", pp_error(pp));
	op->step = step;
	op->req = id;
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

/* Refuse CR/LF before anything is sent (pp_send checks again). */
int ftp_check_args(struct cmdctx *ctx, int first)
{
	for (int i = first; i < ctx->argc; i++)
		if (!ftp_arg_ok(ctx->argv[i]))
			return cmd_error(ctx, ERR_USAGE, "line breaks are not allowed in arguments");
	return 0;
}

int ftp_simple_run(struct cmdctx *ctx, int first, op_item_fn item)
{
	int r = ftp_check_args(ctx, first);
	if (r < 0)
		return r;
	struct ftp_op *op = ftp_op_new(ctx);
	op->glob_kind = GLOB_ANY;
	ftp_op_args(op, first, ctx->argc);
	return ftp_glob_run(op, false, item);
}

void ftp_op_args(struct ftp_op *op, int first, int end)
{
	struct cmdctx *ctx = op->o.ctx;
	op->o.args = xcalloc((size_t)(end - first) + 2, sizeof(char *));
	for (int i = first; i < end; i++)
		op->o.args[op->o.nargs++] = ctx->argv[i];
}

/* Escaped copy of a user-typed name for output (caller frees). */
char *ftp_esc_str(const char *s)
{
	return ui_escape_str(s, strlen(s));
}
