#!/usr/bin/env bash
# Checks what pki/ produces with independent tools: OpenSSL's command line
# (verify, x509, pkcs12, crl, req, pkey) and strongSwan's pki (print,
# verify).  tests/pki/pki_emit.c writes the artifacts; this script builds it
# against $B/lib/libikegw_pki.a (B=build by default), runs it into a
# temporary directory and checks every file.  Exit status is non-zero when
# any check fails.
#
# strongSwan's pki reads ECDSA only with its openssl plugin (Debian package
# libstrongswan-standard-plugins); without it the ECDSA checks of pki are
# skipped and said so.  OpenSSL checks every key type.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
B=${B:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pki-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

checks=0
fails=0

pass() {
	checks=$((checks + 1))
	printf '  ok    %s\n' "$1"
}

fail() {
	checks=$((checks + 1))
	fails=$((fails + 1))
	printf '  FAIL  %s\n' "$1"
	if [ -n "${2:-}" ]; then
		printf '%s\n' "$2" | head -20 | sed 's/^/        /'
	fi
}

# ok NAME CMD...            the command succeeds
ok() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

# has NAME ERE CMD...       the command succeeds and its output matches ERE
has() {
	local name=$1 re=$2 out
	shift 2
	if out=$("$@" 2>&1) && grep -Eq -- "$re" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "wanted /$re/ in:
$out"
	fi
}

# refuses NAME ERE CMD...   the command fails and its output matches ERE
refuses() {
	local name=$1 re=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$name" "succeeded, should have failed:
$out"
	elif grep -Eq -- "$re" <<<"$out"; then
		pass "$name"
	else
		fail "$name" "failed without /$re/:
$out"
	fi
}

# equal NAME A B            two strings are equal
equal() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "'$2' != '$3'"; fi
}

# Lifetime of a certificate in whole days.
days_of() {
	local s e
	s=$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)
	e=$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)
	echo $(( ($(date -ud "$e" +%s) - $(date -ud "$s" +%s)) / 86400 ))
}

# The text of one extension block of `openssl x509 -text` (header + values).
ext() {
	openssl x509 -in "$1" -noout -text |
	    awk -v h="$2" 'index($0, h) { p = 1; print; next }
	        p && /^ {12}X509v3|^ {4}Signature/ { exit }
	        p { print }'
}

# strongSwan's pki without its plugin-load chatter.
sspki() {
	pki "$@" 2> >(grep -v "^plugin '" >&2)
}

echo "=== building pki_emit"
make -s --no-print-directory B="$B" "$B/tests/pki/pki_emit"
"$B/tests/pki/pki_emit" "$tmp/out"
cd "$tmp/out"

echo "=== openssl verify"
has "root CA verifies itself" ': OK$' openssl verify -CAfile root.pem root.pem
has "server under root (purpose sslserver)" '^server.pem: OK$' \
    openssl verify -CAfile root.pem -purpose sslserver server.pem
has "user under intermediate (-untrusted, purpose sslclient)" '^user.pem: OK$' \
    openssl verify -CAfile root.pem -untrusted inter.pem -purpose sslclient user.pem
has "EC user under intermediate" '^user-ec.pem: OK$' \
    openssl verify -CAfile root.pem -untrusted inter.pem -purpose sslclient user-ec.pem
has "EC server under intermediate" '^server-ec.pem: OK$' \
    openssl verify -CAfile root.pem -untrusted inter.pem -purpose sslserver server-ec.pem
has "EC server under EC root (P-521, SHA-512)" '^ec-server.pem: OK$' \
    openssl verify -CAfile ec-root.pem -purpose sslserver ec-server.pem
has "certificate signed from a CSR" '^csr-signed.pem: OK$' \
    openssl verify -CAfile root.pem csr-signed.pem
refuses "user without its intermediate is refused" 'unable to get local issuer' \
    openssl verify -CAfile root.pem user.pem
refuses "server against the wrong CA is refused" 'unable to get local issuer' \
    openssl verify -CAfile ec-root.pem server.pem
