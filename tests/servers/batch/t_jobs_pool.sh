#!/bin/bash
# One session, several connections: a 1 GiB get over FTPS from vsftpd
# (require_ssl_reuse: every data connection must resume its control
# connection's TLS session) runs as job 1 while the foreground lists,
# changes directory and gets small files on the same session, and reads an
# article from INN.  The foreground commands run on extra connections of
# the session, logged in alike and put where the site is: `sessions` shows
# the extra connection, `jobs` job 1 still running when the foreground is
# done.  Then, on the implicit-TLS instance, the trace shows an extra
# connection resuming the site's TLS session.
# Every checksum and listing is checked against the servers' own.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT NNTP_PORT

# 1 GiB; less where ferry is instrumented (the size is not what those
# stages check, and a sanitized 1 GiB costs CI two minutes).
mib=1024
[ "${T_SANITIZED:-0}" = 1 ] && mib=256
[ "${T_VALGRIND:-0}" = 1 ] && mib=50
H=$FTP_USER_HOME/pool
trap 'rm -rf "$H" "$W/dl/big.bin"' EXIT
rm -rf "$H"
mkdir -p "$H/sub"
# A random block of a prime size, repeated: a lost, doubled or shifted
# piece anywhere changes the checksum.
head -c 1048573 /dev/urandom > "$W/block"
for _ in $(seq "$mib"); do cat "$W/block"; done | head -c $((mib << 20)) > "$H/big.bin"
big_sha=$(sha256sum < "$H/big.bin" | cut -d' ' -f1)
small_sha=$(make_file "$H/sub/small.bin" 300000)
cp "$FTP_ANON_ROOT/hello.txt" "$H/hello.txt"
chown -R "$FTP_USER:" "$H"

cat > "$W/script.ferry" <<SCRIPT
open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT/pool as ftp
get big.bin &
ls > ls.txt
cd sub
get small.bin
cdup
pwd
get hello.txt
open nntp://127.0.0.1:$NNTP_PORT as news
group ferry.test
article 1 > article1.txt
!echo mark-fg-done
jobs
sessions
wait
!echo mark-waited
jobs
SCRIPT
T_TIMEOUT=180 run_ferry 0 -d -f "$W/script.ferry"
assert_sha big.bin "$big_sha"
assert_sha small.bin "$small_sha"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
assert_no_part .
assert_out_line /pool
curl -sS --max-time 30 --ssl-reqd --cacert "$CA_FILE" -u "$FTP_USER:$FTP_PASS" \
	"ftp://127.0.0.1:$FTP_PORT/pool/" | sed 's/\r$//' > want-ls.txt
cmp -s ls.txt want-ls.txt || t_fail "ls > ls.txt (while job 1 ran) differs from the server's listing"
nntp_get "GROUP $NNTP_GROUP" "ARTICLE 1 > want-article1.txt"
cmp -s article1.txt want-article1.txt || t_fail "article1.txt differs from INN's"

# The foreground ran beside the download, on another connection.
sed -n '/^mark-fg-done$/,/^mark-waited$/p' "$LAST.out.lf" > mid.txt
grep -Eq "^\[1\] running +ftp +get big\.bin +[0-9.]+ (B|KiB|MiB|GiB) / $mib\.0 MiB \(" mid.txt ||
	t_fail "job 1 was not running when the foreground commands were done (or the machine is too fast for 1 GiB): $(cat mid.txt)"
grep -Eq "^ *[0-9]+ +ftp +ftp .*busy\+[1-9]" mid.txt ||
	t_fail "sessions does not show the FTP session busy with extra connections: $(cat mid.txt)"
# The data connections resumed their control connection's TLS session
# (vsftpd refuses them otherwise, with 522).
! grep -Eq '<[[:space:]]*522' "$ERR" || t_fail "a data connection was refused (522: no TLS session reuse)"
[ "$(grep -Ec '\[ftp\] > USER ' "$ERR")" -ge 2 ] ||
	t_fail "the FTP session logged in only once: no extra connection was opened"
sed -n '/^mark-waited$/,$p' "$LAST.out.lf" > after.txt
! grep -q '^\[' after.txt || t_fail "jobs after wait lists: $(cat after.txt)"
rm -f big.bin

# An extra control connection offers the site's cached TLS session.  The
# explicit-TLS vsftpd above answers it with a full handshake under TLS 1.3
# (so does `openssl s_client -starttls ftp -reconnect`); the implicit one
# resumes, and the trace says so.
mkdir -p "$W/implicit" && cd "$W/implicit"
run_ferry 0 -d -c "open ftps://127.0.0.1:$FTPS_IMPLICIT_PORT as imp; get $FTP_SAMPLE_1M &
ls > ls.txt
wait"
assert_sha "$FTP_SAMPLE_1M" "$FTP_SAMPLE_1M_SHA256"
[ "$(grep -Ec '^\[imp\] \* TLS: ' "$ERR")" -ge 2 ] ||
	t_fail "the implicit-TLS session opened no extra connection (trace)"
grep -Eq '^\[imp\] \* TLS: .*, session resumed$' "$ERR" ||
	t_fail "the extra control connection did not resume the site's TLS session (trace)"
t_pass
