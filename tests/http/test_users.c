/* test_users — the User Manager through its forms and its API. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define USERS "SELECT COUNT(*) FROM users"

/* 1 when the bytes of s occur anywhere in the file (database and its WAL). */
static int
file_contains(const char *path, const char *s)
{
	struct stat st;
	int fd = open(path, O_RDONLY), found = 0;
	void *m;

	if (fd == -1)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			found = memmem(m, (size_t)st.st_size, s, strlen(s)) != NULL;
			munmap(m, (size_t)st.st_size);
		}
	}
	close(fd);
	return found;
}

static int
db_contains(const char *s)
{
	char p[4096];
	int f;

	snprintf(p, sizeof(p), "%s/ikegw.db", hc_env("IKEGW_VAR"));
	f = file_contains(p, s);
	snprintf(p, sizeof(p), "%s/ikegw.db-wal", hc_env("IKEGW_VAR"));
	return f || file_contains(p, s);
}

static void
test_create_vpn_user_stores_no_plaintext(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char body[512];

	(void)state;
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=alice&full_name=Alice+Smith&role=vpn"
	    "&vpn_password=Vpn-Secret-4711&vpn_password_confirm=Vpn-Secret-4711", hc_csrf(c));
	r = hc_form(c, "/system/users/new", body);
	assert_int_equal(r->status, 303);
	assert_string_equal(hc_resp_header(c, "Location"), "/system/users?msg=user-created");
	r = hc_get(c, "/system/users?msg=user-created");
	assert_contains(r->body, "User created.");
	assert_contains(r->body, "Alice Smith");
	/* Sealed: version byte, 12-byte nonce, 16 bytes of NT hash, 16-byte tag. */
	assert_int_equal(hc_sql_int("SELECT length(vpn_secret) FROM users WHERE name='alice'"), 45);
	assert_int_equal(hc_sql_int("SELECT pw_hash IS NULL FROM users WHERE name='alice'"), 1);
	/* Neither the password nor its NT hash (clear) is anywhere in the files. */
	free(hc_sql("PRAGMA wal_checkpoint(PASSIVE)"));
	assert_false(db_contains("Vpn-Secret-4711"));
	/* NT hash of Vpn-Secret-4711 as raw bytes would be 16 bytes; check its hex too. */
	assert_true(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action='user.create'"
	    " AND object='alice'") == 1);
	assert_false(db_contains("Vpn-Secret"));
	hc_free(c);
}

static void
test_admin_password_is_yescrypt(void **state)
{
	struct hc *c = admin_client(), *b;
	char body[512];
	char *h;

	(void)state;
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=second-admin&role=admin"
	    "&password=Admin-Pass-99&password_confirm=Admin-Pass-99", hc_csrf(c));
	assert_int_equal(hc_form(c, "/system/users/new", body)->status, 303);
	h = hc_sql("SELECT pw_hash FROM users WHERE name='second-admin'");
	assert_int_equal(strncmp(h, "$y$", 3), 0);
	free(h);
	assert_false(db_contains("Admin-Pass-99"));
	b = hc_new();
	assert_int_equal(hc_login(b, "second-admin", "Admin-Pass-99"), 200);
	hc_free(b);
	/* A VPN user cannot log in to the web interface. */
	b = hc_new();
	assert_int_equal(hc_login(b, "alice", "Vpn-Secret-4711"), 401);
	hc_free(b);
	free(hc_sql("DELETE FROM login_throttle"));
	hc_free(c);
}

static void
test_validation_rerenders_with_messages(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char body[512];
	long long n = hc_sql_int(USERS);

	(void)state;
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=bad+name%%21&full_name=Kept+Value&role=vpn"
	    "&vpn_password=short&vpn_password_confirm=short&expires=2025-02-30", hc_csrf(c));
	r = hc_form(c, "/system/users/new", body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "Nothing was saved");
	assert_contains(r->body, "Use letters, digits");		/* name */
	assert_contains(r->body, "at least 8 characters");		/* VPN password */
	assert_contains(r->body, "value=\"Kept Value\"");		/* input kept */
	assert_contains(r->body, "value=\"bad name!\"");
	assert_not_contains(r->body, "short");				/* never echoed */
	assert_int_equal(hc_sql_int(USERS), n);
	/* Mismatched confirmation. */
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=bob&role=vpn"
	    "&vpn_password=Long-Enough-1&vpn_password_confirm=Long-Enough-2", hc_csrf(c));
	r = hc_form(c, "/system/users/new", body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "do not match");
	/* Duplicate name (case-insensitive). */
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=ADMIN&role=vpn", hc_csrf(c));
	r = hc_form(c, "/system/users/new", body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "already exists");
	/* An administrator needs a password. */
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=nopw&role=admin", hc_csrf(c));
	r = hc_form(c, "/system/users/new", body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "password is required");
	/* Undeclared fields are ignored, not stored. */
	hc_get(c, "/system/users/new");
	snprintf(body, sizeof(body), "csrf=%s&name=carol&role=vpn&pw_hash=x&id=1&disabled=1",
	    hc_csrf(c));
	assert_int_equal(hc_form(c, "/system/users/new", body)->status, 303);
	assert_int_equal(hc_sql_int("SELECT pw_hash IS NULL FROM users WHERE name='carol'"), 1);
	assert_int_equal(hc_sql_int(USERS), n + 1);
	hc_free(c);
}

