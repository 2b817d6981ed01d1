/*
 * crypto.h — the IKE engine's algorithm layer: transform descriptors for
 * everything the proposal matcher may choose (ENCR, PRF, INTEG, DH), the
 * PRF and prf+ (RFC 7296 2.13), integrity MACs, protection of the SK / SKF
 * payload (RFC 7296 3.14, RFC 5282, RFC 7634, RFC 7383) and the NAT-D hash
 * (RFC 7296 2.23).  Everything goes through OpenSSL 3 EVP; nothing here
 * knows the wire codec: callers hand in plain byte buffers.
 *
 * Key schedule (SKEYSEED, SK_*, KEYMAT) is in keys.h, Diffie-Hellman in
 * dh.h, AUTH payload computation in auth.h.
 */
#ifndef IKEGW_IKE_CRYPTO_H
#define IKEGW_IKE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

/* Upper bounds, so callers can size stack buffers. */
#define IKE_PRF_MAX		64	/* PRF output and preferred key (SHA-512) */
#define IKE_ENCR_KEYMAT_MAX	36	/* cipher key + salt (AES-256-GCM, ChaCha20) */
#define IKE_INTEG_KEY_MAX	64	/* HMAC-SHA2-512-256 key */
#define IKE_ICV_MAX		32	/* HMAC-SHA2-512-256 truncated output */
#define IKE_IV_MAX		16	/* AES-CBC IV */
#define IKE_NATD_LEN		20	/* SHA-1 */

/*
 * One byte string in a list: PRF and MAC inputs are usually concatenations
 * (Ni | Nr, g^ir | Ni | Nr, SPIi | SPIr), passed as arrays of spans so no
 * caller has to build the concatenation.  Borrowed.
 */
struct ike_span {
	const uint8_t	*sp_ptr;
	size_t		 sp_len;
};

/* ------------------------------------------------------------ descriptors */

/*
 * Encryption transform (Transform Type 1), one entry per (ID, key length).
 * ea_keybits is the value of the Key Length attribute that selects this
 * entry, 0 for transforms that must not carry one (3DES, ChaCha20-Poly1305).
 * Keying material taken from prf+ for one direction is ea_keylen bytes of
 * cipher key followed by ea_saltlen bytes of salt (ike_encr_keymat_len()).
 */
struct ike_encr_alg {
	uint16_t	 ea_id;		/* IKE_ENCR_* */
	uint16_t	 ea_keybits;	/* Key Length attribute, 0 = none */
	const char	*ea_name;	/* for logs: "AES_GCM_16_256" */
	const char	*ea_evp;	/* OpenSSL cipher name */
	size_t		 ea_keylen;	/* cipher key bytes, without salt */
	size_t		 ea_saltlen;	/* implicit nonce part from keymat (AEAD) */
	size_t		 ea_blocklen;	/* SK plaintext+padding is a multiple of
					   this (1 for AEAD; ESP aligns to 4
					   regardless, RFC 4303 2.4) */
	size_t		 ea_ivlen;	/* IV carried in the payload */
	size_t		 ea_icvlen;	/* AEAD tag, 0 for non-AEAD */
	int		 ea_aead;	/* no INTEG transform with this one */
	int		 ea_legacy;	/* hidden unless legacy algorithms are on */
};

/* Pseudorandom function (Transform Type 2); all HMAC based. */
struct ike_prf_alg {
	uint16_t	 pa_id;		/* IKE_PRF_* */
	const char	*pa_name;
	const char	*pa_digest;	/* OpenSSL digest name */
	size_t		 pa_len;	/* output = preferred key length (RFC 4868) */
	int		 pa_legacy;
};

/* Integrity algorithm (Transform Type 3): HMAC truncated to ia_icvlen. */
struct ike_integ_alg {
	uint16_t	 ia_id;		/* IKE_INTEG_* */
	const char	*ia_name;
	const char	*ia_digest;
	size_t		 ia_keylen;
	size_t		 ia_icvlen;
	int		 ia_legacy;
};

enum ike_dh_kind {
	IKE_DHK_MODP,	/* RFC 2409 / RFC 3526 prime fields */
	IKE_DHK_ECP,	/* RFC 5903 NIST curves */
	IKE_DHK_MONT,	/* RFC 8031 curve25519 / curve448 */
};

/* Key exchange group (Transform Type 4). */
struct ike_dh_group {
	uint16_t	 dg_id;		/* IKE_DH_* */
	const char	*dg_name;
	enum ike_dh_kind dg_kind;
	const char	*dg_ossl;	/* OpenSSL group / key type, NULL = built here */
	size_t		 dg_publen;	/* KE payload data length */
	size_t		 dg_secretlen;	/* g^ir length */
	int		 dg_legacy;
};

/*
 * Lookups: NULL when the transform is unknown, not implemented, or (ENCR)
 * the key length is not one the ID allows.  ENCR_NULL is never returned:
 * IKE and ESP traffic here is always encrypted.
 */
const struct ike_encr_alg	*ike_encr_lookup(uint16_t id, uint16_t keybits);
const struct ike_prf_alg	*ike_prf_lookup(uint16_t id);
const struct ike_integ_alg	*ike_integ_lookup(uint16_t id);
const struct ike_dh_group	*ike_dh_lookup(uint16_t id);

/* The whole tables in preference order (strongest first within a family),
   for building proposals and listing choices.  *n receives the count. */
const struct ike_encr_alg	*ike_encr_all(size_t *n);
const struct ike_prf_alg	*ike_prf_all(size_t *n);
const struct ike_integ_alg	*ike_integ_all(size_t *n);
const struct ike_dh_group	*ike_dh_all(size_t *n);

