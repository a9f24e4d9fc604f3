#!/bin/bash
# NNTP over TLS: nntp:// uses STARTTLS when offered; `set nntp:tls require`
# insists on it; AUTHINFO after STARTTLS (also after `user`); nntps:// (and
# snews://) implicit; `tls` shows the connection's TLS, and fails in clear.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"

run_ferry 0 -d -c "open nntp://127.0.0.1:$NNTP_PORT; group ferry.test; article 1"
assert_body ferry.test 1
# Trace lines sent by ferry carry "> " before the command.
sent() { grep -Eq ">[[:space:]]*$1" "$ERR"; }
sent STARTTLS || t_fail "nntp:// with STARTTLS offered: the trace shows no STARTTLS sent"

run_ferry 0 -d -c "set nntp:tls require; open nntp://$NNTP_USER:$NNTP_PASS@127.0.0.1:$NNTP_PORT;
group $NNTP_PRIVATE_GROUP; article 2"
assert_body a.private.group 2
sent STARTTLS || t_fail "nntp:tls require: the trace shows no STARTTLS sent"
# STARTTLS must come before AUTHINFO: the password never goes in clear.
awk '/>[ \t]*STARTTLS/ && !s { s = NR } />[ \t]*AUTHINFO/ && !a { a = NR } END { exit !(s && a && s < a) }' "$ERR" ||
	t_fail "AUTHINFO was sent before STARTTLS"
! grep -qF "$NNTP_PASS" "$ERR" || t_fail "the trace shows the password"

# `user NAME PASSWORD` on an anonymous session: it logs in again (AUTHINFO
# inside TLS) and the private group opens; the trace masks the password.
run_ferry 0 -d -c "open nntp://127.0.0.1:$NNTP_PORT; user $NNTP_USER $NNTP_PASS;
group $NNTP_PRIVATE_GROUP; article 2"
assert_body a.private.group 2
awk '/>[ \t]*STARTTLS/ { s = NR } />[ \t]*AUTHINFO/ && !a { a = NR } END { exit !(s && a && s < a) }' "$ERR" ||
	t_fail "user: AUTHINFO was not sent after STARTTLS"
! grep -qF "$NNTP_PASS" "$ERR" || t_fail "user: the trace shows the password"

run_ferry 0 -c "open nntps://127.0.0.1:$NNTPS_PORT; group ferry.test; article $(msgid_of ferry.test 5); tls"
assert_body ferry.test 5
# tls: what protects the connection, the certificate's fingerprint.
grep -Eq '^protocol +TLS1\.[23]' "$OUT" || t_fail "tls: no TLS 1.2+ protocol line"
assert_out_has "ferry test suite"
assert_fingerprint "$SERVER_CERT_SHA256"
run_ferry 1 -c "set nntp:tls off; open nntp://127.0.0.1:$NNTP_PORT; tls"
assert_one_line_error "nntp:tls"
[ -s "$OUT" ] && t_fail "tls in clear printed on stdout"
run_ferry 0 -c "open snews://localhost:$NNTPS_PORT; group ferry.test; body 1"
assert_body ferry.test 1
t_pass
