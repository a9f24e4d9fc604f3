/* conn.c - one TCP connection, optionally TLS, on the event loop (see
 * conn.h for the contract; GnuTLS itself lives in tls.c).
 *
 * Callbacks into the owner happen only from this file's own ev callbacks
 * (the watcher, the timers, the deferred call), never from a public
 * function, so an owner may call any conn function from anywhere.
 * Completions (connect, TLS handshake) always go through the deferred call,
 * which runs before the next poll(), so done() is seen before any event
 * that follows it.
 *
 * Lifetime: every ev callback holds the conn (depth) while it runs; a
 * conn_free() from inside an owner callback releases everything at once
 * but leaves the struct to the outermost holder, which checks c->dead after
 * each owner callback and frees it on the way out.
 *
 * Name resolution uses getaddrinfo_a() polled by a short timer: a plain
 * getaddrinfo() may block for seconds on DNS, and the loop must stay
 * responsive (Ctrl-C, other sessions).  Numeric hosts skip it.
 */
#define _GNU_SOURCE /* getaddrinfo_a */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "err.h"
#include "ev.h"
#include "tls.h"
#include "zio.h"

#define CONN_RBUF_MAX (1024 * 1024)
#define CONN_WBUF_MAX (4 * 1024 * 1024)
#define CONN_READ_CHUNK 16384
/* Reads per wakeup, so one fast peer cannot starve the others. */
#define CONN_READS_PER_WAKE 8
/* What a bulk TLS reader takes from its socket in one recv (tls_readahead):
 * two records of 16 KiB and their framing. */
#define CONN_TLS_READAHEAD (32 * 1024 + 2 * 64)
/* A bulk reader's low-water mark falls back to 1 byte when it has not
 * been reached for this long (conn_set_bulk). */
#define CONN_LOWAT_TICK_MS 100
/* Handshake bound when the owner set no idle timeout. */
#define CONN_HS_TIMEOUT_MS 60000
/* Give one address of several no less than this before trying the next. */
#define CONN_ATTEMPT_MIN_MS 2000

enum conn_state {
	CS_IDLE,        /* new, nothing started */
	CS_RESOLVING,   /* getaddrinfo_a in flight */
	CS_CONNECTING,  /* non-blocking connect in flight */
	CS_UP,          /* connected (TLS handshake maybe in progress) */
	CS_FAILED,      /* error; only conn_free() is useful */
};

struct conn_resolve {
	struct gaicb req;
	struct addrinfo hints;
	char *host;
	char port[16];
	struct conn_resolve *next; /* on the orphan list */
};

struct conn {
	struct ev *ev;
	enum conn_state state;
	int fd;
	struct ev_io *io;
	conn_event_fn fn;
	void *arg;

	struct buf rbuf, wbuf;
	size_t read_chunk; /* bytes asked of one recv (conn_set_read_chunk) */
	bool paused;      /* owner asked to stop reading */
	bool stalled;     /* stopped reading because rbuf is full */
	bool eof;         /* read side finished */
	bool wdirty;      /* bytes queued since the last CONN_DRAINED */
	bool shut_req, shut_done;
	bool dead;        /* conn_free() called */
	int depth;        /* ev callbacks of ours on the stack */

	bool deferred;    /* conn_defer_cb is queued */
	bool kick_read;   /* deferred: re-check reading (room, TLS pending) */
	bool done_ready;  /* deferred: deliver done(done_err) */
	int done_err;
	conn_done_fn done;
	void *done_arg;

	/* connecting */
	char *host;
	int port;
	struct conn_resolve *res;
	struct addrinfo *ai_list, *ai_next;
	int ai_left;
	int64_t deadline;         /* 0: none */
	int64_t attempt_deadline; /* this address */
	long timeout_ms;
	int64_t op_when;          /* when op_timer should fire next */
	struct ev_timer *op_running; /* op_timer while its callback runs */
	long resolve_wait;        /* current resolver poll interval */
	struct ev_timer *op_timer;
	char tried[256];          /* per-address failures, for the message */

	/* TLS */
	struct tls *tls;
	bool hs;          /* handshake in progress */
	bool hs_write;    /* handshake waits to write */
	bool rd_write;    /* a TLS read waits to write (post-handshake
	                     messages such as a key update answer) */
	bool tls_up;

	/* COMPRESS (conn_compress_start): between the socket or TLS and the
	 * buffers; the counters are what conn_stats() shows. */
	struct zio *z;
	struct conn_stats st;

	/* bulk reading (conn_set_bulk): the socket's SO_RCVLOWAT, 1 or the
	 * read chunk, and the timer that lowers it again */
	bool bulk;
	int lowat;
	struct ev_timer *lowat_timer;
	int64_t last_read;

	long idle_ms;
	struct ev_timer *idle_timer;
	int64_t last_act;

	char err[512];
};

/* Resolver requests that could not be cancelled: glibc still writes into
 * them, so they are freed only once finished. */
static struct conn_resolve *conn_orphans;

static void conn_update_io(struct conn *c);
static void conn_try_next(struct conn *c);

