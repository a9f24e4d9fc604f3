#!/bin/bash
# selfcheck.sh STATE - the test servers work, checked with curl and python
# (no ferry): plain FTP, explicit and implicit FTPS, uploads (vsftpd, and
# pure-ftpd and proftpd when they run), NNTP, STARTTLS, AUTHINFO, NNTPS.  Runs as the ctest test servers.selfcheck.
set -eu
STATE=$1
[ -f "$STATE/env.sh" ] || { echo "no $STATE/env.sh: servers not started" >&2; exit 1; }
. "$STATE/env.sh"
SRV_DIR=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; exit 1; }
sha() { sha256sum < "$1" | cut -d' ' -f1; }
C=(curl -sS --max-time 30)
F=ftp://127.0.0.1:$FTP_PORT

"${C[@]}" "$F/" > "$tmp/list" || fail "plain FTP LIST"
grep -q '20mib.bin' "$tmp/list" && grep -q 'with space.txt' "$tmp/list" || fail "plain LIST lacks samples"
ok "plain FTP: anonymous LIST"
"${C[@]}" --ssl-reqd --cacert "$CA_FILE" -o "$tmp/20m" "$F/20mib.bin" || fail "explicit FTPS download"
[ "$(sha "$tmp/20m")" = "$FTP_SAMPLE_20M_SHA256" ] || fail "explicit FTPS: 20mib.bin checksum"
ok "explicit FTPS (curl reuses the TLS session): 20mib.bin sha256 matches"
"${C[@]}" --cacert "$CA_FILE" -o "$tmp/1m" "ftps://127.0.0.1:$FTPS_IMPLICIT_PORT/1mib.bin" || fail "implicit FTPS download"
[ "$(sha "$tmp/1m")" = "$FTP_SAMPLE_1M_SHA256" ] || fail "implicit FTPS: 1mib.bin checksum"
ok "implicit FTPS: 1mib.bin sha256 matches"
"${C[@]}" --cacert "$CA_FILE" -o "$tmp/sp" "ftp://localhost:$FTP_PORT/with%20space.txt" --ssl-reqd ||
	fail "explicit FTPS via localhost"
[ "$(sha "$tmp/sp")" = "$FTP_SAMPLE_SPACE_SHA256" ] || fail "'with space.txt' checksum"
ok "explicit FTPS via localhost: 'with space.txt' matches"
head -c 200000 /dev/urandom > "$tmp/up"
name=selfcheck-$$.bin
# --tls-max 1.2: curl 7.88 closes an upload's data connection with vsftpd's
# TLS 1.3 session ticket unread, the kernel sends RST, and vsftpd loses the
# tail of the file ("426 Failure reading network stream") in about a third
# of runs.  A client must drain the data connection before closing it.
"${C[@]}" --ssl-reqd --tls-max 1.2 --cacert "$CA_FILE" -u "$FTP_USER:$FTP_PASS" -T "$tmp/up" "$F/$name" ||
	fail "FTPS upload as $FTP_USER"
[ "$(sha "$FTP_USER_HOME/$name")" = "$(sha "$tmp/up")" ] || fail "uploaded file differs on disk"
rm -f "$FTP_USER_HOME/$name"
ok "FTPS upload as $FTP_USER lands in its home"
set +e
"${C[@]}" -u "$FTP_USER:wrong" "$F/" >/dev/null 2>&1; rc=$?
"${C[@]}" -T "$tmp/up" "$F/anon-$$.bin" >/dev/null 2>&1; rc2=$?
"${C[@]}" --ssl-reqd "$F/" >/dev/null 2>&1; rc3=$?
set -e
[ $rc = 67 ] || fail "wrong password: curl exit $rc, want 67 (login denied)"
ok "wrong password refused"
[ $rc2 = 25 ] || fail "anonymous upload: curl exit $rc2, want 25 (refused)"
ok "anonymous upload refused"
[ $rc3 = 60 ] || fail "unknown CA: curl exit $rc3, want 60 (certificate problem)"
ok "certificate refused without the suite's CA"
speed=$("${C[@]}" --max-time 2 -o /dev/null -w '%{speed_download}' \
	"ftp://127.0.0.1:$FTP_SLOW_PORT/20mib.bin" 2>/dev/null || true)
