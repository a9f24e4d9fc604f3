/* err.h - error codes shared by every module.
 *
 * Functions return 0 on success or a negative ERR_* value; the human-readable
 * detail lives on the object that failed (conn_error(), pp_error(), ...).
 * The magnitude of most codes is the exit status the man page documents, so
 * err_exit_status() is mostly a negation.  Out-of-memory is fatal (xmalloc).
 */
#ifndef FERRY_ERR_H
#define FERRY_ERR_H

#include <stddef.h>

enum {
	ERR_OK = 0,
	ERR_FAIL = -1,       /* a command failed (exit 1) */
	ERR_USAGE = -2,      /* bad arguments or bad command line (exit 2) */
	ERR_NET = -3,        /* connection or network failure (exit 3) */
	ERR_AUTH = -4,       /* authentication refused (exit 4) */
	ERR_TLS = -5,        /* TLS or certificate failure (exit 5) */
	ERR_NOTFOUND = -6,   /* remote object missing or not permitted (exit 6) */
	ERR_LOCAL = -7,      /* local file error (exit 7) */
	ERR_PROTO = -8,      /* protocol violation, malformed/over-long reply,
	                        incomplete transfer (exit 8) */
	ERR_TIMEOUT = -20,   /* no progress within net:timeout (exit 3) */
	ERR_EOF = -21,       /* peer closed the connection (exit 3) */
	ERR_AGAIN = -22,     /* internal: would block, try later */
	ERR_TOOLONG = -23,   /* a line or reply over its limit (exit 8) */
	ERR_PIPE = -24,      /* internal: the reader of the output went away
	                        (`| head`): the command ends quietly (exit 0) */
	ERR_INTR = -130,     /* interrupted by the user (exit 130) */
};

/* Exit status for an error code (0 for ERR_OK). */
int err_exit_status(int err);

/* Short constant description of an error code ("network failure", ...). */
const char *err_str(int err);

/* Allocation that never fails: aborts with a message on out-of-memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new heap string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
