/*
 * ui-crl — System > Cert. Manager > Revocation and its JSON API.
 *
 * Per CA here with a key: revoke a certificate it issued (or a serial) with
 * an RFC 5280 reason, undo a certificateHold, list what is revoked; each
 * change makes a new CRL (SHA-256, CRL number one higher, nextUpdate after
 * the configured days) in the same transaction as the change.  The CRL
 * distribution point set here is written into certificates issued later.
 * Per imported CA: a CRL fetched from a URL (libcurl through pki, http and
 * https only, size and time capped) or uploaded, checked against the CA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certmgr.h"

#define TITLE_LIST	"System / Certificate Manager / Revocation"
#define TITLE_SHOW	"System / Certificate Manager / Revocation / CA"
#define MAX_FILE	(4 * 1024 * 1024)

static const struct form_field revoke_fields[] = {
	{ .name = "cert", .label = "Certificate", .type = FORM_INT, .min = 1, .max = INT64_MAX },
	{ .name = "serial", .label = "Serial number", .type = FORM_TEXT, .max = 64,
	  .pattern = "(0[xX])?[0-9A-Fa-f:]+",
	  .pattern_msg = "Enter the serial number in hexadecimal, such as 7A:3F:09." },
	{ .name = "reason", .label = "Reason", .type = FORM_ENUM, .choices = cm_reason_choices },
};

static const struct form_field settings_fields[] = {
	{ .name = "next_days", .label = "Next update after", .type = FORM_INT,
	  .flags = FORM_REQUIRED, .min = 1, .max = 3650 },
	{ .name = "dist_url", .label = "Distribution point", .type = FORM_TEXT, .max = 512,
	  .pattern = "https?://[^[:space:]\"<>]+",
	  .pattern_msg = "Enter an http:// or https:// URL, such as http://vpn.example.com/ca.crl." },
};

static const struct form_field import_fields[] = {
	{ .name = "url", .label = "URL", .type = FORM_TEXT, .max = 2048 },
	{ .name = "crl", .label = "CRL file", .type = FORM_FILE, .max = MAX_FILE },
};

static const char *const crl_formats[] = { "pem", "der", NULL };

static const struct form_field export_fields[] = {
	{ .name = "format", .label = "Format", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = crl_formats },
};

/* ---------------------------------------------------------------- helpers */

static json_t *
revoked_json(const struct db_revoked *v)
{
	static const char *const labels[] = {
		"Unspecified", "Key compromise", "CA compromise", "Affiliation changed",
		"Superseded", "Cessation of operation", "Certificate hold",
	};

	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:o, s:b}", "id", (json_int_t)v->id,
	    "serial", v->serial, "name", v->name, "reason", pki_crl_reason_name(v->reason),
	    "reason_label", v->reason >= 0 && v->reason <= 6 ? labels[v->reason] : "?",
	    "cert_id", (json_int_t)v->cert_id, "revoked_at", cm_time(v->revoked_at),
	    "hold", v->reason == PKI_CRL_CERTIFICATE_HOLD);
}

