/* Tests for pki_nt_hash (RFC 2759 NtPasswordHash). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pki/pki.h"

static void
hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Hashes password and checks the result against lowercase hex want. */
static void
expect_hash(const char *password, const char *want)
{
	uint8_t h[16];
	char got[33];

	assert_int_equal(pki_nt_hash(password, h), 0);
	hex(h, sizeof(h), got);
	assert_string_equal(got, want);
}

/* RFC 2759 9.2: Password "clientPass" -> NtPasswordHash 44EBBA8D... */
static void
test_rfc2759_vector(void **state)
{
	expect_hash("clientPass", "44ebba8d5312b8d611474411f56989ae");
}

/*
 * The expected values below were computed independently of this code with
 *   printf '%s' PASSWORD | iconv -f UTF-8 -t UTF-16LE |
 *       openssl dgst -md4 -provider legacy -provider default
 * (OpenSSL 3.0.19, glibc iconv); for the long ones PASSWORD was
 * printf 'a%.0s' $(seq 256) and printf 'é%.0s' $(seq 256).
 */
static void
test_empty(void **state)
{
	/* MD4 of nothing. */
	expect_hash("", "31d6cfe0d16ae931b73c59d7e0c089c0");
}

static void
test_non_ascii(void **state)
{
	/* "pässwörd": ä and ö are two-byte UTF-8, one UTF-16 unit each. */
	expect_hash("p\xc3\xa4ssw\xc3\xb6rd", "0553152250ac01adb4213cb9938663e4");
}

static void
test_surrogate_pair(void **state)
{
	/* "pw😀!": U+1F600 is UTF-16LE 3d d8 00 de. */
	expect_hash("pw\xf0\x9f\x98\x80!", "b13769c5c5ba44076209a3f737f9fcc7");
}

static void
fill(char *buf, const char *unit, size_t count)
{
	size_t i, n = strlen(unit);

	for (i = 0; i < count; i++)
		memcpy(buf + i * n, unit, n);
	buf[count * n] = '\0';
}

static void
test_length_limit(void **state)
{
	char buf[4 * 300];
	uint8_t h[16];

	fill(buf, "a", 256);
	expect_hash(buf, "9118f6ce48955b5ca2be01329e7f959e");
	fill(buf, "a", 257);
	assert_int_equal(pki_nt_hash(buf, h), -1);

	/* The limit is in characters, not bytes: 256 x é is 512 bytes. */
	fill(buf, "\xc3\xa9", 256);
	expect_hash(buf, "9f733dc0cd60516561f43389bbe968d9");
	fill(buf, "\xc3\xa9", 257);
	assert_int_equal(pki_nt_hash(buf, h), -1);

	/* A character outside the BMP takes two of the 256 UTF-16 units. */
	fill(buf, "a", 254);
	strcat(buf, "\xf0\x9f\x98\x80");
	assert_int_equal(pki_nt_hash(buf, h), 0);
	fill(buf, "a", 255);
	strcat(buf, "\xf0\x9f\x98\x80");
	assert_int_equal(pki_nt_hash(buf, h), -1);
}

static void
test_invalid_utf8(void **state)
{
	static const char *bad[] = {
		"\x80",				/* stray continuation */
		"ab\xbf",			/* stray continuation */
		"\xc3",				/* truncated 2-byte */
		"\xe2\x82",			/* truncated 3-byte */
		"\xf0\x9f\x98",			/* truncated 4-byte */
		"\xc3(",			/* bad continuation */
		"\xe2(\xa1",			/* bad continuation */
		"\xc0\xaf",			/* overlong '/' */
		"\xc1\xbf",			/* overlong */
		"\xe0\x80\xaf",			/* overlong '/' */
		"\xe0\x9f\xbf",			/* overlong U+07FF */
		"\xf0\x80\x80\xaf",		/* overlong '/' */
		"\xf0\x8f\xbf\xbf",		/* overlong U+FFFF */
		"\xed\xa0\x80",			/* U+D800, high surrogate */
		"\xed\xbf\xbf",			/* U+DFFF, low surrogate */
		"\xed\xa0\xbd\xed\xb8\x80",	/* CESU-8 pair */
		"\xf4\x90\x80\x80",		/* U+110000 */
		"\xf5\x80\x80\x80",		/* lead byte above F4 */
		"\xf8\x88\x80\x80\x80",		/* old 5-byte form */
		"\xfe",
		"\xff",
	};
	uint8_t h[16];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pki_nt_hash(bad[i], h) != -1)
			fail_msg("accepted invalid UTF-8 #%zu", i);
	}
	/* The edges that are valid. */
	assert_int_equal(pki_nt_hash("\xc2\x80", h), 0);	/* U+0080 */
	assert_int_equal(pki_nt_hash("\xed\x9f\xbf", h), 0);	/* U+D7FF */
	assert_int_equal(pki_nt_hash("\xee\x80\x80", h), 0);	/* U+E000 */
	assert_int_equal(pki_nt_hash("\xef\xbf\xbf", h), 0);	/* U+FFFF */
	assert_int_equal(pki_nt_hash("\xf4\x8f\xbf\xbf", h), 0); /* U+10FFFF */
	assert_int_equal(pki_nt_hash(NULL, h), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2759_vector),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_non_ascii),
		cmocka_unit_test(test_surrogate_pair),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_invalid_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
