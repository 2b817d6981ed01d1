/*
 * ui-status — Status > Dashboard and Diagnostics > Audit Log, with the
 * audit log's JSON API.
 */
#include <sys/utsname.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web.h"

#define AUDIT_PAGE 100

static void
dashboard(struct web_req *r)
{
	struct db_user *users = NULL;
	size_t n = 0, i, admins = 0, vpn = 0;
	struct utsname un;
	json_t *ctx = web_ctx(r);
	char host[256] = "";

	if (db_user_list(r->app->db, &users, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (users[i].role == DB_ROLE_ADMIN)
				admins++;
			if (users[i].vpn_secret)
				vpn++;
		}
	}
	db_user_list_free(users, n);
	gethostname(host, sizeof(host) - 1);
	if (uname(&un) == 0)
		json_object_set_new(ctx, "kernel", json_sprintf("%s %s", un.sysname, un.release));
	else
		json_object_set_new(ctx, "kernel", json_string("unknown"));
	json_object_set_new(ctx, "hostname", json_string(host));
	json_object_set_new(ctx, "users", json_integer((json_int_t)n));
	json_object_set_new(ctx, "admins", json_integer((json_int_t)admins));
	json_object_set_new(ctx, "vpn_users", json_integer((json_int_t)vpn));
	json_object_set_new(ctx, "schema", json_integer(db_schema_version(r->app->db)));
	web_page(r, 200, "Status / Dashboard", "dashboard", ctx);
}

static void
audit_log(struct web_req *r)
{
	struct db_audit *ents = NULL;
	size_t n = 0, i;
	long long before = 0;
	const char *b = web_param_get(&r->query, "before");
	json_t *ctx, *list;
	char when[32];

	if (b && parse_int(b, 1, INT64_MAX, &before) == -1) {
		web_error(r, 400, "The page position is not valid.");
		return;
	}
	if (db_audit_list(r->app->db, before, AUDIT_PAGE, &ents, &n) != 0) {
		web_error(r, 500, "The audit log could not be read.");
		return;
	}
	list = json_array();
	for (i = 0; i < n; i++) {
		web_time(ents[i].ts, when, sizeof(when));
		json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s}",
		    "id", (json_int_t)ents[i].id, "time", when, "ts", (json_int_t)ents[i].ts,
		    "actor", ents[i].actor, "address", ents[i].remote_addr,
		    "action", ents[i].action, "object", ents[i].object, "detail", ents[i].detail));
	}
	if (r->is_api) {
		web_json(r, 200, json_pack("{s:o, s:I}", "entries", list, "next",
		    n == AUDIT_PAGE ? (json_int_t)ents[n - 1].id : (json_int_t)0));
		db_audit_list_free(ents, n);
		return;
	}
	ctx = web_ctx(r);
	json_object_set_new(ctx, "entries", list);
	if (n == AUDIT_PAGE)
		json_object_set_new(ctx, "next", json_integer((json_int_t)ents[n - 1].id));
	db_audit_list_free(ents, n);
	web_page(r, 200, "Diagnostics / Audit Log", "audit", ctx);
}

const struct web_route web_routes_status[] = {
	{ "GET", "/status/dashboard",		0, dashboard },
	{ "GET", "/diagnostics/audit",		0, audit_log },
	{ "GET", "/api/v1/audit",		0, audit_log },
	{ NULL, NULL, 0, NULL },
};
