/* nntp.c - NNTP: the login state machine, the session ops and following
 * the site on another connection.  Requests and AUTHINFO are in
 * nntp_req.c, the reader commands and the descriptor in nntp_cmds.c, the
 * parsers in nntp_parse.c (private declarations: nntp_int.h).
 *
 * Login: greeting -> CAPABILITIES -> [MODE READER -> CAPABILITIES] ->
 * [STARTTLS -> handshake -> CAPABILITIES] -> [AUTHINFO USER/PASS ->
 * CAPABILITIES] -> [COMPRESS DEFLATE -> CAPABILITIES] -> [GROUP (+ STAT)
 * to restore the location] -> ready.
 * Every step waits for its reply (no login step is marked NR_PIPE),
 * nothing is sent before the greeting, capabilities are forgotten and
 * re-read after each step that may change them (nothing from before TLS
 * is trusted), with nntp:tls require no AUTHINFO ever goes out before TLS
 * is up, and COMPRESS goes last, when the list read after TLS and login
 * offers it (RFC 8054).
 *
 * Requests: every command goes out as an nreq, which remembers its line so
 * that a 480 ("authentication required") can be answered by logging in and
 * sending the command once more.  nreqs are listed on the nntp state and
 * freed when their reply arrives, or all at once after pp_cancel_all()
 * (whose callbacks never come).  want_block callbacks never look at their
 * argument: pp calls them with NULL for cancelled commands, whose blocks
 * must still be read to stay in sync.
 *
 * Ctrl-C: the command's callbacks are cancelled and the rest of its reply
 * is read and discarded for up to CANCEL_DRAIN_MS; a reply that is still
 * arriving then (or when the next command starts), or one that had already
 * brought CANCEL_DRAIN_MAX bytes, costs the connection instead: the next
 * command reconnects and GROUP/STAT put the session back where it was.
 * A 3xx reply nobody asked for means the server waits for input we will
 * not send: the connection is shut down and re-made on next use.
 */
#include "nntp_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "config.h"
#include "conn.h"
#include "err.h"
#include "ev.h"
#include "log.h"
#include "pp.h"
#include "session.h"
#include "sink.h"
#include "ui.h"

static const char *const nstate_names[] = {
	[NS_DISCONNECTED] = "disconnected",
	[NS_GREETING] = "greeting",
	[NS_CAPABILITIES] = "capabilities",
	[NS_MODE_READER] = "mode-reader",
	[NS_STARTTLS] = "starttls",
	[NS_TLS_HANDSHAKE] = "tls-handshake",
	[NS_AUTH_USER] = "authinfo-user",
	[NS_AUTH_PASS] = "authinfo-pass",
	[NS_COMPRESS] = "compress",
	[NS_GROUP] = "group",
	[NS_READY] = "ready",
};

void nntp_state(struct nntp *n, enum nstate st)
{
	if (n->state != st)
		log_note(n->s->name, "nntp %s -> %s", nstate_names[n->state],
		         nstate_names[st]);
	n->state = st;
}

/* ---- login ------------------------------------------------------------------ */

/* Forget what the server said it can do (a step changed it); it is asked
 * again before the next step, unless it is too old to say. */
void nntp_caps_forget(struct nntp *n)
{
	memset(&n->caps, 0, sizeof(n->caps));
	n->has_caps = false;
	n->need_caps = !n->legacy;
}

static void login_step(struct nntp *n);

static void login_finish(struct nntp *n, int err)
{
	struct session *s = n->s;
	proto_done_fn done = n->login_done;
	void *arg = n->login_arg;

	n->login_done = NULL;
	n->login_arg = NULL;
	if (err < 0) {
		/* Nothing of ours may be called back after this. */
		if (s->pp)
			pp_cancel_all(s->pp);
		nreq_drop_all(n, err);
		nntp_state(n, NS_DISCONNECTED);
	} else {
		nntp_state(n, NS_READY);
	}
	if (done)
		done(s, err, arg);
}

/* Fail the login with "WHAT TEXT" as the reason, TEXT escaped. */
static void login_fail(struct nntp *n, int err, const char *what, const char *text)
{
	char *e = ui_escape_str(text, strlen(text));
	session_fail(n->s, err, "%s%s", what, e);
	free(e);
	login_finish(n, err);
}

