/*
 * Writes a set of pki outputs into a directory for tests/pki/check-tools.sh,
 * which checks them with OpenSSL's command line and strongSwan's pki:
 *
 *   root.pem root.key root.crt      root CA (RSA 2048), .crt is DER
 *   inter.pem inter.key             intermediate CA (RSA 3072, SHA-384)
 *   server.pem server.key           server, signed by root, CRL DP, 825 days
 *   server-ec.pem                   server (ECDSA P-256), signed by inter
 *   user.pem user.key               user (RSA 2048), signed by inter
 *   user-ec.pem                     user (ECDSA P-384), signed by inter
 *   ec-root.pem ec-server.pem       an all-ECDSA chain (P-521 root, SHA-512)
 *   user-modern.p12 user-legacy.p12 user + chain, password "testpass"
 *   revoked.pem                     user (RSA) signed by root, then revoked
 *
 * RSA where strongSwan's pki must read the result: without its openssl
 * plugin (Debian's libstrongswan-standard-plugins) it has no ECDSA.
 *   root.crl.pem root.crl.der       CRL of root: revoked.pem (keyCompromise)
 *   csr.pem csr.key                 CSR (RSA 2048) with SANs
 *   csr-signed.pem                  an outside-made CSR signed by root
 *   key-enc.pem                     server.key encrypted with "keypass"
 *   serial.txt                      the serial of revoked.pem
 *
 * Usage: pki_emit DIR (created if missing).  Exit status 0 on success.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pki/pki.h"

static const char	*dir;
static char		 err[512];

static void
die(const char *what)
{
	fprintf(stderr, "pki_emit: %s: %s\n", what, err);
	exit(1);
}

static void
put(const char *name, const void *data, size_t len)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "pki_emit: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void
put_str(const char *name, const char *s)
{
	put(name, s, strlen(s));
}

static struct pki_req
req(enum pki_cert_type type, enum pki_keytype key, const char *cn)
{
	struct pki_req	r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.key = key;
	r.digest = PKI_MD_SHA256;
	r.dn.cn = cn;
	r.dn.c = "DE";
	r.dn.o = "ikegw check-tools";
	return r;
}

int
main(int argc, char **argv)
{
	struct pki_san		 server_san[] = {
		{ PKI_SAN_IP, "192.0.2.1" },
		{ PKI_SAN_DNS, "vpn-alt.example.com" },
	};
	struct pki_san		 ec_san = { PKI_SAN_IP, "2001:db8::5" };
	struct pki_revoked	 rev;
	struct pki_req		 r;
	struct pki_warn		 w;
	char			*root, *rootk, *inter, *interk, *srv, *srvk;
	char			*user, *userk, *revoked, *revk, *crl, *csr, *csrk;
	char			*signed_c, *enc, *chain, *c, *k;
	char			 serial[PKI_SERIAL_HEXLEN];
	uint8_t			*der;
	size_t			 derlen, n;

	if (argc != 2) {
		fprintf(stderr, "usage: pki_emit DIR\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		perror(dir);
		return 1;
	}

	r = req(PKI_CERT_USER, PKI_KEY_RSA2048, "ikegw Check Root CA");
	if (pki_ca_create(&r, NULL, NULL, &root, &rootk, NULL, err,
	    sizeof(err)) == -1)
		die("root CA");
	put_str("root.pem", root);
	put_str("root.key", rootk);
	if (pki_cert_der(root, &der, &derlen, err, sizeof(err)) == -1)
		die("root DER");
	put("root.crt", der, derlen);
	pki_der_free(der, derlen);

	r = req(PKI_CERT_USER, PKI_KEY_RSA3072, "ikegw Check Intermediate CA");
	r.digest = PKI_MD_SHA384;
	r.crl_uri = "http://ca.example.com/root.crl";
	if (pki_ca_create(&r, root, rootk, &inter, &interk, NULL, err,
	    sizeof(err)) == -1)
		die("intermediate CA");
	put_str("inter.pem", inter);
	put_str("inter.key", interk);

	r = req(PKI_CERT_SERVER, PKI_KEY_RSA2048, "vpn.example.com");
	r.san = server_san;
	r.nsan = 2;
	r.crl_uri = "http://ca.example.com/root.crl";
	memset(&w, 0, sizeof(w));
	if (pki_cert_create(&r, root, rootk, &srv, &srvk, &w, err,
	    sizeof(err)) == -1)
		die("server");
	put_str("server.pem", srv);
	put_str("server.key", srvk);

	r = req(PKI_CERT_SERVER, PKI_KEY_EC256, "vpn6.example.com");
	r.san = &ec_san;
	r.nsan = 1;
	if (pki_cert_create(&r, inter, interk, &c, &k, NULL, err,
	    sizeof(err)) == -1)
		die("EC server");
	put_str("server-ec.pem", c);
	pki_pem_free(c);
	pki_pem_free(k);

	r = req(PKI_CERT_USER, PKI_KEY_RSA2048, "alice@example.com");
	if (pki_cert_create(&r, inter, interk, &user, &userk, NULL, err,
	    sizeof(err)) == -1)
		die("user");
	r = req(PKI_CERT_USER, PKI_KEY_EC384, "bob");
	if (pki_cert_create(&r, inter, interk, &c, &k, NULL, err,
	    sizeof(err)) == -1)
		die("EC user");
	put_str("user-ec.pem", c);
	pki_pem_free(c);
	pki_pem_free(k);
	{
		char *er, *erk;

		r = req(PKI_CERT_USER, PKI_KEY_EC521, "ikegw Check EC Root");
		r.digest = PKI_MD_SHA512;
		if (pki_ca_create(&r, NULL, NULL, &er, &erk, NULL, err,
		    sizeof(err)) == -1)
			die("EC root");
		put_str("ec-root.pem", er);
		r = req(PKI_CERT_SERVER, PKI_KEY_EC384, "ec.example.com");
		r.digest = PKI_MD_SHA512;
		if (pki_cert_create(&r, er, erk, &c, &k, NULL, err,
		    sizeof(err)) == -1)
			die("EC server under EC root");
		put_str("ec-server.pem", c);
		pki_pem_free(c);
		pki_pem_free(k);
		pki_pem_free(er);
		pki_pem_free(erk);
	}
	put_str("user.pem", user);
	put_str("user.key", userk);

	n = strlen(inter) + strlen(root) + 1;
	if ((chain = malloc(n)) == NULL)
		return 1;
	snprintf(chain, n, "%s%s", inter, root);
	if (pki_p12_export(user, userk, chain, "Alice", "testpass",
	    PKI_P12_MODERN, &der, &derlen, err, sizeof(err)) == -1)
		die("modern PKCS#12");
	put("user-modern.p12", der, derlen);
	pki_der_free(der, derlen);
	if (pki_p12_export(user, userk, chain, "Alice", "testpass",
	    PKI_P12_LEGACY, &der, &derlen, err, sizeof(err)) == -1)
		die("legacy PKCS#12");
	put("user-legacy.p12", der, derlen);
	pki_der_free(der, derlen);

	if (pki_serial_new(serial, err, sizeof(err)) == -1)
		die("serial");
	r = req(PKI_CERT_USER, PKI_KEY_RSA2048, "mallory@example.com");
	r.serial = serial;
	if (pki_cert_create(&r, root, rootk, &revoked, &revk, NULL, err,
	    sizeof(err)) == -1)
		die("revoked user");
	put_str("revoked.pem", revoked);
	put_str("serial.txt", serial);
	rev.serial = serial;
	rev.when = 0;
	rev.reason = PKI_CRL_KEY_COMPROMISE;
	if (pki_crl_create(root, rootk, &rev, 1, 5, 30, &crl, err,
	    sizeof(err)) == -1)
		die("CRL");
	put_str("root.crl.pem", crl);
	if (pki_crl_der(crl, &der, &derlen, err, sizeof(err)) == -1)
		die("CRL DER");
	put("root.crl.der", der, derlen);
	pki_der_free(der, derlen);

	r = req(PKI_CERT_SERVER, PKI_KEY_RSA2048, "csr.example.com");
	r.san = server_san;
	r.nsan = 2;
	if (pki_csr_create(&r, &csr, &csrk, err, sizeof(err)) == -1)
		die("CSR");
	put_str("csr.pem", csr);
	put_str("csr.key", csrk);
	r.san = NULL;
	r.nsan = 0;
	if (pki_csr_sign(csr, strlen(csr), &r, 1, root, rootk, &signed_c, NULL,
	    err, sizeof(err)) == -1)
		die("CSR signing");
	put_str("csr-signed.pem", signed_c);

	if (pki_key_export(srvk, "keypass", &enc, err, sizeof(err)) == -1)
		die("key export");
	put_str("key-enc.pem", enc);

	pki_pem_free(root);
	pki_pem_free(rootk);
	pki_pem_free(inter);
	pki_pem_free(interk);
	pki_pem_free(srv);
	pki_pem_free(srvk);
	pki_pem_free(user);
	pki_pem_free(userk);
	pki_pem_free(revoked);
	pki_pem_free(revk);
	pki_pem_free(crl);
	pki_pem_free(csr);
	pki_pem_free(csrk);
	pki_pem_free(signed_c);
	pki_pem_free(enc);
	free(chain);
	return 0;
}
