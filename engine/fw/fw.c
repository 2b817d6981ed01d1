/*
 * fw — parse the firewall model, render it to nftables and pf, apply the
 * nftables ruleset.  See fw.h for the semantics.
 *
 * The model in engine.json:
 *
 *   "firewall": {
 *     "enabled": true,
 *     "interfaces": { "wan": "wan0", "lan": "lan0", "ipsec": "ipsec0" },
 *     "auto_ipsec": true,
 *     "lan_net": ["10.1.0.0/24"], "wan_address": ["192.0.2.1"],
 *     "vpn_pool": ["10.10.10.0/24"],          (default: the engine's pools)
 *     "rules": { "wan": [RULE...], "lan": [...], "ipsec": [...] },
 *     "nat": { "mode": "automatic" | "manual" | "off", "rules": [NAT...] }
 *   }
 *   RULE: { "action": "pass"|"block"|"reject",
 *           "protocol": "any"|"tcp"|"udp"|"tcp/udp"|"icmp"|"esp",
 *           "source": ADDR, "destination": ADDR,
 *           "source_ports": "1024-65535", "destination_ports": "443",
 *           "log": false, "description": "", "disabled": false }
 *   ADDR: { "type": "any"|"address"|"network"|"vpn_pool"|"lan_net"|"wan_address",
 *           "value": "192.0.2.7" | "10.1.0.0/24" }
 *   NAT:  { "interface": "wan"|"lan", "source": ADDR, "destination": ADDR,
 *           "translation": "masquerade" | "192.0.2.1", "description": "" }
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "fw.h"

static const char *const tab_names[FW_NTABS] = { "wan", "lan", "ipsec" };

/* ---------------------------------------------------------------- parsing */

struct pctx {
	fw_err_fn	 err;
	void		*arg;
	int		 nerr;
	char		 path[256];
};

static void perr(struct pctx *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr(struct pctx *p, const char *sub, const char *fmt, ...)
{
	char msg[256], path[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s%s%s", p->path, sub && *sub ? "." : "", sub ? sub : "");
	p->err(p->arg, path, msg);
	p->nerr++;
}

/* Keeps descriptions to characters that are inert in nft strings, pf labels
   and comments: letters, digits, space and a few punctuation marks. */
static void
safe_text(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; in && *in && o + 1 < outlen; in++) {
		unsigned char c = (unsigned char)*in;

		out[o++] = (isalnum(c) || strchr(" _.,:/()+=@-", c)) && c < 0x80 ? (char)c : '_';
	}
	out[o] = '\0';
}

static int
parse_net(const char *s, struct cfg_net *n, int host_only)
{
	char buf[64], *slash;
	long pl;

	memset(n, 0, sizeof(*n));
	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, n->addr) == 1)
		n->family = AF_INET6;
	else
		return -1;
	pl = n->family == AF_INET ? 32 : 128;
	if (slash) {
		char *end;

		if (host_only)
			return -1;
		pl = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || pl < 0 || pl > (n->family == AF_INET ? 32 : 128))
			return -1;
	}
	n->prefix = (uint8_t)pl;
	/* Host bits must be clear, as everywhere else in ikegw. */
	for (int b = n->prefix; b < (n->family == AF_INET ? 32 : 128); b++)
		if (n->addr[b / 8] & (0x80 >> (b % 8)))
			return -2;
	return 0;
}

static size_t
parse_net_list(struct pctx *p, const json_t *v, const char *key, struct cfg_net *out)
{
	const json_t *e;
	size_t i, n = 0;
	char sub[64];

	if (v == NULL)
		return 0;
	if (!json_is_array(v)) {
		perr(p, key, "must be a list of addresses or networks");
		return 0;
	}
	json_array_foreach(v, i, e) {
		snprintf(sub, sizeof(sub), "%s[%zu]", key, i);
		if (!json_is_string(e) || n >= FW_MAX_NETS ||
		    parse_net(json_string_value(e), &out[n], 0) != 0) {
			perr(p, sub, "not an address or network (host bits must be zero)");
			continue;
		}
		n++;
	}
	return n;
}

