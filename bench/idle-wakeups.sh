#!/bin/bash
# bench/idle-wakeups.sh - how often an idle interactive ferry wakes up.
# ferry runs at a terminal (a pane of a tmux server of its own) with three
# sessions open: two FTP to vsftpd, one NNTP to INN (both upgraded to TLS
# by AUTH TLS / STARTTLS), net:keepalive 10.  Nothing is typed for SECONDS
# (default 30) while strace records every poll() it makes.
#
#   bench/idle-wakeups.sh [SECONDS]
#
# Expected: only the keepalive timers wake it.  Each session's timer fires
# every 10 s from its login, so 30 s hold 3 keepalives per session, 9 in
# all; each is a poll that times out (the timer), one that returns at once
# (the socket is writable: NOOP or DATE goes out), and one that returns with
# the reply.  So 27 poll calls, 18 of which ended a sleep (give or take
# one at each end of the window).
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
SECS=${1:-30}
command -v strace >/dev/null || apt-get install -y -qq strace >/dev/null
command -v tmux >/dev/null || apt-get install -y -qq tmux >/dev/null
bench_servers "vsftpd inn"

TM=(tmux -S "$W/tmux.sock" -f /dev/null)   # a private tmux server
bench_cleanup() { "${TM[@]}" kill-server 2>/dev/null; }
"${TM[@]}" new-session -d -s idle -x 160 -y 50 "exec $FERRY --no-rc"

# until TEXT: wait (10 s at most) for TEXT on the screen.
until_shown() {
	local _
	for _ in $(seq 100); do
		"${TM[@]}" capture-pane -p -t idle | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	"${TM[@]}" capture-pane -p -t idle >&2
	die "no '$1' on ferry's screen"
}
type_line() { "${TM[@]}" send-keys -t idle -l -- "$1"; "${TM[@]}" send-keys -t idle Enter; }

until_shown 'ferry>'
type_line "set tls:ca-file $CA_FILE"
type_line "set net:keepalive 10"
type_line "open ftp://127.0.0.1:$FTP_PORT as ftp1"
until_shown 'ftp1: connected'
type_line "open ftp://127.0.0.1:$FTP_PORT as ftp2"
until_shown 'ftp2: connected'
type_line "open nntp://127.0.0.1:$NNTP_PORT as news"
until_shown 'news: connected'
type_line sessions
sleep 1
pid=$("${TM[@]}" list-panes -t idle -F '#{pane_pid}')
[ "$(cat "/proc/$pid/comm")" = ferry ] || die "pane $pid is not ferry"

timeout -s INT "$SECS" strace -f -tt -e trace=poll,ppoll,select,pselect6,epoll_wait,epoll_pwait,restart_syscall \
	-o "$W/strace.txt" -p "$pid" 2>/dev/null || true
"${TM[@]}" capture-pane -p -t idle | grep -E '^ *[* ] [0-9]' || true

# Count returns: a call still blocked when strace detached has none; the
# one strace interrupted by attaching ends as restart_syscall.
grep -E '= [0-9]+( |$)' "$W/strace.txt" > "$W/polls.txt" || true
calls=$(wc -l < "$W/polls.txt")
timeouts=$(grep -cE '= 0( \(Timeout\))?$' "$W/polls.txt" || true)
outs=$(grep -c 'revents=POLLOUT}' "$W/polls.txt" || true)
ins=$(grep -c 'revents=POLLIN}' "$W/polls.txt" || true)
echo "idle ferry, 3 sessions, net:keepalive 10, $SECS s under strace:"
echo "  poll returns: $calls (timer expiries $timeouts, writable $outs, readable $ins, other $((calls - timeouts - outs - ins)))"
each=$((SECS / 10))
echo "  sleeps ended: $((timeouts + ins)); expected about $((each * 3 * 2)) (3 sessions x $each keepalives x (timer + reply))"
