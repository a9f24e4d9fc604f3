#!/bin/bash
# -E (lftp's): the source goes once the copy is whole.  Against vsftpd over
# explicit FTPS as ferrytest: put -E and mput -E remove the local files
# after the server's SIZE matched (the remote copies checked by sha256);
# get -E, pget -E and mget -E remove the remote files after the local copy
# is complete (gone from the server's directory); in ascii mode the
# server's size proves nothing, so put -E keeps the file and fails (1).
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
U=ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT
trap 'rm -f "$FTP_USER_HOME"/mv-*' EXIT

sha=$(make_file mv-a.bin 3000000)
cp mv-a.bin mv-c.x && cp mv-a.bin mv-d.x
run_ferry 0 -c "open $U; put -E mv-a.bin; mput -E mv-*.x"
for f in mv-a.bin mv-c.x mv-d.x; do
	assert_no_file "$f"
	assert_sha "$FTP_USER_HOME/$f" "$sha"
done

run_ferry 0 -c "open $U; get -E mv-a.bin -o back.bin; pget -E -n 2 mv-c.x; mget -E mv-d*"
assert_sha back.bin "$sha"
assert_sha mv-c.x "$sha"
assert_sha mv-d.x "$sha"
for f in mv-a.bin mv-c.x mv-d.x; do assert_no_file "$FTP_USER_HOME/$f"; done
assert_no_part .

echo text > mv-t.txt
run_ferry 1 -c "open $U; ascii; put -E mv-t.txt"
assert_one_line_error "mv-t.txt: sent, but kept here (-E)"
assert_file mv-t.txt
assert_file "$FTP_USER_HOME/mv-t.txt"
t_pass
