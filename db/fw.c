/* fw — Firewall > Rules and NAT: settings, filter rules per tab in order,
   manual outbound NAT rules.  See db.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_internal.h"

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* ---------------------------------------------------------------- settings */

static void
settings_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_fw_settings *s = elem;

	memset(s, 0, sizeof(*s));
	s->wan_if = db_col_text0(st, 0);
	s->lan_if = db_col_text0(st, 1);
	s->auto_ipsec = sqlite3_column_int(st, 2);
	s->nat_mode = db_col_text0(st, 3);
	s->updated = sqlite3_column_int64(st, 4);
}

int
db_fw_settings_get(struct db *db, struct db_fw_settings *s)
{
	sqlite3_stmt *st;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((st = db_stmt(db, "SELECT wan_if, lan_if, auto_ipsec, nat_mode, updated"
	    " FROM fw_settings WHERE id = 1")) == NULL)
		return -1;
	rc = db_select_one(db, st, settings_from_row, s, "firewall settings get");
	if (rc != DB_NOTFOUND)
		return rc;
	/* Never saved: the defaults (pfSense's). */
	s->wan_if = strdup("");
	s->lan_if = strdup("");
	s->auto_ipsec = 1;
	s->nat_mode = strdup("automatic");
	if (s->wan_if == NULL || s->lan_if == NULL || s->nat_mode == NULL)
		abort();
	return 0;
}

int
db_fw_settings_set(struct db *db, const struct db_fw_settings *s)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "INSERT INTO fw_settings (id, wan_if, lan_if, auto_ipsec, nat_mode,"
	    " updated) VALUES (1, ?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET"
	    " wan_if = excluded.wan_if, lan_if = excluded.lan_if,"
	    " auto_ipsec = excluded.auto_ipsec, nat_mode = excluded.nat_mode,"
	    " updated = excluded.updated")) == NULL)
		return -1;
	db_bind_text(st, 1, nz(s->wan_if));
	db_bind_text(st, 2, nz(s->lan_if));
	sqlite3_bind_int(st, 3, s->auto_ipsec ? 1 : 0);
	db_bind_text(st, 4, s->nat_mode ? s->nat_mode : "automatic");
	sqlite3_bind_int64(st, 5, time(NULL));
	return db_exec_stmt(db, st, "firewall settings set");
}

void
db_fw_settings_free(struct db_fw_settings *s)
{
	if (s == NULL)
		return;
	free(s->wan_if);
	free(s->lan_if);
	free(s->nat_mode);
	memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------- rules */

#define RULE_COLS "id, tab, position, action, protocol, src_type, src_value, src_ports," \
	" dst_type, dst_value, dst_ports, log, disabled, description, created, updated"

static void
rule_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_fw_rule *r = elem;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->tab = db_col_text0(st, 1);
	r->position = sqlite3_column_int(st, 2);
	r->action = db_col_text0(st, 3);
	r->protocol = db_col_text0(st, 4);
	r->src_type = db_col_text0(st, 5);
	r->src_value = db_col_text0(st, 6);
	r->src_ports = db_col_text0(st, 7);
	r->dst_type = db_col_text0(st, 8);
	r->dst_value = db_col_text0(st, 9);
	r->dst_ports = db_col_text0(st, 10);
	r->log = sqlite3_column_int(st, 11);
	r->disabled = sqlite3_column_int(st, 12);
	r->description = db_col_text0(st, 13);
	r->created = sqlite3_column_int64(st, 14);
	r->updated = sqlite3_column_int64(st, 15);
}

static void
rule_free(void *r)
{
	db_fw_rule_free(r);
}

static const struct db_rowtype rule_rows = { sizeof(struct db_fw_rule), rule_from_row, rule_free };

int
db_fw_rule_list(struct db *db, const char *tab, struct db_fw_rule **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " RULE_COLS " FROM fw_rules WHERE ?1 IS NULL OR tab = ?1"
	    " ORDER BY tab, position, id")) == NULL)
		return -1;
	if (tab)
		db_bind_text(st, 1, tab);
	return db_select_list(db, st, &rule_rows, (void **)out, n, "firewall rule list");
}

