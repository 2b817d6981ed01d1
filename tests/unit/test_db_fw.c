/*
 * test_db_fw — the firewall tables (db/fw.c) against a real SQLite file:
 * settings defaults, rule order per tab kept dense through inserts, moves
 * (both ways, clamped), a change of tab and deletes; NAT rules in order;
 * and the description as the rulesets keep it (webapp/firewall.h).
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
#include "webapp/firewall.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	char err[256];
	struct db *db;

	snprintf(dir, sizeof(dir), "/tmp/ikegw-test-dbfw.XXXXXX");
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
test_settings(void **state)
{
	struct db *db = *state;
	struct db_fw_settings s, t;

	assert_int_equal(db_fw_settings_get(db, &s), 0);
	assert_string_equal(s.wan_if, "");
	assert_string_equal(s.nat_mode, "automatic");
	assert_int_equal(s.auto_ipsec, 1);
	assert_int_equal(s.updated, 0);
	db_fw_settings_free(&s);
	memset(&t, 0, sizeof(t));
	t.wan_if = (char *)"eth0";
	t.lan_if = (char *)"eth1";
	t.nat_mode = (char *)"manual";
	assert_int_equal(db_fw_settings_set(db, &t), 0);
	assert_int_equal(db_fw_settings_get(db, &s), 0);
	assert_string_equal(s.wan_if, "eth0");
	assert_string_equal(s.lan_if, "eth1");
	assert_string_equal(s.nat_mode, "manual");
	assert_int_equal(s.auto_ipsec, 0);
	assert_true(s.updated > 0);
	db_fw_settings_free(&s);
	/* The schema refuses what the engine would not know. */
	t.nat_mode = (char *)"sometimes";
	assert_int_equal(db_fw_settings_set(db, &t), -1);
}

static int64_t
add(struct db *db, const char *tab, const char *descr)
{
	struct db_fw_rule r;

	memset(&r, 0, sizeof(r));
	r.tab = (char *)tab;
	r.action = (char *)"pass";
	r.protocol = (char *)"tcp";
	r.src_type = (char *)"vpn_pool";
	r.dst_type = (char *)"address";
	r.dst_value = (char *)"10.1.0.10";
	r.dst_ports = (char *)"443";
	r.description = (char *)descr;
	assert_int_equal(db_fw_rule_insert(db, &r), 0);
	assert_true(r.id > 0);
	return r.id;
}

/* The descriptions of tab in order, joined: "a b c". */
static void
order_is(struct db *db, const char *tab, const char *want)
{
	struct db_fw_rule *v;
	size_t n, i;
	char got[256] = "";

	assert_int_equal(db_fw_rule_list(db, tab, &v, &n), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i].position, (int)i);
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
		    v[i].description);
	}
	db_fw_rule_list_free(v, n);
	assert_string_equal(got, want);
}

