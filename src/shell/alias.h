/* alias.h - `alias NAME COMMAND...`: a name that stands for a command line.
 *
 * The shell expands the first word of each command, when it is an unquoted
 * alias name, into the alias's text (which may hold several commands and
 * operators), then reads the result as if typed.  As in sh, an alias is not
 * expanded again inside its own expansion (`alias ls "ls -l"` works, and
 * `alias a b` with `alias b a` stops), so expansion always ends.  The
 * table and the expansion are pure: no I/O.
 */
#ifndef FERRY_ALIAS_H
#define FERRY_ALIAS_H

#include <stdbool.h>
#include <stddef.h>

struct aliases;

/* aliases_free(NULL) is safe. */
struct aliases *aliases_new(void);
void aliases_free(struct aliases *a);

/* A name an alias may have: no blank, quote, ';', '&', '|', '>', '#',
 * not starting with '@' or '!', at most 64 bytes. */
bool alias_name_ok(const char *name);
/* Define or replace (both strings copied). */
void alias_set(struct aliases *a, const char *name, const char *text);
/* Remove; false if there was none. */
bool alias_del(struct aliases *a, const char *name);
/* The text of name, or NULL. */
const char *alias_get(const struct aliases *a, const char *name);
/* The i-th alias in name order, or NULL past the last. */
const char *alias_nth(const struct aliases *a, size_t i, const char **text);

/* The command that starts at text[pos] (blanks skipped by the caller):
 * when its first word is an alias not being expanded at pos, a new text
 * (heap) with that word replaced by the alias's text, else NULL.  The
 * expansion is remembered, by position, so that it is not expanded again
 * inside itself. */
char *alias_expand(struct aliases *a, const char *text, size_t pos);
/* The first n bytes of the text were dropped (the shell keeps only what
 * is still to run): positions move back by n. */
void alias_text_moved(struct aliases *a, size_t n);
/* A new text that is not a continuation: forget every expansion. */
void alias_text_reset(struct aliases *a);

#endif
