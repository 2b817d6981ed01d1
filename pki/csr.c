/*
 * Certificate signing requests: making one (key stays here, CSR goes to an
 * outside CA), taking back what that CA signed, and signing uploaded CSRs
 * with a local CA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "pki_internal.h"

int
pki_csr_create(const struct pki_req *req, char **csr_pem, char **key_pem,
    char *err, size_t errlen)
{
	struct pkix_sans		 sans = { 0 };
	enum pkix_profile		 prof = PKIX_PROFILE_USER;
	X509_NAME			*name = NULL;
	EVP_PKEY			*key = NULL;
	X509_REQ			*r = NULL;
	STACK_OF(X509_EXTENSION)	*exts = NULL;
	X509_EXTENSION			*ext = NULL;
	int				 rc = -1;

	*csr_pem = *key_pem = NULL;
	pkix_init();
	if (pkix_profile_for(req->type, &prof, err, errlen) == -1)
		return -1;
	if ((unsigned)req->digest > PKI_MD_SHA512)
		return pkix_err(err, errlen, "unknown digest");
	if ((name = pkix_name_build(&req->dn, err, errlen)) == NULL)
		goto done;
	if (pkix_sans_for(req, prof, req->dn.cn, NULL, &sans, NULL, err,
	    errlen) == -1)
		goto done;
	if ((key = pkix_keygen(req->key, err, errlen)) == NULL)
		goto done;
	if ((r = X509_REQ_new()) == NULL ||
	    !X509_REQ_set_version(r, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(r, name) ||
	    !X509_REQ_set_pubkey(r, key))
		goto ssl_fail;
	if (sk_GENERAL_NAME_num(sans.gens) > 0) {
		if ((exts = sk_X509_EXTENSION_new_null()) == NULL ||
		    (ext = X509V3_EXT_i2d(NID_subject_alt_name, 0,
		    sans.gens)) == NULL ||
		    !sk_X509_EXTENSION_push(exts, ext))
			goto ssl_fail;
		ext = NULL;
		if (!X509_REQ_add_extensions(r, exts))
			goto ssl_fail;
	}
	if (X509_REQ_sign(r, key, pkix_sign_md(key, req->digest)) <= 0)
		goto ssl_fail;
	if (pkix_csr_pem(r, csr_pem, err, errlen) == -1 ||
	    pkix_key_pem(key, NULL, key_pem, err, errlen) == -1)
		goto done;
	rc = 0;
	goto done;
ssl_fail:
	pkix_err_ssl(err, errlen, "cannot build the CSR");
done:
	if (rc == -1) {
		pki_pem_free(*csr_pem);
		*csr_pem = NULL;
	}
	X509_EXTENSION_free(ext);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(r);
	EVP_PKEY_free(key);
	X509_NAME_free(name);
	pkix_sans_free(&sans);
	return rc;
}

int
pki_csr_accept(const char *key_pem, const void *cert, size_t len,
    char **cert_pem, char **chain_pem, char *err, size_t errlen)
{
	struct pkix_objs	 o;
	EVP_PKEY		*key;
	X509			*x;
	int			 i, rc = -1;

	*cert_pem = NULL;
	if (chain_pem != NULL)
		*chain_pem = NULL;
	if ((key = pkix_key_from_pem(key_pem, "CSR private key", err,
	    errlen)) == NULL)
		return -1;
	if (pkix_load(cert, len, NULL, &o, err, errlen) == -1) {
		EVP_PKEY_free(key);
		return -1;
	}
	for (i = 0; i < sk_X509_num(o.certs); i++)
		if (pkix_key_matches(sk_X509_value(o.certs, i), key))
			break;
	if (sk_X509_num(o.certs) == 0) {
		pkix_err(err, errlen, "no certificate found");
		goto done;
	}
	if (i == sk_X509_num(o.certs)) {
		pkix_err(err, errlen, "the certificate is not for this CSR's key");
		goto done;
	}
	x = sk_X509_delete(o.certs, i);
	(void)sk_X509_unshift(o.certs, x);
	if (pkix_check_dates(x, "the certificate", NULL, err, errlen) == -1)
		goto done;
	if (pkix_cert_pem(x, cert_pem, err, errlen) == -1)
		goto done;
	if (chain_pem != NULL &&
	    pkix_certs_pem(o.certs, 1, chain_pem, err, errlen) == -1) {
		pki_pem_free(*cert_pem);
		*cert_pem = NULL;
		goto done;
	}
	rc = 0;
done:
	pkix_objs_free(&o);
	EVP_PKEY_free(key);
	return rc;
}

/* Every attribute of a name from outside must be text we can show:
   UTF-8 without control characters. */
