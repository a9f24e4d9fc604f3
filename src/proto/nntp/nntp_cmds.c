/* nntp_cmds.c - the NNTP reader commands and the protocol descriptor. */
#include "nntp_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "err.h"
#include "ev.h"
#include "log.h"
#include "op.h"
#include "pp.h"
#include "session.h"
#include "sink.h"
#include "ui.h"

/* ---- commands ------------------------------------------------------------------ */


struct nop *nop_of(struct op *o)
{
	return (struct nop *)o;
}

/* The output cannot take more for now (a slow pipe, a full job log): hold
 * the data block feeding it. */
static void nop_flow(struct op *o, bool pause)
{
	struct nop *op = nop_of(o);
	op->paused_pp = pause;
	if (o->s->pp)
		pp_pause(o->s->pp, pause);
}

static void nop_clear(struct op *o)
{
	struct nop *op = nop_of(o);
	npipe_free(op);
	if (op->rq)
		op->rq->arg = NULL;
	if (op->paused_pp && o->s->pp)
		pp_pause(o->s->pp, false);
	free(op->line);
	free(op->name);
	if (op->ext_free)
		op->ext_free(op->ext);
}

/* A command is about to go out: if an interrupted reply is still
 * arriving, drop the connection (a fresh one is quicker than waiting). */
static void drain_give_up(struct nntp *n)
{
	struct session *s = n->s;

	if (s->pp && pp_pending(s->pp) > 0) {
		session_drop(s, "interrupted reply still arriving");
		return;  /* disconnected() deleted the timer */
	}
	ev_timer_del(n->drain);
	n->drain = NULL;
}

static long drain_tick(void *arg)
{
	struct nntp *n = arg;
	struct session *s = n->s;

	n->drain = NULL;  /* freed by the loop when we return 0 */
	if (s->pp && pp_pending(s->pp) > 0)
		session_drop(s, "interrupted reply still arriving");
	return 0;
}

/* Ctrl-C: forget the command's reply.  pp reads and discards the rest of
 * a block; when much has come already, dropping the connection is
 * quicker and the session reconnects on next use.  A reconnect in
 * progress goes on (the connection is then ready for the next command). */
static void nop_stop(struct op *o)
{
	struct nop *op = nop_of(o);
	struct nntp *n = op->n;
	struct session *s = o->s;
	struct nreq *rq = op->rq;

	if (op->stop_more)
		op->stop_more(op);
	op->rq = NULL;
	if (op->printed)
		ui_flush();
	if (!rq)
		return;
	if (rq->bytes > CANCEL_DRAIN_MAX) {
		rq->arg = NULL;
		session_drop(s, "interrupted in a large reply");
		return;
	}
	nreq_cancel(rq);
	if (s->pp && pp_pending(s->pp) > 0 && !n->drain)
		n->drain = ev_timer_add(s->ev, CANCEL_DRAIN_MS, drain_tick, n);
}

static const struct op_class nop_class = {
	.stop = nop_stop,
	.flow = nop_flow,
	.clear = nop_clear,
};

/* Error from the request: print it (with a hint where one helps). */
int nop_error(struct nop *op, int err, const struct pp_reply *r)
{
	struct nntp *n = op->n;
	struct cmdctx *ctx = op->o.ctx;

	if (err == ERR_PIPE || err == ERR_LOCAL) /* the output failed */
		return cmd_error(ctx, err, "%s", sink_why(cmd_out(ctx)));
	if (op->printed && err != ERR_INTR) {
		/* Partial output is marked as such. */
		ui_flush();
		ui_trace("[incomplete]");
	}
	if (!r) {
		if (op->printed && (err == ERR_EOF || err == ERR_NET || err == ERR_PROTO)) {
			cmd_error(ctx, ERR_PROTO, "%s incomplete: %s",
			          op->what ? op->what : "reply", n->detail);
			return ERR_PROTO;
		}
		return cmd_error(ctx, err, "%s", n->detail);
	}
	err = nntp_code_err(r->code);
	nntp_note_reply(n, r);
	switch (r->code) {
	case 412:
		return cmd_error(ctx, ERR_FAIL, "no newsgroup selected; "
		                 "use `group NAME` first (%s)", n->detail);
	case 420:
		return cmd_error(ctx, err, "no current article; give a number "
		                 "or a <message-id> (%s)", n->detail);
	case 480:
		if (!op->o.s->user)
			return cmd_error(ctx, err, "authentication required "
			                 "(give a user in the URL or ~/.netrc): %s",
			                 n->detail);
		return cmd_error(ctx, err, "authentication required: %s", n->detail);
	case 483:
		return cmd_error(ctx, err, "the server wants TLS first "
		                 "(nntps:// or set nntp:tls require): %s", n->detail);
	default:
		return cmd_error(ctx, err, "%s", n->detail);
	}
}

