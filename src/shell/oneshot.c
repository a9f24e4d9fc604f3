/* oneshot.c - transfers named by URL (see oneshot.h). */
#include "oneshot.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "err.h"
#include "session.h"
#include "shell.h"
#include "ui.h"
#include "url.h"

/* Sessions opened by one-shot commands, by the URL of their directory
 * (ids: a session closed meanwhile is simply not found). */
struct known {
	char *dir_url;
	int id;
};
static struct known *known;
static size_t nknown;

void oneshot_clear(void)
{
	for (size_t i = 0; i < nknown; i++)
		free(known[i].dir_url);
	free(known);
	known = NULL;
	nknown = 0;
}

bool oneshot_names_file(const char *word)
{
	struct url u;
	const char *why = NULL;
	if (url_parse(word, &u, &why) < 0)
		return false;
	size_t n = strlen(word);
	bool file = u.scheme && strncmp(u.scheme, "ftp", 3) == 0 && u.path && *u.path &&
	            word[n - 1] != '/';
	url_clear(&u);
	return file;
}

static bool is_download(const char *name)
{
	return !strcmp(name, "get") || !strcmp(name, "reget") || !strcmp(name, "pget") ||
	       !strcmp(name, "cat") || !strcmp(name, "more");
}

/* argv[*i] is an option (before "--"), not an operand: skip it, and the
 * value of -o, -O and -n. */
static bool skip_option(const struct argv *a, int *i, bool *opts)
{
	const char *w = a->argv[*i];
	if (!*opts || w[0] != '-' || !w[1])
		return false;
	if (!strcmp(w, "--")) {
		*opts = false;
		return true;
	}
	if ((!strcmp(w, "-o") || !strcmp(w, "-O") || !strcmp(w, "-n")) && *i + 1 < a->argc)
		(*i)++;
	return true;
}

static bool is_upload(const char *name)
{
	return !strcmp(name, "put") || !strcmp(name, "reput");
}

/* The URL up to its directory (the last '/' of the path kept), and the
 * decoded file name after it ("" when the URL ends in '/' or has no
 * path).  0 or ERR_USAGE (printed). */
static int split_url(const char *cmd, const char *word, char **dir_url, char **file)
{
	struct url u;
	const char *why = NULL;
	if (url_parse(word, &u, &why) < 0) {
		char *esc = ui_escape_str(word, strlen(word));
		ui_error("%s: %s: %s", cmd, esc, why);
		free(esc);
		return ERR_USAGE;
	}
	const char *p = u.path ? strrchr(u.path, '/') : NULL;
	*file = xstrdup(p ? p + 1 : u.path ? u.path : "");
	url_clear(&u);
	/* The raw text's path starts at the first '/' after "//". */
	const char *host = strstr(word, "//");
	const char *path = host ? strchr(host + 2, '/') : NULL;
	const char *last = path ? strrchr(path, '/') : NULL;
	*dir_url = last ? xstrndup(word, (size_t)(last - word) + 1) : xasprintf("%s/", word);
	return 0;
}

/* The session for dir_url: remembered, or new (not focused). */
static struct session *url_session(struct shell *sh, const char *cmd, const char *dir_url)
{
	for (size_t i = 0; i < nknown; i++) {
		if (strcmp(known[i].dir_url, dir_url) != 0)
			continue;
		char id[16];
		snprintf(id, sizeof(id), "%d", known[i].id);
		struct session *s = session_find(sh->reg, id);
		if (s && s->id == known[i].id)
			return s;
	}
	struct session *prev = session_focus(sh->reg), *s = NULL;
	const char *why = NULL;
	if (session_create(sh->reg, dir_url, NULL, &s, &why) < 0) {
		ui_error("%s: %s", cmd, why);
		return NULL;
	}
	session_set_focus(sh->reg, prev);
	known = xrealloc(known, (nknown + 1) * sizeof(*known));
	known[nknown].dir_url = xstrdup(dir_url);
	known[nknown].id = s->id;
	nknown++;
	return s;
}

static void set_word(struct argv *a, int i, char *w)
{
	free(a->argv[i]);
	a->argv[i] = w;
	a->quoted[i] = 1; /* a name, never a pattern */
}

static void add_word(struct argv *a, const char *w)
{
	a->argv = xrealloc(a->argv, (size_t)(a->argc + 2) * sizeof(char *));
	a->quoted = xrealloc(a->quoted, (size_t)(a->argc + 1));
	a->argv[a->argc] = xstrdup(w);
	a->quoted[a->argc] = 1;
	a->argc++;
	a->argv[a->argc] = NULL;
}

int oneshot_route(struct shell *sh, const char *name, struct argv *a, int first,
                  struct session **target)
{
	*target = NULL;
	bool down = is_download(name), up = is_upload(name);
	if (!down && !up)
		return 0;
	int nurl = 0, last_url = -1;
	bool opts = true;
	for (int i = first + 1; i < a->argc; i++) {
		if (skip_option(a, &i, &opts))
			continue;
		if (url_is_url(a->argv[i])) {
			nurl++;
			last_url = i;
		}
	}
	if (!nurl)
		return 0;
	if (up && (nurl > 1 || last_url != a->argc - 1)) {
		ui_error("%s: usage: %s LOCAL... URL (one URL, last)", name, name);
		return ERR_USAGE;
	}
	char *dir = NULL;
	int err = 0;
	opts = true;
	for (int i = first + 1; i < a->argc && !err; i++) {
		if (skip_option(a, &i, &opts))
			continue;
		if (!url_is_url(a->argv[i])) {
			if (down) {
				ui_error("%s: all names or all URLs, not both", name);
				err = ERR_USAGE;
			}
			continue;
		}
		char *d = NULL, *file = NULL;
		err = split_url(name, a->argv[i], &d, &file);
		if (err)
			break;
		if (dir && strcmp(dir, d) != 0) {
			ui_error("%s: URLs of one directory of one server per command", name);
			err = ERR_USAGE;
		} else if (down && !*file) {
			char *esc = ui_escape_str(a->argv[i], strlen(a->argv[i]));
			ui_error("%s: %s names a directory (open it, or name a file)", name, esc);
			free(esc);
			err = ERR_USAGE;
		}
		if (!dir) {
			dir = d;
			d = NULL;
		}
		free(d);
		if (err) {
			free(file);
			break;
		}
		if (down) {
			set_word(a, i, file);
		} else {
			/* put FILE URL: the URL goes, -o NAME when it names one. */
			free(a->argv[i]);
			a->argv[i] = NULL;
			a->argc--;
			if (*file) {
				add_word(a, "-o");
				add_word(a, file);
			}
			free(file);
			break;
		}
	}
	if (!err) {
		*target = url_session(sh, name, dir);
		if (!*target)
			err = ERR_USAGE;
	}
	free(dir);
	return err;
}
