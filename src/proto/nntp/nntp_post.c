/* nntp_post.c - posting news: `post [FILE]` and `followup N|<message-id>`
 * (RFC 3977 6.3.1, RFC 5536, RFC 5537).
 *
 * An article is composed in $EDITOR (through the shell: cmd_run_program)
 * from a template, or read from FILE; it is checked (npost_check), its
 * 8-bit header text encoded and a Content-Type added (npost_prepare), and
 * sent after the server's 340 only (never pipelined), dot-stuffed with
 * CRLF line ends.  What the server did not take (or what a lost
 * connection cut) is kept in a new file under $XDG_STATE_HOME/ferry, and
 * its name printed.
 */
#include "nntp_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "nmime.h"
#include "npost.h"
#include "pp.h"
#include "session.h"
#include "sink.h"
#include "ui.h"
#include "xdg.h"

/* An article we compose or send: 1 MiB is far beyond what servers take. */
#define POST_MAX (1024 * 1024)

struct post;
/* The editor or a question under way: outlives the command if it ends
 * meanwhile (Ctrl-C), so the late callback finds p NULL. */
struct post_wait {
	struct post *p;
	char *parent;            /* followup: the article asked about */
	size_t parent_len;
};

struct post {
	struct nop *op;
	char *tmp;              /* the file being edited (removed at the end) */
	char *tmpl;             /* the template as written, to see no change */
	size_t tmpl_len;
	char *art;              /* the article as its author wrote it */
	size_t art_len;
	struct buf wire;        /* stuffed, CRLF, ending in ".\r\n" */
	char *msgid;            /* the Message-ID the article carried */
	struct post_wait *wait;
};

static void post_free(void *arg)
{
	struct post *p = arg;

	if (!p)
		return;
	if (p->wait)
		p->wait->p = NULL;
	if (p->tmp)
		unlink(p->tmp);
	free(p->tmp);
	free(p->tmpl);
	free(p->art);
	buf_clear(&p->wire);
	free(p->msgid);
	free(p);
}

static struct post *post_new(struct nop *op)
{
	struct post *p = xcalloc(1, sizeof(*p));

	p->op = op;
	buf_init(&p->wire, 2 * POST_MAX + 16);
	op->ext = p;
	op->ext_free = post_free;
	return p;
}

/* RFC 3977 5.1.1 and 3.4: the greeting said 200, or CAPABILITIES lists
 * POST (the latter wins: it follows MODE READER and AUTHINFO). */
static bool posting_allowed(const struct nntp *n)
{
	return n->has_caps ? n->caps.post : n->posting;
}

/* Refused before anything is sent: status 6 (not permitted). */
static int no_posting(struct cmdctx *ctx)
{
	if (!ctx->sess->user)
		return cmd_error(ctx, ERR_NOTFOUND, "the server does not allow posting "
		                 "without logging in (give a user in the URL or ~/.netrc)");
	return cmd_error(ctx, ERR_NOTFOUND, "the server does not allow posting "
	                 "(its greeting and CAPABILITIES say so)");
}

/* ---- keeping what was not posted --------------------------------------- */

/* Write the article to a new file (mode 0600) under $XDG_STATE_HOME/ferry:
 * dead.article, else dead.article.1, .2... (never one that exists); its
 * name (heap), or NULL with errno. */
static char *keep_article(const char *art, size_t len)
{
	char *base = xdg_path("XDG_STATE_HOME", ".local/state", "dead.article");
	char *path = NULL;
	int fd = -1, saved;

	if (!base) {
		errno = ENOENT;
		return NULL;
	}
	xdg_mkdirs_for(base);
	for (int i = 0; i < 1000 && fd < 0; i++) {
		free(path);
		path = i ? xasprintf("%s.%d", base, i) : xstrdup(base);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	free(base);
	if (fd < 0)
		goto fail;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, art + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			saved = errno;
			close(fd);
			unlink(path);
			errno = saved;
			goto fail;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0) {
		saved = errno;
		unlink(path);
		errno = saved;
		goto fail;
	}
	return path;
fail:
	saved = errno;
	free(path);
	errno = saved;
	return NULL;
}

