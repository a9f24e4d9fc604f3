/* ftp_mirror.c - mirror REMOTE [LOCAL]: a remote tree made again locally.
 *
 * Two phases on the command's connection: the walk lists every remote
 * directory (ftp_fetch_start), makes the local directories and decides
 * what to get (missing files; changed ones: another size or time; with
 * --only-newer, only those newer than the local copy, compared in UTC) and,
 * with --delete, what local names the remote side no longer has; then the
 * downloads run one after the other through get's own item (lfile: NAME.part,
 * no-clobber checks, the remote time set on the file).
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
#include "log.h"
#include "session.h"
#include "ui.h"

struct mdir {
	char *rdir, *ldir, *rel;    /* remote (absolute), local, relative */
};

struct mirror {
	bool only_newer, del, dry;
	const char **excl, **incl;
	size_t nexcl, nincl;
	struct mdir *q;             /* directories to list */
	size_t qn, qcap, qi;
	char **lpaths;              /* per download, its local path */
	size_t nget, capget;
	uint64_t get_bytes;
	size_t made, uptodate, skipped, deleted;
};

void ftp_mirror_free(struct mirror *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->qn; i++) {
		free(m->q[i].rdir);
		free(m->q[i].ldir);
		free(m->q[i].rel);
	}
	free(m->q);
	for (size_t i = 0; i < m->nget; i++)
		free(m->lpaths[i]);
	free(m->lpaths);
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
			}
			m->lpaths[m->nget++] = lp;
			ftp_glob_push(op, rp);
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

static int mirror_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	op->out_opt = op->mirror->lpaths[o->idx - 1];
	op->force = true;
	return ftp_get_one(o);
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
	ftp_glob_take(op);
	op->o.item = mirror_item;
	op_item_done(&op->o, 0);
}

int ftp_do_mirror(struct cmdctx *ctx)
{
	struct ftp *f = ctx->sess->pdata;
	struct mirror *m = xcalloc(1, sizeof(*m));
	const char *remote = NULL, *local = NULL;
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
		} else if (!strcmp(a, "-R") || !strncmp(a, "--parallel", 10)) {
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
	op->o.item = mirror_item;
	r = ftp_fetch_start(ctx->sess, rroot, walk_fetched, op, &op->fetch);
	if (r < 0)
		cmd_error(ctx, r, "mirror: cannot list: %s", err_str(r));
	return op_start(&op->o, r);
}
