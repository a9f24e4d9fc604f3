/* nthread.c - threads of overview entries (Zawinski's algorithm) and the
 * dates of overview lines; see nthread.h.
 *
 * Every step is a pass over flat arrays of 32-bit container numbers, with
 * no recursion: a chain of 100k articles is 100k levels deep.
 *
 *  1. Containers: one per input article (number i), then one per
 *     message-id that is only referenced (a dummy).  A hash table maps each
 *     id to its container.  The first article with an id owns it; a later
 *     one with the same id is a message of its own that nothing can name.
 *  2. Links: an article's parent is the last usable entry of its own
 *     References: its word is final (the algorithm's step 1C).  A dummy's
 *     parent is the entry before it in the first References that names it
 *     (step 1B).  A reference to oneself is skipped.  Where the algorithm
 *     refuses each link that would close a loop (a walk to the root per
 *     link, quadratic on a long chain), the loops that remain are broken
 *     afterwards in one linear pass over the parent graph.
 *  3. Pruning: a dummy below an article goes, its children moving up; a
 *     dummy root gives way to its only child and goes when it has none.
 *  4. Subjects: roots whose article has no References are gathered by
 *     subject (step 5, restricted: an article that names a parent keeps to
 *     it, so two threads that share a subject stay apart).
 *  5. Order: siblings by date, then number, then input position; a dummy
 *     by its first child.  A depth-first walk gives the rows.
 */
#include "nthread.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

#define NONE UINT32_MAX
/* Containers are numbered in 32 bits, NONE excluded. */
#define NODES_MAX (UINT32_MAX - 1)

struct numidx {
	uint64_t num;
	size_t art;
};

struct nthread {
	struct nthread_row *rows;
	size_t nrows;
	size_t nart;
	size_t *art_row;       /* input index -> row */
	uint64_t *num;         /* input index -> article number */
	struct numidx *by_num; /* sorted by number, then input index */
	size_t *thread_first;  /* thread -> its first row; [nthreads] = nrows */
	size_t nthreads;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct nntp_span trim(struct nntp_span s)
{
	while (s.len && is_blank(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && is_blank(s.p[s.len - 1]))
		s.len--;
	return s;
}

/* ---- hash table: byte strings -> 32-bit values ---- */

/* SipHash-1-3 (Aumasson and Bernstein), keyed per table so that a server
 * cannot pick message-ids or subjects that all land in one slot.  The key
 * changes only the table's layout, never the result. */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                   \
	do {                                                       \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;             \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;             \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

static uint64_t siphash13(const uint64_t key[2], const char *p, size_t len)
{
	const unsigned char *b = (const unsigned char *)p;
	uint64_t v0 = 0x736f6d6570736575ULL ^ key[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ key[0];
	uint64_t v3 = 0x7465646279746573ULL ^ key[1];
	uint64_t m, last = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		m = 0;
		for (int k = 0; k < 8; k++)
			m |= (uint64_t)b[i + k] << (8 * k);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t k = 0; i + k < len; k++)
		last |= (uint64_t)b[i + k] << (8 * k);
	v3 ^= last;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

struct slot {
	uint32_t val;   /* NONE: free */
	uint32_t hash;
};

/* Open addressing, linear probing, at most half full.  The keys live with
 * the caller: keys[val] is the key of the slot holding val. */
struct stab {
	struct slot *s;
	size_t mask;
	size_t used;
	uint64_t key[2];
};

static void stab_alloc(struct stab *t, size_t cap)
{
	t->s = xmalloc(cap * sizeof(*t->s));
	for (size_t i = 0; i < cap; i++)
		t->s[i].val = NONE;
	t->mask = cap - 1;
}

/* Embedded table for about `expect` keys; stab_clear() frees it. */
static void stab_init(struct stab *t, size_t expect)
{
	size_t cap = 64;

	while (cap / 2 < expect && cap < SIZE_MAX / 4 / sizeof(struct slot))
		cap *= 2;
	stab_alloc(t, cap);
	t->used = 0;
	if (getentropy(t->key, sizeof(t->key)) != 0) {
		/* No entropy: still correct, only predictable. */
		t->key[0] = 0x0123456789abcdefULL;
		t->key[1] = 0xfedcba9876543210ULL;
	}
}

static void stab_clear(struct stab *t)
{
	free(t->s);
	t->s = NULL;
}

static void stab_grow(struct stab *t)
{
	struct slot *old = t->s;
	size_t oldcap = t->mask + 1;

	stab_alloc(t, oldcap * 2);
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].val == NONE)
			continue;
		size_t j = old[i].hash & t->mask;
		while (t->s[j].val != NONE)
			j = (j + 1) & t->mask;
		t->s[j] = old[i];
	}
	free(old);
}

/* The value stored under k; when there is none, nval is stored (unless it
 * is NONE) and returned.  The caller sets keys[nval] = k. */
static uint32_t stab_get(struct stab *t, const struct nntp_span *keys,
                         struct nntp_span k, uint32_t nval)
{
	uint32_t h = (uint32_t)siphash13(t->key, k.p, k.len);
	size_t i = h & t->mask;

