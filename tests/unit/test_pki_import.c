/*
 * pki's one importer: PEM/DER detection for every object kind, key
 * formats, text around PEM blocks, and what it refuses.
 */
#include <openssl/pkcs7.h>

#include "test_pki_fixture.h"

static char	*ca_cert, *ca_key, *crl, *csr, *csr_key;

static int
setup(void **state)
{
	struct pki_req	r = req_new(PKI_CERT_USER, PKI_KEY_EC256, "imp");
	struct pki_revoked rv = { "0abc", 0, 1 };
	char		err[ERRLEN];

	make_ca(PKI_KEY_RSA2048, "Import Test CA", &ca_cert, &ca_key);
	OK(pki_crl_create(ca_cert, ca_key, &rv, 1, 3, 30, &crl, err,
	    sizeof(err)));
	OK(pki_csr_create(&r, &csr, &csr_key, err, sizeof(err)));
	return 0;
}

static int
teardown(void **state)
{
	pki_pem_free(ca_cert);
	pki_pem_free(ca_key);
	pki_pem_free(crl);
	pki_pem_free(csr);
	pki_pem_free(csr_key);
	return 0;
}

/* Imports buf and checks what came out: c certificates, key or not, ... */
static void
expect(const void *buf, size_t len, const char *pass, size_t ncerts,
    int key, int has_csr, int has_crl)
{
	struct pki_bundle	b;
	char			err[ERRLEN];

	OK(pki_import(buf, len, pass, &b, err, sizeof(err)));
	assert_int_equal(b.ncerts, ncerts);
	assert_int_equal(b.certs != NULL, ncerts > 0);
	assert_int_equal(b.key != NULL, key);
	assert_int_equal(b.csr != NULL, has_csr);
	assert_int_equal(b.crl != NULL, has_crl);
	pki_bundle_free(&b);
	pki_bundle_free(&b);	/* twice is fine */
}

static void
test_pem_kinds(void **state)
{
	char	*all;
	size_t	 n;

	expect(ca_cert, slen(ca_cert), NULL, 1, 0, 0, 0);
	expect(ca_key, slen(ca_key), NULL, 0, 1, 0, 0);
	expect(crl, slen(crl), NULL, 0, 0, 0, 1);
	expect(csr, slen(csr), NULL, 0, 0, 1, 0);

	/* everything at once, with text around the blocks */
	n = slen(ca_cert) + slen(ca_key) + slen(crl) + slen(csr) + 200;
	all = malloc(n);
	snprintf(all, n, "Bag Attributes\n    friendlyName: x\n%s\nsubject=...\n"
	    "%s%s\n\n%s trailing words\n", ca_cert, ca_key, crl, csr);
	expect(all, slen(all), NULL, 1, 1, 1, 1);
	/* CRLF line ends */
	{
		char	*crlf = malloc(2 * slen(all) + 1), *o = crlf;
		const char *p;

		for (p = all; *p != '\0'; p++) {
			if (*p == '\n')
				*o++ = '\r';
			*o++ = *p;
		}
		*o = '\0';
		expect(crlf, slen(crlf), NULL, 1, 1, 1, 1);
		free(crlf);
	}
	free(all);
}

static void
test_der_kinds(void **state)
{
	unsigned char	*der;
	long		 len;

	der = pem_to_der(ca_cert, &len);
	expect(der, (size_t)len, NULL, 1, 0, 0, 0);
	free(der);
	der = pem_to_der(ca_key, &len);		/* PKCS#8 */
	expect(der, (size_t)len, NULL, 0, 1, 0, 0);
	free(der);
	der = pem_to_der(crl, &len);
	expect(der, (size_t)len, NULL, 0, 0, 0, 1);
	free(der);
	der = pem_to_der(csr, &len);
	expect(der, (size_t)len, NULL, 0, 0, 1, 0);
	free(der);
}

