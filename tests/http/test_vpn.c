/*
 * test_vpn — VPN > IPsec pages and Apply, through nginx against the stack
 * with a real ikegwd: every refused input gives a field message and leaves
 * the database unchanged (checked by SQL) and the engine untouched
 * (engine.json unchanged); Apply when the engine is down or refuses shows
 * the exact error and keeps the banner; a good Apply clears it.
 */
#include "certs.h"

static long long ca_id, srv_id, other_id, usercert_id;

#define P1	"SELECT COUNT(*) FROM vpn_phase1"
#define P2	"SELECT COUNT(*) FROM vpn_phase2"
#define PENDING	"SELECT COUNT(*) FROM vpn_pending"

/* The running engine.json (caller frees). */
static char *
engine_json(void)
{
	char path[4096], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/engine.json", hc_env("IKEGW_VAR"));
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Expects 422 with a message for `field` containing `text` (NULL: any). */
static void
expect_field(const struct hc_resp *r, const char *field, const char *text)
{
	json_t *j, *m;

	if (r->status != 422)
		fprintf(stderr, "expected 422 for %s, got %ld: %.600s\n", field, r->status, r->body);
	assert_int_equal(r->status, 422);
	j = resp_json(r);
	m = json_object_get(json_object_get(j, "fields"), field);
	if (!json_is_string(m))
		fprintf(stderr, "no message for %s in %.600s\n", field, r->body);
	assert_true(json_is_string(m));
	if (text)
		assert_contains(json_string_value(m), text);
	json_decref(j);
}

static void
test_setup_pki(void **state)
{
	struct hc *c = api_client();
	char body[512];

	(void)state;

	ca_id = api_create(c, "/api/v1/cas", "{\"method\":\"internal\",\"name\":\"VPN test CA\","
	    "\"cn\":\"ikegw VPN test CA\",\"key\":\"ec256\"}", 201);
	snprintf(body, sizeof(body), "{\"method\":\"internal\",\"name\":\"vpn test server\","
	    "\"ca\":%lld,\"type\":\"server\",\"cn\":\"vpn.example.com\",\"key\":\"ec256\"}", ca_id);
	srv_id = api_create(c, "/api/v1/certs", body, 201);
	snprintf(body, sizeof(body), "{\"method\":\"internal\",\"name\":\"other server\","
	    "\"ca\":%lld,\"type\":\"server\",\"cn\":\"other.example.com\",\"key\":\"ec256\"}", ca_id);
	other_id = api_create(c, "/api/v1/certs", body, 201);
	snprintf(body, sizeof(body), "{\"method\":\"internal\",\"name\":\"a user cert\","
	    "\"ca\":%lld,\"type\":\"user\",\"cn\":\"carol\",\"key\":\"ec256\"}", ca_id);
	usercert_id = api_create(c, "/api/v1/certs", body, 201);
	assert_true(ca_id > 0 && srv_id > 0 && other_id > 0 && usercert_id > 0);
	free(hc_sql("DELETE FROM vpn_pending"));
	hc_free(c);
}

static void
test_mobile_refused(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	char body[512];

	(void)state;
	expect_field(api_put(c, "/api/v1/vpn/mobile", "{\"enabled\":true,"
	    "\"pool4\":\"10.10.10.0/33\"}"), "pool4", NULL);
	expect_field(api_put(c, "/api/v1/vpn/mobile", "{\"enabled\":true,"
	    "\"pool4\":\"10.10.10.1/24\"}"), "pool4", NULL);
	/* 127.0.0.0/8 is the loopback interface's network. */
	expect_field(api_put(c, "/api/v1/vpn/mobile", "{\"enabled\":true,"
	    "\"pool4\":\"127.1.0.0/24\"}"), "pool4", "overlaps");
	expect_field(api_put(c, "/api/v1/vpn/mobile", "{\"enabled\":true,"
	    "\"pool4\":\"10.0.0.0/31\"}"), "pool4", "/30");
	expect_field(api_put(c, "/api/v1/vpn/mobile", "{\"enabled\":true,\"pool4\":\"10.10.10.0/24\","
	    "\"dns\":[\"1.1.1.1\",\"1.0.0.1\",\"8.8.8.8\",\"8.8.4.4\",\"9.9.9.9\"]}"), "dns", NULL);
	expect_field(api_put(c, "/api/v1/vpn/mobile", "{\"enabled\":true,\"pool4\":\"10.10.10.0/24\","
	    "\"dns\":[\"10.1.0.300\"]}"), "dns", NULL);
	expect_field(api_put(c, "/api/v1/vpn/mobile", "{\"enabled\":true}"), "pool4", "pool");
	/* The form: the message next to the field, nothing saved. */
	hc_free(c);
	c = admin_client();
	hc_get(c, "/vpn/ipsec/mobile");
	snprintf(body, sizeof(body), "csrf=%s&enabled=1&auth_source=local&pool4=10.10.10.0%%2F99"
	    "&dns=10.1.0.53", hc_csrf(c));
	r = hc_form(c, "/vpn/ipsec/mobile", body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "Nothing was saved");
	assert_contains(r->body, "class=\"field-error\"");
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM vpn_mobile"), 0);
	assert_int_equal(hc_sql_int(PENDING), 0);
	hc_free(c);
}

static void
test_mobile_saved_offers_phase1(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char body[512];

	(void)state;
	hc_get(c, "/vpn/ipsec/mobile");
	snprintf(body, sizeof(body), "csrf=%s&enabled=1&auth_source=local&pool4=10.10.10.0%%2F24"
	    "&dns=10.1.0.53&dns=&dns=&dns=&dns_domain=corp.example&split_dns=corp.example"
	    "&banner=Authorised+use+only.", hc_csrf(c));
	r = hc_form(c, "/vpn/ipsec/mobile", body);
	assert_int_equal(r->status, 303);
	r = hc_get(c, "/vpn/ipsec/mobile?msg=mobile-saved");
	assert_contains(r->body, "Mobile client settings saved.");
	/* As pfSense: no mobile Phase 1 yet, so the page offers to create one. */
	assert_contains(r->body, "id=\"phase1-missing\"");
	assert_contains(r->body, "href=\"/vpn/ipsec/phase1/new\"");
	assert_contains(r->body, "value=\"10.10.10.0/24\"");
	/* The banner shows on every page, with what changed. */
	r = hc_get(c, "/status/dashboard");
	assert_contains(r->body, "Apply changes");
	assert_contains(r->body, "Mobile client settings changed");
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action='vpn.mobile.update'"), 1);
	hc_free(c);
}

static void
test_phase1_refused(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	char body[1024], *before = engine_json();

	(void)state;
	/* Missing certificate. */
	expect_field(api_post(c, "/api/v1/vpn/phase1", "{\"description\":\"mobile\"}"), "cert",
	    "server certificate");
	/* A user certificate is not a server certificate. */
	snprintf(body, sizeof(body), "{\"cert\":%lld}", usercert_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "cert", "user certificate");
	/* Lifetime 0. */
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"lifetime\":0}", srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "lifetime", NULL);
	/* Unknown algorithm through the API. */
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"prop0_enc\":\"aes-xts\",\"prop0_keylen\":256,"
	    "\"prop0_prf\":\"hmac-sha2-256\",\"prop0_dh\":\"modp2048\"}", srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "prop0_enc", "Unknown encryption");
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"prop0_enc\":\"aes-cbc\",\"prop0_keylen\":256,"
	    "\"prop0_integ\":\"md5\",\"prop0_prf\":\"hmac-sha2-256\",\"prop0_dh\":\"modp2048\"}",
	    srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "prop0_integ", "Unknown hash");
	/* GCM with a separate hash. */
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"prop0_enc\":\"aes-gcm-16\",\"prop0_keylen\":256,"
	    "\"prop0_integ\":\"hmac-sha2-256-128\",\"prop0_prf\":\"hmac-sha2-256\","
	    "\"prop0_dh\":\"modp2048\"}", srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "prop0_integ", "leave the hash empty");
	/* AES without a key length. */
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"prop0_enc\":\"aes-cbc\","
	    "\"prop0_integ\":\"hmac-sha2-256-128\",\"prop0_prf\":\"hmac-sha2-256\","
	    "\"prop0_dh\":\"modp2048\"}", srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "prop0_keylen", "key length");
	/* Legacy algorithm without the legacy switch. */
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"prop0_enc\":\"aes-cbc\",\"prop0_keylen\":128,"
	    "\"prop0_integ\":\"hmac-sha1-96\",\"prop0_prf\":\"hmac-sha1\",\"prop0_dh\":\"modp1024\"}",
	    srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "prop0_dh", "Legacy clients");
	/* Lifetime not above rekey. */
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"lifetime\":3600,\"rekey\":3600}", srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "rekey", "less than the lifetime");
	/* Identifier not in the certificate. */
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"my_id\":\"other.example.com\"}", srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "my_id", "subjectAltName");
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"my_id_type\":\"ipv4\",\"my_id\":\"192.0.2.1\"}",
	    srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "my_id", "subjectAltName");
	/* Certificate auth needs a CA; PSK needs a key. */
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"auth\":\"certificate\"}", srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "ca", NULL);
	expect_field(api_post(c, "/api/v1/vpn/phase1", "{\"auth\":\"psk\",\"my_id\":\"vpn.example.com\","
	    "\"psk\":\"short\"}"), "psk", "16");
	/* An interface this machine does not have. */
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"interface\":\"nosuch0\"}", srv_id);
	expect_field(api_post(c, "/api/v1/vpn/phase1", body), "interface", NULL);
	/* The form re-shows the message next to the field. */
	hc_free(c);
	c = admin_client();
	hc_get(c, "/vpn/ipsec/phase1/new");
	snprintf(body, sizeof(body), "csrf=%s&family=both&interface=any&auth=eap-mschapv2"
	    "&my_id_type=fqdn&cert=%lld&lifetime=0&nat_traversal=auto&dpd_delay=30"
	    "&dpd_max_failures=5&prop0_enc=aes-gcm-16&prop0_keylen=256&prop0_prf=hmac-sha2-256"
	    "&prop0_dh=modp2048", hc_csrf(c), srv_id);
	r = hc_form(c, "/vpn/ipsec/phase1/new", body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "id=\"lifetime-error\"");
	assert_contains(r->body, "Nothing was saved");

	assert_int_equal(hc_sql_int(P1), 0);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM vpn_phase1_proposals"), 0);
	assert_string_equal(engine_json(), before);
	hc_free(c);
	free(before);
}

