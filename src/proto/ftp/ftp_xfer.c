/* ftp_xfer.c - FTP data connections: EPSV (PASV as fallback), connecting
 * to the control connection's peer, or in active mode (active, or ftp:passive off)
 * EPRT (PORT as fallback) and a listening socket that takes a connection
 * from the server's address only; TLS on the data channel resumed from
 * the control connection, the transfer command and its replies, and the
 * rule that a transfer counts only when both the data stream and the final
 * reply say it is complete.
 *
 * Order (RFC 959, RFC 2428, RFC 4217):
 *   EPSV -> 229 (or PASV -> 227) -> connect -> CMD -> 150/125 -> data ...
 *   -> data EOF and the final 226, in either order.
 *   Active: listen -> EPRT (or PORT) -> 200 -> CMD -> the server connects
 *   (from anywhere else: refused, curl CVE-2015-3143's cousin, the FTP
 *   bounce) -> 150/125 -> data ..., the same end.  ferry is the TLS client
 *   on the data connection either way (RFC 4217 7).
 * The data connection's TLS handshake starts as soon as it is connected;
 * servers accept the socket when they see CMD, so the handshake completes
 * after the 150 (vsftpd, proftpd).
 *
 * The address in a 227 reply is never used: the data connection always
 * goes to the control connection's peer (curl CVE-2020-8284).  Timeouts:
 * the data connection has net:timeout as its idle timeout, and every byte
 * moved re-arms the control reply timeout (pp_touch), so a long transfer
 * never times out while it moves and a stalled one always does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conn.h"
#include "err.h"
#include "ev.h"
#include "ftp_int.h"
#include "log.h"
#include "pp.h"
#include "session.h"
#include "ui.h"

#define UP_CHUNK (64 * 1024)
#define UP_HIGH_WATER (256 * 1024)

/* One setter, one table of names (house rule 1). */
enum xstate {
	XS_TYPE,     /* TYPE sent (ascii or back to binary) */
	XS_EPSV,     /* EPSV sent */
	XS_PASV,     /* PASV sent */
	XS_EPRT,     /* EPRT sent (active mode) */
	XS_PORT,     /* PORT sent (active mode) */
	XS_CONNECT,  /* data connection being opened */
	XS_REST,     /* REST sent (resuming) */
	XS_CMD,      /* transfer command sent, no 1xx yet */
	XS_DATA,     /* 1xx received: the transfer runs */
	XS_DONE,
};

static const char *const xstate_names[] = {
	[XS_TYPE] = "type",
	[XS_EPSV] = "epsv",
	[XS_PASV] = "pasv",
	[XS_EPRT] = "eprt",
	[XS_PORT] = "port",
	[XS_CONNECT] = "connect",
	[XS_REST] = "rest",
	[XS_CMD] = "command",
	[XS_DATA] = "data",
	[XS_DONE] = "done",
};

struct ftp_xfer {
	struct session *s;
	struct ftp *f;
	struct pp *pp;           /* the control connection's, for checks */
	bool paused;             /* reading held, for one of these: */
	bool flow_held;          /* ftp_xfer_pause (the output is full) */
	bool rate_held;          /* ahead of xfer:rate-limit */
	uint64_t rate;           /* xfer:rate-limit in bytes/s, 0: none */
	int64_t rate_t0;         /* when the first byte moved (ms) */
	struct ev_timer *rate_timer;
	char *cmd;
	enum ftp_xfer_dir dir;
	int64_t size;            /* expected download size, -1 unknown */
	const struct ftp_xfer_ops *ops;
	void *arg;
	long timeout_ms;

	enum xstate state;
	struct conn *data;
	int ctl_req;             /* pp handle of the reply due (EPSV, PASV,
	                            cmd), or 0 */
	bool cmd_sent;
	bool started;            /* ops->start called */
	bool tls_wanted, tls_up;
	bool data_eof, data_cut;
	bool closing;            /* our close_notify on its way (download) */
	bool final_ok;           /* 2xx final reply to cmd */
	bool up_eof;             /* source exhausted, shutdown requested */
	bool up_drained;         /* close_notify and FIN sent */
	char type;               /* 'A' or 'I': the TYPE this transfer needs */
	uint64_t rest;           /* REST offset, 0 for none */
	bool rest_done;
	uint64_t bytes;
	uint64_t limit;          /* ftp_xfer_limit: enough bytes, 0 for all */
	bool cut;                /* ended by the network after data moved */
	char *buf;               /* upload chunk */
	/* The data connection failed before the reply to the transfer
	 * command: that reply, if it comes soon, says why (proftpd answers
	 * a missing file with 550 and resets the data connection). */
	int dfail_err;
	char dfail_why[512];
	struct ev_timer *dfail_timer;
	/* Active mode: waiting for the server's connection. */
	struct conn_listener *listen;
	struct ev_timer *accept_timer;
	char refused[INET6_ADDRSTRLEN]; /* the last foreign address refused */
};

