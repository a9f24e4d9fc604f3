#!/bin/bash
# bench/ftp-big.sh - ferry beside curl and lftp on big transfers, from the
# same loopback vsftpd: a 1 GiB get to /dev/null and to a file, plain FTP
# and explicit FTPS (TLS 1.3, PROT P, data channel resumed); a 1 GiB put,
# both modes; the listing of a 10,000-entry directory.  For each row and
# tool: the medians over N paired runs (the three tools one after the
# other, their order rotating from run to run) of wall time, CPU time
# (user + system) and peak memory (max RSS, GNU time), and ferry's ratios
# to curl and lftp.  A measurement, not a test.
#
#   bench/ftp-big.sh [RUNS] [MIB]     RUNS: 3, MIB: 1024
#   ROWS="list put" bench/ftp-big.sh  only those rows (get-null get-file
#                                     put list)
#   PLACE=awake bench/ftp-big.sh      where the processes run: free,
#                                     pinned or awake (bench_place)
#
# Needs root (the suite's servers), lftp and GNU time.
RUNS=${1:-3}
MIB=${2:-1024}
ROWS=${ROWS:-get-null get-file put list}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
need_lftp
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
bench_servers vsftpd
bench_place

[ "$ROWS" = list ] && MIB=1 # the big file is not used
SIZE=$((MIB * 1024 * 1024))
BIG=big.bin
head -c 1048573 /dev/urandom > "$W/block"
for _ in $(seq $((MIB + 1))); do cat "$W/block"; done | head -c "$SIZE" > "$FTP_ANON_ROOT/$BIG" || true
[ "$(stat -c %s "$FTP_ANON_ROOT/$BIG")" = "$SIZE" ] || die "cannot make the $MIB MiB file"
chmod 644 "$FTP_ANON_ROOT/$BIG"
cp "$FTP_ANON_ROOT/$BIG" "$W/up.bin"
mkdir -p "$FTP_ANON_ROOT/many"
(cd "$FTP_ANON_ROOT/many" && seq -f 'entry-%05g.txt' 10000 | xargs touch)
chmod -R a+rX "$FTP_ANON_ROOT/many"
bench_cleanup() { rm -f "$FTP_USER_HOME"/up-*.bin; }

SRV=127.0.0.1:$FTP_PORT
USR=$FTP_USER:$FTP_PASS@$SRV

# cmds ROW MODE: set fer, cur, lft (the three commands) and CHECK (what
# must hold after each run) for one row.
cmds() {
	local row=$1 mode=$2 fo lo
	ftp_mode "$mode"
	fo=$FERRY_OPEN lo=$LFTP_OPEN
	case $row in
	get-null)
		fer=("$FERRY" --no-rc -c "$fo; get $BIG -o /dev/null")
		cur=(curl -s "${CURL_TLS[@]}" -o /dev/null "ftp://$SRV/$BIG")
		lft=(lftp -c "$lo; get $BIG -o /dev/null")
		CHECK=log ;;
	get-file)
		fer=("$FERRY" --no-rc -c "$fo; get -f $BIG -o $W/dl.bin")
		cur=(curl -s "${CURL_TLS[@]}" -o "$W/dl.bin" "ftp://$SRV/$BIG")
		lft=(lftp -c "$lo; get $BIG -o $W/dl.bin")
		CHECK=file ;;
	put)
		# As the test user: the URL's credentials, TLS as in the mode.
		fo=${fo/open ftp:\/\/$SRV/open ftp://$USR}
		fo=${fo/open ftpes:\/\/$SRV/open ftpes://$USR}
		lo=${lo/open ftp:\/\/$SRV/open ftp://$USR}
		fer=("$FERRY" --no-rc -c "$fo; put $W/up.bin -o up-ferry.bin")
		cur=(curl -s "${CURL_TLS[@]}" -T "$W/up.bin" "ftp://$USR/up-curl.bin")
		lft=(lftp -c "$lo; put $W/up.bin -o up-lftp.bin")
		CHECK=put ;;
	list)
		fer=("$FERRY" --no-rc -c "$fo; ls many")
		cur=(curl -s "${CURL_TLS[@]}" "ftp://$SRV/many/")
		lft=(lftp -c "$lo; ls many")
		CHECK=list ;;
	esac
}

LOG=$FERRY_SERVERS_RUN/logs/vsftpd-main.protocol.log
# one TOOL CMD...: run once under GNU time; check the result; print
# "wall cpu maxrss_kib".
one() {
	local tool=$1 mark out=$W/out.$1
	shift
	rm -f "$W/dl.bin" "$W/dl.bin.part" "$FTP_USER_HOME/up-$tool.bin"
	# The last run's 1 GiB of dirty pages is written back now, not
	# while this one runs (the kernel throttles whoever writes then).
	sync
	mark=$(stat -c %s "$LOG")
	/usr/bin/time -f '%e %U %S %M' -o "$W/time.$tool" "${CLIENT[@]}" "$@" > "$out" 2> "$W/err.$tool" ||
		die "$tool failed: $(tail -3 "$W/err.$tool")"
	case $CHECK in
	log) # vsftpd may write its log line just after its 226.
		local n
		for n in $(seq 30); do
			tail -c +$((mark + 1)) "$LOG" | grep -aq "OK DOWNLOAD: .*\"/$BIG\", $SIZE bytes" && break
			[ "$n" = 30 ] && die "$tool: vsftpd logged no complete download: $(tail -c +$((mark + 1)) "$LOG" | grep -a DOWNLOAD)"
			sleep 0.1
		done ;;
	file) [ "$(stat -c %s "$W/dl.bin")" = "$SIZE" ] && cmp -s "$W/dl.bin" "$W/up.bin" ||
		die "$tool: wrong $BIG" ;;
	put) [ "$(stat -c %s "$FTP_USER_HOME/up-$tool.bin")" = "$SIZE" ] ||
		die "$tool: the server has a wrong size" ;;
	list) [ "$(grep -c 'entry-' "$out")" = 10000 ] || die "$tool: not 10000 entries listed" ;;
	esac
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$W/time.$tool"
}

