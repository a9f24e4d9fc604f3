/* newsrc.h - the .newsrc file that slrn and tin share, and the sets of
 * article numbers it records.
 *
 * One line per group: "NAME: RANGES" (subscribed) or "NAME! RANGES" (not
 * subscribed), where RANGES lists the articles read, e.g. "1-10,12,15-20",
 * and may be empty.  Every other line (comments, tin's or rn's "options"
 * line at the top, blank lines, lines whose group name is not a valid one)
 * is kept verbatim and in place; so is a group line nothing changed, byte
 * for byte.  Group order is kept; a new group is appended.
 *
 * How the edge cases are read (slrn's and tin's readers do the first two
 * alike; ferry's writer produces none of them):
 *   - unsorted or overlapping ranges are sorted and merged;
 *   - a reversed range ("5-3") adds nothing (both readers skip it);
 *   - article 0 does not exist (RFC 3977 numbers start at 1): "0" adds
 *     nothing and "0-5" means 1-5;
 *   - blanks around items are allowed ("1-5, 7"), as is no blank after
 *     the mark ("g:1-5");
 *   - anything else (letters, "1--2", "-5", "5-", ",,", a trailing comma,
 *     a number above 2^63-1, more than NRANGE_MAX intervals) is not
 *     understood: the group is known (so it is not added twice) but
 *     marked bad, its line is kept as written, and marking articles in it
 *     is refused with ERR_LOCAL.  (slrn and tin skip what they cannot
 *     read and write the rest back, which silently loses it.)
 *   - CRLF lines are read alike and keep their CRLF (an added line takes
 *     the first line's end), a CR alone ending the last line too; a
 *     missing final newline stays missing unless the last line changes
 *     or a line is added after it;
 *   - a second line for a group already seen is kept verbatim and
 *     otherwise ignored: the first line is the group's state (ndup counts
 *     them, so the caller may say so);
 *   - very long lines are fine (tin writes lines of hundreds of KB for
 *     big groups): parsing is linear, sorting only when out of order;
 *     the whole file is bounded by NEWSRC_MAX_BYTES.
 *
 * Article numbers are 1..NRANGE_ART_MAX (2^63-1, RFC 3977 6.1.1).
 */
#ifndef FERRY_NEWSRC_H
#define FERRY_NEWSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"

/* ---- sets of article numbers ------------------------------------------ */

#define NRANGE_ART_MAX ((uint64_t)INT64_MAX)
/* Intervals in one set: 16 MiB of memory.  A tin line of 500 KB holds
 * some tens of thousands. */
#define NRANGE_MAX (1u << 20)

/* Sorted, disjoint, non-adjacent intervals lo..hi, 1 <= lo <= hi <=
 * NRANGE_ART_MAX. */
struct nrange {
	uint64_t lo, hi;
};
struct nrange_set {
	struct nrange *v;   /* owned */
	size_t n, cap;
};

/* An empty set (allocates nothing) / free the intervals (the set is then
 * empty and reusable). */
void nrange_init(struct nrange_set *s);
void nrange_clear(struct nrange_set *s);

/* Replace s with the set "1-10,12" in p[0..len) (grammar and repairs in
 * the comment at the top).  0, ERR_PROTO (not understood) or ERR_TOOLONG
 * (more than NRANGE_MAX intervals); on error s is unchanged.  Pure. */
int nrange_parse(struct nrange_set *s, const char *p, size_t len);
/* Append the canonical text ("1-10,12"; nothing for an empty set) to out.
 * 0 or ERR_TOOLONG (out's maximum). */
int nrange_format(const struct nrange_set *s, struct buf *out);

/* Add n / lo..hi.  1 when the set grew, 0 when they were all in it
 * already, ERR_USAGE for numbers outside 1..NRANGE_ART_MAX or lo > hi,
 * ERR_TOOLONG when a new interval would pass NRANGE_MAX. */
