/* nntp_parts.c - the MIME parts of an article: what `read` shows of a
 * multipart article (its text/plain parts decoded, then one line per part:
 * number, type, decoded size, file name) and `save PART [FILE]`, the
 * decoded bytes of one part of the article `read` showed last, written
 * through util/lfile (NAME.part, then NAME; never over an existing file
 * unless -f or xfer:clobber; FILE "-" is standard output).
 *
 * A file carried inside a text body the old way (a uuencoded or yEnc
 * block, nuu.h) is a part too, numbered right after the text part that
 * holds it; read shows a one-line placeholder where its lines were.  Only
 * text/plain bodies sent as they are (7bit, 8bit, no encoding) are looked
 * into: that is where such blocks live.  The mode of a "begin" line is
 * never applied.
 *
 * A file name from the article (Content-Disposition filename, else
 * Content-Type name; RFC 2231 and RFC 2047 undone by nmime_param) names a
 * file in the local working directory only when lfile_name_safe() takes
 * it (no "/", no "." or "..", no control bytes) and ui would show it
 * unchanged (no bidi or format controls, no invalid UTF-8).  Otherwise the
 * user gives FILE.
 */
#include "nntp_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "lfile.h"
#include "nmime.h"
#include "nuu.h"
#include "op.h"
#include "session.h"
#include "sink.h"
#include "ui.h"

/* Bytes one decoded part may take: an article is at most READ_MAX_BYTES
 * (nntp_read.c), and decoding never grows it. */
#define PART_MAX_BYTES ((size_t)64 << 20)

/* The part's file name (UTF-8, not checked) into out: 1, 0 none, or
 * ERR_PROTO (a malformed RFC 2231 value). */
static int part_name(const char *art, const struct nmime_part *p, struct buf *out)
{
	const char *v;
	size_t vlen;
	int r = 0;

	if (nmime_header(art + p->hoff, p->hlen, "Content-Disposition", &v, &vlen))
		r = nmime_param(v, vlen, "filename", true, out);
	if (r == 0 && nmime_header(art + p->hoff, p->hlen, "Content-Type", &v, &vlen))
		r = nmime_param(v, vlen, "name", true, out);
	return r < 0 && r != ERR_PROTO ? ERR_PROTO : r;
}

static void part_type(const char *art, const struct nmime_part *p, char *type, size_t cap)
{
	const char *v;
	size_t vlen;
	bool has = nmime_header(art + p->hoff, p->hlen, "Content-Type", &v, &vlen);

	nmime_ctype(has ? v : NULL, has ? vlen : 0, type, cap);
}

/* What read lists and save writes: the leaf MIME parts in order, each
 * followed by the files found inside it. */
struct item {
	size_t part;             /* index in the tree */
	bool embedded;           /* a block inside that part's body */
	struct nuu_block blk;    /* then: offsets in the article */
};

struct items {
	struct nmime_tree t;
	struct item it[NMIME_MAX_PARTS];
	size_t n;
	bool truncated;          /* items past NMIME_MAX_PARTS left out */
};

static bool part_inline_text(const char *art, const struct nmime_part *p);

/* A body sent as it is (no Content-Transfer-Encoding, 7bit, 8bit). */
static bool part_identity(const char *art, const struct nmime_part *p)
{
	const char *v;
	size_t vlen;

	if (!nmime_header(art + p->hoff, p->hlen, "Content-Transfer-Encoding", &v, &vlen))
		return true;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t' || v[vlen - 1] == '\r' ||
	                v[vlen - 1] == '\n'))
		vlen--;
	return (vlen == 4 && strncasecmp(v, "7bit", 4) == 0) ||
	       (vlen == 4 && strncasecmp(v, "8bit", 4) == 0);
}

static void items_add(struct items *x, size_t part, const struct nuu_block *b)
{
	if (x->n == NMIME_MAX_PARTS) {
		x->truncated = true;
		return;
	}
	struct item *it = &x->it[x->n++];
	it->part = part;
	it->embedded = b != NULL;
	if (b)
		it->blk = *b;
}

/* The article's items; the caller frees x. */
static struct items *items_new(const char *art, size_t len)
{
	struct items *x = xcalloc(1, sizeof(*x));

	nmime_parts(art, len, &x->t);
	for (size_t i = 0; i < x->t.n; i++) {
		const struct nmime_part *p = &x->t.part[i];
		items_add(x, i, NULL);
		if (!part_inline_text(art, p) || !part_identity(art, p))
			continue;
		struct nuu_block b;
		for (size_t at = 0; nuu_next(art + p->boff, p->blen, at, &b); at = b.off + b.len) {
			struct nuu_block abs = b;
			abs.off += p->boff;
			abs.noff += p->boff;
			items_add(x, i, &abs);
		}
	}
	x->truncated |= x->t.truncated;
	return x;
}

