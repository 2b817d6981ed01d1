/*
 * X.509 groundwork shared by the certificate manager: provider loading,
 * messages, PEM/DER writers, keys, serials, times.  The public functions
 * here are the small ones of pki.h (names, serials, keys, frees); the
 * rest is declared in pki_internal.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "pki_internal.h"

/* ---------------------------------------------------------------- providers */

static CRYPTO_ONCE	 provider_once = CRYPTO_ONCE_STATIC_INIT;
static OSSL_PROVIDER	*prov_default, *prov_legacy;

/*
 * Runs at exit before OPENSSL_cleanup (atexit handlers run in reverse
 * order, and OpenSSL registered its own when it was first initialised,
 * before ours).  Without it the legacy provider's child library context is
 * never freed, which LeakSanitizer reports.
 */
static void
providers_unload(void)
{
	if (prov_legacy != NULL)
		OSSL_PROVIDER_unload(prov_legacy);
	if (prov_default != NULL)
		OSSL_PROVIDER_unload(prov_default);
	prov_legacy = prov_default = NULL;
}

static void
providers_load(void)
{
	/*
	 * Loading any provider explicitly stops OpenSSL from loading the
	 * default one implicitly, so load "default" first, then "legacy"
	 * (PKCS#12 files from OpenSSL 1.x and Windows use RC2-40 for the
	 * certificates).
	 */
	prov_default = OSSL_PROVIDER_load(NULL, "default");
	prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	ERR_clear_error();
	(void)atexit(providers_unload);
}

void
pkix_init(void)
{
	(void)CRYPTO_THREAD_run_once(&provider_once, providers_load);
}

int
pkix_legacy_available(void)
{
	pkix_init();
	return prov_legacy != NULL;
}

/* ---------------------------------------------------------------- messages */

int
pkix_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	ERR_clear_error();
	return -1;
}

int
pkix_err_ssl(char *err, size_t errlen, const char *fmt, ...)
{
	va_list		 ap;
	unsigned long	 e;
	const char	*reason;
	size_t		 used;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		e = ERR_peek_last_error();
		reason = e != 0 ? ERR_reason_error_string(e) : NULL;
		used = strlen(err);
		if (reason != NULL && used + 3 < errlen)
			snprintf(err + used, errlen - used, " (%s)", reason);
	}
	ERR_clear_error();
	return -1;
}

void
pkix_warn(struct pki_warn *warn, const char *fmt, ...)
{
	va_list	ap;

	if (warn == NULL || warn->n < 0 || warn->n >= PKI_WARN_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(warn->msg[warn->n], sizeof(warn->msg[0]), fmt, ap);
	va_end(ap);
	warn->n++;
}

/* ---------------------------------------------------------------- names of enums */

static const struct {
	enum pki_keytype	 type;
	const char		*form;
	const char		*name;
	const char		*alg;		/* for EVP_PKEY_Q_keygen */
	size_t			 bits;
	const char		*curve;
} keytypes[] = {
	{ PKI_KEY_RSA2048, "rsa2048", "RSA 2048", "RSA", 2048, NULL },
	{ PKI_KEY_RSA3072, "rsa3072", "RSA 3072", "RSA", 3072, NULL },
	{ PKI_KEY_RSA4096, "rsa4096", "RSA 4096", "RSA", 4096, NULL },
	{ PKI_KEY_EC256,   "ec256",   "ECDSA P-256", "EC", 0, "P-256" },
	{ PKI_KEY_EC384,   "ec384",   "ECDSA P-384", "EC", 0, "P-384" },
	{ PKI_KEY_EC521,   "ec521",   "ECDSA P-521", "EC", 0, "P-521" },
};
#define NKEYTYPES (sizeof(keytypes) / sizeof(keytypes[0]))

const char *
pki_keytype_name(enum pki_keytype t)
{
	size_t	i;

	for (i = 0; i < NKEYTYPES; i++)
		if (keytypes[i].type == t)
			return keytypes[i].name;
	return "?";
}

int
pki_keytype_parse(const char *s, enum pki_keytype *out)
{
	size_t	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < NKEYTYPES; i++) {
		if (strcasecmp(s, keytypes[i].form) == 0 ||
		    strcasecmp(s, keytypes[i].name) == 0) {
			*out = keytypes[i].type;
			return 0;
		}
	}
	return -1;
}

