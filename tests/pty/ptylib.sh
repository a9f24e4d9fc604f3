# ptylib.sh - drive ferry in a pseudo-terminal through tmux (sourced).
# shellcheck shell=bash
#
# A test runs as:  bash t_NAME.sh FERRY STATE [FAKESERVER]  (like the
# real-server tests, whose testlib.sh it reuses for the environment and the
# asserts; FAKESERVER is tests/fake's scripted server).  ferry runs
# in a tmux pane on a private server (-L), 200x50, with TERM=screen; every
# wait polls capture-pane against a deadline, never a fixed sleep.
#
#   pty_start [ARGS...]      start ferry in the pane, wait for the prompt
#   pty_send KEYS...         tmux send-keys (literal text with -l: pty_type)
#   pty_type TEXT            type TEXT literally (no Enter)
#   pty_cmd TEXT             type TEXT, Enter, wait for the next prompt
#   pty_cmd_output TEXT [S]  pty_cmd, then PTY_OUT= what the command printed
#   pty_key_fg KEY WHAT ERE  Ctrl-C/Ctrl-Z on the running command: the prompt
#                            is back within 5 s, its output matches ERE
#   pty_last_output          print the lines between the last two prompts
#   pty_output_since_last_prompt
#                            print the lines after the last prompt line
#   pty_output_since_cmd TEXT
#                            print every line after the last command line
#                            ending in TEXT (what came since it was typed)
#   pty_output_before_first_prompt
#                            print what ferry printed before its first
#                            prompt (the rc file's errors, under
#                            PTY_STDERR=pane)
#   pty_expect_out ERE MSG   PTY_OUT has a line matching ERE, else fail: MSG
#   pty_expect_no_out ERE MSG    ...has no such line
#   pty_wait_for REGEX [S]   wait until the output since the last prompt
#                            matches (extended regex)
#   pty_wait_line REGEX [S]  wait until the cursor's line matches
#   pty_until S WHAT CMD...  run CMD until it succeeds, else fail (WHAT)
#   pty_within S CMD...      ...else return 1 (a check that may fail)
#   pty_prompts_at_least N   N prompts have been shown (for pty_within)
#   pty_wait_prompts N [S]   wait until N prompts have been shown
#   pty_enter [S]            Enter on the typed line; wait for the next prompt
#   pty_screen               print the pane (with history), for diagnostics
#   pty_line                 print the line the cursor is on
#   pty_line_wrapped         ...with the rows it wraps onto (a long line)
#   pty_quit                 type quit, wait for ferry to exit; its status
#   pty_restart [ARGS...]    once ferry exited: pty_start it again, afresh
#   pty_wait_exit [S]        wait for ferry to exit; print its status
#   pty_fake_start NAME      start tests/fake's scripted server on the script
#                            read from stdin; FAKE_PORT is its port, its log
#                            of client lines $W/fake-NAME/protocol.log
#   pty_fake_wait_line NAME ERE [S]
#                            wait until that server logged a matching line
#   pty_fake_wait_event NAME ERE [S]
#                            ...an event (the server's own log, written as
#                            things happen, also under `parallel`)
#   pty_fake_poke PORT LINE  connect to a fake server and send LINE (a
#                            connection of its script that waits for it,
#                            then signals: the test decides when a held
#                            transfer goes on)
#   pty_release_held PORT N WHAT
#                            the foreground command WHAT, held by the fake
#                            server on PORT, has not ended (prompt N not
#                            shown): let it go on (GO), wait for prompt N,
#                            PTY_OUT= what it printed
#   pty_wait_above REGEX [S] wait until a line between the last two prompt
#                            lines matches (a notice printed above the line
#                            being typed)
#   pty_wait_size FILE N [S] wait until FILE holds at least N bytes
#   pty_cursor               print the cursor's column and row
#   pty_gen_sha N            the sha256 of the fake server's data-gen pattern
#   pty_err_mark             note how much of $W/ferry.stderr was written:
#                            the pty_err_* helpers read only what follows
#   pty_err_since            print ferry's stderr since the mark
#   pty_err_count ERE        how many of its lines since the mark match
#   pty_err_wait ERE N [S]   wait until N lines since the mark match (the
#                            -d trace: what ferry sent and got)
#   pty_err_between A B      print the lines since the mark from the first
#                            matching ERE A to the next matching ERE B
#   pty_known_bug TEXT       before a check that a known ferry bug fails:
#                            say it is skipped and return 1, unless
#                            PTY_STRICT=1 (then return 0: the check runs)
#
# Set before pty_start:
#   PTY_STDERR=pane          ferry's standard error goes to the terminal
#                            (job notices, "[1] CMD &", "Interrupted." are
#                            written there); by default to $W/ferry.stderr
#   PTY_NO_WAIT=1            pty_start returns without waiting for the
#                            first prompt (a question comes first)
#   PTY_SHELL=1              the pane runs an interactive bash (prompt
#                            "SH$ ") that runs ferry as its job, so Ctrl-Z
#                            stops ferry (pty_shell_stopped waits for
#                            that) and `fg` (pty_shell_fg) resumes it
#
# The prompt is "ferry " ... "> ", e.g. `ferry lab-ftp:/pub> ` (ferry(1): it
# shows the focused session and its directory or group).
#
# Checks read only what a command printed, never the whole pane: the pane's
# history also holds the lines typed so far and every earlier prompt, so a
# grep over it can match the command line itself (`open ... as labftp`) or
# an old prompt instead of the output under test.  Likewise ferry's stderr
# file (the -d trace) is read from a mark set just before the command under
# test (pty_err_mark), not from the start of the run.

