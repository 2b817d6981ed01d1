/*
 * pki CSRs: create for an outside CA, accept its answer, sign uploaded
 * ones (PEM and DER), refuse forged ones.
 */
#include "test_pki_fixture.h"

static char	*ca_cert, *ca_key;

static int
setup(void **state)
{
	make_ca(PKI_KEY_EC256, "CSR Test CA", &ca_cert, &ca_key);
	return 0;
}

static int
teardown(void **state)
{
	pki_pem_free(ca_cert);
	pki_pem_free(ca_key);
	return 0;
}

/* A CSR made outside, with OpenSSL, asking for extra extensions. */
static char *
outside_csr(EVP_PKEY *k, const char *cn, const char *san_conf)
{
	X509_REQ			*r = X509_REQ_new();
	X509_NAME			*n = X509_NAME_new();
	STACK_OF(X509_EXTENSION)	*exts = sk_X509_EXTENSION_new_null();
	BIO				*b = BIO_new(BIO_s_mem());

	assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0));
	assert_true(X509_REQ_set_subject_name(r, n));
	assert_true(X509_REQ_set_pubkey(r, k));
	if (san_conf != NULL) {
		sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL,
		    NID_subject_alt_name, san_conf));
		/* asks to be a CA: must be ignored */
		sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL,
		    NID_basic_constraints, "critical,CA:TRUE"));
		assert_true(X509_REQ_add_extensions(r, exts));
	}
	assert_true(X509_REQ_sign(r, k, EVP_sha256()) > 0);
	assert_true(PEM_write_bio_X509_REQ(b, r));
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(n);
	X509_REQ_free(r);
	return bio_take(b);
}

static void
test_create_and_accept(void **state)
{
	struct pki_san	 s[] = { { PKI_SAN_DNS, "vpn.example.org" },
	    { PKI_SAN_IP, "203.0.113.9" } };
	struct pki_req	 r = req_new(PKI_CERT_SERVER, PKI_KEY_RSA2048,
	    "vpn.example.org");
	char		 err[ERRLEN], *csr, *key, *signed_c, *c2 = NULL, *chain;
	char		*other_c, *other_k, *both;
	json_t		*j;
	size_t		 n;

	r.dn.o = "Example";
	r.san = s;
	r.nsan = 2;
	OK(pki_csr_create(&r, &csr, &key, err, sizeof(err)));
	assert_non_null(strstr(csr, "-----BEGIN CERTIFICATE REQUEST-----"));
	OK(pki_csr_info(csr, slen(csr), &j, err, sizeof(err)));
	assert_string_equal(jstr_of(j, "subject"), "CN=vpn.example.org,O=Example");
	assert_string_equal(jstr_of(j, "key"), "RSA 2048");
	assert_true(json_is_true(json_object_get(j, "signature_ok")));
	assert_true(san_has(j, "dns", "vpn.example.org"));
	assert_true(san_has(j, "ip", "203.0.113.9"));
	assert_true(san_has(j, "dns", "203.0.113.9"));
	assert_int_equal(json_array_size(json_object_get(j, "san")), 3);
	json_decref(j);

	/* "the outside CA" signs it (our own, keeping the SANs) */
	r.nsan = 0;
	OK(pki_csr_sign(csr, slen(csr), &r, 1, ca_cert, ca_key, &signed_c, NULL,
	    err, sizeof(err)));
	OK(pki_csr_accept(key, signed_c, slen(signed_c), &c2, &chain, err,
	    sizeof(err)));
	assert_string_equal(c2, signed_c);
	assert_null(chain);
	pki_pem_free(c2);

	/* with the chain in front */
	n = slen(ca_cert) + slen(signed_c) + 1;
	both = malloc(n);
	snprintf(both, n, "%s%s", ca_cert, signed_c);
	OK(pki_csr_accept(key, both, slen(both), &c2, &chain, err, sizeof(err)));
	assert_string_equal(c2, signed_c);
	assert_string_equal(chain, ca_cert);
	pki_pem_free(c2);
	pki_pem_free(chain);
	free(both);
	c2 = NULL;

	/* a certificate for another key */
	{
		struct pki_req o = req_new(PKI_CERT_USER, PKI_KEY_EC256, "other");

		OK(pki_cert_create(&o, ca_cert, ca_key, &other_c, &other_k, NULL,
		    err, sizeof(err)));
		FAILS(pki_csr_accept(key, other_c, slen(other_c), &c2, NULL, err,
		    sizeof(err)), "not for this CSR's key");
		FAILS(pki_csr_accept(key, "junk", 4, &c2, NULL, err,
		    sizeof(err)), "neither PEM nor DER");
		FAILS(pki_csr_accept(key, key, slen(key), &c2, NULL, err,
		    sizeof(err)), "no certificate");
		FAILS(pki_csr_accept(NULL, other_c, slen(other_c), &c2, NULL,
		    err, sizeof(err)), "no CSR private key");
		assert_null(c2);
		pki_pem_free(other_c);
		pki_pem_free(other_k);
	}
	/* a server CSR needs an FQDN/IP SAN too */
	r.dn.cn = "Not A Host";
	FAILS(pki_csr_create(&r, &c2, &other_k, err, sizeof(err)),
	    "needs at least one FQDN");
	pki_pem_free(csr);
	pki_pem_free(key);
	pki_pem_free(signed_c);
}

