#!/bin/bash
# ferry against proftpd 1.3.8 (PROFTPD_PORT, PROFTPD_IMPLICIT_PORT):
# anonymous listing and downloads over plain FTP, explicit and implicit FTPS
# (1 MiB, 20 MiB, sha256), uploads as ferrytest over FTPS, cd/pwd, a missing
# file (exit 6), a wrong password (exit 4), and no .part left behind.
# mod_tls refuses a data connection that does not resume the control
# connection's TLS session ("425 Unable to build data connection: Operation
# not permitted"), like vsftpd's require_ssl_reuse=YES: the FTPS transfers
# here prove ferry's resumption against a second server.  proftpd pauses
# ~0.4 s after each session before accepting the next, so the runs here
# keep to a few sessions each.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require PROFTPD_PORT PROFTPD_IMPLICIT_PORT
H=127.0.0.1:$PROFTPD_PORT

# pget over explicit FTPS: four segments on four connections, each data
# connection resuming its own control connection's TLS session; ABOR ends
# the first three.
run_ferry 0 -d -c "open ftpes://$H; pget -n 4 20mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_no_part .
[ "$(grep -Ec '>[[:space:]]*REST' "$ERR")" = 3 ] || t_fail "pget on proftpd: not 3 REST"
trace_sent ABOR || t_fail "pget on proftpd: no ABOR"
rm -f 20mib.bin

# Plain FTP, anonymous: list, 1 MiB and 20 MiB.
run_ferry 0 -d -c "set ftp:tls off; open ftp://$H; ls; get 1mib.bin; get 20mib.bin"
assert_out_has "20mib.bin"
assert_out_has "with space.txt"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
! trace_sent 'AUTH TLS' || t_fail "ftp:tls off, yet ferry sent AUTH TLS"
rm -f 1mib.bin 20mib.bin

# Explicit FTPS (session reuse required): anonymous list and downloads, then
# as ferrytest an upload, a listing that shows it and the file back.
up_sha=$(make_file pro-up.bin 3000000)
run_ferry 0 -d -c "open ftpes://$H as anon; ls; get 1mib.bin; get 20mib.bin;
open ftpes://$FTP_USER:$FTP_PASS@$H as user; put pro-up.bin; ls; get pro-up.bin -o back.bin"
assert_out_has "with space.txt"
assert_out_has "pro-up.bin"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_sha "$PROFTPD_USER_HOME/pro-up.bin" "$up_sha"
assert_sha back.bin "$up_sha"
trace_sent 'AUTH TLS' || t_fail "the trace shows no AUTH TLS sent"
trace_sent 'PROT P' || t_fail "the trace shows no PROT P sent"
! grep -Eq '<[[:space:]]*425' "$ERR" ||
	t_fail "a data connection was refused (425: no TLS session reuse?)"
! grep -qF "PASS $FTP_PASS" "$ERR" || t_fail "the trace shows the password"
assert_no_part .
rm -f 1mib.bin 20mib.bin

# Several uploads in a row over TLS 1.3, each on a resumed session.
for i in 1 2 3 4; do make_file "many-$i.bin" 700000 > "many-$i.sha"; done
run_ferry 0 -c "open ftpes://$FTP_USER:$FTP_PASS@$H; put many-1.bin; put many-2.bin; put many-3.bin; put many-4.bin"
for i in 1 2 3 4; do assert_sha "$PROFTPD_USER_HOME/many-$i.bin" "$(cat "many-$i.sha")"; done

# Implicit FTPS (the <VirtualHost> with UseImplicitSSL): list, download,
# upload.
imp_sha=$(make_file pro-implicit.bin 500000)
run_ferry 0 -c "open ftps://127.0.0.1:$PROFTPD_IMPLICIT_PORT; ls; get 20mib.bin;
open ftps://$FTP_USER:$FTP_PASS@127.0.0.1:$PROFTPD_IMPLICIT_PORT; put pro-implicit.bin"
assert_out_has "hello.txt"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_sha "$PROFTPD_USER_HOME/pro-implicit.bin" "$imp_sha"

# cd and pwd, anonymous and as the user (chrooted: its home is "/").
run_ferry 0 -c "open ftp://$H; cd sub; pwd; ls;
open ftp://$FTP_USER:$FTP_PASS@$H; cd sub; pwd; ls"
[ "$(grep -c '^/sub$' "$LAST.out.lf")" = 2 ] || t_fail "pwd after cd sub is not /sub (twice)"
assert_out_has "nested.txt"
assert_out_has "inside.txt"

# A wrong password: exit 4 (plain and FTPS).
run_ferry 4 -c "set ftp:tls off; open ftp://$FTP_USER:wrong-password@$H; ls"
assert_err_nonempty
run_ferry 4 -c "open ftpes://$FTP_USER:wrong-password@$H; ls"

# A missing file: exit 6, nothing left behind (plain and FTPS).  proftpd
# answers RETR of a missing file with 550 and resets the data connection
# ferry has already opened (EPSV, connect, RETR): the 550 is the outcome,
# not the reset.
mkdir -p "$W/missing" && cd "$W/missing"
run_ferry 6 -c "set ftp:tls off; open ftp://$H; get no-such-file.bin"
assert_err_nonempty
run_ferry 6 -c "open ftpes://$H; get no-such-file.bin"
[ -z "$(ls -A .)" ] || t_fail "a failed get left files: $(ls -A .)"
# proftpd answers LIST of a missing path with 150, then 450: not found (6).
run_ferry 6 -c "set ftp:tls off; open ftp://$H; ls no-such-dir"
assert_no_part "$W"
t_pass
