/*
 * ui-cert — System > Cert. Manager > Certificates and its JSON API.
 *
 * Four ways to add one (the form's method):
 *   internal  key + certificate signed by a CA here (server or user);
 *   import    a PEM certificate with its key, or a PKCS#12 file;
 *   csr       key + CSR for an outside CA; the row waits ("pending") until
 *             the signed certificate is uploaded onto it (complete);
 *   sign      an uploaded CSR signed by a CA here (no key kept here).
 * Then: details, renew/reissue (same subject and SANs, optionally the same
 * key), exports (PEM, DER; key and PKCS#12 only by POST, audited), rename,
 * delete.  Revoking is on the Revocation pages (ui-crl.c).
 *
 * As for CAs, keys are generated before the transaction that stores the
 * row, the row is inserted before its key is sealed with the row id, and a
 * serial taken for the CA (UNIQUE(ca_id, serial)) makes it try again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certmgr.h"

#define TITLE_LIST	"System / Certificate Manager / Certificates"
#define TITLE_NEW	"System / Certificate Manager / Certificates / Add"
#define TITLE_SHOW	"System / Certificate Manager / Certificates / Details"
#define MAX_FILE	(1024 * 1024)
#define ATTEMPTS	3
#define MIN_P12_PASSWORD 4

static const char *const cert_methods[] = { "internal", "import", "csr", "sign", NULL };
static const char *const cert_types[] = { "server", "user", NULL };

static const struct form_field cert_fields[] = {
	{ .name = "method", .label = "Method", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = cert_methods },
	{ .name = "name", .label = "Descriptive name", .type = FORM_TEXT, .flags = FORM_REQUIRED,
	  .min = 1, .max = 128 },
	{ .name = "ca", .label = "Certificate authority", .type = FORM_INT, .min = 1,
	  .max = INT64_MAX },
	{ .name = "type", .label = "Certificate type", .type = FORM_ENUM, .choices = cert_types },
	{ .name = "key", .label = "Key type", .type = FORM_ENUM, .choices = cm_key_choices },
	{ .name = "digest", .label = "Digest", .type = FORM_ENUM, .choices = cm_digest_choices },
	{ .name = "days", .label = "Lifetime", .type = FORM_INT, .min = 1, .max = 36500 },
	CM_DN_FIELDS,
	{ .name = "san", .label = "Alternative names", .type = FORM_TEXT,
	  .flags = FORM_MULTI | FORM_LINES, .max = 100 },
	{ .name = "cert", .label = "Certificate", .type = FORM_FILE, .max = MAX_FILE },
	{ .name = "private_key", .label = "Private key", .type = FORM_FILE, .max = MAX_FILE },
	{ .name = "passphrase", .label = "Password", .type = FORM_PASSWORD, .max = 1024 },
	{ .name = "csr", .label = "Signing request", .type = FORM_FILE, .max = MAX_FILE },
	{ .name = "keep_sans", .label = "Keep the CSR's alternative names", .type = FORM_BOOL },
};

static const struct form_field name_fields[] = {
	{ .name = "name", .label = "Descriptive name", .type = FORM_TEXT, .flags = FORM_REQUIRED,
	  .min = 1, .max = 128 },
};

static const char *const export_formats[] = { "pem", "der", "csr", "key", "p12", NULL };
static const char *const p12_levels[] = { "modern", "legacy", NULL };

static const struct form_field export_fields[] = {
	{ .name = "format", .label = "Format", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = export_formats },
	{ .name = "passphrase", .label = "Password", .type = FORM_PASSWORD, .max = 1024 },
	{ .name = "passphrase_confirm", .label = "Confirm password", .type = FORM_PASSWORD,
	  .max = 1024 },
	{ .name = "level", .label = "Encryption", .type = FORM_ENUM, .choices = p12_levels },
};

static const struct form_field renew_fields[] = {
	{ .name = "days", .label = "Lifetime", .type = FORM_INT, .min = 1, .max = 36500 },
	{ .name = "digest", .label = "Digest", .type = FORM_ENUM, .choices = cm_digest_choices },
	{ .name = "key", .label = "Key type", .type = FORM_ENUM, .choices = cm_key_choices },
	{ .name = "keep_key", .label = "Keep the current key", .type = FORM_BOOL },
	{ .name = "revoke_old", .label = "Revoke the old certificate", .type = FORM_BOOL },
};

static const struct form_field complete_fields[] = {
	{ .name = "cert", .label = "Signed certificate", .type = FORM_FILE,
	  .flags = FORM_REQUIRED, .max = MAX_FILE },
};

/* ---------------------------------------------------------------- JSON */

static const char *
origin_label(enum db_cert_origin o)
{
	switch (o) {
	case DB_CERT_INTERNAL:
		return "Internal";
	case DB_CERT_IMPORTED:
		return "Imported";
	case DB_CERT_CSR:
		return "Signed by an outside CA";
	case DB_CERT_SIGNED:
		return "Signed here from a CSR";
	}
	return "?";
}

static const char *
status_of(const struct db_cert *c, int64_t now)
{
	if (c->pending)
		return "pending";
	if (c->revoked)
		return "revoked";
	if (c->not_after < now)
		return "expired";
	return "valid";
}

