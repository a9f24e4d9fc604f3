/* test_cmd.c - command lookup by name and prefix, and routing of protocol
 * commands to sessions (no network: sessions are created, not connected). */
#include <stdlib.h>
#include <string.h>

#include "cu_main.h"
#include "builtin.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "ev.h"
#include "ftp.h"
#include "nntp.h"
#include "proto.h"
#include "session.h"
#include "shell.h"

static int nop(struct cmdctx *ctx) { (void)ctx; return 0; }

static const struct cmd_def tab[] = {
	{ "get", "", "", "", 0, 0, nop },
	{ "group", "", "", "", 0, 0, nop },
	{ "groups", "", "", "", 0, 0, nop },
	{ "put", "", "", "", 0, 0, nop },
};

static void test_lookup(void)
{
	bool amb;
	CU_ASSERT_PTR_EQUAL(cmd_lookup(tab, 4, "get", &amb), &tab[0]);
	CU_ASSERT_PTR_EQUAL(cmd_lookup(tab, 4, "pu", &amb), &tab[3]);
	CU_ASSERT_PTR_NULL(cmd_lookup(tab, 4, "g", &amb));
	CU_ASSERT_TRUE(amb);
	/* an exact name wins over being a prefix of another */
	CU_ASSERT_PTR_EQUAL(cmd_lookup(tab, 4, "group", &amb), &tab[1]);
	CU_ASSERT_PTR_EQUAL(cmd_lookup(tab, 4, "gro", &amb), NULL);
	CU_ASSERT_PTR_NULL(cmd_lookup(tab, 4, "zz", &amb));
	CU_ASSERT_FALSE(amb);
	CU_ASSERT_PTR_NULL(cmd_lookup(tab, 4, "", &amb));
}

