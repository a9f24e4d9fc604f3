#!/bin/bash
# Ctrl-Z and window resizes.  ferry runs as a job of an interactive bash in
# the pane (PTY_SHELL), as from a user's shell.
#   - Ctrl-Z during a foreground get (held halfway by the fake server) puts
#     it in the background: "[1] get big.bin &" and the prompt at once;
#     jobs shows it running; fg brings it back (the prompt goes), Ctrl-Z
#     again sends it back, fg 1 again and it ends in the foreground, whole,
#     with no notice;
#   - with the rate-limited vsftpd: Ctrl-Z during get 1mib.bin, and the
#     job goes on by itself to its done notice and the server's checksum;
#   - Ctrl-Z at the prompt with a partial line stops ferry: the shell's
#     prompt shows; fg in the shell redraws ferry's prompt with the line,
#     and the next key typed completes it (lpwd runs);
#   - the window shrinks (200 to 50 columns) under a typed line longer
#     than the new width: Ctrl-A goes to the line's start, on the prompt's
#     row, text inserted there shows in place, and the command that runs is
#     the edited line.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

SIZE=1048576
pty_fake_held gated "$SIZE"
GATED_PORT=$FAKE_PORT

PTY_STDERR=pane PTY_SHELL=1 pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_SLOW_PORT as slow"
pty_cmd "open ftp://127.0.0.1:$GATED_PORT as gated"
prompt='ferry gated:/> '

pty_ctrlz_fg() { pty_key_fg C-z "$1" '^(\^Z)?\[1\] get [a-z0-9]+\.bin &$'; }

# Ctrl-Z during a held get, fg, Ctrl-Z, fg 1.
pty_type "get big.bin"
pty_send Enter
pty_wait_size "$W/dl/big.bin.part" $((SIZE / 2))
pty_ctrlz_fg "get big.bin"
pty_cmd_output "jobs"
pty_expect_out '^\[1\] running +gated +get big\.bin +512\.0 KiB / 1\.0 MiB' "after Ctrl-Z, jobs does not show the get running"
want=$((PTY_PROMPTS + 1))
pty_type "fg"
pty_send Enter
pty_wait_for '^get big\.bin$'
pty_ctrlz_fg "fg (get big.bin)"
want=$((PTY_PROMPTS + 1))
pty_type "fg 1"
pty_send Enter
pty_wait_for '^get big\.bin$'
pty_release_held "$GATED_PORT" "$want" "fg 1"
pty_expect_out '^big\.bin: 1\.0 MiB in [0-9.]+ s \([0-9.]+ [KMG]?i?B/s\)$' "fg 1 did not end with the download's summary"
pty_expect_no_out '^\[1\] (done|failed)' "the download back in the foreground ended with a notice"
assert_sha "$W/dl/big.bin" "$(pty_gen_sha "$SIZE")"

# Ctrl-Z during a real download: it goes on to its end by itself.
pty_type "@slow get 1mib.bin"
pty_send Enter
pty_wait_size "$W/dl/1mib.bin.part" 1
[ ! -e "$W/dl/1mib.bin" ] ||
	pty_fail "1mib.bin ended (4 s at the server's rate) before Ctrl-Z: the machine is too slow for this check"
pty_ctrlz_fg "@slow get 1mib.bin"
pty_wait_above '^\[1\] (done|failed|interrupted) ' 30
PTY_OUT=$(pty_last_output)
pty_expect_out '^\[1\] done  get 1mib\.bin$' "the download sent to the background did not end done"
assert_sha "$W/dl/1mib.bin" "$FTP_SAMPLE_1M_SHA256"

# Ctrl-Z at the prompt: ferry stops, the shell's fg brings it back.
PTY_PROMPTS=$(pty_count_prompts)
pty_type "lpw"
pty_wait_line "^$prompt"'lpw$'
pty_send C-z
pty_shell_stopped
pty_shell_fg
pty_wait_line "^$prompt"'lpw$' 10
want=$((PTY_PROMPTS + 2)) # the redrawn prompt and the next one
pty_type "d"
pty_send Enter
pty_wait_prompts "$want"
[ "$(pty_blocks_awk cmdline)" = "${prompt}lpwd" ] ||
	pty_fail "after fg the line ran as '$(pty_blocks_awk cmdline)', not lpwd"
[ "$(pty_last_output)" = "$W/dl" ] || pty_fail "lpwd after fg does not print the directory"

# A resize under a typed line longer than the new width.
xs=$(printf 'x%.0s' {1..70})
line="echo $xs tail"
pty_type "$line"
pty_wait_line "^$prompt$line\$"
tm resize-window -t "$PTY_SESSION" -x 50 -y 20
pty_until 10 "the window at 50 columns" \
	eval '[ "$(tm display-message -p -t "$PTY_SESSION" "#{window_width}")" = 50 ]'
pty_send C-a
ins='!echo head; '
pty_type "$ins"
# The cursor is right after the inserted text, on the prompt's row, and
# that row (joined with its continuation rows) is the edited line.
pty_until 10 "the cursor after '$ins' on the prompt's row" \
	eval '[ "$(pty_cursor | cut -d" " -f1)" = $(( ${#prompt} + ${#ins} )) ] && pty_line_matches "^$prompt"'
[ "$(pty_line_wrapped)" = "$prompt$ins$line" ] ||
	pty_fail "after the resize and the edit the line shows as '$(pty_line_wrapped)'"
want=$((PTY_PROMPTS + 1))
pty_send Enter
pty_wait_prompts "$want"
[ "$(pty_last_output | tr '\n' ,)" = "head,$xs tail," ] ||
	pty_fail "the edited line did not run as '$ins$line': $(pty_last_output | tr '\n' ,)"

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
