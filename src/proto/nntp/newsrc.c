/* newsrc.c - .newsrc files and sets of article numbers (see newsrc.h).
 *
 * The parsers (nrange_parse, newsrc_parse, newsrc_format,
 * newsrc_file_name) are pure (house rule 4); newsrc_load and newsrc_save
 * are the only functions that touch the disk.
 */
#include "newsrc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "nntp.h"
#include "ui.h"

/* ---- sets of article numbers ------------------------------------------ */

void nrange_init(struct nrange_set *s)
{
	memset(s, 0, sizeof(*s));
}

void nrange_clear(struct nrange_set *s)
{
	free(s->v);
	nrange_init(s);
}

/* Room for one more interval; ERR_TOOLONG at NRANGE_MAX. */
static int grow(struct nrange_set *s)
{
	if (s->n < s->cap)
		return 0;
	if (s->n >= NRANGE_MAX)
		return ERR_TOOLONG;
	size_t cap = s->cap ? s->cap * 2 : 8;
	if (cap > NRANGE_MAX)
		cap = NRANGE_MAX;
	s->v = xrealloc(s->v, cap * sizeof(*s->v));
	s->cap = cap;
	return 0;
}

/* The first interval whose hi + 1 >= n (the first that n could touch or
 * follow directly); s->n when none. */
static size_t first_touching(const struct nrange_set *s, uint64_t n)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].hi + 1 >= n)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Decimal 0..NRANGE_ART_MAX at p[*i]; at least one digit. */
static int parse_num(const char *p, size_t len, size_t *i, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	while (*i < len && p[*i] >= '0' && p[*i] <= '9') {
		unsigned d = (unsigned)(p[*i] - '0');
		if (v > (NRANGE_ART_MAX - d) / 10)
			return ERR_PROTO;
		v = v * 10 + d;
		(*i)++;
	}
	if (*i == start)
		return ERR_PROTO;
	*out = v;
	return 0;
}

static int cmp_lo(const void *a, const void *b)
{
	const struct nrange *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort (when out of order) and merge overlapping or adjacent intervals. */
static void normalise(struct nrange_set *s, bool sorted)
{
	size_t w = 0;

	if (!sorted)
		qsort(s->v, s->n, sizeof(*s->v), cmp_lo);
	for (size_t r = 0; r < s->n; r++) {
		if (w > 0 && s->v[r].lo <= s->v[w - 1].hi + 1) {
			if (s->v[r].hi > s->v[w - 1].hi)
				s->v[w - 1].hi = s->v[r].hi;
		} else {
			s->v[w++] = s->v[r];
		}
	}
	s->n = w;
}

int nrange_parse(struct nrange_set *s, const char *p, size_t len)
{
	struct nrange_set t;
	size_t i = 0;
	bool sorted = true;
	int err = 0;

	nrange_init(&t);
	while (i < len && is_blank(p[i]))
		i++;
	while (i < len) {
		uint64_t lo, hi;
		if ((err = parse_num(p, len, &i, &lo)) < 0)
			goto out;
		hi = lo;
		if (i < len && p[i] == '-') {
			i++;
			if ((err = parse_num(p, len, &i, &hi)) < 0)
				goto out;
		}
		if (lo == 0)
			lo = 1;         /* article 0 does not exist */
		if (lo <= hi) {         /* a reversed range adds nothing */
			if ((err = grow(&t)) < 0)
				goto out;
			if (t.n > 0 && lo < t.v[t.n - 1].lo)
				sorted = false;
			t.v[t.n++] = (struct nrange){ lo, hi };
		}
		while (i < len && is_blank(p[i]))
			i++;
		if (i == len)
			break;
		if (p[i] != ',') {
			err = ERR_PROTO;
			goto out;
		}
		i++;
		while (i < len && is_blank(p[i]))
			i++;
		if (i == len) {         /* a trailing comma */
			err = ERR_PROTO;
			goto out;
		}
	}
	normalise(&t, sorted);
	nrange_clear(s);
	*s = t;
	return 0;
out:
	nrange_clear(&t);
	return err;
}

int nrange_format(const struct nrange_set *s, struct buf *out)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct nrange *r = &s->v[i];
		int err = r->lo == r->hi
			? buf_appendf(out, "%s%" PRIu64, i ? "," : "", r->lo)
			: buf_appendf(out, "%s%" PRIu64 "-%" PRIu64, i ? "," : "", r->lo, r->hi);
		if (err < 0)
			return err;
	}
	return 0;
}

