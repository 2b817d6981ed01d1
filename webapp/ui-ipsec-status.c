/*
 * ui-ipsec-status — Status > IPsec > Overview (IKE SAs and their CHILD SAs,
 * with a disconnect button per SA) and Leases (per pool: size and usage,
 * then each lease), as the engine reports them over its control socket.
 *
 * The pages render the tables on the server; static/app.js refreshes them
 * every few seconds from the JSON twins (/api/v1/status/ipsec/...), which
 * carry the same view model, so the page never reloads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enginectl.h"
#include "vpn.h"

#define STATUS_TIMEOUT_MS	5000

/* "p1-<id>" → the Phase 1's description (or the name as it is). */
static json_t *
connection_label(struct web_req *r, const char *name, json_t *cache)
{
	struct db_vpn_phase1 p;
	long long id;
	json_t *v;

	if ((v = json_object_get(cache, name)) != NULL)
		return json_incref(v);
	if (strncmp(name, "p1-", 3) == 0 && parse_int(name + 3, 1, INT64_MAX, &id) == 0 &&
	    db_vpn_phase1_get(r->app->db, id, &p) == 0) {
		v = json_string(*p.description ? p.description : name);
		db_vpn_phase1_free(&p);
	} else
		v = json_string(name);
	json_object_set(cache, name, v);
	return v;
}

static json_t *
joined(json_t *arr)
{
	struct buf b = { 0 };
	json_t *v, *out;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			buf_printf(&b, "%s%s", b.len ? ", " : "", json_string_value(v));
	out = json_string(buf_str(&b));
	buf_free(&b);
	return out;
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static json_t *
sa_view(struct web_req *r, json_t *sa, json_t *cache)
{
	json_t *children = json_array(), *c, *v;
	struct buf alg = { 0 };
	const char *who;
	char when[32];
	size_t i;

	json_array_foreach(json_object_get(sa, "children"), i, c) {
		buf_reset(&alg);
		buf_printf(&alg, "%s", jstr(c, "encryption"));
		if (json_integer_value(json_object_get(c, "key_bits")))
			buf_printf(&alg, "_%lld", (long long)json_integer_value(json_object_get(c,
			    "key_bits")));
		if (*jstr(c, "integrity") && strcmp(jstr(c, "integrity"), "NONE") != 0)
			buf_printf(&alg, "/%s", jstr(c, "integrity"));
		if (*jstr(c, "dh") && strcmp(jstr(c, "dh"), "NONE") != 0)
			buf_printf(&alg, "/%s", jstr(c, "dh"));
		json_array_append_new(children, json_pack("{s:s, s:s, s:o, s:o, s:s, s:I, s:I, s:I,"
		    " s:I}", "spi_in", jstr(c, "spi_in"), "spi_out", jstr(c, "spi_out"),
		    "local", joined(json_object_get(c, "ts_local")),
		    "remote", joined(json_object_get(c, "ts_remote")), "algorithms", buf_str(&alg),
		    "bytes_in", json_integer_value(json_object_get(c, "bytes_in")),
		    "bytes_out", json_integer_value(json_object_get(c, "bytes_out")),
		    "packets_in", json_integer_value(json_object_get(c, "packets_in")),
		    "packets_out", json_integer_value(json_object_get(c, "packets_out"))));
	}
	buf_reset(&alg);
	buf_printf(&alg, "%s", jstr(sa, "encryption"));
	if (*jstr(sa, "integrity"))
		buf_printf(&alg, "/%s", jstr(sa, "integrity"));
	buf_printf(&alg, "/%s/%s", jstr(sa, "prf"), jstr(sa, "dh"));
	who = *jstr(sa, "eap_id") ? jstr(sa, "eap_id") : *jstr(sa, "user") ? jstr(sa, "user") :
	    jstr(sa, "remote_id");
	web_time(json_integer_value(json_object_get(sa, "established")), when, sizeof(when));
	v = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
	    "id", json_integer_value(json_object_get(sa, "id")), "state", jstr(sa, "state"),
	    "connection", connection_label(r, jstr(sa, "connection"), cache),
	    "identity", who, "local_id", jstr(sa, "local_id"), "remote_id", jstr(sa, "remote_id"),
	    "remote", jstr(sa, "remote"), "nat",
	    json_is_true(json_object_get(sa, "nat_remote")) ?
	    (json_is_true(json_object_get(sa, "nat_local")) ? "both behind NAT" :
	    "client behind NAT") : json_is_true(json_object_get(sa, "nat_local")) ?
	    "gateway behind NAT" : "none",
	    "algorithms", buf_str(&alg), "established", when,
	    "virtual_ips", joined(json_object_get(sa, "virtual_ips")), "children", children);
	buf_free(&alg);
	return v;
}

/* Asks the engine; on failure answers the request (page or JSON) and returns NULL. */
static json_t *
engine_ask(struct web_req *r, const char *cmd, char *err, size_t errlen)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd), *resp = NULL;
	enum web_ctl_status st;

	st = web_ctl_call(r->app->engine_socket, req, STATUS_TIMEOUT_MS, &resp, err, errlen);
	json_decref(req);
	if (st == WEB_CTL_OK)
		return resp;
	json_decref(resp);
	return NULL;
}

