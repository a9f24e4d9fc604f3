/* redact.c - passwords out of what the user typed (see redact.h).
 *
 * The line is split as argv.c splits it, but every decoded byte remembers
 * where it came from (its raw bytes and the quoting in force there), so a
 * password found in the decoded words can be cut from the raw line and the
 * quotes around the cut balanced again.  Erring towards removing too much
 * is harmless (the line only goes to the history, or to `ps`), a password
 * left behind is not: hence abbreviations, any case, and a lenient split.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "redact.h"

enum { Q_NONE, Q_SINGLE, Q_DOUBLE };

/* Where one decoded byte came from. */
struct dch {
	size_t raw, rend;     /* its bytes in the line: [raw, rend) */
	unsigned char quote;  /* the quoting in force there */
};

/* The words of one command, decoded. */
struct cmd {
	char *txt;            /* the bytes of all words, back to back */
	struct dch *d;        /* the origin of each byte of txt */
	size_t n, cap;
	size_t *word;         /* word i starts at txt[word[i]] */
	size_t nwords, wcap;
};

/* Raw bytes of the line that hold a password. */
struct span {
	size_t start, end;
	size_t keep;                  /* leading bytes masking keeps (':') */
	unsigned char q_start, q_end; /* the quoting in force at start, at end */
	bool stars;                   /* "****" takes their place */
};

struct spans {
	struct span *s;
	size_t n, cap;
};

enum scan_mode {
	SCAN_CMD,   /* a command: URLs and the login commands below */
	SCAN_URLS,  /* a comment: URLs only */
	SCAN_BARE,  /* one argument of ferry: a URL or user:pass@host */
};

/* Raw login commands: the command (or an abbreviation of it), then these
 * words in any case, then `skip` words that are no secret; the rest of the
 * command is the password. */
struct rule {
	const char *cmd;
	const char *kw[2];
	int skip;
	bool cut;   /* the password goes with its blank, no "****": the
	               line typed again asks for it (`user NAME`) */
};

static const struct rule rules[] = {
	{ "quote", { "PASS" }, 0, false },
	{ "quote", { "ACCT" }, 0, false },               /* an account's password */
	{ "quote", { "AUTHINFO", "PASS" }, 0, false },
	{ "quote", { "AUTHINFO", "SASL" }, 1, false },  /* the mechanism is public */
	{ "quote", { "SITE", "PSWD" }, 0, false },      /* old and new password */
	{ "quote", { "SITE", "PASSWD" }, 0, false },
	{ "site", { "PSWD" }, 0, false },
	{ "site", { "PASSWD" }, 0, false },
	{ "user", { NULL }, 1, true },           /* user NAME PASS */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* ---- the words of a command ------------------------------------------ */

static void cmd_word(struct cmd *c)
{
	if (c->nwords + 1 >= c->wcap) {
		c->wcap = c->wcap ? c->wcap * 2 : 8;
		c->word = xrealloc(c->word, c->wcap * sizeof(*c->word));
	}
	c->word[c->nwords++] = c->n;
}

static void cmd_put(struct cmd *c, char ch, size_t raw, size_t rend, unsigned char q)
{
	if (c->n + 1 >= c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->txt = xrealloc(c->txt, c->cap);
		c->d = xrealloc(c->d, c->cap * sizeof(*c->d));
	}
	c->txt[c->n] = ch;
	c->d[c->n] = (struct dch){ raw, rend, q };
	c->n++;
}

static void cmd_free(struct cmd *c)
{
	free(c->txt);
	free(c->d);
	free(c->word);
	memset(c, 0, sizeof(*c));
}

static size_t word_end(const struct cmd *c, size_t i)
{
	return i + 1 < c->nwords ? c->word[i + 1] : c->n;
}

/* The end of the word that holds txt[p]. */
static size_t end_of_word_at(const struct cmd *c, size_t p)
{
	for (size_t i = 0; i < c->nwords; i++)
		if (p < word_end(c, i))
			return word_end(c, i);
	return c->n;
}

/* One word at s[i..len), as argv.c's scan_word reads it, except that an
 * open quote or a trailing backslash ends the word instead of failing.
 * Returns the index after it. */
static size_t scan_word(const char *s, size_t len, size_t i, struct cmd *c)
{
	cmd_word(c);
	while (i < len && !is_blank(s[i]) && s[i] != ';' && s[i] != '\n') {
		if (s[i] == '\\') {
			if (i + 1 >= len)
				return len;
			if (s[i + 1] != '\n')
				cmd_put(c, s[i + 1], i, i + 2, Q_NONE);
			i += 2;
		} else if (s[i] == '\'') {
			for (i++; i < len && s[i] != '\''; i++)
				cmd_put(c, s[i], i, i + 1, Q_SINGLE);
			i++;
		} else if (s[i] == '"') {
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < len &&
				    strchr("\"\\$`\n", s[i + 1])) {
					if (s[i + 1] != '\n')
						cmd_put(c, s[i + 1], i, i + 2, Q_DOUBLE);
					i++;
					continue;
				}
				cmd_put(c, s[i], i, i + 1, Q_DOUBLE);
			}
			i++;
		} else {
			cmd_put(c, s[i], i, i + 1, Q_NONE);
			i++;
		}
	}
	return i < len ? i : len;
}

