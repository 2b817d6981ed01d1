/* test_escaping — stored XSS is rendered inert; error pages echo nothing. */
#include "common.h"

static void
test_stored_xss_in_full_name(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char *payload = hc_escape("<script>alert(\"x\")</script>' onmouseover='alert(1)&");
	char body[512];

	(void)state;
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=xss-user&role=vpn&full_name=%s", hc_csrf(c),
	    payload);
	assert_int_equal(hc_form(c, "/system/users/new", body)->status, 303);
	r = hc_get(c, "/system/users");
	assert_int_equal(r->status, 200);
	assert_contains(r->body,
	    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;alert(1)&amp;");
	assert_not_contains(r->body, "<script>alert");
	assert_not_contains(r->body, "' onmouseover='");
	/* In an attribute (the edit form's value="…") as well. */
	char path[64];
	snprintf(path, sizeof(path), "/system/users/%lld",
	    hc_sql_int("SELECT id FROM users WHERE name = 'xss-user'"));
	r = hc_get(c, path);
	assert_contains(r->body, "value=\"&lt;script&gt;alert(&quot;x&quot;)");
	assert_not_contains(r->body, "<script>alert");
	/* The JSON API escapes for JSON. */
	r = hc_get(c, "/api/v1/users");
	assert_contains(r->body, "\\u003cscript\\u003e");
	free(payload);
	hc_free(c);
}

static void
test_404_does_not_echo(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;

	(void)state;
	r = hc_get(c, "/no-such-page-zq7/%3Cscript%3Ealert(1)%3C/script%3E");
	assert_int_equal(r->status, 404);
	assert_not_contains(r->body, "zq7");
	assert_not_contains(r->body, "<script>alert");
	assert_not_contains(r->body, "alert(1)");
	r = hc_get(c, "/api/v1/zq7-nothing");
	assert_int_equal(r->status, 404);
	assert_not_contains(r->body, "zq7");
	/* Anonymous too. */
	hc_free(c);
	c = hc_new();
	r = hc_get(c, "/zq7-anon");
	assert_int_equal(r->status, 404);
	assert_not_contains(r->body, "zq7");
	hc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_stored_xss_in_full_name, reset_throttle),
		cmocka_unit_test_setup(test_404_does_not_echo, reset_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
