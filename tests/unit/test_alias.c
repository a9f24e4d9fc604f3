/* test_alias.c - aliases: the table, and expansion of a command's first
 * word as the shell does it (alias.h), loops included. */
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "cu_main.h"

/* Expand the command at pos as the shell would (again and again, blanks
 * skipped after each), and return the text (heap). */
static char *expand_at(struct aliases *a, char *text, size_t pos)
{
	char *x;
	int guard = 0;
	while (guard++ < 1000 && (x = alias_expand(a, text, pos))) {
		free(text);
		text = x;
		while (text[pos] == ' ')
			pos++;
	}
	CU_ASSERT(guard < 1000);
	return text;
}

static void check(struct aliases *a, const char *in, size_t pos, const char *want)
{
	char *got = expand_at(a, strdup(in), pos);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	alias_text_reset(a);
}

static void test_table(void)
{
	struct aliases *a = aliases_new();
	const char *text;
	alias_set(a, "ll", "ls -l");
	alias_set(a, "dl", "get -o /tmp");
	alias_set(a, "ll", "ls -la");
	CU_ASSERT_STRING_EQUAL(alias_get(a, "ll"), "ls -la");
	CU_ASSERT_PTR_NULL(alias_get(a, "l"));
	/* Listed in name order. */
	CU_ASSERT_STRING_EQUAL(alias_nth(a, 0, &text), "dl");
	CU_ASSERT_STRING_EQUAL(alias_nth(a, 1, &text), "ll");
	CU_ASSERT_STRING_EQUAL(text, "ls -la");
	CU_ASSERT_PTR_NULL(alias_nth(a, 2, &text));
	CU_ASSERT(alias_del(a, "dl"));
	CU_ASSERT_FALSE(alias_del(a, "dl"));
	CU_ASSERT_STRING_EQUAL(alias_nth(a, 0, &text), "ll");
	CU_ASSERT(alias_name_ok("ll"));
	CU_ASSERT(alias_name_ok("get-all"));
	CU_ASSERT_FALSE(alias_name_ok(""));
	CU_ASSERT_FALSE(alias_name_ok("a b"));
	CU_ASSERT_FALSE(alias_name_ok("@x"));
	CU_ASSERT_FALSE(alias_name_ok("!x"));
	CU_ASSERT_FALSE(alias_name_ok("a;b"));
	CU_ASSERT_FALSE(alias_name_ok("a>b"));
	CU_ASSERT_FALSE(alias_name_ok("a'"));
	aliases_free(a);
	aliases_free(NULL);
}

static void test_expand(void)
{
	struct aliases *a = aliases_new();
	alias_set(a, "ll", "ls -l");
	alias_set(a, "up", "cd ..; ls");
	alias_set(a, "both", "ll; up");
	/* First word only, and the rest of the line kept. */
	check(a, "ll /pub", 0, "ls -l /pub");
	check(a, "ll; ll", 0, "ls -l; ll");
	check(a, "ll > out", 0, "ls -l > out");
	check(a, "ll&", 0, "ls -l&");
	check(a, "get ll", 0, "get ll");
	check(a, "lls", 0, "lls");
	check(a, "pwd; ll x", 5, "pwd; ls -l x");
	/* Quoted: no alias, as in sh. */
	check(a, "'ll' x", 0, "'ll' x");
	check(a, "l\\l x", 0, "l\\l x");
	/* An alias in an alias's first word. */
	check(a, "both", 0, "ls -l; up");
	aliases_free(a);
}

static void test_loops(void)
{
	struct aliases *a = aliases_new();
	/* Its own name: expanded once. */
	alias_set(a, "ls", "ls -l");
	check(a, "ls x", 0, "ls -l x");
	/* Two that name each other stop at the first repeat. */
	alias_set(a, "a", "b");
	alias_set(a, "b", "a");
	check(a, "a 1", 0, "a 1");
	/* An alias that runs itself again after a ';': the second use is
	 * inside its expansion, and stays as typed. */
	alias_set(a, "x", "pwd; x");
	char *t = expand_at(a, strdup("x; x"), 0);
	CU_ASSERT_STRING_EQUAL(t, "pwd; x; x");
	/* The shell runs "pwd" and drops it: positions move back. */
	char *rest = strdup(t + 5);
	alias_text_moved(a, 5);
	free(t);
	t = expand_at(a, rest, 0);
	CU_ASSERT_STRING_EQUAL(t, "x; x"); /* in its own expansion */
	rest = strdup(t + 3);
	alias_text_moved(a, 3);
	free(t);
	/* The x typed by the user, past the expansion: expanded. */
	t = expand_at(a, rest, 0);
	CU_ASSERT_STRING_EQUAL(t, "pwd; x");
	free(t);
	alias_text_reset(a);
	aliases_free(a);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("alias", NULL, NULL);
	CU_add_test(s, "table", test_table);
	CU_add_test(s, "expand", test_expand);
	CU_add_test(s, "loops", test_loops);
}
