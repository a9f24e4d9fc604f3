/* ui.h - the only writer to the terminal.
 *
 * Everything printed goes through here.  Text that came from a server (or
 * from a file name in a listing, a Subject, a banner, a certificate...) is
 * printed with ui_server*(), which escapes control characters (C0 except
 * TAB and LF, DEL, C1), invalid UTF-8 and bidi/format controls so the
 * terminal never receives them raw.  While readline shows a prompt, output
 * is printed above the line being typed and the line is redrawn.
 */
#ifndef FERRY_UI_H
#define FERRY_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/* Hooks the shell installs so output does not break the typed line. */
struct ui_hooks {
	void (*before)(void *arg);  /* hide the prompt and typed line */
	void (*after)(void *arg);   /* redraw them */
	void *arg;
};
void ui_set_hooks(const struct ui_hooks *h);

/* Our own text to standard output / a one-line error to standard error
 * ("ferry: " prefix added by ui_error).  Arguments that may hold server
 * bytes must be escaped first (ui_escape) or printed with ui_server(). */
void ui_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ui_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line to standard error (e.g. "connected to ..."),
 * suppressed in quiet batch use. */
void ui_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Where the command being run came from, for its errors: "FILE:LINE"
 * while a line of the rc file runs ("ferry: FILE:LINE: ..."); NULL for
 * none.  The text is copied (and must be escaped already). */
void ui_set_where(const char *where);
void ui_set_quiet(bool quiet);
/* A line to standard error that quiet does not silence (the trace). */
void ui_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Server text to standard output, escaped; LF kept, CR escaped. */
void ui_server(const char *p, size_t n);
/* Same, followed by '\n'. */
void ui_server_line(const char *p, size_t n);

/* Raw file content to standard output (get -o -, cat): written unescaped
 * when stdout is not a terminal, escaped when it is.  Returns 0 or
 * ERR_LOCAL (e.g. EPIPE). */
int ui_data(const void *p, size_t n);

/* Append the escaped form of p[0..n) to out.  Escapes: "\r", "\t" only
 * if tab is false, "\xHH" for other C0/DEL/C1 bytes and for bytes of
 * invalid UTF-8, "\u{HHHH}" for bidi and other format controls.  '\\' is
 * kept as is.  Returns 0 or ERR_TOOLONG. */
int ui_escape(const char *p, size_t n, bool keep_lf, struct buf *out);
/* Escaped copy in a new heap string (for messages); caller frees. */
char *ui_escape_str(const char *p, size_t n);

/* True if standard output / input is a terminal. */
bool ui_stdout_tty(void);
/* True if standard error is a terminal. */
bool ui_stderr_tty(void);
/* The size of the terminal on standard output, for output fitted to it:
 * what the terminal says, else $LINES and $COLUMNS (columns only above
 * 20), else 24 rows by 80 columns. */
void ui_stdout_size(int *rows, int *cols);

/* The progress line of a transfer (text of ours, server names escaped):
 * drawn on standard error in place (CR, no newline), blanked before any
 * other output and drawn again after it, cut to the terminal's width.
 * visible (may be NULL) is asked before each drawing: false (a job sent
 * to the background) blanks it instead.  A new line replaces the old;
 * NULL blanks and forgets it.  The caller throttles the calls. */
void ui_progress(const char *line, bool (*visible)(void *arg), void *arg);

/* Whether progress is drawn under xfer:progress's value: "on", "off", or
 * "auto", on when standard output and standard error are terminals (a
 * person watches). */
bool ui_progress_wanted(const char *mode);

/* The jobs' lines, one row each (text of ours, names escaped), cut to
 * the terminal's width: drawn on standard error right above the line
 * being typed, kept there under other output (printed above them).  Only
 * while the prompt shows: the shell calls it then, and hides the lines
 * before the prompt goes (ui_status_hide: erased from the screen), or
 * forgets them when the screen moved on without it (ui_status_forget).
 * The same lines again draw nothing; n == 0 takes them away. */
void ui_status(const char *const *lines, size_t n);
void ui_status_hide(void);
void ui_status_forget(void);

/* Flush standard output and standard error. */
void ui_flush(void);

#endif
