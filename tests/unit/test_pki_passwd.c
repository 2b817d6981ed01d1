/* Tests for pki_password_hash / pki_password_verify and random passwords. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pki/pki.h"

#define HASHLEN 256

static void
test_hash_format(void **state)
{
	char h[HASHLEN];

	assert_int_equal(pki_password_hash("correct horse", h, sizeof(h)), 0);
	assert_memory_equal(h, "$y$", 3);
	assert_true(strlen(h) < 128);	/* pki.h promises 128 is ample */
	/* $y$ params $ salt $ hash: four '$' in all. */
	assert_non_null(strchr(h + 3, '$'));
	assert_non_null(strrchr(h, '$'));
	assert_true(strrchr(h, '$') > strchr(h + 3, '$'));
}

static void
test_verify(void **state)
{
	char h[HASHLEN];

	assert_int_equal(pki_password_hash("correct horse", h, sizeof(h)), 0);
	assert_int_equal(pki_password_verify("correct horse", h), 1);
	assert_int_equal(pki_password_verify("correct hors", h), 0);
	assert_int_equal(pki_password_verify("correct horse ", h), 0);
	assert_int_equal(pki_password_verify("Correct horse", h), 0);
	assert_int_equal(pki_password_verify("", h), 0);
	assert_int_equal(pki_password_verify(NULL, h), 0);

	/* Non-ASCII passwords go through as bytes. */
	assert_int_equal(pki_password_hash("p\xc3\xa4ss", h, sizeof(h)), 0);
	assert_int_equal(pki_password_verify("p\xc3\xa4ss", h), 1);
	assert_int_equal(pki_password_verify("pass", h), 0);
}

static void
test_salted(void **state)
{
	char a[HASHLEN], b[HASHLEN];

	assert_int_equal(pki_password_hash("same", a, sizeof(a)), 0);
	assert_int_equal(pki_password_hash("same", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(pki_password_verify("same", a), 1);
	assert_int_equal(pki_password_verify("same", b), 1);
}

/* Empty passwords hash and verify; refusing them is the caller's policy. */
static void
test_empty_password(void **state)
{
	char h[HASHLEN];

	assert_int_equal(pki_password_hash("", h, sizeof(h)), 0);
	assert_int_equal(pki_password_verify("", h), 1);
	assert_int_equal(pki_password_verify("x", h), 0);
}

static void
test_bad_stored_hash(void **state)
{
	static const char *bad[] = {
		"",
		"*",
		"*0",
		"*1",
		"!",
		"$",
		"$y$",
		"$y$$",
		"$y$j9T$",
		"$y$j9T$$",
		"$y$zzzzzzzzzzzzzzzzzzzzzzzzz$abc$def",
		"garbage",
		"ab",		/* would be a DES salt */
		"abgOeLfPimXQo",	/* DES crypt of "test", salt "ab": refused */
		"$1$salt$",	/* MD5-crypt: not accepted */
		"$6$salt$",	/* SHA-512-crypt: not accepted */
	};
	char h[HASHLEN];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pki_password_verify("", bad[i]) != 0 ||
		    pki_password_verify("test", bad[i]) != 0)
			fail_msg("stored hash #%zu (\"%s\") matched", i, bad[i]);
	}
	assert_int_equal(pki_password_verify("test", NULL), 0);

	/* A valid hash cut short or with a byte changed does not match. */
	assert_int_equal(pki_password_hash("test", h, sizeof(h)), 0);
	h[strlen(h) - 1] = h[strlen(h) - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(pki_password_verify("test", h), 0);
	h[strlen(h) - 1] = '\0';
	assert_int_equal(pki_password_verify("test", h), 0);
}

static void
test_small_buffer(void **state)
{
	char h[HASHLEN];

	assert_int_equal(pki_password_hash("pw", h, 10), -1);
	assert_int_equal(pki_password_hash("pw", h, 0), -1);
	assert_int_equal(pki_password_hash(NULL, h, sizeof(h)), -1);
}

/* libxcrypt refuses passphrases of 512 bytes or more (pki/passwd.c). */
static void
test_long_password(void **state)
{
	char pw[600], h[HASHLEN];

	memset(pw, 'x', 511);
	pw[511] = '\0';
	assert_int_equal(pki_password_hash(pw, h, sizeof(h)), 0);
	assert_int_equal(pki_password_verify(pw, h), 1);
	memset(pw, 'x', 599);
	pw[599] = '\0';
	assert_int_equal(pki_password_hash(pw, h, sizeof(h)), -1);
}

static void
test_random_password(void **state)
{
	static const char confusable[] = "0O1lI";
	char pw[1001];
	size_t i, n;

	for (n = 0; n < 40; n++) {
		memset(pw, '#', sizeof(pw));
		pki_random_password(pw, n);
		assert_int_equal(strlen(pw), n);
	}
	pki_random_password(pw, 1000);
	assert_int_equal(strlen(pw), 1000);
	for (i = 0; i < 1000; i++) {
		assert_true((pw[i] >= '0' && pw[i] <= '9') ||
		    (pw[i] >= 'a' && pw[i] <= 'z') ||
		    (pw[i] >= 'A' && pw[i] <= 'Z'));
		assert_null(strchr(confusable, pw[i]));
	}
}

/*
 * Every one of the 57 characters turns up and none dominates: 57000 draws,
 * 1000 expected each; the bounds are more than 9 standard deviations
 * (about 31) out, so a correct generator does not fail this by chance.
 */
static void
test_random_password_spread(void **state)
{
	static char pw[57001];
	unsigned count[256] = { 0 };
	size_t i, seen = 0;

	pki_random_password(pw, 57000);
	for (i = 0; i < 57000; i++)
		count[(unsigned char)pw[i]]++;
	for (i = 0; i < 256; i++) {
		if (count[i] == 0)
			continue;
		seen++;
		assert_in_range(count[i], 700, 1300);
	}
	assert_int_equal(seen, 57);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_format),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_salted),
		cmocka_unit_test(test_empty_password),
		cmocka_unit_test(test_bad_stored_hash),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_long_password),
		cmocka_unit_test(test_random_password),
		cmocka_unit_test(test_random_password_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
