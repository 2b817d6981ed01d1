/*
 * Issuing certificates: the one function that builds and signs every
 * certificate (pkix_issue), the profiles (CA, server, user), and the public
 * create / import / renew / convert functions for end-entity certificates.
 *
 * Profiles (see INTEROP.md, "Certificates the clients accept"):
 *   CA      basicConstraints critical CA:TRUE; keyUsage critical
 *           keyCertSign, cRLSign
 *   server  basicConstraints CA:FALSE; keyUsage critical digitalSignature
 *           (+ keyEncipherment for RSA); EKU serverAuth, iKEIntermediate
 *   user    basicConstraints CA:FALSE; keyUsage as server; EKU clientAuth
 * All get SKI and AKI (key identifiers, RFC 5280 4.2.1.1/4.2.1.2), SANs
 * and an optional CRL distribution point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "pki_internal.h"

/* RFC 4945 / 4809: IKE intermediate, wanted by older macOS for servers. */
#define OID_IKE_INTERMEDIATE	"1.3.6.1.5.5.8.2.2"

/* Backdating notBefore a little absorbs clients whose clocks run behind. */
#define BACKDATE_SECONDS	60

int
pkix_days(int days, enum pkix_profile prof, struct pki_warn *warn, int *out,
    char *err, size_t errlen)
{
	if (days == 0)
		days = prof == PKIX_PROFILE_CA ? PKI_DAYS_CA :
		    prof == PKIX_PROFILE_SERVER ? PKI_DAYS_SERVER : PKI_DAYS_USER;
	if (days < 1 || days > PKIX_MAX_DAYS)
		return pkix_err(err, errlen, "the lifetime must be between 1 "
		    "and %d days", PKIX_MAX_DAYS);
	if (prof == PKIX_PROFILE_SERVER && days > PKI_DAYS_SERVER)
		pkix_warn(warn, "a lifetime of %d days is over %d: Apple devices "
		    "(macOS, iOS) reject server certificates valid for longer",
		    days, PKI_DAYS_SERVER);
	*out = days;
	return 0;
}

int
pkix_ca_pair(const char *ca_cert, const char *ca_key, X509 **cert,
    EVP_PKEY **key, char *err, size_t errlen)
{
	*cert = NULL;
	*key = NULL;
	if ((*cert = pkix_cert_from_pem(ca_cert, "CA certificate", err,
	    errlen)) == NULL)
		goto fail;
	if (!pkix_is_ca(*cert)) {
		pkix_err(err, errlen, "the signing certificate is not a CA "
		    "(basicConstraints CA:TRUE is missing)");
		goto fail;
	}
	if ((X509_get_extension_flags(*cert) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(*cert) & KU_KEY_CERT_SIGN)) {
		pkix_err(err, errlen, "the CA's key usage does not allow "
		    "signing certificates");
		goto fail;
	}
	if (pkix_check_dates(*cert, "the CA certificate", NULL, err,
	    errlen) == -1)
		goto fail;
	if ((*key = pkix_key_from_pem(ca_key, "CA private key", err,
	    errlen)) == NULL)
		goto fail;
	if (!pkix_key_matches(*cert, *key)) {
		pkix_err(err, errlen, "the CA private key does not match the CA "
		    "certificate");
		goto fail;
	}
	return 0;
fail:
	X509_free(*cert);
	EVP_PKEY_free(*key);
	*cert = NULL;
	*key = NULL;
	return -1;
}

int
pkix_sans_for(const struct pki_req *req, enum pkix_profile prof,
    const char *cn, const GENERAL_NAMES *extra, struct pkix_sans *out,
    struct pki_warn *warn, char *err, size_t errlen)
{
	size_t	i;
	int	j, r;

