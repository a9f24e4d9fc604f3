/* ftp_int.h - private to the FTP module (proto/ftp): the per-connection
 * FTP state, the command machinery (ftp_op.c) and the data-connection
 * engine (ftp_xfer.c).
 */
#ifndef FERRY_FTP_INT_H
#define FERRY_FTP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "ftp.h"
#include "cmd.h"
#include "err.h"
#include "lfile.h"
#include "op.h"
#include "progress.h"

struct session;
struct ftp_op;
struct ftp_xfer;

/* Login state machine (ftp.c); names in ftp.c's state table. */
enum ftp_state {
	FS_IDLE,       /* no connection */
	FS_GREETING,   /* waiting for 220 */
	FS_AUTH,       /* AUTH TLS sent */
	FS_HANDSHAKE,  /* TLS handshake on the control connection */
	FS_PBSZ,
	FS_PROT,
	FS_USER,
	FS_PASS,
	FS_TYPE,
	FS_FEAT,
	FS_OPTS,       /* OPTS UTF8 ON (FEAT listed UTF8); the reply is ignored */
	FS_CWD,        /* returning to the saved or URL directory */
	FS_PWD,        /* learning where we are */
	FS_READY,
};

/* s->pdata of an FTP session. */
struct ftp {
	struct session *s;
	enum ftp_state state;
	proto_done_fn login_done;
	void *login_arg;

	/* Kept across reconnects. */
	char *cwd;           /* directory from the last 257 reply, or NULL */
	char *prev_cwd;      /* the site's: where the last cd left, for cd - */
	bool start_done;     /* the URL's path was applied (or failed) once */
	bool restoring;      /* FS_CWD returns to cwd (not the URL path) */

	/* Per connection, reset by ftp_disconnected(). */
	bool prot_p;         /* data connections use TLS (PROT P accepted) */
	bool sscn_on;        /* SSCN ON accepted: this server is the TLS client
	                        of its data connections (cp --fxp only; cp
	                        sends SSCN OFF after each file, ftp_xfer
	                        before its own transfer if still set) */
	bool epsv_refused;   /* EPSV failed once: PASV from now on */
	bool eprt_refused;   /* EPRT failed once: PORT from now on */
	bool feat_known;
	struct ftp_feat feat;
	char type;           /* TYPE in force on this connection: 'I' after
	                        login, 'A' after ascii's first transfer */

	struct ftp_op *op;   /* the running command, if any */

	/* The site's (on its own connection's struct ftp only). */
	struct ftp_dir *dirs;         /* listing cache (ftp_ls.c) */
	struct cfetch *cfetch;        /* a listing fetched for completion */
	/* The site's choices, kept across reconnects and used by every
	 * connection of the pool (ftp_site_ascii, ftp_site_passive). */
	bool ascii;                   /* ascii: TYPE A, CRLF <-> LF */
	int passive;                  /* passive/active: 1, 0; -1 ftp:passive */
	bool list_a_refused;          /* "LIST -a" refused where plain LIST
	                                 worked: plain from now on (ftp_ls.c) */
};

/* The site's transfer type and data-connection mode, from any of its
 * connections. */
bool ftp_site_ascii(struct session *s);
bool ftp_site_passive(struct session *s);

/* ---- ftp_xfer.c: one data connection and the command that uses it ---- */

enum ftp_xfer_dir { XFER_DOWN, XFER_UP };

struct ftp_xfer_ops {
	/* The server accepted the command (1xx) or data arrived first: open
	 * the local side.  0 or ERR_* (which aborts the transfer). */
	int (*start)(void *arg);
	/* Download: bytes received.  0 or ERR_* (aborts). */
	int (*data)(void *arg, const char *p, size_t n);
	/* Upload: fill p with at most cap bytes; the count, 0 at the end of
	 * the source, ERR_AGAIN when nothing is there yet (ftp_xfer_kick
	 * when there is), or another ERR_* (aborts). */
	ssize_t (*fill)(void *arg, char *p, size_t cap);
	/* Once, from a callback: 0, or ERR_* with a one-line reason (server
	 * text already escaped).  The xfer is freed right after. */
	void (*done)(void *arg, int err, const char *why);
};

