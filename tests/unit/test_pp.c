/* test_pp.c - the line layer fed by hand through a socketpair.
 *
 * One end of the pair is wrapped in a conn and handed to pp; the test plays
 * the server on the other end, writing replies and reading what pp sent,
 * and runs the event loop until the callbacks it waits for have fired.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "cu_main.h"
#include "err.h"
#include "ev.h"
#include "log.h"
#include "pp.h"

#include <zlib.h>

#define MAX_RECS 32

struct rec {
	int err;
	int code;
	bool final;
	char *text;
	char *msg;
	char *block;   /* NULL unless collected */
	size_t block_len;
	uint64_t block_lines;
	bool had_r;
};

static struct fx {
	struct ev *ev;
	struct conn *c;
	struct pp *pp;
	int peer;
	struct rec recs[MAX_RECS];
	int nrecs;
	int nerror, error_err;
	int nunsol, unsol_code;
	char *unsol_text;
	/* streamed block lines */
	int nlines;
	size_t line_bytes;
	size_t longest;
	char first_line[256];
	int abort_after;   /* on_line returns ERR_LOCAL after this many */
	/* re-entrancy hooks run from the reply callback */
	int free_in_cb;    /* pp_free + conn_free at this reply number */
	const char *send_in_cb;
	size_t rbuf_in_cb; /* conn_rbuf bytes seen inside the last callback */
	bool compress_in_cb; /* conn_compress_start from the next reply */
} fx;

static void on_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct rec *x;

	CU_ASSERT_PTR_EQUAL(pp, fx.pp);
	if (err) {
		CU_ASSERT_PTR_NULL(r);
	} else {
		CU_ASSERT_PTR_NOT_NULL(r);
	}
	if (fx.nrecs >= MAX_RECS)
		return;
	x = &fx.recs[fx.nrecs++];
	x->err = err;
	if (r) {
		x->had_r = true;
		x->code = r->code;
		x->final = r->final;
		x->text = strdup(r->text);
		x->msg = strdup(r->msg);
		CU_ASSERT_EQUAL(strlen(r->text), r->len);
		if (r->block) {
			x->block = malloc(r->block_len + 1);
			memcpy(x->block, r->block, r->block_len);
			x->block[r->block_len] = '\0';
		}
		x->block_len = r->block_len;
		x->block_lines = r->block_lines;
	}
	fx.rbuf_in_cb = buf_avail(conn_rbuf(fx.c));
	if (fx.compress_in_cb) {
		fx.compress_in_cb = false;
		CU_ASSERT(conn_compress_start(fx.c) == 0);
	}
	if (fx.send_in_cb) {
		const char *s = fx.send_in_cb;
		struct pp_cmd cmd = { .done = on_reply };

		fx.send_in_cb = NULL;
		CU_ASSERT(pp_send(pp, s, &cmd) > 0);
	}
	if (fx.free_in_cb && fx.nrecs == fx.free_in_cb) {
		pp_free(fx.pp);
		conn_free(fx.c);
		fx.pp = NULL;
		fx.c = NULL;
	}
}

static void on_error(struct pp *pp, int err, void *arg)
{
	fx.nerror++;
	fx.error_err = err;
}

static void on_unsol(struct pp *pp, const struct pp_reply *r, void *arg)
{
	fx.nunsol++;
	fx.unsol_code = r->code;
	free(fx.unsol_text);
	fx.unsol_text = strdup(r->text);
}

static int on_line(void *arg, const char *line, size_t len)
{
	CU_ASSERT_EQUAL(line[len], '\0');
	if (fx.nlines == 0)
		snprintf(fx.first_line, sizeof(fx.first_line), "%s", line);
	fx.nlines++;
	fx.line_bytes += len;
	if (len > fx.longest)
		fx.longest = len;
	if (fx.abort_after && fx.nlines >= fx.abort_after)
		return ERR_LOCAL;
	return 0;
}

static bool want_220_222(int code, void *arg)
{
	return code == 220 || code == 222 || code == 224;
}

static void conn_ignore(struct conn *c, enum conn_event e, int err, void *arg)
{
}

static const struct pp_owner owner = { on_error, on_unsol, NULL };

static void setup(enum pp_style style)
{
	int sv[2];

	memset(&fx, 0, sizeof(fx));
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	fx.ev = ev_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.ev);
	fx.c = conn_new_fd(fx.ev, sv[0], conn_ignore, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.c);
	fx.pp = pp_new(fx.ev, fx.c, style, "test", &owner);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.pp);
	fx.peer = sv[1];
	fcntl(fx.peer, F_SETFL, fcntl(fx.peer, F_GETFL) | O_NONBLOCK);
}

static void teardown(void)
{
	int i;

	pp_free(fx.pp);
	conn_free(fx.c);
	/* Let the loop release what the frees left for it. */
	ev_run_once(fx.ev, 0);
	ev_free(fx.ev);
	if (fx.peer >= 0)
		close(fx.peer);
	for (i = 0; i < fx.nrecs; i++) {
		free(fx.recs[i].text);
		free(fx.recs[i].msg);
		free(fx.recs[i].block);
	}
	free(fx.unsol_text);
	memset(&fx, 0, sizeof(fx));
}

/* Run the loop until *counter reaches want or ms pass. */
static void run_until(const int *counter, int want, long ms)
{
	int64_t end = ev_now_ms(fx.ev) + ms;

	while (*counter < want && ev_now_ms(fx.ev) < end)
		ev_run_once(fx.ev, 10);
}

static void run_for(long ms)
{
	int64_t end = ev_now_ms(fx.ev) + ms;

	while (ev_now_ms(fx.ev) < end)
		ev_run_once(fx.ev, 5);
}

/* Write all of p to the peer socket, running the loop when it is full
 * so pp can drain it; stops early once pp has failed. */