static void conn_seterr(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void conn_seterr(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

/* The clock of ev_now_ms(), read afresh: the loop's cached value may be
 * stale when an owner starts something after a long synchronous step, and
 * a deadline computed from it would come too early. */
static int64_t conn_now(struct conn *c)
{
	struct timespec ts;

	(void)c;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_hold(struct conn *c)
{
	c->depth++;
}

/* Returns false if c is gone (the caller must not touch it). */
static bool conn_unhold(struct conn *c)
{
	if (--c->depth == 0 && c->dead) {
		free(c);
		return false;
	}
	return !c->dead;
}

/* Deliver an event; false if the owner freed c meanwhile. */
static bool conn_emit(struct conn *c, enum conn_event e, int err)
{
	if (c->fn)
		c->fn(c, e, err, c->arg);
	return !c->dead;
}

static void conn_defer_cb(void *arg);

static void conn_kick(struct conn *c)
{
	if (c->deferred || c->dead)
		return;
	c->deferred = true;
	ev_defer(c->ev, conn_defer_cb, c);
}

/* Finish conn_connect* or conn_tls_start: always through the deferred
 * call, so never from inside the function that started it. */
static void conn_finish_op(struct conn *c, int err)
{
	c->done_ready = true;
	c->done_err = err;
	conn_kick(c);
}

static void conn_timer_stop(struct ev_timer **t)
{
	if (*t) {
		ev_timer_del(*t);
		*t = NULL;
	}
}

static void conn_resolve_reap(void)
{
	struct conn_resolve **pp = &conn_orphans, *r;

	while ((r = *pp) != NULL) {
		if (gai_error(&r->req) == EAI_INPROGRESS) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		if (r->req.ar_result)
			freeaddrinfo(r->req.ar_result);
		free(r->host);
		free(r);
	}
}

static void conn_resolve_cancel(struct conn *c)
{
	struct conn_resolve *r = c->res;

	if (!r)
		return;
	c->res = NULL;
	switch (gai_cancel(&r->req)) {
	case EAI_NOTCANCELED:
		r->next = conn_orphans;
		conn_orphans = r;
		return;
	case EAI_ALLDONE:
		if (r->req.ar_result)
			freeaddrinfo(r->req.ar_result);
		break;
	}
	free(r->host);
	free(r);
}

/* Stop all activity after an error; the socket stays open until
 * conn_free() so conn_peer() and the error text remain available. */
static void conn_stop(struct conn *c)
{
	c->state = CS_FAILED;
	c->hs = false;
	conn_resolve_cancel(c);
	conn_timer_stop(&c->op_timer);
	conn_timer_stop(&c->idle_timer);
	conn_timer_stop(&c->lowat_timer);
	if (c->io)
		ev_io_set(c->io, 0);
}

/* A failure while connected: report CONN_ERROR. */
static void conn_fail(struct conn *c, int err)
{
	if (!c->err[0])
		conn_seterr(c, "%s", err_str(err));
	conn_stop(c);
	conn_emit(c, CONN_ERROR, err);
}

/* A failure of the operation in progress: report through done(). */
static void conn_fail_op(struct conn *c, int err)
{
	conn_stop(c);
	conn_finish_op(c, err);
}

static bool conn_can_read(const struct conn *c)
{
	return c->state == CS_UP && !c->hs && !c->paused && !c->eof &&
	       buf_avail(&c->rbuf) < c->rbuf.max;
}

static void conn_update_io(struct conn *c)
{
	short want = 0;

	if (c->dead || !c->io)
		return;
	if (c->state == CS_CONNECTING) {
		want = POLLOUT;
	} else if (c->state == CS_UP && c->hs) {
		want = c->hs_write ? POLLOUT : POLLIN;
	} else if (c->state == CS_UP) {
		if (conn_can_read(c))
			want |= POLLIN;
		if (buf_avail(&c->wbuf) || (c->shut_req && !c->shut_done) ||
		    (c->rd_write && conn_can_read(c)))
			want |= POLLOUT;
	}
	if (c->state == CS_UP && !c->hs && !c->paused && !c->eof)
		c->stalled = buf_avail(&c->rbuf) >= c->rbuf.max;
	ev_io_set(c->io, want);
}

static long conn_idle_cb(void *arg)
{
	struct conn *c = arg;
	int64_t quiet;
	long next = 0;

	conn_hold(c);
	if (c->state != CS_UP || c->idle_ms <= 0) {
		c->idle_timer = NULL;
		goto out;
	}
	quiet = conn_now(c) - c->last_act;
	if (quiet < c->idle_ms) {
		next = (long)(c->idle_ms - quiet);
		goto out;
	}
	/* Waiting on our own owner (paused, full buffer) or on the
	 * handshake (bounded by its own timer) is not the peer's silence. */
	if (c->hs || ((c->paused || c->stalled) && !buf_avail(&c->wbuf))) {
		c->last_act = conn_now(c);
		next = c->idle_ms;
		goto out;
	}
	c->idle_timer = NULL; /* returning 0 frees it */
	conn_seterr(c, "no data received or sent for %ld s",
	            (c->idle_ms + 999) / 1000);
	conn_fail(c, ERR_TIMEOUT);
out:
	conn_unhold(c);
	return next;
}

static void conn_idle_arm(struct conn *c)
{
	if (c->idle_ms > 0 && c->state == CS_UP) {
		if (!c->idle_timer)
			c->idle_timer = ev_timer_add(c->ev, c->idle_ms, conn_idle_cb, c);
	} else {
		conn_timer_stop(&c->idle_timer);
	}
}

/* Bytes GnuTLS or zlib hold that raise no POLLIN (house rule 5). */
static bool conn_more(const struct conn *c)
{
	return (c->tls && tls_pending(c->tls)) || (c->z && zio_pending(c->z));
}

/* One read from the socket or TLS: bytes, 0 at EOF, ERR_AGAIN or an error. */
static ssize_t conn_recv(struct conn *c, char *w, size_t chunk)
{
	ssize_t n;

	if (c->tls)
		return tls_recv(c->tls, w, chunk, c->err, sizeof(c->err));
	do
		n = recv(c->fd, w, chunk, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return ERR_AGAIN;
	if (n < 0) {
		conn_seterr(c, "receive failed: %s", strerror(errno));
		return ERR_NET;
	}
	return n;
}

/* Compressed: inflate what waits into rbuf's room, a chunk at a time.
 * The plain bytes made, or ERR_PROTO for a corrupt stream. */
static ssize_t conn_inflate(struct conn *c)
{
	ssize_t total = 0;

	while (zio_pending(c->z) && buf_avail(&c->rbuf) < c->rbuf.max) {
		size_t room = c->rbuf.max - buf_avail(&c->rbuf);
		size_t chunk = room < c->read_chunk ? room : c->read_chunk;
		char *w = buf_reserve(&c->rbuf, chunk);
		ssize_t m;

		if (!w)
			break;
		m = zio_inflate(c->z, w, chunk);
		if (m < 0) {
			conn_seterr(c, "COMPRESS: %s", zio_error(c->z));
			return m;
		}
		buf_commit(&c->rbuf, (size_t)m);
		c->st.in_data += (uint64_t)m;
		total += m;
		if (m == 0)
			break;
	}
	return total;
}

static void conn_set_lowat(struct conn *c, int lowat)
{
	if (c->fd >= 0 && setsockopt(c->fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)) == 0)
		c->lowat = lowat;
}

/* The mark was not reached for a tick: the stream is slow (or ends with
 * a TLS close_notify and waits for ours).  Wake on every byte again and
 * read what is there. */
static long conn_lowat_cb(void *arg)
{
	struct conn *c = arg;

	if (c->lowat > 1 && conn_now(c) - c->last_read < CONN_LOWAT_TICK_MS)
		return CONN_LOWAT_TICK_MS;
	c->lowat_timer = NULL; /* returning 0 frees it */
	conn_set_lowat(c, 1);
	c->kick_read = true;
	conn_kick(c);
	return 0;
}

/* After a wake that read `got` bytes: a full chunk means the sender is
 * ahead of us, so let the socket gather a chunk before the next wake
 * (a third of the wakes of a loopback get, and 0.6 of the time).  Not
 * under TLS: the sender's encryption sets the pace there, and a mark
 * made the same get slower (2.0 s to 2.6 s for 1 GiB). */
static void conn_bulk_adapt(struct conn *c, size_t got)
{
	if (!c->bulk || !got || c->tls)
		return;
	c->last_read = conn_now(c);
	if (c->lowat > 1 || got < c->read_chunk || c->read_chunk > INT_MAX)
		return;
	conn_set_lowat(c, (int)c->read_chunk);
	if (c->lowat > 1 && !c->lowat_timer)
		c->lowat_timer = ev_timer_add(c->ev, CONN_LOWAT_TICK_MS, conn_lowat_cb, c);
}

/* Reading: append to rbuf (through inflate when compressed), then tell
 * the owner. */
static void conn_do_read(struct conn *c)
{
	/* A bulk TLS reader's reads stop at a record (16 KiB): it goes on
	 * past short reads until the socket runs dry, and reads the socket
	 * ahead of GnuTLS. */
	bool gather = c->bulk && c->tls, got = false, eof = false;
	int err = 0, i;
	size_t wire = 0;

	c->rd_write = false;
	if (gather)
		tls_readahead(c->tls, CONN_TLS_READAHEAD);
	for (i = 0; i < CONN_READS_PER_WAKE && conn_can_read(c); i++) {
		size_t room = c->rbuf.max - buf_avail(&c->rbuf);
		size_t chunk = room < c->read_chunk ? room : c->read_chunk;
		ssize_t n;
		char *w;

		if (c->z) {
			n = conn_inflate(c);
			if (n < 0) {
				err = (int)n;
				break;
			}
			got |= n > 0;
			if (!conn_can_read(c))
				break;
			chunk = c->read_chunk;
			w = zio_in_reserve(c->z, &chunk);
		} else {
			w = buf_reserve(&c->rbuf, chunk);
		}
		if (!w)
			break;
		n = conn_recv(c, w, chunk);
		if (n > 0) {
			c->st.in_wire += (uint64_t)n;
			wire += (size_t)n;
			if (c->z) {
				ssize_t m;

				zio_fed(c->z, (size_t)n);
				m = conn_inflate(c);
				if (m < 0) {
					err = (int)m;
					break;
				}
				got |= m > 0;
			} else {
				buf_commit(&c->rbuf, (size_t)n);
				c->st.in_data += (uint64_t)n;
				got = true;
			}
			c->last_act = conn_now(c);
			/* A short read emptied the socket; under TLS only
			 * if GnuTLS holds nothing more either, and not when
			 * gathering. */
			if ((size_t)n < chunk && !conn_more(c) && !gather)
				break;
			/* A bulk reader hands each chunk on at once: the owner
			 * empties the buffer, and the next read lands in the
			 * same cache-warm bytes instead of walking a megabyte
			 * of cold ones (with 64 KiB chunks, a plain 1 GiB
			 * loopback get to /dev/null took 0.34-0.39 s instead of
			 * 0.61-0.66 s on a CPU with a 64 KiB L1 data cache;
			 * either change alone did not help).  Under TLS the
			 * buffer then holds two records, not eight. */
			if (c->bulk && !c->z && buf_avail(&c->rbuf) >= c->read_chunk) {
				got = false;
				if (!conn_emit(c, CONN_READABLE, 0))
					return;
			}
			continue;
		}
		if (n == 0) {
			eof = true;
			c->eof = true;
		} else if (n == ERR_AGAIN) {
			c->rd_write = c->tls && tls_want_write(c->tls);
		} else {
			err = (int)n;
		}
		break;
	}
	conn_bulk_adapt(c, wire);
	if (got && !conn_emit(c, CONN_READABLE, 0))
		return;
	if (eof) {
		conn_update_io(c);
		conn_emit(c, CONN_EOF, 0);
		return;
	}
	if (err) {
		conn_fail(c, err);
		return;
	}
	/* Decrypted or compressed bytes left inside GnuTLS or zlib raise no
	 * POLLIN: come back for them (house rule 5), once the owner has had
	 * its turn to make room. */
	if (conn_more(c)) {
		c->kick_read = true;
		conn_kick(c);
	}
}

/* Send from the write buffer until it is empty: 0, ERR_AGAIN (the rest
 * waits for POLLOUT) or the error that failed a send (c->err set). */
static int conn_send_wbuf(struct conn *c)
{
	ssize_t n;

	while (buf_avail(&c->wbuf)) {
		if (c->tls) {
			n = tls_send(c->tls, buf_peek(&c->wbuf), buf_avail(&c->wbuf),
			             c->err, sizeof(c->err));
		} else {
			do
				n = send(c->fd, buf_peek(&c->wbuf), buf_avail(&c->wbuf), MSG_NOSIGNAL);
			while (n < 0 && errno == EINTR);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				n = ERR_AGAIN;
			} else if (n < 0) {
				conn_seterr(c, "send failed: %s", strerror(errno));
				n = ERR_NET;
			}
		}
		if (n < 0)
			return (int)n;
		buf_consume(&c->wbuf, (size_t)n);
		c->last_act = conn_now(c);
	}
	return 0;
}

static void conn_do_write(struct conn *c)
{
	int r = conn_send_wbuf(c);

	if (r == ERR_AGAIN)
		return;
	if (r < 0) {
		conn_fail(c, r);
		return;
	}
	if (c->shut_req && !c->shut_done) {
		if (c->tls) {
			r = tls_bye(c->tls, c->err, sizeof(c->err));
			if (r == ERR_AGAIN)
				return;
			if (r < 0) {
				conn_fail(c, r);
				return;
			}
		}
		shutdown(c->fd, SHUT_WR);
		c->shut_done = true;
		c->wdirty = false;
		conn_update_io(c);
		conn_emit(c, CONN_DRAINED, 0);
		return;
	}
	if (c->wdirty) {
		c->wdirty = false;
		conn_update_io(c);
		conn_emit(c, CONN_DRAINED, 0);
	}
}

static void conn_hs_step(struct conn *c)
{
	int r = tls_handshake(c->tls, c->err, sizeof(c->err));

	if (r == ERR_AGAIN) {
		c->hs_write = tls_want_write(c->tls);
		return;
	}
	c->hs = false;
	conn_timer_stop(&c->op_timer);
	if (r < 0) {
		conn_fail_op(c, r);
		return;
	}
	c->tls_up = true;
	c->last_act = conn_now(c);
	conn_idle_arm(c);
	/* A greeting that came with the last handshake flight is already
	 * decrypted inside GnuTLS; read it after done() has run. */
	c->kick_read = true;
	conn_finish_op(c, 0);
}

static void conn_connected(struct conn *c)
{
	int one = 1;

	conn_timer_stop(&c->op_timer);
	if (c->ai_list) {
		freeaddrinfo(c->ai_list);
		c->ai_list = NULL;
		c->ai_next = NULL;
	}
	/* Command lines are small and latency-bound; Nagle only delays
	 * them.  Fails harmlessly on non-TCP sockets. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->state = CS_UP;
	c->last_act = conn_now(c);
	c->err[0] = '\0';
	conn_idle_arm(c);
	conn_update_io(c);
	conn_finish_op(c, 0);
}

static void conn_addr_note(struct conn *c, const struct sockaddr *sa, socklen_t len,
                           const char *why)
{
	char host[INET6_ADDRSTRLEN + 20]; /* numeric, maybe with "%scope" */
	size_t used = strlen(c->tried);

	if (getnameinfo(sa, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	if (used < sizeof(c->tried) - 1)
		snprintf(c->tried + used, sizeof(c->tried) - used, "%s%s: %s",
		         used ? "; " : "", host, why);
}

/* Note a failure of the address being tried: the one before ai_next. */
static void conn_note_current(struct conn *c, const char *why)
{
	struct addrinfo *ai;

	for (ai = c->ai_list; ai && ai->ai_next != c->ai_next; ai = ai->ai_next)
		;
	if (ai)
		conn_addr_note(c, ai->ai_addr, ai->ai_addrlen, why);
}

static void conn_close_fd(struct conn *c)
{
	if (c->io) {
		ev_io_del(c->io);
		c->io = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

static void conn_io_cb(int fd, short re, void *arg);

static void conn_connect_check(struct conn *c)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr == EINPROGRESS || soerr == EALREADY)
		return;
	if (!soerr && getpeername(c->fd, (struct sockaddr *)&ss, &len) == 0) {
		conn_connected(c);
		return;
	}
	if (!soerr)
		soerr = ECONNREFUSED;
	conn_note_current(c, strerror(soerr));
	conn_close_fd(c);
	conn_try_next(c);
}

static long conn_op_cb(void *arg);

/* Run the operation timer at when.  Inside conn_op_cb the interval is
 * returned to the loop instead (its return value wins over a reset). */
static void conn_arm_op_timer(struct conn *c, int64_t when)
{
	long ms = (long)(when - conn_now(c));

	c->op_when = when;
	if (c->op_running && c->op_timer == c->op_running)
		return;
	if (ms < 0)
		ms = 0;
	if (c->op_timer)
		ev_timer_reset(c->op_timer, ms);
	else
		c->op_timer = ev_timer_add(c->ev, ms, conn_op_cb, c);
}

/* Try the next address; when none is left, fail with what was seen. */
static void conn_try_next(struct conn *c)
{
	while (c->ai_next) {
		struct addrinfo *ai = c->ai_next;
		int fd, r;

		c->ai_next = ai->ai_next;
		c->ai_left--;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0) {
			conn_addr_note(c, ai->ai_addr, ai->ai_addrlen, strerror(errno));
			continue;
		}
		r = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (r < 0 && errno != EINPROGRESS) {
			conn_addr_note(c, ai->ai_addr, ai->ai_addrlen, strerror(errno));
			close(fd);
			continue;
		}
		c->fd = fd;
		c->io = ev_io_add(c->ev, fd, POLLOUT, conn_io_cb, c);
		c->state = CS_CONNECTING;
		if (r == 0) {
			conn_connected(c);
			return;
		}
		/* Share what is left of the time among the addresses left,
		 * so one black-holed address cannot eat all of it. */
		if (c->deadline) {
			int64_t left = c->deadline - conn_now(c);
			int64_t slice = left / (c->ai_left + 1);

			if (slice < CONN_ATTEMPT_MIN_MS)
				slice = CONN_ATTEMPT_MIN_MS;
			if (slice > left)
				slice = left;
			c->attempt_deadline = conn_now(c) + slice;
			conn_arm_op_timer(c, c->attempt_deadline);
		}
		return;
	}
	/* One address that is the host itself (a numeric host) is not named
	 * twice: "cannot connect to 127.0.0.1 port 1: Connection refused". */
	const char *why = c->tried[0] ? c->tried : "no address";
	size_t hl = strlen(c->host);
	if (!strstr(why, "; ") && strncmp(why, c->host, hl) == 0 &&
	    strncmp(why + hl, ": ", 2) == 0)
		why += hl + 2;
	conn_seterr(c, "cannot connect to %s port %d: %s", c->host, c->port, why);
	conn_fail_op(c, ERR_NET);
}

static void conn_start_addrs(struct conn *c, struct addrinfo *list)
{
	struct addrinfo *ai;

	c->ai_list = list;
	c->ai_next = list;
	c->ai_left = 0;
	for (ai = list; ai; ai = ai->ai_next)
		c->ai_left++;
	conn_try_next(c);
}

static void conn_resolve_poll(struct conn *c)
{
	struct conn_resolve *r = c->res;
	struct addrinfo *list;
	int e = gai_error(&r->req);

	if (e == EAI_INPROGRESS) {
		int64_t when;

		if (c->resolve_wait < 50)
			c->resolve_wait = c->resolve_wait ? c->resolve_wait * 2 : 1;
		when = conn_now(c) + c->resolve_wait;
		if (c->deadline && when > c->deadline)
			when = c->deadline;
		conn_arm_op_timer(c, when);
		return;
	}
	list = r->req.ar_result;
	r->req.ar_result = NULL;
	c->res = NULL;
	free(r->host);
	free(r);
	if (e != 0 || !list) {
		if (list)
			freeaddrinfo(list);
		conn_seterr(c, "cannot resolve %s: %s", c->host,
		            e ? gai_strerror(e) : "no address");
		conn_fail_op(c, ERR_NET);
		return;
	}
	c->state = CS_CONNECTING;
	conn_start_addrs(c, list);
}

static long conn_op_cb(void *arg)
{
	struct conn *c = arg;
	struct ev_timer *self = c->op_timer;
	int64_t now = conn_now(c);
	long next = 0;

	conn_hold(c);
	c->op_running = self;
	c->op_when = 0;
	if (c->deadline && now >= c->deadline) {
		if (c->hs)
			conn_seterr(c, "TLS handshake with %s timed out after %ld s",
			            c->host ? c->host : "server", (c->timeout_ms + 999) / 1000);
		else
			conn_seterr(c, "connection to %s port %d timed out after %ld s",
			            c->host, c->port, (c->timeout_ms + 999) / 1000);
		conn_fail_op(c, ERR_TIMEOUT);
	} else if (c->state == CS_RESOLVING) {
		conn_resolve_poll(c);
	} else if (c->state == CS_CONNECTING && now >= c->attempt_deadline) {
		conn_note_current(c, "timed out");
		conn_close_fd(c);
		conn_try_next(c);
	} else if (c->deadline) {
		c->op_when = c->state == CS_CONNECTING && c->attempt_deadline < c->deadline ?
		             c->attempt_deadline : c->deadline;
	}
	c->op_running = NULL;
	if (!c->dead && self && c->op_timer == self) {
		if (c->op_when) {
			next = (long)(c->op_when - conn_now(c));
			if (next < 1)
				next = 1;
		} else {
			c->op_timer = NULL; /* returning 0 frees it */
		}
	}
	conn_unhold(c);
	return next;
}

static void conn_io_cb(int fd, short re, void *arg)
{
	struct conn *c = arg;

	conn_hold(c);
	if (c->state == CS_CONNECTING) {
		conn_connect_check(c);
	} else if (c->state == CS_UP && c->hs) {
		conn_hs_step(c);
	} else if (c->state == CS_UP) {
		if (re & POLLNVAL) {
			conn_seterr(c, "socket closed under the connection");
			conn_fail(c, ERR_NET);
			goto out;
		}
		if ((re & (POLLIN | POLLHUP | POLLERR) || (c->rd_write && (re & POLLOUT))) &&
		    conn_can_read(c))
			conn_do_read(c);
		if (!c->dead && c->state == CS_UP && !c->hs &&
		    (re & (POLLOUT | POLLHUP | POLLERR)) &&
		    (buf_avail(&c->wbuf) || (c->shut_req && !c->shut_done) || c->wdirty))
			conn_do_write(c);
	}
out:
	if (!c->dead)
		conn_update_io(c);
	conn_unhold(c);
}

static void conn_defer_cb(void *arg)
{
	struct conn *c = arg;

	c->deferred = false;
	conn_hold(c);
	if (c->done_ready) {
		conn_done_fn fn = c->done;
		void *a = c->done_arg;
		int err = c->done_err;

		c->done_ready = false;
		c->done = NULL;
		c->done_arg = NULL;
		if (fn)
			fn(c, err, a);
		if (c->dead)
			goto out;
	}
	if (c->kick_read) {
		c->kick_read = false;
		conn_update_io(c);
		if (conn_can_read(c) && conn_more(c))
			conn_do_read(c);
		if (!c->dead)
			conn_update_io(c);
	}
out:
	conn_unhold(c);
}

struct conn *conn_new(struct ev *ev, conn_event_fn fn, void *arg)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->ev = ev;
	c->fd = -1;
	c->fn = fn;
	c->arg = arg;
	buf_init(&c->rbuf, CONN_RBUF_MAX);
	c->read_chunk = CONN_READ_CHUNK;
	buf_init(&c->wbuf, CONN_WBUF_MAX);
	return c;
}

struct conn *conn_new_fd(struct ev *ev, int fd, conn_event_fn fn, void *arg)
{
	struct conn *c = conn_new(ev, fn, arg);
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	c->fd = fd;
	c->state = CS_UP;
	c->last_act = conn_now(c);
	c->io = ev_io_add(ev, fd, 0, conn_io_cb, c);
	conn_update_io(c);
	return c;
}

void conn_free(struct conn *c)
{
	if (!c || c->dead)
		return;
	c->dead = true;
	if (c->deferred)
		ev_defer_cancel(c->ev, conn_defer_cb, c);
	c->deferred = false;
	conn_resolve_cancel(c);
	conn_timer_stop(&c->op_timer);
	conn_timer_stop(&c->idle_timer);
	conn_timer_stop(&c->lowat_timer);
	tls_free(c->tls);
	c->tls = NULL;
	zio_free(c->z);
	c->z = NULL;
	conn_close_fd(c);
	if (c->ai_list)
		freeaddrinfo(c->ai_list);
	c->ai_list = NULL;
	c->ai_next = NULL;
	free(c->host);
	c->host = NULL;
	buf_clear(&c->rbuf);
	buf_clear(&c->wbuf);
	if (c->depth == 0)
		free(c);
}

void conn_set_handler(struct conn *c, conn_event_fn fn, void *arg)
{
	c->fn = fn;
	c->arg = arg;
}

void conn_cancel_done(struct conn *c)
{
	c->done = NULL;
	c->done_arg = NULL;
}

static int conn_begin(struct conn *c, const char *host, int port, long timeout_ms,
                      conn_done_fn done, void *arg)
{
	if (c->state != CS_IDLE) {
		conn_seterr(c, "connection already in use");
		return ERR_USAGE;
	}
	if (port <= 0 || port > 65535) {
		conn_seterr(c, "bad port %d", port);
		return ERR_USAGE;
	}
	c->err[0] = '\0';
	c->tried[0] = '\0';
	free(c->host);
	c->host = xstrdup(host);
	c->port = port;
	c->done = done;
	c->done_arg = arg;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
	c->deadline = timeout_ms > 0 ? conn_now(c) + timeout_ms : 0;
	if (c->deadline)
		conn_arm_op_timer(c, c->deadline);
	return 0;
}

int conn_connect(struct conn *c, const char *host, int port, long timeout_ms,
                 conn_done_fn done, void *arg)
{
	struct addrinfo hints, *list = NULL;
	struct conn_resolve *r;
	char portstr[16];
	int rc;

	rc = conn_begin(c, host, port, timeout_ms, done, arg);
	if (rc < 0)
		return rc;
	snprintf(portstr, sizeof(portstr), "%d", port);
	/* No AI_ADDRCONFIG: it hides ::1 on hosts whose only IPv6 address
	 * is loopback, which is exactly the test setup. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, portstr, &hints, &list) == 0) {
		c->state = CS_CONNECTING;
		conn_start_addrs(c, list);
		return 0;
	}

	conn_resolve_reap();
	r = xcalloc(1, sizeof(*r));
	r->host = xstrdup(host);
	memcpy(r->port, portstr, sizeof(r->port));
	r->hints.ai_family = AF_UNSPEC;
	r->hints.ai_socktype = SOCK_STREAM;
	r->hints.ai_flags = AI_NUMERICSERV;
	r->req.ar_name = r->host;
	r->req.ar_service = r->port;
	r->req.ar_request = &r->hints;
	{
		struct gaicb *list1[1] = { &r->req };

		rc = getaddrinfo_a(GAI_NOWAIT, list1, 1, NULL);
	}
	if (rc != 0) {
		free(r->host);
		free(r);
		conn_seterr(c, "cannot resolve %s: %s", host, gai_strerror(rc));
		conn_fail_op(c, ERR_NET);
		return 0;
	}
	c->res = r;
	c->state = CS_RESOLVING;
	c->resolve_wait = 0;
	conn_arm_op_timer(c, conn_now(c) + 1);
	return 0;
}

int conn_connect_addr(struct conn *c, const struct sockaddr *sa, socklen_t len,
                      long timeout_ms, conn_done_fn done, void *arg)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	struct addrinfo hints, *list = NULL;
	int rc;

	/* Through getaddrinfo, so one code path (and one freeaddrinfo)
	 * serves both ways of connecting. */
	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		conn_seterr(c, "bad address to connect to");
		return ERR_USAGE;
	}
	rc = conn_begin(c, host, atoi(serv), timeout_ms, done, arg);
	if (rc < 0)
		return rc;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = sa->sa_family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, serv, &hints, &list) != 0) {
		conn_seterr(c, "bad address %s", host);
		conn_fail_op(c, ERR_NET);
		return 0;
	}
	c->state = CS_CONNECTING;
	conn_start_addrs(c, list);
	return 0;
}

