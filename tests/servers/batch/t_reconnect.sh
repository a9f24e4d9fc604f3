#!/bin/bash
# Sessions come back: after the server closes the control connection (QUIT
# sent by hand), the next command reconnects, logs in again and returns to
# the directory or group (and article) it was in; `reconnect` does the same
# on demand; `sessions` lists both sessions with their locations.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

run_ferry 0 -d -c "open ftp://127.0.0.1:$FTP_PORT as lab-ftp; cd sub; quote QUIT; pwd;
open nntp://127.0.0.1:$NNTP_PORT as lab-news; group ferry.test; stat 3; quote QUIT; next;
use lab-ftp; reconnect; pwd; reconnect lab-news; @lab-news stat; sessions"
# pwd after the drop prints the directory it was in, twice (after QUIT and
# after reconnect).
[ "$(grep -c '^/sub$' "$LAST.out.lf")" = 2 ] || t_fail "pwd after reconnecting is not /sub twice"
# next after the drop continues from article 3.
assert_out_has "4 $(msgid_of ferry.test 4)"
# Logged in three times: at open, after QUIT, after reconnect.
[ "$(grep -Ec '\[lab-ftp\] > USER ' "$ERR")" = 3 ] || t_fail "expected 3 FTP logins in the trace"
grep -Eq '\[lab-ftp\] > CWD /sub' "$ERR" || t_fail "no CWD back to /sub after reconnecting"
grep -Eq '\[lab-news\] > GROUP ferry.test' "$ERR" || t_fail "no GROUP after reconnecting"
grep -Eq '^\* +[0-9]+ +lab-ftp +ftp .* ready .* /sub$' "$LAST.out.lf" || t_fail "sessions: lab-ftp not focused, ready, in /sub"
grep -Eq '^ +[0-9]+ +lab-news +nntp .* ready .* ferry.test$' "$LAST.out.lf" || t_fail "sessions: lab-news not ready in ferry.test"
t_pass
