/*
 * dh.c — IKE key exchange through EVP_PKEY: MODP (RFC 2409 group 2,
 * RFC 3526 groups 5, 14-18), ECP (RFC 5903 groups 19-21) and
 * curve25519/curve448 (RFC 8031 groups 31, 32).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "ike.h"
#include "crypto.h"
#include "dh.h"

struct ike_dh_key {
	const struct ike_dh_group	*dh_group;
	EVP_PKEY			*dh_key;
};

static void
set_why(const char **why, const char *msg)
{
	if (why != NULL)
		*why = msg;
}

/*
 * The MODP prime of a group.  OpenSSL ships each of them as a constant;
 * group 2 (RFC 2409 6.2, repeated in RFC 7296 B.2) has no OpenSSL group
 * name, so this is where its parameters come from.  Caller frees.
 */
static BIGNUM *
modp_prime(uint16_t id)
{
	switch (id) {
	case IKE_DH_MODP1024:	return BN_get_rfc2409_prime_1024(NULL);
	case IKE_DH_MODP1536:	return BN_get_rfc3526_prime_1536(NULL);
	case IKE_DH_MODP2048:	return BN_get_rfc3526_prime_2048(NULL);
	case IKE_DH_MODP3072:	return BN_get_rfc3526_prime_3072(NULL);
	case IKE_DH_MODP4096:	return BN_get_rfc3526_prime_4096(NULL);
	case IKE_DH_MODP6144:	return BN_get_rfc3526_prime_6144(NULL);
	case IKE_DH_MODP8192:	return BN_get_rfc3526_prime_8192(NULL);
	default:		return NULL;
	}
}

/*
 * Pushes the domain parameters of a MODP group: the OpenSSL group name,
 * or for group 2 p and g = 2.  q = (p-1)/2 is left out on purpose: with q
 * present OpenSSL 3 generates keys the FIPS 186-4 way, which refuses a
 * group below 112 bits of strength; without it the private exponent is
 * simply random below p.
 */
static int
modp_params(OSSL_PARAM_BLD *bld, const struct ike_dh_group *g, BIGNUM **keep)
{
	BIGNUM *p, *two;

	if (g->dg_ossl != NULL)
		return OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, g->dg_ossl, 0) ? 0 : -1;
	/* the builder references the BIGNUMs until OSSL_PARAM_BLD_to_param() */
	keep[0] = p = modp_prime(g->dg_id);
	keep[1] = two = BN_new();
	if (p == NULL || two == NULL || !BN_set_word(two, 2))
		return -1;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, two))
		return -1;
	return 0;
}

/*
 * An EVP_PKEY from parameters: domain parameters (+ pub when not NULL,
 * as a BIGNUM for DH or an octet string for EC).  selection is
 * EVP_PKEY_KEY_PARAMETERS or EVP_PKEY_PUBLIC_KEY.
 */
static EVP_PKEY *
pkey_fromdata(const struct ike_dh_group *g, int selection, const BIGNUM *y,
    const uint8_t *point, size_t pointlen)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *keep[2] = { NULL, NULL };
	const char *type = g->dg_kind == IKE_DHK_MODP ? "DH" : "EC";

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto done;
	if (g->dg_kind == IKE_DHK_MODP) {
		if (modp_params(bld, g, keep) != 0)
			goto done;
		if (y != NULL && !OSSL_PARAM_BLD_push_BN(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, y))
			goto done;
	} else {
		if (!OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, g->dg_ossl, 0))
			goto done;
		if (point != NULL && !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, point, pointlen))
			goto done;
	}
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto done;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
done:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(keep[0]);
	BN_free(keep[1]);
	return pkey;
}

struct ike_dh_key *
ike_dh_new(uint16_t group)
{
	const struct ike_dh_group *g = ike_dh_lookup(group);
	struct ike_dh_key *dh = NULL;
	EVP_PKEY *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;

	if (g == NULL)
		return NULL;
	if ((dh = OPENSSL_zalloc(sizeof(*dh))) == NULL)
		return NULL;
	dh->dh_group = g;
	switch (g->dg_kind) {
	case IKE_DHK_MONT:
		dh->dh_key = EVP_PKEY_Q_keygen(NULL, NULL, g->dg_ossl);
		break;
	case IKE_DHK_ECP:
		dh->dh_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->dg_ossl);
		break;
	case IKE_DHK_MODP:
		/* key generation from a parameters-only key covers both the
		   named groups and group 2's explicit p, g */
		if ((params = pkey_fromdata(g, EVP_PKEY_KEY_PARAMETERS, NULL,
		    NULL, 0)) == NULL)
			break;
		if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL)) ==
		    NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
		    EVP_PKEY_generate(ctx, &dh->dh_key) <= 0) {
			EVP_PKEY_free(dh->dh_key);
			dh->dh_key = NULL;
		}
		break;
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	if (dh->dh_key == NULL) {
		OPENSSL_free(dh);
		return NULL;
	}
	return dh;
}

void
ike_dh_free(struct ike_dh_key *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->dh_key);
	OPENSSL_free(dh);
}

const struct ike_dh_group *
ike_dh_group_of(const struct ike_dh_key *dh)
{
	return dh->dh_group;
}

