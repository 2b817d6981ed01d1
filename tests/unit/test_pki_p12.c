/*
 * pki PKCS#12 export: both levels' algorithms as read back by OpenSSL,
 * chain and friendly name, re-import, and import of an RC2 file (legacy
 * provider).
 */
#include <openssl/pkcs12.h>

#include "test_pki_fixture.h"

static char	*ca_cert, *ca_key, *user_cert, *user_key;

static int
setup(void **state)
{
	struct pki_req	r = req_new(PKI_CERT_USER, PKI_KEY_RSA2048,
	    "dave@example.com");
	char		err[ERRLEN];

	make_ca(PKI_KEY_EC256, "P12 Test CA", &ca_cert, &ca_key);
	OK(pki_cert_create(&r, ca_cert, ca_key, &user_cert, &user_key, NULL,
	    err, sizeof(err)));
	return 0;
}

static int
teardown(void **state)
{
	pki_pem_free(ca_cert);
	pki_pem_free(ca_key);
	pki_pem_free(user_cert);
	pki_pem_free(user_key);
	return 0;
}

struct p12_facts {
	int	 mac_nid;
	long	 mac_iter;
	int	 cert_alg;	/* NID of the encrypted-data algorithm */
	int	 key_alg;	/* NID of the shrouded key's algorithm */
	int	 ncerts;
	int	 nkeys;
	char	 name[64];	/* friendly name on the key */
};

static int
alg_nid(const X509_ALGOR *a)
{
	const ASN1_OBJECT *obj;

	X509_ALGOR_get0(&obj, NULL, NULL, a);
	return OBJ_obj2nid(obj);
}

static void
bags_facts(const STACK_OF(PKCS12_SAFEBAG) *bags, struct p12_facts *f)
{
	const ASN1_TYPE	*t;
	int		 i;
	char		*fn;

	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);

		switch (PKCS12_SAFEBAG_get_nid(bag)) {
		case NID_certBag:
			f->ncerts++;
			break;
		case NID_pkcs8ShroudedKeyBag: {
			const X509_ALGOR *a;

			X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &a, NULL);
			f->key_alg = alg_nid(a);
			f->nkeys++;
			/* BMPString to UTF-8 (PKCS12_get_friendlyname is
			   ASCII-only in OpenSSL 3.0) */
			t = PKCS12_get_attr_gen(PKCS12_SAFEBAG_get0_attrs(bag),
			    NID_friendlyName);
			fn = NULL;
			if (t != NULL && t->type == V_ASN1_BMPSTRING &&
			    ASN1_STRING_to_UTF8((unsigned char **)&fn,
			    t->value.bmpstring) >= 0)
				snprintf(f->name, sizeof(f->name), "%s", fn);
			OPENSSL_free(fn);
			break;
		}
		default:
			break;
		}
	}
}

static void
p12_facts(const uint8_t *der, size_t len, const char *pass,
    struct p12_facts *f)
{
	const unsigned char	*p = der;
	PKCS12			*p12 = d2i_PKCS12(NULL, &p, (long)len);
	const X509_ALGOR	*macalg;
	const ASN1_INTEGER	*iter;
	STACK_OF(PKCS7)		*safes;
	STACK_OF(PKCS12_SAFEBAG) *bags;
	int			 i;

	memset(f, 0, sizeof(*f));
	assert_non_null(p12);
	assert_true(PKCS12_verify_mac(p12, pass, -1));
	PKCS12_get0_mac(NULL, &macalg, NULL, &iter, p12);
	f->mac_nid = alg_nid(macalg);
	f->mac_iter = ASN1_INTEGER_get(iter);
	safes = PKCS12_unpack_authsafes(p12);
	assert_non_null(safes);
	for (i = 0; i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);

		if (OBJ_obj2nid(p7->type) == NID_pkcs7_encrypted) {
			f->cert_alg = alg_nid(p7->d.encrypted->enc_data->algorithm);
			bags = PKCS12_unpack_p7encdata(p7, pass, -1);
		} else
			bags = PKCS12_unpack_p7data(p7);
		assert_non_null(bags);
		bags_facts(bags, f);
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
}

static void
test_levels(void **state)
{
	char			 err[ERRLEN];
	uint8_t			*p12;
	size_t			 len;
	struct p12_facts	 f;
	struct pki_bundle	 b;

	OK(pki_p12_export(user_cert, user_key, ca_cert, "Dave \xe2\x98\x85",
	    "pa55", PKI_P12_MODERN, &p12, &len, err, sizeof(err)));
	p12_facts(p12, len, "pa55", &f);
	assert_int_equal(f.mac_nid, NID_sha256);
	assert_true(f.mac_iter >= 2048);
	assert_int_equal(f.cert_alg, NID_pbes2);
	assert_int_equal(f.key_alg, NID_pbes2);
	assert_int_equal(f.ncerts, 2);
	assert_int_equal(f.nkeys, 1);
	assert_string_equal(f.name, "Dave \xe2\x98\x85");
	OK(pki_import(p12, len, "pa55", &b, err, sizeof(err)));
	assert_int_equal(b.ncerts, 2);
	assert_string_equal(b.key, user_key);
	assert_non_null(strstr(b.certs, user_cert));
	pki_bundle_free(&b);
	pki_der_free(p12, len);

	OK(pki_p12_export(user_cert, user_key, NULL, "dave", "pa55",
	    PKI_P12_LEGACY, &p12, &len, err, sizeof(err)));
	p12_facts(p12, len, "pa55", &f);
	assert_int_equal(f.mac_nid, NID_sha1);
	assert_true(f.mac_iter >= 2048);
	assert_int_equal(f.cert_alg, NID_pbe_WithSHA1And3_Key_TripleDES_CBC);
	assert_int_equal(f.key_alg, NID_pbe_WithSHA1And3_Key_TripleDES_CBC);
	assert_int_equal(f.ncerts, 1);
	assert_string_equal(f.name, "dave");
	OK(pki_import(p12, len, "pa55", &b, err, sizeof(err)));
	assert_int_equal(b.ncerts, 1);
	pki_bundle_free(&b);
	FAILS(pki_import(p12, len, "pa56", &b, err, sizeof(err)),
	    "wrong password");
	pki_der_free(p12, len);

	/* no friendly name at all */
	OK(pki_p12_export(user_cert, user_key, NULL, NULL, "x",
	    PKI_P12_MODERN, &p12, &len, err, sizeof(err)));
	p12_facts(p12, len, "x", &f);
	assert_string_equal(f.name, "");
	pki_der_free(p12, len);
}

