#!/bin/bash
# `!COMMAND` at a terminal: the rest of the line goes to /bin/sh -c, with
# the terminal as its standard input, output and error.
#   - its output shows, and the line is the shell's (`;`, `$((...))`); a
#     redirection writes to a file in the local directory;
#   - stdin, stdout and stderr are the terminal (tty, test -t), and a
#     `read` in it gets the line typed at the terminal, not ferry;
#   - a failing command (`exit 3`, a command sh cannot find, whose message
#     shows) does not end ferry: the prompt comes back, the session open
#     before it still answers, and quit exits 0;
#   - Ctrl-C stops a long one (sleep 30): the prompt is back within 5 s;
#   - afterwards the line editor works: Backspace and typing, Up for the
#     history, and the edited lines run as shown;
#   - `!sleep 10 &` gives the prompt back at once (known bug: ferry waits
#     for the background sleep, and Ctrl-C does not help).
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

# What the child writes to its stderr shows on the terminal too.
PTY_STDERR=pane pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as bftp"
prompt='ferry bftp:/> '

# Output, and the line is the shell's.  (What is typed differs from what
# it prints, so the check cannot pass on the echo of the line.)
pty_cmd_output "!printf 'bang-%s\n' out; echo \"sum-\$((6 * 7))\""
[ "$(tr '\n' , <<< "$PTY_OUT")" = "bang-out,sum-42," ] ||
	pty_fail "!printf ...; echo ... did not print bang-out and sum-42 through the shell"
pty_cmd_output "!echo redirected > bang.txt"
[ -z "$PTY_OUT" ] || pty_fail "!echo ... > bang.txt printed on the terminal"
[ "$(cat "$W/dl/bang.txt" 2>/dev/null)" = redirected ] ||
	pty_fail "the shell's redirection did not write bang.txt in the local directory"

# The terminal is the child's.
pty_cmd_output "!tty; for fd in 0 1 2; do [ -t \$fd ] && echo \"fd\$fd-is-a-tty\"; done"
[ "$(sed 1d <<< "$PTY_OUT" | tr '\n' ,)" = "fd0-is-a-tty,fd1-is-a-tty,fd2-is-a-tty," ] ||
	pty_fail "the shell's standard input, output and error are not all the terminal"
pty_expect_out '^/dev/pts/[0-9]+$' "tty in !COMMAND does not name a pseudo-terminal"
# A read in the child gets the line typed next.  It says when it is about
# to read; until then what is typed waits in the terminal for it, unless
# ferry takes it.
want=$((PTY_PROMPTS + 1))
pty_type "!echo reading; read -r x; echo \"got-\$x\""
pty_send Enter
pty_wait_for '^reading$'
pty_type "typed-at-the-terminal"
pty_send Enter
pty_wait_prompts "$want"
PTY_OUT=$(pty_last_output)
PTY_OUT_CMD="!echo reading; read -r x; ..."
pty_expect_out '^got-typed-at-the-terminal$' "read in !COMMAND did not get the line typed at the terminal"

# Failures are the command's, not ferry's.
pty_cmd "!exit 3"
pty_wait_line '^ferry bftp:/> ?$'
pty_cmd_output "!nosuchcommand-ferry-test"
pty_expect_out 'nosuchcommand-ferry-test: .*not found' "sh's message for a missing command does not show"
pty_cmd_output "pwd"
[ "$PTY_OUT" = / ] || pty_fail "pwd after failing !COMMANDs does not print / alone"

# Ctrl-C on a long one.
pty_type "!sleep 30"
pty_send Enter
pty_wait_line '^$'
pty_key_fg C-c "!sleep 30" '^(\^C)?Interrupted\.$'

# The line editor after all that: Backspace, typing, the history.
pty_type "!echo edit-xx"
pty_send BSpace BSpace
pty_type "ok"
pty_wait_line "^$prompt!echo edit-ok\$"
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
[ "$(pty_last_output)" = edit-ok ] || pty_fail "the edited line !echo edit-ok did not print edit-ok"
pty_send Up
pty_wait_line "^$prompt!echo edit-ok\$"
pty_send BSpace BSpace
pty_type "up"
pty_wait_line "^$prompt!echo edit-up\$"
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
[ "$(pty_blocks_awk cmdline)" = "$prompt!echo edit-up" ] ||
	pty_fail "the line recalled and edited ran as '$(pty_blocks_awk cmdline)'"
[ "$(pty_last_output)" = edit-up ] || pty_fail "the line recalled from the history and edited did not print edit-up"

# A background command of the shell: sh exits at once, and so does the
# wait for it (the sleep it left running holds the pipe ferry watches, so
# ferry also watches sh's own exit).
want=$((PTY_PROMPTS + 1))
pty_type "!sleep 10 &"
pty_send Enter
if ! pty_within 3 pty_prompts_at_least "$want"; then
	pty_send C-c
	pty_within 3 pty_prompts_at_least "$want" &&
		pty_fail "!sleep 10 & held the prompt for 3 s (Ctrl-C brought it back)"
	pty_fail "!sleep 10 & held the prompt for 3 s, and Ctrl-C did not bring it back within 3 s"
fi
PTY_PROMPTS=$want

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit (a failed !COMMAND counted?)"
t_pass
