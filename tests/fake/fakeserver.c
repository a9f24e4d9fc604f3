/* fakeserver.c - a scriptable fake FTP/NNTP server for ferry's hostile-input
 * tests (tests/fake/README.md describes the script language).
 *
 * It serves the connections its script describes, one after the other, on
 * 127.0.0.1 (and/or ::1) at a port the kernel picks, which it writes to a
 * file.  It knows nothing of FTP or NNTP beyond what the script says, so it
 * can lie at the byte level: pipelined replies, bad codes, NUL bytes, endless
 * lines, a 227 naming another address, a TLS handshake with a bad
 * certificate, a data connection cut without close_notify.
 *
 * Every line the client sends is written to the protocol log, escaped, one per
 * line; notes of the server start with '*' ("*CONN 1", "*TLS ok TLS1.3", "*TRAP
 * ...").  What the server does goes to standard error (the event log).
 *
 * Under the "parallel" directive the connections are served at the same time
 * instead, one thread each, all running the same interpreter on their own
 * thread-local state; "signal"/"wait-signal" order them.  Their protocol log
 * is kept per connection and written at the end, connection after
 * connection, so it reads exactly like a sequential one.
 *
 * Blocking in poll() with deadlines: nothing here may hang past the script's
 * timeout.  Standalone: it does not link ferry's code.
 *
 * usage: fakeserver -s SCRIPT -p PORTFILE -l PROTOLOG [-C CERTDIR] [-d SRVDIR]
 *                   [-t SECONDS]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTEN 4
#define MAX_TRAPS 4
#define MAX_LINE (1024 * 1024)        /* a client line longer than this is cut */
#define FLOOD_CAP (1024LL * 1024 * 1024) /* flood stops after 1 GiB */
#define WAIT_SIGNAL_SECS 10           /* wait-signal without SECS */

/* ------------------------------------------------------------------ utils */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("fakeserver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xrealloc(NULL, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct bytes {
	char *p;
	size_t n, cap;
};

