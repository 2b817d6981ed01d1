/*
 * fw — the gateway's firewall from one structured model (the "firewall"
 * object of engine.json, never text from a browser), rendered to an
 * nftables ruleset (applied here with libnftables, in one transaction, in
 * a table of our own: inet ikegw) and to a pf.conf fragment for
 * FreeBSD-based gateways.  Both renderings are deterministic so they can be
 * diffed; user text (descriptions) is reduced to a safe alphabet so it can
 * never leave a comment or a string.
 *
 * Semantics (pfSense's): rules are evaluated per interface tab in order,
 * first match wins.  WAN and IPsec end in "block"; LAN ends in "pass".
 * Automatic rules at the top of WAN pass IKE (UDP 500/4500) and ESP to
 * the gateway.  Outbound NAT "automatic" masquerades the VPN pools on WAN.
 * Tunnel traffic is matched on the TUN interface (userspace data plane) or
 * by IPsec policy (meta ipsec exists) with the XFRM backend.
 */
#ifndef IKEGW_FW_H
#define IKEGW_FW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/config.h"

#define FW_MAX_RULES	4096
#define FW_MAX_NETS	64

enum fw_tab { FW_WAN = 0, FW_LAN, FW_IPSEC, FW_NTABS };
enum fw_action { FW_PASS = 0, FW_BLOCK, FW_REJECT };
enum fw_proto { FW_ANY = 0, FW_TCP, FW_UDP, FW_TCPUDP, FW_ICMP, FW_ESP };
enum fw_addr_kind { FW_A_ANY = 0, FW_A_ADDRESS, FW_A_NETWORK, FW_A_VPN_POOL, FW_A_LAN_NET,
	FW_A_WAN_ADDRESS };

struct fw_addr {
	enum fw_addr_kind kind;
	struct cfg_net	 net;		/* ADDRESS (full prefix) and NETWORK */
};

struct fw_ports {
	uint16_t	 lo, hi;	/* 0/0: any */
};

struct fw_rule {
	enum fw_action	 action;
	enum fw_proto	 proto;
	struct fw_addr	 src, dst;
	struct fw_ports	 sport, dport;
	int		 log;
	int		 disabled;
	char		 descr[129];	/* already reduced to the safe alphabet */
};

struct fw_nat {
	enum fw_tab	 iface;		/* FW_WAN or FW_LAN */
	struct fw_addr	 src, dst;
	int		 masquerade;
	struct cfg_net	 to;		/* translation address when !masquerade */
	char		 descr[129];
};

struct fw_model {
	int		 enabled;
	char		 ifname[FW_NTABS][16];	/* ipsec "" = match by IPsec policy */
	int		 auto_ipsec;
	struct cfg_net	 lan_net[FW_MAX_NETS];
	size_t		 nlan_net;
	struct cfg_net	 wan_address[FW_MAX_NETS];
	size_t		 nwan_address;
	struct cfg_net	 vpn_pool[FW_MAX_NETS];
	size_t		 nvpn_pool;
	struct fw_rule	*rules[FW_NTABS];
	size_t		 nrules[FW_NTABS];
	int		 nat_mode;		/* 0 off, 1 automatic, 2 manual */
	struct fw_nat	*nat;
	size_t		 nnat;
};

/* Reports one problem at path ("firewall.rules.wan[2].destination_ports"). */
typedef void (*fw_err_fn)(void *arg, const char *path, const char *msg);

/*
 * Builds the model from the "firewall" object.  cfg supplies defaults: the
 * VPN pools (when "vpn_pool" is absent) and the TUN name (for the IPsec
 * interface with the tun backend).  Every problem goes to err; returns 0
 * when there was none, -1 otherwise (*out NULL).
 */
int	 fw_parse(const json_t *fw, const struct ike_config *cfg, struct fw_model **out,
    fw_err_fn err, void *arg);
void	 fw_free(struct fw_model *);

/* Renderings: malloc'ed NUL-terminated text (caller frees), NULL on OOM. */
char	*fw_render_nft(const struct fw_model *);
char	*fw_render_pf(const struct fw_model *);

/*
 * Replaces our table with the rendered ruleset in one nftables transaction
 * (libnftables).  check_only: ask the kernel to validate without applying.
 * On failure nothing changed and err holds nftables' message.  0 or -1.
 */
int	 fw_apply_nft(const char *ruleset, int check_only, char *err, size_t errlen);
/* Removes our table (shutdown with "firewall.keep_on_exit": false). */
int	 fw_remove_nft(char *err, size_t errlen);

#endif
