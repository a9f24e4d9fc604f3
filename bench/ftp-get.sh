#!/bin/bash
# bench/ftp-get.sh - download speed of ferry beside curl and lftp, from the
# same loopback vsftpd, plain FTP and explicit FTPS (TLS 1.3, data channel
# resumed), one run each after a warm-up, printed as seconds and as ratios to
# curl.  A measurement, not a test: nothing here passes or fails on speed.
#
#   bench/ftp-get.sh [FILE]     FILE: 20mib.bin (default) or 1mib.bin
#
# Needs root (the suite's servers) and lftp (apt-get install lftp).
FILE=${1:-20mib.bin}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_lftp
bench_servers vsftpd

url=ftp://127.0.0.1:$FTP_PORT/$FILE
for mode in plain ftps; do
	ftp_mode $mode
	fer=("$FERRY" --no-rc -c "$FERRY_OPEN; get $FILE")
	cur=(curl -s "${CURL_TLS[@]}" -o "$FILE" "$url")
	lft=(lftp -c "$LFTP_OPEN; get $FILE")
	time_tools $mode fetch_secs
done
print_ratios "$FILE over loopback vsftpd, one run each (seconds; ratio to curl)"
