/* op.c - one running protocol command (see op.h). */
#include "op.h"

#include <stdlib.h>

#include "cmd.h"
#include "err.h"
#include "session.h"
#include "sink.h"

static void op_flow(void *arg, bool pause)
{
	struct op *op = arg;
	op->cls->flow(op, pause);
}

void *op_new(struct cmdctx *ctx, const struct op_class *cls, size_t size)
{
	struct op *op = xcalloc(1, size);
	op->cls = cls;
	op->ctx = ctx;
	op->s = ctx->sess;
	ctx->op = op;
	if (cls->flow)
		sink_set_flow(cmd_out(ctx), op_flow, op);
	return op;
}

/* Let go of the command: its output no longer reaches us, Ctrl-C no
 * longer calls us. */
static void op_detach(struct op *op)
{
	struct cmdctx *ctx = op->ctx;
	if (!ctx)
		return;
	if (op->cls->flow)
		sink_set_flow(cmd_out(ctx), NULL, NULL);
	ctx->cancel = NULL;
	ctx->op = NULL;
	op->ctx = NULL;
}

static void op_free(struct op *op)
{
	op_detach(op);
	if (op->ready)
		return;  /* freed when the login it waits for ends */
	if (op->cls->clear)
		op->cls->clear(op);
	free(op->args);
	free(op);
}

static void op_cancel(struct cmdctx *ctx)
{
	struct op *op = ctx->op;
	if (op)
		op_abort(op, ERR_INTR, NULL);
}

int op_start(struct op *op, int err)
{
	if (err < 0) {
		op_free(op);
		return err;
	}
	op->ctx->cancel = op_cancel;
	return CMD_PENDING;
}

void op_finish(struct op *op, int err)
{
	struct cmdctx *ctx = op->ctx;
	op_free(op);
	if (ctx)
		cmd_done(ctx, err);
}

void op_abort(struct op *op, int err, const char *why)
{
	if (op->cls->stop)
		op->cls->stop(op);
	if (why && op->ctx)
		cmd_error(op->ctx, err, "%s", why);
	op_finish(op, err);
}

/* Run items until one is pending.  CMD_PENDING, or the final status. */
static int op_advance(struct op *op)
{
	while (op->idx < op->nargs) {
		if (op->err && op->cls->fatal && op->cls->fatal(op->err))
			break;
		op->arg = op->args[op->idx++];
		int r = op->item(op);
		if (r == 0)
			return CMD_PENDING;
		op->err = r;
	}
	return op->err;
}

int op_run(struct op *op, int first, op_item_fn item)
{
	struct cmdctx *ctx = op->ctx;
	if (!op->args) {
		op->args = xcalloc((size_t)ctx->argc + 1, sizeof(char *));
		for (int i = first; i < ctx->argc; i++)
			op->args[op->nargs++] = ctx->argv[i];
	}
	op->item = item;
	int r = op_advance(op);
	if (r != CMD_PENDING) {
		op_free(op);
		return r;
	}
	return op_start(op, 0);
}

void op_item_done(struct op *op, int err)
{
	if (err)
		op->err = err;
	int r = op_advance(op);
	if (r != CMD_PENDING)
		op_finish(op, r);
}

static void op_ensured(struct session *s, int err, void *arg)
{
	struct op *op = arg;
	op_ready_fn ready = op->ready;
	(void)s;
	op->ready = NULL;
	if (!op->ctx) {
		op_free(op);  /* the command ended meanwhile (Ctrl-C) */
		return;
	}
	ready(op, err);
}

void op_ensure(struct op *op, op_ready_fn ready)
{
	op->ready = ready;
	session_ensure(op->s, op_ensured, op);
}
