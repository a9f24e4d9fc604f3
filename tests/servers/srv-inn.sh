#!/bin/bash
# srv-inn.sh start|stop STATE - an INN 2.7 instance in STATE/run/inn:
#   innd -f             the spool, on INN_PORT (feeds only: noreader)
#   nnrpd -D -f         readers on NNTP_PORT: plain, STARTTLS offered
#   nnrpd -D -S -f      readers on NNTPS_PORT: implicit TLS
# Groups ferry.test (8 articles), ferry.empty, ferry.post, ferry.thread (7
# articles in threads, for index), ferry.mime (a multipart article with
# attachments, for read, save, search and hdr), a.private.group
# (readable after AUTHINFO ferrytest/ferrypass) and ferry.big (articles
# 2147483645..2147483647: INN refuses numbers past 2^31-1 with "437 Newsgroup
# full", so numbers above 2^31 need the fake server), fed through rnews at
# every start (fresh spool each time).
# Expected bodies, Message-IDs and subjects: STATE/content/news/GROUP/N.*
set -euo pipefail
. "$(dirname "$0")/lib.sh"
action=$1
state_init "$2"
unset INNCONF

INN=$RUN/inn
NNTP_USER=ferrytest
NNTP_PASS=ferrypass
NEWSBIN=/usr/lib/news/bin

as_news() { setpriv --reuid=news --regid=news --init-groups env INNCONF="$INN/etc/inn.conf" "$@"; }

prepare() {
	. "$STATE/env.d/certs.sh"
	rm -rf "$INN"
	mkdir -p "$INN"/{etc,db,run,log,http,tmp} \
		"$INN"/spool/{articles,overview,incoming/tmp,incoming/bad,outgoing,archive}
	# Package defaults for the files not written below (control.ctl, ...).
	cp -a /etc/news/. "$INN/etc/"
	rm -f "$INN/etc/inn.conf" "$INN/etc/readers.conf"
	python3 "$SRV_DIR/subst.py" "$SRV_DIR/conf/inn.conf.in" "$INN/etc/inn.conf" \
		INN="$INN" INN_PORT="$INN_PORT"
	python3 "$SRV_DIR/subst.py" "$SRV_DIR/conf/readers.conf.in" "$INN/etc/readers.conf" \
		INN="$INN" NNTP_USER="$NNTP_USER"
	cat > "$INN/etc/newsfeeds" <<-'EOF'
		# No outgoing feeds: this instance only stores what rnews gives it.
		ME:*::
	EOF
	cat > "$INN/etc/incoming.conf" <<-'EOF'
		streaming: true
		max-connections: 8
		peer ME {
		  hostname: "localhost, 127.0.0.1, ::1"
		}
	EOF
	cat > "$INN/etc/storage.conf" <<-'EOF'
		method tradspool {
		    newsgroups: *
		    class: 0
		}
	EOF
	cat > "$INN/etc/expire.ctl" <<-'EOF'
		/remember/:0
		*:A:never:never:never
	EOF
	printf '%s:%s\n' "$NNTP_USER" "$(openssl passwd -6 "$NNTP_PASS")" > "$INN/etc/passwd"
	cp "$CA_FILE" "$INN/etc/ca.pem"
	cp "$SERVER_CERT" "$INN/etc/cert.pem"
	cp "$SERVER_KEY" "$INN/etc/key.pem"

	local news=$STATE/content/news
	rm -rf "$news"
	python3 "$SRV_DIR/srvtool.py" gen-news "$news"
	cp "$news/active" "$INN/db/active"
	cp "$news/newsgroups" "$INN/db/newsgroups"
	cp "$news/active.times" "$INN/db/active.times"
	: > "$INN/db/history"
	chown -R news:news "$INN"
	chmod 600 "$INN/etc/key.pem" "$INN/etc/passwd"
	chmod 755 "$INN"
	(cd "$INN/db" && as_news "$NEWSBIN/makedbz" -i -o -s 1000) ||
		die "makedbz failed"
}

nntp_check() { # PORT COMMANDS... : print the server's replies
	python3 - "$@" <<-'EOF'
		import socket, sys
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
		f = s.makefile("rb")
		out = [f.readline().decode("latin-1").rstrip()]
		for cmd in sys.argv[2:]:
		    s.sendall(cmd.encode() + b"\r\n")
		    out.append(f.readline().decode("latin-1").rstrip())
		s.sendall(b"QUIT\r\n")
		print("\n".join(out))
	EOF
}

