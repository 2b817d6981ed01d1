/*
 * ui-firewall — Firewall > Rules (tabs WAN, LAN, IPsec), Firewall > NAT:
 * Outbound and Firewall > Settings (interface assignment, automatic IPsec
 * rules), their JSON API under /api/v1/firewall/, and the "firewall"
 * object Apply writes into engine.json (firewall_render, called by
 * ui-apply.c).
 *
 * As on the VPN pages, every save is checked completely (a message next
 * to each field, nothing stored on any problem), recorded as a pending
 * change for the Apply banner, and audited; nothing here talks to the
 * engine.  Rules keep their order per tab (db/fw.c).  Up and Down are
 * submit buttons, so ordering works without script; static/app.js adds
 * drag and drop, which submits the same move form with a position.
 *
 * Source and destination are a type and a value: "any", "address" and
 * "network" (the value), or the aliases the engine fills in: "vpn_pool"
 * (the Mobile Clients pool), "lan_net" (the LAN interface's subnets),
 * "wan_address" (the WAN interface's addresses).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall.h"

#define NF(a)	(sizeof(a) / sizeof((a)[0]))
#define FAM4	1	/* address family bits */
#define FAM6	2

static const char *const tab_choices[] = { "wan", "lan", "ipsec", NULL };
static const char *const tab_labels[] = { "WAN", "LAN", "IPsec" };
static const char *const action_choices[] = { "pass", "block", "reject", NULL };
static const char *const action_labels[] = { "Pass", "Block", "Reject" };
static const char *const proto_choices[] = { "any", "tcp", "udp", "tcp/udp", "icmp", "esp",
	NULL };
static const char *const proto_labels[] = { "Any", "TCP", "UDP", "TCP/UDP", "ICMP", "ESP" };
static const char *const addr_choices[] = { "any", "address", "network", "vpn_pool", "lan_net",
	"wan_address", NULL };
static const char *const addr_labels[] = { "Any", "Single host or address", "Network",
	"VPN pool (mobile clients)", "LAN net", "WAN address" };
static const char *const addr_short[] = { "any", NULL, NULL, "VPN pool", "LAN net",
	"WAN address" };
static const char *const nat_mode_choices[] = { "automatic", "manual", "off", NULL };
static const char *const nat_mode_labels[] = {
	"Automatic: masquerade the VPN pool on WAN (what a full tunnel needs)",
	"Manual: only the rules below", "Off: no outbound NAT",
};
static const char *const nat_if_choices[] = { "wan", "lan", NULL };
static const char *const move_choices[] = { "up", "down", "top", "bottom", NULL };

static int
lookup(const char *const *choices, const char *s)
{
	int i;

	for (i = 0; s && choices[i]; i++)
		if (strcmp(choices[i], s) == 0)
			return i;
	return -1;
}

static const char *
label_of(const char *const *choices, const char *const *labels, const char *v)
{
	int i = lookup(choices, v);

	return i < 0 ? v : labels[i];
}

void
firewall_safe_text(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	unsigned char c;

	if (outlen == 0)
		return;
	for (; in && *in && o + 1 < outlen && o < 128; in++) {
		c = (unsigned char)*in;
		out[o++] = c < 0x80 && (isalnum(c) || strchr(" _.,:/()+=@-", c)) ? (char)c : '_';
	}
	out[o] = '\0';
}

/* ---------------------------------------------------------------- what a request needs */

struct fwenv {
	struct db_fw_settings s;
	struct vpn_iface *ifs;
	size_t		 nifs;
	int		 pool_fams;	/* of the Mobile Clients pool */
	int		 ike_on_wan;
};

int
firewall_ike_on(struct web_req *r, const char *wan_if)
{
	struct db_vpn_phase1 *p = NULL;
	struct db_vpn_mobile m;
	size_t n = 0, i;
	int on = 0;

	if (wan_if == NULL || *wan_if == '\0' || db_vpn_mobile_get(r->app->db, &m) != 0)
		return 0;
	/* The same choice as vpn_render: enabled, and mobile ones only while
	   mobile clients are on. */
	if (db_vpn_phase1_list(r->app->db, &p, &n) == 0)
		for (i = 0; i < n; i++)
			if (p[i].enabled && (!p[i].mobile || m.enabled) &&
			    (strcmp(p[i].iface, "any") == 0 || strcmp(p[i].iface, wan_if) == 0))
				on = 1;
	db_vpn_phase1_list_free(p, n);
	db_vpn_mobile_free(&m);
	return on;
}

static int
env_load(struct web_req *r, struct fwenv *e)
{
	struct db_vpn_mobile m;

	memset(e, 0, sizeof(*e));
	if (db_fw_settings_get(r->app->db, &e->s) != 0)
		return -1;
	if (vpn_ifaces(&e->ifs, &e->nifs) == -1) {
		e->ifs = NULL;
		e->nifs = 0;
	}
	if (db_vpn_mobile_get(r->app->db, &m) == 0) {
		e->pool_fams = (*m.pool4 ? FAM4 : 0) | (*m.pool6 ? FAM6 : 0);
		db_vpn_mobile_free(&m);
	}
	e->ike_on_wan = firewall_ike_on(r, e->s.wan_if);
	return 0;
}

static void
env_free(struct fwenv *e)
{
	db_fw_settings_free(&e->s);
	free(e->ifs);
}

static int
iface_fams(const struct vpn_iface *ifs, size_t n, const char *name)
{
	size_t i;
	int f = 0;

	for (i = 0; name && *name && i < n; i++)
		if (strcmp(ifs[i].name, name) == 0)
			f |= ifs[i].family == AF_INET ? FAM4 : FAM6;
	return f;
}

/* The address families a source or destination can match (0: none). */
static int
addr_fams(const struct fwenv *e, const char *type, const char *value)
{
	switch (lookup(addr_choices, type)) {
	case 0:
		return FAM4 | FAM6;
	case 1:
	case 2:
		return strchr(value, ':') ? FAM6 : FAM4;
	case 3:
		return e->pool_fams;
	case 4:
		return iface_fams(e->ifs, e->nifs, e->s.lan_if);
	case 5:
		return iface_fams(e->ifs, e->nifs, e->s.wan_if);
	}
	return 0;
}

/* "10.1.0.10", "VPN pool", "any" for lists. */
static const char *
addr_text(const char *type, const char *value)
{
	int i = lookup(addr_choices, type);

	return i < 0 ? type : addr_short[i] ? addr_short[i] : value;
}

/* ---------------------------------------------------------------- checks */

/* Canonical text of an address or network (IPv6 in RFC 5952 form). */
static void
canon_net(const char *in, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN + 1], t[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *slash = strchr(in, '/');
	size_t n = slash ? (size_t)(slash - in) : strlen(in);
	int af;

	snprintf(out, outlen, "%s", in);
	if (n >= sizeof(a))
		return;
	memcpy(a, in, n);
	a[n] = '\0';
	af = strchr(a, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(af, a, bin) != 1 || inet_ntop(af, bin, t, sizeof(t)) == NULL)
		return;
	snprintf(out, outlen, "%s%s", t, slash ? slash : "");
}

/*
 * One side of a rule: its type and value (fields <side>_type and <side>).
 * Stores the canonical value ("" for the aliases) back into the form.
 */
