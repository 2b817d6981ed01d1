/*
 * test_ike_crypto — known-answer and round-trip tests for the IKE
 * algorithm layer: transform tables, PRF / prf+, the key schedule, SK
 * payload protection, NAT-D, shared-key AUTH and signature AUTH.
 *
 * Where no published vector exists the expected values were computed
 * outside this code with the openssl command line; each test names the
 * commands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "engine/ike/ike.h"
#include "engine/ike/crypto.h"
#include "engine/ike/keys.h"
#include "engine/ike/auth.h"

/* ------------------------------------------------------------ helpers */

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int v;

	assert_true(strlen(hex) % 2 == 0);
	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void
assert_hex(const uint8_t *got, size_t len, const char *want)
{
	uint8_t buf[512];

	assert_int_equal(unhex(want, buf, sizeof(buf)), len);
	assert_memory_equal(got, buf, len);
}

static void
fill(uint8_t *p, size_t n, uint8_t start)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
}

static const struct ike_prf_alg *
sha256_prf(void)
{
	const struct ike_prf_alg *prf = ike_prf_lookup(IKE_PRF_HMAC_SHA2_256);

	assert_non_null(prf);
	return prf;
}

/* ------------------------------------------------------------ tables */

static void
test_tables(void **state)
{
	const struct ike_encr_alg *e;
	const struct ike_integ_alg *ia;
	const struct ike_prf_alg *pa;
	const struct ike_dh_group *g;
	size_t n, i;

	(void)state;
	e = ike_encr_lookup(IKE_ENCR_AES_CBC, 256);
	assert_non_null(e);
	assert_int_equal(e->ea_keylen, 32);
	assert_int_equal(e->ea_blocklen, 16);
	assert_int_equal(e->ea_ivlen, 16);
	assert_false(e->ea_aead);
	assert_int_equal(ike_encr_keymat_len(e), 32);

	e = ike_encr_lookup(IKE_ENCR_AES_GCM_16, 256);
	assert_non_null(e);
	assert_true(e->ea_aead);
	assert_int_equal(e->ea_saltlen, 4);	/* RFC 5282 */
	assert_int_equal(e->ea_ivlen, 8);
	assert_int_equal(e->ea_icvlen, 16);
	assert_int_equal(ike_encr_keymat_len(e), 36);
	assert_int_equal(ike_encr_lookup(IKE_ENCR_AES_GCM_8, 128)->ea_icvlen, 8);
	assert_int_equal(ike_encr_lookup(IKE_ENCR_AES_GCM_12, 128)->ea_icvlen, 12);

	e = ike_encr_lookup(IKE_ENCR_CHACHA20_POLY1305, 0);
	assert_non_null(e);
	assert_int_equal(ike_encr_keymat_len(e), 36);	/* RFC 7634 */
	assert_null(ike_encr_lookup(IKE_ENCR_CHACHA20_POLY1305, 256));

	assert_true(ike_encr_lookup(IKE_ENCR_3DES, 0)->ea_legacy);
	assert_null(ike_encr_lookup(IKE_ENCR_AES_CBC, 0));
	assert_null(ike_encr_lookup(IKE_ENCR_AES_CBC, 512));
	assert_null(ike_encr_lookup(IKE_ENCR_NULL, 0));

	assert_true(ike_prf_lookup(IKE_PRF_HMAC_SHA1)->pa_legacy);
	assert_false(ike_prf_lookup(IKE_PRF_HMAC_SHA2_384)->pa_legacy);
	assert_null(ike_prf_lookup(IKE_PRF_HMAC_MD5));
	assert_null(ike_prf_lookup(IKE_PRF_AES128_XCBC));

	ia = ike_integ_lookup(IKE_INTEG_HMAC_SHA1_96);
	assert_true(ia->ia_legacy);
	assert_int_equal(ia->ia_icvlen, 12);
	ia = ike_integ_lookup(IKE_INTEG_HMAC_SHA2_512_256);
	assert_int_equal(ia->ia_keylen, 64);
	assert_int_equal(ia->ia_icvlen, 32);
	assert_null(ike_integ_lookup(IKE_INTEG_HMAC_MD5_96));

	assert_true(ike_dh_lookup(IKE_DH_MODP1024)->dg_legacy);
	assert_int_equal(ike_dh_lookup(IKE_DH_ECP521)->dg_publen, 132);
	assert_int_equal(ike_dh_lookup(IKE_DH_ECP521)->dg_secretlen, 66);
	assert_int_equal(ike_dh_lookup(IKE_DH_CURVE448)->dg_publen, 56);
	assert_null(ike_dh_lookup(IKE_DH_MODP768));

	/* every cipher and digest the tables name exists with those sizes */
	e = ike_encr_all(&n);
	for (i = 0; i < n; i++) {
		EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, e[i].ea_evp, NULL);

		assert_non_null(c);
		assert_int_equal(EVP_CIPHER_get_key_length(c), e[i].ea_keylen);
		assert_int_equal(e[i].ea_aead, e[i].ea_icvlen != 0);
		EVP_CIPHER_free(c);
	}
	pa = ike_prf_all(&n);
	for (i = 0; i < n; i++) {
		EVP_MD *md = EVP_MD_fetch(NULL, pa[i].pa_digest, NULL);

		assert_non_null(md);
		assert_int_equal(EVP_MD_get_size(md), pa[i].pa_len);
		EVP_MD_free(md);
	}
	ia = ike_integ_all(&n);
	for (i = 0; i < n; i++) {
		EVP_MD *md = EVP_MD_fetch(NULL, ia[i].ia_digest, NULL);

		assert_non_null(md);
		assert_int_equal(EVP_MD_get_size(md), ia[i].ia_keylen);
		EVP_MD_free(md);
	}
	g = ike_dh_all(&n);
	assert_int_equal(n, 12);
	for (i = 0; i < n; i++)
		assert_ptr_equal(ike_dh_lookup(g[i].dg_id), &g[i]);
}

/* ------------------------------------------------------------ PRF */

