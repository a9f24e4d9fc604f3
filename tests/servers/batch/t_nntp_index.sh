#!/bin/bash
# index: one line per article, threaded (jwz), headers decoded (RFC 2047
# in Latin-1), a dummy row for a missing parent, the unread articles by
# default in a group of the .newsrc, and "index > FILE" untruncated.
# read: the article decoded (RFC 2047 Latin-1 headers, a quoted-printable
# and a base64 body in ISO-8859-1, shown in UTF-8), marked read in the
# .newsrc; `article N > FILE` still keeps the raw article byte for byte.
# COMPRESS DEFLATE on and off: the same bytes, the trace in clear, the
# saving in `sessions`.
# Pipelining: over/hdr in pieces, head/stat batches, the same bytes under
# nntp:pipeline 1 and the default.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require NNTP_THREAD_GROUP
U=nntp://127.0.0.1:$NNTP_PORT
G=$NNTP_THREAD_GROUP

# expect_lines FILE: the lines of FILE, in order, are the lines of stdout
# (blanks runs squeezed, so column widths are not what is checked).
expect_lines() {
	local got=$W/out/got.$N_RUN
	sed 's/  */ /g' "$LAST.out.lf" > "$got"
	diff -u "$1" "$got" >&2 || t_fail "index lines differ (want - got +)"
}

WIDE="A subject much wider than a terminal: $(for i in $(seq 30); do printf 'wide '; done)END"
cat > "$W/want.utf8" <<EOT
1 2024-01-01 Ferry Tester 1 Threads start here
2 2024-01-01 Ferry Tester 1 └─>Re: Threads start here
6 2024-01-01 Ferry Tester 1 └─>Re: Threads start here
 [missing] Re: A lost parent
3 2024-01-01 Ferry Tester 1 ├─>Re: A lost parent
4 2024-01-01 Ferry Tester 1 └─>Re: A lost parent
5 2024-01-01 Jörg Müller 1 Grüße aus Köln
7 2024-01-02 Ferry Tester 1 $WIDE
EOT
run_ferry 0 -c "open $U; group $G > /dev/null; index all"
expect_lines "$W/want.utf8"
# The deeper reply is indented one level more than its parent.
grep -q '^6 .*  └─>Re' "$LAST.out.lf" || t_fail "article 6 is not drawn under 2"

# ASCII tree outside a UTF-8 locale.
LC_ALL=C run_ferry 0 -c "open $U; group $G > /dev/null; index all"
assert_out_has '`->Re: Threads start here'
assert_out_has '|->Re: A lost parent'

# To a file: the same lines, the long subject whole.
run_ferry 0 -c "open $U; group $G > /dev/null; index all > $W/index.txt"
[ -s "$W/index.txt" ] || t_fail "index > FILE wrote nothing"
grep -qF -- "$WIDE" "$W/index.txt" || t_fail "index > FILE cut the long subject"
[ "$(wc -l < "$W/index.txt")" = 8 ] || t_fail "index > FILE: not 8 lines"

# A range; and the default once the group is in the .newsrc: unread only.
run_ferry 0 -c "open $U; group $G > /dev/null; index 3-4"
[ "$(wc -l < "$LAST.out.lf")" = 3 ] || t_fail "index 3-4: not a dummy and two articles"
run_ferry 0 -c "open $U; subscribe $G; group $G; article 1 > /dev/null; body 5 > /dev/null; index"
grep -q '^1 ' "$LAST.out.lf" && t_fail "index (unread) shows the read article 1"
grep -q '^5 ' "$LAST.out.lf" && t_fail "index (unread) shows the read article 5"
grep -q '^7 ' "$LAST.out.lf" || t_fail "index (unread) lacks article 7"
run_ferry 0 -c "open $U; group $G > /dev/null; index unread | wc -l"
assert_out_line "6"   # 2 3 4 6 7 and the dummy over 3 and 4
# thread N: the lines of N's thread only; thread alone: the current one's.
run_ferry 0 -c "open $U; group $G > /dev/null; thread 6"
[ "$(cut -c1 "$LAST.out.lf" | tr -d ' ' | paste -sd,)" = "1,2,6" ] ||
	t_fail "thread 6: not articles 1, 2 and 6"
run_ferry 0 -c "open $U; group $G > /dev/null; stat 4 > /dev/null; thread"
assert_out_has "[missing] Re: A lost parent"
[ "$(wc -l < "$LAST.out.lf")" = 3 ] || t_fail "thread of 4: not the dummy, 3 and 4"
run_ferry 6 -c "open $U; group $G > /dev/null; thread 99"
# An empty group: nothing, and no error.
run_ferry 0 -c "open $U; group $NNTP_EMPTY_GROUP > /dev/null; index all"
[ -s "$LAST.out.lf" ] && t_fail "index of an empty group printed something"
# Without a group selected.
run_ferry 1 -c "open $U; index"

