/* test_npost.c - the pure parts of posting (npost.c): Subject "Re: ",
 * References per RFC 5537 3.4.4 and their trimming, the checks before
 * sending, RFC 2047 encoding of header text, the wire form, quoting. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cu_main.h"
#include "err.h"
#include "nmime.h"
#include "npost.h"

#define S(lit) lit, sizeof(lit) - 1

static bool same(struct buf *b, const char *want)
{
	bool ok = buf_avail(b) == strlen(want) && memcmp(buf_peek(b), want, strlen(want)) == 0;
	if (!ok)
		fprintf(stderr, "\n  got [%.*s]\n want [%s]\n", (int)buf_avail(b), buf_peek(b), want);
	return ok;
}

static bool re(const char *in, const char *want)
{
	struct buf b;
	buf_init(&b, 4096);
	bool ok = npost_subject_re(in, strlen(in), &b) == 0 && same(&b, want);
	buf_clear(&b);
	return ok;
}

static void test_subject_re(void)
{
	CU_ASSERT_TRUE(re("hello", "Re: hello"));
	CU_ASSERT_TRUE(re("Re: hello", "Re: hello"));
	CU_ASSERT_TRUE(re("RE: Re: re:hello", "Re: hello"));
	CU_ASSERT_TRUE(re("Re[2]: hello", "Re: hello"));
	CU_ASSERT_TRUE(re("Re^3: Re: hello", "Re: hello"));
	CU_ASSERT_TRUE(re("  Re:   hello", "Re: hello"));
	/* Words that merely start like it stay. */
	CU_ASSERT_TRUE(re("Really: no", "Re: Really: no"));
	CU_ASSERT_TRUE(re("Re[x]: odd", "Re: Re[x]: odd"));
	CU_ASSERT_TRUE(re("Reply", "Re: Reply"));
	CU_ASSERT_TRUE(re("", "Re: "));
}

static bool refs(const char *r, const char *id, int ret, const char *want)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	int got = npost_references(r, strlen(r), id, strlen(id), &b);
	bool ok = got == ret && (ret < 0 || same(&b, want));
	buf_clear(&b);
	return ok;
}

static void test_references(void)
{
	CU_ASSERT_TRUE(refs("", "<a@x>", 0, "<a@x>"));
	CU_ASSERT_TRUE(refs("<a@x> <b@x>", "<c@x>", 0, "<a@x> <b@x> <c@x>"));
	/* Folded, tabs, junk between ids: left out. */
	CU_ASSERT_TRUE(refs("<a@x>\r\n\t<b@x>  junk <c@x", "<d@x>", 0, "<a@x> <b@x> <d@x>"));
	CU_ASSERT_TRUE(refs("<a@x>", "not-an-id", ERR_PROTO, ""));

	/* Trimming: 60 ids of 40 octets; the result stays under 998
	 * octets with "References: ", keeps the first and the last ids,
	 * and drops the oldest after the first. */
	char in[60 * 41 + 1] = "";
	char id[64];
	for (int i = 0; i < 60; i++) {
		snprintf(id, sizeof(id), "<%036d@x>", i);
		strcat(in, i ? " " : "");
		strcat(in, id);
	}
	struct buf b;
	buf_init(&b, 1 << 16);
	CU_ASSERT_EQUAL(npost_references(in, strlen(in), S("<parent@x>"), &b), 0);
	size_t n = buf_avail(&b);
	const char *v = buf_peek(&b);
	CU_ASSERT_TRUE(strlen("References: ") + n <= 998);
	CU_ASSERT_TRUE(strlen("References: ") + n > 998 - 41);
	snprintf(id, sizeof(id), "<%036d@x> ", 0);
	CU_ASSERT_EQUAL(strncmp(v, id, strlen(id)), 0);
	CU_ASSERT_TRUE(n > 10 && memcmp(v + n - 10, "<parent@x>", 10) == 0);
	snprintf(id, sizeof(id), "<%036d@x>", 59);
	CU_ASSERT_PTR_NOT_NULL(strstr(v, id));
	snprintf(id, sizeof(id), "<%036d@x>", 1);
	CU_ASSERT_PTR_NULL(strstr(v, id));
	/* What stays after the first is the newest ones, in order. */
	const char *second = strchr(v, ' ') + 1;
	int k = -1;
	CU_ASSERT_EQUAL(sscanf(second, "<%d@x>", &k), 1);
	CU_ASSERT_TRUE(k > 1);
	buf_clear(&b);
}