static void feed_n(const char *p, size_t n)
{
	size_t off = 0;
	int stalls = 0;

	while (off < n) {
		ssize_t w = write(fx.peer, p + off, n - off);

		if (w > 0) {
			off += (size_t)w;
			stalls = 0;
			continue;
		}
		CU_ASSERT_FATAL(w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
		if (fx.pp && pp_failed(fx.pp))
			return;
		ev_run_once(fx.ev, 10);
		if (++stalls > 500)
			return;
	}
}

static void feed(const char *s)
{
	feed_n(s, strlen(s));
}

/* Read what pp has written so far (after letting the loop flush). */
static char *peer_read(void)
{
	static char got[65536];
	size_t n = 0;
	ssize_t r;
	int i;

	for (i = 0; i < 5; i++)
		ev_run_once(fx.ev, 5);
	while (n < sizeof(got) - 1 && (r = read(fx.peer, got + n, sizeof(got) - 1 - n)) > 0)
		n += (size_t)r;
	got[n] = '\0';
	return got;
}

/* Feed s every `every` ms, up to max times, until pp fails; returns the
 * time from t0 to the failure (or to the end). */
static int64_t drip(const char *s, long every, int max, int64_t t0)
{
	int i;

	for (i = 0; i < max && fx.nerror == 0; i++) {
		run_for(every);
		if (fx.nerror == 0)
			feed(s);
	}
	return ev_now_ms(fx.ev) - t0;
}

static struct pp_cmd reply_cmd(void)
{
	struct pp_cmd c = { .done = on_reply };
	return c;
}

/* --- pure helpers ------------------------------------------------------- */

static void test_line_code(void)
{
	bool cont;

	CU_ASSERT_EQUAL(pp_ftp_line_code("220 hi", 6, &cont), 220);
	CU_ASSERT_FALSE(cont);
	CU_ASSERT_EQUAL(pp_ftp_line_code("211-x", 5, &cont), 211);
	CU_ASSERT_TRUE(cont);
	CU_ASSERT_EQUAL(pp_ftp_line_code("200", 3, &cont), 200);
	CU_ASSERT_EQUAL(pp_ftp_line_code("100 x", 5, &cont), 100);
	CU_ASSERT_EQUAL(pp_ftp_line_code("599 x", 5, &cont), 599);
	CU_ASSERT_EQUAL(pp_ftp_line_code("99x x", 5, &cont), -1);
	CU_ASSERT_EQUAL(pp_ftp_line_code("099 x", 5, &cont), -1);
	CU_ASSERT_EQUAL(pp_ftp_line_code("600 x", 5, &cont), -1);
	CU_ASSERT_EQUAL(pp_ftp_line_code("2200 x", 6, &cont), -1);
	CU_ASSERT_EQUAL(pp_ftp_line_code("22", 2, &cont), -1);
	CU_ASSERT_EQUAL(pp_ftp_line_code(" 220 x", 6, &cont), -1);
	CU_ASSERT_EQUAL(pp_ftp_line_code("220x", 4, &cont), -1);
	CU_ASSERT_EQUAL(pp_ftp_line_code("", 0, &cont), -1);
}

static void test_unstuff(void)
{
	char a[] = "..x", b[] = "..", c[] = ".", d[] = "x.", e[] = ".x", f[] = "...";
	size_t n;

	n = 3;
	CU_ASSERT_EQUAL(pp_nntp_unstuff(a, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(a, ".x");
	n = 2;
	CU_ASSERT_EQUAL(pp_nntp_unstuff(b, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(b, ".");
	n = 1;
	CU_ASSERT_EQUAL(pp_nntp_unstuff(c, &n), 1);
	n = 2;
	CU_ASSERT_EQUAL(pp_nntp_unstuff(d, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	n = 2;
	CU_ASSERT_EQUAL(pp_nntp_unstuff(e, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	n = 3;
	CU_ASSERT_EQUAL(pp_nntp_unstuff(f, &n), 0);
	CU_ASSERT_STRING_EQUAL(f, "..");
	n = 0;
	CU_ASSERT_EQUAL(pp_nntp_unstuff(f, &n), 0);
}

/* --- FTP ------------------------------------------------------------------ */

static void test_ftp_single(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 1);
	feed("220 Welcome to lab\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, 0);
	CU_ASSERT_EQUAL(fx.recs[0].code, 220);
	CU_ASSERT_TRUE(fx.recs[0].final);
	CU_ASSERT_STRING_EQUAL(fx.recs[0].text, "220 Welcome to lab");
	CU_ASSERT_STRING_EQUAL(fx.recs[0].msg, "Welcome to lab");
	CU_ASSERT_PTR_NULL(fx.recs[0].block);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	CU_ASSERT_STRING_EQUAL(pp_error(fx.pp), "220 Welcome to lab");

	/* A reply split across writes, LF-only ending, bare code. */
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "NOOP\r\n");
	feed("2");
	run_for(20);
	feed("00");
	run_for(20);
	CU_ASSERT_EQUAL(fx.nrecs, 1);
	feed("\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 2);
	CU_ASSERT_EQUAL(fx.recs[1].code, 200);
	CU_ASSERT_STRING_EQUAL(fx.recs[1].text, "200");
	CU_ASSERT_STRING_EQUAL(fx.recs[1].msg, "");
	CU_ASSERT_EQUAL(fx.nerror, 0);
	teardown();
}

static void test_ftp_multi(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	CU_ASSERT(pp_send(fx.pp, "FEAT", &c) > 0);
	feed("211-Features:\r\n"
	     " MDTM\r\n"
	     "211-still inside\r\n"
	     "200 a different code does not end it\r\n"
	     "  211 indented does not end it\r\n"
	     "211x nor does this\r\n"
	     "211 End\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].code, 211);
	CU_ASSERT_TRUE(fx.recs[0].final);
	CU_ASSERT_STRING_EQUAL(fx.recs[0].msg, "Features:");
	CU_ASSERT_STRING_EQUAL(fx.recs[0].text,
	                       "211-Features:\n MDTM\n211-still inside\n"
	                       "200 a different code does not end it\n"
	                       "  211 indented does not end it\n"
	                       "211x nor does this\n211 End");

	/* "NNN-" then "NNN " followed only by spaces. */
	CU_ASSERT(pp_send(fx.pp, "PASS x", &c) > 0);
	feed("230-\r\n230-   \r\n230    \r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 2);
	CU_ASSERT_EQUAL(fx.recs[1].code, 230);
	CU_ASSERT_STRING_EQUAL(fx.recs[1].text, "230-\n230-   \n230    ");
	CU_ASSERT_STRING_EQUAL(fx.recs[1].msg, "");
	CU_ASSERT_EQUAL(fx.nerror, 0);
	CU_ASSERT_FALSE(pp_failed(fx.pp));
	teardown();
}

static void test_ftp_preliminary(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	CU_ASSERT(pp_send(fx.pp, "RETR x", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "PWD", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "RETR x\r\n");
	feed("150 Opening BINARY data connection\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].code, 150);
	CU_ASSERT_FALSE(fx.recs[0].final);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 2);
	/* Still waiting for RETR's final reply: PWD not sent yet. */
	CU_ASSERT_STRING_EQUAL(peer_read(), "");
	feed("226 Transfer complete\r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 2);
	CU_ASSERT_EQUAL(fx.recs[1].code, 226);
	CU_ASSERT_TRUE(fx.recs[1].final);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 1);
	CU_ASSERT_STRING_EQUAL(peer_read(), "PWD\r\n");
	teardown();
}

static void test_no_pipelining(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	CU_ASSERT(pp_send(fx.pp, "USER anne", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "TYPE I", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "PWD", &c) > 0);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 3);
	CU_ASSERT_STRING_EQUAL(peer_read(), "USER anne\r\n");
	feed("331 pw\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "TYPE I\r\n");
	feed("200 ok\r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "PWD\r\n");
	feed("257 \"/\"\r\n");
	run_until(&fx.nrecs, 3, 2000);
	CU_ASSERT_EQUAL(fx.nrecs, 3);
	CU_ASSERT_EQUAL(fx.recs[2].code, 257);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	teardown();
}

/* What the peer has now, without running the loop. */
static char *peer_read_now(void)
{
	static char got[4096];
	ssize_t r = read(fx.peer, got, sizeof(got) - 1);
	got[r > 0 ? r : 0] = '\0';
	return got;
}

/* A command goes out from pp_send() itself, and the next queued one from
 * the reply that lets it go, not on a later turn of the loop (conn_flush:
 * one poll() a command less). */
static void test_sent_at_once(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	CU_ASSERT(pp_send(fx.pp, "USER anne", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read_now(), "USER anne\r\n");
	CU_ASSERT(pp_send(fx.pp, "PASS x", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read_now(), "");
	feed("331 pw\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read_now(), "PASS x\r\n");
	teardown();
}

/* "234 ok\r\n230 in\r\n" in one segment: the 234 callback must run while
 * "230 in" is still unread, so conn_tls_start() can refuse it. */
static void test_one_reply_at_a_time(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	CU_ASSERT(pp_send(fx.pp, "AUTH TLS", &c) > 0);
	feed("234 ok\r\n230 in\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].code, 234);
	CU_ASSERT_EQUAL(fx.rbuf_in_cb, strlen("230 in\r\n"));
	run_until(&fx.nunsol, 1, 2000);
	CU_ASSERT_EQUAL(fx.nunsol, 1);
	CU_ASSERT_EQUAL(fx.unsol_code, 230);
	teardown();
}

static void test_toolong_1mb(void)
{
	struct pp_cmd c = reply_cmd();
	size_t n = 1024 * 1024;
	char *big = malloc(n + 2);

	memset(big, 'a', n);
	memcpy(big, "220 ", 4);
	memcpy(big + n, "\r\n", 2);
	setup(PP_FTP);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	feed_n(big, n + 2);
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_TOOLONG);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	CU_ASSERT_EQUAL(fx.error_err, ERR_TOOLONG);
	CU_ASSERT_TRUE(pp_failed(fx.pp));
	/* Bounded: the read buffer never grew past one line. */
	CU_ASSERT(conn_rbuf(fx.c)->cap <= PP_MAX_LINE + 2);
	CU_ASSERT_EQUAL(pp_send(fx.pp, "NOOP", &c), ERR_NET);
	CU_ASSERT_EQUAL(pp_expect(fx.pp, &c), ERR_NET);
	run_for(20);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	teardown();
	free(big);
}

static void test_endless_line(void)
{
	struct pp_cmd c = reply_cmd();
	char chunk[1000];
	int i;

	memset(chunk, 'x', sizeof(chunk));
	setup(PP_FTP);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	feed("220 ");
	/* A trickle: no LF ever comes. */
	for (i = 0; i < 40 && fx.nrecs == 0; i++) {
		feed_n(chunk, sizeof(chunk));
		ev_run_once(fx.ev, 5);
	}
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_TOOLONG);
	CU_ASSERT(i <= (PP_MAX_LINE / 1000) + 3);
	CU_ASSERT(conn_rbuf(fx.c)->cap <= PP_MAX_LINE + 2);
	teardown();
}

static void test_line_at_limit(void)
{
	struct pp_cmd c = reply_cmd();
	char *line = malloc(PP_MAX_LINE + 2);

	memset(line, 'y', PP_MAX_LINE);
	memcpy(line, "220 ", 4);
	memcpy(line + PP_MAX_LINE, "\r\n", 2);
	setup(PP_FTP);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	feed_n(line, PP_MAX_LINE + 2);
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, 0);
	CU_ASSERT_EQUAL(strlen(fx.recs[0].text), PP_MAX_LINE);
	teardown();
	free(line);
}

static void test_reply_toolong(void)
{
	struct pp_cmd c = reply_cmd();
	char line[1002];
	int i;

	memset(line, 'z', sizeof(line));
	memcpy(line, "211-", 4);
	memcpy(line + 1000, "\r\n", 2);
	setup(PP_FTP);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	for (i = 0; i < 1100 && fx.nrecs == 0; i++)
		feed_n(line, sizeof(line));
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_TOOLONG);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	teardown();
}

static void expect_proto(const char *bytes, size_t n)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	feed_n(bytes, n);
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_PROTO);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	CU_ASSERT_EQUAL(fx.error_err, ERR_PROTO);
	CU_ASSERT_TRUE(pp_failed(fx.pp));
	teardown();
}

static void test_malformed(void)
{
#define PROTO(s) expect_proto(s, sizeof(s) - 1)
	PROTO("220 a\0b\r\n");
	PROTO("220-a\r\n2\0 x\r\n");
	PROTO("99x hello\r\n");
	PROTO("600 hello\r\n");
	PROTO("2200 hello\r\n");
	PROTO("hello\r\n");
	PROTO("\r\n");
#undef PROTO
}

static void test_eof_mid_reply(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	CU_ASSERT(pp_send(fx.pp, "STAT", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	feed("211-status\r\n some\r\n");
	shutdown(fx.peer, SHUT_WR);
	run_until(&fx.nerror, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 2);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_EOF);
	CU_ASSERT_EQUAL(fx.recs[1].err, ERR_EOF);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	CU_ASSERT_EQUAL(fx.error_err, ERR_EOF);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	run_for(30);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	teardown();

	/* A complete reply just before EOF is still delivered. */
	setup(PP_FTP);
	CU_ASSERT(pp_send(fx.pp, "QUIT", &c) > 0);
	feed("221 Bye\r\n");
	shutdown(fx.peer, SHUT_WR);
	run_until(&fx.nerror, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, 0);
	CU_ASSERT_EQUAL(fx.recs[0].code, 221);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	teardown();

	/* No owner any more: EOF fails the commands, nobody else hears. */
	setup(PP_FTP);
	pp_set_owner(fx.pp, NULL);
	CU_ASSERT(pp_send(fx.pp, "QUIT", &c) > 0);
	feed("221 Bye\r\n421 late\r\n");
	shutdown(fx.peer, SHUT_WR);
	run_until(&fx.nrecs, 1, 2000);
	run_for(30);
	CU_ASSERT_EQUAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	CU_ASSERT_EQUAL(fx.nunsol, 0);
	CU_ASSERT_TRUE(pp_failed(fx.pp));
	teardown();

	/* A partial line at EOF is not a reply. */
	setup(PP_FTP);
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	feed("200 o");
	shutdown(fx.peer, SHUT_WR);
	run_until(&fx.nerror, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_EOF);
	teardown();
}

static void test_timeout(void)
{
	struct pp_cmd c = reply_cmd();
	int64_t t0;

	setup(PP_FTP);
	pp_set_timeout(fx.pp, 100);
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "PWD", &c) > 0);
	t0 = ev_now_ms(fx.ev);
	run_until(&fx.nerror, 1, 3000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 2);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_TIMEOUT);
	CU_ASSERT_EQUAL(fx.recs[1].err, ERR_TIMEOUT);
	CU_ASSERT_EQUAL(fx.error_err, ERR_TIMEOUT);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	CU_ASSERT(ev_now_ms(fx.ev) - t0 >= 90);
	CU_ASSERT(ev_now_ms(fx.ev) - t0 < 2000);
	teardown();

	/* Per-command timeout wins; no timer while idle. */
	setup(PP_FTP);
	pp_set_timeout(fx.pp, 50);
	run_for(120);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	c.timeout_ms = 400;
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	run_for(200);
	CU_ASSERT_EQUAL(fx.nrecs, 0);
	feed("200 ok\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL(fx.recs[0].err, 0);
	run_for(120);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	teardown();
}

static void test_unsolicited(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	feed("421 Timeout, closing control connection\r\n");
	run_until(&fx.nunsol, 1, 2000);
	CU_ASSERT_EQUAL(fx.nunsol, 1);
	CU_ASSERT_EQUAL(fx.unsol_code, 421);
	CU_ASSERT_STRING_EQUAL(fx.unsol_text, "421 Timeout, closing control connection");
	CU_ASSERT_EQUAL(fx.nrecs, 0);
	CU_ASSERT_FALSE(pp_failed(fx.pp));
	/* A multi-line one too, and a command afterwards still works. */
	feed("421-going\r\n421 down\r\n");
	run_until(&fx.nunsol, 2, 2000);
	CU_ASSERT_EQUAL(fx.nunsol, 2);
	CU_ASSERT_STRING_EQUAL(fx.unsol_text, "421-going\n421 down");
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	feed("200 ok\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL(fx.recs[0].code, 200);
	teardown();
}

static void test_send_rejects(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	CU_ASSERT_EQUAL(pp_send(fx.pp, "RETR a\r\nDELE b", &c), ERR_USAGE);
	CU_ASSERT_EQUAL(pp_send(fx.pp, "RETR a\nDELE b", &c), ERR_USAGE);
	CU_ASSERT_EQUAL(pp_send(fx.pp, "RETR a\rDELE b", &c), ERR_USAGE);
	CU_ASSERT_EQUAL(pp_send(fx.pp, "NOOP\r\n", &c), ERR_USAGE);
	CU_ASSERT_EQUAL(pp_send(fx.pp, "\n", &c), ERR_USAGE);
	CU_ASSERT_EQUAL(pp_send(fx.pp, NULL, &c), ERR_USAGE);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "");
	CU_ASSERT_EQUAL(fx.nrecs, 0);
	/* Rejected behind a waiting command too, and nothing queued. */
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	CU_ASSERT_EQUAL(pp_send(fx.pp, "CWD x\r\nDELE y", &c), ERR_USAGE);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 1);
	feed("200 ok\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "NOOP\r\n");
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	CU_ASSERT_FALSE(pp_failed(fx.pp));
	teardown();
}

/* Send PASS / AUTHINFO PASS with masking and check the trace, captured
 * from standard error, shows "****" while the wire has the password. */
static void test_trace_mask(void)
{
	struct pp_cmd c = reply_cmd();
	char path[] = "/tmp/ferry-pptrace-XXXXXX";
	char trace[8192];
	int fd = mkstemp(path), saved;
	ssize_t n;

	CU_ASSERT_FATAL(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	log_set_trace(true);

	setup(PP_FTP);
	c.mask_from = 5;
	CU_ASSERT(pp_send(fx.pp, "PASS s3cret", &c) > 0);
	c.mask_from = 14;
	CU_ASSERT(pp_send(fx.pp, "AUTHINFO PASS hunter2", &c) > 0);
	c.mask_from = 0;
	CU_ASSERT_STRING_EQUAL(peer_read(), "PASS s3cret\r\n");
	feed("230 in\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "AUTHINFO PASS hunter2\r\n");
	feed("281 ok\r\n");
	run_until(&fx.nrecs, 2, 2000);
	teardown();

	log_set_trace(false);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, trace, sizeof(trace) - 1, 0);
	close(fd);
	unlink(path);
	CU_ASSERT_FATAL(n > 0);
	trace[n] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "> PASS ****"));
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "> AUTHINFO PASS ****"));
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "< 230 in"));
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "< 281 ok"));
	CU_ASSERT_PTR_NOT_NULL(strstr(trace, "test"));
	CU_ASSERT_PTR_NULL(strstr(trace, "s3cret"));
	CU_ASSERT_PTR_NULL(strstr(trace, "hunter2"));
}

static void test_reentrancy(void)
{
	struct pp_cmd c = reply_cmd();

	/* pp_send from inside a callback. */
	setup(PP_FTP);
	fx.send_in_cb = "PASS x";
	CU_ASSERT(pp_send(fx.pp, "USER a", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "USER a\r\n");
	feed("331 need pass\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "PASS x\r\n");
	feed("230 in\r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL(fx.recs[1].code, 230);
	teardown();

	/* pp_free + conn_free inside the first of two replies in one
	 * segment: nothing more is called, nothing leaks. */
	setup(PP_FTP);
	fx.free_in_cb = 1;
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	feed("200 a\r\n200 b\r\n");
	run_until(&fx.nrecs, 1, 2000);
	run_for(30);
	CU_ASSERT_EQUAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	CU_ASSERT_PTR_NULL(fx.pp);
	teardown();

	/* pp_free inside a failure callback. */
	setup(PP_FTP);
	fx.free_in_cb = 1;
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	shutdown(fx.peer, SHUT_WR);
	run_until(&fx.nrecs, 1, 2000);
	run_for(30);
	CU_ASSERT_EQUAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_EOF);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	teardown();
}

/* pp_cancel drops one request: a sent one has its reply read and dropped,
 * a queued one never goes out, the others get their callbacks. */
static void test_cancel_one(void)
{
	struct pp_cmd c = reply_cmd();
	int a, b, d;

	setup(PP_NNTP);
	c.want_block = want_220_222;
	c.collect = true;
	a = pp_send(fx.pp, "ARTICLE 1", &c);
	b = pp_send(fx.pp, "STAT 2", &c);
	d = pp_send(fx.pp, "DATE", &c);
	CU_ASSERT(a > 0 && b > a && d > b);
	pp_cancel(fx.pp, a);   /* sent: its block is still read */
	pp_cancel(fx.pp, b);   /* queued: never sent */
	pp_cancel(fx.pp, 999); /* unknown: ignored */
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 2);
	feed("220 1 <a@b>\r\nSubject: x\r\n\r\n223 looks like a reply\r\n.\r\n");
	run_for(30);
	CU_ASSERT_EQUAL(fx.nrecs, 0);
	feed("111 20240101000000\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].code, 111);
	CU_ASSERT_STRING_EQUAL(peer_read(), "ARTICLE 1\r\nDATE\r\n");
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	CU_ASSERT_EQUAL(fx.nunsol, 0);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	/* A finished request's handle is ignored too. */
	pp_cancel(fx.pp, d);
	teardown();
}

/* pp_send_urgent: ABOR goes out at once while a transfer's reply is due
 * and a queued command waits; the replies go in that order: the
 * transfer's 426, ABOR's 226, then the queued one's. */
static void test_send_urgent(void)
{
	struct pp_cmd c = reply_cmd();
	int a, b, d;

	setup(PP_FTP);
	a = pp_send(fx.pp, "STOR x", &c);
	b = pp_send(fx.pp, "DELE x", &c);
	CU_ASSERT_STRING_EQUAL(peer_read(), "STOR x\r\n");
	d = pp_send_urgent(fx.pp, "ABOR", &c);
	CU_ASSERT(a > 0 && b > a && d > b);
	CU_ASSERT_STRING_EQUAL(peer_read(), "ABOR\r\n");
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 3);
	CU_ASSERT_EQUAL(pp_send_urgent(fx.pp, "A\r\nB", &c), ERR_USAGE);
	feed("150 go\r\n426 aborted\r\n226 abort ok\r\n");
	run_until(&fx.nrecs, 3, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "DELE x\r\n");
	feed("250 deleted\r\n");
	run_until(&fx.nrecs, 4, 2000);
	CU_ASSERT_EQUAL(fx.nrecs, 4);
	CU_ASSERT_EQUAL(fx.recs[0].code, 150);
	CU_ASSERT_EQUAL(fx.recs[1].code, 426);
	CU_ASSERT_EQUAL(fx.recs[2].code, 226);
	CU_ASSERT_EQUAL(fx.recs[3].code, 250);
	CU_ASSERT_EQUAL(fx.nunsol, 0);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	teardown();
}

/* A transfer given up: RETR cancelled, ABOR (no callback) and a NOOP
 * with sync_code 200 sent at once, a command queued behind.  A server that
 * answers both (426, 226) keeps the usual order; one that never gives the
 * transfer a final reply (pure-ftpd: 150, then 226 to ABOR) has the NOOP's
 * 200 bring the connection back in step: the queued command gets its own
 * reply either way, and a 200 is never taken for it. */
static void sync_case(const char *replies)
{
	struct pp_cmd c = reply_cmd(), none = { 0 }, sync = reply_cmd();
	int a;

	setup(PP_FTP);
	sync.sync_code = 200;
	a = pp_send(fx.pp, "RETR x", &c);
	CU_ASSERT_STRING_EQUAL(peer_read(), "RETR x\r\n");
	pp_cancel(fx.pp, a);
	CU_ASSERT(pp_send_urgent(fx.pp, "ABOR", &none) > 0);
	CU_ASSERT(pp_send_urgent(fx.pp, "NOOP", &sync) > 0);
	CU_ASSERT(pp_send(fx.pp, "SIZE y", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "ABOR\r\nNOOP\r\n");
	feed(replies);
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].code, 200); /* the NOOP's */
	CU_ASSERT_STRING_EQUAL(peer_read(), "SIZE y\r\n");
	feed("213 5\r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL(fx.nrecs, 2);
	CU_ASSERT_EQUAL(fx.recs[1].code, 213);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	CU_ASSERT_EQUAL(fx.nunsol, 0);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	teardown();
}

static void test_abor_sync(void)
{
	sync_case("426 aborted\r\n226 abort ok\r\n200 ok\r\n");
	sync_case("226 done\r\n225 no transfer\r\n200 ok\r\n");
	sync_case("150 0.003 seconds\r\n226 Since you see this ABOR must've succeeded\r\n"
	          "200 Zzz...\r\n");
}

/* Pausing from inside on_line holds the rest of the block (no more lines,
 * no deadline) until resumed; then it goes on from the buffer. */
static int pause_after;

static int on_line_pause(void *arg, const char *line, size_t len)
{
	on_line(arg, line, len);
	if (fx.nlines == pause_after)
		pp_pause(fx.pp, true);
	return 0;
}

static void test_pause(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_NNTP);
	pp_set_timeout(fx.pp, 100);
	c.want_block = want_220_222;
	c.on_line = on_line_pause;
	pause_after = 2;
	CU_ASSERT(pp_send(fx.pp, "BODY 1", &c) > 0);
	feed("222 1 <a@b>\r\none\r\ntwo\r\nthree\r\nfour\r\n.\r\n");
	/* Longer than the timeout: paused, so no failure and no more lines. */
	run_for(300);
	CU_ASSERT_EQUAL(fx.nlines, 2);
	CU_ASSERT(pp_paused(fx.pp));
	CU_ASSERT_EQUAL(fx.nerror, 0);
	CU_ASSERT_EQUAL(fx.nrecs, 0);
	pp_pause(fx.pp, false);
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL(fx.nlines, 4);
	CU_ASSERT_EQUAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].code, 222);
	CU_ASSERT_EQUAL(fx.recs[0].err, 0);
	/* Resumed, the deadline runs again: a silent server times out. */
	CU_ASSERT(pp_send(fx.pp, "DATE", &c) > 0);
	run_until(&fx.nerror, 1, 2000);
	CU_ASSERT_EQUAL(fx.error_err, ERR_TIMEOUT);
	teardown();
}

static void test_cancel_all(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_NNTP);
	c.want_block = want_220_222;
	c.collect = true;
	CU_ASSERT(pp_send(fx.pp, "ARTICLE 1", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "STAT 2", &c) > 0);
	pp_cancel_all(fx.pp);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 2);
	/* The block is read and dropped; the 223 to STAT is consumed too. */
	feed("220 1 <a@b>\r\nSubject: x\r\n\r\n223 looks like a reply\r\n.\r\n");
	run_for(30);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 1);
	CU_ASSERT_STRING_EQUAL(peer_read(), "ARTICLE 1\r\nSTAT 2\r\n");
	feed("223 2 <c@d>\r\n");
	run_for(30);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	CU_ASSERT_EQUAL(fx.nrecs, 0);
	CU_ASSERT_EQUAL(fx.nunsol, 0);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	/* Later commands get their callbacks again. */
	c.want_block = NULL;
	CU_ASSERT(pp_send(fx.pp, "DATE", &c) > 0);
	feed("111 20240101000000\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL(fx.recs[0].code, 111);
	teardown();
}

