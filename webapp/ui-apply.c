/*
 * ui-apply — VPN > IPsec "Apply changes": engine.json rendered from the
 * database (docs/engine-config.md), written atomically, and handed to
 * ikegwd with `apply` over its control socket; plus the pending-changes
 * list behind the banner on every page.
 *
 * Rendering rules (database → engine.json):
 *   control_socket, leases_file  app->engine_socket, <var>/leases.json
 *   ike_port, natt_port, kernel  kept from the engine.json on disk (stack.sh
 *                                chooses them; changing them needs a restart)
 *   listen                       addresses of the enabled Phase 1s'
 *                                interfaces ([] = wildcards when one is "any")
 *   legacy_clients               any rendered Phase 1 with the legacy switch
 *   server                       the Phase 1 certificate, its chain (its own,
 *                                else the intermediate CAs above it here) and
 *                                its key, unsealed
 *   cas                          the Phase 1 CA (certificate auth) and its CRL
 *   psk                          the Phase 1 PSK, unsealed
 *   pools                        "mobile": Mobile Clients pool, DNS, domains;
 *                                split_include = the mobile Phase 2 networks
 *                                when "provide a network list" is on
 *   users                        enabled, unexpired users: name, NT hash
 *                                (unsealed, "user:<id>:vpn-nt-hash"), groups
 *   phase1[] "p1-<id>"           enabled Phase 1s (mobile ones only while
 *                                mobile clients are enabled), with groups
 *                                (the Mobile Clients group) and pool
 *   phase2[] "p2-<id>"           their enabled Phase 2s; dh = the PFS group
 *                                (Mobile Clients override first)
 *   firewall                     only once a WAN interface is assigned
 *                                (firewall_render, ui-firewall.c):
 *                                interfaces wan/lan from the assignment
 *                                (ipsec left out: the engine takes the TUN
 *                                device or IPsec policy), lan_net = the LAN
 *                                interface's subnets, wan_address = the WAN
 *                                interface's addresses, vpn_pool left out
 *                                (the engine's pools; the Mobile Clients
 *                                ranges when no pool is rendered), rules per
 *                                tab in order (disabled ones left out),
 *                                auto_ipsec = the setting while a rendered
 *                                Phase 1 listens on WAN, nat mode and
 *                                (manual) its enabled rules
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "certmgr.h"
#include "enginectl.h"
#include "firewall.h"
#include "vpn.h"

#define APPLY_TIMEOUT_MS	30000
#define BANNER_ITEMS		12

/* ---------------------------------------------------------------- pending */

void
web_pending(struct web_req *r, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (db_vpn_pending_add(r->app->db, r->now, buf_str(&b)) != 0)
		fprintf(stderr, "ikegw-web: pending: %s\n", db_errmsg(r->app->db));
	buf_free(&b);
}

int
web_delete_pending(struct web_req *r, int (*del)(struct db *, int64_t), int64_t id,
    const char *what, const char *label)
{
	char msg[128];

	if (db_begin(r->app->db) == 0 && del(r->app->db, id) == 0) {
		web_pending(r, "%s deleted", label);
		if (db_commit(r->app->db) == 0)
			return 0;
	}
	db_rollback(r->app->db);
	snprintf(msg, sizeof(msg), "The %s could not be deleted.", what);
	web_error(r, 500, msg);
	return -1;
}

json_t *
web_pending_json(struct web_req *r)
{
	char **items = NULL;
	size_t n = 0, i;
	int64_t max_id;
	json_t *out, *list;

	if (db_vpn_pending_list(r->app->db, &items, &n, &max_id) != 0 || n == 0) {
		db_vpn_pending_free(items, n);
		return NULL;
	}
	list = json_array();
	for (i = 0; i < n && i < BANNER_ITEMS; i++)
		json_array_append_new(list, json_string(items[i]));
	out = json_pack("{s:o, s:I, s:s}", "items", list, "more",
	    (json_int_t)(n > BANNER_ITEMS ? n - BANNER_ITEMS : 0), "back", r->path);
	db_vpn_pending_free(items, n);
	return out;
}

/* ---------------------------------------------------------------- render */

struct render {
	struct web_req	*r;
	json_t		*errs;
	json_t		*doc;
	json_t		*cas;
	json_t		*listen;
	int		 listen_any;
	int64_t		 server_cert;	/* the certificate in "server" */
	struct vpn_iface *ifs;
	size_t		 nifs;
};