static void x_set_state(struct ftp_xfer *x, enum xstate st)
{
	if (x->state != st)
		log_note(x->s->name, "data %s -> %s", xstate_names[x->state],
		         xstate_names[st]);
	x->state = st;
}

uint64_t ftp_xfer_bytes(const struct ftp_xfer *x)
{
	return x->bytes;
}

int64_t ftp_xfer_size(const struct ftp_xfer *x)
{
	return x->size;
}

bool ftp_xfer_cut(const struct ftp_xfer *x)
{
	return x->cut;
}

/* A failure the network caused, once data had moved: the transfer may
 * be resumed from where it stopped (ftp_get.c decides). */
static void x_mark_cut(struct ftp_xfer *x, int err)
{
	if (x->bytes > 0 && (err == ERR_NET || err == ERR_TIMEOUT || err == ERR_EOF))
		x->cut = true;
}

static void x_free(struct ftp_xfer *x)
{
	if (x->rate_timer)
		ev_timer_del(x->rate_timer);
	if (x->dfail_timer)
		ev_timer_del(x->dfail_timer);
	if (x->accept_timer)
		ev_timer_del(x->accept_timer);
	conn_listener_free(x->listen);
	conn_free(x->data);
	free(x->cmd);
	free(x->buf);
	free(x);
}

/* Keep the control connection in step after giving up early: the reply
 * still due is discarded when it comes; after a transfer command, ABOR
 * goes out at once (RFC 959 4.1.3: the server answers the transfer, 426
 * or 226, then ABOR), and a NOOP behind it whose 200 brings the
 * connection back in step even if the transfer's own final reply never
 * comes (pure-ftpd answers a transfer whose data connection the client
 * closed with 150 lines only, then ABOR with 226).  Closing the data
 * connection makes the server end the transfer; a server that stays
 * silent hits the reply timeout, which drops the connection. */
static void x_resync(struct ftp_xfer *x)
{
	struct pp *pp = x->s->pp;

	if (!x->ctl_req || !pp || pp != x->pp || pp_failed(pp))
		return;
	struct pp_cmd c = { 0 };
	pp_cancel(pp, x->ctl_req);
	if (x->cmd_sent) {
		struct pp_cmd sync = { .sync_code = 200 };
		if (pp_send_urgent(pp, "ABOR", &c) > 0)
			pp_send_urgent(pp, "NOOP", &sync);
	} else if (x->rest_done) {
		pp_send(pp, "REST 0", &c); /* or the next RETR starts midway */
	}
	x->ctl_req = 0;
}

/* Reading held (and the control connection's deadline with it) while the
 * output is full or the transfer is ahead of its rate. */
static void x_hold(struct ftp_xfer *x)
{
	bool want = x->flow_held || x->rate_held;
	if (x->state == XS_DONE || x->paused == want)
		return;
	x->paused = want;
	if (x->data)
		conn_pause_read(x->data, want);
	if (x->s->pp == x->pp && x->pp)
		pp_pause(x->pp, want);
}

/* The transfer is over: no hold left, the data connection closed. */
static void x_close(struct ftp_xfer *x)
{
	x->flow_held = x->rate_held = false;
	x_hold(x);
	x_set_state(x, XS_DONE);
	conn_free(x->data);
	x->data = NULL;
}

/* Finish: close the data connection, resync the control connection if a
 * reply is still due, report once and free. */