void nop_fail(struct nop *op, int err, const struct pp_reply *r)
{
	op_finish(&op->o, nop_error(op, err, r));
}

void nop_fail_missing(struct nop *op, int err, const struct pp_reply *r, int missing,
                      const char *what)
{
	if (!err && r->code == missing) {
		nntp_note_reply(op->n, r);
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_NOTFOUND, "%s (%s)", what,
		                            op->n->detail));
		return;
	}
	nop_fail(op, err, r);
}

void nop_group_fail(struct nop *op, int err, const struct pp_reply *r)
{
	char *what = xasprintf("%s: no such group", op->name ? op->name : "");
	nop_fail_missing(op, err, r, 411, what);
	free(what);
}

/* Send the command line: 0, or the error (printed). */
static int nop_send(struct nop *op)
{
	int err;

	if (op->pipe_ops)
		return npipe_start(op);
	op->rq = nreq_send(op->n, op->line, op->flags, op->fn, op, op->on_line, &err);
	if (!op->rq)
		return cmd_error(op->o.ctx, err, "%s", op->n->detail);
	return 0;
}

static void nop_ready(struct op *o, int err)
{
	if (err < 0) {
		op_finish(o, cmd_error(o->ctx, err, "%s", o->s->err));
		return;
	}
	err = nop_send(nop_of(o));
	if (err < 0)
		op_finish(o, err);
}

/* Start op from run(): at once if the connection is in step, else after
 * reconnecting.  CMD_PENDING, or the error (op freed). */
int nop_go(struct nop *op)
{
	struct nntp *n = op->n;
	struct session *s = op->o.s;

	if (n->drain)
		drain_give_up(n);
	if (n->desync || !s->pp || pp_failed(s->pp) || n->state != NS_READY) {
		if (n->desync)
			session_drop(s, "reply out of sequence");
		op_ensure(&op->o, nop_ready);
		return op_start(&op->o, 0);
	}
	/* The line goes out now; replies come from the loop.  A failure
	 * here is returned, never reported through cmd_done (run rule). */
	return op_start(&op->o, nop_send(op));
}

int nop_go_group(struct cmdctx *ctx, nreq_fn fn, void *ext, void (*ext_free)(void *))
{
	struct nntp *n = ctx->sess->pdata;

	if (!n->group) {
		ext_free(ext);
		return cmd_error(ctx, ERR_FAIL, "no newsgroup selected; use `group NAME` first");
	}
	struct nop *op = nop_new(ctx, xasprintf("GROUP %s", n->group), NR_AUTH_RETRY, fn);
	op->name = xstrdup(n->group);
	op->ext = ext;
	op->ext_free = ext_free;
	op->what = "overview";
	return nop_go(op);
}

struct nop *nop_new(struct cmdctx *ctx, char *line, unsigned flags, nreq_fn fn)
{
	struct nop *op = op_new(ctx, &nop_class, sizeof(*op));

	op->n = ctx->sess->pdata;
	op->line = line;
	op->flags = flags;
	op->fn = fn;
	return op;
}

/* A block line to the output: escaped on a terminal, as sent elsewhere. */
int nop_print_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;

	op->printed = true;
	return cmd_data_line(op->o.ctx, line, len);
}

/* Article argument: none, a number, or a <message-id>.  Appends " ARG" to
 * the command; ERR_USAGE for anything else. */