	if (pkix_sans_init(out, err, errlen) == -1)
		return -1;
	for (j = 0; extra != NULL && j < sk_GENERAL_NAME_num(extra); j++)
		if (pkix_sans_add_gen(out, sk_GENERAL_NAME_value(extra, j), err,
		    errlen) == -1)
			goto fail;
	if ((r = pkix_sans_add_cn(out, cn, err, errlen)) == -1)
		goto fail;
	if (r == 0 && cn != NULL && prof == PKIX_PROFILE_USER)
		pkix_warn(warn, "the Common Name \"%.64s\" is not a host name, "
		    "IP address or e-mail address, so it is not added as a "
		    "subject alternative name (iOS matches its Local ID "
		    "against those)", cn);
	if (req != NULL && req->nsan > 0 && req->san == NULL) {
		pkix_err(err, errlen, "SAN list missing");
		goto fail;
	}
	for (i = 0; req != NULL && i < req->nsan; i++)
		if (pkix_sans_add(out, req->san[i].type, req->san[i].value, err,
		    errlen) == -1)
			goto fail;
	if (prof == PKIX_PROFILE_SERVER && out->dns + out->ip == 0) {
		pkix_err(err, errlen, "a server certificate needs at least one "
		    "FQDN or IP address among its subject alternative names "
		    "(the name clients connect to)");
		goto fail;
	}
	if (out->dns > 0 && out->wild == out->dns && out->ip == 0)
		pkix_warn(warn, "every host name is a wildcard; IKE clients "
		    "(Windows, macOS) usually need the exact name they dial");
	return 0;
fail:
	pkix_sans_free(out);
	return -1;
}

/* ---------------------------------------------------------------- extensions */

static int
add_basic_constraints(X509 *x, int ca)
{
	BASIC_CONSTRAINTS	*bc;
	int			 ok;

	if ((bc = BASIC_CONSTRAINTS_new()) == NULL)
		return 0;
	bc->ca = ca ? 0xff : 0;
	ok = X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1,
	    X509V3_ADD_REPLACE) == 1;
	BASIC_CONSTRAINTS_free(bc);
	return ok;
}

static int
add_key_usage(X509 *x, const int *bits, size_t n)
{
	ASN1_BIT_STRING	*ku;
	size_t		 i;
	int		 ok = 0;

	if ((ku = ASN1_BIT_STRING_new()) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (!ASN1_BIT_STRING_set_bit(ku, bits[i], 1))
			goto done;
	ok = X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_REPLACE) == 1;
done:
	ASN1_BIT_STRING_free(ku);
	return ok;
}

static int
add_eku(X509 *x, enum pkix_profile prof)
{
	EXTENDED_KEY_USAGE	*eku;
	ASN1_OBJECT		*obj;
	int			 ok = 0;

	if ((eku = sk_ASN1_OBJECT_new_null()) == NULL)
		return 0;
	if (prof == PKIX_PROFILE_SERVER) {
		if ((obj = OBJ_nid2obj(NID_server_auth)) == NULL ||
		    !sk_ASN1_OBJECT_push(eku, OBJ_dup(obj)))
			goto done;
		if ((obj = OBJ_txt2obj(OID_IKE_INTERMEDIATE, 1)) == NULL)
			goto done;
		if (!sk_ASN1_OBJECT_push(eku, obj)) {
			ASN1_OBJECT_free(obj);
			goto done;
		}
	} else {
		if ((obj = OBJ_nid2obj(NID_client_auth)) == NULL ||
		    !sk_ASN1_OBJECT_push(eku, OBJ_dup(obj)))
			goto done;
	}
	ok = X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0,
	    X509V3_ADD_REPLACE) == 1;
done:
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return ok;
}

static int
add_key_ids(X509 *x, X509 *issuer)
{
	unsigned char		 id[20];
	const ASN1_OCTET_STRING	*iss_id = NULL;
	ASN1_OCTET_STRING	*ski = NULL;
	AUTHORITY_KEYID		*akid = NULL;
	int			 ok = 0;

	if (pkix_keyid(X509_get_X509_PUBKEY(x), id) == -1)
		return 0;
	if ((ski = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(ski, id, sizeof(id)) ||
	    X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0,
	    X509V3_ADD_REPLACE) != 1)
		goto done;
	if ((akid = AUTHORITY_KEYID_new()) == NULL)
		goto done;
	if (issuer != NULL) {
		/* The issuer's own SKI when it has one, else computed. */
		iss_id = X509_get0_subject_key_id(issuer);
		if (iss_id == NULL) {
			if (pkix_keyid(X509_get_X509_PUBKEY(issuer), id) == -1)
				goto done;
		} else if ((akid->keyid = ASN1_OCTET_STRING_dup(iss_id)) == NULL)
			goto done;
	}
	if (akid->keyid == NULL && ((akid->keyid = ASN1_OCTET_STRING_new()) ==
	    NULL || !ASN1_OCTET_STRING_set(akid->keyid, id, sizeof(id))))
		goto done;
	ok = X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0,
	    X509V3_ADD_REPLACE) == 1;
