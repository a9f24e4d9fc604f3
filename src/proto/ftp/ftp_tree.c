/* ftp_tree.c - remote trees: rm with patterns and rm -r, mkdir -p, the
 * recursive listing of cls -R and ls -R, and du.
 *
 * A remote tree is walked one directory listing at a time on the
 * command's connection (ftp_fetch_start_all), breadth first.  Symbolic links
 * are never entered (a link is a name to DELE, or a line to print), a
 * name ftp_ent_name_safe() refuses ("..", "/", control bytes) is never
 * joined into a path sent to the server, and the walk is bounded in depth
 * and in entries, so a listing that loops (a server inventing a
 * subdirectory in every directory) ends.  rm -r removes depth first:
 * every file and link, then the directories deepest first; a hostile or
 * endless listing removes nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "err.h"
#include "ftp_int.h"
#include "ftp_list.h"
#include "log.h"
#include "pp.h"
#include "session.h"
#include "ui.h"

#define TREE_DEPTH_MAX 64         /* levels below a root */
#define TREE_ENTRIES_MAX 100000   /* names in one walk */
#define LS_DEPTH_MAX 16           /* cls -R, ls -R */
#define LS_ENTRIES_MAX 20000

struct tdir {
	char *path;                 /* absolute */
	int depth;                  /* 0: a root */
	/* du */
	size_t parent;              /* index in dirs (depth > 0) */
	char *shown;                /* the root as typed, then the names below */
	uint64_t bytes;             /* its files', then with its directories' */
};

/* A question's answer may come after the command ended (the connection
 * lost meanwhile): it finds op NULL then. */
struct tquestion {
	struct ftp_op *op;
};

struct ftp_tree {
	struct tdir *dirs;          /* found, in order: parents first */
	size_t nd, capd, di;        /* ... di: the next to list */
	char **files;               /* names DELE removes */
	size_t nf, capf;
	size_t nroots;              /* dirs[0..nroots) given, not found */
	size_t entries;
	bool failed;                /* the walk refused the tree */
	size_t ri;                  /* removal: the next command */
	size_t removed;
	tree_done_fn done;
	/* cls -R */
	bool ls;
	struct ftp_cls_opts ls_opts;
	/* du: sizes summed, every name counted, unsafe ones never entered */
	bool du;
	struct tquestion *q;
};

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static struct ftp_tree *tree_of(struct ftp_op *op)
{
	if (!op->tree)
		op->tree = xcalloc(1, sizeof(*op->tree));
	return op->tree;
}

void ftp_tree_free(struct ftp_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nd; i++) {
		free(t->dirs[i].path);
		free(t->dirs[i].shown);
	}
	free(t->dirs);
	for (size_t i = 0; i < t->nf; i++)
		free(t->files[i]);
	free(t->files);
	if (t->q)
		t->q->op = NULL;
	free(t);
}

static void add_dir(struct ftp_tree *t, char *path, int depth)
{
	if (t->nd == t->capd) {
		t->capd = t->capd ? t->capd * 2 : 16;
		t->dirs = xrealloc(t->dirs, t->capd * sizeof(*t->dirs));
	}
	t->dirs[t->nd++] = (struct tdir){ .path = path, .depth = depth };
}

void ftp_tree_add(struct ftp_op *op, const char *path, bool dir)
{
	struct ftp_tree *t = tree_of(op);
	if (dir) {
		add_dir(t, xstrdup(path), 0);
		t->nroots++;
		return;
	}
	if (t->nf == t->capf) {
		t->capf = t->capf ? t->capf * 2 : 16;
		t->files = xrealloc(t->files, t->capf * sizeof(char *));
	}
	t->files[t->nf++] = xstrdup(path);
}

/* ---- the walk ---------------------------------------------------------- */

static void walk_next(struct ftp_op *op);

/* A refusal of the whole walk: one line, and nothing will be removed. */
static void walk_refuse(struct ftp_op *op, const char *path, const char *what)
{
	char *e = ui_escape_str(path, strlen(path));
	op->o.err = cmd_error(op->o.ctx, ERR_PROTO, "%s: %s", e, what);
	free(e);
	op->tree->failed = true;
}

static int ls_print(struct ftp_op *op, const struct tdir *d, struct ftp_dir *rd);