static void x_finish(struct ftp_xfer *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void x_finish(struct ftp_xfer *x, int err, const char *fmt, ...)
{
	char why[600] = "";

	if (x->state == XS_DONE)
		return;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	/* Once the transfer runs, a lost data or control connection or a
	 * failure reply such as 426 means the transfer is incomplete (exit 8);
	 * "not found" after a 150 (proftpd's `LIST nosuch`) stays 6, a stall
	 * stays a timeout and Ctrl-C an interruption. */
	if (x->state == XS_DATA &&
	    (err == ERR_NET || err == ERR_EOF || err == ERR_FAIL)) {
		size_t plen = sizeof(FTP_INCOMPLETE) - 1;
		size_t n = strnlen(why, sizeof(why) - 1 - plen);
		memmove(why + plen, why, n);
		memcpy(why, FTP_INCOMPLETE, plen);
		why[plen + n] = '\0';
		err = ERR_PROTO;
	}
	if (err)
		log_note(x->s->name, "transfer failed: %s", why);
	x_close(x);
	if (err)
		x_resync(x);
	x->ops->done(x->arg, err, why);
	x_free(x);
}

/* Give up on the transfer now: the data connection closed, the control
 * connection kept in step.  A limited download has its bytes then (the
 * rest is not wanted: closing and ABOR end the transfer on the server,
 * as for Ctrl-C, but this one ended well). */
static void x_stop(struct ftp_xfer *x)
{
	x_close(x);
	x_resync(x);
}

static void x_enough(struct ftp_xfer *x)
{
	log_note(x->s->name, "transfer stopped after the %" PRIu64 " bytes wanted", x->bytes);
	x_stop(x);
	x->ops->done(x->arg, 0, "");
	x_free(x);
}

void ftp_xfer_limit(struct ftp_xfer *x, uint64_t n)
{
	x->limit = n;
}

static long x_dfail_tick(void *arg)
{
	struct ftp_xfer *x = arg;
	x->dfail_timer = NULL;
	x_finish(x, x->dfail_err, "%s", x->dfail_why);
	return 0;
}

/* The data connection failed.  Before any 1xx to the transfer command,
 * wait a little (at most 3 s) for that command's reply, which wins when it
 * is an error; otherwise fail now. */
static void x_data_failed(struct ftp_xfer *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void x_data_failed(struct ftp_xfer *x, int err, const char *fmt, ...)
{
	char why[sizeof(x->dfail_why)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	x_mark_cut(x, err);
	if (x->state != XS_CMD || !x->cmd_sent || !x->ctl_req || x->dfail_err) {
		x_finish(x, err, "%s", why);
		return;
	}
	log_note(x->s->name, "%s; waiting for the reply to the transfer command", why);
	x->dfail_err = err;
	memcpy(x->dfail_why, why, sizeof(why));
	conn_free(x->data);
	x->data = NULL;
	long ms = x->timeout_ms > 0 && x->timeout_ms < 3000 ? x->timeout_ms : 3000;
	x->dfail_timer = ev_timer_add(x->s->ev, ms, x_dfail_tick, x);
}

void ftp_xfer_abort(struct ftp_xfer *x)
{
	if (!x)
		return;
	log_note(x->s->name, "transfer interrupted after %" PRIu64 " bytes", x->bytes);
	x_stop(x);
	x_free(x);
}

static void x_progress(struct ftp_xfer *x)
{
	if (x->s->pp == x->pp && x->pp)
		pp_touch(x->pp);
}

void ftp_xfer_pause(struct ftp_xfer *x, bool paused)
{
	x->flow_held = paused;
	x_hold(x);
}

/* ---- xfer:rate-limit ----------------------------------------------------
 *
 * What the rate allows by now, less what moved: the first RATE_BURST bytes
 * at once, then rate bytes a second from the first byte on.  A transfer
 * ahead of it is held (the data connection not read, or no more written,
 * and the control connection's deadline stopped, as for a full output)
 * until a timer says it is back within it. */

#define RATE_BURST (16 * 1024)
#define RATE_MIN_FILL 4096

static int64_t x_rate_room(struct ftp_xfer *x)
{
	if (!x->rate)
		return INT64_MAX;
	int64_t now = ev_now_ms(x->s->ev);
	if (!x->rate_t0)
		x->rate_t0 = now;
	uint64_t allowed = x->rate * (uint64_t)(now - x->rate_t0) / 1000 + RATE_BURST;
	return (int64_t)allowed - (int64_t)x->bytes;
}

static void x_pump(struct ftp_xfer *x);

static long x_rate_tick(void *arg)
{
	struct ftp_xfer *x = arg;
	x->rate_timer = NULL;
	x->rate_held = false;
	x_hold(x);
	x_pump(x);
	return 0;
}

/* Ahead by -room bytes (room <= 0): hold until the rate catches up. */
static void x_rate_wait(struct ftp_xfer *x, int64_t room)
{
	long ms = (long)((uint64_t)(1 - room) * 1000 / x->rate) + 1;
	x->rate_held = true;
	x_hold(x);
	if (!x->rate_timer)
		x->rate_timer = ev_timer_add(x->s->ev, ms, x_rate_tick, x);
}

static int x_start_local(struct ftp_xfer *x)
{
	if (x->started)
		return 0;
	x->started = true;
	return x->ops->start ? x->ops->start(x->arg) : 0;
}

/* ---- completion ------------------------------------------------------ */

static void x_check_done(struct ftp_xfer *x)
{
	if (x->state == XS_DONE || !x->final_ok)
		return;
	if (x->dir == XFER_DOWN) {
		if (!x->data_eof || x->data)
			return;
		/* Data can come before the 150 reply that announced its size,
		 * so "too much" may only show here. */
		if (x->size >= 0 && x->bytes > (uint64_t)x->size) {
			x_finish(x, ERR_PROTO, "the server sent more than the %" PRId64
			         " bytes it announced (%" PRIu64 ")", x->size, x->bytes);
			return;
		}
		if (x->size >= 0 && x->bytes != (uint64_t)x->size) {
			x_finish(x, ERR_PROTO, "transfer incomplete: received %" PRIu64
			         " of %" PRId64 " bytes", x->bytes, x->size);
			return;
		}
		if (x->data_cut)
			log_note(x->s->name, "data connection closed without TLS "
			         "close_notify; accepted: final reply%s",
			         x->size >= 0 ? " and size match" : " (size unknown)");
		int r = x_start_local(x); /* an empty file had no data */
		if (r < 0) {
			x_finish(x, r, NULL);
			return;
		}
	} else if (!x->up_drained) {
		return;
	}
	x_finish(x, 0, NULL);
}

/* ---- upload ---------------------------------------------------------- */

static void x_pump(struct ftp_xfer *x)
{
	if (x->dir != XFER_UP || !x->started || x->up_eof || !x->data ||
	    (x->tls_wanted && !x->tls_up) || x->state == XS_DONE)
		return;
	if (!x->buf)
		x->buf = xmalloc(UP_CHUNK);
	while (conn_wpending(x->data) < UP_HIGH_WATER && !x->rate_held) {
		int64_t room = x_rate_room(x);
		if (room <= 0) {
			x_rate_wait(x, room);
			return;
		}
		/* Never a cap so small that fill could read nothing (ascii
		 * reads half of it): the rate's debt is paid by the wait. */
		if (room < RATE_MIN_FILL)
			room = RATE_MIN_FILL;
		ssize_t n = x->ops->fill(x->arg, x->buf, room < UP_CHUNK ? (size_t)room : UP_CHUNK);
		if (n == ERR_AGAIN)
			return; /* nothing yet: ftp_xfer_kick() when there is */
		if (n < 0) {
			x_finish(x, (int)n, NULL);
			return;
		}
		if (n == 0) {
			x->up_eof = true;
			log_note(x->s->name, "upload: %" PRIu64 " bytes sent, closing%s",
			         x->bytes, x->tls_up ? " with close_notify" : "");
			conn_shutdown(x->data);
			return;
		}
		int r = conn_write(x->data, x->buf, (size_t)n);
		if (r < 0) {
			x_finish(x, ERR_NET, "data connection: %s", conn_error(x->data));
			return;
		}
		x->bytes += (uint64_t)n;
	}
}

/* ---- data connection --------------------------------------------------- */

static void x_data_event(struct conn *c, enum conn_event ev, int err, void *arg)
{
	struct ftp_xfer *x = arg;

	if (x->state == XS_DONE)
		return;
	switch (ev) {
	case CONN_READABLE: {
		struct buf *rb = conn_rbuf(c);
		size_t n = buf_avail(rb);
		if (x->dir == XFER_UP) {
			buf_consume(rb, n); /* nothing is expected: ignore */
			return;
		}
		size_t take = n;
		if (x->limit && x->bytes + n > x->limit)
			take = (size_t)(x->limit - x->bytes);
		int r = x_start_local(x);
		if (r == 0)
			r = x->ops->data(x->arg, buf_peek(rb), take);
		if (r < 0) {
			x_finish(x, r, NULL);
			return;
		}
		buf_consume(rb, n);
		x->bytes += take;
		x_progress(x);
		if (x->limit && x->bytes == x->limit) {
			x_enough(x);
			return;
		}
		int64_t room = x_rate_room(x);
		if (room < 0)
			x_rate_wait(x, room);
		return;
	}
	case CONN_DRAINED:
		if (x->dir != XFER_UP) {
			if (x->closing)
				break; /* our close_notify is out */
			return;
		}
		x_progress(x);
		if (x->up_eof) {
			x->up_drained = true;
			x_check_done(x);
		} else {
			x_pump(x);
		}
		return;
	case CONN_EOF:
		if (x->dir == XFER_DOWN && conn_is_tls(c) && !x->closing) {
			/* Answer the server's close_notify with ours before
			 * closing (some servers wait for it). */
			x->data_eof = true;
			x->closing = true;
			conn_shutdown(c);
			return;
		}
		x->data_eof = true;
		if (x->dir == XFER_UP && !x->up_drained) {
			/* The server stopped taking data: its final reply
			 * says why (x_cmd_reply treats a 2xx as incomplete). */
			log_note(x->s->name, "server closed the data connection "
			         "after %" PRIu64 " bytes", x->bytes);
			x->up_eof = true;
		}
		break;
	case CONN_ERROR:
		if (x->closing)
			break; /* the stream was complete already */
		if (x->dir == XFER_UP) {
			/* After our close nothing is lost; before it, the
			 * final reply tells what happened. */
			if (!x->up_drained)
				log_note(x->s->name, "data connection: %s", conn_error(c));
			x->data_eof = true;
			x->up_eof = true;
			break;
		}
		if (err == ERR_EOF && conn_is_tls(c) && x->dir == XFER_DOWN) {
			/* lftp#450: may be fine, may be a truncation; the
			 * final reply and the size decide (x_check_done). */
			x->data_eof = true;
			x->data_cut = true;
			break;
		}
		x_data_failed(x, err == ERR_TIMEOUT ? ERR_TIMEOUT : err == ERR_TLS ? ERR_TLS : ERR_NET,
		              "data connection: %s", conn_error(c));
		return;
	}
	/* End of the data stream: done with the socket. */
	conn_free(x->data);
	x->data = NULL;
	x_check_done(x);
}

void ftp_xfer_kick(struct ftp_xfer *x)
{
	x_pump(x);
}

static void x_tls_done(struct conn *c, int err, void *arg)
{
	struct ftp_xfer *x = arg;

	if (err) {
		x_data_failed(x, ERR_TLS, "TLS on the data connection failed: %s",
		              conn_error(c));
		return;
	}
	x->tls_up = true;
	log_note(x->s->name, "data TLS: %s, session %s", conn_tls_desc(c),
	         conn_tls_resumed(c) ? "resumed" : "NOT resumed");
	x_pump(x);
}

/* ---- control replies ------------------------------------------------- */

static void x_cmd_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_xfer *x = arg;

	if (err) {
		x->ctl_req = 0;
		x_mark_cut(x, err);
		x_finish(x, err, "control connection: %s", pp_error(pp));
		return;
	}
	if (x->dfail_err && (!r->final || r->code < 400)) {
		/* The server went on, but the data connection is gone. */
		x_finish(x, x->dfail_err, "%s", x->dfail_why);
		return;
	}
	if (!r->final) {
		uint64_t announced;
		/* Without SIZE, the 150's "(N bytes)" tells when a download
		 * is whole; after a REST servers disagree on what N counts
		 * (the file or the rest), so then it is not used. */
		if (x->dir == XFER_DOWN && x->size < 0 && !x->rest && x->type == 'I' &&
		    strncmp(x->cmd, "RETR ", 5) == 0 &&
		    ftp_parse_150_size(r->msg, &announced) == 0) {
			x->size = (int64_t)announced;
			log_note(x->s->name, "the server announces %" PRIu64 " bytes",
			         announced);
		}
		x_set_state(x, XS_DATA);
		int e = x_start_local(x);
		if (e < 0) {
			x_finish(x, e, NULL);
			return;
		}
		x_pump(x);
		return;
	}
	x->ctl_req = 0;
	if (r->code >= 200 && r->code < 300) {
		x->final_ok = true;
		if (x->dir == XFER_UP && !x->up_drained) {
			x_finish(x, ERR_PROTO, "server ended the upload after %" PRIu64
			         " bytes: %d %s", x->bytes, r->code, r->msg);
			return;
		}
		x_check_done(x);
		return;
	}
	err = ftp_reply_err(r->code);
	/* 426 (the data connection broke) and 421 (the server is going
	 * away) after data moved: a cut, not a refusal. */
	if (r->code == 426 || r->code == 421)
		x_mark_cut(x, ERR_NET);
	char *esc = ui_escape_str(r->msg, strlen(r->msg));
	x_finish(x, err ? err : ERR_PROTO, "%d %s", r->code, esc);
	free(esc);
}

/* The start of a reply handler for EPSV, PASV, EPRT, PORT and REST: true
 * when r is the final reply to handle; false when it is a 1xx to skip or
 * the control connection failed (the transfer is then finished). */
static bool x_final_reply(struct ftp_xfer *x, struct pp *pp, int err,
                          const struct pp_reply *r)
{
	if (err) {
		x->ctl_req = 0;
		x_finish(x, err, "control connection: %s", pp_error(pp));
		return false;
	}
	if (!r->final)
		return false;
	x->ctl_req = 0;
	return true;
}

static void x_send_cmd(struct ftp_xfer *x);

/* REST must be answered with 350 before the transfer command: a server
 * that cannot restart would send the file from its start. */
static void x_rest_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_xfer *x = arg;

	if (!x_final_reply(x, pp, err, r))
		return;
	if (r->code != 350) {
		char *esc = ui_escape_str(r->msg, strlen(r->msg));
		int e = ftp_reply_err(r->code);
		x_finish(x, e && e != ERR_NOTFOUND ? e : ERR_FAIL,
		         "the server cannot resume (REST): %d %s", r->code, esc);
		free(esc);
		return;
	}
	x_send_cmd(x);
}

static void x_send_cmd(struct ftp_xfer *x)
{
	struct pp_cmd pc = { .done = x_cmd_reply, .arg = x };
	char rest[40];
	bool is_rest = x->rest > 0 && !x->rest_done;

	if (is_rest) {
		snprintf(rest, sizeof(rest), "REST %" PRIu64, x->rest);
		pc.done = x_rest_reply;
		x->rest_done = true;
	}
	int e = pp_send(x->pp, is_rest ? rest : x->cmd, &pc);
	if (e < 0) {
		x_finish(x, e, "cannot send %s: %s", is_rest ? "REST" : x->cmd,
		         pp_error(x->pp));
		return;
	}
	x->ctl_req = e;
	if (is_rest) {
		x_set_state(x, XS_REST);
		return;
	}
	x->cmd_sent = true;
	x_set_state(x, XS_CMD);
}

/* The data connection is up (connected or accepted): its timeouts, and
 * TLS when PROT P is on.  0, or the transfer was finished (failed). */
static int x_data_up(struct ftp_xfer *x)
{
	struct conn *c = x->data;

	conn_set_idle_timeout(c, x->timeout_ms);
	/* Chunks that stay in a first-level data cache, the buffer emptied
	 * after each (conn.c); under TLS two records, which keeps the
	 * buffer small (peak memory of a TLS get: 0.1 to 0.2 MiB less). */
	size_t chunk = x->tls_wanted ? 32 * 1024 : 64 * 1024;
	/* Under a rate, a quarter of a second's worth at a time: smooth, and
	 * never one read far ahead of it. */
	if (x->rate && x->rate / 4 < chunk)
		chunk = x->rate / 4 < 1024 ? 1024 : (size_t)(x->rate / 4);
	conn_set_read_chunk(c, chunk);
	if (x->dir == XFER_DOWN)
		conn_set_bulk(c);
	if (!x->tls_wanted)
		return 0;
	struct tls_params tp;
	session_tls_params(x->s, &tp);
	/* vsftpd require_ssl_reuse / proftpd: the data session must resume
	 * the control session; verified against the same host. */
	tp.resume_from = x->s->conn;
	if (conn_tls_start(c, &tp, x_tls_done, x) < 0) {
		x_finish(x, ERR_TLS, "TLS on the data connection failed: %s",
		         conn_error(c));
		return ERR_TLS;
	}
	return 0;
}

static void x_connected(struct conn *c, int err, void *arg)
{
	struct ftp_xfer *x = arg;

	if (err) {
		x_finish(x, ERR_NET, "cannot open the data connection: %s",
		         conn_error(c));
		return;
	}
	if (x_data_up(x) == 0)
		x_send_cmd(x);
}

static void x_connect(struct ftp_xfer *x, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (conn_peer(x->s->conn, &ss, &len) < 0) {
		x_finish(x, ERR_NET, "cannot find the server's address");
		return;
	}
	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
	else if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
	else {
		x_finish(x, ERR_NET, "unsupported address family");
		return;
	}
	x_set_state(x, XS_CONNECT);
	x->data = conn_new(x->s->ev, x_data_event, x);
	int e = conn_connect_addr(x->data, (struct sockaddr *)&ss, len, x->timeout_ms,
	                          x_connected, x);
	if (e < 0)
		x_finish(x, ERR_NET, "cannot open the data connection: %s",
		         conn_error(x->data));
}

static int x_send(struct ftp_xfer *x, const char *line, enum xstate st);

static void x_pasv_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_xfer *x = arg;
	int port = 0;

	if (!x_final_reply(x, pp, err, r))
		return;
	char *esc = ui_escape_str(r->msg, strlen(r->msg));
	if (x->state == XS_EPSV) {
		if (r->code == 229) {
			if (ftp_parse_229(r->msg, &port) < 0) {
				x_finish(x, ERR_PROTO, "malformed EPSV reply: %d %s",
				         r->code, esc);
				goto out;
			}
			x_connect(x, port);
			goto out;
		}
		if (r->code >= 500 && r->code < 600) {
			/* Not supported here: PASV from now on. */
			x->f->epsv_refused = true;
			log_note(x->s->name, "EPSV refused; using PASV");
			int e = x_send(x, "PASV", XS_PASV);
			if (e < 0)
				x_finish(x, e, "cannot send PASV: %s", pp_error(pp));
			goto out;
		}
		err = ftp_reply_err(r->code);
		x_finish(x, err ? err : ERR_PROTO, "EPSV: %d %s", r->code, esc);
		goto out;
	}
	if (r->code == 227) {
		unsigned char a[4];
		if (ftp_parse_227(r->msg, &port, a) < 0) {
			x_finish(x, ERR_PROTO, "malformed PASV reply: %d %s", r->code, esc);
			goto out;
		}
		log_note(x->s->name, "PASV address %u.%u.%u.%u ignored; connecting "
		         "to the control connection's peer, port %d",
		         a[0], a[1], a[2], a[3], port);
		x_connect(x, port);
		goto out;
	}
	err = ftp_reply_err(r->code);
	x_finish(x, err ? err : ERR_PROTO, "PASV: %d %s", r->code, esc);
out:
	free(esc);
}

