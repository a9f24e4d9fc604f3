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
#include <string.h>
#include <strings.h>

#include "err.h"

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
