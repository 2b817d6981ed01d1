/*
 * test_db_vpn — the VPN tables (db/vpn.c) against a real SQLite file, and
 * the prefix and algorithm helpers of the VPN pages (webapp/vpnutil.c).
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
#include "webapp/vpn.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	char err[256];
	struct db *db;

	snprintf(dir, sizeof(dir), "/tmp/ikegw-test-dbvpn.XXXXXX");
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
	char p[160];

	db_close(*state);
	snprintf(p, sizeof(p), "%s/t.db-wal", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/t.db-shm", dir);
	unlink(p);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void
test_mobile_defaults_and_set(void **state)
{
	struct db *db = *state;
	struct db_vpn_mobile m, n;

	assert_int_equal(db_vpn_mobile_get(db, &m), 0);
	assert_int_equal(m.enabled, 0);
	assert_int_equal(m.updated, 0);
	assert_string_equal(m.auth_source, "local");
	assert_string_equal(m.pool4, "");
	db_vpn_mobile_free(&m);
	memset(&n, 0, sizeof(n));
	n.enabled = 1;
	n.pool4 = (char *)"10.10.10.0/24";
	n.dns = (char *)"10.1.0.53 10.1.0.54";
	assert_int_equal(db_vpn_mobile_set(db, &n), 0);
	n.split_tunnel = 1;
	assert_int_equal(db_vpn_mobile_set(db, &n), 0);	/* the one row is updated */
	assert_int_equal(db_vpn_mobile_get(db, &m), 0);
	assert_int_equal(m.enabled, 1);
	assert_int_equal(m.split_tunnel, 1);
	assert_string_equal(m.pool4, "10.10.10.0/24");
	assert_string_equal(m.dns, "10.1.0.53 10.1.0.54");
	assert_true(m.updated > 0);
	db_vpn_mobile_free(&m);
}

static void
test_phase1_phase2_roundtrip(void **state)
{
	struct db *db = *state;
	struct db_vpn_proposal pr[2] = {
		{ (char *)"aes-gcm-16", 256, (char *)"", (char *)"hmac-sha2-256", (char *)"modp2048" },
		{ (char *)"aes-cbc", 128, (char *)"hmac-sha2-256-128", (char *)"hmac-sha2-256",
		  (char *)"ecp256" },
	};
	struct db_vpn_phase1 p, g, *list = NULL;
	struct db_vpn_phase2 q, h, *l2 = NULL;
	size_t n = 0;
	uint8_t blob[3] = { 1, 2, 3 };

	memset(&p, 0, sizeof(p));
	p.enabled = p.mobile = 1;
	p.family = (char *)"both";
	p.iface = (char *)"any";
	p.description = (char *)"mobile";
	p.auth = (char *)"eap-mschapv2";
	p.my_id_type = (char *)"fqdn";
	p.my_id = (char *)"vpn.example.com";
	p.lifetime = 28800;
	p.nat_traversal = (char *)"auto";
	p.dpd_delay = 30;
	p.dpd_max_failures = 5;
	p.props = pr;
	p.nprops = 2;
	assert_int_equal(db_vpn_phase1_insert(db, &p), 0);
	assert_true(p.id > 0);
	assert_int_equal(db_vpn_phase1_set_psk(db, p.id, blob, sizeof(blob)), 0);
	assert_int_equal(db_vpn_phase1_get(db, p.id, &g), 0);
	assert_int_equal(g.nprops, 2);
	assert_string_equal(g.props[1].encryption, "aes-cbc");	/* in order */
	assert_int_equal(g.props[1].key_length, 128);
	assert_string_equal(g.props[0].integrity, "");
	assert_int_equal(g.psk_sealed_len, 3);
	assert_int_equal(g.cert_id, 0);
	db_vpn_phase1_free(&g);
	/* An update replaces the proposals (one left, the other first). */
	p.props = &pr[1];
	p.nprops = 1;
	p.rekey = 20000;
	assert_int_equal(db_vpn_phase1_update(db, &p), 0);
	assert_int_equal(db_vpn_phase1_list(db, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].nprops, 1);
	assert_string_equal(list[0].props[0].dh, "ecp256");
	assert_int_equal(list[0].rekey, 20000);
	db_vpn_phase1_list_free(list, n);

	memset(&q, 0, sizeof(q));
	q.phase1_id = p.id;
	q.enabled = 1;
	q.mode = (char *)"tunnel4";
	q.local_type = (char *)"network";
	q.local_value = (char *)"10.1.0.0/24";
	q.pfs = (char *)"modp2048";
	q.lifetime = 3600;
	q.props = pr;
	q.nprops = 2;
	assert_int_equal(db_vpn_phase2_insert(db, &q), 0);
	assert_int_equal(db_vpn_phase2_get(db, q.id, &h), 0);
	assert_int_equal(h.nprops, 2);
	assert_string_equal(h.props[1].integrity, "hmac-sha2-256-128");
	db_vpn_phase2_free(&h);
	/* A CHECK constraint refuses what the pages never store. */
	q.mode = (char *)"transport";
	assert_int_equal(db_vpn_phase2_insert(db, &q), -1);
	/* Deleting the Phase 1 takes its Phase 2s and proposals along. */
	assert_int_equal(db_vpn_phase1_delete(db, p.id), 0);
	assert_int_equal(db_vpn_phase2_list(db, 0, &l2, &n), 0);
	assert_int_equal(n, 0);
	db_vpn_phase2_list_free(l2, n);
	assert_int_equal(db_vpn_phase1_delete(db, p.id), DB_NOTFOUND);
}

