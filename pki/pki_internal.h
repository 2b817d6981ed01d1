/*
 * pki internals shared by the X.509 files (x509.c, name.c, import.c,
 * info.c, ca.c, cert.c, csr.c, crl.c, p12.c, fetch.c).  Here OpenSSL types
 * are fine; nothing outside pki/ includes this header.
 *
 * Internal names carry the prefix pkix_ ("pki, X.509 part").
 */
#ifndef IKEGW_PKI_INTERNAL_H
#define IKEGW_PKI_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki/pki.h"

#define PKIX_FMT(a, b)	__attribute__((format(printf, a, b)))

/* Largest input the importer looks at (a big CRL fits). */
#define PKIX_MAX_INPUT		(16u * 1024 * 1024)
/* Most certificates one import may carry. */
#define PKIX_MAX_CERTS		64
/* Most SANs one certificate may carry. */
#define PKIX_MAX_SANS		128
/* Longest lifetime accepted, in days (100 years). */
#define PKIX_MAX_DAYS		36500
/* RSA bounds for any key we create, import or sign for. */
#define PKIX_RSA_MIN_BITS	2048
#define PKIX_RSA_MAX_BITS	16384

/* ---------------------------------------------------------------- x509.c */

/* Loads the "default" and "legacy" providers once (legacy: RC2/RC4-era
   PKCS#12 files).  Every public entry point calls it first. */
void	 pkix_init(void);
/* 1 when the legacy provider could be loaded. */
int	 pkix_legacy_available(void);

/* Writes a message into err, clears OpenSSL's error queue, returns -1. */
int	 pkix_err(char *err, size_t errlen, const char *fmt, ...) PKIX_FMT(3, 4);
/* Same, with ": <OpenSSL's reason>" appended when the queue has one. */
int	 pkix_err_ssl(char *err, size_t errlen, const char *fmt, ...)
    PKIX_FMT(3, 4);
/* Adds a warning (silently drops it when warn is NULL or full). */
void	 pkix_warn(struct pki_warn *warn, const char *fmt, ...) PKIX_FMT(2, 3);

/* The contents of a memory BIO as a malloc'ed NUL-terminated string /
   byte buffer.  NULL on allocation failure. */
char	*pkix_bio_str(BIO *bio);
uint8_t	*pkix_bio_bytes(BIO *bio, size_t *len);

/* PEM / DER writers.  0 or -1 with a message. */
int	 pkix_cert_pem(X509 *x, char **out, char *err, size_t errlen);
int	 pkix_certs_pem(STACK_OF(X509) *sk, int from, char **out,
    char *err, size_t errlen);
int	 pkix_key_pem(EVP_PKEY *k, const char *pass, char **out, char *err,
    size_t errlen);
int	 pkix_csr_pem(X509_REQ *r, char **out, char *err, size_t errlen);
int	 pkix_crl_pem(X509_CRL *c, char **out, char *err, size_t errlen);

/* Our own stored PEM back to objects: the first certificate / the key.
   what names the input in messages ("CA certificate"). */
X509	*pkix_cert_from_pem(const char *pem, const char *what, char *err,
    size_t errlen);
EVP_PKEY *pkix_key_from_pem(const char *pem, const char *what, char *err,
    size_t errlen);

/* New key; NULL with a message. */
EVP_PKEY *pkix_keygen(enum pki_keytype type, char *err, size_t errlen);
/* Accepts RSA 2048..16384, EC on P-256/P-384/P-521, Ed25519, Ed448. */
int	 pkix_key_ok(EVP_PKEY *k, const char *what, char *err, size_t errlen);
/* "RSA 2048", "ECDSA P-256", "Ed25519", ... */
void	 pkix_key_desc(EVP_PKEY *k, char *out, size_t outlen);
/* 1 when key is the private half of cert's public key. */
int	 pkix_key_matches(X509 *cert, EVP_PKEY *key);
/* The digest to sign with: NULL for EdDSA keys (which hash internally). */
const EVP_MD *pkix_sign_md(EVP_PKEY *signer, enum pki_digest d);

/* Serial from hex (NULL: random 128-bit); NULL with a message. */
ASN1_INTEGER *pkix_serial(const char *hex, char *err, size_t errlen);
/* Serial as uppercase hex in whole octets ("-" first when negative). */
void	 pkix_serial_hex(const ASN1_INTEGER *s, char *out, size_t outlen);

/* ASN1_TIME to time_t; 0 or -1. */
int	 pkix_time(const ASN1_TIME *t, time_t *out);
/* "2025-01-31T12:00:00Z" into out (at least 21 bytes). */
void	 pkix_iso(time_t t, char *out, size_t outlen);

/* 1 when cert has basicConstraints with CA:TRUE. */
int	 pkix_is_ca(X509 *cert);
/* Refuses an expired certificate, with its dates; warns when not yet valid. */
int	 pkix_check_dates(X509 *cert, const char *what, struct pki_warn *warn,
    char *err, size_t errlen);
/* Key identifier per RFC 5280 4.2.1.2 (1): SHA-1 of the subjectPublicKey
   bits.  len is 20. */
int	 pkix_keyid(X509_PUBKEY *pub, unsigned char out[20]);

/* ---------------------------------------------------------------- name.c */

/* Checks one DN; builds the X509_NAME (C, ST, L, O, OU, CN order). */
X509_NAME *pkix_name_build(const struct pki_dn *dn, char *err,
    size_t errlen);
/* 1 when s is valid UTF-8 without control characters; *nchars gets the
   number of code points. */
