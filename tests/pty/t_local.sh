#!/bin/bash
# The local directory commands at a terminal: lls, lcd, lpwd (ferry(1):
# "lcd [DIR], lpwd, lls [ARGS]").
#   - `lls -a sub` passes its arguments to ls: sub's dot files are listed,
#     the current directory's names are not; `lls` alone lists the current
#     directory; `lls` of a missing name shows ls's complaint;
#   - `lcd sub`: lpwd shows it, lls and a shell escape (`!pwd`) follow it,
#     `lcd ..` goes back up, `lcd -` back and forth;
#   - `lcd` to a missing directory, or to a file, is one line naming it and
#     the reason, and the directory stays what it was (and lcd -'s);
#   - `lcd ~` and `lcd ~/x` go to $HOME and below it, `lcd` alone to $HOME;
#   - `lcd "DIR WITH SPACE"` (quoted, absolute), then `get hello.txt` from
#     vsftpd and `get hello.txt -o copy.txt` land there, whole (the
#     server's checksum), and nowhere else.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

mkdir -p "$W/dl/sub" "$W/dl/my dir" "$HOME/x"
: > "$W/dl/top-marker.txt"
: > "$W/dl/sub/.hidden"
: > "$W/dl/sub/visible.txt"
: > "$HOME/x/home-marker.txt"

# ls prints columns at a terminal: check PTY_OUT's words.
pty_out_has_word() { tr -s ' \t' '\n' <<< "$PTY_OUT" | grep -qxF -- "$1"; }
pty_expect_word() { pty_out_has_word "$1" || pty_fail "$2"; }
pty_expect_no_word() { ! pty_out_has_word "$1" || pty_fail "$2"; }

# pty_expect_lpwd DIR WHY: lpwd prints DIR alone.
pty_expect_lpwd() {
	pty_cmd_output "lpwd"
	[ "$PTY_OUT" = "$1" ] || pty_fail "lpwd does not print $1 $2"
}

# pty_expect_lcd_error ARG REASON: lcd ARG fails with one line naming ARG
# and REASON (an ERE); the local directory does not move.
pty_expect_lcd_error() {
	local here
	pty_cmd_output "lpwd"
	here=$PTY_OUT
	pty_cmd_output "lcd $1"
	if [ -z "$PTY_OUT" ] || [ "$(wc -l <<< "$PTY_OUT")" != 1 ]; then
		pty_fail "lcd $1 did not fail with one line"
	fi
	pty_expect_out "$1: .*$2" "lcd $1 does not say '$1: ...$2'"
	pty_expect_lpwd "$here" "after the failed lcd $1"
}

# Error lines are written to the terminal too.
PTY_STDERR=pane pty_start
pty_cmd "open ftp://127.0.0.1:$FTP_PORT as lftp"

# lls and its arguments.
pty_cmd_output "lls -a sub"
for w in . .. .hidden visible.txt; do
	pty_expect_word "$w" "lls -a sub does not list $w"
done
pty_expect_no_word top-marker.txt "lls -a sub lists the current directory"
pty_cmd_output "lls"
pty_expect_word top-marker.txt "lls does not list the current directory"
pty_expect_no_word .hidden "lls without -a lists sub's dot file"
pty_cmd_output "lls no-such-name"
pty_expect_out "no-such-name.*No such file or directory" "lls of a missing name does not show ls's complaint"

# lcd DIR, and what follows it.
pty_cmd "lcd sub"
pty_expect_lpwd "$W/dl/sub" "after lcd sub"
pty_cmd_output "lls"
pty_expect_word visible.txt "lls after lcd sub does not list sub"
pty_expect_no_word top-marker.txt "lls after lcd sub still lists the directory ferry started in"
pty_cmd_output "!pwd"
[ "$PTY_OUT" = "$W/dl/sub" ] || pty_fail "!pwd after lcd sub does not print $W/dl/sub"
pty_cmd "lcd .."
pty_expect_lpwd "$W/dl" "after lcd .."
# lcd - goes back where the last lcd left, and again.
pty_cmd "lcd -"
pty_expect_lpwd "$W/dl/sub" "after lcd -"
pty_cmd "lcd -"
pty_expect_lpwd "$W/dl" "after a second lcd -"

# Errors: one line, and the directory stays.
pty_cmd "lcd sub"
pty_expect_lcd_error no-such-dir "No such file or directory"
pty_expect_lcd_error visible.txt "Not a directory"
# A failed lcd leaves lcd - as it was: back to where lcd sub came from.
pty_cmd "lcd -"
pty_expect_lpwd "$W/dl" "after lcd - past two failed lcds"

# Home.
pty_cmd "lcd ~"
pty_expect_lpwd "$HOME" "after lcd ~"
pty_cmd "lcd ~/x"
pty_expect_lpwd "$HOME/x" "after lcd ~/x"
pty_cmd_output "lls"
pty_expect_word home-marker.txt "lls after lcd ~/x does not list it"
pty_cmd "lcd /"
pty_cmd "lcd"
pty_expect_lpwd "$HOME" "after lcd with no argument"

# A download after lcd lands in the new directory.
pty_cmd "lcd \"$W/dl/my dir\""
pty_expect_lpwd "$W/dl/my dir" "after lcd \"$W/dl/my dir\""
pty_cmd "get hello.txt"
assert_sha "$W/dl/my dir/hello.txt" "$FTP_SAMPLE_SMALL_SHA256"
pty_cmd "get hello.txt -o copy.txt"
assert_sha "$W/dl/my dir/copy.txt" "$FTP_SAMPLE_SMALL_SHA256"
for d in "$W/dl" "$W/dl/sub" "$HOME" "$HOME/x"; do
	for f in hello.txt copy.txt; do
		[ ! -e "$d/$f" ] || pty_fail "get after lcd wrote $d/$f"
	done
done
assert_no_part "$W/dl"

status=$(pty_quit)
[ "$status" = 0 ] || pty_fail "ferry exited with $status after quit"
t_pass
