/* test_nuu.c - uuencoded and yEnc files inside a text body (nuu.c): found
 * among prose, decoded, and refused when cut, short or corrupt.  The
 * samples are what Python's binascii.b2a_uu (uuencode's alphabet, "`" for
 * zero) and a yEnc 1.3 encoder (escapes of NUL, LF, CR, "=", a leading
 * TAB, blank or dot) wrote for the bytes named. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cu_main.h"
#include "err.h"
#include "nuu.h"

/* Bytes 0..99 then "ferry\n": two full lines of 45 and one of 16. */
#define UU_SAMPLE \
	"begin 644 f.bin\n" \
	"M``$\"`P0%!@<(\"0H+#`T.#Q`1$A,4%187&!D:&QP='A\\@(2(C)\"4F)R@I*BLL\n" \
	"M+2XO,#$R,S0U-C<X.3H[/#T^/T!!0D-$149'2$E*2TQ-3D]045)35%565UA9\n" \
	"06EM<75Y?8&%B8V9E<G)Y\"@``\n" \
	"`\n" \
	"end\n"

/* Bytes 0..255, lines of 64; crc32 29058c73. */
#define YENC_HEAD "=ybegin line=64 size=256 name=all bytes.bin\n"
#define YENC_DATA \
	"*+,-./0123456789:;<=}>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\n" \
	"ijklmnopqrstuvwxyz{|}~\177\200\201\202\203\204\205\206\207\210\211\212\213\214\215\216\217\220\221\222\223\224\225\226\227\230\231\232\233\234\235\236\237\240\241\242\243\244\245\246\247\250\n" \
	"\251\252\253\254\255\256\257\260\261\262\263\264\265\266\267\270\271\272\273\274\275\276\277\300\301\302\303\304\305\306\307\310\311\312\313\314\315\316\317\320\321\322\323\324\325\326\327\330\331\332\333\334\335\336\337\340\341\342\343\344\345\346\347\350\n" \
	"\351\352\353\354\355\356\357\360\361\362\363\364\365\366\367\370\371\372\373\374\375\376\377=@\001\002\003\004\005\006\007\010\011=J\013\014=M\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037 !\"#$%\n" \
	"&'()\n"
#define YENC_SAMPLE YENC_HEAD YENC_DATA "=yend size=256 crc32=29058c73\n"

static const char *why;

/* The one block of text (asserted to be there) decoded into b. */
static int decode_one(const char *text, struct nuu_block *blk, struct buf *b)
{
	if (!nuu_next(text, strlen(text), 0, blk)) {
		CU_FAIL("no block found");
		return 1;
	}
	return nuu_decode(text, blk, b, &why);
}

static bool is_uu_data(const struct buf *b)
{
	if (buf_avail(b) != 106)
		return false;
	for (int i = 0; i < 100; i++)
		if ((unsigned char)buf_peek(b)[i] != i)
			return false;
	return memcmp(buf_peek(b) + 100, "ferry\n", 6) == 0;
}

static void test_uu_in_prose(void)
{
	const char *text = "Here is the file.\n\n" UU_SAMPLE "\n-- \nsig\n";
	struct nuu_block blk;
	struct buf b;

	buf_init(&b, 1 << 20);
	CU_ASSERT_EQUAL(decode_one(text, &blk, &b), 0);
	CU_ASSERT(is_uu_data(&b));
	CU_ASSERT_EQUAL(blk.kind, NUU_UU);
	CU_ASSERT(blk.ended);
	CU_ASSERT_EQUAL(blk.off, strlen("Here is the file.\n\n"));
	CU_ASSERT_EQUAL(blk.len, strlen(UU_SAMPLE));
	CU_ASSERT_EQUAL(blk.nlen, 5);
	CU_ASSERT_NSTRING_EQUAL(text + blk.noff, "f.bin", 5);
	/* Nothing after it. */
	CU_ASSERT_FALSE(nuu_next(text, strlen(text), blk.off + blk.len, &blk));
	/* CRLF lines decode the same. */
	const char *crlf = "begin 0600 a b\r\n#8V%T\r\n`\r\nend\r\n";
	buf_reset(&b);
	CU_ASSERT_EQUAL(decode_one(crlf, &blk, &b), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 3);
	CU_ASSERT_NSTRING_EQUAL(buf_peek(&b), "cat", 3);
	CU_ASSERT_NSTRING_EQUAL(crlf + blk.noff, "a b", blk.nlen);
	CU_ASSERT_EQUAL(blk.nlen, 3);
	/* Two blocks, found in turn; the name is returned as sent (the
	 * caller checks it). */
	const char *two = "begin 644 ../up\n#8V%T\nend\ntext\nbegin 644 x\n#8V%T\nend\n";
	CU_ASSERT(nuu_next(two, strlen(two), 0, &blk));
	CU_ASSERT_NSTRING_EQUAL(two + blk.noff, "../up", 5);
	CU_ASSERT(nuu_next(two, strlen(two), blk.off + blk.len, &blk));
	CU_ASSERT_NSTRING_EQUAL(two + blk.noff, "x", 1);
	CU_ASSERT_EQUAL(blk.off, strlen("begin 644 ../up\n#8V%T\nend\ntext\n"));
	buf_clear(&b);
}

