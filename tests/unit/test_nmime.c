/* test_nmime.c - RFC 2047 headers, unfolding, quoted-printable, base64 and
 * charset conversion (nmime.c). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cu_main.h"
#include "err.h"
#include "nmime.h"

#define S(lit) lit, sizeof(lit) - 1

typedef int (*decode_fn)(const char *p, size_t len, struct buf *out);

/* Decode with fn into a buf of at most max bytes; true when the result is
 * want (a C string) and the return value ret. */
static bool dec_max(decode_fn fn, const char *in, size_t len, size_t max, int ret,
                    const char *want)
{
	struct buf b;
	bool ok;
	int r;

	buf_init(&b, max);
	r = fn(in, len, &b);
	ok = r == ret && buf_avail(&b) == strlen(want) &&
	     memcmp(buf_peek(&b), want, strlen(want)) == 0;
	if (!ok)
		fprintf(stderr, "\n  in [%.*s]: ret %d, got [%.*s], want [%s]\n", (int)len, in, r,
		        (int)buf_avail(&b), buf_peek(&b), want);
	buf_clear(&b);
	return ok;
}

static bool dec(decode_fn fn, const char *in, const char *want)
{
	return dec_max(fn, in, strlen(in), 1 << 20, 0, want);
}

/* Inputs and what they decode to. */
struct dcase {
	const char *in, *want;
};

static void run_cases(decode_fn fn, const struct dcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_TRUE(dec(fn, c[i].in, c[i].want));
}

#define RUN(fn, cases) run_cases(fn, cases, sizeof(cases) / sizeof(cases[0]))

static void test_header_samples(void)
{
	static const struct dcase cases[] = {
		/* Latin-1 Q, as a German subject comes. */
		{ "=?ISO-8859-1?Q?Gr=FC=DFe_aus_K=F6ln?=", "Grüße aus Köln" },
		{ "=?iso-8859-1?q?Gr=fc=dfe_aus_K=f6ln?=", "Grüße aus Köln" },
		/* UTF-8 B; Cyrillic, Japanese. */
		{ "=?UTF-8?B?0J/RgNC40LLQtdGCLCDQvNC40YA=?=", "Привет, мир" },
		{ "Re: =?utf-8?b?5pel5pys6Kqe44Gu44OG44K544OI?=", "Re: 日本語のテスト" },
		/* Mixed: text, words of two charsets, a From with an
		 * address. */
		{ "=?ISO-8859-15?Q?Ren=E9?= =?UTF-8?B?Wm/DqyDigqw=?= <r@example.org>",
		  "RenéZoë € <r@example.org>" },
		{ "\"=?UTF-8?Q?J=C3=B6rg?=\" <j@example.org>", "\"Jörg\" <j@example.org>" },
		{ "Caf=?ISO-8859-1?B?6Q==?= ouvert", "Café ouvert" },
		/* Stateful ISO-2022-JP returns to ASCII. */
		{ "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?= x", "こんにちは x" },
		/* RFC 2231 language. */
		{ "=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore" },
		{ "=?utf-8*de-DE?q?K=C3=B6ln?=", "Köln" },
		/* No encoded-words: unchanged, 8-bit bytes included. */
		{ "plain text = ? ?= =? x", "plain text = ? ?= =? x" },
		{ "raw \xfc byte", "raw \xfc byte" },
		{ "", "" },
	};

	RUN(nmime_decode_header, cases);
}

