/* ftp_mirror.c - mirror REMOTE [LOCAL]: a remote tree made again locally.
 *
 * Two phases on the command's connection: the walk lists every remote
 * directory (ftp_fetch_start_all: MLSD, else LIST -a, so that dot files a
 * plain LIST hides come too), makes the local directories and decides
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
#include <ctype.h>
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
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "ftp_int.h"
#include "ftp_list.h"
#include "ftp_mirror.h"
#include "lfile.h"
#include "log.h"
#include "pp.h"
#include "session.h"
#include "ui.h"

static void mw_next(struct mworker *w);

/* ---- --Remove-source-files ---------------------------------------------
 *
 * A source file goes only once its copy is proven whole: a download's
 * size is the listing's, which the transfer had to match (DELE then); an
 * upload's must be what the server's SIZE tells afterwards (the local
 * file is unlinked then).  Otherwise it stays, with a one-line error. */

/* The source of w's file (local for an upload, remote for a download)
 * stays: say why. */
static void mw_kept(struct mworker *w, int err, const char *why)
{
	struct mirror *m = w->m;
	const char *path = m->up ? m->lpaths[w->idx] : m->rpaths[w->idx];
	char *e = ui_escape_str(path, strlen(path));
	m->op->o.err = cmd_error(m->op->o.ctx, err, "%s: copied, but kept "
	                         "(--Remove-source-files): %s", e, why);
	free(e);
}

static void mw_removed_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct mworker *w = arg;
	struct mirror *m = w->m;
	uint64_t size;
	char why[600];
	(void)pp;
	if (!err && !r->final)
		return;
	w->req = 0;
	if (err) {
		mw_kept(w, err, err_str(err));
		w->idx = m->nget; /* the connection is gone: this worker ends */
	} else if (!m->up) {
		ftp_cache_forget(w->c, m->rpaths[w->idx]);
		if (r->code < 200 || r->code >= 300) {
			char *esc = ui_escape_str(r->msg, strlen(r->msg));
			snprintf(why, sizeof(why), "DELE: %d %s", r->code, esc);
			free(esc);
			int e = ftp_reply_err(r->code);
			mw_kept(w, e ? e : ERR_PROTO, why);
		}
	} else if (r->code != 213 || ftp_parse_size(r->msg, &size) < 0) {
		mw_kept(w, ERR_FAIL, "the server did not tell its size (SIZE)");
	} else if (size != w->sent) {
		snprintf(why, sizeof(why), "the server has %" PRIu64 " of %" PRIu64 " bytes",
		         size, w->sent);
		mw_kept(w, ERR_PROTO, why);
	} else if (!lsource_unchanged(&w->src, w->sent)) {
		mw_kept(w, ERR_FAIL, "it changed while it was sent");
	} else if (unlink(m->lpaths[w->idx]) < 0) {
		mw_kept(w, ERR_LOCAL, strerror(errno));
	}
	lsource_clear(&w->src);
	mw_next(w);
}

/* w's file was copied well: DELE its remote source, or ask SIZE before
 * removing its local one; then the next file. */
static void mw_remove_src(struct mworker *w)
{
	struct mirror *m = w->m;
	struct ftp *f = w->c ? w->c->pdata : NULL;
	const char *why = NULL;
	int err = ERR_FAIL;

	if (!w->c || !w->c->pp)
		why = "the connection was lost", err = ERR_NET;
	else if (!m->up && m->sizes[w->idx] < 0)
		why = "the listing did not tell its size";
	else if (m->up && f->feat_known && !f->feat.size)
		why = "the server cannot tell its size (SIZE)";
	if (!why) {
		char *line = xasprintf("%s %s", m->up ? "SIZE" : "DELE", m->rpaths[w->idx]);
		struct pp_cmd c = { .done = mw_removed_reply, .arg = w };
		int r = pp_send(w->c->pp, line, &c);
		free(line);
		if (r > 0) {
			w->req = r;
			return;
		}
		why = err_str(r), err = r;
	}
	mw_kept(w, err, why);
	lsource_clear(&w->src);
	mw_next(w);
}