/* EPSV, PASV, EPRT and PORT are marked pipeline: they may go out behind
 * a mirror's MDTM for the same file (ftp_login sets the window). */
static int x_send(struct ftp_xfer *x, const char *line, enum xstate st)
{
	struct pp_cmd pc = { .done = x_pasv_reply, .arg = x, .pipeline = true };
	x_set_state(x, st);
	int e = pp_send(x->pp, line, &pc);
	if (e < 0)
		return e;
	x->ctl_req = e;
	return 0;
}

/* ---- active mode ------------------------------------------------------- */

static void addr_text(const struct sockaddr_storage *ss, char *out, size_t n)
{
	const void *a = ss->ss_family == AF_INET6 ?
	                (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
	                (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
	if (!inet_ntop(ss->ss_family, a, out, (socklen_t)n))
		snprintf(out, n, "?");
}

/* A connection to our data port: the server's, or refused. */
static void x_accept(int fd, const struct sockaddr_storage *peer, void *arg)
{
	struct ftp_xfer *x = arg;
	struct sockaddr_storage ctl;
	socklen_t len;
	char who[INET6_ADDRSTRLEN];

	addr_text(peer, who, sizeof(who));
	if (conn_peer(x->s->conn, &ctl, &len) < 0 || !conn_same_host(peer, &ctl)) {
		/* Someone else found the port (or the server was told to
		 * connect elsewhere): never take a byte from it. */
		close(fd);
		snprintf(x->refused, sizeof(x->refused), "%s", who);
		log_note(x->s->name, "data connection from %s refused: not the "
		         "server's address", who);
		return;
	}
	if (x->data) {
		close(fd); /* one data connection per transfer */
		return;
	}
	log_note(x->s->name, "data connection from %s accepted", who);
	conn_listener_free(x->listen);
	x->listen = NULL;
	ev_timer_del(x->accept_timer);
	x->accept_timer = NULL;
	x->data = conn_new_fd(x->s->ev, fd, x_data_event, x);
	if (x_data_up(x) == 0)
		x_pump(x);
}

static long x_accept_tick(void *arg)
{
	struct ftp_xfer *x = arg;
	x->accept_timer = NULL;
	if (x->refused[0])
		x_finish(x, ERR_TIMEOUT, "the server did not open the data connection "
		         "(one from %s was refused: not the server's address)", x->refused);
	else
		x_finish(x, ERR_TIMEOUT, "the server did not open the data connection "
		         "within %ld s (active mode: a firewall in the way? "
		         "type passive)", x->timeout_ms / 1000);
	return 0;
}

static void x_port_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg);

static int x_send_port(struct ftp_xfer *x, bool eprt)
{
	struct pp_cmd pc = { .done = x_port_reply, .arg = x, .pipeline = true };
	struct sockaddr_storage local;
	socklen_t len;
	char host[INET6_ADDRSTRLEN], line[128];
	int port = conn_listener_port(x->listen);

	if (conn_local(x->s->conn, &local, &len) < 0)
		return ERR_NET;
	addr_text(&local, host, sizeof(host));
	if (eprt) {
		snprintf(line, sizeof(line), "EPRT |%d|%s|%d|",
		         local.ss_family == AF_INET6 ? 2 : 1, host, port);
	} else {
		struct in_addr a4;
		if (local.ss_family != AF_INET || inet_pton(AF_INET, host, &a4) != 1)
			return ERR_FAIL;
		unsigned char *b = (unsigned char *)&a4.s_addr;
		snprintf(line, sizeof(line), "PORT %u,%u,%u,%u,%d,%d",
		         b[0], b[1], b[2], b[3], port >> 8, port & 255);
	}
	x_set_state(x, eprt ? XS_EPRT : XS_PORT);
	int e = pp_send(x->pp, line, &pc);
	if (e < 0)
		return e;
	x->ctl_req = e;
	return 0;
}

static void x_port_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_xfer *x = arg;

	if (!x_final_reply(x, pp, err, r))
		return;
	if (r->code / 100 == 2) {
		x_send_cmd(x);
		return;
	}
	char *esc = ui_escape_str(r->msg, strlen(r->msg));
	if (x->state == XS_EPRT && r->code >= 500 && r->code < 600) {
		/* Not supported here: PORT from now on (IPv4 only). */
		x->f->eprt_refused = true;
		log_note(x->s->name, "EPRT refused; using PORT");
		int e = x_send_port(x, false);
		if (e == ERR_FAIL)
			x_finish(x, ERR_FAIL, "the server refuses EPRT (%d %s), and PORT "
			         "cannot carry an IPv6 address; type passive",
			         r->code, esc);
		else if (e < 0)
			x_finish(x, e, "cannot send PORT: %s", pp_error(pp));
		free(esc);
		return;
	}
	err = ftp_reply_err(r->code);
	x_finish(x, err ? err : ERR_PROTO, "%s: %d %s",
	         x->state == XS_EPRT ? "EPRT" : "PORT", r->code, esc);
	free(esc);
}

