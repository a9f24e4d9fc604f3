/* test_lfile.c - the local end of a download, in a scratch directory:
 * NAME.part until complete, and when NAME.part.meta is written; the
 * source of an upload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu_main.h"
#include "err.h"
#include "lfile.h"

static char dir[] = "/tmp/ferry-test-lfile.XXXXXX";
static char name[256], part[300], meta[310];

static bool exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

static char *slurp(const char *p)
{
	static char text[256];
	FILE *fp = fopen(p, "r");
	size_t n = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
	if (fp)
		fclose(fp);
	text[n] = '\0';
	return text;
}

static void put(const char *p, const char *text)
{
	FILE *fp = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(text, fp);
	fclose(fp);
}

static int init(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(name, sizeof(name), "%s/f.bin", dir);
	snprintf(part, sizeof(part), "%s.part", name);
	snprintf(meta, sizeof(meta), "%s.meta", part);
	return 0;
}

static int clean(void)
{
	unlink(meta);
	unlink(part);
	unlink(name);
	rmdir(dir);
	return 0;
}

static void reset(void)
{
	unlink(meta);
	unlink(part);
	unlink(name);
}

/* A file that arrives in one piece: no record is ever made, and NAME gets
 * the remote time. */
static void test_one_piece(void)
{
	struct lfile f;
	struct stat st;

	reset();
	lfile_init(&f, false);
	CU_ASSERT_EQUAL_FATAL(lfile_target(&f, name, false), 0);
	CU_ASSERT_EQUAL_FATAL(lfile_open(&f, 5, 1700000000), 0);
	CU_ASSERT(exists(part));
	CU_ASSERT_FALSE(exists(meta));
	CU_ASSERT_EQUAL(lfile_write(&f, "hello", 5), 0);
	CU_ASSERT_FALSE(exists(meta));
	CU_ASSERT_FALSE(exists(name));
	CU_ASSERT_EQUAL(lfile_close(&f), 0);
	CU_ASSERT_EQUAL(lfile_commit(&f), 0);
	CU_ASSERT_FALSE(exists(part));
	CU_ASSERT_FALSE(exists(meta));
	CU_ASSERT_STRING_EQUAL(slurp(name), "hello");
	CU_ASSERT_EQUAL_FATAL(lstat(name, &st), 0);
	CU_ASSERT_EQUAL(st.st_mtime, 1700000000);
	lfile_clear(&f);
}

/* The second piece makes the record, with the time the part began with
 * (known by then: lfile.mtime may be set after the open, as mirror does
 * when MDTM answers); the commit removes it. */
static void test_second_piece(void)
{
	struct lfile f;
	int64_t size, mtime;

	reset();
	lfile_init(&f, false);
	CU_ASSERT_EQUAL_FATAL(lfile_target(&f, name, false), 0);
	CU_ASSERT_EQUAL_FATAL(lfile_open(&f, 10, -1), 0);
	f.mtime = 1700000100;
	CU_ASSERT_EQUAL(lfile_write(&f, "hello", 5), 0);
	CU_ASSERT_FALSE(exists(meta));
	CU_ASSERT_EQUAL(lfile_write(&f, "world", 5), 0);
	CU_ASSERT_STRING_EQUAL(slurp(meta), "size 10\nmdtm 1700000100\n");
	CU_ASSERT_EQUAL(lfile_meta(&f, &size, &mtime), 0);
	CU_ASSERT_EQUAL(size, 10);
	CU_ASSERT_EQUAL(mtime, 1700000100);
	CU_ASSERT_EQUAL(lfile_close(&f), 0);
	CU_ASSERT_EQUAL(lfile_commit(&f), 0);
	CU_ASSERT_FALSE(exists(meta));
	CU_ASSERT_STRING_EQUAL(slurp(name), "helloworld");
	lfile_clear(&f);
}

/* A failure after one piece keeps the part for a resume, with its
 * record; one before any data leaves nothing. */
