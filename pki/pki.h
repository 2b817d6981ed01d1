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

/* ================================================================ X.509 certificate manager
 *
 * CAs, server and user certificates, CSRs, CRLs, PKCS#12 and key export,
 * all through OpenSSL 3 in process (pki/x509.c, name.c, import.c, info.c,
 * ca.c, cert.c, csr.c, crl.c, p12.c, fetch.c).  No OpenSSL type crosses this
 * header: things go in and out as PEM text or DER bytes, details as jansson
 * objects.  Conventions for every function below:
 *
 *  - returns 0 on success, or -1 with a message for the administrator in
 *    err (errlen bytes, always NUL-terminated when errlen > 0);
 *  - char ** and uint8_t ** results are malloc'ed and set only on success;
 *    the caller frees them with pki_pem_free() / pki_der_free(), which wipe
 *    first, since any of them may hold a private key;
 *  - private keys come out as unencrypted PKCS#8 PEM, for the caller to
 *    seal (pki_seal) before storing, and go back in the same way;
 *  - "buf, len" inputs are untrusted bytes, PEM or DER, parsed by the one
 *    importer (pki_import); PEM text inputs (const char *) are what this
 *    library produced earlier and the caller stored;
 *  - warnings (struct pki_warn, may be NULL) are things to show, not errors:
 *    the operation has succeeded when they are set.
 *
 * RSA keys below 2048 bits are refused everywhere (created, imported,
 * signed from a CSR).
 */

#include <time.h>

struct json_t;		/* <jansson.h>'s json_t; include it to use the results */

enum pki_keytype {
	PKI_KEY_RSA2048,
	PKI_KEY_RSA3072,
	PKI_KEY_RSA4096,
	PKI_KEY_EC256,		/* ECDSA P-256 */
	PKI_KEY_EC384,
	PKI_KEY_EC521,
};
/* "RSA 2048", "ECDSA P-256", ...; "?" for a value out of range. */
const char	*pki_keytype_name(enum pki_keytype);
/* Form value to enum: "rsa2048" "rsa3072" "rsa4096" "ec256" "ec384" "ec521"
   (also the display names above).  0 or -1. */
int		 pki_keytype_parse(const char *s, enum pki_keytype *out);

enum pki_digest { PKI_MD_SHA256, PKI_MD_SHA384, PKI_MD_SHA512 };
/* "sha256" ... ; pki_digest_parse accepts those (any case). 0 or -1. */
const char	*pki_digest_name(enum pki_digest);
int		 pki_digest_parse(const char *s, enum pki_digest *out);

#define PKI_WARN_MAX	8
#define PKI_WARN_LEN	240
struct pki_warn {
	int	 n;				/* number of messages */
	char	 msg[PKI_WARN_MAX][PKI_WARN_LEN];
};

/*
 * A subject DN as the form gives it.  Strings are borrowed, UTF-8; NULL or
 * "" leaves the attribute out.  Refused: invalid UTF-8, control characters
 * (U+0000-001F, U+007F-009F), more characters than RFC 5280's upper bounds
 * (CN 64, O 64, OU 64, L 128, ST 128), a country that is not an assigned
 * ISO 3166-1 alpha-2 code in capitals, and a missing CN.
 */
struct pki_dn {
	const char	*cn, *c, *st, *l, *o, *ou;
};
int	 pki_dn_check(const struct pki_dn *dn, char *err, size_t errlen);

enum pki_san_type { PKI_SAN_DNS, PKI_SAN_IP, PKI_SAN_EMAIL, PKI_SAN_URI };
/* One subjectAltName as typed in: a host name (ASCII; IDNs in punycode,
   "*." allowed as the first label), an IPv4/IPv6 address in text, an
   e-mail address, or an absolute URI. */
struct pki_san {
	enum pki_san_type	 type;
	const char		*value;		/* borrowed */
};

enum pki_cert_type { PKI_CERT_SERVER, PKI_CERT_USER };

#define PKI_DAYS_CA	3650
#define PKI_DAYS_SERVER	825	/* Apple's limit for TLS/IKE server certificates */
#define PKI_DAYS_USER	365

/*
 * What to issue.  One struct for CAs, certificates, CSRs, signing and
 * renewal; each function says which fields it reads.
 *
 * SAN rule: every IP address is also added as a dNSName holding its text
 * (Windows matches the IP it dials against dNSNames).  The Common Name is
 * added as a SAN when it is an IP address (iPAddress, plus the dNSName copy),
 * else an e-mail address when it contains '@' (rfc822Name), else a host name
 * (letters, digits, '-', dots, optional "*." first label: dNSName); any other
 * CN ("Alice Smith") is not added, with a warning for user certificates, and
 * a server certificate must then have an FQDN or IP among san[].
 */
