/* test_newsrc.c - article-number sets and the .newsrc file (newsrc.c). */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cu_main.h"
#include "err.h"
#include "newsrc.h"

#define S(lit) lit, sizeof(lit) - 1
#define MAXA NRANGE_ART_MAX
/* Items in a 1 MB line of odd numbers. */
#define BIG 170000

/* ---- helpers ----------------------------------------------------------- */

/* The canonical text of a set (static buffer, for comparisons). */
static const char *fmt(const struct nrange_set *s)
{
	static char text[4096];
	struct buf b;

	buf_init(&b, sizeof(text) - 1);
	if (nrange_format(s, &b) < 0)
		return "(too long)";
	snprintf(text, sizeof(text), "%.*s", (int)buf_avail(&b), buf_peek(&b));
	buf_clear(&b);
	return text;
}

/* Parse text into s and return its canonical form ("ERR" on error). */
static const char *canon(const char *text)
{
	struct nrange_set s;

	nrange_init(&s);
	if (nrange_parse(&s, text, strlen(text)) < 0)
		return "ERR";
	const char *r = fmt(&s);
	nrange_clear(&s);
	return r;
}

/* The whole file nr would write (heap; *len set). */
static char *file_text(const struct newsrc *nr, size_t *len)
{
	struct buf b;

	buf_init(&b, NEWSRC_MAX_BYTES);
	CU_ASSERT_EQUAL(newsrc_format(nr, &b), 0);
	*len = buf_avail(&b);
	char *p = malloc(*len + 1);
	memcpy(p, buf_peek(&b), *len);
	p[*len] = '\0';
	buf_clear(&b);
	return p;
}

static bool text_is(const struct newsrc *nr, const char *want)
{
	size_t len;
	char *got = file_text(nr, &len);
	bool ok = len == strlen(want) && memcmp(got, want, len) == 0;
	if (!ok)
		fprintf(stderr, "\n got: [%s]\nwant: [%s]\n", got, want);
	free(got);
	return ok;
}

/* Parse text, format it back unchanged: byte for byte the same. */
static bool round_trip(const char *text, size_t len)
{
	struct newsrc nr;
	size_t olen;

	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_parse(&nr, text, len), 0);
	char *out = file_text(&nr, &olen);
	bool ok = olen == len && memcmp(out, text, len) == 0 && !nr.dirty;
	free(out);
	newsrc_clear(&nr);
	return ok;
}

/* ---- sets -------------------------------------------------------------- */

static void test_set_parse(void)
{
	CU_ASSERT_STRING_EQUAL(canon("1-10,12,15-20"), "1-10,12,15-20");
	CU_ASSERT_STRING_EQUAL(canon(""), "");
	CU_ASSERT_STRING_EQUAL(canon("   "), "");
	CU_ASSERT_STRING_EQUAL(canon("7"), "7");
	CU_ASSERT_STRING_EQUAL(canon("3-3"), "3");
	CU_ASSERT_STRING_EQUAL(canon(" 1-5 , 7\t"), "1-5,7");
	CU_ASSERT_STRING_EQUAL(canon("007"), "7");
	/* Unsorted, overlapping, adjacent, duplicated: merged. */
	CU_ASSERT_STRING_EQUAL(canon("15-20,1-10,5-12,13,21"), "1-13,15-21");
	CU_ASSERT_STRING_EQUAL(canon("1-3,4-6"), "1-6");
	CU_ASSERT_STRING_EQUAL(canon("9,7,5,3,1"), "1,3,5,7,9");
	CU_ASSERT_STRING_EQUAL(canon("5,5,5"), "5");
	CU_ASSERT_STRING_EQUAL(canon("1-100,50-60"), "1-100");
	/* Article 0 does not exist; a reversed range adds nothing. */
	CU_ASSERT_STRING_EQUAL(canon("0"), "");
	CU_ASSERT_STRING_EQUAL(canon("0-5"), "1-5");
	CU_ASSERT_STRING_EQUAL(canon("5-3"), "");
	CU_ASSERT_STRING_EQUAL(canon("5-3,7"), "7");
	CU_ASSERT_STRING_EQUAL(canon("1-0"), "");
	/* 2^63-1 is the largest article number. */
	CU_ASSERT_STRING_EQUAL(canon("9223372036854775807"), "9223372036854775807");
	CU_ASSERT_STRING_EQUAL(canon("1-9223372036854775807"), "1-9223372036854775807");
}

static void test_set_garbage(void)
{
	static const char *bad[] = {
		"1--2", "-5", "5-", "a", "1,,2", "1,", ",1", "1 2", "+1", "1-2-3",
		"1;2", "1-a", "0x10", "1,2,", "9223372036854775808",
		"1-9223372036854775808", "18446744073709551616",
		"99999999999999999999999999", "1 -2", "1- 2", "\xff", "1\r",
	};
	struct nrange_set s;

	nrange_init(&s);
	CU_ASSERT_EQUAL(nrange_parse(&s, S("3-4")), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = nrange_parse(&s, bad[i], strlen(bad[i]));
		if (err != ERR_PROTO)
			fprintf(stderr, "\naccepted: [%s]\n", bad[i]);
		CU_ASSERT_EQUAL(err, ERR_PROTO);
		/* Unchanged on error. */
		CU_ASSERT_STRING_EQUAL(fmt(&s), "3-4");
	}
	/* The length bounds the parse: "12" of "12x". */
	CU_ASSERT_EQUAL(nrange_parse(&s, "12x", 2), 0);
	CU_ASSERT_STRING_EQUAL(fmt(&s), "12");
	nrange_clear(&s);
}