/* --- NNTP ----------------------------------------------------------------- */

static void test_nntp_collect(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_NNTP);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	c.want_block = want_220_222;
	c.collect = true;
	CU_ASSERT(pp_send(fx.pp, "ARTICLE 1", &c) > 0);
	feed("200 ready\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "ARTICLE 1\r\n");
	feed("220 1 <a@b> article\r\n"
	     "Subject: x\r\n"
	     "\r\n"
	     "..x\r\n"
	     "..\r\n"
	     "...\r\n"
	     "body\n"
	     ".\r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 2);
	CU_ASSERT_EQUAL(fx.recs[1].err, 0);
	CU_ASSERT_EQUAL(fx.recs[1].code, 220);
	CU_ASSERT_TRUE(fx.recs[1].final);
	CU_ASSERT_STRING_EQUAL(fx.recs[1].text, "220 1 <a@b> article");
	CU_ASSERT_STRING_EQUAL(fx.recs[1].msg, "1 <a@b> article");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.recs[1].block);
	CU_ASSERT_STRING_EQUAL(fx.recs[1].block, "Subject: x\n\n.x\n.\n..\nbody\n");
	CU_ASSERT_EQUAL(fx.recs[1].block_len, strlen("Subject: x\n\n.x\n.\n..\nbody\n"));
	CU_ASSERT_EQUAL(fx.recs[1].block_lines, 6);

	/* A code the command says has no block: no block read. */
	CU_ASSERT(pp_send(fx.pp, "ARTICLE 99", &c) > 0);
	feed("423 no such article\r\n");
	run_until(&fx.nrecs, 3, 2000);
	CU_ASSERT_EQUAL(fx.recs[2].code, 423);
	CU_ASSERT_PTR_NULL(fx.recs[2].block);

	/* An empty block collected. */
	CU_ASSERT(pp_send(fx.pp, "ARTICLE 2", &c) > 0);
	feed("220 2 <x@y>\r\n.\r\n");
	run_until(&fx.nrecs, 4, 2000);
	CU_ASSERT_PTR_NOT_NULL(fx.recs[3].block);
	CU_ASSERT_EQUAL(fx.recs[3].block_len, 0);
	CU_ASSERT_EQUAL(fx.recs[3].block_lines, 0);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	teardown();
}

