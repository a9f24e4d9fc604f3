/* tilde.h - `~` and `~user` at the start of a local path, as a POSIX
 * shell expands them (lcd, put, get -o, lls, > FILE, -f FILE).
 */
#ifndef FERRY_TILDE_H
#define FERRY_TILDE_H

/* path with a leading "~" or "~/..." replaced by $HOME (the password
 * database's home when $HOME is unset or empty), and "~user" or
 * "~user/..." by that user's home.  Anything else, an unknown user, or
 * no home to be found, comes back unchanged.  Heap; the caller frees. */
/* (Not tilde_expand: readline exports that name.) */
char *path_expand_tilde(const char *path);

#endif