int nop_article_arg(struct cmdctx *ctx, const char *verb, char **line, bool *by_msgid)
{
	const char *a = ctx->argc > 1 ? ctx->argv[1] : NULL;
	uint64_t num;

	*by_msgid = false;
	if (!a) {
		*line = xstrdup(verb);
		return 0;
	}
	if (a[0] == '<') {
		if (!nntp_msgid_valid(a, strlen(a)))
			return cmd_error(ctx, ERR_USAGE, "not a valid <message-id>");
		*by_msgid = true;
	} else if (nntp_parse_u64(a, strlen(a), &num) < 0 || num > INT64_MAX) {
		return cmd_error(ctx, ERR_USAGE, "expected an article number or a <message-id>");
	}
	*line = xasprintf("%s %s", verb, a);
	return 0;
}

/* 22x n <id>: the current article moves when asked for by number. */
bool nop_take_status(struct nop *op, const struct pp_reply *r,
                                uint64_t *num, struct nntp_span *id)
{
	struct nntp *n = op->n;

	if (nntp_parse_article_status(r->text, r->len, num, id) < 0)
		return false;
	if (!op->by_msgid && *num) {
		n->cur = *num;
		n->have_cur = true;
	}
	return true;
}

/* article / head / body */
static void article_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	uint64_t num;
	struct nntp_span id;

	op->rq = NULL;
	if (err < 0 || r->code < 220 || r->code > 222) {
		nop_fail(op, err, r);
		return;
	}
	if (nop_take_status(op, r, &num, &id) && !op->by_msgid && num)
		nntp_mark_read(op->n, num);
	op_finish(&op->o, 0);
}

/* article/head/body/stat with several operands: pipelined, answered in
 * operand order; a missing one says so and the others go on. */
struct abatch {
	const char *verb;
	char **args;
	size_t n;
	bool stat;
	bool started;           /* the current reply's lines began */
	bool shown;             /* an article went out */
	int failed;             /* the last operand's failure */
};

static void abatch_free(void *p)
{
	struct abatch *b = p;
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->args[i]);
	free(b->args);
	free(b);
}

static char *abatch_line(struct nop *op, size_t i)
{
	struct abatch *b = op->ext;
	return i < b->n ? xasprintf("%s %s", b->verb, b->args[i]) : NULL;
}

/* The lines of one article; a blank line between articles. */
static int abatch_print(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;
	struct abatch *b = op->ext;

	if (!b->started) {
		b->started = true;
		if (b->shown) {
			int err = cmd_data_line(op->o.ctx, "", 0);
			if (err < 0)
				return err;
		}
		b->shown = true;
	}
	return nop_print_line(arg, line, len);
}

static int abatch_reply(struct nop *op, size_t i, int err, const struct pp_reply *r)
{
	struct abatch *b = op->ext;
	int want = b->stat ? 223 : 220 + (b->verb[0] == 'H') + 2 * (b->verb[0] == 'B');
	uint64_t num;
	struct nntp_span id;

	b->started = false;
	op->by_msgid = b->args[i][0] == '<';
	if (!err && (r->code == 423 || r->code == 430)) {
		nntp_note_reply(op->n, r);
		b->failed = cmd_error(op->o.ctx, ERR_NOTFOUND, "%s: no such article (%s)",
		                      b->args[i], op->n->detail);
		return 0;
	}
	if (err < 0 || r->code != want)
		return nop_error(op, err, r);
	if (!nop_take_status(op, r, &num, &id)) {
		nntp_note_reply(op->n, r);
		return cmd_error(op->o.ctx, ERR_PROTO, "malformed reply: %s", op->n->detail);
	}
	if (!b->stat) {
		if (!op->by_msgid && num)
			nntp_mark_read(op->n, num);
		return 0;
	}
	char *e = ui_escape_str(id.p, id.len);
	cmd_printf(op->o.ctx, "%" PRIu64 " %s", num, e);
	free(e);
	return 0;
}

static int abatch_end(struct nop *op)
{
	struct abatch *b = op->ext;
	return b->failed;
}

