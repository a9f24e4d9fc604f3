/* test_argv.c - argv_next / argv_partial / argv_quote. */
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "cu_main.h"
#include "err.h"

/* Split s into commands; words of every command joined as "w1|w2;w3|..."
 * with a '*' after each quoted word, then the operators: "{>F}", "{>>F}",
 * "{|CMD}", "{&}". */
static char *split(const char *s, int *rc_out)
{
	static char res[1024];
	struct argv a = { 0 };
	const char *pos = s, *why = NULL;
	int rc, i;

	res[0] = '\0';
	while ((rc = argv_next(&pos, &a, &why)) == 1) {
		if (res[0])
			strcat(res, ";");
		for (i = 0; i < a.argc; i++) {
			if (i)
				strcat(res, "|");
			strcat(res, a.argv[i]);
			if (a.quoted[i])
				strcat(res, "*");
		}
		CU_ASSERT_PTR_NULL(a.argv[a.argc]);
		if (a.redirect) {
			strcat(res, a.append ? "{>>" : "{>");
			strcat(res, a.redirect);
			strcat(res, "}");
		}
		if (a.pipe) {
			strcat(res, "{|");
			strcat(res, a.pipe);
			strcat(res, "}");
		}
		if (a.background)
			strcat(res, "{&}");
	}
	if (rc < 0)
		CU_ASSERT(why && *why);
	argv_clear(&a);
	*rc_out = rc;
	return res;
}

#define SPLIT(in, want) do { int rc_; \
	CU_ASSERT_STRING_EQUAL(split(in, &rc_), want); \
	CU_ASSERT_EQUAL(rc_, 0); } while (0)
#define SPLIT_ERR(in) do { int rc_; split(in, &rc_); \
	CU_ASSERT_EQUAL(rc_, ERR_USAGE); } while (0)

static void test_operators(void)
{
	SPLIT("ls > out", "ls{>out}");
	SPLIT("ls >out", "ls{>out}");
	SPLIT("ls -l >> 'my file'", "ls|-l{>>my file}");
	SPLIT("cat a >out; pwd", "cat|a{>out};pwd");
	SPLIT("ls | head -3", "ls{|head -3}");
	SPLIT("ls |head -3; wc -l\npwd", "ls{|head -3; wc -l};pwd");
	SPLIT("get big.iso &", "get|big.iso{&}");
	SPLIT("get a & get b", "get|a{&};get|b");
	SPLIT("over 1-100 > ov.txt &", "over|1-100{>ov.txt}{&}");
	SPLIT("get a&", "get|a&");
	/* Inside a word or quoted: literal. */
	SPLIT("article <id@host>", "article|<id@host>");
	SPLIT("get a>b x|y", "get|a>b|x|y");
	SPLIT("get '>b' \\|x \"&\"", "get|>b*||x*|&*");
	SPLIT("put \\>f", "put|>f*");
	/* Errors: nothing before, nothing after, two outputs. */
	SPLIT_ERR("> out");
	SPLIT_ERR("& ls");
	SPLIT_ERR("| head");
	SPLIT_ERR("ls >");
	SPLIT_ERR("ls > ;pwd");
	SPLIT_ERR("ls |  ");
	SPLIT_ERR("ls > a > b");
	SPLIT_ERR("ls > a | head");
	SPLIT_ERR("ls > ''");
	int rc;
	split("ls > a > b\npwd", &rc);
	CU_ASSERT_EQUAL(rc, ERR_USAGE);
}

static void test_words(void)
{
	SPLIT("ls", "ls");
	SPLIT("  ls   -l\t/pub  ", "ls|-l|/pub");
	SPLIT("", "");
	SPLIT("   \t ", "");
	SPLIT("get a\\ b", "get|a b*");
	SPLIT("a\\\\b", "a\\b*");
	SPLIT("a\\\nb", "ab*");
	SPLIT("a\r\nb", "a;b");
}