static void
rerr(struct render *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
rerr(struct render *x, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	json_array_append_new(x->errs, json_string(buf_str(&b)));
	buf_free(&b);
}

/* Certificates, most specific first, joined ("" none); malloc'ed. */
static char *
chain_of(struct render *x, const struct db_cert *c)
{
	struct buf b = { 0 };
	struct db_ca ca;
	int64_t id = c->ca_id;
	char *out;
	int depth;

	if (c->chain_pem && *c->chain_pem)
		buf_adds(&b, c->chain_pem);
	else {
		/* Intermediates above the certificate; the root stays with the clients. */
		for (depth = 0; id && depth < 16; depth++) {
			if (db_ca_get(x->r->app->db, id, &ca) != 0)
				break;
			if (ca.parent_id)
				buf_adds(&b, ca.cert_pem);
			id = ca.parent_id;
			db_ca_free(&ca);
		}
	}
	if ((out = strdup(buf_str(&b))) == NULL)
		abort();
	buf_free(&b);
	return out;
}

static void
render_server(struct render *x, const struct db_vpn_phase1 *p)
{
	struct db_cert c;
	char lbl[160], *key = NULL, *chain;
	json_t *srv;

	vpn_phase_label(1, p->description, p->id, lbl, sizeof(lbl));
	if (p->cert_id == 0) {
		rerr(x, "%s: choose a server certificate (System > Cert. Manager has none"
		    " chosen or it was deleted).", lbl);
		return;
	}
	if (x->server_cert && x->server_cert != p->cert_id) {
		rerr(x, "%s: every Phase 1 must use the same server certificate.", lbl);
		return;
	}
	if (x->server_cert)
		return;
	memset(&c, 0, sizeof(c));
	if (db_cert_get(x->r->app->db, p->cert_id, &c) != 0) {
		rerr(x, "%s: its server certificate no longer exists.", lbl);
		return;
	}
	if (c.pending || c.cert_pem == NULL || c.type != DB_CERT_SERVER) {
		rerr(x, "%s: certificate '%s' is not a usable server certificate.", lbl, c.name);
		goto out;
	}
	if (cm_cert_key(x->r, &c, &key) == -1) {
		rerr(x, "%s: the private key of certificate '%s' is not available.", lbl, c.name);
		goto out;
	}
	chain = chain_of(x, &c);
	srv = json_pack("{s:s, s:s}", "certificate", c.cert_pem, "private_key", key);
	if (*chain)
		json_object_set_new(srv, "chain", json_string(chain));
	free(chain);
	json_object_set_new(x->doc, "server", srv);
	x->server_cert = p->cert_id;
out:
	pki_pem_free(key);
	db_cert_free(&c);
}

static void
render_ca(struct render *x, const struct db_vpn_phase1 *p)
{
	struct db_crl_state s;
	struct db_crl_import imp;
	struct db_ca ca;
	char lbl[160], name[64];
	json_t *o;
	size_t i;

	vpn_phase_label(1, p->description, p->id, lbl, sizeof(lbl));
	if (p->ca_id == 0) {
		rerr(x, "%s: certificate authentication needs the CA that issues the clients'"
		    " certificates.", lbl);
		return;
	}
	snprintf(name, sizeof(name), "ca-%lld", (long long)p->ca_id);
	for (i = 0; i < json_array_size(x->cas); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(x->cas, i), "name")),
		    name) == 0)
			return;
	if (db_ca_get(x->r->app->db, p->ca_id, &ca) != 0) {
		rerr(x, "%s: its CA no longer exists.", lbl);
		return;
	}
	o = json_pack("{s:s, s:s}", "name", name, "certificate", ca.cert_pem);
	if (db_crl_state_get(x->r->app->db, ca.id, &s) == 0) {
		if (s.crl_pem && *s.crl_pem)
			json_object_set_new(o, "crl", json_string(s.crl_pem));
		db_crl_state_free(&s);
	}
	if (json_object_get(o, "crl") == NULL && db_crl_import_get(x->r->app->db, ca.id, &imp) == 0) {
		json_object_set_new(o, "crl", json_string(imp.crl_pem));
		db_crl_import_free(&imp);
	}
	json_array_append_new(x->cas, o);
	db_ca_free(&ca);
}

