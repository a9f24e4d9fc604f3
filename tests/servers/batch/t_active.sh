#!/bin/bash
# Active mode (set ftp:passive off) against the three servers: EPRT (or
# PORT), a listening socket that takes the server's connection, plain and
# over TLS (the data connection resumes the control connection's session:
# vsftpd requires it).  Listing, download and upload, every checksum checked;
# the trace shows what was sent and the connection accepted, and never a
# passive command.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT PUREFTPD_PORT PROFTPD_PORT

up_sha=$(make_file up.bin 2000000)
# active NAME SCHEME HOSTPORT: list and get anonymously, put and get back
# as the test user, actively.
active() {
	local name=$1 scheme=$2 hp=$3
	rm -rf "$W/$name" && mkdir -p "$W/$name" && cp up.bin "$W/$name/$name-up.bin"
	cd "$W/$name"
	run_ferry 0 -d -c "set ftp:passive off; open $scheme://$hp as anon; ls; get 1mib.bin;
open $scheme://$FTP_USER:$FTP_PASS@$hp as user; put $name-up.bin; get $name-up.bin -o back.bin"
	cd "$W/dl"
	assert_out_has "1mib.bin"
	assert_sha "$W/$name/1mib.bin" "$FTP_SAMPLE_1M_SHA256"
	assert_sha "$W/$name/back.bin" "$up_sha"
	trace_sent '(EPRT|PORT) ' || t_fail "$name: the trace shows no EPRT or PORT"
	! trace_sent '(EPSV|PASV)' || t_fail "$name: a passive command was sent in active mode"
	[ "$(grep -c 'data connection from 127.0.0.1 accepted' "$ERR")" -ge 4 ] ||
		t_fail "$name: fewer than four data connections accepted (trace)"
	! grep -q 'refused' "$ERR" || t_fail "$name: a data connection was refused"
}
active vsftpd-tls ftpes "127.0.0.1:$FTP_PORT"
grep -Eq '\* data TLS: .*, session resumed' "$ERR" || t_fail "vsftpd: the active data connections did not resume TLS"
active pureftpd-tls ftpes "127.0.0.1:$PUREFTPD_PORT"
active proftpd-tls ftpes "127.0.0.1:$PROFTPD_PORT"
# Plain FTP needs ftp:tls off for a password; anonymous here.
rm -rf "$W/plain" && mkdir -p "$W/plain" && cd "$W/plain"
run_ferry 0 -d -c "set ftp:tls off; set ftp:passive off; open ftp://127.0.0.1:$FTP_PORT; get 1mib.bin"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
trace_sent 'EPRT ' || t_fail "plain vsftpd: no EPRT"
t_pass
