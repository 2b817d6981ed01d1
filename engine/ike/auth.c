/*
 * auth.c — AUTH payload values (RFC 7296 2.15, 2.16; RFC 4754; RFC 7427).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "ike.h"
#include "crypto.h"
#include "auth.h"

/* ------------------------------------------------------------ octets, PSK */

int
ike_auth_octets(const struct ike_prf_alg *prf, const uint8_t *skp,
    size_t skplen, const uint8_t *msg, size_t msglen, const uint8_t *nonce,
    size_t noncelen, const uint8_t *idbody, size_t idlen,
    uint8_t **out, size_t *outlen)
{
	struct ike_span in[1];
	uint8_t *buf;
	size_t len;

	*out = NULL;
	*outlen = 0;
	if (msglen > SIZE_MAX - noncelen - prf->pa_len)
		return -1;
	len = msglen + noncelen + prf->pa_len;
	if ((buf = malloc(len)) == NULL)
		return -1;
	/* RFC 7296 2.15: RealMessage | Nonce | prf(SK_p, RestOfIDPayload) */
	memcpy(buf, msg, msglen);
	memcpy(buf + msglen, nonce, noncelen);
	in[0].sp_ptr = idbody;
	in[0].sp_len = idlen;
	if (ike_prf(prf, skp, skplen, in, 1, buf + msglen + noncelen) != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int
ike_auth_psk(const struct ike_prf_alg *prf, const uint8_t *secret,
    size_t secretlen, const uint8_t *octets, size_t octetslen, uint8_t *out)
{
	static const char keypad[] = "Key Pad for IKEv2";
	uint8_t inner[IKE_PRF_MAX];
	struct ike_span in[1];
	int rc;

	if (secretlen == 0)
		return -1;
	/* RFC 7296 2.15: AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"),
	   <SignedOctets>), the pad being the 17 ASCII octets, no NUL */
	in[0].sp_ptr = (const uint8_t *)keypad;
	in[0].sp_len = sizeof(keypad) - 1;
	if (ike_prf(prf, secret, secretlen, in, 1, inner) != 0)
		return -1;
	in[0].sp_ptr = octets;
	in[0].sp_len = octetslen;
	rc = ike_prf(prf, inner, prf->pa_len, in, 1, out);
	OPENSSL_cleanse(inner, sizeof(inner));
	return rc;
}

int
ike_auth_psk_verify(const struct ike_prf_alg *prf, const uint8_t *secret,
    size_t secretlen, const uint8_t *octets, size_t octetslen,
    const uint8_t *auth, size_t authlen)
{
	uint8_t mine[IKE_PRF_MAX];
	int rc = -1;

	if (authlen != prf->pa_len)
		return -1;
	if (ike_auth_psk(prf, secret, secretlen, octets, octetslen, mine) == 0 &&
	    CRYPTO_memcmp(mine, auth, authlen) == 0)
		rc = 0;
	OPENSSL_cleanse(mine, sizeof(mine));
	return rc;
}

/* ------------------------------------------------------------ RFC 7427 */

enum sig_scheme {
	SCHEME_PKCS1,	/* RSASSA-PKCS1-v1_5 */
	SCHEME_PSS,	/* RSASSA-PSS */
	SCHEME_ECDSA,
};

/*
 * The AlgorithmIdentifiers method 14 accepts, DER as RFC 7427 Appendix A
 * lists them.  Matching is byte for byte: anything else (other parameters,
 * other encodings of the same thing) is refused as unknown.
 */

/* sha256WithRSAEncryption 1.2.840.113549.1.1.11, parameters NULL */
static const uint8_t der_rsa_sha256[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0b, 0x05, 0x00,
};
/* sha384WithRSAEncryption 1.2.840.113549.1.1.12, parameters NULL */
static const uint8_t der_rsa_sha384[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0c, 0x05, 0x00,
};
/* sha512WithRSAEncryption 1.2.840.113549.1.1.13, parameters NULL */
static const uint8_t der_rsa_sha512[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01,
	0x0d, 0x05, 0x00,
};
/*
 * id-RSASSA-PSS 1.2.840.113549.1.1.10 with RSASSA-PSS-params
 *   hashAlgorithm [0]    id-sha256 2.16.840.1.101.3.4.2.1, NULL
 *   maskGenAlgorithm [1] id-mgf1 1.2.840.113549.1.1.8 (id-sha256, NULL)
 *   saltLength [2]       32
 * (trailerField left at its default)
 */
static const uint8_t der_pss_sha256[] = {
	0x30, 0x41,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,
	0x30, 0x34,
	0xa0, 0x0f, 0x30, 0x0d,
	0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00,
	0xa1, 0x1c, 0x30, 0x1a,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,
	0x30, 0x0d,
	0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00,
	0xa2, 0x03, 0x02, 0x01, 0x20,
};
/* ecdsa-with-SHA256 1.2.840.10045.4.3.2, parameters absent */
static const uint8_t der_ecdsa_sha256[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
};
/* ecdsa-with-SHA384 1.2.840.10045.4.3.3, parameters absent */
static const uint8_t der_ecdsa_sha384[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03,
};
/* ecdsa-with-SHA512 1.2.840.10045.4.3.4, parameters absent */
static const uint8_t der_ecdsa_sha512[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04,
};

struct sig_algid {
	const uint8_t	*sa_der;
	size_t		 sa_len;
	enum sig_scheme	 sa_scheme;
	uint16_t	 sa_hash;	/* IKE_HASH_* */
};

static const struct sig_algid algids[] = {
	{ der_rsa_sha256, sizeof(der_rsa_sha256), SCHEME_PKCS1, IKE_HASH_SHA2_256 },
	{ der_rsa_sha384, sizeof(der_rsa_sha384), SCHEME_PKCS1, IKE_HASH_SHA2_384 },
	{ der_rsa_sha512, sizeof(der_rsa_sha512), SCHEME_PKCS1, IKE_HASH_SHA2_512 },
	{ der_pss_sha256, sizeof(der_pss_sha256), SCHEME_PSS, IKE_HASH_SHA2_256 },
	{ der_ecdsa_sha256, sizeof(der_ecdsa_sha256), SCHEME_ECDSA, IKE_HASH_SHA2_256 },
	{ der_ecdsa_sha384, sizeof(der_ecdsa_sha384), SCHEME_ECDSA, IKE_HASH_SHA2_384 },
	{ der_ecdsa_sha512, sizeof(der_ecdsa_sha512), SCHEME_ECDSA, IKE_HASH_SHA2_512 },
};

static const struct sig_algid *
algid_find_der(const uint8_t *der, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(algids) / sizeof(algids[0]); i++)
		if (algids[i].sa_len == len &&
		    memcmp(algids[i].sa_der, der, len) == 0)
			return &algids[i];
	return NULL;
}

static const struct sig_algid *
algid_find(enum sig_scheme scheme, uint16_t hash)
{
	size_t i;

	for (i = 0; i < sizeof(algids) / sizeof(algids[0]); i++)
		if (algids[i].sa_scheme == scheme && algids[i].sa_hash == hash)
			return &algids[i];
	return NULL;
}

static const char *
hash_md(uint16_t hash)
{
	switch (hash) {
	case IKE_HASH_SHA1:	return "SHA1";
	case IKE_HASH_SHA2_256:	return "SHA256";
	case IKE_HASH_SHA2_384:	return "SHA384";
	case IKE_HASH_SHA2_512:	return "SHA512";
	default:		return NULL;
	}
}

/* ------------------------------------------------------------ keys */

static int
key_is_rsa(EVP_PKEY *key)
{
	return EVP_PKEY_is_a(key, "RSA");
}

/* The RFC 4754 method of an EC key's curve (9, 10, 11), 0 for others. */
static uint8_t
key_ecdsa_method(EVP_PKEY *key)
{
	char name[64];
	int nid;

	if (!EVP_PKEY_is_a(key, "EC") ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
	    name, sizeof(name), NULL))
		return 0;
	nid = OBJ_txt2nid(name);
	if (nid == NID_X9_62_prime256v1)
		return IKE_AUTH_ECDSA_256;
	if (nid == NID_secp384r1)
		return IKE_AUTH_ECDSA_384;
	if (nid == NID_secp521r1)
		return IKE_AUTH_ECDSA_521;
	return 0;
}