static void b_add(struct bytes *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void b_consume(struct bytes *b, size_t n)
{
	memmove(b->p, b->p + n, b->n - n);
	b->n -= n;
	if (b->p)
		b->p[b->n] = 0;
}

/* Escape bytes for the logs: printable ASCII as is ('\\' doubled), "\r",
 * "\t", "\n", other bytes "\xHH".  At most max input bytes, then "...". */
static void fesc(FILE *f, const char *p, size_t n, size_t max)
{
	size_t i, lim = n < max ? n : max;
	for (i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '\\')
			fputs("\\\\", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	if (lim < n)
		fprintf(f, "...(%zu bytes)", n);
}

/* ------------------------------------------------------------------ logs */

static FILE *g_plog;             /* protocol log */
static int64_t g_start;
static int64_t g_deadline;
/* Set by SIGTERM/SIGINT, read by every connection thread: lock-free atomic,
 * so it is both async-signal-safe and free of data races. */
static atomic_int g_stop;

/* Where this thread's protocol-log lines go: g_plog itself when serving one
 * connection after the other; in parallel mode a memory stream per
 * connection (and one for the main thread's notes), written to g_plog in
 * connection order at the end.  t_conn numbers the connection of a parallel
 * thread for the event log (0: main thread, no tag). */
static _Thread_local FILE *t_plog;
static _Thread_local int t_conn;
static _Thread_local bool g_dead; /* deadline passed or stopped: unwind */

/* The event log (standard error) is shared by the connection threads: each
 * event is written under the stream's lock so that lines do not mix. */
static void ev_stamp(void)
{
	fprintf(stderr, "[%7.3f] ", (now_ms() - g_start) / 1000.0);
	if (t_conn)
		fprintf(stderr, "#%d ", t_conn);
}

static void ev(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ev(const char *fmt, ...)
{
	va_list ap;
	flockfile(stderr);
	ev_stamp();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	funlockfile(stderr);
}

static void ev_bytes(const char *what, const char *p, size_t n)
{
	flockfile(stderr);
	ev_stamp();
	fprintf(stderr, "%s \"", what);
	fesc(stderr, p, n, 160);
	fputs("\"\n", stderr);
	fflush(stderr);
	funlockfile(stderr);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(t_plog, "*%s\n", buf);
	fflush(t_plog);
	ev("note: %s", buf);
}

static void note_bytes(const char *what, const char *p, size_t n)
{
	fprintf(t_plog, "*%s ", what);
	fesc(t_plog, p, n, 512);
	fputc('\n', t_plog);
	fflush(t_plog);
	ev_bytes(what, p, n);
}

/* A line the client sent; a leading '*' is escaped so it cannot pass for a
 * note of ours. */
static void log_client(const char *p, size_t n)
{
	if (n && p[0] == '*') {
		fputs("\\x2a", t_plog);
		p++, n--;
	}
	fesc(t_plog, p, n, MAX_LINE);
	fputc('\n', t_plog);
	fflush(t_plog);
	ev_bytes("recv", p, n);
}

/* ------------------------------------------------------------------ script */

enum op {
	OP_SEND, OP_REPEAT, OP_FLOOD, OP_SLEEP, OP_TRICKLE, OP_EXPECT,
	OP_EXPECT_PREFIX, OP_EXPECT_RE, OP_EXPECT_ANY, OP_READ_UNTIL,
	OP_SILENCE, OP_EOF, OP_CUT, OP_CLOSE, OP_RESET, OP_STALL, OP_TLS,
	OP_TLS_PRIORITY, OP_LOG, OP_DATA_LISTEN, OP_DATA_ACCEPT, OP_DATA_CONNECT, OP_DATA_TLS,
	OP_DATA_SEND, OP_DATA_GEN, OP_DATA_REPEAT, OP_DATA_TRICKLE,
	OP_DATA_RECV, OP_DATA_CLOSE, OP_DATA_CUT, OP_DATA_RESET, OP_DATA_STALL,
	OP_SIGNAL, OP_WAIT_SIGNAL,
};

struct action {
	enum op op;
	int lineno;
	struct bytes s;        /* bytes, line, cert or file name */
	regex_t re;
	long long num;         /* count, rate, size */
	long long off;         /* data-gen: offset in the pattern */
	double secs;           /* < 0: unlimited */
	char *addr;            /* data-listen address / data-connect source */
	char *traps[MAX_TRAPS];
	int ntraps;
};

struct actlist {
	struct action *v;
	size_t n, cap;
};

struct handler {
	bool is_re;
	bool once;             /* on-once: answers one line, then is spent */
	bool spent;
	char *pat;
	regex_t re;
	struct actlist acts;
	int lineno;
};

struct hlist {
	struct handler *v;
	size_t n, cap;
};

struct cscript {
	struct actlist acts;
	struct hlist on;
};

struct script {
	char *listen[MAX_LISTEN];
	int nlisten;
	double timeout, data_timeout;
	bool defaults;
	char proto[16];
	struct bytes unexpected;
	bool has_unexpected;
	struct hlist on;       /* handlers for every connection */
	struct hlist defs;     /* the protocol's default handlers */
	struct cscript *conns;
	size_t nconns;
	bool explicit_conn;
	bool parallel;         /* serve the connections at the same time */
};

static struct script S;
static const char *g_certdir = ".";
static const char *g_srvdir = ".";

static const char ftp_defaults[] =
	"on FEAT {\n"
	"send <<END\n"
	"211-Features:\n EPSV\n PASV\n SIZE\n MDTM\n REST STREAM\n UTF8\n211 End\n"
	"END\n"
	"}\n"
	"on SYST => 215 UNIX Type: L8\\r\\n\n"
	"on TYPE => 200 Type set\\r\\n\n"
	"on OPTS => 200 OK\\r\\n\n"
	"on MODE => 200 Mode set\\r\\n\n"
	"on STRU => 200 Structure set\\r\\n\n"
	"on NOOP => 200 NOOP ok\\r\\n\n"
	"on CLNT => 200 OK\\r\\n\n"
	"on PBSZ => 200 PBSZ=0\\r\\n\n"
	"on PROT => 200 Protection level set\\r\\n\n"
	"on PWD => 257 \"/\" is the current directory\\r\\n\n"
	"on SIZE => 502 SIZE not implemented\\r\\n\n"
	"on MDTM => 502 MDTM not implemented\\r\\n\n"
	"on ALLO => 202 No storage allocation necessary\\r\\n\n"
	"on AUTH => 502 AUTH not supported\\r\\n\n"
	"on ABOR => 226 No transfer to abort\\r\\n\n"
	"on QUIT {\n"
	"send 221 Goodbye\\r\\n\n"
	"close\n"
	"}\n";

static const char nntp_defaults[] =
	"on CAPABILITIES {\n"
	"send <<END\n"
	"101 Capability list:\nVERSION 2\nREADER\nOVER\nHDR\n"
	"LIST ACTIVE NEWSGROUPS OVERVIEW.FMT\n.\n"
	"END\n"
	"}\n"
	"on MODE READER => 200 fakeserver news, posting allowed\\r\\n\n"
	"on DATE => 111 20260101000000\\r\\n\n"
	"on LIST OVERVIEW.FMT {\n"
	"send <<END\n"
	"215 Order of fields in overview database.\nSubject:\nFrom:\nDate:\n"
	"Message-ID:\nReferences:\n:bytes\n:lines\nXref:full\n.\n"
	"END\n"
	"}\n"
	"on QUIT {\n"
	"send 205 Bye\\r\\n\n"
	"close\n"
	"}\n";

static void act_add(struct actlist *l, const struct action *a)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = *a;
}

static struct handler *h_add(struct hlist *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	memset(&l->v[l->n], 0, sizeof l->v[0]);
	return &l->v[l->n++];
}

struct parser {
	const char *name;    /* for messages */
	const char *p, *end; /* remaining text */
	int lineno;
};

static void perr(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fakeserver: %s:%d: ", ps->name, ps->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Next raw line (without "\n" and a trailing "\r"); false at the end. */
static bool next_line(struct parser *ps, const char **l, size_t *n)
{
	const char *nl;
	if (ps->p >= ps->end)
		return false;
	nl = memchr(ps->p, '\n', ps->end - ps->p);
	*l = ps->p;
	*n = nl ? (size_t)(nl - ps->p) : (size_t)(ps->end - ps->p);
	ps->p = nl ? nl + 1 : ps->end;
	if (*n && (*l)[*n - 1] == '\r')
		(*n)--;
	ps->lineno++;
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Append s[0..n) to out with escapes \r \n \t \0 \e \\ \" \xHH decoded. */
static void unescape(struct parser *ps, const char *s, size_t n, struct bytes *out)
{
	size_t i;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c != '\\') {
			b_add(out, &c, 1);
			continue;
		}
		if (++i >= n)
			perr(ps, "backslash at the end of a string");
		switch (s[i]) {
		case 'r': c = '\r'; break;
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case '0': c = '\0'; break;
		case 'e': c = 0x1b; break;
		case 'a': c = 0x07; break;
		case '\\': c = '\\'; break;
		case '"': c = '"'; break;
		case 'x': {
			int h, l;
			if (i + 2 >= n)
				perr(ps, "short \\x escape");
			h = hexval(s[i + 1]);
			l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				perr(ps, "bad \\x escape");
			c = (char)(h * 16 + l);
			i += 2;
			break;
		}
		default:
			perr(ps, "unknown escape \\%c", s[i]);
		}
		b_add(out, &c, 1);
	}
	if (!out->p)
		b_add(out, "", 0);
}

static const char *trim(const char *s, size_t *n)
{
	while (*n && isspace((unsigned char)*s))
		s++, (*n)--;
	while (*n && isspace((unsigned char)s[*n - 1]))
		(*n)--;
	return s;
}

/* The argument of a byte-string directive: "<<TAG" here-document (each line
 * unescaped and ended with CRLF), a "quoted string" or the rest of the line. */
static void arg_bytes(struct parser *ps, const char *rest, size_t n, struct bytes *out)
{
	if (n >= 2 && rest[0] == '<' && rest[1] == '<') {
		size_t tn = n - 2;
		const char *tag = trim(rest + 2, &tn);
		const char *l;
		size_t ln;
		int start = ps->lineno;
		if (!tn)
			perr(ps, "here-document without a tag");
		for (;;) {
			size_t tl;
			const char *t;
			if (!next_line(ps, &l, &ln)) {
				ps->lineno = start;
				perr(ps, "here-document not ended by %.*s", (int)tn, tag);
			}
			tl = ln;
			t = trim(l, &tl);
			if (tl == tn && !memcmp(t, tag, tn))
				break;
			unescape(ps, l, ln, out);
			b_add(out, "\r\n", 2);
		}
		if (!out->p)
			b_add(out, "", 0);
		return;
	}
	if (n >= 2 && rest[0] == '"' && rest[n - 1] == '"') {
		rest++;
		n -= 2;
	}
	unescape(ps, rest, n, out);
}

static double parse_secs(struct parser *ps, const char *s, size_t n, double dflt)
{
	char buf[64], *e;
	double v;
	if (!n)
		return dflt;
	if (n >= sizeof buf)
		perr(ps, "bad number");
	memcpy(buf, s, n);
	buf[n] = 0;
	v = strtod(buf, &e);
	if (*e || v < 0)
		perr(ps, "bad number of seconds '%s'", buf);
	return v;
}

/* A count with an optional K/M/G (binary) suffix; *used gets the length. */
static long long parse_count(struct parser *ps, const char *s, size_t n, size_t *used)
{
	char buf[64], *e;
	long long v;
	size_t k = 0;
	while (k < n && !isspace((unsigned char)s[k]))
		k++;
	if (!k || k >= sizeof buf)
		perr(ps, "expected a number");
	memcpy(buf, s, k);
	buf[k] = 0;
	errno = 0;
	v = strtoll(buf, &e, 10);
	if (errno || v < 0)
		perr(ps, "bad number '%s'", buf);
	if (*e == 'K' || *e == 'k')
		v *= 1024, e++;
	else if (*e == 'M' || *e == 'm')
		v *= 1024 * 1024, e++;
	else if (*e == 'G' || *e == 'g')
		v *= 1024LL * 1024 * 1024, e++;
	if (*e)
		perr(ps, "bad number '%s'", buf);
	if (used)
		*used = k;
	return v;
}

static void compile_re(struct parser *ps, regex_t *re, const char *pat)
{
	int r = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	if (r) {
		char msg[256];
		regerror(r, re, msg, sizeof msg);
		perr(ps, "bad regular expression '%s': %s", pat, msg);
	}
}

static struct cscript *cur_conn(void)
{
	if (!S.nconns) {
		S.conns = xrealloc(S.conns, sizeof *S.conns);
		memset(&S.conns[0], 0, sizeof S.conns[0]);
		S.nconns = 1;
	}
	return &S.conns[S.nconns - 1];
}

static const struct {
	const char *name;
	enum op op;
} optab[] = {
	{"send", OP_SEND}, {"reply", OP_SEND}, {"repeat", OP_REPEAT},
	{"flood", OP_FLOOD}, {"sleep", OP_SLEEP}, {"delay", OP_SLEEP},
	{"trickle", OP_TRICKLE}, {"expect", OP_EXPECT},
	{"expect-prefix", OP_EXPECT_PREFIX}, {"expect-re", OP_EXPECT_RE},
	{"expect-any", OP_EXPECT_ANY}, {"read-until", OP_READ_UNTIL},
	{"silence", OP_SILENCE}, {"eof", OP_EOF}, {"cut", OP_CUT},
	{"close", OP_CLOSE}, {"reset", OP_RESET}, {"stall", OP_STALL},
	{"tls", OP_TLS}, {"tls-priority", OP_TLS_PRIORITY}, {"log", OP_LOG}, {"data-listen", OP_DATA_LISTEN},
	{"data-accept", OP_DATA_ACCEPT}, {"data-connect", OP_DATA_CONNECT},
	{"data-tls", OP_DATA_TLS}, {"data-send", OP_DATA_SEND},
	{"data-gen", OP_DATA_GEN}, {"data-repeat", OP_DATA_REPEAT},
	{"data-trickle", OP_DATA_TRICKLE}, {"data-recv", OP_DATA_RECV},
	{"data-close", OP_DATA_CLOSE}, {"data-cut", OP_DATA_CUT},
	{"data-reset", OP_DATA_RESET}, {"data-stall", OP_DATA_STALL},
	{"signal", OP_SIGNAL}, {"wait-signal", OP_WAIT_SIGNAL},
};

static const char *op_name(enum op op)
{
	size_t i;
	for (i = 0; i < sizeof optab / sizeof optab[0]; i++)
		if (optab[i].op == op)
			return optab[i].name;
	return "?";
}

/* Split the words of s[0..n) (blank-separated) into a NULL-terminated array
 * of at most max words; returns the count. */
static int words(const char *s, size_t n, char **w, int max)
{
	int k = 0;
	size_t i = 0;
	while (i < n && k < max) {
		size_t j;
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		j = i;
		while (j < n && !isspace((unsigned char)s[j]))
			j++;
		w[k++] = xstrndup(s + i, j - i);
		i = j;
	}
	w[k] = NULL;
	return k;
}

static void parse_action(struct parser *ps, const char *word, const char *rest,
                         size_t rn, struct actlist *target)
{
	struct action a;
	size_t i, used;
	memset(&a, 0, sizeof a);
	a.lineno = ps->lineno;
	a.secs = -1;
	for (i = 0; i < sizeof optab / sizeof optab[0]; i++)
		if (!strcmp(word, optab[i].name))
			break;
	if (i == sizeof optab / sizeof optab[0])
		perr(ps, "unknown directive '%s'", word);
	a.op = optab[i].op;
	switch (a.op) {
	case OP_SEND: case OP_FLOOD: case OP_DATA_SEND: case OP_EXPECT:
	case OP_EXPECT_PREFIX: case OP_READ_UNTIL: case OP_LOG:
		arg_bytes(ps, rest, rn, &a.s);
		break;
	case OP_REPEAT: case OP_DATA_REPEAT:
		a.num = parse_count(ps, rest, rn, &used);
		rest += used, rn -= used;
		rest = trim(rest, &rn);
		arg_bytes(ps, rest, rn, &a.s);
		if (!a.s.n)
			perr(ps, "repeat of nothing");
		break;
	case OP_TRICKLE: case OP_DATA_TRICKLE:
		a.num = parse_count(ps, rest, rn, NULL);
		break;
	case OP_DATA_GEN:
		/* data-gen N [OFFSET]: bytes OFFSET..OFFSET+N of the pattern */
		a.num = parse_count(ps, rest, rn, &used);
		rest += used, rn -= used;
		rest = trim(rest, &rn);
		a.off = rn ? parse_count(ps, rest, rn, NULL) : 0;
		break;
	case OP_SLEEP:
		if (!rn)
			perr(ps, "sleep needs seconds");
		/* fall through */
	case OP_SILENCE: case OP_STALL: case OP_DATA_STALL: case OP_EOF:
		a.secs = parse_secs(ps, rest, rn, -1);
		if (a.op == OP_SILENCE && a.secs < 0)
			perr(ps, "silence needs seconds");
		break;
	case OP_EXPECT_RE: {
		char *pat = xstrndup(rest, rn);
		compile_re(ps, &a.re, pat);
		free(pat);
		break;
	}
	case OP_TLS_PRIORITY: {
		gnutls_priority_t pc;
		const char *where = NULL;
		if (!rn)
			perr(ps, "tls-priority needs a GnuTLS priority string or 'default'");
		a.s.p = xstrndup(rest, rn);
		a.s.n = rn;
		if (strcmp(a.s.p, "default")) {
			if (gnutls_priority_init(&pc, a.s.p, &where) < 0)
				perr(ps, "bad priority string at '%s'", where ? where : a.s.p);
			gnutls_priority_deinit(pc);
		}
		break;
	}
	case OP_TLS: case OP_DATA_TLS: case OP_DATA_RECV:
		if (!rn)
			perr(ps, "%s needs a name", word);
		a.s.p = xstrndup(rest, rn);
		a.s.n = rn;
		if (a.op == OP_DATA_RECV && strchr(a.s.p, '/'))
			perr(ps, "data-recv takes a plain file name");
		break;
	case OP_SIGNAL: case OP_WAIT_SIGNAL: {
		/* signal NAME, wait-signal NAME [SECS] */
		char *w[4];
		int k = words(rest, rn, w, 3);
		if (!k || k > (a.op == OP_SIGNAL ? 1 : 2))
			perr(ps, "usage: signal NAME, or wait-signal NAME [SECS]");
		a.s.p = w[0];
		a.s.n = strlen(w[0]);
		a.secs = k == 2 ? parse_secs(ps, w[1], strlen(w[1]), WAIT_SIGNAL_SECS)
		                : WAIT_SIGNAL_SECS;
		break;
	}
	case OP_DATA_LISTEN: case OP_DATA_CONNECT: {
		char *w[16];
		int k = words(rest, rn, w, 15), j = 0;
		if (a.op == OP_DATA_CONNECT) {
			if (k == 2 && !strcmp(w[0], "from"))
				a.addr = w[1];
			else if (k)
				perr(ps, "usage: data-connect [from ADDR]");
			break;
		}
		if (j < k && strcmp(w[j], "trap"))
			a.addr = w[j++];
		if (j < k) {
			if (strcmp(w[j], "trap"))
				perr(ps, "usage: data-listen [ADDR] [trap ADDR...]");
			for (j++; j < k; j++) {
				if (a.ntraps == MAX_TRAPS)
					perr(ps, "too many traps");
				a.traps[a.ntraps++] = w[j];
			}
		}
		break;
	}
	default:
		if (rn)
			perr(ps, "%s takes no argument", word);
	}
	act_add(target, &a);
}

static void parse_script(struct parser *ps, bool defaults_mode)
{
	const char *l;
	size_t n;
	struct actlist *block = NULL;   /* inside "on ... {" */
	while (next_line(ps, &l, &n)) {
		size_t tn = n, wn, rn;
		const char *t = trim(l, &tn), *rest;
		char word[32];
		if (!tn || t[0] == '#')
			continue;
		if (block && tn == 1 && t[0] == '}') {
			block = NULL;
			continue;
		}
		for (wn = 0; wn < tn && !isspace((unsigned char)t[wn]); wn++)
			;
		if (wn >= sizeof word)
			perr(ps, "unknown directive '%.*s'", (int)wn, t);
		memcpy(word, t, wn);
		word[wn] = 0;
		rn = tn - wn;
		rest = trim(t + wn, &rn);

		if (!strcmp(word, "on") || !strcmp(word, "on-re") ||
		    !strcmp(word, "on-once") || !strcmp(word, "on-re-once")) {
			struct hlist *hl;
			struct handler *h;
			const char *arrow = NULL;
			size_t pn;
			if (block)
				perr(ps, "'on' inside an 'on' block");
			hl = defaults_mode ? &S.defs : S.explicit_conn ? &cur_conn()->on : &S.on;
			h = h_add(hl);
			h->lineno = ps->lineno;
			h->is_re = !strncmp(word, "on-re", 5);
			h->once = strstr(word, "once") != NULL;
			if (rn && rest[rn - 1] == '{') {
				pn = rn - 1;
				rest = trim(rest, &pn);
				block = &h->acts;
			} else {
				size_t k;
				for (k = 0; k + 4 <= rn; k++)
					if (!memcmp(rest + k, " => ", 4)) {
						arrow = rest + k;
						break;
					}
				if (!arrow)
					perr(ps, "usage: on PATTERN => REPLY, or on PATTERN {");
				pn = (size_t)(arrow - rest);
			}
			if (!pn)
				perr(ps, "empty pattern");
			h->pat = xstrndup(rest, pn);
			if (h->is_re)
				compile_re(ps, &h->re, h->pat);
			if (arrow) {
				struct action a;
				size_t an = rn - pn - 4;
				const char *ar = trim(arrow + 4, &an);
				memset(&a, 0, sizeof a);
				a.op = OP_SEND;
				a.lineno = ps->lineno;
				arg_bytes(ps, ar, an, &a.s);
				act_add(&h->acts, &a);
			}
			continue;
		}
		if (!block && !defaults_mode) {
			if (!strcmp(word, "proto")) {
				if (rn >= sizeof S.proto)
					perr(ps, "unknown protocol");
				memcpy(S.proto, rest, rn);
				S.proto[rn] = 0;
				if (strcmp(S.proto, "ftp") && strcmp(S.proto, "nntp") &&
				    strcmp(S.proto, "none"))
					perr(ps, "proto is ftp, nntp or none");
				continue;
			}
			if (!strcmp(word, "listen")) {
				char *w[MAX_LISTEN + 1];
				int k = words(rest, rn, w, MAX_LISTEN), j;
				if (!k)
					perr(ps, "listen needs an address");
				for (j = 0; j < k; j++)
					S.listen[j] = w[j];
				S.nlisten = k;
				continue;
			}
			if (!strcmp(word, "timeout")) {
				S.timeout = parse_secs(ps, rest, rn, 60);
				continue;
			}
			if (!strcmp(word, "data-timeout")) {
				S.data_timeout = parse_secs(ps, rest, rn, 10);
				continue;
			}
			if (!strcmp(word, "defaults")) {
				if (rn == 3 && !memcmp(rest, "off", 3))
					S.defaults = false;
				else if (rn == 2 && !memcmp(rest, "on", 2))
					S.defaults = true;
				else
					perr(ps, "defaults on|off");
				continue;
			}
			if (!strcmp(word, "unexpected")) {
				S.unexpected.n = 0;
				arg_bytes(ps, rest, rn, &S.unexpected);
				S.has_unexpected = true;
				continue;
			}
			if (!strcmp(word, "parallel")) {
				if (rn)
					perr(ps, "parallel takes no argument");
				S.parallel = true;
				continue;
			}
			if (!strcmp(word, "conn")) {
				if (rn)
					perr(ps, "conn takes no argument");
				if (S.explicit_conn || (S.nconns && S.conns[S.nconns - 1].acts.n)) {
					S.conns = xrealloc(S.conns, (S.nconns + 1) * sizeof *S.conns);
					memset(&S.conns[S.nconns], 0, sizeof S.conns[0]);
					S.nconns++;
				} else {
					cur_conn();
				}
				S.explicit_conn = true;
				continue;
			}
		}
		if (defaults_mode && !block)
			perr(ps, "defaults: action outside a handler");
		parse_action(ps, word, rest, rn, block ? block : &cur_conn()->acts);
	}
	if (block)
		perr(ps, "'on' block not closed with '}'");
}

/* ------------------------------------------------------------------ I/O */

struct chan {
	int fd;
	gnutls_session_t tls;
	struct bytes in;
	bool eof;
	long long rate;          /* bytes per second, 0: full speed */
	const char *tag;         /* "ctl" or "data" */
};

/* The state of the connection being served: control and data channels,
 * data listener and traps, the last PORT/EPRT.  Thread-local, so that each
 * thread of parallel mode has its own; one after the other, the main thread
 * is the only one and serve_conn() resets them between connections. */
static _Thread_local struct chan ctl = {.fd = -1, .tag = "ctl"};
static _Thread_local struct chan dat = {.fd = -1, .tag = "data"};
static _Thread_local int g_dlisten = -1;
static _Thread_local int g_traps[MAX_TRAPS];
static _Thread_local char g_trapaddr[MAX_TRAPS][80];
static _Thread_local int g_ntraps;
static _Thread_local int g_dport;
static _Thread_local char g_dhost[INET6_ADDRSTRLEN];
static _Thread_local char g_lastport[512];
static gnutls_datum_t g_ticket_key; /* shared: resumption across connections */
/* tls-priority, NULL: the defaults.  Per thread like the rest: one after
 * the other it carries over to the next connection, as it always did. */
static _Thread_local const char *g_tls_priority;

/* Certificates are loaded on first use, by whichever connection needs them. */
struct credent {
	char *name;
	gnutls_certificate_credentials_t cred;
};
static struct credent g_creds[16];
static int g_ncreds;
static pthread_mutex_t g_creds_mu = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

/* Wait for events on fd until `until` (ms, monotonic, clamped to the global
 * deadline).  Returns revents (>0), 0 on timeout, -1 when the global deadline
 * passed or a stop was asked (g_dead set). */
static int wait_fd(int fd, short events, int64_t until)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int64_t now = now_ms(), lim = until < g_deadline ? until : g_deadline;
		int64_t left = lim - now;
		int r;
		if (g_stop || now >= g_deadline) {
			g_dead = true;
			return -1;
		}
		if (left < 0)
			left = 0;
		r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (r > 0)
			return p.revents ? p.revents : 1;
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (now_ms() >= lim && lim < g_deadline)
			return 0;
	}
}

