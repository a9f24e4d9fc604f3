/* test_nthread.c - threading of overview entries and overview dates
 * (nthread.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cu_main.h"
#include "err.h"
#include "nntp.h"
#include "nthread.h"

#define S(lit) lit, sizeof(lit) - 1

/* Overview lines "num\tsubject\tfrom\tdate\tmsgid\trefs", parsed in place
 * (the strings must outlive the entries). */
static struct nntp_over *parse_lines(const char *const *lines, size_t n)
{
	struct nntp_over *ov = calloc(n ? n : 1, sizeof(*ov));

	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(nntp_parse_over(lines[i], strlen(lines[i]), &ov[i]), 0);
	return ov;
}

/* Every article exactly once; parents before children, one level up;
 * dummies are roots with two children or more; threads are runs that
 * start at a root. */
static void check_invariants(const struct nthread *t, size_t n)
{
	size_t nrows;
	const struct nthread_row *rows = nthread_rows(t, &nrows);
	unsigned char *seen = calloc(n ? n : 1, 1);
	size_t *kids = calloc(nrows ? nrows : 1, sizeof(size_t));

	CU_ASSERT_TRUE(nrows >= n);
	for (size_t i = 0; i < nrows; i++) {
		const struct nthread_row *r = &rows[i];

		if (r->art != NTHREAD_NONE) {
			CU_ASSERT_TRUE_FATAL(r->art < n);
			CU_ASSERT_EQUAL(seen[r->art], 0);
			seen[r->art] = 1;
			CU_ASSERT_EQUAL(nthread_row_of(t, r->art), i);
			CU_ASSERT_EQUAL(r->first, r->art);
		} else {
			CU_ASSERT_EQUAL(r->depth, 0);
			CU_ASSERT_TRUE(r->first < n);
		}
		if (r->depth == 0) {
			CU_ASSERT_EQUAL(r->parent, NTHREAD_NONE);
			CU_ASSERT_TRUE(i == 0 || rows[i - 1].thread + 1 == r->thread);
		} else {
			CU_ASSERT_TRUE_FATAL(r->parent < i);
			CU_ASSERT_EQUAL(rows[r->parent].depth + 1, r->depth);
			CU_ASSERT_EQUAL(rows[r->parent].thread, r->thread);
			kids[r->parent]++;
		}
	}
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(seen[i], 1);
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].art == NTHREAD_NONE)
			CU_ASSERT_TRUE(kids[i] >= 2);
	free(seen);
	free(kids);
}

/* The display as text: prefix, then the article number or "*" for a
 * dummy, one row a line. */
static char *render(const struct nthread *t, const struct nntp_over *ov, bool ascii)
{
	size_t nrows, len = 0;
	const struct nthread_row *rows = nthread_rows(t, &nrows);
	char *s = malloc(nrows * (NTHREAD_PREFIX_SIZE + 24) + 1);

	s[0] = '\0';
	for (size_t i = 0; i < nrows; i++) {
		char pfx[NTHREAD_PREFIX_SIZE];

		nthread_prefix(t, i, ascii, pfx, sizeof(pfx));
		if (rows[i].art == NTHREAD_NONE)
			len += (size_t)sprintf(s + len, "%s*\n", pfx);
		else
			len += (size_t)sprintf(s + len, "%s%llu\n", pfx,
			                       (unsigned long long)ov[rows[i].art].num);
	}
	return s;
}

