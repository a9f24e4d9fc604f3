/* job.h - the shell's jobs: every command line runs as one.
 *
 * A job is one command with its output (a sink: the terminal, a file, a
 * pipe, or its log while in the background), the session it needs (held
 * by id, never by pointer: a session may be closed meanwhile) and its
 * status.  At most one job is in the foreground; the others run in the
 * background and end with a notice.  A job gets a number when it goes to
 * the background (`&`, Ctrl-Z): the smallest free one, as shells do.
 */
#ifndef FERRY_JOB_H
#define FERRY_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "progress.h"

struct cmdctx;
struct sink;
struct session_lease;
struct session;

/* A job's log in the background: beyond this its producer waits. */
#define JOB_LOG_MAX (1024 * 1024)

struct job {
	int id;                       /* 0 until it is in the background */
	char *text;                   /* the command line, passwords masked,
	                                 escaped for the terminal */
	struct cmdctx *ctx;           /* NULL once the command has ended */
	struct sink *out;
	struct session_lease *lease;  /* waiting for (or holding) a session */
	int sess_id;                  /* the session's id, 0 for none */
	bool held;                    /* the lease was granted */
	struct session *conn;         /* the connection it holds, while held */
	bool background;
	bool killed;                  /* by `kill`: its end is no failure */
	bool summed;                  /* its command summed up its bytes */
	bool ending;                  /* command over; output draining or the
	                                 pipe's reader still running */
	int err;                      /* the status, once ending */
	pid_t pipe_pid;               /* `| COMMAND`'s /bin/sh, or 0 */
	char *errline;                /* a background job's first error */
	int64_t start_ms;
	uint64_t bytes;               /* moved, once the command has ended */
	struct progress_meter meter;  /* its rate while it runs (job_sample) */
	bool metered;                 /* the meter has started */
	struct job *next;
};

#define JOB_ENDED_KEEP 32

struct job_table {
	struct job *list;             /* by id */
	/* Background jobs that ended, for a later `wait N`, until the number
	 * is given to a new job (as shells remember them). */
	struct { int id, err; } ended[JOB_ENDED_KEEP];
	int nended;
};

/* A new job, without a number yet, in the table. */
struct job *job_add(struct job_table *t, const char *text, int64_t now_ms);
/* Give j the smallest free number (once). */
void job_number(struct job_table *t, struct job *j);
/* Take j out of the table and free it (its command, sink and lease must
 * be gone). */
void job_remove(struct job_table *t, struct job *j);
struct job *job_find(struct job_table *t, int id);
/* Remember that background job id ended with err; look it up (true with
 * *err set when known). */
void job_ended(struct job_table *t, int id, int err);
bool job_ended_status(const struct job_table *t, int id, int *err);
int job_count(const struct job_table *t);
/* The job's line for `jobs`: number, state, session, command, bytes and
 * rate (of late once sampled, "stalled" when nothing moves), elapsed time
 * (heap). */
char *job_describe(const struct job *j, const char *session_name, int64_t now_ms);
/* Whether the running command moves bytes (a transfer, a listing):
 * it counts them, or knows their total. */
bool job_moving(const struct job *j);
/* Sample the running command's bytes for its rate, at now_ms. */
void job_sample(struct job *j, int64_t now_ms);
/* The job's progress line, as a transfer's with "[N] COMMAND" for its
 * name: "[1] get big.iso  412.0 MiB / 1.0 GiB  40%  98.1 MiB/s  ETA 0:06"
 * (heap). */
char *job_progress(const struct job *j);
/* "1.5 MiB" style (static buffer per call site: out). */
void job_format_bytes(uint64_t n, char *out, size_t len);

#endif