/* A certificate as pages and the API show it.  Never its key. */
static json_t *
cert_json(struct web_req *r, const struct db_cert *c, int detail)
{
	json_t *j, *info = NULL, *csr = NULL;
	char err[256];

	j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s?, s:s, s:o, s:o,"
	    " s:b, s:b, s:o, s:o}",
	    "id", (json_int_t)c->id, "name", c->name, "origin", db_cert_origin_name(c->origin),
	    "origin_label", origin_label(c->origin), "type", db_cert_type_name(c->type),
	    "type_label", c->type == DB_CERT_SERVER ? "Server" : "User",
	    "pending", c->pending, "status", status_of(c, r->now), "subject", c->subject,
	    "serial", c->serial, "key_type", c->key_type,
	    "not_before", cm_time(c->not_before), "not_after", cm_time(c->not_after),
	    "revoked", c->revoked, "has_key", c->has_key,
	    "warnings", cm_warnings_json(c->warnings), "created", cm_time(c->created));
	json_object_set_new(j, "has_warnings", json_boolean(*c->warnings != '\0'));
	/* Always present: templates treat a missing name as an error. */
	json_object_set_new(j, "cn", json_string(""));
	json_object_set_new(j, "issuer", json_string(""));
	json_object_set_new(j, "san", json_array());
	if (c->ca_id && c->ca_name)
		json_object_set_new(j, "ca", json_pack("{s:I, s:s}", "id", (json_int_t)c->ca_id,
		    "name", c->ca_name));
	if (c->cert_pem)
		info = cm_cert_info(c->cert_pem);
	else if (c->csr_pem && pki_csr_info(c->csr_pem, strlen(c->csr_pem), &csr, err,
	    sizeof(err)) == 0)
		json_object_set(j, "san", json_object_get(csr, "san"));
	if (info) {
		if (json_is_string(json_object_get(info, "cn")))
			json_object_set(j, "cn", json_object_get(info, "cn"));
		json_object_set(j, "issuer", json_object_get(info, "issuer"));
		json_object_set(j, "san", json_object_get(info, "san"));
		if (detail)
			json_object_set(j, "info", info);
	}
	if (detail && c->csr_pem)
		json_object_set_new(j, "csr_pem", json_string(c->csr_pem));
	if (detail && r->is_api && c->cert_pem)
		json_object_set_new(j, "cert_pem", json_string(c->cert_pem));
	json_decref(info);
	json_decref(csr);
	return j;
}

static json_t *
type_options(const char *selected)
{
	return json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]",
	    "value", "server", "label", "Server certificate", "selected",
	    strcmp(selected, "user") != 0,
	    "value", "user", "label", "User certificate", "selected", strcmp(selected, "user") == 0);
}

static json_t *
new_ctx(struct web_req *r, const struct form *f)
{
	json_t *ctx = web_ctx(r);
	const char *m = form_str(f, "method");
	static const char *const labels[] = {
		"Create an internal certificate", "Import an existing certificate",
		"Create a certificate signing request (for an outside CA)",
		"Sign a certificate signing request with a CA here",
	};
	json_t *methods = json_array();
	size_t i;

	for (i = 0; cert_methods[i]; i++)
		json_array_append_new(methods, json_pack("{s:s, s:s, s:b}", "value",
		    cert_methods[i], "label", labels[i], "selected",
		    strcmp(m, cert_methods[i]) == 0 || (i == 0 && *m == '\0')));
	json_object_set_new(ctx, "methods", methods);
	json_object_set_new(ctx, "types", type_options(form_str(f, "type")));
	json_object_set_new(ctx, "keys", cm_key_options(*form_str(f, "key") ?
	    form_str(f, "key") : "rsa2048"));
	json_object_set_new(ctx, "digests", cm_digest_options(*form_str(f, "digest") ?
	    form_str(f, "digest") : "sha256"));
	json_object_set_new(ctx, "cas", cm_ca_options(r, form_int(f, "ca")));
	json_object_set_new(ctx, "days_server", json_integer(PKI_DAYS_SERVER));
	json_object_set_new(ctx, "days_user", json_integer(PKI_DAYS_USER));
	return ctx;
}

/* ---------------------------------------------------------------- list, new */

static void
certs_list(struct web_req *r)
{
	struct db_cert *certs = NULL;
	size_t n = 0, i;
	json_t *list;

	if (db_cert_list(r->app->db, 0, &certs, &n) != 0) {
		web_error(r, 500, "The certificate list could not be read.");
		return;
	}
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, cert_json(r, &certs[i], 0));
	db_cert_list_free(certs, n);
	web_list(r, "certs", list, TITLE_LIST, "certs_list");
}

static void
cert_new_get(struct web_req *r)
{
	struct form f;
	json_t *ctx;
	const char *ca = web_param_get(&r->query, "ca");
	long long caid;

	form_init(&f, cert_fields, NFIELDS(cert_fields));
	form_set(&f, "method", "internal");
	form_set(&f, "type", "server");
	form_set(&f, "key", "rsa2048");
	form_set(&f, "digest", "sha256");
	form_set(&f, "keep_sans", "1");
	if (ca && parse_int(ca, 1, INT64_MAX, &caid) == 0)
		form_set(&f, "ca", ca);
	ctx = new_ctx(r, &f);
	json_object_set_new(ctx, "form", form_context(&f));
	web_page(r, 200, TITLE_NEW, "certs_new", ctx);
	form_free(&f);
}

/* Inserts row c (and seals key_pem for it) in one transaction.  0, DB_EXISTS
   (serial taken) or -1. */
