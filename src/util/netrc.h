/* netrc.h - ~/.netrc lookup (machine/default, login, password, macdef
 * skipped).  An entry applies to its exact host only (case-insensitive);
 * "default" applies when no machine matches.  If want_login is given, only
 * an entry with that login matches.  Quoted tokens ("a b") are accepted.
 */
#ifndef FERRY_NETRC_H
#define FERRY_NETRC_H

#include <stddef.h>
#include <sys/types.h>

/* Pure parser over a buffer.  Returns 1 and sets *login and *password (heap,
 * caller frees; either may be NULL if the entry lacks it) when an entry
 * matches, 0 when none does, ERR_FAIL on a malformed file. */
int netrc_find(const char *text, size_t len, const char *host,
               const char *want_login, char **login, char **password);
/* Whether a netrc file with this mode (st_mode) and owner may be used.
 * As ftp(1) decides, group and others must have no access to it; it must
 * also belong to the user (me).  Pure. */
enum netrc_perm {
	NETRC_PERM_OK = 0,
	NETRC_PERM_OPEN,       /* group or others have access */
	NETRC_PERM_NOT_OWNER,  /* another user owns it */
};
/* netrc_find that also says where a malformed file goes wrong: the line
 * (from 1) of the offending word and what is wrong (static text), set
 * when ERR_FAIL is returned and bad is not NULL. */
struct netrc_error {
	size_t line;
	const char *what;
};
int netrc_parse(const char *text, size_t len, const char *host,
                const char *want_login, char **login, char **password,
                struct netrc_error *bad);
enum netrc_perm netrc_check_perm(mode_t mode, uid_t owner, uid_t me);

/* Read path (NULL: $NETRC or ~/.netrc) and call netrc_find.  A missing
 * file is 0.  A file netrc_check_perm() refuses is not read: 0 too, and
 * *warning is set to a message naming the file and the fix (heap, caller
 * frees); *warning is NULL otherwise.  The open never blocks (a FIFO
 * there): a file that is not regular, cannot be read or is malformed is
 * ERR_LOCAL or ERR_FAIL with *warning set (the file, the line of the
 * fault, what to do). */
int netrc_lookup(const char *path, const char *host, const char *want_login,
                 char **login, char **password, char **warning);

#endif
