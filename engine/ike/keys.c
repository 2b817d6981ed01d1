/*
 * keys.c — SKEYSEED, IKE SA keys, CHILD SA KEYMAT (RFC 7296 2.14, 2.17,
 * 2.18).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "keys.h"

int
ike_keys_skeyseed(const struct ike_prf_alg *prf, const uint8_t *ni,
    size_t nilen, const uint8_t *nr, size_t nrlen, const uint8_t *gir,
    size_t girlen, uint8_t *skeyseed)
{
	uint8_t key[2 * 256];	/* nonces are at most 256 octets each */
	struct ike_span in[1];
	int rc;

	if (nilen > 256 || nrlen > 256 || nilen + nrlen == 0)
		return -1;
	/* RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir); the nonces are the
	   key, whole, since HMAC takes any key length */
	memcpy(key, ni, nilen);
	memcpy(key + nilen, nr, nrlen);
	in[0].sp_ptr = gir;
	in[0].sp_len = girlen;
	rc = ike_prf(prf, key, nilen + nrlen, in, 1, skeyseed);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
ike_keys_rekey_skeyseed(const struct ike_prf_alg *old_prf,
    const uint8_t *old_skd, size_t old_skdlen, const uint8_t *gir,
    size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
    size_t nrlen, uint8_t *skeyseed)
{
	struct ike_span in[3];

	/* RFC 7296 2.18: the rekeying exchange belongs to the old SA, so
	   its PRF computes SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
	in[0].sp_ptr = gir;
	in[0].sp_len = girlen;
	in[1].sp_ptr = ni;
	in[1].sp_len = nilen;
	in[2].sp_ptr = nr;
	in[2].sp_len = nrlen;
	return ike_prf(old_prf, old_skd, old_skdlen, in, 3, skeyseed);
}

/* Copies n bytes from *pos into dst and advances. */
static void
take(uint8_t *dst, const uint8_t **pos, size_t n)
{
	memcpy(dst, *pos, n);
	*pos += n;
}

int
ike_keys_derive(struct ike_sa_keys *k, const struct ike_prf_alg *prf,
    const struct ike_encr_alg *encr, const struct ike_integ_alg *integ,
    const uint8_t *skeyseed, size_t skeyseedlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    const uint8_t spii[8], const uint8_t spir[8])
{
	uint8_t keymat[3 * IKE_PRF_MAX + 2 * IKE_INTEG_KEY_MAX +
	    2 * IKE_ENCR_KEYMAT_MAX];
	struct ike_span seed[4];
	const uint8_t *pos = keymat;
	size_t total;
	int rc = -1;

	ike_keys_wipe(k);
	if (prf == NULL || encr == NULL || (encr->ea_aead != (integ == NULL)))
		return -1;
	k->k_prf = prf;
	k->k_encr = encr;
	k->k_integ = integ;
	/* RFC 7296 2.14: SK_d, SK_pi and SK_pr have the PRF's preferred key
	   length; with AEAD (RFC 5282 7) there are no SK_a keys and SK_e
	   carries the salt after the key */
	k->k_prflen = prf->pa_len;
	k->k_integlen = integ != NULL ? integ->ia_keylen : 0;
	k->k_encrlen = ike_encr_keymat_len(encr);
	total = 3 * k->k_prflen + 2 * k->k_integlen + 2 * k->k_encrlen;

	seed[0].sp_ptr = ni;
	seed[0].sp_len = nilen;
	seed[1].sp_ptr = nr;
	seed[1].sp_len = nrlen;
	seed[2].sp_ptr = spii;
	seed[2].sp_len = 8;
	seed[3].sp_ptr = spir;
	seed[3].sp_len = 8;
	if (ike_prf_plus(prf, skeyseed, skeyseedlen, seed, 4, keymat,
	    total) != 0)
		goto done;
	take(k->k_d, &pos, k->k_prflen);
	take(k->k_ai, &pos, k->k_integlen);
	take(k->k_ar, &pos, k->k_integlen);
	take(k->k_ei, &pos, k->k_encrlen);
	take(k->k_er, &pos, k->k_encrlen);
	take(k->k_pi, &pos, k->k_prflen);
	take(k->k_pr, &pos, k->k_prflen);
	rc = 0;
done:
	OPENSSL_cleanse(keymat, sizeof(keymat));
	if (rc != 0)
		ike_keys_wipe(k);
	return rc;
}

int
ike_keys_sk(const struct ike_sa_keys *k, int we_initiated,
    struct ike_sk *out, struct ike_sk *in)
{
	const uint8_t *e_out = we_initiated ? k->k_ei : k->k_er;
	const uint8_t *a_out = we_initiated ? k->k_ai : k->k_ar;
	const uint8_t *e_in = we_initiated ? k->k_er : k->k_ei;
	const uint8_t *a_in = we_initiated ? k->k_ar : k->k_ai;

	if (ike_sk_init(out, k->k_encr, k->k_integ, e_out, k->k_encrlen,
	    a_out, k->k_integlen) != 0)
		return -1;
	if (ike_sk_init(in, k->k_encr, k->k_integ, e_in, k->k_encrlen,
	    a_in, k->k_integlen) != 0) {
		ike_sk_wipe(out);
		return -1;
	}
	return 0;
}

void
ike_keys_wipe(struct ike_sa_keys *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

int
ike_keys_child(struct ike_child_keys *ck, const struct ike_prf_alg *prf,
    const uint8_t *skd, size_t skdlen, const struct ike_encr_alg *encr,
    const struct ike_integ_alg *integ, const uint8_t *gir, size_t girlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen)
{
	uint8_t keymat[2 * (IKE_ENCR_KEYMAT_MAX + IKE_INTEG_KEY_MAX)];
	struct ike_span seed[3];
	const uint8_t *pos = keymat;
	size_t n = 0;
	int rc = -1;

	ike_child_keys_wipe(ck);
	if (prf == NULL || encr == NULL || (encr->ea_aead != (integ == NULL)))
		return -1;
	ck->ck_encrlen = ike_encr_keymat_len(encr);
	ck->ck_integlen = integ != NULL ? integ->ia_keylen : 0;
	if (gir != NULL && girlen > 0) {
		seed[n].sp_ptr = gir;
		seed[n++].sp_len = girlen;
	}
	seed[n].sp_ptr = ni;
	seed[n++].sp_len = nilen;
	seed[n].sp_ptr = nr;
	seed[n++].sp_len = nrlen;
	if (ike_prf_plus(prf, skd, skdlen, seed, n, keymat,
	    2 * (ck->ck_encrlen + ck->ck_integlen)) != 0)
		goto done;
	/* RFC 7296 2.17: initiator->responder keys first; within one SA the
	   encryption key before the integrity key (RFC 4301) */
	take(ck->ck_ei, &pos, ck->ck_encrlen);
	take(ck->ck_ai, &pos, ck->ck_integlen);
	take(ck->ck_er, &pos, ck->ck_encrlen);
	take(ck->ck_ar, &pos, ck->ck_integlen);
	rc = 0;
done:
	OPENSSL_cleanse(keymat, sizeof(keymat));
	if (rc != 0)
		ike_child_keys_wipe(ck);
	return rc;
}

void
ike_child_keys_wipe(struct ike_child_keys *ck)
{
	if (ck != NULL)
		OPENSSL_cleanse(ck, sizeof(*ck));
}
