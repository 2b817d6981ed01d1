/*
 * db — the only place with SQL.  SQLite in WAL mode with foreign keys on and
 * a busy timeout; numbered migrations (db/migrate.c) applied at open and
 * recorded in schema_version; every query a cached prepared statement.
 *
 * Return convention for functions returning int: 0 success, DB_NOTFOUND,
 * DB_EXISTS (a UNIQUE constraint refused the write), or -1 with a message
 * from db_errmsg().  Strings in returned structs are malloc'ed and freed by
 * the matching *_free(); blobs the same.
 */
#ifndef IKEGW_DB_H
#define IKEGW_DB_H

#include <stddef.h>
#include <stdint.h>

#define DB_NOTFOUND	1
#define DB_EXISTS	2

struct db;

/* Opens (creating if needed) and migrates.  NULL with err on failure. */
struct db	*db_open(const char *path, char *err, size_t errlen);
void		 db_close(struct db *);
const char	*db_errmsg(struct db *);
/* Highest applied migration. */
int		 db_schema_version(struct db *);
/* Transactions (BEGIN IMMEDIATE so writers queue on the busy timeout). */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);

/* ------------------------------------------------------------ settings */

/* *value malloc'ed; DB_NOTFOUND when unset. */
int	 db_setting_get(struct db *, const char *key, char **value);
int	 db_setting_set(struct db *, const char *key, const char *value);
/* Integer setting with a default for unset or unparsable values. */
long long db_setting_int(struct db *, const char *key, long long dflt);

/* ------------------------------------------------------------ users */

enum db_role { DB_ROLE_ADMIN = 1, DB_ROLE_VPN = 2 };

struct db_user {
	int64_t		 id;
	char		*name;
	char		*full_name;
	enum db_role	 role;
	int		 disabled;
	char		*expires;	/* "YYYY-MM-DD" or NULL */
	char		*pw_hash;	/* yescrypt, or NULL (no web login) */
	uint8_t		*vpn_secret;	/* sealed NT hash, or NULL */
	size_t		 vpn_secret_len;
	int		 must_change_pw;
	int64_t		 created;
	int64_t		 updated;
};

const char *db_role_name(enum db_role);		/* "admin", "vpn" */
int	 db_role_parse(const char *, enum db_role *);

int	 db_user_get(struct db *, int64_t id, struct db_user *);
int	 db_user_find(struct db *, const char *name, struct db_user *);
/* All users ordered by name; *users malloc'ed array of *n. */
int	 db_user_list(struct db *, struct db_user **users, size_t *n);
/* Inserts u (id, created, updated are set). */
int	 db_user_insert(struct db *, struct db_user *u);
/* Updates name, full_name, role, disabled, expires (not secrets). */
int	 db_user_update(struct db *, const struct db_user *u);
int	 db_user_set_password(struct db *, int64_t id, const char *pw_hash, int must_change);
int	 db_user_set_vpn_secret(struct db *, int64_t id, const uint8_t *, size_t);
int	 db_user_delete(struct db *, int64_t id);
/* Enabled admins with a password, excluding `except` (0 for none). */
int	 db_user_count_admins(struct db *, int64_t except, long long *count);
void	 db_user_free(struct db_user *);
void	 db_user_list_free(struct db_user *, size_t);

/* ------------------------------------------------------------ groups */

struct db_group {
	int64_t	 id;
	char	*name;
	char	*description;
	long long members;	/* filled by list */
};

int	 db_group_get(struct db *, int64_t id, struct db_group *);
int	 db_group_list(struct db *, struct db_group **, size_t *);
int	 db_group_insert(struct db *, struct db_group *);
int	 db_group_update(struct db *, const struct db_group *);
int	 db_group_delete(struct db *, int64_t id);
/* Group ids of a user (*ids malloc'ed). */
int	 db_user_groups(struct db *, int64_t user_id, int64_t **ids, size_t *n);
/* Replaces a user's memberships with ids[0..n). */
int	 db_user_set_groups(struct db *, int64_t user_id, const int64_t *ids, size_t n);
void	 db_group_free(struct db_group *);
void	 db_group_list_free(struct db_group *, size_t);

