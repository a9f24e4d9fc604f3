/* nntp_pipe.c - one command's requests pipelined (RFC 3977 3.5): at most
 * nntp:pipeline on the wire, the first alone until it is answered (a 480
 * is then met before a batch is behind it), replies handled in order.
 * index, over, hdr and article/head/body/stat batches share it; see
 * nntp_int.h. */
#include "nntp_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "err.h"
#include "op.h"
#include "session.h"

#define NPIPE_MAX 64
/* over, hdr and index ask for ranges in pieces of this many articles, so
 * several can be on the wire at once (nntp:pipeline) without one huge
 * reply; big enough that a fast server streams. */
#define NPIPE_CHUNK 20000

struct npipe {
	const struct npipe_ops *ops;
	pp_line_fn on_line;
	size_t next;                 /* the first request not sent yet */
	bool more;                   /* ops->line may give more */
	bool answered;               /* a first reply came */
	struct nreq *fly[NPIPE_MAX]; /* on the wire, oldest first */
	size_t idx[NPIPE_MAX];       /* their numbers */
	int nfly;
};

static void npipe_done(struct nreq *rq, int err, const struct pp_reply *r);

/* Forget the requests in flight from the i-th on. */
static void npipe_cancel_from(struct nop *op, int i)
{
	struct npipe *p = op->pipe;

	for (int k = i; k < p->nfly; k++)
		nreq_cancel(p->fly[k]);
	if (i < p->nfly)
		p->nfly = i;
	op->rq = p->nfly ? p->fly[0] : NULL;
}

/* Ctrl-C: the requests behind op->rq; nop_stop takes care of that one
 * (which is then no longer ours to cancel). */
static void npipe_stop_more(struct nop *op)
{
	npipe_cancel_from(op, 1);
	op->pipe->nfly = 0;
}

void npipe_free(struct nop *op)
{
	if (!op->pipe)
		return;
	npipe_cancel_from(op, 0);
	free(op->pipe);
	op->pipe = NULL;
}

/* Send while there is room.  0 or the error (with n->detail). */
static int npipe_fill(struct nop *op)
{
	struct npipe *p = op->pipe;
	long window = p->answered ? config_int(op->o.s->cfg, "nntp:pipeline") : 1;
	int err = 0;

	if (window > NPIPE_MAX)
		window = NPIPE_MAX;
	while (p->more && p->nfly < window) {
		char *line = p->ops->line(op, p->next);
		if (!line) {
			p->more = false;
			break;
		}
		struct nreq *rq = nreq_send(op->n, line, NR_AUTH_RETRY | NR_PIPE, npipe_done,
		                            op, p->on_line, &err);
		free(line);
		if (!rq)
			break;
		p->fly[p->nfly] = rq;
		p->idx[p->nfly++] = p->next++;
	}
	op->rq = p->nfly ? p->fly[0] : NULL;
	return err;
}

static void npipe_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct npipe *p = op->pipe;
	size_t i = 0;

	/* Replies come in order; a lost connection fails them in any. */
	for (int k = 0; k < p->nfly; k++)
		if (p->fly[k] == rq) {
			i = p->idx[k];
			memmove(p->fly + k, p->fly + k + 1, (size_t)(p->nfly - k - 1) * sizeof(p->fly[0]));
			memmove(p->idx + k, p->idx + k + 1, (size_t)(p->nfly - k - 1) * sizeof(p->idx[0]));
			p->nfly--;
			break;
		}
	op->rq = p->nfly ? p->fly[0] : NULL;
	p->answered = true;
	int st = p->ops->reply(op, i, err, r);
	if (st == 0) {
		st = npipe_fill(op);
		if (st < 0)
			st = cmd_error(op->o.ctx, st, "%s", op->n->detail);
	}
	if (st < 0) {
		npipe_cancel_from(op, 0);
		op_finish(&op->o, st);
		return;
	}
	if (!p->nfly)
		op_finish(&op->o, p->ops->end(op));
}

