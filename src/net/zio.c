/* zio.c - COMPRESS DEFLATE streams (see zio.h).  zlib, raw deflate
 * (windowBits -15, RFC 8054 section 2.2.2), no header or checksum.
 *
 * zlib is loaded with dlopen() on the first COMPRESS, not linked: only
 * NNTP COMPRESS uses it, and a linked zlib is mapped in every run (about
 * 90 KiB resident), as net/tlslib.h explains for GnuTLS.  zlib.h's own
 * declarations type the table; its macros (deflateInit2, inflateInit2)
 * expand to the names below, which go through it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dynlib.h"
#include "err.h"
#include "zio.h"

#ifndef FERRY_ZLIB_SONAME
#define FERRY_ZLIB_SONAME "libz.so.1"
#endif

#define ZLIB_FUNCTIONS(X) \
	X(deflate) X(deflateBound) X(deflateEnd) X(deflateInit2_) \
	X(inflate) X(inflateEnd) X(inflateInit2_)

static struct {
#define ZLIB_MEMBER(f) __typeof__(f) *f_##f;
	ZLIB_FUNCTIONS(ZLIB_MEMBER)
#undef ZLIB_MEMBER
} zl;

static struct dynlib zlib = DYNLIB_INIT(FERRY_ZLIB_SONAME);

static bool zl_fill(struct dynlib *d)
{
#define ZLIB_LOAD(f) DYNLIB_SET(d, zl.f_##f, #f);
	ZLIB_FUNCTIONS(ZLIB_LOAD)
#undef ZLIB_LOAD
	return true; /* a missing name is in d->err */
}

#define deflate (*zl.f_deflate)
#define deflateBound (*zl.f_deflateBound)
#define deflateEnd (*zl.f_deflateEnd)
#define deflateInit2_ (*zl.f_deflateInit2_)
#define inflate (*zl.f_inflate)
#define inflateEnd (*zl.f_inflateEnd)
#define inflateInit2_ (*zl.f_inflateInit2_)

struct zio {
	z_stream in, out;
	bool in_ok, out_ok;
	bool more;        /* the last inflate filled its room: call again */
	bool broken;      /* a corrupt stream: everything fails from now */
	struct buf ibuf;  /* compressed bytes not yet inflated */
	char err[128];
};

struct zio *zio_new(void)
{
	if (!dynlib_load(&zlib, zl_fill))
		return NULL; /* "COMPRESS: cannot start zlib" */
	struct zio *z = xcalloc(1, sizeof(*z));

	buf_init(&z->ibuf, ZIO_IN_MAX);
	if (inflateInit2(&z->in, -15) == Z_OK)
		z->in_ok = true;
	/* What we send is a few short commands: a 512-byte window and the
	 * smallest hash keep the deflate side at about 3 KiB instead of
	 * 256 KiB per connection (fifty sessions would be 12 MB).  Inflate
	 * needs the whole 32 KiB window: the server chooses it. */
	if (deflateInit2(&z->out, 6, Z_DEFLATED, -9, 1, Z_DEFAULT_STRATEGY) == Z_OK)
		z->out_ok = true;
	if (!z->in_ok || !z->out_ok) {
		zio_free(z);
		return NULL;
	}
	return z;
}

void zio_free(struct zio *z)
{
	if (!z)
		return;
	if (z->in_ok)
		inflateEnd(&z->in);
	if (z->out_ok)
		deflateEnd(&z->out);
	buf_clear(&z->ibuf);
	free(z);
}

int zio_deflate(struct zio *z, const void *p, size_t n, struct buf *out)
{
	size_t start = buf_avail(out);
	int rc;

	if (z->broken)
		return ERR_PROTO;
	z->out.next_in = (Bytef *)p;
	z->out.avail_in = (uInt)n;
	/* Z_SYNC_FLUSH: the peer can inflate the whole command now. */
	do {
		size_t room = deflateBound(&z->out, z->out.avail_in) + 16;
		char *w = buf_reserve(out, room);

		if (!w) {
			/* Whatever went in is lost to the peer: the stream
			 * is out of step from now on. */
			z->broken = true;
			out->len = out->off + start;
			snprintf(z->err, sizeof(z->err), "write buffer full");
			return ERR_TOOLONG;
		}
		z->out.next_out = (Bytef *)w;
		z->out.avail_out = (uInt)room;
		rc = deflate(&z->out, Z_SYNC_FLUSH);
		buf_commit(out, room - z->out.avail_out);
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			z->broken = true;
			snprintf(z->err, sizeof(z->err), "deflate failed (%d)", rc);
			return ERR_PROTO;
		}
	} while (z->out.avail_out == 0 || z->out.avail_in);
	return 0;
}

char *zio_in_reserve(struct zio *z, size_t *room)
{
	size_t have = buf_avail(&z->ibuf);

	if (z->broken || have >= ZIO_IN_MAX) {
		*room = 0;
		return NULL;
	}
	if (*room > ZIO_IN_MAX - have)
		*room = ZIO_IN_MAX - have;
	return buf_reserve(&z->ibuf, *room);
}

void zio_fed(struct zio *z, size_t n)
{
	buf_commit(&z->ibuf, n);
}

int zio_feed(struct zio *z, const void *p, size_t n)
{
	size_t room = n;
	char *w = n ? zio_in_reserve(z, &room) : NULL;

	if (!n)
		return 0;
	if (!w || room < n)
		return ERR_TOOLONG;
	memcpy(w, p, n);
	zio_fed(z, n);
	return 0;
}

ssize_t zio_inflate(struct zio *z, char *out, size_t cap)
{
	size_t avail = buf_avail(&z->ibuf);
	int rc;

	if (z->broken)
		return ERR_PROTO;
	if (!cap)
		return 0;
	z->in.next_in = (Bytef *)buf_peek(&z->ibuf);
	z->in.avail_in = (uInt)avail;
	z->in.next_out = (Bytef *)out;
	z->in.avail_out = (uInt)cap;
	rc = inflate(&z->in, Z_SYNC_FLUSH);
	buf_consume(&z->ibuf, avail - z->in.avail_in);
	if (buf_avail(&z->ibuf) == 0)
		buf_reset(&z->ibuf);
	size_t made = cap - z->in.avail_out;
	if (rc == Z_STREAM_END) {
		z->broken = true;
		snprintf(z->err, sizeof(z->err), "compressed stream ended");
		return ERR_PROTO;
	}
	if (rc != Z_OK && rc != Z_BUF_ERROR) {
		z->broken = true;
		snprintf(z->err, sizeof(z->err), "corrupt compressed data (%s)",
		         z->in.msg ? z->in.msg : "inflate error");
		return ERR_PROTO;
	}
	z->more = z->in.avail_out == 0;
	return (ssize_t)made;
}

bool zio_pending(const struct zio *z)
{
	return !z->broken && (buf_avail(&z->ibuf) || z->more);
}

const char *zio_error(const struct zio *z)
{
	return z->err;
}
