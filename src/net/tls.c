/* tls.c - GnuTLS client sessions for conn.c (see tls.h).
 *
 * Verification is done after the handshake rather than inside it, so that
 * a failure can name every reason and the SHA-256 fingerprint, and so that
 * a trusted fingerprint can accept a certificate the CAs do not vouch for.
 * A pin goes further: the fingerprint alone decides, whatever the CAs say.
 * No application data is sent before that check.
 *
 * Resumption: FTP servers such as vsftpd (require_ssl_reuse) and proftpd
 * refuse a data connection whose TLS session is not resumed from the
 * control connection's.  Under TLS 1.3 the ticket arrives after the
 * handshake, so the control session's data must be taken when the data
 * connection starts (after login), never cached at handshake time.
 * A small process-wide cache also keeps the last resumable session per
 * host, port and trust settings, so a reconnect can resume too.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "err.h"
#include "tls.h"
#include "tlslib.h"

#define TLS_CACHE_SLOTS 16
#define TLS_SEND_CHUNK 16384

struct tls {
	gnutls_session_t s;
	char *host;             /* name or IP literal verified against */
	char *key;              /* session cache key */
	char *trust;            /* normalised fingerprint trusted besides
	                           the CAs, or NULL */
	char *pin;              /* normalised fingerprint the certificate
	                           must have, or NULL */
	int min;                /* oldest version allowed: 10 (TLS1.0)..13 */
	bool verify;
	bool done;              /* handshake finished and peer accepted */
	bool resumed;
	bool cached;            /* its resumption data is in the cache */
	bool borrowed;          /* resumes another connection's session (an
	                           FTP data connection): never cached */
	struct tls_creds *creds; /* borrowed: kept for the process's life */
	size_t wlast;           /* bytes of a send that returned EAGAIN */
	int fd;
	/* Read-ahead (tls_readahead): socket bytes taken in one recv and
	 * handed to GnuTLS's reads of a record header and body. */
	char *ra;
	size_t ra_size, ra_off, ra_len;
	char fpr[3 * 32];       /* "AB:CD:..." */
	char desc[64];
};

/* Credentials are costly to build (the system store has hundreds of
 * certificates, about 3 MB in memory), and sessions only borrow them, so
 * they are kept for the life of the process, one per CA file version.
 * The system store is added only when a certificate's issuer is not
 * found otherwise: a user of tls:ca-file, a pin or a trusted fingerprint
 * never pays for it. */
struct tls_creds {
	char *ca_file;          /* NULL: system trust only */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	gnutls_certificate_credentials_t cred;
	bool system_tried;      /* the system store was added (or failed) */
	struct tls_creds *next;
};

struct tls_cached {
	char *key;
	gnutls_datum_t data;
	unsigned long stamp;
};

static bool tls_inited;
static struct tls_creds *tls_creds_list;
static struct tls_cached tls_cache[TLS_CACHE_SLOTS];
static unsigned long tls_cache_clock;
/* The priorities for each minimum version (index min - 10), built once:
 * per session they cost about 8 KiB, fifty sessions 0.4 MB. */
static gnutls_priority_t tls_prio[4];

int tls_global_init(void)
{
	if (tls_inited)
		return 0;
	if (!tlslib_load() || gnutls.global_init() < 0)
		return ERR_TLS;
	tls_inited = true;
	return 0;
}

void tls_global_deinit(void)
{
	size_t i;

	if (!tls_inited)
		return;
	while (tls_creds_list) {
		struct tls_creds *c = tls_creds_list;

		tls_creds_list = c->next;
		gnutls.certificate_free_credentials(c->cred);
		free(c->ca_file);
		free(c);
	}
	for (i = 0; i < sizeof(tls_prio) / sizeof(tls_prio[0]); i++) {
		if (tls_prio[i])
			gnutls.priority_deinit(tls_prio[i]);
		tls_prio[i] = NULL;
	}
	for (i = 0; i < TLS_CACHE_SLOTS; i++) {
		free(tls_cache[i].key);
		gnutls.free(tls_cache[i].data.data);
		memset(&tls_cache[i], 0, sizeof(tls_cache[i]));
	}
	gnutls.global_deinit();
	tls_inited = false;
}

