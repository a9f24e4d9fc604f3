#!/bin/bash
# quit at a terminal says goodbye to every open session, all at once and
# within a bound.  Five sessions: vsftpd and INN, which answer QUIT, and
# three fake servers that stop reading and writing once QUIT arrives.  ferry
# sends QUIT on all five, reads the live servers' answers, and exits within
# about 2 s (the bound on the goodbye), not 2 s for each dead server: one
# after the other they would take 6 s, so the 4.5 s allowed here leaves room
# for a busy machine and still tells the two apart.  The trace is read from
# the moment quit is typed, so every QUIT and answer counted is the
# goodbye's.
# Then Ctrl-D at an empty prompt: the same bounded goodbye, on an FTP and
# an NNTP server that both go silent at QUIT (3.5 s allowed: one after the
# other they would take 4 s).
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

# dead_server NAME PROTO GREETING: a fake server that logs in anyone and
# goes silent at QUIT; PORT_NAME is its port.
dead_server() {
	pty_fake_start "$1" <<SCRIPT
proto $2
on USER => 230 Logged in\r\n
on QUIT {
stall
}
send $3 fake $2 server that never answers QUIT\r\n
SCRIPT
	printf -v "PORT_$1" '%s' "$FAKE_PORT"
}

for name in dead1 dead2 dead3; do
	dead_server "$name" ftp 220
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

# Nothing said goodbye before quit.
[ "$(pty_err_count '> QUIT')" = 0 ] || pty_fail "QUIT was sent before quit was typed"
pty_err_mark
t0=${EPOCHREALTIME/./}
status=$(pty_quit)
ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
[ "$ms" -le 4500 ] || pty_fail "ferry took $ms ms to exit after quit (bound: about 2 s)"

for name in ftp1 news dead1 dead2 dead3; do
	[ "$(pty_err_count "^(ferry: )?\[$name\] > QUIT\$")" = 1 ] ||
		pty_fail "not one QUIT sent on session $name after quit (trace in ferry's stderr)"
done
[ "$(pty_err_count '^(ferry: )?\[ftp1\] < 221')" = 1 ] ||
	pty_fail "ferry did not read vsftpd's 221 to QUIT before exiting"
[ "$(pty_err_count '^(ferry: )?\[news\] < 205')" = 1 ] ||
	pty_fail "ferry did not read INN's 205 to QUIT before exiting"
for name in dead1 dead2 dead3; do
	pty_fake_wait_line "$name" '^QUIT$' 1
done

# Ctrl-D: the same goodbye, bounded, on FTP and NNTP servers gone silent.
dead_server deadnews nntp 200
dead_server dead4 ftp 220
pty_restart -d
pty_cmd "open nntp://127.0.0.1:$PORT_deadnews as deadnews"
pty_cmd "open ftp://127.0.0.1:$PORT_dead4 as dead4"
pty_cmd_output "sessions"
for name in deadnews dead4; do
	pty_expect_out "^[ *] +[0-9]+ +$name +[a-z]+ +[^ ]+ +ready " "session $name is not open and ready before Ctrl-D"
done
pty_err_mark
t0=${EPOCHREALTIME/./}
pty_send C-d
status=$(pty_wait_exit 15)
ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
[ "$status" = 0 ] || pty_fail "ferry exited with $status after Ctrl-D"
[ "$ms" -le 3500 ] || pty_fail "ferry took $ms ms to exit after Ctrl-D (bound: about 2 s)"
for name in deadnews dead4; do
	[ "$(pty_err_count "^(ferry: )?\[$name\] > QUIT\$")" = 1 ] ||
		pty_fail "not one QUIT sent on session $name after Ctrl-D (trace in ferry's stderr)"
	pty_fake_wait_line "$name" '^QUIT$' 1
done
t_pass
