/* lfile.c - the local end of a transfer (see lfile.h). */
#define _GNU_SOURCE /* memrchr */
#include "lfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "ui.h"

static int fail(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A message with every %s argument already escaped by the caller. */
static int fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

#define FAIL(f, err, ...) fail((f)->why, sizeof((f)->why), err, __VA_ARGS__)

static char *esc(const char *s)
{
	return ui_escape_str(s, strlen(s));
}

void lfile_init(struct lfile *f, bool clobber)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->clobber = clobber;
	f->mtime = -1;
}

void lfile_clear(struct lfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f->part);
	lfile_init(f, f->clobber);
}

/* ---- NAME.part.meta ----------------------------------------------------
 *
 * "size N" and "mdtm T" lines (each only when known): what the remote file
 * was when NAME.part began, so that a later resume can tell a remote file
 * that changed meanwhile from the one the part holds the start of:
 * resuming that would splice two files.  "good N" while pget writes the
 * part in segments: only its first N bytes are known good, and a resume
 * cuts it there first (a pget killed outright leaves holes). */

static char *meta_path(const char *part)
{
	return xasprintf("%s.meta", part);
}

static void meta_remove(const char *part)
{
	char *m = meta_path(part);
	unlink(m);
	free(m);
}

/* Best effort (false when it failed): without it a later resume only
 * loses the change check, but pget needs its "good" (lfile_segments). */
static bool meta_write(const char *part, int64_t size, int64_t mtime, int64_t good)
{
	char *m = meta_path(part);
	char text[96];
	int n = 0;

	unlink(m);
	if (size >= 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "size %" PRId64 "\n", size);
	if (mtime >= 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "mdtm %" PRId64 "\n", mtime);
	if (good >= 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "good %" PRId64 "\n", good);
	int fd = open(m, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0666);
	bool ok = false;
	if (fd >= 0) {
		ok = write(fd, text, (size_t)n) == n;
		if (close(fd) < 0 || !ok) {
			ok = false;
			unlink(m);
		}
	}
	free(m);
	return ok;
}

static int meta_read(const char *part, int64_t *size, int64_t *mtime, int64_t *good)
{
	char *m = meta_path(part);
	char text[128];
	int fd = open(m, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);

	free(m);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	*size = *mtime = *good = -1;
	for (char *line = text, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			return -1;
		*nl = '\0';
		char *end;
		errno = 0;
		if (strncmp(line, "size ", 5) == 0)
			*size = strtoll(line + 5, &end, 10);
		else if (strncmp(line, "mdtm ", 5) == 0)
			*mtime = strtoll(line + 5, &end, 10);
		else if (strncmp(line, "good ", 5) == 0)
			*good = strtoll(line + 5, &end, 10);
		else
			return -1;
		if (errno || *end || end == line + 5)
			return -1;
	}
	return 0;
}

int lfile_meta(const struct lfile *f, int64_t *size, int64_t *mtime)
{
	int64_t good;
	return f->part ? meta_read(f->part, size, mtime, &good) : -1;
}

/* ---- where it goes ----------------------------------------------------- */

/* Resume: NAME.part, else a shorter NAME itself, else start anew. */
static int target_resume(struct lfile *f, char *l)
{
	struct stat st, pst;
	bool have = lstat(f->path, &st) == 0;

	if (have && !S_ISREG(st.st_mode))
		return FAIL(f, ERR_LOCAL, "%s: not a regular file; nothing to resume", l);
	if (lstat(f->part, &pst) == 0) {
		if (!S_ISREG(pst.st_mode)) {
			char *p = esc(f->part);
			FAIL(f, ERR_LOCAL, "%s: not a regular file", p);
			free(p);
			return ERR_LOCAL;
		}
		if (have && !f->clobber)
			return FAIL(f, ERR_LOCAL, "%s: file exists (reget -f replaces it "
			            "when %s.part is complete)", l, l);
		int64_t size, mtime, good;
		f->resume_part = true;
		f->offset = (uint64_t)pst.st_size;
		if (meta_read(f->part, &size, &mtime, &good) == 0 && good >= 0 &&
		    (uint64_t)good < f->offset) {
			f->offset = (uint64_t)good; /* cut there when opened */
			f->trim = true;
		}
	} else if (have) {
		f->append = true;
		f->offset = (uint64_t)st.st_size;
	}
	return 0;
}

/* A target that does not exist: its directory must, or the message would
 * name NAME.part (`get x -o missing/dir/` said "missing/dir/.part").  The
 * directory is named instead, as the user typed it. */