static void
render_psk(struct render *x, const struct db_vpn_phase1 *p)
{
	uint8_t *plain = NULL;
	size_t len = 0;
	char aad[64], lbl[160];

	vpn_phase_label(1, p->description, p->id, lbl, sizeof(lbl));
	snprintf(aad, sizeof(aad), "phase1:%lld:psk", (long long)p->id);
	if (p->psk_sealed == NULL || pki_unseal(x->r->app->secret, aad, p->psk_sealed,
	    p->psk_sealed_len, &plain, &len) == -1) {
		rerr(x, "%s: no pre-shared key is stored.", lbl);
		return;
	}
	if (json_object_get(x->doc, "psk") != NULL) {
		rerr(x, "%s: only one Phase 1 can use a pre-shared key.", lbl);
	} else
		json_object_set_new(x->doc, "psk", json_stringn((const char *)plain, len));
	explicit_bzero(plain, len);
	free(plain);
}

static json_t *
ike_proposal(const struct db_vpn_proposal *q, int esp, const char *dh)
{
	json_t *o = json_pack("{s:s}", "encryption", q->encryption);

	if (q->key_length)
		json_object_set_new(o, "key_length", json_integer(q->key_length));
	if (q->integrity && *q->integrity)
		json_object_set_new(o, "integrity", json_string(q->integrity));
	if (!esp)
		json_object_set_new(o, "prf", json_string(q->prf));
	json_object_set_new(o, "dh", json_string(esp ? dh : q->dh));
	return o;
}

static void
add_listen(struct render *x, const struct db_vpn_phase1 *p)
{
	size_t i, j;
	int fam, dup;

	if (strcmp(p->iface, "any") == 0) {
		x->listen_any = 1;
		return;
	}
	for (i = 0; i < x->nifs; i++) {
		if (strcmp(x->ifs[i].name, p->iface) != 0)
			continue;
		fam = x->ifs[i].family;
		if ((fam == AF_INET && strcmp(p->family, "ipv6") == 0) ||
		    (fam == AF_INET6 && strcmp(p->family, "ipv4") == 0))
			continue;
		for (j = 0, dup = 0; j < json_array_size(x->listen); j++)
			dup |= strcmp(json_string_value(json_array_get(x->listen, j)),
			    x->ifs[i].addr) == 0;
		if (!dup && json_array_size(x->listen) < 16)
			json_array_append_new(x->listen, json_string(x->ifs[i].addr));
	}
}

static void
split_words(json_t *arr, const char *s)
{
	const char *p = s, *e;

	while (*p) {
		while (*p == ' ' || *p == '\n')
			p++;
		e = p;
		while (*e && *e != ' ' && *e != '\n')
			e++;
		if (e > p)
			json_array_append_new(arr, json_stringn(p, (size_t)(e - p)));
		p = e;
	}
}

static int
render_users(struct render *x)
{
	struct db_vpn_user *u = NULL;
	size_t n = 0, i;
	uint8_t *nt = NULL;
	size_t ntlen = 0;
	char today[32], aad[64], hex[33];
	json_t *users = json_array(), *o, *g;
	static const char digits[] = "0123456789abcdef";
	size_t k;

	web_time(x->r->now, today, sizeof(today));
	today[10] = '\0';
	if (db_vpn_users(x->r->app->db, today, &u, &n) != 0) {
		json_decref(users);
		return -1;
	}
	for (i = 0; i < n; i++) {
		o = json_pack("{s:s}", "name", u[i].name);
		if (u[i].vpn_secret) {
			snprintf(aad, sizeof(aad), "user:%lld:vpn-nt-hash", (long long)u[i].id);
			if (pki_unseal(x->r->app->secret, aad, u[i].vpn_secret, u[i].vpn_secret_len,
			    &nt, &ntlen) == 0 && ntlen == 16) {
				for (k = 0; k < 16; k++) {
					hex[2 * k] = digits[nt[k] >> 4];
					hex[2 * k + 1] = digits[nt[k] & 15];
				}
				hex[32] = '\0';
				json_object_set_new(o, "nt_hash", json_string(hex));
				explicit_bzero(hex, sizeof(hex));
			} else
				fprintf(stderr, "ikegw-web: the VPN password of user %lld does not"
				    " unseal\n", (long long)u[i].id);
			if (nt)
				explicit_bzero(nt, ntlen);
			free(nt);
			nt = NULL;
		}
		if (*u[i].groups) {
			g = json_array();
			split_words(g, u[i].groups);
			json_object_set_new(o, "groups", g);
		}
		json_array_append_new(users, o);
	}
	db_vpn_users_free(u, n);
	json_object_set_new(x->doc, "users", users);
	return 0;
}

