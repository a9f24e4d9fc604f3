#!/bin/bash
# A missing remote file, directory, group or article: exit status 6, and a
# failed download leaves nothing behind.  A get of a directory too.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
F=ftp://127.0.0.1:$FTP_PORT
N=nntp://127.0.0.1:$NNTP_PORT

run_ferry 6 -c "open $F; get no-such-file.bin"
assert_one_line_error no-such-file.bin
grep -q "550" "$ERR" || t_fail "the error does not show the server's 550"
assert_no_file no-such-file.bin
assert_no_file no-such-file.bin.part
[ -z "$(ls -A .)" ] || t_fail "a failed get left files: $(ls -A .)"
# A directory: the 550 says "Failed to open file" on vsftpd; once a listing
# has shown the name as a directory, the error says so and names get -r.
run_ferry 6 -c "open $F; get sub"
assert_one_line_error sub
grep -q "550" "$ERR" || t_fail "get of a directory: the error does not show the server's 550"
! grep -q "get -r" "$ERR" || t_fail "get of a directory no listing showed: a hint from nowhere: $(cat "$ERR")"
run_ferry 6 -c "open $F; cls > /dev/null; get sub"
assert_one_line_error sub
grep -q "550.*(a directory: get -r fetches trees)" "$ERR" ||
	t_fail "get of a directory the listing showed: no get -r hint: $(cat "$ERR")"
[ -z "$(ls -A .)" ] || t_fail "a failed get of a directory left files: $(ls -A .)"
run_ferry 6 -c "open $F; cd no-such-dir"
assert_one_line_error no-such-dir
# (No `ls no-such-dir`: vsftpd answers LIST of a missing path with an empty
# listing and 226.)
run_ferry 6 -c "open $N; group no.such.group"
assert_one_line_error no.such.group
run_ferry 6 -c "open $N; group ferry.test; article 999"
run_ferry 6 -c "open $N; article <no-such-article@ferry.invalid>"
run_ferry 6 -c "open $N; group $NNTP_EMPTY_GROUP; article 1"
# A failing command ends the batch: the get after it never runs.
run_ferry 6 -c "open $F; get no-such-file.bin; get hello.txt"
assert_no_file hello.txt
t_pass
