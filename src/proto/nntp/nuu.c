/* nuu.c - uuencoded and yEnc blocks inside a text body (see nuu.h).
 *
 * Finding a block is strict where prose could pass for one: a uu "begin"
 * line counts only with a data line (or "end") after it, and a data line
 * is one whose length character agrees with its length and whose bytes are
 * all in uuencode's range (no lower-case letters), so a sentence that
 * starts with "begin 644 " stays text.  The block stops at "end", or
 * before the first line that is not data (a cut block is shown cut, not
 * swallowing the signature).  yEnc data can be any byte, so a yEnc block
 * runs to "=yend" or to the end of the text.
 */
#include "nuu.h"

#include <stdint.h>
#include <string.h>

#include "err.h"

/* The end of the line at i (index of its '\n', or len) and its length
 * without the line break in *tl. */
static size_t line_at(const char *p, size_t len, size_t i, size_t *tl)
{
	const char *nl = memchr(p + i, '\n', len - i);
	size_t e = nl ? (size_t)(nl - p) : len;

	*tl = e - i;
	if (*tl && nl && p[e - 1] == '\r')
		(*tl)--;
	return e;
}

static size_t next_line(size_t e, size_t len)
{
	return e < len ? e + 1 : len;
}

static bool starts(const char *l, size_t tl, const char *s)
{
	size_t n = strlen(s);
	return tl >= n && memcmp(l, s, n) == 0;
}

/* ---- uuencode ------------------------------------------------------------ */

static unsigned uu_val(char c)
{
	return (unsigned)((unsigned char)c - 32) & 63;
}

static bool uu_char(char c)
{
	return (unsigned char)c >= 32 && (unsigned char)c <= 96;
}

/* "end", blanks after it allowed. */
static bool uu_end_line(const char *l, size_t tl)
{
	if (!starts(l, tl, "end"))
		return false;
	for (size_t i = 3; i < tl; i++)
		if (l[i] != ' ' && l[i] != '\t')
			return false;
	return true;
}

/* A data line: an empty line (some transports strip a lone "`" or " "),
 * or a length character and at least the characters that many bytes need
 * (at most a group and two more: padding and old encoders' checksums), all
 * in range. */
static bool uu_data_line(const char *l, size_t tl)
{
	if (tl == 0)
		return true;
	if (!uu_char(l[0]))
		return false;
	size_t n = uu_val(l[0]);
	size_t need = 1 + (n * 4 + 2) / 3, most = 1 + (n + 2) / 3 * 4 + 2;
	if (tl < need || tl > most)
		return false;
	for (size_t i = 1; i < tl; i++)
		if (!uu_char(l[i]))
			return false;
	return true;
}

