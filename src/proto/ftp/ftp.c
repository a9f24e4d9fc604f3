/* ftp.c - the FTP protocol: descriptor, session ops, the login state
 * machine and following the site on another connection.  The commands
 * are in ftp_cmds.c (and ftp_get.c for transfers) over the machinery of
 * ftp_op.c; data connections live in ftp_xfer.c, the reply parsers in
 * ftp_parse.c.
 *
 * Login (one reply callback, one state setter):
 *   greeting 220 -> [AUTH TLS -> 234 -> handshake] -> [PBSZ 0 -> PROT P]
 *   -> USER -> [PASS] -> TYPE I -> FEAT -> [OPTS UTF8 ON] -> [CWD saved or
 *   URL dir] -> [PWD]
 * With TLS required, nothing but AUTH TLS is sent before the handshake,
 * whatever the greeting says (curl CVE-2021-22946), and a refusal of
 * AUTH TLS or PROT P ends the login before USER.
 *
 * Commands keep their state in a struct ftp_op (an operation, op.h; also
 * f->op).  Ctrl-C closes the data connection, discards the reply still due
 * (pp keeps the session in step: the reply is read and dropped, ABOR
 * follows a transfer command) and finishes with ERR_INTR.
 */
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

/* ==== login state machine ============================================ */

static const char *const state_names[] = {
	[FS_IDLE] = "idle",
	[FS_GREETING] = "greeting",
	[FS_AUTH] = "auth-tls",
	[FS_HANDSHAKE] = "tls-handshake",
	[FS_PBSZ] = "pbsz",
	[FS_PROT] = "prot",
	[FS_USER] = "user",
	[FS_PASS] = "pass",
	[FS_TYPE] = "type",
	[FS_FEAT] = "feat",
	[FS_OPTS] = "opts-utf8",
	[FS_CWD] = "cwd",
	[FS_PWD] = "pwd",
	[FS_READY] = "ready",
};

static void set_state(struct ftp *f, enum ftp_state st)
{
	if (f->state != st)
		log_note(f->s->name, "ftp %s -> %s", state_names[f->state],
		         state_names[st]);
	f->state = st;
}

/* Escaped first line of a reply for messages (caller frees). */
char *ftp_reply_esc(const struct pp_reply *r)
{
	return ui_escape_str(r->msg, strlen(r->msg));
}

static void login_finish(struct ftp *f, int err)
{
	proto_done_fn done = f->login_done;
	void *arg = f->login_arg;

	f->login_done = NULL;
	f->login_arg = NULL;
	if (err)
		set_state(f, FS_IDLE);
	else
		set_state(f, FS_READY);
	if (done)
		done(f->s, err, arg);
}

static void login_fail(struct ftp *f, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void login_fail(struct ftp *f, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->s->err, sizeof(f->s->err), fmt, ap);
	va_end(ap);
	login_finish(f, err);
}

/* Fail with the server's reply in the reason. */
static void login_fail_reply(struct ftp *f, int err, const char *what,
                             const struct pp_reply *r)
{
	char *esc = ftp_reply_esc(r);
	login_fail(f, err, "%s: %d %s", what, r->code, esc);
	free(esc);
}

static void login_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg);

static void login_send(struct ftp *f, enum ftp_state st, const char *line, int mask_from)
{
	struct pp_cmd c = { .done = login_reply, .arg = f, .mask_from = mask_from };

	set_state(f, st);
	int e = pp_send(f->s->pp, line, &c);
	if (e == ERR_USAGE)
		login_fail(f, ERR_USAGE, "line breaks in a login command");
	else if (e < 0)
		login_fail(f, e, "cannot send: %s", pp_error(f->s->pp));
}

/* An anonymous login (no user, or the user anonymous or ftp): nothing
 * secret on the wire, so it may go on in clear under ftp:tls auto. */
static bool ftp_anonymous(const struct session *s)
{
	return !s->user || strcasecmp(s->user, "anonymous") == 0 ||
	       strcasecmp(s->user, "ftp") == 0;
}