static void test_set_add(void)
{
	struct nrange_set s;

	nrange_init(&s);
	CU_ASSERT_EQUAL(nrange_add(&s, 5), 1);
	CU_ASSERT_EQUAL(nrange_add(&s, 5), 0);
	CU_ASSERT_EQUAL(nrange_add(&s, 7), 1);
	CU_ASSERT_STRING_EQUAL(fmt(&s), "5,7");
	CU_ASSERT_EQUAL(nrange_add(&s, 6), 1);          /* joins both sides */
	CU_ASSERT_STRING_EQUAL(fmt(&s), "5-7");
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(nrange_add(&s, 1), 1);          /* in front */
	CU_ASSERT_EQUAL(nrange_add(&s, 100), 1);        /* at the end */
	CU_ASSERT_EQUAL(nrange_add(&s, 50), 1);         /* in the middle */
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1,5-7,50,100");
	CU_ASSERT_EQUAL(nrange_add(&s, 4), 1);          /* adjacent below */
	CU_ASSERT_EQUAL(nrange_add(&s, 8), 1);          /* adjacent above */
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1,4-8,50,100");
	CU_ASSERT_EQUAL(nrange_add_range(&s, 2, 60), 1); /* swallows several */
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1-60,100");
	CU_ASSERT_EQUAL(nrange_add_range(&s, 10, 20), 0);
	CU_ASSERT_EQUAL(nrange_add_range(&s, 61, 99), 1);
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1-100");
	CU_ASSERT_EQUAL(s.n, 1);
	/* Bounds. */
	CU_ASSERT_EQUAL(nrange_add(&s, 0), ERR_USAGE);
	CU_ASSERT_EQUAL(nrange_add(&s, MAXA + 1), ERR_USAGE);
	CU_ASSERT_EQUAL(nrange_add(&s, UINT64_MAX), ERR_USAGE);
	CU_ASSERT_EQUAL(nrange_add_range(&s, 5, 4), ERR_USAGE);
	CU_ASSERT_EQUAL(nrange_add(&s, MAXA), 1);
	CU_ASSERT_EQUAL(nrange_add(&s, MAXA - 1), 1);
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1-100,9223372036854775806-9223372036854775807");
	CU_ASSERT_EQUAL(nrange_add_range(&s, 101, MAXA - 2), 1);
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1-9223372036854775807");
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(nrange_add(&s, MAXA), 0);
	nrange_clear(&s);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_PTR_NULL(s.v);
}

static void test_set_has(void)
{
	struct nrange_set s;

	nrange_init(&s);
	CU_ASSERT_FALSE(nrange_has(&s, 1));
	CU_ASSERT_EQUAL(nrange_parse(&s, S("1-10,12,15-20,9223372036854775807")), 0);
	CU_ASSERT_FALSE(nrange_has(&s, 0));
	CU_ASSERT_TRUE(nrange_has(&s, 1));
	CU_ASSERT_TRUE(nrange_has(&s, 10));
	CU_ASSERT_FALSE(nrange_has(&s, 11));
	CU_ASSERT_TRUE(nrange_has(&s, 12));
	CU_ASSERT_FALSE(nrange_has(&s, 13));
	CU_ASSERT_FALSE(nrange_has(&s, 14));
	CU_ASSERT_TRUE(nrange_has(&s, 15));
	CU_ASSERT_TRUE(nrange_has(&s, 20));
	CU_ASSERT_FALSE(nrange_has(&s, 21));
	CU_ASSERT_FALSE(nrange_has(&s, MAXA - 1));
	CU_ASSERT_TRUE(nrange_has(&s, MAXA));
	CU_ASSERT_FALSE(nrange_has(&s, MAXA + 1));
	CU_ASSERT_FALSE(nrange_has(&s, UINT64_MAX));
	nrange_clear(&s);
}

static void test_set_unread(void)
{
	struct nrange_set s;

	nrange_init(&s);
	CU_ASSERT_EQUAL(nrange_unread(&s, 1, 10), 10);
	CU_ASSERT_EQUAL(nrange_unread(&s, 5, 4), 0);    /* an empty group */
	CU_ASSERT_EQUAL(nrange_unread(&s, 0, 0), 0);    /* "211 0 0 0" */
	CU_ASSERT_EQUAL(nrange_unread(&s, 0, 3), 3);
	CU_ASSERT_EQUAL(nrange_unread(&s, 1, MAXA), MAXA);
	CU_ASSERT_EQUAL(nrange_unread(&s, 1, UINT64_MAX), MAXA);
	CU_ASSERT_EQUAL(nrange_parse(&s, S("1-10,12,15-20")), 0);
	/* The server holds 5..22: 11, 13, 14, 21, 22 unread. */
	CU_ASSERT_EQUAL(nrange_unread(&s, 5, 22), 5);
	CU_ASSERT_EQUAL(nrange_unread(&s, 1, 20), 3);
	CU_ASSERT_EQUAL(nrange_unread(&s, 12, 12), 0);
	CU_ASSERT_EQUAL(nrange_unread(&s, 11, 11), 1);
	CU_ASSERT_EQUAL(nrange_unread(&s, 21, 30), 10);
	/* Expired articles below first do not count. */
	CU_ASSERT_EQUAL(nrange_unread(&s, 100, 200), 101);
	CU_ASSERT_EQUAL(nrange_parse(&s, S("1-9223372036854775806")), 0);
	CU_ASSERT_EQUAL(nrange_unread(&s, 1, MAXA), 1);
	CU_ASSERT_EQUAL(nrange_unread(&s, MAXA, MAXA), 1);
	nrange_clear(&s);
}

