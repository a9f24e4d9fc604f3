#!/bin/bash
# bench/ftp-mirror.sh - mirror of N small files (default 1000 of 1 KiB) from
# the loopback vsftpd, plain FTP and explicit FTPS (data connections resume
# the control session: require_ssl_reuse), ferry beside lftp (mirror, its
# default and --parallel=4) and curl (one process, every file on the
# command line: it keeps the control connection).  One run each, seconds
# and ratios to lftp; every tree is checked against the server's.
# A measurement, not a test.
#
#   bench/ftp-mirror.sh [N]
N=${1:-1000}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_lftp
bench_servers vsftpd
SRC=$FTP_ANON_ROOT/many
mkdir -p "$SRC"
for i in $(seq "$N"); do head -c 1024 /dev/urandom > "$SRC/f$i.bin"; done
chmod -R a+rX "$SRC"

# run NAME CMD...: seconds for one run into a fresh $W/out; checks the tree.
run() {
	rm -rf "$W/out"
	local t0 t1
	t0=$(now)
	"${@:2}" >/dev/null 2>&1 || die "$1 failed"
	t1=$(now)
	diff -r "$SRC" "$W/out" >/dev/null || die "$1: the tree differs from the server's"
	calc "$t1 - $t0"
}

declare -A R
for mode in plain ftps; do
	ftp_mode $mode
	R[$mode.ferry]=$(run ferry "$FERRY" --no-rc -c "$FERRY_OPEN; mirror many out")
	R[$mode.lftp]=$(run lftp lftp -c "$LFTP_OPEN; mirror many out")
	R[$mode.lftp4]=$(run lftp4 lftp -c "$LFTP_OPEN; mirror --parallel=4 many out")
	cfg=$W/curl.cfg
	: > "$cfg"
	for i in $(seq "$N"); do
		printf 'url = "ftp://127.0.0.1:%s/many/f%s.bin"\noutput = "out/f%s.bin"\n' \
			"$FTP_PORT" "$i" "$i" >> "$cfg"
	done
	R[$mode.curl]=$(run curl sh -c "mkdir -p out && curl -s ${CURL_TLS[*]} -K $cfg")
done
echo "mirror of $N files of 1 KiB from loopback vsftpd, one run each (seconds; ratio to lftp)"
printf '%-6s %8s %8s %10s %8s %9s %11s %9s\n' mode ferry lftp lftp-par4 curl ferry/l ferry/lpar4 ferry/c
for mode in plain ftps; do
	f=${R[$mode.ferry]} l=${R[$mode.lftp]} l4=${R[$mode.lftp4]} c=${R[$mode.curl]}
	printf '%-6s %8.2f %8.2f %10.2f %8.2f %9.2f %11.2f %9.2f\n' $mode "$f" "$l" "$l4" "$c" \
		"$(calc "$f / $l")" "$(calc "$f / $l4")" "$(calc "$f / $c")"
done
