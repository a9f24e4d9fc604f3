/* fuzz_zio.c - COMPRESS DEFLATE streams (net/zio.h).
 *
 * The first byte picks the output room of each inflate call (1..256
 * bytes) and the size of the pieces the rest is fed in, as conn does
 * with reads of any size.  The rest is inflated as a server's stream:
 * garbage must end in ERR_PROTO (and stay there), never a crash, and no
 * call may write past its room or hold more than ZIO_IN_MAX input.
 * Then the same bytes go through zio_deflate and back through a second
 * stream: what comes out must be exactly what went in.
 */
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz_common.h"
#include "zio.h"

/* Inflate everything z holds into out (at most cap), room bytes at a
 * time; returns the bytes made, or -1 after ERR_PROTO. */
static long drain(struct zio *z, char *out, size_t cap, size_t room)
{
	size_t made = 0;

	while (zio_pending(z)) {
		char *tmp = malloc(room);
		ssize_t m;

		FZ_CHECK(tmp);
		m = zio_inflate(z, tmp, room);
		if (m < 0) {
			free(tmp);
			FZ_CHECK(m == ERR_PROTO);
			FZ_CHECK(!zio_pending(z));
			FZ_CHECK(zio_inflate(z, out, cap) == ERR_PROTO);
			return -1;
		}
		FZ_CHECK((size_t)m <= room);
		if (made + (size_t)m <= cap)
			memcpy(out + made, tmp, (size_t)m);
		made += (size_t)m;
		free(tmp);
		if (m == 0)
			break;
	}
	return (long)made;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t room, piece;
	struct zio *z;

	if (size < 1)
		return 0;
	room = (size_t)(data[0] & 0xff) + 1;
	piece = (size_t)((data[0] >> 4) * 97) + 1;
	data++;
	size--;

	/* A server's stream: any bytes. */
	z = zio_new();
	FZ_CHECK(z);
	char *sink = malloc(1 << 16);
	FZ_CHECK(sink);
	for (size_t off = 0; off < size; off += piece) {
		size_t n = size - off < piece ? size - off : piece;
		size_t r = n;
		char *w = zio_in_reserve(z, &r);

		if (!w)
			break;  /* broken: nothing more taken */
		FZ_CHECK(r <= n && r <= ZIO_IN_MAX);
		memcpy(w, data + off, r);
		zio_fed(z, r);
		if (drain(z, sink, 1 << 16, room) < 0)
			break;
	}
	zio_free(z);

	/* Round trip: deflate in pieces (one flush each), inflate back. */
	struct zio *a = zio_new(), *b = zio_new();
	struct buf wire;
	char *back = malloc(size + 1);
	size_t got = 0;

	FZ_CHECK(a && b && back);
	buf_init(&wire, 1 << 22);
	for (size_t off = 0; off < size; off += piece) {
		size_t n = size - off < piece ? size - off : piece;

		FZ_CHECK(zio_deflate(a, data + off, n, &wire) == 0);
	}
	FZ_CHECK(zio_feed(b, buf_peek(&wire), buf_avail(&wire)) == 0 ||
	         buf_avail(&wire) > ZIO_IN_MAX);
	if (buf_avail(&wire) <= ZIO_IN_MAX) {
		long m = drain(b, back, size, room);
		FZ_CHECK(m >= 0);
		got = (size_t)m;
		FZ_CHECK(got == size);
		FZ_CHECK(size == 0 || memcmp(back, data, size) == 0);
	}
	buf_clear(&wire);
	free(back);
	free(sink);
	zio_free(a);
	zio_free(b);
	return 0;
}
