/* fuzz_ui_escape.c - ui_escape(), the filter between server bytes and the
 * terminal.
 *
 * Whatever the input, the output must be valid UTF-8 with no C0 control
 * other than TAB (and LF when keep_lf), no DEL, no C1 code point, and no
 * bidi or format control (the ones ui.c escapes).  The first byte picks
 * keep_lf and an output limit, to exercise ERR_TOOLONG too.
 */
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz_common.h"
#include "ui.h"

/* Strict UTF-8 decoder: length of the sequence at p, or 0 if invalid. */
static size_t utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t v, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2; v = p[0] & 0x1f; min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3; v = p[0] & 0x0f; min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4; v = p[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static bool forbidden(uint32_t cp, bool keep_lf)
{
	if (cp == '\t' || (cp == '\n' && keep_lf))
		return false;
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	       cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

static void check_output(const char *s, size_t n, bool keep_lf)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		len = utf8(p + i, n - i, &cp);
		FZ_CHECK(len > 0);
		FZ_CHECK(!forbidden(cp, keep_lf));
		i += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	bool keep_lf;
	size_t lim;
	char *in, *s;
	int rc;

	if (size < 1)
		return 0;
	keep_lf = data[0] & 1;
	/* A small limit now and then: the ERR_TOOLONG path. */
	lim = (data[0] & 2) ? (size_t)(data[0] >> 2) : (size_t)1 << 30;
	in = fz_copy(data + 1, size - 1);

	buf_init(&out, (size_t)1 << 30);
	FZ_CHECK(ui_escape(in, size - 1, keep_lf, &out) == 0);
	check_output(buf_peek(&out), buf_avail(&out), keep_lf);
	/* Every input byte is kept or escaped, never dropped; the longest
	 * escapes are "\xHH" for one byte and "\u{hhhh}" for two or three. */
	FZ_CHECK(buf_avail(&out) >= size - 1);
	FZ_CHECK(buf_avail(&out) <= 4 * (size - 1));
	/* Printable ASCII passes untouched. */
	bool plain = true;
	for (size_t i = 1; i < size; i++)
		plain = plain && data[i] >= 0x20 && data[i] < 0x7f;
	if (plain)
		FZ_CHECK(buf_avail(&out) == size - 1 &&
		         memcmp(buf_peek(&out), data + 1, size - 1) == 0);

	/* ui_escape_str is ui_escape without keep_lf. */
	s = ui_escape_str(in, size - 1);
	if (!keep_lf) {
		FZ_CHECK(strlen(s) == buf_avail(&out));
		FZ_CHECK(memcmp(s, buf_peek(&out), buf_avail(&out)) == 0);
	}
	check_output(s, strlen(s), false);
	free(s);
	buf_clear(&out);

	buf_init(&out, lim);
	rc = ui_escape(in, size - 1, keep_lf, &out);
	FZ_CHECK(rc == 0 || rc == ERR_TOOLONG);
	FZ_CHECK(buf_avail(&out) <= lim);
	check_output(buf_peek(&out), buf_avail(&out), keep_lf);
	buf_clear(&out);
	free(in);
	return 0;
}