int
ike_dh_public(const struct ike_dh_key *dh, uint8_t *out, size_t outlen,
    size_t *len)
{
	const struct ike_dh_group *g = dh->dh_group;
	uint8_t point[1 + 2 * 66];
	BIGNUM *y = NULL;
	size_t n = 0;
	int rc = -1;

	*len = 0;
	if (outlen < g->dg_publen)
		return -1;
	switch (g->dg_kind) {
	case IKE_DHK_MODP:
		/* RFC 7296 3.4: zero-padded on the left to the prime length */
		if (EVP_PKEY_get_bn_param(dh->dh_key, OSSL_PKEY_PARAM_PUB_KEY,
		    &y) && BN_bn2binpad(y, out, (int)g->dg_publen) ==
		    (int)g->dg_publen)
			rc = 0;
		break;
	case IKE_DHK_ECP:
		/* RFC 5903 7: x | y without the SEC1 0x04 prefix */
		if (EVP_PKEY_get_octet_string_param(dh->dh_key,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point),
		    &n) && n == 1 + g->dg_publen && point[0] == 0x04) {
			memcpy(out, point + 1, g->dg_publen);
			rc = 0;
		}
		break;
	case IKE_DHK_MONT:
		n = outlen;
		if (EVP_PKEY_get_raw_public_key(dh->dh_key, out, &n) &&
		    n == g->dg_publen)
			rc = 0;
		break;
	}
	BN_free(y);
	if (rc == 0)
		*len = g->dg_publen;
	return rc;
}

/*
 * Validates the peer's value and turns it into an EVP_PKEY for derivation.
 * NULL (and *why) when it is unacceptable.
 */
static EVP_PKEY *
peer_key(const struct ike_dh_group *g, const uint8_t *pub, size_t len,
    const char **why)
{
	uint8_t point[1 + 2 * 66];
	BIGNUM *y = NULL, *pm1 = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (len != g->dg_publen) {
		set_why(why, "KE data length does not match the group");
		return NULL;
	}
	switch (g->dg_kind) {
	case IKE_DHK_MODP:
		/* RFC 6989 2.1: 1 < y < p-1, so neither 0, 1, p-1 nor >= p */
		y = BN_bin2bn(pub, (int)len, NULL);
		pm1 = modp_prime(g->dg_id);
		if (y == NULL || pm1 == NULL || !BN_sub_word(pm1, 1)) {
			set_why(why, "out of memory");
			break;
		}
		if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0) {
			set_why(why, "MODP public value out of range");
			break;
		}
		if ((pkey = pkey_fromdata(g, EVP_PKEY_PUBLIC_KEY, y, NULL,
		    0)) == NULL)
			set_why(why, "MODP public value rejected");
		break;
	case IKE_DHK_ECP:
		/* RFC 6989 2.3: the point must be on the curve.  Import
		   already refuses points off the curve; the full public
		   check also covers range and order. */
		point[0] = 0x04;
		memcpy(point + 1, pub, len);
		pkey = pkey_fromdata(g, EVP_PKEY_PUBLIC_KEY, NULL, point,
		    1 + len);
		if (pkey != NULL &&
		    ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) ==
		    NULL || EVP_PKEY_public_check(ctx) != 1)) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		if (pkey == NULL)
			set_why(why, "ECP public value is not a point on the curve");
		break;
	case IKE_DHK_MONT:
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, g->dg_ossl, NULL,
		    pub, len);
		if (pkey == NULL)
			set_why(why, "curve public value rejected");
		break;
	}
	EVP_PKEY_CTX_free(ctx);
	BN_free(y);
	BN_free(pm1);
	return pkey;
}

int
ike_dh_check_peer(uint16_t group, const uint8_t *pub, size_t len,
    const char **why)
{
	const struct ike_dh_group *g = ike_dh_lookup(group);
	EVP_PKEY *pkey;

	if (g == NULL) {
		set_why(why, "unsupported group");
		return -1;
	}
	if ((pkey = peer_key(g, pub, len, why)) == NULL)
		return -1;
	EVP_PKEY_free(pkey);
	return 0;
}

int
ike_dh_shared(const struct ike_dh_key *dh, const uint8_t *peer, size_t peerlen,
    uint8_t *out, size_t outlen, size_t *len, const char **why)
{
	const struct ike_dh_group *g = dh->dh_group;
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t buf[IKE_DH_SECRET_MAX];
	uint8_t acc = 0;
	size_t n = 0, i;
	int rc = -1;

	*len = 0;
	if (outlen < g->dg_secretlen) {
		set_why(why, "output buffer too small");
		return -1;
	}
	if ((pkey = peer_key(g, peer, peerlen, why)) == NULL)
		return -1;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->dh_key, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) <= 0 ||
	    (g->dg_kind == IKE_DHK_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0) ||
	    /* the peer was validated above; skip OpenSSL's own (for MODP
	       a full subgroup check, an exponentiation per exchange) */
	    EVP_PKEY_derive_set_peer_ex(ctx, pkey, 0) <= 0) {
		set_why(why, "key derivation setup failed");
		goto done;
	}
	n = sizeof(buf);
	if (EVP_PKEY_derive(ctx, buf, &n) <= 0 || n > g->dg_secretlen) {
		/* X25519/X448 land here for an all-zero result too */
		set_why(why, "key derivation failed");
		goto done;
	}
	/* RFC 7296 2.14: g^ir padded with zeros to the length of the modulus
	   (set_dh_pad already does it; ECP x and X25519 are fixed length) */
	memset(out, 0, g->dg_secretlen - n);
	memcpy(out + (g->dg_secretlen - n), buf, n);
	/* RFC 8031 2: an all-zero curve25519/448 result MUST be rejected */
	for (i = 0; i < g->dg_secretlen; i++)
		acc |= out[i];
	if (acc == 0) {
		set_why(why, "all-zero shared secret");
		OPENSSL_cleanse(out, g->dg_secretlen);
		goto done;
	}
	*len = g->dg_secretlen;
	rc = 0;
done:
	OPENSSL_cleanse(buf, sizeof(buf));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return rc;
}