static int
cert_store(struct web_req *r, struct db_cert *c, const char *key_pem)
{
	int rc;

	if (db_begin(r->app->db) != 0)
		return -1;
	if ((rc = db_cert_insert(r->app->db, c)) != 0)
		goto fail;
	rc = -1;
	if (key_pem && cm_store_cert_key(r, c->id, key_pem) != 0)
		goto fail;
	if (db_commit(r->app->db) != 0)
		goto fail;
	return 0;
fail:
	if (rc == -1)
		fprintf(stderr, "ikegw-web: cert store: %s\n", db_errmsg(r->app->db));
	db_rollback(r->app->db);
	return rc;
}

/* Fills subject, serial, key type and dates of c from cert_pem; the strings
   point into *info (caller json_decref's it after use). */
static int
fill_from_cert(struct db_cert *c, const char *cert_pem, json_t **info)
{
	if ((*info = cm_cert_info(cert_pem)) == NULL)
		return -1;
	c->subject = (char *)json_string_value(json_object_get(*info, "subject"));
	c->serial = (char *)json_string_value(json_object_get(*info, "serial"));
	c->key_type = (char *)json_string_value(json_object_get(*info, "key"));
	c->not_before = json_integer_value(json_object_get(*info, "not_before"));
	c->not_after = json_integer_value(json_object_get(*info, "not_after"));
	c->cert_pem = (char *)cert_pem;
	return 0;
}

static void
cert_created(struct web_req *r, int64_t id, const char *msg)
{
	struct db_cert c;
	char path[96];

	if (r->is_api) {
		if (db_cert_get(r->app->db, id, &c) == 0) {
			web_json(r, 201, cert_json(r, &c, 1));
			db_cert_free(&c);
		} else
			web_error(r, 500, "The certificate was stored but could not be read back.");
		return;
	}
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld?msg=%s", (long long)id, msg);
	web_redirect(r, path);
}

/* Which field a pki message about issuing belongs to. */
static const char *
issue_field(const char *err)
{
	if (strstr(err, "lifetime"))
		return "days";
	if (strstr(err, "CSR") || strstr(err, "signing request"))
		return "csr";
	if (strstr(err, "CA") || strstr(err, "signing certificate"))
		return "ca";
	return "san";
}

/* The signing CA of form field "ca", with its key unsealed. */
static int
signing_ca(struct web_req *r, struct form *f, struct db_ca *ca, char **key)
{
	*key = NULL;
	memset(ca, 0, sizeof(*ca));
	if (form_int(f, "ca") == 0) {
		if (json_object_get(f->errors, "ca") == NULL)
			form_error(f, "ca", "Choose the CA that signs the certificate.");
		return -1;
	}
	if (db_ca_get(r->app->db, form_int(f, "ca"), ca) != 0) {
		form_error(f, "ca", "That CA does not exist.");
		return -1;
	}
	if (!ca->has_key || cm_ca_key(r, ca, key) == -1) {
		form_error(f, "ca", "That CA has no usable private key here, so it cannot sign.");
		return -1;
	}
	return 0;
}

static void
req_common(struct form *f, struct pki_req *req)
{
	req->type = strcmp(form_str(f, "type"), "user") == 0 ? PKI_CERT_USER : PKI_CERT_SERVER;
	req->key = PKI_KEY_RSA2048;
	req->digest = PKI_MD_SHA256;
	if (*form_str(f, "key"))
		(void)pki_keytype_parse(form_str(f, "key"), &req->key);
	if (*form_str(f, "digest"))
		(void)pki_digest_parse(form_str(f, "digest"), &req->digest);
	req->days = *form_str(f, "days") ? (int)form_int(f, "days") :
	    req->type == PKI_CERT_SERVER ? PKI_DAYS_SERVER : PKI_DAYS_USER;
}

/*
 * internal (key + certificate) and sign (an uploaded CSR): both signed by a
 * CA here with a serial that is free for it.
 */
