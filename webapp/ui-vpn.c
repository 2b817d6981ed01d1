/*
 * ui-vpn — VPN > IPsec > Mobile Clients and Tunnels (Phase 1, Phase 2), and
 * their JSON API under /api/v1/vpn/.
 *
 * Every save is checked completely (field messages, nothing stored on any
 * problem), recorded as a pending change for the Apply banner, and audited.
 * Nothing here talks to the engine: Apply (ui-apply.c) does.
 *
 * Phase 1 proposal rows are plain fields prop<N>_enc/_keylen/_integ/_prf/_dh
 * (N = 0..7, in order), in forms and in the API alike; the page always
 * offers one empty row, and Remove / Up / Down are submit buttons (op), so
 * the page works without script.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "certmgr.h"
#include "vpn.h"

static const char *const auth_source_choices[] = { "local", NULL };
static const char *const family_choices[] = { "ipv4", "ipv6", "both", NULL };
static const char *const auth_choices[] = { "eap-mschapv2", "certificate", "psk", NULL };
static const char *const id_type_choices[] = { "fqdn", "ipv4", "ipv6", "dn", NULL };
static const char *const peer_id_choices[] = { "any", NULL };
static const char *const natt_choices[] = { "auto", "force", NULL };
static const char *const mode_choices[] = { "tunnel4", "tunnel6", NULL };
static const char *const local_type_choices[] = { "network", "interface", "full", NULL };
static const char *const proto_choices[] = { "esp", NULL };
/* Same order and names as vpn_dhs / vpn_integs / vpn_esp_encrs. */
static const char *const dh_choices[] = {
	"modp2048", "modp3072", "modp4096", "modp6144", "modp8192", "ecp256", "ecp384", "ecp521",
	"curve25519", "curve448", "modp1536", "modp1024", NULL,
};
static const char *const pfs_choices[] = {
	"none", "modp2048", "modp3072", "modp4096", "modp6144", "modp8192", "ecp256", "ecp384",
	"ecp521", "curve25519", "curve448", "modp1536", "modp1024", NULL,
};
static const char *const integ_choices[] = {
	"hmac-sha2-256-128", "hmac-sha2-384-192", "hmac-sha2-512-256", "hmac-sha1-96", NULL,
};
static const char *const esp_encr_choices[] = {
	"aes-gcm-16-256", "aes-gcm-16-128", "aes-gcm-16-192", "aes-cbc-256", "aes-cbc-128",
	"aes-cbc-192", "chacha20-poly1305", "3des", NULL,
};

/* ---------------------------------------------------------------- shared */

/* The interfaces, fetched once per request when needed. */
struct ifs {
	struct vpn_iface *v;
	size_t		 n;
};

static void
ifs_load(struct ifs *i)
{
	if (vpn_ifaces(&i->v, &i->n) == -1) {
		i->v = NULL;
		i->n = 0;
	}
}

static const char *
dh_label(const char *name)
{
	const struct vpn_alg *a = vpn_alg_find(vpn_dhs, name);

	return a ? a->label : strcmp(name, "none") == 0 ? "off (no PFS)" : name;
}

/* pfs/dh <option>s with labels; first_value/first_label lead when set. */
static json_t *
dh_options(const char *const *values, const char *selected, const char *first_label)
{
	json_t *out = json_array();
	size_t i;

	if (first_label)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "value", "", "label",
		    first_label, "selected", selected == NULL || *selected == '\0'));
	for (i = 0; values[i]; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:b}", "value", values[i],
		    "label", dh_label(values[i]), "selected",
		    selected && strcmp(selected, values[i]) == 0, "legacy",
		    strcmp(values[i], "modp1024") == 0));
	return out;
}

/* Adds a stored value for an API field the client did not send. */
static void
api_default(struct web_params *in, const char *name, const char *value)
{
	if (web_param_find(in, name) == NULL && value)
		web_param_add(in, name, value, strlen(value), NULL);
}

static void
api_defaults_from(struct web_params *in, const struct form *base, const struct form_field *fields,
    size_t n, const char *skip_prefix)
{
	json_t *v;
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (fields[i].type == FORM_PASSWORD || web_param_find(in, fields[i].name))
			continue;
		if (skip_prefix && strncmp(fields[i].name, skip_prefix, strlen(skip_prefix)) == 0)
			continue;
		v = json_object_get(base->values, fields[i].name);
		if (json_is_string(v))
			api_default(in, fields[i].name, json_string_value(v));
		else if (json_is_array(v))
			for (k = 0; k < json_array_size(v); k++)
				web_param_add(in, fields[i].name, json_string_value(json_array_get(v, k)),
				    strlen(json_string_value(json_array_get(v, k))), NULL);
	}
}

static void
set_int(struct form *f, const char *name, long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", v);
	form_set(f, name, s);
}

/* Every Phase 2 network that is configured (for overlap checks); pairs of
   (phase2 id, prefix). */
struct netlist {
	int64_t		*ids;
	int64_t		*p1;
	char		(*nets)[64];
	size_t		 n;
};

static void
netlist_load(struct web_req *r, const struct ifs *ifs, struct netlist *nl)
{
	struct db_vpn_phase2 *p2 = NULL;
	size_t n = 0, i;
	char err[128];

	memset(nl, 0, sizeof(*nl));
	if (db_vpn_phase2_list(r->app->db, 0, &p2, &n) != 0 || n == 0) {
		db_vpn_phase2_list_free(p2, n);
		return;
	}
	if ((nl->ids = calloc(n, sizeof(*nl->ids))) == NULL ||
	    (nl->p1 = calloc(n, sizeof(*nl->p1))) == NULL ||
	    (nl->nets = calloc(n, sizeof(*nl->nets))) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		if (vpn_phase2_local(&p2[i], ifs->v, ifs->n, nl->nets[nl->n], sizeof(nl->nets[0]),
		    err, sizeof(err)) == -1)
			continue;
		nl->ids[nl->n] = p2[i].id;
		nl->p1[nl->n] = p2[i].phase1_id;
		nl->n++;
	}
	db_vpn_phase2_list_free(p2, n);
}

static void
netlist_free(struct netlist *nl)
{
	free(nl->ids);
	free(nl->p1);
	free(nl->nets);
}

static int
is_default_route(const struct vpn_prefix *p)
{
	return p->len == 0;
}

/* ---------------------------------------------------------------- Mobile Clients */

static const struct form_field mobile_fields[] = {
	{ .name = "enabled", .label = "Enable", .type = FORM_BOOL },
	{ .name = "auth_source", .label = "User authentication", .type = FORM_ENUM,
	  .flags = FORM_REQUIRED, .choices = auth_source_choices },
	{ .name = "group", .label = "Group", .type = FORM_INT, .min = 1, .max = INT64_MAX },
	{ .name = "pool4", .label = "Virtual address pool (IPv4)", .type = FORM_CIDR4 },
	{ .name = "pool6", .label = "Virtual address pool (IPv6)", .type = FORM_CIDR6 },
	{ .name = "split_tunnel", .label = "Network list", .type = FORM_BOOL },
	{ .name = "dns_domain", .label = "DNS default domain", .type = FORM_HOSTNAME },
	{ .name = "split_dns", .label = "Split DNS", .type = FORM_HOSTNAME,
	  .flags = FORM_MULTI | FORM_LINES, .max = 32 },
	{ .name = "dns", .label = "DNS servers", .type = FORM_IP, .flags = FORM_MULTI, .max = 4 },
	{ .name = "banner", .label = "Login banner", .type = FORM_TEXT, .flags = FORM_MULTILINE,
	  .max = 1024 },
	{ .name = "pfs_group", .label = "PFS group", .type = FORM_ENUM, .choices = pfs_choices },
};

static int
mobile_phase1_exists(struct web_req *r)
{
	struct db_vpn_phase1 *p = NULL;
	size_t n = 0, i;
	int found = 0;

	if (db_vpn_phase1_list(r->app->db, &p, &n) == 0)
		for (i = 0; i < n; i++)
			found |= p[i].mobile;
	db_vpn_phase1_list_free(p, n);
	return found;
}