/* What the CA's CRL state looks like (number, dates, settings, counts). */
static json_t *
crl_json(struct web_req *r, const struct db_ca *ca, int with_entries)
{
	struct db_crl_state s;
	struct db_crl_import imp;
	struct db_revoked *rev = NULL;
	size_t n = 0, i;
	json_t *j, *list, *info = NULL;
	char err[256];

	j = json_pack("{s:I, s:s, s:b, s:s, s:s}", "ca_id", (json_int_t)ca->id, "ca_name",
	    ca->name, "has_key", ca->has_key, "origin", db_ca_origin_name(ca->origin),
	    "subject", ca->subject);
	if (db_crl_state_get(r->app->db, ca->id, &s) == 0) {
		json_object_set_new(j, "number", json_integer(s.number));
		json_object_set_new(j, "next_days", json_integer(s.next_days));
		json_object_set_new(j, "dist_url", json_string(s.dist_url));
		if (s.crl_pem && pki_crl_verify(s.crl_pem, strlen(s.crl_pem), ca->cert_pem, NULL,
		    &info, err, sizeof(err)) == 0) {
			json_object_set_new(j, "this_update", cm_time(json_integer_value(
			    json_object_get(info, "last_update"))));
			json_object_set_new(j, "next_update", cm_time(json_integer_value(
			    json_object_get(info, "next_update"))));
			json_decref(info);
		}
		db_crl_state_free(&s);
	}
	list = json_array();
	if (db_revoked_list(r->app->db, ca->id, &rev, &n) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(list, revoked_json(&rev[i]));
	db_revoked_list_free(rev, n);
	json_object_set_new(j, "revoked_count", json_integer((json_int_t)json_array_size(list)));
	if (with_entries)
		json_object_set_new(j, "revoked", list);
	else
		json_decref(list);
	if (db_crl_import_get(r->app->db, ca->id, &imp) == 0) {
		json_object_set_new(j, "imported", json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:b}",
		    "url", imp.url, "number", imp.number, "entries", (json_int_t)imp.entries,
		    "last_update", cm_time(imp.last_update), "next_update",
		    cm_time(imp.next_update), "fetched", cm_time(imp.fetched),
		    "expired", imp.next_update && imp.next_update < r->now));
		db_crl_import_free(&imp);
	}
	return j;
}

/* ---------------------------------------------------------------- pages */

static void
crl_list(struct web_req *r)
{
	struct db_ca *cas = NULL;
	size_t n = 0, i;
	json_t *list, *ctx;

	if (db_ca_list(r->app->db, &cas, &n) != 0) {
		web_error(r, 500, "The CA list could not be read.");
		return;
	}
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, crl_json(r, &cas[i], 0));
	db_ca_list_free(cas, n);
	if (r->is_api) {
		web_json(r, 200, json_pack("{s:o}", "crls", list));
		return;
	}
	ctx = web_ctx(r);
	json_object_set_new(ctx, "cas", list);
	web_page(r, 200, TITLE_LIST, "certs_crl_list", ctx);
}

/* Certificates of ca that can still be revoked, as <option>s. */
static json_t *
candidates(struct web_req *r, int64_t ca_id, long long selected)
{
	struct db_cert *certs = NULL;
	size_t n = 0, i;
	json_t *out = json_array();

	if (db_cert_list(r->app->db, ca_id, &certs, &n) != 0)
		return out;
	for (i = 0; i < n; i++) {
		if (certs[i].pending || certs[i].revoked)
			continue;
		json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:b}", "value",
		    (json_int_t)certs[i].id, "label", certs[i].name, "serial",
		    certs[i].serial ? certs[i].serial : "", "selected", certs[i].id == selected));
	}
	db_cert_list_free(certs, n);
	return out;
}

struct failed {
	const char	*slot;	/* "revoke", "settings", "import" */
	const struct form *form;
};

static void
put_form(json_t *ctx, const char *slot, const struct form_field *fields, size_t n,
    const struct failed *fail, struct form *dflt)
{
	struct form f;

	if (fail && strcmp(fail->slot, slot) == 0) {
		json_object_set_new(ctx, slot, form_context(fail->form));
		return;
	}
	if (dflt) {
		json_object_set_new(ctx, slot, form_context(dflt));
		return;
	}
	form_init(&f, fields, n);
	json_object_set_new(ctx, slot, form_context(&f));
	form_free(&f);
}

