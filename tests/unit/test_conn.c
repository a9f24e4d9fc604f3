/* test_conn.c - connections on loopback: socketpair round trips,
 * back-pressure, idle timeout, connect success and failure, and TLS
 * against small GnuTLS servers forked by the suite, with a CA and server
 * certificates made by certtool in a temporary directory. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "conn.h"
#include "cu_main.h"
#include "err.h"
#include "ev.h"

/* What a conn told us. */
struct probe {
	int done_calls;
	int done_err;
	int readable, drained, eof, error;
	int err;                 /* of CONN_ERROR */
	bool consume;            /* READABLE handler empties rbuf */
	bool free_on_read;       /* READABLE handler frees the conn */
	struct conn **self;      /* cleared when freed from a handler */
	char got[1 << 16];
	size_t ngot;
	size_t total;            /* bytes consumed overall */
};

static void probe_event(struct conn *c, enum conn_event e, int err, void *arg)
{
	struct probe *p = arg;
	struct buf *b;

	switch (e) {
	case CONN_READABLE:
		p->readable++;
		b = conn_rbuf(c);
		if (p->consume) {
			size_t n = buf_avail(b);

			if (p->ngot + n < sizeof(p->got)) {
				memcpy(p->got + p->ngot, buf_peek(b), n);
				p->ngot += n;
				p->got[p->ngot] = '\0';
			}
			p->total += n;
			buf_consume(b, n);
		}
		if (p->free_on_read) {
			conn_free(c);
			if (p->self)
				*p->self = NULL;
		}
		break;
	case CONN_DRAINED:
		p->drained++;
		break;
	case CONN_EOF:
		p->eof++;
		break;
	case CONN_ERROR:
		p->error++;
		p->err = err;
		break;
	}
}

static void probe_done(struct conn *c, int err, void *arg)
{
	struct probe *p = arg;

	p->done_calls++;
	p->done_err = err;
}

static struct ev *tev;

/* Run the loop until *flag becomes non-zero or ms pass. */
static bool wait_for(const int *flag, long ms)
{
	int64_t end;

	ev_run_once(tev, 0);
	end = ev_now_ms(tev) + ms;
	while (!*flag && ev_now_ms(tev) < end)
		ev_run_once(tev, 20);
	return *flag != 0;
}

static void spin(long ms)
{
	int64_t end;

	ev_run_once(tev, 0);
	end = ev_now_ms(tev) + ms;
	while (ev_now_ms(tev) < end)
		ev_run_once(tev, 10);
}

static int suite_ev_init(void)
{
	tev = ev_new();
	return tev ? 0 : 1;
}

static int suite_ev_clean(void)
{
	ev_free(tev);
	tev = NULL;
	return 0;
}

static void test_pair_roundtrip(void)
{
	struct probe pa, pb;
	struct conn *a, *b;
	int sv[2];

	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	pa.consume = pb.consume = true;
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	a = conn_new_fd(tev, sv[0], probe_event, &pa);
	b = conn_new_fd(tev, sv[1], probe_event, &pb);
	CU_ASSERT(conn_is_connected(a));
	CU_ASSERT(!conn_is_tls(a));
	CU_ASSERT_PTR_NULL(conn_tls_desc(a));
	CU_ASSERT_STRING_EQUAL(conn_error(a), "");

	CU_ASSERT_EQUAL(conn_write(a, "USER x\r\n", 8), 0);
	CU_ASSERT_EQUAL(conn_wpending(a), 8);
	CU_ASSERT_EQUAL(pa.drained, 0); /* never from inside conn_write */
	CU_ASSERT(wait_for(&pb.readable, 2000));
	CU_ASSERT_STRING_EQUAL(pb.got, "USER x\r\n");
	CU_ASSERT(wait_for(&pa.drained, 2000));
	CU_ASSERT_EQUAL(conn_wpending(a), 0);

	CU_ASSERT_EQUAL(conn_write(b, "331 ok\r\n", 8), 0);
	CU_ASSERT(wait_for(&pa.readable, 2000));
	CU_ASSERT_STRING_EQUAL(pa.got, "331 ok\r\n");

	/* Half-close: b's shutdown reaches a as EOF, b still reads. */
	pa.drained = pb.drained = 0;
	conn_shutdown(b);
	CU_ASSERT_EQUAL(conn_write(b, "x", 1), ERR_NET);
	CU_ASSERT(wait_for(&pb.drained, 2000));
	CU_ASSERT(wait_for(&pa.eof, 2000));
	CU_ASSERT_EQUAL(conn_write(a, "late\r\n", 6), 0);
	pb.readable = 0;
	CU_ASSERT(wait_for(&pb.readable, 2000));
	CU_ASSERT(strstr(pb.got, "late\r\n") != NULL);
	conn_free(a);
	conn_free(b);
	conn_free(NULL);
}

static void test_pair_backpressure(void)
{
	static char chunk[4096];
	struct probe pb;
	struct conn *b;
	struct buf *rb;
	size_t sent = 0, total = 200000;
	int sv[2], rounds;

	memset(&pb, 0, sizeof(pb));
	memset(chunk, 'd', sizeof(chunk));
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	b = conn_new_fd(tev, sv[1], probe_event, &pb);
	conn_set_rbuf_max(b, 1000);
	/* The owner does not consume: reading stops at the limit. */
	while (sent < total) {
		ssize_t n = write(sv[0], chunk, sizeof(chunk));

		if (n <= 0)
			break;
		sent += (size_t)n;
	}
	CU_ASSERT(wait_for(&pb.readable, 2000));
	spin(50);
	rb = conn_rbuf(b);
	CU_ASSERT_EQUAL(buf_avail(rb), 1000);

	/* Paused: consuming does not bring more. */
	conn_pause_read(b, true);
	pb.total = buf_avail(rb);
	buf_consume(rb, buf_avail(rb));
	pb.readable = 0;
	spin(50);
	CU_ASSERT_EQUAL(pb.readable, 0);
	CU_ASSERT_EQUAL(buf_avail(conn_rbuf(b)), 0);

	/* Resumed: everything arrives, in limit-sized steps, as the owner
	 * consumes outside the handler. */
	conn_pause_read(b, false);
	for (rounds = 0; rounds < 2000 && pb.total < sent; rounds++) {
		size_t n;

		/* Keep the writer going until the socket takes no more. */
		while (sent < total) {
			ssize_t w = write(sv[0], chunk, sizeof(chunk));

			if (w <= 0)
				break;
			sent += (size_t)w;
		}
		ev_run_once(tev, 20);
		rb = conn_rbuf(b);
		n = buf_avail(rb);
		CU_ASSERT(n <= 1000);
		pb.total += n;
		buf_consume(rb, n);
	}
	CU_ASSERT_EQUAL(pb.total, sent);
	CU_ASSERT_EQUAL(pb.error, 0);
	close(sv[0]);
	CU_ASSERT(wait_for(&pb.eof, 2000));
	conn_free(b);
}

