/*
 * ui-ca — System > Cert. Manager > CAs and its JSON API: create an internal
 * root CA or an intermediate signed by a CA here, import an existing CA
 * (certificate, optionally its key), show one with what it issued, export
 * its certificate (PEM, DER .crt) and key, rename, delete.
 *
 * Key generation happens before the transaction that stores the CA (an RSA
 * 4096 key takes seconds; other workers keep answering meanwhile).  The row
 * is inserted first and its key sealed with the row id in one transaction;
 * a serial already used by the signing CA makes the insert fail on
 * UNIQUE(parent_id, serial) and the CA is made again with another one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certmgr.h"

#define TITLE_LIST	"System / Certificate Manager / CAs"
#define TITLE_NEW	"System / Certificate Manager / CAs / Add"
#define TITLE_SHOW	"System / Certificate Manager / CAs / Details"
#define MAX_FILE	(1024 * 1024)
#define ATTEMPTS	3

static const char *const ca_methods[] = { "internal", "intermediate", "import", NULL };

static const struct form_field ca_fields[] = {
	{ .name = "method", .label = "Method", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = ca_methods },
	{ .name = "name", .label = "Descriptive name", .type = FORM_TEXT, .flags = FORM_REQUIRED,
	  .min = 1, .max = 128 },
	{ .name = "parent", .label = "Signing CA", .type = FORM_INT, .min = 1, .max = INT64_MAX },
	{ .name = "key", .label = "Key type", .type = FORM_ENUM, .choices = cm_key_choices },
	{ .name = "digest", .label = "Digest", .type = FORM_ENUM, .choices = cm_digest_choices },
	{ .name = "days", .label = "Lifetime", .type = FORM_INT, .min = 1, .max = 36500 },
	CM_DN_FIELDS,
	{ .name = "cert", .label = "Certificate", .type = FORM_FILE, .max = MAX_FILE },
	{ .name = "private_key", .label = "Private key", .type = FORM_FILE, .max = MAX_FILE },
	{ .name = "passphrase", .label = "Passphrase", .type = FORM_PASSWORD, .max = 1024 },
};

static const struct form_field name_fields[] = {
	{ .name = "name", .label = "Descriptive name", .type = FORM_TEXT, .flags = FORM_REQUIRED,
	  .min = 1, .max = 128 },
};

static const char *const ca_export_formats[] = { "pem", "der", "key", NULL };

static const struct form_field export_fields[] = {
	{ .name = "format", .label = "Format", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = ca_export_formats },
	{ .name = "passphrase", .label = "Passphrase", .type = FORM_PASSWORD, .max = 1024 },
	{ .name = "passphrase_confirm", .label = "Confirm passphrase", .type = FORM_PASSWORD,
	  .max = 1024 },
};

/* ---------------------------------------------------------------- JSON */

static const char *
origin_label(enum db_ca_origin o)
{
	switch (o) {
	case DB_CA_INTERNAL:
		return "Internal root CA";
	case DB_CA_INTERMEDIATE:
		return "Internal intermediate CA";
	case DB_CA_IMPORTED:
		return "Imported";
	}
	return "?";
}

static json_t *
cert_brief(const struct db_cert *c, int64_t now)
{
	return json_pack("{s:I, s:s, s:s, s:b, s:o, s:b, s:b}", "id", (json_int_t)c->id,
	    "name", c->name, "type", db_cert_type_name(c->type), "pending", c->pending,
	    "not_after", cm_time(c->not_after), "expired", !c->pending && c->not_after < now,
	    "revoked", c->revoked);
}

