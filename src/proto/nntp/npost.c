/* npost.c - the pure parts of posting news; see npost.h. */
#include "npost.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"

/* The line at pos: its length without the line end (LF or CRLF), and the
 * offset of the next line. */
static size_t line_at(const char *p, size_t len, size_t pos, size_t *next)
{
	const char *nl = memchr(p + pos, '\n', len - pos);
	size_t end = nl ? (size_t)(nl - p) : len;

	*next = nl ? end + 1 : len;
	if (end > pos && p[end - 1] == '\r' && nl)
		end--;
	return end - pos;
}

long npost_body_offset(const char *art, size_t len)
{
	size_t pos = 0, next;

	while (pos < len) {
		size_t ll = line_at(art, len, pos, &next);
		if (ll == 0 && next > pos)
			return (long)next;
		pos = next;
	}
	return -1;
}

bool npost_header_get(const char *head, size_t len, const char *name,
                      struct nntp_span *val)
{
	size_t nl = strlen(name), pos = 0, next;

	while (pos < len) {
		size_t ll = line_at(head, len, pos, &next);
		if (ll == 0)
			return false;   /* the blank line: the body follows */
		const char *l = head + pos;
		if (ll > nl && l[nl] == ':' && strncasecmp(l, name, nl) == 0) {
			const char *v = l + nl + 1, *e = l + ll;
			/* Continuation lines belong to the field. */
			while (next < len && (head[next] == ' ' || head[next] == '\t')) {
				size_t n2;
				size_t cl = line_at(head, len, next, &n2);
				e = head + next + cl;
				next = n2;
			}
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			val->p = v;
			val->len = (size_t)(e - v);
			return true;
		}
		pos = next;
	}
	return false;
}

/* ---- Subject and References of a followup ------------------------------ */

/* A reply prefix at s ("Re:", "Re[2]:", "Re^3:", any case): its length
 * with the blanks after it, or 0. */
