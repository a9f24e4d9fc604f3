/* nntp.c - NNTP: the protocol descriptor, the login state machine and the
 * reader commands.
 *
 * Login: greeting -> CAPABILITIES -> [MODE READER -> CAPABILITIES] ->
 * [STARTTLS -> handshake -> CAPABILITIES] -> [AUTHINFO USER/PASS ->
 * CAPABILITIES] -> [GROUP (+ STAT) to restore the location] -> ready.
 * Every step waits for its reply (pp never pipelines), nothing is sent
 * before the greeting, capabilities are re-read after each step that may
 * change them (nothing from before TLS is trusted), and with nntp:tls
 * require no AUTHINFO ever goes out before TLS is up.
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
#include "nntp.h"

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

/* Ctrl-C in a block that already brought more than this: drop the
 * connection instead of reading the rest (reconnecting is cheaper). */
#define CANCEL_DRAIN_MAX (1024 * 1024)
/* After Ctrl-C the rest of a reply is read and discarded for at most this
 * long (or until the next command); a slow server is then dropped. */
#define CANCEL_DRAIN_MS 2000

enum nstate {
	NS_DISCONNECTED,
	NS_GREETING,
	NS_CAPABILITIES,
	NS_MODE_READER,
	NS_STARTTLS,
	NS_TLS_HANDSHAKE,
	NS_AUTH_USER,
	NS_AUTH_PASS,
	NS_GROUP,
	NS_READY,
};

static const char *const nstate_names[] = {
	[NS_DISCONNECTED] = "disconnected",
	[NS_GREETING] = "greeting",
	[NS_CAPABILITIES] = "capabilities",
	[NS_MODE_READER] = "mode-reader",
	[NS_STARTTLS] = "starttls",
	[NS_TLS_HANDSHAKE] = "tls-handshake",
	[NS_AUTH_USER] = "authinfo-user",
	[NS_AUTH_PASS] = "authinfo-pass",
	[NS_GROUP] = "group",
	[NS_READY] = "ready",
};

struct nntp;
struct nreq;
typedef void (*nreq_fn)(struct nreq *rq, int err, const struct pp_reply *r);
typedef void (*auth_fn)(struct nntp *n, int err, void *arg);

struct nreq {
	struct nntp *n;
	struct nreq *next;
	char *line;             /* kept to resend after a 480 */
	nreq_fn fn;
	void *arg;              /* the command (struct nop) or NULL */
	pp_line_fn on_line;     /* block lines, called with arg */
	bool collect;
	bool auth_retry;        /* 480: log in and resend once */
	bool retried;
	bool cont_ok;           /* a 3xx reply is expected */
	uint64_t lines, bytes;  /* block received so far */
};

enum { NR_COLLECT = 1, NR_AUTH_RETRY = 2, NR_CONT = 4 };

struct nntp {
	struct session *s;
	struct pp *pp;          /* the pp our nreqs are queued on */
	enum nstate state;
	struct nreq *reqs;
	char detail[512];       /* reason of the last failed request */

	/* Per connection: forgotten by disconnected(). */
	bool has_caps;          /* CAPABILITIES answered 101 */
	bool legacy;            /* CAPABILITIES refused: pre-RFC 3977 */
	bool need_caps;
	bool mode_reader_done;
	bool tls_tried;
	bool authed;
	bool auth_tried;
	bool posting;
	bool desync;            /* an unexpected 3xx: the connection is reset */
	struct ev_timer *drain; /* discarding an interrupted reply */
	struct nntp_caps caps;

	/* Login in progress. */
	proto_done_fn login_done;
	void *login_arg;
	bool restore_done;
	bool restore_first;     /* restoring the group from the URL */
	/* Authentication in progress. */
	auth_fn auth_done;
	void *auth_arg;
	struct nreq *auth_waiting;  /* the request to resend after a 480 */

	/* Location: kept across reconnects. */
	char *group;
	uint64_t cur;
	bool have_cur;
	bool start_done;        /* s->start_path was tried */
};

static void nntp_state(struct nntp *n, enum nstate st)
{
	if (n->state != st)
		log_note(n->s->name, "nntp %s -> %s", nstate_names[n->state],
		         nstate_names[st]);
	n->state = st;
}

/* ---- requests ----------------------------------------------------------- */


static void nreq_unlink(struct nreq *rq)
{
	for (struct nreq **p = &rq->n->reqs; *p; p = &(*p)->next)
		if (*p == rq) {
			*p = rq->next;
			break;
		}
	rq->next = NULL;
}

static void nreq_free(struct nreq *rq)
{
	if (!rq)
		return;
	/* The line may be AUTHINFO PASS. */
	memset(rq->line, 0, strlen(rq->line));
	free(rq->line);
	free(rq);
}

static int nreq_line(void *arg, const char *line, size_t len)
{
	struct nreq *rq = arg;

	rq->lines++;
	rq->bytes += len + 2;
	if (rq->on_line && rq->arg)
		return rq->on_line(rq->arg, line, len);
	return 0;
}

static void nreq_done(struct pp *pp, int err, const struct pp_reply *r, void *arg);

