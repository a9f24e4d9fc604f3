#!/bin/bash
# Tab completion in a terminal: a command prefix ("sess" -> "sessions"), a
# session name after "use ", a setting after "set ".  Each completion is
# checked on the line being typed, each command by what it printed or by
# the prompt that follows it.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as labftp"
pty_cmd "open nntp://127.0.0.1:$NNTP_PORT as labnews"
# open focuses the new session.
pty_wait_line '^ferry labnews:?[^ ]*> ?$'

pty_type "sess"
pty_send Tab
pty_wait_line '^ferry labnews.*> sessions ?$'
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
PTY_OUT=$(pty_last_output)
PTY_OUT_CMD=sessions
pty_expect_out '^[ *] +[0-9]+ +labftp +ftp ' "sessions does not list labftp"
pty_expect_out '^\* +[0-9]+ +labnews +nntp ' "sessions does not list labnews as the focused session"

# use + a completed name moves the focus; labnews has it, so go to labftp
# first: the prompt then shows a session it did not show before.
pty_type "use labf"
pty_send Tab
pty_wait_line '^ferry labnews.*> use labftp ?$'
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
pty_wait_line '^ferry labftp:/> ?$'

pty_type "use labn"
pty_send Tab
pty_wait_line '^ferry labftp:/> use labnews ?$'
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
pty_wait_line '^ferry labnews:?[^ ]*> ?$'

pty_type "set tls:ca-f"
pty_send Tab
pty_wait_line '^ferry labnews.*> set tls:ca-file ?$'
# Ctrl-U empties the line again.
pty_send C-u
pty_wait_line '^ferry labnews:?[^ ]*> ?$'

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
