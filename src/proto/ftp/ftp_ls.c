/* ftp_ls.c - parsed listings: a directory's entries fetched over a data
 * connection (MLSD when FEAT offers MLST, else LIST, or LIST -a for the
 * dot files with plain LIST again when the server refuses it) and parsed by
 * ftp_list.c; the site's listing cache (per directory, for ftp:cache-ttl
 * seconds, dropped when a command changes the directory); and what is
 * built on them: `cls` and remote completion.
 *
 * Completion never holds the typed line: a directory not in the cache is
 * fetched on a connection of the site's pool (an idle one, or a new one
 * under net:connection-limit), and the shell is told when it is in.
 */
#include <fnmatch.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "config.h"
#include "err.h"
#include "ev.h"
#include "ftp_int.h"
#include "ftp_list.h"
#include "log.h"
#include "session.h"
#include "sink.h"
#include "ui.h"

#define DIRS_MAX 32             /* directories kept per site */
#define ENTS_MAX (1 << 20)      /* entries kept per directory */

struct ftp_dir {
	char *path;                 /* absolute, normalised */
	struct ftp_ent *ents;
	size_t n, cap;
	int64_t when_ms;            /* fetched at (ev_now_ms) */
	bool all;                   /* dot files included (MLSD, LIST -a) */
	struct ftp_dir *next;
};

/* ---- paths -------------------------------------------------------------- */

char *ftp_path_abs(const char *cwd, const char *rel)
{
	if (rel[0] != '/' && !cwd)
		return NULL;
	char *joined = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", cwd, rel);
	/* Collapse "//", "." and "..", in place: the result is never longer. */
	char *out = xmalloc(strlen(joined) + 2);
	size_t o = 0;
	for (char *p = joined; *p;) {
		while (*p == '/')
			p++;
		char *e = p + strcspn(p, "/");
		size_t n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	free(joined);
	return out;
}

/* ---- lines of a data stream --------------------------------------------- */

char *ftp_path_parent(const char *abs)
{
	const char *slash = strrchr(abs, '/');
	return !slash || slash == abs ? xstrdup("/") : xstrndup(abs, (size_t)(slash - abs));
}

int ftp_lines_feed(struct buf *lb, const char *p, size_t n, ftp_line_fn fn, void *arg)
{
	int r = 0;

	while (n && !r) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		if (buf_append(lb, p, take) < 0) {
			/* A line longer than the buffer: hand on what we have,
			 * as a piece. */
			r = fn(arg, buf_peek(lb), buf_avail(lb), true);
			buf_reset(lb);
			if (!r && buf_append(lb, p, take) < 0)
				r = fn(arg, p, take, true);
		}
		if (!nl || r)
			break;
		size_t len = buf_avail(lb);
		const char *l = buf_peek(lb);
		if (len && l[len - 1] == '\r')
			len--;
		r = fn(arg, l, len, false);
		buf_reset(lb);
		p += take + 1;
		n -= take + 1;
	}
	return r;
}

int ftp_lines_end(struct buf *lb, ftp_line_fn fn, void *arg)
{
	int r = 0;
	size_t len = buf_avail(lb);
	const char *l = buf_peek(lb);
	if (len && l[len - 1] == '\r')
		len--;
	if (len)
		r = fn(arg, l, len, false);
	buf_reset(lb);
	return r;
}

/* ---- directories ---------------------------------------------------------- */

size_t ftp_dir_count(const struct ftp_dir *d)
{
	return d->n;
}

const struct ftp_ent *ftp_dir_ent(const struct ftp_dir *d, size_t i)
{
	return &d->ents[i];
}

void ftp_dir_free(struct ftp_dir *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		ftp_ent_clear(&d->ents[i]);
	free(d->ents);
	free(d->path);
	free(d);
}

/* The cache of the site s belongs to. */
static struct ftp *site_ftp(struct session *s)
{
	return session_site(s)->pdata;
}

void ftp_cache_free(struct ftp *f)
{
	while (f->dirs) {
		struct ftp_dir *d = f->dirs;
		f->dirs = d->next;
		ftp_dir_free(d);
	}
}