/* End the command with err: "WHAT; the article is kept in PATH". */
static void post_fail_keep(struct post *p, int err, const char *what)
{
	struct cmdctx *ctx = p->op->o.ctx;
	char *path;

	if (!p->art) {
		/* Nothing was written yet (the editor did not start). */
		op_finish(&p->op->o, cmd_error(ctx, err, "%s", what));
		return;
	}
	path = keep_article(p->art, p->art_len);
	if (path)
		cmd_error(ctx, err, "%s; the article is kept in %s", what, path);
	else
		cmd_error(ctx, err, "%s; the article could not be kept: %s", what,
		          strerror(errno));
	free(path);
	op_finish(&p->op->o, err);
}

/* A failed request after the article was composed: say why and keep it. */
static void post_fail_reply(struct post *p, int err, const struct pp_reply *r)
{
	struct nntp *n = p->op->n;
	char *what;

	if (err == ERR_PIPE || err == ERR_LOCAL) {
		op_finish(&p->op->o, cmd_error(p->op->o.ctx, err, "%s",
		                               sink_why(cmd_out(p->op->o.ctx))));
		return;
	}
	if (!r) {
		what = xasprintf("not posted: %s", n->detail);
	} else {
		nntp_note_reply(n, r);
		switch (r->code) {
		case 440:
			err = ERR_NOTFOUND;
			what = xasprintf("posting not allowed: %s", n->detail);
			break;
		case 441:
			err = ERR_FAIL;
			what = xasprintf("the server refused the article: %s", n->detail);
			break;
		default:
			err = nntp_code_err(r->code);
			what = xasprintf("not posted: %s", n->detail);
			break;
		}
	}
	post_fail_keep(p, err, what);
	free(what);
}

/* ---- sending ------------------------------------------------------------ */

static void post_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct post *p = op->ext;
	const char *lt, *gt;

	op->rq = NULL;
	if (err < 0 || r->code != 240) {
		post_fail_reply(p, err, r);
		return;
	}
	/* The id the server names (INN: "240 Article received <id>"),
	 * else the one the article carried. */
	lt = memchr(r->text, '<', r->len);
	gt = lt ? memchr(lt, '>', r->len - (size_t)(lt - r->text)) : NULL;
	if (lt && gt && nntp_msgid_valid(lt, (size_t)(gt - lt) + 1)) {
		char *id = xstrndup(lt, (size_t)(gt - lt) + 1);
		cmd_printf(op->o.ctx, "posted %s", id);
		free(id);
	} else if (p->msgid) {
		cmd_printf(op->o.ctx, "posted %s", p->msgid);
	} else {
		char *e = ui_escape_str(r->text, r->len);
		cmd_printf(op->o.ctx, "posted (the server named no message-id: %s)", e);
		free(e);
	}
	op_finish(&op->o, 0);
}

/* POST answered: 340 lets the article go; anything else is a refusal. */
static void post_cont(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct post *p = op->ext;
	struct nntp *n = op->n;
	struct session *s = op->o.s;

	op->rq = NULL;
	if (err < 0 || r->code != 340) {
		post_fail_reply(p, err, r);
		return;
	}
	err = pp_send_raw(s->pp, buf_peek(&p->wire), buf_avail(&p->wire));
	if (err == 0)
		op->rq = nreq_send(n, "POST", NR_EXPECT, post_done, op, NULL, &err);
	else
		snprintf(n->detail, sizeof(n->detail), "cannot send: %s", pp_error(s->pp));
	if (!op->rq)
		post_fail_reply(p, err, NULL);
}

/* The article p->art, checked: made ready to send.  0, or the error
 * (ERR_USAGE with why filled). */
