/*
 * ui-users — System > User Manager (users and groups) and their JSON API.
 *
 * Administrators log in with a password hashed by yescrypt.  VPN users get
 * a VPN password of which only the NT hash is kept (what EAP-MSCHAPv2
 * needs), sealed with the secret key; the plaintext is never stored.
 * An account of either role may have both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_PASSWORD 8

static const char *const role_choices[] = { "admin", "vpn", NULL };

/* User names double as EAP identities: keep them to what every client can type. */
#define USERNAME_PATTERN "[A-Za-z0-9][A-Za-z0-9._@-]*"
#define USERNAME_MSG "Use letters, digits and . _ @ - (starting with a letter or digit)."

static const struct form_field user_fields[] = {
	{ .name = "name", .label = "User name", .type = FORM_TEXT, .flags = FORM_REQUIRED,
	  .min = 1, .max = 64, .pattern = USERNAME_PATTERN, .pattern_msg = USERNAME_MSG },
	{ .name = "full_name", .label = "Full name", .type = FORM_TEXT, .max = 128 },
	{ .name = "role", .label = "Role", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = role_choices },
	{ .name = "disabled", .label = "Disabled", .type = FORM_BOOL },
	{ .name = "expires", .label = "Expiration date", .type = FORM_DATE },
	{ .name = "password", .label = "Password", .type = FORM_PASSWORD, .max = 256 },
	{ .name = "password_confirm", .label = "Confirm password", .type = FORM_PASSWORD,
	  .max = 256 },
	{ .name = "vpn_password", .label = "VPN password", .type = FORM_PASSWORD, .max = 256 },
	{ .name = "vpn_password_confirm", .label = "Confirm VPN password", .type = FORM_PASSWORD,
	  .max = 256 },
	{ .name = "groups", .label = "Groups", .type = FORM_INT, .flags = FORM_MULTI,
	  .min = 1, .max = INT64_MAX },
};

static const struct form_field group_fields[] = {
	{ .name = "name", .label = "Group name", .type = FORM_TEXT, .flags = FORM_REQUIRED,
	  .min = 1, .max = 64, .pattern = "[A-Za-z0-9][A-Za-z0-9._-]*",
	  .pattern_msg = "Use letters, digits and . _ - (starting with a letter or digit)." },
	{ .name = "description", .label = "Description", .type = FORM_TEXT, .max = 256 },
};

/* ---------------------------------------------------------------- helpers */

static const char *
user_status(const struct db_user *u, int64_t now)
{
	char today[32];

	if (u->disabled)
		return "disabled";
	if (u->expires && *u->expires) {
		web_time(now, today, sizeof(today));
		today[10] = '\0';
		if (strcmp(u->expires, today) < 0)
			return "expired";
	}
	return "active";
}

/* {id, name, ...} as pages and the API show a user.  Never any secret. */
static json_t *
user_json(struct web_req *r, const struct db_user *u)
{
	struct db_group *groups = NULL;
	size_t ng = 0, ni = 0, i, j;
	int64_t *ids = NULL;
	json_t *gl = json_array();
	char created[32], updated[32];

	if (db_user_groups(r->app->db, u->id, &ids, &ni) == 0 &&
	    db_group_list(r->app->db, &groups, &ng) == 0) {
		for (i = 0; i < ng; i++)
			for (j = 0; j < ni; j++)
				if (groups[i].id == ids[j])
					json_array_append_new(gl, json_string(groups[i].name));
	}
	db_group_list_free(groups, ng);
	free(ids);
	web_time(u->created, created, sizeof(created));
	web_time(u->updated, updated, sizeof(updated));
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s?, s:s, s:o, s:b, s:b, s:s, s:s}",
	    "id", (json_int_t)u->id, "name", u->name, "full_name", u->full_name,
	    "role", db_role_name(u->role),
	    "role_label", u->role == DB_ROLE_ADMIN ? "Administrator" : "VPN user",
	    "disabled", u->disabled, "expires", u->expires,
	    "status", user_status(u, r->now), "groups", gl,
	    "has_password", u->pw_hash != NULL, "has_vpn_password", u->vpn_secret != NULL,
	    "created", created, "updated", updated);
}

