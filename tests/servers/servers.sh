#!/bin/bash
# servers.sh start|stop|status|clean [STATE] - the real servers ferry's tests
# run against, all on loopback, everything under STATE (default: ./state).
#
#   start   make certificates (once), start every server in $FERRY_SERVERS
#           (default "vsftpd pureftpd proftpd inn"), write STATE/env.sh;
#           stops leftovers first
#   stop    stop them by their kept pids, remove STATE/env.sh
#   status  list the kept pids and whether they run
#   clean   stop, then remove STATE (and its private run dir in /tmp, if any)
#
# A server NAME is one script, srv-NAME.sh start|stop STATE, which writes its
# variables to STATE/env.d/NAME.sh.  Adding a server is one more such script
# and one more word in FERRY_SERVERS.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
action=${1:-}
state_arg=${2:-${FERRY_SERVERS_STATE:-$PWD/state}}
read -r -a servers <<<"${FERRY_SERVERS:-vsftpd pureftpd proftpd inn}"
unset INNCONF

[ "$(id -u)" = 0 ] || die "the test servers need root (they drop privileges themselves)"

stop_all() {
	local i rc=0
	for ((i = ${#servers[@]} - 1; i >= 0; i--)); do
		bash "$SRV_DIR/srv-${servers[i]}.sh" stop "$STATE" || rc=1
	done
	# Anything else a script kept a pid for (a server no longer listed).
	local f
	for f in "$PIDS"/*.pid; do
		[ -e "$f" ] || continue
		daemon_stop "$(basename "$f" .pid)"
	done
	rm -f "$STATE/env.sh"
	return $rc
}

case $action in
start)
	state_init "$state_arg"
	t0=$EPOCHREALTIME
	stop_all >/dev/null 2>&1 || true
	rm -f "$STATE"/env.d/*.sh
	bash "$SRV_DIR/mkcerts.sh" "$STATE/certs"
	c=$STATE/certs
	{
		env_put /dev/stdout CA_FILE "$c/ca.pem"
		env_put /dev/stdout SERVER_CERT "$c/server.pem"
		env_put /dev/stdout SERVER_KEY "$c/server-key.pem"
		env_put /dev/stdout SERVER_CERT_SHA256 "$(cat "$c/server.sha256")"
		env_put /dev/stdout BAD_KEY "$c/bad-key.pem"
		for b in expired wronghost selfsigned unknownca; do
			B=$(echo "$b" | tr a-z A-Z)
			env_put /dev/stdout "BAD_CERT_$B" "$c/$b.pem"
			env_put /dev/stdout "BAD_CERT_${B}_SHA256" "$(cat "$c/$b.sha256")"
		done
		env_put /dev/stdout OTHER_CA_FILE "$c/other-ca.pem"
	} > "$STATE/env.d/certs.sh"
	for s in "${servers[@]}"; do
		[ -f "$SRV_DIR/srv-$s.sh" ] || die "no script for server $s"
		if ! bash "$SRV_DIR/srv-$s.sh" start "$STATE"; then
			note "$s failed to start; stopping everything"
			stop_all || true
			exit 1
		fi
	done
	# Appending (>>): env_put reopens /dev/stdout with O_APPEND, and with a
	# plain > the shell's own offset would let the next cat overwrite those
	# lines.
	rm -f "$STATE/env.sh.tmp"
	{
		echo "# Written by tests/servers/servers.sh start; removed by stop."
		env_put /dev/stdout FERRY_SERVERS_STATE "$STATE"
		env_put /dev/stdout FERRY_SERVERS_RUN "$RUN"
		env_put /dev/stdout FERRY_SERVERS "${servers[*]}"
		cat "$STATE/env.d/certs.sh"
		for s in "${servers[@]}"; do cat "$STATE/env.d/$s.sh"; done
	} >> "$STATE/env.sh.tmp"
	mv "$STATE/env.sh.tmp" "$STATE/env.sh"
	note "up in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s; state in $STATE/env.sh"
	;;
stop)
	[ -d "$state_arg" ] || exit 0
	state_init "$state_arg"
	stop_all
	;;
status)
	state_init "$state_arg"
	for f in "$PIDS"/*.pid; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .pid)
		if pid_alive "$n"; then echo "$n $(cat "$f") running"; else echo "$n $(cat "$f") dead"; fi
	done
	;;
clean)
	[ -d "$state_arg" ] || exit 0
	state_init "$state_arg"
	stop_all || true
	if [ -L "$STATE/run" ]; then
		rm -rf "$(readlink "$STATE/run")"
	fi
	rm -rf "$STATE"
	;;
*)
	die "usage: servers.sh start|stop|status|clean [STATE]"
	;;
esac