static int
lookup(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static void
parse_addr(struct pctx *p, const json_t *v, const char *key, struct fw_addr *a)
{
	static const char *const kinds[] = { "any", "address", "network", "vpn_pool", "lan_net",
	    "wan_address" };
	const char *type, *val;
	char sub[64];
	int k, r;

	memset(a, 0, sizeof(*a));
	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		perr(p, key, "must be an object with \"type\" (and \"value\")");
		return;
	}
	type = json_string_value(json_object_get(v, "type"));
	snprintf(sub, sizeof(sub), "%s.type", key);
	if (type == NULL || (k = lookup(type, kinds, 6)) < 0) {
		perr(p, sub, "must be one of any, address, network, vpn_pool, lan_net, wan_address");
		return;
	}
	a->kind = (enum fw_addr_kind)k;
	val = json_string_value(json_object_get(v, "value"));
	snprintf(sub, sizeof(sub), "%s.value", key);
	if (a->kind == FW_A_ADDRESS || a->kind == FW_A_NETWORK) {
		if (val == NULL) {
			perr(p, sub, "required for %s", type);
			return;
		}
		r = parse_net(val, &a->net, a->kind == FW_A_ADDRESS);
		if (r == -2)
			perr(p, sub, "%s has host bits set", val);
		else if (r != 0)
			perr(p, sub, "%s is not %s", val, a->kind == FW_A_ADDRESS ?
			    "an IP address" : "a network such as 10.1.0.0/24");
	} else if (val != NULL)
		perr(p, sub, "not allowed for %s", type);
}

static void
parse_ports(struct pctx *p, const json_t *v, const char *key, struct fw_ports *pt)
{
	const char *s;
	char *end;
	long lo, hi;

	memset(pt, 0, sizeof(*pt));
	if (v == NULL || (json_is_string(v) && *json_string_value(v) == '\0'))
		return;
	if (!json_is_string(v)) {
		perr(p, key, "must be a port or a range such as \"1024-65535\"");
		return;
	}
	s = json_string_value(v);
	lo = strtol(s, &end, 10);
	hi = lo;
	if (*end == '-')
		hi = strtol(end + 1, &end, 10);
	if (!isdigit((unsigned char)*s) || *end != '\0' || lo < 1 || hi > 65535 || hi < 1 ||
	    lo > 65535) {
		perr(p, key, "\"%s\" is not a port (1-65535) or a range", s);
		return;
	}
	if (lo > hi) {
		perr(p, key, "the range %ld-%ld is reversed; write %ld-%ld", lo, hi, hi, lo);
		return;
	}
	pt->lo = (uint16_t)lo;
	pt->hi = (uint16_t)hi;
}

static void
check_keys(struct pctx *p, const json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)o, k, v) {
		(void)v;
		for (i = 0; keys[i] && strcmp(keys[i], k) != 0; i++)
			;
		if (keys[i] == NULL)
			perr(p, k, "unknown key");
	}
}

static int
get_bool(struct pctx *p, const json_t *o, const char *key, int dflt)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL)
		return dflt;
	if (!json_is_boolean(v)) {
		perr(p, key, "must be true or false");
		return dflt;
	}
	return json_is_true(v);
}

/* Address families a selector can match: bit 0 IPv4, bit 1 IPv6. */
static int
addr_families(const struct fw_model *m, const struct fw_addr *a)
{
	const struct cfg_net *l;
	size_t n, i;
	int f = 0;

	switch (a->kind) {
	case FW_A_ANY:
		return 3;
	case FW_A_ADDRESS:
	case FW_A_NETWORK:
		return a->net.family == AF_INET ? 1 : 2;
	case FW_A_VPN_POOL:
		l = m->vpn_pool;
		n = m->nvpn_pool;
		break;
	case FW_A_LAN_NET:
		l = m->lan_net;
		n = m->nlan_net;
		break;
	default:
		l = m->wan_address;
		n = m->nwan_address;
		break;
	}
	for (i = 0; i < n; i++)
		f |= l[i].family == AF_INET ? 1 : 2;
	return f;
}