/* RFC 4868 2.7.1: PRF-HMAC-SHA-256 test cases 1, 2 and 5. */
static void
test_prf_rfc4868(void **state)
{
	const struct ike_prf_alg *prf = sha256_prf();
	uint8_t key[131], out[IKE_PRF_MAX];
	struct ike_span in[1];
	static const char jefe_data[] = "what do ya want for nothing?";
	static const char big_data[] =
	    "Test Using Larger Than Block-Size Key - Hash Key First";

	(void)state;
	memset(key, 0x0b, 20);
	in[0].sp_ptr = (const uint8_t *)"Hi There";
	in[0].sp_len = 8;
	assert_int_equal(ike_prf(prf, key, 20, in, 1, out), 0);
	assert_hex(out, 32,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	in[0].sp_ptr = (const uint8_t *)jefe_data;
	in[0].sp_len = sizeof(jefe_data) - 1;
	assert_int_equal(ike_prf(prf, (const uint8_t *)"Jefe", 4, in, 1, out), 0);
	assert_hex(out, 32,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	memset(key, 0xaa, sizeof(key));
	in[0].sp_ptr = (const uint8_t *)big_data;
	in[0].sp_len = sizeof(big_data) - 1;
	assert_int_equal(ike_prf(prf, key, 131, in, 1, out), 0);
	assert_hex(out, 32,
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");

	/* an empty key is refused, not silently used */
	assert_int_equal(ike_prf(prf, key, 0, in, 1, out), -1);
}

/* RFC 4868 2.7.2.1: HMAC-SHA-256-128 authenticator test cases 1 and 2. */
static void
test_integ_rfc4868(void **state)
{
	const struct ike_integ_alg *ia =
	    ike_integ_lookup(IKE_INTEG_HMAC_SHA2_256_128);
	static const char jefe_data[] = "what do ya want for nothing?";
	uint8_t key[32], icv[IKE_ICV_MAX];
	struct ike_span in[1];

	(void)state;
	memset(key, 0x0b, sizeof(key));
	in[0].sp_ptr = (const uint8_t *)"Hi There";
	in[0].sp_len = 8;
	assert_int_equal(ike_integ(ia, key, 32, in, 1, icv), 0);
	assert_hex(icv, 16, "198a607eb44bfbc69903a0f1cf2bbdc5");

	memcpy(key, "JefeJefeJefeJefeJefeJefeJefeJefe", 32);
	in[0].sp_ptr = (const uint8_t *)jefe_data;
	in[0].sp_len = sizeof(jefe_data) - 1;
	assert_int_equal(ike_integ(ia, key, 32, in, 1, icv), 0);
	assert_hex(icv, 16, "167f928588c5cc2eef8e3093caa0e87c");
}

/*
 * prf+ with HMAC-SHA-256, K = 000102...0f, S = a0a1...a7, 80 octets, i.e.
 * T1 | T2 | first 16 octets of T3, computed with:
 *   hm() { xxd -r -p | openssl mac -digest SHA256 \
 *            -macopt hexkey:000102030405060708090a0b0c0d0e0f HMAC; }
 *   T1=$(echo a0a1a2a3a4a5a6a701 | hm)
 *   T2=$(echo ${T1}a0a1a2a3a4a5a6a702 | hm)
 *   T3=$(echo ${T2}a0a1a2a3a4a5a6a703 | hm)
 */
static void
test_prf_plus_kat(void **state)
{
	const struct ike_prf_alg *prf = sha256_prf();
	uint8_t key[16], seed[8], out[80], out2[80];
	uint8_t *big;
	struct ike_span s[3];

	(void)state;
	fill(key, 16, 0x00);
	fill(seed, 8, 0xa0);
	s[0].sp_ptr = seed;
	s[0].sp_len = 8;
	assert_int_equal(ike_prf_plus(prf, key, 16, s, 1, out, 80), 0);
	assert_hex(out, 32,
	    "a0bbcb061a15b1ebc5730f1e9581e4ce6f082898c738bb53cd6a3cdfe4779918");
	assert_hex(out + 32, 32,
	    "7c11475c942f2eed7c2fea0a22e36df3b71b71686ae429e0900574f2044db586");
	assert_hex(out + 64, 16, "0eb8ac5ba25e1ace3801553405cccc4c");

	/* the seed may come in pieces */
	s[0].sp_len = 3;
	s[1].sp_ptr = seed + 3;
	s[1].sp_len = 0;
	s[2].sp_ptr = seed + 3;
	s[2].sp_len = 5;
	assert_int_equal(ike_prf_plus(prf, key, 16, s, 3, out2, 80), 0);
	assert_memory_equal(out, out2, 80);

	/* the one-octet counter caps the output at 255 blocks */
	big = malloc(255 * 32 + 1);
	assert_non_null(big);
	assert_int_equal(ike_prf_plus(prf, key, 16, s, 3, big, 255 * 32), 0);
	assert_memory_equal(big, out, 80);
	assert_int_equal(ike_prf_plus(prf, key, 16, s, 3, big, 255 * 32 + 1), -1);
	free(big);
}

/* ------------------------------------------------------------ key schedule */

/*
 * Ni = 16 x 0x11, Nr = 16 x 0x22, g^ir = 32 x 0x33, SPIi = 0102..08,
 * SPIr = 1112..18.  Expected values:
 *   SKEYSEED: echo $GIR | xxd -r -p |
 *             openssl mac -digest SHA256 -macopt hexkey:$NI$NR HMAC
 *   SK_d:     echo $NI$NR$SPII${SPIR}01 | xxd -r -p |
 *             openssl mac -digest SHA256 -macopt hexkey:$SKEYSEED HMAC
 *   rekey:    echo $GIR$NI$NR | xxd -r -p |
 *             openssl mac -digest SHA256 -macopt hexkey:$SK_d HMAC
 *   KEYMAT:   echo $NI${NR}01 (or $GIR$NI${NR}01) | xxd -r -p |
 *             openssl mac -digest SHA256 -macopt hexkey:$SK_d HMAC
 */
#define KAT_SKEYSEED \
	"332973d586c38bd5552ecd9f166f02dd28aed2d02a51064d2e98753eb89fbba9"
#define KAT_SK_D \
	"5be97f9d8931bc73bbf08b990ecacaf88a18c507b82034a3ba106e4c45762dae"
#define KAT_REKEY \
	"604bf7d8cc43c5e15df041f936292ff98992c33a53eb113d2fa03711dd03fba8"
#define KAT_KEYMAT \
	"f51c70630cca8bf1fe068cca8c1052a2d6c1d8c2f508326c6e812f1a3a06517b"
#define KAT_KEYMAT_PFS \
	"db51112f7e7afdb8657a2aced384f1d9178deb7c381c3bd005605908bf28da2f"

static uint8_t kni[16], knr[16], kgir[32];
static const uint8_t kspii[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t kspir[8] = { 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18 };

static void
kat_inputs(void)
{
	memset(kni, 0x11, sizeof(kni));
	memset(knr, 0x22, sizeof(knr));
	memset(kgir, 0x33, sizeof(kgir));
}

static void
test_skeyseed_kat(void **state)
{
	uint8_t skeyseed[IKE_PRF_MAX];

	(void)state;
	kat_inputs();
	assert_int_equal(ike_keys_skeyseed(sha256_prf(), kni, 16, knr, 16, kgir,
	    32, skeyseed), 0);
	assert_hex(skeyseed, 32, KAT_SKEYSEED);
}

/* The seven keys are consecutive slices of prf+ in RFC 7296 2.14 order. */
static void
check_split(const struct ike_encr_alg *encr, const struct ike_integ_alg *integ,
    size_t prflen, size_t integlen, size_t encrlen)
{
	const struct ike_prf_alg *prf = sha256_prf();
	struct ike_sa_keys k;
	uint8_t skeyseed[32], stream[512];
	struct ike_span seed[2];
	uint8_t nn[32], spis[16];
	size_t total = 3 * prflen + 2 * integlen + 2 * encrlen, off = 0;

	kat_inputs();
	unhex(KAT_SKEYSEED, skeyseed, sizeof(skeyseed));
	assert_int_equal(ike_keys_derive(&k, prf, encr, integ, skeyseed, 32,
	    kni, 16, knr, 16, kspii, kspir), 0);
	assert_int_equal(k.k_prflen, prflen);
	assert_int_equal(k.k_integlen, integlen);
	assert_int_equal(k.k_encrlen, encrlen);

	memcpy(nn, kni, 16);
	memcpy(nn + 16, knr, 16);
	memcpy(spis, kspii, 8);
	memcpy(spis + 8, kspir, 8);
	seed[0].sp_ptr = nn;
	seed[0].sp_len = 32;
	seed[1].sp_ptr = spis;
	seed[1].sp_len = 16;
	assert_int_equal(ike_prf_plus(prf, skeyseed, 32, seed, 2, stream,
	    total), 0);
	assert_memory_equal(k.k_d, stream + off, prflen);
	off += prflen;
	if (integlen > 0) {
		assert_memory_equal(k.k_ai, stream + off, integlen);
		assert_memory_equal(k.k_ar, stream + off + integlen, integlen);
	}
	off += 2 * integlen;
	assert_memory_equal(k.k_ei, stream + off, encrlen);
	assert_memory_equal(k.k_er, stream + off + encrlen, encrlen);
	off += 2 * encrlen;
	assert_memory_equal(k.k_pi, stream + off, prflen);
	assert_memory_equal(k.k_pr, stream + off + prflen, prflen);
	assert_int_equal(off + 2 * prflen, total);
	assert_hex(k.k_d, 32, KAT_SK_D);
	ike_keys_wipe(&k);
}

static void
test_keys_split(void **state)
{
	const struct ike_encr_alg *cbc = ike_encr_lookup(IKE_ENCR_AES_CBC, 256);
	const struct ike_encr_alg *gcm = ike_encr_lookup(IKE_ENCR_AES_GCM_16, 256);
	const struct ike_integ_alg *sha =
	    ike_integ_lookup(IKE_INTEG_HMAC_SHA2_256_128);
	struct ike_sa_keys k;
	uint8_t skeyseed[32];

	(void)state;
	/* AES-CBC-256 + HMAC-SHA2-256-128: 7 x 32 octets */
	check_split(cbc, sha, 32, 32, 32);
	/* AES-GCM-16-256: no SK_a, SK_e = 32-octet key + 4-octet salt */
	check_split(gcm, NULL, 32, 0, 36);

	/* AEAD with an integrity algorithm, or CBC without one: refused */
	kat_inputs();
	memset(skeyseed, 1, sizeof(skeyseed));
	assert_int_equal(ike_keys_derive(&k, sha256_prf(), gcm, sha, skeyseed,
	    32, kni, 16, knr, 16, kspii, kspir), -1);
	assert_int_equal(ike_keys_derive(&k, sha256_prf(), cbc, NULL, skeyseed,
	    32, kni, 16, knr, 16, kspii, kspir), -1);
}

static void
test_keys_sk_directions(void **state)
{
	const struct ike_encr_alg *cbc = ike_encr_lookup(IKE_ENCR_AES_CBC, 128);
	const struct ike_integ_alg *sha =
	    ike_integ_lookup(IKE_INTEG_HMAC_SHA2_256_128);
	struct ike_sa_keys k;
	struct ike_sk r_out, r_in, i_out, i_in;
	uint8_t skeyseed[32];

	(void)state;
	kat_inputs();
	unhex(KAT_SKEYSEED, skeyseed, sizeof(skeyseed));
	assert_int_equal(ike_keys_derive(&k, sha256_prf(), cbc, sha, skeyseed,
	    32, kni, 16, knr, 16, kspii, kspir), 0);
	assert_int_equal(ike_keys_sk(&k, 0, &r_out, &r_in), 0);
	assert_int_equal(ike_keys_sk(&k, 1, &i_out, &i_in), 0);
	/* the responder sends with SK_er/SK_ar, the initiator with SK_ei/SK_ai */
	assert_memory_equal(r_out.sk_ekey, k.k_er, 16);
	assert_memory_equal(r_out.sk_akey, k.k_ar, 32);
	assert_memory_equal(r_in.sk_ekey, k.k_ei, 16);
	assert_memory_equal(i_out.sk_ekey, k.k_ei, 16);
	assert_memory_equal(i_in.sk_akey, k.k_ar, 32);
	ike_sk_wipe(&r_out);
	ike_sk_wipe(&r_in);
	ike_sk_wipe(&i_out);
	ike_sk_wipe(&i_in);
	ike_keys_wipe(&k);
}

static void
test_rekey_skeyseed_kat(void **state)
{
	uint8_t skd[32], out[IKE_PRF_MAX];

	(void)state;
	kat_inputs();
	unhex(KAT_SK_D, skd, sizeof(skd));
	assert_int_equal(ike_keys_rekey_skeyseed(sha256_prf(), skd, 32, kgir,
	    32, kni, 16, knr, 16, out), 0);
	assert_hex(out, 32, KAT_REKEY);
}

static void
test_child_keymat(void **state)
{
	const struct ike_prf_alg *prf = sha256_prf();
	const struct ike_encr_alg *cbc = ike_encr_lookup(IKE_ENCR_AES_CBC, 128);
	const struct ike_encr_alg *gcm = ike_encr_lookup(IKE_ENCR_AES_GCM_16, 128);
	const struct ike_integ_alg *sha1 = ike_integ_lookup(IKE_INTEG_HMAC_SHA1_96);
	struct ike_child_keys ck;
	uint8_t skd[32], stream[128];
	struct ike_span seed[2];

	(void)state;
	kat_inputs();
	unhex(KAT_SK_D, skd, sizeof(skd));

	/* AES-CBC-128 + HMAC-SHA1-96: 16 + 20 per direction, i->r first,
	   encryption before integrity (RFC 7296 2.17) */
	assert_int_equal(ike_keys_child(&ck, prf, skd, 32, cbc, sha1, NULL, 0,
	    kni, 16, knr, 16), 0);
	assert_int_equal(ck.ck_encrlen, 16);
	assert_int_equal(ck.ck_integlen, 20);
	seed[0].sp_ptr = kni;
	seed[0].sp_len = 16;
	seed[1].sp_ptr = knr;
	seed[1].sp_len = 16;
	assert_int_equal(ike_prf_plus(prf, skd, 32, seed, 2, stream, 72), 0);
	assert_hex(stream, 32, KAT_KEYMAT);
	assert_memory_equal(ck.ck_ei, stream, 16);
	assert_memory_equal(ck.ck_ai, stream + 16, 20);
	assert_memory_equal(ck.ck_er, stream + 36, 16);
	assert_memory_equal(ck.ck_ar, stream + 52, 20);

	/* with PFS g^ir (new) comes first in the seed */
	assert_int_equal(ike_keys_child(&ck, prf, skd, 32, cbc, sha1, kgir, 32,
	    kni, 16, knr, 16), 0);
	assert_hex(ck.ck_ei, 16, "db51112f7e7afdb8657a2aced384f1d9");
	assert_hex(ck.ck_ai, 16, "178deb7c381c3bd005605908bf28da2f");

	/* AES-GCM-16-128: 16 + 4 salt per direction, no integrity keys */
	assert_int_equal(ike_keys_child(&ck, prf, skd, 32, gcm, NULL, NULL, 0,
	    kni, 16, knr, 16), 0);
	assert_int_equal(ck.ck_encrlen, 20);
	assert_int_equal(ck.ck_integlen, 0);
	assert_memory_equal(ck.ck_ei, stream, 20);
	assert_memory_equal(ck.ck_er, stream + 20, 20);
	ike_child_keys_wipe(&ck);
}

/* ------------------------------------------------------------ SK payload */

#define HDR	28
#define SKHDR	4
#define ASSOC	(HDR + SKHDR)

static void
sk_setup(struct ike_sk *sk, const struct ike_encr_alg *e,
    const struct ike_integ_alg *ia)
{
	uint8_t ekey[IKE_ENCR_KEYMAT_MAX], akey[IKE_INTEG_KEY_MAX];

	fill(ekey, sizeof(ekey), 0x40);
	fill(akey, sizeof(akey), 0x80);
	assert_int_equal(ike_sk_init(sk, e, ia, ekey, ike_encr_keymat_len(e),
	    akey, ia != NULL ? ia->ia_keylen : 0), 0);
}

/* IKE header + SK header with the final lengths, then the body. */
static size_t
sk_message(struct ike_sk *sk, const uint8_t *plain, size_t plainlen,
    uint8_t *msg, size_t cap)
{
	size_t body = ike_sk_body_len(sk, plainlen), total = ASSOC + body;

	assert_true(total <= cap);
	fill(msg, HDR, 0x10);
	msg[16] = IKE_PL_SK;
	msg[17] = IKE_VERSION;
	msg[18] = IKE_AUTH;
	msg[19] = IKE_FLAG_RESPONSE;
	msg[24] = (uint8_t)(total >> 24);
	msg[25] = (uint8_t)(total >> 16);
	msg[26] = (uint8_t)(total >> 8);
	msg[27] = (uint8_t)total;
	msg[28] = IKE_PL_IDR;
	msg[29] = 0;
	msg[30] = (uint8_t)((SKHDR + body) >> 8);
	msg[31] = (uint8_t)(SKHDR + body);
	assert_int_equal(ike_sk_encrypt(sk, msg, ASSOC, plain, plainlen,
	    msg + ASSOC, body), 0);
	return total;
}

static void
roundtrip(const struct ike_encr_alg *e, const struct ike_integ_alg *ia)
{
	static const size_t lens[] = { 0, 1, 7, 15, 16, 17, 31, 100, 1000 };
	struct ike_sk sk;
	uint8_t plain[1000], msg[1200], out[1200];
	size_t i, len, outlen, body;

	sk_setup(&sk, e, ia);
	fill(plain, sizeof(plain), 0x21);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		len = sk_message(&sk, plain, lens[i], msg, sizeof(msg));
		body = len - ASSOC;
		if (!e->ea_aead)
			assert_int_equal((body - e->ea_ivlen -
			    ia->ia_icvlen) % e->ea_blocklen, 0);
		assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len, out,
		    sizeof(out), &outlen), 0);
		assert_int_equal(outlen, lens[i]);
		assert_memory_equal(out, plain, lens[i]);
		/* the payload body fits what plain_room promised */
		assert_true(ike_sk_plain_room(&sk, body) >= lens[i]);
		assert_true(ike_sk_body_len(&sk,
		    ike_sk_plain_room(&sk, body)) <= body);
		assert_true(ike_sk_body_len(&sk,
		    ike_sk_plain_room(&sk, body) + 1) > body);
	}
	ike_sk_wipe(&sk);
}

static void
test_sk_roundtrip_all(void **state)
{
	const struct ike_encr_alg *e;
	const struct ike_integ_alg *ia;
	size_t ne, ni, i, j;

	(void)state;
	e = ike_encr_all(&ne);
	ia = ike_integ_all(&ni);
	for (i = 0; i < ne; i++) {
		if (e[i].ea_aead) {
			roundtrip(&e[i], NULL);
			continue;
		}
		for (j = 0; j < ni; j++)
			roundtrip(&e[i], &ia[j]);
	}
}

static void
test_sk_init_checks(void **state)
{
	const struct ike_encr_alg *gcm = ike_encr_lookup(IKE_ENCR_AES_GCM_16, 256);
	const struct ike_encr_alg *cbc = ike_encr_lookup(IKE_ENCR_AES_CBC, 256);
	const struct ike_integ_alg *sha =
	    ike_integ_lookup(IKE_INTEG_HMAC_SHA2_256_128);
	uint8_t key[64];
	struct ike_sk sk;

	(void)state;
	memset(key, 7, sizeof(key));
	assert_int_equal(ike_sk_init(&sk, gcm, sha, key, 36, key, 32), -1);
	assert_int_equal(ike_sk_init(&sk, gcm, NULL, key, 32, NULL, 0), -1);
	assert_int_equal(ike_sk_init(&sk, cbc, NULL, key, 32, NULL, 0), -1);
	assert_int_equal(ike_sk_init(&sk, cbc, sha, key, 32, key, 20), -1);
	assert_int_equal(ike_sk_init(&sk, cbc, sha, key, 32, key, 32), 0);
	ike_sk_wipe(&sk);
}

/* Flip one octet anywhere: header, SK header, IV, ciphertext, ICV. */
static void
tamper(const struct ike_encr_alg *e, const struct ike_integ_alg *ia)
{
	struct ike_sk sk;
	uint8_t plain[40], msg[256], bad[256], out[256];
	size_t len, outlen, ivoff = ASSOC, ctoff, icvoff, i;
	size_t icvlen = e->ea_aead ? e->ea_icvlen : ia->ia_icvlen;
	size_t where[7];

	sk_setup(&sk, e, ia);
	fill(plain, sizeof(plain), 0x61);
	len = sk_message(&sk, plain, sizeof(plain), msg, sizeof(msg));
	ctoff = ivoff + e->ea_ivlen;
	icvoff = len - icvlen;
	where[0] = 0;		/* SPIi */
	where[1] = 18;		/* exchange type */
	where[2] = 27;		/* length */
	where[3] = 30;		/* SK payload length */
	where[4] = ivoff;	/* IV */
	where[5] = ctoff + 1;	/* ciphertext */
	where[6] = icvoff + icvlen - 1;	/* ICV */
	assert_true(ctoff < icvoff);
	for (i = 0; i < 7; i++) {
		memcpy(bad, msg, len);
		bad[where[i]] ^= 0x01;
		assert_int_equal(ike_sk_decrypt(&sk, bad, ASSOC, len, out,
		    sizeof(out), &outlen), -1);
		assert_int_equal(outlen, 0);
	}
	/* truncated or shortened messages */
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len - 1, out,
	    sizeof(out), &outlen), -1);
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC,
	    ASSOC + e->ea_ivlen + icvlen, out, sizeof(out), &outlen), -1);
	assert_int_equal(ike_sk_decrypt(&sk, msg, len + 1, len, out,
	    sizeof(out), &outlen), -1);
	/* an output buffer too small is refused, not overrun */
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len, out, 8,
	    &outlen), -1);
	/* and the untouched message still decrypts */
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len, out,
	    sizeof(out), &outlen), 0);
	ike_sk_wipe(&sk);
}

