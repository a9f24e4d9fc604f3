/* jobline.h - the background jobs' progress lines, above the line being
 * typed.
 *
 * While the prompt shows, each job in the background that moves bytes
 * has one line there, as a transfer's in the foreground has, with its
 * number and command for the name:
 *
 *   [1] get big.iso  412.0 MiB / 1.0 GiB  40%  98.1 MiB/s  ETA 0:06
 *   ferry lab-ftp:/pub> cd rel
 *
 * redrawn four times a second (ui_status draws them; other output goes
 * above them).  They go when a line is accepted, and come back under the
 * next prompt.  Drawn under xfer:progress as a foreground transfer's line
 * is (auto: standard output and standard error are terminals); the
 * rates for `jobs` are measured either way.
 */
#ifndef FERRY_JOBLINE_H
#define FERRY_JOBLINE_H

struct shell;

/* A job went to the background: measure it, and draw while it runs. */
void jobline_watch(struct shell *sh);
/* Draw the lines now (the prompt came back, a job ended). */
void jobline_refresh(struct shell *sh);
/* Take them off the screen before the prompt goes (a line accepted,
 * Ctrl-C, Ctrl-Z, a window resize); the next refresh draws them again. */
void jobline_hide(struct shell *sh);
/* Readline's accept-line, with the lines taken off first: bound to
 * Return and Ctrl-J. */
int jobline_accept(int count, int key);
/* Readline's complete, which may list the candidates under the line and
 * draw the prompt again below them: the lines are taken off first and
 * drawn again above the prompt where it is then.  Bound to Tab, and what
 * a completion that waited for a listing calls. */
int jobline_complete(int count, int key);
/* Stop the timer (ferry exits). */
void jobline_stop(struct shell *sh);

#endif