/* ---- uploads (mirror -R, put -r): STOR, then MFMT when offered ---- */

static ssize_t mw_fill(void *arg, char *p, size_t cap)
{
	struct mworker *w = arg;
	ssize_t n = lsource_read(&w->src, p, cap);
	if (n < 0)
		snprintf(w->why, sizeof(w->why), "%s", w->src.why);
	else if (w->m->op)
		w->m->op->o.ctx->bytes += (uint64_t)n;
	return n;
}

static void mw_up_ended(struct mworker *w, int err, const char *why)
{
	struct mirror *m = w->m;
	if (err) {
		char *r = ui_escape_str(m->lpaths[w->idx], strlen(m->lpaths[w->idx]));
		m->op->o.err = cmd_error(m->op->o.ctx, err, "%s: %s", r,
		                         w->why[0] ? w->why : why);
		free(r);
	} else {
		m->done_files++;
		m->done_bytes += w->src.size;
	}
	w->sent = w->src.size;
	w->why[0] = '\0';
	if (ftp_err_lost(err))
		w->idx = m->nget;
	if (!err && m->remove_src) {
		mw_remove_src(w); /* the source stays open for its last check */
		return;
	}
	lsource_clear(&w->src);
	mw_next(w);
}

static void mw_mfmt_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct mworker *w = arg;
	(void)pp;
	if (!err && !r->final)
		return;
	w->req = 0;
	/* A time the server would not set is no failed upload. */
	mw_up_ended(w, err, err_str(err));
}

static void mw_stored(void *arg, int err, const char *why)
{
	struct mworker *w = arg;
	struct mirror *m = w->m;
	w->x = NULL;
	ftp_cache_forget(w->c, m->rpaths[w->idx]);
	if (!err && m->mfmt && m->mtimes[w->idx] >= 0 && w->c->pp) {
		time_t t = (time_t)m->mtimes[w->idx];
		struct tm tm;
		char when[32];
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y%m%d%H%M%S", &tm);
		char *line = xasprintf("MFMT %s %s", when, m->rpaths[w->idx]);
		struct pp_cmd c = { .done = mw_mfmt_reply, .arg = w };
		int r = pp_send(w->c->pp, line, &c);
		free(line);
		if (r > 0) {
			w->req = r;
			return;
		}
	}
	mw_up_ended(w, err, why);
}

static const struct ftp_xfer_ops mw_up_ops = {
	.fill = mw_fill,
	.done = mw_stored,
};

static int mw_stor(struct mworker *w)
{
	struct mirror *m = w->m;
	int r = lsource_open(&w->src, m->lpaths[w->idx]);
	if (r < 0) {
		snprintf(w->lf.why, sizeof(w->lf.why), "%s", w->src.why);
		return r;
	}
	char *line = xasprintf("STOR %s", m->rpaths[w->idx]);
	r = ftp_xfer_start(w->c, line, XFER_UP, -1, 0, &mw_up_ops, w, &w->x);
	free(line);
	if (r < 0) {
		lsource_clear(&w->src);
		snprintf(w->lf.why, sizeof(w->lf.why), "%s", err_str(r));
	}
	return r;
}

static int mw_start(void *arg)
{
	struct mworker *w = arg;
	if (w->lf.fd >= 0)
		return 0; /* opened by mw_retr */
	int r = lfile_open(&w->lf, w->m->sizes[w->idx], w->m->mtimes[w->idx]);
	if (r < 0)
		snprintf(w->why, sizeof(w->why), "%s", w->lf.why);
	return r;
}

