/* fuzz_nntp_parse.c - the pure NNTP parsers of nntp.h.
 *
 * The whole input is a CAPABILITIES block; each of its lines (split on
 * '\n', a trailing '\r' removed) is also given, as an exact-size copy, to
 * every line parser: status codes, GROUP, article status, message-id,
 * group and wildmat checks, article ranges, overview lines with their
 * extra fields, DATE, the block-code table and the 64-bit numbers.
 * Spans must point inside the line; accepted values must be consistent
 * with a simple reference reading of the same bytes.
 */
#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "fuzz_common.h"
#include "nntp.h"

/* Span s_ lies inside base_[0..n_). */
#define IN(s_, base_, n_) \
	((s_).p >= (base_) && (s_).len <= (n_) && (s_).p + (s_).len <= (base_) + (n_))

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool ref_msgid(const char *p, size_t len)
{
	if (len < 3 || len > 250 || p[0] != '<' || p[len - 1] != '>')
		return false;
	for (size_t i = 1; i + 1 < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x21 || c > 0x7e || c == '>')
			return false;
	}
	return true;
}

static void check_u64(const char *p, size_t len)
{
	uint64_t v;
	bool digits = len > 0;

	for (size_t i = 0; i < len; i++)
		digits = digits && is_digit(p[i]);
	if (nntp_parse_u64(p, len, &v) == 0) {
		FZ_CHECK(digits);
		/* Reference: the value read back digit by digit, in 128 bits. */
		unsigned __int128 r = 0;
		for (size_t i = 0; i < len; i++)
			r = r * 10 + (unsigned)(p[i] - '0');
		FZ_CHECK(r == v);
	} else if (digits) {
		/* Only overflow may refuse all-digit input. */
		unsigned __int128 r = 0;
		size_t i;
		for (i = 0; i < len && r <= UINT64_MAX; i++)
			r = r * 10 + (unsigned)(p[i] - '0');
		FZ_CHECK(r > UINT64_MAX);
	}
}

static void check_line(const char *line, size_t len)
{
	struct nntp_group g;
	struct nntp_span id, v;
	struct nntp_over o;
	uint64_t num;
	char date[20];
	int code;

	code = nntp_status_code(line, len);
	FZ_CHECK(code == -1 || (code >= 100 && code <= 599));
	if (code > 0)
		FZ_CHECK(is_digit(line[0]) && (len == 3 || line[3] == ' ' || line[3] == '\t'));

	if (nntp_parse_group(line, len, &g) == 0) {
		FZ_CHECK(code == 211);
		FZ_CHECK(IN(g.name, line, len));
		FZ_CHECK(!g.empty || g.count == 0);
		FZ_CHECK(g.empty || g.high >= g.low);
	}
	if (nntp_parse_article_status(line, len, &num, &id) == 0) {
		FZ_CHECK(code >= 220 && code <= 223);
		FZ_CHECK(IN(id, line, len));
		FZ_CHECK(ref_msgid(id.p, id.len));
	}
	FZ_CHECK(nntp_msgid_valid(line, len) == ref_msgid(line, len));
	if (nntp_group_valid(line, len))
		FZ_CHECK(nntp_wildmat_valid(line, len));
	if (nntp_wildmat_valid(line, len)) {
		FZ_CHECK(len >= 1 && len <= 497);
		for (size_t i = 0; i < len; i++)
			FZ_CHECK((unsigned char)line[i] > 0x20 && line[i] != 0x7f);
	}

	if (nntp_parse_over(line, len, &o) == 0) {
		size_t fields = 0;

		for (int i = 0; i < NNTP_OV_NFIELDS; i++) {
			FZ_CHECK(IN(o.f[i], line, len));
			FZ_CHECK(!memchr(o.f[i].p, '\t', o.f[i].len));
		}
		FZ_CHECK(IN(o.extra, line, len));
		for (size_t i = 0; i < len; i++)
			if (line[i] == '\t')
				fields++;
		/* number + 7 fields take 7 tabs; each further tab starts
		 * one more extra field. */
		FZ_CHECK(o.nextra == (fields > NNTP_OV_NFIELDS ? fields - NNTP_OV_NFIELDS : 0));
		FZ_CHECK(o.has_bytes || o.bytes == 0);
		FZ_CHECK(o.has_lines || o.lines == 0);
		static const char *const names[] = { "Xref", "X", "", "Newsgroups" };
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (nntp_over_extra(&o, names[i], &v))
				FZ_CHECK(IN(v, line, len) && IN(v, o.extra.p, o.extra.len));
	}
	if (nntp_parse_date(line, len, date, sizeof(date)) == 0) {
		FZ_CHECK(code == 111);
		FZ_CHECK(strlen(date) == 19 && date[4] == '-' && date[10] == ' ');
	}
	check_u64(line, len);
}

/* Functions that take C strings: the line as typed by a user. */
static void check_cstr(const char *s)
{
	struct nntp_range r;
	int bc;

	if (nntp_parse_range(s, &r) == 0) {
		FZ_CHECK(r.low <= r.high);
		FZ_CHECK(!r.single || (r.low == r.high && !r.open));
		FZ_CHECK(!r.open || r.high == UINT64_MAX);
		FZ_CHECK(is_digit(s[0]));
	}
	bc = nntp_block_code(s);
	FZ_CHECK(bc == -1 || bc == 0 || (bc >= 100 && bc <= 599));
	/* Every block code, a few others, and the code of this command. */
	static const int codes[] = { 100, 101, 111, 200, 205, 211, 215, 220,
	                             221, 222, 223, 224, 225, 230, 231, 240,
	                             282, 340, 480, 500, 599 };
	for (size_t i = 0; i <= sizeof(codes) / sizeof(codes[0]); i++) {
		int code = i < sizeof(codes) / sizeof(codes[0]) ? codes[i] : bc;
		bool b = nntp_has_block(s, code);

		if (bc > 0)
			FZ_CHECK(b == (code == bc));
		else if (bc == 0)
			FZ_CHECK(!b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *all = fz_copy(data, size);
	struct nntp_caps caps;
	size_t start = 0;

	nntp_parse_caps(all, size, &caps);
	free(all);

	while (start <= size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - data) : size;
		size_t len = end - start;
		char *line;

		if (len && data[start + len - 1] == '\r')
			len--;
		line = fz_copy(data + start, len);
		check_line(line, len);
		free(line);
		line = fz_cstr(data + start, len);
		check_cstr(line);
		free(line);
		if (!nl)
			break;
		start = end + 1;
	}
	return 0;
}