static int post_ready_article(struct post *p, char *why, size_t whylen)
{
	struct buf prep;
	struct nntp_span id;
	int err = npost_check(p->art, p->art_len, why, whylen);

	if (err < 0)
		return err;
	buf_init(&prep, 2 * POST_MAX);
	buf_reset(&p->wire);
	if (npost_prepare(p->art, p->art_len, &prep) < 0 ||
	    npost_stuff(buf_peek(&prep), buf_avail(&prep), &p->wire) < 0) {
		buf_clear(&prep);
		snprintf(why, whylen, "the article is too long (%d KiB at most)",
		         POST_MAX / 1024);
		return ERR_USAGE;
	}
	buf_clear(&prep);
	free(p->msgid);
	p->msgid = NULL;
	if (npost_header_get(p->art, p->art_len, "Message-ID", &id) &&
	    nntp_msgid_valid(id.p, id.len))
		p->msgid = xstrndup(id.p, id.len);
	return 0;
}

static void post_send(struct post *p);

static void post_reconnected(struct op *o, int err)
{
	struct post *p = nop_of(o)->ext;

	if (err < 0) {
		snprintf(p->op->n->detail, sizeof(p->op->n->detail), "%s", o->s->err);
		post_fail_reply(p, err, NULL);
		return;
	}
	post_send(p);
}

/* POST on a connection in step (reconnecting first after a long edit). */
static void post_send(struct post *p)
{
	struct nop *op = p->op;
	struct nntp *n = op->n;
	struct session *s = op->o.s;
	int err;

	if (n->desync || !s->pp || pp_failed(s->pp) || n->state != NS_READY) {
		if (n->desync)
			session_drop(s, "reply out of sequence");
		op_ensure(&op->o, post_reconnected);
		return;
	}
	if (!posting_allowed(n)) {
		snprintf(n->detail, sizeof(n->detail), "the server does not allow posting "
		         "on this connection");
		post_fail_keep(p, ERR_NOTFOUND, n->detail);
		return;
	}
	op->rq = nreq_send(n, "POST", NR_CONT | NR_AUTH_RETRY, post_cont, op, NULL, &err);
	if (!op->rq)
		post_fail_reply(p, err, NULL);
}

/* ---- composing in $EDITOR ---------------------------------------------- */

static int edit_start(struct post *p);
static void edit_restart(struct post *p);

/* Read a whole file of at most POST_MAX bytes: 0, or -1 with errno. */
static int read_file(const char *path, char **out, size_t *outlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct buf b;
	char tmp[8192];
	ssize_t r;

	if (fd < 0)
		return -1;
	buf_init(&b, POST_MAX);
	while ((r = read(fd, tmp, sizeof(tmp))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || buf_append(&b, tmp, (size_t)r) < 0) {
			int saved = r < 0 ? errno : EFBIG;
			close(fd);
			buf_clear(&b);
			errno = saved;
			return -1;
		}
	}
	close(fd);
	*outlen = buf_avail(&b);
	*out = xmalloc(*outlen + 1);
	memcpy(*out, buf_peek(&b), *outlen);
	(*out)[*outlen] = '\0';
	buf_clear(&b);
	return 0;
}

static void edit_again(void *arg, const char *answer)
{
	struct post_wait *w = arg;
	struct post *p = w->p;

	free(w);
	if (!p)
		return;
	p->wait = NULL;
	if (answer && (answer[0] == '\0' || answer[0] == 'y' || answer[0] == 'Y')) {
		edit_restart(p);
		return;
	}
	/* No, or Ctrl-C at the question. */
	post_fail_keep(p, answer ? ERR_USAGE : ERR_INTR, "not posted");
}

