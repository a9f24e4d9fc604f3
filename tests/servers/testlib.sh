# testlib.sh - helpers for ferry's real-server tests (sourced).
# shellcheck shell=bash
#
# A test script is run by ctest as:  bash t_NAME.sh FERRY STATE
#   FERRY  the built ferry binary ($<TARGET_FILE:ferry>)
#   STATE  the servers' state dir (servers.sh start wrote STATE/env.sh)
# It calls t_init "$@", runs ferry through run_ferry, checks with the
# assert_* helpers and ends with t_pass.  Everything a test writes is under
# $W (STATE/../work/NAME), remade at every run; HOME and the XDG folders are
# inside it, so ~/.netrc, ~/.newsrc, the rc file and history are the test's.
#
# Extra ferry options for every run (e.g. -d to trace): T_FERRY_OPTS.

t_init() {
	set -u
	FERRY=${1:?usage: $0 FERRY STATE}
	STATE=${2:?usage: $0 FERRY STATE}
	T=$(basename "$0" .sh)
	T=${T_PREFIX:-}${T#t_}
	[ -x "$FERRY" ] || t_fail "no ferry binary at $FERRY"
	[ -f "$STATE/env.sh" ] || t_fail "no $STATE/env.sh: the servers fixture did not run (servers.setup)"
	# shellcheck disable=SC1091
	. "$STATE/env.sh"
	SRV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	W=$(cd "$STATE/.." && pwd)/work/$T
	rm -rf "$W"
	mkdir -p "$W/home" "$W/config/ferry" "$W/state" "$W/data" "$W/cache" "$W/dl" "$W/out"
	export HOME=$W/home XDG_CONFIG_HOME=$W/config XDG_STATE_HOME=$W/state
	export XDG_DATA_HOME=$W/data XDG_CACHE_HOME=$W/cache
	export PAGER=cat NO_COLOR=1 TERM=dumb LC_ALL=C.UTF-8 TZ=UTC
	unset NNTPSERVER EDITOR VISUAL INPUTRC http_proxy https_proxy ftp_proxy all_proxy
	RC=$XDG_CONFIG_HOME/ferry/ferryrc
	# Trust the suite's CA (an rc file is the documented place for settings).
	echo "set tls:ca-file $CA_FILE" > "$RC"
	cd "$W/dl"
	N_RUN=0
	LAST=
}

t_fail() {
	echo "FAIL: ${T:-?}: $*" >&2
	if [ -n "${LAST:-}" ]; then
		echo "--- last run: ${LAST_CMD:-}" >&2
		echo "--- exit status: ${LAST_RC:-?}" >&2
		echo "--- stdout (first 60 lines):" >&2
		head -n 60 "$LAST.out" >&2 || true
		echo "--- stderr (first 60 lines):" >&2
		head -n 60 "$LAST.err" >&2 || true
	fi
	exit 1
}

t_pass() {
	echo "PASS: $T ($N_RUN ferry runs)"
	exit 0
}

# run_ferry EXPECT ARGS... : run ferry with ARGS (stdin from /dev/null unless
# T_STDIN names a file), expect exit status EXPECT ("any" for any non-zero).
# Output: $LAST.out and $LAST.err (also $OUT and $ERR).
run_ferry() {
	local expect=$1 rc
	shift
	N_RUN=$((N_RUN + 1))
	LAST=$W/out/run$N_RUN
	LAST_CMD="ferry ${T_FERRY_OPTS:-} $*"
	printf '%q ' "$FERRY" ${T_FERRY_OPTS:-} "$@" > "$LAST.cmd"
	# T_VALGRIND=1: run under memcheck; any invalid access or definite
	# leak fails the test (scripts/test's valgrind stage).
	local wrap=()
	if [ "${T_VALGRIND:-0}" = 1 ]; then
		wrap=(valgrind -q --log-file="$LAST.vg" --leak-check=full
		      --errors-for-leak-kinds=definite --show-leak-kinds=definite
		      --run-libc-freeres=no --track-fds=no)
	fi
	set +e
	timeout -k 5 "${T_TIMEOUT:-90}" "${wrap[@]}" "$FERRY" ${T_FERRY_OPTS:-} "$@" \
		< "${T_STDIN:-/dev/null}" > "$LAST.out" 2> "$LAST.err"
	rc=$?
	set -e
	if [ "${T_VALGRIND:-0}" = 1 ] && [ -s "$LAST.vg" ]; then
		cat "$LAST.vg" >&2
		t_fail "valgrind reported errors (see above)"
	fi
	LAST_RC=$rc
	OUT=$LAST.out
	ERR=$LAST.err
	# Lines without CR, for exact comparisons.
	tr -d '\r' < "$LAST.out" > "$LAST.out.lf"
	cat "$LAST.out.lf" "$LAST.err" > "$LAST.all"
	[ $rc = 124 ] || [ $rc = 137 ] && t_fail "ferry did not finish within ${T_TIMEOUT:-90} s"
	if [ "$expect" = any ]; then
		[ $rc != 0 ] || t_fail "expected a failure, got exit status 0"
	elif [ "$rc" != "$expect" ]; then
		t_fail "expected exit status $expect, got $rc"
	fi
	return 0
}

# assert_out_has STRING: stdout has STRING (fixed, anywhere).
assert_out_has() {
	grep -qF -- "$1" "$LAST.out.lf" || t_fail "stdout lacks '$1'"
}
# assert_out_line LINE: stdout has LINE as a whole line.
assert_out_line() {
	grep -qxF -- "$1" "$LAST.out.lf" || t_fail "stdout lacks the line '$1'"
}
assert_out_lacks_line() {
	! grep -qxF -- "$1" "$LAST.out.lf" || t_fail "stdout has the line '$1'"
}
assert_out_lacks() {
	! grep -qF -- "$1" "$LAST.out.lf" || t_fail "stdout has '$1'"
}
# assert_all_has STRING: stdout or stderr has STRING.
assert_all_has() {
	grep -qF -- "$1" "$LAST.all" || t_fail "neither stdout nor stderr has '$1'"
}
assert_err_nonempty() {
	[ -s "$LAST.err" ] || t_fail "no message on stderr"
}
# assert_one_line_error [WORD]: stderr is one line (doc/ferry.1 EXIT STATUS:
# a failing command says why in one line), naming WORD if given.
assert_one_line_error() {
	[ "$(wc -l < "$LAST.err")" = 1 ] || t_fail "expected a one-line error, got: $(cat "$LAST.err")"
	[ -z "${1:-}" ] || grep -qF -- "$1" "$LAST.err" || t_fail "the error does not name $1"
}
# assert_fingerprint HEX: the SHA-256 fingerprint appears in the output, in
# any usual hex form (colons or not, either case).
assert_fingerprint() {
	tr -d ':\r' < "$LAST.all" | tr 'A-F' 'a-f' | grep -qF -- "$1" ||
		t_fail "the output does not show the certificate's SHA-256 fingerprint $1"
}

# assert_sha FILE SHA256
assert_sha() {
	[ -f "$1" ] || t_fail "file $1 is missing"
	local got
	got=$(sha256sum < "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || t_fail "file $1: sha256 $got, want $2"
}
assert_file() { [ -e "$1" ] || t_fail "file $1 is missing"; }
assert_no_file() { [ ! -e "$1" ] || t_fail "file $1 should not exist"; }
# assert_no_part DIR: no *.part file left in DIR.
assert_no_part() {
	local p
	p=$(find "${1:-.}" -name '*.part' 2>/dev/null | head -n 3)
	[ -z "$p" ] || t_fail "partial files left behind: $p"
}

# assert_body GROUP N: every line of the article's expected body is a line of
# stdout (dot-unstuffed).
assert_body() {
	local f=$NNTP_CONTENT/$1/$2.body line
	[ -f "$f" ] || t_fail "no expected body $f"
	while IFS= read -r line; do
		[ -z "$line" ] && continue
		grep -qxF -- "$line" "$LAST.out.lf" ||
			t_fail "article $1/$2: stdout lacks the body line '$line'"
	done < "$f"
}
msgid_of() { cat "$NNTP_CONTENT/$1/$2.msgid"; }

# nntp_get CMD...: INN's data blocks, read by a plain socket client on one
# connection (dot-unstuffed, lines ending in LF): "CMD > FILE" writes the
# block to FILE, the last CMD's goes to stdout.  nntp_post FILE...: post
# the articles (LF line ends) as $NNTP_USER.  What ferry prints is
# compared with these.
nntp_get() {
	python3 "$SRV_DIR/srvtool.py" nntp-get 127.0.0.1 "$NNTP_PORT" "$@" ||
		t_fail "a plain NNTP client could not read: $*"
}
nntp_post() {
	python3 "$SRV_DIR/srvtool.py" nntp-post 127.0.0.1 "$NNTP_PORT" "$NNTP_USER" "$NNTP_PASS" "$@" ||
		t_fail "INN refused an article of: $*"
}

# known_bug WHAT: the check that follows waits for a fix in ferry; it is
# skipped (and said so on stdout) unless T_STRICT=1.  Use as
#   # BUG: what goes wrong, and where
#   if known_bug "short description"; then run_ferry ...; fi
known_bug() {
	[ "${T_STRICT:-0}" = 1 ] && return 0
	echo "SKIP (known bug): $T: $1"
	return 1
}

# closed_port: a TCP port nobody listens on (now).
closed_port() { python3 "$SRV_DIR/srvtool.py" freeports 1; }

# make_file PATH SIZE: a file of SIZE random bytes; prints its sha256.
make_file() {
	head -c "$2" /dev/urandom > "$1"
	sha256sum < "$1" | cut -d' ' -f1
}

# t_require VAR...: skip the test (exit 77: ctest's SKIP_RETURN_CODE) when
# env.sh lacks VAR, i.e. its server is not in FERRY_SERVERS.
t_require() {
	local v
	for v in "$@"; do
		if [ -z "${!v:-}" ]; then
			echo "SKIP: $T: no $v in env.sh (FERRY_SERVERS=${FERRY_SERVERS:-})"
			exit 77
		fi
	done
}

# trace_sent PATTERN: the -d trace of the last run shows ferry sending a command
# matching PATTERN (an ERE; trace lines carry "> " before what was sent).
trace_sent() { grep -Eq ">[[:space:]]*$1" "$LAST.err"; }
