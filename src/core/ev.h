/* ev.h - the one event loop: poll() over descriptors, monotonic timers,
 * deferred calls.  Single-threaded; every callback runs from ev_run_once(),
 * and no callback runs the loop again.
 *
 * Watchers and timers may be added or deleted from inside any callback,
 * including the callback of the watcher being deleted.
 */
#ifndef FERRY_EV_H
#define FERRY_EV_H

#include <stdbool.h>
#include <stdint.h>

struct ev;
struct ev_io;
struct ev_timer;

/* revents is a mask of POLLIN/POLLOUT/POLLERR/POLLHUP/POLLNVAL. */
typedef void (*ev_io_fn)(int fd, short revents, void *arg);
/* Return the next interval in ms (> 0 re-arms), or 0 to stop: a timer
 * whose callback returns 0 is freed by the loop (do not ev_timer_del it). */
typedef long (*ev_timer_fn)(void *arg);
typedef void (*ev_defer_fn)(void *arg);

/* Loop: ev_new/ev_free.  ev_free closes nothing but its own wake pipe. */
struct ev *ev_new(void);
void ev_free(struct ev *ev);

/* Watch fd for events (POLLIN|POLLOUT); returns a handle owned by the loop,
 * released with ev_io_del(). */
struct ev_io *ev_io_add(struct ev *ev, int fd, short events, ev_io_fn fn, void *arg);
void ev_io_set(struct ev_io *io, short events);
void ev_io_del(struct ev_io *io);

/* Call fn after ms milliseconds (monotonic clock).  Handle owned by the
 * loop, released by ev_timer_del() or by fn returning 0. */
struct ev_timer *ev_timer_add(struct ev *ev, long ms, ev_timer_fn fn, void *arg);
/* Re-arm to fire ms from now. */
void ev_timer_reset(struct ev_timer *t, long ms);
void ev_timer_del(struct ev_timer *t);

/* Run fn(arg) on the next loop iteration, before polling (FIFO order). */
void ev_defer(struct ev *ev, ev_defer_fn fn, void *arg);
/* Forget every queued deferred call of fn with arg (an owner that is being
 * freed); calls already running are not affected. */
void ev_defer_cancel(struct ev *ev, ev_defer_fn fn, void *arg);

/* Milliseconds on the monotonic clock, refreshed at each iteration. */
int64_t ev_now_ms(struct ev *ev);

/* Async-signal-safe: make a blocked ev_run_once() return promptly. */
void ev_wakeup(struct ev *ev);

/* Poll once (waiting at most max_wait_ms, -1 = until an event or timer)
 * and dispatch deferred calls, expired timers and ready descriptors.
 * Returns 0, or ERR_INTR if the wait was interrupted by a signal/wakeup.
 * Never from inside a callback: there is no nested loop (it aborts). */
int ev_run_once(struct ev *ev, long max_wait_ms);

#endif
