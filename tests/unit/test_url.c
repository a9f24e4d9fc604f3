/* test_url.c - url_parse / url_is_url. */
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"
#include "err.h"
#include "url.h"

static void check_ok(const char *s, const char *scheme, const char *user,
                     const char *pass, const char *host, int port, const char *path)
{
	struct url u;
	const char *why = NULL;
	int rc = url_parse(s, &u, &why);

	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(u.scheme, scheme);
#define STR_OR_NULL(got, want) do { \
	if (want) { CU_ASSERT_PTR_NOT_NULL_FATAL(got); CU_ASSERT_STRING_EQUAL(got, want); } \
	else CU_ASSERT_PTR_NULL(got); } while (0)
	STR_OR_NULL(u.user, user);
	STR_OR_NULL(u.pass, pass);
	STR_OR_NULL(u.host, host);
	STR_OR_NULL(u.path, path);
	CU_ASSERT_EQUAL(u.port, port);
	url_clear(&u);
}

static void check_bad(const char *s)
{
	struct url u;
	const char *why = NULL;

	CU_ASSERT_EQUAL(url_parse(s, &u, &why), ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT(why && *why);
	/* Nothing left behind on failure. */
	CU_ASSERT_PTR_NULL(u.scheme);
	CU_ASSERT_PTR_NULL(u.host);
	CU_ASSERT_PTR_NULL(u.user);
	CU_ASSERT_PTR_NULL(u.pass);
	CU_ASSERT_PTR_NULL(u.path);
}

static void test_schemes(void)
{
	check_ok("ftp://lab", "ftp", NULL, NULL, "lab", 0, NULL);
	check_ok("ftps://lab:990/pub", "ftps", NULL, NULL, "lab", 990, "pub");
	check_ok("ftpes://u@lab/", "ftpes", "u", NULL, "lab", 0, NULL);
	check_ok("nntp://news.example.org/comp.lang.c", "nntp", NULL, NULL,
	         "news.example.org", 0, "comp.lang.c");
	check_ok("news://h:119", "news", NULL, NULL, "h", 119, NULL);
	check_ok("nntps://h", "nntps", NULL, NULL, "h", 0, NULL);
	check_ok("snews://h:563/alt.test", "snews", NULL, NULL, "h", 563, "alt.test");
	check_ok("FTP://Lab", "ftp", NULL, NULL, "Lab", 0, NULL);
	/* Unknown schemes parse; the proto layer rejects them. */
	check_ok("gopher://h:70/x", "gopher", NULL, NULL, "h", 70, "x");
	check_ok("ftp://h:", "ftp", NULL, NULL, "h", 0, NULL);
}

static void test_userinfo(void)
{
	check_ok("ftp://anne:s3cret@lab:2121/pub/x", "ftp", "anne", "s3cret",
	         "lab", 2121, "pub/x");
	check_ok("ftp://a%40b:p%3Aw%2F@h/", "ftp", "a@b", "p:w/", "h", 0, NULL);
	/* A raw '@' in the password: the last '@' ends the credentials. */
	check_ok("ftp://u:p@ss@h", "ftp", "u", "p@ss", "h", 0, NULL);
	check_ok("ftp://u:@h", "ftp", "u", "", "h", 0, NULL);
	check_ok("ftp://h/%2Fetc/a%20b", "ftp", NULL, NULL, "h", 0, "/etc/a b");
}

static void test_ipv6(void)
{
	check_ok("ftp://[::1]:2121/x", "ftp", NULL, NULL, "::1", 2121, "x");
	check_ok("ftp://u:p@[fe80::1:2]", "ftp", "u", "p", "fe80::1:2", 0, NULL);
	check_ok("nntp://[::ffff:127.0.0.1]/g", "nntp", NULL, NULL,
	         "::ffff:127.0.0.1", 0, "g");
	check_bad("ftp://[::1");
	check_bad("ftp://[::1]x");
	check_bad("ftp://[zz::1]");
	check_bad("ftp://[]");
}

static void test_injection(void)
{
	check_bad("ftp://u:p%0d%0aDELE%20x@h/");
	check_bad("ftp://u%0a@h/");
	check_bad("ftp://h/a%00b");
	check_bad("ftp://h/a%0Db");
	check_bad("ftp://h/a\r\nDELE x");
	check_bad("ftp://h\n/x");
	check_bad("ftp://h/a%zz");
	check_bad("ftp://h/a%4");
	check_bad("ftp://h/a%");
}

static void test_bad(void)
{
	check_bad("ftp://h:0");
	check_bad("ftp://h:65536");
	check_bad("ftp://h:12a");
	check_bad("ftp://h:-1");
	check_bad("ftp://h:999999999999");
	check_ok("ftp://h:65535", "ftp", NULL, NULL, "h", 65535, NULL);
	check_ok("ftp://h:1", "ftp", NULL, NULL, "h", 1, NULL);
	check_bad("ftp://");
	check_bad("ftp:///path");
	check_bad("ftp://u:p@/x");
	check_bad("ftp://:21");
	check_bad("ftp://a b/");
	check_bad("ftp://a\tb/");
	check_bad("lab");
	check_bad("");
	check_bad("://h");
	check_bad("1ftp://h");
	check_bad("ftp:h");
	check_bad("news:");
}

static void test_news(void)
{
	check_ok("news:comp.lang.c", "news", NULL, NULL, NULL, 0, "comp.lang.c");
	check_ok("NEWS:alt.test", "news", NULL, NULL, NULL, 0, "alt.test");
	check_ok("news:a%2eb", "news", NULL, NULL, NULL, 0, "a.b");
	check_bad("news:a%0ab");
}

static void test_is_url(void)
{
	CU_ASSERT_TRUE(url_is_url("ftp://lab"));
	CU_ASSERT_TRUE(url_is_url("nntps://h/g"));
	CU_ASSERT_TRUE(url_is_url("news:comp.lang.c"));
	CU_ASSERT_TRUE(url_is_url("x-y+z.w://h"));
	CU_ASSERT_FALSE(url_is_url("lab"));
	CU_ASSERT_FALSE(url_is_url("lab:21"));
	CU_ASSERT_FALSE(url_is_url("file:"));
	CU_ASSERT_FALSE(url_is_url("/tmp/x"));
	CU_ASSERT_FALSE(url_is_url(""));
	CU_ASSERT_FALSE(url_is_url(NULL));
}

static void test_clear_twice(void)
{
	struct url u;

	CU_ASSERT_EQUAL(url_parse("ftp://u:p@h/x", &u, NULL), 0);
	url_clear(&u);
	url_clear(&u);
	url_clear(NULL);
}

/* An IPv6 address without brackets is told to use them, not "empty host"
 * (issue 10). */
static void test_ipv6_unbracketed(void)
{
	static const char *const in[] = { "ftp://::1", "ftp://::1:2121/pub",
	                                  "ftp://joe:pw@fe80::1", "nntp://2001:db8::7/x" };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct url u;
		const char *why = NULL;
		check_bad(in[i]);
		CU_ASSERT_EQUAL(url_parse(in[i], &u, &why), ERR_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "in brackets, e.g. [::1]"));
	}
}

