/* xdg.h - where ferry keeps its files (XDG base directories). */
#ifndef FERRY_XDG_H
#define FERRY_XDG_H

/* "$VAR/ferry/LEAF" when $VAR is an absolute path, else
 * "$HOME/FALLBACK/ferry/LEAF"; NULL without either.  Heap, caller frees.
 * E.g. xdg_path("XDG_STATE_HOME", ".local/state", "history"). */
char *xdg_path(const char *var, const char *fallback, const char *leaf);

/* Create the folders leading to path (mode 0700), ignoring errors: the
 * open that follows reports them. */
void xdg_mkdirs_for(const char *path);

#endif
