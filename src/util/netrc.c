/* netrc.c - ~/.netrc lookup (see netrc.h).
 *
 * The parser is strict about structure (a keyword without its value, an
 * unknown keyword, an unterminated quote are errors) because curl's netrc
 * bugs (CVE-2022-35260, CVE-2024-11053, CVE-2025-0167) all came from
 * guessing what a damaged file meant and handing a password to the wrong
 * host.  Matching is by exact host name only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "netrc.h"

/* A .netrc larger than this is not a .netrc. */
#define NETRC_MAX_FILE (4 * 1024 * 1024)

struct lexer {
	const char *p, *end;
	const char *tok;   /* where the last token began (for errors) */
};

struct entry {
	bool active;      /* inside a machine or default entry */
	bool is_default;
	char *host;
	char *login;
	char *password;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Next token into *tok (heap).  Returns 1, 0 at end, or ERR_FAIL on an
 * unterminated quote. */
static int lex_next(struct lexer *lx, char **tok)
{
	const char *p = lx->p;
	char *t;
	size_t n = 0;

	while (p < lx->end && is_space(*p))
		p++;
	if (p >= lx->end) {
		lx->p = p;
		return 0;
	}
	lx->tok = p;
	if (*p == '"') {
		/* Quoted token: backslash escapes the next byte. */
		const char *q = p + 1;

		t = xmalloc((size_t)(lx->end - q) + 1);
		for (;;) {
			if (q >= lx->end) {
				free(t);
				return ERR_FAIL;
			}
			if (*q == '"') {
				q++;
				break;
			}
			if (*q == '\\') {
				if (++q >= lx->end) {
					free(t);
					return ERR_FAIL;
				}
			}
			t[n++] = *q++;
		}
		p = q;
	} else {
		const char *s = p;

		while (p < lx->end && !is_space(*p))
			p++;
		t = xmalloc((size_t)(p - s) + 1);
		memcpy(t, s, (size_t)(p - s));
		n = (size_t)(p - s);
	}
	t[n] = '\0';
	/* A NUL inside a token would make it compare as a shorter name. */
	if (strlen(t) != n) {
		free(t);
		return ERR_FAIL;
	}
	lx->p = p;
	*tok = t;
	return 1;
}

/* macdef NAME: the macro body runs from the next line to the first empty
 * line (or the end of the file). */
static void skip_macro(struct lexer *lx)
{
	const char *p = lx->p;

	while (p < lx->end && *p != '\n')
		p++;
	while (p < lx->end) {
		/* p is at a '\n'; an empty line follows if the next is '\n'
		 * too (a CR before it counts as empty as well). */
		p++;
		if (p < lx->end && *p == '\r' && p + 1 < lx->end && p[1] == '\n')
			p++;
		if (p >= lx->end || *p == '\n')
			break;
		while (p < lx->end && *p != '\n')
			p++;
	}
	lx->p = p;
}

static void entry_clear(struct entry *e)
{
	free(e->host);
	free(e->login);
	free(e->password);
	memset(e, 0, sizeof(*e));
}

static bool entry_matches(const struct entry *e, const char *host, const char *want_login)
{
	if (!e->active)
		return false;
	if (!e->is_default && strcasecmp(e->host, host) != 0)
		return false;
	if (want_login && (!e->login || strcmp(e->login, want_login) != 0))
		return false;
	return true;
}

/* The line (from 1) of p in text. */
static size_t line_of(const char *text, const char *p)
{
	size_t line = 1;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

int netrc_find(const char *text, size_t len, const char *host,
               const char *want_login, char **login, char **password)
{
	return netrc_parse(text, len, host, want_login, login, password, NULL);
}

int netrc_parse(const char *text, size_t len, const char *host,
                const char *want_login, char **login, char **password,
                struct netrc_error *bad)
{
	struct lexer lx = { text, text + len, text };
	struct entry cur = { 0 }, hit = { 0 }, def = { 0 };
	char *tok = NULL, *val = NULL;
	const char *what = NULL;
	int rc = 0, r;

	*login = NULL;
	*password = NULL;
	if (!host || !text)
		return 0;
	for (;;) {
		free(tok);
		free(val);
		tok = val = NULL;
		r = lex_next(&lx, &tok);
		if (r < 0) {
			rc = r;
			what = "a quoted word is not closed";
			goto out;
		}
		if (r == 0 || !strcmp(tok, "machine") || !strcmp(tok, "default")) {
			/* End of the previous entry: the first matching
			 * machine wins, and the first default. */
			if (cur.active && !cur.is_default && !hit.active &&
			    entry_matches(&cur, host, want_login)) {
				hit = cur;
				memset(&cur, 0, sizeof(cur));
			} else if (cur.active && cur.is_default && !def.active &&
			           entry_matches(&cur, host, want_login)) {
				def = cur;
				memset(&cur, 0, sizeof(cur));
			}
			entry_clear(&cur);
			if (r == 0)
				break;
			cur.active = true;
			if (!strcmp(tok, "default")) {
				cur.is_default = true;
				continue;
			}
		}
		if (!strcmp(tok, "macdef")) {
			/* The macro name, then the body. */
			r = lex_next(&lx, &val);
			if (r <= 0) {
				rc = ERR_FAIL;
				what = "macdef needs a name";
				goto out;
			}
			skip_macro(&lx);
			continue;
		}
		if (strcmp(tok, "machine") && strcmp(tok, "login") &&
		    strcmp(tok, "password") && strcmp(tok, "account")) {
			rc = ERR_FAIL;
			what = "unknown keyword (machine, default, login, password, "
			       "account or macdef expected)";
			goto out;
		}
		const char *kw = lx.tok;
		r = lex_next(&lx, &val);
		if (r <= 0 || !cur.active) {
			rc = ERR_FAIL;
			what = !cur.active ? "login, password or account before any "
			       "machine or default" : r < 0 ? "a quoted word is not closed" :
			       "a keyword without its value";
			if (r == 0)
				lx.tok = kw;
			goto out;
		}
		if (!strcmp(tok, "machine")) {
			cur.host = val;
		} else if (!strcmp(tok, "login")) {
			free(cur.login);
			cur.login = val;
		} else if (!strcmp(tok, "password")) {
			free(cur.password);
			cur.password = val;
		} else {
			continue;  /* account: ferry has no use for it */
		}
		val = NULL;
	}
	if (hit.active || def.active) {
		struct entry *e = hit.active ? &hit : &def;

		*login = e->login;
		*password = e->password;
		e->login = e->password = NULL;
		rc = 1;
	}
out:
	if (rc < 0 && bad) {
		bad->line = line_of(text, lx.tok);
		bad->what = what;
	}
	free(tok);
	free(val);
	entry_clear(&cur);
	entry_clear(&hit);
	entry_clear(&def);
	return rc;
}

enum netrc_perm netrc_check_perm(mode_t mode, uid_t owner, uid_t me)
{
	if (owner != me)
		return NETRC_PERM_NOT_OWNER;
	if (mode & (S_IRWXG | S_IRWXO))
		return NETRC_PERM_OPEN;
	return NETRC_PERM_OK;
}

int netrc_lookup(const char *path, const char *host, const char *want_login,
                 char **login, char **password, char **warning)
{
	char *own = NULL, *text = NULL;
	struct stat st;
	size_t got = 0;
	int fd = -1, rc = 0;

	*login = NULL;
	*password = NULL;
	*warning = NULL;
	if (!path) {
		const char *home;

		path = getenv("NETRC");
		if (!path || !*path) {
			home = getenv("HOME");
			if (!home || !*home)
				return 0;
			path = own = xasprintf("%s/.netrc", home);
		}
	}
	/* O_NONBLOCK: a FIFO there would block the open until a writer
	 * came; it is refused below like any file that is not regular. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = errno == ENOENT ? 0 : ERR_LOCAL;
		if (rc)
			*warning = xasprintf("%s: %s; not used", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = ERR_LOCAL;
		*warning = xasprintf("%s: not a regular file; not used (put a file "
		                     "there, or remove it)", path);
		goto out;
	}
	if (st.st_size > NETRC_MAX_FILE) {
		rc = ERR_LOCAL;
		*warning = xasprintf("%s: larger than %d MiB, so not a .netrc; not used",
		                     path, NETRC_MAX_FILE >> 20);
		goto out;
	}
	/* Passwords that others can read are no secret, and a file others
	 * can write (or own) may send ours to a host of their choosing. */
	switch (netrc_check_perm(st.st_mode, st.st_uid, geteuid())) {
	case NETRC_PERM_OK:
		break;
	case NETRC_PERM_OPEN:
		*warning = xasprintf("%s: other users can access it, so it is not "
		                     "used (fix: chmod 600 %s)", path, path);
		goto out;
	case NETRC_PERM_NOT_OWNER:
		*warning = xasprintf("%s: it belongs to another user, so it is not "
		                     "used (make it yours, then chmod 600 %s)", path, path);
		goto out;
	}
	text = xmalloc((size_t)st.st_size + 1);
	/* Read what is there now; a file that grows meanwhile is cut at the
	 * size fstat saw. */
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ERR_LOCAL;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	struct netrc_error bad = { 0, NULL };
	rc = netrc_parse(text, got, host, want_login, login, password, &bad);
	if (rc < 0)
		*warning = xasprintf("%s:%zu: %s; the file is not used (fix it)", path,
		                     bad.line, bad.what ? bad.what : "malformed");
out:
	if (fd >= 0)
		close(fd);
	free(text);
	free(own);
	return rc;
}