	for (;; i = (i + 1) & t->mask) {
		const struct slot *s = &t->s[i];

		if (s->val == NONE)
			break;
		if (s->hash == h && keys[s->val].len == k.len &&
		    memcmp(keys[s->val].p, k.p, k.len) == 0)
			return s->val;
	}
	if (nval == NONE)
		return NONE;
	t->s[i].val = nval;
	t->s[i].hash = h;
	if (++t->used > t->mask / 2)
		stab_grow(t);
	return nval;
}

/* ---- References ---- */

/* The next message-id of p[*pos..len): "<", no blank, "<" or ">", ">",
 * valid by nntp_msgid_valid().  Anything else between ids (commas, junk,
 * no blank at all) is skipped. */
static bool next_ref(const char *p, size_t len, size_t *pos, struct nntp_span *id)
{
	size_t i = *pos;

	while (i < len) {
		if (p[i] != '<') {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < len && p[j] != '>' && p[j] != '<' && !is_blank(p[j]))
			j++;
		if (j < len && p[j] == '>') {
			if (nntp_msgid_valid(p + i, j + 1 - i)) {
				id->p = p + i;
				id->len = j + 1 - i;
				*pos = j + 1;
				return true;
			}
			j++;
		}
		i = j;   /* at a '<' it starts over there */
	}
	*pos = len;
	return false;
}

/* The first reference and the last NTHREAD_REFS_MAX - 1 (a ring). */
struct refs {
	struct nntp_span first;
	struct nntp_span ring[NTHREAD_REFS_MAX - 1];
	size_t count;
};

static void refs_read(struct refs *r, struct nntp_span field)
{
	struct nntp_span id;
	size_t pos = 0;

	r->count = 0;
	while (next_ref(field.p, field.len, &pos, &id)) {
		if (r->count == 0)
			r->first = id;
		else
			r->ring[(r->count - 1) % (NTHREAD_REFS_MAX - 1)] = id;
		r->count++;
	}
}

/* The i-th kept reference, 0 <= i < min(count, NTHREAD_REFS_MAX). */
static struct nntp_span refs_at(const struct refs *r, size_t i)
{
	const size_t ring = NTHREAD_REFS_MAX - 1;