/* The cached listing of path, if still fresh. */
static struct ftp_dir *cache_find(struct session *s, const char *path)
{
	struct ftp *f = site_ftp(s);
	int64_t ttl = config_int(s->cfg, "ftp:cache-ttl") * 1000;
	for (struct ftp_dir **pd = &f->dirs; *pd; pd = &(*pd)->next) {
		struct ftp_dir *d = *pd;
		if (strcmp(d->path, path) != 0)
			continue;
		if (ev_now_ms(s->ev) - d->when_ms >= ttl) {
			*pd = d->next;
			ftp_dir_free(d);
			return NULL;
		}
		return d;
	}
	return NULL;
}

static void cache_put(struct session *s, struct ftp_dir *d)
{
	struct ftp *f = site_ftp(s);
	int n = 0;

	if (config_int(s->cfg, "ftp:cache-ttl") <= 0) {
		ftp_dir_free(d);
		return;
	}
	for (struct ftp_dir **pd = &f->dirs; *pd;) {
		struct ftp_dir *o = *pd;
		if (strcmp(o->path, d->path) == 0 || ++n >= DIRS_MAX) {
			*pd = o->next;
			ftp_dir_free(o);
			continue;
		}
		pd = &o->next;
	}
	d->next = f->dirs;
	f->dirs = d;
}

bool ftp_cache_is_dir(struct session *s, const char *path)
{
	char *abs = ftp_path_abs(((struct ftp *)s->pdata)->cwd, path);
	char *slash = abs ? strrchr(abs, '/') : NULL;
	bool dir = false;

	if (slash && slash[1]) {
		char *parent = ftp_path_parent(abs);
		struct ftp_dir *d = cache_find(s, parent);
		for (size_t i = 0; d && i < d->n; i++)
			if (strcmp(d->ents[i].name, slash + 1) == 0)
				dir = d->ents[i].type == FTP_ENT_DIR;
		free(parent);
	}
	free(abs);
	return dir;
}

void ftp_cache_forget(struct session *s, const char *path)
{
	struct ftp *f = site_ftp(s);
	char *abs = ftp_path_abs(((struct ftp *)s->pdata)->cwd, path);
	if (!abs)
		return;
	/* The directory holding path changed (and path itself, if a
	 * directory, went or came). */
	char *parent = ftp_path_parent(abs);
	for (struct ftp_dir **pd = &f->dirs; *pd;) {
		struct ftp_dir *d = *pd;
		if (strcmp(d->path, parent) == 0 || strcmp(d->path, abs) == 0) {
			*pd = d->next;
			ftp_dir_free(d);
			continue;
		}
		pd = &d->next;
	}
	free(parent);
	free(abs);
}

/* ---- fetching ------------------------------------------------------------- */

struct ftp_fetch {
	struct session *c;          /* the connection it runs on */
	struct ftp_xfer *x;
	struct ftp_dir *dir;
	struct buf lb;
	bool mlsd;
	bool all;                   /* "LIST -a" sent (MLSD not offered) */
	bool retried;               /* ... refused: plain LIST sent again */
	bool cwd;                   /* no path: the current directory's */
	int64_t now;
	size_t lines;               /* lines received */
	size_t skipped;             /* lines that did not parse */
	int req;                    /* the CWD of the existence check */
	bool back;                  /* ... the CWD back to where it was */
	ftp_fetch_fn done;
	void *arg;
};

static int fetch_send(struct ftp_fetch *ft);

static int fetch_line(void *arg, const char *line, size_t len, bool piece)
{
	struct ftp_fetch *ft = arg;
	struct ftp_dir *d = ft->dir;
	struct ftp_ent e;

	ft->lines++;
	if (piece) {
		ft->skipped++;  /* over the parser's limit anyway */
		return 0;
	}
	ftp_ent_init(&e);
	int r = ft->mlsd ? ftp_list_parse_mlsd(line, len, &e) :
	                   ftp_list_parse_line(line, len, ft->now, &e);
	if (r != 0) {
		if (r < 0)
			ft->skipped++;
		return 0;
	}
	if (d->n >= ENTS_MAX) {
		ftp_ent_clear(&e);
		return ERR_TOOLONG;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->ents = xrealloc(d->ents, d->cap * sizeof(*d->ents));
	}
	d->ents[d->n++] = e;
	return 0;
}

