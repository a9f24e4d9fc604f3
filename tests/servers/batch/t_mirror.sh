#!/bin/bash
# mirror REMOTE LOCAL against vsftpd over TLS: a tree with nested
# directories, a name with a blank and an empty file comes over whole
# (diff -r against the server's copy), with the remote times; a second run
# gets nothing; --only-newer takes a file changed on the server but leaves
# a local file newer than the server's; --dry-run --delete says what it
# would delete and deletes nothing; --delete removes local extras (and only
# inside the target); --parallel=4 spreads the files over more connections
# of the session, and its workers left without a file do not close
# standard input (the script, read again after the mirror); --exclude
# leaves the matching names out, as lftp's -X and -P N do with -P2; -c
# resumes the NAME.part left behind when its .meta still matches; bad
# option values are usage errors; a mirror in the background (&) ends
# done.  vsftpd's plain LIST hides dot files: a dot
# file and a dot directory come over all the same (LIST -a), checksums
# compared, --only-newer takes a newer one, and --delete removes a local
# dot file the server lacks but not those it has.
# The other way (mirror -R, put -r, get -r): a local tree goes up whole
# (a local symbolic link to a directory outside is not followed), a second
# run puts nothing (MDTM for LIST's times; the dot files seen on the
# server, not put again), --only-newer puts only newer
# files, --dry-run --delete only says, --delete removes remote
# extras inside REMOTE only; 300 small files go up and come back over TLS
# with require_ssl_reuse=YES and --parallel=4, every checksum compared.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT

H=$FTP_USER_HOME/tree
UP="$FTP_USER_HOME/back $FTP_USER_HOME/beside.txt $FTP_USER_HOME/many300"
trap 'rm -rf "$H" $UP' EXIT
rm -rf "$H" $UP && mkdir -p "$H/a/b/c" "$H/empty dir" "$H/d" "$H/.dotdir"
make_file "$H/top.bin" 300000 > /dev/null
make_file "$H/a/one.txt" 1000 > /dev/null
make_file "$H/a/b/two words.bin" 70000 > /dev/null
make_file "$H/a/b/c/deep.bin" 5000 > /dev/null
: > "$H/d/empty.txt"
make_file "$H/d/skip.log" 100 > /dev/null
HIDDEN_SHA=$(make_file "$H/.hidden" 777)
INNER_SHA=$(make_file "$H/.dotdir/.inner" 4321)
touch -d '2020-03-04 05:06:07 UTC' "$H/a/one.txt"
chown -R "$FTP_USER:" "$H"
U=ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT

run_ferry 0 -c "open $U; mirror tree local"
diff -r "$H" local > diff.txt || t_fail "the mirror differs from the server's tree: $(cat diff.txt)"
[ "$(stat -c %Y local/a/one.txt)" = "$(stat -c %Y "$H/a/one.txt")" ] ||
	t_fail "the mirrored file does not have the remote modification time"
assert_out_has "mirror: 8 files to get"
assert_sha local/.hidden "$HIDDEN_SHA"
assert_sha local/.dotdir/.inner "$INNER_SHA"
[ -z "$(find . -name '*.part*')" ] || t_fail ".part files left: $(find . -name '*.part*')"
# A remote directory that is not there, which vsftpd lists as an empty
# one: an error in one line, and no local directory made for it.
run_ferry 6 -c "open $U; mirror nosuch nosuch.local"
assert_one_line_error "nosuch: 550"
[ ! -e nosuch.local ] || t_fail "mirror of a missing directory made nosuch.local"
run_ferry 6 -c "open $U; cls nosuch"
assert_one_line_error "cls: nosuch: 550"

# Again: nothing to get.
run_ferry 0 -c "open $U; mirror tree local"
assert_out_has "mirror: 0 files to get (0 bytes), 8 up to date"

