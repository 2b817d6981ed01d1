/*
 * pki X.509 groundwork: enum names, serials, DN checks, keys.
 */
#include "test_pki_fixture.h"

static void
test_names(void **state)
{
	enum pki_keytype	t;
	enum pki_digest		d;

	assert_string_equal(pki_keytype_name(PKI_KEY_RSA2048), "RSA 2048");
	assert_string_equal(pki_keytype_name(PKI_KEY_EC521), "ECDSA P-521");
	assert_string_equal(pki_keytype_name((enum pki_keytype)99), "?");
	assert_int_equal(pki_keytype_parse("ec384", &t), 0);
	assert_int_equal(t, PKI_KEY_EC384);
	assert_int_equal(pki_keytype_parse("RSA 4096", &t), 0);
	assert_int_equal(t, PKI_KEY_RSA4096);
	assert_int_equal(pki_keytype_parse("rsa1024", &t), -1);
	assert_int_equal(pki_keytype_parse(NULL, &t), -1);
	assert_int_equal(pki_digest_parse("SHA384", &d), 0);
	assert_int_equal(d, PKI_MD_SHA384);
	assert_int_equal(pki_digest_parse("md5", &d), -1);
	assert_string_equal(pki_digest_name(PKI_MD_SHA512), "sha512");
	assert_string_equal(pki_crl_reason_name(1), "keyCompromise");
	assert_string_equal(pki_crl_reason_name(6), "certificateHold");
	assert_string_equal(pki_crl_reason_name(7), "?");
}

static void
test_serials(void **state)
{
	char	a[PKI_SERIAL_HEXLEN], b[PKI_SERIAL_HEXLEN], n[64];
	char	err[ERRLEN];
	int	i, hi = 0;

	for (i = 0; i < 200; i++) {
		OK(pki_serial_new(a, err, sizeof(err)));
		assert_true(strlen(a) <= 32 && strlen(a) % 2 == 0);
		assert_true(strlen(a) >= 2);
		/* positive: a full first octet has its top bit clear */
		if (strlen(a) == 32) {
			assert_non_null(strchr("01234567", a[0]));
			hi++;
		}
		OK(pki_serial_new(b, err, sizeof(err)));
		assert_string_not_equal(a, b);
		assert_int_not_equal(pki_serial_cmp(a, b), 0);
		assert_int_equal(pki_serial_cmp(a, a), 0);
		OK(pki_serial_norm(a, n, sizeof(n), err, sizeof(err)));
		assert_string_equal(a, n);
	}
	assert_true(hi > 150);	/* nearly all use the full 16 octets */

	OK(pki_serial_norm("0x00:0a:Bc", n, sizeof(n), err, sizeof(err)));
	assert_string_equal(n, "0ABC");
	OK(pki_serial_norm("1", n, sizeof(n), err, sizeof(err)));
	assert_string_equal(n, "01");
	FAILS(pki_serial_norm("00", n, sizeof(n), err, sizeof(err)), "zero");
	FAILS(pki_serial_norm("xyz", n, sizeof(n), err, sizeof(err)), "hex");
	FAILS(pki_serial_norm("", n, sizeof(n), err, sizeof(err)), "hex");
	FAILS(pki_serial_norm("01234567890123456789012345678901234567890A",
	    n, sizeof(n), err, sizeof(err)), "20 octets");
	assert_true(pki_serial_cmp("ff", "0100") < 0);
	assert_true(pki_serial_cmp("0x100", "ff") > 0);
	assert_int_equal(pki_serial_cmp("0A", "a"), 0);
	assert_true(pki_serial_cmp("zz", "01") < 0);
}

static void
test_dn_check(void **state)
{
	struct pki_dn	dn = { 0 };
	char		err[ERRLEN], long65[66], long129[130];

	memset(long65, 'a', 65);
	long65[65] = '\0';
	memset(long129, 'b', 129);
	long129[129] = '\0';

	dn.cn = "vpn.example.com";
	dn.c = "DE";
	dn.st = "Bayern";
	dn.l = "M\xc3\xbcnchen";	/* München */
	dn.o = "Example \xe2\x80\x93 GmbH";
	dn.ou = "IT";
	OK(pki_dn_check(&dn, err, sizeof(err)));

	dn.cn = NULL;
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "Common Name is required");
	dn.cn = "";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "Common Name is required");
	dn.cn = "bad\x01name";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "control characters");
	dn.cn = "tab\tname";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "control characters");
	dn.cn = "del\x7f";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "control characters");
	dn.cn = "c1 \xc2\x85 nel";	/* U+0085, a C1 control */
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "control characters");
	dn.cn = "bad \xff utf8";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "not valid UTF-8");
	dn.cn = "overlong \xc0\xaf";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "not valid UTF-8");
	dn.cn = "surrogate \xed\xa0\x80";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "not valid UTF-8");
	dn.cn = "cut \xe2\x82";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "not valid UTF-8");
	dn.cn = long65;
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "Common Name is 65 characters");
	long65[64] = '\0';
	dn.cn = long65;
	OK(pki_dn_check(&dn, err, sizeof(err)));
	dn.o = long129 + 64;	/* 65 characters */
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "Organization is 65");
	dn.o = "O";
	dn.ou = long129 + 64;
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "Organizational Unit is 65");
	dn.ou = NULL;
	dn.l = long129;
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "City is 129");
	dn.l = long129 + 1;	/* 128 */
	OK(pki_dn_check(&dn, err, sizeof(err)));
	dn.st = long129;
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "State is 129");
	dn.st = NULL;
	dn.l = NULL;
	/* characters, not bytes: 64 two-byte characters are fine */
	{
		char u[64 * 2 + 1];
		int i;

		for (i = 0; i < 64; i++)
			memcpy(u + 2 * i, "\xc3\xa4", 2);
		u[128] = '\0';
		dn.cn = u;
		OK(pki_dn_check(&dn, err, sizeof(err)));
	}
	dn.cn = "x";
	dn.c = "de";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "two-letter ISO 3166");
	dn.c = "DEU";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "two-letter ISO 3166");
	dn.c = "XX";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "two-letter ISO 3166");
	dn.c = "UK";	/* reserved, not assigned: GB is the code */
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "two-letter ISO 3166");
	dn.c = "GB";
	OK(pki_dn_check(&dn, err, sizeof(err)));
	dn.o = " padded";
	FAILS(pki_dn_check(&dn, err, sizeof(err)), "space");
}

