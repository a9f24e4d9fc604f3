/* nmime.c - RFC 2047 header decoding, unfolding, quoted-printable and
 * base64 bodies, charset conversion (nmime.h).
 *
 * A decoder of our own rather than GMime's: these four jobs are a few
 * hundred lines, take bytes and a length like every other parser here
 * (house rule 4) and are bounded by the caller's buf, where GMime would
 * bring GLib and GObject into the process for them.  Charsets are glibc's
 * iconv, as GMime's would be.
 */
#include "nmime.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "nuu.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Bytes out through a small stack buffer, so that a decoder appends in
 * chunks rather than byte by byte.  The first error sticks. */
struct ob {
	struct buf *out;
	size_t n;
	int err;
	char tmp[4096];
};

static void ob_flush(struct ob *o)
{
	if (o->n && o->err == 0)
		o->err = buf_append(o->out, o->tmp, o->n);
	o->n = 0;
}

static void ob_put(struct ob *o, char c)
{
	if (o->n == sizeof(o->tmp))
		ob_flush(o);
	o->tmp[o->n++] = c;
}

static int ob_end(struct ob *o)
{
	ob_flush(o);
	return o->err;
}

/* Length of a line break at p[i..len) that is followed by a blank (a
 * fold): 2 for CRLF, 1 for LF, 0 for none. */
static size_t fold_at(const char *p, size_t len, size_t i)
{
	if (p[i] == '\r' && i + 2 < len && p[i + 1] == '\n' && is_blank(p[i + 2]))
		return 2;
	if (p[i] == '\n' && i + 1 < len && is_blank(p[i + 1]))
		return 1;
	return 0;
}

int nmime_unfold(const char *p, size_t len, struct buf *out)
{
	size_t i = 0, start = 0;
	int err;

	while (i < len) {
		size_t f = fold_at(p, len, i);

		if (f == 0) {
			i++;
			continue;
		}
		if ((err = buf_append(out, p + start, i - start)) < 0)
			return err;
		i += f;
		start = i;
	}
	return buf_append(out, p + start, len - start);
}

/* ---- charsets ---- */

/* Names read as windows-1252 (the WHATWG encoding standard does the same
 * for these labels). */
static const char *const cp1252_names[] = {
	"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
	"l1", "cp1252", "windows-1252",
};

static bool name_is(const char *cs, size_t cslen, const char *name)
{
	return cslen == strlen(name) && strncasecmp(cs, name, cslen) == 0;
}

static int convert(iconv_t cd, const char *p, size_t len, struct buf *out)
{
	char chunk[1024];
	char *in = (char *)p;
	size_t inleft = len;
	bool flushing = false;
	int err;

	for (;;) {
		char *o = chunk;
		size_t oleft = sizeof(chunk);
		/* With all input taken, a last call without input returns a
		 * stateful charset (ISO-2022-JP) to its initial state. */
		size_t r = flushing ? iconv(cd, NULL, NULL, &o, &oleft)
		                    : iconv(cd, &in, &inleft, &o, &oleft);
		int e = errno;

		if ((err = buf_append(out, chunk, (size_t)(o - chunk))) < 0)
			return err;
		if (r != (size_t)-1) {
			if (flushing)
				return 0;
			flushing = true;
			continue;
		}
		if (e == E2BIG)
			continue;
		if (flushing || (e != EILSEQ && e != EINVAL))
			return 0;
		/* EILSEQ: an invalid sequence; EINVAL: one cut at the end.
		 * Its first byte becomes U+FFFD and the rest is tried again. */
		if ((err = buf_append(out, "\xef\xbf\xbd", 3)) < 0)
			return err;
		in++;
		inleft--;
	}
}

/* A converter from the charset named cs[0..cslen) to UTF-8: *cd, or
 * (iconv_t)-1 for UTF-8 itself (bytes are copied).  0 or ERR_PROTO. */
