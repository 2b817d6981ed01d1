/*
 * Certificate revocation lists: building one for a local CA (RFC 5280 5),
 * checking an imported one against its CA, and fetching one by URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "pki_internal.h"

#define CRL_DEFAULT_DAYS	30
#define CRL_FETCH_MAX		(10u * 1024 * 1024)
#define CRL_CONNECT_TIMEOUT	10
#define CRL_TOTAL_TIMEOUT	60

static const char *const reason_names[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", "certificateHold",
};

const char *
pki_crl_reason_name(int reason)
{
	if (reason < 0 ||
	    (size_t)reason >= sizeof(reason_names) / sizeof(reason_names[0]))
		return "?";
	return reason_names[reason];
}

static int
add_entry(X509_CRL *crl, const struct pki_revoked *rv, time_t now, char *err,
    size_t errlen)
{
	X509_REVOKED	*r = NULL;
	ASN1_INTEGER	*serial = NULL;
	ASN1_TIME	*t = NULL;
	ASN1_ENUMERATED	*reason = NULL;
	int		 rc = -1;

	if (rv->serial == NULL)
		return pkix_err(err, errlen, "a revoked entry has no serial");
	if (rv->reason < PKI_CRL_UNSPECIFIED ||
	    rv->reason > PKI_CRL_CERTIFICATE_HOLD)
		return pkix_err(err, errlen, "invalid revocation reason %d for "
		    "serial %.48s", rv->reason, rv->serial);
	if ((serial = pkix_serial(rv->serial, err, errlen)) == NULL)
		return -1;
	if ((r = X509_REVOKED_new()) == NULL ||
	    (t = ASN1_TIME_adj(NULL, rv->when != 0 ? rv->when : now, 0, 0)) ==
	    NULL ||
	    !X509_REVOKED_set_serialNumber(r, serial) ||
	    !X509_REVOKED_set_revocationDate(r, t))
		goto fail;
	/* RFC 5280 5.3.1: "unspecified" SHOULD NOT be sent as a reason. */
	if (rv->reason != PKI_CRL_UNSPECIFIED) {
		if ((reason = ASN1_ENUMERATED_new()) == NULL ||
		    !ASN1_ENUMERATED_set(reason, rv->reason) ||
		    X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, reason, 0, 0) != 1)
			goto fail;
	}
	if (!X509_CRL_add0_revoked(crl, r))
		goto fail;
	r = NULL;
	rc = 0;
	goto done;
fail:
	pkix_err_ssl(err, errlen, "cannot add serial %.48s to the CRL",
	    rv->serial);
done:
	X509_REVOKED_free(r);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(t);
	ASN1_ENUMERATED_free(reason);
	return rc;
}

static int
add_crl_akid(X509_CRL *crl, X509 *ca)
{
	AUTHORITY_KEYID		*akid;
	const ASN1_OCTET_STRING	*id;
	unsigned char		 buf[20];
	int			 ok = 0;

	if ((akid = AUTHORITY_KEYID_new()) == NULL)
		return 0;
	if ((id = X509_get0_subject_key_id(ca)) != NULL)
		akid->keyid = ASN1_OCTET_STRING_dup(id);
	else if (pkix_keyid(X509_get_X509_PUBKEY(ca), buf) == 0 &&
	    (akid->keyid = ASN1_OCTET_STRING_new()) != NULL &&
	    !ASN1_OCTET_STRING_set(akid->keyid, buf, sizeof(buf))) {
		ASN1_OCTET_STRING_free(akid->keyid);
		akid->keyid = NULL;
	}
	if (akid->keyid != NULL)
		ok = X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier,
		    akid, 0, 0) == 1;
	AUTHORITY_KEYID_free(akid);
	return ok;
}

/* 1 when two entries share a serial (the CRL would be ambiguous). */
static int
has_duplicate(X509_CRL *crl)
{
	STACK_OF(X509_REVOKED)	*rs = X509_CRL_get_REVOKED(crl);
	int			 i;

	for (i = 1; i < sk_X509_REVOKED_num(rs); i++)
		if (ASN1_INTEGER_cmp(
		    X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(rs, i - 1)),
		    X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(rs, i)))
		    == 0)
			return 1;
	return 0;
}

