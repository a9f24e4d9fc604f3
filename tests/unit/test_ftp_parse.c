/* test_ftp_parse.c - the FTP reply parsers and local-name sanitising
 * (doc/HOSTILE-CASES.md A3, A6, B8, C11, C15). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"
#include "err.h"
#include "ftp.h"

/* ---- 227 ---------------------------------------------------------------- */

static void ok227(const char *msg, int want_port, int a, int b, int c, int d)
{
	int port = -1;
	unsigned char addr[4] = { 9, 9, 9, 9 };
	CU_ASSERT_EQUAL_FATAL(ftp_parse_227(msg, &port, addr), 0);
	CU_ASSERT_EQUAL(port, want_port);
	CU_ASSERT(addr[0] == a && addr[1] == b && addr[2] == c && addr[3] == d);
}

static void bad227(const char *msg)
{
	int port = -1;
	CU_ASSERT_EQUAL(ftp_parse_227(msg, &port, NULL), ERR_PROTO);
	CU_ASSERT_EQUAL(port, -1);
}

static void test_227(void)
{
	ok227("Entering Passive Mode (127,0,0,1,4,1).", 1025, 127, 0, 0, 1);
	ok227("Entering Passive Mode (192,168,1,2,255,255)", 65535, 192, 168, 1, 2);
	/* blanks around the commas */
	ok227("Entering Passive Mode ( 10, 0, 0, 1, 0, 21 )", 21, 10, 0, 0, 1);
	/* no parentheses: scan for the first digit (RFC 1123) */
	ok227("Entering Passive Mode 127,0,0,2,200,10", 200 * 256 + 10, 127, 0, 0, 2);
	ok227("=127,0,0,1,0,1", 1, 127, 0, 0, 1);
	/* a digit before the parenthesis does not confuse the scan */
	ok227("Passive Mode v2 (1,2,3,4,0,80)", 80, 1, 2, 3, 4);
	ok227("(001,002,003,004,000,080)", 80, 1, 2, 3, 4);
	ok227("(0,0,0,0,0,1)", 1, 0, 0, 0, 0);

	bad227("Entering Passive Mode (256,0,0,1,4,1)");  /* octet > 255 */
	bad227("Entering Passive Mode (127,0,0,1,300,1)");
	bad227("Entering Passive Mode (127,0,0,1,4,256)");
	bad227("Entering Passive Mode (127,0,0,1,0,0)");  /* port 0 */
	bad227("Entering Passive Mode (127,0,0,1,4)");    /* five numbers */
	bad227("Entering Passive Mode (127,0,0,1,4,1,7)");/* seven */
	bad227("Entering Passive Mode 127,0,0,1,4,1,7");
	bad227("Entering Passive Mode (127,0,0,1,4,1");   /* unclosed */
	bad227("Entering Passive Mode (127;0;0;1;4;1)");  /* delimiters */
	bad227("Entering Passive Mode (127,0,0,1,,1)");
	bad227("Entering Passive Mode (1270,0,0,1,4,1)"); /* four digits */
	bad227("Entering Passive Mode (-1,0,0,1,4,1)");
	bad227("Entering Passive Mode ()");
	bad227("Entering Passive Mode");
	bad227("");
	bad227("(99999999999999999999,0,0,1,4,1)");
	bad227("\x1b[31m(a,b,c,d,e,f)");
}

/* ---- 229 ---------------------------------------------------------------- */

static void bad229(const char *msg)
{
	int port = -1;
	CU_ASSERT_EQUAL(ftp_parse_229(msg, &port), ERR_PROTO);
	CU_ASSERT_EQUAL(port, -1);
}

static void test_229(void)
{
	int port = 0;
	CU_ASSERT_EQUAL(ftp_parse_229("Entering Extended Passive Mode (|||6446|)", &port), 0);
	CU_ASSERT_EQUAL(port, 6446);
	CU_ASSERT_EQUAL(ftp_parse_229("Entering Extended Passive Mode (|||1|).", &port), 0);
	CU_ASSERT_EQUAL(port, 1);
	CU_ASSERT_EQUAL(ftp_parse_229("(!!!65535!)", &port), 0);
	CU_ASSERT_EQUAL(port, 65535);
	CU_ASSERT_EQUAL(ftp_parse_229("ok (###21#) now", &port), 0);
	CU_ASSERT_EQUAL(port, 21);

	bad229("Entering Extended Passive Mode (|||0|)");     /* port 0 */
	bad229("Entering Extended Passive Mode (|||65536|)"); /* too big */
	bad229("Entering Extended Passive Mode (|||123456|)");
	bad229("Entering Extended Passive Mode (|||6446!)");  /* mixed */
	bad229("Entering Extended Passive Mode (||6446|)");   /* too few */
	bad229("Entering Extended Passive Mode (|1|127.0.0.1|6446|)");
	bad229("Entering Extended Passive Mode (|||6446|");   /* no ')' */
	bad229("Entering Extended Passive Mode |||6446|");    /* no parens */
	bad229("Entering Extended Passive Mode (11164461)");  /* digit delim */
	bad229("Entering Extended Passive Mode ( 6446 )");    /* blank delim */
	bad229("Entering Extended Passive Mode (|||-1|)");
	bad229("Entering Extended Passive Mode (||||)");
	bad229("Entering Extended Passive Mode (");
	bad229("(");
	bad229("");
	bad229("(\x7f\x7f\x7f" "21\x7f)");
}

