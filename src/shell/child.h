/* child.h - local programs the shell runs, without blocking the loop. */
#ifndef FERRY_CHILD_H
#define FERRY_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

struct cmdctx;
struct shell;

/* Start argv[0] (searched in PATH) with in_fd / out_fd as its standard
 * input / output (-1: inherit); done(arg, wait status) once it and every
 * process holding its descriptors have exited.  Returns the pid, or -1
 * with the error printed. */
pid_t shell_child(struct shell *sh, char *const argv[], int in_fd, int out_fd,
                  void (*done)(void *arg, int status), void *arg);

/* Run a local program (for `!`, `lls`) as ctx's command, with the
 * terminal and ctx's output: CMD_PENDING, ctx done with its status
 * (Ctrl-C sends it SIGINT); ERR_LOCAL if it cannot start. */
int shell_spawn(struct shell *sh, char *const argv[], struct cmdctx *ctx);
/* True when ctx is such a program (Ctrl-Z is the program's then). */
bool shell_spawned(const struct cmdctx *ctx);

/* cmd_host's run_program: an editor for a protocol command, with the
 * terminal as it is; done(arg, wait status).  0 or ERR_LOCAL. */
int shell_run_program(struct cmdctx *ctx, char *const argv[],
                      void (*done)(void *arg, int status), void *arg);

#endif