static void
test_sign_uploaded(void **state)
{
	EVP_PKEY	*k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char		*csr = outside_csr(k, "phone.example.com",
	    "DNS:phone-alt.example.com,email:p@example.com,IP:192.0.2.77");
	struct pki_san	 add = { PKI_SAN_DNS, "added.example.com" };
	struct pki_req	 r = req_new(PKI_CERT_USER, PKI_KEY_EC256, NULL);
	struct pki_warn	 w = { 0 };
	char		 err[ERRLEN], *c, *pem;
	unsigned char	*der;
	long		 derlen;
	json_t		*j;

	/* keep the CSR's SANs, add one; CA:TRUE request ignored */
	r.san = &add;
	r.nsan = 1;
	r.days = 42;
	OK(pki_csr_sign(csr, slen(csr), &r, 1, ca_cert, ca_key, &c, &w, err,
	    sizeof(err)));
	assert_int_equal(w.n, 0);
	j = info_of(c);
	assert_string_equal(jstr_of(j, "subject"), "CN=phone.example.com");
	assert_true(json_is_false(json_object_get(j, "is_ca")));
	assert_true(jarr_has(json_object_get(j, "eku"), "clientAuth"));
	assert_true(san_has(j, "dns", "phone-alt.example.com"));
	assert_true(san_has(j, "email", "p@example.com"));
	assert_true(san_has(j, "ip", "192.0.2.77"));
	assert_true(san_has(j, "dns", "192.0.2.77"));
	assert_true(san_has(j, "dns", "phone.example.com"));	/* CN */
	assert_true(san_has(j, "dns", "added.example.com"));
	assert_int_equal(json_array_size(json_object_get(j, "san")), 6);
	json_decref(j);
	pki_pem_free(c);

	/* DER upload, server type, CSR's SANs dropped */
	der = pem_to_der(csr, &derlen);
	r.type = PKI_CERT_SERVER;
	r.nsan = 0;
	OK(pki_csr_sign(der, (size_t)derlen, &r, 0, ca_cert, ca_key, &c, NULL,
	    err, sizeof(err)));
	j = info_of(c);
	assert_true(jarr_has(json_object_get(j, "eku"), "serverAuth"));
	assert_true(san_has(j, "dns", "phone.example.com"));
	assert_int_equal(json_array_size(json_object_get(j, "san")), 1);
	json_decref(j);
	pki_pem_free(c);
	c = NULL;

	/* a flipped bit in the signature: refused */
	der[derlen - 5] ^= 0x01;
	FAILS(pki_csr_sign(der, (size_t)derlen, &r, 0, ca_cert, ca_key, &c, NULL,
	    err, sizeof(err)), "signature does not verify");
	pem = der_to_pem("CERTIFICATE REQUEST", der, derlen);
	FAILS(pki_csr_sign(pem, slen(pem), &r, 0, ca_cert, ca_key, &c, NULL,
	    err, sizeof(err)), "signature does not verify");
	OK(pki_csr_info(pem, slen(pem), &j, err, sizeof(err)));
	assert_true(json_is_false(json_object_get(j, "signature_ok")));
	json_decref(j);
	free(pem);
	/* a changed subject byte: refused too */
	der[derlen - 5] ^= 0x01;
	{
		unsigned char *p = memmem(der, (size_t)derlen, "phone", 5);

		assert_non_null(p);
		p[0] = 'f';
		FAILS(pki_csr_sign(der, (size_t)derlen, &r, 0, ca_cert, ca_key,
		    &c, NULL, err, sizeof(err)), "signature does not verify");
	}
	free(der);

	/* not a CSR, server without usable name, weak key */
	FAILS(pki_csr_sign(ca_cert, slen(ca_cert), &r, 0, ca_cert, ca_key, &c,
	    NULL, err, sizeof(err)), "no CSR");
	{
		char *nohost = outside_csr(k, "Some Phone", NULL);

		FAILS(pki_csr_sign(nohost, slen(nohost), &r, 0, ca_cert, ca_key,
		    &c, NULL, err, sizeof(err)), "needs at least one FQDN");
		free(nohost);
	}
	{
		EVP_PKEY *weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		char *wcsr = outside_csr(weak, "weak.example.com", NULL);

		FAILS(pki_csr_sign(wcsr, slen(wcsr), &r, 0, ca_cert, ca_key, &c,
		    NULL, err, sizeof(err)), "too weak");
		free(wcsr);
		EVP_PKEY_free(weak);
	}
	{
		char *ctl = outside_csr(k, "evil\x07.example.com", NULL);

		FAILS(pki_csr_sign(ctl, slen(ctl), &r, 0, ca_cert, ca_key, &c,
		    NULL, err, sizeof(err)), "control characters");
		free(ctl);
	}
	{
		/* an otherName SAN cannot be kept */
		char *upn = outside_csr(k, "u.example.com",
		    "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@example.com");

		FAILS(pki_csr_sign(upn, slen(upn), &r, 1, ca_cert, ca_key, &c,
		    NULL, err, sizeof(err)), "unsupported subject alternative");
		OK(pki_csr_sign(upn, slen(upn), &r, 0, ca_cert, ca_key, &c,
		    NULL, err, sizeof(err)));
		pki_pem_free(c);
		c = NULL;
		free(upn);
	}
	assert_null(c);
	free(csr);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_accept),
		cmocka_unit_test(test_sign_uploaded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