/* The group checkboxes, with the ones in `selected` ticked. */
static json_t *
group_choices(struct web_req *r, const struct form *f)
{
	struct db_group *groups = NULL;
	size_t ng = 0, i, k;
	json_t *out = json_array();
	int on;

	if (db_group_list(r->app->db, &groups, &ng) != 0)
		return out;
	for (i = 0; i < ng; i++) {
		on = 0;
		for (k = 0; f && k < form_count(f, "groups"); k++)
			if (strtoll(form_item(f, "groups", k), NULL, 10) == groups[i].id)
				on = 1;
		json_array_append_new(out, json_pack("{s:I, s:s, s:b}", "id",
		    (json_int_t)groups[i].id, "name", groups[i].name, "checked", on));
	}
	db_group_list_free(groups, ng);
	return out;
}

static json_t *
role_options(const char *selected)
{
	return json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]",
	    "value", "vpn", "label", "VPN user", "selected", strcmp(selected, "admin") != 0,
	    "value", "admin", "label", "Administrator", "selected", strcmp(selected, "admin") == 0);
}

static json_t *
user_form_ctx(struct web_req *r, const struct form *f, const struct db_user *u)
{
	json_t *ctx = web_ctx(r);

	json_object_set_new(ctx, "form", form_context(f));
	json_object_set_new(ctx, "groups", group_choices(r, f));
	json_object_set_new(ctx, "roles", role_options(form_str(f, "role")));
	json_object_set_new(ctx, "min_password", json_integer(MIN_PASSWORD));
	if (u) {
		json_object_set_new(ctx, "edit", json_pack("{s:I, s:s, s:b, s:b}",
		    "id", (json_int_t)u->id, "name", u->name,
		    "has_password", u->pw_hash != NULL, "has_vpn_password", u->vpn_secret != NULL));
	}
	return ctx;
}

/* Checks a password/confirmation pair; required when `need`. */
static void
check_password(struct form *f, const char *field, const char *confirm, int need, const char *what)
{
	const char *p = form_str(f, field), *c = form_str(f, confirm);

	if (*p == '\0') {
		if (need)
			form_error(f, field, "%s is required.", what);
		return;
	}
	if (strlen(p) < MIN_PASSWORD)
		form_error(f, field, "%s must be at least %d characters.", what, MIN_PASSWORD);
	else if (strcmp(p, c) != 0)
		form_error(f, confirm, "The two entries do not match.");
}

/* Seals the NT hash of pw for user id.  0 or -1. */
static int
set_vpn_password(struct web_req *r, int64_t id, const char *pw)
{
	uint8_t nt[16], *blob = NULL;
	size_t bloblen;
	char aad[64];
	int rc = -1;

	if (pki_nt_hash(pw, nt) == -1)
		goto out;
	snprintf(aad, sizeof(aad), "user:%lld:vpn-nt-hash", (long long)id);
	if (pki_seal(r->app->secret, aad, nt, sizeof(nt), &blob, &bloblen) == -1)
		goto out;
	rc = db_user_set_vpn_secret(r->app->db, id, blob, bloblen);
out:
	explicit_bzero(nt, sizeof(nt));
	free(blob);
	return rc;
}

/*
 * For API updates (PUT) only: start from the stored values so a client may
 * send just the fields it changes.  Forms always send every field.
 */
static void
api_merge_user(struct web_params *in, const struct db_user *u)
{
	if (web_param_find(in, "name") == NULL)
		web_param_add(in, "name", u->name, strlen(u->name), NULL);
	if (web_param_find(in, "full_name") == NULL)
		web_param_add(in, "full_name", u->full_name, strlen(u->full_name), NULL);
	if (web_param_find(in, "role") == NULL)
		web_param_add(in, "role", db_role_name(u->role), strlen(db_role_name(u->role)), NULL);
	if (web_param_find(in, "disabled") == NULL)
		web_param_add(in, "disabled", u->disabled ? "1" : "0", 1, NULL);
	if (web_param_find(in, "expires") == NULL && u->expires)
		web_param_add(in, "expires", u->expires, strlen(u->expires), NULL);
}

/*
 * Validates and stores a new (u == NULL) or existing user from r->form.
 * Renders the outcome (redirect, re-rendered form, or JSON).
 */
