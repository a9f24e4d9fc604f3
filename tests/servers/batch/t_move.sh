#!/bin/bash
# -E (lftp's): the source goes once the copy is whole.  Against vsftpd over
# explicit FTPS as ferrytest: put -E and mput -E remove the local files
# after the server's SIZE matched (the remote copies checked by sha256);
# get -E, pget -E and mget -E remove the remote files after the local copy
# is complete (gone from the server's directory); trees move with mirror
# [-R] --Remove-source-files and get -r -E; in ascii mode the server's size
# proves nothing, so put -E keeps the file and fails (1).
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
U=ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT
trap 'rm -rf "$FTP_USER_HOME"/mv-*' EXIT

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

# Trees: mirror -R --Remove-source-files (put -r -E alike) empties the local
# tree of its files once each one's SIZE matched; mirror
# --Remove-source-files (get -r -E) empties the remote one once each
# download matched the listing.  Directories stay.
mkdir -p mv-tree/sub
make_file mv-tree/one.bin 200000 > one.sha
make_file mv-tree/sub/two.bin 300000 > two.sha
cp -r mv-tree mv-ref
run_ferry 0 -c "open $U; mirror -R --Remove-source-files mv-tree"
[ -z "$(find mv-tree -type f)" ] || t_fail "mirror -R --Remove-source-files left: $(find mv-tree -type f)"
[ -d mv-tree/sub ] || t_fail "mirror -R --Remove-source-files removed a directory"
assert_sha "$FTP_USER_HOME/mv-tree/one.bin" "$(cat one.sha)"
assert_sha "$FTP_USER_HOME/mv-tree/sub/two.bin" "$(cat two.sha)"
rm -rf mv-tree
run_ferry 0 -c "open $U; get -r -E mv-tree"
diff -r mv-ref mv-tree > diff.txt || t_fail "get -r -E: the trees differ: $(cat diff.txt)"
[ -z "$(find "$FTP_USER_HOME/mv-tree" -type f)" ] ||
	t_fail "get -r -E left on the server: $(find "$FTP_USER_HOME/mv-tree" -type f)"
[ -d "$FTP_USER_HOME/mv-tree/sub" ] || t_fail "get -r -E removed a remote directory"
rm -rf "$FTP_USER_HOME/mv-tree"

echo text > mv-t.txt
run_ferry 1 -c "open $U; ascii; put -E mv-t.txt"
assert_one_line_error "mv-t.txt: sent, but kept here (-E)"
assert_file mv-t.txt
assert_file "$FTP_USER_HOME/mv-t.txt"
t_pass