static void test_set_catchup(void)
{
	struct nrange_set s;

	nrange_init(&s);
	CU_ASSERT_EQUAL(nrange_catchup(&s, 0), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(nrange_catchup(&s, 20), 1);
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1-20");
	CU_ASSERT_EQUAL(nrange_catchup(&s, 20), 0);
	CU_ASSERT_EQUAL(nrange_catchup(&s, 10), 0);
	CU_ASSERT_EQUAL(nrange_parse(&s, S("12-15,30,40-50")), 0);
	CU_ASSERT_EQUAL(nrange_catchup(&s, 20), 1);
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1-20,30,40-50");
	CU_ASSERT_EQUAL(nrange_catchup(&s, 29), 1);     /* joins 30 */
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1-30,40-50");
	CU_ASSERT_EQUAL(nrange_catchup(&s, 45), 1);
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1-50");
	CU_ASSERT_EQUAL(nrange_unread(&s, 1, 50), 0);
	CU_ASSERT_EQUAL(nrange_catchup(&s, MAXA), 1);
	CU_ASSERT_STRING_EQUAL(fmt(&s), "1-9223372036854775807");
	CU_ASSERT_EQUAL(nrange_catchup(&s, MAXA + 1), ERR_USAGE);
	nrange_clear(&s);
}

static void test_set_iter(void)
{
	struct nrange_set s;
	struct nrange_iter it;
	uint64_t n, lo, hi, got[16];
	size_t k = 0;

	nrange_init(&s);
	CU_ASSERT_EQUAL(nrange_parse(&s, S("1-10,12,15-20")), 0);
	nrange_iter_init(&it, &s, 8, 22);
	while (k < 16 && nrange_iter_next(&it, &n))
		got[k++] = n;
	CU_ASSERT_EQUAL(k, 5);
	CU_ASSERT_EQUAL(got[0], 11);
	CU_ASSERT_EQUAL(got[1], 13);
	CU_ASSERT_EQUAL(got[2], 14);
	CU_ASSERT_EQUAL(got[3], 21);
	CU_ASSERT_EQUAL(got[4], 22);
	CU_ASSERT_FALSE(nrange_iter_next(&it, &n));

	/* Runs, for OVER lo-hi. */
	nrange_iter_init(&it, &s, 1, 30);
	CU_ASSERT_TRUE(nrange_iter_span(&it, &lo, &hi));
	CU_ASSERT(lo == 11 && hi == 11);
	CU_ASSERT_TRUE(nrange_iter_span(&it, &lo, &hi));
	CU_ASSERT(lo == 13 && hi == 14);
	CU_ASSERT_TRUE(nrange_iter_span(&it, &lo, &hi));
	CU_ASSERT(lo == 21 && hi == 30);
	CU_ASSERT_FALSE(nrange_iter_span(&it, &lo, &hi));

	/* Mixed. */
	nrange_iter_init(&it, &s, 13, 16);
	CU_ASSERT_TRUE(nrange_iter_next(&it, &n));
	CU_ASSERT_EQUAL(n, 13);
	CU_ASSERT_TRUE(nrange_iter_span(&it, &lo, &hi));
	CU_ASSERT(lo == 14 && hi == 14);
	CU_ASSERT_FALSE(nrange_iter_next(&it, &n));

	/* Nothing unread, an empty range, everything read. */
	nrange_iter_init(&it, &s, 1, 10);
	CU_ASSERT_FALSE(nrange_iter_next(&it, &n));
	nrange_iter_init(&it, &s, 5, 4);
	CU_ASSERT_FALSE(nrange_iter_span(&it, &lo, &hi));

	/* At the top of the number space: no wrap-around. */
	nrange_clear(&s);
	nrange_iter_init(&it, &s, MAXA - 1, UINT64_MAX);
	CU_ASSERT_TRUE(nrange_iter_next(&it, &n));
	CU_ASSERT_EQUAL(n, MAXA - 1);
	CU_ASSERT_TRUE(nrange_iter_next(&it, &n));
	CU_ASSERT_EQUAL(n, MAXA);
	CU_ASSERT_FALSE(nrange_iter_next(&it, &n));
	CU_ASSERT_EQUAL(nrange_add(&s, MAXA), 1);
	nrange_iter_init(&it, &s, MAXA - 2, MAXA);
	CU_ASSERT_TRUE(nrange_iter_span(&it, &lo, &hi));
	CU_ASSERT(lo == MAXA - 2 && hi == MAXA - 1);
	CU_ASSERT_FALSE(nrange_iter_span(&it, &lo, &hi));
	nrange_clear(&s);
}

/* A line of n items "1,3,5,..." (or descending), as tin writes for a big
 * group read here and there. */
static char *odd_list(size_t n, bool descending, size_t *len)
{
	struct buf b;

	buf_init(&b, (size_t)-1 / 4);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = descending ? 2 * (n - i) - 1 : 2 * i + 1;
		buf_appendf(&b, "%s%llu", i ? "," : "", (unsigned long long)v);
	}
	*len = buf_avail(&b);
	char *p = malloc(*len + 1);
	memcpy(p, buf_peek(&b), *len);
	p[*len] = '\0';
	buf_clear(&b);
	return p;
}

static void test_set_limits(void)
{
	struct nrange_set s;
	size_t len;
	clock_t t0 = clock();

	nrange_init(&s);
	/* A 1 MB line, in order and reversed (sorted once, not per item). */
	char *p = odd_list(BIG, false, &len);
	CU_ASSERT(len > 1000000);
	CU_ASSERT_EQUAL(nrange_parse(&s, p, len), 0);
	CU_ASSERT_EQUAL(s.n, BIG);
	CU_ASSERT_EQUAL(nrange_unread(&s, 1, 2 * BIG), BIG);
	free(p);
	p = odd_list(BIG, true, &len);
	CU_ASSERT_EQUAL(nrange_parse(&s, p, len), 0);
	CU_ASSERT_EQUAL(s.n, BIG);
	CU_ASSERT_TRUE(nrange_has(&s, 2 * BIG - 1));
	CU_ASSERT_FALSE(nrange_has(&s, 2 * BIG - 2));
	free(p);
	/* Quadratic work would take minutes; linear takes milliseconds. */
	CU_ASSERT((double)(clock() - t0) / CLOCKS_PER_SEC < 10.0);

	/* More than NRANGE_MAX intervals: refused, the set unchanged. */
	p = odd_list(NRANGE_MAX + 1, false, &len);
	CU_ASSERT_EQUAL(nrange_parse(&s, p, len), ERR_TOOLONG);
	CU_ASSERT_EQUAL(s.n, BIG);
	/* Exactly NRANGE_MAX: accepted; one more interval is refused, a
	 * number that merges is not. */
	char *comma = p + len;
	while (*--comma != ',')
		;
	CU_ASSERT_EQUAL(nrange_parse(&s, p, (size_t)(comma - p)), 0);
	CU_ASSERT_EQUAL(s.n, NRANGE_MAX);
	CU_ASSERT_EQUAL(nrange_add(&s, 2 * (uint64_t)NRANGE_MAX + 5), ERR_TOOLONG);
	CU_ASSERT_EQUAL(nrange_add(&s, 2), 1);
	CU_ASSERT_EQUAL(s.n, NRANGE_MAX - 1);
	free(p);
	nrange_clear(&s);
}

