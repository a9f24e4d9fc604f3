/* fuzz_pp_nntp.c - the line layer in PP_NNTP style, fed by a fake server.
 *
 * Input: see fuzz_pp.h (7 header bytes, then the server's bytes).  sel:
 *   bits 0-4  first command of the table below (commands cycle from there)
 *   bit  5    collect blocks (pp_cmd.collect) instead of streaming them
 *   bits 6-7  on_line aborts the block after 0 (never), 1, 3 or 100 lines
 * want_block is chosen per command as nntp.c does (nntp_block_code), so
 * 211 after GROUP is a status line and after LISTGROUP a block.  A 340 to
 * POST is answered with a dot-stuffed article (pp_send_raw) and a
 * pp_expect.  Status lines, collected CAPABILITIES and OVER blocks, and
 * every streamed line go through the nntp_parse.c parsers.
 */
#include "fuzz_pp.h"

#include "nntp.h"

static const char *const cmds[] = {
	"ARTICLE 1", "HEAD 1", "BODY <a@b>", "STAT 1", "GROUP misc.test",
	"LISTGROUP misc.test", "LIST ACTIVE", "LIST OVERVIEW.FMT", "OVER 1-10",
	"XOVER 1-", "HDR Subject 1-", "XHDR Subject 1-",
	"NEWNEWS * 20240101 000000", "NEWGROUPS 20240101 000000", "HELP",
	"CAPABILITIES", "DATE", "MODE READER", "NEXT", "LAST", "POST", "XFOO",
	"AUTHINFO USER u", "XGTITLE misc.*", "STARTTLS", "QUIT",
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))
#define POST_BODY (-1)
#define MAX_CTX (8 + FZ_MAX_RESEND + 80)

struct nctx {
	struct fz_nntp *n;
	int idx;          /* index in cmds, or POST_BODY */
	unsigned lines;   /* streamed lines seen */
};

struct fz_nntp {
	struct fz_pp f;   /* first: fz_pp_run's callbacks get &n->f */
	struct nctx ctx[MAX_CTX];
	unsigned nctx;
};


static void check_over(const char *line, size_t len)
{
	struct nntp_over o;
	struct nntp_span v;

	if (nntp_parse_over(line, len, &o) < 0)
		return;
	for (int i = 0; i < NNTP_OV_NFIELDS; i++)
		FZ_CHECK(o.f[i].p >= line && o.f[i].p + o.f[i].len <= line + len);
	if (nntp_over_extra(&o, "Xref", &v))
		FZ_CHECK(v.p >= line && v.p + v.len <= line + len);
}

static bool send_next(struct fz_pp *f);

static int on_line(void *arg, const char *line, size_t len)
{
	static const unsigned abort_after[] = { 0, 1, 3, 100 };
	struct nctx *x = arg;
	unsigned lim = abort_after[x->n->f.sel >> 6];

	FZ_CHECK(!x->n->f.freed);
	FZ_CHECK(len <= PP_MAX_BLOCK_LINE);
	FZ_CHECK(line[len] == '\0' && strlen(line) == len);
	check_over(line, len);
	x->lines++;
	/* Free, cancel or a nested loop from inside a block, too. */
	if (!fz_pp_actions(&x->n->f, x->n->f.pp, false, send_next))
		return 0;
	if (lim && x->lines >= lim)
		return ERR_LOCAL;
	return 0;
}

static void on_done(struct pp *pp, int err, const struct pp_reply *r, void *arg);

static struct nctx *new_ctx(struct fz_nntp *n, int idx)
{
	struct nctx *x;

	FZ_CHECK(n->nctx < MAX_CTX);
	x = &n->ctx[n->nctx++];
	x->n = n;
	x->idx = idx;
	x->lines = 0;
	return x;
}