/* ------------------------------------------------------------ sessions */

struct db_session {
	int64_t	 id;
	int64_t	 user_id;
	char	*csrf;
	int64_t	 created;
	int64_t	 last_seen;
	char	*remote_addr;
};

/* token_hash: hex SHA-256 of the cookie value (the token itself is never stored). */
int	 db_session_create(struct db *, const char *token_hash, int64_t user_id,
    const char *csrf, int64_t now, const char *remote_addr, const char *user_agent);
int	 db_session_find(struct db *, const char *token_hash, struct db_session *);
int	 db_session_touch(struct db *, int64_t id, int64_t now);
int	 db_session_delete(struct db *, int64_t id);
/* Deletes every session of a user except `keep` (0: all). */
int	 db_session_delete_user(struct db *, int64_t user_id, int64_t keep);
/* Deletes sessions idle since before `cutoff`. */
int	 db_session_expire(struct db *, int64_t cutoff);
void	 db_session_free(struct db_session *);

/* ------------------------------------------------------------ login throttling */

/* Failures and lock for key ("addr:192.0.2.1", "user:alice"); zeros when unknown. */
int	 db_throttle_get(struct db *, const char *key, long long *failures,
    int64_t *locked_until);
int	 db_throttle_set(struct db *, const char *key, long long failures,
    int64_t now, int64_t locked_until);
int	 db_throttle_clear(struct db *, const char *key);

/* ------------------------------------------------------------ API tokens */

struct db_token {
	int64_t	 id;
	int64_t	 user_id;
	char	*user_name;	/* filled by list and find */
	char	*name;
	char	*prefix;	/* first characters, shown to identify a token */
	int64_t	 created;
	int64_t	 last_used;	/* 0: never */
	int	 revoked;
};

int	 db_token_create(struct db *, int64_t user_id, const char *name,
    const char *token_hash, const char *prefix, int64_t now, int64_t *id);
/* Finds an unrevoked token by hash. */
int	 db_token_find(struct db *, const char *token_hash, struct db_token *);
int	 db_token_list(struct db *, struct db_token **, size_t *);
int	 db_token_revoke(struct db *, int64_t id);
int	 db_token_touch(struct db *, int64_t id, int64_t now);
void	 db_token_free(struct db_token *);
void	 db_token_list_free(struct db_token *, size_t);

/* ------------------------------------------------------------ audit log */

struct db_audit {
	int64_t	 id;
	int64_t	 ts;
	char	*actor;
	char	*remote_addr;
	char	*action;	/* "user.create", "login.failure", ... */
	char	*object;
	char	*detail;
};

int	 db_audit_add(struct db *, int64_t ts, const char *actor, const char *remote_addr,
    const char *action, const char *object, const char *detail);
/* Newest first; entries with id < before (0: from the newest), at most limit. */
int	 db_audit_list(struct db *, int64_t before, int limit, struct db_audit **, size_t *);
void	 db_audit_list_free(struct db_audit *, size_t);

/* ------------------------------------------------------------ certificate manager
 *
 * CAs (db/ca.c), certificates and CSRs waiting for their certificate
 * (db/cert.c), revocations, CRL state and imported CRLs (db/ca.c).
 * Private keys are stored only sealed by the caller (pki_seal with the row
 * id in the aad), so inserts never take a key: insert, then *_set_key with
 * the blob sealed for the new id, in one transaction.
 */

enum db_ca_origin { DB_CA_INTERNAL = 1, DB_CA_INTERMEDIATE = 2, DB_CA_IMPORTED = 3 };

struct db_ca {
	int64_t		 id;
	char		*name;		/* descriptive name */
	enum db_ca_origin origin;
	int64_t		 parent_id;	/* issuing CA here (intermediates), else 0 */
	char		*subject;	/* RFC 4514 */
	char		*serial;	/* hex */
	char		*key_type;	/* "RSA 4096" */
	int64_t		 not_before;
	int64_t		 not_after;
	char		*cert_pem;
	uint8_t		*key_sealed;	/* NULL: no private key (get only) */
	size_t		 key_sealed_len;
	int		 has_key;
	char		*warnings;	/* from issuing/importing, lines; "" none */
	int64_t		 created;
	int64_t		 updated;
	long long	 issued;	/* certificates + CAs it signed (list, get) */
};

