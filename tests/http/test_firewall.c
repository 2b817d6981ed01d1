/*
 * test_firewall — Firewall > Rules, NAT: Outbound and Settings, through
 * nginx against the stack, and Apply with the firewall: every refused
 * input gives a field message and stores nothing (checked by SQL);
 * reordering with the Up/Down buttons, with a position (what drag and
 * drop sends) and through the API; disabled rules; the automatic and
 * default rules shown; Apply writes the expected "firewall" object into
 * var/engine.json and the engine (in its own network namespace, see
 * run.sh) installs it; an engine refusal (an interface that exists here
 * but not where the engine runs) is shown with nftables' words and leaves
 * the previous ruleset in place.
 *
 * Interfaces: veth pairs with one end here (where ikegw-web reads the
 * machine's addresses) and the other, of the same name, in the engine's
 * namespace — fwhwan0 192.0.2.1/24 (WAN), fwhlan0 10.61.0.1/24 (LAN); and
 * fwhonly0 10.63.0.1/24, which has no twin there.  Everything this test
 * makes is removed at the end (test_vpn runs later on the same instance).
 */
#include "certs.h"

#define RULES	"SELECT COUNT(*) FROM fw_rules"
#define NATS	"SELECT COUNT(*) FROM fw_nat_rules"
#define PENDING	"SELECT COUNT(*) FROM vpn_pending"
#define IPSEC_ORDER "SELECT group_concat(description, ' ') FROM (SELECT description" \
	" FROM fw_rules WHERE tab = 'ipsec' ORDER BY position)"

static const char *netns;	/* the engine's namespace, NULL when not root */
static long long p1_id, rule_web, rule_ssh, rule_ping;

static void
sh(const char *cmd)
{
	char *out = NULL;
	int st = run(cmd, &out);

	if (st != 0)
		fprintf(stderr, "%s: %s\n", cmd, out ? out : "");
	assert_int_equal(st, 0);
	free(out);
}

static char *
read_text(const char *path)
{
	char *buf;
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static char *
engine_json(void)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/engine.json", hc_env("IKEGW_VAR"));
	return read_text(path);
}

/* nft list table inet ikegw where the engine runs (caller frees). */
static char *
kernel_ruleset(void)
{
	char cmd[256], *out = NULL;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s nft list table inet ikegw", netns);
	assert_int_equal(run(cmd, &out), 0);
	return out;
}

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
needs_root(void)
{
	if (getuid() != 0)
		skip();
}

/* ---------------------------------------------------------------- tests */

static void
test_setup(void **state)
{
	struct hc *c;
	char body[512];
	const char *ns = getenv("IKEGW_ENGINE_NETNS");

	(void)state;
	needs_root();
	netns = ns && *ns ? ns : NULL;
	assert_non_null(netns);
	snprintf(body, sizeof(body), "ip link add fwhwan0 type veth peer name fwhwan0 netns %s &&"
	    " ip addr add 192.0.2.1/24 dev fwhwan0 && ip link add fwhlan0 type veth peer name"
	    " fwhlan0 netns %s && ip addr add 10.61.0.1/24 dev fwhlan0 && ip link add fwhonly0"
	    " type veth peer name fwhonly0p && ip addr add 10.63.0.1/24 dev fwhonly0", netns, netns);
	sh(body);
	free(hc_sql("DELETE FROM vpn_pending"));
	/* Mobile clients with a pool (by SQL: test_vpn counts the audit entries
	   of its own Mobile Clients saves), a PSK Phase 1 on every interface. */
	free(hc_sql("INSERT INTO vpn_mobile (id, enabled, pool4) VALUES (1, 1, '10.62.0.0/24')"));
	c = api_client();
	p1_id = api_create(c, "/api/v1/vpn/phase1", "{\"auth\":\"psk\",\"my_id_type\":\"fqdn\","
	    "\"my_id\":\"fw.example.com\",\"psk\":\"firewall-test-psk-0123\","
	    "\"description\":\"fw test\"}", 201);
	snprintf(body, sizeof(body), "/api/v1/vpn/phase1/%lld/phase2", p1_id);
	api_create(c, body, "{\"local_network\":\"10.61.0.0/24\"}", 201);
	free(hc_sql("DELETE FROM vpn_pending"));
	hc_free(c);
}

