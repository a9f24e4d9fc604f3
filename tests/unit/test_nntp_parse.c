/* test_nntp_parse.c - the pure NNTP parsers (nntp_parse.c). */
#include <stdint.h>
#include <string.h>

#include "cmd.h"
#include "cu_main.h"
#include "err.h"
#include "nntp.h"
#include "proto.h"

#define S(lit) lit, sizeof(lit) - 1

static bool span_is(struct nntp_span sp, const char *s)
{
	return sp.len == strlen(s) && memcmp(sp.p, s, sp.len) == 0;
}

static void test_u64(void)
{
	uint64_t v = 1;

	CU_ASSERT_EQUAL(nntp_parse_u64(S("0"), &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(nntp_parse_u64(S("3000000000"), &v), 0);
	CU_ASSERT_EQUAL(v, 3000000000ULL);
	CU_ASSERT_EQUAL(nntp_parse_u64(S("9223372036854775807"), &v), 0);
	CU_ASSERT_EQUAL(v, (uint64_t)INT64_MAX);
	CU_ASSERT_EQUAL(nntp_parse_u64(S("18446744073709551615"), &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	v = 7;
	CU_ASSERT_EQUAL(nntp_parse_u64(S("18446744073709551616"), &v), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_u64(S("99999999999999999999999"), &v), ERR_PROTO);
	CU_ASSERT_EQUAL(v, 7);
	CU_ASSERT_EQUAL(nntp_parse_u64(S(""), &v), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_u64(S("-1"), &v), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_u64(S("+1"), &v), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_u64(S(" 1"), &v), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_u64(S("1 "), &v), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_u64(S("0x10"), &v), ERR_PROTO);
	/* Length bounds the parse: "12" of "123". */
	CU_ASSERT_EQUAL(nntp_parse_u64("123", 2, &v), 0);
	CU_ASSERT_EQUAL(v, 12);
}

static void test_status(void)
{
	CU_ASSERT_EQUAL(nntp_status_code(S("200 hello")), 200);
	CU_ASSERT_EQUAL(nntp_status_code(S("211")), 211);
	CU_ASSERT_EQUAL(nntp_status_code(S("599 x")), 599);
	CU_ASSERT_EQUAL(nntp_status_code(S("100\tx")), 100);
	CU_ASSERT_EQUAL(nntp_status_code(S("099 x")), -1);
	CU_ASSERT_EQUAL(nntp_status_code(S("600 x")), -1);
	CU_ASSERT_EQUAL(nntp_status_code(S("20 x")), -1);
	CU_ASSERT_EQUAL(nntp_status_code(S("2000 x")), -1);
	CU_ASSERT_EQUAL(nntp_status_code(S("200-x")), -1);
	CU_ASSERT_EQUAL(nntp_status_code(S("abc")), -1);
	CU_ASSERT_EQUAL(nntp_status_code(S("")), -1);
}

static void test_group(void)
{
	struct nntp_group g;

	CU_ASSERT_EQUAL(nntp_parse_group(S("211 1234 3000234 3002322 misc.test"), &g), 0);
	CU_ASSERT_EQUAL(g.count, 1234);
	CU_ASSERT_EQUAL(g.low, 3000234);
	CU_ASSERT_EQUAL(g.high, 3002322);
	CU_ASSERT_FALSE(g.empty);
	CU_ASSERT_TRUE(span_is(g.name, "misc.test"));

	/* Numbers past 2^31 and up to 2^63-1. */
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 5 3000000000 3000000004 big.group"), &g), 0);
	CU_ASSERT_EQUAL(g.low, 3000000000ULL);
	CU_ASSERT_EQUAL(g.high, 3000000004ULL);
	CU_ASSERT_EQUAL(nntp_parse_group(
		S("211 1 9223372036854775807 9223372036854775807 huge"), &g), 0);
	CU_ASSERT_EQUAL(g.low, (uint64_t)INT64_MAX);
	CU_ASSERT_EQUAL(g.count, 1);

	/* Overflow is refused, not wrapped. */
	CU_ASSERT_EQUAL(nntp_parse_group(
		S("211 1 18446744073709551616 18446744073709551617 g"), &g), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 99999999999999999999 1 2 g"), &g), ERR_PROTO);

	/* Empty groups: RFC 3977 form, the old "0 0 0", an estimate with
	 * high < low. */
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 0 3000 2999 empty.group"), &g), 0);
	CU_ASSERT_TRUE(g.empty);
	CU_ASSERT_EQUAL(g.count, 0);
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 0 0 0 empty.group"), &g), 0);
	CU_ASSERT_TRUE(g.empty);
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 3 10 9 odd.group"), &g), 0);
	CU_ASSERT_TRUE(g.empty);
	CU_ASSERT_EQUAL(g.count, 0);
	/* An estimated count larger than the range is kept as sent. */
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 100 1 10 est"), &g), 0);
	CU_ASSERT_FALSE(g.empty);
	CU_ASSERT_EQUAL(g.count, 100);

	/* Name missing; extra words ignored; several blanks. */
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 1 2 3"), &g), 0);
	CU_ASSERT_EQUAL(g.name.len, 0);
	CU_ASSERT_EQUAL(nntp_parse_group(S("211  1  2  3  a.b  Group selected"), &g), 0);
	CU_ASSERT_TRUE(span_is(g.name, "a.b"));

	/* Malformed. */
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 1 2"), &g), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 x 2 3 g"), &g), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_group(S("211 -1 2 3 g"), &g), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_group(S("411 no such group"), &g), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_group(S("2111 1 2 3 g"), &g), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_group(S(""), &g), ERR_PROTO);
}

static void test_article_status(void)
{
	uint64_t n;
	struct nntp_span id;

	CU_ASSERT_EQUAL(nntp_parse_article_status(S("220 3000000001 <a@b> article"), &n, &id), 0);
	CU_ASSERT_EQUAL(n, 3000000001ULL);
	CU_ASSERT_TRUE(span_is(id, "<a@b>"));
	CU_ASSERT_EQUAL(nntp_parse_article_status(S("223 0 <x.y@z>"), &n, &id), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(nntp_parse_article_status(S("223 5 notanid"), &n, &id), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_article_status(S("223 5"), &n, &id), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_article_status(S("223 x <a@b>"), &n, &id), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_article_status(S("211 5 <a@b>"), &n, &id), ERR_PROTO);
}

static void test_msgid(void)
{
	char big[300];

	CU_ASSERT_TRUE(nntp_msgid_valid(S("<a@b>")));
	CU_ASSERT_TRUE(nntp_msgid_valid(S("<x>")));
	CU_ASSERT_TRUE(nntp_msgid_valid(S("<part1.2$3@host.example>")));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("<>")));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("a@b")));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("<a@b")));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("a@b>")));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("<a b@c>")));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("<a\tb@c>")));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("<a\r\nQUIT@c>")));
	CU_ASSERT_FALSE(nntp_msgid_valid("<a\0b>", 5));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("<a>b>")));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("<\xc3\xa9@x>")));
	CU_ASSERT_FALSE(nntp_msgid_valid(S("<a\x7f@x>")));

	/* 250 bytes is the maximum. */
	memset(big, 'a', sizeof(big));
	big[0] = '<';
	big[249] = '>';
	CU_ASSERT_TRUE(nntp_msgid_valid(big, 250));
	big[249] = 'a';
	big[250] = '>';
	CU_ASSERT_FALSE(nntp_msgid_valid(big, 251));
}