static int tls_creds_get(const char *ca_file, struct tls_creds **out,
                         char *err, size_t errlen)
{
	struct tls_creds *c;
	struct stat st;
	int r;

	memset(&st, 0, sizeof(st));
	if (ca_file && stat(ca_file, &st) < 0) {
		snprintf(err, errlen, "cannot read CA file %s: %s", ca_file, strerror(errno));
		return ERR_TLS;
	}
	for (c = tls_creds_list; c; c = c->next) {
		if (!ca_file != !c->ca_file)
			continue;
		if (ca_file && (strcmp(ca_file, c->ca_file) || st.st_dev != c->dev ||
		                st.st_ino != c->ino || st.st_size != c->size ||
		                st.st_mtim.tv_sec != c->mtime.tv_sec ||
		                st.st_mtim.tv_nsec != c->mtime.tv_nsec))
			continue;
		*out = c;
		return 0;
	}

	c = xcalloc(1, sizeof(*c));
	if (gnutls.certificate_allocate_credentials(&c->cred) < 0) {
		free(c);
		snprintf(err, errlen, "cannot allocate TLS credentials");
		return ERR_TLS;
	}
	if (ca_file) {
		r = gnutls.certificate_set_x509_trust_file(c->cred, ca_file, GNUTLS_X509_FMT_PEM);
		if (r <= 0) {
			snprintf(err, errlen, "cannot load CA file %s: %s", ca_file,
			         r < 0 ? gnutls.strerror(r) : "no certificate in it");
			gnutls.certificate_free_credentials(c->cred);
			free(c);
			return ERR_TLS;
		}
		c->ca_file = xstrdup(ca_file);
		c->dev = st.st_dev;
		c->ino = st.st_ino;
		c->size = st.st_size;
		c->mtime = st.st_mtim;
	}
	c->next = tls_creds_list;
	tls_creds_list = c;
	*out = c;
	return 0;
}

/* Add the system store to c, once: true when that may change a
 * verification's outcome.  A machine without a system store can still use
 * a CA file or a pinned fingerprint, so a failure here is not fatal. */
static bool tls_creds_add_system(struct tls_creds *c)
{
	if (c->system_tried)
		return false;
	c->system_tried = true;
	return gnutls.certificate_set_x509_system_trust(c->cred) > 0;
}

static struct tls_cached *tls_cache_find(const char *key)
{
	size_t i;

	for (i = 0; i < TLS_CACHE_SLOTS; i++)
		if (tls_cache[i].key && !strcmp(tls_cache[i].key, key))
			return &tls_cache[i];
	return NULL;
}

/* Take over d (allocated by GnuTLS). */
static void tls_cache_put(const char *key, gnutls_datum_t *d)
{
	struct tls_cached *e = tls_cache_find(key);
	size_t i;

	if (!e) {
		e = &tls_cache[0];
		for (i = 0; i < TLS_CACHE_SLOTS; i++) {
			if (!tls_cache[i].key) {
				e = &tls_cache[i];
				break;
			}
			if (tls_cache[i].stamp < e->stamp)
				e = &tls_cache[i];
		}
		free(e->key);
		e->key = xstrdup(key);
	}
	gnutls.free(e->data.data);
	e->data = *d;
	e->stamp = ++tls_cache_clock;
	d->data = NULL;
	d->size = 0;
}

/* Resumption data of an established session, without waiting: under
 * TLS 1.3 gnutls.session_get_data2() would poll the socket for up to a
 * round trip when no ticket has arrived yet, which is a blocking read
 * this loop cannot afford (and it could swallow application data). */
static int tls_session_data(struct tls *t, gnutls_datum_t *d)
{
	d->data = NULL;
	d->size = 0;
	if (!t || !t->done)
		return ERR_AGAIN;
	if (gnutls.protocol_get_version(t->s) == GNUTLS_TLS1_3 &&
	    !(gnutls.session_get_flags(t->s) & GNUTLS_SFLAGS_SESSION_TICKET))
		return ERR_AGAIN;
	if (gnutls.session_get_data2(t->s, d) < 0 || !d->size) {
		gnutls.free(d->data);
		d->data = NULL;
		d->size = 0;
		return ERR_AGAIN;
	}
	return 0;
}

