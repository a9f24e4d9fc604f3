/* nntp_int.h - private to the NNTP module (proto/nntp): the per-connection
 * NNTP state, requests, and what its files share.
 */
#ifndef FERRY_NNTP_INT_H
#define FERRY_NNTP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "nntp.h"
#include "op.h"
#include "pp.h"

struct session;

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
	NS_COMPRESS,
	NS_GROUP,
	NS_READY,
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
	int id;                 /* pp's handle, while on the wire */
	bool collect;
	bool auth_retry;        /* 480: log in and resend once */
	bool retried;
	bool cancelled;         /* by nreq_cancel while its login runs */
	bool cont_ok;           /* a 3xx reply is expected */
	bool expect;            /* nothing to send: wait for the reply to
	                           what went out raw (an article after 340) */
	bool pipe;              /* NR_PIPE */
	uint64_t lines, bytes;  /* block received so far */
};

/* NR_EXPECT: line only names the request (trace, want_block); nothing is
 * sent (pp_expect).  NR_PIPE: may be pipelined (pp.h) with other NR_PIPE
 * requests: only commands that change no state (OVER, HDR, ARTICLE/HEAD/STAT
 * by number or message-id; never GROUP, NEXT, LAST or a login step). */
enum { NR_COLLECT = 1, NR_AUTH_RETRY = 2, NR_CONT = 4, NR_EXPECT = 8, NR_PIPE = 16 };

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
	bool compress_tried;
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
	struct nreq *auth_waiting;  /* the requests to resend after a 480, in
	                               order (linked by next) */

	/* Location: kept across reconnects. */
	char *group;
	uint64_t cur;
	bool have_cur;
	bool start_done;        /* s->start_path was tried */
	/* The last GROUP reply for group (nntp_set_group). */
	uint64_t g_count, g_low, g_high;
	bool g_empty, g_known;
	struct nsrv *srv;       /* the server's .newsrc, shared (nntp_read.c) */
	struct ngroups *groups; /* the site's group names for Tab
	                           (nntp_groups.c), or NULL */
};

/* nntp_groups.c: proto_ops.complete ('g': group names), and freeing the
 * site's list (and a fetch under way). */
char **nntp_complete(struct session *s, char letter, const char *word,
                     void (*ready)(void *arg), void *arg);
void nntp_groups_free(struct nntp *n);

/* nntp.c: the one setter of the login state (traced). */
void nntp_state(struct nntp *n, enum nstate st);
/* nntp.c: forget the capabilities after a step that may change them
 * (MODE READER, STARTTLS, AUTHINFO, COMPRESS); re-read before the next. */
void nntp_caps_forget(struct nntp *n);
/* nntp.c: the session ops, for the descriptor (nntp_cmds.c). */
extern const struct proto_ops nntp_ops;

/* nntp_req.c */
void nreq_free(struct nreq *rq);
struct nreq *nreq_send(struct nntp *n, const char *line, unsigned flags,
                      nreq_fn fn, void *arg, pp_line_fn on_line, int *errp);
void nreq_drop_all(struct nntp *n, int err);
/* Forget one request (Ctrl-C): fn is never called and rq is freed.  Its
 * reply is read and discarded when it comes (pp_cancel); one waiting for
 * the login its 480 started is not sent again. */
void nreq_cancel(struct nreq *rq);
void nreq_done(struct pp *pp, int err, const struct pp_reply *r, void *arg);
int nntp_code_err(int code);
void nntp_note_reply(struct nntp *n, const struct pp_reply *r);
void nntp_auth_start(struct nntp *n, auth_fn fn, void *arg);

/* One running command: the shared operation (op.h) first. */
struct nop {
	struct op o;
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
	bool paused_pp;         /* nop_flow paused the connection's pp */
	void *ext;              /* a command's own state (nntp_read.c) */
	void (*ext_free)(void *ext);
	/* Ctrl-C: cancel the requests besides rq a command keeps in flight
	 * (pipelined), before rq itself is. */
	void (*stop_more)(struct nop *op);
	/* Set: the command's requests are pipelined by nntp_pipe.c (line
	 * unused), its state in pipe. */
	const struct npipe_ops *pipe_ops;
	struct npipe *pipe;
};

