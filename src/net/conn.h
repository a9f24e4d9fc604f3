/* conn.h - one TCP connection, optionally TLS, on the event loop.
 *
 * Non-blocking connect trying every address of a name in turn (IPv6 and
 * IPv4, as getaddrinfo orders them), buffered reads and writes, connect and
 * idle timeouts, TLS through GnuTLS (system trust store plus an extra CA
 * file, SNI except for IP literals, host-name and purpose verification, a
 * minimum TLS version, optional SHA-256 fingerprints trusted besides the
 * CAs or pinned, session resumption, close_notify both ways).
 *
 * Asynchronous operations report through callbacks that are never called
 * from inside the function that started them (they are deferred), so a
 * caller may safely start an operation and then update its own state.
 * After any error the detail is available from conn_error().
 */
#ifndef FERRY_CONN_H
#define FERRY_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"

struct ev;
struct conn;

/* Events delivered to the conn's persistent handler. */
enum conn_event {
	CONN_READABLE,  /* new bytes appended to conn_rbuf() */
	CONN_DRAINED,   /* the write buffer became empty */
	CONN_EOF,       /* the peer closed cleanly (TLS: close_notify, or plain
	                   FIN); unread bytes may remain in conn_rbuf() */
	CONN_ERROR,     /* read/write error, idle timeout (ERR_TIMEOUT), TLS
	                   error, or EOF without close_notify under TLS
	                   (ERR_EOF, "connection cut without TLS close_notify") */
};
typedef void (*conn_event_fn)(struct conn *c, enum conn_event ev, int err, void *arg);
/* Completion of conn_connect, conn_connect_addr and conn_tls_start: err is 0 or negative ERR_*. */
typedef void (*conn_done_fn)(struct conn *c, int err, void *arg);

struct tls_params {
	const char *host;        /* name to verify and send as SNI (SNI
	                            skipped when it is an IP literal) */
	const char *ca_file;     /* extra trusted CAs (PEM), or NULL */
	const char *fingerprint; /* SHA-256 hex of a certificate to accept
	                            even if verification fails, or NULL;
	                            colons and case ignored */
	const char *pin;         /* SHA-256 hex the certificate must have, or
	                            NULL; when set, it alone decides: a
	                            certificate the CAs vouch for but with
	                            another fingerprint fails, and the
	                            message shows both fingerprints */
	int min_version;         /* oldest TLS version to negotiate: 10, 11,
	                            12 or 13 for TLS 1.0...1.3; 0 means 12.
	                            A server offering only older versions
	                            fails the handshake with ERR_TLS. */
	bool verify;             /* false: accept any certificate (only for
	                            a data connection resuming a verified
	                            control session) */
	struct conn *resume_from;/* resume this connection's TLS session
	                            (FTP data channels), or NULL */
};

/* New idle connection; handler receives events until conn_free().
 * conn_free() closes the socket at once (no close_notify) and cancels any
 * pending callbacks; conn_free(NULL) is safe. */
struct conn *conn_new(struct ev *ev, conn_event_fn fn, void *arg);
void conn_free(struct conn *c);

/* Wrap an already connected socket (socketpair in tests and fuzzers);
 * the conn owns fd from then on. */
struct conn *conn_new_fd(struct ev *ev, int fd, conn_event_fn fn, void *arg);

/* Change the persistent event handler (e.g. when a line layer takes over). */
void conn_set_handler(struct conn *c, conn_event_fn fn, void *arg);
/* The owner of a pending conn_connect / conn_tls_start goes away: its
 * done callback will not be called (the connection lives on until
 * conn_free). */
void conn_cancel_done(struct conn *c);

/* Resolve host (a name, an IPv4 or an IPv6 literal without brackets) and
 * connect to port, trying each address until one connects; timeout_ms
 * bounds the whole attempt.  done gets 0, ERR_NET or ERR_TIMEOUT. */
int conn_connect(struct conn *c, const char *host, int port, long timeout_ms,
                 conn_done_fn done, void *arg);
/* Connect to one address (FTP data channels go to the control peer). */
int conn_connect_addr(struct conn *c, const struct sockaddr *sa, socklen_t len,
                      long timeout_ms, conn_done_fn done, void *arg);

/* Start a TLS client handshake.  Fails with ERR_PROTO at once if unread
 * plaintext is buffered (a server that pipelined replies before the
 * handshake).  done gets 0 or ERR_TLS (ERR_TIMEOUT if the handshake takes
 * longer than the idle timeout, or 60 s without one); on a verification
 * failure the error text names the reason and the SHA-256 fingerprint (hex
 * pairs separated by ':'), also available from conn_tls_fingerprint().
 * With resume_from, that connection's current session (taken now, so a
 * TLS 1.3 ticket received after login counts) is offered for resumption. */
int conn_tls_start(struct conn *c, const struct tls_params *p,
                   conn_done_fn done, void *arg);
bool conn_is_tls(const struct conn *c);
/* True if the TLS session was resumed from params.resume_from. */
bool conn_tls_resumed(const struct conn *c);
/* Peer certificate SHA-256 fingerprint ("AB:CD:..."), or NULL. */
const char *conn_tls_fingerprint(const struct conn *c);
/* Short description, e.g. "TLS1.3 AES-256-GCM", or NULL without TLS. */
const char *conn_tls_desc(const struct conn *c);
/* Negotiated version as 10, 11, 12 or 13 (TLS 1.0...1.3), 0 without TLS. */
int conn_tls_version(const struct conn *c);