static int mw_data(void *arg, const char *p, size_t n)
{
	struct mworker *w = arg;
	int r = lfile_write_due(&w->lf, p, n, w->x ? ftp_xfer_size(w->x) : -1);
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
	if (!err) {
		m->done_files++;
		m->done_bytes += w->lf.written;
	}
	if (err) {
		lfile_discard(&w->lf);
		char *r = ui_escape_str(m->rpaths[w->idx], strlen(m->rpaths[w->idx]));
		m->op->o.err = cmd_error(m->op->o.ctx, err, "%s: %s", r,
		                         w->why[0] ? w->why : why);
		free(r);
	}
	lfile_clear(&w->lf);
	w->why[0] = '\0';
	/* A lost connection ends this worker; the others go on. */
	if (ftp_err_lost(err))
		w->idx = m->nget;
	if (!err && m->remove_src)
		mw_remove_src(w);
	else
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
	ftp_progress_done(op, "mirror", m->done_files, m->done_bytes);
	if (m->after) {
		m->after(op);
		return;
	}
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
	lsource_clear(&w->src);
	if (w->c && w->leased)
		session_release(w->c);
	w->c = NULL;
}

static int mw_retr(struct mworker *w)
{
	struct mirror *m = w->m;
	char *line = xasprintf("RETR %s", m->rpaths[w->idx]);
	int64_t size = m->sizes[w->idx];
	int r = ftp_xfer_start(w->c, line, XFER_DOWN, size >= 0 ? size - (int64_t)w->lf.offset : -1,
	                       w->lf.offset, &mw_ops, w, &w->x);
	free(line);
	if (r < 0) {
		snprintf(w->lf.why, sizeof(w->lf.why), "%s", err_str(r));
		return r;
	}
	/* NAME.part is made while the server answers (a new file costs a
	 * local file system more than a round trip on loopback); a failure
	 * is met again, and reported, when the data starts (mw_start). */
	(void)lfile_open(&w->lf, m->sizes[w->idx], m->mtimes[w->idx]);
	return 0;
}

static void mw_failed(struct mworker *w, int r)
{
	struct mirror *m = w->m;
	char *e = ui_escape_str(m->rpaths[w->idx], strlen(m->rpaths[w->idx]));
	m->op->o.err = cmd_error(m->op->o.ctx, r, "%s: %s", e, w->lf.why);
	free(e);
	lfile_clear(&w->lf);
}

/* A time from a LIST line has minutes at best: MDTM tells the second,
 * for the local copy's time.  The EPSV of the file's data connection is
 * already on its way behind it (pipelined); a failure here reaches that
 * transfer too, which reports it. */
static void mw_mdtm_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct mworker *w = arg;
	int64_t t;
	(void)pp;
	if (!err && !r->final)
		return;
	w->req = 0;
	if (!err && r->code == 213 && ftp_parse_mdtm(r->msg, &t) == 0) {
		w->m->mtimes[w->idx] = t;
		w->lf.mtime = t;
	}
}

/* Where w's file goes: with -c, the NAME.part an interrupted mirror left
 * is resumed (REST) when NAME.part.meta shows the remote file as the
 * listing does now (size, and time within the listing's precision) and
 * the part is shorter; otherwise the file comes whole again. */
static int mw_target(struct mworker *w)
{
	struct mirror *m = w->m;
	const char *lp = m->lpaths[w->idx];
	int64_t size = m->sizes[w->idx], t = m->mtimes[w->idx], ms, mt;
	if (m->cont && size > 0 && lfile_target(&w->lf, lp, true) == 0 && w->lf.resume_part &&
	    w->lf.offset > 0 && w->lf.offset < (uint64_t)size &&
	    lfile_meta(&w->lf, &ms, &mt) == 0 && ms == size &&
	    (mt < 0 || t < 0 || llabs(mt - t) <= mirror_time_slack(t, m->exact[w->idx]))) {
		char *e = ui_escape_str(lp, strlen(lp));
		log_note(m->op->o.s->name, "%s: resumed at %" PRIu64, e, w->lf.offset);
		free(e);
		return 0;
	}
	if (m->cont) {
		lfile_clear(&w->lf);
		lfile_init(&w->lf, true);
	}
	return lfile_target(&w->lf, lp, false);
}

