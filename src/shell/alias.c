/* alias.c - aliases and their expansion (alias.h). */
#include "alias.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

struct alias {
	char *name;
	char *text;
};

/* Where an alias's expansion sits in the text: [start, end). */
struct span {
	size_t start, end;
	char *name;
};

struct aliases {
	struct alias *v;
	size_t n, cap;
	struct span *sp;
	size_t nsp, capsp;
};

struct aliases *aliases_new(void)
{
	return xcalloc(1, sizeof(struct aliases));
}

void aliases_free(struct aliases *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].text);
	}
	alias_text_reset(a);
	free(a->v);
	free(a->sp);
	free(a);
}

bool alias_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64 || name[0] == '@' || name[0] == '!')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] <= ' ' || strchr("'\"\\;&|>#", name[i]))
			return false;
	return true;
}

static struct alias *find(const struct aliases *a, const char *name, size_t len)
{
	for (size_t i = 0; i < a->n; i++)
		if (strlen(a->v[i].name) == len && memcmp(a->v[i].name, name, len) == 0)
			return &a->v[i];
	return NULL;
}

void alias_set(struct aliases *a, const char *name, const char *text)
{
	struct alias *al = find(a, name, strlen(name));
	if (al) {
		free(al->text);
		al->text = xstrdup(text);
		return;
	}
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	/* Kept in name order, for the listing. */
	size_t i = a->n;
	while (i > 0 && strcmp(a->v[i - 1].name, name) > 0)
		i--;
	memmove(&a->v[i + 1], &a->v[i], (a->n - i) * sizeof(*a->v));
	a->v[i] = (struct alias){ xstrdup(name), xstrdup(text) };
	a->n++;
}

bool alias_del(struct aliases *a, const char *name)
{
	struct alias *al = find(a, name, strlen(name));
	if (!al)
		return false;
	free(al->name);
	free(al->text);
	size_t i = (size_t)(al - a->v);
	memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof(*a->v));
	a->n--;
	return true;
}

const char *alias_get(const struct aliases *a, const char *name)
{
	struct alias *al = find(a, name, strlen(name));
	return al ? al->text : NULL;
}

const char *alias_nth(const struct aliases *a, size_t i, const char **text)
{
	if (i >= a->n)
		return NULL;
	*text = a->v[i].text;
	return a->v[i].name;
}

/* Is name being expanded at pos (inside its own expansion)? */
static bool in_use(const struct aliases *a, const char *name, size_t pos)
{
	for (size_t i = 0; i < a->nsp; i++)
		if (a->sp[i].start <= pos && pos < a->sp[i].end &&
		    strcmp(a->sp[i].name, name) == 0)
			return true;
	return false;
}

char *alias_expand(struct aliases *a, const char *text, size_t pos)
{
	const char *w = text + pos;
	/* The first word, unquoted (a quote or backslash in it: no alias,
	 * as in sh). */
	size_t len = strcspn(w, " \t\n;&|>");
	if (len == 0 || memchr(w, '\'', len) || memchr(w, '"', len) || memchr(w, '\\', len))
		return NULL;
	struct alias *al = find(a, w, len);
	if (!al || in_use(a, al->name, pos))
		return NULL;
	size_t tl = strlen(al->text), total = strlen(text);
	char *out = xmalloc(total - len + tl + 1);
	memcpy(out, text, pos);
	memcpy(out + pos, al->text, tl);
	memcpy(out + pos + tl, w + len, total - pos - len + 1);
	/* Expansions that hold this word grow or shrink with it. */
	for (size_t i = 0; i < a->nsp; i++) {
		if (a->sp[i].end > pos)
			a->sp[i].end = a->sp[i].end + tl - len;
		if (a->sp[i].start > pos)
			a->sp[i].start = a->sp[i].start + tl - len;
	}
	if (a->nsp == a->capsp) {
		a->capsp = a->capsp ? a->capsp * 2 : 8;
		a->sp = xrealloc(a->sp, a->capsp * sizeof(*a->sp));
	}
	/* The span reaches past the alias's text by the one byte that ends
	 * its last word, so an alias whose text is its own name alone stops
	 * there too. */
	a->sp[a->nsp++] = (struct span){ pos, pos + tl + 1, xstrdup(al->name) };
	return out;
}

void alias_text_moved(struct aliases *a, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < a->nsp; i++) {
		if (a->sp[i].end <= n) {
			free(a->sp[i].name);
			continue;
		}
		a->sp[i].start = a->sp[i].start > n ? a->sp[i].start - n : 0;
		a->sp[i].end -= n;
		a->sp[k++] = a->sp[i];
	}
	a->nsp = k;
}

void alias_text_reset(struct aliases *a)
{
	for (size_t i = 0; i < a->nsp; i++)
		free(a->sp[i].name);
	a->nsp = 0;
}
