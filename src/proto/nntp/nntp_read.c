/* nntp_read.c - the reader's side of NNTP: the .newsrc of each server
 * (newsrc.h), what was read, subscribe/unsubscribe/catchup, the unread
 * counts, and `index`, the threaded summary of a group (nthread.h, with
 * headers decoded by nmime.h).
 *
 * .newsrc: one per server (host and port), shared by every connection to
 * it, read at the first command that needs it (never at start-up: an FTP
 * user never touches it) and written atomically after each change, and
 * once more when the last connection to the server closes.  ~/.newsrc
 * belongs to the default server: the one $NNTPSERVER names, else the
 * first NNTP session opened; the others get newsrc_path()'s
 * ~/.newsrc-HOST[+PORT], the name tin gives them.
 */
#include "nntp_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "newsrc.h"
#include "nmime.h"
#include "nthread.h"
#include "op.h"
#include "session.h"
#include "sink.h"
#include "ui.h"

/* ---- the .newsrc of a server ------------------------------------------ */

struct nsrv {
	struct nsrv *next;
	char *host;
	int port;
	int refs;                /* struct nntp attached */
	bool loaded;             /* nr holds the file (or it was missing) */
	char *path;              /* NULL: no $HOME */
	struct newsrc nr;
	char *last_read;         /* <message-id> read showed last (save) */
};

static struct nsrv *srvs;
/* The first NNTP server opened ("host" and port), when $NNTPSERVER names
 * none: its file is ~/.newsrc for the rest of the process. */
static char *first_host;
static int first_port;

static bool std_port(int port)
{
	return port == 0 || port == 119 || port == 563;
}

/* Is host:port the default server?  $NNTPSERVER ("HOST" or "HOST:PORT")
 * when set; else the first NNTP server of this process. */
static bool srv_is_default(const char *host, int port)
{
	const char *env = getenv("NNTPSERVER");

	if (env && *env) {
		/* "host", "host:port", "[v6]" or "[v6]:port" */
		const char *end = env[0] == '[' ? strchr(env, ']') : NULL;
		const char *colon = end ? (end[1] == ':' ? end + 1 : NULL) : strchr(env, ':');
		size_t hl = colon ? (size_t)(colon - env) : strlen(env);
		int eport = colon ? atoi(colon + 1) : 0;
		if (end) {
			env++;
			hl = (size_t)(end - env);
		}
		if (strlen(host) != hl || strncasecmp(host, env, hl) != 0)
			return false;
		return eport ? eport == port : std_port(port);
	}
	return first_host && strcasecmp(first_host, host) == 0 &&
	       (first_port == port || (std_port(first_port) && std_port(port)));
}

void nntp_srv_attach(struct nntp *n)
{
	struct session *s = n->s;
	struct nsrv *sv;

	if (!first_host) {
		first_host = xstrdup(s->host);
		first_port = s->port;
	}
	for (sv = srvs; sv; sv = sv->next)
		if (sv->port == s->port && strcasecmp(sv->host, s->host) == 0)
			break;
	if (!sv) {
		sv = xcalloc(1, sizeof(*sv));
		sv->host = xstrdup(s->host);
		sv->port = s->port;
		newsrc_init(&sv->nr);
		sv->next = srvs;
		srvs = sv;
	}
	sv->refs++;
	n->srv = sv;
}

static int srv_save(struct nsrv *sv)
{
	if (!sv->loaded || !sv->nr.dirty || !sv->path)
		return 0;
	return newsrc_save(&sv->nr, sv->path);
}

void nntp_srv_detach(struct nntp *n)
{
	struct nsrv *sv = n->srv, **pp;

	n->srv = NULL;
	if (!sv || --sv->refs > 0)
		return;
	if (srv_save(sv) < 0)
		ui_error("cannot save %s: %s", sv->path, sv->nr.why);
	for (pp = &srvs; *pp; pp = &(*pp)->next)
		if (*pp == sv) {
			*pp = sv->next;
			break;
		}
	newsrc_clear(&sv->nr);
	free(sv->last_read);
	free(sv->path);
	free(sv->host);
	free(sv);
}

/* The server's newsrc, read now if it was not; NULL with *why when it
 * cannot be (no $HOME, unreadable). */
static struct newsrc *srv_newsrc(struct nntp *n, const char **why)
{
	struct nsrv *sv = n->srv;

	if (!sv) {
		*why = "no newsrc";
		return NULL;
	}
	if (!sv->loaded) {
		if (!sv->path)
			sv->path = newsrc_path(sv->host, sv->port,
			                       srv_is_default(sv->host, sv->port));
		if (!sv->path) {
			*why = "no .newsrc file name (is $HOME set?)";
			return NULL;
		}
		if (newsrc_load(sv->path, &sv->nr) < 0) {
			*why = sv->nr.why;
			return NULL;
		}
		sv->loaded = true;
	}
	return &sv->nr;
}

const char *nntp_last_read(struct nntp *n)
{
	return n->srv ? n->srv->last_read : NULL;
}

/* Save after a change: 0, or ERR_LOCAL with *why. */
static int srv_commit(struct nntp *n, const char **why)
{
	int err = srv_save(n->srv);
	if (err < 0)
		*why = n->srv->nr.why;
	return err;
}

