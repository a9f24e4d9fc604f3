#!/bin/bash
# Keepalives at a terminal (ferry(1): "idle control connections get
# keepalives ... Transfers and keepalives go on while a line is being
# typed"), with `set net:keepalive 1`, the smallest interval.  ferry's -d
# trace (its stderr, a file) shows what each session sent and got; it is
# read from a mark set before each step.
#   - idle at the prompt, vsftpd gets NOOP and INN gets DATE, again and
#     again, and both answer (200, 111); not in a burst (the first and the
#     third NOOP are at least 1 s apart); nothing shows on the terminal;
#   - with a half-typed line they go on, the line stays as typed, and once
#     completed it runs (@kftp pwd), as does a command on the NNTP session;
#   - none while a command runs on the session: a foreground get from the
#     fake server, held halfway until the test lets it go on, sends no NOOP
#     between its first command and the 226, though INN's session got
#     three DATEs meanwhile (so two intervals passed); likewise an article
#     the fake news server holds gets no DATE before its 220, while
#     vsftpd's session got three NOOPs; each fake server saw a keepalive
#     while idle, before and after.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

SIZE=1048576
pty_fake_held heldftp "$SIZE"
HELDFTP_PORT=$FAKE_PORT
pty_fake_start heldnews <<'SCRIPT'
proto nntp
parallel
timeout 110
conn
on ARTICLE 1 {
wait-signal go 100
send <<END
220 1 <held1@fake> article
Subject: held

Held body.
.
END
}
send 200 fake news server that holds an article\r\n
conn
expect GO
signal go
close
SCRIPT
HELDNEWS_PORT=$FAKE_PORT

# sent NAME LINE: the ERE of a trace line for LINE sent on session NAME;
# got NAME TEXT: ...for a reply starting with TEXT.
sent() { printf '^(ferry: )?\\[%s\\] > %s$' "$1" "$2"; }
got() { printf '^(ferry: )?\\[%s\\] < %s' "$1" "$2"; }
# pty_keepalives_meanwhile NAME LINE: wait until session NAME sent 3 more
# keepalives LINE (at 1 s, two intervals at least).
pty_keepalives_meanwhile() {
	local n
	n=$(pty_err_count "$(sent "$1" "$2")")
	pty_err_wait "$(sent "$1" "$2")" $((n + 3)) 15
}
# pty_no_keepalive_in NAME LINE FIRST LAST WHAT: the trace since the mark
# from session NAME's line matching FIRST to its line matching LAST (the
# command WHAT) holds no keepalive LINE on NAME.
pty_no_keepalive_in() {
	local busy
	busy=$(pty_err_between "^(ferry: )?\\[$1\\] $3" "^(ferry: )?\\[$1\\] $4") ||
		pty_fail "the trace lacks $5 on $1 (/$3/ to /$4/)"
	! grep -Eq -- "$(sent "$1" "$2")" <<< "$busy" ||
		pty_fail "$2 sent on $1 while $5 ran: $(grep -E "^(ferry: )?\\[$1\\]" <<< "$busy" | tr '\n' '|')"
}

pty_start -d
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as kftp"
pty_cmd "open nntp://127.0.0.1:$NNTP_PORT as knews"
pty_cmd "set net:keepalive 1"

# Idle at the prompt.
pty_err_mark
pty_err_wait "$(sent kftp NOOP)" 1
t1=${EPOCHREALTIME/./}
pty_err_wait "$(sent kftp NOOP)" 3
ms=$(( (${EPOCHREALTIME/./} - t1) / 1000 ))
[ "$ms" -ge 1000 ] || pty_fail "three NOOPs within $ms ms at net:keepalive 1"
pty_err_wait "$(got kftp '200 ')" 3
pty_err_wait "$(sent knews DATE)" 3
pty_err_wait "$(got knews '111 ')" 3
[ -z "$(pty_output_since_last_prompt)" ] || pty_fail "keepalives printed on the terminal"
[ "$(pty_line)" = "ferry knews>" ] || pty_fail "the prompt is '$(pty_line)' after the keepalives"

# A half-typed line meanwhile.
typed='@kftp pw'
pty_type "$typed"
pty_wait_line "^ferry knews> $typed\$"
pty_err_mark
pty_err_wait "$(sent kftp NOOP)" 2
pty_err_wait "$(sent knews DATE)" 2
[ "$(pty_line)" = "ferry knews> $typed" ] || pty_fail "the typed line is '$(pty_line)' after keepalives"
read -r cx _ <<< "$(pty_cursor)"
[ "$cx" = $(( ${#typed} + 13 )) ] || pty_fail "the cursor is at column $cx, not at the end of the typed line"
want=$((PTY_PROMPTS + 1))
pty_type "d"
pty_send Enter
pty_wait_prompts "$want"
[ "$(pty_blocks_awk cmdline)" = "ferry knews> @kftp pwd" ] || pty_fail "the completed line ran as '$(pty_blocks_awk cmdline)'"
[ "$(pty_last_output)" = / ] || pty_fail "@kftp pwd after keepalives does not print / alone"
pty_cmd_output "group ferry.test"
pty_expect_out '^ferry\.test: [0-9]+ articles' "group on the NNTP session after keepalives failed"

# None on a session while its command runs: a held download.
pty_cmd "open ftp://127.0.0.1:$HELDFTP_PORT as heldftp"
pty_err_mark
pty_err_wait "$(sent heldftp NOOP)" 1
pty_fake_wait_event heldftp 'recv "NOOP"'
pty_err_mark
want=$((PTY_PROMPTS + 1))
pty_type "get big.bin"
pty_send Enter
pty_wait_size "$W/dl/big.bin.part" $((SIZE / 2))
pty_keepalives_meanwhile knews DATE
pty_release_held "$HELDFTP_PORT" "$want" "get big.bin"
# (Its summary goes to standard error, here the file.)
[ "$(pty_err_count '^big\.bin: 1048576 bytes$')" = 1 ] || pty_fail "the held get did not end with its size"
assert_sha "$W/dl/big.bin" "$(pty_gen_sha "$SIZE")"
pty_no_keepalive_in heldftp NOOP '> (SIZE|MDTM|TYPE|EPSV|PASV|RETR)( |$)' '< 226' "get big.bin"
pty_err_mark
pty_err_wait "$(sent heldftp NOOP)" 1

# ...and a held article.
pty_cmd "open nntp://127.0.0.1:$HELDNEWS_PORT as heldnews"
pty_err_mark
pty_err_wait "$(sent heldnews DATE)" 1
pty_fake_wait_event heldnews 'recv "DATE"'
pty_err_mark
want=$((PTY_PROMPTS + 1))
pty_type "article 1"
pty_send Enter
pty_fake_wait_event heldnews 'recv "ARTICLE 1"'
pty_keepalives_meanwhile kftp NOOP
pty_release_held "$HELDNEWS_PORT" "$want" "article 1"
pty_expect_out '^Held body\.$' "the held article did not show its body"
pty_no_keepalive_in heldnews DATE '> ARTICLE 1$' '< 220 ' "article 1"
pty_err_mark
pty_err_wait "$(sent heldnews DATE)" 1

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
