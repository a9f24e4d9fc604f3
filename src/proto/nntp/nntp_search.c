/* nntp_search.c - `search [--from|--subject] PATTERN [RANGE]` and `hdr
 * FIELD [RANGE|<message-id>]`.
 *
 * search matches PATTERN as a substring of the decoded (RFC 2047) Subject
 * and From, ASCII letters without regard to case (the other letters as
 * they are, in UTF-8).  With HDR (RFC 3977) only the fields are fetched
 * and matched here, then the overview of the matching span; without it
 * the overview of the range is matched.  XPAT is not used: its wildmat is
 * matched by the server against the raw, encoded field, with its case.
 * The matches print as index lines (nntp_index_over), threaded.
 */
#include "nntp_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "newsrc.h"
#include "nmime.h"
#include "op.h"
#include "session.h"

enum { SF_SUBJECT = 1, SF_FROM = 2 };

struct srch {
	char *pat;
	unsigned fields;
	struct nntp_range rg;
	bool have_rg;
	uint64_t lo, hi;
	unsigned pending;        /* HDR fields still to ask for */
	uint64_t *hits;          /* HDR path: matching numbers, sorted */
	size_t nhits, cap;
	bool by_hdr;
};

static void srch_free(void *p)
{
	struct srch *sr = p;
	if (!sr)
		return;
	free(sr->pat);
	free(sr->hits);
	free(sr);
}

static bool holds(const char *text, const char *pat)
{
	size_t pl = strlen(pat);
	for (; *text; text++)
		if (strncasecmp(text, pat, pl) == 0)
			return true;
	return pl == 0;
}

static bool has_hit(const struct srch *sr, uint64_t num)
{
	size_t lo = 0, hi = sr->nhits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sr->hits[mid] == num)
			return true;
		if (sr->hits[mid] < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool srch_keep(void *arg, uint64_t num, const char *subject, const char *from)
{
	struct srch *sr = arg;

	if (sr->by_hdr)
		return has_hit(sr, num);
	return ((sr->fields & SF_SUBJECT) && holds(subject, sr->pat)) ||
	       ((sr->fields & SF_FROM) && holds(from, sr->pat));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* "N value": decoded and matched; a match is kept. */
static int srch_hdr_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;
	struct srch *sr = op->ext;
	size_t nl = strcspn(line, " \t");
	uint64_t num;
	struct buf v;

	if (nl >= len || nntp_parse_u64(line, nl, &num) < 0 || num == 0)
		return 0;
	buf_init(&v, 64 * 1024);
	(void)nmime_decode_header(line + nl + 1, len - nl - 1, &v);
	buf_append(&v, "", 1);
	bool m = holds(buf_peek(&v), sr->pat);
	buf_clear(&v);
	if (!m || (sr->nhits && sr->hits[sr->nhits - 1] == num))
		return 0;
	if (sr->nhits == sr->cap) {
		sr->cap = sr->cap ? sr->cap * 2 : 64;
		sr->hits = xrealloc(sr->hits, sr->cap * sizeof(*sr->hits));
	}
	sr->hits[sr->nhits++] = num;
	return 0;
}

static void srch_over(struct nop *op)
{
	struct srch *sr = op->ext;
	struct nntp_ix_keep k = { srch_keep, sr, srch_free };
	uint64_t lo = sr->lo, hi = sr->hi;

	if (sr->by_hdr) {
		if (!sr->nhits) {
			op_finish(&op->o, 0);   /* nothing matches */
			return;
		}
		qsort(sr->hits, sr->nhits, sizeof(*sr->hits), cmp_u64);
		lo = sr->hits[0];
		hi = sr->hits[sr->nhits - 1];
	}
	/* The index takes sr over (k.arg_free). */
	op->ext_free = NULL;
	nntp_index_over(op, lo, hi, &k);
}

static void srch_hdr_done(struct nreq *rq, int err, const struct pp_reply *r);

static void srch_next_hdr(struct nop *op)
{
	struct srch *sr = op->ext;

	if (!sr->pending) {
		srch_over(op);
		return;
	}
	const char *field = (sr->pending & SF_SUBJECT) ? "Subject" : "From";
	sr->pending &= (sr->pending & SF_SUBJECT) ? ~(unsigned)SF_SUBJECT : ~(unsigned)SF_FROM;
	nop_then(op, xasprintf("HDR %s %" PRIu64 "-%" PRIu64, field, sr->lo, sr->hi),
	         srch_hdr_done, srch_hdr_line);
}

static void srch_hdr_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;

	op->rq = NULL;
	if (!err && r->code == 423) {   /* no articles in the range */
		op_finish(&op->o, 0);
		return;
	}
	if (err < 0 || r->code != 225) {
		nop_fail(op, err, r);
		return;
	}
	srch_next_hdr(op);
}