static int
name_printable(const X509_NAME *n, char *err, size_t errlen)
{
	unsigned char	*u;
	int		 i, len, ok;

	if (X509_NAME_entry_count(n) == 0)
		return pkix_err(err, errlen, "the CSR has an empty subject");
	for (i = 0; i < X509_NAME_entry_count(n); i++) {
		u = NULL;
		len = ASN1_STRING_to_UTF8(&u,
		    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
		ok = len >= 0 && memchr(u, '\0', (size_t)len) == NULL &&
		    pkix_utf8_ok((const char *)u, NULL);
		OPENSSL_free(u);
		if (!ok)
			return pkix_err(err, errlen, "the CSR's subject contains "
			    "control characters or invalid text");
	}
	return 0;
}

/* The SANs a CSR asks for, or NULL. */
static GENERAL_NAMES *
csr_sans(X509_REQ *r)
{
	STACK_OF(X509_EXTENSION)	*exts;
	GENERAL_NAMES			*g;

	if ((exts = X509_REQ_get_extensions(r)) == NULL) {
		ERR_clear_error();
		return NULL;
	}
	g = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	ERR_clear_error();
	return g;
}

int
pki_csr_sign(const void *csr, size_t len, const struct pki_req *req,
    int keep_sans, const char *ca_cert, const char *ca_key, char **cert_pem,
    struct pki_warn *warn, char *err, size_t errlen)
{
	struct pkix_objs	 o;
	struct pkix_sans	 sans = { 0 };
	struct pkix_issue	 is;
	enum pkix_profile	 prof = PKIX_PROFILE_USER;
	EVP_PKEY		*pub, *cakey = NULL;
	X509			*ca = NULL;
	GENERAL_NAMES		*want = NULL;
	char			*cn = NULL;
	int			 days, rc = -1;

	*cert_pem = NULL;
	if (pkix_profile_for(req->type, &prof, err, errlen) == -1)
		return -1;
	if (pkix_load(csr, len, NULL, &o, err, errlen) == -1)
		return -1;
	if (o.csr == NULL) {
		pkix_err(err, errlen, "no CSR found");
		goto done;
	}
	if ((pub = X509_REQ_get0_pubkey(o.csr)) == NULL) {
		pkix_err_ssl(err, errlen, "the CSR's public key is unreadable");
		goto done;
	}
	if (pkix_key_ok(pub, "the CSR's key", err, errlen) == -1)
		goto done;
	if (X509_REQ_verify(o.csr, pub) != 1) {
		pkix_err(err, errlen, "the CSR's signature does not verify (the "
		    "request is damaged or was not made with its key)");
		goto done;
	}
	if (name_printable(X509_REQ_get_subject_name(o.csr), err, errlen) == -1)
		goto done;
	if (pkix_days(req->days, prof, warn, &days, err, errlen) == -1)
		goto done;
	if (keep_sans)
		want = csr_sans(o.csr);
	cn = pkix_name_cn(X509_REQ_get_subject_name(o.csr));
	if (pkix_sans_for(req, prof, cn, want, &sans, warn, err, errlen) == -1)
		goto done;
	if (pkix_ca_pair(ca_cert, ca_key, &ca, &cakey, err, errlen) == -1)
		goto done;
	memset(&is, 0, sizeof(is));
	is.profile = prof;
	is.subject = X509_REQ_get_subject_name(o.csr);
	is.pub = pub;
	is.ca = ca;
	is.sign_key = cakey;
	is.digest = req->digest;
	is.days = days;
	is.serial = req->serial;
	is.san = sans.gens;
	is.crl_uri = req->crl_uri;
	rc = pkix_issue_pem(&is, NULL, cert_pem, NULL, warn, err, errlen);
done:
	free(cn);
	GENERAL_NAMES_free(want);
	pkix_sans_free(&sans);
	pkix_objs_free(&o);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	return rc;
}

int
pki_csr_info(const void *csr, size_t len, struct json_t **out, char *err,
    size_t errlen)
{
	struct pkix_objs	 o;
	json_t			*j = NULL;
	EVP_PKEY		*pub;
	GENERAL_NAMES		*g;
	char			*s, desc[80];
	int			 rc = -1;

	*out = NULL;
	if (pkix_load(csr, len, NULL, &o, err, errlen) == -1)
		return -1;
	if (o.csr == NULL) {
		pkix_err(err, errlen, "no CSR found");
		goto done;
	}
	if ((j = json_object()) == NULL) {
		pkix_err(err, errlen, "out of memory");
		goto done;
	}
	s = pkix_name_str(X509_REQ_get_subject_name(o.csr));
	json_object_set_new(j, "subject", json_string(s != NULL ? s : ""));
	free(s);
	pub = X509_REQ_get0_pubkey(o.csr);
	if (pub != NULL)
		pkix_key_desc(pub, desc, sizeof(desc));
	else
		snprintf(desc, sizeof(desc), "unknown");
	json_object_set_new(j, "key", json_string(desc));
	g = csr_sans(o.csr);
	json_object_set_new(j, "san", pkix_gens_json(g));
	GENERAL_NAMES_free(g);
	json_object_set_new(j, "signature_ok", json_boolean(pub != NULL &&
	    X509_REQ_verify(o.csr, pub) == 1));
	ERR_clear_error();
	*out = j;
	j = NULL;
	rc = 0;
done:
	json_decref(j);
	pkix_objs_free(&o);
	return rc;
}
