/* url.c - parsing ferry URLs (see url.h).
 *
 * Deliberately small: ferry needs scheme, credentials, host, port and one
 * path, not the whole of RFC 3986.  Everything that reaches a command line
 * later (user, password, path) is checked here for CR, LF and NUL, so an
 * URL cannot smuggle a second command onto the control connection.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "url.h"

static bool scheme_char(int c, bool first)
{
	if (isascii(c) && isalpha(c))
		return true;
	if (first)
		return false;
	return (isascii(c) && isdigit(c)) || c == '+' || c == '-' || c == '.';
}

/* Length of a syntactically valid "scheme" at the start of s that is
 * followed by ':', or 0. */
static size_t scheme_len(const char *s)
{
	size_t i = 0;

	if (!scheme_char((unsigned char)s[0], true))
		return 0;
	for (i = 1; s[i] && scheme_char((unsigned char)s[i], false); i++)
		;
	return s[i] == ':' ? i : 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n) into a new string.  The decoded result must not
 * contain CR, LF or NUL: these would end up inside a command line. */
static int decode(const char *s, size_t n, char **out, const char **why)
{
	char *d = xmalloc(n + 1);
	size_t i, j = 0;
	int rc = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3 || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0) {
				*why = "bad percent escape";
				rc = ERR_USAGE;
				goto out;
			}
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == '\0' || c == '\r' || c == '\n') {
			*why = "CR, LF or NUL in URL";
			rc = ERR_USAGE;
			goto out;
		}
		d[j++] = (char)c;
	}
	d[j] = '\0';
	*out = d;
	d = NULL;
out:
	free(d);
	return rc;
}

/* Port: 1-65535, decimal digits only. */
static int parse_port(const char *s, size_t n, int *port, const char **why)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		goto bad;
	for (i = 0; i < n; i++) {
		if (!isascii((unsigned char)s[i]) || !isdigit((unsigned char)s[i]))
			goto bad;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		goto bad;
	*port = (int)v;
	return 0;
bad:
	*why = "bad port";
	return ERR_USAGE;
}

static bool host_ok(const char *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c < 0x21 || c == 0x7f || c == '[' || c == ']' || c == '/' ||
		    c == '@')
			return false;
	}
	return true;
}

static bool ipv6_ok(const char *h, size_t n)
{
	size_t i;
	bool colon = false;

	for (i = 0; i < n; i++) {
		if (h[i] == ':')
			colon = true;
		else if (hexval((unsigned char)h[i]) < 0 && h[i] != '.')
			return false;
	}
	return colon;
}

/* "[user[:pass]@]host[:port]" from a[0..n). */
static int parse_authority(const char *a, size_t n, struct url *u, const char **why)
{
	const char *at = NULL, *h, *end = a + n, *colon;
	size_t i;
	int rc;

	/* The last '@' separates credentials: a raw '@' in a password is a
	 * common user mistake, and the host cannot contain one anyway. */
	for (i = 0; i < n; i++)
		if (a[i] == '@')
			at = a + i;
	if (at) {
		colon = memchr(a, ':', (size_t)(at - a));
		if (colon) {
			rc = decode(a, (size_t)(colon - a), &u->user, why);
			if (rc == 0)
				rc = decode(colon + 1, (size_t)(at - colon - 1), &u->pass, why);
		} else {
			rc = decode(a, (size_t)(at - a), &u->user, why);
		}
		if (rc < 0)
			return rc;
		h = at + 1;
	} else {
		h = a;
	}

	if (h < end && *h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (!rb) {
			*why = "unterminated IPv6 literal";
			return ERR_USAGE;
		}
		if (!ipv6_ok(h + 1, (size_t)(rb - h - 1))) {
			*why = "bad IPv6 literal";
			return ERR_USAGE;
		}
		u->host = xstrndup(h + 1, (size_t)(rb - h - 1));
		colon = rb + 1;
		if (colon < end && *colon != ':') {
			*why = "junk after IPv6 literal";
			return ERR_USAGE;
		}
		if (colon >= end)
			colon = NULL;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		size_t hn = (size_t)((colon ? colon : end) - h);

		/* "::1", "fe80::1": a host has one ':' at most, before the
		 * port, so a second one is an IPv6 address without its
		 * brackets. */
		if (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1))) {
			*why = "an IPv6 address goes in brackets, e.g. [::1] or [::1]:2121";
			return ERR_USAGE;
		}

		if (hn == 0) {
			*why = "empty host";
			return ERR_USAGE;
		}
		if (!host_ok(h, hn)) {
			*why = "bad character in host";
			return ERR_USAGE;
		}
		u->host = xstrndup(h, hn);
	}
	/* RFC 3986 allows an empty port ("host:"): it means the default. */
	if (colon && colon + 1 < end)
		return parse_port(colon + 1, (size_t)(end - colon - 1), &u->port, why);
	return 0;
}

