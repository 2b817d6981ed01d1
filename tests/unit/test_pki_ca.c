/*
 * pki CAs: creation (every key type and digest), intermediates, import
 * with all its refusals.
 */
#include "test_pki_fixture.h"

static void
check_ca(const char *cert, const char *key_desc, long days)
{
	json_t	*j = info_of(cert);
	json_t	*ku = json_object_get(j, "key_usage");
	long	 life;

	assert_true(json_is_true(json_object_get(j, "is_ca")));
	assert_string_equal(jstr_of(j, "key"), key_desc);
	assert_true(jarr_has(ku, "keyCertSign"));
	assert_true(jarr_has(ku, "cRLSign"));
	assert_int_equal(json_array_size(ku), 2);
	assert_int_equal(json_array_size(json_object_get(j, "eku")), 0);
	life = (long)(json_integer_value(json_object_get(j, "not_after")) -
	    json_integer_value(json_object_get(j, "not_before")));
	assert_int_equal(life, days * 86400);
	assert_int_equal(strlen(jstr_of(j, "sha1")), 20 * 3 - 1);
	assert_int_equal(strlen(jstr_of(j, "sha256")), 32 * 3 - 1);
	json_decref(j);
}

static void
test_create_root_all_types(void **state)
{
	static const struct {
		enum pki_keytype	 key;
		enum pki_digest		 md;
		const char		*desc;
	} cases[] = {
		{ PKI_KEY_RSA2048, PKI_MD_SHA256, "RSA 2048" },
		{ PKI_KEY_RSA3072, PKI_MD_SHA384, "RSA 3072" },
		{ PKI_KEY_RSA4096, PKI_MD_SHA512, "RSA 4096" },
		{ PKI_KEY_EC256,   PKI_MD_SHA256, "ECDSA P-256" },
		{ PKI_KEY_EC384,   PKI_MD_SHA384, "ECDSA P-384" },
		{ PKI_KEY_EC521,   PKI_MD_SHA512, "ECDSA P-521" },
	};
	char		 err[ERRLEN], *cert, *key;
	struct pki_req	 r;
	struct pki_warn	 w;
	json_t		*j;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = req_new(PKI_CERT_USER, cases[i].key, "Test Root CA");
		r.digest = cases[i].md;
		r.dn.c = "US";
		r.dn.st = "California";
		r.dn.l = "San Jos\xc3\xa9";
		r.dn.o = "Example Inc.";
		r.dn.ou = "VPN";
		memset(&w, 0, sizeof(w));
		OK(pki_ca_create(&r, NULL, NULL, &cert, &key, &w, err,
		    sizeof(err)));
		assert_int_equal(w.n, 0);
		check_ca(cert, cases[i].desc, PKI_DAYS_CA);
		j = info_of(cert);
		assert_string_equal(jstr_of(j, "subject"), "CN=Test Root CA,"
		    "OU=VPN,O=Example Inc.,L=San Jos\xc3\xa9,ST=California,C=US");
		assert_string_equal(jstr_of(j, "subject"), jstr_of(j, "issuer"));
		assert_true(json_is_true(json_object_get(j, "self_signed")));
		json_decref(j);
		OK(pki_key_match(cert, key, err, sizeof(err)));
		pki_pem_free(cert);
		pki_pem_free(key);
	}
}

static void
test_create_options(void **state)
{
	char		 err[ERRLEN], *cert = NULL, *key = NULL;
	char		 serial[PKI_SERIAL_HEXLEN];
	struct pki_req	 r = req_new(PKI_CERT_USER, PKI_KEY_EC256, "Opt CA");
	json_t		*j;

	r.days = 100;
	OK(pki_serial_new(serial, err, sizeof(err)));
	r.serial = serial;
	OK(pki_ca_create(&r, NULL, NULL, &cert, &key, NULL, err, sizeof(err)));
	check_ca(cert, "ECDSA P-256", 100);
	j = info_of(cert);
	assert_string_equal(jstr_of(j, "serial"), serial);
	json_decref(j);
	pki_pem_free(cert);
	pki_pem_free(key);

	r.days = -1;
	FAILS(pki_ca_create(&r, NULL, NULL, &cert, &key, NULL, err, sizeof(err)),
	    "lifetime");
	r.days = 40000;
	FAILS(pki_ca_create(&r, NULL, NULL, &cert, &key, NULL, err, sizeof(err)),
	    "lifetime");
	r.days = 0;
	r.serial = "nothex";
	FAILS(pki_ca_create(&r, NULL, NULL, &cert, &key, NULL, err, sizeof(err)),
	    "serial");
	r.serial = NULL;
	r.dn.cn = "ctrl\nchar";
	FAILS(pki_ca_create(&r, NULL, NULL, &cert, &key, NULL, err, sizeof(err)),
	    "control characters");
	r.dn.cn = "ok";
	r.dn.c = "Germany";
	FAILS(pki_ca_create(&r, NULL, NULL, &cert, &key, NULL, err, sizeof(err)),
	    "ISO 3166");
	assert_null(cert);
	assert_null(key);
}

