/* test_login — logging in and out, cookies, headers, session expiry. */
#include "common.h"

static void
test_login_page(void **state)
{
	struct hc *c = hc_new();
	const struct hc_resp *r = hc_get(c, "/login");
	const char *h;

	(void)state;
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "name=\"username\"");
	assert_non_null(hc_csrf(c));
	h = hc_resp_header(c, "Set-Cookie");
	assert_non_null(h);
	assert_contains(h, "ikegw_login=");
	assert_contains(h, "HttpOnly");
	assert_contains(h, "SameSite=Strict");
	/* Security headers on every response. */
	assert_contains(hc_resp_header(c, "Content-Security-Policy"), "script-src 'self'");
	assert_not_contains(hc_resp_header(c, "Content-Security-Policy"), "unsafe-inline");
	assert_string_equal(hc_resp_header(c, "X-Frame-Options"), "DENY");
	assert_string_equal(hc_resp_header(c, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(hc_resp_header(c, "Referrer-Policy"), "same-origin");
	/* No inline script anywhere in the page. */
	assert_not_contains(r->body, "<script>");
	hc_free(c);
}

static void
test_login_success_sets_session_cookie(void **state)
{
	struct hc *c = hc_new();
	const struct hc_resp *r;
	char *body, *pw = hc_escape(ADMIN_PW);
	const char *h;
	long long before = hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'login.success'");

	(void)state;
	hc_get(c, "/login");
	assert_true(asprintf(&body, "csrf=%s&username=admin&password=%s", hc_csrf(c), pw) > 0);
	r = hc_form(c, "/login", body);
	assert_int_equal(r->status, 303);
	assert_string_equal(hc_resp_header(c, "Location"), "/");
	h = hc_resp_header(c, "Set-Cookie");
	assert_non_null(h);
	assert_contains(h, "ikegw_session=");
	assert_contains(h, "HttpOnly");
	assert_contains(h, "SameSite=Strict");
	assert_contains(h, "Path=/");
	r = hc_get(c, "/system/users");
	assert_int_equal(r->status, 200);
	assert_string_equal(hc_resp_header(c, "Cache-Control"), "no-store");
	assert_contains(r->body, "admin");
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'login.success'"),
	    before + 1);
	/* The session token itself is not in the database, only its hash. */
	char *tok = hc_cookie(c, "ikegw_session"), q[256];
	assert_non_null(tok);
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'", tok);
	assert_int_equal(hc_sql_int(q), 0);
	free(tok);
	free(body);
	free(pw);
	hc_free(c);
}

static void
test_login_wrong_password(void **state)
{
	struct hc *c = hc_new();
	long long before = hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'login.failure'");

	(void)state;
	assert_int_equal(hc_login(c, "admin", "not-the-password"), 401);
	assert_contains(hc_get(c, "/login")->body, "name=\"password\"");
	assert_null(hc_cookie(c, "ikegw_session"));
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'login.failure'"),
	    before + 1);
	/* An unknown user gets the same answer. */
	assert_int_equal(hc_login(c, "nobody-here", "whatever-pass"), 401);
	assert_int_equal(hc_get(c, "/system/users")->status, 303);
	hc_free(c);
}

static void
test_login_requires_form_token(void **state)
{
	struct hc *c = hc_new();
	char *pw = hc_escape(ADMIN_PW), *body;

	(void)state;
	/* No login cookie and no token (a cross-site login attempt). */
	assert_true(asprintf(&body, "username=admin&password=%s", pw) > 0);
	assert_int_equal(hc_form(c, "/login", body)->status, 403);
	assert_null(hc_cookie(c, "ikegw_session"));
	free(body);
	/* A token that does not match the cookie. */
	hc_get(c, "/login");
	assert_true(asprintf(&body, "csrf=%064d&username=admin&password=%s", 0, pw) > 0);
	assert_int_equal(hc_form(c, "/login", body)->status, 403);
	assert_null(hc_cookie(c, "ikegw_session"));
	free(body);
	free(pw);
	hc_free(c);
}

