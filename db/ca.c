/*
 * ca — certificate authorities, the serials they signed, their
 * revocations, the CRL each publishes and CRLs imported for them.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_internal.h"

#define CA_COLS "c.id, c.name, c.origin, c.parent_id, c.subject, c.serial, c.key_type," \
	" c.not_before, c.not_after, c.cert_pem, c.key_sealed IS NOT NULL, c.warnings," \
	" c.created, c.updated," \
	" (SELECT COUNT(*) FROM certs WHERE ca_id = c.id)" \
	" + (SELECT COUNT(*) FROM cas k WHERE k.parent_id = c.id)"

const char *
db_ca_origin_name(enum db_ca_origin o)
{
	switch (o) {
	case DB_CA_INTERNAL:
		return "internal";
	case DB_CA_INTERMEDIATE:
		return "intermediate";
	case DB_CA_IMPORTED:
		return "imported";
	}
	return "unknown";
}

static void
ca_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_ca *c = elem;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->name = db_col_text0(st, 1);
	c->origin = (enum db_ca_origin)sqlite3_column_int(st, 2);
	c->parent_id = sqlite3_column_int64(st, 3);
	c->subject = db_col_text0(st, 4);
	c->serial = db_col_text0(st, 5);
	c->key_type = db_col_text0(st, 6);
	c->not_before = sqlite3_column_int64(st, 7);
	c->not_after = sqlite3_column_int64(st, 8);
	c->cert_pem = db_col_text0(st, 9);
	c->has_key = sqlite3_column_int(st, 10);
	c->warnings = db_col_text0(st, 11);
	c->created = sqlite3_column_int64(st, 12);
	c->updated = sqlite3_column_int64(st, 13);
	c->issued = sqlite3_column_int64(st, 14);
}

/* db_ca_get's row: the list columns, then the sealed key. */
static void
ca_key_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_ca *c = elem;

	ca_from_row(st, c);
	c->key_sealed = db_col_blob(st, 15, &c->key_sealed_len);
}

static void
ca_free(void *c)
{
	db_ca_free(c);
}

static const struct db_rowtype ca_rows = { sizeof(struct db_ca), ca_from_row, ca_free };

int
db_ca_get(struct db *db, int64_t id, struct db_ca *c)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT " CA_COLS ", c.key_sealed FROM cas c WHERE c.id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_select_one(db, st, ca_key_from_row, c, "ca get");
}

int
db_ca_list(struct db *db, struct db_ca **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " CA_COLS " FROM cas c ORDER BY c.name COLLATE NOCASE,"
	    " c.id")) == NULL)
		return -1;
	return db_select_list(db, st, &ca_rows, (void **)out, n, "ca list");
}

int
db_ca_children(struct db *db, int64_t parent_id, struct db_ca **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " CA_COLS " FROM cas c WHERE c.parent_id = ?1"
	    " ORDER BY c.name COLLATE NOCASE, c.id")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, parent_id);
	return db_select_list(db, st, &ca_rows, (void **)out, n, "ca list");
}

int
db_ca_insert(struct db *db, struct db_ca *c)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO cas (name, origin, parent_id, subject, serial,"
	    " key_type, not_before, not_after, cert_pem, warnings, created, updated)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)")) == NULL)
		return -1;
	c->created = c->updated = time(NULL);
	db_bind_text(st, 1, c->name);
	sqlite3_bind_int(st, 2, (int)c->origin);
	db_bind_id(st, 3, c->parent_id);
	db_bind_text(st, 4, c->subject);
	db_bind_text(st, 5, c->serial);
	db_bind_text(st, 6, c->key_type);
	sqlite3_bind_int64(st, 7, c->not_before);
	sqlite3_bind_int64(st, 8, c->not_after);
	db_bind_text(st, 9, c->cert_pem);
	db_bind_text(st, 10, c->warnings ? c->warnings : "");
	sqlite3_bind_int64(st, 11, c->created);
	if ((rc = db_exec_stmt(db, st, "ca insert")) != 0)
		return rc;
	c->id = sqlite3_last_insert_rowid(db->sq);
	if ((st = db_stmt(db, "INSERT INTO crl_state (ca_id) VALUES (?1)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	return db_exec_stmt(db, st, "crl state insert");
}

int
db_ca_set_key(struct db *db, int64_t id, const uint8_t *blob, size_t len)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE cas SET key_sealed = ?2, updated = ?3 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_blob(st, 2, blob, len);
	sqlite3_bind_int64(st, 3, time(NULL));
	return db_exec_change(db, st, "ca set key");
}

int
db_ca_rename(struct db *db, int64_t id, const char *name)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE cas SET name = ?2, updated = ?3 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, time(NULL));
	return db_exec_change(db, st, "ca rename");
}

