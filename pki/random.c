/* random — the one source of randomness in ikegw; see pki.h. */
#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pki/pki.h"

/*
 * Password alphabet: digits, upper and lower case, less the characters a
 * reader confuses when copying a password from a screen or a letter:
 * 0 O 1 l I.  57 characters, about 5.83 bits each.
 */
static const char pw_alphabet[] =
    "23456789"
    "ABCDEFGHJKLMNPQRSTUVWXYZ"
    "abcdefghijkmnopqrstuvwxyz";
#define PW_ALPHABET_LEN (sizeof(pw_alphabet) - 1)

/*
 * getrandom(2) with flags 0 blocks until the kernel pool is initialised and
 * then never fails for lack of entropy.  It may return fewer bytes than
 * asked (large requests, signals), so loop.  Anything else (ENOSYS on an
 * ancient kernel, EFAULT) leaves us without a CSPRNG: there is no safe
 * fallback, so abort rather than hand out predictable keys.
 */
void
pki_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			abort();
		}
		if (n == 0)
			abort();
		p += n;
		len -= (size_t)n;
	}
}

void
pki_random_hex(char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t chunk[32];
	size_t i, n;

	while (len > 0) {
		n = len < sizeof(chunk) ? len : sizeof(chunk);
		pki_random(chunk, n);
		for (i = 0; i < n; i++) {
			*out++ = hex[chunk[i] >> 4];
			*out++ = hex[chunk[i] & 0x0f];
		}
		len -= n;
	}
	*out = '\0';
	explicit_bzero(chunk, sizeof(chunk));
}

/*
 * Uniform choice by rejection sampling: a byte below the largest multiple of
 * the alphabet size that fits in a byte (57 * 4 = 228) maps to a character
 * with b % 57 and every character has exactly four bytes behind it; bytes
 * 228..255 are thrown away, so there is no modulo bias.  About 11% of bytes
 * are rejected; they are drawn in batches to keep system calls few.
 */
void
pki_random_password(char *out, size_t n)
{
	const unsigned limit = 256 - 256 % PW_ALPHABET_LEN;
	uint8_t pool[64];
	size_t used = sizeof(pool);
	size_t i = 0;

	while (i < n) {
		if (used == sizeof(pool)) {
			pki_random(pool, sizeof(pool));
			used = 0;
		}
		if (pool[used] < limit)
			out[i++] = pw_alphabet[pool[used] % PW_ALPHABET_LEN];
		used++;
	}
	out[n] = '\0';
	explicit_bzero(pool, sizeof(pool));
}
