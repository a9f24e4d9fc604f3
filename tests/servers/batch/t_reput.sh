#!/bin/bash
# reput against vsftpd: the server holds the first 300,000 bytes of a file
# (an upload cut midway); reput asks SIZE and sends the rest with APPE from
# there, over explicit FTPS; the server's file is then whole.  A
# reput of a file the server holds whole sends nothing; put -c is reput.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

# resumed CMD NAME SIZE KEPT: the server holds the first KEPT bytes of a
# SIZE-byte NAME; CMD NAME completes it with APPE, never STOR.
resumed() {
	local sha
	sha=$(make_file "$2" "$3")
	head -c "$4" "$2" > "$FTP_USER_HOME/$2"
	chown --reference="$FTP_USER_HOME" "$FTP_USER_HOME/$2" 2>/dev/null || true
	run_ferry 0 -d -c "open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT; $1 $2"
	assert_sha "$FTP_USER_HOME/$2" "$sha"
	grep -Eq ">[[:space:]]*APPE $2\$" "$ERR" || t_fail "$1 $2: the trace shows no APPE $2"
	! grep -Eq '>[[:space:]]*STOR ' "$ERR" || t_fail "$1 $2 sent STOR"
}

resumed reput reput.bin 1000000 300000

# Already whole: nothing sent.
sha=$(sha256sum reput.bin | cut -d' ' -f1)
run_ferry 0 -d -c "open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT; reput reput.bin"
! grep -Eq '>[[:space:]]*(APPE|STOR) ' "$ERR" || t_fail "reput of a whole file sent data"
assert_sha "$FTP_USER_HOME/reput.bin" "$sha"

# put -c is reput (lftp's spelling).
resumed "put -c" putc.bin 700000 200000
rm -f "$FTP_USER_HOME/putc.bin"
t_pass
