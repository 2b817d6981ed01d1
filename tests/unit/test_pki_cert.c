/*
 * pki certificates: server and user profiles, the SAN rules, the checks
 * and warnings, import (PEM, PKCS#12, peer), renewal, conversions.
 */
#include "test_pki_fixture.h"

static char	*ca_cert, *ca_key;

static int
setup(void **state)
{
	make_ca(PKI_KEY_EC256, "Cert Test CA", &ca_cert, &ca_key);
	return 0;
}

static int
teardown(void **state)
{
	pki_pem_free(ca_cert);
	pki_pem_free(ca_key);
	return 0;
}

/* Criticality of an extension in a PEM certificate: 1, 0, or -1 absent. */
static int
ext_critical(const char *pem, int nid)
{
	BIO	*b = BIO_new_mem_buf(pem, -1);
	X509	*x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	int	 i, c = -1;

	assert_non_null(x);
	if ((i = X509_get_ext_by_NID(x, nid, -1)) >= 0)
		c = X509_EXTENSION_get_critical(X509_get_ext(x, i));
	X509_free(x);
	BIO_free(b);
	return c;
}

static long
lifetime_days(const json_t *j)
{
	return (long)((json_integer_value(json_object_get(j, "not_after")) -
	    json_integer_value(json_object_get(j, "not_before"))) / 86400);
}

static void
test_server_profile(void **state)
{
	struct pki_san	 sans[] = {
		{ PKI_SAN_DNS, "vpn2.example.com" },
		{ PKI_SAN_IP, "192.0.2.10" },
		{ PKI_SAN_IP, "2001:db8:0:0::1" },
		{ PKI_SAN_EMAIL, "admin@example.com" },
		{ PKI_SAN_URI, "https://vpn.example.com/" },
		{ PKI_SAN_DNS, "VPN2.example.com" },	/* duplicate */
	};
	struct pki_req	 r = req_new(PKI_CERT_SERVER, PKI_KEY_RSA2048,
	    "vpn.example.com");
	struct pki_warn	 w = { 0 };
	char		 err[ERRLEN], *c, *k;
	json_t		*j, *ku, *eku;

	r.san = sans;
	r.nsan = sizeof(sans) / sizeof(sans[0]);
	r.crl_uri = "http://vpn.example.com/ca.crl";
	OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, &w, err, sizeof(err)));
	assert_int_equal(w.n, 0);
	OK(pki_key_match(c, k, err, sizeof(err)));
	j = info_of(c);
	assert_true(json_is_false(json_object_get(j, "is_ca")));
	assert_string_equal(jstr_of(j, "key"), "RSA 2048");
	assert_int_equal(lifetime_days(j), PKI_DAYS_SERVER);
	eku = json_object_get(j, "eku");
	assert_true(jarr_has(eku, "serverAuth"));
	assert_true(jarr_has(eku, "ikeIntermediate"));
	assert_int_equal(json_array_size(eku), 2);
	ku = json_object_get(j, "key_usage");
	assert_true(jarr_has(ku, "digitalSignature"));
	assert_true(jarr_has(ku, "keyEncipherment"));
	assert_int_equal(json_array_size(ku), 2);
	assert_true(san_has(j, "dns", "vpn.example.com"));	/* from CN */
	assert_true(san_has(j, "dns", "vpn2.example.com"));
	assert_true(san_has(j, "ip", "192.0.2.10"));
	assert_true(san_has(j, "dns", "192.0.2.10"));		/* for Windows */
	assert_true(san_has(j, "ip", "2001:db8::1"));
	assert_true(san_has(j, "dns", "2001:db8::1"));
	assert_true(san_has(j, "email", "admin@example.com"));
	assert_true(san_has(j, "uri", "https://vpn.example.com/"));
	assert_int_equal(json_array_size(json_object_get(j, "san")), 8);
	assert_true(jarr_has(json_object_get(j, "crl_uris"),
	    "http://vpn.example.com/ca.crl"));
	assert_int_equal(ext_critical(c, NID_key_usage), 1);
	assert_int_equal(ext_critical(c, NID_basic_constraints), 1);
	assert_int_equal(ext_critical(c, NID_ext_key_usage), 0);
	assert_int_equal(ext_critical(c, NID_subject_key_identifier), 0);
	assert_int_equal(ext_critical(c, NID_authority_key_identifier), 0);
	json_decref(j);
	pki_pem_free(c);
	pki_pem_free(k);

	/* EC keys: digitalSignature only (RFC 5480) */
	r.key = PKI_KEY_EC384;
	r.nsan = 0;
	r.crl_uri = NULL;
	OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, NULL, err, sizeof(err)));
	j = info_of(c);
	assert_int_equal(json_array_size(json_object_get(j, "key_usage")), 1);
	assert_true(jarr_has(json_object_get(j, "key_usage"), "digitalSignature"));
	assert_int_equal(json_array_size(json_object_get(j, "crl_uris")), 0);
	json_decref(j);
	pki_pem_free(c);
	pki_pem_free(k);
}