static void
test_sk_tamper(void **state)
{
	(void)state;
	tamper(ike_encr_lookup(IKE_ENCR_AES_CBC, 256),
	    ike_integ_lookup(IKE_INTEG_HMAC_SHA2_256_128));
	tamper(ike_encr_lookup(IKE_ENCR_3DES, 0),
	    ike_integ_lookup(IKE_INTEG_HMAC_SHA1_96));
	tamper(ike_encr_lookup(IKE_ENCR_AES_GCM_16, 256), NULL);
	tamper(ike_encr_lookup(IKE_ENCR_AES_GCM_8, 128), NULL);
	tamper(ike_encr_lookup(IKE_ENCR_CHACHA20_POLY1305, 0), NULL);
}

/* AEAD IVs never repeat between messages under one key. */
static void
test_sk_aead_iv_unique(void **state)
{
	struct ike_sk sk;
	uint8_t msg1[128], msg2[128], plain[8];
	size_t len;

	(void)state;
	sk_setup(&sk, ike_encr_lookup(IKE_ENCR_AES_GCM_16, 128), NULL);
	memset(plain, 0, sizeof(plain));
	len = sk_message(&sk, plain, sizeof(plain), msg1, sizeof(msg1));
	assert_int_equal(sk_message(&sk, plain, sizeof(plain), msg2,
	    sizeof(msg2)), len);
	assert_memory_not_equal(msg1 + ASSOC, msg2 + ASSOC, 8);
	ike_sk_wipe(&sk);
}

