/* fuzz_pp.h - the socketpair driver shared by fuzz_pp_ftp.c and
 * fuzz_pp_nntp.c (header-only, static functions).
 *
 * One end of a socketpair is wrapped with conn_new_fd() and handed to a pp;
 * the driver plays the server on the other end: it writes the fuzz bytes in
 * chunks, runs the event loop between chunks, reads and checks whatever pp
 * sends, then half-closes and runs the loop until pp has failed (EOF at the
 * latest) or a callback freed it.
 *
 * Input layout (7 header bytes, then the body):
 *   [0] flags   bits 0-1 chunking of the first 4 KiB: 0 all at once, 1 one
 *                        byte per loop turn, 2 seven bytes, 3 509 bytes
 *               bit  2   first queue a pp_expect (a greeting)
 *               bits 3-4 commands queued at the start: 1, 2, 3 or 6
 *               bit  5   every final reply queues one more command (<= 64)
 *               bit  6   pp_cancel_all() at callback number act & 15
 *               bit  7   pp_free() inside callback number act >> 4
 *   [1] act     see bits 6 and 7
 *   [2] sel     protocol specific (first command, modes)
 *   [3] opts    bit  0   the first piece arrives before pp_new() (bytes
 *                        buffered in the conn when pp takes over)
 *               bit  1   unused (a nested loop, which ev no longer has)
 *   [4] rep     segment B is sent rep * 128 times (once if rep is 0),
 *               but B..B is cut at FZ_MAX_REPEAT bytes
 *   [5] alen    the body is A = body[0, alen), B = the next blen bytes,
 *   [6] blen    C = the rest; the server sends A B..B C.
 * The repeat lets a small input reach the line and reply limits (16 KiB
 * line, 1 MiB multi-line reply, 1 MiB block line).
 */
#ifndef FERRY_FUZZ_PP_H
#define FERRY_FUZZ_PP_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "err.h"
#include "ev.h"
#include "fuzz_common.h"
#include "pp.h"

#define FZ_HDR 7
#define FZ_MAX_RESEND 64
/* Enough to pass every limit but the 64 MiB collected block, which a unit
 * test covers: longer streams only slow the fuzzer down. */
#define FZ_MAX_REPEAT ((size_t)PP_MAX_BLOCK_LINE + 64 * 1024)


struct fz_pp {
	/* decoded input */
	uint8_t flags, act, sel, opts;
	const uint8_t *seg[3];
	size_t seglen[3];
	size_t nrep;
	/* stream position: segment, repetition of B, offset */
	int si;
	size_t rep_done, off;

	struct ev *ev;
	struct conn *c;
	struct pp *pp;
	int peer;
	enum pp_style style;

	bool done;          /* pp failed (on_error) or freed */
	bool freed;         /* pp_free() from a callback */
	unsigned ncb;       /* callbacks so far (replies, errors, unsolicited) */
	unsigned nsent;     /* commands queued */
	unsigned nresent;
};

static void fz_pp_init_once(void)
{
	static bool done;

	if (!done) {
		signal(SIGPIPE, SIG_IGN);
		done = true;
	}
}

static bool fz_pp_decode(struct fz_pp *f, const uint8_t *data, size_t size)
{
	const uint8_t *body;
	size_t n, a, b;

	if (size < FZ_HDR)
		return false;
	memset(f, 0, sizeof(*f));
	f->flags = data[0];
	f->act = data[1];
	f->sel = data[2];
	f->opts = data[3];
	f->nrep = data[4] ? (size_t)data[4] * 128 : 1;
	body = data + FZ_HDR;
	n = size - FZ_HDR;
	a = data[5] < n ? data[5] : n;
	b = data[6] < n - a ? data[6] : n - a;
	f->seg[0] = body;
	f->seglen[0] = a;
	f->seg[1] = body + a;
	f->seglen[1] = b;
	if (b && f->nrep > FZ_MAX_REPEAT / b)
		f->nrep = FZ_MAX_REPEAT / b + 1;
	f->seg[2] = body + a + b;
	f->seglen[2] = n - a - b;
	f->peer = -1;
	return true;
}

/* Next piece of the server stream, at most max bytes; 0 at the end. */
static size_t fz_pp_next(struct fz_pp *f, const uint8_t **p, size_t max)
{
	while (f->si < 3) {
		size_t left = f->seglen[f->si] - f->off;

		if (left == 0) {
			f->off = 0;
			if (f->si == 1 && ++f->rep_done < f->nrep)
				continue;
			f->si++;
			continue;
		}
		*p = f->seg[f->si] + f->off;
		return left < max ? left : max;
	}
	return 0;
}

/* Small pieces for the first 4 KiB only: that is where line and reply
 * boundaries fall; a megabyte in 7-byte pieces would take a second. */
static size_t fz_pp_chunk(const struct fz_pp *f, size_t written)
{
	static const size_t small[] = { 65536, 1, 7, 509 };

	return written < 4096 ? small[f->flags & 3] : 65536;
}

/* Everything pp writes must be our own command lines (printable ASCII,
 * CRLF): no server byte is ever echoed onto the wire. */
static void fz_pp_drain(struct fz_pp *f)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(f->peer, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buf[i];

			FZ_CHECK((ch >= 0x20 && ch < 0x7f) || ch == '\r' || ch == '\n');
		}
}

/* FERRY_FUZZ_VERBOSE=1 when running one input: what pp delivered and why
 * it stopped (for writing seeds). */
static bool fz_pp_verbose(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("FERRY_FUZZ_VERBOSE") != NULL;
	return v;
}

