#!/bin/bash
# Tab completion in a terminal: a command prefix ("sess" -> "sessions"), a
# session name after "use ", a setting after "set ".
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as labftp"
pty_cmd "open nntp://127.0.0.1:$NNTP_PORT as labnews"

pty_type "sess"
pty_send Tab
pty_wait_for '^ferry.*> sessions ?$'
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
pty_screen | grep -q labftp || pty_fail "sessions does not list labftp"
pty_screen | grep -q labnews || pty_fail "sessions does not list labnews"

pty_type "use labn"
pty_send Tab
pty_wait_for '^ferry.*> use labnews ?$'
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
pty_wait_for '^ferry labnews'

pty_type "set tls:ca-f"
pty_send Tab
pty_wait_for '^ferry.*> set tls:ca-file ?$'
pty_send C-u
pty_cmd "use labftp"
pty_wait_for '^ferry labftp'

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