static int fetch_data(void *arg, const char *p, size_t n)
{
	struct ftp_fetch *ft = arg;
	return ftp_lines_feed(&ft->lb, p, n, fetch_line, ft);
}

/* "LIST -a" failed in a way plain LIST may not: the server refused the
 * option (501) or took "-a" for a name (550), not the network. */
static bool fetch_try_plain(const struct ftp_fetch *ft, int err)
{
	return ft->all && err != ERR_NET && err != ERR_TIMEOUT && err != ERR_EOF &&
	       err != ERR_TLS && err != ERR_INTR;
}

static void fetch_end(struct ftp_fetch *ft, int err, const char *why);

/* The existence check's replies: CWD PATH, then CWD back. */
static void fetch_cwd_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_fetch *ft = arg;
	char why[600];
	(void)pp;

	if (!err && !r->final)
		return;
	ft->req = 0;
	if (err) {
		fetch_end(ft, err, err_str(err));
		return;
	}
	char *m = ui_escape_str(r->msg, strlen(r->msg));
	snprintf(why, sizeof(why), "%d %s", r->code, m);
	free(m);
	if (r->code / 100 != 2) {
		/* A missing directory (550), or one we may not enter. */
		int e = ftp_reply_err(r->code);
		fetch_end(ft, e ? e : ERR_PROTO, why);
		return;
	}
	if (ft->back) {
		fetch_end(ft, 0, NULL); /* there, and empty */
		return;
	}
	/* There: back to the directory the connection was in. */
	struct ftp *f = ft->c->pdata;
	struct pp_cmd c = { .done = fetch_cwd_reply, .arg = ft };
	char *line = xasprintf("CWD %s", f->cwd);
	ft->back = true;
	int id = pp_send(ft->c->pp, line, &c);
	free(line);
	if (id > 0)
		ft->req = id;
	else
		fetch_end(ft, id, err_str(id));
}

/* A LIST with no line at all: some servers (vsftpd) answer a missing
 * directory so, as they answer an empty one (where "LIST -a" would
 * still give "." and ".."), and a command would take the missing
 * directory for an empty one (`mirror nosuch` made nosuch/ here).  CWD
 * tells them apart.  Not for MLSD, which fails on a missing directory;
 * not without a known directory to return to. */
static bool fetch_check_exists(struct ftp_fetch *ft)
{
	struct ftp *f = ft->c->pdata;
	if (ft->mlsd || ft->cwd || ft->lines || !f->cwd || !ft->c->pp)
		return false;
	struct pp_cmd c = { .done = fetch_cwd_reply, .arg = ft };
	char *line = xasprintf("CWD %s", ft->dir->path);
	int id = pp_send(ft->c->pp, line, &c);
	free(line);
	if (id <= 0)
		return false;
	ft->req = id;
	return true;
}

static void fetch_done(void *arg, int err, const char *why)
{
	struct ftp_fetch *ft = arg;

	ft->x = NULL;
	if (!err)
		err = ftp_lines_end(&ft->lb, fetch_line, ft);
	if (err && fetch_try_plain(ft, err)) {
		/* The same listing again without the option; what came of
		 * the first is dropped. */
		struct ftp_dir *d = ft->dir;
		for (size_t i = 0; i < d->n; i++)
			ftp_ent_clear(&d->ents[i]);
		d->n = 0;
		buf_reset(&ft->lb);
		ft->skipped = 0;
		ft->all = false;
		ft->retried = true;
		int r = fetch_send(ft);
		if (r == 0)
			return;
		err = r;
		why = err_str(r);
	}
	if (!err && ft->retried) {
		/* LIST -a refused, LIST answered: the option was the trouble,
		 * so the site's later listings go without it. */
		site_ftp(ft->c)->list_a_refused = true;
		log_note(ft->c->name, "LIST -a refused: plain LIST from now on "
		         "(dot files may be hidden)");
	}
	if (ft->skipped)
		log_note(ft->c->name, "listing of %s: %zu line%s not understood",
		         ft->dir->path, ft->skipped, ft->skipped == 1 ? "" : "s");
	if (!err && fetch_check_exists(ft))
		return;
	fetch_end(ft, err, why);
}

