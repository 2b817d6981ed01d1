/*
 * test_mschapv2 — EAP-MSCHAPv2 against the published vectors: RFC 2759
 * 9.2 (ChallengeHash, NT-Response, PasswordHashHash, AuthenticatorResponse)
 * and RFC 3079 3.5.3 (MasterKey, 128-bit start key), and the MSK layout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/eap/mschapv2.h"

/* RFC 2759 9.2: UserName "User", Password "clientPass" */
static const uint8_t auth_chal[16] = {
	0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
	0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28,
};
static const uint8_t peer_chal[16] = {
	0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
	0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E,
};
/* PasswordHash = MD4(UTF-16LE "clientPass") */
static const uint8_t nt_hash[16] = {
	0x44, 0xEB, 0xBA, 0x8D, 0x53, 0x12, 0xB8, 0xD6,
	0x11, 0x47, 0x44, 0x11, 0xF5, 0x69, 0x89, 0xAE,
};
static const uint8_t nt_response[24] = {
	0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
	0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
	0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF,
};
static const uint8_t challenge_hash[8] = {
	0xD0, 0x2E, 0x43, 0x86, 0xBC, 0xE9, 0x12, 0x26,
};
static const uint8_t hash_hash[16] = {
	0x41, 0xC0, 0x0C, 0x58, 0x4B, 0xD2, 0xD9, 0x1C,
	0x40, 0x17, 0xA2, 0xA1, 0x2F, 0xA5, 0x9F, 0x3F,
};
/* RFC 3079 3.5.3 */
static const uint8_t master_key[16] = {
	0xFD, 0xEC, 0xE3, 0x71, 0x7A, 0x8C, 0x83, 0x8C,
	0xB3, 0x88, 0xE5, 0x27, 0xAE, 0x3C, 0xDD, 0x31,
};
/* RFC 3079 3.5.3 SendStartKey128: the server's send key (Magic3), which is
   also the client's receive key */
static const uint8_t send_start_key[16] = {
	0x8B, 0x7C, 0xDC, 0x14, 0x9B, 0x99, 0x3A, 0x1B,
	0xA1, 0x18, 0xCB, 0x15, 0x3F, 0x56, 0xDC, 0xCB,
};
/*
 * The server's receive key (Magic2) for the same MasterKey; RFC 3079 prints
 * no vector for it, so it was computed independently with Python:
 *   python3 -c 'import hashlib; mk=bytes.fromhex("fdece3717a8c838cb388e527ae3cdd31");
 *   m2=b"On the client side, this is the send key; on the server side, it is the receive key.";
 *   print(hashlib.sha1(mk+b"\0"*40+m2+b"\xf2"*40).hexdigest()[:32])'
 */
static const uint8_t recv_start_key[16] = {
	0xd5, 0xf0, 0xe9, 0x52, 0x1e, 0x3e, 0xa9, 0x58,
	0x96, 0x45, 0xe8, 0x60, 0x51, 0xc8, 0x22, 0x26,
};

static void
test_challenge_hash(void **state)
{
	uint8_t out[8];

	(void)state;
	assert_int_equal(eap_mschapv2_challenge_hash(peer_chal, auth_chal,
	    "User", 4, out), 0);
	assert_memory_equal(out, challenge_hash, 8);
}

static void
test_nt_response(void **state)
{
	uint8_t out[24], bad[24], wrong_hash[16];

	(void)state;
	assert_int_equal(eap_mschapv2_nt_response(nt_hash, auth_chal, peer_chal,
	    "User", 4, out), 0);
	assert_memory_equal(out, nt_response, 24);
	assert_int_equal(eap_mschapv2_verify(nt_hash, auth_chal, peer_chal,
	    "User", 4, nt_response), 0);

	/* any changed bit, in any of the three DES blocks, fails */
	memcpy(bad, nt_response, 24);
	bad[0] ^= 0x01;
	assert_int_equal(eap_mschapv2_verify(nt_hash, auth_chal, peer_chal,
	    "User", 4, bad), -1);
	memcpy(bad, nt_response, 24);
	bad[23] ^= 0x80;
	assert_int_equal(eap_mschapv2_verify(nt_hash, auth_chal, peer_chal,
	    "User", 4, bad), -1);
	/* another password, user name or challenge fails */
	memcpy(wrong_hash, nt_hash, 16);
	wrong_hash[15] ^= 0x01;
	assert_int_equal(eap_mschapv2_verify(wrong_hash, auth_chal, peer_chal,
	    "User", 4, nt_response), -1);
	assert_int_equal(eap_mschapv2_verify(nt_hash, auth_chal, peer_chal,
	    "user", 4, nt_response), -1);
	assert_int_equal(eap_mschapv2_verify(nt_hash, peer_chal, auth_chal,
	    "User", 4, nt_response), -1);
}