# ratio A B: A / B, or - when B is 0 (a CPU time below GNU time's 10 ms).
ratio() { if [ "$(calc "$2 == 0")" = 1 ]; then echo -; else printf '%.2f' "$(calc "$1 / $2")"; fi; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-14s %-5s | %-21s | %-21s | %-21s | %-11s | %-11s\n' row mode \
	"ferry wall cpu MiB" "curl wall cpu MiB" "lftp wall cpu MiB" "f/curl w c" "f/lftp w c"
for row in $ROWS; do
	for mode in plain ftps; do
		[ $row = list ] && [ $mode = ftps ] && continue
		cmds $row $mode
		tools=(ferry curl lftp)
		one ferry "${fer[@]}" >/dev/null # warm-up (the file in the page cache)
		: > "$W/r.ferry"; : > "$W/r.curl"; : > "$W/r.lftp"
		for ((i = 0; i < RUNS; i++)); do
			for k in 0 1 2; do
				t=${tools[$(((i + k) % 3))]}
				case $t in
				ferry) one ferry "${fer[@]}" ;;
				curl) one curl "${cur[@]}" ;;
				lftp) one lftp "${lft[@]}" ;;
				esac >> "$W/r.$t"
			done
		done
		declare -A M=()
		for t in ferry curl lftp; do
			M[$t.w]=$(cut -d' ' -f1 "$W/r.$t" | median)
			M[$t.c]=$(cut -d' ' -f2 "$W/r.$t" | median)
			M[$t.m]=$(cut -d' ' -f3 "$W/r.$t" | median)
		done
		printf '%-14s %-5s |' $row $mode
		for t in ferry curl lftp; do
			printf ' %6.2f %6.2f %6.1f |' "${M[$t.w]}" "${M[$t.c]}" "$(calc "${M[$t.m]} / 1024")"
		done
		printf ' %4s %4s | %4s %4s\n' \
			"$(ratio "${M[ferry.w]}" "${M[curl.w]}")" "$(ratio "${M[ferry.c]}" "${M[curl.c]}")" \
			"$(ratio "${M[ferry.w]}" "${M[lftp.w]}")" "$(ratio "${M[ferry.c]}" "${M[lftp.c]}")"
	done
done
echo "medians of $RUNS paired runs, $MIB MiB, PLACE=$PLACE; wall and CPU in seconds, max RSS in MiB; load: $(cut -d' ' -f1-3 /proc/loadavg)"
