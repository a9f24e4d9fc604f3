/* ftp_get.c - transfers: get, reget, cat, put.  The local end is lfile /
 * lsource, the data connection ftp_xfer; this file is the protocol's part:
 * SIZE and MDTM, the resume checks, REST, what the server sent. */
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

/* ==== get, cat ========================================================= */

static bool clobber(struct ftp_op *op)
{
	return op->force || config_bool(op->o.s->cfg, "xfer:clobber");
}

/* Open the local side when the server starts sending. */
static int get_start(void *arg)
{
	struct ftp_op *op = arg;

	if (op->to_stdout)
		return 0;
	/* The 150 reply may have told the size SIZE did not. */
	if (op->size < 0 && op->x && ftp_xfer_size(op->x) >= 0 &&
	    !op->lf.in_place && !op->lf.append && !op->lf.resume_part)
		op->size = ftp_xfer_size(op->x);
	int r = lfile_open(&op->lf, op->size, op->mtime);
	if (r < 0)
		snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
	return r;
}

static int get_data(void *arg, const char *p, size_t n)
{
	struct ftp_op *op = arg;
	uint64_t written = op->to_stdout ? op->streamed : op->lf.written;
	uint64_t offset = op->to_stdout ? 0 : op->lf.offset;

	/* What SIZE (less the REST offset) or the 150 reply said is due. */
	int64_t left = op->x ? ftp_xfer_size(op->x) : -1;
	if (left >= 0 && written + n > (uint64_t)left) {
		/* More than the file has left: a server that ignored REST
		 * sends from the start.  Undo what this transfer appended. */
		if (offset > 0 && op->lf.fd >= 0 && ftruncate(op->lf.fd, (off_t)offset) == 0)
			op->lf.written = 0;
		snprintf(op->why, sizeof(op->why), "the server sent more than the "
		         "%" PRId64 " bytes %s%s", left,
		         offset ? "left of the file" : "it announced",
		         offset ? " (REST ignored?); local file left as it was" : "");
		return ERR_PROTO;
	}
	int r;
	if (op->to_stdout) {
		r = cmd_data(op->o.ctx, p, n);
		if (r < 0)
			snprintf(op->why, sizeof(op->why), "%s", sink_why(cmd_out(op->o.ctx)));
		else
			op->streamed += n;
		op->o.ctx->bytes = op->streamed;
	} else {
		r = lfile_write(&op->lf, p, n);
		if (r < 0)
			snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
		op->o.ctx->bytes = op->lf.offset + op->lf.written;
	}
	op->o.ctx->total = op->size;
	return r;
}

static void get_item_end(struct ftp_op *op, int err)
{
	free(op->remote);
	op->remote = NULL;
	lfile_clear(&op->lf);
	op->streamed = 0;
	op->size = -1;
	op->mtime = -1;
	op->why[0] = '\0';
	op_item_done(&op->o, err);
}

static void get_done(void *arg, int err, const char *why)
{
	struct ftp_op *op = arg;

	op->x = NULL;
	int e = lfile_close(&op->lf);
	if (!err && e < 0) {
		err = e;
		snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
	}
	if (!err && (e = lfile_commit(&op->lf)) < 0) {
		err = e;
		snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
	}
	if (err) {
		char *r = ftp_esc_str(op->remote);
		cmd_error(op->o.ctx, err, "%s: %s", r, op->why[0] ? op->why : why);
		free(r);
		lfile_discard(&op->lf);
	} else if (!op->to_stdout) {
		char *l = ftp_esc_str(op->lf.path);
		if (op->lf.offset)
			ui_info("%s: %" PRIu64 " bytes (resumed at %" PRIu64 ")", l,
			        op->lf.written, op->lf.offset);
		else
			ui_info("%s: %" PRIu64 " bytes", l, op->lf.written);
		free(l);
	}
	get_item_end(op, err);
}

static const struct ftp_xfer_ops get_ops = {
	.start = get_start,
	.data = get_data,
	.done = get_done,
};

/* Start the RETR; 0, or ERR_* (reported). */
static int get_retr(struct ftp_op *op)
{
	char *line = xasprintf("RETR %s", op->remote);
	int64_t left = op->size >= 0 ? op->size - (int64_t)op->lf.offset : -1;
	int r = ftp_xfer_start(op->o.s, line, XFER_DOWN, left, op->lf.offset, &get_ops,
	                       op, &op->x);
	free(line);
	if (r < 0) {
		char *d = ftp_esc_str(op->remote);
		cmd_error(op->o.ctx, r, "%s: %s", d, err_str(r));
		free(d);
	}
	return r;
}

