/* vpn — VPN > IPsec settings: mobile clients, Phase 1/2 and their proposals,
   pending changes, and the user rows Apply renders.  See db.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_internal.h"

/* ---------------------------------------------------------------- mobile */

static void
mobile_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_vpn_mobile *m = elem;

	memset(m, 0, sizeof(*m));
	m->enabled = sqlite3_column_int(st, 0);
	m->auth_source = db_col_text0(st, 1);
	m->group_id = sqlite3_column_int64(st, 2);
	m->pool4 = db_col_text0(st, 3);
	m->pool6 = db_col_text0(st, 4);
	m->split_tunnel = sqlite3_column_int(st, 5);
	m->dns_domain = db_col_text0(st, 6);
	m->split_dns = db_col_text0(st, 7);
	m->dns = db_col_text0(st, 8);
	m->banner = db_col_text0(st, 9);
	m->pfs_group = db_col_text0(st, 10);
	m->updated = sqlite3_column_int64(st, 11);
}

int
db_vpn_mobile_get(struct db *db, struct db_vpn_mobile *m)
{
	sqlite3_stmt *st;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((st = db_stmt(db, "SELECT enabled, auth_source, group_id, pool4, pool6, split_tunnel,"
	    " dns_domain, split_dns, dns, banner, pfs_group, updated FROM vpn_mobile"
	    " WHERE id = 1")) == NULL)
		return -1;
	if ((rc = db_select_one(db, st, mobile_from_row, m, "vpn mobile get")) != DB_NOTFOUND)
		return rc;
	/* Never saved: the defaults. */
	m->auth_source = strdup("local");
	m->pool4 = strdup("");
	m->pool6 = strdup("");
	m->dns_domain = strdup("");
	m->split_dns = strdup("");
	m->dns = strdup("");
	m->banner = strdup("");
	m->pfs_group = strdup("");
	if (!m->auth_source || !m->pool4 || !m->pool6 || !m->dns_domain || !m->split_dns ||
	    !m->dns || !m->banner || !m->pfs_group)
		abort();
	return 0;
}

int
db_vpn_mobile_set(struct db *db, const struct db_vpn_mobile *m)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "INSERT INTO vpn_mobile (id, enabled, auth_source, group_id, pool4,"
	    " pool6, split_tunnel, dns_domain, split_dns, dns, banner, pfs_group, updated)"
	    " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	    " ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled,"
	    " auth_source = excluded.auth_source, group_id = excluded.group_id,"
	    " pool4 = excluded.pool4, pool6 = excluded.pool6,"
	    " split_tunnel = excluded.split_tunnel, dns_domain = excluded.dns_domain,"
	    " split_dns = excluded.split_dns, dns = excluded.dns, banner = excluded.banner,"
	    " pfs_group = excluded.pfs_group, updated = excluded.updated")) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, m->enabled ? 1 : 0);
	db_bind_text(st, 2, m->auth_source ? m->auth_source : "local");
	db_bind_id(st, 3, m->group_id);
	db_bind_text(st, 4, m->pool4 ? m->pool4 : "");
	db_bind_text(st, 5, m->pool6 ? m->pool6 : "");
	sqlite3_bind_int(st, 6, m->split_tunnel ? 1 : 0);
	db_bind_text(st, 7, m->dns_domain ? m->dns_domain : "");
	db_bind_text(st, 8, m->split_dns ? m->split_dns : "");
	db_bind_text(st, 9, m->dns ? m->dns : "");
	db_bind_text(st, 10, m->banner ? m->banner : "");
	db_bind_text(st, 11, m->pfs_group ? m->pfs_group : "");
	sqlite3_bind_int64(st, 12, time(NULL));
	return db_exec_stmt(db, st, "vpn mobile set");
}

void
db_vpn_mobile_free(struct db_vpn_mobile *m)
{
	if (m == NULL)
		return;
	free(m->auth_source);
	free(m->pool4);
	free(m->pool6);
	free(m->dns_domain);
	free(m->split_dns);
	free(m->dns);
	free(m->banner);
	free(m->pfs_group);
	memset(m, 0, sizeof(*m));
}

/* ---------------------------------------------------------------- proposals */

/* A Phase 2 proposal: encryption, key_length, integrity. */
static void
prop_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_vpn_proposal *q = elem;

	memset(q, 0, sizeof(*q));
	q->encryption = db_col_text0(st, 0);
	q->key_length = sqlite3_column_int(st, 1);
	q->integrity = db_col_text0(st, 2);
}