/* Bytes of keying material one direction of this cipher takes. */
size_t	 ike_encr_keymat_len(const struct ike_encr_alg *);

/* ------------------------------------------------------------ PRF, MAC */

/*
 * out = prf(key, in[0] | in[1] | ...), alg->pa_len bytes.  Keys of any
 * non-zero length are fine for the HMAC PRFs.  0 or -1.
 */
int	 ike_prf(const struct ike_prf_alg *alg, const uint8_t *key, size_t keylen,
    const struct ike_span *in, size_t nin, uint8_t *out);

/*
 * RFC 7296 2.13: prf+(K, S) = T1 | T2 | ... with T1 = prf(K, S | 0x01),
 * Tn = prf(K, Tn-1 | S | n).  Writes outlen bytes; outlen may not exceed
 * 255 * pa_len (the counter is one octet).  0 or -1.
 */
int	 ike_prf_plus(const struct ike_prf_alg *alg, const uint8_t *key,
    size_t keylen, const struct ike_span *seed, size_t nseed,
    uint8_t *out, size_t outlen);

/* Truncated HMAC: out = first ia_icvlen bytes of HMAC(key, in...).  0/-1. */
int	 ike_integ(const struct ike_integ_alg *alg, const uint8_t *key,
    size_t keylen, const struct ike_span *in, size_t nin, uint8_t *out);

/* Random bytes from OpenSSL's DRBG (nonces, IVs, SPIs).  0 or -1. */
int	 ike_random(void *buf, size_t len);

/* ------------------------------------------------------------ SK payload */

/*
 * Protection state of one direction of an IKE SA: the cipher and its key
 * (key | salt), the integrity algorithm and key when the cipher is not
 * AEAD.  sk_seq makes AEAD IVs unique: it starts at a random value and
 * counts up per message, so never duplicate a live struct ike_sk.
 */
struct ike_sk {
	const struct ike_encr_alg	*sk_encr;
	const struct ike_integ_alg	*sk_integ;	/* NULL with AEAD */
	uint8_t		 sk_ekey[IKE_ENCR_KEYMAT_MAX];
	uint8_t		 sk_akey[IKE_INTEG_KEY_MAX];
	uint64_t	 sk_seq;
};

/*
 * Sets up sk.  ekey must be ike_encr_keymat_len(encr) bytes; with an AEAD
 * cipher integ must be NULL (akey ignored), otherwise akey has
 * integ->ia_keylen bytes.  Keys are copied.  0, or -1 on a bad combination.
 */
int	 ike_sk_init(struct ike_sk *sk, const struct ike_encr_alg *encr,
    const struct ike_integ_alg *integ, const uint8_t *ekey, size_t ekeylen,
    const uint8_t *akey, size_t akeylen);
/* Wipes the keys. */
void	 ike_sk_wipe(struct ike_sk *sk);

/*
 * Length of the payload body (IV | ciphertext | ICV) ike_sk_encrypt()
 * produces for plainlen bytes of inner payloads: the caller needs it to
 * fill in the IKE header length and the SK/SKF payload length before
 * encrypting, since those bytes are authenticated.
 */
size_t	 ike_sk_body_len(const struct ike_sk *sk, size_t plainlen);
/* The most plaintext that fits in a body of bodylen bytes (fragmentation). */
size_t	 ike_sk_plain_room(const struct ike_sk *sk, size_t bodylen);

/*
 * Encrypts and integrity-protects plain (the inner payload chain).
 * assoc is the message from the first octet of the IKE header through the
 * end of the SK generic header (or the SKF header with fragment number and
 * total, RFC 7383 2.5), lengths already final.  Writes exactly
 * ike_sk_body_len(sk, plainlen) bytes to out (outlen must be that):
 *   CBC:  IV | E(plain | pad | padlen) | ICV = integ(assoc | IV | ciphertext)
 *   AEAD: IV(8) | E(plain | padlen) | tag, nonce = salt | IV, AAD = assoc.
 * 0 or -1.
 */
int	 ike_sk_encrypt(struct ike_sk *sk, const uint8_t *assoc, size_t assoclen,
    const uint8_t *plain, size_t plainlen, uint8_t *out, size_t outlen);

/*
 * Verifies and decrypts a received message.  msg[0 .. assoclen) is the
 * authenticated-only part (IKE header through the SK or SKF header),
 * msg[assoclen .. msglen) the body (IV | ciphertext | ICV); the SK payload
 * is the last payload, so the body runs to the end of the message.  The
 * inner payloads are written to plain (capacity plaincap, enough when it is
 * msglen - assoclen) and *plainlen set.  The ICV is checked before anything
 * is decrypted and compared in constant time.  Returns 0, or -1 for a
 * short body, a wrong ICV or an impossible pad length — deliberately
 * without saying which.
 */
int	 ike_sk_decrypt(const struct ike_sk *sk, const uint8_t *msg,
    size_t assoclen, size_t msglen, uint8_t *plain, size_t plaincap,
    size_t *plainlen);

/* ------------------------------------------------------------ NAT-D */

/*
 * RFC 7296 2.23: SHA-1(SPIi | SPIr | IP address | port), the address and
 * port in network byte order.  ip is 4 or 16 bytes.  0 or -1.
 */
int	 ike_natd_hash(const uint8_t spii[8], const uint8_t spir[8],
    const uint8_t *ip, size_t iplen, uint16_t port, uint8_t out[IKE_NATD_LEN]);
/* The same from a sockaddr_in / sockaddr_in6; -1 for other families. */
int	 ike_natd_hash_sa(const uint8_t spii[8], const uint8_t spir[8],
    const struct sockaddr *sa, uint8_t out[IKE_NATD_LEN]);

#endif