static void
check_side(struct form *f, const struct fwenv *e, const char *side)
{
	char tf[32], canon[80], msg[160];
	const char *type, *v;

	snprintf(tf, sizeof(tf), "%s_type", side);
	if (json_object_get(f->errors, tf) || json_object_get(f->errors, side))
		return;
	type = form_str(f, tf);
	v = form_str(f, side);
	switch (lookup(addr_choices, type)) {
	case 1:
		if (*v == '\0')
			form_error(f, side, "Enter the address, such as 10.1.0.10 or 2001:db8::10.");
		else if (!valid_ipv4(v) && !valid_ipv6(v))
			form_error(f, side, "\"%s\" is not an IPv4 or IPv6 address (for a network,"
			    " choose Network).", v);
		else {
			canon_net(v, canon, sizeof(canon));
			form_set(f, side, canon);
		}
		return;
	case 2:
		if (*v == '\0')
			form_error(f, side, "Enter the network, such as 10.1.0.0/24.");
		else if (!valid_cidr(v, 0, msg, sizeof(msg)))
			form_error(f, side, "%s", msg);
		else {
			canon_net(v, canon, sizeof(canon));
			form_set(f, side, canon);
		}
		return;
	case 3:
		if (e->pool_fams == 0)
			form_error(f, tf, "No VPN pool is configured: set one under VPN > IPsec >"
			    " Mobile Clients first.");
		break;
	case 4:
		if (*e->s.lan_if == '\0')
			form_error(f, tf, "No LAN interface is assigned: assign one under Firewall >"
			    " Settings first.");
		else if (iface_fams(e->ifs, e->nifs, e->s.lan_if) == 0)
			form_error(f, tf, "The LAN interface %s has no address, so LAN net is"
			    " empty.", e->s.lan_if);
		break;
	case 5:
		if (*e->s.wan_if == '\0')
			form_error(f, tf, "No WAN interface is assigned: assign one under Firewall >"
			    " Settings first.");
		else if (iface_fams(e->ifs, e->nifs, e->s.wan_if) == 0)
			form_error(f, tf, "The WAN interface %s has no address.", e->s.wan_if);
		break;
	}
	/* Any and the aliases take no value. */
	form_set(f, side, "");
}

/* "443" or "1024-65535": 0 and the normalised text, or -1 and a message. */
static int
check_ports(const char *s, char *norm, size_t normlen, char *msg, size_t msglen)
{
	long long lo, hi;
	const char *dash = strchr(s, '-');
	char a[8], b[8];
	size_t n;

	if (*s == '\0') {
		*norm = '\0';
		return 0;
	}
	n = dash ? (size_t)(dash - s) : strlen(s);
	if (n == 0 || n >= sizeof(a) || (dash && strlen(dash + 1) >= sizeof(b)))
		goto bad;
	memcpy(a, s, n);
	a[n] = '\0';
	snprintf(b, sizeof(b), "%s", dash ? dash + 1 : a);
	if (!isdigit((unsigned char)a[0]) || !isdigit((unsigned char)b[0]) ||
	    parse_int(a, 0, 99999, &lo) != 0 || parse_int(b, 0, 99999, &hi) != 0)
		goto bad;
	if (lo < 1 || hi < 1 || lo > 65535 || hi > 65535) {
		snprintf(msg, msglen, "Ports are numbers from 1 to 65535.");
		return -1;
	}
	if (lo > hi) {
		snprintf(msg, msglen, "The range %lld-%lld is reversed: write %lld-%lld.", lo, hi,
		    hi, lo);
		return -1;
	}
	if (lo == hi)
		snprintf(norm, normlen, "%lld", lo);
	else
		snprintf(norm, normlen, "%lld-%lld", lo, hi);
	return 0;
bad:
	snprintf(msg, msglen, "Enter a port such as 443 or a range such as 1024-65535.");
	return -1;
}

/* ---------------------------------------------------------------- API helpers */

/* Adds the value of every field the client did not send from base (the
   stored object or the defaults), so an API client sends only what changes. */
static void
fill_absent(struct web_params *in, const struct form *base, const struct form_field *fields,
    size_t n, const char *const *only)
{
	const char *v;
	size_t i;

	for (i = 0; i < n; i++) {
		if (web_param_find(in, fields[i].name) != NULL)
			continue;
		if (only && lookup(only, fields[i].name) < 0)
			continue;
		v = json_string_value(json_object_get(base->values, fields[i].name));
		if (v)
			web_param_add(in, fields[i].name, v, strlen(v), NULL);
	}
}

/* ---------------------------------------------------------------- rules: form */

static const struct form_field rule_fields[] = {
	{ .name = "tab", .label = "Interface", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = tab_choices },
	{ .name = "action", .label = "Action", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = action_choices },
	{ .name = "disabled", .label = "Disabled", .type = FORM_BOOL },
	{ .name = "protocol", .label = "Protocol", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = proto_choices },
	{ .name = "source_type", .label = "Source", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = addr_choices },
	{ .name = "source", .label = "Source address", .type = FORM_TEXT, .max = 64 },
	{ .name = "source_ports", .label = "Source port", .type = FORM_TEXT, .max = 16 },
	{ .name = "destination_type", .label = "Destination", .type = FORM_ENUM,
	  .flags = FORM_REQUIRED, .choices = addr_choices },
	{ .name = "destination", .label = "Destination address", .type = FORM_TEXT, .max = 64 },
	{ .name = "destination_ports", .label = "Destination port", .type = FORM_TEXT,
	  .max = 16 },
	{ .name = "log", .label = "Log", .type = FORM_BOOL },
	{ .name = "description", .label = "Description", .type = FORM_TEXT, .max = 128 },
};

static void
rule_defaults(struct form *f, const char *tab)
{
	form_set(f, "tab", lookup(tab_choices, tab) >= 0 ? tab : "wan");
	form_set(f, "action", "pass");
	form_set(f, "disabled", "0");
	form_set(f, "protocol", "any");
	form_set(f, "source_type", "any");
	form_set(f, "destination_type", "any");
	form_set(f, "log", "0");
}

static void
rule_to_form(struct form *f, const struct db_fw_rule *r)
{
	form_set(f, "tab", r->tab);
	form_set(f, "action", r->action);
	form_set(f, "disabled", r->disabled ? "1" : "0");
	form_set(f, "protocol", r->protocol);
	form_set(f, "source_type", r->src_type);
	form_set(f, "source", r->src_value);
	form_set(f, "source_ports", r->src_ports);
	form_set(f, "destination_type", r->dst_type);
	form_set(f, "destination", r->dst_value);
	form_set(f, "destination_ports", r->dst_ports);
	form_set(f, "log", r->log ? "1" : "0");
	form_set(f, "description", r->description);
}

/* Every cross-field rule of a filter rule. */
static void
check_rule(struct form *f, const struct fwenv *e)
{
	static const char *const pf[] = { "source_ports", "destination_ports" };
	const char *proto = form_str(f, "protocol");
	char norm[16], msg[160];
	int i, sf, df, has_ports = 0;

	check_side(f, e, "source");
	check_side(f, e, "destination");
	for (i = 0; i < 2; i++) {
		if (json_object_get(f->errors, pf[i]))
			continue;
		if (check_ports(form_str(f, pf[i]), norm, sizeof(norm), msg, sizeof(msg)) != 0)
			form_error(f, pf[i], "%s", msg);
		else
			form_set(f, pf[i], norm);
		has_ports |= *form_str(f, pf[i]) != '\0';
	}
	if (has_ports && *proto && strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 &&
	    strcmp(proto, "tcp/udp") != 0) {
		for (i = 0; i < 2; i++)
			if (*form_str(f, pf[i]))
				form_error(f, pf[i], "Ports need protocol TCP, UDP or TCP/UDP: protocol"
				    " %s has no ports.", label_of(proto_choices, proto_labels, proto));
	}
	if (json_object_get(f->errors, "source") || json_object_get(f->errors, "source_type") ||
	    json_object_get(f->errors, "destination") ||
	    json_object_get(f->errors, "destination_type"))
		return;
	sf = addr_fams(e, form_str(f, "source_type"), form_str(f, "source"));
	df = addr_fams(e, form_str(f, "destination_type"), form_str(f, "destination"));
	if ((sf & df) == 0)
		form_error(f, "destination", "The source is %s only and the destination %s only:"
		    " a rule matches one address family, so it could never match.",
		    sf == FAM4 ? "IPv4" : "IPv6", df == FAM4 ? "IPv4" : "IPv6");
}

