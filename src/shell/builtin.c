/* builtin.c - the shell's own commands, and resolving names (builtin.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alias.h"
#include "argv.h"
#include "ask.h"
#include "buf.h"
#include "bookmark.h"
#include "builtin.h"
#include "child.h"
#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "err.h"
#include "help.h"
#include "ev.h"
#include "log.h"
#include "progress.h"
#include "proto.h"
#include "session.h"
#include "tilde.h"
#include "shell.h"
#include "sink.h"
#include "ui.h"
#include "url.h"

/* "CMD: [NAME: ]why" for a session that failed to connect. */
static void session_failed(const char *cmd, struct session *s, int err)
{
	char *why = session_failure(s, err);
	ui_error("%s: %s", cmd, why);
	free(why);
}

/* open URL [as NAME] */
struct open_op {
	struct session *s;
	int prev_focus; /* the id of the session focused before, or 0 */
};

static void opened(struct session *s, int err, void *arg);

/* A session that never connected is not kept, and the focus goes back
 * where the user had it (not to the most recently used session): later
 * commands must not go to a server the user did not choose. */
static void open_failed(struct cmdctx *ctx, int err)
{
	struct open_op *o = ctx->op;
	struct session_reg *reg = ctx->sh->reg;
	bool was_focus = session_focus(reg) == o->s;
	session_close(o->s);
	if (was_focus) {
		char id[16];
		snprintf(id, sizeof(id), "%d", o->prev_focus);
		struct session *prev = o->prev_focus ? session_find(reg, id) : NULL;
		session_set_focus(reg, prev && prev->id == o->prev_focus ? prev : NULL);
	}
	ctx->op = NULL;
	free(o);
	cmd_done(ctx, err);
}

static void open_retry(struct cmdctx *ctx, bool trusted)
{
	struct open_op *o = ctx->op;
	if (!trusted) {
		open_failed(ctx, ERR_TLS);
		return;
	}
	session_ensure(o->s, opened, ctx);
}

static void opened(struct session *s, int err, void *arg)
{
	struct cmdctx *ctx = arg;
	if (ctx->finished) {
		free(ctx->op);
		ctx->op = NULL;
		cmd_done(ctx, err); /* an orphaned context is freed */
		return;
	}
	if (err) {
		session_failed("open", s, err);
		if (err == ERR_TLS && shell_offer_trust(ctx->sh, s, open_retry, ctx))
			return;
		open_failed(ctx, err);
		return;
	}
	if (ctx->sh->interactive && !ctx->sh->from_script) {
		char *host = ui_escape_str(s->host, strlen(s->host));
		ui_info("%s: connected to %s port %d%s%s", s->name, host, s->port,
		        conn_is_tls(s->conn) ? ", " : "",
		        conn_is_tls(s->conn) ? conn_tls_desc(s->conn) : "");
		free(host);
	}
	free(ctx->op);
	ctx->op = NULL;
	cmd_done(ctx, 0);
}

static void open_cancel(struct cmdctx *ctx)
{
	struct open_op *o = ctx->op;
	session_drop(o->s, "interrupted");
}

/* lftp's "open -u USER[,PASSWORD] -p PORT": *url (heap) made again with
 * them.  0, or ERR_USAGE (reported). */
static int open_login(struct cmdctx *ctx, char **url, const char *login, const char *port)
{
	struct url u;
	const char *why = NULL;
	if (url_parse(*url, &u, &why) < 0)
		return cmd_error(ctx, ERR_USAGE, "%s", why);
	if (login) {
		const char *comma = strchr(login, ',');
		free(u.user);
		if (u.pass)
			memset(u.pass, 0, strlen(u.pass));
		free(u.pass);
		u.user = comma ? xstrndup(login, (size_t)(comma - login)) : xstrdup(login);
		u.pass = comma ? xstrdup(comma + 1) : NULL;
	}
	int r = 0;
	if (port) {
		char *end;
		long n = strtol(port, &end, 10);
		if (!*port || *end || n < 1 || n > 65535)
			r = cmd_error(ctx, ERR_USAGE, "-p: a port from 1 to 65535");
		u.port = (int)n;
	}
	if (!r) {
		memset(*url, 0, strlen(*url));
		free(*url);
		*url = url_format(&u);
	}
	if (u.pass)
		memset(u.pass, 0, strlen(u.pass));
	url_clear(&u);
	return r;
}

