/* log.c - the protocol trace.  Lines go to standard error escaped, so a
 * hostile server cannot drive the terminal through the trace either. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#include "buf.h"
#include "ui.h"

static bool trace_on;

void log_set_trace(bool on)
{
	trace_on = on;
}

bool log_trace_on(void)
{
	return trace_on;
}

void log_trace(const char *who, char dir, const char *line, size_t len)
{
	if (!trace_on)
		return;
	struct buf b;
	buf_init(&b, 64 * 1024);
	/* A trace line is for reading: cap what one line can print. */
	size_t cap = len > 4096 ? 4096 : len;
	ui_escape(line, cap, false, &b);
	ui_trace("[%s] %c %.*s%s", who ? who : "-", dir, (int)buf_avail(&b),
	        buf_peek(&b), cap < len ? " [...]" : "");
	buf_clear(&b);
}

void log_note(const char *who, const char *fmt, ...)
{
	if (!trace_on)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_trace(who, '*', msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}
