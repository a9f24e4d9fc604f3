/* ftp_list.c - directory listing lines into struct ftp_ent: MLSD and MLST
 * facts, UNIX "ls -l" lines, DOS (IIS) lines.  No I/O, no globals (house
 * rule 4): every field is a span of the caller's bytes until the entry is
 * built, so a line that fails allocates nothing. */
#include "ftp_list.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "err.h"
#include "lfile.h"

/* A piece of the line: p[0..n), not NUL-terminated. */
struct span {
	const char *p;
	size_t n;
};

/* A day of slack for a date without a year: the server's clock may be
 * ahead, or its zone east of UTC (up to +14 h). */
#define YEAR_GUESS_SLACK 86400

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool span_eq(struct span s, const char *word)
{
	size_t n = strlen(word);
	return s.n == n && memcmp(s.p, word, n) == 0;
}

/* Case-insensitive equality.  Spans hold no NUL (checked first), so
 * strncasecmp reads at most n bytes of s. */
static bool span_ieq(struct span s, const char *word)
{
	size_t n = strlen(word);
	return s.n == n && strncasecmp(s.p, word, n) == 0;
}

/* Does s start with word (any case)?  *rest is what follows. */
static bool span_iprefix(struct span s, const char *word, struct span *rest)
{
	size_t n = strlen(word);
	if (s.n < n || strncasecmp(s.p, word, n) != 0)
		return false;
	*rest = (struct span){ s.p + n, s.n - n };
	return true;
}

static bool span_digits(struct span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (!is_digit(s.p[i]))
			return false;
	return s.n > 0;
}

/* Digits of base 8 or 10 only (no sign, no blanks), at least one, value
 * at most max.  0 or ERR_PROTO. */
static int span_num(struct span s, int base, int64_t max, int64_t *v)
{
	int64_t n = 0;

	if (s.n == 0)
		return ERR_PROTO;
	for (size_t i = 0; i < s.n; i++) {
		int d = s.p[i] - '0';
		if (d < 0 || d >= base || n > (max - d) / base)
			return ERR_PROTO;
		n = n * base + d;
	}
	*v = n;
	return 0;
}

/* A number inside a word: p[0..n) as decimal, at most max, or -1. */
static int dec_at(const char *p, size_t n, int max)
{
	int64_t v;
	return span_num((struct span){ p, n }, 10, max, &v) == 0 ? (int)v : -1;
}

/* The next blank-separated word at or after *p, and *p past it; an empty
 * span at the end of the line. */
static struct span word_next(const char **p, const char *end)
{
	const char *s = *p;
	while (s < end && *s == ' ')
		s++;
	const char *w = s;
	while (s < end && *s != ' ')
		s++;
	*p = s;
	return (struct span){ w, (size_t)(s - w) };
}

/* ---- dates ---------------------------------------------------------- */

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool date_ok(int y, int mo, int d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	return mo != 2 || d != 29 || is_leap(y);
}

/* Seconds since the epoch for a valid date and time read as UTC, -1 for
 * one before 1970 (the entry's "unknown").  timegm() only computes. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
	                 .tm_hour = h, .tm_min = mi, .tm_sec = s };
	time_t t = timegm(&tm);
	return t < 0 ? -1 : (int64_t)t;
}

/* A UNIX date without a year ("Jan  5 12:34", within the last months):
 * the year of now, or the one before when that would put the date more
 * than YEAR_GUESS_SLACK after now.  A now that is no year 1970..9999 gives
 * an unknown time; a day no candidate year has (Feb 29) is ERR_PROTO. */
static int year_guess(int64_t now, int mo, int d, int h, int mi, int64_t *t)
{
	time_t tt = (time_t)now;
	struct tm tm;

	if (now < 0 || !gmtime_r(&tt, &tm) || tm.tm_year > 9999 - 1900) {
		*t = -1;
		return date_ok(2000, mo, d) ? 0 : ERR_PROTO;
	}
	int y = tm.tm_year + 1900;
	for (int cand = y; cand >= y - 1; cand--) {
		if (!date_ok(cand, mo, d))
			continue;
		*t = utc(cand, mo, d, h, mi, 0);
		if (*t <= now + YEAR_GUESS_SLACK)
			return 0;
	}
	/* Ahead of the clock by more than the slack, and the year before has
	 * no such day: this year still. */
	if (!date_ok(y, mo, d))
		return ERR_PROTO;
	*t = utc(y, mo, d, h, mi, 0);
	return 0;
}