done:
	ASN1_OCTET_STRING_free(ski);
	AUTHORITY_KEYID_free(akid);
	return ok;
}

static int
add_crl_dp(X509 *x, const char *uri, char *err, size_t errlen)
{
	CRL_DIST_POINTS	*dps = NULL;
	DIST_POINT	*dp = NULL;
	GENERAL_NAME	*g = NULL;
	ASN1_IA5STRING	*s = NULL;
	int		 rc = -1;

	if (!pkix_uri_ok(uri) || (strncasecmp(uri, "http://", 7) != 0 &&
	    strncasecmp(uri, "https://", 8) != 0))
		return pkix_err(err, errlen, "the CRL distribution point must be "
		    "an http:// or https:// URL");
	if ((dps = sk_DIST_POINT_new_null()) == NULL ||
	    (dp = DIST_POINT_new()) == NULL ||
	    (dp->distpoint = DIST_POINT_NAME_new()) == NULL ||
	    (dp->distpoint->name.fullname = GENERAL_NAMES_new()) == NULL ||
	    (s = ASN1_IA5STRING_new()) == NULL ||
	    !ASN1_STRING_set(s, uri, (int)strlen(uri)) ||
	    (g = GENERAL_NAME_new()) == NULL)
		goto fail;
	dp->distpoint->type = 0;	/* fullName */
	GENERAL_NAME_set0_value(g, GEN_URI, s);
	s = NULL;
	if (!sk_GENERAL_NAME_push(dp->distpoint->name.fullname, g))
		goto fail;
	g = NULL;
	if (!sk_DIST_POINT_push(dps, dp))
		goto fail;
	dp = NULL;
	if (X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0,
	    X509V3_ADD_REPLACE) != 1)
		goto fail;
	rc = 0;
	goto done;
fail:
	pkix_err_ssl(err, errlen, "cannot add the CRL distribution point");
done:
	ASN1_IA5STRING_free(s);
	GENERAL_NAME_free(g);
	DIST_POINT_free(dp);
	CRL_DIST_POINTS_free(dps);
	return rc;
}

X509 *
pkix_issue(const struct pkix_issue *is, struct pki_warn *warn, char *err,
    size_t errlen)
{
	static const int ku_ca[] = { 5 /* keyCertSign */, 6 /* cRLSign */ };
	static const int ku_rsa[] = { 0 /* digitalSignature */,
	    2 /* keyEncipherment */ };
	static const int ku_ec[] = { 0 /* digitalSignature */ };
	X509		*x = NULL;
	ASN1_INTEGER	*serial = NULL;
	time_t		 nb, na, ca_na;
	char		 when[32];
	int		 ok = 0;

	if ((unsigned)is->digest > PKI_MD_SHA512) {
		pkix_err(err, errlen, "unknown digest %d", (int)is->digest);
		return NULL;
	}
	if (is->days < 1 || is->days > PKIX_MAX_DAYS) {
		pkix_err(err, errlen, "invalid lifetime %d days", is->days);
		return NULL;
	}
	if ((serial = pkix_serial(is->serial, err, errlen)) == NULL)
		return NULL;
	if ((x = X509_new()) == NULL)
		goto fail;
	nb = time(NULL) - BACKDATE_SECONDS;
	na = nb + (time_t)is->days * 86400;
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_serialNumber(x, serial) ||
	    !X509_set_subject_name(x, is->subject) ||
	    !X509_set_issuer_name(x, is->ca != NULL ?
	    X509_get_subject_name(is->ca) : is->subject) ||
	    !X509_set_pubkey(x, is->pub) ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &nb) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), is->days, 0, &nb) == NULL)
		goto fail;
	if (is->ca != NULL &&
	    pkix_time(X509_get0_notAfter(is->ca), &ca_na) == 0 && na > ca_na) {
		pkix_iso(ca_na, when, sizeof(when));
		pkix_warn(warn, "the certificate is valid beyond its CA, which "
		    "expires %s; it cannot be verified after that", when);
	}
	if (!add_basic_constraints(x, is->profile == PKIX_PROFILE_CA))
		goto fail;
	if (is->profile == PKIX_PROFILE_CA)
		ok = add_key_usage(x, ku_ca, 2);
	else if (EVP_PKEY_is_a(is->pub, "RSA"))
		ok = add_key_usage(x, ku_rsa, 2);
	else
		ok = add_key_usage(x, ku_ec, 1);	/* RFC 5480 3 */
	if (!ok)
		goto fail;
	if (is->profile != PKIX_PROFILE_CA && !add_eku(x, is->profile))
		goto fail;
	if (!add_key_ids(x, is->ca))
		goto fail;
	if (is->san != NULL && sk_GENERAL_NAME_num(is->san) > 0 &&
	    X509_add1_ext_i2d(x, NID_subject_alt_name, (void *)is->san, 0,
	    X509V3_ADD_REPLACE) != 1)
		goto fail;
	if (is->crl_uri != NULL && is->crl_uri[0] != '\0' &&
	    add_crl_dp(x, is->crl_uri, err, errlen) == -1)
		goto out;
	if (X509_sign(x, is->sign_key, pkix_sign_md(is->sign_key,
	    is->digest)) <= 0) {
		pkix_err_ssl(err, errlen, "cannot sign the certificate");
		goto out;
	}
	ASN1_INTEGER_free(serial);
	ERR_clear_error();
	return x;