speed=${speed%%.*}
[ -n "$speed" ] && [ "$speed" -gt 0 ] && [ "$speed" -lt $((FTP_SLOW_RATE * 2)) ] ||
	fail "slow instance: $speed B/s, want about $FTP_SLOW_RATE"
ok "slow instance: $speed B/s (anon_max_rate=$FTP_SLOW_RATE)"
# pure-ftpd and proftpd (when in FERRY_SERVERS): the samples over plain FTP
# and explicit FTPS, an FTPS upload as the user into that server's home,
# anonymous uploads refused, and (proftpd) a wrong password.  Few sessions:
# proftpd pauses ~0.4 s after each, pure-ftpd sleeps up to 3 s before it
# answers a wrong password (real.pureftpd checks that one with ferry).
other_ftpd() { # NAME PORT USER_HOME [wrongpass]
	local n=$1 u=ftp://127.0.0.1:$2 home=$3 rc
	"${C[@]}" "$u/" > "$tmp/list" || fail "$n: plain FTP LIST"
	grep -q '20mib.bin' "$tmp/list" && grep -q 'with space.txt' "$tmp/list" || fail "$n: LIST lacks samples"
	"${C[@]}" --ssl-reqd --cacert "$CA_FILE" -o "$tmp/20m" "$u/20mib.bin" || fail "$n: explicit FTPS download"
	[ "$(sha "$tmp/20m")" = "$FTP_SAMPLE_20M_SHA256" ] || fail "$n: 20mib.bin checksum over FTPS"
	ok "$n: anonymous LIST (plain), 20mib.bin (explicit FTPS) matches"
	"${C[@]}" --ssl-reqd --tls-max 1.2 --cacert "$CA_FILE" -u "$FTP_USER:$FTP_PASS" -T "$tmp/up" "$u/$name" ||
		fail "$n: FTPS upload as $FTP_USER"
	[ "$(sha "$home/$name")" = "$(sha "$tmp/up")" ] || fail "$n: uploaded file differs on disk"
	rm -f "$home/$name"
	ok "$n: FTPS upload as $FTP_USER lands in $home"
	set +e
	"${C[@]}" -T "$tmp/up" "$u/anon-$$.bin" >/dev/null 2>&1; rc=$?
	set -e
	[ $rc = 25 ] || fail "$n: anonymous upload: curl exit $rc, want 25 (refused)"
	ok "$n: anonymous upload refused"
	[ "${4:-}" = wrongpass ] || return 0
	set +e
	"${C[@]}" -u "$FTP_USER:wrong" "$u/" >/dev/null 2>&1; rc=$?
	set -e
	[ $rc = 67 ] || fail "$n: wrong password: curl exit $rc, want 67 (login denied)"
	ok "$n: wrong password refused"
}
if [ -n "${PUREFTPD_PORT:-}" ]; then
	other_ftpd pure-ftpd "$PUREFTPD_PORT" "$PUREFTPD_USER_HOME"
fi
if [ -n "${PROFTPD_PORT:-}" ]; then
	other_ftpd proftpd "$PROFTPD_PORT" "$PROFTPD_USER_HOME" wrongpass
	"${C[@]}" --cacert "$CA_FILE" -o "$tmp/1m" "ftps://127.0.0.1:$PROFTPD_IMPLICIT_PORT/1mib.bin" ||
		fail "proftpd: implicit FTPS download"
	[ "$(sha "$tmp/1m")" = "$FTP_SAMPLE_1M_SHA256" ] || fail "proftpd: implicit FTPS: 1mib.bin checksum"
	ok "proftpd: implicit FTPS: 1mib.bin sha256 matches"
fi
python3 "$SRV_DIR/selfcheck.py" "$STATE/env.sh"
echo "selfcheck: all good"
