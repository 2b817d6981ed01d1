/*
 * test_db_certs — the certificate manager's tables (migration 2) against a
 * real SQLite file: CAs and what they issued, serials unique per CA,
 * pending CSRs, revocations, CRL numbers that only go up, imported CRLs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"

static char dir[64];

static int
setup(void **state)
{
	char err[256], path[128];
	struct db *db;

	snprintf(dir, sizeof(dir), "/tmp/ikegw-test-dbc.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	db = db_open(path, err, sizeof(err));
	assert_non_null(db);
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[160];

	db_close(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static int64_t
add_ca(struct db *db, const char *name, int64_t parent, const char *serial)
{
	struct db_ca c;

	memset(&c, 0, sizeof(c));
	c.name = (char *)name;
	c.origin = parent ? DB_CA_INTERMEDIATE : DB_CA_INTERNAL;
	c.parent_id = parent;
	c.subject = (char *)"CN=x";
	c.serial = (char *)serial;
	c.key_type = (char *)"ECDSA P-256";
	c.not_before = 100;
	c.not_after = 200;
	c.cert_pem = (char *)"-----BEGIN CERTIFICATE-----";
	assert_int_equal(db_ca_insert(db, &c), 0);
	assert_true(c.id > 0);
	return c.id;
}

static void
cert_init(struct db_cert *t, const char *name, int64_t ca, const char *serial)
{
	memset(t, 0, sizeof(*t));
	t->name = (char *)name;
	t->origin = DB_CERT_INTERNAL;
	t->type = DB_CERT_USER;
	t->ca_id = ca;
	t->subject = (char *)"CN=u";
	t->serial = (char *)serial;
	t->key_type = (char *)"RSA 2048";
	t->not_before = 100;
	t->not_after = 300;
	t->cert_pem = (char *)"-----BEGIN CERTIFICATE-----";
}

static void
test_cas(void **state)
{
	struct db *db = *state;
	struct db_ca c, *list;
	struct db_cert t;
	struct db_crl_state s;
	uint8_t blob[45];
	size_t n;
	int64_t root, inter;

	root = add_ca(db, "Root", 0, "01");
	inter = add_ca(db, "inter", root, "0A");
	/* The signing CA's serials are its own: the same serial under another parent is fine. */
	assert_int_equal(add_ca(db, "other root", 0, "0A") > 0, 1);
	memset(&c, 0, sizeof(c));
	c.name = (char *)"dup";
	c.origin = DB_CA_INTERMEDIATE;
	c.parent_id = root;
	c.subject = c.serial = c.key_type = c.cert_pem = (char *)"0A";
	assert_int_equal(db_ca_insert(db, &c), DB_EXISTS);
	assert_int_equal(db_serial_used(db, root, "0A"), 1);
	assert_int_equal(db_serial_used(db, root, "0B"), 0);
	/* Keys are set after the insert, sealed for the row id (here: any bytes). */
	memset(blob, 7, sizeof(blob));
	assert_int_equal(db_ca_set_key(db, root, blob, sizeof(blob)), 0);
	assert_int_equal(db_ca_get(db, root, &c), 0);
	assert_int_equal(c.has_key, 1);
	assert_int_equal(c.key_sealed_len, sizeof(blob));
	assert_int_equal(c.issued, 1);
	db_ca_free(&c);
	assert_int_equal(db_ca_list(db, &list, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].name, "inter");	/* by name, any case */
	assert_null(list[0].key_sealed);		/* lists carry no key */
	assert_int_equal(list[0].parent_id, root);
	db_ca_list_free(list, n);
	assert_int_equal(db_ca_children(db, root, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, inter);
	db_ca_list_free(list, n);
	/* Each CA gets its CRL state. */
	assert_int_equal(db_crl_state_get(db, inter, &s), 0);
	assert_int_equal(s.number, 0);
	assert_int_equal(s.next_days, 30);
	assert_null(s.crl_pem);
	db_crl_state_free(&s);
	/* In use: not deleted. */
	assert_int_equal(db_ca_delete(db, root), DB_EXISTS);
	cert_init(&t, "u", inter, "AA");
	assert_int_equal(db_cert_insert(db, &t), 0);
	assert_int_equal(db_ca_delete(db, inter), DB_EXISTS);
	assert_int_equal(db_cert_delete(db, t.id), 0);
	assert_int_equal(db_ca_delete(db, inter), 0);
	assert_int_equal(db_crl_state_get(db, inter, &s), DB_NOTFOUND);
	assert_int_equal(db_ca_delete(db, root), 0);
	assert_int_equal(db_ca_delete(db, root), DB_NOTFOUND);
	assert_int_equal(db_ca_rename(db, root, "x"), DB_NOTFOUND);
	assert_int_equal(db_ca_get(db, root, &c), DB_NOTFOUND);
}