/* A CA as pages and the API show it.  Never its key. */
static json_t *
ca_json(struct web_req *r, const struct db_ca *c, int detail)
{
	json_t *j, *info, *list;
	struct db_ca parent, *kids = NULL;
	struct db_cert *certs = NULL;
	size_t n = 0, i;

	j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:b, s:I, s:o, s:o}",
	    "id", (json_int_t)c->id, "name", c->name, "origin", db_ca_origin_name(c->origin),
	    "origin_label", origin_label(c->origin), "subject", c->subject, "serial", c->serial,
	    "key_type", c->key_type, "not_before", cm_time(c->not_before),
	    "not_after", cm_time(c->not_after), "expired", c->not_after < r->now,
	    "has_key", c->has_key, "issued", (json_int_t)c->issued,
	    "warnings", cm_warnings_json(c->warnings), "created", cm_time(c->created));
	if (c->parent_id && db_ca_get(r->app->db, c->parent_id, &parent) == 0) {
		json_object_set_new(j, "parent", json_pack("{s:I, s:s}", "id",
		    (json_int_t)parent.id, "name", parent.name));
		db_ca_free(&parent);
	}
	json_object_set_new(j, "has_warnings", json_boolean(*c->warnings != '\0'));
	/* Always present: templates treat a missing name as an error. */
	json_object_set_new(j, "cn", json_string(""));
	json_object_set_new(j, "issuer", json_string(""));
	json_object_set_new(j, "self_signed", json_false());
	if ((info = cm_cert_info(c->cert_pem)) != NULL) {
		if (json_is_string(json_object_get(info, "cn")))
			json_object_set(j, "cn", json_object_get(info, "cn"));
		json_object_set(j, "issuer", json_object_get(info, "issuer"));
		json_object_set(j, "self_signed", json_object_get(info, "self_signed"));
		if (detail)
			json_object_set(j, "info", info);
		json_decref(info);
	}
	if (!detail)
		return j;
	list = json_array();
	if (db_cert_list(r->app->db, c->id, &certs, &n) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(list, cert_brief(&certs[i], r->now));
	db_cert_list_free(certs, n);
	json_object_set_new(j, "certificates", list);
	list = json_array();
	n = 0;
	if (db_ca_children(r->app->db, c->id, &kids, &n) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(list, json_pack("{s:I, s:s, s:o}", "id",
			    (json_int_t)kids[i].id, "name", kids[i].name,
			    "not_after", cm_time(kids[i].not_after)));
	db_ca_list_free(kids, n);
	json_object_set_new(j, "cas", list);
	if (r->is_api)
		json_object_set_new(j, "cert_pem", json_string(c->cert_pem));
	return j;
}

/* ---------------------------------------------------------------- pages */

static json_t *
new_ctx(struct web_req *r, const struct form *f)
{
	json_t *ctx = web_ctx(r);
	const char *m = form_str(f, "method");

	json_object_set_new(ctx, "keys", cm_key_options(*form_str(f, "key") ?
	    form_str(f, "key") : "rsa2048"));
	json_object_set_new(ctx, "digests", cm_digest_options(*form_str(f, "digest") ?
	    form_str(f, "digest") : "sha256"));
	json_object_set_new(ctx, "parents", cm_ca_options(r, form_int(f, "parent")));
	json_object_set_new(ctx, "methods", json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b},"
	    " {s:s, s:s, s:b}]",
	    "value", "internal", "label", "Create an internal Certificate Authority",
	    "selected", strcmp(m, "intermediate") != 0 && strcmp(m, "import") != 0,
	    "value", "intermediate", "label", "Create an intermediate Certificate Authority",
	    "selected", strcmp(m, "intermediate") == 0,
	    "value", "import", "label", "Import an existing Certificate Authority",
	    "selected", strcmp(m, "import") == 0));
	return ctx;
}

static void
cas_list(struct web_req *r)
{
	struct db_ca *cas = NULL;
	size_t n = 0, i;
	json_t *list;

	if (db_ca_list(r->app->db, &cas, &n) != 0) {
		web_error(r, 500, "The CA list could not be read.");
		return;
	}
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, ca_json(r, &cas[i], 0));
	db_ca_list_free(cas, n);
	web_list(r, "cas", list, TITLE_LIST, "certs_ca_list");
}

