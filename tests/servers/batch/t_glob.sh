#!/bin/bash
# Patterns in transfer commands, against vsftpd over TLS: mput of local
# *.bin files, cls showing them, mget of remote ones into a directory (-o,
# and lftp's -O for get, mget, put and mput), an unquoted pattern in get
# expanded by ferry against the listing, a quoted one taken as a name, a
# pattern matching nothing (exit 6), and a listing cached for cls but
# dropped after put (and bypassed by recls).  Every checksum checked.
# With xfer:progress on, mget of three files ends with one line for them
# all ("mget: 3 files: 600 B in ..."); in batch use without it, none.  A
# pattern starting with a dot matches dot files (LIST -a, even after a
# plain listing was cached); "*" does not.
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
! grep -q 'files: ' "$ERR" || t_fail "a batch mget printed a total without xfer:progress on"

# The batch's line: three files of 100, 200 and 300 bytes.
for n in 1 2 3; do make_file "$H/s$n.dat" $((n * 100)) > /dev/null; done
chown "$FTP_USER:" "$H"/s*.dat
run_ferry 0 -c "open $U; set xfer:progress on; mget s*.dat -o got"
for n in 1 2 3; do cmp -s "$H/s$n.dat" got/s$n.dat || t_fail "mget s*.dat: s$n.dat differs"; done
tr '\r' '\n' < "$ERR" | grep -Eq '^got/s2\.dat: 200 B in [0-9.]+ s' ||
	t_fail "no summary line for s2.dat: $(cat -v "$ERR")"
[ "$(tr '\r' '\n' < "$ERR" | grep -Ec '^mget: 3 files: 600 B in [0-9.]+ s \([0-9.]+ [^)]*/s\)$')" = 1 ] ||
	t_fail "mget of three files did not end with one 'mget: 3 files: 600 B' line: $(cat -v "$ERR")"

# get with an unquoted pattern expands it; quoted, it is a name.
run_ferry 0 -c "open $U; get a*"
assert_sha a.bin "$a_sha"
run_ferry 6 -c "open $U; get 'a*'"
run_ferry 6 -c "open $U; mget 'nomatch*'"
grep -q 'no match' "$ERR" || t_fail "mget of a pattern matching nothing does not say so"
# -o naming no directory: one line, however many files match, none written.
run_ferry 7 -c "open $U; mget s*.dat -o missing/"
assert_one_line_error "missing/: no such directory"
[ ! -e missing ] || t_fail "mget -o missing/ made something"
# lftp's -O DIR: -o DIR/ for get, mget, put and mput.
mkdir -p big
run_ferry 0 -c "open $U; mget -O big *.bin; get -O big/ s1.dat; mkdir O; lcd up; mput -O O *.bin; put -O O notes.txt"
assert_sha big/a.bin "$a_sha"
assert_sha big/b.bin "$b_sha"
cmp -s "$H/s1.dat" big/s1.dat || t_fail "get -O big/ s1.dat: no big/s1.dat"
assert_sha "$H/O/a.bin" "$a_sha"
assert_sha "$H/O/b.bin" "$b_sha"
[ -f "$H/O/notes.txt" ] || t_fail "put -O O notes.txt did not store O/notes.txt: $(ls -A "$H/O")"
run_ferry 7 -c "open $U; get -O missing s1.dat"
assert_one_line_error "missing/: no such directory"
run_ferry 2 -c "open $U; get s1.dat -O"
assert_one_line_error "-O needs a directory"

# Dot files: ".h*" matches .hidden.cfg, listed again with LIST -a though
# cls cached a plain listing; "*" leaves it out.
hid_sha=$(make_file "$H/.hidden.cfg" 300)
chown "$FTP_USER:" "$H/.hidden.cfg"
mkdir -p dots star
run_ferry 0 -d -c "open $U; cls; mget .h* -o dots; mget * -o star"
assert_sha dots/.hidden.cfg "$hid_sha"
grep -q '> LIST -a' "$ERR" || t_fail "mget .h* did not list with LIST -a"
[ ! -e star/.hidden.cfg ] || t_fail "mget * fetched a dot file"
[ -e star/a.bin ] || t_fail "mget * fetched nothing: $(ls star)"
rm -f "$H/.hidden.cfg"

# cls is answered from the cache until a put in the directory drops it.
make_file late.bin 5 > /dev/null
run_ferry 0 -d -c "open $U; cls; cls; put late.bin; cls"
[ "$(grep -Ec '> (MLSD|LIST) ' "$ERR")" = 2 ] ||
	t_fail "expected two listings (cached once, fetched again after put): $(grep -E '> (MLSD|LIST)' "$ERR")"
[ "$(grep -c '^late.bin$' "$LAST.out.lf")" = 1 ] || t_fail "the last cls does not show late.bin once"
# A file put by someone else: cls answers from the cache without it,
# recls asks the server and shows it, and the cls after it too.
run_ferry 0 -d -c "open $U; cls; !touch '$H/other.bin'
cls; recls; cls"
[ "$(grep -Ec '> (MLSD|LIST) ' "$ERR")" = 2 ] ||
	t_fail "cls; cls; recls; cls: expected two listings: $(grep -E '> (MLSD|LIST)' "$ERR")"
[ "$(grep -c '^other.bin$' "$LAST.out.lf")" = 2 ] ||
	t_fail "recls and the cls after it do not both show other.bin: $(cat "$LAST.out.lf")"
t_pass