static void
parse_rule(struct pctx *p, struct fw_model *m, const json_t *v, struct fw_rule *r)
{
	static const char *const keys[] = { "action", "protocol", "source", "destination",
	    "source_ports", "destination_ports", "log", "description", "disabled", NULL };
	static const char *const actions[] = { "pass", "block", "reject" };
	static const char *const protos[] = { "any", "tcp", "udp", "tcp/udp", "icmp", "esp" };
	const char *s;
	int k;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(v)) {
		perr(p, NULL, "must be an object");
		return;
	}
	check_keys(p, v, keys);
	s = json_string_value(json_object_get(v, "action"));
	if (s == NULL || (k = lookup(s, actions, 3)) < 0)
		perr(p, "action", "must be pass, block or reject");
	else
		r->action = (enum fw_action)k;
	s = json_string_value(json_object_get(v, "protocol"));
	if (s == NULL)
		r->proto = FW_ANY;
	else if ((k = lookup(s, protos, 6)) < 0)
		perr(p, "protocol", "must be any, tcp, udp, tcp/udp, icmp or esp");
	else
		r->proto = (enum fw_proto)k;
	parse_addr(p, json_object_get(v, "source"), "source", &r->src);
	parse_addr(p, json_object_get(v, "destination"), "destination", &r->dst);
	parse_ports(p, json_object_get(v, "source_ports"), "source_ports", &r->sport);
	parse_ports(p, json_object_get(v, "destination_ports"), "destination_ports", &r->dport);
	if ((r->sport.lo || r->dport.lo) && r->proto != FW_TCP && r->proto != FW_UDP &&
	    r->proto != FW_TCPUDP)
		perr(p, r->dport.lo ? "destination_ports" : "source_ports",
		    "ports need protocol TCP, UDP or TCP/UDP");
	r->log = get_bool(p, v, "log", 0);
	r->disabled = get_bool(p, v, "disabled", 0);
	s = json_string_value(json_object_get(v, "description"));
	safe_text(s, r->descr, sizeof(r->descr));
	(void)m;
}