	if (i == 0)
		return r->first;
	if (r->count - 1 <= ring)
		return r->ring[i - 1];
	return r->ring[(r->count - 1 + i - 1) % ring];
}

/* ---- building ---- */

struct build {
	const struct nntp_over *ov;
	size_t n;
	uint32_t *parent;        /* per container */
	struct nntp_span *key;   /* per container: its message-id */
	size_t nodes, cap;
	struct stab ids;
};

/* The container of a referenced id: its article's, or a dummy (new when
 * the id is new).  NONE past NODES_MAX containers. */
static uint32_t resolve(struct build *b, struct nntp_span id)
{
	uint32_t c;

	if (b->nodes >= NODES_MAX)
		return NONE;
	if (b->nodes == b->cap) {
		b->cap *= 2;
		b->parent = xrealloc(b->parent, b->cap * sizeof(*b->parent));
		b->key = xrealloc(b->key, b->cap * sizeof(*b->key));
	}
	/* The next container's key, used only if the id is new. */
	b->key[b->nodes] = id;
	c = stab_get(&b->ids, b->key, id, (uint32_t)b->nodes);
	if (c == b->nodes)
		b->parent[b->nodes++] = NONE;
	return c;
}

/* Links of article i: dummies along its References, then the article
 * under the last one.  *has_refs: it names some other message.  0 or
 * ERR_TOOLONG. */
static int link_article(struct build *b, uint32_t i, bool *has_refs)
{
	struct refs r;
	uint32_t chain[NTHREAD_REFS_MAX];
	size_t k = 0;

	refs_read(&r, b->ov[i].f[NNTP_OV_REFS]);
	for (size_t j = 0; j < r.count && j < NTHREAD_REFS_MAX; j++) {
		uint32_t c = resolve(b, refs_at(&r, j));

		if (c == NONE)
			return ERR_TOOLONG;
		if (c == i || (k && chain[k - 1] == c))
			continue;
		chain[k++] = c;
	}
	for (size_t j = 1; j < k; j++) {
		uint32_t p = chain[j - 1], c = chain[j];

		/* A dummy takes the first parent offered; an article only its
		 * own.  Two dummies naming each other is the common loop
		 * ("<a> <b>" here, "<b> <a>" there): refused at once. */
		if (c >= b->n && b->parent[c] == NONE && b->parent[p] != c)
			b->parent[c] = p;
	}
	b->parent[i] = k ? chain[k - 1] : NONE;
	*has_refs = k > 0;
	return 0;
}

/* Make the parent graph a forest: each loop loses one link, a dummy's if
 * it has one (a guess), else that of its earliest article.  Each container
 * is walked once: 0 new, 1 on the current path, 2 done. */
static void break_loops(uint32_t *parent, size_t nodes, size_t n)
{
	unsigned char *state = xcalloc(nodes ? nodes : 1, 1);

	for (size_t v = 0; v < nodes; v++) {
		uint32_t u = (uint32_t)v;

		while (u != NONE && state[u] == 0) {
			state[u] = 1;
			u = parent[u];
		}
		if (u != NONE && state[u] == 1) {
			uint32_t cut = u, w = u;

			do {
				bool wd = w >= n, cd = cut >= n;
				if ((wd && !cd) || (wd == cd && w < cut))
					cut = w;
				state[w] = 2;
				w = parent[w];
			} while (w != u);
			parent[cut] = NONE;
		}
		for (u = (uint32_t)v; u != NONE && state[u] == 1; u = parent[u])
			state[u] = 2;
	}
	free(state);
}

/* The nearest article above dummy d, or the dummy at the root of its tree.
 * Memoised in anc[] (indexed from the first dummy, n) so that every
 * container is walked once. */
static uint32_t dummy_anchor(uint32_t d, const uint32_t *parent, uint32_t *anc, size_t n)
{
	uint32_t u = d, val;

	for (;;) {
		if (u < n) {
			val = u;
			break;
		}
		if (anc[u - n] != NONE) {
			val = anc[u - n];
			break;
		}
		if (parent[u] == NONE) {
			val = u;
			break;
		}
		u = parent[u];
	}
	for (u = d; u >= n && anc[u - n] == NONE; u = parent[u]) {
		anc[u - n] = val;
		if (parent[u] == NONE)
			break;
	}
	return val;
}

/* Sort keys of a container. */
struct item {
	int64_t date;
	uint64_t num;
	uint32_t node;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

static int numidx_cmp(const void *a, const void *b)
{
	const struct numidx *x = a, *y = b;

	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return (x->art > y->art) - (x->art < y->art);
}

/* Gather article roots without References by subject.  up[] holds the
 * parent of each of the first `nodes` containers; new dummies are numbered
 * from `nodes` on (up[] has room for n / 2 of them).  Returns the new
 * number of containers. */
static size_t group_subjects(const struct nntp_over *ov, size_t n, const bool *has_refs,
                             uint32_t *up, size_t nodes)
{
	struct nntp_span *gkey = xmalloc((n ? n : 1) * sizeof(*gkey));
	uint32_t *grp = xmalloc((n ? n : 1) * sizeof(*grp));
	uint32_t *gcount = xcalloc(n ? n : 1, sizeof(*gcount));
	uint32_t *gnonreply = xcalloc(n ? n : 1, sizeof(*gnonreply));
	uint32_t *gfirst = xmalloc((n ? n : 1) * sizeof(*gfirst));
	uint32_t *gdummy = xmalloc((n ? n : 1) * sizeof(*gdummy));
	bool *reply = xmalloc(n ? n : 1);
	uint32_t ngroups = 0;
	struct stab subj;

	stab_init(&subj, n / 4);
	for (size_t v = 0; v < n; v++) {
		struct nntp_span base;

		grp[v] = NONE;
		if (up[v] != NONE || has_refs[v])
			continue;
		base = nthread_subject_base(ov[v].f[NNTP_OV_SUBJECT], &reply[v]);
		if (base.len == 0)
			continue;
		uint32_t g = stab_get(&subj, gkey, base, ngroups);
		if (g == ngroups) {
			gkey[g] = base;
			gfirst[g] = NONE;
			gdummy[g] = NONE;
			ngroups++;
		}
		grp[v] = g;
		gcount[g]++;
		if (!reply[v] && gnonreply[g]++ == 0)
			gfirst[g] = (uint32_t)v;
	}
	/* One original and its replies: the replies go under it.  Otherwise
	 * (several originals, or replies only) nothing says who answers
	 * whom: they become siblings under a dummy. */
	for (size_t v = 0; v < n; v++) {
		uint32_t g = grp[v];

		if (g == NONE || gcount[g] < 2)
			continue;
		if (gnonreply[g] == 1) {
			if (gfirst[g] != v)
				up[v] = gfirst[g];
			continue;
		}
		if (gdummy[g] == NONE) {
			gdummy[g] = (uint32_t)nodes++;
			up[gdummy[g]] = NONE;
		}
		up[v] = gdummy[g];
	}
	stab_clear(&subj);
	free(gkey);
	free(grp);
	free(gcount);
	free(gnonreply);
	free(gfirst);
	free(gdummy);
	free(reply);
	return nodes;
}

/* Rows from the forest up[0..nodes): children sorted, depth first. */
static void make_rows(struct nthread *t, const struct nntp_over *ov, size_t n,
                      const uint32_t *up, size_t nodes)
{
	size_t *start = xcalloc(nodes + 2, sizeof(*start));
	struct item *items = xmalloc((nodes ? nodes : 1) * sizeof(*items));
	size_t *fill = xmalloc((nodes + 1) * sizeof(*fill));
	struct { uint32_t node, depth; size_t prow; bool last; } *stack;

	/* Children of p at items[start[p]..start[p + 1]); roots under p = nodes. */
	for (size_t v = 0; v < nodes; v++)
		start[(up[v] == NONE ? nodes : up[v]) + 1]++;
	for (size_t p = 0; p <= nodes; p++)
		start[p + 1] += start[p];
	memcpy(fill, start, (nodes + 1) * sizeof(*fill));
	for (size_t v = 0; v < nodes; v++) {
		struct item *it = &items[fill[up[v] == NONE ? nodes : up[v]]++];

		it->node = (uint32_t)v;
		it->num = v < n ? ov[v].num : 0;
		it->date = 0;
		if (v < n && nthread_parse_date(ov[v].f[NNTP_OV_DATE].p,
		                                ov[v].f[NNTP_OV_DATE].len, &it->date) < 0)
			it->date = 0;
	}
	free(fill);
	for (size_t p = 0; p < nodes; p++)
		if (start[p + 1] - start[p] > 1)
			qsort(items + start[p], start[p + 1] - start[p], sizeof(*items), item_cmp);
	/* A dummy (always a root) sorts as its first child. */
	for (size_t i = start[nodes]; i < start[nodes + 1]; i++) {
		uint32_t d = items[i].node;

		if (d >= n && start[d + 1] > start[d]) {
			items[i].date = items[start[d]].date;
			items[i].num = items[start[d]].num;
		}
	}
	qsort(items + start[nodes], start[nodes + 1] - start[nodes], sizeof(*items), item_cmp);

	t->rows = xmalloc((nodes ? nodes : 1) * sizeof(*t->rows));
	t->thread_first = xmalloc((start[nodes + 1] - start[nodes] + 1) * sizeof(size_t));
	stack = xmalloc((nodes ? nodes : 1) * sizeof(*stack));
	t->nrows = 0;
	t->nthreads = 0;
	for (size_t ri = start[nodes]; ri < start[nodes + 1]; ri++) {
		size_t sp = 0;

		stack[sp].node = items[ri].node;
		stack[sp].depth = 0;
		stack[sp].prow = NTHREAD_NONE;
		stack[sp].last = ri + 1 == start[nodes + 1];
		sp++;
		t->thread_first[t->nthreads] = t->nrows;
		while (sp) {
			uint32_t v = stack[--sp].node;
			struct nthread_row *r = &t->rows[t->nrows];

			r->art = v < n ? v : NTHREAD_NONE;
			r->first = v < n ? v : items[start[v]].node;
			r->parent = stack[sp].prow;
			r->thread = t->nthreads;
			r->depth = stack[sp].depth;
			r->last = stack[sp].last;
			if (v < n)
				t->art_row[v] = t->nrows;
			/* Pushed last to first, so the first child comes next. */
			for (size_t i = start[v + 1]; i > start[v]; i--) {
				stack[sp].node = items[i - 1].node;
				stack[sp].depth = r->depth + 1;
				stack[sp].prow = t->nrows;
				stack[sp].last = i == start[v + 1];
				sp++;
			}
			t->nrows++;
		}
		t->nthreads++;
	}
	t->thread_first[t->nthreads] = t->nrows;
	free(stack);
	free(items);
	free(start);
}

int nthread_new(struct nthread **out, const struct nntp_over *ov, size_t n)
{
	struct build b = { .ov = ov, .n = n };
	struct nthread *t = NULL;
	uint32_t *anc = NULL, *up = NULL, *kids = NULL;
	bool *has_refs = NULL;
	size_t ndummy, kept, nodes;
	int err = 0;

	*out = NULL;
	/* Dummies of each kind are fewer than n. */
	if (n > NODES_MAX / 3)
		return ERR_TOOLONG;
	b.cap = n * 2 + 16;
	b.parent = xmalloc(b.cap * sizeof(*b.parent));
	b.key = xmalloc(b.cap * sizeof(*b.key));
	b.nodes = n;
	has_refs = xmalloc(n ? n : 1);
	stab_init(&b.ids, n * 2);

	/* 1. Own message-ids: the first article of an id owns it. */
	for (size_t i = 0; i < n; i++) {
		b.key[i] = trim(ov[i].f[NNTP_OV_MSGID]);
		b.parent[i] = NONE;
		if (nntp_msgid_valid(b.key[i].p, b.key[i].len))
			stab_get(&b.ids, b.key, b.key[i], (uint32_t)i);
	}
	/* 2. Links, then no loops. */
	for (size_t i = 0; i < n; i++) {
		err = link_article(&b, (uint32_t)i, &has_refs[i]);
		if (err < 0)
			goto out;
	}
	stab_clear(&b.ids);
	break_loops(b.parent, b.nodes, n);

	/* 3. Pruning: each article's parent becomes an article or a dummy
	 * root; a dummy root keeps two children or more. */
	ndummy = b.nodes - n;
	anc = xmalloc((ndummy ? ndummy : 1) * sizeof(*anc));
	kids = xcalloc(ndummy ? ndummy : 1, sizeof(*kids));
	for (size_t d = 0; d < ndummy; d++)
		anc[d] = NONE;
	for (size_t v = 0; v < n; v++) {
		uint32_t p = b.parent[v];

		if (p != NONE && p >= n)
			p = dummy_anchor(p, b.parent, anc, n);
		b.parent[v] = p;
		if (p != NONE && p >= n)
			kids[p - n]++;
	}
	/* Kept dummies are renumbered n, n + 1, ... (anc[] is free now). */
	kept = 0;
	for (size_t d = 0; d < ndummy; d++)
		anc[d] = kids[d] >= 2 ? (uint32_t)(n + kept++) : NONE;
	nodes = n + kept;
	up = xmalloc((nodes + n / 2 + 1) * sizeof(*up));
	for (size_t v = 0; v < n; v++) {
		uint32_t p = b.parent[v];

		up[v] = p == NONE || p < n ? p : anc[p - n];
	}
	for (size_t d = n; d < nodes; d++)
		up[d] = NONE;

	/* 4. Subjects. */
	nodes = group_subjects(ov, n, has_refs, up, nodes);

	/* 5. Rows, and the lookups. */
	t = xcalloc(1, sizeof(*t));
	t->nart = n;
	t->art_row = xmalloc((n ? n : 1) * sizeof(*t->art_row));
	t->num = xmalloc((n ? n : 1) * sizeof(*t->num));
	t->by_num = xmalloc((n ? n : 1) * sizeof(*t->by_num));
	for (size_t i = 0; i < n; i++) {
		t->num[i] = ov[i].num;
		t->by_num[i].num = ov[i].num;
		t->by_num[i].art = i;
	}
	qsort(t->by_num, n, sizeof(*t->by_num), numidx_cmp);
	make_rows(t, ov, n, up, nodes);
	*out = t;
out:
	if (err < 0)
		stab_clear(&b.ids);
	free(b.parent);
	free(b.key);
	free(has_refs);
	free(anc);
	free(kids);
	free(up);
	return err;
}

void nthread_free(struct nthread *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->art_row);
	free(t->num);
	free(t->by_num);
	free(t->thread_first);
	free(t);
}

const struct nthread_row *nthread_rows(const struct nthread *t, size_t *nrows)
{
	*nrows = t->nrows;
	return t->rows;
}

size_t nthread_row_of(const struct nthread *t, size_t art)
{
	return art < t->nart ? t->art_row[art] : NTHREAD_NONE;
}

size_t nthread_find(const struct nthread *t, uint64_t num)
{
	size_t lo = 0, hi = t->nart;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->by_num[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->nart && t->by_num[lo].num == num)
		return t->art_row[t->by_num[lo].art];
	return NTHREAD_NONE;
}

int nthread_thread_of(const struct nthread *t, uint64_t num, size_t *first, size_t *count)
{
	size_t row = nthread_find(t, num);

	if (row == NTHREAD_NONE)
		return ERR_NOTFOUND;
	size_t th = t->rows[row].thread;
	*first = t->thread_first[th];
	*count = t->thread_first[th + 1] - *first;
	return 0;
}

size_t nthread_next_unread(const struct nthread *t, size_t row, bool same_thread,
                           nthread_read_fn is_read, void *arg)
{
	size_t i = 0, end = t->nrows;

	if (row != NTHREAD_NONE) {
		if (row >= t->nrows)
			return NTHREAD_NONE;
		i = row + 1;
		if (same_thread)
			end = t->thread_first[t->rows[row].thread + 1];
	}
	for (; i < end; i++) {
		size_t art = t->rows[i].art;

		if (art != NTHREAD_NONE && !is_read(t->num[art], arg))
			return i;
	}
	return NTHREAD_NONE;
}

/* Append s when it fits whole (with the NUL); once one piece did not fit,
 * none after it is appended. */
static size_t put(char *buf, size_t size, size_t pos, bool *full, const char *s)
{
	size_t n = strlen(s);

	if (*full || pos + n + 1 > size) {
		*full = true;
		return pos;
	}
	memcpy(buf + pos, s, n + 1);
	return pos + n;
}

size_t nthread_prefix(const struct nthread *t, size_t row, bool ascii, char *buf, size_t size)
{
	bool lastf[NTHREAD_DRAW_LEVELS], full = false;
	size_t levels, pos = 0, a = row;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (row >= t->nrows || t->rows[row].depth == 0)
		return 0;
	levels = t->rows[row].depth < NTHREAD_DRAW_LEVELS ? t->rows[row].depth
	                                                  : NTHREAD_DRAW_LEVELS;
	/* The row itself and the levels - 1 ancestors above it, none of
	 * them the root (depth 0 is not drawn). */
	for (size_t k = levels; k-- > 0;) {
		lastf[k] = t->rows[a].last;
		a = t->rows[a].parent;
	}
	for (size_t k = 0; k + 1 < levels; k++)
		pos = put(buf, size, pos, &full, lastf[k] ? "  " : ascii ? "| " : "\u2502 ");
	if (lastf[levels - 1])
		pos = put(buf, size, pos, &full, ascii ? "`->" : "\u2514\u2500>");
	else
		pos = put(buf, size, pos, &full, ascii ? "|->" : "\u251c\u2500>");
	return pos;
}

/* ---- subjects ---- */

struct nntp_span nthread_subject_base(struct nntp_span s, bool *reply)
{
	/* "fwd" before "fw": the first match is taken. */
	static const char *const prefixes[] = { "re", "fwd", "fw", "sv", "aw" };
	const char *p = s.p, *end = s.p + s.len;
	struct nntp_span r;

