/* ftp_mirror.c - mirror REMOTE [LOCAL]: a remote tree made again locally.
 *
 * Two phases on the command's connection: the walk lists every remote
 * directory (ftp_fetch_start), makes the local directories and decides
 * what to get (missing files; changed ones: another size or time; with
 * --only-newer, only those newer than the local copy, compared in UTC) and,
 * with --delete, what local names the remote side no longer has; then the
 * downloads, on the command's connection and, with --parallel=N, on N-1
 * more from the session's pool, each taking the next file (RETR sized by
 * the listing; lfile: NAME.part, the remote time set on the file).
 *
 * Names from the server are never trusted: only names ftp_ent_name_safe()
 * accepts are used (no '/', "..", NUL or control bytes), no local symbolic
 * link is ever made or followed (a local link in the way is an error), and
 * --delete removes only names inside the target found by reading it.
 */
#define _GNU_SOURCE 1 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "ftp_int.h"
#include "ftp_list.h"
#include "lfile.h"
#include "log.h"
#include "pp.h"
#include "session.h"
#include "ui.h"

struct mdir {
	char *rdir, *ldir, *rel;    /* remote (absolute), local, relative */
};

struct mworker;

struct mirror {
	struct ftp_op *op;
	bool only_newer, del, dry;
	int parallel;               /* connections for the downloads */
	struct mworker *w;
	int nw;
	size_t next;                /* next download to hand out */
	int busy;                   /* workers with a download or a lease */
	const char **excl, **incl;
	size_t nexcl, nincl;
	struct mdir *q;             /* directories to list */
	size_t qn, qcap, qi;
	char **lpaths;              /* per download, its local path */
	char **rpaths;              /* ... its remote path */
	int64_t *sizes, *mtimes;    /* ... and what the listing said */
	bool *exact;                /* ... the time to the second (MLSD) */
	size_t nget, capget;
	uint64_t get_bytes;
	size_t made, uptodate, skipped, deleted;
};

/* One connection fetching files: the command's own (worker 0), or one
 * leased from the site's pool for --parallel. */
struct mworker {
	struct mirror *m;
	struct session *c;          /* NULL while leasing */
	struct session_lease *lease;
	bool leased;                /* c came from the pool: release it */
	struct ftp_xfer *x;
	int req;                    /* MDTM's pp handle while due */
	struct lfile lf;
	size_t idx;                 /* the download under way */
	char why[600];
};

static void mw_next(struct mworker *w);

static int mw_start(void *arg)
{
	struct mworker *w = arg;
	int r = lfile_open(&w->lf, w->m->sizes[w->idx], w->m->mtimes[w->idx]);
	if (r < 0)
		snprintf(w->why, sizeof(w->why), "%s", w->lf.why);
	return r;
}

static int mw_data(void *arg, const char *p, size_t n)
{
	struct mworker *w = arg;
	int r = lfile_write(&w->lf, p, n);
	if (r < 0)
		snprintf(w->why, sizeof(w->why), "%s", w->lf.why);
	else if (w->m->op)
		w->m->op->o.ctx->bytes += n;
	return r;
}

static void mw_done(void *arg, int err, const char *why)
{
	struct mworker *w = arg;
	struct mirror *m = w->m;
	int e;

	w->x = NULL;
	if (!err && (e = lfile_close(&w->lf)) < 0)
		err = e, snprintf(w->why, sizeof(w->why), "%s", w->lf.why);
	if (!err && (e = lfile_commit(&w->lf)) < 0)
		err = e, snprintf(w->why, sizeof(w->why), "%s", w->lf.why);
	if (err) {
		lfile_discard(&w->lf);
		char *r = ui_escape_str(m->rpaths[w->idx], strlen(m->rpaths[w->idx]));
		m->op->o.err = cmd_error(m->op->o.ctx, err, "mirror: %s: %s", r,
		                         w->why[0] ? w->why : why);
		free(r);
	}
	lfile_clear(&w->lf);
	w->why[0] = '\0';
	/* A lost connection ends this worker; the others go on. */
	if (err == ERR_NET || err == ERR_EOF || err == ERR_TIMEOUT || err == ERR_TLS)
		w->idx = m->nget;
	mw_next(w);
}

static const struct ftp_xfer_ops mw_ops = {
	.start = mw_start,
	.data = mw_data,
	.done = mw_done,
};

/* The whole mirror is over when no worker is busy. */
static void mirror_end(struct mirror *m)
{
	struct ftp_op *op = m->op;
	op_finish(&op->o, op->o.err);
}