/* What the `tls` commands show about a connection.  The names are the
 * certificate's, as GnuTLS prints them (RFC 4514): server text, to be
 * escaped before printing. */
struct conn_tls_info {
	char version[16];       /* "TLS1.3" */
	char suite[160];        /* key exchange, signature, cipher and MAC */
	char subject[512];      /* "" when there is no certificate */
	char issuer[512];
	int64_t not_before;     /* seconds since the epoch, -1 unknown */
	int64_t not_after;
	char fingerprint[96];   /* SHA-256, "AB:CD:..." */
	bool resumed;
};
/* Fill *out: 0, or ERR_FAIL when c has no TLS up. */
int conn_tls_info(const struct conn *c, struct conn_tls_info *out);

/* COMPRESS DEFLATE (RFC 8054, net/zio.h) from now on, both ways: call it
 * from the callback of the reply that switched (206), before any other
 * command is written; bytes already received after that reply are taken
 * as compressed.  0, ERR_NET (not connected) or ERR_FAIL (zlib).  A
 * corrupt stream later fails the connection (CONN_ERROR, ERR_PROTO). */
int conn_compress_start(struct conn *c);
bool conn_is_compressed(const struct conn *c);

/* Bytes moved: on the wire (after compression, before TLS) and of data
 * (what the owner wrote and read); equal without COMPRESS. */
struct conn_stats {
	uint64_t in_wire, in_data, out_wire, out_data;
};
void conn_stats(const struct conn *c, struct conn_stats *st);

/* Queue bytes for sending; never blocks.  ERR_NET if the connection is
 * down, ERR_TOOLONG if the write buffer limit (4 MiB) would be passed. */
int conn_write(struct conn *c, const void *p, size_t n);
/* Send what is queued now rather than on the loop's next turn (command
 * lines: one poll() less each).  What it sends is never reported by
 * CONN_DRAINED, so only for an owner that does not wait for that (pp); a
 * send that fails stays queued for the loop to report as CONN_ERROR:
 * nothing is called back from inside. */
void conn_flush(struct conn *c);
size_t conn_wpending(const struct conn *c);

/* Received bytes not yet consumed by the owner (consume with buf_consume).
 * When reading stopped on a full buffer, it resumes on the next loop
 * iteration after the owner calls conn_rbuf() or conn_pause_read(c, false)
 * (consuming inside the CONN_READABLE handler is enough). */
struct buf *conn_rbuf(struct conn *c);
/* Stop or resume reading (back-pressure while a file write is slow). */
void conn_pause_read(struct conn *c, bool paused);
/* Read buffer limit (default 1 MiB); reading pauses when it is full. */
void conn_set_rbuf_max(struct conn *c, size_t max);
/* Bytes asked of one read (16 KiB by default, which keeps the many idle
 * control connections small); a bulk data connection asks for more, for
 * fewer system calls per byte. */
void conn_set_read_chunk(struct conn *c, size_t n);
/* A bulk download: while the peer sends faster than we read (a wake finds
 * a whole read chunk), the socket wakes us only once it holds a chunk
 * (SO_RCVLOWAT), and again on every byte once the mark has not been
 * reached for 100 ms.  End of stream and errors wake at once. */
void conn_set_bulk(struct conn *c);

/* Fail with CONN_ERROR/ERR_TIMEOUT when nothing is received or sent for
 * ms milliseconds while something is outstanding; 0 disables. */
void conn_set_idle_timeout(struct conn *c, long ms);
/* Re-arm the idle timer (call when a command is sent). */
void conn_touch(struct conn *c);

/* Flush the write buffer, send close_notify if TLS (GNUTLS_SHUT_WR),
 * half-close, then report CONN_DRAINED.  Reading goes on until EOF. */
void conn_shutdown(struct conn *c);

bool conn_is_connected(const struct conn *c);
/* True once the peer's EOF was seen or the connection failed, so a new
 * owner that takes the conn over (pp_new) learns of an event it missed. */
bool conn_at_eof(const struct conn *c);
/* Address of the connected peer / of our end. */
int conn_peer(const struct conn *c, struct sockaddr_storage *ss, socklen_t *len);
int conn_local(const struct conn *c, struct sockaddr_storage *ss, socklen_t *len);
/* Last error detail, "" if none; valid until the next operation. */
const char *conn_error(const struct conn *c);

/* A listening socket for incoming connections (FTP active mode), bound to
 * local's address with a port the kernel picks.  Each connection accepted
 * goes to fn with its peer's address; fn owns fd (non-blocking, close on
 * exec) from then on.  Returns the listener, or NULL with the reason in
 * err.  conn_listener_free(NULL) is safe. */
struct conn_listener;
typedef void (*conn_accept_fn)(int fd, const struct sockaddr_storage *peer, void *arg);
struct conn_listener *conn_listen(struct ev *ev, const struct sockaddr_storage *local,
                                  conn_accept_fn fn, void *arg,
                                  char *err, size_t errlen);
int conn_listener_port(const struct conn_listener *l);
void conn_listener_free(struct conn_listener *l);
/* True when a and b are the same IP address (ports are not compared; an
 * IPv4-mapped IPv6 address equals its IPv4 form). */
bool conn_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* Global TLS setup/teardown: loads GnuTLS (tlslib.h) and initialises it.
 * Done by the first TLS connection anyway; 0, or ERR_TLS when the library
 * cannot be loaded. */
int conn_tls_global_init(void);
void conn_tls_global_deinit(void);

#endif