/*
 * Messages built here with OpenSSL directly, independent of
 * ike_sk_encrypt(): a valid one must decrypt, one whose (authenticated)
 * Pad Length octet points before the start of the ciphertext must not.
 */
static size_t
hand_cbc(const uint8_t *ekey, const uint8_t *akey, const uint8_t *padded,
    size_t plen, uint8_t *msg)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t mac[EVP_MAX_MD_SIZE];
	size_t total = ASSOC + 16 + plen + 16, maclen = 0;
	int n;

	fill(msg, ASSOC, 0x30);
	msg[27] = (uint8_t)total;
	msg[31] = (uint8_t)(total - HDR);
	fill(msg + ASSOC, 16, 0xc0);	/* IV */
	assert_int_equal(EVP_EncryptInit_ex2(ctx, EVP_aes_256_cbc(), ekey,
	    msg + ASSOC, NULL), 1);
	EVP_CIPHER_CTX_set_padding(ctx, 0);
	assert_int_equal(EVP_EncryptUpdate(ctx, msg + ASSOC + 16, &n, padded,
	    (int)plen), 1);
	assert_int_equal(n, (int)plen);
	EVP_CIPHER_CTX_free(ctx);
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, akey, 32,
	    msg, ASSOC + 16 + plen, mac, sizeof(mac), &maclen));
	memcpy(msg + ASSOC + 16 + plen, mac, 16);
	return total;
}