static void mw_release(struct mworker *w)
{
	if (w->lease)
		session_lease_cancel(w->lease);
	w->lease = NULL;
	if (w->req && w->c && w->c->pp)
		pp_cancel(w->c->pp, w->req);
	w->req = 0;
	if (w->x)
		ftp_xfer_abort(w->x);
	w->x = NULL;
	lfile_discard(&w->lf);
	lfile_clear(&w->lf);
	if (w->c && w->leased)
		session_release(w->c);
	w->c = NULL;
}

static int mw_retr(struct mworker *w)
{
	struct mirror *m = w->m;
	char *line = xasprintf("RETR %s", m->rpaths[w->idx]);
	int r = ftp_xfer_start(w->c, line, XFER_DOWN, m->sizes[w->idx], 0, &mw_ops, w, &w->x);
	free(line);
	if (r < 0)
		snprintf(w->lf.why, sizeof(w->lf.why), "%s", err_str(r));
	return r;
}

static void mw_failed(struct mworker *w, int r)
{
	struct mirror *m = w->m;
	char *e = ui_escape_str(m->rpaths[w->idx], strlen(m->rpaths[w->idx]));
	m->op->o.err = cmd_error(m->op->o.ctx, r, "mirror: %s: %s", e, w->lf.why);
	free(e);
	lfile_clear(&w->lf);
}

/* A time from a LIST line has minutes at best: MDTM tells the second,
 * for the local copy's time. */
static void mw_mdtm_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct mworker *w = arg;
	int64_t t;
	(void)pp;
	if (!err && !r->final)
		return;
	w->req = 0;
	if (!err && r->code == 213 && ftp_parse_mdtm(r->msg, &t) == 0)
		w->m->mtimes[w->idx] = t;
	int e = err ? err : mw_retr(w);
	if (e < 0) {
		mw_failed(w, e);
		if (e == ERR_NET || err)
			w->idx = w->m->nget;
		mw_next(w);
	}
}

/* Hand w the next file, or let it go. */
static void mw_next(struct mworker *w)
{
	struct mirror *m = w->m;
	struct ftp *f = w->c ? w->c->pdata : NULL;

	while (f && w->idx < m->nget && m->next < m->nget) {
		w->idx = m->next++;
		lfile_init(&w->lf, true);
		int r = lfile_target(&w->lf, m->lpaths[w->idx], false);
		if (r == 0 && !m->exact[w->idx] && f->feat_known && f->feat.mdtm) {
			struct pp_cmd c = { .done = mw_mdtm_reply, .arg = w };
			char *line = xasprintf("MDTM %s", m->rpaths[w->idx]);
			r = w->c->pp ? pp_send(w->c->pp, line, &c) : ERR_NET;
			free(line);
			if (r > 0) {
				w->req = r;
				return;
			}
			snprintf(w->lf.why, sizeof(w->lf.why), "%s", err_str(r));
		} else if (r == 0 && (r = mw_retr(w)) == 0) {
			return;
		}
		mw_failed(w, r);
		if (r == ERR_NET)
			break;
	}
	w->idx = m->nget;
	mw_release(w);
	if (--m->busy == 0)
		mirror_end(m);
}

static void mw_leased(struct session *c, int err, void *arg)
{
	struct mworker *w = arg;
	w->lease = NULL;
	if (err) {
		/* No more connections: the others do the work. */
		w->idx = w->m->nget;
		if (--w->m->busy == 0)
			mirror_end(w->m);
		return;
	}
	w->c = c;
	w->leased = true;
	session_touch(c);
	mw_next(w);
}

/* The downloads: worker 0 on the command's connection at once, the
 * others as the pool gives connections. */
static void mirror_fetch_all(struct ftp_op *op)
{
	struct mirror *m = op->mirror;
	int n = m->parallel;
	if ((size_t)n > m->nget)
		n = (int)m->nget;
	if (n < 1) {
		op_finish(&op->o, op->o.err);
		return;
	}
	op->o.ctx->total = (int64_t)m->get_bytes;
	m->w = xcalloc((size_t)n, sizeof(*m->w));
	m->nw = n;
	m->busy = n;
	for (int i = 0; i < n; i++)
		m->w[i].m = m;
	m->w[0].c = op->o.s;
	for (int i = 1; i < n; i++)
		m->w[i].lease = session_acquire(session_site(op->o.s), mw_leased, &m->w[i]);
	mw_next(&m->w[0]);
}