int
db_fw_rule_get(struct db *db, int64_t id, struct db_fw_rule *r)
{
	sqlite3_stmt *st;

	memset(r, 0, sizeof(*r));
	if ((st = db_stmt(db, "SELECT " RULE_COLS " FROM fw_rules WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_select_one(db, st, rule_from_row, r, "firewall rule get");
}

/* Binds ?2.. ?14 (everything but id and position). */
static void
rule_bind(sqlite3_stmt *st, const struct db_fw_rule *r)
{
	db_bind_text(st, 2, r->tab);
	db_bind_text(st, 3, r->action);
	db_bind_text(st, 4, r->protocol);
	db_bind_text(st, 5, r->src_type);
	db_bind_text(st, 6, nz(r->src_value));
	db_bind_text(st, 7, nz(r->src_ports));
	db_bind_text(st, 8, r->dst_type);
	db_bind_text(st, 9, nz(r->dst_value));
	db_bind_text(st, 10, nz(r->dst_ports));
	sqlite3_bind_int(st, 11, r->log ? 1 : 0);
	sqlite3_bind_int(st, 12, r->disabled ? 1 : 0);
	db_bind_text(st, 13, nz(r->description));
	sqlite3_bind_int64(st, 14, time(NULL));
}

int
db_fw_rule_insert(struct db *db, struct db_fw_rule *r)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO fw_rules (tab, position, action, protocol, src_type,"
	    " src_value, src_ports, dst_type, dst_value, dst_ports, log, disabled, description,"
	    " created, updated) VALUES (?2, (SELECT COUNT(*) FROM fw_rules WHERE tab = ?2), ?3,"
	    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)")) == NULL)
		return -1;
	rule_bind(st, r);
	if ((rc = db_exec_stmt(db, st, "firewall rule insert")) != 0)
		return rc;
	r->id = sqlite3_last_insert_rowid(db->sq);
	r->created = r->updated = time(NULL);
	if ((st = db_stmt(db, "SELECT position FROM fw_rules WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, r->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		r->position = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* Rules of tab after position move up by one (a rule left it). */
static int
rule_close_gap(struct db *db, const char *tab, int position)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE fw_rules SET position = position - 1"
	    " WHERE tab = ?1 AND position > ?2")) == NULL)
		return -1;
	db_bind_text(st, 1, tab);
	sqlite3_bind_int(st, 2, position);
	return db_exec_stmt(db, st, "firewall rule gap");
}

int
db_fw_rule_update(struct db *db, const struct db_fw_rule *r)
{
	struct db_fw_rule old;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_fw_rule_get(db, r->id, &old)) != 0)
		return rc;
	if (strcmp(old.tab, r->tab) != 0 && (rc = rule_close_gap(db, old.tab, old.position)) != 0)
		goto out;
	/* Right-hand sides see the old row: a new tab puts the rule last. */
	if ((st = db_stmt(db, "UPDATE fw_rules SET position = CASE WHEN tab = ?2 THEN position"
	    " ELSE (SELECT COUNT(*) FROM fw_rules WHERE tab = ?2) END, tab = ?2, action = ?3,"
	    " protocol = ?4, src_type = ?5, src_value = ?6, src_ports = ?7, dst_type = ?8,"
	    " dst_value = ?9, dst_ports = ?10, log = ?11, disabled = ?12, description = ?13,"
	    " updated = ?14 WHERE id = ?1")) == NULL) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_int64(st, 1, r->id);
	rule_bind(st, r);
	rc = db_exec_stmt(db, st, "firewall rule update");
out:
	db_fw_rule_free(&old);
	return rc;
}

int
db_fw_rule_delete(struct db *db, int64_t id)
{
	struct db_fw_rule old;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_fw_rule_get(db, id, &old)) != 0)
		return rc;
	if ((st = db_stmt(db, "DELETE FROM fw_rules WHERE id = ?1")) == NULL) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_exec_stmt(db, st, "firewall rule delete")) == 0)
		rc = rule_close_gap(db, old.tab, old.position);
out:
	db_fw_rule_free(&old);
	return rc;
}

int
db_fw_rule_move(struct db *db, int64_t id, long long position, int *moved_to)
{
	struct db_fw_rule r;
	sqlite3_stmt *st;
	long long n = 0;
	int rc, to;

	if ((rc = db_fw_rule_get(db, id, &r)) != 0)
		return rc;
	if ((st = db_stmt(db, "SELECT COUNT(*) FROM fw_rules WHERE tab = ?1")) == NULL) {
		rc = -1;
		goto out;
	}
	db_bind_text(st, 1, r.tab);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	to = (int)(position < 0 ? 0 : position >= n ? n - 1 : position);
	if (moved_to)
		*moved_to = to;
	if (to == r.position)
		goto out;
	/* The rules between the old and the new place shift by one toward
	   the old place; then the rule takes its new place. */
	if ((st = db_stmt(db, "UPDATE fw_rules SET position = position + CASE WHEN ?2 < ?3"
	    " THEN 1 ELSE -1 END WHERE tab = ?1 AND id != ?4"
	    " AND position BETWEEN MIN(?2, ?3) AND MAX(?2, ?3)")) == NULL) {
		rc = -1;
		goto out;
	}
	db_bind_text(st, 1, r.tab);
	sqlite3_bind_int(st, 2, to);
	sqlite3_bind_int(st, 3, r.position);
	sqlite3_bind_int64(st, 4, id);
	if ((rc = db_exec_stmt(db, st, "firewall rule shift")) != 0)
		goto out;
	if ((st = db_stmt(db, "UPDATE fw_rules SET position = ?2, updated = ?3 WHERE id = ?1"))
	    == NULL) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, to);
	sqlite3_bind_int64(st, 3, time(NULL));
	rc = db_exec_stmt(db, st, "firewall rule move");
out:
	db_fw_rule_free(&r);
	return rc;
}