static void
user_save(struct web_req *r, struct db_user *u)
{
	struct form f;
	struct db_user nu;
	enum db_role role = DB_ROLE_VPN;
	char hash[256];
	int64_t *gids = NULL;
	size_t ng, i;
	long long admins = 0;
	int rc;

	memset(&nu, 0, sizeof(nu));
	if (u && r->is_api)
		api_merge_user(&r->form, u);
	form_validate(&f, user_fields, NFIELDS(user_fields), &r->form);
	(void)db_role_parse(form_str(&f, "role"), &role);
	/* An administrator needs a way to log in. */
	check_password(&f, "password", "password_confirm",
	    role == DB_ROLE_ADMIN && (u == NULL || u->pw_hash == NULL), "A password");
	check_password(&f, "vpn_password", "vpn_password_confirm", 0, "The VPN password");
	if (u && u->id == r->user.id && (role != DB_ROLE_ADMIN || form_bool(&f, "disabled")))
		form_error(&f, "role", "You cannot remove your own administrator access.");
	if (u && u->role == DB_ROLE_ADMIN && (role != DB_ROLE_ADMIN || form_bool(&f, "disabled")) &&
	    db_user_count_admins(r->app->db, u->id, &admins) == 0 && admins == 0)
		form_error(&f, "role", "This is the last administrator; keep it enabled.");
	ng = form_count(&f, "groups");
	if (ng && (gids = calloc(ng, sizeof(*gids))) == NULL)
		abort();
	for (i = 0; i < ng; i++) {
		struct db_group g;

		gids[i] = strtoll(form_item(&f, "groups", i), NULL, 10);
		if (db_group_get(r->app->db, gids[i], &g) != 0)
			form_error(&f, "groups", "Group %lld does not exist.", (long long)gids[i]);
		else
			db_group_free(&g);
	}
	if (!form_ok(&f))
		goto invalid;

	nu.id = u ? u->id : 0;
	nu.name = (char *)form_str(&f, "name");
	nu.full_name = (char *)form_str(&f, "full_name");
	nu.role = role;
	nu.disabled = form_bool(&f, "disabled");
	nu.expires = (char *)form_str(&f, "expires");
	if (db_begin(r->app->db) != 0)
		goto dberr;
	rc = u ? db_user_update(r->app->db, &nu) : db_user_insert(r->app->db, &nu);
	if (rc == DB_EXISTS) {
		db_rollback(r->app->db);
		form_error(&f, "name", "A user with this name already exists.");
		goto invalid;
	}
	if (rc != 0)
		goto dbfail;
	if (*form_str(&f, "password")) {
		if (pki_password_hash(form_str(&f, "password"), hash, sizeof(hash)) == -1 ||
		    db_user_set_password(r->app->db, nu.id, hash, 0) != 0)
			goto dbfail;
		explicit_bzero(hash, sizeof(hash));
	}
	if (*form_str(&f, "vpn_password") && set_vpn_password(r, nu.id,
	    form_str(&f, "vpn_password")) != 0)
		goto dbfail;
	if (db_user_set_groups(r->app->db, nu.id, gids, ng) != 0)
		goto dbfail;
	/* A disabled account loses its sessions at once. */
	if (nu.disabled && db_session_delete_user(r->app->db, nu.id, 0) != 0)
		goto dbfail;
	if (db_commit(r->app->db) != 0)
		goto dbfail;

	web_pending(r, "user %s %s", nu.name, u ? "changed" : "added");
	web_audit(r, u ? "user.update" : "user.create", nu.name,
	    "role=%s disabled=%d expires=%s%s%s", db_role_name(role), nu.disabled,
	    *nu.expires ? nu.expires : "never",
	    *form_str(&f, "password") ? " password=changed" : "",
	    *form_str(&f, "vpn_password") ? " vpn_password=changed" : "");
	if (r->is_api) {
		struct db_user saved;

		if (db_user_get(r->app->db, nu.id, &saved) == 0) {
			web_json(r, u ? 200 : 201, user_json(r, &saved));
			db_user_free(&saved);
		} else
			web_error(r, 500, "User saved but could not be read back.");
	} else
		web_redirect(r, u ? "/system/users?msg=user-saved" : "/system/users?msg=user-created");
	goto out;
dbfail:
	db_rollback(r->app->db);
dberr:
	fprintf(stderr, "ikegw-web: user save: %s\n", db_errmsg(r->app->db));
	web_error(r, 500, "The user could not be saved.");
	goto out;
invalid:
	web_form_invalid(r, &f, u ? "System / User Manager / Edit user" :
	    "System / User Manager / Add user", "user_edit",
	    r->is_api ? NULL : user_form_ctx(r, &f, u));
out:
	free(gids);
	form_free(&f);
}

static int
load_user(struct web_req *r, struct db_user *u)
{
	return web_load_result(r, db_user_get(r->app->db, r->path_id[0], u), "user");
}

/* ---------------------------------------------------------------- pages */

static void
users_list(struct web_req *r)
{
	struct db_user *users = NULL;
	size_t n = 0, i;
	json_t *list;

	if (db_user_list(r->app->db, &users, &n) != 0) {
		web_error(r, 500, "The user list could not be read.");
		return;
	}
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, user_json(r, &users[i]));
	db_user_list_free(users, n);
	web_list(r, "users", list, "System / User Manager / Users", "users");
}