const char *db_ca_origin_name(enum db_ca_origin);	/* "internal", ... */
int	 db_ca_get(struct db *, int64_t id, struct db_ca *);
/* All CAs ordered by name, without key blobs (has_key is set). */
int	 db_ca_list(struct db *, struct db_ca **, size_t *);
/* CAs signed by parent_id (without key blobs). */
int	 db_ca_children(struct db *, int64_t parent_id, struct db_ca **, size_t *);
/* Inserts c (sets id, created, updated) and its CRL state row; key_sealed
   is ignored.  DB_EXISTS when (parent_id, serial) is taken. */
int	 db_ca_insert(struct db *, struct db_ca *c);
int	 db_ca_set_key(struct db *, int64_t id, const uint8_t *blob, size_t len);
int	 db_ca_rename(struct db *, int64_t id, const char *name);
/* DB_EXISTS when the CA still has certificates or CAs it signed. */
int	 db_ca_delete(struct db *, int64_t id);
/* 1 when serial is taken among what ca_id signed (certificates and CAs),
   0 when free, -1 on error. */
int	 db_serial_used(struct db *, int64_t ca_id, const char *serial);
void	 db_ca_free(struct db_ca *);
void	 db_ca_list_free(struct db_ca *, size_t);

enum db_cert_origin {
	DB_CERT_INTERNAL = 1,	/* key and certificate made here */
	DB_CERT_IMPORTED = 2,	/* certificate (and key) uploaded */
	DB_CERT_CSR = 3,	/* key and CSR made here, signed by an outside CA */
	DB_CERT_SIGNED = 4,	/* an uploaded CSR signed by a CA here (no key) */
};
enum db_cert_type { DB_CERT_SERVER = 1, DB_CERT_USER = 2 };

struct db_cert {
	int64_t		 id;
	char		*name;
	enum db_cert_origin origin;
	enum db_cert_type type;
	int64_t		 ca_id;		/* issuing CA here, else 0 */
	char		*ca_name;	/* its name (get, list), or NULL */
	int		 pending;	/* CSR waiting for its certificate */
	char		*subject;
	char		*serial;	/* NULL while pending */
	char		*key_type;
	int64_t		 not_before;
	int64_t		 not_after;
	char		*cert_pem;	/* NULL while pending */
	char		*chain_pem;	/* get only */
	char		*csr_pem;	/* get only */
	uint8_t		*key_sealed;	/* get only */
	size_t		 key_sealed_len;
	int		 has_key;
	char		*warnings;
	int64_t		 created;
	int64_t		 updated;
	int		 revoked;	/* listed in revocations (get, list) */
};

const char *db_cert_origin_name(enum db_cert_origin);	/* "internal", ... */
const char *db_cert_type_name(enum db_cert_type);	/* "server", "user" */
int	 db_cert_get(struct db *, int64_t id, struct db_cert *);
/* All certificates by name (ca_id 0), or those ca_id issued; without
   chain, CSR or key blob. */
int	 db_cert_list(struct db *, int64_t ca_id, struct db_cert **, size_t *);
/* Inserts c (sets id, created, updated); DB_EXISTS when (ca_id, serial) is
   taken.  key_sealed is ignored. */
int	 db_cert_insert(struct db *, struct db_cert *c);
int	 db_cert_set_key(struct db *, int64_t id, const uint8_t *blob, size_t len);
/* Stores a new certificate for row c->id (renewal, or the signed
   certificate of a pending CSR): ca_id, subject, serial, key_type, dates,
   cert_pem, chain_pem, warnings; clears pending.  DB_EXISTS on a taken
   serial. */
