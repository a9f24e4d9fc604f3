#!/bin/bash
# wait, wait N, kill N and fg N at a terminal.
#   - `wait` with no job returns at once;
#   - `wait 1` returns after job 1 (a 4 s download from the rate-limited
#     vsftpd): its notice comes before the prompt, the file is complete;
#   - `wait` waits for every job: two downloads, both notices before the
#     prompt; a failing job's notice says failed, with the server's reply;
#   - `kill 1` cancels job 1 (a 20 MiB download) and only it: no
#     20mib.bin, its .part stops growing, job 2 (a held download) ends
#     whole, and the session serves the next command;
#   - `fg 1` brings back `ls &` whose first line (held by the fake server)
#     was kept in the job's log: it shows at fg, before the prompt, and the
#     rest follows once the server goes on, with no notice.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

pty_fake_held lister 1024
LISTER_PORT=$FAKE_PORT
SIZE=1048576
pty_fake_held keep "$SIZE"
KEEP_PORT=$FAKE_PORT

PTY_STDERR=pane pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as fast"
pty_cmd "open ftp://127.0.0.1:$FTP_SLOW_PORT as slow2"
pty_cmd "open ftp://127.0.0.1:$KEEP_PORT as keep"
pty_cmd "open ftp://127.0.0.1:$FTP_SLOW_PORT as slow"

# wait with no job returns at once (it once waited for itself).
pty_cmd "wait" 5

# wait 1
pty_cmd "get 1mib.bin &"
pty_cmd_output "wait 1" 30
pty_expect_out '^\[1\] done  get 1mib\.bin$' "wait 1 came back without job 1's done notice"
assert_sha "$W/dl/1mib.bin" "$FTP_SAMPLE_1M_SHA256"
# get's summary line gave the figures, so its notice did not; cat > FILE
# prints no summary, and its notice has them.
pty_expect_out '^1mib\.bin: 1\.0 MiB in [0-9.]+ s ' "wait 1 came back without job 1's summary line"
pty_cmd "cat 1mib.bin > catted.bin &"
pty_cmd_output "wait" 30
pty_expect_out '^\[[0-9]+\] done  cat 1mib\.bin.*  1\.0 MiB in [0-9.]+ s \([0-9.]+ [KMG]?i?B/s\)$' \
	"the cat job's notice does not give its figures"
assert_sha "$W/dl/catted.bin" "$FTP_SAMPLE_1M_SHA256"

# wait: every job.
pty_cmd "get 1mib.bin -o again.bin &"
pty_cmd "@slow2 get 1mib.bin -o other.bin &"
pty_cmd_output "wait" 30
pty_expect_out '^\[1\] done  get 1mib\.bin -o again\.bin$' "wait came back without job 1's done notice"
pty_expect_out '^\[2\] done  get 1mib\.bin -o other\.bin$' "wait came back without job 2's done notice"
assert_sha "$W/dl/again.bin" "$FTP_SAMPLE_1M_SHA256"
assert_sha "$W/dl/other.bin" "$FTP_SAMPLE_1M_SHA256"
# A failure is told as such.
pty_cmd "@fast get nosuch.bin &"
pty_wait_above '^(ferry: )?\[1\] (done|failed)' 10
PTY_OUT=$(pty_last_output)
pty_expect_out '^(ferry: )?\[1\] failed  get nosuch\.bin: .*nosuch\.bin: 550 ' "the failing job's notice does not say failed with the server's reason"
pty_cmd_output "jobs"
[ -z "$PTY_OUT" ] || pty_fail "jobs lists jobs after wait"

# kill 1: the one job only (job 2 is held by its server, so it is
# certainly still running when kill 1 comes).
pty_cmd "get 20mib.bin &"
pty_cmd "@keep get big.bin &"
pty_wait_size "$W/dl/20mib.bin.part" 1
pty_wait_size "$W/dl/big.bin.part" $((SIZE / 2))
pty_cmd_output "kill 1"
pty_wait_above '^\[1\] ' 10
PTY_OUT=$(pty_last_output)
pty_expect_out '^\[1\] interrupted  get 20mib\.bin$' "kill 1 did not end job 1 with an interrupted notice"
[ ! -e "$W/dl/20mib.bin" ] || pty_fail "the killed download left 20mib.bin"
killed_size=$(stat -c %s "$W/dl/20mib.bin.part" 2>/dev/null || echo 0)
pty_cmd_output "jobs"
pty_expect_no_out '^\[1\]' "jobs still lists the killed job 1"
pty_expect_out '^\[2\] running +keep +get big\.bin +512\.0 KiB' "kill 1 touched job 2"
pty_fake_poke "$KEEP_PORT" GO
pty_wait_above '^\[2\] (done|failed|interrupted) ' 20
PTY_OUT=$(pty_last_output)
pty_expect_out '^\[2\] done  get big\.bin$' "job 2 did not end done after kill 1"
# wait N after job N ended returns at once.
pty_cmd "wait 2" 5
assert_sha "$W/dl/big.bin" "$(pty_gen_sha "$SIZE")"
# Some seconds later, at 256 KiB/s, a transfer still going would have
# grown it.
pty_cmd "!sleep 2"
size=$(stat -c %s "$W/dl/20mib.bin.part" 2>/dev/null || echo 0)
[ "$size" = "$killed_size" ] || pty_fail "20mib.bin.part still grows after kill 1 ($killed_size -> $size)"
pty_cmd_output "pwd"
[ "$PTY_OUT" = / ] || pty_fail "pwd on the killed job's session does not print / alone"

# fg 1: what a background ls printed is kept until then.
pty_cmd "open ftp://127.0.0.1:$LISTER_PORT as lister"
pty_cmd_output "ls &"
pty_expect_out '^\[1\] ls &$' "ls & did not announce job 1"
# The server sent the first line and holds the rest; one command later
# ferry's loop has read it (the loop polls the data connection and the
# terminal together)...
pty_fake_wait_event lister 'wait-signal'
pty_cmd_output "jobs"
pty_expect_out '^\[1\] running +lister +ls ' "jobs does not list the background ls"
# ...and has not shown it.
since=$(pty_output_since_cmd "> ls &") || pty_fail "no 'ls &' command line on the pane"
grep -qx 'first\.txt' <<< "$since" && pty_fail "the background ls printed first.txt before fg"
want=$((PTY_PROMPTS + 1))
pty_type "fg 1"
pty_send Enter
pty_wait_for '^first\.txt$'
[ "$(pty_count_prompts)" -lt "$want" ] || pty_fail "fg 1 came back before the job ended"
pty_since_matches '^second\.txt$' && pty_fail "second.txt shown before the server sent it"
pty_fake_poke "$LISTER_PORT" GO
pty_wait_prompts "$want" 15
PTY_OUT=$(pty_last_output)
PTY_OUT_CMD="fg 1"
[ "$(grep -E '^(first|second)\.txt$' <<< "$PTY_OUT" | tr '\n' ,)" = "first.txt,second.txt," ] ||
	pty_fail "fg 1 did not show first.txt then second.txt"
pty_expect_no_out '^\[1\] (done|failed)' "a job brought to the foreground ended with a notice"

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
