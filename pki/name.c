/*
 * Names: subject DNs as the forms give them, and subjectAltNames.
 *
 * DN attributes are checked before OpenSSL sees them: valid UTF-8, no
 * control characters, RFC 5280 Appendix A upper bounds counted in
 * characters, and a real ISO 3166-1 alpha-2 country.  SANs are typed and
 * checked by syntax, and built as GENERAL_NAMEs directly -- never through
 * OpenSSL's "DNS:a,IP:b" configuration strings, which a comma in a value
 * could subvert.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>

#include "pki_internal.h"

/* ---------------------------------------------------------------- UTF-8 */

/*
 * Decodes one code point from s (NUL-terminated).  Returns its length in
 * bytes, or 0 for an invalid sequence: overlong forms, surrogates, values
 * above U+10FFFF, truncated or stray continuation bytes.
 */
static size_t
utf8_next(const unsigned char *s, unsigned long *cp)
{
	unsigned long	v;
	size_t		n, i;
	unsigned long	min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2; v = s[0] & 0x1f; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3; v = s[0] & 0x0f; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4; v = s[0] & 0x07; min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

int
pkix_utf8_ok(const char *s, size_t *nchars)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned long		 cp;
	size_t			 n, count = 0;

	while (*p != '\0') {
		if ((n = utf8_next(p, &cp)) == 0)
			return 0;
		/* C0 controls, DEL and C1 controls */
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return 0;
		p += n;
		count++;
	}
	if (nchars != NULL)
		*nchars = count;
	return 1;
}

/* ---------------------------------------------------------------- countries */

