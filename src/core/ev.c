/* ev.c - the one poll() loop (see ev.h for the contract).
 *
 * A callback may add or delete any watcher or timer, itself included, but
 * never runs the loop again (every wait in ferry is a callback, not a
 * nested loop).  So a deleted watcher or timer is only marked dead and
 * moved to a graveyard, freed when ev_run_once() returns, because the
 * dispatch in progress may still hold a pointer to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "ev.h"

struct ev_io {
	struct ev *ev;
	int fd;
	short events;
	bool dead;
	ev_io_fn fn;
	void *arg;
	struct ev_io *next;     /* live list, or graveyard once dead */
};

struct ev_timer {
	struct ev *ev;
	int64_t when;           /* ms on the monotonic clock */
	uint64_t seq;           /* arming order: ties fire in FIFO order */
	bool linked;            /* in the sorted list */
	bool running;           /* its callback is on the stack */
	bool dead;
	ev_timer_fn fn;
	void *arg;
	struct ev_timer *next;
};

struct ev_deferred {
	ev_defer_fn fn;
	void *arg;
	uint64_t seq;
	struct ev_deferred *next;
};

struct ev {
	int64_t now;
	struct ev_io *ios;            /* live watchers, newest first */
	size_t nios;
	struct ev_io *dead_ios;
	struct ev_timer *timers;      /* armed, sorted by (when, seq) */
	struct ev_timer *dead_timers;
	uint64_t timer_seq;
	struct ev_deferred *dq_head, *dq_tail;
	uint64_t defer_seq;
	int wake_rd, wake_wr;
	bool running;                 /* inside ev_run_once() */
	/* poll arrays kept between calls */
	struct pollfd *pfd;
	struct ev_io **pio;
	size_t pcap;
};

static int64_t ev_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ev_set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

struct ev *ev_new(void)
{
	struct ev *ev = xcalloc(1, sizeof(*ev));
	int p[2];

	if (pipe(p) < 0) {
		free(ev);
		return NULL;
	}
	if (ev_set_flags(p[0]) < 0 || ev_set_flags(p[1]) < 0) {
		close(p[0]);
		close(p[1]);
		free(ev);
		return NULL;
	}
	ev->wake_rd = p[0];
	ev->wake_wr = p[1];
	ev->now = ev_clock_ms();
	return ev;
}

static void ev_reap(struct ev *ev)
{
	while (ev->dead_ios) {
		struct ev_io *io = ev->dead_ios;

		ev->dead_ios = io->next;
		free(io);
	}
	while (ev->dead_timers) {
		struct ev_timer *t = ev->dead_timers;

		ev->dead_timers = t->next;
		free(t);
	}
}

void ev_free(struct ev *ev)
{
	if (!ev)
		return;
	while (ev->ios) {
		struct ev_io *io = ev->ios;

		ev->ios = io->next;
		free(io);
	}
	while (ev->timers) {
		struct ev_timer *t = ev->timers;

		ev->timers = t->next;
		free(t);
	}
	ev_reap(ev);
	while (ev->dq_head) {
		struct ev_deferred *d = ev->dq_head;

		ev->dq_head = d->next;
		free(d);
	}
	free(ev->pfd);
	free(ev->pio);
	close(ev->wake_rd);
	close(ev->wake_wr);
	free(ev);
}

struct ev_io *ev_io_add(struct ev *ev, int fd, short events, ev_io_fn fn, void *arg)
{
	struct ev_io *io = xcalloc(1, sizeof(*io));

	io->ev = ev;
	io->fd = fd;
	io->events = events;
	io->fn = fn;
	io->arg = arg;
	io->next = ev->ios;
	ev->ios = io;
	ev->nios++;
	return io;
}

void ev_io_set(struct ev_io *io, short events)
{
	if (io && !io->dead)
		io->events = events;
}