# --only-newer: a file changed on the server comes; a local one newer than
# the server's stays.
make_file "$H/a/one.txt" 1200 > /dev/null
touch -d '2030-01-01 00:00:00 UTC' "$H/a/one.txt"
HIDDEN_SHA=$(make_file "$H/.hidden" 800)
touch -d '2030-01-01 00:00:00 UTC' "$H/.hidden"
echo "local edit" > local/top.bin
touch -d '2031-01-01 00:00:00 UTC' local/top.bin
run_ferry 0 -c "open $U; mirror --only-newer tree local"
cmp -s "$H/a/one.txt" local/a/one.txt || t_fail "--only-newer did not take the newer remote file"
assert_sha local/.hidden "$HIDDEN_SHA"
[ "$(cat local/top.bin)" = "local edit" ] || t_fail "--only-newer replaced a newer local file"

# --delete: a dry run only says; then extras go, inside the target only.
echo x > local/extra.txt
echo x > local/.stale
mkdir -p local/a/gone/deeper && echo y > local/a/gone/deeper/f
echo keep > outside.txt
run_ferry 0 -c "open $U; mirror --dry-run --delete tree local"
assert_out_line "delete local/extra.txt"
assert_out_line "delete local/a/gone"
[ -e local/extra.txt ] && [ -e local/a/gone/deeper/f ] || t_fail "--dry-run deleted something"
# A dry run into nothing: what it would get, then the count, last; no
# local directory made.
run_ferry 0 -c "open $U; mirror --dry-run tree fresh"
grep -q '^get fresh/' "$OUT.lf" || t_fail "mirror --dry-run into a new directory lists no get"
tail -n 1 "$OUT.lf" | grep -Eq '^mirror: [1-9][0-9]* files? to get ' ||
	t_fail "the last line of mirror --dry-run is not its count: $(tail -n 1 "$OUT.lf")"
[ ! -e fresh ] || t_fail "mirror --dry-run made the local directory"
run_ferry 0 -c "open $U; mirror --delete tree local"
[ ! -e local/extra.txt ] && [ ! -e local/a/gone ] && [ ! -e local/.stale ] ||
	t_fail "--delete left local extras"
assert_sha local/.hidden "$HIDDEN_SHA"
assert_sha local/.dotdir/.inner "$INNER_SHA"
[ -e outside.txt ] || t_fail "--delete removed a file outside the target"

# --parallel=4: the same tree over four connections of the session.
run_ferry 0 -d -c "open $U; mirror --parallel=4 tree par"
diff -r "$H" par > diff.txt || t_fail "the --parallel=4 mirror differs from the server's tree: $(cat diff.txt)"
[ "$(grep -Ec '> USER ' "$ERR")" -ge 3 ] ||
	t_fail "--parallel=4 did not open more connections (USER sent $(grep -Ec '> USER ' "$ERR") times)"
! grep -Eq '<[[:space:]]*522' "$ERR" || t_fail "a data connection was refused (522: no TLS session reuse)"

# A worker that finds no file left (six files, four connections) must
# leave descriptor 0 alone: here standard input is the script, and its
# last line is written only once every file has arrived, so ferry reads it
# after the mirror.  (Workers closed fd 0 three times here, and under load
# once a data connection that had taken it.)
S6=$FTP_USER_HOME/six
UP="$UP $S6"
rm -rf "$S6" six.local && mkdir -p "$S6"
for i in 1 2 3 4 5 6; do echo "$i" > "$S6/f$i.txt"; done
chown -R "$FTP_USER:" "$S6"
rm -f in.fifo && mkfifo in.fifo
{
	printf 'open %s\nmirror --parallel=4 six six.local\n' "$U"
	for _ in $(seq 300); do
		[ "$(ls six.local 2>/dev/null | grep -vc '[.]part$')" = 6 ] && break
		sleep 0.1
	done
	sleep 0.2
	echo lpwd
} > in.fifo &
T_STDIN=in.fifo run_ferry 0
wait
diff -r "$S6" six.local > diff.txt || t_fail "the mirror of six files differs: $(cat diff.txt)"
assert_out_line "$PWD"

# --exclude, and a mirror as a job.
run_ferry 0 -c "open $U; mirror --exclude '*.log' --exclude c tree part &
wait"
[ -e part/a/one.txt ] && [ ! -e part/d/skip.log ] && [ ! -e part/a/b/c ] ||
	t_fail "--exclude did not leave out *.log and c: $(find part | sort)"