static void test_group_name(void)
{
	char big[600];

	CU_ASSERT_TRUE(nntp_group_valid(S("comp.lang.c")));
	CU_ASSERT_TRUE(nntp_group_valid(S("a")));
	CU_ASSERT_TRUE(nntp_group_valid(S("de.comp.\xc3\xa4")));
	CU_ASSERT_FALSE(nntp_group_valid(S("")));
	CU_ASSERT_FALSE(nntp_group_valid(S("a b")));
	CU_ASSERT_FALSE(nntp_group_valid(S("a\tb")));
	CU_ASSERT_FALSE(nntp_group_valid(S("comp.*")));
	CU_ASSERT_FALSE(nntp_group_valid(S("a,b")));
	CU_ASSERT_FALSE(nntp_group_valid(S("a\x1b[31m")));
	memset(big, 'a', sizeof(big));
	CU_ASSERT_TRUE(nntp_group_valid(big, 497));
	CU_ASSERT_FALSE(nntp_group_valid(big, 498));

	CU_ASSERT_TRUE(nntp_wildmat_valid(S("comp.*,!comp.lang.*")));
	CU_ASSERT_FALSE(nntp_wildmat_valid(S("comp.* x")));
	CU_ASSERT_FALSE(nntp_wildmat_valid(S("")));
}

