/* complete.c - tab completion.  What an argument completes to comes from
 * the command table's completion letters, so a new command completes
 * without touching this file. */
#include "complete.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rllib.h"

#include "argv.h"
#include "bookmark.h"
#include "builtin.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "jobline.h"
#include "proto.h"
#include "session.h"
#include "shell.h"

static struct shell *the_shell;

struct cands {
	char **v;
	size_t n, cap;
};

static void add(struct cands *c, const char *s)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i], s) == 0)
			return;
	if (c->n + 2 > c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xrealloc(c->v, c->cap * sizeof(char *));
	}
	c->v[c->n++] = xstrdup(s);
	c->v[c->n] = NULL;
}

static void add_prefixed(struct cands *c, const char *prefix, const char *word,
                         const char *name)
{
	size_t plen = strlen(prefix);
	if (strncmp(word, prefix, plen) != 0)
		return;
	if (strncmp(name, word + plen, strlen(word + plen)) != 0)
		return;
	char *s = xasprintf("%s%s", prefix, name);
	add(c, s);
	free(s);
}

static void commands(struct cands *c, const char *word)
{
	for (size_t i = 0; i < cmd_shell_count; i++)
		add_prefixed(c, "", word, cmd_shell_table[i].name);
	for (size_t i = 0; proto_nth(i); i++)
		for (size_t j = 0; j < proto_nth(i)->ncmds; j++)
			add_prefixed(c, "", word, proto_nth(i)->cmds[j].name);
}

static void sessions(struct cands *c, struct shell *sh, const char *prefix,
                     const char *word)
{
	for (struct session *s = session_first(sh->reg); s; s = session_next(s))
		add_prefixed(c, prefix, word, s->name);
}

static void settings(struct cands *c, const char *word)
{
	for (int i = 0; config_name(i); i++)
		add_prefixed(c, "", word, config_name(i));
}

static void local_paths(struct cands *c, const char *word)
{
	char *m;
	for (int state = 0; (m = rl_filename_completion_function(word, state)); state = 1) {
		add(c, m);
		free(m);
	}
}

/* What Tab saw when it asked a session for names it had to fetch: if the
 * line is still the same when they are in, Tab is pressed again. */
static char *pending_line;
static size_t pending_point;

static void remote_ready(void *arg)
{
	(void)arg;
	if (!pending_line || !rl_line_buffer)
		return;
	bool same = strcmp(pending_line, rl_line_buffer) == 0 &&
	            pending_point == (size_t)rl_point;
	free(pending_line);
	pending_line = NULL;
	if (same) {
		jobline_complete(0, '\t');
		rl_redisplay();
	}
}

/* Names of session s that complete word, each after prefix ("" or cp's
 * "@NAME:"); not known yet: fetched, and Tab pressed again when they are
 * in (remote_ready). */
static void session_names(struct cands *c, struct shell *sh, struct session *s,
                          char letter, const char *prefix, const char *word,
                          const char *line, size_t point)
{
	if (!s || !s->proto->ops->complete)
		return;
	char **v = s->proto->ops->complete(s, letter, word, remote_ready, sh);
	if (!v) {
		free(pending_line);
		pending_line = xstrndup(line, strlen(line));
		pending_point = point;
		return;
	}
	for (size_t i = 0; v[i]; i++) {
		char *w = xasprintf("%s%s", prefix, v[i]);
		add(c, w);
		free(w);
		free(v[i]);
	}
	free(v);
	/* A directory goes on: no blank after it. */
	if (c->n == 1 && c->v[0][strlen(c->v[0]) - 1] == '/')
		rl_completion_suppress_append = 1;
}

/* Names from the session a command goes to (`@NAME cmd`, else routing). */
static void remote_names(struct cands *c, struct shell *sh, const struct argv *a,
                         const struct cmd_def *d, char letter, const char *word,
                         const char *line, size_t point)
{
	const char *why;
	struct session *s = a->argv[0][0] == '@' ? session_find(sh->reg, a->argv[0] + 1) :
	                                           cmd_route(sh->reg, d->name, &why);
	session_names(c, sh, s, letter, "", word, line, point);
}

/* cp's words: "@NAME:" for the sessions that can copy, then "@NAME:PATH"
 * from that session's listings; a word without '@' is a local path. */
