/* ftp_pget.c - pget: one remote file over several connections of the
 * session's pool at once (lftp's pget -n N).  The file is cut in
 * segments of at least PGET_MIN_SEG; each connection asks for one (REST
 * and RETR, then ABOR once it has its bytes: ftp_xfer_limit) and writes
 * it in place in NAME.part (lfile_pwrite), then takes the next.
 *
 * A server that answers REST with 350 and sends from the start anyway
 * would fill a segment with the wrong bytes and nothing would show it: a
 * segment that starts past byte 0 asks for up to PGET_OVERLAP bytes more,
 * from before its start, keeps them, and once the file is whole they are
 * compared with what was written there.  A mismatch fails the download.
 *
 * A segment cut by the network goes on from where it stopped, on any
 * connection, up to xfer:retries times, checked in the same way.  When
 * the download fails or is stopped, NAME.part keeps only the prefix known
 * good (whole, checked segments up to the first gap) with its .meta, so
 * that pget -c or get -c continues from there.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "err.h"
#include "ev.h"
#include "ftp_int.h"
#include "lfile.h"
#include "log.h"
#include "pp.h"
#include "progress.h"
#include "session.h"
#include "ui.h"

#define PGET_MIN_SEG (1024 * 1024)
#define PGET_OVERLAP 4096

/* A segment, or what is left of one after a cut: [start, end) of the
 * file, preceded on the wire by ov bytes kept for the check. */
struct prun {
	uint64_t start, end;
	uint64_t got;          /* bytes written from start */
	size_t ov, ovgot;
	char ovbuf[PGET_OVERLAP];
	bool taken;            /* a connection fetches it, or did */
	bool whole;
};

struct pworker {
	struct pget *pg;
	struct session *c;     /* NULL until leased */
	struct session_lease *lease;
	bool leased;           /* c came from the pool (released at the end) */
	bool idle;             /* nothing to take while others run: kept for
	                          what a cut may hand back */
	bool ended;
	struct ftp_xfer *x;
	size_t run;            /* the run x fetches */
};

struct pget {
	struct ftp_op *op;
	struct prun **runs;    /* in the order made; a cut adds one */
	size_t nruns;
	struct pworker *w;
	int nw, busy;          /* workers, and those not ended */
	int tries;             /* resumes after cuts */
	int relogins;          /* connections asked for again after one was
	                          lost */
	bool tick_due;         /* pg_tick deferred */
	int err;
	char why[600];
};

static void pw_next(struct pworker *w);
static void pw_leased(struct session *c, int err, void *arg);

static struct prun *run_new(struct pget *pg, uint64_t start, uint64_t end)
{
	struct prun *r = xcalloc(1, sizeof(*r));
	r->start = start;
	r->end = end;
	r->ov = start < PGET_OVERLAP ? (size_t)start : PGET_OVERLAP;
	pg->runs = xrealloc(pg->runs, (pg->nruns + 1) * sizeof(*pg->runs));
	pg->runs[pg->nruns++] = r;
	return r;
}

/* The bytes before r's start, as written, are those the server sent
 * before it: 1 yes, 0 no, or ERR_LOCAL (why in the lfile). */
static int run_check(struct pget *pg, const struct prun *r)
{
	char here[PGET_OVERLAP];
	if (!r->ov)
		return 1;
	if (r->ovgot < r->ov)
		return 0;
	int e = lfile_pread(&pg->op->lf, here, r->ov, r->start - r->ov);
	if (e < 0)
		return e;
	return memcmp(here, r->ovbuf, r->ov) == 0;
}

