/*
 * ikegwd — the IKEv2 responder.
 *
 *   ikegwd -c engine.json [-d] [--pidfile FILE]
 *   ikegwd --check engine.json	prints "file:path: message" per problem
 *
 * One libevent loop carries everything: UDP 500/4500, timers, the control
 * socket.  SIGHUP re-reads the configuration (like `ikegwctl apply`);
 * SIGTERM/SIGINT send Delete to every client, then exit.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "engine.h"
#include "ctl/ctl.h"
#include "ike/cert.h"
#include "pool/pool.h"
#include "fw/fw.h"

static struct ikegwd gw_state;
static char *config_path;

static void
usage(void)
{
	fprintf(stderr, "usage: ikegwd -c engine.json [-d] [--pidfile FILE]\n"
	    "       ikegwd --check engine.json\n");
	exit(2);
}

static int
check(const char *path)
{
	struct ike_config *cfg = NULL;
	struct ike_config_errors errs = { 0 };
	size_t i;

	if (ike_config_load_file(path, &cfg, &errs) == 0) {
		ike_config_free(cfg);
		printf("%s: OK\n", path);
		return 0;
	}
	for (i = 0; i < errs.n; i++)
		printf("%s:%s\n", path, errs.v[i]);
	ike_config_errors_free(&errs);
	return 1;
}

/* 1 when an established SA still fits the new configuration. */
static int
still_fits(struct ike_sa *sa, const struct ike_config *cfg, const struct cfg_phase1 **p1out,
    const char **why)
{
	const struct cfg_phase1 *p1 = NULL;
	const struct cfg_user *u = NULL;
	struct child_sa *c;
	size_t i, k, j, t;
	int hit;

	for (i = 0; i < cfg->nphase1; i++)
		if (strcmp(cfg->phase1[i].name, SA_STR(sa->p1_name)) == 0)
			p1 = &cfg->phase1[i];
	*p1out = p1;
	if (p1 == NULL || !p1->enabled)
		return *why = "its phase 1 was removed or disabled", 0;
	if (sa->p1 && p1->auth != sa->p1->auth)
		return *why = "the authentication method changed", 0;
	for (i = 0, hit = 0; i < p1->nproposals && !hit; i++)
		hit = p1->proposals[i].encr == sa->encr->ea_id &&
		    p1->proposals[i].encr_bits == sa->encr->ea_keybits &&
		    p1->proposals[i].prf == sa->prf->pa_id && p1->proposals[i].dh == sa->dh &&
		    p1->proposals[i].integ == (sa->integ ? sa->integ->ia_id : IKE_INTEG_NONE);
	if (!hit)
		return *why = "its algorithms are no longer allowed", 0;
	if (sa->user) {
		if ((u = ike_config_user(cfg, sa->user)) == NULL)
			return *why = "the user was removed or disabled", 0;
		if (p1->auth == CFG_AUTH_EAP_MSCHAPV2 && !u->has_nt_hash)
			return *why = "the user has no VPN password any more", 0;
	}
	if (p1->ngroups && (u == NULL || !ike_config_user_allowed(p1, u)))
		return *why = "the user is no longer in an allowed group", 0;
	if (sa->have_vip4 || sa->have_vip6) {
		const struct cfg_pool *pool = p1->pool ? ike_config_pool(cfg, p1->pool) : NULL;

		if (pool == NULL || strcmp(pool->name, SA_STR(sa->pool)) != 0 ||
		    (sa->have_vip4 && !cfg_net_contains(&pool->v4, AF_INET,
		    (const uint8_t *)&sa->vip4)) ||
		    (sa->have_vip6 && !cfg_net_contains(&pool->v6, AF_INET6,
		    (const uint8_t *)&sa->vip6)))
			return *why = "its address is no longer in the pool", 0;
	}
	/* Every local selector must still be one of the phase 2 networks. */
	for (c = sa->children; c; c = c->next) {
		for (t = 0; t < c->nts_local; t++) {
			for (k = 0, hit = 0; k < p1->nphase2 && !hit; k++)
				for (j = 0; j < p1->phase2[k].nlocal_ts && !hit; j++)
					hit = cfg_net_contains(&p1->phase2[k].local_ts[j],
					    c->ts_local[t].family, c->ts_local[t].addr) &&
					    p1->phase2[k].local_ts[j].prefix <= c->ts_local[t].prefix;
			if (!hit)
				return *why = "its networks are no longer configured", 0;
		}
	}
	return 1;
}

json_t *ikegwd_apply(struct ikegwd *, const char *);

/*
 * Applies the configuration's firewall (nftables, one transaction).  Only
 * when the model is present and enabled; the kernel keeps the previous
 * ruleset when it refuses the new one.  0 or -1 with err.
 */