static void
cert_issue(struct web_req *r, struct form *f, int from_csr)
{
	struct pki_req req;
	struct pki_warn warn;
	struct pki_san *sans = NULL;
	struct db_ca ca;
	struct db_cert c;
	const unsigned char *csr = NULL;
	size_t nsans = 0, csrlen = 0;
	char *cakey = NULL, *cert = NULL, *key = NULL, *crl = NULL, err[512];
	char serial[PKI_SERIAL_HEXLEN];
	json_t *info = NULL;
	int attempt, rc = -1;

	memset(&req, 0, sizeof(req));
	memset(&c, 0, sizeof(c));
	memset(&ca, 0, sizeof(ca));
	if (*form_str(f, "type") == '\0' && json_object_get(f->errors, "type") == NULL)
		form_error(f, "type", "Choose server or user.");
	req_common(f, &req);
	if (!from_csr) {
		cm_dn_from_form(f, &req.dn);
		if (*form_str(f, "cn") == '\0')
			form_error(f, "cn", "Required.");
	} else if ((csr = form_file(f, "csr", &csrlen)) == NULL &&
	    json_object_get(f->errors, "csr") == NULL)
		form_error(f, "csr", "Required: the certificate signing request (PEM or DER).");
	cm_sans_from_form(f, "san", &sans, &nsans);
	req.san = sans;
	req.nsan = nsans;
	(void)signing_ca(r, f, &ca, &cakey);
	if (!form_ok(f))
		goto invalid;
	crl = cm_crl_uri(r, ca.id);
	req.crl_uri = *crl ? crl : NULL;
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		memset(&warn, 0, sizeof(warn));
		if (cm_serial(r, ca.id, serial) == -1)
			break;
		req.serial = serial;
		if (from_csr)
			rc = pki_csr_sign(csr, csrlen, &req, form_bool(f, "keep_sans"),
			    ca.cert_pem, cakey, &cert, &warn, err, sizeof(err));
		else
			rc = pki_cert_create(&req, ca.cert_pem, cakey, &cert, &key, &warn, err,
			    sizeof(err));
		if (rc == -1) {
			cm_field_error(f, issue_field(err), err);
			goto invalid;
		}
		memset(&c, 0, sizeof(c));
		c.name = (char *)form_str(f, "name");
		c.origin = from_csr ? DB_CERT_SIGNED : DB_CERT_INTERNAL;
		c.type = req.type == PKI_CERT_USER ? DB_CERT_USER : DB_CERT_SERVER;
		c.ca_id = ca.id;
		rc = -1;
		if (fill_from_cert(&c, cert, &info) == 0) {
			c.warnings = cm_warnings_text(&warn);
			rc = cert_store(r, &c, key);
			free(c.warnings);
		}
		json_decref(info);
		info = NULL;
		pki_pem_free(cert);
		pki_pem_free(key);
		cert = key = NULL;
		if (rc != DB_EXISTS)
			break;
	}
	if (rc != 0) {
		web_error(r, 500, "The certificate could not be stored.");
		goto out;
	}
	web_audit(r, from_csr ? "cert.sign" : "cert.create", c.name,
	    "%s certificate signed by CA %s, %d days%s%s", db_cert_type_name(c.type), ca.name,
	    req.days, from_csr ? "" : ", key ", from_csr ? "" : pki_keytype_name(req.key));
	cert_created(r, c.id, from_csr ? "cert-signed" : "cert-created");
	goto out;
invalid:
	web_form_invalid(r, f, TITLE_NEW, "certs_new", r->is_api ? NULL : new_ctx(r, f));
out:
	free(sans);
	free(crl);
	pki_pem_free(cakey);
	db_ca_free(&ca);
}

/* "server" when the certificate's EKU has serverAuth, else "user". */
static enum db_cert_type
type_of(json_t *info)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(info, "eku"), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), "serverAuth") == 0)
			return DB_CERT_SERVER;
	return DB_CERT_USER;
}

static void
cert_import(struct web_req *r, struct form *f)
{
	const unsigned char *cbuf, *kbuf;
	size_t clen = 0, klen = 0;
	struct pki_warn warn;
	struct db_cert c;
	char *cert = NULL, *key = NULL, *chain = NULL, err[512];
	json_t *info = NULL;
	int rc = -1;

	memset(&warn, 0, sizeof(warn));
	memset(&c, 0, sizeof(c));
	cbuf = form_file(f, "cert", &clen);
	kbuf = form_file(f, "private_key", &klen);
	if (cbuf == NULL && json_object_get(f->errors, "cert") == NULL)
		form_error(f, "cert", "Required: a PEM certificate, or a PKCS#12 file.");
	if (form_ok(f))
		(void)cm_key_file(f, "private_key", kbuf, klen, form_str(f, "passphrase"));
	if (!form_ok(f))
		goto invalid;
	if (pki_cert_import(cbuf, clen, kbuf, klen, form_str(f, "passphrase"), &cert, &key, &chain,
	    &warn, err, sizeof(err)) == -1) {
		cm_field_error(f, cm_import_field(err, "private_key"), err);
		goto invalid;
	}
	c.name = (char *)form_str(f, "name");
	c.origin = DB_CERT_IMPORTED;
	if (fill_from_cert(&c, cert, &info) == 0) {
		if (strcmp(form_str(f, "type"), "server") == 0)
			c.type = DB_CERT_SERVER;
		else if (strcmp(form_str(f, "type"), "user") == 0)
			c.type = DB_CERT_USER;
		else
			c.type = type_of(info);
		c.chain_pem = chain;
		c.warnings = cm_warnings_text(&warn);
		rc = cert_store(r, &c, key);
		free(c.warnings);
	}
	if (rc != 0) {
		web_error(r, 500, "The certificate could not be stored.");
		goto out;
	}
	web_audit(r, "cert.import", c.name, "%s, subject %s", key ? "certificate and private key" :
	    "certificate only", c.subject);
	cert_created(r, c.id, "cert-imported");
	goto out;
invalid:
	web_form_invalid(r, f, TITLE_NEW, "certs_new", r->is_api ? NULL : new_ctx(r, f));
out:
	json_decref(info);
	pki_pem_free(cert);
	pki_pem_free(key);
	pki_pem_free(chain);
}