static void
test_rule_order(void **state)
{
	struct db *db = *state;
	struct db_fw_rule r;
	int64_t a, b, c, d, w;
	int to;

	a = add(db, "ipsec", "a");
	b = add(db, "ipsec", "b");
	c = add(db, "ipsec", "c");
	d = add(db, "ipsec", "d");
	w = add(db, "wan", "w");
	order_is(db, "ipsec", "a b c d");
	order_is(db, "wan", "w");
	assert_int_equal(db_fw_rule_get(db, w, &r), 0);
	assert_int_equal(r.position, 0);
	assert_string_equal(r.dst_ports, "443");
	db_fw_rule_free(&r);

	/* Down, up, far, clamped. */
	assert_int_equal(db_fw_rule_move(db, a, 1, &to), 0);
	assert_int_equal(to, 1);
	order_is(db, "ipsec", "b a c d");
	assert_int_equal(db_fw_rule_move(db, d, 0, NULL), 0);
	order_is(db, "ipsec", "d b a c");
	assert_int_equal(db_fw_rule_move(db, d, 99, &to), 0);
	assert_int_equal(to, 3);
	order_is(db, "ipsec", "b a c d");
	assert_int_equal(db_fw_rule_move(db, b, -5, &to), 0);
	assert_int_equal(to, 0);
	order_is(db, "ipsec", "b a c d");
	assert_int_equal(db_fw_rule_move(db, 4242, 0, NULL), DB_NOTFOUND);

	/* Another tab: last there, the gap closed here. */
	assert_int_equal(db_fw_rule_get(db, a, &r), 0);
	free(r.tab);
	r.tab = strdup("wan");
	assert_int_equal(db_fw_rule_update(db, &r), 0);
	db_fw_rule_free(&r);
	order_is(db, "ipsec", "b c d");
	order_is(db, "wan", "w a");
	/* An update in place keeps the position. */
	assert_int_equal(db_fw_rule_get(db, c, &r), 0);
	free(r.action);
	r.action = strdup("block");
	assert_int_equal(db_fw_rule_update(db, &r), 0);
	db_fw_rule_free(&r);
	order_is(db, "ipsec", "b c d");

	assert_int_equal(db_fw_rule_delete(db, b), 0);
	order_is(db, "ipsec", "c d");
	assert_int_equal(db_fw_rule_delete(db, b), DB_NOTFOUND);
	/* Every tab at once: grouped by tab. */
	{
		struct db_fw_rule *v;
		size_t n;

		assert_int_equal(db_fw_rule_list(db, NULL, &v, &n), 0);
		assert_int_equal(n, 4);
		db_fw_rule_list_free(v, n);
	}
}

static void
test_nat(void **state)
{
	struct db *db = *state;
	struct db_fw_nat n, *v;
	size_t cnt;
	int64_t first;

	memset(&n, 0, sizeof(n));
	n.iface = (char *)"wan";
	n.src_type = (char *)"vpn_pool";
	n.dst_type = (char *)"any";
	n.description = (char *)"one";
	assert_int_equal(db_fw_nat_insert(db, &n), 0);
	first = n.id;
	n.translation = (char *)"192.0.2.1";
	n.description = (char *)"two";
	assert_int_equal(db_fw_nat_insert(db, &n), 0);
	assert_int_equal(db_fw_nat_list(db, &v, &cnt), 0);
	assert_int_equal(cnt, 2);
	assert_string_equal(v[0].translation, "masquerade");
	assert_string_equal(v[1].translation, "192.0.2.1");
	assert_int_equal(v[1].position, 1);
	db_fw_nat_list_free(v, cnt);
	assert_int_equal(db_fw_nat_delete(db, first), 0);
	assert_int_equal(db_fw_nat_list(db, &v, &cnt), 0);
	assert_int_equal(cnt, 1);
	assert_int_equal(v[0].position, 0);
	assert_string_equal(v[0].description, "two");
	n = v[0];
	n.disabled = 1;
	assert_int_equal(db_fw_nat_update(db, &n), 0);
	db_fw_nat_list_free(v, cnt);
	assert_int_equal(db_fw_nat_get(db, n.id, &n), 0);
	assert_int_equal(n.disabled, 1);
	db_fw_nat_free(&n);
	n.id = 4242;
	n.iface = (char *)"lan";
	n.src_type = n.dst_type = (char *)"any";
	assert_int_equal(db_fw_nat_update(db, &n), DB_NOTFOUND);
}

static void
test_safe_text(void **state)
{
	char out[200], in[300];

	(void)state;
	firewall_safe_text("web <b>\"x\"", out, sizeof(out));
	assert_string_equal(out, "web _b__x_");
	firewall_safe_text("VPN to 10.1.0.10:443 (web) a+b=c@d/e,f-g_h", out, sizeof(out));
	assert_string_equal(out, "VPN to 10.1.0.10:443 (web) a+b=c@d/e,f-g_h");
	/* Bytes, not characters: "é" is two. */
	firewall_safe_text("caf\xc3\xa9 */ \\ '", out, sizeof(out));
	assert_string_equal(out, "caf__ _/ _ _");
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	firewall_safe_text(in, out, sizeof(out));
	assert_int_equal(strlen(out), 128);
	firewall_safe_text(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nat, setup, teardown),
		cmocka_unit_test(test_safe_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
