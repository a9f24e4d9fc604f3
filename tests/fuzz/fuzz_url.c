/* fuzz_url.c - url_parse() and url_is_url() over one string.
 *
 * An accepted URL must satisfy url.h's promises (no CR, LF or NUL in any
 * part, a valid port, a host without blanks or controls) and round-trip:
 * its parts, percent-encoded and put together again, parse to the same
 * parts.
 */
#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "fuzz_common.h"
#include "url.h"

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void put_enc(char **o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("-._~", *c)) {
			*(*o)++ = (char)*c;
		} else {
			*(*o)++ = '%';
			*(*o)++ = hex[*c >> 4];
			*(*o)++ = hex[*c & 15];
		}
	}
}

static void put(char **o, const char *s)
{
	size_t n = strlen(s);

	memcpy(*o, s, n);
	*o += n;
}

static void check_field(const char *s)
{
	if (s)
		FZ_CHECK(!strpbrk(s, "\r\n"));
}

static void check(const char *in, const struct url *u)
{
	struct url v;
	const char *why = NULL;
	size_t cap = 64 + 3 * (strlen(in) + 16);
	char *s = malloc(cap), *o = s;

	FZ_CHECK(url_is_url(in));
	FZ_CHECK(u->scheme && *u->scheme);
	for (const char *c = u->scheme; *c; c++)
		FZ_CHECK(!(*c >= 'A' && *c <= 'Z'));
	check_field(u->user);
	check_field(u->pass);
	check_field(u->path);
	FZ_CHECK(!u->pass || u->user);
	FZ_CHECK(u->port >= 0 && u->port <= 65535);
	if (!u->host) {
		FZ_CHECK(!strcmp(u->scheme, "news") || !strcmp(u->scheme, "snews"));
		FZ_CHECK(u->path && *u->path);
		FZ_CHECK(!u->user && !u->port);
	} else {
		FZ_CHECK(*u->host);
		for (const unsigned char *c = (const unsigned char *)u->host; *c; c++)
			FZ_CHECK(*c > 0x20 && *c != 0x7f && *c != '/' && *c != '@');
	}
	if (u->path)
		FZ_CHECK(*u->path);

	/* Put it together again. */
	put(&o, u->scheme);
	put(&o, ":");
	if (u->host) {
		put(&o, "//");
		if (u->user) {
			put_enc(&o, u->user);
			if (u->pass) {
				put(&o, ":");
				put_enc(&o, u->pass);
			}
			put(&o, "@");
		}
		if (strchr(u->host, ':')) {
			put(&o, "[");
			put(&o, u->host);
			put(&o, "]");
		} else {
			put(&o, u->host);
		}
		if (u->port)
			o += sprintf(o, ":%d", u->port);
		if (u->path)
			put(&o, "/");
	}
	if (u->path)
		put_enc(&o, u->path);
	*o = '\0';
	FZ_CHECK((size_t)(o - s) < cap);

	FZ_CHECK(url_parse(s, &v, &why) == 0);
	FZ_CHECK(same(u->scheme, v.scheme) && same(u->user, v.user) &&
	         same(u->pass, v.pass) && same(u->host, v.host) &&
	         same(u->path, v.path) && u->port == v.port);
	url_clear(&v);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_cstr(data, size);
	struct url u;
	const char *why = NULL;
	int rc;

	(void)url_is_url(s);
	rc = url_parse(s, &u, &why);
	if (rc == 0) {
		check(s, &u);
		url_clear(&u);
	} else {
		FZ_CHECK(rc == ERR_USAGE);
		FZ_CHECK(why && *why);
		/* Nothing is left allocated on failure. */
		FZ_CHECK(!u.scheme && !u.user && !u.pass && !u.host && !u.path);
	}
	/* The optional out-parameter. */
	rc = url_parse(s, &u, NULL);
	url_clear(&u);
	free(s);
	return 0;
}