static void send_user(struct ftp *f)
{
	const char *user = f->s->user ? f->s->user : "anonymous";
	char *line = xasprintf("USER %s", user);
	login_send(f, FS_USER, line, 0);
	free(line);
}

static void send_pass(struct ftp *f);

/* The password asked at a terminal (session_need_password) came, or the
 * question was cancelled. */
static void pass_answered(struct session *s, int err, void *arg)
{
	struct ftp *f = arg;
	(void)s;
	if (err)
		login_fail(f, err, "no password given");
	else
		send_pass(f);
}

static void send_pass(struct ftp *f)
{
	const char *pass = f->s->pass;
	if (!pass && !f->s->user)
		pass = "ferry@";
	if (!pass) {
		if (session_need_password(f->s, pass_answered, f))
			return;
		login_fail(f, ERR_AUTH, "the server wants a password for %s; give it "
		           "in the URL or in ~/.netrc", f->s->user);
		return;
	}
	char *line = xasprintf("PASS %s", pass);
	login_send(f, FS_PASS, line, 5);
	memset(line, 0, strlen(line));
	free(line);
}

static void send_pbsz(struct ftp *f)
{
	login_send(f, FS_PBSZ, "PBSZ 0", 0);
}

/* After the greeting: explicit TLS as the policy says, else log in. */
static void after_greeting(struct ftp *f)
{
	struct session *s = f->s;

	if (conn_is_tls(s->conn))
		send_pbsz(f);        /* implicit TLS: already up */
	else if (s->tls == TLS_IMPLICIT)
		login_fail(f, ERR_TLS, "implicit TLS is not up");
	else if (s->tls == TLS_REQUIRE || s->tls == TLS_AUTO)
		login_send(f, FS_AUTH, "AUTH TLS", 0);
	else
		send_user(f);
}

static void tls_done(struct conn *c, int err, void *arg)
{
	struct ftp *f = arg;

	if (err) {
		login_fail(f, ERR_TLS, "TLS with %s failed: %s", f->s->host, conn_error(c));
		return;
	}
	log_note(f->s->name, "TLS: %s", conn_tls_desc(c));
	send_pbsz(f);
}

static void start_tls(struct ftp *f)
{
	struct session *s = f->s;
	struct tls_params tp;

	set_state(f, FS_HANDSHAKE);
	session_tls_params(s, &tp);
	int e = conn_tls_start(s->conn, &tp, tls_done, f);
	if (e == ERR_PROTO)
		login_fail(f, ERR_PROTO, "server sent data before the TLS handshake "
		           "(reply injection?)");
	else if (e < 0)
		login_fail(f, ERR_TLS, "TLS with %s failed: %s", s->host, conn_error(s->conn));
}

/* Where to go after login: back to the saved directory, else the URL's. */
static void goto_location(struct ftp *f)
{
	struct session *s = f->s;
	const char *dir = NULL;

	f->restoring = false;
	if (f->cwd) {
		dir = f->cwd;
		f->restoring = true;
	} else if (!f->start_done && s->start_path && *s->start_path) {
		dir = s->start_path;
	}
	if (!dir) {
		login_send(f, FS_PWD, "PWD", 0);
		return;
	}
	char *line = xasprintf("CWD %s", dir);
	login_send(f, FS_CWD, line, 0);
	free(line);
}

