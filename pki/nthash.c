/*
 * nthash — RFC 2759 8.3 NtPasswordHash: MD4 over the password in UTF-16LE
 * (Unicode, as Windows sends it); see pki.h.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "pki/pki.h"

/* RFC 2759 8.3: the password is 0 to 256 Unicode characters. */
#define NT_MAX_UNITS	256

/*
 * Loaded at most once and kept for the life of the process.  The handles
 * hold a reference each, so they stay in these statics (and are read in
 * md4_fetch) rather than being dropped on the floor.
 */
static pthread_once_t	 legacy_once = PTHREAD_ONCE_INIT;
static OSSL_PROVIDER	*prov_legacy;
static OSSL_PROVIDER	*prov_default;

/*
 * OpenSSL 3 moved MD4 to the legacy provider.  Loading any provider
 * explicitly stops the default one from being loaded implicitly, so the
 * default provider is loaded too, or every other algorithm in the process
 * (AES-GCM, SHA-256, ...) would stop being found.
 */
static void
load_legacy(void)
{
	prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	prov_default = OSSL_PROVIDER_load(NULL, "default");
}

static EVP_MD *
md4_fetch(void)
{
	EVP_MD *md;

	if ((md = EVP_MD_fetch(NULL, "MD4", NULL)) != NULL)
		return md;
	pthread_once(&legacy_once, load_legacy);
	/* Without both, MD4 is not there, or everything else would be gone. */
	if (prov_legacy == NULL || prov_default == NULL)
		return NULL;
	return EVP_MD_fetch(NULL, "MD4", NULL);
}

/*
 * Decodes one code point of strict UTF-8 (RFC 3629) from s[*i..len) and
 * advances *i.  Refused: stray continuation bytes, truncated sequences,
 * overlong forms, UTF-16 surrogates (U+D800..U+DFFF) and anything above
 * U+10FFFF.
 */
static int
utf8_next(const uint8_t *s, size_t len, size_t *i, uint32_t *cp)
{
	uint8_t b = s[*i];
	uint32_t c, min;
	size_t n, k;

	if (b < 0x80) {
		*cp = b;
		(*i)++;
		return 0;
	} else if ((b & 0xe0) == 0xc0) {
		n = 2;
		c = b & 0x1f;
		min = 0x80;
	} else if ((b & 0xf0) == 0xe0) {
		n = 3;
		c = b & 0x0f;
		min = 0x800;
	} else if ((b & 0xf8) == 0xf0) {
		n = 4;
		c = b & 0x07;
		min = 0x10000;
	} else
		return -1;	/* continuation byte or 0xf8..0xff */
	if (len - *i < n)
		return -1;
	for (k = 1; k < n; k++) {
		b = s[*i + k];
		if ((b & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (b & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	*i += n;
	return 0;
}

static void
put_unit(uint8_t *p, uint32_t u)
{
	p[0] = u & 0xff;
	p[1] = (u >> 8) & 0xff;
}

int
pki_nt_hash(const char *password, uint8_t out[16])
{
	uint8_t u16[2 * NT_MAX_UNITS];
	const uint8_t *s = (const uint8_t *)password;
	size_t len, i = 0, units = 0;
	uint32_t cp;
	EVP_MD *md = NULL;
	unsigned int mdlen = 0;
	int rc = -1;

	if (password == NULL)
		return -1;
	len = strlen(password);
	while (i < len) {
		if (utf8_next(s, len, &i, &cp) == -1)
			goto out;
		if (cp < 0x10000) {
			if (units + 1 > NT_MAX_UNITS)
				goto out;
			put_unit(u16 + 2 * units++, cp);
		} else {
			/* Outside the BMP: a surrogate pair (RFC 2781 2.1). */
			if (units + 2 > NT_MAX_UNITS)
				goto out;
			cp -= 0x10000;
			put_unit(u16 + 2 * units++, 0xd800 | (cp >> 10));
			put_unit(u16 + 2 * units++, 0xdc00 | (cp & 0x3ff));
		}
	}
	if ((md = md4_fetch()) == NULL)
		goto out;
	if (EVP_Digest(u16, 2 * units, out, &mdlen, md, NULL) != 1 ||
	    mdlen != 16)
		goto out;
	rc = 0;
out:
	EVP_MD_free(md);
	explicit_bzero(u16, sizeof(u16));
	explicit_bzero(&cp, sizeof(cp));
	return rc;
}