static void
test_phase1_rows_and_save(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char body[1024];
	char *id;

	(void)state;
	/* A row button rearranges without saving. */
	hc_get(c, "/vpn/ipsec/phase1/new");
	snprintf(body, sizeof(body), "csrf=%s&family=both&interface=any&auth=eap-mschapv2"
	    "&my_id_type=fqdn&cert=%lld&lifetime=28800&nat_traversal=auto&dpd_delay=30"
	    "&dpd_max_failures=5&mobike=1&fragmentation=1"
	    "&prop0_enc=aes-gcm-16&prop0_keylen=256&prop0_prf=hmac-sha2-256&prop0_dh=modp2048"
	    "&prop1_enc=aes-cbc&prop1_keylen=256&prop1_integ=hmac-sha2-256-128"
	    "&prop1_prf=hmac-sha2-256&prop1_dh=ecp256&op=up%%3A1", hc_csrf(c), srv_id);
	r = hc_form(c, "/vpn/ipsec/phase1/new", body);
	assert_int_equal(r->status, 200);
	assert_int_equal(hc_sql_int(P1), 0);
	/* Row 0 is now AES-CBC. */
	{
		const char *p0 = strstr(r->body, "name=\"prop0_enc\"");
		const char *p1 = strstr(r->body, "name=\"prop1_enc\"");

		assert_non_null(p0);
		assert_non_null(p1);
		assert_non_null(strstr(p0, "value=\"aes-cbc\" selected"));
		assert_true(strstr(p0, "value=\"aes-cbc\" selected") < p1);
	}
	/* Saved with the order as shown; my identifier defaults to the
	   certificate's host name. */
	snprintf(body, sizeof(body), "csrf=%s&family=both&interface=any&auth=eap-mschapv2"
	    "&description=mobile&my_id_type=fqdn&cert=%lld&lifetime=28800&nat_traversal=auto"
	    "&dpd_delay=30&dpd_max_failures=5&mobike=1&fragmentation=1"
	    "&prop0_enc=aes-gcm-16&prop0_keylen=256&prop0_prf=hmac-sha2-256&prop0_dh=modp2048"
	    "&prop1_enc=aes-cbc&prop1_keylen=256&prop1_integ=hmac-sha2-256-128"
	    "&prop1_prf=hmac-sha2-256&prop1_dh=modp2048&prop2_enc=", hc_csrf(c), srv_id);
	r = hc_form(c, "/vpn/ipsec/phase1/new", body);
	if (r->status != 303)
		fprintf(stderr, "%.3000s\n", r->body);
	assert_int_equal(r->status, 303);
	assert_int_equal(hc_sql_int(P1), 1);
	id = hc_sql("SELECT my_id FROM vpn_phase1");
	assert_string_equal(id, "vpn.example.com");
	free(id);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM vpn_phase1_proposals"), 2);
	id = hc_sql("SELECT encryption FROM vpn_phase1_proposals WHERE position = 1");
	assert_string_equal(id, "aes-cbc");
	free(id);
	/* Only one mobile Phase 1. */
	hc_free(c);
	c = api_client();
	snprintf(body, sizeof(body), "{\"cert\":%lld}", srv_id);
	assert_int_equal(api_post(c, "/api/v1/vpn/phase1", body)->status, 409);
	r = hc_get(c, "/api/v1/vpn/pending");
	assert_contains(r->body, "Phase 1 \\u0027mobile\\u0027 added");
	hc_free(c);
}

