/*
 * passwd — login password hashing with yescrypt through libxcrypt; see
 * pki.h.
 *
 * Empty passwords are hashed and verified like any other: refusing them is
 * a policy for the callers (account forms), not for the hash.  libxcrypt
 * refuses passphrases of CRYPT_MAX_PASSPHRASE_SIZE (512) bytes or more:
 * hashing one fails and verifying one returns 0, so callers should cap
 * password fields below that.
 */
#include <stdlib.h>
#include <string.h>

#include <crypt.h>
#include <openssl/crypto.h>

#include "pki/pki.h"

#define YESCRYPT_PREFIX "$y$"

/*
 * crypt_r's result lives in the struct crypt_data and is a usable
 * hash only when it is non-NULL, has the expected prefix and is not one of
 * the failure tokens ("*0", "*1"), which never start with '$'.
 */
static int
crypt_ok(const char *r)
{
	return r != NULL && strncmp(r, YESCRYPT_PREFIX,
	    strlen(YESCRYPT_PREFIX)) == 0;
}

/*
 * Salt: crypt_gensalt_rn with no random bytes of ours takes them from the
 * OS itself; count 0 is libxcrypt's default cost for yescrypt.
 * struct crypt_data is about 32 KiB, so it goes on the heap, and is wiped
 * afterwards as it holds the password.
 */
int
pki_password_hash(const char *password, char *out, size_t outlen)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = NULL;
	const char *r;
	size_t n;
	int rc = -1;

	if (password == NULL || out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (crypt_gensalt_rn(YESCRYPT_PREFIX, 0, NULL, 0, salt,
	    (int)sizeof(salt)) == NULL)
		return -1;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	r = crypt_r(password, salt, cd);
	if (!crypt_ok(r))
		goto out;
	n = strlen(r);
	if (n >= outlen)
		goto out;
	memcpy(out, r, n + 1);
	rc = 0;
out:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/*
 * Only yescrypt hashes are accepted as stored hashes: ikegw makes no
 * others, and accepting e.g. a DES or MD5 crypt string would let a
 * tampered or corrupt record downgrade an account to a weak hash.  An empty
 * or malformed stored hash never matches.  The compare covers the whole
 * string in constant time; the length, which is public, is compared first.
 */
int
pki_password_verify(const char *password, const char *hash)
{
	struct crypt_data *cd = NULL;
	const char *r;
	size_t n;
	int ok = 0;

	if (password == NULL || hash == NULL || !crypt_ok(hash))
		return 0;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return 0;
	r = crypt_r(password, hash, cd);
	if (!crypt_ok(r))
		goto out;
	n = strlen(hash);
	if (strlen(r) != n)
		goto out;
	ok = CRYPTO_memcmp(r, hash, n) == 0;
out:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}