/* Hand the listing (or the error) over, and free ft. */
static void fetch_end(struct ftp_fetch *ft, int err, const char *why)
{
	struct ftp_dir *d = err ? NULL : ft->dir;
	if (d) {
		d->when_ms = ev_now_ms(ft->c->ev);
		d->all = ft->mlsd || ft->all;
		ft->dir = NULL;
	}
	ft->done(ft->arg, err, why ? why : "", d);
	ftp_fetch_cancel(ft);
}

static const struct ftp_xfer_ops fetch_ops = {
	.data = fetch_data,
	.done = fetch_done,
};

/* Send the listing command: 0, or ERR_* (nothing started). */
static int fetch_send(struct ftp_fetch *ft)
{
	const char *verb = ft->mlsd ? "MLSD" : ft->all ? "LIST -a" : "LIST";
	char *line = ft->cwd ? xstrdup(verb) : xasprintf("%s %s", verb, ft->dir->path);
	int r = ftp_xfer_start(ft->c, line, XFER_DOWN, -1, 0, &fetch_ops, ft, &ft->x);
	free(line);
	return r;
}

int ftp_fetch_start_all(struct session *c, const char *path, bool all, ftp_fetch_fn done,
                        void *arg, struct ftp_fetch **out)
{
	struct ftp *f = c->pdata;
	struct ftp_fetch *ft = xcalloc(1, sizeof(*ft));

	ft->c = c;
	ft->done = done;
	ft->arg = arg;
	ft->now = (int64_t)time(NULL);
	ft->mlsd = f->feat_known && f->feat.mlst;
	ft->all = all && !ft->mlsd && !site_ftp(c)->list_a_refused;
	ft->cwd = !path;
	ft->dir = xcalloc(1, sizeof(*ft->dir));
	ft->dir->path = xstrdup(path ? path : "");
	buf_init(&ft->lb, FTP_LIST_LINE_MAX + 2);
	int r = fetch_send(ft);
	if (r < 0) {
		ftp_fetch_cancel(ft);
		return r;
	}
	*out = ft;
	return 0;
}

void ftp_fetch_cancel(struct ftp_fetch *ft)
{
	if (!ft)
		return;
	if (ft->x)
		ftp_xfer_abort(ft->x);
	if (ft->req && ft->c->pp)
		pp_cancel(ft->c->pp, ft->req);
	ftp_dir_free(ft->dir);
	buf_clear(&ft->lb);
	free(ft);
}

/* ---- cls -------------------------------------------------------------------- */

int ftp_ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ftp_ent *)a)->name, ((const struct ftp_ent *)b)->name);
}

/* An operand with *, ? or [ (unquoted: the caller checks) is a pattern. */
static bool has_glob(const char *w)
{
	return strpbrk(w, "*?[") != NULL;
}

void ftp_human(int64_t n, char *out, size_t len)
{
	static const char units[] = "BKMGTPE";
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%" PRId64, n);
	else
		snprintf(out, len, "%.1f%c", v, units[u]);
}

static void mode_text(const struct ftp_ent *e, char out[11])
{
	static const char types[] = {
		[FTP_ENT_UNKNOWN] = '?', [FTP_ENT_FILE] = '-', [FTP_ENT_DIR] = 'd',
		[FTP_ENT_LINK] = 'l', [FTP_ENT_DEVICE] = 'c', [FTP_ENT_OTHER] = 'p',
	};
	out[0] = types[e->type];
	for (int i = 0; i < 9; i++)
		out[1 + i] = e->mode < 0 ? '-' : (e->mode >> (8 - i)) & 1 ? "rwxrwxrwx"[i] : '-';
	out[10] = '\0';
}