/* "H:MM" or "HH:MM", 00:00..23:59.  0 or ERR_PROTO. */
static int clock_time(struct span s, int *h, int *mi)
{
	if (s.n < 4 || s.n > 5 || s.p[s.n - 3] != ':')
		return ERR_PROTO;
	*h = dec_at(s.p, s.n - 3, 23);
	*mi = dec_at(s.p + s.n - 2, 2, 59);
	return *h < 0 || *mi < 0 ? ERR_PROTO : 0;
}

/* ---- the entry ------------------------------------------------------ */

void ftp_ent_init(struct ftp_ent *e)
{
	*e = (struct ftp_ent){ .type = FTP_ENT_UNKNOWN, .size = -1, .mtime = -1,
	                       .mode = -1, .dev_major = -1, .dev_minor = -1 };
}

void ftp_ent_clear(struct ftp_ent *e)
{
	free(e->name);
	free(e->target);
	free(e->owner);
	free(e->group);
	ftp_ent_init(e);
}

/* A new heap string, or NULL for an empty span. */
static char *span_dup(struct span s)
{
	return s.n ? xstrndup(s.p, s.n) : NULL;
}

/* The strings of a parsed line; an empty span is absent. */
struct ent_text {
	struct span name, target, owner, group;
};

/* Last checks, then the strings into the entry: nothing fails after
 * this allocates.  0, FTP_LIST_SKIP (skip, or the name is "." or "..")
 * or ERR_PROTO. */
static int ent_finish(struct ftp_ent *e, const struct ent_text *x, bool skip)
{
	if (e->mtime < 0)
		e->mtime_precise = false; /* nothing precise about unknown */
	if (x->name.n == 0)
		return ERR_PROTO;
	if (x->owner.n > FTP_LIST_FIELD_MAX || x->group.n > FTP_LIST_FIELD_MAX)
		return ERR_PROTO;
	if (skip || span_eq(x->name, ".") || span_eq(x->name, ".."))
		return FTP_LIST_SKIP;
	e->name = span_dup(x->name);
	e->target = span_dup(x->target);
	e->owner = span_dup(x->owner);
	e->group = span_dup(x->group);
	return 0;
}

/* What every line goes through first: *e made empty, the line ending
 * off, the limits, NUL.  0, FTP_LIST_SKIP (blank), ERR_TOOLONG or
 * ERR_PROTO. */
