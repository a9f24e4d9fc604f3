/* ftp_cmds.c - the FTP commands but transfers (ftp_get.c): where am I,
 * simple commands with operands, raw replies, listings; and the
 * descriptor with the command table. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "err.h"
#include "ev.h"
#include "ftp_int.h"
#include "lfile.h"
#include "log.h"
#include "pp.h"
#include "session.h"
#include "sink.h"
#include "ui.h"

/* ==== pwd, cd, cdup ====================================================== */

/* Path for when PWD does not tell: dir relative to the known cwd. */
static char *join_path(const char *cwd, const char *dir)
{
	if (dir[0] == '/')
		return xstrdup(dir);
	if (!cwd)
		return NULL;
	size_t n = strlen(cwd);
	return xasprintf("%s%s%s", cwd, n && cwd[n - 1] == '/' ? "" : "/", dir);
}

void ftp_set_cwd(struct ftp *f, char *path)
{
	if (!path)
		return;
	free(f->cwd);
	f->cwd = path;
}

/* The PWD reply: 257 with a quoted path. */
static int learn_pwd(struct ftp_op *op, const struct pp_reply *r, bool print)
{
	char *path = NULL;

	if (r->code != 257)
		return ftp_op_reply_error(op, "PWD", r);
	if (ftp_parse_257(r->msg, &path) < 0) {
		char *esc = ftp_reply_esc(r);
		cmd_error(op->o.ctx, ERR_PROTO, "malformed reply to PWD: %d %s", r->code, esc);
		free(esc);
		return ERR_PROTO;
	}
	ftp_set_cwd(op->f, path);
	if (print)
		cmd_data_line(op->o.ctx, path, strlen(path));
	return 0;
}

static void pwd_reply(struct ftp_op *op, const struct pp_reply *r)
{
	op_finish(&op->o, learn_pwd(op, r, true));
}

static int do_pwd(struct cmdctx *ctx)
{
	struct ftp_op *op = ftp_op_new(ctx);
	return op_start(&op->o, ftp_op_send(op, pwd_reply, "PWD", 0));
}

/* The directory changed: the one it left is the site's for cd -. */
static void cd_finish(struct ftp_op *op, int err)
{
	if (!err && op->cd_from) {
		struct ftp *site = session_site(op->o.s)->pdata;
		free(site->prev_cwd);
		site->prev_cwd = op->cd_from;
		op->cd_from = NULL;
	}
	op_finish(&op->o, err);
}

static void cd_pwd_reply(struct ftp_op *op, const struct pp_reply *r)
{
	if (r->code != 257) {
		/* No PWD here: keep our own idea of the path. */
		ftp_set_cwd(op->f, op->line);
		op->line = NULL;
		cd_finish(op, 0);
		return;
	}
	int err = learn_pwd(op, r, false);
	if (err) {
		ftp_set_cwd(op->f, op->line);
		op->line = NULL;
	}
	cd_finish(op, err);
}

static void cd_reply(struct ftp_op *op, const struct pp_reply *r)
{
	if (r->code / 100 != 2) {
		char *d = ftp_esc_str(op->o.arg);
		op_finish(&op->o, ftp_op_reply_error(op, d, r));
		free(d);
		return;
	}
	int e = ftp_op_send(op, cd_pwd_reply, "PWD", 0);
	if (e < 0) {
		ftp_set_cwd(op->f, op->line);
		op->line = NULL;
		cd_finish(op, e);
	}
}

/* CWD/CDUP, then PWD to learn the real path; op->line keeps our own idea
 * of it for servers whose PWD does not answer. */
static int cd_start(struct cmdctx *ctx, const char *cmdline, const char *dir)
{
	int r = ftp_check_args(ctx, 1);
	if (r < 0)
		return r;
	struct ftp_op *op = ftp_op_new(ctx);
	op->o.arg = dir;
	op->line = join_path(op->f->cwd, dir);
	op->cd_from = op->f->cwd ? xstrdup(op->f->cwd) : NULL;
	return op_start(&op->o, ftp_op_send(op, cd_reply, cmdline, 0));
}

