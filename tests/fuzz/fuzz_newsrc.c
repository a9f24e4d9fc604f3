/* fuzz_newsrc.c - newsrc_parse() over a whole .newsrc, and nrange_parse()
 * over each of its lines.
 *
 * Properties: a parsed file formats back to the same bytes and is not
 * dirty; every set is sorted, disjoint, non-adjacent and within
 * 1..2^63-1; a set's canonical text parses back to the same set; each
 * line's range text is accepted exactly when a reference reading (split
 * on commas, 128-bit numbers) accepts it, with the same members at every
 * item's ends; membership, unread counts and the iterator agree; after a
 * mark, a subscribe and a new group, the text read back holds the same
 * state, and lines that were not touched are still there.
 */
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz_common.h"
#include "newsrc.h"

struct item {
	uint64_t lo, hi;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Digits p[a..b) as a number up to 2^63-1. */
static bool ref_num(const char *p, size_t a, size_t b, uint64_t *v)
{
	unsigned __int128 r = 0;

	if (a == b)
		return false;
	for (size_t i = a; i < b; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		r = r * 10 + (unsigned)(p[i] - '0');
		if (r > NRANGE_ART_MAX)
			return false;
	}
	*v = (uint64_t)r;
	return true;
}

/* The reference reading: comma-separated items, blanks around each,
 * "N" or "N-M"; 0 means 1; reversed items add nothing.  Items (unmerged)
 * in it[], their count, or -1 when not understood. */
static long ref_parse(const char *p, size_t len, struct item *it, size_t max)
{
	size_t a = 0, n = 0;

	while (a < len && blank(p[a]))
		a++;
	if (a == len)
		return 0;
	for (size_t start = 0; start <= len;) {
		const char *c = memchr(p + start, ',', len - start);
		size_t end = c ? (size_t)(c - p) : len;
		size_t x = start, y = end;
		while (x < y && blank(p[x]))
			x++;
		while (y > x && blank(p[y - 1]))
			y--;
		const char *dash = memchr(p + x, '-', y - x);
		uint64_t lo, hi;
		if (dash) {
			size_t d = (size_t)(dash - p);
			if (!ref_num(p, x, d, &lo) || !ref_num(p, d + 1, y, &hi))
				return -1;
		} else if (ref_num(p, x, y, &lo)) {
			hi = lo;
		} else {
			return -1;
		}
		if (lo == 0)
			lo = 1;
		if (lo <= hi && n < max)
			it[n++] = (struct item){ lo, hi };
		if (!c)
			break;
		start = end + 1;
	}
	return (long)n;
}

static bool ref_has(const struct item *it, long n, uint64_t v)
{
	for (long i = 0; i < n; i++)
		if (it[i].lo <= v && v <= it[i].hi)
			return true;
	return false;
}

static void check_set(const struct nrange_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		FZ_CHECK(s->v[i].lo >= 1 && s->v[i].lo <= s->v[i].hi);
		FZ_CHECK(s->v[i].hi <= NRANGE_ART_MAX);
		if (i)
			FZ_CHECK(s->v[i].lo > s->v[i - 1].hi + 1);
	}
	/* Canonical text round trip. */
	struct buf b;
	struct nrange_set t;
	buf_init(&b, 1 << 20);
	nrange_init(&t);
	FZ_CHECK(nrange_format(s, &b) == 0);
	FZ_CHECK(nrange_parse(&t, buf_peek(&b), buf_avail(&b)) == 0);
	FZ_CHECK(t.n == s->n);
	if (s->n)
		FZ_CHECK(memcmp(t.v, s->v, s->n * sizeof(*s->v)) == 0);
	nrange_clear(&t);
	buf_clear(&b);
}

/* Around v: has(), unread() and the iterator agree. */
static void check_window(const struct nrange_set *s, uint64_t v)
{
	uint64_t first = v > 8 ? v - 8 : 0;
	uint64_t last = v + 8, n, count = 0, iter = 0, lo, hi;
	struct nrange_iter it;

	for (uint64_t k = first ? first : 1; k <= last && k <= NRANGE_ART_MAX; k++)
		count += !nrange_has(s, k);
	FZ_CHECK(nrange_unread(s, first, last) == count);
	nrange_iter_init(&it, s, first, last);
	while (nrange_iter_next(&it, &n)) {
		FZ_CHECK(!nrange_has(s, n) && n >= first && n <= last);
		iter++;
	}
	FZ_CHECK(iter == count);
	iter = 0;
	nrange_iter_init(&it, s, first, last);
	while (nrange_iter_span(&it, &lo, &hi)) {
		FZ_CHECK(lo <= hi && !nrange_has(s, lo) && !nrange_has(s, hi));
		iter += hi - lo + 1;
	}
	FZ_CHECK(iter == count);
}