struct pki_req {
	enum pki_cert_type	 type;		/* certificates only */
	enum pki_keytype	 key;		/* new key's type */
	enum pki_digest		 digest;	/* signature hash */
	int			 days;		/* lifetime; 0 = PKI_DAYS_* default */
	struct pki_dn		 dn;
	const struct pki_san	*san;		/* nsan entries, borrowed */
	size_t			 nsan;
	const char		*serial;	/* hex; NULL = fresh random serial */
	const char		*crl_uri;	/* CRL distribution point; NULL = none */
};

/* ---------------------------------------------------------------- serials */

#define PKI_SERIAL_HEXLEN 33	/* 32 hex digits + NUL */
/*
 * A fresh serial: 128 random bits with the top bit cleared (a positive
 * INTEGER in 16 octets) and never zero, as uppercase hex.  Unique with
 * overwhelming probability; the caller still checks it against the CA's
 * issued serials and passes it in pki_req.serial (or retries).
 */
int	 pki_serial_new(char out[PKI_SERIAL_HEXLEN], char *err, size_t errlen);
/* Canonical form of a serial typed or stored as hex (optional "0x", colons,
   any case): uppercase, no leading zeros.  0 or -1 (not hex, zero, or longer
   than 20 octets). */
int	 pki_serial_norm(const char *in, char *out, size_t outlen,
    char *err, size_t errlen);
/* Numeric comparison of two hex serials (<0, 0, >0); an invalid one sorts
   first. */
int	 pki_serial_cmp(const char *a, const char *b);

/* ---------------------------------------------------------------- keys */

/* New key of the given type as PKCS#8 PEM. */
int	 pki_key_new(enum pki_keytype type, char **key_pem, char *err,
    size_t errlen);
/* Any private key (PEM or DER; PKCS#8, encrypted PKCS#8, PKCS#1, SEC1,
   legacy-encrypted PEM with pass) to unencrypted PKCS#8 PEM.  Wrong or
   missing passphrase, weak RSA, unsupported types: -1. */
int	 pki_key_load(const void *buf, size_t len, const char *pass,
    char **key_pem, char *err, size_t errlen);
/* Key for download: PKCS#8 PEM, encrypted with AES-256-CBC (PBES2, PBKDF2
   with HMAC-SHA256) when pass is non-empty, plain otherwise. */
int	 pki_key_export(const char *key_pem, const char *pass, char **out,
    char *err, size_t errlen);
/* 0 when key_pem is the private half of cert_pem's public key, else -1
   ("the private key does not match the certificate"). */
int	 pki_key_match(const char *cert_pem, const char *key_pem, char *err,
    size_t errlen);

/* ---------------------------------------------------------------- CAs */

/*
 * Creates a CA: new key (req->key), basicConstraints critical CA:TRUE,
 * keyUsage critical keyCertSign+cRLSign, SKI, AKI.  Self-signed root when
 * issuer_cert is NULL; otherwise an intermediate signed by issuer_cert /
 * issuer_key (PEM, borrowed; the issuer must be a CA whose key matches).
 * Reads type-independent fields: key, digest, days (default 3650), dn,
 * serial, crl_uri (intermediates only).  Results: cert and key PEM.
 */
int	 pki_ca_create(const struct pki_req *req, const char *issuer_cert,
    const char *issuer_key, char **cert_pem, char **key_pem,
    struct pki_warn *warn, char *err, size_t errlen);
/*
 * Imports an existing CA: cert (PEM or DER) must carry basicConstraints
 * CA:TRUE and not be expired; key (may be NULL/0: a CA kept only to trust
 * its certificates) may be encrypted with pass and must match.  The key may
 * also be in the cert buffer.  *key_pem is NULL when no key was given.
 */
int	 pki_ca_import(const void *cert, size_t certlen, const void *key,
    size_t keylen, const char *pass, char **cert_pem, char **key_pem,
    struct pki_warn *warn, char *err, size_t errlen);

/* ---------------------------------------------------------------- certificates */

/*
 * Creates a key and a certificate signed by ca_cert/ca_key (PEM, borrowed).
 * Server: EKU serverAuth + iKEIntermediate (1.3.6.1.5.5.8.2.2); user: EKU
 * clientAuth.  keyUsage critical: digitalSignature, plus keyEncipherment for
 * RSA keys (RFC 5480 forbids it for EC keys).  basicConstraints CA:FALSE,
 * SKI, AKI, SANs per the rule at struct pki_req, CRL distribution point when
 * req->crl_uri is set.  Refused: a server certificate without FQDN/IP SAN.
 * Warned: a server lifetime over 825 days (Apple devices reject it), SANs
 * that are all wildcards, a user CN that cannot be a SAN.
 */