static int do_cd(struct cmdctx *ctx)
{
	const char *dir = ctx->argv[1];
	if (strcmp(dir, "-") == 0 && !(ctx->quoted && ctx->quoted[1])) {
		/* Back where the last cd left, as in sh and lftp. */
		struct ftp *site = session_site(ctx->sess)->pdata;
		if (!site->prev_cwd)
			return cmd_error(ctx, ERR_USAGE, "no previous directory yet (cd - goes "
			                 "back where the last cd left)");
		/* The word becomes the directory: the command's own copy,
		 * named as such in its messages. */
		free(ctx->argv[1]);
		ctx->argv[1] = xstrdup(site->prev_cwd);
		dir = ctx->argv[1];
	}
	if (!*dir)
		return cmd_error(ctx, ERR_USAGE, "empty directory name");
	if (!ftp_arg_ok(dir))
		return cmd_error(ctx, ERR_USAGE, "line breaks are not allowed in arguments");
	char *line = xasprintf("CWD %s", dir);
	int r = cd_start(ctx, line, dir);
	free(line);
	return r;
}

static int do_cdup(struct cmdctx *ctx)
{
	return cd_start(ctx, "CDUP", "..");
}

/* ==== simple commands with operands ===================================== */

void ftp_plain_reply(struct ftp_op *op, const struct pp_reply *r)
{
	int err = 0;
	ftp_cache_forget(op->o.s, op->o.arg);
	if (r->code / 100 != 2) {
		char *d = ftp_esc_str(op->o.arg);
		err = ftp_op_reply_error(op, d, r);
		free(d);
	}
	op_item_done(&op->o, err);
}

static int rmdir_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	return ftp_op_sendf(op, ftp_plain_reply, "RMD %s", op->o.arg);
}

static int do_rmdir(struct cmdctx *ctx)
{
	return ftp_simple_run(ctx, 1, rmdir_item);
}

static int chmod_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	return ftp_op_sendf(op, ftp_plain_reply, "SITE CHMOD %s %s", op->o.ctx->argv[1],
	                    op->o.arg);
}

static int do_chmod(struct cmdctx *ctx)
{
	const char *mode = ctx->argv[1];
	size_t n = strlen(mode);
	if (n < 1 || n > 4 || strspn(mode, "01234567") != n)
		return cmd_error(ctx, ERR_USAGE, "MODE must be octal, e.g. 644");
	return ftp_simple_run(ctx, 2, chmod_item);
}

static void size_reply(struct ftp_op *op, const struct pp_reply *r)
{
	uint64_t size;
	char *d = ftp_esc_str(op->o.arg);
	int err = 0;

	if (r->code != 213) {
		err = ftp_op_reply_error(op, d, r);
	} else if (ftp_parse_size(r->msg, &size) < 0) {
		char *esc = ftp_reply_esc(r);
		err = cmd_error(op->o.ctx, ERR_PROTO, "%s: malformed SIZE reply: %s", d, esc);
		free(esc);
	} else {
		cmd_printf(op->o.ctx, "%s\t%" PRIu64, d, size);
	}
	free(d);
	op_item_done(&op->o, err);
}

static int size_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	return ftp_op_sendf(op, size_reply, "SIZE %s", op->o.arg);
}

static int do_size(struct cmdctx *ctx)
{
	return ftp_simple_run(ctx, 1, size_item);
}

static void mdtm_reply(struct ftp_op *op, const struct pp_reply *r)
{
	int64_t t;
	char *d = ftp_esc_str(op->o.arg);
	int err = 0;

	if (r->code != 213) {
		err = ftp_op_reply_error(op, d, r);
	} else if (ftp_parse_mdtm(r->msg, &t) < 0) {
		char *esc = ftp_reply_esc(r);
		err = cmd_error(op->o.ctx, ERR_PROTO, "%s: malformed MDTM reply: %s", d, esc);
		free(esc);
	} else {
		time_t tt = (time_t)t;
		struct tm tm;
		char when[64];
		gmtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		cmd_printf(op->o.ctx, "%s\t%s", d, when);
	}
	free(d);
	op_item_done(&op->o, err);
}