static bool tls_ip_literal(const char *host, unsigned char *raw, size_t *rawlen)
{
	char tmp[64];
	size_t n = strlen(host);

	/* Accept "[::1]" too, in case a caller kept the URL brackets. */
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(tmp)) {
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = '\0';
		host = tmp;
	}
	if (inet_pton(AF_INET, host, raw) == 1) {
		*rawlen = 4;
		return true;
	}
	if (inet_pton(AF_INET6, host, raw) == 1) {
		*rawlen = 16;
		return true;
	}
	return false;
}

/* Hex digits only, lower case; NULL if nothing is left or a character
 * other than a hex digit, ':' or blank is present. */
static char *tls_fpr_normalise(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *w = out;

	for (; *s; s++) {
		if (*s == ':' || isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s)) {
			free(out);
			return NULL;
		}
		*w++ = (char)tolower((unsigned char)*s);
	}
	*w = '\0';
	if (w == out) {
		free(out);
		return NULL;
	}
	return out;
}

/* True if the peer's certificate has the normalised fingerprint want. */
static bool tls_fpr_matches(const struct tls *t, const char *want)
{
	char hex[sizeof(t->fpr)];
	const char *p;
	char *w = hex;

	if (!want || !t->fpr[0])
		return false;
	for (p = t->fpr; *p; p++)
		if (*p != ':')
			*w++ = (char)tolower((unsigned char)*p);
	*w = '\0';
	return !strcmp(hex, want);
}

/* A normalised fingerprint in the form messages use ("AB:CD:..."). */
static void tls_fpr_format(const char *hex, char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (; hex[0] && hex[1] && used + 3 < n; hex += 2)
		used += (size_t)snprintf(out + used, n - used, "%s%c%c", used ? ":" : "",
		                         toupper((unsigned char)hex[0]),
		                         toupper((unsigned char)hex[1]));
}

static void tls_take_fingerprint(struct tls *t)
{
	const gnutls_datum_t *certs;
	unsigned int n = 0, i;
	unsigned char md[32];
	size_t mdlen = sizeof(md);
	char *w = t->fpr;

	t->fpr[0] = '\0';
	certs = gnutls.certificate_get_peers(t->s, &n);
	if (!certs || !n)
		return;
	if (gnutls.fingerprint(GNUTLS_DIG_SHA256, &certs[0], md, &mdlen) < 0 || mdlen != 32)
		return;
	for (i = 0; i < mdlen; i++)
		w += sprintf(w, i ? ":%02X" : "%02X", md[i]);
}

/* True if the leaf certificate signed itself (a self-signed server
 * certificate deserves a clearer word than "unknown issuer"). */
static bool tls_leaf_self_signed(struct tls *t)
{
	const gnutls_datum_t *certs;
	unsigned int n = 0;
	gnutls_x509_crt_t crt;
	bool self = false;

	certs = gnutls.certificate_get_peers(t->s, &n);
	if (!certs || !n || gnutls.x509_crt_init(&crt) < 0)
		return false;
	if (gnutls.x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) >= 0)
		self = gnutls.x509_crt_check_issuer(crt, crt) != 0;
	gnutls.x509_crt_deinit(crt);
	return self;
}

