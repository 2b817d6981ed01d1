/* cert — certificates, and CSRs waiting for the certificate an outside CA signs. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_internal.h"

/* The list columns (the certificate is public); get adds the chain, the CSR
   and the sealed key. */
#define CERT_COLS "t.id, t.name, t.origin, t.type, t.ca_id, c.name, t.pending, t.subject," \
	" t.serial, t.key_type, t.not_before, t.not_after, t.key_sealed IS NOT NULL," \
	" t.warnings, t.created, t.updated," \
	" EXISTS (SELECT 1 FROM revocations r WHERE r.ca_id = t.ca_id AND r.serial = t.serial)," \
	" t.cert_pem"
#define CERT_FROM " FROM certs t LEFT JOIN cas c ON c.id = t.ca_id"

const char *
db_cert_origin_name(enum db_cert_origin o)
{
	switch (o) {
	case DB_CERT_INTERNAL:
		return "internal";
	case DB_CERT_IMPORTED:
		return "imported";
	case DB_CERT_CSR:
		return "csr";
	case DB_CERT_SIGNED:
		return "signed";
	}
	return "unknown";
}

const char *
db_cert_type_name(enum db_cert_type t)
{
	switch (t) {
	case DB_CERT_SERVER:
		return "server";
	case DB_CERT_USER:
		return "user";
	}
	return "unknown";
}

static void
cert_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_cert *t = elem;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->name = db_col_text0(st, 1);
	t->origin = (enum db_cert_origin)sqlite3_column_int(st, 2);
	t->type = (enum db_cert_type)sqlite3_column_int(st, 3);
	t->ca_id = sqlite3_column_int64(st, 4);
	t->ca_name = db_col_text(st, 5);
	t->pending = sqlite3_column_int(st, 6);
	t->subject = db_col_text0(st, 7);
	t->serial = db_col_text(st, 8);
	t->key_type = db_col_text0(st, 9);
	t->not_before = sqlite3_column_int64(st, 10);
	t->not_after = sqlite3_column_int64(st, 11);
	t->has_key = sqlite3_column_int(st, 12);
	t->warnings = db_col_text0(st, 13);
	t->created = sqlite3_column_int64(st, 14);
	t->updated = sqlite3_column_int64(st, 15);
	t->revoked = sqlite3_column_int(st, 16);
	t->cert_pem = db_col_text(st, 17);
}

/* db_cert_get's row: the list columns, then the chain, the CSR and the sealed key. */
static void
cert_full_from_row(sqlite3_stmt *st, void *elem)
{
	struct db_cert *t = elem;

	cert_from_row(st, t);
	t->chain_pem = db_col_text(st, 18);
	t->csr_pem = db_col_text(st, 19);
	t->key_sealed = db_col_blob(st, 20, &t->key_sealed_len);
}

static void
cert_free(void *t)
{
	db_cert_free(t);
}

static const struct db_rowtype cert_rows = { sizeof(struct db_cert), cert_from_row, cert_free };

int
db_cert_get(struct db *db, int64_t id, struct db_cert *t)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "SELECT " CERT_COLS ", t.chain_pem, t.csr_pem, t.key_sealed"
	    CERT_FROM " WHERE t.id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_select_one(db, st, cert_full_from_row, t, "cert get");
}

int
db_cert_list(struct db *db, int64_t ca_id, struct db_cert **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if ((st = db_stmt(db, "SELECT " CERT_COLS CERT_FROM " WHERE ?1 = 0 OR t.ca_id = ?1"
	    " ORDER BY t.name COLLATE NOCASE, t.id")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ca_id);
	return db_select_list(db, st, &cert_rows, (void **)out, n, "cert list");
}

int
db_cert_insert(struct db *db, struct db_cert *t)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, "INSERT INTO certs (name, origin, type, ca_id, pending, subject,"
	    " serial, key_type, not_before, not_after, cert_pem, chain_pem, csr_pem, warnings,"
	    " created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?15)")) == NULL)
		return -1;
	t->created = t->updated = time(NULL);
	db_bind_text(st, 1, t->name);
	sqlite3_bind_int(st, 2, (int)t->origin);
	sqlite3_bind_int(st, 3, (int)t->type);
	db_bind_id(st, 4, t->ca_id);
	sqlite3_bind_int(st, 5, t->pending ? 1 : 0);
	db_bind_text(st, 6, t->subject);
	db_bind_text(st, 7, t->serial);
	db_bind_text(st, 8, t->key_type);
	sqlite3_bind_int64(st, 9, t->not_before);
	sqlite3_bind_int64(st, 10, t->not_after);
	db_bind_text(st, 11, t->cert_pem);
	db_bind_text(st, 12, t->chain_pem && *t->chain_pem ? t->chain_pem : NULL);
	db_bind_text(st, 13, t->csr_pem);
	db_bind_text(st, 14, t->warnings ? t->warnings : "");
	sqlite3_bind_int64(st, 15, t->created);
	if ((rc = db_exec_stmt(db, st, "cert insert")) != 0)
		return rc;
	t->id = sqlite3_last_insert_rowid(db->sq);
	return 0;
}

int
db_cert_set_key(struct db *db, int64_t id, const uint8_t *blob, size_t len)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE certs SET key_sealed = ?2, updated = ?3 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_blob(st, 2, blob, len);
	sqlite3_bind_int64(st, 3, time(NULL));
	return db_exec_change(db, st, "cert set key");
}

int
db_cert_set_issued(struct db *db, const struct db_cert *t)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE certs SET ca_id = ?2, subject = ?3, serial = ?4,"
	    " key_type = ?5, not_before = ?6, not_after = ?7, cert_pem = ?8, chain_pem = ?9,"
	    " warnings = ?10, pending = 0, updated = ?11 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, t->id);
	db_bind_id(st, 2, t->ca_id);
	db_bind_text(st, 3, t->subject);
	db_bind_text(st, 4, t->serial);
	db_bind_text(st, 5, t->key_type);
	sqlite3_bind_int64(st, 6, t->not_before);
	sqlite3_bind_int64(st, 7, t->not_after);
	db_bind_text(st, 8, t->cert_pem);
	db_bind_text(st, 9, t->chain_pem && *t->chain_pem ? t->chain_pem : NULL);
	db_bind_text(st, 10, t->warnings ? t->warnings : "");
	sqlite3_bind_int64(st, 11, time(NULL));
	return db_exec_change(db, st, "cert set issued");
}

int
db_cert_rename(struct db *db, int64_t id, const char *name)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "UPDATE certs SET name = ?2, updated = ?3 WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, time(NULL));
	return db_exec_change(db, st, "cert rename");
}

int
db_cert_delete(struct db *db, int64_t id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(db, "DELETE FROM certs WHERE id = ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st, "cert delete");
}

void
db_cert_free(struct db_cert *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->ca_name);
	free(t->subject);
	free(t->serial);
	free(t->key_type);
	free(t->cert_pem);
	free(t->chain_pem);
	free(t->csr_pem);
	free(t->warnings);
	if (t->key_sealed) {
		explicit_bzero(t->key_sealed, t->key_sealed_len);
		free(t->key_sealed);
	}
	memset(t, 0, sizeof(*t));
}

void
db_cert_list_free(struct db_cert *v, size_t n)
{
	db_list_free(&cert_rows, v, n);
}