	*reply = false;
	for (;;) {
		const char *q = NULL;

		while (p < end && is_blank(*p))
			p++;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t n = strlen(prefixes[i]);

			if ((size_t)(end - p) > n && strncasecmp(p, prefixes[i], n) == 0) {
				q = p + n;
				break;
			}
		}
		if (!q)
			break;
		/* "Re[2]:" and "Re^2:" count the replies. */
		if (q < end && (*q == '[' || *q == '^')) {
			char open = *q++;
			const char *digits = q;

			while (q < end && *q >= '0' && *q <= '9')
				q++;
			if (q == digits || (open == '[' && (q >= end || *q++ != ']')))
				break;
		}
		if (q >= end || *q != ':')
			break;
		p = q + 1;
		*reply = true;
	}
	r.p = p;
	r.len = (size_t)(end - p);
	return trim(r);
}

/* ---- dates ---- */

struct dscan {
	const char *p;
	size_t len, i;
};

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Blanks, line breaks and (nested) comments. */
static void d_cfws(struct dscan *s)
{
	size_t depth = 0;

	for (; s->i < s->len; s->i++) {
		char c = s->p[s->i];

		if (c == '(')
			depth++;
		else if (c == ')' && depth)
			depth--;
		else if (depth && c == '\\' && s->i + 1 < s->len)
			s->i++;
		else if (!depth && !is_blank(c) && c != '\r' && c != '\n')
			break;
	}
}

