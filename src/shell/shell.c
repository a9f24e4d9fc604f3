/* shell.c - reading and running commands.
 *
 * One command runs in the foreground at a time.  Input comes from sources
 * taken in order: the rc file, the URLs given on the command line (as
 * `open URL`), then -c, -f, standard input as a script, or readline on a
 * terminal.  Readline runs in callback mode as one more watcher on the
 * loop, so the loop (transfers, keepalives) never stops while the user
 * types; while a command runs the prompt is taken down and stdin is not
 * read, so type-ahead waits in the terminal.
 */
#define _GNU_SOURCE /* memrchr, pipe2 */
#include "shell.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rllib.h"

#include "alias.h"
#include "argv.h"
#include "ask.h"
#include "builtin.h"
#include "child.h"
#include "cmd.h"
#include "complete.h"
#include "config.h"
#include "conn.h"
#include "err.h"
#include "ev.h"
#include "log.h"
#include "redact.h"
#include "job.h"
#include "jobline.h"
#include "oneshot.h"
#include "session.h"
#include "sink.h"
#include "tilde.h"
#include "ui.h"
#include "xdg.h"

/* Readline's callbacks and the signal handler have no argument: this is
 * the one pointer to the shell they may read. */
static struct shell *the_shell;

enum src_kind { SRC_TEXT, SRC_STDIN, SRC_TTY };

struct source {
	enum src_kind kind;
	char *text;
	bool rc;    /* errors in the rc file are reported, not fatal */
	bool urls;  /* the URLs of the command line (`open URL` each) */
	char *path; /* the rc file's, for "FILE:LINE: " before its errors */
};

#define MAX_SOURCES 8
static struct source sources[MAX_SOURCES];
static int nsources, cur_source = -1;

static struct source *add_source(enum src_kind kind, char *text, bool rc)
{
	if (nsources < MAX_SOURCES) {
		sources[nsources] = (struct source){ kind, text, rc, false, NULL };
		return &sources[nsources++];
	}
	free(text);
	return NULL;
}

/* The source at hand, or NULL before the first. */
static struct source *cur_src(void)
{
	return cur_source >= 0 ? &sources[cur_source] : NULL;
}

/* Errors of a command from the rc file name its file and line. */
static void rc_where(struct shell *sh, const char *cmd)
{
	struct source *src = cur_src();
	if (!src || !src->path || !sh->text || cmd < sh->text)
		return;
	int line = 1;
	for (const char *p = sh->text; p < cmd; p++)
		line += *p == '\n';
	char *esc = ui_escape_str(src->path, strlen(src->path));
	char *w = xasprintf("%s:%d", esc, line);
	ui_set_where(w);
	free(w);
	free(esc);
}

/* ---- jobs: running one command ----------------------------------------- */

static void command_finished(struct cmdctx *ctx, int err);
static void job_output_done(struct shell *sh, struct job *j);
static void job_interrupt(struct shell *sh, struct job *j);
static void account(struct shell *sh, int err);

static void ctx_free(struct cmdctx *ctx)
{
	for (int i = 0; i < ctx->argc; i++)
		free(ctx->argv[i]);
	free(ctx->argv);
	free((void *)ctx->quoted);
	free(ctx);
}

static struct cmdctx *ctx_new(struct shell *sh, struct job *j, int argc,
                              char *const *argv, const unsigned char *quoted)
{
	struct cmdctx *ctx = xcalloc(1, sizeof(*ctx));
	ctx->sh = sh;
	ctx->argc = argc;
	ctx->argv = xcalloc((size_t)argc + 1, sizeof(char *));
	unsigned char *q = xcalloc((size_t)argc + 1, 1);
	for (int i = 0; i < argc; i++) {
		ctx->argv[i] = xstrdup(argv[i]);
		q[i] = quoted ? quoted[i] : 0;
	}
	ctx->quoted = q;
	ctx->total = -1;
	ctx->out = j->out;
	ctx->on_done = command_finished;
	ctx->job = j;
	j->ctx = ctx;
	return ctx;
}

/* A background job's error is kept for its notice. */
static void job_error(struct cmdctx *ctx, const char *line)
{
	struct job *j = ctx->job;
	if (!j->errline)
		j->errline = xstrdup(line);
}

/* Move j to the background (a number, its output to its log, its errors
 * to its notice; announced) or back to the foreground (what its log held
 * is shown, errors are printed again). */
static void job_set_background(struct shell *sh, struct job *j, bool bg)
{
	j->background = bg;
	if (j->out)
		sink_set_background(j->out, bg, JOB_LOG_MAX);
	if (j->ctx)
		j->ctx->on_error = bg ? job_error : NULL;
	if (bg) {
		job_number(&sh->jobs, j);
		ui_info("[%d] %s &", j->id, j->text);
		jobline_watch(sh);
	}
}

/* The session (site) with this id, or NULL once it is closed. */
static struct session *site_by_id(struct shell *sh, int id)
{
	char key[16];
	if (id <= 0)
		return NULL;
	snprintf(key, sizeof(key), "%d", id);
	struct session *s = session_find(sh->reg, key);
	return s && s->id == id ? s : NULL;
}

/* The command line as it will show in `jobs` and notices. */
static char *job_text(const struct argv *a, int first)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	for (int i = first; i < a->argc; i++) {
		char *q = argv_quote(a->argv[i]);
		buf_appendf(&b, "%s%s", i > first ? " " : "", q);
		free(q);
	}
	if (a->redirect) {
		char *q = argv_quote(a->redirect);
		buf_appendf(&b, " %s %s", a->append ? ">>" : ">", q);
		free(q);
	}
	if (a->pipe)
		buf_appendf(&b, " | %s", a->pipe);
	char *raw = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	char *clean = redact_line(raw);
	free(raw);
	char *esc = ui_escape_str(clean, strlen(clean));
	free(clean);
	return esc;
}

