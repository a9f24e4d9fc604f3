#!/bin/bash
# mkseeds_pp.sh - (re)write the seeds of the pp_ftp and pp_nntp targets.
# Each line is one case; the header fields are explained in fuzz_pp.h and
# the command numbers (--sel) in fuzz_pp_ftp.c / fuzz_pp_nntp.c.
set -euo pipefail
cd "$(dirname "$0")"
M=./mkseed_pp.py
x() { python3 -c "print('$1' * $2, end='')"; }

D=corpus/pp_ftp
rm -rf "$D" && mkdir -p "$D"
# sel: 0 USER 1 PASS 2 PWD 3 EPSV 4 PASV 5 SIZE 6 MDTM 7 FEAT 8 RETR 9 LIST
#      10 CWD 11 MKD 12 NOOP 13 TYPE 14 AUTH 15 QUIT
# flags: 1-3 chunking, 4 greeting, 8/16/24 two/three/six commands,
#        0x20 resend, 0x40 cancel at act&15, 0x80 free at act>>4
$M $D/login --flags 0x0c --sel 0 '220 ProFTPD ready\r\n331 Password required\r\n230 Logged in\r\n'
$M $D/greeting-multiline --flags 0x04 '220-Welcome\r\n220-  to the\r\n220 server\r\n'
$M $D/feat --sel 7 '211-Features:\r\n EPSV\r\n MDTM\r\n MLST type*;size*;\r\n SIZE\r\n UTF8\r\n REST STREAM\r\n211 End\r\n'
$M $D/pasv --sel 4 '227 Entering Passive Mode (127,0,0,2,4,1)\r\n'
$M $D/pasv-noparen --sel 4 '227 Entering Passive Mode 10,0,0,1,200,13\r\n'
$M $D/pasv-bad --sel 4 --flags 0x08 '227 Entering Passive Mode (256,0,0,1,0,0)\r\n227 (1,2,3,4,0,0)\r\n'
$M $D/epsv --sel 3 '229 Entering Extended Passive Mode (|||6446|)\r\n'
$M $D/epsv-bad --sel 3 --flags 0x08 '229 Entering Extended Passive Mode (|1|2|99999|)\r\n229 (!!!0!)\r\n'
$M $D/pwd --sel 2 '257 "/home/""quoted""/dir" is the current directory\r\n'
$M $D/pwd-unterminated --sel 2 '257 "/foo\r\n'
$M $D/size --sel 5 --flags 0x08 '213 18446744073709551616\r\n213 1234\r\n'
$M $D/mdtm --sel 6 '213 20240229235960.123\r\n'
$M $D/retr-150-226 --sel 8 '150 Opening BINARY mode data connection\r\n226 Transfer complete\r\n'
$M $D/retr-426 --sel 8 '125 Data connection already open\r\n426 Connection closed; transfer aborted\r\n'
$M $D/auth-pipelined --sel 14 --flags 0x08 '234 AUTH TLS OK\r\n230 logged in\r\n'
$M $D/unsolicited-421 '421 Timeout\r\n421 Timeout again\r\n'
$M $D/bad-code --flags 0x08 '200 ok\r\n600 out of range\r\n'
$M $D/bad-code-2digit '22 short\r\n'
$M $D/bare-code --flags 0x08 '200\r\n250\n'
$M $D/nul-in-reply '220 a\x00b\r\n'
$M $D/inner-codes --sel 9 '150-start\r\n226 not the end\r\n150 end\r\n226-a\r\n 226 b\r\n226 done\r\n'
$M $D/bytewise --flags 0x05 '220-a\r\n220-b\r\n220 c\r\n'
$M $D/chunk7-lf-only --flags 0x0e '220 hi\n331 pw\n230 in\n'
$M $D/cr-in-line --flags 0x08 '200 a\rb\r\n200 c\r\r\n'
# Limits: a line of exactly 16 KiB is a reply, one byte more is refused
# (with LF only, and with CRLF), an endless line, a 1 MiB multi-line reply.
$M $D/line-at-limit --rep 1 '200 ' "$(x x 127)" "$(x x 124)\r\n"
$M $D/line-over-limit-lf --rep 1 '200 ' "$(x x 127)" "$(x x 125)\n"
$M $D/line-over-limit-crlf --rep 1 '200 ' "$(x x 127)" "$(x x 125)\r\n"
$M $D/long-line --rep 2 '' "$(x x 128)"
$M $D/long-multiline --rep 140 '226-start\r\n' "226-$(x y 58)\r\n" '226 end\r\n'
# Callbacks that send, cancel, free, or run the loop again.
$M $D/reentrant --flags 0x7b --act 0x03 --sel 0 '220 hi\r\n331 pw\r\n230 in\r\n257 "/"\r\n200 ok\r\n200 ok\r\n200 ok\r\n'
$M $D/resend-many --flags 0x38 --sel 12 "$(x '200 ok\\r\\n' 20)"
$M $D/free-in-1xx --flags 0x80 --act 0x10 --sel 8 '150 here\r\n226 done\r\n'
$M $D/free-after-resend --flags 0xa8 --act 0x30 --sel 12 '200 ok\r\n200 ok\r\n200 ok\r\n200 ok\r\n'
$M $D/nested-loop --flags 0x1b --opts 2 --sel 0 '220 hi\r\n331 pw\r\n230 in\r\n200 ok\r\n'
$M $D/buffered-before-pp --flags 0x04 --opts 1 '220 early greeting\r\n'

