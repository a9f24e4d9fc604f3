/* job.c - the table of jobs (see job.h). */
#include "job.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "progress.h"

struct job *job_add(struct job_table *t, const char *text, int64_t now_ms)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->text = xstrdup(text);
	j->start_ms = now_ms;
	j->next = t->list;
	t->list = j;
	return j;
}

void job_number(struct job_table *t, struct job *j)
{
	if (j->id)
		return;
	int id = 1;
	for (bool taken = true; taken; ) {
		taken = false;
		for (struct job *k = t->list; k; k = k->next)
			if (k->id == id) {
				taken = true;
				id++;
				break;
			}
	}
	j->id = id;
	for (int i = 0; i < t->nended; i++)
		if (t->ended[i].id == id) /* the number is someone else's now */
			t->ended[i] = t->ended[--t->nended];
	/* Keep the list in number order for `jobs` (unnumbered ones first). */
	struct job **pj;
	for (pj = &t->list; *pj != j; pj = &(*pj)->next)
		;
	*pj = j->next;
	for (pj = &t->list; *pj && (*pj)->id < id; pj = &(*pj)->next)
		;
	j->next = *pj;
	*pj = j;
}

void job_remove(struct job_table *t, struct job *j)
{
	for (struct job **pj = &t->list; *pj; pj = &(*pj)->next)
		if (*pj == j) {
			*pj = j->next;
			break;
		}
	free(j->text);
	free(j->errline);
	free(j);
}

struct job *job_find(struct job_table *t, int id)
{
	for (struct job *j = t->list; j && id > 0; j = j->next)
		if (j->id == id)
			return j;
	return NULL;
}

void job_ended(struct job_table *t, int id, int err)
{
	if (t->nended == JOB_ENDED_KEEP) {
		memmove(t->ended, t->ended + 1, sizeof(t->ended[0]) * (JOB_ENDED_KEEP - 1));
		t->nended--;
	}
	t->ended[t->nended].id = id;
	t->ended[t->nended].err = err;
	t->nended++;
}

bool job_ended_status(const struct job_table *t, int id, int *err)
{
	for (int i = t->nended - 1; i >= 0; i--)
		if (t->ended[i].id == id) {
			*err = t->ended[i].err;
			return true;
		}
	return false;
}

int job_count(const struct job_table *t)
{
	int n = 0;
	for (const struct job *j = t->list; j; j = j->next)
		n++;
	return n;
}

void job_format_bytes(uint64_t n, char *out, size_t len)
{
	progress_size(n, out, len); /* the same units as a transfer's lines */
}

bool job_moving(const struct job *j)
{
	return j->ctx && (j->ctx->bytes || j->ctx->total >= 0);
}

void job_sample(struct job *j, int64_t now_ms)
{
	if (!job_moving(j))
		return;
	if (!j->metered)
		progress_start(&j->meter, now_ms, j->ctx->bytes);
	else
		progress_sample(&j->meter, now_ms, j->ctx->bytes);
	j->metered = true;
}

char *job_progress(const struct job *j)
{
	char *name = xasprintf("[%d] %s", j->id, j->text);
	char line[1024];
	progress_line(line, sizeof(line), name, j->ctx ? j->ctx->bytes : j->bytes,
	              j->ctx ? j->ctx->total : -1, j->meter.rate);
	free(name);
	return xstrdup(line);
}

char *job_describe(const struct job *j, const char *session_name, int64_t now_ms)
{
	char done[32], total[48] = "", rate[48] = "", bytes[160] = "";
	double secs = (double)(now_ms - j->start_ms) / 1000.0;
	const char *state = j->ending ? "ending" : j->lease && !j->held ? "waiting" :
	                    "running";

	if (j->ctx && (j->ctx->bytes || j->ctx->total > 0)) {
		job_format_bytes(j->ctx->bytes, done, sizeof(done));
		if (j->ctx->total >= 0) {
			char t[32];
			job_format_bytes((uint64_t)j->ctx->total, t, sizeof(t));
			snprintf(total, sizeof(total), " / %s", t);
		}
		/* The rate of late, once measured (a resumed transfer's
		 * first bytes were not moved now), else the average since
		 * the start. */
		bool measured = j->metered && j->meter.last_ms > j->meter.start_ms;
		double bps = measured ? j->meter.rate :
		             secs > 0.05 ? (double)j->ctx->bytes / secs : 0;
		if (measured && bps < 1) {
			snprintf(rate, sizeof(rate), " (stalled)");
		} else if (bps > 0) {
			char r[32];
			job_format_bytes((uint64_t)bps, r, sizeof(r));
			snprintf(rate, sizeof(rate), " (%s/s)", r);
		}
		snprintf(bytes, sizeof(bytes), "  %s%s%s", done, total, rate);
	}
	return xasprintf("[%d] %-8s %-12s %s%s  %.1f s", j->id, state,
	                 session_name ? session_name : "-", j->text, bytes, secs);
}
