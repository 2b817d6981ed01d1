/*
 * exch_child — CREATE_CHILD_SA as responder (RFC 7296 1.3, 2.8, 2.17, 2.18):
 *
 *   new CHILD SA:     SA Ni [KEi] TSi TSr            → SA Nr [KEr] TSi TSr
 *   CHILD SA rekey:   N(REKEY_SA) SA Ni [KEi] TSi TSr → SA Nr [KEr] TSi TSr
 *   IKE SA rekey:     SA(IKE, new SPIi) Ni KEi       → SA(new SPIr) Nr KEr
 *
 * and as initiator, the IKE SA rekey at its soft lifetime: the new SA has
 * our SPI as SPIi, so we are its original initiator (2.18); we delete the
 * old one once the new one stands.  Both sides rekeying at once (2.8.2):
 * the new SA from the exchange with the lowest nonce is redundant, and its
 * initiator deletes it.
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
	struct ike_sa_keys keys;
	struct ike_out o;
	uint8_t pub[IKE_DH_PUB_MAX], gir[IKE_DH_SECRET_MAX], skeyseed[IKE_PRF_MAX], grp[2];
	uint8_t nr[IKE_NONCE_LEN];
	size_t publen, girlen;
	const char *why = NULL;
	int idx;

	/* 2.25: not while this SA is already being replaced or rekeys a child
	   (a rekey of the IKE SA by both sides at once is handled: 2.8.2). */
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
	    ike_keys_rekey_skeyseed(sa->prf, sa->sk_d, sa->sk_dlen, gir, girlen,
	    np->u.nonce.data, np->u.nonce.len, nr, sizeof(nr), skeyseed) == -1 ||
	    ike_keys_derive(&keys, nsa->prf, nsa->encr, nsa->integ, skeyseed,
	    nsa->prf->pa_len, np->u.nonce.data, np->u.nonce.len, nr, sizeof(nr), nsa->spi_i,
	    nsa->spi_r) == -1 ||
	    sa_set_keys(nsa, &keys, 0, 0) == -1) {
		sa_kill(nsa, "rekey key derivation failed");
		answer_notify(sa, m->hdr.msgid, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	/* The new SA inherits everything that is not keys: who, what, where. */
	sa_inherit(nsa, sa);
	sa->rekeyed = 1;
	sa_state(nsa, SA_ESTABLISHED);
	sa_set_lifetimes(nsa);
	if (sa->ike_rekey != NULL) {
		/*
		 * 2.8.2: we are rekeying this IKE SA too.  Which new SA stays is
		 * known when our answer comes (the lowest of the four nonces);
		 * until then the lease and the CHILD SAs stay with the old one.
		 */
		struct ike_rekey *rk = sa->ike_rekey;
		const uint8_t *lo = np->u.nonce.data;
		size_t lolen = np->u.nonce.len;

		if (ike_nonce_cmp(nr, sizeof(nr), lo, lolen) < 0) {
			lo = nr;
			lolen = sizeof(nr);
		}
		rk->theirs = nsa->id;
		memcpy(rk->their_min, lo, lolen);
		rk->their_minlen = lolen;
		log_msg(LOG_INFO, sa->id, "IKE SA rekey collision: the peer's rekey made sa#%llu",
		    (unsigned long long)nsa->id);
	} else
		sa_take_over(nsa, sa);
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
	/* 2.25.2: this IKE SA is being replaced; its successor takes them. */
	if (sa->rekeyed) {
		answer_notify(sa, m->hdr.msgid, IKE_N_TEMPORARY_FAILURE, NULL, 0);
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

/* ---------------------------------------------------------------- our IKE SA rekey */

#define REKEY_MAX_OFFERS	16

void
ike_rekey_free(struct ike_sa *sa)
{
	if (sa->ike_rekey == NULL)
		return;
	ike_dh_free(sa->ike_rekey->dhkey);
	explicit_bzero(sa->ike_rekey, sizeof(*sa->ike_rekey));
	free(sa->ike_rekey);
	sa->ike_rekey = NULL;
}

void
ike_rekey_abandon(struct ike_sa *sa)
{
	struct ike_rekey *rk = sa->ike_rekey;
	struct ike_sa *t;

	if (rk == NULL)
		return;
	if (rk->theirs && (t = sa_find_id(sa->gw, rk->theirs)) != NULL && t != sa &&
	    t->state == SA_ESTABLISHED && (sa->children || sa->have_vip4 || sa->have_vip6)) {
		sa_take_over(t, sa);
		sa_schedule(t);
		log_msg(LOG_INFO, sa->id, "sa#%llu, the peer's rekey, takes over",
		    (unsigned long long)t->id);
	}
	ike_rekey_free(sa);
}

static int
same_proposal(const struct cfg_proposal *a, const struct cfg_proposal *b)
{
	return a->encr == b->encr && a->encr_bits == b->encr_bits && a->integ == b->integ &&
	    a->prf == b->prf && a->dh == b->dh;
}

/*
 * What we offer: the SA's own algorithms with `group` first (the peer took
 * them once), then the phase 1's proposals.  Returns the count.
 */
static size_t
rekey_offers(const struct ike_sa *sa, uint16_t group, struct cfg_proposal *out)
{
	const struct cfg_phase1 *p1 = sa->p1;
	size_t n = 0, i, k;

	memset(out, 0, sizeof(*out));
	out[0].encr = sa->encr->ea_id;
	out[0].encr_bits = sa->encr->ea_keybits;
	out[0].integ = sa->integ ? sa->integ->ia_id : IKE_INTEG_NONE;
	out[0].prf = sa->prf->pa_id;
	out[0].dh = group;
	n = 1;
	for (i = 0; p1 && i < p1->nproposals && n < REKEY_MAX_OFFERS; i++) {
		for (k = 0; k < n && !same_proposal(&out[k], &p1->proposals[i]); k++)
			;
		if (k == n)
			out[n++] = p1->proposals[i];
	}
	return n;
}

/* The algorithms of the peer's chosen IKE proposal. */
static void
proposal_from_pl(const struct ike_prop *p, struct cfg_proposal *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < p->nxforms; i++)
		switch (p->xforms[i].type) {
		case IKE_XF_ENCR:
			c->encr = p->xforms[i].id;
			c->encr_bits = p->xforms[i].keylen;
			break;
		case IKE_XF_PRF:
			c->prf = p->xforms[i].id;
			break;
		case IKE_XF_INTEG:
			c->integ = p->xforms[i].id;
			break;
		case IKE_XF_DH:
			c->dh = p->xforms[i].id;
			break;
		}
}

static int
rekey_send(struct ike_sa *sa, uint16_t group, int retried_ke)
{
	struct cfg_proposal offers[REKEY_MAX_OFFERS];
	struct ike_prop props[REKEY_MAX_OFFERS];
	struct ike_xform xf[REKEY_MAX_OFFERS][5];
	struct ike_pl_sa spl;
	struct ike_rekey *rk;
	struct ike_out o;
	uint8_t pub[IKE_DH_PUB_MAX];
	size_t n, i, publen = 0;

	if (sa->req_pending || sa->rekey || sa->ike_rekey || sa->rekeyed || sa->p1 == NULL ||
	    sa->state != SA_ESTABLISHED || sa->encr == NULL || sa->prf == NULL || group == 0)
		return -1;
	if ((rk = calloc(1, sizeof(*rk))) == NULL)
		return -1;
	sa_new_spi(sa->gw, rk->spi);
	ike_random(rk->ni, sizeof(rk->ni));
	rk->dh = group;
	rk->retried_ke = retried_ke;
	if ((rk->dhkey = ike_dh_new(group)) == NULL ||
	    ike_dh_public(rk->dhkey, pub, sizeof(pub), &publen) == -1) {
		ike_dh_free(rk->dhkey);
		free(rk);
		return -1;
	}
	n = rekey_offers(sa, group, offers);
	for (i = 0; i < n; i++)
		proposal_to_pl(&offers[i], IKE_PROTO_IKE, rk->spi, 8, (uint8_t)(i + 1), &props[i],
		    xf[i]);
	spl.nprops = n;
	spl.props = props;
	ike_out_begin(&o);
	ike_gen_sa(&o.g, &spl);
	ike_gen_nonce(&o.g, rk->ni, sizeof(rk->ni));
	ike_gen_ke(&o.g, group, pub, publen);
	sa->req_max = 0;
	sa->req_interval = 0;
	sa->ike_rekey = rk;
	if (ike_request(sa, CREATE_CHILD_SA, REQ_REKEY_IKE, &o) == -1) {
		ike_out_free(&o);
		ike_rekey_free(sa);
		return -1;
	}
	ike_out_free(&o);
	log_msg(LOG_INFO, sa->id, "rekeying the IKE SA (%s)", ike_transform_name(IKE_XF_DH, group));
	return 0;
}

int
ike_rekey_start(struct ike_sa *sa)
{
	return rekey_send(sa, sa->dh, 0);
}

/* A group we offered, for the retry the peer asks for with INVALID_KE_PAYLOAD. */
static int
offered_group(const struct ike_sa *sa, uint16_t g)
{
	struct cfg_proposal offers[REKEY_MAX_OFFERS];
	size_t n, i;

	if (sa->encr == NULL || sa->prf == NULL)
		return 0;
	n = rekey_offers(sa, sa->dh, offers);
	for (i = 0; i < n; i++)
		if (offers[i].dh == g && g != IKE_DH_NONE)
			return 1;
	return 0;
}

/* Gives up on this rekey for now; the soft lifetime comes round again. */
static void
rekey_later(struct ike_sa *sa, time_t delay)
{
	ike_rekey_abandon(sa);
	if (!sa->rekeyed)
		sa->rekey_at = time(NULL) + delay;
	sa_schedule(sa);
}

void
ike_rekey_done(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_rekey *rk = sa->ike_rekey;
	const struct ike_pl *sap, *np, *kep, *n;
	const struct ike_prop *p;
	struct cfg_proposal chosen, offers[REKEY_MAX_OFFERS];
	struct ike_sa *nsa, *theirs = NULL;
	struct ike_sa_keys keys;
	uint8_t gir[IKE_DH_SECRET_MAX], skeyseed[IKE_PRF_MAX];
	const uint8_t *lo;
	size_t girlen = 0, lolen, noffers, i;
	const char *why = NULL;
	int ours_redundant = 0;

	if (rk == NULL)
		return;
	if ((n = ike_msg_find(m, IKE_PL_NOTIFY, NULL)) != NULL && n->u.notify.type < 16384) {
		if (n->u.notify.type == IKE_N_INVALID_KE_PAYLOAD && !rk->retried_ke &&
		    n->u.notify.len == 2 && !sa->rekeyed) {
			uint16_t g = (uint16_t)(n->u.notify.data[0] << 8 | n->u.notify.data[1]);

			if (offered_group(sa, g)) {
				ike_rekey_free(sa);
				if (rekey_send(sa, g, 1) == 0)
					return;
			}
			rekey_later(sa, 30);
			return;
		}
		log_msg(LOG_INFO, sa->id, "IKE SA rekey refused by the peer: %s",
		    ike_notify_name(n->u.notify.type));
		rekey_later(sa, n->u.notify.type == IKE_N_TEMPORARY_FAILURE ? 10 : 60);
		return;
	}
	sap = ike_msg_find(m, IKE_PL_SA, NULL);
	np = ike_msg_find(m, IKE_PL_NONCE, NULL);
	kep = ike_msg_find(m, IKE_PL_KE, NULL);
	if (sap == NULL || np == NULL || kep == NULL || sap->u.sa.nprops != 1 ||
	    (p = &sap->u.sa.props[0])->proto != IKE_PROTO_IKE || p->spi_size != 8 ||
	    memcmp(p->spi, "\0\0\0\0\0\0\0\0", 8) == 0) {
		log_msg(LOG_INFO, sa->id, "IKE SA rekey: malformed answer");
		rekey_later(sa, 60);
		return;
	}
	/* The answer must be one of our offers, with the group of our KE. */
	proposal_from_pl(p, &chosen);
	noffers = rekey_offers(sa, rk->dh, offers);
	for (i = 0; i < noffers && !same_proposal(&offers[i], &chosen); i++)
		;
	if (i == noffers || chosen.dh != rk->dh || kep->u.ke.group != rk->dh) {
		log_msg(LOG_INFO, sa->id, "IKE SA rekey: the peer chose what we did not offer");
		rekey_later(sa, 60);
		return;
	}
	if (ike_dh_check_peer(rk->dh, kep->u.ke.data, kep->u.ke.len, &why) != 0 ||
	    ike_dh_shared(rk->dhkey, kep->u.ke.data, kep->u.ke.len, gir, sizeof(gir), &girlen,
	    &why) == -1) {
		log_msg(LOG_INFO, sa->id, "IKE SA rekey: bad KE (%s)", why ? why : "error");
		rekey_later(sa, 60);
		return;
	}
	if ((nsa = sa_new_initiator(sa->gw, rk->spi, p->spi, &sa->local, &sa->remote)) == NULL) {
		rekey_later(sa, 10);
		goto out;
	}
	nsa->encr = ike_encr_lookup(chosen.encr, chosen.encr_bits);
	nsa->integ = chosen.integ ? ike_integ_lookup(chosen.integ) : NULL;
	nsa->prf = ike_prf_lookup(chosen.prf);
	nsa->dh = chosen.dh;
	/* 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr); we are the
	   initiator of this exchange and of the new SA. */
	if (nsa->encr == NULL || nsa->prf == NULL ||
	    ike_keys_rekey_skeyseed(sa->prf, sa->sk_d, sa->sk_dlen, gir, girlen,
	    rk->ni, sizeof(rk->ni), np->u.nonce.data, np->u.nonce.len, skeyseed) == -1 ||
	    ike_keys_derive(&keys, nsa->prf, nsa->encr, nsa->integ, skeyseed,
	    nsa->prf->pa_len, rk->ni, sizeof(rk->ni), np->u.nonce.data, np->u.nonce.len,
	    nsa->spi_i, nsa->spi_r) == -1 ||
	    sa_set_keys(nsa, &keys, 1, 0) == -1) {
		sa_kill(nsa, "rekey key derivation failed");
		rekey_later(sa, 60);
		goto out;
	}
	sa_inherit(nsa, sa);
	sa_state(nsa, SA_ESTABLISHED);
	sa_set_lifetimes(nsa);

	if (rk->theirs != 0) {
		/* 2.8.2: both rekeyed; the lowest of the four nonces marks the
		   redundant SA, and whoever started its exchange deletes it. */
		lo = rk->ni;
		lolen = sizeof(rk->ni);
		if (ike_nonce_cmp(np->u.nonce.data, np->u.nonce.len, lo, lolen) < 0) {
			lo = np->u.nonce.data;
			lolen = np->u.nonce.len;
		}
		theirs = sa_find_id(sa->gw, rk->theirs);
		if (theirs != NULL && theirs->state == SA_ESTABLISHED)
			ours_redundant = ike_nonce_cmp(lo, lolen, rk->their_min,
			    rk->their_minlen) < 0;
		else {
			/* The peer found its SA redundant and deleted it first. */
			log_msg(LOG_INFO, sa->id, "IKE SA rekey collision: ours (sa#%llu) stays,"
			    " the peer deleted its sa#%llu", (unsigned long long)nsa->id,
			    (unsigned long long)rk->theirs);
			theirs = NULL;
		}
	}
	if (ours_redundant) {
		/* The peer's new SA takes over; it deletes the old one. */
		sa_take_over(theirs, sa);
		sa_schedule(theirs);
		log_msg(LOG_INFO, sa->id, "IKE SA rekey collision: sa#%llu stays, ours (sa#%llu) is"
		    " redundant", (unsigned long long)theirs->id, (unsigned long long)nsa->id);
		ike_rekey_free(sa);
		exch_delete_ike(nsa);
		goto out;
	}
	sa_take_over(nsa, sa);
	sa->rekeyed = 1;
	if (theirs != NULL) {
		/* The peer deletes its redundant SA; in case it does not: */
		theirs->rekeyed = 1;
		theirs->expire_at = time(NULL) + 60;
		sa_schedule(theirs);
		log_msg(LOG_INFO, sa->id, "IKE SA rekey collision: ours (sa#%llu) stays, sa#%llu"
		    " is redundant", (unsigned long long)nsa->id, (unsigned long long)theirs->id);
	}
	sa_schedule(nsa);
	log_msg(LOG_INFO, sa->id, "IKE SA rekeyed into sa#%llu (%s/%s), by us",
	    (unsigned long long)nsa->id, nsa->encr->ea_name, ike_transform_name(IKE_XF_DH, nsa->dh));
	ike_rekey_free(sa);
	/* 1.3.2: the initiator of the rekey deletes the old SA. */
	exch_delete_ike(sa);
out:
	explicit_bzero(gir, sizeof(gir));
	explicit_bzero(skeyseed, sizeof(skeyseed));
}
