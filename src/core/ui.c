/* ui.c - the only writer to the terminal; escapes server text.
 *
 * The escaping follows OpenSSH's utf8.c idea: valid, printable UTF-8 passes,
 * everything that could move the cursor, change colours, retitle the
 * window or reorder text (C0, DEL, C1, bidi and format controls, invalid
 * or overlong UTF-8) is shown as a visible escape instead.
 */
#include "ui.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "err.h"

static struct ui_hooks hooks;
static bool have_hooks;
static bool quiet;
static char *where; /* ui_set_where() */
static int in_hook; /* output from inside a hook must not recurse */

/* The progress line (ui_progress): on standard error, under everything
 * else; the cursor stays at its start, so other output (and whatever the
 * terminal echoes) overwrites it after it was blanked. */
static char *pline;
static bool (*pvisible)(void *arg);
static void *pvisible_arg;
static size_t pdrawn;  /* columns drawn, 0 when nothing shows */

/* The jobs' lines (ui_status): rows right above the prompt, on standard
 * error.  Before other output the prompt is hidden (hooks.before leaves
 * the cursor at the start of its row) and the rows above it are cleared;
 * after it they are drawn again, then the prompt. */
static char **slines;
static size_t nslines;
static size_t sdrawn;  /* rows on the screen now */

void ui_set_hooks(const struct ui_hooks *h)
{
	if (h) {
		hooks = *h;
		have_hooks = true;
	} else {
		memset(&hooks, 0, sizeof(hooks));
		have_hooks = false;
	}
}

void ui_set_quiet(bool q)
{
	quiet = q;
}

bool ui_stdout_tty(void)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(STDOUT_FILENO);
	return tty;
}

static void progress_erase(void)
{
	if (!pdrawn)
		return;
	fputc('\r', stderr);
	for (size_t i = 0; i < pdrawn; i++)
		fputc(' ', stderr);
	fputc('\r', stderr);
	fflush(stderr);
	pdrawn = 0;
}

void ui_stdout_size(int *rows, int *cols)
{
	struct winsize ws;
	bool ok = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0;
	const char *l = getenv("LINES"), *c = getenv("COLUMNS");
	int el = l ? atoi(l) : 0, ec = c ? atoi(c) : 0;
	*rows = ok && ws.ws_row > 0 ? ws.ws_row : el > 0 ? el : 24;
	*cols = ok && ws.ws_col > 0 ? ws.ws_col : ec > 20 ? ec : 80;
}

static size_t term_cols(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col;
	return 80;
}

/* How many bytes of s fit one row: one column short of the width (a full
 * row would wrap on some terminals), columns counted as UTF-8 characters
 * (the text is escaped: no controls).  *cols gets the columns taken. */
static size_t fit_row(const char *s, size_t *cols)
{
	size_t max = term_cols() - 1, n = 0, i = 0;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (n == max)
			break;
		n++;
	}
	*cols = n;
	return i;
}

static void status_erase(void)
{
	if (!sdrawn)
		return;
	fprintf(stderr, "\033[%zuA\r\033[J", sdrawn);
	sdrawn = 0;
}

static void status_draw(void)
{
	size_t cols;
	for (size_t k = 0; k < nslines; k++) {
		fwrite(slines[k], 1, fit_row(slines[k], &cols), stderr);
		fputc('\n', stderr);
	}
	sdrawn = nslines;
	fflush(stderr);
}

static void status_free(void)
{
	for (size_t k = 0; k < nslines; k++)
		free(slines[k]);
	free(slines);
	slines = NULL;
	nslines = 0;
}

static void progress_draw(void)
{
	if (!pline || (pvisible && !pvisible(pvisible_arg)))
		return;
	size_t cols;
	size_t i = fit_row(pline, &cols);
	fputc('\r', stderr);
	fwrite(pline, 1, i, stderr);
	for (size_t k = cols; k < pdrawn; k++)
		fputc(' ', stderr);
	fputc('\r', stderr);
	fflush(stderr);
	pdrawn = cols > pdrawn ? cols : pdrawn;
	if (!pdrawn)
		pdrawn = 1;
}

static void begin(void)
{
	if (in_hook++)
		return;
	progress_erase();
	if (have_hooks && hooks.before)
		hooks.before(hooks.arg);
	if (sdrawn) {
		fflush(stdout);
		status_erase();
	}
}

static void end(void)
{
	if (--in_hook)
		return;
	if (nslines) {
		fflush(stdout);
		status_draw();
	}
	if (have_hooks && hooks.after) {
		fflush(stdout);
		hooks.after(hooks.arg);
	}
	if (pline) {
		fflush(stdout);
		progress_draw();
	}
}

void ui_progress(const char *line, bool (*visible)(void *arg), void *arg)
{
	if (!line) {
		progress_erase();
		free(pline);
		pline = NULL;
		pvisible = NULL;
		pvisible_arg = NULL;
		return;
	}
	free(pline);
	pline = xstrdup(line);
	pvisible = visible;
	pvisible_arg = arg;
	if (visible && !visible(arg))
		progress_erase();
	else
		progress_draw();
}

bool ui_progress_wanted(const char *mode)
{
	if (strcmp(mode, "on") == 0)
		return true;
	if (strcmp(mode, "off") == 0)
		return false;
	return ui_stdout_tty() && ui_stderr_tty();
}

