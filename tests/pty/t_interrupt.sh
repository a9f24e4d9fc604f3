#!/bin/bash
# Ctrl-C during a slow download (vsftpd with anon_max_rate) returns to the
# prompt within seconds; the FTP session still works (pwd, a small get) and
# the NNTP session is still open (sessions, an article).  The interrupted
# download leaves no file under its final name.  Then Ctrl-C during a
# command whose server stops answering (the fake server stalls on LIST):
# the prompt comes back and the other sessions still answer.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

pty_fake_start stuck <<'SCRIPT'
proto ftp
on USER => 230 Logged in\r\n
on EPSV {
data-listen
send 229 Entering Extended Passive Mode (|||%DATAPORT%|)\r\n
}
on-re ^(LIST|NLST|MLSD)( .*)?$ {
stall 60
}
send 220 fake ftp that stalls on listings\r\n
SCRIPT
STUCK_PORT=$FAKE_PORT

pty_start
pty_cmd "open nntp://127.0.0.1:$NNTP_PORT as news"
pty_cmd "group ferry.test"
pty_cmd "open ftp://127.0.0.1:$FTP_SLOW_PORT as slow"

want=$((PTY_PROMPTS + 1))
pty_type "get 20mib.bin"
pty_send Enter
# Wait until the transfer is under way (its .part grows).
end=$((SECONDS + 15))
while [ $SECONDS -le $end ]; do
	[ -s "$W/dl/20mib.bin.part" ] && break
	sleep 0.1
done
[ -s "$W/dl/20mib.bin.part" ] || pty_fail "the download never started (no 20mib.bin.part)"
[ "$(pty_count_prompts)" -lt "$want" ] || pty_fail "the prompt came back before Ctrl-C"
t0=$SECONDS
pty_send C-c
pty_wait_prompts "$want" 10
[ $((SECONDS - t0)) -le 5 ] || pty_fail "the prompt took $((SECONDS - t0)) s to come back"
[ -e "$W/dl/20mib.bin" ] && pty_fail "an interrupted download left 20mib.bin"
size=$(stat -c %s "$W/dl/20mib.bin.part" 2>/dev/null || echo 0)

# The same FTP session answers.
pty_cmd_output "pwd"
[ "$PTY_OUT" = / ] || pty_fail "pwd after Ctrl-C does not print / alone"
pty_cmd "get hello.txt"
assert_sha "$W/dl/hello.txt" "$FTP_SAMPLE_SMALL_SHA256"
# The transfer really stopped.
size2=$(stat -c %s "$W/dl/20mib.bin.part" 2>/dev/null || echo 0)
[ "$size2" = "$size" ] || pty_fail "20mib.bin.part still grows after Ctrl-C ($size -> $size2)"

# The NNTP session is still open.
pty_cmd_output "sessions"
pty_expect_out '^[ *] +[0-9]+ +news +nntp ' "sessions lost the news session"
pty_cmd_output "article 1"
pty_expect_out '^This is article 1 of ferry\.test\.' "article 1 after Ctrl-C does not show its body"

# A command the server never answers: Ctrl-C brings the prompt back.
pty_cmd "open ftp://127.0.0.1:$STUCK_PORT as stuck"
want=$((PTY_PROMPTS + 1))
pty_type "ls"
pty_send Enter
pty_fake_wait_line stuck '^(LIST|NLST|MLSD)( .*)?$'
[ "$(pty_count_prompts)" -lt "$want" ] || pty_fail "ls on a stalled server came back before Ctrl-C"
t0=$SECONDS
pty_send C-c
pty_wait_prompts "$want" 10
[ $((SECONDS - t0)) -le 5 ] || pty_fail "the prompt took $((SECONDS - t0)) s to come back from a stalled ls"
# The other sessions answer, by name and without moving the focus.
pty_cmd_output "@news article 2"
pty_expect_out '^Subject: ' "@news article 2 after Ctrl-C on the stalled session shows no article"
pty_cmd_output "@slow pwd"
[ "$PTY_OUT" = / ] || pty_fail "@slow pwd after Ctrl-C on the stalled session does not print / alone"
pty_cmd_output "sessions"
pty_expect_out '^[ *] +[0-9]+ +news +nntp +[^ ]+ +ready ' "the news session is not ready after Ctrl-C elsewhere"
pty_expect_out '^[ *] +[0-9]+ +slow +ftp +[^ ]+ +ready ' "the slow session is not ready after Ctrl-C elsewhere"

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