static int cls_line(struct cmdctx *ctx, const struct ftp_ent *e, const struct ftp_cls_opts *o)
{
	struct buf b;
	buf_init(&b, FTP_LIST_LINE_MAX * 2);
	if (o->lng) {
		char mode[11], size[32] = "-", when[32] = "-";
		mode_text(e, mode);
		if (e->size >= 0 && o->hum)
			ftp_human(e->size, size, sizeof(size));
		else if (e->size >= 0)
			snprintf(size, sizeof(size), "%" PRId64, e->size);
		if (e->mtime >= 0) {
			time_t t = (time_t)e->mtime;
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		}
		char head[96];
		snprintf(head, sizeof(head), "%s %10s  %-16s  ", mode, size, when);
		buf_appendstr(&b, head);
	}
	buf_appendstr(&b, e->name);
	if (e->type == FTP_ENT_DIR)
		buf_append(&b, "/", 1);
	if (o->lng && e->target) {
		buf_appendstr(&b, " -> ");
		buf_appendstr(&b, e->target);
	}
	/* Names are the server's bytes: escaped on a terminal only. */
	int r = cmd_data_line(ctx, buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	return r;
}

int ftp_cls_print(struct cmdctx *ctx, struct ftp_dir *d, const struct ftp_cls_opts *o)
{
	int r = 0;
	size_t shown = 0;
	if (d->n > 1)
		qsort(d->ents, d->n, sizeof(*d->ents), ftp_ent_cmp);
	for (size_t i = 0; i < d->n && !r; i++) {
		const char *name = d->ents[i].name;
		/* A pattern matches dot files only with a dot, as in sh. */
		if (o->pat ? fnmatch(o->pat, name, FNM_PERIOD) != 0 : !o->all && name[0] == '.')
			continue;
		r = cls_line(ctx, &d->ents[i], o);
		shown++;
	}
	if (!r && o->pat && !shown) {
		char *p = ui_escape_str(o->pat, strlen(o->pat));
		r = cmd_error(ctx, ERR_NOTFOUND, "%s: no match", p);
		free(p);
	}
	return r;
}

static void cls_fetched(void *arg, int err, const char *why, struct ftp_dir *d)
{
	struct ftp_op *op = arg;
	struct ftp_cls_opts o = op->cls;

	op->fetch = NULL;
	if (err) {
		char *a = op->o.arg ? ftp_esc_str(op->o.arg) : NULL;
		cmd_error(op->o.ctx, err, "%s%s%s", a ? a : "", a ? ": " : "",
		          why[0] ? why : err_str(err));
		free(a);
		op_finish(&op->o, err);
		return;
	}
	err = ftp_cls_print(op->o.ctx, d, &o);
	cache_put(op->o.s, d);
	op_finish(&op->o, err);
}

int ftp_dir_arg(struct cmdctx *ctx, const char *dir, char **path)
{
	struct ftp *f = ctx->sess->pdata;
	if (dir && !ftp_arg_ok(dir))
		return cmd_error(ctx, ERR_USAGE, "line breaks are not allowed in arguments");
	*path = ftp_path_abs(f->cwd, dir ? dir : ".");
	if (!*path)
		return cmd_error(ctx, ERR_FAIL, "the remote directory is not known "
		                 "(the server does not answer PWD); give an absolute path");
	return 0;
}

int ftp_do_cls(struct cmdctx *ctx)
{
	struct ftp_cls_opts o = { 0 };
	const char *dir = NULL;
	char *dirpart = NULL;
	bool rec = false, quoted = false;

	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (a[0] == '-' && a[1] && !dir && !(ctx->quoted && ctx->quoted[i])) {
			for (const char *p = a + 1; *p; p++) {
				if (*p == 'l')
					o.lng = true;
				else if (*p == 'h')
					o.hum = true;
				else if (*p == 'a')
					o.all = true;
				else if (*p == 'R')
					rec = true;
				else
					return cmd_error(ctx, ERR_USAGE, "unknown option -%c "
					                 "(cls [-l] [-h] [-a] [-R] [DIR])", *p);
			}
		} else if (!dir) {
			dir = a;
			quoted = ctx->quoted && ctx->quoted[i];
		} else {
			return cmd_error(ctx, ERR_USAGE, "one directory or pattern at a time");
		}
	}
	if (dir && !quoted && has_glob(dir)) {
		/* cls PATTERN (lftp's too): the names matching the last part of
		 * the path, in the directory before it. */
		const char *slash = strrchr(dir, '/');
		o.pat = slash ? slash + 1 : dir;
		dirpart = slash ? xstrndup(dir, slash == dir ? 1 : (size_t)(slash - dir)) : NULL;
		if (!*o.pat || (dirpart && has_glob(dirpart)) || rec) {
			free(dirpart);
			return cmd_error(ctx, ERR_USAGE, "a pattern goes in the last name only, "
			                 "without -R (cls [-l] [-h] [-a] [DIR/]PATTERN)");
		}
		/* vsftpd hides dot files from a plain LIST: a pattern for
		 * them needs LIST -a. */
		o.all |= o.pat[0] == '.';
	}
	if (rec)
		return ftp_tree_ls(ctx, dir, &o);
	char *path;
	int r = ftp_dir_arg(ctx, o.pat ? dirpart : dir, &path);
	free(dirpart);
	if (r < 0)
		return r;
	/* -a wants the dot files a plain LIST may have hidden (vsftpd);
	 * recls wants the server's listing now. */
	struct ftp_dir *d = strcmp(ctx->def->name, "recls") ? cache_find(ctx->sess, path) : NULL;
	if (d && (d->all || !o.all)) {
		free(path);
		return ftp_cls_print(ctx, d, &o);
	}
	struct ftp_op *op = ftp_op_new(ctx);
	op->cls = o;
	op->o.arg = dir; /* for the message */
	r = ftp_fetch_start_all(ctx->sess, path, o.all, cls_fetched, op, &op->fetch);
	free(path);
	if (r < 0)
		cmd_error(ctx, r, "%s", err_str(r));
	return op_start(&op->o, r);
}

