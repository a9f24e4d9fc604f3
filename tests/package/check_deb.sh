#!/bin/bash
# The Debian package: `cpack -G DEB` from the build tree makes
# ferry_VERSION_ARCH.deb, whose control fields (name, version, section,
# maintainer, architecture, the Depends dpkg-shlibdeps computed from the
# libraries the binary links, plus GnuTLS, which it loads) and file list (the binary, the man page, the
# three completions, all under /usr and nothing else) are checked; then it
# is installed into a scratch root and run from there.
#
#   bash check_deb.sh CPACK BUILDDIR WORK VERSION
#
# How it is installed: `dpkg --root=R -i`, dpkg's own installation, with
# R/var/lib/dpkg/status a copy of this machine's package database.  dpkg
# then checks the package's Depends for real, against the packages this
# machine has (the ones the installed binary will load), while writing
# files only under R.  An empty database would need --force-depends and
# check nothing; `dpkg-deb -x` runs no check at all.  To show the check
# is live, the same install against a database without libgnutls30 must be
# refused.  Then R/usr/bin/ferry --version runs, `man -l` formats the
# installed page, and `dpkg --root=R -r ferry` removes every file.
set -eu
CPACK=$1 BUILD=$2 W=$3/deb VERSION=$4
fail() { echo "FAIL: package: $*" >&2; exit 1; }
for t in dpkg dpkg-deb dpkg-shlibdeps file man; do
	command -v "$t" > /dev/null || { echo "SKIP: package: no $t (tests/servers/install-deps.sh installs it)"; exit 77; }
done
[ -f /var/lib/dpkg/status ] || { echo "SKIP: package: no dpkg database"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: package: dpkg --root needs root"; exit 77; }

rm -rf "$W"
mkdir -p "$W/out"
"$CPACK" -G DEB --config "$BUILD/CPackConfig.cmake" -B "$W/out" > "$W/cpack.log" 2>&1 ||
	fail "cpack -G DEB failed: $(tail -n 20 "$W/cpack.log")"
arch=$(dpkg --print-architecture)
deb=$W/out/ferry_${VERSION}_$arch.deb
[ -f "$deb" ] || fail "no $deb (made: $(ls "$W/out"))"

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = ferry ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$VERSION" ] || fail "Version is '$(field Version)', not $VERSION"
[ "$(field Section)" = net ] || fail "Section is '$(field Section)', not net"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)'"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
deps=$(field Depends)
# GnuTLS, Readline and zlib are loaded with dlopen() (dpkg-shlibdeps cannot
# see them): CMakeLists.txt names them.
for lib in libc6 libgnutls30 libreadline8 zlib1g; do
	grep -Eq "(^|, )$lib( \(>= [^)]+\))?(,|$)" <<< "$deps" ||
		fail "Depends lacks $lib (with a version at most): $deps"
done
# Every library the binary needs is covered: its package is in Depends.
for so in $(objdump -p "$BUILD/ferry" | awk '$1 == "NEEDED" { print $2 }'); do
	pkg=$(dpkg -S "*/$so" 2>/dev/null | grep -v -- '-dev' | head -n 1 | cut -d: -f1)
	[ -n "$pkg" ] || continue
	grep -Eq "(^|, )$pkg( |,|$)" <<< "$deps" || fail "the binary needs $so ($pkg), which Depends lacks: $deps"
done

# Files: the installed layout, nothing else.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sort > "$W/files"
cat > "$W/want" <<LIST
./usr/bin/ferry
./usr/share/bash-completion/completions/ferry
./usr/share/fish/vendor_completions.d/ferry.fish
./usr/share/man/man1/ferry.1.gz
./usr/share/zsh/vendor-completions/_ferry
LIST
diff -u "$W/want" "$W/files" > "$W/files.diff" || fail "the package's files differ from the install layout: $(cat "$W/files.diff")"

# A scratch root whose package database is this machine's.
R=$W/root
mkdir -p "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/info"
: > "$R/var/lib/dpkg/available"
# First without libgnutls30: dpkg must refuse, naming it.
awk -v RS= -v ORS='\n\n' '!/^Package: libgnutls30\n/' /var/lib/dpkg/status > "$R/var/lib/dpkg/status"
if dpkg --root="$R" -i "$deb" > "$W/dpkg-nodep.log" 2>&1; then
	fail "dpkg installed it on a system without libgnutls30"
fi
grep -q "depends on libgnutls30" "$W/dpkg-nodep.log" || fail "dpkg refused, but not for libgnutls30: $(cat "$W/dpkg-nodep.log")"
rm -rf "$R"
mkdir -p "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/info"
: > "$R/var/lib/dpkg/available"
cp /var/lib/dpkg/status "$R/var/lib/dpkg/status"
dpkg --root="$R" -i "$deb" > "$W/dpkg.log" 2>&1 || fail "dpkg --root -i failed: $(cat "$W/dpkg.log")"
[ "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${db:Status-Status}' ferry)" = installed ] ||
	fail "ferry is not 'installed' in the scratch database"

# Run what was installed.
v=$(env -i PATH=/usr/bin:/bin HOME="$W" "$R/usr/bin/ferry" --version) || fail "the installed ferry --version failed"
[ "$v" = "ferry $VERSION" ] || fail "the installed ferry --version says '$v'"
env -i PATH=/usr/bin:/bin HOME="$W" "$R/usr/bin/ferry" --no-rc -c 'help open' > "$W/help.out" 2>&1 ||
	fail "the installed ferry -c 'help open' failed: $(cat "$W/help.out")"
grep -q '^  ftps://' "$W/help.out" || fail "the installed ferry's help open lacks ftps://"
MANWIDTH=80 man -P cat -l "$R/usr/share/man/man1/ferry.1.gz" > "$W/man.out" 2> "$W/man.err" || fail "man -l failed: $(cat "$W/man.err")"
grep -q 'ferry - interactive shell for FTP and NNTP' "$W/man.out" || fail "man -l: no NAME line"
grep -q '^SHELL COMMANDS' "$W/man.out" || fail "man -l: no SHELL COMMANDS section"

# And out again: every file gone.
dpkg --root="$R" -r ferry > "$W/dpkg-r.log" 2>&1 || fail "dpkg --root -r failed: $(cat "$W/dpkg-r.log")"
left=$(cd "$R" && find usr -type f 2>/dev/null || true)
[ -z "$left" ] || fail "files left after removal: $left"
echo "PASS: package ($(basename "$deb"): Depends $deps; installed, run and removed in a scratch root)"
