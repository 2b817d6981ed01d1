/*
 * pki CRLs: building, DER export, verification against the right and the
 * wrong CA, tampering, entries and reasons.
 */
#include <openssl/x509v3.h>

#include "test_pki_fixture.h"

static char	*ca_cert, *ca_key;

static int
setup(void **state)
{
	make_ca(PKI_KEY_EC256, "CRL Test CA", &ca_cert, &ca_key);
	return 0;
}

static int
teardown(void **state)
{
	pki_pem_free(ca_cert);
	pki_pem_free(ca_key);
	return 0;
}

static const json_t *
entry_for(const json_t *info, const char *serial)
{
	size_t	 i;
	json_t	*e;

	json_array_foreach(json_object_get(info, "entries"), i, e)
		if (strcmp(jstr_of(e, "serial"), serial) == 0)
			return e;
	return NULL;
}

static void
test_create_verify(void **state)
{
	const struct pki_revoked rev[] = {
		{ "0A1B2C", 1700000000, PKI_CRL_KEY_COMPROMISE },
		{ "7F00FF00FF00FF00FF00FF00FF00FF00", 0, PKI_CRL_UNSPECIFIED },
		{ "01", 1600000000, PKI_CRL_CERTIFICATE_HOLD },
		{ "0x1234", 1650000000, PKI_CRL_SUPERSEDED },
	};
	char		 err[ERRLEN], *crl, *pem;
	uint8_t		*der;
	size_t		 derlen;
	json_t		*info;
	const json_t	*e;
	time_t		 now = time(NULL);

	OK(pki_crl_create(ca_cert, ca_key, rev, 4, 17, 7, &crl, err,
	    sizeof(err)));
	assert_non_null(strstr(crl, "-----BEGIN X509 CRL-----"));
	OK(pki_crl_verify(crl, slen(crl), ca_cert, &pem, &info, err,
	    sizeof(err)));
	assert_string_equal(pem, crl);
	assert_string_equal(jstr_of(info, "issuer"), "CN=CRL Test CA,"
	    "O=ikegw tests,C=DE");
	assert_string_equal(jstr_of(info, "number"), "11");	/* 17 */
	assert_true(json_is_false(json_object_get(info, "expired")));
	assert_true(llabs((long long)json_integer_value(json_object_get(info,
	    "last_update")) - (long long)now) < 60);
	assert_int_equal(json_integer_value(json_object_get(info,
	    "next_update")) - json_integer_value(json_object_get(info,
	    "last_update")), 7 * 86400);
	assert_int_equal(json_array_size(json_object_get(info, "entries")), 4);
	e = entry_for(info, "0A1B2C");
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "reason_code")), 1);
	assert_string_equal(jstr_of(e, "reason"), "keyCompromise");
	assert_int_equal(json_integer_value(json_object_get(e, "revoked")),
	    1700000000);
	assert_string_equal(jstr_of(e, "revoked_iso"), "2023-11-14T22:13:20Z");
	e = entry_for(info, "7F00FF00FF00FF00FF00FF00FF00FF00");
	assert_non_null(e);
	assert_int_equal(json_integer_value(json_object_get(e, "reason_code")), 0);
	assert_true(llabs((long long)json_integer_value(json_object_get(e,
	    "revoked")) - (long long)now) < 60);
	e = entry_for(info, "01");
	assert_string_equal(jstr_of(e, "reason"), "certificateHold");
	e = entry_for(info, "1234");
	assert_string_equal(jstr_of(e, "reason"), "superseded");
	json_decref(info);
	pki_pem_free(pem);

	/* the DER form verifies the same */
	OK(pki_crl_der(crl, &der, &derlen, err, sizeof(err)));
	OK(pki_crl_verify(der, derlen, ca_cert, NULL, NULL, err, sizeof(err)));

	/* "unspecified" carries no reasonCode extension (RFC 5280 5.3.1) */
	{
		const unsigned char	*p = der;
		X509_CRL		*x = d2i_X509_CRL(NULL, &p, (long)derlen);
		STACK_OF(X509_REVOKED)	*rs = X509_CRL_get_REVOKED(x);
		int			 i, with = 0;

		assert_non_null(x);
		for (i = 0; i < sk_X509_REVOKED_num(rs); i++)
			if (X509_REVOKED_get_ext_by_NID(sk_X509_REVOKED_value(rs,
			    i), NID_crl_reason, -1) >= 0)
				with++;
		assert_int_equal(with, 3);
		assert_int_equal(X509_CRL_get_version(x), X509_CRL_VERSION_2);
		assert_true(X509_CRL_get_ext_by_NID(x,
		    NID_authority_key_identifier, -1) >= 0);
		X509_CRL_free(x);
	}

	/* tampered: one bit of the DER flipped inside the entries */
	der[derlen / 2] ^= 0x01;
	err[0] = '\0';
	assert_int_equal(pki_crl_verify(der, derlen, ca_cert, NULL, NULL, err,
	    sizeof(err)), -1);
	assert_true(err[0] != '\0');
	pki_der_free(der, derlen);
	pki_pem_free(crl);
}

