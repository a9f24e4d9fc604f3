# complib.sh - helpers for the shell completion tests (sourced).
# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are for the tests that source this.)
#
# A test runs as:  bash t_NAME.sh SRCDIR FERRY WORK
#   SRCDIR  the source tree (completions/, doc/)
#   FERRY   the built ferry (its --help is what the completions must offer)
#   WORK    a folder for the tests' files; this test's is WORK/NAME ($W),
#           remade at every run
#
# c_init makes a HOME ($W/home) with a .netrc, a bookmarks file under
# XDG_CONFIG_HOME ($W/config) and a folder of files (FILES, for -f), and
# reads from `ferry --help` the options (HELP_OPTS) and URL schemes
# (HELP_SCHEMES) the completions must offer.  The hosts the completions
# must offer after SCHEME:// are FIXTURE_HOSTS; the bookmarks are
# lab, labnews and news-box.

c_init() {
	set -u
	SRC=${1:?usage: $0 SRCDIR FERRY WORK}
	FERRY=${2:?usage: $0 SRCDIR FERRY WORK}
	T=$(basename "$0" .sh)
	T=${T#t_}
	W=${3:?usage: $0 SRCDIR FERRY WORK}/$T
	[ -x "$FERRY" ] || c_fail "no ferry binary at $FERRY"
	rm -rf "$W"
	mkdir -p "$W/home" "$W/config/ferry" "$W/files/sub" "$W/bin"
	export HOME=$W/home XDG_CONFIG_HOME=$W/config LC_ALL=C.UTF-8
	unset NETRC
	ln -s "$FERRY" "$W/bin/ferry"

	# Names split over lines, a quoted name, `default` (no host) and a
	# macdef whose body (up to the empty line) looks like an entry.
	cat > "$HOME/.netrc" <<'NETRC'
machine alpha.example.org login anna password secret
default login anonymous password guest
machine beta.example.net
	login bob password pw
macdef init
machine not.a.host login x
cd /pub

machine
delta.example.org
machine "gamma.example.com" password x
NETRC
	chmod 600 "$HOME/.netrc"
	# Hosts come with the port, without the user; alpha is in both files.
	printf '%s\n' '# bookmarks, as lftp writes them' '' \
		$'lab\tftp://anna@10.0.0.7:2121/pub' \
		'  labnews nntp://alpha.example.org/ferry.test' \
		'news-box nntps://news.example.org/comp.lang.c' \
		> "$XDG_CONFIG_HOME/ferry/bookmarks"
	FIXTURE_HOSTS=(10.0.0.7:2121 alpha.example.org beta.example.net
	               delta.example.org gamma.example.com news.example.org)
	: > "$W/files/a.cmds"
	: > "$W/files/b.cmds"

	local help
	help=$("$FERRY" --help) || c_fail "ferry --help failed"
	# "  -c 'CMDS'   run ...", "  --no-rc     skip ..."
	mapfile -t HELP_OPTS < <(sed -n 's/^  \(-[-a-z]*\).*/\1/p' <<< "$help" | LC_ALL=C sort)
	# "URLs: ftp:// ftpes:// ... news:GROUP": the SCHEME:// ones (news:GROUP
	# takes a group, nothing to complete).
	mapfile -t HELP_SCHEMES < <(sed -n 's/^URLs://p' <<< "$help" | tr ' ' '\n' |
		grep '://$' | LC_ALL=C sort)
	[ ${#HELP_OPTS[@]} -ge 5 ] || c_fail "no options found in ferry --help: $help"
	[ ${#HELP_SCHEMES[@]} -ge 5 ] || c_fail "no URL schemes found in ferry --help: $help"
	N_CHECKS=0
}

# (MODE, when a test sets it, names the variant that failed.)
c_fail() {
	echo "FAIL: ${T:-?}: ${MODE:+[$MODE] }$*" >&2
	exit 1
}

c_pass() {
	echo "PASS: $T ($N_CHECKS checks)"
	exit 0
}

# c_sorted WORD...: the words, one a line, sorted bytewise.
c_sorted() {
	[ $# -eq 0 ] || printf '%s\n' "$@" | LC_ALL=C sort
}

# c_same WHAT GOT WANT: the two lists (lines) are equal, else fail showing
# both.
c_same() {
	N_CHECKS=$((N_CHECKS + 1))
	[ "$2" = "$3" ] && return 0
	c_fail "$1: got
$(sed 's/^/    /' <<< "$2")
  want
$(sed 's/^/    /' <<< "$3")"
}

# --- Driving an interactive shell in tmux --------------------------------
#
# The shell runs in a tmux pane on a private server, 200x50, TERM=screen,
# in $W/files, with a clean environment (HOME and XDG_CONFIG_HOME the
# fixture's, PATH with this build's ferry first) and no rc file of the
# user's.  Waits poll the pane against a deadline (tests/pty/ptylib.sh's
# helpers, which this reuses: tm, pty_line, pty_screen, pty_until, ...).
#
#   sh_require SHELL         SH_BIN: SHELL's path (no SHELL or tmux: skip)
#   sh_start PROMPT CMD...   start CMD, wait for PROMPT on the cursor's line
#   sh_do TEXT               type TEXT and Enter, wait for the prompt again
#   sh_tab TEXT [N]          on an empty line, type TEXT and press Tab N
#                            times (default 1)
#   sh_expect_line TEXT      the line becomes PROMPT TEXT, cursor at its end
#                            (TEXT ending in a space: a space was added)
#   sh_expect_list WORD...   the candidates listed are exactly WORDs
#
# SH_LIST says where a shell lists candidates: `since` (below the line
# typed: zsh, fish) or `last` (above a prompt drawn again: bash).

. "$(dirname "${BASH_SOURCE[0]}")/../pty/ptylib.sh"

# sh_require SHELL: SH_BIN is SHELL's path; without it or tmux the test is
# skipped (77).
sh_require() {
	SH_BIN=$(command -v "$1") || { echo "SKIP: $T: no $1"; exit 77; }
	command -v tmux > /dev/null || { echo "SKIP: $T: no tmux"; exit 77; }
}

# ptylib's failure shows ferry's stderr; here it is the shell's screen.
pty_fail() {
	echo "--- screen:" >&2
	pty_screen >&2 || true
	c_fail "$@"
}

sh_start() {
	SH_PROMPT=$1
	shift
	PTY_SOCK=ferry-compl-$T-$$
	PTY_SESSION=t
	PTY_UNDER_SHELL=0
	# The prompt at the start of a line (a shell may put ^C before it).
	PTY_PROMPT_RE="^(\\^C)?${SH_PROMPT% }( |\$)"
	trap 'tm kill-server 2> /dev/null || true' EXIT
	local cmd
	printf -v cmd '%q ' env -i HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" \
		TERM=screen LC_ALL=C.UTF-8 TZ=UTC PATH="$W/bin:/usr/bin:/bin" "$@"
	tm -f /dev/null new-session -d -s "$PTY_SESSION" -x 200 -y 50 -c "$W/files" "$cmd" \; \
		set-option -t "$PTY_SESSION" remain-on-exit on \; \
		set-option -t "$PTY_SESSION" history-limit 5000 ||
		c_fail "tmux would not start"
	sh_wait_prompt 20
}

sh_line_is() { [ "$(pty_line)" = "$1" ]; }

# sh_wait_prompt [SECONDS]: an empty prompt on the cursor's line.
sh_wait_prompt() {
	pty_until "${1:-10}" "the prompt '$SH_PROMPT'" sh_line_is "${SH_PROMPT% }"
}

# The visible pane holds the prompt and nothing else.
sh_clear() {
	[ "$(tm capture-pane -p -t "$PTY_SESSION" | grep -c '[^ ]')" = 1 ] &&
		sh_line_is "${SH_PROMPT% }"
}

# sh_reset: an empty line on a clear screen and no history in the pane, so
# that what is checked next is all the next keys' doing.  Ctrl-C leaves a
# pager or menu and drops the line; Ctrl-L clears the screen.
sh_reset() {
	pty_send C-c
	sh_wait_prompt
	pty_send C-l
	pty_until 10 "a clear screen" sh_clear
	tm clear-history -t "$PTY_SESSION"
}

sh_do() {
	sh_reset
	pty_type "$1"
	pty_send Enter
	pty_until 10 "'$1' to run" sh_clear_below
	sh_wait_prompt
}

# After a command: the prompt is back on a line below the command's.
sh_clear_below() {
	[ "$(pty_screen | grep -Ec -- "$PTY_PROMPT_RE")" -ge 2 ]
}

sh_tab() {
	local i
	sh_reset
	pty_type "$1"
	pty_until 10 "'$1' typed" sh_line_is "$SH_PROMPT${1% }"
	SH_TYPED=$1
	for ((i = 0; i < ${2:-1}; i++)); do
		pty_send Tab
	done
}

sh_line_and_cursor() {
	sh_line_is "${1% }" && [ "$(pty_cursor | cut -d' ' -f1)" = "${#1}" ]
}

sh_expect_line() {
	N_CHECKS=$((N_CHECKS + 1))
	pty_until 10 "'$SH_PROMPT$1' (cursor at its end) after '$SH_TYPED' and Tab" \
		sh_line_and_cursor "$SH_PROMPT$1"
}

# The words of the listing: zsh's descriptions (` -- TEXT`) and fish's
# (`(TEXT)`) taken out, one word a line, sorted.
sh_listed() {
	pty_blocks_awk "$SH_LIST" | sed -E -e 's/ -- .*//' -e ':a' -e 's/\([^()]*\)//g' -e 'ta' |
		tr -s ' \t' '\n' | sed '/^$/d' | LC_ALL=C sort
}

sh_list_is() { [ "$(sh_listed)" = "$1" ]; }

sh_expect_list() {
	local want
	want=$(c_sorted "$@")
	N_CHECKS=$((N_CHECKS + 1))
	local end=$((SECONDS + 10))
	while [ $SECONDS -le $end ]; do
		sh_list_is "$want" && return 0
		pty_dead && break
		sleep 0.1
	done
	pty_fail "after '$SH_TYPED' and Tab: listed
$(sh_listed | sed 's/^/    /')
  want
$(sed 's/^/    /' <<< "$want")"
}

# sh_expect_nothing: the Tab changed nothing and listed nothing.  (A key
# typed after it shows when the Tab has been dealt with.)
sh_expect_nothing() {
	N_CHECKS=$((N_CHECKS + 1))
	pty_type '#'
	pty_until 10 "'#' after '$SH_TYPED' and Tab" sh_line_is "$SH_PROMPT$SH_TYPED#"
	[ -z "$(sh_listed)" ] || pty_fail "after '$SH_TYPED' and Tab: listed $(sh_listed | tr '\n' ' ')"
}

# sh_check_options [TABS]: the options alike in every shell: exactly those
# of ferry --help, each once, -c and -f exclusive, nothing after --help nor
# for the text of -c.  TABS: the Tabs that list (bash: 2).
sh_check_options() {
	local tabs=${1:-1}
	sh_tab 'ferry -' "$tabs"
	sh_expect_list "${HELP_OPTS[@]}"
	sh_tab 'ferry -c ls -' "$tabs"
	sh_expect_list -d -k --no-rc --version --help
	sh_tab 'ferry --no-rc -d -k -f x --' "$tabs"
	sh_expect_list --version --help
	sh_tab 'ferry --help '
	sh_expect_nothing
	sh_tab 'ferry -c '
	sh_expect_nothing
}

# sh_check_files [TABS]: -f takes a file, alike in every shell.
sh_check_files() {
	sh_tab 'ferry -d -f ' "${1:-1}"
	sh_expect_list a.cmds b.cmds sub/
	sh_tab 'ferry -f b'
	sh_expect_line 'ferry -f b.cmds '
}