int nrange_add(struct nrange_set *s, uint64_t n);
int nrange_add_range(struct nrange_set *s, uint64_t lo, uint64_t hi);
/* Is n in the set? */
bool nrange_has(const struct nrange_set *s, uint64_t n);
/* How many of first..last are not in the set: the unread articles of a
 * group whose GROUP reply said first..last (0 when last < first; first 0
 * counts from 1, last above NRANGE_ART_MAX counts to it). */
uint64_t nrange_unread(const struct nrange_set *s, uint64_t first, uint64_t last);
/* Catch up: every article 1..last is read (tin's and slrn's "c").  last 0
 * changes nothing.  As nrange_add_range. */
int nrange_catchup(struct nrange_set *s, uint64_t last);

/* The numbers of first..last that are not in the set, in order.  The set
 * must not change while an iterator walks it. */
struct nrange_iter {
	const struct nrange_set *s;
	size_t i;           /* first interval that may lie at or after next */
	uint64_t next, last;
	bool done;
};
void nrange_iter_init(struct nrange_iter *it, const struct nrange_set *s,
                      uint64_t first, uint64_t last);
/* The next unread number; false at the end. */
bool nrange_iter_next(struct nrange_iter *it, uint64_t *n);
/* The next run of unread numbers lo..hi (for "OVER lo-hi"); false at the
 * end.  May be mixed with nrange_iter_next. */
bool nrange_iter_span(struct nrange_iter *it, uint64_t *lo, uint64_t *hi);

/* ---- the file ---------------------------------------------------------- */

/* Largest .newsrc read or written: a full newsrc of a big server's 100,000
 * groups is a few MB. */
#define NEWSRC_MAX_BYTES ((size_t)64 << 20)

struct newsrc_group {
	char *name;                 /* owned */
	bool subscribed;            /* ':' rather than '!' */
	bool bad;                   /* ranges not understood: see the top */
	struct nrange_set read;     /* the articles read */
	/* Private to newsrc.c. */
	bool rewrite;               /* written from the fields, not as read */
	size_t line;                /* index into lines */
};

/* Private to newsrc.c: one line of the file, in order. */
struct newsrc_line {
	size_t off;                 /* in text; 0 for a line ferry added */
	size_t len;                 /* without the line end */
	size_t end;                 /* the line end: "\n", "\r\n", none, or
	                               "\r" (a last line) */
	size_t group;               /* index + 1 into groups; 0: verbatim */
	size_t rest;                /* bad group: text after the mark */
};

struct newsrc {
	/* Read-only for callers. */
	struct newsrc_group **groups;   /* in file order, new ones last */
	size_t ngroups;
	size_t ndup;                /* duplicate group lines (ignored) */
	size_t nbad;                /* groups whose ranges were not understood */
	bool dirty;                 /* changed since read or saved */
	char why[600];              /* reason of the last ERR_LOCAL */

