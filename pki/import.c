/*
 * The one importer for uploaded certificates, keys, CSRs, CRLs and PKCS#12
 * files (STYLE.md: one way in per input kind; fuzzed by
 * tests/fuzz/fuzz_pki_import.c).  Every other function of the certificate
 * manager reads untrusted bytes through pkix_load().
 *
 * Detection: input containing "-----BEGIN " is PEM; every block is read
 * and dispatched on its label, and text around the blocks is skipped (as
 * in files that `openssl pkcs12` prints).  Anything else is DER, tried as
 * certificate, CRL, CSR, PKCS#12, PKCS#7 (certificates only), encrypted
 * PKCS#8 and plain private key, in that order; a DER object must use the
 * whole input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>

#include "pki_internal.h"

/*
 * PKCS#12 MAC iteration counts above this are refused: the MAC is checked
 * before anything else and its count comes from the file.  Real files use
 * 1 to 100000 (OpenSSL 2048, Windows 2000).  The fuzzer gets a small bound
 * so that it spends its time on parsing rather than on PBKDF.
 */
#ifdef IKEGW_FUZZ
#define PKIX_P12_MAX_ITER	4096
#else
#define PKIX_P12_MAX_ITER	1000000
#endif

struct pwctx {
	const char	*pass;
	int		 asked;
};

static int
pw_cb(char *buf, int size, int rwflag, void *u)
{
	struct pwctx	*pw = u;
	size_t		 n;

	pw->asked = 1;
	if (pw->pass == NULL || size <= 0)
		return -1;
	n = strlen(pw->pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pw->pass, n);
	return (int)n;
}

void
pkix_objs_free(struct pkix_objs *o)
{
	if (o == NULL)
		return;
	sk_X509_pop_free(o->certs, X509_free);
	EVP_PKEY_free(o->key);
	X509_REQ_free(o->csr);
	X509_CRL_free(o->crl);
	memset(o, 0, sizeof(*o));
}

static int
add_cert(struct pkix_objs *o, X509 *x, char *err, size_t errlen)
{
	if (sk_X509_num(o->certs) >= PKIX_MAX_CERTS) {
		X509_free(x);
		return pkix_err(err, errlen, "too many certificates (at most %d)",
		    PKIX_MAX_CERTS);
	}
	if (!sk_X509_push(o->certs, x)) {
		X509_free(x);
		return pkix_err(err, errlen, "out of memory");
	}
	return 0;
}

static int
set_key(struct pkix_objs *o, EVP_PKEY *k, char *err, size_t errlen)
{
	if (o->key != NULL) {
		EVP_PKEY_free(k);
		return pkix_err(err, errlen, "more than one private key in the "
		    "input");
	}
	o->key = k;
	return 0;
}