/* RFC 4754 3: the hash and the length of r and s for methods 9-11. */
static int
ecdsa_method_params(uint8_t method, uint16_t *hash, size_t *half)
{
	switch (method) {
	case IKE_AUTH_ECDSA_256: *hash = IKE_HASH_SHA2_256; *half = 32; return 0;
	case IKE_AUTH_ECDSA_384: *hash = IKE_HASH_SHA2_384; *half = 48; return 0;
	case IKE_AUTH_ECDSA_521: *hash = IKE_HASH_SHA2_512; *half = 66; return 0;
	default: return -1;
	}
}

/* ------------------------------------------------------------ EVP sign */

static int
pss_setup(EVP_PKEY_CTX *pctx, const char *md)
{
	/* RFC 7427 / RFC 4055: MGF1 with the same hash, salt = hash length */
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) <= 0)
		return -1;
	return 0;
}

/* Signature (DER for ECDSA) over data; *sig malloc'ed. */
static int
evp_sign(EVP_PKEY *key, const char *md, enum sig_scheme scheme,
    const uint8_t *data, size_t len, uint8_t **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc = -1;

	*sig = NULL;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, key, NULL) != 1)
		goto done;
	if (scheme == SCHEME_PKCS1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
		goto done;
	if (scheme == SCHEME_PSS && pss_setup(pctx, md) != 0)
		goto done;
	if (EVP_DigestSign(ctx, NULL, &n, data, len) != 1 ||
	    (buf = malloc(n)) == NULL ||
	    EVP_DigestSign(ctx, buf, &n, data, len) != 1)
		goto done;
	*sig = buf;
	*siglen = n;
	buf = NULL;
	rc = 0;
done:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int
evp_verify(EVP_PKEY *key, const char *md, enum sig_scheme scheme,
    const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, &pctx, md, NULL, NULL, key, NULL) != 1)
		goto done;
	if (scheme == SCHEME_PKCS1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
		goto done;
	if (scheme == SCHEME_PSS && pss_setup(pctx, md) != 0)
		goto done;
	if (EVP_DigestVerify(ctx, sig, siglen, data, len) == 1)
		rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* DER Ecdsa-Sig-Value -> r | s, each half bytes (RFC 4754 7). */
static int
ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t half, uint8_t *out)
{
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es;
	int rc = -1;

	if (derlen > LONG_MAX ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) == NULL)
		return -1;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, out, (int)half) == (int)half &&
	    BN_bn2binpad(s, out + half, (int)half) == (int)half)
		rc = 0;
	ECDSA_SIG_free(es);
	return rc;
}