static void
test_not_active(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;

	(void)state;
	needs_root();
	r = hc_get(c, "/firewall/rules");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "id=\"fw-inactive\"");
	assert_contains(r->body, "not active");
	r = hc_get(c, "/api/v1/vpn/engine-config");
	assert_int_equal(r->status, 200);
	assert_not_contains(r->body, "\"firewall\"");
	hc_free(c);
}

static void
test_settings(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	char body[256];

	(void)state;
	needs_root();
	expect_field(api_put(c, "/api/v1/firewall/settings", "{\"wan\":\"nosuch0\"}"), "wan",
	    "no interface");
	expect_field(api_put(c, "/api/v1/firewall/settings", "{\"wan\":\"bad name\"}"), "wan",
	    "not an interface name");
	expect_field(api_put(c, "/api/v1/firewall/settings", "{\"wan\":\"fwhwan0\","
	    "\"lan\":\"fwhwan0\"}"), "lan", "different");
	expect_field(api_put(c, "/api/v1/firewall/settings", "{\"lan\":\"fwhlan0\"}"), "wan",
	    "Assign WAN first");
	expect_field(api_put(c, "/api/v1/firewall/settings", "{\"nat_mode\":\"sometimes\"}"),
	    "nat_mode", NULL);
	/* The form: the message next to the field, nothing saved. */
	hc_header(c, NULL);
	hc_get(c, "/firewall/settings");
	snprintf(body, sizeof(body), "csrf=%s&wan=fwhlan0&lan=fwhlan0&auto_ipsec=1", hc_csrf(c));
	r = hc_form(c, "/firewall/settings", body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "id=\"lan-error\"");
	assert_contains(r->body, "Nothing was saved");
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM fw_settings"), 0);
	assert_int_equal(hc_sql_int(PENDING), 0);
	/* The machine's interfaces are offered. */
	r = hc_get(c, "/firewall/settings");
	assert_contains(r->body, "<option value=\"fwhwan0\">fwhwan0 (192.0.2.1/24)</option>");
	/* WAN only, for now. */
	snprintf(body, sizeof(body), "csrf=%s&wan=fwhwan0&lan=&auto_ipsec=1", hc_csrf(c));
	r = hc_form(c, "/firewall/settings", body);
	assert_int_equal(r->status, 303);
	r = hc_get(c, "/firewall/settings?msg=fw-settings-saved");
	assert_contains(r->body, "Firewall settings saved.");
	assert_contains(r->body, "Interface assignment changed (WAN fwhwan0, LAN none)");
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action ="
	    " 'firewall.settings.update'"), 1);
	hc_free(c);
}