D=corpus/pp_nntp
rm -rf "$D" && mkdir -p "$D"
# sel: 0 ARTICLE 1 HEAD 2 BODY 3 STAT 4 GROUP 5 LISTGROUP 6 LIST ACTIVE
#      7 LIST OVERVIEW.FMT 8 OVER 9 XOVER 10 HDR 11 XHDR 12 NEWNEWS
#      13 NEWGROUPS 14 HELP 15 CAPABILITIES 16 DATE 17 MODE READER 18 NEXT
#      19 LAST 20 POST 21 XFOO 22 AUTHINFO USER 23 XGTITLE 24 STARTTLS 25 QUIT
#      + 0x20 collect, + 0x40/0x80/0xc0 on_line aborts after 1/3/100 lines
$M $D/greeting-caps --flags 0x04 --sel 0x2f '200 news.example.org ready\r\n101 Capability list:\r\nVERSION 2\r\nREADER\r\nOVER MSGID\r\nHDR\r\nLIST ACTIVE NEWSGROUPS\r\nSTARTTLS\r\nAUTHINFO USER\r\nPOST\r\nCOMPRESS DEFLATE\r\n.\r\n'
$M $D/caps-500 --sel 15 '500 What?\r\n'
$M $D/group --sel 4 '211 1234 3000000000 3000001233 misc.test\r\n'
$M $D/group-empty --sel 4 --flags 0x08 '211 0 0 0 misc.test\r\n211 0 101 100 misc.empty\r\n'
$M $D/listgroup --sel 5 '211 3 1 3 misc.test list follows\r\n1\r\n2\r\n3\r\n.\r\n'
$M $D/article-stuffed --sel 0 '220 1 <a.b@example.org> article\r\nPath: x\r\nSubject: hi\r\n\r\n..dot line\r\n...\r\n..\r\n.\r\n'
$M $D/article-collect --sel 0x20 '220 0 <a@b> article\r\nFrom: \x1b[31mred\r\n\r\nbody\r\n.\r\n'
$M $D/over --sel 8 '224 Overview follows\r\n1\tSubject\tFrom <f@x>\tDate\t<m@x>\t<r@x>\t123\t4\tXref: h misc.test:1\r\n2\t\t\t\t\t\tBytes: 9\tLines: 1\r\n3\r\n.\r\n'
$M $D/over-collect --sel 0x28 '224 Overview follows\r\n4294967296\tS\tF\tD\t<m@x>\t\t\t\r\n.\r\n'
$M $D/over-64k-line --sel 8 --rep 4 '224 ov\r\n1\t' "$(x y 128)" '\r\n.\r\n'
# Block lines of exactly 1 MiB and one byte more; an endless one.
$M $D/block-line-at-limit --sel 8 --rep 64 '224 ov\r\n' "$(x x 128)" '\r\n.\r\n'
$M $D/block-line-over-limit --sel 8 --rep 64 '224 ov\r\n' "$(x x 128)" 'x\n.\r\n'
$M $D/block-line-too-long --sel 8 --rep 70 '224 ov\r\n' "$(x x 128)" '\r\n.\r\n'
$M $D/block-unterminated --sel 6 '215 list follows\r\nmisc.test 3 1 y\r\n'
$M $D/block-nul --sel 1 --flags 0x08 '221 1 <a@b> head\r\nSubject: a\x00b\r\n.\r\n223 1 <a@b>\r\n'
$M $D/abort-on-line --sel 0x49 --flags 0x08 '224 ov\r\n1\r\n2\r\n3\r\n.\r\n224 ov\r\n4\r\n.\r\n'
$M $D/post --sel 20 '340 send article\r\n240 article posted\r\n'
$M $D/post-refused --sel 20 '440 posting not permitted\r\n'
$M $D/date --sel 16 '111 20240229123456\r\n'
$M $D/help-100 --sel 14 '100 help text follows\r\nARTICLE\r\n.\r\n'
$M $D/unknown-cmd --sel 21 '224 surprise block\r\nline\r\n.\r\n'
$M $D/auth-480 --sel 0 --flags 0x08 '480 Authentication required\r\n483 Encryption required\r\n'
$M $D/unsolicited --sel 25 '205 bye\r\n400 service going away\r\n'
$M $D/bad-status --sel 17 '2000 too long\r\n'
$M $D/status-dash --sel 17 '200-not nntp\r\n'
$M $D/bytewise --flags 0x0d --sel 0x24 '200 hi\r\n211 2 1 2 g\r\n211 2 1 2 g\r\n1\r\n2\r\n.\r\n'
$M $D/reentrant --flags 0xfa --act 0x63 --sel 0x20 "$(x '220 1 <a@b>\\r\\nx\\r\\n.\\r\\n' 6)"
$M $D/free-in-block --flags 0x80 --act 0x20 --sel 8 '224 ov\r\n1\r\n2\r\n3\r\n.\r\n'
$M $D/nested-in-block --flags 0x09 --opts 2 --sel 8 '224 ov\r\n1\r\n2\r\n.\r\n224 ov\r\n3\r\n.\r\n'
$M $D/buffered-before-pp --flags 0x04 --opts 1 --sel 15 '200 hi\r\n101 caps\r\nVERSION 2\r\n.\r\n'
$M $D/newnews --sel 12 '230 list follows\r\n<a@b>\r\n<c@d>\r\n.\r\n'
$M $D/xhdr --sel 11 '221 Header follows\r\n1 Subject one\r\n2 \xe2\x80\xae reversed\r\n.\r\n'
