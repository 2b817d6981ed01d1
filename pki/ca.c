/*
 * Certificate authorities: creating a root or an intermediate, importing
 * an existing one.  Issuing itself is pkix_issue() in cert.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "pki_internal.h"

int
pki_ca_create(const struct pki_req *req, const char *issuer_cert,
    const char *issuer_key, char **cert_pem, char **key_pem,
    struct pki_warn *warn, char *err, size_t errlen)
{
	struct pkix_issue	 is;
	X509			*issuer = NULL;
	EVP_PKEY		*ikey = NULL, *key = NULL;
	X509_NAME		*name = NULL;
	int			 days, rc = -1;

	*cert_pem = *key_pem = NULL;
	pkix_init();
	if ((name = pkix_name_build(&req->dn, err, errlen)) == NULL)
		goto done;
	if (pkix_days(req->days, PKIX_PROFILE_CA, warn, &days, err,
	    errlen) == -1)
		goto done;
	if (issuer_cert != NULL &&
	    pkix_ca_pair(issuer_cert, issuer_key, &issuer, &ikey, err,
	    errlen) == -1)
		goto done;
	if ((key = pkix_keygen(req->key, err, errlen)) == NULL)
		goto done;
	memset(&is, 0, sizeof(is));
	is.profile = PKIX_PROFILE_CA;
	is.subject = name;
	is.pub = key;
	is.ca = issuer;
	is.sign_key = issuer != NULL ? ikey : key;
	is.digest = req->digest;
	is.days = days;
	is.serial = req->serial;
	/* A root has no one to publish its revocation; an intermediate may. */
	is.crl_uri = issuer != NULL ? req->crl_uri : NULL;
	rc = pkix_issue_pem(&is, key, cert_pem, key_pem, warn, err, errlen);
done:
	X509_NAME_free(name);
	X509_free(issuer);
	EVP_PKEY_free(ikey);
	EVP_PKEY_free(key);
	return rc;
}

int
pki_ca_import(const void *cert, size_t certlen, const void *key,
    size_t keylen, const char *pass, char **cert_pem, char **key_pem,
    struct pki_warn *warn, char *err, size_t errlen)
{
	struct pkix_objs	 o;
	X509			*x = NULL;
	int			 i, rc = -1;

	*cert_pem = *key_pem = NULL;
	if (pkix_load_with_key(cert, certlen, key, keylen, pass,
	    "two private keys given", &o, err, errlen) == -1)
		return -1;
	/* The CA is the certificate of the key, else the first one. */
	x = sk_X509_value(o.certs, 0);
	for (i = 0; o.key != NULL && i < sk_X509_num(o.certs); i++) {
		if (pkix_key_matches(sk_X509_value(o.certs, i), o.key)) {
			x = sk_X509_value(o.certs, i);
			break;
		}
	}
	if (!pkix_is_ca(x)) {
		pkix_err(err, errlen, "the certificate is not a CA "
		    "(basicConstraints CA:TRUE is missing)");
		goto done;
	}
	if (pkix_key_ok(X509_get0_pubkey(x), "the CA's key", err, errlen) == -1)
		goto done;
	if (pkix_check_dates(x, "the CA certificate", warn, err, errlen) == -1)
		goto done;
	if (o.key != NULL) {
		if (!pkix_key_matches(x, o.key)) {
			pkix_err(err, errlen, "the private key does not match "
			    "the CA certificate");
			goto done;
		}
		if (pkix_key_pem(o.key, NULL, key_pem, err, errlen) == -1)
			goto done;
	}
	if (sk_X509_num(o.certs) > 1)
		pkix_warn(warn, "%d other certificates in the input were "
		    "ignored; import them one by one", sk_X509_num(o.certs) - 1);
	if (pkix_cert_pem(x, cert_pem, err, errlen) == -1)
		goto done;
	rc = 0;
done:
	if (rc == -1) {
		pki_pem_free(*key_pem);
		*key_pem = NULL;
	}
	pkix_objs_free(&o);
	return rc;
}