static void test_nntp_stream(void)
{
	struct pp_cmd c = reply_cmd();
	size_t n = 64 * 1024;
	char *big = malloc(n + 2);

	memset(big, 'o', n);
	memcpy(big, "42\tSubject", 10);
	memcpy(big + n, "\r\n", 2);
	setup(PP_NNTP);
	c.want_block = want_220_222;
	c.on_line = on_line;
	CU_ASSERT(pp_send(fx.pp, "OVER 1-2", &c) > 0);
	feed("224 overview\r\n");
	feed("1\tshort\r\n");
	feed_n(big, n + 2);
	feed(".\r\n");
	run_until(&fx.nrecs, 1, 3000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, 0);
	CU_ASSERT_EQUAL(fx.recs[0].code, 224);
	CU_ASSERT_PTR_NULL(fx.recs[0].block);
	CU_ASSERT_EQUAL(fx.recs[0].block_lines, 2);
	CU_ASSERT_EQUAL(fx.nlines, 2);
	CU_ASSERT_EQUAL(fx.longest, n);
	CU_ASSERT_STRING_EQUAL(fx.first_line, "1\tshort");
	CU_ASSERT_EQUAL(fx.nerror, 0);
	/* Back to the status-line limit after the block. */
	CU_ASSERT(conn_rbuf(fx.c)->max <= PP_MAX_LINE + 2);
	teardown();
	free(big);
}

