/* ftp_parse.c - pure parsers for FTP replies and local names.  No I/O, no
 * globals: the unit tests and fuzzers drive them directly. */
#include "ftp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/* One number of a 227 tuple: 1-3 digits, 0..255. */
static const char *octet(const char *p, int *v)
{
	int n = 0, digits = 0;
	while (is_digit(*p)) {
		if (++digits > 3)
			return NULL;
		n = n * 10 + (*p++ - '0');
	}
	if (!digits || n > 255)
		return NULL;
	*v = n;
	return p;
}

int ftp_parse_227(const char *msg, int *port, unsigned char addr[4])
{
	const char *p = strchr(msg, '(');
	bool paren = p != NULL;
	int v[6];

	if (paren) {
		p = skip_blanks(p + 1);
	} else {
		p = msg;
		while (*p && !is_digit(*p))
			p++;
	}
	for (int i = 0; i < 6; i++) {
		if (i > 0) {
			p = skip_blanks(p);
			if (*p != ',')
				return ERR_PROTO;
			p = skip_blanks(p + 1);
		}
		p = octet(p, &v[i]);
		if (!p)
			return ERR_PROTO;
	}
	p = skip_blanks(p);
	if (paren ? *p != ')' : (*p == ',' || is_digit(*p)))
		return ERR_PROTO;
	if (v[4] * 256 + v[5] == 0)
		return ERR_PROTO;
	*port = v[4] * 256 + v[5];
	if (addr)
		for (int i = 0; i < 4; i++)
			addr[i] = (unsigned char)v[i];
	return 0;
}

int ftp_parse_229(const char *msg, int *port)
{
	const char *p = strchr(msg, '(');
	if (!p)
		return ERR_PROTO;
	char d = p[1];
	if (d < 33 || d > 126 || is_digit(d))
		return ERR_PROTO;
	if (p[2] != d || p[3] != d)
		return ERR_PROTO;
	p += 4;
	long n = 0;
	int digits = 0;
	while (is_digit(*p)) {
		if (++digits > 5)
			return ERR_PROTO;
		n = n * 10 + (*p++ - '0');
	}
	if (!digits || n < 1 || n > 65535)
		return ERR_PROTO;
	if (p[0] != d || p[1] != ')')
		return ERR_PROTO;
	*port = (int)n;
	return 0;
}

int ftp_parse_257(const char *msg, char **path)
{
	const char *p = skip_blanks(msg);
	if (*p != '"')
		return ERR_PROTO;
	p++;
	size_t n = strlen(p);
	char *out = xmalloc(n + 1);
	size_t len = 0;
	for (;;) {
		unsigned char c = (unsigned char)*p;
		if (c == '\0')
			goto bad; /* unterminated quote */
		if (c == '"') {
			if (p[1] != '"')
				break;
			p++; /* "" stands for one quote */
		} else if (c < 0x20 || c == 0x7f) {
			goto bad;
		}
		out[len++] = (char)c;
		p++;
	}
	if (len == 0)
		goto bad;
	out[len] = '\0';
	*path = out;
	return 0;
bad:
	free(out);
	return ERR_PROTO;
}

int ftp_parse_size(const char *msg, uint64_t *size)
{
	const char *p = skip_blanks(msg);
	uint64_t n = 0;
	int digits = 0;
	while (is_digit(*p)) {
		unsigned d = (unsigned)(*p++ - '0');
		if (n > ((uint64_t)INT64_MAX - d) / 10)
			return ERR_PROTO;
		n = n * 10 + d;
		digits++;
	}
	if (!digits || *skip_blanks(p))
		return ERR_PROTO;
	*size = n;
	return 0;
}

