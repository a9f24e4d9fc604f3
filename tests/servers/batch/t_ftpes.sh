#!/bin/bash
# Explicit FTPS (ftpes://) against vsftpd with require_ssl_reuse=YES: a data
# connection that does not resume the control connection's TLS session gets
# "522 SSL connection failed: session reuse required", so listing, download
# and upload passing here prove the resumption.  lftp's open -u/-p form
# logs in the same way.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

up_sha=$(make_file ftpes-up.bin 3000000)
run_ferry 0 -d -c "open ftpes://127.0.0.1:$FTP_PORT as anon; ls; get 1mib.bin; get hello.txt;
open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT as user; put ftpes-up.bin; ls; get ftpes-up.bin -o back.bin"
assert_out_has "20mib.bin"
assert_out_has "ftpes-up.bin"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
assert_sha "$FTP_USER_HOME/ftpes-up.bin" "$up_sha"
assert_sha back.bin "$up_sha"
assert_no_part .
# Trace lines: "> " before what ferry sent, "< " before what it received.
grep -Eq '>[[:space:]]*AUTH TLS' "$ERR" || t_fail "the trace shows no AUTH TLS sent"
grep -Eq '>[[:space:]]*PROT P' "$ERR" || t_fail "the trace shows no PROT P sent"
! grep -Eq '<[[:space:]]*522' "$ERR" || t_fail "a data connection was refused (522: no TLS session reuse?)"
! grep -qF "PASS $FTP_PASS" "$ERR" || t_fail "the trace shows the password"

# Several TLS 1.3 uploads in a row: a client that closes the data connection
# with the server's session ticket unread gets a RST, and vsftpd then loses
# the tail of the file (426) about one time in three.
for i in 1 2 3 4 5 6; do make_file "many-$i.bin" 700000 > "many-$i.sha"; done
run_ferry 0 -c "open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT; put many-1.bin; put many-2.bin;
put many-3.bin; put many-4.bin; put many-5.bin; put many-6.bin"
for i in 1 2 3 4 5 6; do assert_sha "$FTP_USER_HOME/many-$i.bin" "$(cat "many-$i.sha")"; done

# lftp's open -u USER,PASSWORD -p PORT HOST: the same user's session (it
# may store), TLS before the login, the password never in the trace; -u
# without a password in batch use asks nobody (status 4).
run_ferry 0 -d -c "open -u $FTP_USER,$FTP_PASS -p $FTP_PORT 127.0.0.1 as lf; put many-1.bin -o lftp-form.bin"
assert_sha "$FTP_USER_HOME/lftp-form.bin" "$(cat many-1.sha)"
[ "$(grep -Ee '>[[:space:]]*(AUTH TLS|USER)' "$ERR" | head -1 | grep -c 'AUTH TLS')" = 1 ] ||
	t_fail "open -u: USER sent before AUTH TLS"
! grep -qF "$FTP_PASS" "$ERR" || t_fail "open -u: the trace shows the password"
run_ferry 4 -c "open -u $FTP_USER -p $FTP_PORT 127.0.0.1"
assert_one_line_error "wants a password"
run_ferry 2 -c "open -p 0 127.0.0.1"
assert_one_line_error "-p: a port"

# The same through localhost (the certificate names localhost too).
run_ferry 0 -c "open ftpes://localhost:$FTP_PORT; get 'with space.txt'"
assert_sha "with space.txt" "$FTP_SAMPLE_SPACE_SHA256"
t_pass