static int line_begin(const char *line, size_t *len, struct ftp_ent *e)
{
	size_t n = *len;

	ftp_ent_init(e);
	if (n && line[n - 1] == '\n')
		n--;
	if (n && line[n - 1] == '\r')
		n--;
	if (n > FTP_LIST_LINE_MAX)
		return ERR_TOOLONG;
	if (n && memchr(line, '\0', n))
		return ERR_PROTO;
	*len = n;
	for (size_t i = 0; i < n; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return 0;
	return FTP_LIST_SKIP;
}

/* ---- MLSD, MLST ----------------------------------------------------- */

enum {
	F_TYPE, F_SIZE, F_SIZD, F_MODIFY, F_MODE,
	F_OWNERNAME, F_OWNER, F_UID, F_GROUPNAME, F_GROUP, F_GID, F_COUNT
};

static const char *const fact_names[F_COUNT] = {
	"type", "size", "sizd", "modify", "unix.mode",
	"unix.ownername", "unix.owner", "unix.uid",
	"unix.groupname", "unix.group", "unix.gid",
};

/* "OS.unix=chr-MAJ/MIN": the numbers when both are there. */
static void mlsd_dev(struct span rest, struct ftp_ent *e)
{
	const char *slash = memchr(rest.p, '/', rest.n);

	if (rest.n < 4 || rest.p[0] != '-' || !slash)
		return;
	int maj = dec_at(rest.p + 1, (size_t)(slash - rest.p - 1), INT32_MAX);
	int min = dec_at(slash + 1, (size_t)(rest.p + rest.n - slash - 1), INT32_MAX);
	if (maj >= 0 && min >= 0) {
		e->dev_major = maj;
		e->dev_minor = min;
	}
}

/* The type fact.  0, FTP_LIST_SKIP (cdir, pdir) or ERR_PROTO (empty). */
static int mlsd_type(struct span v, struct ftp_ent *e, struct span *target)
{
	struct span rest;

	if (v.n == 0)
		return ERR_PROTO;
	if (span_ieq(v, "file")) {
		e->type = FTP_ENT_FILE;
	} else if (span_ieq(v, "dir")) {
		e->type = FTP_ENT_DIR;
	} else if (span_ieq(v, "cdir") || span_ieq(v, "pdir")) {
		e->type = FTP_ENT_DIR;
		return FTP_LIST_SKIP;
	} else if ((span_iprefix(v, "OS.unix=slink", &rest) ||
	            span_iprefix(v, "OS.unix=symlink", &rest)) &&
	           (rest.n == 0 || rest.p[0] == ':')) {
		/* pure-ftpd: "OS.unix=slink:TARGET" (empty so far) */
		e->type = FTP_ENT_LINK;
		if (rest.n > 1)
			*target = (struct span){ rest.p + 1, rest.n - 1 };
	} else if (span_iprefix(v, "OS.unix=chr", &rest) ||
	           span_iprefix(v, "OS.unix=blk", &rest)) {
		e->type = FTP_ENT_DEVICE;
		mlsd_dev(rest, e);
	} else {
		e->type = FTP_ENT_OTHER; /* pure-ftpd's "unknown": FIFOs, devices */
	}
	return 0;
}

/* modify: YYYYMMDDHHMMSS[.fff], UTC. */
static int mlsd_time(struct span v, int64_t *t)
{
	if (v.n < 14 || !span_digits((struct span){ v.p, 14 }))
		return ERR_PROTO;
	if (v.n > 14 && (v.p[14] != '.' ||
	                 !span_digits((struct span){ v.p + 15, v.n - 15 })))
		return ERR_PROTO;
	int y = dec_at(v.p, 4, 9999), mo = dec_at(v.p + 4, 2, 99);
	int d = dec_at(v.p + 6, 2, 99), h = dec_at(v.p + 8, 2, 99);
	int mi = dec_at(v.p + 10, 2, 99), s = dec_at(v.p + 12, 2, 99);
	if (!date_ok(y, mo, d) || h > 23 || mi > 59 || s > 60)
		return ERR_PROTO;
	*t = utc(y, mo, d, h, mi, s);
	return 0;
}

/* The first of the facts given (a name before a number). */
static struct span fact_first(const struct span *f, int a, int b, int c)
{
	return f[a].p ? f[a] : f[b].p ? f[b] : f[c];
}

int ftp_list_parse_mlsd(const char *line, size_t len, struct ftp_ent *e)
{
	struct span f[F_COUNT] = { { NULL, 0 } };
	struct ent_text x = { .name = { NULL, 0 } };
	int64_t v;
	int err = line_begin(line, &len, e), type = 0;

	if (err)
		return err;
	const char *p = line, *end = line + len;
	if (*p == ' ')
		p++; /* MLST's entry line */
	const char *sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp || sp == p)
		return ERR_PROTO;

	/* Facts: 1*(name "=" value ";") up to the blank. */
	for (const char *q = p; q < sp;) {
		const char *semi = memchr(q, ';', (size_t)(sp - q));
		const char *eq = semi ? memchr(q, '=', (size_t)(semi - q)) : NULL;
		if (!eq || eq == q)
			return ERR_PROTO;
		struct span name = { q, (size_t)(eq - q) };
		for (int i = 0; i < F_COUNT; i++) {
			if (!span_ieq(name, fact_names[i]))
				continue;
			if (f[i].p)
				return ERR_PROTO; /* the same fact twice */
			f[i] = (struct span){ eq + 1, (size_t)(semi - eq - 1) };
			break;
		}
		q = semi + 1;
	}

	if (f[F_TYPE].p && (type = mlsd_type(f[F_TYPE], e, &x.target)) < 0)
		goto bad;
	struct span size = f[F_SIZE].p ? f[F_SIZE] : f[F_SIZD];
	if (size.p) {
		if (span_num(size, 10, INT64_MAX, &v) < 0)
			goto bad;
		e->size = v;
	}
	if (f[F_MODIFY].p) {
		if (mlsd_time(f[F_MODIFY], &e->mtime) < 0)
			goto bad;
		e->mtime_precise = true;
	}
	if (f[F_MODE].p) {
		/* The type bits (0170000), when a server sends them, are
		 * the type fact's business. */
		if (span_num(f[F_MODE], 8, 0177777, &v) < 0)
			goto bad;
		e->mode = (int)(v & 07777);
	}
	x.owner = fact_first(f, F_OWNERNAME, F_OWNER, F_UID);
	x.group = fact_first(f, F_GROUPNAME, F_GROUP, F_GID);
	x.name = (struct span){ sp + 1, (size_t)(end - sp - 1) };
	err = ent_finish(e, &x, type == FTP_LIST_SKIP);
	if (err)
		ftp_ent_init(e);
	return err;
bad:
	ftp_ent_init(e);
	return ERR_PROTO;
}