/* Sleep ms milliseconds; false if the global deadline passed meanwhile. */
static bool nap(int64_t ms)
{
	int64_t until = now_ms() + ms;
	while (now_ms() < until) {
		if (wait_fd(-1, 0, until) < 0)
			return false;
	}
	return !g_dead;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Read what is there into c->in, waiting until `until`.  Returns 1 when
 * bytes came, 0 on EOF (c->eof set), -2 on timeout, -1 on a fatal error or
 * the global deadline. */
static int chan_fill(struct chan *c, int64_t until)
{
	char buf[65536];
	for (;;) {
		ssize_t r;
		if (c->fd < 0 || c->eof)
			return 0;
		if (!(c->tls && gnutls_record_check_pending(c->tls))) {
			int w = wait_fd(c->fd, POLLIN, until);
			if (w < 0)
				return -1;
			if (w == 0)
				return -2;
		}
		if (c->tls) {
			r = gnutls_record_recv(c->tls, buf, sizeof buf);
			if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
				continue;
			if (r == GNUTLS_E_REHANDSHAKE || (r < 0 && !gnutls_error_is_fatal((int)r)))
				continue;
			if (r == GNUTLS_E_PREMATURE_TERMINATION) {
				note("%s: EOF without TLS close_notify", c->tag);
				c->eof = true;
				return 0;
			}
			if (r < 0) {
				note("%s: TLS read error: %s", c->tag, gnutls_strerror((int)r));
				c->eof = true;
				return 0;
			}
		} else {
			r = recv(c->fd, buf, sizeof buf, 0);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r < 0) {
				note("%s: read error: %s", c->tag, strerror(errno));
				c->eof = true;
				return 0;
			}
		}
		if (r == 0) {
			c->eof = true;
			return 0;
		}
		b_add(&c->in, buf, (size_t)r);
		return 1;
	}
}