static size_t re_prefix(const char *s, size_t len)
{
	size_t i = 2;

	if (len < 3 || (s[0] != 'R' && s[0] != 'r') || (s[1] != 'E' && s[1] != 'e'))
		return 0;
	if (s[i] == '[' || s[i] == '^') {
		char close = s[i] == '[' ? ']' : 0;
		size_t d = ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
		if (close) {
			if (i >= len || s[i] != close)
				return 0;
			i++;
		}
	}
	if (i >= len || s[i] != ':')
		return 0;
	i++;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

int npost_subject_re(const char *subj, size_t len, struct buf *out)
{
	size_t k;

	while (len && (*subj == ' ' || *subj == '\t')) {
		subj++;
		len--;
	}
	while ((k = re_prefix(subj, len)) > 0) {
		subj += k;
		len -= k;
	}
	if (buf_append(out, "Re: ", 4) < 0 || buf_append(out, subj, len) < 0)
		return ERR_TOOLONG;
	return 0;
}

#define REFS_MAX 512  /* ids kept from a References field, at most */

int npost_references(const char *refs, size_t rlen, const char *msgid, size_t mlen,
                     struct buf *out)
{
	struct nntp_span ids[REFS_MAX + 1];
	size_t n = 0, pos = 0, total;

	if (!nntp_msgid_valid(msgid, mlen))
		return ERR_PROTO;
	/* Ids are blank-separated (folds unfolded by the caller or taken
	 * as blanks here); what is not a valid id is left out. */
	while (pos < rlen) {
		while (pos < rlen && strchr(" \t\r\n", refs[pos]))
			pos++;
		size_t st = pos;
		while (pos < rlen && !strchr(" \t\r\n", refs[pos]))
			pos++;
		if (pos > st && nntp_msgid_valid(refs + st, pos - st)) {
			if (n == REFS_MAX) {
				/* Keep the first; drop the second oldest. */
				memmove(&ids[1], &ids[2], (n - 2) * sizeof(ids[0]));
				n--;
			}
			ids[n].p = refs + st;
			ids[n].len = pos - st;
			n++;
		}
	}
	ids[n].p = msgid;
	ids[n].len = mlen;
	n++;
	total = strlen("References: ") + n - 1;
	for (size_t i = 0; i < n; i++)
		total += ids[i].len;
	while (total > NPOST_LINE_MAX && n > 2) {
		total -= ids[1].len + 1;
		memmove(&ids[1], &ids[2], (n - 2) * sizeof(ids[0]));
		n--;
	}
	for (size_t i = 0; i < n; i++)
		if ((i && buf_append(out, " ", 1) < 0) ||
		    buf_append(out, ids[i].p, ids[i].len) < 0)
			return ERR_TOOLONG;
	return 0;
}

/* ---- checks ----------------------------------------------------------- */

static int bad(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return ERR_USAGE;
}

static const char *const required[] = { "From", "Newsgroups", "Subject", NULL };

int npost_check(const char *art, size_t len, char *why, size_t whylen)
{
	size_t pos = 0, next, lineno = 0;
	bool in_head = true, have_field = false;

	if (!len)
		return bad(why, whylen, "the article is empty");
	for (size_t i = 0; i < len; i++) {
		if (art[i] == '\0' || (art[i] == '\r' && (i + 1 == len || art[i + 1] != '\n'))) {
			size_t ln = 1;
			for (size_t j = 0; j < i; j++)
				ln += art[j] == '\n';
			return bad(why, whylen, "line %zu holds a %s byte; take it out",
			           ln, art[i] ? "CR" : "NUL");
		}
	}
	while (pos < len) {
		const char *l = art + pos;
		size_t ll = line_at(art, len, pos, &next);
		lineno++;
		pos = next;
		if (ll > NPOST_LINE_MAX)
			return bad(why, whylen, "line %zu is %zu octets long (%d at most); "
			           "break it up", lineno, ll, NPOST_LINE_MAX);
		if (!in_head)
			continue;
		if (ll == 0) {
			in_head = false;
			continue;
		}
		if (l[0] == ' ' || l[0] == '\t') {
			if (!have_field)
				return bad(why, whylen, "line %zu: a continuation line with no "
				           "header field before it", lineno);
			continue;
		}
		size_t k = 0;
		while (k < ll && l[k] != ':' && l[k] > ' ' && l[k] < 127)
			k++;
		if (k == 0 || k >= ll || l[k] != ':')
			return bad(why, whylen, "line %zu is not a header field (\"Name: value\"); "
			           "the header ends at the first empty line", lineno);
		if (k + 1 < ll && l[k + 1] != ' ' && l[k + 1] != '\t')
			return bad(why, whylen, "line %zu: a blank must follow \"%.*s:\"",
			           lineno, (int)k, l);
		have_field = true;
	}
	if (in_head)
		return bad(why, whylen, "no empty line between the header and the body");
	for (int i = 0; required[i]; i++) {
		struct nntp_span v;
		if (!npost_header_get(art, len, required[i], &v))
			return bad(why, whylen, "the header has no %s: line", required[i]);
		if (v.len == 0)
			return bad(why, whylen, "the %s: line is empty", required[i]);
	}
	/* Every other field must have a value too (RFC 5536 2.2), and those
	 * of once[] appear once (RFC 5536 3). */
	static const char *const once[] = {
		"From", "Newsgroups", "Subject", "Message-ID", "References", "Followup-To",
		"Date", NULL,
	};
	unsigned seen = 0;
	pos = 0;
	lineno = 0;
	while (pos < len) {
		const char *l = art + pos;
		size_t ll = line_at(art, len, pos, &next);
		lineno++;
		pos = next;
		if (ll == 0)
			break;
		if (l[0] == ' ' || l[0] == '\t')
			continue;
		size_t k = (size_t)((const char *)memchr(l, ':', ll) - l);
		char name[NPOST_LINE_MAX + 1];
		struct nntp_span v;
		memcpy(name, l, k);
		name[k] = '\0';
		if (npost_header_get(l, len - (size_t)(l - art), name, &v) && v.len == 0)
			return bad(why, whylen, "line %zu: the %s: field is empty; fill it "
			           "in or take the line out", lineno, name);
		for (unsigned i = 0; once[i]; i++) {
			if (strcasecmp(name, once[i]) != 0)
				continue;
			if (seen & (1u << i))
				return bad(why, whylen, "line %zu: a second %s: line; keep one",
				           lineno, once[i]);
			seen |= 1u << i;
		}
	}
	return 0;
}

/* ---- RFC 2047 encoding ------------------------------------------------- */

static bool has_8bit(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] >= 0x80)
			return true;
	return false;
}

