/* test_op.c - the operation framework FTP and NNTP commands share: the
 * lifetime (one cmd_done, the protocol's part cleared once), operands one
 * after the other, Ctrl-C, and the output's flow reaching the protocol. */
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"
#include "cmd.h"
#include "err.h"
#include "op.h"
#include "session.h"
#include "sink.h"

/* A protocol's command state, as FTP and NNTP embed it. */
struct top {
	struct op o;
	int pending_items;     /* items that "sent something" */
};

static int n_stop, n_clear, n_flow_pause, n_flow_resume, n_done, done_err;
static char order[16];     /* 's' stop, 'c' clear, 'd' cmd_done */
static int items_seen;
static const char *seen[8];

static void mark(char c)
{
	size_t n = strlen(order);
	if (n + 1 < sizeof(order))
		order[n] = c;
}

static void t_stop(struct op *o)
{
	(void)o;
	n_stop++;
	mark('s');
}

static void t_clear(struct op *o)
{
	(void)o;
	n_clear++;
	mark('c');
}

static void t_flow(struct op *o, bool pause)
{
	(void)o;
	if (pause)
		n_flow_pause++;
	else
		n_flow_resume++;
}

static bool t_fatal(int err)
{
	return err == ERR_NET;
}

static const struct op_class tclass = {
	.stop = t_stop, .flow = t_flow, .clear = t_clear, .fatal = t_fatal,
};

static void on_done(struct cmdctx *ctx, int err)
{
	(void)ctx;
	n_done++;
	done_err = err;
	mark('d');
}

static struct session sess;
static struct cmdctx ctx;
static char *argv_buf[8];

static void setup(int argc, const char *const *argv)
{
	n_stop = n_clear = n_flow_pause = n_flow_resume = n_done = 0;
	done_err = 99;
	items_seen = 0;
	memset(order, 0, sizeof(order));
	memset(&sess, 0, sizeof(sess));
	memset(&ctx, 0, sizeof(ctx));
	for (int i = 0; i < argc; i++)
		argv_buf[i] = (char *)argv[i];
	ctx.argc = argc;
	ctx.argv = argv_buf;
	ctx.sess = &sess;
	ctx.on_done = on_done;
}

/* Items: "ok" is sent (pending), "bad" fails at once, "net" fails at
 * once with a fatal error. */
static int item(struct op *o)
{
	seen[items_seen++] = o->arg;
	if (strcmp(o->arg, "bad") == 0)
		return ERR_NOTFOUND;
	if (strcmp(o->arg, "net") == 0)
		return ERR_NET;
	((struct top *)o)->pending_items++;
	return 0;
}

static void test_all_items_fail_at_once(void)
{
	const char *argv[] = { "rm", "bad", "bad" };
	setup(3, argv);
	struct top *t = op_new(&ctx, &tclass, sizeof(*t));
	CU_ASSERT_PTR_EQUAL(ctx.op, t);
	CU_ASSERT_EQUAL(op_run(&t->o, 1, item), ERR_NOTFOUND);
	CU_ASSERT_EQUAL(items_seen, 2);
	CU_ASSERT_EQUAL(n_clear, 1);
	CU_ASSERT_EQUAL(n_done, 0);   /* run() returns the status itself */
	CU_ASSERT_PTR_NULL(ctx.op);
	CU_ASSERT_PTR_NULL(ctx.cancel);
}

