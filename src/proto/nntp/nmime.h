/* nmime.h - MIME decoding for news articles: RFC 2047 encoded-words in
 * header fields, unfolding, quoted-printable and base64 bodies, and
 * charset conversion to UTF-8.
 *
 * Pure decoders over bytes and a length (house rule 4): no I/O, no
 * globals.  Charsets are converted with glibc's iconv, which may load its
 * conversion modules on first use.  Output is appended to a struct buf
 * whose maximum bounds it: past it a function returns ERR_TOOLONG and what
 * it had appended stays (possibly cut inside a character).
 *
 * The output is NOT escaped.  It is UTF-8 where the input allowed, but may
 * hold control bytes, bidi controls and invalid UTF-8 (a body or word
 * whose bytes are not what its charset says, an undeclared 8-bit byte):
 * it reaches the terminal only through ui (ui_server*, ui_escape), house
 * rule 6.  Escaping here would mangle it for a file or a pipe.
 */
#ifndef FERRY_NMIME_H
#define FERRY_NMIME_H

#include <stddef.h>

#include "buf.h"

/* Unfold a header field (RFC 5322 2.2.3): a CRLF or bare LF followed by a
 * blank or TAB is taken out; the blank stays.  Other bytes are copied.
 * 0 or ERR_TOOLONG. */
int nmime_unfold(const char *p, size_t len, struct buf *out);

/* Decode a header field's value to UTF-8, unfolding it as well.
 * Encoded-words "=?charset?Q?text?=" and "=?charset?B?text?=" (RFC 2047;
 * "charset*lang" of RFC 2231 allowed, the language dropped) are decoded
 * wherever they stand, also inside quotes and next to other text, as
 * readers do.  Blanks and folds between two encoded-words are dropped, and
 * adjacent words of one charset are converted together, so a character
 * split across two words survives.  A word is kept as it was sent when its
 * charset is unknown to iconv, its Q text has a bad "=" escape, its B text
 * is not base64 (missing padding is fine), or it holds a blank.  Text
 * outside encoded-words is copied (8-bit bytes as they are).  "us-ascii"
 * and "iso-8859-1" are read as windows-1252, as mail and web software
 * does: the bytes 0x80-0x9f are its letters far more often than C1
 * controls.  0 or ERR_TOOLONG. */
int nmime_decode_header(const char *p, size_t len, struct buf *out);

/* Quoted-printable body (RFC 2045 6.7): "=XX" (either case) is the byte,
 * "=" at the end of a line (blanks may follow it) joins it to the next,
 * blanks at the end of a line are dropped (transports add them), a "="
 * that starts neither is kept.  Line ends are copied as they are (CRLF or
 * LF).  0 or ERR_TOOLONG. */
int nmime_qp_decode(const char *p, size_t len, struct buf *out);

/* Base64 body (RFC 2045 6.8): bytes outside the alphabet (line ends,
 * blanks, junk) are skipped, "=" ends a group early, a last group without
 * padding is decoded as far as it goes.  0 or ERR_TOOLONG. */
int nmime_b64_decode(const char *p, size_t len, struct buf *out);

/* Convert p[0..len) from the charset named cs[0..cslen) to UTF-8: "UTF-8"
 * is copied as it is, "us-ascii" and "iso-8859-1" are read as
 * windows-1252 (see above), others go through iconv.  A byte sequence that
 * is invalid in the charset becomes U+FFFD.  Charset names are 1..40
 * bytes of letters, digits and "-_.:+" (no "//" options for iconv).
 * 0, ERR_PROTO for a name iconv does not know (nothing appended: the
 * caller shows the bytes raw), or ERR_TOOLONG. */
int nmime_to_utf8(const char *cs, size_t cslen, const char *p, size_t len,
                  struct buf *out);

#endif
