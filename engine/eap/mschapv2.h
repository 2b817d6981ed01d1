/*
 * mschapv2.h — the cryptography of EAP-MSCHAPv2 on the authenticator side
 * (RFC 2759, RFC 3079, [MS-CHAP] 3.1.5.1): checking a peer's NT-Response,
 * the AuthenticatorResponse for the Success packet, and the 64-octet MSK
 * that keys the IKEv2 AUTH payloads after EAP (RFC 7296 2.16).
 *
 * The engine holds only the NT hash (MD4 of the UTF-16LE password, made by
 * pki_nt_hash() when the user is saved), never the password.
 *
 * User names: RFC 2759 hashes the account name without a domain; Windows
 * sends "DOMAIN\user".  Functions taking a user name strip everything up to
 * and including the first backslash themselves (as strongSwan does), so
 * callers pass the Name field of the Response as received.
 */
#ifndef IKEGW_EAP_MSCHAPV2_H
#define IKEGW_EAP_MSCHAPV2_H

#include <stddef.h>
#include <stdint.h>

#define EAP_MSCHAPV2_NT_HASH_LEN	16
#define EAP_MSCHAPV2_CHALLENGE_LEN	16	/* authenticator and peer */
#define EAP_MSCHAPV2_NT_RESPONSE_LEN	24
#define EAP_MSCHAPV2_AUTH_RESPONSE_LEN	42	/* "S=" + 40 hex digits */
#define EAP_MSCHAPV2_MASTER_KEY_LEN	16
#define EAP_MSCHAPV2_MSK_LEN		64

/*
 * The part of name after the first backslash, or name itself when it has
 * none; *outlen receives its length.  Borrowed from name.
 */
const char *eap_mschapv2_strip_domain(const char *name, size_t len,
    size_t *outlen);

/* RFC 2759 8.2 ChallengeHash: first 8 octets of
   SHA-1(PeerChallenge | AuthenticatorChallenge | UserName).  0 or -1. */
int	 eap_mschapv2_challenge_hash(const uint8_t peer_chal[16],
    const uint8_t auth_chal[16], const char *user, size_t userlen,
    uint8_t out[8]);

/*
 * RFC 2759 8.1 GenerateNTResponse from the NT hash: ChallengeHash
 * encrypted with DES under three keys made from the zero-padded hash.
 * 0 or -1.
 */
int	 eap_mschapv2_nt_response(const uint8_t nt_hash[16],
    const uint8_t auth_chal[16], const uint8_t peer_chal[16],
    const char *user, size_t userlen, uint8_t out[24]);

/* 0 when the peer's NT-Response is right for nt_hash (constant-time
   compare), -1 otherwise. */
int	 eap_mschapv2_verify(const uint8_t nt_hash[16],
    const uint8_t auth_chal[16], const uint8_t peer_chal[16],
    const char *user, size_t userlen, const uint8_t nt_response[24]);

/* RFC 2759 8.3 HashNtPasswordHash: MD4(NT hash).  0 or -1. */
int	 eap_mschapv2_hash_hash(const uint8_t nt_hash[16], uint8_t out[16]);

/*
 * RFC 2759 8.7 GenerateAuthenticatorResponse: "S=" and 40 uppercase hex
 * digits, NUL-terminated into out (43 bytes).  0 or -1.
 */
int	 eap_mschapv2_auth_response(const uint8_t nt_hash[16],
    const uint8_t nt_response[24], const uint8_t peer_chal[16],
    const uint8_t auth_chal[16], const char *user, size_t userlen,
    char out[EAP_MSCHAPV2_AUTH_RESPONSE_LEN + 1]);

/* RFC 3079 3.4 GetMasterKey: SHA-1(HashNtPasswordHash | NT-Response |
   Magic1), first 16 octets.  0 or -1. */
int	 eap_mschapv2_master_key(const uint8_t nt_hash[16],
    const uint8_t nt_response[24], uint8_t out[16]);

/*
 * RFC 3079 3.4 GetAsymmetricStartKey for 128-bit keys: the send or receive
 * key of the server or client side.  The server's send key is the
 * client's receive key (Magic3); the server's receive key the client's
 * send key (Magic2).  0 or -1.
 */
int	 eap_mschapv2_start_key(const uint8_t master_key[16], int is_send,
    int is_server, uint8_t out[16]);

/*
 * The EAP-MSCHAPv2 MSK ([MS-CHAP] 3.1.5.1; hostapd and strongSwan agree):
 *   MasterReceiveKey | MasterSendKey | 32 zero octets
 * with the keys of the authenticator (server) side, i.e. the Magic2 key
 * then the Magic3 key; the peer computes the same bytes.  0 or -1.
 */
int	 eap_mschapv2_msk(const uint8_t nt_hash[16],
    const uint8_t nt_response[24], uint8_t out[EAP_MSCHAPV2_MSK_LEN]);

#endif
