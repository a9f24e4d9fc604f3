/* pp.h - the line layer shared by FTP and NNTP ("ping-pong").
 *
 * pp owns CRLF framing, buffering, line limits, NUL rejection, reply
 * timeouts, the trace and a queue of commands with callbacks.  A protocol
 * only chooses the reply style and, for NNTP, which replies carry a
 * multi-line data block.  A queued command is sent when the reply to the
 * previous one is complete, unless both are marked pipeline (RFC 3977
 * 3.5): then up to the window (pp_set_pipeline) go out before their
 * replies come, which are matched to them in order.  An unmarked command
 * (one that changes state: GROUP, MODE READER, STARTTLS, AUTHINFO,
 * COMPRESS, POST) waits for every reply due, and nothing goes out behind
 * it until its own has come.
 *
 * Reply styles:
 *   PP_FTP:  "NNN text" or "NNN-text ... NNN text" (RFC 959 multi-line).
 *            A 1xx reply is delivered with final=false and the command stays
 *            at the head of the queue until its final (2xx-5xx) reply.
 *   PP_NNTP: one status line "NNN text"; if the command's want_block(code)
 *            returns true, a data block follows, ended by a lone ".",
 *            dot-unstuffed, its lines passed to on_line (or collected).
 *
 * Deadline: a reply must be complete within the command's timeout of the
 * moment its line was written (for pp_expect(), of the moment it became
 * the head of the queue), however its bytes trickle.  Received bytes and
 * the lines of a reply do not extend it: not an FTP multi-line reply's
 * lines, not FTP 1xx preliminary replies, not an NNTP status line, not the
 * lines of a collected block.  Only the progress of a data stream re-arms
 * it for a whole timeout from that moment: each line of a streamed NNTP
 * block (one not collected), and pp_touch().
 *
 * Limits: a status or reply line is at most PP_MAX_LINE bytes; an FTP
 * multi-line reply at most PP_MAX_REPLY bytes in total; a data block line at
 * most PP_MAX_BLOCK_LINE bytes; a collected data block at most
 * PP_MAX_COLLECT bytes.  Past a limit, or on a NUL byte, a reply code that
 * is not three digits 1xx-5xx, a timeout or EOF, pp fails: every queued
 * command's callback gets the error, on_error is called once, and the pp
 * accepts no more commands (the owner reconnects).
 */
#ifndef FERRY_PP_H
#define FERRY_PP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define PP_MAX_LINE        (16 * 1024)
#define PP_MAX_REPLY       (1024 * 1024)
#define PP_MAX_BLOCK_LINE  (1024 * 1024)
#define PP_MAX_COLLECT     (64 * 1024 * 1024)

struct conn;
struct ev;
struct pp;

enum pp_style { PP_FTP, PP_NNTP };

struct pp_reply {
	int code;          /* 100..599 */
	bool final;        /* false for an FTP 1xx preliminary reply */
	const char *text;  /* whole reply: lines joined by '\n', CRLF removed,
	                      codes kept ("226-a\n226 b"); NUL-terminated */
	size_t len;        /* strlen(text) */
	const char *msg;   /* first line after "NNN " / "NNN-" */
	/* NNTP data block, when collected (no on_line given): */
	const char *block; /* unstuffed lines, each ending in '\n'; or NULL */
	size_t block_len;
	uint64_t block_lines;
};

/* Reply callback: err is 0 with r set, or a negative ERR_* with r NULL
 * (connection failed, timeout, malformed reply, cancelled=ERR_INTR). */
typedef void (*pp_reply_fn)(struct pp *pp, int err, const struct pp_reply *r, void *arg);
/* NNTP data block line (unstuffed, without CRLF, NUL-terminated); return
 * 0 to go on or a negative ERR_* to abort the block (the rest of the block
 * is then read and discarded, and done gets that error). */
typedef int (*pp_line_fn)(void *arg, const char *line, size_t len);
typedef bool (*pp_want_block_fn)(int code, void *arg);

struct pp_cmd {
	pp_reply_fn done;
	void *arg;
	pp_line_fn on_line;          /* NNTP: stream block lines here ... */
	pp_want_block_fn want_block; /* NNTP: does this code carry a block? */
	bool collect;                /* NNTP: ... or collect them in r->block */
	int mask_from;               /* >0: trace shows line[0..mask_from) then
	                                "****" (passwords) */
	long timeout_ms;             /* 0: the pp default */
	bool pipeline;               /* may go out behind, and be followed
	                                by, other pipeline commands whose
	                                replies are due */
	int sync_code;               /* FTP, >0: a final reply with this code,
	                                while only cancelled commands are due
	                                ahead of this one, is this one's: a
	                                reply that never came to those is given
	                                up (ABOR's resync, ftp_xfer.c) */
};

/* Owner notifications: a fatal error (after pending commands were failed),
 * and replies that arrive with no command waiting (e.g. FTP 421). */