static void
test_server_checks(void **state)
{
	struct pki_req	 r = req_new(PKI_CERT_SERVER, PKI_KEY_EC256, "My VPN");
	struct pki_warn	 w = { 0 };
	struct pki_san	 wild = { PKI_SAN_DNS, "*.example.com" };
	struct pki_san	 ip = { PKI_SAN_IP, "198.51.100.7" };
	char		 err[ERRLEN], *c = NULL, *k = NULL;
	json_t		*j;

	/* no FQDN/IP SAN at all */
	FAILS(pki_cert_create(&r, ca_cert, ca_key, &c, &k, &w, err, sizeof(err)),
	    "needs at least one FQDN or IP");
	/* an e-mail SAN alone does not count */
	{
		struct pki_san e = { PKI_SAN_EMAIL, "a@example.com" };

		r.san = &e;
		r.nsan = 1;
		FAILS(pki_cert_create(&r, ca_cert, ca_key, &c, &k, &w, err,
		    sizeof(err)), "needs at least one FQDN or IP");
	}
	/* CN not a host name, IP SAN given: fine, CN not added */
	r.san = &ip;
	r.nsan = 1;
	OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, &w, err, sizeof(err)));
	j = info_of(c);
	assert_int_equal(json_array_size(json_object_get(j, "san")), 2);
	json_decref(j);
	pki_pem_free(c);
	pki_pem_free(k);

	/* lifetime over 825 days: a warning, not an error */
	memset(&w, 0, sizeof(w));
	r.days = 900;
	OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, &w, err, sizeof(err)));
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msg[0], "Apple"));
	j = info_of(c);
	assert_int_equal(lifetime_days(j), 900);
	json_decref(j);
	pki_pem_free(c);
	pki_pem_free(k);

	/* only wildcard names: a warning */
	memset(&w, 0, sizeof(w));
	r.days = 0;
	r.dn.cn = "*.example.com";
	r.san = &wild;
	OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, &w, err, sizeof(err)));
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msg[0], "wildcard"));
	pki_pem_free(c);
	pki_pem_free(k);
	/* ... but not when an IP is there too */
	{
		struct pki_san two[] = { { PKI_SAN_DNS, "*.example.com" },
		    { PKI_SAN_IP, "192.0.2.1" } };

		memset(&w, 0, sizeof(w));
		r.san = two;
		r.nsan = 2;
		OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, &w, err,
		    sizeof(err)));
		assert_int_equal(w.n, 0);
		pki_pem_free(c);
		pki_pem_free(k);
	}
	c = k = NULL;

	/* bad SANs */
	{
		static const struct pki_san bad[] = {
			{ PKI_SAN_DNS, "bad name.example.com" },
			{ PKI_SAN_DNS, "-lead.example.com" },
			{ PKI_SAN_DNS, "a..b" },
			{ PKI_SAN_DNS, "x.*.example.com" },
			{ PKI_SAN_IP, "300.1.1.1" },
			{ PKI_SAN_IP, "vpn.example.com" },
			{ PKI_SAN_EMAIL, "nobody" },
			{ PKI_SAN_EMAIL, "a@b" },
			{ PKI_SAN_URI, "no scheme" },
			{ PKI_SAN_URI, "http://a b" },
			{ PKI_SAN_DNS, "" },
			{ (enum pki_san_type)9, "x" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r.dn.cn = "vpn.example.com";
			r.san = &bad[i];
			r.nsan = 1;
			err[0] = '\0';
			assert_int_equal(pki_cert_create(&r, ca_cert, ca_key, &c,
			    &k, NULL, err, sizeof(err)), -1);
			assert_true(err[0] != '\0');
		}
	}
	r.san = NULL;
	r.nsan = 0;
	r.crl_uri = "ftp://example.com/x.crl";
	FAILS(pki_cert_create(&r, ca_cert, ca_key, &c, &k, NULL, err,
	    sizeof(err)), "CRL distribution point");
	r.crl_uri = NULL;
	r.dn.cn = "vpn\x1b[31m.example.com";
	FAILS(pki_cert_create(&r, ca_cert, ca_key, &c, &k, NULL, err,
	    sizeof(err)), "control characters");
	r.dn.cn = "vpn.example.com";
	r.type = (enum pki_cert_type)7;
	FAILS(pki_cert_create(&r, ca_cert, ca_key, &c, &k, NULL, err,
	    sizeof(err)), "unknown certificate type");
	r.type = PKI_CERT_SERVER;
	FAILS(pki_cert_create(&r, ca_cert, "nokey", &c, &k, NULL, err,
	    sizeof(err)), "CA private key");
	FAILS(pki_cert_create(&r, NULL, ca_key, &c, &k, NULL, err,
	    sizeof(err)), "no CA certificate");
	assert_null(c);
	assert_null(k);
}