/* ---- UNIX ----------------------------------------------------------- */

/* Mode, links, owner, group, two for a device's numbers, three for the
 * date: the date starts at word 6 at the latest. */
#define UNIX_WORDS 9

/* "drwxr-xr-x" with maybe one of "+@." after it. */
static int unix_mode(struct span m, struct ftp_ent *e)
{
	if (m.n != 10 && !(m.n == 11 && memchr("+@.", m.p[10], 3)))
		return ERR_PROTO;
	switch (m.p[0]) {
	case '-': e->type = FTP_ENT_FILE; break;
	case 'd': e->type = FTP_ENT_DIR; break;
	case 'l': e->type = FTP_ENT_LINK; break;
	case 'c': case 'b': e->type = FTP_ENT_DEVICE; break;
	case 'p': case 's': case 'D': e->type = FTP_ENT_OTHER; break;
	default: return ERR_PROTO;
	}
	int mode = 0;
	for (int k = 0; k < 3; k++) {
		const char *t = m.p + 1 + 3 * k;
		int shift = 3 * (2 - k), special = 04000 >> k;
		char xs = k == 2 ? 't' : 's', xS = k == 2 ? 'T' : 'S';
		if (t[0] == 'r')
			mode |= 4 << shift;
		else if (t[0] != '-')
			return ERR_PROTO;
		if (t[1] == 'w')
			mode |= 2 << shift;
		else if (t[1] != '-')
			return ERR_PROTO;
		if (t[2] == 'x')
			mode |= 1 << shift;
		else if (t[2] == xs)
			mode |= (1 << shift) | special;
		else if (t[2] == xS || (k == 1 && t[2] == 'l')) /* l: System V lock */
			mode |= special;
		else if (t[2] != '-')
			return ERR_PROTO;
	}
	e->mode = mode;
	return 0;
}

/* The date at word m: "Mon DD HH:MM", "Mon DD YYYY" or "YYYY-MM-DD
 * HH:MM".  Returns how many words it takes (0: no date here); *err is
 * ERR_PROTO for a date of the right shape that does not exist. */