static void
test_certs_serials_pending(void **state)
{
	struct db *db = *state;
	struct db_cert t, u, *list;
	int64_t ca = add_ca(db, "CA", 0, "01"), other = add_ca(db, "CA2", 0, "01");
	size_t n;
	uint8_t blob[40];

	cert_init(&t, "a", ca, "1234");
	assert_int_equal(db_cert_insert(db, &t), 0);
	/* UNIQUE(ca_id, serial): the caller retries with a fresh serial. */
	cert_init(&u, "b", ca, "1234");
	assert_int_equal(db_cert_insert(db, &u), DB_EXISTS);
	cert_init(&u, "b", other, "1234");
	assert_int_equal(db_cert_insert(db, &u), 0);
	assert_int_equal(db_serial_used(db, ca, "1234"), 1);
	/* A CSR waits without certificate or serial; not without pending. */
	cert_init(&u, "csr", 0, NULL);
	u.origin = DB_CERT_CSR;
	u.cert_pem = NULL;
	assert_int_equal(db_cert_insert(db, &u), -1);
	u.pending = 1;
	u.csr_pem = (char *)"-----BEGIN CERTIFICATE REQUEST-----";
	assert_int_equal(db_cert_insert(db, &u), 0);
	memset(blob, 1, sizeof(blob));
	assert_int_equal(db_cert_set_key(db, u.id, blob, sizeof(blob)), 0);
	assert_int_equal(db_cert_get(db, u.id, &t), 0);
	assert_int_equal(t.pending, 1);
	assert_null(t.cert_pem);
	assert_null(t.serial);
	assert_non_null(t.csr_pem);
	assert_int_equal(t.key_sealed_len, sizeof(blob));
	db_cert_free(&t);
	/* The signed certificate arrives. */
	cert_init(&t, "csr", 0, "BEEF");
	t.id = u.id;
	t.chain_pem = (char *)"-----BEGIN CERTIFICATE----- chain";
	assert_int_equal(db_cert_set_issued(db, &t), 0);
	assert_int_equal(db_cert_get(db, u.id, &t), 0);
	assert_int_equal(t.pending, 0);
	assert_string_equal(t.serial, "BEEF");
	assert_string_equal(t.chain_pem, "-----BEGIN CERTIFICATE----- chain");
	assert_null(t.ca_name);
	db_cert_free(&t);
	/* Renewal onto a serial the CA used already: refused. */
	cert_init(&t, "b", other, "1234");
	t.id = u.id;
	t.ca_id = ca;
	assert_int_equal(db_cert_set_issued(db, &t), DB_EXISTS);
	/* Lists: all, or one CA's; the certificate, never the key. */
	assert_int_equal(db_cert_list(db, 0, &list, &n), 0);
	assert_int_equal(n, 3);
	assert_non_null(list[0].cert_pem);
	assert_null(list[0].key_sealed);
	assert_null(list[0].csr_pem);
	db_cert_list_free(list, n);
	assert_int_equal(db_cert_list(db, ca, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].ca_name, "CA");
	db_cert_list_free(list, n);
	assert_int_equal(db_cert_rename(db, u.id, "renamed"), 0);
	assert_int_equal(db_cert_rename(db, 99999, "x"), DB_NOTFOUND);
}