static const char *const digest_names[] = {
	[PKI_MD_SHA256] = "sha256",
	[PKI_MD_SHA384] = "sha384",
	[PKI_MD_SHA512] = "sha512",
};

const char *
pki_digest_name(enum pki_digest d)
{
	if ((unsigned)d >= sizeof(digest_names) / sizeof(digest_names[0]))
		return "?";
	return digest_names[d];
}

int
pki_digest_parse(const char *s, enum pki_digest *out)
{
	size_t	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(digest_names) / sizeof(digest_names[0]); i++) {
		if (strcasecmp(s, digest_names[i]) == 0) {
			*out = (enum pki_digest)i;
			return 0;
		}
	}
	return -1;
}

const EVP_MD *
pkix_sign_md(EVP_PKEY *signer, enum pki_digest d)
{
	if (EVP_PKEY_is_a(signer, "ED25519") || EVP_PKEY_is_a(signer, "ED448"))
		return NULL;
	switch (d) {
	case PKI_MD_SHA384:
		return EVP_sha384();
	case PKI_MD_SHA512:
		return EVP_sha512();
	case PKI_MD_SHA256:
	default:
		return EVP_sha256();
	}
}

/* ---------------------------------------------------------------- buffers */

char *
pkix_bio_str(BIO *bio)
{
	char	*data, *s;
	long	 n;

	n = BIO_get_mem_data(bio, &data);
	if (n < 0)
		return NULL;
	if ((s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

uint8_t *
pkix_bio_bytes(BIO *bio, size_t *len)
{
	char	*data;
	uint8_t	*b;
	long	 n;

	n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		return NULL;
	if ((b = malloc((size_t)n)) == NULL)
		return NULL;
	memcpy(b, data, (size_t)n);
	*len = (size_t)n;
	return b;
}

void
pki_pem_free(char *pem)
{
	if (pem == NULL)
		return;
	explicit_bzero(pem, strlen(pem));
	free(pem);
}

void
pki_der_free(uint8_t *der, size_t len)
{
	if (der == NULL)
		return;
	explicit_bzero(der, len);
	free(der);
}

/* ---------------------------------------------------------------- PEM writers */

/*
 * The end of every PEM writer: when written, the text in bio becomes *out
 * (malloc'ed), else the error is fail with OpenSSL's reason.  Frees bio
 * (NULL-safe).
 */
static int
pem_take(BIO *bio, int written, const char *fail, char **out, char *err,
    size_t errlen)
{
	int	rc = -1;

	if (!written)
		pkix_err_ssl(err, errlen, "%s", fail);
	else if ((*out = pkix_bio_str(bio)) == NULL)
		pkix_err(err, errlen, "out of memory");
	else
		rc = 0;
	BIO_free(bio);
	return rc;
}

int
pkix_cert_pem(X509 *x, char **out, char *err, size_t errlen)
{
	BIO	*bio = BIO_new(BIO_s_mem());

	return pem_take(bio, bio != NULL && PEM_write_bio_X509(bio, x),
	    "cannot write the certificate", out, err, errlen);
}

int
pkix_certs_pem(STACK_OF(X509) *sk, int from, char **out, char *err,
    size_t errlen)
{
	BIO	*bio;
	int	 i, ok = 1;

	*out = NULL;
	if (sk == NULL || sk_X509_num(sk) <= from)
		return 0;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return pkix_err(err, errlen, "out of memory");
	for (i = from; ok && i < sk_X509_num(sk); i++)
		ok = PEM_write_bio_X509(bio, sk_X509_value(sk, i));
	return pem_take(bio, ok, "cannot write a certificate", out, err, errlen);
}

/*
 * Private key as PKCS#8 PEM; with a non-empty pass, encrypted PKCS#8 with
 * AES-256-CBC (OpenSSL 3 writes PBES2 with PBKDF2-HMAC-SHA256).  The BIO is
 * the secure-memory kind, which is wiped when freed.
 */
int
pkix_key_pem(EVP_PKEY *k, const char *pass, char **out, char *err,
    size_t errlen)
{
	BIO	*bio;
	int	 ok;

	if ((bio = BIO_new(BIO_s_secmem())) == NULL)
		return pkix_err(err, errlen, "out of memory");
	if (pass != NULL && pass[0] != '\0')
		ok = PEM_write_bio_PKCS8PrivateKey(bio, k, EVP_aes_256_cbc(),
		    pass, (int)strlen(pass), NULL, NULL);
	else
		ok = PEM_write_bio_PKCS8PrivateKey(bio, k, NULL, NULL, 0, NULL,
		    NULL);
	return pem_take(bio, ok, "cannot write the private key", out, err,
	    errlen);
}

int
pkix_csr_pem(X509_REQ *r, char **out, char *err, size_t errlen)
{
	BIO	*bio = BIO_new(BIO_s_mem());

	return pem_take(bio, bio != NULL && PEM_write_bio_X509_REQ(bio, r),
	    "cannot write the CSR", out, err, errlen);
}

int
pkix_crl_pem(X509_CRL *c, char **out, char *err, size_t errlen)
{
	BIO	*bio = BIO_new(BIO_s_mem());

	return pem_take(bio, bio != NULL && PEM_write_bio_X509_CRL(bio, c),
	    "cannot write the CRL", out, err, errlen);
}

/* ---------------------------------------------------------------- stored PEM back */

/* pkix_load of a PEM we stored; messages start with what. */
static int
load_stored(const char *pem, const char *what, struct pkix_objs *o, char *err,
    size_t errlen)
{
	char	msg[256];

	if (pem == NULL || pem[0] == '\0')
		return pkix_err(err, errlen, "no %s given", what);
	if (pkix_load(pem, strlen(pem), NULL, o, msg, sizeof(msg)) == -1)
		return pkix_err(err, errlen, "%s: %s", what, msg);
	return 0;
}

X509 *
pkix_cert_from_pem(const char *pem, const char *what, char *err, size_t errlen)
{
	struct pkix_objs	 o;
	X509			*x = NULL;

	if (load_stored(pem, what, &o, err, errlen) == -1)
		return NULL;
	if (o.certs == NULL || sk_X509_num(o.certs) == 0)
		pkix_err(err, errlen, "%s: no certificate found", what);
	else {
		x = sk_X509_value(o.certs, 0);
		X509_up_ref(x);
	}
	pkix_objs_free(&o);
	return x;
}

EVP_PKEY *
pkix_key_from_pem(const char *pem, const char *what, char *err, size_t errlen)
{
	struct pkix_objs	 o;
	EVP_PKEY		*k = NULL;

	if (load_stored(pem, what, &o, err, errlen) == -1)
		return NULL;
	if (o.key == NULL)
		pkix_err(err, errlen, "%s: no private key found", what);
	else {
		k = o.key;
		o.key = NULL;
	}
	pkix_objs_free(&o);
	return k;
}

/* ---------------------------------------------------------------- keys */

EVP_PKEY *
pkix_keygen(enum pki_keytype type, char *err, size_t errlen)
{
	EVP_PKEY	*k = NULL;
	size_t		 i;

	pkix_init();
	for (i = 0; i < NKEYTYPES; i++)
		if (keytypes[i].type == type)
			break;
	if (i == NKEYTYPES) {
		pkix_err(err, errlen, "unknown key type %d", (int)type);
		return NULL;
	}
	if (keytypes[i].curve != NULL)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", keytypes[i].curve);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", keytypes[i].bits);
	if (k == NULL)
		pkix_err_ssl(err, errlen, "cannot generate a %s key",
		    keytypes[i].name);
	return k;
}

/* The curve of an EC key as "P-256" etc., or the OpenSSL group name. */
static void
ec_curve(EVP_PKEY *k, char *out, size_t outlen)
{
	char	 group[64];
	size_t	 glen = 0;

	if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
	    group, sizeof(group), &glen)) {
		snprintf(out, outlen, "?");
		ERR_clear_error();
		return;
	}
	if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
		snprintf(out, outlen, "P-256");
	else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
		snprintf(out, outlen, "P-384");
	else if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0)
		snprintf(out, outlen, "P-521");
	else
		snprintf(out, outlen, "%s", group);
}