. "$(dirname "${BASH_SOURCE[0]}")/../servers/testlib.sh"

PTY_PROMPT_RE='^(\^C)?ferry( [^ ]*)?> ?'
# A background job's progress line, drawn right above the prompt while it
# shows (ferry(1), xfer:progress): "[1] get big.bin  512.0 KiB / 1.0 MiB
# 50%  1.2 MiB/s  ETA 0:01", or "[+N more: jobs lists them]".  The output
# helpers leave these out of what a command printed.
PTY_SIZE_RE='[0-9.]+ ([KMGT]i)?B'
PTY_JOBLINE_RE="^(\[[0-9]+\] .*  $PTY_SIZE_RE( / $PTY_SIZE_RE  [0-9]+%)?(  $PTY_SIZE_RE/s)?(  ETA [0-9:>h]+)?|\[\+[0-9]+ more: jobs lists them\])\$"

# pty_init FERRY STATE [FAKESERVER]: FAKESERVER is tests/fake's scripted
# server, for the few tests that need a server to misbehave.
pty_init() {
	T_PREFIX=pty-
	t_init "$1" "$2"
	PTY_FAKESERVER=${3:-}
	PTY_SOCK=ferry-pty-$T-$$
	PTY_SESSION=t
	PTY_PROMPTS=0
	PTY_OUT=
	PTY_FAKE_PIDS=()
	trap pty_cleanup EXIT
}