int nrange_add_range(struct nrange_set *s, uint64_t lo, uint64_t hi)
{
	if (lo == 0 || lo > hi || hi > NRANGE_ART_MAX)
		return ERR_USAGE;
	/* Intervals k..j-1 overlap lo..hi or touch it. */
	size_t k = first_touching(s, lo);
	size_t j = k;
	while (j < s->n && s->v[j].lo <= hi + 1)
		j++;
	if (k == j) {
		int err = grow(s);
		if (err < 0)
			return err;
		memmove(&s->v[k + 1], &s->v[k], (s->n - k) * sizeof(*s->v));
		s->v[k] = (struct nrange){ lo, hi };
		s->n++;
		return 1;
	}
	if (j == k + 1 && s->v[k].lo <= lo && s->v[k].hi >= hi)
		return 0;
	if (s->v[k].lo < lo)
		lo = s->v[k].lo;
	if (s->v[j - 1].hi > hi)
		hi = s->v[j - 1].hi;
	s->v[k] = (struct nrange){ lo, hi };
	memmove(&s->v[k + 1], &s->v[j], (s->n - j) * sizeof(*s->v));
	s->n -= j - k - 1;
	return 1;
}

int nrange_add(struct nrange_set *s, uint64_t n)
{
	return nrange_add_range(s, n, n);
}

bool nrange_has(const struct nrange_set *s, uint64_t n)
{
	/* The first interval with hi >= n (n == 0 is never in a set). */
	size_t k = n ? first_touching(s, n) : s->n;

	if (k < s->n && s->v[k].hi < n)
		k++;
	return k < s->n && s->v[k].lo <= n && n <= s->v[k].hi;
}

uint64_t nrange_unread(const struct nrange_set *s, uint64_t first, uint64_t last)
{
	if (first == 0)
		first = 1;
	if (last > NRANGE_ART_MAX)
		last = NRANGE_ART_MAX;
	if (last < first)
		return 0;
	uint64_t unread = last - first + 1;
	for (size_t k = first_touching(s, first); k < s->n && s->v[k].lo <= last; k++) {
		uint64_t lo = s->v[k].lo > first ? s->v[k].lo : first;
		uint64_t hi = s->v[k].hi < last ? s->v[k].hi : last;
		if (lo <= hi)
			unread -= hi - lo + 1;
	}
	return unread;
}

int nrange_catchup(struct nrange_set *s, uint64_t last)
{
	return last == 0 ? 0 : nrange_add_range(s, 1, last);
}

void nrange_iter_init(struct nrange_iter *it, const struct nrange_set *s,
                      uint64_t first, uint64_t last)
{
	memset(it, 0, sizeof(*it));
	it->s = s;
	it->next = first ? first : 1;
	it->last = last > NRANGE_ART_MAX ? NRANGE_ART_MAX : last;
	it->done = it->last < it->next;
	it->i = it->done ? 0 : first_touching(s, it->next);
}

/* Skip the read articles at it->next; false when none is left. */
static bool iter_skip(struct nrange_iter *it)
{
	const struct nrange_set *s = it->s;

	while (!it->done && it->i < s->n && s->v[it->i].lo <= it->next) {
		if (s->v[it->i].hi >= it->next)
			it->next = s->v[it->i].hi + 1;  /* hi < 2^63: no overflow */
		it->i++;
	}
	if (it->next > it->last)
		it->done = true;
	return !it->done;
}

bool nrange_iter_next(struct nrange_iter *it, uint64_t *n)
{
	if (!iter_skip(it))
		return false;
	*n = it->next++;
	return true;
}

bool nrange_iter_span(struct nrange_iter *it, uint64_t *lo, uint64_t *hi)
{
	if (!iter_skip(it))
		return false;
	*lo = it->next;
	*hi = it->last;
	if (it->i < it->s->n && it->s->v[it->i].lo - 1 < *hi)
		*hi = it->s->v[it->i].lo - 1;
	it->next = *hi + 1;
	return true;
}

/* ---- the file in memory ------------------------------------------------ */

