/* vpnutil — algorithm tables, interfaces and prefixes for the VPN pages (vpn.h). */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vpn.h"

const struct vpn_encr vpn_encrs[] = {
	{ "aes-gcm-16", "AES-GCM (16-byte ICV)", { 128, 192, 256, 0 }, 1, 0 },
	{ "aes-gcm-12", "AES-GCM (12-byte ICV)", { 128, 192, 256, 0 }, 1, 0 },
	{ "aes-gcm-8", "AES-GCM (8-byte ICV)", { 128, 192, 256, 0 }, 1, 0 },
	{ "aes-cbc", "AES-CBC", { 128, 192, 256, 0 }, 0, 0 },
	{ "chacha20-poly1305", "ChaCha20-Poly1305", { 0 }, 1, 0 },
	{ "3des", "3DES (legacy)", { 0 }, 0, 1 },
	{ NULL, NULL, { 0 }, 0, 0 },
};

const struct vpn_alg vpn_integs[] = {
	{ "hmac-sha2-256-128", "SHA-256", 0 },
	{ "hmac-sha2-384-192", "SHA-384", 0 },
	{ "hmac-sha2-512-256", "SHA-512", 0 },
	{ "hmac-sha1-96", "SHA-1 (legacy)", 1 },
	{ NULL, NULL, 0 },
};

const struct vpn_alg vpn_prfs[] = {
	{ "hmac-sha2-256", "PRF SHA-256", 0 },
	{ "hmac-sha2-384", "PRF SHA-384", 0 },
	{ "hmac-sha2-512", "PRF SHA-512", 0 },
	{ "hmac-sha1", "PRF SHA-1 (legacy)", 1 },
	{ NULL, NULL, 0 },
};

const struct vpn_alg vpn_dhs[] = {
	{ "modp2048", "14 (2048-bit MODP)", 0 },
	{ "modp3072", "15 (3072-bit MODP)", 0 },
	{ "modp4096", "16 (4096-bit MODP)", 0 },
	{ "modp6144", "17 (6144-bit MODP)", 0 },
	{ "modp8192", "18 (8192-bit MODP)", 0 },
	{ "ecp256", "19 (NIST P-256)", 0 },
	{ "ecp384", "20 (NIST P-384)", 0 },
	{ "ecp521", "21 (NIST P-521)", 0 },
	{ "curve25519", "31 (Curve25519)", 0 },
	{ "curve448", "32 (Curve448)", 0 },
	{ "modp1536", "5 (1536-bit MODP)", 0 },
	{ "modp1024", "2 (1024-bit MODP, legacy)", 1 },
	{ NULL, NULL, 0 },
};

const struct vpn_esp_encr vpn_esp_encrs[] = {
	{ "aes-gcm-16-256", "aes-gcm-16", 256, "AES-256-GCM" },
	{ "aes-gcm-16-128", "aes-gcm-16", 128, "AES-128-GCM" },
	{ "aes-gcm-16-192", "aes-gcm-16", 192, "AES-192-GCM" },
	{ "aes-cbc-256", "aes-cbc", 256, "AES-256-CBC" },
	{ "aes-cbc-128", "aes-cbc", 128, "AES-128-CBC" },
	{ "aes-cbc-192", "aes-cbc", 192, "AES-192-CBC" },
	{ "chacha20-poly1305", "chacha20-poly1305", 0, "ChaCha20-Poly1305" },
	{ "3des", "3des", 0, "3DES (legacy)" },
	{ NULL, NULL, 0, NULL },
};

const struct vpn_encr *
vpn_encr_find(const char *name)
{
	size_t i;

	for (i = 0; name && vpn_encrs[i].name; i++)
		if (strcmp(vpn_encrs[i].name, name) == 0)
			return &vpn_encrs[i];
	return NULL;
}