void nntp_mark_read(struct nntp *n, uint64_t num)
{
	const char *why;
	struct newsrc *nr;

	if (!n->group || num == 0 || num > NRANGE_ART_MAX)
		return;
	nr = srv_newsrc(n, &why);
	if (!nr) {
		ui_error("warning: not marked read: %s", why);
		return;
	}
	if (newsrc_mark_read(nr, n->group, num, num) < 0) {
		ui_error("warning: not marked read: %s", nr->why[0] ? nr->why :
		         "the group's line in the .newsrc is not understood");
		return;
	}
	if (srv_commit(n, &why) < 0)
		ui_error("warning: cannot save the .newsrc: %s", why);
}

int nntp_print_group(struct nop *op, const char *name, const struct nntp_group *g)
{
	struct cmdctx *ctx = op->o.ctx;
	const char *why;
	char *e = g->name.len ? ui_escape_str(g->name.p, g->name.len) :
	                        ui_escape_str(name, strlen(name));
	char unread[48] = "";
	struct newsrc *nr = srv_newsrc(op->n, &why);
	const struct newsrc_group *ng = nr ? newsrc_find(nr, name) : NULL;

	if (!nr)
		ui_error("warning: %s", why);
	if (ng && !ng->bad)
		snprintf(unread, sizeof(unread), ", %" PRIu64 " unread",
		         g->empty ? 0 : nrange_unread(&ng->read, g->low, g->high));
	/* Counts as the server gave them, also for an empty group (whose
	 * numbers say where the next article will go). */
	if (g->empty)
		cmd_printf(ctx, "%s: 0 articles (first %" PRIu64 ", last %" PRIu64 ")%s",
		           e, g->low, g->high, unread);
	else
		cmd_printf(ctx, "%s: %" PRIu64 " article%s, %" PRIu64 "-%" PRIu64 "%s", e,
		           g->count, g->count == 1 ? "" : "s", g->low, g->high, unread);
	free(e);
	return 0;
}

/* ---- subscribe, unsubscribe ------------------------------------------- */

int nntp_run_subscribe(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	bool on = strcmp(ctx->def->name, "subscribe") == 0;
	const char *why;
	struct newsrc *nr = srv_newsrc(n, &why);
	int err = 0;

	if (!nr)
		return cmd_error(ctx, ERR_LOCAL, "%s", why);
	for (int i = 1; i < ctx->argc; i++) {
		const char *g = ctx->argv[i];
		if (!nntp_group_valid(g, strlen(g)) || newsrc_subscribe(nr, g, on) < 0) {
			char *e = ui_escape_str(g, strlen(g));
			err = cmd_error(ctx, ERR_USAGE, "%s: not a valid newsgroup name", e);
			free(e);
		}
	}
	if (srv_commit(n, &why) < 0)
		return cmd_error(ctx, ERR_LOCAL, "cannot save: %s", why);
	return err;
}

/* ---- catchup [GROUP] --------------------------------------------------- */

struct catchup {
	uint64_t high;
	bool found;
	bool empty;
};

/* LIST ACTIVE GROUP: "name high low status". */
static int catchup_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;
	struct catchup *c = op->ext;
	size_t nl = strcspn(line, " \t");
	const char *name = op->name;

	if (nl != strlen(name) || strncmp(line, name, nl) != 0 || nl >= len)
		return 0;
	const char *p = line + nl + 1;
	size_t hl = strcspn(p, " \t");
	uint64_t high, low;
	if (nntp_parse_u64(p, hl, &high) < 0 || !p[hl])
		return 0;
	const char *q = p + hl + 1;
	if (nntp_parse_u64(q, strcspn(q, " \t"), &low) < 0)
		return 0;
	c->found = true;
	c->high = high;
	c->empty = high < low;
	return 0;
}

static void catchup_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct catchup *c = op->ext;
	struct nntp_group g;
	const char *why;

	op->rq = NULL;
	if (!err && r->code == 211 && nntp_parse_group(r->text, r->len, &g) == 0) {
		nntp_set_group(op->n, op->name, &g);
		c->found = true;
		c->high = g.high;
		c->empty = g.empty;
	} else if (err < 0 || r->code != 215) {
		nop_group_fail(op, err, r);
		return;
	}
	if (!c->found) {
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_NOTFOUND, "%s: no such group",
		                            op->name));
		return;
	}
	struct newsrc *nr = srv_newsrc(op->n, &why);
	if (!nr) {
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_LOCAL, "%s", why));
		return;
	}
	/* An empty group's high is below its low: everything up to it is
	 * gone or read alike. */
	if (c->high > NRANGE_ART_MAX)
		c->high = NRANGE_ART_MAX;
	if (newsrc_catchup(nr, op->name, c->high) < 0) {
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_LOCAL, "%s", nr->why[0] ? nr->why :
		                            "cannot mark the articles read"));
		return;
	}
	if (srv_commit(op->n, &why) < 0) {
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_LOCAL, "cannot save: %s", why));
		return;
	}
	op_finish(&op->o, 0);
}

int nntp_run_catchup(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *g = ctx->argc > 1 ? ctx->argv[1] : n->group;

	if (!g)
		return cmd_error(ctx, ERR_FAIL, "no newsgroup selected; "
		                 "use `group NAME` or `catchup GROUP`");
	if (!nntp_group_valid(g, strlen(g)))
		return cmd_error(ctx, ERR_USAGE, "not a valid newsgroup name");
	/* LIST ACTIVE leaves the selected group alone; an old server
	 * without it gets GROUP. */
	char *line = n->legacy ? xasprintf("GROUP %s", g) : xasprintf("LIST ACTIVE %s", g);
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, catchup_done);
	op->name = xstrdup(g);
	op->ext = xcalloc(1, sizeof(struct catchup));
	op->ext_free = free;
	if (!n->legacy)
		op->on_line = catchup_line;
	op->what = "listing";
	return nop_go(op);
}