static void
rule_from_form(const struct form *f, struct db_fw_rule *r)
{
	r->tab = (char *)form_str(f, "tab");
	r->action = (char *)form_str(f, "action");
	r->disabled = form_bool(f, "disabled");
	r->protocol = (char *)form_str(f, "protocol");
	r->src_type = (char *)form_str(f, "source_type");
	r->src_value = (char *)form_str(f, "source");
	r->src_ports = (char *)form_str(f, "source_ports");
	r->dst_type = (char *)form_str(f, "destination_type");
	r->dst_value = (char *)form_str(f, "destination");
	r->dst_ports = (char *)form_str(f, "destination_ports");
	r->log = form_bool(f, "log");
	r->description = (char *)form_str(f, "description");
}

/* "WAN rule #12 'ssh'" for the banner and the audit log. */
static void
rule_label(const struct db_fw_rule *r, char *out, size_t outlen)
{
	const char *tab = label_of(tab_choices, tab_labels, r->tab);

	if (r->description && *r->description)
		snprintf(out, outlen, "Firewall %s rule '%.80s'", tab, r->description);
	else
		snprintf(out, outlen, "Firewall %s rule #%lld", tab, (long long)r->id);
}

static json_t *
rule_json(const struct db_fw_rule *r)
{
	char kept[160];

	firewall_safe_text(r->description, kept, sizeof(kept));
	return json_pack("{s:I, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s,"
	    " s:s}", "id", (json_int_t)r->id, "tab", r->tab, "position", r->position,
	    "action", r->action, "protocol", r->protocol, "source_type", r->src_type,
	    "source", r->src_value, "source_ports", r->src_ports,
	    "destination_type", r->dst_type, "destination", r->dst_value,
	    "destination_ports", r->dst_ports, "log", r->log, "disabled", r->disabled,
	    "description", r->description, "description_kept", kept);
}

/* ---------------------------------------------------------------- rules: list */

static const char *
tab_param(struct web_req *r)
{
	const char *t = web_param_get(&r->query, "tab");

	return lookup(tab_choices, t) >= 0 ? t : NULL;
}

/* The rules the engine adds itself, shown read-only at the top of WAN. */
static json_t *
auto_rules(const struct fwenv *e)
{
	json_t *out = json_array();

	if (*e->s.wan_if == '\0' || !e->s.auto_ipsec || !e->ike_on_wan)
		return out;
	json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "protocol", "UDP",
	    "destination", "WAN address", "ports", "500 (IKE), 4500 (NAT-T)", "description",
	    "auto: IKE and NAT-T"));
	json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "protocol", "ESP",
	    "destination", "WAN address", "ports", "", "description", "auto: ESP"));
	return out;
}

static void
rules_list(struct web_req *r)
{
	struct fwenv e;
	struct db_fw_rule *v = NULL;
	size_t n = 0, i;
	const char *tab = tab_param(r);
	json_t *list = json_array(), *ctx, *tabs, *row;
	char kept[160];
	int t;

	if (env_load(r, &e) != 0 || db_fw_rule_list(r->app->db, r->is_api ? tab :
	    tab ? tab : "wan", &v, &n) != 0) {
		env_free(&e);
		json_decref(list);
		web_error(r, 500, "The firewall rules could not be read.");
		return;
	}
	if (r->is_api) {
		for (i = 0; i < n; i++)
			json_array_append_new(list, rule_json(&v[i]));
		ctx = json_pack("{s:o}", "rules", list);
		if (tab) {
			json_object_set_new(ctx, "tab", json_string(tab));
			if (strcmp(tab, "wan") == 0)
				json_object_set_new(ctx, "automatic", auto_rules(&e));
			json_object_set_new(ctx, "default", json_string(strcmp(tab, "lan") == 0 ?
			    "pass" : "block"));
		}
		json_object_set_new(ctx, "active", json_boolean(*e.s.wan_if != '\0'));
		web_json(r, 200, ctx);
		goto out;
	}
	if (tab == NULL)
		tab = "wan";
	t = lookup(tab_choices, tab);
	for (i = 0; i < n; i++) {
		firewall_safe_text(v[i].description, kept, sizeof(kept));
		row = json_pack("{s:I, s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s,"
		    " s:b, s:b}", "id", (json_int_t)v[i].id, "position", v[i].position,
		    "n", (json_int_t)i + 1, "action", v[i].action,
		    "action_label", label_of(action_choices, action_labels, v[i].action),
		    "protocol", label_of(proto_choices, proto_labels, v[i].protocol),
		    "source", addr_text(v[i].src_type, v[i].src_value),
		    "source_ports", *v[i].src_ports ? v[i].src_ports : "*",
		    "destination", addr_text(v[i].dst_type, v[i].dst_value),
		    "destination_ports", *v[i].dst_ports ? v[i].dst_ports : "*",
		    "log", v[i].log, "disabled", v[i].disabled, "description", v[i].description,
		    "can_up", i > 0, "can_down", i + 1 < n);
		if (strcmp(kept, v[i].description) != 0)
			json_object_set_new(row, "kept", json_string(kept));
		json_array_append_new(list, row);
	}
	tabs = json_array();
	for (i = 0; tab_choices[i]; i++)
		json_array_append_new(tabs, json_pack("{s:s, s:s, s:b}", "value", tab_choices[i],
		    "label", tab_labels[i], "current", (int)i == t));
	ctx = web_ctx(r);
	json_object_set_new(ctx, "tabs", tabs);
	json_object_set_new(ctx, "tab", json_string(tab));
	json_object_set_new(ctx, "tab_label", json_string(tab_labels[t]));
	json_object_set_new(ctx, "rules", list);
	json_object_set_new(ctx, "active", json_boolean(*e.s.wan_if != '\0'));
	json_object_set_new(ctx, "wan_if", json_string(e.s.wan_if));
	json_object_set_new(ctx, "is_wan", json_boolean(t == 0));
	json_object_set_new(ctx, "is_lan", json_boolean(t == 1));
	json_object_set_new(ctx, "lan_missing", json_boolean(t == 1 && *e.s.lan_if == '\0'));
	if (t == 0) {
		json_object_set_new(ctx, "auto_rules", auto_rules(&e));
		json_object_set_new(ctx, "auto_off", json_boolean(!e.s.auto_ipsec));
		json_object_set_new(ctx, "auto_idle", json_boolean(e.s.auto_ipsec && !e.ike_on_wan));
	}
	web_page(r, 200, "Firewall / Rules", "fw_rules", ctx);
	list = NULL;
out:
	db_fw_rule_list_free(v, n);
	env_free(&e);
}

/* ---------------------------------------------------------------- rules: edit */

static json_t *
rule_ctx(struct web_req *r, const struct form *f, const struct db_fw_rule *old, int with_errors)
{
	json_t *ctx = web_ctx(r), *fc = form_context(f);
	const char *tab = json_string_value(json_object_get(f->entered, "tab"));

	if (!with_errors)
		json_object_set_new(fc, "has_errors", json_false());
	json_object_set_new(ctx, "form", fc);
	json_object_set_new(ctx, "tabs", form_options(tab_choices, tab_labels, tab));
	json_object_set_new(ctx, "actions", form_options(action_choices, action_labels,
	    json_string_value(json_object_get(f->entered, "action"))));
	json_object_set_new(ctx, "protocols", form_options(proto_choices, proto_labels,
	    json_string_value(json_object_get(f->entered, "protocol"))));
	json_object_set_new(ctx, "source_types", form_options(addr_choices, addr_labels,
	    json_string_value(json_object_get(f->entered, "source_type"))));
	json_object_set_new(ctx, "destination_types", form_options(addr_choices, addr_labels,
	    json_string_value(json_object_get(f->entered, "destination_type"))));
	json_object_set_new(ctx, "back_tab", json_string(lookup(tab_choices, tab) >= 0 ? tab :
	    "wan"));
	if (old)
		json_object_set_new(ctx, "edit", json_pack("{s:I}", "id", (json_int_t)old->id));
	return ctx;
}

static const char *
rule_title(const struct db_fw_rule *old)
{
	return old ? "Firewall / Rules / Edit" : "Firewall / Rules / Add";
}