pty_cleanup() {
	local pid
	if [ -n "${PTY_SOCK:-}" ]; then
		tmux -L "$PTY_SOCK" kill-server 2>/dev/null || true
	fi
	for pid in "${PTY_FAKE_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
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
		# PTY_ENV="NAME=VALUE ...": variables for this ferry (EDITOR).
		for a in ${PTY_ENV:-}; do printf 'export %q\n' "$a"; done
		printf '%q' "$FERRY"
		for a in ${T_FERRY_OPTS:-} "$@"; do printf ' %q' "$a"; done
		if [ "${PTY_STDERR:-file}" = pane ]; then
			echo
		else
			printf ' 2>%q\n' "$W/ferry.stderr"
		fi
		printf 'echo $? > %q\n' "$W/ferry.status"
	} > "$launch"
	chmod +x "$launch"
	rm -f "$W/ferry.status"
	# (Kept: PTY_SHELL=1 pty_start sets it for this call only.)
	PTY_UNDER_SHELL=${PTY_SHELL:-0}
	if [ "$PTY_UNDER_SHELL" = 1 ]; then
		# An interactive shell with job control; ferry runs as its job
		# (the launch script is sourced, so ferry is the shell's child).
		tm -f /dev/null new-session -d -s "$PTY_SESSION" -x 200 -y 50 \
			"env -i PATH=$(printf %q "$PATH") TERM=screen PS1='SH\$ ' bash --norc --noprofile -i" \; \
			set-option -t "$PTY_SESSION" remain-on-exit on \; \
			set-option -t "$PTY_SESSION" history-limit 5000 ||
			t_fail "tmux would not start"
		pty_until 10 "the shell's prompt" pty_line_matches '^SH\$ ?$'
		pty_type ". $(printf %q "$launch")"
		pty_send Enter
	else
		tm -f /dev/null new-session -d -s "$PTY_SESSION" -x 200 -y 50 "$launch" \; \
			set-option -t "$PTY_SESSION" remain-on-exit on \; \
			set-option -t "$PTY_SESSION" history-limit 5000 ||
			t_fail "tmux would not start"
	fi
	[ "${PTY_NO_WAIT:-0}" = 1 ] || pty_wait_prompts 1 20
}

# pty_screen: the pane and its history, without the blank lines below the
# last text.
pty_screen() {
	tm capture-pane -p -J -S -5000 -t "$PTY_SESSION" 2>/dev/null |
		awk '{ l[NR] = $0 } /[^ ]/ { last = NR } END { for (i = 1; i <= last; i++) print l[i] }'
}

# pty_line: the line the cursor is on, without trailing blanks.
pty_line() {
	local y
	y=$(tm display-message -p -t "$PTY_SESSION" '#{cursor_y}')
	tm capture-pane -p -J -t "$PTY_SESSION" -S "$y" -E "$y" | sed 's/[[:space:]]*$//'
}

# pty_line_wrapped: the line that starts on the cursor's row, joined with
# the rows it wraps onto, without trailing blanks.
pty_line_wrapped() {
	local y
	y=$(tm display-message -p -t "$PTY_SESSION" '#{cursor_y}')
	tm capture-pane -p -J -t "$PTY_SESSION" -S "$y" | head -n 1 | sed 's/[[:space:]]*$//'
}

# The prompt lines split the screen into blocks: a command line and what
# the command printed until the next prompt.  Trailing blanks and CRs are
# dropped, so lines compare exactly (grep -x).
pty_blocks_awk() {
	pty_screen | PTY_RE=$PTY_PROMPT_RE JL_RE=$PTY_JOBLINE_RE awk -v want="$1" '
		{ sub(/[ \r]+$/, "") }
		$0 ~ ENVIRON["PTY_RE"] {
			# The jobs lines right above a prompt are not output.
			while (n > 0 && cur[n] ~ ENVIRON["JL_RE"]) n--
			if (want == "first") { np = 1; exit }
			np++; pn = n; for (i = 1; i <= n; i++) prev[i] = cur[i]
			n = 0; cmdline[np] = $0; next
		}
		{ cur[++n] = $0 }
		END {
			if (want == "first") { for (i = 1; i <= n; i++) print cur[i]; exit (np > 0 ? 0 : 1) }
			if (want == "since") { for (i = 1; i <= n; i++) print cur[i]; exit (np > 0 ? 0 : 1) }
			if (want == "last") { for (i = 1; i <= pn; i++) print prev[i]; exit (np > 1 ? 0 : 1) }
			if (want == "cmdline") { print cmdline[np - 1]; exit (np > 1 ? 0 : 1) }
		}'
}

# pty_output_since_last_prompt: what was printed after the last prompt line
# (the running command's output, or nothing at a fresh prompt).
pty_output_since_last_prompt() { pty_blocks_awk since; }

# pty_last_output: what the last finished command printed, i.e. the lines
# between its command line and the prompt that followed it.
pty_last_output() { pty_blocks_awk last; }