/* ---- groups --subscribed ------------------------------------------------ */

struct subl {
	struct newsrc *nr;
	size_t next;             /* next group of nr->groups to ask about */
	/* Per group of nr (by index): the active line's numbers. */
	uint64_t *high, *low;
	bool *seen;
};

static void subl_free(void *p)
{
	struct subl *sl = p;
	if (!sl)
		return;
	free(sl->high);
	free(sl->low);
	free(sl->seen);
	free(sl);
}

static int subl_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;
	struct subl *sl = op->ext;
	size_t nl = strcspn(line, " \t");
	uint64_t high, low;

	if (nl >= len)
		return 0;
	const char *p = line + nl + 1;
	size_t hl = strcspn(p, " \t");
	if (nntp_parse_u64(p, hl, &high) < 0 || !p[hl])
		return 0;
	const char *q = p + hl + 1;
	if (nntp_parse_u64(q, strcspn(q, " \t"), &low) < 0)
		return 0;
	char *name = xstrndup(line, nl);
	const struct newsrc_group *g = newsrc_find(sl->nr, name);
	free(name);
	if (!g)
		return 0;
	for (size_t i = 0; i < sl->nr->ngroups; i++)
		if (sl->nr->groups[i] == g) {
			sl->high[i] = high;
			sl->low[i] = low;
			sl->seen[i] = true;
			break;
		}
	return 0;
}

/* The next batch of subscribed groups as one wildmat ("a,b,c"), short
 * enough for a command line; NULL when none is left. */
static char *subl_batch(struct subl *sl)
{
	struct buf b;
	buf_init(&b, 400);
	for (; sl->next < sl->nr->ngroups; sl->next++) {
		const struct newsrc_group *g = sl->nr->groups[sl->next];
		if (!g->subscribed || !nntp_group_valid(g->name, strlen(g->name)))
			continue;
		size_t need = strlen(g->name) + (buf_avail(&b) ? 1 : 0);
		if (buf_avail(&b) && buf_avail(&b) + need > 400)
			break;
		if (buf_avail(&b))
			buf_append(&b, ",", 1);
		buf_appendstr(&b, g->name);
	}
	char *w = buf_avail(&b) ? xstrndup(buf_peek(&b), buf_avail(&b)) : NULL;
	buf_clear(&b);
	return w;
}

static void subl_print(struct nop *op)
{
	struct subl *sl = op->ext;
	struct cmdctx *ctx = op->o.ctx;

	for (size_t i = 0; i < sl->nr->ngroups; i++) {
		const struct newsrc_group *g = sl->nr->groups[i];
		if (!g->subscribed)
			continue;
		char *e = ui_escape_str(g->name, strlen(g->name));
		if (!sl->seen[i])
			cmd_printf(ctx, "%8s  %s (not on the server)", "-", e);
		else if (g->bad)
			cmd_printf(ctx, "%8s  %s (its .newsrc line is not understood)", "?", e);
		else
			cmd_printf(ctx, "%8" PRIu64 "  %s", sl->high[i] < sl->low[i] ? 0 :
			           nrange_unread(&g->read, sl->low[i], sl->high[i]), e);
		free(e);
	}
}

static void subl_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct subl *sl = op->ext;

	op->rq = NULL;
	if (err < 0 || r->code != 215) {
		nop_fail(op, err, r);
		return;
	}
	char *w = op->n->legacy ? NULL : subl_batch(sl);
	if (!w) {
		subl_print(op);
		op_finish(&op->o, 0);
		return;
	}
	char *line = xasprintf("LIST ACTIVE %s", w);
	free(w);
	nop_then(op, line, subl_done, subl_line);
}

int nntp_run_subscribed(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *why;
	struct newsrc *nr = srv_newsrc(n, &why);

	if (!nr)
		return cmd_error(ctx, ERR_LOCAL, "%s", why);
	struct subl *sl = xcalloc(1, sizeof(*sl));
	sl->nr = nr;
	sl->high = xcalloc(nr->ngroups + 1, sizeof(*sl->high));
	sl->low = xcalloc(nr->ngroups + 1, sizeof(*sl->low));
	sl->seen = xcalloc(nr->ngroups + 1, sizeof(*sl->seen));
	/* A server without LIST ACTIVE WILDMAT gets one plain LIST. */
	char *w = n->legacy ? NULL : subl_batch(sl);
	if (!w && !n->legacy) {
		subl_free(sl);
		return 0;   /* nothing subscribed */
	}
	char *line = w ? xasprintf("LIST ACTIVE %s", w) : xstrdup("LIST");
	free(w);
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, subl_done);
	op->ext = sl;
	op->ext_free = subl_free;
	op->on_line = subl_line;
	op->what = "listing";
	return nop_go(op);
}

/* The status after writing to the output: its reader gone (ERR_PIPE) is
 * no failure, a write error is said once. */
static int out_status(struct cmdctx *ctx, int err)
{
	if (err == ERR_PIPE)
		return 0;
	return err < 0 ? cmd_error(ctx, err, "%s", sink_why(cmd_out(ctx))) : 0;
}

