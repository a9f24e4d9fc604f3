#!/bin/bash
# IPv6: the suite's vsftpd on [::1] (FTP6_PORT; skipped with a note when
# the machine has no ::1).  ftp://[::1]:PORT in clear (anonymous) and
# ftpes:// (the suite's certificate names ::1, so it verifies as an IP
# address, without SNI): ls, get, and as the test user put and get back, in
# passive mode (EPSV) and active mode (EPRT |2|::1|...|), every checksum
# checked; the trace shows the IPv6 data commands and no IPv4 fallback.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
if [ -z "${FTP6_PORT:-}" ]; then
	echo "SKIP: $T: no vsftpd on ::1 (the machine has no IPv6 loopback)"
	exit 77
fi
H="[::1]:$FTP6_PORT"
up_sha=$(make_file v6-up.bin 1500000)
trap 'rm -f "$FTP_USER_HOME"/v6-up*.bin' EXIT

# Clear, anonymous: passive then active.
run_ferry 0 -d -c "set ftp:tls off; open ftp://$H; ls; get 1mib.bin -o p.bin; active; get 1mib.bin -o a.bin"
assert_out_has "20mib.bin"
assert_sha p.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha a.bin "$FTP_SAMPLE_1M_SHA256"
trace_sent 'EPSV$' || t_fail "clear: no EPSV"
trace_sent 'EPRT \|2\|::1\|[0-9]+\|$' || t_fail "clear: no EPRT with ::1"
! trace_sent '(PASV|PORT) ' || t_fail "clear: fell back to PASV or PORT"
grep -q 'data connection from ::1 accepted' "$ERR" || t_fail "clear: the active data connection was not from ::1"

# Explicit TLS, as the test user: put and get back, passive and active.
rm -f p.bin a.bin
run_ferry 0 -d -c "open ftpes://$FTP_USER:$FTP_PASS@$H; put v6-up.bin; ls; get v6-up.bin -o p.bin;
active; put v6-up.bin -o v6-up2.bin; get v6-up2.bin -o a.bin"
assert_out_has "v6-up.bin"
assert_sha "$FTP_USER_HOME/v6-up.bin" "$up_sha"
assert_sha "$FTP_USER_HOME/v6-up2.bin" "$up_sha"
assert_sha p.bin "$up_sha"
assert_sha a.bin "$up_sha"
trace_sent 'AUTH TLS' || t_fail "ftpes: no AUTH TLS"
trace_sent 'PROT P' || t_fail "ftpes: no PROT P"
[ "$(grep -c 'data connection from ::1 accepted' "$ERR")" = 2 ] || t_fail "ftpes: expected two active data connections from ::1"
grep -Eq '\* data TLS: .*, session resumed' "$ERR" || t_fail "ftpes: data connections did not resume TLS (vsftpd requires it)"
t_pass
