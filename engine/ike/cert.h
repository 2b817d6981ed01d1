/*
 * cert — the engine's certificates: our own (leaf, chain, private key),
 * the CAs we trust for client certificates with their CRLs, CERTREQ
 * hashes, and checking a client's certificate chain and identity.
 * Everything through OpenSSL; built from the configuration's PEM.
 */
#ifndef IKEGW_IKE_CERT_H
#define IKEGW_IKE_CERT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "engine/config.h"

struct ike_certs;

/* NULL with err on failure.  A config without a server certificate gives
   a set with no key (PSK only). */
struct ike_certs *ike_certs_load(const struct ike_config *, char *err, size_t errlen);
void		 ike_certs_free(struct ike_certs *);

/* Our private key (borrowed) or NULL. */
EVP_PKEY	*ike_certs_key(const struct ike_certs *);
/* DER of our leaf (i == 0) and chain certificates; NULL past the end. */
const uint8_t	*ike_certs_der(const struct ike_certs *, size_t i, size_t *len);
/* Concatenated SHA-1 hashes of our trusted CAs' public keys (CERTREQ data). */
const uint8_t	*ike_certs_certreq(const struct ike_certs *, size_t *len);

/*
 * Our identity for IDr: type (IKE_ID_*) and body bytes (malloc'ed, caller
 * frees).  0 or -1.
 */
int	 ike_certs_local_id(const struct ike_certs *, const struct cfg_identity *,
    uint8_t *type, uint8_t **data, size_t *len);

/*
 * Checks a client's certificate: ders[0] is the end-entity certificate,
 * the rest intermediates (CERT payloads in order).  The chain must lead to
 * one of our CAs, be valid now and not be revoked by a configured CRL; the
 * IDi (type, data) must name the certificate (a SAN of the matching kind, or
 * the subject DN for ID_DER_ASN1_DN).  On success returns 0 with *pub (caller
 * frees with EVP_PKEY_free) and the subject in text; -1 with why.
 */
int	 ike_certs_verify_peer(const struct ike_certs *, const uint8_t *const *ders,
    const size_t *lens, size_t n, uint8_t id_type, const uint8_t *id, size_t idlen,
    EVP_PKEY **pub, char *subject, size_t subjlen, char *why, size_t whylen);

/* The text form of an ID payload ("alice@example.com", "192.0.2.2", "CN=…"). */
void	 ike_id_text(uint8_t type, const uint8_t *data, size_t len, char *out, size_t outlen);

#endif
