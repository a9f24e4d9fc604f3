/* bookmark.c - the bookmarks file (bookmark.h). */
#define _GNU_SOURCE /* O_CLOEXEC, mkostemp */
#include "bookmark.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "redact.h"
#include "session.h"
#include "shell.h"
#include "ui.h"
#include "url.h"
#include "xdg.h"

/* The file is small; a bound keeps a wrong path (a huge file) harmless. */
#define BM_MAX (1024 * 1024)

static struct bm_line *push(struct bookmarks *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->v = xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	struct bm_line *l = &b->v[b->n++];
	*l = (struct bm_line){ 0 };
	return l;
}

bool bookmark_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 64 || name[0] == '-' || name[0] == '.' ||
	    strspn(name, "0123456789") == n) /* a number is a session id */
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '+'))
			return false;
	}
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The index past the run of blanks (or of non-blanks) at i. */
static size_t skip(const char *s, size_t len, size_t i, bool blanks)
{
	while (i < len && blank(s[i]) == blanks)
		i++;
	return i;
}

/* One line: NAME, blanks, URL (no blank in it), trailing blanks. */
static bool split_line(const char *s, size_t len, char **name, char **url)
{
	size_t ns = skip(s, len, 0, true), ne = skip(s, len, ns, false);
	size_t us = skip(s, len, ne, true), ue = skip(s, len, us, false);
	size_t i = skip(s, len, ue, true);
	if (memchr(s, '\0', len))
		return false; /* a NUL cuts a C string: not a bookmark */
	if (ne == ns || ue == us || i != len)
		return false;
	*name = xstrndup(s + ns, ne - ns);
	*url = xstrndup(s + us, ue - us);
	if (!bookmark_name_ok(*name)) {
		free(*name);
		free(*url);
		*name = *url = NULL;
		return false;
	}
	return true;
}

void bookmarks_parse(struct bookmarks *b, const char *text, size_t len,
                     const char *where, bm_warn_fn warn, void *arg)
{
	*b = (struct bookmarks){ 0 };
	size_t pos = 0;
	int lineno = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t l = end - pos;
		lineno++;
		if (l && text[pos + l - 1] == '\r')
			l--; /* written on Windows */
		struct bm_line *bl = push(b);
		bl->raw = xmalloc(end - pos + 1);
		memcpy(bl->raw, text + pos, end - pos);
		bl->raw[end - pos] = '\0';
		bl->raw_len = end - pos;
		size_t k = 0;
		while (k < l && blank(text[pos + k]))
			k++;
		if (k < l && text[pos + k] != '#' &&
		    !split_line(text + pos, l, &bl->name, &bl->url) && warn) {
			char *msg = xasprintf("%s:%d: not a bookmark (NAME URL, the name of "
			                      "letters, digits and . _ - +); line kept as it is",
			                      where, lineno);
			warn(msg, arg);
			free(msg);
		}
		pos = nl ? end + 1 : len;
	}
}

int bookmarks_load(struct bookmarks *b, const char *path, bm_warn_fn warn, void *arg)
{
	*b = (struct bookmarks){ 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : ERR_LOCAL;
	struct buf in;
	buf_init(&in, BM_MAX);
	int err = 0;
	for (;;) {
		char *p = buf_reserve(&in, 4096);
		if (!p) {
			errno = EFBIG;
			err = ERR_LOCAL;
			break;
		}
		ssize_t n = read(fd, p, 4096);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ERR_LOCAL;
			break;
		}
		if (n == 0)
			break;
		buf_commit(&in, (size_t)n);
	}
	int e = errno;
	close(fd);
	if (!err)
		bookmarks_parse(b, buf_peek(&in), buf_avail(&in), path, warn, arg);
	buf_clear(&in);
	errno = e;
	return err;
}

int bookmarks_save(const struct bookmarks *b, const char *path)
{
	struct buf out;
	buf_init(&out, 2 * BM_MAX);
	for (size_t i = 0; i < b->n; i++) {
		const struct bm_line *l = &b->v[i];
		/* A line read and not changed goes back as it was. */
		if (l->raw) {
			buf_append(&out, l->raw, l->raw_len);
			buf_appendstr(&out, "\n");
		}
		else
			buf_appendf(&out, "%s\t%s\n", l->name, l->url);
	}
	xdg_mkdirs_for(path);
	char *tmp = xasprintf("%s.ferry-XXXXXX", path);
	int err = ERR_LOCAL, e = 0;
	int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	if (fd >= 0) {
		const char *p = buf_peek(&out);
		size_t n = buf_avail(&out);
		while (n) {
			ssize_t w = write(fd, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				break;
			p += w;
			n -= (size_t)w;
		}
		bool ok = n == 0 && fsync(fd) == 0;
		e = errno;
		if (close(fd) < 0 && ok) {
			ok = false;
			e = errno;
		}
		if (ok && rename(tmp, path) == 0)
			err = 0;
		else if (ok)
			e = errno;
		if (err)
			unlink(tmp);
	} else {
		e = errno;
	}
	free(tmp);
	buf_clear(&out);
	errno = e;
	return err;
}

void bookmarks_clear(struct bookmarks *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].name);
		free(b->v[i].url);
		free(b->v[i].raw);
	}
	free(b->v);
	*b = (struct bookmarks){ 0 };
}

