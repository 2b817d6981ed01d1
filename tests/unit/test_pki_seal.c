/*
 * Tests for the secret key file, pki_seal / pki_unseal, and the small pki
 * helpers (pki_random_hex, pki_sha256_hex, pki_equal).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pki/pki.h"

#define OVERHEAD (1 + 12 + 16)

static const uint8_t key1[PKI_SECRET_KEY_LEN] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

/* ------------------------------------------------------------ sealing */

static void
round_trip(size_t len)
{
	uint8_t *plain, *blob, *back;
	size_t bloblen, backlen;

	plain = malloc(len > 0 ? len : 1);
	assert_non_null(plain);
	pki_random(plain, len);
	assert_int_equal(pki_seal(key1, "label", plain, len, &blob, &bloblen),
	    0);
	assert_int_equal(bloblen, len + OVERHEAD);
	assert_int_equal(blob[0], 0x01);
	assert_int_equal(pki_unseal(key1, "label", blob, bloblen, &back,
	    &backlen), 0);
	assert_non_null(back);
	assert_int_equal(backlen, len);
	if (len > 0)
		assert_memory_equal(back, plain, len);
	free(back);
	free(blob);
	free(plain);
}

static void
test_round_trip(void **state)
{
	static const size_t lens[] = {
		0, 1, 15, 16, 17, 31, 32, 33, 100, 4096, 65537, 1 << 20,
	};
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		round_trip(lens[i]);
}

/* A NULL aad is the empty label. */
static void
test_null_aad(void **state)
{
	uint8_t *blob, *back;
	size_t bloblen, backlen;

	assert_int_equal(pki_seal(key1, NULL, "x", 1, &blob, &bloblen), 0);
	assert_int_equal(pki_unseal(key1, "", blob, bloblen, &back,
	    &backlen), 0);
	free(back);
	assert_int_equal(pki_unseal(key1, NULL, blob, bloblen, &back,
	    &backlen), 0);
	free(back);
	assert_int_equal(pki_unseal(key1, "x", blob, bloblen, &back,
	    &backlen), -1);
	free(blob);
}

/* Unseal must fail and hand back nothing. */
static void
expect_unseal_fails(const uint8_t *key, const char *aad, const uint8_t *blob,
    size_t bloblen)
{
	uint8_t *back = (uint8_t *)"sentinel";
	size_t backlen = 99;

	assert_int_equal(pki_unseal(key, aad, blob, bloblen, &back, &backlen),
	    -1);
	assert_null(back);
	assert_int_equal(backlen, 0);
}

/*
 * Flip one bit in every byte in turn: the version byte, each nonce byte,
 * each ciphertext byte and each tag byte.  Every change must be caught.
 */
static void
test_tamper(void **state)
{
	const char msg[] = "the NT hash of alice, say";
	uint8_t *blob, *copy;
	size_t bloblen, i;
	int bit;

	assert_int_equal(pki_seal(key1, "user-nt-hash:alice", msg,
	    sizeof(msg), &blob, &bloblen), 0);
	copy = malloc(bloblen);
	assert_non_null(copy);
	for (i = 0; i < bloblen; i++) {
		for (bit = 0; bit < 8; bit += 7) {
			memcpy(copy, blob, bloblen);
			copy[i] ^= (uint8_t)(1 << bit);
			expect_unseal_fails(key1, "user-nt-hash:alice", copy,
			    bloblen);
		}
	}
	/* A version byte we do not know, even with a valid rest. */
	memcpy(copy, blob, bloblen);
	copy[0] = 0x02;
	expect_unseal_fails(key1, "user-nt-hash:alice", copy, bloblen);
	free(copy);
	free(blob);
}

static void
test_wrong_aad(void **state)
{
	uint8_t *blob;
	size_t bloblen;

	assert_int_equal(pki_seal(key1, "user-nt-hash:alice", "secret", 6,
	    &blob, &bloblen), 0);
	expect_unseal_fails(key1, "user-nt-hash:bob", blob, bloblen);
	expect_unseal_fails(key1, "user-nt-hash:alic", blob, bloblen);
	expect_unseal_fails(key1, "user-nt-hash:alice ", blob, bloblen);
	expect_unseal_fails(key1, "", blob, bloblen);
	expect_unseal_fails(key1, NULL, blob, bloblen);
	free(blob);
}

static void
test_wrong_key(void **state)
{
	uint8_t key2[PKI_SECRET_KEY_LEN];
	uint8_t *blob;
	size_t bloblen;

	assert_int_equal(pki_seal(key1, "a", "secret", 6, &blob, &bloblen), 0);
	memcpy(key2, key1, sizeof(key2));
	key2[31] ^= 0x80;
	expect_unseal_fails(key2, "a", blob, bloblen);
	pki_random(key2, sizeof(key2));
	expect_unseal_fails(key2, "a", blob, bloblen);
	free(blob);
}

