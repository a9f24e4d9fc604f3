#!/bin/bash
# One batch script (-f) with an FTP and an NNTP session open together:
# list, download (checksums), upload through a second FTP session (checked on
# the server's disk), read articles by number and by Message-ID, sessions.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

up_sha=$(make_file both-up.bin 1234567)
msgid2=$(msgid_of ferry.test 2)
cat > "$W/script.ferry" <<SCRIPT
# Comments and blank lines are allowed in a script file.
open ftp://127.0.0.1:$FTP_PORT as lab-ftp
open nntp://127.0.0.1:$NNTP_PORT as lab-news

ls
get hello.txt
get 1mib.bin
get 20mib.bin
get "with space.txt"
cd sub
get nested.txt
pwd
open ftp://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT as lab-up
put both-up.bin
put both-up.bin -o both-renamed.bin
group ferry.test
article 1
article $msgid2
@lab-ftp cdup
sessions
SCRIPT
run_ferry 0 -f "$W/script.ferry"

for f in hello.txt 1mib.bin 20mib.bin "with space.txt" sub; do
	assert_out_has "$f"
done
assert_out_has "/sub"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
assert_sha 1mib.bin "$FTP_SAMPLE_1M_SHA256"
assert_sha 20mib.bin "$FTP_SAMPLE_20M_SHA256"
assert_sha "with space.txt" "$FTP_SAMPLE_SPACE_SHA256"
assert_sha nested.txt "$FTP_SAMPLE_NESTED_SHA256"
assert_sha "$FTP_USER_HOME/both-up.bin" "$up_sha"
assert_sha "$FTP_USER_HOME/both-renamed.bin" "$up_sha"
assert_no_part .
assert_body ferry.test 1
assert_body ferry.test 2
assert_out_has "$msgid2"
for s in lab-ftp lab-news lab-up; do assert_out_has "$s"; done
t_pass