static void
test_phase2_refused(void **state)
{
	struct hc *c = api_client();
	char *before = engine_json();

	(void)state;
	/* Invalid CIDR, host bits, the wrong family. */
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_network\":\"10.1.0.0/33\"}"),
	    "local_network", NULL);
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_network\":\"10.1.0.1/24\"}"),
	    "local_network", NULL);
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_network\":\"fd00::/64\"}"),
	    "local_network", "IPv6");
	/* Overlapping the mobile pool. */
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_network\":\"10.10.0.0/16\"}"),
	    "local_network", "pool");
	/* Unknown algorithm through the API. */
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_network\":\"10.1.0.0/24\","
	    "\"encryption\":[\"des-cbc\"]}"), "encryption", NULL);
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_network\":\"10.1.0.0/24\","
	    "\"encryption\":[\"aes-cbc-256\"],\"hash\":\"\"}"), "hash", "need a hash");
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_network\":\"10.1.0.0/24\","
	    "\"lifetime\":0}"), "lifetime", NULL);
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_network\":\"10.1.0.0/24\","
	    "\"encryption\":[\"3des\"],\"hash\":[\"hmac-sha1-96\"]}"), "encryption", "legacy");
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_type\":\"interface\","
	    "\"local_interface\":\"nosuch0\"}"), "local_interface", NULL);
	assert_int_equal(hc_sql_int(P2), 0);
	assert_string_equal(engine_json(), before);
	free(before);
	hc_free(c);
}