static void copy_paths(struct cands *c, struct shell *sh, const char *word,
                       const char *line, size_t point)
{
	if (word[0] != '@') {
		rl_filename_completion_desired = 1;
		local_paths(c, word);
		return;
	}
	const char *colon = strchr(word, ':');
	if (!colon) {
		for (struct session *s = session_first(sh->reg); s; s = session_next(s)) {
			if (!s->proto->ops->copy)
				continue;
			char *n = xasprintf("%s:", s->name);
			add_prefixed(c, "@", word, n);
			free(n);
		}
		rl_completion_suppress_append = 1;  /* the path follows the ':' */
		return;
	}
	char *name = xstrndup(word + 1, (size_t)(colon - word - 1));
	char *prefix = xstrndup(word, (size_t)(colon - word) + 1);
	struct session *s = session_find(sh->reg, name);
	if (s && s->proto->ops->copy)
		session_names(c, sh, s, 'r', prefix, colon + 1, line, point);
	/* Readline quotes a whole word holding any of its quote characters,
	 * '@' among them: only when a name needs it (a blank), so that a
	 * plain name stays @NAME:PATH. */
	for (size_t i = 0; i < c->n; i++)
		if (strpbrk(c->v[i] + strlen(prefix), rl_filename_quote_characters))
			rl_filename_completion_desired = 1;
	free(prefix);
	free(name);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **complete_candidates(struct shell *sh, const char *line, size_t point,
                           size_t *start)
{
	struct argv a = { 0 };
	struct cands c = { 0 };
	int idx = 0;
	char quote = 0;

	if (argv_partial(line, point, &a, &idx, &quote, start) < 0)
		goto out;
	const char *word = idx < a.argc ? a.argv[idx] : "";
	int first = (a.argc > 0 && a.argv[0][0] == '@') ? 1 : 0;
	if (idx == 0 && word[0] == '@') {
		sessions(&c, sh, "@", word);
		goto out;
	}
	if (idx == first) {
		commands(&c, word);
		goto out;
	}
	bool is_shell, amb;
	const struct cmd_def *d = cmd_resolve(a.argv[first], &is_shell, &amb);
	if (!d || !d->complete || !*d->complete)
		goto out;
	size_t len = strlen(d->complete);
	size_t argn = (size_t)(idx - first - 1);
	if (!strcmp(d->name, "open")) {
		/* lftp's -u USER and -p PORT come before the URL: the
		 * positions count from after them, and their values get
		 * nothing. */
		int j = first + 1;
		while (j < idx && a.argv[j][0] == '-')
			j += 2;
		if (j > idx)
			goto out;
		argn = (size_t)(idx - j);
	}
	char letter = d->complete[argn < len ? argn : len - 1];
	switch (letter) {
	case 'c': commands(&c, word); break;
	case 's': sessions(&c, sh, "", word); break;
	case 'u': /* a URL: a bookmark's name stands for one */
	case 'b': {
		char **names = bookmark_names(word);
		for (size_t i = 0; names && names[i]; i++) {
			add(&c, names[i]);
			free(names[i]);
		}
		free(names);
		break;
	}
	case 'S': settings(&c, word); break;
	case 'l':
		rl_filename_completion_desired = 1;
		local_paths(&c, word);
		break;
	case 'p': copy_paths(&c, sh, word, line, point); break;
	case 'r':
	case 'g':
		/* Quoting of names with blanks, as for local paths. */
		rl_filename_completion_desired = 1;
		remote_names(&c, sh, &a, d, letter, word, line, point);
		break;
	default: break;
	}
out:
	argv_clear(&a);
	if (c.n > 1)
		qsort(c.v, c.n, sizeof(char *), cmp);
	return c.v;
}

/* Readline wants a generator; we compute the whole list once per word. */
static char **matches;
static size_t match_i;

static char *generator(const char *text, int state)
{
	(void)text;
	if (!matches)
		return NULL;
	if (!matches[match_i]) {
		free(matches);
		matches = NULL;
		return NULL;
	}
	return matches[match_i++];
}

static char **attempt(const char *text, int start, int end)
{
	size_t wstart = 0;
	(void)start;
	rl_attempted_completion_over = 1;
	if (matches) {
		for (size_t i = match_i; matches[i]; i++)
			free(matches[i]);
		free(matches);
	}
	matches = complete_candidates(the_shell, rl_line_buffer, (size_t)end, &wstart);
	match_i = 0;
	if (!matches)
		return NULL;
	return rl_completion_matches(text, generator);
}

void complete_init(struct shell *sh)
{
	the_shell = sh;
	rl_attempted_completion_function = attempt;
	rl_completer_word_break_characters = " \t\n;";
	rl_completer_quote_characters = "'\"";
	rl_filename_quote_characters = " \t\n\"\\'`@$><=;|&{(";
}
