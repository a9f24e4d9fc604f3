#!/bin/bash
# quit and Ctrl-D at the prompt with a job running ask first.
#   - quit with a download (20 MiB from the rate-limited vsftpd) in the
#     background asks "1 job is running; quit and cancel it? [y/N]";
#   - n keeps ferry running: the next command works, the job still runs;
#   - Ctrl-D asks the same, and Enter alone (the default, N) keeps it;
#   - quit again, y: ferry exits within 5 s with status 0, no 20mib.bin
#     under its final name.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

PTY_STDERR=pane pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_SLOW_PORT as slow"
pty_cmd "get 20mib.bin &"
pty_wait_size "$W/dl/20mib.bin.part" 1

QUESTION='1 job is running; quit and cancel it\? \[y/N\] ?$'

# pty_answer ANSWER: the question is on the cursor's line; answer it.
pty_answer() {
	pty_wait_line "$QUESTION"
	[ -n "$1" ] && pty_type "$1"
	pty_send Enter
}

# quit, n
pty_type quit
pty_send Enter
pty_answer n
pty_wait_prompts $((PTY_PROMPTS + 1))
pty_cmd_output "lpwd"
[ "$PTY_OUT" = "$W/dl" ] || pty_fail "lpwd after answering n does not print the directory"
pty_cmd_output "jobs"
pty_expect_out '^\[1\] running +slow +get 20mib\.bin ' "the job is gone after answering n"

# Ctrl-D, Enter (no)
pty_send C-d
pty_answer ""
pty_wait_prompts $((PTY_PROMPTS + 1))
pty_cmd_output "jobs"
pty_expect_out '^\[1\] running +slow +get 20mib\.bin ' "the job is gone after Ctrl-D and no"

# quit, y
t0=${EPOCHREALTIME/./}
pty_type quit
pty_send Enter
pty_answer y
status=$(pty_wait_exit 10)
ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
[ "$ms" -le 5000 ] || pty_fail "ferry took $ms ms to exit after y"
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit, y"
[ ! -e "$W/dl/20mib.bin" ] || pty_fail "the cancelled download left 20mib.bin"
t_pass