static void login_step(struct ftp *f, const struct pp_reply *r)
{
	struct session *s = f->s;
	int code = r->code;

	switch (f->state) {
	case FS_GREETING:
		/* RFC 959 5.4: 220 (after any 120), or 421 to refuse; any
		 * other greeting (a 230 that would skip AUTH TLS, say) is a
		 * protocol violation. */
		if (code == 421) {
			login_fail_reply(f, ERR_NET, "server refused the connection", r);
			return;
		}
		if (code != 220) {
			login_fail_reply(f, ERR_PROTO, "unexpected greeting (not 220)", r);
			return;
		}
		after_greeting(f);
		return;
	case FS_AUTH:
		if (code == 234) {
			start_tls(f);
			return;
		}
		if (s->tls == TLS_REQUIRE) {
			login_fail_reply(f, ERR_TLS, "TLS required but the server "
			                 "refused AUTH TLS", r);
			return;
		}
		if (code == 421 || code < 400) {
			login_fail_reply(f, code == 421 ? ERR_NET : ERR_PROTO,
			                 "unexpected reply to AUTH TLS", r);
			return;
		}
		/* ftp:tls auto: no password ever goes out in clear (a server
		 * or a man in the middle refusing AUTH TLS must not get it);
		 * only an anonymous login carries on without TLS. */
		if (!ftp_anonymous(s)) {
			char *esc = ftp_reply_esc(r);
			login_fail(f, ERR_TLS, "the server refused AUTH TLS (%d %s), "
			           "so the password is not sent in clear; set ftp:tls "
			           "off to allow that", r->code, esc);
			free(esc);
			return;
		}
		log_note(s->name, "server refused AUTH TLS; continuing without TLS");
		ui_info("ferry: warning: %s: no TLS (AUTH TLS refused); anonymous "
		        "login in clear", s->name);
		send_user(f);
		return;
	case FS_PBSZ:
		if (code / 100 != 2) {
			if (s->tls != TLS_AUTO) {
				login_fail_reply(f, ERR_TLS, "server refused PBSZ", r);
				return;
			}
			log_note(s->name, "PBSZ refused: data connections in clear");
			ui_info("ferry: warning: %s: PBSZ refused; data "
			        "connections in clear", s->name);
			f->prot_p = false;
			send_user(f);
			return;
		}
		login_send(f, FS_PROT, "PROT P", 0);
		return;
	case FS_PROT:
		if (code / 100 == 2) {
			f->prot_p = true;
		} else if (s->tls != TLS_AUTO) {
			login_fail_reply(f, ERR_TLS, "TLS required but the server "
			                 "refused PROT P", r);
			return;
		} else {
			log_note(s->name, "PROT P refused: data connections in clear");
			ui_info("ferry: warning: %s: PROT P refused; data "
			        "connections in clear", s->name);
			f->prot_p = false;
		}
		send_user(f);
		return;
	case FS_USER:
	case FS_PASS:
		if (code == 230 || (f->state == FS_PASS && code == 202)) {
			login_send(f, FS_TYPE, "TYPE I", 0);
			return;
		}
		if (f->state == FS_USER && code == 331) {
			send_pass(f);
			return;
		}
		if (code == 332) {
			login_fail_reply(f, ERR_AUTH, "the server wants an account "
			                 "(ACCT), which ferry does not support", r);
			return;
		}
		if (code == 421 || (code >= 400 && code < 500)) {
			login_fail_reply(f, ERR_NET, "login failed", r);
			return;
		}
		login_fail_reply(f, ERR_AUTH, code == 530 ? "login incorrect" :
		                 "login refused", r);
		return;
	case FS_TYPE:
		if (code / 100 != 2) {
			login_fail_reply(f, ftp_reply_err(code) == ERR_NET ? ERR_NET : ERR_FAIL,
			                 "server refused binary mode (TYPE I)", r);
			return;
		}
		f->type = 'I';
		login_send(f, FS_FEAT, "FEAT", 0);
		return;
	case FS_FEAT:
		if (code == 211) {
			ftp_parse_feat(r->text, &f->feat);
			f->feat_known = true;
			log_note(s->name, "features:%s%s%s%s%s",
			         f->feat.epsv ? " EPSV" : "", f->feat.mlst ? " MLST" : "",
			         f->feat.size ? " SIZE" : "", f->feat.mdtm ? " MDTM" : "",
			         f->feat.utf8 ? " UTF8" : "");
		}
		/* RFC 2640: names are UTF-8 from now on.  Servers that list
		 * UTF8 mostly use it already; a refusal changes nothing. */
		if (f->feat_known && f->feat.utf8) {
			login_send(f, FS_OPTS, "OPTS UTF8 ON", 0);
			return;
		}
		goto_location(f);
		return;
	case FS_OPTS:
		if (code == 421) {
			login_fail_reply(f, ERR_NET, "OPTS UTF8 ON", r);
			return;
		}
		goto_location(f);
		return;
	case FS_CWD:
		if (code / 100 == 2) {
			if (f->restoring) {
				login_finish(f, 0);
				return;
			}
			f->start_done = true;
			login_send(f, FS_PWD, "PWD", 0);
			return;
		}
		if (f->restoring) {
			char *d = ui_escape_str(f->cwd, strlen(f->cwd));
			char *e = ftp_reply_esc(r);
			ui_error("%s: cannot return to %s: %d %s", s->name, d, code, e);
			free(d);
			free(e);
			free(f->cwd);
			f->cwd = NULL;
			login_send(f, FS_PWD, "PWD", 0);
			return;
		}
		f->start_done = true; /* reported once; later logins stay home */
		{
			char *d = ui_escape_str(s->start_path, strlen(s->start_path));
			char *e = ftp_reply_esc(r);
			int err = ftp_reply_err(code);
			login_fail(f, err ? err : ERR_PROTO, "cd %s: %d %s", d, code, e);
			free(d);
			free(e);
		}
		return;
	case FS_PWD:
		if (code == 257) {
			char *path = NULL;
			if (ftp_parse_257(r->msg, &path) == 0) {
				free(f->cwd);
				f->cwd = path;
			} else {
				log_note(s->name, "malformed PWD reply ignored");
			}
		}
		f->start_done = true;
		login_finish(f, 0);
		return;
	default:
		login_fail(f, ERR_PROTO, "reply in login state %s", state_names[f->state]);
		return;
	}
}

