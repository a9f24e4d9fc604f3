#!/bin/bash
# bench/ftp-get.sh - download speed of ferry beside curl and lftp, from the
# same loopback vsftpd, plain FTP and explicit FTPS (TLS 1.3, data channel
# resumed), one run each after a warm-up, printed as seconds and as ratios to
# curl.  A measurement, not a test: nothing here passes or fails on speed.
#
#   bench/ftp-get.sh [FILE]     FILE: 20mib.bin (default) or 1mib.bin
#
# Needs root (the suite's servers) and lftp (apt-get install lftp).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${FERRY_BUILD_DIR:-$ROOT/build}
FILE=${1:-20mib.bin}
FERRY=$BUILD/ferry
[ -x "$FERRY" ] || { echo "bench: build ferry first (cmake --build $BUILD)" >&2; exit 2; }
command -v lftp >/dev/null || apt-get install -y -qq lftp >/dev/null
STATE=$(mktemp -d /tmp/ferry-bench.XXXXXX)
W=$STATE/work
mkdir -p "$W"
trap 'FERRY_SERVERS=vsftpd bash "$ROOT/tests/servers/servers.sh" stop "$STATE/srv" >/dev/null 2>&1; rm -rf "$STATE"' EXIT
FERRY_SERVERS=vsftpd bash tests/servers/servers.sh start "$STATE/srv" >/dev/null
# shellcheck disable=SC1091
. "$STATE/srv/env.sh"
export HOME=$W
cd "$W"

# time_it NAME CMD...: seconds for one run (after removing the output).
time_it() {
	rm -f "$W/$FILE" "$W/$FILE.part"
	local t0 t1
	t0=$(date +%s.%N)
	"${@:2}" >/dev/null 2>&1 || { echo "bench: $1 failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	cmp -s "$W/$FILE" "$FTP_ANON_ROOT/$FILE" || { echo "bench: $1 fetched a wrong $FILE" >&2; exit 1; }
	echo "$t1 - $t0" | bc -l
}

url=ftp://127.0.0.1:$FTP_PORT/$FILE
declare -A T
for mode in plain ftps; do
	if [ $mode = plain ]; then
		fer=("$FERRY" --no-rc -c "set ftp:tls off; open ftp://127.0.0.1:$FTP_PORT; get $FILE")
		cur=(curl -s -o "$FILE" "$url")
		lft=(lftp -c "set ftp:ssl-allow false; set xfer:clobber on; open ftp://127.0.0.1:$FTP_PORT; get $FILE")
	else
		fer=("$FERRY" --no-rc -c "set tls:ca-file $CA_FILE; open ftpes://127.0.0.1:$FTP_PORT; get $FILE")
		cur=(curl -s --ssl-reqd --cacert "$CA_FILE" -o "$FILE" "$url")
		lft=(lftp -c "set ssl:ca-file $CA_FILE; set ftp:ssl-allow-anonymous true; set ftp:ssl-force true; set ftp:ssl-protect-data true; set xfer:clobber on; open ftp://127.0.0.1:$FTP_PORT; get $FILE")
	fi
	for tool in ferry curl lftp; do
		case $tool in
		ferry) cmd=("${fer[@]}") ;;
		curl) cmd=("${cur[@]}") ;;
		lftp) cmd=("${lft[@]}") ;;
		esac
		time_it "$tool" "${cmd[@]}" >/dev/null   # warm-up
		T[$mode.$tool]=$(time_it "$tool" "${cmd[@]}")
	done
done

printf '%s over loopback vsftpd, one run each (seconds; ratio to curl)\n' "$FILE"
printf '%-6s %10s %10s %10s %8s %8s\n' mode ferry curl lftp ferry/c lftp/c
for mode in plain ftps; do
	f=${T[$mode.ferry]} c=${T[$mode.curl]} l=${T[$mode.lftp]}
	printf '%-6s %10.3f %10.3f %10.3f %8.2f %8.2f\n' $mode "$f" "$c" "$l" \
		"$(echo "$f / $c" | bc -l)" "$(echo "$l / $c" | bc -l)"
done
