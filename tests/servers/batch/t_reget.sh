#!/bin/bash
# reget resumes NAME.part with REST: a .part holding the first 5 MiB of the
# file is completed, the result verified, the .part gone.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

head -c $((5 << 20)) "$FTP_ANON_ROOT/20mib.bin" > 20mib.bin.part
run_ferry 0 -d -c "open ftp://127.0.0.1:$FTP_PORT; reget 20mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_no_part .
grep -Eq ">[[:space:]]*REST $((5 << 20))" "$ERR" || t_fail "the trace shows no REST $((5 << 20)) sent"

# Over explicit FTPS too.
head -c 12345 "$FTP_ANON_ROOT/1mib.bin" > 1mib.bin.part
run_ferry 0 -c "open ftpes://127.0.0.1:$FTP_PORT; reget 1mib.bin"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_no_part .
t_pass
