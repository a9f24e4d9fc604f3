#!/bin/bash
# Implicit FTPS (ftps://HOST:PORT): listing, download, upload.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

up_sha=$(make_file implicit-up.bin 500000)
run_ferry 0 -c "open ftps://127.0.0.1:$FTPS_IMPLICIT_PORT; ls; get 20mib.bin;
open ftps://$FTP_USER:$FTP_PASS@127.0.0.1:$FTPS_IMPLICIT_PORT; put implicit-up.bin"
assert_out_has "hello.txt"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_sha "$FTP_USER_HOME/implicit-up.bin" "$up_sha"
assert_no_part .
t_pass
