/* redact.h - passwords out of what the user typed (history, argv).
 *
 * A typed line may carry passwords: in a URL (scheme://user:PASS@host,
 * or the bare user:PASS@host that `open` takes), in `open -u USER,PASS`
 * (lftp's form), or as the argument of a
 * raw login command: `quote PASS x`, `quote AUTHINFO PASS x`, `quote
 * AUTHINFO SASL MECH RESPONSE`, `site PSWD|PASSWD ...` (also through
 * quote) and `user NAME PASS`.  Command names may be abbreviated and any
 * case is accepted, so a line that fails to run is cleaned too.  Words,
 * quotes and ';' are read as argv.h reads them, leniently: an open quote
 * runs to the end.  Pure: no I/O, no globals.
 */
#ifndef FERRY_REDACT_H
#define FERRY_REDACT_H

#include <stddef.h>

/* A copy of line (commands in shell syntax, e.g. one line typed at the
 * prompt) with its passwords removed: a URL loses ":PASS" (typing the
 * line again asks for the password), a login argument becomes "****".
 * Quotes stay balanced, so the copy splits into the same commands.
 * Heap; caller frees. */
char *redact_line(const char *line);

/* Overwrite with '*', in place and keeping the length, the passwords
 * redact_line() would remove from line (for the -c argument in argv). */
void redact_mask_line(char *line);

/* A command line as it goes to a server (FTP or NNTP, no CRLF, no shell
 * syntax): the offset from which the trace must hide it, the same login
 * commands as above (PASS, ACCT, AUTHINFO PASS, AUTHINFO SASL's response,
 * SITE PSWD or PASSWD), or 0 when it carries no password. */
size_t redact_wire(const char *line, size_t n);

/* The same for one word without shell syntax: a URL (or bare
 * user:pass@host) as given on ferry's command line. */
void redact_mask_url(char *url);

#endif
