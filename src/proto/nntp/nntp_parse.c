/* nntp_parse.c - pure parsers for NNTP replies and arguments.
 *
 * Everything here takes bytes and a length and looks at nothing else: no
 * allocation, no I/O, no globals.  The unit tests and fuzzers drive these.
 */
#include "nntp.h"

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

int nntp_parse_u64(const char *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return ERR_PROTO;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(p[i]))
			return ERR_PROTO;
		unsigned d = (unsigned)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return ERR_PROTO;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int nntp_status_code(const char *line, size_t len)
{
	if (len < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]))
		return -1;
	if (len > 3 && !is_blank(line[3]))
		return -1;
	int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (code < 100 || code > 599)
		return -1;
	return code;
}

/* Next blank-separated word of p[*pos..len); false at the end. */
static bool next_word(const char *p, size_t len, size_t *pos, struct nntp_span *w)
{
	size_t i = *pos;
	while (i < len && is_blank(p[i]))
		i++;
	if (i >= len)
		return false;
	size_t start = i;
	while (i < len && !is_blank(p[i]))
		i++;
	w->p = p + start;
	w->len = i - start;
	*pos = i;
	return true;
}

static int word_u64(const char *p, size_t len, size_t *pos, uint64_t *v)
{
	struct nntp_span w;
	if (!next_word(p, len, pos, &w))
		return ERR_PROTO;
	return nntp_parse_u64(w.p, w.len, v);
}

int nntp_parse_group(const char *line, size_t len, struct nntp_group *g)
{
	size_t pos = 3;

	memset(g, 0, sizeof(*g));
	if (nntp_status_code(line, len) != 211)
		return ERR_PROTO;
	if (word_u64(line, len, &pos, &g->count) < 0 ||
	    word_u64(line, len, &pos, &g->low) < 0 ||
	    word_u64(line, len, &pos, &g->high) < 0)
		return ERR_PROTO;
	if (!next_word(line, len, &pos, &g->name)) {
		g->name.p = line + len;
		g->name.len = 0;
	}
	/* RFC 3977 6.1.1: an empty group has count 0 and high = low - 1;
	 * older servers send "0 0 0", and some an estimate with high < low. */
	if (g->count == 0 || g->high < g->low) {
		g->empty = true;
		g->count = 0;
	}
	return 0;
}

bool nntp_msgid_valid(const char *p, size_t len)
{
	if (len < 3 || len > 250 || p[0] != '<' || p[len - 1] != '>')
		return false;
	for (size_t i = 1; i + 1 < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x21 || c > 0x7e || c == '>')
			return false;
	}
	return true;
}

int nntp_parse_article_status(const char *line, size_t len, uint64_t *num,
                              struct nntp_span *msgid)
{
	size_t pos = 3;
	int code = nntp_status_code(line, len);

	if (code < 220 || code > 223)
		return ERR_PROTO;
	if (word_u64(line, len, &pos, num) < 0)
		return ERR_PROTO;
	if (!next_word(line, len, &pos, msgid) || !nntp_msgid_valid(msgid->p, msgid->len))
		return ERR_PROTO;
	return 0;
}

/* Longest argument that fits a 512-byte command line after "LISTGROUP ". */
#define ARG_MAX 497