int npipe_start(struct nop *op)
{
	struct npipe *p = xcalloc(1, sizeof(*p));

	npipe_free(op);   /* a reconnect sends again */
	p->ops = op->pipe_ops;
	p->on_line = op->on_line;
	p->more = true;
	op->pipe = p;
	op->stop_more = npipe_stop_more;
	int err = npipe_fill(op);
	if (err < 0) {
		npipe_cancel_from(op, 0);
		return cmd_error(op->o.ctx, err, "%s", op->n->detail);
	}
	return 0;
}

/* ---- ranges ------------------------------------------------------------- */

char *nntp_range_line(const char *verb, const char *field, uint64_t lo, uint64_t hi,
                      bool open_end, size_t i)
{
	if (hi < lo || i > (hi - lo) / NPIPE_CHUNK)
		return NULL;
	uint64_t a = lo + (uint64_t)i * NPIPE_CHUNK;
	uint64_t b = hi - a < NPIPE_CHUNK ? hi : a + NPIPE_CHUNK - 1;
	bool last = b == hi;
	char r[48];

	if (last && open_end)
		snprintf(r, sizeof(r), "%" PRIu64 "-", a);
	else if (a == b)
		snprintf(r, sizeof(r), "%" PRIu64, a);
	else
		snprintf(r, sizeof(r), "%" PRIu64 "-%" PRIu64, a, b);
	return field ? xasprintf("%s %s %s", verb, field, r) : xasprintf("%s %s", verb, r);
}

/* over/hdr over a range: the pieces, and what came back. */
struct rlist {
	char *verb, *field, *raw;  /* raw: the range as typed, sent whole */
	uint64_t lo, hi;
	bool open_end;
	int ok;                     /* the reply code with lines */
	bool any;                   /* some piece had lines */
	char missing[512];          /* the last 423's text */
};

static void rlist_free(void *p)
{
	struct rlist *rl = p;
	if (!rl)
		return;
	free(rl->verb);
	free(rl->field);
	free(rl->raw);
	free(rl);
}

static char *rlist_line(struct nop *op, size_t i)
{
	struct rlist *rl = op->ext;

	if (rl->raw) {
		if (i)
			return NULL;
		return rl->field ? xasprintf("%s %s %s", rl->verb, rl->field, rl->raw) :
		                   xasprintf("%s %s", rl->verb, rl->raw);
	}
	return nntp_range_line(rl->verb, rl->field, rl->lo, rl->hi, rl->open_end, i);
}

static int rlist_reply(struct nop *op, size_t i, int err, const struct pp_reply *r)
{
	struct rlist *rl = op->ext;

	(void)i;
	if (!err && r->code == 423) {   /* nothing in this piece */
		nntp_note_reply(op->n, r);
		snprintf(rl->missing, sizeof(rl->missing), "%s", op->n->detail);
		return 0;
	}
	if (err < 0 || r->code != rl->ok)
		return nop_error(op, err, r);
	rl->any = true;
	return 0;
}

static int rlist_end(struct nop *op)
{
	struct rlist *rl = op->ext;

	if (rl->any)
		return 0;
	return cmd_error(op->o.ctx, ERR_NOTFOUND, "no articles in that range (%s)",
	                 rl->missing);
}

static const struct npipe_ops rlist_ops = {
	.line = rlist_line,
	.reply = rlist_reply,
	.end = rlist_end,
};

void nntp_range_listing(struct nop *op, const char *verb, const char *field,
                        const char *arg, const struct nntp_range *rg, int ok)
{
	struct nntp *n = op->n;
	struct rlist *rl = xcalloc(1, sizeof(*rl));

	rl->verb = xstrdup(verb);
	rl->field = field ? xstrdup(field) : NULL;
	rl->ok = ok;
	rl->lo = rg->low;
	rl->hi = rg->high;
	rl->open_end = rg->open;
	if (rg->open)   /* split up to the group's last article, if known */
		rl->hi = n->g_known && n->group && n->g_high >= rg->low ? n->g_high : rg->low;
	if (rl->hi < rl->lo || (!rg->open && rl->hi - rl->lo < NPIPE_CHUNK))
		rl->raw = xstrdup(arg);   /* one piece: as typed */
	op->ext = rl;
	op->ext_free = rlist_free;
	op->pipe_ops = &rlist_ops;
}
