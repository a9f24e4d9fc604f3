#!/bin/bash
# Patterns in transfer commands, against vsftpd over TLS: mput of local
# *.bin files, cls showing them, mget of remote ones into a directory (-o),
# an unquoted pattern in get expanded by ferry against the listing, a quoted
# one taken as a name, a pattern matching nothing (exit 6), and a listing
# cached for cls but dropped after put.  Every checksum checked.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT

H=$FTP_USER_HOME/glob
trap 'rm -rf "$H"' EXIT
rm -rf "$H" && mkdir -p "$H" && chown "$FTP_USER:" "$H"
mkdir -p up && cd up
a_sha=$(make_file a.bin 100000)
b_sha=$(make_file b.bin 200000)
make_file notes.txt 10 > /dev/null
cd "$W/dl"
mkdir -p got
U=ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT/glob
run_ferry 0 -c "open $U; lcd up; mput *.bin; cls; lcd ..; mget *.bin -o got"
assert_out_line a.bin
assert_out_line b.bin
assert_sha "$H/a.bin" "$a_sha"
assert_sha "$H/b.bin" "$b_sha"
[ ! -e "$H/notes.txt" ] || t_fail "mput *.bin sent notes.txt"
assert_sha got/a.bin "$a_sha"
assert_sha got/b.bin "$b_sha"

# get with an unquoted pattern expands it; quoted, it is a name.
run_ferry 0 -c "open $U; get a*"
assert_sha a.bin "$a_sha"
run_ferry 6 -c "open $U; get 'a*'"
run_ferry 6 -c "open $U; mget 'nomatch*'"
grep -q 'no match' "$ERR" || t_fail "mget of a pattern matching nothing does not say so"

# cls is answered from the cache until a put in the directory drops it.
make_file late.bin 5 > /dev/null
run_ferry 0 -d -c "open $U; cls; cls; put late.bin; cls"
[ "$(grep -Ec '> (MLSD|LIST) ' "$ERR")" = 2 ] ||
	t_fail "expected two listings (cached once, fetched again after put): $(grep -E '> (MLSD|LIST)' "$ERR")"
[ "$(grep -c '^late.bin$' "$LAST.out.lf")" = 1 ] || t_fail "the last cls does not show late.bin once"
t_pass