static void test_nntp_block_eof(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_NNTP);
	c.want_block = want_220_222;
	c.collect = true;
	CU_ASSERT(pp_send(fx.pp, "ARTICLE 1", &c) > 0);
	feed("220 1 <a@b>\r\nSubject: x\r\n\r\nbody\r\n");
	shutdown(fx.peer, SHUT_WR);
	run_until(&fx.nerror, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_EOF);
	CU_ASSERT_FALSE(fx.recs[0].had_r);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	teardown();
}

static void test_nntp_abort(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_NNTP);
	c.want_block = want_220_222;
	c.on_line = on_line;
	fx.abort_after = 2;
	CU_ASSERT(pp_send(fx.pp, "ARTICLE 1", &c) > 0);
	feed("220 1 <a@b>\r\nl1\r\nl2\r\nl3\r\nl4\r\n.\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_LOCAL);
	CU_ASSERT_EQUAL(fx.nlines, 2);
	CU_ASSERT_FALSE(pp_failed(fx.pp));
	CU_ASSERT_EQUAL(fx.nerror, 0);
	/* The session is in sync: the next reply is the next command's. */
	c.on_line = NULL;
	c.want_block = NULL;
	CU_ASSERT(pp_send(fx.pp, "DATE", &c) > 0);
	feed("111 20240101000000\r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL(fx.recs[1].err, 0);
	CU_ASSERT_EQUAL(fx.recs[1].code, 111);

	/* A NUL in a block line refuses the block, not the session. */
	c.want_block = want_220_222;
	c.collect = true;
	CU_ASSERT(pp_send(fx.pp, "ARTICLE 2", &c) > 0);
	{
		static const char blk[] = "220 2 <c@d>\r\na\0b\r\nc\r\n.\r\n";

		feed_n(blk, sizeof(blk) - 1);
	}
	run_until(&fx.nrecs, 3, 2000);
	CU_ASSERT_EQUAL(fx.recs[2].err, ERR_PROTO);
	CU_ASSERT_STRING_EQUAL(pp_error(fx.pp), "NUL byte in a data block");
	CU_ASSERT_FALSE(pp_failed(fx.pp));
	teardown();
}

static void test_nntp_status(void)
{
	struct pp_cmd c = reply_cmd();

	/* NNTP has no multi-line status: "NNN-" is malformed. */
	setup(PP_NNTP);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	feed("200-hello\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_PROTO);
	teardown();

	/* 1xx is final in NNTP; unsolicited 400. */
	setup(PP_NNTP);
	CU_ASSERT(pp_send(fx.pp, "DATE", &c) > 0);
	feed("111 20240101000000\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_TRUE(fx.recs[0].final);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	feed("400 service discontinued\r\n");
	run_until(&fx.nunsol, 1, 2000);
	CU_ASSERT_EQUAL(fx.unsol_code, 400);
	teardown();

	/* A status line is bounded even when a block line would not be. */
	setup(PP_NNTP);
	{
		char *big = malloc(PP_MAX_LINE + 100);

		memset(big, 'q', PP_MAX_LINE + 100);
		memcpy(big, "200 ", 4);
		CU_ASSERT(pp_expect(fx.pp, &c) > 0);
		feed_n(big, PP_MAX_LINE + 100);
		feed("\r\n");
		run_until(&fx.nrecs, 1, 2000);
		CU_ASSERT_EQUAL(fx.recs[0].err, ERR_TOOLONG);
		free(big);
	}
	teardown();
}

static bool want_101(int code, void *arg)
{
	return code == 101;
}

/* A collected block (CAPABILITIES) is part of the reply: growing it a
 * line every 50 ms does not hold the command past its timeout. */
static void test_nntp_collect_trickled(void)
{
	struct pp_cmd c = reply_cmd();
	int64_t t0, took;

	setup(PP_NNTP);
	pp_set_timeout(fx.pp, 200);
	c.want_block = want_101;
	c.collect = true;
	CU_ASSERT(pp_send(fx.pp, "CAPABILITIES", &c) > 0);
	t0 = ev_now_ms(fx.ev);
	feed("101 Capability list:\r\nVERSION 2\r\n");
	took = drip("X-MORE\r\n", 50, 40, t0);
	CU_ASSERT_EQUAL_FATAL(fx.nerror, 1);
	CU_ASSERT_EQUAL(fx.error_err, ERR_TIMEOUT);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_TIMEOUT);
	CU_ASSERT(took >= 190);
	CU_ASSERT(took < 1500);
	teardown();
}

/* A streamed block is a data stream: it outlasts the timeout as long as
 * lines keep coming. */
static void test_nntp_slow_block(void)
{
	struct pp_cmd c = reply_cmd();
	int i;

	setup(PP_NNTP);
	pp_set_timeout(fx.pp, 150);
	c.want_block = want_220_222;
	c.on_line = on_line;
	CU_ASSERT(pp_send(fx.pp, "OVER", &c) > 0);
	feed("224 ok\r\n");
	for (i = 0; i < 10; i++) {
		run_for(60);
		feed("1\tx\r\n");
	}
	feed(".\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, 0);
	CU_ASSERT_EQUAL(fx.nlines, 10);
	/* Then a stall times out. */
	CU_ASSERT(pp_send(fx.pp, "OVER", &c) > 0);
	feed("224 ok\r\n1\tx\r\n");
	run_until(&fx.nerror, 1, 2000);
	CU_ASSERT_EQUAL(fx.recs[1].err, ERR_TIMEOUT);
	teardown();
}

/* A line trickled a byte at a time must still end within the timeout. */
static void test_trickle(void)
{
	struct pp_cmd c = reply_cmd();
	int64_t t0;
	int i;

	setup(PP_FTP);
	pp_set_timeout(fx.pp, 150);
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	t0 = ev_now_ms(fx.ev);
	feed("2");
	for (i = 0; i < 40 && fx.nrecs == 0; i++) {
		run_for(25);
		feed("0");
	}
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_TIMEOUT);
	CU_ASSERT(ev_now_ms(fx.ev) - t0 >= 150);
	CU_ASSERT(ev_now_ms(fx.ev) - t0 < 500);
	teardown();
}

/* Whole lines arriving in time do not extend a reply either: an FTP
 * multi-line reply must be complete within the timeout of its command. */
static void test_lines_trickled(void)
{
	struct pp_cmd c = reply_cmd();
	int64_t t0, took;

	setup(PP_FTP);
	pp_set_timeout(fx.pp, 200);
	CU_ASSERT(pp_send(fx.pp, "STAT", &c) > 0);
	t0 = ev_now_ms(fx.ev);
	feed("211-status\r\n");
	took = drip(" one more line\r\n", 50, 40, t0);
	CU_ASSERT_EQUAL_FATAL(fx.nerror, 1);
	CU_ASSERT_EQUAL(fx.error_err, ERR_TIMEOUT);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].err, ERR_TIMEOUT);
	CU_ASSERT(took >= 190);
	CU_ASSERT(took < 1500);
	teardown();
}

