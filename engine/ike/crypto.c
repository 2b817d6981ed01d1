/*
 * crypto.c — transform descriptors, PRF / prf+, integrity MACs and SK
 * payload protection, all through OpenSSL 3 EVP.
 */
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ike.h"
#include "crypto.h"

/* ------------------------------------------------------------ tables */

/*
 * Sizes: RFC 7296 3.3.5 (AES-CBC key lengths), RFC 5282 (AES-GCM in IKEv2:
 * 4-byte salt from keymat, 8-byte IV, ICV 8/12/16), RFC 7634 (ChaCha20-
 * Poly1305: 32-byte key + 4-byte salt, 8-byte IV, 16-byte tag, no Key
 * Length attribute).  AEAD ciphers are stream-like, so no alignment is
 * needed beyond the Pad Length octet (block "length" 1).
 */
static const struct ike_encr_alg encr_algs[] = {
	{ IKE_ENCR_AES_GCM_16, 256, "AES_GCM_16_256", "AES-256-GCM",	32, 4, 1, 8, 16, 1, 0 },
	{ IKE_ENCR_AES_GCM_16, 192, "AES_GCM_16_192", "AES-192-GCM",	24, 4, 1, 8, 16, 1, 0 },
	{ IKE_ENCR_AES_GCM_16, 128, "AES_GCM_16_128", "AES-128-GCM",	16, 4, 1, 8, 16, 1, 0 },
	{ IKE_ENCR_CHACHA20_POLY1305, 0, "CHACHA20_POLY1305", "ChaCha20-Poly1305",
									32, 4, 1, 8, 16, 1, 0 },
	{ IKE_ENCR_AES_CBC, 256, "AES_CBC_256", "AES-256-CBC",		32, 0, 16, 16, 0, 0, 0 },
	{ IKE_ENCR_AES_CBC, 192, "AES_CBC_192", "AES-192-CBC",		24, 0, 16, 16, 0, 0, 0 },
	{ IKE_ENCR_AES_CBC, 128, "AES_CBC_128", "AES-128-CBC",		16, 0, 16, 16, 0, 0, 0 },
	{ IKE_ENCR_AES_GCM_12, 256, "AES_GCM_12_256", "AES-256-GCM",	32, 4, 1, 8, 12, 1, 0 },
	{ IKE_ENCR_AES_GCM_12, 192, "AES_GCM_12_192", "AES-192-GCM",	24, 4, 1, 8, 12, 1, 0 },
	{ IKE_ENCR_AES_GCM_12, 128, "AES_GCM_12_128", "AES-128-GCM",	16, 4, 1, 8, 12, 1, 0 },
	{ IKE_ENCR_AES_GCM_8, 256, "AES_GCM_8_256", "AES-256-GCM",	32, 4, 1, 8, 8, 1, 0 },
	{ IKE_ENCR_AES_GCM_8, 192, "AES_GCM_8_192", "AES-192-GCM",	24, 4, 1, 8, 8, 1, 0 },
	{ IKE_ENCR_AES_GCM_8, 128, "AES_GCM_8_128", "AES-128-GCM",	16, 4, 1, 8, 8, 1, 0 },
	{ IKE_ENCR_3DES, 0, "3DES", "DES-EDE3-CBC",			24, 0, 8, 8, 0, 0, 1 },
};

/* RFC 4868: for the HMAC-SHA2 PRFs the preferred key length is the output. */
static const struct ike_prf_alg prf_algs[] = {
	{ IKE_PRF_HMAC_SHA2_256, "PRF_HMAC_SHA2_256", "SHA256", 32, 0 },
	{ IKE_PRF_HMAC_SHA2_384, "PRF_HMAC_SHA2_384", "SHA384", 48, 0 },
	{ IKE_PRF_HMAC_SHA2_512, "PRF_HMAC_SHA2_512", "SHA512", 64, 0 },
	{ IKE_PRF_HMAC_SHA1, "PRF_HMAC_SHA1", "SHA1", 20, 1 },
};