static void login_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct ftp *f = arg;

	if (err) {
		login_fail(f, err, "connection to %s lost during login: %s",
		           f->s->host, pp_error(pp));
		return;
	}
	if (!r->final) {
		/* 120 "ready in nnn minutes" before the 220; other 1xx here
		 * mean nothing: wait for the final reply. */
		return;
	}
	login_step(f, r);
}

/* ==== proto ops ========================================================= */

static void *ftp_init(struct session *s)
{
	struct ftp *f = xcalloc(1, sizeof(*f));
	f->s = s;
	f->state = FS_IDLE;
	f->passive = -1;
	return f;
}

bool ftp_site_ascii(struct session *s)
{
	const struct ftp *site = session_site(s)->pdata;
	return site->ascii;
}

bool ftp_site_passive(struct session *s)
{
	const struct ftp *site = session_site(s)->pdata;
	if (site->passive >= 0)
		return site->passive;
	return config_bool(s->cfg, "ftp:passive");
}


static void ftp_free(void *pdata)
{
	struct ftp *f = pdata;
	if (!f)
		return;
	if (f->op)
		op_abort(&f->op->o, ERR_NET, "session closed");
	ftp_cfetch_cancel(f);
	ftp_cache_free(f);
	free(f->cwd);
	free(f->prev_cwd);
	free(f);
}

static void ftp_login(struct session *s, proto_done_fn done, void *arg)
{
	struct ftp *f = s->pdata;
	struct pp_cmd c = { .done = login_reply, .arg = f };

	f->login_done = done;
	f->login_arg = arg;
	f->prot_p = false;
	f->sscn_on = false;
	f->epsv_refused = false;
	f->eprt_refused = false;
	f->type = 0;
	f->feat_known = false;
	memset(&f->feat, 0, sizeof(f->feat));
	set_state(f, FS_GREETING);
	/* Two on the wire at most, and only commands marked pipeline: a
	 * mirror's MDTM and the EPSV (PASV, EPRT, PORT) behind it. */
	pp_set_pipeline(s->pp, 2);
	int e = pp_expect(s->pp, &c);
	if (e < 0)
		login_fail(f, e, "cannot read the greeting: %s", pp_error(s->pp));
}