/* ---- the file in memory ------------------------------------------------ */

/* As slrn writes it. */
static const char slrn_sample[] =
	"comp.lang.c: 1-181432,181435,181440-181502\n"
	"comp.os.linux.misc! 1-5\n"
	"news.announce.newusers:\n"
	"alt.test! 1-2300,2302\n"
	"de.comp.os.unix.linux.misc: 1-1000000\n";

/* As tin writes it: an options line at the top (kept from rn), a
 * subscribed group with a trailing blank and nothing read. */
static const char tin_sample[] =
	"options -n all !alt.binaries.all\n"
	"comp.lang.c: 1-181432,181435,181440-181502\n"
	"gmane.comp.lib.gnutls.devel: 1-3521,3523-3530\n"
	"news.software.readers: \n"
	"alt.binaries.test! 1-9223372036854775807\n";

static void test_file_round_trip(void)
{
	CU_ASSERT_TRUE(round_trip(S(slrn_sample)));
	CU_ASSERT_TRUE(round_trip(S(tin_sample)));
	CU_ASSERT_TRUE(round_trip(S("")));
	CU_ASSERT_TRUE(round_trip(S("\n\n")));
	CU_ASSERT_TRUE(round_trip(S("a: 1\r\nb! 2-3\r\n")));
	CU_ASSERT_TRUE(round_trip(S("a: 1\nb: 2")));       /* no final newline */
	CU_ASSERT_TRUE(round_trip(S("a: 3,1,2\n")));       /* kept as written */
	CU_ASSERT_TRUE(round_trip(S("a: 1\0x\nb: \xff\n")));

	struct newsrc nr;
	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S(tin_sample)), 0);
	CU_ASSERT_EQUAL(nr.ngroups, 4);
	CU_ASSERT_EQUAL(nr.ndup, 0);
	CU_ASSERT_EQUAL(nr.nbad, 0);
	const struct newsrc_group *g = newsrc_find(&nr, "comp.lang.c");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_TRUE(g->subscribed);
	CU_ASSERT_TRUE(nrange_has(&g->read, 181435));
	CU_ASSERT_EQUAL(nrange_unread(&g->read, 181000, 181510), 2 + 4 + 8);
	g = newsrc_find(&nr, "news.software.readers");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_TRUE(g->subscribed);
	CU_ASSERT_EQUAL(g->read.n, 0);
	g = newsrc_find(&nr, "alt.binaries.test");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_FALSE(g->subscribed);
	CU_ASSERT_TRUE(nrange_has(&g->read, MAXA));
	CU_ASSERT_PTR_NULL(newsrc_find(&nr, "options -n all !alt.binaries.all"));
	CU_ASSERT_PTR_NULL(newsrc_find(&nr, "options"));
	CU_ASSERT_PTR_NULL(newsrc_find(&nr, "comp.lang"));
	/* Order: as in the file. */
	CU_ASSERT_STRING_EQUAL(nr.groups[0]->name, "comp.lang.c");
	CU_ASSERT_STRING_EQUAL(nr.groups[3]->name, "alt.binaries.test");
	newsrc_clear(&nr);
}

static void test_file_edit_in_place(void)
{
	struct newsrc nr;

	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S(
		"options -n all\n"
		"# my groups\n"
		"comp.lang.c: 1-10,12\n"
		"\n"
		"# old ones\n"
		"misc.test! 3,1-2\n"
		"this line: is not a group\n")), 0);
	CU_ASSERT_EQUAL(nr.ngroups, 2);
	CU_ASSERT_FALSE(nr.dirty);
	/* Nothing new: not dirty. */
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "comp.lang.c", 5, 7), 0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "comp.lang.c", true), 0);
	CU_ASSERT_EQUAL(newsrc_catchup(&nr, "misc.test", 2), 0);
	CU_ASSERT_FALSE(nr.dirty);
	/* One change: that line only is rewritten. */
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "comp.lang.c", 11, 11), 0);
	CU_ASSERT_TRUE(nr.dirty);
	CU_ASSERT_TRUE(text_is(&nr,
		"options -n all\n"
		"# my groups\n"
		"comp.lang.c: 1-12\n"
		"\n"
		"# old ones\n"
		"misc.test! 3,1-2\n"
		"this line: is not a group\n"));
	/* Subscribing, new groups appended in order. */
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "misc.test", true), 0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "alt.new", true), 0);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "alt.seen", 4, 9), 0);
	CU_ASSERT_EQUAL(newsrc_catchup(&nr, "alt.caught", 300), 0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "comp.lang.c", false), 0);
	CU_ASSERT_TRUE(text_is(&nr,
		"options -n all\n"
		"# my groups\n"
		"comp.lang.c! 1-12\n"
		"\n"
		"# old ones\n"
		"misc.test: 1-3\n"
		"this line: is not a group\n"
		"alt.new:\n"
		"alt.seen! 4-9\n"
		"alt.caught! 1-300\n"));
	CU_ASSERT_EQUAL(nr.ngroups, 5);
	CU_ASSERT_STRING_EQUAL(nr.groups[4]->name, "alt.caught");
	/* Catching up on nothing changes nothing. */
	CU_ASSERT_EQUAL(newsrc_catchup(&nr, "alt.nothing", 0), 0);
	CU_ASSERT_PTR_NULL(newsrc_find(&nr, "alt.nothing"));
	/* Names and numbers checked. */
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "bad name", true), ERR_USAGE);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "", true), ERR_USAGE);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "a:b", true), ERR_USAGE);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "a!b", 1, 1), ERR_USAGE);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "alt.new", 0, 1), ERR_USAGE);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "alt.new", 3, 2), ERR_USAGE);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "alt.new", 1, MAXA + 1), ERR_USAGE);
	CU_ASSERT_EQUAL(newsrc_catchup(&nr, "bad name", 0), ERR_USAGE);
	CU_ASSERT_EQUAL(nr.ngroups, 5);
	newsrc_clear(&nr);
}