/* The reader of `| COMMAND` exited. */
static void pipe_reader_done(void *arg, int status)
{
	struct job *j = arg;
	(void)status; /* as in lftp, the pager's own status is not ours */
	j->pipe_pid = 0;
	if (j->ending && !j->out)
		job_output_done(the_shell, j);
}

/* Where the command's output goes: `> FILE`, `>> FILE`, `| COMMAND`, or
 * standard output.  NULL with the error printed. */
static struct sink *open_output(struct shell *sh, const struct argv *a, struct job *j)
{
	if (a->redirect) {
		int fd = open(a->redirect, O_WRONLY | O_CREAT | O_CLOEXEC |
		              (a->append ? O_APPEND : O_TRUNC), 0666);
		if (fd < 0) {
			char *esc = ui_escape_str(a->redirect, strlen(a->redirect));
			ui_error("%s: %s", esc, strerror(errno));
			free(esc);
			return NULL;
		}
		return sink_fd(sh->ev, fd, a->redirect);
	}
	if (a->pipe) {
		int pfd[2];
		if (pipe2(pfd, O_CLOEXEC) < 0) {
			ui_error("pipe: %s", strerror(errno));
			return NULL;
		}
		char *argv[] = { "/bin/sh", "-c", a->pipe, NULL };
		pid_t pid = shell_child(sh, argv, pfd[0], -1, pipe_reader_done, j);
		close(pfd[0]);
		if (pid < 0) {
			close(pfd[1]);
			return NULL;
		}
		j->pipe_pid = pid;
		return sink_fd(sh->ev, pfd[1], "the pipe");
	}
	return sink_stdout();
}

/* Release what the job holds of its session. */
static void job_release(struct shell *sh, struct job *j)
{
	(void)sh;
	if (j->lease && !j->held)
		session_lease_cancel(j->lease);
	else if (j->held)
		session_release(j->conn); /* held: it cannot have gone */
	j->lease = NULL;
	j->held = false;
	j->conn = NULL;
}

static void ensured(struct session *s, int err, void *arg);

static void lease_wait_cancel(struct cmdctx *ctx)
{
	struct job *j = ctx->job;
	session_lease_cancel(j->lease);
	j->lease = NULL;
	cmd_done(ctx, ERR_INTR);
}

static void acquire(struct cmdctx *ctx)
{
	struct job *j = ctx->job;
	j->lease = session_acquire(ctx->sess, ensured, ctx);
	/* Waiting in line behind another job can be given up at once;
	 * a login under way is stopped by dropping it (handle_sigint). */
	if (session_lease_waiting(j->lease))
		ctx->cancel = lease_wait_cancel;
}

int shell_delegate(struct cmdctx *ctx, struct session *site, const struct cmd_def *def,
                   int argc, char **argv)
{
	struct job *j = ctx->job;
	for (int i = 0; i < ctx->argc; i++)
		free(ctx->argv[i]);
	free(ctx->argv);
	free((void *)ctx->quoted);
	ctx->argc = argc;
	ctx->argv = argv;
	ctx->quoted = xcalloc((size_t)argc + 1, 1);
	ctx->def = def;
	ctx->sess = site;
	j->sess_id = site->id;
	session_touch(site);
	acquire(ctx);
	return CMD_PENDING;
}

static void retry_ensure(struct cmdctx *ctx, bool trusted)
{
	if (!trusted) {
		cmd_done(ctx, ERR_TLS);
		return;
	}
	acquire(ctx);
}

static void ensured(struct session *s, int err, void *arg)
{
	struct cmdctx *ctx = arg;
	if (ctx->finished) {
		/* Interrupted while connecting: its job is gone. */
		if (!err)
			session_release(s);
		cmd_done(ctx, err); /* frees it */
		return;
	}
	struct job *j = ctx->job;
	j->lease = NULL; /* the session frees it */
	j->held = err == 0;
	j->conn = err == 0 ? s : NULL;
	ctx->sess = s; /* the connection it was given */
	ctx->cancel = NULL;
	if (err) {
		char *line = session_failure(s, err);
		cmd_report(ctx, line);
		free(line);
		if (err == ERR_TLS && !j->background &&
		    shell_offer_trust(ctx->sh, s, retry_ensure, ctx))
			return;
		cmd_done(ctx, err);
		return;
	}
	int r = ctx->def->run(ctx);
	if (r != CMD_PENDING)
		cmd_done(ctx, r);
}

static void expand_word(char **w)
{
	char *x = path_expand_tilde(*w);
	free(*w);
	*w = x;
}

/* `~` and `~user` in the local paths typed: the words whose completion
 * letter in the command's table is 'l' (lcd, lls, put), except the name
 * after `-o` when the usage calls it REMOTE (put), and the name after `-o`
 * when the usage calls it LOCAL or DIR (get, reget, mget); and `> FILE`.  A quoted word
 * stays as typed, as in a shell.  Never a name from a server: those are
 * not typed. */
static void expand_local(const struct cmd_def *def, struct argv *a, int first)
{
	const char *c = def->complete ? def->complete : "";
	size_t nc = strlen(c);
	const char *u = def->args ? def->args : "";
	bool o_local = strstr(u, "-o LOCAL") || strstr(u, "-o DIR"); /* get, mget */
	bool o_remote = strstr(u, "-o REMOTE") != NULL;                /* put */
	for (int i = first + 1; i < a->argc; i++) {
		size_t argn = (size_t)(i - first - 1);
		char letter = nc ? c[argn < nc ? argn : nc - 1] : '-';
		bool after_o = i - 1 > first && strcmp(a->argv[i - 1], "-o") == 0;
		bool local = after_o && o_local ? true : after_o && o_remote ? false : letter == 'l';
		if (local && !a->quoted[i] && a->argv[i][0] == '~')
			expand_word(&a->argv[i]);
	}
	if (a->redirect && a->redirect[0] == '~')
		expand_word(&a->redirect);
}

/* Start one command as a job; returns CMD_PENDING or its status (a
 * background job is always pending: its status comes in its notice). */
