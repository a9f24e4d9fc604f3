/* ftp_list.h - directory listings, parsed into one entry type: MLSD and
 * MLST lines (RFC 3659), UNIX "ls -l" lines (vsftpd, pure-ftpd, proftpd,
 * servers that run /bin/ls) and DOS lines (IIS).
 *
 * Pure functions over bytes (house rule 4): a line and its length in, an
 * entry out, no I/O.  The line may hold any bytes; nothing is read past
 * len, and no NUL terminator is needed.  The only allocations are the
 * entry's strings.
 *
 * What a listing says is server text: a name may hold blanks, control
 * bytes, "/" or invalid UTF-8.  It is shown through ui (house rule 6) and
 * checked with ftp_ent_name_safe() before it names anything local.
 */
#ifndef FERRY_FTP_LIST_H
#define FERRY_FTP_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits: a longer line is ERR_TOOLONG, a longer owner or group
 * ERR_PROTO.  A line holds at most a path (PATH_MAX 4096) and a symlink
 * target besides its fields. */
#define FTP_LIST_LINE_MAX 16384
#define FTP_LIST_FIELD_MAX 256

/* The one positive result of the parsers: the line is no entry (blank,
 * "total N", ".", "..", MLSD's cdir and pdir).  Not an error (house rule
 * 7 keeps negative values for those). */
#define FTP_LIST_SKIP 1

enum ftp_ent_type {
	FTP_ENT_UNKNOWN,  /* the listing did not say (MLSD without type) */
	FTP_ENT_FILE,
	FTP_ENT_DIR,
	FTP_ENT_LINK,     /* never followed, never made locally (A2) */
	FTP_ENT_DEVICE,   /* character or block device */
	FTP_ENT_OTHER,    /* FIFO, socket, door, MLSD "unknown", other OS types */
};

struct ftp_ent {
	char *name;           /* as sent; never NULL in a parsed entry */
	char *target;         /* symlink target ("name -> target"), or NULL */
	char *owner, *group;  /* NULL when the line has none */
	enum ftp_ent_type type;
	int64_t size;         /* bytes, 0..INT64_MAX; -1 unknown */
	int64_t mtime;        /* UTC seconds since 1970; -1 unknown (or before 1970) */
	bool mtime_precise;   /* mtime known, and the line gave year, day
	                         and time of day: MLSD (UTC, seconds), DOS and
	                         ISO dates (the server's clock, minutes); not a
	                         UNIX date whose year was guessed or whose
	                         time is missing */
	int mode;             /* permission bits (07777); -1 unknown */
	int dev_major, dev_minor; /* a device's numbers when given; -1 otherwise */
};

/* The empty entry: no strings, every number unknown. */
void ftp_ent_init(struct ftp_ent *e);

/* Frees the entry's strings and makes it empty again; safe to call twice
 * and on an entry that a parser left empty. */
void ftp_ent_clear(struct ftp_ent *e);

/* One MLSD line, or the entry line of an MLST reply (which starts with
 * one blank: it is allowed and skipped): "fact=value;...; name".  The
 * facts end at the first blank, each ends with ';', names are
 * case-insensitive, unknown ones are ignored and a known one twice is
 * ERR_PROTO; at least one fact is required.  The name is everything after
 * that blank (blanks, ';' and '=' included).  Read: type (file, dir,
 * cdir, pdir, OS.unix=symlink, OS.unix=slink:TARGET, OS.unix=chr-MAJ/MIN,
 * OS.unix=blk-MAJ/MIN, anything else is FTP_ENT_OTHER), size (else sizd),
 * modify (YYYYMMDDHHMMSS[.fff]), UNIX.mode (octal), UNIX.ownername (else
 * UNIX.owner, else UNIX.uid) and UNIX.groupname (else UNIX.group, else
 * UNIX.gid).  A trailing LF, CRLF or CR is not part of the line.
 *
 * *e is overwritten without being freed.  Returns 0 with an entry whose
 * strings the caller owns (ftp_ent_clear frees them), FTP_LIST_SKIP,
 * ERR_TOOLONG (over FTP_LIST_LINE_MAX) or ERR_PROTO (a NUL anywhere, a
 * malformed fact, a bad number or date, an empty name); after anything
 * but 0, *e is empty. */
int ftp_list_parse_mlsd(const char *line, size_t len, struct ftp_ent *e);

/* One LIST line, UNIX or DOS (a line starting with a digit is DOS).
 *
 * UNIX: "MODE [LINKS] OWNER [GROUP] SIZE DATE NAME".  MODE is the type
 * letter (- d l c b p s D) and nine permission letters, maybe followed by
 * '+', '@' or '.' (ACL, extended attributes, SELinux).  With two columns
 * between MODE and SIZE, a numeric first one is the link count (no group
 * column), else they are owner and group.  A device has "MAJOR, MINOR"
 * or "MAJOR,MINOR" in place of SIZE (size -1).  DATE is "Mon DD HH:MM"
 * (the year is now's, or the one before when that would put the date more
 * than a day after now), "Mon DD YYYY" (midnight) or "YYYY-MM-DD HH:MM";
 * month names are English, any case.  The name starts after the one blank
 * that follows the date, so leading blanks are kept; for a symlink "NAME
 * -> TARGET" splits at the first " -> " (an empty target is NULL).
 *
 * DOS: "MM-DD-YY[YY] HH:MM[AM|PM] <DIR>|SIZE NAME"; a two-digit year is
 * 1970..2069.  The name starts where IIS puts it (22 columns after the
 * time) when the blanks reach that far, else at the first non-blank, so
 * leading blanks are kept only in IIS's layout.
 *
 * A line with an impossible date (Feb 30, 24:00) is ERR_PROTO; now (UTC
 * seconds) only places a date without a year.  Returns, and *e, as for
 * ftp_list_parse_mlsd. */
int ftp_list_parse_line(const char *line, size_t len, int64_t now,
                        struct ftp_ent *e);

/* True if name may be used as one local file name, or joined under a
 * local directory, by get, mget and mirror: not empty, not "." or "..",
 * no '/', no control bytes (C0, DEL).  Backslashes, colons, a
 * leading '-' or '~' and 8-bit bytes are allowed: they are literal
 * characters of a local name (A4, A6). */
bool ftp_ent_name_safe(const char *name);

#endif