/* (Re)send rq on the session's pp.  0 or negative ERR_*. */
static int nreq_push(struct nreq *rq)
{
	struct nntp *n = rq->n;
	struct pp_cmd cmd = { 0 };

	if (!n->s->pp)
		return ERR_NET;
	cmd.done = nreq_done;
	cmd.arg = rq;
	cmd.want_block = nntp_want_block_for(rq->line);
	cmd.on_line = rq->collect ? NULL : nreq_line;
	cmd.collect = rq->collect;
	if (strncasecmp(rq->line, "AUTHINFO PASS ", 14) == 0 ||
	    strncasecmp(rq->line, "AUTHINFO SASL ", 14) == 0)
		cmd.mask_from = 14;
	rq->lines = rq->bytes = 0;
	int err = pp_send(n->s->pp, rq->line, &cmd);
	if (err < 0)
		return err;
	rq->next = n->reqs;
	n->reqs = rq;
	return 0;
}

/* Queue a command.  fn gets the reply (or an error) exactly once, unless
 * the request is cancelled.  Returns the nreq, or NULL with the error in
 * *errp (nothing queued, fn not called). */
static struct nreq *nreq_send(struct nntp *n, const char *line, unsigned flags,
                              nreq_fn fn, void *arg, pp_line_fn on_line, int *errp)
{
	struct nreq *rq = xcalloc(1, sizeof(*rq));

	rq->n = n;
	rq->line = xstrdup(line);
	rq->fn = fn;
	rq->arg = arg;
	rq->on_line = on_line;
	rq->collect = flags & NR_COLLECT;
	rq->auth_retry = flags & NR_AUTH_RETRY;
	rq->cont_ok = flags & NR_CONT;
	int err = nreq_push(rq);
	if (err < 0) {
		snprintf(n->detail, sizeof(n->detail), "cannot send: %s",
		         n->s->pp ? pp_error(n->s->pp) : "not connected");
		nreq_free(rq);
		*errp = err;
		return NULL;
	}
	return rq;
}

/* Free every request; their pp callbacks must be cancelled already.  A
 * request that still has a command waiting finishes it with err. */
static void nreq_drop_all(struct nntp *n, int err)
{
	struct nreq *rq;

	if (n->auth_waiting) {
		/* Not on the list while the login it waits for runs. */
		n->auth_waiting->next = n->reqs;
		n->reqs = n->auth_waiting;
		n->auth_waiting = NULL;
	}
	n->auth_done = NULL;
	n->auth_arg = NULL;
	while ((rq = n->reqs)) {
		n->reqs = rq->next;
		if (rq->arg && rq->fn) {
			snprintf(n->detail, sizeof(n->detail), "connection lost");
			rq->fn(rq, err, NULL);
		}
		nreq_free(rq);
	}
}

static void auth_start(struct nntp *n, auth_fn fn, void *arg);

/* Put prefix in front of n->detail (cut to fit). */
static void detail_prefix(struct nntp *n, const char *prefix)
{
	size_t pl = strlen(prefix);
	size_t dl = strlen(n->detail);

	if (pl >= sizeof(n->detail))
		return;
	if (dl > sizeof(n->detail) - 1 - pl)
		dl = sizeof(n->detail) - 1 - pl;
	memmove(n->detail + pl, n->detail, dl);
	memcpy(n->detail, prefix, pl);
	n->detail[pl + dl] = '\0';
}

/* The request that met a 480 goes out again, or fails with err. */
static void retry_resend(struct nntp *n, int err)
{
	struct nreq *rq = n->auth_waiting;

	n->auth_waiting = NULL;
	nntp_state(n, NS_READY);
	if (!rq)
		return;
	if (err == 0) {
		err = nreq_push(rq);
		if (err == 0)
			return;
		snprintf(n->detail, sizeof(n->detail), "cannot send: %s",
		         n->s->pp ? pp_error(n->s->pp) : "not connected");
	} else if (err == ERR_AUTH) {
		detail_prefix(n, "login refused: ");
	}
	if (rq->arg)
		rq->fn(rq, err, NULL);
	nreq_free(rq);
}

static void retry_caps_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;

	if (err == 0 && r->code == 101) {
		nntp_parse_caps(r->block ? r->block : "", r->block_len, &n->caps);
		n->has_caps = true;
		n->need_caps = false;
	}
	retry_resend(n, err);
}

/* A 480 answered by logging in: re-read the capabilities (RFC 4643
 * 2.5.1), then resend the waiting request, or fail it. */
static void retry_after_auth(struct nntp *n, int err, void *arg)
{
	(void)arg;
	if (err == 0 && n->need_caps) {
		nntp_state(n, NS_CAPABILITIES);
		if (nreq_send(n, "CAPABILITIES", NR_COLLECT, retry_caps_done, NULL,
		              NULL, &err))
			return;
	}
	retry_resend(n, err);
}