static void tls_reasons(struct tls *t, unsigned status, char *out, size_t n)
{
	static const struct {
		unsigned bit;
		const char *text;
	} why[] = {
		{ GNUTLS_CERT_UNEXPECTED_OWNER, "certificate is for another host name" },
		{ GNUTLS_CERT_EXPIRED, "certificate expired" },
		{ GNUTLS_CERT_NOT_ACTIVATED, "certificate not yet valid" },
		{ GNUTLS_CERT_REVOKED, "certificate revoked" },
		{ GNUTLS_CERT_SIGNER_NOT_CA, "signer is not a CA" },
		{ GNUTLS_CERT_INSECURE_ALGORITHM, "insecure signature algorithm" },
		{ GNUTLS_CERT_SIGNATURE_FAILURE, "bad signature" },
		{ GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, "signer constraints violated" },
		{ GNUTLS_CERT_PURPOSE_MISMATCH, "certificate not meant for TLS servers" },
		{ GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, "unknown critical extension" },
		{ GNUTLS_CERT_MISMATCH, "certificate mismatch" },
	};
	size_t i, used = 0;
	unsigned known = GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND;

	out[0] = '\0';
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		used += (size_t)snprintf(out, n, "%s", tls_leaf_self_signed(t) ?
		        "self-signed certificate (untrusted)" :
		        "signer not found (untrusted CA)");
	for (i = 0; i < sizeof(why) / sizeof(why[0]) && used < n; i++) {
		known |= why[i].bit;
		if (status & why[i].bit)
			used += (size_t)snprintf(out + used, n - used, "%s%s",
			                         used ? ", " : "", why[i].text);
	}
	if ((status & ~known) && used < n) {
		gnutls_datum_t txt = { NULL, 0 };

		if (gnutls.certificate_verification_status_print(status & ~known,
		    GNUTLS_CRT_X509, &txt, 0) >= 0 && txt.data)
			snprintf(out + used, n - used, "%s%s", used ? ", " : "", (char *)txt.data);
		gnutls.free(txt.data);
	}
	if (!out[0])
		snprintf(out, n, "not trusted");
}

static int tls_verify(struct tls *t, char *err, size_t errlen)
{
	gnutls_typed_vdata_st vd[2];
	unsigned char raw[16];
	size_t rawlen = 0;
	unsigned status = 0;
	char why[256];
	int r, nvd = 0;

	if (!t->fpr[0]) {
		snprintf(err, errlen, "%s sent no certificate", t->host);
		return ERR_TLS;
	}
	if (t->pin) {
		char want[sizeof(t->fpr)];

		if (tls_fpr_matches(t, t->pin))
			return 0;
		tls_fpr_format(t->pin, want, sizeof(want));
		snprintf(err, errlen, "certificate of %s does not match tls:pin %s; "
		         "SHA-256 fingerprint %s", t->host[0] ? t->host : "server", want, t->fpr);
		return ERR_TLS;
	}
	memset(vd, 0, sizeof(vd));
	/* Without a purpose GnuTLS accepts any extended key usage, so a
	 * certificate issued for TLS clients only would pass for a server.
	 * One without the extension stays valid for any purpose (RFC 5280). */
	vd[nvd].type = GNUTLS_DT_KEY_PURPOSE_OID;
	vd[nvd].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	nvd++;
	if (t->host[0]) {
		if (tls_ip_literal(t->host, raw, &rawlen)) {
			/* IP literals must match an iPAddress SAN, never a
			 * DNS name that happens to look like an address. */
			vd[nvd].type = GNUTLS_DT_IP_ADDRESS;
			vd[nvd].data = raw;
			vd[nvd].size = (unsigned)rawlen;
		} else {
			vd[nvd].type = GNUTLS_DT_DNS_HOSTNAME;
			vd[nvd].data = (unsigned char *)t->host;
		}
		nvd++;
	}
	r = gnutls.certificate_verify_peers(t->s, vd, (unsigned)nvd, &status);
	if (r >= 0 && (status & GNUTLS_CERT_SIGNER_NOT_FOUND) &&
	    tls_creds_add_system(t->creds))
		r = gnutls.certificate_verify_peers(t->s, vd, (unsigned)nvd, &status);
	if (r < 0) {
		snprintf(why, sizeof(why), "%s", gnutls.strerror(r));
		status = GNUTLS_CERT_INVALID;
	} else if (status) {
		tls_reasons(t, status, why, sizeof(why));
	}
	if (!status || tls_fpr_matches(t, t->trust))
		return 0;
	snprintf(err, errlen, "certificate verification failed for %s: %s; SHA-256 fingerprint %s",
	         t->host[0] ? t->host : "server", why, t->fpr);
	return ERR_TLS;
}

/* Sessions are only shared between connections that judge the peer
 * alike, and that would accept the version a cached session has. */
static char *tls_cache_key(const struct tls *t, const struct tls_params *p, int port)
{
	return xasprintf("%s:%d|%s|%s|%s|%d", p->host ? p->host : "", port,
	                 p->ca_file ? p->ca_file : "", t->trust ? t->trust : "",
	                 t->pin ? t->pin : "", t->min);
}