bool nntp_wildmat_valid(const char *p, size_t len)
{
	if (len == 0 || len > ARG_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

bool nntp_group_valid(const char *p, size_t len)
{
	if (!nntp_wildmat_valid(p, len))
		return false;
	for (size_t i = 0; i < len; i++)
		if (strchr("!*,?[\\]", p[i]))
			return false;
	return true;
}

int nntp_parse_range(const char *s, struct nntp_range *r)
{
	const char *dash = strchr(s, '-');

	memset(r, 0, sizeof(*r));
	if (!dash) {
		if (nntp_parse_u64(s, strlen(s), &r->low) < 0)
			return ERR_USAGE;
		r->high = r->low;
		r->single = true;
		return 0;
	}
	if (nntp_parse_u64(s, (size_t)(dash - s), &r->low) < 0)
		return ERR_USAGE;
	if (dash[1] == '\0') {
		r->high = UINT64_MAX;
		r->open = true;
		return 0;
	}
	if (nntp_parse_u64(dash + 1, strlen(dash + 1), &r->high) < 0 || r->high < r->low)
		return ERR_USAGE;
	return 0;
}

/* "Bytes: 123" / "Lines: 12" (old OVERVIEW.FMT), or a bare number.  An
 * unparsable value is treated as absent: it is for display only. */
static void over_number(struct nntp_span f, const char *label, uint64_t *v, bool *has)
{
	size_t n = strlen(label);
	const char *p = f.p;
	size_t len = f.len;

	if (len > n && strncasecmp(p, label, n) == 0 && p[n] == ':') {
		p += n + 1;
		len -= n + 1;
	}
	while (len && is_blank(*p)) {
		p++;
		len--;
	}
	while (len && is_blank(p[len - 1]))
		len--;
	*has = len > 0 && nntp_parse_u64(p, len, v) == 0;
	if (!*has)
		*v = 0;
}

int nntp_parse_over(const char *line, size_t len, struct nntp_over *o)
{
	const char *end = line + len;
	const char *p = line;
	const char *tab;

	memset(o, 0, sizeof(*o));
	tab = memchr(p, '\t', len);
	if (!tab)
		tab = end;
	if (nntp_parse_u64(p, (size_t)(tab - p), &o->num) < 0)
		return ERR_PROTO;
	for (int i = 0; i < NNTP_OV_NFIELDS; i++) {
		if (tab >= end) {
			o->f[i].p = end;
			continue;
		}
		p = tab + 1;
		tab = memchr(p, '\t', (size_t)(end - p));
		if (!tab)
			tab = end;
		o->f[i].p = p;
		o->f[i].len = (size_t)(tab - p);
	}
	over_number(o->f[NNTP_OV_BYTES], "Bytes", &o->bytes, &o->has_bytes);
	over_number(o->f[NNTP_OV_LINES], "Lines", &o->lines, &o->has_lines);
	if (tab < end) {
		o->extra.p = tab + 1;
		o->extra.len = (size_t)(end - tab - 1);
		o->nextra = 1;
		for (size_t i = 0; i < o->extra.len; i++)
			if (o->extra.p[i] == '\t')
				o->nextra++;
	} else {
		o->extra.p = end;
	}
	return 0;
}

bool nntp_over_extra(const struct nntp_over *o, const char *name, struct nntp_span *val)
{
	size_t n = strlen(name);
	const char *p = o->extra.p;
	const char *end = o->extra.p + o->extra.len;

	if (o->nextra == 0)
		return false;
	while (p <= end) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		if (!tab)
			tab = end;
		size_t flen = (size_t)(tab - p);
		if (flen > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (v < tab && is_blank(*v))
				v++;
			val->p = v;
			val->len = (size_t)(tab - v);
			return true;
		}
		if (tab == end)
			break;
		p = tab + 1;
	}
	return false;
}

static bool word_is(struct nntp_span w, const char *s)
{
	return w.len == strlen(s) && strncasecmp(w.p, s, w.len) == 0;
}

void nntp_parse_caps(const char *block, size_t len, struct nntp_caps *c)
{
	const char *p = block;
	const char *end = block + len;

	memset(c, 0, sizeof(*c));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t llen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t pos = 0;
		struct nntp_span kw, arg;

		if (llen && p[llen - 1] == '\r')
			llen--;
		if (next_word(p, llen, &pos, &kw)) {
			if (word_is(kw, "VERSION")) {
				while (next_word(p, llen, &pos, &arg))
					if (word_is(arg, "2"))
						c->version2 = true;
			} else if (word_is(kw, "READER")) {
				c->reader = true;
			} else if (word_is(kw, "MODE-READER")) {
				c->mode_reader = true;
			} else if (word_is(kw, "STARTTLS")) {
				c->starttls = true;
			} else if (word_is(kw, "AUTHINFO")) {
				c->authinfo = true;
				while (next_word(p, llen, &pos, &arg))
					if (word_is(arg, "USER"))
						c->authinfo_user = true;
			} else if (word_is(kw, "OVER")) {
				c->over = true;
				while (next_word(p, llen, &pos, &arg))
					if (word_is(arg, "MSGID"))
						c->over_msgid = true;
			} else if (word_is(kw, "HDR")) {
				c->hdr = true;
			} else if (word_is(kw, "LIST")) {
				while (next_word(p, llen, &pos, &arg))
					if (word_is(arg, "ACTIVE"))
						c->list_active = true;
			} else if (word_is(kw, "POST")) {
				c->post = true;
			} else if (word_is(kw, "COMPRESS")) {
				while (next_word(p, llen, &pos, &arg))
					if (word_is(arg, "DEFLATE"))
						c->compress_deflate = true;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* Commands and the one code whose reply carries a data block (0: none). */
static const struct {
	const char *verb;
	int code;
} block_codes[] = {
	{ "ARTICLE", 220 }, { "HEAD", 221 }, { "BODY", 222 },
	{ "LISTGROUP", 211 }, { "LIST", 215 },
	{ "OVER", 224 }, { "XOVER", 224 }, { "XROVER", 224 },
	{ "HDR", 225 }, { "XHDR", 221 }, { "XPAT", 221 },
	{ "NEWNEWS", 230 }, { "NEWGROUPS", 231 },
	{ "HELP", 100 }, { "CAPABILITIES", 101 }, { "XGTITLE", 282 },
	{ "GROUP", 0 }, { "STAT", 0 }, { "NEXT", 0 }, { "LAST", 0 },
	{ "DATE", 0 }, { "MODE", 0 }, { "QUIT", 0 }, { "STARTTLS", 0 },
	{ "AUTHINFO", 0 }, { "POST", 0 }, { "IHAVE", 0 }, { "CHECK", 0 },
	{ "TAKETHIS", 0 }, { "COMPRESS", 0 }, { "SLAVE", 0 },
};

int nntp_block_code(const char *cmdline)
{
	size_t pos = 0;
	struct nntp_span verb;

	if (!next_word(cmdline, strlen(cmdline), &pos, &verb))
		return -1;
	for (size_t i = 0; i < sizeof(block_codes) / sizeof(block_codes[0]); i++)
		if (word_is(verb, block_codes[i].verb))
			return block_codes[i].code;
	return -1;
}

bool nntp_has_block(const char *cmdline, int code)
{
	int bc = nntp_block_code(cmdline);

	if (bc >= 0)
		return bc != 0 && code == bc;
	switch (code) {
	case 100: case 101: case 215: case 220: case 221: case 222:
	case 224: case 225: case 230: case 231: case 282:
		return true;
	default:
		return false;
	}
}

int nntp_parse_date(const char *line, size_t len, char *out, size_t outlen)
{
	size_t pos = 3;
	struct nntp_span w;

	if (nntp_status_code(line, len) != 111 || outlen < 20)
		return ERR_PROTO;
	if (!next_word(line, len, &pos, &w) || w.len != 14)
		return ERR_PROTO;
	for (size_t i = 0; i < 14; i++)
		if (!is_digit(w.p[i]))
			return ERR_PROTO;
	const char *d = w.p;
	int mon = (d[4] - '0') * 10 + (d[5] - '0');
	int day = (d[6] - '0') * 10 + (d[7] - '0');
	int hh = (d[8] - '0') * 10 + (d[9] - '0');
	int mi = (d[10] - '0') * 10 + (d[11] - '0');
	int ss = (d[12] - '0') * 10 + (d[13] - '0');
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60)
		return ERR_PROTO;
	memcpy(out, d, 4);
	out[4] = '-';
	memcpy(out + 5, d + 4, 2);
	out[7] = '-';
	memcpy(out + 8, d + 6, 2);
	out[10] = ' ';
	memcpy(out + 11, d + 8, 2);
	out[13] = ':';
	memcpy(out + 14, d + 10, 2);
	out[16] = ':';
	memcpy(out + 17, d + 12, 2);
	out[19] = '\0';
	return 0;
}

/* want_block for each block code; the argument is ignored on purpose. */
#define WANT(c) static bool want_##c(int code, void *arg) { (void)arg; return code == c; }
WANT(100) WANT(101) WANT(211) WANT(215) WANT(220) WANT(221) WANT(222)
WANT(224) WANT(225) WANT(230) WANT(231) WANT(282)
#undef WANT

static bool want_unknown(int code, void *arg)
{
	(void)arg;
	return code != 211 && nntp_has_block("", code);
}

pp_want_block_fn nntp_want_block_for(const char *line)
{
	switch (nntp_block_code(line)) {
	case 100: return want_100;
	case 101: return want_101;
	case 211: return want_211;
	case 215: return want_215;
	case 220: return want_220;
	case 221: return want_221;
	case 222: return want_222;
	case 224: return want_224;
	case 225: return want_225;
	case 230: return want_230;
	case 231: return want_231;
	case 282: return want_282;
	case -1: return want_unknown;
	default: return NULL;
	}
}