static void
test_refusals(void **state)
{
	char	 err[ERRLEN], *other;
	uint8_t	*p12 = NULL;
	size_t	 len = 0;

	FAILS(pki_p12_export(user_cert, user_key, NULL, "n", "", PKI_P12_MODERN,
	    &p12, &len, err, sizeof(err)), "needs a password");
	FAILS(pki_p12_export(user_cert, user_key, NULL, "n", NULL,
	    PKI_P12_MODERN, &p12, &len, err, sizeof(err)), "needs a password");
	FAILS(pki_p12_export(user_cert, user_key, NULL, "bad\nname", "p",
	    PKI_P12_MODERN, &p12, &len, err, sizeof(err)), "friendly name");
	FAILS(pki_p12_export(user_cert, user_key, NULL, "n", "p",
	    (enum pki_p12_level)5, &p12, &len, err, sizeof(err)), "level");
	OK(pki_key_new(PKI_KEY_EC256, &other, err, sizeof(err)));
	FAILS(pki_p12_export(user_cert, other, NULL, "n", "p", PKI_P12_MODERN,
	    &p12, &len, err, sizeof(err)), "does not match");
	FAILS(pki_p12_export(user_cert, user_key, "garbage chain", "n", "p",
	    PKI_P12_MODERN, &p12, &len, err, sizeof(err)), "neither PEM nor DER");
	assert_null(p12);
	pki_pem_free(other);
}

/* A PKCS#12 as OpenSSL 1.x made them by default: RC2-40 for the
   certificates (legacy provider), 3DES for the key, SHA-1 MAC. */
static void
test_import_rc2(void **state)
{
	char			 err[ERRLEN], *c = NULL, *k = NULL;
	BIO			*b;
	X509			*x;
	EVP_PKEY		*key;
	PKCS12			*p12;
	unsigned char		*der = NULL;
	int			 n;

	b = BIO_new_mem_buf(user_cert, -1);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	b = BIO_new_mem_buf(user_key, -1);
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(x);
	assert_non_null(key);
	p12 = PKCS12_create_ex("old", "old", key, x, NULL,
	    NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
	    NID_pbe_WithSHA1And40BitRC2_CBC, 2048, 2048, 0, NULL, NULL);
	if (p12 == NULL) {
		/* no legacy provider on this machine */
		X509_free(x);
		EVP_PKEY_free(key);
		skip();
	}
	n = i2d_PKCS12(p12, &der);
	assert_true(n > 0);
	OK(pki_cert_import(der, (size_t)n, NULL, 0, "old", &c, &k, NULL, NULL,
	    err, sizeof(err)));
	assert_string_equal(c, user_cert);
	assert_string_equal(k, user_key);
	pki_pem_free(c);
	pki_pem_free(k);
	OPENSSL_free(der);
	PKCS12_free(p12);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* A PKCS#12 without MAC is refused; so is an absurd MAC iteration count. */
static void
test_import_odd(void **state)
{
	char		 err[ERRLEN];
	struct pki_bundle b;
	BIO		*bio;
	X509		*x;
	EVP_PKEY	*key;
	PKCS12		*p12;
	unsigned char	*der = NULL;
	int		 n;

	bio = BIO_new_mem_buf(user_cert, -1);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	bio = BIO_new_mem_buf(user_key, -1);
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	p12 = PKCS12_create_ex("pw", NULL, key, x, NULL, NID_aes_256_cbc,
	    NID_aes_256_cbc, 2048, -1, 0, NULL, NULL);
	assert_non_null(p12);
	n = i2d_PKCS12(p12, &der);
	FAILS(pki_import(der, (size_t)n, "pw", &b, err, sizeof(err)),
	    "no integrity MAC");
	OPENSSL_free(der);
	der = NULL;
	assert_true(PKCS12_set_mac(p12, "pw", -1, NULL, 0, 2000000, NULL));
	n = i2d_PKCS12(p12, &der);
	FAILS(pki_import(der, (size_t)n, "pw", &b, err, sizeof(err)),
	    "iteration count");
	OPENSSL_free(der);
	PKCS12_free(p12);
	X509_free(x);
	EVP_PKEY_free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_import_rc2),
		cmocka_unit_test(test_import_odd),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