/* RFC 4868 2.1 (SHA2: key = output length, ICV = half), RFC 2404 (SHA1-96). */
static const struct ike_integ_alg integ_algs[] = {
	{ IKE_INTEG_HMAC_SHA2_256_128, "HMAC_SHA2_256_128", "SHA256", 32, 16, 0 },
	{ IKE_INTEG_HMAC_SHA2_384_192, "HMAC_SHA2_384_192", "SHA384", 48, 24, 0 },
	{ IKE_INTEG_HMAC_SHA2_512_256, "HMAC_SHA2_512_256", "SHA512", 64, 32, 0 },
	{ IKE_INTEG_HMAC_SHA1_96, "HMAC_SHA1_96", "SHA1", 20, 12, 1 },
};

/*
 * Public value and shared secret lengths: MODP = prime length (RFC 7296
 * 3.4), ECP = x | y and x alone (RFC 5903 7, 9), curve25519/448 = 32/56
 * (RFC 8031 3).  OpenSSL names modp_1536 ... modp_8192 (RFC 3526); it has
 * no name for the 1024-bit Oakley group 2, which dh.c builds itself.
 */
static const struct ike_dh_group dh_groups[] = {
	{ IKE_DH_CURVE25519, "CURVE_25519", IKE_DHK_MONT, "X25519",	32, 32, 0 },
	{ IKE_DH_ECP256, "ECP_256", IKE_DHK_ECP, "P-256",		64, 32, 0 },
	{ IKE_DH_ECP384, "ECP_384", IKE_DHK_ECP, "P-384",		96, 48, 0 },
	{ IKE_DH_ECP521, "ECP_521", IKE_DHK_ECP, "P-521",		132, 66, 0 },
	{ IKE_DH_CURVE448, "CURVE_448", IKE_DHK_MONT, "X448",		56, 56, 0 },
	{ IKE_DH_MODP2048, "MODP_2048", IKE_DHK_MODP, "modp_2048",	256, 256, 0 },
	{ IKE_DH_MODP3072, "MODP_3072", IKE_DHK_MODP, "modp_3072",	384, 384, 0 },
	{ IKE_DH_MODP4096, "MODP_4096", IKE_DHK_MODP, "modp_4096",	512, 512, 0 },
	{ IKE_DH_MODP6144, "MODP_6144", IKE_DHK_MODP, "modp_6144",	768, 768, 0 },
	{ IKE_DH_MODP8192, "MODP_8192", IKE_DHK_MODP, "modp_8192",	1024, 1024, 0 },
	{ IKE_DH_MODP1536, "MODP_1536", IKE_DHK_MODP, "modp_1536",	192, 192, 0 },
	{ IKE_DH_MODP1024, "MODP_1024", IKE_DHK_MODP, NULL,		128, 128, 1 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const struct ike_encr_alg *
ike_encr_lookup(uint16_t id, uint16_t keybits)
{
	size_t i;

	for (i = 0; i < NELEM(encr_algs); i++)
		if (encr_algs[i].ea_id == id && encr_algs[i].ea_keybits == keybits)
			return &encr_algs[i];
	return NULL;
}

const struct ike_prf_alg *
ike_prf_lookup(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(prf_algs); i++)
		if (prf_algs[i].pa_id == id)
			return &prf_algs[i];
	return NULL;
}

const struct ike_integ_alg *
ike_integ_lookup(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(integ_algs); i++)
		if (integ_algs[i].ia_id == id)
			return &integ_algs[i];
	return NULL;
}

const struct ike_dh_group *
ike_dh_lookup(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(dh_groups); i++)
		if (dh_groups[i].dg_id == id)
			return &dh_groups[i];
	return NULL;
}

const struct ike_encr_alg *
ike_encr_all(size_t *n)
{
	*n = NELEM(encr_algs);
	return encr_algs;
}

const struct ike_prf_alg *
ike_prf_all(size_t *n)
{
	*n = NELEM(prf_algs);
	return prf_algs;
}

const struct ike_integ_alg *
ike_integ_all(size_t *n)
{
	*n = NELEM(integ_algs);
	return integ_algs;
}

const struct ike_dh_group *
ike_dh_all(size_t *n)
{
	*n = NELEM(dh_groups);
	return dh_groups;
}

