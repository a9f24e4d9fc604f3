/* peer.c - a scripted server on the test's own event loop (see peer.h). */
#define _GNU_SOURCE /* accept4 */
#include "peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "ev.h"

#define PEER_MAX_CONNS 16

struct pconn {
	struct peer *p;
	int idx;
	int fd;                      /* -1 once closed */
	struct ev_io *io;
	char *in;                    /* bytes not yet a whole line */
	size_t in_len;
	char *log;                   /* every line, '\n' after each */
	size_t log_len;
	int nlines;
	char cwd[256];
	int data_listen;             /* PA_EPSV's listener, or -1 */
	int data;                    /* the accepted data connection, or -1 */
	struct ev_io *data_io;       /* watches it for the client's close */
	const struct peer_rule *held;/* waiting for peer_release */
	bool in_xfer;                /* held is a transfer (reader goes on) */
	char held_line[512];
};

struct peer {
	struct ev *ev;
	const char *greeting;
	const struct peer_rule *rules;
	int listen_fd;
	int port;
	struct ev_io *listen_io;
	struct pconn *conns[PEER_MAX_CONNS];
	int nconns;
	int unscripted;
	char error[256];
};

static void peer_fail(struct peer *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void peer_fail(struct peer *p, const char *fmt, ...)
{
	va_list ap;
	if (p->error[0])
		return; /* the first one tells */
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
}

static void send_all(struct pconn *c, int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			peer_fail(c->p, "connection %d: send: %s", c->idx, strerror(errno));
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

static void reply(struct pconn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reply(struct pconn *c, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	if (c->fd < 0)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 2) {
		peer_fail(c->p, "connection %d: reply too long", c->idx);
		return;
	}
	memcpy(line + n, "\r\n", 2);
	send_all(c, c->fd, line, (size_t)n + 2);
}

static void close_data(struct pconn *c)
{
	if (c->data_io)
		ev_io_del(c->data_io);
	c->data_io = NULL;
	if (c->data >= 0)
		close(c->data);
	if (c->data_listen >= 0)
		close(c->data_listen);
	c->data = c->data_listen = -1;
}

static void conn_close(struct pconn *c)
{
	if (c->io)
		ev_io_del(c->io);
	c->io = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	close_data(c);
	c->held = NULL;
	c->in_xfer = false;
}

/* ---- actions ---------------------------------------------------------- */

static void do_cwd(struct pconn *c, const char *arg)
{
	char path[2 * sizeof(c->cwd)];
	if (arg[0] == '/')
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "%s%s%s", c->cwd,
		         strcmp(c->cwd, "/") == 0 ? "" : "/", arg);
	if (strlen(path) >= sizeof(c->cwd)) {
		reply(c, "550 path too long");
		return;
	}
	strcpy(c->cwd, path);
	reply(c, "250 OK");
}

static void do_epsv(struct pconn *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	close_data(c);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->data_listen = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->data_listen < 0 || bind(c->data_listen, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(c->data_listen, 1) < 0 ||
	    getsockname(c->data_listen, (struct sockaddr *)&sa, &len) < 0) {
		peer_fail(c->p, "connection %d: data listener: %s", c->idx, strerror(errno));
		reply(c, "425 no data listener");
		return;
	}
	reply(c, "229 Entering Extended Passive Mode (|||%d|)", ntohs(sa.sin_port));
}

/* A held transfer's data connection: the client closing it (Ctrl-C) ends
 * the transfer, as a server sending the file sees it fail: 426. */
static void on_data(int fd, short revents, void *arg)
{
	struct pconn *c = arg;
	char tmp[512];
	(void)revents;

	ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return; /* a download's data connection carries nothing back */
	close_data(c);
	c->held = NULL;
	c->in_xfer = false;
	reply(c, "426 Connection closed; transfer aborted");
}

/* The client connects before it sends the transfer command, so the data
 * connection is in the listener's queue by now. */
static void retr_open(struct pconn *c)
{
	if (c->data_listen < 0) {
		reply(c, "425 use EPSV first");
		return;
	}
	c->data = accept4(c->data_listen, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c->data < 0) {
		peer_fail(c->p, "connection %d: data accept: %s", c->idx, strerror(errno));
		reply(c, "425 no data connection");
		return;
	}
	reply(c, "150 Opening BINARY mode data connection");
}

static void retr_finish(struct pconn *c, const struct peer_rule *r)
{
	if (c->data < 0)
		return;
	send_all(c, c->data, r->reply ? r->reply : "", r->reply ? strlen(r->reply) : 0);
	close_data(c);
	reply(c, "226 Transfer complete");
}

static void act(struct pconn *c, const struct peer_rule *r, const char *line)
{
	const char *arg = strchr(line, ' ');
	arg = arg ? arg + 1 : "";

	switch (r->act) {
	case PA_REPLY:
		reply(c, "%s", r->reply);
		break;
	case PA_CWD:
		do_cwd(c, arg);
		break;
	case PA_PWD:
		reply(c, "257 \"%s\" is the current directory", c->cwd);
		break;
	case PA_EPSV:
		do_epsv(c);
		break;
	case PA_RETR:
		retr_finish(c, r);
		break;
	case PA_ABOR:
		/* RFC 959 ABOR: a transfer still running ends with 426
		 * first; either way ABOR itself gets 226. */
		if (c->in_xfer || c->data >= 0)
			reply(c, "426 Transfer aborted");
		close_data(c);
		c->held = NULL;
		c->in_xfer = false;
		reply(c, "226 ABOR successful");
		break;
	case PA_CLOSE:
		conn_close(c);
		break;
	}
}

static const struct peer_rule *match(struct pconn *c, const char *line)
{
	for (const struct peer_rule *r = c->p->rules; r->cmd; r++)
		if (strncmp(line, r->cmd, strlen(r->cmd)) == 0 &&
		    (r->conn == 0 || r->conn == c->idx + 1))
			return r;
	return NULL;
}

static void on_line(struct pconn *c, const char *line)
{
	size_t n = strlen(line);
	c->log = xrealloc(c->log, c->log_len + n + 2);
	memcpy(c->log + c->log_len, line, n);
	c->log_len += n;
	c->log[c->log_len++] = '\n';
	c->log[c->log_len] = '\0';
	c->nlines++;

	const struct peer_rule *r = match(c, line);
	if (!r) {
		c->p->unscripted++;
		reply(c, "500 unscripted: %s", line);
		return;
	}
	if (r->act == PA_RETR) {
		retr_open(c);
		if (c->data < 0)
			return;
		if (r->hold) {
			c->held = r;
			c->in_xfer = true;
			c->data_io = ev_io_add(c->p->ev, c->data, POLLIN, on_data, c);
			return;
		}
	} else if (r->hold) {
		c->held = r;
		snprintf(c->held_line, sizeof(c->held_line), "%s", line);
		return;
	}
	act(c, r, line);
}

/* Handle the whole lines received, unless a held reply stops the reader. */
static void process(struct pconn *c)
{
	while (c->fd >= 0 && !(c->held && !c->in_xfer)) {
		char *nl = c->in_len ? memchr(c->in, '\n', c->in_len) : NULL;
		if (!nl)
			return;
		size_t n = (size_t)(nl - c->in);
		char *line = xstrndup(c->in, n && nl[-1] == '\r' ? n - 1 : n);
		memmove(c->in, nl + 1, c->in_len - n - 1);
		c->in_len -= n + 1;
		on_line(c, line);
		free(line);
	}
}

static void on_readable(int fd, short revents, void *arg)
{
	struct pconn *c = arg;
	char tmp[4096];
	(void)revents;

	ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		process(c);   /* what came before the end */
		conn_close(c);
		return;
	}
	c->in = xrealloc(c->in, c->in_len + (size_t)n);
	memcpy(c->in + c->in_len, tmp, (size_t)n);
	c->in_len += (size_t)n;
	process(c);
}

