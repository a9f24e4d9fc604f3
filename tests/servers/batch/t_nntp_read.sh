#!/bin/bash
# Reading news: by number and Message-ID (bodies compared), dot-stuffed
# lines unstuffed, a range (over), next/prev, an empty group, article
# numbers at 2^31-1, and the private group after AUTHINFO.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
U=nntp://127.0.0.1:$NNTP_PORT

run_ferry 0 -c "open $U; group ferry.test; article 1; body $(msgid_of ferry.test 4); head 7"
assert_body ferry.test 1
assert_body ferry.test 4
assert_out_has "$(msgid_of ferry.test 7)"
assert_out_lacks "Line 100 of a longer article."

# Dot-stuffing: the wire has "..leading dot line"; the user sees one dot.
run_ferry 0 -c "open $U; group ferry.test; body $NNTP_DOTS_ARTICLE"
assert_body ferry.test "$NNTP_DOTS_ARTICLE"
assert_out_line ".leading dot line"
assert_out_line "..two leading dots"
assert_out_lacks_line "...two leading dots"
assert_out_line "."

# A range of overview lines: 2..4 and nothing else.
# (Article 2's References names article 1, so look at line starts.)
run_ferry 0 -c "open $U; group ferry.test; over 2-4"
for n in 2 3 4; do
	assert_out_has "$(msgid_of ferry.test "$n")"
	grep -Eq "^[[:space:]]*${n}[^0-9]" "$OUT" || t_fail "over 2-4: no line for $n"
done
for n in 1 5; do
	! grep -Eq "^[[:space:]]*${n}[^0-9]" "$OUT" || t_fail "over 2-4: a line for $n"
done
assert_out_lacks "$(msgid_of ferry.test 5)"
run_ferry 0 -c "open $U; listgroup ferry.test 1-3"
for n in 1 2 3; do grep -Eq "^[[:space:]]*$n([^0-9]|$)" "$OUT" || t_fail "listgroup 1-3: no line for $n"; done
! grep -Eq "^[[:space:]]*4([^0-9]|$)" "$OUT" || t_fail "listgroup 1-3: a line for 4"

# next and prev from article 3 report 4 and 2.
run_ferry 0 -c "open $U; group ferry.test; stat 3; next"
assert_out_has "$(msgid_of ferry.test 4)"
run_ferry 0 -c "open $U; group ferry.test; stat 3; prev"
assert_out_has "$(msgid_of ferry.test 2)"

run_ferry 0 -c "open $U; group $NNTP_EMPTY_GROUP"
run_ferry 0 -c "open $U; group $NNTP_BIG_GROUP; article $NNTP_BIG_LAST; over $NNTP_BIG_FIRST-$NNTP_BIG_LAST"
assert_body ferry.big 3
for n in 1 2 3; do assert_out_has "$(msgid_of ferry.big "$n")"; done

# The private group: refused anonymously, readable after AUTHINFO.
run_ferry 4 -c "open $U; group $NNTP_PRIVATE_GROUP"
run_ferry 0 -c "open nntp://$NNTP_USER:$NNTP_PASS@127.0.0.1:$NNTP_PORT; group $NNTP_PRIVATE_GROUP; article 1"
assert_body a.private.group 1
t_pass