/* ---- finding passwords ----------------------------------------------- */

static void span_add(struct spans *sp, struct span s)
{
	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 4;
		sp->s = xrealloc(sp->s, sp->cap * sizeof(*sp->s));
	}
	sp->s[sp->n++] = s;
}

/* A URL password: ":PASS" between txt[colon] and txt[at] goes. */
static void add_cut(struct spans *sp, const struct cmd *c, size_t colon, size_t at)
{
	const struct dch *a = &c->d[colon], *b = &c->d[at];

	span_add(sp, (struct span){ a->raw, b->raw, a->rend - a->raw, a->quote,
	                            b->quote, false });
}

/* A login argument: txt[first..last] becomes "****". */
static void add_stars(struct spans *sp, const struct cmd *c, size_t first, size_t last)
{
	const struct dch *a = &c->d[first], *b = &c->d[last];

	span_add(sp, (struct span){ a->raw, b->rend, 0, a->quote, b->quote, true });
}

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* The password in the authority ([user[:pass]@]host[:port]) that starts at
 * txt[a], in a word that ends at txt[we]. */
static void authority_password(struct spans *sp, const struct cmd *c, size_t a, size_t we)
{
	const char *t = c->txt;
	size_t slash = a, colon = SIZE_MAX, at = SIZE_MAX, i;

	while (slash < we && t[slash] != '/')
		slash++;
	/* As url.c: the last '@' before the path, the first ':' before it. */
	for (i = a; i < slash; i++)
		if (t[i] == '@')
			at = i;
	if (at == SIZE_MAX) {
		/* A raw '/' in a password ends the host part early for
		 * url.c, and the open fails, but the line still holds the
		 * password: when what follows the ':' is no port, it runs to
		 * the next '@'. */
		for (i = a; i < slash && colon == SIZE_MAX; i++)
			if (t[i] == ':')
				colon = i;
		if (colon == SIZE_MAX || t[a] == '[' ||
		    all_digits(t + colon + 1, slash - colon - 1))
			return;
		for (i = slash; i < we && t[i] != '@'; i++)
			;
		if (i >= we)
			return;
		at = i;
	} else {
		for (i = a; i < at && colon == SIZE_MAX; i++)
			if (t[i] == ':')
				colon = i;
		if (colon == SIZE_MAX)
			return;
	}
	add_cut(sp, c, colon, at);
}

/* Word w holds a "scheme://". */
static bool has_url(const struct cmd *c, size_t w)
{
	for (size_t i = c->word[w]; i + 3 <= word_end(c, w); i++)
		if (memcmp(c->txt + i, "://", 3) == 0)
			return true;
	return false;
}

/* Every scheme://...@ in word w (any scheme: `!curl https://...` holds a
 * password too). */
static void word_urls(struct spans *sp, const struct cmd *c, size_t w)
{
	size_t ws = c->word[w], we = word_end(c, w);

	for (size_t i = ws; i + 3 <= we; i++) {
		if (memcmp(c->txt + i, "://", 3) != 0)
			continue;
		authority_password(sp, c, i + 3, we);
		i += 2;
	}
}

/* The next blank-separated token in txt[*pos..limit); a token never
 * spans two words. */
static bool next_token(const struct cmd *c, size_t *pos, size_t limit,
                       size_t *ts, size_t *te)
{
	size_t p = *pos, e, we;

	while (p < limit && is_blank(c->txt[p]))
		p++;
	if (p >= limit)
		return false;
	we = end_of_word_at(c, p);
	for (e = p; e < we && e < limit && !is_blank(c->txt[e]); e++)
		;
	*ts = p;
	*te = e;
	*pos = e;
	return true;
}

static bool token_is(const struct cmd *c, size_t ts, size_t te, const char *kw)
{
	return te - ts == strlen(kw) && strncasecmp(c->txt + ts, kw, te - ts) == 0;
}