static struct bm_line *find(const struct bookmarks *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].name && strcmp(b->v[i].name, name) == 0)
			return &b->v[i];
	return NULL;
}

const char *bookmarks_get(const struct bookmarks *b, const char *name)
{
	struct bm_line *l = find(b, name);
	return l ? l->url : NULL;
}

bool bookmarks_set(struct bookmarks *b, const char *name, const char *url)
{
	struct bm_line *l = find(b, name);
	bool replaced = l != NULL;
	if (l) {
		free(l->url);
		free(l->raw);
		l->raw = NULL;
	} else {
		l = push(b);
		l->name = xstrdup(name);
	}
	l->url = xstrdup(url);
	return replaced;
}

bool bookmarks_del(struct bookmarks *b, const char *name)
{
	struct bm_line *l = find(b, name);
	if (!l)
		return false;
	free(l->name);
	free(l->url);
	free(l->raw);
	size_t i = (size_t)(l - b->v);
	memmove(&b->v[i], &b->v[i + 1], (b->n - i - 1) * sizeof(*b->v));
	b->n--;
	return true;
}

char *bookmarks_path(void)
{
	return xdg_path("XDG_CONFIG_HOME", ".config", "bookmarks");
}

/* ---- the command -------------------------------------------------------- */

/* Percent-encode s into b: bytes outside RFC 3986's unreserved set and
 * keep. */
static void pct(struct buf *b, const char *s, const char *keep)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) ||
		    (keep && strchr(keep, *p)))
			buf_appendf(b, "%c", *p);
		else
			buf_appendf(b, "%%%02X", *p);
	}
}

char *bookmark_session_url(struct session *s, bool with_pass)
{
	const struct proto_scheme *sch = &s->proto->schemes[0];
	/* The scheme that gives the same TLS mode (ftps: implicit, ftpes:
	 * required), else the plain one (the setting decides again). */
	for (const struct proto_scheme *k = s->proto->schemes; k->scheme; k++)
		if (k->tls == s->tls && k->tls != TLS_AUTO) {
			sch = k;
			break;
		}
	struct buf b;
	buf_init(&b, 64 * 1024);
	buf_appendf(&b, "%s://", sch->scheme);
	if (s->user) {
		pct(&b, s->user, NULL);
		if (with_pass && s->pass) {
			buf_appendf(&b, ":");
			pct(&b, s->pass, NULL);
		}
		buf_appendf(&b, "@");
	}
	buf_appendf(&b, strchr(s->host, ':') ? "[%s]" : "%s", s->host);
	if (s->port != sch->port)
		buf_appendf(&b, ":%d", s->port);
	const char *loc = session_location(s);
	if (loc && *loc && strcmp(loc, "/") != 0) {
		buf_appendf(&b, "/");
		/* An absolute directory of a named user is %2F... (RFC 1738:
		 * the path is relative to the login directory); an anonymous
		 * login starts at the root. */
		if (loc[0] == '/' && s->user)
			buf_appendf(&b, "%%2F");
		pct(&b, loc + (loc[0] == '/'), "/!$&'()*+,;=:@");
	}
	char *u = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	return u;
}

static void warn_ui(const char *msg, void *arg)
{
	(void)arg;
	char *esc = ui_escape_str(msg, strlen(msg));
	ui_error("warning: %s", esc);
	free(esc);
}

/* Load the file for a command; NULL path with the error printed. */
static char *load(struct cmdctx *ctx, struct bookmarks *b)
{
	char *path = bookmarks_path();
	if (!path) {
		cmd_error(ctx, ERR_LOCAL, "no $HOME or $XDG_CONFIG_HOME for the bookmarks file");
		return NULL;
	}
	if (bookmarks_load(b, path, warn_ui, NULL) < 0) {
		char *esc = ui_escape_str(path, strlen(path));
		cmd_error(ctx, ERR_LOCAL, "%s: %s", esc, strerror(errno));
		free(esc);
		free(path);
		return NULL;
	}
	return path;
}

static int save(struct cmdctx *ctx, struct bookmarks *b, const char *path)
{
	if (bookmarks_save(b, path) == 0)
		return 0;
	char *esc = ui_escape_str(path, strlen(path));
	int r = cmd_error(ctx, ERR_LOCAL, "%s: %s (the bookmarks are unchanged)", esc,
	                  strerror(errno));
	free(esc);
	return r;
}

