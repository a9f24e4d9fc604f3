/* nntp_req.c - NNTP requests (an nreq per command, resent once after a
 * 480 and a login) and authentication (AUTHINFO USER/PASS, RFC 4643);
 * see nntp_int.h. */
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

void nreq_free(struct nreq *rq)
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

void nreq_done(struct pp *pp, int err, const struct pp_reply *r, void *arg);

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
	cmd.pipeline = rq->pipe;
	if (strncasecmp(rq->line, "AUTHINFO PASS ", 14) == 0 ||
	    strncasecmp(rq->line, "AUTHINFO SASL ", 14) == 0)
		cmd.mask_from = 14;
	rq->lines = rq->bytes = 0;
	int id = rq->expect ? pp_expect(n->s->pp, &cmd) : pp_send(n->s->pp, rq->line, &cmd);
	if (id < 0)
		return id;
	rq->id = id;
	rq->next = n->reqs;
	n->reqs = rq;
	return 0;
}

/* Queue a command.  fn gets the reply (or an error) exactly once, unless
 * the request is cancelled.  Returns the nreq, or NULL with the error in
 * *errp (nothing queued, fn not called). */
struct nreq *nreq_send(struct nntp *n, const char *line, unsigned flags,
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
	rq->expect = flags & NR_EXPECT;
	rq->pipe = flags & NR_PIPE;
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
void nreq_drop_all(struct nntp *n, int err)
{
	struct nreq *rq;

	if (n->auth_waiting) {
		/* Not on the list while the login they wait for runs. */
		struct nreq *last = n->auth_waiting;
		while (last->next)
			last = last->next;
		last->next = n->reqs;
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

void nreq_cancel(struct nreq *rq)
{
	struct nntp *n = rq->n;

	for (struct nreq *w = n->auth_waiting; w; w = w->next)
		if (w == rq) {
			/* The login goes on (the connection is the better
			 * for it); retry_resend frees rq instead of sending
			 * it again. */
			rq->cancelled = true;
			rq->arg = NULL;
			return;
		}
	if (n->s->pp && rq->id)
		pp_cancel(n->s->pp, rq->id);
	nreq_unlink(rq);
	nreq_free(rq);
}

void nntp_auth_start(struct nntp *n, auth_fn fn, void *arg);

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

/* The requests that met a 480 go out again, in the order they went out
 * first, or fail with err.  One at a time off the queue: a failure's
 * callback may cancel those behind it (nreq_cancel marks them). */
static void retry_resend(struct nntp *n, int err)
{
	struct nreq *rq;

	nntp_state(n, NS_READY);
	if (err == ERR_AUTH && n->auth_waiting)
		detail_prefix(n, "login refused: ");
	while ((rq = n->auth_waiting)) {
		n->auth_waiting = rq->next;
		rq->next = NULL;
		if (rq->cancelled) {
			nreq_free(rq);
			continue;
		}
		if (err == 0) {
			err = nreq_push(rq);
			if (err == 0)
				continue;
			snprintf(n->detail, sizeof(n->detail), "cannot send: %s",
			         n->s->pp ? pp_error(n->s->pp) : "not connected");
		}
		if (rq->arg)
			rq->fn(rq, err, NULL);
		nreq_free(rq);
	}
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

void nreq_done(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct nreq *rq = arg;
	struct nntp *n = rq->n;
	struct session *s = n->s;

	nreq_unlink(rq);
	if (err < 0) {
		snprintf(n->detail, sizeof(n->detail), "%s", pp_error(pp));
	} else if (r->code == 480 && rq->auth_retry && !rq->retried && s->user &&
	           !n->authed && n->auth_waiting && rq->pipe) {
		/* Pipelined behind one whose 480 started the login (which
		 * goes out after every reply due): sent again after it. */
		struct nreq **w = &n->auth_waiting;
		while (*w)
			w = &(*w)->next;
		rq->retried = true;
		*w = rq;
		return;
	} else if (r->code == 480 && rq->auth_retry && !rq->retried && s->user &&
	           !n->authed && n->state == NS_READY && !n->auth_waiting) {
		/* RFC 4643 2.1: authenticate, then send the command again. */
		log_note(s->name, "480: authenticating, then sending the command again");
		rq->retried = true;
		n->auth_waiting = rq;
		nntp_auth_start(n, retry_after_auth, NULL);
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
int nntp_code_err(int code)
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
void nntp_note_reply(struct nntp *n, const struct pp_reply *r)
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
		nntp_caps_forget(n);
	}
	if (fn)
		fn(n, err, arg);
}

/* 481 refused, 482 out of sequence, 502 not permitted, 500/501/503 not
 * supported: all "authentication refused"; 483 wants TLS first. */
static int auth_reply_err(struct nntp *n, const struct pp_reply *r)
{
	nntp_note_reply(n, r);
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

static void auth_send_pass(struct nntp *n)
{
	int err;
	char *line = xasprintf("AUTHINFO PASS %s", n->s->pass);
	nntp_state(n, NS_AUTH_PASS);
	if (!nreq_send(n, line, 0, auth_pass_done, NULL, NULL, &err))
		auth_finish(n, err);
	memset(line, 0, strlen(line));
	free(line);
}

/* The password asked at a terminal came, or the question was cancelled. */
static void auth_pass_answered(struct session *s, int err, void *arg)
{
	struct nntp *n = arg;
	(void)s;
	if (err) {
		snprintf(n->detail, sizeof(n->detail), "no password given");
		auth_finish(n, err);
		return;
	}
	auth_send_pass(n);
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
		/* At a terminal the person is asked (on the loop). */
		if (session_need_password(s, auth_pass_answered, n))
			return;
		snprintf(n->detail, sizeof(n->detail),
		         "the server wants a password for %s; give it in the URL "
		         "or in ~/.netrc", s->user);
		auth_finish(n, ERR_AUTH);
		return;
	}
	auth_send_pass(n);
}

/* Log in with s->user/s->pass; fn(n, err, arg) once (err with n->detail). */
void nntp_auth_start(struct nntp *n, auth_fn fn, void *arg)
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