struct cmdctx;
struct op;
/* nntp_cmds.c: the command framework the reader files share. */
struct nop *nop_of(struct op *o);
/* A new command op for ctx's connection sending line (taken) with flags;
 * fn gets the reply. */
struct nop *nop_new(struct cmdctx *ctx, char *line, unsigned flags, nreq_fn fn);
/* Start op from run(): CMD_PENDING, or the error (op freed). */
int nop_go(struct nop *op);
/* Start a command over the current group's overview: GROUP first (the
 * counts now, not those of the last `group`), fn gets its reply; ext is
 * the command's state, freed with ext_free also when nothing is sent (no
 * group selected: an error saying to select one). */
int nop_go_group(struct cmdctx *ctx, nreq_fn fn, void *ext, void (*ext_free)(void *));
/* Print the request's error (with a hint) and return the status. */
int nop_error(struct nop *op, int err, const struct pp_reply *r);
/* nop_error, then op_finish. */
void nop_fail(struct nop *op, int err, const struct pp_reply *r);
/* A failed request whose reply code missing means the thing asked for is
 * not there: ERR_NOTFOUND, "WHAT (server's text)"; the rest as nop_fail. */
void nop_fail_missing(struct nop *op, int err, const struct pp_reply *r, int missing,
                      const char *what);
/* A failed GROUP-like request: 411 is "no such group" (ERR_NOTFOUND, op->name),
 * the rest as nop_fail. */
void nop_group_fail(struct nop *op, int err, const struct pp_reply *r);
/* A block line to the output (on_line for nreq_send; arg is the nop). */
int nop_print_line(void *arg, const char *line, size_t len);
/* Article argument (none, N, <message-id>): *line = "VERB[ ARG]". */
int nop_article_arg(struct cmdctx *ctx, const char *verb, char **line, bool *by_msgid);
/* Send the next request of op's command (line is freed); a failure to
 * send finishes op with the error. */
void nop_then(struct nop *op, char *line, nreq_fn fn, pp_line_fn on_line);
/* The reply to a GROUP (or LISTGROUP) op->name: true with *g when it
 * selected the group (nntp_set_group done); else op is finished (411 as
 * no such group, a malformed reply as ERR_PROTO). */
bool nop_take_group(struct nop *op, int err, const struct pp_reply *r,
                    struct nntp_group *g);
/* A 22x reply: parse it and move the current article (by number). */
bool nop_take_status(struct nop *op, const struct pp_reply *r,
                         uint64_t *num, struct nntp_span *id);

/* nntp_cmds.c: the group selected (name, counts, first article). */
void nntp_set_group(struct nntp *n, const char *name, const struct nntp_group *g);

/* nntp_read.c: the .newsrc of the server, shared by every connection to
 * it (sessions and their extra connections); attached at init, detached
 * at free (the last one out saves it when changed). */
struct nsrv;
void nntp_srv_attach(struct nntp *n);
void nntp_srv_detach(struct nntp *n);
/* An article of the current group read by number: mark it in the .newsrc
 * and save (a failure is a warning: the article was shown). */
void nntp_mark_read(struct nntp *n, uint64_t num);
/* The "NAME: N articles, LOW-HIGH[, U unread]" line for a GROUP reply. */
int nntp_print_group(struct nop *op, const char *name, const struct nntp_group *g);
/* groups --subscribed: run from run_groups. */
int nntp_run_subscribed(struct cmdctx *ctx);
/* The commands of nntp_read.c (rows in nntp_cmds.c's table). */
int nntp_run_index(struct cmdctx *ctx);
int nntp_run_subscribe(struct cmdctx *ctx);   /* and unsubscribe */
int nntp_run_catchup(struct cmdctx *ctx);
int nntp_run_read(struct cmdctx *ctx);
/* next/prev in a group subscribed to in the .newsrc: the next or previous
 * unread article, shown decoded and marked read (elsewhere NEXT/LAST). */