static void test_file_duplicates(void)
{
	struct newsrc nr;

	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S(
		"a.b: 1-5\n"
		"c.d! 7\n"
		"a.b! 1-100\n")), 0);
	CU_ASSERT_EQUAL(nr.ngroups, 2);
	CU_ASSERT_EQUAL(nr.ndup, 1);
	const struct newsrc_group *g = newsrc_find(&nr, "a.b");
	CU_ASSERT_TRUE(g->subscribed);
	CU_ASSERT_STRING_EQUAL(fmt(&g->read), "1-5");
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "a.b", 6, 6), 0);
	CU_ASSERT_TRUE(text_is(&nr, "a.b: 1-6\nc.d! 7\na.b! 1-100\n"));
	newsrc_clear(&nr);
}

static void test_file_bad_lines(void)
{
	struct newsrc nr;

	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S(
		"a.b: 1-5,abc\n"
		"huge: 1-99999999999999999999\n"
		"rev: 5-3\n"
		"dash: 1--2\n"
		"zero! 0\n"
		"ok: 1\n")), 0);
	CU_ASSERT_EQUAL(nr.ngroups, 6);
	CU_ASSERT_EQUAL(nr.nbad, 3);
	CU_ASSERT_TRUE(newsrc_find(&nr, "a.b")->bad);
	CU_ASSERT_TRUE(newsrc_find(&nr, "huge")->bad);
	CU_ASSERT_TRUE(newsrc_find(&nr, "dash")->bad);
	CU_ASSERT_FALSE(newsrc_find(&nr, "rev")->bad);
	CU_ASSERT_EQUAL(newsrc_find(&nr, "rev")->read.n, 0);
	CU_ASSERT_EQUAL(newsrc_find(&nr, "zero")->read.n, 0);
	/* Marking in a bad group is refused and says why; the group is not
	 * added a second time. */
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "a.b", 6, 6), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(nr.why, "a.b"));
	CU_ASSERT_EQUAL(newsrc_catchup(&nr, "huge", 10), ERR_LOCAL);
	CU_ASSERT_EQUAL(nr.ngroups, 6);
	CU_ASSERT_FALSE(nr.dirty);
	/* Its mark may change: the rest of the line is kept. */
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "a.b", false), 0);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "rev", 2, 2), 0);
	CU_ASSERT_TRUE(text_is(&nr,
		"a.b! 1-5,abc\n"
		"huge: 1-99999999999999999999\n"
		"rev: 2\n"
		"dash: 1--2\n"
		"zero! 0\n"
		"ok: 1\n"));
	newsrc_clear(&nr);
}

static void test_file_line_ends(void)
{
	struct newsrc nr;

	/* CRLF: read alike, kept, and used for added lines. */
	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S("a: 1-5\r\n# c\r\nb! 3\r\n")), 0);
	CU_ASSERT_STRING_EQUAL(fmt(&newsrc_find(&nr, "a")->read), "1-5");
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "a", 6, 6), 0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "n", true), 0);
	CU_ASSERT_TRUE(text_is(&nr, "a: 1-6\r\n# c\r\nb! 3\r\nn:\r\n"));

	/* No final newline: kept while the last line is untouched. */
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S("a: 1\nb: 2")), 0);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "a", 2, 2), 0);
	CU_ASSERT_TRUE(text_is(&nr, "a: 1-2\nb: 2"));
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "c", 5, 5), 0);
	CU_ASSERT_TRUE(text_is(&nr, "a: 1-2\nb: 2\nc! 5\n"));
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S("# only a comment")), 0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "x", true), 0);
	CU_ASSERT_TRUE(text_is(&nr, "# only a comment\nx:\n"));
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S("a: 1")), 0);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "a", 2, 2), 0);
	CU_ASSERT_TRUE(text_is(&nr, "a: 1-2\n"));

	/* A last line ending in CR alone (a CRLF file cut short). */
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S("a: 1\r")), 0);
	CU_ASSERT_FALSE(newsrc_find(&nr, "a")->bad);
	CU_ASSERT_TRUE(round_trip(S("a: 1\r")));
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "b", true), 0);
	CU_ASSERT_TRUE(text_is(&nr, "a: 1\r\nb:\n"));
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "a", 2, 2), 0);
	CU_ASSERT_TRUE(text_is(&nr, "a: 1-2\r\nb:\n"));
	/* A CR inside a line is not a line end. */
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S("a: 1\r2\n")), 0);
	CU_ASSERT_TRUE(newsrc_find(&nr, "a")->bad);
	/* Mixed ends: an added line takes the first line's. */
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S("a: 1\nb: 2\r\n")), 0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "c", true), 0);
	CU_ASSERT_TRUE(text_is(&nr, "a: 1\nb: 2\r\nc:\n"));
	newsrc_clear(&nr);
}

static void test_file_hostile(void)
{
	struct newsrc nr;
	size_t len;

	newsrc_init(&nr);
	/* Lines that only look like groups are kept verbatim. */
	CU_ASSERT_EQUAL(newsrc_parse(&nr, S(
		": 1-5\n"
		"! 1\n"
		"a b: 1\n"
		"wild*card: 1\n"
		"tab\tname! 2\n"
		"nul\0name: 3\n"
		"ctl\x01: 4\n")), 0);
	CU_ASSERT_EQUAL(nr.ngroups, 0);

	/* A 1 MB line of ranges (tin writes such lines), and a 1 MB line
	 * of garbage. */
	char *list = odd_list(BIG, false, &len);
	char *text = malloc(len + 64);
	int n = snprintf(text, len + 64, "big.group: %s\nok: 1\n", list);
	CU_ASSERT_EQUAL(newsrc_parse(&nr, text, (size_t)n), 0);
	const struct newsrc_group *g = newsrc_find(&nr, "big.group");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(g->read.n, BIG);
	CU_ASSERT_FALSE(g->bad);
	CU_ASSERT_TRUE(round_trip(text, (size_t)n));
	/* The line rewritten: sorted, merged, the same bytes here. */
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "big.group", 1, 1), 0);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "big.group", 2, 2), 0);
	CU_ASSERT_EQUAL(newsrc_find(&nr, "big.group")->read.n, BIG - 1);
	memset(text + 11, 'x', len);
	CU_ASSERT_EQUAL(newsrc_parse(&nr, text, (size_t)n), 0);
	CU_ASSERT_TRUE(newsrc_find(&nr, "big.group")->bad);
	CU_ASSERT_TRUE(round_trip(text, (size_t)n));
	free(text);
	free(list);

	/* Over NEWSRC_MAX_BYTES: refused. */
	CU_ASSERT_EQUAL(newsrc_parse(&nr, "", NEWSRC_MAX_BYTES + 1), ERR_TOOLONG);
	CU_ASSERT_EQUAL(nr.ngroups, 0);
	newsrc_clear(&nr);
}

