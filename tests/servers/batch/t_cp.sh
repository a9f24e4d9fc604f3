#!/bin/bash
# cp between sessions against the real servers: vsftpd to proftpd streamed
# (plain: 20 MiB and two files into a directory), pure-ftpd to vsftpd
# streamed over TLS (PROT P on both), a tree with -r (diff -r), two
# connections of one server (@b twice), FXP from vsftpd to proftpd (the
# PORT carries the source's PASV address), FXP under PROT P from pure-ftpd
# to proftpd (SSCN ON/OFF on proftpd) and its failure from vsftpd (session
# reuse required) with nothing written, a missing source (exit 6, nothing
# on the target), the local forms (get, put), bad operands (exit 2), and
# `kill` of a cp job from the rate-limited vsftpd, streamed and FXP (ABOR
# to both servers at once): one line says what was left, and neither the
# name nor NAME.part stays on the target.  Checksums throughout; no .part
# left anywhere.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT PUREFTPD_PORT PROFTPD_PORT

V=127.0.0.1:$FTP_PORT
P=127.0.0.1:$PROFTPD_PORT
PU=127.0.0.1:$PUREFTPD_PORT
UP=$FTP_USER:$FTP_PASS
PH=$PROFTPD_USER_HOME/cp
VH=$FTP_USER_HOME/cp
QH=$PUREFTPD_USER_HOME/cp
trap 'rm -rf "$PH" "$VH" "$QH"' EXIT
rm -rf "$PH" "$VH" "$QH"
mkdir -p "$PH/into" "$VH" "$QH/tree/a/b" "$QH/tree/empty"
chown -R "$FTP_USER:" "$PH" "$VH" "$QH"
no_part() {
	[ -z "$(find "$PH" "$VH" "$QH" -name '*.part')" ] ||
		t_fail ".part left on a server: $(find "$PH" "$VH" "$QH" -name '*.part')"
}

# vsftpd (anonymous, plain) to proftpd (plain): a file under a new name,
# two files into a directory; the same server twice (@b to @b).
run_ferry 0 -d -c "set ftp:tls off; open ftp://$V as a; open ftp://$UP@$P/cp as b
cp @a:$FTP_SAMPLE_20M @b:big.bin
cp @a:$FTP_SAMPLE_SMALL @a:$FTP_SAMPLE_1M @b:into
cp @a:$FTP_SAMPLE_1M @b:one.bin
cp @b:one.bin @b:again.bin"
assert_sha "$PH/big.bin" "$FTP_SAMPLE_20M_SHA256"
assert_sha "$PH/into/$FTP_SAMPLE_SMALL" "$FTP_SAMPLE_SMALL_SHA256"
assert_sha "$PH/into/$FTP_SAMPLE_1M" "$FTP_SAMPLE_1M_SHA256"
assert_sha "$PH/again.bin" "$FTP_SAMPLE_1M_SHA256"
trace_sent 'STOR big.bin.part' || t_fail "the copy was not written as NAME.part first"
trace_sent 'RNTO big.bin' || t_fail "the copy was not renamed to its name"
no_part

# pure-ftpd to vsftpd over TLS (PROT P on both data connections), and a
# tree with -r: made again on the target, empty directory included; and
# back, a tree of dot files, which vsftpd's plain LIST hides.
make_file "$QH/tree/top.bin" 3000000 > tree-top.sha
make_file "$QH/tree/a/one.txt" 1000 > /dev/null
make_file "$QH/tree/a/b/two words.bin" 70000 > /dev/null
: > "$QH/tree/a/b/empty.txt"
chown -R "$FTP_USER:" "$QH"
mkdir -p "$VH/dots/.d"
make_file "$VH/dots/.hidden" 500 > /dev/null
make_file "$VH/dots/.d/.x" 600 > /dev/null
chown -R "$FTP_USER:" "$VH/dots"
run_ferry 0 -d -c "open ftpes://$UP@$PU/cp as q; open ftpes://$UP@$V/cp as v
cp @q:tree/top.bin @v:top.bin
cp -r @q:tree @v:copy
cp -r @v:dots @q:dots"
assert_sha "$VH/top.bin" "$(cat tree-top.sha)"
diff -r "$QH/tree" "$VH/copy" > diff.txt || t_fail "cp -r differs: $(cat diff.txt)"
# vsftpd's plain LIST hides dot files: cp -r lists with LIST -a.
diff -r "$VH/dots" "$QH/dots" > diff.txt || t_fail "cp -r of dot files differs: $(cat diff.txt)"
[ "$(grep -c '> *PROT P' "$ERR")" -ge 2 ] || t_fail "PROT P was not used on both sides"
no_part

# FXP from vsftpd to proftpd: PASV on the source, PORT with that address on
# the target, both 226s.
run_ferry 0 -d -c "set ftp:tls off; open ftp://$V as a; open ftp://$UP@$P/cp as b
cp --fxp @a:$FTP_SAMPLE_1M @b:fxp.bin"
assert_sha "$PH/fxp.bin" "$FTP_SAMPLE_1M_SHA256"
pasv=$(grep -Eo '< *227 .*' "$ERR" | grep -Eo '[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+' | head -1)
[ -n "$pasv" ] && trace_sent "PORT $pasv" || t_fail "the PORT to the target does not carry the source's PASV address ($pasv)"