static int do_open(struct cmdctx *ctx)
{
	const char *name = NULL, *why = NULL, *login = NULL, *port = NULL;
	struct session *s;
	int a = 1;

	for (; a + 1 < ctx->argc && ctx->argv[a][0] == '-'; a += 2) {
		if (strcmp(ctx->argv[a], "-u") == 0)
			login = ctx->argv[a + 1];
		else if (strcmp(ctx->argv[a], "-p") == 0)
			port = ctx->argv[a + 1];
		else
			break;
	}
	if (ctx->argc == a + 3 && strcmp(ctx->argv[a + 1], "as") == 0)
		name = ctx->argv[a + 2];
	else if (ctx->argc != a + 1)
		return cmd_error(ctx, ERR_USAGE, "usage: open %s", ctx->def->args);
	if (login && !*login)
		return cmd_error(ctx, ERR_USAGE, "-u: a user name, then ,PASSWORD if wanted");
	const char *url = ctx->argv[a];
	char *tmp = NULL;
	if (!url_is_url(url) && (tmp = bookmark_lookup(url))) {
		/* open NAME: a bookmark (before a host of that name, as in
		 * lftp); the session is named after it when the name is free. */
		if (!name && !session_find(ctx->sh->reg, url))
			name = url;
		url = tmp;
	} else if (!url_is_url(url)) {
		/* `open ::1`: the literal as it must be typed. */
		const char *c = strchr(url, ':');
		if (c && strchr(c + 1, ':') && strspn(url, "0123456789abcdefABCDEF:.%") ==
		    strlen(url))
			return cmd_error(ctx, ERR_USAGE, "%s: an IPv6 address goes in "
			                 "brackets: open [%s]", url, url);
		url = tmp = xasprintf("ftp://%s", url); /* like lftp: a bare host is FTP */
	}
	if (login || port) {
		if (!tmp)
			tmp = xstrdup(url);
		int r = open_login(ctx, &tmp, login, port);
		if (r < 0) {
			memset(tmp, 0, strlen(tmp));
			free(tmp);
			return r;
		}
		url = tmp;
	}
	struct session *prev = session_focus(ctx->sh->reg);
	int r = session_create(ctx->sh->reg, url, name, &s, &why);
	if (tmp)
		memset(tmp, 0, strlen(tmp)); /* a bookmark may hold a password */
	free(tmp);
	if (r < 0)
		return cmd_error(ctx, r, "%s", why);
	struct open_op *o = xcalloc(1, sizeof(*o));
	o->s = s;
	o->prev_focus = prev ? prev->id : 0;
	ctx->op = o;
	ctx->cancel = open_cancel;
	session_ensure(s, opened, ctx);
	return CMD_PENDING;
}

static struct session *pick(struct cmdctx *ctx, int i)
{
	if (ctx->argc <= i) {
		struct session *s = session_focus(ctx->sh->reg);
		if (!s)
			cmd_error(ctx, ERR_USAGE, "no session");
		return s;
	}
	struct session *s = session_find(ctx->sh->reg, ctx->argv[i]);
	if (!s) {
		char *esc = ui_escape_str(ctx->argv[i], strlen(ctx->argv[i]));
		cmd_error(ctx, ERR_USAGE, "%s: no such session", esc);
		free(esc);
	}
	return s;
}

static int do_close(struct cmdctx *ctx)
{
	struct session *s = pick(ctx, 1);
	if (!s)
		return ERR_USAGE;
	return shell_close_session(ctx->sh, ctx, s);
}

static int do_use(struct cmdctx *ctx)
{
	struct session *s = pick(ctx, 1);
	if (!s)
		return ERR_USAGE;
	session_set_focus(ctx->sh->reg, s);
	return 0;
}

/* The end of `reconnect` and `user`. */
static void reconnected(struct session *s, int err, void *arg)
{
	struct cmdctx *ctx = arg;
	if (ctx->finished)
		return;
	if (err)
		session_failed(ctx->def ? ctx->def->name : "reconnect", s, err);
	cmd_done(ctx, err);
}

static void reconnect_cancel(struct cmdctx *ctx)
{
	session_drop(ctx->op, "interrupted");
}

static int do_reconnect(struct cmdctx *ctx)
{
	struct session *s = pick(ctx, 1);
	if (!s)
		return ERR_USAGE;
	session_drop(s, "reconnect requested");
	ctx->op = s;
	ctx->cancel = reconnect_cancel;
	session_ensure(s, reconnected, ctx);
	return CMD_PENDING;
}