static void test_idle_timeout(void)
{
	struct probe pa, pb;
	struct conn *a, *b;
	int sv[2], i;
	int64_t t0;

	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	pa.consume = pb.consume = true;
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	a = conn_new_fd(tev, sv[0], probe_event, &pa);
	b = conn_new_fd(tev, sv[1], probe_event, &pb);
	conn_set_idle_timeout(b, 300);

	/* Traffic every 50 ms keeps it alive... */
	for (i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(conn_write(a, "k", 1), 0);
		spin(50);
	}
	CU_ASSERT_EQUAL(pb.error, 0);
	/* ...and so does conn_touch. */
	for (i = 0; i < 8; i++) {
		conn_touch(b);
		spin(50);
	}
	CU_ASSERT_EQUAL(pb.error, 0);

	/* Silence: ERR_TIMEOUT after about 300 ms. */
	ev_run_once(tev, 0);
	conn_touch(b);
	t0 = ev_now_ms(tev);
	CU_ASSERT(wait_for(&pb.error, 2000));
	CU_ASSERT_EQUAL(pb.err, ERR_TIMEOUT);
	CU_ASSERT(ev_now_ms(tev) - t0 >= 290);
	CU_ASSERT(strstr(conn_error(b), "no data") != NULL);
	CU_ASSERT(!conn_is_connected(b));
	CU_ASSERT_EQUAL(conn_write(b, "x", 1), ERR_NET);

	/* Disabled: silence is fine. */
	conn_set_idle_timeout(a, 50);
	conn_set_idle_timeout(a, 0);
	spin(120);
	CU_ASSERT_EQUAL(pa.error, 0);
	conn_free(a);
	conn_free(b);
}

static void test_free_inside_handler(void)
{
	struct probe pb;
	struct conn *b;
	int sv[2];

	memset(&pb, 0, sizeof(pb));
	pb.free_on_read = true;
	pb.self = &b;
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	b = conn_new_fd(tev, sv[1], probe_event, &pb);
	conn_set_idle_timeout(b, 30);
	CU_ASSERT_EQUAL(write(sv[0], "bye\r\n", 5), 5);
	close(sv[0]); /* EOF right behind the data */
	CU_ASSERT(wait_for(&pb.readable, 2000));
	CU_ASSERT_PTR_NULL(b);
	spin(60); /* no timer, no EOF for a freed conn */
	CU_ASSERT_EQUAL(pb.readable, 1);
	CU_ASSERT_EQUAL(pb.eof, 0);
	CU_ASSERT_EQUAL(pb.error, 0);
}

/* A listening loopback socket on a free port. */
static int listen_on(int family, int *port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		len = sizeof(*in6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (backlog >= 0 && listen(fd, backlog) < 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
	              ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void test_connect_refused(void)
{
	struct probe p;
	struct conn *c;
	int port, fd;

	/* Bound but not listening: the port is ours and refuses. */
	fd = listen_on(AF_INET, &port, -1);
	CU_ASSERT_FATAL(fd >= 0);
	memset(&p, 0, sizeof(p));
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect(c, "127.0.0.1", port, 2000, probe_done, &p), 0);
	CU_ASSERT_EQUAL(p.done_calls, 0); /* deferred, even when immediate */
	CU_ASSERT(wait_for(&p.done_calls, 3000));
	CU_ASSERT_EQUAL(p.done_err, ERR_NET);
	CU_ASSERT(strstr(conn_error(c), "127.0.0.1") != NULL);
	CU_ASSERT(strstr(conn_error(c), "refused") != NULL);
	CU_ASSERT(!conn_is_connected(c));
	conn_free(c);
	close(fd);

	/* Bad arguments fail at once. */
	memset(&p, 0, sizeof(p));
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect(c, "127.0.0.1", 0, 1000, probe_done, &p), ERR_USAGE);
	conn_free(c);
}

static void test_connect_listening(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct probe p;
	struct conn *c;
	int lfd, port, sfd;
	char buf[16];

	lfd = listen_on(AF_INET, &port, 8);
	CU_ASSERT_FATAL(lfd >= 0);
	memset(&p, 0, sizeof(p));
	p.consume = true;
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect(c, "127.0.0.1", port, 2000, probe_done, &p), 0);
	CU_ASSERT_EQUAL(p.done_calls, 0);
	CU_ASSERT(wait_for(&p.done_calls, 3000));
	CU_ASSERT_EQUAL(p.done_err, 0);
	CU_ASSERT(conn_is_connected(c));
	CU_ASSERT_EQUAL(conn_peer(c, &ss, &len), 0);
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&ss)->sin_port), port);
	CU_ASSERT_EQUAL(conn_local(c, &ss, &len), 0);
	CU_ASSERT_EQUAL(conn_connect(c, "127.0.0.1", port, 2000, probe_done, &p), ERR_USAGE);

	sfd = accept(lfd, NULL, NULL);
	CU_ASSERT_FATAL(sfd >= 0);
	CU_ASSERT_EQUAL(write(sfd, "220 hi\r\n", 8), 8);
	CU_ASSERT(wait_for(&p.readable, 2000));
	CU_ASSERT_STRING_EQUAL(p.got, "220 hi\r\n");
	CU_ASSERT_EQUAL(conn_write(c, "QUIT\r\n", 6), 0);
	CU_ASSERT(wait_for(&p.drained, 2000));
	CU_ASSERT_EQUAL(read(sfd, buf, sizeof(buf)), 6);
	close(sfd);
	CU_ASSERT(wait_for(&p.eof, 2000));
	conn_free(c);
	close(lfd);
}

/* A bulk reader: a burst that fills read chunks raises the socket's
 * low-water mark, so a few bytes that follow do not wake the loop at
 * once; they still arrive (the mark falls back after 100 ms without
 * reaching it), and so does the end of the stream. */