static void check_line(const char *line, size_t len)
{
	static struct item it[8192];
	struct nrange_set s;
	char *p = fz_copy((const uint8_t *)line, len);

	nrange_init(&s);
	long n = ref_parse(p, len, it, sizeof(it) / sizeof(it[0]));
	int rc = nrange_parse(&s, p, len);
	FZ_CHECK((rc == 0) == (n >= 0));
	if (rc == 0) {
		check_set(&s);
		for (long i = 0; i < n; i++) {
			FZ_CHECK(nrange_has(&s, it[i].lo) && nrange_has(&s, it[i].hi));
			for (int d = -1; d <= 1; d += 2) {
				uint64_t v = (d < 0 ? it[i].lo : it[i].hi) + (uint64_t)(int64_t)d;
				FZ_CHECK(nrange_has(&s, v) == ref_has(it, n, v));
			}
			check_window(&s, it[i].lo);
			check_window(&s, it[i].hi);
		}
	}
	nrange_clear(&s);
	free(p);
}

static char *formatted(const struct newsrc *nr, size_t *len)
{
	struct buf b;

	buf_init(&b, NEWSRC_MAX_BYTES);
	FZ_CHECK(newsrc_format(nr, &b) == 0);
	*len = buf_avail(&b);
	char *p = fz_copy((const uint8_t *)buf_peek(&b), *len);
	buf_clear(&b);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_copy(data, size);
	struct newsrc nr, back;
	size_t len;

	for (size_t a = 0; a < size;) {
		const char *nl = memchr(text + a, '\n', size - a);
		size_t b = nl ? (size_t)(nl - text) : size;
		check_line(text + a, b - a);
		a = b + 1;
	}

	newsrc_init(&nr);
	newsrc_init(&back);
	FZ_CHECK(newsrc_parse(&nr, text, size) == 0);
	FZ_CHECK(!nr.dirty);
	char *out = formatted(&nr, &len);
	FZ_CHECK(len == size && memcmp(out, text, size) == 0);
	free(out);
	size_t bad = 0;
	for (size_t i = 0; i < nr.ngroups; i++) {
		const struct newsrc_group *g = nr.groups[i];
		FZ_CHECK(newsrc_find(&nr, g->name) == g);
		check_set(&g->read);
		bad += g->bad;
		if (g->bad)
			FZ_CHECK(g->read.n == 0);
	}
	FZ_CHECK(bad == nr.nbad);

	/* Change the first group, add one, and read the result back. */
	size_t ngroups = nr.ngroups;
	uint64_t mark = size ? (uint64_t)data[0] * 1000 + 1 : 1;
	if (ngroups) {
		const struct newsrc_group *g = nr.groups[0];
		char *name = strdup(g->name);
		bool sub = g->subscribed;
		int rc = newsrc_mark_read(&nr, name, mark, mark + 5);
		FZ_CHECK(g->bad ? rc == ERR_LOCAL : rc == 0);
		FZ_CHECK(newsrc_subscribe(&nr, name, !sub) == 0);
		FZ_CHECK(nr.dirty);
		free(name);
	}
	bool existed = newsrc_find(&nr, "fz.added.group") != NULL;
	FZ_CHECK(newsrc_subscribe(&nr, "fz.added.group", true) == 0);
	FZ_CHECK(newsrc_mark_read(&nr, "fz.added.group", mark, mark) == 0 ||
	         newsrc_find(&nr, "fz.added.group")->bad);
	out = formatted(&nr, &len);
	FZ_CHECK(newsrc_parse(&back, out, len) == 0);
	FZ_CHECK(nr.ngroups == ngroups + !existed);
	FZ_CHECK(back.ngroups == nr.ngroups);
	for (size_t i = 0; i < nr.ngroups; i++) {
		const struct newsrc_group *g = nr.groups[i];
		const struct newsrc_group *h = newsrc_find(&back, g->name);
		FZ_CHECK(h && h == back.groups[i]);
		FZ_CHECK(h->subscribed == g->subscribed && h->bad == g->bad);
		FZ_CHECK(h->read.n == g->read.n);
		if (g->read.n)
			FZ_CHECK(memcmp(h->read.v, g->read.v, g->read.n * sizeof(*g->read.v)) == 0);
	}
	FZ_CHECK(back.ndup == nr.ndup);
	free(out);
	newsrc_clear(&back);
	newsrc_clear(&nr);
	free(text);
	return 0;
}
