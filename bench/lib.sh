# bench/lib.sh - what the bench scripts share (sourced, not run).
# shellcheck shell=bash
#
# Sourcing it: cd to the repository, set ROOT, BUILD and FERRY (and check the
# build).  bench_servers then starts the suite's servers in a private state
# dir, sources their env.sh, and moves to a scratch folder $W that is also
# $HOME (so no rc file or netrc of the user's leaks in).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD=${FERRY_BUILD_DIR:-$ROOT/build}
FERRY=$BUILD/ferry
[ -x "$FERRY" ] || { echo "bench: build ferry first (cmake --build $BUILD)" >&2; exit 2; }

die() { echo "bench: $*" >&2; exit 1; }

# bench_servers "vsftpd inn": start those servers; STATE, W, HOME set.  The
# EXIT trap first calls the script's bench_cleanup, if it has one, then
# stops them.
bench_servers() {
	BENCH_SERVERS=$1
	STATE=$(mktemp -d /tmp/ferry-bench.XXXXXX)
	W=$STATE/work
	mkdir -p "$W"
	trap bench_stop EXIT
	FERRY_SERVERS=$BENCH_SERVERS bash "$ROOT/tests/servers/servers.sh" start "$STATE/srv" >/dev/null
	# shellcheck disable=SC1091
	. "$STATE/srv/env.sh"
	export HOME=$W
	cd "$W"
}

bench_stop() {
	[ -z "${BENCH_SPIN:-}" ] || kill "$BENCH_SPIN" 2>/dev/null || true
	if declare -F bench_cleanup >/dev/null; then bench_cleanup || true; fi
	FERRY_SERVERS=$BENCH_SERVERS bash "$ROOT/tests/servers/servers.sh" stop "$STATE/srv" >/dev/null 2>&1
	rm -rf "$STATE"
}

# bench_place: where the servers and clients run, from PLACE.
#   free    where the scheduler puts them (the default);
#   pinned  the servers on CPU 0, each client on CPU 1 (CLIENT, a prefix
#           for the client's command line);
#   awake   pinned, and CPU 1 kept from halting while the client sleeps:
#           a busy loop of the idle class (SCHED_IDLE), which gives way
#           to the client at once.
# On a virtual machine whose idle CPU halts, waking a client that sleeps
# in poll() costs the server's CPU a round trip through the hypervisor:
# a client that needs little CPU, and so leaves its CPU idle most of the
# time, is served more slowly than a busier one.  "awake" takes that
# cost out, as a host with shallow idle states would.  This guest
# reports no steal time, so every client's CPU time reads higher then
# (bench/README.md, "Where the processes run").
# shellcheck disable=SC2034  # the scripts use CLIENT
bench_place() {
	local f
	CLIENT=()
	case ${PLACE:=free} in
	free) return 0 ;;
	pinned|awake) ;;
	*) die "PLACE must be free, pinned or awake" ;;
	esac
	[ "$(nproc)" -ge 2 ] || die "PLACE=$PLACE needs two CPUs"
	for f in "$FERRY_SERVERS_RUN"/pids/*.pid; do
		taskset -a -p -c 0 "$(cat "$f")" >/dev/null
	done
	CLIENT=(taskset -c 1)
	if [ "$PLACE" = awake ]; then
		chrt -i 0 taskset -c 1 sh -c 'while :; do :; done' &
		BENCH_SPIN=$!
	fi
}

need_lftp() {
	command -v lftp >/dev/null || apt-get install -y -qq lftp >/dev/null
}

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }
# calc EXPR: bc, for seconds and ratios.
calc() { echo "$1" | bc -l; }

# fetch_secs NAME CMD...: seconds for one run of CMD, which must leave
# $W/$FILE equal to $FTP_ANON_ROOT/$FILE (removed first, with its .part).
fetch_secs() {
	rm -f "$W/$FILE" "$W/$FILE".part*
	local t0 t1
	t0=$(now)
	"${@:2}" >/dev/null 2>&1 || die "$1 failed"
	t1=$(now)
	cmp -s "$W/$FILE" "$FTP_ANON_ROOT/$FILE" || die "$1 fetched a wrong $FILE"
	calc "$t1 - $t0"
}

# ftp_mode plain|ftps: set FERRY_OPEN and LFTP_OPEN (commands that open
# vsftpd in that mode) and CURL_TLS (curl's options for it).  lftp needs
# ftp:ssl-allow-anonymous, or it logs in anonymously without TLS.
# shellcheck disable=SC2034  # the scripts use them
ftp_mode() {
	local srv=127.0.0.1:$FTP_PORT
	if [ "$1" = plain ]; then
		FERRY_OPEN="set ftp:tls off; open ftp://$srv"
		LFTP_OPEN="set ftp:ssl-allow false; set xfer:clobber on; open ftp://$srv"
		CURL_TLS=()
	else
		FERRY_OPEN="set tls:ca-file $CA_FILE; open ftpes://$srv"
		LFTP_OPEN="set ssl:ca-file $CA_FILE; set ftp:ssl-allow-anonymous true; set ftp:ssl-force true"
		LFTP_OPEN+="; set ftp:ssl-protect-data true; set xfer:clobber on; open ftp://$srv"
		CURL_TLS=(--ssl-reqd --cacert "$CA_FILE")
	fi
}

# time_tools MODE RUNNER: for ferry, curl and lftp (the commands in the
# arrays fer, cur and lft), run "RUNNER TOOL CMD..." once as a warm-up,
# then once more into T[MODE.TOOL] (RUNNER prints seconds).
declare -A T
time_tools() {
	local tool cmd
	for tool in ferry curl lftp; do
		case $tool in
		ferry) cmd=("${fer[@]}") ;;
		curl) cmd=("${cur[@]}") ;;
		lftp) cmd=("${lft[@]}") ;;
		esac
		"$2" "$tool" "${cmd[@]}" >/dev/null   # warm-up
		T[$1.$tool]=$("$2" "$tool" "${cmd[@]}")
	done
}

# print_ratios TITLE: T as a table, plain and ftps rows, ratios to curl.
print_ratios() {
	local mode f c l
	echo "$1"
	printf '%-6s %10s %10s %10s %8s %8s\n' mode ferry curl lftp ferry/c lftp/c
	for mode in plain ftps; do
		f=${T[$mode.ferry]} c=${T[$mode.curl]} l=${T[$mode.lftp]}
		printf '%-6s %10.3f %10.3f %10.3f %8.2f %8.2f\n' $mode "$f" "$c" "$l" \
			"$(calc "$f / $c")" "$(calc "$l / $c")"
	done
}