int url_parse(const char *s, struct url *u, const char **why)
{
	const char *p, *slash;
	size_t sl, i;
	int rc = 0;
	const char *dummy;

	memset(u, 0, sizeof(*u));
	if (!why)
		why = &dummy;
	*why = "";
	if (!s || !(sl = scheme_len(s))) {
		*why = "no scheme";
		return ERR_USAGE;
	}
	if (strpbrk(s, "\r\n")) {
		*why = "CR, LF or NUL in URL";
		return ERR_USAGE;
	}
	u->scheme = xstrndup(s, sl);
	for (i = 0; i < sl; i++)
		u->scheme[i] = (char)tolower((unsigned char)u->scheme[i]);
	p = s + sl + 1;

	if (strncmp(p, "//", 2) != 0) {
		/* RFC 5538 "news:group": the server comes from $NNTPSERVER. */
		if (strcmp(u->scheme, "news") != 0 && strcmp(u->scheme, "snews") != 0) {
			*why = "expected '//' after the scheme";
			rc = ERR_USAGE;
			goto out;
		}
		if (!*p) {
			*why = "empty newsgroup";
			rc = ERR_USAGE;
			goto out;
		}
		rc = decode(p, strlen(p), &u->path, why);
		goto out;
	}
	p += 2;
	slash = strchr(p, '/');
	rc = parse_authority(p, slash ? (size_t)(slash - p) : strlen(p), u, why);
	if (rc < 0)
		goto out;
	if (slash && slash[1])
		rc = decode(slash + 1, strlen(slash + 1), &u->path, why);
out:
	if (rc < 0)
		url_clear(u);
	return rc;
}

void url_clear(struct url *u)
{
	if (!u)
		return;
	free(u->scheme);
	free(u->user);
	free(u->pass);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

int url_is_url(const char *s)
{
	size_t sl;

	if (!s || !(sl = scheme_len(s)))
		return 0;
	if (strncmp(s + sl + 1, "//", 2) == 0)
		return 1;
	return (sl == 4 && strncasecmp(s, "news", 4) == 0) ||
	       (sl == 5 && strncasecmp(s, "snews", 5) == 0);
}

/* Append s to out (room for 3 bytes per byte), each byte that is not
 * unreserved (RFC 3986) as %XX; keep: bytes also left as they are. */
static char *encode(char *out, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((isascii(c) && isalnum(c)) || strchr("-._~", c) || (keep && strchr(keep, c))) {
			*out++ = (char)c;
		} else {
			*out++ = '%';
			*out++ = hex[c >> 4];
			*out++ = hex[c & 15];
		}
	}
	return out;
}

char *url_format(const struct url *u)
{
	size_t n = strlen(u->scheme) + 3 + 16 + 3;
	n += 3 * (strlen(u->user ? u->user : "") + strlen(u->pass ? u->pass : "") +
	          strlen(u->host ? u->host : "") + strlen(u->path ? u->path : "")) + 3;
	char *r = xmalloc(n), *o = r;

	o += sprintf(o, "%s:%s", u->scheme, u->host ? "//" : "");
	if (u->user) {
		o = encode(o, u->user, NULL);
		if (u->pass) {
			*o++ = ':';
			o = encode(o, u->pass, NULL);
		}
		*o++ = '@';
	}
	if (u->host) {
		bool v6 = strchr(u->host, ':') != NULL;
		o += sprintf(o, "%s%s%s", v6 ? "[" : "", u->host, v6 ? "]" : "");
		if (u->port)
			o += sprintf(o, ":%d", u->port);
		if (u->path)
			*o++ = '/';
	}
	if (u->path)
		o = encode(o, u->path, "/");
	*o = '\0';
	return r;
}