static int unix_date(const struct span *w, int nw, int m, int64_t now,
                     struct ftp_ent *e, int *err)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may",
		"jun", "jul", "aug", "sep", "oct", "nov", "dec" };
	int mo = 0, d, y, h = 0, mi = 0;

	*err = 0;
	e->mtime_precise = false;
	if (m + 1 >= nw)
		return 0;
	if (w[m].n == 10 && w[m].p[4] == '-' && w[m].p[7] == '-') {
		y = dec_at(w[m].p, 4, 9999);
		mo = dec_at(w[m].p + 5, 2, 99);
		d = dec_at(w[m].p + 8, 2, 99);
		if (y < 0 || mo < 0 || d < 0 || clock_time(w[m + 1], &h, &mi) < 0)
			return 0;
		if (!date_ok(y, mo, d))
			*err = ERR_PROTO;
		e->mtime = utc(y, mo, d, h, mi, 0);
		e->mtime_precise = true;
		return 2;
	}
	for (int i = 0; i < 12 && !mo; i++)
		if (span_ieq(w[m], months[i]))
			mo = i + 1;
	if (!mo || m + 2 >= nw || w[m + 1].n > 2 || (d = dec_at(w[m + 1].p, w[m + 1].n, 99)) < 0)
		return 0;
	if (clock_time(w[m + 2], &h, &mi) == 0) {
		*err = year_guess(now, mo, d, h, mi, &e->mtime);
		return 3;
	}
	if (w[m + 2].n != 4 || (y = dec_at(w[m + 2].p, 4, 9999)) < 0)
		return 0;
	if (!date_ok(y, mo, d))
		*err = ERR_PROTO;
	e->mtime = utc(y, mo, d, 0, 0, 0);
	return 3;
}

/* The size, or a device's "MAJ, MIN" / "MAJ,MIN", in the words before
 * the date at m.  Returns how many words it takes, 0 if none fits. */
static int unix_size(const struct span *w, int m, struct ftp_ent *e)
{
	struct span last = w[m - 1];
	const char *comma = memchr(last.p, ',', last.n);
	int64_t v;

	if (e->type == FTP_ENT_DEVICE && m >= 3 && w[m - 2].n >= 2 &&
	    w[m - 2].p[w[m - 2].n - 1] == ',') {
		e->dev_major = dec_at(w[m - 2].p, w[m - 2].n - 1, INT32_MAX);
		e->dev_minor = dec_at(last.p, last.n, INT32_MAX);
		if (e->dev_major >= 0 && e->dev_minor >= 0)
			return 2;
	} else if (e->type == FTP_ENT_DEVICE && comma) {
		e->dev_major = dec_at(last.p, (size_t)(comma - last.p), INT32_MAX);
		e->dev_minor = dec_at(comma + 1, (size_t)(last.p + last.n - comma - 1),
		                      INT32_MAX);
		if (e->dev_major >= 0 && e->dev_minor >= 0)
			return 1;
	} else if (span_num(last, 10, INT64_MAX, &v) == 0) {
		e->size = v;
		return 1;
	}
	e->dev_major = e->dev_minor = -1;
	return 0;
}

/* The first " -> " in a symlink's name splits it from the target. */
static void unix_link(struct ent_text *x)
{
	struct span s = x->name;

	for (size_t i = 0; i + 4 <= s.n; i++) {
		if (memcmp(s.p + i, " -> ", 4) == 0) {
			x->name.n = i;
			x->target = (struct span){ s.p + i + 4, s.n - i - 4 };
			return;
		}
	}
}

static int parse_unix(const char *line, size_t len, int64_t now, struct ftp_ent *e)
{
	struct span w[UNIX_WORDS];
	struct ent_text x = { .name = { NULL, 0 } };
	const char *p = line, *end = line + len;
	int nw = 0, err = 0, m, ndate = 0, nsize = 0;

	while (nw < UNIX_WORDS && (w[nw] = word_next(&p, end)).n)
		nw++;
	if (unix_mode(w[0], e) < 0)
		return ERR_PROTO;

	/* The first date that follows a size; at least one owner column
	 * comes before that. */
	for (m = 3; m < nw; m++) {
		ndate = unix_date(w, nw, m, now, e, &err);
		if (ndate && (nsize = unix_size(w, m, e)) > 0)
			break;
	}
	if (!nsize)
		return ERR_PROTO;
	if (err)
		return err;
	int cols = m - nsize - 1; /* between the mode and the size */
	if (cols < 1 || cols > 3)
		return ERR_PROTO;
	const struct span *c = w + 1;
	if (cols == 3 || (cols == 2 && span_digits(c[0]))) {
		if (!span_digits(c[0]))
			return ERR_PROTO; /* the link count */
		c++;
		cols--;
	}
	x.owner = c[0];
	if (cols == 2)
		x.group = c[1];

	/* The name starts after the one blank that ends the date. */
	const char *date_end = w[m + ndate - 1].p + w[m + ndate - 1].n;
	if (date_end == end)
		return ERR_PROTO;
	x.name = (struct span){ date_end + 1, (size_t)(end - date_end - 1) };
	if (e->type == FTP_ENT_LINK)
		unix_link(&x);
	return ent_finish(e, &x, false);
}