int
pki_crl_create(const char *ca_cert, const char *ca_key,
    const struct pki_revoked *rev, size_t n, uint64_t crl_number,
    int next_days, char **crl_pem, char *err, size_t errlen)
{
	X509_CRL	*crl = NULL;
	X509		*ca = NULL;
	EVP_PKEY	*key = NULL;
	ASN1_TIME	*last = NULL, *next = NULL;
	ASN1_INTEGER	*num = NULL;
	time_t		 now = time(NULL);
	size_t		 i;
	int		 rc = -1;

	*crl_pem = NULL;
	pkix_init();
	if (next_days == 0)
		next_days = CRL_DEFAULT_DAYS;
	if (next_days < 1 || next_days > PKIX_MAX_DAYS)
		return pkix_err(err, errlen, "the CRL lifetime must be between 1 "
		    "and %d days", PKIX_MAX_DAYS);
	if (n > 0 && rev == NULL)
		return pkix_err(err, errlen, "revoked list missing");
	if (pkix_ca_pair(ca_cert, ca_key, &ca, &key, err, errlen) == -1)
		return -1;
	if ((X509_get_extension_flags(ca) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(ca) & KU_CRL_SIGN)) {
		pkix_err(err, errlen, "the CA's key usage does not allow signing "
		    "CRLs");
		goto done;
	}
	if ((crl = X509_CRL_new()) == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) ||
	    (last = ASN1_TIME_adj(NULL, now, 0, 0)) == NULL ||
	    (next = ASN1_TIME_adj(NULL, now, next_days, 0)) == NULL ||
	    !X509_CRL_set1_lastUpdate(crl, last) ||
	    !X509_CRL_set1_nextUpdate(crl, next))
		goto ssl_fail;
	for (i = 0; i < n; i++)
		if (add_entry(crl, &rev[i], now, err, errlen) == -1)
			goto done;
	if (!X509_CRL_sort(crl))
		goto ssl_fail;
	if (has_duplicate(crl)) {
		pkix_err(err, errlen, "a serial number appears twice in the "
		    "revoked list");
		goto done;
	}
	if ((num = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_uint64(num, crl_number) ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1 ||
	    !add_crl_akid(crl, ca))
		goto ssl_fail;
	if (X509_CRL_sign(crl, key, pkix_sign_md(key, PKI_MD_SHA256)) <= 0)
		goto ssl_fail;
	if (pkix_crl_pem(crl, crl_pem, err, errlen) == -1)
		goto done;
	rc = 0;
	goto done;
ssl_fail:
	pkix_err_ssl(err, errlen, "cannot build the CRL");
done:
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	X509_free(ca);
	EVP_PKEY_free(key);
	return rc;
}

int
pki_crl_der(const char *crl_pem, uint8_t **der, size_t *derlen, char *err,
    size_t errlen)
{
	struct pkix_objs	 o;
	unsigned char		*p = NULL;
	int			 n, rc = -1;

	*der = NULL;
	*derlen = 0;
	if (crl_pem == NULL)
		return pkix_err(err, errlen, "no CRL given");
	if (pkix_load(crl_pem, strlen(crl_pem), NULL, &o, err, errlen) == -1)
		return -1;
	if (o.crl == NULL) {
		pkix_err(err, errlen, "no CRL found");
		goto done;
	}
	if ((n = i2d_X509_CRL(o.crl, &p)) <= 0) {
		pkix_err_ssl(err, errlen, "cannot encode the CRL");
		goto done;
	}
	if ((*der = malloc((size_t)n)) == NULL) {
		pkix_err(err, errlen, "out of memory");
		goto done;
	}
	memcpy(*der, p, (size_t)n);
	*derlen = (size_t)n;
	rc = 0;
done:
	OPENSSL_free(p);
	pkix_objs_free(&o);
	return rc;
}

