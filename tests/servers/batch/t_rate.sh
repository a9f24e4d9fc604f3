#!/bin/bash
# xfer:rate-limit against vsftpd over explicit FTPS: 1 MiB down, then up, at
# 512 KiB/s takes 1.9 s or more each (16 KiB at once, then the rate), and
# the bytes arrive intact.  A lower bound only: a loaded machine makes a
# transfer slower, never faster.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
H=127.0.0.1:$FTP_PORT

# timed CMD...: run_ferry 0 CMD..., the milliseconds it took in ms.
timed() {
	local t0
	t0=$(date +%s%N)
	run_ferry 0 "$@"
	ms=$((($(date +%s%N) - t0) / 1000000))
}
timed -c "set xfer:rate-limit 512; open ftpes://$H; get 1mib.bin"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
[ "$ms" -ge 1900 ] || t_fail "get at 512 KiB/s of 1 MiB took $ms ms"
trap 'rm -f "$FTP_USER_HOME/rate-up.bin"' EXIT
timed -c "set xfer:rate-limit 512; open ftpes://$FTP_USER:$FTP_PASS@$H; put 1mib.bin -o rate-up.bin"
assert_sha "$FTP_USER_HOME/rate-up.bin" "$FTP_SAMPLE_1M_SHA256"
[ "$ms" -ge 1900 ] || t_fail "put at 512 KiB/s of 1 MiB took $ms ms"
rm -f 1mib.bin
t_pass