static void nreq_done(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct nreq *rq = arg;
	struct nntp *n = rq->n;
	struct session *s = n->s;

	nreq_unlink(rq);
	if (err < 0) {
		snprintf(n->detail, sizeof(n->detail), "%s", pp_error(pp));
	} else if (r->code == 480 && rq->auth_retry && !rq->retried && s->user &&
	           !n->authed && n->state == NS_READY && !n->auth_waiting) {
		/* RFC 4643 2.1: authenticate, then send the command again. */
		log_note(s->name, "480: authenticating, then sending the command again");
		rq->retried = true;
		n->auth_waiting = rq;
		auth_start(n, retry_after_auth, NULL);
		return;
	} else if (r->code >= 300 && r->code < 400 && !rq->cont_ok) {
		/* The server waits for something we will not send: the
		 * conversation is out of step.  Close; the next command
		 * reconnects. */
		char *e = ui_escape_str(r->text, r->len);
		snprintf(n->detail, sizeof(n->detail), "unexpected reply: %s", e);
		free(e);
		log_note(s->name, "%s; closing the connection", n->detail);
		n->desync = true;
		if (s->conn)
			conn_shutdown(s->conn);
		err = ERR_PROTO;
		r = NULL;
	}
	rq->fn(rq, err, r);
	nreq_free(rq);
}

/* Error for a reply code the command did not hope for. */
static int code_err(int code)
{
	switch (code) {
	case 411: case 423: case 430:
	case 420: case 421: case 422:
	case 502:
		return ERR_NOTFOUND;
	case 480: case 481: case 482:
		return ERR_AUTH;
	case 483:
		return ERR_TLS;
	case 400:
		return ERR_NET;
	default:
		if (code >= 400 && code < 600)
			return ERR_FAIL;
		return ERR_PROTO;
	}
}

/* The reply text, escaped, into n->detail. */
static void note_reply(struct nntp *n, const struct pp_reply *r)
{
	char *e = ui_escape_str(r->text, strcspn(r->text, "\n"));
	snprintf(n->detail, sizeof(n->detail), "%s", e);
	free(e);
}

/* ---- authentication (AUTHINFO USER/PASS, RFC 4643) ------------------------ */

static void auth_finish(struct nntp *n, int err)
{
	auth_fn fn = n->auth_done;
	void *arg = n->auth_arg;

	n->auth_done = NULL;
	n->auth_arg = NULL;
	if (err == 0) {
		n->authed = true;
		/* RFC 4643 2.5.1: capabilities may change after login. */
		n->has_caps = false;
		n->need_caps = !n->legacy;
	}
	if (fn)
		fn(n, err, arg);
}

/* 481 refused, 482 out of sequence, 502 not permitted, 500/501/503 not
 * supported: all "authentication refused"; 483 wants TLS first. */
static int auth_reply_err(struct nntp *n, const struct pp_reply *r)
{
	note_reply(n, r);
	return r->code == 483 ? ERR_TLS : ERR_AUTH;
}

static void auth_pass_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;

	if (err < 0) {
		auth_finish(n, err);
		return;
	}
	if (r->code == 281) {
		log_note(n->s->name, "authenticated as %s", n->s->user);
		auth_finish(n, 0);
		return;
	}
	auth_finish(n, auth_reply_err(n, r));
}

static void auth_user_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nntp *n = rq->n;
	struct session *s = n->s;

	if (err < 0) {
		auth_finish(n, err);
		return;
	}
	if (r->code == 281) {
		auth_finish(n, 0);
		return;
	}
	if (r->code != 381) {
		auth_finish(n, auth_reply_err(n, r));
		return;
	}
	if (!s->pass) {
		snprintf(n->detail, sizeof(n->detail),
		         "the server wants a password for %s (none given)", s->user);
		auth_finish(n, ERR_AUTH);
		return;
	}
	char *line = xasprintf("AUTHINFO PASS %s", s->pass);
	nntp_state(n, NS_AUTH_PASS);
	if (!nreq_send(n, line, 0, auth_pass_done, NULL, NULL, &err))
		auth_finish(n, err);
	memset(line, 0, strlen(line));
	free(line);
}

/* Log in with s->user/s->pass; fn(n, err, arg) once (err with n->detail). */
static void auth_start(struct nntp *n, auth_fn fn, void *arg)
{
	struct session *s = n->s;
	int err = 0;

	n->auth_done = fn;
	n->auth_arg = arg;
	n->auth_tried = true;
	/* Never a password in clear unless the user turned TLS off for
	 * this server: under nntp:tls auto a server that offers no STARTTLS
	 * (or a man in the middle that hides it) gets no AUTHINFO. */
	if (s->tls != TLS_OFF && !(s->conn && conn_is_tls(s->conn))) {
		snprintf(n->detail, sizeof(n->detail), "%s",
		         s->tls == TLS_AUTO ?
		         "the server offers no TLS, so the password is not sent "
		         "in clear; set nntp:tls off to allow that" :
		         "refusing to send credentials without TLS");
		auth_finish(n, ERR_TLS);
		return;
	}
	char *line = xasprintf("AUTHINFO USER %s", s->user);
	nntp_state(n, NS_AUTH_USER);
	if (!nreq_send(n, line, NR_CONT, auth_user_done, NULL, NULL, &err))
		auth_finish(n, err);
	free(line);
}