static void edit_done(void *arg, int st)
{
	struct post_wait *w = arg;
	struct post *p = w->p;
	char why[256];

	free(w);
	if (!p)
		return;   /* the command ended meanwhile (Ctrl-C) */
	p->wait = NULL;
	struct cmdctx *ctx = p->op->o.ctx;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* Keep what the file holds by now. */
		free(p->art);
		p->art = NULL;
		if (read_file(p->tmp, &p->art, &p->art_len) < 0) {
			p->art = xstrdup("");
			p->art_len = 0;
		}
		snprintf(why, sizeof(why), "the editor failed (%s %d); nothing posted",
		         WIFEXITED(st) ? "exit status" : "signal",
		         WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		post_fail_keep(p, ERR_LOCAL, why);
		return;
	}
	free(p->art);
	p->art = NULL;
	if (read_file(p->tmp, &p->art, &p->art_len) < 0) {
		op_finish(&p->op->o, cmd_error(ctx, ERR_LOCAL, "cannot read %s: %s", p->tmp,
		                               strerror(errno)));
		return;
	}
	if (p->art_len == p->tmpl_len && memcmp(p->art, p->tmpl, p->art_len) == 0) {
		op_finish(&p->op->o, cmd_error(ctx, ERR_FAIL, "the article was not "
		                               "changed: nothing posted"));
		return;
	}
	if (post_ready_article(p, why, sizeof(why)) < 0) {
		struct post_wait *w2 = xcalloc(1, sizeof(*w2));
		char *q = xasprintf("%s. Edit again? [Y/n] ", why);
		w2->p = p;
		p->wait = w2;
		bool asked = cmd_ask(ctx, q, edit_again, w2);
		free(q);
		if (asked)
			return;
		p->wait = NULL;
		free(w2);
		post_fail_keep(p, ERR_USAGE, why);
		return;
	}
	post_send(p);
}

/* edit_start from a callback: a failure ends the command. */
static void edit_restart(struct post *p)
{
	int err = edit_start(p);

	if (err < 0)
		post_fail_keep(p, err, "cannot start the editor");
}

/* Run the editor on p->tmp; its end goes to edit_done.  0, or ERR_LOCAL
 * (printed) when it could not start. */
static int edit_start(struct post *p)
{
	/* $EDITOR may carry words of its own ("emacs -nw"), as in a shell. */
	char *argv[] = { "/bin/sh", "-c", "exec ${EDITOR:-vi} \"$1\"", "sh", p->tmp, NULL };
	struct post_wait *w = xcalloc(1, sizeof(*w));

	w->p = p;
	p->wait = w;
	ui_flush();
	int err = cmd_run_program(p->op->o.ctx, argv, edit_done, w);
	if (err < 0) {
		p->wait = NULL;
		free(w);
	}
	return err;
}

/* Write the template to a new temporary file and edit it: 0, or the
 * error (printed). */
static int edit_first(struct post *p, const char *tmpl, size_t len)
{
	struct cmdctx *ctx = p->op->o.ctx;
	const char *dir = getenv("TMPDIR"), *ed = getenv("EDITOR");
	int fd;

	/* vi without a terminal would wait for ever (a script, a pipe). */
	if ((!ed || !*ed) && !isatty(STDIN_FILENO))
		return cmd_error(ctx, ERR_USAGE, "no terminal for vi and $EDITOR is not set; "
		                 "set EDITOR or give post a FILE");

	if (!dir || dir[0] != '/')
		dir = "/tmp";
	p->tmp = xasprintf("%s/ferry-article-XXXXXX", dir);
	fd = mkstemp(p->tmp);
	if (fd < 0) {
		int e = errno;
		free(p->tmp);
		p->tmp = NULL;
		return cmd_error(ctx, ERR_LOCAL, "cannot make a file in %s: %s", dir,
		                 strerror(e));
	}
	bool wrote = write(fd, tmpl, len) == (ssize_t)len;
	int e = errno;
	if (close(fd) < 0 && wrote) {
		wrote = false;
		e = errno;
	}
	if (!wrote)
		return cmd_error(ctx, ERR_LOCAL, "cannot write %s: %s", p->tmp, strerror(e));
	p->tmpl = xmalloc(len + 1);
	memcpy(p->tmpl, tmpl, len);
	p->tmpl_len = len;
	/* From run() too: a failure is returned, never finished here. */
	return edit_start(p);
}

/* From: nntp:from, else "NAME <USER@HOST>" from $NAME (or the passwd
 * entry's full name) and $USER (or the login name). */