/* ---- the file on disk -------------------------------------------------- */

static char tdir[] = "/tmp/ferry-newsrc-XXXXXX";

/* A path in the test folder (a ring of buffers: a test uses at most 16). */
static char *tpath(const char *leaf)
{
	static char p[16][256];
	static int k;
	k = (k + 1) % 16;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tdir, leaf);
	return p[k];
}

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static bool file_is(const char *path, const char *want)
{
	char got[4096];
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(got, 1, sizeof(got), f);
	fclose(f);
	return n == strlen(want) && memcmp(got, want, n) == 0;
}

/* Entries in the test folder (a temporary file left behind shows). */
static int entries(void)
{
	DIR *d = opendir(tdir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

static int suite_init(void)
{
	return mkdtemp(tdir) ? 0 : -1;
}

static int suite_clean(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_disk_missing(void)
{
	struct newsrc nr;
	char *path = tpath("missing");

	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_load(path, &nr), 0);
	CU_ASSERT_EQUAL(nr.ngroups, 0);
	/* Nothing changed: nothing written. */
	CU_ASSERT_EQUAL(newsrc_save(&nr, path), 0);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	/* A new file: mode 0600 whatever the umask. */
	mode_t um = umask(0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "misc.test", true), 0);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "misc.test", 1, 3), 0);
	CU_ASSERT_EQUAL(newsrc_save(&nr, path), 0);
	umask(um);
	CU_ASSERT_FALSE(nr.dirty);
	struct stat st;
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	CU_ASSERT_TRUE(file_is(path, "misc.test: 1-3\n"));
	CU_ASSERT_EQUAL(entries(), 1);
	newsrc_clear(&nr);
	unlink(path);
}

static void test_disk_save(void)
{
	struct newsrc nr;
	struct stat st, st2;
	char *path = tpath("newsrc");

	put(path, tin_sample, 0644);
	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_load(path, &nr), 0);
	CU_ASSERT_EQUAL(nr.ngroups, 4);
	CU_ASSERT_EQUAL(stat(path, &st), 0);

	/* Unchanged in memory: the file is not rewritten (same inode, same
	 * time), even after changes that change nothing. */
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "comp.lang.c", true), 0);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "comp.lang.c", 5, 5), 0);
	CU_ASSERT_EQUAL(newsrc_save(&nr, path), 0);
	CU_ASSERT_EQUAL(stat(path, &st2), 0);
	CU_ASSERT_EQUAL(st.st_ino, st2.st_ino);
	CU_ASSERT(st.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
	          st.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);

	/* Changed: a new file (atomic rename), the mode kept, the bytes
	 * exact, no temporary file left. */
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "comp.lang.c", 181433, 181434), 0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "alt.new", true), 0);
	CU_ASSERT_EQUAL(newsrc_save(&nr, path), 0);
	CU_ASSERT_EQUAL(stat(path, &st2), 0);
	CU_ASSERT_NOT_EQUAL(st.st_ino, st2.st_ino);
	CU_ASSERT_EQUAL(st2.st_mode & 07777, 0644);
	CU_ASSERT_TRUE(file_is(path,
		"options -n all !alt.binaries.all\n"
		"comp.lang.c: 1-181435,181440-181502\n"
		"gmane.comp.lib.gnutls.devel: 1-3521,3523-3530\n"
		"news.software.readers: \n"
		"alt.binaries.test! 1-9223372036854775807\n"
		"alt.new:\n"));
	CU_ASSERT_EQUAL(entries(), 1);

	/* Saved again after more changes: nr knows the file it wrote. */
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "alt.new", false), 0);
	CU_ASSERT_EQUAL(newsrc_save(&nr, path), 0);
	CU_ASSERT_EQUAL(stat(path, &st2), 0);
	CU_ASSERT_EQUAL(st2.st_mode & 07777, 0644);

	/* Read back: the same state. */
	struct newsrc again;
	newsrc_init(&again);
	CU_ASSERT_EQUAL(newsrc_load(path, &again), 0);
	CU_ASSERT_EQUAL(again.ngroups, 5);
	CU_ASSERT_FALSE(newsrc_find(&again, "alt.new")->subscribed);
	CU_ASSERT_EQUAL(nrange_unread(&newsrc_find(&again, "comp.lang.c")->read, 1, 181440), 4);
	newsrc_clear(&again);
	newsrc_clear(&nr);
	unlink(path);
}

static void test_disk_changed_meanwhile(void)
{
	struct newsrc nr;
	char *path = tpath("shared");

	put(path, "a: 1\n", 0600);
	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_load(path, &nr), 0);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "a", 2, 2), 0);
	/* Another newsreader writes the file meanwhile. */
	put(path, "a: 1-50\nb: 1\n", 0600);
	CU_ASSERT_EQUAL(newsrc_save(&nr, path), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(nr.why, "changed"));
	CU_ASSERT_TRUE(file_is(path, "a: 1-50\nb: 1\n"));
	CU_ASSERT_TRUE(nr.dirty);
	CU_ASSERT_EQUAL(entries(), 1);
	/* Removed meanwhile: not silently made again either. */
	unlink(path);
	CU_ASSERT_EQUAL(newsrc_save(&nr, path), ERR_LOCAL);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	/* Appeared meanwhile where there was none. */
	CU_ASSERT_EQUAL(newsrc_load(path, &nr), 0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "x", true), 0);
	put(path, "y: 1\n", 0600);
	CU_ASSERT_EQUAL(newsrc_save(&nr, path), ERR_LOCAL);
	CU_ASSERT_TRUE(file_is(path, "y: 1\n"));
	newsrc_clear(&nr);
	unlink(path);
}

