#!/bin/bash
# Bookmarks ($XDG_CONFIG_HOME/ferry/bookmarks, lftp's `NAME URL` lines):
# `open NAME` opens a bookmark (named after it, at its directory, with its
# credentials); `bookmark add NAME` keeps the focused session's URL without
# its password, `--password` keeps it (the file stays mode 0600);
# `bookmark list` never shows a password; `bookmark del`; a malformed line
# is warned about with FILE:LINE and kept; a bookmark NNTP URL opens at its
# group.  Aliases from the rc file expand on the first word of a command.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

BM=$XDG_CONFIG_HOME/ferry/bookmarks
cat > "$BM" <<BM
# by hand
lab	ftp://127.0.0.1:$FTP_PORT/$FTP_SAMPLE_SUBDIR
not a bookmark line
news nntp://127.0.0.1:$NNTP_PORT/ferry.test
BM

run_ferry 0 -c "open lab; pwd; cat $(basename "$FTP_SAMPLE_NESTED"); sessions"
assert_out_line "/$FTP_SAMPLE_SUBDIR"
assert_out_line "$(head -n 1 "$FTP_ANON_ROOT/$FTP_SAMPLE_NESTED")"
grep -Eq '^\* +1 +lab +ftp ' "$OUT" || t_fail "the session opened from bookmark lab is not named lab"
grep -qF "$BM:3: " "$ERR" || t_fail "the malformed line 3 is not warned about with FILE:LINE"

# add from the focused session: no password unless --password.
run_ferry 0 -c "open ftp://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT; bookmark add mine;
bookmark add mine-pw --password; bookmark add other ftp://127.0.0.1:$FTP_PORT; bookmark list"
grep -qxF "mine	ftp://$FTP_USER@127.0.0.1:$FTP_PORT" "$BM" || t_fail "bookmark add mine did not keep the URL without password: $(cat "$BM")"
grep -qxF "mine-pw	ftp://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT" "$BM" || t_fail "bookmark add --password did not keep the password"
[ "$(stat -c %a "$BM")" = 600 ] || t_fail "$BM is not mode 600"
assert_out_lacks "$FTP_PASS"
grep -Eq "^mine-pw +ftp://$FTP_USER@127\.0\.0\.1:$FTP_PORT\$" "$OUT" || t_fail "bookmark list does not show mine-pw without its password"
# The hand-written lines are still there, byte for byte.
grep -qxF "not a bookmark line" "$BM" || t_fail "the malformed line was not kept"
grep -qxF "# by hand" "$BM" || t_fail "the comment was not kept"
grep -qxF "news nntp://127.0.0.1:$NNTP_PORT/ferry.test" "$BM" || t_fail "an untouched bookmark was rewritten"

# A password in a URL is refused without --password: nothing written.
before=$(sha256sum < "$BM")
run_ferry 2 -c "bookmark add leak ftp://u:secret@127.0.0.1:$FTP_PORT"
assert_one_line_error --password
[ "$(sha256sum < "$BM")" = "$before" ] || t_fail "a refused bookmark add changed the file"

# The password kept with --password logs in (an upload: not anonymous).
echo up > up.txt
run_ferry 0 -c "open mine-pw; put up.txt -o bm-up.txt"
[ "$(cat "$FTP_USER_HOME/bm-up.txt")" = up ] || t_fail "open mine-pw did not log in as $FTP_USER"
rm -f "$FTP_USER_HOME/bm-up.txt"

# NNTP: at the bookmark's group.
run_ferry 0 -c "open news; article 1"
assert_body ferry.test 1

# An alias made in the rc file, its expansion running several commands.
cat >> "$RC" <<'RC'
alias labcat "open lab; cat"
alias pwd "pwd; pwd"
RC
run_ferry 0 -c "labcat $(basename "$FTP_SAMPLE_NESTED"); pwd"
assert_out_line "$(head -n 1 "$FTP_ANON_ROOT/$FTP_SAMPLE_NESTED")"
# An alias that names itself is expanded once: two lines, not a loop.
[ "$(grep -cx "/$FTP_SAMPLE_SUBDIR" "$OUT")" = 2 ] || t_fail "alias pwd \"pwd; pwd\" did not print the directory twice"

# del, and an unknown name (the malformed line fixed by hand: no warning).
sed -i '/^not a bookmark line$/d' "$BM"
run_ferry 0 -c "bookmark del other; bookmark list"
[ ! -s "$ERR" ] || t_fail "warnings with a clean bookmarks file: $(cat "$ERR")"
assert_out_lacks "other "
! grep -q "^other" "$BM" || t_fail "bookmark del left the line"
run_ferry 2 -c "bookmark del nosuch"
assert_one_line_error nosuch
t_pass
