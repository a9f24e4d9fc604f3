/* argv.h - splitting command lines into commands and words.
 *
 * Words split on blanks; single quotes, double quotes (with \" \\ \$ \`
 * escapes inside) and backslash work as in a POSIX shell; ';' and newline
 * separate commands outside quotes; '#' at the start of a word starts a
 * comment to the end of the line.  Pure: no I/O.
 *
 * Operators, as lftp has them, count only unquoted at the start of a word
 * (so `article <id@host>` and a name like `a>b` stay words):
 *   > FILE, >FILE     output to FILE (truncated), >> FILE appends
 *   | COMMAND         output to COMMAND: the rest of the line, unsplit,
 *                     for /bin/sh -c (';' there is the shell's)
 *   &                 ends the command, which runs in the background
 */
#ifndef FERRY_ARGV_H
#define FERRY_ARGV_H

#include <stddef.h>

struct argv {
	int argc;
	char **argv;            /* argc words + NULL; heap */
	unsigned char *quoted;  /* per word: 1 if any part was quoted or
	                           escaped (globs are then literal) */
	/* Operators (argv_next only; not among the words): */
	char *redirect;         /* > or >> FILE, or NULL */
	int append;             /* it was >> */
	char *pipe;             /* | COMMAND, or NULL */
	int background;         /* ended with & */
};

/* Split the next command starting at *pos and advance *pos past its
 * separator.  Returns 1 with out filled (argc >= 1), 0 when only blanks,
 * comments and separators remain, or ERR_USAGE with *why set (unterminated
 * quote, trailing backslash, an operator without its command or file, two
 * outputs) and *pos left at the start of the command that failed (the
 * caller skips it, e.g. to the next line).  out is cleared
 * first (argv_clear: start from a zeroed struct argv). */
int argv_next(const char **pos, struct argv *out, const char **why);
void argv_clear(struct argv *a);

/* For completion: split line[0..point) and report the words so far, the
 * index of the word being typed (argc if a new word starts at point), the
 * quote character open at point ('\0', '\'' or '"') and the offset in line
 * where the current word starts.  Only the last command (after the last
 * ';') is considered.  Returns 0 or ERR_USAGE. */
int argv_partial(const char *line, size_t point, struct argv *out,
                 int *word_index, char *open_quote, size_t *word_start);

/* Quote s for re-typing (completion inserts names with blanks or special
 * characters backslash-escaped); heap, caller frees. */
char *argv_quote(const char *s);

#endif