struct pp_owner {
	void (*on_error)(struct pp *pp, int err, void *arg);
	void (*on_unsolicited)(struct pp *pp, const struct pp_reply *r, void *arg);
	void *arg;
};

/* Take over conn's event handler.  name labels the trace ("lab-ftp").
 * pp does not own conn: pp_free() leaves it to the caller, so free the pp
 * first (it detaches from the conn), then the conn.  Like conn_free(),
 * pp_free() drops pending callbacks without calling them; it is safe from
 * inside any pp callback. */
struct pp *pp_new(struct ev *ev, struct conn *c, enum pp_style style,
                  const char *name, const struct pp_owner *owner);
void pp_free(struct pp *pp);
/* Replace the owner notifications (NULL: none), e.g. before the owner
 * hands the pp to someone else to wait for a QUIT reply and is freed. */
void pp_set_owner(struct pp *pp, const struct pp_owner *owner);

/* Requests marked pipeline on the wire at once, at most (1, the
 * default: none pipelined; 0 means 1). */
void pp_set_pipeline(struct pp *pp, size_t window);
/* Default time to wait for a reply, in ms (net:timeout). */
void pp_set_timeout(struct pp *pp, long ms);
/* Progress of a data stream elsewhere (bytes moved on an FTP data
 * connection between the 150 and the 226): re-arm the waiting command's
 * deadline for a whole timeout from now.  Control bytes and reply lines
 * never re-arm it (see the deadline rule above). */
void pp_touch(struct pp *pp);

/* Queue a command line (without CRLF).  Returns the request's handle
 * (> 0, for pp_cancel), or rejects CR, LF and NUL in line with ERR_USAGE
 * before anything is queued or sent; ERR_NET if the pp failed.
 * The command struct is copied. */
int pp_send(struct pp *pp, const char *line, const struct pp_cmd *cmd);
/* Write a command line now, ahead of every command still queued and
 * behind those already written, whatever the window: FTP's ABOR during a
 * transfer whose reply is still due (RFC 959 4.1.3: the server answers
 * the transfer command, 426 or 226, then ABOR).  Returns a handle as
 * pp_send(); a write error is returned and nothing is queued. */
int pp_send_urgent(struct pp *pp, const char *line, const struct pp_cmd *cmd);
/* Queue a wait for a reply without sending anything (the greeting, or
 * the reply after a data transfer).  Returns a handle as pp_send(). */
int pp_expect(struct pp *pp, const struct pp_cmd *cmd);
/* Send raw bytes (an NNTP article body already dot-stuffed) in order with
 * queued commands, without waiting for a reply. */
int pp_send_raw(struct pp *pp, const void *p, size_t n);

/* Forget one request (its callbacks are never called): one already
 * sent keeps its place and its reply is read and discarded when it comes,
 * so the connection stays in step (want_block is still asked, with arg
 * NULL: the owner may free arg); one still queued is dropped unsent.
 * Every other request goes on.  An unknown or finished handle is ignored. */
void pp_cancel(struct pp *pp, int id);
/* The same for every request (teardown only: a connection with several
 * users cancels one request at a time). */
void pp_cancel_all(struct pp *pp);

/* Back-pressure: while paused, pp reads no more from the connection and
 * hands no more lines on (a block's on_line may pause from inside), and
 * the waiting command's deadline is stopped (the wait is ours); resuming
 * goes on from the loop with the lines already buffered and a whole
 * deadline from then. */
void pp_pause(struct pp *pp, bool paused);
bool pp_paused(const struct pp *pp);
/* Number of commands sent or queued whose final reply has not arrived. */
size_t pp_pending(const struct pp *pp);
/* Of those, the ones still to be written or not cancelled: the goodbye
 * waits for these. */
size_t pp_awaited(const struct pp *pp);
/* Replies are due, but only ones nobody waits for (a transfer given up:
 * its own, ABOR's, the NOOP's), and nothing waits to be written: a slow
 * server may take a while, and nothing depends on it. */
bool pp_unwatched_due(const struct pp *pp);
/* True once pp has failed (see above). */
bool pp_failed(const struct pp *pp);
/* Detail of the last failure or of the last reply ("" if none). */
const char *pp_error(const struct pp *pp);

/* Trace: while enabled, every line sent and received is passed to
 * log_trace() with this pp's name. */
struct conn *pp_conn(struct pp *pp);

/* Pure helpers, used by pp and exposed for the unit tests and fuzzers. */
/* FTP: parse one line; returns the code (100-599) and sets *cont to true
 * for "NNN-", or returns -1 if the line does not start a reply. */
int pp_ftp_line_code(const char *line, size_t len, bool *cont);
/* NNTP: unstuff a data block line in place: returns 1 if it is the lone
 * terminating ".", 0 otherwise (leading ".." reduced to "."). */
int pp_nntp_unstuff(char *line, size_t *len);

#endif
