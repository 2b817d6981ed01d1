/* ctl — see ctl.h. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "ctl.h"
#include "engine/engine.h"
#include "engine/pool/pool.h"
#include "engine/fw/fw.h"

#define CTL_MAX_LINE	(64 * 1024)

struct ctl_server {
	struct ikegwd		*gw;
	struct evconnlistener	*lev;
	char			*path;
};

/* Implemented by ikegwd.c: load a new configuration and switch to it. */
json_t	*ikegwd_apply(struct ikegwd *, const char *path);

static json_t *
reply_ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

static json_t *
reply_err(const char *msg)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

static json_t *
cmd_list_sas(struct ikegwd *gw)
{
	json_t *r = reply_ok(), *a = json_array();
	struct ike_sa *sa;

	for (sa = gw->sa_list; sa; sa = sa->next)
		if (sa->state != SA_DEAD)
			json_array_append_new(a, sa_json(sa));
	json_object_set_new(r, "sas", a);
	return r;
}

static json_t *
cmd_terminate(struct ikegwd *gw, json_t *req)
{
	json_t *idv = json_object_get(req, "id"), *who = json_object_get(req, "identity");
	struct ike_sa *sa, *next;
	int n = 0;

	if (!json_is_integer(idv) && !json_is_string(who))
		return reply_err("terminate needs \"id\" (number) or \"identity\" (text)");
	for (sa = gw->sa_list; sa; sa = next) {
		next = sa->next;
		if (sa->state == SA_DEAD || sa->state == SA_DELETING)
			continue;
		if (json_is_integer(idv) && (json_int_t)sa->id != json_integer_value(idv))
			continue;
		if (json_is_string(who) &&
		    strcasecmp(SA_STR(sa->peer_id), json_string_value(who)) != 0 &&
		    strcasecmp(SA_STR(sa->eap_id), json_string_value(who)) != 0 &&
		    strcasecmp(SA_STR(sa->user), json_string_value(who)) != 0)
			continue;
		log_msg(LOG_INFO, sa->id, "terminated by the administrator");
		exch_delete_ike(sa);
		n++;
	}
	if (n == 0)
		return reply_err("no such IKE SA");
	json_t *r = reply_ok();
	json_object_set_new(r, "terminated", json_integer(n));
	return r;
}

/* Rekeys a CHILD SA of one IKE SA, or with "ike" the IKE SA itself, now
   (as at its soft lifetime). */
static json_t *
cmd_rekey(struct ikegwd *gw, json_t *req)
{
	json_t *idv = json_object_get(req, "id");
	struct ike_sa *sa;
	struct child_sa *c;

	if (!json_is_integer(idv))
		return reply_err("rekey needs \"id\" (an IKE SA number)");
	if ((sa = sa_find_id(gw, (uint64_t)json_integer_value(idv))) == NULL ||
	    sa->state != SA_ESTABLISHED || sa->rekeyed)
		return reply_err("no such established IKE SA");
	if (json_is_true(json_object_get(req, "ike"))) {
		if (ike_rekey_start(sa) == -1)
			return reply_err("busy: a request to this peer is outstanding; try again");
		return reply_ok();
	}
	for (c = sa->children; c && c->rekeyed; c = c->next)
		;
	if (c == NULL)
		return reply_err("the IKE SA has no CHILD SA to rekey");
	if (child_rekey_start(sa, c) == -1)
		return reply_err("busy: a request to this peer is outstanding; try again");
	return reply_ok();
}

static json_t *
cmd_stats(struct ikegwd *gw)
{
	const struct ike_stats *s = &gw->stats;
	size_t established = 0;
	struct ike_sa *sa;

	for (sa = gw->sa_list; sa; sa = sa->next)
		if (sa->state == SA_ESTABLISHED)
			established++;
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
	    " s:I, s:I, s:I}, s:s}", "ok", 1,
	    "uptime", (json_int_t)(time(NULL) - gw->started),
	    "ike_sas", (json_int_t)gw->nsa, "established", (json_int_t)established,
	    "half_open", (json_int_t)gw->nhalf_open,
	    "counters", "rx", (json_int_t)s->rx, "tx", (json_int_t)s->tx,
	    "rx_invalid", (json_int_t)s->rx_invalid, "rx_retransmit", (json_int_t)s->rx_retransmit,
	    "tx_retransmit", (json_int_t)s->tx_retransmit, "init_ok", (json_int_t)s->init_ok,
	    "init_refused", (json_int_t)s->init_refused, "auth_ok", (json_int_t)s->auth_ok,
	    "auth_failed", (json_int_t)s->auth_failed, "cookies_sent", (json_int_t)s->cookies_sent,
	    "established_total", (json_int_t)s->established_total,
	    "kernel", gw->kernel->ops->name);
}