/* ---- login ------------------------------------------------------------------ */

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
		n->has_caps = false;
		n->need_caps = !n->legacy;
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
	/* RFC 4642 2.2.2: forget everything learnt before TLS. */
	memset(&n->caps, 0, sizeof(n->caps));
	n->has_caps = false;
	n->need_caps = true;
	n->legacy = false;
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
		n->cur = g.empty ? 0 : g.low;
		n->have_cur = !g.empty;
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
		int code = r->code == 211 ? ERR_PROTO : code_err(r->code);
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
		 * does not (auth_start refuses it). */
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
	 * it only after TLS); a later 480 logs in then. */
	if (s->user && !n->authed && !n->auth_tried &&
	    (!n->has_caps || n->caps.authinfo)) {
		auth_start(n, auth_login_done, NULL);
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
	nntp_forget(n);
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

/* ---- commands ------------------------------------------------------------------ */


/* One running command. */
struct nop {
	struct cmdctx *ctx;
	struct nntp *n;
	struct nreq *rq;
	char *line;             /* the command line to send */
	unsigned flags;
	nreq_fn fn;
	pp_line_fn on_line;
	const char *what;       /* "article", "listing": for "incomplete" */
	char *name;             /* group given to group/listgroup */
	bool by_msgid;          /* article asked for by message-id */
	bool printed;           /* block lines went out */
	bool paused_pp;         /* op_flow paused the connection's pp */
	bool waiting;           /* for session_ensure (reconnecting) */
};

/* The output cannot take more for now (a slow pipe, a full job log): hold
 * the data block feeding it. */
static void op_flow(void *arg, bool pause)
{
	struct nop *op = arg;
	op->paused_pp = pause;
	if (op->n->s->pp)
		pp_pause(op->n->s->pp, pause);
}

static void op_free(struct nop *op)
{
	if (op->ctx)
		sink_set_flow(cmd_out(op->ctx), NULL, NULL);
	if (op->paused_pp && op->n->s->pp)
		pp_pause(op->n->s->pp, false);
	free(op->line);
	free(op->name);
	free(op);
}

/* Finish the command: free op, then tell the shell. */
static void op_finish(struct nop *op, int err)
{
	struct cmdctx *ctx = op->ctx;

	if (op->rq)
		op->rq->arg = NULL;
	ctx->cancel = NULL;
	ctx->op = NULL;
	op_free(op);
	cmd_done(ctx, err);
}

static void ctx_intr_later(void *arg)
{
	cmd_done(arg, ERR_INTR);
}

/* A command is about to go out: if an interrupted reply is still
 * arriving, drop the connection (a fresh one is quicker than waiting). */
static void drain_give_up(struct nntp *n)
{
	struct session *s = n->s;

	if (s->pp && pp_pending(s->pp) > 0) {
		session_drop(s, "interrupted reply still arriving");
		return;  /* disconnected() deleted the timer */
	}
	ev_timer_del(n->drain);
	n->drain = NULL;
}

static long drain_tick(void *arg)
{
	struct nntp *n = arg;
	struct session *s = n->s;

	n->drain = NULL;  /* freed by the loop when we return 0 */
	if (s->pp && pp_pending(s->pp) > 0)
		session_drop(s, "interrupted reply still arriving");
	return 0;
}

/* Ctrl-C: forget the command's reply.  pp reads and discards the rest of
 * a block; when much has come already, dropping the connection is
 * quicker and the session reconnects on next use.  A reconnect in
 * progress goes on (the session is then ready for the next command). */
static void op_cancel(struct cmdctx *ctx)
{
	struct nop *op = ctx->op;
	struct nntp *n = op->n;
	struct session *s = n->s;
	bool big = false;

	ctx->cancel = NULL;
	ctx->op = NULL;
	if (op->rq) {
		big = op->rq->bytes > CANCEL_DRAIN_MAX;
		op->rq->arg = NULL;
		op->rq = NULL;
	}
	if (big) {
		session_drop(s, "interrupted in a large reply");
	} else if (s->pp && !n->login_done && !op->waiting) {
		/* Ready, or logging in again after a 480 for this command. */
		pp_cancel_all(s->pp);
		nreq_drop_all(n, ERR_INTR);
		nntp_state(n, NS_READY);
		if (pp_pending(s->pp) > 0 && !n->drain)
			n->drain = ev_timer_add(s->ev, CANCEL_DRAIN_MS, drain_tick, n);
	}
	if (op->printed)
		ui_flush();
	if (op->waiting)
		op->ctx = NULL;  /* op_resumed frees it */
	else
		op_free(op);
	ev_defer(s->ev, ctx_intr_later, ctx);
}

/* Error from the request: print it (with a hint where one helps). */
static int op_error(struct nop *op, int err, const struct pp_reply *r)
{
	struct nntp *n = op->n;

	if (err == ERR_PIPE || err == ERR_LOCAL) /* the output failed */
		return cmd_error(op->ctx, err, "%s", sink_why(cmd_out(op->ctx)));
	if (op->printed && err != ERR_INTR) {
		/* Partial output is marked as such. */
		ui_flush();
		ui_trace("[incomplete]");
	}
	if (!r) {
		if (op->printed && (err == ERR_EOF || err == ERR_NET || err == ERR_PROTO)) {
			cmd_error(op->ctx, ERR_PROTO, "%s incomplete: %s",
			          op->what ? op->what : "reply", n->detail);
			return ERR_PROTO;
		}
		return cmd_error(op->ctx, err, "%s", n->detail);
	}
	err = code_err(r->code);
	note_reply(n, r);
	switch (r->code) {
	case 412:
		return cmd_error(op->ctx, ERR_FAIL, "no newsgroup selected; "
		                 "use `group NAME` first (%s)", n->detail);
	case 420:
		return cmd_error(op->ctx, err, "no current article; give a number "
		                 "or a <message-id> (%s)", n->detail);
	case 480:
		if (!n->s->user)
			return cmd_error(op->ctx, err, "authentication required "
			                 "(give a user in the URL or ~/.netrc): %s",
			                 n->detail);
		return cmd_error(op->ctx, err, "authentication required: %s", n->detail);
	case 483:
		return cmd_error(op->ctx, err, "the server wants TLS first "
		                 "(nntps:// or set nntp:tls require): %s", n->detail);
	default:
		return cmd_error(op->ctx, err, "%s", n->detail);
	}
}

static void op_fail(struct nop *op, int err, const struct pp_reply *r)
{
	op_finish(op, op_error(op, err, r));
}

/* Send the command line: 0, or the error (printed). */
static int op_send(struct nop *op)
{
	int err;

	op->rq = nreq_send(op->n, op->line, op->flags, op->fn, op, op->on_line, &err);
	if (!op->rq)
		return cmd_error(op->ctx, err, "%s", op->n->detail);
	return 0;
}

static void op_resumed(struct session *s, int err, void *arg)
{
	struct nop *op = arg;

	op->waiting = false;
	if (!op->ctx) {
		op_free(op);
		return;
	}
	if (err < 0) {
		op_finish(op, cmd_error(op->ctx, err, "%s", s->err));
		return;
	}
	err = op_send(op);
	if (err < 0)
		op_finish(op, err);
}

/* Start op: at once if the connection is in step, else after
 * reconnecting.  Returns CMD_PENDING. */
static int op_go(struct nop *op)
{
	struct nntp *n = op->n;
	struct session *s = n->s;

	op->ctx->op = op;
	op->ctx->cancel = op_cancel;
	if (n->drain)
		drain_give_up(n);
	if (n->desync || !s->pp || pp_failed(s->pp) || n->state != NS_READY) {
		if (n->desync)
			session_drop(s, "reply out of sequence");
		op->waiting = true;
		session_ensure(s, op_resumed, op);
		return CMD_PENDING;
	}
	/* The line goes out now; replies come from the loop.  A failure
	 * here is returned, never reported through cmd_done (run rule). */
	int err = op_send(op);
	if (err < 0) {
		struct cmdctx *ctx = op->ctx;
		ctx->op = NULL;
		ctx->cancel = NULL;
		op_free(op);
		return err;
	}
	return CMD_PENDING;
}

static struct nop *op_new(struct cmdctx *ctx, char *line, unsigned flags, nreq_fn fn)
{
	struct nop *op = xcalloc(1, sizeof(*op));

	op->ctx = ctx;
	op->n = ctx->sess->pdata;
	op->line = line;
	op->flags = flags;
	op->fn = fn;
	sink_set_flow(cmd_out(ctx), op_flow, op);
	return op;
}

/* A block line to the output: escaped on a terminal, as sent elsewhere. */
static int print_line(void *arg, const char *line, size_t len)
{
	struct nop *op = arg;

	op->printed = true;
	return cmd_data_line(op->ctx, line, len);
}

/* Article argument: none, a number, or a <message-id>.  Appends " ARG" to
 * the command; ERR_USAGE for anything else. */
static int article_arg(struct cmdctx *ctx, const char *verb, char **line, bool *by_msgid)
{
	const char *a = ctx->argc > 1 ? ctx->argv[1] : NULL;
	uint64_t num;

	*by_msgid = false;
	if (!a) {
		*line = xstrdup(verb);
		return 0;
	}
	if (a[0] == '<') {
		if (!nntp_msgid_valid(a, strlen(a)))
			return cmd_error(ctx, ERR_USAGE, "not a valid <message-id>");
		*by_msgid = true;
	} else if (nntp_parse_u64(a, strlen(a), &num) < 0 || num > INT64_MAX) {
		return cmd_error(ctx, ERR_USAGE, "expected an article number or a <message-id>");
	}
	*line = xasprintf("%s %s", verb, a);
	return 0;
}

/* 22x n <id>: the current article moves when asked for by number. */
static bool take_article_status(struct nop *op, const struct pp_reply *r,
                                uint64_t *num, struct nntp_span *id)
{
	struct nntp *n = op->n;

	if (nntp_parse_article_status(r->text, r->len, num, id) < 0)
		return false;
	if (!op->by_msgid && *num) {
		n->cur = *num;
		n->have_cur = true;
	}
	return true;
}

/* article / head / body */
static void article_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	uint64_t num;
	struct nntp_span id;

	op->rq = NULL;
	if (err < 0 || r->code < 220 || r->code > 222) {
		op_fail(op, err, r);
		return;
	}
	take_article_status(op, r, &num, &id);
	op_finish(op, 0);
}