/* ---- a data block kept whole ------------------------------------------ */

/* The lines of a block, each followed by sep ('\0' or '\n'), bounded. */
struct lines {
	struct buf text;
	size_t n;
	char sep;
};

static void lines_init(struct lines *l, size_t max, char sep)
{
	buf_init(&l->text, max);
	l->n = 0;
	l->sep = sep;
}

static int lines_add(struct lines *l, const char *line, size_t len)
{
	if (buf_append(&l->text, line, len) < 0 || buf_append(&l->text, &l->sep, 1) < 0)
		return ERR_TOOLONG;
	l->n++;
	return 0;
}

/* ---- index ------------------------------------------------------------- */

/* Overview bytes kept for one index: far above any real group's. */
#define IX_MAX_BYTES ((size_t)512 << 20)
#define IX_LAST_DEFAULT 100

enum ix_mode { IX_DEFAULT, IX_ALL, IX_UNREAD, IX_RANGE };

struct ix {
	enum ix_mode mode;
	struct nntp_range rg;
	uint64_t lo, hi;         /* asked for */
	bool unread;             /* skip the read ones */
	uint64_t thread_of;      /* thread: only the thread of this article */
	struct lines ov;         /* the overview lines, NUL-separated */
	size_t bad;              /* lines not understood */
	struct nntp_ix_keep keep;   /* search: which lines to show */
	bool any;                /* some OVER range had articles (224) */
};

static void ix_free(void *p)
{
	struct ix *ix = p;
	if (!ix)
		return;
	buf_clear(&ix->ov.text);
	if (ix->keep.arg_free)
		ix->keep.arg_free(ix->keep.arg);
	free(ix);
}

static int ix_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;
	struct ix *ix = op->ext;

	op->printed = true;
	return lines_add(&ix->ov, line, len);
}

/* Is the locale's character set UTF-8?  (ferry keeps the C locale for
 * itself: the environment says what the terminal shows.) */
static bool locale_utf8(void)
{
	const char *v = getenv("LC_ALL");
	if (!v || !*v)
		v = getenv("LC_CTYPE");
	if (!v || !*v)
		v = getenv("LANG");
	if (!v)
		return false;
	for (; *v; v++)
		if (strncasecmp(v, "utf-8", 5) == 0 || strncasecmp(v, "utf8", 4) == 0)
			return true;
	return false;
}

static int term_width(void)
{
	int rows, cols;
	ui_stdout_size(&rows, &cols);
	return cols;
}

/* Display columns of UTF-8 text (a code point each, combining marks
 * none); the byte length of its first cols columns in *cut. */
static size_t text_cols(const char *s, size_t len, size_t cols, size_t *cut)
{
	size_t n = 0, i = 0;
	*cut = len;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		bool combining = k == 2 && c == 0xcc;   /* U+0300..U+033F */
		if (!combining) {
			if (n == cols) {
				*cut = i;
				break;
			}
			n++;
		}
		i += k;
	}
	return n;
}

/* Append s (escaped already) padded or cut to exactly w columns. */
static void put_col(struct buf *b, const char *s, size_t w)
{
	size_t cut, n = text_cols(s, strlen(s), w, &cut);
	buf_append(b, s, cut);
	for (; n < w; n++)
		buf_append(b, " ", 1);
}

/* The name part of a decoded From: "Name <addr>", "addr (Name)", addr. */
static void from_name(const char *f, size_t len, struct buf *out)
{
	const char *lt = memchr(f, '<', len);
	const char *p = f, *e = f + len;

	if (lt) {
		e = lt;
	} else {
		const char *op = memchr(f, '(', len);
		const char *cp = op ? memchr(op, ')', (size_t)(f + len - op)) : NULL;
		if (op && cp && cp > op + 1) {
			p = op + 1;
			e = cp;
		}
	}
	while (p < e && (*p == ' ' || *p == '\t' || *p == '"'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '"'))
		e--;
	if (p == e && lt) {   /* "<addr>" alone */
		p = lt + 1;
		const char *gt = memchr(p, '>', (size_t)(f + len - p));
		e = gt ? gt : f + len;
	}
	buf_append(out, p, (size_t)(e - p));
}

/* Decode a header field into b; returns its offset. */
static size_t decode_into(struct buf *b, struct nntp_span f)
{
	size_t off = buf_avail(b);
	/* Past the buffer's maximum what fits is shown. */
	(void)nmime_decode_header(f.p, f.len, b);
	buf_append(b, "", 1);
	return off;
}

static bool ix_is_read(uint64_t num, void *arg)
{
	const struct newsrc_group *g = arg;
	return g && nrange_has(&g->read, num);
}