int ftp_parse_150_size(const char *msg, uint64_t *size)
{
	bool found = false;

	/* The last "(N bytes)" wins: a file name may hold one too. */
	for (const char *p = strchr(msg, '('); p; p = strchr(p + 1, '(')) {
		const char *q = p + 1;
		uint64_t n = 0;
		bool ok = is_digit(*q);
		while (ok && is_digit(*q)) {
			unsigned d = (unsigned)(*q++ - '0');
			if (n > ((uint64_t)INT64_MAX - d) / 10)
				ok = false;
			else
				n = n * 10 + d;
		}
		if (ok && strncasecmp(q, " bytes)", 7) == 0) {
			*size = n;
			found = true;
		}
	}
	return found ? 0 : ERR_PROTO;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int num(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

int ftp_parse_mdtm(const char *msg, int64_t *t)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = skip_blanks(msg);
	for (int i = 0; i < 14; i++)
		if (!is_digit(p[i]))
			return ERR_PROTO;
	int y = num(p, 4), mo = num(p + 4, 2), d = num(p + 6, 2);
	int h = num(p + 8, 2), mi = num(p + 10, 2), s = num(p + 12, 2);
	p += 14;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return ERR_PROTO;
		while (is_digit(*p))
			p++;
	}
	if (*skip_blanks(p))
		return ERR_PROTO;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || s > 60)
		return ERR_PROTO;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return ERR_PROTO;
	*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

/* Does the feature line (after its leading blank) start with word? */
static bool feat_is(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && strncasecmp(line, word, n) == 0 &&
	       (len == n || is_blank(line[n]));
}

void ftp_parse_feat(const char *text, struct ftp_feat *f)
{
	memset(f, 0, sizeof(*f));
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		/* Feature lines start with a blank (RFC 2389); the first and
		 * last lines carry the code. */
		if (len > 1 && p[0] == ' ') {
			const char *l = p + 1;
			size_t n = len - 1;
			if (feat_is(l, n, "EPSV"))
				f->epsv = true;
			else if (feat_is(l, n, "MLST"))
				f->mlst = true;
			else if (feat_is(l, n, "SIZE"))
				f->size = true;
			else if (feat_is(l, n, "MDTM"))
				f->mdtm = true;
			else if (feat_is(l, n, "UTF8"))
				f->utf8 = true;
			else if (feat_is(l, n, "MFMT"))
				f->mfmt = true;
			else if (feat_is(l, n, "SSCN"))
				f->sscn = true;
			else if (n >= 11 && strncasecmp(l, "REST STREAM", 11) == 0)
				f->rest_stream = true;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

int ftp_local_name(const char *remote, char **name)
{
	const char *slash = strrchr(remote, '/');
	const char *base = slash ? slash + 1 : remote;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return ERR_USAGE;
	for (const unsigned char *c = (const unsigned char *)base; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return ERR_USAGE;
	*name = xstrdup(base);
	return 0;
}

bool ftp_names_dir(const char *remote)
{
	size_t n = strlen(remote);
	return n && remote[n - 1] == '/';
}

int ftp_reply_err(int code)
{
	if (code < 400)
		return 0;
	switch (code) {
	case 450: case 550: case 553:
		return ERR_NOTFOUND;
	case 530: case 532:
		return ERR_AUTH;
	case 421:
		return ERR_NET;
	case 426:
		return ERR_PROTO;
	default:
		return ERR_FAIL;
	}
}

bool ftp_arg_ok(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

/* ---- ascii transfers ---------------------------------------------------- */

size_t ftp_ascii_down(const char *in, size_t n, char *out, bool *cr)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (*cr) {
			*cr = false;
			if (c != '\n')
				out[o++] = '\r';
		}
		if (c == '\r')
			*cr = true;
		else
			out[o++] = c;
	}
	return o;
}

size_t ftp_ascii_down_end(char *out, bool *cr)
{
	if (!*cr)
		return 0;
	*cr = false;
	out[0] = '\r';
	return 1;
}

size_t ftp_ascii_up(const char *in, size_t n, char *out, bool *cr)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (c == '\n' && !*cr)
			out[o++] = '\r';
		out[o++] = c;
		*cr = c == '\r';
	}
	return o;
}
