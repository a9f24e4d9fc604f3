/* fuzz_npost.c - the pure parts of posting (npost.h) on any article: a
 * parent a followup is made from (server bytes), or what a user wrote.
 *
 * The input is an article as an exact-size copy.  Checked: the followup's
 * pieces (Subject with one "Re: ", References within 998 octets with the
 * parent's id last, quoting) stay within their bounds; an article that
 * passes npost_check is prepared to ASCII header lines, and its wire form
 * ends in ".\r\n" with no bare LF and no line starting with a lone dot
 * before the end.
 */
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz_common.h"
#include "nntp.h"
#include "npost.h"

#define ROOM (1 << 20)

static void check_followup(const char *art, size_t len)
{
	struct nntp_span id, groups, refs = { "", 0 }, subj = { "", 0 };
	struct buf b;
	bool poster;
	long boff = npost_body_offset(art, len);
	size_t hlen = boff < 0 ? len : (size_t)boff;

	FZ_CHECK(boff < 0 || (size_t)boff <= len);
	buf_init(&b, ROOM);
	npost_header_get(art, hlen, "Subject", &subj);
	FZ_CHECK(npost_subject_re(subj.p, subj.len, &b) == 0);
	FZ_CHECK(buf_avail(&b) >= 4 && memcmp(buf_peek(&b), "Re: ", 4) == 0);
	FZ_CHECK(buf_avail(&b) <= subj.len + 4);
	if (npost_header_get(art, hlen, "Message-ID", &id) && nntp_msgid_valid(id.p, id.len)) {
		buf_reset(&b);
		npost_header_get(art, hlen, "References", &refs);
		FZ_CHECK(npost_references(refs.p, refs.len, id.p, id.len, &b) == 0);
		FZ_CHECK(strlen("References: ") + buf_avail(&b) <= NPOST_LINE_MAX);
		FZ_CHECK(buf_avail(&b) >= id.len &&
		         memcmp(buf_peek(&b) + buf_avail(&b) - id.len, id.p, id.len) == 0);
	}
	(void)npost_followup_groups(art, hlen, &groups, &poster);
	FZ_CHECK(!poster || groups.len == 6);
	if (boff >= 0) {
		buf_reset(&b);
		FZ_CHECK(npost_quote(art + boff, len - (size_t)boff, &b) == 0);
	}
	buf_clear(&b);
}

static void check_send(const char *art, size_t len)
{
	char why[256];
	struct buf prep, wire;

	if (npost_check(art, len, why, sizeof(why)) < 0) {
		FZ_CHECK(why[0] != '\0');
		return;
	}
	buf_init(&prep, ROOM);
	buf_init(&wire, 2 * ROOM);
	FZ_CHECK(npost_prepare(art, len, &prep) == 0);
	/* The header is ASCII once prepared. */
	const char *p = buf_peek(&prep);
	long boff = npost_body_offset(p, buf_avail(&prep));
	FZ_CHECK(boff > 0);
	for (long i = 0; i < boff; i++)
		FZ_CHECK((unsigned char)p[i] < 0x80);
	FZ_CHECK(npost_stuff(p, buf_avail(&prep), &wire) == 0);
	const char *w = buf_peek(&wire);
	size_t wl = buf_avail(&wire);
	FZ_CHECK(wl >= 3 && memcmp(w + wl - 3, ".\r\n", 3) == 0);
	for (size_t i = 0; i < wl; i++) {
		if (w[i] == '\n')
			FZ_CHECK(i > 0 && w[i - 1] == '\r');
		/* A line that is "." alone is the end only. */
		if ((i == 0 || w[i - 1] == '\n') && i + 3 <= wl && w[i] == '.' &&
		    w[i + 1] == '\r')
			FZ_CHECK(i + 3 == wl);
	}
	buf_clear(&prep);
	buf_clear(&wire);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *art = fz_copy(data, size);

	check_followup(art, size);
	check_send(art, size);
	free(art);
	return 0;
}
