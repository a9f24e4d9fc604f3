/* test_ev.c - the event loop: timer order and re-arming, deletion from
 * inside callbacks, deferred calls, wakeup, descriptors, nesting. */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cu_main.h"
#include "err.h"
#include "ev.h"

static char order[64];
static size_t norder;

static void note(char ch)
{
	if (norder < sizeof(order) - 1)
		order[norder++] = ch;
	order[norder] = '\0';
}

static void reset_order(void)
{
	norder = 0;
	order[0] = '\0';
}

/* Run the loop until cond() or ten seconds pass (reached only when the
 * test fails: a loaded machine may take a second for a 10 ms timer). */
static void run_until(struct ev *ev, bool (*cond)(void))
{
	int64_t end = ev_now_ms(ev) + 10000;

	while (!cond() && ev_now_ms(ev) < end)
		ev_run_once(ev, 50);
}

static long t_note(void *arg)
{
	note(*(const char *)arg);
	return 0;
}

static bool have3(void)
{
	return norder >= 3;
}

static void test_timer_order(void)
{
	struct ev *ev = ev_new();

	reset_order();
	ev_timer_add(ev, 30, t_note, "c");
	ev_timer_add(ev, 10, t_note, "a");
	ev_timer_add(ev, 20, t_note, "b");
	run_until(ev, have3);
	CU_ASSERT_STRING_EQUAL(order, "abc");

	/* Same deadline: the order they were added in. */
	reset_order();
	ev_timer_add(ev, 0, t_note, "x");
	ev_timer_add(ev, 0, t_note, "y");
	ev_timer_add(ev, 0, t_note, "z");
	run_until(ev, have3);
	CU_ASSERT_STRING_EQUAL(order, "xyz");
	ev_free(ev);
}

static int rearm_count;
static int64_t rearm_first, rearm_last;
static struct ev *rearm_ev;

static long t_rearm(void *arg)
{
	if (rearm_count++ == 0)
		rearm_first = ev_now_ms(rearm_ev);
	rearm_last = ev_now_ms(rearm_ev);
	return rearm_count < 4 ? 10 : 0;
}

static bool rearm_done(void)
{
	return rearm_count >= 4;
}

static void test_timer_rearm(void)
{
	struct ev *ev = ev_new();
	int i;

	rearm_ev = ev;
	rearm_count = 0;
	ev_timer_add(ev, 5, t_rearm, NULL);
	run_until(ev, rearm_done);
	CU_ASSERT_EQUAL(rearm_count, 4);
	CU_ASSERT(rearm_last - rearm_first >= 30);
	/* Returned 0: gone, never fires again. */
	for (i = 0; i < 3; i++)
		ev_run_once(ev, 15);
	CU_ASSERT_EQUAL(rearm_count, 4);
	ev_free(ev);
}

static struct ev_timer *victim, *selfdel;
static int victim_fired, selfdel_fired;

static long t_victim(void *arg)
{
	victim_fired++;
	return 0;
}

static long t_killer(void *arg)
{
	ev_timer_del(victim);
	return 0;
}

static long t_selfdel(void *arg)
{
	selfdel_fired++;
	ev_timer_del(selfdel);
	return 10; /* ignored: deleted */
}

static long t_self_reset(void *arg)
{
	ev_timer_reset(*(struct ev_timer **)arg, 1);
	return 0; /* the return value wins: freed */
}

static void test_timer_delete_inside(void)
{
	struct ev *ev = ev_new();
	struct ev_timer *sr;
	int i;

	victim_fired = selfdel_fired = 0;
	/* Same deadline, killer first: the victim is due in the same
	 * dispatch but must not run. */
	ev_timer_add(ev, 5, t_killer, NULL);
	victim = ev_timer_add(ev, 5, t_victim, NULL);
	selfdel = ev_timer_add(ev, 5, t_selfdel, NULL);
	sr = ev_timer_add(ev, 5, t_self_reset, &sr);
	for (i = 0; i < 6; i++)
		ev_run_once(ev, 20);
	CU_ASSERT_EQUAL(victim_fired, 0);
	CU_ASSERT_EQUAL(selfdel_fired, 1);

	/* Deleting a timer that never fired. */
	victim = ev_timer_add(ev, 1000, t_victim, NULL);
	ev_timer_del(victim);
	ev_run_once(ev, 0);
	CU_ASSERT_EQUAL(victim_fired, 0);
	ev_free(ev);
}