static int check(const char *art, const char *why_part)
{
	char why[256] = "";
	int r = npost_check(art, strlen(art), why, sizeof(why));
	if (why_part && !strstr(why, why_part)) {
		fprintf(stderr, "\n  why [%s], want [%s]\n", why, why_part);
		return 99;
	}
	return r;
}

#define HDR "From: a@example\nNewsgroups: test.post\nSubject: s\n"

static void test_check(void)
{
	CU_ASSERT_EQUAL(check(HDR "\nbody\n", NULL), 0);
	CU_ASSERT_EQUAL(check(HDR "X-Folded: one\n two\n\nbody\n", NULL), 0);
	CU_ASSERT_EQUAL(check("From: a@example\r\nNewsgroups: g\r\nSubject: s\r\n\r\nb\r\n",
	                      NULL), 0);
	CU_ASSERT_EQUAL(check("Newsgroups: g\nSubject: s\n\nb\n", "no From:"), ERR_USAGE);
	CU_ASSERT_EQUAL(check("From: a\nSubject: s\n\nb\n", "no Newsgroups:"), ERR_USAGE);
	CU_ASSERT_EQUAL(check("From: a\nNewsgroups: g\nSubject: \n\nb\n",
	                      "Subject: line is empty"), ERR_USAGE);
	CU_ASSERT_EQUAL(check(HDR "Organization:\n\nb\n", "line 4: the Organization: "
	                      "field is empty"), ERR_USAGE);
	CU_ASSERT_EQUAL(check(HDR "no colon here\n\nb\n", "line 4 is not a header"),
	                ERR_USAGE);
	CU_ASSERT_EQUAL(check(HDR "Bad Name: x\n\nb\n", "line 4 is not a header"),
	                ERR_USAGE);
	CU_ASSERT_EQUAL(check(HDR "X-Tight:x\n\nb\n", "a blank must follow"), ERR_USAGE);
	CU_ASSERT_EQUAL(check(" cont\n" HDR "\nb\n", "continuation"), ERR_USAGE);
	CU_ASSERT_EQUAL(check(HDR "body without a blank line\n", "line 4 is not"),
	                ERR_USAGE);
	CU_ASSERT_EQUAL(check(HDR, "no empty line"), ERR_USAGE);
	CU_ASSERT_EQUAL(check(HDR "subject: again\n\nb\n", "line 4: a second Subject: line"),
	                ERR_USAGE);
	CU_ASSERT_EQUAL(check(HDR "X-Same: 1\nX-Same: 2\n\nb\nSubject: body\n", NULL), 0);
	CU_ASSERT_EQUAL(check("", "empty"), ERR_USAGE);
	CU_ASSERT_EQUAL(check(HDR "\nbare\rCR\n", "line 5 holds a CR"), ERR_USAGE);
	char nul[] = HDR "\nnul here\n";
	char why[128];
	nul[strlen(HDR) + 4] = '\0';
	CU_ASSERT_EQUAL(npost_check(nul, sizeof(nul) - 1, why, sizeof(why)), ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "line 5 holds a NUL"));

	/* Body lines: 998 octets pass, 999 are refused with the line. */
	static char art[4096];
	snprintf(art, sizeof(art), HDR "\nfirst\n%0998d\n", 0);
	CU_ASSERT_EQUAL(check(art, NULL), 0);
	snprintf(art, sizeof(art), HDR "\nfirst\n%0999d\n", 0);
	CU_ASSERT_EQUAL(check(art, "line 6 is 999 octets long (998 at most)"), ERR_USAGE);
}

static bool enc(const char *in, const char *want)
{
	struct buf b;
	buf_init(&b, 4096);
	bool ok = npost_encode_header(in, strlen(in), &b) == 0 && same(&b, want);
	buf_clear(&b);
	return ok;
}

/* Encoding then decoding (nmime) gives the text back. */
static bool round_trip(const char *in)
{
	struct buf e, d;
	buf_init(&e, 8192);
	buf_init(&d, 8192);
	bool ok = npost_encode_header(in, strlen(in), &e) == 0 &&
	          nmime_decode_header(buf_peek(&e), buf_avail(&e), &d) == 0 &&
	          same(&d, in);
	/* No encoded line longer than 78 octets, words at most 75. */
	const char *p = buf_peek(&e);
	size_t col = 0;
	for (size_t i = 0; i < buf_avail(&e); i++) {
		col = p[i] == '\n' ? 0 : col + 1;
		if (col > 78)
			ok = false;
		if ((unsigned char)p[i] >= 0x80)
			ok = false;
	}
	buf_clear(&e);
	buf_clear(&d);
	return ok;
}