/* ---- remote completion ------------------------------------------------------ */

/* A fetch for completion: on a connection leased from the site's pool. */
struct cfetch {
	struct session *site;
	struct session_lease *lease;
	struct session *c;
	struct ftp_fetch *ft;
	char *path;
	bool all;                   /* LIST -a: the word starts with a dot */
	void (*ready)(void *arg);
	void *arg;
};

static void cfetch_free(struct cfetch *cf)
{
	struct ftp *sf = cf->site->pdata;
	if (sf->cfetch == cf)
		sf->cfetch = NULL;
	if (cf->lease)
		session_lease_cancel(cf->lease);
	ftp_fetch_cancel(cf->ft);
	if (cf->c)
		session_release(cf->c);
	free(cf->path);
	free(cf);
}

void ftp_cfetch_cancel(struct ftp *f)
{
	if (f->cfetch)
		cfetch_free(f->cfetch);
}

static void cfetch_done(void *arg, int err, const char *why, struct ftp_dir *d)
{
	struct cfetch *cf = arg;
	void (*ready)(void *) = cf->ready;
	void *rarg = cf->arg;

	cf->ft = NULL;
	if (err)
		log_note(cf->site->name, "listing for completion failed: %s", why);
	else
		cache_put(cf->site, d);
	cfetch_free(cf);
	if (!err)
		ready(rarg);
}

static void cfetch_leased(struct session *c, int err, void *arg)
{
	struct cfetch *cf = arg;

	cf->lease = NULL;
	if (err) {
		cfetch_free(cf);
		return;
	}
	cf->c = c;
	session_touch(c);
	if (ftp_fetch_start_all(c, cf->path, cf->all, cfetch_done, cf, &cf->ft) < 0)
		cfetch_free(cf);
}

char **ftp_complete(struct session *s, char letter, const char *word,
                    void (*ready)(void *arg), void *arg)
{
	struct session *site = session_site(s);
	struct ftp *sf = site->pdata;
	struct ftp *f = s->pdata;

	if (letter != 'r')
		return NULL;
	const char *slash = strrchr(word, '/');
	size_t dlen = slash ? (size_t)(slash - word) + 1 : 0;
	char *dirpart = xstrndup(word, dlen);
	const char *base = word + dlen;
	char *path = ftp_path_abs(f->cwd, dlen ? dirpart : ".");
	if (!path || !ftp_arg_ok(path)) {
		free(dirpart);
		free(path);
		return NULL;
	}
	/* A word starting with a dot completes dot files: a listing without
	 * them (plain LIST on vsftpd) will not do. */
	bool dots = base[0] == '.';
	struct ftp_dir *d = cache_find(site, path);
	if (!d || (dots && !d->all)) {
		/* Fetch it in the background; one fetch per site at a time
		 * (a newer Tab replaces an older one). */
		ftp_cfetch_cancel(sf);
		struct cfetch *cf = xcalloc(1, sizeof(*cf));
		cf->site = site;
		cf->path = path;
		cf->all = dots;
		cf->ready = ready;
		cf->arg = arg;
		sf->cfetch = cf;
		cf->lease = session_acquire(site, cfetch_leased, cf);
		free(dirpart);
		return NULL;
	}
	free(path);
	size_t n = 0, cap = 16;
	char **v = xmalloc(cap * sizeof(char *));
	for (size_t i = 0; i < d->n; i++) {
		const struct ftp_ent *e = &d->ents[i];
		if (strncmp(e->name, base, strlen(base)) != 0)
			continue;
		if (e->name[0] == '.' && base[0] != '.')
			continue;
		if (n + 2 > cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(char *));
		}
		v[n++] = xasprintf("%s%s%s", dirpart, e->name,
		                   e->type == FTP_ENT_DIR ? "/" : "");
	}
	v[n] = NULL;
	free(dirpart);
	if (!n) {
		free(v);
		return NULL;
	}
	return v;
}