static bool d_char(struct dscan *s, char c)
{
	if (s->i < s->len && s->p[s->i] == c) {
		s->i++;
		return true;
	}
	return false;
}

/* A run of min..max digits (not followed by another digit); its length. */
static size_t d_num(struct dscan *s, int *v, size_t min, size_t max)
{
	size_t k = 0;

	*v = 0;
	while (s->i + k < s->len && is_digit(s->p[s->i + k])) {
		if (k == max)
			return 0;
		*v = *v * 10 + (s->p[s->i + k] - '0');
		k++;
	}
	if (k < min)
		return 0;
	s->i += k;
	return k;
}

/* A run of letters: where it starts and its length (0: none). */
static size_t d_word(struct dscan *s, const char **w)
{
	size_t k = 0;

	*w = s->p + s->i;
	while (s->i + k < s->len && is_alpha(s->p[s->i + k]))
		k++;
	s->i += k;
	return k;
}

/* Index of the name w[0..len) is an abbreviation of (3 letters at least),
 * or -1. */
static int d_name(const char *w, size_t len, const char *const *names, int count)
{
	for (int i = 0; len >= 3 && i < count; i++)
		if (len <= strlen(names[i]) && strncasecmp(w, names[i], len) == 0)
			return i;
	return -1;
}

static const char *const month_names[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december",
};
static const char *const day_names[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

static bool d_month(struct dscan *s, int *mon)
{
	const char *w;
	size_t k = d_word(s, &w);

	*mon = d_name(w, k, month_names, 12) + 1;
	return *mon > 0;
}

static bool d_year(struct dscan *s, int *year)
{
	size_t k = d_num(s, year, 2, 4);

	if (k == 2)
		*year += *year < 50 ? 2000 : 1900;
	else if (k == 3)
		*year += 1900;
	return k > 0;
}

/* hh:mm[:ss], blanks or comments allowed around the colons (4.3). */
static bool d_time(struct dscan *s, int *hh, int *mi, int *ss)
{
	size_t save;

	*ss = 0;
	if (!d_num(s, hh, 1, 2))
		return false;
	d_cfws(s);
	if (!d_char(s, ':'))
		return false;
	d_cfws(s);
	if (!d_num(s, mi, 2, 2))
		return false;
	save = s->i;
	d_cfws(s);
	if (d_char(s, ':')) {
		d_cfws(s);
		if (!d_num(s, ss, 2, 2))
			return false;
	} else {
		s->i = save;
	}
	return *hh <= 23 && *mi <= 59 && *ss <= 60;
}

/* A zone, when there is one: *off is what it adds to UTC, in seconds. */
static bool d_zone(struct dscan *s, long *off)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = {
		{ "UT", 0 }, { "GMT", 0 }, { "UTC", 0 }, { "Z", 0 },
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
	};
	const char *w;
	size_t k;
	int hh, mm;

	*off = 0;
	if (s->i >= s->len)
		return false;
	if (s->p[s->i] == '+' || s->p[s->i] == '-') {
		size_t save = s->i;
		long sign = s->p[s->i++] == '-' ? -1 : 1;

		/* "+hhmm", and "+hh:mm" as some software writes it. */
		if (d_num(s, &hh, 4, 4)) {
			mm = hh % 100;
			hh /= 100;
		} else if (!d_num(s, &hh, 2, 2) || !d_char(s, ':') || !d_num(s, &mm, 2, 2)) {
			s->i = save;
			return false;
		}
		if (mm > 59) {
			s->i = save;
			return false;
		}
		*off = sign * (hh * 3600L + mm * 60L);
		return true;
	}
	k = d_word(s, &w);
	if (k == 0)
		return false;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (k == strlen(zones[i].name) && strncasecmp(w, zones[i].name, k) == 0)
			*off = zones[i].hours * 3600L;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : mdays[m - 1];
}

