/*
 * libFuzzer target for engine/config.c (engine.json) and, when a document
 * loads, engine/pool/pool.c over the pools it declares.
 *
 * The input is parsed as JSON the way ike_config_load_file() does (duplicate
 * keys refused) and handed to ike_config_load_json().  Invariants checked:
 * a load either succeeds with no error lines or fails with at least one and
 * at most IKE_CONFIG_MAX_ERRORS, each "path: message" on one line of
 * printable ASCII (values from the document are escaped); lookups on a
 * loaded config work; a pool set built from it leases and releases.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "engine/config.h"
#include "engine/pool/pool.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_line(const char *line)
{
	const unsigned char *p;

	if (strstr(line, ": ") == NULL)
		abort();
	for (p = (const unsigned char *)line; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			abort();
}

static void
exercise(const struct ike_config *cfg)
{
	struct pool_lease_info *v;
	struct pool_stats st[4];
	struct pool_set *s;
	char text[64];
	uint8_t addr[16];
	size_t i, n;
	int f;

	for (i = 0; i < cfg->nusers; i++)
		if (ike_config_user(cfg, cfg->users[i].name) == NULL)
			abort();
	for (i = 0; i < cfg->nphase1; i++)
		(void)ike_config_user_allowed(&cfg->phase1[i],
		    cfg->nusers > 0 ? &cfg->users[0] : NULL);
	for (i = 0; i < cfg->npools; i++) {
		cfg_net_str(&cfg->pools[i].v4, text, sizeof(text));
		cfg_net_str(&cfg->pools[i].v6, text, sizeof(text));
	}
	if ((s = pool_set_new(cfg->pools, cfg->npools, NULL, NULL, 0)) == NULL)
		abort();	/* the parser admits only pools the set takes */
	for (i = 0; i < cfg->npools; i++)
		for (f = 0; f < 2; f++) {
			int family = f == 0 ? AF_INET : AF_INET6;
			int rc = pool_acquire(s, cfg->pools[i].name, "a", family, 0, addr);

			if (rc == POOL_OK) {
				if (pool_acquire(s, cfg->pools[i].name, "b", family,
				    POOL_EXCLUSIVE, addr) == POOL_OK &&
				    pool_release(s, cfg->pools[i].name, family, addr) != POOL_OK)
					abort();
			} else if (rc != POOL_UNKNOWN && rc != POOL_EXHAUSTED)
				abort();
		}
	if (pool_list(s, &v, &n) != POOL_OK)
		abort();
	pool_list_free(v, n);
	(void)pool_stats(s, st, 4);
	if (pool_set_reconfigure(s, cfg->pools, cfg->npools > 0 ? cfg->npools - 1 : 0,
	    &n, NULL, 0) != POOL_OK)
		abort();
	pool_set_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_config_errors errs = { 0 };
	struct ike_config *cfg = NULL;
	json_error_t jerr;
	json_t *doc;
	size_t i;
	int rc;

	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return 0;
	rc = ike_config_load_json(doc, &cfg, &errs);
	if (rc == 0) {
		if (cfg == NULL || errs.n != 0 || cfg->json != doc)
			abort();
		exercise(cfg);
	} else if (cfg != NULL || errs.n == 0 || errs.n > IKE_CONFIG_MAX_ERRORS)
		abort();
	for (i = 0; i < errs.n; i++)
		check_line(errs.v[i]);
	ike_config_free(cfg);
	ike_config_errors_free(&errs);
	json_decref(doc);
	return 0;
}