/* Nor do FTP 1xx preliminary replies: "150 still working" every 50 ms
 * does not hold the command past its timeout. */
static void test_1xx_trickled(void)
{
	struct pp_cmd c = reply_cmd();
	int64_t t0, took;
	int i;

	setup(PP_FTP);
	pp_set_timeout(fx.pp, 200);
	CU_ASSERT(pp_send(fx.pp, "RETR x", &c) > 0);
	t0 = ev_now_ms(fx.ev);
	took = drip("150 still working\r\n", 50, 40, t0);
	CU_ASSERT_EQUAL_FATAL(fx.nerror, 1);
	CU_ASSERT_EQUAL(fx.error_err, ERR_TIMEOUT);
	CU_ASSERT_FATAL(fx.nrecs >= 2);
	for (i = 0; i < fx.nrecs - 1; i++) {
		CU_ASSERT_EQUAL(fx.recs[i].code, 150);
		CU_ASSERT_FALSE(fx.recs[i].final);
	}
	CU_ASSERT_EQUAL(fx.recs[fx.nrecs - 1].err, ERR_TIMEOUT);
	CU_ASSERT(took >= 190);
	CU_ASSERT(took < 1500);
	teardown();
}

/* The deadline runs from when a command is written, or when a pp_expect
 * becomes the head of the queue, not from when it was queued. */
static void test_deadline_from_write(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_FTP);
	pp_set_timeout(fx.pp, 400);
	CU_ASSERT(pp_send(fx.pp, "NOOP", &c) > 0);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "PWD", &c) > 0);
	run_for(250);
	feed("200 ok\r\n");
	run_until(&fx.nrecs, 1, 2000);
	run_for(250);
	feed("226 after a transfer\r\n");
	run_until(&fx.nrecs, 2, 2000);
	run_for(250);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	feed("257 \"/\"\r\n");
	run_until(&fx.nrecs, 3, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 3);
	CU_ASSERT_EQUAL(fx.recs[0].code, 200);
	CU_ASSERT_EQUAL(fx.recs[1].code, 226);
	CU_ASSERT_EQUAL(fx.recs[2].code, 257);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	teardown();
}