static int mdtm_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	return ftp_op_sendf(op, mdtm_reply, "MDTM %s", op->o.arg);
}

static int do_mdtm(struct cmdctx *ctx)
{
	return ftp_simple_run(ctx, 1, mdtm_item);
}

/* mv FROM TO, mv FROM... DIR/: RNFR, 350, RNTO (op->line: the new name
 * of the current operand). */
static void rnto_reply(struct ftp_op *op, const struct pp_reply *r)
{
	int err = 0;
	ftp_cache_forget(op->o.s, op->o.arg);
	ftp_cache_forget(op->o.s, op->line);
	if (r->code / 100 != 2) {
		char *d = ftp_esc_str(op->line);
		err = ftp_op_reply_error(op, d, r);
		free(d);
	}
	op_item_done(&op->o, err);
}

static void rnfr_reply(struct ftp_op *op, const struct pp_reply *r)
{
	if (r->code != 350) {
		char *d = ftp_esc_str(op->o.arg);
		op_item_done(&op->o, ftp_op_reply_error(op, d, r));
		free(d);
		return;
	}
	int e = ftp_op_sendf(op, rnto_reply, "RNTO %s", op->line);
	if (e < 0)
		op_item_done(&op->o, e);
}

static int mv_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	const char *to = op->o.ctx->argv[op->o.ctx->argc - 1];
	bool into = ftp_names_dir(to);
	if (!into && op->o.nargs > 1) {
		/* A pattern that matched several names, and one new name. */
		if (op->o.idx > 1)
			return ERR_USAGE; /* said for the first (idx is the next's) */
		return cmd_error(op->o.ctx, ERR_USAGE, "%d names to move: name a directory "
		                 "with a trailing / (mv FROM... DIR/)", op->o.nargs);
	}
	const char *base = strrchr(op->o.arg, '/');
	free(op->line);
	op->line = into ? xasprintf("%s%s", to, base ? base + 1 : op->o.arg) : xstrdup(to);
	return ftp_op_sendf(op, rnfr_reply, "RNFR %s", op->o.arg);
}

static int do_mv(struct cmdctx *ctx)
{
	int r = ftp_check_args(ctx, 1);
	if (r < 0)
		return r;
	const char *to = ctx->argv[ctx->argc - 1];
	if (!*to)
		return cmd_error(ctx, ERR_USAGE, "empty name");
	if (ctx->argc > 3 && !ftp_names_dir(to))
		return cmd_error(ctx, ERR_USAGE, "several files go into a directory, named "
		                 "with a trailing / (mv FROM... DIR/)");
	/* The sources' patterns are matched by ferry; the target is a name. */
	struct ftp_op *op = ftp_op_new(ctx);
	op->glob_kind = GLOB_ANY;
	ftp_op_args(op, 1, ctx->argc - 1);
	return ftp_glob_run(op, false, mv_item);
}

/* ==== quote, site, feat ================================================ */

static bool starts_word(const char *line, const char *word)
{
	size_t n = strlen(word);
	return strncasecmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\0');
}

static void pwd_sync_reply(struct ftp_op *op, const struct pp_reply *r)
{
	char *path = NULL;
	if (r->code == 257 && ftp_parse_257(r->msg, &path) == 0)
		ftp_set_cwd(op->f, path);
	op_finish(&op->o, op->o.err);
}

static void quote_reply(struct ftp_op *op, const struct pp_reply *r)
{
	cmd_data_line(op->o.ctx, r->text, r->len);
	if (r->code >= 400) {
		int err = ftp_reply_err(r->code);
		op_finish(&op->o, cmd_error(op->o.ctx, err, "server replied %d", r->code));
		return;
	}
	/* A directory change by hand: learn the new place for the prompt
	 * and for reconnecting. */
	if (op->follow_pwd && r->code / 100 == 2) {
		op->show_prelim = false;
		if (ftp_op_send(op, pwd_sync_reply, "PWD", 0) == 0)
			return;
	}
	/* QUIT by hand: the server closes; reconnect on next use instead of
	 * racing the next command against its EOF. */
	if (starts_word(op->line, "QUIT") && r->code == 221) {
		struct session *s = op->o.s;
		op_finish(&op->o, 0);
		session_drop(s, "QUIT sent by quote");
		return;
	}
	op_finish(&op->o, 0);
}