static void
mobile_to_form(struct form *f, const struct db_vpn_mobile *m)
{
	char *dup, *tok, *save = NULL;

	form_set(f, "enabled", m->enabled ? "1" : "0");
	form_set(f, "auth_source", m->auth_source);
	if (m->group_id)
		set_int(f, "group", m->group_id);
	form_set(f, "pool4", m->pool4);
	form_set(f, "pool6", m->pool6);
	form_set(f, "split_tunnel", m->split_tunnel ? "1" : "0");
	form_set(f, "dns_domain", m->dns_domain);
	if (*m->split_dns)
		form_set(f, "split_dns", m->split_dns);
	if ((dup = strdup(m->dns)) == NULL)
		abort();
	for (tok = strtok_r(dup, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		form_set(f, "dns", tok);
	free(dup);
	form_set(f, "banner", m->banner);
	form_set(f, "pfs_group", m->pfs_group);
}

static json_t *
mobile_json(struct web_req *r, const struct db_vpn_mobile *m)
{
	json_t *dns = json_array(), *sd = json_array();
	char *dup, *tok, *save = NULL;

	if ((dup = strdup(m->dns)) == NULL)
		abort();
	for (tok = strtok_r(dup, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		json_array_append_new(dns, json_string(tok));
	free(dup);
	if ((dup = strdup(m->split_dns)) == NULL)
		abort();
	for (tok = strtok_r(dup, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		json_array_append_new(sd, json_string(tok));
	free(dup);
	return json_pack("{s:b, s:s, s:I, s:s, s:s, s:b, s:s, s:o, s:o, s:s, s:s, s:b}",
	    "enabled", m->enabled, "auth_source", m->auth_source, "group", (json_int_t)m->group_id,
	    "pool4", m->pool4, "pool6", m->pool6, "split_tunnel", m->split_tunnel,
	    "dns_domain", m->dns_domain, "split_dns", sd, "dns", dns, "banner", m->banner,
	    "pfs_group", m->pfs_group, "phase1_missing", m->enabled && !mobile_phase1_exists(r));
}

static json_t *
mobile_ctx(struct web_req *r, const struct form *f)
{
	struct db_group *groups = NULL;
	size_t ng = 0, i, k;
	json_t *ctx = web_ctx(r), *gl = json_array(), *dns = json_array();
	const char *g = form_str(f, "group"), *v;
	json_t *entered = json_object_get(f->entered, "dns");

	if (*g == '\0')
		g = json_string_value(json_object_get(f->entered, "group"));
	if (db_group_list(r->app->db, &groups, &ng) == 0)
		for (i = 0; i < ng; i++)
			json_array_append_new(gl, json_pack("{s:I, s:s, s:b}", "value",
			    (json_int_t)groups[i].id, "label", groups[i].name, "selected",
			    g && strtoll(g, NULL, 10) == groups[i].id));
	db_group_list_free(groups, ng);
	/* Four DNS server boxes, filled with what was entered or stored. */
	for (k = 0; k < 4; k++) {
		v = json_string_value(json_array_get(entered, k));
		json_array_append_new(dns, json_pack("{s:s, s:I}", "value", v ? v : "", "n",
		    (json_int_t)k + 1));
	}
	json_object_set_new(ctx, "form", form_context(f));
	json_object_set_new(ctx, "groups", gl);
	json_object_set_new(ctx, "dns_boxes", dns);
	json_object_set_new(ctx, "pfs_options", dh_options(dh_choices, form_str(f, "pfs_group"),
	    "Off (each Phase 2 uses its own)"));
	return ctx;
}

static void
mobile_page(struct web_req *r, int status, struct form *f)
{
	json_t *ctx = mobile_ctx(r, f);

	if (form_bool(f, "enabled") && !mobile_phase1_exists(r))
		json_object_set_new(ctx, "phase1_missing", json_true());
	web_page(r, status, "VPN / IPsec / Mobile Clients", "vpn_mobile", ctx);
}

static void
mobile_get(struct web_req *r)
{
	struct db_vpn_mobile m;
	struct form f;

	if (db_vpn_mobile_get(r->app->db, &m) != 0) {
		web_error(r, 500, "The mobile client settings could not be read.");
		return;
	}
	if (r->is_api) {
		web_json(r, 200, mobile_json(r, &m));
		db_vpn_mobile_free(&m);
		return;
	}
	form_init(&f, mobile_fields, NFIELDS(mobile_fields));
	mobile_to_form(&f, &m);
	mobile_page(r, 200, &f);
	form_free(&f);
	db_vpn_mobile_free(&m);
}

/* A pool: its size, and no overlap with the machine's or the Phase 2 networks. */
static void
check_pool(struct web_req *r, struct form *f, const char *field, int family, const struct ifs *ifs,
    const struct netlist *nl)
{
	const char *s = form_str(f, field);
	struct vpn_prefix p, q;
	size_t i;

	if (*s == '\0' || json_object_get(f->errors, field) || vpn_prefix_parse(s, &p) == -1)
		return;
	if (family == AF_INET && (p.len < 8 || p.len > 30)) {
		form_error(f, field, "An IPv4 pool must be between /8 and /30.");
		return;
	}
	if (family == AF_INET6 && (p.len < 64 || p.len > 126)) {
		form_error(f, field, "An IPv6 pool must be between /64 and /126.");
		return;
	}
	for (i = 0; i < ifs->n; i++) {
		if (vpn_prefix_parse(ifs->v[i].net, &q) == 0 && vpn_prefix_overlap(&p, &q)) {
			form_error(f, field, "%s overlaps %s, the network of interface %s. Choose an"
			    " unused range.", s, ifs->v[i].net, ifs->v[i].name);
			return;
		}
	}
	for (i = 0; i < nl->n; i++) {
		if (vpn_prefix_parse(nl->nets[i], &q) == 0 && !is_default_route(&q) &&
		    vpn_prefix_overlap(&p, &q)) {
			form_error(f, field, "%s overlaps %s, a Phase 2 local network.", s,
			    nl->nets[i]);
			return;
		}
	}
	(void)r;
}

static void
mobile_put(struct web_req *r)
{
	struct db_vpn_mobile m, nm;
	struct db_group g;
	struct form f, base;
	struct ifs ifs = { 0 };
	struct netlist nl;
	struct buf dns = { 0 }, sd = { 0 };
	size_t i;

	if (db_vpn_mobile_get(r->app->db, &m) != 0) {
		web_error(r, 500, "The mobile client settings could not be read.");
		return;
	}
	if (r->is_api) {
		form_init(&base, mobile_fields, NFIELDS(mobile_fields));
		mobile_to_form(&base, &m);
		api_defaults_from(&r->form, &base, mobile_fields, NFIELDS(mobile_fields), NULL);
		form_free(&base);
	}
	form_validate(&f, mobile_fields, NFIELDS(mobile_fields), &r->form);
	ifs_load(&ifs);
	netlist_load(r, &ifs, &nl);
	check_pool(r, &f, "pool4", AF_INET, &ifs, &nl);
	check_pool(r, &f, "pool6", AF_INET6, &ifs, &nl);
	if (form_int(&f, "group")) {
		if (db_group_get(r->app->db, form_int(&f, "group"), &g) != 0)
			form_error(&f, "group", "This group does not exist.");
		else
			db_group_free(&g);
	}
	if (form_bool(&f, "enabled") && !*form_str(&f, "pool4") && !*form_str(&f, "pool6") &&
	    !json_object_get(f.errors, "pool4"))
		form_error(&f, "pool4", "Mobile clients need a virtual address pool (IPv4, IPv6"
		    " or both): clients get their address from it.");
	netlist_free(&nl);
	free(ifs.v);
	if (!form_ok(&f)) {
		if (r->is_api)
			web_form_invalid(r, &f, NULL, NULL, NULL);
		else {
			json_t *ctx = mobile_ctx(r, &f);

			web_form_invalid(r, &f, "VPN / IPsec / Mobile Clients", "vpn_mobile", ctx);
		}
		goto out;
	}
	for (i = 0; i < form_count(&f, "dns"); i++)
		buf_printf(&dns, "%s%s", i ? " " : "", form_item(&f, "dns", i));
	for (i = 0; i < form_count(&f, "split_dns"); i++)
		buf_printf(&sd, "%s%s", i ? " " : "", form_item(&f, "split_dns", i));
	memset(&nm, 0, sizeof(nm));
	nm.enabled = form_bool(&f, "enabled");
	nm.auth_source = (char *)form_str(&f, "auth_source");
	nm.group_id = form_int(&f, "group");
	nm.pool4 = (char *)form_str(&f, "pool4");
	nm.pool6 = (char *)form_str(&f, "pool6");
	nm.split_tunnel = form_bool(&f, "split_tunnel");
	nm.dns_domain = (char *)form_str(&f, "dns_domain");
	nm.split_dns = (char *)buf_str(&sd);
	nm.dns = (char *)buf_str(&dns);
	nm.banner = (char *)form_str(&f, "banner");
	nm.pfs_group = (char *)form_str(&f, "pfs_group");
	if (db_begin(r->app->db) != 0 || db_vpn_mobile_set(r->app->db, &nm) != 0) {
		db_rollback(r->app->db);
		web_error(r, 500, "The mobile client settings could not be saved.");
		goto out;
	}
	web_pending(r, "Mobile client settings changed");
	if (db_commit(r->app->db) != 0) {
		db_rollback(r->app->db);
		web_error(r, 500, "The mobile client settings could not be saved.");
		goto out;
	}
	web_audit(r, "vpn.mobile.update", "mobile", "enabled=%d pool4=%s pool6=%s dns=%s",
	    nm.enabled, nm.pool4, nm.pool6, nm.dns);
	if (r->is_api) {
		struct db_vpn_mobile saved;

		if (db_vpn_mobile_get(r->app->db, &saved) == 0) {
			web_json(r, 200, mobile_json(r, &saved));
			db_vpn_mobile_free(&saved);
		} else
			web_error(r, 500, "Saved, but could not be read back.");
	} else
		web_redirect(r, "/vpn/ipsec/mobile?msg=mobile-saved");
out:
	buf_free(&dns);
	buf_free(&sd);
	form_free(&f);
	db_vpn_mobile_free(&m);
}

/* ---------------------------------------------------------------- Phase 1 */

#define PROP_FIELDS(i) \
	{ .name = "prop" #i "_enc", .label = "Encryption", .type = FORM_TEXT, .max = 64 }, \
	{ .name = "prop" #i "_keylen", .label = "Key length", .type = FORM_TEXT, .max = 8 }, \
	{ .name = "prop" #i "_integ", .label = "Hash", .type = FORM_TEXT, .max = 64 }, \
	{ .name = "prop" #i "_prf", .label = "PRF", .type = FORM_TEXT, .max = 64 }, \
	{ .name = "prop" #i "_dh", .label = "DH group", .type = FORM_TEXT, .max = 64 }

static const struct form_field p1_fields[] = {
	{ .name = "disabled", .label = "Disabled", .type = FORM_BOOL },
	{ .name = "family", .label = "Internet protocol", .type = FORM_ENUM,
	  .flags = FORM_REQUIRED, .choices = family_choices },
	{ .name = "interface", .label = "Interface", .type = FORM_TEXT, .flags = FORM_REQUIRED,
	  .max = 15 },
	{ .name = "description", .label = "Description", .type = FORM_TEXT, .max = 128 },
	{ .name = "auth", .label = "Authentication method", .type = FORM_ENUM,
	  .flags = FORM_REQUIRED, .choices = auth_choices },
	{ .name = "psk", .label = "Pre-shared key", .type = FORM_PASSWORD, .max = 1024 },
	{ .name = "my_id_type", .label = "My identifier", .type = FORM_ENUM,
	  .flags = FORM_REQUIRED, .choices = id_type_choices },
	{ .name = "my_id", .label = "My identifier", .type = FORM_TEXT, .max = 255 },
	{ .name = "peer_id", .label = "Peer identifier", .type = FORM_ENUM,
	  .choices = peer_id_choices },
	{ .name = "cert", .label = "My certificate", .type = FORM_INT, .min = 1, .max = INT64_MAX },
	{ .name = "ca", .label = "Peer certificate authority", .type = FORM_INT, .min = 1,
	  .max = INT64_MAX },
	{ .name = "legacy", .label = "Legacy clients", .type = FORM_BOOL },
	{ .name = "lifetime", .label = "Lifetime", .type = FORM_INT, .flags = FORM_REQUIRED,
	  .min = 60, .max = 604800 },
	{ .name = "rekey", .label = "Rekey time", .type = FORM_INT, .min = 30, .max = 604799 },
	{ .name = "reauth", .label = "Reauth time", .type = FORM_INT, .min = 0, .max = 604800 },
	{ .name = "nat_traversal", .label = "NAT traversal", .type = FORM_ENUM,
	  .flags = FORM_REQUIRED, .choices = natt_choices },
	{ .name = "mobike", .label = "MOBIKE", .type = FORM_BOOL },
	{ .name = "dpd_delay", .label = "DPD delay", .type = FORM_INT, .flags = FORM_REQUIRED,
	  .min = 0, .max = 86400 },
	{ .name = "dpd_max_failures", .label = "DPD max failures", .type = FORM_INT,
	  .flags = FORM_REQUIRED, .min = 1, .max = 100 },
	{ .name = "fragmentation", .label = "IKE fragmentation", .type = FORM_BOOL },
	PROP_FIELDS(0), PROP_FIELDS(1), PROP_FIELDS(2), PROP_FIELDS(3),
	PROP_FIELDS(4), PROP_FIELDS(5), PROP_FIELDS(6), PROP_FIELDS(7),
};

static const char *const prop_keys[] = { "enc", "keylen", "integ", "prf", "dh" };

struct prow {
	char	 v[5][65];	/* enc, keylen, integ, prf, dh */
	int	 index;		/* where it was in the form (for messages) */
};

static const char *
fstr_entered(const struct form *f, const char *name)
{
	const char *s = json_string_value(json_object_get(f->entered, name));

	return s ? s : "";
}

/* The proposal rows as entered, empty rows left out. */
static size_t
prows_from_form(const struct form *f, struct prow rows[VPN_MAX_PROPOSALS])
{
	char name[32];
	size_t n = 0, i, k;
	int empty;

	for (i = 0; i < VPN_MAX_PROPOSALS; i++) {
		memset(&rows[n], 0, sizeof(rows[n]));
		empty = 1;
		for (k = 0; k < 5; k++) {
			snprintf(name, sizeof(name), "prop%zu_%s", i, prop_keys[k]);
			snprintf(rows[n].v[k], sizeof(rows[n].v[k]), "%s", fstr_entered(f, name));
			if (*rows[n].v[k])
				empty = 0;
		}
		rows[n].index = (int)i;
		if (!empty)
			n++;
	}
	return n;
}

static void
prows_to_form(struct form *f, const struct prow *rows, size_t n)
{
	char name[32];
	size_t i, k;

	for (i = 0; i < VPN_MAX_PROPOSALS; i++)
		for (k = 0; k < 5; k++) {
			snprintf(name, sizeof(name), "prop%zu_%s", i, prop_keys[k]);
			form_set(f, name, i < n ? rows[i].v[k] : "");
		}
}

/* The template's rows: each entered row, then one empty row to fill in. */
static json_t *
prows_ctx(const struct form *f, const struct prow *rows, size_t n, int with_errors)
{
	json_t *out = json_array(), *row, *errs, *kl;
	size_t i, k, shown = n < VPN_MAX_PROPOSALS ? n + 1 : n;
	static const char *const kls[] = { "", "128", "192", "256", NULL };
	static const char *const kl_labels[] = { "(fixed)", "128 bits", "192 bits", "256 bits" };
	char name[32];
	const char *e;

	for (i = 0; i < shown; i++) {
		static const struct prow blank;
		const struct prow *p = i < n ? &rows[i] : &blank;

		errs = json_object();
		for (k = 0; with_errors && i < n && k < 5; k++) {
			snprintf(name, sizeof(name), "prop%d_%s", p->index, prop_keys[k]);
			if ((e = json_string_value(json_object_get(f->errors, name))) != NULL)
				json_object_set_new(errs, prop_keys[k], json_string(e));
		}
		kl = form_options(kls, kl_labels, p->v[1]);
		row = json_pack("{s:I, s:I, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o}",
		    "i", (json_int_t)i, "n", (json_int_t)i + 1, "filled", i < n,
		    "can_up", i > 0 && i < n, "can_down", i + 1 < n,
		    "enc", vpn_encr_options(p->v[0]), "keylen", kl,
		    "integ", vpn_alg_options(vpn_integs, p->v[2], "(none: AEAD)"),
		    "prf", vpn_alg_options(vpn_prfs, p->v[3], "—"),
		    "dh", dh_options(dh_choices, p->v[4], "—"), "errors", errs);
		json_array_append_new(out, row);
	}
	return out;
}

static void
p1_defaults(struct form *f)
{
	static const struct prow def[2] = {
		{ { "aes-gcm-16", "256", "", "hmac-sha2-256", "modp2048" }, 0 },
		{ { "aes-cbc", "256", "hmac-sha2-256-128", "hmac-sha2-256", "modp2048" }, 1 },
	};

	form_set(f, "family", "both");
	form_set(f, "interface", "any");
	form_set(f, "auth", "eap-mschapv2");
	form_set(f, "my_id_type", "fqdn");
	form_set(f, "peer_id", "any");
	form_set(f, "lifetime", "28800");
	form_set(f, "reauth", "0");
	form_set(f, "nat_traversal", "auto");
	form_set(f, "mobike", "1");
	form_set(f, "dpd_delay", "30");
	form_set(f, "dpd_max_failures", "5");
	form_set(f, "fragmentation", "1");
	prows_to_form(f, def, 2);
}

static void
p1_to_form(struct form *f, const struct db_vpn_phase1 *p)
{
	struct prow rows[VPN_MAX_PROPOSALS];
	size_t i;

	form_set(f, "disabled", p->enabled ? "0" : "1");
	form_set(f, "family", p->family);
	form_set(f, "interface", p->iface);
	form_set(f, "description", p->description);
	form_set(f, "auth", p->auth);
	form_set(f, "my_id_type", p->my_id_type);
	form_set(f, "my_id", p->my_id);
	form_set(f, "peer_id", "any");
	if (p->cert_id)
		set_int(f, "cert", p->cert_id);
	if (p->ca_id)
		set_int(f, "ca", p->ca_id);
	form_set(f, "legacy", p->legacy ? "1" : "0");
	set_int(f, "lifetime", p->lifetime);
	if (p->rekey)
		set_int(f, "rekey", p->rekey);
	set_int(f, "reauth", p->reauth);
	form_set(f, "nat_traversal", p->nat_traversal);
	form_set(f, "mobike", p->mobike ? "1" : "0");
	set_int(f, "dpd_delay", p->dpd_delay);
	set_int(f, "dpd_max_failures", p->dpd_max_failures);
	form_set(f, "fragmentation", p->fragmentation ? "1" : "0");
	memset(rows, 0, sizeof(rows));
	for (i = 0; i < p->nprops && i < VPN_MAX_PROPOSALS; i++) {
		snprintf(rows[i].v[0], sizeof(rows[i].v[0]), "%s", p->props[i].encryption);
		if (p->props[i].key_length)
			snprintf(rows[i].v[1], sizeof(rows[i].v[1]), "%d", p->props[i].key_length);
		snprintf(rows[i].v[2], sizeof(rows[i].v[2]), "%s", p->props[i].integrity);
		snprintf(rows[i].v[3], sizeof(rows[i].v[3]), "%s", p->props[i].prf);
		snprintf(rows[i].v[4], sizeof(rows[i].v[4]), "%s", p->props[i].dh);
	}
	prows_to_form(f, rows, i);
}

static json_t *
proposals_json(const struct db_vpn_proposal *v, size_t n, int esp)
{
	json_t *out = json_array(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = json_pack("{s:s, s:i, s:s}", "encryption", v[i].encryption, "key_length",
		    v[i].key_length, "integrity", v[i].integrity);
		if (!esp) {
			json_object_set_new(o, "prf", json_string(v[i].prf));
			json_object_set_new(o, "dh", json_string(v[i].dh));
		}
		json_array_append_new(out, o);
	}
	return out;
}

/* "AES-GCM 256 / SHA-256 / 14" for lists. */
static json_t *
proposals_text(const struct db_vpn_proposal *v, size_t n, int esp)
{
	struct buf b = { 0 };
	const struct vpn_encr *e;
	const struct vpn_alg *a;
	json_t *out;
	size_t i;

	for (i = 0; i < n; i++) {
		e = vpn_encr_find(v[i].encryption);
		buf_printf(&b, "%s%s", i ? ", " : "", e ? e->label : v[i].encryption);
		if (v[i].key_length)
			buf_printf(&b, " %d", v[i].key_length);
		if (*v[i].integrity && (a = vpn_alg_find(vpn_integs, v[i].integrity)))
			buf_printf(&b, "/%s", a->label);
		if (!esp)
			buf_printf(&b, "/%s", dh_label(v[i].dh));
	}
	out = json_string(buf_str(&b));
	buf_free(&b);
	return out;
}

static json_t *
p2_json(struct web_req *r, const struct db_vpn_phase2 *p, const struct ifs *ifs)
{
	char net[64] = "", err[128];

	(void)r;
	if (vpn_phase2_local(p, ifs->v, ifs->n, net, sizeof(net), err, sizeof(err)) == -1)
		snprintf(net, sizeof(net), "(%s has no address)", p->local_value);
	return json_pack("{s:I, s:I, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o}",
	    "id", (json_int_t)p->id, "phase1", (json_int_t)p->phase1_id, "enabled", p->enabled,
	    "mode", p->mode, "local_type", p->local_type, "local_value", p->local_value,
	    "local_network", net, "description", p->description, "protocol", "esp",
	    "pfs", p->pfs, "lifetime", (json_int_t)p->lifetime,
	    "proposals", proposals_json(p->props, p->nprops, 1),
	    "summary", proposals_text(p->props, p->nprops, 1));
}

static json_t *
p1_json(struct web_req *r, const struct db_vpn_phase1 *p, const struct ifs *ifs)
{
	struct db_vpn_phase2 *p2 = NULL;
	struct db_cert c;
	size_t n = 0, i;
	json_t *o, *list = json_array();

	if (db_vpn_phase2_list(r->app->db, p->id, &p2, &n) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(list, p2_json(r, &p2[i], ifs));
	db_vpn_phase2_list_free(p2, n);
	o = json_pack("{s:I, s:b, s:b, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:I, s:I, s:b,"
	    " s:I, s:I, s:I, s:s, s:b, s:I, s:I, s:b, s:o, s:o, s:o}",
	    "id", (json_int_t)p->id, "enabled", p->enabled, "mobile", p->mobile,
	    "family", p->family, "interface", p->iface, "description", p->description,
	    "auth", p->auth, "has_psk", p->psk_sealed != NULL, "my_id_type", p->my_id_type,
	    "my_id", p->my_id, "peer_id", "any", "cert", (json_int_t)p->cert_id,
	    "ca", (json_int_t)p->ca_id, "legacy", p->legacy, "lifetime", (json_int_t)p->lifetime,
	    "rekey", (json_int_t)p->rekey, "reauth", (json_int_t)p->reauth,
	    "nat_traversal", p->nat_traversal, "mobike", p->mobike,
	    "dpd_delay", (json_int_t)p->dpd_delay, "dpd_max_failures",
	    (json_int_t)p->dpd_max_failures, "fragmentation", p->fragmentation,
	    "proposals", proposals_json(p->props, p->nprops, 0),
	    "summary", proposals_text(p->props, p->nprops, 0), "phase2", list);
	if (p->cert_id && db_cert_get(r->app->db, p->cert_id, &c) == 0) {
		json_object_set_new(o, "cert_name", json_string(c.name));
		db_cert_free(&c);
	}
	return o;
}

/* Server certificates that can be used (complete, with a key). */
static json_t *
cert_options(struct web_req *r, int64_t selected)
{
	struct db_cert *v = NULL;
	size_t n = 0, i;
	json_t *out = json_array();

	if (db_cert_list(r->app->db, 0, &v, &n) == 0)
		for (i = 0; i < n; i++)
			if (v[i].type == DB_CERT_SERVER && !v[i].pending && v[i].has_key)
				json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:b}", "value",
				    (json_int_t)v[i].id, "label", v[i].name, "subject", v[i].subject,
				    "selected", v[i].id == selected));
	db_cert_list_free(v, n);
	return out;
}

static json_t *
ca_options(struct web_req *r, int64_t selected)
{
	struct db_ca *v = NULL;
	size_t n = 0, i;
	json_t *out = json_array();

	if (db_ca_list(r->app->db, &v, &n) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(out, json_pack("{s:I, s:s, s:b}", "value",
			    (json_int_t)v[i].id, "label", v[i].name, "selected", v[i].id == selected));
	db_ca_list_free(v, n);
	return out;
}

static json_t *
p1_ctx(struct web_req *r, struct form *f, const struct db_vpn_phase1 *p, int with_errors,
    const struct prow *rows, size_t nrows)
{
	static const char *const fam_labels[] = { "IPv4", "IPv6", "IPv4 and IPv6" };
	static const char *const auth_labels[] = {
		"EAP-MSCHAPv2 (user name and password; the gateway shows its certificate)",
		"Mutual certificate", "Mutual PSK",
	};
	static const char *const id_labels[] = {
		"Fully qualified domain name", "IPv4 address", "IPv6 address",
		"Distinguished name (empty: the certificate's subject)",
	};
	static const char *const natt_labels[] = { "Auto", "Force" };
	struct prow own[VPN_MAX_PROPOSALS];
	struct ifs ifs = { 0 };
	json_t *ctx = web_ctx(r);
	const char *iface = fstr_entered(f, "interface");

	if (rows == NULL) {
		nrows = prows_from_form(f, own);
		rows = own;
	}
	ifs_load(&ifs);
	json_object_set_new(ctx, "form", form_context(f));
	if (!with_errors)
		json_object_set_new(json_object_get(ctx, "form"), "has_errors", json_false());
	json_object_set_new(ctx, "families", form_options(family_choices, fam_labels,
	    fstr_entered(f, "family")));
	json_object_set_new(ctx, "interfaces", vpn_iface_options(ifs.v, ifs.n, *iface ? iface :
	    "any", 1));
	json_object_set_new(ctx, "auths", form_options(auth_choices, auth_labels,
	    fstr_entered(f, "auth")));
	json_object_set_new(ctx, "id_types", form_options(id_type_choices, id_labels,
	    fstr_entered(f, "my_id_type")));
	json_object_set_new(ctx, "natts", form_options(natt_choices, natt_labels,
	    fstr_entered(f, "nat_traversal")));
	json_object_set_new(ctx, "certs", cert_options(r, strtoll(fstr_entered(f, "cert"), NULL,
	    10)));
	json_object_set_new(ctx, "cas", ca_options(r, strtoll(fstr_entered(f, "ca"), NULL, 10)));
	json_object_set_new(ctx, "rows", prows_ctx(f, rows, nrows, with_errors));
	json_object_set_new(ctx, "max_rows", json_integer(VPN_MAX_PROPOSALS));
	if (with_errors && nrows == 0 && json_object_get(f->errors, "prop0_enc"))
		json_object_set(ctx, "rows_error", json_object_get(f->errors, "prop0_enc"));
	if (p)
		json_object_set_new(ctx, "edit", json_pack("{s:I, s:s, s:b}", "id",
		    (json_int_t)p->id, "description", p->description,
		    "has_psk", p->psk_sealed != NULL));
	free(ifs.v);
	return ctx;
}

static const char *
p1_title(const struct db_vpn_phase1 *p)
{
	return p ? "VPN / IPsec / Tunnels / Edit Phase 1" : "VPN / IPsec / Tunnels / Add Phase 1";
}

/* Compares DNs as sets of RDNs, ignoring case and spaces around separators. */
static int
dn_equal(const char *a, const char *b)
{
	char x[1024], y[1024], *pa[32], *pb[32], *s, *save = NULL;
	size_t na = 0, nb = 0, i, j, k, o;
	int used[32] = { 0 }, hit;

	for (k = 0; k < 2; k++) {
		const char *in = k ? b : a;
		char *out = k ? y : x;
		char **parts = k ? pb : pa;
		size_t *np = k ? &nb : &na;

		for (i = 0, o = 0; in[i] && o + 1 < sizeof(x); i++)
			if (in[i] != ' ')
				out[o++] = (char)tolower((unsigned char)in[i]);
		out[o] = '\0';
		for (s = strtok_r(out, ",", &save); s && *np < 32; s = strtok_r(NULL, ",", &save))
			parts[(*np)++] = s;
	}
	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		for (j = 0, hit = 0; j < nb && !hit; j++)
			if (!used[j] && strcmp(pa[i], pb[j]) == 0)
				used[j] = hit = 1;
		if (!hit)
			return 0;
	}
	return 1;
}

/* The CN of an RFC 4514 subject, or "". */
static void
subject_cn(const char *subject, char *out, size_t outlen)
{
	const char *p = subject, *e;

	out[0] = '\0';
	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, "CN=", 3) == 0) {
			p += 3;
			e = p;
			while (*e && *e != ',')
				e++;
			snprintf(out, outlen, "%.*s", (int)(e - p), p);
			return;
		}
		p = strchr(p, ',');
	}
}

/*
 * My identifier against the chosen certificate: an FQDN must be one of
 * its DNS subjectAltNames (Windows and Apple need the SAN; a CN alone is
 * not enough), an address one of its IP SANs, a DN its subject.  An empty
 * FQDN takes the certificate's first DNS SAN (else its CN).
 */
static void
check_identifier(struct form *f, const char *cert_pem, const char *cert_name)
{
	json_t *info = cm_cert_info(cert_pem), *san;
	const char *type = form_str(f, "my_id_type"), *id = form_str(f, "my_id");
	const char *subject, *want = strcmp(type, "fqdn") == 0 ? "dns" : "ip";
	char cn[256], canon[INET6_ADDRSTRLEN];
	struct buf names = { 0 };
	unsigned char a[16];
	size_t i;
	int hit = 0;

	if (info == NULL) {
		form_error(f, "cert", "This certificate cannot be read.");
		return;
	}
	subject = json_string_value(json_object_get(info, "subject"));
	subject_cn(subject ? subject : "", cn, sizeof(cn));
	if (strcmp(type, "dn") == 0) {
		if (*id && !dn_equal(id, subject ? subject : ""))
			form_error(f, "my_id", "This is not the subject of certificate '%s' (%s).",
			    cert_name, subject ? subject : "");
		goto out;
	}
	if (strcmp(type, "fqdn") == 0 && *id == '\0') {
		json_array_foreach(json_object_get(info, "san"), i, san)
			if (!hit && strcmp(json_string_value(json_object_get(san, "type")), "dns") == 0) {
				form_set(f, "my_id", json_string_value(json_object_get(san, "value")));
				hit = 1;
			}
		if (!hit && *cn)
			form_set(f, "my_id", cn);
		id = form_str(f, "my_id");
		hit = 0;
		if (*id == '\0') {
			form_error(f, "my_id", "Certificate '%s' names no host: enter the gateway's"
			    " host name.", cert_name);
			goto out;
		}
	}
	if (strcmp(type, "fqdn") == 0 && !valid_hostname(id)) {
		form_error(f, "my_id", "Enter a host name such as vpn.example.com.");
		goto out;
	}
	if (strcmp(type, "ipv4") == 0 || strcmp(type, "ipv6") == 0) {
		if (inet_pton(strcmp(type, "ipv4") == 0 ? AF_INET : AF_INET6, id, a) != 1) {
			form_error(f, "my_id", "Enter an %s address.", strcmp(type, "ipv4") == 0 ?
			    "IPv4" : "IPv6");
			goto out;
		}
		inet_ntop(strcmp(type, "ipv4") == 0 ? AF_INET : AF_INET6, a, canon, sizeof(canon));
		form_set(f, "my_id", canon);
		id = form_str(f, "my_id");
	}
	json_array_foreach(json_object_get(info, "san"), i, san) {
		const char *t = json_string_value(json_object_get(san, "type"));
		const char *v = json_string_value(json_object_get(san, "value"));

		if (t == NULL || v == NULL)
			continue;
		buf_printf(&names, "%s%s", names.len ? ", " : "", v);
		if (strcmp(t, want) != 0)
			continue;
		if (strcmp(want, "dns") == 0 ? strcasecmp(v, id) == 0 :
		    (inet_pton(strchr(v, ':') ? AF_INET6 : AF_INET, v, a) == 1 &&
		    inet_ntop(strchr(v, ':') ? AF_INET6 : AF_INET, a, cn, sizeof(cn)) &&
		    strcmp(cn, id) == 0))
			hit = 1;
	}
	if (!hit)
		form_error(f, "my_id", "Certificate '%s' has no subjectAltName %s:%s (its names: %s)."
		    " Clients check the identifier against the certificate's SANs: choose one"
		    " of them or issue a certificate with this name.", cert_name,
		    strcmp(want, "dns") == 0 ? "DNS" : "IP", id, names.len ? buf_str(&names) :
		    "none");
out:
	buf_free(&names);
	json_decref(info);
}

static int
legacy_ok(struct form *f, const char *field, int legacy, int is_legacy, const char *what)
{
	if (is_legacy && !legacy) {
		form_error(f, field, "%s is a legacy algorithm: turn on \"Legacy clients\" to allow"
		    " it.", what);
		return 0;
	}
	return 1;
}

/* Checks the proposal rows; fills props (borrowing strings from rows). */
static size_t
check_proposals(struct form *f, struct prow *rows, size_t n, int legacy,
    struct db_vpn_proposal *props)
{
	const struct vpn_encr *e;
	const struct vpn_alg *a = NULL;
	char fld[5][32];
	long long kl;
	size_t i, k;
	int ok;

	if (n == 0)
		form_error(f, "prop0_enc", "At least one proposal is required.");
	for (i = 0; i < n; i++) {
		struct prow *p = &rows[i];

		for (k = 0; k < 5; k++)
			snprintf(fld[k], sizeof(fld[k]), "prop%d_%s", p->index, prop_keys[k]);
		memset(&props[i], 0, sizeof(props[i]));
		if ((e = vpn_encr_find(p->v[0])) == NULL) {
			form_error(f, fld[0], *p->v[0] ? "Unknown encryption algorithm \"%s\"." :
			    "Choose an encryption algorithm.", p->v[0]);
			continue;
		}
		legacy_ok(f, fld[0], legacy, e->legacy, e->label);
		kl = 0;
		if (e->keylens[0]) {
			ok = parse_int(p->v[1], 1, 65536, &kl) == 0;
			for (k = 0; ok && e->keylens[k] && e->keylens[k] != kl; k++)
				;
			if (!ok || e->keylens[k] == 0)
				form_error(f, fld[1], "%s needs a key length of 128, 192 or 256 bits.",
				    e->label);
		} else if (*p->v[1] && strcmp(p->v[1], strcmp(e->name, "3des") == 0 ?
		    "192" : "256") != 0)
			form_error(f, fld[1], "%s has a fixed key size: leave the key length empty.",
			    e->label);
		if (e->aead && *p->v[2])
			form_error(f, fld[2], "%s protects integrity itself: leave the hash empty"
			    " (a separate hash is not allowed with GCM or ChaCha20-Poly1305).",
			    e->label);
		else if (!e->aead && (a = vpn_alg_find(vpn_integs, p->v[2])) == NULL)
			form_error(f, fld[2], *p->v[2] ? "Unknown hash algorithm \"%s\"." :
			    "%s needs a hash algorithm.", *p->v[2] ? p->v[2] : e->label);
		else if (!e->aead && a != NULL)
			legacy_ok(f, fld[2], legacy, a->legacy, a->label);
		if ((a = vpn_alg_find(vpn_prfs, p->v[3])) == NULL)
			form_error(f, fld[3], *p->v[3] ? "Unknown PRF \"%s\"." : "Choose a PRF.",
			    p->v[3]);
		else
			legacy_ok(f, fld[3], legacy, a->legacy, a->label);
		if ((a = vpn_alg_find(vpn_dhs, p->v[4])) == NULL)
			form_error(f, fld[4], *p->v[4] ? "Unknown DH group \"%s\"." :
			    "Choose a DH group.", p->v[4]);
		else
			legacy_ok(f, fld[4], legacy, a->legacy, a->label);
		props[i].encryption = p->v[0];
		props[i].key_length = (int)kl;
		props[i].integrity = p->v[2];
		props[i].prf = p->v[3];
		props[i].dh = p->v[4];
	}
	return n;
}

/* Applies a row operation ("remove:N", "up:N", "down:N"); 0 or -1. */
static int
prows_op(struct prow *rows, size_t *n, const char *op)
{
	long long i;
	struct prow t;
	const char *c = strchr(op, ':');

	if (c == NULL || parse_int(c + 1, 0, VPN_MAX_PROPOSALS - 1, &i) == -1 || (size_t)i >= *n)
		return -1;
	if (strncmp(op, "remove:", 7) == 0) {
		memmove(&rows[i], &rows[i + 1], (*n - (size_t)i - 1) * sizeof(rows[0]));
		(*n)--;
	} else if (strncmp(op, "up:", 3) == 0 && i > 0) {
		t = rows[i - 1];
		rows[i - 1] = rows[i];
		rows[i] = t;
	} else if (strncmp(op, "down:", 5) == 0 && (size_t)i + 1 < *n) {
		t = rows[i + 1];
		rows[i + 1] = rows[i];
		rows[i] = t;
	} else
		return -1;
	return 0;
}

static void
p1_save(struct web_req *r, struct db_vpn_phase1 *old)
{
	struct form f, base;
	struct prow rows[VPN_MAX_PROPOSALS];
	struct db_vpn_proposal props[VPN_MAX_PROPOSALS];
	struct db_vpn_phase1 np;
	struct db_cert c;
	struct db_ca ca;
	struct ifs ifs = { 0 };
	const char *auth, *op = r->is_api ? NULL : web_param_get(&r->form, "op");
	size_t nrows, i;
	uint8_t *blob = NULL;
	size_t bloblen = 0;
	char aad[64], lbl[160];
	int need_cert, need_psk, api_props = 0;

	if (r->is_api) {
		for (i = 0; i < r->form.n; i++)
			api_props |= strncmp(r->form.v[i].name, "prop", 4) == 0;
		form_init(&base, p1_fields, NFIELDS(p1_fields));
		if (old)
			p1_to_form(&base, old);
		else
			p1_defaults(&base);
		api_defaults_from(&r->form, &base, p1_fields, NFIELDS(p1_fields),
		    api_props ? "prop" : NULL);
		form_free(&base);
	}
	form_validate(&f, p1_fields, NFIELDS(p1_fields), &r->form);
	nrows = prows_from_form(&f, rows);
	if (op && *op) {
		/* A row button: rearrange and show again, nothing saved. */
		prows_op(rows, &nrows, op);
		prows_to_form(&f, rows, nrows);
		web_page(r, 200, p1_title(old), "vpn_phase1", p1_ctx(r, &f, old, 0, rows, nrows));
		form_free(&f);
		return;
	}
	if (!old && mobile_phase1_exists(r)) {
		web_error(r, 409, "A mobile Phase 1 exists already; edit it instead.");
		form_free(&f);
		return;
	}
	ifs_load(&ifs);
	if (strcmp(form_str(&f, "interface"), "any") != 0 && !json_object_get(f.errors, "interface") &&
	    !vpn_iface_has(ifs.v, ifs.n, form_str(&f, "interface"), 0))
		form_error(&f, "interface", "This machine has no interface \"%s\" with an address.",
		    form_str(&f, "interface"));
	free(ifs.v);
	auth = form_str(&f, "auth");
	need_cert = strcmp(auth, "eap-mschapv2") == 0 || strcmp(auth, "certificate") == 0;
	need_psk = strcmp(auth, "psk") == 0;
	memset(&c, 0, sizeof(c));
	if (need_cert && !json_object_get(f.errors, "cert")) {
		if (form_int(&f, "cert") == 0)
			form_error(&f, "cert", "Choose the gateway's server certificate (create one under"
			    " System > Cert. Manager).");
		else if (db_cert_get(r->app->db, form_int(&f, "cert"), &c) != 0)
			form_error(&f, "cert", "This certificate does not exist.");
		else if (c.type != DB_CERT_SERVER)
			form_error(&f, "cert", "Certificate '%s' is a user certificate; the gateway"
			    " needs a server certificate.", c.name);
		else if (c.pending || c.cert_pem == NULL)
			form_error(&f, "cert", "Certificate '%s' is still waiting for its signed"
			    " certificate.", c.name);
		else if (!c.has_key)
			form_error(&f, "cert", "Certificate '%s' has no private key here.", c.name);
		else if (!json_object_get(f.errors, "my_id") && !json_object_get(f.errors, "my_id_type"))
			check_identifier(&f, c.cert_pem, c.name);
	}
	if (strcmp(auth, "certificate") == 0) {
		if (form_int(&f, "ca") == 0)
			form_error(&f, "ca", "Choose the CA that issued the clients' certificates.");
		else if (db_ca_get(r->app->db, form_int(&f, "ca"), &ca) != 0)
			form_error(&f, "ca", "This CA does not exist.");
		else
			db_ca_free(&ca);
	}
	if (need_psk) {
		size_t len = strlen(form_str(&f, "psk"));

		if (len == 0 && (old == NULL || old->psk_sealed == NULL))
			form_error(&f, "psk", "Enter the pre-shared key.");
		else if (len > 0 && len < 16)
			form_error(&f, "psk", "Use at least 16 characters (a long random key).");
		if (strcmp(form_str(&f, "my_id_type"), "dn") == 0)
			form_error(&f, "my_id_type", "With a pre-shared key there is no certificate:"
			    " use an FQDN or an address.");
		else if (*form_str(&f, "my_id") == '\0')
			form_error(&f, "my_id", "Enter the gateway's identifier.");
	}
	if (*form_str(&f, "rekey") && form_int(&f, "rekey") >= form_int(&f, "lifetime") &&
	    !json_object_get(f.errors, "lifetime"))
		form_error(&f, "rekey", "The rekey time must be less than the lifetime (%lld s):"
		    " the SA is renewed before it expires.", form_int(&f, "lifetime"));
	if (form_int(&f, "reauth") > 0 && form_int(&f, "reauth") < 60)
		form_error(&f, "reauth", "Use 0 (off) or at least 60 seconds.");
	check_proposals(&f, rows, nrows, form_bool(&f, "legacy"), props);
	if (!form_ok(&f))
		goto invalid;

	memset(&np, 0, sizeof(np));
	np.id = old ? old->id : 0;
	np.enabled = !form_bool(&f, "disabled");
	np.mobile = 1;
	np.family = (char *)form_str(&f, "family");
	np.iface = (char *)form_str(&f, "interface");
	np.description = (char *)form_str(&f, "description");
	np.auth = (char *)auth;
	np.my_id_type = (char *)form_str(&f, "my_id_type");
	np.my_id = (char *)form_str(&f, "my_id");
	np.cert_id = need_cert ? form_int(&f, "cert") : 0;
	np.ca_id = strcmp(auth, "certificate") == 0 ? form_int(&f, "ca") : 0;
	np.legacy = form_bool(&f, "legacy");
	np.lifetime = form_int(&f, "lifetime");
	np.rekey = form_int(&f, "rekey");
	np.reauth = form_int(&f, "reauth");
	np.nat_traversal = (char *)form_str(&f, "nat_traversal");
	np.mobike = form_bool(&f, "mobike");
	np.dpd_delay = form_int(&f, "dpd_delay");
	np.dpd_max_failures = form_int(&f, "dpd_max_failures");
	np.fragmentation = form_bool(&f, "fragmentation");
	np.props = props;
	np.nprops = nrows;
	if (db_begin(r->app->db) != 0)
		goto dberr;
	if ((old ? db_vpn_phase1_update(r->app->db, &np) : db_vpn_phase1_insert(r->app->db, &np))
	    != 0)
		goto dbfail;
	if (*form_str(&f, "psk")) {
		snprintf(aad, sizeof(aad), "phase1:%lld:psk", (long long)np.id);
		if (pki_seal(r->app->secret, aad, form_str(&f, "psk"), strlen(form_str(&f, "psk")),
		    &blob, &bloblen) == -1 || db_vpn_phase1_set_psk(r->app->db, np.id, blob,
		    bloblen) != 0)
			goto dbfail;
	}
	np.description = (char *)form_str(&f, "description");
	vpn_phase_label(1, np.description, np.id, lbl, sizeof(lbl));
	web_pending(r, "%s %s", lbl, old ? "changed" : "added");
	if (db_commit(r->app->db) != 0)
		goto dbfail;
	web_audit(r, old ? "vpn.phase1.update" : "vpn.phase1.create", lbl,
	    "auth=%s my_id=%s:%s proposals=%zu lifetime=%lld%s", np.auth, np.my_id_type, np.my_id,
	    np.nprops, np.lifetime, *form_str(&f, "psk") ? " psk=changed" : "");
	if (r->is_api) {
		struct db_vpn_phase1 saved;
		struct ifs ifs2 = { 0 };

		ifs_load(&ifs2);
		if (db_vpn_phase1_get(r->app->db, np.id, &saved) == 0) {
			web_json(r, old ? 200 : 201, p1_json(r, &saved, &ifs2));
			db_vpn_phase1_free(&saved);
		} else
			web_error(r, 500, "Saved, but could not be read back.");
		free(ifs2.v);
	} else
		web_redirect(r, "/vpn/ipsec/tunnels?msg=phase1-saved");
	goto out;
dbfail:
	db_rollback(r->app->db);
dberr:
	fprintf(stderr, "ikegw-web: phase1 save: %s\n", db_errmsg(r->app->db));
	web_error(r, 500, "The Phase 1 could not be saved.");
	goto out;
invalid:
	web_form_invalid(r, &f, p1_title(old), "vpn_phase1",
	    r->is_api ? NULL : p1_ctx(r, &f, old, 1, rows, nrows));
out:
	free(blob);
	db_cert_free(&c);
	form_free(&f);
}

static int
load_p1(struct web_req *r, struct db_vpn_phase1 *p)
{
	return web_load_result(r, db_vpn_phase1_get(r->app->db, r->path_id[0], p), "Phase 1");
}

static void
tunnels_list(struct web_req *r)
{
	struct db_vpn_phase1 *p = NULL;
	struct ifs ifs = { 0 };
	size_t n = 0, i;
	json_t *list = json_array(), *ctx;
	int mobile = 0;

	if (db_vpn_phase1_list(r->app->db, &p, &n) != 0) {
		json_decref(list);
		web_error(r, 500, "The Phase 1 list could not be read.");
		return;
	}
	ifs_load(&ifs);
	for (i = 0; i < n; i++) {
		json_array_append_new(list, p1_json(r, &p[i], &ifs));
		mobile |= p[i].mobile;
	}
	db_vpn_phase1_list_free(p, n);
	free(ifs.v);
	if (r->is_api) {
		web_json(r, 200, json_pack("{s:o}", "phase1", list));
		return;
	}
	ctx = web_ctx(r);
	json_object_set_new(ctx, "phase1", list);
	json_object_set_new(ctx, "can_add", json_boolean(!mobile));
	web_page(r, 200, "VPN / IPsec / Tunnels", "vpn_tunnels", ctx);
}

static void
p1_new_get(struct web_req *r)
{
	struct form f;
	json_t *certs;

	if (mobile_phase1_exists(r)) {
		web_redirect(r, "/vpn/ipsec/tunnels");
		return;
	}
	form_init(&f, p1_fields, NFIELDS(p1_fields));
	p1_defaults(&f);
	/* The first server certificate, as the guide picks it. */
	certs = cert_options(r, 0);
	if (json_array_size(certs))
		set_int(&f, "cert", json_integer_value(json_object_get(json_array_get(certs, 0),
		    "value")));
	json_decref(certs);
	web_page(r, 200, p1_title(NULL), "vpn_phase1", p1_ctx(r, &f, NULL, 0, NULL, 0));
	form_free(&f);
}

static void
p1_new_post(struct web_req *r)
{
	p1_save(r, NULL);
}

static void
p1_get(struct web_req *r)
{
	struct db_vpn_phase1 p;
	struct form f;
	struct ifs ifs = { 0 };

	if (load_p1(r, &p) != 0)
		return;
	if (r->is_api) {
		ifs_load(&ifs);
		web_json(r, 200, p1_json(r, &p, &ifs));
		free(ifs.v);
		db_vpn_phase1_free(&p);
		return;
	}
	form_init(&f, p1_fields, NFIELDS(p1_fields));
	p1_to_form(&f, &p);
	web_page(r, 200, p1_title(&p), "vpn_phase1", p1_ctx(r, &f, &p, 0, NULL, 0));
	form_free(&f);
	db_vpn_phase1_free(&p);
}

static void
p1_post(struct web_req *r)
{
	struct db_vpn_phase1 p;

	if (load_p1(r, &p) != 0)
		return;
	p1_save(r, &p);
	db_vpn_phase1_free(&p);
}

static void
p1_delete(struct web_req *r)
{
	struct db_vpn_phase1 p;
	char lbl[160];

	if (load_p1(r, &p) != 0)
		return;
	vpn_phase_label(1, p.description, p.id, lbl, sizeof(lbl));
	if (web_delete_pending(r, db_vpn_phase1_delete, p.id, "Phase 1", lbl) == 0) {
		web_audit(r, "vpn.phase1.delete", lbl, NULL);
		web_deleted(r, "/vpn/ipsec/tunnels?msg=phase1-deleted");
	}
	db_vpn_phase1_free(&p);
}

/* ---------------------------------------------------------------- Phase 2 */

static const struct form_field p2_fields[] = {
	{ .name = "disabled", .label = "Disabled", .type = FORM_BOOL },
	{ .name = "mode", .label = "Mode", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = mode_choices },
	{ .name = "local_type", .label = "Local network", .type = FORM_ENUM,
	  .flags = FORM_REQUIRED, .choices = local_type_choices },
	{ .name = "local_interface", .label = "Interface", .type = FORM_TEXT, .max = 15 },
	{ .name = "local_network", .label = "Network", .type = FORM_CIDR },
	{ .name = "description", .label = "Description", .type = FORM_TEXT, .max = 128 },
	{ .name = "protocol", .label = "Protocol", .type = FORM_ENUM, .choices = proto_choices },
	{ .name = "encryption", .label = "Encryption algorithms", .type = FORM_ENUM,
	  .flags = FORM_MULTI, .max = 8, .choices = esp_encr_choices },
	{ .name = "hash", .label = "Hash algorithms", .type = FORM_ENUM, .flags = FORM_MULTI,
	  .max = 4, .choices = integ_choices },
	{ .name = "pfs", .label = "PFS key group", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = pfs_choices },
	{ .name = "lifetime", .label = "Lifetime", .type = FORM_INT, .flags = FORM_REQUIRED,
	  .min = 60, .max = 86400 },
};

static void
p2_defaults(struct form *f)
{
	form_set(f, "mode", "tunnel4");
	form_set(f, "local_type", "network");
	form_set(f, "protocol", "esp");
	form_set(f, "encryption", "aes-gcm-16-256");
	form_set(f, "encryption", "aes-cbc-256");
	form_set(f, "hash", "hmac-sha2-256-128");
	form_set(f, "pfs", "modp2048");
	form_set(f, "lifetime", "3600");
}

static void
p2_to_form(struct form *f, const struct db_vpn_phase2 *p)
{
	const struct vpn_esp_encr *e;
	size_t i, j;
	int seen;

	form_set(f, "disabled", p->enabled ? "0" : "1");
	form_set(f, "mode", p->mode);
	form_set(f, "local_type", p->local_type);
	if (strcmp(p->local_type, "interface") == 0)
		form_set(f, "local_interface", p->local_value);
	else if (strcmp(p->local_type, "network") == 0)
		form_set(f, "local_network", p->local_value);
	form_set(f, "description", p->description);
	form_set(f, "protocol", "esp");
	for (i = 0; i < p->nprops; i++) {
		for (j = 0, seen = 0; j < i; j++)
			seen |= strcmp(p->props[j].encryption, p->props[i].encryption) == 0 &&
			    p->props[j].key_length == p->props[i].key_length;
		if (!seen && (e = vpn_esp_encr_of(p->props[i].encryption, p->props[i].key_length)))
			form_set(f, "encryption", e->value);
	}
	for (i = 0; i < p->nprops; i++) {
		for (j = 0, seen = 0; j < i; j++)
			seen |= strcmp(p->props[j].integrity, p->props[i].integrity) == 0;
		if (!seen && *p->props[i].integrity)
			form_set(f, "hash", p->props[i].integrity);
	}
	form_set(f, "pfs", p->pfs);
	set_int(f, "lifetime", p->lifetime);
}

static int
in_multi(const struct form *f, const char *name, const char *v)
{
	json_t *a = json_object_get(f->values, name), *x;
	size_t i;

	if (!json_is_array(a))
		a = json_object_get(f->entered, name);
	json_array_foreach(a, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), v) == 0)
			return 1;
	return 0;
}

static json_t *
p2_ctx(struct web_req *r, const struct form *f, const struct db_vpn_phase1 *p1,
    const struct db_vpn_phase2 *p2)
{
	static const char *const mode_labels[] = { "Tunnel IPv4", "Tunnel IPv6" };
	static const char *const lt_labels[] = {
		"Network", "Interface subnet", "Everything (full tunnel: 0.0.0.0/0 or ::/0)",
	};
	struct ifs ifs = { 0 };
	json_t *ctx = web_ctx(r), *enc = json_array(), *hash = json_array();
	const char *lif = fstr_entered(f, "local_interface");
	size_t i;

	ifs_load(&ifs);
	for (i = 0; vpn_esp_encrs[i].value; i++)
		json_array_append_new(enc, json_pack("{s:s, s:s, s:b, s:b}", "value",
		    vpn_esp_encrs[i].value, "label", vpn_esp_encrs[i].label, "checked",
		    in_multi(f, "encryption", vpn_esp_encrs[i].value),
		    "legacy", strcmp(vpn_esp_encrs[i].encr, "3des") == 0));
	for (i = 0; vpn_integs[i].name; i++)
		json_array_append_new(hash, json_pack("{s:s, s:s, s:b, s:b}", "value",
		    vpn_integs[i].name, "label", vpn_integs[i].label, "checked",
		    in_multi(f, "hash", vpn_integs[i].name), "legacy", vpn_integs[i].legacy));
	json_object_set_new(ctx, "form", form_context(f));
	json_object_set_new(ctx, "modes", form_options(mode_choices, mode_labels,
	    fstr_entered(f, "mode")));
	json_object_set_new(ctx, "local_types", form_options(local_type_choices, lt_labels,
	    fstr_entered(f, "local_type")));
	json_object_set_new(ctx, "interfaces", vpn_iface_options(ifs.v, ifs.n, lif, 0));
	json_object_set_new(ctx, "encryptions", enc);
	json_object_set_new(ctx, "hashes", hash);
	json_object_set_new(ctx, "pfs_options", dh_options(pfs_choices, fstr_entered(f, "pfs"),
	    NULL));
	json_object_set_new(ctx, "phase1", json_pack("{s:I, s:s, s:b, s:b}", "id",
	    (json_int_t)p1->id, "description", p1->description, "mobile", p1->mobile,
	    "legacy", p1->legacy));
	if (p2)
		json_object_set_new(ctx, "edit", json_pack("{s:I, s:s}", "id", (json_int_t)p2->id,
		    "description", p2->description));
	free(ifs.v);
	return ctx;
}

static void
p2_save(struct web_req *r, struct db_vpn_phase1 *p1, struct db_vpn_phase2 *old)
{
	struct form f, base;
	struct db_vpn_phase2 np;
	struct db_vpn_proposal props[32];
	struct db_vpn_mobile m;
	struct ifs ifs = { 0 };
	struct netlist nl;
	struct vpn_prefix p, q;
	const struct vpn_esp_encr *e;
	const char *lt, *field;
	char net[64], err[160], lbl[200];
	size_t i, k, n = 0;
	int fam, need_hash = 0;

	memset(&m, 0, sizeof(m));
	if (r->is_api) {
		form_init(&base, p2_fields, NFIELDS(p2_fields));
		if (old)
			p2_to_form(&base, old);
		else
			p2_defaults(&base);
		api_defaults_from(&r->form, &base, p2_fields, NFIELDS(p2_fields), NULL);
		form_free(&base);
	}
	form_validate(&f, p2_fields, NFIELDS(p2_fields), &r->form);
	fam = strcmp(form_str(&f, "mode"), "tunnel6") == 0 ? AF_INET6 : AF_INET;
	lt = form_str(&f, "local_type");
	memset(&np, 0, sizeof(np));
	np.phase1_id = p1->id;
	np.mode = (char *)form_str(&f, "mode");
	np.local_type = (char *)lt;
	np.local_value = (char *)"";
	field = strcmp(lt, "interface") == 0 ? "local_interface" : "local_network";
	ifs_load(&ifs);
	if (strcmp(lt, "interface") == 0) {
		np.local_value = (char *)form_str(&f, "local_interface");
		if (*np.local_value == '\0')
			form_error(&f, field, "Choose an interface.");
		else if (!vpn_iface_has(ifs.v, ifs.n, np.local_value, fam))
			form_error(&f, field, "Interface %s has no %s address.", np.local_value,
			    fam == AF_INET ? "IPv4" : "IPv6");
	} else if (strcmp(lt, "network") == 0 && !json_object_get(f.errors, field)) {
		np.local_value = (char *)form_str(&f, "local_network");
		if (*np.local_value == '\0')
			form_error(&f, field, "Enter the local network, such as 10.1.0.0/24.");
		else if (vpn_prefix_parse(np.local_value, &p) == 0 && p.family != fam)
			form_error(&f, field, "This is an %s network; the mode is %s.",
			    p.family == AF_INET ? "IPv4" : "IPv6", fam == AF_INET ? "IPv4" : "IPv6");
	}
	if (*lt && !json_object_get(f.errors, field) && !json_object_get(f.errors, "local_type") &&
	    vpn_phase2_local(&np, ifs.v, ifs.n, net, sizeof(net), err, sizeof(err)) == 0 &&
	    vpn_prefix_parse(net, &p) == 0) {
		if (strcmp(lt, "full") == 0)
			field = "local_type";
		/* One mobile Phase 2 per local network. */
		netlist_load(r, &ifs, &nl);
		for (i = 0; i < nl.n; i++)
			if (nl.p1[i] == p1->id && (old == NULL || nl.ids[i] != old->id) &&
			    strcmp(nl.nets[i], net) == 0)
				form_error(&f, field, "Another Phase 2 of this Phase 1 has the local"
				    " network %s already.", net);
		netlist_free(&nl);
		/* The pool must stay apart from the networks behind the gateway. */
		if (!is_default_route(&p) && db_vpn_mobile_get(r->app->db, &m) == 0) {
			const char *pool = fam == AF_INET ? m.pool4 : m.pool6;

			if (*pool && vpn_prefix_parse(pool, &q) == 0 && vpn_prefix_overlap(&p, &q))
				form_error(&f, field, "%s overlaps the mobile clients' address pool %s.",
				    net, pool);
		}
	}
	free(ifs.v);
	if (form_count(&f, "encryption") == 0 && !json_object_get(f.errors, "encryption"))
		form_error(&f, "encryption", "Choose at least one encryption algorithm.");
	for (i = 0; i < form_count(&f, "encryption"); i++) {
		e = vpn_esp_encr_find(form_item(&f, "encryption", i));
		if (e && !vpn_encr_find(e->encr)->aead)
			need_hash = 1;
		if (e && vpn_encr_find(e->encr)->legacy && !p1->legacy)
			form_error(&f, "encryption", "%s is a legacy algorithm: turn on \"Legacy"
			    " clients\" in the Phase 1 first.", e->label);
	}
	for (i = 0; i < form_count(&f, "hash"); i++) {
		const struct vpn_alg *a = vpn_alg_find(vpn_integs, form_item(&f, "hash", i));

		if (a && a->legacy && !p1->legacy)
			form_error(&f, "hash", "%s is a legacy algorithm: turn on \"Legacy clients\" in"
			    " the Phase 1 first.", a->label);
	}
	if (need_hash && form_count(&f, "hash") == 0 && !json_object_get(f.errors, "hash"))
		form_error(&f, "hash", "AES-CBC and 3DES need a hash algorithm (AES-GCM and"
		    " ChaCha20-Poly1305 do not).");
	if (strcmp(form_str(&f, "pfs"), "modp1024") == 0 && !p1->legacy)
		form_error(&f, "pfs", "Group 2 (modp1024) is a legacy group: turn on \"Legacy"
		    " clients\" in the Phase 1 first.");
	if (!form_ok(&f))
		goto invalid;

	/* Proposals: each cipher, with each hash unless it is an AEAD cipher. */
	for (i = 0; i < form_count(&f, "encryption"); i++) {
		e = vpn_esp_encr_find(form_item(&f, "encryption", i));
		if (vpn_encr_find(e->encr)->aead) {
			props[n++] = (struct db_vpn_proposal){ (char *)e->encr, e->keylen,
			    (char *)"", NULL, NULL };
			continue;
		}
		for (k = 0; k < form_count(&f, "hash") && n < 32; k++)
			props[n++] = (struct db_vpn_proposal){ (char *)e->encr, e->keylen,
			    (char *)form_item(&f, "hash", k), NULL, NULL };
	}
	np.id = old ? old->id : 0;
	np.enabled = !form_bool(&f, "disabled");
	np.description = (char *)form_str(&f, "description");
	np.pfs = (char *)form_str(&f, "pfs");
	np.lifetime = form_int(&f, "lifetime");
	np.props = props;
	np.nprops = n;
	if (db_begin(r->app->db) != 0)
		goto dberr;
	if ((old ? db_vpn_phase2_update(r->app->db, &np) : db_vpn_phase2_insert(r->app->db, &np))
	    != 0)
		goto dbfail;
	vpn_phase_label(2, np.description, np.id, lbl, sizeof(lbl));
	web_pending(r, "%s %s", lbl, old ? "changed" : "added");
	if (db_commit(r->app->db) != 0)
		goto dbfail;
	web_audit(r, old ? "vpn.phase2.update" : "vpn.phase2.create", lbl,
	    "phase1=%lld mode=%s local=%s:%s proposals=%zu pfs=%s lifetime=%lld",
	    (long long)p1->id, np.mode, np.local_type, np.local_value, n, np.pfs, np.lifetime);
	if (r->is_api) {
		struct db_vpn_phase2 saved;
		struct ifs ifs2 = { 0 };

		ifs_load(&ifs2);
		if (db_vpn_phase2_get(r->app->db, np.id, &saved) == 0) {
			web_json(r, old ? 200 : 201, p2_json(r, &saved, &ifs2));
			db_vpn_phase2_free(&saved);
		} else
			web_error(r, 500, "Saved, but could not be read back.");
		free(ifs2.v);
	} else
		web_redirect(r, "/vpn/ipsec/tunnels?msg=phase2-saved");
	goto out;
dbfail:
	db_rollback(r->app->db);
dberr:
	fprintf(stderr, "ikegw-web: phase2 save: %s\n", db_errmsg(r->app->db));
	web_error(r, 500, "The Phase 2 could not be saved.");
	goto out;
invalid:
	web_form_invalid(r, &f, old ? "VPN / IPsec / Tunnels / Edit Phase 2" :
	    "VPN / IPsec / Tunnels / Add Phase 2", "vpn_phase2",
	    r->is_api ? NULL : p2_ctx(r, &f, p1, old));
out:
	db_vpn_mobile_free(&m);
	form_free(&f);
}

static int
load_p2(struct web_req *r, struct db_vpn_phase2 *p)
{
	return web_load_result(r, db_vpn_phase2_get(r->app->db, r->path_id[0], p), "Phase 2");
}

static void
p2_new_get(struct web_req *r)
{
	struct db_vpn_phase1 p1;
	struct form f;

	if (load_p1(r, &p1) != 0)
		return;
	form_init(&f, p2_fields, NFIELDS(p2_fields));
	p2_defaults(&f);
	web_page(r, 200, "VPN / IPsec / Tunnels / Add Phase 2", "vpn_phase2",
	    p2_ctx(r, &f, &p1, NULL));
	form_free(&f);
	db_vpn_phase1_free(&p1);
}

static void
p2_new_post(struct web_req *r)
{
	struct db_vpn_phase1 p1;

	if (load_p1(r, &p1) != 0)
		return;
	p2_save(r, &p1, NULL);
	db_vpn_phase1_free(&p1);
}

static void
p2_list_api(struct web_req *r)
{
	struct db_vpn_phase1 p1;
	struct db_vpn_phase2 *p = NULL;
	struct ifs ifs = { 0 };
	size_t n = 0, i;
	json_t *list = json_array();

	if (load_p1(r, &p1) != 0) {
		json_decref(list);
		return;
	}
	ifs_load(&ifs);
	if (db_vpn_phase2_list(r->app->db, p1.id, &p, &n) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(list, p2_json(r, &p[i], &ifs));
	db_vpn_phase2_list_free(p, n);
	free(ifs.v);
	db_vpn_phase1_free(&p1);
	web_json(r, 200, json_pack("{s:o}", "phase2", list));
}

static void
p2_get(struct web_req *r)
{
	struct db_vpn_phase2 p;
	struct db_vpn_phase1 p1;
	struct form f;
	struct ifs ifs = { 0 };

	if (load_p2(r, &p) != 0)
		return;
	if (r->is_api) {
		ifs_load(&ifs);
		web_json(r, 200, p2_json(r, &p, &ifs));
		free(ifs.v);
		db_vpn_phase2_free(&p);
		return;
	}
	if (db_vpn_phase1_get(r->app->db, p.phase1_id, &p1) != 0) {
		web_error(r, 500, "The Phase 1 could not be read.");
		db_vpn_phase2_free(&p);
		return;
	}
	form_init(&f, p2_fields, NFIELDS(p2_fields));
	p2_to_form(&f, &p);
	web_page(r, 200, "VPN / IPsec / Tunnels / Edit Phase 2", "vpn_phase2",
	    p2_ctx(r, &f, &p1, &p));
	form_free(&f);
	db_vpn_phase1_free(&p1);
	db_vpn_phase2_free(&p);
}

static void
p2_post(struct web_req *r)
{
	struct db_vpn_phase2 p;
	struct db_vpn_phase1 p1;

	if (load_p2(r, &p) != 0)
		return;
	if (db_vpn_phase1_get(r->app->db, p.phase1_id, &p1) != 0) {
		web_error(r, 500, "The Phase 1 could not be read.");
		db_vpn_phase2_free(&p);
		return;
	}
	p2_save(r, &p1, &p);
	db_vpn_phase1_free(&p1);
	db_vpn_phase2_free(&p);
}

static void
p2_delete(struct web_req *r)
{
	struct db_vpn_phase2 p;
	char lbl[200];

	if (load_p2(r, &p) != 0)
		return;
	vpn_phase_label(2, p.description, p.id, lbl, sizeof(lbl));
	if (web_delete_pending(r, db_vpn_phase2_delete, p.id, "Phase 2", lbl) == 0) {
		web_audit(r, "vpn.phase2.delete", lbl, NULL);
		web_deleted(r, "/vpn/ipsec/tunnels?msg=phase2-deleted");
	}
	db_vpn_phase2_free(&p);
}

const struct web_route web_routes_vpn[] = {
	{ "GET",    "/vpn/ipsec/mobile",			0, mobile_get },
	{ "POST",   "/vpn/ipsec/mobile",			0, mobile_put },
	{ "GET",    "/vpn/ipsec/tunnels",			0, tunnels_list },
	{ "GET",    "/vpn/ipsec/phase1/new",			0, p1_new_get },
	{ "POST",   "/vpn/ipsec/phase1/new",			0, p1_new_post },
	{ "GET",    "/vpn/ipsec/phase1/{id}",			0, p1_get },
	{ "POST",   "/vpn/ipsec/phase1/{id}",			0, p1_post },
	{ "POST",   "/vpn/ipsec/phase1/{id}/delete",		0, p1_delete },
	{ "GET",    "/vpn/ipsec/phase1/{id}/phase2/new",	0, p2_new_get },
	{ "POST",   "/vpn/ipsec/phase1/{id}/phase2/new",	0, p2_new_post },
	{ "GET",    "/vpn/ipsec/phase2/{id}",			0, p2_get },
	{ "POST",   "/vpn/ipsec/phase2/{id}",			0, p2_post },
	{ "POST",   "/vpn/ipsec/phase2/{id}/delete",		0, p2_delete },

	{ "GET",    "/api/v1/vpn/mobile",			0, mobile_get },
	{ "PUT",    "/api/v1/vpn/mobile",			0, mobile_put },
	{ "GET",    "/api/v1/vpn/phase1",			0, tunnels_list },
	{ "POST",   "/api/v1/vpn/phase1",			0, p1_new_post },
	{ "GET",    "/api/v1/vpn/phase1/{id}",			0, p1_get },
	{ "PUT",    "/api/v1/vpn/phase1/{id}",			0, p1_post },
	{ "DELETE", "/api/v1/vpn/phase1/{id}",			0, p1_delete },
	{ "GET",    "/api/v1/vpn/phase1/{id}/phase2",		0, p2_list_api },
	{ "POST",   "/api/v1/vpn/phase1/{id}/phase2",		0, p2_new_post },
	{ "GET",    "/api/v1/vpn/phase2/{id}",			0, p2_get },
	{ "PUT",    "/api/v1/vpn/phase2/{id}",			0, p2_post },
	{ "DELETE", "/api/v1/vpn/phase2/{id}",			0, p2_delete },
	{ NULL, NULL, 0, NULL },
};