/* Per pool and family: size and usage, then each lease. */
static json_t *
cmd_leases(struct ikegwd *gw)
{
	struct pool_stats st[64];
	struct pool_lease_info *v = NULL;
	size_t nst, n = 0, i, j;
	json_t *r = reply_ok(), *ranges = json_array(), *rg, *ls;
	const struct cfg_pool *cp;
	char prefix[64];

	nst = pool_stats(gw->pools, st, sizeof(st) / sizeof(st[0]));
	if (nst > sizeof(st) / sizeof(st[0]))
		nst = sizeof(st) / sizeof(st[0]);
	if (pool_list(gw->pools, &v, &n) != POOL_OK)
		n = 0;
	for (i = 0; i < nst; i++) {
		prefix[0] = '\0';
		if ((cp = ike_config_pool(gw->cfg, st[i].pool)) != NULL)
			cfg_net_str(st[i].family == AF_INET ? &cp->v4 : &cp->v6, prefix, sizeof(prefix));
		ls = json_array();
		for (j = 0; j < n; j++)
			if (strcmp(v[j].pool, st[i].pool) == 0 && v[j].family == st[i].family)
				json_array_append_new(ls, json_pack("{s:s, s:s, s:b, s:I}",
				    "address", v[j].addr, "identity", v[j].identity,
				    "online", v[j].online, "since", (json_int_t)v[j].since));
		rg = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "pool", st[i].pool,
		    "family", st[i].family == AF_INET ? "ipv4" : "ipv6", "prefix", prefix,
		    "size", (json_int_t)(st[i].size > INT64_MAX ? INT64_MAX : st[i].size),
		    "online", (json_int_t)st[i].online, "bound", (json_int_t)st[i].bound,
		    "leases", ls);
		json_array_append_new(ranges, rg);
	}
	pool_list_free(v, n);
	json_object_set_new(r, "pools", ranges);
	return r;
}

static json_t *
dispatch(struct ikegwd *gw, json_t *req)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	json_t *r;

	if (cmd == NULL)
		return reply_err("request needs \"cmd\"");
	if (strcmp(cmd, "list-sas") == 0)
		return cmd_list_sas(gw);
	if (strcmp(cmd, "list-leases") == 0)
		return cmd_leases(gw);
	if (strcmp(cmd, "terminate") == 0)
		return cmd_terminate(gw, req);
	if (strcmp(cmd, "stats") == 0)
		return cmd_stats(gw);
	if (strcmp(cmd, "rekey") == 0)
		return cmd_rekey(gw, req);
	if (strcmp(cmd, "kernel-sas") == 0) {
		r = reply_ok();
		json_object_set_new(r, "sas", gw->kernel->ops->dump(gw->kernel));
		if (gw->kernel->ops->counters)
			json_object_set_new(r, "dataplane", gw->kernel->ops->counters(gw->kernel));
		return r;
	}
	if (strcmp(cmd, "render") == 0) {
		const char *fmt = json_string_value(json_object_get(req, "format"));
		char *text;

		if (fmt == NULL || (strcmp(fmt, "nft") != 0 && strcmp(fmt, "pf") != 0))
			return reply_err("render needs \"format\": \"nft\" or \"pf\"");
		if (gw->cfg->fw == NULL)
			return reply_err("the configuration has no firewall");
		text = strcmp(fmt, "nft") == 0 ? fw_render_nft(gw->cfg->fw) :
		    fw_render_pf(gw->cfg->fw);
		if (text == NULL)
			return reply_err("out of memory");
		r = json_pack("{s:b, s:s}", "ok", 1, "text", text);
		free(text);
		return r;
	}
	if (strcmp(cmd, "apply") == 0) {
		const char *path = json_string_value(json_object_get(req, "path"));

		if (path == NULL)
			return reply_err("apply needs \"path\"");
		return ikegwd_apply(gw, path);
	}
	return reply_err("unknown command");
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct ctl_server *srv = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	json_error_t jerr;
	json_t *req, *resp;
	size_t n;
	char *line, *out;

	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		req = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
		free(line);
		resp = req && json_is_object(req) ? dispatch(srv->gw, req) :
		    reply_err("request is not a JSON object");
		json_decref(req);
		if ((out = json_dumps(resp, JSON_COMPACT)) != NULL) {
			bufferevent_write(bev, out, strlen(out));
			bufferevent_write(bev, "\n", 1);
			free(out);
		}
		json_decref(resp);
	}
	if (evbuffer_get_length(in) > CTL_MAX_LINE)
		bufferevent_free(bev);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_free(bev);
}

static void
on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct ctl_server *srv = arg;
	struct bufferevent *bev;

	(void)lev;
	(void)sa;
	(void)len;
	bev = bufferevent_socket_new(srv->gw->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, on_read, NULL, on_event, srv);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

struct ctl_server *
ctl_open(struct ikegwd *gw, const char *path, char *err, size_t errlen)
{
	struct ctl_server *srv;
	struct sockaddr_un sun;
	mode_t old;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long");
		return NULL;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL || (srv->path = strdup(path)) == NULL) {
		free(srv);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->gw = gw;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	unlink(path);
	/* Only the owner and group (the web app's) may talk to the engine. */
	old = umask(007);
	srv->lev = evconnlistener_new_bind(gw->base, on_accept, srv,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (srv->lev == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(srv->path);
		free(srv);
		return NULL;
	}
	return srv;
}

void
ctl_close(struct ctl_server *srv)
{
	if (srv == NULL)
		return;
	evconnlistener_free(srv->lev);
	unlink(srv->path);
	free(srv->path);
	free(srv);
}
