#!/bin/bash
# bench/ftp-pget.sh - a download over several connections at once where it
# pays: a server that limits each connection's rate (the suite's
# rate-limited vsftpd, FTP_SLOW_RATE bytes/s per connection).  ferry's
# `pget -n 4` beside lftp's `pget -n 4`, and the one-connection downloads
# of ferry (`get`) and curl, plain FTP and explicit FTPS, one run each,
# printed as seconds and as ratios to lftp's pget.  A measurement, not a
# test.
#
#   bench/ftp-pget.sh [MIB]     MIB: the file's size, 4 by default
#
# Needs root (the suite's servers) and lftp.
MIB=${1:-4}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_lftp
bench_servers vsftpd

FILE=pget.bin
head -c $((MIB << 20)) /dev/urandom > "$FTP_ANON_ROOT/$FILE"
chmod 644 "$FTP_ANON_ROOT/$FILE"
FTP_PORT=$FTP_SLOW_PORT # ftp_mode opens this one

url=ftp://127.0.0.1:$FTP_PORT/$FILE
printf '%s MiB from vsftpd at %s KiB/s a connection, one run each (seconds; ratio to lftp pget -n 4)\n' \
	"$MIB" $((FTP_SLOW_RATE / 1024))
printf '%-6s %12s %12s %10s %10s %8s %8s %8s\n' mode "ferry pget" "lftp pget" "ferry get" \
	"curl" "fp/lp" "fg/lp" "c/lp"
for mode in plain ftps; do
	ftp_mode $mode
	fp=$(fetch_secs "ferry pget" "$FERRY" --no-rc -c "$FERRY_OPEN; pget -n 4 $FILE")
	lp=$(fetch_secs "lftp pget" lftp -c "$LFTP_OPEN; pget -n 4 $FILE")
	fg=$(fetch_secs "ferry get" "$FERRY" --no-rc -c "$FERRY_OPEN; get $FILE")
	cu=$(fetch_secs curl curl -s "${CURL_TLS[@]}" -o "$FILE" "$url")
	printf '%-6s %12.2f %12.2f %10.2f %10.2f %8.2f %8.2f %8.2f\n' $mode "$fp" "$lp" "$fg" "$cu" \
		"$(calc "$fp / $lp")" "$(calc "$fg / $lp")" "$(calc "$cu / $lp")"
done