size_t
ike_encr_keymat_len(const struct ike_encr_alg *alg)
{
	return alg->ea_keylen + alg->ea_saltlen;
}

/* ------------------------------------------------------------ HMAC */

/*
 * The HMAC implementation is fetched once and kept for the life of the
 * process (fetching per call costs a provider lookup each time).  So is
 * one keyed context per digest: EVP_MAC_init() with a digest name fetches
 * the digest again on every call, a copy of a context that has it does not.
 */
static pthread_once_t	 hmac_once = PTHREAD_ONCE_INIT;
static EVP_MAC		*hmac_mac;
static const char *const hmac_digests[] = { "SHA256", "SHA384", "SHA512", "SHA1" };
static EVP_MAC_CTX	*hmac_tmpl[sizeof(hmac_digests) / sizeof(hmac_digests[0])];

static void
hmac_fetch(void)
{
	static const uint8_t dummy[1];
	OSSL_PARAM params[2];
	size_t i;

	if ((hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return;
	for (i = 0; i < sizeof(hmac_digests) / sizeof(hmac_digests[0]); i++) {
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *)hmac_digests[i], 0);
		params[1] = OSSL_PARAM_construct_end();
		if ((hmac_tmpl[i] = EVP_MAC_CTX_new(hmac_mac)) != NULL &&
		    !EVP_MAC_init(hmac_tmpl[i], dummy, sizeof(dummy), params)) {
			EVP_MAC_CTX_free(hmac_tmpl[i]);
			hmac_tmpl[i] = NULL;
		}
	}
}

/* A fresh HMAC context for digest: a copy of its template, else new. */
static EVP_MAC_CTX *
hmac_ctx(const char *digest, int *templated)
{
	size_t i;

	for (i = 0; i < sizeof(hmac_digests) / sizeof(hmac_digests[0]); i++)
		if (hmac_tmpl[i] != NULL && strcmp(digest, hmac_digests[i]) == 0) {
			*templated = 1;
			return EVP_MAC_CTX_dup(hmac_tmpl[i]);
		}
	*templated = 0;
	return EVP_MAC_CTX_new(hmac_mac);
}

/* out (EVP_MAX_MD_SIZE bytes) = HMAC-digest(key, in...); *outlen set. */
static int
hmac_spans(const char *digest, const uint8_t *key, size_t keylen,
    const struct ike_span *in, size_t nin, uint8_t *out, size_t *outlen)
{
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t i;
	int rc = -1, templated;

	if (key == NULL || keylen == 0)
		return -1;
	pthread_once(&hmac_once, hmac_fetch);
	if (hmac_mac == NULL)
		return -1;
	if ((ctx = hmac_ctx(digest, &templated)) == NULL)
		goto done;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, keylen, templated ? NULL : params))
		goto done;
	for (i = 0; i < nin; i++)
		if (in[i].sp_len > 0 &&
		    !EVP_MAC_update(ctx, in[i].sp_ptr, in[i].sp_len))
			goto done;
	if (!EVP_MAC_final(ctx, out, outlen, EVP_MAX_MD_SIZE))
		goto done;
	rc = 0;