static int cs_open(const char *cs, size_t cslen, iconv_t *cd)
{
	char name[41];

	*cd = (iconv_t)-1;
	if (cslen == 0 || cslen >= sizeof(name))
		return ERR_PROTO;
	for (size_t i = 0; i < cslen; i++) {
		char c = cs[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("-_.:+", c)))
			return ERR_PROTO;
	}
	if (name_is(cs, cslen, "utf-8") || name_is(cs, cslen, "utf8"))
		return 0;
	memcpy(name, cs, cslen);
	name[cslen] = '\0';
	for (size_t i = 0; i < sizeof(cp1252_names) / sizeof(cp1252_names[0]); i++)
		if (name_is(cs, cslen, cp1252_names[i]))
			strcpy(name, "WINDOWS-1252");
	*cd = iconv_open("UTF-8", name);
	return *cd == (iconv_t)-1 ? ERR_PROTO : 0;
}

/* Convert with what cs_open() gave, and close it. */
static int cs_convert(iconv_t cd, const char *p, size_t len, struct buf *out)
{
	int err;

	if (cd == (iconv_t)-1)
		return buf_append(out, p, len);
	err = convert(cd, p, len, out);
	iconv_close(cd);
	return err;
}

int nmime_to_utf8(const char *cs, size_t cslen, const char *p, size_t len,
                  struct buf *out)
{
	iconv_t cd;
	int err = cs_open(cs, cslen, &cd);

	return err < 0 ? err : cs_convert(cd, p, len, out);
}

/* ---- bodies ---- */

int nmime_qp_decode(const char *p, size_t len, struct buf *out)
{
	struct ob o = { .out = out };
	size_t i = 0;

	while (i < len && o.err == 0) {
		char c = p[i];

		if (c == '=') {
			size_t j = i + 1;

			if (i + 2 < len && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
				int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);

				ob_put(&o, (char)(hi * 16 + lo));
				i += 3;
				continue;
			}
			while (j < len && is_blank(p[j]))
				j++;
			if (j == len) {                 /* soft break at the end */
				i = len;
			} else if (p[j] == '\n') {
				i = j + 1;
			} else if (p[j] == '\r' && j + 1 < len && p[j + 1] == '\n') {
				i = j + 2;
			} else {                        /* not an escape: kept */
				ob_put(&o, c);
				i++;
			}
			continue;
		}
		if (is_blank(c)) {
			size_t k = i;

			while (k < len && is_blank(p[k]))
				k++;
			if (k == len || p[k] == '\n' ||
			    (p[k] == '\r' && k + 1 < len && p[k + 1] == '\n')) {
				i = k;                  /* trailing blanks */
				continue;
			}
			for (; i < k; i++)
				ob_put(&o, p[i]);
			continue;
		}
		ob_put(&o, c);
		i++;
	}
	return ob_end(&o);
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* The bytes of a group of k sextets (k < 4: what a short group gives). */
static void b64_group(struct ob *o, unsigned long acc, int k)
{
	if (k == 4) {
		ob_put(o, (char)(acc >> 16));
		ob_put(o, (char)(acc >> 8));
		ob_put(o, (char)acc);
	} else if (k == 3) {
		ob_put(o, (char)(acc >> 10));
		ob_put(o, (char)(acc >> 2));
	} else if (k == 2) {
		ob_put(o, (char)(acc >> 4));
	}
}

int nmime_b64_decode(const char *p, size_t len, struct buf *out)
{
	struct ob o = { .out = out };
	unsigned long acc = 0;
	int k = 0;

	for (size_t i = 0; i < len && o.err == 0; i++) {
		int v = b64val(p[i]);

		if (p[i] == '=') {
			b64_group(&o, acc, k);
			acc = 0;
			k = 0;
			continue;
		}
		if (v < 0)
			continue;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		if (++k == 4) {
			b64_group(&o, acc, 4);
			acc = 0;
			k = 0;
		}
	}
	b64_group(&o, acc, k);
	return ob_end(&o);
}

/* ---- encoded-words ---- */