static void
crl_show(struct web_req *r, int status, const struct db_ca *ca, const struct failed *fail)
{
	struct db_crl_state s;
	struct form settings;
	json_t *ctx, *crl;
	const char *sel = web_param_get(&r->query, "cert");
	long long selected = 0;
	char days[16];

	crl = crl_json(r, ca, 1);
	if (r->is_api) {
		web_json(r, status, crl);
		return;
	}
	if (fail && strcmp(fail->slot, "revoke") == 0)
		selected = form_int(fail->form, "cert");
	else if (sel)
		(void)parse_int(sel, 1, INT64_MAX, &selected);
	ctx = web_ctx(r);
	json_object_set_new(ctx, "crl", crl);
	json_object_set_new(ctx, "candidates", candidates(r, ca->id, selected));
	json_object_set_new(ctx, "reasons", cm_reason_options(fail &&
	    strcmp(fail->slot, "revoke") == 0 ? form_str(fail->form, "reason") : "unspecified"));
	json_object_set_new(ctx, "imported_ca", json_boolean(ca->origin == DB_CA_IMPORTED));
	form_init(&settings, settings_fields, NFIELDS(settings_fields));
	if (db_crl_state_get(r->app->db, ca->id, &s) == 0) {
		snprintf(days, sizeof(days), "%d", s.next_days);
		form_set(&settings, "next_days", days);
		form_set(&settings, "dist_url", s.dist_url);
		db_crl_state_free(&s);
	}
	put_form(ctx, "revoke", revoke_fields, NFIELDS(revoke_fields), fail, NULL);
	put_form(ctx, "settings", settings_fields, NFIELDS(settings_fields), fail, &settings);
	put_form(ctx, "import", import_fields, NFIELDS(import_fields), fail, NULL);
	form_free(&settings);
	web_page(r, status, TITLE_SHOW, "certs_crl", ctx);
}

static void
show_failed(struct web_req *r, const struct db_ca *ca, const char *slot, const struct form *f)
{
	struct failed fail = { slot, f };

	if (r->is_api)
		web_json(r, 422, form_errors_json(f));
	else
		crl_show(r, 422, ca, &fail);
}

static void
done(struct web_req *r, const struct db_ca *ca, const char *msg)
{
	char path[96];

	if (r->is_api) {
		web_json(r, 200, crl_json(r, ca, 1));
		return;
	}
	snprintf(path, sizeof(path), "/system/certmanager/crl/%lld?msg=%s", (long long)ca->id, msg);
	web_redirect(r, path);
}

static void
crl_get(struct web_req *r)
{
	struct db_ca ca;

	if (cm_load_ca(r, &ca) != 0)
		return;
	crl_show(r, 200, &ca, NULL);
	db_ca_free(&ca);
}

/* Refuses changes to a CA that cannot sign a CRL. */
static int
need_key(struct web_req *r, const struct db_ca *ca)
{
	if (ca->has_key)
		return 0;
	web_error(r, 409, "This CA has no private key here, so it cannot sign a CRL."
	    " Import the CA's own CRL instead.");
	return -1;
}