static int quote_start(struct cmdctx *ctx, const char *prefix)
{
	struct buf b;
	buf_init(&b, PP_MAX_LINE);
	if (prefix)
		buf_appendstr(&b, prefix);
	for (int i = 1; i < ctx->argc; i++) {
		if ((i > 1 || prefix) && buf_append(&b, " ", 1) < 0)
			break;
		if (buf_appendstr(&b, ctx->argv[i]) < 0)
			break;
	}
	/* A NUL cannot come through argv; CR and LF can. */
	if (buf_avail(&b) >= PP_MAX_LINE - 2) {
		buf_clear(&b);
		return cmd_error(ctx, ERR_USAGE, "line too long");
	}
	char *line = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	if (!ftp_arg_ok(line)) {
		free(line);
		return cmd_error(ctx, ERR_USAGE, "CR and LF are not allowed in the line");
	}
	/* Commands that change the session's security (AUTH, PROT, CCC,
	 * SSCN: which side of a data connection's TLS the server takes...)
	 * or put it out of step with ferry's idea of it (a data port, a
	 * restart offset, REIN) would be silently undone or, worse, kept:
	 * ferry does those itself or not at all. */
	static const char *const refused[] = {
		"AUTH", "ADAT", "PBSZ", "PROT", "CCC", "REIN", "PASV", "EPSV",
		"LPSV", "PORT", "EPRT", "LPRT", "REST", "SSCN", "CPSV", NULL,
	};
	for (int i = 0; !prefix && refused[i]; i++)
		if (starts_word(line, refused[i])) {
			free(line);
			return cmd_error(ctx, ERR_USAGE, "%s changes the session's "
			                 "security or state behind ferry's back; not "
			                 "available through quote", refused[i]);
		}
	struct ftp_op *op = ftp_op_new(ctx);
	op->line = line;
	op->show_prelim = true;
	op->follow_pwd = starts_word(line, "CWD") || starts_word(line, "CDUP") ||
	                 starts_word(line, "XCWD") || starts_word(line, "XCUP");
	int mask = starts_word(line, "PASS") ? 5 : 0;
	return op_start(&op->o, ftp_op_send(op, quote_reply, line, mask));
}

static int do_quote(struct cmdctx *ctx)
{
	return quote_start(ctx, NULL);
}

static int do_site(struct cmdctx *ctx)
{
	return quote_start(ctx, "SITE");
}

static void feat_reply(struct ftp_op *op, const struct pp_reply *r)
{
	cmd_data_line(op->o.ctx, r->text, r->len);
	if (r->code != 211) {
		int err = ftp_reply_err(r->code);
		op_finish(&op->o, cmd_error(op->o.ctx, err ? err : ERR_FAIL,
		                        "server replied %d", r->code));
		return;
	}
	ftp_parse_feat(r->text, &op->f->feat);
	op->f->feat_known = true;
	op_finish(&op->o, 0);
}

static int do_feat(struct cmdctx *ctx)
{
	struct ftp_op *op = ftp_op_new(ctx);
	return op_start(&op->o, ftp_op_send(op, feat_reply, "FEAT", 0));
}

/* ==== ls, dir, nlist ==================================================== */

/* One listing line (the CR before its LF removed: ASCII type lines end
 * the local way), or a piece of one longer than the buffer. */
static int list_line(void *arg, const char *p, size_t n, bool piece)
{
	struct ftp_op *op = arg;
	return piece ? cmd_data(op->o.ctx, p, n) : cmd_data_line(op->o.ctx, p, n);
}

static int list_data(void *arg, const char *p, size_t n)
{
	struct ftp_op *op = arg;
	if (!sink_is_terminal(cmd_out(op->o.ctx))) {
		/* A file or a pipe gets the bytes unchanged but for the CR
		 * before each LF: the whole piece in one write, not one per
		 * line (10,000 entries were 20,000 system calls). */
		op->abuf = xrealloc(op->abuf, n + 1);
		size_t m = ftp_ascii_down(p, n, op->abuf, &op->acr);
		if (m)
			op->list_nl = op->abuf[m - 1] == '\n';
		return cmd_data(op->o.ctx, op->abuf, m);
	}
	return ftp_lines_feed(&op->lbuf, p, n, list_line, op);
}