/* ---- 257 ---------------------------------------------------------------- */

static void ok257(const char *msg, const char *want)
{
	char *path = NULL;
	CU_ASSERT_EQUAL_FATAL(ftp_parse_257(msg, &path), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	CU_ASSERT_STRING_EQUAL(path, want);
	free(path);
}

static void bad257(const char *msg)
{
	char *path = (char *)"untouched";
	CU_ASSERT_EQUAL(ftp_parse_257(msg, &path), ERR_PROTO);
	CU_ASSERT_STRING_EQUAL(path, "untouched");
}

static void test_257(void)
{
	ok257("\"/\" is the current directory", "/");
	ok257("\"/pub/incoming\"", "/pub/incoming");
	ok257("\"/a \"\"quoted\"\" dir\" is current", "/a \"quoted\" dir");
	ok257("\"\"\"\"", "\"");
	ok257("\"/x\"\"\"", "/x\"");
	ok257("  \"/with blanks before\"", "/with blanks before");
	ok257("\"/ünïcode\" ok", "/ünïcode");

	bad257("\"/foo");                  /* curl CVE-2017-1000254 */
	bad257("\"/foo\"\"");              /* ends inside a doubled quote */
	bad257("\"");
	bad257("\"\" is empty");
	bad257("/pub is current directory"); /* no quotes at all */
	bad257("");
	bad257("MKD command successful");
	bad257("\"/a\rb\"");
	bad257("\"/a\x1b[2Jb\"");
	bad257("\"/a\x7f\"");
}

static void test_257_long(void)
{
	size_t n = 1024 * 1024;
	char *msg = malloc(n + 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	msg[0] = '"';
	memset(msg + 1, 'a', n);
	msg[n + 1] = '\0';
	char *path = NULL;
	CU_ASSERT_EQUAL(ftp_parse_257(msg, &path), ERR_PROTO); /* unterminated */
	msg[n + 1] = '"';
	msg[n + 2] = '\0';
	CU_ASSERT_EQUAL(ftp_parse_257(msg, &path), 0);
	CU_ASSERT_EQUAL(strlen(path), n);
	free(path);
	free(msg);
}

/* ---- 150 ---------------------------------------------------------------- */

static void test_150_size(void)
{
	uint64_t n = 42;
	/* vsftpd, proftpd */
	CU_ASSERT_EQUAL(ftp_parse_150_size("Opening BINARY mode data connection for "
	                                   "1mib.bin (1048576 bytes).", &n), 0);
	CU_ASSERT_EQUAL(n, 1048576);
	CU_ASSERT_EQUAL(ftp_parse_150_size("Opening data connection for f (0 bytes)", &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	/* a name with parentheses: the last group counts */
	CU_ASSERT_EQUAL(ftp_parse_150_size("for a (3 bytes) b (77 BYTES)", &n), 0);
	CU_ASSERT_EQUAL(n, 77);
	CU_ASSERT_EQUAL(ftp_parse_150_size("for a (9 bytes) (x)", &n), 0);
	CU_ASSERT_EQUAL(n, 9);
	CU_ASSERT_EQUAL(ftp_parse_150_size("(9223372036854775807 bytes)", &n), 0);
	CU_ASSERT_EQUAL(n, (uint64_t)INT64_MAX);

	n = 7;
	/* pure-ftpd's "1023.9 kbytes to download" is no byte count */
	CU_ASSERT_EQUAL(ftp_parse_150_size("1023.9 kbytes to download", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_150_size("Accepted data connection", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_150_size("(-1 bytes)", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_150_size("( 5 bytes)", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_150_size("(5 bytes", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_150_size("(18446744073709551616 bytes)", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_150_size("(9223372036854775808 bytes)", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_150_size("", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(n, 7);
}

/* ---- 213 ---------------------------------------------------------------- */

static void test_size(void)
{
	uint64_t n = 42;
	CU_ASSERT_EQUAL(ftp_parse_size("0", &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(ftp_parse_size("1234", &n), 0);
	CU_ASSERT_EQUAL(n, 1234);
	CU_ASSERT_EQUAL(ftp_parse_size(" 5 ", &n), 0);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(ftp_parse_size("9223372036854775807", &n), 0);
	CU_ASSERT_EQUAL(n, (uint64_t)INT64_MAX);

	n = 7;
	CU_ASSERT_EQUAL(ftp_parse_size("-1", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_size("18446744073709551616", &n), ERR_PROTO); /* 2^64 */
	CU_ASSERT_EQUAL(ftp_parse_size("18446744073709551615", &n), ERR_PROTO); /* 2^64-1 */
	CU_ASSERT_EQUAL(ftp_parse_size("9223372036854775808", &n), ERR_PROTO);  /* 2^63 */
	CU_ASSERT_EQUAL(ftp_parse_size("99999999999999999999999999999", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_size("", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_size("   ", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_size("12abc", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_size("0x10", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_size("+5", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_size("1 2", &n), ERR_PROTO);
	CU_ASSERT_EQUAL(n, 7);
}

static void test_mdtm(void)
{
	int64_t t = 0;
	CU_ASSERT_EQUAL(ftp_parse_mdtm("19700101000000", &t), 0);
	CU_ASSERT_EQUAL(t, 0);
	CU_ASSERT_EQUAL(ftp_parse_mdtm("20240229123456", &t), 0);
	CU_ASSERT_EQUAL(t, 1709210096);
	CU_ASSERT_EQUAL(ftp_parse_mdtm("20001231235959.123", &t), 0);
	CU_ASSERT_EQUAL(t, 978307199);

	CU_ASSERT_EQUAL(ftp_parse_mdtm("20230229000000", &t), ERR_PROTO); /* not leap */
	CU_ASSERT_EQUAL(ftp_parse_mdtm("20241301000000", &t), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_mdtm("20240100000000", &t), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_mdtm("20240101250000", &t), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_mdtm("2024010100000", &t), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_mdtm("20240101000000.", &t), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_mdtm("20240101000000x", &t), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_mdtm("", &t), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_parse_mdtm("File not found", &t), ERR_PROTO);
}

/* ---- FEAT --------------------------------------------------------------- */

static void test_feat(void)
{
	struct ftp_feat f;
	ftp_parse_feat("211-Features:\n EPSV\n MDTM\n PASV\n REST STREAM\n SIZE\n"
	               " TVFS\n UTF8\n mlst type*;size*;modify*;\n211 End", &f);
	CU_ASSERT(f.epsv && f.mdtm && f.rest_stream && f.size && f.utf8 && f.mlst);
	CU_ASSERT(!f.mfmt && !f.sscn);
	ftp_parse_feat("211-Features:\n AUTH TLS\n SSCN\n SSCNX\n211 End", &f);
	CU_ASSERT(f.sscn);
	ftp_parse_feat("211-Features:\n SSCNX\n211 End", &f);
	CU_ASSERT(!f.sscn);
	ftp_parse_feat("211-Features:\n MFMT\n MFMTX\n211 End", &f);
	CU_ASSERT(f.mfmt);
	ftp_parse_feat("211-Features:\n MFMTX\n MFF modify;\n211 End", &f);
	CU_ASSERT(!f.mfmt);

	ftp_parse_feat("211 no features", &f);
	CU_ASSERT(!f.epsv && !f.mlst && !f.size && !f.utf8 && !f.mdtm && !f.rest_stream);

	/* words must match whole: EPSVX is not EPSV; code lines don't count */
	ftp_parse_feat("211-EPSV\n EPSVX\n SIZEABLE\n211 SIZE", &f);
	CU_ASSERT(!f.epsv && !f.size);
	ftp_parse_feat("", &f);
	CU_ASSERT(!f.epsv);
}

/* ---- local names ------------------------------------------------------ */

static void ok_local(const char *remote, const char *want)
{
	char *name = NULL;
	CU_ASSERT_EQUAL_FATAL(ftp_local_name(remote, &name), 0);
	CU_ASSERT_STRING_EQUAL(name, want);
	free(name);
}

static void bad_local(const char *remote)
{
	char *name = NULL;
	CU_ASSERT_EQUAL(ftp_local_name(remote, &name), ERR_USAGE);
	CU_ASSERT_PTR_NULL(name);
}

static void test_names_dir(void)
{
	CU_ASSERT(ftp_names_dir("sub/"));
	CU_ASSERT(ftp_names_dir("/"));
	CU_ASSERT(!ftp_names_dir("sub"));
	CU_ASSERT(!ftp_names_dir("a/b"));
	CU_ASSERT(!ftp_names_dir(""));
}

static void test_local_name(void)
{
	ok_local("file.txt", "file.txt");
	ok_local("/pub/file.txt", "file.txt");
	ok_local("../../etc/passwd", "passwd");
	ok_local("/abs", "abs");
	ok_local("a/b/c", "c");
	ok_local("-rf", "-rf");
	ok_local("file:", "file:");
	ok_local("|touch pwned", "|touch pwned");
	ok_local("~", "~");
	ok_local("back\\slash", "back\\slash");
	ok_local("...", "...");

	bad_local("");
	bad_local(".");
	bad_local("..");
	bad_local("/");
	bad_local("dir/");
	bad_local("a/..");
	bad_local("a/.");
	bad_local("esc\x1b[2J");
	bad_local("tab\tname");
	bad_local("del\x7f");
}

static void test_reply_err(void)
{
	CU_ASSERT_EQUAL(ftp_reply_err(150), 0);
	CU_ASSERT_EQUAL(ftp_reply_err(226), 0);
	CU_ASSERT_EQUAL(ftp_reply_err(350), 0);
	CU_ASSERT_EQUAL(ftp_reply_err(550), ERR_NOTFOUND);
	CU_ASSERT_EQUAL(ftp_reply_err(553), ERR_NOTFOUND);
	CU_ASSERT_EQUAL(ftp_reply_err(450), ERR_NOTFOUND);
	CU_ASSERT_EQUAL(ftp_reply_err(530), ERR_AUTH);
	CU_ASSERT_EQUAL(ftp_reply_err(421), ERR_NET);
	CU_ASSERT_EQUAL(ftp_reply_err(426), ERR_PROTO);
	CU_ASSERT_EQUAL(ftp_reply_err(500), ERR_FAIL);
	CU_ASSERT_EQUAL(ftp_reply_err(451), ERR_FAIL);
	CU_ASSERT(ftp_arg_ok("RETR a b"));
	CU_ASSERT(!ftp_arg_ok("a\r\nDELE b"));
	CU_ASSERT(!ftp_arg_ok("a\n"));
}

/* Down in pieces of every size: the same as in one piece. */
static void ascii_down_pieces(const char *in, const char *want)
{
	size_t n = strlen(in);
	for (size_t cut = 1; cut <= n + 1; cut++) {
		char out[256];
		size_t o = 0;
		bool cr = false;
		for (size_t i = 0; i < n; i += cut) {
			size_t k = n - i < cut ? n - i : cut;
			size_t got = ftp_ascii_down(in + i, k, out + o, &cr);
			CU_ASSERT(got <= k + 1);
			o += got;
		}
		o += ftp_ascii_down_end(out + o, &cr);
		CU_ASSERT_EQUAL(o, strlen(want));
		CU_ASSERT(o == strlen(want) && memcmp(out, want, o) == 0);
		CU_ASSERT(!cr);
	}
}

static void test_ascii(void)
{
	ascii_down_pieces("a\r\nb\r\n", "a\nb\n");
	ascii_down_pieces("a\rb\r\r\nc\r", "a\rb\r\nc\r");
	ascii_down_pieces("\n\r\n\r", "\n\n\r");
	ascii_down_pieces("", "");

	char out[64];
	bool cr = false;
	size_t o = ftp_ascii_up("a\nb\r\nc", 7, out, &cr);
	CU_ASSERT(o == 8 && memcmp(out, "a\r\nb\r\nc", 8) == 0);
	/* A CR at the end of one piece, its LF at the start of the next. */
	cr = false;
	o = ftp_ascii_up("x\r", 2, out, &cr);
	o += ftp_ascii_up("\n\n", 2, out + o, &cr);
	CU_ASSERT(o == 5 && memcmp(out, "x\r\n\r\n", 5) == 0);
	cr = false;
	CU_ASSERT_EQUAL(ftp_ascii_up("\n\n\n", 3, out, &cr), 6);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("ftp_parse", NULL, NULL);
	CU_add_test(s, "227 PASV", test_227);
	CU_add_test(s, "229 EPSV", test_229);
	CU_add_test(s, "257 quoted path", test_257);
	CU_add_test(s, "257 1 MiB path", test_257_long);
	CU_add_test(s, "150 size", test_150_size);
	CU_add_test(s, "213 SIZE", test_size);
	CU_add_test(s, "213 MDTM", test_mdtm);
	CU_add_test(s, "FEAT", test_feat);
	CU_add_test(s, "local names", test_local_name);
	CU_add_test(s, "a trailing / names a directory", test_names_dir);
	CU_add_test(s, "reply codes", test_reply_err);
	CU_add_test(s, "ascii CRLF <-> LF", test_ascii);
}