int conn_tls_start(struct conn *c, const struct tls_params *p,
                   conn_done_fn done, void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct tls *from = NULL;
	int port = 0, rc;
	long ms;

	if (c->state != CS_UP) {
		conn_seterr(c, "not connected");
		return ERR_NET;
	}
	if (c->tls || c->done_ready || c->done) {
		conn_seterr(c, "TLS already started");
		return ERR_USAGE;
	}
	if (buf_avail(&c->rbuf)) {
		/* Anything read before the handshake came in clear and
		 * could have been injected: never let it pass as if it had
		 * been protected (CVE-2021-22947). */
		conn_seterr(c, "server sent data before the TLS handshake");
		return ERR_PROTO;
	}
	if (getpeername(c->fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	if (p->resume_from && !p->resume_from->dead)
		from = p->resume_from->tls_up ? p->resume_from->tls : NULL;
	c->err[0] = '\0';
	rc = tls_new(&c->tls, c->fd, p, port, from, c->err, sizeof(c->err));
	if (rc < 0)
		return rc;
	if (!c->host)
		c->host = xstrdup(p->host ? p->host : "server");
	c->hs = true;
	c->hs_write = true;
	c->done = done;
	c->done_arg = arg;
	ms = c->idle_ms > 0 ? c->idle_ms : CONN_HS_TIMEOUT_MS;
	c->timeout_ms = ms;
	c->deadline = conn_now(c) + ms;
	conn_arm_op_timer(c, c->deadline);
	conn_update_io(c);
	return 0;
}

bool conn_is_tls(const struct conn *c)
{
	return c && c->tls_up;
}

bool conn_tls_resumed(const struct conn *c)
{
	return c && c->tls_up && tls_resumed(c->tls);
}

const char *conn_tls_fingerprint(const struct conn *c)
{
	return c ? tls_fingerprint(c->tls) : NULL;
}

const char *conn_tls_desc(const struct conn *c)
{
	return c && c->tls_up ? tls_desc(c->tls) : NULL;
}

int conn_tls_version(const struct conn *c)
{
	return c && c->tls_up ? tls_version(c->tls) : 0;
}

int conn_tls_info(const struct conn *c, struct conn_tls_info *out)
{
	if (!c || !c->tls_up)
		return ERR_FAIL;
	return tls_info(c->tls, out);
}

int conn_write(struct conn *c, const void *p, size_t n)
{
	if (c->dead || c->state != CS_UP || c->shut_req) {
		conn_seterr(c, "connection is not open for writing");
		return ERR_NET;
	}
	if (!n)
		return 0;
	size_t before = buf_avail(&c->wbuf);
	if (c->z) {
		/* One write, one flush: the peer gets the whole command. */
		int rc = zio_deflate(c->z, p, n, &c->wbuf);
		if (rc < 0) {
			conn_seterr(c, "COMPRESS: %s", zio_error(c->z));
			return rc;
		}
	} else if (buf_append(&c->wbuf, p, n) < 0) {
		conn_seterr(c, "write buffer full");
		return ERR_TOOLONG;
	}
	c->st.out_data += n;
	c->st.out_wire += buf_avail(&c->wbuf) - before;
	c->wdirty = true;
	conn_update_io(c);
	return 0;
}

void conn_flush(struct conn *c)
{
	if (c->dead || c->state != CS_UP || c->hs || c->shut_req || !buf_avail(&c->wbuf))
		return;
	/* A failure stays for the loop: the bytes are still queued, POLLOUT
	 * is wanted, and conn_do_write meets it again and reports it. */
	if (conn_send_wbuf(c) == 0) {
		c->wdirty = false;
		conn_update_io(c);
	}
}

int conn_compress_start(struct conn *c)
{
	if (c->dead || c->state != CS_UP || c->hs) {
		conn_seterr(c, "connection is not open");
		return ERR_NET;
	}
	if (c->z)
		return 0;
	c->z = zio_new();
	if (!c->z) {
		conn_seterr(c, "COMPRESS: cannot start zlib");
		return ERR_FAIL;
	}
	/* Whatever came after the reply that switched is compressed. */
	if (buf_avail(&c->rbuf)) {
		size_t n = buf_avail(&c->rbuf);
		if (zio_feed(c->z, buf_peek(&c->rbuf), n) < 0) {
			conn_seterr(c, "COMPRESS: too much input before the switch");
			return ERR_PROTO;
		}
		buf_consume(&c->rbuf, n);
		c->st.in_data -= n;
		c->kick_read = true;
		conn_kick(c);
	}
	return 0;
}

bool conn_is_compressed(const struct conn *c)
{
	return c && c->z;
}

void conn_stats(const struct conn *c, struct conn_stats *st)
{
	*st = c->st;
}

size_t conn_wpending(const struct conn *c)
{
	return buf_avail(&c->wbuf);
}

struct buf *conn_rbuf(struct conn *c)
{
	/* The owner consumes from rbuf behind our back; if reading stopped
	 * on a full buffer, look again once it has had the chance. */
	if (c->stalled) {
		c->kick_read = true;
		conn_kick(c);
	}
	return &c->rbuf;
}

void conn_pause_read(struct conn *c, bool paused)
{
	c->paused = paused;
	if (!paused) {
		c->kick_read = true;
		conn_kick(c);
	}
	conn_update_io(c);
}

void conn_set_read_chunk(struct conn *c, size_t n)
{
	c->read_chunk = n ? n : CONN_READ_CHUNK;
}

void conn_set_bulk(struct conn *c)
{
	c->bulk = true;
	c->lowat = 1;
}

void conn_set_rbuf_max(struct conn *c, size_t max)
{
	c->rbuf.max = max;
	c->kick_read = true;
	conn_kick(c);
	conn_update_io(c);
}

void conn_set_idle_timeout(struct conn *c, long ms)
{
	c->idle_ms = ms > 0 ? ms : 0;
	c->last_act = conn_now(c);
	if (c->idle_timer && c->idle_ms)
		ev_timer_reset(c->idle_timer, c->idle_ms);
	conn_idle_arm(c);
}

void conn_touch(struct conn *c)
{
	c->last_act = conn_now(c);
}

void conn_shutdown(struct conn *c)
{
	if (c->dead || c->state != CS_UP || c->shut_req)
		return;
	c->shut_req = true;
	conn_update_io(c);
}

bool conn_at_eof(const struct conn *c)
{
	return c && (c->eof || c->state == CS_FAILED);
}

bool conn_is_connected(const struct conn *c)
{
	return c && !c->dead && c->state == CS_UP;
}

int conn_peer(const struct conn *c, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof(*ss);
	if (c->fd < 0 || getpeername(c->fd, (struct sockaddr *)ss, len) < 0)
		return ERR_NET;
	return 0;
}

int conn_local(const struct conn *c, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof(*ss);
	if (c->fd < 0 || getsockname(c->fd, (struct sockaddr *)ss, len) < 0)
		return ERR_NET;
	return 0;
}

const char *conn_error(const struct conn *c)
{
	return c->err;
}

/* ---- listening (FTP active mode) ---------------------------------------- */

struct conn_listener {
	int fd;
	int port;
	struct ev_io *io;
	conn_accept_fn fn;
	void *arg;
};

static void listener_io(int fd, short revents, void *arg)
{
	struct conn_listener *l = arg;
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);

	(void)revents;
	int c = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return; /* EAGAIN, or a connection reset before we took it */
	l->fn(c, &peer, l->arg);
}

struct conn_listener *conn_listen(struct ev *ev, const struct sockaddr_storage *local,
                                  conn_accept_fn fn, void *arg,
                                  char *err, size_t errlen)
{
	struct sockaddr_storage ss = *local;
	socklen_t len = ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	                                            sizeof(struct sockaddr_in);
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = 0;
	else if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	else {
		snprintf(err, errlen, "unsupported address family");
		return NULL;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		snprintf(err, errlen, "cannot listen for the data connection: %s",
		         strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	struct conn_listener *l = xcalloc(1, sizeof(*l));
	l->fd = fd;
	l->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
	                                           ((struct sockaddr_in *)&ss)->sin_port);
	l->fn = fn;
	l->arg = arg;
	l->io = ev_io_add(ev, fd, POLLIN, listener_io, l);
	return l;
}

int conn_listener_port(const struct conn_listener *l)
{
	return l->port;
}

void conn_listener_free(struct conn_listener *l)
{
	if (!l)
		return;
	ev_io_del(l->io);
	close(l->fd);
	free(l);
}

/* The IPv4 address in ss (also as an IPv4-mapped IPv6 one), or false. */
static bool addr_v4(const struct sockaddr_storage *ss, struct in_addr *out)
{
	if (ss->ss_family == AF_INET) {
		*out = ((const struct sockaddr_in *)ss)->sin_addr;
		return true;
	}
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(a6)) {
		memcpy(&out->s_addr, a6->s6_addr + 12, 4);
		return true;
	}
	return false;
}

bool conn_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	struct in_addr a4, b4;
	bool av4 = addr_v4(a, &a4), bv4 = addr_v4(b, &b4);

	if (av4 || bv4)
		return av4 && bv4 && a4.s_addr == b4.s_addr;
	if (a->ss_family != AF_INET6 || b->ss_family != AF_INET6)
		return false;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	              &((const struct sockaddr_in6 *)b)->sin6_addr,
	              sizeof(struct in6_addr)) == 0;
}

int conn_tls_global_init(void)
{
	return tls_global_init();
}

void conn_tls_global_deinit(void)
{
	conn_resolve_reap();
	tls_global_deinit();
}