static void test_encode(void)
{
	CU_ASSERT_TRUE(enc("plain text", "plain text"));
	CU_ASSERT_TRUE(enc("caf\xc3\xa9 au lait", "=?UTF-8?Q?caf=C3=A9?= au lait"));
	CU_ASSERT_TRUE(enc("J\xc3\xb6rg M\xc3\xbcller <j@x>",
	                   "=?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <j@x>"));
	CU_ASSERT_TRUE(enc("a (\xc3\xa9)", "a =?UTF-8?Q?=28=C3=A9=29?="));
	CU_ASSERT_TRUE(round_trip("caf\xc3\xa9 au lait"));
	CU_ASSERT_TRUE(round_trip("\xc3\xa9t\xc3\xa9 \xc3\xa0 la plage, "
	                          "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac \xe2\x82\xac\xe2\x82\xac"
	                          "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac "
	                          "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	                          "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac end"));
}

static bool prep(const char *in, const char *want)
{
	struct buf b;
	buf_init(&b, 8192);
	bool ok = npost_prepare(in, strlen(in), &b) == 0 && same(&b, want);
	buf_clear(&b);
	return ok;
}

static void test_prepare(void)
{
	CU_ASSERT_TRUE(prep(HDR "\nbody\n", HDR "\nbody\n"));
	CU_ASSERT_TRUE(prep("From: Ren\xc3\xa9 <r@x>\nNewsgroups: g\nSubject: s\n\nascii\n",
	                    "From: =?UTF-8?Q?Ren=C3=A9?= <r@x>\nNewsgroups: g\nSubject: s\n"
	                    "\nascii\n"));
	CU_ASSERT_TRUE(prep(HDR "\nna\xc3\xafve\n",
	                    HDR "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
	                    "Content-Transfer-Encoding: 8bit\n\nna\xc3\xafve\n"));
	/* A Content-Type given is the author's: kept. */
	CU_ASSERT_TRUE(prep(HDR "Content-Type: text/plain; charset=ISO-8859-1\n\n\xe9\n",
	                    HDR "Content-Type: text/plain; charset=ISO-8859-1\n\n\xe9\n"));
}

static bool stuff(const char *in, const char *want)
{
	struct buf b;
	buf_init(&b, 4096);
	bool ok = npost_stuff(in, strlen(in), &b) == 0 && same(&b, want);
	buf_clear(&b);
	return ok;
}

static void test_stuff_quote(void)
{
	CU_ASSERT_TRUE(stuff("a\n.\n.dot\n..two\n", "a\r\n..\r\n..dot\r\n...two\r\n.\r\n"));
	CU_ASSERT_TRUE(stuff("crlf\r\nno end", "crlf\r\nno end\r\n.\r\n"));
	CU_ASSERT_TRUE(stuff("", ".\r\n"));

	struct buf b;
	buf_init(&b, 4096);
	CU_ASSERT_EQUAL(npost_quote(S("one\n\n> old\ntwo"), &b), 0);
	CU_ASSERT_TRUE(same(&b, "> one\n>\n>> old\n> two\n"));
	buf_clear(&b);
}

static void test_followup_groups(void)
{
	struct nntp_span g;
	bool poster;
	const char *h = "Newsgroups: a.b,c.d\nFollowup-To: c.d\n\nbody\n";
	CU_ASSERT_TRUE(npost_followup_groups(h, strlen(h), &g, &poster));
	CU_ASSERT_TRUE(g.len == 3 && memcmp(g.p, "c.d", 3) == 0 && !poster);
	h = "Newsgroups: a.b\nFollowup-To: Poster\n\n";
	CU_ASSERT_TRUE(npost_followup_groups(h, strlen(h), &g, &poster));
	CU_ASSERT_TRUE(poster);
	h = "Newsgroups: a.b\n\nFollowup-To: x\n";
	CU_ASSERT_TRUE(npost_followup_groups(h, strlen(h), &g, &poster));
	CU_ASSERT_TRUE(g.len == 3 && memcmp(g.p, "a.b", 3) == 0 && !poster);
	CU_ASSERT_EQUAL(npost_body_offset(h, strlen(h)), 17);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("npost", NULL, NULL);

	CU_add_test(s, "Subject Re:", test_subject_re);
	CU_add_test(s, "References", test_references);
	CU_add_test(s, "checks", test_check);
	CU_add_test(s, "RFC 2047 encoding", test_encode);
	CU_add_test(s, "prepare", test_prepare);
	CU_add_test(s, "stuffing and quoting", test_stuff_quote);
	CU_add_test(s, "followup groups", test_followup_groups);
}