/* Normalise the fingerprint parameter in into *out (NULL when absent). */
static int tls_take_fpr(const char *what, const char *in, char **out,
                        char *err, size_t errlen)
{
	*out = NULL;
	if (!in || !in[0])
		return 0;
	*out = tls_fpr_normalise(in);
	if (!*out || strlen(*out) != 64) {
		free(*out);
		*out = NULL;
		snprintf(err, errlen, "malformed %s \"%s\" (a SHA-256 is 64 hex digits)",
		         what, in);
		return ERR_TLS;
	}
	return 0;
}

/* What to add to the default priorities: never SSL 3, and no TLS
 * version older than min.  NULL if min is not a known version. */
static const char *tls_min_priority(int min)
{
	switch (min) {
	case 10: return "-VERS-SSL3.0";
	case 11: return "-VERS-SSL3.0:-VERS-TLS1.0";
	case 12: return "-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1";
	case 13: return "-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1:-VERS-TLS1.2";
	}
	return NULL;
}

static void tls_free_session(struct tls *t)
{
	if (!t)
		return;
	if (t->s)
		gnutls.deinit(t->s);
	free(t->host);
	free(t->key);
	free(t->trust);
	free(t->pin);
	free(t->ra);
	free(t);
}

int tls_new(struct tls **out, int fd, const struct tls_params *p, int port,
            struct tls *from, char *err, size_t errlen)
{
	struct tls_creds *creds;
	gnutls_datum_t d = { NULL, 0 };
	struct tls_cached *e;
	struct tls *t = NULL;
	const char *prio;
	unsigned char raw[16];
	size_t rawlen;
	int rc, r;

	*out = NULL;
	if (tls_global_init() < 0) {
		snprintf(err, errlen, "cannot initialise GnuTLS: %s", tlslib_error());
		rc = ERR_TLS;
		goto out;
	}
	rc = tls_creds_get(p->ca_file, &creds, err, errlen);
	if (rc < 0)
		goto out;

	t = xcalloc(1, sizeof(*t));
	t->host = xstrdup(p->host ? p->host : "");
	t->creds = creds;
	t->verify = p->verify;
	t->min = p->min_version ? p->min_version : 12;
	prio = tls_min_priority(t->min);
	if (!prio) {
		snprintf(err, errlen, "unknown minimum TLS version %d", t->min);
		rc = ERR_TLS;
		goto out;
	}
	rc = tls_take_fpr("fingerprint", p->fingerprint, &t->trust, err, errlen);
	if (rc == 0)
		rc = tls_take_fpr("pin", p->pin, &t->pin, err, errlen);
	if (rc < 0)
		goto out;
	/* A data connection files its sessions under its control
	 * connection's key: the port differs but the server is the same. */
	t->key = from ? xstrdup(from->key) : tls_cache_key(t, p, port);
	t->borrowed = from != NULL;

	r = gnutls.init(&t->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL);
	if (r < 0) {
		t->s = NULL;
		goto gnutls_fail;
	}
	/* The system policy (@SYSTEM) or GnuTLS's defaults, which still
	 * allow TLS 1.0 and 1.1, less the versions older than min. */
	gnutls_priority_t *pc = &tls_prio[t->min - 10];
	if (!*pc && (r = gnutls.priority_init2(pc, prio, NULL,
	                                       GNUTLS_PRIORITY_INIT_DEF_APPEND)) < 0) {
		*pc = NULL;
		goto gnutls_fail;
	}
	if ((r = gnutls.priority_set(t->s, *pc)) < 0)
		goto gnutls_fail;
	if ((r = gnutls.credentials_set(t->s, GNUTLS_CRD_CERTIFICATE, creds->cred)) < 0)
		goto gnutls_fail;
	if (t->host[0] && !tls_ip_literal(t->host, raw, &rawlen)) {
		r = gnutls.server_name_set(t->s, GNUTLS_NAME_DNS, t->host, strlen(t->host));
		if (r < 0)
			goto gnutls_fail;
	}
	/* Our own timers bound the handshake. */
	gnutls.handshake_set_timeout(t->s, 0);
	gnutls.transport_set_int2(t->s, fd, fd);
	t->fd = fd;

