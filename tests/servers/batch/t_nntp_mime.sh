#!/bin/bash
# MIME parts, search, hdr and the server's lists, on INN's ferry.mime group:
# read shows a multipart article's text parts decoded and lists every part
# (type, decoded size, file name), and the uuencoded and yEnc files of a
# plain body as parts, a one-line placeholder where their lines were;
# save writes a part's decoded bytes
# (compared by checksum with the bytes that were encoded into the article),
# under its RFC 2231 UTF-8 name, never over an existing file without -f,
# and no .part left behind; `article N > FILE` and `body N > FILE` keep the
# raw article byte for byte.  search (HDR on INN) by subject, author,
# decoded RFC 2047 subject, range; hdr (HDR) by range and message-id;
# newgroups and newnews with dates; groups -d with counts and descriptions.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require NNTP_MIME_GROUP
# TLS is t_nntp_tls.sh's; in clear each run is twice as quick.
echo "set nntp:tls off" >> "$RC"
U=nntp://127.0.0.1:$NNTP_PORT
G=$NNTP_MIME_GROUP
PARTS=$NNTP_CONTENT/mime-parts
sha() { sha256sum < "$1" | cut -d' ' -f1; }

# ---- read: text parts shown, every part listed ----
run_ferry 0 -c "open $U; group $G > /dev/null; read 1"
assert_out_line "Subject: Two attachments"
assert_out_line "The text part: café."
assert_out_line "Nested plain alternative."
assert_out_lacks "Nested html alternative"
assert_out_lacks "The epilogue"
assert_out_lacks "AAAA"   # no base64 dumped
sed 's/  */ /g' "$LAST.out.lf" | grep -E '^ ?[0-9]+ ' > "$W/parts.got" || true
cat > "$W/parts.want" <<EOT
 1 text/plain 21 bytes (shown above)
 2 text/plain 25 bytes (shown above)
 3 text/html 31 bytes
 4 application/octet-stream 3000 bytes data.bin
 5 text/plain 60 bytes grüße.txt
EOT
diff -u "$W/parts.want" "$W/parts.got" >&2 || t_fail "the list of parts differs (want - got +)"

# ---- save: decoded bytes, names from the article, no clobbering ----
run_ferry 0 -c "open $U; group $G > /dev/null; read 1 > /dev/null; save 4; save 5; save 3 page.html"
assert_sha data.bin "$(sha "$PARTS/data.bin")"
assert_sha grüße.txt "$(sha "$PARTS/grüße.txt")"
[ "$(cat page.html)" = "<p>Nested html alternative.</p>" ] || t_fail "save 3 FILE: $(cat page.html)"
assert_no_part .
# An existing file stays unless -f; a part without a name needs FILE; a
# part that is not there is status 6.
echo keep > page.html
run_ferry 7 -c "open $U; group $G > /dev/null; read 1 > /dev/null; save 3 page.html"
assert_one_line_error "page.html"
[ "$(cat page.html)" = keep ] || t_fail "save over an existing file replaced it"
run_ferry 0 -c "open $U; group $G > /dev/null; read 1 > /dev/null; save -f 3 page.html"
[ "$(cat page.html)" = "<p>Nested html alternative.</p>" ] || t_fail "save -f did not replace"
# A directory as FILE: the part's own name in it.
mkdir sub
run_ferry 0 -c "open $U; group $G > /dev/null; read 1 > /dev/null; save 5 sub; save 4 sub/"
assert_sha sub/grüße.txt "$(sha "$PARTS/grüße.txt")"
assert_sha sub/data.bin "$(sha "$PARTS/data.bin")"
run_ferry 2 -c "open $U; group $G > /dev/null; read 1 > /dev/null; save 3"
assert_one_line_error "save 3 FILE"
run_ferry 6 -c "open $U; group $G > /dev/null; read 1 > /dev/null; save 9 x"
assert_no_file x
run_ferry 1 -c "open $U; save 1"
assert_one_line_error "read N"
# By message-id, from another session of the same server.
rm -f data.bin
run_ferry 0 -c "open $U; read $(msgid_of "$G" 1) > /dev/null; open $U as two; save 4 -"
cmp -s "$LAST.out" "$PARTS/data.bin" || t_fail "save 4 - did not write the part to stdout"
assert_no_part .
# A single-part article: nothing listed, nothing to save but part 1.
run_ferry 0 -c "open $U; group $G > /dev/null; read 2"
assert_out_lacks "save PART"

# ---- files inside a plain body: uuencode and yEnc (articles 4 and 5) ----
run_ferry 0 -c "open $U; group $G > /dev/null; read 4"
assert_out_line "The file follows."
assert_out_line "[uuencoded file old.bin, 2000 bytes: \`save 2\` writes it]"
assert_out_line "[uuencoded file ../escape.bin, 18 bytes: \`save 3\` writes it]"
assert_out_line "And another."
assert_out_line "Uri"
assert_out_lacks "begin 644"
grep -qE '^M.{60}$' "$LAST.out.lf" && t_fail "a line of uuencoded data was shown"
sed 's/  */ /g' "$LAST.out.lf" | grep -E '^ ?[0-9]+ ' > "$W/uu.got" || true
cat > "$W/uu.want" <<EOT
 1 text/plain $(wc -c < "$NNTP_CONTENT/$G/4.body") bytes (shown above)
 2 application/octet-stream 2000 bytes old.bin (uuencoded in part 1)
 3 application/octet-stream 18 bytes ../escape.bin (uuencoded in part 1)
