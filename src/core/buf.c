/* buf.c - bounded growable byte buffers (see buf.h for the contract). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

/* Smallest allocation, so tiny appends do not realloc byte by byte. */
#define BUF_MIN_CAP 256

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->off = 0;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_clear(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->off = 0;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(struct buf *b)
{
	b->off = 0;
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

size_t buf_avail(const struct buf *b)
{
	return b->len - b->off;
}

const char *buf_peek(const struct buf *b)
{
	return b->data ? b->data + b->off : "";
}

/* Move the unread bytes to the front so the consumed prefix is reused
 * instead of growing the allocation. */
static void buf_compact(struct buf *b)
{
	size_t n = b->len - b->off;

	if (b->off == 0)
		return;
	if (n)
		memmove(b->data, b->data + b->off, n);
	b->off = 0;
	b->len = n;
	b->data[n] = '\0';
}

char *buf_reserve(struct buf *b, size_t n)
{
	size_t avail = b->len - b->off;
	size_t want, ncap;

	if (avail > b->max || n > b->max - avail)
		return NULL;
	if (b->data && b->cap - b->len >= n)
		return b->data + b->len;
	if (b->data) {
		buf_compact(b);
		if (b->cap - b->len >= n)
			return b->data + b->len;
	}
	/* Grow geometrically, but never past what max can ever need:
	 * after compaction len <= max, so cap == max always suffices. */
	want = b->len + n;
	ncap = b->cap ? b->cap : BUF_MIN_CAP;
	while (ncap < want && ncap <= b->max / 2)
		ncap *= 2;
	if (ncap < want)
		ncap = want;
	if (ncap > b->max && want <= b->max)
		ncap = b->max;
	b->data = xrealloc(b->data, ncap + 1);
	b->cap = ncap;
	b->data[b->len] = '\0';
	return b->data + b->len;
}

void buf_commit(struct buf *b, size_t n)
{
	if (!b->data || n > b->cap - b->len)
		abort(); /* a caller wrote past what it reserved */
	b->len += n;
	b->data[b->len] = '\0';
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	char *w = buf_reserve(b, n);

	if (!w)
		return ERR_TOOLONG;
	if (n)
		memcpy(w, p, n);
	buf_commit(b, n);
	return 0;
}

int buf_appendstr(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *w;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_FAIL;
	w = buf_reserve(b, (size_t)n);
	if (!w)
		return ERR_TOOLONG;
	/* The NUL spare byte after cap makes room for vsnprintf's NUL. */
	va_start(ap, fmt);
	vsnprintf(w, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_commit(b, (size_t)n);
	return 0;
}

void buf_consume(struct buf *b, size_t n)
{
	size_t avail = b->len - b->off;

	if (n > avail)
		n = avail;
	b->off += n;
	if (b->off == b->len) {
		/* Empty: rewind for free, no copy needed. */
		b->off = 0;
		b->len = 0;
		if (b->data)
			b->data[0] = '\0';
	} else if (b->off >= b->cap / 2 && b->len - b->off <= 4096) {
		/* Mostly consumed with a short tail (the partial line a
		 * line reader leaves): a small copy now keeps appends from
		 * having to grow or compact later. */
		buf_compact(b);
	}
}

size_t buf_line_len(const struct buf *b)
{
	const char *p, *nl;

	if (!b->data || b->len == b->off)
		return 0;
	p = b->data + b->off;
	nl = memchr(p, '\n', b->len - b->off);
	return nl ? (size_t)(nl - p) + 1 : 0;
}