static void timer_reset_later(void)
{
	struct ev *ev = ev_new();
	struct ev_timer *t;
	int i;

	victim_fired = 0;
	t = ev_timer_add(ev, 5, t_victim, NULL);
	ev_timer_reset(t, 200);
	for (i = 0; i < 3; i++)
		ev_run_once(ev, 10);
	CU_ASSERT_EQUAL(victim_fired, 0);
	ev_timer_del(t);
	ev_free(ev);
}

static struct ev *defer_ev;

static void d_note(void *arg)
{
	note(*(const char *)arg);
}

static void d_again(void *arg)
{
	note('1');
	ev_defer(defer_ev, d_note, "2");
}

static void test_defer(void)
{
	struct ev *ev = ev_new();

	defer_ev = ev;
	reset_order();
	ev_defer(ev, d_note, "a");
	ev_defer(ev, d_note, "b");
	ev_defer(ev, d_again, NULL);
	ev_defer(ev, d_note, "c");
	CU_ASSERT_STRING_EQUAL(order, ""); /* never run from ev_defer */
	ev_run_once(ev, 0);
	/* FIFO; what a deferred call queues waits for the next round. */
	CU_ASSERT_STRING_EQUAL(order, "ab1c");
	ev_run_once(ev, 0);
	CU_ASSERT_STRING_EQUAL(order, "ab1c2");

	/* Cancelled calls do not run; others keep their order. */
	reset_order();
	ev_defer(ev, d_note, "p");
	ev_defer(ev, d_note, "q");
	ev_defer(ev, d_note, "r");
	ev_defer_cancel(ev, d_note, "q");
	ev_defer(ev, d_note, "s");
	ev_run_once(ev, 0);
	CU_ASSERT_STRING_EQUAL(order, "prs");

	/* Pending calls are dropped, not run, by ev_free. */
	reset_order();
	ev_defer(ev, d_note, "z");
	ev_free(ev);
	CU_ASSERT_STRING_EQUAL(order, "");
}

static void d_block(void *arg)
{
	/* A deferred call must make poll() not wait. */
	note('d');
}

static void test_defer_no_wait(void)
{
	struct ev *ev = ev_new();
	int64_t t0;

	reset_order();
	ev_run_once(ev, 0);
	ev_defer(ev, d_block, NULL);
	t0 = ev_now_ms(ev);
	ev_run_once(ev, 20000);
	CU_ASSERT_STRING_EQUAL(order, "d");
	CU_ASSERT(ev_now_ms(ev) - t0 < 10000); /* not the whole wait */
	ev_free(ev);
}

static struct ev *sig_ev;

static void on_sigusr1(int sig)
{
	(void)sig;
	ev_wakeup(sig_ev);
}

static void test_wakeup(void)
{
	struct ev *ev = ev_new();
	struct sigaction sa, old;
	int64_t t0;
	int rc;

	ev_run_once(ev, 0);
	t0 = ev_now_ms(ev);
	ev_wakeup(ev);
	rc = ev_run_once(ev, 20000);
	CU_ASSERT_EQUAL(rc, ERR_INTR);
	CU_ASSERT(ev_now_ms(ev) - t0 < 10000); /* not the whole wait */
	/* Drained: the next wait is not cut short. */
	rc = ev_run_once(ev, 20);
	CU_ASSERT_EQUAL(rc, 0);

	/* From a signal handler, many times (the pipe must not block). */
	sig_ev = ev;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	for (int i = 0; i < 100000; i++)
		ev_wakeup(ev);
	raise(SIGUSR1);
	t0 = ev_now_ms(ev);
	rc = ev_run_once(ev, 20000);
	CU_ASSERT_EQUAL(rc, ERR_INTR);
	CU_ASSERT(ev_now_ms(ev) - t0 < 10000); /* not the whole wait */
	sigaction(SIGUSR1, &old, NULL);
	ev_free(ev);
}

