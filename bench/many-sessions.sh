#!/bin/bash
# bench/many-sessions.sh - ferry's memory with many sessions open over TLS:
# N explicit-FTPS sessions to vsftpd and N NNTPS sessions to INN (default
# N=25: 50 sessions), all logged in (anonymously), then its peak resident
# set size.  Also with no session and with one of each, to tell the fixed
# cost from the cost per session, and (with valgrind) massif's view of the
# heap at the peak, charged to ferry's code.  The target is under 10 MiB.
#
#   bench/many-sessions.sh [N]
#
# Neither server limits connections here: vsftpd's config sets max_clients
# and max_per_ip to 0 (none), and the standalone nnrpd has no limit of its
# own (inn.conf's maxconnections is innd's, which readers never reach).
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
N=${1:-25}
bench_servers "vsftpd inn"

# script N: the commands that open N + N sessions, list them, and save
# ferry's memory map (the ! command's parent is ferry).
script() {
	local i s="set tls:ca-file $CA_FILE"
	for i in $(seq "$1"); do s+="; open ftpes://127.0.0.1:$FTP_PORT as ftp$i"; done
	for i in $(seq "$1"); do s+="; open nntps://127.0.0.1:$NNTPS_PORT as news$i"; done
	echo "$s; sessions; !cat /proc/\$PPID/smaps > $W/smaps.$1"
}

# measure N: print peak RSS (KiB, from time -v), heap and file-backed RSS
# (KiB, at the end), after checking that all 2N sessions are up over TLS.
measure() {
	/usr/bin/time -v "$FERRY" --no-rc -c "$(script "$1")" > "$W/out.$1" 2> "$W/time.$1" ||
		die "ferry failed with $1 + $1 sessions: $(tail -3 "$W/time.$1")"
	local up
	up=$(grep -cE ' (ftp|nntp) .* ready +yes ' "$W/out.$1" || true)
	[ "$up" = $((2 * $1)) ] || die "$up of $((2 * $1)) sessions up over TLS"
	local peak
	peak=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$W/time.$1")
	awk -v peak="$peak" '
		/^[0-9a-f]+-[0-9a-f]+ / { name = $6 }
		/^Rss:/ { if (name == "[heap]") heap += $2; else if (name ~ /^\//) file += $2; else other += $2 }
		END { print peak, heap, file, other }' "$W/smaps.$1"
}

command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
echo "ferry's memory (KiB): peak RSS, and at the end the heap, file-backed (binary, libraries) and other RSS"
printf '%-12s %9s %9s %9s %9s\n' sessions peak heap files other
declare -A P H
for n in 0 1 "$N"; do
	read -r peak heap file other <<<"$(measure "$n")"
	printf '%-12s %9d %9d %9d %9d\n' "$n+$n" "$peak" "$heap" "$file" "$other"
	P[$n]=$peak H[$n]=$heap
done
printf 'peak with %d sessions: %.1f MiB (target: under 10 MiB)\n' $((2 * N)) "$(calc "${P[$N]} / 1024")"
echo "each session past the first pair: heap $(( (H[$N] - H[1]) / (2 * N - 2) )) KiB, peak RSS $(( (P[$N] - P[1]) / (2 * N - 2) )) KiB"

if command -v valgrind >/dev/null; then
	valgrind --tool=massif --threshold=0.2 --massif-out-file="$W/massif.out" \
		"$FERRY" --no-rc -c "$(script "$N")" > /dev/null 2>&1 || die "ferry under massif failed"
	echo "massif, heap at its peak with $((2 * N)) sessions, by ferry's innermost frame:"
	python3 "$ROOT/bench/massif-top.py" "$W/massif.out" 10
fi
