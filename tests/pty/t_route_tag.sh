#!/bin/bash
# A command routed to a session other than the focused one (the most
# recently used session of the protocol that has the command) is headed by
# that session's name on a terminal (issue 10); a command for the focused
# session, one sent with @NAME, and output to a file or a pipe are not.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as lab"
pty_cmd "open nntp://127.0.0.1:$NNTP_PORT/ferry.test as news"
pty_wait_line '^ferry news:ferry\.test> ?$'
pty_cmd_output "ls"
[ "$(head -n 1 <<< "$PTY_OUT")" = "lab:" ] || pty_fail "ls routed to lab is not headed by 'lab:'"
pty_expect_out 'hello\.txt' "ls shows no hello.txt"
pty_cmd_output "group ferry.test"
pty_expect_no_out '^(news|lab):$' "a command for the focused session is tagged"
pty_cmd_output "@lab pwd"
[ "$PTY_OUT" = / ] || pty_fail "@lab pwd printed more than /"
pty_cmd_output "ls > $W/ls.txt"
pty_expect_no_out '^lab:$' "a routed command with its output in a file is tagged on the terminal"
grep -q '^lab:$' "$W/ls.txt" && pty_fail "the tag went into the file"
grep -q 'hello\.txt' "$W/ls.txt" || pty_fail "ls > file holds no hello.txt"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status"
t_pass