static int run_argv(struct shell *sh, struct argv *a)
{
	struct session *target = NULL;
	int first = 0;
	const char *why = NULL;
	bool is_shell = false, amb = false;

	if (a->argv[0][0] == '@') {
		target = session_find(sh->reg, a->argv[0] + 1);
		if (!target) {
			ui_error("%s: no such session (`sessions` lists them)", a->argv[0]);
			return ERR_USAGE;
		}
		if (a->argc < 2) {
			ui_error("usage: @SESSION COMMAND [ARGS...]");
			return ERR_USAGE;
		}
		first = 1;
	}
	const char *name = a->argv[first];
	const struct cmd_def *def = cmd_resolve(name, &is_shell, &amb);
	if (target) {
		def = cmd_proto_lookup(target->proto, name);
		is_shell = false;
		if (!def) {
			char *esc = ui_escape_str(name, strlen(name));
			ui_error("%s: %s sessions have no command `%s`", target->name,
			         target->proto->name, esc);
			free(esc);
			return ERR_USAGE;
		}
	}
	if (!def) {
		char *esc = ui_escape_str(name, strlen(name));
		char *cand = amb ? cmd_candidates(name) : NULL;
		if (cand)
			ui_error("%s: ambiguous command: %s", esc, cand);
		else
			ui_error("%s: unknown command (type `help`)", esc);
		free(cand);
		free(esc);
		return ERR_USAGE;
	}
	bool routed = false;
	if (!is_shell && !target) {
		/* get URL, put FILE URL: the URL's session (oneshot.h). */
		int e = oneshot_route(sh, def->name, a, first, &target);
		if (e < 0)
			return e;
		if (target) {
			def = cmd_proto_lookup(target->proto, def->name);
			if (!def) {
				ui_error("%s: %s URLs have no such command", name,
				         target->proto->name);
				return ERR_USAGE;
			}
			routed = target != session_focus(sh->reg);
		}
	}
	if (!is_shell && !target) {
		target = cmd_route(sh->reg, def->name, &why);
		if (!target) {
			ui_error("%s: %s", def->name, why);
			return ERR_USAGE;
		}
		routed = target != session_focus(sh->reg);
		def = cmd_proto_lookup(target->proto, def->name);
	}
	int nargs = a->argc - first - 1;
	if (nargs < def->min_args || (def->max_args >= 0 && nargs > def->max_args)) {
		ui_error("usage: %s%s%s", def->name, def->args && *def->args ? " " : "",
		         def->args ? def->args : "");
		return ERR_USAGE;
	}

	char *text = job_text(a, first);
	struct job *j = job_add(&sh->jobs, text, ev_now_ms(sh->ev));
	free(text);
	/* A command whose output is read page by page goes through $PAGER
	 * (less by default) when it would go to the terminal, in the
	 * foreground: as `CMD | $PAGER` typed.  So does a shell command
	 * whose output is longer than the screen (`help`). */
	expand_local(def, a, first);
	struct argv paged = *a;
	bool page = false;
	if (!a->redirect && !a->pipe && !a->background && ui_stdout_tty()) {
		if (target && target->proto->paged) {
			for (const char *const *p = target->proto->paged; *p; p++)
				page = page || strcmp(*p, def->name) == 0;
		} else if (is_shell) {
			page = builtin_paged(sh, def, a->argc - first, a->argv + first);
		}
	}
	if (page) {
		const char *pg = getenv("PAGER");
		paged.pipe = (char *)(pg && *pg ? pg : "less");
	}
	j->out = open_output(sh, &paged, j);
	if (!j->out) {
		job_remove(&sh->jobs, j);
		return ERR_LOCAL;
	}
	struct cmdctx *ctx = ctx_new(sh, j, a->argc - first, a->argv + first,
	                             a->quoted + first);
	ctx->def = def;
	ctx->sess = target;
	if (a->background) {
		job_set_background(sh, j, true);
	} else {
		sh->fg = j;
	}

	if (routed && !a->background && !a->redirect && !a->pipe && ui_stdout_tty())
		/* Routed past the focus (most recently used session of the
		 * protocol that has the command): a terminal shows which
		 * server answers, as `ls DIR...` heads each listing; scripts
		 * and files get the output alone. */
		cmd_printf(ctx, "%s:", target->name);
	if (target) {
		j->sess_id = target->id;
		session_touch(target);
		acquire(ctx);
		return CMD_PENDING;
	}
	int r = def->run(ctx);
	if (r != CMD_PENDING)
		cmd_done(ctx, r);
	return CMD_PENDING;
}

/* ---- wait, fg, kill, jobs ---------------------------------------------- */

/* Jobs other than self (the one running `wait`/`fg`). */
static bool others_running(struct shell *sh, const struct job *self)
{
	for (struct job *j = sh->jobs.list; j; j = j->next)
		if (j != self)
			return true;
	return false;
}

/* A job ended: does `wait` / `fg` finish with it? */
static void wait_check(struct shell *sh, int id, int err)
{
	struct cmdctx *w = sh->waiter;
	if (!w)
		return;
	if (sh->wait_id == 0 && err && !sh->wait_err)
		sh->wait_err = err;
	if (sh->wait_id == id || (sh->wait_id == 0 && !others_running(sh, w->job))) {
		sh->waiter = NULL;
		w->cancel = NULL;
		cmd_done(w, sh->wait_id ? err : sh->wait_err);
	}
}

static void wait_cancel(struct cmdctx *ctx)
{
	struct shell *sh = ctx->sh;
	struct job *j = sh->wait_id ? job_find(&sh->jobs, sh->wait_id) : NULL;
	if (sh->wait_fg && j) {
		job_interrupt(sh, j); /* fg: Ctrl-C is the job's */
		return;
	}
	sh->waiter = NULL;
	cmd_done(ctx, ERR_INTR);
}

