/*
 * test_db — the database layer against a real SQLite file in a temp dir:
 * migrations, pragmas, and the typed access functions of each table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db/db.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	char err[256];
	struct db *db;

	snprintf(dir, sizeof(dir), "/tmp/ikegw-test-db.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	db = db_open(path, err, sizeof(err));
	assert_non_null(db);
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[160];

	db_close(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
test_open_migrates_and_sets_pragmas(void **state)
{
	struct db *db = *state;
	sqlite3 *sq;
	sqlite3_stmt *st;
	char err[256];

	assert_int_equal(db_schema_version(db), 4);
	/* Reopening does not re-apply migrations. */
	db_close(db);
	db = db_open(path, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_schema_version(db), 4);
	*state = db;
	/* WAL mode is persistent in the file: check with a separate connection. */
	assert_int_equal(sqlite3_open(path, &sq), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(sq, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(sq);
}

static void
test_open_bad_path(void **state)
{
	char err[256] = "";

	(void)state;
	assert_null(db_open("/nonexistent-dir/x.db", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent-dir/x.db"));
}

static void
test_settings(void **state)
{
	struct db *db = *state;
	char *v = NULL;

	assert_int_equal(db_setting_get(db, "k", &v), DB_NOTFOUND);
	assert_int_equal(db_setting_int(db, "k", 42), 42);
	assert_int_equal(db_setting_set(db, "k", "7"), 0);
	assert_int_equal(db_setting_int(db, "k", 42), 7);
	assert_int_equal(db_setting_set(db, "k", "x7"), 0);
	assert_int_equal(db_setting_int(db, "k", 42), 42);
	assert_int_equal(db_setting_get(db, "k", &v), 0);
	assert_string_equal(v, "x7");
	free(v);
}

static int64_t
add_user(struct db *db, const char *name, enum db_role role)
{
	struct db_user u;

	memset(&u, 0, sizeof(u));
	u.name = (char *)name;
	u.full_name = (char *)"Full <Name>";
	u.role = role;
	u.pw_hash = role == DB_ROLE_ADMIN ? (char *)"$y$hash" : NULL;
	assert_int_equal(db_user_insert(db, &u), 0);
	assert_true(u.id > 0);
	return u.id;
}

static void
test_users(void **state)
{
	struct db *db = *state;
	struct db_user u, *list;
	size_t n;
	long long admins;
	int64_t alice, bob;
	const uint8_t blob[] = { 1, 0, 2, 0, 3 };

	alice = add_user(db, "alice", DB_ROLE_ADMIN);
	bob = add_user(db, "bob", DB_ROLE_VPN);

	/* Names are unique without regard to case. */
	memset(&u, 0, sizeof(u));
	u.name = (char *)"ALICE";
	u.role = DB_ROLE_VPN;
	assert_int_equal(db_user_insert(db, &u), DB_EXISTS);

	assert_int_equal(db_user_find(db, "Alice", &u), 0);
	assert_int_equal(u.id, alice);
	assert_string_equal(u.full_name, "Full <Name>");
	assert_int_equal(u.role, DB_ROLE_ADMIN);
	assert_null(u.expires);
	assert_null(u.vpn_secret);
	db_user_free(&u);

	assert_int_equal(db_user_set_vpn_secret(db, bob, blob, sizeof(blob)), 0);
	assert_int_equal(db_user_get(db, bob, &u), 0);
	assert_int_equal(u.vpn_secret_len, sizeof(blob));
	assert_memory_equal(u.vpn_secret, blob, sizeof(blob));
	u.disabled = 1;
	free(u.expires);
	u.expires = strdup("2030-01-31");
	assert_int_equal(db_user_update(db, &u), 0);
	db_user_free(&u);
	assert_int_equal(db_user_get(db, bob, &u), 0);
	assert_int_equal(u.disabled, 1);
	assert_string_equal(u.expires, "2030-01-31");
	db_user_free(&u);

	assert_int_equal(db_user_list(db, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "alice");
	assert_string_equal(list[1].name, "bob");
	db_user_list_free(list, n);

	assert_int_equal(db_user_count_admins(db, 0, &admins), 0);
	assert_int_equal(admins, 1);
	assert_int_equal(db_user_count_admins(db, alice, &admins), 0);
	assert_int_equal(admins, 0);

	assert_int_equal(db_user_set_password(db, bob, "$y$other", 1), 0);
	assert_int_equal(db_user_get(db, bob, &u), 0);
	assert_string_equal(u.pw_hash, "$y$other");
	assert_int_equal(u.must_change_pw, 1);
	db_user_free(&u);

	assert_int_equal(db_user_delete(db, bob), 0);
	assert_int_equal(db_user_delete(db, bob), DB_NOTFOUND);
	assert_int_equal(db_user_get(db, bob, &u), DB_NOTFOUND);
}

static void
test_groups_and_cascade(void **state)
{
	struct db *db = *state;
	struct db_group g, *gl;
	int64_t uid, *ids, want[2];
	size_t n;

	uid = add_user(db, "carol", DB_ROLE_VPN);
	memset(&g, 0, sizeof(g));
	g.name = (char *)"staff";
	assert_int_equal(db_group_insert(db, &g), 0);
	want[0] = g.id;
	g.name = (char *)"STAFF";
	assert_int_equal(db_group_insert(db, &g), DB_EXISTS);
	g.name = (char *)"contractors";
	assert_int_equal(db_group_insert(db, &g), 0);
	want[1] = g.id;

	assert_int_equal(db_user_set_groups(db, uid, want, 2), 0);
	assert_int_equal(db_user_groups(db, uid, &ids, &n), 0);
	assert_int_equal(n, 2);
	free(ids);
	assert_int_equal(db_group_list(db, &gl, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(gl[0].name, "contractors");
	assert_int_equal(gl[0].members, 1);
	db_group_list_free(gl, n);

	/* Deleting the group removes the membership (foreign keys are on). */
	assert_int_equal(db_group_delete(db, want[0]), 0);
	assert_int_equal(db_user_groups(db, uid, &ids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], want[1]);
	free(ids);
	/* Deleting the user removes the rest. */
	assert_int_equal(db_user_delete(db, uid), 0);
	assert_int_equal(db_group_get(db, want[1], &g), 0);
	assert_int_equal(g.members, 0);
	db_group_free(&g);
}

static void
test_sessions(void **state)
{
	struct db *db = *state;
	struct db_session s;
	int64_t uid = add_user(db, "dave", DB_ROLE_ADMIN);

	assert_int_equal(db_session_create(db, "h1", uid, "csrf1", 1000, "192.0.2.1", "ua"), 0);
	assert_int_equal(db_session_create(db, "h1", uid, "csrf1", 1000, "192.0.2.1", "ua"), DB_EXISTS);
	assert_int_equal(db_session_create(db, "h2", uid, "csrf2", 2000, "192.0.2.1", "ua"), 0);
	assert_int_equal(db_session_find(db, "h1", &s), 0);
	assert_int_equal(s.user_id, uid);
	assert_string_equal(s.csrf, "csrf1");
	assert_int_equal(s.last_seen, 1000);
	assert_int_equal(db_session_touch(db, s.id, 1500), 0);
	db_session_free(&s);
	assert_int_equal(db_session_find(db, "h1", &s), 0);
	assert_int_equal(s.last_seen, 1500);
	db_session_free(&s);

	/* Idle expiry removes only the old one. */
	assert_int_equal(db_session_expire(db, 1600), 0);
	assert_int_equal(db_session_find(db, "h1", &s), DB_NOTFOUND);
	assert_int_equal(db_session_find(db, "h2", &s), 0);
	db_session_free(&s);
	assert_int_equal(db_session_delete_user(db, uid, 0), 0);
	assert_int_equal(db_session_find(db, "h2", &s), DB_NOTFOUND);
}

static void
test_throttle(void **state)
{
	struct db *db = *state;
	long long f;
	int64_t until;

	assert_int_equal(db_throttle_get(db, "addr:x", &f, &until), 0);
	assert_int_equal(f, 0);
	assert_int_equal(until, 0);
	assert_int_equal(db_throttle_set(db, "addr:x", 5, 100, 130), 0);
	assert_int_equal(db_throttle_get(db, "addr:x", &f, &until), 0);
	assert_int_equal(f, 5);
	assert_int_equal(until, 130);
	assert_int_equal(db_throttle_clear(db, "addr:x"), 0);
	assert_int_equal(db_throttle_get(db, "addr:x", &f, &until), 0);
	assert_int_equal(f, 0);
}

static void
test_tokens(void **state)
{
	struct db *db = *state;
	struct db_token t, *tl;
	size_t n;
	int64_t id, uid = add_user(db, "erin", DB_ROLE_ADMIN);

	assert_int_equal(db_token_create(db, uid, "script", "hash1", "ikegw_ab", 10, &id), 0);
	assert_int_equal(db_token_find(db, "hash1", &t), 0);
	assert_int_equal(t.id, id);
	assert_string_equal(t.user_name, "erin");
	db_token_free(&t);
	assert_int_equal(db_token_list(db, &tl, &n), 0);
	assert_int_equal(n, 1);
	db_token_list_free(tl, n);
	assert_int_equal(db_token_revoke(db, id), 0);
	assert_int_equal(db_token_revoke(db, id), DB_NOTFOUND);
	assert_int_equal(db_token_find(db, "hash1", &t), DB_NOTFOUND);
}

static void
test_audit(void **state)
{
	struct db *db = *state;
	struct db_audit *a;
	size_t n;
	int i;

	for (i = 0; i < 5; i++)
		assert_int_equal(db_audit_add(db, 100 + i, "admin", "127.0.0.1", "user.create",
		    "x", "d"), 0);
	assert_int_equal(db_audit_list(db, 0, 3, &a, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(a[0].ts, 104);	/* newest first */
	assert_int_equal(a[2].ts, 102);
	int64_t next = a[2].id;
	db_audit_list_free(a, n);
	assert_int_equal(db_audit_list(db, next, 10, &a, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].ts, 101);
	db_audit_list_free(a, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_migrates_and_sets_pragmas, setup, teardown),
		cmocka_unit_test(test_open_bad_path),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_users, setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups_and_cascade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