static void
ca_new_get(struct web_req *r)
{
	struct form f;
	json_t *ctx;

	form_init(&f, ca_fields, NFIELDS(ca_fields));
	form_set(&f, "method", "internal");
	form_set(&f, "key", "rsa2048");
	form_set(&f, "digest", "sha256");
	form_set(&f, "days", "3650");
	ctx = new_ctx(r, &f);
	json_object_set_new(ctx, "form", form_context(&f));
	web_page(r, 200, TITLE_NEW, "certs_ca_new", ctx);
	form_free(&f);
}

/* Stores a CA made or imported: row, then its sealed key.  0, DB_EXISTS
   (serial taken: try again) or -1. */
static int
ca_store(struct web_req *r, struct db_ca *ca, const char *cert_pem, const char *key_pem,
    const struct pki_warn *warn)
{
	json_t *info = cm_cert_info(cert_pem);
	int rc = -1;

	if (info == NULL)
		return -1;
	ca->subject = (char *)json_string_value(json_object_get(info, "subject"));
	ca->serial = (char *)json_string_value(json_object_get(info, "serial"));
	ca->key_type = (char *)json_string_value(json_object_get(info, "key"));
	ca->not_before = json_integer_value(json_object_get(info, "not_before"));
	ca->not_after = json_integer_value(json_object_get(info, "not_after"));
	ca->cert_pem = (char *)cert_pem;
	ca->warnings = cm_warnings_text(warn);
	if (db_begin(r->app->db) != 0)
		goto out;
	if ((rc = db_ca_insert(r->app->db, ca)) != 0)
		goto fail;
	rc = -1;
	if (key_pem && cm_store_ca_key(r, ca->id, key_pem) != 0)
		goto fail;
	if (db_commit(r->app->db) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(r->app->db);
out:
	if (rc == -1)
		fprintf(stderr, "ikegw-web: ca store: %s\n", db_errmsg(r->app->db));
	free(ca->warnings);
	ca->warnings = NULL;
	ca->subject = ca->serial = ca->key_type = ca->cert_pem = NULL;
	json_decref(info);
	return rc;
}

static void
ca_created(struct web_req *r, int64_t id, const char *msg)
{
	struct db_ca ca;
	char path[96];

	if (r->is_api) {
		if (db_ca_get(r->app->db, id, &ca) == 0) {
			web_json(r, 201, ca_json(r, &ca, 1));
			db_ca_free(&ca);
		} else
			web_error(r, 500, "The CA was stored but could not be read back.");
		return;
	}
	snprintf(path, sizeof(path), "/system/certmanager/ca/%lld?msg=%s", (long long)id, msg);
	web_redirect(r, path);
}

/* Create an internal root or intermediate CA. */
static void
ca_create(struct web_req *r, struct form *f, int intermediate)
{
	struct pki_req req;
	struct pki_warn warn;
	struct db_ca parent, ca;
	char *cert = NULL, *key = NULL, *pkey = NULL, *crl = NULL, err[512];
	char serial[PKI_SERIAL_HEXLEN];
	int attempt, rc = -1;

	memset(&parent, 0, sizeof(parent));
	memset(&ca, 0, sizeof(ca));
	memset(&req, 0, sizeof(req));
	cm_dn_from_form(f, &req.dn);
	if (*form_str(f, "cn") == '\0')
		form_error(f, "cn", "Required.");
	req.key = PKI_KEY_RSA2048;
	req.digest = PKI_MD_SHA256;
	if (*form_str(f, "key"))
		(void)pki_keytype_parse(form_str(f, "key"), &req.key);
	if (*form_str(f, "digest"))
		(void)pki_digest_parse(form_str(f, "digest"), &req.digest);
	req.days = *form_str(f, "days") ? (int)form_int(f, "days") : PKI_DAYS_CA;
	if (intermediate) {
		if (form_int(f, "parent") == 0)
			form_error(f, "parent", "Choose the CA that signs the intermediate.");
		else if (db_ca_get(r->app->db, form_int(f, "parent"), &parent) != 0)
			form_error(f, "parent", "That CA does not exist.");
		else if (!parent.has_key)
			form_error(f, "parent", "That CA has no private key here, so it cannot sign.");
		else if (cm_ca_key(r, &parent, &pkey) == -1)
			form_error(f, "parent", "The private key of that CA cannot be opened.");
	}
	if (!form_ok(f))
		goto invalid;
	if (intermediate)
		crl = cm_crl_uri(r, parent.id);
	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		memset(&warn, 0, sizeof(warn));
		req.serial = NULL;
		if (intermediate) {
			if (cm_serial(r, parent.id, serial) == -1)
				break;
			req.serial = serial;
			req.crl_uri = *crl ? crl : NULL;
		}
		if (pki_ca_create(&req, intermediate ? parent.cert_pem : NULL, pkey, &cert, &key,
		    &warn, err, sizeof(err)) == -1) {
			cm_field_error(f, strstr(err, "lifetime") ? "days" : "key", err);
			goto invalid;
		}
		memset(&ca, 0, sizeof(ca));
		ca.name = (char *)form_str(f, "name");
		ca.origin = intermediate ? DB_CA_INTERMEDIATE : DB_CA_INTERNAL;
		ca.parent_id = intermediate ? parent.id : 0;
		rc = ca_store(r, &ca, cert, key, &warn);
		pki_pem_free(cert);
		pki_pem_free(key);
		cert = key = NULL;
		if (rc != DB_EXISTS)
			break;
	}
	if (rc != 0) {
		web_error(r, 500, "The CA could not be stored.");
		goto out;
	}
	web_audit(r, "ca.create", ca.name, "%s %s %s %d days, subject CN=%s",
	    intermediate ? "intermediate" : "root", pki_keytype_name(req.key),
	    pki_digest_name(req.digest), req.days, req.dn.cn);
	ca_created(r, ca.id, "ca-created");
	goto out;
invalid:
	web_form_invalid(r, f, TITLE_NEW, "certs_ca_new", r->is_api ? NULL : new_ctx(r, f));
out:
	free(crl);
	pki_pem_free(pkey);
	db_ca_free(&parent);
}