int shell_wait(struct shell *sh, struct cmdctx *ctx, int id, bool fg)
{
	struct job *j = NULL;
	if (id) {
		j = job_find(&sh->jobs, id);
		int err;
		if (!j && !fg && job_ended_status(&sh->jobs, id, &err))
			return err; /* ended already: its status */
		if (!j || j == ctx->job)
			return cmd_error(ctx, ERR_USAGE, "%d: no such job (`jobs` lists them)", id);
	} else if (fg) {
		/* The most recent job: the highest number. */
		for (struct job *k = sh->jobs.list; k; k = k->next)
			if (k != ctx->job)
				j = k;
		if (!j)
			return cmd_error(ctx, ERR_USAGE, "no jobs");
		id = j->id;
	}
	if (!id && !others_running(sh, ctx->job))
		return 0;
	if (fg) {
		job_set_background(sh, j, false);
		if (j->errline) {
			ui_error("%s", j->errline);
			free(j->errline);
			j->errline = NULL;
		}
		ui_info("%s", j->text);
	}
	sh->waiter = ctx;
	sh->wait_id = id;
	sh->wait_fg = fg;
	sh->wait_err = 0;
	ctx->cancel = wait_cancel;
	return CMD_PENDING;
}

/* `close` waiting for the jobs it cancelled: close once none uses the
 * session. */
static void close_check(struct shell *sh)
{
	struct cmdctx *c = sh->closer;
	if (!c)
		return;
	struct session *s = site_by_id(sh, sh->close_id);
	if (s && session_in_use(s))
		return;
	sh->closer = NULL;
	c->cancel = NULL;
	if (s)
		session_close(s);
	cmd_done(c, 0);
}

static void close_cancel(struct cmdctx *ctx)
{
	ctx->sh->closer = NULL;
	cmd_done(ctx, ERR_INTR);
}

int shell_close_session(struct shell *sh, struct cmdctx *ctx, struct session *s)
{
	if (!session_in_use(s)) {
		session_close(s);
		return 0;
	}
	if (sh->closer)
		return cmd_error(ctx, ERR_USAGE, "another close is waiting for its jobs");
	/* Its jobs are cancelled (their end is no failure), then it closes. */
	for (struct job *j = sh->jobs.list, *next; j; j = next) {
		next = j->next;
		if (j != ctx->job && j->sess_id == s->id) {
			j->killed = true;
			job_interrupt(sh, j);
		}
	}
	sh->closer = ctx;
	sh->close_id = s->id;
	ctx->cancel = close_cancel;
	close_check(sh);
	return CMD_PENDING;
}

int shell_kill(struct shell *sh, struct cmdctx *ctx, int id)
{
	struct job *j = job_find(&sh->jobs, id);
	if (!j || j == ctx->job)
		return cmd_error(ctx, ERR_USAGE, "%d: no such job (`jobs` lists them)", id);
	j->killed = true;
	job_interrupt(sh, j);
	return 0;
}

void shell_jobs_list(struct shell *sh, struct cmdctx *ctx)
{
	int64_t now = ev_now_ms(sh->ev);
	for (struct job *j = sh->jobs.list; j; j = j->next) {
		if (j == ctx->job)
			continue;
		job_sample(j, now);
		struct session *s = site_by_id(sh, j->sess_id);
		char *line = job_describe(j, s ? s->name : NULL, now);
		cmd_printf(ctx, "%s", line);
		free(line);
	}
}

/* Record a command's outcome; in batch mode a failure ends the run. */
static void account(struct shell *sh, int err)
{
	if (!err)
		return;
	if (sh->interactive && !sh->from_script) {
		if (err == ERR_INTR)
			ui_info("Interrupted.");
		return;
	}
	/* At a terminal the shell starts with what worked: a failing line
	 * of the rc file or URL of the command line is a warning (its error
	 * printed), and the sessions that connected stay.  Scripts keep
	 * their statuses; the rc file never ends a run. */
	struct source *src = cur_src();
	if (src && (src->rc || (src->urls && sh->interactive)))
		return;
	sh->status = err_exit_status(err);
	if (!sh->keep_going || err == ERR_INTR)
		sh->quit = true;
}

/* The job's end: a notice for a background job; the status counts as a
 * foreground command's would (scripts stop at the first failure). */
static void job_end(struct shell *sh, struct job *j)
{
	int err = j->err;
	if (j->background) {
		jobline_refresh(sh); /* its line goes before its notice comes */
		if (err == ERR_INTR)
			ui_info("[%d] interrupted  %s", j->id, j->text);
		else if (err && j->errline)
			ui_error("[%d] failed  %s: %s", j->id, j->text, j->errline);
		else if (err)
			ui_error("[%d] failed  %s: %s", j->id, j->text, err_str(err));
		else if (j->bytes && !j->summed) {
			/* The figures, unless the command's own summary
			 * line just gave them. */
			char b[32], r[32];
			double secs = (double)(ev_now_ms(sh->ev) - j->start_ms) / 1000.0;
			job_format_bytes(j->bytes, b, sizeof(b));
			job_format_bytes(secs > 0.001 ? (uint64_t)((double)j->bytes / secs) : j->bytes,
			                 r, sizeof(r));
			ui_info("[%d] done  %s  %s in %.1f s (%s/s)", j->id, j->text, b, secs, r);
		} else {
			ui_info("[%d] done  %s", j->id, j->text);
		}
	}
	if (sh->fg == j)
		sh->fg = NULL;
	bool bg = j->background, killed = j->killed;
	int id = j->id;
	if (bg)
		job_ended(&sh->jobs, id, err);
	job_remove(&sh->jobs, j);
	/* A job cancelled on purpose (`kill`) is no failure of the script. */
	if (!killed && (!bg || !sh->interactive || sh->from_script))
		account(sh, err);
	wait_check(sh, id, err);
	close_check(sh);
	ev_wakeup(sh->ev);
}

/* Everything the job wrote is out: close the output, then wait for the
 * pipe's reader, if any, to exit. */