/* Certificates of a PKCS#7 signedData (a .p7b chain). */
static int
add_p7(struct pkix_objs *o, PKCS7 *p7, char *err, size_t errlen)
{
	STACK_OF(X509)	*sk = NULL;
	int		 i;

	if (PKCS7_type_is_signed(p7) && p7->d.sign != NULL)
		sk = p7->d.sign->cert;
	if (sk == NULL || sk_X509_num(sk) == 0)
		return pkix_err(err, errlen, "the PKCS#7 file holds no "
		    "certificates");
	for (i = 0; i < sk_X509_num(sk); i++) {
		X509 *x = sk_X509_value(sk, i);

		if (!X509_up_ref(x))
			return pkix_err(err, errlen, "out of memory");
		if (add_cert(o, x, err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* The key of one PEM block (any private key label), via OpenSSL's decoder
   so that every format and the legacy Proc-Type encryption work. */
static int
pem_key(struct pkix_objs *o, const char *name, const char *header,
    const unsigned char *data, long dlen, const char *pass, char *err,
    size_t errlen)
{
	BIO		*bio;
	EVP_PKEY	*k = NULL;
	struct pwctx	 pw = { pass, 0 };
	int		 rc = -1;

	if ((bio = BIO_new(BIO_s_secmem())) == NULL)
		return pkix_err(err, errlen, "out of memory");
	if (!PEM_write_bio(bio, name, header, data, dlen)) {
		pkix_err_ssl(err, errlen, "cannot read the private key");
		goto done;
	}
	k = PEM_read_bio_PrivateKey_ex(bio, NULL, pw_cb, &pw, NULL, NULL);
	if (k == NULL) {
		if (pw.asked && pass == NULL)
			pkix_err(err, errlen, "the private key is encrypted; its "
			    "passphrase is needed");
		else if (pw.asked)
			pkix_err(err, errlen, "wrong passphrase for the private "
			    "key (or the key is damaged)");
		else
			pkix_err_ssl(err, errlen, "cannot parse the private key");
		goto done;
	}
	rc = set_key(o, k, err, errlen);
done:
	BIO_free(bio);
	return rc;
}

static int
pem_block(struct pkix_objs *o, const char *name, const char *header,
    const unsigned char *data, long dlen, const char *pass, char *err,
    size_t errlen)
{
	const unsigned char	*p = data;
	X509			*x;
	PKCS7			*p7;
	int			 rc;

	if (strcmp(name, PEM_STRING_X509) == 0 ||
	    strcmp(name, PEM_STRING_X509_OLD) == 0 ||
	    strcmp(name, PEM_STRING_X509_TRUSTED) == 0) {
		if (strcmp(name, PEM_STRING_X509_TRUSTED) == 0)
			x = d2i_X509_AUX(NULL, &p, dlen);
		else
			x = d2i_X509(NULL, &p, dlen);
		if (x == NULL || p != data + dlen) {
			X509_free(x);
			return pkix_err_ssl(err, errlen, "cannot parse the "
			    "certificate (PEM block %d)", sk_X509_num(o->certs)
			    + 1);
		}
		return add_cert(o, x, err, errlen);
	}
	if (strcmp(name, PEM_STRING_X509_CRL) == 0) {
		if (o->crl != NULL)
			return pkix_err(err, errlen, "more than one CRL in the "
			    "input");
		o->crl = d2i_X509_CRL(NULL, &p, dlen);
		if (o->crl == NULL || p != data + dlen)
			return pkix_err_ssl(err, errlen, "cannot parse the CRL");
		return 0;
	}
	if (strcmp(name, PEM_STRING_X509_REQ) == 0 ||
	    strcmp(name, PEM_STRING_X509_REQ_OLD) == 0) {
		if (o->csr != NULL)
			return pkix_err(err, errlen, "more than one CSR in the "
			    "input");
		o->csr = d2i_X509_REQ(NULL, &p, dlen);
		if (o->csr == NULL || p != data + dlen)
			return pkix_err_ssl(err, errlen, "cannot parse the CSR");
		return 0;
	}
	if (strcmp(name, PEM_STRING_PKCS8INF) == 0 ||
	    strcmp(name, PEM_STRING_PKCS8) == 0 ||
	    strcmp(name, PEM_STRING_RSA) == 0 ||
	    strcmp(name, PEM_STRING_ECPRIVATEKEY) == 0)
		return pem_key(o, name, header, data, dlen, pass, err, errlen);
	if (strcmp(name, PEM_STRING_PKCS7) == 0) {
		p7 = d2i_PKCS7(NULL, &p, dlen);
		if (p7 == NULL || p != data + dlen) {
			PKCS7_free(p7);
			return pkix_err_ssl(err, errlen, "cannot parse the PKCS#7 "
			    "file");
		}
		rc = add_p7(o, p7, err, errlen);
		PKCS7_free(p7);
		return rc;
	}
	if (strcmp(name, PEM_STRING_ECPARAMETERS) == 0)
		return 0;	/* `openssl ecparam -genkey` writes these first */
	if (strcmp(name, PEM_STRING_PUBLIC) == 0 ||
	    strcmp(name, PEM_STRING_RSA_PUBLIC) == 0)
		return pkix_err(err, errlen, "a public key alone cannot be "
		    "imported; a certificate or private key is needed");
	if (strcmp(name, "OPENSSH PRIVATE KEY") == 0)
		return pkix_err(err, errlen, "OpenSSH private keys are not "
		    "supported; use PKCS#8 PEM");
	return pkix_err(err, errlen, "unsupported PEM block \"%.40s\"", name);
}

static int
load_pem(const void *buf, size_t len, const char *pass, struct pkix_objs *o,
    char *err, size_t errlen)
{
	BIO		*bio;
	char		*name, *header;
	unsigned char	*data;
	long		 dlen;
	unsigned long	 e;
	int		 nblocks = 0, rc = -1, r;

	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		return pkix_err(err, errlen, "out of memory");
	for (;;) {
		name = header = NULL;
		data = NULL;
		dlen = 0;
		ERR_clear_error();
		if (!PEM_read_bio(bio, &name, &header, &data, &dlen)) {
			e = ERR_peek_last_error();
			if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
			    ERR_GET_REASON(e) == PEM_R_NO_START_LINE &&
			    nblocks > 0) {
				ERR_clear_error();
				break;	/* no more blocks */
			}
			pkix_err_ssl(err, errlen, "malformed or truncated PEM "
			    "(block %d)", nblocks + 1);
			goto done;
		}
		nblocks++;
		r = pem_block(o, name, header, data, dlen, pass, err, errlen);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(data, (size_t)dlen);
		if (r == -1)
			goto done;
	}
	rc = 0;
done:
	BIO_free(bio);
	return rc;
}

static int
load_p12(PKCS12 *p12, const char *pass, struct pkix_objs *o, char *err,
    size_t errlen)
{
	const ASN1_INTEGER	*iter = NULL;
	const char		*pw = pass != NULL ? pass : "";
	EVP_PKEY		*key = NULL;
	X509			*cert = NULL;
	STACK_OF(X509)		*ca = NULL;
	unsigned long		 e;
	int			 i, rc = -1;

	if (!PKCS12_mac_present(p12))
		return pkix_err(err, errlen, "the PKCS#12 file has no integrity "
		    "MAC; refusing it");
	PKCS12_get0_mac(NULL, NULL, NULL, &iter, p12);
	if (iter != NULL && (ASN1_INTEGER_get(iter) < 1 ||
	    ASN1_INTEGER_get(iter) > PKIX_P12_MAX_ITER))
		return pkix_err(err, errlen, "the PKCS#12 file has an unusable "
		    "MAC iteration count");
	if (!PKCS12_verify_mac(p12, pw, -1)) {
		e = ERR_peek_last_error();
		ERR_clear_error();
		/* An empty password may mean "no password" (NULL) too. */
		if (pw[0] == '\0' && PKCS12_verify_mac(p12, NULL, 0))
			pw = NULL;
		else if (ERR_GET_REASON(e) == PKCS12_R_MAC_VERIFY_FAILURE ||
		    e == 0)
			return pkix_err(err, errlen, "wrong password for the "
			    "PKCS#12 file");
		else
			return pkix_err(err, errlen, "cannot check the PKCS#12 "
			    "file's MAC (%s)", ERR_reason_error_string(e) ?
			    ERR_reason_error_string(e) : "unknown error");
	}
	if (!PKCS12_parse(p12, pw, &key, &cert, &ca)) {
		if (!pkix_legacy_available())
			pkix_err_ssl(err, errlen, "cannot decrypt the PKCS#12 "
			    "contents (a legacy algorithm such as RC2 needs "
			    "OpenSSL's legacy provider, which is missing)");
		else
			pkix_err_ssl(err, errlen, "cannot decrypt the PKCS#12 "
			    "contents");
		goto done;
	}
	o->from_p12 = 1;
	if (cert != NULL) {
		if (add_cert(o, cert, err, errlen) == -1) {
			cert = NULL;
			goto done;
		}
		cert = NULL;
	}
	for (i = 0; ca != NULL && i < sk_X509_num(ca); i++) {
		X509 *x = sk_X509_value(ca, i);

		if (!X509_up_ref(x)) {
			pkix_err(err, errlen, "out of memory");
			goto done;
		}
		if (add_cert(o, x, err, errlen) == -1)
			goto done;
	}
	if (key != NULL) {
		if (set_key(o, key, err, errlen) == -1) {
			key = NULL;
			goto done;
		}
		key = NULL;
	}
	rc = 0;
done:
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	return rc;
}

static int
load_der(const unsigned char *buf, size_t len, const char *pass,
    struct pkix_objs *o, char *err, size_t errlen)
{
	const unsigned char	*p;
	const unsigned char	*end = buf + len;
	long			 l = (long)len;
	X509			*x;
	PKCS12			*p12;
	PKCS7			*p7;
	X509_SIG		*sig;
	PKCS8_PRIV_KEY_INFO	*inf;
	EVP_PKEY		*k;
	int			 rc;

	p = buf;
	if ((x = d2i_X509(NULL, &p, l)) != NULL) {
		if (p == end)
			return add_cert(o, x, err, errlen);
		X509_free(x);
		return pkix_err(err, errlen, "trailing data after the DER "
		    "certificate");
	}
	p = buf;
	if ((o->crl = d2i_X509_CRL(NULL, &p, l)) != NULL) {
		if (p == end)
			return 0;
		return pkix_err(err, errlen, "trailing data after the DER CRL");
	}
	p = buf;
	if ((o->csr = d2i_X509_REQ(NULL, &p, l)) != NULL) {
		if (p == end)
			return 0;
		return pkix_err(err, errlen, "trailing data after the DER CSR");
	}
	p = buf;
	if ((p12 = d2i_PKCS12(NULL, &p, l)) != NULL) {
		ERR_clear_error();
		if (p == end)
			rc = load_p12(p12, pass, o, err, errlen);
		else
			rc = pkix_err(err, errlen, "trailing data after the "
			    "PKCS#12 file");
		PKCS12_free(p12);
		return rc;
	}
	p = buf;
	if ((p7 = d2i_PKCS7(NULL, &p, l)) != NULL) {
		if (p == end)
			rc = add_p7(o, p7, err, errlen);
		else
			rc = pkix_err(err, errlen, "trailing data after the "
			    "PKCS#7 file");
		PKCS7_free(p7);
		return rc;
	}
	p = buf;
	if ((sig = d2i_X509_SIG(NULL, &p, l)) != NULL && p == end) {
		if (pass == NULL) {
			X509_SIG_free(sig);
			return pkix_err(err, errlen, "the private key is "
			    "encrypted; its passphrase is needed");
		}
		inf = PKCS8_decrypt_ex(sig, pass, (int)strlen(pass), NULL,
		    NULL);
		X509_SIG_free(sig);
		if (inf == NULL)
			return pkix_err(err, errlen, "wrong passphrase for the "
			    "private key (or the key is damaged)");
		k = EVP_PKCS82PKEY_ex(inf, NULL, NULL);
		PKCS8_PRIV_KEY_INFO_free(inf);
		if (k == NULL)
			return pkix_err_ssl(err, errlen, "cannot parse the "
			    "private key");
		return set_key(o, k, err, errlen);
	}
	X509_SIG_free(sig);
	p = buf;
	if ((k = d2i_AutoPrivateKey_ex(NULL, &p, l, NULL, NULL)) != NULL) {
		if (p == end)
			return set_key(o, k, err, errlen);
		EVP_PKEY_free(k);
		return pkix_err(err, errlen, "trailing data after the DER "
		    "private key");
	}
	return pkix_err(err, errlen, "not a certificate, private key, CSR, CRL "
	    "or PKCS#12 file (neither PEM nor DER)");
}

int
pkix_load(const void *buf, size_t len, const char *pass, struct pkix_objs *o,
    char *err, size_t errlen)
{
	int	rc;

	memset(o, 0, sizeof(*o));
	pkix_init();
	if (buf == NULL || len == 0)
		return pkix_err(err, errlen, "the input is empty");
	if (len > PKIX_MAX_INPUT)
		return pkix_err(err, errlen, "the input is too large (%zu bytes; "
		    "at most %u)", len, PKIX_MAX_INPUT);
	if ((o->certs = sk_X509_new_null()) == NULL)
		return pkix_err(err, errlen, "out of memory");
	if (memmem(buf, len, "-----BEGIN ", 11) != NULL)
		rc = load_pem(buf, len, pass, o, err, errlen);
	else
		rc = load_der(buf, len, pass, o, err, errlen);
	if (rc == 0 && sk_X509_num(o->certs) == 0 && o->key == NULL &&
	    o->csr == NULL && o->crl == NULL)
		rc = pkix_err(err, errlen, "nothing usable found in the input");
	if (rc == -1)
		pkix_objs_free(o);
	ERR_clear_error();
	return rc;
}

int
pkix_load_with_key(const void *buf, size_t len, const void *key,
    size_t keylen, const char *pass, const char *two_keys,
    struct pkix_objs *o, char *err, size_t errlen)
{
	struct pkix_objs	ko;

	if (pkix_load(buf, len, pass, o, err, errlen) == -1)
		return -1;
	if (key != NULL && keylen > 0) {
		if (pkix_load(key, keylen, pass, &ko, err, errlen) == -1)
			goto fail;
		if (ko.key == NULL) {
			pkix_err(err, errlen, "no private key found in the key "
			    "file");
			pkix_objs_free(&ko);
			goto fail;
		}
		if (o->key != NULL) {
			pkix_err(err, errlen, "%s", two_keys);
			pkix_objs_free(&ko);
			goto fail;
		}
		o->key = ko.key;
		ko.key = NULL;
		pkix_objs_free(&ko);
	}
	if (sk_X509_num(o->certs) == 0) {
		pkix_err(err, errlen, "no certificate found");
		goto fail;
	}
	return 0;
fail:
	pkix_objs_free(o);
	return -1;
}

void
pki_bundle_free(struct pki_bundle *b)
{
	if (b == NULL)
		return;
	pki_pem_free(b->certs);
	pki_pem_free(b->key);
	pki_pem_free(b->csr);
	pki_pem_free(b->crl);
	memset(b, 0, sizeof(*b));
}

int
pki_import(const void *buf, size_t len, const char *pass,
    struct pki_bundle *out, char *err, size_t errlen)
{
	struct pkix_objs	o;
	int			rc = -1;

	memset(out, 0, sizeof(*out));
	if (pkix_load(buf, len, pass, &o, err, errlen) == -1)
		return -1;
	if (pkix_certs_pem(o.certs, 0, &out->certs, err, errlen) == -1)
		goto done;
	out->ncerts = (size_t)sk_X509_num(o.certs);
	if (o.key != NULL &&
	    pkix_key_pem(o.key, NULL, &out->key, err, errlen) == -1)
		goto done;
	if (o.csr != NULL && pkix_csr_pem(o.csr, &out->csr, err, errlen) == -1)
		goto done;
	if (o.crl != NULL && pkix_crl_pem(o.crl, &out->crl, err, errlen) == -1)
		goto done;
	rc = 0;
done:
	if (rc == -1)
		pki_bundle_free(out);
	pkix_objs_free(&o);
	return rc;
}