static void
test_sk_independent_cbc(void **state)
{
	const struct ike_encr_alg *e = ike_encr_lookup(IKE_ENCR_AES_CBC, 256);
	const struct ike_integ_alg *ia =
	    ike_integ_lookup(IKE_INTEG_HMAC_SHA2_256_128);
	uint8_t ekey[32], akey[32], padded[32], msg[256], out[256];
	struct ike_sk sk;
	size_t len, outlen;

	(void)state;
	fill(ekey, 32, 0x40);
	fill(akey, 32, 0x80);
	assert_int_equal(ike_sk_init(&sk, e, ia, ekey, 32, akey, 32), 0);

	/* 20 octets of payload, 11 of padding (any value), Pad Length 11 */
	fill(padded, 20, 0x01);
	memset(padded + 20, 0xee, 11);
	padded[31] = 11;
	len = hand_cbc(ekey, akey, padded, 32, msg);
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len, out, sizeof(out),
	    &outlen), 0);
	assert_int_equal(outlen, 20);
	assert_memory_equal(out, padded, 20);

	/* Pad Length 31: all of the block is padding, nothing else - fine */
	padded[31] = 31;
	len = hand_cbc(ekey, akey, padded, 32, msg);
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len, out, sizeof(out),
	    &outlen), 0);
	assert_int_equal(outlen, 0);

	/* Pad Length 32 or 255 cannot fit in 32 octets: refused even with a
	   correct ICV */
	padded[31] = 32;
	len = hand_cbc(ekey, akey, padded, 32, msg);
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len, out, sizeof(out),
	    &outlen), -1);
	padded[31] = 255;
	len = hand_cbc(ekey, akey, padded, 32, msg);
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len, out, sizeof(out),
	    &outlen), -1);
	ike_sk_wipe(&sk);
}

/* RFC 5282: nonce = salt | IV, AAD = IKE header .. SK header, tag last. */
static size_t
hand_gcm(const uint8_t *keymat, const uint8_t *padded, size_t plen,
    uint8_t *msg)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	size_t total = ASSOC + 8 + plen + 16;
	int n;

	fill(msg, ASSOC, 0x30);
	msg[27] = (uint8_t)total;
	msg[31] = (uint8_t)(total - HDR);
	fill(msg + ASSOC, 8, 0xd0);		/* explicit IV */
	memcpy(nonce, keymat + 32, 4);		/* salt: last 4 keymat octets */
	memcpy(nonce + 4, msg + ASSOC, 8);
	assert_int_equal(EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), keymat,
	    nonce, NULL), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &n, msg, ASSOC), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, msg + ASSOC + 8, &n, padded,
	    (int)plen), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, msg + ASSOC + 8 + plen, &n), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16,
	    msg + ASSOC + 8 + plen), 1);
	EVP_CIPHER_CTX_free(ctx);
	return total;
}

