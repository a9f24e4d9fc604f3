/* ftp_mirror_up.c - mirror -R LOCAL [REMOTE] and put -r: a local tree
 * made again on the server.
 *
 * The walk goes through the queued directories on the command's
 * connection: a remote directory that exists is listed (MLSD or LIST) and
 * compared with the local one; one that does not is made (MKD) and needs
 * no listing.  A local file goes up when the remote side lacks it or has
 * another size, or an older time (with MFMT, any other time); with
 * --only-newer only when the local copy is newer, compared in UTC (where
 * a LIST line's time, minutes at best, would decide, MDTM tells the
 * second; without MDTM it counts as equal within its precision).  Local symbolic
 * links are never followed (a link to a directory would take the walk out
 * of the tree) and special files are skipped, each with a note.  With
 * --delete the remote names the local side lacks go after the uploads,
 * only inside REMOTE and only names ferry would send (ftp_tree.c removes
 * remote directories depth first).  Then the uploads run on the
 * connections of mirror_transfer_all, the time set with MFMT when FEAT
 * offers it.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "err.h"
#include "ftp_int.h"
#include "ftp_list.h"
#include "ftp_mirror.h"
#include "pp.h"
#include "session.h"
#include "ui.h"

static void up_next(struct ftp_op *op);

static const struct ftp_ent *find_ent(const struct ftp_dir *rd, const char *name)
{
	for (size_t i = 0; rd && i < ftp_dir_count(rd); i++)
		if (!strcmp(ftp_dir_ent(rd, i)->name, name))
			return ftp_dir_ent(rd, i);
	return NULL;
}

/* Must a local file (lsize, lmtime) go up over a remote one (rsize,
 * rmtime: -1 unknown; precise: to the second)? */
static bool up_changed(const struct mirror *m, int64_t rsize, int64_t rmtime, bool precise,
                       int64_t lsize, int64_t lmtime)
{
	int64_t slack = precise ? 0 : rmtime % 86400 == 0 ? 86400 : 60;
	if (m->only_newer)
		return rmtime >= 0 && lmtime > rmtime + slack;
	if (rsize >= 0 && rsize != lsize)
		return true;
	if (rmtime < 0)
		return false;
	/* Without MFMT the remote time is when it was uploaded: later. */
	if (lmtime > rmtime + slack)
		return true;
	return m->mfmt && lmtime < rmtime - slack;
}

/* The decision for one file: queued, or counted up to date. */
static void up_decide(struct mirror *m, char *lp, char *rp, int64_t rsize, int64_t rmtime,
                      bool precise, int64_t lsize, int64_t lmtime)
{
	if (up_changed(m, rsize, rmtime, precise, lsize, lmtime)) {
		mirror_add(m, lp, rp, lsize, lmtime, true);
		return;
	}
	m->uptodate++;
	free(lp);
	free(rp);
}

/* --delete: remote names of rd that the local directory lacks. */
static void up_delete_extra(struct ftp_op *op, const struct mdir *d, const struct ftp_dir *rd)
{
	struct mirror *m = op->mirror;
	for (size_t i = 0; rd && i < ftp_dir_count(rd); i++) {
		const struct ftp_ent *e = ftp_dir_ent(rd, i);
		if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
			continue;
		char *rel = mirror_join(d->rel, e->name);
		char *rp = mirror_join(d->rdir, e->name);
		char *lp = mirror_join(d->ldir, e->name);
		struct stat st;
		bool dir = e->type == FTP_ENT_DIR;
		if (lstat(lp, &st) == 0 || mirror_excluded(m, rel, e->name, dir)) {
			/* here, or left alone */
		} else if (!ftp_ent_name_safe(e->name) || !ftp_arg_ok(e->name)) {
			mirror_note(rp, "not deleted: not a name ferry sends");
			m->skipped++;
		} else {
			if (m->dry)
				mirror_plan(op, "delete", rp);
			else
				ftp_tree_add(op, rp, dir);
			m->deleted++;
		}
		free(rel);
		free(rp);
		free(lp);
	}
}

/* One directory: its local entries against the remote listing rd (NULL:
 * the remote directory is new). */
