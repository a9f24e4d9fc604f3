#!/bin/bash
# srv-vsftpd.sh start|stop STATE - three vsftpd instances on 127.0.0.1:
#   main      FTP_PORT            plain FTP, explicit FTPS optional (AUTH TLS),
#                                 require_ssl_reuse=YES
#   implicit  FTPS_IMPLICIT_PORT  implicit FTPS (TLS from the first byte)
#   slow      FTP_SLOW_PORT       like main, anonymous downloads at
#                                 FTP_SLOW_RATE bytes/s (for Ctrl-C tests)
# and, when the machine has ::1, one on IPv6 loopback:
#   v6        FTP6_PORT           like main, on [::1] (vsftpd takes one
#                                 address family per process)
# Anonymous: read-only sample files.  User ferrytest/ferrypass: chrooted,
# writable home, reset at every start.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
action=$1
state_init "$2"
. "$STATE/env.d/certs.sh"

INSTANCES=(main implicit slow)
FTP_USER=ferrytest
FTP_PASS=ferrypass
FTP_SLOW_RATE=262144

ensure_user() {
	if ! getent passwd "$FTP_USER" >/dev/null; then
		# PAM's pam_shells wants a shell from /etc/shells.  vsftpd
		# changes into the home before local_root, so it must exist: "/".
		useradd --system --no-create-home --home-dir / \
			--shell /bin/sh --comment "ferry test suite" "$FTP_USER"
	fi
	[ "$(getent passwd "$FTP_USER" | cut -d: -f6)" = / ] || usermod --home / "$FTP_USER"
	local hash salt
	hash=$(getent shadow "$FTP_USER" | cut -d: -f2)
	salt=$(printf '%s' "$hash" | cut -d'$' -f3)
	if [ "$(openssl passwd -6 -salt "$salt" "$FTP_PASS" 2>/dev/null)" != "$hash" ]; then
		echo "$FTP_USER:$FTP_PASS" | chpasswd
	fi
	getent passwd ftp >/dev/null || die "system user ftp is missing (vsftpd's package makes it)"
}

prepare_tree() {
	local ftp=$RUN/ftp
	mkdir -p "$ftp/anon" "$ftp/empty"
	chown root:root "$ftp" "$ftp/anon" "$ftp/empty"
	chmod 755 "$ftp" "$ftp/anon" "$ftp/empty"
	if [ ! -s "$ftp/anon/20mib.bin" ] || [ ! -s "$ftp/anon.sha256" ]; then
		python3 "$SRV_DIR/srvtool.py" gen-files "$ftp/anon"
		(cd "$ftp/anon" && sha256sum hello.txt 1mib.bin 20mib.bin "with space.txt" sub/nested.txt) \
			> "$ftp/anon.sha256"
	fi
	# The user's home: fresh at every start, so uploads never meet leftovers.
	rm -rf "${ftp:?}/home"
	mkdir -p "$ftp/home/sub"
	cp "$ftp/anon/hello.txt" "$ftp/home/hello.txt"
	echo "A file in the user's subdirectory." > "$ftp/home/sub/inside.txt"
	chown -R "$FTP_USER:" "$ftp/home"
	chmod 755 "$ftp/home" "$ftp/home/sub"
}

start() {
	command -v vsftpd >/dev/null || die "vsftpd is not installed"
	ensure_user
	prepare_tree
	read -r FTP_PORT FTPS_IMPLICIT_PORT FTP_SLOW_PORT FTP6_PORT <<<"$(free_ports 4)"
	if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
		INSTANCES+=(v6)
	else
		FTP6_PORT=
		note "vsftpd: no ::1 on this machine; no IPv6 instance"
	fi
	mkdir -p "$RUN/vsftpd"
	local inst port extra conf
	for inst in "${INSTANCES[@]}"; do
		case $inst in
		main) port=$FTP_PORT extra= ;;
		implicit) port=$FTPS_IMPLICIT_PORT extra=implicit_ssl=YES ;;
		slow) port=$FTP_SLOW_PORT extra=anon_max_rate=$FTP_SLOW_RATE ;;
		# The last setting wins: IPv6 only, on ::1.
		v6) port=$FTP6_PORT extra=$'listen=NO\nlisten_ipv6=YES\nlisten_address6=::1' ;;
		esac
		conf=$RUN/vsftpd/$inst.conf
		python3 "$SRV_DIR/subst.py" "$SRV_DIR/conf/vsftpd.conf.in" "$conf" \
			PORT="$port" INSTANCE="$inst" ANON_ROOT="$RUN/ftp/anon" \
			USER_HOME="$RUN/ftp/home" EMPTY_DIR="$RUN/ftp/empty" \
			CERT="$SERVER_CERT" KEY="$SERVER_KEY" \
			LOG="$LOGS/vsftpd-$inst.protocol.log" EXTRA="$extra"
		chmod 600 "$conf"
		daemon_start "vsftpd-$inst" "$LOGS/vsftpd-$inst.log" vsftpd "$conf"
	done
	wait_banner vsftpd-main 127.0.0.1 "$FTP_PORT" 220
	wait_banner vsftpd-implicit 127.0.0.1 "$FTPS_IMPLICIT_PORT" 220 --tls
	wait_banner vsftpd-slow 127.0.0.1 "$FTP_SLOW_PORT" 220
	[ -z "$FTP6_PORT" ] || wait_banner vsftpd-v6 ::1 "$FTP6_PORT" 220

	local env=$STATE/env.d/vsftpd.sh
	: > "$env"
	env_put "$env" FTP_HOST 127.0.0.1
	env_put "$env" FTP_PORT "$FTP_PORT"
	env_put "$env" FTPS_IMPLICIT_PORT "$FTPS_IMPLICIT_PORT"
	env_put "$env" FTP_SLOW_PORT "$FTP_SLOW_PORT"
	env_put "$env" FTP_SLOW_RATE "$FTP_SLOW_RATE"
	env_put "$env" FTP6_PORT "$FTP6_PORT"
	ftp_samples_env "$env"
	env_put "$env" FTP_ANON_ROOT "$RUN/ftp/anon"
	env_put "$env" FTP_USER_HOME "$RUN/ftp/home"
	note "vsftpd: ftp $FTP_PORT, implicit ftps $FTPS_IMPLICIT_PORT, slow $FTP_SLOW_PORT${FTP6_PORT:+, ipv6 $FTP6_PORT}"
}

stop() {
	local inst
	for inst in "${INSTANCES[@]}" v6; do
		daemon_stop "vsftpd-$inst"
	done
	rm -f "$STATE/env.d/vsftpd.sh"
}

case $action in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop STATE" ;;
esac
