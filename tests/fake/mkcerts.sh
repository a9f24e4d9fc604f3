#!/bin/sh
# mkcerts.sh DIR - make the certificates the hostile-input cases use.
#
#   ca.pem                 the test CA ferry is told to trust (tls:ca-file)
#   good.{pem,key}         signed by ca, localhost / 127.0.0.1 / ::1, valid now
#   expired.{pem,key}      signed by ca, right names, expired in 2020
#   wronghost.{pem,key}    signed by ca, valid now, only "wrong.example"
#   selfsigned.{pem,key}   self-signed, right names, valid now
#   unknownca.{pem,key}    signed by othca (never trusted), right names
#   clientonly.{pem,key}   signed by ca, right names, valid now, but its
#                          extended key usage allows only TLS clients
#   noeku.{pem,key}        signed by ca, right names, valid now, without
#                          any extended key usage (good for every purpose)
#
# ECDSA P-256 keys: fast to make.  Needs certtool (gnutls-bin).
set -eu
dir=$1
CERTTOOL=${CERTTOOL:-certtool}
mkdir -p "$dir"
cd "$dir"
rm -f ./*.pem ./*.key ./*.tmpl stamp

key() { "$CERTTOOL" --generate-privkey --key-type=ecdsa --curve=secp256r1 \
        --outfile "$1.key" >/dev/null 2>&1; }

# CAs
for ca in ca othca; do
	key "$ca"
	cat >"$ca.tmpl" <<EOF
cn = "ferry test $ca"
ca
cert_signing_key
crl_signing_key
expiration_days = 3650
EOF
	"$CERTTOOL" --generate-self-signed --load-privkey "$ca.key" \
		--template "$ca.tmpl" --outfile "$ca.pem" >/dev/null 2>&1
done

# leaf NAME SIGNER(ca|othca|self) EXTRA-TEMPLATE-LINES [PURPOSE]
# PURPOSE is the certtool key-purpose line, tls_www_server by default;
# an empty one leaves the extended key usage out.
leaf() {
	name=$1 signer=$2 extra=$3 purpose=${4-tls_www_server}
	key "$name"
	{
		echo "cn = \"$name test server\""
		[ -z "$purpose" ] || echo "$purpose"
		echo "signing_key"
		echo "encryption_key"
		printf '%s\n' "$extra"
	} >"$name.tmpl"
	if [ "$signer" = self ]; then
		"$CERTTOOL" --generate-self-signed --load-privkey "$name.key" \
			--template "$name.tmpl" --outfile "$name.pem" >/dev/null 2>&1
	else
		"$CERTTOOL" --generate-certificate --load-privkey "$name.key" \
			--load-ca-certificate "$signer.pem" --load-ca-privkey "$signer.key" \
			--template "$name.tmpl" --outfile "$name.pem" >/dev/null 2>&1
	fi
}

names='dns_name = "localhost"
ip_address = "127.0.0.1"
ip_address = "::1"'

leaf good ca "$names
expiration_days = 3650"
leaf expired ca "$names
activation_date = \"2018-01-01 00:00:00 UTC\"
expiration_date = \"2020-01-01 00:00:00 UTC\""
leaf wronghost ca 'dns_name = "wrong.example"
expiration_days = 3650'
leaf selfsigned self "$names
expiration_days = 3650"
leaf unknownca othca "$names
expiration_days = 3650"
leaf clientonly ca "$names
expiration_days = 3650" tls_www_client
leaf noeku ca "$names
expiration_days = 3650" ""

rm -f ./*.tmpl othca.key ca.key
touch stamp