void
db_fw_rule_free(struct db_fw_rule *r)
{
	if (r == NULL)
		return;
	free(r->tab);
	free(r->action);
	free(r->protocol);
	free(r->src_type);
	free(r->src_value);
	free(r->src_ports);
	free(r->dst_type);
	free(r->dst_value);
	free(r->dst_ports);
	free(r->description);
	memset(r, 0, sizeof(*r));
}

void
db_fw_rule_list_free(struct db_fw_rule *v, size_t n)
{
	db_list_free(&rule_rows, v, n);
}

/* ---------------------------------------------------------------- outbound NAT */

#define NAT_COLS "id, position, iface, src_type, src_value, dst_type, dst_value, translation," \
	" disabled, description, created, updated"

static void
nat_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_fw_nat *n = elem;

	memset(n, 0, sizeof(*n));
	n->id = sqlite3_column_int64(st, 0);
	n->position = sqlite3_column_int(st, 1);
	n->iface = db_col_text0(st, 2);
	n->src_type = db_col_text0(st, 3);
	n->src_value = db_col_text0(st, 4);
	n->dst_type = db_col_text0(st, 5);
	n->dst_value = db_col_text0(st, 6);
	n->translation = db_col_text0(st, 7);
	n->disabled = sqlite3_column_int(st, 8);
	n->description = db_col_text0(st, 9);
	n->created = sqlite3_column_int64(st, 10);
	n->updated = sqlite3_column_int64(st, 11);
}

static void
nat_free(void *n)
{
	db_fw_nat_free(n);
}

static const struct db_rowtype nat_rows = { sizeof(struct db_fw_nat), nat_from_row, nat_free };

int
db_fw_nat_list(struct db *db, struct db_fw_nat **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " NAT_COLS " FROM fw_nat_rules ORDER BY position, id")) == NULL)
		return -1;
	return db_select_list(db, st, &nat_rows, (void **)out, n, "NAT rule list");
}

int
db_fw_nat_get(struct db *db, int64_t id, struct db_fw_nat *n)
{
	sqlite3_stmt *st;

	memset(n, 0, sizeof(*n));
	if ((st = db_stmt(db, "SELECT " NAT_COLS " FROM fw_nat_rules WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_select_one(db, st, nat_from_row, n, "NAT rule get");
}

/* Binds ?2 .. ?10. */
static void
nat_bind(sqlite3_stmt *st, const struct db_fw_nat *n)
{
	db_bind_text(st, 2, n->iface);
	db_bind_text(st, 3, n->src_type);
	db_bind_text(st, 4, nz(n->src_value));
	db_bind_text(st, 5, n->dst_type);
	db_bind_text(st, 6, nz(n->dst_value));
	db_bind_text(st, 7, n->translation ? n->translation : "masquerade");
	sqlite3_bind_int(st, 8, n->disabled ? 1 : 0);
	db_bind_text(st, 9, nz(n->description));
	sqlite3_bind_int64(st, 10, time(NULL));
}

int
db_fw_nat_insert(struct db *db, struct db_fw_nat *n)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO fw_nat_rules (position, iface, src_type, src_value,"
	    " dst_type, dst_value, translation, disabled, description, created, updated)"
	    " VALUES ((SELECT COUNT(*) FROM fw_nat_rules), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	    " ?10)")) == NULL)
		return -1;
	nat_bind(st, n);
	if ((rc = db_exec_stmt(db, st, "NAT rule insert")) != 0)
		return rc;
	n->id = sqlite3_last_insert_rowid(db->sq);
	n->created = n->updated = time(NULL);
	return 0;
}

int
db_fw_nat_update(struct db *db, const struct db_fw_nat *n)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE fw_nat_rules SET iface = ?2, src_type = ?3, src_value = ?4,"
	    " dst_type = ?5, dst_value = ?6, translation = ?7, disabled = ?8, description = ?9,"
	    " updated = ?10 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, n->id);
	nat_bind(st, n);
	return db_exec_change(db, st, "NAT rule update");
}

int
db_fw_nat_delete(struct db *db, int64_t id)
{
	struct db_fw_nat old;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_fw_nat_get(db, id, &old)) != 0)
		return rc;
	if ((st = db_stmt(db, "DELETE FROM fw_nat_rules WHERE id = ?1")) == NULL) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_exec_stmt(db, st, "NAT rule delete")) != 0)
		goto out;
	if ((st = db_stmt(db, "UPDATE fw_nat_rules SET position = position - 1"
	    " WHERE position > ?1")) == NULL) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_int(st, 1, old.position);
	rc = db_exec_stmt(db, st, "NAT rule gap");
out:
	db_fw_nat_free(&old);
	return rc;
}

void
db_fw_nat_free(struct db_fw_nat *n)
{
	if (n == NULL)
		return;
	free(n->iface);
	free(n->src_type);
	free(n->src_value);
	free(n->dst_type);
	free(n->dst_value);
	free(n->translation);
	free(n->description);
	memset(n, 0, sizeof(*n));
}

void
db_fw_nat_list_free(struct db_fw_nat *v, size_t n)
{
	db_list_free(&nat_rows, v, n);
}