static int bm_add(struct cmdctx *ctx, int argc, char **argv, bool with_pass)
{
	if (argc < 1 || argc > 2)
		return cmd_error(ctx, ERR_USAGE, "usage: bookmark add NAME [URL] [--password]");
	const char *name = argv[0];
	if (!bookmark_name_ok(name)) {
		char *esc = ui_escape_str(name, strlen(name));
		int r = cmd_error(ctx, ERR_USAGE, "%s: a bookmark name is letters, digits "
		                  "and . _ - + (at most 64)", esc);
		free(esc);
		return r;
	}
	char *url;
	if (argc == 2) {
		struct url u;
		const char *why;
		if (!url_is_url(argv[1]) || url_parse(argv[1], &u, &why) < 0)
			return cmd_error(ctx, ERR_USAGE, "%s: not a URL (scheme://[user@]host[:port][/path])",
			                 argv[1]);
		bool has_pass = u.pass != NULL;
		url_clear(&u);
		if (has_pass && !with_pass)
			return cmd_error(ctx, ERR_USAGE, "the URL holds a password: add "
			                 "--password to keep it in the bookmarks file, or leave it out");
		if (strpbrk(argv[1], " \t"))
			return cmd_error(ctx, ERR_USAGE, "a blank in a URL goes as %%20");
		url = xstrdup(argv[1]);
	} else {
		struct session *s = session_focus(ctx->sh->reg);
		if (!s)
			return cmd_error(ctx, ERR_USAGE, "no session to bookmark: "
			                 "bookmark add NAME URL");
		url = bookmark_session_url(s, with_pass);
	}
	struct bookmarks b;
	char *path = load(ctx, &b);
	int r = ERR_LOCAL;
	if (path) {
		bookmarks_set(&b, name, url);
		r = save(ctx, &b, path);
	}
	memset(url, 0, strlen(url));
	free(url);
	free(path);
	bookmarks_clear(&b);
	return r;
}

int bookmark_cmd(struct cmdctx *ctx)
{
	/* --password anywhere after the subcommand. */
	bool with_pass = false;
	char *args[4];
	int n = 0;
	for (int i = 2; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--password") == 0)
			with_pass = true;
		else if (n < 3)
			args[n++] = ctx->argv[i];
		else
			n = 4;
	}
	const char *sub = ctx->argc > 1 ? ctx->argv[1] : "list";
	if (strcmp(sub, "add") == 0)
		return bm_add(ctx, n, args, with_pass);
	struct bookmarks b;
	char *path;
	int r = 0;
	if (strcmp(sub, "list") == 0 && n == 0 && !with_pass) {
		if (!(path = load(ctx, &b)))
			return ERR_LOCAL;
		for (size_t i = 0; i < b.n; i++) {
			if (!b.v[i].name)
				continue;
			/* A password in the file is not shown. */
			char *shown = redact_line(b.v[i].url);
			char *esc = ui_escape_str(shown, strlen(shown));
			cmd_printf(ctx, "%-16s %s", b.v[i].name, esc);
			free(esc);
			free(shown);
		}
	} else if (strcmp(sub, "del") == 0 && n == 1 && !with_pass) {
		if (!(path = load(ctx, &b)))
			return ERR_LOCAL;
		if (!bookmarks_del(&b, args[0])) {
			char *esc = ui_escape_str(args[0], strlen(args[0]));
			r = cmd_error(ctx, ERR_USAGE, "%s: no such bookmark (`bookmark list`)", esc);
			free(esc);
		} else {
			r = save(ctx, &b, path);
		}
	} else {
		return cmd_error(ctx, ERR_USAGE, "usage: bookmark add NAME [URL] [--password] | "
		                 "list | del NAME");
	}
	free(path);
	bookmarks_clear(&b);
	return r;
}

char *bookmark_lookup(const char *name)
{
	if (!bookmark_name_ok(name))
		return NULL;
	char *path = bookmarks_path();
	struct bookmarks b;
	char *url = NULL;
	if (path && bookmarks_load(&b, path, warn_ui, NULL) == 0) {
		const char *u = bookmarks_get(&b, name);
		url = u ? xstrdup(u) : NULL;
		bookmarks_clear(&b);
	}
	free(path);
	return url;
}

char **bookmark_names(const char *prefix)
{
	char *path = bookmarks_path();
	struct bookmarks b;
	char **v = NULL;
	size_t n = 0, plen = strlen(prefix);
	/* Tab warns about nothing: the next command that reads it will. */
	if (path && bookmarks_load(&b, path, NULL, NULL) == 0) {
		v = xcalloc(b.n + 1, sizeof(char *));
		for (size_t i = 0; i < b.n; i++)
			if (b.v[i].name && strncmp(b.v[i].name, prefix, plen) == 0)
				v[n++] = xstrdup(b.v[i].name);
		bookmarks_clear(&b);
	}
	free(path);
	return v;
}
