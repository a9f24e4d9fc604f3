/* zio.h - COMPRESS DEFLATE (RFC 8054): raw deflate both ways, with no I/O.
 *
 * conn puts it between the socket (or TLS) and its buffers once the owner
 * calls conn_compress_start(): what conn_write() is given is compressed
 * and flushed (Z_SYNC_FLUSH) at once, so each command leaves whole; what
 * arrives is fed in and inflated into the read buffer as room allows, so
 * the line layer above sees plain lines and the trace shows them.
 *
 * Memory is bounded: at most ZIO_IN_MAX compressed bytes wait to be
 * inflated (conn reads no more meanwhile), and inflate writes only into
 * the room it is given.  A corrupt stream, or its end (RFC 8054 has no
 * end but the connection's), is ERR_PROTO for good: the owner closes.
 */
#ifndef FERRY_ZIO_H
#define FERRY_ZIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

#define ZIO_IN_MAX (64 * 1024)

struct zio;

/* New pair of streams (inflate with a 32 KiB window, deflate with a
 * small one: about 45 KiB in all);
 * zio_free(NULL) is safe. */
struct zio *zio_new(void);
void zio_free(struct zio *z);

/* Compress p[0..n) and flush, appending to out.  0, or ERR_TOOLONG when
 * out's maximum would be passed (nothing is then appended, but the
 * stream has moved on: the owner must close). */
int zio_deflate(struct zio *z, const void *p, size_t n, struct buf *out);

/* Where to put up to *room compressed bytes just received (NULL when the
 * input is full), then zio_fed(z, n) with what was written. */
char *zio_in_reserve(struct zio *z, size_t *room);
void zio_fed(struct zio *z, size_t n);
/* Take n compressed bytes from p (e.g. bytes read before the switch).
 * 0 or ERR_TOOLONG (more than ZIO_IN_MAX waiting). */
int zio_feed(struct zio *z, const void *p, size_t n);

/* Inflate into out[0..cap): the number of bytes written (0 when it needs
 * more input), or ERR_PROTO (the message in zio_error()). */
ssize_t zio_inflate(struct zio *z, char *out, size_t cap);
/* True while compressed input waits or inflate may hold more output. */
bool zio_pending(const struct zio *z);
const char *zio_error(const struct zio *z);

#endif
