/* cmd.c - command tables: lookup by name or unique prefix, routing to a
 * session, errors and completion of pending commands. */
#include "cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "proto.h"
#include "session.h"
#include "sink.h"
#include "ui.h"

void cmd_done(struct cmdctx *ctx, int err)
{
	if (ctx->finished) {
		if (ctx->orphaned)
			ctx->on_done(ctx, err);
		return;
	}
	ctx->finished = true;
	ctx->on_done(ctx, err);
}

struct sink *cmd_out(struct cmdctx *ctx)
{
	static struct sink *std;
	if (ctx->out)
		return ctx->out;
	if (!std)
		std = sink_stdout();
	return std;
}

int cmd_data(struct cmdctx *ctx, const void *p, size_t n)
{
	return sink_data(cmd_out(ctx), p, n);
}

int cmd_data_line(struct cmdctx *ctx, const void *p, size_t n)
{
	return sink_data_line(cmd_out(ctx), p, n);
}

int cmd_printf(struct cmdctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = sink_vprintf(cmd_out(ctx), fmt, ap);
	va_end(ap);
	return r;
}

int cmd_error(struct cmdctx *ctx, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (err == ERR_PIPE)
		return err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char *esc = ui_escape_str(msg, strlen(msg));
	const char *name = ctx->def ? ctx->def->name : ctx->argv[0];
	char *line = ctx->sess ? xasprintf("%s: %s: %s", ctx->sess->name, name, esc)
	                       : xasprintf("%s: %s", name, esc);
	cmd_report(ctx, line);
	free(line);
	free(esc);
	return err;
}

void cmd_report(struct cmdctx *ctx, const char *line)
{
	if (ctx->on_error)
		ctx->on_error(ctx, line);
	else
		ui_error("%s", line);
}

const struct cmd_def *cmd_lookup(const struct cmd_def *tab, size_t n,
                                 const char *name, bool *ambiguous)
{
	const struct cmd_def *hit = NULL;
	size_t len = strlen(name);
	bool amb = false;

	for (size_t i = 0; i < n; i++)
		if (strcmp(tab[i].name, name) == 0) {
			if (ambiguous)
				*ambiguous = false;
			return &tab[i];
		}
	for (size_t i = 0; len && i < n; i++) {
		if (strncmp(tab[i].name, name, len) == 0) {
			if (hit && strcmp(hit->name, tab[i].name) != 0)
				amb = true;
			hit = hit ? hit : &tab[i];
		}
	}
	if (ambiguous)
		*ambiguous = amb;
	return amb ? NULL : hit;
}

const struct cmd_def *cmd_proto_lookup(const struct proto_desc *p, const char *name)
{
	return cmd_lookup(p->cmds, p->ncmds, name, NULL);
}

struct session *cmd_route(struct session_reg *reg, const char *name, const char **why)
{
	static char msg[256];
	struct session *focus = session_focus(reg);
	struct session *best = NULL;
	const struct proto_desc *only = NULL;
	int nprotos = 0;

	if (focus && cmd_proto_lookup(focus->proto, name))
		return focus;
	for (size_t i = 0; proto_nth(i); i++) {
		const struct proto_desc *p = proto_nth(i);
		if (!cmd_proto_lookup(p, name))
			continue;
		nprotos++;
		only = p;
		struct session *s = session_recent(reg, p);
		if (s && (!best || s->last_used_ms > best->last_used_ms))
			best = s;
	}
	if (best)
		return best;
	if (nprotos == 1)
		snprintf(msg, sizeof(msg), "no %s session; type `open %s://HOST` first",
		         only->name, only->schemes[0].scheme);
	else
		snprintf(msg, sizeof(msg), "no session; type `open URL` first");
	*why = msg;
	return NULL;
}

void cmd_print_usage(struct cmdctx *ctx, const struct cmd_def *d)
{
	cmd_printf(ctx, "usage: %s%s%s", d->name, d->args && *d->args ? " " : "",
	       d->args ? d->args : "");
}

static struct cmd_host host;

void cmd_set_host(const struct cmd_host *h)
{
	if (h)
		host = *h;
	else
		memset(&host, 0, sizeof(host));
}

int cmd_run_program(struct cmdctx *ctx, char *const argv[],
                    void (*done)(void *arg, int status), void *arg)
{
	if (!host.run_program)
		return cmd_error(ctx, ERR_LOCAL, "cannot run %s here", argv[0]);
	return host.run_program(ctx, argv, done, arg);
}

bool cmd_ask(struct cmdctx *ctx, const char *question,
             void (*fn)(void *arg, const char *answer), void *arg)
{
	return host.ask && host.ask(ctx, question, fn, arg);
}