static void test_disk_symlink(void)
{
	struct newsrc nr;
	struct stat st;
	char *link = tpath("link");
	char *real = tpath("real");
	char *sub = tpath("sub");
	char *sublink = tpath("sub/link2");

	/* A relative link, through a second link in another folder. */
	put(real, "a: 1\n", 0640);
	CU_ASSERT_EQUAL(mkdir(sub, 0700), 0);
	CU_ASSERT_EQUAL(symlink("../real", sublink), 0);
	CU_ASSERT_EQUAL(symlink("sub/link2", link), 0);
	newsrc_init(&nr);
	CU_ASSERT_EQUAL(newsrc_load(link, &nr), 0);
	CU_ASSERT_EQUAL(nr.ngroups, 1);
	CU_ASSERT_EQUAL(newsrc_mark_read(&nr, "a", 2, 2), 0);
	CU_ASSERT_EQUAL(newsrc_save(&nr, link), 0);
	CU_ASSERT_EQUAL(lstat(link, &st), 0);
	CU_ASSERT_TRUE(S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(lstat(sublink, &st), 0);
	CU_ASSERT_TRUE(S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(lstat(real, &st), 0);
	CU_ASSERT_TRUE(S_ISREG(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0640);
	CU_ASSERT_TRUE(file_is(real, "a: 1-2\n"));
	CU_ASSERT_EQUAL(entries(), 3);
	unlink(real);

	/* A dangling link: an empty newsrc; saving makes its target. */
	CU_ASSERT_EQUAL(newsrc_load(link, &nr), 0);
	CU_ASSERT_EQUAL(nr.ngroups, 0);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "b", true), 0);
	CU_ASSERT_EQUAL(newsrc_save(&nr, link), 0);
	CU_ASSERT_EQUAL(lstat(link, &st), 0);
	CU_ASSERT_TRUE(S_ISLNK(st.st_mode));
	CU_ASSERT_TRUE(file_is(real, "b:\n"));

	/* A loop of links: refused with a reason. */
	char *l1 = tpath("loop1"), *l2 = tpath("loop2");
	CU_ASSERT_EQUAL(symlink("loop2", l1), 0);
	CU_ASSERT_EQUAL(symlink("loop1", l2), 0);
	CU_ASSERT_EQUAL(newsrc_load(l1, &nr), ERR_LOCAL);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "b", true), 0);
	CU_ASSERT_EQUAL(newsrc_save(&nr, l1), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(nr.why, "/loop"));
	newsrc_clear(&nr);
	unlink(l1);
	unlink(l2);
	unlink(real);
	unlink(sublink);
	unlink(link);
	rmdir(sub);
}

static void test_disk_errors(void)
{
	struct newsrc nr;
	char *file = tpath("plain");
	char *dir = tpath("adir");
	char *fifo = tpath("fifo");

	newsrc_init(&nr);
	put(file, "a: 1\n", 0600);
	/* Unreadable: a path through a file (ENOTDIR; root reads 0000). */
	CU_ASSERT_EQUAL(newsrc_load(tpath("plain/x"), &nr), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(nr.why, "plain/x: "));
	if (geteuid() != 0) {
		chmod(file, 0);
		CU_ASSERT_EQUAL(newsrc_load(file, &nr), ERR_LOCAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(nr.why, "ermission"));
		chmod(file, 0600);
	}
	/* Not a regular file: a folder, a FIFO (without hanging). */
	CU_ASSERT_EQUAL(mkdir(dir, 0700), 0);
	CU_ASSERT_EQUAL(newsrc_load(dir, &nr), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(nr.why, "not a regular file"));
	CU_ASSERT_EQUAL(mkfifo(fifo, 0600), 0);
	CU_ASSERT_EQUAL(newsrc_load(fifo, &nr), ERR_LOCAL);
	/* Saving over them is refused too, and leaves nothing behind. */
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "b", true), 0);
	CU_ASSERT_EQUAL(newsrc_save(&nr, fifo), ERR_LOCAL);
	/* A file that failed to load is never saved over, even when it can
	 * be read by the time of the save. */
	CU_ASSERT_EQUAL(newsrc_save(&nr, file), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(nr.why, "could not be read"));
	CU_ASSERT_TRUE(file_is(file, "a: 1\n"));
	newsrc_clear(&nr);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "b", true), 0);
	CU_ASSERT_EQUAL(newsrc_save(&nr, dir), ERR_LOCAL);
	CU_ASSERT_EQUAL(newsrc_save(&nr, fifo), ERR_LOCAL);
	/* A folder that does not exist: ERR_LOCAL, nothing made. */
	CU_ASSERT_EQUAL(newsrc_save(&nr, tpath("nowhere/newsrc")), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(nr.why, "nowhere"));
	CU_ASSERT_EQUAL(entries(), 3);
	/* Names are escaped in messages. */
	CU_ASSERT_EQUAL(newsrc_load(tpath("plain/\x1b[31m"), &nr), ERR_LOCAL);
	CU_ASSERT_PTR_NULL(strchr(nr.why, '\x1b'));
	newsrc_clear(&nr);
	unlink(file);
	unlink(fifo);
	rmdir(dir);
}

/* ---- which file -------------------------------------------------------- */

static bool name_is(const char *host, int port, const char *want)
{
	char *got = newsrc_file_name(host, port);
	bool ok = (!got && !want) || (got && want && strcmp(got, want) == 0);
	if (!ok)
		fprintf(stderr, "\n%s %d: got [%s] want [%s]\n", host, port,
		        got ? got : "NULL", want ? want : "NULL");
	free(got);
	return ok;
}