static int ix_render(struct nop *op, const struct newsrc_group *ng)
{
	struct ix *ix = op->ext;
	struct cmdctx *ctx = op->o.ctx;
	bool term = sink_is_terminal(cmd_out(ctx));
	bool ascii = !locale_utf8();
	size_t width = term ? (size_t)term_width() : 0;
	struct nntp_over *ov = xcalloc(ix->ov.n + 1, sizeof(*ov));
	size_t n = 0, pos = 0;
	int err = 0, failed = 0;   /* failed: reported already */

	for (size_t i = 0; i < ix->ov.n; i++) {
		const char *line = buf_peek(&ix->ov.text) + pos;
		size_t len = strlen(line);
		pos += len + 1;
		if (nntp_parse_over(line, len, &ov[n]) < 0 || ov[n].num == 0 ||
		    ov[n].num > NRANGE_ART_MAX) {
			ix->bad++;
			continue;
		}
		if (ov[n].num < ix->lo || ov[n].num > ix->hi)
			continue;   /* not asked for */
		if (ix->unread && ix_is_read(ov[n].num, (void *)ng))
			continue;
		n++;
	}
	/* Decoded subjects and authors; the spans given to the threading
	 * point at the decoded subjects (gathering by subject must see
	 * through the encoding). */
	struct buf dec;
	buf_init(&dec, (size_t)1 << 30);
	size_t *subj = xcalloc(n + 1, sizeof(*subj));
	size_t *auth = xcalloc(n + 1, sizeof(*auth));
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		size_t mark = buf_avail(&dec);
		subj[kept] = decode_into(&dec, ov[i].f[NNTP_OV_SUBJECT]);
		struct buf a;
		buf_init(&a, 4096);
		nmime_decode_header(ov[i].f[NNTP_OV_FROM].p, ov[i].f[NNTP_OV_FROM].len, &a);
		buf_append(&a, "", 1);
		if (ix->keep.keep && !ix->keep.keep(ix->keep.arg, ov[i].num,
		                                    buf_peek(&dec) + subj[kept], buf_peek(&a))) {
			buf_clear(&a);
			dec.len = dec.off + mark;   /* not shown: its text goes */
			continue;
		}
		auth[kept] = buf_avail(&dec);
		from_name(buf_peek(&a), strlen(buf_peek(&a)), &dec);
		buf_append(&dec, "", 1);
		buf_clear(&a);
		ov[kept++] = ov[i];
	}
	n = kept;
	const char *d = buf_peek(&dec);
	for (size_t i = 0; i < n; i++) {
		ov[i].f[NNTP_OV_SUBJECT].p = d + subj[i];
		ov[i].f[NNTP_OV_SUBJECT].len = strlen(d + subj[i]);
	}
	struct nthread *t = NULL;
	if (n && nthread_new(&t, ov, n) < 0) {
		failed = cmd_error(ctx, ERR_TOOLONG, "too many articles to thread");
		goto out;
	}
	size_t nrows = 0, first = 0, count;
	const struct nthread_row *rows = t ? nthread_rows(t, &nrows) : NULL;
	if (ix->thread_of) {
		if (!t || nthread_thread_of(t, ix->thread_of, &first, &count) < 0) {
			failed = cmd_error(ctx, ERR_NOTFOUND, "article %" PRIu64 " is not in "
			                   "the overview", ix->thread_of);
			goto out;
		}
		nrows = first + count;
	}
	uint64_t maxnum = 0;
	for (size_t i = 0; i < n; i++)
		if (ov[i].num > maxnum)
			maxnum = ov[i].num;
	int numw = snprintf(NULL, 0, "%" PRIu64, maxnum);
	struct buf line;
	buf_init(&line, 1 << 20);
	for (size_t r = first; r < nrows && !err; r++) {
		const struct nthread_row *row = &rows[r];
		size_t a = row->art;
		char tmp[64], prefix[NTHREAD_PREFIX_SIZE];
		buf_reset(&line);
		if (a == NTHREAD_NONE) {
			snprintf(tmp, sizeof(tmp), "%*s ", numw, "");
		} else {
			snprintf(tmp, sizeof(tmp), "%*" PRIu64 " ", numw, ov[a].num);
		}
		buf_appendstr(&line, tmp);
		/* date */
		int64_t when;
		struct tm tm;
		time_t tt;
		if (a != NTHREAD_NONE &&
		    nthread_parse_date(ov[a].f[NNTP_OV_DATE].p, ov[a].f[NNTP_OV_DATE].len,
		                       &when) == 0 &&
		    (tt = (time_t)when, localtime_r(&tt, &tm)) &&
		    strftime(tmp, sizeof(tmp), "%Y-%m-%d", &tm) == 10)
			;
		else
			snprintf(tmp, sizeof(tmp), "%10s", "");
		buf_appendstr(&line, tmp);
		buf_append(&line, "  ", 2);
		/* author */
		char *e = a == NTHREAD_NONE ? xstrdup("") : ui_escape_str(d + auth[a], strlen(d + auth[a]));
		put_col(&line, e, 20);
		free(e);
		/* lines */
		if (a != NTHREAD_NONE && ov[a].has_lines && ov[a].lines < 1000000)
			snprintf(tmp, sizeof(tmp), " %6" PRIu64 "  ", ov[a].lines);
		else
			snprintf(tmp, sizeof(tmp), " %6s  ", "");
		buf_appendstr(&line, tmp);
		/* tree and subject */
		nthread_prefix(t, r, ascii, prefix, sizeof(prefix));
		buf_appendstr(&line, prefix);
		size_t sa = a == NTHREAD_NONE ? row->first : a;
		if (a == NTHREAD_NONE)
			buf_appendstr(&line, "[missing] ");
		e = sa < n ? ui_escape_str(d + subj[sa], strlen(d + subj[sa])) : xstrdup("");
		buf_appendstr(&line, e);
		free(e);
		size_t cut = buf_avail(&line);
		if (width)
			text_cols(buf_peek(&line), buf_avail(&line), width - 1, &cut);
		err = cmd_printf(ctx, "%.*s", (int)cut, buf_peek(&line));
	}
	buf_clear(&line);
	if (!err && ix->bad)
		ui_error("warning: %zu overview line%s not understood (skipped)", ix->bad,
		         ix->bad == 1 ? "" : "s");