static void
ca_import(struct web_req *r, struct form *f)
{
	const unsigned char *cbuf, *kbuf;
	size_t clen = 0, klen = 0;
	struct pki_warn warn;
	struct db_ca ca;
	char *cert = NULL, *key = NULL, err[512];
	int rc;

	memset(&warn, 0, sizeof(warn));
	cbuf = form_file(f, "cert", &clen);
	kbuf = form_file(f, "private_key", &klen);
	if (cbuf == NULL && json_object_get(f->errors, "cert") == NULL)
		form_error(f, "cert", "Required: the CA certificate (PEM or DER).");
	if (form_ok(f))
		(void)cm_key_file(f, "private_key", kbuf, klen, form_str(f, "passphrase"));
	if (!form_ok(f))
		goto invalid;
	if (pki_ca_import(cbuf, clen, kbuf, klen, form_str(f, "passphrase"), &cert, &key, &warn,
	    err, sizeof(err)) == -1) {
		cm_field_error(f, cm_import_field(err, "private_key"), err);
		goto invalid;
	}
	memset(&ca, 0, sizeof(ca));
	ca.name = (char *)form_str(f, "name");
	ca.origin = DB_CA_IMPORTED;
	rc = ca_store(r, &ca, cert, key, &warn);
	if (rc != 0) {
		web_error(r, 500, "The CA could not be stored.");
		goto out;
	}
	web_audit(r, "ca.import", ca.name, "%s", key ? "certificate and private key" :
	    "certificate only");
	ca_created(r, ca.id, "ca-imported");
	goto out;
invalid:
	web_form_invalid(r, f, TITLE_NEW, "certs_ca_new", r->is_api ? NULL : new_ctx(r, f));
out:
	pki_pem_free(cert);
	pki_pem_free(key);
}