	/* Fresh data from the control session each time (a TLS 1.3 ticket
	 * may have arrived since the last data connection); the cache is
	 * the fallback, and what a reconnect uses. */
	if (tls_session_data(from, &d) < 0 && (e = tls_cache_find(t->key)) != NULL) {
		d.data = gnutls.malloc(e->data.size);
		if (d.data) {
			memcpy(d.data, e->data.data, e->data.size);
			d.size = e->data.size;
		}
	}
	if (d.data) {
		/* Unusable data only means a full handshake. */
		(void)gnutls.session_set_data(t->s, d.data, d.size);
		gnutls.free(d.data);
	}
	rc = 0;
	goto out;

gnutls_fail:
	snprintf(err, errlen, "TLS setup failed: %s", gnutls.strerror(r));
	rc = ERR_TLS;
out:
	if (rc < 0)
		tls_free_session(t);
	else
		*out = t;
	return rc;
}

/* Only sessions whose peer we accepted go into the cache; a later
 * resumption is verified again anyway.  Done as soon as the data is there
 * (under TLS 1.3, once the server's ticket came), so another connection to
 * the same server opened meanwhile (a session's extra connection) resumes
 * too, and again at the end with the newest ticket.  A data connection's
 * session is not: a server may take it back only on the control
 * connection it belongs to (vsftpd does), and it would replace the
 * control session's, which any connection can resume. */
static void tls_cache_session(struct tls *t)
{
	gnutls_datum_t d;

	if (t->done && t->verify && !t->borrowed && tls_session_data(t, &d) == 0) {
		tls_cache_put(t->key, &d);
		t->cached = true;
	}
}

void tls_free(struct tls *t)
{
	if (!t)
		return;
	tls_cache_session(t);
	tls_free_session(t);
}

int tls_handshake(struct tls *t, char *err, size_t errlen)
{
	int r;

	r = gnutls.handshake(t->s);
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
		return ERR_AGAIN;
	if (r < 0 && !gnutls.error_is_fatal(r))
		return ERR_AGAIN; /* a warning alert: go on */
	if (r < 0) {
		if (r == GNUTLS_E_UNSUPPORTED_VERSION_PACKET ||
		    (r == GNUTLS_E_FATAL_ALERT_RECEIVED &&
		     gnutls.alert_get(t->s) == GNUTLS_A_PROTOCOL_VERSION))
			/* We offer every version from min to the newest, so
			 * no common version means the server's are older. */
			snprintf(err, errlen, "TLS handshake failed: the server offers only "
			         "TLS versions older than TLS%d.%d (tls:min-version)",
			         t->min / 10, t->min % 10);
		else if (r == GNUTLS_E_FATAL_ALERT_RECEIVED)
			snprintf(err, errlen, "TLS handshake failed: server sent alert \"%s\"",
			         gnutls.alert_get_name(gnutls.alert_get(t->s)));
		else if (r == GNUTLS_E_PREMATURE_TERMINATION)
			snprintf(err, errlen, "TLS handshake failed: connection closed by server");
		else if (r == GNUTLS_E_PULL_ERROR || r == GNUTLS_E_PUSH_ERROR)
			snprintf(err, errlen, "TLS handshake failed: %s", strerror(errno));
		else
			snprintf(err, errlen, "TLS handshake failed: %s", gnutls.strerror(r));
		return ERR_TLS;
	}
	t->resumed = gnutls.session_is_resumed(t->s) != 0;
	tls_take_fingerprint(t);
	snprintf(t->desc, sizeof(t->desc), "%s %s",
	         gnutls.protocol_get_name(gnutls.protocol_get_version(t->s)),
	         gnutls.cipher_get_name(gnutls.cipher_get(t->s)));
	if (t->verify) {
		r = tls_verify(t, err, errlen);
		if (r < 0)
			return r;
	}
	t->done = true;
	return 0;
}

bool tls_want_write(const struct tls *t)
{
	return gnutls.record_get_direction(t->s) == 1;
}