/* An item's file name (not checked): 1, 0 none, ERR_PROTO. */
static int item_name(const char *art, const struct items *x, size_t k, struct buf *out)
{
	const struct item *it = &x->it[k];

	if (it->embedded)
		return buf_append(out, art + it->blk.noff, it->blk.nlen) < 0 ? ERR_PROTO : 1;
	return part_name(art, &x->t.part[it->part], out);
}

/* An item's decoded bytes: as nmime_part_decode. */
static int item_decode(const char *art, const struct items *x, size_t k, struct buf *out,
                       const char **why)
{
	const struct item *it = &x->it[k];

	if (it->embedded)
		return nuu_decode(art, &it->blk, out, why);
	return nmime_part_decode(art, &x->t.part[it->part], out, why);
}

/* Shown inline by read: text/plain, not marked as an attachment. */
static bool part_inline_text(const char *art, const struct nmime_part *p)
{
	const char *v;
	size_t vlen;
	char type[64];

	part_type(art, p, type, sizeof(type));
	if (strcmp(type, "text/plain") != 0)
		return false;
	return !nmime_header(art + p->hoff, p->hlen, "Content-Disposition", &v, &vlen) ||
	       vlen < 10 || strncasecmp(v, "attachment", 10) != 0;
}

/* What read says of each item: its decoded size, or why it cannot be
 * decoded. */
struct item_info {
	size_t size;
	int err;
	const char *why;
};

/* The one line read shows instead of the lines of a file inside a text. */
static void item_placeholder(const char *art, const struct items *x, size_t k,
                             const struct item_info *in, struct buf *out)
{
	const struct item *it = &x->it[k];

	buf_appendf(out, "[%s file %.*s, ", it->blk.kind == NUU_YENC ? "yEnc" : "uuencoded",
	            (int)it->blk.nlen, art + it->blk.noff);
	if (in->err == 0)
		buf_appendf(out, "%zu bytes: `save %zu` writes it]\n", in->size, k + 1);
	else
		buf_appendf(out, "part %zu: %s]\n", k + 1,
		            in->why ? in->why : "too large to decode");
}

/* Text part i decoded and converted from its charset to UTF-8, the files
 * inside it as one line each. */
static void part_text(const char *art, const struct items *x, size_t i,
                      const struct item_info *info, struct buf *out)
{
	const struct nmime_part *p = &x->t.part[i];
	struct buf dec, cs;
	const char *v, *why;
	size_t vlen, at = p->boff;
	bool blocks = false;

	buf_init(&dec, PART_MAX_BYTES);
	buf_init(&cs, 100);
	for (size_t k = 0; k < x->n; k++) {
		const struct item *it = &x->it[k];
		if (it->part != i || !it->embedded)
			continue;
		blocks = true;
		buf_append(&dec, art + at, it->blk.off - at);
		item_placeholder(art, x, k, &info[k], &dec);
		at = it->blk.off + it->blk.len;
	}
	if (blocks)
		buf_append(&dec, art + at, p->boff + p->blen - at);
	else if (nmime_part_decode(art, p, &dec, &why) == ERR_PROTO) {
		buf_reset(&dec);
		buf_append(&dec, art + p->boff, p->blen);
	}
	if (nmime_header(art + p->hoff, p->hlen, "Content-Type", &v, &vlen) &&
	    nmime_param(v, vlen, "charset", false, &cs) == 1 &&
	    nmime_to_utf8(buf_peek(&cs), buf_avail(&cs), buf_peek(&dec), buf_avail(&dec),
	                  out) == 0)
		;
	else
		buf_append(out, buf_peek(&dec), buf_avail(&dec));
	buf_clear(&dec);
	buf_clear(&cs);
}

