/*
 * pki — everything that holds or handles key material: sealing secrets at
 * rest, password hashing, the NT hash for EAP-MSCHAPv2, and (later) all
 * X.509 / PKCS#12 work through OpenSSL.  This is the one header other
 * folders include.
 */
#ifndef IKEGW_PKI_H
#define IKEGW_PKI_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------ randomness */

/* Fills buf from the OS CSPRNG (getrandom); aborts if that is impossible. */
void	 pki_random(void *buf, size_t len);
/* len random bytes as lowercase hex into out (2*len+1 bytes). */
void	 pki_random_hex(char *out, size_t len);
/* A random password of n characters from an unambiguous alphabet, NUL-terminated
   into out (n+1 bytes). */
void	 pki_random_password(char *out, size_t n);

/* ------------------------------------------------------------ secrets at rest */

#define PKI_SECRET_KEY_LEN 32

/*
 * The secret key file (var/secret.key): 32 random bytes, created with
 * open(O_CREAT|O_EXCL, 0600) when absent and create is set (written to a
 * temporary file in the same folder, then linked into place, so no process
 * ever reads a partial key; concurrent creators all end up with the one
 * winner's key).  Refuses a symlink, and a file that is not a regular file
 * of exactly 32 bytes or that is accessible to group/others.  Returns 0, or
 * -1 with a message naming the path in err (err may be NULL) and key zeroed.
 */
int	 pki_secret_key_load(const char *path, int create,
    uint8_t key[PKI_SECRET_KEY_LEN], char *err, size_t errlen);

/*
 * Seal: AES-256-GCM under key, random 96-bit nonce, with aad (a label that
 * binds the blob to its place, e.g. "user-nt-hash:alice") authenticated but
 * not stored; its bytes without the NUL are used, and NULL is "".  Blob
 * layout: 0x01 | nonce[12] | ciphertext | tag[16], so *outlen is len + 29.
 * *out is malloc'ed (caller frees); returns 0 or -1.
 */
int	 pki_seal(const uint8_t key[PKI_SECRET_KEY_LEN], const char *aad,
    const void *plain, size_t len, uint8_t **out, size_t *outlen);
/*
 * Unseal: returns 0 with *out malloc'ed (caller wipes and frees), or -1 if
 * the blob is malformed, was sealed under another key or aad, or was
 * altered.  Nothing is returned for a blob that fails authentication.
 */
int	 pki_unseal(const uint8_t key[PKI_SECRET_KEY_LEN], const char *aad,
    const uint8_t *blob, size_t bloblen, uint8_t **out, size_t *outlen);

/* ------------------------------------------------------------ passwords */

/*
 * Hashes a login password with yescrypt (libcrypt crypt_r, prefix "$y$",
 * salt from crypt_gensalt_rn).  Writes the hash string into out (128 bytes
 * is ample).  The empty password is hashed like any other (refusing it is
 * the caller's policy); passwords of 512 bytes or more fail.  0 or -1.
 */
int	 pki_password_hash(const char *password, char *out, size_t outlen);
/*
 * 1 when password matches hash (constant-time compare), 0 otherwise,
 * including for a NULL, empty, malformed or non-yescrypt stored hash.
 */
int	 pki_password_verify(const char *password, const char *hash);

/*
 * NT hash for EAP-MSCHAPv2 (RFC 2759 NtPasswordHash): MD4 of the password in
 * UTF-16LE.  password is UTF-8; invalid UTF-8 or a password longer than 256
 * characters returns -1.  MD4 comes from OpenSSL's legacy provider when the
 * default one lacks it.
 */
int	 pki_nt_hash(const char *password, uint8_t out[16]);

/* Constant-time comparison: 1 when equal. */
int	 pki_equal(const void *, const void *, size_t);

/* SHA-256 of data as lowercase hex (65 bytes). For token storage. */
void	 pki_sha256_hex(const void *data, size_t len, char out[65]);

#endif
