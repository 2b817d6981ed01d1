/*
 * exch_child — CREATE_CHILD_SA as responder (RFC 7296 1.3, 2.8, 2.17, 2.18):
 *
 *   new CHILD SA:     SA Ni [KEi] TSi TSr            → SA Nr [KEr] TSi TSr
 *   CHILD SA rekey:   N(REKEY_SA) SA Ni [KEi] TSi TSr → SA Nr [KEr] TSi TSr
 *   IKE SA rekey:     SA(IKE, new SPIi) Ni KEi       → SA(new SPIr) Nr KEr
 *
 * PFS at rekey is the client's choice: iOS sends KE, macOS does not, and a
 * responder that insists drops Apple clients — so both are accepted.  The
 * replaced SA stays until the initiator deletes it (1.3.2, 2.8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "dh.h"
#include "names.h"

static void
answer_notify(struct ike_sa *sa, uint32_t msgid, uint16_t type, const void *data, size_t len)
{
	struct ike_out o;

	ike_out_begin(&o);
	ike_gen_notify(&o.g, 0, NULL, 0, type, data, len);
	(void)ike_respond(sa, CREATE_CHILD_SA, msgid, &o);
	ike_out_free(&o);
}

/* 1 when one of the peer's proposals offers DH group g. */
static int
peer_offers_group(const struct ike_pl_sa *sa, uint16_t g)
{
	size_t j, x;

	for (j = 0; j < sa->nprops; j++)
		for (x = 0; x < sa->props[j].nxforms; x++)
			if (sa->props[j].xforms[x].type == IKE_XF_DH &&
			    sa->props[j].xforms[x].id == g)
				return 1;
	return 0;
}

/* The first of our IKE groups the peer offers; 0 when none. */
static uint16_t
first_ike_group_offered(const struct cfg_phase1 *p1, const struct ike_pl_sa *sa)
{
	size_t i;

	for (i = 0; i < p1->nproposals; i++)
		if (peer_offers_group(sa, p1->proposals[i].dh))
			return p1->proposals[i].dh;
	return 0;
}

/* The group to ask for in INVALID_KE_PAYLOAD: our first PFS group offered. */
static uint16_t
wanted_group(const struct cfg_phase1 *p1, const struct ike_pl_sa *sa, int ike)
{
	size_t i, k;
	uint16_t g;

	if (ike) {
		if ((g = first_ike_group_offered(p1, sa)) != 0)
			return g;
		return p1->nproposals ? p1->proposals[0].dh : 0;
	}
	for (k = 0; k < p1->nphase2; k++)
		for (i = 0; i < p1->phase2[k].nproposals; i++) {
			g = p1->phase2[k].proposals[i].dh;
			if (g != IKE_DH_NONE && peer_offers_group(sa, g))
				return g;
		}
	/* Else the first IKE group of ours the peer offers for PFS. */
	return first_ike_group_offered(p1, sa);
}

/*
 * A PFS group the client may use: one configured for the phase 2s, or for
 * the IKE SA itself (a client that wants PFS where we ask for none gets it
 * with a group we already trust).
 */
static int
pfs_acceptable(const struct cfg_phase1 *p1, uint16_t group)
{
	size_t i, k;

	if (group == IKE_DH_NONE)
		return 0;
	for (k = 0; k < p1->nphase2; k++)
		for (i = 0; i < p1->phase2[k].nproposals; i++)
			if (p1->phase2[k].proposals[i].dh == group)
				return 1;
	for (i = 0; i < p1->nproposals; i++)
		if (p1->proposals[i].dh == group)
			return 1;
	return 0;
}

/* Makes the DH half and the shared secret for a KE payload.  0 or -1. */
static int
dh_answer(uint16_t group, const struct ike_pl_ke *ke, uint8_t *pub, size_t *publen,
    uint8_t *gir, size_t *girlen, const char **why)
{
	struct ike_dh_key *dh;
	int rc = -1;

	*why = NULL;
	if (ike_dh_check_peer(group, ke->data, ke->len, why) != 0)
		return -1;
	if ((dh = ike_dh_new(group)) == NULL)
		return -1;
	if (ike_dh_public(dh, pub, IKE_DH_PUB_MAX, publen) == 0 &&
	    ike_dh_shared(dh, ke->data, ke->len, gir, IKE_DH_SECRET_MAX, girlen, why) == 0)
		rc = 0;
	ike_dh_free(dh);
	return rc;
}

/* ---------------------------------------------------------------- IKE SA rekey */