static void walk_fetched(void *arg, int err, const char *why, struct ftp_dir *rd)
{
	struct ftp_op *op = arg;
	struct ftp_tree *t = op->tree;
	size_t di = t->di++;
	struct tdir d = t->dirs[di];   /* a copy: dirs may move */
	/* cls -R and du go on past what rm -r must refuse, with a note. */
	bool lenient = t->ls || t->du;

	op->fetch = NULL;
	if (err) {
		char *e = ui_escape_str(d.path, strlen(d.path));
		op->o.err = cmd_error(op->o.ctx, err, "cannot list %s: %s", e,
		                      why[0] ? why : err_str(err));
		free(e);
		if (!lenient || (t->du && !d.depth))
			t->failed = true;
		walk_next(op);
		return;
	}
	if (t->ls && ls_print(op, &d, rd) < 0) {
		ftp_dir_free(rd);
		t->failed = true;
		t->di = t->nd;
		walk_next(op);
		return;
	}
	size_t max = t->ls ? LS_ENTRIES_MAX : TREE_ENTRIES_MAX;
	int maxdepth = t->ls ? LS_DEPTH_MAX : TREE_DEPTH_MAX;
	for (size_t i = 0; i < ftp_dir_count(rd) && !t->failed; i++) {
		const struct ftp_ent *e = ftp_dir_ent(rd, i);
		if (!strcmp(e->name, ".") || !strcmp(e->name, "..") ||
		    (t->ls && !t->ls_opts.all && e->name[0] == '.'))
			continue;
		if (t->du && e->type != FTP_ENT_DIR && e->size > 0)
			t->dirs[di].bytes += (uint64_t)e->size;
		char *p = path_join(d.path, e->name);
		if (!ftp_ent_name_safe(e->name) || !ftp_arg_ok(e->name)) {
			if (lenient) {
				free(p);
				continue;   /* printed or counted; never entered */
			}
			walk_refuse(op, p, "the listing has a name ferry will not use "
			            "('/', '..' or control bytes); nothing removed");
			free(p);
			break;
		}
		if (++t->entries > max) {
			if (t->du) {
				char *x = ui_escape_str(d.path, strlen(d.path));
				op->o.err = cmd_error(op->o.ctx, ERR_FAIL, "%s: more than %zu "
				                      "entries; sum subdirectories one by one",
				                      x, max);
				free(x);
				free(p);
				t->failed = true;
				break;
			}
			if (t->ls) {
				char *x = ui_escape_str(d.path, strlen(d.path));
				ui_info("%s: stopped after %zu entries (the limit of a "
				        "recursive listing); list deeper directories "
				        "one by one", x, max);
				free(x);
				free(p);
				t->di = t->nd;
				break;
			}
			walk_refuse(op, d.path, "more than 100000 entries; nothing "
			            "removed (remove subdirectories one by one)");
			free(p);
			break;
		}
		if (e->type == FTP_ENT_DIR) {
			if (d.depth + 1 > maxdepth) {
				if (lenient) {
					/* du's totals then miss something: an
					 * error, after them; cls -R's note. */
					char *x = ui_escape_str(p, strlen(p));
					if (t->du)
						op->o.err = cmd_error(op->o.ctx, ERR_FAIL, "%s: not "
						                      "counted: deeper than %d levels "
						                      "(a listing that loops?)", x,
						                      maxdepth);
					else
						ui_info("%s: not listed: deeper than %d levels", x,
						        maxdepth);
					free(x);
					free(p);
					continue;
				}
				walk_refuse(op, p, "deeper than 64 levels (a listing "
				            "that loops?); nothing removed");
				free(p);
				break;
			}
			add_dir(t, p, d.depth + 1);
			if (t->du) {
				t->dirs[t->nd - 1].parent = di;
				t->dirs[t->nd - 1].shown = path_join(t->dirs[di].shown, e->name);
			}
		} else if (!lenient) {
			ftp_tree_add(op, p, false);
			free(p);
		} else {
			free(p);
		}
	}
	ftp_dir_free(rd);
	walk_next(op);
}

static void walk_next(struct ftp_op *op)
{
	struct ftp_tree *t = op->tree;
	if (!t->failed && t->di < t->nd) {
		/* Dot files too (rm -r and du must see them), unless cls -R
		 * lists without -a. */
		int r = ftp_fetch_start_all(op->o.s, t->dirs[t->di].path, !t->ls || t->ls_opts.all,
		                            walk_fetched, op, &op->fetch);
		if (r == 0)
			return;
		op->o.err = cmd_error(op->o.ctx, r, "cannot list: %s", err_str(r));
		t->failed = true;
	}
	t->done(op, t->failed ? (op->o.err ? op->o.err : ERR_FAIL) : 0);
}