/* ---- globs: mget, get with *?[ in a name, mput -------------------------- */

/* True when w (one of ctx->argv) had any part quoted: then it is a name. */
static bool word_quoted(const struct cmdctx *ctx, const char *w)
{
	for (int i = 0; i < ctx->argc; i++)
		if (ctx->argv[i] == w)
			return ctx->quoted && ctx->quoted[i];
	return false;
}

static bool want_glob(struct ftp_op *op, const char *w)
{
	return has_glob(w) && !word_quoted(op->o.ctx, w);
}

void ftp_glob_push(struct ftp_op *op, char *name)
{
	if (op->nglobbed + 1 >= op->capglobbed) {
		op->capglobbed = op->capglobbed ? op->capglobbed * 2 : 16;
		op->globbed = xrealloc(op->globbed, op->capglobbed * sizeof(char *));
	}
	op->globbed[op->nglobbed++] = name;
}

void ftp_glob_take(struct ftp_op *op)
{
	free(op->o.args);
	op->o.args = xcalloc(op->nglobbed + 1, sizeof(char *));
	for (size_t i = 0; i < op->nglobbed; i++)
		op->o.args[i] = op->globbed[i];
	op->o.nargs = (int)op->nglobbed;
	op->o.idx = 0;
}

/* The names of d matching the pattern of operand w; 0, or ERR_NOTFOUND
 * (reported) when none. */
static int glob_match(struct ftp_op *op, const char *w, struct ftp_dir *d)
{
	const char *slash = strrchr(w, '/');
	size_t dlen = slash ? (size_t)(slash - w) + 1 : 0;
	const char *pat = w + dlen;
	size_t found = 0;

	if (d->n > 1)
		qsort(d->ents, d->n, sizeof(*d->ents), ftp_ent_cmp);
	for (size_t i = 0; i < d->n; i++) {
		const struct ftp_ent *e = &d->ents[i];
		if (fnmatch(pat, e->name, FNM_PERIOD) != 0)
			continue;
		char *shown = ui_escape_str(e->name, strlen(e->name));
		if (!ftp_ent_name_safe(e->name)) {
			/* "../x", "/etc/x", control bytes: never a local name. */
			ui_info("%s: skipped: not a safe local name", shown);
		} else if (op->glob_kind == GLOB_ANY ||
		           (op->glob_kind == GLOB_NOT_DIRS && e->type != FTP_ENT_DIR)) {
			/* rm: links and odd files go by name; rm -r: directories too. */
			ftp_glob_push(op, xasprintf("%.*s%s", (int)dlen, w, e->name));
			found++;
		} else if (e->type == FTP_ENT_DIR) {
			ui_info("%s: skipped: a directory", shown);
		} else if (e->type == FTP_ENT_LINK) {
			ui_info("%s: skipped: a symbolic link (get %s fetches what it "
			        "points to)", shown, shown);
		} else if (e->type == FTP_ENT_DEVICE || e->type == FTP_ENT_OTHER) {
			ui_info("%s: skipped: not a regular file", shown);
		} else {
			ftp_glob_push(op, xasprintf("%.*s%s", (int)dlen, w, e->name));
			found++;
		}
		free(shown);
	}
	if (found)
		return 0;
	char *shown = ui_escape_str(w, strlen(w));
	int err = cmd_error(op->o.ctx, ERR_NOTFOUND, "%s: no match", shown);
	free(shown);
	return err;
}

