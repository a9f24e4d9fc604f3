#!/bin/bash
# quit at a terminal says goodbye to every open session, all at once and
# within a bound.  Five sessions: vsftpd and INN, which answer QUIT, and
# three fake servers that stop reading and writing once QUIT arrives.  ferry
# sends QUIT on all five, reads the live servers' answers, and exits within
# about 2 s (the bound on the goodbye), not 2 s for each dead server: one
# after the other they would take 6 s, so the 4.5 s allowed here leaves room
# for a busy machine and still tells the two apart.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

for name in dead1 dead2 dead3; do
	pty_fake_start "$name" <<'SCRIPT'
proto ftp
on USER => 230 Logged in\r\n
on QUIT {
stall
}
send 220 fake ftp that never answers QUIT\r\n
SCRIPT
	printf -v "PORT_$name" '%s' "$FAKE_PORT"
done

# -d: the trace (on ferry's stderr) shows what each session sent and got.
pty_start -d
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as ftp1"
pty_cmd "open nntp://127.0.0.1:$NNTP_PORT as news"
pty_cmd "open ftp://127.0.0.1:$PORT_dead1 as dead1"
pty_cmd "open ftp://127.0.0.1:$PORT_dead2 as dead2"
pty_cmd "open ftp://127.0.0.1:$PORT_dead3 as dead3"
pty_cmd_output "sessions"
for name in ftp1 news dead1 dead2 dead3; do
	pty_expect_out "^[ *] +[0-9]+ +$name +[a-z]+ +[^ ]+ +ready " "session $name is not open and ready before quit"
done

t0=${EPOCHREALTIME/./}
status=$(pty_quit)
ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
[ "$ms" -le 4500 ] || pty_fail "ferry took $ms ms to exit after quit (bound: about 2 s)"

for name in ftp1 news dead1 dead2 dead3; do
	grep -Eq "^(ferry: )?\[$name\] > QUIT" "$W/ferry.stderr" ||
		pty_fail "no QUIT sent on session $name (trace in ferry's stderr)"
done
grep -Eq '^(ferry: )?\[ftp1\] < 221' "$W/ferry.stderr" ||
	pty_fail "ferry did not read vsftpd's 221 to QUIT before exiting"
grep -Eq '^(ferry: )?\[news\] < 205' "$W/ferry.stderr" ||
	pty_fail "ferry did not read INN's 205 to QUIT before exiting"
for name in dead1 dead2 dead3; do
	pty_fake_wait_line "$name" '^QUIT$' 1
done
t_pass