fail:
	pkix_err_ssl(err, errlen, "cannot build the certificate");
out:
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return NULL;
}

int
pkix_issue_pem(const struct pkix_issue *is, EVP_PKEY *key, char **cert_pem,
    char **key_pem, struct pki_warn *warn, char *err, size_t errlen)
{
	X509	*x;
	int	 rc = -1;

	if ((x = pkix_issue(is, warn, err, errlen)) == NULL)
		return -1;
	if (pkix_cert_pem(x, cert_pem, err, errlen) == -1)
		goto done;
	if (key != NULL && pkix_key_pem(key, NULL, key_pem, err, errlen) == -1) {
		pki_pem_free(*cert_pem);
		*cert_pem = NULL;
		goto done;
	}
	rc = 0;
done:
	X509_free(x);
	return rc;
}

int
pkix_profile_for(enum pki_cert_type t, enum pkix_profile *out, char *err,
    size_t errlen)
{
	if (t == PKI_CERT_SERVER)
		*out = PKIX_PROFILE_SERVER;
	else if (t == PKI_CERT_USER)
		*out = PKIX_PROFILE_USER;
	else
		return pkix_err(err, errlen, "unknown certificate type %d",
		    (int)t);
	return 0;
}

/* ---------------------------------------------------------------- public */

int
pki_cert_create(const struct pki_req *req, const char *ca_cert,
    const char *ca_key, char **cert_pem, char **key_pem,
    struct pki_warn *warn, char *err, size_t errlen)
{
	struct pkix_sans	 sans = { 0 };
	struct pkix_issue	 is;
	enum pkix_profile	 prof = PKIX_PROFILE_USER;
	X509			*ca = NULL;
	EVP_PKEY		*cakey = NULL, *key = NULL;
	X509_NAME		*name = NULL;
	int			 days, rc = -1;

	*cert_pem = *key_pem = NULL;
	pkix_init();
	if (pkix_profile_for(req->type, &prof, err, errlen) == -1)
		return -1;
	/* Every check before the key is made: RSA 4096 takes a while. */
	if ((name = pkix_name_build(&req->dn, err, errlen)) == NULL)
		goto done;
	if (pkix_days(req->days, prof, warn, &days, err, errlen) == -1)
		goto done;
	if (pkix_sans_for(req, prof, req->dn.cn, NULL, &sans, warn, err,
	    errlen) == -1)
		goto done;
	if (pkix_ca_pair(ca_cert, ca_key, &ca, &cakey, err, errlen) == -1)
		goto done;
	if ((key = pkix_keygen(req->key, err, errlen)) == NULL)
		goto done;
	memset(&is, 0, sizeof(is));
	is.profile = prof;
	is.subject = name;
	is.pub = key;
	is.ca = ca;
	is.sign_key = cakey;
	is.digest = req->digest;
	is.days = days;
	is.serial = req->serial;
	is.san = sans.gens;
	is.crl_uri = req->crl_uri;
	rc = pkix_issue_pem(&is, key, cert_pem, key_pem, warn, err, errlen);
done:
	pkix_sans_free(&sans);
	X509_NAME_free(name);
	X509_free(ca);
	EVP_PKEY_free(cakey);
	EVP_PKEY_free(key);
	return rc;
}