static void
rule_save(struct web_req *r, struct db_fw_rule *old)
{
	struct form f, base;
	struct fwenv e;
	struct db_fw_rule nr;
	char lbl[200], to[64];
	int rc;

	if (env_load(r, &e) != 0) {
		web_error(r, 500, "The firewall settings could not be read.");
		return;
	}
	if (r->is_api) {
		const char *qt = tab_param(r);

		form_init(&base, rule_fields, NF(rule_fields));
		if (old)
			rule_to_form(&base, old);
		else
			rule_defaults(&base, qt ? qt : "wan");
		fill_absent(&r->form, &base, rule_fields, NF(rule_fields), NULL);
		form_free(&base);
	}
	form_validate(&f, rule_fields, NF(rule_fields), &r->form);
	check_rule(&f, &e);
	if (!form_ok(&f)) {
		web_form_invalid(r, &f, rule_title(old), "fw_rule", r->is_api ? NULL :
		    rule_ctx(r, &f, old, 1));
		goto out;
	}
	memset(&nr, 0, sizeof(nr));
	rule_from_form(&f, &nr);
	nr.id = old ? old->id : 0;
	if (db_begin(r->app->db) != 0)
		goto dberr;
	rc = old ? db_fw_rule_update(r->app->db, &nr) : db_fw_rule_insert(r->app->db, &nr);
	if (rc != 0)
		goto dbfail;
	rule_label(&nr, lbl, sizeof(lbl));
	web_pending(r, "%s %s", lbl, old ? "changed" : "added");
	if (db_commit(r->app->db) != 0)
		goto dbfail;
	web_audit(r, old ? "firewall.rule.update" : "firewall.rule.create", lbl,
	    "tab=%s action=%s protocol=%s source=%s:%s:%s destination=%s:%s:%s log=%d disabled=%d",
	    nr.tab, nr.action, nr.protocol, nr.src_type, nr.src_value, nr.src_ports, nr.dst_type,
	    nr.dst_value, nr.dst_ports, nr.log, nr.disabled);
	if (r->is_api) {
		struct db_fw_rule saved;

		if (db_fw_rule_get(r->app->db, nr.id, &saved) == 0) {
			web_json(r, old ? 200 : 201, rule_json(&saved));
			db_fw_rule_free(&saved);
		} else
			web_error(r, 500, "Saved, but could not be read back.");
	} else {
		snprintf(to, sizeof(to), "/firewall/rules?tab=%s&msg=fw-rule-saved", nr.tab);
		web_redirect(r, to);
	}
	goto out;
dbfail:
	db_rollback(r->app->db);
dberr:
	fprintf(stderr, "ikegw-web: firewall rule save: %s\n", db_errmsg(r->app->db));
	web_error(r, 500, "The firewall rule could not be saved.");
out:
	form_free(&f);
	env_free(&e);
}

static int
load_rule(struct web_req *r, struct db_fw_rule *v)
{
	return web_load_result(r, db_fw_rule_get(r->app->db, r->path_id[0], v), "firewall rule");
}

static void
rule_new_get(struct web_req *r)
{
	struct form f;
	const char *tab = tab_param(r);

	form_init(&f, rule_fields, NF(rule_fields));
	rule_defaults(&f, tab ? tab : "wan");
	web_page(r, 200, rule_title(NULL), "fw_rule", rule_ctx(r, &f, NULL, 0));
	form_free(&f);
}

static void
rule_new_post(struct web_req *r)
{
	rule_save(r, NULL);
}

static void
rule_get(struct web_req *r)
{
	struct db_fw_rule v;
	struct form f;

	if (load_rule(r, &v) != 0)
		return;
	if (r->is_api) {
		web_json(r, 200, rule_json(&v));
		db_fw_rule_free(&v);
		return;
	}
	form_init(&f, rule_fields, NF(rule_fields));
	rule_to_form(&f, &v);
	web_page(r, 200, rule_title(&v), "fw_rule", rule_ctx(r, &f, &v, 0));
	form_free(&f);
	db_fw_rule_free(&v);
}

static void
rule_post(struct web_req *r)
{
	struct db_fw_rule v;

	if (load_rule(r, &v) != 0)
		return;
	rule_save(r, &v);
	db_fw_rule_free(&v);
}

static void
rule_delete(struct web_req *r)
{
	struct db_fw_rule v;
	char lbl[200], to[64];

	if (load_rule(r, &v) != 0)
		return;
	rule_label(&v, lbl, sizeof(lbl));
	if (web_delete_pending(r, db_fw_rule_delete, v.id, "firewall rule", lbl) == 0) {
		web_audit(r, "firewall.rule.delete", lbl, "tab=%s position=%d", v.tab,
		    v.position + 1);
		snprintf(to, sizeof(to), "/firewall/rules?tab=%s&msg=fw-rule-deleted", v.tab);
		web_deleted(r, to);
	}
	db_fw_rule_free(&v);
}

static const struct form_field move_fields[] = {
	{ .name = "to", .label = "Move", .type = FORM_ENUM, .choices = move_choices },
	{ .name = "position", .label = "Position", .type = FORM_INT, .min = 0, .max = 1000000 },
};

/* Up/Down/Top/Bottom buttons, or a position (0 = first) from drag and drop
   or the API.  The rules in between shift by one. */
