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
#include "shell.h"
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

int cmd_error(struct cmdctx *ctx, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char *esc = ui_escape_str(msg, strlen(msg));
	const char *name = ctx->def ? ctx->def->name : ctx->argv[0];
	if (ctx->sess)
		ui_error("%s: %s: %s", ctx->sess->name, name, esc);
	else
		ui_error("%s: %s", name, esc);
	free(esc);
	return err;
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

/* Exact match in any protocol table. */
static const struct cmd_def *exact_proto(const char *name)
{
	for (size_t i = 0; proto_registry[i]; i++) {
		const struct proto_desc *p = proto_registry[i];
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
	for (size_t i = 0; len && proto_registry[i]; i++) {
		const struct proto_desc *p = proto_registry[i];
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

struct session *cmd_route(struct shell *sh, const char *name, const char **why)
{
	static char msg[256];
	struct session *focus = session_focus(sh->reg);
	struct session *best = NULL;
	const struct proto_desc *only = NULL;
	int nprotos = 0;

	if (focus && cmd_proto_lookup(focus->proto, name))
		return focus;
	for (size_t i = 0; proto_registry[i]; i++) {
		const struct proto_desc *p = proto_registry[i];
		if (!cmd_proto_lookup(p, name))
			continue;
		nprotos++;
		only = p;
		struct session *s = session_recent(sh->reg, p);
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

void cmd_print_usage(const struct cmd_def *d)
{
	ui_out("usage: %s%s%s", d->name, d->args && *d->args ? " " : "",
	       d->args ? d->args : "");
}