int	 pki_cert_create(const struct pki_req *req, const char *ca_cert,
    const char *ca_key, char **cert_pem, char **key_pem,
    struct pki_warn *warn, char *err, size_t errlen);
/*
 * Imports a certificate: buf holds a PEM/DER certificate (optionally with
 * its key and chain in the same PEM text) or a PKCS#12 file whose password
 * is pass; key/keylen (may be NULL/0) a separate key, encrypted with pass.
 * The certificate must not be expired; a key must match it.  Without any
 * key *key_pem is NULL: the caller stores it as a peer certificate (trusted
 * for verifying, never used to sign or authenticate).  *chain_pem (may be
 * NULL when unwanted) gets the other certificates found, or NULL.
 */
int	 pki_cert_import(const void *buf, size_t len, const void *key,
    size_t keylen, const char *pass, char **cert_pem, char **key_pem,
    char **chain_pem, struct pki_warn *warn, char *err, size_t errlen);
/*
 * Renews/reissues cert_pem: same subject and SANs, same kind (CA, server,
 * user as read from the certificate), new serial (req->serial or random) and
 * validity (req->days or the default), signature hash req->digest, CRL URI
 * req->crl_uri.  keep_key: keep the certificate's public key (key_pem may
 * be NULL, e.g. for a certificate signed from a CSR; when given it must
 * match); otherwise a new key of type req->key is made.  *new_key gets the
 * key in use as PKCS#8 PEM, or NULL when it was kept without key_pem.  A
 * self-signed CA renews itself when ca_cert is NULL (key_pem required);
 * anything else is signed by ca_cert/ca_key.
 */
int	 pki_cert_renew(const char *cert_pem, const char *key_pem,
    int keep_key, const struct pki_req *req, const char *ca_cert,
    const char *ca_key, char **new_cert, char **new_key,
    struct pki_warn *warn, char *err, size_t errlen);
/*
 * Details of the first certificate in buf (PEM or DER) as a new JSON object
 * (caller json_decref's): subject, issuer (RFC 4514 strings, most specific
 * first), not_before / not_after (seconds since the epoch) and
 * not_before_iso / not_after_iso ("2025-01-31T12:00:00Z"), key ("RSA 2048"),
 * sha1 / sha256 (colon hex), serial (hex), is_ca, self_signed, san
 * ([{"type":"dns|ip|email|uri|other","value":...}]), eku (names or OIDs),
 * key_usage (names), crl_uris.
 */
int	 pki_cert_info(const void *buf, size_t len, struct json_t **out,
    char *err, size_t errlen);
/* First certificate of buf (PEM or DER) as PEM, and a PEM certificate as
   DER (the CA ".crt" download is the DER form). */
int	 pki_cert_pem(const void *buf, size_t len, char **pem, char *err,
    size_t errlen);
int	 pki_cert_der(const char *pem, uint8_t **der, size_t *derlen,
    char *err, size_t errlen);

/* ---------------------------------------------------------------- CSRs */

/*
 * New key (req->key) and a CSR for it signed with req->digest: subject
 * req->dn, SANs (same rule as certificates) as an extension request.
 */
int	 pki_csr_create(const struct pki_req *req, char **csr_pem,
    char **key_pem, char *err, size_t errlen);
/*
 * Takes the certificate an outside CA signed for a CSR made above: cert
 * (PEM/DER, possibly with its chain) must be for key_pem's key.  *chain_pem
 * (may be NULL) gets the other certificates, or NULL.
 */
int	 pki_csr_accept(const char *key_pem, const void *cert, size_t len,
    char **cert_pem, char **chain_pem, char *err, size_t errlen);
/*
 * Signs an uploaded CSR (PEM or DER) with ca_cert/ca_key after checking the
 * CSR's own signature.  The subject comes from the CSR; its requested
 * extensions are ignored, except its SANs when keep_sans is set.  Reads
 * req->type, digest, days, san (added), serial, crl_uri; same checks and
 * warnings as pki_cert_create.
 */
int	 pki_csr_sign(const void *csr, size_t len, const struct pki_req *req,
    int keep_sans, const char *ca_cert, const char *ca_key, char **cert_pem,
    struct pki_warn *warn, char *err, size_t errlen);