static void test_bulk_lowat(void)
{
	static char blob[256 * 1024];
	struct probe p;
	struct conn *c;
	int lfd, port, sfd;
	size_t sent = 0, want = 4 * sizeof(blob);

	lfd = listen_on(AF_INET, &port, 8);
	CU_ASSERT_FATAL(lfd >= 0);
	memset(&p, 0, sizeof(p));
	p.consume = true;
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect(c, "127.0.0.1", port, 2000, probe_done, &p), 0);
	CU_ASSERT(wait_for(&p.done_calls, 3000));
	CU_ASSERT_EQUAL_FATAL(p.done_err, 0);
	sfd = accept(lfd, NULL, NULL);
	CU_ASSERT_FATAL(sfd >= 0);
	conn_set_read_chunk(c, 64 * 1024);
	conn_set_bulk(c);
	fcntl(sfd, F_SETFL, fcntl(sfd, F_GETFL) | O_NONBLOCK);
	memset(blob, 'x', sizeof(blob));
	for (int spins = 0; (sent < want || p.total < want) && spins < 10000; spins++) {
		ssize_t w = sent < want ? write(sfd, blob, sizeof(blob) < want - sent ?
		                                 sizeof(blob) : want - sent) : 0;
		if (w > 0)
			sent += (size_t)w;
		ev_run_once(tev, w > 0 ? 0 : 10);
	}
	CU_ASSERT_EQUAL_FATAL(p.total, want);

	int64_t t0 = ev_now_ms(tev);
	CU_ASSERT_EQUAL(write(sfd, "tail\n", 5), 5);
	while (p.total < want + 5 && ev_now_ms(tev) - t0 < 2000)
		ev_run_once(tev, 20);
	CU_ASSERT_EQUAL(p.total, want + 5);
	/* Held back by the mark, then read by the fallback. */
	CU_ASSERT(ev_now_ms(tev) - t0 >= 50);
	close(sfd);
	CU_ASSERT(wait_for(&p.eof, 2000));
	conn_free(c);
	close(lfd);
}

/* By name: "localhost" may give ::1 first, where nobody listens; the
 * next address must be tried. */
static void test_connect_by_name(void)
{
	struct probe p;
	struct conn *c;
	int lfd, port;

	lfd = listen_on(AF_INET, &port, 8);
	CU_ASSERT_FATAL(lfd >= 0);
	memset(&p, 0, sizeof(p));
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect(c, "localhost", port, 3000, probe_done, &p), 0);
	CU_ASSERT(wait_for(&p.done_calls, 4000));
	CU_ASSERT_EQUAL(p.done_err, 0);
	conn_free(c);
	close(lfd);

	memset(&p, 0, sizeof(p));
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect(c, "no-such-host.invalid", 21, 3000, probe_done, &p), 0);
	CU_ASSERT(wait_for(&p.done_calls, 4000));
	CU_ASSERT(p.done_err == ERR_NET || p.done_err == ERR_TIMEOUT);
	CU_ASSERT(strstr(conn_error(c), "no-such-host.invalid") != NULL);
	conn_free(c);

	/* Freed while resolving: nothing is called afterwards. */
	memset(&p, 0, sizeof(p));
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect(c, "localhost", port, 3000, probe_done, &p), 0);
	conn_free(c);
	spin(50);
	CU_ASSERT_EQUAL(p.done_calls, 0);
}

static void test_connect_ipv6_and_addr(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct probe p;
	struct conn *c;
	int lfd, port;

	lfd = listen_on(AF_INET6, &port, 8);
	if (lfd >= 0) {
		memset(&p, 0, sizeof(p));
		c = conn_new(tev, probe_event, &p);
		CU_ASSERT_EQUAL(conn_connect(c, "::1", port, 2000, probe_done, &p), 0);
		CU_ASSERT(wait_for(&p.done_calls, 3000));
		CU_ASSERT_EQUAL(p.done_err, 0);
		conn_free(c);
		close(lfd);
	}

	/* conn_connect_addr to an address taken from another conn. */
	lfd = listen_on(AF_INET, &port, 8);
	CU_ASSERT_FATAL(lfd >= 0);
	len = sizeof(ss);
	CU_ASSERT_FATAL(getsockname(lfd, (struct sockaddr *)&ss, &len) == 0);
	memset(&p, 0, sizeof(p));
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect_addr(c, (struct sockaddr *)&ss, len, 2000, probe_done, &p), 0);
	CU_ASSERT_EQUAL(p.done_calls, 0);
	CU_ASSERT(wait_for(&p.done_calls, 3000));
	CU_ASSERT_EQUAL(p.done_err, 0);
	conn_free(c);
	close(lfd);
}

/* A listener whose accept queue is full drops new SYNs: the connect
 * hangs and the overall timeout must end it. */
static void test_connect_timeout(void)
{
	struct sockaddr_in in;
	struct probe p;
	struct conn *c;
	int lfd, port, fill[8], i, nfill = 0;

	lfd = listen_on(AF_INET, &port, 0);
	CU_ASSERT_FATAL(lfd >= 0);
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in.sin_port = htons(port);
	for (i = 0; i < 8; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&in, sizeof(in));
		nfill++;
	}
	usleep(50000);
	memset(&p, 0, sizeof(p));
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect(c, "127.0.0.1", port, 300, probe_done, &p), 0);
	CU_ASSERT(wait_for(&p.done_calls, 3000));
	CU_ASSERT_EQUAL(p.done_err, ERR_TIMEOUT);
	CU_ASSERT(strstr(conn_error(c), "timed out") != NULL);
	conn_free(c);
	for (i = 0; i < nfill; i++)
		close(fill[i]);
	close(lfd);
}

/* ---- TLS ---- */

static char tdir[] = "/tmp/ferry-conn-test-XXXXXX";
static char ca_pem[128];
static int tls_port, tls12_port, tls11_port, cli_port, noeku_port;

/* The forked servers, stopped by suite_tls_clean. */
static pid_t srv_pids[8];
static int srv_npids;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A CA and three server certificates signed by it, all for localhost,
 * 127.0.0.1 and ::1: srv for TLS servers, cli for TLS clients only, and
 * noeku without any extended key usage. */