bool nntp_parts_render(const char *art, size_t len, struct buf *out)
{
	struct items *x = items_new(art, len);
	const struct nmime_tree *t = &x->t;
	char type[64];

	part_type(art, &t->part[0], type, sizeof(type));
	if (!t->multipart && strncmp(type, "text/", 5) == 0 && x->n == 1) {
		free(x);
		return false;   /* one text body: read shows it as before */
	}
	struct item_info *info = xcalloc(x->n, sizeof(*info));
	for (size_t k = 0; k < x->n; k++) {
		struct buf dec;
		buf_init(&dec, PART_MAX_BYTES);
		info[k].err = item_decode(art, x, k, &dec, &info[k].why);
		info[k].size = buf_avail(&dec);
		buf_clear(&dec);
	}
	bool shown[NMIME_MAX_PARTS] = { false };
	for (size_t i = 0; i < t->n; i++) {
		if (!part_inline_text(art, &t->part[i]))
			continue;
		size_t before = buf_avail(out);
		part_text(art, x, i, info, out);
		if (buf_avail(out) > before && buf_peek(out)[buf_avail(out) - 1] != '\n')
			buf_append(out, "\n", 1);
		shown[i] = true;
	}
	buf_appendf(out, "\n[%zu part%s; `save PART [FILE]` writes one]\n", x->n,
	            x->n == 1 ? "" : "s");
	for (size_t k = 0; k < x->n; k++) {
		const struct item *it = &x->it[k];
		const struct item_info *in = &info[k];
		struct buf name;
		buf_init(&name, 1024);
		if (it->embedded)
			strcpy(type, "application/octet-stream");
		else
			part_type(art, &t->part[it->part], type, sizeof(type));
		int nr = item_name(art, x, k, &name);
		buf_appendf(out, "%4zu  %-28s ", k + 1, type);
		if (in->err == 0)
			buf_appendf(out, "%10zu bytes", in->size);
		else
			buf_appendf(out, "%16s", "?");
		if (nr == 1)
			buf_appendf(out, "  %.*s", (int)buf_avail(&name), buf_peek(&name));
		else if (nr < 0)
			buf_appendstr(out, "  (malformed file name)");
		if (it->embedded)
			buf_appendf(out, "  (%s in part %zu)",
			            it->blk.kind == NUU_YENC ? "yEnc" : "uuencoded", it->part + 1);
		else if (shown[it->part])
			buf_appendstr(out, "  (shown above)");
		if (in->err < 0 && in->why)
			buf_appendf(out, "  (%s)", in->why);
		buf_append(out, "\n", 1);
		buf_clear(&name);
	}
	if (x->truncated)
		buf_appendf(out, "(more than %d parts: the rest are not listed)\n",
		            NMIME_MAX_PARTS);
	if (t->too_deep)
		buf_appendf(out, "(multiparts nested deeper than %d are shown as one part)\n",
		            NMIME_MAX_DEPTH);
	if (t->unterminated)
		buf_appendstr(out, "(the closing boundary is missing: the article may be cut)\n");
	free(info);
	free(x);
	return true;
}

/* ---- save PART [FILE] ---------------------------------------------------- */

struct save {
	struct buf art;          /* the article, lines ending in LF */
	size_t part;             /* 1-based */
	char *file;              /* FILE as typed, or NULL */
	bool force;              /* -f: replace an existing FILE */
};

static void save_free(void *p)
{
	struct save *sv = p;
	if (!sv)
		return;
	buf_clear(&sv->art);
	free(sv->file);
	free(sv);
}

static int save_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;
	struct save *sv = op->ext;

	if (buf_append(&sv->art, line, len) < 0 || buf_append(&sv->art, "\n", 1) < 0)
		return ERR_TOOLONG;
	return 0;
}

/* Write bytes to path through lfile: 0 or the error (printed). */
static int save_write(struct cmdctx *ctx, const char *path, const char *p, size_t n,
                      bool force)
{
	struct lfile f;
	int err;

	lfile_init(&f, force || config_bool(ctx->sess->cfg, "xfer:clobber"));
	err = lfile_target(&f, path, false);
	if (!err)
		err = lfile_open(&f, (int64_t)n, -1);
	if (!err)
		err = lfile_write(&f, p, n);
	int e = lfile_close(&f);
	if (!err)
		err = e;
	if (!err)
		err = lfile_commit(&f);
	if (err < 0) {
		/* All of it is in memory: a partial NAME.part helps no
		 * resume, so it goes. */
		if (f.part && f.part_made)
			unlink(f.part);
		err = cmd_error(ctx, ERR_LOCAL, "%s", f.why);
	}
	lfile_clear(&f);
	return err;
}

