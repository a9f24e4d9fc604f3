#!/bin/bash
# ~/.netrc supplies the login: no user in the URL, yet ferry logs in as the
# local user (anonymous could not upload), for ftp:// and ftpes://.  A
# malformed file, or a FIFO in its place, is not used and says why, once.
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

# A malformed file is not used, and says so once, with its file and line
# (two sessions opened: one warning); anonymous works meanwhile.
printf 'machine 127.0.0.1\n  login %s\n  pasword %s\n' "$FTP_USER" "$FTP_PASS" > "$HOME/.netrc"
run_ferry 0 -c "open ftp://127.0.0.1:$FTP_PORT as a; open ftp://127.0.0.1:$FTP_PORT as b; get 1mib.bin"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
[ "$(grep -c "$HOME/.netrc:3: unknown keyword" "$ERR")" = 1 ] ||
	t_fail "a malformed .netrc: not one warning naming the file and line 3"
# A FIFO there neither blocks ferry nor is read: refused with a message.
rm -f "$HOME/.netrc" 1mib.bin && mkfifo -m 600 "$HOME/.netrc"
T_TIMEOUT=20 run_ferry 0 -c "open ftp://127.0.0.1:$FTP_PORT; get 1mib.bin"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
grep -q "$HOME/.netrc: not a regular file" "$ERR" || t_fail "a FIFO at ~/.netrc: no message"
t_pass