static void up_dir(struct ftp_op *op, const struct mdir *d, const struct ftp_dir *rd)
{
	struct mirror *m = op->mirror;
	DIR *dir = opendir(d->ldir);
	if (!dir) {
		char *e = ui_escape_str(d->ldir, strlen(d->ldir));
		op->o.err = cmd_error(op->o.ctx, ERR_LOCAL, "%s: %s", e, strerror(errno));
		free(e);
		return;
	}
	struct dirent *de;
	while ((de = readdir(dir))) {
		const char *n = de->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		char *lp = mirror_join(d->ldir, n);
		char *rel = mirror_join(d->rel, n);
		struct stat st;
		if (lstat(lp, &st) < 0) {
			free(lp);
			free(rel);
			continue;
		}
		bool isdir = S_ISDIR(st.st_mode);
		if (mirror_excluded(m, rel, n, isdir)) {
			free(lp);
			free(rel);
			continue;
		}
		const struct ftp_ent *e = find_ent(rd, n);
		char *rp = mirror_join(d->rdir, n);
		if (!ftp_arg_ok(n)) {
			mirror_note(lp, "skipped: a line break in the name");
			m->skipped++;
		} else if (S_ISLNK(st.st_mode)) {
			mirror_note(lp, "skipped: a symbolic link (not followed)");
			m->skipped++;
		} else if (isdir && e && e->type != FTP_ENT_DIR) {
			mirror_note(rp, "skipped: a remote file or link is in the way");
			m->skipped++;
		} else if (isdir) {
			if (!e) {
				m->made++;
				if (m->dry)
					mirror_plan(op, "mkdir", rp);
			}
			mirror_enqueue(m, rp, lp, rel, e ? 0 : m->dry ? 2 : 1);
			continue;
		} else if (!S_ISREG(st.st_mode)) {
			mirror_note(lp, "skipped: not a regular file");
			m->skipped++;
		} else if (e && e->type != FTP_ENT_FILE) {
			mirror_note(rp, "skipped: a remote directory or link is in the way");
			m->skipped++;
		} else if (e && !e->mtime_precise && e->mtime >= 0 && m->mdtm &&
		           (m->only_newer || e->size < 0 || e->size == (int64_t)st.st_size)) {
			/* A LIST time (minutes at best): MDTM tells the second. */
			if (m->nchk == m->capchk) {
				m->capchk = m->capchk ? m->capchk * 2 : 16;
				m->chk = xrealloc(m->chk, m->capchk * sizeof(*m->chk));
			}
			m->chk[m->nchk++] = (struct mcheck){ lp, rp, (int64_t)st.st_size,
				(int64_t)st.st_mtime, e->size, e->mtime, false };
			free(rel);
			continue;
		} else if (e) {
			up_decide(m, lp, rp, e->size, e->mtime, e->mtime_precise,
			          (int64_t)st.st_size, (int64_t)st.st_mtime);
			free(rel);
			continue;
		} else {
			mirror_add(m, lp, rp, (int64_t)st.st_size, (int64_t)st.st_mtime, true);
			free(rel);
			continue;
		}
		free(lp);
		free(rp);
		free(rel);
	}
	closedir(dir);
	if (m->del)
		up_delete_extra(op, d, rd);
}

static void up_fetched(void *arg, int err, const char *why, struct ftp_dir *rd)
{
	struct ftp_op *op = arg;
	struct mirror *m = op->mirror;
	struct mdir d = m->q[m->qi++];   /* a copy: the queue may grow */

	op->fetch = NULL;
	if (err && (d.rel[0] || !m->dry)) {
		char *e = ui_escape_str(d.rdir, strlen(d.rdir));
		op->o.err = cmd_error(op->o.ctx, err, "cannot list %s: %s", e,
		                      why[0] ? why : err_str(err));
		free(e);
	} else {
		/* The root not there (only in a dry run: else it was made). */
		up_dir(op, &d, err ? NULL : rd);
		ftp_dir_free(rd);
	}
	up_next(op);
}

static void up_made(struct ftp_op *op, const struct pp_reply *r)
{
	struct mirror *m = op->mirror;
	struct mdir d = m->q[m->qi];
	ftp_cache_forget(op->o.s, d.rdir);
	if (d.rel[0] == '\0') {
		/* The root: made now, or there already (then listed). */
		if (r->code / 100 == 2)
			m->made++;
		m->q[m->qi].make = r->code / 100 == 2 ? 2 : 0;
		up_next(op);
		return;
	}
	m->qi++;
	if (r->code / 100 != 2) {
		char *e = ui_escape_str(d.rdir, strlen(d.rdir));
		op->o.err = ftp_op_reply_error(op, e, r);
		free(e);
	} else {
		up_dir(op, &d, NULL);
	}
	up_next(op);
}