static void
user_new_get(struct web_req *r)
{
	struct form f;

	form_init(&f, user_fields, NFIELDS(user_fields));
	form_set(&f, "role", "vpn");
	web_page(r, 200, "System / User Manager / Add user", "user_edit", user_form_ctx(r, &f, NULL));
	form_free(&f);
}

static void
user_new_post(struct web_req *r)
{
	user_save(r, NULL);
}

static void
user_get(struct web_req *r)
{
	struct db_user u;
	struct form f;
	int64_t *ids = NULL;
	size_t n = 0, i;
	char num[32];

	if (load_user(r, &u) != 0)
		return;
	if (r->is_api) {
		web_json(r, 200, user_json(r, &u));
		db_user_free(&u);
		return;
	}
	form_init(&f, user_fields, NFIELDS(user_fields));
	form_set(&f, "name", u.name);
	form_set(&f, "full_name", u.full_name);
	form_set(&f, "role", db_role_name(u.role));
	form_set(&f, "disabled", u.disabled ? "1" : "0");
	form_set(&f, "expires", u.expires ? u.expires : "");
	if (db_user_groups(r->app->db, u.id, &ids, &n) == 0) {
		for (i = 0; i < n; i++) {
			snprintf(num, sizeof(num), "%lld", (long long)ids[i]);
			form_set(&f, "groups", num);
		}
	}
	free(ids);
	web_page(r, 200, "System / User Manager / Edit user", "user_edit", user_form_ctx(r, &f, &u));
	form_free(&f);
	db_user_free(&u);
}

static void
user_post(struct web_req *r)
{
	struct db_user u;

	if (load_user(r, &u) != 0)
		return;
	user_save(r, &u);
	db_user_free(&u);
}

static void
user_delete(struct web_req *r)
{
	struct db_user u;
	long long admins = 0;

	if (load_user(r, &u) != 0)
		return;
	if (u.id == r->user.id) {
		web_error(r, 409, "You cannot delete your own account.");
		goto out;
	}
	if (u.role == DB_ROLE_ADMIN &&
	    (db_user_count_admins(r->app->db, u.id, &admins) != 0 || admins == 0)) {
		web_error(r, 409, "This is the last administrator and cannot be deleted.");
		goto out;
	}
	if (db_user_delete(r->app->db, u.id) != 0) {
		web_error(r, 500, "The user could not be deleted.");
		goto out;
	}
	web_pending(r, "user %s deleted", u.name);
	web_audit(r, "user.delete", u.name, NULL);
	web_deleted(r, "/system/users?msg=user-deleted");
out:
	db_user_free(&u);
}

/* ---------------------------------------------------------------- groups */

static json_t *
group_json(const struct db_group *g)
{
	return json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)g->id, "name", g->name,
	    "description", g->description, "members", (json_int_t)g->members);
}

static void
groups_list(struct web_req *r)
{
	struct db_group *groups = NULL;
	size_t n = 0, i;
	json_t *list;

	if (db_group_list(r->app->db, &groups, &n) != 0) {
		web_error(r, 500, "The group list could not be read.");
		return;
	}
	list = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(list, group_json(&groups[i]));
	db_group_list_free(groups, n);
	web_list(r, "groups", list, "System / User Manager / Groups", "groups");
}

static void
group_save(struct web_req *r, struct db_group *g)
{
	struct form f;
	struct db_group ng;
	json_t *ctx;
	int rc;

	if (g && r->is_api) {
		if (web_param_find(&r->form, "name") == NULL)
			web_param_add(&r->form, "name", g->name, strlen(g->name), NULL);
		if (web_param_find(&r->form, "description") == NULL)
			web_param_add(&r->form, "description", g->description,
			    strlen(g->description), NULL);
	}
	if (form_validate(&f, group_fields, NFIELDS(group_fields), &r->form) == 0) {
		memset(&ng, 0, sizeof(ng));
		ng.id = g ? g->id : 0;
		ng.name = (char *)form_str(&f, "name");
		ng.description = (char *)form_str(&f, "description");
		rc = g ? db_group_update(r->app->db, &ng) : db_group_insert(r->app->db, &ng);
		if (rc == 0) {
			web_pending(r, "group %s %s", ng.name, g ? "changed" : "added");
			web_audit(r, g ? "group.update" : "group.create", ng.name, NULL);
			if (r->is_api) {
				struct db_group saved;

				if (db_group_get(r->app->db, ng.id, &saved) == 0) {
					web_json(r, g ? 200 : 201, group_json(&saved));
					db_group_free(&saved);
				} else
					web_error(r, 500, "Group saved but could not be read back.");
			} else
				web_redirect(r, g ? "/system/groups?msg=group-saved" :
				    "/system/groups?msg=group-created");
			form_free(&f);
			return;
		}
		if (rc != DB_EXISTS) {
			web_error(r, 500, "The group could not be saved.");
			form_free(&f);
			return;
		}
		form_error(&f, "name", "A group with this name already exists.");
	}
	ctx = NULL;
	if (!r->is_api) {
		ctx = web_ctx(r);
		if (g)
			json_object_set_new(ctx, "edit", group_json(g));
	}
	web_form_invalid(r, &f, g ? "System / User Manager / Edit group" :
	    "System / User Manager / Add group", "group_edit", ctx);
	form_free(&f);
}