/* Hand w the next file, or let it go. */
static void mw_next(struct mworker *w)
{
	struct mirror *m = w->m;
	struct ftp *f = w->c ? w->c->pdata : NULL;

	while (f && w->idx < m->nget && m->next < m->nget) {
		w->idx = m->next++;
		lfile_init(&w->lf, true);
		if (m->up) {
			int r = mw_stor(w);
			if (r == 0)
				return;
			mw_failed(w, r);
			if (r == ERR_NET)
				break;
			continue;
		}
		int r = mw_target(w);
		if (r == 0 && !m->exact[w->idx] && f->feat_known && f->feat.mdtm) {
			/* Pipelined with the data connection's EPSV: one round
			 * trip a file less. */
			struct pp_cmd c = { .done = mw_mdtm_reply, .arg = w, .pipeline = true };
			char *line = xasprintf("MDTM %s", m->rpaths[w->idx]);
			r = w->c->pp ? pp_send(w->c->pp, line, &c) : ERR_NET;
			free(line);
			if (r > 0)
				w->req = r, r = 0;
			else
				snprintf(w->lf.why, sizeof(w->lf.why), "%s", err_str(r));
		}
		if (r == 0 && (r = mw_retr(w)) == 0)
			return;
		if (w->req && w->c->pp)
			pp_cancel(w->c->pp, w->req);
		w->req = 0;
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
void mirror_transfer_all(struct ftp_op *op)
{
	struct mirror *m = op->mirror;
	int n = m->parallel;
	if ((size_t)n > m->nget)
		n = (int)m->nget;
	if (n < 1) {
		if (m->after)
			m->after(op);
		else
			op_finish(&op->o, op->o.err);
		return;
	}
	op->o.ctx->total = (int64_t)m->get_bytes;
	ftp_progress_begin(op, m->q[0].rel[0] ? m->q[0].rel : m->up ? m->q[0].ldir : m->q[0].rdir);
	m->w = xcalloc((size_t)n, sizeof(*m->w));
	m->nw = n;
	m->busy = n;
	for (int i = 0; i < n; i++) {
		m->w[i].m = m;
		/* Not the calloc'ed fd 0: a worker that finds no file left
		 * still clears its lfile, which would close standard input,
		 * and later whatever socket or file took descriptor 0. */
		lfile_init(&m->w[i].lf, true);
	}
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
	for (size_t i = 0; i < m->nchk; i++) {
		free(m->chk[i].lp);
		free(m->chk[i].rp);
	}
	free(m->chk);
	free(m);
}

char *mirror_join(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (!*a)
		return xstrdup(b);
	return xasprintf("%s%s%s", a, n && a[n - 1] == '/' ? "" : "/", b);
}

void mirror_enqueue(struct mirror *m, char *rdir, char *ldir, char *rel, int make)
{
	if (m->qn == m->qcap) {
		m->qcap = m->qcap ? m->qcap * 2 : 16;
		m->q = xrealloc(m->q, m->qcap * sizeof(*m->q));
	}
	m->q[m->qn++] = (struct mdir){ rdir, ldir, rel, make };
}

void mirror_add(struct mirror *m, char *lp, char *rp, int64_t size, int64_t mtime,
                bool exact)
{
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
	m->sizes[m->nget] = size;
	m->mtimes[m->nget] = mtime;
	m->exact[m->nget] = exact;
	m->nget++;
	if (size > 0)
		m->get_bytes += (uint64_t)size;
}

static bool matches_any(const char *const *pats, size_t n, const char *rel, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], rel, 0) == 0 || fnmatch(pats[i], name, FNM_PERIOD) == 0)
			return true;
	return false;
}

