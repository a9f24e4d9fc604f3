/* ftp_mirror.h - private to ftp_mirror.c (the walk of a remote tree, the
 * transfers on connections of the pool) and ftp_mirror_up.c (the walk of a
 * local tree for mirror -R and put -r). */
#ifndef FERRY_FTP_MIRROR_H
#define FERRY_FTP_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "ftp_int.h"
#include "lfile.h"

struct ftp_ent;

struct mdir {
	char *rdir, *ldir, *rel;    /* remote (absolute), local, relative */
	int make;                   /* mirror -R: 0 list rdir, 1 MKD it (then
	                               empty), 2 made already (empty) */
};

struct mworker;

/* mirror -R: a file the listing left undecided (a LIST time). */
struct mcheck {
	char *lp, *rp;
	int64_t lsize, lmtime, rsize, rmtime;
	bool precise;
};

struct mirror {
	struct ftp_op *op;
	bool only_newer, del, dry;
	bool cont;                  /* -c: resume the NAME.part left behind */
	bool remove_src;            /* --Remove-source-files: each source file
	                               goes once its copy is proven whole */
	bool up;                    /* mirror -R, put -r: local to remote */
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
	size_t listed;              /* remote directories listed */
	bool mfmt;                  /* mirror -R: the server sets times */
	bool mdtm;                  /* ... and tells them (MDTM) */
	struct mcheck *chk;         /* mirror -R: files whose remote time */
	size_t nchk, capchk, ichk;  /* ... MDTM must tell to the second */
	void (*after)(struct ftp_op *op);  /* when the transfers are over */
	uint64_t done_bytes;        /* moved by finished transfers */
	size_t done_files;
	int64_t t0;                 /* when the transfers began (ms) */
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
	struct lsource src;         /* an upload's local file */
	size_t idx;                 /* the download under way */
	uint64_t sent;              /* --Remove-source-files: an upload's size,
	                               for the server's SIZE to match */
	char why[600];
};

/* Queue a directory (takes the strings). */
void mirror_enqueue(struct mirror *m, char *rdir, char *ldir, char *rel, int make);
/* a joined under directory b's path (heap): "a/b", or b when a is "". */
char *mirror_join(const char *a, const char *b);
bool mirror_excluded(const struct mirror *m, const char *rel, const char *name, bool dir);
/* A note about one name (escaped), and a --dry-run line of the output. */
void mirror_note(const char *path, const char *what);
void mirror_plan(struct ftp_op *op, const char *what, const char *path);
/* How far a listed time may be from the true one: 0 when precise, a
 * minute from a LIST line, a day when the line gave the day alone. */
int64_t mirror_time_slack(int64_t t, bool precise);
/* Queue a transfer: local path, remote path (taken), size and time. */
void mirror_add(struct mirror *m, char *lp, char *rp, int64_t size, int64_t mtime,
                bool exact);
/* The transfers of the list, on op's connection and --parallel - 1 more
 * from the pool; then m->after(op) (NULL: the command ends). */
void mirror_transfer_all(struct ftp_op *op);
/* mirror -R: the walk of the local tree from the queued roots. */
int mirror_up_start(struct ftp_op *op);

#endif