void
pkix_key_desc(EVP_PKEY *k, char *out, size_t outlen)
{
	char	curve[64];

	if (EVP_PKEY_is_a(k, "RSA"))
		snprintf(out, outlen, "RSA %d", EVP_PKEY_get_bits(k));
	else if (EVP_PKEY_is_a(k, "RSA-PSS"))
		snprintf(out, outlen, "RSA-PSS %d", EVP_PKEY_get_bits(k));
	else if (EVP_PKEY_is_a(k, "EC")) {
		ec_curve(k, curve, sizeof(curve));
		snprintf(out, outlen, "ECDSA %s", curve);
	} else if (EVP_PKEY_is_a(k, "ED25519"))
		snprintf(out, outlen, "Ed25519");
	else if (EVP_PKEY_is_a(k, "ED448"))
		snprintf(out, outlen, "Ed448");
	else
		snprintf(out, outlen, "%s %d", EVP_PKEY_get0_type_name(k) ?
		    EVP_PKEY_get0_type_name(k) : "unknown",
		    EVP_PKEY_get_bits(k));
}

int
pkix_key_ok(EVP_PKEY *k, const char *what, char *err, size_t errlen)
{
	char	desc[80], curve[64];
	int	bits;

	pkix_key_desc(k, desc, sizeof(desc));
	if (EVP_PKEY_is_a(k, "RSA")) {
		bits = EVP_PKEY_get_bits(k);
		if (bits < PKIX_RSA_MIN_BITS)
			return pkix_err(err, errlen, "%s: RSA keys of %d bits are "
			    "too weak; at least %d bits are required", what,
			    bits, PKIX_RSA_MIN_BITS);
		if (bits > PKIX_RSA_MAX_BITS)
			return pkix_err(err, errlen, "%s: RSA keys over %d bits "
			    "are not supported", what, PKIX_RSA_MAX_BITS);
		return 0;
	}
	if (EVP_PKEY_is_a(k, "EC")) {
		ec_curve(k, curve, sizeof(curve));
		if (strcmp(curve, "P-256") == 0 || strcmp(curve, "P-384") == 0 ||
		    strcmp(curve, "P-521") == 0)
			return 0;
		return pkix_err(err, errlen, "%s: unsupported key (%s); EC keys "
		    "must be on P-256, P-384 or P-521", what, desc);
	}
	if (EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448"))
		return 0;
	return pkix_err(err, errlen, "%s: unsupported key type (%s)", what, desc);
}

int
pkix_key_matches(X509 *cert, EVP_PKEY *key)
{
	EVP_PKEY	*pub;
	int		 r;

	if ((pub = X509_get0_pubkey(cert)) == NULL) {
		ERR_clear_error();
		return 0;
	}
	r = EVP_PKEY_eq(pub, key);
	ERR_clear_error();
	return r == 1;
}

int
pki_key_new(enum pki_keytype type, char **key_pem, char *err, size_t errlen)
{
	EVP_PKEY	*k;
	int		 rc;

	*key_pem = NULL;
	if ((k = pkix_keygen(type, err, errlen)) == NULL)
		return -1;
	rc = pkix_key_pem(k, NULL, key_pem, err, errlen);
	EVP_PKEY_free(k);
	return rc;
}

int
pki_key_load(const void *buf, size_t len, const char *pass, char **key_pem,
    char *err, size_t errlen)
{
	struct pkix_objs	 o;
	int			 rc = -1;

	*key_pem = NULL;
	if (pkix_load(buf, len, pass, &o, err, errlen) == -1)
		return -1;
	if (o.key == NULL) {
		pkix_err(err, errlen, "no private key found");
		goto done;
	}
	if (pkix_key_ok(o.key, "private key", err, errlen) == -1)
		goto done;
	rc = pkix_key_pem(o.key, NULL, key_pem, err, errlen);
done:
	pkix_objs_free(&o);
	return rc;
}

int
pki_key_export(const char *key_pem, const char *pass, char **out, char *err,
    size_t errlen)
{
	EVP_PKEY	*k;
	int		 rc;

	*out = NULL;
	if ((k = pkix_key_from_pem(key_pem, "private key", err, errlen)) == NULL)
		return -1;
	rc = pkix_key_pem(k, pass, out, err, errlen);
	EVP_PKEY_free(k);
	return rc;
}

int
pki_key_match(const char *cert_pem, const char *key_pem, char *err,
    size_t errlen)
{
	X509		*x = NULL;
	EVP_PKEY	*k = NULL;
	int		 rc = -1;

	if ((x = pkix_cert_from_pem(cert_pem, "certificate", err, errlen)) == NULL)
		goto done;
	if ((k = pkix_key_from_pem(key_pem, "private key", err, errlen)) == NULL)
		goto done;
	if (!pkix_key_matches(x, k)) {
		pkix_err(err, errlen, "the private key does not match the "
		    "certificate");
		goto done;
	}
	rc = 0;
done:
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

/* ---------------------------------------------------------------- serials */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parses hex (optional 0x, colons allowed between digits) into at most 20
 * octets, big-endian, without leading zero octets.  Returns the length, 0
 * for a zero value, -1 when not hex or too long.
 */
static int
serial_parse(const char *in, unsigned char out[20])
{
	unsigned char	 tmp[64];
	size_t		 nd = 0, i, n, skip;
	const char	*p = in;
	int		 v;
	unsigned char	 digits[128];

	if (in == NULL)
		return -1;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if ((v = hexval((unsigned char)*p)) < 0)
			return -1;
		if (nd == 0 && v == 0)
			continue;	/* leading zero digit */
		if (nd >= sizeof(digits))
			return -1;
		digits[nd++] = (unsigned char)v;
	}
	if (nd == 0) {
		/* only zeros, or nothing at all */
		for (p = in; *p != '\0'; p++)
			if (hexval((unsigned char)*p) == 0)
				return 0;
		return -1;
	}
	n = (nd + 1) / 2;
	if (n > 20)
		return -1;
	memset(tmp, 0, sizeof(tmp));
	/* right-align the digits into n octets */
	skip = n * 2 - nd;
	for (i = 0; i < nd; i++) {
		size_t pos = i + skip;

		tmp[pos / 2] |= (unsigned char)(digits[i] << ((pos % 2) ? 0 : 4));
	}
	memcpy(out, tmp, n);
	return (int)n;
}

static void
octets_hex(const unsigned char *b, size_t n, char *out, size_t outlen)
{
	static const char	 hx[] = "0123456789ABCDEF";
	size_t			 i;

	if (outlen == 0)
		return;
	for (i = 0; i < n && 2 * i + 2 < outlen; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * i] = '\0';
}

int
pki_serial_new(char out[PKI_SERIAL_HEXLEN], char *err, size_t errlen)
{
	unsigned char	b[16];
	size_t		i;

	pkix_init();
	do {
		if (RAND_bytes(b, sizeof(b)) != 1)
			return pkix_err_ssl(err, errlen, "no random bytes");
		b[0] &= 0x7f;	/* positive INTEGER (RFC 5280 4.1.2.2) */
		for (i = 0; i < sizeof(b) && b[i] == 0; i++)
			;
	} while (i == sizeof(b));
	octets_hex(b + i, sizeof(b) - i, out, PKI_SERIAL_HEXLEN);
	return 0;
}

int
pki_serial_norm(const char *in, char *out, size_t outlen, char *err,
    size_t errlen)
{
	unsigned char	b[20];
	int		n;

	n = serial_parse(in, b);
	if (n < 0)
		return pkix_err(err, errlen, "a serial number is hex digits, "
		    "at most 20 octets");
	if (n == 0)
		return pkix_err(err, errlen, "a serial number must not be zero");
	if (outlen < (size_t)n * 2 + 1)
		return pkix_err(err, errlen, "serial buffer too small");
	octets_hex(b, (size_t)n, out, outlen);
	return 0;
}

int
pki_serial_cmp(const char *a, const char *b)
{
	unsigned char	ba[20], bb[20];
	int		na, nb;

	na = serial_parse(a, ba);
	nb = serial_parse(b, bb);
	if (na < 0 && nb < 0)
		return 0;
	if (na < 0)
		return -1;
	if (nb < 0)
		return 1;
	if (na != nb)
		return na < nb ? -1 : 1;
	return memcmp(ba, bb, (size_t)na);
}

ASN1_INTEGER *
pkix_serial(const char *hex, char *err, size_t errlen)
{
	char		 gen[PKI_SERIAL_HEXLEN];
	unsigned char	 b[20];
	BIGNUM		*bn = NULL;
	ASN1_INTEGER	*ai = NULL;
	int		 n;

	if (hex == NULL) {
		if (pki_serial_new(gen, err, errlen) == -1)
			return NULL;
		hex = gen;
	}
	n = serial_parse(hex, b);
	if (n <= 0) {
		pkix_err(err, errlen, "invalid serial number \"%.48s\": %s", hex,
		    n == 0 ? "zero" : "not hex or longer than 20 octets");
		return NULL;
	}
	if ((bn = BN_bin2bn(b, n, NULL)) == NULL ||
	    (ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		pkix_err_ssl(err, errlen, "cannot encode the serial number");
	BN_free(bn);
	return ai;
}

void
pkix_serial_hex(const ASN1_INTEGER *s, char *out, size_t outlen)
{
	BIGNUM	*bn;
	int	 neg, n;
	unsigned char b[64];

	if (outlen == 0)
		return;
	out[0] = '\0';
	if ((bn = ASN1_INTEGER_to_BN(s, NULL)) == NULL) {
		ERR_clear_error();
		snprintf(out, outlen, "?");
		return;
	}
	neg = BN_is_negative(bn);
	n = BN_num_bytes(bn);
	if (n == 0) {
		snprintf(out, outlen, "00");
	} else if ((size_t)n > sizeof(b)) {
		snprintf(out, outlen, "?");
	} else {
		BN_bn2bin(bn, b);
		if (neg && outlen > 1) {
			out[0] = '-';
			octets_hex(b, (size_t)n, out + 1, outlen - 1);
		} else
			octets_hex(b, (size_t)n, out, outlen);
	}
	BN_free(bn);
}

/* ---------------------------------------------------------------- times */

int
pkix_time(const ASN1_TIME *t, time_t *out)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) {
		ERR_clear_error();
		return -1;
	}
	*out = timegm(&tm);
	return 0;
}

void
pkix_iso(time_t t, char *out, size_t outlen)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outlen, "?");
}