/* The index of the leaf among certs: the one matching key, else the first
   that is not a CA, else the first; -1 when a key matches none. */
static int
pick_leaf(STACK_OF(X509) *certs, EVP_PKEY *key)
{
	int	i;

	for (i = 0; key != NULL && i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);

		if (EVP_PKEY_eq(X509_get0_pubkey(x), key) == 1) {
			ERR_clear_error();
			return i;
		}
	}
	ERR_clear_error();
	if (key != NULL)
		return -1;
	for (i = 0; i < sk_X509_num(certs); i++)
		if (!pkix_is_ca(sk_X509_value(certs, i)))
			return i;
	return 0;
}

/* Moves the certificate at index leaf to the front. */
static void
leaf_first(STACK_OF(X509) *certs, int leaf)
{
	X509	*x;

	if (leaf <= 0)
		return;
	x = sk_X509_delete(certs, leaf);
	(void)sk_X509_unshift(certs, x);
}

int
pki_cert_import(const void *buf, size_t len, const void *key, size_t keylen,
    const char *pass, char **cert_pem, char **key_pem, char **chain_pem,
    struct pki_warn *warn, char *err, size_t errlen)
{
	struct pkix_objs	 o;
	X509			*leaf;
	int			 i, rc = -1;

	*cert_pem = *key_pem = NULL;
	if (chain_pem != NULL)
		*chain_pem = NULL;
	if (pkix_load_with_key(buf, len, key, keylen, pass, "two private keys "
	    "given (one in the certificate file, one in the key file)", &o, err,
	    errlen) == -1)
		return -1;
	if ((i = pick_leaf(o.certs, o.key)) < 0) {
		pkix_err(err, errlen, "the private key does not match the "
		    "certificate");
		goto done;
	}
	leaf_first(o.certs, i);
	leaf = sk_X509_value(o.certs, 0);
	if (pkix_key_ok(X509_get0_pubkey(leaf), "the certificate's key", err,
	    errlen) == -1)
		goto done;
	if (pkix_check_dates(leaf, "the certificate", warn, err, errlen) == -1)
		goto done;
	if (pkix_cert_pem(leaf, cert_pem, err, errlen) == -1)
		goto done;
	if (o.key != NULL &&
	    pkix_key_pem(o.key, NULL, key_pem, err, errlen) == -1)
		goto done;
	if (chain_pem != NULL &&
	    pkix_certs_pem(o.certs, 1, chain_pem, err, errlen) == -1)
		goto done;
	rc = 0;
done:
	if (rc == -1) {
		pki_pem_free(*cert_pem);
		pki_pem_free(*key_pem);
		*cert_pem = *key_pem = NULL;
	}
	pkix_objs_free(&o);
	return rc;
}

/* Server when the EKU has serverAuth, CA when basicConstraints says so,
   user otherwise. */
static enum pkix_profile
profile_of(X509 *x)
{
	uint32_t	xku;

	if (pkix_is_ca(x))
		return PKIX_PROFILE_CA;
	xku = X509_get_extended_key_usage(x);
	if ((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) && (xku & XKU_SSL_SERVER))
		return PKIX_PROFILE_SERVER;
	return PKIX_PROFILE_USER;
}