/* Word w is an abbreviation of name (cmd_lookup takes unique prefixes). */
static bool word_abbrev(const struct cmd *c, size_t w, const char *name)
{
	size_t ws = c->word[w], len = word_end(c, w) - ws;

	return len && len <= strlen(name) && strncasecmp(c->txt + ws, name, len) == 0;
}

/* Word w is an unquoted '>' or '|' operator, or '&': the command's
 * arguments end before it. */
static bool word_operator(const struct cmd *c, size_t w)
{
	size_t ws = c->word[w], we = word_end(c, w);

	if (ws == we || c->d[ws].quote != Q_NONE || c->d[ws].rend - c->d[ws].raw != 1)
		return false;
	return c->txt[ws] == '>' || c->txt[ws] == '|' ||
	       (we - ws == 1 && c->txt[ws] == '&');
}

/* The login commands: the arguments of word ci's command run to limit. */
static void login_args(struct spans *sp, const struct cmd *c, size_t ci, size_t limit)
{
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		size_t pos = word_end(c, ci), ts, te = 0, last;
		bool ok = word_abbrev(c, ci, rules[r].cmd);

		for (int k = 0; ok && k < 2 && rules[r].kw[k]; k++)
			ok = next_token(c, &pos, limit, &ts, &te) &&
			     token_is(c, ts, te, rules[r].kw[k]);
		for (int k = 0; ok && k < rules[r].skip; k++)
			ok = next_token(c, &pos, limit, &ts, &te);
		size_t before = te; /* the end of the word before the password */
		if (!ok || !next_token(c, &pos, limit, &ts, &te))
			continue;
		for (last = limit; is_blank(c->txt[last - 1]); last--)
			;
		if (rules[r].cut && before > 0) {
			const struct dch *a = &c->d[before - 1], *b = &c->d[last - 1];
			span_add(sp, (struct span){ a->rend, b->rend, c->d[ts].raw - a->rend,
			                            a->quote, b->quote, false });
		} else {
			add_stars(sp, c, ts, last - 1);
		}
		return;
	}
}

/* open -u USER,PASS (lftp's form): ",PASS" goes, to the end of the word;
 * the line typed again asks for the password. */
static void open_login_password(struct spans *sp, const struct cmd *c, size_t ci,
                                size_t limit)
{
	for (size_t w = ci + 1; w + 1 < c->nwords && c->word[w + 1] < limit; w++) {
		size_t ws = c->word[w], us = c->word[w + 1], ue = word_end(c, w + 1);
		if (word_end(c, w) - ws != 2 || c->txt[ws] != '-' || c->txt[ws + 1] != 'u')
			continue;
		for (size_t i = us; i < ue; i++) {
			if (c->txt[i] != ',')
				continue;
			const struct dch *a = &c->d[i], *b = &c->d[ue - 1];
			span_add(sp, (struct span){ a->raw, b->rend, a->rend - a->raw, a->quote,
			                            b->quote, false });
			break;
		}
	}
}