/* Next complete line from the control connection (CRLF or LF stripped),
 * logged.  Returns 1 with *line (heap, caller frees), 0 on EOF, -1 dead,
 * -2 when `until` passed first. */
static int ctl_getline_until(char **line, size_t *len, int64_t until)
{
	for (;;) {
		char *nl = ctl.in.n ? memchr(ctl.in.p, '\n', ctl.in.n) : NULL;
		if (nl || ctl.in.n >= MAX_LINE) {
			size_t n = nl ? (size_t)(nl - ctl.in.p) : MAX_LINE;
			size_t take = nl ? n + 1 : n;
			if (!nl)
				note("client line longer than %d bytes, cut", MAX_LINE);
			if (n && ctl.in.p[n - 1] == '\r')
				n--;
			*line = xstrndup(ctl.in.p, n);
			*len = n;
			b_consume(&ctl.in, take);
			log_client(*line, n);
			if (!strncasecmp(*line, "PORT ", 5) || !strncasecmp(*line, "EPRT ", 5))
				snprintf(g_lastport, sizeof g_lastport, "%s", *line);
			return 1;
		}
		int r = chan_fill(&ctl, until);
		if (r == 0)
			return 0;
		if (r < 0)
			return r;
	}
}

static int ctl_getline(char **line, size_t *len)
{
	return ctl_getline_until(line, len, INT64_MAX);
}

/* Write all of p, paced by c->rate.  Returns 0, or -1 if the peer is gone
 * (noted) or the deadline passed. */
static int chan_write_raw(struct chan *c, const char *p, size_t n)
{
	while (n) {
		ssize_t r;
		if (c->tls)
			r = gnutls_record_send(c->tls, p, n);
		else
			r = send(c->fd, p, n, MSG_NOSIGNAL);
		if (r < 0) {
			bool again = c->tls ? (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			                    : (errno == EAGAIN || errno == EINTR);
			if (again) {
				if (wait_fd(c->fd, POLLOUT, INT64_MAX) < 0)
					return -1;
				continue;
			}
			note("%s: send failed: %s", c->tag,
			     c->tls ? gnutls_strerror((int)r) : strerror(errno));
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int chan_write(struct chan *c, const char *p, size_t n)
{
	if (c->fd < 0) {
		note("%s: not connected, %zu bytes not sent", c->tag, n);
		return -1;
	}
	if (!c->rate)
		return chan_write_raw(c, p, n);
	{
		size_t chunk = (size_t)(c->rate / 20 ? c->rate / 20 : 1);
		int64_t interval = (int64_t)chunk * 1000 / c->rate;
		while (n) {
			size_t k = n < chunk ? n : chunk;
			if (chan_write_raw(c, p, k) < 0)
				return -1;
			p += k;
			n -= k;
			if (n && !nap(interval))
				return -1;
		}
	}
	return 0;
}

/* Close a channel: "cut" (no TLS close_notify), "close" (close_notify) or
 * "reset" (RST). */
enum close_how { CUT, CLEAN, RESET };

static void chan_close(struct chan *c, enum close_how how)
{
	if (c->fd < 0)
		return;
	if (how == RESET) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	} else if (how == CLEAN && c->tls) {
		int64_t until = now_ms() + 2000;
		for (;;) {
			int r = gnutls_bye(c->tls, GNUTLS_SHUT_WR);
			if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED)
				break;
			if (wait_fd(c->fd, gnutls_record_get_direction(c->tls) ? POLLOUT : POLLIN,
			            until) <= 0)
				break;
		}
	}
	if (c->tls) {
		gnutls_deinit(c->tls);
		c->tls = NULL;
	}
	close(c->fd);
	c->fd = -1;
	c->eof = true;
	c->rate = 0;
}

static gnutls_certificate_credentials_t get_cred(const char *name)
{
	char cert[4096], key[4096];
	gnutls_certificate_credentials_t cred;
	int i, r;
	pthread_mutex_lock(&g_creds_mu);
	for (i = 0; i < g_ncreds; i++)
		if (!strcmp(g_creds[i].name, name)) {
			cred = g_creds[i].cred;
			pthread_mutex_unlock(&g_creds_mu);
			return cred;
		}
	if (g_ncreds == 16)
		die("too many certificates");
	snprintf(cert, sizeof cert, "%s/%s.pem", g_certdir, name);
	snprintf(key, sizeof key, "%s/%s.key", g_certdir, name);
	gnutls_certificate_allocate_credentials(&g_creds[g_ncreds].cred);
	r = gnutls_certificate_set_x509_key_file(g_creds[g_ncreds].cred, cert, key,
	                                         GNUTLS_X509_FMT_PEM);
	if (r < 0)
		die("certificate %s: %s", cert, gnutls_strerror(r));
	g_creds[g_ncreds].name = xstrndup(name, strlen(name));
	cred = g_creds[g_ncreds++].cred;
	pthread_mutex_unlock(&g_creds_mu);
	return cred;
}

/* Server TLS handshake on c with certificate `name`.  The client's first
 * byte is peeked first: plaintext there (a client that carried on without
 * TLS) is noted and the channel stays plain so the plaintext gets logged. */
static int tls_accept(struct chan *c, const char *name, const char *label)
{
	gnutls_session_t s;
	unsigned char b;
	ssize_t r;
	int w, hr;
	int64_t until = now_ms() + (int64_t)(S.data_timeout * 1000);
	if (c->fd < 0) {
		note("%sTLS: not connected", label);
		return 0;
	}
	if (c->in.n) {
		note_bytes(*label ? "DATA TLS plaintext before handshake:" :
		           "TLS plaintext before handshake:", c->in.p, c->in.n);
		return 0;
	}
	w = wait_fd(c->fd, POLLIN, until);
	if (w < 0)
		return -1;
	if (w == 0) {
		note("%sTLS no ClientHello within %.0fs", label, S.data_timeout);
		return 0;
	}
	r = recv(c->fd, &b, 1, MSG_PEEK);
	if (r == 0) {
		note("%sTLS EOF before handshake", label);
		c->eof = true;
		return 0;
	}
	if (r < 0) {
		note("%sTLS read error before handshake: %s", label, strerror(errno));
		c->eof = true;
		return 0;
	}
	if (b != 0x16) {
		note("%sTLS plaintext instead of a ClientHello", label);
		return 0;
	}
	gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NONBLOCK);
	if (g_tls_priority)
		gnutls_priority_set_direct(s, g_tls_priority, NULL);
	else
		gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, get_cred(name));
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
	gnutls_session_ticket_enable_server(s, &g_ticket_key);
	gnutls_transport_set_int(s, c->fd);
	for (;;) {
		hr = gnutls_handshake(s);
		if (hr == 0)
			break;
		if (hr == GNUTLS_E_AGAIN || hr == GNUTLS_E_INTERRUPTED) {
			w = wait_fd(c->fd, gnutls_record_get_direction(s) ? POLLOUT : POLLIN, until);
			if (w < 0) {
				gnutls_deinit(s);
				return -1;
			}
			if (w == 0) {
				note("%sTLS failed: handshake timeout", label);
				gnutls_deinit(s);
				return 0;
			}
			continue;
		}
		if (gnutls_error_is_fatal(hr)) {
			if (hr == GNUTLS_E_FATAL_ALERT_RECEIVED)
				note("%sTLS failed: alert %s", label,
				     gnutls_alert_get_name(gnutls_alert_get(s)));
			else
				note("%sTLS failed: %s", label, gnutls_strerror(hr));
			gnutls_deinit(s);
			return 0;
		}
	}
	c->tls = s;
	note("%sTLS ok %s resumed=%s", label,
	     gnutls_protocol_get_name(gnutls_protocol_get_version(s)),
	     gnutls_session_is_resumed(s) ? "yes" : "no");
	return 0;
}

static int parse_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof *a4;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof *a6;
		return 0;
	}
	return -1;
}

static void addr_str(const struct sockaddr_storage *ss, char *out, size_t n)
{
	char h[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;
		inet_ntop(AF_INET, &a->sin_addr, h, sizeof h);
		port = ntohs(a->sin_port);
		snprintf(out, n, "%s:%d", h, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof h);
		port = ntohs(a->sin6_port);
		snprintf(out, n, "[%s]:%d", h, port);
	} else {
		snprintf(out, n, "?");
	}
}

static void host_only(const struct sockaddr_storage *ss, char *out, size_t n)
{
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ss)->sin_addr, out, (socklen_t)n);
	else
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr, out, (socklen_t)n);
}

static int listen_on(const char *host, int port, int *outport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;
	if (parse_addr(host, port, &ss, &len) < 0)
		die("bad listen address %s", host);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 8) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	set_nonblock(fd);
	if (outport) {
		len = sizeof ss;
		getsockname(fd, (struct sockaddr *)&ss, &len);
		*outport = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
		                                   : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return fd;
}

