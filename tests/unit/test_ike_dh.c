/*
 * test_ike_dh — every key exchange group end to end (two key pairs agree,
 * lengths as the RFCs say) and RFC 6989 peer validation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>

#include "engine/ike/ike.h"
#include "engine/ike/crypto.h"
#include "engine/ike/dh.h"

/* RFC 7296 Appendix B.2 (= RFC 2409 6.2): the group 2 prime. */
static const char modp1024_hex[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
    "FFFFFFFFFFFFFFFF";

/* Two parties in group id agree; returns nothing, asserts everything. */
static void
exchange(uint16_t id)
{
	const struct ike_dh_group *g = ike_dh_lookup(id);
	struct ike_dh_key *a, *b;
	uint8_t pa[IKE_DH_PUB_MAX], pb[IKE_DH_PUB_MAX];
	uint8_t sa[IKE_DH_SECRET_MAX], sb[IKE_DH_SECRET_MAX];
	size_t la, lb, n;
	const char *why = NULL;

	assert_non_null(g);
	a = ike_dh_new(id);
	b = ike_dh_new(id);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_equal(ike_dh_group_of(a), g);
	assert_int_equal(ike_dh_public(a, pa, sizeof(pa), &la), 0);
	assert_int_equal(ike_dh_public(b, pb, sizeof(pb), &lb), 0);
	assert_int_equal(la, g->dg_publen);
	assert_int_equal(lb, g->dg_publen);
	assert_memory_not_equal(pa, pb, la);
	assert_int_equal(ike_dh_public(a, pa, g->dg_publen - 1, &n), -1);

	assert_int_equal(ike_dh_check_peer(id, pb, lb, &why), 0);
	assert_int_equal(ike_dh_shared(a, pb, lb, sa, sizeof(sa), &la, &why), 0);
	assert_int_equal(ike_dh_shared(b, pa, g->dg_publen, sb, sizeof(sb), &lb,
	    &why), 0);
	assert_int_equal(la, g->dg_secretlen);
	assert_int_equal(lb, g->dg_secretlen);
	assert_memory_equal(sa, sb, la);
	ike_dh_free(a);
	ike_dh_free(b);
}

static void
test_dh_all_groups(void **state)
{
	const struct ike_dh_group *g;
	size_t n, i;

	(void)state;
	g = ike_dh_all(&n);
	for (i = 0; i < n; i++)
		exchange(g[i].dg_id);
}

static void
test_dh_public_lengths(void **state)
{
	/* RFC 3526 / RFC 2409: prime octets; RFC 5903: 2 x field octets;
	   RFC 8031: 32 and 56 */
	static const struct { uint16_t id; size_t pub, secret; } want[] = {
		{ IKE_DH_MODP1024, 128, 128 }, { IKE_DH_MODP1536, 192, 192 },
		{ IKE_DH_MODP2048, 256, 256 }, { IKE_DH_MODP3072, 384, 384 },
		{ IKE_DH_MODP4096, 512, 512 }, { IKE_DH_MODP6144, 768, 768 },
		{ IKE_DH_MODP8192, 1024, 1024 }, { IKE_DH_ECP256, 64, 32 },
		{ IKE_DH_ECP384, 96, 48 }, { IKE_DH_ECP521, 132, 66 },
		{ IKE_DH_CURVE25519, 32, 32 }, { IKE_DH_CURVE448, 56, 56 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ike_dh_group *g = ike_dh_lookup(want[i].id);

		assert_non_null(g);
		assert_int_equal(g->dg_publen, want[i].pub);
		assert_int_equal(g->dg_secretlen, want[i].secret);
	}
	assert_null(ike_dh_new(IKE_DH_MODP768));
	assert_null(ike_dh_new(IKE_DH_NONE));
	assert_int_equal(ike_dh_check_peer(IKE_DH_MODP768, (const uint8_t *)"x",
	    1, NULL), -1);
}

/* y as a big-endian value of len octets */
static void
bn_out(const BIGNUM *bn, uint8_t *out, size_t len)
{
	assert_int_equal(BN_bn2binpad(bn, out, (int)len), (int)len);
}

/*
 * RFC 6989 2.1 for a MODP group with prime p (len octets): 0, 1, p-1, p
 * and p+1 are refused, 2 and p-2 accepted (which pins the prime exactly),
 * wrong lengths refused; the shared secret refuses them too.
 */
static void
modp_invalid(uint16_t id, BIGNUM *p)
{
	const struct ike_dh_group *g = ike_dh_lookup(id);
	struct ike_dh_key *dh = ike_dh_new(id);
	size_t len = g->dg_publen, outlen;
	uint8_t v[IKE_DH_PUB_MAX + 1], out[IKE_DH_SECRET_MAX];
	BIGNUM *x = BN_new();
	const char *why;

	assert_non_null(dh);
	assert_non_null(x);
	assert_int_equal(BN_num_bytes(p), (int)len);

	memset(v, 0, sizeof(v));		/* 0 */
	assert_int_equal(ike_dh_check_peer(id, v, len, &why), -1);
	v[len - 1] = 1;				/* 1 */
	assert_int_equal(ike_dh_check_peer(id, v, len, &why), -1);
	assert_int_equal(ike_dh_shared(dh, v, len, out, sizeof(out), &outlen,
	    &why), -1);
	assert_int_equal(outlen, 0);
	v[len - 1] = 2;				/* 2: fine */
	assert_int_equal(ike_dh_check_peer(id, v, len, &why), 0);

	assert_non_null(BN_copy(x, p));		/* p */
	bn_out(x, v, len);
	assert_int_equal(ike_dh_check_peer(id, v, len, &why), -1);
	assert_int_equal(ike_dh_shared(dh, v, len, out, sizeof(out), &outlen,
	    &why), -1);
	assert_int_equal(BN_add_word(x, 1), 1);	/* p + 1 */
	bn_out(x, v, len);
	assert_int_equal(ike_dh_check_peer(id, v, len, &why), -1);
	assert_int_equal(BN_sub_word(x, 2), 1);	/* p - 1 */
	bn_out(x, v, len);
	assert_int_equal(ike_dh_check_peer(id, v, len, &why), -1);
	assert_int_equal(ike_dh_shared(dh, v, len, out, sizeof(out), &outlen,
	    &why), -1);
	assert_int_equal(BN_sub_word(x, 1), 1);	/* p - 2: fine */
	bn_out(x, v, len);
	assert_int_equal(ike_dh_check_peer(id, v, len, &why), 0);
	memset(v, 0xff, len);			/* 2^n - 1 > p */
	assert_int_equal(ike_dh_check_peer(id, v, len, &why), -1);

	/* lengths: a valid value one octet short, or with a leading zero */
	memset(v, 0, sizeof(v));
	v[len - 1] = 2;
	assert_int_equal(ike_dh_check_peer(id, v + 1, len - 1, &why), -1);
	assert_non_null(why);
	assert_int_equal(ike_dh_check_peer(id, v, len + 1, &why), -1);
	assert_int_equal(ike_dh_shared(dh, v, len + 1, out, sizeof(out),
	    &outlen, &why), -1);
	BN_free(x);
	ike_dh_free(dh);
}

static void
test_dh_modp_invalid(void **state)
{
	BIGNUM *p = NULL;

	(void)state;
	assert_true(BN_hex2bn(&p, modp1024_hex) > 0);
	modp_invalid(IKE_DH_MODP1024, p);
	BN_free(p);
	p = BN_get_rfc3526_prime_2048(NULL);
	modp_invalid(IKE_DH_MODP2048, p);
	BN_free(p);
	p = BN_get_rfc3526_prime_1536(NULL);
	modp_invalid(IKE_DH_MODP1536, p);
	BN_free(p);
}

/* RFC 6989 2.3: a point off the curve is refused by check and derive. */
static void
ecp_invalid(uint16_t id)
{
	const struct ike_dh_group *g = ike_dh_lookup(id);
	struct ike_dh_key *a = ike_dh_new(id), *b = ike_dh_new(id);
	uint8_t pub[IKE_DH_PUB_MAX], bad[IKE_DH_PUB_MAX];
	uint8_t out[IKE_DH_SECRET_MAX];
	size_t len, outlen;
	const char *why;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ike_dh_public(b, pub, sizeof(pub), &len), 0);
	assert_int_equal(ike_dh_check_peer(id, pub, len, NULL), 0);

	memcpy(bad, pub, len);
	bad[len - 1] ^= 0x01;			/* y changed: off the curve */
	assert_int_equal(ike_dh_check_peer(id, bad, len, &why), -1);
	assert_int_equal(ike_dh_shared(a, bad, len, out, sizeof(out), &outlen,
	    &why), -1);
	memcpy(bad, pub, len);
	bad[0] ^= 0x80;				/* x changed */
	assert_int_equal(ike_dh_check_peer(id, bad, len, &why), -1);
	memset(bad, 0, len);			/* (0, 0) */
	assert_int_equal(ike_dh_check_peer(id, bad, len, &why), -1);
	assert_int_equal(ike_dh_shared(a, bad, len, out, sizeof(out), &outlen,
	    &why), -1);
	memset(bad, 0xff, len);			/* coordinates >= p */
	assert_int_equal(ike_dh_check_peer(id, bad, len, &why), -1);
	/* wrong lengths, including the SEC1 form with its 0x04 prefix */
	assert_int_equal(ike_dh_check_peer(id, pub, len - 1, &why), -1);
	bad[0] = 0x04;
	memcpy(bad + 1, pub, len);
	assert_int_equal(ike_dh_check_peer(id, bad, len + 1, &why), -1);
	assert_int_equal(g->dg_publen, len);
	ike_dh_free(a);
	ike_dh_free(b);
}

static void
test_dh_ecp_invalid(void **state)
{
	(void)state;
	ecp_invalid(IKE_DH_ECP256);
	ecp_invalid(IKE_DH_ECP384);
	ecp_invalid(IKE_DH_ECP521);
}

/* RFC 8031 2.2 / RFC 7748 6: an all-zero shared secret is an error; the
   all-zero and other small-order public values produce one. */
static void
test_dh_mont_zero(void **state)
{
	struct ike_dh_key *x25519 = ike_dh_new(IKE_DH_CURVE25519);
	struct ike_dh_key *x448 = ike_dh_new(IKE_DH_CURVE448);
	uint8_t v[56], out[IKE_DH_SECRET_MAX];
	size_t outlen;
	const char *why = NULL;

	(void)state;
	assert_non_null(x25519);
	assert_non_null(x448);
	memset(v, 0, sizeof(v));
	assert_int_equal(ike_dh_shared(x25519, v, 32, out, sizeof(out),
	    &outlen, &why), -1);
	assert_non_null(why);
	assert_int_equal(outlen, 0);
	v[0] = 1;				/* u = 1, order 1 */
	assert_int_equal(ike_dh_shared(x25519, v, 32, out, sizeof(out),
	    &outlen, &why), -1);
	v[0] = 0;
	assert_int_equal(ike_dh_shared(x448, v, 56, out, sizeof(out), &outlen,
	    &why), -1);
	v[0] = 1;
	assert_int_equal(ike_dh_shared(x448, v, 56, out, sizeof(out), &outlen,
	    &why), -1);
	/* lengths */
	assert_int_equal(ike_dh_check_peer(IKE_DH_CURVE25519, v, 31, &why), -1);
	assert_int_equal(ike_dh_check_peer(IKE_DH_CURVE448, v, 32, &why), -1);
	assert_int_equal(ike_dh_shared(x25519, v, 33, out, sizeof(out),
	    &outlen, &why), -1);
	/* a too small output buffer */
	v[0] = 9;				/* the base point */
	assert_int_equal(ike_dh_shared(x25519, v, 32, out, 31, &outlen, &why),
	    -1);
	assert_int_equal(ike_dh_shared(x25519, v, 32, out, 32, &outlen, &why),
	    0);
	ike_dh_free(x25519);
	ike_dh_free(x448);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dh_public_lengths),
		cmocka_unit_test(test_dh_all_groups),
		cmocka_unit_test(test_dh_modp_invalid),
		cmocka_unit_test(test_dh_ecp_invalid),
		cmocka_unit_test(test_dh_mont_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
