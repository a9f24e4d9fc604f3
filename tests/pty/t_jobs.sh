#!/bin/bash
# `get BIG &` at a terminal: the prompt comes back at once, other sessions
# work meanwhile, the same session waits its turn, and the job's end is one
# notice above the line being typed, which stays intact.
#
# The download comes from the fake server, which sends the first half and
# then holds the rest until the test says so (pty_fake_poke): the job is
# certainly still running while the checks that need it run, with no timing
# guess.  The real vsftpd and INN are the other sessions.
#   - `get big.bin &` prints "[1] get big.bin &" and the next command typed
#     (lpwd) runs and prints while the download is held;
#   - `jobs` shows it running with its bytes: exactly the half sent, and
#     stalled;
#   - a group on NNTP and a get on another FTP session complete meanwhile;
#   - with net:connection-limit 1, `@gated pwd &` on the same session is
#     listed waiting, and prints its / only after the download's notice;
#   - a partial line typed before the download ends is intact after the
#     notice, on the line and in the buffer: completing it runs the whole
#     command (get hello.txt);
#   - the file is complete and right, under its final name;
#   - with the default limit, a session's second command runs while its
#     first transfers (the rate-limited vsftpd: pwd during get 1mib.bin,
#     on an extra connection that sessions shows as busy+1).
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

SIZE=1048576
HALF=524288
pty_fake_held gated "$SIZE"
GATED_PORT=$FAKE_PORT

PTY_STDERR=pane pty_start
pty_cmd "open nntp://127.0.0.1:$NNTP_PORT as news"
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as fast"
# One connection per session: a second command on it must wait.
pty_cmd "set net:connection-limit 1"
pty_cmd "open ftp://127.0.0.1:$GATED_PORT as gated"

# The prompt is back at once: the next command runs while the download is
# held by the server (it cannot have ended: the server has not been told).
pty_cmd_output "get big.bin &"
pty_expect_out '^\[1\] get big\.bin &$' "get big.bin & did not announce job 1"
pty_cmd_output "lpwd"
[ "$PTY_OUT" = "$W/dl" ] || pty_fail "lpwd typed after get & did not print the directory"
pty_wait_size "$W/dl/big.bin.part" "$HALF"
[ ! -e "$W/dl/big.bin" ] || pty_fail "big.bin exists while the server still holds half of it"

# The server holds the rest: once the rate is measured (four times a
# second), nothing moves, and `jobs` says so.
jobs_stalled() {
	pty_cmd_output "jobs"
	grep -Eq '^\[1\] running +gated +get big\.bin +512\.0 KiB / 1\.0 MiB \(stalled\) +[0-9]+\.[0-9] s$' \
		<<< "$PTY_OUT"
}
pty_until 5 "jobs line of job 1 running, 512.0 KiB / 1.0 MiB (stalled)" jobs_stalled

# Other sessions run meanwhile.
pty_cmd_output "@news group ferry.test"
pty_expect_out '^ferry\.test: [0-9]+ articles' "group on the news session did not run while job 1 ran"
pty_cmd "@fast get \"with space.txt\""
assert_sha "$W/dl/with space.txt" "$FTP_SAMPLE_SPACE_SHA256"
[ ! -e "$W/dl/big.bin" ] || pty_fail "job 1 ended before the other sessions were tried"

# The same session: a second job waits for it.
pty_cmd_output "@gated pwd &"
pty_expect_out '^\[2\] pwd &$' "@gated pwd & did not announce job 2"
pty_cmd_output "jobs"
pty_expect_out '^\[1\] running +gated +get big\.bin ' "jobs lost job 1"
pty_expect_out '^\[2\] waiting +gated +pwd +[0-9]+\.[0-9] s$' "jobs does not show job 2 waiting for the session"
pty_expect_no_out '^/$' "the waiting pwd printed before the download ended"

