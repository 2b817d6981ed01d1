/*
 * auth.h — the AUTH payload (RFC 7296 2.15, 2.16, 3.8): the signed
 * octets, shared-key and EAP-MSK AUTH values, and signatures for auth
 * methods 1 (RSA PKCS#1 v1.5 with SHA-1), 9/10/11 (ECDSA, RFC 4754) and 14
 * (RFC 7427 digital signature), plus the SIGNATURE_HASH_ALGORITHMS notify
 * helpers.  Keys are OpenSSL EVP_PKEYs, borrowed; they come from pki/.
 */
#ifndef IKEGW_IKE_AUTH_H
#define IKEGW_IKE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "crypto.h"

/*
 * The octets a peer signs or MACs (RFC 7296 2.15):
 *   RealMessage | Nonce(other peer) | prf(SK_p, IDType | RESERVED | ID data)
 * msg is the whole IKE_SA_INIT message the signer sent, nonce the Nonce data
 * of the other side, idbody the ID payload body after its generic header
 * (type, 3 reserved octets, data), skp SK_pi for the initiator's octets or
 * SK_pr for the responder's.  *out is malloc'ed (caller frees).  0 or -1.
 */
int	 ike_auth_octets(const struct ike_prf_alg *prf, const uint8_t *skp,
    size_t skplen, const uint8_t *msg, size_t msglen, const uint8_t *nonce,
    size_t noncelen, const uint8_t *idbody, size_t idlen,
    uint8_t **out, size_t *outlen);

/*
 * Shared-key AUTH: prf(prf(secret, "Key Pad for IKEv2"), octets), written
 * as prf->pa_len bytes.  Also the AUTH after EAP (RFC 7296 2.16): secret is
 * the EAP MSK, or SK_pi / SK_pr when the EAP method produced no key.
 * 0 or -1 (an empty secret is refused).
 */
int	 ike_auth_psk(const struct ike_prf_alg *prf, const uint8_t *secret,
    size_t secretlen, const uint8_t *octets, size_t octetslen, uint8_t *out);
/* Recomputes and compares in constant time: 0 when auth matches. */
int	 ike_auth_psk_verify(const struct ike_prf_alg *prf, const uint8_t *secret,
    size_t secretlen, const uint8_t *octets, size_t octetslen,
    const uint8_t *auth, size_t authlen);

/*
 * Signs octets with key for the AUTH payload data of method:
 *   1   key RSA; RSASSA-PKCS1-v1_5 over SHA-1 (hash must be 0 or SHA1)
 *   9, 10, 11  key on P-256/P-384/P-521; SHA-256/384/512; r | s fixed length
 *   14  AlgorithmIdentifier length octet | AlgorithmIdentifier | signature:
 *       RSA key: sha{256,384,512}WithRSAEncryption, or with pss set
 *       RSASSA-PSS (SHA-256 only: MGF1-SHA-256, 32-octet salt);
 *       EC key: ecdsa-with-SHA{256,384,512}, DER Ecdsa-Sig-Value.
 *   hash is an IKE_HASH_* value (SHA2_256/384/512 for method 14).
 * *out is malloc'ed (caller frees).  0 or -1.
 */
int	 ike_auth_sign(EVP_PKEY *key, uint8_t method, uint16_t hash, int pss,
    const uint8_t *octets, size_t octetslen, uint8_t **out, size_t *outlen);

/*
 * Verifies AUTH data of method against octets with the peer's public key
 * (from its certificate).  For method 14 the AlgorithmIdentifier must be
 * one of the encodings above byte for byte and fit the key type; *hash
 * (when not NULL) receives the IKE_HASH_* it used.  0 when the signature
 * is good, -1 otherwise with *why (when not NULL) set to a constant message.
 */
int	 ike_auth_verify(EVP_PKEY *key, uint8_t method, const uint8_t *auth,
    size_t authlen, const uint8_t *octets, size_t octetslen, uint16_t *hash,
    const char **why);

/*
 * SIGNATURE_HASH_ALGORITHMS (RFC 7427 4): notify data is a list of 16-bit
 * hash algorithm IDs.  Sets *mask to a bit (1 << id) per known ID (1..5);
 * unknown IDs are skipped.  -1 for an odd length.
 */
int	 ike_sig_hash_parse(const uint8_t *data, size_t len, uint32_t *mask);
/* Our notify data: SHA2-256, SHA2-384, SHA2-512.  Returns its length
   (6), or 0 when cap is too small. */
size_t	 ike_sig_hash_ours(uint8_t *out, size_t cap);

/*
 * Picks the auth method and hash for signing with key, given the peer's
 * SIGNATURE_HASH_ALGORITHMS mask (0 when it sent none): method 14 with the
 * hash matching an EC key's curve, else SHA2-256/384/512 in that order;
 * without a usable hash, method 1 for RSA or 9/10/11 for P-256/384/521.
 * 0, or -1 when the key cannot sign at all.
 */
int	 ike_auth_choose(EVP_PKEY *key, uint32_t peer_hashes, uint8_t *method,
    uint16_t *hash);

#endif