void ui_status(const char *const *lines, size_t n)
{
	bool same = n == nslines;
	for (size_t k = 0; same && k < n; k++)
		same = strcmp(lines[k], slines[k]) == 0;
	if (same && sdrawn == n)
		return; /* no flicker for nothing */
	begin();
	status_free();
	if (n) {
		slines = xcalloc(n, sizeof(*slines));
		for (size_t k = 0; k < n; k++)
			slines[k] = xstrdup(lines[k]);
		nslines = n;
	}
	end();
}

void ui_status_hide(void)
{
	if (!sdrawn && !nslines)
		return;
	status_free();
	begin();
	end();
}

void ui_status_forget(void)
{
	status_free();
	sdrawn = 0;
}

bool ui_stderr_tty(void)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	return tty;
}

void ui_flush(void)
{
	fflush(stdout);
	fflush(stderr);
}

static void vprint(FILE *f, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

void ui_trace(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(stderr, NULL, fmt, ap);
	va_end(ap);
}

static void vprint(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	begin();
	if (f == stderr)
		fflush(stdout); /* keep stdout and stderr in order */
	if (prefix)
		fputs(prefix, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	if (f == stderr)
		fflush(stderr);
	end();
}

void ui_out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(stdout, NULL, fmt, ap);
	va_end(ap);
}

void ui_set_where(const char *w)
{
	free(where);
	where = w ? xstrdup(w) : NULL;
}

void ui_error(const char *fmt, ...)
{
	va_list ap;
	char prefix[600];
	snprintf(prefix, sizeof(prefix), "ferry: %s%s", where ? where : "", where ? ": " : "");
	va_start(ap, fmt);
	vprint(stderr, prefix, fmt, ap);
	va_end(ap);
}

void ui_info(const char *fmt, ...)
{
	if (quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprint(stderr, NULL, fmt, ap);
	va_end(ap);
}

/* Length of a valid UTF-8 sequence at p (1..4) and its code point, or 0
 * if the bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF,
 * truncated). */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2; v = c & 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3; v = c & 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Code points that reorder or hide text, or act as line breaks. */
static bool is_format_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||          /* C1 */
	       cp == 0x061c ||                        /* arabic letter mark */
	       (cp >= 0x200b && cp <= 0x200f) ||      /* zero width, LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202e) ||      /* separators, embeddings */
	       (cp >= 0x2060 && cp <= 0x2069) ||      /* isolates, invisible ops */
	       cp == 0xfeff ||                        /* BOM / ZWNBSP */
	       (cp >= 0xfff9 && cp <= 0xfffb);        /* interlinear annotation */
}

int ui_escape(const char *s, size_t n, bool keep_lf, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	char tmp[16];
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		/* Copy runs of plain printable ASCII in one go. */
		while (run < n && p[run] >= 0x20 && p[run] < 0x7f)
			run++;
		if (run > i) {
			if (buf_append(out, p + i, run - i) < 0)
				return ERR_TOOLONG;
			i = run;
			continue;
		}
		unsigned char c = p[i];
		uint32_t cp;
		size_t len;
		const char *esc = NULL;
		int w = 0;

		if (c == '\n' && keep_lf) {
			esc = "\n";
		} else if (c == '\t') {
			esc = "\t";
		} else if (c == '\r') {
			esc = "\\r";
		} else if (c == '\n') {
			esc = "\\n";
		} else if (c < 0x20 || c == 0x7f) {
			w = snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		} else if ((len = utf8_decode(p + i, n - i, &cp)) == 0) {
			w = snprintf(tmp, sizeof(tmp), "\\x%02x", c);
		} else if (is_format_control(cp)) {
			w = snprintf(tmp, sizeof(tmp), "\\u{%04x}", (unsigned)cp);
			i += len - 1;
		} else {
			if (buf_append(out, p + i, len) < 0)
				return ERR_TOOLONG;
			i += len;
			continue;
		}
		if (esc ? buf_appendstr(out, esc) : buf_append(out, tmp, (size_t)w))
			return ERR_TOOLONG;
		i++;
	}
	return 0;
}

char *ui_escape_str(const char *p, size_t n)
{
	struct buf b;
	buf_init(&b, (size_t)-1 / 8);
	ui_escape(p, n, false, &b);
	char *s = xstrndup(buf_peek(&b), buf_avail(&b));
	buf_clear(&b);
	return s;
}

static void write_escaped(const char *p, size_t n, bool newline)
{
	struct buf b;
	buf_init(&b, (size_t)-1 / 8);
	ui_escape(p, n, true, &b);
	if (newline)
		buf_append(&b, "\n", 1);
	begin();
	fwrite(buf_peek(&b), 1, buf_avail(&b), stdout);
	end();
	buf_clear(&b);
}

void ui_server(const char *p, size_t n)
{
	write_escaped(p, n, false);
}

void ui_server_line(const char *p, size_t n)
{
	write_escaped(p, n, true);
}

int ui_data(const void *p, size_t n)
{
	if (ui_stdout_tty()) {
		ui_server(p, n);
		return 0;
	}
	/* Raw bytes to a pipe or file: bypass stdio so large transfers do
	 * not double-buffer, but keep earlier stdio output in order. */
	fflush(stdout);
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return ERR_LOCAL;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}