/* ---- DOS (IIS) ------------------------------------------------------ */

/* IIS right-aligns the size in a column that ends 21 characters after
 * the time, then one blank, then the name. */
#define DOS_NAME_COLUMN 22

static int parse_dos(const char *line, size_t len, struct ftp_ent *e)
{
	struct ent_text x = { .name = { NULL, 0 } };
	const char *p = line, *end = line + len;
	struct span date = word_next(&p, end), tm = word_next(&p, end);
	struct span size = word_next(&p, end);
	int y, h, mi;
	int64_t v;

	/* MM-DD-YY or MM-DD-YYYY */
	if ((date.n != 8 && date.n != 10) || date.p[2] != '-' || date.p[5] != '-')
		return ERR_PROTO;
	int mo = dec_at(date.p, 2, 99), d = dec_at(date.p + 3, 2, 99);
	y = dec_at(date.p + 6, date.n - 6, 9999);
	if (mo < 0 || d < 0 || y < 0)
		return ERR_PROTO;
	if (date.n == 8)
		y += y < 70 ? 2000 : 1900;

	/* HH:MM, or hh:mmAM / hh:mmPM */
	struct span ampm = { tm.p + tm.n, 0 };
	if (tm.n >= 6 && (tm.p[tm.n - 1] == 'M' || tm.p[tm.n - 1] == 'm')) {
		ampm = (struct span){ tm.p + tm.n - 2, 2 };
		tm.n -= 2;
	}
	if (clock_time(tm, &h, &mi) < 0 || !date_ok(y, mo, d))
		return ERR_PROTO;
	if (ampm.n) {
		bool pm = span_ieq(ampm, "PM");
		if ((!pm && !span_ieq(ampm, "AM")) || h < 1 || h > 12)
			return ERR_PROTO;
		h = h % 12 + (pm ? 12 : 0);
	}
	e->mtime = utc(y, mo, d, h, mi, 0);
	e->mtime_precise = true;

	if (span_ieq(size, "<DIR>")) {
		e->type = FTP_ENT_DIR;
	} else if (span_num(size, 10, INT64_MAX, &v) == 0) {
		e->type = FTP_ENT_FILE;
		e->size = v;
	} else {
		return ERR_PROTO;
	}

	/* Offsets, not pointers: the column may lie past the line. */
	size_t name = (size_t)(size.p + size.n - line);
	size_t column = (size_t)(ampm.p + ampm.n - line) + DOS_NAME_COLUMN;
	size_t size_end = name;
	while (name < len && line[name] == ' ')
		name++;
	if (name > column && column > size_end)
		name = column; /* IIS's layout: the blanks past it are the name's */
	x.name = (struct span){ line + name, len - name };
	return ent_finish(e, &x, false);
}

int ftp_list_parse_line(const char *line, size_t len, int64_t now,
                        struct ftp_ent *e)
{
	int err = line_begin(line, &len, e);
	const char *p = line;

	if (err)
		return err;
	struct span first = word_next(&p, line + len), second = word_next(&p, line + len);
	if (span_ieq(first, "total") && second.n && is_digit(second.p[0]) &&
	    word_next(&p, line + len).n == 0)
		return FTP_LIST_SKIP; /* "total 52" (ls: blocks in use) */
	if (first.p != line)
		return ERR_PROTO; /* a listing line starts in column one */
	err = is_digit(line[0]) ? parse_dos(line, len, e) : parse_unix(line, len, now, e);
	if (err)
		ftp_ent_init(e);
	return err;
}

bool ftp_ent_name_safe(const char *name)
{
	return lfile_name_safe(name);
}
