/* certmgr — see certmgr.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "certmgr.h"

const char *const cm_key_choices[] = {
	"rsa2048", "rsa3072", "rsa4096", "ec256", "ec384", "ec521", NULL,
};
const char *const cm_digest_choices[] = { "sha256", "sha384", "sha512", NULL };
const char *const cm_reason_choices[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", "certificateHold", NULL,
};

static const char *const reason_labels[] = {
	"Unspecified", "Key compromise", "CA compromise", "Affiliation changed",
	"Superseded", "Cessation of operation", "Certificate hold (can be undone)",
};

json_t *
cm_key_options(const char *selected)
{
	static const char *const labels[] = {
		"RSA 2048", "RSA 3072", "RSA 4096 (slow to generate)", "ECDSA P-256",
		"ECDSA P-384", "ECDSA P-521",
	};

	return form_options(cm_key_choices, labels, selected);
}

json_t *
cm_digest_options(const char *selected)
{
	static const char *const labels[] = { "SHA-256", "SHA-384", "SHA-512" };

	return form_options(cm_digest_choices, labels, selected);
}

json_t *
cm_reason_options(const char *selected)
{
	return form_options(cm_reason_choices, reason_labels, selected);
}

json_t *
cm_ca_options(struct web_req *r, int64_t selected)
{
	struct db_ca *cas = NULL;
	size_t n = 0, i;
	json_t *out = json_array();

	if (db_ca_list(r->app->db, &cas, &n) != 0)
		return out;
	for (i = 0; i < n; i++) {
		if (!cas[i].has_key)
			continue;
		json_array_append_new(out, json_pack("{s:I, s:s, s:b}", "value",
		    (json_int_t)cas[i].id, "label", cas[i].name, "selected", cas[i].id == selected));
	}
	db_ca_list_free(cas, n);
	return out;
}

/* ---------------------------------------------------------------- messages */

void
cm_sentence(const char *msg, char *out, size_t outlen)
{
	size_t n;

	snprintf(out, outlen, "%s", msg && *msg ? msg : "unknown error");
	/* "http://x: ..." keeps its case; anything else starts with a capital. */
	if (strstr(out, "://") == NULL || strcspn(out, " ") < (size_t)(strstr(out, "://") - out))
		out[0] = (char)toupper((unsigned char)out[0]);
	n = strlen(out);
	if (n > 0 && n + 1 < outlen && out[n - 1] != '.' && out[n - 1] != '?' &&
	    out[n - 1] != '!') {
		out[n] = '.';
		out[n + 1] = '\0';
	}
}

void
cm_field_error(struct form *f, const char *field, const char *msg)
{
	char s[600];

	cm_sentence(msg, s, sizeof(s));
	form_error(f, field, "%s", s);
}

/* ---------------------------------------------------------------- subject */

static const char *const dn_names[] = { "cn", "c", "st", "l", "o", "ou" };

static const char **
dn_slot(struct pki_dn *dn, size_t i)
{
	switch (i) {
	case 0: return &dn->cn;
	case 1: return &dn->c;
	case 2: return &dn->st;
	case 3: return &dn->l;
	case 4: return &dn->o;
	default: return &dn->ou;
	}
}

void
cm_dn_from_form(struct form *f, struct pki_dn *dn)
{
	struct pki_dn one;
	char err[256], up[8];
	const char *v;
	size_t i, k;

	/* "de" is what people type; the certificate wants "DE". */
	v = form_str(f, "c");
	if (*v && strlen(v) < sizeof(up)) {
		for (k = 0; v[k]; k++)
			up[k] = (char)toupper((unsigned char)v[k]);
		up[k] = '\0';
		form_set(f, "c", up);
	}
	memset(dn, 0, sizeof(*dn));
	for (i = 0; i < NFIELDS(dn_names); i++) {
		v = form_str(f, dn_names[i]);
		*dn_slot(dn, i) = *v ? v : NULL;
		if (*v == '\0' || json_object_get(f->errors, dn_names[i]))
			continue;
		/* Each attribute alone, so the message lands on its field. */
		memset(&one, 0, sizeof(one));
		one.cn = "x";
		*dn_slot(&one, i) = v;
		if (pki_dn_check(&one, err, sizeof(err)) == -1)
			cm_field_error(f, dn_names[i], err);
	}
}

