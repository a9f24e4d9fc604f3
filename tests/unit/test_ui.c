/* test_ui.c - escaping of server text: nothing that drives a terminal may
 * pass through, valid UTF-8 must. */
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"
#include "buf.h"
#include "err.h"
#include "ui.h"

static char *esc(const char *s, size_t n, bool keep_lf)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	CU_ASSERT_EQUAL(ui_escape(s, n, keep_lf, &b), 0);
	char *r = strndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	return r;
}

#define CHECK(in, keep, want) do { \
	char *got_ = esc(in, sizeof(in) - 1, keep); \
	CU_ASSERT_STRING_EQUAL(got_, want); \
	free(got_); \
} while (0)

static void test_plain(void)
{
	CHECK("hello world", false, "hello world");
	CHECK("a\tb", false, "a\tb");
	CHECK("", false, "");
}

static void test_controls(void)
{
	CHECK("\x1b[2J", false, "\\x1b[2J");
	CHECK("a\rb", false, "a\\rb");
	CHECK("a\nb", false, "a\\nb");
	CHECK("a\nb", true, "a\nb");
	CHECK("\x07\x7f", false, "\\x07\\x7f");
	CHECK("x\0y", false, "x\\x00y");
	/* OSC title change with ST */
	CHECK("\x1b]0;pwned\x07", false, "\\x1b]0;pwned\\x07");
}

static void test_utf8(void)
{
	CHECK("caf\xc3\xa9", false, "caf\xc3\xa9");          /* é */
	CHECK("\xe2\x82\xac", false, "\xe2\x82\xac");        /* € */
	CHECK("\xf0\x9f\x98\x80", false, "\xf0\x9f\x98\x80"); /* emoji */
	/* C1 CSI as UTF-8 (U+009B) and as a raw byte */
	CHECK("\xc2\x9b", false, "\\u{009b}");
	CHECK("\x9b", false, "\\x9b");
	/* overlong '/' and a surrogate */
	CHECK("\xc0\xaf", false, "\\xc0\\xaf");
	CHECK("\xed\xa0\x80", false, "\\xed\\xa0\\x80");
	/* truncated sequence */
	CHECK("\xe2\x82", false, "\\xe2\\x82");
}

static void test_bidi(void)
{
	CHECK("a\xe2\x80\xae" "b", false, "a\\u{202e}b");  /* RLO */
	CHECK("\xe2\x81\xa6x", false, "\\u{2066}x");    /* LRI */
	CHECK("\xe2\x80\x8f", false, "\\u{200f}");      /* RLM */
}

static void test_bound(void)
{
	struct buf b;
	buf_init(&b, 8);
	CU_ASSERT_EQUAL(ui_escape("\x1b\x1b\x1b", 3, false, &b), ERR_TOOLONG);
	buf_clear(&b);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("ui_escape", NULL, NULL);
	CU_add_test(s, "plain text", test_plain);
	CU_add_test(s, "control characters", test_controls);
	CU_add_test(s, "UTF-8", test_utf8);
	CU_add_test(s, "bidi controls", test_bidi);
	CU_add_test(s, "bounded output", test_bound);
}
