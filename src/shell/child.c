/* child.c - local programs the shell runs (see child.h): `!`, `lls`, the
 * reader of `cmd | program`, and a protocol command's editor (cmd_host).
 *
 * A child gets a pipe's write end it keeps until it exits: EOF on the
 * read end, watched by the loop, means it and whatever it started in the
 * background are done, so the loop never blocks in waitpid().
 */
#define _GNU_SOURCE /* pipe2 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "ev.h"
#include "shell.h"
#include "sink.h"
#include "ui.h"

struct child {
	pid_t pid;
	struct ev_io *io;
	struct ev_timer *poll;
	int fd;
	void (*done)(void *arg, int status);
	void *arg;
};

static void child_end(struct child *c, int st)
{
	ev_io_del(c->io);
	ev_timer_del(c->poll);
	close(c->fd);
	void (*done)(void *, int) = c->done;
	void *darg = c->arg;
	free(c);
	done(darg, st);
}

static void child_io(int fd, short revents, void *arg)
{
	struct child *c = arg;
	char ch;
	(void)revents;
	/* The child holds the write end; EOF means it exited (or closed
	 * it), and so did whatever it started in the background. */
	if (read(fd, &ch, 1) > 0)
		return;
	int st = 0;
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	child_end(c, st);
}

/* The child may have exited while something it left running in the
 * background (`!sleep 10 &`) keeps the pipe open: the command is over
 * when the child is, as in a shell. */
static long child_poll(void *arg)
{
	struct child *c = arg;
	int st = 0;
	pid_t r = waitpid(c->pid, &st, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return 100;
	c->poll = NULL;  /* freed by the loop when we return 0 */
	child_end(c, st);
	return 0;
}

pid_t shell_child(struct shell *sh, char *const argv[], int in_fd, int out_fd,
                  void (*done)(void *arg, int status), void *arg)
{
	int pfd[2];
	ui_flush();
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		ui_error("pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		ui_error("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		close(pfd[0]);
		if (in_fd >= 0)
			dup2(in_fd, STDIN_FILENO);
		if (out_fd >= 0)
			dup2(out_fd, STDOUT_FILENO);
		/* pfd[1] stays open (not CLOEXEC) until the program exits. */
		fcntl(pfd[1], F_SETFD, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	struct child *c = xcalloc(1, sizeof(*c));
	c->pid = pid;
	c->fd = pfd[0];
	c->done = done;
	c->arg = arg;
	c->io = ev_io_add(sh->ev, pfd[0], POLLIN, child_io, c);
	c->poll = ev_timer_add(sh->ev, 100, child_poll, c);
	return pid;
}

static void spawn_done(void *arg, int st)
{
	struct cmdctx *ctx = arg;
	int err = 0;
	if (WIFSIGNALED(st))
		err = WTERMSIG(st) == SIGINT ? ERR_INTR : ERR_FAIL;
	else if (WEXITSTATUS(st) != 0)
		err = ERR_FAIL;
	cmd_done(ctx, err);
}

static void spawn_cancel(struct cmdctx *ctx)
{
	pid_t pid = (pid_t)(intptr_t)ctx->op;
	kill(pid, SIGINT);
}

bool shell_spawned(const struct cmdctx *ctx)
{
	return ctx->cancel == spawn_cancel;
}

int shell_spawn(struct shell *sh, char *const argv[], struct cmdctx *ctx)
{
	/* Its output goes where the command's goes (`lls > f`, `lls | wc`);
	 * a terminal is inherited as it is. */
	int out_fd = cmd_out(ctx) ? sink_child_fd(cmd_out(ctx)) : -1;
	pid_t pid = shell_child(sh, argv, -1, out_fd, spawn_done, ctx);
	if (pid < 0)
		return ERR_LOCAL;
	ctx->op = (void *)(intptr_t)pid;
	ctx->cancel = spawn_cancel;
	return CMD_PENDING;
}

/* What the shell does for a protocol command (cmd.h cmd_host): an
 * editor for `post`, with the terminal as it is (the prompt is down
 * while a command runs in the foreground), and questions. */
struct host_prog {
	struct shell *sh;
	void (*done)(void *arg, int status);
	void *arg;
};

static void host_program_done(void *arg, int st)
{
	struct host_prog hp = *(struct host_prog *)arg;
	free(arg);
	hp.sh->programs--;
	hp.done(hp.arg, st);
}

int shell_run_program(struct cmdctx *ctx, char *const argv[],
                      void (*done)(void *arg, int status), void *arg)
{
	struct host_prog *hp = xcalloc(1, sizeof(*hp));
	hp->sh = ctx->sh;
	hp->done = done;
	hp->arg = arg;
	if (shell_child(ctx->sh, argv, -1, -1, host_program_done, hp) < 0) {
		free(hp);
		return ERR_LOCAL;
	}
	ctx->sh->programs++;
	return 0;
}
