/*
 * config — the engine's running configuration, read from engine.json
 * (format: docs/engine-config.md).  One parser builds a struct ike_config
 * from JSON, checking every value; errors are reported per JSON path
 * ("phase1[0].proposals[1].dh: unknown group 99").  The structure is
 * immutable once loaded: `apply` builds a new one and swaps it in.
 */
#ifndef IKEGW_ENGINE_CONFIG_H
#define IKEGW_ENGINE_CONFIG_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct fw_model;

/* An address prefix, IPv4 or IPv6. */
struct cfg_net {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];	/* network byte order; IPv4 in the first 4 */
	uint8_t		 prefix;
};

/* One IKE or ESP proposal: transform IDs from engine/ike/ike.h. */
struct cfg_proposal {
	uint16_t	 encr;		/* IKE_ENCR_* */
	uint16_t	 encr_bits;	/* 128/192/256; 0 for fixed-size ciphers */
	uint16_t	 integ;		/* IKE_INTEG_*; IKE_INTEG_NONE with AEAD */
	uint16_t	 prf;		/* IKE_PRF_* (IKE proposals only) */
	uint16_t	 dh;		/* IKE_DH_*; for ESP: PFS group or IKE_DH_NONE */
	int		 esn;		/* ESP: offer extended sequence numbers */
};

enum cfg_auth {
	CFG_AUTH_EAP_MSCHAPV2 = 1,	/* server: certificate; client: EAP-MSCHAPv2 */
	CFG_AUTH_CERT,			/* both: certificates */
	CFG_AUTH_PSK,			/* both: pre-shared key */
};

enum cfg_id_type {
	CFG_ID_FQDN = 1,
	CFG_ID_IPV4,
	CFG_ID_IPV6,
	CFG_ID_DN,			/* from the certificate's subject */
	CFG_ID_EMAIL,
	CFG_ID_KEYID,
};

struct cfg_identity {
	enum cfg_id_type type;
	char		*value;		/* text form ("vpn.example.com", "C=US, CN=…") */
};

enum cfg_natt { CFG_NATT_AUTO = 0, CFG_NATT_FORCE };
enum cfg_dup { CFG_DUP_REPLACE = 0, CFG_DUP_KEEP, CFG_DUP_NEVER };

struct cfg_phase2 {
	char		*name;
	struct cfg_net	*local_ts;	/* local networks (0.0.0.0/0 = full tunnel) */
	size_t		 nlocal_ts;
	struct cfg_proposal *proposals;
	size_t		 nproposals;
	uint32_t	 lifetime;	/* seconds (hard = lifetime, soft = 90 %) */
	uint64_t	 life_bytes;	/* 0: none */
	uint64_t	 life_packets;	/* 0: none */
};

struct cfg_pool {
	char		*name;
	struct cfg_net	 v4;		/* family 0 when unset */
	struct cfg_net	 v6;
	struct cfg_net	*dns;		/* DNS servers (prefix = full length) */
	size_t		 ndns;
	char		*domain;	/* INTERNAL_DNS_DOMAIN, or NULL */
	char	       **split_dns;	/* extra domains (RFC 8598) */
	char		*banner;	/* login banner (UNITY_BANNER), or NULL */
	size_t		 nsplit_dns;
	struct cfg_net	*split_include;	/* INTERNAL_IP4/6_SUBNET; empty = full tunnel */
	size_t		 nsplit_include;
};

struct cfg_phase1 {
	char		*name;
	int		 enabled;
	enum cfg_auth	 auth;
	struct cfg_identity local_id;
	struct cfg_proposal *proposals;	/* ordered, our preference first */
	size_t		 nproposals;
	uint32_t	 lifetime;	/* IKE SA hard lifetime, seconds */
	uint32_t	 rekey;		/* soft: rekey after; always set after a
					   load (derived: 90 % of lifetime) */
	uint32_t	 reauth;	/* 0: off (responders should not reauth) */
	enum cfg_natt	 natt;
	int		 mobike;
	uint32_t	 dpd_delay;	/* seconds, 0: off */
	uint32_t	 dpd_max_failures;
	int		 fragmentation;
	uint32_t	 fragment_size;	/* bytes of IKE message per fragment */
	enum cfg_dup	 duplicates;
	char	       **groups;	/* allowed groups; empty = everyone */
	size_t		 ngroups;
	char		*pool;		/* struct cfg_pool name, or NULL */
	struct cfg_phase2 *phase2;
	size_t		 nphase2;
};