static const struct npipe_ops abatch_ops = {
	.line = abatch_line,
	.reply = abatch_reply,
	.end = abatch_end,
};

/* Several operands: each a number or a <message-id>, checked before
 * anything is sent.  CMD_PENDING or the error. */
static int run_abatch(struct cmdctx *ctx, const char *verb)
{
	uint64_t num;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (a[0] == '<' ? !nntp_msgid_valid(a, strlen(a)) :
		    nntp_parse_u64(a, strlen(a), &num) < 0 || num > INT64_MAX)
			return cmd_error(ctx, ERR_USAGE, "%s: expected an article number "
			                 "or a <message-id>", a);
	}
	struct abatch *b = xcalloc(1, sizeof(*b));
	b->verb = verb;
	b->stat = strcmp(verb, "STAT") == 0;
	b->n = (size_t)ctx->argc - 1;
	b->args = xcalloc(b->n, sizeof(*b->args));
	for (size_t i = 0; i < b->n; i++)
		b->args[i] = xstrdup(ctx->argv[i + 1]);
	struct nop *op = nop_new(ctx, xasprintf("%s %s", verb, b->args[0]), NR_AUTH_RETRY,
	                         NULL);
	op->ext = b;
	op->ext_free = abatch_free;
	op->pipe_ops = &abatch_ops;
	if (!b->stat) {
		op->on_line = abatch_print;
		op->what = "article";
	}
	return nop_go(op);
}

static int run_article(struct cmdctx *ctx)
{
	const char *verb = strcmp(ctx->def->name, "head") == 0 ? "HEAD" :
	                   strcmp(ctx->def->name, "body") == 0 ? "BODY" : "ARTICLE";
	char *line;
	bool by_msgid;

	if (ctx->argc > 2)
		return run_abatch(ctx, verb);
	int err = nop_article_arg(ctx, verb, &line, &by_msgid);

	if (err < 0)
		return err;
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, article_done);
	op->on_line = nop_print_line;
	op->what = "article";
	op->by_msgid = by_msgid;
	return nop_go(op);
}

/* stat / next / prev */
static void stat_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	uint64_t num;
	struct nntp_span id;

	op->rq = NULL;
	if (err < 0 || r->code != 223) {
		if (!err && r->code == 421) {
			op_finish(&op->o, cmd_error(op->o.ctx, ERR_NOTFOUND, "no next article"));
			return;
		}
		if (!err && r->code == 422) {
			op_finish(&op->o, cmd_error(op->o.ctx, ERR_NOTFOUND, "no previous article"));
			return;
		}
		nop_fail(op, err, r);
		return;
	}
	if (!nop_take_status(op, r, &num, &id)) {
		nntp_note_reply(op->n, r);
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_PROTO, "malformed reply: %s",
		                        op->n->detail));
		return;
	}
	char *e = ui_escape_str(id.p, id.len);
	cmd_printf(op->o.ctx, "%" PRIu64 " %s", num, e);
	free(e);
	op_finish(&op->o, 0);
}

static int run_stat(struct cmdctx *ctx)
{
	char *line;
	bool by_msgid;

	if (ctx->argc > 2)
		return run_abatch(ctx, "STAT");
	int err = nop_article_arg(ctx, "STAT", &line, &by_msgid);

	if (err < 0)
		return err;
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, stat_done);
	op->by_msgid = by_msgid;
	return nop_go(op);
}

static int run_next(struct cmdctx *ctx)
{
	const char *verb = strcmp(ctx->def->name, "prev") == 0 ? "LAST" : "NEXT";

	if (nntp_next_tracked(ctx->sess->pdata))
		return nntp_run_next_unread(ctx);
	return nop_go(nop_new(ctx, xstrdup(verb), NR_AUTH_RETRY, stat_done));
}

/* group */
void nntp_set_group(struct nntp *n, const char *name, const struct nntp_group *g)
{
	char *copy = xstrdup(name);
	free(n->group);
	n->group = copy;
	n->cur = g->empty ? 0 : g->low;
	n->have_cur = !g->empty;
	n->g_count = g->count;
	n->g_low = g->low;
	n->g_high = g->high;
	n->g_empty = g->empty;
	n->g_known = true;
}