/* Length of the UTF-8 character starting with byte c (1 for a stray
 * continuation or invalid byte). */
static size_t u8_len(unsigned char c)
{
	return c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

#define EW_OPEN "=?UTF-8?Q?"
#define EW_MAX 75

/* Encode p[0..len) as encoded-words, a fold between two. */
static int encode_words(const char *p, size_t len, size_t *col, struct buf *out)
{
	char word[EW_MAX + 1];
	size_t wl = 0, i = 0;

	while (i < len) {
		size_t cl = u8_len((unsigned char)p[i]);
		char enc[16];
		size_t el = 0;
		if (cl > len - i)
			cl = len - i;
		for (size_t j = 0; j < cl; j++) {
			unsigned char c = (unsigned char)p[i + j];
			if (c == ' ')
				enc[el++] = '_';
			else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			         (c >= '0' && c <= '9') || strchr("!*+-/", c))
				enc[el++] = (char)c;
			else
				el += (size_t)snprintf(enc + el, sizeof(enc) - el, "=%02X", c);
		}
		if (wl && strlen(EW_OPEN) + wl + el + 2 > EW_MAX) {
			if (buf_appendf(out, "%s%s%.*s?=", *col ? "\n " : "", EW_OPEN,
			                (int)wl, word) < 0)
				return ERR_TOOLONG;
			*col = 1 + strlen(EW_OPEN) + wl + 2;
			wl = 0;
		}
		memcpy(word + wl, enc, el);
		wl += el;
		i += cl;
	}
	if (wl) {
		bool fold = *col + strlen(EW_OPEN) + wl + 2 > 76;
		if (buf_appendf(out, "%s%s%.*s?=", *col ? (fold ? "\n " : " ") : "", EW_OPEN,
		                (int)wl, word) < 0)
			return ERR_TOOLONG;
		*col = (fold ? 1 : *col + 1) + strlen(EW_OPEN) + wl + 2;
	}
	return 0;
}

int npost_encode_header(const char *p, size_t len, struct buf *out)
{
	size_t i = 0, col = 0;

	/* Words (blank-separated): a run of words holding 8-bit bytes, with
	 * the blanks between them, becomes encoded-words; ASCII words stay. */
	while (i < len) {
		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t ws = i;
		while (i < len && p[i] != ' ' && p[i] != '\t')
			i++;
		if (ws == i)
			break;
		if (!has_8bit(p + ws, i - ws)) {
			/* Fold before a word that would pass 76 columns. */
			bool fold = col && col + 1 + (i - ws) > 76;
			if ((col && buf_appendstr(out, fold ? "\n " : " ") < 0) ||
			    buf_append(out, p + ws, i - ws) < 0)
				return ERR_TOOLONG;
			col = (fold ? 1 : col + (col ? 1 : 0)) + i - ws;
			continue;
		}
		/* Extend over the following 8-bit words. */
		size_t end = i;
		for (;;) {
			size_t j = end;
			while (j < len && (p[j] == ' ' || p[j] == '\t'))
				j++;
			size_t k = j;
			while (k < len && p[k] != ' ' && p[k] != '\t')
				k++;
			if (k == j || !has_8bit(p + j, k - j))
				break;
			end = k;
		}
		if (encode_words(p + ws, end - ws, &col, out) < 0)
			return ERR_TOOLONG;
		i = end;
	}
	return 0;
}

