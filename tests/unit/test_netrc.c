/* test_netrc.c - netrc_find / netrc_check_perm / netrc_lookup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "err.h"
#include "netrc.h"

static int find(const char *text, const char *host, const char *want,
                char **login, char **pass)
{
	return netrc_find(text, strlen(text), host, want, login, pass);
}

static void expect(const char *text, const char *host, const char *want,
                   const char *login, const char *pass)
{
	char *l = NULL, *p = NULL;
	int rc = find(text, host, want, &l, &p);

	CU_ASSERT_EQUAL(rc, 1);
	if (login) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		CU_ASSERT_STRING_EQUAL(l, login);
	} else {
		CU_ASSERT_PTR_NULL(l);
	}
	if (pass) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_STRING_EQUAL(p, pass);
	} else {
		CU_ASSERT_PTR_NULL(p);
	}
	free(l);
	free(p);
}

static void expect_rc(const char *text, const char *host, const char *want, int want_rc)
{
	char *l = (char *)1, *p = (char *)1;

	CU_ASSERT_EQUAL(find(text, host, want, &l, &p), want_rc);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_PTR_NULL(p);
}

static const char *sample =
	"machine ftp.example.org login anne password s3cret\n"
	"machine example.org\n"
	"  login bob\n"
	"  password \"two words\"\n"
	"  account acct\n"
	"machine multi login u1 password p1\n"
	"machine multi login u2 password p2\n"
	"default login anonymous password guest@\n";

static void test_machine(void)
{
	expect(sample, "ftp.example.org", NULL, "anne", "s3cret");
	expect(sample, "FTP.Example.ORG", NULL, "anne", "s3cret");
	expect(sample, "example.org", NULL, "bob", "two words");
	expect(sample, "multi", NULL, "u1", "p1");
	expect(sample, "multi", "u2", "u2", "p2");
}

static void test_default(void)
{
	expect(sample, "other.host", NULL, "anonymous", "guest@");
	/* want_login also filters the default entry. */
	expect_rc(sample, "other.host", "carol", 0);
	expect(sample, "multi", "anonymous", "anonymous", "guest@");
	expect_rc("machine a login x password y\n", "b", NULL, 0);
	expect_rc("", "b", NULL, 0);
	/* default before machine: the machine still wins. */
	expect("default login d password dp\nmachine m login ml password mp\n",
	       "m", NULL, "ml", "mp");
}

static void test_prefix(void)
{
	const char *t = "machine example.org login a password pa\n"
	                "machine ftp.example.org.evil login b password pb\n";

	/* Neither a prefix nor a suffix of a name may match. */
	expect_rc(t, "example", NULL, 0);
	expect_rc(t, "ftp.example.org", NULL, 0);
	expect_rc(t, "org", NULL, 0);
	expect_rc(t, "example.org.", NULL, 0);
	expect(t, "example.org", NULL, "a", "pa");
}

static void test_quoted(void)
{
	expect("machine \"h\" login \"a b\" password \"p\\\"q\\\\r\"\n", "h", NULL,
	       "a b", "p\"q\\r");
	expect("machine h password \"\"\n", "h", NULL, NULL, "");
	expect("machine h login only\n", "h", NULL, "only", NULL);
	expect_rc("machine h login \"unterminated\n", "h", NULL, ERR_FAIL);
	expect_rc("machine h login \"x\\", "h", NULL, ERR_FAIL);
}

static void test_macdef(void)
{
	const char *t = "machine a login la password pa\n"
	                "macdef init\n"
	                "machine evil login bad password bad\n"
	                "cd /pub\n"
	                "\n"
	                "machine b login lb password pb\n";

	expect(t, "a", NULL, "la", "pa");
	expect(t, "b", NULL, "lb", "pb");
	expect_rc(t, "evil", NULL, 0);
	/* CRLF files: a blank line is "\r\n". */
	expect("macdef m\r\nmachine x login bad\r\n\r\nmachine x login good\r\n",
	       "x", NULL, "good", NULL);
	/* A macro running to the end of the file is fine. */
	expect_rc("macdef m\nmachine x login bad\n", "x", NULL, 0);
}

static void test_malformed(void)
{
	expect_rc("machine", "h", NULL, ERR_FAIL);
	expect_rc("machine h login", "h", NULL, ERR_FAIL);
	expect_rc("machine h password", "h", NULL, ERR_FAIL);
	expect_rc("login x password y", "h", NULL, ERR_FAIL);
	expect_rc("machine h login x bogus y", "h", NULL, ERR_FAIL);
	expect_rc("macdef", "h", NULL, ERR_FAIL);
	{
		/* A NUL inside a token must not shorten a host name. */
		const char t[] = "machine ex\0tra login a password b\n";
		char *l, *p;

		CU_ASSERT_EQUAL(netrc_find(t, sizeof(t) - 1, "ex", NULL, &l, &p), ERR_FAIL);
	}
}