/* ISO 3166-1 alpha-2, the 249 officially assigned codes. */
static const char countries[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ "
    "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ "
    "EC EE EG EH ER ES ET "
    "FI FJ FK FM FO FR "
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
    "HK HM HN HR HT HU "
    "ID IE IL IM IN IO IQ IR IS IT "
    "JE JM JO JP "
    "KE KG KH KI KM KN KP KR KW KY KZ "
    "LA LB LC LI LK LR LS LT LU LV LY "
    "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ "
    "NA NC NE NF NG NI NL NO NP NR NU NZ "
    "OM "
    "PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA "
    "RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ "
    "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ "
    "UA UG UM US UY UZ "
    "VA VC VE VG VI VN VU "
    "WF WS "
    "YE YT "
    "ZA ZM ZW";

int
pkix_country_ok(const char *c)
{
	const char	*p;

	if (c == NULL || strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' ||
	    c[1] < 'A' || c[1] > 'Z')
		return 0;
	for (p = countries; *p != '\0'; p += 3) {
		if (p[0] == c[0] && p[1] == c[1])
			return 1;
		if (p[2] == '\0')
			break;
	}
	return 0;
}

/* ---------------------------------------------------------------- DN */

static const struct dnfield {
	const char	*label;
	int		 nid;
	size_t		 max;		/* RFC 5280 Appendix A upper bound */
	size_t		 off;
} dnfields[] = {
	/* X.500 order, country first; printed reversed (CN first). */
	{ "Country",		 NID_countryName,		2,  offsetof(struct pki_dn, c) },
	{ "State",		 NID_stateOrProvinceName,	128, offsetof(struct pki_dn, st) },
	{ "City",		 NID_localityName,		128, offsetof(struct pki_dn, l) },
	{ "Organization",	 NID_organizationName,		64, offsetof(struct pki_dn, o) },
	{ "Organizational Unit", NID_organizationalUnitName,	64, offsetof(struct pki_dn, ou) },
	{ "Common Name",	 NID_commonName,		64, offsetof(struct pki_dn, cn) },
};
#define NDNFIELDS (sizeof(dnfields) / sizeof(dnfields[0]))

static const char *
dn_get(const struct pki_dn *dn, const struct dnfield *f)
{
	const char	*v;

	memcpy(&v, (const char *)dn + f->off, sizeof(v));
	return v;
}

int
pki_dn_check(const struct pki_dn *dn, char *err, size_t errlen)
{
	const char	*v;
	size_t		 i, n;

	if (dn == NULL || dn->cn == NULL || dn->cn[0] == '\0')
		return pkix_err(err, errlen, "Common Name is required");
	for (i = 0; i < NDNFIELDS; i++) {
		v = dn_get(dn, &dnfields[i]);
		if (v == NULL || v[0] == '\0')
			continue;
		if (!pkix_utf8_ok(v, &n))
			return pkix_err(err, errlen, "%s contains control "
			    "characters or is not valid UTF-8",
			    dnfields[i].label);
		if (dnfields[i].nid == NID_countryName) {
			if (!pkix_country_ok(v))
				return pkix_err(err, errlen, "Country must be a "
				    "two-letter ISO 3166 code in capitals "
				    "(\"DE\", \"US\"), not \"%.16s\"", v);
			continue;
		}
		if (n > dnfields[i].max)
			return pkix_err(err, errlen, "%s is %zu characters long; "
			    "at most %zu are allowed", dnfields[i].label, n,
			    dnfields[i].max);
		if (v[0] == ' ' || v[strlen(v) - 1] == ' ')
			return pkix_err(err, errlen, "%s must not begin or end "
			    "with a space", dnfields[i].label);
	}
	return 0;
}

X509_NAME *
pkix_name_build(const struct pki_dn *dn, char *err, size_t errlen)
{
	X509_NAME	*name;
	const char	*v;
	size_t		 i;

	if (pki_dn_check(dn, err, errlen) == -1)
		return NULL;
	if ((name = X509_NAME_new()) == NULL) {
		pkix_err(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < NDNFIELDS; i++) {
		v = dn_get(dn, &dnfields[i]);
		if (v == NULL || v[0] == '\0')
			continue;
		if (!X509_NAME_add_entry_by_NID(name, dnfields[i].nid,
		    MBSTRING_UTF8, (const unsigned char *)v, -1, -1, 0)) {
			pkix_err_ssl(err, errlen, "cannot set %s",
			    dnfields[i].label);
			X509_NAME_free(name);
			return NULL;
		}
	}
	return name;
}

char *
pkix_name_cn(const X509_NAME *n)
{
	const X509_NAME_ENTRY	*e;
	unsigned char		*u = NULL;
	char			*s = NULL;
	int			 i, len;

	if ((i = X509_NAME_get_index_by_NID(n, NID_commonName, -1)) < 0)
		return NULL;
	e = X509_NAME_get_entry(n, i);
	len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(e));
	if (len < 0) {
		ERR_clear_error();
		return NULL;
	}
	if (memchr(u, '\0', (size_t)len) == NULL && (s = malloc((size_t)len + 1)) != NULL) {
		memcpy(s, u, (size_t)len);
		s[len] = '\0';
	}
	OPENSSL_free(u);
	return s;
}

char *
pkix_name_str(const X509_NAME *n)
{
	BIO		*bio;
	char		*s = NULL;
	unsigned long	 flags;

	/* RFC 2253/4514 escaping and order, but UTF-8 shown as it is. */
	flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (X509_NAME_print_ex(bio, n, 0, flags) >= 0)
		s = pkix_bio_str(bio);
	BIO_free(bio);
	ERR_clear_error();
	return s;
}

/* ---------------------------------------------------------------- syntax */

static int
label_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	}
	return 1;
}

int
pkix_hostname_ok(const char *s, int allow_wildcard)
{
	const char	*p, *dot;
	size_t		 len;

	if (s == NULL || (len = strlen(s)) == 0 || len > 253)
		return 0;
	p = s;
	if (allow_wildcard && p[0] == '*' && p[1] == '.')
		p += 2;	/* "*." then at least one more label */
	for (;;) {
		dot = strchr(p, '.');
		if (!label_ok(p, dot != NULL ? (size_t)(dot - p) : strlen(p)))
			return 0;
		if (dot == NULL)
			return 1;
		p = dot + 1;
	}
}

int
pkix_email_ok(const char *s)
{
	const char	*at, *p;
	size_t		 local;

	if (s == NULL || strlen(s) > 254 || (at = strchr(s, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++) {
		/* RFC 5322 atext and dots, no quoted local parts */
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$%&'*+-/=?^_`{|}~", *p)
		    != NULL)
			continue;
		if (*p == '.' && p[1] != '.')
			continue;
		return 0;
	}
	return pkix_hostname_ok(at + 1, 0) && strchr(at + 1, '.') != NULL;
}

int
pkix_uri_ok(const char *s)
{
	const char	*p;

	if (s == NULL || strlen(s) > 2048)
		return 0;
	/* scheme ":" then something, RFC 3986 3.1 */
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (p = s + 1; *p != ':'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' ||
		    *p == '.'))
			return 0;
	}
	if (p[1] == '\0')
		return 0;
	for (p++; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"<>\\^`{|}", *p) != NULL)
			return 0;
	return 1;
}