static void
test_intermediate(void **state)
{
	char		 err[ERRLEN], *root, *rkey, *mid, *mkey, *other, *okey;
	struct pki_req	 r = req_new(PKI_CERT_USER, PKI_KEY_EC384, "Intermediate");
	json_t		*jr, *jm;
	struct pki_warn	 w = { 0 };

	make_ca(PKI_KEY_EC256, "Root For Mid", &root, &rkey);
	r.crl_uri = "http://crl.example.com/root.crl";
	OK(pki_ca_create(&r, root, rkey, &mid, &mkey, &w, err, sizeof(err)));
	check_ca(mid, "ECDSA P-384", PKI_DAYS_CA);
	jr = info_of(root);
	jm = info_of(mid);
	assert_string_equal(jstr_of(jm, "issuer"), jstr_of(jr, "subject"));
	assert_true(json_is_false(json_object_get(jm, "self_signed")));
	assert_true(jarr_has(json_object_get(jm, "crl_uris"),
	    "http://crl.example.com/root.crl"));
	/* the intermediate's 3650 days go past the root by a minute */
	json_decref(jr);
	json_decref(jm);

	/* a leaf issued by the intermediate */
	{
		struct pki_req l = req_new(PKI_CERT_SERVER, PKI_KEY_EC256,
		    "vpn.example.com");
		char *c, *k;

		OK(pki_cert_create(&l, mid, mkey, &c, &k, NULL, err, sizeof(err)));
		pki_pem_free(c);
		pki_pem_free(k);
	}
	/* wrong issuer key */
	make_ca(PKI_KEY_EC256, "Other", &other, &okey);
	{
		char *x = NULL, *xk = NULL;

		FAILS(pki_ca_create(&r, root, okey, &x, &xk, NULL, err,
		    sizeof(err)), "does not match");
		assert_null(x);
		assert_null(xk);
	}
	/* issuer that is not a CA */
	{
		struct pki_req l = req_new(PKI_CERT_USER, PKI_KEY_EC256,
		    "alice@example.com");
		char *c, *k, *x, *xk;

		OK(pki_cert_create(&l, root, rkey, &c, &k, NULL, err, sizeof(err)));
		FAILS(pki_ca_create(&r, c, k, &x, &xk, NULL, err, sizeof(err)),
		    "not a CA");
		pki_pem_free(c);
		pki_pem_free(k);
	}
	pki_pem_free(root);
	pki_pem_free(rkey);
	pki_pem_free(mid);
	pki_pem_free(mkey);
	pki_pem_free(other);
	pki_pem_free(okey);
}

