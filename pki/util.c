/* util — small helpers shared by pki and its callers; see pki.h. */
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "pki/pki.h"

/*
 * CRYPTO_memcmp takes time that depends only on n, not on where the first
 * difference is.  n itself is not secret.
 */
int
pki_equal(const void *a, const void *b, size_t n)
{
	if (n == 0)
		return 1;
	return CRYPTO_memcmp(a, b, n) == 0;
}

/*
 * The digest can only fail on allocation failure inside OpenSSL; callers
 * store the result as a token lookup key and have no useful way to go on
 * without it, so that is fatal, like any other out-of-memory here.
 */
void
pki_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;
	size_t i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		abort();
	for (i = 0; i < sizeof(md); i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[64] = '\0';
}