# A partial line, then the download goes on and ends under it.
typed='@fast get hel'
pty_type "$typed"
pty_wait_line "^ferry [^ ]*> $typed\$"
pty_fake_poke "$GATED_PORT" GO
pty_wait_above '^\[2\] done  pwd$' 20
PTY_OUT=$(pty_last_output)
PTY_OUT_CMD="(notices above the typed line)"
pty_expect_out '^big\.bin: 1\.0 MiB in [0-9]+\.[0-9] s \([0-9.]+ [KMG]?i?B/s\)$' \
	"no summary line for job 1 above the typed line"
# The notice does not say the figures again.
pty_expect_out '^\[1\] done  get big\.bin$' "no done notice for job 1 above the typed line"
# The waiting pwd ran after the download: its / comes after job 1's notice.
order=$(grep -nE '^(\[1\] done  get big\.bin|/)( |$)' <<< "$PTY_OUT" | cut -d: -f2- | cut -c1-3 | tr '\n' ,)
[ "$order" = "[1],/," ] || pty_fail "expected job 1's notice, then pwd's /; got: $order"
# The typed line is intact, the cursor at its end, and it appears once.
[ "$(pty_line)" = "ferry gated:/> $typed" ] || pty_fail "the typed line is '$(pty_line)' after the notices"
prompt='ferry gated:/> '
read -r cx _ <<< "$(pty_cursor)"
[ "$cx" = $(( ${#prompt} + ${#typed} )) ] || pty_fail "the cursor is at column $cx, not at the end of the typed line"
# (Counted in what the pane shows since the `jobs` before it was typed.)
since=$(pty_output_since_cmd "> jobs") || pty_fail "no jobs command line on the pane"
n=$(grep -cxF "$prompt$typed" <<< "$since" || true)
[ "$n" = 1 ] || pty_fail "the typed line shows $n times on the screen since it was typed"

# Completing it runs the whole command.
PTY_PROMPTS=$(pty_count_prompts)
want=$((PTY_PROMPTS + 1))
pty_type "lo.txt"
pty_send Enter
pty_wait_prompts "$want"
line=$(pty_blocks_awk cmdline)
[ "$line" = "${prompt}@fast get hello.txt" ] || pty_fail "the completed line ran as '$line'"
assert_sha "$W/dl/hello.txt" "$FTP_SAMPLE_SMALL_SHA256"

# The held download is whole, under its final name.
assert_sha "$W/dl/big.bin" "$(pty_gen_sha "$SIZE")"
assert_no_part "$W/dl"
pty_cmd_output "jobs"
[ -z "$PTY_OUT" ] || pty_fail "jobs still lists jobs after both ended"

# The default limit: the same session browses while it transfers.
pty_cmd "set net:connection-limit 4"
pty_cmd "open ftp://127.0.0.1:$FTP_SLOW_PORT as slow"
pty_cmd_output "get 1mib.bin &"
pty_expect_out '^\[1\] get 1mib\.bin &$' "get 1mib.bin & did not announce job 1"
pty_wait_size "$W/dl/1mib.bin.part" 1
pty_cmd_output "pwd" 10
[ "$PTY_OUT" = / ] || pty_fail "pwd during the session's download does not print / alone"
pty_cmd_output "sessions"
pty_expect_out '^\* +[0-9]+ +slow +ftp +[^ ]+ +busy\+1 ' "sessions does not show slow busy+1 during its download"
[ ! -e "$W/dl/1mib.bin" ] ||
	pty_fail "1mib.bin ended (4 s at the server's rate) before pwd and sessions: the machine is too slow for this check"
pty_wait_above '^\[1\] (done|failed|interrupted) ' 30
PTY_OUT=$(pty_last_output)
pty_expect_out '^\[1\] done  get 1mib\.bin$' "the download on the busy session did not end done"
assert_sha "$W/dl/1mib.bin" "$FTP_SAMPLE_1M_SHA256"

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