int
fw_parse(const json_t *fw, const struct ike_config *cfg, struct fw_model **out, fw_err_fn err,
    void *arg)
{
	static const char *const keys[] = { "enabled", "interfaces", "auto_ipsec", "lan_net",
	    "wan_address", "vpn_pool", "rules", "nat", NULL };
	static const char *const modes[] = { "off", "automatic", "manual" };
	struct pctx p;
	struct fw_model *m;
	const json_t *ifs, *rules, *nat, *v, *e;
	const char *s;
	size_t i, t, base;
	int k;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.arg = arg;
	snprintf(p.path, sizeof(p.path), "firewall");
	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	if (!json_is_object(fw)) {
		perr(&p, NULL, "must be an object");
		goto done;
	}
	check_keys(&p, fw, keys);
	m->enabled = get_bool(&p, fw, "enabled", 1);
	m->auto_ipsec = get_bool(&p, fw, "auto_ipsec", 1);

	ifs = json_object_get(fw, "interfaces");
	if (ifs != NULL && !json_is_object(ifs))
		perr(&p, "interfaces", "must be an object");
	for (t = 0; t < FW_NTABS; t++) {
		char sub[32];

		snprintf(sub, sizeof(sub), "interfaces.%s", tab_names[t]);
		v = ifs ? json_object_get(ifs, tab_names[t]) : NULL;
		s = json_string_value(v);
		if (v && !json_is_null(v) && (s == NULL || *s == '\0' || strlen(s) >= 16)) {
			perr(&p, sub, "must be an interface name (up to 15 characters)");
			continue;
		}
		if (s) {
			for (const char *c = s; *c; c++)
				if (!isalnum((unsigned char)*c) && !strchr("._-", *c)) {
					perr(&p, sub, "\"%s\" is not an interface name", s);
					s = NULL;
					break;
				}
		}
		if (s)
			snprintf(m->ifname[t], sizeof(m->ifname[t]), "%s", s);
	}
	if (m->enabled && m->ifname[FW_WAN][0] == '\0')
		perr(&p, "interfaces.wan", "required");
	/* Tunnel traffic: the TUN device, unless the kernel does ESP (xfrm). */
	if (m->ifname[FW_IPSEC][0] == '\0' && cfg && cfg->kernel_backend &&
	    strcmp(cfg->kernel_backend, "xfrm") != 0 && cfg->tun_name)
		snprintf(m->ifname[FW_IPSEC], sizeof(m->ifname[FW_IPSEC]), "%s", cfg->tun_name);

	m->nlan_net = parse_net_list(&p, json_object_get(fw, "lan_net"), "lan_net", m->lan_net);
	m->nwan_address = parse_net_list(&p, json_object_get(fw, "wan_address"), "wan_address",
	    m->wan_address);
	if (json_object_get(fw, "vpn_pool"))
		m->nvpn_pool = parse_net_list(&p, json_object_get(fw, "vpn_pool"), "vpn_pool",
		    m->vpn_pool);
	else if (cfg) {
		for (i = 0; i < cfg->npools && m->nvpn_pool + 2 <= FW_MAX_NETS; i++) {
			if (cfg->pools[i].v4.family)
				m->vpn_pool[m->nvpn_pool++] = cfg->pools[i].v4;
			if (cfg->pools[i].v6.family)
				m->vpn_pool[m->nvpn_pool++] = cfg->pools[i].v6;
		}
	}

	rules = json_object_get(fw, "rules");
	if (rules != NULL && !json_is_object(rules))
		perr(&p, "rules", "must be an object with wan, lan and ipsec lists");
	for (t = 0; rules && json_is_object(rules) && t < FW_NTABS; t++) {
		v = json_object_get(rules, tab_names[t]);
		if (v == NULL)
			continue;
		if (!json_is_array(v) || json_array_size(v) > FW_MAX_RULES) {
			perr(&p, tab_names[t], "must be a list of at most %d rules", FW_MAX_RULES);
			continue;
		}
		if ((m->rules[t] = calloc(json_array_size(v) + 1, sizeof(struct fw_rule))) == NULL)
			goto done;
		json_array_foreach(v, i, e) {
			base = strlen(p.path);
			snprintf(p.path + base, sizeof(p.path) - base, ".rules.%s[%zu]", tab_names[t], i);
			parse_rule(&p, m, e, &m->rules[t][i]);
			p.path[base] = '\0';
		}
		m->nrules[t] = json_array_size(v);
	}
	{
		json_t *extra;
		const char *k2;

		json_object_foreach((json_t *)(rules && json_is_object(rules) ? rules : NULL), k2, extra)
			if (lookup(k2, tab_names, FW_NTABS) < 0) {
				char sub[64];

				snprintf(sub, sizeof(sub), "rules.%s", k2);
				perr(&p, sub, "unknown interface tab (wan, lan or ipsec)");
			}
	}
	/* Address families of each rule must be possible at all. */
	for (t = 0; t < FW_NTABS; t++)
		for (i = 0; i < m->nrules[t]; i++) {
			struct fw_rule *r = &m->rules[t][i];
			char sub[64];

			snprintf(sub, sizeof(sub), "rules.%s[%zu]", tab_names[t], i);
			if ((addr_families(m, &r->src) & addr_families(m, &r->dst)) == 0)
				perr(&p, sub, "source and destination have no address family in"
				    " common (an IPv4 and an IPv6 selector, or an empty alias)");
		}

	nat = json_object_get(fw, "nat");
	m->nat_mode = 1;
	if (nat != NULL) {
		static const char *const nkeys[] = { "mode", "rules", NULL };
		static const char *const rkeys[] = { "interface", "source", "destination",
		    "translation", "description", NULL };

		if (!json_is_object(nat)) {
			perr(&p, "nat", "must be an object");
			goto done;
		}
		base = strlen(p.path);
		snprintf(p.path + base, sizeof(p.path) - base, ".nat");
		check_keys(&p, nat, nkeys);
		s = json_string_value(json_object_get(nat, "mode"));
		if (s && (k = lookup(s, modes, 3)) >= 0)
			m->nat_mode = k;
		else if (s)
			perr(&p, "mode", "must be off, automatic or manual");
		v = json_object_get(nat, "rules");
		if (v && (!json_is_array(v) || json_array_size(v) > FW_MAX_RULES))
			perr(&p, "rules", "must be a list");
		else if (v && json_array_size(v)) {
			if ((m->nat = calloc(json_array_size(v), sizeof(*m->nat))) == NULL)
				goto done;
			json_array_foreach(v, i, e) {
				struct fw_nat *n = &m->nat[i];
				size_t b2 = strlen(p.path);

				snprintf(p.path + b2, sizeof(p.path) - b2, ".rules[%zu]", i);
				if (!json_is_object(e)) {
					perr(&p, NULL, "must be an object");
					p.path[b2] = '\0';
					continue;
				}
				check_keys(&p, e, rkeys);
				s = json_string_value(json_object_get(e, "interface"));
				if (s && strcmp(s, "lan") == 0)
					n->iface = FW_LAN;
				else if (s == NULL || strcmp(s, "wan") == 0)
					n->iface = FW_WAN;
				else
					perr(&p, "interface", "must be wan or lan");
				parse_addr(&p, json_object_get(e, "source"), "source", &n->src);
				parse_addr(&p, json_object_get(e, "destination"), "destination", &n->dst);
				s = json_string_value(json_object_get(e, "translation"));
				if (s == NULL || strcmp(s, "masquerade") == 0)
					n->masquerade = 1;
				else if (parse_net(s, &n->to, 1) != 0)
					perr(&p, "translation", "must be \"masquerade\" or an IP address");
				safe_text(json_string_value(json_object_get(e, "description")), n->descr,
				    sizeof(n->descr));
				p.path[b2] = '\0';
			}
			m->nnat = json_array_size(v);
		}
		p.path[base] = '\0';
	}
done:
	if (p.nerr) {
		fw_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

void
fw_free(struct fw_model *m)
{
	size_t t;

	if (m == NULL)
		return;
	for (t = 0; t < FW_NTABS; t++)
		free(m->rules[t]);
	free(m->nat);
	free(m);
}

/* ---------------------------------------------------------------- output buffer */

struct out {
	char	*s;
	size_t	 len, cap;
	int	 oom;
};

static void outf(struct out *, const char *, ...) __attribute__((format(printf, 2, 3)));

static void
outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->oom)
		return;
	for (;;) {
		size_t room = o->cap - o->len;

		va_start(ap, fmt);
		n = vsnprintf(o->s ? o->s + o->len : NULL, o->s ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = 1;
			return;
		}
		if (o->s && (size_t)n < room) {
			o->len += (size_t)n;
			return;
		}
		o->cap = (o->cap + (size_t)n + 1) * 2;
		if ((o->s = realloc(o->s, o->cap)) == NULL) {
			o->oom = 1;
			return;
		}
	}
}

