#!/bin/bash
# A certificate that does not verify, at the terminal: ferry shows why and
# its SHA-256 fingerprint, and asks.  "a" (always) connects and records it in
# $XDG_DATA_HOME/ferry/trusted, so the next run connects without asking;
# "n" refuses: no session is kept and the prompt comes back.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

norm() { tr -d ':' | tr 'A-F' 'a-f'; }
TRUSTED=$XDG_DATA_HOME/ferry/trusted

# --no-rc: the suite's rc would trust the test CA.
pty_start --no-rc
pty_type "open ftpes://127.0.0.1:$FTP_PORT as sec"
pty_send Enter
pty_wait_for 'Trust this certificate for 127\.0\.0\.1 port [0-9]+\? \[o\]nce, \[a\]lways, \[N\]o:'
grep -q "SHA-256 fingerprint" "$W/ferry.stderr" || pty_fail "the error does not give the fingerprint"
pty_type a
pty_send Enter
pty_wait_line '^ferry sec:/> ?$'
PTY_PROMPTS=$(pty_count_prompts)
pty_cmd_output "ls"
pty_expect_out 'hello\.txt' "ls after trusting shows no hello.txt"
[ -f "$TRUSTED" ] || pty_fail "nothing recorded in $TRUSTED"
line=$(grep "^127\.0\.0\.1:$FTP_PORT " "$TRUSTED") || pty_fail "no line for 127.0.0.1:$FTP_PORT in $TRUSTED"
[ "$(echo "${line#* }" | norm)" = "$(echo "$SERVER_CERT_SHA256" | norm)" ] ||
	pty_fail "recorded fingerprint ${line#* } is not the server's"
[ "$(stat -c %a "$TRUSTED")" = 600 ] || pty_fail "$TRUSTED is not mode 600"

# "n": refused, nothing kept, the prompt is back on the FTP session.
n=$PTY_PROMPTS
pty_type "open nntps://127.0.0.1:$NNTPS_PORT as news"
pty_send Enter
pty_wait_for "Trust this certificate for 127\.0\.0\.1 port $NNTPS_PORT\?"
pty_type n
pty_send Enter
pty_wait_prompts $((n + 1))
pty_cmd_output "sessions"
pty_expect_out '^\* +[0-9]+ +sec +ftp ' "sessions does not list sec as the focused session"
pty_expect_no_out '^[ *] +[0-9]+ +news ' "a refused session is still listed"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status"

# A new run trusts the recorded certificate without asking.
pty_restart --no-rc
pty_cmd_output "open ftpes://127.0.0.1:$FTP_PORT as again"
pty_expect_no_out 'Trust this certificate' "asked again for a certificate trusted always"
pty_wait_line '^ferry again:/> ?$'
pty_cmd_output "pwd"
[ "$PTY_OUT" = / ] || pty_fail "pwd on the trusted session does not print / alone"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status"
t_pass