static void
test_user_profile_cn_rule(void **state)
{
	static const struct {
		const char	*cn;
		const char	*type;		/* NULL: not added */
		const char	*value;
	} cases[] = {
		{ "alice", "dns", "alice" },
		{ "alice@example.com", "email", "alice@example.com" },
		{ "10.1.2.3", "ip", "10.1.2.3" },
		{ "fe80::1", "ip", "fe80::1" },
		{ "bob.example.org", "dns", "bob.example.org" },
		{ "Alice Smith", NULL, NULL },
		{ "J\xc3\xb6rg", NULL, NULL },
		{ "broken@", NULL, NULL },
	};
	struct pki_warn	 w;
	char		 err[ERRLEN], *c, *k;
	json_t		*j, *eku;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pki_req r = req_new(PKI_CERT_USER, PKI_KEY_EC256,
		    cases[i].cn);

		memset(&w, 0, sizeof(w));
		OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, &w, err,
		    sizeof(err)));
		j = info_of(c);
		eku = json_object_get(j, "eku");
		assert_int_equal(json_array_size(eku), 1);
		assert_true(jarr_has(eku, "clientAuth"));
		assert_int_equal(lifetime_days(j), PKI_DAYS_USER);
		if (cases[i].type != NULL) {
			assert_true(san_has(j, cases[i].type, cases[i].value));
			assert_int_equal(w.n, 0);
		} else {
			assert_int_equal(json_array_size(json_object_get(j,
			    "san")), 0);
			assert_int_equal(w.n, 1);
			assert_non_null(strstr(w.msg[0], "not added"));
		}
		json_decref(j);
		pki_pem_free(c);
		pki_pem_free(k);
	}
}

