#!/bin/bash
# cp between sessions against the real servers: vsftpd to proftpd streamed
# (plain: 20 MiB and two files into a directory), pure-ftpd to vsftpd
# streamed over TLS (PROT P on both), a tree with -r (diff -r), two
# connections of one server (@b twice), FXP from vsftpd to proftpd (the
# PORT carries the source's PASV address), FXP refused under PROT P and
# nothing written, a missing source (exit 6, nothing on the target), the
# local forms (get, put), bad operands (exit 2), and `kill` of a cp job
# from the rate-limited vsftpd: one line says what was left, and neither
# the name nor NAME.part stays on the target.  Checksums throughout; no
# .part left anywhere.
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
# the target, both 226s; then FXP refused under PROT P, nothing written.
run_ferry 0 -d -c "set ftp:tls off; open ftp://$V as a; open ftp://$UP@$P/cp as b
cp --fxp @a:$FTP_SAMPLE_1M @b:fxp.bin"
assert_sha "$PH/fxp.bin" "$FTP_SAMPLE_1M_SHA256"
pasv=$(grep -Eo '< *227 .*' "$ERR" | grep -Eo '[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+' | head -1)
[ -n "$pasv" ] && trace_sent "PORT $pasv" || t_fail "the PORT to the target does not carry the source's PASV address ($pasv)"
run_ferry 2 -c "open ftpes://$V as a; open ftpes://$UP@$P/cp as b
cp --fxp @a:$FTP_SAMPLE_1M @b:tls.bin"
assert_one_line_error "TLS-protected"
assert_no_file "$PH/tls.bin"

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

t_pass
