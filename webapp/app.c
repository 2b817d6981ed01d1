/*
 * app — per-worker state, the route table walk, and the response helpers
 * every page uses.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "web.h"

/* Every page family's table; each ends with a NULL method. */
static const struct web_route *const route_tables[] = {
	web_routes_login,
	web_routes_users,
	web_routes_system,
	web_routes_status,
	web_routes_ca,
	web_routes_cert,
	web_routes_crl,
	web_routes_vpn,
	web_routes_apply,
	web_routes_ipsec_status,
	web_routes_firewall,
};

/*
 * The menu, pfSense's paths.  A section with no entries is not shown, so the
 * layout only offers pages that exist.
 */
struct menu_item {
	const char *section;
	const char *title;
	const char *href;
};

static const struct menu_item menu[] = {
	{ "System",	"Cert. Manager",	"/system/certmanager" },
	{ "System",	"User Manager",		"/system/users" },
	{ "System",	"Groups",		"/system/groups" },
	{ "System",	"API Tokens",		"/system/tokens" },
	{ "System",	"General Setup",	"/system/general" },
	{ "System",	"Change Password",	"/system/password" },
	{ "VPN",	"IPsec: Mobile Clients", "/vpn/ipsec/mobile" },
	{ "VPN",	"IPsec: Tunnels",	"/vpn/ipsec/tunnels" },
	{ "Firewall",	"Rules",		"/firewall/rules" },
	{ "Firewall",	"NAT: Outbound",	"/firewall/nat" },
	{ "Firewall",	"Settings",		"/firewall/settings" },
	{ "Status",	"Dashboard",		"/status/dashboard" },
	{ "Status",	"IPsec: Overview",	"/status/ipsec/overview" },
	{ "Status",	"IPsec: Leases",	"/status/ipsec/leases" },
	{ "Diagnostics", "Audit Log",		"/diagnostics/audit" },
};

static const struct {
	const char *code;
	const char *text;
} flashes[] = {
	{ "user-created",	"User created." },
	{ "user-saved",		"User saved." },
	{ "user-deleted",	"User deleted." },
	{ "group-created",	"Group created." },
	{ "group-saved",	"Group saved." },
	{ "group-deleted",	"Group deleted." },
	{ "password-changed",	"Password changed." },
	{ "token-revoked",	"API token revoked." },
	{ "settings-saved",	"Settings saved." },
	{ "ca-created",		"Certificate authority created." },
	{ "ca-imported",	"Certificate authority imported." },
	{ "ca-saved",		"Certificate authority saved." },
	{ "ca-deleted",		"Certificate authority deleted." },
	{ "cert-created",	"Certificate created." },
	{ "cert-imported",	"Certificate imported." },
	{ "cert-signed",	"Signing request signed: certificate created." },
	{ "csr-created",	"Key and signing request created. Send the request to the CA,"
				" then import the signed certificate here." },
	{ "cert-completed",	"Signed certificate imported." },
	{ "cert-renewed",	"Certificate renewed." },
	{ "cert-saved",		"Certificate saved." },
	{ "cert-deleted",	"Certificate deleted." },
	{ "cert-revoked",	"Certificate revoked; the CRL was updated." },
	{ "hold-removed",	"Hold removed; the CRL was updated." },
	{ "crl-saved",		"CRL settings saved; a new CRL was made." },
	{ "crl-imported",	"CRL imported." },
	{ "applied",		"The changes were applied." },
	{ "mobile-saved",	"Mobile client settings saved." },
	{ "phase1-saved",	"Phase 1 saved." },
	{ "phase1-deleted",	"Phase 1 deleted, with its Phase 2 entries." },
	{ "phase2-saved",	"Phase 2 saved." },
	{ "phase2-deleted",	"Phase 2 deleted." },
	{ "disconnected",	"The IKE SA was disconnected." },
	{ "fw-rule-saved",	"Firewall rule saved." },
	{ "fw-rule-deleted",	"Firewall rule deleted." },
	{ "fw-settings-saved",	"Firewall settings saved." },
	{ "nat-saved",		"Outbound NAT mode saved." },
	{ "nat-rule-saved",	"Outbound NAT rule saved." },
	{ "nat-rule-deleted",	"Outbound NAT rule deleted." },
	{ "logged-out",		"You have been logged out." },
	{ "expired",		"Your session has expired. Please log in again." },
};

const char *
web_flash_text(const char *code)
{
	size_t i;

	if (code == NULL)
		return NULL;
	for (i = 0; i < sizeof(flashes) / sizeof(flashes[0]); i++)
		if (strcmp(flashes[i].code, code) == 0)
			return flashes[i].text;
	return NULL;
}