static void
test_edit_groups_disable_delete(void **state)
{
	struct hc *c = admin_client();
	char body[512], path[64];
	long long gid, uid;

	(void)state;
	hc_get(c, "/system/groups/new");
	snprintf(body, sizeof(body), "csrf=%s&name=staff&description=Office", hc_csrf(c));
	assert_int_equal(hc_form(c, "/system/groups/new", body)->status, 303);
	gid = hc_sql_int("SELECT id FROM groups WHERE name='staff'");
	uid = hc_sql_int("SELECT id FROM users WHERE name='carol'");
	snprintf(path, sizeof(path), "/system/users/%lld", uid);
	hc_get(c, path);
	snprintf(body, sizeof(body), "csrf=%s&name=carol&full_name=Carol&role=vpn&groups=%lld"
	    "&disabled=1&expires=2031-12-31", hc_csrf(c), gid);
	assert_int_equal(hc_form(c, path, body)->status, 303);
	assert_int_equal(hc_sql_int("SELECT disabled FROM users WHERE name='carol'"), 1);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM user_groups"), 1);
	assert_contains(hc_get(c, "/system/users")->body, "staff");
	/* A group id that does not exist is a field error. */
	hc_get(c, path);
	snprintf(body, sizeof(body), "csrf=%s&name=carol&role=vpn&groups=99999", hc_csrf(c));
	assert_int_equal(hc_form(c, path, body)->status, 422);
	/* Delete. */
	snprintf(path, sizeof(path), "/system/users/%lld/delete", uid);
	snprintf(body, sizeof(body), "csrf=%s", hc_csrf(c));
	assert_int_equal(hc_form(c, path, body)->status, 303);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM users WHERE name='carol'"), 0);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM user_groups"), 0);
	/* You cannot delete yourself. */
	snprintf(path, sizeof(path), "/system/users/%lld/delete",
	    hc_sql_int("SELECT id FROM users WHERE name='admin'"));
	assert_int_equal(hc_form(c, path, body)->status, 409);
	hc_free(c);
}

static void
test_api_validation_errors(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char hdr[128];
	const char *json = "{\"name\":\"api user\",\"role\":\"superuser\",\"expires\":\"tomorrow\"}";
	long long n = hc_sql_int(USERS);

	(void)state;
	r = hc_get(c, "/api/v1/session");
	snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %.64s", strstr(r->body, "\"csrf\":\"") + 8);
	hc_header(c, hdr);
	r = hc_post(c, "/api/v1/users", "application/json", json, strlen(json));
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "\"fields\"");
	assert_contains(r->body, "\"role\"");
	assert_contains(r->body, "\"name\"");
	assert_contains(r->body, "\"expires\"");
	assert_int_equal(hc_sql_int(USERS), n);
	/* Partial update through PUT keeps the other fields. */
	json = "{\"name\":\"apiuser\",\"role\":\"vpn\",\"full_name\":\"First\"}";
	r = hc_post(c, "/api/v1/users", "application/json", json, strlen(json));
	assert_int_equal(r->status, 201);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/users/%lld",
	    hc_sql_int("SELECT id FROM users WHERE name='apiuser'"));
	json = "{\"disabled\":true}";
	r = hc_request(c, "PUT", path, "application/json", json, strlen(json));
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"full_name\":\"First\"");
	assert_contains(r->body, "\"disabled\":true");
	r = hc_request(c, "DELETE", path, NULL, NULL, 0);
	assert_int_equal(r->status, 200);
	assert_int_equal(hc_request(c, "GET", path, NULL, NULL, 0)->status, 404);
	hc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_vpn_user_stores_no_plaintext, reset_throttle),
		cmocka_unit_test_setup(test_admin_password_is_yescrypt, reset_throttle),
		cmocka_unit_test_setup(test_validation_rerenders_with_messages, reset_throttle),
		cmocka_unit_test_setup(test_edit_groups_disable_delete, reset_throttle),
		cmocka_unit_test_setup(test_api_validation_errors, reset_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
