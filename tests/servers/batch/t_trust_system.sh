#!/bin/bash
# The system's trust store counts besides tls:ca-file, but is read only when
# a certificate's issuer is not found otherwise (it costs about 3 MB; a user
# of tls:ca-file or a pin never pays for it).  The system store is swapped
# for the suite's CA in a private mount namespace (unshare -m), so this
# proves both: a certificate signed by a CA only the "system" knows is
# accepted even with an unrelated tls:ca-file, and a pin still decides alone.
set -e
. "$(dirname "$0")/../testlib.sh"
t_init "$@"
rm -f "$RC"

SYSTEM_STORE=/etc/ssl/certs/ca-certificates.crt
[ -f "$SYSTEM_STORE" ] || t_fail "no system trust store at $SYSTEM_STORE"
unshare -m true 2>/dev/null || t_fail "unshare -m failed: this test needs root and mount namespaces"
# ferry, with the suite's CA as the only certificate of the system store.
REAL_FERRY=$FERRY
FERRY=$W/ferry-system-ca
cat > "$FERRY" <<WRAP
#!/bin/bash
exec unshare -m bash -c 'mount --bind "\$0" $SYSTEM_STORE && exec "\$@"' "$CA_FILE" ${T_VALGRIND:+valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite} "$REAL_FERRY" "\$@"
WRAP
chmod +x "$FERRY"
T_VALGRIND=0   # the wrapper runs valgrind itself, inside the namespace

# No tls:ca-file: the "system" CA verifies the server.
run_ferry 0 --no-rc -c "open ftpes://127.0.0.1:$FTP_PORT; get hello.txt"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
# An unrelated tls:ca-file does not hide the system store: its CA fails, the
# system's is then read and verifies.
rm -f hello.txt
run_ferry 0 --no-rc -c "set tls:ca-file $OTHER_CA_FILE; open ftpes://127.0.0.1:$FTP_PORT; get hello.txt"
assert_sha hello.txt "$FTP_SAMPLE_SMALL_SHA256"
run_ferry 0 --no-rc -c "set tls:ca-file $OTHER_CA_FILE; open nntps://127.0.0.1:$NNTPS_PORT; group ferry.test; body 1"
assert_body ferry.test 1
# A pin decides alone: the system trusting the certificate does not help.
wrong=$(printf '%064d' 0)
run_ferry 5 --no-rc -c "set tls:pin $wrong; open ftpes://127.0.0.1:$FTP_PORT; ls"
assert_fingerprint "$SERVER_CERT_SHA256"

# And outside the namespace the suite's CA is unknown to the system: the
# same commands fail, so the passes above came from the swapped store.
FERRY=$REAL_FERRY
run_ferry 5 --no-rc -c "set tls:ca-file $OTHER_CA_FILE; open ftpes://127.0.0.1:$FTP_PORT; ls"
assert_fingerprint "$SERVER_CERT_SHA256"
t_pass