static int io_hits;
static char io_data[16];
static struct ev_io *io_self;

static void io_read(int fd, short re, void *arg)
{
	ssize_t n;

	io_hits++;
	if (re & POLLIN) {
		n = read(fd, io_data, sizeof(io_data) - 1);
		if (n > 0)
			io_data[n] = '\0';
	}
}

static void io_del_self(int fd, short re, void *arg)
{
	io_hits++;
	ev_io_del(io_self);
}

static void test_io_pipe(void)
{
	struct ev *ev = ev_new();
	struct ev_io *io;
	int p[2];

	CU_ASSERT_FATAL(pipe(p) == 0);
	io_hits = 0;
	io = ev_io_add(ev, p[0], POLLIN, io_read, NULL);
	ev_run_once(ev, 0);
	CU_ASSERT_EQUAL(io_hits, 0);
	CU_ASSERT_EQUAL(write(p[1], "ping", 4), 4);
	ev_run_once(ev, 1000);
	CU_ASSERT_EQUAL(io_hits, 1);
	CU_ASSERT_STRING_EQUAL(io_data, "ping");

	/* No interest: not polled, even with data (or a hang-up) there. */
	CU_ASSERT_EQUAL(write(p[1], "pong", 4), 4);
	ev_io_set(io, 0);
	ev_run_once(ev, 10);
	CU_ASSERT_EQUAL(io_hits, 1);
	ev_io_set(io, POLLIN);
	ev_run_once(ev, 1000);
	CU_ASSERT_EQUAL(io_hits, 2);
	CU_ASSERT_STRING_EQUAL(io_data, "pong");
	ev_io_del(io);

	/* A watcher deleting itself from its callback runs once. */
	io_hits = 0;
	CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
	io_self = ev_io_add(ev, p[0], POLLIN, io_del_self, NULL);
	ev_run_once(ev, 1000);
	ev_run_once(ev, 10);
	CU_ASSERT_EQUAL(io_hits, 1);

	/* POLLOUT on the write end. */
	io_hits = 0;
	io = ev_io_add(ev, p[1], POLLOUT, io_read, NULL);
	ev_run_once(ev, 1000);
	CU_ASSERT_EQUAL(io_hits, 1);
	ev_io_del(io);
	close(p[0]);
	close(p[1]);
	ev_free(ev);
}

/* Two watchers ready at once; the first deletes the second. */
static struct ev_io *io_second;
static int second_hits;

static void io_first_kills(int fd, short re, void *arg)
{
	char tmp[8];

	if (read(fd, tmp, sizeof(tmp)) < 0)
		return;
	ev_io_del(io_second);
	io_second = NULL;
}

static void io_second_cb(int fd, short re, void *arg)
{
	second_hits++;
}

static void test_io_delete_other(void)
{
	struct ev *ev = ev_new();
	struct ev_io *a;
	int p[2], q[2];

	CU_ASSERT_FATAL(pipe(p) == 0 && pipe(q) == 0);
	second_hits = 0;
	CU_ASSERT_EQUAL(write(p[1], "a", 1), 1);
	CU_ASSERT_EQUAL(write(q[1], "b", 1), 1);
	/* Added last is dispatched first; add the victim first. */
	io_second = ev_io_add(ev, q[0], POLLIN, io_second_cb, NULL);
	a = ev_io_add(ev, p[0], POLLIN, io_first_kills, NULL);
	ev_run_once(ev, 1000);
	CU_ASSERT_EQUAL(second_hits, 0);
	ev_io_del(a);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	ev_free(ev);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("ev", NULL, NULL);

	CU_add_test(s, "timer_order", test_timer_order);
	CU_add_test(s, "timer_rearm", test_timer_rearm);
	CU_add_test(s, "timer_delete_inside", test_timer_delete_inside);
	CU_add_test(s, "timer_reset_later", timer_reset_later);
	CU_add_test(s, "defer", test_defer);
	CU_add_test(s, "defer_no_wait", test_defer_no_wait);
	CU_add_test(s, "wakeup", test_wakeup);
	CU_add_test(s, "io_pipe", test_io_pipe);
	CU_add_test(s, "io_delete_other", test_io_delete_other);
}