const struct vpn_alg *
vpn_alg_find(const struct vpn_alg *t, const char *name)
{
	size_t i;

	for (i = 0; name && t[i].name; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

const struct vpn_esp_encr *
vpn_esp_encr_find(const char *value)
{
	size_t i;

	for (i = 0; value && vpn_esp_encrs[i].value; i++)
		if (strcmp(vpn_esp_encrs[i].value, value) == 0)
			return &vpn_esp_encrs[i];
	return NULL;
}

const struct vpn_esp_encr *
vpn_esp_encr_of(const char *encr, int keylen)
{
	size_t i;

	for (i = 0; encr && vpn_esp_encrs[i].value; i++)
		if (strcmp(vpn_esp_encrs[i].encr, encr) == 0 && vpn_esp_encrs[i].keylen == keylen)
			return &vpn_esp_encrs[i];
	return NULL;
}

json_t *
vpn_alg_options(const struct vpn_alg *t, const char *selected, const char *empty_label)
{
	json_t *out = json_array();
	size_t i;

	if (empty_label)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:b}", "value", "",
		    "label", empty_label, "selected", selected == NULL || *selected == '\0',
		    "legacy", 0));
	for (i = 0; t[i].name; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:b}", "value", t[i].name,
		    "label", t[i].label, "selected", selected && strcmp(selected, t[i].name) == 0,
		    "legacy", t[i].legacy));
	return out;
}

json_t *
vpn_encr_options(const char *selected)
{
	json_t *out = json_array();
	size_t i;

	json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:b}", "value", "", "label",
	    "(unused row)", "selected", selected == NULL || *selected == '\0', "legacy", 0));
	for (i = 0; vpn_encrs[i].name; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:b}", "value",
		    vpn_encrs[i].name, "label", vpn_encrs[i].label, "selected",
		    selected && strcmp(selected, vpn_encrs[i].name) == 0, "legacy",
		    vpn_encrs[i].legacy));
	return out;
}

/* ---------------------------------------------------------------- interfaces */

static int
mask_len(const struct sockaddr *sa)
{
	const uint8_t *p;
	size_t n, i;
	int bits = 0, b;

	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		n = 4;
	} else if (sa->sa_family == AF_INET6) {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		n = 16;
	} else
		return -1;
	for (i = 0; i < n; i++)
		for (b = 7; b >= 0; b--)
			if (p[i] & (1u << b))
				bits++;
	return bits;
}

static void
prefix_network(struct vpn_prefix *p)
{
	int i, full = p->len / 8, rest = p->len % 8, n = p->family == AF_INET ? 4 : 16;

	if (full < n && rest)
		p->addr[full] &= (uint8_t)(0xff << (8 - rest));
	for (i = full + (rest ? 1 : 0); i < n; i++)
		p->addr[i] = 0;
}

int
vpn_ifaces(struct vpn_iface **out, size_t *n)
{
	struct ifaddrs *ifa = NULL, *i;
	struct vpn_iface *v = NULL, *nv, *e;
	struct vpn_prefix p;
	size_t cnt = 0, cap = 0;
	const void *a;
	char buf[INET6_ADDRSTRLEN];

	*out = NULL;
	*n = 0;
	if (getifaddrs(&ifa) == -1)
		return -1;
	for (i = ifa; i; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		memset(&p, 0, sizeof(p));
		p.family = i->ifa_addr->sa_family;
		if (p.family == AF_INET)
			a = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
		else {
			a = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
			if (IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)a))
				continue;
		}
		memcpy(p.addr, a, p.family == AF_INET ? 4 : 16);
		if ((p.len = mask_len(i->ifa_netmask)) < 0)
			p.len = p.family == AF_INET ? 32 : 128;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				abort();
			v = nv;
		}
		e = &v[cnt++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", i->ifa_name);
		e->family = p.family;
		e->prefix = p.len;
		inet_ntop(p.family, p.addr, e->addr, sizeof(e->addr));
		prefix_network(&p);
		inet_ntop(p.family, p.addr, buf, sizeof(buf));
		snprintf(e->net, sizeof(e->net), "%s/%d", buf, p.len);
	}
	freeifaddrs(ifa);
	*out = v;
	*n = cnt;
	return 0;
}

int
vpn_iface_has(const struct vpn_iface *v, size_t n, const char *name, int family)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0 && (family == 0 || v[i].family == family))
			return 1;
	return 0;
}

