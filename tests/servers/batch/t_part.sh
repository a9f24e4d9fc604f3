#!/bin/bash
# Downloads go to NAME.part and appear under NAME only when complete: while a
# rate-limited download runs, NAME.part grows and NAME does not exist; after
# a good download no .part is left.  A killed download leaves only the .part.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

# A good download leaves no .part.
run_ferry 0 -c "open ftp://127.0.0.1:$FTP_PORT; get 20mib.bin; get 1mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_no_part .
rm -f 20mib.bin 1mib.bin

# A slow download (FTP_SLOW_RATE bytes/s): watch it.
N_RUN=$((N_RUN + 1))
LAST=$W/out/run$N_RUN
"$FERRY" -c "open ftp://127.0.0.1:$FTP_SLOW_PORT; get 20mib.bin" \
	</dev/null >"$LAST.out" 2>"$LAST.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
seen=0
for i in $(seq 100); do
	[ -e 20mib.bin ] && t_fail "20mib.bin appeared while the download was running"
	if [ -f 20mib.bin.part ] && [ "$(stat -c %s 20mib.bin.part)" -gt 0 ]; then
		seen=$((seen + 1))
		[ $seen -ge 5 ] && break
	fi
	sleep 0.1
done
[ $seen -ge 5 ] || t_fail "no growing 20mib.bin.part within 10 s"
size1=$(stat -c %s 20mib.bin.part)
sleep 0.5
size2=$(stat -c %s 20mib.bin.part)
[ "$size2" -gt "$size1" ] || t_fail "20mib.bin.part does not grow ($size1 -> $size2)"
[ -e 20mib.bin ] && t_fail "20mib.bin appeared while the download was running"
kill -TERM $pid
wait $pid 2>/dev/null || true
trap - EXIT
[ -e 20mib.bin ] && t_fail "a killed download left 20mib.bin (only the .part may stay)"
assert_file 20mib.bin.part
t_pass