int
db_ca_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st;
	long long used;

	if ((st = db_stmt(db, "SELECT (SELECT COUNT(*) FROM certs WHERE ca_id = ?1)"
	    " + (SELECT COUNT(*) FROM cas WHERE parent_id = ?1)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(db, "ca delete");
	}
	used = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (used > 0)
		return DB_EXISTS;
	if ((st = db_stmt(db, "DELETE FROM cas WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st, "ca delete");
}

int
db_serial_used(struct db *db, int64_t ca_id, const char *serial)
{
	sqlite3_stmt *st;
	int used;

	if ((st = db_stmt(db, "SELECT EXISTS (SELECT 1 FROM certs WHERE ca_id = ?1 AND serial = ?2)"
	    " OR EXISTS (SELECT 1 FROM cas WHERE parent_id = ?1 AND serial = ?2)"
	    " OR EXISTS (SELECT 1 FROM revocations WHERE ca_id = ?1 AND serial = ?2)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ca_id);
	db_bind_text(st, 2, serial);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(db, "serial used");
	}
	used = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return used;
}

void
db_ca_free(struct db_ca *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->subject);
	free(c->serial);
	free(c->key_type);
	free(c->cert_pem);
	free(c->warnings);
	if (c->key_sealed) {
		explicit_bzero(c->key_sealed, c->key_sealed_len);
		free(c->key_sealed);
	}
	memset(c, 0, sizeof(*c));
}

void
db_ca_list_free(struct db_ca *v, size_t n)
{
	db_list_free(&ca_rows, v, n);
}

/* ---------------------------------------------------------------- revocations */

#define REV_COLS "id, ca_id, serial, cert_id, name, reason, revoked_at"

static void
revoked_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_revoked *v = elem;

	memset(v, 0, sizeof(*v));
	v->id = sqlite3_column_int64(st, 0);
	v->ca_id = sqlite3_column_int64(st, 1);
	v->serial = db_col_text0(st, 2);
	v->cert_id = sqlite3_column_int64(st, 3);
	v->name = db_col_text0(st, 4);
	v->reason = sqlite3_column_int(st, 5);
	v->revoked_at = sqlite3_column_int64(st, 6);
}

static void
revoked_free(void *v)
{
	db_revoked_free(v);
}

static const struct db_rowtype revoked_rows = {
	sizeof(struct db_revoked), revoked_from_row, revoked_free
};

int
db_revoked_add(struct db *db, struct db_revoked *v)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO revocations (ca_id, serial, cert_id, name, reason,"
	    " revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, v->ca_id);
	db_bind_text(st, 2, v->serial);
	db_bind_id(st, 3, v->cert_id);
	db_bind_text(st, 4, v->name ? v->name : "");
	sqlite3_bind_int(st, 5, v->reason);
	sqlite3_bind_int64(st, 6, v->revoked_at);
	if ((rc = db_exec_stmt(db, st, "revoke")) != 0)
		return rc;
	v->id = sqlite3_last_insert_rowid(db->sq);
	return 0;
}

int
db_revoked_get(struct db *db, int64_t id, struct db_revoked *v)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT " REV_COLS " FROM revocations WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_select_one(db, st, revoked_from_row, v, "revoked get");
}

int
db_revoked_list(struct db *db, int64_t ca_id, struct db_revoked **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " REV_COLS " FROM revocations WHERE ca_id = ?1"
	    " ORDER BY revoked_at DESC, id DESC")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ca_id);
	return db_select_list(db, st, &revoked_rows, (void **)out, n, "revoked list");
}

int
db_revoked_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM revocations WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st, "revoked delete");
}

void
db_revoked_free(struct db_revoked *v)
{
	if (v == NULL)
		return;
	free(v->serial);
	free(v->name);
	memset(v, 0, sizeof(*v));
}

void
db_revoked_list_free(struct db_revoked *v, size_t n)
{
	db_list_free(&revoked_rows, v, n);
}