static void up_after_delete(struct ftp_op *op, int err)
{
	op_finish(&op->o, err ? err : op->o.err);
}

static void up_after_walk(struct ftp_op *op, int err)
{
	if (err) {
		op_finish(&op->o, err);
		return;
	}
	ftp_tree_remove(op, up_after_delete);
}

/* The uploads are over: the remote extras go (--delete). */
static void up_after(struct ftp_op *op)
{
	if (op->tree && !op->mirror->dry) {
		ftp_tree_walk(op, up_after_walk);
		return;
	}
	op_finish(&op->o, op->o.err);
}

static void up_summary(struct ftp_op *op)
{
	struct mirror *m = op->mirror;
	char deleted[64] = "";
	if (m->del)
		snprintf(deleted, sizeof(deleted), ", %zu %s", m->deleted,
		         m->dry ? "to delete" : "deleted");
	cmd_printf(op->o.ctx, "mirror: %zu file%s to put (%" PRIu64 " bytes), %zu up to "
	           "date, %zu director%s %s, %zu skipped%s",
	           m->nget, m->nget == 1 ? "" : "s", m->get_bytes, m->uptodate,
	           m->made, m->made == 1 ? "y" : "ies", m->dry ? "to make" : "made",
	           m->skipped, deleted);
}

static void up_check_next(struct ftp_op *op);

static void up_mdtm_reply(struct ftp_op *op, const struct pp_reply *r)
{
	struct mirror *m = op->mirror;
	struct mcheck *c = &m->chk[m->ichk++];
	int64_t t;
	if (r->code == 213 && ftp_parse_mdtm(r->msg, &t) == 0) {
		c->rmtime = t;
		c->precise = true;
	}
	up_decide(m, c->lp, c->rp, c->rsize, c->rmtime, c->precise, c->lsize, c->lmtime);
	c->lp = c->rp = NULL;
	up_check_next(op);
}

/* The files the listing left undecided, one MDTM each; then the rest. */
static void up_check_next(struct ftp_op *op)
{
	struct mirror *m = op->mirror;
	if (m->ichk < m->nchk) {
		int r = ftp_op_sendf(op, up_mdtm_reply, "MDTM %s", m->chk[m->ichk].rp);
		if (r == 0)
			return;
		op_finish(&op->o, r);
		return;
	}
	up_next(op);
}

static void up_next(struct ftp_op *op)
{
	struct mirror *m = op->mirror;
	while (m->qi < m->qn) {
		struct mdir *d = &m->q[m->qi];
		int r;
		if (d->make == 2) {
			struct mdir dd = *d;
			m->qi++;
			up_dir(op, &dd, NULL);
			continue;
		}
		if (d->make == 1)
			r = ftp_op_sendf(op, up_made, "MKD %s", d->rdir);
		else
			r = ftp_fetch_start_all(op->o.s, d->rdir, true, up_fetched, op,
			                        &op->fetch);
		if (r == 0)
			return;
		op->o.err = cmd_error(op->o.ctx, r, "%s", err_str(r));
		op_finish(&op->o, r);
		return;
	}
	if (m->ichk < m->nchk) {
		up_check_next(op);
		return;
	}
	/* A dry run says what it would do, then the count, last. */
	if (m->dry)
		for (size_t i = 0; i < m->nget; i++)
			mirror_plan(op, "put", m->rpaths[i]);
	up_summary(op);
	if (m->dry) {
		op_finish(&op->o, op->o.err);
		return;
	}
	m->after = up_after;
	mirror_transfer_all(op);
}

int mirror_up_start(struct ftp_op *op)
{
	struct mirror *m = op->mirror;
	struct ftp *f = op->o.s->pdata;
	m->mfmt = f->feat_known && f->feat.mfmt;
	m->mdtm = !f->feat_known || f->feat.mdtm;
	/* Roots: made when missing (MKD, its failure meaning "there"), then
	 * listed.  A dry run lists only. */
	for (size_t i = 0; i < m->qn; i++)
		m->q[i].make = m->dry ? 0 : 1;
	if (m->qn && !m->dry)
		return ftp_op_sendf(op, up_made, "MKD %s", m->q[0].rdir);
	return ftp_fetch_start_all(op->o.s, m->q[0].rdir, true, up_fetched, op, &op->fetch);
}