static void
test_import(void **state)
{
	char		 err[ERRLEN], *ca, *key, *c = NULL, *k = NULL, *enc;
	char		*both, *other, *okey;
	size_t		 n;
	struct pki_warn	 w = { 0 };

	make_ca(PKI_KEY_EC256, "Import Me", &ca, &key);

	/* certificate only: trusted CA without key */
	OK(pki_ca_import(ca, slen(ca), NULL, 0, NULL, &c, &k, &w, err,
	    sizeof(err)));
	assert_string_equal(c, ca);
	assert_null(k);
	pki_pem_free(c);

	/* with its key */
	OK(pki_ca_import(ca, slen(ca), key, slen(key), NULL, &c, &k, NULL, err,
	    sizeof(err)));
	assert_string_equal(k, key);
	pki_pem_free(c);
	pki_pem_free(k);

	/* key in the same text, before the certificate */
	n = slen(ca) + slen(key) + 1;
	both = malloc(n);
	snprintf(both, n, "%s%s", key, ca);
	OK(pki_ca_import(both, slen(both), NULL, 0, NULL, &c, &k, NULL, err,
	    sizeof(err)));
	assert_string_equal(c, ca);
	assert_string_equal(k, key);
	pki_pem_free(c);
	pki_pem_free(k);
	free(both);

	/* passphrase-encrypted key */
	OK(pki_key_export(key, "pw", &enc, err, sizeof(err)));
	OK(pki_ca_import(ca, slen(ca), enc, slen(enc), "pw", &c, &k, NULL, err,
	    sizeof(err)));
	assert_string_equal(k, key);
	pki_pem_free(c);
	pki_pem_free(k);
	FAILS(pki_ca_import(ca, slen(ca), enc, slen(enc), "nope", &c, &k, NULL,
	    err, sizeof(err)), "wrong passphrase");
	FAILS(pki_ca_import(ca, slen(ca), enc, slen(enc), NULL, &c, &k, NULL,
	    err, sizeof(err)), "passphrase is needed");

	/* mismatched key */
	make_ca(PKI_KEY_EC256, "Other CA", &other, &okey);
	FAILS(pki_ca_import(ca, slen(ca), okey, slen(okey), NULL, &c, &k, NULL,
	    err, sizeof(err)), "does not match");

	/* garbage and truncated PEM */
	FAILS(pki_ca_import("garbage", 7, NULL, 0, NULL, &c, &k, NULL, err,
	    sizeof(err)), "neither PEM nor DER");
	FAILS(pki_ca_import(ca, slen(ca) / 2, NULL, 0, NULL, &c, &k, NULL, err,
	    sizeof(err)), "truncated PEM");
	FAILS(pki_ca_import(ca, slen(ca), "junk key", 8, NULL, &c, &k, NULL, err,
	    sizeof(err)), "neither PEM nor DER");
	/* a key file without a key */
	FAILS(pki_ca_import(ca, slen(ca), other, slen(other), NULL, &c, &k, NULL,
	    err, sizeof(err)), "no private key");
	/* a key without a certificate */
	FAILS(pki_ca_import(key, slen(key), NULL, 0, NULL, &c, &k, NULL, err,
	    sizeof(err)), "no certificate");
	/* damaged base64 inside a complete block */
	{
		char *bad = strdup(ca);

		bad[40] = '*';
		FAILS(pki_ca_import(bad, slen(bad), NULL, 0, NULL, &c, &k, NULL,
		    err, sizeof(err)), "PEM");
		free(bad);
	}
	assert_null(c);
	assert_null(k);
	pki_pem_free(ca);
	pki_pem_free(key);
	pki_pem_free(other);
	pki_pem_free(okey);
	pki_pem_free(enc);
}

static void
test_import_refusals(void **state)
{
	char		 err[ERRLEN], *c = NULL, *k = NULL, *pem, *kpem;
	EVP_PKEY	*weak, *good;

	/* not a CA: basicConstraints CA:FALSE */
	good = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	pem = raw_selfsigned(good, 0, 0, 30);
	FAILS(pki_ca_import(pem, slen(pem), NULL, 0, NULL, &c, &k, NULL, err,
	    sizeof(err)), "not a CA");
	free(pem);
	/* expired CA */
	pem = raw_selfsigned(good, 1, -60, -1);
	FAILS(pki_ca_import(pem, slen(pem), NULL, 0, NULL, &c, &k, NULL, err,
	    sizeof(err)), "has expired");
	assert_non_null(strstr(err, "valid from 20"));
	free(pem);
	/* not yet valid: accepted with a warning */
	{
		struct pki_warn w = { 0 };

		pem = raw_selfsigned(good, 1, 2, 30);
		kpem = raw_key_pem(good);
		OK(pki_ca_import(pem, slen(pem), kpem, slen(kpem), NULL, &c, &k,
		    &w, err, sizeof(err)));
		assert_int_equal(w.n, 1);
		assert_non_null(strstr(w.msg[0], "not valid yet"));
		pki_pem_free(c);
		pki_pem_free(k);
		free(pem);
		free(kpem);
	}
	/* RSA 1024 CA */
	weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	pem = raw_selfsigned(weak, 1, 0, 30);
	FAILS(pki_ca_import(pem, slen(pem), NULL, 0, NULL, &c, &k, NULL, err,
	    sizeof(err)), "too weak");
	free(pem);
	EVP_PKEY_free(weak);
	EVP_PKEY_free(good);
	assert_null(c);
	assert_null(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_root_all_types),
		cmocka_unit_test(test_create_options),
		cmocka_unit_test(test_intermediate),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_import_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