static json_t *
crl_json(X509_CRL *crl)
{
	json_t			*j, *entries, *e;
	STACK_OF(X509_REVOKED)	*rs;
	X509_REVOKED		*r;
	ASN1_INTEGER		*num;
	ASN1_ENUMERATED		*reason;
	const ASN1_TIME		*nu;
	char			*s, buf[64], iso[32];
	time_t			 t;
	long			 code;
	int			 i;

	if ((j = json_object()) == NULL)
		return NULL;
	s = pkix_name_str(X509_CRL_get_issuer(crl));
	json_object_set_new(j, "issuer", json_string(s != NULL ? s : ""));
	free(s);
	if (pkix_time(X509_CRL_get0_lastUpdate(crl), &t) == 0) {
		pkix_iso(t, iso, sizeof(iso));
		json_object_set_new(j, "last_update", json_integer(t));
		json_object_set_new(j, "last_update_iso", json_string(iso));
	}
	nu = X509_CRL_get0_nextUpdate(crl);
	if (nu != NULL && pkix_time(nu, &t) == 0) {
		pkix_iso(t, iso, sizeof(iso));
		json_object_set_new(j, "next_update", json_integer(t));
		json_object_set_new(j, "next_update_iso", json_string(iso));
		json_object_set_new(j, "expired", json_boolean(t < time(NULL)));
	} else
		json_object_set_new(j, "expired", json_false());
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	if (num != NULL) {
		pkix_serial_hex(num, buf, sizeof(buf));
		json_object_set_new(j, "number", json_string(buf));
		ASN1_INTEGER_free(num);
	}
	entries = json_array();
	rs = X509_CRL_get_REVOKED(crl);
	for (i = 0; i < sk_X509_REVOKED_num(rs); i++) {
		r = sk_X509_REVOKED_value(rs, i);
		if ((e = json_object()) == NULL)
			break;
		pkix_serial_hex(X509_REVOKED_get0_serialNumber(r), buf,
		    sizeof(buf));
		json_object_set_new(e, "serial", json_string(buf));
		if (pkix_time(X509_REVOKED_get0_revocationDate(r), &t) == 0) {
			pkix_iso(t, iso, sizeof(iso));
			json_object_set_new(e, "revoked", json_integer(t));
			json_object_set_new(e, "revoked_iso", json_string(iso));
		}
		code = 0;
		reason = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
		if (reason != NULL) {
			code = ASN1_ENUMERATED_get(reason);
			ASN1_ENUMERATED_free(reason);
		}
		json_object_set_new(e, "reason_code", json_integer(code));
		json_object_set_new(e, "reason",
		    json_string(pki_crl_reason_name((int)code)));
		json_array_append_new(entries, e);
	}
	json_object_set_new(j, "entries", entries);
	ERR_clear_error();
	return j;
}

/* Issuer and signature checks of a parsed CRL against a CA. */
static int
crl_check(X509_CRL *crl, X509 *ca, char *err, size_t errlen)
{
	char	*a, *b;
	int	 r;

	if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(ca)) != 0) {
		a = pkix_name_str(X509_CRL_get_issuer(crl));
		b = pkix_name_str(X509_get_subject_name(ca));
		pkix_err(err, errlen, "the CRL was issued by \"%.120s\", not by "
		    "this CA (\"%.120s\")", a != NULL ? a : "?",
		    b != NULL ? b : "?");
		free(a);
		free(b);
		return -1;
	}
	r = X509_CRL_verify(crl, X509_get0_pubkey(ca));
	if (r != 1)
		return pkix_err(err, errlen, "the CRL's signature does not verify "
		    "with the CA's key");
	return 0;
}

int
pki_crl_verify(const void *crl, size_t len, const char *ca_cert,
    char **crl_pem, struct json_t **info, char *err, size_t errlen)
{
	struct pkix_objs	 o;
	X509			*ca = NULL;
	int			 rc = -1;

	if (crl_pem != NULL)
		*crl_pem = NULL;
	if (info != NULL)
		*info = NULL;
	if ((ca = pkix_cert_from_pem(ca_cert, "CA certificate", err,
	    errlen)) == NULL)
		return -1;
	if (pkix_load(crl, len, NULL, &o, err, errlen) == -1) {
		X509_free(ca);
		return -1;
	}
	if (o.crl == NULL) {
		pkix_err(err, errlen, "no CRL found");
		goto done;
	}
	if (crl_check(o.crl, ca, err, errlen) == -1)
		goto done;
	if (crl_pem != NULL &&
	    pkix_crl_pem(o.crl, crl_pem, err, errlen) == -1)
		goto done;
	if (info != NULL && (*info = crl_json(o.crl)) == NULL) {
		pkix_err(err, errlen, "out of memory");
		if (crl_pem != NULL) {
			pki_pem_free(*crl_pem);
			*crl_pem = NULL;
		}
		goto done;
	}
	rc = 0;
done:
	X509_free(ca);
	pkix_objs_free(&o);
	return rc;
}

int
pki_crl_fetch(const char *url, char **crl_pem, char *err, size_t errlen)
{
	struct pkix_objs	 o;
	uint8_t			*buf = NULL;
	size_t			 len = 0;
	int			 rc = -1;

	*crl_pem = NULL;
	if (pkix_fetch(url, CRL_FETCH_MAX, CRL_CONNECT_TIMEOUT,
	    CRL_TOTAL_TIMEOUT, &buf, &len, err, errlen) == -1)
		return -1;
	if (pkix_load(buf, len, NULL, &o, err, errlen) == -1)
		goto done;
	if (o.crl == NULL)
		pkix_err(err, errlen, "%.200s did not return a CRL", url);
	else
		rc = pkix_crl_pem(o.crl, crl_pem, err, errlen);
	pkix_objs_free(&o);
done:
	free(buf);
	return rc;
}
