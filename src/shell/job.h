/* job.h - the shell's jobs: every command line runs as one.
 *
 * A job is one command with its output (a sink: the terminal, a file, a
 * pipe, or its log while in the background), the session it needs (held
 * by id, never by pointer: a session may be closed meanwhile) and its
 * status.  At most one job is in the foreground; the others run in the
 * background and end with a notice.  The table gives each job the
 * smallest free number, as shells do.
 */
#ifndef FERRY_JOB_H
#define FERRY_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct cmdctx;
struct sink;
struct session_lease;

/* A job's log in the background: beyond this its producer waits. */
#define JOB_LOG_MAX (1024 * 1024)

struct job {
	int id;
	char *text;                   /* the command line, passwords masked */
	struct cmdctx *ctx;           /* NULL once the command has ended */
	struct sink *out;
	struct session_lease *lease;  /* waiting for (or holding) a session */
	int sess_id;                  /* the session's id, 0 for none */
	bool held;                    /* the lease was granted */
	bool background;
	bool killed;                  /* by `kill`: its end is no failure */
	bool ending;                  /* command over; output draining or the
	                                 pipe's reader still running */
	int err;                      /* the status, once ending */
	pid_t pipe_pid;               /* `| COMMAND`'s /bin/sh, or 0 */
	char *errline;                /* a background job's first error */
	int64_t start_ms;
	uint64_t bytes;               /* moved, once the command has ended */
	struct job *next;
};

struct job_table {
	struct job *list;             /* by id */
};

/* A new job with the smallest free id, in the table. */
struct job *job_add(struct job_table *t, const char *text, int64_t now_ms);
/* Take j out of the table and free it (its command, sink and lease must
 * be gone). */
void job_remove(struct job_table *t, struct job *j);
struct job *job_find(struct job_table *t, int id);
int job_count(const struct job_table *t);
/* The job's line for `jobs`: number, state, session, command, bytes and
 * rate, elapsed time (heap). */
char *job_describe(const struct job *j, const char *session_name, int64_t now_ms);
/* "1.5 MiB" style (static buffer per call site: out). */
void job_format_bytes(uint64_t n, char *out, size_t len);

#endif