static void job_output_done(struct shell *sh, struct job *j)
{
	if (j->out) {
		sink_log_show(j->out);
		sink_free(j->out); /* closes a pipe: its reader sees the end */
		j->out = NULL;
	}
	if (j->pipe_pid)
		return; /* pipe_reader_done comes back here */
	job_end(sh, j);
}

static void job_drained(void *arg)
{
	job_output_done(the_shell, arg);
}

static void command_finished(struct cmdctx *ctx, int err)
{
	struct shell *sh = ctx->sh;
	struct job *j = ctx->job;
	if (ctx->orphaned) {
		ctx_free(ctx);
		return;
	}
	job_release(sh, j);
	j->bytes = ctx->bytes;
	j->summed = ctx->summed;
	j->ctx = NULL;
	ctx_free(ctx);
	/* A failed output fails a command that did not fail otherwise;
	 * the reader going away is no failure. */
	int serr = sink_error(j->out);
	if (!err && serr == ERR_LOCAL) {
		char *line = xasprintf("%s", sink_why(j->out));
		if (j->background)
			j->errline = j->errline ? j->errline : xstrdup(line);
		else
			ui_error("%s", line);
		free(line);
		err = serr;
	}
	if (err == ERR_PIPE)
		err = 0;
	j->err = err;
	j->ending = true;
	if (sink_drain(j->out, job_drained, j))
		return;
	job_output_done(sh, j);
}

/* Run a shell escape: the rest of the line after '!' goes to /bin/sh. */
static int run_bang(struct shell *sh, const char *cmdline)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmdline, NULL };
	char *text = xasprintf("!%s", cmdline);
	struct job *j = job_add(&sh->jobs, text, ev_now_ms(sh->ev));
	free(text);
	j->out = sink_stdout();
	char *bang = "!";
	struct cmdctx *ctx = ctx_new(sh, j, 1, &bang, NULL);
	sh->fg = j;
	int r = shell_spawn(sh, argv, ctx);
	if (r != CMD_PENDING)
		cmd_done(ctx, r);
	return CMD_PENDING;
}

/* Run commands from sh->pos until one is pending or the text ends.
 * Returns true when the text is exhausted. */
static bool run_text(struct shell *sh)
{
	while (!sh->fg && !sh->quit && sh->pos) {
		const char *p = sh->pos;
		/* Blanks, separators and comment lines, so that p is where
		 * the command starts (its line, for rc_where). */
		while (*p == ' ' || *p == '\t' || *p == ';' || *p == '\n' || *p == '#') {
			if (*p == '#')
				p += strcspn(p, "\n");
			else
				p++;
		}
		/* An alias as the first word: its text takes the word's
		 * place, read as if typed (alias.h stops loops). */
		for (char *x; *p && (x = alias_expand(sh->aliases, sh->text,
		                                      (size_t)(p - sh->text)));) {
			size_t off = (size_t)(p - sh->text);
			free(sh->text);
			sh->text = x;
			p = sh->text + off;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		rc_where(sh, p);
		if (*p == '!') {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			char *line = xstrndup(p + 1, len - 1);
			sh->pos = nl ? nl + 1 : p + len;
			run_bang(sh, line);
			free(line);
			continue;
		}
		struct argv a = { 0 };
		const char *why = NULL;
		int r = argv_next(&p, &a, &why);
		sh->pos = p;
		if (r == 0) {
			argv_clear(&a);
			break;
		}
		if (r < 0) {
			ui_error("%s", why);
			account(sh, ERR_USAGE);
			/* Skip the rest of this line: it cannot be split. */
			const char *nl = strchr(sh->pos, '\n');
			sh->pos = nl ? nl + 1 : sh->pos + strlen(sh->pos);
			continue;
		}
		int st = run_argv(sh, &a);
		argv_clear(&a);
		if (st != CMD_PENDING)
			account(sh, st);
	}
	if (sh->fg)
		return false;
	if (sh->pos && *sh->pos) {
		const char *p = sh->pos;
		while (*p == ' ' || *p == '\t' || *p == ';' || *p == '\n')
			p++;
		if (*p)
			return false;
	}
	free(sh->text);
	sh->text = NULL;
	sh->pos = NULL;
	alias_text_reset(sh->aliases);
	return true;
}

void shell_feed(struct shell *sh, const char *text)
{
	/* Appends to what is still waiting, so nothing typed is lost. */
	char *rest = sh->pos ? xstrdup(sh->pos) : xstrdup("");
	if (sh->pos)
		alias_text_moved(sh->aliases, (size_t)(sh->pos - sh->text));
	else
		alias_text_reset(sh->aliases);
	free(sh->text);
	sh->text = xasprintf("%s%s%s", rest, *rest ? "\n" : "", text);
	free(rest);
	sh->pos = sh->text;
}

/* ---- readline --------------------------------------------------------- */

char *shell_prompt(struct shell *sh)
{
	struct session *s = session_focus(sh->reg);
	if (!s)
		return xstrdup("ferry> ");
	const char *loc = session_location(s);
	char *esc = loc ? ui_escape_str(loc, strlen(loc)) : xstrdup("");
	char *p = xasprintf("ferry %s%s%s> ", s->name, *esc ? ":" : "", esc);
	free(esc);
	return p;
}

static char *saved_line;
static int saved_point;

/* The prompt hidden and shown again around other output.  Drawn with the
 * display in force, not readline's own: a password question's draws the
 * question alone, never the answer typed so far. */
static void hide_prompt(void *arg)
{
	struct shell *sh = arg;
	if (!sh->rl_active)
		return;
	saved_point = rl_point;
	saved_line = rl_copy_text(0, rl_end);
	rl_set_prompt("");
	rl_replace_line("", 0);
	rl_redisplay_function();
}

static void show_prompt(void *arg)
{
	struct shell *sh = arg;
	if (!sh->rl_active)
		return;
	rl_set_prompt(sh->prompt);
	rl_replace_line(saved_line ? saved_line : "", 0);
	rl_point = saved_point;
	rl_redisplay_function();
	if (saved_line)
		memset(saved_line, 0, strlen(saved_line)); /* maybe a password */
	free(saved_line);
	saved_line = NULL;
}

bool shell_can_ask(const struct shell *sh)
{
	/* A person typed the command, or started ferry at a terminal with
	 * the rc file and URLs that run before the first prompt. */
	const struct source *src = cur_src();
	return sh->interactive && sh->in_io &&
	       (!sh->from_script || (src && (src->rc || src->urls)));
}

static void on_rl_line(char *line)
{
	struct shell *sh = the_shell;
	if (!line) {
		/* Ctrl-D on an empty line ends the shell. */
		shell_rl_stop(sh);
		fputc('\n', stdout);
		sh->quit = true;
		return;
	}
	shell_rl_stop(sh);
	if (*line) {
		/* Up-arrow and the history file get the line without its
		 * passwords; the command runs with them. */
		char *clean = redact_line(line);
		add_history(clean);
		free(clean);
	}
	sh->from_script = false;
	shell_feed(sh, line);
	free(line);
}

static void rl_start(struct shell *sh)
{
	if (sh->rl_active)
		return;
	free(sh->prompt);
	sh->prompt = shell_prompt(sh);
	rl_callback_handler_install(sh->prompt, on_rl_line);
	sh->rl_active = true;
	ev_io_set(sh->in_io, POLLIN);
	jobline_refresh(sh);
}

void shell_rl_stop(struct shell *sh)
{
	if (!sh->rl_active)
		return;
	rl_callback_handler_remove();
	sh->rl_active = false;
	/* Taken off by the accepted line already; else left where they
	 * are, not to be erased under whatever comes next. */
	ui_status_forget();
	ev_io_set(sh->in_io, 0);
}

static void on_tty(int fd, short revents, void *arg)
{
	struct shell *sh = arg;
	(void)fd;
	if (sh->rl_active)
		rl_callback_read_char();
	else
		ev_io_set(sh->in_io, 0);
}

/* ---- standard input as a script --------------------------------------- */

static void on_stdin(int fd, short revents, void *arg)
{
	struct shell *sh = arg;
	char *p = buf_reserve(&sh->in, 65536);
	if (!p) {
		ui_error("standard input: line too long");
		sh->status = 2;
		sh->quit = true;
		return;
	}
	ssize_t n = read(fd, p, 65536);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		sh->in_eof = true;
		ev_io_set(sh->in_io, 0);
		return;
	}
	buf_commit(&sh->in, (size_t)n);
}

