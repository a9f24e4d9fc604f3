#!/bin/bash
# Background jobs against the real servers.  A 200 MiB get over FTPS
# (vsftpd, TLS session reuse required) runs as job 1 while an NNTP session
# reads from INN at once (different sessions run in parallel: `jobs` still
# shows job 1 running afterwards) and, with net:connection-limit 1, commands
# queued for the busy FTP session wait in line, in order (cd before the get
# that needs it); `wait`
# ends with all of them: every checksum and listing right, no .part left,
# exit 0.  Then a failing job (exit 6, also through wait and fg), `kill` of
# a running get and `kill all` of two (no file under the final name, exit
# 0), and `wait` when every job has already ended.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT NNTP_PORT

# The big file lives in the user's home for this test only.  Under
# memcheck ferry is far slower: a smaller file, a longer pause before kill.
mib=200 pause=1
[ "${T_VALGRIND:-0}" = 1 ] && mib=50 pause=5
H=$FTP_USER_HOME/jobs
trap 'rm -rf "$H" "$W/dl/big.bin"' EXIT
rm -rf "$H"
mkdir -p "$H/sub"
big_sha=$(make_file "$H/big.bin" $((mib << 20)))
cp "$FTP_ANON_ROOT/hello.txt" "$H/hello.txt"
small_sha=$(make_file "$H/sub/small.bin" 300000)
chown -R "$FTP_USER:" "$H"

cat > "$W/script.ferry" <<SCRIPT
set net:connection-limit 1
open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT/jobs as ftp
get big.bin &
open nntp://127.0.0.1:$NNTP_PORT as news
group ferry.test
article 1 > article1.txt
body $NNTP_DOTS_ARTICLE > body3.txt
over 1-8 | cat > over.txt
!echo mark-nntp-done
jobs
@ftp ls > ls.txt &
@ftp cd sub &
@ftp get small.bin &
@ftp cdup &
@ftp get hello.txt &
jobs
wait
!echo mark-waited
jobs
@ftp pwd
SCRIPT
run_ferry 0 -f "$W/script.ferry"
assert_sha big.bin "$big_sha"
assert_sha small.bin "$small_sha"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
assert_no_part .
curl -sS --max-time 30 --ssl-reqd --cacert "$CA_FILE" -u "$FTP_USER:$FTP_PASS" \
	"ftp://127.0.0.1:$FTP_PORT/jobs/" | sed 's/\r$//' > want-ls.txt
cmp -s ls.txt want-ls.txt || t_fail "the queued ls > ls.txt differs from the server's listing"
nntp_get "GROUP $NNTP_GROUP" "ARTICLE 1 > want-article1.txt" "BODY $NNTP_DOTS_ARTICLE > want-body3.txt" \
	"OVER 1-8 > want-over.txt"
for f in article1 body3 over; do
	cmp -s "$f.txt" "want-$f.txt" || t_fail "$f.txt (read while job 1 ran) differs from INN's"
done
# The NNTP reads were done while job 1 still ran: it had moved bytes and
# was not finished.
sed -n '/^mark-nntp-done$/,/^\[2\]/p' "$LAST.out.lf" > jobs-mid.txt
grep -Eq "^\[1\] running +ftp +get big\.bin +[0-9.]+ (B|KiB|MiB) / $mib\.0 MiB \(" jobs-mid.txt ||
	t_fail "jobs after the NNTP reads does not show job 1 running with its bytes: $(cat jobs-mid.txt)"
# The queued commands were waiting for the FTP session.
for n in 2 3 4 5 6; do
	grep -Eq "^\[$n\] waiting +ftp " "$LAST.out.lf" || t_fail "job $n is not listed as waiting for the session"
done
# After wait: no job left, and the session is where cdup put it.
sed -n '/^mark-waited$/,$p' "$LAST.out.lf" > after-wait.txt
! grep -q '^\[' after-wait.txt || t_fail "jobs after wait lists: $(cat after-wait.txt)"
grep -qx /jobs after-wait.txt || t_fail "pwd after the queued cd sub; cdup is not /jobs"
rm -f big.bin

# A background data command writes to a standard output that is not a
# terminal as a foreground one does: the bytes unchanged.
F=ftpes://127.0.0.1:$FTP_PORT
run_ferry 0 -c "open $F; cat $FTP_SAMPLE_1M &"
assert_sha "$OUT" "$FTP_SAMPLE_1M_SHA256"

# A failing job fails the script like a foreground command: 6 at the end
# of the script, through wait, and through fg (its status is the job's).
mkdir -p "$W/fail" && cd "$W/fail"
run_ferry 6 -c "open $F; get nosuch.bin &"
assert_err_nonempty
grep -q nosuch.bin "$ERR" || t_fail "the job's error does not name the file"
run_ferry 6 -c "open $F; get nosuch.bin &
wait
!echo not-reached"
assert_out_lacks not-reached
run_ferry 6 -c "open $F; get nosuch.bin &
fg"
[ -z "$(ls -A .)" ] || t_fail "failed gets left files: $(ls -A .)"
# A job failing while a foreground command runs (no -k) ends the run with
# the job's status, not the interruption of the command it cut short.
run_ferry 6 -c "open $F; get nosuch.bin &
open nntp://127.0.0.1:$NNTP_PORT; date"

# kill: a get from the rate-limited instance (256 KiB/s, so it is surely
# still running), killed after a pause: the script goes on in the same
# session, no file under the final name, and a killed job is no failure.
mkdir -p "$W/kill" && cd "$W/kill"
run_ferry 0 -c "open ftpes://127.0.0.1:$FTP_SLOW_PORT; get $FTP_SAMPLE_20M &
!sleep $pause
jobs
kill 1
pwd
jobs
!echo end"
grep -Eq "^\[1\] running .*get $FTP_SAMPLE_20M +[0-9.]+ (B|KiB|MiB)" "$LAST.out.lf" ||
	t_fail "jobs does not show the get running before kill"
assert_out_line /
[ "$(sed -n '/^\/$/,$p' "$LAST.out.lf" | grep -c '^\[')" = 0 ] || t_fail "jobs still lists the killed job"
assert_out_line end
assert_no_file "$FTP_SAMPLE_20M"
# kill all (lftp's): both running gets cancelled, neither a failure (in
# a directory of their own: the killed get above left its .part).
mkdir -p "$W/killall" && cd "$W/killall"
run_ferry 0 -c "open ftpes://127.0.0.1:$FTP_SLOW_PORT; get $FTP_SAMPLE_20M &
get $FTP_SAMPLE_20M -o second.bin &
!sleep $pause
kill all
pwd
jobs
!echo end"
assert_out_line /
[ "$(sed -n '/^\/$/,$p' "$LAST.out.lf" | grep -c '^\[')" = 0 ] || t_fail "jobs still lists a job after kill all"
assert_out_line end
assert_no_file "$FTP_SAMPLE_20M"
assert_no_file second.bin

# wait with every job already over (the get ended while pwd waited for its
# session) returns at once.
T_TIMEOUT=15 run_ferry 0 -c "set net:connection-limit 1; open $F; get hello.txt &
pwd
wait
!echo waited"
assert_out_line waited
t_pass
