/*
 * cp — the configuration payload (RFC 7296 3.15, RFC 8598): a virtual
 * address from the pool (the same identity gets the same address back),
 * DNS servers, the DNS domain and split-tunnel subnets.  Attributes are
 * sent only when the client asks for an address; attributes we do not
 * know are ignored.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/pool/pool.h"

#define CP_MAX_ATTRS 48

static const char *
lease_identity(const struct ike_sa *sa)
{
	return sa->eap_id ? sa->eap_id : SA_STR(sa->peer_id);
}

uint16_t
cp_assign(struct ike_sa *sa, struct ike_out *out)
{
	const struct cfg_pool *pool;
	struct ike_cp_attr at[CP_MAX_ATTRS];
	uint8_t v6addr[17], sub4[CP_MAX_ATTRS][8], sub6[CP_MAX_ATTRS][17];
	size_t n = 0, i, s4 = 0, s6 = 0;
	uint8_t addr[16];
	char a[INET6_ADDRSTRLEN];
	int rc;

	if (sa->creq == NULL || !sa->creq->cp_request)
		return 0;
	if (sa->p1->pool == NULL || (pool = ike_config_pool(sa->gw->cfg, sa->p1->pool)) == NULL)
		return IKE_N_INTERNAL_ADDRESS_FAILURE;
	sa_set_str(&sa->pool, pool->name);

	if (sa->creq->want_v4 && pool->v4.family == AF_INET) {
		rc = pool_acquire(sa->gw->pools, pool->name, lease_identity(sa), AF_INET, 0, addr);
		if (rc != 0) {
			log_msg(LOG_INFO, sa->id, "pool %s: %s", pool->name,
			    rc == POOL_EXHAUSTED ? "no address left" : "lease failed");
			return IKE_N_INTERNAL_ADDRESS_FAILURE;
		}
		memcpy(&sa->vip4, addr, 4);
		sa->have_vip4 = 1;
		at[n].type = IKE_CA_INTERNAL_IP4_ADDRESS;
		at[n].value = (const uint8_t *)&sa->vip4;
		at[n++].len = 4;
	}
	if (sa->creq->want_v6 && pool->v6.family == AF_INET6) {
		rc = pool_acquire(sa->gw->pools, pool->name, lease_identity(sa), AF_INET6, 0, addr);
		if (rc == 0) {
			memcpy(&sa->vip6, addr, 16);
			sa->have_vip6 = 1;
			/* INTERNAL_IP6_ADDRESS: address and prefix length (3.15.1). */
			memcpy(v6addr, addr, 16);
			v6addr[16] = pool->v6.prefix;
			at[n].type = IKE_CA_INTERNAL_IP6_ADDRESS;
			at[n].value = v6addr;
			at[n++].len = 17;
		} else if (!sa->have_vip4) {
			return IKE_N_INTERNAL_ADDRESS_FAILURE;
		}
	}
	if (!sa->have_vip4 && !sa->have_vip6)
		return IKE_N_INTERNAL_ADDRESS_FAILURE;
	for (i = 0; i < pool->ndns && n < CP_MAX_ATTRS - 4; i++) {
		if (pool->dns[i].family == AF_INET && sa->have_vip4) {
			at[n].type = IKE_CA_INTERNAL_IP4_DNS;
			at[n].value = pool->dns[i].addr;
			at[n++].len = 4;
		} else if (pool->dns[i].family == AF_INET6) {
			at[n].type = IKE_CA_INTERNAL_IP6_DNS;
			at[n].value = pool->dns[i].addr;
			at[n++].len = 16;
		}
	}
	if (pool->domain && n < CP_MAX_ATTRS) {
		at[n].type = IKE_CA_INTERNAL_DNS_DOMAIN;
		at[n].value = (const uint8_t *)pool->domain;
		at[n++].len = strlen(pool->domain);
	}
	for (i = 0; i < pool->nsplit_dns && n < CP_MAX_ATTRS; i++) {
		at[n].type = IKE_CA_INTERNAL_DNS_DOMAIN;
		at[n].value = (const uint8_t *)pool->split_dns[i];
		at[n++].len = strlen(pool->split_dns[i]);
	}
	/* The login banner, to clients that ask for it (Cisco Unity attribute). */
	if (pool->banner && sa->creq->want_banner && n < CP_MAX_ATTRS) {
		at[n].type = IKE_CA_UNITY_BANNER;
		at[n].value = (const uint8_t *)pool->banner;
		at[n++].len = strlen(pool->banner);
	}
	/* Split tunnel: the networks to route into the tunnel (macOS uses them). */
	for (i = 0; i < pool->nsplit_include && n < CP_MAX_ATTRS; i++) {
		const struct cfg_net *sn = &pool->split_include[i];

		if (sn->family == AF_INET) {
			uint32_t mask = sn->prefix ? htonl(~0u << (32 - sn->prefix)) : 0;

			memcpy(sub4[s4], sn->addr, 4);
			memcpy(sub4[s4] + 4, &mask, 4);
			at[n].type = IKE_CA_INTERNAL_IP4_SUBNET;
			at[n].value = sub4[s4++];
			at[n++].len = 8;
		} else {
			memcpy(sub6[s6], sn->addr, 16);
			sub6[s6][16] = sn->prefix;
			at[n].type = IKE_CA_INTERNAL_IP6_SUBNET;
			at[n].value = sub6[s6++];
			at[n++].len = 17;
		}
	}
	ike_gen_cp(&out->g, IKE_CFG_REPLY, at, n);
	if (sa->have_vip4)
		log_msg(LOG_INFO, sa->id, "assigned %s to %s", inet_ntop(AF_INET, &sa->vip4, a,
		    sizeof(a)), lease_identity(sa));
	if (sa->have_vip6)
		log_msg(LOG_INFO, sa->id, "assigned %s to %s", inet_ntop(AF_INET6, &sa->vip6, a,
		    sizeof(a)), lease_identity(sa));
	return 0;
}

void
cp_release(struct ike_sa *sa)
{
	if (sa->pool == NULL)
		return;
	if (sa->have_vip4)
		pool_release(sa->gw->pools, sa->pool, AF_INET, (const uint8_t *)&sa->vip4);
	if (sa->have_vip6)
		pool_release(sa->gw->pools, sa->pool, AF_INET6, (const uint8_t *)&sa->vip6);
	sa->have_vip4 = sa->have_vip6 = 0;
}