static int
load_group(struct web_req *r, struct db_group *g)
{
	return web_load_result(r, db_group_get(r->app->db, r->path_id[0], g), "group");
}

static void
group_new_get(struct web_req *r)
{
	struct form f;
	json_t *ctx = web_ctx(r);

	form_init(&f, group_fields, NFIELDS(group_fields));
	json_object_set_new(ctx, "form", form_context(&f));
	web_page(r, 200, "System / User Manager / Add group", "group_edit", ctx);
	form_free(&f);
}

static void
group_new_post(struct web_req *r)
{
	group_save(r, NULL);
}

static void
group_get(struct web_req *r)
{
	struct db_group g;
	struct form f;
	json_t *ctx;

	if (load_group(r, &g) != 0)
		return;
	if (r->is_api) {
		web_json(r, 200, group_json(&g));
		db_group_free(&g);
		return;
	}
	form_init(&f, group_fields, NFIELDS(group_fields));
	form_set(&f, "name", g.name);
	form_set(&f, "description", g.description);
	ctx = web_ctx(r);
	json_object_set_new(ctx, "form", form_context(&f));
	json_object_set_new(ctx, "edit", group_json(&g));
	web_page(r, 200, "System / User Manager / Edit group", "group_edit", ctx);
	form_free(&f);
	db_group_free(&g);
}

static void
group_post(struct web_req *r)
{
	struct db_group g;

	if (load_group(r, &g) != 0)
		return;
	group_save(r, &g);
	db_group_free(&g);
}

static void
group_delete(struct web_req *r)
{
	struct db_group g;

	if (load_group(r, &g) != 0)
		return;
	if (db_group_delete(r->app->db, g.id) != 0)
		web_error(r, 500, "The group could not be deleted.");
	else {
		web_pending(r, "group %s deleted", g.name);
		web_audit(r, "group.delete", g.name, NULL);
		web_deleted(r, "/system/groups?msg=group-deleted");
	}
	db_group_free(&g);
}

const struct web_route web_routes_users[] = {
	{ "GET",    "/system/users",			0, users_list },
	{ "GET",    "/system/users/new",		0, user_new_get },
	{ "POST",   "/system/users/new",		0, user_new_post },
	{ "GET",    "/system/users/{id}",		0, user_get },
	{ "POST",   "/system/users/{id}",		0, user_post },
	{ "POST",   "/system/users/{id}/delete",	0, user_delete },
	{ "GET",    "/system/groups",			0, groups_list },
	{ "GET",    "/system/groups/new",		0, group_new_get },
	{ "POST",   "/system/groups/new",		0, group_new_post },
	{ "GET",    "/system/groups/{id}",		0, group_get },
	{ "POST",   "/system/groups/{id}",		0, group_post },
	{ "POST",   "/system/groups/{id}/delete",	0, group_delete },

	{ "GET",    "/api/v1/users",			0, users_list },
	{ "POST",   "/api/v1/users",			0, user_new_post },
	{ "GET",    "/api/v1/users/{id}",		0, user_get },
	{ "PUT",    "/api/v1/users/{id}",		0, user_post },
	{ "DELETE", "/api/v1/users/{id}",		0, user_delete },
	{ "GET",    "/api/v1/groups",			0, groups_list },
	{ "POST",   "/api/v1/groups",			0, group_new_post },
	{ "GET",    "/api/v1/groups/{id}",		0, group_get },
	{ "PUT",    "/api/v1/groups/{id}",		0, group_post },
	{ "DELETE", "/api/v1/groups/{id}",		0, group_delete },
	{ NULL, NULL, 0, NULL },
};
