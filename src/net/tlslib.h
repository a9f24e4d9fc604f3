/* tlslib.h - GnuTLS, loaded the first time TLS is used; private to tls.c.
 *
 * Linking GnuTLS maps it and ten libraries behind it (nettle, gmp,
 * p11-kit, libunistring...) and runs their start-up code in every run:
 * about 2.7 MiB of resident memory before main(), for a plain FTP or NNTP
 * session that never does TLS.  So ferry does not link it: tls.c calls
 * GnuTLS through the table below, which tlslib_load() fills with dlopen()
 * and dlsym() on the first TLS connection.  The headers are GnuTLS's own,
 * so every call is type-checked against them as if linked.
 *
 * A machine without the library gets a clear error on the first TLS
 * connection and never a clear-text fallback: conn.c fails the
 * connection as it does for any TLS setup error.
 */
#ifndef FERRY_TLSLIB_H
#define FERRY_TLSLIB_H

#include <stdbool.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* Every function tls.c calls, without the "gnutls_" prefix. */
#define TLSLIB_FUNCTIONS(X) \
	X(alert_get) X(alert_get_name) X(bye) \
	X(certificate_allocate_credentials) X(certificate_free_credentials) \
	X(certificate_get_peers) X(certificate_set_x509_system_trust) \
	X(certificate_set_x509_trust_file) \
	X(certificate_verification_status_print) X(certificate_verify_peers) \
	X(check_version) X(cipher_get) X(cipher_get_name) X(credentials_set) \
	X(deinit) X(error_is_fatal) X(fingerprint) X(global_deinit) \
	X(global_init) X(group_get) X(group_get_name) X(handshake) \
	X(handshake_set_timeout) X(init) X(kx_get) X(kx_get_name) X(mac_get) \
	X(mac_get_name) X(priority_deinit) X(priority_init2) X(priority_set) \
	X(protocol_get_name) X(protocol_get_version) X(record_check_pending) \
	X(record_get_direction) X(record_recv) X(record_send) \
	X(server_name_set) X(session_get_data2) X(session_get_flags) \
	X(session_is_resumed) X(session_set_data) X(sign_algorithm_get) \
	X(sign_get_name) X(strerror) X(transport_set_int2) \
	X(transport_set_ptr2) X(transport_set_pull_function) \
	X(transport_set_pull_timeout_function) \
	X(x509_crt_check_issuer) X(x509_crt_deinit) \
	X(x509_crt_get_activation_time) X(x509_crt_get_dn3) \
	X(x509_crt_get_expiration_time) X(x509_crt_get_issuer_dn3) \
	X(x509_crt_import) X(x509_crt_init)

struct tlslib {
#define TLSLIB_MEMBER(f) __typeof__(gnutls_##f) *f;
	TLSLIB_FUNCTIONS(TLSLIB_MEMBER)
#undef TLSLIB_MEMBER
	/* GnuTLS's allocator: variables in the library, not functions. */
	gnutls_alloc_function malloc;
	gnutls_free_function free;
};

/* The table, valid once tlslib_load() returned true. */
extern struct tlslib gnutls;

/* Loads GnuTLS once (later calls return the first outcome): false with
 * tlslib_error() saying why (library missing, a symbol missing, or a
 * version older than the one ferry was built against). */
bool tlslib_load(void);
const char *tlslib_error(void);

#endif