static void
test_import(void **state)
{
	struct pki_req	 r = req_new(PKI_CERT_USER, PKI_KEY_EC256,
	    "carol@example.com");
	char		 err[ERRLEN], *c, *k, *c2 = NULL, *k2 = NULL, *chain = NULL;
	char		*other_k, *both, *enc;
	uint8_t		*p12;
	size_t		 p12len, n;
	struct pki_warn	 w = { 0 };

	OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, NULL, err, sizeof(err)));

	/* certificate + key (two inputs) */
	OK(pki_cert_import(c, slen(c), k, slen(k), NULL, &c2, &k2, &chain, &w,
	    err, sizeof(err)));
	assert_string_equal(c2, c);
	assert_string_equal(k2, k);
	assert_null(chain);
	pki_pem_free(c2);
	pki_pem_free(k2);

	/* peer certificate: no key */
	OK(pki_cert_import(c, slen(c), NULL, 0, NULL, &c2, &k2, NULL, NULL, err,
	    sizeof(err)));
	assert_null(k2);
	pki_pem_free(c2);

	/* one text: CA first, key, leaf -- the leaf is found by its key */
	n = slen(ca_cert) + slen(k) + slen(c) + 1;
	both = malloc(n);
	snprintf(both, n, "%s%s%s", ca_cert, k, c);
	OK(pki_cert_import(both, slen(both), NULL, 0, NULL, &c2, &k2, &chain,
	    NULL, err, sizeof(err)));
	assert_string_equal(c2, c);
	assert_string_equal(chain, ca_cert);
	pki_pem_free(c2);
	pki_pem_free(k2);
	pki_pem_free(chain);
	/* same without key: the first non-CA certificate is the leaf */
	snprintf(both, n, "%s%s", ca_cert, c);
	OK(pki_cert_import(both, slen(both), NULL, 0, NULL, &c2, &k2, &chain,
	    NULL, err, sizeof(err)));
	assert_string_equal(c2, c);
	assert_null(k2);
	pki_pem_free(c2);
	pki_pem_free(chain);
	free(both);

	/* encrypted key file */
	OK(pki_key_export(k, "kpw", &enc, err, sizeof(err)));
	OK(pki_cert_import(c, slen(c), enc, slen(enc), "kpw", &c2, &k2, NULL,
	    NULL, err, sizeof(err)));
	assert_string_equal(k2, k);
	pki_pem_free(c2);
	pki_pem_free(k2);
	c2 = k2 = NULL;

	/* PKCS#12 both levels, with chain */
	for (int level = PKI_P12_MODERN; level <= PKI_P12_LEGACY; level++) {
		OK(pki_p12_export(c, k, ca_cert, "Carol", "p12 pass",
		    (enum pki_p12_level)level, &p12, &p12len, err, sizeof(err)));
		OK(pki_cert_import(p12, p12len, NULL, 0, "p12 pass", &c2, &k2,
		    &chain, NULL, err, sizeof(err)));
		assert_string_equal(c2, c);
		assert_string_equal(k2, k);
		assert_string_equal(chain, ca_cert);
		pki_pem_free(c2);
		pki_pem_free(k2);
		pki_pem_free(chain);
		c2 = k2 = NULL;
		FAILS(pki_cert_import(p12, p12len, NULL, 0, "wrong", &c2, &k2,
		    NULL, NULL, err, sizeof(err)), "wrong password");
		FAILS(pki_cert_import(p12, p12len, NULL, 0, NULL, &c2, &k2,
		    NULL, NULL, err, sizeof(err)), "wrong password");
		/* truncated P12 */
		FAILS(pki_cert_import(p12, p12len - 7, NULL, 0, "p12 pass", &c2,
		    &k2, NULL, NULL, err, sizeof(err)), "neither PEM nor DER");
		pki_der_free(p12, p12len);
	}

	/* mismatched key */
	OK(pki_key_new(PKI_KEY_EC256, &other_k, err, sizeof(err)));
	FAILS(pki_cert_import(c, slen(c), other_k, slen(other_k), NULL, &c2, &k2,
	    NULL, NULL, err, sizeof(err)), "does not match");
	/* two keys */
	n = slen(c) + slen(k) + 1;
	both = malloc(n);
	snprintf(both, n, "%s%s", c, k);
	FAILS(pki_cert_import(both, slen(both), other_k, slen(other_k), NULL,
	    &c2, &k2, NULL, NULL, err, sizeof(err)), "two private keys");
	free(both);
	/* garbage, key only */
	FAILS(pki_cert_import("\x30\x03\x02\x01\x01", 5, NULL, 0, NULL, &c2, &k2,
	    NULL, NULL, err, sizeof(err)), "neither PEM nor DER");
	FAILS(pki_cert_import(k, slen(k), NULL, 0, NULL, &c2, &k2, NULL, NULL,
	    err, sizeof(err)), "no certificate");
	assert_null(c2);
	assert_null(k2);
	pki_pem_free(other_k);
	pki_pem_free(enc);
	pki_pem_free(c);
	pki_pem_free(k);
}

