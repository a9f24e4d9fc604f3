/* session.c - the registry of sessions: names, focus, connecting and
 * reconnecting, keepalive.  Protocol-specific work is behind proto_ops. */
#include "session.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conn.h"
#include "err.h"
#include "ev.h"
#include "log.h"
#include "netrc.h"
#include "pp.h"
#include "trust.h"
#include "ui.h"
#include "url.h"

/* A caller waiting for session_ensure(). */
struct waiter {
	proto_done_fn done;
	void *arg;
	struct waiter *next;
};

struct session_lease {
	struct session *s;           /* the site */
	struct session *conn;        /* the connection given, once started */
	proto_done_fn done;
	void *arg;
	bool started;                /* out of line, session_ensure called */
	bool cancelled;
	struct session_lease *next;
};

/* A site (a session in the registry) and each of its extra connections
 * is a session_priv; an extra one is a copy of its site with its own
 * conn, pp and protocol state, kept in the site's `extra` list and in no
 * registry list. */
struct session_priv {
	struct session pub;
	struct session_priv *next;   /* registry list, id order */
	struct waiter *waiters;      /* callers of session_ensure */
	bool held;                   /* an operation holds this connection */
	char *loc_at_acquire;        /* its location when it was given out */
	bool closing;
	/* Extra connections: */
	struct session_priv *site;   /* the site it serves; NULL for a site */
	struct session_priv *next_extra;
	/* Sites: */
	struct session_lease *line;  /* session_acquire callers, in order */
	struct session_priv *extra;  /* extra connections */
	char *want_loc;              /* where the user last moved, if known */
	int limit_cut;               /* a refused connection lowered the
	                                limit to this (0: none) */
	struct conn_stats bytes;     /* moved by connections now closed */
	struct session_pass_q *pass_q; /* a password question for this
	                                connection's login, or NULL */
	bool pass_asked;             /* a site's password was typed at the
	                                question: forgotten if refused */
};

/* A password question put to the asker for one connection's login. */
struct session_pass_q {
	struct session *s;           /* NULL once the connection is gone */
	proto_done_fn done;
	void *arg;
};

/* Deferred work on a session or connection, looked up by id when it
 * runs, so one closed in between is not touched. */
struct ensure_later {
	struct session_reg *reg;
	int id;
	int err;
};

/* A connection being closed politely after its session went away. */
struct closing {
	struct pp *pp;
	struct conn *conn;
	struct ev_timer *timer;
	int64_t deadline;
	bool polite;
	bool bye_sent;    /* our close_notify (TLS) and FIN are on their way */
	bool bye_done;    /* ... and out, or the connection ended */
	struct session_reg *reg;
	struct closing *next;
};

struct session_reg {
	struct ev *ev;
	struct config *cfg;
	struct session_priv *list;
	struct session *focus;
	struct closing *closing;
	int next_id;
	bool netrc_warned;  /* a refused ~/.netrc is reported once a run */
	session_asker_fn ask; /* asks a person for a password, or NULL */
	void *ask_arg;
};

