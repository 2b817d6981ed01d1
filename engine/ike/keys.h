/*
 * keys.h — the IKEv2 key schedule (RFC 7296 2.13, 2.14, 2.17, 2.18):
 * SKEYSEED, the seven IKE SA keys, CHILD SA keying material and the
 * SKEYSEED of a rekeyed IKE SA.
 *
 *   SKEYSEED = prf(Ni | Nr, g^ir)
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *            = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 *   KEYMAT   = prf+(SK_d, [g^ir (new) |] Ni | Nr)
 *   rekeyed SKEYSEED = prf_old(SK_d (old), g^ir (new) | Ni | Nr)
 *
 * RFC 7296 2.14 treats PRFs with a fixed key size specially (AES-XCBC-PRF-
 * 128, AES-CMAC-PRF-128: only the first 64 bits of Ni and of Nr key the
 * SKEYSEED computation).  Only HMAC PRFs are offered here, which take keys
 * of any length, so Ni | Nr is used whole; a fixed-key PRF added later must
 * implement that rule in ike_keys_skeyseed().
 */
#ifndef IKEGW_IKE_KEYS_H
#define IKEGW_IKE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

/*
 * The keys of one IKE SA.  With an AEAD cipher there is no integrity
 * algorithm: k_integ is NULL, k_integlen 0, SK_ai/SK_ar empty.  SK_ei and
 * SK_er include the salt (RFC 5282 7.1: the last 4 octets).
 */
struct ike_sa_keys {
	const struct ike_prf_alg	*k_prf;
	const struct ike_encr_alg	*k_encr;
	const struct ike_integ_alg	*k_integ;
	size_t		 k_prflen;	/* SK_d, SK_pi, SK_pr */
	size_t		 k_integlen;	/* SK_ai, SK_ar */
	size_t		 k_encrlen;	/* SK_ei, SK_er (key | salt) */
	uint8_t		 k_d[IKE_PRF_MAX];
	uint8_t		 k_ai[IKE_INTEG_KEY_MAX];
	uint8_t		 k_ar[IKE_INTEG_KEY_MAX];
	uint8_t		 k_ei[IKE_ENCR_KEYMAT_MAX];
	uint8_t		 k_er[IKE_ENCR_KEYMAT_MAX];
	uint8_t		 k_pi[IKE_PRF_MAX];
	uint8_t		 k_pr[IKE_PRF_MAX];
};

/*
 * SKEYSEED = prf(Ni | Nr, g^ir); writes prf->pa_len bytes.  0 or -1.
 */
int	 ike_keys_skeyseed(const struct ike_prf_alg *prf,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    const uint8_t *gir, size_t girlen, uint8_t *skeyseed);

/*
 * SKEYSEED of the new IKE SA when rekeying (RFC 7296 2.18):
 * prf(SK_d (old), g^ir (new) | Ni | Nr) with the OLD SA's PRF (old_prf);
 * the new SA's PRF then derives the keys (ike_keys_derive with the new
 * SPIs and nonces).  Writes old_prf->pa_len bytes.  0 or -1.
 */
int	 ike_keys_rekey_skeyseed(const struct ike_prf_alg *old_prf,
    const uint8_t *old_skd, size_t old_skdlen, const uint8_t *gir,
    size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
    size_t nrlen, uint8_t *skeyseed);

/*
 * Fills k with SK_d ... SK_pr = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
 * integ must be NULL for an AEAD encr and non-NULL otherwise.  k is wiped
 * first and on failure.  0 or -1.
 */
int	 ike_keys_derive(struct ike_sa_keys *k, const struct ike_prf_alg *prf,
    const struct ike_encr_alg *encr, const struct ike_integ_alg *integ,
    const uint8_t *skeyseed, size_t skeyseedlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    const uint8_t spii[8], const uint8_t spir[8]);

/*
 * SK payload state for both directions: we_initiated says whether we are
 * the original initiator of this IKE SA (messages from the original
 * initiator use SK_ei/SK_ai).  0 or -1.
 */
int	 ike_keys_sk(const struct ike_sa_keys *k, int we_initiated,
    struct ike_sk *out, struct ike_sk *in);

/* Wipes all keys. */
void	 ike_keys_wipe(struct ike_sa_keys *k);

/*
 * Keys of one ESP CHILD SA pair.  "i" keys protect traffic from the
 * initiator of the exchange that created the CHILD SA to its responder.
 * Encryption keys include the salt for AEAD (RFC 4106 8.1: 4 octets;
 * RFC 7634 4 the same); integrity keys are empty with AEAD.
 */
struct ike_child_keys {
	size_t		 ck_encrlen;
	size_t		 ck_integlen;
	uint8_t		 ck_ei[IKE_ENCR_KEYMAT_MAX];
	uint8_t		 ck_ai[IKE_INTEG_KEY_MAX];
	uint8_t		 ck_er[IKE_ENCR_KEYMAT_MAX];
	uint8_t		 ck_ar[IKE_INTEG_KEY_MAX];
};

/*
 * KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr) (RFC 7296 2.17), taken in the
 * order: encryption key i->r, integrity key i->r, encryption key r->i,
 * integrity key r->i.  gir is NULL (girlen 0) without PFS.  Ni and Nr are
 * the IKE_SA_INIT nonces for the CHILD SA of IKE_AUTH, else the
 * CREATE_CHILD_SA ones.  integ NULL with AEAD.  0 or -1.
 */
int	 ike_keys_child(struct ike_child_keys *ck, const struct ike_prf_alg *prf,
    const uint8_t *skd, size_t skdlen, const struct ike_encr_alg *encr,
    const struct ike_integ_alg *integ, const uint8_t *gir, size_t girlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen);

/* Wipes the keys. */
void	 ike_child_keys_wipe(struct ike_child_keys *ck);

#endif