/* ---------------------------------------------------------------- SANs */

static int
prefix(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

static int
uri_ok(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':' || p[1] == '\0')
		return 0;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>')
			return 0;
	return 1;
}

void
cm_sans_from_form(struct form *f, const char *field, struct pki_san **out, size_t *nout)
{
	size_t n = form_count(f, field), i;
	struct pki_san *v;
	const char *s;
	int ok;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		s = form_item(f, field, i);
		if (prefix(s, "DNS:")) {
			v[i].type = PKI_SAN_DNS;
			s += 4;
		} else if (prefix(s, "IP:")) {
			v[i].type = PKI_SAN_IP;
			s += 3;
		} else if (prefix(s, "email:")) {
			v[i].type = PKI_SAN_EMAIL;
			s += 6;
		} else if (prefix(s, "URI:")) {
			v[i].type = PKI_SAN_URI;
			s += 4;
		} else if (valid_ipv4(s) || valid_ipv6(s))
			v[i].type = PKI_SAN_IP;
		else if (strstr(s, "://") != NULL || prefix(s, "urn:"))
			v[i].type = PKI_SAN_URI;
		else if (strchr(s, '@') != NULL)
			v[i].type = PKI_SAN_EMAIL;
		else
			v[i].type = PKI_SAN_DNS;
		while (*s == ' ')
			s++;
		v[i].value = s;
		switch (v[i].type) {
		case PKI_SAN_IP:
			ok = valid_ipv4(s) || valid_ipv6(s);
			break;
		case PKI_SAN_EMAIL:
			ok = valid_email(s);
			break;
		case PKI_SAN_URI:
			ok = uri_ok(s);
			break;
		default:
			ok = strncmp(s, "*.", 2) == 0 ? valid_fqdn(s, 1) : valid_hostname(s);
			break;
		}
		if (!ok) {
			form_error(f, field, "\"%.80s\" is not a valid %s.", s,
			    v[i].type == PKI_SAN_IP ? "IP address" :
			    v[i].type == PKI_SAN_EMAIL ? "e-mail address" :
			    v[i].type == PKI_SAN_URI ? "URI (scheme:rest, such as "
			    "https://vpn.example.com/)" : "host name (such as vpn.example.com)");
			break;
		}
	}
	*out = v;
	*nout = n;
}

/* ---------------------------------------------------------------- imports */

const char *
cm_import_field(const char *err, const char *keyfield)
{
	if (strstr(err, "passphrase") || strstr(err, "password") ||
	    strstr(err, "is encrypted"))
		return "passphrase";
	if (strstr(err, "does not match") || strstr(err, "key file") ||
	    strstr(err, "two private keys") || strstr(err, "more than one private key"))
		return keyfield;
	return "cert";
}

int
cm_key_file(struct form *f, const char *field, const void *buf, size_t len, const char *pass)
{
	struct pki_bundle b;
	char err[512];
	int rc = 0;

	if (buf == NULL || len == 0)
		return 0;
	memset(&b, 0, sizeof(b));
	if (pki_import(buf, len, pass, &b, err, sizeof(err)) == -1) {
		cm_field_error(f, strcmp(cm_import_field(err, field), "passphrase") == 0 ?
		    "passphrase" : field, err);
		rc = -1;
	} else if (b.key == NULL) {
		form_error(f, field, "No private key found in this file.");
		rc = -1;
	}
	pki_bundle_free(&b);
	return rc;
}

/* ---------------------------------------------------------------- warnings */

char *
cm_warnings_text(const struct pki_warn *w)
{
	struct buf b = { 0 };
	char s[PKI_WARN_LEN + 8];
	char *out;
	int i;

	for (i = 0; w && i < w->n && i < PKI_WARN_MAX; i++) {
		cm_sentence(w->msg[i], s, sizeof(s));
		if (b.len)
			buf_addc(&b, '\n');
		buf_adds(&b, s);
	}
	if ((out = strdup(buf_str(&b))) == NULL)
		abort();
	buf_free(&b);
	return out;
}