/* The end of a listing written whole: a CR held back, and the line end
 * of a last line that had none (as the terminal's form gets). */
static int list_end_raw(struct ftp_op *op)
{
	char tail[2];
	size_t m = ftp_ascii_down_end(tail, &op->acr);
	if (m)
		op->list_nl = false;
	if (!op->list_nl && (m || op->abuf))
		tail[m++] = '\n';
	return m ? cmd_data(op->o.ctx, tail, m) : 0;
}

static void list_done(void *arg, int err, const char *why)
{
	struct ftp_op *op = arg;

	op->x = NULL;
	if (!err && !sink_is_terminal(cmd_out(op->o.ctx)))
		err = list_end_raw(op);
	else if (!err)
		err = ftp_lines_end(&op->lbuf, list_line, op);
	buf_reset(&op->lbuf);
	if (!err)
		err = sink_error(cmd_out(op->o.ctx));
	if (err)
		cmd_error(op->o.ctx, err, "%s", why && *why ? why : sink_why(cmd_out(op->o.ctx)));
	op_finish(&op->o, err);
}

static const struct ftp_xfer_ops list_ops = {
	.data = list_data,
	.done = list_done,
};

static int list_start(struct cmdctx *ctx, const char *verb)
{
	int r = ftp_check_args(ctx, 1);
	if (r < 0)
		return r;
	struct buf b;
	buf_init(&b, PP_MAX_LINE);
	buf_appendstr(&b, verb);
	for (int i = 1; i < ctx->argc; i++) {
		if (buf_append(&b, " ", 1) < 0 || buf_appendstr(&b, ctx->argv[i]) < 0) {
			buf_clear(&b);
			return cmd_error(ctx, ERR_USAGE, "arguments too long");
		}
	}
	char *line = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);

	struct ftp_op *op = ftp_op_new(ctx);
	r = ftp_xfer_start(op->o.s, line, XFER_DOWN, -1, 0, &list_ops, op, &op->x);
	free(line);
	if (r < 0)
		cmd_error(ctx, r, "%s", err_str(r));
	return op_start(&op->o, r);
}

/* True when ls's leading options (unquoted words of R, a, l and h only:
 * -R, -lR, -l -R -a, -Ralh...) ask for -R; *first is the word after them,
 * o what they say (always long: ls -R is cls -R -l). */
static bool ls_tree_opts(const struct cmdctx *ctx, int *first, struct ftp_cls_opts *o)
{
	bool rec = false;

	*o = (struct ftp_cls_opts){ .lng = true };
	for (*first = 1; *first < ctx->argc; (*first)++) {
		const char *w = ctx->argv[*first];

		if (w[0] != '-' || !w[1] || (ctx->quoted && ctx->quoted[*first]))
			break;
		if (strspn(w + 1, "Ralh") != strlen(w + 1))
			return false;
		rec |= strchr(w, 'R') != NULL;
		o->all |= strchr(w, 'a') != NULL;
		o->hum |= strchr(w, 'h') != NULL;
	}
	return rec;
}

static int do_ls(struct cmdctx *ctx)
{
	int first;
	struct ftp_cls_opts o;

	/* ls -R [-a] [DIR]: walked by ferry (bounded, never through a link),
	 * not LIST -R, which servers refuse, ignore or leave unbounded. */
	if (ls_tree_opts(ctx, &first, &o)) {
		if (ctx->argc - first > 1)
			return cmd_error(ctx, ERR_USAGE, "ls -R takes one directory");
		return ftp_tree_ls(ctx, first < ctx->argc ? ctx->argv[first] : NULL, &o);
	}
	return list_start(ctx, "LIST");
}

static int do_nlist(struct cmdctx *ctx)
{
	return list_start(ctx, "NLST");
}

/* ==== ascii, binary, passive, active ================================== */