# pty_output_before_first_prompt: the lines ferry printed before its first
# prompt (the rc file runs there); fails when no prompt was shown yet.
pty_output_before_first_prompt() { pty_blocks_awk first; }

# pty_output_since_cmd TEXT: every line after the last command line (a
# prompt line) that ends with TEXT, later prompt lines included: all the
# pane shows since that command was typed, and nothing from before it.
# Fails when no such command line is on the pane.
pty_output_since_cmd() {
	pty_screen | PTY_RE=$PTY_PROMPT_RE PTY_CMD=$1 awk '
		{ sub(/[ \r]+$/, ""); l[NR] = $0 }
		$0 ~ ENVIRON["PTY_RE"] {
			c = ENVIRON["PTY_CMD"]
			if (length($0) >= length(c) && substr($0, length($0) - length(c) + 1) == c) at = NR
		}
		END { if (!at) exit 1; for (i = at + 1; i <= NR; i++) print l[i] }'
}

# pty_cmd_output TEXT [SECONDS]: run TEXT like pty_cmd and set PTY_OUT to
# what it printed.  (Not in $(...): pty_cmd counts prompts in a global.)
pty_cmd_output() {
	local line
	pty_cmd "$@"
	line=$(pty_blocks_awk cmdline) || pty_fail "no command line above the prompt after '$1'"
	# The block must be this command's: its prompt line ends with TEXT.
	[[ "$line" == *"$1" ]] ||
		pty_fail "the line above the last prompt is '$line', not the command '$1'"
	PTY_OUT=$(pty_last_output)
	PTY_OUT_CMD=$1
}

# pty_expect_out ERE MESSAGE: a line of PTY_OUT matches ERE.
pty_expect_out() {
	grep -Eq -- "$1" <<< "$PTY_OUT" || pty_fail "$2"
}

# pty_expect_no_out ERE MESSAGE: no line of PTY_OUT matches ERE.
pty_expect_no_out() {
	! grep -Eq -- "$1" <<< "$PTY_OUT" || pty_fail "$2"
}

pty_fail() {
	if [ -n "${PTY_OUT_CMD:-}" ]; then
		echo "--- output of '$PTY_OUT_CMD':" >&2
		printf '%s\n' "$PTY_OUT" >&2
	fi
	echo "--- screen:" >&2
	pty_screen >&2 || true
	echo "--- ferry's stderr:" >&2
	cat "$W/ferry.stderr" >&2 2>/dev/null || true
	LAST=
	t_fail "$@"
}

# pty_dead: ferry has exited (under PTY_SHELL the pane's shell lives on;
# 148 is the status the shell gives a job that stopped).
pty_dead() {
	if [ "${PTY_UNDER_SHELL:-0}" = 1 ]; then
		[ -f "$W/ferry.status" ] && [ "$(cat "$W/ferry.status")" != 148 ]
	else
		[ "$(tm display-message -p -t "$PTY_SESSION" '#{pane_dead}' 2>/dev/null)" = 1 ]
	fi
}

# pty_within SECONDS COMMAND...: run COMMAND every 0.1 s until it
# succeeds (status 0); status 1 if ferry exits or time runs out first.
pty_within() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" && return 0
		if [ $SECONDS -gt $end ] || pty_dead; then
			return 1
		fi
		sleep 0.1
	done
}

# pty_until SECONDS WHAT COMMAND...: pty_within, but fail, naming WHAT was
# awaited, if ferry exits or time runs out.
pty_until() {
	local secs=$1 what=$2
	shift 2
	pty_within "$secs" "$@" && return 0
	pty_dead && pty_fail "ferry exited while waiting for $what"
	pty_fail "no $what within $secs s"
}

pty_since_matches() { pty_output_since_last_prompt | grep -Eq -- "$1"; }
pty_line_matches() { pty_line | grep -Eq -- "$1"; }

# pty_wait_for REGEX [SECONDS]: a line printed since the last prompt line
# matches REGEX (a question, the output of a command still running).
pty_wait_for() {
	pty_until "${2:-15}" "/$1/ printed after the last prompt" pty_since_matches "$1"
}

