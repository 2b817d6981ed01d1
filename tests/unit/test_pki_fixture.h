/*
 * Helpers shared by the tests of the X.509 part of pki/ (test_pki_*.c).
 * Everything is static: each test binary includes this once.
 *
 * Fixtures the public API cannot make on purpose (weak keys, expired or
 * non-CA certificates) are built here with OpenSSL directly.
 */
#ifndef TEST_PKI_FIXTURE_H
#define TEST_PKI_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki/pki.h"

#define ERRLEN 512

/* Asserts rc == 0, printing err otherwise. */
#define OK(call) do {							\
	int rc_ = (call);						\
	if (rc_ != 0)							\
		print_error("unexpected failure: %s\n", err);		\
	assert_int_equal(rc_, 0);					\
} while (0)

/* Asserts rc == -1 and that err contains needle. */
#define FAILS(call, needle) do {					\
	err[0] = '\0';							\
	int rc_ = (call);						\
	if (rc_ != -1 || strstr(err, (needle)) == NULL)			\
		print_error("rc %d, err \"%s\", wanted \"%s\"\n", rc_,	\
		    err, (needle));					\
	assert_int_equal(rc_, -1);					\
	assert_non_null(strstr(err, (needle)));				\
} while (0)

static inline size_t
slen(const char *s)
{
	return strlen(s);
}

/* A DN with just a CN (others empty). */
static inline struct pki_dn
dn_cn(const char *cn)
{
	struct pki_dn d = { 0 };

	d.cn = cn;
	return d;
}

static inline struct pki_req
req_new(enum pki_cert_type type, enum pki_keytype key, const char *cn)
{
	struct pki_req r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.key = key;
	r.digest = PKI_MD_SHA256;
	r.dn = dn_cn(cn);
	return r;
}

/* A root CA (EC P-256 unless asked otherwise). */
static inline void
make_ca(enum pki_keytype key, const char *cn, char **cert, char **k)
{
	struct pki_req	r = req_new(PKI_CERT_USER, key, cn);
	char		err[ERRLEN];

	r.dn.c = "DE";
	r.dn.o = "ikegw tests";
	OK(pki_ca_create(&r, NULL, NULL, cert, k, NULL, err, sizeof(err)));
}

/* pki_cert_info of a PEM text; asserts success. */
static inline json_t *
info_of(const char *pem)
{
	json_t	*j = NULL;
	char	 err[ERRLEN];

	OK(pki_cert_info(pem, strlen(pem), &j, err, sizeof(err)));
	return j;
}

/* 1 when the JSON array arr holds the string s. */
static inline int
jarr_has(const json_t *arr, const char *s)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* 1 when the SAN array holds {type, value}. */
static inline int
san_has(const json_t *info, const char *type, const char *value)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(json_object_get(info, "san"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "type")), type)
		    == 0 && strcmp(json_string_value(json_object_get(v,
		    "value")), value) == 0)
			return 1;
	return 0;
}

static inline const char *
jstr_of(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s != NULL ? s : "";
}

/* PEM of an OpenSSL object through a memory BIO. */
static inline char *
bio_take(BIO *b)
{
	char	*data, *s;
	long	 n = BIO_get_mem_data(b, &data);

	s = malloc((size_t)n + 1);
	assert_non_null(s);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	return s;
}

static inline char *
raw_key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_true(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL));
	return bio_take(b);
}

static inline char *
raw_cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_true(PEM_write_bio_X509(b, x));
	return bio_take(b);
}

/*
 * A self-signed certificate made with OpenSSL directly: key k, CA or not,
 * valid from now + nb_days to now + na_days (negative: in the past).
 */
static inline char *
raw_selfsigned(EVP_PKEY *k, int ca, long nb_days, long na_days)
{
	X509			*x = X509_new();
	X509_NAME		*n = X509_NAME_new();
	BASIC_CONSTRAINTS	*bc = BASIC_CONSTRAINTS_new();
	char			*pem;

	assert_non_null(x);
	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 4242));
	assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"raw test", -1, -1, 0));
	assert_true(X509_set_subject_name(x, n));
	assert_true(X509_set_issuer_name(x, n));
	assert_true(X509_set_pubkey(x, k));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), nb_days * 86400));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), na_days * 86400));
	bc->ca = ca ? 0xff : 0;
	assert_int_equal(X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, 0), 1);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	pem = raw_cert_pem(x);
	BASIC_CONSTRAINTS_free(bc);
	X509_NAME_free(n);
	X509_free(x);
	return pem;
}

/* The DER bytes of the first PEM block of any kind. */
static inline unsigned char *
pem_to_der(const char *pem, long *len)
{
	BIO		*b = BIO_new_mem_buf(pem, -1);
	char		*name = NULL, *header = NULL;
	unsigned char	*data = NULL, *copy;

	assert_true(PEM_read_bio(b, &name, &header, &data, len));
	copy = malloc((size_t)*len);
	assert_non_null(copy);
	memcpy(copy, data, (size_t)*len);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	BIO_free(b);
	return copy;
}

/* The DER bytes re-wrapped as PEM with the given label. */
static inline char *
der_to_pem(const char *label, const unsigned char *der, long len)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_true(PEM_write_bio(b, label, "", der, len));
	return bio_take(b);
}

#endif