/* What a transfer's failure reason starts with once data moved (exit 8);
 * a resume's note leaves it out (ftp_why_cut). */
#define FTP_INCOMPLETE "transfer incomplete: "
static inline const char *ftp_why_cut(const char *why)
{
	size_t n = sizeof(FTP_INCOMPLETE) - 1;
	return strncmp(why, FTP_INCOMPLETE, n) ? why : why + n;
}
/* The connection a transfer ran on is gone (its worker ends; mirror,
 * pget). */
static inline bool ftp_err_lost(int err)
{
	return err == ERR_NET || err == ERR_EOF || err == ERR_TIMEOUT || err == ERR_TLS;
}

/* Start "EPSV"/"PASV", the data connection and cmd ("RETR name", "LIST",
 * "STOR name") on s, in TYPE I.  size is the byte count this download must deliver
 * (from SIZE, less rest), or -1 when unknown.  rest > 0 sends "REST rest"
 * right before cmd and requires 350.  Returns 0 with *out set (freed after
 * done), or ERR_* (nothing started, done not called). */
int ftp_xfer_start(struct session *s, const char *cmd, enum ftp_xfer_dir dir,
                   int64_t size, uint64_t rest, const struct ftp_xfer_ops *ops,
                   void *arg, struct ftp_xfer **out);
/* The same in the site's type (ascii: "TYPE A" first when the connection
 * is not in it yet, and no byte count from a 150 reply: what a text
 * transfer moves differs from the file's size).  For get, cat, put. */
int ftp_xfer_start_typed(struct session *s, const char *cmd, enum ftp_xfer_dir dir,
                         int64_t size, uint64_t rest, const struct ftp_xfer_ops *ops,
                         void *arg, struct ftp_xfer **out);
/* A download that wants only the first n bytes the server sends (pget's
 * segments, n > 0): once they have come, the data connection is closed,
 * the transfer aborted (ABOR, the control connection kept in step) and
 * done called with 0.  Call right after the start. */
void ftp_xfer_limit(struct ftp_xfer *x, uint64_t n);
/* Stop at once without calling done (Ctrl-C, session dropped): the data
 * connection is closed and the control connection kept in step (ABOR) or
 * dropped.  Frees x. */
void ftp_xfer_abort(struct ftp_xfer *x);
/* An upload's source has bytes again after fill said ERR_AGAIN (or has
 * ended): send them. */
void ftp_xfer_kick(struct ftp_xfer *x);
/* Bytes moved so far. */
uint64_t ftp_xfer_bytes(const struct ftp_xfer *x);
/* Bytes this download must deliver: the size given to ftp_xfer_start, or
 * the one a 150 reply to RETR announced when that was unknown and there
 * was no REST; -1 while unknown. */
int64_t ftp_xfer_size(const struct ftp_xfer *x);
/* True when the network ended the transfer (the data connection reset or
 * stalled, the control connection lost, 426 or 421) after data had moved:
 * what arrived is good and the rest may be fetched with REST.  Valid in
 * ops->done. */
bool ftp_xfer_cut(const struct ftp_xfer *x);
/* Hold a download while its output cannot take more (a slow pipe, a full
 * job log): stop reading the data connection, and the control reply
 * timeout with it (pp_pause), until resumed. */
void ftp_xfer_pause(struct ftp_xfer *x, bool paused);

/* ---- ftp_op.c: the state of one command ------------------------------ */

struct pp_reply;
struct cmdctx;

struct ftp_op;
typedef void (*step_fn)(struct ftp_op *op, const struct pp_reply *r);

/* An FTP command's state: the shared operation (op.h) first. */
/* cls's options, and ls -R's (long, every name with -a). */
struct ftp_cls_opts {
	bool lng, hum, all;   /* -l, -h, -a */
	const char *pat;      /* cls PATTERN: the names matching it only */
};

struct ftp_op {
	struct op o;
	struct ftp *f;
	step_fn step;         /* handles the final reply of the command sent */
	int req;              /* its pp handle, while a reply is due (else 0) */
	bool show_prelim;     /* quote, site: print 1xx replies too */

	/* cd, quote, mv */
	char *line;
	char *cd_from;        /* cd: the directory it leaves (for cd -) */
	bool follow_pwd;

