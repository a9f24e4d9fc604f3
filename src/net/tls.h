/* tls.h - GnuTLS behind conn.c; private to conn.c and tls.c.
 *
 * One struct tls per connection.  Every function is non-blocking: ERR_AGAIN
 * means "call again when the socket is ready", in the direction
 * tls_want_write() reports.  Error texts go to the caller's buffer.
 * Nothing here calls back into conn or its owner.
 */
#ifndef FERRY_TLS_H
#define FERRY_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conn.h"

struct tls;

/* New client session on connected socket fd.  port is the peer port (the
 * key of the session cache).  p->resume_from's TLS state, if any, is
 * passed as from.  Returns 0 with *out set, or ERR_TLS with err filled. */
int tls_new(struct tls **out, int fd, const struct tls_params *p, int port,
            struct tls *from, char *err, size_t errlen);
/* Frees t (NULL is safe).  Remembers a resumable session in the process
 * cache first, so a later connection to the same place can resume. */
void tls_free(struct tls *t);

/* Handshake step: 0 when done and the peer accepted (verified, trusted by
 * fingerprint, matching the pin, or verification off), ERR_AGAIN, ERR_TLS
 * or ERR_NET with err filled. */
int tls_handshake(struct tls *t, char *err, size_t errlen);
/* After ERR_AGAIN: true if GnuTLS waits to write, false to read. */
bool tls_want_write(const struct tls *t);

/* > 0 bytes read; 0 at close_notify; ERR_AGAIN; ERR_EOF (cut without
 * close_notify), ERR_NET or ERR_TLS with err filled. */
ssize_t tls_recv(struct tls *t, void *p, size_t n, char *err, size_t errlen);
/* > 0 bytes sent; ERR_AGAIN (call again with the same bytes); ERR_NET or
 * ERR_TLS with err filled. */
ssize_t tls_send(struct tls *t, const void *p, size_t n, char *err, size_t errlen);
/* Bytes that poll() cannot see: decrypted ones GnuTLS holds, and those
 * read ahead from the socket. */
size_t tls_pending(const struct tls *t);
/* Read the socket ahead, up to size bytes per recv, for a connection
 * that carries a stream of full records (a download): one system call
 * for several records instead of two per record.  Once set, stays. */
void tls_readahead(struct tls *t, size_t size);
/* close_notify (GNUTLS_SHUT_WR): 0, ERR_AGAIN, or an error. */
int tls_bye(struct tls *t, char *err, size_t errlen);

bool tls_resumed(const struct tls *t);
const char *tls_fingerprint(const struct tls *t);
const char *tls_desc(const struct tls *t);
/* Negotiated version as 10, 11, 12 or 13 (TLS 1.0...1.3); 0 before the
 * handshake is done. */
int tls_version(const struct tls *t);
/* The session and the peer's certificate (conn_tls_info): 0, or ERR_FAIL
 * before the handshake is done. */
int tls_info(const struct tls *t, struct conn_tls_info *out);

int tls_global_init(void);
void tls_global_deinit(void);

#endif
