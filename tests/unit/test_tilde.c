/* test_tilde.c - `~` and `~user` at the start of local paths. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cu_main.h"
#include "tilde.h"

static void check(const char *in, const char *want)
{
	char *got = path_expand_tilde(in);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "path_expand_tilde(%s): %s, want %s\n", in, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void test_home(void)
{
	char *old = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("HOME", "/home/joe", 1);
	check("~", "/home/joe");
	check("~/", "/home/joe/");
	check("~/dl/x.bin", "/home/joe/dl/x.bin");
	setenv("HOME", "/home/joe/", 1);
	check("~/x", "/home/joe/x");
	setenv("HOME", "/", 1);
	check("~/x", "/x");
	check("~", "/");
	/* Only at the start, as in a shell. */
	check("a/~/b", "a/~/b");
	check("x~", "x~");
	check("", "");
	check("/~", "/~");
	if (old) {
		setenv("HOME", old, 1);
		free(old);
	} else {
		unsetenv("HOME");
	}
}

static void test_user(void)
{
	struct passwd *pw = getpwnam("root");
	if (!pw)
		return;
	char *want = malloc(strlen(pw->pw_dir) + 8);
	strcpy(want, pw->pw_dir);
	check("~root", want);
	strcat(want, "/a/b");
	check("~root/a/b", strcmp(pw->pw_dir, "/") ? want : "/a/b");
	free(want);
	/* An unknown user: unchanged (bash does the same). */
	check("~no-such-user-ferry", "~no-such-user-ferry");
	check("~no-such-user-ferry/x", "~no-such-user-ferry/x");
}

static void test_no_home(void)
{
	char *old = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	/* No $HOME: the password database's home for this user. */
	unsetenv("HOME");
	struct passwd *pw = getpwuid(getuid());
	char *got = path_expand_tilde("~");
	if (pw && *pw->pw_dir)
		CU_ASSERT_STRING_EQUAL(got, pw->pw_dir);
	free(got);
	setenv("HOME", "", 1);
	got = path_expand_tilde("~");
	if (pw && *pw->pw_dir)
		CU_ASSERT_STRING_EQUAL(got, pw->pw_dir);
	free(got);
	if (old) {
		setenv("HOME", old, 1);
		free(old);
	}
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("tilde", NULL, NULL);
	CU_add_test(s, "home", test_home);
	CU_add_test(s, "user", test_user);
	CU_add_test(s, "no_home", test_no_home);
}