	/* transfers */
	struct ftp_xfer *x;
	const char *out_opt;  /* -o, or out_dir */
	char *out_dir;        /* -O DIR (lftp's), as -o DIR/ */
	bool force;           /* -f */
	bool remove_src;      /* -E: the source goes once the copy is whole */
	bool du_sum, du_human, du_bytes; /* du -s, -h, -b */
	bool to_stdout;
	int64_t size;
	char *remote;
	bool reget;           /* resume: REST offset */
	bool unverified;      /* reget --unverified: resume without a size */
	int64_t mtime;        /* remote modification time (MDTM), -1 unknown */
	uint64_t streamed;    /* get -o -, cat: bytes to the output */
	struct lfile lf;      /* get: the local end */
	struct lsource src;   /* put: the local file */
	uint64_t up_offset;   /* reput: bytes the server had (APPE from there) */
	bool reput;
	/* ascii (the site's type when the item began): CRLF <-> LF through
	 * abuf, acr the CR seen last */
	bool ascii, acr;
	char *abuf;
	bool list_nl;         /* ls to a file or pipe: the last byte was LF */
	/* progress (ftp_get.c): the line on a terminal, the summary */
	struct ev_timer *ptimer;
	struct progress_meter meter;
	bool progress;        /* this transfer draws a progress line */
	int64_t t0;           /* when this item's transfer began (ms) */
	int64_t cmd_t0;       /* when the command's first transfer began */
	uint64_t cmd_bytes;   /* moved by the command's transfers so far */
	int cmd_files;        /* ... and how many ended well */
	/* automatic resume of a cut download */
	int tries;            /* resumes made for this item */
	bool sized;           /* SIZE told the size (a resume can be checked) */
	struct ev_timer *rtimer;
	char why[600];        /* failure reason of the local end */
	struct buf lbuf;      /* listing: the partial line */
	/* cls, globs */
	struct ftp_fetch *fetch;
	struct ftp_cls_opts cls;
	bool glob_all;        /* mget, mput: every operand is a pattern */
	enum { GLOB_FILES, GLOB_NOT_DIRS, GLOB_ANY } glob_kind;  /* what matches */
	size_t gi;            /* operand being expanded */
	char **globbed;       /* the operands after expansion (owned) */
	size_t nglobbed, capglobbed;
	struct mirror *mirror;  /* mirror's walk (ftp_mirror.c) */
	int pget_n;             /* pget: connections to split a file over */
	struct pget *pget;      /* pget's segments (ftp_pget.c) */
	struct ftp_tree *tree;  /* rm -r, cls -R (ftp_tree.c) */
	size_t mkpos, mklen;    /* mkdir -p: the end of the level made, of all */
};

/* The FTP command of a generic op (struct op is its first member). */
static inline struct ftp_op *ftp_op_of(struct op *o)
{
	return (struct ftp_op *)o;
}