/* "begin MODE NAME": MODE 3 or 4 octal digits; *noff, *nlen the name. */
static bool uu_begin_line(const char *l, size_t tl, size_t *noff, size_t *nlen)
{
	size_t i = 6, d = 0;

	if (!starts(l, tl, "begin "))
		return false;
	while (i < tl && l[i] >= '0' && l[i] <= '7' && d < 5)
		i++, d++;
	if (d < 3 || d > 4 || i >= tl || l[i] != ' ')
		return false;
	i++;
	size_t e = tl;
	while (e > i && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	if (e == i)
		return false;
	*noff = i;
	*nlen = e - i;
	return true;
}

/* Decode one data line into out.  0, ERR_PROTO (*why), ERR_TOOLONG. */
static int uu_line(const char *l, size_t tl, struct buf *out, const char **why)
{
	if (tl == 0)
		return 0;
	size_t n = uu_val(l[0]), got = 0;
	char b[64];   /* at most 63 bytes a line */

	for (size_t k = 1; got < n; k += 4) {
		/* a group of 4 for 3 bytes; a last one of 2 or 3 for 1 or 2 */
		size_t need = (n - got >= 3 ? 3 : n - got) + 1;
		if (k + need > tl) {
			*why = "a uuencoded line is shorter than it says";
			return ERR_PROTO;
		}
		unsigned c[4];
		for (int j = 0; j < 4; j++)
			c[j] = k + (size_t)j < tl ? uu_val(l[k + (size_t)j]) : 0;
		char b3[3] = { (char)(c[0] << 2 | c[1] >> 4), (char)(c[1] << 4 | c[2] >> 2),
		               (char)(c[2] << 6 | c[3]) };
		for (int j = 0; j < 3 && got < n; j++)
			b[got++] = b3[j];
	}
	return buf_append(out, b, got);
}

/* Data lines of p[i..end) up to an "end" line: 0 with *ended, or the
 * error. */
static int uu_lines(const char *p, size_t i, size_t end, struct buf *out,
                    const char **why, bool *ended)
{
	size_t tl;

	*ended = false;
	while (i < end) {
		size_t e = line_at(p, end, i, &tl);
		if (uu_end_line(p + i, tl)) {
			*ended = true;
			return 0;
		}
		int err = uu_line(p + i, tl, out, why);
		if (err < 0)
			return err;
		i = next_line(e, end);
	}
	return 0;
}

int nuu_uu_body(const char *p, size_t len, struct buf *out, const char **why)
{
	size_t i = 0, tl;

	*why = NULL;
	while (i < len) {
		size_t s = i, e = line_at(p, len, i, &tl);
		i = next_line(e, len);
		if (starts(p + s, tl, "begin ")) {
			bool ended;
			int err = uu_lines(p, i, len, out, why, &ended);
			if (err == 0 && !ended) {
				*why = "the uuencoded data has no \"end\" line";
				err = ERR_PROTO;
			}
			return err;
		}
	}
	*why = "the uuencoded data has no \"begin\" line";
	return ERR_PROTO;
}

/* ---- yEnc ---------------------------------------------------------------- */

/* The value of keyword key ("size", "crc32"...) on a yEnc line: a blank
 * then "key=", the value up to the next blank; "name" runs to the end of
 * the line, and no other keyword is looked for inside it. */
static bool y_kw(const char *l, size_t tl, const char *key, size_t *voff, size_t *vlen)
{
	size_t kl = strlen(key), lim = tl;

	for (size_t i = 0; i + 6 <= tl; i++)
		if (memcmp(l + i, " name=", 6) == 0) {
			lim = i;
			if (strcmp(key, "name") == 0) {
				*voff = i + 6;
				*vlen = tl - *voff;
				return true;
			}
			break;
		}
	for (size_t i = 0; i + kl + 2 <= lim; i++) {
		if (l[i] != ' ' || memcmp(l + i + 1, key, kl) != 0 || l[i + 1 + kl] != '=')
			continue;
		size_t v = i + kl + 2, e = v;
		while (e < lim && l[e] != ' ')
			e++;
		*voff = v;
		*vlen = e - v;
		return true;
	}
	return false;
}

/* A keyword's value as a number in base 10 or 16: true when present and
 * a whole number that fits. */
static bool y_num(const char *l, size_t tl, const char *key, unsigned base, uint64_t *v)
{
	size_t o, n;

	if (!y_kw(l, tl, key, &o, &n) || n == 0 || n > 16)
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = l[o + i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
		             base == 16 && c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
		             base == 16 && c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : base;
		if (d >= base || *v > (UINT64_MAX - d) / base)
			return false;
		*v = *v * base + d;
	}
	return true;
}

static bool y_begin_line(const char *l, size_t tl, struct nuu_block *b)
{
	size_t o, n;
	uint64_t part = 0;

	if (!starts(l, tl, "=ybegin ") || !y_kw(l, tl, "name", &o, &n))
		return false;
	while (n && (l[o + n - 1] == ' ' || l[o + n - 1] == '\t'))
		n--;
	if (n == 0)
		return false;
	b->noff = o;
	b->nlen = n;
	b->part = y_num(l, tl, "part", 10, &part) && part > 0 && part < 100000 ?
	          (unsigned)part : 0;
	return true;
}

/* CRC-32 as yEnc's crc32= keyword and zlib compute it (IEEE 802.3,
 * reflected, polynomial 0xEDB88320), a byte at a time through a table
 * made on first use: no zlib in a run that never compresses (net/zio.c
 * loads it for COMPRESS only). */
static uint32_t crc32_add(uint32_t crc, const char *p, size_t n)
{
	static uint32_t table[256];
	if (!table[1]) {
		for (uint32_t b = 0; b < 256; b++) {
			uint32_t c = b;
			for (int k = 0; k < 8; k++)
				c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
			table[b] = c;
		}
	}
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ (unsigned char)p[i]) & 0xffu] ^ (crc >> 8);
	return ~crc;
}