ssize_t tls_recv(struct tls *t, void *p, size_t n, char *err, size_t errlen)
{
	ssize_t r;
	int spins;

	/* Non-fatal conditions (a warning alert, a renegotiation request we
	 * ignore) are skipped, a bounded number of times. */
	for (spins = 0; spins < 16; spins++) {
		r = gnutls.record_recv(t->s, p, n);
		if (r >= 0) {
			if (!t->cached && !t->borrowed)
				tls_cache_session(t);
			return r;
		}
		switch (r) {
		case GNUTLS_E_AGAIN:
		case GNUTLS_E_INTERRUPTED:
			return ERR_AGAIN;
		case GNUTLS_E_PREMATURE_TERMINATION:
			snprintf(err, errlen, "connection cut without TLS close_notify");
			return ERR_EOF;
		case GNUTLS_E_PULL_ERROR:
			snprintf(err, errlen, "receive failed: %s", strerror(errno));
			return ERR_NET;
		case GNUTLS_E_REHANDSHAKE:
		case GNUTLS_E_WARNING_ALERT_RECEIVED:
			continue;
		default:
			if (!gnutls.error_is_fatal((int)r))
				continue;
			if (r == GNUTLS_E_FATAL_ALERT_RECEIVED)
				snprintf(err, errlen, "TLS alert from server: %s",
				         gnutls.alert_get_name(gnutls.alert_get(t->s)));
			else
				snprintf(err, errlen, "TLS receive failed: %s", gnutls.strerror((int)r));
			return ERR_TLS;
		}
	}
	return ERR_AGAIN;
}

ssize_t tls_send(struct tls *t, const void *p, size_t n, char *err, size_t errlen)
{
	size_t len;
	ssize_t r;

	/* GnuTLS wants a send that returned EAGAIN repeated with the same
	 * length; the caller keeps the bytes in place until they are sent. */
	len = t->wlast ? t->wlast : (n < TLS_SEND_CHUNK ? n : TLS_SEND_CHUNK);
	r = gnutls.record_send(t->s, p, len);
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
		t->wlast = len;
		return ERR_AGAIN;
	}
	t->wlast = 0;
	if (r >= 0)
		return r;
	if (r == GNUTLS_E_PUSH_ERROR) {
		snprintf(err, errlen, "send failed: %s", strerror(errno));
		return ERR_NET;
	}
	snprintf(err, errlen, "TLS send failed: %s", gnutls.strerror((int)r));
	return ERR_TLS;
}

size_t tls_pending(const struct tls *t)
{
	if (!t || !t->s)
		return 0;
	return gnutls.record_check_pending(t->s) + (t->ra_len - t->ra_off);
}

/* GnuTLS reads a record as two recv calls, its header and its body: two
 * system calls per 16 KiB.  With read-ahead, one recv takes what the
 * socket holds (up to ra_size) and GnuTLS's reads are served from it. */
static ssize_t tls_ra_pull(gnutls_transport_ptr_t p, void *data, size_t len)
{
	struct tls *t = p;
	size_t k;

	if (t->ra_off == t->ra_len) {
		ssize_t n;

		do
			n = recv(t->fd, t->ra, t->ra_size, 0);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return n; /* errno tells GnuTLS why */
		t->ra_off = 0;
		t->ra_len = (size_t)n;
	}
	k = t->ra_len - t->ra_off < len ? t->ra_len - t->ra_off : len;
	memcpy(data, t->ra + t->ra_off, k);
	t->ra_off += k;
	return (ssize_t)k;
}

/* Unused with GNUTLS_NONBLOCK, but GnuTLS asks for one beside a custom
 * pull function, and the default one would take t for a descriptor. */
static int tls_ra_pull_timeout(gnutls_transport_ptr_t p, unsigned int ms)
{
	struct tls *t = p;
	struct pollfd pfd = { .fd = t->fd, .events = POLLIN };

	if (t->ra_off < t->ra_len)
		return 1;
	return poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
}