static int make_certs(void)
{
	static const char names[] = "cn = \"localhost\"\ndns_name = \"localhost\"\n"
		"ip_address = \"127.0.0.1\"\nip_address = \"::1\"\n"
		"signing_key\nencryption_key\nexpiration_days = 30\n";
	char text[512];
	static const char *const leaves[] = { "srv", "cli", "noeku" };
	size_t i;

	if (!mkdtemp(tdir))
		return -1;
	if (write_file("ca.tmpl", "cn = \"ferry test CA\"\nca\ncert_signing_key\n"
	               "expiration_days = 30\n") < 0)
		return -1;
	snprintf(text, sizeof(text), "%stls_www_server\n", names);
	if (write_file("srv.tmpl", text) < 0)
		return -1;
	snprintf(text, sizeof(text), "%stls_www_client\n", names);
	if (write_file("cli.tmpl", text) < 0 || write_file("noeku.tmpl", names) < 0)
		return -1;
	snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", tdir);
	if (sh("(cd %s && certtool --generate-privkey --key-type=ecdsa --outfile ca.key && "
	       "certtool --generate-self-signed --load-privkey ca.key --template ca.tmpl "
	       "--outfile ca.pem) >/dev/null 2>&1", tdir) != 0)
		return -1;
	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		if (sh("(cd %s && certtool --generate-privkey --key-type=ecdsa --outfile %s.key && "
		       "certtool --generate-certificate --load-privkey %s.key "
		       "--load-ca-certificate ca.pem --load-ca-privkey ca.key "
		       "--template %s.tmpl --outfile %s.pem) >/dev/null 2>&1",
		       tdir, leaves[i], leaves[i], leaves[i], leaves[i]) != 0)
			return -1;
	return 0;
}

/* The server side of one connection: echo records, except the commands
 * "CUT" (close without close_notify), "BYE" (close_notify, then close)
 * and "BIG" (send 200000 bytes). */
static void srv_serve(gnutls_session_t s)
{
	static char big[200000];
	char buf[4096];
	ssize_t n;
	size_t off;

	for (;;) {
		n = gnutls_record_recv(s, buf, sizeof(buf));
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n == 0) {
			gnutls_bye(s, GNUTLS_SHUT_WR);
			return;
		}
		if (n < 0)
			return;
		if (n >= 3 && !memcmp(buf, "CUT", 3))
			return;
		if (n >= 3 && !memcmp(buf, "BYE", 3)) {
			gnutls_bye(s, GNUTLS_SHUT_WR);
			/* Wait for the client to go. */
			while (gnutls_record_recv(s, buf, sizeof(buf)) > 0)
				;
			return;
		}
		if (n >= 3 && !memcmp(buf, "BIG", 3)) {
			memset(big, 'b', sizeof(big));
			for (off = 0; off < sizeof(big);) {
				ssize_t w = gnutls_record_send(s, big + off, sizeof(big) - off);

				if (w < 0)
					return;
				off += (size_t)w;
			}
			continue;
		}
		if (gnutls_record_send(s, buf, (size_t)n) < 0)
			return;
	}
}

/* Serve connections on lfd with certificate NAME.pem of the test folder,
 * under priority string prio (NULL: GnuTLS's defaults). */
static void srv_run(int lfd, const char *name, const char *prio)
{
	gnutls_certificate_credentials_t x;
	gnutls_datum_t tkey;
	char pem[256], key[256];

	snprintf(pem, sizeof(pem), "%s/%s.pem", tdir, name);
	snprintf(key, sizeof(key), "%s/%s.key", tdir, name);
	if (gnutls_certificate_allocate_credentials(&x) < 0 ||
	    gnutls_certificate_set_x509_key_file(x, pem, key, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_session_ticket_key_generate(&tkey) < 0)
		_exit(1);
	/* One process per connection, as FTP servers do: a control
	 * connection stays open while its data connections come and go. */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		gnutls_session_t s;
		int fd = accept(lfd, NULL, NULL), r;

		if (fd < 0)
			continue;
		if (fork() != 0) {
			close(fd);
			continue;
		}
		close(lfd);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		gnutls_init(&s, GNUTLS_SERVER);
		if (prio)
			gnutls_priority_set_direct(s, prio, NULL);
		else
			gnutls_set_default_priority(s);
		gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, x);
		gnutls_session_ticket_enable_server(s, &tkey);
		gnutls_handshake_set_timeout(s, 5000);
		gnutls_transport_set_int(s, fd);
		do
			r = gnutls_handshake(s);
		while (r < 0 && !gnutls_error_is_fatal(r));
		if (r == 0)
			srv_serve(s);
		gnutls_deinit(s);
		close(fd);
		_exit(0);
	}
}

/* A server must never outlive the test (a crash or a ctest timeout would
 * leave it behind) nor hold the test's output pipe open. */
static void srv_detach(void)
{
	int fd = open("/dev/null", O_RDWR);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* Fork a server with certificate name under priority prio; its port
 * goes to *port.  Returns 0 or -1. */
static int srv_start(int *port, const char *name, const char *prio)
{
	int lfd = listen_on(AF_INET, port, 16);
	pid_t pid;

	if (lfd < 0 || srv_npids == (int)(sizeof(srv_pids) / sizeof(srv_pids[0])))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		srv_detach();
		srv_run(lfd, name, prio);
		_exit(0);
	}
	srv_pids[srv_npids++] = pid;
	close(lfd);
	return 0;
}

static int suite_tls_init(void)
{
	if (suite_ev_init() != 0 || make_certs() < 0)
		return 1;
	if (srv_start(&tls_port, "srv", NULL) < 0 ||
	    srv_start(&tls12_port, "srv", "NORMAL:-VERS-ALL:+VERS-TLS1.2") < 0 ||
	    srv_start(&tls11_port, "srv", "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0") < 0 ||
	    srv_start(&cli_port, "cli", NULL) < 0 ||
	    srv_start(&noeku_port, "noeku", NULL) < 0)
		return 1;
	return conn_tls_global_init() == 0 ? 0 : 1;
}

static int suite_tls_clean(void)
{
	int i;

	/* Their connection children end with their connections. */
	for (i = 0; i < srv_npids; i++) {
		kill(srv_pids[i], SIGTERM);
		waitpid(srv_pids[i], NULL, 0);
	}
	srv_npids = 0;
	sh("rm -rf %s", tdir);
	suite_ev_clean();
	conn_tls_global_deinit();
	return 0;
}