out:
	nthread_free(t);
	buf_clear(&dec);
	free(subj);
	free(auth);
	free(ov);
	return failed ? failed : out_status(ctx, err);
}

/* The i-th OVER (or XOVER) range of IX_CHUNK articles, from ix->lo. */
static char *ix_over_line(struct nop *op, size_t i)
{
	struct ix *ix = op->ext;

	return nntp_range_line(op->n->caps.over ? "OVER" : "XOVER", NULL, ix->lo, ix->hi,
	                       false, i);
}

static int ix_over_reply(struct nop *op, size_t i, int err, const struct pp_reply *r)
{
	struct ix *ix = op->ext;

	(void)i;
	if (err < 0 || (r->code != 224 && r->code != 423)) {
		/* One range failed: the index would have a hole. */
		if (err == ERR_TOOLONG)
			return cmd_error(op->o.ctx, ERR_PROTO, "overview too large");
		return nop_error(op, err, r);
	}
	ix->any |= r->code == 224;   /* 423: nothing in that range */
	return 0;
}

static int ix_over_end(struct nop *op)
{
	struct ix *ix = op->ext;
	const char *why;

	if (!ix->any)   /* nothing in the whole range */
		return 0;
	struct newsrc *nr = srv_newsrc(op->n, &why);
	const struct newsrc_group *ng = nr ? newsrc_find(nr, op->name) : NULL;
	return ix_render(op, ng);
}

static const struct npipe_ops ix_over_ops = {
	.line = ix_over_line,
	.reply = ix_over_reply,
	.end = ix_over_end,
};

/* OVER (or XOVER) ix->lo-ix->hi, in ranges pipelined, then the index. */
static void ix_over(struct nop *op)
{
	int err;

	op->pipe_ops = &ix_over_ops;
	op->on_line = ix_line;
	err = npipe_start(op);
	if (err < 0)
		op_finish(&op->o, err);
}

static void ix_group_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct ix *ix = op->ext;
	struct nntp *n = op->n;
	struct nntp_group g;
	const char *why;

	op->rq = NULL;
	if (!nop_take_group(op, err, r, &g))
		return;
	if (g.empty || g.high > NRANGE_ART_MAX) {
		op_finish(&op->o, 0);
		return;
	}
	struct newsrc *nr = srv_newsrc(n, &why);
	const struct newsrc_group *ng = nr ? newsrc_find(nr, op->name) : NULL;
	enum ix_mode mode = ix->mode;
	if (mode == IX_DEFAULT)
		mode = ng ? IX_UNREAD : IX_RANGE;
	switch (mode) {
	case IX_ALL:
		ix->lo = g.low;
		ix->hi = g.high;
		break;
	case IX_UNREAD: {
		struct nrange_iter it;
		uint64_t first = 0;
		ix->unread = true;
		if (!ng || ng->bad) {
			ix->lo = g.low;
			ix->hi = g.high;
			ix->unread = false;
			break;
		}
		nrange_iter_init(&it, &ng->read, g.low, g.high);
		if (!nrange_iter_next(&it, &first)) {
			op_finish(&op->o, 0);   /* nothing unread */
			return;
		}
		ix->lo = first;
		ix->hi = g.high;
		break;
	}
	default:
		if (ix->mode == IX_DEFAULT) {
			ix->hi = g.high;
			ix->lo = g.high - g.low + 1 > IX_LAST_DEFAULT ?
			         g.high - IX_LAST_DEFAULT + 1 : g.low;
		} else {
			ix->lo = ix->rg.low;
			ix->hi = ix->rg.open ? g.high : ix->rg.high;
		}
		break;
	}
	if (ix->lo > ix->hi) {
		op_finish(&op->o, 0);
		return;
	}
	ix_over(op);
}

void nntp_index_over(struct nop *op, uint64_t lo, uint64_t hi,
                     const struct nntp_ix_keep *keep)
{
	struct ix *ix = xcalloc(1, sizeof(*ix));

	lines_init(&ix->ov, IX_MAX_BYTES, '\0');
	ix->mode = IX_RANGE;
	ix->lo = lo;
	ix->hi = hi;
	ix->keep = *keep;
	op->ext = ix;
	op->ext_free = ix_free;
	ix_over(op);
}

int nntp_run_index(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *a = ctx->argc > 1 ? ctx->argv[1] : NULL;
	struct ix *ix = xcalloc(1, sizeof(*ix));
	bool thread = strcmp(ctx->def->name, "thread") == 0;

	lines_init(&ix->ov, IX_MAX_BYTES, '\0');
	if (thread) {
		/* The thread of N (or of the current article), from the
		 * whole group's overview. */
		ix->mode = IX_ALL;
		ix->thread_of = n->have_cur ? n->cur : 0;
		if (a && (nntp_parse_u64(a, strlen(a), &ix->thread_of) < 0 ||
		          ix->thread_of == 0 || ix->thread_of > NRANGE_ART_MAX)) {
			ix_free(ix);
			return cmd_error(ctx, ERR_USAGE, "expected an article number");
		}
		if (!ix->thread_of) {
			ix_free(ix);
			return cmd_error(ctx, ERR_FAIL, "no current article; give a number");
		}
	} else if (!a)
		ix->mode = IX_DEFAULT;
	else if (strcmp(a, "all") == 0)
		ix->mode = IX_ALL;
	else if (strcmp(a, "unread") == 0)
		ix->mode = IX_UNREAD;
	else if (nntp_parse_range(a, &ix->rg) == 0)
		ix->mode = IX_RANGE;
	else {
		ix_free(ix);
		return cmd_error(ctx, ERR_USAGE, "expected N, N-M, N-, unread or all");
	}
	return nop_go_group(ctx, ix_group_done, ix, ix_free);
}

