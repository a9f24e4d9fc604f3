/* fuzz_nuu.c - uuencoded and yEnc blocks inside a text body (nuu.h).
 *
 * The input is the text.  Every block nuu_next finds in it, in turn, is
 * decoded with a roomy and a tight output bound.  Checked: blocks lie
 * inside the text, start at line starts, come in order without overlap,
 * and hold their name; the walk ends; a decoded block is no larger than
 * the block; a refusal gives its reason; ERR_TOOLONG exactly when the
 * roomy result would not fit, with a prefix of it kept; the MIME
 * x-uuencode decoder over the whole text keeps the same rules.
 */
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz_common.h"
#include "nuu.h"

#define ROOM (1 << 20)
#define TIGHT 16

static void check_decode(const char *p, const struct nuu_block *b)
{
	struct buf room, tight;
	const char *why = NULL, *why2 = NULL;

	buf_init(&room, ROOM);
	buf_init(&tight, TIGHT);
	int r = nuu_decode(p, b, &room, &why);
	int t = nuu_decode(p, b, &tight, &why2);
	FZ_CHECK(r == 0 || r == ERR_PROTO);
	FZ_CHECK(r == 0 || why != NULL);
	FZ_CHECK(buf_avail(&room) <= b->len);
	if (t == ERR_TOOLONG)
		FZ_CHECK(buf_avail(&room) > TIGHT);
	else
		FZ_CHECK(t == r && buf_avail(&tight) == buf_avail(&room));
	FZ_CHECK(buf_avail(&tight) <= buf_avail(&room));
	FZ_CHECK(memcmp(buf_peek(&tight), buf_peek(&room), buf_avail(&tight)) == 0);
	buf_clear(&room);
	buf_clear(&tight);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = fz_copy(data, size);
	struct nuu_block b;
	size_t at = 0, n = 0;

	while (nuu_next(p, size, at, &b)) {
		FZ_CHECK(b.off >= at && b.len > 0 && b.off + b.len <= size);
		FZ_CHECK(b.off == 0 || p[b.off - 1] == '\n');
		FZ_CHECK(b.noff > b.off && b.nlen > 0 && b.noff + b.nlen <= b.off + b.len);
		FZ_CHECK(memchr(p + b.noff, '\n', b.nlen) == NULL);
		FZ_CHECK(b.kind == NUU_UU || b.kind == NUU_YENC);
		check_decode(p, &b);
		at = b.off + b.len;
		FZ_CHECK(++n <= size);
	}
	struct buf out;
	const char *why = NULL;
	buf_init(&out, ROOM);
	int r = nuu_uu_body(p, size, &out, &why);
	FZ_CHECK(r == 0 || (r == ERR_PROTO && why));
	FZ_CHECK(buf_avail(&out) <= size);
	buf_clear(&out);
	free(p);
	return 0;
}
