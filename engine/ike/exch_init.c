/*
 * exch_init — IKE_SA_INIT as responder (RFC 7296 1.2, 2.6, 2.10, 2.23):
 * cookie check, proposal choice, KE group check, DH, nonces, NAT
 * detection, fragmentation and signature-hash negotiation, keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "auth.h"
#include "cert.h"
#include "dh.h"
#include "names.h"

/* The mobile phase 1 that takes new clients (the first enabled one). */
static const struct cfg_phase1 *
mobile_phase1(const struct ike_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nphase1; i++)
		if (cfg->phase1[i].enabled)
			return &cfg->phase1[i];
	return NULL;
}

/* RFC 7296 2.23: does any NAT_DETECTION_<kind> notify match addr? -1: none sent. */
static int
natd_match(const struct ike_msg *m, uint16_t kind, const uint8_t spi_i[8], const uint8_t spi_r[8],
    const struct sockaddr_storage *addr)
{
	uint8_t want[IKE_NATD_LEN];
	const struct ike_pl *p;
	size_t from = 0;
	int seen = 0;

	if (ike_natd_hash_sa(spi_i, spi_r, (const struct sockaddr *)addr, want) == -1)
		return -1;
	while ((p = ike_msg_find(m, IKE_PL_NOTIFY, &from)) != NULL) {
		if (p->u.notify.type != kind)
			continue;
		seen = 1;
		if (p->u.notify.len == IKE_NATD_LEN &&
		    memcmp(p->u.notify.data, want, IKE_NATD_LEN) == 0)
			return 1;
	}
	return seen ? 0 : -1;
}

/* Half-open SAs from the same address (the per-source limit). */
static size_t
half_open_from(struct ikegwd *gw, const struct sockaddr_storage *remote)
{
	uint8_t a[16], b[16];
	size_t alen = net_addr_bytes(remote, a), n = 0;
	struct ike_sa *sa;

	if (gw->nhalf_open == 0)
		return 0;
	for (sa = gw->sa_list; sa; sa = sa->next)
		if (sa->state == SA_HALF_OPEN && sa->remote.ss_family == remote->ss_family &&
		    net_addr_bytes(&sa->remote, b) == alen && memcmp(a, b, alen) == 0)
			n++;
	return n;
}