static void
test_rules_refused(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	char body[512], longtext[200];
	long long pending = hc_sql_int(PENDING);

	(void)state;
	needs_root();
#define BAD(json, field, text) expect_field(api_post(c, "/api/v1/firewall/rules?tab=ipsec", \
	json), field, text)
	/* The impossible rule of the issue: ports with protocol any. */
	BAD("{\"destination_ports\":\"443\"}", "destination_ports", "need protocol TCP");
	BAD("{\"protocol\":\"icmp\",\"source_ports\":\"1024-65535\"}", "source_ports",
	    "need protocol TCP");
	BAD("{\"protocol\":\"esp\",\"destination_ports\":\"500\"}", "destination_ports",
	    "protocol ESP has no ports");
	/* Ports and ranges. */
	BAD("{\"protocol\":\"tcp\",\"destination_ports\":\"2000-1000\"}", "destination_ports",
	    "reversed: write 1000-2000");
	BAD("{\"protocol\":\"tcp\",\"destination_ports\":\"0\"}", "destination_ports",
	    "1 to 65535");
	BAD("{\"protocol\":\"udp\",\"destination_ports\":\"70000\"}", "destination_ports",
	    "1 to 65535");
	BAD("{\"protocol\":\"tcp\",\"destination_ports\":\"https\"}", "destination_ports",
	    "such as 443");
	BAD("{\"protocol\":\"tcp\",\"destination_ports\":\"1-2-3\"}", "destination_ports", NULL);
	BAD("{\"protocol\":\"tcp\",\"source_ports\":\"-5\"}", "source_ports", NULL);
	/* Addresses and networks. */
	BAD("{\"destination_type\":\"address\",\"destination\":\"10.61.0.300\"}", "destination",
	    "not an IPv4 or IPv6 address");
	BAD("{\"destination_type\":\"address\"}", "destination", "Enter the address");
	BAD("{\"source_type\":\"network\",\"source\":\"10.61.0.1/24\"}", "source", "host bits");
	BAD("{\"source_type\":\"network\",\"source\":\"10.61.0.0/33\"}", "source", NULL);
	BAD("{\"source_type\":\"network\",\"source\":\"10.61.0.0\"}", "source", NULL);
	BAD("{\"source_type\":\"somewhere\"}", "source_type", NULL);
	/* An interface alias only where the interface is there with an address. */
	BAD("{\"destination_type\":\"lan_net\"}", "destination_type", "No LAN interface");
	/* Address families that cannot meet. */
	BAD("{\"source_type\":\"address\",\"source\":\"2001:db8::7\",\"destination_type\":"
	    "\"wan_address\"}", "destination", "address family");
	BAD("{\"source_type\":\"network\",\"source\":\"fd00::/64\",\"destination_type\":"
	    "\"network\",\"destination\":\"10.0.0.0/8\"}", "destination", "address family");
	/* The rest. */
	BAD("{\"action\":\"allow\"}", "action", NULL);
	expect_field(api_post(c, "/api/v1/firewall/rules", "{\"tab\":\"dmz\"}"), "tab", NULL);
	BAD("{\"description\":\"line\\u0001break\"}", "description", NULL);
	BAD("{\"description\":\"tab\\there\"}", "description", NULL);
	memset(longtext, 'x', 129);
	longtext[129] = '\0';
	snprintf(body, sizeof(body), "{\"description\":\"%s\"}", longtext);
	BAD(body, "description", NULL);
#undef BAD
	/* The form re-shows the message next to its field. */
	hc_header(c, NULL);
	hc_get(c, "/firewall/rules/new?tab=ipsec");
	snprintf(body, sizeof(body), "csrf=%s&tab=ipsec&action=pass&protocol=any&source_type="
	    "vpn_pool&destination_type=address&destination=10.61.0.10&destination_ports=443"
	    "&description=web", hc_csrf(c));
	r = hc_form(c, "/firewall/rules/new", body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "id=\"destination_ports-error\"");
	assert_contains(r->body, "Ports need protocol TCP, UDP or TCP/UDP");
	assert_contains(r->body, "Nothing was saved");
	assert_contains(r->body, "value=\"10.61.0.10\"");	/* what was entered stays */

	assert_int_equal(hc_sql_int(RULES), 0);
	assert_int_equal(hc_sql_int(PENDING), pending);
	hc_free(c);
}

