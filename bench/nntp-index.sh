#!/bin/bash
# bench/nntp-index.sh [N] [RUNS] - `index all` on a group of N articles
# (default 100000) in a bench-only INN, against fetching the same overview
# raw over a plain socket and with Python's nntplib.  Medians of RUNS
# (default 5) after one warm-up each, peak RSS (GNU time), and with
# COMPRESS the bytes on the wire (ferry's `sessions`).  See bench/README.md.
. "$(dirname "$0")/lib.sh"
N=${1:-100000}
RUNS=${2:-5}
GROUP=bench.big
NEWSBIN=/usr/lib/news/bin
command -v /usr/bin/time >/dev/null || die "needs GNU time (apt-get install time)"

bench_servers "inn"
as_news() { setpriv --reuid=news --regid=news --init-groups env INNCONF="$NNTP_INNCONF" "$@"; }

# The group, made here and only here (the test suite's INN never has it).
as_news "$NEWSBIN/ctlinnd" newgroup "$GROUP" y bench >/dev/null || die "ctlinnd newgroup failed"
python3 - "$N" "$GROUP" > "$W/batch" <<'PY'
import sys
n, group = int(sys.argv[1]), sys.argv[2]
out = sys.stdout
for i in range(1, n + 1):
    # Threads of ten: each article answers the one before it in its thread.
    root = i - (i - 1) % 10
    refs = "" if i == root else "References: <%d.bench@ferry.invalid>\n" % (i - 1)
    subj = ("Re: " if i != root else "") + "Thread %d about something or other" % root
    art = ("Path: bench!not-for-mail\nFrom: Poster %d <p%d@ferry.invalid>\n"
           "Newsgroups: %s\nSubject: %s\nDate: Mon, 01 Jan 2024 %02d:%02d:%02d +0000\n"
           "Message-ID: <%d.bench@ferry.invalid>\n%s\nBody of article %d.\n"
           % (i % 97, i % 97, group, subj, i // 3600 % 24, i // 60 % 60, i % 60, i, refs, i))
    out.write("#! rnews %d\n%s" % (len(art.encode()), art))
PY
t0=$(now)
as_news "$NEWSBIN/rnews" -N < "$W/batch" || die "rnews failed"
rm -f "$W/batch"
# Wait until the reader side sees them all.
for _ in $(seq 600); do
	got=$(python3 - "$NNTP_PORT" "$GROUP" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
f = s.makefile("rb")
f.readline()
s.sendall(b"GROUP %s\r\n" % sys.argv[2].encode())
w = f.readline().split()
print(w[1].decode() if w and w[0] == b"211" else 0)
PY
)
	[ "${got:-0}" -ge "$N" ] && break
	sleep 0.5
done
[ "${got:-0}" -ge "$N" ] || die "INN holds ${got:-0} of $N articles"
echo "bench: $N articles in $GROUP in $(calc "$(now) - $t0" | cut -c1-5) s" >&2

U=nntp://127.0.0.1:$NNTP_PORT
# Each runner prints "SECONDS MAXRSS_KIB CPU_SECONDS" (its own user+sys).
timed() { # CMD...
	/usr/bin/time -f '%e %M %U %S' -o "$W/time" "$@" > /dev/null 2> "$W/err" ||
		{ cat "$W/err" >&2; die "failed: $*"; }
	awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$W/time"
}
run_ferry() { # on|off
	timed "$FERRY" -c "set nntp:tls off; set nntp:compress $1; open $U; group $GROUP > /dev/null; index all > /dev/null"
}
run_raw() {
	timed python3 - "$NNTP_PORT" "$GROUP" "$N" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
def until(end):
    data = b""
    while not data.endswith(end):
        b = s.recv(1 << 20)
        if not b:
            raise SystemExit("eof")
        data += b
    return data
until(b"\r\n")
s.sendall(b"GROUP %s\r\n" % sys.argv[2].encode()); until(b"\r\n")
s.sendall(b"OVER 1-%s\r\n" % sys.argv[3].encode())
data = bytearray()
while not data.endswith(b"\r\n.\r\n"):
    b = s.recv(1 << 20)
    if not b:
        raise SystemExit("eof")
    data += b
print(len(data))
PY
}
run_nntplib() {
	timed python3 -W ignore - "$NNTP_PORT" "$GROUP" <<'PY'
import nntplib, sys
c = nntplib.NNTP("127.0.0.1", int(sys.argv[1]), readermode=True)
_, count, first, last, _ = c.group(sys.argv[2])
_, ov = c.over((first, last))
print(len(ov))
c.quit()
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A S M C
for tool in raw nntplib ferry-off ferry-on; do
	case $tool in
	raw) r=(run_raw) ;; nntplib) r=(run_nntplib) ;;
	ferry-off) r=(run_ferry off) ;; ferry-on) r=(run_ferry on) ;;
	esac
	"${r[@]}" > /dev/null   # warm-up
	: > "$W/runs"
	for _ in $(seq "$RUNS"); do "${r[@]}" >> "$W/runs"; done
	S[$tool]=$(cut -d' ' -f1 "$W/runs" | median)
	M[$tool]=$(cut -d' ' -f2 "$W/runs" | median)
	C[$tool]=$(cut -d' ' -f3 "$W/runs" | median)
done

# The bytes on the wire, from ferry's own count.
"$FERRY" -c "set nntp:tls off; open $U; group $GROUP > /dev/null; index all > /dev/null; sessions" |
	grep 'compressed:' | sed 's/^ */ferry COMPRESS: /' > "$W/wire"
raw_bytes=$(run_raw_bytes() { python3 - "$NNTP_PORT" "$GROUP" "$N" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
f.readline()
s.sendall(b"GROUP %s\r\n" % sys.argv[2].encode()); f.readline()
s.sendall(b"OVER 1-%s\r\n" % sys.argv[3].encode())
n = 0
while True:
    l = f.readline(); n += len(l)
    if l == b".\r\n":
        break
print(n)
PY
}; run_raw_bytes)

load=$(cut -d' ' -f1-3 /proc/loadavg)
printf '\n%s articles, medians of %s runs, load average %s on %s cores\n\n' "$N" "$RUNS" "$load" "$(nproc)"
printf '| %-28s | %8s | %8s | %9s | %8s |\n' "fetch of the overview" "seconds" "CPU s" "peak RSS" "vs raw"
printf '|%s|%s|%s|%s|%s|\n' "------------------------------" "----------" "----------" "-----------" "----------"
for tool in raw nntplib ferry-off ferry-on; do
	case $tool in
	raw) name="raw socket (OVER, python)" ;; nntplib) name="Python nntplib .over()" ;;
	ferry-off) name="ferry index all" ;; ferry-on) name="ferry index all, COMPRESS" ;;
	esac
	printf '| %-28s | %8s | %8s | %5d MiB | %8s |\n' "$name" "${S[$tool]}" "${C[$tool]}" "$(( ${M[$tool]} / 1024 ))" \
		"$(calc "${S[$tool]} / ${S[raw]}" | sed 's/^\./0./' | cut -c1-4)x"
done
printf '\nnntplib / ferry: %sx in seconds, %sx in CPU\n' \
	"$(calc "${S[nntplib]} / ${S[ferry-off]}" | sed 's/^\./0./' | cut -c1-4)" \
	"$(calc "${C[nntplib]} / ${C[ferry-off]}" | sed 's/^\./0./' | cut -c1-4)"
printf 'overview bytes (uncompressed, raw socket): %s\n' "$raw_bytes"
cat "$W/wire"
