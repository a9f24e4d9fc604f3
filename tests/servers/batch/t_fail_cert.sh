#!/bin/bash
# A certificate that does not verify (no CA file given: the suite's CA is not
# among the system's) stops the connection with exit status 5 and a message
# holding its SHA-256 fingerprint; no silent downgrade to plain text when the
# server offers TLS.  tls:fingerprint trusts it for the next connection.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
rm -f "$RC"

run_ferry 5 --no-rc -c "open ftpes://127.0.0.1:$FTP_PORT; ls"
assert_fingerprint "$SERVER_CERT_SHA256"
run_ferry 5 --no-rc -c "open ftps://127.0.0.1:$FTPS_IMPLICIT_PORT; ls"
assert_fingerprint "$SERVER_CERT_SHA256"
run_ferry 5 --no-rc -c "open nntps://127.0.0.1:$NNTPS_PORT; group ferry.test"
assert_fingerprint "$SERVER_CERT_SHA256"
# TLS offered and not verifiable: fail, never fall back to clear text.
run_ferry 5 --no-rc -c "open nntp://127.0.0.1:$NNTP_PORT; group ferry.test"
assert_fingerprint "$SERVER_CERT_SHA256"
run_ferry 5 --no-rc -c "open ftp://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT; ls"
assert_fingerprint "$SERVER_CERT_SHA256"
# Batch mode never trusts a certificate on its own.
[ -z "$(ls -A "$XDG_DATA_HOME/ferry" 2>/dev/null)" ] ||
	t_fail "batch mode stored trust: $(ls -A "$XDG_DATA_HOME/ferry")"

# The fingerprint, in the colon form ferry and openssl print, trusts the
# certificate for the next connection.
fp=$(echo "$SERVER_CERT_SHA256" | tr a-f A-F | sed 's/../&:/g; s/:$//')
run_ferry 0 --no-rc -c "set tls:fingerprint $fp; open nntps://127.0.0.1:$NNTPS_PORT; group ferry.test; body 1"
assert_body ferry.test 1
t_pass