has "server passes the CRL check" '^server.pem: OK$' \
    openssl verify -crl_check -CRLfile root.crl.pem -CAfile root.pem server.pem
refuses "revoked certificate fails the CRL check" 'certificate revoked' \
    openssl verify -crl_check -CRLfile root.crl.pem -CAfile root.pem revoked.pem

echo "=== openssl x509 -text"
has "root: basicConstraints critical CA:TRUE" 'critical' ext root.pem "Basic Constraints"
has "root: CA:TRUE" 'CA:TRUE' ext root.pem "Basic Constraints"
has "root: keyUsage critical" 'Key Usage: critical' ext root.pem "X509v3 Key Usage"
has "root: keyCertSign + cRLSign only" '^ +Certificate Sign, CRL Sign$' ext root.pem "X509v3 Key Usage"
has "root: SKI" 'Subject Key Identifier' openssl x509 -in root.pem -noout -text
has "root: AKI" 'Authority Key Identifier' openssl x509 -in root.pem -noout -text
has "server: basicConstraints critical CA:FALSE" 'CA:FALSE' ext server.pem "Basic Constraints: critical"
has "server: keyUsage critical digitalSignature+keyEncipherment" \
    '^ +Digital Signature, Key Encipherment$' ext server.pem "Key Usage: critical"
has "server: EKU serverAuth + ikeIntermediate" \
    '^ +TLS Web Server Authentication, 1\.3\.6\.1\.5\.5\.8\.2\.2$' ext server.pem "Extended Key Usage"
has "server: SANs (CN, IP, IP as DNS, extra DNS)" \
    '^ +DNS:vpn\.example\.com, IP Address:192\.0\.2\.1, DNS:192\.0\.2\.1, DNS:vpn-alt\.example\.com$' \
    ext server.pem "Subject Alternative Name"
has "server: CRL distribution point" 'URI:http://ca\.example\.com/root\.crl' \
    ext server.pem "CRL Distribution Points"
has "server-ec: keyUsage digitalSignature only (RFC 5480)" '^ +Digital Signature$' \
    ext server-ec.pem "Key Usage: critical"
has "server-ec: IPv6 SAN and its DNS copy" 'IP Address:2001:DB8:0:0:0:0:0:5, DNS:2001:db8::5' \
    ext server-ec.pem "Subject Alternative Name"
has "user: EKU clientAuth" '^ +TLS Web Client Authentication$' ext user.pem "Extended Key Usage"
has "user: e-mail CN became rfc822Name" 'email:alice@example\.com' ext user.pem "Subject Alternative Name"
has "user-ec: host-like CN became dNSName" 'DNS:bob$' ext user-ec.pem "Subject Alternative Name"
has "intermediate signed with SHA-384" 'Signature Algorithm: sha384WithRSAEncryption' \
    openssl x509 -in inter.pem -noout -text
has "EC server signed with ECDSA SHA-512" 'Signature Algorithm: ecdsa-with-SHA512' \
    openssl x509 -in ec-server.pem -noout -text