static void
rule_move(struct web_req *r)
{
	struct db_fw_rule v, *all = NULL;
	struct form f;
	const char *to;
	long long pos;
	size_t n = 0, i;
	char where[64], lbl[200];
	int moved = 0;
	json_t *ids;

	if (load_rule(r, &v) != 0)
		return;
	form_validate(&f, move_fields, NF(move_fields), &r->form);
	to = form_str(&f, "to");
	if (form_ok(&f) && *to == '\0' && *form_str(&f, "position") == '\0')
		form_error(&f, "position", "Say where the rule goes: a position (0 is the top) or"
		    " to = up, down, top or bottom.");
	if (!form_ok(&f)) {
		if (r->is_api)
			web_form_invalid(r, &f, NULL, NULL, NULL);
		else
			web_error(r, 400, "The rule could not be moved: the request was incomplete.");
		goto out;
	}
	pos = strcmp(to, "up") == 0 ? v.position - 1 : strcmp(to, "down") == 0 ? v.position + 1 :
	    strcmp(to, "top") == 0 ? 0 : strcmp(to, "bottom") == 0 ? 1000000 :
	    form_int(&f, "position");
	if (db_begin(r->app->db) != 0 || db_fw_rule_move(r->app->db, v.id, pos, &moved) != 0) {
		db_rollback(r->app->db);
		web_error(r, 500, "The firewall rule could not be moved.");
		goto out;
	}
	rule_label(&v, lbl, sizeof(lbl));
	if (moved != v.position)
		web_pending(r, "Firewall %s rules reordered", label_of(tab_choices, tab_labels,
		    v.tab));
	if (db_commit(r->app->db) != 0) {
		db_rollback(r->app->db);
		web_error(r, 500, "The firewall rule could not be moved.");
		goto out;
	}
	web_audit(r, "firewall.rule.move", lbl, "tab=%s from=%d to=%d", v.tab, v.position + 1,
	    moved + 1);
	if (!r->is_api) {
		snprintf(where, sizeof(where), "/firewall/rules?tab=%s", v.tab);
		web_redirect(r, where);
		goto out;
	}
	ids = json_array();
	if (db_fw_rule_list(r->app->db, v.tab, &all, &n) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(ids, json_integer(all[i].id));
	db_fw_rule_list_free(all, n);
	web_json(r, 200, json_pack("{s:I, s:s, s:i, s:o}", "id", (json_int_t)v.id, "tab", v.tab,
	    "position", moved, "order", ids));
out:
	form_free(&f);
	db_fw_rule_free(&v);
}

/* ---------------------------------------------------------------- settings */

static const struct form_field settings_fields[] = {
	{ .name = "wan", .label = "WAN interface", .type = FORM_TEXT, .max = 15 },
	{ .name = "lan", .label = "LAN interface", .type = FORM_TEXT, .max = 15 },
	{ .name = "auto_ipsec", .label = "Automatic IPsec rules", .type = FORM_BOOL },
	{ .name = "nat_mode", .label = "Outbound NAT mode", .type = FORM_ENUM,
	  .flags = FORM_REQUIRED, .choices = nat_mode_choices },
};

static void
settings_to_form(struct form *f, const struct db_fw_settings *s)
{
	form_set(f, "wan", s->wan_if);
	form_set(f, "lan", s->lan_if);
	form_set(f, "auto_ipsec", s->auto_ipsec ? "1" : "0");
	form_set(f, "nat_mode", s->nat_mode);
}

static json_t *
settings_json(const struct fwenv *e)
{
	return json_pack("{s:s, s:s, s:b, s:s, s:b}", "wan", e->s.wan_if, "lan", e->s.lan_if,
	    "auto_ipsec", e->s.auto_ipsec, "nat_mode", e->s.nat_mode, "active",
	    *e->s.wan_if != '\0');
}

/* <option>s of the machine's interfaces; a stored one that is gone stays. */
static json_t *
iface_options(const struct fwenv *e, const char *selected)
{
	json_t *out = vpn_iface_options(e->ifs, e->nifs, selected, 0);

	json_array_insert_new(out, 0, json_pack("{s:s, s:s, s:b}", "value", "", "label",
	    "(not assigned)", "selected", selected == NULL || *selected == '\0'));
	if (selected && *selected && !vpn_iface_has(e->ifs, e->nifs, selected, 0))
		json_array_append_new(out, json_pack("{s:s, s:s++, s:b}", "value", selected,
		    "label", selected, " (not present: no address)", "selected", 1));
	return out;
}

static json_t *
settings_ctx(struct web_req *r, const struct form *f, const struct fwenv *e)
{
	json_t *ctx = web_ctx(r);

	json_object_set_new(ctx, "form", form_context(f));
	json_object_set_new(ctx, "wans", iface_options(e, json_string_value(json_object_get(
	    f->entered, "wan"))));
	json_object_set_new(ctx, "lans", iface_options(e, json_string_value(json_object_get(
	    f->entered, "lan"))));
	return ctx;
}

/* An assigned interface: a name this machine has with an address (or
   the one stored already, which may be down right now). */
static void
check_iface(struct form *f, const struct fwenv *e, const char *field, const char *stored)
{
	const char *v = form_str(f, field), *c;

	if (*v == '\0' || json_object_get(f->errors, field))
		return;
	for (c = v; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._-", *c)) {
			form_error(f, field, "\"%s\" is not an interface name.", v);
			return;
		}
	if (strcmp(v, stored) != 0 && !vpn_iface_has(e->ifs, e->nifs, v, 0))
		form_error(f, field, "This machine has no interface \"%s\" with an address.", v);
}

static const char *const settings_page_fields[] = { "wan", "lan", "auto_ipsec", NULL };
static const char *const nat_page_fields[] = { "nat_mode", NULL };

/*
 * Saves the settings.  The API may send any subset; an HTML page sends
 * its own fields (page, NULL-terminated) and the others keep their value.
 * 0 when saved, -1 when a response (field messages, an error) was given.
 */
static int
settings_save(struct web_req *r, struct fwenv *e, const char *const *page, struct form *f)
{
	struct form base;
	struct db_fw_settings ns;
	const char *const *keep = NULL;
	static const char *const not_settings_page[] = { "nat_mode", NULL };
	static const char *const not_nat_page[] = { "wan", "lan", "auto_ipsec", NULL };

	if (page == settings_page_fields)
		keep = not_settings_page;
	else if (page == nat_page_fields)
		keep = not_nat_page;
	form_init(&base, settings_fields, NF(settings_fields));
	settings_to_form(&base, &e->s);
	fill_absent(&r->form, &base, settings_fields, NF(settings_fields), r->is_api ? NULL : keep);
	form_free(&base);
	form_validate(f, settings_fields, NF(settings_fields), &r->form);
	check_iface(f, e, "wan", e->s.wan_if);
	check_iface(f, e, "lan", e->s.lan_if);
	if (*form_str(f, "lan") && strcmp(form_str(f, "lan"), form_str(f, "wan")) == 0)
		form_error(f, "lan", "WAN and LAN must be different interfaces.");
	if (*form_str(f, "wan") == '\0' && *form_str(f, "lan") && !json_object_get(f->errors, "wan"))
		form_error(f, "wan", "Assign WAN first: without WAN the firewall is not active.");
	if (!form_ok(f))
		return -1;
	memset(&ns, 0, sizeof(ns));
	ns.wan_if = (char *)form_str(f, "wan");
	ns.lan_if = (char *)form_str(f, "lan");
	ns.auto_ipsec = form_bool(f, "auto_ipsec");
	ns.nat_mode = (char *)form_str(f, "nat_mode");
	if (db_begin(r->app->db) != 0 || db_fw_settings_set(r->app->db, &ns) != 0) {
		db_rollback(r->app->db);
		web_error(r, 500, "The firewall settings could not be saved.");
		return -1;
	}
	if (strcmp(ns.wan_if, e->s.wan_if) != 0 || strcmp(ns.lan_if, e->s.lan_if) != 0)
		web_pending(r, "Interface assignment changed (WAN %s, LAN %s)",
		    *ns.wan_if ? ns.wan_if : "none", *ns.lan_if ? ns.lan_if : "none");
	if (ns.auto_ipsec != e->s.auto_ipsec)
		web_pending(r, "Automatic IPsec firewall rules turned %s", ns.auto_ipsec ? "on" :
		    "off");
	if (strcmp(ns.nat_mode, e->s.nat_mode) != 0)
		web_pending(r, "Outbound NAT mode set to %s", ns.nat_mode);
	if (db_commit(r->app->db) != 0) {
		db_rollback(r->app->db);
		web_error(r, 500, "The firewall settings could not be saved.");
		return -1;
	}
	web_audit(r, "firewall.settings.update", "firewall", "wan=%s lan=%s auto_ipsec=%d nat=%s",
	    ns.wan_if, ns.lan_if, ns.auto_ipsec, ns.nat_mode);
	db_fw_settings_free(&e->s);
	if (db_fw_settings_get(r->app->db, &e->s) != 0) {
		web_error(r, 500, "Saved, but could not be read back.");
		return -1;
	}
	return 0;
}

static void
settings_get(struct web_req *r)
{
	struct fwenv e;
	struct form f;

	if (env_load(r, &e) != 0) {
		web_error(r, 500, "The firewall settings could not be read.");
		return;
	}
	if (r->is_api) {
		web_json(r, 200, settings_json(&e));
		env_free(&e);
		return;
	}
	form_init(&f, settings_fields, NF(settings_fields));
	settings_to_form(&f, &e.s);
	web_page(r, 200, "Firewall / Settings", "fw_settings", settings_ctx(r, &f, &e));
	form_free(&f);
	env_free(&e);
}

static void
settings_post(struct web_req *r)
{
	struct fwenv e;
	struct form f;

	if (env_load(r, &e) != 0) {
		web_error(r, 500, "The firewall settings could not be read.");
		return;
	}
	if (settings_save(r, &e, settings_page_fields, &f) == 0) {
		if (r->is_api)
			web_json(r, 200, settings_json(&e));
		else
			web_redirect(r, "/firewall/settings?msg=fw-settings-saved");
	} else if (!form_ok(&f))
		web_form_invalid(r, &f, "Firewall / Settings", "fw_settings", r->is_api ? NULL :
		    settings_ctx(r, &f, &e));
	form_free(&f);
	env_free(&e);
}

/* ---------------------------------------------------------------- NAT rules */

static const struct form_field nat_fields[] = {
	{ .name = "interface", .label = "Interface", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = nat_if_choices },
	{ .name = "disabled", .label = "Disabled", .type = FORM_BOOL },
	{ .name = "source_type", .label = "Source", .type = FORM_ENUM, .flags = FORM_REQUIRED,
	  .choices = addr_choices },
	{ .name = "source", .label = "Source address", .type = FORM_TEXT, .max = 64 },
	{ .name = "destination_type", .label = "Destination", .type = FORM_ENUM,
	  .flags = FORM_REQUIRED, .choices = addr_choices },
	{ .name = "destination", .label = "Destination address", .type = FORM_TEXT, .max = 64 },
	{ .name = "translation", .label = "Translation", .type = FORM_TEXT, .max = 64 },
	{ .name = "description", .label = "Description", .type = FORM_TEXT, .max = 128 },
};

static void
nat_defaults(struct form *f)
{
	form_set(f, "interface", "wan");
	form_set(f, "disabled", "0");
	form_set(f, "source_type", "vpn_pool");
	form_set(f, "destination_type", "any");
	form_set(f, "translation", "masquerade");
}

static void
nat_to_form(struct form *f, const struct db_fw_nat *n)
{
	form_set(f, "interface", n->iface);
	form_set(f, "disabled", n->disabled ? "1" : "0");
	form_set(f, "source_type", n->src_type);
	form_set(f, "source", n->src_value);
	form_set(f, "destination_type", n->dst_type);
	form_set(f, "destination", n->dst_value);
	form_set(f, "translation", n->translation);
	form_set(f, "description", n->description);
}

static void
check_nat(struct form *f, const struct fwenv *e)
{
	const char *ifc = form_str(f, "interface"), *t = form_str(f, "translation");
	char canon[INET6_ADDRSTRLEN];
	int sf, df, tf;

	if (strcmp(ifc, "wan") == 0 && *e->s.wan_if == '\0')
		form_error(f, "interface", "No WAN interface is assigned: assign one under"
		    " Firewall > Settings first.");
	else if (strcmp(ifc, "lan") == 0 && *e->s.lan_if == '\0')
		form_error(f, "interface", "No LAN interface is assigned: assign one under"
		    " Firewall > Settings first.");
	check_side(f, e, "source");
	check_side(f, e, "destination");
	if (*t == '\0' || strcmp(t, "masquerade") == 0)
		form_set(f, "translation", "masquerade");
	else if (!valid_ipv4(t) && !valid_ipv6(t))
		form_error(f, "translation", "Enter \"masquerade\" (the interface's own address) or"
		    " an IP address.");
	else {
		canon_net(t, canon, sizeof(canon));
		form_set(f, "translation", canon);
	}
	if (json_object_get(f->errors, "source") || json_object_get(f->errors, "source_type") ||
	    json_object_get(f->errors, "destination") ||
	    json_object_get(f->errors, "destination_type") || json_object_get(f->errors,
	    "translation"))
		return;
	sf = addr_fams(e, form_str(f, "source_type"), form_str(f, "source"));
	df = addr_fams(e, form_str(f, "destination_type"), form_str(f, "destination"));
	t = form_str(f, "translation");
	tf = strcmp(t, "masquerade") == 0 ? FAM4 | FAM6 : strchr(t, ':') ? FAM6 : FAM4;
	if ((sf & df) == 0)
		form_error(f, "destination", "The source is %s only and the destination %s only:"
		    " the rule could never match.", sf == FAM4 ? "IPv4" : "IPv6", df == FAM4 ?
		    "IPv4" : "IPv6");
	else if ((sf & df & tf) == 0)
		form_error(f, "translation", "The translation address is %s, but the rule matches"
		    " only %s traffic.", tf == FAM4 ? "IPv4" : "IPv6", tf == FAM4 ? "IPv6" : "IPv4");
}

static void
nat_label(const struct db_fw_nat *n, char *out, size_t outlen)
{
	if (n->description && *n->description)
		snprintf(out, outlen, "Outbound NAT rule '%.80s'", n->description);
	else
		snprintf(out, outlen, "Outbound NAT rule #%lld", (long long)n->id);
}

static json_t *
nat_json(const struct db_fw_nat *n)
{
	return json_pack("{s:I, s:i, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "id", (json_int_t)n->id, "position", n->position, "interface", n->iface,
	    "disabled", n->disabled, "source_type", n->src_type, "source", n->src_value,
	    "destination_type", n->dst_type, "destination", n->dst_value,
	    "translation", n->translation, "description", n->description);
}

/* The automatic rule, shown read-only in automatic mode. */
static json_t *
nat_auto(const struct fwenv *e)
{
	if (strcmp(e->s.nat_mode, "automatic") != 0 || *e->s.wan_if == '\0')
		return json_array();
	return json_pack("[{s:s, s:s, s:s}]", "interface", e->s.wan_if, "source", "VPN pool",
	    "translation", "masquerade (the WAN address)");
}

/* The NAT page around f (the mode form). */
static json_t *
nat_page_ctx(struct web_req *r, const struct form *f, const struct fwenv *e,
    const struct db_fw_nat *v, size_t n)
{
	json_t *ctx = web_ctx(r), *list = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:I, s:I, s:s, s:b, s:s, s:s, s:s, s:s}",
		    "id", (json_int_t)v[i].id, "n", (json_int_t)i + 1, "interface",
		    label_of(nat_if_choices, tab_labels, v[i].iface), "disabled", v[i].disabled,
		    "source", addr_text(v[i].src_type, v[i].src_value),
		    "destination", addr_text(v[i].dst_type, v[i].dst_value),
		    "translation", v[i].translation, "description", v[i].description));
	json_object_set_new(ctx, "form", form_context(f));
	json_object_set_new(ctx, "modes", form_options(nat_mode_choices, nat_mode_labels,
	    json_string_value(json_object_get(f->entered, "nat_mode"))));
	json_object_set_new(ctx, "rules", list);
	json_object_set_new(ctx, "automatic", nat_auto(e));
	json_object_set_new(ctx, "active", json_boolean(*e->s.wan_if != '\0'));
	return ctx;
}

