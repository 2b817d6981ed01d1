/*
 * mschapv2.c — MS-CHAPv2 response checking and MPPE / MSK key derivation
 * (RFC 2759, RFC 3079) through OpenSSL 3 EVP.
 *
 * Two algorithms here are legacy in OpenSSL 3:
 *  - single DES (RFC 2759 8.6 DesEncrypt) is computed as DES-EDE3 with
 *    K1 = K2 = K3, which is exactly single DES and lives in the default
 *    provider;
 *  - MD4 (HashNtPasswordHash) exists only in the "legacy" provider, which
 *    is loaded into a private library context the first time it is needed,
 *    so the process-wide default context keeps its provider set untouched.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "mschapv2.h"

/* RFC 2759 8.7 */
static const char auth_magic1[] = "Magic server to client signing constant";
static const char auth_magic2[] = "Pad to make it do more than one iteration";
/* RFC 3079 3.4 */
static const char mppe_magic1[] = "This is the MPPE Master Key";
static const char mppe_magic2[] = "On the client side, this is the send key; "
    "on the server side, it is the receive key.";
static const char mppe_magic3[] = "On the client side, this is the receive "
    "key; on the server side, it is the send key.";

_Static_assert(sizeof(auth_magic1) - 1 == 39, "RFC 2759 Magic1 is 39 octets");
_Static_assert(sizeof(auth_magic2) - 1 == 41, "RFC 2759 Magic2 is 41 octets");
_Static_assert(sizeof(mppe_magic1) - 1 == 27, "RFC 3079 Magic1 is 27 octets");
_Static_assert(sizeof(mppe_magic2) - 1 == 84, "RFC 3079 Magic2 is 84 octets");
_Static_assert(sizeof(mppe_magic3) - 1 == 84, "RFC 3079 Magic3 is 84 octets");

struct span {
	const void	*ptr;
	size_t		 len;
};

/* ------------------------------------------------------------ digests */