static json_t *
sas_view(struct web_req *r, char *err, size_t errlen)
{
	json_t *resp, *out = json_array(), *sa, *cache = json_object();
	size_t i;

	if ((resp = engine_ask(r, "list-sas", err, errlen)) == NULL) {
		json_decref(out);
		json_decref(cache);
		return NULL;
	}
	json_array_foreach(json_object_get(resp, "sas"), i, sa)
		json_array_append_new(out, sa_view(r, sa, cache));
	json_decref(resp);
	json_decref(cache);
	return out;
}

static json_t *
leases_view(struct web_req *r, char *err, size_t errlen)
{
	json_t *resp, *out = json_array(), *pool, *ls, *l, *v;
	char when[32];
	size_t i, j;

	if ((resp = engine_ask(r, "list-leases", err, errlen)) == NULL) {
		json_decref(out);
		return NULL;
	}
	json_array_foreach(json_object_get(resp, "pools"), i, pool) {
		ls = json_array();
		json_array_foreach(json_object_get(pool, "leases"), j, l) {
			int on = json_is_true(json_object_get(l, "online"));

			web_time(json_integer_value(json_object_get(l, "since")), when, sizeof(when));
			json_array_append_new(ls, json_pack("{s:s, s:s, s:b, s:s, s:s}", "address",
			    jstr(l, "address"), "identity", jstr(l, "identity"), "online", on,
			    "state", on ? "online" : "offline", "since", when));
		}
		v = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "pool", jstr(pool, "pool"),
		    "family", strcmp(jstr(pool, "family"), "ipv6") == 0 ? "IPv6" : "IPv4",
		    "prefix", jstr(pool, "prefix"),
		    "size", json_integer_value(json_object_get(pool, "size")),
		    "online", json_integer_value(json_object_get(pool, "online")),
		    "bound", json_integer_value(json_object_get(pool, "bound")), "leases", ls);
		json_array_append_new(out, v);
	}
	json_decref(resp);
	return out;
}

static void
overview(struct web_req *r)
{
	char err[512];
	json_t *sas = sas_view(r, err, sizeof(err)), *ctx;

	if (r->is_api) {
		if (sas == NULL)
			web_json(r, 503, json_pack("{s:s}", "error", err));
		else
			web_json(r, 200, json_pack("{s:o}", "sas", sas));
		return;
	}
	ctx = web_ctx(r);
	if (sas)
		json_object_set_new(ctx, "sas", sas);
	else
		json_object_set_new(ctx, "engine_error", json_string(err));
	web_page(r, 200, "Status / IPsec / Overview", "status_ipsec", ctx);
}

static void
leases(struct web_req *r)
{
	char err[512];
	json_t *pools = leases_view(r, err, sizeof(err)), *ctx;

	if (r->is_api) {
		if (pools == NULL)
			web_json(r, 503, json_pack("{s:s}", "error", err));
		else
			web_json(r, 200, json_pack("{s:o}", "pools", pools));
		return;
	}
	ctx = web_ctx(r);
	if (pools)
		json_object_set_new(ctx, "pools", pools);
	else
		json_object_set_new(ctx, "engine_error", json_string(err));
	web_page(r, 200, "Status / IPsec / Leases", "status_leases", ctx);
}

static void
disconnect(struct web_req *r)
{
	long long id = r->path_id[0];
	const char *s = web_param_get(&r->form, "id");
	json_t *req, *resp = NULL;
	enum web_ctl_status st;
	char err[512];

	if (id == 0 && (s == NULL || parse_int(s, 1, INT64_MAX, &id) == -1)) {
		web_error(r, 400, "Which IKE SA? The request names none.");
		return;
	}
	req = json_pack("{s:s, s:I}", "cmd", "terminate", "id", (json_int_t)id);
	st = web_ctl_call(r->app->engine_socket, req, STATUS_TIMEOUT_MS, &resp, err, sizeof(err));
	json_decref(req);
	json_decref(resp);
	if (st != WEB_CTL_OK) {
		web_audit(r, "vpn.disconnect.failed", "ike-sa", "id=%lld: %s", id, err);
		web_error(r, st == WEB_CTL_REFUSED ? 404 : 503, err);
		return;
	}
	web_audit(r, "vpn.disconnect", "ike-sa", "id=%lld", id);
	if (r->is_api)
		web_json(r, 200, json_pack("{s:b}", "disconnected", 1));
	else
		web_redirect(r, "/status/ipsec/overview?msg=disconnected");
}

const struct web_route web_routes_ipsec_status[] = {
	{ "GET",    "/status/ipsec/overview",			0, overview },
	{ "POST",   "/status/ipsec/overview/disconnect",	0, disconnect },
	{ "GET",    "/status/ipsec/leases",			0, leases },
	{ "GET",    "/api/v1/status/ipsec/sas",		0, overview },
	{ "POST",   "/api/v1/status/ipsec/sas/{id}/disconnect", 0, disconnect },
	{ "GET",    "/api/v1/status/ipsec/leases",		0, leases },
	{ NULL, NULL, 0, NULL },
};
