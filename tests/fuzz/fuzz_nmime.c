/* fuzz_nmime.c - the MIME decoders of nmime.h.
 *
 * The first line of the input (up to '\n') names a charset; the rest is
 * given, as an exact-size copy, to every decoder: the header decoder with
 * a roomy and a tight output bound, unfolding, quoted-printable, base64,
 * and conversion from that charset.  Checked: results stay within their
 * bounds (ERR_TOOLONG exactly when the roomy result would not fit, with a
 * prefix of it appended), sizes
 * never exceed what the input allows, a header without "=?" decodes to its
 * unfolded self, iconv's output is valid UTF-8, and an unknown charset
 * appends nothing.  The input is also cut into MIME parts: every part lies
 * inside the input, in order, at most NMIME_MAX_PARTS and NMIME_MAX_DEPTH;
 * a part decodes to no more bytes than its body (or fails with a reason),
 * and parameters of its Content-Type decode or fail cleanly.
 */
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz_common.h"
#include "nmime.h"

#define ROOM (1 << 20)
#define TIGHT 64

static bool utf8_valid(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		int k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
		      : (c & 0xf8) == 0xf0 ? 3 : -1;

		if (k < 0 || (k == 1 && c < 0xc2) || (k > 0 && i + (size_t)k >= len))
			return false;
		for (int j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += (size_t)k + 1;
	}
	return true;
}

static bool has_eword_start(const char *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (p[i] == '=' && p[i + 1] == '?')
			return true;
	return false;
}

static void check_header(const char *p, size_t len)
{
	struct buf big, small, unf;
	int r, rs;

	buf_init(&big, ROOM);
	buf_init(&small, TIGHT);
	buf_init(&unf, ROOM);
	r = nmime_decode_header(p, len, &big);
	FZ_CHECK(r == 0 || r == ERR_TOOLONG);
	FZ_CHECK(buf_avail(&big) <= ROOM);
	rs = nmime_decode_header(p, len, &small);
	FZ_CHECK(rs == 0 || rs == ERR_TOOLONG);
	FZ_CHECK(buf_avail(&small) <= TIGHT);
	if (r == 0 && rs == 0)
		FZ_CHECK(buf_avail(&small) == buf_avail(&big) &&
		         memcmp(buf_peek(&small), buf_peek(&big), buf_avail(&big)) == 0);
	/* ERR_TOOLONG exactly when the result does not fit, and what was
	 * appended before is a prefix of it. */
	if (r == 0)
		FZ_CHECK((rs == 0) == (buf_avail(&big) <= TIGHT));
	if (r == 0 && rs == ERR_TOOLONG)
		FZ_CHECK(memcmp(buf_peek(&small), buf_peek(&big), buf_avail(&small)) == 0);

	FZ_CHECK(nmime_unfold(p, len, &unf) == 0);
	FZ_CHECK(buf_avail(&unf) <= len);
	if (!has_eword_start(p, len))
		FZ_CHECK(r == 0 && buf_avail(&unf) == buf_avail(&big) &&
		         memcmp(buf_peek(&unf), buf_peek(&big), buf_avail(&big)) == 0);
	buf_clear(&big);
	buf_clear(&small);
	buf_clear(&unf);
}

static void check_bodies(const char *p, size_t len)
{
	struct buf b;
	size_t alpha = 0;

	buf_init(&b, ROOM);
	FZ_CHECK(nmime_qp_decode(p, len, &b) == 0);
	FZ_CHECK(buf_avail(&b) <= len);
	buf_clear(&b);

	buf_init(&b, ROOM);
	FZ_CHECK(nmime_b64_decode(p, len, &b) == 0);
	for (size_t i = 0; i < len; i++) {
		char c = p[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/')
			alpha++;
	}
	/* At most 3 bytes for 4 letters, and no more than the letters. */
	FZ_CHECK(buf_avail(&b) <= alpha * 3 / 4);
	buf_clear(&b);

	buf_init(&b, TIGHT);
	int r = nmime_qp_decode(p, len, &b);
	FZ_CHECK(r == 0 || r == ERR_TOOLONG);
	FZ_CHECK(buf_avail(&b) <= TIGHT);
	buf_clear(&b);
}

static void check_charset(const char *cs, size_t cslen, const char *p, size_t len)
{
	struct buf b;
	int r;
	bool utf8 = (cslen == 5 && strncasecmp(cs, "utf-8", 5) == 0) ||
	            (cslen == 4 && strncasecmp(cs, "utf8", 4) == 0);

	buf_init(&b, ROOM);
	r = nmime_to_utf8(cs, cslen, p, len, &b);
	FZ_CHECK(r == 0 || r == ERR_PROTO || r == ERR_TOOLONG);
	if (r == ERR_PROTO)
		FZ_CHECK(buf_avail(&b) == 0);
	if (r == 0 && !utf8)
		FZ_CHECK(utf8_valid(buf_peek(&b), buf_avail(&b)));
	if (r == 0 && utf8)
		FZ_CHECK(buf_avail(&b) == len);
	buf_clear(&b);
}

static void check_parts(const char *p, size_t len)
{
	static struct nmime_tree t;
	size_t prev = 0;

	nmime_parts(p, len, &t);
	FZ_CHECK(t.n >= 1 && t.n <= NMIME_MAX_PARTS);
	for (size_t i = 0; i < t.n; i++) {
		const struct nmime_part *pt = &t.part[i];
		struct buf b;
		const char *why = NULL, *v;
		size_t vlen;

		FZ_CHECK(pt->hoff <= len && pt->hlen <= len - pt->hoff);
		FZ_CHECK(pt->boff <= len && pt->blen <= len - pt->boff);
		FZ_CHECK(pt->hoff + pt->hlen <= pt->boff);
		FZ_CHECK(pt->depth <= NMIME_MAX_DEPTH);
		FZ_CHECK(i == 0 || pt->boff >= prev);
		prev = pt->boff + pt->blen;

		buf_init(&b, ROOM);
		int r = nmime_part_decode(p, pt, &b, &why);
		FZ_CHECK(r == 0 || r == ERR_PROTO || r == ERR_TOOLONG);
		FZ_CHECK(r != ERR_PROTO || why);
		FZ_CHECK(buf_avail(&b) <= pt->blen);
		buf_clear(&b);

		if (nmime_header(p + pt->hoff, pt->hlen, "Content-Type", &v, &vlen)) {
			FZ_CHECK(v >= p + pt->hoff && v + vlen <= p + pt->hoff + pt->hlen);
			buf_init(&b, ROOM);
			r = nmime_param(v, vlen, "name", true, &b);
			FZ_CHECK(r == 0 || r == 1 || r == ERR_PROTO || r == ERR_TOOLONG);
			if (r == 0)
				FZ_CHECK(buf_avail(&b) == 0);
			buf_clear(&b);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t cslen = nl ? (size_t)(nl - data) : 0;
	size_t off = nl ? cslen + 1 : 0;
	char *cs = fz_copy(data, cslen);
	char *p = fz_copy(data + off, size - off);

	check_header(p, size - off);
	check_bodies(p, size - off);
	check_charset(cs, cslen, p, size - off);
	check_parts(p, size - off);
	/* The whole input as one header too (the charset line folded in). */
	free(p);
	p = fz_copy(data, size);
	check_header(p, size);
	free(p);
	free(cs);
	return 0;
}
