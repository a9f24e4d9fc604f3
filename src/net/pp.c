/* pp.c - the line layer shared by FTP and NNTP (see pp.h).
 *
 * Shape: conn appends received bytes to its read buffer and calls
 * pp_conn_event(); pp_run() takes complete lines off that buffer one at a
 * time and feeds them to the reply assembler, which calls the head
 * command's callback as soon as a reply is complete, before looking at
 * the next line.  That order matters: after "234 AUTH TLS ok" the owner
 * starts TLS from the callback while any plaintext the server pipelined
 * behind it is still unread in the conn buffer, where conn_tls_start()
 * detects it (CVE-2021-22947).
 *
 * Memory: the conn read buffer is capped at the current line limit plus
 * CRLF, so a line that never ends fills the buffer and is refused instead
 * of growing it; FTP multi-line replies and collected blocks have their
 * own caps (pp.h).
 *
 * Pipelining: the queue's written entries are a prefix of it (written in
 * order, answered in order); pp_pump() writes the next while pp_may_send()
 * allows, after each reply and from pp_send() itself.  What it writes
 * goes out at once (conn_flush), not on the loop's next turn: a command
 * costs no poll() for writing, and those written together leave in one
 * send().
 *
 * Time: one timer, the head command's deadline (pp.h).  It is armed when
 * the head is written and re-armed only by pp_touch(), which the lines of
 * a streamed block call too; a line that never ends is bounded by it like
 * any other part of a reply.
 *
 * Re-entrancy: any callback may call pp_send(), pp_cancel(),
 * pp_cancel_all(), pp_pause() or pp_free() (never the loop: ev has no
 * nested loop).  So a reference count keeps the struct alive while pp
 * code is on the stack (pp_free() only marks it dead), every callback is
 * followed by a check of pp->dead, and the buffers a callback sees (the
 * reply text, the collected block, the current line) are taken off the pp
 * before the call, so nothing the callback starts can overwrite them.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "err.h"
#include "ev.h"
#include "log.h"
#include "pp.h"
#include "redact.h"
#include "ui.h"

#define PP_DEFAULT_TIMEOUT_MS (60 * 1000)
/* Scratch storage above this is released after use, so one huge line
 * does not stay resident for the life of the session. */
#define PP_KEEP_SCRATCH (64 * 1024)

enum q_kind { Q_CMD, Q_EXPECT, Q_RAW };

struct pp_q {
	struct pp_q *next;
	enum q_kind kind;
	int id;           /* the handle pp_send/pp_expect returned */
	bool sent;        /* written (or, for Q_EXPECT, waiting) */
	bool cancelled;   /* pp_cancel(_all): no callbacks any more */
	struct pp_cmd cmd;
	char *data;       /* Q_CMD: the line with CRLF; Q_RAW: the bytes */
	size_t len;
};

struct pp {
	struct ev *ev;
	struct conn *c;
	enum pp_style style;
	char *name;
	struct pp_owner owner;
	long timeout_ms;

	struct pp_q *head, *tail;  /* head: the command whose reply is due */
	struct ev_timer *timer;    /* reply timeout of the head command */
	struct ev_timer *kick;     /* look at input buffered before pp_new,
	                              or held while paused */
	int next_id;               /* request handles: 1, 2, ... */
	size_t window;             /* requests on the wire at most (pipelined) */
	bool paused;               /* pp_pause: lines stay in the buffer */

	/* Reply being assembled. */
	bool in_reply;             /* FTP: inside "NNN-" ... "NNN " */
	bool unsolicited;          /* no command was waiting when it began */
	int code;
	struct buf text;
	char *msg;
	/* NNTP data block following the status line. */
	bool in_block;
	uint64_t block_seq;        /* tells a stale on_line result apart */
	int block_err;             /* on_line abort or NUL: discard the rest */
	struct buf block;
	uint64_t block_lines;
	size_t line_limit;         /* current limit, mirrored in conn rbuf max */

	char *line;                /* scratch copy of the line being handled */
	size_t line_cap;

	bool eof;                  /* CONN_EOF seen, handled after the lines */
	int conn_err;              /* CONN_ERROR seen */
	bool failed;
	char err[512];

	int refs;
	bool dead;
};