int
web_app_init(struct web_app *app, const char *var_dir, const char *tmpl_dir, char *err,
    size_t errlen)
{
	char path[4096];

	memset(app, 0, sizeof(*app));
	app->limits = web_default_limits;
	if ((app->var_dir = strdup(var_dir)) == NULL)
		goto nomem;
	snprintf(path, sizeof(path), "%s/run/ikegwd.sock", var_dir);
	if ((app->engine_socket = strdup(path)) == NULL)
		goto nomem;
	snprintf(path, sizeof(path), "%s/secret.key", var_dir);
	if (pki_secret_key_load(path, 0, app->secret, err, errlen) == -1)
		goto fail;
	snprintf(path, sizeof(path), "%s/ikegw.db", var_dir);
	if ((app->db = db_open(path, err, errlen)) == NULL)
		goto fail;
	if ((app->tmpl = tmpl_load_dir(tmpl_dir, err, errlen)) == NULL)
		goto fail;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	web_app_free(app);
	return -1;
}

void
web_app_free(struct web_app *app)
{
	db_close(app->db);
	tmpl_set_free(app->tmpl);
	free(app->var_dir);
	free(app->engine_socket);
	explicit_bzero(app->secret, sizeof(app->secret));
	memset(app, 0, sizeof(*app));
}

void
web_req_free(struct web_req *r)
{
	web_params_free(&r->query);
	web_params_free(&r->form);
	web_params_free(&r->cookies);
	db_user_free(&r->user);
	db_session_free(&r->session);
	buf_free(&r->headers);
	buf_wipe(&r->body);
}

/* ---------------------------------------------------------------- responses */

void
web_header(struct web_req *r, const char *name, const char *fmt, ...)
{
	va_list ap;

	buf_printf(&r->headers, "%s: ", name);
	va_start(ap, fmt);
	buf_vprintf(&r->headers, fmt, ap);
	va_end(ap);
	buf_adds(&r->headers, "\r\n");
}

void
web_redirect(struct web_req *r, const char *path)
{
	/* Only local absolute paths: never "//host" or a scheme. */
	if (path[0] != '/' || path[1] == '/' || path[1] == '\\')
		path = "/";
	r->status = 303;
	web_header(r, "Location", "%s", path);
	buf_reset(&r->body);
}

void
web_json(struct web_req *r, int status, json_t *body)
{
	char *s, *p;

	r->status = status;
	r->content_type_out = "application/json";
	buf_reset(&r->body);
	s = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		/* < > & ' only occur inside strings: escape them too, so JSON
		   that ends up in HTML by mistake stays inert. */
		for (p = s; *p; p++) {
			if (*p == '<' || *p == '>' || *p == '&' || *p == '\'')
				buf_printf(&r->body, "\\u%04x", (unsigned)*p);
			else
				buf_addc(&r->body, *p);
		}
		buf_addc(&r->body, '\n');
		free(s);
	}
	json_decref(body);
}

void
web_download(struct web_req *r, const char *content_type, const char *filename, const void *data,
    size_t len)
{
	struct buf fn = { 0 };
	const char *p;

	/* File names are ours, but keep them to a safe alphabet regardless. */
	for (p = filename; *p; p++)
		buf_addc(&fn, isalnum((unsigned char)*p) || strchr("._-", *p) ? *p : '_');
	r->status = 200;
	r->content_type_out = content_type;
	web_header(r, "Content-Disposition", "attachment; filename=\"%s\"", buf_str(&fn));
	buf_reset(&r->body);
	buf_add(&r->body, data, len);
	buf_free(&fn);
}

json_t *
web_ctx(struct web_req *r)
{
	json_t *ctx = json_object();

	json_object_set_new(ctx, "csrf", json_string(web_csrf(r)));
	if (r->user.id) {
		json_object_set_new(ctx, "user", json_pack("{s:s, s:s, s:I}",
		    "name", r->user.name, "full_name", r->user.full_name,
		    "id", (json_int_t)r->user.id));
	}
	return ctx;
}