static void test_header_adjacent(void)
{
	static const struct dcase cases[] = {
		/* Space and folds between encoded-words go; around text
		 * they stay. */
		{ "=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab" },
		{ "=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=", "ab" },
		{ "=?UTF-8?Q?a?=\n\t  =?ISO-8859-1?Q?b?=", "ab" },
		{ "=?UTF-8?Q?a_?= =?UTF-8?Q?b?=", "a b" },
		{ "=?UTF-8?Q?a?= x =?UTF-8?Q?b?=", "a x b" },
		{ "x =?UTF-8?Q?a?=  ", "x a  " },
		{ "Subject:\r\n =?UTF-8?Q?a?=", "Subject: a" },
		/* A character split across two words of one charset. */
		{ "=?UTF-8?B?5pel5g==?= =?UTF-8?B?nKzoqp4=?=", "日本語" },
		{ "=?utf-8?B?5pel5g==?=\r\n =?UTF-8?B?nKzoqp4=?=", "日本語" },
	};

	RUN(nmime_decode_header, cases);
}

static void test_header_broken(void)
{
	static const struct dcase cases[] = {
		/* Unknown charset, bad Q escape, bad base64, blanks, unfinished:
		 * kept as sent. */
		{ "=?x-unknown?Q?abc?=", "=?x-unknown?Q?abc?=" },
		{ "=?UTF-8//TRANSLIT?Q?abc?=", "=?UTF-8//TRANSLIT?Q?abc?=" },
		{ "=?UTF-8?Q?a=ZZb?=", "=?UTF-8?Q?a=ZZb?=" },
		{ "=?UTF-8?Q?ab=?=", "=?UTF-8?Q?ab=?=" },
		{ "=?UTF-8?Q?ab=4?=", "=?UTF-8?Q?ab=4?=" },
		{ "=?UTF-8?B?QUJD!?=", "=?UTF-8?B?QUJD!?=" },
		{ "=?UTF-8?B?Q?=", "=?UTF-8?B?Q?=" },
		{ "=?UTF-8?B?QUJD=?=", "=?UTF-8?B?QUJD=?=" },
		{ "=?UTF-8?B?QQ===?=", "=?UTF-8?B?QQ===?=" },
		{ "=?UTF-8?B?Q=Q=?=", "=?UTF-8?B?Q=Q=?=" },
		{ "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=" },
		{ "=??Q?abc?=", "=??Q?abc?=" },
		{ "=?*en?Q?abc?=", "=?*en?Q?abc?=" },
		{ "=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=" },
		{ "=?UTF-8?Q?abc", "=?UTF-8?Q?abc" },
		{ "=?UTF-8?Q?abc?", "=?UTF-8?Q?abc?" },
		/* Missing padding is fine, a partial one too. */
		{ "=?UTF-8?B?QUI?=", "AB" },
		{ "=?UTF-8?B?QQ?=", "A" },
		{ "=?UTF-8?B?QQ=?=", "A" },
		/* A broken word between good ones keeps the space around it. */
		{ "=?UTF-8?Q?a?= =?x-unknown?Q?b?= =?UTF-8?Q?c?=",
		  "a =?x-unknown?Q?b?= c" },
		/* Adjacent unknown words are kept raw together, fold undone. */
		{ "=?x-unk?Q?a?=\r\n =?x-unk?Q?b?=", "=?x-unk?Q?a?= =?x-unk?Q?b?=" },
		{ "=?x-a?Q?a?= =?x-b?Q?b?=  =?UTF-8?Q?c?==?UTF-8?Q?d?=",
		  "=?x-a?Q?a?= =?x-b?Q?b?=  cd" },
		{ "=?UTF-8?Q?a?==?x-a?Q?b?=", "a=?x-a?Q?b?=" },
		/* A word right after a false start. */
		{ "=?=?UTF-8?Q?a?=", "=?a" },
		/* Invalid UTF-8 claimed as UTF-8 passes (ui escapes it); invalid
		 * bytes in another charset become U+FFFD. */
		{ "=?UTF-8?Q?=FF?=", "\xff" },
		{ "=?Shift_JIS?Q?=82?=", "\xef\xbf\xbd" },
		{ "=?UTF-16BE?B?AEFC?=", "A\xef\xbf\xbd" },
		/* Control bytes are decoded, not escaped: that is ui's job. */
		{ "=?UTF-8?Q?a=1B[2Jb=0A?=", "a\x1b[2Jb\n" },
		/* us-ascii and latin-1 are read as windows-1252. */
		{ "=?us-ascii?Q?=80?= =?ISO-8859-1?Q?=93x=94?=", "€“x”" },
	};

	RUN(nmime_decode_header, cases);
}