done:
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int
ike_prf(const struct ike_prf_alg *alg, const uint8_t *key, size_t keylen,
    const struct ike_span *in, size_t nin, uint8_t *out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;

	if (hmac_spans(alg->pa_digest, key, keylen, in, nin, md, &mdlen) != 0 ||
	    mdlen != alg->pa_len) {
		OPENSSL_cleanse(md, sizeof(md));
		return -1;
	}
	memcpy(out, md, alg->pa_len);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

int
ike_prf_plus(const struct ike_prf_alg *alg, const uint8_t *key, size_t keylen,
    const struct ike_span *seed, size_t nseed, uint8_t *out, size_t outlen)
{
	/* prf input: T(n-1) | S... | n; at most 16 seed spans */
	struct ike_span in[1 + 16 + 1];
	uint8_t t[IKE_PRF_MAX];
	uint8_t counter;
	size_t done = 0, take, i;
	int rc = -1;

	if (nseed > 16 || outlen > 255 * alg->pa_len)
		return -1;
	for (counter = 1; done < outlen; counter++) {
		size_t n = 0;

		/* RFC 7296 2.13: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) */
		if (counter > 1) {
			in[n].sp_ptr = t;
			in[n++].sp_len = alg->pa_len;
		}
		for (i = 0; i < nseed; i++)
			in[n++] = seed[i];
		in[n].sp_ptr = &counter;
		in[n++].sp_len = 1;
		if (ike_prf(alg, key, keylen, in, n, t) != 0)
			goto done;
		take = outlen - done < alg->pa_len ? outlen - done : alg->pa_len;
		memcpy(out + done, t, take);
		done += take;
	}
	rc = 0;
done:
	OPENSSL_cleanse(t, sizeof(t));
	if (rc != 0)
		OPENSSL_cleanse(out, outlen);
	return rc;
}

int
ike_integ(const struct ike_integ_alg *alg, const uint8_t *key, size_t keylen,
    const struct ike_span *in, size_t nin, uint8_t *out)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;

	if (hmac_spans(alg->ia_digest, key, keylen, in, nin, md, &mdlen) != 0 ||
	    mdlen < alg->ia_icvlen)
		return -1;
	memcpy(out, md, alg->ia_icvlen);
	return 0;
}

