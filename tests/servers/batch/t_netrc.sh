#!/bin/bash
# ~/.netrc supplies the login: no user in the URL, yet ferry logs in as the
# local user (anonymous could not upload), for ftp:// and ftpes://.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

cat > "$HOME/.netrc" <<NETRC
machine 127.0.0.1
  login $FTP_USER
  password $FTP_PASS
machine localhost login nobody password nothing
NETRC
chmod 600 "$HOME/.netrc"
up_sha=$(make_file netrc-up.bin 4096)
run_ferry 0 -c "open ftp://127.0.0.1:$FTP_PORT; put netrc-up.bin; ls"
assert_sha "$FTP_USER_HOME/netrc-up.bin" "$up_sha"
assert_out_has "netrc-up.bin"
run_ferry 0 -c "open ftpes://127.0.0.1:$FTP_PORT; get netrc-up.bin -o netrc-back.bin"
assert_sha netrc-back.bin "$up_sha"
# The netrc entry for another host does not apply here: localhost's wrong
# login is refused.
run_ferry 4 -c "open ftp://localhost:$FTP_PORT"
t_pass