/* r | s -> DER Ecdsa-Sig-Value; *der malloc'ed (OPENSSL_free). */
static int
ecdsa_raw_to_der(const uint8_t *raw, size_t half, uint8_t **der, size_t *derlen)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *buf = NULL;
	int n, rc = -1;

	*der = NULL;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(raw, (int)half, NULL)) == NULL ||
	    (s = BN_bin2bn(raw + half, (int)half, NULL)) == NULL)
		goto done;
	if (!ECDSA_SIG_set0(es, r, s))
		goto done;
	r = s = NULL;	/* owned by es now */
	if ((n = i2d_ECDSA_SIG(es, &buf)) <= 0)
		goto done;
	*der = buf;
	*derlen = (size_t)n;
	rc = 0;
done:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

/* ------------------------------------------------------------ sign/verify */

int
ike_auth_sign(EVP_PKEY *key, uint8_t method, uint16_t hash, int pss,
    const uint8_t *octets, size_t octetslen, uint8_t **out, size_t *outlen)
{
	const struct sig_algid *aid;
	uint8_t *sig = NULL, *buf = NULL;
	size_t siglen = 0, half;
	uint16_t mhash;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	switch (method) {
	case IKE_AUTH_RSA_SIG:
		/* RFC 7296 3.8 / RFC 7427 1: PKCS#1 v1.5 with SHA-1 */
		if (!key_is_rsa(key) || (hash != 0 && hash != IKE_HASH_SHA1))
			return -1;
		if (evp_sign(key, "SHA1", SCHEME_PKCS1, octets, octetslen,
		    out, outlen) != 0)
			return -1;
		return 0;
	case IKE_AUTH_ECDSA_256:
	case IKE_AUTH_ECDSA_384:
	case IKE_AUTH_ECDSA_521:
		if (ecdsa_method_params(method, &mhash, &half) != 0 ||
		    key_ecdsa_method(key) != method ||
		    (hash != 0 && hash != mhash))
			return -1;
		if (evp_sign(key, hash_md(mhash), SCHEME_ECDSA, octets,
		    octetslen, &sig, &siglen) != 0)
			return -1;
		if ((buf = malloc(2 * half)) == NULL ||
		    ecdsa_der_to_raw(sig, siglen, half, buf) != 0)
			goto done;
		*out = buf;
		*outlen = 2 * half;
		buf = NULL;
		rc = 0;
		goto done;
	case IKE_AUTH_DIGITAL_SIG:
		if (key_is_rsa(key))
			aid = algid_find(pss ? SCHEME_PSS : SCHEME_PKCS1, hash);
		else if (key_ecdsa_method(key) != 0 && !pss)
			aid = algid_find(SCHEME_ECDSA, hash);
		else
			aid = NULL;
		if (aid == NULL)
			return -1;
		if (evp_sign(key, hash_md(hash), aid->sa_scheme, octets,
		    octetslen, &sig, &siglen) != 0)
			return -1;
		/* RFC 7427 3: ASN.1 length (1 octet) | AlgorithmIdentifier |
		   signature value (for ECDSA the DER Ecdsa-Sig-Value) */
		if ((buf = malloc(1 + aid->sa_len + siglen)) == NULL)
			goto done;
		buf[0] = (uint8_t)aid->sa_len;
		memcpy(buf + 1, aid->sa_der, aid->sa_len);
		memcpy(buf + 1 + aid->sa_len, sig, siglen);
		*out = buf;
		*outlen = 1 + aid->sa_len + siglen;
		buf = NULL;
		rc = 0;
		goto done;
	default:
		return -1;
	}
done:
	free(sig);
	free(buf);
	return rc;
}