static void wipe(char **p)
{
	if (*p) {
		memset(*p, 0, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

static struct session_priv *priv(struct session *s)
{
	return (struct session_priv *)s;
}

struct session_reg *session_reg_new(struct ev *ev, struct config *cfg)
{
	struct session_reg *reg = xcalloc(1, sizeof(*reg));
	reg->ev = ev;
	reg->cfg = cfg;
	reg->next_id = 1;
	return reg;
}

static void closing_free(struct closing *c)
{
	struct closing **pp;
	for (pp = &c->reg->closing; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	pp_free(c->pp);
	conn_free(c->conn);
	free(c);
}

static void free_session(struct session *s);

void session_reg_free(struct session_reg *reg)
{
	if (!reg)
		return;
	while (reg->list) {
		struct session_priv *p = reg->list;
		reg->list = p->next;
		free_session(&p->pub);
	}
	while (reg->closing) {
		struct closing *c = reg->closing;
		if (c->timer)
			ev_timer_del(c->timer);
		closing_free(c);
	}
	free(reg);
}

bool session_reg_closing(struct session_reg *reg)
{
	return reg->closing != NULL;
}

int session_fail(struct session *s, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return err;
}

const char *session_state_name(enum sess_state st)
{
	static const char *names[] = {
		[SESS_DISCONNECTED] = "disconnected",
		[SESS_CONNECTING] = "connecting",
		[SESS_READY] = "ready",
		[SESS_BUSY] = "busy",
	};
	return names[st];
}

/* One setter for the state, tracing old -> new (house rule 1). */
static void set_state(struct session *s, enum sess_state st)
{
	if (s->state != st)
		log_note(s->name, "session %s -> %s", session_state_name(s->state),
		         session_state_name(st));
	s->state = st;
}

/* ---- lookups ---------------------------------------------------------- */

struct session *session_first(struct session_reg *reg)
{
	return reg->list ? &reg->list->pub : NULL;
}

struct session *session_next(struct session *s)
{
	struct session_priv *n = priv(s)->next;
	return n ? &n->pub : NULL;
}

int session_count(struct session_reg *reg)
{
	int n = 0;
	for (struct session_priv *p = reg->list; p; p = p->next)
		n++;
	return n;
}

struct session *session_find(struct session_reg *reg, const char *key)
{
	char *end;
	long id = strtol(key, &end, 10);
	for (struct session_priv *p = reg->list; p; p = p->next) {
		if (strcmp(p->pub.name, key) == 0)
			return &p->pub;
	}
	if (*key && !*end) {
		for (struct session_priv *p = reg->list; p; p = p->next)
			if (p->pub.id == id)
				return &p->pub;
	}
	return NULL;
}

struct session *session_focus(struct session_reg *reg)
{
	return reg->focus;
}

void session_set_focus(struct session_reg *reg, struct session *s)
{
	reg->focus = s;
	if (s)
		session_touch(s);
}

struct session *session_recent(struct session_reg *reg, const struct proto_desc *pr)
{
	struct session *best = NULL;
	for (struct session_priv *p = reg->list; p; p = p->next) {
		struct session *s = &p->pub;
		if ((!pr || s->proto == pr) &&
		    (!best || s->last_used_ms > best->last_used_ms ||
		     (s->last_used_ms == best->last_used_ms && s->id > best->id)))
			best = s;
	}
	return best;
}

char *session_failure(const struct session *s, int err)
{
	char *esc = ui_escape_str(s->err, strlen(s->err));
	bool named = strcmp(s->name, s->host) == 0 && strstr(s->err, s->host);
	char *line = xasprintf("%s%s%s", named ? "" : s->name, named ? "" : ": ",
	                       *esc ? esc : err_str(err));
	free(esc);
	return line;
}

void session_touch(struct session *s)
{
	s->last_used_ms = ev_now_ms(s->ev);
}

void session_set_busy(struct session *s, bool busy)
{
	if (busy && s->state == SESS_READY)
		set_state(s, SESS_BUSY);
	else if (!busy && s->state == SESS_BUSY)
		set_state(s, SESS_READY);
	session_touch(s);
}

/* ---- creation --------------------------------------------------------- */

static bool name_ok(const char *n)
{
	if (!*n || *n == '@' || *n == '-' || strlen(n) > 64)
		return false;
	bool digits = true;
	for (const char *c = n; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("._-:+", *c))
			return false;
		if (!isdigit((unsigned char)*c))
			digits = false;
	}
	return !digits; /* numbers are ids */
}

/* A unique default name from the host: "host", "host-2", ... */
static char *unique_name(struct session_reg *reg, const char *base)
{
	char *name = xstrdup(base);
	for (int i = 2; session_find(reg, name); i++) {
		free(name);
		name = xasprintf("%s-%d", base, i);
	}
	return name;
}

/* ~/.netrc for this exact host (and user, if one is set). */
static void netrc_fill(struct session_reg *reg, struct session *s)
{
	char *login = NULL, *pass = NULL, *warning = NULL;
	if (netrc_lookup(NULL, s->host, s->user, &login, &pass, &warning) == 1) {
		if (!s->user)
			s->user = login;
		else
			free(login);
		s->pass = pass;
	}
	if (warning && !reg->netrc_warned) {
		ui_error("%s", warning);
		reg->netrc_warned = true;
	}
	free(warning);
}

int session_create(struct session_reg *reg, const char *text, const char *name,
                   struct session **out, const char **why)
{
	struct url u;
	const struct proto_scheme *sch = NULL;
	const struct proto_desc *pr;
	struct session_priv *p = NULL;
	int err = ERR_USAGE;

	if (url_parse(text, &u, why) < 0)
		return ERR_USAGE;
	pr = proto_by_scheme(u.scheme, &sch);
	if (!pr) {
		*why = "unknown URL scheme (ftp, ftps, ftpes, nntp, news, nntps, snews)";
		goto out;
	}
	if (!u.host) {
		/* news:GROUP: the protocol names the server, "host[:port]". */
		char *def = pr->ops->default_server ? pr->ops->default_server(why) : NULL;
		struct url su;
		const char *w2;
		if (!def) {
			if (!pr->ops->default_server)
				*why = "the URL names no server";
			goto out;
		}
		char *tmp = xasprintf("%s://%s", sch->scheme, def);
		int r = url_parse(tmp, &su, &w2);
		free(tmp);
		free(def);
		if (r < 0 || su.path || su.user) {
			if (r == 0)
				url_clear(&su);
			*why = "the default server is not HOST or HOST:PORT";
			goto out;
		}
		u.host = su.host;
		u.port = su.port;
		su.host = NULL;
		url_clear(&su);
	}
	if (name && !name_ok(name)) {
		*why = "bad session name (letters, digits, . _ - : +; not only digits)";
		goto out;
	}
	if (name && session_find(reg, name)) {
		*why = "a session with that name exists";
		goto out;
	}

	p = xcalloc(1, sizeof(*p));
	struct session *s = &p->pub;
	s->id = reg->next_id++;
	s->proto = pr;
	s->host = u.host;
	u.host = NULL;
	s->port = u.port ? u.port : sch->port;
	s->user = u.user;
	s->pass = u.pass;
	u.user = u.pass = NULL;
	s->start_path = u.path;
	u.path = NULL;
	s->tls = sch->tls;
	/* The settings as `set NAME/HOST` made them for this host. */
	s->cfg = config_view_new(reg->cfg, s->host);
	if (s->tls == TLS_AUTO) {
		const char *v = config_str(s->cfg, pr->tls_setting);
		s->tls = strcmp(v, "require") == 0 ? TLS_REQUIRE :
		         strcmp(v, "off") == 0 ? TLS_OFF : TLS_AUTO;
	}
	if (!s->pass)
		netrc_fill(reg, s);
	if (name) {
		s->name = xstrdup(name);
	} else {
		/* The host may hold any byte >= 0x80 (C1, bidi controls):
		 * the name is printed everywhere, so it is made printable
		 * once, here. */
		char *base = ui_escape_str(s->host, strlen(s->host));
		s->name = unique_name(reg, base);
		free(base);
	}
	s->ev = reg->ev;
	s->reg = reg;
	s->state = SESS_DISCONNECTED;
	/* One-shot: for this session only, and for all of its life, so a
	 * later `set` cannot change what an existing session accepts. */
	s->fingerprint = config_take(reg->cfg, "tls:fingerprint");
	s->pin = config_take(reg->cfg, "tls:pin");
	s->pdata = pr->ops->init(s);
	session_touch(s);

	struct session_priv **tail = &reg->list;
	while (*tail)
		tail = &(*tail)->next;
	*tail = p;
	reg->focus = s;
	*out = s;
	err = 0;
out:
	url_clear(&u);
	return err;
}

/* ---- connection lifecycle -------------------------------------------- */

static void finish_waiters(struct session *s, int err);
static void ensure_later(struct session *s, int err);

/* The goodbye goes on at once when something it waits for happens; the
 * 20 ms tick is only for what raises no event (a 221 from a server that
 * keeps the connection open). */
static void closing_wake(struct closing *c)
{
	if (c->timer)
		ev_timer_reset(c->timer, 0);
}

/* The goodbye's last part: the connection's events after its line layer
 * is gone.  Freed by closing_tick, never here. */
static void closing_conn_event(struct conn *conn, enum conn_event ev, int err, void *arg)
{
	struct closing *c = arg;
	(void)err;
	if (ev == CONN_READABLE) {
		struct buf *rb = conn_rbuf(conn);
		buf_consume(rb, buf_avail(rb)); /* nothing more is wanted */
		return;
	}
	c->bye_done = true; /* drained (close_notify and FIN out), EOF or error */
	closing_wake(c);
}

/* The line layer ended (the server closed after its reply to QUIT). */
static void closing_pp_error(struct pp *pp, int err, void *arg)
{
	(void)pp;
	(void)err;
	closing_wake(arg);
}

static long closing_tick(void *arg)
{
	struct closing *c = arg;
	bool late = ev_now_ms(c->reg->ev) >= c->deadline;
	if (!late && c->pp && pp_awaited(c->pp) > 0 && !pp_failed(c->pp))
		return 20; /* QUIT not answered yet */
	/* QUIT answered (or no more to wait for): close as TLS wants, with
	 * close_notify, then FIN, within the same bound (RFC 8446 6.1). */
	if (!late && c->polite && !c->bye_sent && conn_is_connected(c->conn)) {
		c->bye_sent = true;
		pp_free(c->pp);
		c->pp = NULL;
		conn_set_handler(c->conn, closing_conn_event, c);
		conn_shutdown(c->conn);
	}
	if (!late && c->bye_sent && !c->bye_done)
		return 20;
	closing_free(c);
	return 0;
}

/* Detach pp and conn from the session and free them after the goodbye
 * (or at once).  Never frees them from inside their own callbacks. */
static struct session_priv *site_of(struct session *s);
static void stats_add(struct conn_stats *to, const struct conn_stats *st)
{
	to->in_wire += st->in_wire;
	to->in_data += st->in_data;
	to->out_wire += st->out_wire;
	to->out_data += st->out_data;
}

static void detach(struct session *s, bool polite)
{
	if (priv(s)->pass_q) {
		/* The answer, when it comes, goes nowhere. */
		priv(s)->pass_q->s = NULL;
		priv(s)->pass_q = NULL;
	}
	if (!s->pp && !s->conn)
		return;
	if (s->conn) {
		/* What it moved stays counted for `sessions`. */
		struct conn_stats st;
		conn_stats(s->conn, &st);
		stats_add(&site_of(s)->bytes, &st);
	}
	struct closing *c = xcalloc(1, sizeof(*c));
	c->pp = s->pp;
	c->conn = s->conn;
	/* A connect or handshake under way must not report to s, which may
	 * be freed before it ends. */
	if (c->conn)
		conn_cancel_done(c->conn);
	/* The session may be freed before the goodbye ends: pp must not
	 * report to it any more. */
	if (c->pp) {
		pp_set_owner(c->pp, &(struct pp_owner){ .on_error = closing_pp_error, .arg = c });
		if (!polite)
			pp_cancel_all(c->pp);
	}
	c->reg = s->reg;
	c->polite = polite;
	c->deadline = ev_now_ms(s->ev) + (polite ? 2000 : 0);
	c->next = s->reg->closing;
	s->reg->closing = c;
	c->timer = ev_timer_add(s->ev, 0, closing_tick, c);
	s->pp = NULL;
	s->conn = NULL;
	if (s->keepalive) {
		ev_timer_del(s->keepalive);
		s->keepalive = NULL;
	}
}

void session_drop(struct session *s, const char *why)
{
	if (why)
		log_note(s->name, "dropping connection: %s", why);
	if (s->pp)
		pp_cancel_all(s->pp);
	detach(s, false);
	if (s->state != SESS_DISCONNECTED) {
		s->proto->ops->disconnected(s);
		set_state(s, SESS_DISCONNECTED);
	}
	/* Whoever waited for a login that will not finish hears now. */
	if (priv(s)->waiters)
		ensure_later(s, ERR_INTR);
}

static void on_pp_error(struct pp *pp, int err, void *arg)
{
	struct session *s = arg;
	log_note(s->name, "connection lost: %s", pp_error(pp));
	if (s->state == SESS_CONNECTING)
		return; /* the login callback reports it */
	session_drop(s, NULL);
}

static void on_unsolicited(struct pp *pp, const struct pp_reply *r, void *arg)
{
	struct session *s = arg;
	log_note(s->name, "unsolicited reply %d", r->code);
}

static void extra_close_later(struct session *x);

static long keepalive_tick(void *arg)
{
	struct session *s = arg;
	long every = config_int(s->cfg, "net:keepalive") * 1000;
	if (priv(s)->site) {
		/* An extra connection unused for net:idle goes away. */
		long idle = config_int(s->cfg, "net:idle") * 1000;
		if (!priv(s)->held && !priv(s)->closing &&
		    ev_now_ms(s->ev) - s->last_used_ms >= idle - 50) {
			extra_close_later(s);
			return 60000;
		}
		if (every <= 0 || idle < every)
			every = idle;
	}
	if (every <= 0)
		return 60000; /* check again later: the setting may change */
	if (s->state == SESS_READY && s->pp && pp_pending(s->pp) == 0 &&
	    ev_now_ms(s->ev) - s->last_used_ms >= every - 50)
		s->proto->ops->keepalive(s);
	return every;
}

void session_reg_settings_changed(struct session_reg *reg)
{
	long every = config_int(reg->cfg, "net:keepalive") * 1000;
	for (struct session_priv *p = reg->list; p; p = p->next)
		if (p->pub.keepalive)
			ev_timer_reset(p->pub.keepalive, every > 0 ? every : 60000);
}

void session_trust(struct session *s, const char *fp)
{
	if (priv(s)->site && &priv(s)->site->pub != s)
		session_trust(&priv(s)->site->pub, fp); /* the site's other connections too */
	free(s->fingerprint);
	s->fingerprint = xstrdup(fp);
	s->trust_read = true;
}

static void login_done(struct session *s, int err, void *arg)
{
	(void)arg;
	free(s->bad_fingerprint);
	s->bad_fingerprint = NULL;
	/* Under a pin there is nothing to ask: trusting the certificate
	 * would not make it match. */
	if (err == ERR_TLS && !s->pin && s->conn && conn_tls_fingerprint(s->conn))
		s->bad_fingerprint = xstrdup(conn_tls_fingerprint(s->conn));
	if (err) {
		if (!s->err[0])
			session_fail(s, err, "%s", err_str(err));
		struct session *site = session_site(s);
		if (err == ERR_AUTH && priv(site)->pass_asked) {
			/* A mistyped password is asked again next time. */
			wipe(&site->pass);
			wipe(&s->pass);
			priv(site)->pass_asked = false;
		}
		detach(s, false);
		s->proto->ops->disconnected(s);
		set_state(s, SESS_DISCONNECTED);
		finish_waiters(s, err);
		return;
	}
	/* Only possible when the user lowered tls:min-version; batch
	 * use must hear of it too, so this is not a ui_info. */
	int v = conn_tls_version(s->conn);
	if (v && v < 12)
		ui_error("warning: %s: TLS%d.%d is obsolete and weak, used only because "
		         "tls:min-version is %s", s->host, v / 10, v % 10,
		         config_str(s->cfg, "tls:min-version"));
	set_state(s, SESS_READY);
	long every = config_int(s->cfg, "net:keepalive") * 1000;
	if (priv(s)->site) {
		long idle = config_int(s->cfg, "net:idle") * 1000;
		if (every <= 0 || idle < every)
			every = idle;
	}
	s->keepalive = ev_timer_add(s->ev, every > 0 ? every : 60000, keepalive_tick, s);
	finish_waiters(s, 0);
}

static void start_login(struct session *s)
{
	static const struct pp_owner owner_tmpl = { on_pp_error, on_unsolicited, NULL };
	struct pp_owner owner = owner_tmpl;
	owner.arg = s;
	s->pp = pp_new(s->ev, s->conn, s->proto->style, s->name, &owner);
	pp_set_timeout(s->pp, config_int(s->cfg, "net:timeout") * 1000);
	s->proto->ops->login(s, login_done, NULL);
}

static void tls_done(struct conn *c, int err, void *arg)
{
	struct session *s = arg;
	if (err) {
		session_fail(s, err, "TLS with %s failed: %s", s->host, conn_error(c));
		login_done(s, err, NULL);
		return;
	}
	log_note(s->name, "TLS: %s%s", conn_tls_desc(c),
	         conn_tls_resumed(c) ? ", session resumed" : "");
	start_login(s);
}

static void connect_done(struct conn *c, int err, void *arg)
{
	struct session *s = arg;
	if (err) {
		session_fail(s, err, "%s", conn_error(c));
		login_done(s, err, NULL);
		return;
	}
	log_note(s->name, "connected to %s port %d", s->host, s->port);
	if (s->tls == TLS_IMPLICIT) {
		struct tls_params tp;
		session_tls_params(s, &tp);
		int e = conn_tls_start(c, &tp, tls_done, s);
		if (e < 0) {
			session_fail(s, e, "TLS with %s failed: %s", s->host, conn_error(c));
			login_done(s, e, NULL);
		}
		return;
	}
	start_login(s);
}

/* Events before pp takes over: nothing to read yet, errors come through
 * the connect and TLS callbacks. */
static void early_event(struct conn *c, enum conn_event ev, int err, void *arg)
{
	(void)c; (void)ev; (void)err; (void)arg;
}

static void finish_waiters(struct session *s, int err)
{
	struct waiter *w = priv(s)->waiters;
	priv(s)->waiters = NULL;
	while (w) {
		struct waiter *next = w->next;
		w->done(s, err, w->arg);
		free(w);
		w = next;
	}
}


/* A site or extra connection by id (extras have negative ids), or NULL
 * when it is gone. */
static struct session_priv *find_id(struct session_reg *reg, int id)
{
	for (struct session_priv *p = reg->list; p; p = p->next) {
		if (p->pub.id == id)
			return p;
		for (struct session_priv *x = p->extra; x; x = x->next_extra)
			if (x->pub.id == id)
				return x;
	}
	return NULL;
}

static void ensure_deferred(void *arg)
{
	struct ensure_later *l = arg;
	struct session_priv *p = find_id(l->reg, l->id);
	if (p && (l->err || p->pub.state == SESS_READY || p->pub.state == SESS_BUSY))
		finish_waiters(&p->pub, l->err);
	free(l);
}

/* Run fn from the loop with an ensure_later naming the session or
 * connection s by id (fn looks it up and frees the record). */
static void defer_by_id(struct session *s, int err, ev_defer_fn fn)
{
	struct ensure_later *l = xcalloc(1, sizeof(*l));
	l->reg = s->reg;
	l->id = s->id;
	l->err = err;
	ev_defer(s->ev, fn, l);
}

static void ensure_later(struct session *s, int err)
{
	defer_by_id(s, err, ensure_deferred);
}

void session_ensure(struct session *s, proto_done_fn done, void *arg)
{
	struct waiter *w = xcalloc(1, sizeof(*w));
	w->done = done;
	w->arg = arg;
	struct waiter **tail = &priv(s)->waiters;
	while (*tail)
		tail = &(*tail)->next;
	*tail = w;

	if (s->state == SESS_READY || s->state == SESS_BUSY) {
		if (s->pp && !pp_failed(s->pp)) {
			ensure_later(s, 0);
			return;
		}
		session_drop(s, "connection failed");
	}
	if (s->state == SESS_CONNECTING)
		return;

	s->err[0] = '\0';
	set_state(s, SESS_CONNECTING);
	s->conn = conn_new(s->ev, early_event, s);
	int e = conn_connect(s->conn, s->host, s->port,
	                     config_int(s->cfg, "net:timeout") * 1000, connect_done, s);
	if (e < 0) {
		session_fail(s, e, "%s", conn_error(s->conn));
		detach(s, false);
		set_state(s, SESS_DISCONNECTED);
		ensure_later(s, e);
	}
}

/* ---- a site's connections: one operation each ------------------------- */

static struct session_priv *site_of(struct session *s)
{
	return priv(s)->site ? priv(s)->site : priv(s);
}

struct session *session_site(struct session *s)
{
	return &site_of(s)->pub;
}

/* Where the site is: where the user last moved, else where its first
 * connection is. */
static const char *site_want(struct session_priv *site)
{
	if (site->want_loc)
		return site->want_loc;
	return site->pub.proto->ops->location(&site->pub);
}

const char *session_location(struct session *s)
{
	return site_want(site_of(s));
}

static int site_connections(struct session_priv *site)
{
	int n = 1;
	for (struct session_priv *x = site->extra; x; x = x->next_extra)
		n++;
	return n;
}

/* A copy of the site with no connection yet, its login going where the
 * site is.  Extras get ids -1, -2, ...: never a registry id. */
static struct session_priv *extra_new(struct session_priv *site)
{
	static int next_id = -1;
	struct session *t = &site->pub;
	struct session_priv *p = xcalloc(1, sizeof(*p));
	struct session *s = &p->pub;

	s->id = next_id--;
	s->name = xstrdup(t->name);
	s->proto = t->proto;
	s->host = xstrdup(t->host);
	s->port = t->port;
	s->user = t->user ? xstrdup(t->user) : NULL;
	s->pass = t->pass ? xstrdup(t->pass) : NULL;
	s->tls = t->tls;
	s->fingerprint = t->fingerprint ? xstrdup(t->fingerprint) : NULL;
	s->trust_read = t->trust_read;
	s->pin = t->pin ? xstrdup(t->pin) : NULL;
	s->ev = t->ev;
	s->cfg = t->cfg;
	s->reg = t->reg;
	s->state = SESS_DISCONNECTED;
	s->pdata = s->proto->ops->init(s);
	const char *loc = site_want(site);
	if (loc && s->proto->ops->set_location)
		s->proto->ops->set_location(s, loc);
	session_touch(s);
	p->site = site;
	p->next_extra = site->extra;
	site->extra = p;
	log_note(s->name, "opening connection %d of the session", site_connections(site));
	return p;
}

static void extra_unlink(struct session_priv *x)
{
	for (struct session_priv **pp = &x->site->extra; *pp; pp = &(*pp)->next_extra)
		if (*pp == x) {
			*pp = x->next_extra;
			break;
		}
}

/* A free connection for the next in line: one already where the site is,
 * else any free one, else a new one while under the limit. */
static struct session_priv *pick_free(struct session_priv *site)
{
	const char *want = site_want(site);
	struct session_priv *any = NULL;
	for (struct session_priv *c = site; c; c = c == site ? site->extra : c->next_extra) {
		if (c->held || c->closing)
			continue;
		const char *here = c->pub.proto->ops->location(&c->pub);
		if (!want || (here && strcmp(here, want) == 0))
			return c;
		if (!any)
			any = c;
	}
	if (any)
		return any;
	long limit = config_int(site->pub.cfg, "net:connection-limit");
	if (site->limit_cut && site->limit_cut < limit)
		limit = site->limit_cut;
	if (site_connections(site) < limit)
		return extra_new(site);
	return NULL;
}

static void lease_next(struct session *s);

static void grant(struct session_lease *l, struct session *c)
{
	struct session_priv *p = priv(c);
	const char *here = c->proto->ops->location(c);
	free(p->loc_at_acquire);
	p->loc_at_acquire = here ? xstrdup(here) : NULL;
	session_set_busy(c, true);
	proto_done_fn done = l->done;
	void *darg = l->arg;
	free(l);
	done(c, 0, darg);
}

/* A lease that will not be granted: the connection goes back. */
static void lease_drop(struct session_lease *l, struct session *c)
{
	struct session_priv *site = site_of(c);
	priv(c)->held = false;
	free(l);
	lease_next(&site->pub);
}

static void lease_relocated(struct session *c, int err, void *arg)
{
	struct session_lease *l = arg;
	if (l->cancelled) {
		lease_drop(l, c);
		return;
	}
	if (err) {
		proto_done_fn done = l->done;
		void *darg = l->arg;
		struct session_priv *site = site_of(c);
		priv(c)->held = false;
		free(l);
		done(c, err, darg);
		lease_next(&site->pub);
		return;
	}
	grant(l, c);
}


static void lease_ensured(struct session *c, int err, void *arg)
{
	struct session_lease *l = arg;
	struct session_priv *p = priv(c), *site = site_of(c);

	if (l->cancelled) {
		lease_drop(l, c);
		return;
	}
	if (err && p->site) {
		/* An extra connection refused (a per-address limit, say): the
		 * operation waits for one of those that work. */
		p->held = false;
		site->limit_cut = site_connections(site) - 1;
		log_note(c->name, "another connection failed (%s): at most %d for "
		         "this session now", c->err, site->limit_cut);
		l->started = false;
		l->conn = NULL;
		l->next = site->line;
		site->line = l;
		extra_close_later(c);
		lease_next(&site->pub);
		return;
	}
	if (err) {
		proto_done_fn done = l->done;
		void *darg = l->arg;
		p->held = false;
		free(l);
		done(c, err, darg);
		lease_next(&site->pub);
		return;
	}
	const char *want = site_want(site);
	const char *here = c->proto->ops->location(c);
	if (want && (!here || strcmp(want, here) != 0) && c->proto->ops->relocate) {
		c->proto->ops->relocate(c, want, lease_relocated, l);
		return;
	}
	grant(l, c);
}

static void lease_next(struct session *s)
{
	struct session_priv *site = site_of(s);

	while (site->line) {
		struct session_priv *c = pick_free(site);
		if (!c)
			return;
		struct session_lease *l = site->line;
		site->line = l->next;
		c->held = true;
		l->started = true;
		l->conn = &c->pub;
		session_ensure(&c->pub, lease_ensured, l);
	}
}

struct session_lease *session_acquire(struct session *s, proto_done_fn done, void *arg)
{
	struct session_priv *site = site_of(s);
	struct session_lease *l = xcalloc(1, sizeof(*l));
	struct session_lease **tail = &site->line;
	l->s = &site->pub;
	l->done = done;
	l->arg = arg;
	while (*tail)
		tail = &(*tail)->next;
	*tail = l;
	lease_next(&site->pub);
	return l;
}

bool session_lease_waiting(const struct session_lease *l)
{
	return !l->started;
}

struct session *session_lease_conn(const struct session_lease *l)
{
	return l->started ? l->conn : NULL;
}

void session_lease_cancel(struct session_lease *l)
{
	if (l->started) {
		l->cancelled = true; /* lease_ensured frees it */
		return;
	}
	struct session_lease **pl;
	for (pl = &priv(l->s)->line; *pl; pl = &(*pl)->next)
		if (*pl == l) {
			*pl = l->next;
			break;
		}
	free(l);
}

static void release_deferred(void *arg)
{
	struct ensure_later *l = arg;
	struct session_priv *p = find_id(l->reg, l->id);
	if (p)
		lease_next(&p->pub);
	free(l);
}

void session_release(struct session *s)
{
	struct session_priv *p = priv(s), *site = site_of(s);
	/* The operation moved (cd, group): the site is there now. */
	const char *here = s->proto->ops->location(s);
	if (here && (!p->loc_at_acquire || strcmp(here, p->loc_at_acquire) != 0)) {
		free(site->want_loc);
		site->want_loc = xstrdup(here);
	}
	p->held = false;
	session_set_busy(s, false);
	if (site->line)
		defer_by_id(&site->pub, 0, release_deferred);
}

bool session_in_use(struct session *s)
{
	struct session_priv *site = site_of(s);
	if (site->line)
		return true;
	for (struct session_priv *c = site; c; c = c == site ? site->extra : c->next_extra)
		if (c->held)
			return true;
	return false;
}

int session_waiting(struct session *s)
{
	int n = 0;
	for (struct session_lease *l = site_of(s)->line; l; l = l->next)
		n++;
	return n;
}

int session_connections(struct session *s)
{
	return site_connections(site_of(s));
}

void session_bytes(struct session *s, struct conn_stats *out)
{
	struct session_priv *site = site_of(s);
	struct conn_stats st;

	*out = site->bytes;
	if (site->pub.conn) {
		conn_stats(site->pub.conn, &st);
		stats_add(out, &st);
	}
	for (struct session_priv *x = site->extra; x; x = x->next_extra)
		if (x->pub.conn) {
			conn_stats(x->pub.conn, &st);
			stats_add(out, &st);
		}
}

/* Close an extra connection (unused past net:idle, or refused): from the
 * loop, never inside its own callbacks. */
static void extra_close_deferred(void *arg)
{
	struct ensure_later *l = arg;
	struct session_priv *x = find_id(l->reg, l->id);
	free(l);
	if (!x || !x->site || x->held)
		return;
	extra_unlink(x);
	free_session(&x->pub);
}

static void extra_close_later(struct session *x)
{
	priv(x)->closing = true;
	defer_by_id(x, 0, extra_close_deferred);
}

void session_tls_params(struct session *s, struct tls_params *p)
{
	memset(p, 0, sizeof(*p));
	if (!s->trust_read) {
		/* Read at the first handshake, so an "always" answered in
		 * another session meanwhile counts; a one-shot tls:fingerprint
		 * wins over the file. */
		if (!s->fingerprint)
			s->fingerprint = trust_lookup(s->host, s->port);
		s->trust_read = true;
	}
	const char *ca = config_str(s->cfg, "tls:ca-file");
	const char *min = config_str(s->cfg, "tls:min-version");
	/* The setting is "1.0" to "1.3" (checked by config_set). */
	p->min_version = 10 + (min[0] && min[1] == '.' ? min[2] - '0' : 2);
	p->host = s->host;
	p->ca_file = *ca ? ca : NULL;
	p->fingerprint = s->fingerprint;
	p->pin = s->pin;
	p->verify = true;
}

/* ---- closing ---------------------------------------------------------- */

static void free_session(struct session *s)
{
	while (priv(s)->extra) {
		struct session_priv *x = priv(s)->extra;
		priv(s)->extra = x->next_extra;
		free_session(&x->pub);
	}
	free(priv(s)->want_loc);
	free(priv(s)->loc_at_acquire);
	if (s->state == SESS_READY && s->pp && !pp_failed(s->pp)) {
		pp_cancel_all(s->pp);
		s->proto->ops->logout(s);
		detach(s, true);
	} else {
		detach(s, false);
	}
	if (s->keepalive)
		ev_timer_del(s->keepalive);
	struct waiter *w = priv(s)->waiters;
	while (w) {
		struct waiter *next = w->next;
		/* A started lease is owned by its waiter entry. */
		if (w->done == lease_ensured)
			free(w->arg);
		free(w);
		w = next;
	}
	while (priv(s)->line) {
		struct session_lease *l = priv(s)->line;
		priv(s)->line = l->next;
		free(l);
	}
	s->proto->ops->free(s->pdata);
	free(s->name);
	free(s->host);
	free(s->user);
	wipe(&s->pass);
	free(s->start_path);
	if (!priv(s)->site)
		config_free(s->cfg); /* the site's view; its extras share it */
	free(s->fingerprint);
	free(s->pin);
	free(s->bad_fingerprint);
	free(priv(s));
}

void session_close(struct session *s)
{
	struct session_reg *reg = s->reg;
	struct session_priv **pp;
	for (pp = &reg->list; *pp; pp = &(*pp)->next) {
		if (&(*pp)->pub == s) {
			*pp = (*pp)->next;
			break;
		}
	}
	free_session(s);
	if (reg->focus == s)
		reg->focus = session_recent(reg, NULL);
}

/* ---- passwords asked of a person -------------------------------------- */

void session_reg_set_asker(struct session_reg *reg, session_asker_fn ask, void *arg)
{
	reg->ask = ask;
	reg->ask_arg = arg;
}

/* The site got a password while this connection waited for its turn. */
static void pass_known_deferred(void *arg)
{
	session_pass_answer(arg, NULL);
}

bool session_need_password(struct session *s, proto_done_fn done, void *arg)
{
	struct session *site = session_site(s);
	struct session_pass_q *q = xcalloc(1, sizeof(*q));
	q->s = s;
	q->done = done;
	q->arg = arg;
	if (priv(s)->pass_q)
		priv(s)->pass_q->s = NULL;
	priv(s)->pass_q = q;
	if (site != s && site->pass && (!s->user || !site->user ||
	                                strcmp(s->user, site->user) == 0)) {
		ev_defer(s->ev, pass_known_deferred, q);
		return true;
	}
	if (s->reg->ask && s->reg->ask(s->reg->ask_arg, s, q))
		return true;
	priv(s)->pass_q = NULL;
	free(q);
	return false;
}

struct session *session_pass_session(struct session_pass_q *q)
{
	return q->s;
}

void session_pass_answer(struct session_pass_q *q, const char *pass)
{
	struct session *s = q->s;
	proto_done_fn done = q->done;
	void *arg = q->arg;
	free(q);
	if (!s)
		return;
	priv(s)->pass_q = NULL;
	struct session *site = session_site(s);
	if (pass) {
		/* Kept on the site for reconnects and the pool. */
		wipe(&site->pass);
		site->pass = xstrdup(pass);
		priv(site)->pass_asked = true;
	}
	if (!site->pass) {
		done(s, ERR_INTR, arg);
		return;
	}
	if (s != site) {
		wipe(&s->pass);
		s->pass = xstrdup(site->pass);
	}
	done(s, 0, arg);
}

void session_set_login(struct session *s, const char *user, const char *pass)
{
	s = session_site(s);
	free(s->user);
	wipe(&s->pass);
	s->user = xstrdup(user);
	priv(s)->pass_asked = false;
	if (pass)
		s->pass = xstrdup(pass);
	else
		netrc_fill(s->reg, s);
	/* Extra connections logged in as the old user: they go, and come
	 * back as copies of the site when needed. */
	while (priv(s)->extra) {
		struct session_priv *x = priv(s)->extra;
		priv(s)->extra = x->next_extra;
		free_session(&x->pub);
	}
	session_drop(s, "new login");
}
