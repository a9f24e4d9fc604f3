#!/bin/bash
# One-shot transfers named by URL: `get URL...`, `cat URL`, `put FILE URL`
# (a URL ending in '/' keeps the local name), through a session opened for
# the URL's directory and reused by the next URL of that directory (one
# login each), never taking the focus; a directory URL for get, or names
# and URLs mixed, are refused with status 2.  `ferry URL` alone in batch
# downloads the file the URL names.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT

A="ftp://127.0.0.1:$FTP_PORT"
U="ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT"
up_sha=$(make_file url-up.bin 300000)
trap 'rm -f "$FTP_USER_HOME/url-up.bin" "$FTP_USER_HOME/sub/url-up.bin"' EXIT
run_ferry 0 -d -c "open $U as mine; get $A/hello.txt $A/1mib.bin; get $A/sub/nested.txt; cat $A/hello.txt
get $A/20mib.bin; put url-up.bin $U/url-up2.bin; put url-up.bin $U/sub/; pwd"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_sha nested.txt "$FTP_SAMPLE_NESTED_SHA256"
assert_sha "$FTP_USER_HOME/url-up2.bin" "$up_sha"
assert_sha "$FTP_USER_HOME/sub/url-up.bin" "$up_sha"
assert_out_has "This small text file"
# The focus stayed on `mine`: pwd ran there, in its home.
assert_out_line "/"
# Logins: mine, the anonymous root, anonymous /sub, the user's root and
# /sub: five, whatever the number of files.
[ "$(grep -Ec '\] > USER ' "$ERR")" = 5 ] || t_fail "expected five logins (one per session)"
rm -f "$FTP_USER_HOME/url-up2.bin"

# ferry URL in batch with no commands: a file is downloaded, a directory
# URL (ending in '/') only opened; with -c the URL opens its directory.
rm -f nested.txt
run_ferry 0 "$A/sub/nested.txt"
assert_sha nested.txt "$FTP_SAMPLE_NESTED_SHA256"
run_ferry 0 "$A/sub/"
run_ferry 0 "$A/sub" -c pwd
assert_out_line "/sub"
run_ferry 6 "$A/sub/missing.txt"
assert_one_line_error "missing.txt"

run_ferry 2 -c "get $A/sub/"
assert_one_line_error "names a directory"
run_ferry 2 -c "get $A/hello.txt other.txt"
assert_one_line_error "not both"
t_pass
