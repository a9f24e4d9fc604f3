/* trust.h - certificates the user chose to trust "always".
 *
 * $XDG_DATA_HOME/ferry/trusted (default ~/.local/share/ferry/trusted)
 * holds one line per server: "HOST:PORT SHA256" where SHA256 is the
 * certificate fingerprint as hex pairs separated by ':'.  A later line for
 * the same server replaces an earlier one.  '#' starts a comment line.
 */
#ifndef FERRY_TRUST_H
#define FERRY_TRUST_H

#include <stddef.h>

/* Pure: the fingerprint recorded for key ("host:port") in text, as a heap
 * string, or NULL. */
char *trust_find(const char *text, size_t len, const char *key);
/* The fingerprint trusted for host:port in the user's file, or NULL. */
char *trust_lookup(const char *host, int port);
/* Record fp for host:port (creates the folder and file, mode 0600).
 * Returns 0 or ERR_LOCAL. */
int trust_add(const char *host, int port, const char *fp);
/* Path of the file (heap), or NULL without $HOME and $XDG_DATA_HOME. */
char *trust_path(void);

#endif
