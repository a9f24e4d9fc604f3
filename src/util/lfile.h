/* lfile.h - the local end of a transfer, with no command around it (get
 * today; mget and mirror reuse it).
 *
 * A download goes to NAME.part and gets its name only once it is complete
 * (lfile_commit): with link(), which refuses to replace a NAME that
 * appeared meanwhile, unless clobbering.  NAME.part.meta records the
 * remote size and time the part began with, so a later resume can tell a
 * remote file that changed (lfile_meta).  It is written once the part
 * outlives its first piece of data, or when a failure leaves it: a small
 * file that arrives whole costs no second file made and removed.  A resume appends to NAME.part, or
 * to a shorter NAME itself, after checking it has not changed since it was
 * measured.  A target that is not a regular file (/dev/null, a FIFO, a
 * terminal) is written in place, escaped when it is a terminal.  A symbolic
 * link is never followed.
 *
 * Every function returns 0 or an ERR_* with f->why set: one line, names
 * escaped (they may come from a server).
 */
#ifndef FERRY_LFILE_H
#define FERRY_LFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct lfile {
	char *path;         /* the final name */
	char *part;         /* NAME.part; NULL when written in place */
	int fd;             /* -1 while not open */
	bool clobber;       /* may replace NAME and NAME.part */
	bool in_place;      /* not a regular file: written where it is */
	bool tty;           /* in place on a terminal: written escaped */
	bool append;        /* resuming NAME itself */
	bool resume_part;   /* resuming NAME.part */
	bool part_made;     /* lfile_open created NAME.part */
	bool meta_due;      /* NAME.part.meta not written yet */
	bool random;        /* set before lfile_open: opened for reading and
	                       writing anywhere (lfile_pwrite), not appending */
	bool trim;          /* resuming a part a killed pget left: cut it to
	                       offset (its .meta's "good") when opened */
	int64_t meta_size;  /* the remote size for it; -1 unknown */
	uint64_t offset;    /* bytes there before this transfer (resume) */
	uint64_t written;   /* bytes of this transfer written */
	int64_t mtime;      /* the remote file's time (UTC), set on NAME at
	                       commit; -1 unknown */
	char why[600];
};

void lfile_init(struct lfile *f, bool clobber);
/* Free the names, close what is open (nothing is removed). */
void lfile_clear(struct lfile *f);

/* Decide where a download to path goes and check it may: refuses a
 * directory, an existing file or symbolic link (unless clobbering), a
 * NAME.part left by an earlier try (a resume takes it instead).  resume:
 * continue NAME.part, else a NAME shorter than the remote file, else start
 * anew (offset says from where).  ERR_LOCAL with why. */
int lfile_target(struct lfile *f, const char *path, bool resume);
/* Open the target when data starts; a new NAME.part gets its .meta with
 * the remote size and time (-1: unknown) when a second piece comes or a
 * failure leaves it (lfile_discard). */
int lfile_open(struct lfile *f, int64_t size, int64_t mtime);
/* Write the bytes (escaped on a terminal). */
int lfile_write(struct lfile *f, const void *p, size_t n);
/* The same, refusing more than left bytes in this transfer (left < 0:
 * not known): ERR_PROTO, and after a resume what this transfer appended
 * is undone (a server that ignored REST sends from the start). */
int lfile_write_due(struct lfile *f, const void *p, size_t n, int64_t left);
/* With random (pget's segments, not in place): write n bytes at byte at
 * of the file (a resumed part's bytes counted), read n back, keep only
 * the first len bytes (never fewer than offset; written becomes what is
 * left of this transfer's; the .meta then records no "good" prefix). */
int lfile_pwrite(struct lfile *f, const void *p, size_t n, uint64_t at);
int lfile_pread(struct lfile *f, void *p, size_t n, uint64_t at);
int lfile_cut(struct lfile *f, uint64_t len);
/* pget is about to write NAME.part (open) in segments: its .meta says
 * that only the first offset bytes are good, so a resume after pget was
 * killed outright cuts the rest (holes) first.  lfile_cut and the commit
 * end that.  0, or ERR_LOCAL when that record cannot be written (then no
 * segment may be written). */
int lfile_segments(struct lfile *f);
/* Close; a failed close (NFS, a full disk) is an error. */
int lfile_close(struct lfile *f);
/* NAME.part becomes NAME (no-clobber unless clobbering), with the remote
 * file's modification time when known.  Only when the transfer is
 * complete. */
int lfile_commit(struct lfile *f);
/* After a failure: an empty NAME.part we made helps nobody and goes; a
 * partial one stays for a resume. */
void lfile_discard(struct lfile *f);
/* What NAME.part.meta recorded: 0 with *size and *mtime (-1 where not
 * recorded), or -1 when there is no well-formed record. */
int lfile_meta(const struct lfile *f, int64_t *size, int64_t *mtime);

/* May a name from a server name a file in the local working directory?
 * Not empty, ".", ".."; no "/" and no control bytes (C0, DEL). */
bool lfile_name_safe(const char *name);

/* The local end of an upload: a regular file, read as it is sent. */
struct lsource {
	char *path;
	int fd;
	uint64_t size;      /* at open */
	char why[600];
};
/* Open path for reading: only a regular file (a FIFO without a writer
 * does not hang).  ERR_LOCAL with why. */
int lsource_open(struct lsource *s, const char *path);
/* Up to cap bytes: the count, 0 at the end, or ERR_LOCAL with why. */
ssize_t lsource_read(struct lsource *s, char *p, size_t cap);
/* The name still names the open file, of n bytes: what an upload sent,
 * before -E removes it (nothing appended or put there meanwhile). */
bool lsource_unchanged(const struct lsource *s, uint64_t n);
void lsource_clear(struct lsource *s);

#endif