/* A key and a CSR for an outside CA; the row waits for the certificate. */
static void
cert_csr(struct web_req *r, struct form *f)
{
	struct pki_req req;
	struct pki_san *sans = NULL;
	struct db_cert c;
	size_t nsans = 0;
	char *csr = NULL, *key = NULL, err[512];
	json_t *info = NULL;
	int rc = -1;

	memset(&req, 0, sizeof(req));
	memset(&c, 0, sizeof(c));
	if (*form_str(f, "type") == '\0' && json_object_get(f->errors, "type") == NULL)
		form_error(f, "type", "Choose server or user.");
	req_common(f, &req);
	cm_dn_from_form(f, &req.dn);
	if (*form_str(f, "cn") == '\0')
		form_error(f, "cn", "Required.");
	cm_sans_from_form(f, "san", &sans, &nsans);
	req.san = sans;
	req.nsan = nsans;
	if (!form_ok(f))
		goto invalid;
	if (pki_csr_create(&req, &csr, &key, err, sizeof(err)) == -1) {
		cm_field_error(f, issue_field(err), err);
		goto invalid;
	}
	if (pki_csr_info(csr, strlen(csr), &info, err, sizeof(err)) == 0) {
		c.name = (char *)form_str(f, "name");
		c.origin = DB_CERT_CSR;
		c.type = req.type == PKI_CERT_USER ? DB_CERT_USER : DB_CERT_SERVER;
		c.pending = 1;
		c.subject = (char *)json_string_value(json_object_get(info, "subject"));
		c.key_type = (char *)json_string_value(json_object_get(info, "key"));
		c.csr_pem = csr;
		rc = cert_store(r, &c, key);
	}
	if (rc != 0) {
		web_error(r, 500, "The signing request could not be stored.");
		goto out;
	}
	web_audit(r, "cert.csr", c.name, "key %s, subject %s", pki_keytype_name(req.key), c.subject);
	cert_created(r, c.id, "csr-created");
	goto out;
invalid:
	web_form_invalid(r, f, TITLE_NEW, "certs_new", r->is_api ? NULL : new_ctx(r, f));
out:
	json_decref(info);
	free(sans);
	pki_pem_free(csr);
	pki_pem_free(key);
}

static void
cert_new_post(struct web_req *r)
{
	struct form f;
	const char *m;

	form_validate(&f, cert_fields, NFIELDS(cert_fields), &r->form);
	m = form_str(&f, "method");
	if (strcmp(m, "internal") == 0)
		cert_issue(r, &f, 0);
	else if (strcmp(m, "sign") == 0)
		cert_issue(r, &f, 1);
	else if (strcmp(m, "import") == 0)
		cert_import(r, &f);
	else if (strcmp(m, "csr") == 0)
		cert_csr(r, &f);
	else
		web_form_invalid(r, &f, TITLE_NEW, "certs_new", r->is_api ? NULL : new_ctx(r, &f));
	form_free(&f);
}

/* ---------------------------------------------------------------- one certificate */

static int
load_cert(struct web_req *r, struct db_cert *c)
{
	return web_load_result(r, db_cert_get(r->app->db, r->path_id[0], c), "certificate");
}

/* Which form on the details page failed (its values and errors are shown). */
struct failed {
	const char	*slot;		/* "name_form", "export_key", "export_p12", "renew", "complete" */
	const struct form *form;
};

static void
put_form(json_t *ctx, const char *slot, const struct form_field *fields, size_t n,
    const struct failed *fail, void (*defaults)(struct form *, const struct db_cert *),
    const struct db_cert *c)
{
	struct form f;

	if (fail && strcmp(fail->slot, slot) == 0) {
		json_object_set_new(ctx, slot, form_context(fail->form));
		return;
	}
	form_init(&f, fields, n);
	if (defaults)
		defaults(&f, c);
	json_object_set_new(ctx, slot, form_context(&f));
	form_free(&f);
}

static void
name_defaults(struct form *f, const struct db_cert *c)
{
	form_set(f, "name", c->name);
}

static void
renew_defaults(struct form *f, const struct db_cert *c)
{
	char days[16];

	snprintf(days, sizeof(days), "%d", c->type == DB_CERT_SERVER ? PKI_DAYS_SERVER :
	    PKI_DAYS_USER);
	form_set(f, "days", days);
	form_set(f, "digest", "sha256");
}

static void
p12_defaults(struct form *f, const struct db_cert *c)
{
	(void)c;
	form_set(f, "level", "modern");
}

/* The form value for a key type as stored ("ECDSA P-256" → "ec256"). */
static const char *
key_choice(const char *stored)
{
	enum pki_keytype have, t;
	size_t i;

	if (stored && pki_keytype_parse(stored, &have) == 0)
		for (i = 0; cm_key_choices[i]; i++)
			if (pki_keytype_parse(cm_key_choices[i], &t) == 0 && t == have)
				return cm_key_choices[i];
	return "rsa2048";
}

static int
has_ip(json_t *sans)
{
	json_t *v;
	size_t i;

	json_array_foreach(sans, i, v)
		if (json_is_string(json_object_get(v, "type")) &&
		    strcmp(json_string_value(json_object_get(v, "type")), "ip") == 0)
			return 1;
	return 0;
}

static void
cert_show(struct web_req *r, int status, const struct db_cert *c, const struct failed *fail)
{
	struct db_ca ca;
	json_t *ctx, *j;
	int can_renew = 0;

	if (r->is_api) {
		web_json(r, status, cert_json(r, c, 1));
		return;
	}
	ctx = web_ctx(r);
	j = cert_json(r, c, 1);
	if (c->ca_id && !c->pending && db_ca_get(r->app->db, c->ca_id, &ca) == 0) {
		can_renew = ca.has_key;
		db_ca_free(&ca);
	}
	json_object_set_new(j, "can_renew", json_boolean(can_renew));
	json_object_set_new(j, "has_ip_san", json_boolean(has_ip(json_object_get(j, "san"))));
	json_object_set_new(ctx, "cert", j);
	put_form(ctx, "name_form", name_fields, NFIELDS(name_fields), fail, name_defaults, c);
	put_form(ctx, "export_key", export_fields, NFIELDS(export_fields), fail, NULL, c);
	put_form(ctx, "export_p12", export_fields, NFIELDS(export_fields), fail, p12_defaults, c);
	put_form(ctx, "renew", renew_fields, NFIELDS(renew_fields), fail, renew_defaults, c);
	put_form(ctx, "complete", complete_fields, NFIELDS(complete_fields), fail, NULL, c);
	json_object_set_new(ctx, "digests", cm_digest_options("sha256"));
	json_object_set_new(ctx, "keys", cm_key_options(key_choice(c->key_type)));
	json_object_set_new(ctx, "min_p12_password", json_integer(MIN_P12_PASSWORD));
	json_object_set_new(ctx, "legacy_selected", json_boolean(fail &&
	    strcmp(fail->slot, "export_p12") == 0 && strcmp(form_str(fail->form, "level"),
	    "legacy") == 0));
	web_page(r, status, TITLE_SHOW, "certs_cert", ctx);
}

