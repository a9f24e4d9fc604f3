#!/bin/bash
# A server that is down (a closed port): exit status 3, promptly.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
P=$(closed_port)
T_TIMEOUT=20

for u in ftp://127.0.0.1:$P ftpes://127.0.0.1:$P ftps://127.0.0.1:$P \
	nntp://127.0.0.1:$P nntps://127.0.0.1:$P "ftp://[::1]:$P"; do
	run_ferry 3 -c "open $u"
	assert_one_line_error
done
# A URL on the command line fails the same way before any command.
run_ferry 3 "nntp://127.0.0.1:$P" -c "group ferry.test"
t_pass