static void
test_sk_independent_gcm(void **state)
{
	const struct ike_encr_alg *e = ike_encr_lookup(IKE_ENCR_AES_GCM_16, 256);
	uint8_t keymat[36], padded[24], msg[256], out[256];
	struct ike_sk sk;
	size_t len, outlen;

	(void)state;
	fill(keymat, 36, 0x50);
	assert_int_equal(ike_sk_init(&sk, e, NULL, keymat, 36, NULL, 0), 0);

	fill(padded, 21, 0x01);
	padded[21] = 0xaa;
	padded[22] = 0xbb;
	padded[23] = 2;		/* two octets of padding */
	len = hand_gcm(keymat, padded, 24, msg);
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len, out, sizeof(out),
	    &outlen), 0);
	assert_int_equal(outlen, 21);
	assert_memory_equal(out, padded, 21);

	padded[23] = 24;	/* longer than the whole plaintext */
	len = hand_gcm(keymat, padded, 24, msg);
	assert_int_equal(ike_sk_decrypt(&sk, msg, ASSOC, len, out, sizeof(out),
	    &outlen), -1);
	ike_sk_wipe(&sk);
}

/* SKF (RFC 7383 2.5): the fragment header is part of the associated data. */
static void
test_sk_fragment_assoc(void **state)
{
	struct ike_sk sk;
	uint8_t msg[256], out[256], plain[50];
	size_t body, total, outlen;
	const size_t assoc = HDR + 8;

	(void)state;
	sk_setup(&sk, ike_encr_lookup(IKE_ENCR_AES_CBC, 128),
	    ike_integ_lookup(IKE_INTEG_HMAC_SHA2_256_128));
	fill(plain, sizeof(plain), 3);
	body = ike_sk_body_len(&sk, sizeof(plain));
	total = assoc + body;
	fill(msg, assoc, 0x70);
	msg[16] = IKE_PL_SKF;
	msg[27] = (uint8_t)total;
	msg[31] = (uint8_t)(8 + body);
	msg[32] = 0; msg[33] = 2;	/* fragment number 2 */
	msg[34] = 0; msg[35] = 3;	/* of 3 */
	assert_int_equal(ike_sk_encrypt(&sk, msg, assoc, plain, sizeof(plain),
	    msg + assoc, body), 0);
	assert_int_equal(ike_sk_decrypt(&sk, msg, assoc, total, out,
	    sizeof(out), &outlen), 0);
	assert_int_equal(outlen, sizeof(plain));
	msg[33] = 1;	/* renumbered fragment */
	assert_int_equal(ike_sk_decrypt(&sk, msg, assoc, total, out,
	    sizeof(out), &outlen), -1);
	ike_sk_wipe(&sk);
}

/* ------------------------------------------------------------ NAT-D */

/*
 * SPIi 0102030405060708, SPIr 1112131415161718:
 *   echo 01020304050607081112131415161718c000020101f4 | xxd -r -p |
 *       openssl dgst -sha1                    (192.0.2.1 port 500)
 *   echo 0102030405060708111213141516171820010db8000000000000000000000001\
 *   1194 | xxd -r -p | openssl dgst -sha1     ([2001:db8::1] port 4500)
 */
static void
test_natd_kat(void **state)
{
	static const uint8_t ip4[4] = { 192, 0, 2, 1 };
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	uint8_t out[IKE_NATD_LEN];

	(void)state;
	assert_int_equal(ike_natd_hash(kspii, kspir, ip4, 4, 500, out), 0);
	assert_hex(out, 20, "d798d986143f878f70765e0e869c80bbc375f701");

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(500);
	memcpy(&sin.sin_addr, ip4, 4);
	assert_int_equal(ike_natd_hash_sa(kspii, kspir,
	    (struct sockaddr *)&sin, out), 0);
	assert_hex(out, 20, "d798d986143f878f70765e0e869c80bbc375f701");

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(4500);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr), 1);
	assert_int_equal(ike_natd_hash_sa(kspii, kspir,
	    (struct sockaddr *)&sin6, out), 0);
	assert_hex(out, 20, "1ee24423bf8f59515e0265c6d0f08be3d038f7e5");

	assert_int_equal(ike_natd_hash(kspii, kspir, ip4, 3, 500, out), -1);
}

/* ------------------------------------------------------------ AUTH */

/*
 * PSK AUTH with PRF-HMAC-SHA-256, secret "sharedsecret", octets 00..1f:
 *   K=$(printf 'Key Pad for IKEv2' |
 *       openssl mac -digest SHA256 -macopt key:sharedsecret HMAC)
 *   echo 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f |
 *       xxd -r -p | openssl mac -digest SHA256 -macopt hexkey:$K HMAC
 */
static void
test_psk_auth_kat(void **state)
{
	const struct ike_prf_alg *prf = sha256_prf();
	uint8_t octets[32], out[IKE_PRF_MAX];
	static const char secret[] = "sharedsecret";
	const uint8_t *s = (const uint8_t *)secret;

	(void)state;
	fill(octets, 32, 0);
	assert_int_equal(ike_auth_psk(prf, s, 12, octets, 32, out), 0);
	assert_hex(out, 32,
	    "f3057e7812761a7f1c473195969f42dd9772b8983a78732f2e33a70c56277dab");
	assert_int_equal(ike_auth_psk_verify(prf, s, 12, octets, 32, out, 32), 0);
	out[31] ^= 1;
	assert_int_equal(ike_auth_psk_verify(prf, s, 12, octets, 32, out, 32), -1);
	out[31] ^= 1;
	assert_int_equal(ike_auth_psk_verify(prf, s, 11, octets, 32, out, 32), -1);
	assert_int_equal(ike_auth_psk_verify(prf, s, 12, octets, 32, out, 31), -1);
	assert_int_equal(ike_auth_psk(prf, s, 0, octets, 32, out), -1);
}

/*
 * Signed octets = message | nonce | prf(SK_p, ID body); with SK_p = 32 x
 * 0x44 and ID body = 02 000000 "vpn.example.com":
 *   printf '\x02\x00\x00\x00vpn.example.com' | openssl mac -digest SHA256 \
 *       -macopt hexkey:$(printf '44%.0s' $(seq 32)) HMAC
 */