static void login_send(struct nntp *n, const char *line, unsigned flags, nreq_fn fn)
{
	int err;

	if (!nreq_send(n, line, flags, fn, NULL, NULL, &err))
		login_fail(n, err, "", n->detail);
}

static void greeting_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;

	if (err < 0) {
		login_fail(n, err, "no greeting from the server: ", n->detail);
		return;
	}
	switch (r->code) {
	case 200:
	case 201:
		n->posting = r->code == 200;
		n->need_caps = true;
		login_step(n);
		return;
	case 400:
	case 502:
		login_fail(n, ERR_NET, "service not available: ", r->text);
		return;
	default:
		login_fail(n, ERR_PROTO, "unexpected greeting: ", r->text);
		return;
	}
}

static void caps_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;

	if (err < 0) {
		login_fail(n, err, "CAPABILITIES failed: ", n->detail);
		return;
	}
	n->need_caps = false;
	if (r->code == 101) {
		nntp_parse_caps(r->block ? r->block : "", r->block_len, &n->caps);
		n->has_caps = true;
		n->legacy = false;
	} else {
		/* 500 (unknown command) or 480 from a pre-RFC 3977 server:
		 * MODE READER, XOVER and friends. */
		memset(&n->caps, 0, sizeof(n->caps));
		n->has_caps = false;
		n->legacy = true;
		log_note(n->s->name, "no CAPABILITIES (%d): legacy server", r->code);
	}
	login_step(n);
}

static void mode_reader_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;

	if (err < 0) {
		login_fail(n, err, "MODE READER failed: ", n->detail);
		return;
	}
	n->mode_reader_done = true;
	if (r->code == 200 || r->code == 201) {
		n->posting = r->code == 200;
		/* RFC 3977 5.3: the capabilities change with the mode. */
		nntp_caps_forget(n);
	} else if (r->code == 502) {
		login_fail(n, ERR_NET, "reading service not available: ", r->text);
		return;
	}
	/* Anything else (500 from a server that is a reader anyway, 480):
	 * go on; commands will tell. */
	login_step(n);
}

static void tls_handshake_done(struct conn *c, int err, void *arg)
{
	struct nntp *n = arg;

	if (err < 0) {
		login_fail(n, ERR_TLS, "TLS negotiation failed: ", conn_error(c));
		return;
	}
	log_note(n->s->name, "TLS: %s", conn_tls_desc(c));
	/* RFC 4642 2.2.2: forget everything learnt before TLS, even that
	 * the server was too old for CAPABILITIES. */
	n->legacy = false;
	nntp_caps_forget(n);
	login_step(n);
}

static void starttls_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;
	struct session *s = n->s;

	if (err < 0) {
		login_fail(n, err, "STARTTLS failed: ", n->detail);
		return;
	}
	n->tls_tried = true;
	if (r->code != 382) {
		if (s->tls == TLS_REQUIRE) {
			login_fail(n, ERR_TLS, "the server refused STARTTLS: ", r->text);
			return;
		}
		/* It offered TLS and then refused it: do not let that put a
		 * password on the wire in clear. */
		if (s->user) {
			login_fail(n, ERR_TLS, "the server offered STARTTLS but refused "
			           "it (set nntp:tls off to log in without TLS): ", r->text);
			return;
		}
		char *e = ui_escape_str(r->text, r->len);
		ui_error("%s: warning: STARTTLS refused (%s); going on without TLS", s->name, e);
		free(e);
		login_step(n);
		return;
	}
	struct tls_params tp;
	session_tls_params(s, &tp);
	nntp_state(n, NS_TLS_HANDSHAKE);
	err = conn_tls_start(s->conn, &tp, tls_handshake_done, n);
	if (err < 0)
		login_fail(n, err == ERR_PROTO ? ERR_PROTO : ERR_TLS,
		           "cannot start TLS: ", conn_error(s->conn));
}

static void auth_login_done(struct nntp *n, int err, void *arg)
{
	(void)arg;
	if (err < 0) {
		login_fail(n, err, err == ERR_TLS ? "" : "login refused: ", n->detail);
		return;
	}
	login_step(n);
}

