/* netrc.h - ~/.netrc lookup (machine/default, login, password, macdef
 * skipped).  An entry applies to its exact host only (case-insensitive);
 * "default" applies when no machine matches.  If want_login is given, only
 * an entry with that login matches.  Quoted tokens ("a b") are accepted.
 */
#ifndef FERRY_NETRC_H
#define FERRY_NETRC_H

#include <stddef.h>

/* Pure parser over a buffer.  Returns 1 and sets *login and *password (heap,
 * caller frees; either may be NULL if the entry lacks it) when an entry
 * matches, 0 when none does, ERR_FAIL on a malformed file. */
int netrc_find(const char *text, size_t len, const char *host,
               const char *want_login, char **login, char **password);
/* Read path (NULL: $NETRC or ~/.netrc) and call netrc_find.  A missing
 * file is 0. */
int netrc_lookup(const char *path, const char *host, const char *want_login,
                 char **login, char **password);

#endif
