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
	# command line, environment or open files name this run dir (a stale
	# pid file must not kill a stranger that got the same pid).  proftpd
	# overwrites its command line and environment with its process title,
	# but keeps the log daemon_start gave it as stderr.
	if [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" != "$pid" ] ||
		{ ! tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$RUN" &&
		  ! tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qF "$RUN" &&
		  ! find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 -lname "$RUN/*" 2>/dev/null | grep -q .; }; then
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

# ---- shared by the FTP servers (pure-ftpd, proftpd; vsftpd has its own) ----

# pure-ftpd and proftpd conflict with vsftpd in apt (ftp-server), so
# install-deps.sh --servers unpacks Debian's .debs here (usr/sbin/pure-ftpd,
# usr/sbin/proftpd, usr/lib/proftpd/*.so).
FTPD_ROOT=${FERRY_FTPD_ROOT:-/opt/ferry-test-servers}

FTP_TEST_USER=ferrytest
FTP_TEST_PASS=ferrypass

# ftp_user_ensure: the system user ferrytest/ferrypass (shell /bin/sh, home
# "/"; each server gives it its own home) and the system user ftp.
ftp_user_ensure() {
	if ! getent passwd "$FTP_TEST_USER" >/dev/null; then
		useradd --system --no-create-home --home-dir / \
			--shell /bin/sh --comment "ferry test suite" "$FTP_TEST_USER"
	fi
	# The password as it is (any hash libcrypt knows: chpasswd writes
	# yescrypt on Debian 12), set only when it differs.
	local hash
	hash=$(getent shadow "$FTP_TEST_USER" | cut -d: -f2)
	if ! perl -e 'exit(crypt($ARGV[0], $ARGV[1]) eq $ARGV[1] ? 0 : 1)' \
		"$FTP_TEST_PASS" "$hash" 2>/dev/null; then
		echo "$FTP_TEST_USER:$FTP_TEST_PASS" | chpasswd
	fi
	getent passwd ftp >/dev/null || die "system user ftp is missing (vsftpd's package makes it)"
}

# ftp_samples: the anonymous sample tree $RUN/ftp/anon and its checksums
# $RUN/ftp/anon.sha256, made once (the same tree vsftpd serves).
ftp_samples() {
	local ftp=$RUN/ftp
	mkdir -p "$ftp/anon"
	chown root:root "$ftp" "$ftp/anon"
	chmod 755 "$ftp" "$ftp/anon"
	if [ ! -s "$ftp/anon/20mib.bin" ] || [ ! -s "$ftp/anon.sha256" ]; then
		python3 "$SRV_DIR/srvtool.py" gen-files "$ftp/anon"
		(cd "$ftp/anon" && sha256sum hello.txt 1mib.bin 20mib.bin "with space.txt" sub/nested.txt) \
			> "$ftp/anon.sha256"
	fi
}

# ftp_user_home DIR: a fresh writable home for ferrytest (hello.txt,
# sub/inside.txt), remade at every start.
ftp_user_home() {
	rm -rf "${1:?}"
	mkdir -p "$1/sub"
	cp "$RUN/ftp/anon/hello.txt" "$1/hello.txt"
	echo "A file in the user's subdirectory." > "$1/sub/inside.txt"
	chown -R "$FTP_TEST_USER:" "$1"
	chmod 755 "$1" "$1/sub"
}

# ftp_samples_env FILE: the sample names, sizes and checksums (FTP_SAMPLE_*)
# and the test user (FTP_USER, FTP_PASS), the same values srv-vsftpd.sh
# writes, so a server's tests need no other server.
ftp_samples_env() {
	local env=$1 sum name var
	env_put "$env" FTP_USER "$FTP_TEST_USER"
	env_put "$env" FTP_PASS "$FTP_TEST_PASS"
	env_put "$env" FTP_SAMPLE_SMALL hello.txt
	env_put "$env" FTP_SAMPLE_1M 1mib.bin
	env_put "$env" FTP_SAMPLE_20M 20mib.bin
	env_put "$env" FTP_SAMPLE_SPACE "with space.txt"
	env_put "$env" FTP_SAMPLE_SUBDIR sub
	env_put "$env" FTP_SAMPLE_NESTED sub/nested.txt
	while read -r sum name; do
		case $name in
		hello.txt) var=FTP_SAMPLE_SMALL_SHA256 ;;
		1mib.bin) var=FTP_SAMPLE_1M_SHA256 ;;
		20mib.bin) var=FTP_SAMPLE_20M_SHA256 ;;
		"with space.txt") var=FTP_SAMPLE_SPACE_SHA256 ;;
		sub/nested.txt) var=FTP_SAMPLE_NESTED_SHA256 ;;
		*) continue ;;
		esac
		env_put "$env" "$var" "$sum"
	done < "$RUN/ftp/anon.sha256"
	env_put "$env" FTP_SAMPLE_1M_SIZE 1048576
	env_put "$env" FTP_SAMPLE_20M_SIZE 20971520
}

# ftpd_check BINARY: an unpacked server binary is there and its libraries load.
ftpd_check() {
	[ -x "$1" ] || die "$1 is missing: run tests/servers/install-deps.sh --servers (it unpacks pure-ftpd and proftpd into $FTPD_ROOT)"
	if ldd "$1" 2>/dev/null | grep -q 'not found'; then
		die "$1: libraries missing ($(ldd "$1" | grep 'not found' | awk '{print $1}' | paste -sd' ')): run tests/servers/install-deps.sh --servers"
	fi
}
