#!/bin/bash
# The manual page formats without a single warning: groff with every
# warning on (-ww) prints nothing.
#
#   bash check_man.sh SRCDIR
set -eu
page=$1/doc/ferry.1
command -v groff > /dev/null || { echo "SKIP: man: no groff (groff-base)"; exit 77; }
out=$(groff -ww -mandoc -z "$page" 2>&1) || { echo "FAIL: man: groff failed: $out" >&2; exit 1; }
if [ -n "$out" ]; then
	echo "FAIL: man: groff -ww -mandoc -z $page warns:" >&2
	printf '%s\n' "$out" >&2
	exit 1
fi
echo "PASS: man (groff -ww: no warnings)"