static void test_uu_not_blocks(void)
{
	struct nuu_block blk;
	const char *prose[] = {
		"begin 644 the plan\nwith the usual steps\nend\n",   /* lower case */
		"begin 644 x\n\nend\n",                             /* blank first */
		"begin 64 x\n#8V%T\nend\n",                         /* mode */
		"begin 6448 x\n#8V%T\nend\n",
		"begin 648 x\n#8V%T\nend\n",
		"begin 644 \n#8V%T\nend\n",                         /* no name */
		"begin 644 x\n",                                    /* nothing after */
		"begin 644 x\nM8V%T\nend\n",                        /* says 45, has 4 */
		" begin 644 x\n#8V%T\nend\n",                       /* not at a line start */
		"begin-base64 644 x\nY2F0\n====\n",
	};
	for (size_t i = 0; i < sizeof(prose) / sizeof(prose[0]); i++) {
		bool found = nuu_next(prose[i], strlen(prose[i]), 0, &blk);
		if (found)
			fprintf(stderr, "\n  found a block in [%s]\n", prose[i]);
		CU_ASSERT_FALSE(found);
	}
	/* "begin" then "end" at once: an empty file. */
	struct buf b;
	buf_init(&b, 100);
	CU_ASSERT_EQUAL(decode_one("begin 644 empty\nend\n", &blk, &b), 0);
	CU_ASSERT_EQUAL(buf_avail(&b), 0);
	buf_clear(&b);
}

static void test_uu_broken(void)
{
	struct nuu_block blk;
	struct buf b;

	buf_init(&b, 1 << 20);
	/* No "end": the block stops before the signature, which stays text. */
	const char *cut = "begin 644 f\n#8V%T\n-- \nsig\n";
	CU_ASSERT_EQUAL(decode_one(cut, &blk, &b), ERR_PROTO);
	CU_ASSERT_FALSE(blk.ended);
	CU_ASSERT_EQUAL(blk.len, strlen("begin 644 f\n#8V%T\n"));
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "end"));
	/* A line that says more bytes than it has is not data: the block
	 * stops before it, cut; a MIME x-uuencode body with it is refused. */
	const char *shrt = "begin 644 f\n#8V%T\n$8V%\nend\n";
	buf_reset(&b);
	CU_ASSERT_EQUAL(decode_one(shrt, &blk, &b), ERR_PROTO);
	CU_ASSERT_FALSE(blk.ended);
	CU_ASSERT_EQUAL(blk.len, strlen("begin 644 f\n#8V%T\n"));
	buf_reset(&b);
	CU_ASSERT_EQUAL(nuu_uu_body(shrt, strlen(shrt), &b, &why), ERR_PROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "shorter"));
	buf_reset(&b);
	/* The bound holds. */
	struct buf small;
	buf_init(&small, 10);
	CU_ASSERT_EQUAL(decode_one(UU_SAMPLE, &blk, &small), ERR_TOOLONG);
	buf_clear(&small);
	/* A MIME x-uuencode body: from its first "begin " line. */
	buf_reset(&b);
	CU_ASSERT_EQUAL(nuu_uu_body(UU_SAMPLE, strlen(UU_SAMPLE), &b, &why), 0);
	CU_ASSERT(is_uu_data(&b));
	buf_reset(&b);
	CU_ASSERT_EQUAL(nuu_uu_body("#8V%T\nend\n", 10, &b, &why), ERR_PROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "begin"));
	buf_clear(&b);
}