static void
crl_revoke(struct web_req *r)
{
	struct db_ca ca;
	struct db_cert c;
	struct db_revoked rev;
	struct form f;
	char serial[80], err[512];
	int reason = PKI_CRL_UNSPECIFIED, i, rc;

	memset(&c, 0, sizeof(c));
	if (cm_load_ca(r, &ca) != 0)
		return;
	form_validate(&f, revoke_fields, NFIELDS(revoke_fields), &r->form);
	if (need_key(r, &ca) != 0)
		goto out;
	for (i = 0; cm_reason_choices[i]; i++)
		if (strcmp(form_str(&f, "reason"), cm_reason_choices[i]) == 0)
			reason = i;
	serial[0] = '\0';
	if (form_int(&f, "cert")) {
		if (db_cert_get(r->app->db, form_int(&f, "cert"), &c) != 0 || c.ca_id != ca.id ||
		    c.pending)
			form_error(&f, "cert", "Choose a certificate this CA issued.");
		else if (c.revoked)
			form_error(&f, "cert", "This certificate is already revoked.");
		else
			snprintf(serial, sizeof(serial), "%s", c.serial);
	} else if (*form_str(&f, "serial")) {
		if (pki_serial_norm(form_str(&f, "serial"), serial, sizeof(serial), err,
		    sizeof(err)) == -1)
			cm_field_error(&f, "serial", err);
	} else if (form_ok(&f))
		form_error(&f, "cert", "Choose a certificate, or enter a serial number.");
	if (!form_ok(&f)) {
		show_failed(r, &ca, "revoke", &f);
		goto out;
	}
	memset(&rev, 0, sizeof(rev));
	rev.ca_id = ca.id;
	rev.serial = serial;
	rev.cert_id = c.id;
	rev.name = c.id ? c.name : (char *)"";
	rev.reason = reason;
	rev.revoked_at = r->now;
	if (db_begin(r->app->db) != 0)
		goto fail;
	rc = db_revoked_add(r->app->db, &rev);
	if (rc == DB_EXISTS) {
		db_rollback(r->app->db);
		form_error(&f, "serial", "This serial number is already revoked.");
		show_failed(r, &ca, "revoke", &f);
		goto out;
	}
	if (rc != 0)
		goto fail;
	if (cm_crl_make(r, &ca, err, sizeof(err)) != 0) {
		fprintf(stderr, "ikegw-web: crl: %s\n", err);
		goto fail;
	}
	if (db_commit(r->app->db) != 0)
		goto fail;
	web_pending(r, "CRL of a CA updated (certificate revoked)");
	web_audit(r, "cert.revoke", c.id ? c.name : serial, "CA %s, serial %s, reason %s",
	    ca.name, serial, pki_crl_reason_name(reason));
	done(r, &ca, "cert-revoked");
	goto out;
fail:
	db_rollback(r->app->db);
	web_error(r, 500, "The revocation could not be stored.");
out:
	form_free(&f);
	db_cert_free(&c);
	db_ca_free(&ca);
}

/* Undoes a certificateHold (the only revocation RFC 5280 lets end). */
static void
crl_unhold(struct web_req *r)
{
	struct db_ca ca;
	struct db_revoked rev;
	char err[512];

	if (cm_load_ca(r, &ca) != 0)
		return;
	if (need_key(r, &ca) != 0)
		goto out;
	if (db_revoked_get(r->app->db, r->path_id[1], &rev) != 0) {
		web_error(r, 404, "No such revocation for this CA.");
		goto out;
	}
	if (rev.ca_id != ca.id) {
		web_error(r, 404, "No such revocation for this CA.");
		goto free_rev;
	}
	if (rev.reason != PKI_CRL_CERTIFICATE_HOLD) {
		web_error(r, 409, "Only a certificate on hold can be reinstated; other"
		    " revocations are final.");
		goto free_rev;
	}
	if (db_begin(r->app->db) != 0 || db_revoked_delete(r->app->db, rev.id) != 0 ||
	    cm_crl_make(r, &ca, err, sizeof(err)) != 0 || db_commit(r->app->db) != 0) {
		db_rollback(r->app->db);
		web_error(r, 500, "The hold could not be removed.");
		goto free_rev;
	}
	web_pending(r, "CRL of a CA updated (hold removed)");
	web_audit(r, "cert.unhold", *rev.name ? rev.name : rev.serial, "CA %s, serial %s",
	    ca.name, rev.serial);
	done(r, &ca, "hold-removed");
free_rev:
	db_revoked_free(&rev);
out:
	db_ca_free(&ca);
}

