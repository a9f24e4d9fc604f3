/* url.h - parsing ferry URLs.  Pure: no I/O, no globals.
 *
 *   scheme://[user[:pass]@]host[:port][/path]
 *   news:group                      (host left NULL: $NNTPSERVER)
 *
 * Host may be an IPv6 literal in brackets (stored without them).  User,
 * password and path are percent-decoded; a CR, LF or NUL in any part, raw
 * or decoded, is refused, as are a bad port, an empty host, and bytes
 * below 0x21 in the host.
 */
#ifndef FERRY_URL_H
#define FERRY_URL_H

struct url {
	char *scheme;  /* lower-cased */
	char *user;    /* NULL if absent */
	char *pass;    /* NULL if absent */
	char *host;    /* NULL only for "news:group" */
	int port;      /* 0 if absent */
	char *path;    /* decoded, without the leading '/'; NULL if absent */
};

/* Parse s into u (zeroed first).  Returns 0, or ERR_USAGE with *why set
 * to a constant reason.  On success release with url_clear(). */
int url_parse(const char *s, struct url *u, const char **why);
void url_clear(struct url *u);
/* True if s looks like a URL (has "scheme:" with a known scheme shape),
 * so "open lab" can be told from "open ftp://lab". */
int url_is_url(const char *s);
/* u as a URL again (heap), user, password and path percent-encoded, so
 * that url_parse gives back the same parts. */
char *url_format(const struct url *u);

#endif