void ftp_mirror_free(struct mirror *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->nw; i++)
		mw_release(&m->w[i]);
	free(m->w);
	for (size_t i = 0; i < m->qn; i++) {
		free(m->q[i].rdir);
		free(m->q[i].ldir);
		free(m->q[i].rel);
	}
	free(m->q);
	for (size_t i = 0; i < m->nget; i++) {
		free(m->lpaths[i]);
		free(m->rpaths[i]);
	}
	free(m->lpaths);
	free(m->rpaths);
	free(m->sizes);
	free(m->mtimes);
	free(m->exact);
	free(m->excl);
	free(m->incl);
	free(m);
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (!*a)
		return xstrdup(b);
	return xasprintf("%s%s%s", a, n && a[n - 1] == '/' ? "" : "/", b);
}

static void enqueue(struct mirror *m, char *rdir, char *ldir, char *rel)
{
	if (m->qn == m->qcap) {
		m->qcap = m->qcap ? m->qcap * 2 : 16;
		m->q = xrealloc(m->q, m->qcap * sizeof(*m->q));
	}
	m->q[m->qn++] = (struct mdir){ rdir, ldir, rel };
}

static bool matches_any(const char *const *pats, size_t n, const char *rel, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], rel, 0) == 0 || fnmatch(pats[i], name, FNM_PERIOD) == 0)
			return true;
	return false;
}

static bool excluded(const struct mirror *m, const char *rel, const char *name, bool dir)
{
	if (matches_any(m->excl, m->nexcl, rel, name))
		return true;
	return !dir && m->nincl && !matches_any(m->incl, m->nincl, rel, name);
}

/* A note about one name, escaped. */
static void note(struct ftp_op *op, const char *path, const char *what)
{
	char *e = ui_escape_str(path, strlen(path));
	ui_info("mirror: %s: %s", e, what);
	free(e);
	(void)op;
}

/* --dry-run: what would be done, as the command's output. */
static void plan(struct ftp_op *op, const char *what, const char *path)
{
	char *e = ui_escape_str(path, strlen(path));
	cmd_printf(op->o.ctx, "%s %s", what, e);
	free(e);
}

/* Is the local copy st up to date with remote entry e? */
static bool up_to_date(const struct mirror *m, const struct ftp_ent *e, const struct stat *st)
{
	/* A time read from a LIST line has minutes at best, and a file older
	 * than six months shows its day alone (midnight here). */
	int64_t slack = e->mtime_precise ? 0 : e->mtime % 86400 == 0 ? 86400 : 60;
	int64_t local = (int64_t)st->st_mtime;
	if (m->only_newer)
		return e->mtime < 0 || e->mtime <= local + slack;
	if (e->size >= 0 && e->size != (int64_t)st->st_size)
		return false;
	return e->mtime < 0 || (e->mtime >= local - slack && e->mtime <= local + slack);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

/* --delete in d: local names the remote listing does not have. */
static void delete_extra(struct ftp_op *op, const struct mdir *d, const struct ftp_dir *rd)
{
	struct mirror *m = op->mirror;
	DIR *dir = opendir(d->ldir);
	if (!dir)
		return;
	struct dirent *de;
	while ((de = readdir(dir))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, "..") || strstr(n, ".part"))
			continue;
		bool have = false;
		for (size_t i = 0; i < ftp_dir_count(rd) && !have; i++)
			have = strcmp(ftp_dir_ent(rd, i)->name, n) == 0;
		char *rel = join(d->rel, n);
		if (have || excluded(m, rel, n, false)) {
			free(rel);
			continue;
		}
		char *lp = join(d->ldir, n);
		if (m->dry) {
			plan(op, "delete", lp);
		} else if (nftw(lp, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0) {
			char *e = ui_escape_str(lp, strlen(lp));
			op->o.err = cmd_error(op->o.ctx, ERR_LOCAL, "mirror: cannot delete %s: %s",
			                      e, strerror(errno));
			free(e);
		} else {
			note(op, lp, "deleted");
		}
		m->deleted++;
		free(lp);
		free(rel);
	}
	closedir(dir);
}