/* Connect to the test server and run a handshake; returns the conn with
 * *p filled, done_err holding the handshake result. */
static struct conn *tls_open_port(struct probe *p, const struct tls_params *tp, int port)
{
	struct conn *c;

	memset(p, 0, sizeof(*p));
	p->consume = true;
	c = conn_new(tev, probe_event, p);
	if (conn_connect(c, "127.0.0.1", port, 2000, probe_done, p) != 0 ||
	    !wait_for(&p->done_calls, 3000) || p->done_err != 0) {
		if (getenv("TEST_VERBOSE"))
			fprintf(stderr, "\n  [connect: %s]\n", conn_error(c));
		p->done_err = ERR_NET;
		return c;
	}
	p->done_calls = 0;
	p->done_err = 0;
	if (conn_tls_start(c, tp, probe_done, p) != 0) {
		p->done_err = ERR_TLS;
		return c;
	}
	CU_ASSERT_EQUAL(p->done_calls, 0);
	if (!wait_for(&p->done_calls, 5000))
		p->done_err = ERR_TIMEOUT;
	if (getenv("TEST_VERBOSE") && p->done_err)
		fprintf(stderr, "\n  [%d: %s]\n", p->done_err, conn_error(c));
	return c;
}

static struct conn *tls_open(struct probe *p, const struct tls_params *tp)
{
	return tls_open_port(p, tp, tls_port);
}

/* Send a line and wait for its echo. */
static bool tls_echo(struct conn *c, struct probe *p, const char *line)
{
	int64_t end;

	p->ngot = 0;
	p->got[0] = '\0';
	if (conn_write(c, line, strlen(line)) != 0)
		return false;
	end = ev_now_ms(tev) + 3000;
	while (p->ngot < strlen(line) && ev_now_ms(tev) < end && !p->error)
		ev_run_once(tev, 20);
	return !strcmp(p->got, line);
}

static char last_fpr[128];

static void test_tls_ca_file(void)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct probe p;
	struct conn *c = tls_open(&p, &tp);

	CU_ASSERT_EQUAL(p.done_err, 0);
	if (p.done_err)
		fprintf(stderr, "\n  (%s)\n", conn_error(c));
	CU_ASSERT(conn_is_tls(c));
	CU_ASSERT(!conn_tls_resumed(c));
	CU_ASSERT_PTR_NOT_NULL(conn_tls_desc(c));
	CU_ASSERT_PTR_NOT_NULL(conn_tls_fingerprint(c));
	if (conn_tls_fingerprint(c)) {
		CU_ASSERT_EQUAL(strlen(conn_tls_fingerprint(c)), 95);
		snprintf(last_fpr, sizeof(last_fpr), "%s", conn_tls_fingerprint(c));
	}
	CU_ASSERT(tls_echo(c, &p, "hello over TLS\r\n"));
	conn_free(c);

	/* An IP literal matches the certificate's IP address. */
	tp.host = "127.0.0.1";
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, 0);
	CU_ASSERT(tls_echo(c, &p, "ip\r\n"));
	conn_free(c);
}

static void test_tls_untrusted(void)
{
	struct tls_params tp = { .host = "localhost", .verify = true };
	struct probe p;
	struct conn *c = tls_open(&p, &tp);

	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	CU_ASSERT(strstr(conn_error(c), "certificate verification failed for localhost") != NULL);
	CU_ASSERT(strstr(conn_error(c), "SHA-256") != NULL);
	CU_ASSERT(strstr(conn_error(c), "signer not found") != NULL);
	CU_ASSERT(!conn_is_tls(c));
	CU_ASSERT_PTR_NOT_NULL(conn_tls_fingerprint(c));
	if (conn_tls_fingerprint(c)) {
		CU_ASSERT(strstr(conn_error(c), conn_tls_fingerprint(c)) != NULL);
		CU_ASSERT_STRING_EQUAL(conn_tls_fingerprint(c), last_fpr);
	}
	CU_ASSERT_EQUAL(conn_write(c, "x", 1), ERR_NET);
	conn_free(c);
}

static void test_tls_pinned(void)
{
	struct tls_params tp = { .host = "localhost", .verify = true };
	char pin[128], *w = pin;
	const char *r;
	struct probe p;
	struct conn *c;

	/* Lower case, no colons: both ignored. */
	for (r = last_fpr; *r; r++)
		if (*r != ':')
			*w++ = (char)(*r >= 'A' && *r <= 'F' ? *r - 'A' + 'a' : *r);
	*w = '\0';
	tp.fingerprint = pin;
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, 0);
	CU_ASSERT(tls_echo(c, &p, "pinned\r\n"));
	conn_free(c);

	/* A different pin does not help. */
	tp.fingerprint = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
	                 "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	conn_free(c);
}

/* A pin decides alone: the matching certificate passes even without the
 * CA, and a certificate the CA vouches for but with another fingerprint
 * fails, naming both fingerprints. */
static void test_tls_pin(void)
{
	static const char other[] = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
	                            "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct tls_params dp;
	struct probe p, pd;
	struct conn *c, *ctl;

	tp.pin = other;
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	CU_ASSERT(strstr(conn_error(c), "does not match tls:pin") != NULL);
	CU_ASSERT(strstr(conn_error(c), other) != NULL);
	CU_ASSERT(strstr(conn_error(c), last_fpr) != NULL);
	CU_ASSERT(!conn_is_tls(c));
	conn_free(c);

	/* A fingerprint trusted besides the CAs does not override the pin. */
	tp.fingerprint = last_fpr;
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	conn_free(c);

	/* The matching pin: accepted with the CA... */
	tp.fingerprint = NULL;
	tp.pin = last_fpr;
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, 0);
	CU_ASSERT(tls_echo(c, &p, "pinned\r\n"));
	conn_free(c);

	/* ...and without it. */
	tp.ca_file = NULL;
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, 0);
	conn_free(c);

	/* A data connection resuming the control session is held to the
	 * pin too. */
	tp.ca_file = ca_pem;
	ctl = tls_open(&p, &tp);
	CU_ASSERT_FATAL(p.done_err == 0);
	CU_ASSERT(tls_echo(ctl, &p, "login\r\n"));
	dp = tp;
	dp.resume_from = ctl;
	c = tls_open(&pd, &dp);
	CU_ASSERT_EQUAL(pd.done_err, 0);
	conn_free(c);
	dp.pin = other;
	c = tls_open(&pd, &dp);
	CU_ASSERT_EQUAL(pd.done_err, ERR_TLS);
	conn_free(c);
	conn_free(ctl);

	/* Not a SHA-256: refused before any handshake. */
	tp.pin = "AB:CD";
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	conn_free(c);
}