static int
firewall_apply(const struct ike_config *cfg, const struct ike_config *prev, char *err,
    size_t errlen)
{
	char *rules;
	int rc;

	if (cfg->fw == NULL || !cfg->fw->enabled) {
		/* The firewall was switched off (or WAN unassigned): our table goes. */
		if (prev && prev->fw && prev->fw->enabled)
			return fw_remove_nft(err, errlen);
		return 0;
	}
	if ((rules = fw_render_nft(cfg->fw)) == NULL) {
		snprintf(err, errlen, "out of memory rendering the firewall");
		return -1;
	}
	rc = fw_apply_nft(rules, 0, err, errlen);
	free(rules);
	return rc;
}

json_t *
ikegwd_apply(struct ikegwd *gw, const char *path)
{
	struct ike_config *cfg = NULL, *old;
	struct ike_config_errors errs = { 0 };
	struct ike_certs *certs, *oldcerts;
	const struct cfg_phase1 *p1;
	struct ike_sa *sa;
	json_t *r, *ea;
	const char *why;
	char err[512];
	size_t i, kept = 0, closed = 0;

	if (ike_config_load_file(path, &cfg, &errs) == -1) {
		ea = json_array();
		for (i = 0; i < errs.n; i++)
			json_array_append_new(ea, json_string(errs.v[i]));
		r = json_pack("{s:b, s:s, s:o}", "ok", 0, "error", errs.n ?
		    errs.v[0] : "configuration refused", "errors", ea);
		ike_config_errors_free(&errs);
		return r;
	}
	if (cfg->ike_port != gw->cfg->ike_port || cfg->natt_port != gw->cfg->natt_port ||
	    strcmp(cfg->kernel_backend, gw->cfg->kernel_backend) != 0) {
		ike_config_free(cfg);
		return json_pack("{s:b, s:s}", "ok", 0, "error",
		    "ports or kernel backend changed: restart ikegwd to use them");
	}
	if ((certs = ike_certs_load(cfg, err, sizeof(err))) == NULL) {
		ike_config_free(cfg);
		return json_pack("{s:b, s:s}", "ok", 0, "error", err);
	}
	/* The firewall first: if the kernel refuses it, nothing else changes. */
	if (firewall_apply(cfg, gw->cfg, err, sizeof(err)) == -1) {
		ike_certs_free(certs);
		ike_config_free(cfg);
		log_err("apply refused: %s", err);
		return json_pack("{s:b, s:s}", "ok", 0, "error", err);
	}
	if (pool_set_reconfigure(gw->pools, cfg->pools, cfg->npools, NULL, err, sizeof(err)) != POOL_OK) {
		/* Put the running firewall back. */
		(void)firewall_apply(gw->cfg, cfg, err + strlen(err), sizeof(err) - strlen(err));
		ike_certs_free(certs);
		ike_config_free(cfg);
		return json_pack("{s:b, s:s}", "ok", 0, "error", err);
	}
	old = gw->cfg;
	oldcerts = gw->certs;
	gw->cfg = cfg;
	gw->certs = certs;
	for (sa = gw->sa_list; sa; sa = sa->next) {
		if (sa->state == SA_DEAD)
			continue;
		if (sa->state == SA_ESTABLISHED && still_fits(sa, cfg, &p1, &why)) {
			sa->p1 = p1;
			kept++;
			continue;
		}
		if (sa->state != SA_ESTABLISHED) {
			/* Half-open and mid-EAP SAs simply start over. */
			sa->p1 = NULL;
			sa_kill(sa, "configuration changed during authentication");
		} else {
			sa->p1 = p1;
			log_msg(LOG_INFO, sa->id, "closing after apply: %s", why);
			exch_delete_ike(sa);
			if (sa->p1 == NULL)
				sa_kill(sa, why);
		}
		closed++;
	}
	/* SAs being deleted keep a pointer only to a phase 1 of the new config
	   or none; nothing refers to the old one any more. */
	ike_config_free(old);
	ike_certs_free(oldcerts);
	free(config_path);
	config_path = strdup(path);
	log_info("applied %s: %zu SAs kept, %zu closed", path, kept, closed);
	return json_pack("{s:b, s:I, s:I}", "ok", 1, "kept", (json_int_t)kept,
	    "closed", (json_int_t)closed);
}

/* Once a second: write lease changes (batched; a restart finds them all). */
static void
on_housekeeping(evutil_socket_t fd, short what, void *arg)
{
	struct ikegwd *gw = arg;

	(void)fd;
	(void)what;
	if (pool_flush(gw->pools) == -1)
		log_err("leases: %s", pool_set_error(gw->pools));
}