static void on_accept(int fd, short revents, void *arg)
{
	struct peer *p = arg;
	(void)revents;

	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			peer_fail(p, "accept: %s", strerror(errno));
		return;
	}
	if (p->nconns == PEER_MAX_CONNS) {
		peer_fail(p, "more than %d connections", PEER_MAX_CONNS);
		close(cfd);
		return;
	}
	struct pconn *c = xcalloc(1, sizeof(*c));
	c->p = p;
	c->idx = p->nconns;
	c->fd = cfd;
	c->data = c->data_listen = -1;
	strcpy(c->cwd, "/");
	c->log = xstrdup("");
	p->conns[p->nconns++] = c;
	c->io = ev_io_add(p->ev, cfd, POLLIN, on_readable, c);
	reply(c, "%s", p->greeting);
}

/* ---- the interface ---------------------------------------------------- */

struct peer *peer_new(struct ev *ev, const char *greeting, const struct peer_rule *rules)
{
	struct peer *p = xcalloc(1, sizeof(*p));
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int one = 1;

	p->ev = ev;
	p->greeting = greeting;
	p->rules = rules;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->listen_fd < 0 ||
	    setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(p->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(p->listen_fd, 8) < 0 ||
	    getsockname(p->listen_fd, (struct sockaddr *)&sa, &len) < 0) {
		peer_fail(p, "listen: %s", strerror(errno));
		return p;
	}
	p->port = ntohs(sa.sin_port);
	p->listen_io = ev_io_add(ev, p->listen_fd, POLLIN, on_accept, p);
	return p;
}

void peer_free(struct peer *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nconns; i++) {
		conn_close(p->conns[i]);
		free(p->conns[i]->in);
		free(p->conns[i]->log);
		free(p->conns[i]);
	}
	if (p->listen_io)
		ev_io_del(p->listen_io);
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	free(p);
}

int peer_port(const struct peer *p)
{
	return p->port;
}

int peer_nconns(const struct peer *p)
{
	return p->nconns;
}

static struct pconn *get(const struct peer *p, int i)
{
	return i >= 0 && i < p->nconns ? p->conns[i] : NULL;
}

const char *peer_lines(const struct peer *p, int i)
{
	struct pconn *c = get(p, i);
	return c ? c->log : "";
}

int peer_nlines(const struct peer *p, int i)
{
	struct pconn *c = get(p, i);
	return c ? c->nlines : 0;
}

bool peer_holding(const struct peer *p, int i)
{
	struct pconn *c = get(p, i);
	return c && c->held;
}

void peer_release(struct peer *p, int i)
{
	struct pconn *c = get(p, i);
	if (!c || !c->held)
		return;
	const struct peer_rule *r = c->held;
	c->held = NULL;
	if (c->in_xfer) {
		c->in_xfer = false;
		retr_finish(c, r);
		return;
	}
	act(c, r, c->held_line);
	process(c);
}

void peer_drop(struct peer *p, int i)
{
	struct pconn *c = get(p, i);
	if (c)
		conn_close(c);
}

bool peer_closed(const struct peer *p, int i)
{
	struct pconn *c = get(p, i);
	return c && c->fd < 0;
}

int peer_unscripted(const struct peer *p)
{
	return p->unscripted;
}

const char *peer_error(const struct peer *p)
{
	return p->error;
}
