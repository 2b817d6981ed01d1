/*
 * test_restart before|after — run by tests/http/run.sh around a second
 * `stack.sh start` (what a second `make run` does): the user and the
 * session created before must still be there after.
 */
#include "common.h"

static char *
cookie_file(void)
{
	char *p;

	if (asprintf(&p, "%s.cookie", hc_env("IKEGW_VAR")) < 0)
		abort();
	return p;
}

static void
before(void **state)
{
	struct hc *c = admin_client();
	char body[256], *tok, *path = cookie_file();
	FILE *f;

	(void)state;
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=survivor&role=vpn", hc_csrf(c));
	assert_int_equal(hc_form(c, "/system/users/new", body)->status, 303);
	tok = hc_cookie(c, "ikegw_session");
	assert_non_null(tok);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%s", tok);
	fclose(f);
	free(tok);
	free(path);
	hc_free(c);
}

static void
after(void **state)
{
	struct hc *c = hc_new();
	char tok[128] = "", *path = cookie_file();
	FILE *f;
	const struct hc_resp *r;

	(void)state;
	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(tok, sizeof(tok), f));
	fclose(f);
	unlink(path);
	free(path);
	hc_set_cookie(c, "ikegw_session", tok);
	r = hc_get(c, "/system/users");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "survivor");
	hc_free(c);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest b[] = { cmocka_unit_test(before) };
	const struct CMUnitTest a[] = { cmocka_unit_test(after) };

	if (argc == 2 && strcmp(argv[1], "before") == 0)
		return cmocka_run_group_tests(b, NULL, NULL);
	if (argc == 2 && strcmp(argv[1], "after") == 0)
		return cmocka_run_group_tests(a, NULL, NULL);
	fprintf(stderr, "usage: test_restart before|after\n");
	return 2;
}
