#!/bin/bash
# The background jobs' progress lines above the line being typed
# (ferry(1), xfer:progress):
#   - after `get big.bin &` (held at half by the fake server), the row
#     right above the prompt is "[1] get big.bin  512.0 KiB / 1.0 MiB  50%";
#     a second held job (another server) adds its own line under it;
#   - a third job from the rate-limited vsftpd moves: its line is redrawn
#     while a partial line is typed under it, which stays intact, the
#     cursor at its end, and runs whole when Enter comes;
#   - a command's output comes above the lines, and the pane holds each
#     job's line once: an accepted line takes them off first (none left
#     behind in the scrollback), Ctrl-C at the prompt too, and Tab Tab
#     listing names under the line; a Ctrl-R search keeps its own prompt;
#   - `kill 3` takes job 3's line away; when the server lets the held
#     downloads go on, their lines go, the notices stay, the files are
#     whole;
#   - under xfer:progress off no line is drawn.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

SIZE=1048576
HALF=524288
pty_fake_held held "$SIZE"
HELD_PORT=$FAKE_PORT
pty_fake_held held2 "$SIZE"
HELD2_PORT=$FAKE_PORT

# row_above: the row right above the cursor's, without trailing blanks.
row_above() {
	local y
	y=$(tm display-message -p -t "$PTY_SESSION" '#{cursor_y}')
	[ "$y" -gt 0 ] || return 1
	tm capture-pane -p -t "$PTY_SESSION" -S $((y - 1)) -E $((y - 1)) | sed 's/[[:space:]]*$//'
}
above_is() { [ "$(row_above)" = "$1" ]; }
# on_pane ERE: how many lines of the pane, history included, match.
on_pane() { pty_screen | grep -Ec -- "$1" || true; }

PTY_STDERR=pane pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_SLOW_PORT as slow"
pty_cmd "open ftp://127.0.0.1:$HELD2_PORT as held2"
pty_cmd "open ftp://127.0.0.1:$HELD_PORT as held"

L1='[1] get big.bin  512.0 KiB / 1.0 MiB  50%'
L2='[2] get big.bin -o second.bin  512.0 KiB / 1.0 MiB  50%'
pty_cmd "get big.bin &"
pty_wait_size "$W/dl/big.bin.part" "$HALF"
pty_until 5 "job 1's line right above the prompt" above_is "$L1"
pty_cmd "@held2 get big.bin -o second.bin &"
pty_wait_size "$W/dl/second.bin.part" "$HALF"
pty_until 5 "job 2's line right above the prompt" above_is "$L2"

