/* nntp_lists.c - the server's lists beyond the active one: `newgroups
 * [SINCE]`, `newnews [WILDMAT] [SINCE]` (the server's lines as sent),
 * `groups -d [WILDMAT]` (LIST ACTIVE merged with LIST NEWSGROUPS: name,
 * article count, description), and `tls` (tlsshow.h) for the connection
 * a command runs on.
 *
 * SINCE is "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" (UTC) or an age "N" with
 * "d", "h" or "m" (days, hours, minutes ago); the default is 1d.
 */
#include "nntp_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "op.h"
#include "session.h"
#include "tlsshow.h"
#include "ui.h"

/* ---- tls ------------------------------------------------------------------ */

int nntp_run_tls(struct cmdctx *ctx)
{
	struct session *s = ctx->sess;
	int r = tlsshow_print(ctx, s->conn);

	if (r == ERR_FAIL)
		return cmd_error(ctx, ERR_FAIL, "no TLS: the connection to %s is in clear "
		                 "(nntps:// or set nntp:tls require)", s->host);
	return r == ERR_PIPE ? 0 : r;
}

/* ---- SINCE --------------------------------------------------------------- */

/* SINCE as typed into "yyyymmdd hhmmss GMT" (out: 24 bytes at least):
 * 0 or ERR_USAGE. */
static int since_parse(const char *a, time_t now, char *out, size_t cap)
{
	struct tm tm = { 0 };
	time_t t;
	size_t len = strlen(a);
	char unit = len ? a[len - 1] : 0;
	uint64_t n;

	if ((unit == 'd' || unit == 'h' || unit == 'm') && len > 1 &&
	    nntp_parse_u64(a, len - 1, &n) == 0 && n <= 100000) {
		uint64_t secs = n * (unit == 'd' ? 86400 : unit == 'h' ? 3600 : 60);
		t = now - (time_t)secs;
		if (!gmtime_r(&t, &tm))
			return ERR_USAGE;
	} else {
		int y, mo, d, h = 0, mi = 0, s = 0, used = 0;
		if (sscanf(a, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3)
			return ERR_USAGE;
		if (a[used] == 'T') {
			int u2 = 0;
			if (sscanf(a + used, "T%2d:%2d%n", &h, &mi, &u2) != 2)
				return ERR_USAGE;
			used += u2;
			if (a[used] == ':') {
				if (sscanf(a + used, ":%2d%n", &s, &u2) != 1)
					return ERR_USAGE;
				used += u2;
			}
		}
		if (a[used] || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
		    h > 23 || mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0)
			return ERR_USAGE;
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = s;
	}
	if (!strftime(out, cap, "%Y%m%d %H%M%S GMT", &tm))
		return ERR_USAGE;
	return 0;
}

static bool since_ok(const char *a)
{
	char tmp[32];
	return since_parse(a, time(NULL), tmp, sizeof(tmp)) == 0;
}

#define SINCE_HINT "SINCE: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (UTC), or Nd, Nh, Nm ago"

/* ---- newgroups, newnews ----------------------------------------------------- */

static void list_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	int want = strcmp(op->o.ctx->def->name, "newgroups") == 0 ? 231 : 230;

	op->rq = NULL;
	if (err < 0 || r->code != want) {
		nop_fail(op, err, r);
		return;
	}
	op_finish(&op->o, 0);
}

int nntp_run_newgroups(struct cmdctx *ctx)
{
	char when[32];

	if (since_parse(ctx->argc > 1 ? ctx->argv[1] : "1d", time(NULL), when,
	                sizeof(when)) < 0)
		return cmd_error(ctx, ERR_USAGE, "bad date; " SINCE_HINT);
	struct nop *op = nop_new(ctx, xasprintf("NEWGROUPS %s", when), NR_AUTH_RETRY,
	                         list_done);
	op->on_line = nop_print_line;
	op->what = "listing";
	return nop_go(op);
}

int nntp_run_newnews(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *wm = NULL, *since = "1d";
	char when[32];

	if (ctx->argc == 3) {
		wm = ctx->argv[1];
		since = ctx->argv[2];
	} else if (ctx->argc == 2) {
		if (since_ok(ctx->argv[1]))
			since = ctx->argv[1];
		else
			wm = ctx->argv[1];
	}
	if (!wm)
		wm = n->group ? n->group : "*";
	if (!nntp_wildmat_valid(wm, strlen(wm)))
		return cmd_error(ctx, ERR_USAGE, "not a valid wildmat");
	if (since_parse(since, time(NULL), when, sizeof(when)) < 0)
		return cmd_error(ctx, ERR_USAGE, "bad date; " SINCE_HINT);
	struct nop *op = nop_new(ctx, xasprintf("NEWNEWS %s %s", wm, when), NR_AUTH_RETRY,
	                         list_done);
	op->on_line = nop_print_line;
	op->what = "listing";
	return nop_go(op);
}

