/* ftp.h - the FTP protocol: its descriptor for proto_register and the pure
 * parsers the unit tests and fuzzers drive.
 *
 * The parsers take bytes from a server reply (usually pp_reply.msg, the
 * first line after "NNN ") and never do I/O.  Anything that does not match
 * the expected shape exactly is ERR_PROTO: a hostile reply gets a clean
 * error, never a guess.
 */
#ifndef FERRY_FTP_H
#define FERRY_FTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

extern const struct proto_desc ftp_proto;

/* 227 reply to PASV: "Entering Passive Mode (h1,h2,h3,h4,p1,p2)".  The
 * numbers may come without parentheses (RFC 1123 4.1.2.6: scan for the
 * first digit) and with blanks after the commas; an opening parenthesis
 * needs its closing one.  Every number is 0..255 and the port must not
 * be 0.  Sets *port and, if addr is not NULL, addr[0..3] (for the trace
 * only: ferry always connects to the control connection's peer).
 * Returns 0 or ERR_PROTO. */
int ftp_parse_227(const char *msg, int *port, unsigned char addr[4]);

/* 229 reply to EPSV: "... (|||port|)" (RFC 2428): the delimiter is any
 * printable non-digit ASCII character, used four times; the protocol and
 * address fields must be empty; port 1..65535.  Returns 0 or ERR_PROTO. */
int ftp_parse_229(const char *msg, int *port);

/* 257 reply (PWD, MKD): the quoted path at the start of msg, with ""
 * inside standing for one '"'.  An empty path, a missing or unterminated
 * quote, or a control byte in the path is ERR_PROTO.  On success *path
 * is a new heap string (caller frees). */
int ftp_parse_257(const char *msg, char **path);

/* 213 reply to SIZE: a decimal number (blanks around it allowed), at most
 * INT64_MAX.  "-1", an empty number, trailing junk or overflow are
 * ERR_PROTO. */
int ftp_parse_size(const char *msg, uint64_t *size);

/* 150 reply to RETR: the size some servers announce, "(N bytes)" (the
 * last such group, N at most INT64_MAX).  Whether N is the whole file or
 * what is left after a REST differs between servers (vsftpd: the whole
 * file, proftpd: the rest), so it is only unambiguous without REST.
 * Returns 0 or ERR_PROTO (no size announced). */
int ftp_parse_150_size(const char *msg, uint64_t *size);

/* 213 reply to MDTM: "YYYYMMDDHHMMSS[.fff]" in UTC.  Sets *t (seconds
 * since the epoch).  Returns 0 or ERR_PROTO. */
int ftp_parse_mdtm(const char *msg, int64_t *t);

/* Features from a FEAT reply text (whole reply, lines joined by '\n'). */
struct ftp_feat {
	bool epsv, mlst, size, mdtm, utf8, rest_stream;
	bool mfmt;           /* MFMT: set a file's modification time */
	bool sscn;           /* SSCN: the server can be the TLS client of a
	                        data connection (server-to-server TLS) */
};
void ftp_parse_feat(const char *text, struct ftp_feat *f);

/* The local name for a remote path as the user typed it: its base name
 * (after the last '/').  "", ".", "..", a trailing '/', and names with
 * control bytes are refused with ERR_USAGE.  On success *name is a new
 * heap string (caller frees). */
int ftp_local_name(const char *remote, char **name);

/* A remote name the user ends with '/' names a directory to go into (mv's
 * target, put's -o). */
bool ftp_names_dir(const char *remote);

/* Error code for a final reply: 0 for 1xx-3xx; 450/550/553 (missing or
 * not permitted) ERR_NOTFOUND; 530/532 ERR_AUTH; 421 ERR_NET; 426
 * (transfer aborted) ERR_PROTO; other 4xx/5xx ERR_FAIL. */
int ftp_reply_err(int code);

/* ascii transfers (TYPE A, RFC 959 3.1.1.1): the network's CRLF line
 * ends to LF and back, over a stream cut anywhere.  *cr carries the state
 * between pieces (false at the start).
 * ftp_ascii_down: CRLF becomes LF, any other CR stays; writes at most n + 1
 * bytes to out (a CR held back from the piece before comes out first) and
 * returns the count.  ftp_ascii_down_end: the CR held back at the end of
 * the stream, if any (0 or 1 byte to out).
 * ftp_ascii_up: LF becomes CRLF unless a CR already precedes it; writes at
 * most 2 * n bytes to out and returns the count. */
size_t ftp_ascii_down(const char *in, size_t n, char *out, bool *cr);
size_t ftp_ascii_down_end(char *out, bool *cr);
size_t ftp_ascii_up(const char *in, size_t n, char *out, bool *cr);

/* True if s may go on the wire as (part of) one command line: no CR, LF
 * or NUL.  (pp_send checks again.) */
bool ftp_arg_ok(const char *s);

#endif