int	 pkix_utf8_ok(const char *s, size_t *nchars);
/* 1 when the two-letter code is an assigned ISO 3166-1 alpha-2 code. */
int	 pkix_country_ok(const char *c);
/* Syntax checks used for SANs (and by the CN rule). */
int	 pkix_hostname_ok(const char *s, int allow_wildcard);
int	 pkix_email_ok(const char *s);
int	 pkix_uri_ok(const char *s);

/* A SAN list being built, with counts for the checks. */
struct pkix_sans {
	GENERAL_NAMES	*gens;
	int		 dns;		/* dNSNames */
	int		 wild;		/* of which wildcards */
	int		 ip;		/* iPAddresses */
	int		 email;
	int		 uri;
};
int	 pkix_sans_init(struct pkix_sans *s, char *err, size_t errlen);
void	 pkix_sans_free(struct pkix_sans *s);
/* Validates and adds one SAN as typed (an IP also gets its dNSName copy);
   duplicates are skipped. */
int	 pkix_sans_add(struct pkix_sans *s, enum pki_san_type type,
    const char *value, char *err, size_t errlen);
/* Adds a GENERAL_NAME read from a certificate or CSR, re-validated; other
   name types are refused. */
int	 pkix_sans_add_gen(struct pkix_sans *s, const GENERAL_NAME *g,
    char *err, size_t errlen);
/* The CN rule of struct pki_req: 1 when the CN was added, 0 when it is not
   SAN material, -1 on error. */
int	 pkix_sans_add_cn(struct pkix_sans *s, const char *cn, char *err,
    size_t errlen);
/* The CN (UTF-8, malloc'ed) of a name, or NULL when it has none. */
char	*pkix_name_cn(const X509_NAME *n);
/* One-line RFC 4514 string (most specific first), malloc'ed. */
char	*pkix_name_str(const X509_NAME *n);

/* ---------------------------------------------------------------- issue (cert.c) */

enum pkix_profile { PKIX_PROFILE_CA, PKIX_PROFILE_SERVER, PKIX_PROFILE_USER };

struct pkix_issue {
	enum pkix_profile	 profile;
	const X509_NAME		*subject;
	EVP_PKEY		*pub;		/* subject's key */
	X509			*ca;		/* NULL: self-signed with sign_key */
	EVP_PKEY		*sign_key;	/* CA's key, or the subject's own */
	enum pki_digest		 digest;
	int			 days;
	const char		*serial;	/* hex or NULL */
	const GENERAL_NAMES	*san;		/* may be NULL */
	const char		*crl_uri;	/* may be NULL */
};
/* Builds and signs a certificate; NULL with a message. */
X509	*pkix_issue(const struct pkix_issue *is, struct pki_warn *warn,
    char *err, size_t errlen);
/* pkix_issue, then the certificate as PEM into *cert_pem and, when key is
   not NULL, key as PEM into *key_pem (both malloc'ed).  On -1 neither is
   set. */
int	 pkix_issue_pem(const struct pkix_issue *is, EVP_PKEY *key,
    char **cert_pem, char **key_pem, struct pki_warn *warn, char *err,
    size_t errlen);
/* The profile of a server or user certificate request; -1 with a message
   for any other type. */
int	 pkix_profile_for(enum pki_cert_type t, enum pkix_profile *out,
    char *err, size_t errlen);
/* The SANs for a certificate/CSR: req->san plus the CN per the rule, with
   the server/wildcard checks.  extra (may be NULL) are SANs from a CSR or an
   old certificate, added first. */
int	 pkix_sans_for(const struct pki_req *req, enum pkix_profile prof,
    const char *cn, const GENERAL_NAMES *extra, struct pkix_sans *out,
    struct pki_warn *warn, char *err, size_t errlen);
/* Checks a signing CA pair (is a CA, may sign certificates, key matches). */
int	 pkix_ca_pair(const char *ca_cert, const char *ca_key, X509 **cert,
    EVP_PKEY **key, char *err, size_t errlen);
/* Lifetime default per profile and range check. */
int	 pkix_days(int days, enum pkix_profile prof, struct pki_warn *warn,
    int *out, char *err, size_t errlen);

/* ---------------------------------------------------------------- import.c */

/* Everything found in one input. */
struct pkix_objs {
	STACK_OF(X509)	*certs;
	EVP_PKEY	*key;
	X509_REQ	*csr;
	X509_CRL	*crl;
	int		 from_p12;
};
/* The one importer: PEM (every block) or DER (one object), PKCS#12 with
   pass.  Fills o (zeroed first); on -1 o holds nothing. */
int	 pkix_load(const void *buf, size_t len, const char *pass,
    struct pkix_objs *o, char *err, size_t errlen);
void	 pkix_objs_free(struct pkix_objs *o);
/* pkix_load for a certificate import: buf must hold a certificate; its
   private key may be in buf or in the separate key input (a key file that
   holds none is refused; a key in both is refused with the message
   two_keys).  On -1 o holds nothing. */
int	 pkix_load_with_key(const void *buf, size_t len, const void *key,
    size_t keylen, const char *pass, const char *two_keys,
    struct pkix_objs *o, char *err, size_t errlen);

/* ---------------------------------------------------------------- info.c */

json_t	*pkix_cert_json(X509 *x);
json_t	*pkix_gens_json(const GENERAL_NAMES *gens);

/* ---------------------------------------------------------------- fetch.c */

/* The download behind pki_crl_fetch, with the limits as parameters (the
   tests use small ones). */
int	 pkix_fetch(const char *url, size_t max, long connect_s, long total_s,
    uint8_t **out, size_t *outlen, char *err, size_t errlen);

#endif
