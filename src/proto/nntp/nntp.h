/* nntp.h - NNTP (RFC 3977, 4642 STARTTLS, 4643 AUTHINFO): the protocol
 * descriptor and the pure parsers behind it (nntp_parse.c).
 *
 * The parsers take bytes and a length, never allocate, never do I/O, and
 * point into their input for text fields.  Numbers are 64-bit: article
 * numbers above 2^31 are ordinary on big servers.
 */
#ifndef FERRY_NNTP_H
#define FERRY_NNTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

extern const struct proto_desc nntp_proto;

/* A piece of the input: p[0..len), not NUL-terminated. */
struct nntp_span {
	const char *p;
	size_t len;
};

/* Decimal digits only (no sign, no blanks), at least one, value fits in 64
 * bits.  0 or ERR_PROTO. */
int nntp_parse_u64(const char *p, size_t len, uint64_t *out);

/* The status code of a reply line: "NNN" alone or followed by a blank,
 * 100..599; -1 otherwise. */
int nntp_status_code(const char *line, size_t len);

/* "211 count low high group" (GROUP, LISTGROUP).  An empty group is
 * reported with count 0, or with high < low (commonly high = low - 1, or
 * "0 0 0"); empty is then true and count is 0.  The name may be missing
 * (name.len 0); words after it are ignored.  0 or ERR_PROTO. */
struct nntp_group {
	uint64_t count, low, high;
	bool empty;
	struct nntp_span name;
};
int nntp_parse_group(const char *line, size_t len, struct nntp_group *g);

/* "22x n <message-id>" (ARTICLE, HEAD, BODY, STAT, NEXT, LAST); n is 0
 * when the article was asked for by message-id on some servers.  The
 * message-id must be valid (nntp_msgid_valid).  0 or ERR_PROTO. */
int nntp_parse_article_status(const char *line, size_t len, uint64_t *num,
                              struct nntp_span *msgid);

/* RFC 3977 3.6: "<", 1..248 printable US-ASCII bytes other than ">",
 * ">" (3..250 bytes in all).  Rejects blanks, CR, LF, NUL, 8-bit. */
bool nntp_msgid_valid(const char *p, size_t len);

/* A newsgroup name to put in a command: 1..497 bytes, no blanks or
 * control bytes, none of the wildmat specials  ! * , ? [ \ ] . */
bool nntp_group_valid(const char *p, size_t len);
/* A wildmat argument (LIST ACTIVE): 1..497 bytes, no blanks or controls. */
bool nntp_wildmat_valid(const char *p, size_t len);

/* Article ranges as typed: "N", "N-" (to the end), "N-M" (N <= M).
 * 0 or ERR_USAGE. */
struct nntp_range {
	uint64_t low, high;   /* high is UINT64_MAX when open */
	bool open;            /* "N-" */
	bool single;          /* "N" */
};
int nntp_parse_range(const char *s, struct nntp_range *r);

/* One overview line (OVER/XOVER): number TAB Subject TAB From TAB Date TAB
 * Message-ID TAB References TAB bytes TAB lines [TAB extra...].  Missing
 * trailing fields are empty; bytes and lines may be empty, a number, or
 * "Bytes: N" / "Lines: N" (servers following an old OVERVIEW.FMT); extra
 * fields are kept as sent ("Xref: host group:1").  Only the article
 * number is required.  0 or ERR_PROTO. */
enum {
	NNTP_OV_SUBJECT, NNTP_OV_FROM, NNTP_OV_DATE, NNTP_OV_MSGID,
	NNTP_OV_REFS, NNTP_OV_BYTES, NNTP_OV_LINES, NNTP_OV_NFIELDS
};
struct nntp_over {
	uint64_t num;
	struct nntp_span f[NNTP_OV_NFIELDS];
	uint64_t bytes, lines;
	bool has_bytes, has_lines;
	struct nntp_span extra;   /* everything after the lines field */
	size_t nextra;            /* number of extra fields */
};
int nntp_parse_over(const char *line, size_t len, struct nntp_over *o);
/* Value of extra field "Name: value" (case-insensitive name); returns
 * true and sets *val when present. */
bool nntp_over_extra(const struct nntp_over *o, const char *name,
                     struct nntp_span *val);

/* CAPABILITIES (101 block, lines ending in '\n'). */
struct nntp_caps {
	bool version2;        /* VERSION lists 2 */
	bool reader;          /* READER */
	bool mode_reader;     /* MODE-READER */
	bool starttls;        /* STARTTLS */
	bool authinfo;        /* AUTHINFO present */
	bool authinfo_user;   /* AUTHINFO USER */
	bool over;            /* OVER */
	bool over_msgid;      /* OVER MSGID */
	bool hdr;             /* HDR */
	bool list_active;     /* LIST ... ACTIVE ... */
	bool post;            /* POST */
	bool compress_deflate;/* COMPRESS DEFLATE */
};
void nntp_parse_caps(const char *block, size_t len, struct nntp_caps *c);

/* Does the reply with this code to this command line carry a data block?
 * Known commands: ARTICLE 220, HEAD 221, BODY 222, LISTGROUP 211, LIST
 * 215, OVER/XOVER 224, HDR 225, XHDR/XPAT 221, NEWNEWS 230, NEWGROUPS
 * 231, HELP 100, CAPABILITIES 101, XGTITLE 282; other known commands
 * never.  Unknown commands: 100, 101, 215, 220-222, 224, 225, 230, 231,
 * 282 (not 211). */
bool nntp_has_block(const char *cmdline, int code);
/* The block code of a command line: the code above, 0 for a known
 * command without a block, -1 for an unknown command. */
int nntp_block_code(const char *cmdline);
/* The want_block function (pp.h) for a command line: NULL when the command
 * never has a block; the functions ignore their argument (pp calls them
 * with NULL after pp_cancel_all). */
pp_want_block_fn nntp_want_block_for(const char *cmdline);

/* "111 yyyymmddhhmmss" -> "yyyy-mm-dd hh:mm:ss" (out: at least 20 bytes).
 * 0 or ERR_PROTO. */
int nntp_parse_date(const char *line, size_t len, char *out, size_t outlen);

#endif