int
ike_random(void *buf, size_t len)
{
	if (len > INT_MAX)
		return -1;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* ------------------------------------------------------------ SK payload */

int
ike_sk_init(struct ike_sk *sk, const struct ike_encr_alg *encr,
    const struct ike_integ_alg *integ, const uint8_t *ekey, size_t ekeylen,
    const uint8_t *akey, size_t akeylen)
{
	memset(sk, 0, sizeof(*sk));
	if (encr == NULL || ekeylen != ike_encr_keymat_len(encr) ||
	    ekeylen > sizeof(sk->sk_ekey))
		return -1;
	if (encr->ea_aead ? integ != NULL :
	    integ == NULL || akeylen != integ->ia_keylen ||
	    akeylen > sizeof(sk->sk_akey))
		return -1;
	sk->sk_encr = encr;
	sk->sk_integ = integ;
	memcpy(sk->sk_ekey, ekey, ekeylen);
	if (integ != NULL)
		memcpy(sk->sk_akey, akey, akeylen);
	/* AEAD IVs: a counter from a random start (RFC 5282 3.1 wants them
	   unique per key; a counter guarantees it within this struct, the
	   random start keeps two structs with one key apart). */
	if (ike_random(&sk->sk_seq, sizeof(sk->sk_seq)) != 0) {
		ike_sk_wipe(sk);
		return -1;
	}
	return 0;
}

void
ike_sk_wipe(struct ike_sk *sk)
{
	if (sk != NULL)
		OPENSSL_cleanse(sk, sizeof(*sk));
}

static size_t
sk_icv_len(const struct ike_sk *sk)
{
	return sk->sk_encr->ea_aead ? sk->sk_encr->ea_icvlen :
	    sk->sk_integ->ia_icvlen;
}

/* plaintext + padding + Pad Length octet, rounded up to the block */
static size_t
sk_padded_len(const struct ike_sk *sk, size_t plainlen)
{
	size_t bs = sk->sk_encr->ea_blocklen, n = plainlen + 1;

	return (n + bs - 1) / bs * bs;
}

size_t
ike_sk_body_len(const struct ike_sk *sk, size_t plainlen)
{
	return sk->sk_encr->ea_ivlen + sk_padded_len(sk, plainlen) +
	    sk_icv_len(sk);
}

size_t
ike_sk_plain_room(const struct ike_sk *sk, size_t bodylen)
{
	size_t over = sk->sk_encr->ea_ivlen + sk_icv_len(sk);
	size_t bs = sk->sk_encr->ea_blocklen, ct;

	if (bodylen <= over)
		return 0;
	ct = (bodylen - over) / bs * bs;
	return ct > 0 ? ct - 1 : 0;
}

/*
 * One EVP cipher pass over in (inlen bytes, already padded) into out.
 * enc: 1 encrypt, 0 decrypt.  For AEAD, aad is authenticated and tag is
 * written (encrypt) or checked (decrypt, by EVP's final step).
 */
/*
 * The EVP ciphers of encr_algs, fetched once and kept for the life of the
 * process: a fetch per SK message costs a provider lookup (name map, locks).
 */
#define NENCR	(sizeof(encr_algs) / sizeof(encr_algs[0]))
static pthread_once_t	 cipher_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER	*ciphers[NENCR];

static void
cipher_fetch_all(void)
{
	size_t i;

	for (i = 0; i < NENCR; i++)
		ciphers[i] = EVP_CIPHER_fetch(NULL, encr_algs[i].ea_evp, NULL);
}

/* The cipher of ea with a reference for the caller (EVP_CIPHER_free). */
static EVP_CIPHER *
sk_evp(const struct ike_encr_alg *ea)
{
	size_t i;

	pthread_once(&cipher_once, cipher_fetch_all);
	for (i = 0; i < NENCR; i++)
		if (ea == &encr_algs[i] && ciphers[i] != NULL && EVP_CIPHER_up_ref(ciphers[i]))
			return ciphers[i];
	return EVP_CIPHER_fetch(NULL, ea->ea_evp, NULL);
}

static int
sk_cipher(const struct ike_sk *sk, int enc, const uint8_t *iv,
    const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t inlen,
    uint8_t *out, uint8_t *tag)
{
	const struct ike_encr_alg *ea = sk->sk_encr;
	EVP_CIPHER *cipher = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t nonce[12];
	const uint8_t *ivp = iv;
	int len, rc = -1;

	if (inlen > INT_MAX || aadlen > INT_MAX)
		return -1;
	if ((cipher = sk_evp(ea)) == NULL || (ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto done;
	if (!EVP_CipherInit_ex2(ctx, cipher, NULL, NULL, enc, NULL))
		goto done;
	if (ea->ea_aead) {
		/* RFC 5282 4 / RFC 7634 2: nonce = salt (from keymat) | IV */
		if (ea->ea_saltlen + ea->ea_ivlen != sizeof(nonce))
			goto done;
		memcpy(nonce, sk->sk_ekey + ea->ea_keylen, ea->ea_saltlen);
		memcpy(nonce + ea->ea_saltlen, iv, ea->ea_ivlen);
		if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN,
		    (int)sizeof(nonce), NULL) <= 0)
			goto done;
		if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
		    (int)ea->ea_icvlen, tag) <= 0)
			goto done;
		ivp = nonce;
	}
	if (!EVP_CipherInit_ex2(ctx, NULL, sk->sk_ekey, ivp, enc, NULL))
		goto done;
	if (!EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto done;
	if (ea->ea_aead && aadlen > 0 &&
	    !EVP_CipherUpdate(ctx, NULL, &len, aad, (int)aadlen))
		goto done;
	if (inlen > 0 && (!EVP_CipherUpdate(ctx, out, &len, in, (int)inlen) ||
	    (size_t)len != inlen))
		goto done;
	/* for AEAD decryption this is where the tag is verified */
	if (!EVP_CipherFinal_ex(ctx, out + inlen, &len) || len != 0)
		goto done;
	if (ea->ea_aead && enc && EVP_CIPHER_CTX_ctrl(ctx,
	    EVP_CTRL_AEAD_GET_TAG, (int)ea->ea_icvlen, tag) <= 0)
		goto done;
	rc = 0;
done:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return rc;
}

