/* npost.h - the pure parts of posting news (RFC 5536, 5537): the checks an
 * article passes before it is sent, the Subject and References of a
 * followup, RFC 2047 encoding of 8-bit header text, and the wire form
 * (CRLF, dot-stuffing, the final ".").
 *
 * House rule 4: bytes and a length in, a struct buf out (its maximum bounds
 * the result: ERR_TOOLONG past it), no I/O.  Articles are read as lines
 * ending in LF (a CRLF is taken as one line end too).
 */
#ifndef FERRY_NPOST_H
#define FERRY_NPOST_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "nntp.h"

/* RFC 5322 2.1.1: a line (CRLF excluded) is at most 998 octets. */
#define NPOST_LINE_MAX 998

/* The value of header field name (case-insensitive) in the header
 * head[0..len) (lines ending in LF, up to the blank line), folds
 * included, leading blanks and the trailing CR left out.  false when
 * absent. */
bool npost_header_get(const char *head, size_t len, const char *name,
                      struct nntp_span *val);

/* Where the header ends: the offset of the body (after the blank line),
 * or -1 when no blank line separates them. */
long npost_body_offset(const char *art, size_t len);

/* "Re: " and the subject with every leading "Re:", "RE:", "re:", "Re[N]:",
 * "Re^N:" (and the blanks after them) taken out: exactly one "Re: ".
 * 0 or ERR_TOOLONG. */
int npost_subject_re(const char *subj, size_t len, struct buf *out);

/* RFC 5537 3.4.4: the References of a followup: the parent's References
 * (refs, may be empty), then its Message-ID, separated by single blanks.
 * While "References: " and the value would pass NPOST_LINE_MAX octets,
 * the second oldest id is dropped (the first, the thread's start, and the
 * parent's own stay).  Ids that are not valid message-ids are left out.
 * 0, ERR_PROTO (msgid not valid), or ERR_TOOLONG. */
int npost_references(const char *refs, size_t rlen, const char *msgid, size_t mlen,
                     struct buf *out);

/* Check an article before it is sent: a header and a body separated by a
 * blank line; well formed header lines ("Name: value", names of printable
 * ASCII without ':', continuation lines starting with a blank); From,
 * Newsgroups and Subject present and not empty; no NUL and no CR other than
 * in a CRLF line end; body lines of at most NPOST_LINE_MAX octets.  0, or
 * ERR_USAGE with a one-line reason in why (the line number where one
 * helps). */
int npost_check(const char *art, size_t len, char *why, size_t whylen);

/* The header value p[0..len) with its 8-bit words encoded (RFC 2047
 * encoded-words "=?UTF-8?Q?...?=" of at most 75 octets, runs of 8-bit
 * words joined into one).  ASCII text is copied.  0 or ERR_TOOLONG. */
int npost_encode_header(const char *p, size_t len, struct buf *out);

/* The article made ready to send, still with LF line ends: header values
 * holding 8-bit bytes encoded (npost_encode_header; the field names are
 * ASCII after npost_check), and, when the body is not ASCII and the
 * article has no Content-Type, "MIME-Version: 1.0", "Content-Type:
 * text/plain; charset=UTF-8" and "Content-Transfer-Encoding: 8bit" added
 * at the end of the header.  Expects an article that passed npost_check.
 * 0 or ERR_TOOLONG. */
int npost_prepare(const char *art, size_t len, struct buf *out);

/* The wire form: every line ends in CRLF (a LF or CRLF end, and one added
 * to a last line without), a line starting with "." gets another, and the
 * terminating ".\r\n" follows.  0 or ERR_TOOLONG. */
int npost_stuff(const char *art, size_t len, struct buf *out);

/* Each line of body[0..len) with "> " in front (">" before a line that is
 * already quoted or empty).  0 or ERR_TOOLONG. */
int npost_quote(const char *body, size_t len, struct buf *out);

/* Where a followup goes (RFC 5536 3.2.6): Followup-To when present, else
 * Newsgroups; *poster set when Followup-To is "poster" (the author asked
 * for replies by mail).  The span points into the header. */
bool npost_followup_groups(const char *head, size_t len, struct nntp_span *groups,
                           bool *poster);

#endif