bool mirror_excluded(const struct mirror *m, const char *rel, const char *name, bool dir)
{
	if (matches_any(m->excl, m->nexcl, rel, name))
		return true;
	return !dir && m->nincl && !matches_any(m->incl, m->nincl, rel, name);
}

/* A note about one name, escaped. */
void mirror_note(const char *path, const char *what)
{
	char *e = ui_escape_str(path, strlen(path));
	ui_info("mirror: %s: %s", e, what);
	free(e);
}

/* --dry-run: what would be done, as the command's output. */
void mirror_plan(struct ftp_op *op, const char *what, const char *path)
{
	char *e = ui_escape_str(path, strlen(path));
	cmd_printf(op->o.ctx, "%s %s", what, e);
	free(e);
}

int64_t mirror_time_slack(int64_t t, bool precise)
{
	/* A time read from a LIST line has minutes at best, and a file older
	 * than six months shows its day alone (midnight here). */
	return precise ? 0 : t % 86400 == 0 ? 86400 : 60;
}

/* Is the local copy st up to date with remote entry e? */
static bool up_to_date(const struct mirror *m, const struct ftp_ent *e, const struct stat *st)
{
	int64_t slack = mirror_time_slack(e->mtime, e->mtime_precise);
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
		char *rel = mirror_join(d->rel, n);
		if (have || mirror_excluded(m, rel, n, false)) {
			free(rel);
			continue;
		}
		char *lp = mirror_join(d->ldir, n);
		if (m->dry) {
			mirror_plan(op, "delete", lp);
		} else if (nftw(lp, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0) {
			char *e = ui_escape_str(lp, strlen(lp));
			op->o.err = cmd_error(op->o.ctx, ERR_LOCAL, "cannot delete %s: %s",
			                      e, strerror(errno));
			free(e);
		} else {
			mirror_note(lp, "deleted");
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
		char *rel = mirror_join(d->rel, e->name);
		if (!ftp_ent_name_safe(e->name)) {
			mirror_note(rel, "skipped: not a safe local name");
			m->skipped++;
			free(rel);
			continue;
		}
		bool isdir = e->type == FTP_ENT_DIR;
		if (mirror_excluded(m, rel, e->name, isdir)) {
			free(rel);
			continue;
		}
		char *lp = mirror_join(d->ldir, e->name);
		char *rp = mirror_join(d->rdir, e->name);
		struct stat st;
		bool exists = lstat(lp, &st) == 0;
		if (isdir) {
			if (exists && !S_ISDIR(st.st_mode)) {
				mirror_note(lp, "skipped: a local file or link is in the way");
				m->skipped++;
			} else {
				if (!exists && m->dry)
					mirror_plan(op, "mkdir", lp);
				if (!exists && !m->dry && mkdir(lp, 0777) < 0) {
					char *x = ui_escape_str(lp, strlen(lp));
					op->o.err = cmd_error(op->o.ctx, ERR_LOCAL, "mkdir %s: %s",
					                      x, strerror(errno));
					free(x);
				}
				if (!exists)
					m->made++;
				mirror_enqueue(m, rp, lp, rel, 0);
				continue;
			}
		} else if (e->type != FTP_ENT_FILE) {
			mirror_note(rel, e->type == FTP_ENT_LINK ? "skipped: a symbolic link" :
			                                        "skipped: not a regular file");
			m->skipped++;
		} else if (exists && !S_ISREG(st.st_mode)) {
			mirror_note(lp, "skipped: a local link or special file is in the way");
			m->skipped++;
		} else if (exists && up_to_date(m, e, &st)) {
			m->uptodate++;
		} else {
			mirror_add(m, lp, rp, e->size, e->mtime, e->mtime_precise);
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
		op->o.err = cmd_error(op->o.ctx, err, "cannot list %s: %s", e,
		                      why[0] ? why : err_str(err));
		free(e);
	} else if (!d->rel[0] && !m->dry && mkdir(d->ldir, 0777) < 0 && errno != EEXIST) {
		/* A root is made once its remote side is known to be there. */
		char *e = ui_escape_str(d->ldir, strlen(d->ldir));
		op->o.err = cmd_error(op->o.ctx, ERR_LOCAL, "mkdir %s: %s", e,
		                      strerror(errno));
		free(e);
		ftp_dir_free(rd);
	} else {
		m->listed++;
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
		int r = ftp_fetch_start_all(op->o.s, m->q[m->qi].rdir, true, walk_fetched, op,
		                            &op->fetch);
		if (r < 0) {
			cmd_error(op->o.ctx, r, "cannot list: %s", err_str(r));
			op_finish(&op->o, r);
		}
		return;
	}
	if (!m->listed) {
		/* Nothing listed: the errors said it all. */
		op_finish(&op->o, op->o.err);
		return;
	}
	/* A dry run says what it would do, then the count, last. */
	if (m->dry)
		for (size_t i = 0; i < m->nget; i++)
			mirror_plan(op, "get", m->lpaths[i]);
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
		op_finish(&op->o, op->o.err);
		return;
	}
	mirror_transfer_all(op);
}

/* A root pair: the local side made (downloads) or checked (uploads).
 * Takes rroot and lroot; 0 or ERR_* reported. */
static int mirror_root(struct cmdctx *ctx, struct mirror *m, char *rroot, char *lroot)
{
	struct stat st;
	int r = 0;
	if (m->up) {
		if (stat(lroot, &st) < 0)
			r = cmd_error(ctx, ERR_LOCAL, "%s: %s", lroot, strerror(errno));
		else if (!S_ISDIR(st.st_mode))
			r = cmd_error(ctx, ERR_LOCAL, "%s is not a directory (put sends a "
			              "file)", lroot);
	} else if (lstat(lroot, &st) == 0 && !S_ISDIR(st.st_mode)) {
		r = cmd_error(ctx, ERR_LOCAL, "%s is not a directory", lroot);
	}
	/* A download's root is made when its listing comes (walk_fetched):
	 * a remote directory that is not there leaves nothing here. */
	if (r) {
		free(rroot);
		free(lroot);
		return r;
	}
	mirror_enqueue(m, rroot, lroot, xstrdup(""), 0);
	return 0;
}

/* The base name of path as a name on the other side, or NULL. */
static char *base_of(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	char *p = xstrndup(path, n);
	const char *b = strrchr(p, '/');
	char *name = xstrdup(b ? b + 1 : p);
	free(p);
	if (!ftp_ent_name_safe(name) || !ftp_arg_ok(name)) {
		free(name);
		return NULL;
	}
	return name;
}

/* The walk starts: the remote tree's first listing, or the local one's. */
static int mirror_go(struct cmdctx *ctx, struct mirror *m)
{
	struct ftp_op *op = ftp_op_new(ctx);
	op->mirror = m;
	m->op = op;
	if (m->up)
		return op_start(&op->o, mirror_up_start(op));
	int r = ftp_fetch_start_all(ctx->sess, m->q[0].rdir, true, walk_fetched, op,
	                            &op->fetch);
	if (r < 0)
		cmd_error(ctx, r, "cannot list: %s", err_str(r));
	return op_start(&op->o, r);
}

/* Whether argv[*i] is the option name (long names also as "NAME=VALUE"),
 * and then its value: after '=', or the next word (*i moves past it).
 * *val NULL: the value is missing. */
static bool opt_is(struct cmdctx *ctx, int *i, const char *name, const char **val)
{
	const char *a = ctx->argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0 || (a[n] && (a[n] != '=' || a[1] != '-')))
		return false;
	*val = a[n] == '=' ? a + n + 1 : *i + 1 < ctx->argc ? ctx->argv[++*i] : NULL;
	return true;
}

