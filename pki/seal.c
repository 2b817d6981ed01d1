/*
 * seal — the secret key file and AES-256-GCM sealing of secrets at rest
 * (NT hashes, private keys in the database); see pki.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "pki/pki.h"

#define SEAL_VERSION	0x01
#define SEAL_NONCE_LEN	12
#define SEAL_TAG_LEN	16
#define SEAL_OVERHEAD	(1 + SEAL_NONCE_LEN + SEAL_TAG_LEN)

/* EVP takes int lengths; longer inputs go through in pieces of this size. */
#define SEAL_CHUNK	((size_t)1 << 30)

/* Results of the two halves of pki_secret_key_load. */
#define KEY_OK		0
#define KEY_ERROR	(-1)
#define KEY_ABSENT	1	/* key_read: no file there */
#define KEY_LOST_RACE	1	/* key_create: another process made it first */

static void seterr(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Opens and checks the key file and reads the key.  O_NOFOLLOW refuses a
 * symlink planted in place of the file; O_NONBLOCK keeps a FIFO planted
 * there from hanging us (it is then refused as not a regular file).  The
 * checks are made on the open descriptor, so nothing can be swapped in
 * between check and read.
 */
static int
key_read(const char *path, uint8_t key[PKI_SECRET_KEY_LEN], char *err,
    size_t errlen)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd, rc = KEY_ERROR;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return KEY_ABSENT;
		if (errno == ELOOP)
			seterr(err, errlen, "%s: is a symbolic link; refusing "
			    "to follow it", path);
		else
			seterr(err, errlen, "%s: %s", path, strerror(errno));
		return KEY_ERROR;
	}
	if (fstat(fd, &st) == -1) {
		seterr(err, errlen, "%s: fstat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		seterr(err, errlen, "%s: permissions %04o are too open; "
		    "expected 0600", path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size != PKI_SECRET_KEY_LEN) {
		seterr(err, errlen, "%s: size is %lld bytes; expected %d", path,
		    (long long)st.st_size, PKI_SECRET_KEY_LEN);
		goto out;
	}
	while (got < PKI_SECRET_KEY_LEN) {
		n = read(fd, key + got, PKI_SECRET_KEY_LEN - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			seterr(err, errlen, "%s: read: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0) {
			seterr(err, errlen, "%s: short read", path);
			goto out;
		}
		got += (size_t)n;
	}
	rc = KEY_OK;
out:
	close(fd);
	if (rc != KEY_OK)
		explicit_bzero(key, PKI_SECRET_KEY_LEN);
	return rc;
}

/* fsync the directory holding path, so a new entry in it survives a crash. */
static int
fsync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc = -1;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd != -1) {
		if (fsync(fd) == 0)
			rc = 0;
		close(fd);
	}
	free(dir);
	return rc;
}

/*
 * Makes a new key file holding a new key.  The key is written to a private
 * temporary file (created 0600 with O_EXCL, never chmod'ed), fsync'ed, and
 * then link(2)ed to path.  Unlike creating path itself with O_EXCL and
 * writing into it, this never shows a reader an empty or half-written key
 * file: a process that loses the race sees the complete winner's file, and
 * a crash mid-write leaves a stray temporary file rather than a truncated
 * key that would be refused at every later start.  link, unlike rename,
 * fails with EEXIST instead of replacing a key someone else just made.
 */
static int
key_create(const char *path, uint8_t key[PKI_SECRET_KEY_LEN], char *err,
    size_t errlen)
{
	char rnd[9], *tmp = NULL;
	size_t done = 0, tmplen;
	ssize_t n;
	int fd = -1, rc = KEY_ERROR, created = 0, linked = 0, closed;

	pki_random_hex(rnd, 4);
	tmplen = strlen(path) + 64;
	if ((tmp = malloc(tmplen)) == NULL) {
		seterr(err, errlen, "%s: out of memory", path);
		return KEY_ERROR;
	}
	snprintf(tmp, tmplen, "%s.tmp.%ld.%s", path, (long)getpid(), rnd);

	fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		seterr(err, errlen, "%s: cannot create %s: %s", path, tmp,
		    strerror(errno));
		goto out;
	}
	created = 1;
	pki_random(key, PKI_SECRET_KEY_LEN);
	while (done < PKI_SECRET_KEY_LEN) {
		n = write(fd, key + done, PKI_SECRET_KEY_LEN - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			seterr(err, errlen, "%s: write %s: %s", path, tmp,
			    n == 0 ? "no progress" : strerror(errno));
			goto out;
		}
		done += (size_t)n;
	}
	if (fsync(fd) == -1) {
		seterr(err, errlen, "%s: fsync %s: %s", path, tmp,
		    strerror(errno));
		goto out;
	}
	closed = close(fd);
	fd = -1;
	if (closed == -1) {
		seterr(err, errlen, "%s: close %s: %s", path, tmp,
		    strerror(errno));
		goto out;
	}
	if (link(tmp, path) == -1) {
		if (errno == EEXIST)
			rc = KEY_LOST_RACE;
		else
			seterr(err, errlen, "%s: link from %s: %s", path, tmp,
			    strerror(errno));
		goto out;
	}
	linked = 1;
	rc = KEY_OK;
