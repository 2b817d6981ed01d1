/* common — cmocka includes and small helpers shared by the HTTP tests. */
#ifndef IKEGW_TEST_HTTP_COMMON_H
#define IKEGW_TEST_HTTP_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "client.h"

#define ADMIN_PW (hc_env("IKEGW_ADMIN_PASSWORD"))

/* A logged-in admin client. */
static inline struct hc *
admin_client(void)
{
	struct hc *c = hc_new();

	assert_int_equal(hc_login(c, "admin", ADMIN_PW), 200);
	return c;
}

static inline void
assert_contains(const char *hay, const char *needle)
{
	if (hay == NULL || strstr(hay, needle) == NULL) {
		fprintf(stderr, "expected to find: %s\n--- in:\n%.3000s\n", needle, hay ? hay : "(null)");
		fail();
	}
}

static inline void
assert_not_contains(const char *hay, const char *needle)
{
	if (hay && strstr(hay, needle) != NULL) {
		fprintf(stderr, "did not expect: %s\n", needle);
		fail();
	}
}

/* Login throttling is per source address: every test binary starts clean. */
static inline int
reset_throttle(void **state)
{
	(void)state;
	free(hc_sql("DELETE FROM login_throttle"));
	return 0;
}

#endif