/* One option of mirror (shared with get -r and put -r): 1 taken, 0 not
 * an option of mirror's, or ERR_USAGE reported.  *i moves past a value.
 * lftp's short forms are taken too: -n, -e, -X GLOB, -I GLOB, -P N. */
static int mirror_opt(struct cmdctx *ctx, struct mirror *m, int *i)
{
	const char *a = ctx->argv[*i];
	const char *val = NULL;
	if (!strcmp(a, "--only-newer") || !strcmp(a, "-n")) {
		m->only_newer = true;
	} else if (!strcmp(a, "--delete") || !strcmp(a, "-e")) {
		m->del = true;
	} else if (!strcmp(a, "--dry-run")) {
		m->dry = true;
	} else if (!strcmp(a, "--continue") || !strcmp(a, "-c")) {
		m->cont = true;
	} else if (!strcmp(a, "--Remove-source-files") || !strcmp(a, "--remove-source-files")) {
		m->remove_src = true;
	} else if (opt_is(ctx, i, "--exclude", &val) || opt_is(ctx, i, "--exclude-glob", &val) ||
	           opt_is(ctx, i, "-X", &val)) {
		if (!val || !*val)
			return cmd_error(ctx, ERR_USAGE, "%s needs a pattern", a);
		m->excl[m->nexcl++] = val;
	} else if (opt_is(ctx, i, "--include", &val) || opt_is(ctx, i, "--include-glob", &val) ||
	           opt_is(ctx, i, "-I", &val)) {
		if (!val || !*val)
			return cmd_error(ctx, ERR_USAGE, "%s needs a pattern", a);
		m->incl[m->nincl++] = val;
	} else if ((!strncmp(a, "-P", 2) && isdigit((unsigned char)a[2]) && (val = a + 2)) ||
	           opt_is(ctx, i, "--parallel", &val) || opt_is(ctx, i, "-P", &val)) {
		char *end = NULL;
		long n = val ? strtol(val, &end, 10) : 0;
		if (!end || end == val || *end || n < 1 || n > 64)
			return cmd_error(ctx, ERR_USAGE, "--parallel=N: N from 1 to 64 "
			                 "(connections of the session, up to "
			                 "net:connection-limit)");
		m->parallel = (int)n;
	} else {
		return 0;
	}
	return 1;
}