static void
crl_settings(struct web_req *r)
{
	struct db_ca ca;
	struct form f;
	char err[512];

	if (cm_load_ca(r, &ca) != 0)
		return;
	form_validate(&f, settings_fields, NFIELDS(settings_fields), &r->form);
	if (need_key(r, &ca) != 0)
		goto out;
	if (!form_ok(&f)) {
		show_failed(r, &ca, "settings", &f);
		goto out;
	}
	/* A new CRL at once, so the new next-update applies. */
	if (db_begin(r->app->db) != 0 || db_crl_state_settings(r->app->db, ca.id,
	    (int)form_int(&f, "next_days"), form_str(&f, "dist_url")) != 0 ||
	    cm_crl_make(r, &ca, err, sizeof(err)) != 0 || db_commit(r->app->db) != 0) {
		db_rollback(r->app->db);
		web_error(r, 500, "The CRL settings could not be saved.");
		goto out;
	}
	web_audit(r, "crl.settings", ca.name, "next update after %lld days, distribution point %s",
	    form_int(&f, "next_days"), *form_str(&f, "dist_url") ? form_str(&f, "dist_url") :
	    "none");
	done(r, &ca, "crl-saved");
out:
	form_free(&f);
	db_ca_free(&ca);
}

/*
 * The CA's CRL: its own (made anew when there is none yet or half of its
 * validity has passed), or for a CA without key the imported one.
 */
static void
crl_export(struct web_req *r)
{
	struct db_ca ca;
	struct db_crl_state s;
	struct db_crl_import imp;
	struct form f;
	const char *pem = NULL;
	uint8_t *der = NULL;
	size_t derlen = 0;
	char base[80], fn[100], err[512];
	int have_state = 0, have_imp = 0;

	memset(&s, 0, sizeof(s));
	if (cm_load_ca(r, &ca) != 0)
		return;
	form_validate(&f, export_fields, NFIELDS(export_fields), &r->query);
	if (!form_ok(&f)) {
		web_error(r, r->is_api ? 422 : 400, "Choose format pem or der.");
		goto out;
	}
	if (ca.has_key) {
		if (db_crl_state_get(r->app->db, ca.id, &s) != 0)
			goto fail;
		if (s.crl_pem == NULL || r->now >= s.updated + (int64_t)s.next_days * 86400 / 2) {
			db_crl_state_free(&s);
			if (db_begin(r->app->db) != 0 || cm_crl_make(r, &ca, err, sizeof(err)) != 0 ||
			    db_commit(r->app->db) != 0) {
				db_rollback(r->app->db);
				goto fail;
			}
			if (db_crl_state_get(r->app->db, ca.id, &s) != 0)
				goto fail;
		}
		have_state = 1;
		pem = s.crl_pem;
	} else if (db_crl_import_get(r->app->db, ca.id, &imp) == 0) {
		have_imp = 1;
		pem = imp.crl_pem;
	}
	if (pem == NULL) {
		web_error(r, 404, "There is no CRL for this CA: it has no private key here and no"
		    " CRL was imported.");
		goto out;
	}
	cm_file_base(ca.name, base, sizeof(base));
	if (strcmp(form_str(&f, "format"), "pem") == 0) {
		snprintf(fn, sizeof(fn), "%s-crl.pem", base);
		web_download(r, "application/x-pem-file", fn, pem, strlen(pem));
	} else if (pki_crl_der(pem, &der, &derlen, err, sizeof(err)) == 0) {
		snprintf(fn, sizeof(fn), "%s.crl", base);
		web_download(r, "application/pkix-crl", fn, der, derlen);
		pki_der_free(der, derlen);
	} else
		goto fail;
	goto out;
fail:
	web_error(r, 500, "The CRL could not be made.");
out:
	if (have_state)
		db_crl_state_free(&s);
	if (have_imp)
		db_crl_import_free(&imp);
	form_free(&f);
	db_ca_free(&ca);
}