int nthread_parse_date(const char *p, size_t len, int64_t *out)
{
	struct dscan s = { p, len, 0 };
	int day, mon, year, hh, mi, ss;
	long off = 0;
	const char *w;
	size_t k, save;

	d_cfws(&s);
	save = s.i;
	k = d_word(&s, &w);
	if (k && d_name(w, k, day_names, 7) >= 0) {
		d_cfws(&s);
		d_char(&s, ',');
		d_cfws(&s);
	} else {
		s.i = save;
	}
	if (s.i < s.len && is_alpha(s.p[s.i])) {
		/* asctime: "Jan  3 10:00:00 [zone] 2023 [zone]". */
		if (!d_month(&s, &mon))
			return ERR_PROTO;
		d_cfws(&s);
		if (!d_num(&s, &day, 1, 2))
			return ERR_PROTO;
		d_cfws(&s);
		if (!d_time(&s, &hh, &mi, &ss))
			return ERR_PROTO;
		d_cfws(&s);
		bool zone = d_zone(&s, &off);
		d_cfws(&s);
		if (!d_year(&s, &year))
			return ERR_PROTO;
		d_cfws(&s);
		if (!zone)
			d_zone(&s, &off);
	} else {
		/* RFC 5322: "3 Jan 2023 10:00[:00] [zone]"; RFC 850's
		 * "03-Jan-23" too. */
		if (!d_num(&s, &day, 1, 2))
			return ERR_PROTO;
		d_cfws(&s);
		bool dash = d_char(&s, '-');
		d_cfws(&s);
		if (!d_month(&s, &mon))
			return ERR_PROTO;
		d_cfws(&s);
		if (dash && !d_char(&s, '-'))
			return ERR_PROTO;
		d_cfws(&s);
		if (!d_year(&s, &year))
			return ERR_PROTO;
		d_cfws(&s);
		if (!d_time(&s, &hh, &mi, &ss))
			return ERR_PROTO;
		d_cfws(&s);
		d_zone(&s, &off);
	}
	if (day < 1 || day > days_in_month(year, mon))
		return ERR_PROTO;
	/* timegm() reads no time zone; a leap second rolls over. */
	struct tm tm = {
		.tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
		.tm_hour = hh, .tm_min = mi, .tm_sec = ss,
	};
	*out = (int64_t)timegm(&tm) - off;
	return 0;
}