static void
test_other_ca(void **state)
{
	char	 err[ERRLEN], *crl, *other, *okey, *twin, *tkey;
	struct pki_revoked r = { "05", 0, PKI_CRL_CESSATION };

	OK(pki_crl_create(ca_cert, ca_key, &r, 1, 1, 0, &crl, err, sizeof(err)));
	make_ca(PKI_KEY_EC256, "Another CA", &other, &okey);
	FAILS(pki_crl_verify(crl, slen(crl), other, NULL, NULL, err, sizeof(err)),
	    "not by this CA");
	/* same name, different key: the signature check catches it */
	make_ca(PKI_KEY_EC256, "CRL Test CA", &twin, &tkey);
	FAILS(pki_crl_verify(crl, slen(crl), twin, NULL, NULL, err, sizeof(err)),
	    "signature does not verify");
	FAILS(pki_crl_verify(ca_cert, slen(ca_cert), ca_cert, NULL, NULL, err,
	    sizeof(err)), "no CRL");
	FAILS(pki_crl_verify("junk", 4, ca_cert, NULL, NULL, err, sizeof(err)),
	    "neither PEM nor DER");
	/* the CA's key must match to build one */
	pki_pem_free(crl);
	FAILS(pki_crl_create(ca_cert, okey, &r, 1, 1, 0, &crl, err, sizeof(err)),
	    "does not match");
	assert_null(crl);
	pki_pem_free(other);
	pki_pem_free(okey);
	pki_pem_free(twin);
	pki_pem_free(tkey);
}

static void
test_refusals(void **state)
{
	char			 err[ERRLEN], *crl = NULL;
	struct pki_revoked	 bad_reason = { "05", 0, 7 };
	struct pki_revoked	 bad_serial = { "xyz", 0, 0 };
	struct pki_revoked	 no_serial = { NULL, 0, 0 };
	struct pki_revoked	 dup[] = { { "05", 0, 0 }, { "0x0005", 0, 1 } };
	struct pki_warn		 w = { 0 };

	FAILS(pki_crl_create(ca_cert, ca_key, &bad_reason, 1, 1, 1, &crl, err,
	    sizeof(err)), "reason");
	FAILS(pki_crl_create(ca_cert, ca_key, &bad_serial, 1, 1, 1, &crl, err,
	    sizeof(err)), "serial");
	FAILS(pki_crl_create(ca_cert, ca_key, &no_serial, 1, 1, 1, &crl, err,
	    sizeof(err)), "no serial");
	FAILS(pki_crl_create(ca_cert, ca_key, dup, 2, 1, 1, &crl, err,
	    sizeof(err)), "twice");
	FAILS(pki_crl_create(ca_cert, ca_key, NULL, 0, 1, -3, &crl, err,
	    sizeof(err)), "lifetime");
	/* a user certificate cannot sign a CRL */
	{
		struct pki_req r = req_new(PKI_CERT_USER, PKI_KEY_EC256, "u");
		char *c, *k;

		OK(pki_cert_create(&r, ca_cert, ca_key, &c, &k, &w, err,
		    sizeof(err)));
		FAILS(pki_crl_create(c, k, NULL, 0, 1, 1, &crl, err, sizeof(err)),
		    "not a CA");
		pki_pem_free(c);
		pki_pem_free(k);
	}
	/* an empty CRL is fine */
	OK(pki_crl_create(ca_cert, ca_key, NULL, 0, UINT64_MAX, 1, &crl, err,
	    sizeof(err)));
	{
		json_t *info;

		OK(pki_crl_verify(crl, slen(crl), ca_cert, NULL, &info, err,
		    sizeof(err)));
		assert_int_equal(json_array_size(json_object_get(info,
		    "entries")), 0);
		assert_string_equal(jstr_of(info, "number"), "FFFFFFFFFFFFFFFF");
		json_decref(info);
	}
	pki_pem_free(crl);
	{
		uint8_t	*der = NULL;
		size_t	 derlen = 1;

		FAILS(pki_crl_der("nope", &der, &derlen, err, sizeof(err)),
		    "neither PEM nor DER");
		assert_null(der);
		assert_int_equal(derlen, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_verify),
		cmocka_unit_test(test_other_ca),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