static int run_cmp(const void *a, const void *b)
{
	const struct prun *x = *(struct prun *const *)a, *y = *(struct prun *const *)b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* NAME.part keeps the prefix known good: runs in file order, each
 * starting where the one before ended (whole), its check passed. */
static void pg_keep_prefix(struct pget *pg)
{
	struct lfile *lf = &pg->op->lf;
	uint64_t good = lf->offset;

	if (lf->fd < 0)
		return;
	qsort(pg->runs, pg->nruns, sizeof(*pg->runs), run_cmp);
	for (size_t i = 0; i < pg->nruns; i++) {
		const struct prun *r = pg->runs[i];
		if (r->start != good || !r->got || run_check(pg, r) != 1)
			break;
		good = r->start + r->got;
		if (!r->whole)
			break;
	}
	if (lfile_cut(lf, good) < 0)
		log_note(pg->op->o.s->name, "%s", lf->why);
}

/* w's connection goes back to the pool, or its wait for one ends. */
static void pw_let_go(struct pworker *w)
{
	if (w->lease)
		session_lease_cancel(w->lease);
	w->lease = NULL;
	if (w->c && w->leased)
		session_release(w->c);
	w->c = NULL;
	w->idle = false;
	w->ended = true;
}

/* Every transfer stops at once, every connection goes back. */
static void pg_halt(struct pget *pg)
{
	for (int i = 0; i < pg->nw; i++) {
		struct pworker *w = &pg->w[i];
		if (w->x)
			ftp_xfer_abort(w->x);
		w->x = NULL;
		pw_let_go(w);
	}
	pg->busy = 0;
}

static void pg_tick(void *arg);

static void pg_free(struct pget *pg)
{
	if (pg->tick_due)
		ev_defer_cancel(pg->op->o.s->ev, pg_tick, pg);
	for (size_t i = 0; i < pg->nruns; i++)
		free(pg->runs[i]);
	free(pg->runs);
	free(pg->w);
	free(pg);
}

/* The command is its connection's again; get reports and goes on. */
static void pg_reattached(struct op *o, int e)
{
	struct ftp_op *op = ftp_op_of(o);
	struct pget *pg = op->pget;
	int err = pg->err;
	char why[sizeof(pg->why)];

	(void)e; /* not logged in again: the next operand says so */
	op->f = o->s->pdata;
	op->f->op = op;
	snprintf(why, sizeof(why), "%s", pg->why);
	op->pget = NULL;
	pg_free(pg);
	ftp_get_xfer_done(op, err, why);
}

/* The last worker has ended: check, then hand the end to get. */
static void pg_finish(struct pget *pg)
{
	struct ftp_op *op = pg->op;
	int err = pg->err;

	uint64_t missing = UINT64_MAX;
	for (size_t i = 0; !err && i < pg->nruns; i++) {
		const struct prun *r = pg->runs[i];
		if (!r->whole && r->start + r->got < missing)
			missing = r->start + r->got;
	}
	if (!err && missing != UINT64_MAX) {
		err = ERR_PROTO;
		snprintf(pg->why, sizeof(pg->why), "transfer incomplete: no connection left "
		         "for the bytes from %" PRIu64, missing);
	}
	for (size_t i = 0; !err && i < pg->nruns; i++) {
		const struct prun *r = pg->runs[i];
		int c = run_check(pg, r);
		if (c < 0) {
			err = c;
			snprintf(pg->why, sizeof(pg->why), "%s", op->lf.why);
		} else if (!c && r->start == op->lf.offset) {
			/* The bytes before it are the part's, from an earlier try. */
			err = ERR_PROTO;
			snprintf(pg->why, sizeof(pg->why), "the server's bytes before %" PRIu64
			         " differ from the part's: it holds another file's start (get -f "
			         "starts over), or the server ignored REST", r->start);
		} else if (!c) {
			err = ERR_PROTO;
			snprintf(pg->why, sizeof(pg->why), "the server did not send what REST "
			         "%" PRIu64 " asked for (REST ignored?); pget cannot split this "
			         "file: get fetches it in one piece", r->start - r->ov);
		}
	}
	if (err)
		pg_keep_prefix(pg);
	op->o.ctx->bytes = op->lf.offset + op->lf.written;
	pg->err = err;
	struct pp *pp = op->o.s->pp;
	if ((!pp || pp_failed(pp)) && (op->o.idx < op->o.nargs || op->remove_src)) {
		/* The command's own connection was lost on the way: logged in
		 * again before the next operand. */
		op_ensure(&op->o, pg_reattached);
		return;
	}
	pg_reattached(&op->o, 0);
}

static void pw_end(struct pworker *w)
{
	struct pget *pg = w->pg;
	if (w->ended)
		return;
	pw_let_go(w);
	if (--pg->busy == 0)
		pg_finish(pg);
}

/* A run not handed out yet, or pg->nruns. */
static size_t pg_untaken(const struct pget *pg)
{
	size_t i;
	for (i = 0; i < pg->nruns && pg->runs[i]->taken; i++)
		;
	return i;
}

static bool pg_running(const struct pget *pg)
{
	for (size_t i = 0; i < pg->nruns; i++)
		if (pg->runs[i]->taken && !pg->runs[i]->whole)
			return true;
	return false;
}

/* Everything is fetched: the workers idle or still waiting for a
 * connection end (w, the caller, last). */
static void pg_settle(struct pget *pg, struct pworker *w)
{
	for (int i = 0; i < pg->nw && pg->busy > 1; i++)
		if (&pg->w[i] != w && (pg->w[i].lease || pg->w[i].idle))
			pw_end(&pg->w[i]);
}

/* After a connection was lost (from the loop, never inside a worker's
 * callback): a worker idle on a good connection takes a run handed back;
 * if none has a connection and every one left waits in the pool's line
 * (its limit reached, the command's own dead connection counted), none
 * will ever come, so they end, and the download with them.  One step
 * that may end the download, last. */
static void pg_poke(struct pget *pg);

static void pg_tick(void *arg)
{
	struct pget *pg = arg;
	int idle = -1, nidle = 0;

	pg->tick_due = false;
	for (int i = 0; i < pg->nw; i++)
		if (pg->w[i].idle && nidle++ == 0)
			idle = i;
	size_t u = pg_untaken(pg);
	if (idle >= 0 && u < pg->nruns) {
		/* Maybe more to hand out after this one: another turn
		 * looks (pg_free cancels it if this one ends the download). */
		if (nidle > 1)
			pg_poke(pg);
		pg->w[idle].idle = false;
		pw_next(&pg->w[idle]);
		return;
	}
	for (int i = 0; i < pg->nw; i++) {
		const struct pworker *o = &pg->w[i];
		if (!o->ended && (o->c || (o->lease && !session_lease_waiting(o->lease))))
			return; /* a connection, or one on its way */
	}
	int left = pg->busy;
	for (int i = 0; i < pg->nw && left > 1; i++)
		if (!pg->w[i].ended) {
			pw_end(&pg->w[i]);
			left--;
		}
	for (int i = 0; i < pg->nw; i++)
		if (!pg->w[i].ended) {
			pw_end(&pg->w[i]);
			return;
		}
}

static void pg_poke(struct pget *pg)
{
	if (pg->tick_due)
		return;
	pg->tick_due = true;
	ev_defer(pg->op->o.s->ev, pg_tick, pg);
}

static void pg_fail(struct pget *pg, int err, const char *why)
{
	if (pg->err)
		return;
	pg->err = err;
	snprintf(pg->why, sizeof(pg->why), "%s", why);
}

static int pw_data(void *arg, const char *p, size_t n)
{
	struct pworker *w = arg;
	struct pget *pg = w->pg;
	struct prun *r = pg->runs[w->run];
	struct ftp_op *op = pg->op;

	if (r->ovgot < r->ov) {
		size_t k = r->ov - r->ovgot < n ? r->ov - r->ovgot : n;
		memcpy(r->ovbuf + r->ovgot, p, k);
		r->ovgot += k;
		p += k;
		n -= k;
	}
	if (!n)
		return 0;
	if (r->got + n > r->end - r->start) {
		/* The last segment, whose end is the file's: from byte 0 again? */
		snprintf(op->why, sizeof(op->why), "the server sent more than the "
		         "%" PRIu64 " bytes asked for from %" PRIu64 "%s",
		         r->end - r->start + r->ov, r->start - r->ov,
		         r->start ? " (REST ignored?)" : "");
		return ERR_PROTO;
	}
	int e = lfile_pwrite(&op->lf, p, n, r->start + r->got);
	if (e < 0) {
		snprintf(op->why, sizeof(op->why), "%s", op->lf.why);
		return e;
	}
	r->got += n;
	op->o.ctx->bytes += n;
	return 0;
}

/* A cut run goes on later from where it stopped (a new run for the rest,
 * with its own check), on whichever connection takes it. */
static void pw_cut(struct pworker *w, const char *why)
{
	struct pget *pg = w->pg;
	struct prun *r = pg->runs[w->run];
	char at[32];
	char *l = ftp_esc_str(pg->op->remote);

	pg->tries++;
	progress_size(r->start + r->got, at, sizeof(at));
	ui_error("%s: segment cut at %s (%s); resuming (try %d of %ld)", l, at, why,
	         pg->tries, config_int(pg->op->o.s->cfg, "xfer:retries"));
	free(l);
	if (!r->got) {
		r->taken = false;
		r->ovgot = 0;
		return;
	}
	uint64_t end = r->end;
	r->end = r->start + r->got;
	r->whole = true;
	run_new(pg, r->end, end);
}

static void pw_done(void *arg, int err, const char *why)
{
	struct pworker *w = arg;
	struct pget *pg = w->pg;
	struct ftp_op *op = pg->op;
	struct prun *r = pg->runs[w->run];
	bool cut = w->x && ftp_xfer_cut(w->x);

	w->x = NULL;
	if (!err && r->got == r->end - r->start) {
		r->whole = true;
	} else if (!err) {
		/* The server ended the data early: the file is shorter than
		 * SIZE said (it changed meanwhile). */
		err = ERR_PROTO;
		snprintf(op->why, sizeof(op->why), "transfer incomplete: the segment at %"
		         PRIu64 " ended after %" PRIu64 " of %" PRIu64 " bytes", r->start,
		         r->got, r->end - r->start);
	}
	if (err) {
		const char *because = op->why[0] ? op->why : why;
		/* The connection lost before any data came: another one takes
		 * the segment, as after a cut. */
		if ((cut || ftp_err_lost(err)) && !pg->err &&
		    pg->tries < config_int(op->o.s->cfg, "xfer:retries")) {
			pw_cut(w, ftp_why_cut(because));
		} else {
			pg_fail(pg, err, because);
		}
		op->why[0] = '\0';
	}
	pw_next(w);
}

static const struct ftp_xfer_ops pw_ops = {
	.data = pw_data,     /* no .start: NAME.part is open */
	.done = pw_done,
};

/* Hand w the next run not taken, or end it. */
static void pw_next(struct pworker *w)
{
	struct pget *pg = w->pg;
	struct ftp_op *op = pg->op;

	if (pg->err) {
		/* The others stop too: nothing they fetch can help. */
		for (int i = 0; i < pg->nw; i++) {
			struct pworker *o = &pg->w[i];
			if (o != w && o->x) {
				ftp_xfer_abort(o->x);
				o->x = NULL;
			}
		}
		for (int i = 0; i < pg->nw && pg->busy > 1; i++)
			if (&pg->w[i] != w)
				pw_end(&pg->w[i]);
		pw_end(w);
		return;
	}
	size_t i = pg_untaken(pg);
	if (i == pg->nruns) {
		if (pg_running(pg) && w->c) {
			w->idle = true; /* a cut may hand back work */
			return;
		}
		pg_settle(pg, w);
		pw_end(w);
		return;
	}
	struct prun *r = pg->runs[i];
	uint64_t from = r->start - r->ov, want = r->end - from;
	bool last = r->end == (uint64_t)op->size;
	char *line = xasprintf("RETR %s", op->remote);
	r->taken = true;
	r->ovgot = 0;
	w->run = i;
	int e = w->c ? ftp_xfer_start(w->c, line, XFER_DOWN, last ? (int64_t)want : -1, from,
	                              &pw_ops, w, &w->x) : ERR_NET;
	free(line);
	if (e == 0) {
		if (!last)
			ftp_xfer_limit(w->x, want);
		return;
	}
	/* This connection is gone: the run goes back, and the worker asks
	 * the pool for another (logged in again), within xfer:retries. */
	log_note(op->o.s->name, "pget: a connection was lost: %s", err_str(e));
	r->taken = false;
	if (w->c && w->leased)
		session_release(w->c);
	w->c = NULL;
	w->leased = false;
	if (pg->relogins < config_int(op->o.s->cfg, "xfer:retries")) {
		pg->relogins++;
		w->lease = session_acquire(session_site(op->o.s), pw_leased, w);
	}
	if (!w->lease) {
		pg_poke(pg); /* before w ends: pg is still there */
		pw_end(w);
		return;
	}
	pg_poke(pg);
}

static void pw_leased(struct session *c, int err, void *arg)
{
	struct pworker *w = arg;
	w->lease = NULL;
	if (err) {
		/* No more connections: the others do the work. */
		pw_end(w);
		return;
	}
	w->c = c;
	w->leased = true;
	session_touch(c);
	pw_next(w);
}

int ftp_pget_start(struct ftp_op *op)
{
	uint64_t from = op->lf.offset, left;
	long n = op->pget_n, limit = config_int(op->o.s->cfg, "net:connection-limit");

	/* Not NAME itself, resumed in place: holes there would look like a
	 * shorter whole file if pget were killed. */
	if (op->size < 0 || op->ascii || op->to_stdout || op->lf.in_place || op->lf.append ||
	    (uint64_t)op->size <= from)
		return 1;
	left = (uint64_t)op->size - from;
	if (n > limit)
		n = limit;
	if ((uint64_t)n > left / PGET_MIN_SEG)
		n = (long)(left / PGET_MIN_SEG);
	if (n < 2)
		return 1;
	op->lf.random = true;
	int e = lfile_open(&op->lf, op->size, op->mtime);
	if (e == 0 && (e = lfile_segments(&op->lf)) < 0)
		lfile_discard(&op->lf);
	if (e < 0) {
		char *d = ftp_esc_str(op->remote);
		cmd_error(op->o.ctx, e, "%s: %s", d, op->lf.why);
		free(d);
		return e;
	}
	struct pget *pg = xcalloc(1, sizeof(*pg));
	pg->op = op;
	op->pget = pg;
	for (long i = 0; i < n; i++)
		run_new(pg, from + left * (uint64_t)i / (uint64_t)n,
		        from + left * (uint64_t)(i + 1) / (uint64_t)n);
	log_note(op->o.s->name, "pget: %ld segments of %" PRIu64 " bytes from %" PRIu64,
	         n, left / (uint64_t)n, from);
	pg->w = xcalloc((size_t)n, sizeof(*pg->w));
	pg->nw = (int)n;
	pg->busy = (int)n;
	for (int i = 0; i < pg->nw; i++)
		pg->w[i].pg = pg;
	op->o.ctx->bytes = from;
	op->o.ctx->total = op->size;
	ftp_progress_begin(op, op->remote);
	/* Losing this connection ends worker 0, not the command: its
	 * segments go to the others (pg_reattached takes it back). */
	if (op->f->op == op)
		op->f->op = NULL;
	pg->w[0].c = op->o.s;
	for (int i = 1; i < pg->nw; i++)
		pg->w[i].lease = session_acquire(session_site(op->o.s), pw_leased, &pg->w[i]);
	pw_next(&pg->w[0]);
	return 0;
}

void ftp_pget_stop(struct ftp_op *op)
{
	struct pget *pg = op->pget;
	if (!pg)
		return;
	op->pget = NULL;
	pg_halt(pg);
	pg_keep_prefix(pg);
	pg_free(pg);
}