static void
test_rules_saved_and_ordered(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	char path[128], body[256], *s;
	json_t *j;

	(void)state;
	needs_root();
	/* LAN assigned: "LAN net" is something now. */
	assert_int_equal(api_put(c, "/api/v1/firewall/settings", "{\"lan\":\"fwhlan0\"}")->status,
	    200);
	rule_web = api_create(c, "/api/v1/firewall/rules", "{\"tab\":\"ipsec\",\"protocol\":"
	    "\"tcp\",\"source_type\":\"vpn_pool\",\"destination_type\":\"address\","
	    "\"destination\":\"10.61.0.10\",\"destination_ports\":\"443\",\"description\":\"web\"}",
	    201);
	rule_ssh = api_create(c, "/api/v1/firewall/rules?tab=ipsec", "{\"action\":\"block\","
	    "\"protocol\":\"tcp\",\"destination_type\":\"lan_net\",\"destination_ports\":"
	    "\"22\",\"log\":true,\"description\":\"ssh\"}", 201);
	rule_ping = api_create(c, "/api/v1/firewall/rules?tab=ipsec", "{\"protocol\":\"icmp\","
	    "\"source_type\":\"vpn_pool\",\"description\":\"ping <b>&\\\"x\\\"\"}", 201);
	s = hc_sql(IPSEC_ORDER);
	assert_string_equal(s, "web ssh ping <b>&\"x\"");
	free(s);
	/* Stored canonical: an IPv6 address in RFC 5952 form. */
	r = api_post(c, "/api/v1/firewall/rules?tab=wan", "{\"protocol\":\"udp\","
	    "\"source_type\":\"address\",\"source\":\"2001:DB8:0::1\",\"destination_ports\":"
	    "\"0500-600\"}");
	assert_int_equal(r->status, 201);
	j = resp_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "source")), "2001:db8::1");
	assert_string_equal(json_string_value(json_object_get(j, "destination_ports")), "500-600");
	snprintf(path, sizeof(path), "/api/v1/firewall/rules/%lld",
	    (long long)json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	assert_int_equal(hc_request(c, "DELETE", path, NULL, NULL, 0)->status, 200);

	/* The API move: ping to the top. */
	snprintf(path, sizeof(path), "/api/v1/firewall/rules/%lld/move", rule_ping);
	r = api_post(c, path, "{\"position\":0}");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"position\":0");
	s = hc_sql(IPSEC_ORDER);
	assert_string_equal(s, "ping <b>&\"x\" web ssh");
	free(s);
	expect_field(api_post(c, path, "{}"), "position", NULL);
	expect_field(api_post(c, path, "{\"to\":\"sideways\"}"), "to", NULL);

	/* The Up button (a plain form, no script). */
	hc_header(c, NULL);
	hc_get(c, "/firewall/rules?tab=ipsec");
	snprintf(path, sizeof(path), "/firewall/rules/%lld/move", rule_ssh);
	snprintf(body, sizeof(body), "csrf=%s&to=up", hc_csrf(c));
	r = hc_form(c, path, body);
	assert_int_equal(r->status, 303);
	assert_string_equal(hc_resp_header(c, "Location"), "/firewall/rules?tab=ipsec");
	s = hc_sql(IPSEC_ORDER);
	assert_string_equal(s, "ping <b>&\"x\" ssh web");
	free(s);
	/* Down from the last place changes nothing. */
	snprintf(path, sizeof(path), "/firewall/rules/%lld/move", rule_web);
	snprintf(body, sizeof(body), "csrf=%s&to=down", hc_csrf(c));
	assert_int_equal(hc_form(c, path, body)->status, 303);
	s = hc_sql(IPSEC_ORDER);
	assert_string_equal(s, "ping <b>&\"x\" ssh web");
	free(s);
	/* What drag and drop sends: web into the first place. */
	snprintf(body, sizeof(body), "csrf=%s&position=0", hc_csrf(c));
	assert_int_equal(hc_form(c, path, body)->status, 303);
	s = hc_sql(IPSEC_ORDER);
	assert_string_equal(s, "web ping <b>&\"x\" ssh");
	free(s);
	/* The moves are pending and audited. */
	r = hc_get(c, "/firewall/rules?tab=ipsec");
	assert_contains(r->body, "Firewall IPsec rules reordered");
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action ="
	    " 'firewall.rule.move'"), 4);
	/* The list: in order, the description escaped, what the rulesets keep. */
	{
		const char *a = strstr(r->body, "data-id=\"");
		char want[64];

		assert_non_null(a);
		snprintf(want, sizeof(want), "data-id=\"%lld\" data-position=\"0\"", rule_web);
		assert_contains(a, want);
		assert_true(strstr(r->body, want) < strstr(r->body, ">ssh<"));
	}
	assert_contains(r->body, "ping &lt;b&gt;&amp;&quot;x&quot;");
	assert_not_contains(r->body, "ping <b>");
	assert_contains(r->body, "in the rulesets: ping _b___x_");
	assert_contains(r->body, "<span class=\"fw-block\">Block</span></td><td>any</td>");
	assert_contains(r->body, "Default deny");
	hc_free(c);
}