/* pp_touch keeps an FTP transfer (150 ... 226) from timing out. */
static void test_touch(void)
{
	struct pp_cmd c = reply_cmd();
	int i;

	setup(PP_FTP);
	pp_set_timeout(fx.pp, 100);
	CU_ASSERT(pp_send(fx.pp, "RETR x", &c) > 0);
	feed("150 go\r\n");
	for (i = 0; i < 5; i++) {
		run_for(50);
		pp_touch(fx.pp);
	}
	CU_ASSERT_EQUAL(fx.nerror, 0);
	feed("226 done\r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL(fx.recs[1].code, 226);
	CU_ASSERT_EQUAL(fx.recs[1].err, 0);
	/* A transfer that stops moving times out one timeout later. */
	CU_ASSERT(pp_send(fx.pp, "RETR y", &c) > 0);
	feed("150 go\r\n");
	for (i = 0; i < 3; i++) {
		run_for(50);
		pp_touch(fx.pp);
	}
	run_until(&fx.nerror, 1, 2000);
	CU_ASSERT_EQUAL(fx.error_err, ERR_TIMEOUT);
	CU_ASSERT_EQUAL(fx.recs[fx.nrecs - 1].err, ERR_TIMEOUT);
	teardown();
}

static void test_send_raw(void)
{
	struct pp_cmd c = reply_cmd();

	setup(PP_NNTP);
	CU_ASSERT(pp_send(fx.pp, "POST", &c) > 0);
	CU_ASSERT_EQUAL(pp_send_raw(fx.pp, "Subject: t\r\n\r\n..dot\r\n.\r\n", 24), 0);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 2);
	CU_ASSERT_STRING_EQUAL(peer_read(), "POST\r\n");
	feed("340 send it\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "Subject: t\r\n\r\n..dot\r\n.\r\n");
	feed("240 posted\r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL(fx.recs[1].code, 240);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	/* With nothing waiting, raw bytes go out at once. */
	CU_ASSERT_EQUAL(pp_send_raw(fx.pp, "x", 1), 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "x");
	teardown();
}

/* Bytes already buffered when pp takes over are not lost. */
/* --- pipelining ----------------------------------------------------------- */

/* Window 2: two pipelined OVERs go out at once, the third when the first
 * is answered; a GROUP (not pipelined) waits for every reply due and
 * nothing goes out behind it until its own has come.  Replies and blocks
 * reach their own requests, in order. */
static void test_pipeline_window(void)
{
	struct pp_cmd c = reply_cmd(), g = reply_cmd();

	setup(PP_NNTP);
	pp_set_pipeline(fx.pp, 2);
	c.want_block = want_220_222;
	c.collect = true;
	c.pipeline = true;
	CU_ASSERT(pp_send(fx.pp, "OVER 1-2", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "OVER 3-4", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "OVER 5-6", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "GROUP b", &g) > 0);
	CU_ASSERT(pp_send(fx.pp, "OVER 1-2", &c) > 0);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 5);
	CU_ASSERT_STRING_EQUAL(peer_read(), "OVER 1-2\r\nOVER 3-4\r\n");
	feed("224 a\r\n1\tx\r\n2\ty\r\n.\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "OVER 5-6\r\n");
	feed("224 b\r\n3\tx\r\n.\r\n224 c\r\n");
	run_until(&fx.nrecs, 2, 2000);
	/* The GROUP waits for the third reply, still coming. */
	CU_ASSERT_STRING_EQUAL(peer_read(), "");
	feed("5\tz\r\n.\r\n");
	run_until(&fx.nrecs, 3, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "GROUP b\r\n");
	feed("211 2 1 2 b\r\n");
	run_until(&fx.nrecs, 4, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "OVER 1-2\r\n");
	feed("423 none\r\n");
	run_until(&fx.nrecs, 5, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 5);
	CU_ASSERT_STRING_EQUAL(fx.recs[0].block, "1\tx\n2\ty\n");
	CU_ASSERT_STRING_EQUAL(fx.recs[1].block, "3\tx\n");
	CU_ASSERT_STRING_EQUAL(fx.recs[2].text, "224 c");
	CU_ASSERT_STRING_EQUAL(fx.recs[2].block, "5\tz\n");
	CU_ASSERT_EQUAL(fx.recs[3].code, 211);
	CU_ASSERT_EQUAL(fx.recs[4].code, 423);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	teardown();
}

/* A state-changing command already on the wire: pipelined ones queued
 * behind it wait for its reply; with the default window (1) nothing is
 * pipelined at all. */
static void test_pipeline_barrier(void)
{
	struct pp_cmd c = reply_cmd(), g = reply_cmd();

	setup(PP_NNTP);
	c.pipeline = true;
	CU_ASSERT(pp_send(fx.pp, "STAT 1", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "STAT 2", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "STAT 1\r\n");
	feed("223 1 <a@b>\r\n");
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "STAT 2\r\n");
	feed("223 2 <c@d>\r\n");
	run_until(&fx.nrecs, 2, 2000);
	pp_set_pipeline(fx.pp, 8);
	CU_ASSERT(pp_send(fx.pp, "GROUP a", &g) > 0);
	CU_ASSERT(pp_send(fx.pp, "STAT 1", &c) > 0);
	CU_ASSERT(pp_send(fx.pp, "STAT 2", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "GROUP a\r\n");
	feed("211 2 1 2 a\r\n");
	run_until(&fx.nrecs, 3, 2000);
	CU_ASSERT_STRING_EQUAL(peer_read(), "STAT 1\r\nSTAT 2\r\n");
	feed("223 1 <a@b>\r\n423 gone\r\n");
	run_until(&fx.nrecs, 5, 2000);
	CU_ASSERT_EQUAL(fx.recs[3].code, 223);
	CU_ASSERT_EQUAL(fx.recs[4].code, 423);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	teardown();
}

/* One request of a pipelined batch cancelled on the wire: its reply (and
 * block) is read and dropped, the others still get theirs. */
static void test_pipeline_cancel_mid(void)
{
	struct pp_cmd c = reply_cmd();
	int id;

	setup(PP_NNTP);
	pp_set_pipeline(fx.pp, 4);
	c.want_block = want_220_222;
	c.collect = true;
	c.pipeline = true;
	CU_ASSERT(pp_send(fx.pp, "HEAD 1", &c) > 0);
	id = pp_send(fx.pp, "ARTICLE 2", &c);
	CU_ASSERT(id > 0);
	CU_ASSERT(pp_send(fx.pp, "ARTICLE 3", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "HEAD 1\r\nARTICLE 2\r\nARTICLE 3\r\n");
	pp_cancel(fx.pp, id);
	feed("430 no\r\n220 2 <b@c>\r\nx\r\n.\r\n220 3 <c@d>\r\ny\r\n.\r\n");
	run_until(&fx.nrecs, 2, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 2);
	CU_ASSERT_EQUAL(fx.recs[0].code, 430);
	CU_ASSERT_EQUAL(fx.recs[1].code, 220);
	CU_ASSERT_STRING_EQUAL(fx.recs[1].block, "y\n");
	CU_ASSERT_EQUAL(pp_pending(fx.pp), 0);
	CU_ASSERT_EQUAL(fx.nerror, 0);
	teardown();
}

/* --- COMPRESS (conn_compress_start) under pp ---------------------------- */

static void peer_deflate(z_stream *zs, const char *s, char *out, size_t cap, size_t *n)
{
	zs->next_in = (Bytef *)s;
	zs->avail_in = (uInt)strlen(s);
	zs->next_out = (Bytef *)out;
	zs->avail_out = (uInt)cap;
	CU_ASSERT(deflate(zs, Z_SYNC_FLUSH) == Z_OK);
	*n = cap - zs->avail_out;
}

/* Replies compressed by the peer come out as plain lines (and a reply
 * sent in the same segment as the switch is inflated too); what pp
 * writes inflates to the command line; the counters tell wire from
 * data; a corrupt stream fails the pp, never worse. */
static void test_compress(void)
{
	struct pp_cmd c = reply_cmd();
	z_stream d, in;
	char wire[4096], plain[4096];
	size_t n;
	struct conn_stats st;
	char *got;

	memset(&d, 0, sizeof(d));
	memset(&in, 0, sizeof(in));
	CU_ASSERT_FATAL(deflateInit2(&d, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	CU_ASSERT_FATAL(inflateInit2(&in, -15) == Z_OK);
	setup(PP_NNTP);
	c.want_block = want_220_222;
	c.collect = true;
	CU_ASSERT(pp_send(fx.pp, "COMPRESS DEFLATE", &c) > 0);
	CU_ASSERT_STRING_EQUAL(peer_read(), "COMPRESS DEFLATE\r\n");
	/* The switch happens in the 206 callback, with compressed bytes
	 * already behind it in the same segment. */
	memcpy(wire, "206 on\r\n", 8);
	peer_deflate(&d, "101 unasked\r\n", wire + 8, sizeof(wire) - 8, &n);
	fx.compress_in_cb = true;
	feed_n(wire, 8 + n);
	run_until(&fx.nunsol, 1, 2000);
	CU_ASSERT_EQUAL(fx.recs[0].code, 206);
	CU_ASSERT_EQUAL(fx.nunsol, 1);
	CU_ASSERT_EQUAL(fx.unsol_code, 101);
	CU_ASSERT_TRUE(conn_is_compressed(fx.c));

	CU_ASSERT(pp_send(fx.pp, "OVER 1-3", &c) > 0);
	got = peer_read();
	in.next_in = (Bytef *)got;
	in.avail_in = (uInt)strlen(got);
	in.next_out = (Bytef *)plain;
	in.avail_out = sizeof(plain);
	CU_ASSERT(inflate(&in, Z_SYNC_FLUSH) == Z_OK);
	CU_ASSERT_EQUAL(sizeof(plain) - in.avail_out, strlen("OVER 1-3\r\n"));
	CU_ASSERT(memcmp(plain, "OVER 1-3\r\n", 10) == 0);

	/* A block long enough to take several inflate rounds. */
	static char blk[200000];
	size_t off = 0;
	off += (size_t)sprintf(blk, "224 ov\r\n");
	for (int i = 1; off < sizeof(blk) - 200; i++)
		off += (size_t)sprintf(blk + off, "%d\tSubject number %d\tsomeone\r\n", i, i);
	sprintf(blk + off, ".\r\n");
	static char zblk[200000];
	peer_deflate(&d, blk, zblk, sizeof(zblk), &n);
	CU_ASSERT(n < strlen(blk) / 3);
	feed_n(zblk, n);
	run_until(&fx.nrecs, 2, 3000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 2);
	CU_ASSERT_EQUAL(fx.recs[1].code, 224);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.recs[1].block);
	CU_ASSERT(strncmp(fx.recs[1].block, "1\tSubject number 1\tsomeone\n", 27) == 0);
	conn_stats(fx.c, &st);
	CU_ASSERT(st.in_wire < st.in_data);
	CU_ASSERT(st.out_wire != st.out_data);

	/* Garbage where deflate data should be: the pp fails cleanly. */
	CU_ASSERT(pp_send(fx.pp, "DATE", &c) > 0);
	feed_n("\xff\xff\xff\xff garbage", 12);
	run_until(&fx.nerror, 1, 2000);
	CU_ASSERT_EQUAL(fx.nerror, 1);
	CU_ASSERT_EQUAL(fx.recs[2].err, ERR_PROTO);
	deflateEnd(&d);
	inflateEnd(&in);
	teardown();
}

static void test_buffered_before_new(void)
{
	struct pp_cmd c = reply_cmd();
	int sv[2], i;

	memset(&fx, 0, sizeof(fx));
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	fx.ev = ev_new();
	fx.c = conn_new_fd(fx.ev, sv[0], conn_ignore, NULL);
	fx.peer = sv[1];
	fcntl(fx.peer, F_SETFL, fcntl(fx.peer, F_GETFL) | O_NONBLOCK);
	CU_ASSERT_EQUAL(write(fx.peer, "220 hi\r\n", 8), 8);
	for (i = 0; i < 20 && !buf_avail(conn_rbuf(fx.c)); i++)
		ev_run_once(fx.ev, 10);
	CU_ASSERT_FATAL(buf_avail(conn_rbuf(fx.c)) == 8);
	fx.pp = pp_new(fx.ev, fx.c, PP_FTP, "test", &owner);
	CU_ASSERT(pp_expect(fx.pp, &c) > 0);
	run_until(&fx.nrecs, 1, 2000);
	CU_ASSERT_EQUAL_FATAL(fx.nrecs, 1);
	CU_ASSERT_EQUAL(fx.recs[0].code, 220);
	teardown();
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("pp helpers", NULL, NULL);

	CU_add_test(s, "pp_ftp_line_code", test_line_code);
	CU_add_test(s, "pp_nntp_unstuff", test_unstuff);

	s = CU_add_suite("pp ftp", NULL, NULL);
	CU_add_test(s, "single-line replies", test_ftp_single);
	CU_add_test(s, "multi-line replies", test_ftp_multi);
	CU_add_test(s, "150 then 226", test_ftp_preliminary);
	CU_add_test(s, "no pipelining", test_no_pipelining);
	CU_add_test(s, "sent at once", test_sent_at_once);
	CU_add_test(s, "one reply at a time", test_one_reply_at_a_time);
	CU_add_test(s, "1 MB line", test_toolong_1mb);
	CU_add_test(s, "endless line", test_endless_line);
	CU_add_test(s, "line at the limit", test_line_at_limit);
	CU_add_test(s, "multi-line reply over the limit", test_reply_toolong);
	CU_add_test(s, "NUL and bad codes", test_malformed);
	CU_add_test(s, "EOF", test_eof_mid_reply);
	CU_add_test(s, "timeout", test_timeout);
	CU_add_test(s, "pp_touch", test_touch);
	CU_add_test(s, "trickled line", test_trickle);
	CU_add_test(s, "multi-line reply trickled past the timeout", test_lines_trickled);
	CU_add_test(s, "1xx replies past the timeout", test_1xx_trickled);
	CU_add_test(s, "deadline from the write", test_deadline_from_write);
	CU_add_test(s, "unsolicited", test_unsolicited);
	CU_add_test(s, "pp_send rejects CR/LF", test_send_rejects);
	CU_add_test(s, "trace masks passwords", test_trace_mask);
	CU_add_test(s, "re-entrancy", test_reentrancy);
	CU_add_test(s, "input buffered before pp_new", test_buffered_before_new);

	s = CU_add_suite("pp nntp", NULL, NULL);
	CU_add_test(s, "collected block, dot-unstuffing", test_nntp_collect);
	CU_add_test(s, "streamed block, 64 KiB line", test_nntp_stream);
	CU_add_test(s, "block cut by EOF", test_nntp_block_eof);
	CU_add_test(s, "on_line abort, NUL in block", test_nntp_abort);
	CU_add_test(s, "status lines", test_nntp_status);
	CU_add_test(s, "slow streamed block vs timeout", test_nntp_slow_block);
	CU_add_test(s, "collected block trickled past the timeout",
	            test_nntp_collect_trickled);
	CU_add_test(s, "pp_send_raw", test_send_raw);
	CU_add_test(s, "pp_cancel_all", test_cancel_all);
	CU_add_test(s, "pp_cancel one request", test_cancel_one);
	CU_add_test(s, "pp_send_urgent (ABOR during a transfer)", test_send_urgent);
	CU_add_test(s, "ABOR and NOOP: a transfer's reply that never comes", test_abor_sync);
	CU_add_test(s, "pp_pause and resume", test_pause);
	CU_add_test(s, "pipelined window, GROUP waits", test_pipeline_window);
	CU_add_test(s, "nothing past a state change", test_pipeline_barrier);
	CU_add_test(s, "one of a pipelined batch cancelled", test_pipeline_cancel_mid);
	CU_add_test(s, "COMPRESS DEFLATE under pp", test_compress);
}