/* A new op for ctx (op_new), the session's running one (f->op). */
struct ftp_op *ftp_op_new(struct cmdctx *ctx);
int ftp_op_reply_error(struct ftp_op *op, const char *what, const struct pp_reply *r);
/* Send a line whose final reply goes to step.  0 or ERR_* (reported). */
int ftp_op_send(struct ftp_op *op, step_fn step, const char *line, int mask_from);
int ftp_op_sendf(struct ftp_op *op, step_fn step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ftp_check_args(struct cmdctx *ctx, int first);
/* A simple command with operands from first on (rmdir, chmod, size,
 * mdtm): each is one command line, its remote patterns expanded first
 * against the listings (names of any kind, as rm -r's). */
int ftp_simple_run(struct cmdctx *ctx, int first, op_item_fn item);
/* op's operands: argv[first..end), with room for one more. */
void ftp_op_args(struct ftp_op *op, int first, int end);
char *ftp_esc_str(const char *s);

/* ---- ftp_ls.c: parsed listings, the listing cache, cls, completion ---- */

struct ftp_dir;
struct ftp_fetch;
struct buf;
/* A line of a data stream (CR before LF removed); piece: part of a line
 * longer than the buffer (no line end after it).  0 or ERR_* (stops). */
typedef int (*ftp_line_fn)(void *arg, const char *line, size_t len, bool piece);
/* A fetched listing: d (the caller owns it) or err with why. */
typedef void (*ftp_fetch_fn)(void *arg, int err, const char *why, struct ftp_dir *d);

/* rel against cwd, with "//", "." and ".." collapsed (heap), or NULL when
 * rel is relative and cwd unknown. */
char *ftp_path_abs(const char *cwd, const char *rel);
/* The directory holding abs (an absolute path), heap: "/" for "/x". */
char *ftp_path_parent(const char *abs);
/* Split a data stream into lines (lb keeps the partial one). */
int ftp_lines_feed(struct buf *lb, const char *p, size_t n, ftp_line_fn fn, void *arg);
int ftp_lines_end(struct buf *lb, ftp_line_fn fn, void *arg);
/* Fetch path's listing on connection c (MLSD when offered, else LIST;
 * path NULL: the current directory's, path "" in the result);
 * done once from a callback, unless cancelled.  0 with *out, or ERR_*.
 * With all: "LIST -a" where MLSD is not offered, so that a
 * server hiding dot files (vsftpd) shows them ("." and ".." come too,
 * and the parser drops them).  A server that refuses "-a" or takes it for
 * a name gets the plain LIST at once, and only that from then on. */
int ftp_fetch_start_all(struct session *c, const char *path, bool all, ftp_fetch_fn done,
                        void *arg, struct ftp_fetch **out);
void ftp_fetch_cancel(struct ftp_fetch *ft);
/* The site's cache: free it; forget the directory holding path (a name
 * in it changed). */
void ftp_cache_free(struct ftp *f);
void ftp_cache_forget(struct session *s, const char *path);
/* The cached listing of path's directory shows path as a directory. */
bool ftp_cache_is_dir(struct session *s, const char *path);
void ftp_cfetch_cancel(struct ftp *f);
int ftp_do_cls(struct cmdctx *ctx);
/* A directory operand (NULL: here) made absolute in *path (heap): 0, or
 * ERR_* reported (line breaks; the directory here not known). */
int ftp_dir_arg(struct cmdctx *ctx, const char *dir, char **path);
/* Run item over op's operands after expanding the remote patterns among
 * them (unquoted *?[, or every operand when all: mget) against the
 * directory listings, from run(): CMD_PENDING or the status, as op_run.
 * Only regular files with safe names match; a pattern matching none is
 * an error (ERR_NOTFOUND), and the other operands go on. */
int ftp_glob_run(struct ftp_op *op, bool all, op_item_fn item);
/* The same for local patterns (mput), at once: 0 or the last error. */
int ftp_local_glob(struct ftp_op *op, bool all);
/* Add an operand (op takes name); make the added ones op's operands. */
void ftp_glob_push(struct ftp_op *op, char *name);
void ftp_glob_take(struct ftp_op *op);
/* A listing's entries. */
struct ftp_ent;
size_t ftp_dir_count(const struct ftp_dir *d);
const struct ftp_ent *ftp_dir_ent(const struct ftp_dir *d, size_t i);
void ftp_dir_free(struct ftp_dir *d);

/* ftp_tree.c: remote trees.  A walk lists the directories added (and
 * every one below, breadth first, never through a symbolic link, bounded
 * in depth and entries) and collects their files and links; the removal
 * then DELEs those and RMDs the directories deepest first, on op's
 * connection.  done(op, err) once, from a callback. */
struct ftp_tree;
typedef void (*tree_done_fn)(struct ftp_op *op, int err);
void ftp_tree_add(struct ftp_op *op, const char *path, bool dir);
void ftp_tree_walk(struct ftp_op *op, tree_done_fn done);
void ftp_tree_remove(struct ftp_op *op, tree_done_fn done);
/* Names found below the directories added. */
size_t ftp_tree_count(const struct ftp_op *op);
void ftp_tree_free(struct ftp_tree *t);
int ftp_do_rm(struct cmdctx *ctx);
int ftp_do_mkdir(struct cmdctx *ctx);
/* du [-s] [-h] [-b] [DIR...]: the bytes below each directory (KiB). */
int ftp_do_du(struct cmdctx *ctx);
/* cls -R, ls -R: the tree below dir (NULL: here), one block a directory. */
int ftp_tree_ls(struct cmdctx *ctx, const char *dir, const struct ftp_cls_opts *o);

/* ftp_mirror.c */
struct mirror;
int ftp_do_mirror(struct cmdctx *ctx);
/* get -r, put -r (up): trees through the mirror machinery. */
int ftp_do_tree_xfer(struct cmdctx *ctx, bool up);
void ftp_mirror_free(struct mirror *m);
/* proto_ops.complete */
char **ftp_complete(struct session *s, char letter, const char *word,
                    void (*ready)(void *arg), void *arg);

/* ftp_cmds.c: the final reply to a command on an operand (op->o.arg):
 * its directory's listing forgotten, a failure reported, the next
 * operand. */
void ftp_plain_reply(struct ftp_op *op, const struct pp_reply *r);
/* ftp_ls.c: qsort order of struct ftp_ent by name. */
int ftp_ent_cmp(const void *a, const void *b);
/* ftp_ls.c: a listing as cls prints it to ctx's output, sorted in place
 * by name, one entry a line (the name and a link's target are the
 * server's bytes: escaped on a terminal only): "-rw-r--r--  1.2M
 * 2026-12-06 14:07  name" long (sizes human with hum), the name alone
 * otherwise, a directory's ending in '/'; dot files with all only; with
 * pat, the names matching it (none: ERR_NOTFOUND, reported).  0 or the
 * error. */
int ftp_cls_print(struct cmdctx *ctx, struct ftp_dir *d, const struct ftp_cls_opts *o);
/* A size as cls -h and du -h print it: "512", "1.5K", "2.0M"... */
void ftp_human(int64_t n, char *out, size_t len);
/* ftp.c: a reply's text, escaped, for messages (heap). */
char *ftp_reply_esc(const struct pp_reply *r);
/* ftp_cmds.c: the directory learnt (takes path). */
void ftp_set_cwd(struct ftp *f, char *path);
/* ftp_get.c: the transfer commands. */
int ftp_do_get(struct cmdctx *ctx);
int ftp_do_reget(struct cmdctx *ctx);
int ftp_do_cat(struct cmdctx *ctx);
int ftp_do_put(struct cmdctx *ctx);
int ftp_do_reput(struct cmdctx *ctx);
/* ftp_get.c: pget (get over several connections), and the end of a
 * download, which pget calls too (ops->done of get's transfers). */
int ftp_do_pget(struct cmdctx *ctx);
void ftp_get_xfer_done(void *arg, int err, const char *why);
/* ftp_pget.c: op->remote (its size and time known, NAME.part chosen by
 * lfile_target) in up to op->pget_n segments at once on connections of
 * the pool, ending through ftp_get_xfer_done: 0 when started, 1 when too
 * small to split or not to a regular file (the caller sends one RETR),
 * or ERR_* (reported).  Stopping it keeps the part's good prefix. */
#define PGET_DEFAULT_N 4
struct pget;
int ftp_pget_start(struct ftp_op *op);
void ftp_pget_stop(struct ftp_op *op);
/* ftp_get.c: the progress line of a transfer or of a command moving many
 * files (mirror, cp): drawn from ctx->bytes and ctx->total under op->remote
 * (name when that is not set; NULL: none) where a person watches; done
 * ends it with the summary line of many files, end without one. */
void ftp_progress_begin(struct ftp_op *op, const char *name);
void ftp_progress_done(struct ftp_op *op, const char *what, size_t files, uint64_t bytes);
/* ftp_get.c: a transfer command stops (Ctrl-C, connection lost): its
 * progress line and timers go. */
void ftp_get_stop(struct ftp_op *op);
/* ftp_get.c: the summary of one file (path, bytes, a verb like
 * " copied") and the total after the last operand. */
void ftp_progress_end(struct ftp_op *op);
void ftp_summary(struct ftp_op *op, const char *path, uint64_t bytes, const char *verb);
void ftp_summary_total(struct ftp_op *op);
/* ftp_cp.c: proto_ops.copy (`cp` between sessions). */
int ftp_copy(struct cmdctx *ctx, const struct proto_copy *req);
/* ftp_tls.c: the tls command. */
int ftp_do_tls(struct cmdctx *ctx);
/* ftp.c: the session ops, for the descriptor (ftp_cmds.c). */
extern const struct proto_ops ftp_ops;

#endif
