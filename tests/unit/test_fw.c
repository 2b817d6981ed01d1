/*
 * test_fw — the firewall model: every rule kind rendered to nftables and
 * pf and compared with golden files (tests/unit/golden/fw_*), escaping of
 * user text, and every validation error.  IKEGW_UPDATE_GOLDEN=1 rewrites
 * the golden files (review the diff before committing it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fw/fw.h"

#define GOLDEN "tests/unit/golden/"

struct errs {
	char	 text[8192];
	int	 n;
};

static void
collect(void *arg, const char *path, const char *msg)
{
	struct errs *e = arg;
	size_t l = strlen(e->text);

	snprintf(e->text + l, sizeof(e->text) - l, "%s: %s\n", path, msg);
	e->n++;
}

static struct fw_model *
model(const char *json, struct errs *e)
{
	json_error_t jerr;
	json_t *doc = json_loads(json, 0, &jerr);
	struct fw_model *m = NULL;

	if (doc == NULL) {
		fprintf(stderr, "bad test JSON: %s (line %d)\n", jerr.text, jerr.line);
		fail();
	}
	memset(e, 0, sizeof(*e));
	(void)fw_parse(doc, NULL, &m, collect, e);
	json_decref(doc);
	return m;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
golden(const char *name, const char *got)
{
	char path[256], *want;
	FILE *f;

	snprintf(path, sizeof(path), GOLDEN "%s", name);
	if (getenv("IKEGW_UPDATE_GOLDEN")) {
		assert_non_null(f = fopen(path, "w"));
		fputs(got, f);
		fclose(f);
	}
	want = slurp(path);
	if (want == NULL || strcmp(want, got) != 0) {
		fprintf(stderr, "--- %s differs; got:\n%s\n", path, got);
		free(want);
		fail();
	}
	free(want);
}

/* Every kind of rule the pages can make. */
static const char full[] =
    "{ \"interfaces\": { \"wan\": \"wan0\", \"lan\": \"lan0\", \"ipsec\": \"ipsec0\" },"
    "  \"lan_net\": [\"10.1.0.0/24\", \"fd00:1::/64\"], \"wan_address\": [\"192.0.2.1\"],"
    "  \"vpn_pool\": [\"10.10.10.0/24\", \"fd00:10::/112\"],"
    "  \"rules\": {"
    "    \"wan\": ["
    "      { \"action\": \"pass\", \"protocol\": \"tcp\", \"destination\": { \"type\": \"wan_address\" },"
    "        \"destination_ports\": \"443\", \"description\": \"web admin\", \"log\": true },"
    "      { \"action\": \"block\", \"protocol\": \"any\", \"source\": { \"type\": \"network\", \"value\": \"198.51.100.0/24\" } },"
    "      { \"action\": \"pass\", \"protocol\": \"udp\", \"source_ports\": \"53\", \"destination_ports\": \"1024-65535\" },"
    "      { \"action\": \"pass\", \"protocol\": \"tcp\", \"destination_ports\": \"22\", \"disabled\": true }"
    "    ],"
    "    \"lan\": ["
    "      { \"action\": \"reject\", \"protocol\": \"tcp/udp\", \"destination\": { \"type\": \"address\", \"value\": \"2001:db8::1\" },"
    "        \"destination_ports\": \"25\" },"
    "      { \"action\": \"pass\", \"protocol\": \"icmp\", \"source\": { \"type\": \"lan_net\" } }"
    "    ],"
    "    \"ipsec\": ["
    "      { \"action\": \"pass\", \"protocol\": \"tcp\", \"source\": { \"type\": \"vpn_pool\" },"
    "        \"destination\": { \"type\": \"address\", \"value\": \"10.1.0.10\" }, \"destination_ports\": \"443\","
    "        \"description\": \"clients to web\\\"; drop; # }\\n chain x {\" },"
    "      { \"action\": \"pass\", \"protocol\": \"esp\" },"
    "      { \"action\": \"block\", \"protocol\": \"icmp\", \"destination\": { \"type\": \"lan_net\" }, \"log\": true }"
    "    ]"
    "  },"
    "  \"nat\": { \"mode\": \"automatic\" } }";

static void
test_full_model(void **state)
{
	struct errs e;
	struct fw_model *m = model(full, &e);
	char *nft, *pf;

	(void)state;
	if (m == NULL)
		fprintf(stderr, "%s", e.text);
	assert_non_null(m);
	nft = fw_render_nft(m);
	pf = fw_render_pf(m);
	golden("fw_full.nft", nft);
	golden("fw_full.pf", pf);
	/* User text cannot leave its string: quotes, semicolons, braces, newlines. */
	assert_null(strstr(nft, "\"; drop"));
	assert_null(strstr(nft, "chain x {"));
	assert_null(strstr(nft, "\n chain x"));
	assert_non_null(strstr(nft, "comment \"clients to web__ drop_ _ __ chain x _\""));
	assert_null(strstr(pf, "\"; drop"));
	/* A disabled rule is not rendered. */
	assert_null(strstr(nft, "dport 22 "));
	/* Rendering is deterministic. */
	char *again = fw_render_nft(m);
	assert_string_equal(nft, again);
	free(again);
	free(nft);
	free(pf);
	fw_free(m);
}

