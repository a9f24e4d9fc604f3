/* op.h - one running protocol command: what every FTP and NNTP command
 * shares, whatever it sends.
 *
 * An operation borrows one connection of its session (ctx->sess, leased
 * by the shell) for its whole life.  A protocol keeps its command state
 * in a struct that embeds struct op first, allocated by op_new(), and
 * says in a struct op_class how to stop it, how to hold what feeds its
 * output, and what to free.  The framework does the rest the same way for
 * both protocols:
 *
 *   - the lifetime: run() starts the op and returns op_start()'s value;
 *     a callback ends it once with op_finish() (which frees it and calls
 *     cmd_done);
 *   - Ctrl-C and `kill` (ctx->cancel): the class's stop, then
 *     op_finish(op, ERR_INTR), at once;
 *   - back-pressure: the sink's flow calls go to the class's flow;
 *   - operands: op_run() runs an item function per operand, one after the
 *     other, and keeps the last failure as the status;
 *   - reconnecting first: op_ensure() waits for the connection to be
 *     logged in again; a Ctrl-C meanwhile ends the command at once and
 *     the op is freed when the login ends.
 */
#ifndef FERRY_OP_H
#define FERRY_OP_H

#include <stdbool.h>
#include <stddef.h>

struct cmdctx;
struct session;
struct op;

struct op_class {
	/* Stop the work on the connection now (Ctrl-C, `kill`, the
	 * connection lost): forget the replies still due, leaving the
	 * connection in step or dropping it.  Called at most once, before
	 * clear.  NULL: nothing to stop. */
	void (*stop)(struct op *op);
	/* Hold (pause) or resume what feeds the output (a slow pipe, a full
	 * job log).  NULL: the output is never held. */
	void (*flow)(struct op *op, bool pause);
	/* Free what the protocol's part holds (not the op itself).  NULL:
	 * nothing. */
	void (*clear)(struct op *op);
	/* After this error the remaining operands are not tried (the
	 * connection is gone).  NULL: every operand is tried. */
	bool (*fatal)(int err);
};

/* Start the work for the current operand (op->arg): 0 when something was
 * sent (a callback follows and ends with op_item_done), or ERR_* (already
 * reported). */
typedef int (*op_item_fn)(struct op *op);
/* op_ensure's continuation: err is 0 (logged in) or ERR_* (s->err says
 * why). */
typedef void (*op_ready_fn)(struct op *op, int err);

struct op {
	const struct op_class *cls;
	struct cmdctx *ctx;          /* NULL once the command ended */
	struct session *s;           /* the connection it runs on */

	/* Operands (op_run): pointers into ctx->argv. */
	op_item_fn item;
	char **args;
	int nargs, idx;
	const char *arg;             /* the current one */
	int err;                     /* the last failure, or 0 */

	op_ready_fn ready;           /* op_ensure in progress */
};

/* A new op of size bytes (the protocol's struct, struct op first),
 * zeroed, for ctx and its connection ctx->sess; its output's flow goes to
 * cls->flow.  Freed by op_finish(), or by op_start() when the command
 * does not go on. */
void *op_new(struct cmdctx *ctx, const struct op_class *cls, size_t size);
/* From run(), after the first step: err 0 means something is under way
 * (returns CMD_PENDING, Ctrl-C now stops it); an ERR_* (already reported)
 * frees op and is returned. */
int op_start(struct op *op, int err);
/* End the command (from a callback): free op, then cmd_done(ctx, err). */
void op_finish(struct op *op, int err);
/* Stop now: cls->stop, print why (if not NULL) as the command's error,
 * and op_finish(op, err). */
void op_abort(struct op *op, int err, const char *why);

/* Run item for each operand argv[first..] (or op->args when the caller
 * set them), from run(): returns CMD_PENDING, or the status when every
 * item ended at once (op freed). */
int op_run(struct op *op, int first, op_item_fn item);
/* The current operand's work ended (from a callback): record err, go on
 * with the next one, finish the command after the last. */
void op_item_done(struct op *op, int err);

/* Connect and log the connection in again (session_ensure), then call
 * ready(op, err); never from inside op_ensure. */
void op_ensure(struct op *op, op_ready_fn ready);

#endif