static void
test_import_refusals(void **state)
{
	char		 err[ERRLEN], *c2 = NULL, *k2 = NULL, *pem, *kpem;
	EVP_PKEY	*weak, *good;

	good = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	pem = raw_selfsigned(good, 0, -400, -30);
	kpem = raw_key_pem(good);
	FAILS(pki_cert_import(pem, slen(pem), kpem, slen(kpem), NULL, &c2, &k2,
	    NULL, NULL, err, sizeof(err)), "has expired");
	assert_non_null(strstr(err, "valid from "));
	assert_non_null(strstr(err, " until "));
	free(pem);
	free(kpem);
	EVP_PKEY_free(good);

	weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	pem = raw_selfsigned(weak, 0, 0, 30);
	FAILS(pki_cert_import(pem, slen(pem), NULL, 0, NULL, &c2, &k2, NULL,
	    NULL, err, sizeof(err)), "too weak");
	kpem = raw_key_pem(weak);
	FAILS(pki_cert_import(pem, slen(pem), kpem, slen(kpem), NULL, &c2, &k2,
	    NULL, NULL, err, sizeof(err)), "too weak");
	free(pem);
	free(kpem);
	EVP_PKEY_free(weak);
	assert_null(c2);
	assert_null(k2);
}

static void
test_renew(void **state)
{
	struct pki_san	 s = { PKI_SAN_IP, "192.0.2.55" };
	struct pki_req	 r = req_new(PKI_CERT_SERVER, PKI_KEY_EC256,
	    "gw.example.net");
	struct pki_req	 rr = req_new(PKI_CERT_USER, PKI_KEY_EC384, NULL);
	char		 err[ERRLEN], *c, *k, *nc, *nk;
	json_t		*a, *b;

	r.san = &s;
	r.nsan = 1;
	r.days = 30;
	OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, NULL, err, sizeof(err)));
	a = info_of(c);

	/* keep the key */
	OK(pki_cert_renew(c, k, 1, &rr, ca_cert, ca_key, &nc, &nk, NULL, err,
	    sizeof(err)));
	b = info_of(nc);
	assert_string_equal(nk, k);
	assert_string_equal(jstr_of(a, "subject"), jstr_of(b, "subject"));
	assert_string_not_equal(jstr_of(a, "serial"), jstr_of(b, "serial"));
	assert_true(json_equal(json_object_get(a, "san"),
	    json_object_get(b, "san")));
	assert_true(json_equal(json_object_get(a, "eku"),
	    json_object_get(b, "eku")));	/* still a server */
	assert_int_equal(lifetime_days(b), PKI_DAYS_SERVER);
	assert_string_equal(jstr_of(b, "key"), "ECDSA P-256");
	json_decref(b);
	pki_pem_free(nc);
	pki_pem_free(nk);

	/* keep the key without having it (certificate from a CSR) */
	OK(pki_cert_renew(c, NULL, 1, &rr, ca_cert, ca_key, &nc, &nk, NULL, err,
	    sizeof(err)));
	assert_null(nk);
	OK(pki_key_match(nc, k, err, sizeof(err)));
	pki_pem_free(nc);

	/* new key */
	rr.days = 10;
	OK(pki_cert_renew(c, k, 0, &rr, ca_cert, ca_key, &nc, &nk, NULL, err,
	    sizeof(err)));
	b = info_of(nc);
	assert_string_equal(jstr_of(b, "key"), "ECDSA P-384");
	assert_int_equal(lifetime_days(b), 10);
	assert_true(json_equal(json_object_get(a, "san"),
	    json_object_get(b, "san")));
	OK(pki_key_match(nc, nk, err, sizeof(err)));
	FAILS(pki_key_match(nc, k, err, sizeof(err)), "does not match");
	json_decref(b);
	pki_pem_free(nc);
	pki_pem_free(nk);
	json_decref(a);

	/* a root CA renews itself */
	OK(pki_cert_renew(ca_cert, ca_key, 1, &rr, NULL, NULL, &nc, &nk, NULL,
	    err, sizeof(err)));
	b = info_of(nc);
	assert_true(json_is_true(json_object_get(b, "is_ca")));
	assert_true(json_is_true(json_object_get(b, "self_signed")));
	assert_int_equal(lifetime_days(b), 10);
	json_decref(b);
	/* certificates of the old CA still verify against the renewed one:
	   same name, same key */
	OK(pki_key_match(nc, ca_key, err, sizeof(err)));
	pki_pem_free(nc);
	pki_pem_free(nk);
	FAILS(pki_cert_renew(ca_cert, NULL, 1, &rr, NULL, NULL, &nc, &nk, NULL,
	    err, sizeof(err)), "needs its private key");

	/* refusals */
	{
		char *other;

		OK(pki_key_new(PKI_KEY_EC256, &other, err, sizeof(err)));
		FAILS(pki_cert_renew(c, other, 1, &rr, ca_cert, ca_key, &nc,
		    &nk, NULL, err, sizeof(err)), "does not match");
		FAILS(pki_cert_renew(c, k, 1, &rr, NULL, NULL, &nc, &nk, NULL,
		    err, sizeof(err)), "no CA certificate");
		pki_pem_free(other);
	}
	pki_pem_free(c);
	pki_pem_free(k);
}