static int run_article(struct cmdctx *ctx)
{
	const char *verb = strcmp(ctx->def->name, "head") == 0 ? "HEAD" :
	                   strcmp(ctx->def->name, "body") == 0 ? "BODY" : "ARTICLE";
	char *line;
	bool by_msgid;
	int err = article_arg(ctx, verb, &line, &by_msgid);

	if (err < 0)
		return err;
	struct nop *op = op_new(ctx, line, NR_AUTH_RETRY, article_done);
	op->on_line = print_line;
	op->what = "article";
	op->by_msgid = by_msgid;
	return op_go(op);
}

/* stat / next / prev */
static void stat_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	uint64_t num;
	struct nntp_span id;

	op->rq = NULL;
	if (err < 0 || r->code != 223) {
		if (!err && r->code == 421) {
			op_finish(op, cmd_error(op->ctx, ERR_NOTFOUND, "no next article"));
			return;
		}
		if (!err && r->code == 422) {
			op_finish(op, cmd_error(op->ctx, ERR_NOTFOUND, "no previous article"));
			return;
		}
		op_fail(op, err, r);
		return;
	}
	if (!take_article_status(op, r, &num, &id)) {
		note_reply(op->n, r);
		op_finish(op, cmd_error(op->ctx, ERR_PROTO, "malformed reply: %s",
		                        op->n->detail));
		return;
	}
	char *e = ui_escape_str(id.p, id.len);
	cmd_printf(op->ctx, "%" PRIu64 " %s", num, e);
	free(e);
	op_finish(op, 0);
}

