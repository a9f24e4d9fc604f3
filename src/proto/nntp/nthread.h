/* nthread.h - threads of a group's articles from their overview lines, and
 * the dates of overview lines.
 *
 * The threading is Jamie Zawinski's algorithm as newsreaders use it: a
 * table of message-ids, each article under the last entry of its
 * References, the earlier entries linking the missing articles between
 * them (a missing parent is a dummy), dummies pruned, articles without
 * References gathered by subject, siblings sorted by date.  Pure (house
 * rule 4): no I/O, no globals; the result depends on the input alone.
 * Hostile input is expected: duplicate, missing or invalid message-ids,
 * references to oneself, loops, thousands of references, 100k articles.
 * Building is O(n log n) in the articles plus linear in the references.
 *
 * The display order is a list of rows: every input article exactly once,
 * plus dummy rows.  A thread is a run of consecutive rows starting at a
 * root (depth 0).  Rows refer to articles by their index in the caller's
 * array; nothing of the input is kept, so the caller may free it once
 * nthread_new() returns.  Texts of the input (subjects) are not escaped
 * here: they reach the terminal through ui (house rule 6).
 */
#ifndef FERRY_NTHREAD_H
#define FERRY_NTHREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nntp.h"

/* "No such row / article": returned by the lookups, and the art of a
 * dummy row. */
#define NTHREAD_NONE SIZE_MAX

/* Of a message's References only the first and the last
 * NTHREAD_REFS_MAX - 1 are used, as RFC 5537 3.4.4 trims them: enough to
 * place an article in a thread, and a bound on the work a line can cause. */
#define NTHREAD_REFS_MAX 128

/* Prefixes draw at most this many levels: deeper rows show the levels
 * nearest to them, so a long chain costs a bounded width and time. */
#define NTHREAD_DRAW_LEVELS 16
/* Buffer size that holds any prefix: a column ("│ ") is 4 bytes in UTF-8,
 * the last level ("├─>") 7, and the NUL. */
#define NTHREAD_PREFIX_SIZE ((NTHREAD_DRAW_LEVELS - 1) * 4 + 7 + 1)

struct nthread_row {
	size_t art;      /* index into the input, or NTHREAD_NONE for a
	                    dummy: the missing parent of several articles, or
	                    what gathers the roots of one subject */
	size_t first;    /* art, or for a dummy the index of its first child
	                    (the article whose subject it stands for) */
	size_t parent;   /* row of the parent; NTHREAD_NONE for a root */
	size_t thread;   /* 0, 1, ... in display order */
	uint32_t depth;  /* 0 for a root; dummies are always roots */
	bool last;       /* no later sibling (drawn "└─>", else "├─>") */
};

struct nthread;

/* Thread the n overview entries ov[0..n).  The spans of ov are read during
 * the call only.  *out is a new nthread the caller frees with
 * nthread_free().  0, or ERR_TOOLONG when the articles and the ids they
 * reference do not fit 32-bit container numbers (*out is then NULL). */
int nthread_new(struct nthread **out, const struct nntp_over *ov, size_t n);
void nthread_free(struct nthread *t);

/* The rows in display order and their number (at least the number of
 * articles given). */
const struct nthread_row *nthread_rows(const struct nthread *t, size_t *nrows);

/* Row of input article art; NTHREAD_NONE when art is out of range. */
size_t nthread_row_of(const struct nthread *t, size_t art);
/* Row of the article numbered num (the first of the input when numbers
 * repeat); NTHREAD_NONE when absent.  O(log n). */
size_t nthread_find(const struct nthread *t, uint64_t num);
/* The thread holding article num: rows [*first, *first + *count).
 * 0 or ERR_NOTFOUND. */
int nthread_thread_of(const struct nthread *t, uint64_t num, size_t *first,
                      size_t *count);

/* Read state, asked by article number. */
typedef bool (*nthread_read_fn)(uint64_t num, void *arg);
/* The first row after row (from the top when row is NTHREAD_NONE) holding
 * an article is_read() says is unread; with same_thread, only within the
 * thread of row.  Dummies are skipped.  NTHREAD_NONE when there is none. */
size_t nthread_next_unread(const struct nthread *t, size_t row, bool same_thread,
                           nthread_read_fn is_read, void *arg);

/* The tree drawing before a row's subject, as slrn and tin draw it: ""
 * for a root; for a deeper row one column per level above it ("│ " where
 * that ancestor has a later sibling, else "  ") and "├─>" or "└─>".  With
 * ascii, "| ", "|->" and "`->" (for a locale that is not UTF-8).  At most
 * NTHREAD_DRAW_LEVELS levels are drawn.  Writes a NUL-terminated string
 * into buf (size at least NTHREAD_PREFIX_SIZE; a shorter buf truncates at
 * a glyph boundary) and returns its length. */
size_t nthread_prefix(const struct nthread *t, size_t row, bool ascii,
                      char *buf, size_t size);

/* An RFC 5322 date (3.3, with the obsolete forms of 4.3) as seconds since
 * the epoch, UTC: optional day of week, day, month name, 2-, 3- or 4-digit
 * year (2 digits: 50-99 are 19xx, 00-49 20xx; 3 digits: + 1900), hh:mm
 * with optional :ss, a zone "+hhmm"/"-hhmm", UT, GMT, Z, the US zones
 * (EST, EDT, CST, ...) or another name (counted as +0000, as 4.3 says);
 * comments and blanks anywhere between; no zone means UTC.  Also the
 * asctime form of old articles ("Tue Jan  3 10:00:00 [GMT] 2023").
 * Anything after a complete date is ignored.  0 or ERR_PROTO. */
int nthread_parse_date(const char *p, size_t len, int64_t *out);

/* The subject without leading "Re:", "RE:", "Re[2]:", "Re^2:", "Fwd:",
 * "Fw:", "Sv:", "Aw:" (any case, repeated) and surrounding blanks; *reply
 * is set when a prefix was taken off.  Points into s. */
struct nntp_span nthread_subject_base(struct nntp_span s, bool *reply);

#endif