static int fail(struct newsrc *nr, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A message whose %s arguments the caller escaped. */
static int fail(struct newsrc *nr, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(nr->why, sizeof(nr->why), fmt, ap);
	va_end(ap);
	return err;
}

static char *esc(const char *s)
{
	return ui_escape_str(s, strlen(s));
}

void newsrc_init(struct newsrc *nr)
{
	memset(nr, 0, sizeof(*nr));
	memcpy(nr->eol, "\n", 2);
}

void newsrc_clear(struct newsrc *nr)
{
	for (size_t i = 0; i < nr->ngroups; i++) {
		free(nr->groups[i]->name);
		nrange_clear(&nr->groups[i]->read);
		free(nr->groups[i]);
	}
	free(nr->groups);
	free(nr->hash);
	free(nr->lines);
	free(nr->text);
	newsrc_init(nr);
}

/* FNV-1a */
static size_t hash_name(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static struct newsrc_group **hash_slot(struct newsrc_group **tab, size_t cap,
                                       const char *name, size_t len)
{
	size_t i = hash_name(name, len) & (cap - 1);

	while (tab[i] && !(strncmp(tab[i]->name, name, len) == 0 && tab[i]->name[len] == '\0'))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static struct newsrc_group *lookup(const struct newsrc *nr, const char *name, size_t len)
{
	if (!nr->hash_cap)
		return NULL;
	return *hash_slot(nr->hash, nr->hash_cap, name, len);
}

/* Keep the table at most half full. */
static void hash_insert(struct newsrc *nr, struct newsrc_group *g)
{
	if ((nr->ngroups + 1) * 2 > nr->hash_cap) {
		size_t cap = nr->hash_cap ? nr->hash_cap * 2 : 64;
		struct newsrc_group **tab = xcalloc(cap, sizeof(*tab));
		for (size_t i = 0; i < nr->hash_cap; i++) {
			struct newsrc_group *o = nr->hash[i];
			if (o)
				*hash_slot(tab, cap, o->name, strlen(o->name)) = o;
		}
		free(nr->hash);
		nr->hash = tab;
		nr->hash_cap = cap;
	}
	*hash_slot(nr->hash, nr->hash_cap, g->name, strlen(g->name)) = g;
}

static struct newsrc_line *add_line(struct newsrc *nr)
{
	if (nr->nlines == nr->lines_cap) {
		nr->lines_cap = nr->lines_cap ? nr->lines_cap * 2 : 64;
		nr->lines = xrealloc(nr->lines, nr->lines_cap * sizeof(*nr->lines));
	}
	struct newsrc_line *l = &nr->lines[nr->nlines++];
	memset(l, 0, sizeof(*l));
	return l;
}

/* A group for the last line added. */
static struct newsrc_group *add_group(struct newsrc *nr, const char *name, size_t len)
{
	struct newsrc_group *g = xcalloc(1, sizeof(*g));

	g->name = xstrndup(name, len);
	g->line = nr->nlines - 1;
	if (nr->ngroups == nr->groups_cap) {
		nr->groups_cap = nr->groups_cap ? nr->groups_cap * 2 : 64;
		nr->groups = xrealloc(nr->groups, nr->groups_cap * sizeof(*nr->groups));
	}
	hash_insert(nr, g);
	nr->groups[nr->ngroups++] = g;
	nr->lines[g->line].group = nr->ngroups;
	return g;
}

/* Classify one line (content p[0..len), at offset off in the text). */
static void parse_line(struct newsrc *nr, struct newsrc_line *l)
{
	const char *p = nr->text + l->off;
	size_t len = l->len, m = 0;

	if (len == 0 || p[0] == '#')
		return;
	while (m < len && p[m] != ':' && p[m] != '!')
		m++;
	if (m == len || !nntp_group_valid(p, m))
		return;         /* an options line, or not a group we can name */
	if (lookup(nr, p, m)) {
		nr->ndup++;     /* the first line for a group is its state */
		return;
	}
	struct nrange_set set;
	nrange_init(&set);
	bool bad = nrange_parse(&set, p + m + 1, len - m - 1) < 0;
	struct newsrc_group *g = add_group(nr, p, m);
	g->subscribed = p[m] == ':';
	g->read = set;
	g->bad = bad;
	if (bad) {
		nr->nbad++;
		l->rest = m + 1;
	}
}

/* Take text (heap, len bytes) as nr's file. */
static void parse_owned(struct newsrc *nr, char *text, size_t len)
{
	bool eol_set = false;

	nr->text = text;
	nr->text_len = len;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t next = nl ? (size_t)(nl - text) + 1 : len;
		struct newsrc_line *l = add_line(nr);
		l->off = pos;
		l->len = next - pos;
		if (nl) {
			l->len--;
			l->end = 1;
		}
		/* CRLF; a CR alone ends the last line too (no LF: there
		 * is no line after it). */
		if (l->len && text[pos + l->len - 1] == '\r') {
			l->len--;
			l->end++;
		}
		if (!eol_set && nl) {
			memcpy(nr->eol, l->end == 2 ? "\r\n" : "\n", l->end + 1);
			eol_set = true;
		}
		parse_line(nr, l);
		pos = next;
	}
}

int newsrc_parse(struct newsrc *nr, const char *p, size_t len)
{
	newsrc_clear(nr);
	if (len > NEWSRC_MAX_BYTES)
		return fail(nr, ERR_TOOLONG, "over %zu MiB", NEWSRC_MAX_BYTES >> 20);
	char *text = xmalloc(len + 1);
	if (len)
		memcpy(text, p, len);
	parse_owned(nr, text, len);
	return 0;
}

const struct newsrc_group *newsrc_find(const struct newsrc *nr, const char *group)
{
	return lookup(nr, group, strlen(group));
}

/* A name to write in a group line: ':' would end it early (RFC 5536 3.1.4
 * names have none; nntp_group_valid already refuses '!'). */
static bool name_ok(const char *group)
{
	size_t len = strlen(group);
	return nntp_group_valid(group, len) && !memchr(group, ':', len);
}

/* The group, appended (unsubscribed, nothing read) when new. */
static struct newsrc_group *get_group(struct newsrc *nr, const char *group)
{
	struct newsrc_group *g = lookup(nr, group, strlen(group));

	if (!g) {
		add_line(nr);
		g = add_group(nr, group, strlen(group));
		g->rewrite = true;
		nr->dirty = true;
	}
	return g;
}

int newsrc_subscribe(struct newsrc *nr, const char *group, bool on)
{
	if (!name_ok(group))
		return ERR_USAGE;
	struct newsrc_group *g = get_group(nr, group);
	if (g->subscribed != on) {
		g->subscribed = on;
		g->rewrite = true;
		nr->dirty = true;
	}
	return 0;
}

int newsrc_mark_read(struct newsrc *nr, const char *group, uint64_t lo, uint64_t hi)
{
	if (!name_ok(group))
		return ERR_USAGE;
	if (lo == 0 || lo > hi || hi > NRANGE_ART_MAX)
		return ERR_USAGE;
	struct newsrc_group *g = lookup(nr, group, strlen(group));
	if (g && g->bad) {
		char *e = esc(group);
		fail(nr, ERR_LOCAL, "%s: the articles read are not understood in "
		     "the .newsrc line; it is left as it is", e);
		free(e);
		return ERR_LOCAL;
	}
	g = get_group(nr, group);
	int r = nrange_add_range(&g->read, lo, hi);
	if (r > 0) {
		g->rewrite = true;
		nr->dirty = true;
	}
	return r < 0 ? r : 0;
}

int newsrc_catchup(struct newsrc *nr, const char *group, uint64_t last)
{
	if (last == 0)
		return name_ok(group) ? 0 : ERR_USAGE;
	return newsrc_mark_read(nr, group, 1, last);
}

/* Append the end of line l to out: its own when it has an LF.  A last
 * line without (now followed by another, or rewritten) gets one that
 * leaves its content as it was read: a lone CR is completed to CRLF (the
 * reader strips exactly one CR before an LF), else the file's end. */
static int end_line(const struct newsrc *nr, const struct newsrc_line *l, struct buf *out)
{
	if (!l->end)            /* a line ferry added has no text at all */
		return buf_appendstr(out, nr->eol);
	const char *end = nr->text + l->off + l->len;
	if (end[l->end - 1] == '\n')
		return buf_append(out, end, l->end);
	return buf_appendstr(out, "\r\n");
}

int newsrc_format(const struct newsrc *nr, struct buf *out)
{
	int err = 0;

	for (size_t i = 0; i < nr->nlines && !err; i++) {
		const struct newsrc_line *l = &nr->lines[i];
		const struct newsrc_group *g = l->group ? nr->groups[l->group - 1] : NULL;
		const char *p = nr->text ? nr->text + l->off : "";

		if (!g || !g->rewrite) {
			/* As read; the last line stays without LF if it was. */
			err = i + 1 == nr->nlines ? buf_append(out, p, l->len + l->end)
			                          : buf_append(out, p, l->len);
			if (!err && i + 1 < nr->nlines)
				err = end_line(nr, l, out);
			continue;
		}
		err = buf_appendf(out, "%s%c", g->name, g->subscribed ? ':' : '!');
		if (!err && g->bad)
			err = buf_append(out, p + l->rest, l->len - l->rest);
		else if (!err && g->read.n)
			err = buf_appendstr(out, " ");
		if (!err && !g->bad)
			err = nrange_format(&g->read, out);
		if (!err)
			err = end_line(nr, l, out);
	}
	return err;
}

/* ---- the file on disk -------------------------------------------------- */

static void remember(struct newsrc *nr, const struct stat *st)
{
	nr->disk = NEWSRC_DISK_PRESENT;
	nr->dev = st->st_dev;
	nr->ino = st->st_ino;
	nr->size = st->st_size;
	nr->mtime = st->st_mtim;
}

int newsrc_load(const char *path, struct newsrc *nr)
{
	struct stat st;
	char *l = esc(path), *text = NULL;
	size_t len = 0;
	int err = 0;

	newsrc_clear(nr);
	/* O_NONBLOCK: a FIFO put there does not hang the loop. */
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) {
		nr->disk = NEWSRC_DISK_ABSENT;
		goto out;
	}
	if (fd < 0) {
		err = fail(nr, ERR_LOCAL, "%s: %s", l, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err = fail(nr, ERR_LOCAL, "%s: not a regular file", l);
		goto out;
	}
	if ((uint64_t)st.st_size > NEWSRC_MAX_BYTES)
		goto too_large;
	/* Read to the end, whatever the size said: the file may grow. */
	size_t cap = (size_t)st.st_size + 1;
	text = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap > NEWSRC_MAX_BYTES)
				goto too_large;
			cap *= 2;
			text = xrealloc(text, cap + 1);
		}
		ssize_t n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = fail(nr, ERR_LOCAL, "%s: %s", l, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > NEWSRC_MAX_BYTES)
		goto too_large;
	parse_owned(nr, text, len);
	text = NULL;
	remember(nr, &st);
	goto out;
too_large:
	err = fail(nr, ERR_LOCAL, "%s: larger than %zu MiB", l, NEWSRC_MAX_BYTES >> 20);
out:
	/* Saving the empty newsrc over a file that could not be read would
	 * lose it: newsrc_save refuses. */
	if (err)
		nr->disk = NEWSRC_DISK_UNREAD;
	if (fd >= 0)
		close(fd);
	free(text);
	free(l);
	return err;
}