void
exch_init(struct ikegwd *gw, const struct ike_msg *m, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote, int natt)
{
	const struct cfg_phase1 *p1 = mobile_phase1(gw->cfg);
	const struct ike_pl *sap, *kep, *np, *hp;
	struct cfg_proposal chosen;
	struct ike_dh_key *dh = NULL;
	struct ike_sa *sa = NULL;
	struct ike_prop prop;
	struct ike_xform xf[5];
	struct ike_pl_sa rsa;
	struct ike_hdr h;
	struct ike_gen g;
	struct wbuf wb;
	uint8_t pub[IKE_DH_PUB_MAX], gir[IKE_DH_SECRET_MAX], skeyseed[IKE_PRF_MAX];
	struct ike_sa_keys keys;
	uint8_t natd[IKE_NATD_LEN], zero[8] = { 0 }, cookie[64], grp[2], hashes[16];
	size_t publen, girlen, n, clen;
	const char *why = NULL;
	char a[80];
	int idx, r;

	net_addr_str(remote, a, sizeof(a));
	if (p1 == NULL) {
		log_info("IKE_SA_INIT from %s refused: no mobile phase 1 enabled", a);
		ike_init_notify(gw, &m->hdr, local, remote, natt, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	sap = ike_msg_find(m, IKE_PL_SA, NULL);
	kep = ike_msg_find(m, IKE_PL_KE, NULL);
	np = ike_msg_find(m, IKE_PL_NONCE, NULL);
	if (sap == NULL || kep == NULL || np == NULL) {
		log_debug("IKE_SA_INIT from %s lacks SA, KE or Nonce", a);
		ike_init_notify(gw, &m->hdr, local, remote, natt, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	/* Under load, make the client prove it sees our answers (2.6). */
	if (cookie_required(gw, remote) && !cookie_valid(gw, m, remote)) {
		clen = cookie_make(gw, gw->cookie_secret, m->hdr.spi_i, np->u.nonce.data,
		    np->u.nonce.len, remote, cookie);
		gw->stats.cookies_sent++;
		if (clen)
			ike_init_notify(gw, &m->hdr, local, remote, natt, IKE_N_COOKIE, cookie, clen);
		return;
	}
	/* One address may not hold more than its share of half-open SAs. */
	if (gw->cfg->half_open_per_source &&
	    half_open_from(gw, remote) >= gw->cfg->half_open_per_source) {
		log_debug("IKE_SA_INIT from %s dropped: %u half-open SAs from there already", a,
		    gw->cfg->half_open_per_source);
		gw->stats.init_refused++;
		return;
	}
	if ((idx = proposal_select_ike(gw->cfg, p1, &sap->u.sa, 0, &chosen)) < 0) {
		log_info("IKE_SA_INIT from %s: no acceptable proposal%s", a,
		    gw->cfg->legacy_clients ? "" : " (legacy algorithms are off)");
		gw->stats.init_refused++;
		ike_init_notify(gw, &m->hdr, local, remote, natt, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (kep->u.ke.group != chosen.dh) {
		/* 1.2: tell the initiator which group to retry with. */
		grp[0] = (uint8_t)(chosen.dh >> 8);
		grp[1] = (uint8_t)chosen.dh;
		log_info("IKE_SA_INIT from %s: KE group %s, want %s", a,
		    ike_transform_name(IKE_XF_DH, kep->u.ke.group),
		    ike_transform_name(IKE_XF_DH, chosen.dh));
		ike_init_notify(gw, &m->hdr, local, remote, natt, IKE_N_INVALID_KE_PAYLOAD, grp, 2);
		return;
	}
	/* RFC 6989: the peer's public value must be a proper group element. */
	if (ike_dh_check_peer(chosen.dh, kep->u.ke.data, kep->u.ke.len, &why) != 0) {
		log_info("IKE_SA_INIT from %s: bad KE value (%s)", a, why ? why : "invalid");
		gw->stats.init_refused++;
		ike_init_notify(gw, &m->hdr, local, remote, natt, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}

	if ((sa = sa_new(gw, m->hdr.spi_i, local, remote)) == NULL)
		return;
	sa_set_str(&sa->p1_name, p1->name);
	sa->p1 = p1;
	sa->natt = natt;
	sa->encr = ike_encr_lookup(chosen.encr, chosen.encr_bits);
	sa->integ = chosen.integ ? ike_integ_lookup(chosen.integ) : NULL;
	sa->prf = ike_prf_lookup(chosen.prf);
	sa->dh = chosen.dh;
	sa->peer_msgid = 1;
	if (sa->encr == NULL || sa->prf == NULL || (chosen.integ && sa->integ == NULL))
		goto fail;
	if ((sa->ni = malloc(np->u.nonce.len)) == NULL || (sa->nr = malloc(IKE_NONCE_LEN)) == NULL)
		goto fail;
	memcpy(sa->ni, np->u.nonce.data, np->u.nonce.len);
	sa->nilen = np->u.nonce.len;
	sa->nrlen = IKE_NONCE_LEN;
	ike_random(sa->nr, sa->nrlen);

	/* DH and keys (2.13, 2.14). */
	if ((dh = ike_dh_new(chosen.dh)) == NULL ||
	    ike_dh_public(dh, pub, sizeof(pub), &publen) == -1 ||
	    ike_dh_shared(dh, kep->u.ke.data, kep->u.ke.len, gir, sizeof(gir), &girlen, &why) == -1)
		goto fail;
	ike_dh_free(dh);
	dh = NULL;
	if (ike_keys_skeyseed(sa->prf, sa->ni, sa->nilen, sa->nr, sa->nrlen, gir, girlen,
	    skeyseed) == -1 ||
	    ike_keys_derive(&keys, sa->prf, sa->encr, sa->integ, skeyseed, sa->prf->pa_len,
	    sa->ni, sa->nilen, sa->nr, sa->nrlen, sa->spi_i, sa->spi_r) == -1 ||
	    sa_set_keys(sa, &keys, 0, 1) == -1)
		goto fail;
	explicit_bzero(gir, sizeof(gir));
	explicit_bzero(skeyseed, sizeof(skeyseed));

	/* What the peer supports. */
	sa->peer_frag = ike_msg_find_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
	if ((hp = ike_msg_find_notify(m, IKE_N_SIGNATURE_HASH_ALGORITHMS)) != NULL)
		(void)ike_sig_hash_parse(hp->u.notify.data, hp->u.notify.len, &sa->peer_hashes);
	/* NAT detection; the request's hashes use SPIr = 0. */
	r = natd_match(m, IKE_N_NAT_DETECTION_SOURCE_IP, m->hdr.spi_i, zero, remote);
	sa->nat_peer = r == 0;
	r = natd_match(m, IKE_N_NAT_DETECTION_DESTINATION_IP, m->hdr.spi_i, zero, local);
	sa->nat_local = r == 0;

	/* The response: SA, KE, Nr, NAT-D, [CERTREQ], FRAG_SUP, SIGNATURE_HASH. */
	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, sa->spi_i, 8);
	memcpy(h.spi_r, sa->spi_r, 8);
	h.exchange = IKE_SA_INIT;
	h.flags = IKE_FLAG_RESPONSE;
	h.msgid = 0;
	proposal_to_pl(&chosen, IKE_PROTO_IKE, NULL, 0, sap->u.sa.props[idx].num, &prop, xf);
	rsa.nprops = 1;
	rsa.props = &prop;
	wbuf_init(&wb);
	ike_gen_msg(&g, &wb, &h);
	ike_gen_sa(&g, &rsa);
	ike_gen_ke(&g, chosen.dh, pub, publen);
	ike_gen_nonce(&g, sa->nr, sa->nrlen);
	/* "Force" NAT-T: a source hash that cannot match makes the client
	   believe we are behind a NAT and move to port 4500 (2.23). */
	if (p1->natt == CFG_NATT_FORCE)
		ike_random(natd, sizeof(natd));
	else
		ike_natd_hash_sa(sa->spi_i, sa->spi_r, (const struct sockaddr *)local, natd);
	ike_gen_notify(&g, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, natd, sizeof(natd));
	ike_natd_hash_sa(sa->spi_i, sa->spi_r, (const struct sockaddr *)remote, natd);
	ike_gen_notify(&g, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, natd, sizeof(natd));
	if (p1->auth == CFG_AUTH_CERT) {
		const uint8_t *cr = ike_certs_certreq(gw->certs, &n);

		if (cr)
			ike_gen_cert(&g, IKE_PL_CERTREQ, IKE_CERT_X509_SIG, cr, n);
	}
	if (sa->peer_frag && p1->fragmentation)
		ike_gen_notify(&g, 0, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (hp != NULL && (n = ike_sig_hash_ours(hashes, sizeof(hashes))) > 0)
		ike_gen_notify(&g, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes, n);
	if (ike_gen_finish(&g) == -1) {
		wbuf_free(&wb);
		goto fail;
	}
	if ((sa->init_req = malloc(len)) == NULL) {
		wbuf_free(&wb);
		goto fail;
	}
	memcpy(sa->init_req, buf, len);
	sa->init_req_len = len;
	sa->init_resp = wb.data;	/* takes ownership */
	sa->init_resp_len = wb.len;
	if (natt) {
		uint8_t *d = malloc(wb.len + IKE_NON_ESP_MARKER_LEN);

		if (d) {
			memset(d, 0, IKE_NON_ESP_MARKER_LEN);
			memcpy(d + IKE_NON_ESP_MARKER_LEN, wb.data, wb.len);
			(void)net_send(gw, local, remote, d, wb.len + IKE_NON_ESP_MARKER_LEN);
			free(d);
		}
	} else
		(void)net_send(gw, local, remote, wb.data, wb.len);
	gw->stats.init_ok++;
	log_msg(LOG_INFO, sa->id, "IKE_SA_INIT from %s: %s/%s/%s/%s%s%s", a, sa->encr->ea_name,
	    sa->integ ? sa->integ->ia_name : "AEAD", sa->prf->pa_name,
	    ike_transform_name(IKE_XF_DH, sa->dh), sa->nat_peer ? ", peer behind NAT" : "",
	    sa->nat_local ? ", we are behind NAT" : "");
	sa_schedule(sa);
	return;
fail:
	ike_dh_free(dh);
	explicit_bzero(gir, sizeof(gir));
	explicit_bzero(skeyseed, sizeof(skeyseed));
	log_msg(LOG_ERR, sa ? sa->id : 0, "IKE_SA_INIT from %s: internal error%s%s", a,
	    why ? ": " : "", why ? why : "");
	if (sa)
		sa_kill(sa, "IKE_SA_INIT failed");
}