static void test_perm(void)
{
	static const struct {
		mode_t mode;
		uid_t owner;
		enum netrc_perm want;
	} rows[] = {
		{ S_IFREG | 0600, 1000, NETRC_PERM_OK },
		{ S_IFREG | 0400, 1000, NETRC_PERM_OK },
		{ S_IFREG | 0700, 1000, NETRC_PERM_OK },
		{ S_IFREG | 0644, 1000, NETRC_PERM_OPEN },
		{ S_IFREG | 0640, 1000, NETRC_PERM_OPEN },
		{ S_IFREG | 0604, 1000, NETRC_PERM_OPEN },
		{ S_IFREG | 0620, 1000, NETRC_PERM_OPEN },
		{ S_IFREG | 0602, 1000, NETRC_PERM_OPEN },
		{ S_IFREG | 0610, 1000, NETRC_PERM_OPEN },
		{ S_IFREG | 0666, 1000, NETRC_PERM_OPEN },
		{ S_IFREG | 0600, 0, NETRC_PERM_NOT_OWNER },
		{ S_IFREG | 0600, 1001, NETRC_PERM_NOT_OWNER },
		{ S_IFREG | 0644, 1001, NETRC_PERM_NOT_OWNER },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CU_ASSERT_EQUAL(netrc_check_perm(rows[i].mode, rows[i].owner, 1000),
		                rows[i].want);
}

static void test_lookup(void)
{
	char path[] = "/tmp/ferry-netrc-XXXXXX";
	char *l = NULL, *p = NULL, *w = (char *)1;
	int fd = mkstemp(path);
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	fputs("machine lab login anne password pw\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(netrc_lookup(path, "lab", NULL, &l, &p, &w), 1);
	CU_ASSERT_STRING_EQUAL(l, "anne");
	CU_ASSERT_STRING_EQUAL(p, "pw");
	CU_ASSERT_PTR_NULL(w);
	free(l);
	free(p);
	setenv("NETRC", path, 1);
	CU_ASSERT_EQUAL(netrc_lookup(NULL, "lab", "anne", &l, &p, &w), 1);
	free(l);
	free(p);
	unsetenv("NETRC");
	unlink(path);
	CU_ASSERT_EQUAL(netrc_lookup(path, "lab", NULL, &l, &p, &w), 0);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_PTR_NULL(w);
}

/* A file others may read is not used: as if absent, with a warning that
 * names it and the fix. */
static void test_lookup_open_file(void)
{
	char path[] = "/tmp/ferry-netrc-XXXXXX";
	char *l = (char *)1, *p = (char *)1, *w = NULL;
	int fd = mkstemp(path);
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	fputs("machine lab login anne password pw\n", f);
	fclose(f);
	CU_ASSERT_FATAL(chmod(path, 0644) == 0);
	CU_ASSERT_EQUAL(netrc_lookup(path, "lab", NULL, &l, &p, &w), 0);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL(strstr(w, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(w, "chmod 600"));
	free(w);
	w = NULL;
	CU_ASSERT_FATAL(chmod(path, 0600) == 0);
	CU_ASSERT_EQUAL(netrc_lookup(path, "lab", NULL, &l, &p, &w), 1);
	CU_ASSERT_PTR_NULL(w);
	free(l);
	free(p);
	unlink(path);
}

/* A malformed file: the line of the offending word. */
static void bad_at(const char *text, size_t line)
{
	char *l, *p;
	struct netrc_error e = { 0, NULL };
	CU_ASSERT_EQUAL(netrc_parse(text, strlen(text), "h", NULL, &l, &p, &e), ERR_FAIL);
	CU_ASSERT_EQUAL(e.line, line);
	CU_ASSERT_PTR_NOT_NULL(e.what);
}

static void test_malformed_line(void)
{
	bad_at("machine h\n  login a\n  bogus y\n", 3);
	bad_at("machine h login a\npassword \"open\n\n", 2);
	bad_at("\n\nmachine h\nlogin", 4);
	bad_at("login x\n", 1);
}

/* A FIFO at the path neither blocks nor is read; a directory neither. */
static void test_lookup_not_regular(void)
{
	char dir[] = "/tmp/ferry-netrc-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	char *fifo = xasprintf("%s/fifo", dir);
	CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
	char *l, *p, *w = NULL;
	CU_ASSERT_EQUAL(netrc_lookup(fifo, "lab", NULL, &l, &p, &w), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL(strstr(w, "not a regular file"));
	free(w);
	w = NULL;
	CU_ASSERT_EQUAL(netrc_lookup(dir, "lab", NULL, &l, &p, &w), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(w);
	free(w);
	unlink(fifo);
	rmdir(dir);
	free(fifo);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("netrc", NULL, NULL);
	CU_add_test(s, "malformed: the line", test_malformed_line);
	CU_add_test(s, "not a regular file", test_lookup_not_regular);

	CU_add_test(s, "machine match", test_machine);
	CU_add_test(s, "default", test_default);
	CU_add_test(s, "no prefix match", test_prefix);
	CU_add_test(s, "quoted tokens", test_quoted);
	CU_add_test(s, "macdef skipped", test_macdef);
	CU_add_test(s, "malformed", test_malformed);
	CU_add_test(s, "file permissions", test_perm);
	CU_add_test(s, "lookup from a file", test_lookup);
	CU_add_test(s, "a file others can read is not used", test_lookup_open_file);
}