void tls_readahead(struct tls *t, size_t size)
{
	if (t->ra || !size)
		return;
	t->ra = malloc(size);
	if (!t->ra)
		return; /* it only saves system calls */
	t->ra_size = size;
	gnutls.transport_set_pull_function(t->s, tls_ra_pull);
	gnutls.transport_set_pull_timeout_function(t->s, tls_ra_pull_timeout);
	gnutls.transport_set_ptr2(t->s, t, (gnutls_transport_ptr_t)(intptr_t)t->fd);
}

int tls_bye(struct tls *t, char *err, size_t errlen)
{
	int r = gnutls.bye(t->s, GNUTLS_SHUT_WR);

	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
		return ERR_AGAIN;
	if (r < 0) {
		snprintf(err, errlen, "TLS close_notify failed: %s", gnutls.strerror(r));
		return r == GNUTLS_E_PUSH_ERROR ? ERR_NET : ERR_TLS;
	}
	return 0;
}

bool tls_resumed(const struct tls *t)
{
	return t && t->resumed;
}

const char *tls_fingerprint(const struct tls *t)
{
	return t && t->fpr[0] ? t->fpr : NULL;
}

const char *tls_desc(const struct tls *t)
{
	return t && t->desc[0] ? t->desc : NULL;
}

int tls_version(const struct tls *t)
{
	if (!t || !t->done)
		return 0;
	switch (gnutls.protocol_get_version(t->s)) {
	case GNUTLS_TLS1_0: return 10;
	case GNUTLS_TLS1_1: return 11;
	case GNUTLS_TLS1_2: return 12;
	case GNUTLS_TLS1_3: return 13;
	default: return 0;
	}
}

/* A DN of crt (the subject, or the issuer) into out; "" when unknown. */
static void tls_dn(gnutls_x509_crt_t crt, bool issuer, char *out, size_t n)
{
	gnutls_datum_t d = { NULL, 0 };
	int r = issuer ? gnutls.x509_crt_get_issuer_dn3(crt, &d, 0) :
	                 gnutls.x509_crt_get_dn3(crt, &d, 0);
	out[0] = '\0';
	if (r >= 0 && d.data)
		snprintf(out, n, "%.*s", (int)d.size, (const char *)d.data);
	gnutls.free(d.data);
}

int tls_info(const struct tls *t, struct conn_tls_info *out)
{
	const gnutls_datum_t *certs;
	unsigned int n = 0;
	gnutls_x509_crt_t crt;

	memset(out, 0, sizeof(*out));
	out->not_before = out->not_after = -1;
	if (!t || !t->done)
		return ERR_FAIL;
	int v = tls_version(t);
	snprintf(out->version, sizeof(out->version), "TLS%d.%d", (v / 10) % 10, v % 10);
	const char *kx = gnutls.kx_get_name(gnutls.kx_get(t->s));
	const char *cipher = gnutls.cipher_get_name(gnutls.cipher_get(t->s));
	const char *mac = gnutls.mac_get_name(gnutls.mac_get(t->s));
	const char *sig = gnutls.sign_get_name(gnutls.sign_algorithm_get(t->s));
	const char *group = gnutls.group_get_name(gnutls.group_get(t->s));
	bool aead = !mac || strcmp(mac, "AEAD") == 0;
	snprintf(out->suite, sizeof(out->suite), "%s%s%s%s%s%s%s%s%s%s",
	         cipher ? cipher : "?", aead ? "" : " ", aead ? "" : mac,
	         kx ? ", key exchange " : "", kx ? kx : "",
	         group ? (kx ? " " : ", key exchange ") : "", group ? group : "",
	         sig ? ", signature " : "", sig ? sig : "", "");
	snprintf(out->fingerprint, sizeof(out->fingerprint), "%s", t->fpr);
	out->resumed = t->resumed;
	certs = gnutls.certificate_get_peers(t->s, &n);
	if (!certs || !n || gnutls.x509_crt_init(&crt) < 0)
		return 0;
	if (gnutls.x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) >= 0) {
		tls_dn(crt, false, out->subject, sizeof(out->subject));
		tls_dn(crt, true, out->issuer, sizeof(out->issuer));
		out->not_before = (int64_t)gnutls.x509_crt_get_activation_time(crt);
		out->not_after = (int64_t)gnutls.x509_crt_get_expiration_time(crt);
	}
	gnutls.x509_crt_deinit(crt);
	return 0;
}