static json_t *
menu_json(const char *path)
{
	json_t *sections = json_array(), *sec = NULL, *items = NULL;
	const char *cur = NULL;
	size_t i, n;

	for (i = 0; i < sizeof(menu) / sizeof(menu[0]); i++) {
		if (cur == NULL || strcmp(cur, menu[i].section) != 0) {
			cur = menu[i].section;
			sec = json_pack("{s:s, s:b}", "title", cur, "active", 0);
			items = json_array();
			json_object_set_new(sec, "items", items);
			json_array_append_new(sections, sec);
		}
		if (menu[i].href == NULL)
			continue;
		n = strlen(menu[i].href);
		json_array_append_new(items, json_pack("{s:s, s:s, s:b}", "title", menu[i].title,
		    "href", menu[i].href, "active",
		    strncmp(path, menu[i].href, n) == 0 && (path[n] == '\0' || path[n] == '/')));
		if (strncmp(path, menu[i].href, n) == 0 && (path[n] == '\0' || path[n] == '/'))
			json_object_set_new(sec, "active", json_true());
	}
	/* Drop sections without pages. */
	for (i = json_array_size(sections); i-- > 0;) {
		sec = json_array_get(sections, i);
		if (json_array_size(json_object_get(sec, "items")) == 0)
			json_array_remove(sections, i);
	}
	return sections;
}

static void
render_fail(struct web_req *r, const char *err)
{
	fprintf(stderr, "ikegw-web: template: %s\n", err);
	r->status = 500;
	r->content_type_out = "text/plain; charset=utf-8";
	buf_reset(&r->body);
	buf_adds(&r->body, "Internal error while rendering the page.\n");
}

void
web_page(struct web_req *r, int status, const char *title, const char *tmpl, json_t *ctx)
{
	struct buf content = { 0 };
	char err[512];
	const char *msg;
	json_t *layout;

	if (ctx == NULL)
		ctx = web_ctx(r);
	if (json_object_get(ctx, "csrf") == NULL)
		json_object_set_new(ctx, "csrf", json_string(web_csrf(r)));
	json_object_set_new(ctx, "title", json_string(title));
	if (tmpl_render(r->app->tmpl, tmpl, ctx, &content, err, sizeof(err)) == -1) {
		render_fail(r, err);
		goto out;
	}
	layout = web_ctx(r);
	json_object_set_new(layout, "title", json_string(title));
	json_object_set_new(layout, "content", json_stringn(buf_str(&content), content.len));
	if (r->user.id) {
		json_object_set_new(layout, "menu", menu_json(r->path));
		/* The Apply banner: on every page while changes wait. */
		json_t *pending = web_pending_json(r);

		/* Error pages never echo the request, not even as the way back. */
		if (pending && status >= 400)
			json_object_set_new(pending, "back", json_string("/vpn/ipsec/tunnels"));
		if (pending)
			json_object_set_new(layout, "pending", pending);
	}
	msg = web_flash_text(web_param_get(&r->query, "msg"));
	if (msg)
		json_object_set_new(layout, "flash", json_string(msg));
	r->status = status;
	r->content_type_out = "text/html; charset=utf-8";
	buf_reset(&r->body);
	if (tmpl_render(r->app->tmpl, "layout", layout, &r->body, err, sizeof(err)) == -1)
		render_fail(r, err);
	json_decref(layout);
out:
	buf_free(&content);
	json_decref(ctx);
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	}
	return "";
}

const char *
web_status_text(int status)
{
	return status_text(status);
}

void
web_error(struct web_req *r, int status, const char *message)
{
	json_t *ctx;

	buf_reset(&r->headers);
	if (r->is_api) {
		web_json(r, status, json_pack("{s:s}", "error", message));
		return;
	}
	ctx = web_ctx(r);
	json_object_set_new(ctx, "status", json_integer(status));
	json_object_set_new(ctx, "status_text", json_string(status_text(status)));
	json_object_set_new(ctx, "message", json_string(message));
	web_page(r, status, status_text(status), "error", ctx);
}

void
web_form_invalid(struct web_req *r, const struct form *f, const char *title, const char *tmpl,
    json_t *ctx)
{
	if (r->is_api) {
		json_decref(ctx);
		web_json(r, 422, form_errors_json(f));
		return;
	}
	if (ctx == NULL)
		ctx = web_ctx(r);
	json_object_set_new(ctx, "form", form_context(f));
	web_page(r, 422, title, tmpl, ctx);
}

void
web_list(struct web_req *r, const char *key, json_t *list, const char *title, const char *tmpl)
{
	json_t *ctx;

	if (r->is_api) {
		web_json(r, 200, json_pack("{s:o}", key, list));
		return;
	}
	ctx = web_ctx(r);
	json_object_set_new(ctx, key, list);
	web_page(r, 200, title, tmpl, ctx);
}