/* user NAME [PASSWORD]: log the focused session in again as NAME (as in
 * lftp); without a password, ~/.netrc's, else the question at a
 * terminal. */
static int do_user(struct cmdctx *ctx)
{
	struct session *s = session_focus(ctx->sh->reg);
	if (!s)
		return cmd_error(ctx, ERR_USAGE, "no session (`open URL` first)");
	if (strpbrk(ctx->argv[1], "\r\n") || (ctx->argc > 2 && strpbrk(ctx->argv[2], "\r\n")))
		return cmd_error(ctx, ERR_USAGE, "line breaks in a login");
	if (session_in_use(s))
		return cmd_error(ctx, ERR_USAGE, "%s is in use; wait for its jobs (`jobs`)",
		                 s->name);
	session_set_login(s, ctx->argv[1], ctx->argc > 2 ? ctx->argv[2] : NULL);
	if (ctx->argc > 2)
		memset(ctx->argv[2], 0, strlen(ctx->argv[2]));
	ctx->op = s;
	ctx->cancel = reconnect_cancel;
	session_ensure(s, reconnected, ctx);
	return CMD_PENDING;
}

/* An alias as it could be typed again: alias NAME 'TEXT'. */
static void alias_line(struct cmdctx *ctx, const char *name, const char *text)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	for (const char *p = text; *p; p++)
		buf_appendf(&b, *p == '\'' ? "'\\''" : "%c", *p);
	char *esc = ui_escape_str(buf_peek(&b), buf_avail(&b));
	cmd_printf(ctx, "alias %s '%s'", name, esc);
	free(esc);
	buf_clear(&b);
}

/* alias [NAME COMMAND...]: list, or define; one COMMAND word is taken as
 * it is (`alias up "cd ..; ls"`), several are joined quoted. */
static int do_alias(struct cmdctx *ctx)
{
	struct aliases *al = ctx->sh->aliases;
	if (ctx->argc == 1) {
		const char *text, *name;
		for (size_t i = 0; (name = alias_nth(al, i, &text)); i++)
			alias_line(ctx, name, text);
		return 0;
	}
	const char *name = ctx->argv[1];
	if (!alias_name_ok(name)) {
		char *esc = ui_escape_str(name, strlen(name));
		int r = cmd_error(ctx, ERR_USAGE, "%s: an alias name has no blank, quote "
		                  "or ; & | > #, and does not start with @ or !", esc);
		free(esc);
		return r;
	}
	if (ctx->argc == 2) {
		const char *text = alias_get(al, name);
		if (!text)
			return cmd_error(ctx, ERR_USAGE, "%s: no such alias (`alias` lists them)", name);
		alias_line(ctx, name, text);
		return 0;
	}
	struct buf b;
	buf_init(&b, 64 * 1024);
	for (int i = 2; i < ctx->argc; i++) {
		char *q = ctx->argc == 3 ? xstrdup(ctx->argv[i]) : argv_quote(ctx->argv[i]);
		buf_appendf(&b, "%s%s", i > 2 ? " " : "", q);
		free(q);
	}
	char *text = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	int r = 0;
	if (strpbrk(text, "\r\n"))
		r = cmd_error(ctx, ERR_USAGE, "an alias is one line (use ; between commands)");
	else
		alias_set(al, name, text);
	free(text);
	return r;
}

static int do_unalias(struct cmdctx *ctx)
{
	if (!alias_del(ctx->sh->aliases, ctx->argv[1]))
		return cmd_error(ctx, ERR_USAGE, "%s: no such alias (`alias` lists them)",
		                 ctx->argv[1]);
	return 0;
}

