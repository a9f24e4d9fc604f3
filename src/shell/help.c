/* help.c - the text of `help` (help.h). */
#include "help.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "builtin.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "proto.h"
#include "ui.h"
#include "url.h"

#define HELP_MAX (1024 * 1024)

/* Longer texts for `help CMD`, after its usage and help line.  Keyed by
 * the command's name (in any table that has it). */
static const struct {
	const char *name;
	const char *text;
} more[] = {
	{ "help",
	  "Without COMMAND: every command, the shell's and each protocol's.\n"
	  "`help open`: the URL forms.  `help set`: the settings, with their values.\n"
	  "At a terminal, help longer than the screen goes through $PAGER (less)." },
	{ "get",
	  "The file is written to NAME.part and renamed when complete and checked.\n"
	  "An existing file is kept unless -f or xfer:clobber; -o - writes to standard output." },
	{ "mirror",
	  "--only-newer     fetch only files newer on the server\n"
	  "--delete         remove local names the server no longer has\n"
	  "--dry-run        print what would be done, do nothing\n"
	  "--exclude GLOB   leave out matching names (repeatable); --include GLOB\n"
	  "--parallel=N     fetch over N connections of the session\n"
	  "--Remove-source-files  remove each source file once its copy is whole" },
	{ "quote",
	  "Lines that would change the session's security or put it out of step are\n"
	  "refused: FTP's AUTH, PROT, CCC, REIN, PASV, PORT, REST...; NNTP's STARTTLS,\n"
	  "COMPRESS, and POST, IHAVE, TAKETHIS, CHECK (which wait for an article)." },
	{ "debug",
	  "The trace shows every line sent and received, with its direction and\n"
	  "session; passwords as ****.  Without an argument: whether it is on." },
	{ "read",
	  "At a terminal, in the foreground, the article goes through $PAGER (less)." },
};

/* "  USAGE  HELP": two blanks at least between them, so the usage (which
 * never holds two blanks in a row) can be told from the help. */
static void list_line(struct buf *out, const char *usage, const char *help)
{
	buf_appendf(out, "  %-34s %s%s\n", usage, strlen(usage) >= 34 ? " " : "", help);
}

static void cmd_line(struct buf *out, const struct cmd_def *d)
{
	char usage[256];
	snprintf(usage, sizeof(usage), "%s%s%s", d->name, d->args && *d->args ? " " : "",
	         d->args ? d->args : "");
	list_line(out, usage, d->help);
}

static void help_list(struct buf *out)
{
	buf_appendstr(out, "Shell commands:\n");
	for (size_t i = 0; i < cmd_shell_count; i++)
		cmd_line(out, &cmd_shell_table[i]);
	list_line(out, "!COMMAND", "run a local shell command");
	list_line(out, "@SESSION COMMAND", "run one command in another session");
	for (size_t i = 0; proto_nth(i); i++) {
		const struct proto_desc *p = proto_nth(i);
		buf_appendf(out, "%s commands:\n", p->name);
		for (size_t j = 0; j < p->ncmds; j++)
			cmd_line(out, &p->cmds[j]);
	}
	buf_appendstr(out, "Commands may be abbreviated.  `help COMMAND` for one, `help open` for the\n"
	                   "URL forms, `help set` for the settings; man ferry for the rest.\n");
}

static const char *tls_text(const struct proto_desc *p, const struct proto_scheme *s,
                            char *tmp, size_t n)
{
	switch (s->tls) {
	case TLS_AUTO:
		snprintf(tmp, n, "TLS when offered (set %s)", p->tls_setting ? p->tls_setting : "");
		return tmp;
	case TLS_REQUIRE:
		return "explicit TLS required";
	case TLS_IMPLICIT:
		return "implicit TLS";
	case TLS_OFF:
		break;
	}
	return "no TLS";
}

