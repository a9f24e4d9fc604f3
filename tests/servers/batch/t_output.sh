#!/bin/bash
# Output to files and pipes (`> FILE`, `>> FILE`, `| COMMAND`, and a standard
# output that is not a terminal): the server's bytes unchanged, compared
# byte for byte with what curl or a plain socket client gets from the same
# server.  FTP against vsftpd, proftpd (and pure-ftpd when it runs): ls, cat,
# get -o -, a file with all 256 byte values and names with Latin-1 and
# control bytes.  NNTP against INN: article, head, body and over of an
# 8-bit Latin-1 article with dot-stuffed lines, to a file and through a
# pipe.  Then the failures: a write error (/dev/full: status 7, one line,
# -k goes on in the same session) and a reader that goes away (| head:
# status 0, silence, the session still usable).
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT PROFTPD_PORT NNTP_PORT

# The test's folder in each FTP server's user home: all 256 byte values
# (with CR, LF, NUL and dots where a text mode would change them), and
# names a terminal would show escaped.
servers="$FTP_PORT:$FTP_USER_HOME $PROFTPD_PORT:$PROFTPD_USER_HOME"
[ -n "${PUREFTPD_PORT:-}" ] && servers="$servers $PUREFTPD_PORT:$PUREFTPD_USER_HOME"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 300 + b"\r\n\n\r.\r\n\0end\r")' \
	> "$W/allbytes.bin"