static void test_resolve(void)
{
	bool sh, amb;
	const struct cmd_def *d = cmd_resolve("sessions", &sh, &amb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_TRUE(sh);
	d = cmd_resolve("sess", &sh, &amb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->name, "sessions");
	d = cmd_resolve("ls", &sh, &amb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_FALSE(sh);
	d = cmd_resolve("group", &sh, &amb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->name, "group");
	CU_ASSERT_PTR_NULL(cmd_resolve("nosuchcommand", &sh, &amb));
}

static void test_route(void)
{
	struct shell sh = { 0 };
	struct session *ftp, *news, *ftp2, *s;
	const char *why = NULL;

	sh.ev = ev_new();
	sh.cfg = config_new();
	sh.reg = session_reg_new(sh.ev, sh.cfg);
	setenv("HOME", "/nonexistent", 1); /* no ~/.netrc */

	/* No session: a message naming the open to type. */
	CU_ASSERT_PTR_NULL(cmd_route(sh.reg, "group", &why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "open nntp://"));

	CU_ASSERT_EQUAL(session_create(sh.reg, "ftp://127.0.0.1:2121/pub", "lab-ftp", &ftp, &why), 0);
	CU_ASSERT_EQUAL(session_create(sh.reg, "nntp://127.0.0.1:1119", "lab-news", &news, &why), 0);
	/* open focuses: the news session is focused now */
	CU_ASSERT_PTR_EQUAL(session_focus(sh.reg), news);
	CU_ASSERT_PTR_EQUAL(cmd_route(sh.reg, "group", &why), news);
	/* ls is not NNTP: goes to the most recent FTP session */
	CU_ASSERT_PTR_EQUAL(cmd_route(sh.reg, "ls", &why), ftp);

	session_set_focus(sh.reg, ftp);
	CU_ASSERT_PTR_EQUAL(cmd_route(sh.reg, "ls", &why), ftp);
	CU_ASSERT_PTR_EQUAL(cmd_route(sh.reg, "group", &why), news);

	/* Two FTP sessions: the most recently used one gets `get`. */
	CU_ASSERT_EQUAL(session_create(sh.reg, "ftp://127.0.0.2", NULL, &ftp2, &why), 0);
	CU_ASSERT_STRING_EQUAL(ftp2->name, "127.0.0.2");
	session_set_focus(sh.reg, news);
	ftp->last_used_ms = 1000000;
	ftp2->last_used_ms = 5;
	CU_ASSERT_PTR_EQUAL(cmd_route(sh.reg, "get", &why), ftp);

	/* names and ids */
	CU_ASSERT_PTR_EQUAL(session_find(sh.reg, "lab-news"), news);
	s = session_find(sh.reg, "1");
	CU_ASSERT_PTR_EQUAL(s, ftp);
	CU_ASSERT_PTR_NULL(session_find(sh.reg, "nope"));
	/* duplicate and bad names are refused */
	CU_ASSERT_EQUAL(session_create(sh.reg, "ftp://h", "lab-ftp", &s, &why), ERR_USAGE);
	CU_ASSERT_EQUAL(session_create(sh.reg, "ftp://h", "123", &s, &why), ERR_USAGE);
	CU_ASSERT_EQUAL(session_create(sh.reg, "gopher://h", NULL, &s, &why), ERR_USAGE);
	/* default names are made unique */
	CU_ASSERT_EQUAL(session_create(sh.reg, "ftp://127.0.0.2:21", NULL, &s, &why), 0);
	CU_ASSERT_STRING_EQUAL(s->name, "127.0.0.2-2");
	/* a default name made from a host with a bidi override and a C1
	 * control is printable: it prefixes every message */
	CU_ASSERT_EQUAL(session_create(sh.reg, "ftp://ev\xe2\x80\xaeil\xc2\x9b", NULL,
	                               &s, &why), 0);
	CU_ASSERT_STRING_EQUAL(s->name, "ev\\u{202e}il\\u{009b}");

	/* TLS policy: scheme first, setting for plain schemes */
	CU_ASSERT_EQUAL(ftp->tls, TLS_AUTO);
	CU_ASSERT_EQUAL(session_create(sh.reg, "ftpes://h1", NULL, &s, &why), 0);
	CU_ASSERT_EQUAL(s->tls, TLS_REQUIRE);
	CU_ASSERT_EQUAL(s->port, 21);
	CU_ASSERT_EQUAL(session_create(sh.reg, "ftps://h2", NULL, &s, &why), 0);
	CU_ASSERT_EQUAL(s->tls, TLS_IMPLICIT);
	CU_ASSERT_EQUAL(s->port, 990);
	CU_ASSERT_EQUAL(session_create(sh.reg, "nntps://h3", NULL, &s, &why), 0);
	CU_ASSERT_EQUAL(s->port, 563);
	CU_ASSERT_EQUAL(config_set(sh.cfg, "nntp:tls", "require", &why), 0);
	CU_ASSERT_EQUAL(session_create(sh.reg, "news://h4", NULL, &s, &why), 0);
	CU_ASSERT_EQUAL(s->tls, TLS_REQUIRE);
	CU_ASSERT_EQUAL(s->port, 119);

	session_reg_free(sh.reg);
	config_free(sh.cfg);
	ev_free(sh.ev);
}

static void test_config(void)
{
	struct config *c = config_new();
	const char *why;
	CU_ASSERT_EQUAL(config_int(c, "net:timeout"), 60);
	CU_ASSERT_EQUAL(config_set(c, "net:timeout", "5", &why), 0);
	CU_ASSERT_EQUAL(config_int(c, "net:timeout"), 5);
	CU_ASSERT_EQUAL(config_set(c, "net:timeout", "x", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(c, "net:timeout", "0", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(c, "xfer:clobber", "yes", &why), 0);
	CU_ASSERT_TRUE(config_bool(c, "xfer:clobber"));
	CU_ASSERT_STRING_EQUAL(config_value_text(c, "xfer:clobber"), "on");
	CU_ASSERT_EQUAL(config_set(c, "ftp:tls", "maybe", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(c, "no:such", "1", &why), ERR_USAGE);
	static const char sha[] = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
	                          "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
	CU_ASSERT_EQUAL(config_set(c, "tls:fingerprint", sha, &why), 0);
	char *fp = config_take(c, "tls:fingerprint");
	CU_ASSERT_STRING_EQUAL(fp, sha);
	free(fp);
	CU_ASSERT_PTR_NULL(config_take(c, "tls:fingerprint"));
	config_free(c);
}

void cu_register(void)
{
	/* What main.c, the composition root, does. */
	proto_register(&ftp_proto);
	proto_register(&nntp_proto);
	CU_pSuite s = CU_add_suite("cmd", NULL, NULL);
	CU_add_test(s, "lookup and prefixes", test_lookup);
	CU_add_test(s, "resolve across tables", test_resolve);
	CU_add_test(s, "routing", test_route);
	CU_add_test(s, "settings", test_config);
}