static int target_dir_check(struct lfile *f, const char *path)
{
	size_t n = strlen(path);
	const char *slash = memrchr(path, '/', n);
	struct stat st;
	int err = 0;
	if (!slash)
		return 0; /* the working directory */
	char *dir = n && path[n - 1] == '/' ? xstrdup(path) :
	            xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	char *d = esc(dir);
	if (stat(dir, &st) < 0)
		err = FAIL(f, ERR_LOCAL, "%s: %s", d, errno == ENOENT || errno == ENOTDIR ?
		           "no such directory" : strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		err = FAIL(f, ERR_LOCAL, "%s: not a directory", d);
	free(d);
	free(dir);
	return err;
}

int lfile_target(struct lfile *f, const char *path, bool resume)
{
	struct stat st;
	int err = 0;

	f->path = xstrdup(path);
	char *l = esc(path);
	f->part = xasprintf("%s.part", path);
	if (resume) {
		err = target_resume(f, l);
		free(l);
		return err;
	}
	if (lstat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			err = FAIL(f, ERR_LOCAL, "%s: is a directory", l);
		else if (S_ISLNK(st.st_mode) && !f->clobber)
			err = FAIL(f, ERR_LOCAL, "%s: is a symbolic link (not followed; "
			           "get -f replaces it)", l);
		else if (S_ISREG(st.st_mode) && !f->clobber)
			err = FAIL(f, ERR_LOCAL, "%s: file exists (get -f or set "
			           "xfer:clobber on to overwrite)", l);
		else if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
			f->in_place = true; /* /dev/null, a FIFO, a terminal */
	} else if (errno == ENOENT || errno == ENOTDIR) {
		err = target_dir_check(f, path);
	} else {
		err = FAIL(f, ERR_LOCAL, "%s: %s", l, strerror(errno));
	}
	if (f->in_place) {
		free(f->part);
		f->part = NULL;
	} else if (!err && lstat(f->part, &st) == 0 && !f->clobber) {
		char *p = esc(f->part);
		err = FAIL(f, ERR_LOCAL, "%s exists (reget resumes it; get -f starts over)", p);
		free(p);
	}
	free(l);
	return err;
}

/* ---- writing ----------------------------------------------------------- */

static int open_in_place(struct lfile *f)
{
	/* O_NONBLOCK: a FIFO without a reader fails instead of hanging the
	 * loop; cleared again for writing. */
	f->fd = open(f->path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	char *l = esc(f->path);
	int err = 0;
	struct stat st;
	if (f->fd < 0)
		err = FAIL(f, ERR_LOCAL, "%s: %s", l, strerror(errno));
	else if (fstat(f->fd, &st) < 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		err = FAIL(f, ERR_LOCAL, "%s: changed while starting", l);
	free(l);
	if (err) {
		if (f->fd >= 0)
			close(f->fd);
		f->fd = -1;
		return err;
	}
	int fl = fcntl(f->fd, F_GETFL);
	if (fl >= 0)
		fcntl(f->fd, F_SETFL, fl & ~O_NONBLOCK);
	/* Server bytes never reach a terminal raw, whichever one. */
	f->tty = isatty(f->fd);
	return 0;
}

/* Resume: append to what is there, which must not have changed since it
 * was measured. */
static int open_append(struct lfile *f)
{
	const char *path = f->append ? f->path : f->part;
	struct stat st;
	f->fd = open(path, (f->random ? O_RDWR : O_WRONLY | O_APPEND) | O_NOFOLLOW |
	             O_NOCTTY | O_CLOEXEC);
	if (f->fd >= 0 && f->trim && fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size > f->offset && ftruncate(f->fd, (off_t)f->offset) == 0) {
		/* Past the good prefix a killed pget left: now it is gone. */
		meta_write(f->part, f->meta_size, f->mtime, -1);
		f->trim = false;
	}
	if (f->fd >= 0 && fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size == f->offset)
		return 0;
	char *p = esc(path);
	FAIL(f, ERR_LOCAL, "%s: %s", p, f->fd < 0 ? strerror(errno) : "changed while starting");
	free(p);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	return ERR_LOCAL;
}

int lfile_open(struct lfile *f, int64_t size, int64_t mtime)
{
	f->mtime = mtime;
	f->meta_size = size;
	if (f->in_place)
		return open_in_place(f);
	if (f->append || f->resume_part)
		return open_append(f);
	char *p = esc(f->part);
	int err = 0;
	int flags = (f->random ? O_RDWR : O_WRONLY) | O_CREAT | O_EXCL | O_NOFOLLOW |
	            O_NOCTTY | O_CLOEXEC;
	f->fd = open(f->part, flags, 0666);
	/* Clobbering: an old NAME.part goes, and only then (the common case
	 * of none costs no unlink). */
	if (f->fd < 0 && errno == EEXIST && f->clobber) {
		if (unlink(f->part) == 0 || errno == ENOENT)
			f->fd = open(f->part, flags, 0666);
		meta_remove(f->part); /* it told of the old part */
	}
	if (f->fd < 0 && errno == EEXIST)
		err = FAIL(f, ERR_LOCAL, "%s exists (reget resumes it; get -f "
		           "starts over)", p);
	else if (f->fd < 0)
		err = FAIL(f, ERR_LOCAL, "%s: %s", p, strerror(errno));
	free(p);
	if (err)
		return err;
	f->part_made = true;
	f->meta_due = true;
	return 0;
}

/* The part outlives its first piece, or a failure leaves it: now it needs
 * its record. */
static void meta_now(struct lfile *f)
{
	if (!f->meta_due)
		return;
	f->meta_due = false;
	meta_write(f->part, f->meta_size, f->mtime, -1);
}

/* The name being written, for messages (escaped by the caller). */
static const char *writing(const struct lfile *f)
{
	return f->in_place || f->append ? f->path : f->part;
}

int lfile_write(struct lfile *f, const void *data, size_t n)
{
	const char *p = data;
	struct buf e;
	int err = 0;

	if (f->written)
		meta_now(f);
	buf_init(&e, (size_t)-1 / 8);
	if (f->tty) {
		ui_escape(p, n, true, &e);
		f->written += n;
		p = buf_peek(&e);
		n = buf_avail(&e);
	}
	while (n) {
		ssize_t w = write(f->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			char *l = esc(writing(f));
			err = FAIL(f, ERR_LOCAL, "%s: %s", l, strerror(errno));
			free(l);
			break;
		}
		p += w;
		n -= (size_t)w;
		if (!f->tty)
			f->written += (uint64_t)w;
	}
	buf_clear(&e);
	return err;
}

int lfile_write_due(struct lfile *f, const void *p, size_t n, int64_t left)
{
	if (left < 0 || f->written + n <= (uint64_t)left)
		return lfile_write(f, p, n);
	if (f->offset > 0 && f->fd >= 0 && ftruncate(f->fd, (off_t)f->offset) == 0)
		f->written = 0;
	return FAIL(f, ERR_PROTO, "the server sent more than the %" PRId64 " bytes %s%s", left,
	            f->offset ? "left of the file" : "it announced",
	            f->offset ? " (REST ignored?); local file left as it was" : "");
}

int lfile_pwrite(struct lfile *f, const void *data, size_t n, uint64_t at)
{
	const char *p = data;

	if (f->written)
		meta_now(f);
	while (n) {
		ssize_t w = pwrite(f->fd, p, n, (off_t)at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			char *l = esc(writing(f));
			int err = FAIL(f, ERR_LOCAL, "%s: %s", l, strerror(errno));
			free(l);
			return err;
		}
		p += w;
		at += (uint64_t)w;
		n -= (size_t)w;
		f->written += (uint64_t)w;
	}
	return 0;
}

int lfile_pread(struct lfile *f, void *data, size_t n, uint64_t at)
{
	char *p = data;

	while (n) {
		ssize_t r = pread(f->fd, p, n, (off_t)at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			char *l = esc(writing(f));
			int err = FAIL(f, ERR_LOCAL, "%s: %s", l, r < 0 ? strerror(errno) :
			               "shorter than written");
			free(l);
			return err;
		}
		p += r;
		at += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

int lfile_cut(struct lfile *f, uint64_t len)
{
	if (len < f->offset)
		len = f->offset;
	if (f->fd < 0 || ftruncate(f->fd, (off_t)len) < 0) {
		char *l = esc(writing(f));
		int err = FAIL(f, ERR_LOCAL, "%s: %s", l, f->fd < 0 ? "not open" : strerror(errno));
		free(l);
		return err;
	}
	f->written = len - f->offset;
	if (f->part && (f->part_made || f->resume_part)) {
		/* What is left is all good: the record says so. */
		meta_write(f->part, f->meta_size, f->mtime, -1);
		f->meta_due = false;
	}
	return 0;
}

int lfile_segments(struct lfile *f)
{
	if (!f->part || f->in_place || f->append)
		return FAIL(f, ERR_LOCAL, "not a part to write in segments");
	f->meta_due = false;
	if (meta_write(f->part, f->meta_size, f->mtime, (int64_t)f->offset))
		return 0;
	char *p = esc(f->part);
	FAIL(f, ERR_LOCAL, "%s.meta: cannot record how much is good: %s", p, strerror(errno));
	free(p);
	return ERR_LOCAL;
}

int lfile_close(struct lfile *f)
{
	if (f->fd < 0)
		return 0;
	int r = close(f->fd);
	f->fd = -1;
	if (r == 0)
		return 0;
	char *l = esc(writing(f));
	FAIL(f, ERR_LOCAL, "%s: %s", l, strerror(errno));
	free(l);
	return ERR_LOCAL;
}

/* The remote file's time on NAME (a regular file of ours by now). */
static void set_mtime(const struct lfile *f)
{
	if (f->mtime < 0 || f->in_place)
		return;
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = (time_t)f->mtime } };
	(void)utimensat(AT_FDCWD, f->path, ts, AT_SYMLINK_NOFOLLOW);
}

int lfile_commit(struct lfile *f)
{
	if (!f->part_made && !f->resume_part) {
		if (f->append)
			set_mtime(f);
		return 0; /* written in place, or appended to NAME */
	}
	char *l = esc(f->path), *p = esc(f->part);
	int err = 0;
	struct stat st;

	if (f->clobber) {
		if (rename(f->part, f->path) < 0)
			err = FAIL(f, ERR_LOCAL, "rename %s: %s", p, strerror(errno));
	} else if (link(f->part, f->path) == 0) {
		unlink(f->part);
	} else if (errno == EEXIST || lstat(f->path, &st) == 0) {
		/* link() refuses to replace; without hard links (some file
		 * systems) the check comes first, then the rename. */
		err = FAIL(f, ERR_LOCAL, "%s appeared meanwhile; the download "
		           "stays in %s", l, p);
	} else if (rename(f->part, f->path) < 0) {
		err = FAIL(f, ERR_LOCAL, "rename %s: %s", p, strerror(errno));
	}
	if (!err) {
		if (!f->meta_due)
			meta_remove(f->part);
		f->meta_due = false;
		set_mtime(f);
	}
	free(l);
	free(p);
	return err;
}

void lfile_discard(struct lfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->part_made && f->written == 0) {
		unlink(f->part);
		if (!f->meta_due)
			meta_remove(f->part);
		f->meta_due = false;
	} else if (f->part_made) {
		meta_now(f);
	}
}

/* ---- uploads ----------------------------------------------------------- */

int lsource_open(struct lsource *s, const char *path)
{
	struct stat st;
	memset(s, 0, sizeof(*s));
	s->path = xstrdup(path);
	s->fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	char *l = esc(path);
	int err = 0;
	if (s->fd < 0)
		err = fail(s->why, sizeof(s->why), ERR_LOCAL, "%s: %s", l, strerror(errno));
	else if (fstat(s->fd, &st) < 0)
		err = fail(s->why, sizeof(s->why), ERR_LOCAL, "%s: %s", l, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		err = fail(s->why, sizeof(s->why), ERR_LOCAL, "%s: a directory (put -r sends "
		           "directory trees)", l);
	else if (!S_ISREG(st.st_mode))
		err = fail(s->why, sizeof(s->why), ERR_LOCAL, "%s: not a regular file", l);
	free(l);
	if (err)
		return err;
	s->size = (uint64_t)st.st_size;
	int fl = fcntl(s->fd, F_GETFL);
	if (fl >= 0)
		fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK);
	return 0;
}

ssize_t lsource_read(struct lsource *s, char *p, size_t cap)
{
	for (;;) {
		ssize_t n = read(s->fd, p, cap);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		char *l = esc(s->path);
		fail(s->why, sizeof(s->why), ERR_LOCAL, "%s: %s", l, strerror(errno));
		free(l);
		return ERR_LOCAL;
	}
}

bool lsource_unchanged(const struct lsource *s, uint64_t n)
{
	struct stat a, b;
	return s->path && s->fd >= 0 && fstat(s->fd, &a) == 0 &&
	       lstat(s->path, &b) == 0 && S_ISREG(b.st_mode) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino && (uint64_t)b.st_size == n;
}

void lsource_clear(struct lsource *s)
{
	if (s->path && s->fd >= 0)
		close(s->fd);
	free(s->path);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

bool lfile_name_safe(const char *name)
{
	if (!name || !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '/')
			return false;
	return true;
}
