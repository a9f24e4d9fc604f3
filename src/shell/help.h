/* help.h - what `help` prints, all of it from the tables: the command list
 * (the shell's table, then each protocol's), one command's usage with a
 * longer text where one exists, the URL forms (`help open`, from the
 * protocols' scheme tables) and the settings (`help set`, from the
 * settings table with each value and default).  The man page's command
 * and settings entries are checked against this output (tests/docs). */
#ifndef FERRY_HELP_H
#define FERRY_HELP_H

#include <stdbool.h>

struct buf;
struct config;

/* The text of `help` (topic NULL) or `help TOPIC` appended to out, one
 * line per '\n'.  Returns 0, or ERR_USAGE with *why a heap one-line
 * message ("re: ambiguous command: reconnect, reget") that the caller
 * frees. */
int help_text(struct buf *out, const struct config *cfg, const char *topic, char **why);

/* Every setting, a line each: name, value and help line, aligned; with
 * colour, the names bold and the values changed from the default in
 * yellow (SGR); with defaults, indented by two and each default after its
 * help. */
void help_settings(struct buf *out, const struct config *cfg, bool colour, bool defaults);

/* Whether `help TOPIC` (topic NULL: the list) is longer than the
 * terminal's screen, so the shell sends it through $PAGER. */
bool help_longer_than_screen(const struct config *cfg, const char *topic);

#endif