static char *
out_done(struct out *o)
{
	if (o->oom) {
		free(o->s);
		return NULL;
	}
	return o->s ? o->s : strdup("");
}

static void
net_text(const struct cfg_net *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(n->family, n->addr, a, sizeof(a));
	if (n->prefix == (n->family == AF_INET ? 32 : 128))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, n->prefix);
}

static void
list_text(struct out *o, const struct cfg_net *l, size_t n, int family, const char *sep)
{
	char b[64];
	size_t i;
	int first = 1;

	for (i = 0; i < n; i++) {
		if (family && l[i].family != family)
			continue;
		net_text(&l[i], b, sizeof(b));
		outf(o, "%s%s", first ? "" : sep, b);
		first = 0;
	}
}

static int
has_family(const struct cfg_net *l, size_t n, int family)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i].family == family)
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- nftables */

static const char *const set_names[] = { NULL, NULL, NULL, "vpn_pool", "lan_net", "wan_address" };

/* "ip saddr 10.0.0.0/8 " for family f (4 or 6); nothing for any. */
static void
nft_addr(struct out *o, const struct fw_addr *a, int f, const char *dir)
{
	char b[64];

	if (a->kind == FW_A_ANY)
		return;
	if (a->kind == FW_A_ADDRESS || a->kind == FW_A_NETWORK) {
		net_text(&a->net, b, sizeof(b));
		outf(o, "%s %s %s ", f == 4 ? "ip" : "ip6", dir, b);
		return;
	}
	outf(o, "%s %s @%s%d ", f == 4 ? "ip" : "ip6", dir, set_names[a->kind], f);
}

static void
nft_ports(struct out *o, const char *proto, const char *dir, const struct fw_ports *p)
{
	if (p->lo == 0)
		return;
	if (p->lo == p->hi)
		outf(o, "%s %s %u ", proto, dir, p->lo);
	else
		outf(o, "%s %s %u-%u ", proto, dir, p->lo, p->hi);
}

