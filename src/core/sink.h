/* sink.h - where a command's output goes.
 *
 * A command writes two kinds of output: data (the server's bytes: a file,
 * a listing, an article, a reply shown as it came) and ferry's own text
 * (summaries, counts).  Where it goes decides the form:
 *   - the terminal: data escaped as ui.h describes, printed above the line
 *     being typed;
 *   - a file (`> FILE`, `>> FILE`), a pipe (`| COMMAND`) or a standard
 *     output that is not a terminal: written unchanged;
 *   - a job's log (a command in the background): kept in memory, bounded,
 *     and shown on the terminal (escaped) when the shell says so.
 *
 * A failed write is sticky: the sink takes nothing more and sink_error()
 * tells why: ERR_PIPE when the reader went away (EPIPE, `| head -1`),
 * ERR_LOCAL for the rest (ENOSPC, EIO), with sink_why() one line.
 *
 * Writing to a pipe never blocks the loop: what the pipe does not take at
 * once is buffered, and past SINK_HIGH buffered bytes the producer is
 * asked to pause (sink_set_flow) until the reader has caught up.  A log
 * that is full asks the same, until it is shown.
 */
#ifndef FERRY_SINK_H
#define FERRY_SINK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct ev;
struct sink;

#define SINK_HIGH (256 * 1024)   /* buffered bytes that pause the producer */
#define SINK_LOW (64 * 1024)     /* ... and that resume it */

/* Standard output: the terminal (escaped) when it is one, else unchanged
 * (blocking writes: the descriptor is shared with whoever started us). */
struct sink *sink_stdout(void);
/* A descriptor the sink owns and closes: a file, or the write end of a
 * pipe (made non-blocking).  name is for messages ("out.txt"). */
struct sink *sink_fd(struct ev *ev, int fd, const char *name);
/* Memory, up to max bytes, for a job in the background. */
struct sink *sink_log(size_t max);
/* Free; an owned descriptor is closed, unwritten bytes are dropped. */
void sink_free(struct sink *s);

/* Server bytes.  Returns 0, or the sticky error. */
int sink_data(struct sink *s, const void *p, size_t n);
/* Server bytes followed by a newline. */
int sink_data_line(struct sink *s, const void *p, size_t n);
/* Ferry's own text, a newline added.  Arguments holding server bytes must
 * be escaped first when the line is not data (ui_escape_str). */
int sink_printf(struct sink *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sink_vprintf(struct sink *s, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* True when what is written is shown on the terminal (now, or later for
 * a job's log): output meant for a person may be fitted to its width. */
bool sink_is_terminal(const struct sink *s);
/* True when what is written goes to the terminal now (not a job's log, a
 * file or a pipe): the only place colour may go. */
bool sink_is_tty(const struct sink *s);

/* 0, ERR_PIPE or ERR_LOCAL; and one line saying why ("" when 0). */
int sink_error(const struct sink *s);
const char *sink_why(const struct sink *s);

/* For a child process writing the output itself (`lls > f`): the
 * descriptor to give it as standard output, made blocking (we write no
 * more), or -1 to let it inherit ours (the terminal, a log). */
int sink_child_fd(struct sink *s);
/* The producer's pause switch: fn(arg, true) when it should stop, and
 * fn(arg, false) when it may go on.  NULL to remove. */
void sink_set_flow(struct sink *s, void (*fn)(void *arg, bool pause), void *arg);
/* False when nothing waits to be written (done is not called); else true,
 * and done(arg) comes once every byte taken is written or the sink
 * failed. */
bool sink_drain(struct sink *s, void (*done)(void *arg), void *arg);

/* A log's content to the terminal, escaped, then dropped (a paused
 * producer resumes). */
void sink_log_show(struct sink *s);
/* Move a terminal sink to the background (it becomes a log of at most
 * max bytes) or back (what the log holds is shown, then the terminal
 * again).  Other sinks are left as they are. */
void sink_set_background(struct sink *s, bool bg, size_t max);

#endif