static void
test_auth_octets(void **state)
{
	static const uint8_t idbody[] = "\x02\x00\x00\x00vpn.example.com";
	uint8_t skp[32], msg[50], nonce[20], *oct = NULL;
	size_t len = 0;

	(void)state;
	memset(skp, 0x44, sizeof(skp));
	fill(msg, sizeof(msg), 0x90);
	fill(nonce, sizeof(nonce), 0x01);
	assert_int_equal(ike_auth_octets(sha256_prf(), skp, 32, msg, 50, nonce,
	    20, idbody, sizeof(idbody) - 1, &oct, &len), 0);
	assert_int_equal(len, 50 + 20 + 32);
	assert_memory_equal(oct, msg, 50);
	assert_memory_equal(oct + 50, nonce, 20);
	assert_hex(oct + 70, 32,
	    "650dfc9b4cdfb31854a5b2b11bd7070bc28be0963b5ebb94c9d8f064b2b0ebfb");
	free(oct);
}

/* ------------------------------------------------------------ signatures */

static uint8_t sig_octets[300];

/* Signs, verifies, then checks that any change breaks verification. */
static uint8_t *
sign_verify(EVP_PKEY *key, uint8_t method, uint16_t hash, int pss,
    size_t *siglen)
{
	uint8_t *sig = NULL;
	uint16_t used = 0;
	const char *why = NULL;

	fill(sig_octets, sizeof(sig_octets), 0x33);
	assert_int_equal(ike_auth_sign(key, method, hash, pss, sig_octets,
	    sizeof(sig_octets), &sig, siglen), 0);
	assert_int_equal(ike_auth_verify(key, method, sig, *siglen, sig_octets,
	    sizeof(sig_octets), &used, &why), 0);
	if (hash != 0)
		assert_int_equal(used, hash);
	sig_octets[100] ^= 0x80;
	assert_int_equal(ike_auth_verify(key, method, sig, *siglen, sig_octets,
	    sizeof(sig_octets), NULL, &why), -1);
	assert_non_null(why);
	sig_octets[100] ^= 0x80;
	sig[*siglen - 1] ^= 0x01;
	assert_int_equal(ike_auth_verify(key, method, sig, *siglen, sig_octets,
	    sizeof(sig_octets), NULL, NULL), -1);
	sig[*siglen - 1] ^= 0x01;
	return sig;
}

/* The DER of a simple AlgorithmIdentifier as OpenSSL encodes it. */
static int
algor_der(int nid, int null_param, uint8_t **der)
{
	X509_ALGOR *a = X509_ALGOR_new();
	int n;

	assert_non_null(a);
	assert_int_equal(X509_ALGOR_set0(a, OBJ_nid2obj(nid),
	    null_param ? V_ASN1_NULL : V_ASN1_UNDEF, NULL), 1);
	*der = NULL;
	n = i2d_X509_ALGOR(a, der);
	X509_ALGOR_free(a);
	assert_true(n > 0);
	return n;
}

/* The RSASSA-PSS AlgorithmIdentifier OpenSSL writes into a certificate
   signed with SHA-256, MGF1-SHA-256 and a 32-octet salt. */
static int
pss_algor_der(EVP_PKEY *key, uint8_t **der)
{
	X509 *x = X509_new();
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const X509_ALGOR *alg = NULL;
	const ASN1_BIT_STRING *bits = NULL;
	int n;

	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_int_equal(EVP_DigestSignInit_ex(md, &pctx, "SHA256", NULL, NULL,
	    key, NULL), 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) > 0);
	assert_true(X509_sign_ctx(x, md) > 0);
	X509_get0_signature(&bits, &alg, x);
	*der = NULL;
	n = i2d_X509_ALGOR(alg, der);
	assert_true(n > 0);
	EVP_MD_CTX_free(md);
	X509_free(x);
	return n;
}

static void
test_sig_rsa(void **state)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	uint8_t *sig, *der;
	size_t siglen;
	int n;

	(void)state;
	assert_non_null(rsa);
	assert_non_null(ec);

	/* method 1: the bare 256-octet PKCS#1 v1.5 signature */
	sig = sign_verify(rsa, IKE_AUTH_RSA_SIG, 0, 0, &siglen);
	assert_int_equal(siglen, 256);
	assert_int_equal(ike_auth_verify(ec, IKE_AUTH_RSA_SIG, sig, siglen,
	    sig_octets, sizeof(sig_octets), NULL, NULL), -1);
	free(sig);

	/* method 14, sha256WithRSAEncryption: length, AlgId, signature */
	sig = sign_verify(rsa, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA2_256, 0,
	    &siglen);
	n = algor_der(NID_sha256WithRSAEncryption, 1, &der);
	assert_int_equal(sig[0], n);
	assert_memory_equal(sig + 1, der, (size_t)n);
	assert_int_equal(siglen, 1 + (size_t)n + 256);
	OPENSSL_free(der);
	/* the same signature under another AlgorithmIdentifier fails */
	sig[1 + 12] = 0x0c;	/* ...01 01 0b -> 0c: sha384WithRSAEncryption */
	assert_int_equal(ike_auth_verify(rsa, IKE_AUTH_DIGITAL_SIG, sig, siglen,
	    sig_octets, sizeof(sig_octets), NULL, NULL), -1);
	sig[1 + 12] = 0x0e;	/* sha224WithRSAEncryption: unknown here */
	assert_int_equal(ike_auth_verify(rsa, IKE_AUTH_DIGITAL_SIG, sig, siglen,
	    sig_octets, sizeof(sig_octets), NULL, NULL), -1);
	sig[1 + 12] = 0x0b;
	assert_int_equal(ike_auth_verify(ec, IKE_AUTH_DIGITAL_SIG, sig, siglen,
	    sig_octets, sizeof(sig_octets), NULL, NULL), -1);
	/* truncated AUTH data: the length octet runs past the end */
	assert_int_equal(ike_auth_verify(rsa, IKE_AUTH_DIGITAL_SIG, sig, 10,
	    sig_octets, sizeof(sig_octets), NULL, NULL), -1);
	free(sig);

	sig = sign_verify(rsa, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA2_384, 0,
	    &siglen);
	n = algor_der(NID_sha384WithRSAEncryption, 1, &der);
	assert_memory_equal(sig + 1, der, (size_t)n);
	OPENSSL_free(der);
	free(sig);
	sig = sign_verify(rsa, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA2_512, 0,
	    &siglen);
	n = algor_der(NID_sha512WithRSAEncryption, 1, &der);
	assert_memory_equal(sig + 1, der, (size_t)n);
	OPENSSL_free(der);
	free(sig);

	/* RSASSA-PSS with SHA-256 */
	sig = sign_verify(rsa, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA2_256, 1,
	    &siglen);
	n = pss_algor_der(rsa, &der);
	assert_int_equal(sig[0], n);
	assert_memory_equal(sig + 1, der, (size_t)n);
	OPENSSL_free(der);
	free(sig);
	/* PSS only with SHA-256; no SHA-1 for method 14; no ECDSA method */
	assert_int_equal(ike_auth_sign(rsa, IKE_AUTH_DIGITAL_SIG,
	    IKE_HASH_SHA2_384, 1, sig_octets, 10, &sig, &siglen), -1);
	assert_int_equal(ike_auth_sign(rsa, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA1,
	    0, sig_octets, 10, &sig, &siglen), -1);
	assert_int_equal(ike_auth_sign(rsa, IKE_AUTH_ECDSA_256, 0, 0,
	    sig_octets, 10, &sig, &siglen), -1);
	assert_int_equal(ike_auth_sign(rsa, IKE_AUTH_SHARED_KEY, 0, 0,
	    sig_octets, 10, &sig, &siglen), -1);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
}