static void
test_convert_and_info(void **state)
{
	char	 err[ERRLEN], *pem = NULL;
	uint8_t	*der = NULL;
	size_t	 derlen;
	json_t	*j;

	OK(pki_cert_der(ca_cert, &der, &derlen, err, sizeof(err)));
	assert_true(derlen > 100 && der[0] == 0x30);
	OK(pki_cert_pem(der, derlen, &pem, err, sizeof(err)));
	assert_string_equal(pem, ca_cert);
	OK(pki_cert_info(der, derlen, &j, err, sizeof(err)));
	assert_true(json_is_true(json_object_get(j, "is_ca")));
	assert_string_equal(jstr_of(j, "cn"), "Cert Test CA");
	assert_non_null(strstr(jstr_of(j, "not_after_iso"), "T"));
	assert_true(json_is_false(json_object_get(j, "expired")));
	json_decref(j);
	pki_der_free(der, derlen);
	pki_pem_free(pem);
	FAILS(pki_cert_der("x", &der, &derlen, err, sizeof(err)),
	    "neither PEM nor DER");
	FAILS(pki_cert_pem(ca_key, slen(ca_key), &pem, err, sizeof(err)),
	    "no certificate");
	FAILS(pki_cert_info(ca_key, slen(ca_key), &j, err, sizeof(err)),
	    "no certificate");
	pki_der_free(der, derlen);
	pki_pem_free(pem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_profile),
		cmocka_unit_test(test_server_checks),
		cmocka_unit_test(test_user_profile_cn_rule),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_import_refusals),
		cmocka_unit_test(test_renew),
		cmocka_unit_test(test_convert_and_info),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