static void
test_revocations_and_crls(void **state)
{
	struct db *db = *state;
	struct db_cert t, *list;
	struct db_revoked v, *rl;
	struct db_crl_state s;
	struct db_crl_import ci, got;
	int64_t ca = add_ca(db, "CA", 0, "01");
	size_t n;

	cert_init(&t, "a", ca, "AA01");
	assert_int_equal(db_cert_insert(db, &t), 0);
	memset(&v, 0, sizeof(v));
	v.ca_id = ca;
	v.serial = (char *)"AA01";
	v.cert_id = t.id;
	v.name = (char *)"a";
	v.reason = 6;
	v.revoked_at = 500;
	assert_int_equal(db_revoked_add(db, &v), 0);
	assert_int_equal(db_revoked_add(db, &v), DB_EXISTS);
	v.reason = 9;
	v.serial = (char *)"AA02";
	assert_int_equal(db_revoked_add(db, &v), -1);		/* no such reason */
	assert_int_equal(db_cert_list(db, ca, &list, &n), 0);
	assert_int_equal(list[0].revoked, 1);
	db_cert_list_free(list, n);
	/* A revoked serial stays taken even when its certificate is gone. */
	assert_int_equal(db_cert_delete(db, t.id), 0);
	assert_int_equal(db_serial_used(db, ca, "AA01"), 1);
	assert_int_equal(db_revoked_list(db, ca, &rl, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rl[0].cert_id, 0);			/* ON DELETE SET NULL */
	assert_string_equal(rl[0].name, "a");
	assert_int_equal(db_revoked_delete(db, rl[0].id), 0);
	assert_int_equal(db_revoked_get(db, rl[0].id, &v), DB_NOTFOUND);
	db_revoked_list_free(rl, n);
	/* CRL numbers only go up. */
	assert_int_equal(db_crl_state_store(db, ca, 1, "crl1", 10), 0);
	assert_int_equal(db_crl_state_store(db, ca, 1, "again", 11), DB_NOTFOUND);
	assert_int_equal(db_crl_state_store(db, ca, 2, "crl2", 12), 0);
	assert_int_equal(db_crl_state_settings(db, ca, 7, "http://x/c.crl"), 0);
	assert_int_equal(db_crl_state_get(db, ca, &s), 0);
	assert_int_equal(s.number, 2);
	assert_string_equal(s.crl_pem, "crl2");
	assert_int_equal(s.next_days, 7);
	assert_string_equal(s.dist_url, "http://x/c.crl");
	db_crl_state_free(&s);
	/* One imported CRL per CA; a new import replaces it. */
	memset(&ci, 0, sizeof(ci));
	ci.ca_id = ca;
	ci.url = (char *)"http://ca/x.crl";
	ci.crl_pem = (char *)"pem1";
	ci.entries = 3;
	ci.fetched = 1;
	assert_int_equal(db_crl_import_set(db, &ci), 0);
	ci.crl_pem = (char *)"pem2";
	ci.url = NULL;
	assert_int_equal(db_crl_import_set(db, &ci), 0);
	assert_int_equal(db_crl_import_get(db, ca, &got), 0);
	assert_string_equal(got.crl_pem, "pem2");
	assert_string_equal(got.url, "");
	db_crl_import_free(&got);
	assert_int_equal(db_crl_import_delete(db, ca), 0);
	assert_int_equal(db_crl_import_get(db, ca, &got), DB_NOTFOUND);
	/* Names for logs and the API. */
	assert_string_equal(db_ca_origin_name(DB_CA_IMPORTED), "imported");
	assert_string_equal(db_cert_origin_name(DB_CERT_SIGNED), "signed");
	assert_string_equal(db_cert_type_name(DB_CERT_SERVER), "server");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_certs_serials_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revocations_and_crls, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
