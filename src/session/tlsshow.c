/* tlsshow.c - the shared body of the `tls` commands (tlsshow.h). */
#include "tlsshow.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "conn.h"
#include "err.h"
#include "ui.h"

/* "2026-12-05 22:47:20 UTC", or "unknown". */
static void utc_text(int64_t t, char *out, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (t < 0 || !gmtime_r(&tt, &tm) || !strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, n, "unknown");
}

/* A certificate's text (the server chose it): escaped for any output. */
static int print_field(struct cmdctx *ctx, const char *label, const char *v)
{
	char *e = ui_escape_str(v, strlen(v));
	int r = cmd_printf(ctx, "%-12s %s", label, *e ? e : "(none)");
	free(e);
	return r;
}

int tlsshow_print(struct cmdctx *ctx, struct conn *c)
{
	struct conn_tls_info ti;
	char from[40], to[40];

	if (!c || conn_tls_info(c, &ti) < 0)
		return ERR_FAIL;
	utc_text(ti.not_before, from, sizeof(from));
	utc_text(ti.not_after, to, sizeof(to));
	time_t now = time(NULL);
	const char *state = ti.not_after >= 0 && now > ti.not_after ? " (expired)" :
	                    ti.not_before >= 0 && now < ti.not_before ? " (not yet valid)" : "";
	int r = cmd_printf(ctx, "%-12s %s%s", "protocol", ti.version,
	                   ti.resumed ? " (session resumed)" : "");
	if (!r)
		r = cmd_printf(ctx, "%-12s %s", "cipher", ti.suite);
	if (!r)
		r = print_field(ctx, "subject", ti.subject);
	if (!r)
		r = print_field(ctx, "issuer", ti.issuer);
	if (!r)
		r = cmd_printf(ctx, "%-12s %s to %s%s", "valid", from, to, state);
	if (!r)
		r = cmd_printf(ctx, "%-12s %s", "SHA-256", ti.fingerprint[0] ?
		               ti.fingerprint : "unknown");
	return r;
}