json_t *
cm_warnings_json(const char *text)
{
	json_t *out = json_array();
	const char *p = text, *e;

	while (p && *p) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p)
			json_array_append_new(out, json_stringn(p, (size_t)(e - p)));
		p = *e ? e + 1 : e;
	}
	return out;
}

/* ---------------------------------------------------------------- keys */

static int
store_key(struct web_req *r, const char *kind, int64_t id, const char *key_pem)
{
	uint8_t *blob = NULL;
	size_t len = 0;
	char aad[64];
	int rc;

	snprintf(aad, sizeof(aad), "%s:%lld:key", kind, (long long)id);
	if (pki_seal(r->app->secret, aad, key_pem, strlen(key_pem), &blob, &len) == -1)
		return -1;
	rc = strcmp(kind, "ca") == 0 ? db_ca_set_key(r->app->db, id, blob, len) :
	    db_cert_set_key(r->app->db, id, blob, len);
	free(blob);
	return rc == 0 ? 0 : -1;
}

int
cm_store_ca_key(struct web_req *r, int64_t id, const char *key_pem)
{
	return store_key(r, "ca", id, key_pem);
}

int
cm_store_cert_key(struct web_req *r, int64_t id, const char *key_pem)
{
	return store_key(r, "cert", id, key_pem);
}

static int
open_key(const char *kind, int64_t id, const uint8_t *blob, size_t len, struct web_req *r,
    char **key_pem)
{
	uint8_t *plain = NULL;
	size_t plen = 0;
	char aad[64];

	*key_pem = NULL;
	if (blob == NULL || len == 0)
		return -1;
	snprintf(aad, sizeof(aad), "%s:%lld:key", kind, (long long)id);
	if (pki_unseal(r->app->secret, aad, blob, len, &plain, &plen) == -1) {
		fprintf(stderr, "ikegw-web: the private key of %s %lld does not unseal\n", kind,
		    (long long)id);
		return -1;
	}
	/* Stored without its NUL: make it a string. */
	if ((*key_pem = malloc(plen + 1)) == NULL)
		abort();
	memcpy(*key_pem, plain, plen);
	(*key_pem)[plen] = '\0';
	explicit_bzero(plain, plen);
	free(plain);
	return 0;
}

int
cm_ca_key(struct web_req *r, const struct db_ca *ca, char **key_pem)
{
	return open_key("ca", ca->id, ca->key_sealed, ca->key_sealed_len, r, key_pem);
}

int
cm_cert_key(struct web_req *r, const struct db_cert *c, char **key_pem)
{
	return open_key("cert", c->id, c->key_sealed, c->key_sealed_len, r, key_pem);
}

/* ---------------------------------------------------------------- serials, chains */

int
cm_load_ca(struct web_req *r, struct db_ca *ca)
{
	return web_load_result(r, db_ca_get(r->app->db, r->path_id[0], ca), "CA");
}

int
cm_serial(struct web_req *r, int64_t ca_id, char out[PKI_SERIAL_HEXLEN])
{
	char err[256];
	int i, used;

	for (i = 0; i < 8; i++) {
		if (pki_serial_new(out, err, sizeof(err)) == -1)
			return -1;
		if ((used = db_serial_used(r->app->db, ca_id, out)) == 0)
			return 0;
		if (used < 0)
			return -1;
	}
	return -1;
}

