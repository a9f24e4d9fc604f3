#!/bin/bash
# Remote completion while a job runs on the same session: Tab on a remote
# argument completes from the session's listing cache; a directory not in
# it is fetched on another connection of the session's pool (the job holds
# the first) and the completion lands when it arrives, if the line is
# unchanged.  A name with a blank comes quoted; a directory gets its "/"
# and no blank.  `cls` prints the parsed listing from the same cache.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

PTY_STDERR=pane pty_start
# The rate-limited instance: the download below runs for about 80 s.
pty_cmd "open ftp://127.0.0.1:$FTP_SLOW_PORT as lab"
pty_cmd_output "get 20mib.bin -o /dev/null &"
pty_expect_out '^\[1\] get 20mib\.bin -o /dev/null &$' "the get did not start as job 1"

pty_type "cd s"
pty_send Tab
pty_wait_line '^ferry lab:/> cd sub/$' 15
pty_send Tab
pty_wait_line '^ferry lab:/> cd sub/nested\.txt ?$' 15
pty_send C-u
pty_type "get w"
pty_send Tab
pty_wait_line "^ferry lab:/> get 'with space\\.txt' ?\$" 15
pty_send C-u

pty_cmd_output "cls"
pty_expect_out '^sub/$' "cls does not show sub/"
pty_expect_out '^with space\.txt$' "cls does not show 'with space.txt'"
pty_cmd_output "jobs"
pty_expect_out '^\[1\] running +lab +get 20mib\.bin' "the job stopped while the listing was fetched"
pty_cmd "kill 1"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
