/* test_fuzz_regress.c - what the fuzzers (tests/fuzz) found, as plain unit
 * tests, so each finding stays fixed in every build, not only fuzz builds.
 * Each case names the target, the input and the function at fault.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "cu_main.h"
#include "err.h"
#include "ev.h"
#include "newsrc.h"
#include "pp.h"

static int nerror, error_err, ndone, done_err;

static void on_error(struct pp *pp, int err, void *arg)
{
	nerror++;
	error_err = err;
}

static void on_done(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	ndone++;
	done_err = err;
}

static void conn_ignore(struct conn *c, enum conn_event e, int err, void *arg)
{
}

/* pp_ftp / pp_nntp, opts bit 0 (bytes before pp_new) with the EOF in the
 * same piece: the server closes (after a greeting, or at once) before
 * pp_new() takes the conn over.  The conn reported CONN_EOF to its
 * previous handler and reads no more, so pp never hears of it: the
 * command waits for the reply timeout (net:timeout, 60 s by default)
 * instead of failing at once with ERR_EOF.  At fault: pp_new() in
 * src/net/pp.c, which kicks itself only for buffered bytes, not for an EOF
 * already seen (conn.h has no way to ask for it).  Realistic after an
 * implicit-TLS handshake, where conn may read past the handshake before
 * session.c's start_login() calls pp_new(). */
static void eof_before_pp_new(const char *greeting)
{
	struct pp_owner owner = { on_error, NULL, NULL };
	struct pp_cmd cmd = { .done = on_done };
	struct ev *ev = ev_new();
	struct conn *c;
	struct pp *pp;
	int sv[2], i;

	nerror = ndone = 0;
	error_err = done_err = 0;
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	c = conn_new_fd(ev, sv[0], conn_ignore, NULL);
	if (*greeting)
		CU_ASSERT(write(sv[1], greeting, strlen(greeting)) == (ssize_t)strlen(greeting));
	shutdown(sv[1], SHUT_WR);
	/* The conn reads the greeting and the EOF before pp exists. */
	for (i = 0; i < 5; i++)
		ev_run_once(ev, 10);

	pp = pp_new(ev, c, PP_FTP, "regress", &owner);
	pp_set_timeout(pp, 3000);
	CU_ASSERT(pp_expect(pp, &cmd) > 0);   /* the greeting */
	CU_ASSERT(pp_send(pp, "USER x", &cmd) > 0);
	/* Well within the 3 s reply timeout, pp must have failed with EOF. */
	for (i = 0; i < 50 && !nerror; i++)
		ev_run_once(ev, 10);
	CU_ASSERT_EQUAL(nerror, 1);
	CU_ASSERT_EQUAL(error_err, ERR_EOF);
	CU_ASSERT_EQUAL(done_err, ERR_EOF);

	pp_free(pp);
	conn_free(c);
	ev_free(ev);
	close(sv[1]);
}

static void test_pp_eof_before_pp_new(void)
{
	eof_before_pp_new("");
}

static void test_pp_greeting_and_eof_before_pp_new(void)
{
	eof_before_pp_new("220 hello\r\n");
}

/* newsrc, input "\xae: \t\r\r" (no LF): the last line ends in a lone CR,
 * its content "\xae: \t\r" keeps the other CR, so its ranges are not
 * understood.  Rewritten (its mark changed), the line was given the
 * file's "\n" after the content, and "\t\r\n" read back as a CRLF line
 * whose ranges were understood: the group changed from bad to good.  At
 * fault: newsrc_format(), which now completes a lone CR to CRLF, so the
 * content reads back as it was. */
static void test_newsrc_lone_cr_rewritten(void)
{
	static const char in[] = "\xae: \t\r\r";
	struct newsrc nr, back;
	struct buf b;

	newsrc_init(&nr);
	newsrc_init(&back);
	buf_init(&b, 1024);
	CU_ASSERT_EQUAL(newsrc_parse(&nr, in, sizeof(in) - 1), 0);
	CU_ASSERT_EQUAL_FATAL(nr.ngroups, 1);
	CU_ASSERT_TRUE(nr.groups[0]->bad);
	CU_ASSERT_EQUAL(newsrc_subscribe(&nr, "\xae", false), 0);
	CU_ASSERT_EQUAL(newsrc_format(&nr, &b), 0);
	CU_ASSERT_EQUAL(newsrc_parse(&back, buf_peek(&b), buf_avail(&b)), 0);
	CU_ASSERT_EQUAL_FATAL(back.ngroups, 1);
	CU_ASSERT_TRUE(back.groups[0]->bad);
	CU_ASSERT_FALSE(back.groups[0]->subscribed);
	buf_clear(&b);
	newsrc_clear(&back);
	newsrc_clear(&nr);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("fuzz_regress", NULL, NULL);

	CU_add_test(s, "pp_eof_before_pp_new", test_pp_eof_before_pp_new);
	CU_add_test(s, "pp_greeting_and_eof_before_pp_new",
	            test_pp_greeting_and_eof_before_pp_new);
	CU_add_test(s, "newsrc_lone_cr_rewritten", test_newsrc_lone_cr_rewritten);
}