static int
verify_fail(const char **why, const char *msg)
{
	if (why != NULL)
		*why = msg;
	return -1;
}

int
ike_auth_verify(EVP_PKEY *key, uint8_t method, const uint8_t *auth,
    size_t authlen, const uint8_t *octets, size_t octetslen, uint16_t *hash,
    const char **why)
{
	const struct sig_algid *aid;
	uint8_t *der = NULL;
	size_t derlen = 0, half, alen;
	uint16_t mhash;
	int rc;

	if (hash != NULL)
		*hash = 0;
	switch (method) {
	case IKE_AUTH_RSA_SIG:
		if (!key_is_rsa(key))
			return verify_fail(why, "RSA signature but no RSA key");
		if (evp_verify(key, "SHA1", SCHEME_PKCS1, octets, octetslen,
		    auth, authlen) != 0)
			return verify_fail(why, "RSA signature does not verify");
		if (hash != NULL)
			*hash = IKE_HASH_SHA1;
		return 0;
	case IKE_AUTH_ECDSA_256:
	case IKE_AUTH_ECDSA_384:
	case IKE_AUTH_ECDSA_521:
		if (ecdsa_method_params(method, &mhash, &half) != 0 ||
		    key_ecdsa_method(key) != method)
			return verify_fail(why, "ECDSA method does not match the key");
		if (authlen != 2 * half)
			return verify_fail(why, "ECDSA signature has the wrong length");
		if (ecdsa_raw_to_der(auth, half, &der, &derlen) != 0)
			return verify_fail(why, "ECDSA signature malformed");
		rc = evp_verify(key, hash_md(mhash), SCHEME_ECDSA, octets,
		    octetslen, der, derlen);
		OPENSSL_free(der);
		if (rc != 0)
			return verify_fail(why, "ECDSA signature does not verify");
		if (hash != NULL)
			*hash = mhash;
		return 0;
	case IKE_AUTH_DIGITAL_SIG:
		/* RFC 7427 3: length octet, AlgorithmIdentifier, signature */
		if (authlen < 1 || (alen = auth[0]) == 0 || authlen - 1 <= alen)
			return verify_fail(why, "digital signature AUTH truncated");
		if ((aid = algid_find_der(auth + 1, alen)) == NULL)
			return verify_fail(why, "unknown signature AlgorithmIdentifier");
		if (aid->sa_scheme == SCHEME_ECDSA ? key_ecdsa_method(key) == 0 :
		    !key_is_rsa(key) && !(aid->sa_scheme == SCHEME_PSS &&
		    EVP_PKEY_is_a(key, "RSA-PSS")))
			return verify_fail(why, "signature algorithm does not match the key");
		if (evp_verify(key, hash_md(aid->sa_hash), aid->sa_scheme, octets,
		    octetslen, auth + 1 + alen, authlen - 1 - alen) != 0)
			return verify_fail(why, "digital signature does not verify");
		if (hash != NULL)
			*hash = aid->sa_hash;
		return 0;
	default:
		return verify_fail(why, "unsupported authentication method");
	}
}

