/* sink.c - where a command's output goes (see sink.h). */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "ev.h"
#include "ui.h"

/* Buffered bytes beyond which a producer that ignores the pause is waited
 * for with a blocking write instead of buffering more. */
#define SINK_HARD (16 * 1024 * 1024)

enum sink_kind {
	SINK_TERM,   /* the terminal, through ui (escaped) */
	SINK_FD,     /* a descriptor, unchanged */
	SINK_LOG,    /* memory, for a job in the background */
};

struct sink {
	enum sink_kind kind;
	int fd;
	bool owned;          /* close fd at the end */
	bool nonblock;       /* fd is a pipe we made non-blocking */
	char *name;
	struct ev *ev;
	struct ev_io *io;    /* POLLOUT while buffered bytes wait */
	struct buf pending;  /* FD: not yet written; LOG: held */
	int err;
	char why[256];
	void (*flow)(void *arg, bool pause);
	void *flow_arg;
	bool paused;
	void (*drained)(void *arg);
	void *drained_arg;
};

static struct sink *sink_new(enum sink_kind kind, size_t max)
{
	struct sink *s = xcalloc(1, sizeof(*s));
	s->kind = kind;
	s->fd = -1;
	buf_init(&s->pending, max);
	return s;
}

struct sink *sink_stdout(void)
{
	struct sink *s = sink_new(ui_stdout_tty() ? SINK_TERM : SINK_FD, SINK_HARD);
	if (s->kind == SINK_FD) {
		s->fd = STDOUT_FILENO;
		s->name = xstrdup("standard output");
	}
	return s;
}

bool sink_is_terminal(const struct sink *s)
{
	return s->kind == SINK_TERM || s->kind == SINK_LOG;
}

bool sink_is_tty(const struct sink *s)
{
	return s->kind == SINK_TERM;
}

struct sink *sink_fd(struct ev *ev, int fd, const char *name)
{
	struct sink *s = sink_new(SINK_FD, SINK_HARD);
	struct stat st;
	s->fd = fd;
	s->owned = true;
	s->ev = ev;
	s->name = xstrdup(name);
	if (ev && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
			s->nonblock = true;
	}
	return s;
}

struct sink *sink_log(size_t max)
{
	return sink_new(SINK_LOG, max);
}

void sink_free(struct sink *s)
{
	if (!s)
		return;
	if (s->io)
		ev_io_del(s->io);
	if (s->owned && s->fd >= 0)
		close(s->fd);
	buf_clear(&s->pending);
	free(s->name);
	free(s);
}

int sink_error(const struct sink *s)
{
	return s->err;
}

const char *sink_why(const struct sink *s)
{
	return s->why;
}

int sink_child_fd(struct sink *s)
{
	if (s->kind != SINK_FD || !s->owned)
		return -1;
	if (s->nonblock) {
		int fl = fcntl(s->fd, F_GETFL);
		if (fl >= 0 && fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK) == 0)
			s->nonblock = false;
	}
	return s->fd;
}

void sink_set_flow(struct sink *s, void (*fn)(void *arg, bool pause), void *arg)
{
	s->flow = fn;
	s->flow_arg = arg;
}

static void set_paused(struct sink *s, bool paused)
{
	if (s->paused == paused)
		return;
	s->paused = paused;
	if (s->flow)
		s->flow(s->flow_arg, paused);
}

static int fail(struct sink *s, int e)
{
	if (e == EPIPE) {
		s->err = ERR_PIPE;
		snprintf(s->why, sizeof(s->why), "%s: the reader went away", s->name);
	} else {
		s->err = ERR_LOCAL;
		snprintf(s->why, sizeof(s->why), "write to %s: %s", s->name, strerror(e));
	}
	buf_reset(&s->pending);
	if (s->io) {
		ev_io_del(s->io);
		s->io = NULL;
	}
	set_paused(s, false); /* let the producer run into the error */
	return s->err;
}

/* Write what the descriptor takes now; returns bytes written, -1 with
 * errno set on an error other than "would block". */