static void ignore_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	(void)pp; (void)err; (void)r; (void)arg;
}

static void ftp_logout(struct session *s)
{
	struct pp_cmd c = { .done = ignore_reply };
	if (!s->pp)
		return;
	if (pp_unwatched_due(s->pp)) {
		/* A transfer given up is still being answered (vsftpd reads
		 * ABOR only once its rate limiter wakes): QUIT goes now, and
		 * the goodbye does not wait for any of it. */
		struct pp_cmd none = { 0 };
		pp_send_urgent(s->pp, "QUIT", &none);
		pp_cancel_all(s->pp);
		return;
	}
	pp_send(s->pp, "QUIT", &c);
}

static void ftp_keepalive(struct session *s)
{
	struct pp_cmd c = { .done = ignore_reply };
	if (s->pp)
		pp_send(s->pp, "NOOP", &c);
}

static const char *ftp_location(struct session *s)
{
	struct ftp *f = s->pdata;
	return f->cwd;
}

static void ftp_disconnected(struct session *s)
{
	struct ftp *f = s->pdata;

	if (f->op)
		op_abort(&f->op->o, ERR_NET, "connection lost");
	f->login_done = NULL;
	f->login_arg = NULL;
	f->prot_p = false;
	f->sscn_on = false;
	f->epsv_refused = false;
	f->eprt_refused = false;
	f->type = 0;
	f->feat_known = false;
	set_state(f, FS_IDLE);
}

/* ---- a session's other connections ------------------------------------ */

static void ftp_set_location(struct session *s, const char *loc)
{
	struct ftp *f = s->pdata;
	free(f->cwd);
	f->cwd = xstrdup(loc);
}

struct reloc {
	struct session *s;
	char *dir;
	proto_done_fn done;
	void *arg;
};

static void reloc_reply(struct pp *pp, int err, const struct pp_reply *r, void *arg)
{
	struct reloc *rl = arg;
	struct session *s = rl->s;
	(void)pp;
	if (!err && r->code / 100 == 2) {
		ftp_set_cwd(s->pdata, rl->dir);
		rl->dir = NULL;
	} else if (!err) {
		char *d = ui_escape_str(rl->dir, strlen(rl->dir));
		char *e = ftp_reply_esc(r);
		err = ftp_reply_err(r->code);
		session_fail(s, err ? err : ERR_PROTO, "cannot go to %s: %d %s", d, r->code, e);
		err = err ? err : ERR_PROTO;
		free(d);
		free(e);
	} else {
		session_fail(s, err, "%s", pp_error(s->pp));
	}
	proto_done_fn done = rl->done;
	void *darg = rl->arg;
	free(rl->dir);
	free(rl);
	done(s, err, darg);
}

/* The site moved on another connection: follow it (CWD). */
static void ftp_relocate(struct session *s, const char *loc, proto_done_fn done, void *arg)
{
	struct reloc *rl = xcalloc(1, sizeof(*rl));
	rl->s = s;
	rl->dir = xstrdup(loc);
	rl->done = done;
	rl->arg = arg;
	struct pp_cmd c = { .done = reloc_reply, .arg = rl };
	char *line = xasprintf("CWD %s", loc);
	int e = pp_send(s->pp, line, &c);
	free(line);
	if (e < 0) {
		session_fail(s, e, "%s", pp_error(s->pp));
		free(rl->dir);
		free(rl);
		done(s, e, arg);
	}
}

const struct proto_ops ftp_ops = {
	.init = ftp_init,
	.free = ftp_free,
	.login = ftp_login,
	.logout = ftp_logout,
	.keepalive = ftp_keepalive,
	.location = ftp_location,
	.disconnected = ftp_disconnected,
	.set_location = ftp_set_location,
	.relocate = ftp_relocate,
	.complete = ftp_complete,
	.copy = ftp_copy,
};