bool nntp_next_tracked(struct nntp *n);
int nntp_run_next_unread(struct cmdctx *ctx);
/* The <message-id> of the article `read` (or next/prev) showed last from
 * this server, for `save`; NULL when none. */
const char *nntp_last_read(struct nntp *n);

/* nntp_parts.c: a multipart (or non-text) article's text parts decoded
 * and its list of parts, appended to out after the header read shows;
 * false (nothing appended) for a single text body. */
struct buf;
bool nntp_parts_render(const char *art, size_t len, struct buf *out);
/* save PART [FILE] */
int nntp_run_save(struct cmdctx *ctx);

/* nntp_lists.c: tls, newgroups, newnews, and groups -d [WILDMAT]. */
int nntp_run_tls(struct cmdctx *ctx);
int nntp_run_newgroups(struct cmdctx *ctx);
int nntp_run_newnews(struct cmdctx *ctx);
int nntp_run_groups_desc(struct cmdctx *ctx, const char *wm);

/* nntp_read.c, for search: OVER lo-hi on op (GROUP done, op->name the
 * group), printed as index prints, only the lines keep accepts (given the
 * number and the decoded subject and From).  op's ext becomes the index's;
 * keep->arg is freed with it by keep->arg_free. */
struct nntp_ix_keep {
	bool (*keep)(void *arg, uint64_t num, const char *subject, const char *from);
	void *arg;
	void (*arg_free)(void *arg);
};
void nntp_index_over(struct nop *op, uint64_t lo, uint64_t hi,
                     const struct nntp_ix_keep *keep);

/* nntp_pipe.c: a command's requests pipelined (RFC 3977 3.5), at most
 * nntp:pipeline on the wire (the first alone until answered), each with
 * NR_AUTH_RETRY | NR_PIPE, block lines to the nop's on_line. */
struct npipe_ops {
	/* The i-th request line (allocated), or NULL after the last; the
	 * 0th must be one. */
	char *(*line)(struct nop *op, size_t i);
	/* The reply to the i-th (err < 0: none came): 0 to go on, else the
	 * command's status (printed): the rest is cancelled, op finished. */
	int (*reply)(struct nop *op, size_t i, int err, const struct pp_reply *r);
	/* Every request was answered: the command's status. */
	int (*end)(struct nop *op);
};
/* Send the first request(s) of op with op->pipe_ops: 0 (replies come from
 * the loop) or the error (printed).  nop_go does it for a nop whose
 * pipe_ops is set; the index calls it after its GROUP. */
int npipe_start(struct nop *op);
/* Cancel what is in flight and free op->pipe (nop_clear). */
void npipe_free(struct nop *op);

/* The i-th of the pieces of a few thousand articles covering lo-hi:
 * "VERB[ FIELD] A-B" ("A" for one article, "A-" for the last when
 * open_end), or NULL past the last. */
char *nntp_range_line(const char *verb, const char *field, uint64_t lo, uint64_t hi,
                      bool open_end, size_t i);
/* over and hdr with a RANGE (arg as typed, rg parsed): "VERB[ FIELD] RANGE"
 * in pieces pipelined when it is large (an open one up to the group's last
 * article when known, the last piece open), the block lines to
 * op->on_line in order: the bytes of the one command.  ok is the reply
 * code with lines; 423 for every piece is "no articles in that range".
 * Sets op's ext and pipe_ops; then nop_go(op). */
void nntp_range_listing(struct nop *op, const char *verb, const char *field,
                        const char *arg, const struct nntp_range *rg, int ok);

/* nntp_search.c: search and hdr. */
int nntp_run_search(struct cmdctx *ctx);
int nntp_run_hdr(struct cmdctx *ctx);

/* nntp_post.c: post [FILE] and followup N|<message-id>. */
int nntp_run_post(struct cmdctx *ctx);
int nntp_run_followup(struct cmdctx *ctx);

#endif
