/* shell.h - the shell: reading commands (readline in callback mode on the
 * loop, or a script), running them one at a time in the foreground,
 * Ctrl-C, the prompt and history, exit statuses.
 */
#ifndef FERRY_SHELL_H
#define FERRY_SHELL_H

#include <stdbool.h>

#include <sys/types.h>

#include "buf.h"
#include "job.h"

struct ev;
struct config;
struct session_reg;
struct cmdctx;
struct cmd_def;
struct session;
struct ev_io;
struct aliases;

struct shell {
	struct ev *ev;
	struct config *cfg;
	struct session_reg *reg;

	bool interactive;     /* reading from a terminal with readline */
	bool keep_going;      /* -k */
	bool quit;            /* `quit`, end of input, or a fatal batch error */
	int status;           /* exit status so far */

	/* Commands waiting to run: the rest of the current text. */
	char *text;
	const char *pos;
	struct job_table jobs;
	struct job *fg;       /* the foreground job, or NULL */
	bool from_script;     /* fg came from -c/-f/stdin/rc/URLs */
	bool quit_asked;      /* `quit` with jobs running was confirmed */
	/* `wait` or `fg` waiting for a job (wait_id) or all (0). */
	struct cmdctx *waiter;
	int wait_id;
	bool wait_fg;
	int wait_err;         /* wait for all: the first failure */
	/* `close` waiting for the jobs it cancelled on session close_id. */
	struct cmdctx *closer;
	int close_id;

	/* Standard input as a script (not a terminal). */
	struct ev_io *in_io;
	struct buf in;
	bool in_eof;

	/* readline state */
	bool rl_active;       /* handler installed, prompt shown */
	char *prompt;
	char *histfile;
	volatile bool sigint;
	volatile bool sigtstp;  /* Ctrl-Z, at a terminal */
	volatile bool sigwinch;

	/* A question at the terminal while a command waits (shell_ask). */
	void (*ask_fn)(struct shell *sh, const char *answer, void *arg);
	void *ask_arg;
	/* Programs a command runs with the terminal (cmd_host: an editor);
	 * Ctrl-Z is theirs meanwhile, as for `!`. */
	int programs;
	bool ask_secret;      /* the answer is not echoed (a password) */

	struct aliases *aliases; /* `alias` (alias.h) */
};

/* Options from the command line (main.c). */
struct shell_opts {
	const char *commands;  /* -c */
	const char *file;      /* -f */
	bool trace;            /* -d */
	bool keep_going;       /* -k */
	bool no_rc;
	char **urls;
	int nurls;
};

/* Run ferry; returns the exit status. */
int shell_main(const struct shell_opts *o);

/* Run one line of commands typed or read (used by `alias` later, tests). */
void shell_feed(struct shell *sh, const char *text);

/* Spawn a local program (for `!`, `lls`) with the terminal, without blocking
 * the loop; done gets the exit status. */
int shell_spawn(struct shell *sh, char *const argv[], struct cmdctx *ctx);

/* Start argv[0] (searched in PATH) with in_fd / out_fd as its standard
 * input / output (-1: inherit); done(arg, wait status) once it and every
 * process holding its descriptors have exited.  Returns the pid, or -1
 * with the error printed. */
pid_t shell_child(struct shell *sh, char *const argv[], int in_fd, int out_fd,
                  void (*done)(void *arg, int status), void *arg);

/* The job builtins: `wait [N]` / `fg [N]` (CMD_PENDING until the job
 * ends, with its status; fg shows its output and gives it Ctrl-C),
 * `kill N`, and the `jobs` listing to ctx's output. */
int shell_wait(struct shell *sh, struct cmdctx *ctx, int id, bool fg);
int shell_kill(struct shell *sh, struct cmdctx *ctx, int id);
/* From a shell command's run(): go on as the protocol command def on the
 * site (as if `@SITE argv...` had been typed): ctx takes argv (argc heap
 * words and a NULL, all freed with ctx), a connection of the site is
 * leased and def->run(ctx) follows.  Returns CMD_PENDING. */
int shell_delegate(struct cmdctx *ctx, struct session *site, const struct cmd_def *def,
                   int argc, char **argv);
/* `close`: cancel the jobs using s, then close it (CMD_PENDING until
 * they have ended). */
int shell_close_session(struct shell *sh, struct cmdctx *ctx, struct session *s);
void shell_jobs_list(struct shell *sh, struct cmdctx *ctx);

/* Ask the user a question on the terminal while a command is pending;
 * fn gets the line typed, or NULL on Ctrl-C or end of input.  Only when
 * shell_can_ask(). */
void shell_ask(struct shell *sh, const char *question,
               void (*fn)(struct shell *sh, const char *answer, void *arg), void *arg);
/* The same with the answer not shown as it is typed, and wiped from
 * readline's buffer after fn (a password).  Never in the history. */
void shell_ask_secret(struct shell *sh, const char *question,
                      void (*fn)(struct shell *sh, const char *answer, void *arg),
                      void *arg);
/* True when a person at a terminal typed the running command. */
bool shell_can_ask(const struct shell *sh);

struct session;
/* After a certificate failed verification for s: when a person can be
 * asked, ask whether to trust it once or always, and call done(ctx, true)
 * if they do (the session then accepts that certificate), done(ctx, false)
 * if not.  Returns false, asking nothing, otherwise. */
bool shell_offer_trust(struct shell *sh, struct session *s,
                       void (*done)(struct cmdctx *ctx, bool trusted),
                       struct cmdctx *ctx);

/* The prompt text for the focused session (heap). */
char *shell_prompt(struct shell *sh);

#endif
