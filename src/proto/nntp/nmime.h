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

#include <stdbool.h>

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

/* ---- MIME structure (RFC 2045, 2046) ----
 *
 * An article (header, blank line, body; lines ending in LF or CRLF) is cut
 * into its leaf parts: a multipart body into the parts between its
 * boundary lines, nested multiparts walked in turn, anything else is one
 * part.  Offsets point into the article; nothing is copied. */

/* More parts than this are not listed (t->truncated); deeper nesting than
 * NMIME_MAX_DEPTH is one opaque part (t->too_deep). */
#define NMIME_MAX_PARTS 200
#define NMIME_MAX_DEPTH 8

struct nmime_part {
	size_t hoff, hlen;       /* the part's header: the article's own for a
	                            single-part article; may be empty */
	size_t boff, blen;       /* its body, still encoded */
	unsigned depth;          /* 0: the article is the part */
};

struct nmime_tree {
	struct nmime_part part[NMIME_MAX_PARTS];
	size_t n;
	bool multipart;          /* the article is multipart */
	bool truncated;          /* parts past NMIME_MAX_PARTS left out */
	bool too_deep;
	bool unterminated;       /* a multipart whose closing boundary never
	                            came: its last part runs to its end */
};

/* Cut art[0..len) into t's leaf parts.  Always succeeds (a multipart
 * without a boundary parameter or without any boundary line is one
 * part); the flags say what was odd. */
void nmime_parts(const char *art, size_t len, struct nmime_tree *t);

/* The value of header field name in h[0..len) (folds included, leading
 * blanks skipped, line ends left in): true with *v and *vlen. */
bool nmime_header(const char *h, size_t len, const char *name,
                  const char **v, size_t *vlen);

/* The "type/subtype" of a Content-Type value, lower-cased, into
 * out[0..cap) (cut to fit); "text/plain" when v is NULL, empty or not a
 * type (RFC 2045 5.2). */
void nmime_ctype(const char *v, size_t len, char *out, size_t cap);

/* Parameter name of a Content-Type or Content-Disposition value, to
 * out: quoted strings unquoted, RFC 2231 continuations ("name*0",
 * "name*1*"...) joined in order and their %XX and charset undone to UTF-8,
 * and, when decode is set, RFC 2047 words in a plain value decoded (as
 * mailers send file names).  1 found, 0 absent (nothing appended),
 * ERR_PROTO for continuations with a gap or a bad %XX, ERR_TOOLONG. */
int nmime_param(const char *v, size_t len, const char *name, bool decode,
                struct buf *out);

/* The decoded bytes of a part's body by its Content-Transfer-Encoding:
 * base64, quoted-printable, x-uuencode (or uuencode), else as they are
 * (7bit, 8bit, binary, none).  Strict, for saving: base64 with bytes
 * outside its alphabet and blanks, or data after its padding, a uuencode
 * without its "begin" and "end" lines, and an unknown encoding are
 * ERR_PROTO with *why set to a short reason.  0, ERR_PROTO, ERR_TOOLONG. */
int nmime_part_decode(const char *art, const struct nmime_part *p,
                      struct buf *out, const char **why);

#endif
