/* user — users table. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_internal.h"

#define USER_COLS "id, name, full_name, role, disabled, expires, pw_hash, vpn_secret," \
	" must_change_pw, created, updated"

const char *
db_role_name(enum db_role r)
{
	switch (r) {
	case DB_ROLE_ADMIN:
		return "admin";
	case DB_ROLE_VPN:
		return "vpn";
	}
	return "unknown";
}

int
db_role_parse(const char *s, enum db_role *r)
{
	if (strcmp(s, "admin") == 0)
		*r = DB_ROLE_ADMIN;
	else if (strcmp(s, "vpn") == 0)
		*r = DB_ROLE_VPN;
	else
		return -1;
	return 0;
}

static void
user_from_row(sqlite3_stmt *st, struct db_user *u)
{
	const void *blob;
	int n;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	u->name = db_col_text0(st, 1);
	u->full_name = db_col_text0(st, 2);
	u->role = (enum db_role)sqlite3_column_int(st, 3);
	u->disabled = sqlite3_column_int(st, 4);
	u->expires = db_col_text(st, 5);
	u->pw_hash = db_col_text(st, 6);
	blob = sqlite3_column_blob(st, 7);
	n = sqlite3_column_bytes(st, 7);
	if (blob != NULL && n > 0) {
		if ((u->vpn_secret = malloc((size_t)n)) == NULL)
			abort();
		memcpy(u->vpn_secret, blob, (size_t)n);
		u->vpn_secret_len = (size_t)n;
	}
	u->must_change_pw = sqlite3_column_int(st, 8);
	u->created = sqlite3_column_int64(st, 9);
	u->updated = sqlite3_column_int64(st, 10);
}

static int
user_one(struct db *db, sqlite3_stmt *st, struct db_user *u)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		user_from_row(st, u);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, "user get");
}

int
db_user_get(struct db *db, int64_t id, struct db_user *u)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT " USER_COLS " FROM users WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return user_one(db, st, u);
}

int
db_user_find(struct db *db, const char *name, struct db_user *u)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT " USER_COLS " FROM users WHERE name = ?1")) == NULL)
		return -1;
	db_bind_text(st, 1, name);
	return user_one(db, st, u);
}

int
db_user_list(struct db *db, struct db_user **out, size_t *n)
{
	sqlite3_stmt *st;
	struct db_user *v = NULL, *nv;
	size_t cnt = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " USER_COLS " FROM users ORDER BY name")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				abort();
			v = nv;
		}
		user_from_row(st, &v[cnt++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_user_list_free(v, cnt);
		return db_fail(db, "user list");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int
db_user_insert(struct db *db, struct db_user *u)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO users (name, full_name, role, disabled, expires,"
	    " pw_hash, vpn_secret, must_change_pw, created, updated)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)")) == NULL)
		return -1;
	u->created = u->updated = time(NULL);
	db_bind_text(st, 1, u->name);
	db_bind_text(st, 2, u->full_name ? u->full_name : "");
	sqlite3_bind_int(st, 3, (int)u->role);
	sqlite3_bind_int(st, 4, u->disabled ? 1 : 0);
	db_bind_text(st, 5, u->expires && *u->expires ? u->expires : NULL);
	db_bind_text(st, 6, u->pw_hash);
	if (u->vpn_secret)
		sqlite3_bind_blob(st, 7, u->vpn_secret, (int)u->vpn_secret_len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_int(st, 8, u->must_change_pw ? 1 : 0);
	sqlite3_bind_int64(st, 9, u->created);
	if ((rc = db_exec_stmt(db, st, "user insert")) != 0)
		return rc;
	u->id = sqlite3_last_insert_rowid(db->sq);
	return 0;
}

static int
user_changed(struct db *db)
{
	if (sqlite3_changes(db->sq) == 0) {
		return DB_NOTFOUND;
	}
	return 0;
}

int
db_user_update(struct db *db, const struct db_user *u)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "UPDATE users SET name = ?2, full_name = ?3, role = ?4,"
	    " disabled = ?5, expires = ?6, updated = ?7 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, u->id);
	db_bind_text(st, 2, u->name);
	db_bind_text(st, 3, u->full_name ? u->full_name : "");
	sqlite3_bind_int(st, 4, (int)u->role);
	sqlite3_bind_int(st, 5, u->disabled ? 1 : 0);
	db_bind_text(st, 6, u->expires && *u->expires ? u->expires : NULL);
	sqlite3_bind_int64(st, 7, time(NULL));
	if ((rc = db_exec_stmt(db, st, "user update")) != 0)
		return rc;
	return user_changed(db);
}

int
db_user_set_password(struct db *db, int64_t id, const char *pw_hash, int must_change)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "UPDATE users SET pw_hash = ?2, must_change_pw = ?3, updated = ?4"
	    " WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, pw_hash);
	sqlite3_bind_int(st, 3, must_change ? 1 : 0);
	sqlite3_bind_int64(st, 4, time(NULL));
	if ((rc = db_exec_stmt(db, st, "user password")) != 0)
		return rc;
	return user_changed(db);
}

int
db_user_set_vpn_secret(struct db *db, int64_t id, const uint8_t *blob, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "UPDATE users SET vpn_secret = ?2, updated = ?3 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (blob)
		sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, time(NULL));
	if ((rc = db_exec_stmt(db, st, "user vpn secret")) != 0)
		return rc;
	return user_changed(db);
}

int
db_user_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "DELETE FROM users WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_exec_stmt(db, st, "user delete")) != 0)
		return rc;
	return user_changed(db);
}

int
db_user_count_admins(struct db *db, int64_t except, long long *count)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT COUNT(*) FROM users WHERE role = 1 AND disabled = 0"
	    " AND pw_hash IS NOT NULL AND id != ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, except);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(db, "count admins");
	}
	*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

void
db_user_free(struct db_user *u)
{
	if (u == NULL)
		return;
	free(u->name);
	free(u->full_name);
	free(u->expires);
	if (u->pw_hash) {
		explicit_bzero(u->pw_hash, strlen(u->pw_hash));
		free(u->pw_hash);
	}
	if (u->vpn_secret) {
		explicit_bzero(u->vpn_secret, u->vpn_secret_len);
		free(u->vpn_secret);
	}
	memset(u, 0, sizeof(*u));
}

void
db_user_list_free(struct db_user *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		db_user_free(&v[i]);
	free(v);
}
