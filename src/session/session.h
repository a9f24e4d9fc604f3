/* session.h - sessions: the registry, names, focus, routing, reconnect,
 * keepalive.
 *
 * A session remembers where it connects (host, port, credentials, TLS
 * policy) and where it is (directory or group, kept by the protocol).  Its
 * control connection may drop and come back: session_ensure() reconnects,
 * logs in and restores the location before a command runs.
 */
#ifndef FERRY_SESSION_H
#define FERRY_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "proto.h"

struct ev;
struct conn;
struct pp;
struct config;
struct ev_timer;

enum sess_state {
	SESS_DISCONNECTED, /* not connected (new, dropped, or after an error) */
	SESS_CONNECTING,   /* connect, TLS, greeting, login in progress */
	SESS_READY,        /* logged in, no foreground operation */
	SESS_BUSY,         /* a command is running on it */
};

struct session {
	int id;                      /* 1, 2, ... never reused */
	char *name;                  /* unique; defaults to host */
	const struct proto_desc *proto;
	void *pdata;                 /* protocol state (proto->ops->init) */

	/* Where to connect (from the URL, ~/.netrc and settings). */
	char *host;
	int port;
	char *user;                  /* NULL: protocol default (anonymous) */
	char *pass;
	char *start_path;            /* path or group from the URL, or NULL */
	enum tls_mode tls;           /* resolved: never TLS_AUTO from scheme
	                                unless the setting says auto */

	/* The live connection, while connected. */
	struct conn *conn;
	struct pp *pp;

	enum sess_state state;
	int64_t last_used_ms;        /* ev_now_ms() of the last command */
	char err[512];               /* one-line reason of the last failure */

	char *fingerprint;           /* SHA-256 trusted besides the CAs: the
	                                tls:fingerprint taken when the session
	                                was created, else the one trusted
	                                always for host:port, or the user's
	                                answer to the trust question */
	bool trust_read;             /* the file of certificates trusted
	                                always was looked up */
	char *pin;                   /* tls:pin taken when the session was
	                                created: the certificate must have
	                                this SHA-256, whatever the CAs say */
	char *bad_fingerprint;       /* SHA-256 of the certificate that failed
	                                verification at the last login, or NULL */

	struct ev *ev;
	struct config *cfg;
	struct session_reg *reg;
	struct ev_timer *keepalive;
};

struct session_reg;

/* Registry of all sessions; owns them.  session_reg_free(NULL) is safe. */
struct session_reg *session_reg_new(struct ev *ev, struct config *cfg);
void session_reg_free(struct session_reg *reg);
/* A setting changed: sessions pick up what they keep armed (the
 * keepalive interval) now, not at their next tick. */
void session_reg_settings_changed(struct session_reg *reg);
/* True while closed sessions are still saying goodbye (QUIT in flight);
 * the shell runs the loop until false (bounded: 2 s) before exiting. */
bool session_reg_closing(struct session_reg *reg);

/* Create a session from a URL (not connected yet).  name may be NULL (the
 * host, made unique with "-2", "-3"...).  The session takes (and clears)
 * the one-shot settings tls:fingerprint and tls:pin and keeps them for its
 * whole life: reconnects and data connections use them too.  Returns 0
 * with *out set, or ERR_USAGE with a constant reason in *why (the
 * settings are then left alone). */
int session_create(struct session_reg *reg, const char *url, const char *name,
                   struct session **out, const char **why);
/* Log out and free a session (focus moves to the most recently used). */
void session_close(struct session *s);

/* Connect, log in and restore the location if not SESS_READY, then call
 * done(s, err, arg) (deferred, never re-entrant).  On failure s->err has
 * the reason and the session is SESS_DISCONNECTED. */
void session_ensure(struct session *s, proto_done_fn done, void *arg);
/* A session is a site with a small pool of control connections, one
 * operation on each at a time.  session_acquire() finds the operation a
 * connection: a free one (preferably already where the site is), else a
 * new one logged in alike and put where the site is, while fewer than
 * net:connection-limit exist, else it waits in line.  Then it ensures the
 * connection (connect, log in), moves it where the site is if it is not
 * (proto relocate: CWD, GROUP) and calls done(c, 0, arg) with c, that
 * connection (the site or one of its extra sessions, which share its
 * name), busy and held; or done(c, err, arg), not held.  The holder calls
 * session_release(c) when its operation ends.  A connection the server
 * refuses lowers the limit for the site and the operation waits instead.
 * Extra connections close after net:idle seconds unused.  Never calls
 * done from inside session_acquire.  The lease may be cancelled until
 * done is called (done is then never called). */