static void
test_key_formats(void **state)
{
	EVP_PKEY		*rsa, *ec;
	BIO			*b;
	char			*pem, err[ERRLEN];
	unsigned char		*der = NULL;
	int			 n;
	struct pki_bundle	 bundle;

	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");

	/* traditional PEM: "RSA PRIVATE KEY", "EC PRIVATE KEY" */
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey_traditional(b, rsa, NULL, NULL, 0,
	    NULL, NULL));
	pem = bio_take(b);
	assert_non_null(strstr(pem, "BEGIN RSA PRIVATE KEY"));
	expect(pem, slen(pem), NULL, 0, 1, 0, 0);
	free(pem);
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey_traditional(b, ec, NULL, NULL, 0,
	    NULL, NULL));
	pem = bio_take(b);
	assert_non_null(strstr(pem, "BEGIN EC PRIVATE KEY"));
	expect(pem, slen(pem), NULL, 0, 1, 0, 0);
	free(pem);

	/* legacy Proc-Type encryption */
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey_traditional(b, ec,
	    EVP_aes_128_cbc(), (unsigned char *)"old", 3, NULL, NULL));
	pem = bio_take(b);
	assert_non_null(strstr(pem, "Proc-Type: 4,ENCRYPTED"));
	expect(pem, slen(pem), "old", 0, 1, 0, 0);
	FAILS(pki_import(pem, slen(pem), "new", &bundle, err, sizeof(err)),
	    "wrong passphrase");
	FAILS(pki_import(pem, slen(pem), NULL, &bundle, err, sizeof(err)),
	    "passphrase is needed");
	free(pem);

	/* DER: traditional RSA, and encrypted PKCS#8 */
	n = i2d_PrivateKey(rsa, &der);
	assert_true(n > 0);
	expect(der, (size_t)n, NULL, 0, 1, 0, 0);
	OPENSSL_free(der);
	der = NULL;
	b = BIO_new(BIO_s_mem());
	assert_true(i2d_PKCS8PrivateKey_bio(b, ec, EVP_aes_256_cbc(), NULL, 0,
	    NULL, (void *)"p8"));
	{
		char *d;
		long l = BIO_get_mem_data(b, &d);

		expect(d, (size_t)l, "p8", 0, 1, 0, 0);
		FAILS(pki_import(d, (size_t)l, "p9", &bundle, err, sizeof(err)),
		    "wrong passphrase");
		FAILS(pki_import(d, (size_t)l, NULL, &bundle, err, sizeof(err)),
		    "passphrase is needed");
	}
	BIO_free(b);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
}

static void
test_pkcs7(void **state)
{
	PKCS7		*p7 = PKCS7_new();
	BIO		*b;
	X509		*x;
	char		*pem;
	unsigned char	*der;
	long		 len;

	b = BIO_new_mem_buf(ca_cert, -1);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_true(PKCS7_set_type(p7, NID_pkcs7_signed));
	assert_true(PKCS7_content_new(p7, NID_pkcs7_data));
	assert_true(PKCS7_add_certificate(p7, x));
	b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PKCS7(b, p7));
	pem = bio_take(b);
	expect(pem, slen(pem), NULL, 1, 0, 0, 0);
	der = pem_to_der(pem, &len);
	expect(der, (size_t)len, NULL, 1, 0, 0, 0);
	free(der);
	free(pem);
	X509_free(x);
	PKCS7_free(p7);
}

