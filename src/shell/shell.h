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
	struct ev_timer *jobline; /* the jobs' lines above the prompt (jobline.h) */

	/* A question at the terminal while a command waits (shell_ask). */
	void (*ask_fn)(struct shell *sh, const char *answer, void *arg);
	void *ask_arg;
	/* Programs a command runs with the terminal (cmd_host: an editor);
	 * Ctrl-Z is theirs meanwhile, as for `!`. */
	int programs;
	bool ask_secret;      /* the answer is not echoed (a password) */

	struct aliases *aliases; /* `alias` (alias.h) */
	char *lcd_prev;          /* where the last lcd left, for lcd - */
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

/* True when a person at a terminal typed the running command (questions,
 * ask.h, are put to them only then). */
bool shell_can_ask(const struct shell *sh);
/* Take readline's prompt down and stop reading the terminal (after a
 * line, or a question's answer). */
void shell_rl_stop(struct shell *sh);

/* The prompt text for the focused session (heap). */
char *shell_prompt(struct shell *sh);

#endif
