# ptylib.sh - drive ferry in a pseudo-terminal through tmux (sourced).
# shellcheck shell=bash
#
# A test runs as:  bash t_NAME.sh FERRY STATE  (like the real-server tests,
# whose testlib.sh it reuses for the environment and the asserts).  ferry runs
# in a tmux pane on a private server (-L), 200x50, with TERM=screen; every
# wait polls capture-pane against a deadline, never a fixed sleep.
#
#   pty_start [ARGS...]      start ferry in the pane, wait for the prompt
#   pty_send KEYS...         tmux send-keys (literal text with -l: pty_type)
#   pty_type TEXT            type TEXT literally (no Enter)
#   pty_cmd TEXT             type TEXT, Enter, wait for the next prompt
#   pty_wait_for REGEX [S]   wait until the screen matches (extended regex)
#   pty_wait_prompts N [S]   wait until N prompts have been shown
#   pty_screen               print the pane (with history)
#   pty_line                 print the line the cursor is on
#   pty_quit                 type quit, wait for ferry to exit; its status
#
# The prompt is "ferry " ... "> " (PRODUCT.md: `ferry lab-ftp:/pub> `).

. "$(dirname "${BASH_SOURCE[0]}")/../servers/testlib.sh"

PTY_PROMPT_RE='^(\^C)?ferry( [^ ]*)?> ?'

pty_init() {
	T_PREFIX=pty-
	t_init "$@"
	PTY_SOCK=ferry-pty-$T-$$
	PTY_SESSION=t
	PTY_PROMPTS=0
	trap pty_cleanup EXIT
}

pty_cleanup() {
	if [ -n "${PTY_SOCK:-}" ]; then
		tmux -L "$PTY_SOCK" kill-server 2>/dev/null || true
	fi
}

tm() { tmux -L "$PTY_SOCK" "$@"; }

pty_start() {
	local launch=$W/launch.sh a
	{
		echo '#!/bin/bash'
		printf 'cd %q\n' "$W/dl"
		printf 'export HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q XDG_DATA_HOME=%q XDG_CACHE_HOME=%q\n' \
			"$HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
		echo 'export TERM=screen PAGER=cat NO_COLOR=1 LC_ALL=C.UTF-8 TZ=UTC'
		echo 'unset NNTPSERVER EDITOR VISUAL'
		printf '%q' "$FERRY"
		for a in ${T_FERRY_OPTS:-} "$@"; do printf ' %q' "$a"; done
		printf ' 2>%q\n' "$W/ferry.stderr"
		printf 'echo $? > %q\n' "$W/ferry.status"
	} > "$launch"
	chmod +x "$launch"
	rm -f "$W/ferry.status"
	tm -f /dev/null new-session -d -s "$PTY_SESSION" -x 200 -y 50 "$launch" \; \
		set-option -t "$PTY_SESSION" remain-on-exit on \; \
		set-option -t "$PTY_SESSION" history-limit 5000 ||
		t_fail "tmux would not start"
	pty_wait_prompts 1 20
}

# pty_screen: the pane and its history, without the blank lines below the
# last text.
pty_screen() {
	tm capture-pane -p -J -S -5000 -t "$PTY_SESSION" 2>/dev/null |
		awk '{ l[NR] = $0 } /[^ ]/ { last = NR } END { for (i = 1; i <= last; i++) print l[i] }'
}

pty_line() {
	local y
	y=$(tm display-message -p -t "$PTY_SESSION" '#{cursor_y}')
	tm capture-pane -p -J -t "$PTY_SESSION" -S "$y" -E "$y"
}

pty_fail() {
	echo "--- screen:" >&2
	pty_screen >&2 || true
	echo "--- ferry's stderr:" >&2
	cat "$W/ferry.stderr" >&2 2>/dev/null || true
	LAST=
	t_fail "$@"
}

pty_dead() {
	[ "$(tm display-message -p -t "$PTY_SESSION" '#{pane_dead}' 2>/dev/null)" = 1 ]
}

# pty_wait_for REGEX [SECONDS]: the screen matches REGEX.
pty_wait_for() {
	local re=$1 secs=${2:-15} end
	end=$((SECONDS + secs))
	while [ $SECONDS -le $end ]; do
		pty_screen | grep -Eq -- "$re" && return 0
		pty_dead && pty_fail "ferry exited while waiting for /$re/"
		sleep 0.1
	done
	pty_fail "no /$re/ on the screen within $secs s"
}

pty_count_prompts() {
	pty_screen | grep -Ec -- "$PTY_PROMPT_RE" || true
}

# pty_wait_prompts N [SECONDS]: at least N prompts shown so far.
pty_wait_prompts() {
	local n=$1 secs=${2:-15} end c
	end=$((SECONDS + secs))
	while [ $SECONDS -le $end ]; do
		c=$(pty_count_prompts)
		if [ "$c" -ge "$n" ]; then
			PTY_PROMPTS=$c
			return 0
		fi
		pty_dead && pty_fail "ferry exited while waiting for prompt $n"
		sleep 0.1
	done
	pty_fail "prompt $n did not come within $secs s"
}

pty_send() { tm send-keys -t "$PTY_SESSION" "$@"; }
pty_type() { tm send-keys -t "$PTY_SESSION" -l -- "$1"; }

# pty_cmd TEXT [SECONDS]: run one command line and wait for the prompt after.
pty_cmd() {
	local want=$((PTY_PROMPTS + 1))
	pty_type "$1"
	pty_send Enter
	pty_wait_prompts "$want" "${2:-20}"
}

# pty_quit: quit ferry; print its exit status.
pty_quit() {
	local end
	pty_type quit
	pty_send Enter
	end=$((SECONDS + 15))
	while [ $SECONDS -le $end ]; do
		if [ -f "$W/ferry.status" ] && pty_dead; then
			cat "$W/ferry.status"
			return 0
		fi
		sleep 0.1
	done
	pty_fail "ferry did not exit after quit"
}