/* url_format gives a URL that parses back to the same parts. */
static void check_format(const char *s, const char *want)
{
	struct url u, v;
	const char *why = NULL;

	CU_ASSERT_EQUAL_FATAL(url_parse(s, &u, &why), 0);
	char *f = url_format(&u);
	CU_ASSERT_STRING_EQUAL(f, want);
	CU_ASSERT_EQUAL_FATAL(url_parse(f, &v, &why), 0);
	CU_ASSERT_STRING_EQUAL(v.scheme, u.scheme);
	STR_OR_NULL(v.user, u.user);
	STR_OR_NULL(v.pass, u.pass);
	STR_OR_NULL(v.host, u.host);
	STR_OR_NULL(v.path, u.path);
	CU_ASSERT_EQUAL(v.port, u.port);
	free(f);
	url_clear(&u);
	url_clear(&v);
}

static void test_format(void)
{
	check_format("ftp://h", "ftp://h");
	check_format("FTPES://u:p@h:2121/pub/x%20y", "ftpes://u:p@h:2121/pub/x%20y");
	check_format("ftp://a%40b:p%3Aw%2C%25@h/", "ftp://a%40b:p%3Aw%2C%25@h");
	check_format("ftp://u@[::1]:21/%2Fabs", "ftp://u@[::1]:21//abs");
	check_format("news:comp.lang.c", "news:comp.lang.c");
	check_format("nntps://h/alt.x+y", "nntps://h/alt.x%2By");
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("url", NULL, NULL);

	CU_add_test(s, "schemes", test_schemes);
	CU_add_test(s, "userinfo and decoding", test_userinfo);
	CU_add_test(s, "IPv6 literals", test_ipv6);
	CU_add_test(s, "CR/LF/NUL refused", test_injection);
	CU_add_test(s, "bad ports and hosts", test_bad);
	CU_add_test(s, "news:group", test_news);
	CU_add_test(s, "url_is_url", test_is_url);
	CU_add_test(s, "url_clear", test_clear_twice);
	CU_add_test(s, "ipv6_unbracketed", test_ipv6_unbracketed);
	CU_add_test(s, "url_format", test_format);
}