/* `help open`: the URL forms, from each protocol's scheme table. */
static void help_open(struct buf *out)
{
	buf_appendstr(out, "URL forms (USER and PASSWORD percent-decoded; IPv6 hosts in brackets, [::1]):\n");
	for (size_t i = 0; proto_nth(i); i++) {
		const struct proto_desc *p = proto_nth(i);
		for (const struct proto_scheme *s = p->schemes; s && s->scheme; s++) {
			char form[160], what[160], tmp[96];
			snprintf(form, sizeof(form), "%s://[USER[:PASSWORD]@]HOST[:PORT][/%s]",
			         s->scheme, p->url_path ? p->url_path : "PATH");
			snprintf(what, sizeof(what), "%s, port %d, %s", p->name, s->port,
			         tls_text(p, s, tmp, sizeof(tmp)));
			buf_appendf(out, "  %-48s %s\n", form, what);
		}
		/* The host-less form ("news:GROUP"): the schemes the URL parser
		 * takes without a host, for a protocol that names a server. */
		for (const struct proto_scheme *s = p->schemes;
		     p->ops && p->ops->default_server && s && s->scheme; s++) {
			char form[96], what[200], tmp[96];
			struct url u;
			const char *why;
			snprintf(form, sizeof(form), "%s:x", s->scheme);
			if (url_parse(form, &u, &why) < 0)
				continue;
			bool hostless = !u.host;
			url_clear(&u);
			if (!hostless)
				continue;
			snprintf(form, sizeof(form), "%s:%s", s->scheme,
			         p->url_path ? p->url_path : "PATH");
			snprintf(what, sizeof(what), "%s, %s, server from %s", p->name,
			         tls_text(p, s, tmp, sizeof(tmp)),
			         p->default_server_help ? p->default_server_help :
			         "the environment");
			buf_appendf(out, "  %-48s %s\n", form, what);
		}
	}
	buf_appendstr(out, "A bare HOST means ftp://HOST.  Without a password, ~/.netrc is searched\n"
	                   "for the host; at a terminal the password is asked.\n");
}

void help_settings(struct buf *out, const struct config *cfg, bool colour, bool defaults)
{
	int wn = 0, wv = 0;
	for (int i = 0; config_name(i); i++) {
		int n = (int)strlen(config_name(i));
		int v = (int)strlen(config_value_text(cfg, config_name(i)));
		wn = n > wn ? n : wn;
		wv = v > wv ? v : wv;
	}
	wv = wv > 16 ? 16 : wv < 2 ? 2 : wv;
	for (int i = 0; config_name(i); i++) {
		const char *v = config_value_text(cfg, config_name(i));
		const char *def = config_default(i);
		char *esc = ui_escape_str(v, strlen(v));
		const char *shown = *esc ? esc : "\"\"";
		bool changed = strcmp(v, def) != 0;
		int pad = wv - (int)strlen(shown);
		buf_appendf(out, "%s%s%-*s%s  %s%s%s%*s  %s", defaults ? "  " : "",
		            colour ? "\033[1m" : "", wn, config_name(i), colour ? "\033[0m" : "",
		            colour && changed ? "\033[33m" : "", shown,
		            colour && changed ? "\033[0m" : "", pad > 0 ? pad : 0, "",
		            config_help(i));
		if (defaults)
			buf_appendf(out, " (default %s)", *def ? def : "none");
		buf_appendstr(out, "\n");
		free(esc);
	}
}

int help_text(struct buf *out, const struct config *cfg, const char *topic, char **why)
{
	*why = NULL;
	if (!topic) {
		help_list(out);
		return 0;
	}
	bool is_shell, amb;
	const struct cmd_def *d = cmd_resolve(topic, &is_shell, &amb);
	if (!d && amb) {
		char *c = cmd_candidates(topic);
		*why = xasprintf("%s: ambiguous command: %s", topic, c);
		free(c);
		return ERR_USAGE;
	}
	if (!d) {
		*why = xasprintf("%s: unknown command (type `help`)", topic);
		return ERR_USAGE;
	}
	buf_appendf(out, "usage: %s%s%s\n%s\n", d->name, d->args && *d->args ? " " : "",
	            d->args ? d->args : "", d->help);
	if (!is_shell)
		for (size_t i = 0; proto_nth(i); i++)
			if (cmd_proto_lookup(proto_nth(i), d->name))
				buf_appendf(out, "(%s)\n", proto_nth(i)->name);
	if (is_shell && strcmp(d->name, "open") == 0)
		help_open(out);
	if (is_shell && strcmp(d->name, "set") == 0) {
		buf_appendstr(out, "Settings (`set NAME VALUE` changes one; the rc file may set them):\n");
		help_settings(out, cfg, false, true);
	}
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (strcmp(more[i].name, d->name) == 0)
			buf_appendf(out, "%s\n", more[i].text);
	return 0;
}

bool help_longer_than_screen(const struct config *cfg, const char *topic)
{
	struct buf b;
	char *why = NULL;
	int lines = 0;
	buf_init(&b, HELP_MAX);
	if (help_text(&b, cfg, topic, &why) == 0) {
		const char *p = buf_peek(&b), *end = p + buf_avail(&b);
		for (; p < end; p++)
			lines += *p == '\n';
	}
	free(why);
	buf_clear(&b);
	/* The prompt takes a row too. */
	int rows, cols;
	ui_stdout_size(&rows, &cols);
	return lines > rows - 1;
}