static void
nft_rule(struct out *o, const struct fw_model *m, const struct fw_rule *r, int tab, size_t idx)
{
	static const char *const verdicts[] = { "accept", "drop", "reject" };
	int fams = addr_families(m, &r->src) & addr_families(m, &r->dst), f;
	int any = r->src.kind == FW_A_ANY && r->dst.kind == FW_A_ANY;

	for (f = 4; f <= 6; f += 2) {
		if (!any && !(fams & (f == 4 ? 1 : 2)))
			continue;
		outf(o, "\t\t");
		if (!any) {
			nft_addr(o, &r->src, f, "saddr");
			nft_addr(o, &r->dst, f, "daddr");
		}
		switch (r->proto) {
		case FW_ANY:
			break;
		case FW_TCP:
		case FW_UDP:
			if (r->sport.lo || r->dport.lo) {
				nft_ports(o, r->proto == FW_TCP ? "tcp" : "udp", "sport", &r->sport);
				nft_ports(o, r->proto == FW_TCP ? "tcp" : "udp", "dport", &r->dport);
			} else
				outf(o, "meta l4proto %s ", r->proto == FW_TCP ? "tcp" : "udp");
			break;
		case FW_TCPUDP:
			outf(o, "meta l4proto { tcp, udp } ");
			nft_ports(o, "th", "sport", &r->sport);
			nft_ports(o, "th", "dport", &r->dport);
			break;
		case FW_ICMP:
			outf(o, "meta l4proto %s ", any ? "{ icmp, ipv6-icmp }" : f == 4 ? "icmp" :
			    "ipv6-icmp");
			break;
		case FW_ESP:
			outf(o, "meta l4proto esp ");
			break;
		}
		if (r->log)
			outf(o, "log prefix \"ikegw %s %zu: \" ", tab_names[tab], idx + 1);
		outf(o, "%s", verdicts[r->action]);
		if (r->descr[0])
			outf(o, " comment \"%s\"", r->descr);
		outf(o, "\n");
		if (any)
			break;
	}
}

static void
nft_set(struct out *o, const char *name, const struct cfg_net *l, size_t n, int family)
{
	if (!has_family(l, n, family))
		return;
	outf(o, "\tset %s%d {\n\t\ttype %s; flags interval;\n\t\telements = { ", name,
	    family == AF_INET ? 4 : 6, family == AF_INET ? "ipv4_addr" : "ipv6_addr");
	list_text(o, l, n, family, ", ");
	outf(o, " }\n\t}\n");
}

static void
nft_iface(struct out *o, const struct fw_model *m, int tab)
{
	if (tab == FW_IPSEC && m->ifname[FW_IPSEC][0] == '\0')
		outf(o, "meta ipsec exists ");
	else if (tab == FW_IPSEC)
		outf(o, "iifname \"%s\" ", m->ifname[FW_IPSEC]);	/* TUN: may come and go */
	else
		outf(o, "iif \"%s\" ", m->ifname[tab]);
}