# ---- read ----
rm -f "$HOME/.newsrc"
run_ferry 0 -c "open $U; group $G > /dev/null; read 5"
assert_out_line "From: Jörg Müller <joerg@ferry.invalid>"
assert_out_line "Subject: Grüße aus Köln"
assert_out_line "Newsgroups: $G"
assert_out_line "déjà vu, quoted-printable."
assert_out_lacks "=?ISO-8859-1?"
run_ferry 0 -c "open $U; group $G > /dev/null; read 4"
assert_out_line "Base64 body: déjà vu."
assert_out_lacks "QmFzZTY0"
# By message-id too; UTF-8 headers and a QP UTF-8 body of ferry.test.
run_ferry 0 -c "open $U; read $(msgid_of ferry.test 6)"
assert_out_line "café au lait, softbreak joined."
[ "$(cat "$HOME/.newsrc")" = "$G! 4-5" ] || t_fail ".newsrc after read 5, read 4: $(cat "$HOME/.newsrc")"

# The raw article is untouched by all this.
run_ferry 0 -c "open $U; group $G > /dev/null; article 4 > $W/raw4"
nntp_get "GROUP $G" "ARTICLE 4" > "$W/want4"
cmp -s "$W/want4" "$W/raw4" || t_fail "article 4 > FILE is not the raw article"
# ---- COMPRESS DEFLATE (RFC 8054, nnrpd offers it) ----
# On (the default) and off: the same bytes out of index, over, article
# and head; the trace shows the plain lines; sessions shows the saving.
for c in on off; do
	rm -f "$HOME/.newsrc"
	run_ferry 0 -d -c "set nntp:compress $c; open $U; group $G > /dev/null; index all > $W/ix.$c; over 1-7 > $W/over.$c; article 5 > $W/art.$c; head 2 > $W/head.$c; sessions"
	cp "$LAST.out.lf" "$W/sessions.$c"
	cp "$LAST.err" "$W/trace.$c"
done
for f in ix over art head; do
	[ -s "$W/$f.on" ] || t_fail "$f with COMPRESS wrote nothing"
	cmp -s "$W/$f.on" "$W/$f.off" || t_fail "$f differs with COMPRESS on and off"
done
grep -Eq '> *COMPRESS DEFLATE' "$W/trace.on" || t_fail "COMPRESS DEFLATE not sent"
grep -Eq '< *206' "$W/trace.on" || t_fail "no 206 to COMPRESS"
# Capabilities asked again after the switch; replies traced in clear.
sed -n '/< *206/,$p' "$W/trace.on" | grep -Eq '> *CAPABILITIES' ||
	t_fail "CAPABILITIES not re-read after COMPRESS"
sed -n '/< *206/,$p' "$W/trace.on" | grep -Eq '< *224 ' ||
	t_fail "the trace after COMPRESS does not show the OVER reply in clear"
grep -Eq '> *COMPRESS' "$W/trace.off" && t_fail "COMPRESS sent with nntp:compress off"
grep -Eq '^ +compressed: received .* as .*, [0-9]+% saved; sent ' "$W/sessions.on" ||
	t_fail "sessions does not show the bytes saved"
grep -q 'compressed:' "$W/sessions.off" && t_fail "sessions shows COMPRESS that was off"
# ---- pipelining (RFC 3977 3.5) ----
# over and hdr over a range of three pieces (20,000 articles each) give
# the bytes of the range asked for whole; nntp:pipeline 1 and the default
# give the same bytes out of them and out of head and stat batches with a
# missing article in the middle (named, status 6, the others printed).
run_ferry 0 -c "open $U; group $G > /dev/null; over 1-7 > $W/over.whole; hdr Subject 1-7 > $W/hdr.whole"
for p in 1 4; do
	rm -f "$HOME/.newsrc"
	run_ferry 6 -k -c "set nntp:pipeline $p; open $U; group $G > /dev/null; over 1-45000 > $W/over.p$p; hdr Subject 1-45000 > $W/hdr.p$p; head 1 3 99 5 > $W/head.p$p; stat 2 99 4 > $W/stat.p$p"
	grep -q '99: no such article' "$LAST.err" || t_fail "head 1 3 99 5 (pipeline $p) does not name 99"
done
for f in over hdr; do
	[ -s "$W/$f.whole" ] || t_fail "$f 1-7 wrote nothing"
	cmp -s "$W/$f.whole" "$W/$f.p1" || t_fail "$f in pieces differs from the range whole"
done
for f in over hdr head stat; do
	cmp -s "$W/$f.p1" "$W/$f.p4" || t_fail "$f differs with nntp:pipeline 1 and 4"
done
[ "$(grep -c '^Message-ID: ' "$W/head.p4")" = 3 ] || t_fail "head 1 3 99 5: not three heads"
[ "$(grep -c '^$' "$W/head.p4")" = 2 ] || t_fail "head 1 3 99 5: not a blank line between two"
[ "$(cut -d' ' -f1 "$W/stat.p4" | paste -sd,)" = "2,4" ] || t_fail "stat 2 99 4: not 2 and 4"
t_pass
