#!/bin/bash
# `cmake --install` into a fresh prefix puts each shell's completion where
# that shell looks for it, and the manual page into man1:
#   bash  DATADIR/bash-completion/completions/ferry  (bash-completion's loader)
#   zsh   DATADIR/zsh/vendor-completions/_ferry      (Debian's fpath)
#   fish  DATADIR/fish/vendor_completions.d/ferry.fish
#   man   MANDIR/man1/ferry.1.gz                     (gzip of doc/ferry.1)
#   ferry BINDIR/ferry                               (runs: --version)
# Each installed file must be the source file unchanged (the manual page
# once gunzipped).  The prefix has a
# blank in its name: nothing may assume a plain one.
#
#   bash check_install.sh CMAKE SRCDIR BUILDDIR WORK DATADIR MANDIR BINDIR
# (DATADIR, MANDIR and BINDIR as GNUInstallDirs set them, relative to the
# prefix.)
set -eu
CMAKE=$1 SRC=$2 BUILD=$3 W=$4/install DATADIR=$5 MANDIR=$6 BINDIR=${7:-bin}
fail() { echo "FAIL: install: $*" >&2; exit 1; }

rm -rf "$W"
mkdir -p "$W"
P="$W/a prefix"
"$CMAKE" --install "$BUILD" --prefix "$P" > "$W/install.log" 2>&1 ||
	fail "cmake --install failed: $(cat "$W/install.log")"
under() { case $1 in /*) echo "$1" ;; *) echo "$P/$1" ;; esac; }
n=0
check() {
	[ -f "$2" ] || fail "$1 is not installed at $2 (installed: $(cd "$P" && find . -type f | sort | tr '\n' ' '))"
	cmp -s "$1" "$2" || fail "$2 differs from $1"
	n=$((n + 1))
}
check "$SRC/completions/ferry.bash" "$(under "$DATADIR")/bash-completion/completions/ferry"
check "$SRC/completions/_ferry" "$(under "$DATADIR")/zsh/vendor-completions/_ferry"
check "$SRC/completions/ferry.fish" "$(under "$DATADIR")/fish/vendor_completions.d/ferry.fish"
man=$(under "$MANDIR")/man1/ferry.1.gz
gzip -dc "$man" > "$P.man" 2>/dev/null || fail "no gzipped manual page at $man"
check "$SRC/doc/ferry.1" "$P.man"
bin=$(under "$BINDIR")/ferry
[ -x "$bin" ] || fail "ferry is not installed at $bin"
v=$("$bin" --version) || fail "the installed $bin --version failed"
[ "$v" = "$("$BUILD/ferry" --version)" ] || fail "the installed ferry says '$v'"
n=$((n + 1))
echo "PASS: install ($n files where they belong under $P)"
