/* argv.c - splitting command lines into commands and words (see argv.h).
 *
 * One scanner serves both argv_next() (strict: an open quote is an error)
 * and argv_partial() (lenient: an open quote is reported, because the user
 * is still typing).  The scanner works on an explicit end pointer so that
 * argv_partial() can stop at the cursor without copying the line.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "err.h"

struct word {
	char *s;
	size_t len, cap;
};

struct scan {
	const char *p, *end;
	bool partial;        /* argv_partial mode */
	struct argv *out;
	int cap;             /* allocated argv slots */
	/* argv_partial results: */
	char open_quote;
	bool in_word;        /* the scan stopped inside a word */
	size_t word_start;   /* offset of the last word's start */
	const char *base;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void word_put(struct word *w, char c)
{
	if (w->len + 1 >= w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->s = xrealloc(w->s, w->cap);
	}
	w->s[w->len++] = c;
	w->s[w->len] = '\0';
}

static void argv_push(struct scan *sc, struct word *w, bool quoted)
{
	struct argv *a = sc->out;

	if (a->argc + 2 > sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 8;
		a->argv = xrealloc(a->argv, (size_t)sc->cap * sizeof(*a->argv));
		a->quoted = xrealloc(a->quoted, (size_t)sc->cap);
	}
	a->argv[a->argc] = w->s ? w->s : xstrdup("");
	a->quoted[a->argc] = quoted;
	a->argc++;
	a->argv[a->argc] = NULL;
	a->quoted[a->argc] = 0;
	w->s = NULL;
	w->len = w->cap = 0;
}

/* Scan one word starting at sc->p (not a blank, separator or comment).
 * Returns 0, or ERR_USAGE with *why set. */
static int scan_word(struct scan *sc, const char **why)
{
	struct word w = { 0 };
	bool quoted = false;
	const char *p = sc->p, *end = sc->end;
	int rc = 0;

	sc->word_start = (size_t)(p - sc->base);
	while (p < end && !is_blank(*p) && *p != ';' && *p != '\n') {
		char c = *p++;

		if (c == '\\') {
			quoted = true;
			if (p >= end) {
				if (sc->partial)
					break;
				*why = "trailing backslash";
				rc = ERR_USAGE;
				goto out;
			}
			/* Backslash-newline joins lines, as in sh. */
			if (*p != '\n')
				word_put(&w, *p);
			p++;
		} else if (c == '\'') {
			quoted = true;
			while (p < end && *p != '\'')
				word_put(&w, *p++);
			if (p >= end) {
				sc->open_quote = '\'';
				goto unterminated;
			}
			p++;
		} else if (c == '"') {
			quoted = true;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end &&
				    strchr("\"\\$`\n", p[1])) {
					if (p[1] != '\n')
						word_put(&w, p[1]);
					p += 2;
					continue;
				}
				word_put(&w, *p++);
			}
			if (p >= end) {
				sc->open_quote = '"';
				goto unterminated;
			}
			p++;
		} else {
			word_put(&w, c);
		}
	}
	sc->p = p;
	sc->in_word = sc->partial && p >= end;
	argv_push(sc, &w, quoted);
	return 0;
unterminated:
	if (sc->partial) {
		sc->p = p;
		sc->in_word = true;
		argv_push(sc, &w, quoted);
		return 0;
	}
	*why = sc->open_quote == '\'' ? "unterminated single quote" :
	                                "unterminated double quote";
	rc = ERR_USAGE;
out:
	free(w.s);
	return rc;
}

void argv_clear(struct argv *a)
{
	int i;

	if (!a)
		return;
	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	free(a->quoted);
	free(a->redirect);
	free(a->pipe);
	memset(a, 0, sizeof(*a));
}

/* After '>' or '>>' at sc->p: the file name word, taken out of argv. */
static int scan_redirect(struct scan *sc, const char **why)
{
	struct argv *a = sc->out;
	int rc;

	if (a->redirect || a->pipe) {
		*why = "only one output per command (one >, >> or |)";
		return ERR_USAGE;
	}
	a->append = sc->p + 1 < sc->end && sc->p[1] == '>';
	sc->p += a->append ? 2 : 1;
	while (sc->p < sc->end && is_blank(*sc->p))
		sc->p++;
	if (sc->p >= sc->end || strchr(";\n&|>#", *sc->p)) {
		*why = "a file name must follow > or >>";
		return ERR_USAGE;
	}
	if ((rc = scan_word(sc, why)) < 0)
		return rc;
	a->redirect = a->argv[--a->argc];
	a->argv[a->argc] = NULL;
	if (!*a->redirect) {
		*why = "a file name must follow > or >>";
		return ERR_USAGE;
	}
	return 0;
}

