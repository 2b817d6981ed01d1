/*
 * natd.c — NAT_DETECTION_SOURCE_IP / _DESTINATION_IP hashes (RFC 7296 2.23).
 */
#include <string.h>

#include <netinet/in.h>

#include <openssl/evp.h>

#include "crypto.h"

int
ike_natd_hash(const uint8_t spii[8], const uint8_t spir[8], const uint8_t *ip,
    size_t iplen, uint16_t port, uint8_t out[IKE_NATD_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	EVP_MD *sha1 = NULL;
	uint8_t portbuf[2];
	unsigned int len = 0;
	int rc = -1;

	if (iplen != 4 && iplen != 16)
		return -1;
	/* RFC 7296 2.23: SHA-1(SPIi | SPIr | IP | Port), network order */
	portbuf[0] = (uint8_t)(port >> 8);
	portbuf[1] = (uint8_t)port;
	if ((sha1 = EVP_MD_fetch(NULL, "SHA1", NULL)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL)
		goto done;
	if (!EVP_DigestInit_ex2(ctx, sha1, NULL) ||
	    !EVP_DigestUpdate(ctx, spii, 8) ||
	    !EVP_DigestUpdate(ctx, spir, 8) ||
	    !EVP_DigestUpdate(ctx, ip, iplen) ||
	    !EVP_DigestUpdate(ctx, portbuf, sizeof(portbuf)) ||
	    !EVP_DigestFinal_ex(ctx, out, &len) || len != IKE_NATD_LEN)
		goto done;
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(sha1);
	return rc;
}

int
ike_natd_hash_sa(const uint8_t spii[8], const uint8_t spir[8],
    const struct sockaddr *sa, uint8_t out[IKE_NATD_LEN])
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	/* copied out: sa may point into storage not aligned for either */
	switch (sa->sa_family) {
	case AF_INET:
		memcpy(&sin, sa, sizeof(sin));
		return ike_natd_hash(spii, spir, (const uint8_t *)&sin.sin_addr,
		    4, ntohs(sin.sin_port), out);
	case AF_INET6:
		memcpy(&sin6, sa, sizeof(sin6));
		return ike_natd_hash(spii, spir,
		    (const uint8_t *)&sin6.sin6_addr, 16, ntohs(sin6.sin6_port),
		    out);
	default:
		return -1;
	}
}