int
vpn_render(struct web_req *r, json_t *base, json_t **out, json_t *errs)
{
	struct render x;
	struct db_vpn_mobile m;
	struct db_vpn_phase1 *p1 = NULL;
	struct db_vpn_phase2 *p2 = NULL;
	struct db_group grp;
	size_t n1 = 0, n2 = 0, i, j, nerr = json_array_size(errs);
	json_t *phase1 = json_array(), *o, *props, *ph2, *split = json_array(), *pool, *v;
	char path[PATH_MAX], name[32], lbl[160], net[64], err[256], *group = NULL;
	int legacy = 0, mobile_used = 0, rc = -1, in_tx = 0;
	const char *pfs;

	memset(&x, 0, sizeof(x));
	memset(&m, 0, sizeof(m));
	*out = NULL;
	x.r = r;
	x.errs = errs;
	x.cas = json_array();
	x.listen = json_array();
	x.doc = json_pack("{s:i, s:s}", "version", 1, "control_socket", r->app->engine_socket);
	snprintf(path, sizeof(path), "%s/leases.json", r->app->var_dir);
	json_object_set_new(x.doc, "leases_file", json_string(path));
	if (base) {
		if (json_is_integer(v = json_object_get(base, "ike_port")))
			json_object_set_new(x.doc, "ike_port", json_copy(v));
		if (json_is_integer(v = json_object_get(base, "natt_port")))
			json_object_set_new(x.doc, "natt_port", json_copy(v));
		if (json_is_object(v = json_object_get(base, "kernel")))
			json_object_set_new(x.doc, "kernel", json_deep_copy(v));
	}
	vpn_ifaces(&x.ifs, &x.nifs);

	/* One read transaction: a save in another worker lands before or after. */
	if (db_begin(r->app->db) != 0)
		goto dberr;
	in_tx = 1;
	if (db_vpn_mobile_get(r->app->db, &m) != 0 ||
	    db_vpn_phase1_list(r->app->db, &p1, &n1) != 0 ||
	    db_vpn_phase2_list(r->app->db, 0, &p2, &n2) != 0)
		goto dberr;
	if (m.group_id && db_group_get(r->app->db, m.group_id, &grp) == 0) {
		group = strdup(grp.name);
		db_group_free(&grp);
	}
	for (i = 0; i < n1; i++) {
		if (!p1[i].enabled || (p1[i].mobile && !m.enabled))
			continue;
		vpn_phase_label(1, p1[i].description, p1[i].id, lbl, sizeof(lbl));
		vpn_p1_name(p1[i].id, name, sizeof(name));
		o = json_pack("{s:s, s:s, s:{s:s}}", "name", name, "auth", p1[i].auth,
		    "local_id", "type", p1[i].my_id_type);
		if (*p1[i].my_id)
			json_object_set_new(json_object_get(o, "local_id"), "value",
			    json_string(p1[i].my_id));
		props = json_array();
		for (j = 0; j < p1[i].nprops; j++)
			json_array_append_new(props, ike_proposal(&p1[i].props[j], 0, NULL));
		json_object_set_new(o, "proposals", props);
		json_object_set_new(o, "lifetime", json_integer(p1[i].lifetime));
		if (p1[i].rekey)
			json_object_set_new(o, "rekey", json_integer(p1[i].rekey));
		if (p1[i].reauth)
			json_object_set_new(o, "reauth", json_integer(p1[i].reauth));
		json_object_set_new(o, "nat_traversal", json_string(p1[i].nat_traversal));
		json_object_set_new(o, "mobike", json_boolean(p1[i].mobike));
		json_object_set_new(o, "dpd_delay", json_integer(p1[i].dpd_delay));
		json_object_set_new(o, "dpd_max_failures", json_integer(p1[i].dpd_max_failures));
		json_object_set_new(o, "fragmentation", json_boolean(p1[i].fragmentation));
		if (p1[i].mobile) {
			if (group)
				json_object_set_new(o, "groups", json_pack("[s]", group));
			if (*m.pool4 || *m.pool6)
				json_object_set_new(o, "pool", json_string(VPN_POOL_NAME));
			mobile_used = 1;
		}
		ph2 = json_array();
		for (j = 0; j < n2; j++) {
			if (p2[j].phase1_id != p1[i].id || !p2[j].enabled)
				continue;
			if (vpn_phase2_local(&p2[j], x.ifs, x.nifs, net, sizeof(net), err,
			    sizeof(err)) == -1) {
				rerr(&x, "%s, Phase 2 '%s': %s", lbl, p2[j].description, err);
				continue;
			}
			pfs = p1[i].mobile && *m.pfs_group ? m.pfs_group : p2[j].pfs;
			props = json_array();
			for (size_t k = 0; k < p2[j].nprops; k++)
				json_array_append_new(props, ike_proposal(&p2[j].props[k], 1, pfs));
			vpn_p2_name(p2[j].id, name, sizeof(name));
			json_array_append_new(ph2, json_pack("{s:s, s:[s], s:o, s:I}", "name", name,
			    "local_ts", net, "proposals", props, "lifetime",
			    (json_int_t)p2[j].lifetime));
			if (p1[i].mobile && m.split_tunnel && strcmp(net, "0.0.0.0/0") != 0 &&
			    strcmp(net, "::/0") != 0)
				json_array_append_new(split, json_string(net));
		}
		if (json_array_size(ph2) == 0)
			rerr(&x, "%s has no enabled Phase 2: add one under VPN > IPsec > Tunnels.",
			    lbl);
		json_object_set_new(o, "phase2", ph2);
		if (strcmp(p1[i].auth, "psk") == 0)
			render_psk(&x, &p1[i]);
		else
			render_server(&x, &p1[i]);
		if (strcmp(p1[i].auth, "certificate") == 0)
			render_ca(&x, &p1[i]);
		legacy |= p1[i].legacy;
		add_listen(&x, &p1[i]);
		json_array_append_new(phase1, o);
	}
	if (mobile_used && (*m.pool4 || *m.pool6)) {
		pool = json_pack("{s:s}", "name", VPN_POOL_NAME);
		if (*m.pool4)
			json_object_set_new(pool, "ipv4", json_string(m.pool4));
		if (*m.pool6)
			json_object_set_new(pool, "ipv6", json_string(m.pool6));
		if (*m.dns) {
			v = json_array();
			split_words(v, m.dns);
			json_object_set_new(pool, "dns", v);
		}
		if (*m.dns_domain)
			json_object_set_new(pool, "domain", json_string(m.dns_domain));
		if (*m.banner)
			json_object_set_new(pool, "banner", json_string(m.banner));
		if (*m.split_dns) {
			v = json_array();
			split_words(v, m.split_dns);
			json_object_set_new(pool, "split_dns", v);
		}
		if (json_array_size(split))
			json_object_set(pool, "split_include", split);
		json_object_set_new(x.doc, "pools", json_pack("[o]", pool));
	}
	if (render_users(&x) != 0 || firewall_render(r, x.doc, x.ifs, x.nifs, errs) != 0)
		goto dberr;
	db_commit(r->app->db);
	in_tx = 0;
	if (json_array_size(x.listen) && !x.listen_any)
		json_object_set(x.doc, "listen", x.listen);
	json_object_set_new(x.doc, "legacy_clients", json_boolean(legacy));
	if (json_array_size(x.cas))
		json_object_set(x.doc, "cas", x.cas);
	json_object_set(x.doc, "phase1", phase1);
	if (json_array_size(errs) > nerr)
		goto out;
	*out = x.doc;
	x.doc = NULL;
	rc = 0;
	goto out;
dberr:
	rerr(&x, "The database could not be read: %s", db_errmsg(r->app->db));
out:
	if (in_tx)
		db_rollback(r->app->db);
	vpn_json_wipe(x.doc);
	json_decref(x.cas);
	json_decref(x.listen);
	json_decref(phase1);
	json_decref(split);
	free(group);
	free(x.ifs);
	db_vpn_mobile_free(&m);
	db_vpn_phase1_list_free(p1, n1);
	db_vpn_phase2_list_free(p2, n2);
	return rc;
}