int	 db_cert_set_issued(struct db *, const struct db_cert *c);
int	 db_cert_rename(struct db *, int64_t id, const char *name);
int	 db_cert_delete(struct db *, int64_t id);
void	 db_cert_free(struct db_cert *);
void	 db_cert_list_free(struct db_cert *, size_t);

/* One revoked serial of a CA here. */
struct db_revoked {
	int64_t	 id;
	int64_t	 ca_id;
	char	*serial;
	int64_t	 cert_id;	/* 0 when not (or no longer) stored here */
	char	*name;		/* what it was called when revoked */
	int	 reason;	/* enum pki_crl_reason */
	int64_t	 revoked_at;
};

/* DB_EXISTS when the serial is already revoked. */
int	 db_revoked_add(struct db *, struct db_revoked *);
int	 db_revoked_get(struct db *, int64_t id, struct db_revoked *);
/* A CA's revocations, newest first. */
int	 db_revoked_list(struct db *, int64_t ca_id, struct db_revoked **, size_t *);
int	 db_revoked_delete(struct db *, int64_t id);
void	 db_revoked_free(struct db_revoked *);
void	 db_revoked_list_free(struct db_revoked *, size_t);

/* The CRL a CA here publishes. */
struct db_crl_state {
	int64_t		 ca_id;
	long long	 number;	/* of the last CRL made; 0 none yet */
	int		 next_days;	/* nextUpdate = thisUpdate + next_days */
	char		*dist_url;	/* written into newly issued certificates; "" none */
	char		*crl_pem;	/* the last CRL, or NULL */
	int64_t		 updated;	/* when it was made */
};

int	 db_crl_state_get(struct db *, int64_t ca_id, struct db_crl_state *);
int	 db_crl_state_settings(struct db *, int64_t ca_id, int next_days,
    const char *dist_url);
/* Stores a new CRL with its number (which must be higher than the last). */
int	 db_crl_state_store(struct db *, int64_t ca_id, long long number,
    const char *crl_pem, int64_t now);
void	 db_crl_state_free(struct db_crl_state *);

/* A CRL imported for a CA (one per CA; a new import replaces it). */
struct db_crl_import {
	int64_t		 ca_id;
	char		*url;		/* where it was fetched, "" for an upload */
	char		*crl_pem;
	char		*number;	/* hex, "" when absent */
	long long	 entries;
	int64_t		 last_update;
	int64_t		 next_update;
	int64_t		 fetched;
};

int	 db_crl_import_get(struct db *, int64_t ca_id, struct db_crl_import *);
int	 db_crl_import_set(struct db *, const struct db_crl_import *);
int	 db_crl_import_delete(struct db *, int64_t ca_id);
void	 db_crl_import_free(struct db_crl_import *);

/* ------------------------------------------------------------ VPN (db/vpn.c)
 *
 * VPN > IPsec: the Mobile Clients settings (one row; defaults when never
 * saved), Phase 1 entries with their IKE proposals in order, Phase 2
 * entries with their ESP proposals in order, and the list of what changed
 * since the last successful Apply ("pending").  Algorithm names are the
 * engine's (docs/engine-config.md); the web app checks them.
 */

struct db_vpn_mobile {
	int		 enabled;
	char		*auth_source;	/* "local" */
	int64_t		 group_id;	/* 0: everyone */
	char		*pool4;		/* prefix or "" */
	char		*pool6;
	int		 split_tunnel;	/* push the Phase 2 networks */
	char		*dns_domain;
	char		*split_dns;	/* domains, space separated */
	char		*dns;		/* addresses, space separated */
	char		*banner;
	char		*pfs_group;	/* "" none (each Phase 2's own), else a dh name */
	int64_t		 updated;	/* 0: never saved */
};

int	 db_vpn_mobile_get(struct db *, struct db_vpn_mobile *);
int	 db_vpn_mobile_set(struct db *, const struct db_vpn_mobile *);
void	 db_vpn_mobile_free(struct db_vpn_mobile *);

/* One proposal row.  Phase 2 rows leave prf and dh NULL. */
struct db_vpn_proposal {
	char		*encryption;
	int		 key_length;	/* 0: none (fixed-size ciphers) */
	char		*integrity;	/* "" with AEAD ciphers */
	char		*prf;
	char		*dh;
};