static void
test_disabled(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	char path[128], want[96];

	(void)state;
	needs_root();
	snprintf(path, sizeof(path), "/api/v1/firewall/rules/%lld", rule_ping);
	r = api_put(c, path, "{\"disabled\":true}");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"disabled\":true");
	/* Only what was sent changed. */
	assert_contains(r->body, "\"protocol\":\"icmp\"");
	assert_int_equal(hc_sql_int("SELECT disabled FROM fw_rules WHERE description LIKE"
	    " 'ping%'"), 1);
	r = hc_get(c, "/firewall/rules?tab=ipsec");
	snprintf(want, sizeof(want), "data-id=\"%lld\" data-position=\"1\" class=\"fw-disabled\"",
	    rule_ping);
	assert_contains(r->body, want);
	assert_contains(r->body, "<span class=\"tag\">disabled</span>");
	hc_free(c);
}

static void
test_automatic_rules(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;

	(void)state;
	needs_root();
	/* A Phase 1 on every interface, automatic rules on: at the top of WAN. */
	r = hc_get(c, "/firewall/rules?tab=wan");
	assert_contains(r->body, "auto: IKE and NAT-T");
	assert_contains(r->body, "auto: ESP");
	assert_contains(r->body, "500 (IKE), 4500 (NAT-T)");
	assert_true(strstr(r->body, "auto: ESP") < strstr(r->body, "Default deny"));
	assert_not_contains(r->body, "id=\"fw-inactive\"");
	r = hc_get(c, "/api/v1/firewall/rules?tab=wan");
	assert_contains(r->body, "\"automatic\":[{");
	assert_contains(r->body, "\"default\":\"block\"");
	/* Not on the other tabs; LAN ends in allow. */
	r = hc_get(c, "/firewall/rules?tab=lan");
	assert_not_contains(r->body, "auto: ESP");
	assert_contains(r->body, "Default allow");
	/* Off: the page says how to do it by hand. */
	assert_int_equal(api_put(c, "/api/v1/firewall/settings", "{\"auto_ipsec\":false}")->status,
	    200);
	r = hc_get(c, "/firewall/rules?tab=wan");
	assert_not_contains(r->body, "auto: ESP");
	assert_contains(r->body, "id=\"fw-auto-off\"");
	assert_int_equal(api_put(c, "/api/v1/firewall/settings", "{\"auto_ipsec\":true}")->status,
	    200);
	/* No enabled Phase 1: none, and the page says why. */
	free(hc_sql("UPDATE vpn_mobile SET enabled = 0"));
	r = hc_get(c, "/firewall/rules?tab=wan");
	assert_not_contains(r->body, "auto: ESP");
	assert_contains(r->body, "id=\"fw-auto-idle\"");
	free(hc_sql("UPDATE vpn_mobile SET enabled = 1"));
	hc_free(c);
}

static void
test_nat(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;

	(void)state;
	needs_root();
	r = hc_get(c, "/firewall/nat");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "masquerade (the WAN address)");
	expect_field(api_post(c, "/api/v1/firewall/nat/rules", "{\"translation\":\"masq\"}"),
	    "translation", "masquerade");
	expect_field(api_post(c, "/api/v1/firewall/nat/rules", "{\"translation\":\"2001:db8::1\"}"),
	    "translation", "IPv6");
	expect_field(api_post(c, "/api/v1/firewall/nat/rules", "{\"source_type\":\"network\","
	    "\"source\":\"10.62.0.1/24\"}"), "source", "host bits");
	expect_field(api_post(c, "/api/v1/firewall/nat/rules", "{\"interface\":\"dmz\"}"),
	    "interface", NULL);
	assert_int_equal(hc_sql_int(NATS), 0);
	api_create(c, "/api/v1/firewall/nat/rules", "{\"translation\":\"192.0.2.1\","
	    "\"description\":\"pool via WAN\"}", 201);
	expect_field(api_put(c, "/api/v1/firewall/nat", "{\"mode\":\"sometimes\"}"), "nat_mode",
	    NULL);
	r = api_put(c, "/api/v1/firewall/nat", "{\"mode\":\"manual\"}");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"mode\":\"manual\"");
	assert_contains(r->body, "\"translation\":\"192.0.2.1\"");
	r = hc_get(c, "/firewall/nat");
	assert_contains(r->body, "pool via WAN");
	assert_not_contains(r->body, "masquerade (the WAN address)");
	hc_free(c);
}