static int
digest(EVP_MD *md, const struct span *in, size_t nin, uint8_t *out,
    unsigned int want)
{
	EVP_MD_CTX *ctx;
	unsigned int len = 0;
	size_t i;
	int rc = -1;

	if (md == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (!EVP_DigestInit_ex2(ctx, md, NULL))
		goto done;
	for (i = 0; i < nin; i++)
		if (!EVP_DigestUpdate(ctx, in[i].ptr, in[i].len))
			goto done;
	if (EVP_DigestFinal_ex(ctx, out, &len) && len == want)
		rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* SHA-1 and 3DES, fetched once for the life of the process (a fetch per
   call costs a provider lookup each time). */
static pthread_once_t	 fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD		*sha1_md;
static EVP_CIPHER	*des3_cipher;

static void
fetch_all(void)
{
	sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
	des3_cipher = EVP_CIPHER_fetch(NULL, "DES-EDE3-ECB", NULL);
}

static int
sha1(const struct span *in, size_t nin, uint8_t out[20])
{
	pthread_once(&fetch_once, fetch_all);
	return sha1_md != NULL ? digest(sha1_md, in, nin, out, 20) : -1;
}

static pthread_once_t	 md4_once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX	*legacy_ctx;
static EVP_MD		*md4_md;	/* kept for the life of the process */

static void
md4_fetch(void)
{
	/* a build whose default provider still has MD4 needs nothing more */
	if ((legacy_ctx = OSSL_LIB_CTX_new()) != NULL &&
	    OSSL_PROVIDER_load(legacy_ctx, "legacy") != NULL)
		md4_md = EVP_MD_fetch(legacy_ctx, "MD4", NULL);
	if (md4_md == NULL)
		md4_md = EVP_MD_fetch(NULL, "MD4", NULL);
}

int
eap_mschapv2_hash_hash(const uint8_t nt_hash[16], uint8_t out[16])
{
	struct span in[1] = { { nt_hash, 16 } };

	pthread_once(&md4_once, md4_fetch);
	return digest(md4_md, in, 1, out, 16);
}

/* ------------------------------------------------------------ user names */

const char *
eap_mschapv2_strip_domain(const char *name, size_t len, size_t *outlen)
{
	const char *bs = len > 0 ? memchr(name, '\\', len) : NULL;

	if (bs == NULL) {
		*outlen = len;
		return name;
	}
	*outlen = len - (size_t)(bs + 1 - name);
	return bs + 1;
}

int
eap_mschapv2_challenge_hash(const uint8_t peer_chal[16],
    const uint8_t auth_chal[16], const char *user, size_t userlen,
    uint8_t out[8])
{
	struct span in[3];
	uint8_t md[20];
	size_t namelen;
	const char *name = eap_mschapv2_strip_domain(user, userlen, &namelen);

	/* RFC 2759 8.2: SHA-1(PeerChallenge | AuthenticatorChallenge |
	   UserName), UserName without domain, first 8 octets */
	in[0] = (struct span){ peer_chal, 16 };
	in[1] = (struct span){ auth_chal, 16 };
	in[2] = (struct span){ name, namelen };
	if (sha1(in, 3, md) != 0)
		return -1;
	memcpy(out, md, 8);
	return 0;
}

/* ------------------------------------------------------------ DES */

/*
 * RFC 2759 8.6: a 7-octet key becomes an 8-octet DES key by spreading its
 * 56 bits seven to an octet, high bits first, with the low bit of each
 * octet a parity bit (odd parity; DES ignores it, but set it properly).
 */
static void
des_key_expand(const uint8_t in[7], uint8_t out[8])
{
	uint64_t bits = 0;
	uint8_t b;
	int i;

	for (i = 0; i < 7; i++)
		bits = bits << 8 | in[i];
	for (i = 0; i < 8; i++) {
		b = (uint8_t)(((bits >> (49 - 7 * i)) & 0x7f) << 1);
		b |= (uint8_t)!__builtin_parity(b);
		out[i] = b;
	}
}

/*
 * RFC 2759 8.5 ChallengeResponse: the NT hash padded with zeros to 21
 * octets is three 7-octet DES keys, each encrypting the 8-octet challenge.
 * Single DES is run as DES-EDE3-ECB with one key three times.
 */
static int
challenge_response(const uint8_t challenge[8], const uint8_t nt_hash[16],
    uint8_t out[24])
{
	const EVP_CIPHER *des3;
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t zhash[21], k8[8], k24[24];
	int i, len, rc = -1;

	memset(zhash, 0, sizeof(zhash));
	memcpy(zhash, nt_hash, 16);
	pthread_once(&fetch_once, fetch_all);
	if ((des3 = des3_cipher) == NULL || (ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto done;
	for (i = 0; i < 3; i++) {
		des_key_expand(zhash + 7 * i, k8);
		memcpy(k24, k8, 8);
		memcpy(k24 + 8, k8, 8);
		memcpy(k24 + 16, k8, 8);
		if (!EVP_EncryptInit_ex2(ctx, des3, k24, NULL, NULL) ||
		    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
		    !EVP_EncryptUpdate(ctx, out + 8 * i, &len, challenge, 8) ||
		    len != 8 ||
		    !EVP_EncryptFinal_ex(ctx, out + 8 * i + 8, &len) || len != 0)
			goto done;
	}
	rc = 0;
done:
	OPENSSL_cleanse(zhash, sizeof(zhash));
	OPENSSL_cleanse(k8, sizeof(k8));
	OPENSSL_cleanse(k24, sizeof(k24));
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
eap_mschapv2_nt_response(const uint8_t nt_hash[16], const uint8_t auth_chal[16],
    const uint8_t peer_chal[16], const char *user, size_t userlen,
    uint8_t out[24])
{
	uint8_t ch[8];

	if (eap_mschapv2_challenge_hash(peer_chal, auth_chal, user, userlen,
	    ch) != 0)
		return -1;
	return challenge_response(ch, nt_hash, out);
}

int
eap_mschapv2_verify(const uint8_t nt_hash[16], const uint8_t auth_chal[16],
    const uint8_t peer_chal[16], const char *user, size_t userlen,
    const uint8_t nt_response[24])
{
	uint8_t mine[24];
	int rc = -1;

	if (eap_mschapv2_nt_response(nt_hash, auth_chal, peer_chal, user,
	    userlen, mine) == 0 && CRYPTO_memcmp(mine, nt_response, 24) == 0)
		rc = 0;
	OPENSSL_cleanse(mine, sizeof(mine));
	return rc;
}

/* ------------------------------------------------------------ responses */

int
eap_mschapv2_auth_response(const uint8_t nt_hash[16],
    const uint8_t nt_response[24], const uint8_t peer_chal[16],
    const uint8_t auth_chal[16], const char *user, size_t userlen,
    char out[EAP_MSCHAPV2_AUTH_RESPONSE_LEN + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t hh[16], md[20], ch[8];
	struct span in[3];
	int i, rc = -1;

	/* RFC 2759 8.7:
	   Digest = SHA-1(PasswordHashHash | NT-Response | Magic1)
	   Digest = SHA-1(Digest | ChallengeHash | Magic2), "S=" + hex */
	if (eap_mschapv2_hash_hash(nt_hash, hh) != 0 ||
	    eap_mschapv2_challenge_hash(peer_chal, auth_chal, user, userlen,
	    ch) != 0)
		goto done;
	in[0] = (struct span){ hh, 16 };
	in[1] = (struct span){ nt_response, 24 };
	in[2] = (struct span){ auth_magic1, sizeof(auth_magic1) - 1 };
	if (sha1(in, 3, md) != 0)
		goto done;
	in[0] = (struct span){ md, 20 };
	in[1] = (struct span){ ch, 8 };
	in[2] = (struct span){ auth_magic2, sizeof(auth_magic2) - 1 };
	if (sha1(in, 3, md) != 0)
		goto done;
	out[0] = 'S';
	out[1] = '=';
	for (i = 0; i < 20; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 0x0f];
	}
	out[EAP_MSCHAPV2_AUTH_RESPONSE_LEN] = '\0';
	rc = 0;
done:
	OPENSSL_cleanse(hh, sizeof(hh));
	return rc;
}

/* ------------------------------------------------------------ keys */

int
eap_mschapv2_master_key(const uint8_t nt_hash[16],
    const uint8_t nt_response[24], uint8_t out[16])
{
	uint8_t hh[16], md[20];
	struct span in[3];
	int rc = -1;

	/* RFC 3079 3.4 GetMasterKey */
	if (eap_mschapv2_hash_hash(nt_hash, hh) != 0)
		goto done;
	in[0] = (struct span){ hh, 16 };
	in[1] = (struct span){ nt_response, 24 };
	in[2] = (struct span){ mppe_magic1, sizeof(mppe_magic1) - 1 };
	if (sha1(in, 3, md) != 0)
		goto done;
	memcpy(out, md, 16);
	rc = 0;
done:
	OPENSSL_cleanse(hh, sizeof(hh));
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

int
eap_mschapv2_start_key(const uint8_t master_key[16], int is_send,
    int is_server, uint8_t out[16])
{
	static const uint8_t pad2[40] = {
		0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
		0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
		0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
		0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2, 0xf2,
	};
	static const uint8_t pad1[40];	/* SHSpad1: 40 zero octets */
	const char *magic;
	uint8_t md[20];
	struct span in[4];

	/* RFC 3079 3.4 GetAsymmetricStartKey: the server sends with Magic3
	   and receives with Magic2; the client the other way round */
	if (is_send)
		magic = is_server ? mppe_magic3 : mppe_magic2;
	else
		magic = is_server ? mppe_magic2 : mppe_magic3;
	in[0] = (struct span){ master_key, 16 };
	in[1] = (struct span){ pad1, sizeof(pad1) };
	in[2] = (struct span){ magic, 84 };
	in[3] = (struct span){ pad2, sizeof(pad2) };
	if (sha1(in, 4, md) != 0)
		return -1;
	memcpy(out, md, 16);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

int
eap_mschapv2_msk(const uint8_t nt_hash[16], const uint8_t nt_response[24],
    uint8_t out[EAP_MSCHAPV2_MSK_LEN])
{
	uint8_t mk[16];
	int rc = -1;

	/* [MS-CHAP] 3.1.5.1: MSK = MasterReceiveKey | MasterSendKey | 32
	   zero octets, the keys as the authenticator sees them */
	memset(out, 0, EAP_MSCHAPV2_MSK_LEN);
	if (eap_mschapv2_master_key(nt_hash, nt_response, mk) != 0 ||
	    eap_mschapv2_start_key(mk, 0, 1, out) != 0 ||
	    eap_mschapv2_start_key(mk, 1, 1, out + 16) != 0) {
		OPENSSL_cleanse(out, EAP_MSCHAPV2_MSK_LEN);
		goto done;
	}
	rc = 0;
done:
	OPENSSL_cleanse(mk, sizeof(mk));
	return rc;
}