static void test_tls_wrong_host(void)
{
	struct tls_params tp = { .host = "wrong.example", .ca_file = ca_pem, .verify = true };
	struct probe p;
	struct conn *c = tls_open(&p, &tp);

	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	CU_ASSERT(strstr(conn_error(c), "another host name") != NULL);
	CU_ASSERT(strstr(conn_error(c), "SHA-256") != NULL);
	conn_free(c);

	/* An IP literal the certificate does not list. */
	tp.host = "127.0.0.2";
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	CU_ASSERT(strstr(conn_error(c), "another host name") != NULL);
	conn_free(c);
}

static void test_tls_resume(void)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct tls_params dp = tp;
	struct probe p, pd;
	struct conn *ctl, *data;
	int i;

	ctl = tls_open(&p, &tp);
	CU_ASSERT_FATAL(p.done_err == 0);
	/* One exchange, so the TLS 1.3 ticket that follows the handshake
	 * has been read, as it has after an FTP login. */
	CU_ASSERT(tls_echo(ctl, &p, "login\r\n"));

	/* Several data connections, each resumed from the control one. */
	dp.verify = false;
	dp.resume_from = ctl;
	for (i = 0; i < 3; i++) {
		data = tls_open(&pd, &dp);
		CU_ASSERT_EQUAL(pd.done_err, 0);
		CU_ASSERT(conn_tls_resumed(data));
		CU_ASSERT(tls_echo(data, &pd, "data\r\n"));
		conn_free(data);
		CU_ASSERT(tls_echo(ctl, &p, "next\r\n"));
	}

	/* Verification still works on a resumed session. */
	dp.verify = true;
	data = tls_open(&pd, &dp);
	CU_ASSERT_EQUAL(pd.done_err, 0);
	CU_ASSERT(conn_tls_resumed(data));
	conn_free(data);
	conn_free(ctl);

	/* A reconnect resumes from the process cache... */
	ctl = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, 0);
	CU_ASSERT(conn_tls_resumed(ctl));
	conn_free(ctl);

	/* ...and a resumed session is still checked against the name. */
	ctl = tls_open(&p, &tp);
	CU_ASSERT_FATAL(p.done_err == 0);
	CU_ASSERT(tls_echo(ctl, &p, "login\r\n"));
	dp.host = "wrong.example";
	dp.verify = true;
	dp.resume_from = ctl;
	data = tls_open(&pd, &dp);
	CU_ASSERT_EQUAL(pd.done_err, ERR_TLS);
	CU_ASSERT(strstr(conn_error(data), "another host name") != NULL);
	conn_free(data);
	conn_free(ctl);
}

/* The same over TLS 1.2 (session tickets of the older kind). */
static void test_tls12_resume(void)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct tls_params dp = tp;
	struct probe p, pd;
	struct conn *ctl, *data;
	int i;

	ctl = tls_open_port(&p, &tp, tls12_port);
	CU_ASSERT_FATAL(p.done_err == 0);
	CU_ASSERT(conn_tls_desc(ctl) && !strncmp(conn_tls_desc(ctl), "TLS1.2", 6));
	CU_ASSERT(tls_echo(ctl, &p, "login\r\n"));
	dp.verify = false;
	dp.resume_from = ctl;
	for (i = 0; i < 2; i++) {
		data = tls_open_port(&pd, &dp, tls12_port);
		CU_ASSERT_EQUAL(pd.done_err, 0);
		CU_ASSERT(conn_tls_resumed(data));
		CU_ASSERT(tls_echo(data, &pd, "data\r\n"));
		conn_free(data);
	}
	conn_free(ctl);
}

static void test_tls_close(void)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct probe p;
	struct conn *c;

	/* Cut without close_notify: an error the owner can judge. */
	c = tls_open(&p, &tp);
	CU_ASSERT_FATAL(p.done_err == 0);
	CU_ASSERT_EQUAL(conn_write(c, "CUT\r\n", 5), 0);
	CU_ASSERT(wait_for(&p.error, 3000));
	CU_ASSERT_EQUAL(p.err, ERR_EOF);
	CU_ASSERT(strstr(conn_error(c), "close_notify") != NULL);
	CU_ASSERT_EQUAL(p.eof, 0);
	conn_free(c);

	/* close_notify from the server: a clean EOF. */
	c = tls_open(&p, &tp);
	CU_ASSERT_FATAL(p.done_err == 0);
	CU_ASSERT_EQUAL(conn_write(c, "BYE\r\n", 5), 0);
	CU_ASSERT(wait_for(&p.eof, 3000));
	CU_ASSERT_EQUAL(p.error, 0);
	conn_free(c);

	/* Our close_notify: DRAINED, then the server answers in kind. */
	c = tls_open(&p, &tp);
	CU_ASSERT_FATAL(p.done_err == 0);
	CU_ASSERT_EQUAL(conn_write(c, "last words\r\n", 12), 0);
	conn_shutdown(c);
	CU_ASSERT(wait_for(&p.drained, 3000));
	CU_ASSERT(wait_for(&p.eof, 3000));
	CU_ASSERT_STRING_EQUAL(p.got, "last words\r\n");
	CU_ASSERT_EQUAL(p.error, 0);
	conn_free(c);
}