static void
nat_page(struct web_req *r)
{
	struct fwenv e;
	struct db_fw_nat *v = NULL;
	struct form f;
	size_t n = 0, i;
	json_t *list;

	if (env_load(r, &e) != 0 || db_fw_nat_list(r->app->db, &v, &n) != 0) {
		env_free(&e);
		web_error(r, 500, "The outbound NAT settings could not be read.");
		return;
	}
	if (r->is_api) {
		list = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(list, nat_json(&v[i]));
		web_json(r, 200, json_pack("{s:s, s:o, s:o}", "mode", e.s.nat_mode, "rules", list,
		    "automatic", nat_auto(&e)));
		goto out;
	}
	form_init(&f, settings_fields, NF(settings_fields));
	settings_to_form(&f, &e.s);
	web_page(r, 200, "Firewall / NAT / Outbound", "fw_nat", nat_page_ctx(r, &f, &e, v, n));
	form_free(&f);
out:
	db_fw_nat_list_free(v, n);
	env_free(&e);
}

static void
nat_mode_post(struct web_req *r)
{
	struct fwenv e;
	struct form f;
	struct db_fw_nat *v = NULL;
	size_t n = 0;

	if (env_load(r, &e) != 0) {
		web_error(r, 500, "The outbound NAT settings could not be read.");
		return;
	}
	/* The API answers with "mode" and takes it back too. */
	if (r->is_api && web_param_find(&r->form, "nat_mode") == NULL &&
	    web_param_get(&r->form, "mode") != NULL)
		web_param_add(&r->form, "nat_mode", web_param_get(&r->form, "mode"),
		    strlen(web_param_get(&r->form, "mode")), NULL);
	if (settings_save(r, &e, nat_page_fields, &f) == 0) {
		form_free(&f);
		env_free(&e);
		if (r->is_api)
			nat_page(r);
		else
			web_redirect(r, "/firewall/nat?msg=nat-saved");
		return;
	}
	if (!form_ok(&f)) {
		if (!r->is_api)
			(void)db_fw_nat_list(r->app->db, &v, &n);
		web_form_invalid(r, &f, "Firewall / NAT / Outbound", "fw_nat", r->is_api ? NULL :
		    nat_page_ctx(r, &f, &e, v, n));
	}
	db_fw_nat_list_free(v, n);
	form_free(&f);
	env_free(&e);
}