# FXP under PROT P on both: pure-ftpd (no SSCN) to proftpd, which FEAT
# says speaks SSCN: SSCN ON on proftpd (the TLS client of the data
# connection), pure-ftpd the TLS server; SSCN OFF after, so the plain
# listing that follows on that connection still works.
run_ferry 0 -d -c "open ftpes://$UP@$PU/cp as q; open ftpes://$UP@$P/cp as b
cp --fxp @q:tree/top.bin @b:fxptls.bin
@b ls fxptls.bin"
assert_sha "$PH/fxptls.bin" "$(cat tree-top.sha)"
grep -q '^\[b\] > SSCN ON$' "$ERR" && grep -q '^\[b\] > SSCN OFF$' "$ERR" ||
	t_fail "SSCN ON and OFF were not sent to proftpd"
! grep -q '^\[q\] > SSCN' "$ERR" || t_fail "SSCN went to both servers"
assert_out_has fxptls.bin
no_part

# vsftpd to proftpd under PROT P: proftpd takes SSCN, but vsftpd
# (require_ssl_reuse) refuses a TLS session that is not its control
# connection's: one line naming both, exit 5, nothing on the target, and
# both sessions still answer (-k: the listings after it run).
run_ferry 5 -k -c "open ftpes://$V as a; open ftpes://$UP@$P/cp as b
cp --fxp @a:$FTP_SAMPLE_1M @b:tls.bin
@b ls fxptls.bin
@a ls $FTP_SAMPLE_SMALL"
assert_one_line_error "the TLS data connection between a and b failed"
assert_no_file "$PH/tls.bin"
assert_out_has fxptls.bin
assert_out_has "$FTP_SAMPLE_SMALL"
no_part

# A missing source: exit 6, nothing on the target.
run_ferry 6 -c "set ftp:tls off; open ftp://$V as a; open ftp://$UP@$P/cp as b
cp @a:nosuch.bin @b:nosuch.bin"
assert_one_line_error "a:nosuch.bin: 550"
assert_no_file "$PH/nosuch.bin"
no_part

# The local forms are get and put; bad operands are refused (exit 2).
echo "local data" > up.txt
run_ferry 0 -c "set ftp:tls off; open ftp://$UP@$P/cp as b
cp up.txt @b:up.txt
cp @b:up.txt back.txt"
cmp -s up.txt "$PH/up.txt" && cmp -s up.txt back.txt || t_fail "cp with a local side did not copy"
run_ferry 2 -c "cp a.txt b.txt"
assert_one_line_error "neither side is a session"
run_ferry 2 -c "set ftp:tls off; open ftp://$V as a; cp @a:x @nosuch:y"
assert_one_line_error "nosuch: no such session"
run_ferry 2 -c "set ftp:tls off; set net:connection-limit 1; open ftp://$UP@$P/cp as b
cp @b:up.txt @b:up2.txt"
assert_one_line_error "set net:connection-limit 2 or more"
assert_no_file "$PH/up2.txt"

# kill: a cp from the rate-limited vsftpd (256 KiB/s), killed after a
# pause: one line says the partial copy is deleted, and nothing is left.
run_ferry 0 -c "open ftpes://127.0.0.1:$FTP_SLOW_PORT as s; open ftpes://$UP@$P/cp as b
cp @s:$FTP_SAMPLE_20M @b:slow.bin &
!sleep 1.5
kill 1
@b pwd"
grep -q "partial copy b:slow.bin.part is deleted" "$ERR" ||
	t_fail "no line says what was left on the target"
[ "$(grep -c 'slow.bin' "$ERR")" = 1 ] || t_fail "more than one line about the stopped copy"
assert_no_file "$PH/slow.bin"
no_part

# kill of an FXP copy from the rate-limited vsftpd (80 s for 20 MiB):
# ABOR goes to both servers while the transfer runs (proftpd stops and
# closes the data connection, vsftpd's RETR fails with it), DELE of the
# partial copy, and all within seconds, not at the transfer's end.
t0=$SECONDS
run_ferry 0 -d -c "set ftp:tls off; open ftp://127.0.0.1:$FTP_SLOW_PORT as s; open ftp://$UP@$P/cp as b
cp --fxp @s:$FTP_SAMPLE_20M @b:slowfxp.bin &
!sleep 1
kill 1
@b pwd"
[ $((SECONDS - t0)) -lt 20 ] || t_fail "the killed FXP copy took $((SECONDS - t0)) s to end"
grep -q '^\[s\] > ABOR$' "$ERR" && grep -q '^\[b\] > ABOR$' "$ERR" ||
	t_fail "ABOR did not go to both servers"
trace_sent 'DELE slowfxp.bin.part' || t_fail "the partial FXP copy was not deleted"
assert_no_file "$PH/slowfxp.bin"
no_part

t_pass
