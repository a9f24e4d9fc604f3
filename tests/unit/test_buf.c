/* test_buf.c - bounded buffers: limits, reserve/commit, consume, lines,
 * compaction. */
#include <string.h>

#include "buf.h"
#include "cu_main.h"
#include "err.h"

static void test_empty(void)
{
	struct buf b;

	buf_init(&b, 100);
	CU_ASSERT_EQUAL(buf_avail(&b), 0);
	CU_ASSERT_PTR_NOT_NULL(buf_peek(&b));
	CU_ASSERT_STRING_EQUAL(buf_peek(&b), "");
	CU_ASSERT_EQUAL(buf_line_len(&b), 0);
	buf_consume(&b, 0);
	buf_reset(&b);
	buf_clear(&b);
	buf_clear(&b); /* twice is harmless */
}

static void test_limits(void)
{
	struct buf b;
	char big[64];

	memset(big, 'x', sizeof(big));
	buf_init(&b, 10);
	CU_ASSERT_EQUAL(buf_append(&b, big, 10), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 10);
	CU_ASSERT_EQUAL(buf_append(&b, "y", 1), ERR_TOOLONG);
	CU_ASSERT_EQUAL(buf_avail(&b), 10); /* nothing appended */
	CU_ASSERT_EQUAL(buf_appendstr(&b, ""), 0);
	CU_ASSERT_EQUAL(buf_appendf(&b, "%d", 1), ERR_TOOLONG);
	buf_consume(&b, 4);
	CU_ASSERT_EQUAL(buf_append(&b, big, 5), ERR_TOOLONG);
	CU_ASSERT_EQUAL(buf_avail(&b), 6);
	CU_ASSERT_EQUAL(buf_append(&b, big, 4), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 10);
	/* A huge request must not wrap around. */
	CU_ASSERT_PTR_NULL(buf_reserve(&b, (size_t)-1));
	CU_ASSERT_PTR_NULL(buf_reserve(&b, 1));
	CU_ASSERT_PTR_NOT_NULL(buf_reserve(&b, 0));
	buf_clear(&b);

	buf_init(&b, 0);
	CU_ASSERT_EQUAL(buf_append(&b, "a", 1), ERR_TOOLONG);
	CU_ASSERT_EQUAL(buf_append(&b, "", 0), 0);
	buf_clear(&b);
}

static void test_appendf(void)
{
	struct buf b;

	buf_init(&b, 64);
	CU_ASSERT_EQUAL(buf_appendf(&b, "%s %d", "abc", 42), 0);
	CU_ASSERT_STRING_EQUAL(buf_peek(&b), "abc 42");
	CU_ASSERT_EQUAL(buf_appendstr(&b, "!"), 0);
	CU_ASSERT_STRING_EQUAL(buf_peek(&b), "abc 42!");
	CU_ASSERT_EQUAL(buf_avail(&b), 7);
	/* Exactly up to the limit, with the NUL in the spare byte. */
	CU_ASSERT_EQUAL(buf_appendf(&b, "%057d", 0), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 64);
	CU_ASSERT_EQUAL(buf_peek(&b)[64], '\0');
	buf_clear(&b);
}

static void test_reserve_commit(void)
{
	struct buf b;
	char *w;

	buf_init(&b, 1000);
	w = buf_reserve(&b, 500);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	memcpy(w, "hello", 5);
	buf_commit(&b, 5);
	CU_ASSERT_EQUAL(buf_avail(&b), 5);
	CU_ASSERT_STRING_EQUAL(buf_peek(&b), "hello");
	CU_ASSERT_PTR_NULL(buf_reserve(&b, 996));
	w = buf_reserve(&b, 995);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	memset(w, 'z', 995);
	buf_commit(&b, 995);
	CU_ASSERT_EQUAL(buf_avail(&b), 1000);
	CU_ASSERT_EQUAL(buf_peek(&b)[1000], '\0');
	CU_ASSERT(b.cap <= 1000);
	/* Committing 0 after a reserve is fine. */
	CU_ASSERT_PTR_NOT_NULL(buf_reserve(&b, 0));
	buf_commit(&b, 0);
	buf_clear(&b);
}