static void test_quotes(void)
{
	SPLIT("get 'a b' \"c d\"", "get|a b*|c d*");
	SPLIT("echo 'it''s'", "echo|its*");
	SPLIT("echo \"it's\" 'say \"hi\"'", "echo|it's*|say \"hi\"*");
	SPLIT("x \"a\\\"b\\\\c\\$d\\`e\\nf\"", "x|a\"b\\c$d`e\\nf*");
	SPLIT("x 'a\\b'", "x|a\\b*");
	SPLIT("x ''", "x|*");
	SPLIT("x \"\"", "x|*");
	SPLIT("x pre'mid'post", "x|premidpost*");
	SPLIT("x 'multi\nline'", "x|multi\nline*");
	SPLIT("x *.txt '*.txt'", "x|*.txt|*.txt*");
}

static void test_separators(void)
{
	SPLIT("cd /pub; ls", "cd|/pub;ls");
	SPLIT("cd /pub;ls\nget x", "cd|/pub;ls;get|x");
	SPLIT(";;; ls ;;", "ls");
	SPLIT("quote 'SITE a;b'; ls", "quote|SITE a;b*;ls");
	SPLIT("x \"a;b\" c\\;d", "x|a;b*|c;d*");
	SPLIT("x a#b", "x|a#b");
}

static void test_comments(void)
{
	SPLIT("# nothing here", "");
	SPLIT("ls # list it; rm x", "ls");
	SPLIT("ls # c\nget y", "ls;get|y");
	SPLIT("ls '#notcomment'", "ls|#notcomment*");
	SPLIT("ls \\#x", "ls|#x*");
	SPLIT("#a\n#b\n", "");
}