has "EC root key is P-521" 'NIST CURVE: P-521' openssl x509 -in ec-root.pem -noout -text
root_ski=$(openssl x509 -in root.pem -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
srv_aki=$(openssl x509 -in server.pem -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' ')
equal "server AKI is the root's SKI" "${srv_aki#keyid:}" "$root_ski"
equal "root lifetime 3650 days" "$(days_of root.pem)" 3650
equal "server lifetime 825 days" "$(days_of server.pem)" 825
equal "user lifetime 365 days" "$(days_of user.pem)" 365
serial=$(openssl x509 -in revoked.pem -noout -serial | cut -d= -f2)
equal "serial as pki_serial_new gave it" "$serial" "$(cat serial.txt)"
if [ ${#serial} -le 32 ] && [[ $serial =~ ^[0-7] || ${#serial} -lt 32 ]]; then
	pass "serial: at most 16 octets, positive"
else
	fail "serial: at most 16 octets, positive" "$serial"
fi
equal "root.crt is the DER of root.pem" \
    "$(openssl x509 -inform DER -in root.crt -outform PEM)" "$(cat root.pem)"

echo "=== openssl pkcs12"
has "modern: SHA-256 MAC, 2048 iterations" 'MAC: sha256, Iteration 2048' \
    openssl pkcs12 -info -nokeys -in user-modern.p12 -passin pass:testpass
has "modern: certificates PBES2/PBKDF2/AES-256-CBC" \
    'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256' \
    openssl pkcs12 -info -nokeys -in user-modern.p12 -passin pass:testpass
has "modern: key PBES2/PBKDF2/AES-256-CBC" \
    'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256' \
    openssl pkcs12 -info -nokeys -in user-modern.p12 -passin pass:testpass
has "modern: friendly name" 'friendlyName: Alice' \
    openssl pkcs12 -info -nokeys -in user-modern.p12 -passin pass:testpass
ncert=$(openssl pkcs12 -info -nokeys -in user-modern.p12 -passin pass:testpass 2>&1 |
    grep -c '^Certificate bag$' || true)
equal "modern: user + intermediate + root" "$ncert" 3
has "legacy (-legacy): SHA-1 MAC" 'MAC: sha1, Iteration 2048' \
    openssl pkcs12 -legacy -info -nokeys -in user-legacy.p12 -passin pass:testpass
has "legacy: certificates 3DES" 'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048' \
    openssl pkcs12 -legacy -info -nokeys -in user-legacy.p12 -passin pass:testpass
has "legacy: key 3DES" 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048' \
    openssl pkcs12 -legacy -info -nokeys -in user-legacy.p12 -passin pass:testpass
has "legacy reads without -legacy too (no RC2 inside)" 'MAC: sha1' \
    openssl pkcs12 -info -nokeys -in user-legacy.p12 -passin pass:testpass
refuses "modern: wrong password refused" 'Mac verify error' \
    openssl pkcs12 -info -nokeys -in user-modern.p12 -passin pass:nottest
refuses "legacy: wrong password refused" 'Mac verify error' \
    openssl pkcs12 -legacy -info -nokeys -in user-legacy.p12 -passin pass:nottest
equal "modern: holds user.key" \
    "$(openssl pkcs12 -in user-modern.p12 -passin pass:testpass -nocerts -nodes 2>/dev/null | openssl pkey)" \
    "$(openssl pkey -in user.key)"
equal "legacy: holds user.key" \
    "$(openssl pkcs12 -legacy -in user-legacy.p12 -passin pass:testpass -nocerts -nodes 2>/dev/null | openssl pkey)" \
    "$(openssl pkey -in user.key)"

echo "=== openssl crl"
has "CRL (PEM) verifies against root" 'verify OK' \
    openssl crl -in root.crl.pem -CAfile root.pem -verify -noout
has "CRL (DER) verifies against root" 'verify OK' \
    openssl crl -inform DER -in root.crl.der -CAfile root.pem -verify -noout
refuses "CRL against another CA is refused" 'verify fail|unable to get issuer|Error getting CRL issuer' \
    openssl crl -in root.crl.pem -CAfile ec-root.pem -verify -noout
has "CRL lists the revoked serial" "Serial Number: $serial" \
    openssl crl -in root.crl.pem -noout -text
has "CRL entry reason keyCompromise" 'Key Compromise' openssl crl -in root.crl.pem -noout -text
has "CRL number 5" 'X509v3 CRL Number: *$' openssl crl -in root.crl.pem -noout -text
has "CRL number value" '^ +5$' openssl crl -in root.crl.pem -noout -text
has "CRL has AKI" 'Authority Key Identifier' openssl crl -in root.crl.pem -noout -text
has "CRL signed with SHA-256" 'Signature Algorithm: sha256WithRSAEncryption' \
    openssl crl -in root.crl.pem -noout -text
has "CRL is v2" 'Version 2' openssl crl -in root.crl.pem -noout -text

echo "=== openssl req / pkey"
has "CSR self-signature verifies" 'verify OK' openssl req -in csr.pem -verify -noout
has "CSR asks for the SANs" 'DNS:csr\.example\.com, IP Address:192\.0\.2\.1, DNS:192\.0\.2\.1, DNS:vpn-alt\.example\.com' \
    openssl req -in csr.pem -noout -text
has "CSR-signed certificate keeps the SANs" 'DNS:csr\.example\.com, IP Address:192\.0\.2\.1' \
    ext csr-signed.pem "Subject Alternative Name"
equal "CSR-signed certificate is for csr.key" \
    "$(openssl x509 -in csr-signed.pem -noout -pubkey)" "$(openssl pkey -in csr.key -pubout)"
ok "encrypted key opens with its passphrase" \
    openssl pkey -in key-enc.pem -passin pass:keypass -noout
refuses "encrypted key refuses a wrong passphrase" 'bad decrypt|unable to load|error' \
    openssl pkey -in key-enc.pem -passin pass:wrong -noout
has "encrypted key is AES-256-CBC" 'aes-256-cbc' openssl asn1parse -in key-enc.pem
has "encrypted key uses PBKDF2 with HMAC-SHA256" 'hmacWithSHA256' openssl asn1parse -in key-enc.pem
equal "encrypted key is server.key" \
    "$(openssl pkey -in key-enc.pem -passin pass:keypass)" "$(openssl pkey -in server.key)"
has "keys are unencrypted PKCS#8" '^-----BEGIN PRIVATE KEY-----$' cat server.key

echo "=== strongSwan pki"
if ! command -v pki >/dev/null; then
	fail "strongSwan pki is installed (package strongswan-pki)"
else
	has "pki --print server: SANs" 'altNames: +vpn\.example\.com, 192\.0\.2\.1, 192\.0\.2\.1, vpn-alt\.example\.com' \
	    sspki --print --in server.pem
	has "pki --print server: serverAuth ikeIntermediate" 'flags: +serverAuth ikeIntermediate' \
	    sspki --print --in server.pem
	has "pki --print server: CRL URI" 'CRL URIs: +http://ca\.example\.com/root\.crl' \
	    sspki --print --in server.pem
	has "pki --print root: CA CRLSign self-signed" 'flags: +CA CRLSign self-signed' \
	    sspki --print --in root.pem
	has "pki --print user: clientAuth" 'flags: +clientAuth' sspki --print --in user.pem
	has "pki --print CRL: revoked entry" 'key compromise' \
	    sspki --print --type crl --in root.crl.der
	has "pki --verify server against root" 'certificate trusted, lifetimes valid' \
	    sspki --verify --in server.pem --cacert root.pem
	has "pki --verify user through the intermediate" 'certificate trusted, lifetimes valid' \
	    sspki --verify --in user.pem --cacert inter.pem --cacert root.pem
	has "pki --verify CSR-signed certificate" 'certificate trusted, lifetimes valid' \
	    sspki --verify --in csr-signed.pem --cacert root.pem
	refuses "pki --verify server against the wrong CA" 'certificate untrusted' \
	    sspki --verify --in server.pem --cacert inter.pem
	refuses "pki --verify revoked certificate with the CRL" 'revoked' \
	    sspki --verify --in revoked.pem --cacert root.pem --crl root.crl.der
	if pki --print --in ec-root.pem >/dev/null 2>&1; then
		has "pki --verify EC server under EC root" 'certificate trusted, lifetimes valid' \
		    sspki --verify --in ec-server.pem --cacert ec-root.pem
		has "pki --verify EC user through the intermediate" 'certificate trusted, lifetimes valid' \
		    sspki --verify --in user-ec.pem --cacert inter.pem --cacert root.pem
		has "pki --print EC server" 'pubkey: +ECDSA 384 bits' sspki --print --in ec-server.pem
	else
		echo "  skip  ECDSA checks of strongSwan's pki (no openssl plugin:" \
		    "install libstrongswan-standard-plugins)"
	fi
fi

echo
echo "=== $checks checks, $fails failed"
[ "$fails" -eq 0 ]