static void idle_text(char *out, size_t n, int64_t ms)
{
	long s = (long)(ms / 1000);
	if (s < 60)
		snprintf(out, n, "%lds", s);
	else if (s < 3600)
		snprintf(out, n, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(out, n, "%ldh%02ldm", s / 3600, (s / 60) % 60);
}

/* Under NNTP COMPRESS, what the wire carried against the data: one line
 * below the session's ("compressed: received 9.1 MiB as 2.0 MiB, 78%
 * saved; sent 41 KiB as 9 KiB"). */
static void print_compressed(struct cmdctx *ctx, struct session *s)
{
	struct conn_stats st;
	char a[32], b[32], c[32], d[32];

	session_bytes(s, &st);
	if (st.in_wire == st.in_data && st.out_wire == st.out_data)
		return;
	progress_size(st.in_data, a, sizeof(a));
	progress_size(st.in_wire, b, sizeof(b));
	progress_size(st.out_data, c, sizeof(c));
	progress_size(st.out_wire, d, sizeof(d));
	long saved = st.in_data > st.in_wire ?
		(long)((st.in_data - st.in_wire) * 100 / st.in_data) : 0;
	cmd_printf(ctx, "      compressed: received %s as %s, %ld%% saved; sent %s as %s",
	           a, b, saved, c, d);
}

static int do_sessions(struct cmdctx *ctx)
{
	struct session_reg *reg = ctx->sh->reg;
	struct session *focus = session_focus(reg);
	if (!session_first(reg)) {
		cmd_printf(ctx, "no sessions (type `open URL`)");
		return 0;
	}
	cmd_printf(ctx, "  %-3s %-16s %-5s %-24s %-12s %-4s %-8s %s", "ID", "NAME", "PROTO",
	       "HOST", "STATE", "TLS", "IDLE", "LOCATION");
	for (struct session *s = session_first(reg); s; s = session_next(s)) {
		char idle[32], hostport[300];
		idle_text(idle, sizeof(idle), ev_now_ms(s->ev) - s->last_used_ms);
		char *host = ui_escape_str(s->host, strlen(s->host));
		/* An IPv6 literal in brackets, as in a URL. */
		snprintf(hostport, sizeof(hostport), strchr(host, ':') ? "[%s]:%d" :
		         "%s:%d", host, s->port);
		free(host);
		const char *loc = session_location(s);
		char *esc = loc ? ui_escape_str(loc, strlen(loc)) : xstrdup("-");
		bool tls = s->conn && conn_is_tls(s->conn);
		/* "busy+2": two more connections of the session besides this. */
		char state[32];
		int extra = session_connections(s) - 1;
		snprintf(state, sizeof(state), extra ? "%s+%d" : "%s",
		         session_state_name(s->state), extra);
		cmd_printf(ctx, "%c %-3d %-16s %-5s %-24s %-12s %-4s %-8s %s", s == focus ? '*' : ' ',
		       s->id, s->name, s->proto->name, hostport,
		       state, tls ? "yes" : "no", idle, esc);
		free(esc);
		print_compressed(ctx, s);
	}
	return 0;
}

/* Colour only on the terminal itself, and never under NO_COLOR (present
 * and not empty: https://no-color.org). */
static bool use_colour(struct cmdctx *ctx)
{
	const char *nc = getenv("NO_COLOR");
	return sink_is_tty(cmd_out(ctx)) && !(nc && *nc);
}

/* Print a text of lines ending in '\n' (help.h) as the command's own lines. */
static int print_text(struct cmdctx *ctx, const struct buf *b)
{
	const char *p = buf_peek(b), *end = p + buf_avail(b);
	int r = 0;
	while (p < end && !r) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		r = cmd_printf(ctx, "%.*s", (int)n, p);
		p += n + 1;
	}
	return r;
}

/* `set`: name, value and help line of every setting, aligned. */
static int set_list(struct cmdctx *ctx, const struct config *cfg)
{
	struct buf b;
	const char *name, *host, *value;
	buf_init(&b, 1024 * 1024);
	help_settings(&b, cfg, use_colour(ctx), false);
	/* The per-host overrides, as lines that can be typed again. */
	for (size_t k = 0; (name = config_override_nth(cfg, k, &host, &value)); k++) {
		char *line = xasprintf("set %s/%s %s\n", name, host, value);
		buf_appendstr(&b, line);
		free(line);
	}
	int r = print_text(ctx, &b);
	buf_clear(&b);
	return r;
}

/* `set NAME/HOST`: the override set last for that setting and host
 * pattern (the one that wins). */
static int show_override(struct cmdctx *ctx, const struct config *cfg, const char *arg)
{
	const char *name, *host, *value, *found = NULL;
	size_t nlen = (size_t)(strchr(arg, '/') - arg);
	for (size_t k = 0; (name = config_override_nth(cfg, k, &host, &value)); k++)
		if (strlen(name) == nlen && strncmp(name, arg, nlen) == 0 &&
		    strcmp(host, arg + nlen + 1) == 0)
			found = value;
	if (!found)
		return cmd_error(ctx, ERR_FAIL, "%s: no such override (`set %s VALUE` makes one)",
		                 arg, arg);
	char *esc = ui_escape_str(found, strlen(found));
	cmd_printf(ctx, "%s %s", arg, esc);
	free(esc);
	return 0;
}