static void test_errors(void)
{
	struct argv a = { 0 };
	const char *s = "ls; get 'a b", *pos = s, *why = NULL;

	CU_ASSERT_EQUAL(argv_next(&pos, &a, &why), 1);
	CU_ASSERT_STRING_EQUAL(a.argv[0], "ls");
	CU_ASSERT_EQUAL(argv_next(&pos, &a, &why), ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(why, "unterminated single quote");
	CU_ASSERT_EQUAL(a.argc, 0);
	/* Left at the broken command for the caller to skip. */
	CU_ASSERT_PTR_EQUAL(pos, s + 4);
	s = "ls\n  get 'a\nls";
	pos = s;
	CU_ASSERT_EQUAL(argv_next(&pos, &a, &why), 1);
	CU_ASSERT_EQUAL(argv_next(&pos, &a, &why), ERR_USAGE);
	CU_ASSERT_PTR_EQUAL(pos, s + 5);
	argv_clear(&a);
	SPLIT_ERR("x \"abc");
	SPLIT_ERR("x abc\\");
	SPLIT_ERR("x \"a\\\"");
}

static void test_partial(void)
{
	struct argv a = { 0 };
	int wi;
	char q;
	size_t ws;
	const char *l;

	l = "get fo";
	CU_ASSERT_EQUAL(argv_partial(l, strlen(l), &a, &wi, &q, &ws), 0);
	CU_ASSERT_EQUAL(a.argc, 2);
	CU_ASSERT_EQUAL(wi, 1);
	CU_ASSERT_EQUAL(q, '\0');
	CU_ASSERT_EQUAL(ws, 4);
	CU_ASSERT_STRING_EQUAL(a.argv[1], "fo");

	l = "get ";
	CU_ASSERT_EQUAL(argv_partial(l, strlen(l), &a, &wi, &q, &ws), 0);
	CU_ASSERT_EQUAL(a.argc, 1);
	CU_ASSERT_EQUAL(wi, 1);
	CU_ASSERT_EQUAL(ws, 4);

	l = "";
	CU_ASSERT_EQUAL(argv_partial(l, 0, &a, &wi, &q, &ws), 0);
	CU_ASSERT_EQUAL(a.argc, 0);
	CU_ASSERT_EQUAL(wi, 0);
	CU_ASSERT_PTR_NOT_NULL(a.argv);

	l = "cd /pub; get \"my fi";
	CU_ASSERT_EQUAL(argv_partial(l, strlen(l), &a, &wi, &q, &ws), 0);
	CU_ASSERT_EQUAL(a.argc, 2);
	CU_ASSERT_STRING_EQUAL(a.argv[0], "get");
	CU_ASSERT_STRING_EQUAL(a.argv[1], "my fi");
	CU_ASSERT_EQUAL(wi, 1);
	CU_ASSERT_EQUAL(q, '"');
	CU_ASSERT_EQUAL(ws, 13);
	CU_ASSERT(a.quoted[1]);

	l = "get 'it' x\\ y";
	CU_ASSERT_EQUAL(argv_partial(l, strlen(l), &a, &wi, &q, &ws), 0);
	CU_ASSERT_EQUAL(a.argc, 3);
	CU_ASSERT_STRING_EQUAL(a.argv[2], "x y");
	CU_ASSERT_EQUAL(q, '\0');
	CU_ASSERT_EQUAL(wi, 2);
	CU_ASSERT_EQUAL(ws, 9);

	/* point in the middle: only line[0..point) counts. */
	l = "get 'abc def' more";
	CU_ASSERT_EQUAL(argv_partial(l, 7, &a, &wi, &q, &ws), 0);
	CU_ASSERT_EQUAL(a.argc, 2);
	CU_ASSERT_STRING_EQUAL(a.argv[1], "ab");
	CU_ASSERT_EQUAL(q, '\'');
	CU_ASSERT_EQUAL(wi, 1);
	CU_ASSERT_EQUAL(ws, 4);

	l = "ls;";
	CU_ASSERT_EQUAL(argv_partial(l, strlen(l), &a, &wi, &q, &ws), 0);
	CU_ASSERT_EQUAL(a.argc, 0);
	CU_ASSERT_EQUAL(wi, 0);

	l = "get x\\";
	CU_ASSERT_EQUAL(argv_partial(l, strlen(l), &a, &wi, &q, &ws), 0);
	CU_ASSERT_EQUAL(wi, 1);
	CU_ASSERT_STRING_EQUAL(a.argv[1], "x");

	CU_ASSERT_EQUAL(argv_partial("ab", 5, &a, &wi, &q, &ws), ERR_USAGE);
	argv_clear(&a);
}

static void roundtrip(const char *s)
{
	char *q = argv_quote(s);
	struct argv a = { 0 };
	const char *pos = q, *why;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(argv_next(&pos, &a, &why), 1);
	CU_ASSERT_EQUAL(a.argc, 1);
	if (a.argc == 1)
		CU_ASSERT_STRING_EQUAL(a.argv[0], s);
	CU_ASSERT_EQUAL(*pos, '\0');
	argv_clear(&a);
	free(q);
}

static void test_quote(void)
{
	char *q;

	roundtrip("plain");
	roundtrip("with space");
	roundtrip("it's");
	roundtrip("say \"hi\"");
	roundtrip("a;b");
	roundtrip("#hash");
	roundtrip("back\\slash");
	roundtrip("*glob?[x]");
	roundtrip("");
	roundtrip("new\nline");
	roundtrip("tab\there and 'quote'");
	roundtrip("cr\r\x1b[31m");
	roundtrip("~user$HOME`x`&|<>(){}!");
	roundtrip("\xc3\xa9t\xc3\xa9");
	q = argv_quote("my file");
	CU_ASSERT_STRING_EQUAL(q, "my\\ file");
	free(q);
	q = argv_quote("plain.txt");
	CU_ASSERT_STRING_EQUAL(q, "plain.txt");
	free(q);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("argv", NULL, NULL);

	CU_add_test(s, "words and blanks", test_words);
	CU_add_test(s, "quotes", test_quotes);
	CU_add_test(s, "separators", test_separators);
	CU_add_test(s, "comments", test_comments);
	CU_add_test(s, "errors", test_errors);
	CU_add_test(s, "operators > >> | &", test_operators);
	CU_add_test(s, "argv_partial", test_partial);
	CU_add_test(s, "argv_quote round-trip", test_quote);
}