void ftp_tree_walk(struct ftp_op *op, tree_done_fn done)
{
	struct ftp_tree *t = tree_of(op);
	t->done = done;
	walk_next(op);
}

size_t ftp_tree_count(const struct ftp_op *op)
{
	const struct ftp_tree *t = op->tree;
	return t ? t->nf + t->nd - t->nroots : 0;
}

/* ---- removal: files and links, then directories deepest first ----------- */

static void remove_next(struct ftp_op *op);

static void remove_reply(struct ftp_op *op, const struct pp_reply *r)
{
	struct ftp_tree *t = op->tree;
	size_t i = t->ri++;
	const char *p = i < t->nf ? t->files[i] : t->dirs[t->nd - 1 - (i - t->nf)].path;
	ftp_cache_forget(op->o.s, p);
	if (r->code / 100 != 2) {
		char *d = ftp_esc_str(p);
		op->o.err = ftp_op_reply_error(op, d, r);
		free(d);
	} else {
		t->removed++;
	}
	remove_next(op);
}

static void remove_next(struct ftp_op *op)
{
	struct ftp_tree *t = op->tree;
	while (t->ri < t->nf + t->nd) {
		size_t i = t->ri;
		int r = i < t->nf ? ftp_op_sendf(op, remove_reply, "DELE %s", t->files[i]) :
		        ftp_op_sendf(op, remove_reply, "RMD %s",
		                     t->dirs[t->nd - 1 - (i - t->nf)].path);
		if (r == 0)
			return;
		op->o.err = r;
		if (r == ERR_NET)
			break;
		t->ri++;
	}
	t->done(op, op->o.err);
}

void ftp_tree_remove(struct ftp_op *op, tree_done_fn done)
{
	struct ftp_tree *t = tree_of(op);
	t->done = done;
	t->ri = 0;
	remove_next(op);
}

/* ==== rm [-r] [-f] PATTERN... ============================================ */

static int rm_file_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	return ftp_op_sendf(op, ftp_plain_reply, "DELE %s", op->o.arg);
}

static void rmr_removed(struct ftp_op *op, int err)
{
	struct ftp_tree *t = op->tree;
	if (t->nd)
		ui_info("rm: %zu removed", t->removed);
	op_item_done(&op->o, err);
}

static void rmr_go(struct ftp_op *op)
{
	ftp_tree_remove(op, rmr_removed);
}

static void rmr_answer(void *arg, const char *answer)
{
	struct tquestion *q = arg;
	struct ftp_op *op = q->op;
	free(q);
	if (!op)
		return;
	op->tree->q = NULL;
	if (answer && (answer[0] == 'y' || answer[0] == 'Y')) {
		rmr_go(op);
		return;
	}
	ui_info("rm: nothing removed");
	op_item_done(&op->o, op->o.err);
}

/* Every operand walked: ask once (at a terminal, without -f), then remove. */
static void rmr_walked(struct ftp_op *op, int err)
{
	struct ftp_tree *t = op->tree;
	if (err || t->failed) {
		op_item_done(&op->o, err ? err : ERR_FAIL);
		return;
	}
	if (op->o.idx < op->o.nargs) {
		op_item_done(&op->o, 0);  /* the next operand's walk */
		return;
	}
	if (!op->force && t->nroots) {
		struct buf b;
		buf_init(&b, 4096);
		buf_appendstr(&b, "remove ");
		for (size_t i = 0; i < t->nroots && i < 3; i++) {
			if (i)
				buf_appendstr(&b, ", ");
			buf_appendstr(&b, t->dirs[i].path);
		}
		if (t->nroots > 3)
			buf_appendstr(&b, " ...");
		char tail[96];
		size_t n = ftp_tree_count(op);
		snprintf(tail, sizeof(tail), " and %s %zu entr%s? [y/N] ",
		         t->nroots > 1 ? "their" : "its", n, n == 1 ? "y" : "ies");
		buf_appendstr(&b, tail);
		char *qs = xstrndup(buf_peek(&b), buf_avail(&b));
		buf_clear(&b);
		struct tquestion *q = xcalloc(1, sizeof(*q));
		q->op = op;
		t->q = q;
		bool asked = cmd_ask(op->o.ctx, qs, rmr_answer, q);
		free(qs);
		if (asked)
			return;
		t->q = NULL;
		free(q);
	}
	rmr_go(op);
}

