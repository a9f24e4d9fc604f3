/* ftp_tls.c - the `tls` command: what protects the control connection
 * the command runs on (tlsshow.h: version, cipher suite, the server's
 * certificate) and the data channel. */
#include "cmd.h"
#include "err.h"
#include "ftp_int.h"
#include "session.h"
#include "tlsshow.h"

int ftp_do_tls(struct cmdctx *ctx)
{
	struct session *s = ctx->sess;
	struct ftp *f = s->pdata;
	int r = tlsshow_print(ctx, s->conn);

	if (r == ERR_FAIL)
		return cmd_error(ctx, ERR_FAIL, "no TLS: the control connection to %s is "
		                 "in clear (ftpes:// or set ftp:tls require)", s->host);
	if (!r)
		r = cmd_printf(ctx, "%-12s %s", "data", f->prot_p ?
		               "protected (PROT P), sessions resumed from this one" :
		               "in clear (PROT C)");
	return r;
}