out:
	if (fd != -1)
		close(fd);
	if (created)
		unlink(tmp);	/* the key, if linked, lives on under path */
	/*
	 * Sealed data is lost with the key, so the new name must outlive a
	 * crash; the next start would otherwise make a fresh key.
	 */
	if (linked && fsync_parent(path) == -1) {
		seterr(err, errlen, "%s: fsync of its directory failed", path);
		rc = KEY_ERROR;
	}
	if (rc != KEY_OK)
		explicit_bzero(key, PKI_SECRET_KEY_LEN);
	free(tmp);
	return rc;
}

/*
 * Loads path, creating it first if it is absent and create is set.  Errors
 * name the path.  On failure key is zeroed.
 */
int
pki_secret_key_load(const char *path, int create,
    uint8_t key[PKI_SECRET_KEY_LEN], char *err, size_t errlen)
{
	int rc;

	rc = key_read(path, key, err, errlen);
	if (rc != KEY_ABSENT)
		return rc;
	if (!create) {
		seterr(err, errlen, "%s: does not exist", path);
		return KEY_ERROR;
	}
	rc = key_create(path, key, err, errlen);
	if (rc != KEY_LOST_RACE)
		return rc;
	/* Another process created it between our read and our link. */
	rc = key_read(path, key, err, errlen);
	if (rc == KEY_ABSENT) {
		seterr(err, errlen, "%s: vanished while being created", path);
		rc = KEY_ERROR;
	}
	return rc;
}

/* Runs len bytes through the cipher; GCM output is as long as its input. */
static int
gcm_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
	size_t c;
	int n;

	while (len > 0) {
		c = len < SEAL_CHUNK ? len : SEAL_CHUNK;
		n = 0;
		if (EVP_CipherUpdate(ctx, out, &n, in, (int)c) != 1 ||
		    n != (int)c)
			return -1;
		out += c;
		in += c;
		len -= c;
	}
	return 0;
}

/*
 * Sets up ctx for AES-256-GCM in direction enc with key and nonce, and
 * feeds it the aad bytes (without the NUL; NULL is the empty string).
 */
static int
gcm_start(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *key,
    const uint8_t *nonce, const char *aad)
{
	size_t aadlen = aad != NULL ? strlen(aad) : 0;
	int n;

	if (aadlen > INT_MAX)
		return -1;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN,
	    NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
		return -1;
	if (aadlen > 0 && EVP_CipherUpdate(ctx, NULL, &n,
	    (const unsigned char *)aad, (int)aadlen) != 1)
		return -1;
	return 0;
}

/*
 * Nonces are random: with 96 bits, NIST SP 800-38D 8.3 allows 2^32 seals
 * under one key, far beyond what a gateway's database will ever hold.
 */
int
pki_seal(const uint8_t key[PKI_SECRET_KEY_LEN], const char *aad,
    const void *plain, size_t len, uint8_t **out, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t *blob = NULL, *nonce, *ct, *tag;
	int n, rc = -1;

	*out = NULL;
	*outlen = 0;
	if (len > SIZE_MAX - SEAL_OVERHEAD)
		return -1;
	if ((blob = malloc(len + SEAL_OVERHEAD)) == NULL)
		return -1;
	nonce = blob + 1;
	ct = nonce + SEAL_NONCE_LEN;
	tag = ct + len;

	blob[0] = SEAL_VERSION;
	pki_random(nonce, SEAL_NONCE_LEN);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    gcm_start(ctx, 1, key, nonce, aad) == -1 ||
	    gcm_update(ctx, ct, plain, len) == -1)
		goto out;
	n = 0;
	if (EVP_CipherFinal_ex(ctx, tag, &n) != 1 || n != 0 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN,
	    tag) != 1)
		goto out;
	*out = blob;
	*outlen = len + SEAL_OVERHEAD;
	blob = NULL;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);	/* cleanses the key schedule */
	free(blob);
	return rc;
}

/*
 * The plaintext is decrypted into a private buffer and handed out only
 * after the tag checks; on any failure that buffer is wiped and freed.
 */
int
pki_unseal(const uint8_t key[PKI_SECRET_KEY_LEN], const char *aad,
    const uint8_t *blob, size_t bloblen, uint8_t **out, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t tag[SEAL_TAG_LEN], *plain = NULL;
	const uint8_t *nonce, *ct;
	size_t ctlen = 0;
	int n, rc = -1;

	*out = NULL;
	*outlen = 0;
	if (blob == NULL || bloblen < SEAL_OVERHEAD || blob[0] != SEAL_VERSION)
		return -1;
	nonce = blob + 1;
	ct = nonce + SEAL_NONCE_LEN;
	ctlen = bloblen - SEAL_OVERHEAD;
	/* A copy, as the SET_TAG control takes a non-const pointer. */
	memcpy(tag, ct + ctlen, SEAL_TAG_LEN);

	if ((plain = malloc(ctlen > 0 ? ctlen : 1)) == NULL)
		goto out;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    gcm_start(ctx, 0, key, nonce, aad) == -1 ||
	    gcm_update(ctx, plain, ct, ctlen) == -1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN,
	    tag) != 1)
		goto out;
	n = 0;
	if (EVP_CipherFinal_ex(ctx, plain + ctlen, &n) != 1 || n != 0)
		goto out;
	*out = plain;
	*outlen = ctlen;
	plain = NULL;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (plain != NULL) {
		explicit_bzero(plain, ctlen);
		free(plain);
	}
	return rc;
}