/* A Phase 1 proposal: those, then prf and dh. */
static void
ike_prop_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_vpn_proposal *q = elem;

	prop_from_row(st, q);
	q->prf = db_col_text0(st, 3);
	q->dh = db_col_text0(st, 4);
}

static void
prop_free(void *elem)
{
	struct db_vpn_proposal *q = elem;

	free(q->encryption);
	free(q->integrity);
	free(q->prf);
	free(q->dh);
}

static const struct db_rowtype prop_rows = {
	sizeof(struct db_vpn_proposal), prop_from_row, prop_free
};
static const struct db_rowtype ike_prop_rows = {
	sizeof(struct db_vpn_proposal), ike_prop_from_row, prop_free
};

static int
phase1_props_load(struct db *db, struct db_vpn_phase1 *p)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT encryption, key_length, integrity, prf, dh"
	    " FROM vpn_phase1_proposals WHERE phase1_id = ?1 ORDER BY position")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	return db_select_list(db, st, &ike_prop_rows, (void **)&p->props, &p->nprops,
	    "phase1 proposals");
}

static int
phase1_props_store(struct db *db, const struct db_vpn_phase1 *p)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((st = db_stmt(db, "DELETE FROM vpn_phase1_proposals WHERE phase1_id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	if ((rc = db_exec_stmt(db, st, "phase1 proposals clear")) != 0)
		return rc;
	for (i = 0; i < p->nprops; i++) {
		if ((st = db_stmt(db, "INSERT INTO vpn_phase1_proposals (phase1_id, position,"
		    " encryption, key_length, integrity, prf, dh) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		    " ?7)")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, p->id);
		sqlite3_bind_int(st, 2, (int)i);
		db_bind_text(st, 3, p->props[i].encryption);
		sqlite3_bind_int(st, 4, p->props[i].key_length);
		db_bind_text(st, 5, p->props[i].integrity ? p->props[i].integrity : "");
		db_bind_text(st, 6, p->props[i].prf ? p->props[i].prf : "");
		db_bind_text(st, 7, p->props[i].dh ? p->props[i].dh : "");
		if ((rc = db_exec_stmt(db, st, "phase1 proposal")) != 0)
			return rc;
	}
	return 0;
}

static int
phase2_props_load(struct db *db, struct db_vpn_phase2 *p)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT encryption, key_length, integrity"
	    " FROM vpn_phase2_proposals WHERE phase2_id = ?1 ORDER BY position")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	return db_select_list(db, st, &prop_rows, (void **)&p->props, &p->nprops,
	    "phase2 proposals");
}

static int
phase2_props_store(struct db *db, const struct db_vpn_phase2 *p)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((st = db_stmt(db, "DELETE FROM vpn_phase2_proposals WHERE phase2_id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	if ((rc = db_exec_stmt(db, st, "phase2 proposals clear")) != 0)
		return rc;
	for (i = 0; i < p->nprops; i++) {
		if ((st = db_stmt(db, "INSERT INTO vpn_phase2_proposals (phase2_id, position,"
		    " encryption, key_length, integrity) VALUES (?1, ?2, ?3, ?4, ?5)")) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, p->id);
		sqlite3_bind_int(st, 2, (int)i);
		db_bind_text(st, 3, p->props[i].encryption);
		sqlite3_bind_int(st, 4, p->props[i].key_length);
		db_bind_text(st, 5, p->props[i].integrity ? p->props[i].integrity : "");
		if ((rc = db_exec_stmt(db, st, "phase2 proposal")) != 0)
			return rc;
	}
	return 0;
}

/* ---------------------------------------------------------------- phase 1 */

#define P1_COLS "id, enabled, mobile, family, iface, description, auth, psk_sealed, my_id_type," \
	" my_id, cert_id, ca_id, legacy, lifetime, rekey, reauth, nat_traversal, mobike," \
	" dpd_delay, dpd_max_failures, fragmentation, created, updated"

static void
phase1_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_vpn_phase1 *p = elem;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->enabled = sqlite3_column_int(st, 1);
	p->mobile = sqlite3_column_int(st, 2);
	p->family = db_col_text0(st, 3);
	p->iface = db_col_text0(st, 4);
	p->description = db_col_text0(st, 5);
	p->auth = db_col_text0(st, 6);
	p->psk_sealed = db_col_blob(st, 7, &p->psk_sealed_len);
	p->my_id_type = db_col_text0(st, 8);
	p->my_id = db_col_text0(st, 9);
	p->cert_id = sqlite3_column_int64(st, 10);
	p->ca_id = sqlite3_column_int64(st, 11);
	p->legacy = sqlite3_column_int(st, 12);
	p->lifetime = sqlite3_column_int64(st, 13);
	p->rekey = sqlite3_column_int64(st, 14);
	p->reauth = sqlite3_column_int64(st, 15);
	p->nat_traversal = db_col_text0(st, 16);
	p->mobike = sqlite3_column_int(st, 17);
	p->dpd_delay = sqlite3_column_int64(st, 18);
	p->dpd_max_failures = sqlite3_column_int64(st, 19);
	p->fragmentation = sqlite3_column_int(st, 20);
	p->created = sqlite3_column_int64(st, 21);
	p->updated = sqlite3_column_int64(st, 22);
}

static void
phase1_free(void *p)
{
	db_vpn_phase1_free(p);
}

static const struct db_rowtype phase1_rows = {
	sizeof(struct db_vpn_phase1), phase1_from_row, phase1_free
};

int
db_vpn_phase1_list(struct db *db, struct db_vpn_phase1 **out, size_t *n)
{
	sqlite3_stmt *st;
	struct db_vpn_phase1 *v;
	size_t cnt, i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " P1_COLS " FROM vpn_phase1 ORDER BY id")) == NULL)
		return -1;
	if ((rc = db_select_list(db, st, &phase1_rows, (void **)&v, &cnt, "phase1 list")) != 0)
		return rc;
	for (i = 0; i < cnt; i++) {
		if (phase1_props_load(db, &v[i]) != 0) {
			db_vpn_phase1_list_free(v, cnt);
			return -1;
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}

int
db_vpn_phase1_get(struct db *db, int64_t id, struct db_vpn_phase1 *p)
{
	sqlite3_stmt *st;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((st = db_stmt(db, "SELECT " P1_COLS " FROM vpn_phase1 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_select_one(db, st, phase1_from_row, p, "phase1 get")) != 0)
		return rc;
	if (phase1_props_load(db, p) != 0) {
		db_vpn_phase1_free(p);
		return -1;
	}
	return 0;
}

static void
phase1_bind(sqlite3_stmt *st, const struct db_vpn_phase1 *p)
{
	sqlite3_bind_int(st, 2, p->enabled ? 1 : 0);
	sqlite3_bind_int(st, 3, p->mobile ? 1 : 0);
	db_bind_text(st, 4, p->family);
	db_bind_text(st, 5, p->iface);
	db_bind_text(st, 6, p->description ? p->description : "");
	db_bind_text(st, 7, p->auth);
	db_bind_text(st, 8, p->my_id_type);
	db_bind_text(st, 9, p->my_id ? p->my_id : "");
	db_bind_id(st, 10, p->cert_id);
	db_bind_id(st, 11, p->ca_id);
	sqlite3_bind_int(st, 12, p->legacy ? 1 : 0);
	sqlite3_bind_int64(st, 13, p->lifetime);
	sqlite3_bind_int64(st, 14, p->rekey);
	sqlite3_bind_int64(st, 15, p->reauth);
	db_bind_text(st, 16, p->nat_traversal);
	sqlite3_bind_int(st, 17, p->mobike ? 1 : 0);
	sqlite3_bind_int64(st, 18, p->dpd_delay);
	sqlite3_bind_int64(st, 19, p->dpd_max_failures);
	sqlite3_bind_int(st, 20, p->fragmentation ? 1 : 0);
	sqlite3_bind_int64(st, 21, time(NULL));
}

int
db_vpn_phase1_insert(struct db *db, struct db_vpn_phase1 *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO vpn_phase1 (enabled, mobile, family, iface, description,"
	    " auth, my_id_type, my_id, cert_id, ca_id, legacy, lifetime, rekey, reauth,"
	    " nat_traversal, mobike, dpd_delay, dpd_max_failures, fragmentation, created, updated)"
	    " VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	    " ?19, ?20, ?21, ?21)")) == NULL)
		return -1;
	phase1_bind(st, p);
	if ((rc = db_exec_stmt(db, st, "phase1 insert")) != 0)
		return rc;
	p->id = sqlite3_last_insert_rowid(db->sq);
	p->created = p->updated = time(NULL);
	return phase1_props_store(db, p);
}

int
db_vpn_phase1_update(struct db *db, const struct db_vpn_phase1 *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "UPDATE vpn_phase1 SET enabled = ?2, mobile = ?3, family = ?4,"
	    " iface = ?5, description = ?6, auth = ?7, my_id_type = ?8, my_id = ?9, cert_id = ?10,"
	    " ca_id = ?11, legacy = ?12, lifetime = ?13, rekey = ?14, reauth = ?15,"
	    " nat_traversal = ?16, mobike = ?17, dpd_delay = ?18, dpd_max_failures = ?19,"
	    " fragmentation = ?20, updated = ?21 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	phase1_bind(st, p);
	if ((rc = db_exec_change(db, st, "phase1 update")) != 0)
		return rc;
	return phase1_props_store(db, p);
}

int
db_vpn_phase1_set_psk(struct db *db, int64_t id, const uint8_t *blob, size_t len)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE vpn_phase1 SET psk_sealed = ?2 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_blob(st, 2, blob, len);
	return db_exec_stmt(db, st, "phase1 psk");
}

int
db_vpn_phase1_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM vpn_phase1 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st, "phase1 delete");
}

void
db_vpn_phase1_free(struct db_vpn_phase1 *p)
{
	if (p == NULL)
		return;
	free(p->family);
	free(p->iface);
	free(p->description);
	free(p->auth);
	free(p->psk_sealed);
	free(p->my_id_type);
	free(p->my_id);
	free(p->nat_traversal);
	db_list_free(&prop_rows, p->props, p->nprops);
	memset(p, 0, sizeof(*p));
}

void
db_vpn_phase1_list_free(struct db_vpn_phase1 *v, size_t n)
{
	db_list_free(&phase1_rows, v, n);
}

/* ---------------------------------------------------------------- phase 2 */

#define P2_COLS "id, phase1_id, enabled, mode, local_type, local_value, description, pfs," \
	" lifetime, created, updated"

static void
phase2_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_vpn_phase2 *p = elem;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->phase1_id = sqlite3_column_int64(st, 1);
	p->enabled = sqlite3_column_int(st, 2);
	p->mode = db_col_text0(st, 3);
	p->local_type = db_col_text0(st, 4);
	p->local_value = db_col_text0(st, 5);
	p->description = db_col_text0(st, 6);
	p->pfs = db_col_text0(st, 7);
	p->lifetime = sqlite3_column_int64(st, 8);
	p->created = sqlite3_column_int64(st, 9);
	p->updated = sqlite3_column_int64(st, 10);
}

static void
phase2_free(void *p)
{
	db_vpn_phase2_free(p);
}

static const struct db_rowtype phase2_rows = {
	sizeof(struct db_vpn_phase2), phase2_from_row, phase2_free
};

int
db_vpn_phase2_list(struct db *db, int64_t phase1_id, struct db_vpn_phase2 **out, size_t *n)
{
	sqlite3_stmt *st;
	struct db_vpn_phase2 *v;
	size_t cnt, i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " P2_COLS " FROM vpn_phase2"
	    " WHERE ?1 = 0 OR phase1_id = ?1 ORDER BY id")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, phase1_id);
	if ((rc = db_select_list(db, st, &phase2_rows, (void **)&v, &cnt, "phase2 list")) != 0)
		return rc;
	for (i = 0; i < cnt; i++) {
		if (phase2_props_load(db, &v[i]) != 0) {
			db_vpn_phase2_list_free(v, cnt);
			return -1;
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}

int
db_vpn_phase2_get(struct db *db, int64_t id, struct db_vpn_phase2 *p)
{
	sqlite3_stmt *st;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((st = db_stmt(db, "SELECT " P2_COLS " FROM vpn_phase2 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_select_one(db, st, phase2_from_row, p, "phase2 get")) != 0)
		return rc;
	if (phase2_props_load(db, p) != 0) {
		db_vpn_phase2_free(p);
		return -1;
	}
	return 0;
}

static void
phase2_bind(sqlite3_stmt *st, const struct db_vpn_phase2 *p)
{
	sqlite3_bind_int64(st, 2, p->phase1_id);
	sqlite3_bind_int(st, 3, p->enabled ? 1 : 0);
	db_bind_text(st, 4, p->mode);
	db_bind_text(st, 5, p->local_type);
	db_bind_text(st, 6, p->local_value ? p->local_value : "");
	db_bind_text(st, 7, p->description ? p->description : "");
	db_bind_text(st, 8, p->pfs);
	sqlite3_bind_int64(st, 9, p->lifetime);
	sqlite3_bind_int64(st, 10, time(NULL));
}

int
db_vpn_phase2_insert(struct db *db, struct db_vpn_phase2 *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO vpn_phase2 (phase1_id, enabled, mode, local_type,"
	    " local_value, description, pfs, lifetime, created, updated)"
	    " VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)")) == NULL)
		return -1;
	phase2_bind(st, p);
	if ((rc = db_exec_stmt(db, st, "phase2 insert")) != 0)
		return rc;
	p->id = sqlite3_last_insert_rowid(db->sq);
	p->created = p->updated = time(NULL);
	return phase2_props_store(db, p);
}

int
db_vpn_phase2_update(struct db *db, const struct db_vpn_phase2 *p)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "UPDATE vpn_phase2 SET phase1_id = ?2, enabled = ?3, mode = ?4,"
	    " local_type = ?5, local_value = ?6, description = ?7, pfs = ?8, lifetime = ?9,"
	    " updated = ?10 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, p->id);
	phase2_bind(st, p);
	if ((rc = db_exec_change(db, st, "phase2 update")) != 0)
		return rc;
	return phase2_props_store(db, p);
}

int
db_vpn_phase2_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM vpn_phase2 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st, "phase2 delete");
}

void
db_vpn_phase2_free(struct db_vpn_phase2 *p)
{
	if (p == NULL)
		return;
	free(p->mode);
	free(p->local_type);
	free(p->local_value);
	free(p->description);
	free(p->pfs);
	db_list_free(&prop_rows, p->props, p->nprops);
	memset(p, 0, sizeof(*p));
}

void
db_vpn_phase2_list_free(struct db_vpn_phase2 *v, size_t n)
{
	db_list_free(&phase2_rows, v, n);
}

/* ---------------------------------------------------------------- users */

static void
vpn_user_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_vpn_user *u = elem;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	u->name = db_col_text0(st, 1);
	u->vpn_secret = db_col_blob(st, 2, &u->vpn_secret_len);
	u->groups = db_col_text0(st, 3);
}

static void
vpn_user_free(void *elem)
{
	struct db_vpn_user *u = elem;

	free(u->name);
	free(u->vpn_secret);
	free(u->groups);
}

static const struct db_rowtype vpn_user_rows = {
	sizeof(struct db_vpn_user), vpn_user_from_row, vpn_user_free
};

int
db_vpn_users(struct db *db, const char *today, struct db_vpn_user **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	/* One query for everything: 10 000 users must render in milliseconds. */
	if ((st = db_stmt(db, "SELECT u.id, u.name, u.vpn_secret,"
	    " COALESCE((SELECT group_concat(g.name, char(10)) FROM user_groups ug"
	    "   JOIN groups g ON g.id = ug.group_id WHERE ug.user_id = u.id), '')"
	    " FROM users u WHERE u.disabled = 0"
	    " AND (u.expires IS NULL OR u.expires = '' OR u.expires >= ?1) ORDER BY u.id")) == NULL)
		return -1;
	db_bind_text(st, 1, today);
	return db_select_list(db, st, &vpn_user_rows, (void **)out, n, "vpn users");
}

void
db_vpn_users_free(struct db_vpn_user *v, size_t n)
{
	db_list_free(&vpn_user_rows, v, n);
}

/* ---------------------------------------------------------------- pending */

int
db_vpn_pending_add(struct db *db, int64_t now, const char *what)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "INSERT OR IGNORE INTO vpn_pending (ts, what) VALUES (?1, ?2)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	db_bind_text(st, 2, what);
	return db_exec_stmt(db, st, "pending add");
}

int
db_vpn_pending_list(struct db *db, char ***items, size_t *n, int64_t *max_id)
{
	sqlite3_stmt *st;
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;

	*items = NULL;
	*n = 0;
	*max_id = 0;
	if ((st = db_stmt(db, "SELECT id, what FROM vpn_pending ORDER BY id")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = db_grow(v, &cap, cnt, sizeof(*v));
		*max_id = sqlite3_column_int64(st, 0);
		v[cnt++] = db_col_text0(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_vpn_pending_free(v, cnt);
		return db_fail(db, "pending list");
	}
	*items = v;
	*n = cnt;
	return 0;
}

int
db_vpn_pending_clear(struct db *db, int64_t max_id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM vpn_pending WHERE id <= ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, max_id);
	return db_exec_stmt(db, st, "pending clear");
}

void
db_vpn_pending_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