/* Decrypted data held inside GnuTLS must still reach a slow owner. */
static void test_tls_backpressure(void)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct probe p;
	struct conn *c;
	size_t total = 0;
	int64_t end;

	c = tls_open(&p, &tp);
	CU_ASSERT_FATAL(p.done_err == 0);
	p.consume = false;
	conn_set_rbuf_max(c, 1000);
	CU_ASSERT_EQUAL(conn_write(c, "BIG\r\n", 5), 0);
	end = ev_now_ms(tev) + 5000;
	while (total < 200000 && ev_now_ms(tev) < end && !p.error) {
		struct buf *b;

		ev_run_once(tev, 50);
		b = conn_rbuf(c);
		CU_ASSERT(buf_avail(b) <= 1000);
		total += buf_avail(b);
		buf_consume(b, buf_avail(b));
	}
	CU_ASSERT_EQUAL(total, 200000);
	CU_ASSERT_EQUAL(p.error, 0);

	/* An owner that consumes inside its handler, with the same small
	 * buffer: GnuTLS's leftovers must keep coming without any other
	 * call. */
	p.consume = true;
	p.total = 0;
	CU_ASSERT_EQUAL(conn_write(c, "BIG\r\n", 5), 0);
	end = ev_now_ms(tev) + 5000;
	while (p.total < 200000 && ev_now_ms(tev) < end && !p.error)
		ev_run_once(tev, 50);
	CU_ASSERT_EQUAL(p.total, 200000);
	conn_free(c);
}

/* A TLS connection read as a download (conn_set_bulk), its owner taking
 * every byte, that has asked the test server for its 200000-byte burst
 * (13 records); rbuf_max bounds its read buffer (0: the default). */
static struct conn *tls_bulk_big(struct probe *p, size_t rbuf_max)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct conn *c = tls_open(p, &tp);

	CU_ASSERT_FATAL(p->done_err == 0);
	p->consume = true;
	p->total = 0;
	p->readable = 0;
	conn_set_read_chunk(c, 128 * 1024);
	conn_set_bulk(c);
	if (rbuf_max)
		conn_set_rbuf_max(c, rbuf_max);
	CU_ASSERT_EQUAL(conn_write(c, "BIG\r\n", 5), 0);
	return c;
}

/* Run the loop until c has sent all it was given (3 s at most). */
static void flush_wait(struct conn *c)
{
	int64_t end = ev_now_ms(tev) + 3000;

	while (conn_wpending(c) && ev_now_ms(tev) < end)
		ev_run_once(tev, 10);
}

/* A bulk reader over TLS: each read ends at a record (16 KiB at most),
 * so it gathers records up to its read chunk before handing them on: a
 * burst waiting in the socket reaches the owner in a few pieces, not a
 * piece per record. */
static void test_tls_bulk_gathers(void)
{
	struct probe p;
	struct conn *c = tls_bulk_big(&p, 0);
	int64_t end = ev_now_ms(tev) + 5000;

	/* Flush the command, then let the burst reach our socket. */
	flush_wait(c);
	usleep(300 * 1000);
	while (p.total < 200000 && ev_now_ms(tev) < end && !p.error)
		ev_run_once(tev, 50);
	CU_ASSERT_EQUAL(p.total, 200000);
	/* One piece per record without the gathering. */
	CU_ASSERT(p.readable <= 6);
	conn_free(c);
}

/* A bulk TLS reader reads the socket ahead of GnuTLS: bytes taken from
 * the socket but not yet asked for raise no POLLIN, so an owner whose
 * buffer holds little must still get them all, without help.  A record
 * fills this one's buffer: each wake ends on a record's end, with GnuTLS
 * holding nothing and the read-ahead the rest. */
static void test_tls_readahead_small_owner(void)
{
	struct probe p;
	struct conn *c = tls_bulk_big(&p, 16384);
	int64_t end = ev_now_ms(tev) + 5000;

	while (p.total < 200000 && ev_now_ms(tev) < end && !p.error)
		ev_run_once(tev, 50);
	CU_ASSERT_EQUAL(p.total, 200000);
	/* The same connection goes on: a short echo after the burst. */
	CU_ASSERT(tls_echo(c, &p, "after\r\n"));
	conn_free(c);
}

/* The end of a bulk TLS stream: every byte read ahead reaches the owner
 * before the end is told, a cut without close_notify is still the error
 * the owner judges (an FTP download checks it against the 226), and a
 * close_notify still a clean end. */
static void test_tls_readahead_end(void)
{
	struct probe p;
	struct conn *c = tls_bulk_big(&p, 0);

	/* Each command in a record of its own: the server reads one per
	 * record. */
	flush_wait(c);
	CU_ASSERT_EQUAL(conn_write(c, "CUT\r\n", 5), 0);
	CU_ASSERT(wait_for(&p.error, 3000));
	CU_ASSERT_EQUAL(p.total, 200000);
	CU_ASSERT_EQUAL(p.err, ERR_EOF);
	CU_ASSERT(strstr(conn_error(c), "close_notify") != NULL);
	conn_free(c);

	c = tls_bulk_big(&p, 0);
	flush_wait(c);
	CU_ASSERT_EQUAL(conn_write(c, "BYE\r\n", 5), 0);
	CU_ASSERT(wait_for(&p.eof, 3000));
	CU_ASSERT_EQUAL(p.total, 200000);
	CU_ASSERT_EQUAL(p.error, 0);
	conn_free(c);
}

/* Replies pipelined behind "234" arrive in clear before the handshake:
 * starting TLS must refuse (CVE-2021-22947). */
static void test_tls_data_before_handshake(void)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct probe p;
	struct conn *c;
	int sv[2];

	memset(&p, 0, sizeof(p));
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	c = conn_new_fd(tev, sv[1], probe_event, &p);
	CU_ASSERT_EQUAL(write(sv[0], "234 OK\r\n230 in\r\n", 16), 16);
	CU_ASSERT(wait_for(&p.readable, 2000));
	/* The line layer took "234 OK" and leaves the rest. */
	buf_consume(conn_rbuf(c), 8);
	CU_ASSERT_EQUAL(conn_tls_start(c, &tp, probe_done, &p), ERR_PROTO);
	CU_ASSERT(strstr(conn_error(c), "before the TLS handshake") != NULL);
	spin(20);
	CU_ASSERT_EQUAL(p.done_calls, 0);
	conn_free(c);
	close(sv[0]);

	/* A peer that is not TLS at all fails the handshake cleanly. */
	memset(&p, 0, sizeof(p));
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	c = conn_new_fd(tev, sv[1], probe_event, &p);
	CU_ASSERT_EQUAL(conn_tls_start(c, &tp, probe_done, &p), 0);
	CU_ASSERT_EQUAL(write(sv[0], "500 OOPS: no TLS here\r\n", 23), 23);
	CU_ASSERT(wait_for(&p.done_calls, 3000));
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	CU_ASSERT(conn_error(c)[0] != '\0');
	conn_free(c);
	close(sv[0]);

	/* A silent peer: the handshake is bounded by the idle timeout. */
	memset(&p, 0, sizeof(p));
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	c = conn_new_fd(tev, sv[1], probe_event, &p);
	conn_set_idle_timeout(c, 100);
	CU_ASSERT_EQUAL(conn_tls_start(c, &tp, probe_done, &p), 0);
	CU_ASSERT(wait_for(&p.done_calls, 3000));
	CU_ASSERT_EQUAL(p.done_err, ERR_TIMEOUT);
	conn_free(c);
	close(sv[0]);
}

