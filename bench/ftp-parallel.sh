#!/bin/bash
# bench/ftp-parallel.sh - four downloads of one large file at once, to
# /dev/null, from the same loopback vsftpd: ferry as four background jobs on
# ONE session (its pool opens the extra connections), beside four curl
# processes and one lftp with four background gets.  Plain FTP and explicit
# FTPS (data channel resumed).  Wall seconds of one run each after a
# warm-up, and ratios to curl.  A measurement, not a test.
#
#   bench/ftp-parallel.sh [MIB]    size of the file, default 1024 (1 GiB)
#
# The file is made of random bytes in this run's own copy of vsftpd's
# anonymous tree (the fixture's largest sample is only 20 MiB).  Every run
# is checked on the server's side: vsftpd must log four complete downloads
# ("OK DOWNLOAD ... N bytes"); ferry also fails a job whose byte count
# differs from SIZE, and curl reports its own count.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
MIB=${1:-1024}
need_lftp
bench_servers vsftpd

BIG=big.bin
SIZE=$((MIB * 1024 * 1024))
head -c "$SIZE" /dev/urandom > "$FTP_ANON_ROOT/$BIG"
chmod 644 "$FTP_ANON_ROOT/$BIG"
LOG=$FERRY_SERVERS_RUN/logs/vsftpd-main.protocol.log
url=ftp://127.0.0.1:$FTP_PORT/$BIG

# run NAME CMD...: run once, check that the server sent four whole copies;
# print the seconds, keep the number of server processes (connections)
# that sent them in $W/conns.MODE.NAME.
run() {
	local t0 t1 mark ok
	mark=$(stat -c %s "$LOG")
	t0=$(now)
	"${@:2}" > "$W/$1.out" 2>&1 || die "$1 failed: $(tail -3 "$W/$1.out")"
	t1=$(now)
	ok=$(tail -c +$((mark + 1)) "$LOG" | grep -a "OK DOWNLOAD: .*\"/$BIG\", $SIZE bytes" || true)
	[ "$(printf '%s\n' "$ok" | grep -c .)" = 4 ] || die "$1: the server did not log four complete downloads"
	printf '%s\n' "$ok" | grep -o '\[pid [0-9]*\]' | sort -u | wc -l > "$W/conns.$mode.$1"
	calc "$t1 - $t0"
}

curl4() { # curl4 CURL-OPTIONS...: four curls at once, each must count SIZE
	local i pids=()
	for i in 1 2 3 4; do
		curl -s "$@" -o /dev/null -w '%{size_download}\n' "$url" > "$W/curl.$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	for i in 1 2 3 4; do [ "$(cat "$W/curl.$i")" = "$SIZE" ] || return 1; done
}

g="get $BIG -o /dev/null &"
for mode in plain ftps; do
	ftp_mode $mode
	fer=("$FERRY" --no-rc -c "$FERRY_OPEN; $g; $g; $g; $g; wait")
	cur=(curl4 "${CURL_TLS[@]}")
	lft=(lftp -c "$LFTP_OPEN; $g $g $g $g wait all")
	time_tools $mode run
done
print_ratios "4 x $MIB MiB at once over loopback vsftpd, one run each (seconds; ratio to curl)"
for mode in plain ftps; do
	echo "$mode: connections the server sent from: ferry $(cat "$W/conns.$mode.ferry"), curl $(cat "$W/conns.$mode.curl"), lftp $(cat "$W/conns.$mode.lftp")"
done