/* CSR details as JSON: subject, key, san, signature_ok. */
int	 pki_csr_info(const void *csr, size_t len, struct json_t **out,
    char *err, size_t errlen);

/* ---------------------------------------------------------------- PKCS#12 */

enum pki_p12_level {
	PKI_P12_MODERN,	/* AES-256-CBC, PBKDF2-HMAC-SHA256, SHA-256 MAC, 2048 iterations */
	PKI_P12_LEGACY,	/* pbeWithSHA1And3-KeyTripleDES-CBC for key and certs, SHA-1 MAC */
};
/*
 * PKCS#12 with the certificate, its key and chain_pem's certificates (may
 * be NULL), friendly_name (UTF-8, may be NULL) on the leaf and key, protected
 * by password (non-empty).  *out is DER.
 */
int	 pki_p12_export(const char *cert_pem, const char *key_pem,
    const char *chain_pem, const char *friendly_name, const char *password,
    enum pki_p12_level level, uint8_t **out, size_t *outlen, char *err,
    size_t errlen);

/* ---------------------------------------------------------------- CRLs */

/* RFC 5280 5.3.1 reason codes accepted in a CRL entry. */
enum pki_crl_reason {
	PKI_CRL_UNSPECIFIED = 0,
	PKI_CRL_KEY_COMPROMISE = 1,
	PKI_CRL_CA_COMPROMISE = 2,
	PKI_CRL_AFFILIATION_CHANGED = 3,
	PKI_CRL_SUPERSEDED = 4,
	PKI_CRL_CESSATION = 5,
	PKI_CRL_CERTIFICATE_HOLD = 6,
};
/* "unspecified", "keyCompromise", ...; "?" out of range. */
const char	*pki_crl_reason_name(int reason);

struct pki_revoked {
	const char	*serial;	/* hex, borrowed */
	time_t		 when;		/* revocation time; 0 = now */
	int		 reason;	/* enum pki_crl_reason */
};
/*
 * A v2 CRL from ca_cert/ca_key (PEM): the n entries, CRL number
 * crl_number (the caller keeps it increasing), AKI, lastUpdate now,
 * nextUpdate now + next_days (0 = 30), signed with SHA-256.  Entries with
 * reason "unspecified" carry no reason extension (RFC 5280 5.3.1).  A
 * serial listed twice is refused.  Result PEM.
 */
int	 pki_crl_create(const char *ca_cert, const char *ca_key,
    const struct pki_revoked *rev, size_t n, uint64_t crl_number,
    int next_days, char **crl_pem, char *err, size_t errlen);
/* A PEM CRL as DER. */
int	 pki_crl_der(const char *crl_pem, uint8_t **der, size_t *derlen,
    char *err, size_t errlen);
/*
 * Checks a CRL (PEM or DER) against ca_cert: the issuer must be the CA's
 * subject and the signature must verify with its key.  *crl_pem (may be
 * NULL) gets it as PEM; *info (may be NULL) a JSON object: issuer,
 * last_update(_iso), next_update(_iso), expired, number (hex), entries
 * [{"serial","revoked","revoked_iso","reason","reason_code"}].
 */
int	 pki_crl_verify(const void *crl, size_t len, const char *ca_cert,
    char **crl_pem, struct json_t **info, char *err, size_t errlen);
/*
 * Downloads a CRL (http/https only, at most 10 MiB, 10 s to connect, 60 s in
 * all, at most 3 redirects to http/https) and parses it (PEM or DER); result
 * PEM, to check with pki_crl_verify.
 */
int	 pki_crl_fetch(const char *url, char **crl_pem, char *err,
    size_t errlen);

/* ---------------------------------------------------------------- the one importer */

/*
 * What one uploaded file held: PEM (any number of blocks; text around them
 * is skipped) or DER (one certificate, key, CSR, CRL, PKCS#7 or PKCS#12).  Each
 * field is PEM or NULL; certs holds every certificate in order (a PKCS#12
 * leaf first, then its chain).  pass decrypts an encrypted key or a
 * PKCS#12 (may be NULL).
 */
struct pki_bundle {
	char	*certs;
	size_t	 ncerts;
	char	*key;		/* unencrypted PKCS#8 */
	char	*csr;
	char	*crl;
};
int	 pki_import(const void *buf, size_t len, const char *pass,
    struct pki_bundle *out, char *err, size_t errlen);
/* Frees (and wipes) the fields; the struct itself is the caller's. */
void	 pki_bundle_free(struct pki_bundle *b);

/* Wipe and free results of the functions above; NULL is fine. */
void	 pki_pem_free(char *pem);
void	 pki_der_free(uint8_t *der, size_t len);

#endif