static void rmr_classified(void *arg, int err, const char *why, struct ftp_dir *rd);

/* The listing of op->line's parent, for rmr_classified. */
static int rmr_list_parent(struct ftp_op *op)
{
	char *parent = ftp_path_parent(op->line);
	int r = ftp_fetch_start_all(op->o.s, parent, true, rmr_classified, op, &op->fetch);
	free(parent);
	return r;
}

/* One operand of rm -r: what is it?  The parent's listing says. */
static void rmr_classified(void *arg, int err, const char *why, struct ftp_dir *rd)
{
	struct ftp_op *op = arg;
	const char *w = op->line;
	op->fetch = NULL;
	char *shown = ftp_esc_str(op->o.arg);
	int type = -1;
	if (err) {
		op->o.err = cmd_error(op->o.ctx, err, "%s: cannot list: %s", shown,
		                      why[0] ? why : err_str(err));
	} else {
		const char *base = strrchr(w, '/') + 1;
		for (size_t i = 0; i < ftp_dir_count(rd) && type < 0; i++)
			if (!strcmp(ftp_dir_ent(rd, i)->name, base))
				type = (int)ftp_dir_ent(rd, i)->type;
		ftp_dir_free(rd);
		if (type < 0)
			op->o.err = cmd_error(op->o.ctx, ERR_NOTFOUND, "%s: no such file or "
			                      "directory", shown);
		else
			ftp_tree_add(op, w, type == FTP_ENT_DIR);
	}
	free(shown);
	ftp_tree_walk(op, rmr_walked);
}

static int rmr_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	free(op->line);
	op->line = ftp_path_abs(op->f->cwd, op->o.arg);
	char *shown = ftp_esc_str(op->o.arg);
	int r = 0;
	if (!op->line)
		r = cmd_error(op->o.ctx, ERR_FAIL, "%s: the remote directory is not "
		              "known; give an absolute path", shown);
	else if (!strcmp(op->line, "/") || !strcmp(op->o.arg, ".") ||
	         !strcmp(op->o.arg, "..") || (strlen(op->o.arg) >= 3 &&
	         !strcmp(op->o.arg + strlen(op->o.arg) - 3, "/..")))
		r = cmd_error(op->o.ctx, ERR_USAGE, "%s: refusing to remove the root, "
		              "'.' or '..'; name the directory", shown);
	free(shown);
	if (r)
		return r;
	r = rmr_list_parent(op);
	if (r < 0)
		cmd_error(op->o.ctx, r, "cannot list: %s", err_str(r));
	return r;
}

int ftp_do_rm(struct cmdctx *ctx)
{
	bool rec = false, force = false;
	int first = 1;
	for (; first < ctx->argc; first++) {
		const char *a = ctx->argv[first];
		if (a[0] != '-' || !a[1] || (ctx->quoted && ctx->quoted[first]))
			break;
		if (!strcmp(a, "--")) {
			first++;
			break;
		}
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'r' || *p == 'R')
				rec = true;
			else if (*p == 'f')
				force = true;
			else
				return cmd_error(ctx, ERR_USAGE, "unknown option -%c "
				                 "(rm [-r] [-f] PATTERN...)", *p);
		}
	}
	if (first >= ctx->argc)
		return cmd_error(ctx, ERR_USAGE, "usage: rm [-r] [-f] PATTERN...");
	int r = ftp_check_args(ctx, first);
	if (r < 0)
		return r;
	struct ftp_op *op = ftp_op_new(ctx);
	op->force = force;
	op->glob_kind = rec ? GLOB_ANY : GLOB_NOT_DIRS;
	ftp_op_args(op, first, ctx->argc);
	return ftp_glob_run(op, false, rec ? rmr_item : rm_file_item);
}

/* ==== mkdir [-p] DIR... ================================================== */

static void mkp_next(struct ftp_op *op);