bool nop_take_group(struct nop *op, int err, const struct pp_reply *r,
                    struct nntp_group *g)
{
	if (err < 0 || r->code != 211) {
		nop_group_fail(op, err, r);
		return false;
	}
	if (nntp_parse_group(r->text, r->len, g) < 0) {
		nntp_note_reply(op->n, r);
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_PROTO, "malformed GROUP reply: %s",
		                        op->n->detail));
		return false;
	}
	nntp_set_group(op->n, op->name, g);
	return true;
}

void nop_then(struct nop *op, char *line, nreq_fn fn, pp_line_fn on_line)
{
	int err;

	op->rq = nreq_send(op->n, line, NR_AUTH_RETRY, fn, op, on_line, &err);
	free(line);
	if (!op->rq)
		op_finish(&op->o, cmd_error(op->o.ctx, err, "%s", op->n->detail));
}

static void group_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct nntp_group g;

	op->rq = NULL;
	if (nop_take_group(op, err, r, &g))
		op_finish(&op->o, nntp_print_group(op, op->name, &g));
}

static int run_group(struct cmdctx *ctx)
{
	const char *name = ctx->argv[1];

	if (!nntp_group_valid(name, strlen(name)))
		return cmd_error(ctx, ERR_USAGE, "not a valid newsgroup name");
	struct nop *op = nop_new(ctx, xasprintf("GROUP %s", name), NR_AUTH_RETRY, group_done);
	op->name = xstrdup(name);
	return nop_go(op);
}

/* listgroup [GROUP] [RANGE] */
static void listgroup_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct nntp_group g;

	op->rq = NULL;
	if (err < 0 || r->code != 211) {
		nop_group_fail(op, err, r);
		return;
	}
	/* RFC 3977 6.1.2: LISTGROUP selects the group, like GROUP. */
	if (op->name && nntp_parse_group(r->text, r->len, &g) == 0)
		nntp_set_group(op->n, op->name, &g);
	op_finish(&op->o, 0);
}

static bool looks_like_range(const char *s)
{
	return *s && strspn(s, "0123456789-") == strlen(s);
}

static int run_listgroup(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *group = NULL, *range = NULL;
	struct nntp_range rg;

	if (ctx->argc == 2 && looks_like_range(ctx->argv[1]))
		range = ctx->argv[1];
	else if (ctx->argc >= 2)
		group = ctx->argv[1];
	if (ctx->argc == 3)
		range = ctx->argv[2];
	if (group && !nntp_group_valid(group, strlen(group)))
		return cmd_error(ctx, ERR_USAGE, "not a valid newsgroup name");
	if (range && nntp_parse_range(range, &rg) < 0)
		return cmd_error(ctx, ERR_USAGE, "bad range (N, N-M or N-)");
	if (range && !group) {
		/* LISTGROUP takes a range only after a group name. */
		if (!n->group)
			return cmd_error(ctx, ERR_FAIL, "no newsgroup selected; "
			                 "use `group NAME` first");
		group = n->group;
	}
	char *line = group ? (range ? xasprintf("LISTGROUP %s %s", group, range) :
	                               xasprintf("LISTGROUP %s", group)) :
	                     xstrdup("LISTGROUP");
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, listgroup_done);
	op->name = group ? xstrdup(group) : (n->group ? xstrdup(n->group) : NULL);
	op->on_line = nop_print_line;
	op->what = "listing";
	return nop_go(op);
}

/* over [RANGE|N|<message-id>] */
static void over_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;

	op->rq = NULL;
	if (err < 0 || r->code != 224) {
		nop_fail_missing(op, err, r, 423, "no articles in that range");
		return;
	}
	op_finish(&op->o, 0);
}

