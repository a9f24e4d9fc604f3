#!/bin/bash
# The password question at a terminal (ferry(1), "Passwords"):
#   - `open ftp://USER@HOST` with no password anywhere asks
#     "Password for USER@HOST: "; what is typed is never on the screen; the
#     login works against vsftpd (over TLS: ftp:tls auto); a reconnect
#     reuses the answer without asking again;
#   - Ctrl-C at the question cancels the open: no session is kept and the
#     prompt is back;
#   - NNTP: AUTHINFO's 381 asks the same way, and INN's private group is
#     then readable;
#   - Tab completes bookmark names after `open` (after -p PORT too) and
#     `bookmark del`;
#   - `user NAME` logs the focused session in again as NAME, asking; a
#     refused password is asked again at the next login;
#     `user NAME PASSWORD` typed on the line goes to the history without
#     the password;
#   - a background job's notice while the question waits leaves the
#     typed password off the screen;
#   - the history file never holds the password.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

HIST=$XDG_STATE_HOME/ferry/history
no_pass_on_screen() {
	! pty_screen | grep -qF "$FTP_PASS" || pty_fail "the password is on the screen ($1)"
}

pty_start
pty_type "open ftp://$FTP_USER@127.0.0.1:$FTP_PORT as pw"
pty_send Enter
pty_wait_line "^Password for $FTP_USER@127\.0\.0\.1: ?$"
pty_type "$FTP_PASS"
# Typed, not yet sent: the line still shows the question alone.
pty_wait_line "^Password for $FTP_USER@127\.0\.0\.1: ?$"
no_pass_on_screen "while typing"
pty_send Enter
pty_wait_line '^ferry pw:/> ?$'
PTY_PROMPTS=$(pty_count_prompts)
pty_cmd_output "sessions"
pty_expect_out '^\* +[0-9]+ +pw +ftp +127\.0\.0\.1:[0-9]+ +ready +yes ' "the session logged in with the typed password is not ready over TLS"
# The answer is kept in memory: a reconnect logs in without asking.
pty_cmd_output "reconnect"
pty_expect_no_out 'Password for' "reconnect asked for the password again"
pty_cmd_output "sessions"
pty_expect_out '^\* +[0-9]+ +pw +ftp .* ready ' "the session is not ready after reconnect"

# Ctrl-C at the question cancels the open.
n=$(pty_count_prompts)
pty_type "open ftp://$FTP_USER@127.0.0.1:$FTP_PORT as cancelled"
pty_send Enter
pty_wait_line "^Password for $FTP_USER@127\.0\.0\.1: ?$"
pty_type "half"
pty_send C-c
pty_wait_prompts $((n + 1))
pty_cmd_output "sessions"
pty_expect_no_out ' cancelled ' "a session cancelled at the password question is listed"
pty_expect_out '^\* +[0-9]+ +pw ' "the focus did not go back to pw"

# NNTP: 381 to AUTHINFO USER asks; the private group is then readable.
pty_type "open nntp://$NNTP_USER@127.0.0.1:$NNTP_PORT as news"
pty_send Enter
pty_wait_line "^Password for $NNTP_USER@127\.0\.0\.1: ?$"
pty_type "$NNTP_PASS"
pty_send Enter
pty_wait_line '^ferry news> ?$'
PTY_PROMPTS=$(pty_count_prompts)
pty_cmd_output "group $NNTP_PRIVATE_GROUP"
pty_expect_out "$NNTP_PRIVATE_GROUP" "the private group is not readable after the password was typed"
pty_expect_no_out 'denied|failed' "group on the private group failed"

# Bookmark names complete where a URL goes, and after `bookmark del`.
pty_cmd "bookmark add mybm ftp://127.0.0.1:$FTP_PORT/$FTP_SAMPLE_SUBDIR"
pty_type "open -p 21 myb"
pty_send Tab
pty_wait_line '> open -p 21 mybm ?$'
pty_send C-u
pty_type "open myb"
pty_send Tab
pty_wait_line '> open mybm ?$'
pty_send Enter
pty_wait_line "^ferry mybm:/$FTP_SAMPLE_SUBDIR> ?\$"
PTY_PROMPTS=$(pty_count_prompts)
pty_type "bookmark del my"
pty_send Tab
pty_wait_line '> bookmark del mybm ?$'
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
! grep -q mybm "$XDG_CONFIG_HOME/ferry/bookmarks" || pty_fail "bookmark del mybm left it in the file"

# `user NAME`: an anonymous session logs in again as NAME, asking.
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as anon"
pty_type "user $FTP_USER"
pty_send Enter
pty_wait_line "^Password for $FTP_USER@127\.0\.0\.1: ?$"
# A mistyped password is refused, and not kept: the next login asks again.
n=$PTY_PROMPTS
pty_type "wrong-$FTP_PASS"
pty_send Enter
pty_wait_prompts $((n + 1))
grep -q "user: .*login incorrect" "$W/ferry.stderr" || pty_fail "a wrong password did not fail the login: $(cat "$W/ferry.stderr")"
pty_type "reconnect"
pty_send Enter
pty_wait_line "^Password for $FTP_USER@127\.0\.0\.1: ?$"
pty_type "$FTP_PASS"
pty_send Enter
pty_wait_line '^ferry anon:/> ?$'
PTY_PROMPTS=$(pty_count_prompts)
rm -f "$FTP_USER_HOME/fromuser-$$.txt"
pty_cmd "put /etc/hostname -o fromuser-$$.txt"
cmp -s /etc/hostname "$FTP_USER_HOME/fromuser-$$.txt" ||
	pty_fail "put after \`user $FTP_USER\` did not land in $FTP_USER's home (still anonymous?)"
rm -f "$FTP_USER_HOME/fromuser-$$.txt"
no_pass_on_screen "before a password typed on the command line"
# A background job ends while the question waits: the prompt is hidden
# for its notice and drawn again, as the question alone, never with what
# was typed after it.
pty_fake_held held 65536
HELD_PORT=$FAKE_PORT
pty_cmd "open ftp://127.0.0.1:$HELD_PORT as held"
pty_cmd "get big.bin &"
pty_wait_size "$W/dl/big.bin.part" 32768
pty_err_mark
pty_type "open ftp://$FTP_USER@127.0.0.1:$FTP_PORT as pw3"
pty_send Enter
pty_wait_line "^Password for $FTP_USER@127\.0\.0\.1: ?$"
pty_type "$FTP_PASS"
pty_fake_poke "$HELD_PORT" GO
pty_err_wait '^\[1\] done  get big\.bin' 1
pty_wait_line "^Password for $FTP_USER@127\.0\.0\.1: ?$"
no_pass_on_screen "after a job's notice came while it was typed"
pty_send Enter
pty_wait_line '^ferry pw3:/> ?$'
PTY_PROMPTS=$(pty_count_prompts)
# `user NAME PASSWORD` on the line: no question; the history keeps no
# password.
pty_cmd_output "user $FTP_USER $FTP_PASS"
pty_expect_no_out 'Password for' "user with a password asked for it"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status"
[ -f "$HIST" ] || pty_fail "no history file $HIST"
! grep -qF "$FTP_PASS" "$HIST" || pty_fail "the history file holds the password"
grep -qx "user $FTP_USER" "$HIST" || pty_fail "the history has no 'user $FTP_USER' line without the password"
t_pass