static void test_range(void)
{
	struct nntp_range r;

	CU_ASSERT_EQUAL(nntp_parse_range("10-20", &r), 0);
	CU_ASSERT_EQUAL(r.low, 10);
	CU_ASSERT_EQUAL(r.high, 20);
	CU_ASSERT_FALSE(r.open);
	CU_ASSERT_FALSE(r.single);

	CU_ASSERT_EQUAL(nntp_parse_range("10-", &r), 0);
	CU_ASSERT_EQUAL(r.low, 10);
	CU_ASSERT_EQUAL(r.high, UINT64_MAX);
	CU_ASSERT_TRUE(r.open);

	CU_ASSERT_EQUAL(nntp_parse_range("5", &r), 0);
	CU_ASSERT_EQUAL(r.low, 5);
	CU_ASSERT_EQUAL(r.high, 5);
	CU_ASSERT_TRUE(r.single);

	CU_ASSERT_EQUAL(nntp_parse_range("3000000000-9223372036854775807", &r), 0);
	CU_ASSERT_EQUAL(r.low, 3000000000ULL);
	CU_ASSERT_EQUAL(r.high, (uint64_t)INT64_MAX);

	CU_ASSERT_EQUAL(nntp_parse_range("7-7", &r), 0);
	CU_ASSERT_EQUAL(nntp_parse_range("20-10", &r), ERR_USAGE);
	CU_ASSERT_EQUAL(nntp_parse_range("-10", &r), ERR_USAGE);
	CU_ASSERT_EQUAL(nntp_parse_range("", &r), ERR_USAGE);
	CU_ASSERT_EQUAL(nntp_parse_range("a-b", &r), ERR_USAGE);
	CU_ASSERT_EQUAL(nntp_parse_range("1-2-3", &r), ERR_USAGE);
	CU_ASSERT_EQUAL(nntp_parse_range("1 - 2", &r), ERR_USAGE);
	CU_ASSERT_EQUAL(nntp_parse_range("18446744073709551616", &r), ERR_USAGE);
}

static void test_over_full(void)
{
	struct nntp_over o;
	static const char line[] =
		"3000000000\tRe: hello\tA <a@b.example>\tMon, 1 Jan 2024 00:00:00 +0000"
		"\t<m1@b>\t<r1@b> <r2@b>\t1234\t17\tXref: host a.b:3000000000";

	CU_ASSERT_EQUAL(nntp_parse_over(line, strlen(line), &o), 0);
	CU_ASSERT_EQUAL(o.num, 3000000000ULL);
	CU_ASSERT_TRUE(span_is(o.f[NNTP_OV_SUBJECT], "Re: hello"));
	CU_ASSERT_TRUE(span_is(o.f[NNTP_OV_FROM], "A <a@b.example>"));
	CU_ASSERT_TRUE(span_is(o.f[NNTP_OV_DATE], "Mon, 1 Jan 2024 00:00:00 +0000"));
	CU_ASSERT_TRUE(span_is(o.f[NNTP_OV_MSGID], "<m1@b>"));
	CU_ASSERT_TRUE(span_is(o.f[NNTP_OV_REFS], "<r1@b> <r2@b>"));
	CU_ASSERT_TRUE(o.has_bytes);
	CU_ASSERT_EQUAL(o.bytes, 1234);
	CU_ASSERT_TRUE(o.has_lines);
	CU_ASSERT_EQUAL(o.lines, 17);
	CU_ASSERT_EQUAL(o.nextra, 1);
	CU_ASSERT_TRUE(span_is(o.extra, "Xref: host a.b:3000000000"));

	struct nntp_span v;
	CU_ASSERT_TRUE(nntp_over_extra(&o, "xref", &v));
	CU_ASSERT_TRUE(span_is(v, "host a.b:3000000000"));
	CU_ASSERT_FALSE(nntp_over_extra(&o, "Newsgroups", &v));
}