static void test_consume_and_nul(void)
{
	struct buf b;

	buf_init(&b, 100);
	CU_ASSERT_EQUAL(buf_append(&b, "ab\0cd", 5), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 5);
	CU_ASSERT_EQUAL(memcmp(buf_peek(&b), "ab\0cd", 5), 0);
	buf_consume(&b, 3);
	CU_ASSERT_STRING_EQUAL(buf_peek(&b), "cd");
	buf_consume(&b, 2);
	CU_ASSERT_EQUAL(buf_avail(&b), 0);
	CU_ASSERT_STRING_EQUAL(buf_peek(&b), "");
	CU_ASSERT_EQUAL(buf_append(&b, "x", 1), 0);
	buf_reset(&b);
	CU_ASSERT_EQUAL(buf_avail(&b), 0);
	CU_ASSERT_STRING_EQUAL(buf_peek(&b), "");
	buf_clear(&b);
}

static void test_lines(void)
{
	struct buf b;

	buf_init(&b, 100);
	CU_ASSERT_EQUAL(buf_appendstr(&b, "220 hi"), 0);
	CU_ASSERT_EQUAL(buf_line_len(&b), 0);
	CU_ASSERT_EQUAL(buf_appendstr(&b, "\r\n331 x\r\n"), 0);
	CU_ASSERT_EQUAL(buf_line_len(&b), 8);
	buf_consume(&b, buf_line_len(&b));
	CU_ASSERT_EQUAL(buf_line_len(&b), 7);
	CU_ASSERT_EQUAL(strncmp(buf_peek(&b), "331 x\r\n", 7), 0);
	buf_consume(&b, 7);
	CU_ASSERT_EQUAL(buf_line_len(&b), 0);
	/* A NUL before the newline does not hide it. */
	CU_ASSERT_EQUAL(buf_append(&b, "a\0b\n", 4), 0);
	CU_ASSERT_EQUAL(buf_line_len(&b), 4);
	buf_clear(&b);
}

static void test_compaction(void)
{
	struct buf b;
	char chunk[300];
	size_t cap, i;

	memset(chunk, 'q', sizeof(chunk));
	buf_init(&b, 1000);
	CU_ASSERT_EQUAL(buf_append(&b, chunk, 300), 0);
	CU_ASSERT_EQUAL(buf_append(&b, chunk, 300), 0);
	CU_ASSERT_EQUAL(buf_append(&b, chunk, 300), 0);
	cap = b.cap;
	/* A reader that keeps a small unread tail and a writer that keeps
	 * appending must reuse the consumed space, not grow. */
	for (i = 0; i < 1000; i++) {
		buf_consume(&b, 300);
		CU_ASSERT_EQUAL_FATAL(buf_append(&b, chunk, 300), 0);
		CU_ASSERT_EQUAL(buf_avail(&b), 900);
	}
	CU_ASSERT(b.cap <= 1000);
	CU_ASSERT(b.cap <= cap || cap < 1000);
	CU_ASSERT(b.off + buf_avail(&b) == b.len);
	CU_ASSERT_EQUAL(buf_peek(&b)[buf_avail(&b)], '\0');

	/* Content survives compaction. */
	buf_reset(&b);
	CU_ASSERT_EQUAL(buf_appendstr(&b, "0123456789"), 0);
	buf_consume(&b, 5);
	CU_ASSERT_PTR_NOT_NULL(buf_reserve(&b, b.cap - 5));
	CU_ASSERT_EQUAL(b.off, 0);
	CU_ASSERT_EQUAL(strncmp(buf_peek(&b), "56789", 5), 0);
	buf_clear(&b);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("buf", NULL, NULL);

	CU_add_test(s, "empty", test_empty);
	CU_add_test(s, "limits", test_limits);
	CU_add_test(s, "appendf", test_appendf);
	CU_add_test(s, "reserve_commit", test_reserve_commit);
	CU_add_test(s, "consume_and_nul", test_consume_and_nul);
	CU_add_test(s, "lines", test_lines);
	CU_add_test(s, "compaction", test_compaction);
}
