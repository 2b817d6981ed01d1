/* group — groups and memberships. */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

#define GROUP_COLS "g.id, g.name, g.description," \
	" (SELECT COUNT(*) FROM user_groups ug WHERE ug.group_id = g.id)"

static void
group_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_group *g = elem;

	memset(g, 0, sizeof(*g));
	g->id = sqlite3_column_int64(st, 0);
	g->name = db_col_text0(st, 1);
	g->description = db_col_text0(st, 2);
	g->members = sqlite3_column_int64(st, 3);
}

static void
group_free(void *g)
{
	db_group_free(g);
}

static const struct db_rowtype group_rows = { sizeof(struct db_group), group_from_row, group_free };

int
db_group_get(struct db *db, int64_t id, struct db_group *g)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT " GROUP_COLS " FROM groups g WHERE g.id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_select_one(db, st, group_from_row, g, "group get");
}

int
db_group_list(struct db *db, struct db_group **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " GROUP_COLS " FROM groups g ORDER BY g.name")) == NULL)
		return -1;
	return db_select_list(db, st, &group_rows, (void **)out, n, "group list");
}

int
db_group_insert(struct db *db, struct db_group *g)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO groups (name, description) VALUES (?1, ?2)")) == NULL)
		return -1;
	db_bind_text(st, 1, g->name);
	db_bind_text(st, 2, g->description ? g->description : "");
	if ((rc = db_exec_stmt(db, st, "group insert")) != 0)
		return rc;
	g->id = sqlite3_last_insert_rowid(db->sq);
	return 0;
}

int
db_group_update(struct db *db, const struct db_group *g)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE groups SET name = ?2, description = ?3 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, g->id);
	db_bind_text(st, 2, g->name);
	db_bind_text(st, 3, g->description ? g->description : "");
	return db_exec_change(db, st, "group update");
}

int
db_group_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM groups WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st, "group delete");
}

static void
id_from_row(sqlite3_stmt *st, void *elem)
{
	*(int64_t *)elem = sqlite3_column_int64(st, 0);
}

static const struct db_rowtype id_rows = { sizeof(int64_t), id_from_row, NULL };

int
db_user_groups(struct db *db, int64_t user_id, int64_t **ids, size_t *n)
{
	sqlite3_stmt *st;

	*ids = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT group_id FROM user_groups WHERE user_id = ?1"
	    " ORDER BY group_id")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	return db_select_list(db, st, &id_rows, (void **)ids, n, "user groups");
}

int
db_user_set_groups(struct db *db, int64_t user_id, const int64_t *ids, size_t n)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((st = db_stmt(db, "DELETE FROM user_groups WHERE user_id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	if ((rc = db_exec_stmt(db, st, "user groups clear")) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(db, "INSERT OR IGNORE INTO user_groups (user_id, group_id)"
		    " VALUES (?1, ?2)")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, ids[i]);
		if ((rc = db_exec_stmt(db, st, "user groups add")) != 0)
			return rc;
	}
	return 0;
}

void
db_group_free(struct db_group *g)
{
	if (g == NULL)
		return;
	free(g->name);
	free(g->description);
	memset(g, 0, sizeof(*g));
}

void
db_group_list_free(struct db_group *v, size_t n)
{
	db_list_free(&group_rows, v, n);
}