/* A backend that counts traffic says a CHILD SA reached a volume limit. */
static void
on_kernel_expired(struct kernel *k, uint32_t spi_in, int hard)
{
	struct ike_sa *sa;
	struct child_sa *c;

	for (sa = k->gw->sa_list; sa; sa = sa->next) {
		if (sa->state != SA_ESTABLISHED || (c = child_find_in(sa, spi_in)) == NULL)
			continue;
		if (hard) {
			log_msg(LOG_INFO, sa->id, "CHILD SA %08x reached its hard volume limit", spi_in);
			if (!sa->req_pending)
				exch_delete_child(sa, c);
			else
				c->expire_at = time(NULL);	/* at the next tick */
		} else if (!c->rekeyed && child_rekey_start(sa, c) == -1)
			c->rekey_at = time(NULL) + 1;
		sa_schedule(sa);
		return;
	}
}

static void
on_stop_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(((struct ikegwd *)arg)->base);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct ikegwd *gw = arg;
	struct ike_sa *sa, *next;
	struct timeval tv = { 0, 500000 };
	json_t *r;

	(void)what;
	if (sig == SIGHUP) {
		r = ikegwd_apply(gw, config_path);
		if (!json_is_true(json_object_get(r, "ok")))
			log_err("reload refused: %s", json_string_value(json_object_get(r, "error")));
		json_decref(r);
		return;
	}
	if (gw->stopping)
		return;
	gw->stopping = 1;
	log_info("shutting down: deleting %zu IKE SAs", gw->nsa);
	/* Tell every client, so they reconnect at once when we are back. */
	for (sa = gw->sa_list; sa; sa = next) {
		next = sa->next;
		if (sa->state == SA_ESTABLISHED)
			exch_delete_ike(sa);
	}
	event_base_once(gw->base, -1, EV_TIMEOUT, on_stop_timer, gw, &tv);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", required_argument, NULL, 'C' },
		{ "debug", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct ikegwd *gw = &gw_state;
	struct ike_config_errors errs = { 0 };
	struct event *sigs[4];
	const char *pidfile = NULL;
	char err[512];
	size_t i;
	int c;
	FILE *fp;

	while ((c = getopt_long(argc, argv, "c:d", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = strdup(optarg); break;
		case 'C': return check(optarg);
		case 'd': log_set_level(LOG_DEBUG); break;
		case 'p': pidfile = optarg; break;
		default: usage();
		}
	}
	if (config_path == NULL || optind != argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (ike_config_load_file(config_path, &gw->cfg, &errs) == -1) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s:%s\n", config_path, errs.v[i]);
		ike_config_errors_free(&errs);
		return 1;
	}
	gw->started = time(NULL);
	if ((gw->base = event_base_new()) == NULL) {
		log_err("libevent: cannot create the event loop");
		return 1;
	}
	if (firewall_apply(gw->cfg, NULL, err, sizeof(err)) == -1) {
		log_err("%s", err);
		return 1;
	}
	if ((gw->certs = ike_certs_load(gw->cfg, err, sizeof(err))) == NULL ||
	    (gw->pools = pool_set_new(gw->cfg->pools, gw->cfg->npools, gw->cfg->leases_file, err,
	    sizeof(err))) == NULL ||
	    net_open(gw, err, sizeof(err)) == -1 ||
	    (gw->kernel = kernel_open(gw, err, sizeof(err))) == NULL ||
	    (gw->ctl = ctl_open(gw, gw->cfg->control_socket, err, sizeof(err))) == NULL) {
		log_err("%s", err);
		return 1;
	}
	gw->kernel->expired = on_kernel_expired;
	pool_set_batch(gw->pools, 1);
	gw->housekeeping = event_new(gw->base, -1, EV_PERSIST, on_housekeeping, gw);
	{
		struct timeval one = { 1, 0 };

		event_add(gw->housekeeping, &one);
	}
	if (pidfile && (fp = fopen(pidfile, "w")) != NULL) {
		fprintf(fp, "%ld\n", (long)getpid());
		fclose(fp);
	}
	sigs[0] = evsignal_new(gw->base, SIGTERM, on_signal, gw);
	sigs[1] = evsignal_new(gw->base, SIGINT, on_signal, gw);
	sigs[2] = evsignal_new(gw->base, SIGHUP, on_signal, gw);
	for (i = 0; i < 3; i++)
		evsignal_add(sigs[i], NULL);
	log_info("ikegwd started: IKE on UDP %u/%u, kernel backend %s, control %s",
	    gw->cfg->ike_port, gw->cfg->natt_port, gw->kernel->ops->name, gw->cfg->control_socket);

	event_base_dispatch(gw->base);

	log_info("ikegwd stopping");
	sa_free_all(gw);
	event_free(gw->housekeeping);
	ctl_close(gw->ctl);
	net_close(gw);
	pool_set_free(gw->pools);
	kernel_close(gw->kernel);
	ike_certs_free(gw->certs);
	ike_config_free(gw->cfg);
	for (i = 0; i < 3; i++)
		event_free(sigs[i]);
	event_base_free(gw->base);
	free(config_path);
	if (pidfile)
		unlink(pidfile);
	return 0;
}
