#!/bin/bash
# reput against vsftpd: the server holds the first 300,000 bytes of a file
# (an upload cut midway); reput asks SIZE and sends the rest with APPE from
# there, over explicit FTPS; the server's file is then whole.  A
# reput of a file the server holds whole sends nothing.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

sha=$(make_file reput.bin 1000000)
head -c 300000 reput.bin > "$FTP_USER_HOME/reput.bin"
chown --reference="$FTP_USER_HOME" "$FTP_USER_HOME/reput.bin" 2>/dev/null || true
run_ferry 0 -d -c "open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT; reput reput.bin"
assert_sha "$FTP_USER_HOME/reput.bin" "$sha"
grep -Eq '>[[:space:]]*APPE reput\.bin' "$ERR" || t_fail "the trace shows no APPE reput.bin"
! grep -Eq '>[[:space:]]*STOR ' "$ERR" || t_fail "reput sent STOR"

# Already whole: nothing sent.
run_ferry 0 -d -c "open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT; reput reput.bin"
! grep -Eq '>[[:space:]]*(APPE|STOR) ' "$ERR" || t_fail "reput of a whole file sent data"
assert_sha "$FTP_USER_HOME/reput.bin" "$sha"
t_pass