struct session_lease;
struct session_lease *session_acquire(struct session *s, proto_done_fn done, void *arg);
void session_lease_cancel(struct session_lease *l);
/* True while the lease waits in line (no login started for it yet). */
bool session_lease_waiting(const struct session_lease *l);
/* The connection being made ready for it, once out of line (else NULL). */
struct session *session_lease_conn(const struct session_lease *l);
void session_release(struct session *s);
/* Operations waiting in line for s (not counting the holder). */
int session_waiting(struct session *s);
/* True while an operation holds one of the site's connections or waits. */
bool session_in_use(struct session *s);
/* The site a connection belongs to (s itself for a site). */
struct session *session_site(struct session *s);
/* Control connections the site has (1 + extra ones). */
int session_connections(struct session *s);
/* Bytes the site's connections moved, open and closed ones: on the wire
 * and of data (they differ under NNTP COMPRESS). */
void session_bytes(struct session *s, struct conn_stats *out);
/* Where the site is (the directory or group the user last moved to), for
 * the prompt and `sessions`; s may be any of its connections. */
const char *session_location(struct session *s);

/* Drop the connection now (after an error or Ctrl-C while in a state the
 * protocol cannot recover from); the next session_ensure reconnects. */
void session_drop(struct session *s, const char *why);
/* Mark used now (for routing and the idle column) and busy/ready. */
void session_touch(struct session *s);
void session_set_busy(struct session *s, bool busy);

/* Why s failed, for a one-line message: "NAME: REASON" (s->err escaped,
 * else err_str(err)), without "NAME: " when the name is the host and the
 * reason names it already ("cannot connect to 127.0.0.1 port 1: Connection
 * refused").  Heap; the caller frees. */
char *session_failure(const struct session *s, int err);

/* printf into s->err; returns err for chaining (`return session_fail(..)`). */
int session_fail(struct session *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fill TLS parameters for s->host from the settings (tls:ca-file,
 * tls:min-version) and the session's fingerprint and pin.  The strings
 * stay valid while s lives. */
void session_tls_params(struct session *s, struct tls_params *p);

/* Trust the certificate with this SHA-256 fingerprint for the rest of the
 * session (the user answered "once" or "always" to the question). */
void session_trust(struct session *s, const char *fp);

/* Passwords asked of a person.  The protocols know no terminal: when a
 * login needs a password and none is known they call
 * session_need_password(), and whoever set an asker (the shell, at a
 * terminal) asks.  The answer is kept on the site, in memory only (wiped
 * when the session is freed), so reconnects and extra connections reuse
 * it. */
struct session_pass_q;
/* Put the question for s->user at s->host and answer it later with
 * session_pass_answer(q, ...); return false, asking nothing, when no
 * person can be asked now. */
typedef bool (*session_asker_fn)(void *arg, struct session *s, struct session_pass_q *q);
void session_reg_set_asker(struct session_reg *reg, session_asker_fn ask, void *arg);
/* For a login: s needs a password for s->user and has none.  False when
 * none can be asked (the caller fails as it would have); else true, and
 * later done(s, 0, arg) with s->pass set, or done(s, ERR_INTR, arg) when
 * the person cancelled.  Never called once s's connection is gone. */
bool session_need_password(struct session *s, proto_done_fn done, void *arg);
/* The person's answer (copied; NULL: cancelled).  Frees q. */
void session_pass_answer(struct session_pass_q *q, const char *pass);
/* Who the question is for, for its text ("Password for USER@HOST: "), or
 * NULL when the connection asking is gone. */
struct session *session_pass_session(struct session_pass_q *q);

/* `user NAME [PASS]`: the site's login from now on (PASS NULL: ~/.netrc
 * for NAME, else asked at the next login); its connections are dropped,
 * so the next use logs in again.  s must not be in use. */
void session_set_login(struct session *s, const char *user, const char *pass);

/* Lookups.  session_find accepts a name or a numeric id. */
struct session *session_find(struct session_reg *reg, const char *name_or_id);
struct session *session_focus(struct session_reg *reg);
void session_set_focus(struct session_reg *reg, struct session *s);
/* Most recently used session of protocol p, or NULL. */
struct session *session_recent(struct session_reg *reg, const struct proto_desc *p);
/* Iterate in id order: first, then next(s) until NULL. */
struct session *session_first(struct session_reg *reg);
struct session *session_next(struct session *s);
int session_count(struct session_reg *reg);

const char *session_state_name(enum sess_state st);

#endif
