/* buf.h - bounded growable byte buffers.
 *
 * A buf holds bytes [off, len) of data; reads consume from the front,
 * writes append at the back.  Every buf has a maximum size: appending past
 * it fails with ERR_TOOLONG instead of growing, so no server input can make
 * memory unbounded.  The storage is always NUL-terminated (one spare byte),
 * which makes line parsing convenient, but the content may contain NULs.
 */
#ifndef FERRY_BUF_H
#define FERRY_BUF_H

#include <stddef.h>

struct buf {
	char *data;  /* owned storage, NULL until first append */
	size_t off;  /* first unread byte */
	size_t len;  /* end of valid bytes */
	size_t cap;  /* allocated bytes (excluding the NUL spare) */
	size_t max;  /* maximum number of unread bytes (len - off) */
};

/* Initialise an embedded buf with a maximum size; allocates nothing. */
void buf_init(struct buf *b, size_t max);
/* Release storage; the buf may be reused after buf_init(). */
void buf_clear(struct buf *b);
/* Drop all content but keep storage. */
void buf_reset(struct buf *b);

/* Number of unread bytes, and a pointer to them (never NULL). */
size_t buf_avail(const struct buf *b);
const char *buf_peek(const struct buf *b);

/* Append n bytes; ERR_TOOLONG (and nothing appended) if over max. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_appendstr(struct buf *b, const char *s);
int buf_appendf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Make room for at least n more bytes and return where to write them;
 * NULL if that would exceed max.  Follow with buf_commit(b, written). */
char *buf_reserve(struct buf *b, size_t n);
void buf_commit(struct buf *b, size_t n);

/* Discard n unread bytes from the front (n <= buf_avail). */
void buf_consume(struct buf *b, size_t n);

/* Length of the first line including its '\n', or 0 if no '\n' yet. */
size_t buf_line_len(const struct buf *b);

#endif
