#!/bin/bash
# help, set and readline's name at a terminal (ferry(1): help, set,
# ENVIRONMENT):
#   - `help` is longer than the 50-row pane: it goes through $PAGER (here
#     a sed that marks each line), whole; `help quit` fits and does not;
#     `help open` lists every scheme with its port; `help > FILE` is never
#     paged;
#   - `set` at the terminal: the names bold and the value the rc file
#     changed (tls:ca-file) in colour, the defaults not; with NO_COLOR
#     set but empty the same (no-color.org: present and not empty); with
#     NO_COLOR=1 not a single escape; `set > FILE` and `-c set | cat`
#     never hold one;
#   - readline's name is ferry: an inputrc's `$if ferry` binding works at
#     the prompt (a macro typing `help quit`), a `$if bash` one does not.
set -e
. "$(dirname "$0")/ptylib.sh"
pty_init "$@"

REAL=$FERRY
# The environment ptylib's launcher fixes (PAGER=cat NO_COLOR=1) is set
# again here for this test: what a file says, for each start.
FERRY=$W/ferry-env
cat > "$FERRY" <<WRAP
#!/bin/bash
export PAGER='sed "s/^/PAGED: /"' INPUTRC=$(printf %q "$W/inputrc")
if [ -f $(printf %q "$W/no-color") ]; then export NO_COLOR=\$(cat $(printf %q "$W/no-color")); else unset NO_COLOR; fi
exec $(printf %q "$REAL") "\$@"
WRAP
chmod +x "$FERRY"
cat > "$W/inputrc" <<'RC'
$if ferry
"\C-xh": "help quit"
$endif
$if bash
"\C-xj": "help open"
$endif
RC
printf '' > "$W/no-color"  # NO_COLOR set, but empty: colour

pty_start

# help: longer than the screen, through the pager, every line of it.
pty_cmd_output "help"
n=$(grep -c . <<< "$PTY_OUT")
[ "$n" -gt 50 ] || pty_fail "help printed $n lines, not more than the 50-row screen"
[ "$(grep -vc '^PAGED: ' <<< "$PTY_OUT")" = 0 ] || pty_fail "help did not go through \$PAGER whole"
pty_expect_out '^PAGED: Shell commands:$' "help through the pager lacks its first line"
pty_expect_out '^PAGED: nntp commands:$' "help through the pager lacks the nntp table"
# Short help fits: no pager.
pty_cmd_output "help quit"
[ "$(head -n 1 <<< "$PTY_OUT")" = "usage: quit [STATUS]" ] || pty_fail "help quit is not its usage, unpaged"
pty_expect_no_out '^PAGED' "help quit went through the pager"
pty_cmd_output "help open"
pty_expect_out '^ *ftps://\[USER\[:PASSWORD\]@\]HOST\[:PORT\]\[/PATH\] +ftp, port 990, implicit TLS$' "help open lacks ftps with port 990"
pty_expect_out '^ *news:GROUP +nntp, .*NNTPSERVER' "help open lacks news:GROUP"
pty_cmd "help > help.txt"
grep -q '^Shell commands:$' "$W/dl/help.txt" || pty_fail "help > FILE did not write the list"
! grep -q PAGED "$W/dl/help.txt" || pty_fail "help > FILE went through the pager"

# set with colour: the raw pane (-e keeps the attributes).
pty_cmd "set"
raw=$(tm capture-pane -p -e -J -S -5000 -t "$PTY_SESSION" | awk '/set$/ { n = NR } { l[NR] = $0 } END { for (i = n + 1; i in l; i++) print l[i] }')
ESC=$'\e'
grep -q "${ESC}\[1mnet:timeout" <<< "$raw" || { printf '%s\n' "$raw" | cat -v >&2; pty_fail "set: the name net:timeout is not bold"; }
grep -q "tls:ca-file.*${ESC}\[33m$(printf %s "$CA_FILE" | sed 's/[.[\*^$/]/\\&/g')" <<< "$raw" ||
	{ printf '%s\n' "$raw" | cat -v >&2; pty_fail "set: tls:ca-file, changed by the rc file, is not in colour"; }
grep "net:timeout" <<< "$raw" | grep -q "${ESC}\[33m" &&
	pty_fail "set: net:timeout at its default is coloured as changed"
pty_cmd "set > set.txt"
grep -q '^net:timeout  *60  ' "$W/dl/set.txt" || pty_fail "set > FILE lacks net:timeout 60"
! grep -q "$ESC" "$W/dl/set.txt" || pty_fail "set > FILE holds escapes"

# readline's name: the $if ferry macro types `help quit`; $if bash's does nothing.
pty_send C-x h
pty_until 5 "the \$if ferry macro" pty_line_matches 'help quit$'
pty_send Enter
pty_wait_prompts $((PTY_PROMPTS + 1)) 10
[ "$(pty_last_output | head -n 1)" = "usage: quit [STATUS]" ] || pty_fail "the \$if ferry macro's line did not run"
pty_send C-x j
pty_type "lpwd"
pty_until 5 "lpwd typed" pty_line_matches '> ?lpwd$'
pty_send C-u

# NO_COLOR=1: no escape at all.
pty_quit > /dev/null
echo 1 > "$W/no-color"
pty_restart
pty_cmd "set"
raw=$(tm capture-pane -p -e -J -S -5000 -t "$PTY_SESSION" | awk '/set$/ { n = NR } { l[NR] = $0 } END { for (i = n + 1; i in l; i++) print l[i] }')
grep -q 'net:timeout' <<< "$raw" || pty_fail "set under NO_COLOR=1 printed no list"
! grep "net:\|tls:\|xfer:" <<< "$raw" | grep -q "$ESC" || { printf '%s\n' "$raw" | cat -v >&2; pty_fail "set under NO_COLOR=1 printed escapes"; }

# Not a terminal: never colour, even without NO_COLOR.
out=$(env -u NO_COLOR "$REAL" --no-rc -c set | cat)
grep -q '^net:timeout ' <<< "$out" || t_fail "ferry -c set printed no list"
! grep -q "$ESC" <<< "$out" || t_fail "ferry -c set | cat printed escapes"
echo "PASS: $T"
