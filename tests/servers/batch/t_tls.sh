#!/bin/bash
# The tls command against vsftpd: explicit and implicit FTPS show the TLS
# version, the suite, the suite's certificate (tests/servers/mkcerts.sh:
# subject CN=localhost, O=ferry test suite, issued by CN=ferry test CA of
# the same organisation), its validity and SHA-256 fingerprint; a plain
# session has no TLS to show (status 1).
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

check_tls_out() {
	grep -Eq '^protocol +TLS1\.[23]' "$LAST.out.lf" || t_fail "tls shows no TLS 1.2/1.3 version: $(cat "$LAST.out.lf")"
	grep -Eq '^cipher +[A-Z0-9-]+' "$LAST.out.lf" || t_fail "tls shows no cipher"
	grep -Eq '^subject +.*CN=localhost' "$LAST.out.lf" || t_fail "tls shows no subject CN=localhost"
	grep -Eq '^subject +.*O=ferry test suite' "$LAST.out.lf" || t_fail "tls shows no subject organisation"
	grep -Eq '^issuer +.*CN=ferry test CA' "$LAST.out.lf" || t_fail "tls shows no issuer CN=ferry test CA"
	grep -Eq '^valid +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC to [0-9]{4}-' "$LAST.out.lf" ||
		t_fail "tls shows no validity dates"
	grep -Eq '^data +protected \(PROT P\)' "$LAST.out.lf" || t_fail "tls does not say the data channel is protected"
	assert_fingerprint "$SERVER_CERT_SHA256"
}

run_ferry 0 -c "open ftpes://127.0.0.1:$FTP_PORT; tls"
check_tls_out

run_ferry 0 -c "open ftps://127.0.0.1:$FTPS_IMPLICIT_PORT; tls"
check_tls_out

# Output redirected like any command's.
run_ferry 0 -c "open ftpes://127.0.0.1:$FTP_PORT; tls > tls.txt"
grep -Eq '^issuer +.*CN=ferry test CA' tls.txt || t_fail "tls > FILE does not hold the issuer"

run_ferry 1 -c "set ftp:tls off; open ftp://127.0.0.1:$FTP_PORT; tls"
assert_one_line_error "no TLS"

# GnuTLS is loaded by the first TLS connection, not at start
# (src/net/tlslib.h): the dynamic loader's log shows it for an FTPES
# session only.  Readline (src/shell/rllib.h) and zlib (src/net/zio.c)
# are not loaded by a script that edits no line and compresses nothing.
# (Under valgrind the log would be valgrind's own; a sanitizer build
# links GnuTLS, see src/CMakeLists.txt.)
if [ "${T_VALGRIND:-0}" != 1 ] && [ "${T_SANITIZED:-0}" != 1 ]; then
	LD_DEBUG=files run_ferry 0 -c "set ftp:tls off; open ftp://127.0.0.1:$FTP_PORT; ls"
	grep -q 'file=libc[.]so' "$LAST.err" || t_fail "LD_DEBUG=files logged nothing: $(head -c 300 "$LAST.err")"
	! grep -q 'libgnutls' "$LAST.err" || t_fail "a plain session loaded GnuTLS"
	! grep -Eq 'file=lib(readline|z)[.]so' "$LAST.err" ||
		t_fail "a script loaded Readline or zlib: $(grep -Em2 'file=lib(readline|z)[.]so' "$LAST.err")"
	LD_DEBUG=files run_ferry 0 -c "open ftpes://127.0.0.1:$FTP_PORT; ls"
	grep -q 'file=libgnutls[.]so.*dynamically loaded' "$LAST.err" ||
		t_fail "an FTPES session did not dlopen GnuTLS: $(grep -m3 gnutls "$LAST.err")"
fi
t_pass