static void cmd_scan(struct spans *sp, const struct cmd *c, enum scan_mode mode)
{
	size_t ci = 0, limit = c->n;

	for (size_t w = 0; w < c->nwords; w++)
		word_urls(sp, c, w);
	if (mode == SCAN_BARE && c->nwords == 1 && !has_url(c, 0))
		authority_password(sp, c, 0, c->n);
	if (mode != SCAN_CMD || !c->nwords)
		return;
	/* @NAME COMMAND ... */
	if (c->nwords > 1 && word_end(c, 0) > c->word[0] && c->txt[c->word[0]] == '@')
		ci = 1;
	for (size_t w = ci + 1; w < c->nwords; w++)
		if (word_operator(c, w)) {
			limit = c->word[w];
			break;
		}
	/* open user:pass@host: a bare host is an FTP URL to `open`; after
	 * lftp's options too. */
	if (word_abbrev(c, ci, "open")) {
		size_t h = ci + 1;
		while (h + 1 < c->nwords && word_end(c, h) - c->word[h] == 2 &&
		       c->txt[c->word[h]] == '-')
			h += 2;
		if (h < c->nwords && c->word[h] < limit && !has_url(c, h))
			authority_password(sp, c, c->word[h], word_end(c, h));
		open_login_password(sp, c, ci, limit);
	}
	login_args(sp, c, ci, limit);
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* All the passwords of a line, in order, overlaps merged. */
static void scan_line(const char *s, struct spans *sp)
{
	struct cmd c = { 0 };
	size_t len = strlen(s), i = 0, k;

	while (i < len) {
		if (is_blank(s[i])) {
			i++;
		} else if (s[i] == ';' || s[i] == '\n') {
			cmd_scan(sp, &c, SCAN_CMD);
			cmd_free(&c);
			i++;
		} else if (s[i] == '#') {
			/* A comment, to the end of the line: its own words. */
			struct cmd note = { 0 };

			while (i < len && s[i] != '\n') {
				if (is_blank(s[i])) {
					i++;
					continue;
				}
				cmd_word(&note);
				for (; i < len && s[i] != '\n' && !is_blank(s[i]); i++)
					cmd_put(&note, s[i], i, i + 1, Q_NONE);
			}
			cmd_scan(sp, &note, SCAN_URLS);
			cmd_free(&note);
		} else {
			i = scan_word(s, len, i, &c);
		}
	}
	cmd_scan(sp, &c, SCAN_CMD);
	cmd_free(&c);

	if (sp->n < 2)
		return;
	qsort(sp->s, sp->n, sizeof(*sp->s), span_cmp);
	for (i = 0, k = 1; k < sp->n; k++) {
		struct span *a = &sp->s[i], *b = &sp->s[k];

		if (b->start >= a->end) {
			sp->s[++i] = *b;
			continue;
		}
		if (b->end > a->end) {
			a->end = b->end;
			a->q_end = b->q_end;
		}
		a->stars |= b->stars;
	}
	sp->n = i + 1;
}

/* ---- the results ------------------------------------------------------ */

/* Close the quote in force at a cut and open the one in force after it. */
static size_t requote(char *out, unsigned char from, unsigned char to)
{
	static const char q[] = { 0, '\'', '"' };
	size_t n = 0;

	if (from == to)
		return 0;
	if (from != Q_NONE)
		out[n++] = q[from];
	if (to != Q_NONE)
		out[n++] = q[to];
	return n;
}

char *redact_line(const char *line)
{
	struct spans sp = { 0 };
	size_t len = strlen(line), prev = 0, o = 0;
	char *out;

	scan_line(line, &sp);
	/* Each cut adds at most "****" and two quotes. */
	out = xmalloc(len + 6 * sp.n + 1);
	for (size_t k = 0; k < sp.n; k++) {
		const struct span *s = &sp.s[k];

		memcpy(out + o, line + prev, s->start - prev);
		o += s->start - prev;
		if (s->stars) {
			memcpy(out + o, "****", 4);
			o += 4;
		}
		o += requote(out + o, s->q_start, s->q_end);
		prev = s->end;
	}
	memcpy(out + o, line + prev, len - prev);
	out[o + len - prev] = '\0';
	free(sp.s);
	return out;
}

static void mask(char *s, const struct spans *sp)
{
	for (size_t k = 0; k < sp->n; k++)
		for (size_t i = sp->s[k].start + sp->s[k].keep; i < sp->s[k].end; i++)
			s[i] = '*';
}

void redact_mask_line(char *line)
{
	struct spans sp = { 0 };

	scan_line(line, &sp);
	mask(line, &sp);
	free(sp.s);
}

void redact_mask_url(char *url)
{
	struct spans sp = { 0 };
	struct cmd c = { 0 };

	cmd_word(&c);
	for (size_t i = 0; url[i]; i++)
		cmd_put(&c, url[i], i, i + 1, Q_NONE);
	cmd_scan(&sp, &c, SCAN_BARE);
	cmd_free(&c);
	mask(url, &sp);
	free(sp.s);
}

/* ---- lines on the wire ------------------------------------------------- */

/* The line's word at *i equals kw (any case) followed by a blank or the
 * end; *i moves past it and the blanks after it. */
static bool wire_word(const char *line, size_t n, size_t *i, const char *kw)
{
	size_t k = strlen(kw);
	if (n - *i < k || strncasecmp(line + *i, kw, k) != 0 ||
	    (*i + k < n && !is_blank(line[*i + k])))
		return false;
	*i += k;
	while (*i < n && is_blank(line[*i]))
		(*i)++;
	return true;
}

size_t redact_wire(const char *line, size_t n)
{
	size_t best = 0;
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		if (strcmp(rules[r].cmd, "quote") != 0)
			continue; /* the same commands as typed through quote */
		size_t i = 0;
		while (i < n && is_blank(line[i]))
			i++;
		bool ok = true;
		for (int k = 0; k < 2 && rules[r].kw[k] && ok; k++)
			ok = wire_word(line, n, &i, rules[r].kw[k]);
		for (int k = 0; k < rules[r].skip && ok; k++) {
			while (i < n && !is_blank(line[i]))
				i++;
			while (i < n && is_blank(line[i]))
				i++;
		}
		if (ok && i > 0 && i < n && (!best || i < best))
			best = i;
	}
	return best;
}
