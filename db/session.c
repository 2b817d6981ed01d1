/* session — web sessions and login throttling. */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

int
db_session_create(struct db *db, const char *token_hash, int64_t user_id, const char *csrf,
    int64_t now, const char *remote_addr, const char *user_agent)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "INSERT INTO sessions (token_hash, user_id, csrf, created,"
	    " last_seen, remote_addr, user_agent) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)")) == NULL)
		return -1;
	db_bind_text(st, 1, token_hash);
	sqlite3_bind_int64(st, 2, user_id);
	db_bind_text(st, 3, csrf);
	sqlite3_bind_int64(st, 4, now);
	db_bind_text(st, 5, remote_addr ? remote_addr : "");
	db_bind_text(st, 6, user_agent ? user_agent : "");
	return db_exec_stmt(db, st, "session create");
}

static void
session_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_session *s = elem;

	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	s->user_id = sqlite3_column_int64(st, 1);
	s->csrf = db_col_text0(st, 2);
	s->created = sqlite3_column_int64(st, 3);
	s->last_seen = sqlite3_column_int64(st, 4);
	s->remote_addr = db_col_text0(st, 5);
}

int
db_session_find(struct db *db, const char *token_hash, struct db_session *s)
{
	sqlite3_stmt *st;

	memset(s, 0, sizeof(*s));
	if ((st = db_stmt(db, "SELECT id, user_id, csrf, created, last_seen, remote_addr"
	    " FROM sessions WHERE token_hash = ?1")) == NULL)
		return -1;
	db_bind_text(st, 1, token_hash);
	return db_select_one(db, st, session_from_row, s, "session find");
}

int
db_session_touch(struct db *db, int64_t id, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE sessions SET last_seen = ?2 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return db_exec_stmt(db, st, "session touch");
}

int
db_session_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM sessions WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_stmt(db, st, "session delete");
}

int
db_session_delete_user(struct db *db, int64_t user_id, int64_t keep)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM sessions WHERE user_id = ?1 AND id != ?2")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, keep);
	return db_exec_stmt(db, st, "session delete user");
}

int
db_session_expire(struct db *db, int64_t cutoff)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM sessions WHERE last_seen < ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cutoff);
	return db_exec_stmt(db, st, "session expire");
}

void
db_session_free(struct db_session *s)
{
	if (s == NULL)
		return;
	if (s->csrf) {
		explicit_bzero(s->csrf, strlen(s->csrf));
		free(s->csrf);
	}
	free(s->remote_addr);
	memset(s, 0, sizeof(*s));
}

int
db_throttle_get(struct db *db, const char *key, long long *failures, int64_t *locked_until)
{
	sqlite3_stmt *st;
	int rc;

	*failures = 0;
	*locked_until = 0;
	if ((st = db_stmt(db, "SELECT failures, locked_until FROM login_throttle"
	    " WHERE key = ?1")) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*failures = sqlite3_column_int64(st, 0);
		*locked_until = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, "throttle get");
}

int
db_throttle_set(struct db *db, const char *key, long long failures, int64_t now,
    int64_t locked_until)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "INSERT INTO login_throttle (key, failures, last_failure,"
	    " locked_until) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key) DO UPDATE SET"
	    " failures = excluded.failures, last_failure = excluded.last_failure,"
	    " locked_until = excluded.locked_until")) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, failures);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, locked_until);
	return db_exec_stmt(db, st, "throttle set");
}

int
db_throttle_clear(struct db *db, const char *key)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM login_throttle WHERE key = ?1")) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	return db_exec_stmt(db, st, "throttle clear");
}