/* The site's transfer type and data-connection mode: kept on the site, so
 * every connection of its pool and every reconnect uses them; a transfer
 * sends TYPE when its connection is in the other type (ftp_xfer.c). */
static int do_ascii(struct cmdctx *ctx)
{
	struct ftp *site = session_site(ctx->sess)->pdata;
	site->ascii = true;
	ui_info("ascii mode: TYPE A, line ends converted (CRLF <-> LF)");
	return 0;
}

static int do_binary(struct cmdctx *ctx)
{
	struct ftp *site = session_site(ctx->sess)->pdata;
	site->ascii = false;
	ui_info("binary mode: TYPE I, bytes unchanged");
	return 0;
}

static int set_passive(struct cmdctx *ctx, bool on)
{
	struct ftp *site = session_site(ctx->sess)->pdata;
	site->passive = on;
	ui_info("%s", on ? "passive mode: the data connection goes to the server "
	        "(EPSV, PASV)" : "active mode: the server connects back (EPRT, PORT)");
	return 0;
}

static int do_passive(struct cmdctx *ctx)
{
	const char *v = ctx->argc > 1 ? ctx->argv[1] : "on";
	if (strcmp(v, "on") == 0)
		return set_passive(ctx, true);
	if (strcmp(v, "off") == 0)
		return set_passive(ctx, false);
	return cmd_error(ctx, ERR_USAGE, "passive takes on or off, not %s", v);
}

static int do_active(struct cmdctx *ctx)
{
	return set_passive(ctx, false);
}

/* ==== the descriptor ================================================== */

