/* db — connection, statement cache, migrations, transactions, settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	size_t i;
	sqlite3_stmt *st;

	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i].sql == sql) {
			sqlite3_reset(db->cache[i].stmt);
			sqlite3_clear_bindings(db->cache[i].stmt);
			return db->cache[i].stmt;
		}
	}
	if (sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		db_fail(db, "prepare");
		return NULL;
	}
	if (db->ncache < DB_STMT_CACHE) {
		db->cache[db->ncache].sql = sql;
		db->cache[db->ncache].stmt = st;
		db->ncache++;
	} else {
		/* Cache full means a programming error (too many distinct queries). */
		sqlite3_finalize(st);
		snprintf(db->err, sizeof(db->err), "statement cache full");
		return NULL;
	}
	return st;
}

int
db_fail(struct db *db, const char *what)
{
	snprintf(db->err, sizeof(db->err), "%s: %s", what, sqlite3_errmsg(db->sq));
	return -1;
}

int
db_exec_stmt(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(st);
		return 0;
	}
	if (sqlite3_extended_errcode(db->sq) == SQLITE_CONSTRAINT_UNIQUE ||
	    sqlite3_extended_errcode(db->sq) == SQLITE_CONSTRAINT_PRIMARYKEY) {
		db_fail(db, what);
		sqlite3_reset(st);
		return DB_EXISTS;
	}
	db_fail(db, what);
	sqlite3_reset(st);
	return -1;
}

char *
db_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	char *s;

	if (t == NULL)
		return NULL;
	if ((s = strdup((const char *)t)) == NULL)
		abort();
	return s;
}

char *
db_col_text0(sqlite3_stmt *st, int col)
{
	char *s = db_col_text(st, col);

	if (s == NULL && (s = strdup("")) == NULL)
		abort();
	return s;
}

int
db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

int
db_bind_id(sqlite3_stmt *st, int idx, int64_t id)
{
	if (id == 0)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_int64(st, idx, id);
}

int
db_bind_blob(sqlite3_stmt *st, int idx, const uint8_t *blob, size_t len)
{
	if (blob == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_blob(st, idx, blob, (int)len, SQLITE_TRANSIENT);
}

uint8_t *
db_col_blob(sqlite3_stmt *st, int col, size_t *len)
{
	const void *b = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);
	uint8_t *out;

	*len = 0;
	if (b == NULL || n <= 0)
		return NULL;
	if ((out = malloc((size_t)n)) == NULL)
		abort();
	memcpy(out, b, (size_t)n);
	*len = (size_t)n;
	return out;
}

int
db_exec_change(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc;

	if ((rc = db_exec_stmt(db, st, what)) != 0)
		return rc;
	return sqlite3_changes(db->sq) == 0 ? DB_NOTFOUND : 0;
}

void *
db_grow(void *v, size_t *cap, size_t cnt, size_t size)
{
	void *nv;

	if (cnt < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	if ((nv = reallocarray(v, *cap, size)) == NULL)
		abort();
	return nv;
}

int
db_select_one(struct db *db, sqlite3_stmt *st, db_row_fn *from_row, void *elem,
    const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		from_row(st, elem);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, what);
}

int
db_select_list(struct db *db, sqlite3_stmt *st, const struct db_rowtype *rt, void **out,
    size_t *n, const char *what)
{
	char *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = db_grow(v, &cap, cnt, rt->size);
		rt->from_row(st, v + cnt * rt->size);
		cnt++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_list_free(rt, v, cnt);
		return db_fail(db, what);
	}
	*out = v;
	*n = cnt;
	return 0;
}

void
db_list_free(const struct db_rowtype *rt, void *v, size_t n)
{
	size_t i;

	if (rt->free != NULL) {
		for (i = 0; i < n; i++)
			rt->free((char *)v + i * rt->size);
	}
	free(v);
}

static int
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->sq, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(db->err, sizeof(db->err), "%s", msg ? msg : "sqlite3_exec failed");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
db_schema_version(struct db *db)
{
	sqlite3_stmt *st;
	int v = 0;

	if ((st = db_stmt(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version")) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return v;
}

/* Applies every migration above the recorded version, each in its own transaction. */
static int
db_migrate(struct db *db)
{
	size_t i;
	int cur;
	char rec[128];

	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_version ("
	    " version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)") == -1)
		return -1;
	if ((cur = db_schema_version(db)) < 0)
		return -1;
	for (i = 0; i < db_nmigrations; i++) {
		if (db_migrations[i].version <= cur)
			continue;
		if (db_exec(db, "BEGIN IMMEDIATE") == -1)
			return -1;
		snprintf(rec, sizeof(rec), "INSERT INTO schema_version VALUES (%d, strftime('%%s','now'))",
		    db_migrations[i].version);
		if (db_exec(db, db_migrations[i].sql) == -1 || db_exec(db, rec) == -1) {
			char keep[sizeof(db->err)];

			memcpy(keep, db->err, sizeof(keep));
			db_exec(db, "ROLLBACK");
			snprintf(db->err, sizeof(db->err), "migration %d: %.200s",
			    db_migrations[i].version, keep);
			return -1;
		}
		if (db_exec(db, "COMMIT") == -1)
			return -1;
	}
	return 0;
}

struct db *
db_open(const char *path, char *err, size_t errlen)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &db->sq, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db->sq ? sqlite3_errmsg(db->sq) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(db->sq, 1);
	sqlite3_busy_timeout(db->sq, 5000);
	if (db_exec(db, "PRAGMA journal_mode=WAL") == -1 ||
	    db_exec(db, "PRAGMA foreign_keys=ON") == -1 ||
	    db_exec(db, "PRAGMA synchronous=NORMAL") == -1 ||
	    db_migrate(db) == -1) {
		snprintf(err, errlen, "%s: %s", path, db->err);
		goto fail;
	}
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].stmt);
	sqlite3_close(db->sq);
	free(db);
}

const char *
db_errmsg(struct db *db)
{
	return db->err;
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->sq))
		(void)db_exec(db, "ROLLBACK");
}

int
db_setting_get(struct db *db, const char *key, char **value)
{
	sqlite3_stmt *st;
	int rc;

	*value = NULL;
	if ((st = db_stmt(db, "SELECT value FROM settings WHERE key = ?1")) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = db_col_text0(st, 0);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? DB_NOTFOUND : db_fail(db, "setting get");
}

int
db_setting_set(struct db *db, const char *key, const char *value)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "INSERT INTO settings (key, value) VALUES (?1, ?2)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value")) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	db_bind_text(st, 2, value);
	return db_exec_stmt(db, st, "setting set");
}

long long
db_setting_int(struct db *db, const char *key, long long dflt)
{
	char *v = NULL, *end;
	long long n;

	if (db_setting_get(db, key, &v) != 0)
		return dflt;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0')
		n = dflt;
	free(v);
	return n;
}