char *
fw_render_nft(const struct fw_model *m)
{
	static const char *const defaults[] = { "drop comment \"default deny\"",
	    "accept comment \"default allow\"", "drop comment \"default deny\"" };
	struct out o = { 0 };
	size_t t, i;
	int hooks;

	outf(&o, "# ikegw firewall, rendered by ikegwd from engine.json: do not edit.\n");
	outf(&o, "table inet ikegw {\n");
	for (int f = AF_INET; f; f = f == AF_INET ? AF_INET6 : 0) {
		nft_set(&o, "vpn_pool", m->vpn_pool, m->nvpn_pool, f);
		nft_set(&o, "lan_net", m->lan_net, m->nlan_net, f);
		nft_set(&o, "wan_address", m->wan_address, m->nwan_address, f);
	}
	for (hooks = 0; hooks < 2; hooks++) {
		outf(&o, "\tchain %s {\n\t\ttype filter hook %s priority filter; policy accept;\n"
		    "\t\tct state established,related accept\n\t\tct state invalid drop\n",
		    hooks ? "forward" : "input", hooks ? "forward" : "input");
		if (!hooks)
			outf(&o, "\t\tiifname \"lo\" accept\n");
		/* Tunnel traffic first: with XFRM it also arrives on WAN. */
		for (t = FW_IPSEC + 1; t-- > 0;) {
			int tab = t == FW_IPSEC ? FW_IPSEC : (int)t;

			if (tab == FW_IPSEC || m->ifname[tab][0]) {
				outf(&o, "\t\t");
				nft_iface(&o, m, tab);
				outf(&o, "jump in_%s\n", tab_names[tab]);
			}
		}
		outf(&o, "\t}\n");
	}
	for (t = 0; t < FW_NTABS; t++) {
		if (t != FW_IPSEC && m->ifname[t][0] == '\0')
			continue;
		/* "in_": "ipsec" alone is an nft keyword. */
		outf(&o, "\tchain in_%s {\n", tab_names[t]);
		if (t == FW_WAN && m->auto_ipsec)
			outf(&o, "\t\tudp dport { 500, 4500 } accept comment \"auto: IKE and NAT-T\"\n"
			    "\t\tmeta l4proto esp accept comment \"auto: ESP\"\n");
		for (i = 0; i < m->nrules[t]; i++)
			if (!m->rules[t][i].disabled)
				nft_rule(&o, m, &m->rules[t][i], (int)t, i);
		outf(&o, "\t\t%s\n\t}\n", defaults[t]);
	}
	if (m->nat_mode != 0 && m->ifname[FW_WAN][0]) {
		outf(&o, "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat;"
		    " policy accept;\n");
		if (m->nat_mode == 1) {
			if (has_family(m->vpn_pool, m->nvpn_pool, AF_INET))
				outf(&o, "\t\toif \"%s\" ip saddr @vpn_pool4 masquerade comment"
				    " \"auto: VPN pool\"\n", m->ifname[FW_WAN]);
			if (has_family(m->vpn_pool, m->nvpn_pool, AF_INET6))
				outf(&o, "\t\toif \"%s\" ip6 saddr @vpn_pool6 masquerade comment"
				    " \"auto: VPN pool\"\n", m->ifname[FW_WAN]);
		} else {
			for (i = 0; i < m->nnat; i++) {
				const struct fw_nat *n = &m->nat[i];
				int fams = addr_families(m, &n->src) & addr_families(m, &n->dst), f;
				char b[64];

				if (!n->masquerade)
					fams &= n->to.family == AF_INET ? 1 : 2;
				for (f = 4; f <= 6; f += 2) {
					if (!(fams & (f == 4 ? 1 : 2)) || m->ifname[n->iface][0] == '\0')
						continue;
					outf(&o, "\t\toif \"%s\" meta nfproto %s ", m->ifname[n->iface],
					    f == 4 ? "ipv4" : "ipv6");
					nft_addr(&o, &n->src, f, "saddr");
					nft_addr(&o, &n->dst, f, "daddr");
					if (n->masquerade)
						outf(&o, "masquerade");
					else {
						net_text(&n->to, b, sizeof(b));
						outf(&o, "snat %s to %s", f == 4 ? "ip" : "ip6", b);
					}
					if (n->descr[0])
						outf(&o, " comment \"%s\"", n->descr);
					outf(&o, "\n");
				}
			}
		}
		outf(&o, "\t}\n");
	}
	outf(&o, "}\n");
	return out_done(&o);
}

/* ---------------------------------------------------------------- pf */

static void
pf_addr(struct out *o, const struct fw_addr *a, int f)
{
	char b[64];

	switch (a->kind) {
	case FW_A_ANY:
		outf(o, "any");
		break;
	case FW_A_ADDRESS:
	case FW_A_NETWORK:
		net_text(&a->net, b, sizeof(b));
		outf(o, "%s", b);
		break;
	default:
		outf(o, "<%s>", set_names[a->kind]);
		break;
	}
	(void)f;
}

static void
pf_ports(struct out *o, const struct fw_ports *p)
{
	if (p->lo == 0)
		return;
	if (p->lo == p->hi)
		outf(o, " port %u", p->lo);
	else
		outf(o, " port %u:%u", p->lo, p->hi);
}

static void
pf_table(struct out *o, const char *name, const struct cfg_net *l, size_t n)
{
	if (n == 0)
		return;
	outf(o, "table <%s> const { ", name);
	list_text(o, l, n, 0, " ");
	outf(o, " }\n");
}