static json_t *
nat_ctx(struct web_req *r, const struct form *f, const struct db_fw_nat *old, int with_errors)
{
	json_t *ctx = web_ctx(r), *fc = form_context(f);

	if (!with_errors)
		json_object_set_new(fc, "has_errors", json_false());
	json_object_set_new(ctx, "form", fc);
	json_object_set_new(ctx, "interfaces", form_options(nat_if_choices, tab_labels,
	    json_string_value(json_object_get(f->entered, "interface"))));
	json_object_set_new(ctx, "source_types", form_options(addr_choices, addr_labels,
	    json_string_value(json_object_get(f->entered, "source_type"))));
	json_object_set_new(ctx, "destination_types", form_options(addr_choices, addr_labels,
	    json_string_value(json_object_get(f->entered, "destination_type"))));
	if (old)
		json_object_set_new(ctx, "edit", json_pack("{s:I}", "id", (json_int_t)old->id));
	return ctx;
}

static const char *
nat_title(const struct db_fw_nat *old)
{
	return old ? "Firewall / NAT / Outbound / Edit" : "Firewall / NAT / Outbound / Add";
}

static void
nat_save(struct web_req *r, struct db_fw_nat *old)
{
	struct form f, base;
	struct fwenv e;
	struct db_fw_nat nn;
	char lbl[200];
	int rc;

	if (env_load(r, &e) != 0) {
		web_error(r, 500, "The firewall settings could not be read.");
		return;
	}
	if (r->is_api) {
		form_init(&base, nat_fields, NF(nat_fields));
		if (old)
			nat_to_form(&base, old);
		else
			nat_defaults(&base);
		fill_absent(&r->form, &base, nat_fields, NF(nat_fields), NULL);
		form_free(&base);
	}
	form_validate(&f, nat_fields, NF(nat_fields), &r->form);
	check_nat(&f, &e);
	if (!form_ok(&f)) {
		web_form_invalid(r, &f, nat_title(old), "fw_nat_rule", r->is_api ? NULL :
		    nat_ctx(r, &f, old, 1));
		goto out;
	}
	memset(&nn, 0, sizeof(nn));
	nn.id = old ? old->id : 0;
	nn.iface = (char *)form_str(&f, "interface");
	nn.disabled = form_bool(&f, "disabled");
	nn.src_type = (char *)form_str(&f, "source_type");
	nn.src_value = (char *)form_str(&f, "source");
	nn.dst_type = (char *)form_str(&f, "destination_type");
	nn.dst_value = (char *)form_str(&f, "destination");
	nn.translation = (char *)form_str(&f, "translation");
	nn.description = (char *)form_str(&f, "description");
	if (db_begin(r->app->db) != 0)
		goto dberr;
	rc = old ? db_fw_nat_update(r->app->db, &nn) : db_fw_nat_insert(r->app->db, &nn);
	if (rc != 0)
		goto dbfail;
	nat_label(&nn, lbl, sizeof(lbl));
	web_pending(r, "%s %s", lbl, old ? "changed" : "added");
	if (db_commit(r->app->db) != 0)
		goto dbfail;
	web_audit(r, old ? "firewall.nat.update" : "firewall.nat.create", lbl,
	    "interface=%s source=%s:%s destination=%s:%s translation=%s disabled=%d", nn.iface,
	    nn.src_type, nn.src_value, nn.dst_type, nn.dst_value, nn.translation, nn.disabled);
	if (r->is_api) {
		struct db_fw_nat saved;

		if (db_fw_nat_get(r->app->db, nn.id, &saved) == 0) {
			web_json(r, old ? 200 : 201, nat_json(&saved));
			db_fw_nat_free(&saved);
		} else
			web_error(r, 500, "Saved, but could not be read back.");
	} else
		web_redirect(r, "/firewall/nat?msg=nat-rule-saved");
	goto out;
dbfail:
	db_rollback(r->app->db);
dberr:
	fprintf(stderr, "ikegw-web: NAT rule save: %s\n", db_errmsg(r->app->db));
	web_error(r, 500, "The NAT rule could not be saved.");
out:
	form_free(&f);
	env_free(&e);
}

static int
load_nat(struct web_req *r, struct db_fw_nat *v)
{
	return web_load_result(r, db_fw_nat_get(r->app->db, r->path_id[0], v), "NAT rule");
}

static void
nat_new_get(struct web_req *r)
{
	struct form f;

	form_init(&f, nat_fields, NF(nat_fields));
	nat_defaults(&f);
	web_page(r, 200, nat_title(NULL), "fw_nat_rule", nat_ctx(r, &f, NULL, 0));
	form_free(&f);
}

static void
nat_new_post(struct web_req *r)
{
	nat_save(r, NULL);
}

static void
nat_get(struct web_req *r)
{
	struct db_fw_nat v;
	struct form f;

	if (load_nat(r, &v) != 0)
		return;
	if (r->is_api) {
		web_json(r, 200, nat_json(&v));
		db_fw_nat_free(&v);
		return;
	}
	form_init(&f, nat_fields, NF(nat_fields));
	nat_to_form(&f, &v);
	web_page(r, 200, nat_title(&v), "fw_nat_rule", nat_ctx(r, &f, &v, 0));
	form_free(&f);
	db_fw_nat_free(&v);
}

static void
nat_post(struct web_req *r)
{
	struct db_fw_nat v;

	if (load_nat(r, &v) != 0)
		return;
	nat_save(r, &v);
	db_fw_nat_free(&v);
}

static void
nat_delete(struct web_req *r)
{
	struct db_fw_nat v;
	char lbl[200];

	if (load_nat(r, &v) != 0)
		return;
	nat_label(&v, lbl, sizeof(lbl));
	if (web_delete_pending(r, db_fw_nat_delete, v.id, "NAT rule", lbl) == 0) {
		web_audit(r, "firewall.nat.delete", lbl, NULL);
		web_deleted(r, "/firewall/nat?msg=nat-rule-deleted");
	}
	db_fw_nat_free(&v);
}

/* ---------------------------------------------------------------- Apply: engine.json */

struct frender {
	struct web_req	*r;
	json_t		*errs;
	int		 fams[3];	/* vpn_pool, lan_net, wan_address */
};