char *
cm_ca_chain(struct web_req *r, int64_t ca_id)
{
	struct buf b = { 0 };
	struct db_ca ca;
	char *out;
	int depth;

	for (depth = 0; ca_id && depth < 16; depth++) {
		if (db_ca_get(r->app->db, ca_id, &ca) != 0)
			break;
		buf_adds(&b, ca.cert_pem);
		ca_id = ca.parent_id;
		db_ca_free(&ca);
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	if ((out = strdup(buf_str(&b))) == NULL)
		abort();
	buf_free(&b);
	return out;
}

char *
cm_crl_uri(struct web_req *r, int64_t ca_id)
{
	struct db_crl_state s;
	char *out;

	if (ca_id == 0 || db_crl_state_get(r->app->db, ca_id, &s) != 0)
		out = strdup("");
	else {
		out = strdup(s.dist_url);
		db_crl_state_free(&s);
	}
	if (out == NULL)
		abort();
	return out;
}

/* ---------------------------------------------------------------- CRLs */

int
cm_crl_make(struct web_req *r, const struct db_ca *ca, char *err, size_t errlen)
{
	struct db_revoked *rev = NULL;
	struct pki_revoked *pr = NULL;
	struct db_crl_state s;
	char *key = NULL, *crl = NULL;
	size_t n = 0, i;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	if (cm_ca_key(r, ca, &key) == -1) {
		snprintf(err, errlen, "the CA's private key is not available");
		goto out;
	}
	if (db_crl_state_get(r->app->db, ca->id, &s) != 0 ||
	    db_revoked_list(r->app->db, ca->id, &rev, &n) != 0) {
		snprintf(err, errlen, "the revocation list could not be read");
		goto out;
	}
	if (n && (pr = calloc(n, sizeof(*pr))) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		pr[i].serial = rev[i].serial;
		pr[i].when = (time_t)rev[i].revoked_at;
		pr[i].reason = rev[i].reason;
	}
	if (pki_crl_create(ca->cert_pem, key, pr, n, (uint64_t)s.number + 1, s.next_days, &crl,
	    err, errlen) == -1)
		goto out;
	if (db_crl_state_store(r->app->db, ca->id, s.number + 1, crl, r->now) != 0) {
		snprintf(err, errlen, "the CRL could not be stored");
		goto out;
	}
	rc = 0;
out:
	pki_pem_free(key);
	pki_pem_free(crl);
	free(pr);
	db_revoked_list_free(rev, n);
	db_crl_state_free(&s);
	return rc;
}

/* ---------------------------------------------------------------- details */

json_t *
cm_time(int64_t t)
{
	char s[32];

	web_time(t, s, sizeof(s));
	return json_string(s);
}

json_t *
cm_cert_info(const char *pem)
{
	json_t *info = NULL, *v;
	char err[256];

	if (pem == NULL || pki_cert_info(pem, strlen(pem), &info, err, sizeof(err)) == -1)
		return NULL;
	if ((v = json_object_get(info, "not_before")) != NULL)
		json_object_set_new(info, "not_before_text", cm_time(json_integer_value(v)));
	if ((v = json_object_get(info, "not_after")) != NULL)
		json_object_set_new(info, "not_after_text", cm_time(json_integer_value(v)));
	return info;
}

/* ---------------------------------------------------------------- downloads */

void
cm_export_form(struct web_req *r, struct form *f, const struct form_field *fields,
    size_t nfields, int post)
{
	const char *q = web_param_get(&r->query, "format");

	if (post && web_param_find(&r->form, "format") == NULL && q)
		web_param_add(&r->form, "format", q, strlen(q), NULL);
	form_validate(f, fields, nfields, post ? &r->form : &r->query);
}

void
cm_file_base(const char *name, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; name[i] && o + 1 < outlen && o < 64; i++) {
		unsigned char ch = (unsigned char)name[i];

		out[o++] = isalnum(ch) || ch == '.' || ch == '-' || ch == '_' ? (char)ch : '_';
	}
	out[o] = '\0';
	/* Never a hidden file or an empty name. */
	if (o == 0 || out[0] == '.')
		snprintf(out, outlen, "certificate");
}

int
cm_send_cert(struct web_req *r, const char *pem, const char *name, const char *fmt, int is_ca)
{
	char base[80], fn[100], err[256];
	uint8_t *der = NULL;
	size_t len = 0;

	cm_file_base(name, base, sizeof(base));
	if (strcmp(fmt, "pem") == 0) {
		snprintf(fn, sizeof(fn), "%s.pem", base);
		web_download(r, "application/x-pem-file", fn, pem, strlen(pem));
		return 0;
	}
	if (pki_cert_der(pem, &der, &len, err, sizeof(err)) == -1) {
		web_error(r, 500, "The certificate could not be converted.");
		return -1;
	}
	snprintf(fn, sizeof(fn), "%s.crt", base);
	web_download(r, is_ca ? "application/x-x509-ca-cert" : "application/pkix-cert", fn, der,
	    len);
	pki_der_free(der, len);
	return 0;
}
