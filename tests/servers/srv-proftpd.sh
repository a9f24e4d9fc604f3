#!/bin/bash
# srv-proftpd.sh start|stop STATE - proftpd 1.3.8 (standalone, mod_tls) on
# 127.0.0.1, one process:
#   PROFTPD_PORT           plain FTP, explicit FTPS optional (AUTH TLS);
#                          data connections must resume the control
#                          connection's TLS session (mod_tls's default)
#   PROFTPD_IMPLICIT_PORT  implicit FTPS (a <VirtualHost> with UseImplicitSSL)
# Anonymous: the read-only sample tree vsftpd serves (same names, same
# checksums).  User ferrytest/ferrypass: chrooted in its own home
# PROFTPD_USER_HOME (from an AuthUserFile), reset at every start.
# proftpd pauses ~0.4 s after each session before it accepts the next one
# (tests/servers/README.md): back-to-back short sessions each pay that.
#
# The binary and modules are Debian's, unpacked by install-deps.sh into
# $FTPD_ROOT (apt would remove vsftpd for them).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
action=$1
state_init "$2"

PROFTPD=$FTPD_ROOT/usr/sbin/proftpd
MODDIR=$FTPD_ROOT/usr/lib/proftpd
DIR=$RUN/proftpd

start() {
	ftpd_check "$PROFTPD"
	[ -f "$MODDIR/mod_tls.so" ] || die "$MODDIR/mod_tls.so is missing (proftpd-mod-crypto): run tests/servers/install-deps.sh --servers"
	. "$STATE/env.d/certs.sh"
	ftp_user_ensure
	ftp_samples
	rm -rf "$DIR"
	mkdir -p "$DIR"
	chmod 755 "$DIR"
	ftp_user_home "$DIR/home"
	local uid gid hash
	uid=$(id -u "$FTP_TEST_USER")
	gid=$(id -g "$FTP_TEST_USER")
	hash=$(openssl passwd -6 "$FTP_TEST_PASS")
	printf '%s:%s:%s:%s:ferry test suite:%s:/bin/sh\n' \
		"$FTP_TEST_USER" "$hash" "$uid" "$gid" "$DIR/home" > "$DIR/passwd"
	printf '%s:x:%s:\n' "$(id -gn "$FTP_TEST_USER")" "$gid" > "$DIR/group"
	chmod 600 "$DIR/passwd"
	chmod 644 "$DIR/group"

	local port iport conf=$DIR/proftpd.conf
	read -r port iport <<<"$(free_ports 2)"
	python3 "$SRV_DIR/subst.py" "$SRV_DIR/conf/proftpd.conf.in" "$conf" \
		PORT="$port" IMPLICIT_PORT="$iport" DIR="$DIR" LOGS="$LOGS" \
		MODDIR="$MODDIR" CERT="$SERVER_CERT" KEY="$SERVER_KEY" CA="$CA_FILE" \
		ANON_ROOT="$RUN/ftp/anon"
	chmod 600 "$conf"
	if ! "$PROFTPD" -t -c "$conf" > "$LOGS/proftpd-configtest.log" 2>&1; then
		cat "$LOGS/proftpd-configtest.log" >&2
		die "proftpd rejects $conf"
	fi
	# No port below 1024 for anyone: active-mode data from an ephemeral port.
	daemon_start proftpd "$LOGS/proftpd.log" \
		setpriv --bounding-set -net_bind_service "$PROFTPD" -n -q -c "$conf"
	# Both at once: proftpd pauses ~0.4 s after each session.
	local w1 w2
	wait_banner proftpd 127.0.0.1 "$port" 220 & w1=$!
	wait_banner proftpd 127.0.0.1 "$iport" 220 --tls & w2=$!
	wait "$w1" || { wait "$w2" || true; die "proftpd did not come up"; }
	wait "$w2" || die "proftpd (implicit FTPS) did not come up"

	local env=$STATE/env.d/proftpd.sh
	: > "$env"
	env_put "$env" PROFTPD_HOST 127.0.0.1
	env_put "$env" PROFTPD_PORT "$port"
	env_put "$env" PROFTPD_IMPLICIT_PORT "$iport"
	env_put "$env" PROFTPD_USER_HOME "$DIR/home"
	env_put "$env" PROFTPD_ANON_ROOT "$RUN/ftp/anon"
	ftp_samples_env "$env"
	note "proftpd: ftp $port, implicit ftps $iport"
}

stop() {
	daemon_stop proftpd
	rm -f "$STATE/env.d/proftpd.sh"
}

case $action in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop STATE" ;;
esac