static void compress_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;
	struct session *s = n->s;

	if (err < 0) {
		login_fail(n, err, "COMPRESS failed: ", n->detail);
		return;
	}
	if (r->code != 206) {
		/* 403 (cannot), 502 (not permitted): go on without. */
		char *e = ui_escape_str(r->text, r->len);
		log_note(s->name, "COMPRESS refused: %s", e);
		free(e);
		login_step(n);
		return;
	}
	/* RFC 8054 2.2.2: compressed from the byte after this reply on. */
	err = conn_compress_start(s->conn);
	if (err < 0) {
		login_fail(n, err, "cannot start COMPRESS: ", conn_error(s->conn));
		return;
	}
	log_note(s->name, "COMPRESS DEFLATE on");
	nntp_caps_forget(n);
	login_step(n);
}

static void restore_stat_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;
	uint64_t num;
	struct nntp_span id;

	if (err < 0) {
		login_fail(n, err, "STAT failed: ", n->detail);
		return;
	}
	if (r->code == 223 && nntp_parse_article_status(r->text, strlen(r->text),
	                                                &num, &id) == 0 && num) {
		n->cur = num;
		n->have_cur = true;
	}
	login_step(n);
}

static void restore_group_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;
	struct session *s = n->s;
	struct nntp_group g;
	bool first = n->restore_first;

	if (err < 0) {
		login_fail(n, err, "GROUP failed: ", n->detail);
		return;
	}
	if (r->code == 211 && nntp_parse_group(r->text, strlen(r->text), &g) == 0) {
		uint64_t want = n->cur;
		bool had = n->have_cur;
		char *name = xstrdup(n->group);
		nntp_set_group(n, name, &g);
		free(name);
		if (had && want != n->cur && !g.empty) {
			char line[64];
			snprintf(line, sizeof(line), "STAT %" PRIu64, want);
			login_send(n, line, 0, restore_stat_done);
			return;
		}
		login_step(n);
		return;
	}
	char *e = ui_escape_str(r->text, strlen(r->text));
	char *g_esc = ui_escape_str(n->group, strlen(n->group));
	if (first) {
		int code = r->code == 211 ? ERR_PROTO : nntp_code_err(r->code);
		session_fail(s, code, "cannot select %s: %s", g_esc, e);
		free(n->group);
		n->group = NULL;
		n->have_cur = false;
		free(e);
		free(g_esc);
		login_finish(n, code);
		return;
	}
	/* The group went away while we were disconnected: go on without. */
	ui_error("%s: warning: group %s is no longer available: %s", s->name, g_esc, e);
	free(e);
	free(g_esc);
	free(n->group);
	n->group = NULL;
	n->have_cur = false;
	login_step(n);
}

/* The group (and article) in s->start_path: "group", "group/N".  A
 * message-id ("news:abc@host") selects nothing. */
static void take_start_path(struct nntp *n)
{
	const char *p = n->s->start_path;
	n->start_done = true;
	if (!p || !*p || strchr(p, '@'))
		return;
	size_t len = strcspn(p, "/");
	if (!nntp_group_valid(p, len)) {
		ui_error("%s: warning: ignoring group in URL: not a valid group name", n->s->name);
		return;
	}
	free(n->group);
	n->group = xstrndup(p, len);
	n->have_cur = false;
	uint64_t num;
	if (p[len] == '/' && nntp_parse_u64(p + len + 1, strlen(p + len + 1), &num) == 0) {
		n->cur = num;
		n->have_cur = true;
	}
}