/* ---------------------------------------------------------------- apply */

/* Writes doc to path atomically: a new 0600 file beside it, fsync, rename, fsync of the folder. */
static int
write_atomic(const char *dir, const char *path, const char *text, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 40], rnd[17];
	size_t len = strlen(text), off = 0;
	ssize_t w;
	int fd, dfd;

	pki_random_hex(rnd, 8);
	snprintf(tmp, sizeof(tmp), "%s/.engine.json.%s", dir, rnd);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) == -1) {
		snprintf(err, errlen, "Cannot create %.300s: %s.", tmp, strerror(errno));
		return -1;
	}
	while (off < len) {
		if ((w = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	if (off < len || fsync(fd) == -1) {
		snprintf(err, errlen, "Cannot write %.300s: %s.", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "Cannot replace %.300s: %s.", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* The result of one Apply, for the page, the API and the audit log. */
struct apply_result {
	int		 status;	/* HTTP status: 200, 422 render, 502 refused, 503 down */
	char		 error[1024];
	json_t		*errors;	/* sentences or engine lines */
	json_int_t	 kept, closed;
	char		*changes;	/* "; "-joined pending items */
	double		 ms;
};

static void
apply_run(struct web_req *r, struct apply_result *res)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], prev[PATH_MAX + 32], **items = NULL;
	struct timespec t0, t1;
	struct buf chg = { 0 };
	json_t *base, *doc = NULL, *req, *resp = NULL, *v;
	json_error_t jerr;
	enum web_ctl_status st;
	int64_t max_id = 0;
	size_t n = 0, i;
	char *text;
	int had_prev, lock;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(res, 0, sizeof(*res));
	res->errors = json_array();
	if (realpath(r->app->var_dir, dir) == NULL)
		snprintf(dir, sizeof(dir), "%s", r->app->var_dir);
	snprintf(path, sizeof(path), "%s/engine.json", dir);
	snprintf(prev, sizeof(prev), "%s/.apply.lock", dir);
	/* One Apply at a time (several workers): the file swap below is not
	   safe against a second one.  Released when the descriptor closes. */
	if ((lock = open(prev, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) != -1)
		(void)flock(lock, LOCK_EX);
	snprintf(prev, sizeof(prev), "%s/engine.json.prev", dir);
	if (db_vpn_pending_list(r->app->db, &items, &n, &max_id) == 0)
		for (i = 0; i < n; i++)
			buf_printf(&chg, "%s%s", i ? "; " : "", items[i]);
	db_vpn_pending_free(items, n);
	if ((res->changes = strdup(chg.len ? buf_str(&chg) : "no recorded changes")) == NULL)
		abort();
	buf_free(&chg);

	base = json_load_file(path, 0, &jerr);
	if (vpn_render(r, base, &doc, res->errors) == -1) {
		json_decref(base);
		res->status = 422;
		snprintf(res->error, sizeof(res->error), "The configuration cannot be applied: %s",
		    json_string_value(json_array_get(res->errors, 0)));
		goto out;
	}
	json_decref(base);
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	vpn_json_wipe(doc);
	if (text == NULL)
		abort();
	/* Keep the running file until the engine has taken the new one. */
	unlink(prev);
	had_prev = link(path, prev) == 0;
	if (write_atomic(dir, path, text, res->error, sizeof(res->error)) == -1) {
		explicit_bzero(text, strlen(text));
		free(text);
		res->status = 500;
		goto restore;
	}
	explicit_bzero(text, strlen(text));
	free(text);

	req = json_pack("{s:s, s:s}", "cmd", "apply", "path", path);
	st = web_ctl_call(r->app->engine_socket, req, APPLY_TIMEOUT_MS, &resp, res->error,
	    sizeof(res->error));
	json_decref(req);
	if (st == WEB_CTL_OK) {
		res->status = 200;
		res->kept = json_integer_value(json_object_get(resp, "kept"));
		res->closed = json_integer_value(json_object_get(resp, "closed"));
		if (had_prev)
			unlink(prev);
		if (db_vpn_pending_clear(r->app->db, max_id) != 0 ||
		    db_setting_set(r->app->db, "vpn.applied", "1") != 0)
			fprintf(stderr, "ikegw-web: apply: %s\n", db_errmsg(r->app->db));
		goto out;
	}
	if (st == WEB_CTL_REFUSED) {
		char e[sizeof(res->error)];

		res->status = 502;
		snprintf(e, sizeof(e), "%s", res->error);
		snprintf(res->error, sizeof(res->error), "The VPN engine refused the configuration:"
		    " %.900s", e);
		if (json_is_array(v = json_object_get(resp, "errors")))
			json_array_extend(res->errors, v);
	} else
		res->status = st == WEB_CTL_DOWN ? 503 : 504;
restore:
	/* The previous configuration keeps running, and stays on disk. */
	if (had_prev)
		rename(prev, path);
	else
		unlink(path);
out:
	if (lock != -1)
		close(lock);
	json_decref(resp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

static void
apply_result_free(struct apply_result *res)
{
	json_decref(res->errors);
	free(res->changes);
}

static void
apply_post(struct web_req *r)
{
	struct apply_result res;
	const char *back = web_param_get(&r->form, "back");
	char to[512];
	json_t *ctx;

	apply_run(r, &res);
	if (res.status == 200)
		web_audit(r, "vpn.apply", "engine.json", "%s; %lld SAs kept, %lld closed (%.1f ms)",
		    res.changes, (long long)res.kept, (long long)res.closed, res.ms);
	else
		web_audit(r, "vpn.apply.failed", "engine.json", "%s; changes: %s", res.error,
		    res.changes);
	if (r->is_api) {
		if (res.status == 200)
			web_json(r, 200, json_pack("{s:b, s:I, s:I, s:f}", "applied", 1, "kept",
			    res.kept, "closed", res.closed, "ms", res.ms));
		else
			web_json(r, res.status, json_pack("{s:s, s:O}", "error", res.error,
			    "errors", res.errors));
		apply_result_free(&res);
		return;
	}
	if (res.status == 200) {
		/* Back to the page the banner was on (local paths only). */
		if (back == NULL || back[0] != '/' || back[1] == '/' || strchr(back, '?') ||
		    strlen(back) > 200)
			back = "/vpn/ipsec/tunnels";
		snprintf(to, sizeof(to), "%s?msg=applied", back);
		web_redirect(r, to);
		apply_result_free(&res);
		return;
	}
	ctx = web_ctx(r);
	json_object_set_new(ctx, "error", json_string(res.error));
	json_object_set(ctx, "errors", res.errors);
	json_object_set_new(ctx, "has_errors", json_boolean(json_array_size(res.errors) > 0));
	web_page(r, res.status, "VPN / IPsec / Apply changes", "vpn_apply", ctx);
	apply_result_free(&res);
}

static void
pending_get(struct web_req *r)
{
	char **items = NULL;
	size_t n = 0, i;
	int64_t max_id;
	json_t *list = json_array();

	if (db_vpn_pending_list(r->app->db, &items, &n, &max_id) == 0)
		for (i = 0; i < n; i++)
			json_array_append_new(list, json_string(items[i]));
	db_vpn_pending_free(items, n);
	web_json(r, 200, json_pack("{s:o}", "pending", list));
}

/* The engine.json Apply would write, secrets left out (API, for scripts and tests). */
static void
preview_get(struct web_req *r)
{
	char path[PATH_MAX + 32];
	json_t *errs = json_array(), *doc = NULL, *base, *u;
	json_error_t jerr;
	size_t i;

	snprintf(path, sizeof(path), "%s/engine.json", r->app->var_dir);
	base = json_load_file(path, 0, &jerr);
	if (vpn_render(r, base, &doc, errs) == -1) {
		json_decref(base);
		web_json(r, 422, json_pack("{s:s, s:o}", "error", "The configuration cannot be"
		    " rendered.", "errors", errs));
		return;
	}
	json_decref(base);
	json_decref(errs);
	if (json_is_object(json_object_get(doc, "server")))
		json_object_set_new(json_object_get(doc, "server"), "private_key",
		    json_string("(sealed)"));
	if (json_object_get(doc, "psk"))
		json_object_set_new(doc, "psk", json_string("(sealed)"));
	json_array_foreach(json_object_get(doc, "users"), i, u)
		if (json_object_get(u, "nt_hash"))
			json_object_set_new(u, "nt_hash", json_string("(sealed)"));
	web_json(r, 200, json_incref(doc));
	vpn_json_wipe(doc);
}

const struct web_route web_routes_apply[] = {
	{ "POST",   "/vpn/ipsec/apply",		0, apply_post },
	{ "POST",   "/api/v1/vpn/apply",	0, apply_post },
	{ "GET",    "/api/v1/vpn/pending",	0, pending_get },
	{ "GET",    "/api/v1/vpn/engine-config", 0, preview_get },
	{ NULL, NULL, 0, NULL },
};