static int run_stat(struct cmdctx *ctx)
{
	char *line;
	bool by_msgid;
	int err = article_arg(ctx, "STAT", &line, &by_msgid);

	if (err < 0)
		return err;
	struct nop *op = op_new(ctx, line, NR_AUTH_RETRY, stat_done);
	op->by_msgid = by_msgid;
	return op_go(op);
}

static int run_next(struct cmdctx *ctx)
{
	const char *verb = strcmp(ctx->def->name, "prev") == 0 ? "LAST" : "NEXT";
	return op_go(op_new(ctx, xstrdup(verb), NR_AUTH_RETRY, stat_done));
}

/* group */
static void set_group(struct nntp *n, const char *name, const struct nntp_group *g)
{
	char *copy = xstrdup(name);
	free(n->group);
	n->group = copy;
	n->cur = g->empty ? 0 : g->low;
	n->have_cur = !g->empty;
}

static void group_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct nntp_group g;

	op->rq = NULL;
	if (err < 0 || r->code != 211) {
		if (!err && r->code == 411) {
			note_reply(op->n, r);
			op_finish(op, cmd_error(op->ctx, ERR_NOTFOUND, "%s: no such group (%s)",
			                        op->name, op->n->detail));
			return;
		}
		op_fail(op, err, r);
		return;
	}
	if (nntp_parse_group(r->text, r->len, &g) < 0) {
		note_reply(op->n, r);
		op_finish(op, cmd_error(op->ctx, ERR_PROTO, "malformed GROUP reply: %s",
		                        op->n->detail));
		return;
	}
	set_group(op->n, op->name, &g);
	char *name = g.name.len ? ui_escape_str(g.name.p, g.name.len) :
	                          ui_escape_str(op->name, strlen(op->name));
	if (g.empty)
		cmd_printf(op->ctx, "%s: no articles", name);
	else
		cmd_printf(op->ctx, "%s: %" PRIu64 " article%s, %" PRIu64 "-%" PRIu64, name, g.count,
		       g.count == 1 ? "" : "s", g.low, g.high);
	free(name);
	op_finish(op, 0);
}

static int run_group(struct cmdctx *ctx)
{
	const char *name = ctx->argv[1];

	if (!nntp_group_valid(name, strlen(name)))
		return cmd_error(ctx, ERR_USAGE, "not a valid newsgroup name");
	struct nop *op = op_new(ctx, xasprintf("GROUP %s", name), NR_AUTH_RETRY, group_done);
	op->name = xstrdup(name);
	return op_go(op);
}

/* listgroup [GROUP] [RANGE] */
static void listgroup_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct nntp_group g;

	op->rq = NULL;
	if (err < 0 || r->code != 211) {
		if (!err && r->code == 411) {
			note_reply(op->n, r);
			op_finish(op, cmd_error(op->ctx, ERR_NOTFOUND, "%s: no such group (%s)",
			                        op->name ? op->name : "", op->n->detail));
			return;
		}
		op_fail(op, err, r);
		return;
	}
	/* RFC 3977 6.1.2: LISTGROUP selects the group, like GROUP. */
	if (op->name && nntp_parse_group(r->text, r->len, &g) == 0)
		set_group(op->n, op->name, &g);
	op_finish(op, 0);
}

static bool looks_like_range(const char *s)
{
	return *s && strspn(s, "0123456789-") == strlen(s);
}