struct cfg_user {
	char		*name;		/* EAP identity / IDi value */
	int		 has_nt_hash;
	uint8_t		 nt_hash[16];	/* EAP-MSCHAPv2 */
	char		*psk;		/* per-user PSK, or NULL */
	char	       **groups;
	size_t		 ngroups;
	char	       **cert_ids;	/* identities allowed in a client certificate
					   (SAN or subject DN text) */
	size_t		 ncert_ids;
};

struct cfg_ca {
	char		*name;
	char		*cert_pem;
	char		*crl_pem;	/* or NULL */
};

struct ike_config {
	json_t		*json;		/* the document it came from (for apply diffs) */
	char		*path;

	/* daemon */
	struct cfg_net	*listen;	/* addresses to bind; empty = 0.0.0.0 and :: */
	size_t		 nlisten;
	uint16_t	 ike_port;	/* 500 */
	uint16_t	 natt_port;	/* 4500 */
	char		*control_socket;
	char		*leases_file;
	char		*kernel_backend;	/* "null", "tun", "xfrm", "auto" */
	char		*tun_name;
	int		 legacy_clients;	/* allow modp1024, 3DES, SHA-1 */
	uint32_t	 half_open_cookie;	/* cookies above this many half-open SAs */
	uint32_t	 half_open_per_source;

	/* server identity and trust */
	char		*server_cert_pem;	/* leaf */
	char		*server_chain_pem;	/* intermediates, concatenated, or NULL */
	char		*server_key_pem;
	char		*psk;			/* connection-wide PSK, or NULL */
	struct cfg_ca	*cas;
	size_t		 ncas;

	struct cfg_phase1 *phase1;
	size_t		 nphase1;
	struct cfg_pool	*pools;
	size_t		 npools;
	struct cfg_user	*users;
	size_t		 nusers;

	json_t		*firewall;	/* structured model, rendered by engine/fw/
					   (own reference), or NULL */
	struct fw_model	*fw;		/* the same, parsed and checked, or NULL */

	/* added by config.c */
	size_t		*user_index;	/* indexes into users, sorted by name
					   ignoring ASCII case: ike_config_user()
					   bisects it; NULL when nusers is 0 */
};

/* A load appends at most this many lines to errs; when there are more, the
   last of them says so. */
#define IKE_CONFIG_MAX_ERRORS	100
/* engine.json files larger than this are refused before parsing. */
#define IKE_CONFIG_MAX_FILE	(64u * 1024 * 1024)

/*
 * Loads and checks a configuration.  On success returns 0 and *out (caller
 * frees with ike_config_free).  On failure returns -1, *out is NULL, and one
 * line per problem is appended to errs ("path: message"), at most
 * IKE_CONFIG_MAX_ERRORS lines per load.  errs starts zeroed ({ 0 }) or
 * holds lines of an earlier load; it may be NULL (messages are dropped).
 * Problems with the document as a whole (unreadable file, JSON syntax) use
 * the path "(document)".  Out of memory aborts.
 *
 * load_file reads at most IKE_CONFIG_MAX_FILE bytes, parses with duplicate
 * keys refused, wipes its read buffer, and sets cfg->path.  load_json takes
 * a reference to doc (kept in cfg->json; the caller keeps its own).
 */
struct ike_config_errors {
	char		**v;
	size_t		 n;
};

int	 ike_config_load_file(const char *path, struct ike_config **out,
    struct ike_config_errors *errs);
int	 ike_config_load_json(json_t *doc, struct ike_config **out,
    struct ike_config_errors *errs);
/* NULL-safe.  Wipes the secrets (NT hashes, PSKs, the private key PEM) and,
   when cfg->json is its last reference, the same strings in the document. */
void	 ike_config_free(struct ike_config *);
/* Frees the lines and zeroes errs; NULL-safe. */
void	 ike_config_errors_free(struct ike_config_errors *);

/* Lookups (borrowed; NULL when absent).  User names compare ignoring ASCII
   case (they are unique that way); pool names exactly. */
const struct cfg_user	*ike_config_user(const struct ike_config *, const char *name);
const struct cfg_pool	*ike_config_pool(const struct ike_config *, const char *name);
/* 1 when the user is in one of the phase 1's groups (or it has none). */
int	 ike_config_user_allowed(const struct cfg_phase1 *, const struct cfg_user *);
/* Textual prefix ("10.0.0.0/24"); "" for family 0; truncated to len
   (INET6_ADDRSTRLEN + 4 always suffices). */
void	 cfg_net_str(const struct cfg_net *, char *out, size_t len);
/* A JSON array of cfg_net_str() texts (status output); caller owns it. */
json_t	*cfg_nets_json(const struct cfg_net *, size_t cnt);
/* 1 when addr (family, 4 or 16 bytes) lies inside net. */
int	 cfg_net_contains(const struct cfg_net *, int family, const uint8_t *addr);

#endif