# pty_wait_line REGEX [SECONDS]: the line the cursor is on matches REGEX
# (the prompt, what completion put on the line being typed).
pty_wait_line() {
	pty_until "${2:-15}" "/$1/ on the cursor's line" pty_line_matches "$1"
}

pty_count_prompts() {
	pty_screen | grep -Ec -- "$PTY_PROMPT_RE" || true
}

pty_prompts_at_least() { [ "$(pty_count_prompts)" -ge "$1" ]; }

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

# pty_enter [SECONDS]: run the line typed so far (Enter) and wait for the
# prompt after it.  The prompts are counted now, not at the last wait: a
# Tab listing draws the prompt again, so an older count is already reached
# and the wait would end before the command ran.
pty_enter() {
	local want=$(($(pty_count_prompts) + 1))
	pty_send Enter
	pty_wait_prompts "$want" "${1:-20}"
}
pty_type() { tm send-keys -t "$PTY_SESSION" -l -- "$1"; }

# pty_cmd TEXT [SECONDS]: run one command line and wait for the prompt after.
pty_cmd() {
	pty_type "$1"
	pty_enter "${2:-20}"
}

# pty_key_fg KEY WHAT ERE: send KEY (C-c, C-z) to the foreground command
# now running (WHAT names it): it must not have ended before, the prompt
# must come back within 5 s, and a line of what it printed (PTY_OUT) must
# match ERE.
pty_key_fg() {
	local want=$((PTY_PROMPTS + 1)) t0=$SECONDS
	[ "$(pty_count_prompts)" -lt "$want" ] || pty_fail "$2 came back before $1"
	pty_send "$1"
	pty_wait_prompts "$want" 10
	[ $((SECONDS - t0)) -le 5 ] || pty_fail "the prompt took $((SECONDS - t0)) s to come back from $2 after $1"
	PTY_OUT=$(pty_last_output)
	PTY_OUT_CMD=$2
	pty_expect_out "$3" "$1 on $2: no line matching /$3/"
}

# pty_wait_exit [SECONDS]: wait until ferry has exited; print its status.
pty_wait_exit() {
	local end=$((SECONDS + ${1:-15}))
	while [ $SECONDS -le $end ]; do
		if [ -f "$W/ferry.status" ] && pty_dead; then
			cat "$W/ferry.status"
			return 0
		fi
		sleep 0.1
	done
	pty_fail "ferry did not exit within ${1:-15} s"
}

# pty_quit: quit ferry; print its exit status.
pty_quit() {
	pty_type quit
	pty_send Enter
	pty_wait_exit 15
}

# pty_restart [ARGS...]: once ferry has exited, start it again in a fresh
# pane (pty_start ARGS; the same environment variables apply).
pty_restart() {
	tm kill-session -t "$PTY_SESSION"
	PTY_PROMPTS=0
	pty_start "$@"
}

# pty_fake_start NAME: run tests/fake's scripted server (its language is in
# tests/fake/README.md) on the script read from standard input, on a free
# loopback port; FAKE_PORT is that port.  Skips the test (77) when the fake
# server was not built.
# The fake server may be built with the sanitizers (the project's flags
# are directory-wide); its deliberate leaks at exit are not news, as
# run-case says too.
FAKE_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
FAKE_LSAN="${LSAN_OPTIONS:+$LSAN_OPTIONS:}detect_leaks=0"

