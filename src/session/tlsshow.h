/* tlsshow.h - what the `tls` commands of FTP and NNTP print about a
 * connection's TLS: version (and whether the session was resumed), cipher
 * suite, the server certificate's subject, issuer, validity (said to be
 * expired or not yet valid) and SHA-256 fingerprint.  One line each,
 * "LABEL        VALUE", the certificate's text escaped (the server chose
 * it). */
#ifndef FERRY_TLSSHOW_H
#define FERRY_TLSSHOW_H

struct cmdctx;
struct conn;

/* Print c's TLS to the command's output: 0, ERR_FAIL (nothing printed)
 * when c is NULL or in clear, or the output's error. */
int tlsshow_print(struct cmdctx *ctx, struct conn *c);

#endif
