#!/bin/bash
# Authentication refused: exit status 4, for FTP and NNTP.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

run_ferry 4 -c "open ftp://$FTP_USER:wrong-password@127.0.0.1:$FTP_PORT"
assert_one_line_error
run_ferry 4 -c "open ftpes://$FTP_USER:wrong-password@127.0.0.1:$FTP_PORT; ls"
run_ferry 4 -c "open nntp://$NNTP_USER:wrong-password@127.0.0.1:$NNTP_PORT; group $NNTP_PRIVATE_GROUP"
assert_one_line_error
run_ferry 4 -c "open nntps://$NNTP_USER:wrong-password@127.0.0.1:$NNTPS_PORT; group $NNTP_PRIVATE_GROUP"
t_pass