static void data_drop_all(void)
{
	int i;
	chan_close(&dat, CUT);
	free(dat.in.p);
	memset(&dat.in, 0, sizeof dat.in);
	dat.eof = false;
	if (g_dlisten >= 0)
		close(g_dlisten);
	g_dlisten = -1;
	for (i = 0; i < g_ntraps; i++)
		if (g_traps[i] >= 0)
			close(g_traps[i]);
	g_ntraps = 0;
}

/* Accept and report any connection waiting on a trap listener. */
static void check_traps(void)
{
	int i;
	for (i = 0; i < g_ntraps; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd;
		if (g_traps[i] < 0)
			continue;
		while ((fd = accept(g_traps[i], (struct sockaddr *)&ss, &len)) >= 0) {
			char peer[80];
			struct linger lg = {.l_onoff = 1, .l_linger = 0};
			addr_str(&ss, peer, sizeof peer);
			note("TRAP data connection to %s from %s", g_trapaddr[i], peer);
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			close(fd);
			len = sizeof ss;
		}
	}
}

/* ------------------------------------------------------------------ run */

enum { RS_OK = 0, RS_END = 1, RS_DEAD = -1 };

static int run_list(const struct actlist *al, int depth);

/* Replace %DATAPORT% %DATAP1% %DATAP2% %DATA227% %DATAHOST% in b. */
static void expand(const struct bytes *in, struct bytes *out)
{
	static const char *names[] = {"%DATAPORT%", "%DATAP1%", "%DATAP2%",
	                              "%DATA227%", "%DATAHOST%"};
	size_t i = 0;
	out->n = 0;
	while (i < in->n) {
		size_t k;
		bool done = false;
		if (in->p[i] == '%') {
			for (k = 0; k < sizeof names / sizeof names[0]; k++) {
				size_t ln = strlen(names[k]);
				char v[128];
				if (i + ln > in->n || memcmp(in->p + i, names[k], ln))
					continue;
				switch (k) {
				case 0: snprintf(v, sizeof v, "%d", g_dport); break;
				case 1: snprintf(v, sizeof v, "%d", g_dport >> 8); break;
				case 2: snprintf(v, sizeof v, "%d", g_dport & 255); break;
				case 3: {
					unsigned a, b, c, d;
					if (sscanf(g_dhost, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
						a = b = c = d = 0;
					snprintf(v, sizeof v, "%u,%u,%u,%u,%d,%d", a, b, c, d,
					         g_dport >> 8, g_dport & 255);
					break;
				}
				default: snprintf(v, sizeof v, "%s", g_dhost); break;
				}
				b_add(out, v, strlen(v));
				i += ln;
				done = true;
				break;
			}
		}
		if (!done)
			b_add(out, in->p + i++, 1);
	}
	if (!out->p)
		b_add(out, "", 0);
}

static int send_ctl(const struct bytes *b)
{
	struct bytes x = {0};
	int r;
	expand(b, &x);
	ev_bytes("send", x.p, x.n);
	r = chan_write(&ctl, x.p, x.n);
	free(x.p);
	if (r < 0)
		return g_dead ? RS_DEAD : RS_OK;
	return RS_OK;
}

static bool prefix_match(const char *pat, const char *line)
{
	size_t n = strlen(pat);
	if (strncasecmp(line, pat, n))
		return false;
	return line[n] == 0 || line[n] == ' ';
}

/* The handlers of the script's top part are shared by all connections: an
 * on-once there answers one line of whichever connection sends it first, in
 * parallel mode as one after the other.  The lock makes that first one
 * unique. */
static pthread_mutex_t g_handlers_mu = PTHREAD_MUTEX_INITIALIZER;

static const struct handler *find_handler(struct hlist *hl, const char *line)
{
	const struct handler *found = NULL;
	size_t i;
	pthread_mutex_lock(&g_handlers_mu);
	for (i = 0; i < hl->n; i++) {
		struct handler *h = &hl->v[i];
		if (h->spent)
			continue;
		if (h->is_re ? !regexec(&h->re, line, 0, NULL, 0) : prefix_match(h->pat, line)) {
			if (h->once)
				h->spent = true;
			found = h;
			break;
		}
	}
	pthread_mutex_unlock(&g_handlers_mu);
	return found;
}

static _Thread_local struct cscript *g_cur; /* the connection's own script */

/* A line that no expect step took: the first matching handler (this
 * connection's, then the script's, then the protocol's defaults) runs;
 * without one the "unexpected" reply is sent. */
static int dispatch(const char *line, int depth)
{
	const struct handler *h = NULL;
	const char *from = "connection";
	if (g_cur)
		h = find_handler(&g_cur->on, line);
	if (!h && (from = "script"))
		h = find_handler(&S.on, line);
	if (!h && S.defaults && (from = "default"))
		h = find_handler(&S.defs, line);
	if (h) {
		ev("%s handler '%s' (line %d)", from, h->pat, h->lineno);
		if (depth > 8) {
			note("handlers nested too deep");
			return RS_OK;
		}
		return run_list(&h->acts, depth + 1);
	}
	note("UNEXPECTED line, no handler");
	if (S.has_unexpected && S.unexpected.n)
		return send_ctl(&S.unexpected);
	return RS_OK;
}

/* Drain: answer lines through the handlers until the client closes, or
 * for at most secs (>= 0) and then go on with the script. */
static int drain(int depth, double secs)
{
	int64_t until = secs < 0 ? INT64_MAX : now_ms() + (int64_t)(secs * 1000);
	for (;;) {
		char *line;
		size_t n;
		int r = ctl_getline_until(&line, &n, until);
		if (r == -2)
			return RS_OK;
		if (r <= 0)
			return r == 0 ? RS_END : RS_DEAD;
		r = dispatch(line, depth);
		free(line);
		if (r != RS_OK)
			return r;
		if (ctl.fd < 0)
			return RS_END;
	}
}

/* Wait up to secs (<0: without limit), reading the control connection into
 * its buffer but answering nothing.  RS_END on EOF. */
static int idle_wait(double secs, bool watch_data)
{
	int64_t until = secs < 0 ? INT64_MAX : now_ms() + (int64_t)(secs * 1000);
	for (;;) {
		struct pollfd p[2];
		int np = 0, r;
		int64_t now = now_ms(), lim = until < g_deadline ? until : g_deadline;
		if (g_stop || now >= g_deadline) {
			g_dead = true;
			return RS_DEAD;
		}
		if (now >= lim)
			return RS_OK;
		int ci = -1, di = -1;
		if (ctl.fd >= 0 && !ctl.eof)
			ci = np, p[np++] = (struct pollfd){.fd = ctl.fd, .events = POLLIN};
		if (watch_data && dat.fd >= 0)
			di = np, p[np++] = (struct pollfd){.fd = dat.fd, .events = POLLRDHUP};
		if (!np)
			return RS_END;
		r = poll(p, (nfds_t)np, (int)(lim - now > 500 ? 500 : lim - now));
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (r <= 0)
			continue;
		if (ci >= 0 && p[ci].revents) {
			if (chan_fill(&ctl, now_ms()) == 0) {
				note("EOF while stalled");
				return RS_END;
			}
		}
		if (di >= 0 && p[di].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			note("DATA closed by the client while stalled");
			return RS_OK;
		}
	}
}

/* ------------------------------------------------------------------ sync */

/* Events between connections: "signal NAME" marks NAME, "wait-signal NAME"
 * blocks its connection until NAME is marked.  That is how a case orders
 * what parallel connections do (the listing of connection 2 is served while
 * connection 1's transfer is in flight) without timing windows.  A mark
 * stays: a wait for a name signalled earlier returns at once.
 *
 * A waiter registers the write end of its own wake pipe; a signal writes a
 * byte to each, so the waiter sleeps in poll() on that pipe and its control
 * connection together, and notices the client hanging up meanwhile. */
static pthread_mutex_t g_sync_mu = PTHREAD_MUTEX_INITIALIZER;
static char **g_marks;           /* names signalled so far */
static size_t g_nmarks;
static int *g_wakers;            /* wake pipes of the waiting connections */
static size_t g_nwakers;
static _Thread_local int t_wake[2] = {-1, -1};

static bool marked_locked(const char *name)
{
	size_t i;
	for (i = 0; i < g_nmarks; i++)
		if (!strcmp(g_marks[i], name))
			return true;
	return false;
}

static bool marked(const char *name)
{
	bool r;
	pthread_mutex_lock(&g_sync_mu);
	r = marked_locked(name);
	pthread_mutex_unlock(&g_sync_mu);
	return r;
}

static int do_signal(const char *name)
{
	size_t i;
	note("SIGNAL %s", name);    /* before the waiters wake and note theirs */
	pthread_mutex_lock(&g_sync_mu);
	if (!marked_locked(name)) {
		g_marks = xrealloc(g_marks, (g_nmarks + 1) * sizeof *g_marks);
		g_marks[g_nmarks++] = xstrndup(name, strlen(name));
	}
	/* The pipe is non-blocking: a full one already wakes its reader. */
	for (i = 0; i < g_nwakers; i++)
		if (write(g_wakers[i], "", 1) < 0 && errno != EAGAIN)
			die("wake pipe: %s", strerror(errno));
	pthread_mutex_unlock(&g_sync_mu);
	return RS_OK;
}

static void waker_add(int fd, bool add)
{
	size_t i;
	pthread_mutex_lock(&g_sync_mu);
	if (add) {
		g_wakers = xrealloc(g_wakers, (g_nwakers + 1) * sizeof *g_wakers);
		g_wakers[g_nwakers++] = fd;
	} else {
		for (i = 0; i < g_nwakers; i++)
			if (g_wakers[i] == fd) {
				g_wakers[i] = g_wakers[--g_nwakers];
				break;
			}
	}
	pthread_mutex_unlock(&g_sync_mu);
}

/* Wait until `name` is signalled, for at most secs.  Lines the client sends
 * meanwhile are kept for the next steps, unanswered: nothing happens on this
 * connection before the signal.  A wait that runs out is noted "*WAIT NAME
 * timed out" (run-case fails the case unless a seen: line expects it) and
 * ends the connection: what follows in the script was meant to come after
 * the signal, so going on would only blur the report.  The client hanging up
 * ends it too. */
static int wait_signal(const char *name, double secs)
{
	int64_t t0 = now_ms(), until = t0 + (int64_t)(secs * 1000);
	int r = RS_OK;
	char drain_buf[64];
	if (t_wake[0] < 0) {
		if (pipe2(t_wake, O_NONBLOCK | O_CLOEXEC) < 0)
			die("pipe: %s", strerror(errno));
	}
	waker_add(t_wake[1], true);
	for (;;) {
		struct pollfd p[2];
		int np = 0, ci = -1;
		int64_t now = now_ms(), lim = until < g_deadline ? until : g_deadline;
		/* registered first, then checked: a signal in between still wakes
		 * the poll below */
		if (marked(name)) {
			ev("signal %s came after %.3fs", name, (now - t0) / 1000.0);
			note("WAIT %s ok", name);
			break;
		}
		if (g_stop || now >= g_deadline) {
			g_dead = true;
			r = RS_DEAD;
			break;
		}
		if (now >= lim) {
			note("WAIT %s timed out after %gs, connection ended", name, secs);
			r = RS_END;
			break;
		}
		p[np++] = (struct pollfd){.fd = t_wake[0], .events = POLLIN};
		if (ctl.fd >= 0 && !ctl.eof)
			ci = np, p[np++] = (struct pollfd){.fd = ctl.fd, .events = POLLIN};
		if (poll(p, (nfds_t)np, (int)(lim - now > 1000 ? 1000 : lim - now)) < 0 &&
		    errno != EINTR)
			die("poll: %s", strerror(errno));
		while (read(t_wake[0], drain_buf, sizeof drain_buf) > 0)
			;
		if (ci >= 0 && p[ci].revents) {
			int f = chan_fill(&ctl, now_ms());
			if (f == 0) {
				note("EOF while waiting for signal %s", name);
				r = RS_END;
				break;
			}
			if (f == -1) {
				r = RS_DEAD;
				break;
			}
		}
	}
	waker_add(t_wake[1], false);
	return r;
}

static int data_listen(const struct action *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN];
	int i;
	data_drop_all();
	if (a->addr) {
		snprintf(host, sizeof host, "%s", a->addr);
	} else {
		if (ctl.fd < 0 || getsockname(ctl.fd, (struct sockaddr *)&ss, &len) < 0) {
			note("DATA listen: no control connection");
			return RS_OK;
		}
		host_only(&ss, host, sizeof host);
	}
	g_dlisten = listen_on(host, 0, &g_dport);
	if (g_dlisten < 0) {
		note("DATA listen on %s failed: %s", host, strerror(errno));
		return RS_OK;
	}
	snprintf(g_dhost, sizeof g_dhost, "%s", host);
	ev("data listening on %s port %d", host, g_dport);
	for (i = 0; i < a->ntraps; i++) {
		g_traps[g_ntraps] = listen_on(a->traps[i], g_dport, NULL);
		snprintf(g_trapaddr[g_ntraps], sizeof g_trapaddr[0], "%s:%d", a->traps[i], g_dport);
		if (g_traps[g_ntraps] < 0)
			note("TRAP listen on %s failed: %s", g_trapaddr[g_ntraps], strerror(errno));
		else
			ev("trap listening on %s", g_trapaddr[g_ntraps]);
		g_ntraps++;
	}
	return RS_OK;
}

static int data_accept(void)
{
	int64_t until = now_ms() + (int64_t)(S.data_timeout * 1000);
	if (g_dlisten < 0) {
		note("DATA accept: no listener");
		return RS_OK;
	}
	chan_close(&dat, CUT);
	for (;;) {
		struct pollfd p[2 + MAX_TRAPS];
		int np = 0, i, r;
		int64_t now = now_ms(), lim = until < g_deadline ? until : g_deadline;
		if (g_stop || now >= g_deadline) {
			g_dead = true;
			return RS_DEAD;
		}
		if (now >= lim) {
			note("DATA no connection within %.0fs", S.data_timeout);
			check_traps();
			return RS_OK;
		}
		p[np++] = (struct pollfd){.fd = g_dlisten, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = ctl.eof ? -1 : ctl.fd, .events = POLLIN};
		for (i = 0; i < g_ntraps; i++)
			p[np++] = (struct pollfd){.fd = g_traps[i], .events = POLLIN};
		r = poll(p, (nfds_t)np, (int)(lim - now > 500 ? 500 : lim - now));
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (r <= 0)
			continue;
		check_traps();
		if (p[1].revents && chan_fill(&ctl, now_ms()) == 0) {
			note("EOF on control while waiting for the data connection");
			return RS_END;
		}
		if (p[0].revents) {
			struct sockaddr_storage ss, cs;
			socklen_t len = sizeof ss, cl = sizeof cs;
			char peer[80], cpeer[INET6_ADDRSTRLEN] = "", dpeer[INET6_ADDRSTRLEN];
			int fd = accept(g_dlisten, (struct sockaddr *)&ss, &len);
			if (fd < 0)
				continue;
			set_nonblock(fd);
			dat.fd = fd;
			dat.eof = false;
			dat.in.n = 0;
			addr_str(&ss, peer, sizeof peer);
			host_only(&ss, dpeer, sizeof dpeer);
			if (ctl.fd >= 0 && getpeername(ctl.fd, (struct sockaddr *)&cs, &cl) == 0)
				host_only(&cs, cpeer, sizeof cpeer);
			note("DATA connection from %s%s", peer,
			     *cpeer && strcmp(cpeer, dpeer) ? " (not the control peer)" : "");
			return RS_OK;
		}
	}
}

/* Connect to the address of the last PORT/EPRT command (active mode). */
static int data_connect(const struct action *a)
{
	char host[INET6_ADDRSTRLEN] = "";
	int port = -1, fd, w, err = 0;
	struct sockaddr_storage ss, src;
	socklen_t len, slen;
	socklen_t el = sizeof err;
	chan_close(&dat, CUT);
	if (!strncasecmp(g_lastport, "PORT ", 5)) {
		unsigned h[6];
		if (sscanf(g_lastport + 5, "%u,%u,%u,%u,%u,%u", &h[0], &h[1], &h[2], &h[3],
		           &h[4], &h[5]) == 6 && h[0] < 256 && h[1] < 256 && h[2] < 256 &&
		    h[3] < 256 && h[4] < 256 && h[5] < 256) {
			snprintf(host, sizeof host, "%u.%u.%u.%u", h[0], h[1], h[2], h[3]);
			port = (int)(h[4] * 256 + h[5]);
		}
	} else if (!strncasecmp(g_lastport, "EPRT ", 5)) {
		char d = g_lastport[5], *p = g_lastport + 6, *q;
		if (d && (p = strchr(p, d)) && (q = strchr(p + 1, d))) {
			size_t n = (size_t)(q - p - 1);
			if (n < sizeof host) {
				memcpy(host, p + 1, n);
				host[n] = 0;
				port = atoi(q + 1);
			}
		}
	}
	if (port <= 0 || port > 65535 || parse_addr(host, port, &ss, &len) < 0) {
		note("DATA connect: no usable PORT/EPRT seen");
		return RS_OK;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		note("DATA connect: socket: %s", strerror(errno));
		return RS_OK;
	}
	if (a->addr) {
		if (parse_addr(a->addr, 0, &src, &slen) < 0 || bind(fd, (struct sockaddr *)&src, slen) < 0) {
			note("DATA connect: cannot bind source %s: %s", a->addr, strerror(errno));
			close(fd);
			return RS_OK;
		}
	}
	set_nonblock(fd);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		note("DATA connect to %s:%d failed: %s", host, port, strerror(errno));
		close(fd);
		return RS_OK;
	}
	w = wait_fd(fd, POLLOUT, now_ms() + (int64_t)(S.data_timeout * 1000));
	if (w < 0) {
		close(fd);
		return RS_DEAD;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (w == 0 || err) {
		note("DATA connect to %s:%d failed: %s", host, port, w ? strerror(err) : "timeout");
		close(fd);
		return RS_OK;
	}
	dat.fd = fd;
	dat.eof = false;
	note("DATA connected to %s:%d%s%s", host, port, a->addr ? " from " : "",
	     a->addr ? a->addr : "");
	return RS_OK;
}

static int data_recv(const char *name)
{
	char path[4096], buf[65536];
	const char *end = "fin";
	long long total = 0;
	int fd;
	if (dat.fd < 0) {
		note("DATA recv: no data connection");
		return RS_OK;
	}
	snprintf(path, sizeof path, "%s/%s", g_srvdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	for (;;) {
		ssize_t r;
		if (!(dat.tls && gnutls_record_check_pending(dat.tls))) {
			int w = wait_fd(dat.fd, POLLIN, now_ms() + (int64_t)(S.data_timeout * 1000));
			if (w < 0) {
				close(fd);
				return RS_DEAD;
			}
			if (w == 0) {
				end = "timeout";
				break;
			}
		}
		if (dat.tls) {
			r = gnutls_record_recv(dat.tls, buf, sizeof buf);
			if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
				continue;
			if (r == 0) {
				end = "close_notify";
				break;
			}
			if (r == GNUTLS_E_PREMATURE_TERMINATION) {
				end = "premature";
				break;
			}
			if (r < 0 && !gnutls_error_is_fatal((int)r))
				continue;
			if (r < 0) {
				end = "tls-error";
				break;
			}
		} else {
			r = recv(dat.fd, buf, sizeof buf, 0);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r == 0)
				break;
			if (r < 0) {
				end = errno == ECONNRESET ? "reset" : "error";
				break;
			}
		}
		if (write(fd, buf, (size_t)r) != r)
			die("%s: write failed", path);
		total += r;
	}
	close(fd);
	note("DATA recv %lld bytes end=%s", total, end);
	/* As a real server does: answer close_notify with close_notify, and
	 * close the data connection either way. */
	chan_close(&dat, strcmp(end, "close_notify") ? CUT : CLEAN);
	return RS_OK;
}

static int data_send_bytes(const char *p, size_t n)
{
	if (dat.fd < 0) {
		note("DATA send: no data connection (%zu bytes dropped)", n);
		return RS_OK;
	}
	if (chan_write(&dat, p, n) < 0)
		return g_dead ? RS_DEAD : RS_OK;
	return RS_OK;
}

static int run_action(const struct action *a, int depth)
{
	char *line;
	size_t n;
	int r;
	if (g_stop || now_ms() >= g_deadline) {
		g_dead = true;
		return RS_DEAD;
	}
	ev("line %d: %s", a->lineno, op_name(a->op));
	switch (a->op) {
	case OP_SEND:
		return send_ctl(&a->s);
	case OP_REPEAT: {
		/* Build a buffer of whole repetitions, up to 64 KiB, and send it. */
		long long left = a->num;
		struct bytes buf = {0};
		long long per = (long long)(65536 / a->s.n) + 1;
		while (per-- > 0)
			b_add(&buf, a->s.p, a->s.n);
		ev("repeat %lld x %zu bytes", a->num, a->s.n);
		while (left > 0) {
			long long k = left < (long long)(buf.n / a->s.n) ? left : (long long)(buf.n / a->s.n);
			if (chan_write(&ctl, buf.p, (size_t)k * a->s.n) < 0)
				break;
			left -= k;
		}
		free(buf.p);
		return g_dead ? RS_DEAD : RS_OK;
	}
	case OP_FLOOD: {
		struct bytes buf = {0};
		long long sent = 0;
		while (buf.n < 65536)
			b_add(&buf, a->s.p, a->s.n);
		ev("flood of \"%.20s\"...", a->s.p);
		while (sent < FLOOD_CAP) {
			if (chan_write(&ctl, buf.p, buf.n) < 0)
				break;
			sent += (long long)buf.n;
		}
		note("flood stopped after %lld bytes%s", sent, sent >= FLOOD_CAP ? " (cap)" : "");
		free(buf.p);
		return g_dead ? RS_DEAD : RS_OK;
	}
	case OP_SLEEP:
		return nap((int64_t)(a->secs * 1000)) ? RS_OK : RS_DEAD;
	case OP_TRICKLE:
		ctl.rate = a->num;
		return RS_OK;
	case OP_DATA_TRICKLE:
		dat.rate = a->num;
		return RS_OK;
	case OP_EXPECT: case OP_EXPECT_PREFIX: case OP_EXPECT_RE: case OP_EXPECT_ANY:
		for (;;) {
			bool ok;
			r = ctl_getline(&line, &n);
			if (r < 0)
				return RS_DEAD;
			if (r == 0) {
				note("EOF while expecting a line (script line %d)", a->lineno);
				return RS_END;
			}
			if (a->op == OP_EXPECT)
				ok = n == a->s.n && !memcmp(line, a->s.p, n);
			else if (a->op == OP_EXPECT_PREFIX)
				ok = n >= a->s.n && !memcmp(line, a->s.p, a->s.n);
			else if (a->op == OP_EXPECT_RE)
				ok = !regexec(&a->re, line, 0, NULL, 0);
			else
				ok = true;
			if (ok) {
				free(line);
				return RS_OK;
			}
			r = dispatch(line, depth);
			free(line);
			if (r != RS_OK)
				return r;
			if (ctl.fd < 0)
				return RS_END;
		}
	case OP_READ_UNTIL:
		for (;;) {
			r = ctl_getline(&line, &n);
			if (r < 0)
				return RS_DEAD;
			if (r == 0) {
				note("EOF while reading until a line (script line %d)", a->lineno);
				return RS_END;
			}
			r = n == a->s.n && !memcmp(line, a->s.p, n);
			free(line);
			if (r)
				return RS_OK;
		}
	case OP_SILENCE:
		/* Unread bytes, whether they came with the line just read or
		 * during the wait: either way sent before our reply. */
		r = idle_wait(a->secs, false);
		if (ctl.in.n)
			note_bytes("EARLY bytes before our reply:", ctl.in.p, ctl.in.n);
		return r == RS_DEAD ? RS_DEAD : RS_OK;
	case OP_EOF:
		return drain(depth, a->secs);
	case OP_STALL:
		ev("stall %.1fs", a->secs);
		return idle_wait(a->secs, false);
	case OP_CUT:
		chan_fill(&ctl, now_ms());
		chan_close(&ctl, CUT);
		note("control cut");
		return RS_END;
	case OP_RESET:
		chan_close(&ctl, RESET);
		note("control reset");
		return RS_END;
	case OP_CLOSE: {
		/* close_notify, FIN, then log what the client still sends. */
		int64_t until = now_ms() + 2000;
		if (ctl.tls) {
			for (;;) {
				int br = gnutls_bye(ctl.tls, GNUTLS_SHUT_WR);
				if (br != GNUTLS_E_AGAIN && br != GNUTLS_E_INTERRUPTED)
					break;
				if (wait_fd(ctl.fd, POLLOUT, until) <= 0)
					break;
			}
		}
		if (ctl.fd >= 0)
			shutdown(ctl.fd, SHUT_WR);
		while (ctl.fd >= 0 && !ctl.eof && chan_fill(&ctl, until) > 0)
			;
		note("control closed");
		return RS_END;
	}
	case OP_TLS:
		return tls_accept(&ctl, a->s.p, "") < 0 ? RS_DEAD : RS_OK;
	case OP_TLS_PRIORITY:
		g_tls_priority = strcmp(a->s.p, "default") ? a->s.p : NULL;
		ev("tls priority %s", a->s.p);
		return RS_OK;
	case OP_LOG:
		note("%s", a->s.p);
		return RS_OK;
	case OP_DATA_LISTEN:
		return data_listen(a);
	case OP_DATA_ACCEPT:
		return data_accept();
	case OP_DATA_CONNECT:
		return data_connect(a);
	case OP_DATA_TLS:
		return tls_accept(&dat, a->s.p, "DATA ") < 0 ? RS_DEAD : RS_OK;
	case OP_DATA_SEND: {
		struct bytes x = {0};
		expand(&a->s, &x);
		ev_bytes("data send", x.p, x.n);
		r = data_send_bytes(x.p, x.n);
		free(x.p);
		return r;
	}
	case OP_DATA_GEN: {
		char buf[65536];
		long long off = 0, base = a->off;
		ev("data gen %lld bytes from offset %lld", a->num, base);
		while (off < a->num) {
			size_t k = a->num - off < (long long)sizeof buf ? (size_t)(a->num - off) : sizeof buf;
			size_t i;
			for (i = 0; i < k; i++)
				buf[i] = (char)((base + off + (long long)i) % 251);
			if (dat.fd < 0 || chan_write(&dat, buf, k) < 0) {
				note("DATA gen stopped after %lld bytes", off);
				break;
			}
			off += (long long)k;
		}
		return g_dead ? RS_DEAD : RS_OK;
	}
	case OP_DATA_REPEAT: {
		long long i;
		struct bytes buf = {0};
		for (i = 0; i < a->num; i++) {
			b_add(&buf, a->s.p, a->s.n);
			if (buf.n >= 65536 || i + 1 == a->num) {
				if (dat.fd < 0 || chan_write(&dat, buf.p, buf.n) < 0) {
					note("DATA repeat stopped after %lld", i);
					break;
				}
				buf.n = 0;
			}
		}
		free(buf.p);
		return g_dead ? RS_DEAD : RS_OK;
	}
	case OP_DATA_RECV:
		return data_recv(a->s.p);
	case OP_DATA_CLOSE:
		if (dat.fd >= 0) {
			chan_close(&dat, CLEAN);
			note("DATA closed");
		}
		return RS_OK;
	case OP_DATA_CUT:
		if (dat.fd >= 0) {
			chan_close(&dat, CUT);
			note("DATA cut");
		}
		return RS_OK;
	case OP_DATA_RESET:
		if (dat.fd >= 0) {
			chan_close(&dat, RESET);
			note("DATA reset");
		}
		return RS_OK;
	case OP_DATA_STALL:
		ev("data stall %.1fs", a->secs);
		return idle_wait(a->secs, true);
	case OP_SIGNAL:
		return do_signal(a->s.p);
	case OP_WAIT_SIGNAL:
		return wait_signal(a->s.p, a->secs);
	}
	return RS_OK;
}

static int run_list(const struct actlist *al, int depth)
{
	size_t i;
	for (i = 0; i < al->n; i++) {
		int r;
		if (ctl.fd < 0) {
			ev("control connection gone: rest of the script skipped");
			return RS_END;
		}
		r = run_action(&al->v[i], depth);
		if (r != RS_OK)
			return r;
	}
	return RS_OK;
}

/* Log what the client sent that was never read as a line. */
static void flush_input(void)
{
	char *nl;
	while (ctl.in.n && (nl = memchr(ctl.in.p, '\n', ctl.in.n))) {
		size_t n = (size_t)(nl - ctl.in.p);
		size_t take = n + 1;
		if (n && ctl.in.p[n - 1] == '\r')
			n--;
		log_client(ctl.in.p, n);
		b_consume(&ctl.in, take);
	}
	if (ctl.in.n)
		note_bytes("PARTIAL line at the end:", ctl.in.p, ctl.in.n);
	ctl.in.n = 0;
}

/* Accept the next connection on any listener; its address goes to peer.
 * Returns the socket, -1 when the deadline passed or a stop was asked, -2
 * when wakefd (if >= 0) became readable first. */
static int accept_conn(int *lfds, int nl, int wakefd, char *peer, size_t pn)
{
	for (;;) {
		struct pollfd p[MAX_LISTEN + 1];
		int i, r;
		int64_t now = now_ms();
		if (g_stop || now >= g_deadline) {
			g_dead = true;
			return -1;
		}
		for (i = 0; i < nl; i++)
			p[i] = (struct pollfd){.fd = lfds[i], .events = POLLIN};
		p[nl] = (struct pollfd){.fd = wakefd, .events = POLLIN};
		r = poll(p, (nfds_t)nl + 1, (int)(g_deadline - now > 500 ? 500 : g_deadline - now));
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (r > 0 && p[nl].revents)
			return -2;
		for (i = 0; r > 0 && i < nl; i++) {
			struct sockaddr_storage ss;
			socklen_t len = sizeof ss;
			int fd, one = 1;
			if (!p[i].revents)
				continue;
			fd = accept(lfds[i], (struct sockaddr *)&ss, &len);
			if (fd < 0)
				continue;
			set_nonblock(fd);
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			addr_str(&ss, peer, pn);
			return fd;
		}
	}
}

/* Serve connection k (0-based) on fd with this thread's state: its script,
 * then the handlers until the client leaves; then clean up for the next. */
static void serve_conn(size_t k, int fd)
{
	int r;
	ctl.fd = fd;
	ctl.eof = false;
	ctl.rate = 0;
	ctl.in.n = 0;
	g_lastport[0] = 0;
	g_cur = &S.conns[k];
	r = run_list(&S.conns[k].acts, 0);
	if (r == RS_OK && ctl.fd >= 0)
		r = drain(0, -1);
	if (r == RS_DEAD)
		note("SERVER %s during connection %zu", g_stop ? "stopped" : "timeout", k + 1);
	flush_input();
	check_traps();
	chan_close(&ctl, CUT);
	data_drop_all();
	ev("connection %zu done", k + 1);
}

/* ------------------------------------------------------------------ parallel */

/* One thread per accepted connection: the Nth accepted runs the script of
 * the Nth "conn".  Its protocol log goes to a memory stream of its own and
 * is written out after all threads ended, in connection order, so that the
 * log has the layout of a sequential one (each connection's lines after its
 * "*CONN n") and every line stays attributable to its connection. */
struct worker {
	size_t idx;
	int fd;
	int done_fd;           /* a byte is written there when the thread ends */
	char peer[80];
	pthread_t th;
	char *log;             /* the connection's protocol log (memory stream) */
	size_t loglen;
};

static void *conn_thread(void *arg)
{
	struct worker *w = arg;
	t_conn = (int)w->idx + 1;
	t_plog = open_memstream(&w->log, &w->loglen);
	if (!t_plog)
		die("open_memstream: %s", strerror(errno));
	note("CONN %d", t_conn);
	ev("connection %d from %s", t_conn, w->peer);
	serve_conn(w->idx, w->fd);
	fclose(t_plog);
	free(ctl.in.p);
	if (t_wake[0] >= 0) {
		close(t_wake[0]);
		close(t_wake[1]);
	}
	if (write(w->done_fd, "", 1) < 0)
		die("done pipe: %s", strerror(errno));
	return NULL;
}

/* Accept and serve the scripted connections at the same time; connections
 * beyond the script are refused (reset at once, noted "*EXTRA").  Returns
 * when every scripted connection was served, or at the deadline. */
static void serve_parallel(int *lfds, int nl)
{
	struct worker *w = xrealloc(NULL, S.nconns * sizeof *w);
	size_t started = 0, ended = 0, extra = 0, i;
	FILE *plog = t_plog;
	char *tail = NULL;
	size_t taillen = 0;
	int done[2];

	if (pipe2(done, O_NONBLOCK | O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	/* the main thread's notes come after those of the connections */
	t_plog = open_memstream(&tail, &taillen);
	if (!t_plog)
		die("open_memstream: %s", strerror(errno));
	while (started < S.nconns || ended < started) {
		char peer[80], b[64];
		int fd = accept_conn(lfds, nl, done[0], peer, sizeof peer);
		ssize_t n;
		if (fd == -1) {
			if (started < S.nconns)
				note("SERVER %s while waiting for connection %zu",
				     g_stop ? "stopped" : "timeout", started + 1);
			break;
		}
		if (fd == -2) {
			while ((n = read(done[0], b, sizeof b)) > 0)
				ended += (size_t)n;
			continue;
		}
		if (started == S.nconns) {
			struct linger lg = {.l_onoff = 1, .l_linger = 0};
			note("EXTRA connection %zu from %s refused: the script has %zu",
			     started + ++extra, peer, S.nconns);
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			close(fd);
			continue;
		}
		w[started] = (struct worker){.idx = started, .fd = fd, .done_fd = done[1]};
		snprintf(w[started].peer, sizeof w[started].peer, "%s", peer);
		if (pthread_create(&w[started].th, NULL, conn_thread, &w[started]))
			die("pthread_create failed");
		started++;
	}
	/* At the deadline or on a stop, the threads unwind by themselves. */
	for (i = 0; i < started; i++)
		pthread_join(w[i].th, NULL);
	fclose(t_plog);
	t_plog = plog;
	for (i = 0; i < started; i++) {
		fwrite(w[i].log, 1, w[i].loglen, t_plog);
		free(w[i].log);
	}
	fwrite(tail, 1, taillen, t_plog);
	fflush(t_plog);
	free(tail);
	free(w);
	close(done[0]);
	close(done[1]);
}

static char *read_file(const char *path, size_t *len)
{
	struct bytes b = {0};
	char buf[65536];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	while ((r = read(fd, buf, sizeof buf)) > 0)
		b_add(&b, buf, (size_t)r);
	close(fd);
	if (!b.p)
		b_add(&b, "", 0);
	*len = b.n;
	return b.p;
}

static void usage(void)
{
	fputs("usage: fakeserver -s SCRIPT -p PORTFILE -l PROTOLOG [-C CERTDIR] "
	      "[-d SRVDIR] [-t SECONDS]\n"
	      "       fakeserver -c SCRIPT   (check the script and exit)\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *spath = NULL, *portfile = NULL, *logpath = NULL;
	double tmax = -1;
	bool check_only = false;
	int c, i, lfds[MAX_LISTEN], nl = 0, port = 0;
	size_t k, slen;
	char *text;
	struct parser ps;
	struct sigaction sa;

	while ((c = getopt(argc, argv, "s:p:l:C:d:t:c:")) != -1) {
		switch (c) {
		case 's': spath = optarg; break;
		case 'c': spath = optarg; check_only = true; break;
		case 'p': portfile = optarg; break;
		case 'l': logpath = optarg; break;
		case 'C': g_certdir = optarg; break;
		case 'd': g_srvdir = optarg; break;
		case 't': tmax = atof(optarg); break;
		default: usage();
		}
	}
	if (!spath || (!check_only && (!portfile || !logpath)))
		usage();
	g_start = now_ms();

	S.timeout = 60;
	S.data_timeout = 10;
	S.defaults = true;
	strcpy(S.proto, "none");
	text = read_file(spath, &slen);
	ps = (struct parser){.name = spath, .p = text, .end = text + slen};
	parse_script(&ps, false);
	if (!S.nconns)
		cur_conn();
	{
		const char *dt = !strcmp(S.proto, "ftp") ? ftp_defaults :
		                 !strcmp(S.proto, "nntp") ? nntp_defaults : "";
		ps = (struct parser){.name = "(defaults)", .p = dt, .end = dt + strlen(dt)};
		parse_script(&ps, true);
		if (!S.has_unexpected && strcmp(S.proto, "none")) {
			b_add(&S.unexpected, "500 fakeserver: unexpected command\r\n", 36);
			S.has_unexpected = true;
		}
	}
	if (check_only) {
		printf("%s: ok, %zu connection(s)%s\n", spath, S.nconns,
		       S.parallel ? ", parallel" : "");
		return 0;
	}
	if (!S.nlisten) {
		S.listen[0] = "127.0.0.1";
		S.nlisten = 1;
	}
	if (tmax > 0 && tmax < S.timeout)
		S.timeout = tmax;
	g_deadline = g_start + (int64_t)(S.timeout * 1000);

	g_plog = fopen(logpath, "w");
	if (!g_plog)
		die("%s: %s", logpath, strerror(errno));
	t_plog = g_plog;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (gnutls_global_init() < 0)
		die("gnutls_global_init failed");
	gnutls_session_ticket_key_generate(&g_ticket_key);

	for (c = 0; c < 50; c++) {
		/* the first address picks the port; the others must get the same */
		port = 0;
		nl = 0;
		for (i = 0; i < S.nlisten; i++) {
			int fd = listen_on(S.listen[i], port, i ? NULL : &port);
			if (fd < 0)
				break;
			lfds[nl++] = fd;
		}
		if (nl == S.nlisten)
			break;
		if (i == 0)
			die("listen on %s: %s", S.listen[0], strerror(errno));
		while (nl)
			close(lfds[--nl]);
	}
	if (nl != S.nlisten)
		die("listen on %s: %s", S.listen[nl], strerror(errno));
	{
		char tmp[4096];
		FILE *f;
		snprintf(tmp, sizeof tmp, "%s.tmp", portfile);
		f = fopen(tmp, "w");
		if (!f)
			die("%s: %s", tmp, strerror(errno));
		fprintf(f, "%d\n", port);
		fclose(f);
		if (rename(tmp, portfile) < 0)
			die("%s: %s", portfile, strerror(errno));
	}
	ev("listening on port %d (%d address(es)), %zu connection(s) scripted%s, timeout %.0fs",
	   port, nl, S.nconns, S.parallel ? " in parallel" : "", S.timeout);

	if (S.parallel)
		serve_parallel(lfds, nl);
	for (k = 0; !S.parallel && k < S.nconns && !g_dead; k++) {
		char peer[80];
		int fd = accept_conn(lfds, nl, -1, peer, sizeof peer);
		if (fd < 0) {
			note("SERVER %s while waiting for connection %zu",
			     g_stop ? "stopped" : "timeout", k + 1);
			break;
		}
		note("CONN %zu", k + 1);
		ev("connection %zu from %s", k + 1, peer);
		serve_conn(k, fd);
	}
	check_traps();
	note("END");
	for (i = 0; i < nl; i++)
		close(lfds[i]);
	gnutls_global_deinit();
	return 0;
}
