#!/bin/bash
# Posting to INN: `post FILE` (8-bit header and body, lines starting with
# dots) read back byte-exact; `post` composed by a scripted $EDITOR;
# `followup` twice (Subject with one "Re: ", References per RFC 5537), read
# back from the server; Followup-To: poster refused in batch with the
# address to mail, Followup-To: GROUP honoured; a refused article kept
# (mode 0600); posting refused
# without a login (status 6, no POST).
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
UP=nntp://$NNTP_USER:$NNTP_PASS@127.0.0.1:$NNTP_PORT
U=nntp://127.0.0.1:$NNTP_PORT
G=$NNTP_POST_GROUP
# Articles being composed go to $TMPDIR: none may stay.
export TMPDIR=$W/tmp
mkdir -p "$TMPDIR"
echo 'set nntp:from "Ferry Poster <poster@ferry.invalid>"' >> "$RC"

# posted_id: the message-id of "posted <id>" in the last run.
posted_id() {
	local id
	id=$(sed -n 's/^posted \(<[^>]*>\)$/\1/p' "$LAST.out.lf")
	[ -n "$id" ] || t_fail "no 'posted <id>' line"
	printf '%s' "$id"
}

# ---- post FILE: the body comes back as written; the 8-bit Subject as an
# RFC 2047 word, and a Content-Type for the UTF-8 body.
printf '%s\n' "From: Ferry Tester <tester@ferry.invalid>" "Newsgroups: $G" \
	$'Subject: caf\xc3\xa9 post' "" "first line" "." ".dot" "..two dots" \
	$'na\xc3\xafve \xe2\x82\xac' "last line" > "$W/art.txt"
sed '1,/^$/d' "$W/art.txt" > "$W/want-body"
run_ferry 0 -c "post $W/art.txt" "$UP"
id1=$(posted_id)
run_ferry 0 -c "open $U; body $id1 > $W/body1; head $id1 > $W/head1"
cmp -s "$W/body1" "$W/want-body" || t_fail "body of $id1 differs: $(diff "$W/want-body" "$W/body1" | cat -v | head -5)"
grep -qxF "Subject: =?UTF-8?Q?caf=C3=A9?= post" "$W/head1" || t_fail "Subject not RFC 2047: $(grep Subject "$W/head1")"
grep -qxF "Content-Type: text/plain; charset=UTF-8" "$W/head1" || t_fail "no Content-Type added"
grep -qxF "From: Ferry Tester <tester@ferry.invalid>" "$W/head1" || t_fail "From changed"

# ---- post composed in $EDITOR: the template has From (nntp:from) and the
# current group; the script fills the Subject and writes a body.
cat > "$W/ed-post.sh" <<'EOF'
#!/bin/sh
cp "$1" "$TEMPLATE_COPY"
sed -i 's/^Subject: $/Subject: composed in an editor/' "$1"
printf 'Composed body.\n' >> "$1"
EOF
chmod +x "$W/ed-post.sh"
EDITOR=$W/ed-post.sh TEMPLATE_COPY=$W/template run_ferry 0 -c "group $G; post" "$UP"
printf '%s\n' "From: Ferry Poster <poster@ferry.invalid>" "Newsgroups: $G" "Subject: " "" |
	cmp -s - "$W/template" || t_fail "post template: $(cat -A "$W/template")"
id2=$(posted_id)
run_ferry 0 -c "open $U; article $id2 > $W/art2"
grep -qxF "Subject: composed in an editor" "$W/art2" || t_fail "composed Subject missing"
grep -qxF "Composed body." "$W/art2" || t_fail "composed body missing"
[ -z "$(ls -A "$TMPDIR")" ] || t_fail "temporary article files left: $(ls -A "$TMPDIR")"

# An editor that changes nothing posts nothing: status 1.
EDITOR=true run_ferry 1 -c "group $G; post" "$UP"
assert_one_line_error "not changed"