static void test_discard(void)
{
	struct lfile f;

	reset();
	lfile_init(&f, false);
	CU_ASSERT_EQUAL_FATAL(lfile_target(&f, name, false), 0);
	CU_ASSERT_EQUAL_FATAL(lfile_open(&f, 100, 1700000200), 0);
	CU_ASSERT_EQUAL(lfile_write(&f, "hello", 5), 0);
	lfile_discard(&f);
	CU_ASSERT_STRING_EQUAL(slurp(part), "hello");
	CU_ASSERT_STRING_EQUAL(slurp(meta), "size 100\nmdtm 1700000200\n");
	CU_ASSERT_FALSE(exists(name));
	lfile_clear(&f);

	reset();
	lfile_init(&f, false);
	CU_ASSERT_EQUAL_FATAL(lfile_target(&f, name, false), 0);
	CU_ASSERT_EQUAL_FATAL(lfile_open(&f, 100, 1700000200), 0);
	lfile_discard(&f);
	CU_ASSERT_FALSE(exists(part));
	CU_ASSERT_FALSE(exists(meta));
	lfile_clear(&f);
}

/* Clobbering replaces an old NAME.part (and its record goes with the
 * commit); without it, the old part is refused and left alone. */
static void test_old_part(void)
{
	struct lfile f;

	reset();
	put(part, "old bytes");
	put(meta, "size 9\n");
	lfile_init(&f, false);
	CU_ASSERT_NOT_EQUAL(lfile_target(&f, name, false), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(f.why, "exists"));
	lfile_clear(&f);
	CU_ASSERT_STRING_EQUAL(slurp(part), "old bytes");

	lfile_init(&f, true);
	CU_ASSERT_EQUAL_FATAL(lfile_target(&f, name, false), 0);
	CU_ASSERT_EQUAL_FATAL(lfile_open(&f, 3, -1), 0);
	CU_ASSERT_EQUAL(lfile_write(&f, "new", 3), 0);
	CU_ASSERT_EQUAL(lfile_write(&f, "!", 1), 0);
	CU_ASSERT_STRING_EQUAL(slurp(meta), "size 3\n");
	CU_ASSERT_EQUAL(lfile_close(&f), 0);
	CU_ASSERT_EQUAL(lfile_commit(&f), 0);
	CU_ASSERT_STRING_EQUAL(slurp(name), "new!");
	CU_ASSERT_FALSE(exists(part));
	CU_ASSERT_FALSE(exists(meta));
	lfile_clear(&f);

	/* The same in one piece: the old record goes all the same. */
	put(part, "old bytes");
	put(meta, "size 9\n");
	lfile_init(&f, true);
	CU_ASSERT_EQUAL_FATAL(lfile_target(&f, name, false), 0);
	CU_ASSERT_EQUAL_FATAL(lfile_open(&f, 3, -1), 0);
	CU_ASSERT_FALSE(exists(meta));
	CU_ASSERT_EQUAL(lfile_write(&f, "new", 3), 0);
	CU_ASSERT_EQUAL(lfile_close(&f), 0);
	CU_ASSERT_EQUAL(lfile_commit(&f), 0);
	CU_ASSERT_STRING_EQUAL(slurp(name), "new");
	CU_ASSERT_FALSE(exists(part));
	CU_ASSERT_FALSE(exists(meta));
	lfile_clear(&f);
}

/* pget's segments: written anywhere, read back; the .meta says from the
 * start how much is good (a killed pget leaves holes); a cut keeps the
 * good prefix and a record without "good"; a resume of a part whose
 * record still says "good" cuts it there first. */