static void test_file_name(void)
{
	CU_ASSERT_TRUE(name_is("news.example.org", 0, ".newsrc-news.example.org"));
	CU_ASSERT_TRUE(name_is("news.example.org", 119, ".newsrc-news.example.org"));
	CU_ASSERT_TRUE(name_is("news.example.org", 563, ".newsrc-news.example.org"));
	CU_ASSERT_TRUE(name_is("news.example.org", 1119, ".newsrc-news.example.org+1119"));
	CU_ASSERT_TRUE(name_is("News.Example.ORG.", 119, ".newsrc-news.example.org"));
	CU_ASSERT_TRUE(name_is("192.0.2.7", 433, ".newsrc-192.0.2.7+433"));
	/* IPv6 literals, with or without brackets, with a zone. */
	CU_ASSERT_TRUE(name_is("::1", 0, ".newsrc-__1"));
	CU_ASSERT_TRUE(name_is("[::1]", 1119, ".newsrc-__1+1119"));
	CU_ASSERT_TRUE(name_is("2001:DB8::1", 563, ".newsrc-2001_db8__1"));
	CU_ASSERT_TRUE(name_is("::ffff:192.0.2.7", 0, ".newsrc-__ffff_192.0.2.7"));
	CU_ASSERT_TRUE(name_is("fe80::1%eth0", 0, ".newsrc-fe80__1%25eth0"));
	/* Anything else escaped: no '/', no shell or glob character, and
	 * no two servers alike. */
	CU_ASSERT_TRUE(name_is("../../etc/passwd", 0, ".newsrc-..%2f..%2fetc%2fpasswd"));
	CU_ASSERT_TRUE(name_is("a_b", 0, ".newsrc-a%5fb"));
	CU_ASSERT_TRUE(name_is("a+1119", 0, ".newsrc-a%2b1119"));
	CU_ASSERT_TRUE(name_is("a*b?[c] $x;`y`", 0,
		".newsrc-a%2ab%3f%5bc%5d%20%24x%3b%60y%60"));
	CU_ASSERT_TRUE(name_is("caf\xc3\xa9", 0, ".newsrc-caf%c3%a9"));
	/* Refused. */
	CU_ASSERT_TRUE(name_is(NULL, 0, NULL));
	CU_ASSERT_TRUE(name_is("", 0, NULL));
	CU_ASSERT_TRUE(name_is("[]", 0, NULL));
	CU_ASSERT_TRUE(name_is(".", 0, NULL));
	CU_ASSERT_TRUE(name_is("h", -1, NULL));
	CU_ASSERT_TRUE(name_is("h", 65536, NULL));
	char host[300];
	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	CU_ASSERT_TRUE(name_is(host, 0, NULL));
	host[247] = '\0';               /* 8 + 247 = 255 bytes */
	char *n = newsrc_file_name(host, 0);
	CU_ASSERT_PTR_NOT_NULL(n);
	CU_ASSERT_EQUAL(n ? strlen(n) : 0, 255);
	free(n);
	host[242] = '\0';
	CU_ASSERT_PTR_NULL(newsrc_file_name(host, 12345)); /* 8 + 242 + 6 */
}

static void test_path(void)
{
	const char *old = getenv("HOME");
	char *keep = old ? strdup(old) : NULL;

	setenv("HOME", "/home/u", 1);
	char *p = newsrc_path("news.example.org", 119, true);
	CU_ASSERT_STRING_EQUAL(p, "/home/u/.newsrc");
	free(p);
	p = newsrc_path(NULL, 0, true);
	CU_ASSERT_STRING_EQUAL(p, "/home/u/.newsrc");
	free(p);
	p = newsrc_path("News.Example.org", 563, false);
	CU_ASSERT_STRING_EQUAL(p, "/home/u/.newsrc-news.example.org");
	free(p);
	p = newsrc_path("::1", 1119, false);
	CU_ASSERT_STRING_EQUAL(p, "/home/u/.newsrc-__1+1119");
	free(p);
	CU_ASSERT_PTR_NULL(newsrc_path("", 0, false));
	unsetenv("HOME");
	CU_ASSERT_PTR_NULL(newsrc_path("h", 0, true));
	setenv("HOME", "", 1);
	CU_ASSERT_PTR_NULL(newsrc_path("h", 0, false));
	if (keep)
		setenv("HOME", keep, 1);
	else
		unsetenv("HOME");
	free(keep);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("nrange", NULL, NULL);
	CU_add_test(s, "parse, repairs, canonical form", test_set_parse);
	CU_add_test(s, "garbage refused, set unchanged", test_set_garbage);
	CU_add_test(s, "add: merge on both sides, bounds, 2^63-1", test_set_add);
	CU_add_test(s, "membership at the edges", test_set_has);
	CU_add_test(s, "unread within the group's bounds", test_set_unread);
	CU_add_test(s, "catch up", test_set_catchup);
	CU_add_test(s, "iterate unread numbers and runs", test_set_iter);
	CU_add_test(s, "1 MB lines, the interval cap", test_set_limits);

	s = CU_add_suite("newsrc text", NULL, NULL);
	CU_add_test(s, "slrn and tin files round-trip", test_file_round_trip);
	CU_add_test(s, "changes in place, unknown lines kept", test_file_edit_in_place);
	CU_add_test(s, "duplicate group lines: the first counts", test_file_duplicates);
	CU_add_test(s, "ranges not understood: kept, marking refused", test_file_bad_lines);
	CU_add_test(s, "CRLF and a missing final newline", test_file_line_ends);
	CU_add_test(s, "hostile lines", test_file_hostile);

	s = CU_add_suite("newsrc on disk", suite_init, suite_clean);
	CU_add_test(s, "missing file; a new one is 0600", test_disk_missing);
	CU_add_test(s, "atomic save: bytes, mode, unchanged not rewritten", test_disk_save);
	CU_add_test(s, "changed on disk meanwhile: not overwritten", test_disk_changed_meanwhile);
	CU_add_test(s, "symbolic links followed and kept", test_disk_symlink);
	CU_add_test(s, "unreadable, not regular, no folder", test_disk_errors);

	s = CU_add_suite("newsrc file names", NULL, NULL);
	CU_add_test(s, "per-server names", test_file_name);
	CU_add_test(s, "paths under $HOME", test_path);
}