static void
test_sig_ecdsa(void **state)
{
	EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	EVP_PKEY *p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	uint8_t *sig, *der;
	size_t siglen;
	int n;

	(void)state;
	assert_non_null(p256);
	assert_non_null(p384);
	assert_non_null(p521);

	/* RFC 4754: r | s of 32, 48, 66 octets */
	sig = sign_verify(p256, IKE_AUTH_ECDSA_256, 0, 0, &siglen);
	assert_int_equal(siglen, 64);
	assert_int_equal(ike_auth_verify(p384, IKE_AUTH_ECDSA_256, sig, siglen,
	    sig_octets, sizeof(sig_octets), NULL, NULL), -1);
	assert_int_equal(ike_auth_verify(p256, IKE_AUTH_ECDSA_256, sig, 63,
	    sig_octets, sizeof(sig_octets), NULL, NULL), -1);
	free(sig);
	sig = sign_verify(p384, IKE_AUTH_ECDSA_384, IKE_HASH_SHA2_384, 0,
	    &siglen);
	assert_int_equal(siglen, 96);
	free(sig);
	sig = sign_verify(p521, IKE_AUTH_ECDSA_521, 0, 0, &siglen);
	assert_int_equal(siglen, 132);
	free(sig);
	/* the method names the curve */
	assert_int_equal(ike_auth_sign(p384, IKE_AUTH_ECDSA_256, 0, 0,
	    sig_octets, 10, &sig, &siglen), -1);

	/* method 14, ecdsa-with-SHA256: AlgId without parameters, DER sig */
	sig = sign_verify(p256, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA2_256, 0,
	    &siglen);
	n = algor_der(NID_ecdsa_with_SHA256, 0, &der);
	assert_int_equal(sig[0], n);
	assert_memory_equal(sig + 1, der, (size_t)n);
	assert_int_equal(sig[1 + n], 0x30);	/* SEQUENCE { r, s } */
	OPENSSL_free(der);
	free(sig);
	sig = sign_verify(p384, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA2_384, 0,
	    &siglen);
	n = algor_der(NID_ecdsa_with_SHA384, 0, &der);
	assert_memory_equal(sig + 1, der, (size_t)n);
	OPENSSL_free(der);
	free(sig);
	sig = sign_verify(p256, IKE_AUTH_DIGITAL_SIG, IKE_HASH_SHA2_512, 0,
	    &siglen);
	n = algor_der(NID_ecdsa_with_SHA512, 0, &der);
	assert_memory_equal(sig + 1, der, (size_t)n);
	OPENSSL_free(der);
	free(sig);
	assert_int_equal(ike_auth_sign(p256, IKE_AUTH_DIGITAL_SIG,
	    IKE_HASH_SHA2_256, 1, sig_octets, 10, &sig, &siglen), -1);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(p521);
}

static void
test_sig_hash_notify(void **state)
{
	static const uint8_t peer[] = { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0xff, 0xff };
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	EVP_PKEY *x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	uint8_t ours[8];
	uint32_t mask;
	uint8_t method;
	uint16_t hash;

	(void)state;
	assert_int_equal(ike_sig_hash_parse(peer, sizeof(peer), &mask), 0);
	assert_int_equal(mask, 0x3e);
	assert_int_equal(ike_sig_hash_parse(peer, 3, &mask), -1);
	assert_int_equal(ike_sig_hash_parse(peer, 0, &mask), 0);
	assert_int_equal(mask, 0);
	assert_int_equal(ike_sig_hash_ours(ours, sizeof(ours)), 6);
	assert_hex(ours, 6, "000200030004");
	assert_int_equal(ike_sig_hash_ours(ours, 5), 0);

	assert_int_equal(ike_auth_choose(rsa, 0x3e, &method, &hash), 0);
	assert_int_equal(method, IKE_AUTH_DIGITAL_SIG);
	assert_int_equal(hash, IKE_HASH_SHA2_256);
	assert_int_equal(ike_auth_choose(rsa, 1u << 4, &method, &hash), 0);
	assert_int_equal(hash, IKE_HASH_SHA2_512);
	assert_int_equal(ike_auth_choose(rsa, 1u << 1, &method, &hash), 0);
	assert_int_equal(method, IKE_AUTH_RSA_SIG);
	assert_int_equal(ike_auth_choose(p384, 0x3e, &method, &hash), 0);
	assert_int_equal(method, IKE_AUTH_DIGITAL_SIG);
	assert_int_equal(hash, IKE_HASH_SHA2_384);
	assert_int_equal(ike_auth_choose(p384, 1u << 2, &method, &hash), 0);
	assert_int_equal(hash, IKE_HASH_SHA2_256);
	assert_int_equal(ike_auth_choose(p256, 0, &method, &hash), 0);
	assert_int_equal(method, IKE_AUTH_ECDSA_256);
	assert_int_equal(hash, IKE_HASH_SHA2_256);
	assert_int_equal(ike_auth_choose(x25519, 0x3e, &method, &hash), -1);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(x25519);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_prf_rfc4868),
		cmocka_unit_test(test_integ_rfc4868),
		cmocka_unit_test(test_prf_plus_kat),
		cmocka_unit_test(test_skeyseed_kat),
		cmocka_unit_test(test_keys_split),
		cmocka_unit_test(test_keys_sk_directions),
		cmocka_unit_test(test_rekey_skeyseed_kat),
		cmocka_unit_test(test_child_keymat),
		cmocka_unit_test(test_sk_roundtrip_all),
		cmocka_unit_test(test_sk_init_checks),
		cmocka_unit_test(test_sk_tamper),
		cmocka_unit_test(test_sk_aead_iv_unique),
		cmocka_unit_test(test_sk_independent_cbc),
		cmocka_unit_test(test_sk_independent_gcm),
		cmocka_unit_test(test_sk_fragment_assoc),
		cmocka_unit_test(test_natd_kat),
		cmocka_unit_test(test_psk_auth_kat),
		cmocka_unit_test(test_auth_octets),
		cmocka_unit_test(test_sig_rsa),
		cmocka_unit_test(test_sig_ecdsa),
		cmocka_unit_test(test_sig_hash_notify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