/*
 * Every code of Debian's iso-codes list is accepted, and the count of
 * accepted codes is exactly that list's (when the package is installed).
 */
static void
test_countries_match_iso_codes(void **state)
{
	json_error_t	 je;
	json_t		*root, *arr, *v;
	char		 err[ERRLEN], code[3];
	struct pki_dn	 dn = dn_cn("x");
	size_t		 i, n = 0;
	int		 a, b;

	root = json_load_file("/usr/share/iso-codes/json/iso_3166-1.json", 0, &je);
	if (root == NULL)
		skip();
	arr = json_object_get(root, "3166-1");
	json_array_foreach(arr, i, v) {
		dn.c = json_string_value(json_object_get(v, "alpha_2"));
		OK(pki_dn_check(&dn, err, sizeof(err)));
	}
	for (a = 'A'; a <= 'Z'; a++)
		for (b = 'A'; b <= 'Z'; b++) {
			code[0] = (char)a;
			code[1] = (char)b;
			code[2] = '\0';
			dn.c = code;
			if (pki_dn_check(&dn, err, sizeof(err)) == 0)
				n++;
		}
	assert_int_equal(n, json_array_size(arr));
	json_decref(root);
}

static void
test_keys(void **state)
{
	char		 err[ERRLEN], *ec = NULL, *rsa = NULL, *enc = NULL;
	char		*back = NULL, *plain = NULL, *ec2 = NULL;
	EVP_PKEY	*weak;
	char		*weak_pem;

	OK(pki_key_new(PKI_KEY_EC256, &ec, err, sizeof(err)));
	assert_non_null(strstr(ec, "-----BEGIN PRIVATE KEY-----"));
	OK(pki_key_new(PKI_KEY_RSA2048, &rsa, err, sizeof(err)));
	assert_non_null(strstr(rsa, "-----BEGIN PRIVATE KEY-----"));
	FAILS(pki_key_new((enum pki_keytype)42, &back, err, sizeof(err)),
	    "unknown key type");

	/* round trip */
	OK(pki_key_load(ec, slen(ec), NULL, &back, err, sizeof(err)));
	assert_string_equal(back, ec);
	pki_pem_free(back);

	/* encrypted export: AES-256-CBC PKCS#8, loads back with the pass */
	OK(pki_key_export(rsa, "s3cret pass", &enc, err, sizeof(err)));
	assert_non_null(strstr(enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
	OK(pki_key_load(enc, slen(enc), "s3cret pass", &back, err, sizeof(err)));
	assert_string_equal(back, rsa);
	pki_pem_free(back);
	back = NULL;
	FAILS(pki_key_load(enc, slen(enc), "wrong", &back, err, sizeof(err)),
	    "wrong passphrase");
	FAILS(pki_key_load(enc, slen(enc), NULL, &back, err, sizeof(err)),
	    "passphrase is needed");
	assert_null(back);
	OK(pki_key_export(rsa, NULL, &plain, err, sizeof(err)));
	assert_string_equal(plain, rsa);
	pki_pem_free(plain);
	OK(pki_key_export(rsa, "", &plain, err, sizeof(err)));
	assert_string_equal(plain, rsa);

	/* a traditional (PKCS#1) RSA 1024 key is read, and refused */
	weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(weak);
	weak_pem = raw_key_pem(weak);
	FAILS(pki_key_load(weak_pem, slen(weak_pem), NULL, &back, err,
	    sizeof(err)), "too weak");
	assert_non_null(strstr(err, "1024"));
	free(weak_pem);
	EVP_PKEY_free(weak);

	/* garbage */
	FAILS(pki_key_load("hello", 5, NULL, &back, err, sizeof(err)),
	    "neither PEM nor DER");
	FAILS(pki_key_load(ec, 0, NULL, &back, err, sizeof(err)), "empty");

	/* match */
	{
		char *ca = NULL, *cakey = NULL;

		make_ca(PKI_KEY_EC256, "Match CA", &ca, &cakey);
		OK(pki_key_match(ca, cakey, err, sizeof(err)));
		OK(pki_key_new(PKI_KEY_EC256, &ec2, err, sizeof(err)));
		FAILS(pki_key_match(ca, ec2, err, sizeof(err)), "does not match");
		FAILS(pki_key_match(ca, rsa, err, sizeof(err)), "does not match");
		FAILS(pki_key_match("junk", rsa, err, sizeof(err)),
		    "certificate");
		pki_pem_free(ca);
		pki_pem_free(cakey);
	}
	pki_pem_free(ec);
	pki_pem_free(ec2);
	pki_pem_free(rsa);
	pki_pem_free(enc);
	pki_pem_free(plain);
	pki_pem_free(NULL);
	pki_der_free(NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_serials),
		cmocka_unit_test(test_dn_check),
		cmocka_unit_test(test_countries_match_iso_codes),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