/* Thread lines, check the invariants, compare the drawing. */
static void expect_tree(const char *const *lines, size_t n, bool ascii, const char *want)
{
	struct nntp_over *ov = parse_lines(lines, n);
	struct nthread *t = NULL;

	CU_ASSERT_EQUAL_FATAL(nthread_new(&t, ov, n), 0);
	check_invariants(t, n);
	char *got = render(t, ov, ascii);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nwant:\n%sgot:\n%s", want, got);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	nthread_free(t);
	free(ov);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_date(void)
{
	int64_t t = -1;

	CU_ASSERT_EQUAL(nthread_parse_date(S("Tue, 03 Jan 2023 10:00:00 +0100"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672736400);
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Jan 2023 10:00 GMT"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672740000);
	CU_ASSERT_EQUAL(nthread_parse_date(S("Tue, 3 Jan 23 10:00:00 EST"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672758000);
	CU_ASSERT_EQUAL(nthread_parse_date(S("Tue, 3 Jan 123 10:00:00 -0500"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672758000);
	CU_ASSERT_EQUAL(nthread_parse_date(S("  03 jan 2023 10 : 00 : 00 -0000 (CET)"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672740000);
	CU_ASSERT_EQUAL(nthread_parse_date(S("Tue, 3 Jan 2023 10:00:00 +01:00"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672736400);
	/* No zone: UTC; unknown and military zones: +0000 (RFC 5322 4.3). */
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Jan 2023 10:00:00"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672740000);
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Jan 2023 10:00:00 CET"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672740000);
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Jan 2023 10:00:00 A"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672740000);
	/* Full names, a comment before, trailing junk after the zone. */
	CU_ASSERT_EQUAL(nthread_parse_date(S("(x) Tuesday, 3 January 2023 11:00:00 +0100 CET"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672740000);
	/* RFC 850 and asctime. */
	CU_ASSERT_EQUAL(nthread_parse_date(S("Saturday, 01-Jan-83 00:00:00 GMT"), &t), 0);
	CU_ASSERT_EQUAL(t, 410227200);
	CU_ASSERT_EQUAL(nthread_parse_date(S("Tue Jan  3 10:00:00 2023"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672740000);
	CU_ASSERT_EQUAL(nthread_parse_date(S("Tue Jan 3 05:00:00 EST 2023"), &t), 0);
	CU_ASSERT_EQUAL(t, 1672740000);
	/* Leap day, a leap second, the last second of 1999. */
	CU_ASSERT_EQUAL(nthread_parse_date(S("Thu, 29 Feb 2024 12:00:00 +0000"), &t), 0);
	CU_ASSERT_EQUAL(t, 1709208000);
	CU_ASSERT_EQUAL(nthread_parse_date(S("31 Dec 1999 23:59:59 +0000"), &t), 0);
	CU_ASSERT_EQUAL(t, 946684799);
	CU_ASSERT_EQUAL(nthread_parse_date(S("31 Dec 1999 23:59:60 +0000"), &t), 0);
	CU_ASSERT_EQUAL(t, 946684800);

	t = 7;
	CU_ASSERT_EQUAL(nthread_parse_date(S(""), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("yesterday"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("29 Feb 2023 12:00:00"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("32 Jan 2023 12:00:00"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Jan 2023 24:00:00"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Jan 2023 10:60"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Jan 2023"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Ja 2023 10:00"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Jank 2023 10:00"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("3 Jan 20231 10:00"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("003 Jan 2023 10:00"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(nthread_parse_date(S("2023-01-03T10:00:00Z"), &t), ERR_PROTO);
	CU_ASSERT_EQUAL(t, 7);
	/* The length bounds the parse. */
	CU_ASSERT_EQUAL(nthread_parse_date("3 Jan 2023 10:00:00", 10, &t), ERR_PROTO);
}

static bool base_is(const char *subject, const char *want, bool want_reply)
{
	struct nntp_span s = { subject, strlen(subject) };
	bool reply;
	struct nntp_span b = nthread_subject_base(s, &reply);

	return reply == want_reply && b.len == strlen(want) && memcmp(b.p, want, b.len) == 0;
}

static void test_subject_base(void)
{
	CU_ASSERT_TRUE(base_is("Plan", "Plan", false));
	CU_ASSERT_TRUE(base_is("  Plan  ", "Plan", false));
	CU_ASSERT_TRUE(base_is("Re: Plan", "Plan", true));
	CU_ASSERT_TRUE(base_is("RE: Plan", "Plan", true));
	CU_ASSERT_TRUE(base_is("re:Plan", "Plan", true));
	CU_ASSERT_TRUE(base_is("Re[2]: Plan", "Plan", true));
	CU_ASSERT_TRUE(base_is("Re^3: Plan", "Plan", true));
	CU_ASSERT_TRUE(base_is("Fwd: Re: Fw: Plan", "Plan", true));
	CU_ASSERT_TRUE(base_is("Sv: SV: Aw: AW: Plan", "Plan", true));
	CU_ASSERT_TRUE(base_is("Re: Re: Re: ", "", true));
	/* Not prefixes. */
	CU_ASSERT_TRUE(base_is("Reply: Plan", "Reply: Plan", false));
	CU_ASSERT_TRUE(base_is("Re[: Plan", "Re[: Plan", false));
	CU_ASSERT_TRUE(base_is("Re[2 Plan", "Re[2 Plan", false));
	CU_ASSERT_TRUE(base_is("Re", "Re", false));
	CU_ASSERT_TRUE(base_is("Re :Plan", "Re :Plan", false));
	CU_ASSERT_TRUE(base_is("Plan Re: x", "Plan Re: x", false));
}

/* A thread of two levels with a missing parent in the middle, a missing
 * root with two replies (a dummy) and with one (promoted). */
static void test_missing_parents(void)
{
	static const char *const lines[] = {
		"10\tPlan\ta\t2 Jan 2023 10:00:00 +0000\t<p1@x>\t",
		"11\tRe: Plan\tb\t2 Jan 2023 10:01:00 +0000\t<c1@x>\t<p1@x>",
		"12\tRe: Plan\tc\t2 Jan 2023 10:02:00 +0000\t<c2@x>\t<p1@x> <c1@x>",
		"13\tRe: Plan\td\t2 Jan 2023 10:03:00 +0000\t<c3@x>\t<p1@x> <gone@x>",
		"14\tRe: Plan\te\t2 Jan 2023 10:04:00 +0000\t<c4@x>\t<p1@x> <gone@x>",
		"20\tRe: Lost\tf\t3 Jan 2023 10:00:00 +0000\t<m1@y>\t<lost@y>",
		"21\tRe: Lost\tg\t3 Jan 2023 10:01:00 +0000\t<m2@y>\t<lost@y>",
		"30\tRe: Alone\th\t4 Jan 2023 10:00:00 +0000\t<s1@y>\t<older@y> <gone2@y>",
	};

	expect_tree(lines, N(lines), false,
	            "10\n"
	            "\u251c\u2500>11\n"
	            "\u2502 \u2514\u2500>12\n"
	            "\u251c\u2500>13\n"
	            "\u2514\u2500>14\n"
	            "*\n"
	            "\u251c\u2500>20\n"
	            "\u2514\u2500>21\n"
	            "30\n");
	expect_tree(lines, N(lines), true,
	            "10\n|->11\n| `->12\n|->13\n`->14\n*\n|->20\n`->21\n30\n");

	/* The dummy stands for its first child; a reply that came before
	 * its parent still goes under it. */
	static const char *const late[] = {
		"2\tRe: Late\ta\t2 Jan 2023 10:05:00 +0000\t<r@x>\t<o@x>",
		"1\tLate\tb\t2 Jan 2023 10:00:00 +0000\t<o@x>\t",
	};
	expect_tree(late, N(late), true, "1\n`->2\n");
}

static void test_subjects(void)
{
	/* One original: every reply without References goes under it. */
	static const char *const one[] = {
		"30\tMeeting\ta\t1 Jan 2023 10:00:00 +0000\t<a@x>\t",
		"31\tRe: Meeting\tb\t1 Jan 2023 10:01:00 +0000\t<b@x>\t",
		"32\tRE: Meeting\tc\t1 Jan 2023 10:02:00 +0000\t<c@x>\t",
		"33\tAw: Meeting\td\t1 Jan 2023 10:03:00 +0000\t<d@x>\t",
		"34\tSv: Re[2]: Meeting\te\t1 Jan 2023 10:04:00 +0000\t<e@x>\t",
	};
	expect_tree(one, N(one), true, "30\n|->31\n|->32\n|->33\n`->34\n");

	/* Two originals, or replies only: siblings under a dummy.  A reply
	 * with References keeps to them even when its subject matches. */
	static const char *const two[] = {
		"40\tLunch\ta\t2 Jan 2023 12:00:00 +0000\t<l1@x>\t",
		"41\tLunch\tb\t2 Jan 2023 12:01:00 +0000\t<l2@x>\t",
		"42\tRe: Lunch\tc\t2 Jan 2023 12:02:00 +0000\t<l3@x>\t",
		"50\tRe: Fire\td\t3 Jan 2023 12:00:00 +0000\t<f1@x>\t",
		"51\tRe: Fire\te\t3 Jan 2023 12:01:00 +0000\t<f2@x>\t",
		"60\tTopic\tf\t4 Jan 2023 12:00:00 +0000\t<t1@x>\t",
		"61\tRe: Topic\tg\t4 Jan 2023 12:01:00 +0000\t<t2@x>\t<lost@z>",
		"70\t\th\t5 Jan 2023 12:00:00 +0000\t<e1@x>\t",
		"71\tRe:\ti\t5 Jan 2023 12:01:00 +0000\t<e2@x>\t",
	};
	expect_tree(two, N(two), true,
	            "*\n|->40\n|->41\n`->42\n"
	            "*\n|->50\n`->51\n"
	            "60\n61\n70\n71\n");
}

static void test_loops(void)
{
	/* a and b name each other, c names itself, d-e-f go round. */
	static const char *const lines[] = {
		"1\ta\tx\t1 Jan 2023 10:00:00 +0000\t<a@x>\t<b@x>",
		"2\tb\tx\t1 Jan 2023 10:01:00 +0000\t<b@x>\t<a@x>",
		"3\tc\tx\t1 Jan 2023 10:02:00 +0000\t<c@x>\t<c@x>",
		"4\td\tx\t1 Jan 2023 10:03:00 +0000\t<d@x>\t<f@x>",
		"5\te\tx\t1 Jan 2023 10:04:00 +0000\t<e@x>\t<d@x>",
		"6\tf\tx\t1 Jan 2023 10:05:00 +0000\t<f@x>\t<e@x>",
	};
	expect_tree(lines, N(lines), true, "1\n`->2\n3\n4\n`->5\n  `->6\n");

	/* Dummies named in both orders: the second order is refused; a
	 * chain through oneself skips oneself. */
	static const char *const dummies[] = {
		"1\tx\tx\t1 Jan 2023 10:00:00 +0000\t<x@x>\t<p@x> <q@x>",
		"2\ty\tx\t1 Jan 2023 10:01:00 +0000\t<y@x>\t<q@x> <p@x>",
		"3\tz\tx\t1 Jan 2023 10:02:00 +0000\t<z@x>\t<u@x> <z@x> <v@x>",
		"4\tw\tx\t1 Jan 2023 10:03:00 +0000\t<w@x>\t<v@x> <u@x> <z@x> <w@x> <z@x>",
	};
	expect_tree(dummies, N(dummies), true, "*\n|->1\n`->2\n3\n`->4\n");

	/* A loop of three dummies: broken at the first one's link. */
	static const char *const ring[] = {
		"1\tx\tx\t1 Jan 2023 10:00:00 +0000\t<1@x>\t<p@x> <q@x>",
		"2\ty\tx\t1 Jan 2023 10:01:00 +0000\t<2@x>\t<q@x> <r@x>",
		"3\tz\tx\t1 Jan 2023 10:02:00 +0000\t<3@x>\t<r@x> <p@x>",
	};
	expect_tree(ring, N(ring), true, "*\n|->1\n|->2\n`->3\n");
}

static void test_ids(void)
{
	/* The second <d@x> is its own message; replies go to the first.
	 * Missing and invalid ids still show. */
	static const char *const lines[] = {
		"1\tFirst\tx\t1 Jan 2023 10:00:00 +0000\t<d@x>\t",
		"2\tSecond\tx\t1 Jan 2023 10:01:00 +0000\t<d@x>\t",
		"3\tRe: First\tx\t1 Jan 2023 10:02:00 +0000\t<r@x>\t<d@x>",
		"4\tNo id\tx\t1 Jan 2023 10:03:00 +0000\t\t",
		"5\tBad id\tx\t1 Jan 2023 10:04:00 +0000\t<a b@x>\t",
		"6\tRe: Bad id\tx\t1 Jan 2023 10:05:00 +0000\t<c@x>\t<a b@x>",
		"7\tJunk refs\tx\t1 Jan 2023 10:06:00 +0000\t <j@x> \t,<<d@x>>,x<",
		"8\tNo blanks\tx\t1 Jan 2023 10:07:00 +0000\t<k@x>\t<d@x><r@x>",
	};
	/* 6 names only an invalid id: it has no References, so its subject
	 * puts it under 5.  7 finds <d@x> in its junk; 8 reads two ids
	 * without a blank between. */
	expect_tree(lines, N(lines), true,
	            "1\n|->3\n| `->8\n`->7\n2\n4\n5\n`->6\n");
}

static void test_many_refs(void)
{
	/* 5000 references, all missing: only the first and the last
	 * NTHREAD_REFS_MAX - 1 are used; both articles share the last. */
	size_t cap = 5000 * 24 + 256;
	char *a = malloc(cap), *b = malloc(cap);
	size_t len = (size_t)sprintf(a, "1\tRe: many\tx\t1 Jan 2023 10:00:00 +0000\t<m1@x>\t");

	for (int i = 0; i < 5000; i++)
		len += (size_t)sprintf(a + len, "<r%d@x> ", i);
	snprintf(b, cap, "2\tRe: many\tx\t1 Jan 2023 10:01:00 +0000\t<m2@x>\t<r0@x> <r4999@x>");
	const char *lines[] = { a, b };
	expect_tree(lines, 2, true, "*\n|->1\n`->2\n");
	free(a);
	free(b);
}

static void test_sort(void)
{
	/* Siblings by date, then number; a date that does not parse counts
	 * as 1970.  Threads by their root's date. */
	static const char *const lines[] = {
		"5\tB\tx\t2 Jan 2023 10:00:00 +0000\t<b@x>\t",
		"1\tA\tx\t3 Jan 2023 10:00:00 +0000\t<a@x>\t",
		"9\tRe: A\tx\t3 Jan 2023 12:00:00 +0000\t<a3@x>\t<a@x>",
		"8\tRe: A\tx\t3 Jan 2023 11:00:00 +0000\t<a2@x>\t<a@x>",
		"7\tRe: A\tx\t3 Jan 2023 11:00:00 +0000\t<a1@x>\t<a@x>",
		"6\tRe: A\tx\tsoon\t<a0@x>\t<a@x>",
	};
	expect_tree(lines, N(lines), true, "5\n1\n|->6\n|->7\n|->8\n`->9\n");
}

static bool bitmap_read(uint64_t num, void *arg)
{
	const unsigned char *read = arg;

	return num < 64 && read[num];
}

static void test_lookup(void)
{
	static const char *const lines[] = {
		"10\tPlan\ta\t2 Jan 2023 10:00:00 +0000\t<p1@x>\t",
		"11\tRe: Plan\tb\t2 Jan 2023 10:01:00 +0000\t<c1@x>\t<p1@x>",
		"12\tRe: Plan\tc\t2 Jan 2023 10:02:00 +0000\t<c2@x>\t<p1@x> <c1@x>",
		"20\tRe: Lost\tf\t3 Jan 2023 10:00:00 +0000\t<m1@y>\t<lost@y>",
		"21\tRe: Lost\tg\t3 Jan 2023 10:01:00 +0000\t<m2@y>\t<lost@y>",
		"30\tOther\th\t4 Jan 2023 10:00:00 +0000\t<s1@y>\t",
		"30\tSame number\th\t4 Jan 2023 10:01:00 +0000\t<s2@y>\t",
	};
	struct nntp_over *ov = parse_lines(lines, N(lines));
	struct nthread *t;
	size_t first, count, nrows;
	unsigned char read[64] = { 0 };

	CU_ASSERT_EQUAL_FATAL(nthread_new(&t, ov, N(lines)), 0);
	const struct nthread_row *rows = nthread_rows(t, &nrows);
	CU_ASSERT_EQUAL(nrows, 8);   /* 7 articles and the dummy of <lost@y> */

	CU_ASSERT_EQUAL(nthread_find(t, 12), 2);
	CU_ASSERT_EQUAL(nthread_find(t, 21), 5);
	CU_ASSERT_EQUAL(nthread_find(t, 30), 6);   /* the first 30 */
	CU_ASSERT_EQUAL(nthread_find(t, 13), NTHREAD_NONE);
	CU_ASSERT_EQUAL(nthread_find(t, 0), NTHREAD_NONE);
	CU_ASSERT_EQUAL(nthread_find(t, UINT64_MAX), NTHREAD_NONE);
	CU_ASSERT_EQUAL(nthread_row_of(t, 99), NTHREAD_NONE);

	CU_ASSERT_EQUAL(nthread_thread_of(t, 11, &first, &count), 0);
	CU_ASSERT_EQUAL(first, 0);
	CU_ASSERT_EQUAL(count, 3);
	CU_ASSERT_EQUAL(nthread_thread_of(t, 20, &first, &count), 0);
	CU_ASSERT_EQUAL(first, 3);
	CU_ASSERT_EQUAL(count, 3);
	CU_ASSERT_EQUAL(rows[3].art, NTHREAD_NONE);
	CU_ASSERT_EQUAL(rows[3].first, 3);          /* stands for article 20 */
	CU_ASSERT_EQUAL(nthread_thread_of(t, 30, &first, &count), 0);
	CU_ASSERT_EQUAL(first, 6);
	CU_ASSERT_EQUAL(count, 1);
	CU_ASSERT_EQUAL(nthread_thread_of(t, 99, &first, &count), ERR_NOTFOUND);

	/* Next unread: dummies skipped, read articles skipped, within a
	 * thread or across them. */
	read[10] = read[12] = read[20] = 1;
	CU_ASSERT_EQUAL(nthread_next_unread(t, NTHREAD_NONE, false, bitmap_read, read), 1);
	CU_ASSERT_EQUAL(nthread_next_unread(t, 1, false, bitmap_read, read), 5);
	CU_ASSERT_EQUAL(nthread_next_unread(t, 1, true, bitmap_read, read), NTHREAD_NONE);
	CU_ASSERT_EQUAL(nthread_next_unread(t, 3, true, bitmap_read, read), 5);
	CU_ASSERT_EQUAL(nthread_next_unread(t, 5, true, bitmap_read, read), NTHREAD_NONE);
	CU_ASSERT_EQUAL(nthread_next_unread(t, 5, false, bitmap_read, read), 6);
	CU_ASSERT_EQUAL(nthread_next_unread(t, 7, false, bitmap_read, read), NTHREAD_NONE);
	CU_ASSERT_EQUAL(nthread_next_unread(t, 8, false, bitmap_read, read), NTHREAD_NONE);
	read[11] = read[21] = read[30] = 1;
	CU_ASSERT_EQUAL(nthread_next_unread(t, NTHREAD_NONE, false, bitmap_read, read), NTHREAD_NONE);

	nthread_free(t);
	nthread_free(NULL);
	free(ov);

	/* No articles at all. */
	CU_ASSERT_EQUAL_FATAL(nthread_new(&t, NULL, 0), 0);
	rows = nthread_rows(t, &nrows);
	CU_ASSERT_EQUAL(nrows, 0);
	CU_ASSERT_EQUAL(nthread_find(t, 1), NTHREAD_NONE);
	CU_ASSERT_EQUAL(nthread_next_unread(t, NTHREAD_NONE, false, bitmap_read, read), NTHREAD_NONE);
	nthread_free(t);
}

/* Chain overview lines: article i (numbered from `num`) replies to the one
 * before it, naming the root first as trimmed References do. */
static void chain_lines(char **lines, size_t n, uint64_t num, const char *tag)
{
	for (size_t i = 0; i < n; i++) {
		char refs[64] = "";

		if (i == 1)
			snprintf(refs, sizeof(refs), "<%s0@x>", tag);
		else if (i > 1)
			snprintf(refs, sizeof(refs), "<%s0@x> <%s%zu@x>", tag, tag, i - 1);
		lines[i] = malloc(160);
		snprintf(lines[i], 160, "%llu\tRe: chain\tx\t1 Jan 2023 %02zu:%02zu:%02zu +0000\t<%s%zu@x>\t%s",
		         (unsigned long long)(num + i), i / 3600 % 24, i / 60 % 60, i % 60, tag, i, refs);
	}
}

static void test_prefix(void)
{
	enum { DEEP = 40 };
	char *lines[DEEP];
	struct nntp_over *ov;
	struct nthread *t;
	size_t nrows;
	char pfx[NTHREAD_PREFIX_SIZE], small[8];

	chain_lines(lines, DEEP, 1, "d");
	ov = parse_lines((const char *const *)lines, DEEP);
	CU_ASSERT_EQUAL_FATAL(nthread_new(&t, ov, DEEP), 0);
	const struct nthread_row *rows = nthread_rows(t, &nrows);
	CU_ASSERT_EQUAL(rows[DEEP - 1].depth, DEEP - 1);
	CU_ASSERT_EQUAL(nthread_prefix(t, 0, true, pfx, sizeof(pfx)), 0);
	CU_ASSERT_STRING_EQUAL(pfx, "");
	CU_ASSERT_EQUAL(nthread_prefix(t, 2, true, pfx, sizeof(pfx)), 5);
	CU_ASSERT_STRING_EQUAL(pfx, "  `->");
	/* Deep rows draw the NTHREAD_DRAW_LEVELS levels nearest them. */
	size_t len = nthread_prefix(t, DEEP - 1, true, pfx, sizeof(pfx));
	CU_ASSERT_EQUAL(len, (NTHREAD_DRAW_LEVELS - 1) * 2 + 3);
	CU_ASSERT_EQUAL(strlen(pfx), len);
	/* UTF-8 at the deepest fits NTHREAD_PREFIX_SIZE (chains draw "  ",
	 * so measure a worst case by hand: "│ " at every level). */
	CU_ASSERT_EQUAL(nthread_prefix(t, DEEP - 1, false, pfx, sizeof(pfx)),
	                (NTHREAD_DRAW_LEVELS - 1) * 2 + 7);
	/* A short buffer cuts at a glyph: "  " "  " fit 8 bytes, "  " more
	 * would leave no room for the NUL. */
	CU_ASSERT_EQUAL(nthread_prefix(t, DEEP - 1, true, small, sizeof(small)), 6);
	CU_ASSERT_STRING_EQUAL(small, "      ");
	CU_ASSERT_EQUAL(nthread_prefix(t, DEEP - 1, true, small, 0), 0);
	CU_ASSERT_EQUAL(nthread_prefix(t, nrows, true, pfx, sizeof(pfx)), 0);
	CU_ASSERT_STRING_EQUAL(pfx, "");
	nthread_free(t);
	free(ov);
	for (size_t i = 0; i < DEEP; i++)
		free(lines[i]);

	/* Every level with a later sibling: the widest drawing. */
	enum { WIDE = NTHREAD_DRAW_LEVELS + 4 };
	char *w[2 * WIDE];
	for (size_t i = 0; i < WIDE; i++) {
		char refs[32] = "";

		if (i)
			snprintf(refs, sizeof(refs), "<w%zu@x>", i - 1);
		w[2 * i] = malloc(128);
		snprintf(w[2 * i], 128, "%zu\tw%zu\tx\t1 Jan 2023 10:00:00 +0000\t<w%zu@x>\t%s",
		         2 * i + 1, i, i, refs);
		/* A later sibling of w<i> (same parent, later date). */
		w[2 * i + 1] = malloc(128);
		snprintf(w[2 * i + 1], 128, "%zu\tv%zu\tx\t1 Jan 2023 11:00:00 +0000\t<v%zu@x>\t%s",
		         2 * i + 2, i, i, refs);
	}
	ov = parse_lines((const char *const *)w, 2 * WIDE);
	CU_ASSERT_EQUAL_FATAL(nthread_new(&t, ov, 2 * WIDE), 0);
	check_invariants(t, 2 * WIDE);
	size_t deepest = nthread_row_of(t, 2 * (WIDE - 1));
	rows = nthread_rows(t, &nrows);
	CU_ASSERT_EQUAL(rows[deepest].depth, WIDE - 1);
	len = nthread_prefix(t, deepest, false, pfx, sizeof(pfx));
	CU_ASSERT_EQUAL(len, NTHREAD_PREFIX_SIZE - 1);
	CU_ASSERT_EQUAL(memcmp(pfx, "\u2502 \u2502 ", 8), 0);
	CU_ASSERT_STRING_EQUAL(pfx + len - 7, "\u251c\u2500>");
	nthread_free(t);
	free(ov);
	for (size_t i = 0; i < 2 * WIDE; i++)
		free(w[i]);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 100k articles: a chain of 50k and a fan of 50k under one root.  Built
 * and drawn in a fraction of a second; a quadratic step would take
 * minutes and trip the test's ctest TIMEOUT.  The time is printed, not
 * asserted: speed is measured in bench/, never by a timed assertion,
 * which fails on a loaded machine for no fault of the code. */
static void test_big(void)
{
	enum { HALF = 50000 };
	char **lines = malloc(2 * HALF * sizeof(*lines));
	struct nntp_over *ov;
	struct nthread *t;
	size_t nrows, first, count;
	char pfx[NTHREAD_PREFIX_SIZE];
	double t0;

	chain_lines(lines, HALF, 1, "c");
	for (size_t i = 0; i < HALF; i++) {
		lines[HALF + i] = malloc(160);
		snprintf(lines[HALF + i], 160,
		         "%zu\tRe: fan\tx\t2 Jan 2023 %02zu:%02zu:%02zu +0000\t<f%zu@x>\t%s",
		         HALF + 1 + i, i / 3600 % 24, i / 60 % 60, i % 60, i, i ? "<f0@x>" : "");
	}
	ov = parse_lines((const char *const *)lines, 2 * HALF);
	t0 = now();
	CU_ASSERT_EQUAL_FATAL(nthread_new(&t, ov, 2 * HALF), 0);
	const struct nthread_row *rows = nthread_rows(t, &nrows);
	size_t total = 0;
	for (size_t i = 0; i < nrows; i++)
		total += nthread_prefix(t, i, false, pfx, sizeof(pfx));
	double dt = now() - t0;
	fprintf(stderr, " [100k articles: %.3f s] ", dt);
	CU_ASSERT_TRUE(total > 0);

	CU_ASSERT_EQUAL(nrows, 2 * HALF);
	CU_ASSERT_EQUAL(rows[HALF - 1].depth, HALF - 1);
	CU_ASSERT_EQUAL(nthread_thread_of(t, HALF, &first, &count), 0);
	CU_ASSERT_EQUAL(first, 0);
	CU_ASSERT_EQUAL(count, HALF);
	CU_ASSERT_EQUAL(nthread_thread_of(t, HALF + 7, &first, &count), 0);
	CU_ASSERT_EQUAL(first, HALF);
	CU_ASSERT_EQUAL(count, HALF);
	CU_ASSERT_EQUAL(rows[2 * HALF - 1].depth, 1);
	CU_ASSERT_TRUE(rows[2 * HALF - 1].last);
	check_invariants(t, 2 * HALF);
	nthread_free(t);
	free(ov);
	for (size_t i = 0; i < 2 * HALF; i++)
		free(lines[i]);
	free(lines);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("nthread", NULL, NULL);

	CU_add_test(s, "date", test_date);
	CU_add_test(s, "subject base", test_subject_base);
	CU_add_test(s, "missing parents", test_missing_parents);
	CU_add_test(s, "subjects", test_subjects);
	CU_add_test(s, "loops", test_loops);
	CU_add_test(s, "ids", test_ids);
	CU_add_test(s, "many references", test_many_refs);
	CU_add_test(s, "sort", test_sort);
	CU_add_test(s, "lookup", test_lookup);
	CU_add_test(s, "prefix", test_prefix);
	CU_add_test(s, "100k articles", test_big);
}
