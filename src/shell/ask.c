/* ask.c - questions at the terminal while a command waits (see ask.h).
 *
 * A question takes readline's prompt for one line, then gives it back;
 * what a person answers goes to the asker's callback and never into the
 * history.  A secret question (a password) echoes nothing, and the answer
 * is wiped from readline's buffer and from the line after use.
 */
#include "ask.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rllib.h"

#include "cmd.h"
#include "ev.h"
#include "session.h"
#include "shell.h"
#include "trust.h"
#include "ui.h"
#include "err.h"

/* on_ask_line is a readline callback, without an argument. */
static struct shell *ask_shell;

/* A secret answer is drawn as the question alone: what is typed never
 * reaches the screen. */
static void secret_redisplay(void)
{
	FILE *out = rl_outstream ? rl_outstream : stdout;
	fprintf(out, "\r%s\033[K", rl_prompt ? rl_prompt : "");
	fflush(out);
}

/* The end of a secret question: the normal display again, and no copy
 * of the answer left in readline's line buffer. */
static void secret_end(struct shell *sh)
{
	if (!sh->ask_secret)
		return;
	sh->ask_secret = false;
	rl_redisplay_function = rl_redisplay;
	if (rl_line_buffer)
		memset(rl_line_buffer, 0, strlen(rl_line_buffer));
}

static void on_ask_line(char *line)
{
	struct shell *sh = ask_shell;
	void (*fn)(struct shell *, const char *, void *) = sh->ask_fn;
	void *arg = sh->ask_arg;
	sh->ask_fn = NULL;
	bool secret = sh->ask_secret;
	secret_end(sh);
	if (secret && line) {
		/* Nothing was echoed, not even the Enter. */
		fputc('\n', rl_outstream ? rl_outstream : stdout);
		fflush(rl_outstream ? rl_outstream : stdout);
	}
	shell_rl_stop(sh);
	if (fn)
		fn(sh, line, arg);
	if (line && secret)
		memset(line, 0, strlen(line));
	free(line);
}

bool shell_ask_interrupt(struct shell *sh)
{
	void (*fn)(struct shell *, const char *, void *) = sh->ask_fn;

	if (!fn)
		return false;
	sh->ask_fn = NULL;
	secret_end(sh);
	shell_rl_stop(sh);
	fputc('\n', stdout);
	fn(sh, NULL, sh->ask_arg);
	return true;
}

void shell_ask(struct shell *sh, const char *question,
               void (*fn)(struct shell *sh, const char *answer, void *arg), void *arg)
{
	ask_shell = sh;
	sh->ask_fn = fn;
	sh->ask_arg = arg;
	free(sh->prompt);
	sh->prompt = ui_escape_str(question, strlen(question));
	rl_callback_handler_install(sh->prompt, on_ask_line);
	sh->rl_active = true;
	ev_io_set(sh->in_io, POLLIN);
}

void shell_ask_secret(struct shell *sh, const char *question,
                      void (*fn)(struct shell *sh, const char *answer, void *arg),
                      void *arg)
{
	sh->ask_secret = true;
	rl_redisplay_function = secret_redisplay;
	shell_ask(sh, question, fn, arg);
}

static void pass_answer(struct shell *sh, const char *answer, void *arg)
{
	(void)sh;
	session_pass_answer(arg, answer);
}

bool shell_ask_password(void *arg, struct session *s, struct session_pass_q *q)
{
	struct shell *sh = arg;
	/* Only for the command a person waits for, and one question at a
	 * time; never over the prompt (a background job's login). */
	if (!shell_can_ask(sh) || !sh->fg || sh->ask_fn || sh->rl_active)
		return false;
	char *q_text = xasprintf("Password for %s@%s: ", s->user, s->host);
	shell_ask_secret(sh, q_text, pass_answer, q);
	free(q_text);
	return true;
}

struct trust_q {
	struct session *s;
	void (*done)(struct cmdctx *ctx, bool trusted);
	struct cmdctx *ctx;
};

static void trust_answer(struct shell *sh, const char *answer, void *arg)
{
	struct trust_q *q = arg;
	struct session *s = q->s;
	bool yes = false;
	(void)sh;
	if (answer && (answer[0] == 'o' || answer[0] == 'O')) {
		yes = true;
	} else if (answer && (answer[0] == 'a' || answer[0] == 'A')) {
		yes = true;
		if (trust_add(s->host, s->port, s->bad_fingerprint) < 0) {
			char *path = trust_path();
			ui_error("cannot record the certificate in %s: %s",
			         path ? path : "(no $HOME)", strerror(errno));
			free(path);
		}
	}
	if (yes)
		session_trust(s, s->bad_fingerprint);
	struct cmdctx *ctx = q->ctx;
	void (*done)(struct cmdctx *, bool) = q->done;
	free(q);
	done(ctx, yes);
}

bool shell_offer_trust(struct shell *sh, struct session *s,
                       void (*done)(struct cmdctx *ctx, bool trusted),
                       struct cmdctx *ctx)
{
	if (!shell_can_ask(sh) || !s->bad_fingerprint)
		return false;
	struct trust_q *q = xcalloc(1, sizeof(*q));
	q->s = s;
	q->done = done;
	q->ctx = ctx;
	char *question = xasprintf("Trust this certificate for %s port %d? "
	                           "[o]nce, [a]lways, [N]o: ", s->host, s->port);
	shell_ask(sh, question, trust_answer, q);
	free(question);
	return true;
}

struct host_q {
	void (*fn)(void *arg, const char *answer);
	void *arg;
};

static void host_answer(struct shell *sh, const char *answer, void *arg)
{
	struct host_q q = *(struct host_q *)arg;
	(void)sh;
	free(arg);
	q.fn(q.arg, answer);
}

bool shell_host_ask(struct cmdctx *ctx, const char *question,
                     void (*fn)(void *arg, const char *answer), void *arg)
{
	struct shell *sh = ctx->sh;
	if (!sh || ctx->on_error || sh->ask_fn || !shell_can_ask(sh) || sh->fg != ctx->job)
		return false;
	struct host_q *q = xcalloc(1, sizeof(*q));
	q->fn = fn;
	q->arg = arg;
	shell_ask(ctx->sh, question, host_answer, q);
	return true;
}
