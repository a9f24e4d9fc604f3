/* err.c - error codes and allocation that never fails. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int err_exit_status(int err)
{
	switch (err) {
	case ERR_OK: case ERR_PIPE: return 0;
	case ERR_USAGE: return 2;
	case ERR_NET: case ERR_TIMEOUT: case ERR_EOF: return 3;
	case ERR_AUTH: return 4;
	case ERR_TLS: return 5;
	case ERR_NOTFOUND: return 6;
	case ERR_LOCAL: return 7;
	case ERR_PROTO: case ERR_TOOLONG: return 8;
	case ERR_INTR: return 130;
	default: return 1;
	}
}

const char *err_str(int err)
{
	switch (err) {
	case ERR_OK: return "success";
	case ERR_FAIL: return "command failed";
	case ERR_USAGE: return "usage error";
	case ERR_NET: return "network failure";
	case ERR_AUTH: return "authentication refused";
	case ERR_TLS: return "TLS failure";
	case ERR_NOTFOUND: return "not found or not permitted";
	case ERR_LOCAL: return "local file error";
	case ERR_PROTO: return "protocol violation";
	case ERR_TIMEOUT: return "timed out";
	case ERR_EOF: return "connection closed by the server";
	case ERR_AGAIN: return "try again";
	case ERR_TOOLONG: return "line or reply too long";
	case ERR_PIPE: return "the reader of the output went away";
	case ERR_INTR: return "interrupted";
	default: return "unknown error";
	}
}

static void *oom(void)
{
	/* Only out-of-memory is fatal (house rule 7). */
	fputs("ferry: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	return p ? p : oom();
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom();
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return oom();
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