/* The last level failed: an existing directory is no error. */
static void mkp_checked(void *arg, int err, const char *why, struct ftp_dir *rd)
{
	struct ftp_op *op = arg;
	bool isdir = false;
	(void)why;
	op->fetch = NULL;
	if (!err) {
		const char *base = strrchr(op->line, '/') + 1;
		for (size_t i = 0; i < ftp_dir_count(rd); i++)
			if (!strcmp(ftp_dir_ent(rd, i)->name, base))
				isdir = ftp_dir_ent(rd, i)->type == FTP_ENT_DIR;
		ftp_dir_free(rd);
	}
	if (isdir) {
		op_item_done(&op->o, 0);
		return;
	}
	char *d = ftp_esc_str(op->o.arg);
	int e = cmd_error(op->o.ctx, ERR_FAIL, "%s: %s", d, op->why);
	free(d);
	op_item_done(&op->o, e);
}

static void mkp_reply(struct ftp_op *op, const struct pp_reply *r)
{
	bool last = op->mkpos >= op->mklen;
	if (r->code / 100 == 2) {
		ftp_cache_forget(op->o.s, op->line);
	} else if (last) {
		char *esc = ftp_reply_esc(r);
		snprintf(op->why, sizeof(op->why), "%d %s", r->code, esc);
		free(esc);
		char *parent = ftp_path_parent(op->line);
		/* -a: the directory in the way may be a dot directory. */
		int e = ftp_fetch_start_all(op->o.s, parent, true, mkp_checked, op, &op->fetch);
		free(parent);
		if (e < 0)
			op_item_done(&op->o, cmd_error(op->o.ctx, e, "cannot list: %s",
			                               err_str(e)));
		return;
	}
	if (last) {
		op_item_done(&op->o, 0);
		return;
	}
	op->line[op->mkpos] = '/';
	mkp_next(op);
}

/* MKD the next level: op->line cut at the end of it. */
static void mkp_next(struct ftp_op *op)
{
	char *p = op->line + op->mkpos + 1;
	char *slash = strchr(p, '/');
	op->mkpos = slash ? (size_t)(slash - op->line) : strlen(op->line);
	op->line[op->mkpos] = '\0';
	int e = ftp_op_sendf(op, mkp_reply, "MKD %s", op->line);
	if (e < 0)
		op_item_done(&op->o, e);
}

static void root_noop(struct ftp_op *op, const struct pp_reply *r)
{
	(void)r;
	op_item_done(&op->o, 0);
}

static int mkp_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	free(op->line);
	op->line = ftp_path_abs(op->f->cwd, op->o.arg);
	if (!op->line) {
		char *d = ftp_esc_str(op->o.arg);
		int e = cmd_error(op->o.ctx, ERR_FAIL, "%s: the remote directory is not "
		                  "known; give an absolute path", d);
		free(d);
		return e;
	}
	if (!strcmp(op->line, "/"))  /* there already: nothing to make */
		return ftp_op_send(op, root_noop, "NOOP", 0);
	op->mkpos = 0;
	op->mklen = strlen(op->line);
	mkp_next(op);
	return 0;
}

static int mk_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	return ftp_op_sendf(op, ftp_plain_reply, "MKD %s", op->o.arg);
}

int ftp_do_mkdir(struct cmdctx *ctx)
{
	bool parents = ctx->argc > 1 && !strcmp(ctx->argv[1], "-p") &&
	               !(ctx->quoted && ctx->quoted[1]);
	int first = parents ? 2 : 1;
	if (first >= ctx->argc)
		return cmd_error(ctx, ERR_USAGE, "usage: mkdir [-p] DIR...");
	int r = ftp_check_args(ctx, first);
	if (r < 0)
		return r;
	return op_run(&ftp_op_new(ctx)->o, first, parents ? mkp_item : mk_item);
}

/* ==== cls -R, ls -R ====================================================== */

static int ls_print(struct ftp_op *op, const struct tdir *d, struct ftp_dir *rd)
{
	struct ftp_tree *t = op->tree;
	struct cmdctx *ctx = op->o.ctx;
	int r = 0;
	if (t->di > 1)
		r = cmd_data_line(ctx, "", 0);
	if (!r) {
		char *h = xasprintf("%s:", d->path);
		r = cmd_data_line(ctx, h, strlen(h));
		free(h);
	}
	/* Sorted in place: the walk below goes in name order too. */
	if (!r)
		r = ftp_cls_print(ctx, rd, &t->ls_opts);
	return r;
}

static void ls_walked(struct ftp_op *op, int err)
{
	op_finish(&op->o, err ? err : op->o.err);
}