static void test_over_missing(void)
{
	struct nntp_over o;

	/* Only the number. */
	CU_ASSERT_EQUAL(nntp_parse_over(S("42"), &o), 0);
	CU_ASSERT_EQUAL(o.num, 42);
	for (int i = 0; i < NNTP_OV_NFIELDS; i++)
		CU_ASSERT_EQUAL(o.f[i].len, 0);
	CU_ASSERT_FALSE(o.has_bytes);
	CU_ASSERT_FALSE(o.has_lines);
	CU_ASSERT_EQUAL(o.nextra, 0);

	/* Missing trailing fields (no bytes, no lines). */
	CU_ASSERT_EQUAL(nntp_parse_over(S("7\tsubj\tfrom\tdate\t<id@x>\t"), &o), 0);
	CU_ASSERT_TRUE(span_is(o.f[NNTP_OV_MSGID], "<id@x>"));
	CU_ASSERT_EQUAL(o.f[NNTP_OV_REFS].len, 0);
	CU_ASSERT_FALSE(o.has_bytes);
	CU_ASSERT_FALSE(o.has_lines);

	/* Empty fields in the middle. */
	CU_ASSERT_EQUAL(nntp_parse_over(S("8\t\t\t\t<id@x>\t\t\t"), &o), 0);
	CU_ASSERT_EQUAL(o.f[NNTP_OV_SUBJECT].len, 0);
	CU_ASSERT_EQUAL(o.f[NNTP_OV_FROM].len, 0);
	CU_ASSERT_TRUE(span_is(o.f[NNTP_OV_MSGID], "<id@x>"));
	CU_ASSERT_FALSE(o.has_bytes);
	CU_ASSERT_FALSE(o.has_lines);
	CU_ASSERT_EQUAL(o.nextra, 0);

	/* The number is required and must be a number. */
	CU_ASSERT_EQUAL(nntp_parse_over(S(""), &o), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_over(S("\tsubj"), &o), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_over(S("x1\tsubj"), &o), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_over(S("18446744073709551616\ts"), &o), ERR_PROTO);
}

static void test_over_variants(void)
{
	struct nntp_over o;
	struct nntp_span v;

	/* "Bytes:" / "Lines:" labels (old OVERVIEW.FMT), any case. */
	CU_ASSERT_EQUAL(nntp_parse_over(S("1\ts\tf\td\t<i@x>\t\tBytes: 999\tlines: 12"), &o), 0);
	CU_ASSERT_TRUE(o.has_bytes);
	CU_ASSERT_EQUAL(o.bytes, 999);
	CU_ASSERT_TRUE(o.has_lines);
	CU_ASSERT_EQUAL(o.lines, 12);

	/* Garbage in a number field: absent, not an error. */
	CU_ASSERT_EQUAL(nntp_parse_over(S("1\ts\tf\td\t<i@x>\t\tlots\t-3"), &o), 0);
	CU_ASSERT_FALSE(o.has_bytes);
	CU_ASSERT_FALSE(o.has_lines);
	CU_ASSERT_EQUAL(o.bytes, 0);

	/* Several extra headers, one empty. */
	CU_ASSERT_EQUAL(nntp_parse_over(
		S("2\ts\tf\td\t<i@x>\t\t10\t1\tXref: h g:2\t\tX-Foo:bar"), &o), 0);
	CU_ASSERT_EQUAL(o.nextra, 3);
	CU_ASSERT_TRUE(nntp_over_extra(&o, "X-Foo", &v));
	CU_ASSERT_TRUE(span_is(v, "bar"));
	CU_ASSERT_TRUE(nntp_over_extra(&o, "Xref", &v));
	CU_ASSERT_TRUE(span_is(v, "h g:2"));
	CU_ASSERT_FALSE(nntp_over_extra(&o, "X", &v));

	/* An empty extra field after the lines field. */
	CU_ASSERT_EQUAL(nntp_parse_over(S("3\ts\tf\td\t<i@x>\t\t10\t1\t"), &o), 0);
	CU_ASSERT_EQUAL(o.nextra, 1);
	CU_ASSERT_EQUAL(o.extra.len, 0);
	CU_ASSERT_FALSE(nntp_over_extra(&o, "Xref", &v));

	/* Control bytes are kept as data (the printer escapes them). */
	CU_ASSERT_EQUAL(nntp_parse_over(S("4\t\x1b[2J\tf"), &o), 0);
	CU_ASSERT_TRUE(span_is(o.f[NNTP_OV_SUBJECT], "\x1b[2J"));

	/* A long line (64 KiB subject) is fine. */
	static char longline[70000];
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "5\t", 2);
	CU_ASSERT_EQUAL(nntp_parse_over(longline, sizeof(longline), &o), 0);
	CU_ASSERT_EQUAL(o.f[NNTP_OV_SUBJECT].len, sizeof(longline) - 2);
}