/* The certificate must be meant for a TLS server: one whose extended key
 * usage names TLS clients only fails, even though the CA signed it for
 * the right name; one without the extension is good for any purpose. */
static void test_tls_purpose(void)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct probe p;
	struct conn *c;

	c = tls_open_port(&p, &tp, cli_port);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	CU_ASSERT(strstr(conn_error(c), "not meant for TLS servers") != NULL);
	CU_ASSERT(strstr(conn_error(c), "SHA-256") != NULL);
	CU_ASSERT(!conn_is_tls(c));
	conn_free(c);

	/* The same by IP address (the purpose does not depend on the name). */
	tp.host = "127.0.0.1";
	c = tls_open_port(&p, &tp, cli_port);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	CU_ASSERT(strstr(conn_error(c), "not meant for TLS servers") != NULL);
	conn_free(c);

	tp.host = "localhost";
	c = tls_open_port(&p, &tp, noeku_port);
	CU_ASSERT_EQUAL(p.done_err, 0);
	CU_ASSERT(tls_echo(c, &p, "no eku\r\n"));
	conn_free(c);
}

/* TLS 1.2 or newer unless the caller lowers min_version. */
static void test_tls_min_version(void)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct probe p;
	struct conn *c;

	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, 0);
	CU_ASSERT_EQUAL(conn_tls_version(c), 13);
	conn_free(c);

	/* A server of TLS 1.0 and 1.1 only: refused by default, with a
	 * message that says why and names the setting. */
	c = tls_open_port(&p, &tp, tls11_port);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	CU_ASSERT(strstr(conn_error(c), "older than TLS1.2") != NULL);
	CU_ASSERT(strstr(conn_error(c), "tls:min-version") != NULL);
	CU_ASSERT_EQUAL(conn_tls_version(c), 0);
	conn_free(c);

	tp.min_version = 12;
	c = tls_open_port(&p, &tp, tls11_port);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	conn_free(c);

	/* Lowered on purpose: it works, and the version is known. */
	tp.min_version = 11;
	c = tls_open_port(&p, &tp, tls11_port);
	CU_ASSERT_EQUAL(p.done_err, 0);
	CU_ASSERT_EQUAL(conn_tls_version(c), 11);
	CU_ASSERT(conn_tls_desc(c) && !strncmp(conn_tls_desc(c), "TLS1.1", 6));
	CU_ASSERT(tls_echo(c, &p, "old\r\n"));
	conn_free(c);

	/* Raised to 1.3: a server of TLS 1.2 only fails the same way. */
	tp.min_version = 13;
	c = tls_open_port(&p, &tp, tls12_port);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	CU_ASSERT(strstr(conn_error(c), "older than TLS1.3") != NULL);
	conn_free(c);

	/* Not a version: refused before any handshake. */
	tp.min_version = 9;
	c = tls_open(&p, &tp);
	CU_ASSERT_EQUAL(p.done_err, ERR_TLS);
	conn_free(c);
}

/* conn_free while the handshake runs: nothing is called later. */
static void test_tls_free_midway(void)
{
	struct tls_params tp = { .host = "localhost", .ca_file = ca_pem, .verify = true };
	struct probe p;
	struct conn *c;

	memset(&p, 0, sizeof(p));
	c = conn_new(tev, probe_event, &p);
	CU_ASSERT_EQUAL(conn_connect(c, "127.0.0.1", tls_port, 2000, probe_done, &p), 0);
	CU_ASSERT(wait_for(&p.done_calls, 3000));
	p.done_calls = 0;
	CU_ASSERT_EQUAL(conn_tls_start(c, &tp, probe_done, &p), 0);
	ev_run_once(tev, 0);
	conn_free(c);
	spin(100);
	CU_ASSERT_EQUAL(p.done_calls, 0);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("conn", suite_ev_init, suite_ev_clean);

	CU_add_test(s, "pair_roundtrip", test_pair_roundtrip);
	CU_add_test(s, "pair_backpressure", test_pair_backpressure);
	CU_add_test(s, "idle_timeout", test_idle_timeout);
	CU_add_test(s, "free_inside_handler", test_free_inside_handler);
	CU_add_test(s, "connect_refused", test_connect_refused);
	CU_add_test(s, "connect_listening", test_connect_listening);
	CU_add_test(s, "bulk_lowat", test_bulk_lowat);
	CU_add_test(s, "connect_by_name", test_connect_by_name);
	CU_add_test(s, "connect_ipv6_and_addr", test_connect_ipv6_and_addr);
	CU_add_test(s, "connect_timeout", test_connect_timeout);

	s = CU_add_suite("conn_tls", suite_tls_init, suite_tls_clean);
	CU_add_test(s, "ca_file", test_tls_ca_file);
	CU_add_test(s, "untrusted", test_tls_untrusted);
	CU_add_test(s, "pinned", test_tls_pinned);
	CU_add_test(s, "pin", test_tls_pin);
	CU_add_test(s, "wrong_host", test_tls_wrong_host);
	CU_add_test(s, "purpose", test_tls_purpose);
	CU_add_test(s, "min_version", test_tls_min_version);
	CU_add_test(s, "resume", test_tls_resume);
	CU_add_test(s, "tls12_resume", test_tls12_resume);
	CU_add_test(s, "close", test_tls_close);
	CU_add_test(s, "backpressure", test_tls_backpressure);
	CU_add_test(s, "bulk_gathers", test_tls_bulk_gathers);
	CU_add_test(s, "readahead_small_owner", test_tls_readahead_small_owner);
	CU_add_test(s, "readahead_end", test_tls_readahead_end);
	CU_add_test(s, "data_before_handshake", test_tls_data_before_handshake);
	CU_add_test(s, "free_midway", test_tls_free_midway);
}
