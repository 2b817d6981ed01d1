/*
 * ui-system — System > Change Password, API Tokens and General Setup, and
 * their JSON API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_PASSWORD 8

/* ---------------------------------------------------------------- password */

static const struct form_field password_fields[] = {
	{ .name = "current", .label = "Current password", .type = FORM_PASSWORD,
	  .flags = FORM_REQUIRED, .max = 256 },
	{ .name = "password", .label = "New password", .type = FORM_PASSWORD,
	  .flags = FORM_REQUIRED, .min = MIN_PASSWORD, .max = 256 },
	{ .name = "password_confirm", .label = "Confirm new password", .type = FORM_PASSWORD,
	  .flags = FORM_REQUIRED, .max = 256 },
};

static void
password_get(struct web_req *r)
{
	struct form f;
	json_t *ctx = web_ctx(r);

	form_init(&f, password_fields, NFIELDS(password_fields));
	json_object_set_new(ctx, "form", form_context(&f));
	json_object_set_new(ctx, "min_password", json_integer(MIN_PASSWORD));
	web_page(r, 200, "System / Change Password", "password", ctx);
	form_free(&f);
}

static void
password_post(struct web_req *r)
{
	struct form f;
	char hash[256];
	json_t *ctx;

	form_validate(&f, password_fields, NFIELDS(password_fields), &r->form);
	if (*form_str(&f, "current") && (r->user.pw_hash == NULL ||
	    !pki_password_verify(form_str(&f, "current"), r->user.pw_hash)))
		form_error(&f, "current", "The current password is wrong.");
	if (form_ok(&f) && strcmp(form_str(&f, "password"), form_str(&f, "password_confirm")) != 0)
		form_error(&f, "password_confirm", "The two entries do not match.");
	if (form_ok(&f) && strcmp(form_str(&f, "password"), form_str(&f, "current")) == 0)
		form_error(&f, "password", "Choose a password different from the current one.");
	if (!form_ok(&f)) {
		if (json_object_get(f.errors, "current"))
			web_audit(r, "password.change.failure", r->user.name, "wrong current password");
		ctx = NULL;
		if (!r->is_api) {
			ctx = web_ctx(r);
			json_object_set_new(ctx, "min_password", json_integer(MIN_PASSWORD));
		}
		web_form_invalid(r, &f, "System / Change Password", "password", ctx);
		form_free(&f);
		return;
	}
	if (pki_password_hash(form_str(&f, "password"), hash, sizeof(hash)) == -1 ||
	    db_user_set_password(r->app->db, r->user.id, hash, 0) != 0) {
		web_error(r, 500, "The password could not be changed.");
		goto out;
	}
	/* Other sessions of this account end; this one stays. */
	(void)db_session_delete_user(r->app->db, r->user.id, r->session.id);
	web_audit(r, "password.change", r->user.name, "other sessions ended");
	if (r->is_api)
		web_json(r, 200, json_pack("{s:b}", "changed", 1));
	else
		web_redirect(r, "/system/password?msg=password-changed");
out:
	explicit_bzero(hash, sizeof(hash));
	form_free(&f);
}

/* ---------------------------------------------------------------- API tokens */

static const struct form_field token_fields[] = {
	{ .name = "name", .label = "Description", .type = FORM_TEXT, .flags = FORM_REQUIRED,
	  .min = 1, .max = 64 },
};

static json_t *
token_json(const struct db_token *t)
{
	char created[32], used[32];

	web_time(t->created, created, sizeof(created));
	web_time(t->last_used, used, sizeof(used));
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)t->id,
	    "name", t->name, "user", t->user_name, "prefix", t->prefix, "created", created,
	    "last_used", used, "revoked", t->revoked);
}

static void
tokens_render(struct web_req *r, int status, const struct form *f, const char *secret)
{
	struct db_token *toks = NULL;
	size_t n = 0, i;
	json_t *ctx, *list = json_array();
	struct form empty;

	if (db_token_list(r->app->db, &toks, &n) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(list, token_json(&toks[i]));
	db_token_list_free(toks, n);
	if (r->is_api) {
		web_json(r, status, json_pack("{s:o}", "tokens", list));
		return;
	}
	ctx = web_ctx(r);
	json_object_set_new(ctx, "tokens", list);
	if (f == NULL) {
		form_init(&empty, token_fields, NFIELDS(token_fields));
		json_object_set_new(ctx, "form", form_context(&empty));
		form_free(&empty);
	} else
		json_object_set_new(ctx, "form", form_context(f));
	if (secret)
		json_object_set_new(ctx, "new_token", json_string(secret));
	web_page(r, status, "System / API Tokens", "tokens", ctx);
}

static void
tokens_get(struct web_req *r)
{
	tokens_render(r, 200, NULL, NULL);
}

static void
token_new(struct web_req *r)
{
	struct form f;
	char secret[128];
	int64_t id;

	if (form_validate(&f, token_fields, NFIELDS(token_fields), &r->form) == -1) {
		if (r->is_api)
			web_form_invalid(r, &f, NULL, NULL, NULL);
		else
			tokens_render(r, 422, &f, NULL);
		form_free(&f);
		return;
	}
	if (web_token_new(r, r->user.id, form_str(&f, "name"), secret, sizeof(secret), &id) == -1) {
		web_error(r, 500, "The token could not be created.");
		form_free(&f);
		return;
	}
	web_audit(r, "token.create", form_str(&f, "name"), "id=%lld", (long long)id);
	/* The secret is shown in this response only; just its hash is stored. */
	if (r->is_api)
		web_json(r, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id,
		    "name", form_str(&f, "name"), "token", secret));
	else
		tokens_render(r, 200, NULL, secret);
	explicit_bzero(secret, sizeof(secret));
	form_free(&f);
}