# lftp's forms: -X GLOB, --exclude-glob=GLOB, -P N (and -PN): the same.
run_ferry 0 -d -c "open $U; mirror -X '*.log' --exclude-glob=c -P2 tree part2"
diff -r part part2 > diff.txt || t_fail "mirror -X/--exclude-glob/-P2 differs from --exclude: $(cat diff.txt)"
[ "$(grep -Ec '> USER ' "$ERR")" -ge 2 ] ||
	t_fail "-P2 did not open a second connection (USER sent $(grep -Ec '> USER ' "$ERR") times)"
# -c (lftp's --continue): a NAME.part an interrupted mirror left, whose
# .meta shows the remote file as the listing does (a LIST time counts to
# the minute, or the day), is resumed with REST at its size; one whose
# .meta no longer matches (the file changed) starts over, as every .part
# does without -c.  Both trees come out whole.  Uploads refuse -c.
mkdir -p cont/a/b plain
# part DIR FILE BYTES [SIZE]: DIR/FILE.part, the first BYTES of the
# server's FILE, and its .meta (the remote size, or SIZE, and time).
part() {
	head -c "$3" "$H/$2" > "$1/$2.part"
	printf 'size %s\nmdtm %s\n' "${4:-$(stat -c %s "$H/$2")}" "$(stat -c %Y "$H/$2")" \
		> "$1/$2.part.meta"
}
part cont top.bin 100000
part cont a/one.txt 400
part cont "a/b/two words.bin" 10000 69999
part plain top.bin 100000
run_ferry 0 -d -c "open $U; mirror -c tree cont; mirror tree plain"
diff -r "$H" cont > diff.txt || t_fail "mirror -c differs from the server's tree: $(cat diff.txt)"
diff -r "$H" plain > diff.txt || t_fail "mirror over a .part differs from the server's tree: $(cat diff.txt)"
[ "$(grep -Ec '>[[:space:]]*REST ' "$ERR")" = 2 ] ||
	t_fail "mirror -c; mirror: expected REST 100000 and REST 400 alone: $(grep -E '>[[:space:]]*REST ' "$ERR")"
grep -Eq '>[[:space:]]*REST 100000$' "$ERR" && grep -Eq '>[[:space:]]*REST 400$' "$ERR" ||
	t_fail "mirror -c did not resume top.bin at 100000 and a/one.txt at 400"
[ -z "$(find cont plain -name '*.part*')" ] || t_fail ".part files left: $(find cont plain -name '*.part*')"
run_ferry 2 -c "open $U; mirror -R -c local somewhere"
assert_one_line_error "-c resumes downloads"
run_ferry 2 -c "open $U; mirror -P0 tree part3"
assert_one_line_error "--parallel=N"
run_ferry 2 -c "open $U; mirror tree part3 -X"
assert_one_line_error "-X needs a pattern"
run_ferry 2 -c "open $U; mirror --exclude-globs=x tree part3"
assert_one_line_error "--exclude-globs=x"
[ ! -e part3 ] || t_fail "a mirror refused for its options made part3"

# mirror -R: the local tree "local" goes up as "back".
OUTSIDE=$W/outside
mkdir -p "$OUTSIDE" && echo secret > "$OUTSIDE/secret.txt"
ln -s "$OUTSIDE" local/link
# vsftpd has no MFMT: a remote copy is as new as its upload, so the second
# run finds all up to date only when no local time is in the future (the
# --only-newer test above left one in 2030).
find local -type f -exec touch -d '2025-01-01 00:00:00 UTC' {} +
run_ferry 0 -c "open $U; mirror -R local back"
rm local/link
diff -r local "$FTP_USER_HOME/back" > diff.txt || t_fail "mirror -R differs: $(cat diff.txt)"
assert_out_has "mirror: 8 files to put"
assert_out_has "1 skipped"
[ ! -e "$FTP_USER_HOME/back/link" ] && [ -z "$(find "$FTP_USER_HOME/back" -name secret.txt)" ] ||
	t_fail "mirror -R followed the local symbolic link"