static void from_line(const struct session *s, struct buf *b)
{
	const char *from = config_str(s->cfg, "nntp:from");
	const char *name = getenv("NAME"), *user = getenv("USER");
	struct passwd *pw = NULL;
	char host[256] = "localhost";

	if (from && *from) {
		buf_appendf(b, "From: %s\n", from);
		return;
	}
	if (!user || !*user || !name || !*name)
		pw = getpwuid(getuid());
	if ((!user || !*user) && pw)
		user = pw->pw_name;
	if ((!name || !*name) && pw && pw->pw_gecos && *pw->pw_gecos) {
		static char gecos[256];
		snprintf(gecos, sizeof(gecos), "%.*s", (int)strcspn(pw->pw_gecos, ","),
		         pw->pw_gecos);
		name = gecos;
	}
	/* The mail domain Debian keeps, else the host's name (no lookup:
	 * the loop must not wait on a name server). */
	int fd = open("/etc/mailname", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, host, sizeof(host) - 1) : -1;
	if (fd >= 0)
		close(fd);
	host[got > 0 ? got : 0] = '\0';
	host[strcspn(host, " \t\r\n")] = '\0';
	if (!host[0] && gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (name && *name) {
		/* A display name with specials goes in quotes (RFC 5322). */
		bool quote = strpbrk(name, "()<>[]:;@\\,.\"") != NULL;
		if (quote) {
			buf_appendstr(b, "From: \"");
			for (const char *c = name; *c; c++)
				if (*c != '"' && *c != '\\')
					buf_append(b, c, 1);
			buf_appendf(b, "\" <%s@%s>\n", user ? user : "nobody", host);
		} else {
			buf_appendf(b, "From: %s <%s@%s>\n", name, user ? user : "nobody", host);
		}
	} else {
		buf_appendf(b, "From: %s@%s\n", user ? user : "nobody", host);
	}
}

/* ---- post [FILE] ---------------------------------------------------------- */

int nntp_run_post(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	char why[256];

	if (n->state == NS_READY && !posting_allowed(n))
		return no_posting(ctx);
	if (ctx->argc > 1) {
		const char *file = ctx->argv[1];
		struct nop *op = nop_new(ctx, xstrdup("POST"), NR_CONT | NR_AUTH_RETRY,
		                         post_cont);
		struct post *p = post_new(op);
		if (read_file(file, &p->art, &p->art_len) < 0) {
			int e = errno;
			op_start(&op->o, ERR_LOCAL);
			return cmd_error(ctx, ERR_LOCAL, "cannot read %s: %s", file,
			                 e == EFBIG ? "larger than 1 MiB" : strerror(e));
		}
		if (post_ready_article(p, why, sizeof(why)) < 0) {
			op_start(&op->o, ERR_USAGE);
			return cmd_error(ctx, ERR_USAGE, "%s: %s; nothing posted", file, why);
		}
		op->what = "article";
		return nop_go(op);
	}
	if (ctx->on_error)
		return cmd_error(ctx, ERR_USAGE, "composing needs the foreground; "
		                 "use post FILE in the background");
	struct buf t;
	buf_init(&t, 64 * 1024);
	from_line(ctx->sess, &t);
	buf_appendf(&t, "Newsgroups: %s\nSubject: \n\n", n->group ? n->group : "");
	struct nop *op = nop_new(ctx, xstrdup("POST"), NR_CONT | NR_AUTH_RETRY, post_cont);
	struct post *p = post_new(op);
	int err = edit_first(p, buf_peek(&t), buf_avail(&t));
	buf_clear(&t);
	return op_start(&op->o, err);
}

/* ---- followup N|<message-id> --------------------------------------------- */

/* The body of an article decoded to UTF-8 (quoted-printable, base64, its
 * charset) for quoting. */
static void body_decoded(const char *head, size_t hlen, const char *body, size_t blen,
                         struct buf *out)
{
	struct nntp_span ct = { "", 0 }, cte = { "", 0 };
	struct buf tmp;

	buf_init(&tmp, POST_MAX);
	npost_header_get(head, hlen, "Content-Type", &ct);
	npost_header_get(head, hlen, "Content-Transfer-Encoding", &cte);
	if (cte.len == 16 && strncasecmp(cte.p, "quoted-printable", 16) == 0)
		(void)nmime_qp_decode(body, blen, &tmp);
	else if (cte.len == 6 && strncasecmp(cte.p, "base64", 6) == 0)
		(void)nmime_b64_decode(body, blen, &tmp);
	else
		(void)buf_append(&tmp, body, blen);
	const char *cs = NULL;
	for (size_t i = 0; i + 8 <= ct.len; i++)
		if (strncasecmp(ct.p + i, "charset=", 8) == 0) {
			cs = ct.p + i + 8;
			break;
		}
	if (cs) {
		const char *e = ct.p + ct.len;
		if (cs < e && *cs == '"')
			cs++;
		size_t cl = 0;
		while (cs + cl < e && !strchr("\"; \t\r\n", cs[cl]))
			cl++;
		if (nmime_to_utf8(cs, cl, buf_peek(&tmp), buf_avail(&tmp), out) == 0) {
			buf_clear(&tmp);
			return;
		}
	}
	(void)buf_append(out, buf_peek(&tmp), buf_avail(&tmp));
	buf_clear(&tmp);
}

/* The decoded value of a header field (RFC 2047), or def. */
static void field_decoded(const char *head, size_t hlen, const char *name,
                          const char *def, struct buf *out)
{
	struct nntp_span v;

	if (!npost_header_get(head, hlen, name, &v) ||
	    nmime_decode_header(v.p, v.len, out) < 0)
		buf_appendstr(out, def);
}

/* The template of a followup to art[0..len) whose header is hlen bytes,
 * into $EDITOR, posted to groups.  0 (the editor runs) or the error
 * (printed). */
static int followup_compose(struct post *p, const char *art, size_t len, size_t hlen,
                            struct nntp_span groups)
{
	struct nop *op = p->op;
	struct nntp_span id, refs = { "", 0 };
	long boff = npost_body_offset(art, len);

	npost_header_get(art, hlen, "Message-ID", &id);
	struct buf t, v;
	buf_init(&t, 2 * POST_MAX);
	buf_init(&v, POST_MAX);
	from_line(op->o.s, &t);
	buf_appendf(&t, "Newsgroups: %.*s\n", (int)groups.len, groups.p);
	field_decoded(art, hlen, "Subject", "", &v);
	buf_appendstr(&t, "Subject: ");
	npost_subject_re(buf_peek(&v), buf_avail(&v), &t);
	buf_appendstr(&t, "\n");
	npost_header_get(art, hlen, "References", &refs);
	buf_appendstr(&t, "References: ");
	npost_references(refs.p, refs.len, id.p, id.len, &t);
	buf_appendstr(&t, "\n\n");
	buf_reset(&v);
	field_decoded(art, hlen, "From", "somebody", &v);
	buf_appendf(&t, "%.*s wrote:\n", (int)buf_avail(&v), buf_peek(&v));
	buf_reset(&v);
	if (boff >= 0)
		body_decoded(art, hlen, art + boff, len - (size_t)boff, &v);
	npost_quote(buf_peek(&v), buf_avail(&v), &t);
	buf_appendstr(&t, "\n");
	buf_clear(&v);
	int err = edit_first(p, buf_peek(&t), buf_avail(&t));
	buf_clear(&t);
	return err;
}

/* Where the author of art asked for replies by mail: Reply-To, else
 * From, decoded (not escaped). */
static void followup_mail_to(const char *art, size_t hlen, struct buf *out)
{
	struct nntp_span v;

	if (npost_header_get(art, hlen, "Reply-To", &v) && v.len)
		field_decoded(art, hlen, "Reply-To", "", out);
	else
		field_decoded(art, hlen, "From", "(no address given)", out);
}

/* The answer to "post to the group anyway?" for a Followup-To: poster. */
static void followup_anyway(void *arg, const char *answer)
{
	struct post_wait *w = arg;
	struct post *p = w->p;
	char *art = w->parent;
	size_t len = w->parent_len;

	free(w);
	if (p) {
		p->wait = NULL;
		long boff = npost_body_offset(art, len);
		size_t hlen = boff < 0 ? len : (size_t)boff;
		struct nntp_span groups;
		int err;
		if (!answer)
			err = ERR_INTR;
		else if (answer[0] != 'y' && answer[0] != 'Y')
			err = cmd_error(p->op->o.ctx, ERR_FAIL, "nothing posted (the author "
			                "asked for replies by mail)");
		else if (!npost_header_get(art, hlen, "Newsgroups", &groups) || !groups.len)
			err = cmd_error(p->op->o.ctx, ERR_PROTO, "the article has no Newsgroups");
		else
			err = followup_compose(p, art, len, hlen, groups);
		if (err < 0)
			op_finish(&p->op->o, err);
	}
	free(art);
}

/* Followup-To: poster: the author asked for replies by mail, which ferry
 * cannot send.  At a terminal the user may post to the group anyway;
 * elsewhere the followup is refused (status 1), the address named. */
static int followup_poster(struct post *p, const char *art, size_t len, size_t hlen)
{
	struct cmdctx *ctx = p->op->o.ctx;
	struct buf to;

	buf_init(&to, POST_MAX);
	followup_mail_to(art, hlen, &to);
	buf_append(&to, "", 1);
	char *esc = ui_escape_str(buf_peek(&to), strlen(buf_peek(&to)));
	char *q = xasprintf("The author asked for replies by mail, to %s "
	                    "(Followup-To: poster). Post to the group anyway? [y/N] ", esc);
	struct post_wait *w = xcalloc(1, sizeof(*w));
	w->p = p;
	w->parent = xmalloc(len + 1);
	memcpy(w->parent, art, len);
	w->parent_len = len;
	p->wait = w;
	bool asked = cmd_ask(ctx, q, followup_anyway, w);
	free(q);
	free(esc);
	int err = 0;
	if (!asked) {
		p->wait = NULL;
		free(w->parent);
		free(w);
		err = cmd_error(ctx, ERR_FAIL, "the author asked for replies by mail, to %s "
		                "(Followup-To: poster); ferry does not send mail; nothing posted",
		                buf_peek(&to));
	}
	buf_clear(&to);
	return err;
}

static void followup_article(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct post *p = op->ext;
	struct cmdctx *ctx = op->o.ctx;
	struct nntp_span id, groups;
	bool poster;

	op->rq = NULL;
	if (err < 0 || r->code != 220) {
		nop_fail_missing(op, err, r, 430, "no such article");
		return;
	}
	const char *art = r->block ? r->block : "";
	size_t len = r->block_len;
	long boff = npost_body_offset(art, len);
	size_t hlen = boff < 0 ? len : (size_t)boff;
	if (!npost_header_get(art, hlen, "Message-ID", &id) ||
	    !nntp_msgid_valid(id.p, id.len)) {
		op_finish(&op->o, cmd_error(ctx, ERR_PROTO, "the article has no valid "
		                            "Message-ID to refer to"));
		return;
	}
	if (!npost_followup_groups(art, hlen, &groups, &poster)) {
		op_finish(&op->o, cmd_error(ctx, ERR_PROTO, "the article has no Newsgroups"));
		return;
	}
	err = poster ? followup_poster(p, art, len, hlen)
	             : followup_compose(p, art, len, hlen, groups);
	if (err < 0)
		op_finish(&op->o, err);
}

int nntp_run_followup(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	char *line;
	bool by_msgid;
	int err;

	if (n->state == NS_READY && !posting_allowed(n))
		return no_posting(ctx);
	if (ctx->on_error)
		return cmd_error(ctx, ERR_USAGE, "followup needs the foreground (an editor)");
	err = nop_article_arg(ctx, "ARTICLE", &line, &by_msgid);
	if (err < 0)
		return err;
	struct nop *op = nop_new(ctx, line, NR_COLLECT | NR_AUTH_RETRY, followup_article);
	op->by_msgid = by_msgid;
	op->what = "article";
	post_new(op);
	return nop_go(op);
}