static void
test_phase2_saved(void **state)
{
	struct hc *c = api_client();

	(void)state;
	api_create(c, "/api/v1/vpn/phase1/1/phase2", "{\"description\":\"LAN\","
	    "\"local_network\":\"10.1.0.0/24\"}", 201);
	/* Cross product: GCM alone, CBC with each hash. */
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM vpn_phase2_proposals"), 2);
	/* One mobile Phase 2 per local network. */
	expect_field(api_post(c, "/api/v1/vpn/phase1/1/phase2", "{\"local_network\":\"10.1.0.0/24\"}"),
	    "local_network", "already");
	assert_int_equal(hc_sql_int(P2), 1);
	/* Now the pool must stay clear of the Phase 2 network too. */
	expect_field(api_put(c, "/api/v1/vpn/mobile", "{\"pool4\":\"10.1.0.128/25\"}"), "pool4",
	    "Phase 2");
	hc_free(c);
}

static void
run_stack(const char *what)
{
	char cmd[512];
	char *out = NULL;
	int st;

	snprintf(cmd, sizeof(cmd), "%s/webapp/stack.sh %s", hc_env("IKEGW_TOP"), what);
	st = run(cmd, &out);
	if (st != 0)
		fprintf(stderr, "%s: %s\n", cmd, out ? out : "");
	assert_int_equal(st, 0);
	free(out);
}