static void
ca_new_post(struct web_req *r)
{
	struct form f;
	const char *m;

	form_validate(&f, ca_fields, NFIELDS(ca_fields), &r->form);
	m = form_str(&f, "method");
	if (strcmp(m, "import") == 0)
		ca_import(r, &f);
	else if (strcmp(m, "intermediate") == 0)
		ca_create(r, &f, 1);
	else if (strcmp(m, "internal") == 0)
		ca_create(r, &f, 0);
	else
		web_form_invalid(r, &f, TITLE_NEW, "certs_ca_new",
		    r->is_api ? NULL : new_ctx(r, &f));
	form_free(&f);
}

/* The details page; forms (may be NULL) carry the values and errors of a
   form that failed. */
static void
ca_show(struct web_req *r, int status, const struct db_ca *ca, const struct form *name_form,
    const struct form *export_form)
{
	struct form nf, ef;
	json_t *ctx;

	if (r->is_api) {
		web_json(r, status, ca_json(r, ca, 1));
		return;
	}
	ctx = web_ctx(r);
	json_object_set_new(ctx, "ca", ca_json(r, ca, 1));
	if (name_form == NULL) {
		form_init(&nf, name_fields, NFIELDS(name_fields));
		form_set(&nf, "name", ca->name);
		json_object_set_new(ctx, "name_form", form_context(&nf));
		form_free(&nf);
	} else
		json_object_set_new(ctx, "name_form", form_context(name_form));
	if (export_form == NULL) {
		form_init(&ef, export_fields, NFIELDS(export_fields));
		json_object_set_new(ctx, "export", form_context(&ef));
		form_free(&ef);
	} else
		json_object_set_new(ctx, "export", form_context(export_form));
	web_page(r, status, TITLE_SHOW, "certs_ca", ctx);
}

static void
ca_get(struct web_req *r)
{
	struct db_ca ca;

	if (cm_load_ca(r, &ca) != 0)
		return;
	ca_show(r, 200, &ca, NULL, NULL);
	db_ca_free(&ca);
}

/* Rename (the only thing about a CA that changes). */
static void
ca_post(struct web_req *r)
{
	struct db_ca ca;
	struct form f;
	char path[96];

	if (cm_load_ca(r, &ca) != 0)
		return;
	form_validate(&f, name_fields, NFIELDS(name_fields), &r->form);
	if (!form_ok(&f)) {
		if (r->is_api)
			web_json(r, 422, form_errors_json(&f));
		else
			ca_show(r, 422, &ca, &f, NULL);
		goto out;
	}
	if (db_ca_rename(r->app->db, ca.id, form_str(&f, "name")) != 0) {
		web_error(r, 500, "The CA could not be saved.");
		goto out;
	}
	web_audit(r, "ca.rename", form_str(&f, "name"), "was %s", ca.name);
	if (r->is_api) {
		db_ca_free(&ca);
		if (db_ca_get(r->app->db, r->path_id[0], &ca) == 0)
			web_json(r, 200, ca_json(r, &ca, 1));
		else
			web_error(r, 500, "The CA could not be read back.");
	} else {
		snprintf(path, sizeof(path), "/system/certmanager/ca/%lld?msg=ca-saved",
		    (long long)ca.id);
		web_redirect(r, path);
	}
out:
	form_free(&f);
	db_ca_free(&ca);
}

static void
ca_delete(struct web_req *r)
{
	struct db_ca ca;
	int rc;

	if (cm_load_ca(r, &ca) != 0)
		return;
	rc = db_ca_delete(r->app->db, ca.id);
	if (rc == DB_EXISTS)
		web_error(r, 409, "This CA has issued certificates or CAs that are still here;"
		    " delete those first.");
	else if (rc != 0)
		web_error(r, 500, "The CA could not be deleted.");
	else {
		web_pending(r, "CA '%s' deleted", ca.name);
		web_audit(r, "ca.delete", ca.name, "subject %s", ca.subject);
		web_deleted(r, "/system/certmanager/ca?msg=ca-deleted");
	}
	db_ca_free(&ca);
}