static void srch_group_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct srch *sr = op->ext;
	struct nntp *n = op->n;
	struct nntp_group g;

	op->rq = NULL;
	if (!nop_take_group(op, err, r, &g))
		return;
	sr->lo = g.low;
	sr->hi = g.high > NRANGE_ART_MAX ? NRANGE_ART_MAX : g.high;
	if (sr->have_rg) {
		if (sr->rg.low > sr->lo)
			sr->lo = sr->rg.low;
		if (!sr->rg.open && sr->rg.high < sr->hi)
			sr->hi = sr->rg.high;
	}
	if (g.empty || sr->lo > sr->hi || sr->lo == 0) {
		op_finish(&op->o, 0);
		return;
	}
	sr->by_hdr = n->caps.hdr;
	sr->pending = sr->by_hdr ? sr->fields : 0;
	srch_next_hdr(op);
}

int nntp_run_search(struct cmdctx *ctx)
{
	unsigned fields = SF_SUBJECT | SF_FROM;
	int i = 1;

	if (strcmp(ctx->argv[i], "--from") == 0 || strcmp(ctx->argv[i], "--subject") == 0) {
		fields = ctx->argv[i][2] == 'f' ? SF_FROM : SF_SUBJECT;
		i++;
	}
	if (i >= ctx->argc || ctx->argc - i > 2)
		return cmd_error(ctx, ERR_USAGE, "usage: search %s", ctx->def->args);
	struct srch *sr = xcalloc(1, sizeof(*sr));
	sr->fields = fields;
	sr->pat = xstrdup(ctx->argv[i]);
	if (i + 1 < ctx->argc) {
		if (nntp_parse_range(ctx->argv[i + 1], &sr->rg) < 0) {
			srch_free(sr);
			return cmd_error(ctx, ERR_USAGE, "bad range (N, N-M or N-)");
		}
		sr->have_rg = true;
	}
	return nop_go_group(ctx, srch_group_done, sr, srch_free);
}

/* ---- hdr FIELD [RANGE|<message-id>] ---------------------------------------- */

static void hdr_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	int want = strncmp(op->line, "HDR", 3) == 0 ? 225 : 221;

	op->rq = NULL;
	if (err < 0 || r->code != want) {
		if (!err && r->code == 430) {
			nop_fail_missing(op, err, r, 430, "no such article");
			return;
		}
		nop_fail_missing(op, err, r, 423, "no articles in that range");
		return;
	}
	op_finish(&op->o, 0);
}

int nntp_run_hdr(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *field = ctx->argv[1];
	const char *a = ctx->argc > 2 ? ctx->argv[2] : NULL;
	struct nntp_range rg;

	for (const char *p = field; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return cmd_error(ctx, ERR_USAGE, "not a header field name");
	if (a && a[0] == '<' && !nntp_msgid_valid(a, strlen(a)))
		return cmd_error(ctx, ERR_USAGE, "not a valid <message-id>");
	if (a && a[0] != '<' && nntp_parse_range(a, &rg) < 0)
		return cmd_error(ctx, ERR_USAGE, "bad range (N, N-M or N-) or <message-id>");
	const char *verb = n->caps.hdr ? "HDR" : "XHDR";
	char *line = a ? xasprintf("%s %s %s", verb, field, a) : xasprintf("%s %s", verb, field);
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, hdr_done);
	op->on_line = nop_print_line;
	op->what = "listing";
	if (a && a[0] != '<')
		nntp_range_listing(op, verb, field, a, &rg, n->caps.hdr ? 225 : 221);
	return nop_go(op);
}
