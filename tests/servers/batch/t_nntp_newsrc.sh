#!/bin/bash
# The .newsrc: group counts (an empty group too), subscribe, unsubscribe,
# catchup, articles read by number marked, the file's bytes after each run
# and read back by the next; groups -s with unread counts; which file a
# server gets ($NNTPSERVER, else the first NNTP session: ~/.newsrc).
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require NNTP_THREAD_GROUP
U=nntp://127.0.0.1:$NNTP_PORT
NR=$HOME/.newsrc

# expect_newsrc BYTES: ~/.newsrc holds exactly BYTES (printf format).
expect_newsrc() {
	local want
	want=$(mktemp)
	# shellcheck disable=SC2059
	printf "$1" > "$want"
	cmp -s "$want" "$NR" || {
		echo "--- want:"; cat -A "$want"; echo "--- got:"; cat -A "$NR" 2>&1
		rm -f "$want"
		t_fail ".newsrc is not as expected"
	}
	rm -f "$want"
}

# Counts as the server gives them, also for an empty group; no .newsrc
# is written by reading counts.
run_ferry 0 -c "open $U; group ferry.test; group $NNTP_EMPTY_GROUP"
assert_out_line "ferry.test: 8 articles, 1-8"
assert_out_line "ferry.empty: 0 articles (first 1, last 0)"
assert_no_file "$NR"

# An FTP-only run never reads or writes it.
run_ferry 0 -c "set net:timeout 5"
assert_no_file "$NR"

run_ferry 0 -c "open $U; subscribe ferry.test $NNTP_THREAD_GROUP $NNTP_EMPTY_GROUP; unsubscribe $NNTP_THREAD_GROUP"
expect_newsrc 'ferry.test:\nferry.thread!\nferry.empty:\n'

# Read back: unread counts; reading by number marks (article, head, body).
run_ferry 0 -c "open $U; group ferry.test; article 2; head 5; body 7"
assert_out_line "ferry.test: 8 articles, 1-8, 8 unread"
expect_newsrc 'ferry.test: 2,5,7\nferry.thread!\nferry.empty:\n'
# By message-id: not marked (its number in this group is not known).
run_ferry 0 -c "open $U; group ferry.test; article $(msgid_of ferry.test 1)"
expect_newsrc 'ferry.test: 2,5,7\nferry.thread!\nferry.empty:\n'

run_ferry 0 -c "open $U; group ferry.test; catchup $NNTP_THREAD_GROUP; groups -s"
assert_out_line "ferry.test: 8 articles, 1-8, 5 unread"
assert_out_line "       5  ferry.test"
assert_out_line "       0  ferry.empty"
assert_out_lacks "ferry.thread"
expect_newsrc 'ferry.test: 2,5,7\nferry.thread! 1-7\nferry.empty:\n'

# catchup without a group: the current one.  Lines ferry does not change
# (an options line, a group it never touched) stay byte for byte.
printf 'options -X\nferry.test: 2,5,7\nother.group: 1-3,  5\n' > "$NR"
run_ferry 0 -c "open $U; group ferry.test; catchup; group ferry.test"
assert_out_line "ferry.test: 8 articles, 1-8, 0 unread"
expect_newsrc 'options -X\nferry.test: 1-8\nother.group: 1-3,  5\n'

# Errors: a group that does not exist, a bad name.
run_ferry 6 -c "open $U; catchup no.such.group"
run_ferry 2 -c "open $U; subscribe 'bad group'"

# next and prev in a group of the .newsrc: the next (or previous) unread
# article, shown decoded and marked read; the current article counts as
# unread until shown.
rm -f "$NR"
run_ferry 0 -c "open $U; subscribe $NNTP_THREAD_GROUP; group $NNTP_THREAD_GROUP; next; next"
assert_out_line "Subject: Threads start here"
assert_out_line "The root of a thread."
assert_out_line "A reply."
expect_newsrc 'ferry.thread: 1-2\n'
run_ferry 0 -c "open $U; group $NNTP_THREAD_GROUP; read 4; next; prev"
assert_out_line "Subject: Grüße aus Köln"
assert_out_line "My parent never arrived."
expect_newsrc 'ferry.thread: 1-5\n'
run_ferry 6 -c "open $U; group $NNTP_THREAD_GROUP; stat 6; prev"
assert_all_has "no previous unread article"
# A group not in the .newsrc keeps the protocol's NEXT (real.nntp_read).

# The default server's file is ~/.newsrc; with $NNTPSERVER naming another
# server this one gets tin's ~/.newsrc-HOST+PORT.
rm -f "$NR"
NNTPSERVER=news.invalid run_ferry 0 -c "open $U; subscribe ferry.test"
assert_no_file "$NR"
[ "$(cat "$HOME/.newsrc-127.0.0.1+$NNTP_PORT")" = "ferry.test:" ] ||
	t_fail "no ~/.newsrc-127.0.0.1+$NNTP_PORT"
NNTPSERVER=127.0.0.1:$NNTP_PORT run_ferry 0 -c "open $U; subscribe ferry.empty"
expect_newsrc 'ferry.empty:\n'
t_pass