static int run_over(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *verb = n->caps.over ? "OVER" : "XOVER";
	const char *a = ctx->argc > 1 ? ctx->argv[1] : NULL;
	struct nntp_range rg;
	char *line;

	if (!a) {
		line = xstrdup(verb);
	} else if (a[0] == '<') {
		if (!nntp_msgid_valid(a, strlen(a)))
			return cmd_error(ctx, ERR_USAGE, "not a valid <message-id>");
		line = xasprintf("OVER %s", a);
	} else {
		if (nntp_parse_range(a, &rg) < 0)
			return cmd_error(ctx, ERR_USAGE, "bad range (N, N-M or N-)");
		line = xasprintf("%s %s", verb, a);
	}
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, over_done);
	op->on_line = nop_print_line;
	op->what = "overview";
	if (a && a[0] != '<')
		nntp_range_listing(op, verb, NULL, a, &rg, 224);
	return nop_go(op);
}

/* groups [WILDMAT] */
static void groups_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;

	op->rq = NULL;
	if (err < 0 || r->code != 215) {
		nop_fail(op, err, r);
		return;
	}
	op_finish(&op->o, 0);
}

static int run_groups(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *wm = ctx->argc > 1 ? ctx->argv[1] : NULL;
	char *line;

	if (wm && (strcmp(wm, "-s") == 0 || strcmp(wm, "--subscribed") == 0)) {
		if (ctx->argc > 2)
			return cmd_error(ctx, ERR_USAGE, "groups -s takes no WILDMAT");
		return nntp_run_subscribed(ctx);
	}
	if (wm && (strcmp(wm, "-d") == 0 || strcmp(wm, "--descriptions") == 0))
		return nntp_run_groups_desc(ctx, ctx->argc > 2 ? ctx->argv[2] : NULL);
	if (ctx->argc > 2)
		return cmd_error(ctx, ERR_USAGE, "usage: groups %s", ctx->def->args);

	if (wm && !nntp_wildmat_valid(wm, strlen(wm)))
		return cmd_error(ctx, ERR_USAGE, "not a valid wildmat");
	if (wm)
		line = xasprintf("LIST ACTIVE %s", wm);
	else
		line = xstrdup(n->legacy ? "LIST" : "LIST ACTIVE");
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, groups_done);
	op->on_line = nop_print_line;
	op->what = "listing";
	return nop_go(op);
}

/* capabilities */
static void capabilities_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct nntp *n = op->n;

	op->rq = NULL;
	if (err < 0 || r->code != 101) {
		if (!err && r->code == 500) {
			op_finish(&op->o, cmd_error(op->o.ctx, ERR_FAIL, "the server does not "
			                        "know CAPABILITIES (it predates RFC 3977)"));
			return;
		}
		nop_fail(op, err, r);
		return;
	}
	nntp_parse_caps(r->block ? r->block : "", r->block_len, &n->caps);
	n->has_caps = true;
	if (r->block)
		cmd_data(op->o.ctx, r->block, r->block_len);
	op_finish(&op->o, 0);
}

static int run_capabilities(struct cmdctx *ctx)
{
	return nop_go(nop_new(ctx, xstrdup("CAPABILITIES"), NR_COLLECT | NR_AUTH_RETRY,
	                    capabilities_done));
}

/* date */
static void date_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	char when[32];

	op->rq = NULL;
	if (err < 0 || r->code != 111) {
		nop_fail(op, err, r);
		return;
	}
	if (nntp_parse_date(r->text, r->len, when, sizeof(when)) < 0) {
		nntp_note_reply(op->n, r);
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_PROTO, "malformed DATE reply: %s",
		                        op->n->detail));
		return;
	}
	cmd_printf(op->o.ctx, "%s UTC", when);
	op_finish(&op->o, 0);
}

static int run_date(struct cmdctx *ctx)
{
	return nop_go(nop_new(ctx, xstrdup("DATE"), NR_AUTH_RETRY, date_done));
}

