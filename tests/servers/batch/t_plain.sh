#!/bin/bash
# Plain FTP and NNTP with TLS switched off (ftp:tls off, nntp:tls off):
# download, upload, article; and the trace shows no AUTH TLS / STARTTLS.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

up_sha=$(make_file plain-up.bin 100000)
run_ferry 0 -d -c "set ftp:tls off; set nntp:tls off;
open ftp://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT; put plain-up.bin; get hello.txt;
open ftp://127.0.0.1:$FTP_PORT; get 1mib.bin;
open nntp://127.0.0.1:$NNTP_PORT; group ferry.test; article 1"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha "$FTP_USER_HOME/plain-up.bin" "$up_sha"
assert_body ferry.test 1
# Trace lines sent by ferry carry "> " before the command (FEAT and
# CAPABILITIES replies do list AUTH TLS and STARTTLS).
sent() { grep -Eq ">[[:space:]]*$1" "$ERR"; }
! sent 'AUTH TLS' || t_fail "ftp:tls off, yet ferry sent AUTH TLS"
! sent STARTTLS || t_fail "nntp:tls off, yet ferry sent STARTTLS"
sent '(EPSV|PASV)' || t_fail "the trace (-d) shows no PASV/EPSV sent"
grep -q '\*\*\*\*' "$ERR" || t_fail "the trace does not mask the password with ****"
! grep -qF "$FTP_PASS" "$ERR" || t_fail "the trace shows the password"

# Other login lines typed by hand carry passwords too: SITE PSWD (old and
# new, as site or through quote) and ACCT are masked in the trace whatever
# the server answers (vsftpd knows neither).
run_ferry any -k -d -c "set ftp:tls off; open ftp://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT;
site PSWD Old-pw-1 New-pw-2; quote site pswd Old-pw-3 New-pw-4; quote ACCT Acct-pw-5"
for pw in Old-pw-1 New-pw-2 Old-pw-3 New-pw-4 Acct-pw-5; do
	! grep -qF "$pw" "$LAST.all" || t_fail "the trace or output shows $pw"
done
grep -Eq '> SITE PSWD \*\*\*\*$' "$ERR" || t_fail "the trace lacks 'SITE PSWD ****'"
grep -Eq '> ACCT \*\*\*\*$' "$ERR" || t_fail "the trace lacks 'ACCT ****'"
t_pass