/*
 * GET: the certificate (format=pem|der).  POST: also the private key
 * (format=key, optionally encrypted with passphrase) — key material only
 * ever leaves through a POST (CSRF token or API token), and is audited.
 */
static void
ca_export(struct web_req *r)
{
	struct db_ca ca;
	struct form f;
	const char *fmt, *pass;
	char *key = NULL, *out = NULL, err[512], base[80], fn[100];
	int post = strcmp(r->method, "POST") == 0;

	if (cm_load_ca(r, &ca) != 0)
		return;
	cm_export_form(r, &f, export_fields, NFIELDS(export_fields), post);
	fmt = form_str(&f, "format");
	if (strcmp(fmt, "pem") == 0 || strcmp(fmt, "der") == 0) {
		(void)cm_send_cert(r, ca.cert_pem, ca.name, fmt, 1);
		goto out;
	}
	if (strcmp(fmt, "key") != 0) {
		if (r->is_api || !post)
			web_error(r, r->is_api ? 422 : 400, "Choose format pem, der or key.");
		else
			ca_show(r, 422, &ca, NULL, &f);
		goto out;
	}
	if (!post) {
		web_error(r, 405, "Private keys are exported with a POST request.");
		goto out;
	}
	if (!ca.has_key) {
		web_error(r, 409, "This CA has no private key here.");
		goto out;
	}
	pass = form_str(&f, "passphrase");
	if (!r->is_api && strcmp(pass, form_str(&f, "passphrase_confirm")) != 0)
		form_error(&f, "passphrase_confirm", "The two entries do not match.");
	if (!form_ok(&f)) {
		if (r->is_api)
			web_json(r, 422, form_errors_json(&f));
		else
			ca_show(r, 422, &ca, NULL, &f);
		goto out;
	}
	if (cm_ca_key(r, &ca, &key) == -1 ||
	    pki_key_export(key, pass, &out, err, sizeof(err)) == -1) {
		web_error(r, 500, "The private key could not be exported.");
		goto out;
	}
	cm_file_base(ca.name, base, sizeof(base));
	snprintf(fn, sizeof(fn), "%s.key", base);
	web_download(r, "application/x-pem-file", fn, out, strlen(out));
	web_audit(r, "ca.export.key", ca.name, "private key exported (%s)",
	    *pass ? "encrypted with a passphrase" : "unencrypted");
out:
	pki_pem_free(key);
	pki_pem_free(out);
	form_free(&f);
	db_ca_free(&ca);
}

const struct web_route web_routes_ca[] = {
	{ "GET",    "/system/certmanager",			0, cas_list },
	{ "GET",    "/system/certmanager/ca",			0, cas_list },
	{ "GET",    "/system/certmanager/ca/new",		0, ca_new_get },
	{ "POST",   "/system/certmanager/ca/new",		0, ca_new_post },
	{ "GET",    "/system/certmanager/ca/{id}",		0, ca_get },
	{ "POST",   "/system/certmanager/ca/{id}",		0, ca_post },
	{ "POST",   "/system/certmanager/ca/{id}/delete",	0, ca_delete },
	{ "GET",    "/system/certmanager/ca/{id}/export",	0, ca_export },
	{ "POST",   "/system/certmanager/ca/{id}/export",	0, ca_export },

	{ "GET",    "/api/v1/cas",				0, cas_list },
	{ "POST",   "/api/v1/cas",				0, ca_new_post },
	{ "GET",    "/api/v1/cas/{id}",				0, ca_get },
	{ "PUT",    "/api/v1/cas/{id}",				0, ca_post },
	{ "DELETE", "/api/v1/cas/{id}",				0, ca_delete },
	{ "GET",    "/api/v1/cas/{id}/export",			0, ca_export },
	{ "POST",   "/api/v1/cas/{id}/export",			0, ca_export },
	{ NULL, NULL, 0, NULL },
};