static bool send_next(struct fz_pp *f)
{
	struct fz_nntp *n = (struct fz_nntp *)f;
	size_t i = ((f->sel & 31) + f->nsent++) % NCMDS;
	struct pp_cmd c = { 0 };
	int rc;

	c.done = on_done;
	c.arg = new_ctx(n, (int)i);
	c.want_block = nntp_want_block_for(cmds[i]);
	if (f->sel & 0x20)
		c.collect = true;
	else
		c.on_line = on_line;
	rc = pp_send(f->pp, cmds[i], &c);
	FZ_CHECK(rc > 0 || rc == ERR_NET);
	if (pp_failed(f->pp))
		FZ_CHECK(rc == ERR_NET);
	return rc > 0;
}

/* What nntp.c does with a status line and a collected block. */
static void parse_reply(const struct pp_reply *r)
{
	struct nntp_group g;
	struct nntp_span id;
	struct nntp_caps caps;
	uint64_t num;
	char date[20];

	/* pp's idea of a status line and nntp_parse.c's must agree. */
	FZ_CHECK(nntp_status_code(r->text, r->len) == r->code);
	switch (r->code) {
	case 211:
		if (nntp_parse_group(r->text, r->len, &g) == 0) {
			FZ_CHECK(g.name.p >= r->text &&
			         g.name.p + g.name.len <= r->text + r->len);
			FZ_CHECK(!g.empty || g.count == 0);
		}
		break;
	case 220: case 221: case 222: case 223:
		if (nntp_parse_article_status(r->text, r->len, &num, &id) == 0)
			FZ_CHECK(nntp_msgid_valid(id.p, id.len));
		break;
	case 111:
		if (nntp_parse_date(r->text, r->len, date, sizeof(date)) == 0)
			FZ_CHECK(strlen(date) == 19);
		break;
	}
	if (r->block && r->code == 101)
		nntp_parse_caps(r->block, r->block_len, &caps);
	if (r->block && r->code == 224) {
		const char *p = r->block, *end = r->block + r->block_len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			FZ_CHECK(nl);
			check_over(p, (size_t)(nl - p));
			p = nl + 1;
		}
	}
}

static const char article[] =
	"From: fuzz <f@example.org>\r\nNewsgroups: misc.test\r\n"
	"Subject: t\r\n\r\n..stuffed\r\n.\r\n";

static void on_done(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct nctx *x = arg;
	struct fz_nntp *n = x->n;

	FZ_CHECK(pp == n->f.pp && !n->f.freed);
	FZ_CHECK((err == 0) == (r != NULL));
	if (r) {
		fz_pp_check_reply(&n->f, r);
		parse_reply(r);
		if (r->code == 340 && x->idx >= 0 && !strcmp(cmds[x->idx], "POST")) {
			struct pp_cmd c = { .done = on_done,
			                    .arg = new_ctx(n, POST_BODY) };
			int rc = pp_send_raw(pp, article, sizeof(article) - 1);

			FZ_CHECK(rc == 0 || rc == ERR_NET);
			if (rc == 0)
				FZ_CHECK(pp_expect(pp, &c) > 0);
		}
	}
	fz_pp_actions(&n->f, pp, true, send_next);
}

static void on_unsolicited(struct pp *pp, const struct pp_reply *r, void *arg)
{
	struct fz_pp *f = arg;

	FZ_CHECK(pp == f->pp && !f->freed);
	fz_pp_check_reply(f, r);
	parse_reply(r);
	fz_pp_actions(f, pp, true, send_next);
}

static void start(struct fz_pp *f)
{
	static const unsigned ncmd[] = { 1, 2, 3, 6 };
	struct fz_nntp *n = (struct fz_nntp *)f;
	unsigned k = ncmd[(f->flags >> 3) & 3];

	if (f->flags & 4) {
		struct pp_cmd c = { .done = on_done, .arg = new_ctx(n, POST_BODY) };

		FZ_CHECK(pp_expect(f->pp, &c) > 0);
	}
	for (unsigned i = 0; i < k; i++)
		send_next(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_nntp n;

	memset(&n, 0, sizeof(n));
	if (!fz_pp_decode(&n.f, data, size))
		return 0;
	fz_pp_run(&n.f, PP_NNTP, start, on_unsolicited);
	return 0;
}
