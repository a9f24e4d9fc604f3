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
pty_wait_for '^ferry sec:/> ?$'
PTY_PROMPTS=$(pty_count_prompts)
pty_cmd "ls"
pty_screen | grep -q 'hello\.txt' || pty_fail "ls after trusting shows no hello.txt"
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
pty_cmd "sessions"
pty_screen | grep -Eq '^ +[0-9]+ +news ' && pty_fail "a refused session is still listed"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status"

# A new run trusts the recorded certificate without asking.
tm kill-session -t "$PTY_SESSION"
PTY_PROMPTS=0
pty_start --no-rc
pty_cmd "open ftpes://127.0.0.1:$FTP_PORT as again"
pty_screen | grep -q 'Trust this certificate' && pty_fail "asked again for a certificate trusted always"
pty_cmd "pwd"
pty_screen | tail -n 2 | head -n 1 | grep -qx '/' || pty_fail "pwd on the trusted session does not print /"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status"
t_pass
