#!/bin/bash
# srv-pureftpd.sh start|stop STATE - pure-ftpd 1.0.50 (standalone) on
# 127.0.0.1:PUREFTPD_PORT: plain FTP, explicit FTPS optional (AUTH TLS, -Y 1;
# pure-ftpd does not require TLS session reuse on data connections).
# No implicit FTPS (pure-ftpd has none).
# Anonymous: the read-only sample tree vsftpd serves (same names, same
# checksums).  User ferrytest/ferrypass: chrooted (-A) in its own home
# PUREFTPD_USER_HOME, reset at every start.
#
# The binary is Debian's, unpacked by install-deps.sh into $FTPD_ROOT (apt
# would remove vsftpd for it).  It runs as root under an LD_PRELOAD shim
# (ftpshim.c, built here): binds below port 1024 fail, so active-mode data
# connections come from an ephemeral port instead of port 20, and the homes
# of "ftp" (anonymous) and "ferrytest" are this run's folders.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
action=$1
state_init "$2"

PURE=$FTPD_ROOT/usr/sbin/pure-ftpd
DIR=$RUN/pureftpd

shim() {
	local so=$DIR/ftpshim.so
	if [ ! -s "$so" ] || [ "$SRV_DIR/ftpshim.c" -nt "$so" ]; then
		command -v cc >/dev/null || die "no C compiler for the pure-ftpd shim"
		cc -shared -fPIC -O2 -o "$so.tmp" "$SRV_DIR/ftpshim.c" -ldl ||
			die "cannot build $SRV_DIR/ftpshim.c"
		mv "$so.tmp" "$so"
	fi
	chmod 755 "$so"
}

start() {
	ftpd_check "$PURE"
	. "$STATE/env.d/certs.sh"
	ftp_user_ensure
	ftp_samples
	mkdir -p "$DIR"
	chmod 755 "$DIR"
	ftp_user_home "$DIR/home"
	shim
	local port
	read -r port <<<"$(free_ports 1)"
	# -S bind  -l unix: system accounts  -A chroot everyone  -H no DNS
	# -Y 1: TLS optional  -2 certificate,key  -L 100000:10 (default 10000:5
	# truncates big listings)  -i anonymous cannot upload  -f none: no
	# syslog (pure-ftpd cannot log to stderr)  -u 1: any user but root
	# -g pid file (default /var/run/pure-ftpd.pid)  -O transfer log.
	daemon_start pureftpd "$LOGS/pureftpd.log" \
		env LD_PRELOAD="$DIR/ftpshim.so" \
		FERRY_SHIM_HOMES="ftp=$RUN/ftp/anon:$FTP_TEST_USER=$DIR/home" \
		FERRY_SERVERS_RUN="$RUN" \
		"$PURE" -S "127.0.0.1,$port" -l unix -A -H -Y 1 \
		-2 "$SERVER_CERT,$SERVER_KEY" -L 100000:10 -i -f none -u 1 -g "$DIR/pure-ftpd.pid" \
		-O "clf:$LOGS/pureftpd-transfer.log"
	wait_banner pureftpd 127.0.0.1 "$port" 220

	local env=$STATE/env.d/pureftpd.sh
	: > "$env"
	env_put "$env" PUREFTPD_HOST 127.0.0.1
	env_put "$env" PUREFTPD_PORT "$port"
	env_put "$env" PUREFTPD_USER_HOME "$DIR/home"
	env_put "$env" PUREFTPD_ANON_ROOT "$RUN/ftp/anon"
	ftp_samples_env "$env"
	note "pure-ftpd: ftp $port"
}

stop() {
	daemon_stop pureftpd
	rm -f "$STATE/env.d/pureftpd.sh"
}

case $action in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop STATE" ;;
esac
