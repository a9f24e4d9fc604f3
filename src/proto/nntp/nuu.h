/* nuu.h - files carried inside a text body, as Usenet carried them before
 * MIME: uuencoded blocks ("begin 644 NAME", lines, "end") and yEnc blocks
 * ("=ybegin ... name=NAME", lines, "=yend size=N crc32=X").
 *
 * Pure functions over bytes and a length (house rule 4): no I/O.  Lines
 * end in LF or CRLF.  Found blocks are offsets into the text; nothing is
 * copied.  Decoded output goes to a struct buf whose maximum bounds it
 * (ERR_TOOLONG past it); decoding never grows the data.
 *
 * A block's file name is the begin line's bytes as sent: it is NOT checked
 * here (the caller checks it as it checks a MIME part's name before using
 * it for a local file) and the mode of a "begin" line is never returned:
 * a saved file gets the usual mode, never the sender's bits.
 */
#ifndef FERRY_NUU_H
#define FERRY_NUU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum nuu_kind { NUU_UU, NUU_YENC };

struct nuu_block {
	enum nuu_kind kind;
	size_t off, len;         /* the block: its begin line to its end line,
	                            that line's break included */
	size_t noff, nlen;       /* its file name, inside the begin line */
	bool ended;              /* the end line ("end", "=yend") came; else
	                            the block stops before the first line that
	                            cannot be its data (uu) or at the end of
	                            the text (yEnc) */
	unsigned part;           /* yEnc: part=N of a multi-part file, else 0 */
};

/* The first block whose begin line starts at a line start at or after
 * from (from itself a line start) in p[0..len): true with *b.  A uu begin
 * line is "begin", a blank, 3 or 4 octal digits, a blank and a name, and
 * counts only when the next line is uuencoded data or "end"; a yEnc one
 * is "=ybegin " with a "name=" keyword (the rest of the line) and no
 * blank name. */
bool nuu_next(const char *p, size_t len, size_t from, struct nuu_block *b);

/* The decoded bytes of block b of p (as nuu_next found it).  uu: every
 * data line's length character must agree with its groups.  yEnc: the
 * size of "=ybegin" and of "=yend" and the crc32 (pcrc32 for a part) of
 * "=yend" must match what was decoded; a part of a multi-part file is
 * refused (ferry does not join parts).  0, ERR_PROTO with *why a short
 * reason (what was decoded so far stays in out), or ERR_TOOLONG. */
int nuu_decode(const char *p, const struct nuu_block *b, struct buf *out,
               const char **why);

/* A uuencoded MIME body (Content-Transfer-Encoding: x-uuencode): the
 * lines after the first line starting with "begin " up to "end".  No
 * "begin" or no "end" is ERR_PROTO with *why.  0, ERR_PROTO, ERR_TOOLONG. */
int nuu_uu_body(const char *p, size_t len, struct buf *out, const char **why);

#endif