/* Take complete lines from standard input when no command is waiting. */
static bool stdin_take(struct shell *sh)
{
	size_t len = 0;
	const char *d = buf_peek(&sh->in);
	const char *nl = memrchr(d, '\n', buf_avail(&sh->in));
	if (nl)
		len = (size_t)(nl - d) + 1;
	else if (sh->in_eof)
		len = buf_avail(&sh->in);
	if (!len)
		return false;
	char *text = xstrndup(d, len);
	buf_consume(&sh->in, len);
	shell_feed(sh, text);
	free(text);
	return true;
}

/* ---- Ctrl-C ------------------------------------------------------------ */

/* Ctrl-Z and window resizes, at a terminal: noted here, handled by the
 * loop (handle_sigtstp, handle_sigwinch). */
static void on_sigtstp(int sig)
{
	(void)sig;
	if (the_shell) {
		the_shell->sigtstp = true;
		ev_wakeup(the_shell->ev);
	}
}

static void on_sigwinch(int sig)
{
	(void)sig;
	if (the_shell) {
		the_shell->sigwinch = true;
		ev_wakeup(the_shell->ev);
	}
}

static void set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa = { 0 };
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void handle_sigwinch(struct shell *sh)
{
	sh->sigwinch = false;
	if (sh->interactive) {
		jobline_hide(sh);
		rl_resize_terminal();
		jobline_refresh(sh);
	}
}

/* Ctrl-Z: a running foreground command goes on in the background (as in
 * lftp); at the prompt ferry itself stops, the terminal restored, and
 * comes back with the prompt and the typed line redrawn. */
