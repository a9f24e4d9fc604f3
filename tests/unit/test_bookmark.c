/* test_bookmark.c - the bookmarks file: lftp's `NAME URL` lines, comments
 * and malformed lines kept byte for byte, warnings with FILE:LINE, add,
 * replace and delete, the atomic save (mode 0600, no temporary file left,
 * the old file untouched when the folder cannot be written). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "bookmark.h"
#include "cu_main.h"
#include "err.h"

struct warns {
	char msg[8][256];
	int n;
};

static void warn(const char *msg, void *arg)
{
	struct warns *w = arg;
	if (w->n < 8)
		snprintf(w->msg[w->n++], sizeof(w->msg[0]), "%s", msg);
}

static void test_parse(void)
{
	const char *text =
		"# lftp bookmarks\n"
		"lab\tftp://127.0.0.1:2121/pub\n"
		"\n"
		"news   nntps://news.example/comp.lang.c   \n"
		"broken\n"
		"bad/name ftp://h\n"
		"win\tftp://w.example\r\n"
		"too many words\n"
		"last ftp://last.example";
	struct bookmarks b;
	struct warns w = { 0 };
	bookmarks_parse(&b, text, strlen(text), "/x/bookmarks", warn, &w);
	CU_ASSERT_EQUAL(b.n, 9);
	CU_ASSERT_STRING_EQUAL(bookmarks_get(&b, "lab"), "ftp://127.0.0.1:2121/pub");
	CU_ASSERT_STRING_EQUAL(bookmarks_get(&b, "news"), "nntps://news.example/comp.lang.c");
	CU_ASSERT_STRING_EQUAL(bookmarks_get(&b, "win"), "ftp://w.example");
	CU_ASSERT_STRING_EQUAL(bookmarks_get(&b, "last"), "ftp://last.example");
	CU_ASSERT_PTR_NULL(bookmarks_get(&b, "broken"));
	CU_ASSERT_PTR_NULL(bookmarks_get(&b, "bad/name"));
	CU_ASSERT_PTR_NULL(bookmarks_get(&b, "too"));
	CU_ASSERT_PTR_NULL(bookmarks_get(&b, "la"));
	/* Three malformed lines, each named by file and line. */
	CU_ASSERT_EQUAL(w.n, 3);
	CU_ASSERT(strncmp(w.msg[0], "/x/bookmarks:5: ", 16) == 0);
	CU_ASSERT(strncmp(w.msg[1], "/x/bookmarks:6: ", 16) == 0);
	CU_ASSERT(strncmp(w.msg[2], "/x/bookmarks:8: ", 16) == 0);
	bookmarks_clear(&b);
}

static void test_names(void)
{
	CU_ASSERT(bookmark_name_ok("lab"));
	CU_ASSERT(bookmark_name_ok("lab-ftp_2.x+y"));
	CU_ASSERT(bookmark_name_ok("a1"));
	CU_ASSERT_FALSE(bookmark_name_ok(""));
	CU_ASSERT_FALSE(bookmark_name_ok("12"));     /* a session id */
	CU_ASSERT_FALSE(bookmark_name_ok("-x"));
	CU_ASSERT_FALSE(bookmark_name_ok(".x"));
	CU_ASSERT_FALSE(bookmark_name_ok("a b"));
	CU_ASSERT_FALSE(bookmark_name_ok("h:21"));
	CU_ASSERT_FALSE(bookmark_name_ok("u@h"));
	CU_ASSERT_FALSE(bookmark_name_ok("a/b"));
	CU_ASSERT_FALSE(bookmark_name_ok("\xc3\xa9t\xc3\xa9"));
	char longname[70];
	memset(longname, 'a', 65);
	longname[65] = '\0';
	CU_ASSERT_FALSE(bookmark_name_ok(longname));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void test_save(void)
{
	char dir[] = "/tmp/ferry-bm-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/bookmarks", dir);
	const char *orig = "# mine\n"
	                   "lab  ftp://127.0.0.1/pub\n"
	                   "oops\n"
	                   "news\tnntp://n.example\n";
	FILE *f = fopen(path, "w");
	fputs(orig, f);
	fclose(f);
	chmod(path, 0644);

	struct bookmarks b;
	struct warns w = { 0 };
	CU_ASSERT_EQUAL(bookmarks_load(&b, path, warn, &w), 0);
	CU_ASSERT_EQUAL(w.n, 1);
	/* Unchanged, it is written back byte for byte. */
	CU_ASSERT_EQUAL(bookmarks_save(&b, path), 0);
	CU_ASSERT_STRING_EQUAL(slurp(path), orig);
	struct stat st;
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);

	CU_ASSERT_FALSE(bookmarks_set(&b, "new", "ftps://x.example:990"));
	CU_ASSERT(bookmarks_set(&b, "lab", "ftp://127.0.0.1/incoming"));
	CU_ASSERT(bookmarks_del(&b, "news"));
	CU_ASSERT_FALSE(bookmarks_del(&b, "news"));
	CU_ASSERT_FALSE(bookmarks_del(&b, "oops")); /* not a bookmark */
	CU_ASSERT_EQUAL(bookmarks_save(&b, path), 0);
	CU_ASSERT_STRING_EQUAL(slurp(path), "# mine\n"
	                                    "lab\tftp://127.0.0.1/incoming\n"
	                                    "oops\n"
	                                    "new\tftps://x.example:990\n");
	CU_ASSERT_EQUAL(count_files(dir), 1); /* no temporary file left */
	bookmarks_clear(&b);

	/* A NUL in a line: not a bookmark, and the line written back whole. */
	const char nul[] = "ok ftp://a\nba\0d ftp://b\n";
	bookmarks_parse(&b, nul, sizeof(nul) - 1, path, warn, &w);
	CU_ASSERT_EQUAL(b.n, 2);
	CU_ASSERT_PTR_NULL(bookmarks_get(&b, "ba"));
	CU_ASSERT_EQUAL(bookmarks_save(&b, path), 0);
	f = fopen(path, "rb");
	char back[64];
	size_t nb = fread(back, 1, sizeof(back), f);
	fclose(f);
	CU_ASSERT_EQUAL(nb, sizeof(nul) - 1);
	CU_ASSERT(memcmp(back, nul, sizeof(nul) - 1) == 0);
	bookmarks_clear(&b);

	/* A missing file is an empty list; a folder that cannot be written
	 * fails with the old file untouched (not as root: it writes anyway). */
	unlink(path);
	CU_ASSERT_EQUAL(bookmarks_load(&b, path, warn, &w), 0);
	CU_ASSERT_EQUAL(b.n, 0);
	bookmarks_set(&b, "a", "ftp://a.example");
	CU_ASSERT_EQUAL(bookmarks_save(&b, path), 0);
	if (geteuid() != 0) {
		chmod(dir, 0500);
		bookmarks_set(&b, "b", "ftp://b.example");
		CU_ASSERT_EQUAL(bookmarks_save(&b, path), ERR_LOCAL);
		CU_ASSERT_STRING_EQUAL(slurp(path), "a\tftp://a.example\n");
		chmod(dir, 0700);
	}
	bookmarks_clear(&b);
	unlink(path);
	rmdir(dir);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("bookmark", NULL, NULL);
	CU_add_test(s, "parse", test_parse);
	CU_add_test(s, "names", test_names);
	CU_add_test(s, "save", test_save);
}