/* ---- read ---------------------------------------------------------------- */

/* Largest article read shows: far above any text article. */
#define READ_MAX_BYTES ((size_t)64 << 20)

/* The header fields read shows, in this order, decoded. */
static const char *const read_fields[] = {
	"From", "Newsgroups", "Followup-To", "Reply-To", "Subject", "Date", NULL,
};

static void lines_free(void *p)
{
	struct lines *l = p;
	if (!l)
		return;
	buf_clear(&l->text);
	free(l);
}

static int read_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;
	return lines_add(op->ext, line, len);
}

/* The value of header field name in head[0..len) (lines ending in '\n'),
 * folds included; false when absent. */
static bool header_get(const char *head, size_t len, const char *name,
                       struct nntp_span *val)
{
	size_t nl = strlen(name), pos = 0;

	while (pos < len) {
		const char *l = head + pos;
		const char *end = memchr(l, '\n', len - pos);
		size_t ll = end ? (size_t)(end - l) : len - pos;
		if (ll > nl && l[nl] == ':' && strncasecmp(l, name, nl) == 0) {
			const char *v = l + nl + 1;
			const char *e = l + ll;
			/* continuation lines */
			while (e < head + len && e + 1 < head + len &&
			       (e[1] == ' ' || e[1] == '\t')) {
				const char *n2 = memchr(e + 1, '\n', (size_t)(head + len - e - 1));
				e = n2 ? n2 : head + len;
			}
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			val->p = v;
			val->len = (size_t)(e - v);
			return true;
		}
		pos += ll + 1;
	}
	return false;
}

/* charset=NAME in a Content-Type value. */
static bool ct_charset(struct nntp_span ct, struct nntp_span *cs)
{
	for (size_t i = 0; i + 8 <= ct.len; i++) {
		if (strncasecmp(ct.p + i, "charset=", 8) != 0)
			continue;
		const char *p = ct.p + i + 8, *e = ct.p + ct.len;
		if (p < e && *p == '"')
			p++;
		const char *q = p;
		while (q < e && *q != '"' && *q != ';' && *q != ' ' && *q != '\t' && *q != '\n')
			q++;
		cs->p = p;
		cs->len = (size_t)(q - p);
		return cs->len > 0;
	}
	return false;
}

static bool span_is(struct nntp_span s, const char *word)
{
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s.len == strlen(word) && strncasecmp(s.p, word, s.len) == 0;
}

/* The article, decoded: chosen header fields (RFC 2047), a blank line, the
 * body undone from quoted-printable or base64 and converted from its
 * charset to UTF-8. */
static int read_show(struct nop *op, const char *art, size_t len)
{
	struct cmdctx *ctx = op->o.ctx;
	const char *sep = NULL;
	size_t hlen = len;
	struct nntp_span v, ct = { "", 0 }, cte = { "", 0 }, cs;
	struct buf out, tmp, conv;
	int err = 0;

	/* The blank line between header and body. */
	if (len && art[0] == '\n')
		sep = art;
	else
		for (size_t i = 0; i + 1 < len; i++)
			if (art[i] == '\n' && art[i + 1] == '\n') {
				sep = art + i + 1;
				break;
			}
	if (sep)
		hlen = (size_t)(sep - art);
	buf_init(&out, READ_MAX_BYTES * 2);
	buf_init(&tmp, READ_MAX_BYTES * 2);
	buf_init(&conv, READ_MAX_BYTES * 4);
	for (int i = 0; read_fields[i]; i++) {
		if (!header_get(art, hlen, read_fields[i], &v))
			continue;
		buf_appendf(&out, "%s: ", read_fields[i]);
		(void)nmime_decode_header(v.p, v.len, &out);
		buf_append(&out, "\n", 1);
	}
	header_get(art, hlen, "Content-Type", &ct);
	header_get(art, hlen, "Content-Transfer-Encoding", &cte);
	buf_append(&out, "\n", 1);
	const char *body = sep ? sep + 1 : art + len;
	size_t blen = (size_t)(art + len - body);
	if (nntp_parts_render(art, len, &out))
		goto show;
	bool multipart = ct.len >= 10 && strncasecmp(ct.p, "multipart/", 10) == 0;
	if (!multipart && span_is(cte, "quoted-printable")) {
		(void)nmime_qp_decode(body, blen, &tmp);
		body = buf_peek(&tmp);
		blen = buf_avail(&tmp);
	} else if (!multipart && span_is(cte, "base64")) {
		(void)nmime_b64_decode(body, blen, &tmp);
		body = buf_peek(&tmp);
		blen = buf_avail(&tmp);
	}
	if (!multipart && ct_charset(ct, &cs) &&
	    nmime_to_utf8(cs.p, cs.len, body, blen, &conv) == 0) {
		body = buf_peek(&conv);
		blen = buf_avail(&conv);
	}
	buf_append(&out, body, blen);
show:
	err = cmd_data(ctx, buf_peek(&out), buf_avail(&out));
	buf_clear(&out);
	buf_clear(&tmp);
	buf_clear(&conv);
	return out_status(ctx, err);
}