static void
test_apply_engine_down(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char body[256], *before = engine_json();
	long long pending = hc_sql_int(PENDING);

	(void)state;
	assert_true(pending > 0);
	run_stack("engine-stop");
	hc_get(c, "/vpn/ipsec/tunnels");
	snprintf(body, sizeof(body), "csrf=%s&back=%%2Fvpn%%2Fipsec%%2Ftunnels", hc_csrf(c));
	r = hc_form(c, "/vpn/ipsec/apply", body);
	assert_int_equal(r->status, 503);
	assert_contains(r->body, "The VPN engine (ikegwd) is not running");
	assert_contains(r->body, "The previous configuration keeps running");
	assert_contains(r->body, "Apply changes");	/* the banner stays */
	assert_int_equal(hc_sql_int(PENDING), pending);
	assert_string_equal(engine_json(), before);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action='vpn.apply.failed'"
	    " AND detail LIKE '%not running%'"), 1);
	run_stack("engine-start");
	free(before);
	hc_free(c);
}

static void
test_apply_engine_refuses(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	char sql[256], *before = engine_json();
	long long pending = hc_sql_int(PENDING);
	json_t *j;

	(void)state;
	/* A certificate that does not match its key: only the engine notices. */
	free(hc_sql("UPDATE certs SET cert_pem = (SELECT cert_pem FROM certs WHERE name ="
	    " 'other server') WHERE name = 'vpn test server'"));
	r = api_post(c, "/api/v1/vpn/apply", "{}");
	assert_int_equal(r->status, 502);
	j = resp_json(r);
	assert_contains(json_string_value(json_object_get(j, "error")),
	    "The VPN engine refused the configuration: server.private_key: does not match");
	json_decref(j);
	assert_int_equal(hc_sql_int(PENDING), pending);
	assert_string_equal(engine_json(), before);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit WHERE action='vpn.apply.failed'"
	    " AND detail LIKE '%%does not match%%'");
	assert_int_equal(hc_sql_int(sql), 1);
	free(before);
	hc_free(c);
}

static void
test_apply_render_error(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	char *before = engine_json();

	(void)state;
	/* The only Phase 2 disabled: the Phase 1 would have nothing. */
	assert_int_equal(api_put(c, "/api/v1/vpn/phase2/1", "{\"disabled\":true}")->status, 200);
	r = api_post(c, "/api/v1/vpn/apply", "{}");
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "has no enabled Phase 2");
	assert_string_equal(engine_json(), before);
	assert_int_equal(api_put(c, "/api/v1/vpn/phase2/1", "{\"disabled\":false}")->status, 200);
	free(before);
	hc_free(c);
}