	/* Private to newsrc.c. */
	char *text;                 /* the file as read */
	size_t text_len;
	struct newsrc_line *lines;
	size_t nlines, lines_cap;
	size_t groups_cap;
	struct newsrc_group **hash; /* open addressing by name */
	size_t hash_cap;
	char eol[3];                /* line end for added lines */
	enum {
		NEWSRC_DISK_UNKNOWN,    /* never read: saved without a check */
		NEWSRC_DISK_ABSENT,     /* read as missing */
		NEWSRC_DISK_PRESENT,    /* read or written: dev..mtime below */
		NEWSRC_DISK_UNREAD,     /* the load failed: never saved over */
	} disk;
	dev_t dev;                  /* the file as last read or written */
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/* An empty newsrc (allocates nothing) / free everything (reusable after). */
void newsrc_init(struct newsrc *nr);
void newsrc_clear(struct newsrc *nr);

/* Replace nr's content with the file text p[0..len) (copied).  Pure: no
 * I/O.  0, or ERR_TOOLONG over NEWSRC_MAX_BYTES (nr empty, why set).
 * Nothing in the text is an error: see the top. */
int newsrc_parse(struct newsrc *nr, const char *p, size_t len);
/* Replace nr's content with the file at path (a symbolic link is
 * followed).  A missing file is an empty newsrc, not an error.  ERR_LOCAL
 * with why when it cannot be read, is not a regular file, or is larger
 * than NEWSRC_MAX_BYTES. */
int newsrc_load(const char *path, struct newsrc *nr);

/* The group's entry, or NULL.  Valid until nr changes. */
const struct newsrc_group *newsrc_find(const struct newsrc *nr, const char *group);
/* Subscribe (on) or unsubscribe; a new group is appended with nothing
 * read.  0, ERR_USAGE for an invalid group name (nntp_group_valid, and
 * no ':'). */
int newsrc_subscribe(struct newsrc *nr, const char *group, bool on);
/* Mark lo..hi read; a new group is appended unsubscribed (as slrn and
 * tin keep the articles read in groups one is not subscribed to).
 * 0, ERR_USAGE (bad name or numbers), ERR_LOCAL for a bad group (why),
 * ERR_TOOLONG (NRANGE_MAX). */
int newsrc_mark_read(struct newsrc *nr, const char *group, uint64_t lo, uint64_t hi);
/* Mark 1..last read (catch up to the GROUP reply's last).  As
 * newsrc_mark_read. */
int newsrc_catchup(struct newsrc *nr, const char *group, uint64_t last);

/* Append the file's bytes to out: unchanged lines as they were read.
 * 0 or ERR_TOOLONG.  Pure. */
int newsrc_format(const struct newsrc *nr, struct buf *out);
/* Write nr to path when it is dirty; when it is not, nothing on disk is
 * touched.  Atomic: a temporary file in the target's folder, fsync,
 * rename, fsync of the folder.  The mode (and, where allowed, owner) of
 * the file replaced is kept, 0600 for a new one; a symbolic link is
 * followed and its target replaced, the link kept.  Not overwritten: a
 * file changed on disk since nr read or wrote it (another newsreader; the
 * caller may load it again and redo its changes), or after a failed
 * newsrc_load (newsrc_clear first to start afresh).  0 or ERR_LOCAL with
 * why (the temporary file removed). */
int newsrc_save(struct newsrc *nr, const char *path);

/* ---- which file -------------------------------------------------------- */

/* ~/.newsrc for the default server ($NNTPSERVER, or the first NNTP
 * session); ~/.newsrc-HOST for any other, the name tin gives a server's
 * file (its answer when a ~/.tin/newsrctable entry's file is missing).
 * slrn has no such rule: every server's file is named by hand in .slrnrc
 * ("server HOST FILE", the manual's examples being ".jnewsrc-NAME"), and
 * its default is .jnewsrc.  Following tin lets a user of both share one
 * file per server without configuring either; it also keeps every ferry
 * newsrc next to ~/.newsrc under one prefix.
 *
 * The leaf (pure) is ".newsrc-" + HOST, HOST lower-cased and without a
 * final dot; ports 119 and 563 (and 0, none given) add nothing, as one
 * server numbers its articles alike with and without implicit TLS; any
 * other port adds "+PORT".  An IPv6 literal loses its brackets and has
 * each ':' written as '_'.  Every byte but a-z 0-9 '.' '-' (and those
 * '_') is written as %XX, so the name has no '/', no shell or glob
 * character and no ':' (which scp and rsync would take for a host), and
 * two servers never share a name.  NULL for an empty host, a port
 * outside 0..65535 or a name over 255 bytes.  Heap, caller frees. */
char *newsrc_file_name(const char *host, int port);
/* "$HOME/.newsrc" when is_default, else "$HOME/" + newsrc_file_name().
 * NULL without $HOME or for a host newsrc_file_name refuses.  Heap,
 * caller frees. */
char *newsrc_path(const char *host, int port, bool is_default);

#endif
