/* test_api — API tokens: created once, stored hashed, revocable. */
#include "common.h"

static char *
create_token(struct hc *c, const char *name)
{
	const struct hc_resp *r;
	char body[256];
	const char *p;

	hc_get(c, "/system/tokens");
	snprintf(body, sizeof(body), "csrf=%s&name=%s", hc_csrf(c), name);
	r = hc_form(c, "/system/tokens/new", body);
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "shown only this once");
	p = strstr(r->body, "<pre id=\"new-token\">");
	assert_non_null(p);
	return strndup(p + strlen("<pre id=\"new-token\">"), 6 + 64);
}

static void
test_token_lifecycle(void **state)
{
	struct hc *c = admin_client(), *api = hc_new();
	const struct hc_resp *r;
	char *tok = create_token(c, "monitor"), hdr[160], q[256];
	const char *json = "{\"name\":\"made-by-token\",\"role\":\"vpn\"}";

	(void)state;
	assert_int_equal(strncmp(tok, "ikegw_", 6), 0);
	/* Shown once: the list no longer carries it. */
	r = hc_get(c, "/system/tokens");
	assert_contains(r->body, "monitor");
	assert_not_contains(r->body, tok);
	/* Stored hashed. */
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '%s'", tok);
	assert_int_equal(hc_sql_int(q), 0);

	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", tok);
	hc_header(api, hdr);
	r = hc_get(api, "/api/v1/users");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"users\"");
	assert_contains(r->body, "\"admin\"");
	/* Token requests need no CSRF token (no cookie involved). */
	r = hc_post(api, "/api/v1/users", "application/json", json, strlen(json));
	assert_int_equal(r->status, 201);
	assert_true(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action='user.create'"
	    " AND object='made-by-token'") == 1);
	/* A token does not open HTML pages' session. */
	assert_null(hc_cookie(api, "ikegw_session"));

	/* Revoke it; it stops working at once. */
	hc_get(c, "/system/tokens");
	snprintf(q, sizeof(q), "/system/tokens/%lld/revoke",
	    hc_sql_int("SELECT id FROM api_tokens WHERE name='monitor'"));
	snprintf(hdr, sizeof(hdr), "csrf=%s", hc_csrf(c));
	assert_int_equal(hc_form(c, q, hdr)->status, 303);
	r = hc_get(api, "/api/v1/users");
	assert_int_equal(r->status, 401);
	free(tok);
	hc_free(api);
	hc_free(c);
}

static void
test_bad_tokens(void **state)
{
	struct hc *api = hc_new();

	(void)state;
	hc_header(api, "Authorization: Bearer ikegw_0000000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(hc_get(api, "/api/v1/users")->status, 401);
	hc_header(api, NULL);
	hc_header(api, "Authorization: Bearer nonsense");
	assert_int_equal(hc_get(api, "/api/v1/users")->status, 401);
	hc_free(api);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_token_lifecycle, reset_throttle),
		cmocka_unit_test_setup(test_bad_tokens, reset_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