json_t *
vpn_iface_options(const struct vpn_iface *v, size_t n, const char *selected, int with_any)
{
	json_t *out = json_array();
	struct buf addrs = { 0 };
	size_t i, j;
	int seen;

	if (with_any)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "value", "any", "label",
		    "Any (all addresses of the gateway)", "selected",
		    selected == NULL || strcmp(selected, "any") == 0));
	for (i = 0; i < n; i++) {
		for (j = 0, seen = 0; j < i; j++)
			seen |= strcmp(v[j].name, v[i].name) == 0;
		if (seen)
			continue;
		buf_reset(&addrs);
		for (j = i; j < n; j++)
			if (strcmp(v[j].name, v[i].name) == 0)
				buf_printf(&addrs, "%s%s/%d", addrs.len ? ", " : "", v[j].addr,
				    v[j].prefix);
		json_array_append_new(out, json_pack("{s:s, s:s+++, s:b}", "value", v[i].name,
		    "label", v[i].name, " (", buf_str(&addrs), ")", "selected",
		    selected && strcmp(selected, v[i].name) == 0));
	}
	buf_free(&addrs);
	return out;
}

/* ---------------------------------------------------------------- prefixes */

int
vpn_prefix_parse(const char *s, struct vpn_prefix *p)
{
	char a[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	long long len;
	size_t n;

	memset(p, 0, sizeof(p[0]));
	if (slash == NULL || (n = (size_t)(slash - s)) == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if (inet_pton(AF_INET, a, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, a, p->addr) == 1)
		p->family = AF_INET6;
	else
		return -1;
	if (parse_int(slash + 1, 0, p->family == AF_INET ? 32 : 128, &len) == -1)
		return -1;
	p->len = (int)len;
	return 0;
}

int
vpn_prefix_overlap(const struct vpn_prefix *a, const struct vpn_prefix *b)
{
	struct vpn_prefix x = *a, y = *b;
	int len = a->len < b->len ? a->len : b->len;

	if (a->family != b->family)
		return 0;
	x.len = y.len = len;
	prefix_network(&x);
	prefix_network(&y);
	return memcmp(x.addr, y.addr, sizeof(x.addr)) == 0;
}

int
vpn_phase2_local(const struct db_vpn_phase2 *p2, const struct vpn_iface *v, size_t n, char *out,
    size_t outlen, char *err, size_t errlen)
{
	int fam = strcmp(p2->mode, "tunnel6") == 0 ? AF_INET6 : AF_INET;
	size_t i;

	if (strcmp(p2->local_type, "full") == 0) {
		snprintf(out, outlen, "%s", fam == AF_INET ? "0.0.0.0/0" : "::/0");
		return 0;
	}
	if (strcmp(p2->local_type, "network") == 0) {
		snprintf(out, outlen, "%s", p2->local_value);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, p2->local_value) == 0 && v[i].family == fam) {
			snprintf(out, outlen, "%s", v[i].net);
			return 0;
		}
	}
	snprintf(err, errlen, "Interface %s has no %s address.", p2->local_value,
	    fam == AF_INET ? "IPv4" : "IPv6");
	return -1;
}

void
vpn_p1_name(int64_t id, char *out, size_t outlen)
{
	snprintf(out, outlen, "p1-%lld", (long long)id);
}

void
vpn_p2_name(int64_t id, char *out, size_t outlen)
{
	snprintf(out, outlen, "p2-%lld", (long long)id);
}

const char *
vpn_phase_label(int phase, const char *description, int64_t id, char *out, size_t outlen)
{
	if (*description)
		snprintf(out, outlen, "Phase %d '%s'", phase, description);
	else
		snprintf(out, outlen, "Phase %d #%lld", phase, (long long)id);
	return out;
}

static void
wipe_strings(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		explicit_bzero((char *)(uintptr_t)json_string_value(j), json_string_length(j));
	else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			wipe_strings(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			wipe_strings(v);
	}
}

void
vpn_json_wipe(json_t *j)
{
	/* The rendered document is ours alone: its strings are copies. */
	if (j != NULL && j->refcount == 1)
		wipe_strings(j);
	json_decref(j);
}
