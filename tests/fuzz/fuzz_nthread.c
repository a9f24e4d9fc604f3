/* fuzz_nthread.c - threading (nthread.h) of overview lines made from the
 * bytes, and the date and subject parsers on their fields.
 *
 * Two forms of input.  If the first byte is 0, the rest is articles of
 * four bytes or more, built so that ids collide often (duplicates, loops,
 * references to oneself, to missing and to invalid ids):
 *   id   (low 5 bits: "<k@x>" for k < 28; 28: no id; 29: "<bad id>";
 *         30, 31: the id of the article before, a duplicate)
 *   subject (index into a table of "Re:", "Fwd:", ... variants)
 *   date    (index into a table of dates, some invalid)
 *   nrefs   (low 4 bits), then that many id bytes as above
 * Otherwise the input is overview lines, split on '\n', given to
 * nntp_parse_over; the lines it refuses are left out.
 *
 * Checked: every article is in the display order exactly once, a parent
 * comes before its children and one level up, dummies are roots with two
 * children or more, threads are runs from a root, the lookups agree with
 * the rows, prefixes fit NTHREAD_PREFIX_SIZE, and a second build (with
 * another hash key) gives the same rows.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "fuzz_common.h"
#include "nntp.h"
#include "nthread.h"

#define MAX_ARTS 4096

static const char *const subjects[] = {
	"Plan", "Re: Plan", "RE: Plan", "Re[2]: Plan", "Fwd: Plan", "Sv: Aw: Plan",
	"Lunch", "Re: Lunch", "", "Re:", " ", "Re^3: Re: Lunch",
	"re: plan", "Re : Plan", "Fw:Plan", "Plan ",
};
static const char *const dates[] = {
	"Tue, 03 Jan 2023 10:00:00 +0100", "3 Jan 2023 10:00 GMT",
	"Tue, 3 Jan 23 10:00:00 EST", "Sat, 01-Jan-83 00:00:00 GMT",
	"Tue Jan  3 10:00:00 2023", "", "soon", "29 Feb 2023 12:00:00",
	"31 Dec 1999 23:59:60 +0000", "3 Jan 2023 09:59:59 -0000",
	"1 Jan 1970 00:00:00 +9959", "1 Jan 0000 00:00:00",
	"3 Jan 2023 10:00:00 +0100", "3 Jan 2023 10:00:00 +0100",
	"(c) 3 Jan 2023 10:00:00", "3 Jan 2023 10:00:00 (",
};

static void id_text(unsigned b, unsigned self, char *out, size_t size)
{
	b &= 31;
	if (b < 28)
		snprintf(out, size, "<%u@x>", b);
	else if (b == 28)
		out[0] = '\0';
	else if (b == 29)
		snprintf(out, size, "<bad id>");
	else
		snprintf(out, size, "<%u@x>", self ? (self - 1) & 31 : 0);
}

/* Structured input -> overview lines in one heap block.  Returns the
 * number of lines; *text holds them, NUL-separated. */
static size_t make_lines(const uint8_t *data, size_t size, char **text, size_t **offs)
{
	size_t cap = size * 40 + 64, len = 0, n = 0, i = 0;
	char *t = malloc(cap);
	size_t *o = malloc((size / 4 + 1) * sizeof(*o));
	unsigned prev = 0;

	if (!t || !o)
		abort();
	while (i + 4 <= size && n < MAX_ARTS) {
		unsigned idb = data[i], sub = data[i + 1], dat = data[i + 2];
		unsigned nrefs = data[i + 3] & 15;
		char id[16], ref[16];

		i += 4;
		id_text(idb, prev, id, sizeof(id));
		prev = idb & 31;
		o[n++] = len;
		len += (size_t)snprintf(t + len, cap - len, "%zu\t%s\tx\t%s\t%s\t", n,
		                        subjects[sub % (sizeof(subjects) / sizeof(subjects[0]))],
		                        dates[dat % (sizeof(dates) / sizeof(dates[0]))], id);
		for (unsigned r = 0; r < nrefs && i < size; r++, i++) {
			id_text(data[i], prev, ref, sizeof(ref));
			len += (size_t)snprintf(t + len, cap - len, "%s%s", r ? " " : "", ref);
		}
		t[len++] = '\0';
	}
	*text = t;
	*offs = o;
	return n;
}