static void
test_truncated(void **state)
{
	uint8_t *blob, *longer;
	size_t bloblen, n;

	assert_int_equal(pki_seal(key1, "a", "0123456789", 10, &blob,
	    &bloblen), 0);
	for (n = 0; n < bloblen; n++)
		expect_unseal_fails(key1, "a", blob, n);
	expect_unseal_fails(key1, "a", NULL, 0);
	/* One byte too many is as wrong as one too few. */
	longer = malloc(bloblen + 1);
	assert_non_null(longer);
	memcpy(longer, blob, bloblen);
	longer[bloblen] = 0;
	expect_unseal_fails(key1, "a", longer, bloblen + 1);
	free(longer);
	free(blob);
}

static void
test_nonce_random(void **state)
{
	uint8_t *a, *b;
	size_t alen, blen;

	assert_int_equal(pki_seal(key1, "a", "same", 4, &a, &alen), 0);
	assert_int_equal(pki_seal(key1, "a", "same", 4, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_not_equal(a + 1, b + 1, 12);
	assert_memory_not_equal(a, b, alen);
	free(a);
	free(b);
}

/* ------------------------------------------------------------ key file */

struct tmp {
	char dir[64];
	char path[128];
};

static int
setup_tmp(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	const char *base = getenv("TMPDIR");

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/ikegw-test-XXXXXX",
	    base != NULL && strlen(base) < 30 ? base : "/tmp");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/secret.key", t->dir);
	umask(022);
	*state = t;
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Everything the tests put in the directory is removed with it. */
static int
teardown_tmp(void **state)
{
	struct tmp *t = *state;
	int rc;

	rc = nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return rc;
}

/* Entries in dir other than . and .. */
static int
count_entries(const char *dir)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	FILE *f;

	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_key_create_load(void **state)
{
	struct tmp *t = *state;
	uint8_t k1[PKI_SECRET_KEY_LEN], k2[PKI_SECRET_KEY_LEN];
	uint8_t zero[PKI_SECRET_KEY_LEN] = { 0 };
	char err[256];
	struct stat st;

	assert_int_equal(pki_secret_key_load(t->path, 1, k1, err,
	    sizeof(err)), 0);
	assert_int_equal(lstat(t->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, PKI_SECRET_KEY_LEN);
	assert_int_equal(st.st_nlink, 1);	/* temporary name is gone */
	assert_int_equal(count_entries(t->dir), 1);
	assert_memory_not_equal(k1, zero, sizeof(k1));

	/* Loaded back, with or without create, it is the same key. */
	assert_int_equal(pki_secret_key_load(t->path, 0, k2, err,
	    sizeof(err)), 0);
	assert_memory_equal(k1, k2, sizeof(k1));
	assert_int_equal(pki_secret_key_load(t->path, 1, k2, err,
	    sizeof(err)), 0);
	assert_memory_equal(k1, k2, sizeof(k1));
}

static void
test_key_absent(void **state)
{
	struct tmp *t = *state;
	uint8_t k[PKI_SECRET_KEY_LEN];
	char err[256];
	struct stat st;

	err[0] = '\0';
	assert_int_equal(pki_secret_key_load(t->path, 0, k, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, t->path));
	assert_int_equal(stat(t->path, &st), -1);	/* not created */
	/* NULL err is allowed. */
	assert_int_equal(pki_secret_key_load(t->path, 0, k, NULL, 0), -1);
}

static void
test_key_too_open(void **state)
{
	struct tmp *t = *state;
	uint8_t k[PKI_SECRET_KEY_LEN];
	char err[256], want[256];
	const mode_t modes[] = { 0644, 0640, 0604, 0660, 0601, 0610 };
	size_t i;

	pki_random(k, sizeof(k));
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		write_file(t->path, k, sizeof(k), modes[i]);
		err[0] = '\0';
		assert_int_equal(pki_secret_key_load(t->path, 1, k, err,
		    sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: permissions %04o are too "
		    "open; expected 0600", t->path, (unsigned)modes[i]);
		assert_string_equal(err, want);
	}
	/* 0400 is fine. */
	write_file(t->path, k, sizeof(k), 0400);
	assert_int_equal(pki_secret_key_load(t->path, 0, k, err, sizeof(err)),
	    0);
}

static void
test_key_wrong_size(void **state)
{
	struct tmp *t = *state;
	uint8_t k[PKI_SECRET_KEY_LEN + 1];
	char err[256];
	const size_t sizes[] = { 0, 1, PKI_SECRET_KEY_LEN - 1,
	    PKI_SECRET_KEY_LEN + 1 };
	size_t i;

	memset(k, 0x5a, sizeof(k));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unlink(t->path);
		write_file(t->path, k, sizes[i], 0600);
		err[0] = '\0';
		assert_int_equal(pki_secret_key_load(t->path, 1, k, err,
		    sizeof(err)), -1);
		assert_non_null(strstr(err, t->path));
		assert_non_null(strstr(err, "size"));
		/* Refused, not replaced. */
		{
			struct stat st;

			assert_int_equal(stat(t->path, &st), 0);
			assert_int_equal(st.st_size, sizes[i]);
		}
	}
}

static void
test_key_symlink(void **state)
{
	struct tmp *t = *state;
	uint8_t k[PKI_SECRET_KEY_LEN];
	char err[256], real[160];

	/* A link to a perfectly good key file is refused... */
	snprintf(real, sizeof(real), "%s/real.key", t->dir);
	pki_random(k, sizeof(k));
	write_file(real, k, sizeof(k), 0600);
	assert_int_equal(symlink(real, t->path), 0);
	err[0] = '\0';
	assert_int_equal(pki_secret_key_load(t->path, 1, k, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, t->path));
	assert_non_null(strstr(err, "symbolic link"));

	/* ...and so is a dangling one, which is not followed to create. */
	unlink(t->path);
	unlink(real);
	assert_int_equal(symlink(real, t->path), 0);
	assert_int_equal(pki_secret_key_load(t->path, 1, k, err, sizeof(err)),
	    -1);
	assert_int_equal(access(real, F_OK), -1);
}

static void
test_key_not_regular(void **state)
{
	struct tmp *t = *state;
	uint8_t k[PKI_SECRET_KEY_LEN];
	char err[256];

	assert_int_equal(mkdir(t->path, 0700), 0);
	assert_int_equal(pki_secret_key_load(t->path, 1, k, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "not a regular file"));
	rmdir(t->path);

	/* A FIFO must not hang the loader. */
	assert_int_equal(mkfifo(t->path, 0600), 0);
	assert_int_equal(pki_secret_key_load(t->path, 1, k, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "not a regular file"));
}

/*
 * Several processes start at once on a missing key file: every one must
 * come away with the same key, none with an error.
 */
static void
test_key_create_race(void **state)
{
	struct tmp *t = *state;
	enum { NPROC = 8 };
	uint8_t keys[NPROC][PKI_SECRET_KEY_LEN];
	int fds[NPROC][2];
	pid_t pids[NPROC];
	int i, status;

	for (i = 0; i < NPROC; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] != -1);
		if (pids[i] == 0) {
			uint8_t k[PKI_SECRET_KEY_LEN];
			char err[256];

			close(fds[i][0]);
			if (pki_secret_key_load(t->path, 1, k, err,
			    sizeof(err)) != 0)
				_exit(1);
			if (write(fds[i][1], k, sizeof(k)) != sizeof(k))
				_exit(2);
			_exit(0);
		}
		close(fds[i][1]);
	}
	for (i = 0; i < NPROC; i++) {
		assert_int_equal(read(fds[i][0], keys[i], PKI_SECRET_KEY_LEN),
		    PKI_SECRET_KEY_LEN);
		close(fds[i][0]);
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_memory_equal(keys[i], keys[0], PKI_SECRET_KEY_LEN);
	}
	/* The losers' temporary files are gone too. */
	assert_int_equal(count_entries(t->dir), 1);
}