# A moving job: its line changes four times a second.
pty_cmd "@slow get 20mib.bin &"
J3='^\[3\] get 20mib\.bin  [0-9.]+ [KM]iB / 20\.0 MiB  [0-9]+%'
job3_above() { row_above | grep -Eq -- "$J3  [0-9.]+ [KM]iB/s  ETA [0-9:]+\$"; }
pty_until 10 "job 3's line, with a rate and ETA, right above the prompt" job3_above
typed='lpw'
pty_type "$typed"
pty_wait_line "^ferry held:/> $typed\$"
first=$(row_above)
moved() { job3_above && [ "$(row_above)" != "$first" ]; }
pty_until 5 "job 3's line redrawn while a line is typed" moved
second=$(row_above)
moved_again() { job3_above && [ "$(row_above)" != "$second" ]; }
pty_until 5 "job 3's line redrawn twice" moved_again
[ "$(pty_line)" = "ferry held:/> $typed" ] || pty_fail "the typed line is '$(pty_line)' under the redrawn lines"
prompt='ferry held:/> '
read -r cx _ <<< "$(pty_cursor)"
[ "$cx" = $(( ${#prompt} + ${#typed} )) ] || pty_fail "the cursor is at column $cx, not at the end of the typed line"
[ "$(on_pane '^\[1\] get big\.bin  ')" = 1 ] || pty_fail "job 1's line is on the pane $(on_pane '^\[1\] get big\.bin  ') times"

# Enter runs the whole line; its output comes above the lines, which
# were taken off the accepted line first.
PTY_PROMPTS=$(pty_count_prompts)
pty_type "d"
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1))
[ "$(pty_blocks_awk cmdline)" = "ferry held:/> lpwd" ] || pty_fail "the line ran as '$(pty_blocks_awk cmdline)'"
PTY_OUT=$(pty_last_output)
[ "$PTY_OUT" = "$W/dl" ] || pty_fail "lpwd printed '$PTY_OUT' between the prompts"
pty_cmd_output "lpwd"
[ "$PTY_OUT" = "$W/dl" ] || pty_fail "lpwd printed '$PTY_OUT' between the prompts"
pty_until 5 "the three lines again above the prompt" job3_above
for re in '^\[1\] get big\.bin  ' '^\[2\] get big\.bin -o second\.bin  ' "$J3"; do
	n=$(on_pane "$re")
	[ "$n" = 1 ] || pty_fail "the pane holds $n lines matching /$re/ after two commands, not 1"
done
# Ctrl-C at the prompt: a fresh line, the lines above it once.
pty_type "half typed"
pty_send C-c
pty_wait_prompts $((PTY_PROMPTS + 1))
pty_until 5 "job 3's line above the prompt after Ctrl-C" job3_above
for re in '^\[1\] get big\.bin  ' "$J3"; do
	n=$(on_pane "$re")
	[ "$n" = 1 ] || pty_fail "the pane holds $n lines matching /$re/ after Ctrl-C, not 1"
done

# Ctrl-R: readline's own prompt stays while the lines wait (job 3 moves
# on meanwhile), and C-g gives the prompt and the lines back.
pty_send C-r
pty_type "lpw"
SEARCH_RE='^\(reverse-i-search\)`lpw'\'': lpwd$'
pty_wait_line "$SEARCH_RE"
size0=$(stat -c %s "$W/dl/20mib.bin.part")
pty_wait_size "$W/dl/20mib.bin.part" $((size0 + 196608)) 10
pty_line | grep -Eq -- "$SEARCH_RE" || pty_fail "a history search shows '$(pty_line)' while a job moves"
pty_send C-g
pty_until 5 "job 3's line back above the prompt after C-g" job3_above

# Tab twice lists names under the typed line and draws the prompt again
# below them: the lines come back above that prompt, none left above the
# list.
pty_type "put "
pty_send Tab
pty_send Tab
listed() { [ "$(on_pane '^20mib\.bin\.part +20mib\.bin\.part\.meta +big\.bin\.part ')" = 1 ]; }
pty_until 5 "the local names listed by Tab Tab" listed
pty_until 5 "job 3's line above the prompt under the list" job3_above
[ "$(pty_line)" = "ferry held:/> put" ] || pty_fail "the line under the list is '$(pty_line)'"
for re in '^\[1\] get big\.bin  ' "$J3"; do
	n=$(on_pane "$re")
	[ "$n" = 1 ] || pty_fail "the pane holds $n lines matching /$re/ after Tab Tab, not 1"
done
pty_send C-u
PTY_PROMPTS=$(pty_count_prompts)

# kill 3: its line goes.
pty_cmd "kill 3"
pty_wait_above '^\[3\] interrupted  ' 10
pty_until 5 "job 2's line right above the prompt after kill 3" above_is "$L2"
[ "$(on_pane "$J3")" = 0 ] || pty_fail "job 3's line is still on the pane after kill 3"

# The held downloads go on: their lines go, the notices stay.
pty_fake_poke "$HELD_PORT" GO
pty_fake_poke "$HELD2_PORT" GO
pty_wait_above '^\[2\] done  get big\.bin -o second\.bin$' 20
pty_wait_above '^\[1\] done  get big\.bin$' 20
no_lines() { [ "$(on_pane "$PTY_JOBLINE_RE")" = 0 ]; }
pty_until 5 "no job line left on the pane once the jobs ended" no_lines
assert_sha "$W/dl/big.bin" "$(pty_gen_sha "$SIZE")"
assert_sha "$W/dl/second.bin" "$(pty_gen_sha "$SIZE")"

# xfer:progress off: a moving job draws nothing.
pty_cmd "set xfer:progress off"
pty_cmd "@slow get 1mib.bin &"
pty_wait_size "$W/dl/1mib.bin.part" "$HALF" 20
[ "$(on_pane "$PTY_JOBLINE_RE")" = 0 ] || pty_fail "a job line was drawn under xfer:progress off"
pty_wait_above '^\[[0-9]+\] done  get 1mib\.bin' 20
assert_sha "$W/dl/1mib.bin" "$FTP_SAMPLE_1M_SHA256"

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