/* A resume splices what is here with the rest of the remote file: only
 * when the remote size is known (a server that ignores REST and sends the
 * whole file again is then caught) and, when NAME.part.meta tells what the
 * file was when the part began, only if it has not changed since.
 * 0, or ERR_* (reported). */
static int resume_check(struct ftp_op *op)
{
	int64_t msize, mtime;
	uint64_t offset = op->lf.offset;
	char *l = ftp_esc_str(op->lf.path);
	int err = 0;

	if (!offset) {
		/* nothing here yet: a plain download */
	} else if (op->size < 0 && !op->unverified) {
		err = cmd_error(op->o.ctx, ERR_FAIL, "%s: the server does not tell the "
		                "remote size (SIZE), so the resume cannot be checked; "
		                "reget --unverified resumes anyway", l);
	} else if (op->lf.resume_part && lfile_meta(&op->lf, &msize, &mtime) == 0 &&
	           ((msize >= 0 && op->size >= 0 && msize != op->size) ||
	            (mtime >= 0 && op->mtime >= 0 && mtime != op->mtime))) {
		err = cmd_error(op->o.ctx, ERR_FAIL, "%s: the remote file changed since "
		                "%s.part began (%s); get -f starts over", l, l,
		                msize != op->size ? "size" : "modification time");
	} else if (op->size >= 0 && offset > (uint64_t)op->size) {
		err = cmd_error(op->o.ctx, ERR_LOCAL, "%s: the local file (%" PRIu64
		                " bytes) is longer than the remote one (%" PRId64 ")",
		                l, offset, op->size);
	}
	free(l);
	return err;
}

static bool resuming(const struct ftp_op *op)
{
	return op->lf.append || op->lf.resume_part;
}

/* Size and time known (or not): check a resume, then RETR. */
static void get_sized(struct ftp_op *op)
{
	int e = 0;

	if (resuming(op)) {
		e = resume_check(op);
		if (!e && op->size >= 0 && op->lf.offset == (uint64_t)op->size) {
			char *l = ftp_esc_str(op->lf.path);
			if ((e = lfile_commit(&op->lf)) < 0)
				cmd_error(op->o.ctx, e, "%s", op->lf.why);
			else
				ui_info("%s: already complete (%" PRIu64 " bytes)", l, op->lf.offset);
			free(l);
			get_item_end(op, e);
			return;
		}
	}
	if (!e)
		e = get_retr(op);
	if (e < 0)
		get_item_end(op, e);
}

/* The time goes with a NAME.part, for a later resume to check. */
static bool want_mdtm(const struct ftp_op *op)
{
	return !op->to_stdout && !op->lf.in_place &&
	       (!op->f->feat_known || op->f->feat.mdtm);
}

static void get_mdtm_reply(struct ftp_op *op, const struct pp_reply *r)
{
	int64_t t;

	if (r->code == 421) {
		get_item_end(op, ftp_op_reply_error(op, "MDTM", r));
		return;
	}
	/* Only a hint for the resume check: a malformed time is ignored. */
	if (r->code == 213 && ftp_parse_mdtm(r->msg, &t) == 0)
		op->mtime = t;
	get_sized(op);
}

static void get_size_reply(struct ftp_op *op, const struct pp_reply *r)
{
	uint64_t size;

	if (r->code == 213) {
		if (ftp_parse_size(r->msg, &size) < 0) {
			char *d = ftp_esc_str(op->remote);
			char *esc = ftp_reply_esc(r);
			cmd_error(op->o.ctx, ERR_PROTO, "%s: malformed SIZE reply: %s", d, esc);
			free(d);
			free(esc);
			get_item_end(op, ERR_PROTO);
			return;
		}
		op->size = (int64_t)size;
	} else if (r->code == 421) {
		get_item_end(op, ftp_op_reply_error(op, "SIZE", r));
		return;
	}
	if (want_mdtm(op)) {
		int e = ftp_op_sendf(op, get_mdtm_reply, "MDTM %s", op->remote);
		if (e < 0)
			get_item_end(op, e);
		return;
	}
	get_sized(op);
}