static void
test_apply_writes_firewall(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	json_t *doc, *fw, *ipsec, *rule;
	json_error_t e;
	char *text, *kernel;
	const char *a, *b;

	(void)state;
	needs_root();
	r = api_post(c, "/api/v1/vpn/apply", "{}");
	if (r->status != 200)
		fprintf(stderr, "%.2000s\n", r->body);
	assert_int_equal(r->status, 200);
	assert_int_equal(hc_sql_int(PENDING), 0);
	text = engine_json();
	doc = json_loads(text, 0, &e);
	assert_non_null(doc);
	fw = json_object_get(doc, "firewall");
	assert_true(json_is_object(fw));
	assert_string_equal(json_string_value(json_object_get(json_object_get(fw, "interfaces"),
	    "wan")), "fwhwan0");
	assert_string_equal(json_string_value(json_object_get(json_object_get(fw, "interfaces"),
	    "lan")), "fwhlan0");
	assert_null(json_object_get(json_object_get(fw, "interfaces"), "ipsec"));
	assert_null(json_object_get(fw, "vpn_pool"));	/* the engine's pools */
	assert_true(json_is_true(json_object_get(fw, "auto_ipsec")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(fw, "lan_net"), 0)),
	    "10.61.0.0/24");
	assert_int_equal(json_array_size(json_object_get(fw, "lan_net")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(fw, "wan_address"),
	    0)), "192.0.2.1");
	/* IPsec: web, then ssh; ping is disabled and left out. */
	ipsec = json_object_get(json_object_get(fw, "rules"), "ipsec");
	assert_int_equal(json_array_size(ipsec), 2);
	rule = json_array_get(ipsec, 0);
	assert_string_equal(json_string_value(json_object_get(rule, "action")), "pass");
	assert_string_equal(json_string_value(json_object_get(rule, "protocol")), "tcp");
	assert_string_equal(json_string_value(json_object_get(json_object_get(rule, "source"),
	    "type")), "vpn_pool");
	assert_null(json_object_get(json_object_get(rule, "source"), "value"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(rule, "destination"),
	    "value")), "10.61.0.10");
	assert_string_equal(json_string_value(json_object_get(rule, "destination_ports")), "443");
	assert_string_equal(json_string_value(json_object_get(rule, "description")), "web");
	rule = json_array_get(ipsec, 1);
	assert_string_equal(json_string_value(json_object_get(rule, "action")), "block");
	assert_true(json_is_true(json_object_get(rule, "log")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(rule, "destination"),
	    "type")), "lan_net");
	assert_int_equal(json_array_size(json_object_get(json_object_get(fw, "rules"), "wan")), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(fw, "nat"), "mode")),
	    "manual");
	rule = json_array_get(json_object_get(json_object_get(fw, "nat"), "rules"), 0);
	assert_string_equal(json_string_value(json_object_get(rule, "translation")), "192.0.2.1");
	assert_string_equal(json_string_value(json_object_get(rule, "interface")), "wan");
	json_decref(doc);
	free(text);

	/* The engine installed it, in this order. */
	kernel = kernel_ruleset();
	assert_contains(kernel, "iif \"fwhwan0\" jump in_wan");
	assert_contains(kernel, "udp dport { 500, 4500 } accept comment \"auto: IKE and NAT-T\"");
	a = strstr(kernel, "ip saddr @vpn_pool4 ip daddr 10.61.0.10 tcp dport 443 accept comment"
	    " \"web\"");
	b = strstr(kernel, "ip daddr @lan_net4 tcp dport 22 log prefix \"ikegw ipsec 2: \" drop"
	    " comment \"ssh\"");
	if (a == NULL || b == NULL)
		fprintf(stderr, "%s\n", kernel);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	assert_not_contains(kernel, "icmp");
	assert_contains(kernel, "snat ip to 192.0.2.1 comment \"pool via WAN\"");
	free(kernel);
	hc_free(c);
}

