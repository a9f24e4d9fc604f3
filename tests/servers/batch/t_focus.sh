#!/bin/bash
# Focus stays where the user put it (issue 10): a failed `open` (refused,
# or a certificate that does not verify) leaves the focus on the session
# the user had, not on the most recently used one, so later commands do
# not go to a server the user did not choose.  And in batch mode a bad URL
# on the command line still ends the run with its status.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
P=$(closed_port)
U=ftp://127.0.0.1:$FTP_PORT
WRONG=$(printf '00%.0s' $(seq 32) | sed 's/../&:/g; s/:$//')

# a is focused (use a); b is the most recently used (@b cd sub).  After
# the failed opens, pwd still goes to a ("/"), not to b ("/sub").
run_ferry 5 -k -c "open $U as a; open $U as b; use a; @b cd sub
open ftp://127.0.0.1:$P as refused
pwd
set tls:pin $WRONG
open ftps://127.0.0.1:$FTPS_IMPLICIT_PORT as pinned
pwd
sessions"
assert_out_lacks_line /sub
[ "$(grep -cx / "$LAST.out.lf")" = 2 ] || t_fail "pwd did not print / twice (the focused session a)"
grep -Eq '^\* +1 +a ' "$LAST.out.lf" || t_fail "sessions does not show a focused"
assert_out_lacks refused
assert_out_lacks pinned
# The refused connection names the host once (issue 10).
assert_all_has "open: refused: cannot connect to 127.0.0.1 port $P: Connection refused"
! grep -q '127.0.0.1: Connection refused' "$LAST.err" || t_fail "the host is named twice"

# With no session before, a failed open leaves none focused: a command
# routed afterwards says which `open` to type.
run_ferry 2 -k -c "open ftp://127.0.0.1:$P; pwd"
assert_all_has "ferry: open: cannot connect to 127.0.0.1 port $P: Connection refused"
assert_all_has "pwd: no ftp session"

# `use` moves the focus, and a failed open does not undo it.
run_ferry 3 -k -c "open $U as a; open $U as b; @a cd sub; use b; @a pwd
open ftp://127.0.0.1:$P; pwd; @a pwd"
[ "$(grep -cx /sub "$LAST.out.lf")" = 2 ] || t_fail "@a pwd did not print /sub twice"
[ "$(grep -cx / "$LAST.out.lf")" = 1 ] || t_fail "pwd did not go to b (focused by use)"

# Batch mode keeps its statuses: a bad URL on the command line ends the
# run with 3 before the commands (the sessions that connected close).
run_ferry 3 "$U" "ftp://127.0.0.1:$P" -c "pwd"
assert_out_lacks_line /
t_pass