static void
test_new_session_id_at_login(void **state)
{
	struct hc *c = hc_new();
	const char *planted = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	char *a, *b;

	(void)state;
	hc_set_cookie(c, "ikegw_session", planted);
	assert_int_equal(hc_login(c, "admin", ADMIN_PW), 200);
	a = hc_cookie(c, "ikegw_session");
	assert_non_null(a);
	assert_string_not_equal(a, planted);
	/* The planted id was not adopted: on its own it opens nothing. */
	struct hc *e = hc_new();
	hc_set_cookie(e, "ikegw_session", planted);
	assert_int_equal(hc_get(e, "/system/users")->status, 303);
	hc_free(e);
	/* A second browser logging in as the same user gets a different id. */
	struct hc *d = hc_new();
	assert_int_equal(hc_login(d, "admin", ADMIN_PW), 200);
	b = hc_cookie(d, "ikegw_session");
	assert_string_not_equal(a, b);
	hc_free(d);
	free(a);
	free(b);
	hc_free(c);
}

static void
test_logout(void **state)
{
	struct hc *c = admin_client();
	char body[128];
	long long sessions = hc_sql_int("SELECT COUNT(*) FROM sessions");

	(void)state;
	hc_get(c, "/system/users");
	snprintf(body, sizeof(body), "csrf=%s", hc_csrf(c));
	assert_int_equal(hc_form(c, "/logout", body)->status, 303);
	assert_contains(hc_resp_header(c, "Location"), "/login");
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM sessions"), sessions - 1);
	assert_int_equal(hc_get(c, "/system/users")->status, 303);
	hc_free(c);
}

static void
test_anonymous_access(void **state)
{
	struct hc *c = hc_new();
	const struct hc_resp *r;

	(void)state;
	r = hc_get(c, "/system/users");
	assert_int_equal(r->status, 303);
	assert_string_equal(hc_resp_header(c, "Location"), "/login");
	r = hc_get(c, "/api/v1/users");
	assert_int_equal(r->status, 401);
	assert_contains(r->body, "\"error\"");
	assert_contains(hc_resp_header(c, "Content-Type"), "application/json");
	hc_free(c);
}

static void
test_session_idle_expiry(void **state)
{
	struct hc *c = admin_client();
	char *tok = hc_cookie(c, "ikegw_session");

	(void)state;
	assert_int_equal(hc_get(c, "/system/users")->status, 200);
	/* Four hours and a minute pass without a request. */
	free(hc_sql("UPDATE sessions SET last_seen = last_seen - 14460"));
	assert_int_equal(hc_get(c, "/system/users")->status, 303);
	assert_string_equal(hc_resp_header(c, "Location"), "/login?msg=expired");
	assert_contains(hc_get(c, "/login?msg=expired")->body, "Your session has expired");
	/* The cookie is gone and so is the row. */
	char *after = hc_cookie(c, "ikegw_session");
	assert_true(after == NULL || strcmp(after, tok) != 0);
	free(after);
	free(tok);
	hc_free(c);
}

static void
test_configured_idle_timeout(void **state)
{
	struct hc *c = admin_client();
	char body[256];

	(void)state;
	hc_get(c, "/system/general");
	snprintf(body, sizeof(body), "csrf=%s&session_timeout=10", hc_csrf(c));
	assert_int_equal(hc_form(c, "/system/general", body)->status, 303);
	assert_string_equal(hc_sql("SELECT value FROM settings WHERE key='session_idle_timeout'"), "600");
	free(hc_sql("UPDATE sessions SET last_seen = last_seen - 540"));
	assert_int_equal(hc_get(c, "/system/general")->status, 200);
	free(hc_sql("UPDATE sessions SET last_seen = last_seen - 660"));
	assert_int_equal(hc_get(c, "/system/general")->status, 303);
	/* Out-of-range value: field message, setting unchanged. */
	hc_free(c);
	c = admin_client();
	hc_get(c, "/system/general");
	snprintf(body, sizeof(body), "csrf=%s&session_timeout=0", hc_csrf(c));
	const struct hc_resp *r = hc_form(c, "/system/general", body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "class=\"field-error\"");
	assert_string_equal(hc_sql("SELECT value FROM settings WHERE key='session_idle_timeout'"), "600");
	free(hc_sql("DELETE FROM settings WHERE key='session_idle_timeout'"));
	hc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_login_page, reset_throttle),
		cmocka_unit_test_setup(test_login_success_sets_session_cookie, reset_throttle),
		cmocka_unit_test_setup(test_login_wrong_password, reset_throttle),
		cmocka_unit_test_setup(test_login_requires_form_token, reset_throttle),
		cmocka_unit_test_setup(test_new_session_id_at_login, reset_throttle),
		cmocka_unit_test_setup(test_logout, reset_throttle),
		cmocka_unit_test_setup(test_anonymous_access, reset_throttle),
		cmocka_unit_test_setup(test_session_idle_expiry, reset_throttle),
		cmocka_unit_test_setup(test_configured_idle_timeout, reset_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