pty_fake_start() {
	local d=$W/fake-$1 end
	if [ -z "$PTY_FAKESERVER" ] || [ ! -x "$PTY_FAKESERVER" ]; then
		echo "SKIP: $T: no fake server (tests/fake needs python3 and certtool)"
		exit 77
	fi
	mkdir -p "$d/srv"
	cat > "$d/script"
	ASAN_OPTIONS=$FAKE_ASAN LSAN_OPTIONS=$FAKE_LSAN "$PTY_FAKESERVER" -c "$d/script" \
		> /dev/null 2>&1 ||
		t_fail "the fake server script $1 does not parse: $(ASAN_OPTIONS=$FAKE_ASAN \
			LSAN_OPTIONS=$FAKE_LSAN "$PTY_FAKESERVER" -c "$d/script" 2>&1)"
	ASAN_OPTIONS=$FAKE_ASAN LSAN_OPTIONS=$FAKE_LSAN "$PTY_FAKESERVER" -s "$d/script" -p "$d/port" -l "$d/protocol.log" -d "$d/srv" -t 100 \
		< /dev/null > /dev/null 2> "$d/events" &
	PTY_FAKE_PIDS+=("$!")
	end=$((SECONDS + 10))
	while [ $SECONDS -le $end ]; do
		if [ -s "$d/port" ]; then
			FAKE_PORT=$(cat "$d/port")
			return 0
		fi
		sleep 0.05
	done
	t_fail "the fake server $1 did not start: $(tail -n 5 "$d/events")"
}

# pty_fake_wait_log NAME FILE ERE SECONDS WHAT: the fake server NAME's log
# FILE (in $W/fake-NAME) has a line matching ERE; else fail, naming WHAT.
pty_fake_wait_log() {
	local log=$W/fake-$1/$2 end=$((SECONDS + $4))
	while [ $SECONDS -le $end ]; do
		grep -Eq -- "$3" "$log" 2>/dev/null && return 0
		sleep 0.05
	done
	pty_fail "the fake server $1 $5 matching /$3/ within $4 s"
}

# pty_fake_wait_line NAME ERE [SECONDS]: the fake server NAME logged a
# client line matching ERE (the command under test reached the server).
pty_fake_wait_line() {
	pty_fake_wait_log "$1" protocol.log "$2" "${3:-15}" "never got a line"
}

# pty_fake_wait_event NAME ERE [SECONDS]: the fake server NAME's event log
# has a line matching ERE (`data send "..."`, `line N: wait-signal`).  Under
# `parallel` the protocol log is written only at the end: this is the one
# to wait on.
pty_fake_wait_event() {
	pty_fake_wait_log "$1" events "$2" "${3:-15}" "logged no event"
}

# pty_fake_poke PORT LINE: connect to the fake server on PORT and send LINE
# (CRLF ended).  Its script gives that connection a `conn` that expects
# LINE and signals, so the test, not a timer, lets a held transfer go on.
pty_fake_poke() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || t_fail "cannot connect to the fake server on port $1"
	printf '%s\r\n' "$2" >&"$fd"
	exec {fd}>&-
}

# pty_release_held PORT N WHAT: see above (WHAT names the command in the
# messages).
pty_release_held() {
	[ "$(pty_count_prompts)" -lt "$2" ] || pty_fail "$3 came back while its server held it"
	pty_fake_poke "$1" GO
	pty_wait_prompts "$2" 20
	PTY_OUT=$(pty_last_output)
	PTY_OUT_CMD=$3
}

pty_above_matches() { pty_last_output | grep -Eq -- "$1"; }

# pty_wait_above REGEX [SECONDS]: a line between the last two prompt lines
# matches: what was printed above the prompt now shown, such as a job's
# notice while a line is being typed.
pty_wait_above() {
	pty_until "${2:-15}" "/$1/ above the prompt" pty_above_matches "$1"
}

pty_size_at_least() { [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ]; }

# pty_wait_size FILE N [SECONDS]: FILE holds at least N bytes.
pty_wait_size() {
	pty_until "${3:-15}" "$1 of $2 bytes or more" pty_size_at_least "$1" "$2"
}

# pty_cursor: the cursor's column and row ("X Y").
pty_cursor() { tm display-message -p -t "$PTY_SESSION" '#{cursor_x} #{cursor_y}'; }

# pty_gen_sha N: the sha256 of the first N bytes of the fake server's
# data-gen pattern (byte i is i mod 251).
pty_gen_sha() {
	python3 -c 'import hashlib, sys
n = int(sys.argv[1])
print(hashlib.sha256(bytes(i % 251 for i in range(n))).hexdigest())' "$1"
}