static void test_caps(void)
{
	struct nntp_caps c;
	static const char inn[] =
		"VERSION 2\nIMPLEMENTATION INN 2.7.1\nAUTHINFO USER SASL\n"
		"SASL PLAIN\nCOMPRESS DEFLATE\nHDR\nLIST ACTIVE ACTIVE.TIMES "
		"DISTRIB.PATS HEADERS NEWSGROUPS OVERVIEW.FMT\nNEWNEWS\n"
		"OVER\nPOST\nREADER\nSTARTTLS\nXPAT\n";

	nntp_parse_caps(inn, strlen(inn), &c);
	CU_ASSERT_TRUE(c.version2);
	CU_ASSERT_TRUE(c.reader);
	CU_ASSERT_FALSE(c.mode_reader);
	CU_ASSERT_TRUE(c.starttls);
	CU_ASSERT_TRUE(c.authinfo);
	CU_ASSERT_TRUE(c.authinfo_user);
	CU_ASSERT_TRUE(c.over);
	CU_ASSERT_FALSE(c.over_msgid);
	CU_ASSERT_TRUE(c.hdr);
	CU_ASSERT_TRUE(c.list_active);
	CU_ASSERT_TRUE(c.post);
	CU_ASSERT_TRUE(c.compress_deflate);

	static const char transit[] = "VERSION 2 3\r\nIHAVE\r\nmode-reader\r\nOVER MSGID";
	nntp_parse_caps(transit, strlen(transit), &c);
	CU_ASSERT_TRUE(c.version2);
	CU_ASSERT_TRUE(c.mode_reader);
	CU_ASSERT_FALSE(c.reader);
	CU_ASSERT_FALSE(c.starttls);
	CU_ASSERT_TRUE(c.over_msgid);

	/* AUTHINFO without USER (e.g. only SASL, or only after TLS). */
	nntp_parse_caps(S("VERSION 3\nAUTHINFO\nSTARTTLSX\n"), &c);
	CU_ASSERT_FALSE(c.version2);
	CU_ASSERT_TRUE(c.authinfo);
	CU_ASSERT_FALSE(c.authinfo_user);
	CU_ASSERT_FALSE(c.starttls);

	nntp_parse_caps("", 0, &c);
	CU_ASSERT_FALSE(c.reader);
}

static void test_blocks(void)
{
	/* Known commands: only their own code carries a block. */
	CU_ASSERT_TRUE(nntp_has_block("ARTICLE 5", 220));
	CU_ASSERT_FALSE(nntp_has_block("ARTICLE 5", 221));
	CU_ASSERT_FALSE(nntp_has_block("ARTICLE 5", 223));
	CU_ASSERT_TRUE(nntp_has_block("head <a@b>", 221));
	CU_ASSERT_TRUE(nntp_has_block("BODY", 222));
	CU_ASSERT_TRUE(nntp_has_block("LISTGROUP a.b", 211));
	CU_ASSERT_FALSE(nntp_has_block("GROUP a.b", 211));
	CU_ASSERT_TRUE(nntp_has_block("LIST ACTIVE", 215));
	CU_ASSERT_TRUE(nntp_has_block("OVER 1-5", 224));
	CU_ASSERT_TRUE(nntp_has_block("XOVER 1-5", 224));
	CU_ASSERT_TRUE(nntp_has_block("HDR Subject 1-5", 225));
	CU_ASSERT_TRUE(nntp_has_block("XHDR Subject 1-5", 221));
	CU_ASSERT_TRUE(nntp_has_block("NEWNEWS * 20240101 000000", 230));
	CU_ASSERT_TRUE(nntp_has_block("NEWGROUPS 20240101 000000", 231));
	CU_ASSERT_TRUE(nntp_has_block("HELP", 100));
	CU_ASSERT_TRUE(nntp_has_block("CAPABILITIES", 101));
	CU_ASSERT_FALSE(nntp_has_block("DATE", 111));
	CU_ASSERT_FALSE(nntp_has_block("STAT 5", 223));
	CU_ASSERT_FALSE(nntp_has_block("MODE READER", 200));
	/* A hostile 220 to DATE does not make us wait for a block. */
	CU_ASSERT_FALSE(nntp_has_block("DATE", 220));
	CU_ASSERT_FALSE(nntp_has_block("GROUP x", 215));
	/* Errors never carry one. */
	CU_ASSERT_FALSE(nntp_has_block("ARTICLE 5", 423));
	CU_ASSERT_FALSE(nntp_has_block("LIST", 503));
	/* Unknown commands: the RFC 3977 block codes, but not 211. */
	CU_ASSERT_TRUE(nntp_has_block("XFOO", 215));
	CU_ASSERT_TRUE(nntp_has_block("XFOO", 282));
	CU_ASSERT_FALSE(nntp_has_block("XFOO", 211));
	CU_ASSERT_FALSE(nntp_has_block("XFOO", 200));
	CU_ASSERT_FALSE(nntp_has_block("", 500));

	CU_ASSERT_EQUAL(nntp_block_code("  listgroup"), 211);
	CU_ASSERT_EQUAL(nntp_block_code("GROUP x"), 0);
	CU_ASSERT_EQUAL(nntp_block_code("XYZZY"), -1);
	CU_ASSERT_EQUAL(nntp_block_code(""), -1);
}

