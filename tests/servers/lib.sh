# lib.sh - helpers shared by the server scripts (sourced, not run).
# shellcheck shell=bash
#
# Conventions every srv-*.sh follows:
#   - all files live under $STATE (the state dir, in the build tree) and its
#     run/ folder (servers' roots, configs, logs, pid files);
#   - a daemon runs in the foreground in its own session (setsid), its pid is
#     kept in $RUN/pids/NAME.pid and it is stopped by that pid only;
#   - a server writes its variables to $STATE/env.d/NAME.sh; servers.sh joins
#     them into $STATE/env.sh.

SRV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "servers: $*" >&2; exit 1; }
note() { echo "servers: $*" >&2; }

# state_init STATE: set STATE, RUN, PIDS, LOGS and create the folders.
# Servers drop privileges (ftp, news, ferrytest), so every folder above the
# run dir must be searchable by others; when the build tree is not (a clone
# under /root, say) the run dir becomes a private folder in /tmp, linked from
# $STATE/run and removed again by `servers.sh clean`.
state_init() {
	STATE=$1
	mkdir -p "$STATE" "$STATE/env.d"
	STATE=$(cd "$STATE" && pwd)
	if [ ! -e "$STATE/run" ]; then
		if path_traversable "$STATE"; then
			mkdir -p "$STATE/run"
		else
			local tmp
			tmp=$(mktemp -d /tmp/ferry-servers.XXXXXX)
			chmod 755 "$tmp"
			ln -s "$tmp" "$STATE/run"
		fi
	fi
	RUN=$(cd "$STATE/run" && pwd -P)
	chmod 755 "$RUN"
	PIDS=$RUN/pids
	LOGS=$RUN/logs
	mkdir -p "$PIDS" "$LOGS"
	chmod 755 "$LOGS"
	export STATE RUN PIDS LOGS
}

# path_traversable DIR: every ancestor of DIR is searchable by "other".
path_traversable() {
	local d
	d=$(cd "$1" && pwd -P)
	while [ "$d" != / ]; do
		[ -n "$(find "$d" -maxdepth 0 -perm -o+x 2>/dev/null)" ] || return 1
		d=$(dirname "$d")
	done
	return 0
}

# free_ports N: print N distinct TCP ports free on 127.0.0.1 right now.
free_ports() {
	python3 "$SRV_DIR/srvtool.py" freeports "$1"
}

# daemon_start NAME LOG CMD...: run CMD in the foreground of a new session,
# all descriptors on files (ctest waits for its pipes to close; vsftpd
# writes its fatal "500 OOPS" to fd 0, so fd 0 is the log opened read-write),
# and keep its pid.
daemon_start() {
	local name=$1 log=$2
	shift 2
	: > "$log"
	setsid "$@" 0<>"$log" >>"$log" 2>&1 &
	echo $! > "$PIDS/$name.pid"
}

# pid_alive NAME: the kept pid is running (and is not a zombie).
pid_alive() {
	proc_live "$(cat "$PIDS/$1.pid" 2>/dev/null)"
}

# proc_live PID: PID runs and is not a zombie (this machine's init may leave
# exited daemons unreaped: a zombie holds no port and needs no kill).
proc_live() {
	[ -n "$1" ] && [ -r "/proc/$1/status" ] &&
		! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# daemon_stop NAME: TERM the kept pid's process group (the daemon and the
# per-connection children it forked), wait up to 5 s, then KILL; forget it.
daemon_stop() {
	local name=$1 pid i
	pid=$(cat "$PIDS/$name.pid" 2>/dev/null) || return 0
	rm -f "$PIDS/$name.pid"
	proc_live "$pid" || return 0
	# Only a process group this script made: the daemon leads it, and its
	# command line or environment names this run dir (a stale pid file
	# must not kill a stranger that got the same pid).
	if [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" != "$pid" ] ||
		{ ! tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$RUN" &&
		  ! tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qF "$RUN"; }; then
		proc_live "$pid" && note "pid $pid ($name) is not the daemon this dir started; not killing"
		return 0
	fi
	kill -TERM -- "-$pid" 2>/dev/null
	for i in $(seq 50); do
		pgrp_alive "$pid" || return 0
		sleep 0.1
	done
	note "$name (pid $pid) ignored SIGTERM; killing"
	kill -KILL -- "-$pid" 2>/dev/null
	for i in $(seq 20); do
		pgrp_alive "$pid" || return 0
		sleep 0.1
	done
	return 0
}

# pgrp_alive PGID: a live (non-zombie) process is left in process group PGID.
pgrp_alive() {
	ps -e -o pgid=,stat= 2>/dev/null | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
}

# wait_banner NAME HOST PORT PREFIX [tls]: wait up to 15 s for the server to
# greet with PREFIX; fail with its log if the daemon died or never answered.
wait_banner() {
	local name=$1 host=$2 port=$3 prefix=$4 tls=${5:-} log
	log=$LOGS/$name.log
	if python3 "$SRV_DIR/srvtool.py" waitbanner "$host" "$port" "$prefix" 15 $tls \
		--alive "$(cat "$PIDS/$name.pid")"; then
		return 0
	fi
	note "$name did not come up on $host:$port; its log follows"
	tail -n 30 "$log" >&2 || true
	return 1
}

# env_put FILE NAME VALUE: append a shell-quoted assignment to FILE.
env_put() {
	printf '%s=%q\n' "$2" "$3" >> "$1"
}
