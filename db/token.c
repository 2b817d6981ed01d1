/* token — API tokens (only their SHA-256 is stored). */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

#define TOKEN_COLS "t.id, t.user_id, u.name, t.name, t.prefix, t.created, t.last_used, t.revoked"

#define TOKEN_FROM " FROM api_tokens t JOIN users u ON u.id = t.user_id"

static void
token_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_token *t = elem;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->user_id = sqlite3_column_int64(st, 1);
	t->user_name = db_col_text0(st, 2);
	t->name = db_col_text0(st, 3);
	t->prefix = db_col_text0(st, 4);
	t->created = sqlite3_column_int64(st, 5);
	t->last_used = sqlite3_column_int64(st, 6);
	t->revoked = sqlite3_column_int(st, 7);
}

static void
token_free(void *t)
{
	db_token_free(t);
}

static const struct db_rowtype token_rows = { sizeof(struct db_token), token_from_row, token_free };

int
db_token_create(struct db *db, int64_t user_id, const char *name, const char *token_hash,
    const char *prefix, int64_t now, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO api_tokens (user_id, name, token_hash, prefix,"
	    " created) VALUES (?1, ?2, ?3, ?4, ?5)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, token_hash);
	db_bind_text(st, 4, prefix);
	sqlite3_bind_int64(st, 5, now);
	if ((rc = db_exec_stmt(db, st, "token create")) != 0)
		return rc;
	if (id)
		*id = sqlite3_last_insert_rowid(db->sq);
	return 0;
}

int
db_token_find(struct db *db, const char *token_hash, struct db_token *t)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT " TOKEN_COLS TOKEN_FROM
	    " WHERE t.token_hash = ?1 AND t.revoked = 0")) == NULL)
		return -1;
	db_bind_text(st, 1, token_hash);
	return db_select_one(db, st, token_from_row, t, "token find");
}

int
db_token_list(struct db *db, struct db_token **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " TOKEN_COLS TOKEN_FROM
	    " ORDER BY t.revoked, t.created DESC, t.id DESC")) == NULL)
		return -1;
	return db_select_list(db, st, &token_rows, (void **)out, n, "token list");
}

int
db_token_revoke(struct db *db, int64_t id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE api_tokens SET revoked = 1 WHERE id = ?1 AND revoked = 0")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st, "token revoke");
}

int
db_token_touch(struct db *db, int64_t id, int64_t now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE api_tokens SET last_used = ?2 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return db_exec_stmt(db, st, "token touch");
}

void
db_token_free(struct db_token *t)
{
	if (t == NULL)
		return;
	free(t->user_name);
	free(t->name);
	free(t->prefix);
	memset(t, 0, sizeof(*t));
}

void
db_token_list_free(struct db_token *v, size_t n)
{
	db_list_free(&token_rows, v, n);
}