static const struct cmd_def ftp_cmds[] = {
	{ "ls", "[-R] [ARGS...]", "list the remote directory (LIST), as the server sends "
	  "it; -R [-a] [DIR]: the whole tree, long form (bounded), -a with dot files",
	  "r", 0, -1, do_ls },
	{ "dir", "[ARGS...]", "same as ls", "r", 0, -1, do_ls },
	{ "nlist", "[ARGS...]", "list remote names only (NLST)", "r", 0, -1, do_nlist },
	{ "cls", "[-l] [-h] [-a] [-R] [DIR|PATTERN]", "list a remote directory parsed: names "
	  "(dir/), -l long form, -h human sizes, -a dot files too (cached), -R the "
	  "tree below (bounded)",
	  "r", 0, -1, ftp_do_cls },
	{ "recls", "[-l] [-h] [-a] [-R] [DIR|PATTERN]", "cls from the server's listing "
	  "now, not the cache (lftp's)", "r", 0, -1, ftp_do_cls },
	{ "du", "[-s] [-h] [-b] [DIR...]", "the size of the files below each directory, in "
	  "KiB (-b bytes, -h human, -s the total only)", "r", 0, -1, ftp_do_du },
	{ "cd", "DIR|-", "change the remote directory (-: back to the one before)", "r", 1, 1, do_cd },
	{ "cdup", "", "go to the parent remote directory", "-", 0, 0, do_cdup },
	{ "pwd", "", "print the remote directory", "-", 0, 0, do_pwd },
	{ "get", "[-r] REMOTE... [-o LOCAL] [-f] [-c] [-E]", "download files (-o - : standard "
	  "output; -f: overwrite; -c: resume, as reget; -r: directory trees, as mirror; "
	  "-E: each remote file removed once its copy is proven whole)",
	  "r", 1, -1, ftp_do_get },
	{ "pget", "[-n N] REMOTE... [-o LOCAL] [-f] [-c] [-E]", "download each file over N "
	  "connections at once (default 4), in segments of 1 MiB or more (REST), "
	  "each checked against the one before; -c: resume", "r", 1, -1, ftp_do_pget },
	{ "reget", "REMOTE... [-o LOCAL] [-f] [--unverified]", "resume downloads "
	  "(NAME.part, or a shorter NAME) with REST, checked against the remote "
	  "size", "r", 1, -1, ftp_do_reget },
	{ "mget", "PATTERN... [-o DIR] [-f] [-c] [-E]", "download the remote files matching "
	  "the patterns (*, ?, [...]; regular files with safe names only)",
	  "r", 1, -1, ftp_do_get },
	{ "mirror", "[-R] [--only-newer] [--delete] [--dry-run] [--continue] [--exclude GLOB] "
	  "[--include GLOB] [--parallel=N] [--Remove-source-files] REMOTE [LOCAL]", "make a remote directory tree again "
	  "locally (LOCAL: its name here); -R LOCAL [REMOTE]: a local tree on the server",
	  "rl", 1, -1, ftp_do_mirror },
	{ "put", "[-r] LOCAL... [-o REMOTE] [-c] [-E]", "upload files (-c: resume, as reput; "
	  "-r: directory trees, as mirror -R; -E: each local file removed once the "
	  "server's SIZE proves its copy whole)", "l", 1, -1, ftp_do_put },
	{ "mput", "PATTERN... [-c] [-E]", "upload the local files matching the patterns",
	  "l", 1, -1, ftp_do_put },
	{ "reput", "LOCAL... [-o REMOTE]", "resume uploads: APPE from the size the "
	  "server has (SIZE)", "l", 1, -1, ftp_do_reput },
	{ "cat", "REMOTE...", "print remote files", "r", 1, -1, ftp_do_cat },
	{ "more", "REMOTE...", "print remote files through $PAGER at a terminal "
	  "(less by default)", "r", 1, -1, ftp_do_cat },
	{ "ascii", "", "transfer as text from now on: TYPE A, CRLF line ends to LF "
	  "and back (no resuming)", "-", 0, 0, do_ascii },
	{ "binary", "", "transfer bytes unchanged from now on: TYPE I (the default)",
	  "-", 0, 0, do_binary },
	{ "passive", "[on|off]", "data connections to the server (EPSV, PASV) from "
	  "now on; off: active (default: ftp:passive)", "-", 0, 1, do_passive },
	{ "active", "", "the server connects back for data (EPRT, PORT) from now on",
	  "-", 0, 0, do_active },
	{ "size", "REMOTE...", "print the size of remote files", "r", 1, -1, do_size },
	{ "mdtm", "REMOTE...", "print the modification time of remote files",
	  "r", 1, -1, do_mdtm },
	{ "mkdir", "[-p] DIR...", "make remote directories (-p: every missing "
	  "level, an existing directory is no error)", "r", 1, -1, ftp_do_mkdir },
	{ "rmdir", "DIR...", "remove remote directories", "r", 1, -1, do_rmdir },
	{ "rm", "[-r] [-f] PATTERN...", "remove remote files matching the patterns "
	  "(quoted: a name); -r: directories with all they hold (asks at a "
	  "terminal unless -f)", "r", 1, -1, ftp_do_rm },
	{ "mv", "FROM... TO", "rename a remote file, or move files into TO/ (a trailing "
	  "/: a directory)", "r", 2, -1, do_mv },
	{ "chmod", "MODE FILE...", "change permissions (SITE CHMOD)", "-r", 2, -1, do_chmod },
	{ "feat", "", "show the server's features (FEAT)", "-", 0, 0, do_feat },
	{ "tls", "", "show the control connection's TLS: version, cipher, certificate",
	  "-", 0, 0, ftp_do_tls },
	{ "site", "ARGS...", "send a SITE command and show the reply", "-", 1, -1, do_site },
	{ "quote", "LINE...", "send one raw command line and show the whole reply",
	  "-", 1, -1, do_quote },
};

/* Their output is read page by page: through $PAGER at a terminal. */
static const char *const ftp_paged[] = { "more", NULL };

static const struct proto_scheme ftp_schemes[] = {
	{ "ftp", 21, TLS_AUTO },
	{ "ftpes", 21, TLS_REQUIRE },
	{ "ftps", 990, TLS_IMPLICIT },
	{ NULL, 0, TLS_AUTO },
};

const struct proto_desc ftp_proto = {
	.name = "ftp",
	.schemes = ftp_schemes,
	.tls_setting = "ftp:tls",
	.url_path = "PATH",
	.style = PP_FTP,
	.ops = &ftp_ops,
	.cmds = ftp_cmds,
	.ncmds = sizeof(ftp_cmds) / sizeof(ftp_cmds[0]),
	.paged = ftp_paged,
};

