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

int
db_audit_list(struct db *db, int64_t before, int limit, struct db_audit **out, size_t *n)
{
	sqlite3_stmt *st;
	struct db_audit *v = NULL, *nv, *a;
	size_t cnt = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT id, ts, actor, remote_addr, action, object, detail"
	    " FROM audit WHERE (?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				abort();
			v = nv;
		}
		a = &v[cnt++];
		a->id = sqlite3_column_int64(st, 0);
		a->ts = sqlite3_column_int64(st, 1);
		a->actor = db_col_text0(st, 2);
		a->remote_addr = db_col_text0(st, 3);
		a->action = db_col_text0(st, 4);
		a->object = db_col_text0(st, 5);
		a->detail = db_col_text0(st, 6);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_audit_list_free(v, cnt);
		return db_fail(db, "audit list");
	}
	*out = v;
	*n = cnt;
	return 0;
}

void
db_audit_list_free(struct db_audit *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].actor);
		free(v[i].remote_addr);
		free(v[i].action);
		free(v[i].object);
		free(v[i].detail);
	}
	free(v);
}