static void
test_refusals(void **state)
{
	struct pki_bundle	 b;
	char			 err[ERRLEN], *two, *pub, *bad;
	size_t			 n;
	unsigned char		*der;
	long			 len;

	FAILS(pki_import(NULL, 0, NULL, &b, err, sizeof(err)), "empty");
	FAILS(pki_import("", 0, NULL, &b, err, sizeof(err)), "empty");
	FAILS(pki_import("\x00\x01\x02", 3, NULL, &b, err, sizeof(err)),
	    "neither PEM nor DER");
	FAILS(pki_import("just some text\n", 15, NULL, &b, err, sizeof(err)),
	    "neither PEM nor DER");
	/* truncated PEM, at many lengths */
	for (n = 30; n < slen(ca_cert) - 5; n += 97)
		FAILS(pki_import(ca_cert, n, NULL, &b, err, sizeof(err)), "PEM");
	/* truncated DER */
	der = pem_to_der(ca_cert, &len);
	FAILS(pki_import(der, (size_t)len - 1, NULL, &b, err, sizeof(err)),
	    "neither PEM nor DER");
	/* trailing bytes after DER */
	{
		unsigned char *more = malloc((size_t)len + 2);

		memcpy(more, der, (size_t)len);
		more[len] = 0;
		more[len + 1] = 0;
		FAILS(pki_import(more, (size_t)len + 2, NULL, &b, err,
		    sizeof(err)), "trailing data");
		free(more);
	}
	/* a PEM block whose content is not what its label says */
	bad = der_to_pem("X509 CRL", der, len);
	FAILS(pki_import(bad, slen(bad), NULL, &b, err, sizeof(err)),
	    "cannot parse the CRL");
	free(bad);
	bad = der_to_pem("CERTIFICATE REQUEST", der, len);
	FAILS(pki_import(bad, slen(bad), NULL, &b, err, sizeof(err)),
	    "cannot parse the CSR");
	free(bad);
	bad = der_to_pem("PRIVATE KEY", der, len);
	FAILS(pki_import(bad, slen(bad), NULL, &b, err, sizeof(err)),
	    "private key");
	free(bad);
	bad = der_to_pem("DH PARAMETERS", der, len);
	FAILS(pki_import(bad, slen(bad), NULL, &b, err, sizeof(err)),
	    "unsupported PEM block");
	free(bad);
	free(der);
	/* two keys, two CRLs, two CSRs */
	n = 2 * slen(ca_key) + 1;
	two = malloc(n);
	snprintf(two, n, "%s%s", ca_key, ca_key);
	FAILS(pki_import(two, slen(two), NULL, &b, err, sizeof(err)),
	    "more than one private key");
	free(two);
	n = 2 * slen(crl) + 1;
	two = malloc(n);
	snprintf(two, n, "%s%s", crl, crl);
	FAILS(pki_import(two, slen(two), NULL, &b, err, sizeof(err)),
	    "more than one CRL");
	free(two);
	n = 2 * slen(csr) + 1;
	two = malloc(n);
	snprintf(two, n, "%s%s", csr, csr);
	FAILS(pki_import(two, slen(two), NULL, &b, err, sizeof(err)),
	    "more than one CSR");
	free(two);
	/* too many certificates */
	n = 70 * slen(ca_cert) + 1;
	two = malloc(n);
	two[0] = '\0';
	for (int i = 0; i < 70; i++)
		strcat(two, ca_cert);
	FAILS(pki_import(two, slen(two), NULL, &b, err, sizeof(err)),
	    "too many certificates");
	free(two);
	/* a public key alone */
	{
		BIO *bio = BIO_new(BIO_s_mem());
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

		assert_true(PEM_write_bio_PUBKEY(bio, k));
		pub = bio_take(bio);
		FAILS(pki_import(pub, slen(pub), NULL, &b, err, sizeof(err)),
		    "public key");
		free(pub);
		EVP_PKEY_free(k);
	}
	/* EC PARAMETERS alone: nothing usable */
	FAILS(pki_import("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
	    "-----END EC PARAMETERS-----\n", 76, NULL, &b, err, sizeof(err)),
	    "nothing usable");
	/* an unsupported key type inside a valid PKCS#8 (X25519) */
	{
		EVP_PKEY *x = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
		char *kp = raw_key_pem(x), *out = NULL;

		FAILS(pki_key_load(kp, slen(kp), NULL, &out, err, sizeof(err)),
		    "unsupported key type");
		free(kp);
		EVP_PKEY_free(x);
	}
	assert_null(b.certs);
	assert_null(b.key);
}

/* Details of a hostile certificate stay valid, escaped JSON text. */
static void
test_info_escapes(void **state)
{
	EVP_PKEY		*k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509			*x = X509_new();
	X509_NAME		*n = X509_NAME_new();
	GENERAL_NAMES		*gens = GENERAL_NAMES_new();
	GENERAL_NAME		*g = GENERAL_NAME_new();
	ASN1_IA5STRING		*ia5 = ASN1_IA5STRING_new();
	json_t			*j;
	char			*pem, *dump, err[ERRLEN];

	assert_true(X509_NAME_add_entry_by_NID(n, NID_commonName,
	    V_ASN1_UTF8STRING, (const unsigned char *)"a\x01" "b\"<c>", -1,
	    -1, 0));
	assert_true(X509_set_subject_name(x, n));
	assert_true(X509_set_issuer_name(x, n));
	assert_true(X509_set_pubkey(x, k));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	assert_true(ASN1_STRING_set(ia5, "bad\xff\x00name", 9));
	GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
	assert_true(sk_GENERAL_NAME_push(gens, g));
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0),
	    1);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	pem = raw_cert_pem(x);
	OK(pki_cert_info(pem, slen(pem), &j, err, sizeof(err)));
	dump = json_dumps(j, 0);
	assert_non_null(dump);
	assert_string_equal(jstr_of(j, "subject"), "CN=a\\01b\\\"\\<c\\>");
	assert_string_equal(jstr_of(j, "cn"), "a\\x01b\"<c>");
	assert_true(san_has(j, "dns", "bad\\xff\\x00name"));
	free(dump);
	json_decref(j);
	free(pem);
	GENERAL_NAMES_free(gens);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_kinds),
		cmocka_unit_test(test_der_kinds),
		cmocka_unit_test(test_key_formats),
		cmocka_unit_test(test_pkcs7),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_info_escapes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
