#!/bin/bash
# -k: batch mode goes on after a failing command and exits with the status
# of the last command that failed.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
F=ftp://127.0.0.1:$FTP_PORT

# Without -k the run stops at the first failure (6): hello.txt never comes.
run_ferry 6 -c "open $F; get no-such-file; get hello.txt"
assert_no_file hello.txt

# With -k the get after the failure runs; the last failure was 6.
run_ferry 6 -k -c "open ftp://$FTP_USER:wrong@127.0.0.1:$FTP_PORT; open $F; get no-such-file; get hello.txt"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
rm -f hello.txt

# The last failure wins: 6 first, then 4.
run_ferry 4 -k -c "open $F; get no-such-file; get hello.txt; open ftp://$FTP_USER:wrong@127.0.0.1:$FTP_PORT"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"

# All good with -k: 0.
rm -f hello.txt
run_ferry 0 -k -c "open $F; get hello.txt"
t_pass