struct eword {
	const char *cs;      /* charset, without a "*lang" */
	size_t cslen;
	char enc;            /* 'Q' or 'B' */
	const char *text;
	size_t textlen;
	size_t len;          /* of the whole word, "=?" to "?=" */
};

/* An encoded-word at p[0..len) (p[0] is '='), well formed and with text
 * that decodes. */
static bool eword_parse(const char *p, size_t len, struct eword *w)
{
	size_t i = 2, t;

	if (len < 8 || p[0] != '=' || p[1] != '?')
		return false;
	w->cs = p + 2;
	while (i < len && p[i] != '?' && (unsigned char)p[i] > 0x20 && (unsigned char)p[i] < 0x7f)
		i++;
	if (i >= len || p[i] != '?' || i == 2)
		return false;
	w->cslen = i - 2;
	const char *star = memchr(w->cs, '*', w->cslen);
	if (star)
		w->cslen = (size_t)(star - w->cs);
	if (w->cslen == 0 || i + 3 >= len || p[i + 2] != '?')
		return false;
	w->enc = p[i + 1] == 'q' || p[i + 1] == 'Q' ? 'Q' : p[i + 1] == 'b' || p[i + 1] == 'B' ? 'B' : 0;
	if (!w->enc)
		return false;
	t = i + 3;
	w->text = p + t;
	for (i = t; i < len && p[i] != '?'; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return false;
	if (i + 1 >= len || p[i + 1] != '=')
		return false;
	w->textlen = i - t;
	w->len = i + 2;
	if (w->enc == 'Q') {
		for (i = 0; i < w->textlen; i++) {
			if (w->text[i] != '=')
				continue;
			if (i + 2 >= w->textlen)
				return false;
			if (hexval(w->text[i + 1]) < 0 || hexval(w->text[i + 2]) < 0)
				return false;
			i += 2;
		}
		return true;
	}
	/* B: the alphabet, then no more "=" than the last group lacks (it
	 * may lack them all); a group is never a single sextet. */
	size_t data = w->textlen;
	while (data && w->text[data - 1] == '=')
		data--;
	for (i = 0; i < data; i++)
		if (b64val(w->text[i]) < 0)
			return false;
	if (data % 4 == 1 || w->textlen - data > (4 - data % 4) % 4)
		return false;
	return true;
}

static int eword_decode(const struct eword *w, struct buf *raw)
{
	struct ob o = { .out = raw };

	if (w->enc == 'B')
		return nmime_b64_decode(w->text, w->textlen, raw);
	for (size_t i = 0; i < w->textlen && o.err == 0; i++) {
		char c = w->text[i];

		if (c == '_') {
			ob_put(&o, ' ');
		} else if (c == '=') {
			ob_put(&o, (char)(hexval(w->text[i + 1]) * 16 + hexval(w->text[i + 2])));
			i += 2;
		} else {
			ob_put(&o, c);
		}
	}
	return ob_end(&o);
}

/* A run of adjacent encoded-words of one charset, decoded but not yet
 * converted.  p[start..end) of the input is the run as sent, shown when
 * the charset is unknown; p[lead..start) the space dropped before it,
 * which comes back when this run or the one before it is shown as sent
 * (prev_raw). */
struct run {
	bool active, prev_raw;
	const char *cs;
	size_t cslen;
	size_t lead, start, end;
	struct buf raw;
};

static int run_flush(struct run *r, const char *p, struct buf *out)
{
	iconv_t cd;
	int err;

	if (!r->active)
		return 0;
	r->active = false;
	if (cs_open(r->cs, r->cslen, &cd) < 0) {
		r->prev_raw = true;
		err = nmime_unfold(p + r->lead, r->end - r->lead, out);
	} else {
		err = r->prev_raw ? nmime_unfold(p + r->lead, r->start - r->lead, out) : 0;
		r->prev_raw = false;
		if (err < 0) {
			if (cd != (iconv_t)-1)
				iconv_close(cd);
		} else {
			err = cs_convert(cd, buf_peek(&r->raw), buf_avail(&r->raw), out);
		}
	}
	buf_reset(&r->raw);
	return err;
}

/* Only blanks and folds. */
static bool all_space(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_blank(p[i]) && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

int nmime_decode_header(const char *p, size_t len, struct buf *out)
{
	struct run r = { .active = false, .prev_raw = false };
	size_t i = 0;
	int err = 0;

	/* Decoded bytes are fewer than their text: the input bounds them, and
	 * out alone says what fits. */
	buf_init(&r.raw, len + 1);
	while (i < len) {
		struct eword w;
		size_t j = i;

		/* The next well-formed encoded-word at or after i. */
		for (;;) {
			const char *q = j + 1 < len ? memchr(p + j, '=', len - j - 1) : NULL;

			if (!q) {
				j = len;
				break;
			}
			j = (size_t)(q - p);
			if (p[j + 1] == '?' && eword_parse(p + j, len - j, &w))
				break;
			j++;
		}
		/* Text before it: dropped when it is only space between two
		 * encoded-words, else the pending run ends there. */
		size_t lead = i;
		if (j > i && !(r.active && j < len && all_space(p + i, j - i))) {
			if ((err = run_flush(&r, p, out)) < 0 ||
			    (err = nmime_unfold(p + i, j - i, out)) < 0)
				goto out;
			r.prev_raw = false;
			lead = j;
		}
		if (j == len)
			break;
		if (r.active && (r.cslen != w.cslen || strncasecmp(r.cs, w.cs, w.cslen) != 0))
			if ((err = run_flush(&r, p, out)) < 0)
				goto out;
		if (!r.active) {
			r.active = true;
			r.cs = w.cs;
			r.cslen = w.cslen;
			r.lead = lead;
			r.start = j;
		}
		r.end = j + w.len;
		if ((err = eword_decode(&w, &r.raw)) < 0)
			goto out;
		i = j + w.len;
	}
	err = run_flush(&r, p, out);
out:
	buf_clear(&r.raw);
	return err;
}

/* ---- MIME structure ---- */

/* The end of the line that starts at p[i] (its LF, or len), and the
 * length of its text without a CR before the LF. */
static size_t line_end(const char *p, size_t len, size_t i, size_t *textlen)
{
	const char *nl = memchr(p + i, '\n', len - i);
	size_t e = nl ? (size_t)(nl - p) : len;
	size_t t = e - i;

	if (t && p[e - 1] == '\r' && nl)
		t--;
	*textlen = t;
	return e;
}

bool nmime_header(const char *h, size_t len, const char *name,
                  const char **v, size_t *vlen)
{
	size_t nl = strlen(name), i = 0, tl;

	while (i < len) {
		size_t e = line_end(h, len, i, &tl);
		if (tl > nl && h[i + nl] == ':' && strncasecmp(h + i, name, nl) == 0) {
			size_t vs = i + nl + 1, ve = i + tl;
			/* Continuation lines: the next starts with a blank. */
			while (e + 1 < len && is_blank(h[e + 1])) {
				size_t e2 = line_end(h, len, e + 1, &tl);
				ve = e + 1 + tl;
				e = e2;
			}
			while (vs < ve && is_blank(h[vs]))
				vs++;
			*v = h + vs;
			*vlen = ve - vs;
			return true;
		}
		i = e + 1;
	}
	return false;
}

/* Header and body of p[start..end): the header ends at the first empty
 * line (none: all header); a part that starts with an empty line has
 * none. */
static void split_head(const char *p, size_t start, size_t end, struct nmime_part *part)
{
	size_t i = start, tl;

	part->hoff = start;
	while (i < end) {
		size_t e = line_end(p, end, i, &tl);
		if (tl == 0) {
			part->hlen = i - start;
			part->boff = e < end ? e + 1 : end;
			part->blen = end - part->boff;
			return;
		}
		i = e + 1;
	}
	part->hlen = end - start;
	part->boff = end;
	part->blen = 0;
}

static bool is_tspecial_or_space(char c)
{
	return (unsigned char)c <= 0x20 || c == 0x7f || strchr("()<>@,;:\\\"/[]?=", c);
}

void nmime_ctype(const char *v, size_t len, char *out, size_t cap)
{
	size_t i = 0, n = 0, slash = 0;

	if (!cap)
		return;
	while (v && i < len && (is_blank(v[i]) || v[i] == '\r' || v[i] == '\n'))
		i++;
	for (; v && i < len && n + 1 < cap; i++) {
		char c = v[i];
		if (c == '/' && !slash && n) {
			slash = n;
		} else if (is_tspecial_or_space(c)) {
			break;
		}
		out[n++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	out[n] = '\0';
	if (!slash || slash + 1 >= n)
		snprintf(out, cap, "text/plain");
}

/* One parameter's pieces, RFC 2231 continuations by index. */
#define PARAM_PIECES 64
struct piece {
	size_t off, len;         /* raw value in a scratch buf */
	bool ext;                /* "*": charset'lang' (first) and %XX */
	bool set;
};

static int pct_decode(const char *p, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		int err;
		if (c == '%') {
			int a = i + 1 < len ? hexval(p[i + 1]) : -1;
			int b = i + 2 < len ? hexval(p[i + 2]) : -1;
			if (a < 0 || b < 0)
				return ERR_PROTO;
			c = (char)(a << 4 | b);
			i += 2;
		}
		if ((err = buf_append(out, &c, 1)) < 0)
			return err;
	}
	return 0;
}

int nmime_param(const char *v, size_t len, const char *name, bool decode,
                struct buf *out)
{
	size_t nl = strlen(name), i = 0;
	struct piece pc[PARAM_PIECES] = { { 0 } };
	struct piece plain = { 0 }, single = { 0 };
	struct buf raw, joined;
	int ret = 0;

	/* Values go to raw unquoted; pieces point into it. */
	buf_init(&raw, len + 1);
	buf_init(&joined, len + 1);
	/* Past the type or disposition. */
	while (i < len && v[i] != ';' && v[i] != '"')
		i++;
	while (i < len) {
		while (i < len && (v[i] == ';' || is_blank(v[i]) || v[i] == '\r' || v[i] == '\n'))
			i++;
		size_t as = i;
		while (i < len && v[i] != '=' && v[i] != ';' && !is_blank(v[i]) &&
		       v[i] != '\r' && v[i] != '\n')
			i++;
		size_t ae = i;
		while (i < len && (is_blank(v[i]) || v[i] == '\r' || v[i] == '\n'))
			i++;
		if (i >= len || v[i] != '=') {
			while (i < len && v[i] != ';')
				i++;
			continue;
		}
		i++;
		while (i < len && (is_blank(v[i]) || v[i] == '\r' || v[i] == '\n'))
			i++;
		size_t voff = buf_avail(&raw), vlen;
		if (i < len && v[i] == '"') {
			for (i++; i < len && v[i] != '"'; i++) {
				if (v[i] == '\\' && i + 1 < len)
					i++;
				else if (v[i] == '\r' || v[i] == '\n')
					continue;   /* a fold inside the quotes */
				buf_append(&raw, v + i, 1);
			}
			if (i < len)
				i++;
		} else {
			size_t s = i;
			while (i < len && v[i] != ';' && !is_blank(v[i]) && v[i] != '\r' &&
			       v[i] != '\n')
				i++;
			buf_append(&raw, v + s, i - s);
		}
		vlen = buf_avail(&raw) - voff;
		/* Which attribute: name, name*, name*N, name*N* */
		size_t al = ae - as;
		if (al < nl || strncasecmp(v + as, name, nl) != 0)
			continue;
		struct piece p = { voff, vlen, false, true };
		if (al == nl) {
			plain = p;
			continue;
		}
		if (v[as + nl] != '*')
			continue;
		if (al == nl + 1) {
			p.ext = true;
			single = p;
			continue;
		}
		size_t k = as + nl + 1, num = 0;
		if (v[k] < '0' || v[k] > '9' || (v[k] == '0' && k + 1 < ae && v[k + 1] != '*'))
			continue;
		while (k < ae && v[k] >= '0' && v[k] <= '9' && num < PARAM_PIECES)
			num = num * 10 + (size_t)(v[k++] - '0');
		if (num >= PARAM_PIECES)
			continue;
		if (k < ae && v[k] == '*' && k + 1 == ae)
			p.ext = true;
		else if (k != ae)
			continue;
		pc[num] = p;
	}
	const char *r = buf_peek(&raw);
	size_t npc = 0;
	while (npc < PARAM_PIECES && pc[npc].set)
		npc++;
	for (size_t k = npc; k < PARAM_PIECES; k++)
		if (pc[k].set) {
			ret = ERR_PROTO;   /* a gap in the continuations */
			goto out;
		}
	if (!npc && single.set) {
		pc[0] = single;
		npc = 1;
	}
	if (npc) {
		/* RFC 2231: charset'language'value in the first piece when
		 * it is extended; %XX in every extended piece. */
		const char *cs = NULL;
		size_t cslen = 0;
		for (size_t k = 0; k < npc; k++) {
			const char *pv = r + pc[k].off;
			size_t pl = pc[k].len;
			if (k == 0 && pc[k].ext) {
				const char *q1 = memchr(pv, '\'', pl);
				const char *q2 = q1 ? memchr(q1 + 1, '\'', (size_t)(pv + pl - q1 - 1)) : NULL;
				if (!q2) {
					ret = ERR_PROTO;
					goto out;
				}
				cs = pv;
				cslen = (size_t)(q1 - pv);
				pl -= (size_t)(q2 + 1 - pv);
				pv = q2 + 1;
			}
			ret = pc[k].ext ? pct_decode(pv, pl, &joined) : buf_append(&joined, pv, pl);
			if (ret < 0)
				goto out;
		}
		if (cs && cslen)
			ret = nmime_to_utf8(cs, cslen, buf_peek(&joined), buf_avail(&joined), out);
		else
			ret = buf_append(out, buf_peek(&joined), buf_avail(&joined));
		ret = ret < 0 ? ret : 1;
	} else if (plain.set) {
		ret = decode ? nmime_decode_header(r + plain.off, plain.len, out)
		             : buf_append(out, r + plain.off, plain.len);
		ret = ret < 0 ? ret : 1;
	}
out:
	buf_clear(&raw);
	buf_clear(&joined);
	return ret;
}

static void tree_add(struct nmime_tree *t, const struct nmime_part *p)
{
	if (t->n == NMIME_MAX_PARTS) {
		t->truncated = true;
		return;
	}
	t->part[t->n++] = *p;
}

/* Is the line p[0..tl) a delimiter of boundary b: "--b", "--b--" (*close),
 * blanks allowed after it? */
static bool is_delim(const char *p, size_t tl, const char *b, size_t bl, bool *close)
{
	if (tl < bl + 2 || p[0] != '-' || p[1] != '-' || memcmp(p + 2, b, bl) != 0)
		return false;
	size_t i = bl + 2;
	*close = i + 1 < tl && p[i] == '-' && p[i + 1] == '-';
	if (*close)
		i += 2;
	for (; i < tl; i++)
		if (!is_blank(p[i]))
			return false;
	return true;
}

static void walk(const char *art, const struct nmime_part *me, struct nmime_tree *t)
{
	const char *v;
	size_t vlen;
	char type[64];
	struct buf bnd;

	if (t->truncated)
		return;
	bool has_ct = nmime_header(art + me->hoff, me->hlen, "Content-Type", &v, &vlen);
	nmime_ctype(has_ct ? v : NULL, has_ct ? vlen : 0, type, sizeof(type));
	if (strncmp(type, "multipart/", 10) != 0) {
		tree_add(t, me);
		return;
	}
	if (me->depth >= NMIME_MAX_DEPTH) {
		t->too_deep = true;
		tree_add(t, me);
		return;
	}
	buf_init(&bnd, 200);
	if (nmime_param(v, vlen, "boundary", false, &bnd) != 1 || !buf_avail(&bnd) ||
	    buf_avail(&bnd) > 70) {
		buf_clear(&bnd);
		tree_add(t, me);
		return;
	}
	const char *b = buf_peek(&bnd);
	size_t bl = buf_avail(&bnd), end = me->boff + me->blen, i = me->boff, tl;
	size_t start = 0, before = t->n;
	bool open = false, closed = false;
	if (me->depth == 0)
		t->multipart = true;
	while (i < end && !closed && !t->truncated) {
		size_t e = line_end(art, end, i, &tl);
		bool close;
		if (is_delim(art + i, tl, b, bl, &close)) {
			if (open) {
				/* The line break before the delimiter is its own. */
				size_t pe = i;
				if (pe > start && art[pe - 1] == '\n')
					pe--;
				if (pe > start && art[pe - 1] == '\r')
					pe--;
				struct nmime_part sub = { 0 };
				split_head(art, start, pe, &sub);
				sub.depth = me->depth + 1;
				walk(art, &sub, t);
			}
			open = !close;
			closed = close;
			start = e < end ? e + 1 : end;
		}
		i = e + 1;
	}
	if (open && !t->truncated) {
		t->unterminated = true;
		struct nmime_part sub = { 0 };
		split_head(art, start, end, &sub);
		sub.depth = me->depth + 1;
		walk(art, &sub, t);
	}
	/* No part between its boundaries (none, or a close first): the
	 * multipart is one part, shown as it is. */
	if (t->n == before)
		tree_add(t, me);
	buf_clear(&bnd);
}

void nmime_parts(const char *art, size_t len, struct nmime_tree *t)
{
	struct nmime_part top = { 0 };

	memset(t, 0, sizeof(*t));
	split_head(art, 0, len, &top);
	walk(art, &top, t);
}

/* Base64 as sent by a mailer: the alphabet and blanks, then at most two
 * "=" and blanks; a length that decodes whole. */
static bool b64_strict(const char *p, size_t len)
{
	size_t n = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (b64val(c) < 0 || pad)
			return false;
		n++;
	}
	if (pad > 2 || (pad && (n + pad) % 4) || n % 4 == 1)
		return false;
	return true;
}

int nmime_part_decode(const char *art, const struct nmime_part *p,
                      struct buf *out, const char **why)
{
	const char *v, *body = art + p->boff;
	size_t vlen;
	char enc[40];

	*why = NULL;
	if (!nmime_header(art + p->hoff, p->hlen, "Content-Transfer-Encoding", &v, &vlen))
		vlen = 0;
	size_t n = 0;
	while (n < vlen && n + 1 < sizeof(enc) && !is_tspecial_or_space(v[n])) {
		enc[n] = (char)((v[n] >= 'A' && v[n] <= 'Z') ? v[n] + 32 : v[n]);
		n++;
	}
	enc[n] = '\0';
	if (strcmp(enc, "base64") == 0) {
		if (!b64_strict(body, p->blen)) {
			*why = "its base64 is corrupt";
			return ERR_PROTO;
		}
		return nmime_b64_decode(body, p->blen, out);
	}
	if (strcmp(enc, "quoted-printable") == 0)
		return nmime_qp_decode(body, p->blen, out);
	if (strcmp(enc, "x-uuencode") == 0 || strcmp(enc, "uuencode") == 0 ||
	    strcmp(enc, "x-uue") == 0)
		return nuu_uu_body(body, p->blen, out, why);
	if (!*enc || strcmp(enc, "7bit") == 0 || strcmp(enc, "8bit") == 0 ||
	    strcmp(enc, "binary") == 0)
		return buf_append(out, body, p->blen);
	*why = "its transfer encoding is unknown";
	return ERR_PROTO;
}