static void
cert_get(struct web_req *r)
{
	struct db_cert c;

	if (load_cert(r, &c) != 0)
		return;
	cert_show(r, 200, &c, NULL);
	db_cert_free(&c);
}

/* A form on the details page failed: 422 with fields, or the page again. */
static void
show_failed(struct web_req *r, const struct db_cert *c, const char *slot, const struct form *f)
{
	struct failed fail = { slot, f };

	if (r->is_api)
		web_json(r, 422, form_errors_json(f));
	else
		cert_show(r, 422, c, &fail);
}

static void
redirect_to(struct web_req *r, int64_t id, const char *msg)
{
	char path[96];

	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld?msg=%s", (long long)id, msg);
	web_redirect(r, path);
}

static void
reply_cert(struct web_req *r, int64_t id, const char *msg)
{
	struct db_cert c;

	if (!r->is_api) {
		redirect_to(r, id, msg);
		return;
	}
	if (db_cert_get(r->app->db, id, &c) == 0) {
		web_json(r, 200, cert_json(r, &c, 1));
		db_cert_free(&c);
	} else
		web_error(r, 500, "The certificate could not be read back.");
}

static void
cert_post(struct web_req *r)
{
	struct db_cert c;
	struct form f;

	if (load_cert(r, &c) != 0)
		return;
	form_validate(&f, name_fields, NFIELDS(name_fields), &r->form);
	if (!form_ok(&f))
		show_failed(r, &c, "name_form", &f);
	else if (db_cert_rename(r->app->db, c.id, form_str(&f, "name")) != 0)
		web_error(r, 500, "The certificate could not be saved.");
	else {
		web_audit(r, "cert.rename", form_str(&f, "name"), "was %s", c.name);
		reply_cert(r, c.id, "cert-saved");
	}
	form_free(&f);
	db_cert_free(&c);
}

static void
cert_delete(struct web_req *r)
{
	struct db_cert c;

	if (load_cert(r, &c) != 0)
		return;
	if (db_cert_delete(r->app->db, c.id) != 0)
		web_error(r, 500, "The certificate could not be deleted.");
	else {
		web_pending(r, "certificate '%s' deleted", c.name);
		web_audit(r, "cert.delete", c.name, "subject %s, serial %s", c.subject,
		    c.serial ? c.serial : "-");
		web_deleted(r, "/system/certmanager/certs?msg=cert-deleted");
	}
	db_cert_free(&c);
}

/* The signed certificate for a pending CSR. */
static void
cert_complete(struct web_req *r)
{
	struct db_cert c, nc;
	struct form f;
	const unsigned char *buf;
	size_t len = 0;
	char *key = NULL, *cert = NULL, *chain = NULL, err[512];
	json_t *info = NULL;

	if (load_cert(r, &c) != 0)
		return;
	form_validate(&f, complete_fields, NFIELDS(complete_fields), &r->form);
	if (!c.pending) {
		web_error(r, 409, "This certificate is not waiting for a signed certificate.");
		goto out;
	}
	if (!form_ok(&f))
		goto invalid;
	buf = form_file(&f, "cert", &len);
	if (cm_cert_key(r, &c, &key) == -1) {
		web_error(r, 500, "The private key of this request cannot be opened.");
		goto out;
	}
	if (pki_csr_accept(key, buf, len, &cert, &chain, err, sizeof(err)) == -1) {
		cm_field_error(&f, "cert", err);
		goto invalid;
	}
	memset(&nc, 0, sizeof(nc));
	nc.id = c.id;
	if (fill_from_cert(&nc, cert, &info) == -1) {
		cm_field_error(&f, "cert", "the certificate cannot be read");
		goto invalid;
	}
	nc.chain_pem = chain;
	nc.warnings = (char *)"";
	if (db_cert_set_issued(r->app->db, &nc) != 0) {
		web_error(r, 500, "The certificate could not be stored.");
		goto out;
	}
	web_pending(r, "certificate '%s' completed", c.name);
	web_audit(r, "cert.complete", c.name, "signed certificate imported, serial %s", nc.serial);
	reply_cert(r, c.id, "cert-completed");
	goto out;
invalid:
	show_failed(r, &c, "complete", &f);
out:
	json_decref(info);
	pki_pem_free(key);
	pki_pem_free(cert);
	pki_pem_free(chain);
	form_free(&f);
	db_cert_free(&c);
}

/*
 * Renew/reissue: same subject, SANs and kind, a new serial and validity,
 * signed by the same CA; a new key unless keep_key.  Optionally revokes the
 * old serial as superseded (and makes a new CRL), in the same transaction.
 */
