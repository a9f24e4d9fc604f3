/* test_redact.c - redact_line, redact_mask_line, redact_mask_url. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "cu_main.h"
#include "redact.h"

struct row {
	const char *in, *out;
};

static const struct row lines[] = {
	/* URLs: ":PASS" goes, wherever the URL is. */
	{ "open ftp://u:SECRET@host", "open ftp://u@host" },
	{ "open ftp://u:SECRET@host:2121/pub/dir as lab", "open ftp://u@host:2121/pub/dir as lab" },
	{ "open nntps://u:SECRET@[::1]:563/alt.test", "open nntps://u@[::1]:563/alt.test" },
	{ "open ftp://u:SEC@RET@host", "open ftp://u@host" },        /* the last '@' */
	{ "open ftp://u:SEC%40RET@host", "open ftp://u@host" },
	{ "open ftp://u:@host", "open ftp://u@host" },
	{ "open ftp://:SECRET@host", "open ftp://@host" },
	{ "open ftp://u:SEC:RET@host", "open ftp://u@host" },        /* the first ':' */
	{ "@lab open ftp://u:SECRET@h", "@lab open ftp://u@h" },
	{ "pwd; open ftp://u:SECRET@h as a;ls", "pwd; open ftp://u@h as a;ls" },
	{ "open ftp://a:S1@h; open news://b:S2@n", "open ftp://a@h; open news://b@n" },
	{ "get ftp://u:SECRET@h/f", "get ftp://u@h/f" },
	{ "!curl -O https://u:SECRET@h/f", "!curl -O https://u@h/f" },
	{ "# was ftp://u:SECRET@h", "# was ftp://u@h" },
	{ "ls # was ftp://u:SECRET@h; pwd", "ls # was ftp://u@h; pwd" },
	{ "cat x=ftp://u:S1@h/ftp://v:S2@g", "cat x=ftp://u@h/ftp://v@g" },
	/* A raw '/' in the password: no port follows the ':'. */
	{ "open ftp://u:SEC/RET@host/dir", "open ftp://u@host/dir" },
	/* Bare user:pass@host, which `open` takes as an FTP URL. */
	{ "open u:SECRET@host", "open u@host" },
	{ "o u:SECRET@host as x", "o u@host as x" },
	/* Quoting: the cut keeps the quotes balanced. */
	{ "open 'ftp://u:SEC RET@h'", "open 'ftp://u@h'" },
	{ "open \"ftp://u:SE\\\"CRET@h\"", "open \"ftp://u@h\"" },
	{ "open ftp://u:\"SEC RET\"@h", "open ftp://u@h" },
	{ "open ftp://u:'SEC RET@'h", "open ftp://u'@'h" },
	{ "open ftp://u:SEC\\ RET@h", "open ftp://u@h" },
	{ "open 'ftp://u:it'\\''s@h'", "open 'ftp://u@h'" },
	{ "open ftp://u:SEC\\@RET@h", "open ftp://u@h" },
	{ "open 'ftp://u:SECRET@h", "open 'ftp://u@h" },           /* open quote */
	{ "open \"ftp://u:SECRET", "open \"ftp://u:SECRET" },        /* no '@' yet */
	/* Raw login commands: the argument becomes "****". */
	{ "quote PASS SECRET", "quote PASS ****" },
	{ "quote pass SECRET", "quote pass ****" },
	{ "QUOTE Pass SECRET", "QUOTE Pass ****" },
	{ "quo PASS SECRET", "quo PASS ****" },
	{ "q PASS x", "q PASS ****" },
	{ "quote PASS two words", "quote PASS ****" },
	{ "quote   PASS   SECRET  ", "quote   PASS   ****  " },
	{ "quote \"PASS SECRET\"", "quote \"PASS ****\"" },
	{ "quote 'PASS' 'SEC'RET", "quote 'PASS' '****'" },
	{ "quote PASS\\ SECRET", "quote PASS\\ ****" },
	{ "@lab quote PASS SECRET", "@lab quote PASS ****" },
	{ "quote PASS SECRET; pwd", "quote PASS ****; pwd" },
	{ "quote PASS SECRET > out", "quote PASS **** > out" },
	{ "quote PASS SECRET | cat", "quote PASS **** | cat" },
	{ "quote PASS SECRET &", "quote PASS **** &" },
	{ "quote PASS '>x' y", "quote PASS '****'" },
	{ "quote AUTHINFO PASS SECRET", "quote AUTHINFO PASS ****" },
	{ "quote authinfo pass SECRET", "quote authinfo pass ****" },
	{ "quote AUTHINFO SASL PLAIN AHUAU0VDUkVU", "quote AUTHINFO SASL PLAIN ****" },
	{ "quote SITE PSWD OLD NEW", "quote SITE PSWD ****" },
	{ "site pswd OLD NEW", "site pswd ****" },
	{ "site PASSWD NEW", "site PASSWD ****" },
	{ "user joe SECRET", "user joe" },
	{ "user 'joe' 'SE CRET'; ls", "user 'joe'; ls" },
	{ "user joe SECRET > out", "user joe > out" },
	{ "quote PASS ftp://u:x@h", "quote PASS ****" },
	/* lftp's open -u USER,PASS: ",PASS" goes. */
	{ "open -u joe,SECRET host", "open -u joe host" },
	{ "open -p 21 -u 'joe,SE CRET' host as x", "open -p 21 -u 'joe' host as x" },
	{ "open -u joe,SEC,RET ftp://h; ls", "open -u joe ftp://h; ls" },
	{ "o -u joe,SECRET -p 2121 u:SECRET@h", "o -u joe -p 2121 u@h" },
	{ "open -u joe host", "open -u joe host" },
	{ "open -p 21,2 host", "open -p 21,2 host" },
	/* Nothing to remove. */
	{ "", "" },
	{ "ls -l", "ls -l" },
	{ "open ftp://u@host", "open ftp://u@host" },
	{ "open ftp://host:21/a@b", "open ftp://host:21/a@b" },
	{ "open ftp://host:/a@b", "open ftp://host:/a@b" },
	{ "open ftp://[::1]:21/x@y", "open ftp://[::1]:21/x@y" },
	{ "open news:alt.test", "open news:alt.test" },
	{ "article <a:b@host>", "article <a:b@host>" },
	{ "open lab", "open lab" },
	{ "use lab", "use lab" },
	{ "quote PASS", "quote PASS" },
	{ "quote PASSIVE x", "quote PASSIVE x" },
	{ "quote USER joe", "quote USER joe" },
	{ "quote AUTHINFO USER joe", "quote AUTHINFO USER joe" },
	{ "quote AUTHINFO SASL PLAIN", "quote AUTHINFO SASL PLAIN" },
	{ "site CHMOD 644 f", "site CHMOD 644 f" },
	{ "put PASS x", "put PASS x" },
	{ "echo PASS; quote x", "echo PASS; quote x" },
};