static int save_part(struct nop *op)
{
	struct save *sv = op->ext;
	struct cmdctx *ctx = op->o.ctx;
	const char *art = buf_peek(&sv->art), *why;
	struct items *x = items_new(art, buf_avail(&sv->art));
	struct buf dec, name;
	int err;

	buf_init(&dec, PART_MAX_BYTES);
	buf_init(&name, 1024);
	if (sv->part > x->n) {
		err = cmd_error(ctx, ERR_NOTFOUND, "the article has %zu part%s%s", x->n,
		                x->n == 1 ? "" : "s", x->truncated ? " listed" : "");
		goto out;
	}
	const char *path = sv->file;
	struct stat st;
	/* FILE an existing directory: the part's own name in it. */
	bool into_dir = path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	if (!path || into_dir) {
		int r = item_name(art, x, sv->part - 1, &name);
		if (r < 0) {
			err = cmd_error(ctx, ERR_PROTO, "part %zu: its file name is malformed; "
			                "give one: save %zu FILE", sv->part, sv->part);
			goto out;
		}
		buf_append(&name, "", 1);
		/* Safe for lfile, and shown as it is: no bidi or format
		 * controls, no invalid UTF-8 (a name must not read otherwise
		 * in a listing than it is). */
		char *e = ui_escape_str(buf_peek(&name), strlen(buf_peek(&name)));
		if (r == 0 || !lfile_name_safe(buf_peek(&name)) || strcmp(e, buf_peek(&name))) {
			err = r == 0 ? cmd_error(ctx, ERR_USAGE, "part %zu has no file name; "
			                         "give one: save %zu FILE", sv->part, sv->part)
			             : cmd_error(ctx, ERR_USAGE, "part %zu: the file name \"%s\" "
			                         "is not safe to use; give one: save %zu FILE",
			                         sv->part, e, sv->part);
			free(e);
			goto out;
		}
		free(e);
		path = buf_peek(&name);
		if (into_dir) {
			char *joined = xasprintf("%s%s%s", sv->file,
			                         sv->file[strlen(sv->file) - 1] == '/' ? "" : "/", path);
			buf_reset(&name);
			buf_appendstr(&name, joined);
			buf_append(&name, "", 1);
			free(joined);
			path = buf_peek(&name);
		}
	}
	err = item_decode(art, x, sv->part - 1, &dec, &why);
	if (err == ERR_PROTO) {
		err = cmd_error(ctx, ERR_PROTO, "part %zu: %s; nothing written", sv->part, why);
		goto out;
	}
	if (err < 0) {
		err = cmd_error(ctx, err, "part %zu is too large", sv->part);
		goto out;
	}
	if (strcmp(path, "-") == 0) {
		/* Standard output (escaped only on a terminal). */
		err = cmd_data(ctx, buf_peek(&dec), buf_avail(&dec));
		err = err == ERR_PIPE ? 0 : err < 0 ? cmd_error(ctx, err, "%s",
		                                                sink_why(cmd_out(ctx))) : 0;
		goto out;
	}
	err = save_write(ctx, path, buf_peek(&dec), buf_avail(&dec), sv->force);
	if (!err) {
		char *e = ui_escape_str(path, strlen(path));
		err = cmd_printf(ctx, "%s: %zu bytes", e, buf_avail(&dec));
		free(e);
		err = err == ERR_PIPE ? 0 : err;
	}
out:
	buf_clear(&dec);
	buf_clear(&name);
	free(x);
	return err;
}

static void save_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;

	op->rq = NULL;
	if (err < 0 || r->code != 220) {
		if (err == ERR_TOOLONG) {
			op_finish(&op->o, cmd_error(op->o.ctx, ERR_PROTO, "article too large "
			                            "to decode"));
			return;
		}
		nop_fail_missing(op, err, r, 430, "the article is gone");
		return;
	}
	op_finish(&op->o, save_part(op));
}

int nntp_run_save(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *id = nntp_last_read(n);
	bool force = strcmp(ctx->argv[1], "-f") == 0;
	int ai = force ? 2 : 1;
	const char *a = ai < ctx->argc ? ctx->argv[ai] : "";
	uint64_t part;

	if (ctx->argc > ai + 2)
		return cmd_error(ctx, ERR_USAGE, "usage: save [-f] PART [FILE]");
	if (nntp_parse_u64(a, strlen(a), &part) < 0 || part == 0 || part > NMIME_MAX_PARTS)
		return cmd_error(ctx, ERR_USAGE, "expected a part number (1-%d), as `read` "
		                 "lists them", NMIME_MAX_PARTS);
	if (!id)
		return cmd_error(ctx, ERR_FAIL, "no article read yet; `read N` first, "
		                 "then save PART");
	struct save *sv = xcalloc(1, sizeof(*sv));
	buf_init(&sv->art, PART_MAX_BYTES);
	sv->part = (size_t)part;
	sv->file = ctx->argc > ai + 1 ? xstrdup(ctx->argv[ai + 1]) : NULL;
	sv->force = force;
	struct nop *op = nop_new(ctx, xasprintf("ARTICLE %s", id), NR_AUTH_RETRY, save_done);
	op->ext = sv;
	op->ext_free = save_free;
	op->on_line = save_line;
	op->by_msgid = true;
	op->what = "article";
	return nop_go(op);
}
