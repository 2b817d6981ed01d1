/*
 * ui-login — log in, log out, and the API's session probe.
 *
 * The login form is protected against login CSRF with a double-submit
 * token: GET /login sets a random HttpOnly SameSite=Strict cookie and puts
 * the same value in the form; POST /login accepts only when both agree.
 */
#include <stdio.h>
#include <string.h>

#include "web.h"

static const struct form_field login_fields[] = {
	{ .name = "username", .label = "User name", .type = FORM_TEXT, .flags = FORM_REQUIRED,
	  .max = 64 },
	{ .name = "password", .label = "Password", .type = FORM_PASSWORD, .flags = FORM_REQUIRED,
	  .max = 1024 },
};
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* A yescrypt hash of a random string, verified when the user does not exist
   so that a wrong name costs the same time as a wrong password. */
static const char dummy_hash[] =
    "$y$j9T$sQpeV6IibAG0RWBF7bGh31$oMm9yb2H/hkN7ptLhqMBLwgcWIVHWBp8p5DigpIsVg0";

static void
login_render(struct web_req *r, int status, struct form *f, const char *message)
{
	json_t *ctx = json_object();
	char token[65];

	/* A fresh login CSRF token each time the form is shown. */
	pki_random_hex(token, 32);
	web_header(r, "Set-Cookie", "%s=%s; Path=/login; HttpOnly; SameSite=Strict%s",
	    WEB_LOGIN_COOKIE, token, r->https ? "; Secure" : "");
	json_object_set_new(ctx, "csrf", json_string(token));
	if (f)
		json_object_set_new(ctx, "form", form_context(f));
	if (message)
		json_object_set_new(ctx, "error", json_string(message));
	web_page(r, status, "Log in", "login", ctx);
}

static void
login_get(struct web_req *r)
{
	if (r->user.id) {
		web_redirect(r, "/");
		return;
	}
	login_render(r, 200, NULL, NULL);
}

static void
login_post(struct web_req *r)
{
	struct form f;
	struct db_user u;
	const char *cookie, *sent, *name, *pw;
	long long wait;
	char msg[160];
	int ok;

	memset(&u, 0, sizeof(u));
	cookie = web_param_get(&r->cookies, WEB_LOGIN_COOKIE);
	sent = web_param_get(&r->form, "csrf");
	if (cookie == NULL || sent == NULL || strlen(cookie) != 64 || strlen(sent) != 64 ||
	    !pki_equal(cookie, sent, 64)) {
		web_error(r, 403, "The login form has expired. Reload the page and try again.");
		return;
	}
	if (form_validate(&f, login_fields, NFIELDS(login_fields), &r->form) == -1) {
		login_render(r, 422, &f, NULL);
		form_free(&f);
		return;
	}
	name = form_str(&f, "username");
	pw = form_str(&f, "password");
	if ((wait = web_throttle_check(r, name)) > 0) {
		web_audit(r, "login.locked", name, "refused while locked (%lld s left)", wait);
		snprintf(msg, sizeof(msg), "Too many failed logins. Try again in %lld %s.",
		    wait > 90 ? (wait + 59) / 60 : wait, wait > 90 ? "minutes" : "seconds");
		login_render(r, 429, &f, msg);
		form_free(&f);
		return;
	}
	if (db_user_find(r->app->db, name, &u) == 0 && u.pw_hash != NULL)
		ok = pki_password_verify(pw, u.pw_hash);
	else
		ok = pki_password_verify(pw, dummy_hash) && 0;
	if (ok && (u.role != DB_ROLE_ADMIN || u.disabled))
		ok = 0;
	if (ok && u.expires && *u.expires) {
		char today[16];
		web_time(r->now, today, sizeof(today));
		today[10] = '\0';
		if (strcmp(u.expires, today) < 0)
			ok = 0;
	}
	if (!ok) {
		web_throttle_fail(r, name);
		web_audit(r, "login.failure", name, "wrong user name or password");
		login_render(r, 401, &f, "Wrong user name or password.");
		goto out;
	}
	web_throttle_clear(r, name);
	if (web_session_start(r, &u) == -1) {
		web_error(r, 500, "Could not start a session.");
		goto out;
	}
	db_user_free(&r->user);
	r->user = u;
	memset(&u, 0, sizeof(u));
	web_audit(r, "login.success", r->user.name, NULL);
	web_redirect(r, "/");
out:
	db_user_free(&u);
	form_free(&f);
}

static void
logout_post(struct web_req *r)
{
	web_audit(r, "logout", r->user.name, NULL);
	web_session_end(r);
	web_redirect(r, "/login?msg=logged-out");
}

static void
home_get(struct web_req *r)
{
	web_redirect(r, "/status/dashboard");
}

/* GET /api/v1/session: who am I, and the CSRF token for session-based API calls. */
static void
api_session(struct web_req *r)
{
	web_json(r, 200, json_pack("{s:s, s:s, s:s, s:b}", "user", r->user.name,
	    "role", db_role_name(r->user.role), "csrf", web_csrf(r), "token", r->via_token));
}

const struct web_route web_routes_login[] = {
	{ "GET",  "/",			0,				home_get },
	{ "GET",  "/login",		ROUTE_PUBLIC,			login_get },
	{ "POST", "/login",		ROUTE_PUBLIC | ROUTE_NOCSRF,	login_post },
	{ "POST", "/logout",		0,				logout_post },
	{ "GET",  "/api/v1/session",	0,				api_session },
	{ NULL, NULL, 0, NULL },
};