# ---- followup of id1, then a followup of that one.
cat > "$W/ed-reply.sh" <<'EOF'
#!/bin/sh
cp "$1" "$TEMPLATE_COPY"
printf 'My reply.\n' >> "$1"
EOF
chmod +x "$W/ed-reply.sh"
EDITOR=$W/ed-reply.sh TEMPLATE_COPY=$W/fu-template run_ferry 0 -c "followup $id1" "$UP"
id3=$(posted_id)
grep -qxF "Subject: Re: café post" "$W/fu-template" || t_fail "followup template Subject: $(grep Subject "$W/fu-template")"
grep -qxF "> na$(printf '\xc3\xaf')ve €" "$W/fu-template" || t_fail "body not quoted decoded: $(cat "$W/fu-template")"
grep -qxF "Ferry Tester <tester@ferry.invalid> wrote:" "$W/fu-template" || t_fail "no attribution line"
run_ferry 0 -c "open $U; head $id3 > $W/head3; body $id3 > $W/body3"
grep -qxF "References: $id1" "$W/head3" || t_fail "References of the followup: $(grep References "$W/head3")"
grep -qxF "Subject: Re: =?UTF-8?Q?caf=C3=A9?= post" "$W/head3" || t_fail "Subject of the followup: $(grep Subject "$W/head3")"
grep -qxF "Newsgroups: $G" "$W/head3" || t_fail "Newsgroups of the followup"
grep -qxF "My reply." "$W/body3" || t_fail "the reply's own line is missing"

EDITOR=$W/ed-reply.sh TEMPLATE_COPY=$W/fu2-template run_ferry 0 -c "followup $id3" "$UP"
id4=$(posted_id)
run_ferry 0 -c "open $U; head $id4 > $W/head4"
grep -qxF "References: $id1 $id3" "$W/head4" || t_fail "References of the second followup: $(grep References "$W/head4")"
grep -qxF "Subject: Re: =?UTF-8?Q?caf=C3=A9?= post" "$W/head4" || t_fail "one Re: only: $(grep Subject "$W/head4")"
grep -qxF ">> first line" "$W/fu2-template" || t_fail "quoted quote: $(cat "$W/fu2-template")"

# ---- Followup-To: poster asks for replies by mail, which ferry cannot
# send: in batch the followup is refused (status 1) with the Reply-To
# address (RFC 2047 decoded), no editor run, no POST on the wire.
printf '%s\n' "From: Ferry Tester <tester@ferry.invalid>" "Newsgroups: $G" \
	"Subject: mail me" "Followup-To: poster" \
	"Reply-To: =?UTF-8?Q?R=C3=A9my?= <remy@ferry.invalid>" "" "Reply by mail." > "$W/poster.txt"
run_ferry 0 -c "post $W/poster.txt" "$UP"
idp=$(posted_id)
EDITOR="touch $W/editor-ran" run_ferry 1 -d -c "followup $idp" "$UP"
grep -qF "followup: the author asked for replies by mail, to Rémy <remy@ferry.invalid> (Followup-To: poster)" "$ERR" ||
	t_fail "the refusal does not name the Reply-To: $(grep -v '^[<>]' "$ERR" | tail -3)"
assert_no_file "$W/editor-ran"
trace_sent POST && t_fail "POST sent for a Followup-To: poster"
# Followup-To: GROUP: the followup goes there, not to Newsgroups (the
# editor leaves the template unchanged, so nothing is posted: status 1).
printf '%s\n' "From: Ferry Tester <tester@ferry.invalid>" "Newsgroups: $G" \
	"Subject: answer elsewhere" "Followup-To: ferry.test" "" "Follow up in ferry.test." > "$W/fu-to.txt"
run_ferry 0 -c "post $W/fu-to.txt" "$UP"
idf=$(posted_id)
cat > "$W/ed-keep.sh" <<'EOF2'
#!/bin/sh
cp "$1" "$TEMPLATE_COPY"
EOF2
chmod +x "$W/ed-keep.sh"
EDITOR=$W/ed-keep.sh TEMPLATE_COPY=$W/fu-to-template run_ferry 1 -c "followup $idf" "$UP"
grep -qxF "Newsgroups: ferry.test" "$W/fu-to-template" || t_fail "followup to Followup-To: $(grep Newsgroups "$W/fu-to-template")"
assert_one_line_error "not changed"

# ---- INN refuses a group it does not carry (441): the article is kept,
# as written, in a new file of mode 0600 whose name is printed; status 1.
sed "s/^Newsgroups: .*/Newsgroups: ferry.nosuchgroup/" "$W/art.txt" > "$W/bad.txt"
run_ferry 1 -c "post $W/bad.txt" "$UP"
assert_one_line_error "441"
dead=$XDG_STATE_HOME/ferry/dead.article
grep -qF "the article is kept in $dead" "$ERR" || t_fail "the kept file is not named: $(cat "$ERR")"
cmp -s "$dead" "$W/bad.txt" || t_fail "$dead is not the article as written"
[ "$(stat -c %a "$dead")" = 600 ] || t_fail "$dead has mode $(stat -c %a "$dead"), not 600"

# ---- without a login INN gives no posting: refused before POST, status 6.
run_ferry 6 -c "post $W/art.txt" "$U"
assert_one_line_error "logging in"
t_pass
