#!/bin/bash
# reget resumes NAME.part with REST: a .part holding the first 5 MiB of the
# file is completed, the result verified, the .part gone; get -c and
# mget -c do the same.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

head -c $((5 << 20)) "$FTP_ANON_ROOT/20mib.bin" > 20mib.bin.part
run_ferry 0 -d -c "open ftp://127.0.0.1:$FTP_PORT; reget 20mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_no_part .
grep -Eq ">[[:space:]]*REST $((5 << 20))" "$ERR" || t_fail "the trace shows no REST $((5 << 20)) sent"

# get -c is reget (lftp's spelling), also for mget: a .part of 300,000
# bytes and a shorter local file are completed with REST; a file with
# nothing local is fetched whole; -c to standard output is refused.
rm -f 20mib.bin
head -c 300000 "$FTP_ANON_ROOT/20mib.bin" > 20mib.bin.part
run_ferry 0 -d -c "open ftp://127.0.0.1:$FTP_PORT; get -c 20mib.bin"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_no_part .
grep -Eq ">[[:space:]]*REST 300000\b" "$ERR" || t_fail "get -c sent no REST 300000"
mkdir -p m && head -c 4000 "$FTP_ANON_ROOT/1mib.bin" > m/1mib.bin
run_ferry 0 -d -c "open ftp://127.0.0.1:$FTP_PORT; mget -c -o m *.txt 1m*"
assert_sha m/1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha m/hello.txt "$FTP_SAMPLE_SMALL_SHA256"
grep -Eq ">[[:space:]]*REST 4000\b" "$ERR" || t_fail "mget -c sent no REST 4000 for the shorter 1mib.bin"
assert_no_part m
run_ferry 2 -c "open ftp://127.0.0.1:$FTP_PORT; get -c hello.txt -o -"
assert_one_line_error "-c cannot resume standard output"

# Over explicit FTPS too.
head -c 12345 "$FTP_ANON_ROOT/1mib.bin" > 1mib.bin.part
run_ferry 0 -c "open ftpes://127.0.0.1:$FTP_PORT; reget 1mib.bin"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_no_part .
t_pass