/* One listed directory: make the local side, queue the rest. */
static void walk_dir(struct ftp_op *op, const struct mdir *d, const struct ftp_dir *rd)
{
	struct mirror *m = op->mirror;

	for (size_t i = 0; i < ftp_dir_count(rd); i++) {
		const struct ftp_ent *e = ftp_dir_ent(rd, i);
		char *rel = join(d->rel, e->name);
		if (!ftp_ent_name_safe(e->name)) {
			note(op, rel, "skipped: not a safe local name");
			m->skipped++;
			free(rel);
			continue;
		}
		bool isdir = e->type == FTP_ENT_DIR;
		if (excluded(m, rel, e->name, isdir)) {
			free(rel);
			continue;
		}
		char *lp = join(d->ldir, e->name);
		char *rp = join(d->rdir, e->name);
		struct stat st;
		bool exists = lstat(lp, &st) == 0;
		if (isdir) {
			if (exists && !S_ISDIR(st.st_mode)) {
				note(op, lp, "skipped: a local file or link is in the way");
				m->skipped++;
			} else {
				if (!exists && m->dry)
					plan(op, "mkdir", lp);
				if (!exists && !m->dry && mkdir(lp, 0777) < 0) {
					char *x = ui_escape_str(lp, strlen(lp));
					op->o.err = cmd_error(op->o.ctx, ERR_LOCAL, "mirror: mkdir %s: %s",
					                      x, strerror(errno));
					free(x);
				}
				if (!exists)
					m->made++;
				enqueue(m, rp, lp, rel);
				continue;
			}
		} else if (e->type != FTP_ENT_FILE) {
			note(op, rel, e->type == FTP_ENT_LINK ? "skipped: a symbolic link" :
			                                        "skipped: not a regular file");
			m->skipped++;
		} else if (exists && !S_ISREG(st.st_mode)) {
			note(op, lp, "skipped: a local link or special file is in the way");
			m->skipped++;
		} else if (exists && up_to_date(m, e, &st)) {
			m->uptodate++;
		} else {
			if (m->nget + 1 >= m->capget) {
				m->capget = m->capget ? m->capget * 2 : 32;
				m->lpaths = xrealloc(m->lpaths, m->capget * sizeof(char *));
				m->rpaths = xrealloc(m->rpaths, m->capget * sizeof(char *));
				m->sizes = xrealloc(m->sizes, m->capget * sizeof(int64_t));
				m->mtimes = xrealloc(m->mtimes, m->capget * sizeof(int64_t));
				m->exact = xrealloc(m->exact, m->capget * sizeof(bool));
			}
			m->lpaths[m->nget] = lp;
			m->rpaths[m->nget] = rp;
			m->sizes[m->nget] = e->size;
			m->mtimes[m->nget] = e->mtime;
			m->exact[m->nget] = e->mtime_precise;
			m->nget++;
			if (e->size > 0)
				m->get_bytes += (uint64_t)e->size;
			free(rel);
			continue;
		}
		free(lp);
		free(rp);
		free(rel);
	}
	if (m->del)
		delete_extra(op, d, rd);
}

static void walk_next(struct ftp_op *op);

static void walk_fetched(void *arg, int err, const char *why, struct ftp_dir *rd)
{
	struct ftp_op *op = arg;
	struct mirror *m = op->mirror;
	/* A copy: walk_dir may grow the queue (the strings stay put). */
	struct mdir dd = m->q[m->qi++];
	const struct mdir *d = &dd;

	op->fetch = NULL;
	if (err) {
		char *e = ui_escape_str(d->rdir, strlen(d->rdir));
		op->o.err = cmd_error(op->o.ctx, err, "mirror: cannot list %s: %s", e,
		                      why[0] ? why : err_str(err));
		free(e);
	} else {
		walk_dir(op, d, rd);
		ftp_dir_free(rd);
	}
	walk_next(op);
}

/* List the next directory, or start the downloads. */
static void walk_next(struct ftp_op *op)
{
	struct mirror *m = op->mirror;

	if (m->qi < m->qn) {
		int r = ftp_fetch_start(op->o.s, m->q[m->qi].rdir, walk_fetched, op, &op->fetch);
		if (r < 0) {
			cmd_error(op->o.ctx, r, "mirror: cannot list: %s", err_str(r));
			op_finish(&op->o, r);
		}
		return;
	}
	char deleted[64] = "";
	if (m->del)
		snprintf(deleted, sizeof(deleted), ", %zu %s", m->deleted,
		         m->dry ? "to delete" : "deleted");
	cmd_printf(op->o.ctx, "mirror: %zu file%s to get (%" PRIu64 " bytes), %zu up to "
	           "date, %zu director%s %s, %zu skipped%s",
	           m->nget, m->nget == 1 ? "" : "s", m->get_bytes, m->uptodate,
	           m->made, m->made == 1 ? "y" : "ies", m->dry ? "to make" : "made",
	           m->skipped, deleted);
	if (m->dry) {
		for (size_t i = 0; i < m->nget; i++)
			plan(op, "get", m->lpaths[i]);
		op_finish(&op->o, op->o.err);
		return;
	}
	mirror_fetch_all(op);
}