/* ------------------------------------------------------------ hash notify */

int
ike_sig_hash_parse(const uint8_t *data, size_t len, uint32_t *mask)
{
	size_t i;
	uint16_t id;

	*mask = 0;
	if (len % 2 != 0)
		return -1;
	for (i = 0; i < len; i += 2) {
		id = (uint16_t)(data[i] << 8 | data[i + 1]);
		if (id >= IKE_HASH_SHA1 && id <= IKE_HASH_IDENTITY)
			*mask |= 1u << id;
	}
	return 0;
}

size_t
ike_sig_hash_ours(uint8_t *out, size_t cap)
{
	static const uint16_t ours[] = {
		IKE_HASH_SHA2_256, IKE_HASH_SHA2_384, IKE_HASH_SHA2_512,
	};
	size_t i;

	if (cap < 2 * sizeof(ours) / sizeof(ours[0]))
		return 0;
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		out[2 * i] = (uint8_t)(ours[i] >> 8);
		out[2 * i + 1] = (uint8_t)ours[i];
	}
	return 2 * i;
}

int
ike_auth_choose(EVP_PKEY *key, uint32_t peer_hashes, uint8_t *method,
    uint16_t *hash)
{
	static const uint16_t order[] = {
		IKE_HASH_SHA2_256, IKE_HASH_SHA2_384, IKE_HASH_SHA2_512,
	};
	uint8_t ecm = key_ecdsa_method(key);
	uint16_t natural = 0;
	size_t i, half;

	if (!key_is_rsa(key) && ecm == 0)
		return -1;
	/* an EC key signs best with the hash of its curve (RFC 4754) */
	if (ecm != 0 && ecdsa_method_params(ecm, &natural, &half) == 0 &&
	    (peer_hashes & (1u << natural))) {
		*method = IKE_AUTH_DIGITAL_SIG;
		*hash = natural;
		return 0;
	}
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (peer_hashes & (1u << order[i])) {
			*method = IKE_AUTH_DIGITAL_SIG;
			*hash = order[i];
			return 0;
		}
	/* no RFC 7427 support announced: the classic methods */
	if (ecm != 0) {
		*method = ecm;
		*hash = natural;
	} else {
		*method = IKE_AUTH_RSA_SIG;
		*hash = IKE_HASH_SHA1;
	}
	return 0;
}
