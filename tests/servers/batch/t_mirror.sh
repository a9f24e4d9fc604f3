#!/bin/bash
# mirror REMOTE LOCAL against vsftpd over TLS: a tree with nested
# directories, a name with a blank and an empty file comes over whole
# (diff -r against the server's copy), with the remote times; a second run
# gets nothing; --only-newer takes a file changed on the server but leaves
# a local file newer than the server's; --dry-run --delete says what it
# would delete and deletes nothing; --delete removes local extras (and only
# inside the target); --exclude leaves the matching names out; a mirror in
# the background (&) ends done.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT

H=$FTP_USER_HOME/tree
trap 'rm -rf "$H"' EXIT
rm -rf "$H" && mkdir -p "$H/a/b/c" "$H/empty dir" "$H/d"
make_file "$H/top.bin" 300000 > /dev/null
make_file "$H/a/one.txt" 1000 > /dev/null
make_file "$H/a/b/two words.bin" 70000 > /dev/null
make_file "$H/a/b/c/deep.bin" 5000 > /dev/null
: > "$H/d/empty.txt"
make_file "$H/d/skip.log" 100 > /dev/null
touch -d '2020-03-04 05:06:07 UTC' "$H/a/one.txt"
chown -R "$FTP_USER:" "$H"
U=ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT

run_ferry 0 -c "open $U; mirror tree local"
diff -r "$H" local > diff.txt || t_fail "the mirror differs from the server's tree: $(cat diff.txt)"
[ "$(stat -c %Y local/a/one.txt)" = "$(stat -c %Y "$H/a/one.txt")" ] ||
	t_fail "the mirrored file does not have the remote modification time"
assert_out_has "mirror: 6 files to get"
[ -z "$(find . -name '*.part*')" ] || t_fail ".part files left: $(find . -name '*.part*')"

# Again: nothing to get.
run_ferry 0 -c "open $U; mirror tree local"
assert_out_has "mirror: 0 files to get (0 bytes), 6 up to date"

# --only-newer: a file changed on the server comes; a local one newer than
# the server's stays.
make_file "$H/a/one.txt" 1200 > /dev/null
touch -d '2030-01-01 00:00:00 UTC' "$H/a/one.txt"
echo "local edit" > local/top.bin
touch -d '2031-01-01 00:00:00 UTC' local/top.bin
run_ferry 0 -c "open $U; mirror --only-newer tree local"
cmp -s "$H/a/one.txt" local/a/one.txt || t_fail "--only-newer did not take the newer remote file"
[ "$(cat local/top.bin)" = "local edit" ] || t_fail "--only-newer replaced a newer local file"

# --delete: a dry run only says; then extras go, inside the target only.
echo x > local/extra.txt
mkdir -p local/a/gone/deeper && echo y > local/a/gone/deeper/f
echo keep > outside.txt
run_ferry 0 -c "open $U; mirror --dry-run --delete tree local"
assert_out_line "delete local/extra.txt"
assert_out_line "delete local/a/gone"
[ -e local/extra.txt ] && [ -e local/a/gone/deeper/f ] || t_fail "--dry-run deleted something"
run_ferry 0 -c "open $U; mirror --delete tree local"
[ ! -e local/extra.txt ] && [ ! -e local/a/gone ] || t_fail "--delete left local extras"
[ -e outside.txt ] || t_fail "--delete removed a file outside the target"

# --exclude, and a mirror as a job.
run_ferry 0 -c "open $U; mirror --exclude '*.log' --exclude c tree part &
wait"
[ -e part/a/one.txt ] && [ ! -e part/d/skip.log ] && [ ! -e part/a/b/c ] ||
	t_fail "--exclude did not leave out *.log and c: $(find part | sort)"
t_pass
