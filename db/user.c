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
user_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_user *u = elem;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	u->name = db_col_text0(st, 1);
	u->full_name = db_col_text0(st, 2);
	u->role = (enum db_role)sqlite3_column_int(st, 3);
	u->disabled = sqlite3_column_int(st, 4);
	u->expires = db_col_text(st, 5);
	u->pw_hash = db_col_text(st, 6);
	u->vpn_secret = db_col_blob(st, 7, &u->vpn_secret_len);
	u->must_change_pw = sqlite3_column_int(st, 8);
	u->created = sqlite3_column_int64(st, 9);
	u->updated = sqlite3_column_int64(st, 10);
}

static void
user_free(void *u)
{
	db_user_free(u);
}

static const struct db_rowtype user_rows = { sizeof(struct db_user), user_from_row, user_free };

int
db_user_get(struct db *db, int64_t id, struct db_user *u)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT " USER_COLS " FROM users WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_select_one(db, st, user_from_row, u, "user get");
}

int
db_user_find(struct db *db, const char *name, struct db_user *u)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT " USER_COLS " FROM users WHERE name = ?1")) == NULL)
		return -1;
	db_bind_text(st, 1, name);
	return db_select_one(db, st, user_from_row, u, "user get");
}

int
db_user_list(struct db *db, struct db_user **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " USER_COLS " FROM users ORDER BY name")) == NULL)
		return -1;
	return db_select_list(db, st, &user_rows, (void **)out, n, "user list");
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
	db_bind_blob(st, 7, u->vpn_secret, u->vpn_secret_len);
	sqlite3_bind_int(st, 8, u->must_change_pw ? 1 : 0);
	sqlite3_bind_int64(st, 9, u->created);
	if ((rc = db_exec_stmt(db, st, "user insert")) != 0)
		return rc;
	u->id = sqlite3_last_insert_rowid(db->sq);
	return 0;
}

int
db_user_update(struct db *db, const struct db_user *u)
{
	sqlite3_stmt *st;

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
	return db_exec_change(db, st, "user update");
}

int
db_user_set_password(struct db *db, int64_t id, const char *pw_hash, int must_change)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE users SET pw_hash = ?2, must_change_pw = ?3, updated = ?4"
	    " WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, pw_hash);
	sqlite3_bind_int(st, 3, must_change ? 1 : 0);
	sqlite3_bind_int64(st, 4, time(NULL));
	return db_exec_change(db, st, "user password");
}

int
db_user_set_vpn_secret(struct db *db, int64_t id, const uint8_t *blob, size_t len)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE users SET vpn_secret = ?2, updated = ?3 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_blob(st, 2, blob, len);
	sqlite3_bind_int64(st, 3, time(NULL));
	return db_exec_change(db, st, "user vpn secret");
}

int
db_user_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM users WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st, "user delete");
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
	db_list_free(&user_rows, v, n);
}