int
ike_sk_encrypt(struct ike_sk *sk, const uint8_t *assoc, size_t assoclen,
    const uint8_t *plain, size_t plainlen, uint8_t *out, size_t outlen)
{
	const struct ike_encr_alg *ea = sk->sk_encr;
	size_t ivlen, padded, icvlen;
	uint8_t *iv = out, *ct, *icv, *buf = NULL;
	int rc = -1, i;

	if (ea == NULL)
		return -1;
	ivlen = ea->ea_ivlen;
	padded = sk_padded_len(sk, plainlen);
	icvlen = sk_icv_len(sk);
	if (outlen != ivlen + padded + icvlen || padded < plainlen)
		return -1;
	ct = out + ivlen;
	icv = ct + padded;

	if (ea->ea_aead) {
		if (sk->sk_seq == UINT64_MAX)
			return -1;	/* never wrap into a used IV */
		for (i = 0; i < 8; i++)
			iv[i] = (uint8_t)(sk->sk_seq >> (56 - 8 * i));
		sk->sk_seq++;
	} else if (ike_random(iv, ivlen) != 0)
		return -1;

	/* RFC 7296 3.14: plaintext | padding (any value; zeros) | Pad Length */
	if ((buf = OPENSSL_malloc(padded)) == NULL)
		return -1;
	if (plainlen > 0)
		memcpy(buf, plain, plainlen);
	memset(buf + plainlen, 0, padded - plainlen - 1);
	buf[padded - 1] = (uint8_t)(padded - plainlen - 1);

	if (ea->ea_aead) {
		/* RFC 5282 5.1: AAD = IKE header through the SK header */
		if (sk_cipher(sk, 1, iv, assoc, assoclen, buf, padded, ct,
		    icv) != 0)
			goto done;
	} else {
		struct ike_span in[2];

		if (sk_cipher(sk, 1, iv, NULL, 0, buf, padded, ct, NULL) != 0)
			goto done;
		/* RFC 7296 3.14: the ICV covers the message from the IKE
		   header through the ciphertext (IV included) */
		in[0].sp_ptr = assoc;
		in[0].sp_len = assoclen;
		in[1].sp_ptr = iv;
		in[1].sp_len = ivlen + padded;
		if (ike_integ(sk->sk_integ, sk->sk_akey, sk->sk_integ->ia_keylen,
		    in, 2, icv) != 0)
			goto done;
	}
	rc = 0;
done:
	OPENSSL_clear_free(buf, padded);
	if (rc != 0)
		OPENSSL_cleanse(out, outlen);
	return rc;
}

int
ike_sk_decrypt(const struct ike_sk *sk, const uint8_t *msg, size_t assoclen,
    size_t msglen, uint8_t *plain, size_t plaincap, size_t *plainlen)
{
	const struct ike_encr_alg *ea = sk->sk_encr;
	const uint8_t *iv, *ct, *icv;
	size_t ivlen, icvlen, bodylen, ctlen, padlen;
	uint8_t mine[IKE_ICV_MAX];
	uint8_t tag[16];

	*plainlen = 0;
	if (ea == NULL || assoclen > msglen)
		return -1;
	ivlen = ea->ea_ivlen;
	icvlen = sk_icv_len(sk);
	bodylen = msglen - assoclen;
	/* at least one block (CBC) or the Pad Length octet (AEAD) */
	if (bodylen < ivlen + icvlen + ea->ea_blocklen)
		return -1;
	ctlen = bodylen - ivlen - icvlen;
	if (ctlen % ea->ea_blocklen != 0 || plaincap < ctlen)
		return -1;
	iv = msg + assoclen;
	ct = iv + ivlen;
	icv = ct + ctlen;

	if (ea->ea_aead) {
		if (icvlen > sizeof(tag))
			return -1;
		memcpy(tag, icv, icvlen);
		if (sk_cipher(sk, 0, iv, msg, assoclen, ct, ctlen, plain,
		    tag) != 0)
			goto fail;
	} else {
		struct ike_span in[1];

		in[0].sp_ptr = msg;
		in[0].sp_len = msglen - icvlen;
		if (ike_integ(sk->sk_integ, sk->sk_akey, sk->sk_integ->ia_keylen,
		    in, 1, mine) != 0)
			return -1;
		if (CRYPTO_memcmp(mine, icv, icvlen) != 0)
			return -1;
		if (sk_cipher(sk, 0, iv, NULL, 0, ct, ctlen, plain, NULL) != 0)
			goto fail;
	}
	/* RFC 7296 3.14: the Pad Length octet ends the plaintext; padding
	   contents are not checked */
	padlen = plain[ctlen - 1];
	if (padlen + 1 > ctlen)
		goto fail;
	*plainlen = ctlen - padlen - 1;
	OPENSSL_cleanse(plain + *plainlen, ctlen - *plainlen);
	return 0;
fail:
	OPENSSL_cleanse(plain, ctlen);
	return -1;
}