static int do_set(struct cmdctx *ctx)
{
	struct config *cfg = ctx->sh->cfg;
	if (ctx->argc == 1)
		return set_list(ctx, cfg);
	const char *why = NULL;
	if (ctx->argc == 2 && strchr(ctx->argv[1], '/'))
		return show_override(ctx, cfg, ctx->argv[1]);
	if (ctx->argc == 2) {
		for (int i = 0; config_name(i); i++)
			if (strcmp(config_name(i), ctx->argv[1]) == 0) {
				const char *v = config_value_text(cfg, ctx->argv[1]);
				char *esc = ui_escape_str(v, strlen(v));
				cmd_printf(ctx, "%s %s", ctx->argv[1], esc);
				free(esc);
				return 0;
			}
		return cmd_error(ctx, ERR_USAGE, "%s: unknown setting (`set` lists them)",
		                 ctx->argv[1]);
	}
	if (config_set(cfg, ctx->argv[1], ctx->argv[2], &why) < 0)
		return cmd_error(ctx, ERR_USAGE, "%s: %s", ctx->argv[1], why);
	session_reg_settings_changed(ctx->sh->reg);
	return 0;
}

static int do_help(struct cmdctx *ctx)
{
	struct buf b;
	char *why = NULL;
	buf_init(&b, 1024 * 1024);
	int r = help_text(&b, ctx->sh->cfg, ctx->argc == 2 ? ctx->argv[1] : NULL, &why);
	r = r < 0 ? cmd_error(ctx, r, "%s", why) : print_text(ctx, &b);
	free(why);
	buf_clear(&b);
	return r;
}

bool builtin_paged(struct shell *sh, const struct cmd_def *def, int argc, char **argv)
{
	return def->run == do_help && help_longer_than_screen(sh->cfg, argc == 2 ? argv[1] : NULL);
}

static int do_lcd(struct cmdctx *ctx)
{
	struct shell *sh = ctx->sh;
	/* lcd -: back where the last lcd left, as cd - (and sh's). */
	bool back = ctx->argc > 1 && strcmp(ctx->argv[1], "-") == 0 &&
	            !(ctx->quoted && ctx->quoted[1]);
	if (back && !sh->lcd_prev)
		return cmd_error(ctx, ERR_USAGE, "no previous local directory yet (lcd - goes "
		                 "back where the last lcd left)");
	/* `~` in DIR is the shell's (path_expand_tilde); none is home. */
	char *dir = back ? xstrdup(sh->lcd_prev) : ctx->argc > 1 ? xstrdup(ctx->argv[1]) :
	            path_expand_tilde("~");
	if (dir[0] == '~' && ctx->argc == 1) {
		free(dir);
		return cmd_error(ctx, ERR_USAGE, "no directory and no $HOME");
	}
	char *here = getcwd(NULL, 0);
	int r = 0;
	if (chdir(dir) < 0) {
		r = cmd_error(ctx, ERR_LOCAL, "%s: %s", dir, strerror(errno));
		free(here);
	} else {
		free(sh->lcd_prev);
		sh->lcd_prev = here;
	}
	free(dir);
	return r;
}

static int do_lpwd(struct cmdctx *ctx)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return cmd_error(ctx, ERR_LOCAL, "%s", strerror(errno));
	cmd_printf(ctx, "%s", cwd);
	return 0;
}

static int do_lls(struct cmdctx *ctx)
{
	char **argv = xcalloc((size_t)ctx->argc + 1, sizeof(char *));
	argv[0] = "ls";
	for (int i = 1; i < ctx->argc; i++)
		argv[i] = ctx->argv[i];
	int r = shell_spawn(ctx->sh, argv, ctx);
	free(argv);
	return r;
}

static int do_debug(struct cmdctx *ctx)
{
	if (ctx->argc == 1) {
		cmd_printf(ctx, "debug %s", log_trace_on() ? "on" : "off");
		return 0;
	}
	if (strcmp(ctx->argv[1], "on") == 0)
		log_set_trace(true);
	else if (strcmp(ctx->argv[1], "off") == 0)
		log_set_trace(false);
	else
		return cmd_error(ctx, ERR_USAGE, "usage: debug on|off");
	return 0;
}