static void
cert_renew(struct web_req *r)
{
	struct db_cert c, nc;
	struct db_ca ca;
	struct db_revoked rev;
	struct form f;
	struct pki_req req;
	struct pki_warn warn;
	char *cakey = NULL, *key = NULL, *ncert = NULL, *nkey = NULL, *crl = NULL;
	char err[512], serial[PKI_SERIAL_HEXLEN];
	json_t *info = NULL;
	int attempt, rc = -1, keep;

	memset(&ca, 0, sizeof(ca));
	if (load_cert(r, &c) != 0)
		return;
	form_validate(&f, renew_fields, NFIELDS(renew_fields), &r->form);
	if (c.pending || c.ca_id == 0 || db_ca_get(r->app->db, c.ca_id, &ca) != 0 ||
	    !ca.has_key || cm_ca_key(r, &ca, &cakey) == -1) {
		web_error(r, 409, "Only certificates signed by a CA here (with its key) can be"
		    " renewed here.");
		goto out;
	}
	keep = form_bool(&f, "keep_key");
	if (c.has_key && cm_cert_key(r, &c, &key) == -1) {
		web_error(r, 500, "The private key of this certificate cannot be opened.");
		goto out;
	}
	if (!form_ok(&f))
		goto invalid;
	memset(&req, 0, sizeof(req));
	req.digest = PKI_MD_SHA256;
	/* A new key is of the same type unless another is asked for. */
	(void)pki_keytype_parse(*form_str(&f, "key") ? form_str(&f, "key") :
	    key_choice(c.key_type), &req.key);
	if (*form_str(&f, "digest"))
		(void)pki_digest_parse(form_str(&f, "digest"), &req.digest);
	req.days = (int)form_int(&f, "days");
	crl = cm_crl_uri(r, ca.id);
	req.crl_uri = *crl ? crl : NULL;
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		memset(&warn, 0, sizeof(warn));
		if (cm_serial(r, ca.id, serial) == -1)
			break;
		req.serial = serial;
		if (pki_cert_renew(c.cert_pem, key, keep, &req, ca.cert_pem, cakey, &ncert, &nkey,
		    &warn, err, sizeof(err)) == -1) {
			cm_field_error(&f, strstr(err, "lifetime") ? "days" : "keep_key", err);
			goto invalid;
		}
		memset(&nc, 0, sizeof(nc));
		nc.id = c.id;
		nc.ca_id = ca.id;
		rc = -1;
		if (fill_from_cert(&nc, ncert, &info) == -1 || db_begin(r->app->db) != 0)
			goto stored;
		nc.warnings = cm_warnings_text(&warn);
		rc = db_cert_set_issued(r->app->db, &nc);
		free(nc.warnings);
		if (rc != 0)
			goto rollback;
		rc = -1;
		if (nkey && !keep && cm_store_cert_key(r, c.id, nkey) != 0)
			goto rollback;
		if (form_bool(&f, "revoke_old")) {
			memset(&rev, 0, sizeof(rev));
			rev.ca_id = ca.id;
			rev.serial = c.serial;
			rev.name = c.name;
			rev.reason = PKI_CRL_SUPERSEDED;
			rev.revoked_at = r->now;
			if (db_revoked_add(r->app->db, &rev) != 0 ||
			    cm_crl_make(r, &ca, err, sizeof(err)) != 0)
				goto rollback;
		}
		if (db_commit(r->app->db) == 0) {
			rc = 0;
			goto stored;
		}
rollback:
		fprintf(stderr, "ikegw-web: renew: %s\n", db_errmsg(r->app->db));
		db_rollback(r->app->db);
stored:
		json_decref(info);
		info = NULL;
		pki_pem_free(ncert);
		pki_pem_free(nkey);
		ncert = nkey = NULL;
		if (rc != DB_EXISTS)
			break;
	}
	if (rc != 0) {
		web_error(r, 500, "The renewed certificate could not be stored.");
		goto out;
	}
	web_pending(r, "certificate '%s' renewed", c.name);
	web_audit(r, "cert.renew", c.name, "old serial %s, %s key, %d days%s", c.serial,
	    keep ? "same" : "new", req.days, form_bool(&f, "revoke_old") ?
	    ", old certificate revoked (superseded)" : "");
	reply_cert(r, c.id, "cert-renewed");
	goto out;
invalid:
	show_failed(r, &c, "renew", &f);
out:
	free(crl);
	pki_pem_free(cakey);
	pki_pem_free(key);
	form_free(&f);
	db_ca_free(&ca);
	db_cert_free(&c);
}

/* ---------------------------------------------------------------- exports */

/*
 * GET: certificate (format=pem|der) or CSR (csr).  POST: also the private
 * key (key, optionally encrypted with passphrase) and PKCS#12 (p12:
 * certificate, key and CA chain under passphrase, level modern|legacy).
 * Key material leaves only through a POST, and each export is audited.
 */