static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int k = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : -1;

		if (k < 0)
			return false;
		p++;
		while (k--)
			if ((*p++ & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static bool never_read(uint64_t num, void *arg)
{
	(void)num;
	(void)arg;
	return false;
}

static void check(const struct nntp_over *ov, size_t n)
{
	struct nthread *t, *t2;
	size_t nrows, nrows2;
	const struct nthread_row *rows, *rows2;
	unsigned char *seen;
	size_t *kids;
	char pfx[NTHREAD_PREFIX_SIZE];

	FZ_CHECK(nthread_new(&t, ov, n) == 0);
	rows = nthread_rows(t, &nrows);
	FZ_CHECK(nrows >= n);
	seen = calloc(n + 1, 1);
	kids = calloc(nrows + 1, sizeof(*kids));
	if (!seen || !kids)
		abort();
	for (size_t i = 0; i < nrows; i++) {
		const struct nthread_row *r = &rows[i];

		if (r->art != NTHREAD_NONE) {
			FZ_CHECK(r->art < n && !seen[r->art]);
			seen[r->art] = 1;
			FZ_CHECK(nthread_row_of(t, r->art) == i);
			FZ_CHECK(r->first == r->art);
			/* The first article of its number is found. */
			size_t f = nthread_find(t, ov[r->art].num);
			FZ_CHECK(f != NTHREAD_NONE && rows[f].art != NTHREAD_NONE);
			FZ_CHECK(ov[rows[f].art].num == ov[r->art].num && rows[f].art <= r->art);
		} else {
			FZ_CHECK(r->depth == 0 && r->first < n);
		}
		if (r->depth == 0) {
			FZ_CHECK(r->parent == NTHREAD_NONE);
			FZ_CHECK(i == 0 ? r->thread == 0 : rows[i - 1].thread + 1 == r->thread);
		} else {
			FZ_CHECK(r->parent < i);
			FZ_CHECK(rows[r->parent].depth + 1 == r->depth);
			FZ_CHECK(rows[r->parent].thread == r->thread);
			kids[r->parent]++;
		}
		size_t len = nthread_prefix(t, i, (i & 1) != 0, pfx, sizeof(pfx));
		FZ_CHECK(len < sizeof(pfx) && strlen(pfx) == len && utf8_ok(pfx));
		FZ_CHECK((len == 0) == (r->depth == 0));
		size_t next = nthread_next_unread(t, i, false, never_read, NULL);
		size_t want = i + 1;
		while (want < nrows && rows[want].art == NTHREAD_NONE)
			want++;
		FZ_CHECK(next == (want < nrows ? want : NTHREAD_NONE));
	}
	for (size_t i = 0; i < n; i++)
		FZ_CHECK(seen[i]);
	for (size_t i = 0; i < nrows; i++) {
		size_t first, count;

		if (rows[i].art == NTHREAD_NONE)
			FZ_CHECK(kids[i] >= 2);
		else if (nthread_thread_of(t, ov[rows[i].art].num, &first, &count) == 0)
			FZ_CHECK(count >= 1 && first + count <= nrows && rows[first].depth == 0);
		else
			FZ_CHECK(false);
	}
	/* Another hash key, the same result. */
	FZ_CHECK(nthread_new(&t2, ov, n) == 0);
	rows2 = nthread_rows(t2, &nrows2);
	FZ_CHECK(nrows2 == nrows);
	for (size_t i = 0; i < nrows; i++)
		FZ_CHECK(rows[i].art == rows2[i].art && rows[i].first == rows2[i].first &&
		         rows[i].parent == rows2[i].parent && rows[i].depth == rows2[i].depth &&
		         rows[i].last == rows2[i].last && rows[i].thread == rows2[i].thread);
	nthread_free(t2);
	nthread_free(t);
	free(seen);
	free(kids);
}

/* The date and subject parsers on one line's fields. */
static void check_fields(const struct nntp_over *o)
{
	int64_t when;
	bool reply;
	struct nntp_span s = o->f[NNTP_OV_SUBJECT], b;

	if (nthread_parse_date(o->f[NNTP_OV_DATE].p, o->f[NNTP_OV_DATE].len, &when) == 0)
		FZ_CHECK(when > -100000LL * 366 * 86400 && when < 10000LL * 366 * 86400);
	b = nthread_subject_base(s, &reply);
	FZ_CHECK(b.p >= s.p && b.p + b.len <= s.p + s.len);
	if (b.len)
		FZ_CHECK(b.p[0] != ' ' && b.p[0] != '\t' && b.p[b.len - 1] != ' ' &&
		         b.p[b.len - 1] != '\t');
	/* Nothing taken off: only the blanks around. */
	if (!reply)
		for (const char *q = s.p; q < b.p; q++)
			FZ_CHECK(*q == ' ' || *q == '\t');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nntp_over *ov;
	char **copies;
	char *text = NULL;
	size_t *offs = NULL;
	size_t n = 0, lines = 1;

	/* Sized to the input: a big allocation per run is slow under ASan. */
	if (size && data[0] == 0) {
		lines = make_lines(data + 1, size - 1, &text, &offs);
	} else {
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		if (lines > MAX_ARTS)
			lines = MAX_ARTS;
	}
	ov = calloc(lines ? lines : 1, sizeof(*ov));
	copies = calloc(lines ? lines : 1, sizeof(*copies));
	if (!ov || !copies)
		abort();
	if (text) {
		for (size_t i = 0; i < lines; i++) {
			const char *l = text + offs[i];

			copies[n] = fz_copy((const uint8_t *)l, strlen(l));
			if (nntp_parse_over(copies[n], strlen(l), &ov[n]) == 0)
				n++;
			else
				free(copies[n]);
		}
		free(text);
		free(offs);
	} else {
		size_t start = 0;

		while (start <= size && n < lines) {
			const uint8_t *nl = memchr(data + start, '\n', size - start);
			size_t end = nl ? (size_t)(nl - data) : size;

			copies[n] = fz_copy(data + start, end - start);
			if (nntp_parse_over(copies[n], end - start, &ov[n]) == 0)
				n++;
			else
				free(copies[n]);
			if (!nl)
				break;
			start = end + 1;
		}
	}
	for (size_t i = 0; i < n; i++)
		check_fields(&ov[i]);
	check(ov, n);
	for (size_t i = 0; i < n; i++)
		free(copies[i]);
	free(copies);
	free(ov);
	return 0;
}
