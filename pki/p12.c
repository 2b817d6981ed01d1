/*
 * PKCS#12 export for user certificates (INTEROP.md: "PKCS#12 for users").
 *
 * Two levels:
 *   modern  key and certificates under PBES2 (PBKDF2-HMAC-SHA256,
 *           AES-256-CBC), SHA-256 MAC; OpenSSL 3's own defaults.
 *   legacy  pbeWithSHA1And3-KeyTripleDES-CBC for key and certificates, SHA-1
 *           MAC: what older macOS/iOS/Windows import (as pfSense offers).
 *           Triple-DES and the PKCS#12 KDF are in OpenSSL 3's default
 *           provider; only RC2 would need the legacy one, and it is not used.
 * Both use 2048 iterations for encryption and MAC.
 *
 * PKCS12_create_ex() builds the file without a MAC (mac_iter -1); the MAC
 * is then set with the digest the level wants.  The friendly name goes in
 * as UTF-8 (OpenSSL 3's PKCS12_add_friendlyname is the UTF-8 variant).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#include "pki_internal.h"

#define P12_ITER	2048	/* PKCS12_DEFAULT_ITER; at least 2048 */

int
pki_p12_export(const char *cert_pem, const char *key_pem,
    const char *chain_pem, const char *friendly_name, const char *password,
    enum pki_p12_level level, uint8_t **out, size_t *outlen, char *err,
    size_t errlen)
{
	struct pkix_objs	 chain;
	PKCS12			*p12 = NULL;
	X509			*cert = NULL;
	EVP_PKEY		*key = NULL;
	const EVP_MD		*mac_md;
	unsigned char		*der = NULL;
	int			 nid, n = 0, rc = -1;

	*out = NULL;
	*outlen = 0;
	memset(&chain, 0, sizeof(chain));
	pkix_init();
	if (password == NULL || password[0] == '\0')
		return pkix_err(err, errlen, "a PKCS#12 file needs a password");
	if (friendly_name != NULL && !pkix_utf8_ok(friendly_name, NULL))
		return pkix_err(err, errlen, "the friendly name contains control "
		    "characters or is not valid UTF-8");
	switch (level) {
	case PKI_P12_MODERN:
		nid = NID_aes_256_cbc;		/* PBES2 + PBKDF2-HMAC-SHA256 */
		mac_md = EVP_sha256();
		break;
	case PKI_P12_LEGACY:
		nid = NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
		mac_md = EVP_sha1();
		break;
	default:
		return pkix_err(err, errlen, "unknown PKCS#12 level %d",
		    (int)level);
	}
	if ((cert = pkix_cert_from_pem(cert_pem, "certificate", err,
	    errlen)) == NULL)
		goto done;
	if ((key = pkix_key_from_pem(key_pem, "private key", err,
	    errlen)) == NULL)
		goto done;
	if (!pkix_key_matches(cert, key)) {
		pkix_err(err, errlen, "the private key does not match the "
		    "certificate");
		goto done;
	}
	if (chain_pem != NULL && chain_pem[0] != '\0' &&
	    pkix_load(chain_pem, strlen(chain_pem), NULL, &chain, err,
	    errlen) == -1)
		goto done;
	p12 = PKCS12_create_ex(password, friendly_name != NULL &&
	    friendly_name[0] != '\0' ? friendly_name : NULL, key, cert,
	    chain.certs, nid, nid, P12_ITER, -1, 0, NULL, NULL);
	if (p12 == NULL ||
	    !PKCS12_set_mac(p12, password, -1, NULL, 0, P12_ITER, mac_md) ||
	    (n = i2d_PKCS12(p12, &der)) <= 0) {
		pkix_err_ssl(err, errlen, "cannot build the PKCS#12 file");
		goto done;
	}
	if ((*out = malloc((size_t)n)) == NULL) {
		pkix_err(err, errlen, "out of memory");
		goto done;
	}
	memcpy(*out, der, (size_t)n);
	*outlen = (size_t)n;
	rc = 0;
done:
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)n);
	PKCS12_free(p12);
	pkix_objs_free(&chain);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}