/* -c resumes downloads only: an upload's resume (reput) trusts what the
 * server kept, which a tree's walk does not check. */
static int mirror_no_continue_up(struct cmdctx *ctx)
{
	return cmd_error(ctx, ERR_USAGE, "-c resumes downloads (mirror, get -r), not "
	                 "uploads; reput resumes one file");
}

static struct mirror *mirror_new(struct cmdctx *ctx)
{
	struct mirror *m = xcalloc(1, sizeof(*m));
	m->parallel = 1;
	m->excl = xcalloc((size_t)ctx->argc, sizeof(char *));
	m->incl = xcalloc((size_t)ctx->argc, sizeof(char *));
	return m;
}

/* get -r DIR... [-o LOCAL], put -r DIR... [-o REMOTE]: whole trees, as
 * mirror makes them (the options of mirror apply). */
int ftp_do_tree_xfer(struct cmdctx *ctx, bool up)
{
	struct ftp *f = ctx->sess->pdata;
	struct mirror *m = mirror_new(ctx);
	const char *out = NULL;
	int r = 0, n = 0;
	m->up = up;
	char **ops = xcalloc((size_t)ctx->argc, sizeof(char *));
	for (int i = 1; i < ctx->argc && r >= 0; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-r") || !strcmp(a, "-f"))
			continue;
		if (!strcmp(a, "-E")) {
			m->remove_src = true; /* get -r -E, put -r -E */
			continue;
		}
		if (!strcmp(a, "-o") && i + 1 < ctx->argc)
			out = ctx->argv[++i];
		else if ((r = mirror_opt(ctx, m, &i)) == 0 && a[0] == '-' && a[1])
			r = cmd_error(ctx, ERR_USAGE, "unknown option %s", a);
		else if (r == 0)
			ops[n++] = ctx->argv[i];
	}
	if (r >= 0 && !n)
		r = cmd_error(ctx, ERR_USAGE, "usage: %s -r DIR... [-o %s]", ctx->argv[0],
		              up ? "REMOTE" : "LOCAL");
	if (r >= 0 && out && n > 1)
		r = cmd_error(ctx, ERR_USAGE, "-o takes one directory");
	if (r >= 0 && up && m->cont)
		r = mirror_no_continue_up(ctx);
	if (r >= 0)
		r = ftp_check_args(ctx, 1);
	for (int i = 0; i < n && r >= 0; i++) {
		char *name = out ? xstrdup(out) : base_of(ops[i]);
		if (!name) {
			r = cmd_error(ctx, ERR_USAGE, "%s: no directory name to use on the "
			              "other side (use -o)", ops[i]);
			break;
		}
		char *rroot = ftp_path_abs(f->cwd, up ? name : ops[i]);
		char *lroot = xstrdup(up ? ops[i] : name);
		free(name);
		if (!rroot) {
			free(lroot);
			r = cmd_error(ctx, ERR_FAIL, "the remote directory is not known; "
			              "give an absolute path");
			break;
		}
		r = mirror_root(ctx, m, rroot, lroot);
	}
	free(ops);
	if (r < 0) {
		ftp_mirror_free(m);
		return r;
	}
	return mirror_go(ctx, m);
}

