/*
 * dh.h — Diffie-Hellman for the KE payload: an ephemeral key pair per
 * exchange, its public value in the RFC wire encoding, peer validation
 * (RFC 6989) and the shared secret g^ir in the encoding the key schedule
 * expects.
 *
 * Encodings (KE payload data / g^ir):
 *   MODP (RFC 7296 3.4)      y big-endian, left-padded to the prime length /
 *                            g^xy left-padded to the prime length
 *   ECP  (RFC 5903 7, 9)     x | y, each padded to the field length, no 0x04 /
 *                            x coordinate only
 *   curve25519/448 (RFC 8031) the raw 32/56-byte strings
 */
#ifndef IKEGW_IKE_DH_H
#define IKEGW_IKE_DH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

#define IKE_DH_PUB_MAX		1024	/* MODP 8192 */
#define IKE_DH_SECRET_MAX	1024

struct ike_dh_key;	/* one key pair; opaque */

/*
 * Generates a key pair in group (IKE_DH_*).  NULL when the group is not
 * supported or generation failed.  Free with ike_dh_free().
 */
struct ike_dh_key	*ike_dh_new(uint16_t group);
/* NULL-safe; the private key is freed (and cleared) by OpenSSL. */
void		 ike_dh_free(struct ike_dh_key *);
/* The group's descriptor.  Borrowed. */
const struct ike_dh_group *ike_dh_group_of(const struct ike_dh_key *);

/*
 * Our public value, exactly dg_publen bytes into out (outlen must be at
 * least that); *len receives dg_publen.  0 or -1.
 */
int	 ike_dh_public(const struct ike_dh_key *, uint8_t *out, size_t outlen,
    size_t *len);

/*
 * RFC 6989 checks on a peer's public value for group, without computing
 * anything: exact length; MODP 1 < y < p-1; ECP point on the curve (and not
 * the point at infinity, which has no x | y encoding anyway).  curve25519/
 * 448 values are all acceptable as strings; the all-zero shared secret
 * they can produce is refused by ike_dh_shared().  0, or -1 with *why set
 * to a constant message when why is not NULL.
 */
int	 ike_dh_check_peer(uint16_t group, const uint8_t *pub, size_t len,
    const char **why);

/*
 * g^ir from our key pair and the peer's public value, after
 * ike_dh_check_peer().  Writes exactly dg_secretlen bytes (outlen must be
 * at least that) and sets *len.  The caller wipes the secret when done.
 * 0, or -1 (with *why, as above) for an invalid peer value, an all-zero
 * X25519/X448 result or an internal failure.
 */
int	 ike_dh_shared(const struct ike_dh_key *, const uint8_t *peer, size_t peerlen,
    uint8_t *out, size_t outlen, size_t *len, const char **why);

#endif