/* "N" or "%N": a job number. */
static int job_arg(struct cmdctx *ctx, int i)
{
	if (ctx->argc <= i)
		return 0;
	const char *a = ctx->argv[i] + (ctx->argv[i][0] == '%');
	char *end;
	long n = strtol(a, &end, 10);
	if (!*a || *end || n <= 0 || n > 1000000)
		return -1;
	return (int)n;
}

static int do_jobs(struct cmdctx *ctx)
{
	shell_jobs_list(ctx->sh, ctx);
	return 0;
}

static int do_wait(struct cmdctx *ctx)
{
	int id = job_arg(ctx, 1);
	if (id < 0)
		return cmd_error(ctx, ERR_USAGE, "usage: wait [N]");
	return shell_wait(ctx->sh, ctx, id, false);
}

static int do_fg(struct cmdctx *ctx)
{
	int id = job_arg(ctx, 1);
	if (id < 0)
		return cmd_error(ctx, ERR_USAGE, "usage: fg [N]");
	return shell_wait(ctx->sh, ctx, id, true);
}

static int do_kill(struct cmdctx *ctx)
{
	if (ctx->argc > 1 && strcmp(ctx->argv[1], "all") == 0) {
		/* lftp's kill all.  A job may leave the list as it is
		 * cancelled: look again from the start after each. */
		for (;;) {
			struct job *j = ctx->sh->jobs.list;
			while (j && (j == ctx->job || j->killed))
				j = j->next;
			if (!j)
				return 0;
			int r = shell_kill(ctx->sh, ctx, j->id);
			if (r)
				return r;
		}
	}
	int id = job_arg(ctx, 1);
	if (id <= 0)
		return cmd_error(ctx, ERR_USAGE, "usage: kill N|all");
	return shell_kill(ctx->sh, ctx, id);
}

static int do_quit(struct cmdctx *ctx)
{
	if (ctx->argc > 1) {
		char *end;
		long n = strtol(ctx->argv[1], &end, 10);
		if (*end || n < 0 || n > 255)
			return cmd_error(ctx, ERR_USAGE, "usage: quit [STATUS]");
		ctx->sh->status = (int)n;
	}
	ctx->sh->quit = true;
	return 0;
}

/* Exact match in any protocol table. */
static const struct cmd_def *exact_proto(const char *name)
{
	for (size_t i = 0; proto_nth(i); i++) {
		const struct proto_desc *p = proto_nth(i);
		for (size_t j = 0; j < p->ncmds; j++)
			if (strcmp(p->cmds[j].name, name) == 0)
				return &p->cmds[j];
	}
	return NULL;
}

const struct cmd_def *cmd_resolve(const char *name, bool *is_shell, bool *ambiguous)
{
	const struct cmd_def *d;
	size_t len = strlen(name);

	*ambiguous = false;
	for (size_t i = 0; i < cmd_shell_count; i++)
		if (strcmp(cmd_shell_table[i].name, name) == 0) {
			*is_shell = true;
			return &cmd_shell_table[i];
		}
	if ((d = exact_proto(name))) {
		*is_shell = false;
		return d;
	}
	/* Unique prefix over the union of all names (a name shared by two
	 * protocols counts once). */
	const struct cmd_def *hit = NULL;
	bool hit_shell = false;
	for (size_t i = 0; len && i < cmd_shell_count; i++)
		if (strncmp(cmd_shell_table[i].name, name, len) == 0) {
			if (hit && strcmp(hit->name, cmd_shell_table[i].name))
				*ambiguous = true;
			if (!hit) {
				hit = &cmd_shell_table[i];
				hit_shell = true;
			}
		}
	for (size_t i = 0; len && proto_nth(i); i++) {
		const struct proto_desc *p = proto_nth(i);
		for (size_t j = 0; j < p->ncmds; j++)
			if (strncmp(p->cmds[j].name, name, len) == 0) {
				if (hit && strcmp(hit->name, p->cmds[j].name))
					*ambiguous = true;
				if (!hit)
					hit = &p->cmds[j];
			}
	}
	if (*ambiguous || !hit)
		return NULL;
	*is_shell = hit_shell;
	return hit;
}