static int run_listgroup(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *group = NULL, *range = NULL;
	struct nntp_range rg;

	if (ctx->argc == 2 && looks_like_range(ctx->argv[1]))
		range = ctx->argv[1];
	else if (ctx->argc >= 2)
		group = ctx->argv[1];
	if (ctx->argc == 3)
		range = ctx->argv[2];
	if (group && !nntp_group_valid(group, strlen(group)))
		return cmd_error(ctx, ERR_USAGE, "not a valid newsgroup name");
	if (range && nntp_parse_range(range, &rg) < 0)
		return cmd_error(ctx, ERR_USAGE, "bad range (N, N-M or N-)");
	if (range && !group) {
		/* LISTGROUP takes a range only after a group name. */
		if (!n->group)
			return cmd_error(ctx, ERR_FAIL, "no newsgroup selected; "
			                 "use `group NAME` first");
		group = n->group;
	}
	char *line = group ? (range ? xasprintf("LISTGROUP %s %s", group, range) :
	                               xasprintf("LISTGROUP %s", group)) :
	                     xstrdup("LISTGROUP");
	struct nop *op = op_new(ctx, line, NR_AUTH_RETRY, listgroup_done);
	op->name = group ? xstrdup(group) : (n->group ? xstrdup(n->group) : NULL);
	op->on_line = print_line;
	op->what = "listing";
	return op_go(op);
}

/* over [RANGE|N|<message-id>] */
static void over_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;

	op->rq = NULL;
	if (err < 0 || r->code != 224) {
		if (!err && r->code == 423) {
			note_reply(op->n, r);
			op_finish(op, cmd_error(op->ctx, ERR_NOTFOUND,
			                        "no articles in that range (%s)", op->n->detail));
			return;
		}
		op_fail(op, err, r);
		return;
	}
	op_finish(op, 0);
}

static int run_over(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *verb = n->caps.over ? "OVER" : "XOVER";
	const char *a = ctx->argc > 1 ? ctx->argv[1] : NULL;
	struct nntp_range rg;
	char *line;

	if (!a) {
		line = xstrdup(verb);
	} else if (a[0] == '<') {
		if (!nntp_msgid_valid(a, strlen(a)))
			return cmd_error(ctx, ERR_USAGE, "not a valid <message-id>");
		line = xasprintf("OVER %s", a);
	} else {
		if (nntp_parse_range(a, &rg) < 0)
			return cmd_error(ctx, ERR_USAGE, "bad range (N, N-M or N-)");
		line = xasprintf("%s %s", verb, a);
	}
	struct nop *op = op_new(ctx, line, NR_AUTH_RETRY, over_done);
	op->on_line = print_line;
	op->what = "overview";
	return op_go(op);
}

/* groups [WILDMAT] */
static void groups_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;

	op->rq = NULL;
	if (err < 0 || r->code != 215) {
		op_fail(op, err, r);
		return;
	}
	op_finish(op, 0);
}

static int run_groups(struct cmdctx *ctx)
{
	struct nntp *n = ctx->sess->pdata;
	const char *wm = ctx->argc > 1 ? ctx->argv[1] : NULL;
	char *line;

	if (wm && !nntp_wildmat_valid(wm, strlen(wm)))
		return cmd_error(ctx, ERR_USAGE, "not a valid wildmat");
	if (wm)
		line = xasprintf("LIST ACTIVE %s", wm);
	else
		line = xstrdup(n->legacy ? "LIST" : "LIST ACTIVE");
	struct nop *op = op_new(ctx, line, NR_AUTH_RETRY, groups_done);
	op->on_line = print_line;
	op->what = "listing";
	return op_go(op);
}

/* capabilities */
static void capabilities_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct nntp *n = op->n;

	op->rq = NULL;
	if (err < 0 || r->code != 101) {
		if (!err && r->code == 500) {
			op_finish(op, cmd_error(op->ctx, ERR_FAIL, "the server does not "
			                        "know CAPABILITIES (it predates RFC 3977)"));
			return;
		}
		op_fail(op, err, r);
		return;
	}
	nntp_parse_caps(r->block ? r->block : "", r->block_len, &n->caps);
	n->has_caps = true;
	if (r->block)
		cmd_data(op->ctx, r->block, r->block_len);
	op_finish(op, 0);
}

static int run_capabilities(struct cmdctx *ctx)
{
	return op_go(op_new(ctx, xstrdup("CAPABILITIES"), NR_COLLECT | NR_AUTH_RETRY,
	                    capabilities_done));
}

/* date */
static void date_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	char when[32];

	op->rq = NULL;
	if (err < 0 || r->code != 111) {
		op_fail(op, err, r);
		return;
	}
	if (nntp_parse_date(r->text, r->len, when, sizeof(when)) < 0) {
		note_reply(op->n, r);
		op_finish(op, cmd_error(op->ctx, ERR_PROTO, "malformed DATE reply: %s",
		                        op->n->detail));
		return;
	}
	cmd_printf(op->ctx, "%s UTC", when);
	op_finish(op, 0);
}

static int run_date(struct cmdctx *ctx)
{
	return op_go(op_new(ctx, xstrdup("DATE"), NR_AUTH_RETRY, date_done));
}

