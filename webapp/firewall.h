/*
 * firewall.h — what the firewall pages (ui-firewall.c) share with Apply
 * (ui-apply.c): the "firewall" object of engine.json rendered from the
 * database (docs/engine-config.md, "firewall"; the engine turns it into
 * nftables and pf rulesets, engine/fw/).
 */
#ifndef IKEGW_WEB_FIREWALL_H
#define IKEGW_WEB_FIREWALL_H

#include <stddef.h>

#include "vpn.h"

/*
 * A description as the rulesets will carry it: the engine keeps letters,
 * digits, space and _.,:/()+=@- and turns every other byte into '_', then
 * keeps 128 bytes (engine/fw/fw.c); the pages show this when it differs.
 */
void	 firewall_safe_text(const char *in, char *out, size_t outlen);

/*
 * 1 when Apply would render an enabled Phase 1 that listens on interface
 * wan_if (or on every interface): only then does the WAN tab get the
 * automatic IKE/ESP rules.  Reads the database (the caller's transaction,
 * if any).
 */
int	 firewall_ike_on(struct web_req *, const char *wan_if);

/*
 * Adds "firewall" to doc (engine.json being rendered, already holding its
 * "pools") from the database, inside the caller's read transaction; ifs
 * are the machine's interface addresses.  Without a WAN interface nothing
 * is added (the firewall is not active).  Problems that stop the render
 * are appended to errs as sentences.  0, or -1 when the database could
 * not be read.
 */
int	 firewall_render(struct web_req *, json_t *doc, const struct vpn_iface *ifs, size_t nifs,
    json_t *errs);

#endif