static int y_decode(const char *p, const struct nuu_block *b, struct buf *out,
                    const char **why)
{
	const char *bl = p + b->off;
	size_t end = b->off + b->len, tl, btl, i;
	uint64_t want, got = 0, v;

	line_at(p, end, b->off, &btl);
	if (b->part) {
		*why = "one part of a multi-part yEnc file (ferry does not join parts)";
		return ERR_PROTO;
	}
	if (!y_num(bl, btl, "size", 10, &want)) {
		*why = "the =ybegin line has no size";
		return ERR_PROTO;
	}
	i = next_line(line_at(p, end, b->off, &tl), end);
	uint32_t crc = 0;
	while (i < end) {
		size_t e = line_at(p, end, i, &tl);
		const char *l = p + i;
		if (starts(l, tl, "=yend")) {
			if (got != want || (y_num(l, tl, "size", 10, &v) && v != got)) {
				*why = "the yEnc data is not the size its =ybegin and =yend "
				       "lines say";
				return ERR_PROTO;
			}
			if (y_num(l, tl, "crc32", 16, &v) && v != crc) {
				*why = "the yEnc data fails its crc32 check";
				return ERR_PROTO;
			}
			return 0;
		}
		char tmp[256];
		size_t n = 0;
		for (size_t k = 0; k < tl; k++) {
			unsigned char c = (unsigned char)l[k];
			if (c == '=') {
				if (++k == tl) {
					*why = "a yEnc line ends inside an escape";
					return ERR_PROTO;
				}
				c = (unsigned char)(l[k] - 64);
			}
			tmp[n++] = (char)(c - 42);
			if (n == sizeof(tmp) || k + 1 == tl) {
				int err = buf_append(out, tmp, n);
				if (err < 0)
					return err;
				crc = crc32_add(crc, tmp, n);
				got += n;
				n = 0;
			}
		}
		i = next_line(e, end);
	}
	*why = "the yEnc data has no =yend line";
	return ERR_PROTO;
}

/* ---- both ---------------------------------------------------------------- */

bool nuu_next(const char *p, size_t len, size_t from, struct nuu_block *b)
{
	size_t i = from, tl, e;

	for (; i < len; i = next_line(e, len)) {
		e = line_at(p, len, i, &tl);
		memset(b, 0, sizeof(*b));
		b->off = i;
		if (y_begin_line(p + i, tl, b)) {
			b->kind = NUU_YENC;
			b->noff += i;
			size_t j = next_line(e, len), jt, je;
			for (; j < len; j = next_line(je, len)) {
				je = line_at(p, len, j, &jt);
				if (starts(p + j, jt, "=yend")) {
					b->ended = true;
					j = next_line(je, len);
					break;
				}
			}
			b->len = j - i;
			return true;
		}
		if (!uu_begin_line(p + i, tl, &b->noff, &b->nlen))
			continue;
		size_t j = next_line(e, len), jt;
		if (j >= len)
			continue;
		size_t je = line_at(p, len, j, &jt);
		if (!uu_end_line(p + j, jt) && (jt == 0 || !uu_data_line(p + j, jt)))
			continue;
		b->kind = NUU_UU;
		b->noff += i;
		for (; j < len; j = next_line(je, len)) {
			je = line_at(p, len, j, &jt);
			if (uu_end_line(p + j, jt)) {
				b->ended = true;
				j = next_line(je, len);
				break;
			}
			if (!uu_data_line(p + j, jt))
				break;
		}
		b->len = j - i;
		return true;
	}
	return false;
}

int nuu_decode(const char *p, const struct nuu_block *b, struct buf *out,
               const char **why)
{
	size_t end = b->off + b->len, tl;

	*why = NULL;
	if (b->kind == NUU_YENC)
		return y_decode(p, b, out, why);
	bool ended;
	size_t i = next_line(line_at(p, end, b->off, &tl), end);
	int err = uu_lines(p, i, end, out, why, &ended);
	if (err == 0 && !ended) {
		*why = "the uuencoded data has no \"end\" line";
		err = ERR_PROTO;
	}
	return err;
}
