/* audit — the audit log: who changed what, when, from where. */
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"

int
db_audit_add(struct db *db, int64_t ts, const char *actor, const char *remote_addr,
    const char *action, const char *object, const char *detail)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "INSERT INTO audit (ts, actor, remote_addr, action, object, detail)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ts);
	db_bind_text(st, 2, actor ? actor : "");
	db_bind_text(st, 3, remote_addr ? remote_addr : "");
	db_bind_text(st, 4, action);
	db_bind_text(st, 5, object ? object : "");
	db_bind_text(st, 6, detail ? detail : "");
	return db_exec_stmt(db, st, "audit add");
}

static void
audit_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_audit *a = elem;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->ts = sqlite3_column_int64(st, 1);
	a->actor = db_col_text0(st, 2);
	a->remote_addr = db_col_text0(st, 3);
	a->action = db_col_text0(st, 4);
	a->object = db_col_text0(st, 5);
	a->detail = db_col_text0(st, 6);
}

static void
audit_free(void *elem)
{
	struct db_audit *a = elem;

	free(a->actor);
	free(a->remote_addr);
	free(a->action);
	free(a->object);
	free(a->detail);
}

static const struct db_rowtype audit_rows = { sizeof(struct db_audit), audit_from_row, audit_free };

int
db_audit_list(struct db *db, int64_t before, int limit, struct db_audit **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT id, ts, actor, remote_addr, action, object, detail"
	    " FROM audit WHERE (?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	return db_select_list(db, st, &audit_rows, (void **)out, n, "audit list");
}

void
db_audit_list_free(struct db_audit *v, size_t n)
{
	db_list_free(&audit_rows, v, n);
}