static void pp_fail(struct pp *pp, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- pure helpers -------------------------------------------------- */

int pp_ftp_line_code(const char *line, size_t len, bool *cont)
{
	int code;

	*cont = false;
	if (len < 3 || line[0] < '1' || line[0] > '5' ||
	    line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9')
		return -1;
	/* "NNN" alone is accepted: some servers send a bare code. */
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	*cont = len > 3 && line[3] == '-';
	return code;
}

int pp_nntp_unstuff(char *line, size_t *len)
{
	if (*len == 0 || line[0] != '.')
		return 0;
	if (*len == 1)
		return 1;
	/* RFC 3977 3.1.1: a leading "." was doubled by the sender.  A line
	 * with a single leading "." followed by text is invalid; it is
	 * passed on unchanged rather than guessed at. */
	if (line[1] == '.') {
		memmove(line, line + 1, *len - 1);
		(*len)--;
		line[*len] = '\0';
	}
	return 0;
}

/* NNTP status line: three digits 1xx-5xx, then a space or the end. */
static int nntp_line_code(const char *line, size_t len)
{
	bool cont;
	int code = pp_ftp_line_code(line, len, &cont);

	return cont ? -1 : code;
}

/* --- lifetime -------------------------------------------------------- */

static void q_free(struct pp_q *q)
{
	if (!q)
		return;
	free(q->data);
	free(q);
}

static void pp_destroy(struct pp *pp)
{
	struct pp_q *q;

	while ((q = pp->head)) {
		pp->head = q->next;
		q_free(q);
	}
	buf_clear(&pp->text);
	buf_clear(&pp->block);
	free(pp->msg);
	free(pp->line);
	free(pp->name);
	free(pp);
}

static void pp_ref(struct pp *pp)
{
	pp->refs++;
}

/* Drop a reference; returns false if pp is gone or dead, so callers can
 * write "if (!pp_unref(pp)) return;". */
static bool pp_unref(struct pp *pp)
{
	bool dead = pp->dead;

	if (--pp->refs == 0 && dead) {
		pp_destroy(pp);
		return false;
	}
	return !dead;
}

static void pp_detached(struct conn *c, enum conn_event e, int err, void *arg)
{
	/* After pp_free() the conn belongs to the caller alone. */
}

static long pp_cmd_timeout(const struct pp *pp, const struct pp_q *q)
{
	if (q && q->cmd.timeout_ms > 0)
		return q->cmd.timeout_ms;
	return pp->timeout_ms;
}

static void pp_set_limit(struct pp *pp, size_t limit)
{
	if (pp->line_limit == limit)
		return;
	pp->line_limit = limit;
	/* Room for one whole line and its CRLF: a buffer that is full
	 * without a LF in it can only hold an over-long line. */
	conn_set_rbuf_max(pp->c, limit + 2);
}

static void pp_reset_reply(struct pp *pp)
{
	pp->in_reply = false;
	pp->in_block = false;
	pp->block_err = 0;
	pp->block_lines = 0;
	buf_clear(&pp->text);
	buf_clear(&pp->block);
	free(pp->msg);
	pp->msg = NULL;
	pp_set_limit(pp, PP_MAX_LINE);
}

/* --- timers ------------------------------------------------------------ */

static long pp_on_timeout(void *arg)
{
	struct pp *pp = arg;

	/* Returning 0 lets the loop free the timer; forget it first so
	 * nothing below deletes it a second time. */
	pp->timer = NULL;
	pp_fail(pp, ERR_TIMEOUT, "no complete reply from the server within %ld s",
	        (pp_cmd_timeout(pp, pp->head) + 999) / 1000);
	return 0;
}

static void pp_timer_arm(struct pp *pp)
{
	long ms = pp_cmd_timeout(pp, pp->head);

	if (!pp->head || !pp->head->sent || ms <= 0 || pp->failed || pp->paused) {
		if (pp->timer)
			ev_timer_del(pp->timer);
		pp->timer = NULL;
		return;
	}
	if (pp->timer)
		ev_timer_reset(pp->timer, ms);
	else
		pp->timer = ev_timer_add(pp->ev, ms, pp_on_timeout, pp);
}

void pp_touch(struct pp *pp)
{
	if (pp && !pp->dead && pp->timer && !pp->paused)
		ev_timer_reset(pp->timer, pp_cmd_timeout(pp, pp->head));
}

/* --- sending --------------------------------------------------------- */

static void pp_trace_sent(struct pp *pp, const struct pp_q *q)
{
	size_t n = q->len - 2;  /* without CRLF */
	int mf = q->cmd.mask_from;

	if (!log_trace_on())
		return;
	/* Whoever sent it (quote, site, a login): a password never shows. */
	size_t w = redact_wire(q->data, n);
	if (w && (mf <= 0 || w < (size_t)mf))
		mf = (int)w;
	if (mf > 0) {
		size_t keep = (size_t)mf < n ? (size_t)mf : n;
		char *m = xmalloc(keep + 5);

		memcpy(m, q->data, keep);
		memcpy(m + keep, "****", 5);
		log_trace(pp->name, '>', m, keep + 4);
		free(m);
	} else {
		log_trace(pp->name, '>', q->data, n);
	}
}

/* Write q (the new head).  Returns 0 or the conn_write error. */
static int pp_write_head(struct pp *pp, struct pp_q *q)
{
	int rc = 0;

	if (q->kind == Q_CMD) {
		pp_trace_sent(pp, q);
		rc = conn_write(pp->c, q->data, q->len);
		if (rc == 0)
			conn_touch(pp->c);
	} else if (q->kind == Q_RAW) {
		rc = conn_write(pp->c, q->data, q->len);
	}
	return rc;
}

/* The first entry not written yet, with the number of requests written
 * before it whose replies are due, and whether all of those may have
 * another behind them. */
static struct pp_q *pp_first_unsent(const struct pp *pp, size_t *inflight, bool *all_pipe)
{
	struct pp_q *q;

	*inflight = 0;
	*all_pipe = true;
	for (q = pp->head; q && q->sent; q = q->next) {
		(*inflight)++;
		*all_pipe = *all_pipe && q->kind == Q_CMD && q->cmd.pipeline;
	}
	return q;
}

/* May q go now?  Alone always; behind replies still due only when it and
 * every one of them is marked pipeline and the window has room (RFC 3977
 * 3.5: never across a command that changes state, never raw bytes). */
static bool pp_may_send(const struct pp *pp, const struct pp_q *q, size_t inflight,
                        bool all_pipe)
{
	if (inflight == 0)
		return true;
	return q->kind == Q_CMD && q->cmd.pipeline && all_pipe && inflight < pp->window;
}

/* Send every queued entry that may go (one at a time unless pipelined).
 * Called from the loop only (a write error fails the pp, which calls
 * back). */
static void pp_pump(struct pp *pp)
{
	struct pp_q *q;
	size_t inflight;
	bool all_pipe;
	int rc;

	while (!pp->failed && !pp->dead &&
	       (q = pp_first_unsent(pp, &inflight, &all_pipe)) &&
	       pp_may_send(pp, q, inflight, all_pipe)) {
		rc = pp_write_head(pp, q);
		if (rc < 0) {
			pp_fail(pp, rc, "cannot send: %s", conn_error(pp->c));
			return;
		}
		if (q->kind == Q_RAW) {
			/* Raw bytes go only with nothing due: q is the head. */
			pp->head = q->next;
			if (!pp->head)
				pp->tail = NULL;
			q_free(q);
			continue;
		}
		q->sent = true;
	}
	if (!pp->failed && !pp->dead)
		conn_flush(pp->c);
	pp_timer_arm(pp);
}

static struct pp_q *pp_q_new(enum q_kind kind, const struct pp_cmd *cmd)
{
	struct pp_q *q = xcalloc(1, sizeof(*q));

	q->kind = kind;
	if (cmd)
		q->cmd = *cmd;
	return q;
}

/* Queue q; if nothing is waiting it is written at once.  Returns q's
 * handle (> 0; 0 for raw bytes) or an error: errors from an immediate
 * write are returned without failing the pp, since no callback may run
 * from inside pp_send(), and conn reports a dead socket itself. */
/* The next request handle: 1, 2, ..., never 0 or negative. */
static int pp_new_id(struct pp *pp)
{
	if (pp->next_id <= 0 || pp->next_id == INT_MAX)
		pp->next_id = 0;
	return ++pp->next_id;
}

static int pp_enqueue(struct pp *pp, struct pp_q *q)
{
	struct pp_q *first, *prev;
	size_t inflight;
	bool all_pipe;
	int rc;

	if (q->kind != Q_RAW)
		q->id = pp_new_id(pp);
	first = pp_first_unsent(pp, &inflight, &all_pipe);
	prev = pp->tail;
	if (pp->head) {
		pp->tail->next = q;
		pp->tail = q;
	} else {
		pp->head = pp->tail = q;
	}
	/* Behind others not yet written, or not allowed past those due. */
	if (first || !pp_may_send(pp, q, inflight, all_pipe))
		return q->id;
	rc = pp_write_head(pp, q);
	if (rc == 0)
		conn_flush(pp->c);
	if (rc < 0 || q->kind == Q_RAW) {
		/* Taken off again: it is the tail. */
		if (prev)
			prev->next = NULL;
		else
			pp->head = NULL;
		pp->tail = prev;
		q_free(q);
		return rc < 0 ? rc : 0;
	}
	q->sent = true;
	pp_timer_arm(pp);
	return q->id;
}

void pp_set_pipeline(struct pp *pp, size_t window)
{
	pp->window = window ? window : 1;
}

/* A command entry for line, or NULL with *err set (CR/LF, a failed pp). */
static struct pp_q *pp_cmd_new(struct pp *pp, const char *line, const struct pp_cmd *cmd,
                               int *err)
{
	struct pp_q *q;
	size_t n;

	*err = ERR_USAGE;
	if (!pp || !line || strpbrk(line, "\r\n"))
		return NULL;
	*err = ERR_NET;
	if (pp->failed || pp->dead)
		return NULL;
	n = strlen(line);
	q = pp_q_new(Q_CMD, cmd);
	q->data = xmalloc(n + 3);
	memcpy(q->data, line, n);
	memcpy(q->data + n, "\r\n", 3);
	q->len = n + 2;
	return q;
}

int pp_send(struct pp *pp, const char *line, const struct pp_cmd *cmd)
{
	int err;
	struct pp_q *q = pp_cmd_new(pp, line, cmd, &err);

	return q ? pp_enqueue(pp, q) : err;
}

int pp_send_urgent(struct pp *pp, const char *line, const struct pp_cmd *cmd)
{
	int err;
	struct pp_q *q = pp_cmd_new(pp, line, cmd, &err);
	struct pp_q **pq;

	if (!q)
		return err;
	q->id = pp_new_id(pp);
	err = pp_write_head(pp, q);
	if (err < 0) {
		q_free(q);
		return err;
	}
	conn_flush(pp->c);
	/* Its reply comes after those of the commands already written and
	 * before those of the ones still queued. */
	for (pq = &pp->head; *pq && (*pq)->sent; pq = &(*pq)->next)
		;
	q->next = *pq;
	*pq = q;
	q->sent = true;
	if (!q->next)
		pp->tail = q;
	/* The reply due first keeps its deadline: ABOR gives a silent
	 * server no more time. */
	if (!pp->timer)
		pp_timer_arm(pp);
	return q->id;
}

int pp_expect(struct pp *pp, const struct pp_cmd *cmd)
{
	if (!pp)
		return ERR_USAGE;
	if (pp->failed || pp->dead)
		return ERR_NET;
	return pp_enqueue(pp, pp_q_new(Q_EXPECT, cmd));
}

int pp_send_raw(struct pp *pp, const void *p, size_t n)
{
	struct pp_q *q;

	if (!pp || (!p && n))
		return ERR_USAGE;
	if (pp->failed || pp->dead)
		return ERR_NET;
	if (n == 0)
		return 0;
	q = pp_q_new(Q_RAW, NULL);
	q->data = xmalloc(n);
	memcpy(q->data, p, n);
	q->len = n;
	return pp_enqueue(pp, q);
}

/* --- failing ---------------------------------------------------------- */

static void pp_fail(struct pp *pp, int err, const char *fmt, ...)
{
	struct pp_q *q, *next;
	va_list ap;

	if (pp->failed || pp->dead)
		return;
	pp->failed = true;
	va_start(ap, fmt);
	vsnprintf(pp->err, sizeof(pp->err), fmt, ap);
	va_end(ap);
	log_note(pp->name, "%s", pp->err);
	if (pp->timer)
		ev_timer_del(pp->timer);
	pp->timer = NULL;
	pp_reset_reply(pp);

	/* Take the whole queue first: callbacks see an empty, failed pp. */
	q = pp->head;
	pp->head = pp->tail = NULL;
	pp_ref(pp);
	for (; q; q = next) {
		next = q->next;
		if (!pp->dead && !q->cancelled && q->kind != Q_RAW && q->cmd.done)
			q->cmd.done(pp, err, NULL, q->cmd.arg);
		q_free(q);
	}
	if (!pp->dead && pp->owner.on_error)
		pp->owner.on_error(pp, err, pp->owner.arg);
	pp_unref(pp);
}

/* --- receiving -------------------------------------------------------- */

/* Remember the first line of the last reply for pp_error(), escaped:
 * it is server text and ends up in messages. */
static void pp_note_reply(struct pp *pp, const char *line, size_t len)
{
	char *e;

	if (pp->failed)
		return;
	e = ui_escape_str(line, len > 200 ? 200 : len);
	snprintf(pp->err, sizeof(pp->err), "%s", e);
	free(e);
}

/* A reply is complete: hand it to the head command (or the owner). */
/* Nobody waits for this command's reply: cancelled, or sent without a
 * callback (ABOR after a transfer given up). */
static bool q_unwatched(const struct pp_q *q)
{
	return q->cancelled || !q->cmd.done;
}

/* A final FTP reply with the code a sync command waits for (sync_code),
 * every command due ahead of it unwatched: their replies will not come
 * (pure-ftpd answers a transfer whose data connection the client closed
 * with 1xx lines only), so they go and the reply is the sync command's. */
static void pp_skip_to_sync(struct pp *pp, int code)
{
	struct pp_q *s;

	if (pp->style != PP_FTP || code < 200 || !pp->head || !q_unwatched(pp->head))
		return;
	for (s = pp->head; s && s->sent && q_unwatched(s) && !s->cmd.sync_code; s = s->next)
		;
	if (!s || !s->sent || s->cmd.sync_code != code)
		return;
	while (pp->head != s) {
		struct pp_q *q = pp->head;
		pp->head = q->next;
		if (q->data)
			log_note(pp->name, "no reply came to %.*s", (int)strcspn(q->data, "\r"),
			         q->data);
		q_free(q);
	}
}

static void pp_deliver(struct pp *pp)
{
	struct pp_reply r = { 0 };
	struct buf text = pp->text, block = pp->block;
	char *msg = pp->msg;
	bool collected = false;
	int block_err = pp->block_err;
	pp_skip_to_sync(pp, pp->code);
	struct pp_q *q = pp->head;
	struct pp_cmd cmd;

	/* Take the reply buffers off pp (see the top of the file). */
	buf_init(&pp->text, PP_MAX_REPLY);
	buf_init(&pp->block, PP_MAX_COLLECT);
	pp->msg = NULL;
	if (pp->in_block) {
		collected = q && !q->cancelled && q->cmd.collect && !q->cmd.on_line;
		r.block_lines = pp->block_lines;
	}
	pp->in_block = false;
	pp->in_reply = false;
	pp->block_err = 0;
	pp->block_lines = 0;
	pp_set_limit(pp, PP_MAX_LINE);

	r.code = pp->code;
	r.final = !(pp->style == PP_FTP && r.code < 200);
	r.text = buf_peek(&text);
	r.len = buf_avail(&text);
	r.msg = msg ? msg : "";
	if (collected) {
		r.block = buf_peek(&block);
		r.block_len = buf_avail(&block);
	}
	/* NNTP noted its status line when it came, before the block (whose
	 * own failure may have replaced the note since). */
	if (pp->style == PP_FTP)
		pp_note_reply(pp, r.text, strcspn(r.text, "\n"));

	pp_ref(pp);
	if (pp->unsolicited || !q || !q->sent) {
		if (pp->owner.on_unsolicited)
			pp->owner.on_unsolicited(pp, &r, pp->owner.arg);
	} else if (!r.final) {
		/* FTP 1xx: the command stays at the head for its final reply. */
		if (!q->cancelled && q->cmd.done)
			q->cmd.done(pp, 0, &r, q->cmd.arg);
	} else {
		pp->head = q->next;
		if (!pp->head)
			pp->tail = NULL;
		cmd = q->cmd;
		if (q->cancelled)
			cmd.done = NULL;
		q_free(q);
		if (cmd.done) {
			if (block_err)
				cmd.done(pp, block_err, NULL, cmd.arg);
			else
				cmd.done(pp, 0, &r, cmd.arg);
		}
		if (!pp->dead)
			pp_pump(pp);
	}
	pp_unref(pp);
	buf_clear(&text);
	buf_clear(&block);
	free(msg);
}

static void pp_set_msg(struct pp *pp, const char *line, size_t len)
{
	free(pp->msg);
	pp->msg = xstrndup(len > 4 ? line + 4 : "", len > 4 ? len - 4 : 0);
}

static void pp_ftp_line(struct pp *pp, const char *line, size_t len)
{
	bool cont;
	int code;

	if (!pp->in_reply) {
		code = pp_ftp_line_code(line, len, &cont);
		if (code < 0) {
			pp_fail(pp, ERR_PROTO, "malformed reply (no 3-digit code 100-599)");
			return;
		}
		pp->code = code;
		pp->unsolicited = !pp->head || !pp->head->sent;
		buf_reset(&pp->text);
		/* Cannot fail: len <= PP_MAX_LINE < PP_MAX_REPLY. */
		buf_append(&pp->text, line, len);
		pp_set_msg(pp, line, len);
		if (cont) {
			pp->in_reply = true;
			return;
		}
		pp_deliver(pp);
		return;
	}
	if (buf_append(&pp->text, "\n", 1) < 0 || buf_append(&pp->text, line, len) < 0) {
		pp_fail(pp, ERR_TOOLONG, "multi-line reply longer than %d bytes",
		        PP_MAX_REPLY);
		return;
	}
	/* Only "NNN " (or a bare "NNN") with the opening code ends it;
	 * inner lines may start with anything, other codes included. */
	code = pp_ftp_line_code(line, len, &cont);
	if (code == pp->code && !cont)
		pp_deliver(pp);
}

static void pp_nntp_status(struct pp *pp, const char *line, size_t len)
{
	struct pp_q *q = pp->head;
	int code = nntp_line_code(line, len);

	if (code < 0) {
		pp_fail(pp, ERR_PROTO, "malformed reply (no 3-digit code 100-599)");
		return;
	}
	pp->code = code;
	pp->unsolicited = !q || !q->sent;
	buf_reset(&pp->text);
	buf_append(&pp->text, line, len);
	pp_set_msg(pp, line, len);
	pp_note_reply(pp, line, len);
	if (!pp->unsolicited && q->cmd.want_block) {
		bool want;

		/* After pp_cancel_all the owner may have freed arg; the
		 * block must still be read to stay in sync. */
		pp_ref(pp);
		want = q->cmd.want_block(code, q->cancelled ? NULL : q->cmd.arg);
		if (!pp_unref(pp) || pp->failed)
			return;
		if (want && pp->head == q) {
			pp->in_block = true;
			pp->block_seq++;
			pp->block_err = 0;
			pp->block_lines = 0;
			buf_reset(&pp->block);
			pp_set_limit(pp, PP_MAX_BLOCK_LINE);
			return;
		}
	}
	pp_deliver(pp);
}

static void pp_block_line(struct pp *pp, char *line, size_t len)
{
	struct pp_q *q = pp->head;
	uint64_t seq = pp->block_seq;
	int rc;

	if (pp_nntp_unstuff(line, &len) == 1) {
		pp_deliver(pp);
		return;
	}
	pp->block_lines++;
	/* A streamed block is a data stream: each line is progress.  A
	 * collected one is part of the reply and keeps its deadline. */
	if (q && (q->cmd.on_line || !q->cmd.collect))
		pp_touch(pp);
	if (pp->block_err || !q || q->cancelled)
		return;
	if (memchr(line, '\0', len)) {
		/* Refuse the block but read on to the ".": the session
		 * stays usable. */
		pp->block_err = ERR_PROTO;
		snprintf(pp->err, sizeof(pp->err), "NUL byte in a data block");
		return;
	}
	if (q->cmd.on_line) {
		pp_ref(pp);
		rc = q->cmd.on_line(q->cmd.arg, line, len);
		if (!pp_unref(pp))
			return;
		/* The callback may have ended this block (pp_fail) itself. */
		if (rc < 0 && pp->in_block && pp->block_seq == seq && !pp->block_err)
			pp->block_err = rc;
	} else if (q->cmd.collect) {
		if (buf_append(&pp->block, line, len) < 0 ||
		    buf_append(&pp->block, "\n", 1) < 0)
			pp_fail(pp, ERR_TOOLONG, "data block longer than %d bytes",
			        PP_MAX_COLLECT);
	}
}

static void pp_handle_line(struct pp *pp, char *line, size_t len)
{
	log_trace(pp->name, '<', line, len);
	if (pp->in_block) {
		pp_block_line(pp, line, len);
		return;
	}
	if (memchr(line, '\0', len)) {
		pp_fail(pp, ERR_PROTO, "NUL byte in a reply");
		return;
	}
	if (pp->style == PP_FTP)
		pp_ftp_line(pp, line, len);
	else
		pp_nntp_status(pp, line, len);
}

/* Process every complete line in the conn buffer, then a pending EOF or
 * connection error. */
static void pp_run(struct pp *pp)
{
	struct buf *rb;
	const char *p;
	char *line;
	size_t n, len, cap;

	if (pp->dead || pp->failed)
		return;
	pp_ref(pp);
	while (!pp->dead && !pp->failed && !pp->paused) {
		rb = conn_rbuf(pp->c);
		n = buf_line_len(rb);
		if (n == 0) {
			/* A valid partial line is at most limit + "\r". */
			if (buf_avail(rb) > pp->line_limit + 1)
				pp_fail(pp, ERR_TOOLONG, "line longer than %zu bytes",
				        pp->line_limit);
			break;
		}
		p = buf_peek(rb);
		len = n - 1;
		if (len && p[len - 1] == '\r')
			len--;
		if (len > pp->line_limit) {
			pp_fail(pp, ERR_TOOLONG, "line longer than %zu bytes",
			        pp->line_limit);
			break;
		}
		/* Take the scratch buffer for this line (see the top). */
		line = pp->line;
		cap = pp->line_cap;
		pp->line = NULL;
		pp->line_cap = 0;
		if (!line || cap < len + 1) {
			free(line);
			cap = len + 1;
			line = xmalloc(cap);
		}
		memcpy(line, p, len);
		line[len] = '\0';
		buf_consume(rb, n);
		pp_handle_line(pp, line, len);
		if (!pp->dead && !pp->line && cap <= PP_KEEP_SCRATCH) {
			pp->line = line;
			pp->line_cap = cap;
		} else {
			free(line);
		}
	}
	/* Everything read is handled and nothing is awaited: an idle control
	 * connection keeps no read buffer (some 24 KiB each, 1.2 MB for fifty
	 * sessions).  A reply still coming keeps it, so a long data block is
	 * not a malloc per read. */
	if (!pp->dead && buf_avail(conn_rbuf(pp->c)) == 0 && pp_pending(pp) == 0)
		buf_clear(conn_rbuf(pp->c));
	if (!pp->dead && !pp->failed && !pp->paused) {
		if (pp->conn_err) {
			pp_fail(pp, pp->conn_err, "connection failed: %s",
			        conn_error(pp->c));
		} else if (pp->eof) {
			if (buf_avail(conn_rbuf(pp->c)) || pp->in_reply || pp->in_block)
				pp_fail(pp, ERR_EOF, "connection closed in the middle of a reply");
			else
				pp_fail(pp, ERR_EOF, "connection closed by the server");
		}
	}
	pp_unref(pp);
}

static void pp_conn_event(struct conn *c, enum conn_event e, int err, void *arg)
{
	struct pp *pp = arg;

	switch (e) {
	case CONN_READABLE:
		/* Bytes are not progress: the deadline is the reply's (pp.h). */
		break;
	case CONN_DRAINED:
		return;
	case CONN_EOF:
		pp->eof = true;
		break;
	case CONN_ERROR:
		if (!pp->conn_err)
			pp->conn_err = err < 0 ? err : ERR_NET;
		break;
	}
	pp_run(pp);
}

static long pp_on_kick(void *arg)
{
	struct pp *pp = arg;

	pp->kick = NULL;
	pp_run(pp);
	return 0;
}

/* --- public ----------------------------------------------------------- */

struct pp *pp_new(struct ev *ev, struct conn *c, enum pp_style style,
                  const char *name, const struct pp_owner *owner)
{
	struct pp *pp = xcalloc(1, sizeof(*pp));

	pp->ev = ev;
	pp->c = c;
	pp->style = style;
	pp->name = xstrdup(name ? name : "-");
	if (owner)
		pp->owner = *owner;
	pp->timeout_ms = PP_DEFAULT_TIMEOUT_MS;
	pp->window = 1;
	buf_init(&pp->text, PP_MAX_REPLY);
	buf_init(&pp->block, PP_MAX_COLLECT);
	pp->line_limit = 0;
	pp_set_limit(pp, PP_MAX_LINE);
	conn_set_handler(c, pp_conn_event, pp);
	/* Bytes read, or an EOF or error seen, before the handover raise no
	 * new event: look at them from the loop, after the owner queued its
	 * pp_expect(). */
	if (conn_at_eof(c)) {
		if (conn_is_connected(c))
			pp->eof = true;
		else
			pp->conn_err = ERR_EOF;
	}
	if (buf_avail(conn_rbuf(c)) || pp->eof || pp->conn_err)
		pp->kick = ev_timer_add(ev, 0, pp_on_kick, pp);
	return pp;
}

void pp_free(struct pp *pp)
{
	struct pp_q *q;

	if (!pp || pp->dead)
		return;
	pp->dead = true;
	conn_set_handler(pp->c, pp_detached, NULL);
	if (pp->timer)
		ev_timer_del(pp->timer);
	if (pp->kick)
		ev_timer_del(pp->kick);
	pp->timer = pp->kick = NULL;
	/* Like conn_free(): pending callbacks are dropped, not called. */
	while ((q = pp->head)) {
		pp->head = q->next;
		q_free(q);
	}
	pp->tail = NULL;
	if (pp->refs == 0)
		pp_destroy(pp);
}

void pp_set_owner(struct pp *pp, const struct pp_owner *owner)
{
	if (owner)
		pp->owner = *owner;
	else
		memset(&pp->owner, 0, sizeof(pp->owner));
}

void pp_set_timeout(struct pp *pp, long ms)
{
	pp->timeout_ms = ms;
}

void pp_cancel_all(struct pp *pp)
{
	struct pp_q *q;

	for (q = pp->head; q; q = q->next)
		q->cancelled = true;
}

void pp_cancel(struct pp *pp, int id)
{
	struct pp_q **pq, *q;

	if (!pp || pp->dead || id <= 0)
		return;
	for (pq = &pp->head; (q = *pq); pq = &q->next) {
		if (q->id != id)
			continue;
		if (q->sent) {
			/* Its reply is due: read and dropped when it comes. */
			q->cancelled = true;
			return;
		}
		/* Not on the wire yet: as if it had never been queued. */
		*pq = q->next;
		q_free(q);
		pp->tail = NULL;
		for (q = pp->head; q; q = q->next)
			pp->tail = q;
		return;
	}
}

void pp_pause(struct pp *pp, bool paused)
{
	if (!pp || pp->dead || pp->failed || pp->paused == paused)
		return;
	pp->paused = paused;
	conn_pause_read(pp->c, paused);
	if (paused) {
		/* The wait is ours, not the server's: no deadline meanwhile. */
		if (pp->timer)
			ev_timer_del(pp->timer);
		pp->timer = NULL;
		return;
	}
	pp_timer_arm(pp);
	/* Lines may wait in the buffer already: look at them from the loop. */
	if (!pp->kick)
		pp->kick = ev_timer_add(pp->ev, 0, pp_on_kick, pp);
}

bool pp_paused(const struct pp *pp)
{
	return pp->paused;
}

size_t pp_pending(const struct pp *pp)
{
	const struct pp_q *q;
	size_t n = 0;

	for (q = pp->head; q; q = q->next)
		if (q->kind != Q_RAW)
			n++;
	return n;
}

size_t pp_awaited(const struct pp *pp)
{
	const struct pp_q *q;
	size_t n = 0;

	for (q = pp->head; q; q = q->next)
		if (q->kind != Q_RAW && !(q->sent && q->cancelled))
			n++;
	return n;
}

bool pp_unwatched_due(const struct pp *pp)
{
	const struct pp_q *q;

	for (q = pp->head; q; q = q->next)
		if (q->kind != Q_RAW && !(q->sent && q_unwatched(q)))
			return false;
	return pp->head != NULL;
}

bool pp_failed(const struct pp *pp)
{
	return pp->failed;
}

const char *pp_error(const struct pp *pp)
{
	return pp->err;
}

struct conn *pp_conn(struct pp *pp)
{
	return pp->c;
}
