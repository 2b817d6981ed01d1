/* test_limits — oversize requests get 413, malformed ones 400; nothing stored. */
#include "common.h"

#define USERS "SELECT COUNT(*) FROM users"

static char *
filled(size_t n, const char *prefix)
{
	char *b = malloc(n + 1);
	size_t p = strlen(prefix);

	memcpy(b, prefix, p);
	memset(b + p, 'a', n - p);
	b[n] = '\0';
	return b;
}

static void
test_body_over_1mib(void **state)
{
	struct hc *c = admin_client();
	char prefix[256], *body;
	long long n = hc_sql_int(USERS);
	const struct hc_resp *r;

	(void)state;
	hc_get(c, "/system/users/new");
	snprintf(prefix, sizeof(prefix), "csrf=%s&name=big-user&role=vpn&full_name=", hc_csrf(c));
	body = filled(2 * 1024 * 1024, prefix);
	r = hc_form(c, "/system/users/new", body);
	assert_int_equal(r->status, 413);
	assert_contains(r->body, "too large");
	assert_int_equal(hc_sql_int(USERS), n);
	free(body);
	hc_free(c);
}

static void
test_multipart_over_4mib(void **state)
{
	struct hc *c = admin_client();
	size_t len = 5 * 1024 * 1024;
	char *body = malloc(len + 1);
	char head[512];
	int h;

	(void)state;
	hc_get(c, "/system/users/new");
	h = snprintf(head, sizeof(head), "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
	    "%s\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n",
	    hc_csrf(c));
	memcpy(body, head, (size_t)h);
	memset(body + h, 'z', len - (size_t)h);
	memcpy(body + len - 9, "\r\n--XyZ--", 9);
	assert_int_equal(hc_post(c, "/system/users/new", "multipart/form-data; boundary=XyZ", body,
	    len)->status, 413);
	free(body);
	hc_free(c);
}

static void
test_malformed(void **state)
{
	struct hc *c = admin_client();
	char body[256];
	long long n = hc_sql_int(USERS);
	const struct hc_resp *r;

	(void)state;
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=bad%%ZZname&role=vpn", hc_csrf(c));
	r = hc_form(c, "/system/users/new", body);
	assert_int_equal(r->status, 400);
	assert_not_contains(r->body, "ZZ");
	/* Invalid JSON to the API. */
	r = hc_post(c, "/api/v1/users", "application/json", "{\"name\":", 8);
	assert_int_equal(r->status, 400);
	/* A multipart body without its closing boundary. */
	const char *mp = "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n";
	assert_int_equal(hc_post(c, "/system/users/new", "multipart/form-data; boundary=b", mp,
	    strlen(mp))->status, 400);
	assert_int_equal(hc_sql_int(USERS), n);
	hc_free(c);
}

static void
test_too_many_fields(void **state)
{
	struct hc *c = admin_client();
	char *body = malloc(64 * 1024), *p;
	int i;

	(void)state;
	hc_get(c, "/system/users/new");
	p = body + sprintf(body, "csrf=%s&name=many&role=vpn", hc_csrf(c));
	for (i = 0; i < 400; i++)
		p += sprintf(p, "&f%d=1", i);
	assert_int_equal(hc_form(c, "/system/users/new", body)->status, 413);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM users WHERE name = 'many'"), 0);
	free(body);
	hc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_body_over_1mib, reset_throttle),
		cmocka_unit_test_setup(test_multipart_over_4mib, reset_throttle),
		cmocka_unit_test_setup(test_malformed, reset_throttle),
		cmocka_unit_test_setup(test_too_many_fields, reset_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