static void handle_sigtstp(struct shell *sh)
{
	sh->sigtstp = false;
	if (sh->ask_fn)
		return; /* a question is answered first */
	struct job *j = sh->fg;
	if (j && sh->waiter && sh->waiter->job == j) {
		/* `wait` or `fg` stops waiting; an fg job goes back. */
		struct job *t = sh->wait_fg ? job_find(&sh->jobs, sh->wait_id) : NULL;
		struct cmdctx *w = sh->waiter;
		sh->waiter = NULL;
		w->cancel = NULL;
		if (t)
			job_set_background(sh, t, true);
		cmd_done(w, 0);
		return;
	}
	if (j && j->ctx && !shell_spawned(j->ctx) && !sh->programs) {
		sh->fg = NULL;
		job_set_background(sh, j, true);
		ev_wakeup(sh->ev);
		return;
	}
	if (j || !sh->rl_active)
		return; /* a local program has the terminal: it got the signal */
	jobline_hide(sh);
	rl_callback_sigcleanup();
	rl_deprep_terminal();
	set_handler(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	/* Continued (SIGCONT), maybe after the window changed. */
	set_handler(SIGTSTP, on_sigtstp);
	rl_prep_terminal(1);
	rl_resize_terminal();
	rl_forced_update_display();
	jobline_refresh(sh);
}

static void on_sigint(int sig)
{
	(void)sig;
	if (the_shell) {
		the_shell->sigint = true;
		ev_wakeup(the_shell->ev);
	}
}

/* Ctrl-C for a job (or `kill`): its cancel hook, else drop its
 * connection and leave the command to its late callbacks. */
static void job_interrupt(struct shell *sh, struct job *j)
{
	struct cmdctx *ctx = j->ctx;
	if (!ctx)
		return; /* ended; the pipe's reader gets the signal itself */
	if (ctx->cancel && !ctx->finished) {
		void (*cancel)(struct cmdctx *) = ctx->cancel;
		ctx->cancel = NULL; /* a second Ctrl-C forces it */
		cancel(ctx);
		return;
	}
	/* No way to stop it politely: drop its connection and leave the
	 * context to its late callbacks (cmd_done ignores them). */
	bool connecting = j->lease && !j->held;
	/* The connection it holds, or the one logging in for it (not
	 * necessarily the site's own). */
	struct session *c = j->held ? j->conn :
	                    connecting ? session_lease_conn(j->lease) : NULL;
	if (c)
		session_drop(c, "interrupted");
	ctx->finished = true;
	ctx->orphaned = true;
	ctx->job = NULL;
	j->ctx = NULL;
	if (connecting)
		j->lease = NULL; /* ensured() frees the context when it ends */
	job_release(sh, j);
	j->err = ERR_INTR;
	j->ending = true;
	job_output_done(sh, j);
}

static void handle_sigint(struct shell *sh)
{
	sh->sigint = false;
	if (shell_ask_interrupt(sh))
		return;
	if (sh->fg) {
		job_interrupt(sh, sh->fg);
		return;
	}
	if (sh->rl_active) {
		/* At the prompt: drop the typed line and start a fresh one. */
		jobline_hide(sh);
		rl_replace_line("", 0);
		rl_crlf();
		rl_on_new_line();
		rl_redisplay();
	} else if (!sh->interactive) {
		sh->status = 130;
		sh->quit = true;
	}
}

/* ---- files ------------------------------------------------------------- */

/* Read a whole (small) file; NULL if missing.  Scripts are read before the
 * loop starts. */
static char *slurp(const char *path, bool *missing)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		*missing = errno == ENOENT;
		return NULL;
	}
	struct buf b;
	buf_init(&b, 16 * 1024 * 1024);
	char tmp[8192];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (buf_append(&b, tmp, n) < 0)
			break;
	bool bad = ferror(f) || !feof(f);
	fclose(f);
	char *s = bad ? NULL : xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	*missing = false;
	return s;
}

/* ---- the main loop ----------------------------------------------------- */

/* Give the next input to run; returns false when all input is done. */
static bool next_input(struct shell *sh)
{
	for (;;) {
		if (sh->pos && !run_text(sh))
			return true;
		if (sh->fg || sh->quit)
			return true;
		if (cur_source >= 0 && sources[cur_source].kind == SRC_STDIN) {
			if (stdin_take(sh))
				continue;
			if (!sh->in_eof)
				return true;
		}
		if (cur_source >= 0 && sources[cur_source].kind == SRC_TTY) {
			rl_start(sh);
			return true;
		}
		if (cur_source + 1 >= nsources)
			return false;
		struct source *src = &sources[++cur_source];
		ui_set_where(NULL);
		sh->from_script = src->kind != SRC_TTY;
		if (src->kind == SRC_TEXT) {
			shell_feed(sh, src->text);
		} else if (src->kind == SRC_STDIN) {
			buf_init(&sh->in, 1024 * 1024);
			sh->in_io = ev_io_add(sh->ev, STDIN_FILENO, POLLIN, on_stdin, sh);
		} else if (!sh->in_io) {
			sh->in_io = ev_io_add(sh->ev, STDIN_FILENO, 0, on_tty, sh);
		}
	}
}

static void quit_answer(struct shell *sh, const char *answer, void *arg)
{
	(void)arg;
	if (answer && (answer[0] == 'y' || answer[0] == 'Y'))
		sh->quit_asked = true;
	else
		sh->quit = false;
}

/* `quit` or end of input: fine without jobs, and in scripts (the jobs are
 * waited for); at a terminal with jobs running, ask first. */
static bool quit_ok(struct shell *sh)
{
	if (!sh->jobs.list || sh->quit_asked || !sh->interactive || sh->from_script ||
	    !sh->in_io || sh->status)
		return true;
	if (sh->ask_fn)
		return false; /* asked already: the answer comes */
	int n = job_count(&sh->jobs);
	char *q = xasprintf("%d job%s running; quit and cancel %s? [y/N] ", n,
	                    n == 1 ? " is" : "s are", n == 1 ? "it" : "them");
	shell_ask(sh, q, quit_answer, NULL);
	free(q);
	return false;
}

/* At exit: cancel what still runs, and give it a moment to end cleanly. */
static void jobs_stop(struct shell *sh)
{
	for (struct job *j = sh->jobs.list, *next; j; j = next) {
		next = j->next;
		/* No notices, messages or statuses now: the run's status is
		 * decided (a failure, or the user said quit). */
		j->background = false;
		j->killed = true;
		if (j->ctx)
			j->ctx->on_error = job_error;
		job_interrupt(sh, j);
	}
	for (int i = 0; i < 100 && sh->jobs.list; i++)
		ev_run_once(sh->ev, 20);
}

/* A history file written before redaction existed may hold passwords:
 * clean what was read, so the file is rewritten without them at exit. */
static void redact_history(void)
{
	for (int i = 0; i < history_length; i++) {
		HIST_ENTRY *h = history_get(history_base + i);
		if (!h)
			continue;
		char *clean = redact_line(h->line);
		if (strcmp(clean, h->line) != 0) {
			HIST_ENTRY *old = replace_history_entry(i, clean, h->data);
			if (old)
				free_history_entry(old);
		}
		free(clean);
	}
}

