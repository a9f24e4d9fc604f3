#!/bin/bash
# rm -r at a terminal asks once, naming the tree and how many entries it
# holds, against vsftpd:
#   - "remove /rmq/t and its 3 entries? [y/N]", n: nothing removed (the
#     server's directory on disk is whole), the prompt back;
#   - y: the tree is gone from the server's disk;
#   - rm -r -f asks nothing.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

H=$FTP_USER_HOME/rmq
trap 'rm -rf "$H"; pty_cleanup' EXIT
rm -rf "$H" && mkdir -p "$H/t/a" "$H/f/b"
echo 1 > "$H/t/a/one.txt" && echo 2 > "$H/t/two.txt" && echo 3 > "$H/f/b/x"
chown -R "$FTP_USER:" "$H"

PTY_STDERR=pane pty_start
pty_cmd "open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT/rmq as q"

QUESTION='remove /rmq/t and its 3 entries\? \[y/N\] ?$'
pty_type "rm -r t"
pty_send Enter
pty_wait_line "$QUESTION"
pty_type n
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
[ -e "$H/t/a/one.txt" ] && [ -e "$H/t/two.txt" ] || pty_fail "answering n removed something"

pty_type "rm -r t"
pty_send Enter
pty_wait_line "$QUESTION"
pty_type y
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
[ ! -e "$H/t" ] || pty_fail "answering y left: $(find "$H/t")"

pty_cmd_output "rm -rf f"
[ ! -e "$H/f" ] || pty_fail "rm -rf left: $(find "$H/f")"
pty_expect_no_out 'entries\?' "rm -rf asked a question"
t_pass