int
web_load_result(struct web_req *r, int rc, const char *what)
{
	char msg[128];

	if (rc == DB_NOTFOUND) {
		snprintf(msg, sizeof(msg), "No such %s.", what);
		web_error(r, 404, msg);
	} else if (rc != 0) {
		snprintf(msg, sizeof(msg), "The %s could not be read.", what);
		web_error(r, 500, msg);
	}
	return rc;
}

void
web_deleted(struct web_req *r, const char *redirect)
{
	if (r->is_api)
		web_json(r, 200, json_pack("{s:b}", "deleted", 1));
	else
		web_redirect(r, redirect);
}

void
web_time(int64_t t, char *out, size_t outlen)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0) {
		snprintf(out, outlen, "never");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, outlen, "%Y-%m-%d %H:%M UTC", &tm);
}

/* ---------------------------------------------------------------- audit */

void
web_audit(struct web_req *r, const char *action, const char *object, const char *fmt, ...)
{
	struct buf detail = { 0 };
	va_list ap;
	const char *actor;

	if (fmt) {
		va_start(ap, fmt);
		buf_vprintf(&detail, fmt, ap);
		va_end(ap);
	}
	actor = r->user.id ? r->user.name : "-";
	if (db_audit_add(r->app->db, r->now, actor, r->remote_addr, action, object,
	    buf_str(&detail)) != 0)
		fprintf(stderr, "ikegw-web: audit: %s\n", db_errmsg(r->app->db));
	r->audited = 1;
	buf_free(&detail);
}

/* ---------------------------------------------------------------- dispatch */

/*
 * Matches path against a pattern; "{id}" matches a positive decimal integer
 * without leading zeros (up to two of them).  1 on a match.
 */
static int
route_match(const char *pat, const char *path, int64_t ids[2])
{
	int nid = 0;
	long long v;

	while (*pat && *path) {
		if (strncmp(pat, "{id}", 4) == 0) {
			if (nid >= 2 || *path < '1' || *path > '9')
				return 0;
			v = 0;
			while (*path >= '0' && *path <= '9') {
				if (v > (INT64_MAX - 9) / 10)
					return 0;
				v = v * 10 + (*path - '0');
				path++;
			}
			ids[nid++] = v;
			pat += 4;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	return *pat == '\0' && *path == '\0';
}

static int
is_safe_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* Origin check: a browser's cross-site POST carries a foreign Origin. */
static int
origin_ok(const struct web_req *r)
{
	const char *o = r->origin, *h;

	if (o == NULL || *o == '\0' || r->host == NULL)
		return 1;
	if (strncmp(o, "http://", 7) == 0)
		h = o + 7;
	else if (strncmp(o, "https://", 8) == 0)
		h = o + 8;
	else
		return 0;
	return strcmp(h, r->host) == 0;
}

void
web_dispatch(struct web_req *r)
{
	const struct web_route *rt, *hit = NULL;
	int path_known = 0;
	size_t t;
	int64_t ids[2];

	r->status = 200;
	r->is_api = strncmp(r->path, "/api/", 5) == 0;
	for (t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]) && hit == NULL; t++) {
		for (rt = route_tables[t]; rt->method; rt++) {
			ids[0] = ids[1] = 0;
			if (!route_match(rt->pattern, r->path, ids))
				continue;
			path_known = 1;
			if (strcmp(rt->method, r->method) == 0 ||
			    (strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
				hit = rt;
				r->path_id[0] = ids[0];
				r->path_id[1] = ids[1];
				break;
			}
		}
	}
	if (hit == NULL) {
		web_auth(r);
		if (path_known)
			web_error(r, 405, "This address does not accept that request method.");
		else
			web_error(r, 404, "The page you asked for does not exist.");
		return;
	}
	web_auth(r);
	if (!(hit->flags & ROUTE_PUBLIC)) {
		if (r->user.id == 0) {
			if (r->is_api)
				web_error(r, 401, "Authentication required.");
			else
				web_redirect(r, r->expired ? "/login?msg=expired" : "/login");
			return;
		}
		if (r->user.role != DB_ROLE_ADMIN) {
			web_error(r, 403, "You do not have access to this page.");
			return;
		}
	}
	if (!is_safe_method(r->method) && !(hit->flags & ROUTE_NOCSRF)) {
		if (!origin_ok(r) || (!r->via_token && !web_csrf_ok(r))) {
			web_error(r, 403, "The request was refused: its security token is missing"
			    " or out of date. Reload the page and try again.");
			return;
		}
	}
	hit->handler(r);
	if (!is_safe_method(r->method) && !r->audited && r->status < 400 && r->user.id)
		web_audit(r, "request", r->path, "%s", r->method);
}