static void candidate_add(struct buf *b, const char *name)
{
	/* Each name once: FTP and NNTP both have `quote`. */
	const char *p = buf_peek(b), *end = p + buf_avail(b);
	size_t n = strlen(name);
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		if ((size_t)(e - p) == n && memcmp(p, name, n) == 0)
			return;
		p = comma ? comma + 2 : end;
	}
	buf_appendf(b, "%s%s", buf_avail(b) ? ", " : "", name);
}

char *cmd_candidates(const char *prefix)
{
	struct buf b;
	size_t len = strlen(prefix);
	buf_init(&b, 64 * 1024);
	for (size_t i = 0; i < cmd_shell_count; i++)
		if (strncmp(cmd_shell_table[i].name, prefix, len) == 0)
			candidate_add(&b, cmd_shell_table[i].name);
	for (size_t i = 0; proto_nth(i); i++) {
		const struct proto_desc *p = proto_nth(i);
		for (size_t j = 0; j < p->ncmds; j++)
			if (strncmp(p->cmds[j].name, prefix, len) == 0)
				candidate_add(&b, p->cmds[j].name);
	}
	char *s = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	return s;
}

/* cp [-r] [--fxp] SOURCE... TARGET: "@NAME:PATH" is a path of a session,
 * anything else a local path.  Two sessions: the protocol's copy hook
 * (the shell knows no protocol: proto_ops.copy does the work).  A local
 * side: the protocol's own get or put, as if typed with -o. */
static int cp_word(struct cmdctx *ctx, const char *w, struct session **s, const char **path)
{
	*s = NULL;
	*path = w;
	const char *colon = w[0] == '@' ? strchr(w, ':') : NULL;
	if (!colon)
		return 0;
	char *name = xstrndup(w + 1, (size_t)(colon - w - 1));
	*s = *name ? session_find(ctx->sh->reg, name) : NULL;
	int r = 0;
	if (!*s)
		r = cmd_error(ctx, ERR_USAGE, "%s: no such session (`sessions` lists them)",
		              *name ? name : "@");
	free(name);
	*path = colon + 1;
	return r;
}

static int cp_local(struct cmdctx *ctx, struct session *site, const char *cmd,
                    char **words, int n, const char *out)
{
	const struct cmd_def *d = cmd_proto_lookup(site->proto, cmd);
	if (!d)
		return cmd_error(ctx, ERR_USAGE, "%s sessions cannot copy to or from local "
		                 "files", site->proto->name);
	char **argv = xcalloc((size_t)n + 4, sizeof(char *));
	int argc = 0;
	argv[argc++] = xstrdup(cmd);
	for (int i = 0; i < n; i++)
		argv[argc++] = xstrdup(words[i]);
	if (out) {
		argv[argc++] = xstrdup("-o");
		argv[argc++] = xstrdup(out);
	}
	return shell_delegate(ctx, site, d, argc, argv);
}

