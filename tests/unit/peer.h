/* peer.h - a scripted server inside a unit-test program.
 *
 * The peer listens on 127.0.0.1 (a port the kernel picks) and is driven by
 * the test's own event loop: an accept watcher and, per connection, a line
 * reader, so ferry's sessions connect to it with their ordinary
 * conn_connect() and every step happens in an order the test decides.
 *
 * Each received line (CR LF removed) is logged per connection and matched
 * against a rule table: the first rule whose cmd is a prefix of the line
 * (and whose conn, if set, is this connection) acts.  A line no rule
 * matches gets "500 unscripted" and is counted in peer_unscripted().
 *
 * Holding: a rule with hold set waits for peer_release().  A held reply
 * stops the connection's reader (later lines wait behind it, as behind a
 * busy server); a held transfer (PA_RETR) has sent its 150 and waits with
 * the data connection open, the control connection still read (ABOR).
 * Only one thing is held per connection at a time.
 */
#ifndef FERRY_TEST_PEER_H
#define FERRY_TEST_PEER_H

#include <stdbool.h>

struct ev;
struct peer;

enum peer_act {
	PA_REPLY,  /* send reply (CR LF added; "\r\n" inside separates lines) */
	PA_CWD,    /* FTP: move (absolute or relative argument), 250 */
	PA_PWD,    /* FTP: 257 "the directory" */
	PA_EPSV,   /* FTP: open a data listener on 127.0.0.1, 229 (|||port|) */
	PA_RETR,   /* FTP: 150, accept the data connection; then (when
	              released, if held) send reply's bytes on it, close it,
	              226.  A held transfer whose data connection the client
	              closes ends there with 426, as on a server whose send
	              fails. */
	PA_ABOR,   /* FTP: 426 if a transfer still runs (it is dropped with
	              its data connection), then 226 for ABOR */
	PA_CLOSE,  /* close the connection, no reply */
};

struct peer_rule {
	const char *cmd;      /* prefix of the line ("USER", "RETR a.txt") */
	enum peer_act act;
	const char *reply;    /* PA_REPLY: the reply; PA_RETR: the file */
	bool hold;            /* wait for peer_release() */
	int conn;             /* only on the conn-th accepted connection
	                         (1, 2, ...); 0: any */
};

/* greeting is sent on every accepted connection ("220 ready"); rules end
 * with a rule whose cmd is NULL.  Both must outlive the peer. */
struct peer *peer_new(struct ev *ev, const char *greeting, const struct peer_rule *rules);
/* Close every descriptor and free; peer_free(NULL) is safe. */
void peer_free(struct peer *p);
int peer_port(const struct peer *p);

/* Connections accepted so far; i below is 0 for the first one. */
int peer_nconns(const struct peer *p);
/* Every line connection i received, each followed by '\n'. */
const char *peer_lines(const struct peer *p, int i);
/* Lines received by connection i. */
int peer_nlines(const struct peer *p, int i);
/* True while something on connection i waits for peer_release(). */
bool peer_holding(const struct peer *p, int i);
/* Let the held reply or transfer of connection i go on. */
void peer_release(struct peer *p, int i);
/* Close connection i (and its data connection) now, as a server that
 * goes away. */
void peer_drop(struct peer *p, int i);
/* True once connection i is closed (by the client or by peer_drop). */
bool peer_closed(const struct peer *p, int i);
/* Lines no rule matched, over all connections. */
int peer_unscripted(const struct peer *p);
/* The peer's own failures (an accept or a write that failed), "" if none. */
const char *peer_error(const struct peer *p);

#endif
