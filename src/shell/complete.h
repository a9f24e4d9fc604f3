/* complete.h - tab completion for readline: commands, @sessions, session
 * names, settings, local paths, from the command tables' completion
 * letters (cmd.h). */
#ifndef FERRY_COMPLETE_H
#define FERRY_COMPLETE_H

#include <stddef.h>

struct shell;

/* Install the completion hooks; the shell pointer is the one global the
 * hooks read. */
void complete_init(struct shell *sh);

/* Candidates for the word being typed, for the tests: words is line[0..
 * point); returns a NULL-terminated heap array of heap strings (or NULL)
 * and sets *start to the offset where the completed word begins. */
char **complete_candidates(struct shell *sh, const char *line, size_t point,
                           size_t *start);

#endif
