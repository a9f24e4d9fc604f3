#!/bin/bash
# pget: one file over several connections of the pool at once, against
# vsftpd.  The 20 MiB file in 4 segments (REST 4,096 bytes before each
# later segment's start, for the check; ABOR once a segment has its bytes),
# plain and over explicit FTPS, checked with sha256 and the remote time;
# a file too small to split goes in one RETR; net:connection-limit caps the
# segments; -o - is one stream; a URL works as for get; an interrupted pget
# leaves NAME.part holding a good prefix of the file with its .meta, and
# pget -c finishes it; a killed one leaves a .meta that says how much is
# good, and get -c resumes from there.
# (proftpd and pure-ftpd: t_proftpd.sh, t_pureftpd.sh.)
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
H=127.0.0.1:$FTP_PORT
MIB=$((1 << 20))

# Four segments of 5 MiB, plain.
run_ferry 0 -d -c "set ftp:tls off; open ftp://$H; pget -n 4 20mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_no_part .
for i in 1 2 3; do
	trace_sent "REST $((i * 5 * MIB - 4096))\b" || t_fail "no REST for segment $((i + 1))"
done
[ "$(grep -Ec '>[[:space:]]*RETR 20mib.bin' "$ERR")" = 4 ] || t_fail "not 4 RETR"
trace_sent ABOR || t_fail "no ABOR after a segment had its bytes"
[ "$(grep -c 'opening connection [0-9] of the session' "$ERR")" = 3 ] ||
	t_fail "not 3 more connections of the pool"
[ "$(stat -c %Y 20mib.bin)" = "$(stat -c %Y "$FTP_ANON_ROOT/20mib.bin")" ] ||
	t_fail "the remote time was not set on 20mib.bin"
rm -f 20mib.bin

# Over explicit FTPS (data connections resumed: vsftpd requires it), the
# default of 4; a file of 1 MiB cannot make two segments of 1 MiB: one RETR.
run_ferry 0 -d -c "open ftpes://$H; pget 20mib.bin 1mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_no_part .
trace_sent 'PROT P' || t_fail "no PROT P"
[ "$(grep -Ec '>[[:space:]]*REST' "$ERR")" = 3 ] || t_fail "not 3 REST (1mib.bin split?)"
rm -f 20mib.bin 1mib.bin

# net:connection-limit 2: two segments, whatever -n says; -o - streams.
run_ferry 0 -d -c "set ftp:tls off; set net:connection-limit 2; open ftp://$H; pget -n 4 20mib.bin -o got.bin"
assert_sha got.bin "$FTP_SAMPLE_20M_SHA256"
[ "$(grep -Ec '>[[:space:]]*REST' "$ERR")" = 1 ] && trace_sent "REST $((10 * MIB - 4096))\b" ||
	t_fail "connection-limit 2 did not make two segments"
run_ferry 0 -c "set ftp:tls off; open ftp://$H; pget 20mib.bin -o - > out.bin"
assert_sha out.bin "$FTP_SAMPLE_20M_SHA256"

# A URL, with options before it (get takes them too): the session of the
# URL's directory, opened without the focus.
run_ferry 0 -d -c "pget -n 2 ftp://$H/20mib.bin -o url.bin; get -f ftp://$H/1mib.bin -o url.bin"
assert_sha url.bin "$FTP_SAMPLE_1M_SHA256"
trace_sent "REST $((10 * MIB - 4096))\b" || t_fail "pget URL did not make two segments"

# Usage errors: one line, exit 2.
run_ferry 2 -c "set ftp:tls off; open ftp://$H; pget -n 0 20mib.bin"
assert_one_line_error "-n needs a number"

# Interrupted on the rate-limited port: NAME.part is cut back to the prefix
# known good (a sparse file past it would be taken for one by get -c), with
# its .meta; pget -c goes on from there.
N_RUN=$((N_RUN + 1))
LAST=$W/out/run$N_RUN
"$FERRY" -c "set ftp:tls off; open ftp://127.0.0.1:$FTP_SLOW_PORT; pget -n 4 20mib.bin" \
	</dev/null >"$LAST.out" 2>"$LAST.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	[ -f 20mib.bin.part ] && [ "$(stat -c %s 20mib.bin.part)" -gt $((10 * MIB)) ] && break
	sleep 0.1
done
[ "$(stat -c %s 20mib.bin.part)" -gt $((10 * MIB)) ] || t_fail "no segment past 10 MiB arrived"
sleep 0.5
kill -INT $pid
rc=0
wait $pid || rc=$?
trap - EXIT
[ $rc = 130 ] || t_fail "an interrupted pget exited $rc, not 130"
assert_no_file 20mib.bin
n=$(stat -c %s 20mib.bin.part)
[ "$n" -gt 0 ] && [ "$n" -lt $((5 * MIB)) ] || t_fail "20mib.bin.part kept $n bytes, not the first segment's"
cmp -s -n "$n" 20mib.bin.part "$FTP_ANON_ROOT/20mib.bin" || t_fail "20mib.bin.part is not a prefix of the file"
grep -qx "size $((20 * MIB))" 20mib.bin.part.meta || t_fail "no .meta with the remote size"
run_ferry 0 -d -c "set ftp:tls off; open ftp://$H; pget -c -n 2 20mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_no_part .
trace_sent "REST $((n - 4096))\b" || t_fail "pget -c did not resume at $n (with the check's 4,096 bytes)"

# Killed outright (SIGKILL: nothing runs), a pget leaves holes in
# NAME.part; its .meta says how much is good ("good N": what pget -c
# started from), and get -c cuts the rest before it resumes there.
rm -f 20mib.bin
head -c 300000 "$FTP_ANON_ROOT/20mib.bin" > 20mib.bin.part
"$FERRY" -c "set ftp:tls off; open ftp://127.0.0.1:$FTP_SLOW_PORT; pget -c -n 4 20mib.bin" \
	</dev/null >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	[ "$(stat -c %s 20mib.bin.part)" -gt $((10 * MIB)) ] && break
	sleep 0.1
done
kill -KILL $pid
wait $pid 2>/dev/null || true
trap - EXIT
[ "$(stat -c %s 20mib.bin.part)" -gt $((10 * MIB)) ] || t_fail "the killed pget wrote no later segment"
grep -qx "good 300000" 20mib.bin.part.meta || t_fail "the .meta of a pget part does not say good 300000: $(cat 20mib.bin.part.meta)"
run_ferry 0 -d -c "set ftp:tls off; open ftp://$H; get -c 20mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_no_part .
trace_sent "REST 300000\b" || t_fail "get -c did not resume at the good 300000 bytes"
t_pass