/* Count the commands of s and whether it splits without error. */
static int split_all(const char *s, int *ncmds)
{
	struct argv a = { 0 };
	const char *p = s, *why;
	int r;

	*ncmds = 0;
	while ((r = argv_next(&p, &a, &why)) == 1)
		(*ncmds)++;
	argv_clear(&a);
	return r;
}

static void test_lines(void)
{
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char *got = redact_line(lines[i].in);

		if (strcmp(got, lines[i].out) != 0)
			fprintf(stderr, "\nredact_line(%s) = %s, want %s\n",
			        lines[i].in, got, lines[i].out);
		CU_ASSERT_STRING_EQUAL(got, lines[i].out);
		/* What splits still splits, into as many commands. */
		int n0, n1;
		if (split_all(lines[i].in, &n0) == 0) {
			CU_ASSERT_EQUAL(split_all(got, &n1), 0);
			CU_ASSERT_EQUAL(n0, n1);
		}
		free(got);
	}
}

static void test_no_secret_left(void)
{
	/* Whatever the table says, no SECRET survives anywhere. */
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char *got = redact_line(lines[i].in);

		if (!strstr(lines[i].out, "SECRET"))
			CU_ASSERT_PTR_NULL(strstr(got, "SECRET"));
		free(got);
	}
}

static const struct row masks[] = {
	{ "open ftp://u:SECRET@h", "open ftp://u:******@h" },
	{ "open 'ftp://u:A B@h'; quote PASS xy", "open 'ftp://u:***@h'; quote PASS **" },
	{ "quote PASS 'a b' > f", "quote PASS '***' > f" },
	{ "open -u joe,SECRET h", "open -u joe,****** h" },
	{ "pwd", "pwd" },
};

static const struct row urls[] = {
	{ "ftp://u:SECRET@h:21/p", "ftp://u:******@h:21/p" },
	{ "ftp://u:S'E\"C@h", "ftp://u:*****@h" },   /* no shell syntax here */
	{ "u:SECRET@host", "u:******@host" },
	{ "ftp://u@h", "ftp://u@h" },
	{ "ftp://h:21/a@b", "ftp://h:21/a@b" },
	{ "news:alt.test", "news:alt.test" },
	{ "lab", "lab" },
};

static void test_masks(void)
{
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		char *s = strdup(masks[i].in);

		redact_mask_line(s);
		CU_ASSERT_STRING_EQUAL(s, masks[i].out);
		free(s);
	}
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		char *s = strdup(urls[i].in);

		redact_mask_url(s);
		CU_ASSERT_STRING_EQUAL(s, urls[i].out);
		free(s);
	}
}

static size_t wire(const char *line)
{
	return redact_wire(line, strlen(line));
}

/* Lines on the wire: the trace shows them up to the offset. */
static void test_wire(void)
{
	CU_ASSERT_EQUAL(wire("PASS secret"), 5);
	CU_ASSERT_EQUAL(wire("pass secret"), 5);
	CU_ASSERT_EQUAL(wire("ACCT acctpw"), 5);
	CU_ASSERT_EQUAL(wire("SITE PSWD old new"), 10);
	CU_ASSERT_EQUAL(wire("site  pswd old new"), 11);
	CU_ASSERT_EQUAL(wire("SITE PASSWD old new"), 12);
	CU_ASSERT_EQUAL(wire("AUTHINFO PASS pw"), 14);
	CU_ASSERT_EQUAL(wire("AUTHINFO SASL PLAIN AGZvbwBiYXI="), 20);
	/* No password: shown whole. */
	CU_ASSERT_EQUAL(wire("PASSWORD x"), 0);
	CU_ASSERT_EQUAL(wire("SITE CHMOD 644 f"), 0);
	CU_ASSERT_EQUAL(wire("AUTHINFO USER u"), 0);
	CU_ASSERT_EQUAL(wire("AUTHINFO SASL PLAIN"), 0);
	CU_ASSERT_EQUAL(wire("RETR PASS"), 0);
	CU_ASSERT_EQUAL(wire("PASS"), 0);
	CU_ASSERT_EQUAL(wire(""), 0);
	/* typed: quote ACCT is redacted from history too */
	char *r = redact_line("quote ACCT hunter2");
	CU_ASSERT_PTR_NULL(strstr(r, "hunter2"));
	free(r);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("redact", NULL, NULL);

	CU_add_test(s, "lines", test_lines);
	CU_add_test(s, "no secret left", test_no_secret_left);
	CU_add_test(s, "masks", test_masks);
	CU_add_test(s, "lines on the wire", test_wire);
}
