/*
 * vpn.h — what the VPN pages share: ui-vpn.c (Mobile Clients, Phase 1,
 * Phase 2), ui-apply.c (engine.json from the database, Apply) and
 * ui-ipsec-status.c (Overview, Leases).
 *
 * The algorithm tables are exactly what the engine accepts
 * (docs/engine-config.md, "Names"); nothing else is offered or stored.
 */
#ifndef IKEGW_WEB_VPN_H
#define IKEGW_WEB_VPN_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "web.h"

#define VPN_MAX_PROPOSALS	8	/* IKE proposal rows on the Phase 1 page */
#define VPN_POOL_NAME		"mobile"

struct vpn_encr {
	const char	*name;		/* engine name: "aes-gcm-16" */
	const char	*label;
	int		 keylens[4];	/* accepted key lengths, 0-terminated;
					   none: fixed size (sent without) */
	int		 aead;
	int		 legacy;
};

struct vpn_alg {
	const char	*name;		/* engine name */
	const char	*label;
	int		 legacy;
};

/* An ESP encryption choice on the Phase 2 page: cipher and key length. */
struct vpn_esp_encr {
	const char	*value;		/* form value: "aes-gcm-16-256" */
	const char	*encr;		/* engine name */
	int		 keylen;	/* 0: none */
	const char	*label;
};

extern const struct vpn_encr vpn_encrs[];	/* NULL name ends each table */
extern const struct vpn_alg vpn_integs[];
extern const struct vpn_alg vpn_prfs[];
extern const struct vpn_alg vpn_dhs[];		/* without "none" */
extern const struct vpn_esp_encr vpn_esp_encrs[];

const struct vpn_encr	*vpn_encr_find(const char *);
const struct vpn_alg	*vpn_alg_find(const struct vpn_alg *, const char *);
const struct vpn_esp_encr *vpn_esp_encr_find(const char *value);
const struct vpn_esp_encr *vpn_esp_encr_of(const char *encr, int keylen);
/* <option> lists [{"value","label","selected","legacy"}] with an optional
   first entry (value "", label empty_label) when empty_label is set. */
json_t	*vpn_alg_options(const struct vpn_alg *, const char *selected, const char *empty_label);
json_t	*vpn_encr_options(const char *selected);

/* ---------------------------------------------------------------- networks */

/* One address of one interface of this machine (getifaddrs). */
struct vpn_iface {
	char	 name[IF_NAMESIZE];
	int	 family;		/* AF_INET, AF_INET6 */
	char	 addr[INET6_ADDRSTRLEN];
	int	 prefix;
	char	 net[INET6_ADDRSTRLEN + 4];	/* its network, "10.1.0.0/24" */
};

/* The machine's interface addresses (IPv6 link-local left out), by name.
   *out malloc'ed.  0 or -1. */
int	 vpn_ifaces(struct vpn_iface **out, size_t *n);
/* 1 when some address of interface name exists (of family, 0 any). */
int	 vpn_iface_has(const struct vpn_iface *, size_t n, const char *name, int family);
/* Interface names without repeats, for <option>s ("any" first). */
json_t	*vpn_iface_options(const struct vpn_iface *, size_t n, const char *selected,
    int with_any);

struct vpn_prefix {
	int	 family;
	uint8_t	 addr[16];
	int	 len;
};

/* Parses "a.b.c.d/n" or "x::/n" (host bits may be set; they are ignored
   by the overlap test).  0 or -1. */
int	 vpn_prefix_parse(const char *, struct vpn_prefix *);
/* 1 when both are of one family and share an address. */
int	 vpn_prefix_overlap(const struct vpn_prefix *, const struct vpn_prefix *);

/*
 * A Phase 2's local network as a prefix: its network, the subnet of its
 * interface (first address of the mode's family) or 0.0.0.0/0 / ::/0.
 * 0, or -1 with a sentence in err (an interface without such an address).
 */
int	 vpn_phase2_local(const struct db_vpn_phase2 *, const struct vpn_iface *, size_t n,
    char *out, size_t outlen, char *err, size_t errlen);

/* ---------------------------------------------------------------- Apply */

/*
 * Renders engine.json (docs/engine-config.md) from the database, read in
 * one transaction (r->app's; r->now decides which users have expired).  base (borrowed, may be NULL) is the engine.json on
 * disk: its ike_port, natt_port and kernel are kept (they need an engine
 * restart; stack.sh chooses them).  Problems that stop the render are
 * appended to errs as sentences; then *out is NULL and -1 is returned.
 * *out is a new document (holds secrets: wipe when done).
 */
int	 vpn_render(struct web_req *, json_t *base, json_t **out, json_t *errs);
/* json_decref after wiping every string in it (NT hashes, keys, PSK). */
void	 vpn_json_wipe(json_t *);

/* "p1-<id>" / "p2-<id>": the engine names, stable across renames. */
void	 vpn_p1_name(int64_t id, char *out, size_t outlen);
void	 vpn_p2_name(int64_t id, char *out, size_t outlen);
/* What people read in the banner, the audit log and messages: "Phase 1
   '<description>'", or "Phase 1 #<id>" without one. */
const char *vpn_phase_label(int phase, const char *description, int64_t id, char *out,
    size_t outlen);

#endif