int ftp_do_mirror(struct cmdctx *ctx)
{
	struct ftp *f = ctx->sess->pdata;
	struct mirror *m = mirror_new(ctx);
	const char *first = NULL, *second = NULL;
	int r = 0;
	const char *usage = "usage: mirror [OPTIONS] REMOTE [LOCAL], mirror -R "
	                    "[OPTIONS] LOCAL [REMOTE]";

	for (int i = 1; i < ctx->argc && r >= 0; i++) {
		const char *a = ctx->argv[i];
		if (!strcmp(a, "-R") || !strcmp(a, "--reverse"))
			m->up = true;
		else if ((r = mirror_opt(ctx, m, &i)) != 0)
			continue;
		else if (a[0] == '-' && a[1])
			r = cmd_error(ctx, ERR_USAGE, "unknown option %s", a);
		else if (!first)
			first = a;
		else if (!second)
			second = a;
		else
			r = cmd_error(ctx, ERR_USAGE, "%s", usage);
	}
	if (r >= 0 && !first)
		r = cmd_error(ctx, ERR_USAGE, "%s", usage);
	if (r >= 0 && m->up && m->cont)
		r = mirror_no_continue_up(ctx);
	if (r >= 0)
		r = ftp_check_args(ctx, 1);
	const char *remote = m->up ? second : first, *local = m->up ? first : second;
	char *other = NULL, *rroot = NULL;
	if (r >= 0 && m->up && !remote) {
		/* The local directory's name, in the remote one. */
		other = base_of(first);
		if (!other)
			r = cmd_error(ctx, ERR_USAGE, "give the remote directory");
		remote = other;
	}
	if (r >= 0 && !(rroot = ftp_path_abs(f->cwd, remote)))
		r = cmd_error(ctx, ERR_FAIL, "the remote directory is not known; give "
		              "an absolute path");
	if (r >= 0 && !local) {
		/* The remote directory's name, here. */
		other = strcmp(rroot, "/") ? base_of(rroot) : xstrdup(".");
		if (!other)
			r = cmd_error(ctx, ERR_USAGE, "give the local directory");
		local = other;
	}
	if (r >= 0)
		r = mirror_root(ctx, m, rroot, xstrdup(local));
	else
		free(rroot);
	free(other);
	if (r < 0) {
		ftp_mirror_free(m);
		return r;
	}
	return mirror_go(ctx, m);
}