static void read_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct lines *l = op->ext;
	uint64_t num;
	struct nntp_span id;

	op->rq = NULL;
	if (err < 0 || r->code != 220) {
		if (err == ERR_TOOLONG) {
			op_finish(&op->o, cmd_error(op->o.ctx, ERR_PROTO, "article too large "
			                            "to decode (use `article N > FILE`)"));
			return;
		}
		nop_fail(op, err, r);
		return;
	}
	if (nop_take_status(op, r, &num, &id) && !op->by_msgid && num)
		nntp_mark_read(op->n, num);
	if (id.len && op->n->srv && nntp_msgid_valid(id.p, id.len)) {
		free(op->n->srv->last_read);
		op->n->srv->last_read = xstrndup(id.p, id.len);
	}
	op_finish(&op->o, read_show(op, buf_peek(&l->text), buf_avail(&l->text)));
}

int nntp_run_read(struct cmdctx *ctx)
{
	char *line;
	bool by_msgid;
	int err = nop_article_arg(ctx, "ARTICLE", &line, &by_msgid);

	if (err < 0)
		return err;
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, read_done);
	struct lines *l = xcalloc(1, sizeof(*l));
	lines_init(l, READ_MAX_BYTES, '\n');
	op->ext = l;
	op->ext_free = lines_free;
	op->on_line = read_line;
	op->by_msgid = by_msgid;
	op->what = "article";
	return nop_go(op);
}

/* ---- next, prev: through the unread articles ---------------------------- */

/* In a group subscribed to, next and prev are a reader's: the
 * first unread article at or after the current one (the current one is
 * unread only until shown), or the last unread one before it, found among
 * the numbers LISTGROUP gives for that side (gaps are cancelled or expired
 * articles), then shown as read shows it and marked read. */
struct nextu {
	const struct nrange_set *read;
	bool prev;
	uint64_t from;           /* next: >= from; prev: < from */
	uint64_t found;          /* 0: none yet */
};

static int nextu_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;
	struct nextu *nu = op->ext;
	uint64_t num;

	if (nntp_parse_u64(line, len, &num) < 0 || num == 0 || num > NRANGE_ART_MAX)
		return 0;
	if (nu->read && nrange_has(nu->read, num))
		return 0;
	if (nu->prev ? num < nu->from && num > nu->found :
	               num >= nu->from && (!nu->found || num < nu->found))
		nu->found = num;
	return 0;
}

static void nextu_list_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct nextu *nu = op->ext;
	struct nntp_group g;

	op->rq = NULL;
	if (err < 0 || r->code != 211) {
		nop_group_fail(op, err, r);
		return;
	}
	uint64_t cur = op->n->cur;
	bool had = op->n->have_cur;
	if (nntp_parse_group(r->text, r->len, &g) == 0)
		nntp_set_group(op->n, op->name, &g);
	/* LISTGROUP selected the group again: the current article stays. */
	op->n->cur = cur;
	op->n->have_cur = had;
	if (!nu->found) {
		op_finish(&op->o, cmd_error(op->o.ctx, ERR_NOTFOUND, "no %s unread article",
		                            nu->prev ? "previous" : "more"));
		return;
	}
	/* Then the article, as read shows it. */
	char *line = xasprintf("ARTICLE %" PRIu64, nu->found);
	struct lines *l = xcalloc(1, sizeof(*l));
	lines_init(l, READ_MAX_BYTES, '\n');
	free(op->ext);
	op->ext = l;
	op->ext_free = lines_free;
	nop_then(op, line, read_done, read_line);
}

bool nntp_next_tracked(struct nntp *n)
{
	const char *why;
	struct newsrc *nr = n->group ? srv_newsrc(n, &why) : NULL;
	const struct newsrc_group *g = nr ? newsrc_find(nr, n->group) : NULL;
	return g && g->subscribed && !g->bad;
}

int nntp_run_next_unread(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *why;
	struct newsrc *nr = srv_newsrc(n, &why);
	const struct newsrc_group *g = nr ? newsrc_find(nr, n->group) : NULL;
	struct nextu *nu = xcalloc(1, sizeof(*nu));
	char *line;

	nu->read = g ? &g->read : NULL;
	nu->prev = strcmp(ctx->def->name, "prev") == 0;
	nu->from = n->have_cur ? n->cur : 1;
	if (nu->prev && nu->from <= 1) {
		free(nu);
		return cmd_error(ctx, ERR_NOTFOUND, "no previous unread article");
	}
	if (nu->prev)
		line = xasprintf("LISTGROUP %s 1-%" PRIu64, n->group, nu->from - 1);
	else
		line = xasprintf("LISTGROUP %s %" PRIu64 "-", n->group, nu->from);
	struct nop *op = nop_new(ctx, line, NR_AUTH_RETRY, nextu_list_done);
	op->name = xstrdup(n->group);
	op->ext = nu;
	op->ext_free = free;
	op->on_line = nextu_line;
	op->what = "listing";
	return nop_go(op);
}