/* ---------------------------------------------------------------- CRL state */

static void
crl_state_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_crl_state *s = elem;

	memset(s, 0, sizeof(*s));
	s->ca_id = sqlite3_column_int64(st, 0);
	s->number = sqlite3_column_int64(st, 1);
	s->next_days = sqlite3_column_int(st, 2);
	s->dist_url = db_col_text0(st, 3);
	s->crl_pem = db_col_text(st, 4);
	s->updated = sqlite3_column_int64(st, 5);
}

int
db_crl_state_get(struct db *db, int64_t ca_id, struct db_crl_state *s)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT ca_id, number, next_days, dist_url, crl_pem, updated"
	    " FROM crl_state WHERE ca_id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ca_id);
	return db_select_one(db, st, crl_state_from_row, s, "crl state get");
}

int
db_crl_state_settings(struct db *db, int64_t ca_id, int next_days, const char *dist_url)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE crl_state SET next_days = ?2, dist_url = ?3"
	    " WHERE ca_id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ca_id);
	sqlite3_bind_int(st, 2, next_days);
	db_bind_text(st, 3, dist_url ? dist_url : "");
	return db_exec_change(db, st, "crl settings");
}

int
db_crl_state_store(struct db *db, int64_t ca_id, long long number, const char *crl_pem,
    int64_t now)
{
	sqlite3_stmt *st;

	/* The WHERE keeps CRL numbers increasing (RFC 5280 5.2.3). */
	if ((st = db_stmt(db, "UPDATE crl_state SET number = ?2, crl_pem = ?3, updated = ?4"
	    " WHERE ca_id = ?1 AND number < ?2")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ca_id);
	sqlite3_bind_int64(st, 2, number);
	db_bind_text(st, 3, crl_pem);
	sqlite3_bind_int64(st, 4, now);
	return db_exec_change(db, st, "crl store");
}

void
db_crl_state_free(struct db_crl_state *s)
{
	if (s == NULL)
		return;
	free(s->dist_url);
	free(s->crl_pem);
	memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------- imported CRLs */

static void
crl_import_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_crl_import *c = elem;

	memset(c, 0, sizeof(*c));
	c->ca_id = sqlite3_column_int64(st, 0);
	c->url = db_col_text0(st, 1);
	c->crl_pem = db_col_text0(st, 2);
	c->number = db_col_text0(st, 3);
	c->entries = sqlite3_column_int64(st, 4);
	c->last_update = sqlite3_column_int64(st, 5);
	c->next_update = sqlite3_column_int64(st, 6);
	c->fetched = sqlite3_column_int64(st, 7);
}

int
db_crl_import_get(struct db *db, int64_t ca_id, struct db_crl_import *c)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT ca_id, url, crl_pem, number, entries, last_update,"
	    " next_update, fetched FROM crls_imported WHERE ca_id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ca_id);
	return db_select_one(db, st, crl_import_from_row, c, "crl import get");
}

int
db_crl_import_set(struct db *db, const struct db_crl_import *c)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "INSERT INTO crls_imported (ca_id, url, crl_pem, number, entries,"
	    " last_update, next_update, fetched) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT(ca_id) DO UPDATE SET url = excluded.url, crl_pem = excluded.crl_pem,"
	    " number = excluded.number, entries = excluded.entries,"
	    " last_update = excluded.last_update, next_update = excluded.next_update,"
	    " fetched = excluded.fetched")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->ca_id);
	db_bind_text(st, 2, c->url ? c->url : "");
	db_bind_text(st, 3, c->crl_pem);
	db_bind_text(st, 4, c->number ? c->number : "");
	sqlite3_bind_int64(st, 5, c->entries);
	sqlite3_bind_int64(st, 6, c->last_update);
	sqlite3_bind_int64(st, 7, c->next_update);
	sqlite3_bind_int64(st, 8, c->fetched);
	return db_exec_stmt(db, st, "crl import set");
}

int
db_crl_import_delete(struct db *db, int64_t ca_id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM crls_imported WHERE ca_id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ca_id);
	return db_exec_change(db, st, "crl import delete");
}

void
db_crl_import_free(struct db_crl_import *c)
{
	if (c == NULL)
		return;
	free(c->url);
	free(c->crl_pem);
	free(c->number);
	memset(c, 0, sizeof(*c));
}