static void test_header_bounds(void)
{
	/* Output bounded by the buf: ERR_TOOLONG, what fit is kept. */
	CU_ASSERT_TRUE(dec_max(nmime_decode_header, S("=?UTF-8?Q?abcdef?="), 3, ERR_TOOLONG, ""));
	CU_ASSERT_TRUE(dec_max(nmime_decode_header, S("xy =?UTF-8?Q?abcdef?="), 4, ERR_TOOLONG, "xy "));
	CU_ASSERT_TRUE(dec_max(nmime_decode_header, S("=?UTF-8?Q?abc?="), 3, 0, "abc"));
	CU_ASSERT_TRUE(dec_max(nmime_decode_header, S("plain text"), 5, ERR_TOOLONG, ""));
	/* The length bounds the input. */
	CU_ASSERT_TRUE(dec_max(nmime_decode_header, "=?UTF-8?Q?abc?=", 14, 100, 0, "=?UTF-8?Q?abc?"));
}

static void test_unfold(void)
{
	static const struct dcase cases[] = {
		{ "a\r\n b", "a b" },
		{ "a\n\tb\r\n  c", "a\tb  c" },
		{ "a\r\nb", "a\r\nb" },
		{ "a\r\n", "a\r\n" },
		{ "a\r b", "a\r b" },
		{ "", "" },
	};

	RUN(nmime_unfold, cases);
	CU_ASSERT_TRUE(dec_max(nmime_unfold, S("abc\r\n def"), 4, ERR_TOOLONG, "abc"));
}

static void test_qp(void)
{
	static const struct dcase cases[] = {
		{ "Gr=FC=DFe", "Gr\xfc\xdf" "e" },
		{ "gr=fc=dfe", "gr\xfc\xdf" "e" },
		/* Soft line breaks, blanks after the "=", at the very end. */
		{ "long=\r\nline\r\nnext=\nx= \t\r\ny=", "longline\r\nnextxy" },
		/* Trailing blanks go, inner ones stay; line ends as they are. */
		{ "a b  \r\nc\t\nd  ", "a b\r\nc\nd" },
		{ "a =20\r\n", "a  \r\n" },
		/* "=" starting no escape is kept. */
		{ "1+1=2 =G0 =4", "1+1=2 =G0 =4" },
		{ "a=\rb", "a=\rb" },
		{ "=0D=0A", "\r\n" },
	};

	RUN(nmime_qp_decode, cases);
	CU_ASSERT_TRUE(dec_max(nmime_qp_decode, S("=3D=3D=3D"), 2, ERR_TOOLONG, ""));

	/* A NUL decodes as a byte like any other. */
	struct buf b;
	buf_init(&b, 16);
	CU_ASSERT_EQUAL(nmime_qp_decode(S("a=00b"), &b), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 3);
	CU_ASSERT_EQUAL(memcmp(buf_peek(&b), "a\0b", 3), 0);
	buf_clear(&b);
}

static void test_b64(void)
{
	static const struct dcase cases[] = {
		{ "R3LDvMOfZQ==", "Grüße" },
		/* Line breaks and blanks, missing padding, junk. */
		{ "R3LD\r\nvMOf\n ZQ", "Grüße" },
		{ "QUJD", "ABC" },
		{ "QUI", "AB" },
		{ "QQ", "A" },
		{ "Q", "" },
		{ "Q!U*J-D", "ABC" },
		/* Padding ends a group; what follows starts a new one. */
		{ "QQ==QUI=", "AAB" },
		{ "====", "" },
		{ "", "" },
	};

	RUN(nmime_b64_decode, cases);
	CU_ASSERT_TRUE(dec_max(nmime_b64_decode, S("QUJDREVG"), 4, ERR_TOOLONG, ""));
}

