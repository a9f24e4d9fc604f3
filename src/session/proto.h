/* proto.h - how a protocol plugs into ferry.
 *
 * A protocol is a const descriptor (name, URL schemes with their default
 * ports and TLS mode, reply style, command table) plus a const ops table.
 * Core code never switches on the protocol and knows none by name: the
 * composition root (main.c) registers each one; adding a protocol is one
 * more folder under proto/ and one proto_register() line there.
 */
#ifndef FERRY_PROTO_H
#define FERRY_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "pp.h"

struct session;
struct cmd_def;
struct cmdctx;

/* TLS policy of a session.  The URL scheme decides; for plain schemes the
 * protocol's setting (ftp:tls / nntp:tls: auto, require, off) does. */
enum tls_mode {
	TLS_AUTO,      /* upgrade when the server offers it, else plain */
	TLS_REQUIRE,   /* explicit upgrade (AUTH TLS / STARTTLS) or fail */
	TLS_IMPLICIT,  /* TLS from the first byte */
	TLS_OFF,       /* never */
};

struct proto_scheme {
	const char *scheme;   /* "ftp", "ftpes", ... */
	int port;             /* default port */
	enum tls_mode tls;    /* TLS_AUTO means: ask the protocol's setting */
};

typedef void (*proto_done_fn)(struct session *s, int err, void *arg);

/* What the shell's `cp` asks of a protocol: copy srcs (paths on the site
 * src) to dst_path on the site dst.  Both sites are of the protocol
 * called, and may be one site (two connections of one server). */
struct proto_copy {
	struct session *src, *dst;   /* sites (session_site()) */
	char **srcs;                 /* source paths (into ctx->argv) */
	int nsrcs;
	const char *dst_path;
	bool recursive;              /* -r: whole trees */
	bool fxp;                    /* --fxp: server to server */
};

struct proto_ops {
	/* Allocate / free the protocol's private state (s->pdata). */
	void *(*init)(struct session *s);
	void (*free)(void *pdata);
	/* Called with s->conn connected (TLS already up for TLS_IMPLICIT) and
	 * s->pp created: read the greeting, negotiate explicit TLS as s->tls
	 * demands, authenticate with s->user/s->pass, then return to the saved
	 * location (directory or group) if any.  done(s, err, arg) once; on
	 * failure s->err holds a one-line reason (server text escaped). */
	void (*login)(struct session *s, proto_done_fn done, void *arg);
	/* Polite goodbye on a ready session: queue QUIT with no callback (the
	 * session and pdata are freed right after; pp and conn live on until
	 * the reply or a short deadline). */
	void (*logout)(struct session *s);
	/* Send a cheap command on an idle ready session (NOOP, DATE). */
	void (*keepalive)(struct session *s);
	/* Current location for the prompt and `sessions` ("/pub",
	 * "comp.lang.c"), or NULL. */
	const char *(*location)(struct session *s);
	/* Forget per-connection state when the connection is lost (keep the
	 * location to return to). */
	void (*disconnected)(struct session *s);
	/* Where a new connection's login goes (before login; the location
	 * the site is at, as location() gave it). */
	void (*set_location)(struct session *s, const char *loc);
	/* Move a ready connection to loc (CWD, GROUP) before an operation
	 * borrows it; done(s, err, arg) once, with s->err set on failure. */
	void (*relocate)(struct session *s, const char *loc, proto_done_fn done, void *arg);
	/* For a URL without a host ("news:GROUP"): the server to use, as a
	 * heap "host" or "host:port" (from the environment, say), or NULL
	 * with *why set.  NULL hook: such URLs are refused. */
	char *(*default_server)(const char **why);
	/* Tab on an argument whose completion letter is letter ('r' a remote
	 * path, 'g' a group): the names that complete word, a heap array of
	 * heap strings ending with NULL, or NULL.  Names not known yet are
	 * fetched in the background (never holding the typed line): NULL is
	 * returned and ready(arg) is called once they are in, from the loop.
	 * NULL hook: nothing completes. */
	char **(*complete)(struct session *s, char letter, const char *word,
	                   void (*ready)(void *arg), void *arg);
	/* `cp` between two sites of this protocol, from the shell command's
	 * run() (ctx holds no connection): lease a connection of each site
	 * (session_acquire), copy, release them, and end with cmd_done;
	 * Ctrl-C (ctx->cancel) stops both ends.  Returns CMD_PENDING, or
	 * ERR_* (reported).  NULL hook: the protocol cannot copy. */
	int (*copy)(struct cmdctx *ctx, const struct proto_copy *req);
};

struct proto_desc {
	const char *name;                     /* "ftp", "nntp" */
	const struct proto_scheme *schemes;   /* ends with {NULL} */
	const char *tls_setting;              /* "ftp:tls" */
	/* For `help open`: what a URL's path names ("PATH", "GROUP"), and
	 * where a URL without a host finds its server (default_server's
	 * source, "$NNTPSERVER (HOST or HOST:PORT)"); NULL: not said. */
	const char *url_path;
	const char *default_server_help;
	enum pp_style style;
	const struct proto_ops *ops;
	const struct cmd_def *cmds;           /* the protocol's commands */
	size_t ncmds;
	/* Commands whose output is read page by page (an article): through
	 * $PAGER when it goes to the terminal in the foreground.  NULL or a
	 * list ending in NULL. */
	const char *const *paged;
};

/* Make a protocol known (once each, before any session is created; a
 * second registration of the same descriptor is ignored). */
void proto_register(const struct proto_desc *p);
/* The i-th registered protocol, in registration order; NULL past the last. */
const struct proto_desc *proto_nth(size_t i);

/* Find the protocol and scheme entry for a URL scheme, or NULL. */
const struct proto_desc *proto_by_scheme(const char *scheme,
                                         const struct proto_scheme **sch);

#endif
