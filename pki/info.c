/*
 * Certificate details as JSON for the certificate manager's pages.  Every
 * string that comes from a certificate is made safe for JSON: text that is
 * not valid UTF-8 or holds control characters is shown with \xNN escapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "pki_internal.h"

#define OID_IKE_INTERMEDIATE	"1.3.6.1.5.5.8.2.2"

/* A JSON string of len bytes, escaping anything unprintable or not UTF-8. */
static json_t *
jstr_bytes(const unsigned char *s, size_t len)
{
	char	*buf, *tmp;
	json_t	*j;
	size_t	 i, o = 0;

	if (len > 4096)
		len = 4096;
	if ((tmp = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (memchr(s, '\0', len) == NULL && pkix_utf8_ok(tmp, NULL)) {
		j = json_string(tmp);
		free(tmp);
		return j;
	}
	free(tmp);
	if ((buf = malloc(len * 4 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f)
			buf[o++] = (char)s[i];
		else
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", s[i]);
	}
	buf[o] = '\0';
	j = json_string(buf);
	free(buf);
	return j;
}

static json_t *
jstr(const char *s)
{
	if (s == NULL)
		return json_string("");
	return jstr_bytes((const unsigned char *)s, strlen(s));
}

json_t *
pkix_gens_json(const GENERAL_NAMES *gens)
{
	json_t			*arr, *e;
	const GENERAL_NAME	*g;
	const ASN1_STRING	*str;
	char			 ip[INET6_ADDRSTRLEN];
	const char		*type;
	int			 i, t;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		str = GENERAL_NAME_get0_value(g, &t);
		if ((e = json_object()) == NULL)
			break;
		switch (t) {
		case GEN_DNS:
			type = "dns";
			break;
		case GEN_EMAIL:
			type = "email";
			break;
		case GEN_URI:
			type = "uri";
			break;
		case GEN_IPADD:
			type = "ip";
			break;
		default:
			type = "other";
			break;
		}
		json_object_set_new(e, "type", json_string(type));
		if (t == GEN_IPADD && str != NULL &&
		    (ASN1_STRING_length(str) == 4 ||
		    ASN1_STRING_length(str) == 16) &&
		    inet_ntop(ASN1_STRING_length(str) == 4 ? AF_INET : AF_INET6,
		    ASN1_STRING_get0_data(str), ip, sizeof(ip)) != NULL)
			json_object_set_new(e, "value", json_string(ip));
		else if ((t == GEN_DNS || t == GEN_EMAIL || t == GEN_URI) &&
		    str != NULL)
			json_object_set_new(e, "value", jstr_bytes(
			    ASN1_STRING_get0_data(str),
			    (size_t)ASN1_STRING_length(str)));
		else
			json_object_set_new(e, "value", json_string(""));
		json_array_append_new(arr, e);
	}
	return arr;
}

static json_t *
fingerprint(X509 *x, const EVP_MD *md)
{
	unsigned char	d[EVP_MAX_MD_SIZE];
	unsigned int	n = 0, i;
	char		buf[EVP_MAX_MD_SIZE * 3 + 1];

	if (!X509_digest(x, md, d, &n)) {
		ERR_clear_error();
		return json_string("");
	}
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(buf + 3 * i, sizeof(buf) - 3 * i, i + 1 < n ? "%02X:" :
		    "%02X", d[i]);
	return json_string(buf);
}

static json_t *
eku_json(X509 *x)
{
	EXTENDED_KEY_USAGE	*eku;
	ASN1_OBJECT		*obj;
	json_t			*arr;
	char			 buf[128];
	int			 i, nid;

	if ((arr = json_array()) == NULL)
		return NULL;
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	for (i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
		obj = sk_ASN1_OBJECT_value(eku, i);
		if (OBJ_obj2txt(buf, sizeof(buf), obj, 1) <= 0)
			continue;
		nid = OBJ_obj2nid(obj);
		if (strcmp(buf, OID_IKE_INTERMEDIATE) == 0)
			json_array_append_new(arr, json_string("ikeIntermediate"));
		else if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
			json_array_append_new(arr, json_string(OBJ_nid2sn(nid)));
		else
			json_array_append_new(arr, json_string(buf));
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	ERR_clear_error();
	return arr;
}

static json_t *
ku_json(X509 *x)
{
	static const struct {
		uint32_t	 bit;
		const char	*name;
	} kus[] = {
		{ KU_DIGITAL_SIGNATURE,	"digitalSignature" },
		{ KU_NON_REPUDIATION,	"nonRepudiation" },
		{ KU_KEY_ENCIPHERMENT,	"keyEncipherment" },
		{ KU_DATA_ENCIPHERMENT,	"dataEncipherment" },
		{ KU_KEY_AGREEMENT,	"keyAgreement" },
		{ KU_KEY_CERT_SIGN,	"keyCertSign" },
		{ KU_CRL_SIGN,		"cRLSign" },
		{ KU_ENCIPHER_ONLY,	"encipherOnly" },
		{ KU_DECIPHER_ONLY,	"decipherOnly" },
	};
	json_t		*arr;
	uint32_t	 ku;
	size_t		 i;

	if ((arr = json_array()) == NULL)
		return NULL;
	if (!(X509_get_extension_flags(x) & EXFLAG_KUSAGE))
		return arr;
	ku = X509_get_key_usage(x);
	for (i = 0; i < sizeof(kus) / sizeof(kus[0]); i++)
		if (ku & kus[i].bit)
			json_array_append_new(arr, json_string(kus[i].name));
	return arr;
}

static json_t *
crl_uris_json(X509 *x)
{
	CRL_DIST_POINTS		*dps;
	DIST_POINT		*dp;
	const GENERAL_NAME	*g;
	const ASN1_STRING	*s;
	json_t			*arr;
	int			 i, k, t;

	if ((arr = json_array()) == NULL)
		return NULL;
	dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	for (i = 0; dps != NULL && i < sk_DIST_POINT_num(dps); i++) {
		dp = sk_DIST_POINT_value(dps, i);
		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (k = 0; k < sk_GENERAL_NAME_num(dp->distpoint->name.fullname);
		    k++) {
			g = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, k);
			s = GENERAL_NAME_get0_value(g, &t);
			if (t == GEN_URI && s != NULL)
				json_array_append_new(arr, jstr_bytes(
				    ASN1_STRING_get0_data(s),
				    (size_t)ASN1_STRING_length(s)));
		}
	}
	CRL_DIST_POINTS_free(dps);
	ERR_clear_error();
	return arr;
}

static void
set_time(json_t *j, const char *key, const char *isokey, const ASN1_TIME *t)
{
	time_t	v;
	char	iso[32];

	if (pkix_time(t, &v) == -1)
		return;
	pkix_iso(v, iso, sizeof(iso));
	json_object_set_new(j, key, json_integer((json_int_t)v));
	json_object_set_new(j, isokey, json_string(iso));
}

json_t *
pkix_cert_json(X509 *x)
{
	json_t		*j;
	GENERAL_NAMES	*gens;
	EVP_PKEY	*pub;
	char		*s, buf[80];
	time_t		 na;

	if ((j = json_object()) == NULL)
		return NULL;
	s = pkix_name_str(X509_get_subject_name(x));
	json_object_set_new(j, "subject", jstr(s));
	free(s);
	s = pkix_name_str(X509_get_issuer_name(x));
	json_object_set_new(j, "issuer", jstr(s));
	free(s);
	s = pkix_name_cn(X509_get_subject_name(x));
	json_object_set_new(j, "cn", jstr(s));
	free(s);
	set_time(j, "not_before", "not_before_iso", X509_get0_notBefore(x));
	set_time(j, "not_after", "not_after_iso", X509_get0_notAfter(x));
	if (pkix_time(X509_get0_notAfter(x), &na) == 0)
		json_object_set_new(j, "expired", json_boolean(na < time(NULL)));
	if ((pub = X509_get0_pubkey(x)) != NULL)
		pkix_key_desc(pub, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "unknown");
	json_object_set_new(j, "key", json_string(buf));
	json_object_set_new(j, "sha1", fingerprint(x, EVP_sha1()));
	json_object_set_new(j, "sha256", fingerprint(x, EVP_sha256()));
	pkix_serial_hex(X509_get0_serialNumber(x), buf, sizeof(buf));
	json_object_set_new(j, "serial", json_string(buf));
	json_object_set_new(j, "is_ca", json_boolean(pkix_is_ca(x)));
	json_object_set_new(j, "self_signed", json_boolean(X509_self_signed(x,
	    0) == 1));
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	json_object_set_new(j, "san", pkix_gens_json(gens));
	GENERAL_NAMES_free(gens);
	json_object_set_new(j, "eku", eku_json(x));
	json_object_set_new(j, "key_usage", ku_json(x));
	json_object_set_new(j, "crl_uris", crl_uris_json(x));
	ERR_clear_error();
	return j;
}

int
pki_cert_info(const void *buf, size_t len, struct json_t **out, char *err,
    size_t errlen)
{
	struct pkix_objs	o;
	int			rc = -1;

	*out = NULL;
	if (pkix_load(buf, len, NULL, &o, err, errlen) == -1)
		return -1;
	if (sk_X509_num(o.certs) == 0)
		pkix_err(err, errlen, "no certificate found");
	else if ((*out = pkix_cert_json(sk_X509_value(o.certs, 0))) == NULL)
		pkix_err(err, errlen, "out of memory");
	else
		rc = 0;
	pkix_objs_free(&o);
	return rc;
}