# pty_err_mark: from now on the pty_err_* helpers read ferry's stderr file
# only from its present end.
pty_err_mark() {
	PTY_ERR_MARK=$(stat -c %s "$W/ferry.stderr" 2>/dev/null || echo 0)
}

# pty_err_since: ferry's stderr written since pty_err_mark.
pty_err_since() {
	tail -c +"$((${PTY_ERR_MARK:-0} + 1))" "$W/ferry.stderr" 2>/dev/null
}

# pty_err_count ERE: how many lines of pty_err_since match ERE.
pty_err_count() {
	pty_err_since | grep -Ec -- "$1" || true
}

pty_err_count_at_least() { [ "$(pty_err_count "$1")" -ge "$2" ]; }

# pty_err_wait ERE N [SECONDS]: wait until N lines of ferry's stderr since
# the mark match ERE.
pty_err_wait() {
	pty_until "${3:-15}" "$2 lines matching /$1/ on ferry's stderr" pty_err_count_at_least "$1" "$2"
}

# pty_err_between A B: the lines of ferry's stderr since the mark from the
# first one matching ERE A to the next one matching ERE B, both included;
# fails unless both are there.
pty_err_between() {
	pty_err_since | awk -v a="$1" -v b="$2" '
		!on && $0 ~ a { on = 1; print; next }
		on { print; if ($0 ~ b) { done = 1; exit } }
		END { exit (done ? 0 : 1) }'
}

# pty_known_bug TEXT: guard the checks of a known ferry bug (TEXT says
# which).  They are skipped, with a note on the output, until the bug is
# fixed; PTY_STRICT=1 runs them (and so fails the test while it lasts).
pty_known_bug() {
	if [ "${PTY_STRICT:-0}" = 1 ]; then
		return 0
	fi
	echo "SKIP part of $T (known bug, PTY_STRICT=1 runs it): $1"
	return 1
}

# pty_shell_stopped: under PTY_SHELL, ferry is stopped and the shell's
# prompt is on the cursor's line.
pty_shell_stopped() {
	pty_wait_line '^SH\$ ?$' "${1:-10}"
}

# pty_shell_fg: under PTY_SHELL, resume ferry with the shell's `fg`.  Once
# ferry stopped, the shell dropped the rest of the launch script, which
# would have recorded its exit status: `fg` records it instead.
pty_shell_fg() {
	pty_type "fg; echo \$? > $(printf %q "$W/ferry.status")"
	pty_send Enter
}

# pty_fake_held NAME SIZE [CONNS]: start a fake FTP server (pty_fake_start
# NAME; FAKE_PORT) for one ferry session that holds what it sends halfway
# until the test says so: RETR sends the first half of SIZE bytes of the
# data-gen pattern, LIST the line "first.txt"; then both wait until
# `pty_fake_poke $FAKE_PORT GO`, and send the rest ("second.txt" for LIST).
# One hold per server: after GO nothing waits any more.  The server plays
# its connections in the order they come: the session's first, then the
# script text CONNS (more `conn` blocks, for the session's extra
# connections, see net:connection-limit), then the test's GO.
pty_fake_held() {
	local half=$(($2 / 2))
	pty_fake_start "$1" <<SCRIPT
proto ftp
parallel
timeout 110
conn
on USER => 230 Logged in\r\n
on SIZE => 213 $2\r\n
on EPSV {
data-listen
send 229 Entering Extended Passive Mode (|||%DATAPORT%|)\r\n
}
on RETR {
send 150 Opening BINARY mode data connection ($2 bytes)\r\n
data-accept
data-gen $half
wait-signal go 100
data-gen $(($2 - half)) $half
data-close
send 226 Transfer complete\r\n
}
on-re ^(LIST|NLST|MLSD)( .*)?$ {
send 150 Here comes the listing\r\n
data-accept
data-send first.txt\r\n
wait-signal go 100
data-send second.txt\r\n
data-close
send 226 Directory send OK\r\n
}
send 220 fake ftp that holds transfers halfway\r\n
${3:-}
conn
expect GO
signal go
close
SCRIPT
}
