/* cmd.h - commands are data.
 *
 * Each command is a cmd_def in a table: the shell's own table (builtin.h)
 * and one per protocol (proto_desc.cmds).  help, unique prefixes, routing and
 * completion all come from these tables.
 *
 * Running: the shell builds a cmdctx and calls def->run(ctx).  A command
 * that finishes at once returns 0 or a negative ERR_*.  One that must wait
 * for the network returns CMD_PENDING and later calls cmd_done(ctx, err)
 * exactly once (from a callback, never from inside run).  While pending,
 * ctx->cancel, if set, is called when the user presses Ctrl-C; it must
 * stop the work and arrange cmd_done(ctx, ERR_INTR).
 *
 * Errors are printed by the command with cmd_error(), one line, before it
 * returns or calls cmd_done; the status maps to the exit status.
 *
 * Output goes to ctx->out (sink.h), never straight to the terminal:
 * cmd_data() for the server's bytes, cmd_printf() for ferry's own lines.
 * When the output fails, a data command stops with the sink's error
 * (cmd_data returns it); ERR_PIPE (the reader went away) ends a command
 * quietly, with no message and status 0.
 */
#ifndef FERRY_CMD_H
#define FERRY_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shell;
struct session;
struct session_reg;
struct cmdctx;
struct proto_desc;

#define CMD_PENDING 1

typedef int (*cmd_run_fn)(struct cmdctx *ctx);

struct cmd_def {
	const char *name;
	const char *args;      /* usage after the name, e.g. "REMOTE... [-o LOCAL]" */
	const char *help;      /* one line */
	/* Completion, one letter per argument position, the last repeating:
	 * 'c' command, 's' session name, 'l' local path, 'r' remote path,
	 * 'g' newsgroup, 'S' setting name, 'u' URL or nothing, 'p' a path
	 * of a session as @NAME:PATH or a local path (cp), '-' nothing. */
	const char *complete;
	int min_args, max_args;  /* not counting argv[0]; max -1: unlimited */
	cmd_run_fn run;
};

struct cmdctx {
	struct shell *sh;
	struct session *sess;        /* protocol commands: the target, ready */
	const struct cmd_def *def;
	int argc;
	char **argv;                 /* argv[0] is the command as typed */
	const unsigned char *quoted; /* per word, from argv.h */
	struct sink *out;            /* where output goes (NULL: stdout) */
	/* Set by the shell for a job in the background: an error message is
	 * handed to it instead of being printed. */
	void (*on_error)(struct cmdctx *ctx, const char *line);
	void *op;                    /* the command's own state */
	void (*cancel)(struct cmdctx *ctx);
	/* Progress of a transfer, for `jobs`: bytes moved, and the total
	 * when known (else -1).  Kept by the command. */
	uint64_t bytes;
	int64_t total;
	/* The command printed the summary of what it moved (NAME: 1.0 MiB
	 * in 2.1 s): a background job's notice then leaves it out. */
	bool summed;
	void (*on_done)(struct cmdctx *ctx, int err);
	void *job;                   /* the shell's job running the command */
	bool finished;
	bool orphaned;  /* the shell gave up on it (Ctrl-C): freed by the
	                   command's late cmd_done, if one comes */
};

/* Finish a pending command. */
void cmd_done(struct cmdctx *ctx, int err);

/* Print "ferry: [SESSION: ]CMD: MESSAGE" on standard error (the message
 * escaped) and return err, so `return cmd_error(ctx, ERR_USAGE, ...)`.
 * ERR_PIPE prints nothing. */
int cmd_error(struct cmdctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An error line already made (escaped): to the job's notice in the
 * background (ctx->on_error), else printed with "ferry: ". */
void cmd_report(struct cmdctx *ctx, const char *line);

/* The command's output (ctx->out): server bytes, server bytes and a
 * newline, ferry's own line.  Return 0 or the sink's sticky error. */
int cmd_data(struct cmdctx *ctx, const void *p, size_t n);
int cmd_data_line(struct cmdctx *ctx, const void *p, size_t n);
int cmd_printf(struct cmdctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The output's sink (ctx->out, else a shared standard output one). */
struct sink *cmd_out(struct cmdctx *ctx);

/* What only the shell can do for a command, installed by it
 * (cmd_set_host): run a local program with the terminal (an editor), and
 * ask the person at the terminal a question. */
struct cmd_host {
	/* Start argv[0] (searched in PATH) with the terminal and standard
	 * streams as they are; done(arg, wait status) once it has exited.
	 * 0, or ERR_LOCAL (printed). */
	int (*run_program)(struct cmdctx *ctx, char *const argv[],
	                   void (*done)(void *arg, int status), void *arg);
	/* Ask when a person typed the command at a terminal: fn(arg, the
	 * line typed, or NULL on Ctrl-C or end of input) later, and true;
	 * false (fn never called) when nobody can be asked. */
	bool (*ask)(struct cmdctx *ctx, const char *question,
	            void (*fn)(void *arg, const char *answer), void *arg);
};
void cmd_set_host(const struct cmd_host *h);
/* Through the host: ERR_LOCAL / false when none is installed (tests). */
int cmd_run_program(struct cmdctx *ctx, char *const argv[],
                    void (*done)(void *arg, int status), void *arg);
bool cmd_ask(struct cmdctx *ctx, const char *question,
             void (*fn)(void *arg, const char *answer), void *arg);

/* Look a name up in a table: exact name, else a unique prefix.  Returns
 * NULL if none; *ambiguous is set when several commands share the prefix. */
const struct cmd_def *cmd_lookup(const struct cmd_def *tab, size_t n,
                                 const char *name, bool *ambiguous);

/* Routing: the session a protocol command `name` goes to: the focused
 * session when its protocol has the command, else the most recently used
 * session of the one protocol that has it.  NULL with a one-line message
 * in why (naming the `open` to type) when there is none. */
struct session *cmd_route(struct session_reg *reg, const char *name, const char **why);

/* Find name in one protocol's table (exact or unique prefix). */
const struct cmd_def *cmd_proto_lookup(const struct proto_desc *p, const char *name);

/* Usage line "NAME ARGS" for help and errors. */
void cmd_print_usage(struct cmdctx *ctx, const struct cmd_def *d);

#endif