struct db_vpn_phase1 {
	int64_t		 id;
	int		 enabled;
	int		 mobile;
	char		*family;	/* "ipv4", "ipv6", "both" */
	char		*iface;		/* interface name or "any" */
	char		*description;
	char		*auth;		/* "eap-mschapv2", "certificate", "psk" */
	uint8_t		*psk_sealed;	/* NULL: none */
	size_t		 psk_sealed_len;
	char		*my_id_type;	/* "fqdn", "ipv4", "ipv6", "dn" */
	char		*my_id;		/* "" for dn: the certificate's subject */
	int64_t		 cert_id;	/* 0: none */
	int64_t		 ca_id;
	int		 legacy;
	long long	 lifetime, rekey, reauth;
	char		*nat_traversal;	/* "auto", "force" */
	int		 mobike;
	long long	 dpd_delay, dpd_max_failures;
	int		 fragmentation;
	struct db_vpn_proposal *props;
	size_t		 nprops;
	int64_t		 created, updated;
};

/* Every Phase 1 by id, with proposals and sealed PSK. */
int	 db_vpn_phase1_list(struct db *, struct db_vpn_phase1 **, size_t *);
int	 db_vpn_phase1_get(struct db *, int64_t id, struct db_vpn_phase1 *);
/* Insert (sets id, created, updated) / update, each with its proposals
   (replaced); psk_sealed is ignored: use db_vpn_phase1_set_psk. */
int	 db_vpn_phase1_insert(struct db *, struct db_vpn_phase1 *);
int	 db_vpn_phase1_update(struct db *, const struct db_vpn_phase1 *);
int	 db_vpn_phase1_set_psk(struct db *, int64_t id, const uint8_t *, size_t);
int	 db_vpn_phase1_delete(struct db *, int64_t id);
void	 db_vpn_phase1_free(struct db_vpn_phase1 *);
void	 db_vpn_phase1_list_free(struct db_vpn_phase1 *, size_t);

struct db_vpn_phase2 {
	int64_t		 id;
	int64_t		 phase1_id;
	int		 enabled;
	char		*mode;		/* "tunnel4", "tunnel6" */
	char		*local_type;	/* "interface", "network", "full" */
	char		*local_value;	/* interface name or prefix; "" for full */
	char		*description;
	char		*pfs;		/* dh name or "none" */
	long long	 lifetime;
	struct db_vpn_proposal *props;
	size_t		 nprops;
	int64_t		 created, updated;
};

/* Phase 2s of phase1_id (0: all) by id, with proposals. */
int	 db_vpn_phase2_list(struct db *, int64_t phase1_id, struct db_vpn_phase2 **, size_t *);
int	 db_vpn_phase2_get(struct db *, int64_t id, struct db_vpn_phase2 *);
int	 db_vpn_phase2_insert(struct db *, struct db_vpn_phase2 *);
int	 db_vpn_phase2_update(struct db *, const struct db_vpn_phase2 *);
int	 db_vpn_phase2_delete(struct db *, int64_t id);
void	 db_vpn_phase2_free(struct db_vpn_phase2 *);
void	 db_vpn_phase2_list_free(struct db_vpn_phase2 *, size_t);

/* What Apply renders for users: every enabled user not expired on `today`
   (YYYY-MM-DD), by id, with the sealed NT hash (or none) and its group
   names joined by newlines ("" none). */
struct db_vpn_user {
	int64_t		 id;
	char		*name;
	uint8_t		*vpn_secret;
	size_t		 vpn_secret_len;
	char		*groups;
};

int	 db_vpn_users(struct db *, const char *today, struct db_vpn_user **, size_t *);
void	 db_vpn_users_free(struct db_vpn_user *, size_t);

/* Pending changes: one line each, kept once (a repeat is ignored). */
int	 db_vpn_pending_add(struct db *, int64_t now, const char *what);
/* In order; *max_id is the newest id (0 when none), for db_vpn_pending_clear. */
int	 db_vpn_pending_list(struct db *, char ***items, size_t *n, int64_t *max_id);
/* Forgets the changes up to max_id (what an Apply just put in place). */
int	 db_vpn_pending_clear(struct db *, int64_t max_id);
void	 db_vpn_pending_free(char **, size_t);