static ssize_t write_some(struct sink *s, const char *p, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(s->fd, p + done, n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

static void call_drained(struct sink *s)
{
	void (*fn)(void *) = s->drained;
	s->drained = NULL;
	if (fn)
		fn(s->drained_arg);
}

static void on_writable(int fd, short revents, void *arg)
{
	struct sink *s = arg;
	(void)fd;
	(void)revents;
	ssize_t w = write_some(s, buf_peek(&s->pending), buf_avail(&s->pending));
	if (w < 0) {
		fail(s, errno);
		call_drained(s);
		return;
	}
	buf_consume(&s->pending, (size_t)w);
	if (buf_avail(&s->pending) <= SINK_LOW)
		set_paused(s, false);
	if (buf_avail(&s->pending) == 0) {
		ev_io_del(s->io);
		s->io = NULL;
		call_drained(s);
	}
}

/* Wait for the reader with blocking writes (a producer that does not
 * pause, or no loop to wait on). */
static int write_blocking(struct sink *s, const char *p, size_t n)
{
	if (s->nonblock) {
		int fl = fcntl(s->fd, F_GETFL);
		if (fl >= 0)
			fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK);
	}
	ssize_t w = write_some(s, buf_peek(&s->pending), buf_avail(&s->pending));
	int e = errno;
	if (w >= 0) {
		buf_consume(&s->pending, (size_t)w);
		w = write_some(s, p, n);
		e = errno;
	}
	if (s->nonblock) {
		int fl = fcntl(s->fd, F_GETFL);
		if (fl >= 0)
			fcntl(s->fd, F_SETFL, fl | O_NONBLOCK);
	}
	return w < 0 ? fail(s, e) : 0;
}

static int fd_write(struct sink *s, const char *p, size_t n)
{
	if (s->fd == STDOUT_FILENO)
		fflush(stdout); /* earlier stdio output first */
	if (buf_avail(&s->pending) == 0) {
		ssize_t w = write_some(s, p, n);
		if (w < 0)
			return fail(s, errno);
		p += w;
		n -= (size_t)w;
		if (n == 0)
			return 0;
	}
	if (!s->nonblock || !s->ev || buf_append(&s->pending, p, n) < 0)
		return write_blocking(s, p, n);
	if (!s->io)
		s->io = ev_io_add(s->ev, s->fd, POLLOUT, on_writable, s);
	if (buf_avail(&s->pending) > SINK_HIGH)
		set_paused(s, true);
	return 0;
}

static int log_write(struct sink *s, const char *p, size_t n)
{
	/* Over the bound: held anyway (a producer that was asked to pause
	 * may still deliver what it had read), then paused. */
	if (buf_append(&s->pending, p, n) < 0) {
		size_t max = s->pending.max;
		s->pending.max = (size_t)-1 / 4;
		buf_append(&s->pending, p, n);
		s->pending.max = max;
	}
	if (buf_avail(&s->pending) >= s->pending.max)
		set_paused(s, true);
	return 0;
}

int sink_data(struct sink *s, const void *p, size_t n)
{
	if (s->err)
		return s->err;
	if (n == 0)
		return 0;
	switch (s->kind) {
	case SINK_TERM:
		ui_server(p, n);
		return 0;
	case SINK_LOG:
		return log_write(s, p, n);
	default:
		return fd_write(s, p, n);
	}
}

int sink_data_line(struct sink *s, const void *p, size_t n)
{
	if (s->kind == SINK_TERM) {
		if (!s->err)
			ui_server_line(p, n);
		return s->err;
	}
	int r = sink_data(s, p, n);
	return r ? r : sink_data(s, "\n", 1);
}

int sink_vprintf(struct sink *s, const char *fmt, va_list ap)
{
	char small[512];
	char *text = small;
	va_list ap2;

	if (s->err)
		return s->err;
	va_copy(ap2, ap);
	int len = vsnprintf(small, sizeof(small), fmt, ap);
	/* Room for the newline too: one write per line, not two (index
	 * of 100,000 articles to a file was 200,000 write calls). */
	if (len >= 0 && (size_t)len + 1 >= sizeof(small)) {
		text = xmalloc((size_t)len + 2);
		vsnprintf(text, (size_t)len + 1, fmt, ap2);
	}
	va_end(ap2);
	if (len < 0)
		return 0;
	int r = 0;
	if (s->kind == SINK_TERM) {
		ui_out("%s", text);
	} else {
		text[len] = '\n';
		r = sink_data(s, text, (size_t)len + 1);
	}
	if (text != small)
		free(text);
	return r;
}

int sink_printf(struct sink *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = sink_vprintf(s, fmt, ap);
	va_end(ap);
	return r;
}

bool sink_drain(struct sink *s, void (*done)(void *arg), void *arg)
{
	if (s->kind != SINK_FD || buf_avail(&s->pending) == 0 || s->err)
		return false;
	s->drained = done;
	s->drained_arg = arg;
	return true;
}

void sink_log_show(struct sink *s)
{
	if (s->kind != SINK_LOG)
		return;
	if (buf_avail(&s->pending))
		ui_server(buf_peek(&s->pending), buf_avail(&s->pending));
	buf_reset(&s->pending);
	set_paused(s, false);
}

void sink_set_background(struct sink *s, bool bg, size_t max)
{
	if (bg && s->kind == SINK_TERM) {
		s->kind = SINK_LOG;
		s->pending.max = max;
	} else if (!bg && s->kind == SINK_LOG) {
		sink_log_show(s);
		s->kind = SINK_TERM;
	}
}