int ftp_do_mirror(struct cmdctx *ctx)
{
	struct ftp *f = ctx->sess->pdata;
	struct mirror *m = xcalloc(1, sizeof(*m));
	const char *remote = NULL, *local = NULL;

	m->parallel = 1;
	int r = 0;

	m->excl = xcalloc((size_t)ctx->argc, sizeof(char *));
	m->incl = xcalloc((size_t)ctx->argc, sizeof(char *));
	for (int i = 1; i < ctx->argc && !r; i++) {
		const char *a = ctx->argv[i];
		const char *val = NULL;
		if (!strcmp(a, "--only-newer") || !strcmp(a, "-n")) {
			m->only_newer = true;
		} else if (!strcmp(a, "--delete") || !strcmp(a, "-e")) {
			m->del = true;
		} else if (!strcmp(a, "--dry-run")) {
			m->dry = true;
		} else if (!strncmp(a, "--exclude", 9) || !strncmp(a, "--include", 9)) {
			if (a[9] == '=')
				val = a + 10;
			else if (!a[9] && i + 1 < ctx->argc)
				val = ctx->argv[++i];
			if (!val || !*val)
				r = cmd_error(ctx, ERR_USAGE, "%.9s needs a pattern", a);
			else if (a[2] == 'e')
				m->excl[m->nexcl++] = val;
			else
				m->incl[m->nincl++] = val;
		} else if (!strncmp(a, "--parallel", 10)) {
			char *end = NULL;
			long n = a[10] == '=' ? strtol(a + 11, &end, 10) : 0;
			if (!end || *end || n < 1 || n > 64)
				r = cmd_error(ctx, ERR_USAGE, "--parallel=N: N from 1 to 64 "
				              "(connections of the session, up to "
				              "net:connection-limit)");
			else
				m->parallel = (int)n;
		} else if (!strcmp(a, "-R")) {
			r = cmd_error(ctx, ERR_USAGE, "%s is not supported yet", a);
		} else if (a[0] == '-' && a[1]) {
			r = cmd_error(ctx, ERR_USAGE, "unknown option %s", a);
		} else if (!remote) {
			remote = a;
		} else if (!local) {
			local = a;
		} else {
			r = cmd_error(ctx, ERR_USAGE, "usage: mirror [OPTIONS] REMOTE [LOCAL]");
		}
	}
	if (!r && !remote)
		r = cmd_error(ctx, ERR_USAGE, "usage: mirror [OPTIONS] REMOTE [LOCAL]");
	if (!r)
		r = ftp_check_args(ctx, 1);
	char *rroot = r ? NULL : ftp_path_abs(f->cwd, remote);
	if (!r && !rroot)
		r = cmd_error(ctx, ERR_FAIL, "the remote directory is not known; give "
		              "an absolute path");
	char *lroot = NULL;
	if (!r && !local) {
		/* The remote directory's name, here. */
		const char *base = strrchr(rroot, '/');
		base = base && base[1] ? base + 1 : ".";
		if (!ftp_ent_name_safe(base) && strcmp(base, "."))
			r = cmd_error(ctx, ERR_USAGE, "give the local directory");
		lroot = xstrdup(base);
	} else if (!r) {
		lroot = xstrdup(local);
	}
	struct stat st;
	if (!r && lstat(lroot, &st) == 0 && !S_ISDIR(st.st_mode))
		r = cmd_error(ctx, ERR_LOCAL, "%s is not a directory", lroot);
	else if (!r && !m->dry && mkdir(lroot, 0777) < 0 && errno != EEXIST)
		r = cmd_error(ctx, ERR_LOCAL, "mkdir %s: %s", lroot, strerror(errno));
	if (r) {
		free(rroot);
		free(lroot);
		ftp_mirror_free(m);
		return r;
	}
	enqueue(m, rroot, lroot, xstrdup(""));
	struct ftp_op *op = ftp_op_new(ctx);
	op->mirror = m;
	m->op = op;
	r = ftp_fetch_start(ctx->sess, rroot, walk_fetched, op, &op->fetch);
	if (r < 0)
		cmd_error(ctx, r, "mirror: cannot list: %s", err_str(r));
	return op_start(&op->o, r);
}