static void test_items_in_turn(void)
{
	const char *argv[] = { "rm", "ok", "bad", "ok" };
	setup(4, argv);
	struct top *t = op_new(&ctx, &tclass, sizeof(*t));
	CU_ASSERT_EQUAL(op_run(&t->o, 1, item), CMD_PENDING);
	CU_ASSERT_PTR_NOT_NULL(ctx.cancel);
	CU_ASSERT_EQUAL(items_seen, 1);
	op_item_done(&t->o, 0);           /* "bad" fails, the last "ok" goes */
	CU_ASSERT_EQUAL(items_seen, 3);
	CU_ASSERT_STRING_EQUAL(seen[2], "ok");
	CU_ASSERT_EQUAL(n_done, 0);
	op_item_done(&t->o, 0);
	CU_ASSERT_EQUAL(n_done, 1);
	CU_ASSERT_EQUAL(done_err, ERR_NOTFOUND);  /* the failure is kept */
	CU_ASSERT_STRING_EQUAL(order, "cd");      /* freed before cmd_done */
	CU_ASSERT_EQUAL(n_stop, 0);
}

static void test_fatal_error_ends_operands(void)
{
	const char *argv[] = { "get", "ok", "ok", "ok" };
	setup(4, argv);
	struct top *t = op_new(&ctx, &tclass, sizeof(*t));
	CU_ASSERT_EQUAL(op_run(&t->o, 1, item), CMD_PENDING);
	op_item_done(&t->o, ERR_NET);     /* the connection went */
	CU_ASSERT_EQUAL(items_seen, 1);
	CU_ASSERT_EQUAL(n_done, 1);
	CU_ASSERT_EQUAL(done_err, ERR_NET);
}

static void test_cancel_stops_then_clears(void)
{
	const char *argv[] = { "get", "ok", "ok" };
	setup(3, argv);
	struct top *t = op_new(&ctx, &tclass, sizeof(*t));
	CU_ASSERT_EQUAL(op_run(&t->o, 1, item), CMD_PENDING);
	ctx.cancel(&ctx);                 /* Ctrl-C */
	CU_ASSERT_EQUAL(n_done, 1);
	CU_ASSERT_EQUAL(done_err, ERR_INTR);
	CU_ASSERT_STRING_EQUAL(order, "scd");
	CU_ASSERT_EQUAL(items_seen, 1);   /* the second operand never ran */
	CU_ASSERT_PTR_NULL(ctx.op);
	CU_ASSERT_PTR_NULL(ctx.cancel);
}

static void test_start_failure_frees(void)
{
	const char *argv[] = { "pwd" };
	setup(1, argv);
	struct top *t = op_new(&ctx, &tclass, sizeof(*t));
	CU_ASSERT_EQUAL(op_start(&t->o, ERR_USAGE), ERR_USAGE);
	CU_ASSERT_EQUAL(n_clear, 1);
	CU_ASSERT_EQUAL(n_done, 0);
	CU_ASSERT_PTR_NULL(ctx.op);
}

static void test_flow_reaches_protocol(void)
{
	const char *argv[] = { "cat", "ok" };
	setup(2, argv);
	ctx.out = sink_log(16);
	struct top *t = op_new(&ctx, &tclass, sizeof(*t));
	CU_ASSERT_EQUAL(op_run(&t->o, 1, item), CMD_PENDING);
	cmd_data(&ctx, "0123456789abcdefghij", 20);   /* the log is full */
	CU_ASSERT_EQUAL(n_flow_pause, 1);
	sink_log_show(ctx.out);                        /* shown: go on */
	CU_ASSERT_EQUAL(n_flow_resume, 1);
	op_finish(&t->o, 0);
	/* After the end, the sink no longer calls the freed op. */
	cmd_data(&ctx, "0123456789abcdefghij", 20);
	CU_ASSERT_EQUAL(n_flow_pause, 1);
	sink_free(ctx.out);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("op", NULL, NULL);
	CU_add_test(s, "all items fail at once", test_all_items_fail_at_once);
	CU_add_test(s, "items in turn", test_items_in_turn);
	CU_add_test(s, "fatal error ends operands", test_fatal_error_ends_operands);
	CU_add_test(s, "cancel stops then clears", test_cancel_stops_then_clears);
	CU_add_test(s, "start failure frees", test_start_failure_frees);
	CU_add_test(s, "flow reaches the protocol", test_flow_reaches_protocol);
}