static void
cert_export(struct web_req *r)
{
	struct db_cert c;
	struct form f;
	const char *fmt, *pass, *slot;
	char *key = NULL, *out = NULL, *chain = NULL, err[512], base[80], fn[100];
	uint8_t *p12 = NULL;
	size_t p12len = 0;
	int post = strcmp(r->method, "POST") == 0, legacy;

	if (load_cert(r, &c) != 0)
		return;
	cm_export_form(r, &f, export_fields, NFIELDS(export_fields), post);
	fmt = form_str(&f, "format");
	cm_file_base(c.name, base, sizeof(base));
	if ((strcmp(fmt, "pem") == 0 || strcmp(fmt, "der") == 0) && c.cert_pem) {
		(void)cm_send_cert(r, c.cert_pem, c.name, fmt, 0);
		goto out;
	}
	if (strcmp(fmt, "csr") == 0 && c.csr_pem) {
		snprintf(fn, sizeof(fn), "%s.csr", base);
		web_download(r, "application/x-pem-file", fn, c.csr_pem, strlen(c.csr_pem));
		goto out;
	}
	if (strcmp(fmt, "key") != 0 && strcmp(fmt, "p12") != 0) {
		web_error(r, r->is_api ? 422 : 400, c.pending ? "While the signed certificate is"
		    " missing, only the signing request (format csr) can be exported." :
		    "Choose format pem, der, key or p12.");
		goto out;
	}
	if (!post) {
		web_error(r, 405, "Private keys and PKCS#12 files are exported with a POST request.");
		goto out;
	}
	if (!c.has_key || c.pending) {
		web_error(r, 409, c.pending ? "The signed certificate is still missing." :
		    "This certificate has no private key here.");
		goto out;
	}
	slot = strcmp(fmt, "key") == 0 ? "export_key" : "export_p12";
	pass = form_str(&f, "passphrase");
	legacy = strcmp(form_str(&f, "level"), "legacy") == 0;
	if (strcmp(fmt, "p12") == 0 && strlen(pass) < MIN_P12_PASSWORD &&
	    json_object_get(f.errors, "passphrase") == NULL)
		form_error(&f, "passphrase", "Choose a password of at least %d characters: devices"
		    " ask for it when importing the file.", MIN_P12_PASSWORD);
	if (!r->is_api && strcmp(pass, form_str(&f, "passphrase_confirm")) != 0)
		form_error(&f, "passphrase_confirm", "The two entries do not match.");
	if (!form_ok(&f)) {
		show_failed(r, &c, slot, &f);
		goto out;
	}
	if (cm_cert_key(r, &c, &key) == -1) {
		web_error(r, 500, "The private key of this certificate cannot be opened.");
		goto out;
	}
	if (strcmp(fmt, "key") == 0) {
		if (pki_key_export(key, pass, &out, err, sizeof(err)) == -1) {
			web_error(r, 500, "The private key could not be exported.");
			goto out;
		}
		snprintf(fn, sizeof(fn), "%s.key", base);
		web_download(r, "application/x-pem-file", fn, out, strlen(out));
		web_audit(r, "cert.export.key", c.name, "private key exported (%s)",
		    *pass ? "encrypted with a passphrase" : "unencrypted");
		goto out;
	}
	chain = c.ca_id ? cm_ca_chain(r, c.ca_id) : NULL;
	if (pki_p12_export(c.cert_pem, key, chain ? chain : c.chain_pem, c.name, pass,
	    legacy ? PKI_P12_LEGACY : PKI_P12_MODERN, &p12, &p12len, err, sizeof(err)) == -1) {
		fprintf(stderr, "ikegw-web: p12 export: %s\n", err);
		web_error(r, 500, "The PKCS#12 file could not be made.");
		goto out;
	}
	snprintf(fn, sizeof(fn), "%s.p12", base);
	web_download(r, "application/x-pkcs12", fn, p12, p12len);
	web_audit(r, "cert.export.p12", c.name, "PKCS#12 with certificate, private key and CA"
	    " chain exported (%s)", legacy ? "legacy: 3DES, SHA-1 MAC" :
	    "modern: AES-256-CBC, SHA-256 MAC");
out:
	pki_der_free(p12, p12len);
	free(chain);
	pki_pem_free(key);
	pki_pem_free(out);
	form_free(&f);
	db_cert_free(&c);
}

const struct web_route web_routes_cert[] = {
	{ "GET",    "/system/certmanager/certs",			0, certs_list },
	{ "GET",    "/system/certmanager/certs/new",			0, cert_new_get },
	{ "POST",   "/system/certmanager/certs/new",			0, cert_new_post },
	{ "GET",    "/system/certmanager/certs/{id}",			0, cert_get },
	{ "POST",   "/system/certmanager/certs/{id}",			0, cert_post },
	{ "POST",   "/system/certmanager/certs/{id}/delete",		0, cert_delete },
	{ "POST",   "/system/certmanager/certs/{id}/complete",		0, cert_complete },
	{ "POST",   "/system/certmanager/certs/{id}/renew",		0, cert_renew },
	{ "GET",    "/system/certmanager/certs/{id}/export",		0, cert_export },
	{ "POST",   "/system/certmanager/certs/{id}/export",		0, cert_export },

	{ "GET",    "/api/v1/certs",					0, certs_list },
	{ "POST",   "/api/v1/certs",					0, cert_new_post },
	{ "GET",    "/api/v1/certs/{id}",				0, cert_get },
	{ "PUT",    "/api/v1/certs/{id}",				0, cert_post },
	{ "DELETE", "/api/v1/certs/{id}",				0, cert_delete },
	{ "POST",   "/api/v1/certs/{id}/complete",			0, cert_complete },
	{ "POST",   "/api/v1/certs/{id}/renew",				0, cert_renew },
	{ "GET",    "/api/v1/certs/{id}/export",			0, cert_export },
	{ "POST",   "/api/v1/certs/{id}/export",			0, cert_export },
	{ NULL, NULL, 0, NULL },
};