static bool conv(const char *cs, const char *in, size_t len, int ret, const char *want)
{
	struct buf b;
	bool ok;
	int r;

	buf_init(&b, 1 << 16);
	r = nmime_to_utf8(cs, strlen(cs), in, len, &b);
	ok = r == ret && buf_avail(&b) == strlen(want) &&
	     memcmp(buf_peek(&b), want, strlen(want)) == 0;
	if (!ok)
		fprintf(stderr, "\n  %s: ret %d got [%.*s]\n", cs, r, (int)buf_avail(&b), buf_peek(&b));
	buf_clear(&b);
	return ok;
}

static void test_charset(void)
{
	CU_ASSERT_TRUE(conv("ISO-8859-1", S("Gr\xfc\xdf" "e"), 0, "Grüße"));
	CU_ASSERT_TRUE(conv("latin1", S("\x80"), 0, "€"));
	CU_ASSERT_TRUE(conv("ISO-8859-15", S("\xa4"), 0, "€"));
	CU_ASSERT_TRUE(conv("KOI8-R", S("\xf0\xd2\xc9\xd7\xc5\xd4"), 0, "Привет"));
	CU_ASSERT_TRUE(conv("utf-8", S("\xff ok"), 0, "\xff ok"));
	CU_ASSERT_TRUE(conv("UTF8", S("ok"), 0, "ok"));
	/* Invalid and cut sequences: U+FFFD each byte, the rest goes on. */
	CU_ASSERT_TRUE(conv("Shift_JIS", S("a\x82 b"), 0, "a\xef\xbf\xbd b"));
	CU_ASSERT_TRUE(conv("UTF-16LE", S("A\0B"), 0, "A\xef\xbf\xbd"));
	/* Unknown or unsafe names: ERR_PROTO, nothing appended. */
	CU_ASSERT_TRUE(conv("x-unknown", S("abc"), ERR_PROTO, ""));
	CU_ASSERT_TRUE(conv("", S("abc"), ERR_PROTO, ""));
	CU_ASSERT_TRUE(conv("UTF-8//IGNORE", S("abc"), ERR_PROTO, ""));
	CU_ASSERT_TRUE(conv("ISO-8859-1 ", S("abc"), ERR_PROTO, ""));
	CU_ASSERT_TRUE(conv("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", S("abc"), ERR_PROTO, ""));

	/* A large body converts in chunks. */
	enum { BIG = 100000 };
	static char latin[BIG];
	struct buf b;
	memset(latin, '\xe9', BIG);
	buf_init(&b, 2 * BIG);
	CU_ASSERT_EQUAL(nmime_to_utf8(S("iso-8859-1"), latin, BIG, &b), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 2 * BIG);
	CU_ASSERT_EQUAL(memcmp(buf_peek(&b), "é", 2), 0);
	buf_clear(&b);
	buf_init(&b, BIG);
	CU_ASSERT_EQUAL(nmime_to_utf8(S("iso-8859-1"), latin, BIG, &b), ERR_TOOLONG);
	buf_clear(&b);
}

/* ---- MIME structure ---- */

/* The part's header and body as C strings (into h, b). */
static void part_text(const char *art, const struct nmime_part *p, char *h, char *b)
{
	memcpy(h, art + p->hoff, p->hlen);
	h[p->hlen] = '\0';
	memcpy(b, art + p->boff, p->blen);
	b[p->blen] = '\0';
}