static void
rekey_ike(struct ike_sa *sa, const struct ike_msg *m, const struct ike_pl *sap,
    const struct ike_pl *np, const struct ike_pl *kep)
{
	struct cfg_proposal chosen;
	struct ike_sa *nsa;
	struct ike_prop prop;
	struct ike_xform xf[5];
	struct ike_pl_sa rsa;
	struct ike_out o;
	uint8_t pub[IKE_DH_PUB_MAX], gir[IKE_DH_SECRET_MAX], skeyseed[IKE_PRF_MAX], grp[2];
	uint8_t nr[IKE_NONCE_LEN];
	size_t publen, girlen;
	const char *why = NULL;
	int idx;

	/* 2.25: not while this SA is already being replaced or rekeys a child. */
	if (sa->rekeyed || sa->rekey != NULL) {
		answer_notify(sa, m->hdr.msgid, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	if ((idx = proposal_select_ike(sa->gw->cfg, sa->p1, &sap->u.sa, 8, &chosen)) < 0) {
		answer_notify(sa, m->hdr.msgid, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (kep == NULL || kep->u.ke.group != chosen.dh) {
		grp[0] = (uint8_t)(chosen.dh >> 8);
		grp[1] = (uint8_t)chosen.dh;
		answer_notify(sa, m->hdr.msgid, IKE_N_INVALID_KE_PAYLOAD, grp, 2);
		return;
	}
	if (dh_answer(chosen.dh, &kep->u.ke, pub, &publen, gir, &girlen, &why) == -1) {
		log_msg(LOG_INFO, sa->id, "IKE SA rekey: bad KE (%s)", why ? why : "error");
		answer_notify(sa, m->hdr.msgid, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if ((nsa = sa_new(sa->gw, sap->u.sa.props[idx].spi, &sa->local, &sa->remote)) == NULL) {
		answer_notify(sa, m->hdr.msgid, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	ike_random(nr, sizeof(nr));
	nsa->encr = ike_encr_lookup(chosen.encr, chosen.encr_bits);
	nsa->integ = chosen.integ ? ike_integ_lookup(chosen.integ) : NULL;
	nsa->prf = ike_prf_lookup(chosen.prf);
	nsa->dh = chosen.dh;
	/* 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), new SPIs. */
	if (nsa->encr == NULL || nsa->prf == NULL ||
	    ike_keys_rekey_skeyseed(sa->prf, sa->keys.k_d, sa->keys.k_prflen, gir, girlen,
	    np->u.nonce.data, np->u.nonce.len, nr, sizeof(nr), skeyseed) == -1 ||
	    ike_keys_derive(&nsa->keys, nsa->prf, nsa->encr, nsa->integ, skeyseed,
	    nsa->prf->pa_len, np->u.nonce.data, np->u.nonce.len, nr, sizeof(nr), nsa->spi_i,
	    nsa->spi_r) == -1 ||
	    ike_keys_sk(&nsa->keys, 0, &nsa->sk_out, &nsa->sk_in) == -1) {
		sa_kill(nsa, "rekey key derivation failed");
		answer_notify(sa, m->hdr.msgid, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	/* The new SA inherits everything that is not keys: who, what, where. */
	sa_set_str(&nsa->p1_name, sa->p1_name);
	nsa->p1 = sa->p1;
	nsa->natt = sa->natt;
	nsa->nat_peer = sa->nat_peer;
	nsa->nat_local = sa->nat_local;
	nsa->peer_frag = sa->peer_frag;
	nsa->peer_mobike = sa->peer_mobike;
	nsa->peer_hashes = sa->peer_hashes;
	nsa->auth_method = sa->auth_method;
	sa_set_str(&nsa->peer_id, sa->peer_id);
	sa_set_str(&nsa->eap_id, sa->eap_id);
	sa_set_str(&nsa->user, sa->user);
	sa_set_str(&nsa->pool, sa->pool);
	nsa->have_vip4 = sa->have_vip4;
	nsa->have_vip6 = sa->have_vip6;
	nsa->vip4 = sa->vip4;
	nsa->vip6 = sa->vip6;
	sa->have_vip4 = sa->have_vip6 = 0;	/* the lease moves, not released */
	nsa->children = sa->children;
	sa->children = NULL;
	nsa->last_in = time(NULL);
	sa->rekeyed = 1;
	sa_state(nsa, SA_ESTABLISHED);
	if (nsa->p1 && nsa->p1->lifetime)
		nsa->expire_at = nsa->established + nsa->p1->lifetime;
	sa_schedule(nsa);

	ike_out_begin(&o);
	proposal_to_pl(&chosen, IKE_PROTO_IKE, nsa->spi_r, 8, sap->u.sa.props[idx].num, &prop, xf);
	rsa.nprops = 1;
	rsa.props = &prop;
	ike_gen_sa(&o.g, &rsa);
	ike_gen_nonce(&o.g, nr, sizeof(nr));
	ike_gen_ke(&o.g, chosen.dh, pub, publen);
	(void)ike_respond(sa, CREATE_CHILD_SA, m->hdr.msgid, &o);
	ike_out_free(&o);
	log_msg(LOG_INFO, sa->id, "IKE SA rekeyed into sa#%llu (%s/%s)",
	    (unsigned long long)nsa->id, nsa->encr->ea_name,
	    ike_transform_name(IKE_XF_DH, nsa->dh));
	/* The old SA waits for the client's Delete; close it anyway later. */
	sa->expire_at = time(NULL) + 60;
	sa_schedule(sa);
out:
	explicit_bzero(gir, sizeof(gir));
	explicit_bzero(skeyseed, sizeof(skeyseed));
}

/* ---------------------------------------------------------------- CHILD SAs */

void
exch_child(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pl *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_pl *np = ike_msg_find(m, IKE_PL_NONCE, NULL);
	const struct ike_pl *kep = ike_msg_find(m, IKE_PL_KE, NULL);
	const struct ike_pl *rk = ike_msg_find_notify(m, IKE_N_REKEY_SA);
	struct child_sa *old = NULL;
	struct child_req req;
	struct ike_out o;
	uint8_t pub[IKE_DH_PUB_MAX], gir[IKE_DH_SECRET_MAX], nr[IKE_NONCE_LEN], grp[2];
	size_t publen = 0, girlen = 0;
	const char *why = NULL;
	uint16_t group = 0, n;

	if (sa->state != SA_ESTABLISHED || sa->p1 == NULL) {
		answer_notify(sa, m->hdr.msgid, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	if (sap == NULL || np == NULL || sap->u.sa.nprops == 0) {
		answer_notify(sa, m->hdr.msgid, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	if (sap->u.sa.props[0].proto == IKE_PROTO_IKE) {
		rekey_ike(sa, m, sap, np, kep);
		return;
	}
	if (rk != NULL) {
		uint32_t spi;

		if (rk->u.notify.proto != IKE_PROTO_ESP || rk->u.notify.spi_size != 4) {
			answer_notify(sa, m->hdr.msgid, IKE_N_INVALID_SYNTAX, NULL, 0);
			return;
		}
		spi = (uint32_t)rk->u.notify.spi[0] << 24 | (uint32_t)rk->u.notify.spi[1] << 16 |
		    (uint32_t)rk->u.notify.spi[2] << 8 | rk->u.notify.spi[3];
		/* The notify names the sender's inbound SPI: our outbound (1.3.3). */
		if ((old = child_find_out(sa, spi)) == NULL) {
			answer_notify(sa, m->hdr.msgid, IKE_N_CHILD_SA_NOT_FOUND, NULL, 0);
			return;
		}
	}
	if (kep != NULL) {
		group = kep->u.ke.group;
		if (!pfs_acceptable(sa->p1, group)) {
			uint16_t want = wanted_group(sa->p1, &sap->u.sa, 0);

			if (want == 0) {
				answer_notify(sa, m->hdr.msgid, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
				return;
			}
			grp[0] = (uint8_t)(want >> 8);
			grp[1] = (uint8_t)want;
			answer_notify(sa, m->hdr.msgid, IKE_N_INVALID_KE_PAYLOAD, grp, 2);
			return;
		}
		if (dh_answer(group, &kep->u.ke, pub, &publen, gir, &girlen, &why) == -1) {
			log_msg(LOG_INFO, sa->id, "CHILD SA: bad KE (%s)", why ? why : "error");
			answer_notify(sa, m->hdr.msgid, IKE_N_INVALID_SYNTAX, NULL, 0);
			return;
		}
	}
	memset(&req, 0, sizeof(req));
	if (child_req_save(&req, m) == -1 || !req.present) {
		child_req_free(&req);
		answer_notify(sa, m->hdr.msgid, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	ike_random(nr, sizeof(nr));
	ike_out_begin(&o);
	n = child_create(sa, &o, girlen ? gir : NULL, girlen, np->u.nonce.data, np->u.nonce.len,
	    nr, sizeof(nr), &req, group);
	child_req_free(&req);
	explicit_bzero(gir, sizeof(gir));
	if (n != 0) {
		ike_out_free(&o);
		log_msg(LOG_INFO, sa->id, "CREATE_CHILD_SA refused: %s", ike_notify_name(n));
		answer_notify(sa, m->hdr.msgid, n, NULL, 0);
		return;
	}
	ike_gen_nonce(&o.g, nr, sizeof(nr));
	if (kep != NULL)
		ike_gen_ke(&o.g, group, pub, publen);
	(void)ike_respond(sa, CREATE_CHILD_SA, m->hdr.msgid, &o);
	ike_out_free(&o);
	if (old != NULL && sa->rekey != NULL)
		child_rekey_collision(sa, old, np->u.nonce.data, np->u.nonce.len, nr, sizeof(nr));
	if (old != NULL) {
		/* The client deletes the old one; if it never does, it expires. */
		old->rekeyed = 1;
		if (old->expire_at == 0 || old->expire_at > time(NULL) + 30)
			old->expire_at = time(NULL) + 30;
		log_msg(LOG_INFO, sa->id, "CHILD SA %08x/%08x rekeyed%s", old->spi_in, old->spi_out,
		    kep ? " with PFS" : "");
	}
	sa_schedule(sa);
}