static bool is_all_bytes(const struct buf *b)
{
	if (buf_avail(b) != 256)
		return false;
	for (int i = 0; i < 256; i++)
		if ((unsigned char)buf_peek(b)[i] != i)
			return false;
	return true;
}

/* Decode text's first block: the status, the reason in why. */
static int ydec(const char *text)
{
	struct nuu_block blk;
	struct buf b;

	buf_init(&b, 1 << 20);
	int r = decode_one(text, &blk, &b);
	buf_clear(&b);
	return r;
}

static void test_yenc(void)
{
	const char *text = "A file:\n" YENC_SAMPLE "bye\n";
	struct nuu_block blk;
	struct buf b;

	buf_init(&b, 1 << 20);
	CU_ASSERT_EQUAL(decode_one(text, &blk, &b), 0);
	CU_ASSERT(is_all_bytes(&b));
	CU_ASSERT_EQUAL(blk.kind, NUU_YENC);
	CU_ASSERT(blk.ended);
	CU_ASSERT_EQUAL(blk.off, 8);
	CU_ASSERT_EQUAL(blk.len, strlen(YENC_SAMPLE));
	CU_ASSERT_EQUAL(blk.part, 0);
	CU_ASSERT_EQUAL(blk.nlen, strlen("all bytes.bin"));
	CU_ASSERT_NSTRING_EQUAL(text + blk.noff, "all bytes.bin", blk.nlen);
	/* crc32 in upper case, and no crc32 at all, are fine. */
	CU_ASSERT_EQUAL(ydec(YENC_HEAD YENC_DATA "=yend size=256 crc32=29058C73\n"), 0);
	CU_ASSERT_EQUAL(ydec(YENC_HEAD YENC_DATA "=yend size=256\n"), 0);
	/* Refused: a wrong crc, a size that disagrees, no size, no =yend, an
	 * escape cut by the line end, one part of several. */
	CU_ASSERT_EQUAL(ydec(YENC_HEAD YENC_DATA "=yend size=256 crc32=29058c74\n"), ERR_PROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "crc32"));
	CU_ASSERT_EQUAL(ydec(YENC_HEAD YENC_DATA "=yend size=255 crc32=29058c73\n"), ERR_PROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "size"));
	CU_ASSERT_EQUAL(ydec("=ybegin line=64 size=257 name=x\n" YENC_DATA "=yend\n"), ERR_PROTO);
	CU_ASSERT_EQUAL(ydec("=ybegin line=64 name=x\n" YENC_DATA "=yend\n"), ERR_PROTO);
	CU_ASSERT_EQUAL(ydec(YENC_HEAD YENC_DATA), ERR_PROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "=yend"));
	CU_ASSERT_EQUAL(ydec("=ybegin line=64 size=1 name=x\nab=\n=yend size=1\n"), ERR_PROTO);
	CU_ASSERT_EQUAL(ydec("=ybegin part=1 total=2 line=64 size=512 name=x\n"
	                     "=ypart begin=1 end=256\n" YENC_DATA
	                     "=yend size=256 part=1 pcrc32=29058c73\n"), ERR_PROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "multi-part"));
	/* A name holding "size=" is the name; no name is no block. */
	const char *odd = "=ybegin line=64 size=3 name=a size=9.txt\nKLM\n=yend size=3\n";
	buf_reset(&b);
	CU_ASSERT_EQUAL(decode_one(odd, &blk, &b), 0);
	CU_ASSERT_NSTRING_EQUAL(odd + blk.noff, "a size=9.txt", blk.nlen);
	CU_ASSERT_NSTRING_EQUAL(buf_peek(&b), "!\"#", 3);
	CU_ASSERT_FALSE(nuu_next("=ybegin line=64 size=3\nKLM\n=yend\n", 33, 0, &blk));
	buf_clear(&b);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("nuu", NULL, NULL);

	CU_add_test(s, "uuencode among prose", test_uu_in_prose);
	CU_add_test(s, "prose that is not uuencode", test_uu_not_blocks);
	CU_add_test(s, "uuencode cut, short, bounded", test_uu_broken);
	CU_add_test(s, "yEnc", test_yenc);
}