static void test_parts_nested(void)
{
	static const char art[] =
		"Subject: x\n"
		"Content-Type: multipart/mixed;\n boundary=\"outer b\"\n"
		"\n"
		"preamble\n"
		"--outer b\n"
		"\n"
		"first, no header\n"
		"--outer b  \n"
		"Content-Type: multipart/alternative; boundary=in\n"
		"\n"
		"--in\r\n"
		"Content-Type: text/plain\r\n"
		"\r\n"
		"crlf text\r\n"
		"--in\r\n"
		"Content-Type: text/html\r\n"
		"\r\n"
		"<p>\r\n"
		"--in--\r\n"
		"--outer bx\n"
		"still the alternative's epilogue\n"
		"--outer b\n"
		"Content-Type: application/octet-stream\n"
		"Content-Transfer-Encoding: base64\n"
		"\n"
		"AAEC\n"
		"--outer b--\n"
		"epilogue\n";
	struct nmime_tree t;
	char h[512], b[512];

	nmime_parts(art, sizeof(art) - 1, &t);
	CU_ASSERT_TRUE(t.multipart);
	CU_ASSERT_FALSE(t.unterminated || t.truncated || t.too_deep);
	CU_ASSERT_EQUAL_FATAL(t.n, 4);
	part_text(art, &t.part[0], h, b);
	CU_ASSERT_STRING_EQUAL(h, "");
	CU_ASSERT_STRING_EQUAL(b, "first, no header");
	part_text(art, &t.part[1], h, b);
	CU_ASSERT_STRING_EQUAL(b, "crlf text");
	CU_ASSERT_EQUAL(t.part[1].depth, 2);
	part_text(art, &t.part[2], h, b);
	CU_ASSERT_STRING_EQUAL(b, "<p>");
	part_text(art, &t.part[3], h, b);
	CU_ASSERT_STRING_EQUAL(b, "AAEC");

	struct buf out;
	const char *why;
	buf_init(&out, 100);
	CU_ASSERT_EQUAL(nmime_part_decode(art, &t.part[3], &out, &why), 0);
	CU_ASSERT_EQUAL(buf_avail(&out), 3);
	CU_ASSERT_EQUAL(memcmp(buf_peek(&out), "\0\1\2", 3), 0);
	buf_clear(&out);
}