static void
test_apply_ok(void **state)
{
	struct hc *c = admin_client(), *a;
	const struct hc_resp *r;
	char body[512], path[64], *after, sql[256];
	json_t *doc;
	json_error_t e;

	(void)state;
	/* Restore the server certificate (test_apply_engine_refuses swapped it):
	   renewing keeps nothing we need, so re-create a matching one. */
	a = api_client();
	snprintf(path, sizeof(path), "/api/v1/certs/%lld", srv_id);
	assert_int_equal(hc_request(a, "DELETE", path, NULL, NULL, 0)->status, 200);
	snprintf(body, sizeof(body), "{\"method\":\"internal\",\"name\":\"vpn server 2\","
	    "\"ca\":%lld,\"type\":\"server\",\"cn\":\"vpn.example.com\",\"key\":\"ec256\"}", ca_id);
	srv_id = api_create(a, "/api/v1/certs", body, 201);
	snprintf(body, sizeof(body), "{\"cert\":%lld}", srv_id);
	assert_int_equal(api_put(a, "/api/v1/vpn/phase1/1", body)->status, 200);
	assert_int_equal(api_post(a, "/api/v1/users", "{\"name\":\"vpnbob\",\"role\":\"vpn\","
	    "\"vpn_password\":\"Bob-Pass-123\",\"vpn_password_confirm\":\"Bob-Pass-123\"}")->status,
	    201);
	r = hc_get(a, "/api/v1/vpn/pending");
	assert_contains(r->body, "user vpnbob added");
	hc_free(a);

	hc_get(c, "/status/dashboard");
	snprintf(body, sizeof(body), "csrf=%s&back=%%2Fstatus%%2Fdashboard", hc_csrf(c));
	r = hc_form(c, "/vpn/ipsec/apply", body);
	if (r->status != 303)
		fprintf(stderr, "%.2000s\n", r->body);
	assert_int_equal(r->status, 303);
	assert_string_equal(hc_resp_header(c, "Location"), "/status/dashboard?msg=applied");
	r = hc_get(c, "/status/dashboard?msg=applied");
	assert_contains(r->body, "The changes were applied.");
	assert_not_contains(r->body, "Apply changes");
	assert_int_equal(hc_sql_int(PENDING), 0);
	after = engine_json();
	doc = json_loads(after, 0, &e);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc,
	    "phase1"), 0), "name")), "p1-1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc,
	    "pools"), 0), "ipv4")), "10.10.10.0/24");
	/* The login banner goes to the engine (sent to clients that ask for it). */
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc,
	    "pools"), 0), "banner")), "Authorised use only.");
	assert_contains(after, "\"nt_hash\"");
	assert_contains(after, "\"vpnbob\"");
	assert_not_contains(after, "Bob-Pass-123");
	json_decref(doc);
	free(after);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit WHERE action='vpn.apply' AND detail"
	    " LIKE '%%user vpnbob added%%'");
	assert_int_equal(hc_sql_int(sql), 1);
	hc_free(c);
}

static void
test_status_pages(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;

	(void)state;
	r = hc_get(c, "/status/ipsec/leases");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "Pool mobile (IPv4 10.10.10.0/24)");
	assert_contains(r->body, "data-live=\"/api/v1/status/ipsec/leases\"");
	r = hc_get(c, "/api/v1/status/ipsec/leases");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"size\":254");
	r = hc_get(c, "/status/ipsec/overview");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "No IKE SAs.");
	r = hc_get(c, "/api/v1/status/ipsec/sas");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"sas\":[]");
	/* Disconnecting an SA that does not exist: the engine's answer. */
	r = hc_get(c, "/status/ipsec/overview");
	{
		char body[256];

		snprintf(body, sizeof(body), "csrf=%s&id=4242", hc_csrf(c));
		r = hc_form(c, "/status/ipsec/overview/disconnect", body);
		assert_int_equal(r->status, 404);
		assert_contains(r->body, "no such IKE SA");
		/* And without the CSRF token: refused. */
		r = hc_form(c, "/status/ipsec/overview/disconnect", "id=4242");
		assert_int_equal(r->status, 403);
	}
	hc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_pki),
		cmocka_unit_test(test_mobile_refused),
		cmocka_unit_test(test_mobile_saved_offers_phase1),
		cmocka_unit_test(test_phase1_refused),
		cmocka_unit_test(test_phase1_rows_and_save),
		cmocka_unit_test(test_phase2_refused),
		cmocka_unit_test(test_phase2_saved),
		cmocka_unit_test(test_apply_engine_down),
		cmocka_unit_test(test_apply_engine_refuses),
		cmocka_unit_test(test_apply_render_error),
		cmocka_unit_test(test_apply_ok),
		cmocka_unit_test(test_status_pages),
	};

	return cmocka_run_group_tests(tests, reset_throttle, NULL);
}