/* ---------------------------------------------------------------- certificate facts */

int
pkix_is_ca(X509 *cert)
{
	BASIC_CONSTRAINTS	*bc;
	int			 crit = 0, ca;

	bc = X509_get_ext_d2i(cert, NID_basic_constraints, &crit, NULL);
	ca = bc != NULL && bc->ca;
	BASIC_CONSTRAINTS_free(bc);
	ERR_clear_error();
	return ca;
}

int
pkix_check_dates(X509 *cert, const char *what, struct pki_warn *warn,
    char *err, size_t errlen)
{
	time_t	nb, na, now = time(NULL);
	char	snb[32], sna[32];

	if (pkix_time(X509_get0_notBefore(cert), &nb) == -1 ||
	    pkix_time(X509_get0_notAfter(cert), &na) == -1)
		return pkix_err(err, errlen, "%s: unreadable validity dates",
		    what);
	pkix_iso(nb, snb, sizeof(snb));
	pkix_iso(na, sna, sizeof(sna));
	if (na < now)
		return pkix_err(err, errlen, "%s has expired: valid from %s "
		    "until %s", what, snb, sna);
	if (nb > now)
		pkix_warn(warn, "%s is not valid yet: valid from %s until %s",
		    what, snb, sna);
	return 0;
}

int
pkix_keyid(X509_PUBKEY *pub, unsigned char out[20])
{
	const unsigned char	*pk;
	int			 pklen;
	unsigned int		 mdlen = 0;

	if (pub == NULL ||
	    !X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, pub) ||
	    !EVP_Digest(pk, (size_t)pklen, out, &mdlen, EVP_sha1(), NULL) ||
	    mdlen != 20) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}