run_ferry 0 -d -c "open $U; mirror -R local back"
assert_out_has "mirror: 0 files to put (0 bytes), 8 up to date"
grep -q '> MDTM /back/top.bin' "$ERR" || t_fail "mirror -R did not ask MDTM for a time LIST gives in minutes"

# --only-newer up, as a job: a local file newer than the server's goes; an
# older one, even changed, stays.
echo newer > local/d/skip.log && touch -d '2031-01-01 00:00:00 UTC' local/d/skip.log
echo changed-but-older > local/a/one.txt && touch -d '2025-01-01 00:00:00 UTC' local/a/one.txt
run_ferry 0 -c "open $U; mirror -R --only-newer local back &
wait"
[ "$(cat "$FTP_USER_HOME/back/d/skip.log")" = newer ] || t_fail "mirror -R --only-newer did not put the newer file"
! grep -qx changed-but-older "$FTP_USER_HOME/back/a/one.txt" || t_fail "mirror -R --only-newer put an older file"
cp "$FTP_USER_HOME/back/a/one.txt" local/a/one.txt

# --delete up: a dry run only says; then remote extras go, inside REMOTE only.
mkdir -p "$FTP_USER_HOME/back/extra/deeper" && echo z > "$FTP_USER_HOME/back/extra/deeper/z"
echo y > "$FTP_USER_HOME/back/a/gone.txt"
echo keep > "$FTP_USER_HOME/beside.txt"
chown -R "$FTP_USER:" "$FTP_USER_HOME/back" "$FTP_USER_HOME/beside.txt"
run_ferry 0 -c "open $U; mirror -R --dry-run --delete local back"
assert_out_line "delete /back/extra"
assert_out_line "delete /back/a/gone.txt"
[ -e "$FTP_USER_HOME/back/extra/deeper/z" ] && [ -e "$FTP_USER_HOME/back/a/gone.txt" ] ||
	t_fail "mirror -R --dry-run deleted something"
tail -n 1 "$OUT.lf" | grep -Eq '^mirror: [0-9]+ files? to put ' ||
	t_fail "the last line of mirror -R --dry-run is not its count: $(tail -n 1 "$OUT.lf")"
run_ferry 0 -c "open $U; mirror -R --delete local back"
[ ! -e "$FTP_USER_HOME/back/extra" ] && [ ! -e "$FTP_USER_HOME/back/a/gone.txt" ] ||
	t_fail "mirror -R --delete left remote extras"
[ -e "$FTP_USER_HOME/beside.txt" ] || t_fail "mirror -R --delete removed a name outside REMOTE"
diff -r local "$FTP_USER_HOME/back" > diff.txt || t_fail "after --delete: $(cat diff.txt)"

# 300 small files both ways over TLS, four connections each way.
mkdir -p many/s1 many/s2
for i in $(seq 1 300); do
	head -c $((i * 37)) /dev/urandom > "many/s$((i % 2 + 1))/f$i.bin"
done
(cd many && find . -type f -exec sha256sum {} + | sort -k2) > many.sha
run_ferry 0 -d -c "open $U; put -r many -o many300 --parallel=4; get -r many300 -o many.back --parallel=4"
(cd "$FTP_USER_HOME/many300" && find . -type f -exec sha256sum {} + | sort -k2) > server.sha
(cd many.back && find . -type f -exec sha256sum {} + | sort -k2) > back.sha
cmp -s many.sha server.sha || t_fail "300 files up: checksums differ on the server"
cmp -s many.sha back.sha || t_fail "300 files back: checksums differ"
[ "$(grep -Ec '> USER ' "$ERR")" -ge 3 ] ||
	t_fail "--parallel=4 both ways used too few connections (USER sent $(grep -Ec '> USER ' "$ERR") times)"
! grep -Eq '<[[:space:]]*522' "$ERR" || t_fail "a data connection was refused (522: no TLS session reuse)"
t_pass