/* Checks every reply must pass, whoever receives it. */
static void fz_pp_check_reply(const struct fz_pp *f, const struct pp_reply *r)
{
	if (fz_pp_verbose())
		fprintf(stderr, "reply %d%s len %zu block %s%zu lines %llu\n", r->code,
		        r->final ? "" : " (1xx)", r->len, r->block ? "" : "(none) ",
		        r->block_len, (unsigned long long)r->block_lines);
	FZ_CHECK(r->code >= 100 && r->code <= 599);
	FZ_CHECK(r->text && r->msg);
	FZ_CHECK(strlen(r->text) == r->len);
	FZ_CHECK(r->len >= 3);
	FZ_CHECK(r->text[0] - '0' == r->code / 100 &&
	         r->text[1] - '0' == r->code / 10 % 10 &&
	         r->text[2] - '0' == r->code % 10);
	FZ_CHECK(strlen(r->msg) <= PP_MAX_LINE);
	if (f->style == PP_FTP) {
		FZ_CHECK(r->final == (r->code >= 200));
		FZ_CHECK(r->len <= PP_MAX_REPLY);
		FZ_CHECK(!r->block);
	} else {
		FZ_CHECK(r->final);
		FZ_CHECK(r->len <= PP_MAX_LINE);
		FZ_CHECK(!strchr(r->text, '\n'));
	}
	if (r->block) {
		uint64_t lines = 0;

		FZ_CHECK(r->block_len <= PP_MAX_COLLECT);
		for (size_t i = 0; i < r->block_len; i++)
			if (r->block[i] == '\n')
				lines++;
		FZ_CHECK(lines == r->block_lines);
		FZ_CHECK(r->block_len == 0 || r->block[r->block_len - 1] == '\n');
		FZ_CHECK(memchr(r->block, '\0', r->block_len) == NULL);
	}
}

/* The actions a callback takes (flags bits 5-7, opts bit 1).  Returns
 * false if the pp was freed and must not be touched. */
static bool fz_pp_actions(struct fz_pp *f, struct pp *pp, bool final,
                          bool (*resend)(struct fz_pp *f))
{
	if (f->freed)
		return false;
	f->ncb++;
	if ((f->flags & 0x80) && f->ncb == (unsigned)(f->act >> 4)) {
		pp_free(pp);
		f->freed = true;
		f->done = true;
		return false;
	}
	if ((f->flags & 0x40) && f->ncb == (unsigned)(f->act & 15))
		pp_cancel_all(pp);
	if ((f->flags & 0x20) && final && f->nresent < FZ_MAX_RESEND) {
		f->nresent++;
		resend(f);
	}
	return true;
}

static void fz_pp_on_error(struct pp *pp, int err, void *arg)
{
	struct fz_pp *f = arg;

	FZ_CHECK(err < 0);
	FZ_CHECK(pp_failed(pp));
	FZ_CHECK(pp_pending(pp) == 0);
	FZ_CHECK(pp_send(pp, "NOOP", NULL) == ERR_NET);
	FZ_CHECK(pp_expect(pp, NULL) == ERR_NET);
	FZ_CHECK(pp_error(pp) != NULL);
	f->done = true;
}

static void fz_pp_conn_event(struct conn *c, enum conn_event e, int err, void *arg)
{
}

/* Write the next piece of the stream; false when it has all been sent. */
static bool fz_pp_write(struct fz_pp *f, size_t *written)
{
	const uint8_t *p = NULL;
	size_t n = fz_pp_next(f, &p, fz_pp_chunk(f, *written));
	ssize_t w;

	if (n == 0)
		return false;
	w = write(f->peer, p, n);
	if (w > 0) {
		f->off += (size_t)w;
		*written += (size_t)w;
	} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
		/* The conn end is gone (it cannot be while pp lives): let
		 * EOF handling decide. */
		return false;
	}
	return true;
}

/* Run one input.  start() queues the first commands; the owner's
 * on_unsolicited is given by the caller. */
static void fz_pp_run(struct fz_pp *f, enum pp_style style,
                      void (*start)(struct fz_pp *f),
                      void (*unsolicited)(struct pp *, const struct pp_reply *, void *))
{
	struct pp_owner owner = { fz_pp_on_error, unsolicited, f };
	int sv[2];
	size_t written = 0;
	bool shut = false;
	unsigned idle = 0;

	fz_pp_init_once();
	f->style = style;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		abort();
	}
	f->peer = sv[1];
	fcntl(f->peer, F_SETFL, fcntl(f->peer, F_GETFL) | O_NONBLOCK);
	f->ev = ev_new();
	f->c = conn_new_fd(f->ev, sv[0], fz_pp_conn_event, NULL);
	if (f->opts & 1) {
		/* The conn reads it with no pp attached yet.  Not the EOF:
		 * pp cannot learn of an EOF that came before pp_new() (see
		 * tests/unit/test_fuzz_regress.c). */
		fz_pp_write(f, &written);
		ev_run_once(f->ev, 0);
	}
	f->pp = pp_new(f->ev, f->c, style, "fuzz", &owner);
	start(f);

	while (!f->done) {
		if (!shut && !fz_pp_write(f, &written)) {
			shutdown(f->peer, SHUT_WR);
			shut = true;
		}
		ev_run_once(f->ev, shut ? 100 : 0);
		fz_pp_drain(f);
		if (shut && ++idle > 200) {
			/* 20 s after EOF with pp still waiting: a hang. */
			fprintf(stderr, "pp neither failed nor finished after EOF\n");
			abort();
		}
	}
	if (fz_pp_verbose())
		fprintf(stderr, "end after %zu bytes: %s\n", written,
		        f->freed ? "pp freed in a callback" : pp_error(f->pp));
	if (!f->freed)
		pp_free(f->pp);
	conn_free(f->c);
	ev_free(f->ev);
	close(f->peer);
}

#endif