/* ---------------------------------------------------------------- SAN lists */

int
pkix_sans_init(struct pkix_sans *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if ((s->gens = GENERAL_NAMES_new()) == NULL)
		return pkix_err(err, errlen, "out of memory");
	return 0;
}

void
pkix_sans_free(struct pkix_sans *s)
{
	GENERAL_NAMES_free(s->gens);
	s->gens = NULL;
}

/* 1 when a name of this type with these bytes is already in the list. */
static int
sans_has(const struct pkix_sans *s, int type, const unsigned char *v,
    size_t len)
{
	const GENERAL_NAME	*g;
	const ASN1_STRING	*str;
	int			 i, gtype;

	for (i = 0; i < sk_GENERAL_NAME_num(s->gens); i++) {
		g = sk_GENERAL_NAME_value(s->gens, i);
		str = GENERAL_NAME_get0_value(g, &gtype);
		if (gtype != type || str == NULL ||
		    (size_t)ASN1_STRING_length(str) != len)
			continue;
		if (type == GEN_IPADD || type == GEN_URI) {
			if (memcmp(ASN1_STRING_get0_data(str), v, len) == 0)
				return 1;
		} else if (strncasecmp((const char *)ASN1_STRING_get0_data(str),
		    (const char *)v, len) == 0)
			return 1;
	}
	return 0;
}

static int
sans_push(struct pkix_sans *s, int type, const unsigned char *v, size_t len,
    char *err, size_t errlen)
{
	GENERAL_NAME	*g = NULL;
	ASN1_STRING	*str = NULL;

	if (sk_GENERAL_NAME_num(s->gens) >= PKIX_MAX_SANS)
		return pkix_err(err, errlen, "too many subject alternative "
		    "names (at most %d)", PKIX_MAX_SANS);
	str = type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
	if (str == NULL || !ASN1_STRING_set(str, v, (int)len) ||
	    (g = GENERAL_NAME_new()) == NULL)
		goto fail;
	GENERAL_NAME_set0_value(g, type, str);
	str = NULL;
	if (!sk_GENERAL_NAME_push(s->gens, g))
		goto fail;
	return 0;
fail:
	ASN1_STRING_free(str);
	GENERAL_NAME_free(g);
	return pkix_err(err, errlen, "out of memory");
}