int npost_prepare(const char *art, size_t len, struct buf *out)
{
	long boff = npost_body_offset(art, len);
	size_t hlen = boff < 0 ? len : (size_t)boff - 1;
	size_t pos = 0, next;
	struct buf val;
	int err = 0;

	buf_init(&val, len + 1);
	while (pos < hlen) {
		const char *l = art + pos;
		size_t ll = line_at(art, len, pos, &next);
		size_t fend = next;
		/* The field with its continuation lines. */
		while (fend < hlen && (art[fend] == ' ' || art[fend] == '\t')) {
			size_t n2;
			(void)line_at(art, len, fend, &n2);
			fend = n2;
		}
		if (ll == 0)
			break;
		const char *colon = memchr(l, ':', ll);
		if (!colon || !has_8bit(l, fend - pos)) {
			if (buf_append(out, l, fend - pos) < 0)
				goto toolong;
		} else {
			size_t k = (size_t)(colon - l);
			struct nntp_span v;
			char name[NPOST_LINE_MAX + 1];
			memcpy(name, l, k);
			name[k] = '\0';
			npost_header_get(l, fend - pos, name, &v);
			/* Unfold: the folds become blanks. */
			buf_reset(&val);
			for (size_t i = 0; i < v.len; i++)
				if (v.p[i] != '\r' && v.p[i] != '\n' &&
				    buf_append(&val, v.p[i] == '\t' ? " " : &v.p[i], 1) < 0)
					goto toolong;
			if (buf_appendf(out, "%s: ", name) < 0 ||
			    npost_encode_header(buf_peek(&val), buf_avail(&val), out) < 0 ||
			    buf_append(out, "\n", 1) < 0)
				goto toolong;
		}
		pos = fend;
	}
	if (boff >= 0) {
		struct nntp_span ct;
		const char *body = art + boff;
		size_t blen = len - (size_t)boff;
		if (has_8bit(body, blen) && !npost_header_get(art, hlen, "Content-Type", &ct)) {
			if (!npost_header_get(art, hlen, "MIME-Version", &ct) &&
			    buf_appendstr(out, "MIME-Version: 1.0\n") < 0)
				goto toolong;
			if (buf_appendstr(out, "Content-Type: text/plain; charset=UTF-8\n") < 0)
				goto toolong;
			if (!npost_header_get(art, hlen, "Content-Transfer-Encoding", &ct) &&
			    buf_appendstr(out, "Content-Transfer-Encoding: 8bit\n") < 0)
				goto toolong;
		}
		if (buf_append(out, "\n", 1) < 0 || buf_append(out, body, blen) < 0)
			goto toolong;
	}
	goto out;
toolong:
	err = ERR_TOOLONG;
out:
	buf_clear(&val);
	return err;
}

/* ---- the wire form and quoting ------------------------------------------ */

int npost_stuff(const char *art, size_t len, struct buf *out)
{
	size_t pos = 0, next;

	while (pos < len) {
		size_t ll = line_at(art, len, pos, &next);
		if ((art[pos] == '.' && ll && buf_append(out, ".", 1) < 0) ||
		    buf_append(out, art + pos, ll) < 0 || buf_append(out, "\r\n", 2) < 0)
			return ERR_TOOLONG;
		pos = next;
	}
	if (buf_append(out, ".\r\n", 3) < 0)
		return ERR_TOOLONG;
	return 0;
}

int npost_quote(const char *body, size_t len, struct buf *out)
{
	size_t pos = 0, next;

	while (pos < len) {
		size_t ll = line_at(body, len, pos, &next);
		const char *pre = ll == 0 || body[pos] == '>' ? ">" : "> ";
		if (buf_appendstr(out, pre) < 0 || buf_append(out, body + pos, ll) < 0 ||
		    buf_append(out, "\n", 1) < 0)
			return ERR_TOOLONG;
		pos = next;
	}
	return 0;
}

bool npost_followup_groups(const char *head, size_t len, struct nntp_span *groups,
                           bool *poster)
{
	struct nntp_span v;

	*poster = false;
	if (npost_header_get(head, len, "Followup-To", &v) && v.len) {
		*poster = v.len == 6 && strncasecmp(v.p, "poster", 6) == 0;
		*groups = v;
		return true;
	}
	return npost_header_get(head, len, "Newsgroups", groups) && groups->len;
}