static void test_date(void)
{
	char out[32];

	CU_ASSERT_EQUAL(nntp_parse_date(S("111 20240229235960"), out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "2024-02-29 23:59:60");
	CU_ASSERT_EQUAL(nntp_parse_date(S("111 2024022923596"), out, sizeof(out)), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_date(S("111 20241329235959"), out, sizeof(out)), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_date(S("111 2024x229235959"), out, sizeof(out)), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_date(S("500 what?"), out, sizeof(out)), ERR_PROTO);
	CU_ASSERT_EQUAL(nntp_parse_date(S("111 20240229235959"), out, 10), ERR_PROTO);
}

static void test_descriptor(void)
{
	const struct proto_scheme *sch = NULL;
	static const struct { const char *scheme; int port; enum tls_mode tls; } want[] = {
		{ "nntp", 119, TLS_AUTO }, { "news", 119, TLS_AUTO },
		{ "nntps", 563, TLS_IMPLICIT }, { "snews", 563, TLS_IMPLICIT },
	};

	proto_register(&nntp_proto);
	CU_ASSERT_STRING_EQUAL(nntp_proto.name, "nntp");
	CU_ASSERT_STRING_EQUAL(nntp_proto.tls_setting, "nntp:tls");
	CU_ASSERT_EQUAL(nntp_proto.style, PP_NNTP);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CU_ASSERT_PTR_EQUAL(proto_by_scheme(want[i].scheme, &sch), &nntp_proto);
		CU_ASSERT_EQUAL(sch->port, want[i].port);
		CU_ASSERT_EQUAL(sch->tls, want[i].tls);
	}
	const struct proto_ops *o = nntp_proto.ops;
	CU_ASSERT_TRUE(o->init && o->free && o->login && o->logout &&
	               o->keepalive && o->location && o->disconnected);

	/* The command table: unique names, usage, help, sane arity. */
	CU_ASSERT_TRUE(nntp_proto.ncmds >= 10);
	for (size_t i = 0; i < nntp_proto.ncmds; i++) {
		const struct cmd_def *d = &nntp_proto.cmds[i];
		CU_ASSERT_PTR_NOT_NULL(d->run);
		CU_ASSERT_TRUE(d->help && *d->help);
		CU_ASSERT_PTR_NOT_NULL(d->args);
		CU_ASSERT_TRUE(d->complete && *d->complete);
		CU_ASSERT_TRUE(d->max_args < 0 || d->min_args <= d->max_args);
		for (size_t j = i + 1; j < nntp_proto.ncmds; j++)
			CU_ASSERT_STRING_NOT_EQUAL(d->name, nntp_proto.cmds[j].name);
		CU_ASSERT_PTR_EQUAL(cmd_proto_lookup(&nntp_proto, d->name), d);
	}
	CU_ASSERT_PTR_NOT_NULL(cmd_proto_lookup(&nntp_proto, "article"));
	CU_ASSERT_PTR_NOT_NULL(cmd_proto_lookup(&nntp_proto, "over"));
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("nntp_parse", NULL, NULL);
	CU_add_test(s, "u64", test_u64);
	CU_add_test(s, "status codes", test_status);
	CU_add_test(s, "211 group", test_group);
	CU_add_test(s, "22x article status", test_article_status);
	CU_add_test(s, "message-id", test_msgid);
	CU_add_test(s, "group names, wildmats", test_group_name);
	CU_add_test(s, "ranges", test_range);
	CU_add_test(s, "overview: full line", test_over_full);
	CU_add_test(s, "overview: missing/empty fields", test_over_missing);
	CU_add_test(s, "overview: variants and extras", test_over_variants);
	CU_add_test(s, "capabilities", test_caps);
	CU_add_test(s, "block codes", test_blocks);
	CU_add_test(s, "date", test_date);
	CU_add_test(s, "descriptor and command table", test_descriptor);
}