/* Decide the local target of op->o.arg; 0 or ERR_* (reported). */
static int get_target(struct ftp_op *op)
{
	char *base = NULL, *local;
	struct stat st;

	op->remote = xstrdup(op->o.arg);
	if (op->to_stdout)
		return 0;
	if (ftp_local_name(op->remote, &base) < 0) {
		char *d = ftp_esc_str(op->remote);
		cmd_error(op->o.ctx, ERR_USAGE, "%s: no file name to save under (use -o)", d);
		free(d);
		return ERR_USAGE;
	}
	if (op->out_opt && stat(op->out_opt, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t n = strlen(op->out_opt);
		local = xasprintf("%s%s%s", op->out_opt,
		                  n && op->out_opt[n - 1] == '/' ? "" : "/", base);
	} else {
		local = xstrdup(op->out_opt ? op->out_opt : base);
	}
	free(base);
	lfile_init(&op->lf, clobber(op));
	int err = lfile_target(&op->lf, local, op->reget);
	free(local);
	if (err)
		cmd_error(op->o.ctx, err, "%s", op->lf.why);
	return err;
}

static int get_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	int err = get_target(op);
	if (!err) {
		/* The size first, so a cut transfer can be told from a
		 * whole one. */
		if (!op->f->feat_known || op->f->feat.size)
			err = ftp_op_sendf(op, get_size_reply, "SIZE %s", op->remote);
		else if (want_mdtm(op))
			err = ftp_op_sendf(op, get_mdtm_reply, "MDTM %s", op->remote);
		else if (!(err = resuming(op) ? resume_check(op) : 0))
			err = get_retr(op);
	}
	if (err) {
		free(op->remote);
		op->remote = NULL;
		lfile_clear(&op->lf);
	}
	return err;
}

/* The options of get, reget and put (-o NAME, -f, --unverified, --) and
 * the operands, into op.  0 or ERR_USAGE (reported). */
static int xfer_opts(struct ftp_op *op, const char *usage)
{
	struct cmdctx *ctx = op->o.ctx;
	bool get = strcmp(ctx->def->name, "put") != 0;
	bool opts = true;

	op->o.args = xcalloc((size_t)ctx->argc + 1, sizeof(char *));
	for (int i = 1; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		if (opts && strcmp(a, "--") == 0) {
			opts = false;
		} else if (opts && strcmp(a, "-o") == 0) {
			if (++i >= ctx->argc)
				return cmd_error(ctx, ERR_USAGE, "-o needs a %s name",
				                 get ? "file" : "remote");
			op->out_opt = ctx->argv[i];
		} else if (opts && get && strcmp(a, "-f") == 0) {
			op->force = true;
		} else if (opts && op->reget && strcmp(a, "--unverified") == 0) {
			op->unverified = true;
		} else if (opts && a[0] == '-' && a[1]) {
			return cmd_error(ctx, ERR_USAGE, "unknown option %s (use -- before "
			                 "names starting with -)", a);
		} else {
			op->o.args[op->o.nargs++] = ctx->argv[i];
		}
	}
	if (!op->o.nargs)
		return cmd_error(ctx, ERR_USAGE, "usage: %s %s", ctx->def->name, usage);
	return ftp_check_args(ctx, 1);
}

static int get_run(struct cmdctx *ctx, bool reget)
{
	struct ftp_op *op = ftp_op_new(ctx);
	op->reget = reget;
	int r = xfer_opts(op, reget ? "REMOTE... [-o LOCAL] [-f] [--unverified]" :
	                              "REMOTE... [-o LOCAL] [-f]");
	if (r < 0)
		goto fail;
	if (op->out_opt && strcmp(op->out_opt, "-") == 0) {
		if (reget) {
			r = cmd_error(ctx, ERR_USAGE, "reget cannot resume standard output");
			goto fail;
		}
		op->to_stdout = true;
	} else if (op->out_opt && op->o.nargs > 1) {
		struct stat st;
		if (stat(op->out_opt, &st) < 0 || !S_ISDIR(st.st_mode)) {
			r = cmd_error(ctx, ERR_USAGE, "-o with several files needs a "
			              "directory or -");
			goto fail;
		}
	}
	return ftp_glob_run(op, strcmp(ctx->def->name, "mget") == 0, get_item);
fail:
	return op_start(&op->o, r);
}

int ftp_do_get(struct cmdctx *ctx)
{
	return get_run(ctx, false);
}

int ftp_do_reget(struct cmdctx *ctx)
{
	return get_run(ctx, true);
}