static void
token_revoke(struct web_req *r)
{
	int rc = db_token_revoke(r->app->db, r->path_id[0]);

	if (rc == DB_NOTFOUND) {
		web_error(r, 404, "No such active token.");
		return;
	}
	if (rc != 0) {
		web_error(r, 500, "The token could not be revoked.");
		return;
	}
	web_audit(r, "token.revoke", "", "id=%lld", (long long)r->path_id[0]);
	if (r->is_api)
		web_json(r, 200, json_pack("{s:b}", "revoked", 1));
	else
		web_redirect(r, "/system/tokens?msg=token-revoked");
}

/* ---------------------------------------------------------------- general setup */

static const struct form_field general_fields[] = {
	{ .name = "session_timeout", .label = "Session idle timeout", .type = FORM_INT,
	  .flags = FORM_REQUIRED, .min = 5, .max = 1440 },
};

static json_t *
general_json(struct web_req *r)
{
	return json_pack("{s:I}", "session_timeout", (json_int_t)(db_setting_int(r->app->db,
	    "session_idle_timeout", WEB_IDLE_DEFAULT) / 60));
}

static void
general_get(struct web_req *r)
{
	struct form f;
	json_t *ctx;
	char num[32];

	if (r->is_api) {
		web_json(r, 200, general_json(r));
		return;
	}
	form_init(&f, general_fields, NFIELDS(general_fields));
	snprintf(num, sizeof(num), "%lld",
	    db_setting_int(r->app->db, "session_idle_timeout", WEB_IDLE_DEFAULT) / 60);
	form_set(&f, "session_timeout", num);
	ctx = web_ctx(r);
	json_object_set_new(ctx, "form", form_context(&f));
	web_page(r, 200, "System / General Setup", "general", ctx);
	form_free(&f);
}

static void
general_post(struct web_req *r)
{
	struct form f;
	char num[32];

	if (r->is_api && web_param_find(&r->form, "session_timeout") == NULL) {
		snprintf(num, sizeof(num), "%lld",
		    db_setting_int(r->app->db, "session_idle_timeout", WEB_IDLE_DEFAULT) / 60);
		web_param_add(&r->form, "session_timeout", num, strlen(num), NULL);
	}
	if (form_validate(&f, general_fields, NFIELDS(general_fields), &r->form) == -1) {
		web_form_invalid(r, &f, "System / General Setup", "general", NULL);
		form_free(&f);
		return;
	}
	snprintf(num, sizeof(num), "%lld", form_int(&f, "session_timeout") * 60);
	if (db_setting_set(r->app->db, "session_idle_timeout", num) != 0) {
		web_error(r, 500, "The settings could not be saved.");
		form_free(&f);
		return;
	}
	web_audit(r, "settings.update", "general", "session_idle_timeout=%s", num);
	if (r->is_api)
		web_json(r, 200, general_json(r));
	else
		web_redirect(r, "/system/general?msg=settings-saved");
	form_free(&f);
}

const struct web_route web_routes_system[] = {
	{ "GET",    "/system/password",			0, password_get },
	{ "POST",   "/system/password",			0, password_post },
	{ "GET",    "/system/tokens",			0, tokens_get },
	{ "POST",   "/system/tokens/new",		0, token_new },
	{ "POST",   "/system/tokens/{id}/revoke",	0, token_revoke },
	{ "GET",    "/system/general",			0, general_get },
	{ "POST",   "/system/general",			0, general_post },

	{ "POST",   "/api/v1/password",			0, password_post },
	{ "GET",    "/api/v1/tokens",			0, tokens_get },
	{ "POST",   "/api/v1/tokens",			0, token_new },
	{ "DELETE", "/api/v1/tokens/{id}",		0, token_revoke },
	{ "GET",    "/api/v1/settings/general",		0, general_get },
	{ "PUT",    "/api/v1/settings/general",		0, general_post },
	{ NULL, NULL, 0, NULL },
};