/* Decide and send the next login step. */
static void login_step(struct nntp *n)
{
	struct session *s = n->s;
	bool is_tls = s->conn && conn_is_tls(s->conn);

	if (n->need_caps) {
		nntp_state(n, NS_CAPABILITIES);
		login_send(n, "CAPABILITIES", NR_COLLECT, caps_done);
		return;
	}
	/* RFC 3977 5.3: MODE READER only on a mode-switching server (or one
	 * too old to say). */
	if (!n->mode_reader_done &&
	    (n->legacy || (n->caps.mode_reader && !n->caps.reader))) {
		nntp_state(n, NS_MODE_READER);
		login_send(n, "MODE READER", 0, mode_reader_done);
		return;
	}
	if (!is_tls && !n->tls_tried && (s->tls == TLS_AUTO || s->tls == TLS_REQUIRE)) {
		if (n->caps.starttls || (n->legacy && s->tls == TLS_REQUIRE)) {
			nntp_state(n, NS_STARTTLS);
			login_send(n, "STARTTLS", NR_CONT, starttls_done);
			return;
		}
		if (s->tls == TLS_REQUIRE) {
			session_fail(s, ERR_TLS, "%s does not offer STARTTLS "
			             "(nntp:tls is require)", s->host);
			login_finish(n, ERR_TLS);
			return;
		}
		/* auto without STARTTLS: reading goes on in clear, a login
		 * does not (nntp_auth_start refuses it). */
		n->tls_tried = true;
		if (!s->user)
			ui_info("ferry: warning: %s: no TLS (the server offers no "
			        "STARTTLS); reading in clear", s->name);
	}
	if (s->tls == TLS_REQUIRE && !is_tls) {
		/* Unreachable by the steps above; a guard for the promise. */
		session_fail(s, ERR_TLS, "TLS required but not established");
		login_finish(n, ERR_TLS);
		return;
	}
	/* RFC 4643 2.2: AUTHINFO only where advertised (a server may offer
	 * it only after TLS); a later 480 logs in then.  nntp:auth-first
	 * sends it anyway, for servers that hide it until asked. */
	if (s->user && !n->authed && !n->auth_tried &&
	    (!n->has_caps || n->caps.authinfo || config_bool(s->cfg, "nntp:auth-first"))) {
		nntp_auth_start(n, auth_login_done, NULL);
		return;
	}
	/* RFC 8054: after TLS and login (what the server offers then), once;
	 * never over a legacy server's unknown abilities. */
	if (!n->compress_tried && n->has_caps && n->caps.compress_deflate &&
	    config_bool(s->cfg, "nntp:compress") && !conn_is_compressed(s->conn)) {
		n->compress_tried = true;
		nntp_state(n, NS_COMPRESS);
		login_send(n, "COMPRESS DEFLATE", 0, compress_done);
		return;
	}
	if (!n->restore_done) {
		bool first = false;
		n->restore_done = true;
		if (!n->start_done) {
			take_start_path(n);
			first = n->group != NULL;
		}
		if (n->group) {
			char *line = xasprintf("GROUP %s", n->group);
			int err;
			nntp_state(n, NS_GROUP);
			n->restore_first = first;
			if (!nreq_send(n, line, 0, restore_group_done, NULL, NULL, &err))
				login_fail(n, err, "", n->detail);
			free(line);
			return;
		}
	}
	login_finish(n, 0);
}

/* ---- ops ----------------------------------------------------------------------- */

static void *nntp_init(struct session *s)
{
	struct nntp *n = xcalloc(1, sizeof(*n));
	n->s = s;
	n->state = NS_DISCONNECTED;
	nntp_srv_attach(n);
	return n;
}

/* Forget the connection; keep the group and article for the restore. */
static void nntp_forget(struct nntp *n)
{
	if (n->drain)
		ev_timer_del(n->drain);
	n->drain = NULL;
	if (n->reqs && n->pp)
		pp_cancel_all(n->pp);
	nreq_drop_all(n, ERR_NET);
	n->pp = NULL;
	n->has_caps = n->legacy = n->need_caps = false;
	n->mode_reader_done = n->tls_tried = n->authed = n->auth_tried = false;
	n->compress_tried = false;
	n->posting = n->desync = n->restore_done = false;
	memset(&n->caps, 0, sizeof(n->caps));
	n->login_done = NULL;
	n->login_arg = NULL;
}

static void nntp_free(void *pdata)
{
	struct nntp *n = pdata;

	if (!n)
		return;
	/* The session detached its pp before calling us, but the pp lives
	 * on a little (saying goodbye): make sure it calls nothing of ours. */
	nntp_groups_free(n);
	nntp_forget(n);
	nntp_srv_detach(n);
	free(n->group);
	free(n);
}

static void nntp_disconnected(struct session *s)
{
	struct nntp *n = s->pdata;

	nntp_forget(n);
	nntp_state(n, NS_DISCONNECTED);
}