/* After '|' at sc->p: the rest of the line is the command. */
static int scan_pipe(struct scan *sc, const char **why)
{
	struct argv *a = sc->out;
	const char *b = sc->p + 1, *e = b;

	if (a->redirect || a->pipe) {
		*why = "only one output per command (one >, >> or |)";
		return ERR_USAGE;
	}
	while (e < sc->end && *e != '\n')
		e++;
	sc->p = e < sc->end ? e + 1 : e;
	while (b < e && is_blank(*b))
		b++;
	while (e > b && is_blank(e[-1]))
		e--;
	if (b == e) {
		*why = "a command must follow |";
		return ERR_USAGE;
	}
	a->pipe = xstrndup(b, (size_t)(e - b));
	return 0;
}

int argv_next(const char **pos, struct argv *out, const char **why)
{
	struct scan sc = { 0 };
	const char *dummy, *start = *pos;
	int rc;

	argv_clear(out);
	if (!why)
		why = &dummy;
	*why = "";
	if (!*pos)
		return 0;
	sc.p = sc.base = *pos;
	sc.end = *pos + strlen(*pos);
	sc.out = out;
	while (sc.p < sc.end) {
		char c = *sc.p;

		if (is_blank(c)) {
			sc.p++;
		} else if (c == ';' || c == '\n') {
			sc.p++;
			if (out->argc > 0)
				break;
		} else if (c == '#') {
			/* Only reached at the start of a word. */
			while (sc.p < sc.end && *sc.p != '\n')
				sc.p++;
		} else if (c == '&' || c == '|' || c == '>') {
			/* Operators: only reached at the start of a word. */
			if (out->argc == 0) {
				*why = c == '>' ? "a command must come before >" :
				       c == '|' ? "a command must come before |" :
				                  "a command must come before &";
				rc = ERR_USAGE;
			} else if (c == '&') {
				sc.p++;
				out->background = 1;
				break;
			} else {
				rc = c == '|' ? scan_pipe(&sc, why) : scan_redirect(&sc, why);
				if (rc == 0 && c == '|')
					break;
			}
			if (rc < 0) {
				argv_clear(out);
				*pos = start;
				return rc;
			}
		} else {
			if (out->argc == 0)
				start = sc.p;
			if ((rc = scan_word(&sc, why)) < 0) {
				argv_clear(out);
				/* Left at the broken command, so the caller
				 * can report it and skip its line. */
				*pos = start;
				return rc;
			}
		}
	}
	*pos = sc.p;
	return out->argc > 0 ? 1 : 0;
}

int argv_partial(const char *line, size_t point, struct argv *out,
                 int *word_index, char *open_quote, size_t *word_start)
{
	struct scan sc = { 0 };
	const char *why;
	int rc;

	argv_clear(out);
	*word_index = 0;
	*open_quote = '\0';
	*word_start = point;
	if (!line || point > strlen(line))
		return ERR_USAGE;
	sc.p = sc.base = line;
	sc.end = line + point;
	sc.out = out;
	sc.partial = true;
	while (sc.p < sc.end) {
		char c = *sc.p;

		/* Anything after a word means a new one starts at point. */
		sc.in_word = false;
		if (is_blank(c)) {
			sc.p++;
		} else if (c == ';' || c == '\n') {
			/* Only the last command matters to completion. */
			sc.p++;
			argv_clear(out);
			sc.cap = 0;
		} else if (c == '#') {
			while (sc.p < sc.end && *sc.p != '\n')
				sc.p++;
		} else {
			sc.open_quote = '\0';
			rc = scan_word(&sc, &why);
			if (rc < 0) {
				argv_clear(out);
				return rc;
			}
		}
	}
	if (!out->argv) {
		/* Callers may index argv[0] without checking argc. */
		out->argv = xcalloc(1, sizeof(*out->argv));
		out->quoted = xcalloc(1, 1);
	}
	if (sc.in_word) {
		*word_index = out->argc - 1;
		*open_quote = sc.open_quote;
		*word_start = sc.word_start;
	} else {
		*word_index = out->argc;
		*word_start = point;
	}
	return 0;
}

/* Characters that mean something to argv_next() or to the layers above
 * (globs, jobs, '!' and '~'), escaped so a completed name stays literal. */
static bool needs_escape(char c)
{
	return strchr(" \t\\'\";#$`&|<>()*?[]{}~!", c) != NULL;
}

char *argv_quote(const char *s)
{
	struct word w = { 0 };
	const char *p;
	bool ctrl = false;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			ctrl = true;
	if (!*s || ctrl) {
		/* Empty, or control bytes (a newline cannot be
		 * backslash-escaped): single quotes, with ' as '\''. */
		word_put(&w, '\'');
		for (p = s; *p; p++) {
			if (*p == '\'') {
				word_put(&w, '\'');
				word_put(&w, '\\');
				word_put(&w, '\'');
			}
			word_put(&w, *p);
		}
		word_put(&w, '\'');
		return w.s;
	}
	for (p = s; *p; p++) {
		if (needs_escape(*p))
			word_put(&w, '\\');
		word_put(&w, *p);
	}
	return w.s;
}