/* ------------------------------------------------------------ helpers */

/* FIPS 180-2 appendix B.1 and the empty string. */
static void
test_sha256_hex(void **state)
{
	char out[65];

	pki_sha256_hex("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	pki_sha256_hex("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

static void
test_equal(void **state)
{
	assert_int_equal(pki_equal("abcd", "abcd", 4), 1);
	assert_int_equal(pki_equal("abcd", "abce", 4), 0);
	assert_int_equal(pki_equal("xbcd", "abcd", 4), 0);
	assert_int_equal(pki_equal("abcd", "abce", 3), 1);
	assert_int_equal(pki_equal("", "", 0), 1);
}

static void
test_random_hex(void **state)
{
	char a[2 * 100 + 1], b[2 * 100 + 1];
	size_t i;

	memset(a, '#', sizeof(a));
	pki_random_hex(a, 0);
	assert_string_equal(a, "");
	pki_random_hex(a, 100);
	assert_int_equal(strlen(a), 200);
	for (i = 0; i < 200; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	pki_random_hex(b, 100);
	assert_string_not_equal(a, b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_null_aad),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_wrong_aad),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_nonce_random),
		cmocka_unit_test_setup_teardown(test_key_create_load,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_key_absent,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_key_too_open,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_key_wrong_size,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_key_symlink,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_key_not_regular,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_key_create_race,
		    setup_tmp, teardown_tmp),
		cmocka_unit_test(test_sha256_hex),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_random_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