start() {
	[ -x "$NEWSBIN/innd" ] || die "inn2 is not installed"
	read -r INN_PORT NNTP_PORT NNTPS_PORT <<<"$(free_ports 3)"
	prepare
	cd "$INN"
	# innd starts as root, binds, drops to news; -N: no Perl/Python filters.
	daemon_start innd "$LOGS/innd.log" env INNCONF="$INN/etc/inn.conf" "$NEWSBIN/innd" -f -N -u
	wait_banner innd 127.0.0.1 "$INN_PORT" 20

	# The sample articles, in order (article numbers follow arrival).
	as_news "$NEWSBIN/rnews" -N -v < "$STATE/content/news/batch" > "$LOGS/rnews.log" 2>&1 ||
		{ cat "$LOGS/rnews.log" >&2; die "rnews failed"; }

	daemon_start nnrpd "$LOGS/nnrpd.log" env INNCONF="$INN/etc/inn.conf" \
		"$NEWSBIN/nnrpd" -D -f -n -4 127.0.0.1 -p "$NNTP_PORT"
	daemon_start nnrpd-tls "$LOGS/nnrpd-tls.log" env INNCONF="$INN/etc/inn.conf" \
		"$NEWSBIN/nnrpd" -D -f -n -S -4 127.0.0.1 -p "$NNTPS_PORT"
	wait_banner nnrpd 127.0.0.1 "$NNTP_PORT" 20
	wait_banner nnrpd-tls 127.0.0.1 "$NNTPS_PORT" 20 --tls

	# The spool must answer with what was fed before anyone relies on it.
	local want got i
	want="211 8 1 8 ferry.test|211 3 2147483645 2147483647 ferry.big"
	for i in $(seq 50); do
		got=$(nntp_check "$NNTP_PORT" "GROUP ferry.test" "GROUP ferry.big" 2>/dev/null |
			sed -n '2,3p' | paste -sd'|')
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	[ "$got" = "$want" ] || {
		cat "$LOGS/rnews.log" >&2
		die "INN holds the wrong articles: got '$got', want '$want'"
	}

	local env=$STATE/env.d/inn.sh news=$STATE/content/news
	: > "$env"
	env_put "$env" NNTP_HOST 127.0.0.1
	env_put "$env" NNTP_PORT "$NNTP_PORT"
	env_put "$env" NNTPS_PORT "$NNTPS_PORT"
	env_put "$env" INN_PORT "$INN_PORT"
	env_put "$env" NNTP_USER "$NNTP_USER"
	env_put "$env" NNTP_PASS "$NNTP_PASS"
	env_put "$env" NNTP_INNCONF "$INN/etc/inn.conf"
	env_put "$env" NNTP_CONTENT "$news"
	env_put "$env" NNTP_GROUP ferry.test
	env_put "$env" NNTP_GROUP_COUNT 8
	env_put "$env" NNTP_EMPTY_GROUP ferry.empty
	env_put "$env" NNTP_POST_GROUP ferry.post
	env_put "$env" NNTP_THREAD_GROUP ferry.thread
	env_put "$env" NNTP_MIME_GROUP ferry.mime
	env_put "$env" NNTP_PRIVATE_GROUP a.private.group
	env_put "$env" NNTP_PRIVATE_COUNT 2
	env_put "$env" NNTP_BIG_GROUP ferry.big
	env_put "$env" NNTP_BIG_FIRST 2147483645
	env_put "$env" NNTP_BIG_LAST 2147483647
	env_put "$env" NNTP_DOTS_ARTICLE 3
	local n
	for n in $(seq 8); do
		env_put "$env" "NNTP_MSGID_$n" "$(cat "$news/ferry.test/$n.msgid")"
	done
	note "inn: nntp $NNTP_PORT, nntps $NNTPS_PORT, innd $INN_PORT"
}

stop() {
	daemon_stop nnrpd-tls
	daemon_stop nnrpd
	if pid_alive innd && [ -f "$INN/etc/inn.conf" ]; then
		# A clean shutdown is quicker than SIGTERM, which innd may sit on.
		timeout 5 env INNCONF="$INN/etc/inn.conf" "$NEWSBIN/ctlinnd" -t 5 shutdown "ferry tests done" \
			>/dev/null 2>&1 || true
		local i
		for i in $(seq 30); do
			pid_alive innd || break
			sleep 0.1
		done
	fi
	daemon_stop innd
	rm -f "$STATE/env.d/inn.sh"
}

case $action in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop STATE" ;;
esac