/* ---- groups -d: LIST ACTIVE and LIST NEWSGROUPS merged ------------------------ */

/* Lines kept (NUL-separated) past which a listing is refused. */
#define DESC_MAX_BYTES ((size_t)64 << 20)

struct gdesc {
	char *wm;                /* the wildmat, or NULL */
	struct buf act, desc;    /* lines, each ending in '\0' */
	size_t nact, ndesc;
	bool second;             /* LIST NEWSGROUPS under way */
};

static void gdesc_free(void *p)
{
	struct gdesc *g = p;
	if (!g)
		return;
	buf_clear(&g->act);
	buf_clear(&g->desc);
	free(g->wm);
	free(g);
}

static int gdesc_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;
	struct gdesc *g = op->ext;
	struct buf *b = g->second ? &g->desc : &g->act;

	if (memchr(line, '\0', len) || buf_append(b, line, len) < 0 ||
	    buf_append(b, "", 1) < 0)
		return ERR_TOOLONG;
	if (g->second)
		g->ndesc++;
	else
		g->nact++;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t lx = strcspn(x, " \t"), ly = strcspn(y, " \t");
	int c = strncmp(x, y, lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

static const char **index_lines(const struct buf *b, size_t n)
{
	const char **v = xcalloc(n + 1, sizeof(*v));
	const char *p = buf_peek(b);
	for (size_t i = 0; i < n; i++) {
		v[i] = p;
		p += strlen(p) + 1;
	}
	qsort(v, n, sizeof(*v), cmp_name);
	return v;
}

static int gdesc_print(struct nop *op)
{
	struct gdesc *g = op->ext;
	struct cmdctx *ctx = op->o.ctx;
	const char **act = index_lines(&g->act, g->nact);
	const char **desc = index_lines(&g->desc, g->ndesc);
	size_t j = 0;
	int err = 0;

	for (size_t i = 0; i < g->nact && !err; i++) {
		const char *l = act[i];
		size_t nl = strcspn(l, " \t");
		uint64_t high = 0, low = 0, count = 0;
		const char *p = l + nl;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t hl = strcspn(p, " \t");
		if (nntp_parse_u64(p, hl, &high) == 0) {
			const char *q = p + hl;
			while (*q == ' ' || *q == '\t')
				q++;
			if (nntp_parse_u64(q, strcspn(q, " \t"), &low) == 0 && high >= low)
				count = high - low + 1;
		}
		while (j < g->ndesc && cmp_name(&desc[j], &act[i]) < 0)
			j++;
		const char *d = "";
		if (j < g->ndesc && cmp_name(&desc[j], &act[i]) == 0) {
			d = desc[j] + strcspn(desc[j], " \t");
			while (*d == ' ' || *d == '\t')
				d++;
		}
		char *en = ui_escape_str(l, nl), *ed = ui_escape_str(d, strlen(d));
		err = *ed ? cmd_printf(ctx, "%-30s %8" PRIu64 "  %s", en, count, ed) :
		            cmd_printf(ctx, "%-30s %8" PRIu64, en, count);
		free(en);
		free(ed);
	}
	free(act);
	free(desc);
	return err == ERR_PIPE ? 0 : err;
}

static void gdesc_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct gdesc *g = op->ext;

	op->rq = NULL;
	if (err == ERR_TOOLONG) {
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_PROTO, "the list is too long; "
		                            "give a WILDMAT"));
		return;
	}
	if (err < 0 || r->code != 215) {
		/* No descriptions to be had: the names and counts alone. */
		if (g->second && !err && r->code >= 500) {
			op_finish(&op->o, gdesc_print(op));
			return;
		}
		nop_fail(op, err, r);
		return;
	}
	if (g->second) {
		op_finish(&op->o, gdesc_print(op));
		return;
	}
	g->second = true;
	nop_then(op, g->wm ? xasprintf("LIST NEWSGROUPS %s", g->wm) : xstrdup("LIST NEWSGROUPS"),
	         gdesc_done, gdesc_line);
}

int nntp_run_groups_desc(struct cmdctx *ctx, const char *wm)
{
	struct nntp *n = ctx->sess->pdata;

	if (wm && !nntp_wildmat_valid(wm, strlen(wm)))
		return cmd_error(ctx, ERR_USAGE, "not a valid wildmat");
	struct gdesc *g = xcalloc(1, sizeof(*g));
	buf_init(&g->act, DESC_MAX_BYTES);
	buf_init(&g->desc, DESC_MAX_BYTES);
	g->wm = wm ? xstrdup(wm) : NULL;
	char *line = wm ? xasprintf("LIST ACTIVE %s", wm) :
	                  xstrdup(n->legacy ? "LIST" : "LIST ACTIVE");
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, gdesc_done);
	op->ext = g;
	op->ext_free = gdesc_free;
	op->on_line = gdesc_line;
	op->what = "listing";
	return nop_go(op);
}