char *
fw_render_pf(const struct fw_model *m)
{
	static const char *const actions[] = { "pass", "block drop", "block return" };
	struct out o = { 0 };
	size_t t, i;

	outf(&o, "# ikegw firewall for pf, rendered by ikegwd from engine.json: do not edit.\n");
	for (t = 0; t < FW_NTABS; t++)
		if (m->ifname[t][0] || t == FW_IPSEC)
			outf(&o, "%s = \"%s\"\n", tab_names[t], m->ifname[t][0] ? m->ifname[t] : "enc0");
	pf_table(&o, "vpn_pool", m->vpn_pool, m->nvpn_pool);
	pf_table(&o, "lan_net", m->lan_net, m->nlan_net);
	pf_table(&o, "wan_address", m->wan_address, m->nwan_address);
	outf(&o, "set skip on lo0\n");
	if (m->nat_mode == 1 && m->nvpn_pool && m->ifname[FW_WAN][0])
		outf(&o, "nat on $wan from <vpn_pool> to any -> ($wan)\n");
	else if (m->nat_mode == 2)
		for (i = 0; i < m->nnat; i++) {
			const struct fw_nat *n = &m->nat[i];
			char b[64];

			outf(&o, "nat on $%s from ", tab_names[n->iface]);
			pf_addr(&o, &n->src, 0);
			outf(&o, " to ");
			pf_addr(&o, &n->dst, 0);
			if (n->masquerade)
				outf(&o, " -> ($%s)", tab_names[n->iface]);
			else {
				net_text(&n->to, b, sizeof(b));
				outf(&o, " -> %s", b);
			}
			outf(&o, "%s%s%s\n", n->descr[0] ? " # " : "", n->descr, "");
		}
	outf(&o, "pass out quick all keep state\n");
	for (t = 0; t < FW_NTABS; t++) {
		if (t != FW_IPSEC && m->ifname[t][0] == '\0')
			continue;
		if (t == FW_WAN && m->auto_ipsec)
			outf(&o, "pass in quick on $wan proto udp to ($wan) port { 500 4500 } keep state"
			    " label \"auto: IKE and NAT-T\"\n"
			    "pass in quick on $wan proto esp to ($wan) label \"auto: ESP\"\n");
		for (i = 0; i < m->nrules[t]; i++) {
			const struct fw_rule *r = &m->rules[t][i];
			int fams = addr_families(m, &r->src) & addr_families(m, &r->dst);

			if (r->disabled)
				continue;
			outf(&o, "%s in%s quick on $%s", actions[r->action], r->log ? " log" : "",
			    tab_names[t]);
			if (fams == 1)
				outf(&o, " inet");
			else if (fams == 2)
				outf(&o, " inet6");
			switch (r->proto) {
			case FW_ANY:	break;
			case FW_TCP:	outf(&o, " proto tcp"); break;
			case FW_UDP:	outf(&o, " proto udp"); break;
			case FW_TCPUDP:	outf(&o, " proto { tcp udp }"); break;
			case FW_ICMP:	outf(&o, fams == 2 ? " proto icmp6" : fams == 1 ?
					    " proto icmp" : " proto { icmp icmp6 }"); break;
			case FW_ESP:	outf(&o, " proto esp"); break;
			}
			outf(&o, " from ");
			pf_addr(&o, &r->src, 0);
			pf_ports(&o, &r->sport);
			outf(&o, " to ");
			pf_addr(&o, &r->dst, 0);
			pf_ports(&o, &r->dport);
			if (r->action == FW_PASS)
				outf(&o, " keep state");
			if (r->descr[0])
				outf(&o, " label \"%s\"", r->descr);
			outf(&o, "\n");
		}
		outf(&o, "%s in quick on $%s all label \"default %s\"\n",
		    t == FW_LAN ? "pass" : "block drop", tab_names[t], t == FW_LAN ? "allow" : "deny");
	}
	return out_done(&o);
}

/* ---------------------------------------------------------------- apply */

static int
nft_run(const char *buf, int dry, char *err, size_t errlen)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *e;
	int rc;

	if (nft == NULL) {
		snprintf(err, errlen, "libnftables: cannot create a context");
		return -1;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	nft_ctx_set_dry_run(nft, dry);
	rc = nft_run_cmd_from_buffer(nft, buf);
	if (rc != 0) {
		e = nft_ctx_get_error_buffer(nft);
		snprintf(err, errlen, "nftables refused the ruleset: %s", e && *e ? e : "unknown error");
		/* One line is enough for a web page; keep the first. */
		err[strcspn(err, "\n")] = '\0';
	}
	nft_ctx_free(nft);
	return rc == 0 ? 0 : -1;
}

int
fw_apply_nft(const char *ruleset, int check_only, char *err, size_t errlen)
{
	struct out o = { 0 };
	char *buf;
	int rc;

	/* One transaction: create-if-missing, delete, define anew.  If any
	   statement fails, the kernel keeps the table we had. */
	outf(&o, "table inet ikegw\ndelete table inet ikegw\n%s", ruleset);
	if ((buf = out_done(&o)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = nft_run(buf, check_only, err, errlen);
	free(buf);
	return rc;
}

int
fw_remove_nft(char *err, size_t errlen)
{
	return nft_run("table inet ikegw\ndelete table inet ikegw\n", 0, err, errlen);
}
