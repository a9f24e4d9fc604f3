#!/bin/bash
# Completion of cp's @NAME:PATH words with two FTP sessions open (vsftpd
# anonymous as x, the ferrytest user's home over TLS as y): "@" lists
# "@x:" and "@y:", "@y" completes
# to "@y:" with no blank after it, and "@y:on" to the name of a file only
# y's server has, fetched from y's listing in the background (the typed
# line never held); "@x:s" gives x's directory "sub/"; a name with a blank
# comes quoted.  The completed line then copies the file.  A word starting
# with a dot completes y's dot file, though y's cached listing (plain LIST,
# which hides dot files on vsftpd) lacks it: it is fetched with LIST -a.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

trap 'rm -f "$FTP_USER_HOME/only-on-y.txt" "$FTP_USER_HOME/.only-y.rc"; pty_cleanup' EXIT
echo "from y" > "$FTP_USER_HOME/only-on-y.txt"
echo "dot" > "$FTP_USER_HOME/.only-y.rc"
chown "$FTP_USER:" "$FTP_USER_HOME/only-on-y.txt" "$FTP_USER_HOME/.only-y.rc"

PTY_STDERR=pane pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as x"
pty_cmd "open ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT as y"

# "@" and Tab twice: both sessions listed with their ':'.
screen_has() { pty_screen | grep -Eq -- "$1"; }
pty_type "cp @"
pty_send Tab
pty_send Tab
pty_until 10 "@x: and @y: listed" screen_has '^@x: +@y: *$'
pty_send C-u
pty_type "cp @y"
pty_send Tab
pty_wait_line '^ferry y:/> cp @y:$'
pty_type "on"
pty_send Tab
pty_wait_line '^ferry y:/> cp @y:only-on-y\.txt ?$' 15
pty_type "@x:s"
pty_send Tab
pty_wait_line '^ferry y:/> cp @y:only-on-y\.txt @x:sub/$' 15
pty_send C-u
pty_type "cp @x:w"
pty_send Tab
pty_wait_line "^ferry y:/> cp '@x:with space\\.txt' ?\$" 15
pty_send C-u

pty_type "cp @y:on"
pty_send Tab
pty_wait_line '^ferry y:/> cp @y:only-on-y\.txt ?$' 15
pty_type "copied.txt"
pty_enter
[ "$(cat copied.txt 2>/dev/null)" = "from y" ] ||
	pty_fail "the completed cp line did not copy the file: $(ls)"
pty_type "cp @y:.on"
pty_send Tab
pty_wait_line '^ferry y:/> cp @y:\.only-y\.rc ?$' 15
pty_send C-u
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
