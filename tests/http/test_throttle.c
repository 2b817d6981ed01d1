/* test_throttle — login throttling per user name and per source address. */
#include "common.h"

static void
test_user_locked_after_five_failures(void **state)
{
	struct hc *c = hc_new();
	const struct hc_resp *r;
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(hc_login(c, "admin", "wrong-password"), 401);
	/* Even the right password is refused while locked, without being checked. */
	assert_int_equal(hc_login(c, "admin", ADMIN_PW), 429);
	r = hc_get(c, "/login");
	assert_null(hc_cookie(c, "ikegw_session"));
	(void)r;
	assert_true(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'login.locked'") >= 1);
	/* The interval grows with each further failure. */
	long long first = hc_sql_int("SELECT locked_until - last_failure FROM login_throttle"
	    " WHERE key = 'user:admin'");
	assert_int_equal(first, 30);
	free(hc_sql("UPDATE login_throttle SET locked_until = 0"));
	assert_int_equal(hc_login(c, "admin", "wrong-again"), 401);
	long long second = hc_sql_int("SELECT locked_until - last_failure FROM login_throttle"
	    " WHERE key = 'user:admin'");
	assert_int_equal(second, 60);
	hc_free(c);
}

static void
test_lock_expires_and_success_clears(void **state)
{
	struct hc *c = hc_new();
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		hc_login(c, "admin", "wrong-password");
	assert_int_equal(hc_login(c, "admin", ADMIN_PW), 429);
	/* Time passes beyond the lock. */
	free(hc_sql("UPDATE login_throttle SET locked_until = 1"));
	assert_int_equal(hc_login(c, "admin", ADMIN_PW), 200);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM login_throttle"), 0);
	hc_free(c);
}

static void
test_address_locked_across_user_names(void **state)
{
	struct hc *c = hc_new();
	char name[32];
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "guess%d", i);
		assert_int_equal(hc_login(c, name, "wrong-password"), 401);
	}
	/* A user name never tried before, from the same address: locked. */
	assert_int_equal(hc_login(c, "admin", ADMIN_PW), 429);
	assert_int_equal(hc_sql_int("SELECT failures FROM login_throttle WHERE key = 'addr:127.0.0.1'"), 5);
	hc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_user_locked_after_five_failures, reset_throttle,
		    reset_throttle),
		cmocka_unit_test_setup_teardown(test_lock_expires_and_success_clears, reset_throttle,
		    reset_throttle),
		cmocka_unit_test_setup_teardown(test_address_locked_across_user_names, reset_throttle,
		    reset_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
