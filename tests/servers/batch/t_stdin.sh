#!/bin/bash
# Standard input that is not a terminal is a script; URLs on the command
# line open sessions first (two hosts, so two default names).
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

printf 'get hello.txt\nget 1mib.bin\ngroup ferry.test\narticle 1\n' > "$W/cmds"
T_STDIN=$W/cmds run_ferry 0 "ftp://127.0.0.1:$FTP_PORT" "nntp://localhost:$NNTP_PORT"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_body ferry.test 1
# A failing line in a stdin script: its status.
printf 'get no-such-file\n' > "$W/cmds2"
T_STDIN=$W/cmds2 run_ferry 6 "ftp://127.0.0.1:$FTP_PORT"
t_pass