static void setup_readline(struct shell *sh)
{
	rl_readline_name = "ferry";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0; /* ours: readline only sees it while reading */
	set_handler(SIGWINCH, on_sigwinch);
	set_handler(SIGTSTP, on_sigtstp);
	complete_init(sh);
	sh->histfile = xdg_path("XDG_STATE_HOME", ".local/state", "history");
	if (sh->histfile) {
		xdg_mkdirs_for(sh->histfile);
		read_history(sh->histfile);
		redact_history();
	}
	stifle_history(1000);
	/* The jobs' lines leave the screen before an accepted line does, and
	 * around a completion, which may list names under the line. */
	static const char *const maps[] = { "emacs", "vi-insert", "vi-command" };
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		Keymap km = rl_get_keymap_by_name(maps[i]);
		if (km) {
			rl_bind_key_in_map('\r', jobline_accept, km);
			rl_bind_key_in_map('\n', jobline_accept, km);
			if (strcmp(maps[i], "vi-command") != 0)
				rl_bind_key_in_map('\t', jobline_complete, km);
		}
	}
	struct ui_hooks h = { hide_prompt, show_prompt, sh };
	ui_set_hooks(&h);
}

static const struct cmd_host shell_host = { shell_run_program, shell_host_ask };

int shell_main(const struct shell_opts *o)
{
	struct shell shell = { 0 };
	struct shell *sh = &shell;
	the_shell = sh;
	cmd_set_host(&shell_host);

	sh->ev = ev_new();
	sh->cfg = config_new();
	sh->reg = session_reg_new(sh->ev, sh->cfg);
	sh->aliases = aliases_new();
	sh->keep_going = o->keep_going;
	sh->interactive = !o->commands && !o->file && isatty(STDIN_FILENO);
	if (sh->interactive && !rllib_load()) {
		/* No line editor: the terminal's lines are read as a script's. */
		ui_error("cannot load the line editor (%s): reading commands "
		         "without it", rllib_error());
		sh->interactive = false;
	}
	log_set_trace(o->trace);
	/* Scripts get errors and warnings on stderr, not progress chatter. */
	ui_set_quiet(!sh->interactive);

	struct sigaction sa = { 0 };
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!o->no_rc) {
		char *rc = xdg_path("XDG_CONFIG_HOME", ".config", "ferryrc");
		bool missing = true;
		char *text = rc ? slurp(rc, &missing) : NULL;
		struct source *src = text ? add_source(SRC_TEXT, text, true) : NULL;
		if (src)
			src->path = xstrdup(rc);
		else if (!text && rc && !missing)
			ui_error("%s: cannot read: %s", rc, strerror(errno));
		free(rc);
	}
	if (o->nurls) {
		struct buf b;
		buf_init(&b, 1024 * 1024);
		for (int i = 0; i < o->nurls; i++) {
			char *q = argv_quote(o->urls[i]);
			/* `ferry ftp://host/dir/file` in batch, with no
			 * commands: a one-shot download (as curl), where a
			 * URL ending in '/' opens the directory. */
			bool fetch = !o->commands && !o->file && !sh->interactive &&
			             oneshot_names_file(o->urls[i]);
			buf_appendf(&b, "%s %s\n", fetch ? "get" : "open", q);
			free(q);
		}
		struct source *src = add_source(SRC_TEXT, xstrndup(buf_peek(&b), buf_avail(&b)),
		                                false);
		if (src)
			src->urls = true;
		buf_clear(&b);
	}
	if (o->commands) {
		add_source(SRC_TEXT, xstrdup(o->commands), false);
	} else if (o->file) {
		bool missing;
		/* `-f ~/script` where no shell expanded it (`-f~/x`, a
		 * launcher). */
		char *file = path_expand_tilde(o->file);
		char *text = strcmp(file, "-") == 0 ? NULL : slurp(file, &missing);
		if (!text && strcmp(file, "-") != 0) {
			int e = errno;
			char *esc = ui_escape_str(file, strlen(file));
			ui_error("%s: %s", esc, strerror(e));
			free(esc);
			free(file);
			sh->status = 7;
			goto out;
		}
		free(file);
		if (text)
			add_source(SRC_TEXT, text, false);
		else
			add_source(SRC_STDIN, NULL, false);
	} else if (sh->interactive) {
		setup_readline(sh);
		add_source(SRC_TTY, NULL, false);
		/* Now, so the rc file and the URLs may ask (a certificate, a
		 * password). */
		sh->in_io = ev_io_add(sh->ev, STDIN_FILENO, 0, on_tty, sh);
		session_reg_set_asker(sh->reg, shell_ask_password, sh);
	} else {
		add_source(SRC_STDIN, NULL, false);
	}

	for (;;) {
		bool more = !sh->quit && next_input(sh);
		/* Input is over: the jobs still running are waited for, unless
		 * a failure ended the run or the user said to cancel them. */
		if ((!more || sh->quit) && quit_ok(sh) &&
		    (!sh->jobs.list || sh->status || sh->quit_asked))
			break;
		ev_run_once(sh->ev, -1);
		if (sh->sigint)
			handle_sigint(sh);
		if (sh->sigtstp)
			handle_sigtstp(sh);
		if (sh->sigwinch)
			handle_sigwinch(sh);
	}
	jobs_stop(sh);
	jobline_stop(sh);

out:
	if (sh->rl_active)
		shell_rl_stop(sh);
	if (sh->interactive) {
		ui_set_hooks(NULL);
		if (sh->histfile)
			write_history(sh->histfile);
	}
	/* Say goodbye to every server, within a bound. */
	while (session_first(sh->reg))
		session_close(session_first(sh->reg));
	for (int i = 0; i < 200 && session_reg_closing(sh->reg); i++)
		ev_run_once(sh->ev, 20);
	ui_flush();
	session_reg_free(sh->reg);
	oneshot_clear();
	if (sh->in_io)
		ev_io_del(sh->in_io);
	buf_clear(&sh->in);
	free(sh->text);
	free(sh->prompt);
	free(sh->histfile);
	free(sh->lcd_prev);
	for (int i = 0; i < nsources; i++) {
		free(sources[i].text);
		free(sources[i].path);
	}
	ui_set_where(NULL);
	config_free(sh->cfg);
	aliases_free(sh->aliases);
	ev_free(sh->ev);
	conn_tls_global_deinit();
	the_shell = NULL;
	return sh->status;
}