int ftp_do_cat(struct cmdctx *ctx)
{
	int r = ftp_check_args(ctx, 1);
	if (r < 0)
		return r;
	struct ftp_op *op = ftp_op_new(ctx);
	op->to_stdout = true;
	return op_run(&op->o, 1, get_item);
}

/* ==== put ============================================================== */

static ssize_t put_fill(void *arg, char *p, size_t cap)
{
	struct ftp_op *op = arg;
	ssize_t n = lsource_read(&op->src, p, cap);
	if (n < 0) {
		snprintf(op->why, sizeof(op->why), "%s", op->src.why);
		return n;
	}
	op->streamed += (uint64_t)n;
	op->o.ctx->bytes = op->streamed;
	return n;
}

static void put_item_end(struct ftp_op *op, int err)
{
	lsource_clear(&op->src);
	free(op->remote);
	op->remote = NULL;
	op->streamed = 0;
	op->size = -1;
	op->why[0] = '\0';
	op_item_done(&op->o, err);
}

/* After the upload: the server's SIZE must match what was sent. */
static void put_size_reply(struct ftp_op *op, const struct pp_reply *r)
{
	uint64_t size;
	int err = 0;

	if (r->code == 213 && ftp_parse_size(r->msg, &size) == 0 &&
	    size != op->streamed) {
		char *d = ftp_esc_str(op->remote);
		err = cmd_error(op->o.ctx, ERR_PROTO, "%s: upload incomplete: the server "
		                "has %" PRIu64 " of %" PRIu64 " bytes", d, size, op->streamed);
		free(d);
	} else {
		char *l = ftp_esc_str(op->src.path);
		ui_info("%s: %" PRIu64 " bytes sent", l, op->streamed);
		free(l);
	}
	put_item_end(op, err);
}

static void put_done(void *arg, int err, const char *why)
{
	struct ftp_op *op = arg;

	op->x = NULL;
	ftp_cache_forget(op->o.s, op->remote);
	if (err) {
		char *d = ftp_esc_str(op->src.path);
		cmd_error(op->o.ctx, err, "%s: %s", d, op->why[0] ? op->why : why);
		free(d);
		put_item_end(op, err);
		return;
	}
	if (!op->f->feat_known || op->f->feat.size) {
		if (ftp_op_sendf(op, put_size_reply, "SIZE %s", op->remote) == 0)
			return;
	}
	put_item_end(op, 0);
}

static const struct ftp_xfer_ops put_ops = {
	.fill = put_fill,
	.done = put_done,
};

static int put_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	char *l = ftp_esc_str(op->o.arg);
	int err = lsource_open(&op->src, op->o.arg);

	if (err) {
		cmd_error(op->o.ctx, err, "%s", op->src.why);
		goto out;
	}
	op->o.ctx->total = (int64_t)op->src.size;
	if (op->out_opt) {
		op->remote = xstrdup(op->out_opt);
	} else if (ftp_local_name(op->src.path, &op->remote) < 0) {
		err = cmd_error(op->o.ctx, ERR_USAGE, "%s: no file name to store under "
		                "(use -o)", l);
		goto out;
	}
	char *line = xasprintf("STOR %s", op->remote);
	err = ftp_xfer_start(op->o.s, line, XFER_UP, -1, 0, &put_ops, op, &op->x);
	free(line);
	if (err < 0)
		cmd_error(op->o.ctx, err, "%s: %s", l, err_str(err));
out:
	free(l);
	if (err) {
		lsource_clear(&op->src);
		free(op->remote);
		op->remote = NULL;
	}
	return err;
}

int ftp_do_put(struct cmdctx *ctx)
{
	struct ftp_op *op = ftp_op_new(ctx);
	int r = xfer_opts(op, "LOCAL... [-o REMOTE]");

	if (r < 0)
		goto fail;
	if (op->out_opt && op->o.nargs > 1) {
		r = cmd_error(ctx, ERR_USAGE, "-o takes one file");
		goto fail;
	}
	if (op->out_opt && (!*op->out_opt || !ftp_arg_ok(op->out_opt))) {
		r = cmd_error(ctx, ERR_USAGE, "bad remote name");
		goto fail;
	}
	r = ftp_local_glob(op, strcmp(ctx->def->name, "mput") == 0);
	if (r < 0 && op->o.nargs == 0)
		goto fail;
	op->o.err = r;
	return op_run(&op->o, 1, put_item);
fail:
	return op_start(&op->o, r);
}

int ftp_get_one(struct op *o)
{
	return get_item(o);
}