/* The folder of path ("." for a bare name). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Follow symbolic links to the file they lead to (which may not exist
 * yet: a dangling ~/.newsrc link makes its target). */
static char *follow_links(struct newsrc *nr, const char *path)
{
	char *p = xstrdup(path);
	struct stat st;

	for (int hops = 0; lstat(p, &st) == 0 && S_ISLNK(st.st_mode); hops++) {
		size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
		char *t = xmalloc(cap + 1);
		ssize_t n = -1;
		if (hops == 40)
			errno = ELOOP;  /* as the kernel's own limit */
		else
			n = readlink(p, t, cap);
		if (n < 0 || (size_t)n >= cap) {
			char *l = esc(p);
			fail(nr, ERR_LOCAL, "%s: %s", l, n < 0 ? strerror(errno)
			     : "symbolic link changed while read");
			free(l);
			free(t);
			free(p);
			return NULL;
		}
		t[n] = '\0';
		char *next;
		if (t[0] == '/') {
			next = t;
		} else {
			char *d = dir_of(p);
			next = xasprintf("%s/%s", d, t);
			free(d);
			free(t);
		}
		free(p);
		p = next;
	}
	return p;
}

/* Is what is at target still what nr read or last wrote? */
static bool unchanged(const struct newsrc *nr, bool exists, const struct stat *st)
{
	switch (nr->disk) {
	case NEWSRC_DISK_ABSENT:
		return !exists;
	case NEWSRC_DISK_UNREAD:
		return false;
	case NEWSRC_DISK_PRESENT:
		return exists && st->st_dev == nr->dev && st->st_ino == nr->ino &&
		       st->st_size == nr->size &&
		       st->st_mtim.tv_sec == nr->mtime.tv_sec &&
		       st->st_mtim.tv_nsec == nr->mtime.tv_nsec;
	default:
		return true;    /* never read: nothing to compare with */
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write out to a temporary file next to target and rename it over. */
static int replace_file(struct newsrc *nr, const char *target, const struct buf *out,
                        const struct stat *old)
{
	char *tmp = xasprintf("%s.ferry-XXXXXX", target);
	char *l = esc(target);
	struct stat st;
	int err = 0;
	int fd = mkstemp(tmp);   /* mode 0600 */
	bool made = fd >= 0;

	if (fd < 0) {
		err = fail(nr, ERR_LOCAL, "%s: cannot make a temporary file: %s", l,
		           strerror(errno));
		goto out;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* Best effort: only root may give a file away, and a user only to
	 * the groups they are in. */
	if (old && (old->st_uid != geteuid() || old->st_gid != getegid()) &&
	    fchown(fd, old->st_uid, old->st_gid) < 0)
		errno = 0;
	if (write_all(fd, buf_peek(out), buf_avail(out)) < 0 ||
	    (old && fchmod(fd, old->st_mode & 07777) < 0) ||
	    fsync(fd) < 0 || fstat(fd, &st) < 0) {
		err = fail(nr, ERR_LOCAL, "%s: %s", l, strerror(errno));
		goto out;
	}
	int r = close(fd);
	fd = -1;
	if (r < 0 || rename(tmp, target) < 0) {
		err = fail(nr, ERR_LOCAL, "%s: %s", l, strerror(errno));
		goto out;
	}
	/* The rename itself is durable once the folder is synced; some
	 * file systems refuse, which costs only that. */
	char *d = dir_of(target);
	int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(d);
	remember(nr, &st);
out:
	if (fd >= 0)
		close(fd);
	if (err && made)
		unlink(tmp);
	free(tmp);
	free(l);
	return err;
}

int newsrc_save(struct newsrc *nr, const char *path)
{
	struct buf out;
	struct stat st;
	int err = 0;

	if (!nr->dirty)
		return 0;
	char *target = follow_links(nr, path);
	if (!target)
		return ERR_LOCAL;
	char *l = esc(target);
	buf_init(&out, NEWSRC_MAX_BYTES);
	bool exists = lstat(target, &st) == 0;
	if (!exists && errno != ENOENT) {
		err = fail(nr, ERR_LOCAL, "%s: %s", l, strerror(errno));
	} else if (exists && !S_ISREG(st.st_mode)) {
		err = fail(nr, ERR_LOCAL, "%s: not a regular file; not replaced", l);
	} else if (nr->disk == NEWSRC_DISK_UNREAD) {
		err = fail(nr, ERR_LOCAL, "%s: could not be read; not overwritten", l);
	} else if (!unchanged(nr, exists, &st)) {
		err = fail(nr, ERR_LOCAL, "%s changed since ferry read it (another "
		           "newsreader?); not overwritten", l);
	} else if (newsrc_format(nr, &out) < 0) {
		err = fail(nr, ERR_LOCAL, "%s: would be larger than %zu MiB", l,
		           NEWSRC_MAX_BYTES >> 20);
	} else {
		err = replace_file(nr, target, &out, exists ? &st : NULL);
	}
	if (!err)
		nr->dirty = false;
	buf_clear(&out);
	free(l);
	free(target);
	return err;
}

/* ---- which file -------------------------------------------------------- */

char *newsrc_file_name(const char *host, int port)
{
	if (!host || port < 0 || port > 65535)
		return NULL;
	size_t len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	bool v6 = memchr(host, ':', len) != NULL;
	if (!v6 && len && host[len - 1] == '.')
		len--;          /* "news.example.org." is the same host */
	if (len == 0)
		return NULL;

	struct buf b;
	char *name = NULL;
	buf_init(&b, 256);
	int err = buf_appendstr(&b, ".newsrc-");
	for (size_t i = 0; i < len && !err; i++) {
		unsigned char c = (unsigned char)host[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (v6 && c == ':')
			err = buf_appendstr(&b, "_");
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')
			err = buf_append(&b, &c, 1);
		else
			err = buf_appendf(&b, "%%%02x", c);
	}
	if (!err && port != 0 && port != 119 && port != 563)
		err = buf_appendf(&b, "+%d", port);
	if (!err && buf_avail(&b) <= 255)
		name = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	return name;
}

char *newsrc_path(const char *host, int port, bool is_default)
{
	const char *home = getenv("HOME");

	if (!home || !*home)
		return NULL;
	if (is_default)
		return xasprintf("%s/.newsrc", home);
	char *name = newsrc_file_name(host, port);
	char *path = name ? xasprintf("%s/%s", home, name) : NULL;
	free(name);
	return path;
}
