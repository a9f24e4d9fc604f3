#!/bin/bash
# mkcerts.sh DIR - a private CA, the servers' certificate and the "bad"
# certificates hostile tests want, made with certtool (gnutls-bin).
# Kept between runs: remade only when missing or when the good certificate
# expires within a week.
#
#   ca.pem ca-key.pem            the test CA (tests pass ca.pem as tls:ca-file)
#   server.pem server-key.pem    localhost, 127.0.0.1, ::1; signed by the CA
#   server-chain.pem             server.pem + ca.pem
#   expired.pem                  right names, CA-signed, expired in 2020
#   wronghost.pem                CA-signed for wrong.ferry.invalid only
#   selfsigned.pem               self-signed, right names
#   unknownca.pem                right names, signed by other-ca.pem (untrusted)
#   bad-key.pem                  the key of all the bad certificates
#   *.sha256                     SHA-256 fingerprint of each certificate (hex)
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"

# SHA-256 over the DER form, lowercase hex without colons.
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 |
	sed 's/^.*=//; s/://g' | tr 'A-F' 'a-f'; }

if [ -s server.pem ] && [ -s unknownca.pem ] && [ -s server.sha256 ] &&
	certtool --certificate-info --infile server.pem >/dev/null 2>&1 &&
	openssl x509 -checkend 604800 -noout -in server.pem >/dev/null 2>&1; then
	exit 0
fi
rm -f ./*.pem ./*.tmpl ./*.sha256

gen_key() { certtool --generate-privkey --key-type=rsa --bits=2048 --outfile "$1" 2>/dev/null; }

cat > ca.tmpl <<'EOF'
organization = "ferry test suite"
cn = "ferry test CA"
serial = 1
expiration_days = 3650
ca
cert_signing_key
crl_signing_key
EOF
cat > other-ca.tmpl <<'EOF'
organization = "someone else"
cn = "an unknown CA"
serial = 2
expiration_days = 3650
ca
cert_signing_key
EOF
server_tmpl() { # FILE CN SERIAL [extra lines]
	local f=$1 cn=$2 serial=$3
	shift 3
	{
		echo 'organization = "ferry test suite"'
		echo "cn = \"$cn\""
		echo "serial = $serial"
		echo 'tls_www_server'
		echo 'signing_key'
		echo 'encryption_key'
		for l in "$@"; do echo "$l"; done
	} > "$f"
}
names=('dns_name = "localhost"' 'ip_address = "127.0.0.1"' 'ip_address = "::1"')
server_tmpl server.tmpl localhost 10 'expiration_days = 3650' "${names[@]}"
server_tmpl expired.tmpl localhost 11 \
	'activation_date = "2019-01-01 00:00:00 UTC"' \
	'expiration_date = "2020-01-01 00:00:00 UTC"' "${names[@]}"
server_tmpl wronghost.tmpl wrong.ferry.invalid 12 'expiration_days = 3650' \
	'dns_name = "wrong.ferry.invalid"'
server_tmpl selfsigned.tmpl localhost 13 'expiration_days = 3650' "${names[@]}"
server_tmpl unknownca.tmpl localhost 14 'expiration_days = 3650' "${names[@]}"

gen_key ca-key.pem
gen_key other-ca-key.pem
gen_key server-key.pem
gen_key bad-key.pem
q=(--outfile)
certtool --generate-self-signed --load-privkey ca-key.pem --template ca.tmpl "${q[@]}" ca.pem 2>/dev/null
certtool --generate-self-signed --load-privkey other-ca-key.pem --template other-ca.tmpl "${q[@]}" other-ca.pem 2>/dev/null
sign() { # OUT KEY TEMPLATE CA CAKEY
	certtool --generate-certificate --load-privkey "$2" --template "$3" \
		--load-ca-certificate "$4" --load-ca-privkey "$5" --outfile "$1" 2>/dev/null
}
sign server.pem server-key.pem server.tmpl ca.pem ca-key.pem
sign expired.pem bad-key.pem expired.tmpl ca.pem ca-key.pem
sign wronghost.pem bad-key.pem wronghost.tmpl ca.pem ca-key.pem
sign unknownca.pem bad-key.pem unknownca.tmpl other-ca.pem other-ca-key.pem
certtool --generate-self-signed --load-privkey bad-key.pem --template selfsigned.tmpl "${q[@]}" selfsigned.pem 2>/dev/null
cat server.pem ca.pem > server-chain.pem

for c in ca server expired wronghost selfsigned unknownca other-ca; do
	fp "$c.pem" > "$c.sha256"
	[ -s "$c.sha256" ] || { echo "mkcerts: no fingerprint for $c.pem" >&2; exit 1; }
done
chmod 644 ./*.pem
chmod 600 ./*key.pem
certtool --verify --load-ca-certificate ca.pem --infile server.pem >/dev/null 2>&1 ||
	{ echo "mkcerts: server.pem does not verify" >&2; exit 1; }