all_sha=$(sha256sum < "$W/allbytes.bin" | cut -d' ' -f1)
for s in $servers; do
	d=${s#*:}/output
	rm -rf "$d"
	mkdir -p "$d"
	cp "$W/allbytes.bin" "$d/allbytes.bin"
	cp "$FTP_ANON_ROOT/hello.txt" "$d/hello.txt"
	printf 'Latin-1 name\n' > "$d/caf"$'\xe9'".txt"
	printf 'escape in the name\n' > "$d/esc"$'\x1b'"[31mred.txt"
	chown -R "$FTP_USER:" "$d"
done

for s in $servers; do
	port=${s%%:*}
	U=ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$port
	mkdir -p "$W/dl/$port" && cd "$W/dl/$port"
	# The listing as the server sends it (curl keeps its CRLF; ferry's
	# file has LF line ends).
	curl -sS --max-time 30 --ssl-reqd --cacert "$CA_FILE" -u "$FTP_USER:$FTP_PASS" \
		"ftp://127.0.0.1:$port/output/" | sed 's/\r$//' > want-ls.txt
	grep -qa $'caf\xe9.txt' want-ls.txt || t_fail "port $port: curl's listing lacks the Latin-1 name"
	run_ferry 0 -c "open $U; cd output; ls > ls.txt; cat allbytes.bin > cat.bin
cat hello.txt > twice.txt; cat hello.txt >> twice.txt
cat allbytes.bin | cat > pipe.bin"
	cmp -s ls.txt want-ls.txt || t_fail "port $port: ls > ls.txt differs from the server's listing: $(diff want-ls.txt ls.txt | head -5 | cat -v)"
	assert_sha cat.bin "$all_sha"
	assert_sha pipe.bin "$all_sha"
	cat "$FTP_ANON_ROOT/hello.txt" "$FTP_ANON_ROOT/hello.txt" | cmp -s - twice.txt ||
		t_fail "port $port: cat > then cat >> is not the file twice"
	[ ! -s "$OUT" ] || t_fail "port $port: output sent to files also reached stdout"
	# get -o - with standard output a file: the bytes and nothing else.
	run_ferry 0 -c "open $U; cd output; get allbytes.bin -o -"
	assert_sha "$OUT" "$all_sha"
	assert_no_part .
done
cd "$W/dl"

# ---- NNTP: an 8-bit Latin-1 article with lines that start with dots, posted
# for this run (unique Message-ID), and one of 900 kB for the reader that
# goes away.
mid="<ferry-output.$$.$EPOCHSECONDS@ferry.invalid>"
printf '%s\n' "From: Ferry Tester <tester@ferry.invalid>" "Newsgroups: $NNTP_POST_GROUP" \
	"Subject: Latin-1 body, dot-stuffed lines" "Message-ID: $mid" "MIME-Version: 1.0" \
	"Content-Type: text/plain; charset=ISO-8859-1" "Content-Transfer-Encoding: 8bit" "" \
	$'Caf\xe9 cr\xe8me br\xfbl\xe9e, na\xefve \xa9 \xff.' \
	".a line that starts with a dot" "..two dots" "." "After a lone dot." > "$W/latin1.art"
bigmid="<ferry-output-big.$$.$EPOCHSECONDS@ferry.invalid>"
{
	printf '%s\n' "From: Ferry Tester <tester@ferry.invalid>" "Newsgroups: $NNTP_POST_GROUP" \
		"Subject: 900 kB" "Message-ID: $bigmid" ""
	for i in $(seq 12000); do printf 'Line %05d of a long article, long enough to fill pipes.\n' "$i"; done
	echo ".last line"
} > "$W/big.art"
nntp_post "$W/latin1.art" "$W/big.art"
# Their numbers (other runs may have posted before).
nntp_get "GROUP $NNTP_POST_GROUP" "HDR Message-ID 1-" > "$W/post-ids"
n=$(awk -v m="$mid" '$2 == m { print $1 }' "$W/post-ids")
nbig=$(awk -v m="$bigmid" '$2 == m { print $1 }' "$W/post-ids")
[ -n "$n" ] && [ -n "$nbig" ] || t_fail "the posted articles are not in $NNTP_POST_GROUP: $(cat "$W/post-ids")"

nntp_get "ARTICLE $mid > want-article.txt" "GROUP $NNTP_POST_GROUP" "HEAD $n > want-head.txt" \
	"BODY $n > want-body.txt" "OVER $n-$n > want-over.txt"
# The raw client must have unstuffed too, or both could be wrong alike.
grep -qxF ".a line that starts with a dot" want-body.txt && grep -qxF "." want-body.txt &&
	grep -qa $'^Caf\xe9 cr\xe8me' want-body.txt || t_fail "INN's body is not the article posted"

run_ferry 0 -c "open nntp://127.0.0.1:$NNTP_PORT; group $NNTP_POST_GROUP
article $n > article.txt; head $n > head.txt; body $n > body.txt; over $n-$n > over.txt
article $mid | cat > p-article.txt
head $n | cat > p-head.txt
body $n | cat > p-body.txt
over $n-$n | cat > p-over.txt"
for k in article head body over; do
	cmp -s "$k.txt" "want-$k.txt" || t_fail "$k $n > $k.txt differs from INN's: $(diff "want-$k.txt" "$k.txt" | head -5 | cat -v)"
	cmp -s "p-$k.txt" "want-$k.txt" || t_fail "$k $n | cat differs from INN's: $(diff "want-$k.txt" "p-$k.txt" | head -5 | cat -v)"
done
# And to a standard output that is not a terminal.
run_ferry 0 -c "open nntp://127.0.0.1:$NNTP_PORT; body $mid"
cmp -s "$OUT" want-body.txt || t_fail "body to stdout differs from INN's: $(diff want-body.txt "$OUT" | head -5 | cat -v)"

# ---- A write error: status 7 and one line naming the file; with -k the
# next commands run, in the same session (one login in the trace).
F=ftpes://127.0.0.1:$FTP_PORT
run_ferry 7 -c "open $F; ls > /dev/full; pwd"
assert_one_line_error /dev/full
assert_out_lacks_line /
run_ferry 7 -c "open $F; cat 1mib.bin > /dev/full; pwd"
assert_one_line_error /dev/full
run_ferry 7 -k -d -c "open $F; ls > /dev/full; pwd; cat 20mib.bin > /dev/full; get 1mib.bin"
assert_out_line /
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
[ "$(grep -c '/dev/full' "$ERR")" = 2 ] || t_fail "-k: want one error line per failed write, got: $(grep '/dev/full' "$ERR")"
[ "$(grep -Ec '>[[:space:]]*USER ' "$ERR")" = 1 ] || t_fail "-k: the session was not kept (more than one USER sent)"
rm -f 1mib.bin

# ---- The reader goes away: status 0, nothing on stderr, the next command
# runs and the session goes on (a get with the right checksum), on vsftpd
# and proftpd, over TLS (the transfer in flight is aborted).
head -c 10 "$FTP_ANON_ROOT/20mib.bin" > want-10.bin
for port in "$FTP_PORT" "$PROFTPD_PORT"; do
	run_ferry 0 -c "open ftpes://127.0.0.1:$port; ls | head -1
pwd
cat 20mib.bin | head -c 10 > head10.bin
pwd
get 1mib.bin"
	[ ! -s "$ERR" ] || t_fail "port $port: the reader going away is no error, yet stderr has: $(cat "$ERR")"
	[ "$(head -n 1 "$OUT")" != / ] || t_fail "port $port: ls | head -1 printed nothing"
	[ "$(grep -cx / "$LAST.out.lf")" = 2 ] || t_fail "port $port: pwd after the pipes did not print / twice"
	cmp -s head10.bin want-10.bin || t_fail "port $port: cat | head -c 10 is not the file's first 10 bytes"
	assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
	rm -f 1mib.bin head10.bin
done
# NNTP: 900 kB into `head -1` (more than the pipe and ferry's buffer hold),
# then the next article on the same connection.
run_ferry 0 -c "open nntp://127.0.0.1:$NNTP_PORT; group $NNTP_POST_GROUP; body $nbig | head -1
body $n > after.txt"
[ ! -s "$ERR" ] || t_fail "body | head -1: stderr has: $(cat "$ERR")"
assert_out_line "Line 00001 of a long article, long enough to fill pipes."
cmp -s after.txt want-body.txt || t_fail "the body read after | head -1 differs from INN's"
t_pass
