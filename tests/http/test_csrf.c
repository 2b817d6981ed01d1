/* test_csrf — state-changing requests need the session's CSRF token. */
#include "common.h"

#define USERS "SELECT COUNT(*) FROM users"

static void
test_form_without_token(void **state)
{
	struct hc *c = admin_client();
	long long n = hc_sql_int(USERS);
	long long audits = hc_sql_int("SELECT COUNT(*) FROM audit");
	const struct hc_resp *r;

	(void)state;
	r = hc_form(c, "/system/users/new", "name=csrf-victim&role=vpn");
	assert_int_equal(r->status, 403);
	assert_contains(r->body, "security token");
	assert_int_equal(hc_sql_int(USERS), n);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit"), audits);
	hc_free(c);
}

static void
test_form_with_wrong_token(void **state)
{
	struct hc *c = admin_client(), *other = admin_client();
	long long n = hc_sql_int(USERS);
	char body[256];

	(void)state;
	hc_get(other, "/system/users/new");
	/* Another session's token is not this session's token. */
	snprintf(body, sizeof(body), "csrf=%s&name=csrf-victim&role=vpn", hc_csrf(other));
	hc_get(c, "/system/users/new");
	assert_string_not_equal(hc_csrf(c), hc_csrf(other));
	assert_int_equal(hc_form(c, "/system/users/new", body)->status, 403);
	snprintf(body, sizeof(body), "csrf=&name=csrf-victim&role=vpn");
	assert_int_equal(hc_form(c, "/system/users/new", body)->status, 403);
	assert_int_equal(hc_sql_int(USERS), n);
	/* Deleting needs it too. */
	assert_int_equal(hc_form(c, "/system/users/1/delete", "x=1")->status, 403);
	assert_int_equal(hc_sql_int(USERS), n);
	/* And the right one works. */
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=csrf-ok&role=vpn", hc_csrf(c));
	assert_int_equal(hc_form(c, "/system/users/new", body)->status, 303);
	assert_int_equal(hc_sql_int(USERS), n + 1);
	hc_free(c);
	hc_free(other);
}

static void
test_api_header_token(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char hdr[128], *csrf;
	const char *json = "{\"name\":\"api-header\",\"role\":\"vpn\"}";
	long long n = hc_sql_int(USERS);

	(void)state;
	r = hc_post(c, "/api/v1/users", "application/json", json, strlen(json));
	assert_int_equal(r->status, 403);
	assert_int_equal(hc_sql_int(USERS), n);
	r = hc_get(c, "/api/v1/session");
	assert_int_equal(r->status, 200);
	csrf = strstr(r->body, "\"csrf\":\"");
	assert_non_null(csrf);
	csrf = strndup(csrf + 8, 64);
	snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", csrf);
	hc_header(c, hdr);
	r = hc_post(c, "/api/v1/users", "application/json", json, strlen(json));
	assert_int_equal(r->status, 201);
	assert_contains(r->body, "\"name\":\"api-header\"");
	assert_int_equal(hc_sql_int(USERS), n + 1);
	/* A browser sends its own origin (with the port) on same-site POSTs. */
	char origin[256];
	hc_header(c, NULL);
	hc_header(c, hdr);
	snprintf(origin, sizeof(origin), "Origin: %s", hc_env("IKEGW_URL"));
	hc_header(c, origin);
	json = "{\"name\":\"api-origin\",\"role\":\"vpn\"}";
	assert_int_equal(hc_post(c, "/api/v1/users", "application/json", json, strlen(json))->status, 201);
	n++;
	hc_header(c, NULL);
	hc_header(c, hdr);
	/* A cross-site Origin is refused even with the token. */
	hc_header(c, "Origin: http://evil.example");
	json = "{\"name\":\"api-evil\",\"role\":\"vpn\"}";
	assert_int_equal(hc_post(c, "/api/v1/users", "application/json", json, strlen(json))->status, 403);
	assert_int_equal(hc_sql_int(USERS), n + 1);
	free(csrf);
	hc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_form_without_token, reset_throttle),
		cmocka_unit_test_setup(test_form_with_wrong_token, reset_throttle),
		cmocka_unit_test_setup(test_api_header_token, reset_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