/* quote LINE... : one raw command, the whole reply printed. */
static void quote_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct nntp *n = op->n;
	uint64_t num;
	struct nntp_span id;

	op->rq = NULL;
	if (err < 0) {
		nop_fail(op, err, NULL);
		return;
	}
	cmd_data_line(op->o.ctx, r->text, r->len);
	if (r->block)
		cmd_data(op->o.ctx, r->block, r->block_len);
	/* Keep our idea of the location in step with what was typed. */
	if (r->code == 211) {
		struct nntp_group g;
		if (nntp_parse_group(r->text, r->len, &g) == 0 && g.name.len &&
		    nntp_group_valid(g.name.p, g.name.len)) {
			char *name = xstrndup(g.name.p, g.name.len);
			nntp_set_group(n, name, &g);
			free(name);
		}
	} else if (r->code >= 220 && r->code <= 223) {
		op->by_msgid = strchr(op->line, '<') != NULL;
		nop_take_status(op, r, &num, &id);
	} else if (r->code == 281) {
		n->authed = true;
	} else if (r->code == 205) {
		/* QUIT by hand: the server closes; reconnect on next use
		 * instead of racing the next command against its EOF. */
		struct session *s = n->s;
		op_finish(&op->o, 0);
		session_drop(s, "QUIT sent by quote");
		return;
	}
	op_finish(&op->o, r->code >= 400 ? ERR_FAIL : 0);
}

static int run_quote(struct cmdctx *ctx)
{
	struct buf b;
	struct nntp_span verb;
	static const char *const refused[] = {
		"STARTTLS", "COMPRESS", "POST", "IHAVE", "TAKETHIS", "CHECK", NULL,
	};

	buf_init(&b, 4096);
	for (int i = 1; i < ctx->argc; i++)
		if ((i > 1 && buf_append(&b, " ", 1) < 0) ||
		    buf_appendstr(&b, ctx->argv[i]) < 0) {
			buf_clear(&b);
			return cmd_error(ctx, ERR_USAGE, "line too long");
		}
	char *line = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	if (strpbrk(line, "\r\n")) {
		free(line);
		return cmd_error(ctx, ERR_USAGE, "CR or LF in the line");
	}
	size_t vlen = strcspn(line, " \t");
	verb.p = line;
	verb.len = vlen;
	for (int i = 0; refused[i]; i++)
		if (verb.len == strlen(refused[i]) &&
		    strncasecmp(verb.p, refused[i], verb.len) == 0) {
			free(line);
			return cmd_error(ctx, ERR_USAGE, "%s needs more than one line; "
			                 "not available through quote", refused[i]);
		}
	/* AUTHINFO USER expects 381; other continuations are refused above
	 * or treated as out of step. */
	unsigned flags = NR_COLLECT;
	if (strncasecmp(line, "AUTHINFO USER", 13) == 0)
		flags |= NR_CONT;
	return nop_go(nop_new(ctx, line, flags, quote_done));
}