static void nntp_login(struct session *s, proto_done_fn done, void *arg)
{
	struct nntp *n = s->pdata;
	struct pp_cmd cmd = { 0 };
	struct nreq *rq;

	nntp_forget(n);
	n->pp = s->pp;
	/* Only requests marked NR_PIPE ever use it. */
	pp_set_pipeline(s->pp, (size_t)config_int(s->cfg, "nntp:pipeline"));
	n->login_done = done;
	n->login_arg = arg;
	nntp_state(n, NS_GREETING);
	/* Nothing is sent before the greeting. */
	rq = xcalloc(1, sizeof(*rq));
	rq->n = n;
	rq->line = xstrdup("");
	rq->fn = greeting_done;
	cmd.done = nreq_done;
	cmd.arg = rq;
	int err = pp_expect(s->pp, &cmd);
	if (err < 0) {
		nreq_free(rq);
		session_fail(s, err, "not connected");
		login_finish(n, err);
		return;
	}
	rq->next = n->reqs;
	n->reqs = rq;
}

static void nntp_logout(struct session *s)
{
	struct pp_cmd cmd = { 0 };

	if (s->pp)
		pp_send(s->pp, "QUIT", &cmd);
}

static void nntp_keepalive(struct session *s)
{
	struct nntp *n = s->pdata;
	struct pp_cmd cmd = { 0 };

	if (n->desync) {
		session_drop(s, "reply out of sequence");
		return;
	}
	if (n->drain)
		return;
	/* No callback: the reply is read and forgotten; a dead connection
	 * shows up as a pp failure, which the session handles. */
	if (s->pp && n->state == NS_READY)
		pp_send(s->pp, "DATE", &cmd);
}

static const char *nntp_location(struct session *s)
{
	struct nntp *n = s->pdata;
	return n->group;
}

/* ---- a session's other connections ------------------------------------ */

static void nntp_set_location(struct session *s, const char *loc)
{
	struct nntp *n = s->pdata;
	free(n->group);
	n->group = xstrdup(loc);
	n->have_cur = false;
	n->start_done = true;
}

struct reloc {
	proto_done_fn done;
	void *arg;
	char *group;
};

static void reloc_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct reloc *rl = rq->arg;
	struct nntp *n = rq->n;
	struct nntp_group g;

	if (!err && r->code == 211 && nntp_parse_group(r->text, strlen(r->text), &g) == 0) {
		nntp_set_group(n, rl->group, &g);
	} else {
		if (!err) {
			nntp_note_reply(n, r);
			err = nntp_code_err(r->code);
			err = err ? err : ERR_PROTO;
		}
		char *e = ui_escape_str(rl->group, strlen(rl->group));
		session_fail(n->s, err, "cannot select %s: %s", e, n->detail);
		free(e);
	}
	proto_done_fn done = rl->done;
	void *darg = rl->arg;
	free(rl->group);
	free(rl);
	done(n->s, err, darg);
}

/* The site moved on another connection: follow it (GROUP). */
static void nntp_relocate(struct session *s, const char *loc, proto_done_fn done, void *arg)
{
	struct nntp *n = s->pdata;
	struct reloc *rl = xcalloc(1, sizeof(*rl));
	int err;
	rl->done = done;
	rl->arg = arg;
	rl->group = xstrdup(loc);
	char *line = xasprintf("GROUP %s", loc);
	struct nreq *rq = nreq_send(n, line, 0, reloc_done, rl, NULL, &err);
	free(line);
	if (!rq) {
		session_fail(s, err, "%s", n->detail);
		free(rl->group);
		free(rl);
		done(s, err, arg);
	}
}

/* news:GROUP (RFC 5538) names no server: $NNTPSERVER does, as tin and slrn
 * read it. */
static char *nntp_default_server(const char **why)
{
	const char *env = getenv("NNTPSERVER");

	if (!env || !*env) {
		*why = "news:GROUP needs $NNTPSERVER";
		return NULL;
	}
	if (strchr(env, '/') || strchr(env, '@')) {
		*why = "$NNTPSERVER is not HOST or HOST:PORT";
		return NULL;
	}
	return xstrdup(env);
}

const struct proto_ops nntp_ops = {
	.init = nntp_init,
	.free = nntp_free,
	.login = nntp_login,
	.logout = nntp_logout,
	.keepalive = nntp_keepalive,
	.location = nntp_location,
	.disconnected = nntp_disconnected,
	.default_server = nntp_default_server,
	.set_location = nntp_set_location,
	.relocate = nntp_relocate,
	.complete = nntp_complete,
};