/* A CRL for an imported CA, from a URL or a file; replaces the previous one. */
static void
crl_import(struct web_req *r)
{
	struct db_ca ca;
	struct db_crl_import imp;
	struct form f;
	const unsigned char *buf;
	size_t len = 0;
	const char *url, *field;
	char *fetched = NULL, *pem = NULL, err[512];
	json_t *info = NULL;

	if (cm_load_ca(r, &ca) != 0)
		return;
	form_validate(&f, import_fields, NFIELDS(import_fields), &r->form);
	if (ca.origin != DB_CA_IMPORTED) {
		web_error(r, 409, "CRLs are imported for imported CAs; this CA makes its own.");
		goto out;
	}
	url = form_str(&f, "url");
	buf = form_file(&f, "crl", &len);
	if (*url == '\0' && buf == NULL && form_ok(&f))
		form_error(&f, "url", "Enter the URL of the CRL, or choose a CRL file.");
	if (!form_ok(&f))
		goto invalid;
	field = buf ? "crl" : "url";
	if (buf == NULL) {
		if (pki_crl_fetch(url, &fetched, err, sizeof(err)) == -1) {
			/* Say which side failed: the download, or what it brought. */
			if (strstr(err, url) == NULL && strncmp(err, "only", 4) != 0) {
				char s[600];

				cm_sentence(err, s, sizeof(s));
				form_error(&f, "url", "What %.200s returned is not a CRL: %s", url, s);
			} else
				cm_field_error(&f, "url", err);
			goto invalid;
		}
		buf = (const unsigned char *)fetched;
		len = strlen(fetched);
	}
	if (pki_crl_verify(buf, len, ca.cert_pem, &pem, &info, err, sizeof(err)) == -1) {
		cm_field_error(&f, field, err);
		goto invalid;
	}
	memset(&imp, 0, sizeof(imp));
	imp.ca_id = ca.id;
	imp.url = strcmp(field, "url") == 0 ? (char *)url : (char *)"";
	imp.crl_pem = pem;
	imp.number = (char *)json_string_value(json_object_get(info, "number"));
	imp.entries = (long long)json_array_size(json_object_get(info, "entries"));
	imp.last_update = json_integer_value(json_object_get(info, "last_update"));
	imp.next_update = json_integer_value(json_object_get(info, "next_update"));
	imp.fetched = r->now;
	if (db_crl_import_set(r->app->db, &imp) != 0) {
		web_error(r, 500, "The CRL could not be stored.");
		goto out;
	}
	web_pending(r, "CRL of CA '%s' imported", ca.name);
	web_audit(r, "crl.import", ca.name, "%lld entries, from %s", imp.entries,
	    *imp.url ? imp.url : "an uploaded file");
	done(r, &ca, "crl-imported");
	goto out;
invalid:
	show_failed(r, &ca, "import", &f);
out:
	json_decref(info);
	pki_pem_free(fetched);
	pki_pem_free(pem);
	form_free(&f);
	db_ca_free(&ca);
}

const struct web_route web_routes_crl[] = {
	{ "GET",    "/system/certmanager/crl",				0, crl_list },
	{ "GET",    "/system/certmanager/crl/{id}",			0, crl_get },
	{ "POST",   "/system/certmanager/crl/{id}/revoke",		0, crl_revoke },
	{ "POST",   "/system/certmanager/crl/{id}/unhold/{id}",		0, crl_unhold },
	{ "POST",   "/system/certmanager/crl/{id}/settings",		0, crl_settings },
	{ "POST",   "/system/certmanager/crl/{id}/import",		0, crl_import },
	{ "GET",    "/system/certmanager/crl/{id}/export",		0, crl_export },

	{ "GET",    "/api/v1/crls",					0, crl_list },
	{ "GET",    "/api/v1/cas/{id}/crl",				0, crl_get },
	{ "PUT",    "/api/v1/cas/{id}/crl",				0, crl_settings },
	{ "GET",    "/api/v1/cas/{id}/crl/export",			0, crl_export },
	{ "POST",   "/api/v1/cas/{id}/crl/import",			0, crl_import },
	{ "GET",    "/api/v1/cas/{id}/revocations",			0, crl_get },
	{ "POST",   "/api/v1/cas/{id}/revocations",			0, crl_revoke },
	{ "DELETE", "/api/v1/cas/{id}/revocations/{id}",		0, crl_unhold },
	{ NULL, NULL, 0, NULL },
};
