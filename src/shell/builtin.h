/* builtin.h - the shell's own commands, and resolving a typed command name
 * across them and every protocol's table. */
#ifndef FERRY_BUILTIN_H
#define FERRY_BUILTIN_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd.h"

/* The shell's own commands. */
extern const struct cmd_def cmd_shell_table[];
extern const size_t cmd_shell_count;

/* Resolve a typed name across the shell table and every protocol table.
 * Shell commands win; otherwise a name any protocol has (exact, else unique
 * prefix over the union).  Sets *is_shell, or returns NULL (*ambiguous as
 * in cmd_lookup). */
const struct cmd_def *cmd_resolve(const char *name, bool *is_shell, bool *ambiguous);
/* The commands a prefix could mean, for the message of an ambiguous one:
 * "lcd, lls, lpwd, ls" (each name once, in table order: the shell's, then
 * each protocol's).  Heap; the caller frees. */
char *cmd_candidates(const char *prefix);

/* Whether the shell command def, run with argv (argv[0] the name), prints
 * more than the terminal's screen holds and so goes through $PAGER at a
 * terminal (`help`), as a protocol's paged commands do. */
struct shell;
bool builtin_paged(struct shell *sh, const struct cmd_def *def, int argc, char **argv);

#endif