static int glob_next(struct ftp_op *op);

static void glob_fetched(void *arg, int err, const char *why, struct ftp_dir *d)
{
	struct ftp_op *op = arg;
	const char *w = op->o.args[op->gi++];

	op->fetch = NULL;
	if (err) {
		char *shown = ui_escape_str(w, strlen(w));
		op->o.err = cmd_error(op->o.ctx, err, "%s: cannot list: %s", shown,
		                      why[0] ? why : err_str(err));
		free(shown);
	} else {
		int e = glob_match(op, w, d);
		if (e)
			op->o.err = e;
		if (d->path[0])
			cache_put(op->o.s, d);
		else
			ftp_dir_free(d);
	}
	if (glob_next(op) == CMD_PENDING)
		return;
	ftp_glob_take(op);
	op_item_done(&op->o, 0);
}

/* Expand operands from op->gi on until one needs a listing fetched:
 * CMD_PENDING (glob_fetched goes on), else 0 (all expanded). */
static int glob_next(struct ftp_op *op)
{
	struct ftp *f = op->o.s->pdata;

	while (op->gi < (size_t)op->o.nargs) {
		const char *w = op->o.args[op->gi];
		if (!op->glob_all && !want_glob(op, w)) {
			ftp_glob_push(op, xstrdup(w));
			op->gi++;
			continue;
		}
		const char *slash = strrchr(w, '/');
		char *dir = slash ? xstrndup(w, (size_t)(slash - w) + 1) : NULL;
		/* Without a known directory (no PWD), the listing of the
		 * current one, not cached. */
		char *path = ftp_path_abs(f->cwd, dir ? dir : ".");
		if (!path && dir) {
			free(dir);
			char *shown = ui_escape_str(w, strlen(w));
			op->o.err = cmd_error(op->o.ctx, ERR_FAIL, "%s: the remote directory "
			                      "is not known; give an absolute path", shown);
			free(shown);
			op->gi++;
			continue;
		}
		free(dir);
		/* A pattern starting with a dot matches dot files (as in sh):
		 * it needs a listing with them (LIST -a on vsftpd). */
		bool dots = (slash ? slash + 1 : w)[0] == '.';
		struct ftp_dir *d = path ? cache_find(op->o.s, path) : NULL;
		if (d && (d->all || !dots)) {
			int e = glob_match(op, w, d);
			if (e)
				op->o.err = e;
			free(path);
			op->gi++;
			continue;
		}
		int r = ftp_fetch_start_all(op->o.s, path, dots, glob_fetched, op, &op->fetch);
		free(path);
		if (r == 0)
			return CMD_PENDING;
		op->o.err = cmd_error(op->o.ctx, r, "cannot list: %s", err_str(r));
		op->gi++;
	}
	return 0;
}

int ftp_glob_run(struct ftp_op *op, bool all, op_item_fn item)
{
	op->glob_all = all;
	op->o.item = item;
	if (glob_next(op) == CMD_PENDING)
		return op_start(&op->o, 0);
	ftp_glob_take(op);
	return op_run(&op->o, 0, item);
}

int ftp_local_glob(struct ftp_op *op, bool all)
{
	int err = 0;

	for (int i = 0; i < op->o.nargs; i++) {
		const char *w = op->o.args[i];
		if (!all && !want_glob(op, w)) {
			ftp_glob_push(op, xstrdup(w));
			continue;
		}
		glob_t g;
		int r = glob(w, 0, NULL, &g);
		if (r == 0) {
			for (size_t j = 0; j < g.gl_pathc; j++)
				ftp_glob_push(op, xstrdup(g.gl_pathv[j]));
		} else {
			char *shown = ui_escape_str(w, strlen(w));
			err = cmd_error(op->o.ctx, r == GLOB_NOMATCH ? ERR_NOTFOUND : ERR_LOCAL,
			                "%s: no match", shown);
			free(shown);
		}
		globfree(&g);
	}
	ftp_glob_take(op);
	return err;
}
