#!/bin/bash
# ferry against pure-ftpd 1.0.50 (PUREFTPD_PORT): anonymous listing and
# downloads over plain FTP and explicit FTPS (1 MiB, 20 MiB, sha256), an
# upload as ferrytest over FTPS, a tree both ways (put -r with MFMT, mirror
# -R, get -r; mkdir -p, rm -r), cd/pwd, a missing file (exit 6), a wrong
# password (exit 4), and no .part left behind.  pure-ftpd differs from vsftpd:
# it logs anonymous in at USER (230, no PASS), its multi-line replies are
# long (220, 150, 226), it does not require TLS session reuse on data
# connections, and it has no implicit FTPS.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require PUREFTPD_PORT
H=127.0.0.1:$PUREFTPD_PORT

# pget over explicit FTPS: four segments on four connections, each data
# connection resuming its own control connection's TLS session; ABOR ends
# the first three.
run_ferry 0 -d -c "open ftpes://$H; pget -n 4 20mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_no_part .
[ "$(grep -Ec '>[[:space:]]*REST' "$ERR")" = 3 ] || t_fail "pget on pure-ftpd: not 3 REST"
trace_sent ABOR || t_fail "pget on pure-ftpd: no ABOR"
rm -f 20mib.bin

# Plain FTP, anonymous: list, 1 MiB and 20 MiB.
run_ferry 0 -d -c "set ftp:tls off; open ftp://$H; ls; get 1mib.bin; get 20mib.bin"
assert_out_has "20mib.bin"
assert_out_has "with space.txt"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
! trace_sent 'AUTH TLS' || t_fail "ftp:tls off, yet ferry sent AUTH TLS"
trace_sent '(EPSV|PASV)' || t_fail "the trace (-d) shows no PASV/EPSV sent"
rm -f 1mib.bin 20mib.bin

# Explicit FTPS: anonymous list and downloads, then as ferrytest an upload,
# a listing that shows it and the file back.
up_sha=$(make_file pure-up.bin 3000000)
run_ferry 0 -d -c "open ftpes://$H as anon; ls; get 1mib.bin; get 20mib.bin;
open ftpes://$FTP_USER:$FTP_PASS@$H as user; put pure-up.bin; ls; get pure-up.bin -o back.bin"
assert_out_has "with space.txt"
assert_out_has "pure-up.bin"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_sha "$PUREFTPD_USER_HOME/pure-up.bin" "$up_sha"
assert_sha back.bin "$up_sha"
trace_sent 'AUTH TLS' || t_fail "the trace shows no AUTH TLS sent"
trace_sent 'PROT P' || t_fail "the trace shows no PROT P sent"
! grep -qF "PASS $FTP_PASS" "$ERR" || t_fail "the trace shows the password"
assert_no_part .

# Several uploads in a row over TLS 1.3 (the data connection must be closed
# cleanly each time, or the server loses the tail of a file).
for i in 1 2 3 4; do make_file "many-$i.bin" 700000 > "many-$i.sha"; done
run_ferry 0 -c "open ftpes://$FTP_USER:$FTP_PASS@$H; put many-1.bin; put many-2.bin; put many-3.bin; put many-4.bin"
for i in 1 2 3 4; do assert_sha "$PUREFTPD_USER_HOME/many-$i.bin" "$(cat "many-$i.sha")"; done

# A tree both ways (pure-ftpd offers MLSD and MFMT): put -r, the times
# set with MFMT, a second mirror -R puts nothing (times to the second from
# MLSD), get -r brings it back; mkdir -p and rm -r seen on disk.
mkdir -p tree/a/b && make_file tree/a/b/x.bin 5000 > /dev/null && echo 1 > tree/top.txt
touch -d '2021-02-03 04:05:06 UTC' tree/top.txt
run_ferry 0 -c "open ftpes://$FTP_USER:$FTP_PASS@$H; put -r tree; mirror -R tree; get -r tree -o tree.back; mkdir -p m/n/o; rm -r tree"
diff -r tree tree.back > diff.txt || t_fail "put -r / get -r through pure-ftpd differ: $(cat diff.txt)"
assert_out_has "mirror: 0 files to put (0 bytes), 2 up to date"
[ "$(stat -c %Y tree.back/top.txt)" = "$(stat -c %Y tree/top.txt)" ] ||
	t_fail "the time set with MFMT did not come back"
[ -d "$PUREFTPD_USER_HOME/m/n/o" ] && [ ! -e "$PUREFTPD_USER_HOME/tree" ] ||
	t_fail "mkdir -p or rm -r on pure-ftpd: $(find "$PUREFTPD_USER_HOME" -maxdepth 2)"

# cd and pwd, anonymous and as the user (chrooted: its home is "/").
run_ferry 0 -c "open ftp://$H; cd sub; pwd; ls;
open ftp://$FTP_USER:$FTP_PASS@$H; cd sub; pwd; ls"
[ "$(grep -c '^/sub$' "$LAST.out.lf")" = 2 ] || t_fail "pwd after cd sub is not /sub (twice)"
assert_out_has "nested.txt"
assert_out_has "inside.txt"

# A missing file: exit 6, nothing left behind (plain and FTPS).
mkdir -p "$W/missing" && cd "$W/missing"
run_ferry 6 -c "set ftp:tls off; open ftp://$H; get no-such-file.bin"
assert_err_nonempty
run_ferry 6 -c "open ftpes://$H; get no-such-file.bin"
[ -z "$(ls -A .)" ] || t_fail "a failed get left files: $(ls -A .)"
cd "$W/dl"

# A wrong password: exit 4.  (Once: pure-ftpd sleeps up to 3 s before it
# answers a wrong password, PASSWD_FAILURE_DELAY.)
run_ferry 4 -c "open ftpes://$FTP_USER:wrong-password@$H; ls"
assert_err_nonempty
assert_no_part "$W"
t_pass
