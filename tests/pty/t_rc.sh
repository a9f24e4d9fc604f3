#!/bin/bash
# The rc file, $XDG_CONFIG_HOME/ferry/ferryrc, at a terminal (ferry(1),
# FILES: "Commands run at start").
#   - its commands run before the first prompt: that prompt already names
#     the session its `open` made (no bare "ferry> " before it), nothing
#     is printed before it, `set` shows the value the rc file set, and the
#     session works (pwd);
#   - --no-rc skips it: the first prompt is "ferry> ", the setting has its
#     default, no session is open;
#   - an error in it (an unknown command, a bad value, an open that cannot
#     connect) is reported before the first prompt, one line each, in the
#     file's order, and the lines after it still run; ferry goes on and
#     quit exits 0.  Each line names the file and the line, as a
#     compiler does: "ferry: .../ferryrc:2: nosuchcommand: unknown command".
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

# pty_first_prompt_is ERE: the first prompt ferry showed matches ERE, and
# is the only prompt so far.
pty_first_prompt_is() {
	pty_wait_line "$1"
	[ "$(pty_count_prompts)" = 1 ] ||
		pty_fail "another prompt came before the first one matching /$1/"
}

# The suite's rc (pty_init) trusts the test CA; the lines below follow it.
cat >> "$RC" <<RC
set net:timeout 17
open ftp://127.0.0.1:$FTP_PORT as fromrc
RC

# Its errors would show on the terminal, as everything ferry writes.
PTY_STDERR=pane pty_start
pty_first_prompt_is '^ferry fromrc:/> ?$'
before=$(pty_output_before_first_prompt)
[ -z "$before" ] || pty_fail "ferry printed before its first prompt: $before"
pty_cmd_output "set net:timeout"
[ "$PTY_OUT" = "net:timeout 17" ] || pty_fail "set does not show the rc file's net:timeout 17"
pty_cmd_output "sessions"
pty_expect_out '^\* +[0-9]+ +fromrc +ftp +127\.0\.0\.1:[0-9]+ +ready ' "sessions does not list the rc file's session, focused and ready"
pty_cmd_output "pwd"
[ "$PTY_OUT" = / ] || pty_fail "pwd on the rc file's session does not print / alone"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"

# --no-rc: none of it runs.
PTY_STDERR=pane pty_restart --no-rc
pty_first_prompt_is '^ferry> ?$'
pty_cmd_output "set net:timeout"
[ "$PTY_OUT" = "net:timeout 60" ] || pty_fail "with --no-rc, set does not show the default net:timeout 60"
pty_cmd_output "sessions"
pty_expect_out '^no sessions' "with --no-rc, sessions does not say there are none"
pty_expect_no_out 'fromrc' "with --no-rc, the rc file's session is open"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"

# Errors: each is told, and the rest of the file runs.
refused=$(closed_port)
cat > "$RC" <<RC
set tls:ca-file $CA_FILE
nosuchcommand
set net:timeout bogus
open ftp://127.0.0.1:$refused as refused
set net:timeout 23
open ftp://127.0.0.1:$FTP_PORT as afterr
RC
PTY_STDERR=pane pty_restart
pty_first_prompt_is '^ferry afterr:/> ?$'
PTY_OUT=$(pty_output_before_first_prompt)
PTY_OUT_CMD="(before the first prompt)"
[ "$(wc -l <<< "$PTY_OUT")" = 3 ] || pty_fail "not one line for each of the rc file's three errors"
sed -n 1p <<< "$PTY_OUT" | grep -Eq '^ferry: .*/ferry/ferryrc:2: nosuchcommand: unknown command' ||
	pty_fail "the unknown command in the rc file is not reported first, naming it"
sed -n 2p <<< "$PTY_OUT" | grep -Eq '^ferry: .*/ferry/ferryrc:3: set: net:timeout: expected a number from 1 to 86400$' ||
	pty_fail "the bad value in the rc file is not reported second, naming net:timeout"
sed -n 3p <<< "$PTY_OUT" | grep -Eq "^ferry: .*/ferry/ferryrc:4: open: refused: cannot connect to 127\.0\.0\.1 port $refused: Connection refused$" ||
	pty_fail "the open that cannot connect is not reported third, naming the session and the port"
pty_cmd_output "set net:timeout"
[ "$PTY_OUT" = "net:timeout 23" ] || pty_fail "the rc file's set after its errors did not run"
pty_cmd_output "sessions"
pty_expect_out '^\* +[0-9]+ +afterr +ftp ' "the rc file's open after its errors did not run"
pty_expect_no_out ' refused ' "a session that could not connect is listed"
pty_cmd_output "pwd"
[ "$PTY_OUT" = / ] || pty_fail "pwd after the rc file's errors does not print / alone"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit (the rc file's errors count?)"
t_pass