int ftp_tree_ls(struct cmdctx *ctx, const char *dir, const struct ftp_cls_opts *o)
{
	char *path;
	int r = ftp_dir_arg(ctx, dir, &path);
	if (r < 0)
		return r;
	struct ftp_op *op = ftp_op_new(ctx);
	struct ftp_tree *t = tree_of(op);
	t->ls = true;
	t->ls_opts = *o;
	add_dir(t, path, 0);
	t->nroots = 1;
	t->done = ls_walked;
	r = ftp_fetch_start_all(op->o.s, path, o->all, walk_fetched, op, &op->fetch);
	if (r < 0)
		cmd_error(ctx, r, "%s", err_str(r));
	return op_start(&op->o, r);
}

/* ---- du: the bytes of the files below each directory ------------------- */

/* Children before their parent, siblings by name: du's order.  A shown
 * path holds another when that one goes on after it with a '/' (or it
 * ends in '/' itself: "/", "dir/" as typed). */
static int du_order(const void *a, const void *b)
{
	const char *x = (*(const struct tdir *const *)a)->shown;
	const char *y = (*(const struct tdir *const *)b)->shown;
	size_t i = 0;
	while (x[i] && x[i] == y[i])
		i++;
	if (!x[i] && !y[i])
		return 0;    /* the same name twice (a listing may say so) */
	bool slash = i > 0 && x[i - 1] == '/';
	if (!x[i] && (y[i] == '/' || slash))
		return 1;    /* x holds y */
	if (!y[i] && (x[i] == '/' || slash))
		return -1;
	if (x[i] == '/' || !x[i])
		return -1;   /* x's name ends first */
	if (y[i] == '/' || !y[i])
		return 1;
	return (unsigned char)x[i] < (unsigned char)y[i] ? -1 : 1;
}

static void du_size(const struct ftp_op *op, uint64_t n, char *out, size_t len)
{
	if (op->du_human)
		ftp_human((int64_t)n, out, len);
	else if (op->du_bytes)
		snprintf(out, len, "%" PRIu64, n);
	else
		snprintf(out, len, "%" PRIu64, (n + 1023) / 1024);
}

static void du_walked(struct ftp_op *op, int err)
{
	struct ftp_tree *t = op->tree;
	if (!err) {
		for (size_t i = t->nd; i-- > 1;)
			t->dirs[t->dirs[i].parent].bytes += t->dirs[i].bytes;
		size_t n = op->du_sum ? 1 : t->nd;
		struct tdir **v = xcalloc(n, sizeof(*v));
		for (size_t i = 0; i < n; i++)
			v[i] = &t->dirs[i];
		qsort(v, n, sizeof(*v), du_order);
		for (size_t i = 0; i < n && err >= 0; i++) {
			char size[32];
			du_size(op, v[i]->bytes, size, sizeof(size));
			char *e = ftp_esc_str(v[i]->shown);
			err = cmd_printf(op->o.ctx, "%s\t%s", size, e);
			free(e);
		}
		free(v);
	}
	ftp_tree_free(op->tree);
	op->tree = NULL;
	op_item_done(&op->o, err);
}

static int du_item(struct op *o)
{
	struct ftp_op *op = ftp_op_of(o);
	char *path;
	int r = ftp_dir_arg(o->ctx, o->arg, &path);
	if (r < 0)
		return r;
	struct ftp_tree *t = tree_of(op);
	t->du = true;
	add_dir(t, path, 0);
	t->dirs[0].shown = xstrdup(*o->arg ? o->arg : ".");
	t->nroots = 1;
	ftp_tree_walk(op, du_walked);
	return 0;
}

int ftp_do_du(struct cmdctx *ctx)
{
	struct ftp_op *op = ftp_op_new(ctx);
	int first = 1;
	for (; first < ctx->argc; first++) {
		const char *a = ctx->argv[first];
		if (a[0] != '-' || !a[1] || (ctx->quoted && ctx->quoted[first]))
			break;
		for (const char *p = a + 1; *p; p++) {
			if (*p == 's')
				op->du_sum = true;
			else if (*p == 'h')
				op->du_human = true;
			else if (*p == 'b')
				op->du_bytes = true;
			else
				return op_start(&op->o, cmd_error(ctx, ERR_USAGE, "unknown option -%c "
				                                  "(du [-s] [-h] [-b] [DIR...])", *p));
		}
	}
	ftp_op_args(op, first, ctx->argc);
	if (!op->o.nargs)
		op->o.args[op->o.nargs++] = ".";
	return op_run(&op->o, 1, du_item);
}
