#!/bin/bash
# `post` at a terminal with a scripted $EDITOR against INN: the editor gets
# the terminal (a `read` in it takes the line typed, not ferry); an article
# without a Subject gets one line saying so and "Edit again? [Y/n]"; "y"
# runs the editor again, the fixed article is posted ("posted <id>"), the
# prompt comes back and the server holds what was typed; "n" at the
# question keeps the article in dead.article and says so.  `followup` of
# an article with Followup-To: poster asks "Post to the group anyway?
# [y/N]" naming the Reply-To: "n" posts nothing (status 1's line), "y"
# runs the editor on a template for the article's Newsgroups.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"
t_require NNTP_PORT
UP=nntp://$NNTP_USER:$NNTP_PASS@127.0.0.1:$NNTP_PORT
G=$NNTP_POST_GROUP
echo 'set nntp:from "Ferry Poster <poster@ferry.invalid>"' >> "$RC"

# The editor: the first and third times it leaves the Subject out; the second time
# it adds the line typed at the terminal as the Subject (the file holds
# what the first run left).
cat > "$W/editor.sh" <<END
#!/bin/sh
if grep -q '^References: ' "\$1"; then
	# A followup: keep the template, add a line.
	cp "\$1" "$W/fu-template"
	printf 'A followup anyway.\n' >> "\$1"
	exit 0
fi
n=\$(cat "$W/edits" 2>/dev/null || echo 0)
n=\$((n + 1)); echo \$n > "$W/edits"
printf 'EDITOR-%s-READING\n' \$n
read -r line
if [ \$n != 2 ]; then
	sed -i '/^Subject:/d' "\$1"
else
	sed -i "/^Newsgroups:/a Subject: \$line" "\$1"
fi
printf 'Body from the editor, run %s.\n' \$n >> "\$1"
END
chmod +x "$W/editor.sh"

PTY_ENV="EDITOR=$W/editor.sh TMPDIR=$W" pty_start "$UP"
pty_cmd "group $G"
pty_type "post"
pty_send Enter
pty_wait_for '^EDITOR-1-READING$'
pty_type "first-line-for-the-editor"
pty_send Enter
pty_wait_for 'the header has no Subject: line\. Edit again\? \[Y/n\]'
pty_type "y"
pty_send Enter
pty_wait_for '^EDITOR-2-READING$'
pty_type "typed at the terminal"
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1)) 20
id=$(pty_last_output | sed -n 's/^posted \(<[^>]*>\)$/\1/p')
[ -n "$id" ] || pty_fail "no 'posted <id>' line after the editor"
[ "$(cat "$W/edits")" = 2 ] || pty_fail "the editor ran $(cat "$W/edits") times, not 2"
! ls "$W"/ferry-article-* 2>/dev/null || pty_fail "the article being composed was left in $W"
pty_cmd_output "head $id"
pty_expect_out '^Subject: typed at the terminal$' "the posted Subject is not the line typed in the editor"
# "n" at the question: nothing posted, the article kept and named.
pty_type "post"
pty_send Enter
pty_wait_for '^EDITOR-3-READING$'
pty_type "third"
pty_send Enter
pty_wait_for 'Edit again\? \[Y/n\]'
pty_type "n"
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1)) 20
dead=$XDG_STATE_HOME/ferry/dead.article
pty_until 5 "the error naming $dead" grep -qF "not posted; the article is kept in $dead" "$W/ferry.stderr"
grep -qxF "Body from the editor, run 3." "$dead" || pty_fail "$dead does not hold the article written"
# Followup-To: poster: asked at the terminal.
printf '%s\n' "From: Ferry Tester <tester@ferry.invalid>" "Newsgroups: $G" \
	"Subject: mail me" "Followup-To: poster" "Reply-To: asker@ferry.invalid" "" \
	"Reply by mail." > "$W/poster.txt"
pty_cmd_output "post $W/poster.txt"
idp=$(pty_last_output | sed -n 's/^posted \(<[^>]*>\)$/\1/p')
[ -n "$idp" ] || pty_fail "no 'posted <id>' line for the Followup-To: poster article"
pty_type "followup $idp"
pty_send Enter
pty_wait_for 'to asker@ferry\.invalid \(Followup-To: poster\)\. Post to the group anyway\? \[y/N\]'
pty_err_mark
pty_type "n"
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1)) 20
pty_err_wait "nothing posted \(the author asked for replies by mail\)" 1
[ ! -e "$W/fu-template" ] || pty_fail "the editor ran after 'n'"
pty_type "followup $idp"
pty_send Enter
pty_wait_for 'Post to the group anyway\? \[y/N\]'
pty_type "y"
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1)) 20
pty_last_output | grep -q '^posted <' || pty_fail "no 'posted <id>' after 'y': $(pty_last_output)"
grep -qxF "Newsgroups: $G" "$W/fu-template" || pty_fail "the followup's template: $(cat "$W/fu-template")"
status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status"
t_pass