/* quote LINE... : one raw command, the whole reply printed. */
static void quote_done(struct nreq *rq, int err, const struct pp_reply *r)
{
	struct nop *op = rq->arg;
	struct nntp *n = op->n;
	uint64_t num;
	struct nntp_span id;

	op->rq = NULL;
	if (err < 0) {
		op_fail(op, err, NULL);
		return;
	}
	cmd_data_line(op->ctx, r->text, r->len);
	if (r->block)
		cmd_data(op->ctx, r->block, r->block_len);
	/* Keep our idea of the location in step with what was typed. */
	if (r->code == 211) {
		struct nntp_group g;
		if (nntp_parse_group(r->text, r->len, &g) == 0 && g.name.len &&
		    nntp_group_valid(g.name.p, g.name.len)) {
			char *name = xstrndup(g.name.p, g.name.len);
			set_group(n, name, &g);
			free(name);
		}
	} else if (r->code >= 220 && r->code <= 223) {
		op->by_msgid = strchr(op->line, '<') != NULL;
		take_article_status(op, r, &num, &id);
	} else if (r->code == 281) {
		n->authed = true;
	} else if (r->code == 205) {
		/* QUIT by hand: the server closes; reconnect on next use
		 * instead of racing the next command against its EOF. */
		struct session *s = n->s;
		op_finish(op, 0);
		session_drop(s, "QUIT sent by quote");
		return;
	}
	op_finish(op, r->code >= 400 ? ERR_FAIL : 0);
}

static int run_quote(struct cmdctx *ctx)
{
	struct buf b;
	struct nntp_span verb;
	static const char *const refused[] = {
		"STARTTLS", "COMPRESS", "POST", "IHAVE", "TAKETHIS", "CHECK", NULL,
	};

	buf_init(&b, 4096);
	for (int i = 1; i < ctx->argc; i++)
		if ((i > 1 && buf_append(&b, " ", 1) < 0) ||
		    buf_appendstr(&b, ctx->argv[i]) < 0) {
			buf_clear(&b);
			return cmd_error(ctx, ERR_USAGE, "line too long");
		}
	char *line = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	if (strpbrk(line, "\r\n")) {
		free(line);
		return cmd_error(ctx, ERR_USAGE, "CR or LF in the line");
	}
	size_t vlen = strcspn(line, " \t");
	verb.p = line;
	verb.len = vlen;
	for (int i = 0; refused[i]; i++)
		if (verb.len == strlen(refused[i]) &&
		    strncasecmp(verb.p, refused[i], verb.len) == 0) {
			free(line);
			return cmd_error(ctx, ERR_USAGE, "%s needs more than one line; "
			                 "not available through quote", refused[i]);
		}
	/* AUTHINFO USER expects 381; other continuations are refused above
	 * or treated as out of step. */
	unsigned flags = NR_COLLECT;
	if (strncasecmp(line, "AUTHINFO USER", 13) == 0)
		flags |= NR_CONT;
	return op_go(op_new(ctx, line, flags, quote_done));
}

static const struct cmd_def nntp_cmds[] = {
	{ "groups", "[WILDMAT]", "list newsgroups: name high low status",
	  "-", 0, 1, run_groups },
	{ "group", "NAME", "select a newsgroup", "g", 1, 1, run_group },
	{ "listgroup", "[GROUP] [RANGE]", "list the article numbers of a group",
	  "g-", 0, 2, run_listgroup },
	{ "article", "[N|<message-id>]", "print an article (headers and body)",
	  "-", 0, 1, run_article },
	{ "head", "[N|<message-id>]", "print the headers of an article",
	  "-", 0, 1, run_article },
	{ "body", "[N|<message-id>]", "print the body of an article",
	  "-", 0, 1, run_article },
	{ "stat", "[N|<message-id>]", "check that an article exists and select it",
	  "-", 0, 1, run_stat },
	{ "next", "", "move to the next article", "-", 0, 0, run_next },
	{ "prev", "", "move to the previous article", "-", 0, 0, run_next },
	{ "over", "[RANGE|N|<message-id>]",
	  "print overview lines (RANGE: N, N-M or N-)", "-", 0, 1, run_over },
	{ "capabilities", "", "print the server's capabilities", "-", 0, 0,
	  run_capabilities },
	{ "date", "", "print the server's date and time (UTC)", "-", 0, 0, run_date },
	{ "quote", "LINE...", "send one raw command line and print the whole reply",
	  "-", 1, -1, run_quote },
};

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
		set_group(n, rl->group, &g);
	} else {
		if (!err) {
			note_reply(n, r);
			err = code_err(r->code);
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

static const struct proto_ops nntp_ops = {
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
};

static const struct proto_scheme nntp_schemes[] = {
	{ "nntp", 119, TLS_AUTO },
	{ "news", 119, TLS_AUTO },
	{ "nntps", 563, TLS_IMPLICIT },
	{ "snews", 563, TLS_IMPLICIT },
	{ NULL, 0, TLS_AUTO },
};

const struct proto_desc nntp_proto = {
	.name = "nntp",
	.schemes = nntp_schemes,
	.tls_setting = "nntp:tls",
	.style = PP_NNTP,
	.ops = &nntp_ops,
	.cmds = nntp_cmds,
	.ncmds = sizeof(nntp_cmds) / sizeof(nntp_cmds[0]),
};