static const struct cmd_def nntp_cmds[] = {
	{ "groups", "[-d|--descriptions|-s|--subscribed] [WILDMAT]",
	  "list newsgroups: name high low status; -d: name, count, description; "
	  "-s: the subscribed ones with unread counts",
	  "-", 0, 2, run_groups },
	{ "newgroups", "[SINCE]", "groups created since SINCE (YYYY-MM-DD[THH:MM[:SS]] UTC, "
	  "or Nd, Nh, Nm ago; default 1d)", "-", 0, 1, nntp_run_newgroups },
	{ "group", "NAME", "select a newsgroup", "g", 1, 1, run_group },
	{ "listgroup", "[GROUP] [RANGE]", "list the article numbers of a group",
	  "g-", 0, 2, run_listgroup },
	{ "article", "[N|<message-id>...]", "print articles (headers and body), a blank line between two",
	  "-", 0, -1, run_article },
	{ "head", "[N|<message-id>...]", "print the headers of articles, a blank line between two",
	  "-", 0, -1, run_article },
	{ "body", "[N|<message-id>...]", "print the bodies of articles, a blank line between two",
	  "-", 0, -1, run_article },
	{ "read", "[N|<message-id>]",
	  "print an article decoded: main headers (RFC 2047), body (QP, base64, charset)",
	  "-", 0, 1, nntp_run_read },
	{ "save", "[-f] PART [FILE]",
	  "write the decoded bytes of a part (MIME, uuencode, yEnc) of the article read last "
	  "(default FILE: the part's file name; -f: replace FILE)", "-l", 1, 3,
	  nntp_run_save },
	{ "stat", "[N|<message-id>...]", "check that articles exist; print and select each",
	  "-", 0, -1, run_stat },
	{ "next", "", "show the next unread article (in a subscribed group; "
	  "elsewhere: move to the next article)", "-", 0, 0, run_next },
	{ "prev", "", "show the previous unread article (in a subscribed group; "
	  "elsewhere: move to the previous article)", "-", 0, 0, run_next },
	{ "over", "[RANGE|N|<message-id>]",
	  "print overview lines (RANGE: N, N-M or N-)", "-", 0, 1, run_over },
	{ "index", "[RANGE|unread|all]",
	  "one line per article, threaded: number, date, author, lines, subject "
	  "(default: unread if the group is in the .newsrc, else the last 100)",
	  "-", 0, 1, nntp_run_index },
	{ "thread", "[N]", "the index lines of the thread of article N (default: the current one)",
	  "-", 0, 1, nntp_run_index },
	{ "post", "[FILE]", "post FILE (header, blank line, body) as an article, or "
	  "compose one in $EDITOR", "l", 0, 1, nntp_run_post },
	{ "followup", "N|<message-id>", "compose a followup to an article in $EDITOR "
	  "(quoted, with Subject Re: and References) and post it", "-", 1, 1,
	  nntp_run_followup },
	{ "subscribe", "GROUP...", "subscribe to newsgroups (in the .newsrc)", "g", 1, -1,
	  nntp_run_subscribe },
	{ "unsubscribe", "GROUP...", "unsubscribe from newsgroups (in the .newsrc)", "g",
	  1, -1, nntp_run_subscribe },
	{ "catchup", "[GROUP]", "mark every article of the group (default: the current one) read",
	  "g", 0, 1, nntp_run_catchup },
	{ "hdr", "FIELD [RANGE|<message-id>]",
	  "print one header field of articles as the server sent it (HDR, else XHDR; "
	  "default: the current article)", "-", 1, 2, nntp_run_hdr },
	{ "search", "[--from|--subject] PATTERN [RANGE]",
	  "index lines of the articles whose subject or author holds PATTERN "
	  "(case-insensitive; default: all of the group)", "-", 1, 3, nntp_run_search },
	{ "newnews", "[WILDMAT] [SINCE]", "message-ids of articles since SINCE in the groups "
	  "of WILDMAT (default: the current group, 1d)", "g-", 0, 2, nntp_run_newnews },
	{ "capabilities", "", "print the server's capabilities", "-", 0, 0,
	  run_capabilities },
	{ "tls", "", "show the connection's TLS: version, cipher, certificate",
	  "-", 0, 0, nntp_run_tls },
	{ "date", "", "print the server's date and time (UTC)", "-", 0, 0, run_date },
	{ "quote", "LINE...", "send one raw command line and print the whole reply",
	  "-", 1, -1, run_quote },
};

static const struct proto_scheme nntp_schemes[] = {
	{ "nntp", 119, TLS_AUTO },
	{ "news", 119, TLS_AUTO },
	{ "nntps", 563, TLS_IMPLICIT },
	{ "snews", 563, TLS_IMPLICIT },
	{ NULL, 0, TLS_AUTO },
};

/* read through $PAGER at a terminal.  Not next/prev: outside a subscribed
 * group they print one line, which a pager would hold on the screen. */
static const char *const nntp_paged[] = { "read", NULL };

const struct proto_desc nntp_proto = {
	.name = "nntp",
	.schemes = nntp_schemes,
	.tls_setting = "nntp:tls",
	.url_path = "GROUP",
	.default_server_help = "$NNTPSERVER (HOST or HOST:PORT)",
	.style = PP_NNTP,
	.ops = &nntp_ops,
	.cmds = nntp_cmds,
	.ncmds = sizeof(nntp_cmds) / sizeof(nntp_cmds[0]),
	.paged = nntp_paged,
};