static void
test_domain(void **state)
{
	static const char win[] = "EXAMPLE\\User";
	uint8_t out[8];
	size_t len;
	const char *p;

	(void)state;
	p = eap_mschapv2_strip_domain(win, sizeof(win) - 1, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(p, "User", 4);
	p = eap_mschapv2_strip_domain("User", 4, &len);
	assert_int_equal(len, 4);
	p = eap_mschapv2_strip_domain("DOM\\", 4, &len);
	assert_int_equal(len, 0);

	/* the domain never enters the challenge hash */
	assert_int_equal(eap_mschapv2_challenge_hash(peer_chal, auth_chal, win,
	    sizeof(win) - 1, out), 0);
	assert_memory_equal(out, challenge_hash, 8);
	assert_int_equal(eap_mschapv2_verify(nt_hash, auth_chal, peer_chal, win,
	    sizeof(win) - 1, nt_response), 0);
}

static void
test_auth_response(void **state)
{
	char out[EAP_MSCHAPV2_AUTH_RESPONSE_LEN + 1];
	uint8_t hh[16];

	(void)state;
	assert_int_equal(eap_mschapv2_hash_hash(nt_hash, hh), 0);
	assert_memory_equal(hh, hash_hash, 16);
	assert_int_equal(eap_mschapv2_auth_response(nt_hash, nt_response,
	    peer_chal, auth_chal, "User", 4, out), 0);
	assert_string_equal(out, "S=407A5589115FD0D6209F510FE9C04566932CDA56");
}

static void
test_mppe_keys(void **state)
{
	uint8_t mk[16], k[16];

	(void)state;
	assert_int_equal(eap_mschapv2_master_key(nt_hash, nt_response, mk), 0);
	assert_memory_equal(mk, master_key, 16);

	/* send, server = receive, client = Magic3 */
	assert_int_equal(eap_mschapv2_start_key(mk, 1, 1, k), 0);
	assert_memory_equal(k, send_start_key, 16);
	assert_int_equal(eap_mschapv2_start_key(mk, 0, 0, k), 0);
	assert_memory_equal(k, send_start_key, 16);
	/* receive, server = send, client = Magic2 */
	assert_int_equal(eap_mschapv2_start_key(mk, 0, 1, k), 0);
	assert_memory_equal(k, recv_start_key, 16);
	assert_int_equal(eap_mschapv2_start_key(mk, 1, 0, k), 0);
	assert_memory_equal(k, recv_start_key, 16);
}

/*
 * MSK = MasterReceiveKey | MasterSendKey | 32 zeros, as the authenticator
 * sees the keys ([MS-CHAP] 3.1.5.1; strongSwan's eap_mschapv2 builds the
 * Magic2 key, then the Magic3 key, then 32 zero octets, on both sides).
 */
static void
test_msk(void **state)
{
	uint8_t msk[EAP_MSCHAPV2_MSK_LEN], zero[32];

	(void)state;
	memset(zero, 0, sizeof(zero));
	assert_int_equal(eap_mschapv2_msk(nt_hash, nt_response, msk), 0);
	assert_memory_equal(msk, recv_start_key, 16);
	assert_memory_equal(msk + 16, send_start_key, 16);
	assert_memory_equal(msk + 32, zero, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenge_hash),
		cmocka_unit_test(test_nt_response),
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_auth_response),
		cmocka_unit_test(test_mppe_keys),
		cmocka_unit_test(test_msk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
