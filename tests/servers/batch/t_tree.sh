#!/bin/bash
# Remote trees against vsftpd over TLS, each result read on the server's
# directory on disk: mkdir -p makes every missing level and takes an
# existing directory (a dot directory too; a file in the way fails); rm with an unquoted
# pattern removes the matches, a quoted one is a name (chmod, size and
# rmdir too); mput -o DIR/ and mv FROM... DIR/ go into a directory; rm -r removes a
# tree depth first, deleting a symbolic link to a directory outside without
# following it, and dot files (which vsftpd's plain LIST hides: ferry asks
# LIST -a) too, and asks nothing in batch use; cls -R and ls -R list the
# tree, one block per directory, never through the link, dot files hidden
# as ls hides them, and shown by cls -R -a and cls -a; ls -R and ls -lR
# print what cls -R -l does; du sums the tree's bytes per directory; cls
# PATTERN lists the matching names.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT

H=$FTP_USER_HOME/trees
OUTSIDE=$W/outside
trap 'rm -rf "$H"' EXIT
rm -rf "$H" && mkdir -p "$H/t/a/b/c" "$H/t/empty" "$OUTSIDE"
echo keep > "$OUTSIDE/keep.txt"
echo 1 > "$H/t/top.txt"
echo 2 > "$H/t/a/b/c/deep.txt"
echo 3 > "$H/t/a/two words.txt"
mkdir -p "$H/t/.dotdir" && echo 4 > "$H/t/.dotdir/.dotfile"
ln -s "$OUTSIDE" "$H/t/a/out"
touch "$H/x.tmp" "$H/y.tmp" "$H/*.tmp" "$H/keep.log"
chown -R "$FTP_USER:" "$H"
U=ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT/trees

# mkdir -p: every level; again (and a level that exists) is no error.
run_ferry 0 -c "open $U; mkdir -p new/one/two; mkdir -p new/one/two; mkdir -p /trees/new/other
mkdir -p new/.dot; mkdir -p new/.dot"
[ -d "$H/new/one/two" ] && [ -d "$H/new/other" ] && [ -d "$H/new/.dot" ] ||
	t_fail "mkdir -p did not make every level: $(find "$H/new")"
run_ferry 1 -c "open $U; mkdir -p keep.log/sub"
assert_one_line_error keep.log
[ -f "$H/keep.log" ] || t_fail "mkdir -p over a file changed it"

# cls -R and ls -R: the tree, the link shown and not entered.
run_ferry 0 -c "open $U; cls -R t"
assert_out_line "/trees/t:"
assert_out_line "/trees/t/a/b/c:"
assert_out_line "deep.txt"
assert_out_line "out"
assert_out_lacks_line "/trees/t/a/out:"
assert_out_lacks_line "keep.txt"
assert_out_lacks_line ".dotdir/"
assert_out_lacks_line "/trees/t/.dotdir:"
run_ferry 0 -c "open $U; cls -R -a t"
assert_out_line ".dotdir/"
assert_out_line "/trees/t/.dotdir:"
assert_out_line ".dotfile"
assert_out_lacks_line "./"
assert_out_lacks_line "../"
assert_out_lacks_line "/trees/t/a/out:"
# cls -a after cls: the cached plain listing lacks the dot files, so -a
# lists again (LIST -a).
run_ferry 0 -c "open $U; cls t; cls -a t"
[ "$(grep -cxF top.txt "$OUT.lf")" = 2 ] || t_fail "cls; cls -a did not list twice"
assert_out_line ".dotdir/"
run_ferry 0 -c "open $U; ls -R t"
assert_out_has "two words.txt"
grep -Eq '^l[rwx-]{9} .* out -> ' "$OUT" || t_fail "ls -R does not show the link in long form"
grep -q '[.]dotfile$' "$OUT.lf" && t_fail "ls -R showed a dot file (as ls, it hides them)"
# ls -R is cls -R -l, line for line (modes, sizes, times); ls -lR is the
# tree too, not LIST -lR (which vsftpd answers with one directory).
cp "$OUT.lf" "$W/ls-R"
run_ferry 0 -c "open $U; cls -R -l t"
cmp -s "$W/ls-R" "$OUT.lf" || t_fail "ls -R and cls -R -l differ: $(diff "$W/ls-R" "$OUT.lf")"
grep -Eq '^-rw-r--r-- +2  [0-9-]+ [0-9:]+  top\.txt$' "$OUT.lf" ||
	t_fail "cls -R -l shows no mode and size for top.txt: $(cat "$OUT.lf")"