static void test_parts_odd(void)
{
	struct nmime_tree t;
	char h[256], b[256];

	/* Not multipart: the article is part 1, with its header. */
	static const char plain[] = "Subject: a\nContent-Type: image/png\n\nbody\n";
	nmime_parts(plain, sizeof(plain) - 1, &t);
	CU_ASSERT_FALSE(t.multipart);
	CU_ASSERT_EQUAL_FATAL(t.n, 1);
	part_text(plain, &t.part[0], h, b);
	CU_ASSERT_STRING_EQUAL(b, "body\n");
	CU_ASSERT_EQUAL(t.part[0].depth, 0);

	/* A boundary never closed: the last part runs to the end. */
	static const char open[] = "Content-Type: multipart/mixed; boundary=b\n\n"
		"--b\n\none\n--b\n\ntwo, cut\n";
	nmime_parts(open, sizeof(open) - 1, &t);
	CU_ASSERT_TRUE(t.unterminated);
	CU_ASSERT_EQUAL_FATAL(t.n, 2);
	part_text(open, &t.part[1], h, b);
	CU_ASSERT_STRING_EQUAL(b, "two, cut\n");

	/* No boundary parameter, or no boundary line: one part. */
	static const char nob[] = "Content-Type: multipart/mixed\n\n--b\n\nx\n--b--\n";
	nmime_parts(nob, sizeof(nob) - 1, &t);
	CU_ASSERT_EQUAL(t.n, 1);
	static const char noline[] = "Content-Type: multipart/mixed; boundary=zz\n\ntext\n";
	nmime_parts(noline, sizeof(noline) - 1, &t);
	CU_ASSERT_EQUAL(t.n, 1);
	/* The closing boundary first (found by the fuzzer): one part too. */
	static const char closefirst[] = "Content-Type: multipart/mixed; boundary=zz\n\n"
		"--zz--\n--zz\n\nafter the end\n";
	nmime_parts(closefirst, sizeof(closefirst) - 1, &t);
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT_EQUAL(t.part[0].depth, 0);

	/* Thousands of parts: the first NMIME_MAX_PARTS, marked truncated. */
	struct buf big;
	buf_init(&big, 1 << 20);
	buf_appendstr(&big, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (int i = 0; i < 5000; i++)
		buf_appendstr(&big, "--b\n\nx\n");
	buf_appendstr(&big, "--b--\n");
	nmime_parts(buf_peek(&big), buf_avail(&big), &t);
	CU_ASSERT_EQUAL(t.n, NMIME_MAX_PARTS);
	CU_ASSERT_TRUE(t.truncated);
	buf_clear(&big);

	/* Nested deeper than NMIME_MAX_DEPTH: one opaque part. */
	buf_init(&big, 1 << 16);
	for (int i = 0; i < 20; i++)
		buf_appendf(&big, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
	buf_appendstr(&big, "\ndeep\n");
	nmime_parts(buf_peek(&big), buf_avail(&big), &t);
	CU_ASSERT_TRUE(t.too_deep);
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT_EQUAL(t.part[0].depth, NMIME_MAX_DEPTH);
	buf_clear(&big);
}

static bool param_is(const char *v, const char *name, bool decode, int ret, const char *want)
{
	struct buf b;
	buf_init(&b, 1024);
	int r = nmime_param(v, strlen(v), name, decode, &b);
	bool ok = r == ret && buf_avail(&b) == strlen(want) &&
	          memcmp(buf_peek(&b), want, strlen(want)) == 0;
	if (!ok)
		fprintf(stderr, "\n  [%s] %s: ret %d got [%.*s]\n", v, name, r,
		        (int)buf_avail(&b), buf_peek(&b));
	buf_clear(&b);
	return ok;
}

static void test_params(void)
{
	CU_ASSERT_TRUE(param_is("text/plain; charset=UTF-8", "charset", false, 1, "UTF-8"));
	CU_ASSERT_TRUE(param_is("text/plain; CHARSET=\"iso-8859-1\"", "charset", false, 1,
	                        "iso-8859-1"));
	CU_ASSERT_TRUE(param_is("attachment; filename=\"a \\\"q\\\".txt\"", "filename", true, 1,
	                        "a \"q\".txt"));
	CU_ASSERT_TRUE(param_is("attachment;\n filename=\"folded\n name.txt\"", "filename", true,
	                        1, "folded name.txt"));
	CU_ASSERT_TRUE(param_is("attachment; name=x", "filename", true, 0, ""));
	CU_ASSERT_TRUE(param_is("attachment; filenamex=x", "filename", true, 0, ""));
	/* RFC 2047 in a plain value, as mailers send names. */
	CU_ASSERT_TRUE(param_is("attachment; filename=\"=?UTF-8?Q?gr=C3=BC=C3=9Fe.txt?=\"",
	                        "filename", true, 1, "grüße.txt"));
	CU_ASSERT_TRUE(param_is("attachment; filename=\"=?UTF-8?Q?x?=\"", "filename", false, 1,
	                        "=?UTF-8?Q?x?="));
	/* RFC 2231: extended, continuations in any order, charset. */
	CU_ASSERT_TRUE(param_is("attachment; filename*=iso-8859-1'de'Gr%FC%DFe.txt", "filename",
	                        true, 1, "Grüße.txt"));
	CU_ASSERT_TRUE(param_is("attachment; filename*1=\"two \"; filename*0*=utf-8''%C3%A9-;"
	                        " filename*2=three", "filename", true, 1, "é-two three"));
	/* The extended form wins over the plain one. */
	CU_ASSERT_TRUE(param_is("a; filename=plain; filename*=''ext", "filename", true, 1, "ext"));
	/* A gap, a bad %XX, no quotes in the charset part: malformed. */
	CU_ASSERT_TRUE(param_is("a; filename*0=a; filename*2=c", "filename", true, ERR_PROTO, ""));
	CU_ASSERT_TRUE(param_is("a; filename*=utf-8''%G1", "filename", true, ERR_PROTO, ""));
	CU_ASSERT_TRUE(param_is("a; filename*=nocharset", "filename", true, ERR_PROTO, ""));
	/* Content types. */
	char t[64];
	nmime_ctype(S(" Multipart/Mixed; boundary=x"), t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "multipart/mixed");
	nmime_ctype(S("garbage"), t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "text/plain");
	nmime_ctype(NULL, 0, t, sizeof(t));
	CU_ASSERT_STRING_EQUAL(t, "text/plain");
}

static int decode_part(const char *cte, const char *body, struct buf *out, const char **why)
{
	static char art[4096];
	struct nmime_tree t;
	snprintf(art, sizeof(art), "Content-Transfer-Encoding: %s\n\n%s", cte, body);
	nmime_parts(art, strlen(art), &t);
	return nmime_part_decode(art, &t.part[0], out, why);
}

static void test_part_decode(void)
{
	struct buf b;
	const char *why;

	buf_init(&b, 1024);
	CU_ASSERT_EQUAL(decode_part("base64", "aGVsbG8=\n", &b, &why), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 5);
	buf_reset(&b);
	CU_ASSERT_EQUAL(decode_part("BASE64", "aGVs\nbG8\n", &b, &why), 0);   /* no padding */
	CU_ASSERT_EQUAL(buf_avail(&b), 5);
	buf_reset(&b);
	/* Corrupt base64: junk, data after the padding, a lone sextet. */
	CU_ASSERT_EQUAL(decode_part("base64", "aGV*bG8=\n", &b, &why), ERR_PROTO);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(decode_part("base64", "aGVsbG8=aGVs\n", &b, &why), ERR_PROTO);
	CU_ASSERT_EQUAL(decode_part("base64", "aGVsb\n", &b, &why), ERR_PROTO);
	CU_ASSERT_EQUAL(buf_avail(&b), 0);
	CU_ASSERT_EQUAL(decode_part("quoted-printable", "a=3Db=\nc\n", &b, &why), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 5);
	CU_ASSERT_EQUAL(memcmp(buf_peek(&b), "a=bc\n", 5), 0);
	buf_reset(&b);
	/* uuencode ("cat" and a byte 0). */
	CU_ASSERT_EQUAL(decode_part("x-uuencode", "begin 644 f\n$8V%T`0``\n`\nend\n", &b, &why), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 4);
	CU_ASSERT_EQUAL(memcmp(buf_peek(&b), "cat\1", 4), 0);
	buf_reset(&b);
	CU_ASSERT_EQUAL(decode_part("x-uuencode", "$8V%T`0``\n", &b, &why), ERR_PROTO);
	CU_ASSERT_EQUAL(decode_part("x-uuencode", "begin 644 f\n$8V%T`0``\n", &b, &why), ERR_PROTO);
	buf_reset(&b);
	CU_ASSERT_EQUAL(decode_part("8bit", "r\xe9sum\xe9\n", &b, &why), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 7);
	buf_reset(&b);
	CU_ASSERT_EQUAL(decode_part("x-gzip64", "abc\n", &b, &why), ERR_PROTO);
	buf_clear(&b);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("nmime", NULL, NULL);

	CU_add_test(s, "header samples", test_header_samples);
	CU_add_test(s, "adjacent words", test_header_adjacent);
	CU_add_test(s, "broken words", test_header_broken);
	CU_add_test(s, "bounds", test_header_bounds);
	CU_add_test(s, "unfold", test_unfold);
	CU_add_test(s, "quoted-printable", test_qp);
	CU_add_test(s, "base64", test_b64);
	CU_add_test(s, "charsets", test_charset);
	CU_add_test(s, "parts: nested multiparts", test_parts_nested);
	CU_add_test(s, "parts: unclosed, many, deep", test_parts_odd);
	CU_add_test(s, "parameters (RFC 2231, 2047)", test_params);
	CU_add_test(s, "part bodies decoded strictly", test_part_decode);
}