int
pki_cert_renew(const char *cert_pem, const char *key_pem, int keep_key,
    const struct pki_req *req, const char *ca_cert, const char *ca_key,
    char **new_cert, char **new_key, struct pki_warn *warn, char *err,
    size_t errlen)
{
	struct pkix_sans	 sans = { 0 };
	struct pkix_issue	 is;
	enum pkix_profile	 prof;
	X509			*old = NULL, *ca = NULL;
	EVP_PKEY		*key = NULL, *cakey = NULL, *pub;
	GENERAL_NAMES		*oldsan = NULL;
	char			*cn = NULL;
	int			 days, self, rc = -1;

	*new_cert = *new_key = NULL;
	pkix_init();
	if ((old = pkix_cert_from_pem(cert_pem, "certificate", err,
	    errlen)) == NULL)
		goto done;
	prof = profile_of(old);
	self = prof == PKIX_PROFILE_CA && ca_cert == NULL;
	if (self && X509_self_signed(old, 0) != 1) {
		pkix_err(err, errlen, "an intermediate CA is renewed by the CA "
		    "that issued it");
		goto done;
	}
	if (pkix_days(req->days, prof, warn, &days, err, errlen) == -1)
		goto done;
	if (prof != PKIX_PROFILE_CA) {
		oldsan = X509_get_ext_d2i(old, NID_subject_alt_name, NULL, NULL);
		cn = pkix_name_cn(X509_get_subject_name(old));
		if (pkix_sans_for(NULL, prof, cn, oldsan, &sans, warn, err,
		    errlen) == -1)
			goto done;
	}
	if (!self) {
		if (pkix_ca_pair(ca_cert, ca_key, &ca, &cakey, err, errlen) == -1)
			goto done;
		if (X509_NAME_cmp(X509_get_issuer_name(old),
		    X509_get_subject_name(ca)) != 0)
			pkix_warn(warn, "the certificate was issued by another "
			    "CA; the renewed one is issued by the CA given");
	}
	if (key_pem != NULL && key_pem[0] != '\0') {
		if ((key = pkix_key_from_pem(key_pem, "private key", err,
		    errlen)) == NULL)
			goto done;
		if (!pkix_key_matches(old, key)) {
			pkix_err(err, errlen, "the private key does not match "
			    "the certificate");
			goto done;
		}
	}
	if (keep_key) {
		if (self && key == NULL) {
			pkix_err(err, errlen, "renewing a CA needs its private "
			    "key");
			goto done;
		}
		pub = key != NULL ? key : X509_get0_pubkey(old);
		if (pkix_key_ok(pub, "the certificate's key", err, errlen) == -1)
			goto done;
	} else {
		EVP_PKEY_free(key);
		if ((key = pkix_keygen(req->key, err, errlen)) == NULL)
			goto done;
		pub = key;
		if (self)
			pkix_warn(warn, "the CA has a new key: certificates "
			    "issued under the old key no longer chain to it");
	}
	memset(&is, 0, sizeof(is));
	is.profile = prof;
	is.subject = X509_get_subject_name(old);
	is.pub = pub;
	is.ca = ca;
	is.sign_key = self ? key : cakey;
	is.digest = req->digest;
	is.days = days;
	is.serial = req->serial;
	is.san = sans.gens;
	is.crl_uri = req->crl_uri;
	rc = pkix_issue_pem(&is, key, new_cert, new_key, warn, err, errlen);
done:
	free(cn);
	GENERAL_NAMES_free(oldsan);
	pkix_sans_free(&sans);
	X509_free(old);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(cakey);
	return rc;
}

int
pki_cert_pem(const void *buf, size_t len, char **pem, char *err,
    size_t errlen)
{
	struct pkix_objs	o;
	int			rc;

	*pem = NULL;
	if (pkix_load(buf, len, NULL, &o, err, errlen) == -1)
		return -1;
	if (sk_X509_num(o.certs) == 0)
		rc = pkix_err(err, errlen, "no certificate found");
	else
		rc = pkix_cert_pem(sk_X509_value(o.certs, 0), pem, err, errlen);
	pkix_objs_free(&o);
	return rc;
}

int
pki_cert_der(const char *pem, uint8_t **der, size_t *derlen, char *err,
    size_t errlen)
{
	X509		*x;
	unsigned char	*p = NULL;
	int		 n;

	*der = NULL;
	*derlen = 0;
	if ((x = pkix_cert_from_pem(pem, "certificate", err, errlen)) == NULL)
		return -1;
	n = i2d_X509(x, &p);
	X509_free(x);
	if (n <= 0)
		return pkix_err_ssl(err, errlen, "cannot encode the certificate");
	if ((*der = malloc((size_t)n)) == NULL) {
		OPENSSL_free(p);
		return pkix_err(err, errlen, "out of memory");
	}
	memcpy(*der, p, (size_t)n);
	*derlen = (size_t)n;
	OPENSSL_free(p);
	return 0;
}