int
pkix_sans_add(struct pkix_sans *s, enum pki_san_type type, const char *value,
    char *err, size_t errlen)
{
	unsigned char	 ip[16];
	char		 text[INET6_ADDRSTRLEN];
	size_t		 iplen;
	int		 af;

	if (value == NULL || value[0] == '\0')
		return pkix_err(err, errlen, "empty subject alternative name");
	switch (type) {
	case PKI_SAN_DNS:
		if (!pkix_hostname_ok(value, 1))
			return pkix_err(err, errlen, "\"%.80s\" is not a valid "
			    "host name (letters, digits, '-' and dots; "
			    "international names in punycode)", value);
		if (sans_has(s, GEN_DNS, (const unsigned char *)value,
		    strlen(value)))
			return 0;
		if (sans_push(s, GEN_DNS, (const unsigned char *)value,
		    strlen(value), err, errlen) == -1)
			return -1;
		s->dns++;
		if (value[0] == '*')
			s->wild++;
		return 0;
	case PKI_SAN_IP:
		if (inet_pton(AF_INET, value, ip) == 1) {
			af = AF_INET;
			iplen = 4;
		} else if (inet_pton(AF_INET6, value, ip) == 1) {
			af = AF_INET6;
			iplen = 16;
		} else
			return pkix_err(err, errlen, "\"%.80s\" is not an IPv4 "
			    "or IPv6 address", value);
		if (inet_ntop(af, ip, text, sizeof(text)) == NULL)
			return pkix_err(err, errlen, "cannot format address");
		if (!sans_has(s, GEN_IPADD, ip, iplen)) {
			if (sans_push(s, GEN_IPADD, ip, iplen, err, errlen) == -1)
				return -1;
			s->ip++;
		}
		/* Windows checks the address it dialled against dNSNames. */
		if (!sans_has(s, GEN_DNS, (unsigned char *)text, strlen(text)))
			return sans_push(s, GEN_DNS, (unsigned char *)text,
			    strlen(text), err, errlen);
		return 0;
	case PKI_SAN_EMAIL:
		if (!pkix_email_ok(value))
			return pkix_err(err, errlen, "\"%.80s\" is not a valid "
			    "e-mail address", value);
		if (sans_has(s, GEN_EMAIL, (const unsigned char *)value,
		    strlen(value)))
			return 0;
		if (sans_push(s, GEN_EMAIL, (const unsigned char *)value,
		    strlen(value), err, errlen) == -1)
			return -1;
		s->email++;
		return 0;
	case PKI_SAN_URI:
		if (!pkix_uri_ok(value))
			return pkix_err(err, errlen, "\"%.80s\" is not a valid "
			    "URI (scheme:rest, printable ASCII)", value);
		if (sans_has(s, GEN_URI, (const unsigned char *)value,
		    strlen(value)))
			return 0;
		if (sans_push(s, GEN_URI, (const unsigned char *)value,
		    strlen(value), err, errlen) == -1)
			return -1;
		s->uri++;
		return 0;
	}
	return pkix_err(err, errlen, "unknown subject alternative name type %d",
	    (int)type);
}

int
pkix_sans_add_gen(struct pkix_sans *s, const GENERAL_NAME *g, char *err,
    size_t errlen)
{
	const ASN1_STRING	*str;
	char			 buf[2100];
	int			 type, len;
	enum pki_san_type	 t;

	str = GENERAL_NAME_get0_value(g, &type);
	if (str == NULL)
		return pkix_err(err, errlen, "empty subject alternative name");
	len = ASN1_STRING_length(str);
	switch (type) {
	case GEN_IPADD:
		if (len == 4)
			inet_ntop(AF_INET, ASN1_STRING_get0_data(str), buf,
			    sizeof(buf));
		else if (len == 16)
			inet_ntop(AF_INET6, ASN1_STRING_get0_data(str), buf,
			    sizeof(buf));
		else
			return pkix_err(err, errlen, "malformed IP address "
			    "in the subject alternative names");
		return pkix_sans_add(s, PKI_SAN_IP, buf, err, errlen);
	case GEN_DNS:
		t = PKI_SAN_DNS;
		break;
	case GEN_EMAIL:
		t = PKI_SAN_EMAIL;
		break;
	case GEN_URI:
		t = PKI_SAN_URI;
		break;
	default:
		return pkix_err(err, errlen, "unsupported subject alternative "
		    "name type (only DNS, IP, e-mail and URI are kept)");
	}
	if (len <= 0 || (size_t)len >= sizeof(buf) ||
	    memchr(ASN1_STRING_get0_data(str), '\0', (size_t)len) != NULL)
		return pkix_err(err, errlen, "malformed subject alternative name");
	memcpy(buf, ASN1_STRING_get0_data(str), (size_t)len);
	buf[len] = '\0';
	return pkix_sans_add(s, t, buf, err, errlen);
}

int
pkix_sans_add_cn(struct pkix_sans *s, const char *cn, char *err,
    size_t errlen)
{
	unsigned char	ip[16];

	if (cn == NULL || cn[0] == '\0')
		return 0;
	if (inet_pton(AF_INET, cn, ip) == 1 || inet_pton(AF_INET6, cn, ip) == 1)
		return pkix_sans_add(s, PKI_SAN_IP, cn, err, errlen) == -1 ? -1 : 1;
	if (strchr(cn, '@') != NULL) {
		if (!pkix_email_ok(cn))
			return 0;
		return pkix_sans_add(s, PKI_SAN_EMAIL, cn, err, errlen) == -1 ?
		    -1 : 1;
	}
	if (pkix_hostname_ok(cn, 1))
		return pkix_sans_add(s, PKI_SAN_DNS, cn, err, errlen) == -1 ?
		    -1 : 1;
	return 0;
}