/* Listen where the control connection comes from, tell the server. */
static int x_active_start(struct ftp_xfer *x)
{
	struct sockaddr_storage local;
	socklen_t len;
	char why[256];

	if (conn_local(x->s->conn, &local, &len) < 0)
		return ERR_NET;
	x->listen = conn_listen(x->s->ev, &local, x_accept, x, why, sizeof(why));
	if (!x->listen) {
		log_note(x->s->name, "%s", why);
		return ERR_LOCAL;
	}
	log_note(x->s->name, "data: listening on port %d", conn_listener_port(x->listen));
	x->accept_timer = ev_timer_add(x->s->ev, x->timeout_ms > 0 ? x->timeout_ms : 60000,
	                               x_accept_tick, x);
	return x_send_port(x, !x->f->eprt_refused);
}

/* The data connection's first command: EPRT/PORT after listening, or
 * EPSV (PASV once EPSV was refused). */
static int x_open(struct ftp_xfer *x)
{
	if (!ftp_site_passive(x->s))
		return x_active_start(x);
	if (x->f->epsv_refused)
		return x_send(x, "PASV", XS_PASV);
	return x_send(x, "EPSV", XS_EPSV);
}

static void x_type_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp_xfer *x = arg;

	if (!x_final_reply(x, pp, err, r))
		return;
	if (r->code / 100 != 2) {
		char *esc = ui_escape_str(r->msg, strlen(r->msg));
		err = ftp_reply_err(r->code);
		x_finish(x, err && err != ERR_NOTFOUND ? err : ERR_FAIL,
		         "the server refused %s mode (TYPE %c): %d %s",
		         x->type == 'A' ? "ascii" : "binary", x->type, r->code, esc);
		free(esc);
		return;
	}
	x->f->type = x->type;
	int e = x_open(x);
	if (e < 0)
		x_finish(x, e, "cannot start the data connection: %s", err_str(e));
}