run_ferry 0 -c "open $U; ls -lR t"
cmp -s "$W/ls-R" "$OUT.lf" || t_fail "ls -lR is not the tree ls -R lists: $(cat "$OUT.lf")"
# du (lftp's): the bytes of the files below each directory, as the disk
# holds them (find, never through the link; dot files counted), children
# before their parent; -s the total alone, in KiB rounded up.
sum() { find "$H/$1" ! -type d -printf '%s\n' | awk '{ n += $1 } END { print n + 0 }'; }
run_ferry 0 -c "open $U; du -b t"
for d in t t/a t/a/b t/a/b/c t/.dotdir t/empty; do
	assert_out_line "$(sum "$d")	$d"
done
[ "$(tail -n 1 "$OUT.lf")" = "$(sum t)	t" ] || t_fail "du -b t does not end with t's total: $(cat "$OUT.lf")"
[ "$(grep -n '	t/a$' "$OUT.lf" | cut -d: -f1)" -gt "$(grep -n '	t/a/b$' "$OUT.lf" | cut -d: -f1)" ] ||
	t_fail "du -b t prints t/a before t/a/b: $(cat "$OUT.lf")"
[ "$(wc -l < "$OUT.lf")" = 6 ] || t_fail "du -b t printed other directories (through the link?): $(cat "$OUT.lf")"
# A root typed with its '/' (the server's root too) still comes last.
run_ferry 0 -c "open $U; du -b /trees/t/"
[ "$(tail -n 1 "$OUT.lf")" = "$(sum t)	/trees/t/" ] ||
	t_fail "du -b /trees/t/ does not end with its total: $(cat "$OUT.lf")"
assert_out_line "$(sum t/a/b)	/trees/t/a/b"
run_ferry 0 -c "open $U; du -s t"
[ "$(cat "$OUT.lf")" = "$((($(sum t) + 1023) / 1024))	t" ] || t_fail "du -s t printed: $(cat "$OUT.lf")"
run_ferry 6 -c "open $U; du nothere"
assert_one_line_error nothere

# match; a dot pattern finds the dot files vsftpd hides (LIST -a); a
# quoted pattern is a name; no match is status 6 with one line.
run_ferry 0 -c "open $U; cls t/*.txt"
[ "$(cat "$OUT.lf")" = top.txt ] || t_fail "cls t/*.txt printed: $(cat "$OUT.lf")"
run_ferry 0 -c "open $U; cls -l t/.d*"
grep -Eq '^d[rwx-]{9} .*  \.dotdir/$' "$OUT.lf" || t_fail "cls -l t/.d* printed: $(cat "$OUT.lf")"
[ "$(wc -l < "$OUT.lf")" = 1 ] || t_fail "cls -l t/.d* printed more than .dotdir: $(cat "$OUT.lf")"
run_ferry 6 -c "open $U; cls t/zz*"
assert_one_line_error "zz*: no match"
# ls -R -a (and -Ra): the dot files too (LIST -a), never . or ..
for o in "-R -a" "-Ra"; do
	run_ferry 0 -c "open $U; ls $o t"
	grep -q ' [.]dotfile$' "$OUT.lf" || t_fail "ls $o shows no .dotfile"
	assert_out_line "/trees/t/.dotdir:"
	grep -Eq ' [.]{1,2}$' "$OUT.lf" && t_fail "ls $o shows . or .."
