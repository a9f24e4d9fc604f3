#!/bin/bash
# At a terminal the shell starts with what worked (issue 10): a URL of the
# command line that fails and a failing `open` in the rc file each print a
# warning (the rc one with its file and line), the sessions that connected
# stay, the focus stays on the one that worked, and ferry exits 0 at quit.
# A certificate that does not verify for a URL of the command line is asked
# about, as for an `open` typed at the prompt.  (In batch mode the statuses
# stay: tests/servers/batch/t_focus.sh.)
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"
P=$(closed_port)

printf 'set tls:ca-file %s\n\nopen ftp://127.0.0.1:%s as rcbad\n' "$CA_FILE" "$P" > "$RC"
pty_start "ftp://127.0.0.1:$FTP_PORT" "nntp://127.0.0.1:$P"
pty_wait_line '^ferry 127\.0\.0\.1:/> ?$'
grep -Eq "ferry: .*/ferry/ferryrc:3: open: rcbad: cannot connect to 127\.0\.0\.1 port $P: Connection refused" \
	"$W/ferry.stderr" || pty_fail "no warning naming the rc file and line"
grep -Eq "ferry: open: 127\.0\.0\.1-2: cannot connect to 127\.0\.0\.1 port $P: Connection refused" "$W/ferry.stderr" ||
	pty_fail "no warning for the URL that failed"
pty_cmd_output "sessions"
pty_expect_out '^\* +[0-9]+ +127\.0\.0\.1 +ftp ' "the session that connected is not listed and focused"
pty_expect_no_out 'rcbad|nntp' "a session that failed is listed"
pty_cmd_output "pwd"
[ "$PTY_OUT" = / ] || pty_fail "pwd does not print /"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after a start with a failed URL"

# A certificate that does not verify, for a URL of the command line: the
# question, as at the prompt; "o" connects and the prompt shows the session.
tm kill-session -t "$PTY_SESSION"
PTY_PROMPTS=0
PTY_NO_WAIT=1 pty_start --no-rc "ftpes://127.0.0.1:$FTP_PORT"
pty_wait_line 'Trust this certificate for 127\.0\.0\.1 port [0-9]+\? \[o\]nce, \[a\]lways, \[N\]o:' 20
pty_type o
pty_send Enter
pty_wait_line '^ferry 127\.0\.0\.1:/> ?$'
PTY_PROMPTS=$(pty_count_prompts)
pty_cmd_output "ls"
pty_expect_out 'hello\.txt' "ls after trusting at start shows no hello.txt"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status"
t_pass