static int x_start(struct session *s, const char *cmd, enum ftp_xfer_dir dir,
                   int64_t size, uint64_t rest, const struct ftp_xfer_ops *ops,
                   void *arg, struct ftp_xfer **out, char type)
{
	struct ftp *f = s->pdata;
	struct ftp_xfer *x;
	int err;

	if (!s->pp || pp_failed(s->pp) || !s->conn)
		return ERR_NET;
	if (!ftp_arg_ok(cmd))
		return ERR_USAGE;
	x = xcalloc(1, sizeof(*x));
	x->s = s;
	x->f = f;
	x->pp = s->pp;
	x->cmd = xstrdup(cmd);
	x->dir = dir;
	x->size = dir == XFER_DOWN ? size : -1;
	x->rest = rest;
	x->ops = ops;
	x->arg = arg;
	x->timeout_ms = config_int(s->cfg, "net:timeout") * 1000;
	x->rate = (uint64_t)config_int(s->cfg, "xfer:rate-limit") * 1024;
	x->tls_wanted = f->prot_p;
	x->type = type;
	if (f->sscn_on) {
		/* Left the TLS client of its data connections (cp --fxp's SSCN
		 * ON, its SSCN OFF not sent): ferry's own transfer needs the
		 * server side back. */
		struct pp_cmd pc = { 0 };
		pp_send(x->pp, "SSCN OFF", &pc);
		f->sscn_on = false;
	}
	if (f->type != type) {
		/* The connection is in the other type (ascii was used on it,
		 * or binary after ascii): switch first. */
		struct pp_cmd pc = { .done = x_type_reply, .arg = x };
		char line[8];
		snprintf(line, sizeof(line), "TYPE %c", type);
		x->state = XS_TYPE;
		err = pp_send(x->pp, line, &pc);
		if (err >= 0) {
			x->ctl_req = err;
			err = 0;
		}
	} else {
		x->state = ftp_site_passive(s) ? XS_EPSV : XS_EPRT;
		err = x_open(x);
	}
	if (err < 0) {
		x_free(x);
		return err;
	}
	*out = x;
	return 0;
}

int ftp_xfer_start(struct session *s, const char *cmd, enum ftp_xfer_dir dir,
                   int64_t size, uint64_t rest, const struct ftp_xfer_ops *ops,
                   void *arg, struct ftp_xfer **out)
{
	return x_start(s, cmd, dir, size, rest, ops, arg, out, 'I');
}

int ftp_xfer_start_typed(struct session *s, const char *cmd, enum ftp_xfer_dir dir,
                         int64_t size, uint64_t rest, const struct ftp_xfer_ops *ops,
                         void *arg, struct ftp_xfer **out)
{
	char type = ftp_site_ascii(s) ? 'A' : 'I';
	return x_start(s, cmd, dir, type == 'A' ? -1 : size, rest, ops, arg, out, type);
}