void ev_io_del(struct ev_io *io)
{
	struct ev *ev;
	struct ev_io **pp;

	if (!io || io->dead)
		return;
	ev = io->ev;
	for (pp = &ev->ios; *pp; pp = &(*pp)->next) {
		if (*pp == io) {
			*pp = io->next;
			break;
		}
	}
	ev->nios--;
	io->dead = true;
	io->next = ev->dead_ios;
	ev->dead_ios = io;
}

static void ev_timer_unlink(struct ev_timer *t)
{
	struct ev_timer **pp;

	if (!t->linked)
		return;
	for (pp = &t->ev->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->linked = false;
}

static void ev_timer_link(struct ev_timer *t, long ms)
{
	struct ev *ev = t->ev;
	struct ev_timer **pp;

	if (ms < 0)
		ms = 0;
	ev->now = ev_clock_ms();
	t->when = ev->now + ms;
	t->seq = ++ev->timer_seq;
	for (pp = &ev->timers; *pp && (*pp)->when <= t->when; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	t->linked = true;
}

struct ev_timer *ev_timer_add(struct ev *ev, long ms, ev_timer_fn fn, void *arg)
{
	struct ev_timer *t = xcalloc(1, sizeof(*t));

	t->ev = ev;
	t->fn = fn;
	t->arg = arg;
	ev_timer_link(t, ms);
	return t;
}

void ev_timer_reset(struct ev_timer *t, long ms)
{
	if (!t || t->dead)
		return;
	ev_timer_unlink(t);
	ev_timer_link(t, ms);
}

void ev_timer_del(struct ev_timer *t)
{
	if (!t || t->dead)
		return;
	ev_timer_unlink(t);
	t->dead = true;
	t->next = t->ev->dead_timers;
	t->ev->dead_timers = t;
}

void ev_defer(struct ev *ev, ev_defer_fn fn, void *arg)
{
	struct ev_deferred *d = xmalloc(sizeof(*d));

	d->fn = fn;
	d->arg = arg;
	d->seq = ++ev->defer_seq;
	d->next = NULL;
	if (ev->dq_tail)
		ev->dq_tail->next = d;
	else
		ev->dq_head = d;
	ev->dq_tail = d;
}

void ev_defer_cancel(struct ev *ev, ev_defer_fn fn, void *arg)
{
	struct ev_deferred **pp = &ev->dq_head, *d;

	ev->dq_tail = NULL;
	while ((d = *pp) != NULL) {
		if (d->fn == fn && d->arg == arg) {
			*pp = d->next;
			free(d);
			continue;
		}
		ev->dq_tail = d;
		pp = &d->next;
	}
}

int64_t ev_now_ms(struct ev *ev)
{
	return ev->now;
}

void ev_wakeup(struct ev *ev)
{
	int saved = errno;
	char c = 1;
	ssize_t r;

	/* A full pipe already guarantees a wakeup, so EAGAIN is fine. */
	r = write(ev->wake_wr, &c, 1);
	(void)r;
	errno = saved;
}

/* Run the deferred calls queued before this point; ones queued by them
 * wait for the next iteration so a call that re-defers itself cannot
 * starve the loop.  Returns true if any ran. */
static bool ev_run_deferred(struct ev *ev)
{
	uint64_t last = ev->defer_seq;
	bool ran = false;

	while (ev->dq_head && ev->dq_head->seq <= last) {
		struct ev_deferred *d = ev->dq_head;

		ev->dq_head = d->next;
		if (!ev->dq_head)
			ev->dq_tail = NULL;
		d->fn(d->arg);
		free(d);
		ran = true;
	}
	return ran;
}

/* Fire timers that were due at ev->now and armed before this dispatch
 * started, so a timer re-armed with a tiny interval runs once per
 * iteration at most. */
static void ev_run_timers(struct ev *ev)
{
	uint64_t last = ev->timer_seq;

	for (;;) {
		struct ev_timer *t;
		long next;

		for (t = ev->timers; t && t->when <= ev->now; t = t->next)
			if (t->seq <= last && !t->running)
				break;
		if (!t || t->when > ev->now)
			return;
		ev_timer_unlink(t);
		t->running = true;
		next = t->fn(t->arg);
		t->running = false;
		if (t->dead)
			continue; /* deleted from inside its callback */
		if (next > 0) {
			/* The return value wins over an ev_timer_reset()
			 * done by the callback itself. */
			ev_timer_unlink(t);
			ev_timer_link(t, next);
		} else {
			ev_timer_del(t);
		}
	}
}

static long ev_poll_timeout(struct ev *ev, long max_wait_ms)
{
	int64_t d;

	if (ev->dq_head)
		return 0;
	if (!ev->timers)
		return max_wait_ms;
	/* Sorted: the first timer is the earliest. */
	d = ev->timers->when - ev->now;
	if (d < 0)
		d = 0;
	if (max_wait_ms >= 0 && max_wait_ms < d)
		return max_wait_ms;
	return d > LONG_MAX ? LONG_MAX : (long)d;
}

static void ev_drain_wake(struct ev *ev)
{
	char tmp[64];

	while (read(ev->wake_rd, tmp, sizeof(tmp)) > 0)
		;
}

int ev_run_once(struct ev *ev, long max_wait_ms)
{
	struct pollfd *pfd;
	struct ev_io **pio;
	struct ev_io *io;
	size_t n = 0, i;
	int rc = 0, r;
	long timeout;
	bool ran;

	/* A nested loop would dispatch events an outer dispatch still holds
	 * pointers for: not supported (see the top of the file). */
	if (ev->running)
		abort();
	ev->running = true;
	ev->now = ev_clock_ms();
	ran = ev_run_deferred(ev);

	if (ev->pcap < ev->nios + 1) {
		ev->pcap = ev->nios + 16;
		ev->pfd = xrealloc(ev->pfd, ev->pcap * sizeof(*ev->pfd));
		ev->pio = xrealloc(ev->pio, ev->pcap * sizeof(*ev->pio));
	}
	pfd = ev->pfd;
	pio = ev->pio;
	pfd[n].fd = ev->wake_rd;
	pfd[n].events = POLLIN;
	pfd[n].revents = 0;
	pio[n++] = NULL;
	for (io = ev->ios; io; io = io->next) {
		/* A watcher with no interest is not polled at all, so a
		 * paused reader does not spin on POLLHUP. */
		if (!io->events)
			continue;
		pfd[n].fd = io->fd;
		pfd[n].events = io->events;
		pfd[n].revents = 0;
		pio[n++] = io;
	}

	ev->now = ev_clock_ms();
	/* A deferred call may have completed what the caller waits for
	 * (while (!done) ev_run_once(ev, -1)): do not sleep before the
	 * caller has looked. */
	timeout = ran ? 0 : ev_poll_timeout(ev, max_wait_ms);
	if (timeout > 1000L * 3600 * 24)
		timeout = 1000L * 3600 * 24;
	r = poll(pfd, n, (int)timeout);
	ev->now = ev_clock_ms();
	if (r < 0) {
		if (errno == EINTR)
			rc = ERR_INTR;
		r = 0;
	}

	ev_run_timers(ev);

	for (i = 0; r > 0 && i < n; i++) {
		short re = pfd[i].revents;

		if (!re)
			continue;
		r--;
		io = pio[i];
		if (!io) {
			ev_drain_wake(ev);
			rc = ERR_INTR;
			continue;
		}
		if (io->dead)
			continue;
		/* Interest may have changed since poll(): deliver only what
		 * is still wanted, plus the conditions poll always reports. */
		re &= io->events | POLLERR | POLLHUP | POLLNVAL;
		if (re)
			io->fn(io->fd, re, io->arg);
	}

	ev_reap(ev);
	ev->running = false;
	return rc;
}