done

# rm: a quoted pattern is a name, an unquoted one is matched.
run_ferry 0 -c "open $U; rm '*.tmp'"
[ ! -e "$H/*.tmp" ] && [ -e "$H/x.tmp" ] || t_fail "rm '*.tmp' did not take the name literally"
run_ferry 0 -c "open $U; rm *.tmp"
[ ! -e "$H/x.tmp" ] && [ ! -e "$H/y.tmp" ] && [ -e "$H/keep.log" ] || t_fail "rm *.tmp: $(ls "$H")"
run_ferry 6 -c "open $U; rm 'nothing*'"

# chmod, size and rmdir take patterns too, matched by ferry; quoted, a
# pattern is a name.
touch "$H/p1.cfg" "$H/p2.cfg" && mkdir "$H/rd1" "$H/rd2"
chown -R "$FTP_USER:" "$H"
run_ferry 0 -c "open $U; chmod 600 p*.cfg; size p*.cfg; rmdir rd*"
[ "$(stat -c %a "$H/p1.cfg")" = 600 ] && [ "$(stat -c %a "$H/p2.cfg")" = 600 ] ||
	t_fail "chmod 600 p*.cfg left: $(stat -c '%n %a' "$H"/p*.cfg)"
[ "$(grep -Ec '^p[12]\.cfg	0$' "$OUT.lf")" = 2 ] || t_fail "size p*.cfg printed: $(cat "$OUT.lf")"
[ ! -e "$H/rd1" ] && [ ! -e "$H/rd2" ] || t_fail "rmdir rd* left: $(ls "$H")"
run_ferry any -d -c "open $U; chmod 644 'p*.cfg'"
grep -q '> SITE CHMOD 644 p\*\.cfg$' "$ERR" || t_fail "chmod of a quoted pattern did not send it as a name"
[ "$(stat -c %a "$H/p1.cfg")" = 600 ] || t_fail "chmod 644 'p*.cfg' changed p1.cfg"

# mput -o DIR/ stores into that directory; mv FROM... DIR/ moves into one
# (patterns matched by ferry), mv FROM TO renames; several names and no
# directory are refused with one line, nothing stored or moved.
echo one > mv1.txt && echo two > mv2.txt
run_ferry 0 -c "open $U; mkdir into other; mput mv*.txt -o into/; mv into/mv*.txt other/
mv other/mv1.txt other/one.txt"
[ -z "$(ls "$H/into")" ] || t_fail "mv into/mv*.txt other/ left: $(ls "$H/into")"
cmp -s mv1.txt "$H/other/one.txt" && cmp -s mv2.txt "$H/other/mv2.txt" ||
	t_fail "mput -o into/ then mv left: $(ls -R "$H/other")"
run_ferry 2 -c "open $U; mv other/* nowhere"
assert_one_line_error "2 names to move"
[ -e "$H/other/mv2.txt" ] && [ ! -e "$H/nowhere" ] || t_fail "a refused mv moved something"
run_ferry 2 -c "open $U; mput mv*.txt -o single"
assert_one_line_error "-o with several files"
[ ! -e "$H/single" ] || t_fail "a refused mput -o stored something"

# rm without -r leaves a directory; rm -r removes the tree, not the
# link's target, and asks nothing in batch use.
run_ferry any -c "open $U; rm t"
[ -d "$H/t/a/b/c" ] || t_fail "rm without -r removed a directory"
run_ferry 0 -c "open $U; rm -r t new; cls"
[ ! -e "$H/t" ] && [ ! -e "$H/new" ] || t_fail "rm -r left: $(find "$H")"
[ "$(cat "$OUTSIDE/keep.txt")" = keep ] || t_fail "rm -r followed the symbolic link"
assert_out_lacks_line "t/"
assert_out_line "keep.log"
run_ferry 6 -c "open $U; rm -r nothere"
assert_one_line_error nothere
t_pass
