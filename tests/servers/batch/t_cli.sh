#!/bin/bash
# The command line (doc/ferry.1 OPTIONS, EXIT STATUS): usage errors exit 2
# with one line, --version and --help exit 0, options may follow the URLs,
# script errors (unknown command, unterminated quote) exit 2, a missing -f
# file exits 7, and standard input that is not a terminal is a script.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

run_ferry 2 --bogus
assert_one_line_error "--bogus"
run_ferry 2 -c
assert_one_line_error "-c"
run_ferry 2 -c 'sessions' -f x
run_ferry 0 --version
assert_out_has "ferry "
run_ferry 0 --help
assert_out_has "usage: ferry"

# A URL before -c opens before the commands run.
run_ferry 0 "ftp://127.0.0.1:$FTP_PORT" -c 'sessions; pwd'
grep -Eq '^\* +1 +127\.0\.0\.1 +ftp ' "$LAST.out.lf" || t_fail "sessions does not list the URL's session"
assert_out_line "/"

run_ferry 2 -c 'nosuchcommand'
assert_one_line_error "nosuchcommand"
run_ferry 2 -c "sessions; echo 'unterminated"
assert_one_line_error "quote"
run_ferry 2 -c 'group ferry.test'
assert_one_line_error "open nntp://"
run_ferry 7 -f "$W/no-such-script"

# Standard input as a script; the first failure ends it with its status.
printf 'open ftp://127.0.0.1:%s\npwd\ncd no-such-dir\npwd\n' "$FTP_PORT" > "$W/script"
T_STDIN=$W/script run_ferry 6
[ "$(grep -c '^/$' "$LAST.out.lf")" = 1 ] || t_fail "the script went on after a failing command"
t_pass