/* ------------------------------------------------------------ firewall (db/fw.c)
 *
 * Firewall > Rules and NAT: the interface assignment and settings (one
 * row; defaults when never saved: nothing assigned, automatic IPsec rules
 * on, automatic outbound NAT), the filter rules of each tab ("wan", "lan",
 * "ipsec") in order, and the manual outbound NAT rules in order.
 * Positions are 0, 1, ... within a tab; insert appends, delete and moves
 * keep them dense.  Callers wrap changes in db_begin/db_commit.  Values are
 * the engine's names; the web app checks them (docs/engine-config.md).
 */

struct db_fw_settings {
	char		*wan_if;	/* interface name, "" = not assigned */
	char		*lan_if;
	int		 auto_ipsec;	/* pass IKE and ESP on WAN */
	char		*nat_mode;	/* "automatic", "manual", "off" */
	int64_t		 updated;	/* 0: never saved */
};

int	 db_fw_settings_get(struct db *, struct db_fw_settings *);
int	 db_fw_settings_set(struct db *, const struct db_fw_settings *);
void	 db_fw_settings_free(struct db_fw_settings *);

struct db_fw_rule {
	int64_t		 id;
	char		*tab;		/* "wan", "lan", "ipsec" */
	int		 position;	/* 0-based within the tab */
	char		*action;	/* "pass", "block", "reject" */
	char		*protocol;	/* "any", "tcp", "udp", "tcp/udp", "icmp", "esp" */
	char		*src_type;	/* "any", "address", "network", "vpn_pool", "lan_net",
					   "wan_address" */
	char		*src_value;	/* address or prefix; "" for the others */
	char		*src_ports;	/* "", "443", "1024-65535" */
	char		*dst_type;
	char		*dst_value;
	char		*dst_ports;
	int		 log;
	int		 disabled;
	char		*description;
	int64_t		 created, updated;
};

/* The rules of tab (NULL: every tab, grouped by tab) in order. */
int	 db_fw_rule_list(struct db *, const char *tab, struct db_fw_rule **, size_t *);
int	 db_fw_rule_get(struct db *, int64_t id, struct db_fw_rule *);
/* Appends to the end of r->tab; sets id, position, created, updated. */
int	 db_fw_rule_insert(struct db *, struct db_fw_rule *);
/* Updates every field but position; a rule moved to another tab goes to
   its end (and the old tab closes the gap). */
int	 db_fw_rule_update(struct db *, const struct db_fw_rule *);
int	 db_fw_rule_delete(struct db *, int64_t id);
/* Moves a rule to position (clamped to the tab), shifting the rules in
   between; *moved_to receives where it went (may be NULL). */
int	 db_fw_rule_move(struct db *, int64_t id, long long position, int *moved_to);
void	 db_fw_rule_free(struct db_fw_rule *);
void	 db_fw_rule_list_free(struct db_fw_rule *, size_t);

struct db_fw_nat {
	int64_t		 id;
	int		 position;
	char		*iface;		/* "wan", "lan" */
	char		*src_type;	/* as in db_fw_rule */
	char		*src_value;
	char		*dst_type;
	char		*dst_value;
	char		*translation;	/* "masquerade" or an address */
	int		 disabled;
	char		*description;
	int64_t		 created, updated;
};

int	 db_fw_nat_list(struct db *, struct db_fw_nat **, size_t *);
int	 db_fw_nat_get(struct db *, int64_t id, struct db_fw_nat *);
int	 db_fw_nat_insert(struct db *, struct db_fw_nat *);
int	 db_fw_nat_update(struct db *, const struct db_fw_nat *);
int	 db_fw_nat_delete(struct db *, int64_t id);
void	 db_fw_nat_free(struct db_fw_nat *);
void	 db_fw_nat_list_free(struct db_fw_nat *, size_t);

#endif