EOT
diff -u "$W/uu.want" "$W/uu.got" >&2 || t_fail "the parts of article 4 differ (want - got +)"
# save writes the decoded bytes; a name that leaves the directory needs
# FILE (status 2, nothing written); the mode of "begin 755" is not applied.
run_ferry 0 -c "open $U; group $G > /dev/null; read 4 > /dev/null; save 2"
assert_sha old.bin "$(sha "$PARTS/old.bin")"
run_ferry 2 -c "open $U; group $G > /dev/null; read 4 > /dev/null; save 3"
assert_one_line_error "save 3 FILE"
assert_no_file ../escape.bin
assert_no_file escape.bin
run_ferry 0 -c "open $U; group $G > /dev/null; read 4 > /dev/null; save 3 esc.bin"
[ "$(cat esc.bin)" = "should never land" ] || t_fail "save 3 FILE: $(cat -A esc.bin)"
[ -x esc.bin ] && t_fail "the mode of 'begin 755' was applied"
assert_no_part .
# yEnc: size and crc32 checked, the decoded bytes saved.
run_ferry 0 -c "open $U; group $G > /dev/null; read 5; save 2"
assert_out_line "yEnc below."
assert_out_line "[yEnc file ync.bin, 3000 bytes: \`save 2\` writes it]"
assert_out_line "Done."
assert_out_lacks "=ybegin"
assert_sha ync.bin "$(sha "$PARTS/ync.bin")"

# ---- the raw article is untouched ----
run_ferry 0 -c "open $U; group $G > /dev/null; body 1 > $W/body1; article 1 > $W/art1"
cmp -s "$W/body1" "$NNTP_CONTENT/$G/1.body" || t_fail "body 1 > FILE is not the injected body"
nntp_get "GROUP $G" "ARTICLE 1" > "$W/want1"
cmp -s "$W/want1" "$W/art1" || t_fail "article 1 > FILE is not the raw article"
# Every injected line is in it (INN adds Xref and its own Path).
grep -v "^Path: " "$NNTP_CONTENT/$G/1.article" | grep -vxFf "$W/art1" > "$W/missing" || true
[ -s "$W/missing" ] && t_fail "article 1 lacks injected lines: $(head -3 "$W/missing")"

# ---- search ----
run_ferry 0 -c "open $U; group $G > /dev/null; search --from bob"
[ "$(cut -d' ' -f1 "$LAST.out.lf" | paste -sd,)" = 2 ] || t_fail "search --from bob: not article 2"
run_ferry 0 -c "open $U; group $G > /dev/null; search GRÜ"
[ "$(cut -d' ' -f1 "$LAST.out.lf" | paste -sd,)" = "" ] || t_fail "search GRÜ matched (only ASCII folds)"
run_ferry 0 -c "open $U; group $G > /dev/null; search --subject grüße"
assert_out_has "Grüße from the search test"
[ "$(wc -l < "$LAST.out.lf")" = 1 ] || t_fail "search --subject grüße: not one line"
run_ferry 0 -c "open $U; group $G > /dev/null; search ATTACH"
[ "$(cut -d' ' -f1 "$LAST.out.lf" | paste -sd,)" = "1,2,3" ] || t_fail "search ATTACH: not 1, 2, 3"
run_ferry 0 -c "open $U; group $G > /dev/null; search ann 2-"
[ "$(cut -d' ' -f1 "$LAST.out.lf" | paste -sd,)" = 3 ] || t_fail "search ann 2-: not article 3"
run_ferry 0 -c "open $U; group $G > /dev/null; search nothing-like-this"
[ -s "$LAST.out.lf" ] && t_fail "a search without a match printed something"
run_ferry 1 -c "open $U; search x"

# ---- hdr: the server's lines ----
run_ferry 0 -c "open $U; group $G > /dev/null; hdr Subject 1-3"
assert_out_line "1 Two attachments"
assert_out_line "3 =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from the search test"
run_ferry 0 -c "open $U; hdr From $(msgid_of "$G" 2)"
assert_out_line "0 Bob Plain <bob@ferry.invalid>"
run_ferry 6 -c "open $U; group $G > /dev/null; hdr Subject 7-9"
assert_one_line_error

# ---- newgroups, newnews, groups -d ----
run_ferry 0 -c "open $U; newgroups 2024-03-01"
# (ferry.mime was made on 2024-06-01, the others on 2024-01-01.)
grep -q "^$G " "$LAST.out.lf" || t_fail "newgroups 2024-03-01 lacks $G"
grep -q "^ferry.test " "$LAST.out.lf" && t_fail "newgroups 2024-03-01 lists ferry.test"
run_ferry 0 -c "open $U; newgroups 2023-12-31T23:00"
assert_out_has "ferry.test "
run_ferry 2 -c "open $U; newgroups yesterday"
assert_one_line_error "YYYY-MM-DD"
run_ferry 0 -c "open $U; group $G > /dev/null; newnews 2020-01-01"
for i in 1 2 3 4 5; do msgid_of "$G" $i; done | sort > "$W/nn.want"
sort "$LAST.out.lf" | diff -u "$W/nn.want" - >&2 || t_fail "newnews of the group differs"
run_ferry 0 -c "open $U; newnews 'ferry.t*' 1d"
assert_out_line "$(msgid_of ferry.test 1)"
assert_out_lacks "$G"
run_ferry 0 -c "open $U; groups -d 'ferry.[mt]*'"
sed 's/  */ /g' "$LAST.out.lf" > "$W/gd.got"
cat > "$W/gd.want" <<EOT
ferry.mime 5 MIME parts: attachments to list and save, search and hdr.
ferry.test 8 Ferry test articles.
ferry.thread 7 Threads for index: a missing parent, RFC 2047 headers.
EOT
diff -u "$W/gd.want" "$W/gd.got" >&2 || t_fail "groups -d differs (want - got +)"
t_pass