static void test_segments(void)
{
	struct lfile f;
	char back[6] = "";

	reset();
	put(part, "abc");
	lfile_init(&f, false);
	CU_ASSERT_EQUAL_FATAL(lfile_target(&f, name, true), 0);
	CU_ASSERT_EQUAL(f.offset, 3);
	f.random = true;
	CU_ASSERT_EQUAL_FATAL(lfile_open(&f, 12, 1700000000), 0);
	CU_ASSERT_EQUAL(lfile_segments(&f), 0);
	CU_ASSERT_STRING_EQUAL(slurp(meta), "size 12\nmdtm 1700000000\ngood 3\n");
	CU_ASSERT_EQUAL(lfile_pwrite(&f, "ijkl", 4, 8), 0); /* a later segment first */
	CU_ASSERT_EQUAL(lfile_pwrite(&f, "de", 2, 3), 0);
	CU_ASSERT_EQUAL(f.written, 6);
	CU_ASSERT_EQUAL(lfile_pread(&f, back, 5, 0), 0);
	CU_ASSERT_STRING_EQUAL(back, "abcde");
	CU_ASSERT_EQUAL(lfile_pread(&f, back, 5, 10), ERR_LOCAL); /* past the end */
	lfile_close(&f);
	lfile_clear(&f);

	/* Killed here: the part is 12 bytes with a hole at 5..8; a resume
	 * takes the 3 good ones only, and cuts the rest when it opens. */
	lfile_init(&f, false);
	CU_ASSERT_EQUAL_FATAL(lfile_target(&f, name, true), 0);
	CU_ASSERT_EQUAL(f.offset, 3);
	CU_ASSERT_EQUAL_FATAL(lfile_open(&f, 12, 1700000000), 0);
	CU_ASSERT_STRING_EQUAL(slurp(part), "abc");
	CU_ASSERT_STRING_EQUAL(slurp(meta), "size 12\nmdtm 1700000000\n");
	CU_ASSERT_EQUAL(lfile_write(&f, "defgh", 5), 0);
	CU_ASSERT_EQUAL(lfile_close(&f), 0);
	CU_ASSERT_STRING_EQUAL(slurp(part), "abcdefgh");
	lfile_clear(&f);

	/* A cut (pget failed) keeps the prefix, never less than offset. */
	lfile_init(&f, false);
	CU_ASSERT_EQUAL_FATAL(lfile_target(&f, name, true), 0);
	f.random = true;
	CU_ASSERT_EQUAL_FATAL(lfile_open(&f, 12, 1700000000), 0);
	CU_ASSERT_EQUAL(lfile_segments(&f), 0);
	CU_ASSERT_EQUAL(lfile_pwrite(&f, "IJKL", 4, 10), 0);
	CU_ASSERT_EQUAL(lfile_cut(&f, 2), 0);
	CU_ASSERT_EQUAL(f.written, 0);
	CU_ASSERT_STRING_EQUAL(slurp(part), "abcdefgh");
	CU_ASSERT_STRING_EQUAL(slurp(meta), "size 12\nmdtm 1700000000\n");
	lfile_close(&f);
	lfile_clear(&f);
	reset();
}

/* An upload's source: a regular file opens with its size; a directory
 * says put -r is for trees; a missing file says so. */
static void test_source(void)
{
	struct lsource src;

	reset();
	put(name, "12345");
	CU_ASSERT_EQUAL_FATAL(lsource_open(&src, name), 0);
	CU_ASSERT_EQUAL(src.size, 5);
	/* -E's last check: the name still names the file sent, as sent. */
	CU_ASSERT_TRUE(lsource_unchanged(&src, 5));
	CU_ASSERT_FALSE(lsource_unchanged(&src, 4));
	FILE *fp = fopen(name, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("6", fp);
	fclose(fp);
	CU_ASSERT_FALSE(lsource_unchanged(&src, 5)); /* appended to */
	put(part, "12345");
	CU_ASSERT_EQUAL(rename(part, name), 0);
	CU_ASSERT_FALSE(lsource_unchanged(&src, 5)); /* another file there */
	lsource_clear(&src);

	CU_ASSERT_EQUAL(lsource_open(&src, dir), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(src.why, ": a directory (put -r sends directory trees)"));
	lsource_clear(&src);

	unlink(name);
	CU_ASSERT_EQUAL(lsource_open(&src, name), ERR_LOCAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(src.why, "No such file or directory"));
	lsource_clear(&src);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("lfile", init, clean);
	CU_add_test(s, "one piece: no record", test_one_piece);
	CU_add_test(s, "second piece: the record", test_second_piece);
	CU_add_test(s, "discard", test_discard);
	CU_add_test(s, "an old part", test_old_part);
	CU_add_test(s, "pget's segments", test_segments);
	CU_add_test(s, "an upload's source", test_source);
}
