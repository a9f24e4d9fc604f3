#!/bin/bash
# The session's transfer type and data-connection mode (ascii, binary,
# passive, active) and more.
# vsftpd stores and sends bytes unchanged in TYPE A (no ascii_*_enable), so
# what ferry converted shows on the server: an ascii put turns LF into CRLF
# (a CRLF already there is not doubled), an ascii get turns CRLF into LF; a
# binary get afterwards moves the bytes unchanged.  The type is the
# session's: both connections of its pool (a job beside the foreground) and
# the connection after `reconnect` switch to TYPE A before their transfer.
# Resuming in ascii is refused (status 2) with nothing written.  proftpd
# converts line ends itself, so an ascii round trip there gives back the
# file.  passive off / active / passive choose EPRT or EPSV from then on.
# more prints as cat when the output is not a terminal.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
t_require FTP_PORT PROFTPD_PORT

H=$FTP_USER_HOME/modes
trap 'rm -rf "$H"' EXIT
rm -rf "$H" && mkdir -p "$H"
printf 'one\r\ntwo\r\nlone\rcr\r\n' > "$H/crlf.txt"
chown -R "$FTP_USER:" "$H"
printf 'alpha\nbeta\r\ngamma\n' > up.txt
printf 'one\ntwo\nlone\rcr\n' > want-down.txt
printf 'alpha\r\nbeta\r\ngamma\r\n' > want-up.txt

U="ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT/modes"
run_ferry 0 -d -c "open $U as v; ascii; get crlf.txt -o a1.txt & get crlf.txt -o a2.txt; wait
reconnect; get crlf.txt -o a3.txt; put up.txt; more crlf.txt; binary; get up.txt -o b-up.txt
get crlf.txt -o b1.txt; passive off; ls; active; get crlf.txt -o b2.txt; passive; get crlf.txt -o b3.txt"
for f in a1 a2 a3; do cmp -s $f.txt want-down.txt || t_fail "ascii get $f: CRLF not turned into LF"; done
cmp -s "$H/up.txt" want-up.txt || t_fail "ascii put: the server did not get CRLF line ends"
cmp -s b-up.txt want-up.txt || t_fail "binary get after ascii put changed bytes"
for f in b1 b2 b3; do cmp -s $f.txt "$H/crlf.txt" || t_fail "binary get $f changed bytes"; done
# more, not at a terminal: the converted text, as cat prints it.
grep -qx 'two' "$OUT" || t_fail "more: the file's lines are not on stdout"
! grep -q $'two\r' "$OUT" || t_fail "more in ascii mode kept a CR"
# Three connections in TYPE A (two at once, one after reconnect), each
# switched once; back to TYPE I once for binary.
[ "$(grep -Ec '> TYPE A$' "$ERR")" = 3 ] || t_fail "expected TYPE A on three connections (trace)"
# passive off, active: EPRT; passive again: EPSV.
grep -A3 '> EPRT ' "$ERR" | grep -q '> LIST' || t_fail "passive off: LIST not after EPRT"
grep -A3 '> EPRT ' "$ERR" | grep -q '> RETR crlf.txt' || t_fail "active: RETR not after EPRT"
[ "$(grep -c '> EPRT ' "$ERR")" = 2 ] || t_fail "expected EPRT exactly twice (ls, get in active mode)"
awk '/> EPRT /{e=0} /> EPSV$/{e=1} END{exit !e}' "$ERR" || t_fail "passive: no EPSV after active"

# Resuming in ascii is refused before anything is sent or written.
cp want-down.txt part.txt
run_ferry 2 -d -c "open $U as v; ascii; reget crlf.txt -o part.txt"
grep -q 'cannot resume in ascii mode.*type binary first' "$ERR" || t_fail "reget in ascii: no clear refusal"
! trace_sent 'REST' || t_fail "reget in ascii sent REST"
cmp -s part.txt want-down.txt || t_fail "reget in ascii touched the local file"
run_ferry 2 -c "open $U as v; ascii; reput up.txt"
assert_one_line_error "type binary first"
run_ferry 2 -c "open $U as v; passive maybe"
assert_one_line_error "on or off"

# proftpd converts line ends itself: an ascii put and get give the file back.
P=ftpes://$FTP_USER:$FTP_PASS@127.0.0.1:$PROFTPD_PORT
printf 'x\ny\n' > modes-lf.txt
run_ferry 0 -c "open $P; ascii; put modes-lf.txt; get modes-lf.txt -o back.txt; binary; get modes-lf.txt -o raw.txt; rm modes-lf.txt"
cmp -s back.txt modes-lf.txt || t_fail "proftpd: ascii round trip changed the file"
cmp -s raw.txt modes-lf.txt || t_fail "proftpd: stored other bytes than an LF file"
t_pass