static void
ferr(struct frender *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
ferr(struct frender *x, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	json_array_append_new(x->errs, json_string(buf_str(&b)));
	buf_free(&b);
}

static json_t *
render_addr(const char *type, const char *value)
{
	json_t *o = json_pack("{s:s}", "type", type);

	if (strcmp(type, "address") == 0 || strcmp(type, "network") == 0)
		json_object_set_new(o, "value", json_string(value));
	return o;
}

static int
render_fams(const struct frender *x, const char *type, const char *value)
{
	int k = lookup(addr_choices, type);

	if (k == 0)
		return FAM4 | FAM6;
	if (k == 1 || k == 2)
		return strchr(value, ':') ? FAM6 : FAM4;
	return k >= 3 && k <= 5 ? x->fams[k - 3] : 0;
}

/* Adds each interface address (addresses: bare; else its network) once. */
static json_t *
iface_list(const struct vpn_iface *ifs, size_t n, const char *name, int networks, int *fams)
{
	json_t *out = json_array();
	const char *v;
	size_t i, j;
	int dup;

	*fams = 0;
	for (i = 0; *name && i < n; i++) {
		if (strcmp(ifs[i].name, name) != 0)
			continue;
		v = networks ? ifs[i].net : ifs[i].addr;
		for (j = 0, dup = 0; j < json_array_size(out); j++)
			dup |= strcmp(json_string_value(json_array_get(out, j)), v) == 0;
		if (!dup && json_array_size(out) < 64)
			json_array_append_new(out, json_string(v));
		*fams |= ifs[i].family == AF_INET ? FAM4 : FAM6;
	}
	return out;
}

int
firewall_render(struct web_req *r, json_t *doc, const struct vpn_iface *ifs, size_t nifs,
    json_t *errs)
{
	struct frender x;
	struct db_fw_settings s;
	struct db_fw_rule *v = NULL;
	struct db_fw_nat *nat = NULL;
	struct db_vpn_mobile m;
	size_t n = 0, nn = 0, i;
	json_t *fw, *o, *rules, *tabs[3], *list, *pool, *pools;
	const char *tab;
	int t, rc = -1;

	memset(&x, 0, sizeof(x));
	memset(&m, 0, sizeof(m));
	x.r = r;
	x.errs = errs;
	if (db_fw_settings_get(r->app->db, &s) != 0)
		return -1;
	if (*s.wan_if == '\0') {
		db_fw_settings_free(&s);
		return 0;
	}
	if (db_fw_rule_list(r->app->db, NULL, &v, &n) != 0 || db_fw_nat_list(r->app->db, &nat,
	    &nn) != 0 || db_vpn_mobile_get(r->app->db, &m) != 0)
		goto out;
	fw = json_pack("{s:{s:s}}", "interfaces", "wan", s.wan_if);
	json_object_set_new(doc, "firewall", fw);
	if (*s.lan_if)
		json_object_set_new(json_object_get(fw, "interfaces"), "lan", json_string(s.lan_if));
	/* Only with a Phase 1 on WAN: then the page shows the same rules. */
	json_object_set_new(fw, "auto_ipsec", json_boolean(s.auto_ipsec &&
	    firewall_ike_on(r, s.wan_if)));
	list = iface_list(ifs, nifs, s.lan_if, 1, &x.fams[1]);
	if (json_array_size(list))
		json_object_set_new(fw, "lan_net", list);
	else
		json_decref(list);
	list = iface_list(ifs, nifs, s.wan_if, 0, &x.fams[2]);
	if (json_array_size(list))
		json_object_set_new(fw, "wan_address", list);
	else
		json_decref(list);
	/* vpn_pool: the engine takes its pools; with mobile clients off there
	   are none, so the configured ranges are named here instead. */
	pools = json_object_get(doc, "pools");
	pool = json_array_get(pools, 0);
	if (pool) {
		x.fams[0] = (json_object_get(pool, "ipv4") ? FAM4 : 0) |
		    (json_object_get(pool, "ipv6") ? FAM6 : 0);
	} else if (*m.pool4 || *m.pool6) {
		list = json_array();
		if (*m.pool4)
			json_array_append_new(list, json_string(m.pool4));
		if (*m.pool6)
			json_array_append_new(list, json_string(m.pool6));
		json_object_set_new(fw, "vpn_pool", list);
		x.fams[0] = (*m.pool4 ? FAM4 : 0) | (*m.pool6 ? FAM6 : 0);
	}
	rules = json_object();
	json_object_set_new(fw, "rules", rules);
	for (t = 0; t < 3; t++) {
		tabs[t] = json_array();
		json_object_set_new(rules, tab_choices[t], tabs[t]);
	}
	for (i = 0; i < n; i++) {
		/* Disabled rules do nothing: left out, so an alias that became
		   empty cannot fail Apply for them. */
		if (v[i].disabled || (t = lookup(tab_choices, v[i].tab)) < 0)
			continue;
		tab = tab_labels[t];
		if ((render_fams(&x, v[i].src_type, v[i].src_value) &
		    render_fams(&x, v[i].dst_type, v[i].dst_value)) == 0) {
			ferr(&x, "Firewall %s rule %d%s%s%s: its source and destination have no"
			    " address family in common now (%s, %s); an alias is empty when its"
			    " interface or pool is not set or has no address.", tab,
			    v[i].position + 1, *v[i].description ? " ('" : "", v[i].description,
			    *v[i].description ? "')" : "", addr_text(v[i].src_type, v[i].src_value),
			    addr_text(v[i].dst_type, v[i].dst_value));
			continue;
		}
		o = json_pack("{s:s, s:s, s:o, s:o}", "action", v[i].action, "protocol",
		    v[i].protocol, "source", render_addr(v[i].src_type, v[i].src_value),
		    "destination", render_addr(v[i].dst_type, v[i].dst_value));
		if (*v[i].src_ports)
			json_object_set_new(o, "source_ports", json_string(v[i].src_ports));
		if (*v[i].dst_ports)
			json_object_set_new(o, "destination_ports", json_string(v[i].dst_ports));
		if (v[i].log)
			json_object_set_new(o, "log", json_true());
		if (*v[i].description)
			json_object_set_new(o, "description", json_string(v[i].description));
		json_array_append_new(tabs[t], o);
	}
	o = json_pack("{s:s}", "mode", s.nat_mode);
	json_object_set_new(fw, "nat", o);
	if (strcmp(s.nat_mode, "manual") == 0) {
		list = json_array();
		json_object_set_new(o, "rules", list);
		for (i = 0; i < nn; i++) {
			if (nat[i].disabled)
				continue;
			if (strcmp(nat[i].iface, "lan") == 0 && *s.lan_if == '\0') {
				ferr(&x, "Outbound NAT rule %d is on LAN, but no LAN interface is"
				    " assigned.", nat[i].position + 1);
				continue;
			}
			if ((render_fams(&x, nat[i].src_type, nat[i].src_value) &
			    render_fams(&x, nat[i].dst_type, nat[i].dst_value)) == 0) {
				ferr(&x, "Outbound NAT rule %d: its source and destination have no"
				    " address family in common now (an alias is empty).",
				    nat[i].position + 1);
				continue;
			}
			json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:s, s:s}",
			    "interface", nat[i].iface, "source", render_addr(nat[i].src_type,
			    nat[i].src_value), "destination", render_addr(nat[i].dst_type,
			    nat[i].dst_value), "translation", nat[i].translation, "description",
			    nat[i].description));
		}
	}
	rc = 0;
out:
	db_fw_settings_free(&s);
	db_fw_rule_list_free(v, n);
	db_fw_nat_list_free(nat, nn);
	db_vpn_mobile_free(&m);
	return rc;
}

/* ---------------------------------------------------------------- routes */

const struct web_route web_routes_firewall[] = {
	{ "GET",    "/firewall/rules",			0, rules_list },
	{ "GET",    "/firewall/rules/new",		0, rule_new_get },
	{ "POST",   "/firewall/rules/new",		0, rule_new_post },
	{ "GET",    "/firewall/rules/{id}",		0, rule_get },
	{ "POST",   "/firewall/rules/{id}",		0, rule_post },
	{ "POST",   "/firewall/rules/{id}/delete",	0, rule_delete },
	{ "POST",   "/firewall/rules/{id}/move",	0, rule_move },
	{ "GET",    "/firewall/settings",		0, settings_get },
	{ "POST",   "/firewall/settings",		0, settings_post },
	{ "GET",    "/firewall/nat",			0, nat_page },
	{ "POST",   "/firewall/nat",			0, nat_mode_post },
	{ "GET",    "/firewall/nat/new",		0, nat_new_get },
	{ "POST",   "/firewall/nat/new",		0, nat_new_post },
	{ "GET",    "/firewall/nat/{id}",		0, nat_get },
	{ "POST",   "/firewall/nat/{id}",		0, nat_post },
	{ "POST",   "/firewall/nat/{id}/delete",	0, nat_delete },

	{ "GET",    "/api/v1/firewall/rules",		0, rules_list },
	{ "POST",   "/api/v1/firewall/rules",		0, rule_new_post },
	{ "GET",    "/api/v1/firewall/rules/{id}",	0, rule_get },
	{ "PUT",    "/api/v1/firewall/rules/{id}",	0, rule_post },
	{ "DELETE", "/api/v1/firewall/rules/{id}",	0, rule_delete },
	{ "POST",   "/api/v1/firewall/rules/{id}/move",	0, rule_move },
	{ "GET",    "/api/v1/firewall/settings",	0, settings_get },
	{ "PUT",    "/api/v1/firewall/settings",	0, settings_post },
	{ "GET",    "/api/v1/firewall/nat",		0, nat_page },
	{ "PUT",    "/api/v1/firewall/nat",		0, nat_mode_post },
	{ "POST",   "/api/v1/firewall/nat/rules",	0, nat_new_post },
	{ "GET",    "/api/v1/firewall/nat/rules/{id}",	0, nat_get },
	{ "PUT",    "/api/v1/firewall/nat/rules/{id}",	0, nat_post },
	{ "DELETE", "/api/v1/firewall/nat/rules/{id}",	0, nat_delete },
	{ NULL, NULL, 0, NULL },
};