static void
test_xfrm_manual_nat(void **state)
{
	struct errs e;
	struct fw_model *m = model(
	    "{ \"interfaces\": { \"wan\": \"eth0\" }, \"auto_ipsec\": false,"
	    "  \"vpn_pool\": [\"10.10.10.0/24\"],"
	    "  \"rules\": { \"ipsec\": [ { \"action\": \"pass\", \"protocol\": \"udp\","
	    "      \"destination_ports\": \"53\" } ] },"
	    "  \"nat\": { \"mode\": \"manual\", \"rules\": ["
	    "    { \"interface\": \"wan\", \"source\": { \"type\": \"vpn_pool\" }, \"translation\": \"192.0.2.9\","
	    "      \"description\": \"static\" },"
	    "    { \"source\": { \"type\": \"network\", \"value\": \"10.20.0.0/16\" } } ] } }", &e);
	char *nft, *pf;

	(void)state;
	if (m == NULL)
		fprintf(stderr, "%s", e.text);
	assert_non_null(m);
	nft = fw_render_nft(m);
	pf = fw_render_pf(m);
	golden("fw_xfrm.nft", nft);
	golden("fw_xfrm.pf", pf);
	/* No TUN interface named: tunnel traffic is matched by IPsec policy. */
	assert_non_null(strstr(nft, "meta ipsec exists jump in_ipsec"));
	assert_null(strstr(nft, "udp dport { 500, 4500 }"));
	free(nft);
	free(pf);
	fw_free(m);
}

static void
expect_error(const char *json, const char *want)
{
	struct errs e;
	struct fw_model *m = model(json, &e);

	assert_null(m);
	if (strstr(e.text, want) == NULL) {
		fprintf(stderr, "wanted \"%s\" in:\n%s", want, e.text);
		fail();
	}
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("{ \"rules\": {} }", "firewall.interfaces.wan: required");
	expect_error("{ \"interfaces\": { \"wan\": \"wan0\" }, \"rules\": { \"wan\": [ { \"action\": \"pass\","
	    " \"protocol\": \"any\", \"destination_ports\": \"80\" } ] } }",
	    "firewall.rules.wan[0].destination_ports: ports need protocol TCP, UDP or TCP/UDP");
	expect_error("{ \"interfaces\": { \"wan\": \"wan0\" }, \"rules\": { \"lan\": [ { \"action\": \"pass\","
	    " \"protocol\": \"tcp\", \"destination_ports\": \"2000-1000\" } ] } }",
	    "firewall.rules.lan[0].destination_ports: the range 2000-1000 is reversed");
	expect_error("{ \"interfaces\": { \"wan\": \"wan0\" }, \"rules\": { \"lan\": [ { \"action\": \"pass\","
	    " \"protocol\": \"tcp\", \"destination_ports\": \"70000\" } ] } }",
	    "is not a port (1-65535)");
	expect_error("{ \"interfaces\": { \"wan\": \"wan0\" }, \"rules\": { \"ipsec\": [ { \"action\": \"allow\" } ] } }",
	    "firewall.rules.ipsec[0].action: must be pass, block or reject");
	expect_error("{ \"interfaces\": { \"wan\": \"wan0\" }, \"rules\": { \"wan\": [ { \"action\": \"pass\","
	    " \"source\": { \"type\": \"network\", \"value\": \"10.1.0.1/24\" } } ] } }",
	    "10.1.0.1/24 has host bits set");
	expect_error("{ \"interfaces\": { \"wan\": \"wan0\" }, \"rules\": { \"wan\": [ { \"action\": \"pass\","
	    " \"source\": { \"type\": \"address\", \"value\": \"10.1.0.1\" },"
	    " \"destination\": { \"type\": \"address\", \"value\": \"2001:db8::1\" } } ] } }",
	    "no address family in common");
	expect_error("{ \"interfaces\": { \"wan\": \"wan0\" }, \"colour\": 1 }", "firewall.colour: unknown key");
	expect_error("{ \"interfaces\": { \"wan\": \"wan 0; flush\" } }", "is not an interface name");
	expect_error("{ \"interfaces\": { \"wan\": \"wan0\" }, \"rules\": { \"dmz\": [] } }",
	    "firewall.rules.dmz: unknown interface tab");
	expect_error("{ \"interfaces\": { \"wan\": \"wan0\" }, \"nat\": { \"mode\": \"manual\", \"rules\": ["
	    " { \"translation\": \"nowhere\" } ] } }",
	    "firewall.nat.rules[0].translation: must be \"masquerade\" or an IP address");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_model),
		cmocka_unit_test(test_xfrm_manual_nat),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