static void
test_pending(void **state)
{
	struct db *db = *state;
	char **v = NULL;
	size_t n = 0;
	int64_t max = 0, max2 = 0;

	assert_int_equal(db_vpn_pending_add(db, 1, "user alice added"), 0);
	assert_int_equal(db_vpn_pending_add(db, 2, "Phase 1 'mobile' changed"), 0);
	assert_int_equal(db_vpn_pending_add(db, 3, "user alice added"), 0);	/* kept once */
	assert_int_equal(db_vpn_pending_list(db, &v, &n, &max), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "user alice added");
	db_vpn_pending_free(v, n);
	/* A change made during an Apply survives it. */
	assert_int_equal(db_vpn_pending_add(db, 4, "user bob added"), 0);
	assert_int_equal(db_vpn_pending_clear(db, max), 0);
	assert_int_equal(db_vpn_pending_list(db, &v, &n, &max2), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "user bob added");
	db_vpn_pending_free(v, n);
}

static void
test_users_for_render(void **state)
{
	struct db *db = *state;
	struct db_user u;
	struct db_group g;
	struct db_vpn_user *v = NULL;
	size_t n = 0;
	const char *names[] = { "on", "off", "old", "later" };
	int i;

	memset(&g, 0, sizeof(g));
	g.name = (char *)"staff";
	g.description = (char *)"";
	assert_int_equal(db_group_insert(db, &g), 0);
	for (i = 0; i < 4; i++) {
		memset(&u, 0, sizeof(u));
		u.name = (char *)names[i];
		u.role = DB_ROLE_VPN;
		u.disabled = i == 1;
		u.expires = (char *)(i == 2 ? "2020-01-01" : i == 3 ? "2030-01-01" : NULL);
		assert_int_equal(db_user_insert(db, &u), 0);
		assert_int_equal(db_user_set_groups(db, u.id, &g.id, 1), 0);
	}
	assert_int_equal(db_vpn_users(db, "2026-11-23", &v, &n), 0);
	assert_int_equal(n, 2);		/* not the disabled one, not the expired one */
	assert_string_equal(v[0].name, "on");
	assert_string_equal(v[1].name, "later");
	assert_string_equal(v[0].groups, "staff");
	assert_null(v[0].vpn_secret);
	db_vpn_users_free(v, n);
}

static void
test_prefixes(void **state)
{
	struct vpn_prefix a, b;

	(void)state;
	assert_int_equal(vpn_prefix_parse("10.10.10.0/24", &a), 0);
	assert_int_equal(vpn_prefix_parse("10.10.0.0/16", &b), 0);
	assert_true(vpn_prefix_overlap(&a, &b));
	assert_int_equal(vpn_prefix_parse("10.11.0.0/16", &b), 0);
	assert_false(vpn_prefix_overlap(&a, &b));
	assert_int_equal(vpn_prefix_parse("127.0.0.1/8", &b), 0);	/* host bits: ignored */
	assert_int_equal(vpn_prefix_parse("127.1.0.0/24", &a), 0);
	assert_true(vpn_prefix_overlap(&a, &b));
	assert_int_equal(vpn_prefix_parse("fd00:10::/112", &a), 0);
	assert_int_equal(vpn_prefix_parse("fd00::/8", &b), 0);
	assert_true(vpn_prefix_overlap(&a, &b));
	assert_int_equal(vpn_prefix_parse("10.0.0.0/8", &b), 0);
	assert_false(vpn_prefix_overlap(&a, &b));	/* other family */
	assert_int_equal(vpn_prefix_parse("10.0.0.0/33", &a), -1);
	assert_int_equal(vpn_prefix_parse("10.0.0.0", &a), -1);
	assert_int_equal(vpn_prefix_parse("x/8", &a), -1);
}

static void
test_algorithm_tables(void **state)
{
	(void)state;
	assert_non_null(vpn_encr_find("aes-gcm-16"));
	assert_true(vpn_encr_find("aes-gcm-16")->aead);
	assert_true(vpn_encr_find("3des")->legacy);
	assert_null(vpn_encr_find("aes-xts"));
	assert_true(vpn_alg_find(vpn_dhs, "modp1024")->legacy);
	assert_null(vpn_alg_find(vpn_dhs, "none"));
	assert_int_equal(vpn_esp_encr_find("aes-cbc-128")->keylen, 128);
	assert_string_equal(vpn_esp_encr_of("aes-gcm-16", 256)->value, "aes-gcm-16-256");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mobile_defaults_and_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phase1_phase2_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_users_for_render, setup, teardown),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_algorithm_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