static void
test_apply_refused(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	char *before = engine_json(), *kernel = kernel_ruleset(), *now, body[256];
	long long pending;

	(void)state;
	needs_root();
	/* fwhonly0 exists here (so the page accepts it), not where ikegwd runs. */
	assert_int_equal(api_put(c, "/api/v1/firewall/settings", "{\"lan\":\"fwhonly0\"}")->status,
	    200);
	pending = hc_sql_int(PENDING);
	assert_true(pending > 0);
	r = api_post(c, "/api/v1/vpn/apply", "{}");
	assert_int_equal(r->status, 502);
	assert_contains(r->body, "The VPN engine refused the configuration: nftables refused the"
	    " ruleset: Error: Interface does not exist");
	/* The page says the same, and the banner stays. */
	hc_header(c, NULL);
	hc_get(c, "/firewall/rules");
	snprintf(body, sizeof(body), "csrf=%s&back=%%2Ffirewall%%2Frules", hc_csrf(c));
	r = hc_form(c, "/vpn/ipsec/apply", body);
	assert_int_equal(r->status, 502);
	assert_contains(r->body, "Interface does not exist");
	assert_contains(r->body, "The previous configuration keeps running");
	assert_contains(r->body, "Apply changes");
	assert_int_equal(hc_sql_int(PENDING), pending);
	now = engine_json();
	assert_string_equal(now, before);
	free(now);
	now = kernel_ruleset();
	assert_string_equal(now, kernel);
	free(now);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'vpn.apply.failed'"
	    " AND detail LIKE '%Interface does not exist%'"), 2);
	free(before);
	free(kernel);
	hc_free(c);
}

static void
test_unassigned(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;

	(void)state;
	needs_root();
	assert_int_equal(api_put(c, "/api/v1/firewall/settings", "{\"wan\":\"\",\"lan\":\"\"}")->status,
	    200);
	r = hc_get(c, "/api/v1/vpn/engine-config");
	assert_int_equal(r->status, 200);
	assert_not_contains(r->body, "\"firewall\"");
	r = hc_get(c, "/firewall/rules?tab=ipsec");
	assert_contains(r->body, "id=\"fw-inactive\"");
	/* The rules are kept. */
	assert_contains(r->body, ">web<");
	hc_free(c);
}

/* Leaves the instance as test_vpn expects it: no firewall, no Phase 1,
   no mobile settings, an engine.json without a firewall. */
static int
cleanup(void **state)
{
	struct hc *c;
	char path[128];

	(void)state;
	if (getuid() != 0)
		return 0;
	c = api_client();
	free(hc_sql("DELETE FROM fw_rules"));
	free(hc_sql("DELETE FROM fw_nat_rules"));
	free(hc_sql("DELETE FROM fw_settings"));
	if (p1_id) {
		snprintf(path, sizeof(path), "/api/v1/vpn/phase1/%lld", p1_id);
		hc_request(c, "DELETE", path, NULL, NULL, 0);
	}
	free(hc_sql("DELETE FROM vpn_mobile"));
	if (api_post(c, "/api/v1/vpn/apply", "{}")->status != 200)
		fprintf(stderr, "cleanup: apply failed\n");
	free(hc_sql("DELETE FROM vpn_pending"));
	hc_free(c);
	(void)run("ip link del fwhwan0; ip link del fwhlan0; ip link del fwhonly0", NULL);
	return reset_throttle(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup),
		cmocka_unit_test(test_not_active),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_rules_refused),
		cmocka_unit_test(test_rules_saved_and_ordered),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_automatic_rules),
		cmocka_unit_test(test_nat),
		cmocka_unit_test(test_apply_writes_firewall),
		cmocka_unit_test(test_apply_refused),
		cmocka_unit_test(test_unassigned),
	};

	return cmocka_run_group_tests(tests, reset_throttle, cleanup);
}