static int do_cp(struct cmdctx *ctx)
{
	struct proto_copy req = { 0 };
	int first = 1;
	for (; first < ctx->argc && ctx->argv[first][0] == '-' && ctx->argv[first][1]; first++) {
		const char *o = ctx->argv[first];
		if (strcmp(o, "--") == 0) {
			first++;
			break;
		}
		if (strcmp(o, "-r") == 0)
			req.recursive = true;
		else if (strcmp(o, "--fxp") == 0)
			req.fxp = true;
		else
			return cmd_error(ctx, ERR_USAGE, "%s: unknown option (usage: cp %s)", o,
			                 ctx->def->args);
	}
	int n = ctx->argc - first;
	if (n < 2)
		return cmd_error(ctx, ERR_USAGE, "a source and a target are needed (usage: cp %s)",
		                 ctx->def->args);
	char **paths = xcalloc((size_t)n, sizeof(char *));
	struct session *src = NULL, *dst = NULL;
	int r = 0;
	for (int i = 0; i < n && !r; i++) {
		struct session *s;
		const char *p;
		r = cp_word(ctx, ctx->argv[first + i], &s, &p);
		if (r)
			break;
		paths[i] = (char *)p;
		if (i == n - 1)
			dst = s;
		else if (i > 0 && s != src)
			r = cmd_error(ctx, ERR_USAGE, "the sources must all be in one session "
			              "(or all local)");
		else
			src = s;
	}
	if (!r && !src && !dst)
		r = cmd_error(ctx, ERR_USAGE, "neither side is a session: name one as "
		              "@NAME:PATH (local files: !cp)");
	if (!r && (!src || !dst) && (req.recursive || req.fxp))
		r = cmd_error(ctx, ERR_USAGE, "%s needs a session on both sides (a local "
		              "tree: mirror)", req.fxp ? "--fxp" : "-r");
	if (!r && src && dst && (src->proto != dst->proto || !src->proto->ops->copy))
		r = cmd_error(ctx, ERR_USAGE, "%s (%s) to %s (%s): cp copies files between "
		              "sessions of a protocol that has them", src->name, src->proto->name,
		              dst->name, dst->proto->name);
	if (!r && src && dst) {
		req.src = session_site(src);
		req.dst = session_site(dst);
		req.srcs = paths;
		req.nsrcs = n - 1;
		req.dst_path = paths[n - 1];
		r = src->proto->ops->copy(ctx, &req);
	} else if (!r && src) {
		char *local = path_expand_tilde(paths[n - 1]);
		r = cp_local(ctx, src, "get", paths, n - 1, local);
		free(local);
	} else if (!r) {
		char **locals = xcalloc((size_t)n, sizeof(char *));
		for (int i = 0; i < n - 1; i++)
			locals[i] = path_expand_tilde(paths[i]);
		r = cp_local(ctx, dst, "put", locals, n - 1, *paths[n - 1] ? paths[n - 1] : NULL);
		for (int i = 0; i < n - 1; i++)
			free(locals[i]);
		free(locals);
	}
	free(paths);
	return r;
}

const struct cmd_def cmd_shell_table[] = {
	{ "open", "[-u USER[,PASSWORD]] [-p PORT] URL [as NAME]", "open a session and focus "
	  "it (-u, -p: as in lftp)", "u-s", 1, 7, do_open },
	{ "close", "[SESSION]", "close a session (default: the focused one)", "s", 0, 1, do_close },
	{ "sessions", "", "list sessions", "-", 0, 0, do_sessions },
	{ "use", "SESSION", "focus a session (name or id)", "s", 1, 1, do_use },
	{ "reconnect", "[SESSION]", "drop and re-establish a session's connection", "s", 0, 1, do_reconnect },
	{ "bookmark", "add NAME [URL] [--password] | list | del NAME", "keep URLs under names for `open NAME`", "-bu", 0, 4, bookmark_cmd },
	{ "alias", "[NAME [COMMAND...]]", "list aliases, show one, or make NAME stand for COMMAND", "-c", 0, -1, do_alias },
	{ "unalias", "NAME", "remove an alias", "-", 1, 1, do_unalias },
	{ "user", "NAME [PASSWORD]", "log the focused session in again as NAME (password asked if not given)", "--", 1, 2, do_user },
	{ "set", "[NAME [VALUE]]", "list, show or change settings", "S-", 0, 2, do_set },
	{ "help", "[COMMAND]", "list commands, or show one command's usage", "c", 0, 1, do_help },
	{ "lcd", "[DIR|-]", "change the local directory (-: back where the last lcd left)",
	  "l", 0, 1, do_lcd },
	{ "lpwd", "", "print the local directory", "-", 0, 0, do_lpwd },
	{ "lls", "[ARGS...]", "list local files (runs ls)", "l", 0, -1, do_lls },
	{ "jobs", "", "list the jobs (commands run with &)", "-", 0, 0, do_jobs },
	{ "wait", "[N]", "wait for job N, or for all; its status is the job's", "-", 0, 1, do_wait },
	{ "fg", "[N]", "bring job N (default: the last) to the foreground", "-", 0, 1, do_fg },
	{ "kill", "N|all", "cancel job N, or every job", "-", 1, 1, do_kill },
	{ "cp", "[-r] [--fxp] SOURCE... TARGET", "copy files between sessions "
	  "(@NAME:PATH; a path without @NAME: is local)", "p", 2, -1, do_cp },
	{ "debug", "[on|off]", "protocol trace on standard error", "-", 0, 1, do_debug },
	{ "quit", "[STATUS]", "leave ferry (also `exit`, Ctrl-D)", "-", 0, 1, do_quit },
	{ "exit", "[STATUS]", "leave ferry", "-", 0, 1, do_quit },
};
const size_t cmd_shell_count = sizeof(cmd_shell_table) / sizeof(cmd_shell_table[0]);
