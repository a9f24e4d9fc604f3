/* fuzz_pp_ftp.c - the line layer in PP_FTP style, fed by a fake server.
 *
 * Input: see fuzz_pp.h (7 header bytes, then the server's bytes).  sel
 * picks the first command of the table below; commands cycle from there.
 * Each reply also goes through the FTP parser the client would use for
 * its code (227, 229, 257, 213, FEAT), as ftp.c does.
 */
#include "fuzz_pp.h"

#include "ftp.h"

static const struct {
	const char *line;
	int mask_from;
} cmds[] = {
	{ "USER anonymous", 0 }, { "PASS secret", 5 }, { "PWD", 0 },
	{ "EPSV", 0 }, { "PASV", 0 }, { "SIZE f", 0 }, { "MDTM f", 0 },
	{ "FEAT", 0 }, { "RETR f", 0 }, { "LIST", 0 }, { "CWD d", 0 },
	{ "MKD d", 0 }, { "NOOP", 0 }, { "TYPE I", 0 }, { "AUTH TLS", 0 },
	{ "QUIT", 0 },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void on_done(struct pp *pp, int err, const struct pp_reply *r, void *arg);

static bool send_next(struct fz_pp *f)
{
	struct pp_cmd c = { 0 };
	size_t i = (f->sel + f->nsent++) % NCMDS;
	int rc;

	c.done = on_done;
	c.arg = f;
	c.mask_from = cmds[i].mask_from;
	rc = pp_send(f->pp, cmds[i].line, &c);
	FZ_CHECK(rc > 0 || rc == ERR_NET);
	if (pp_failed(f->pp))
		FZ_CHECK(rc == ERR_NET);
	return rc > 0;
}

/* What the FTP code does with the text of a reply (ftp.c). */
static void parse_reply(const struct pp_reply *r)
{
	unsigned char addr[4];
	int port;
	char *s;
	uint64_t size;
	int64_t t;
	struct ftp_feat feat;

	switch (r->code) {
	case 227:
		if (ftp_parse_227(r->msg, &port, addr) == 0)
			FZ_CHECK(port >= 1 && port <= 65535);
		break;
	case 229:
		if (ftp_parse_229(r->msg, &port) == 0)
			FZ_CHECK(port >= 1 && port <= 65535);
		break;
	case 257:
		if (ftp_parse_257(r->msg, &s) == 0) {
			FZ_CHECK(*s);
			free(s);
		}
		break;
	case 213:
		if (ftp_parse_size(r->msg, &size) == 0)
			FZ_CHECK(size <= (uint64_t)INT64_MAX);
		if (ftp_parse_mdtm(r->msg, &t) == 0)
			FZ_CHECK(t >= 0);
		break;
	case 211:
		ftp_parse_feat(r->text, &feat);
		break;
	default:
		break;
	}
	(void)ftp_reply_err(r->code);
}

static void on_done(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct fz_pp *f = arg;

	FZ_CHECK(pp == f->pp && !f->freed);
	FZ_CHECK((err == 0) == (r != NULL));
	if (r) {
		fz_pp_check_reply(f, r);
		parse_reply(r);
	}
	fz_pp_actions(f, pp, r ? r->final : true, send_next);
}

static void on_unsolicited(struct pp *pp, const struct pp_reply *r, void *arg)
{
	struct fz_pp *f = arg;

	FZ_CHECK(pp == f->pp && !f->freed);
	fz_pp_check_reply(f, r);
	parse_reply(r);
	fz_pp_actions(f, pp, r->final, send_next);
}

static void start(struct fz_pp *f)
{
	static const unsigned ncmd[] = { 1, 2, 3, 6 };
	unsigned n = ncmd[(f->flags >> 3) & 3];

	if (f->flags & 4) {
		struct pp_cmd c = { .done = on_done, .arg = f };

		FZ_CHECK(pp_expect(f->pp, &c) > 0);
	}
	for (unsigned i = 0; i < n; i++)
		send_next(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_pp f;

	if (!fz_pp_decode(&f, data, size))
		return 0;
	fz_pp_run(&f, PP_FTP, start, on_unsolicited);
	return 0;
}
