/*
 * child — CHILD SAs: saving what the client asked for, choosing the ESP
 * proposal, narrowing traffic selectors (RFC 7296 2.9), deriving KEYMAT
 * (2.17) and handing the SA pair to the kernel backend.
 *
 * All phase 2 entries of a mobile phase 1 form one CHILD SA: its local
 * selectors are the union of their local networks (as pfSense merges
 * mobile phase 2s), its proposals theirs in order, its lifetime the
 * shortest.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "names.h"
#include "dh.h"

/* ---------------------------------------------------------------- requests */

void
child_req_free(struct child_req *r)
{
	free(r->props);
	free(r->xforms);
	memset(r, 0, sizeof(*r));
}

static size_t
copy_ts(struct ike_ts *dst, const struct ike_pl_ts *src)
{
	size_t i, n = 0;

	for (i = 0; i < src->nts && n < KERNEL_MAX_TS; i++)
		if (src->ts[i].type == IKE_TS_IPV4_ADDR_RANGE || src->ts[i].type == IKE_TS_IPV6_ADDR_RANGE)
			dst[n++] = src->ts[i];
	return n;
}

int
child_req_save(struct child_req *r, const struct ike_msg *m)
{
	const struct ike_pl *sa = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_pl *tsi = ike_msg_find(m, IKE_PL_TSI, NULL);
	const struct ike_pl *tsr = ike_msg_find(m, IKE_PL_TSR, NULL);
	const struct ike_pl *cp = ike_msg_find(m, IKE_PL_CP, NULL);
	size_t i, j, nx = 0;

	child_req_free(r);
	if (cp && cp->u.cp.type == IKE_CFG_REQUEST) {
		r->cp_request = 1;
		for (i = 0; i < cp->u.cp.nattrs; i++) {
			switch (cp->u.cp.attrs[i].type) {
			case IKE_CA_INTERNAL_IP4_ADDRESS:	r->want_v4 = 1; break;
			case IKE_CA_INTERNAL_IP6_ADDRESS:	r->want_v6 = 1; break;
			case IKE_CA_INTERNAL_IP4_DNS:		r->want_dns4 = 1; break;
			case IKE_CA_INTERNAL_IP6_DNS:		r->want_dns6 = 1; break;
			case IKE_CA_INTERNAL_DNS_DOMAIN:	r->want_domain = 1; break;
			case IKE_CA_INTERNAL_IP4_SUBNET:
			case IKE_CA_INTERNAL_IP6_SUBNET:	r->want_subnets = 1; break;
			case IKE_CA_UNITY_BANNER:		r->want_banner = 1; break;
			default:				break;	/* ignored, not an error */
			}
		}
	}
	if (sa == NULL || tsi == NULL || tsr == NULL)
		return 0;	/* childless (RFC 6023) or a broken request: no CHILD SA */
	for (i = 0; i < sa->u.sa.nprops; i++)
		nx += sa->u.sa.props[i].nxforms;
	r->props = calloc(sa->u.sa.nprops, sizeof(*r->props));
	r->xforms = calloc(nx ? nx : 1, sizeof(*r->xforms));
	if (r->props == NULL || r->xforms == NULL) {
		child_req_free(r);
		return -1;
	}
	for (i = 0, nx = 0; i < sa->u.sa.nprops; i++) {
		r->props[i] = sa->u.sa.props[i];
		r->props[i].xforms = r->xforms + nx;
		for (j = 0; j < sa->u.sa.props[i].nxforms; j++)
			r->xforms[nx++] = sa->u.sa.props[i].xforms[j];
	}
	r->nprops = sa->u.sa.nprops;
	r->ntsi = copy_ts(r->tsi, &tsi->u.ts);
	r->ntsr = copy_ts(r->tsr, &tsr->u.ts);
	r->present = 1;
	return 0;
}

/* ---------------------------------------------------------------- selectors */

/* Range [lo, hi] of a prefix, as byte strings of alen bytes. */
static void
net_range(const struct cfg_net *n, uint8_t lo[16], uint8_t hi[16])
{
	size_t alen = n->family == AF_INET ? 4 : 16, i;
	unsigned bits;

	for (i = 0; i < alen; i++) {
		bits = n->prefix > 8 * i ? n->prefix - 8 * i : 0;
		if (bits >= 8) {
			lo[i] = hi[i] = n->addr[i];
		} else {
			uint8_t mask = (uint8_t)(0xff << (8 - bits));

			lo[i] = n->addr[i] & mask;
			hi[i] = (uint8_t)(n->addr[i] | ~mask);
		}
	}
}

/* Appends the prefixes that exactly cover [lo, hi] (at most max). */
static size_t
range_to_nets(int family, const uint8_t *lo, const uint8_t *hi, struct cfg_net *out, size_t max)
{
	size_t alen = family == AF_INET ? 4 : 16, n = 0, i;
	uint8_t cur[16], end[16], top[16];
	int plen, b;

	memcpy(cur, lo, alen);
	while (n < max && memcmp(cur, hi, alen) <= 0) {
		/* Largest block starting at cur that stays within hi. */
		for (plen = 0; plen <= (int)(8 * alen); plen++) {
			int aligned = 1;

			for (b = plen; b < (int)(8 * alen); b++)
				if (cur[b / 8] & (0x80 >> (b % 8))) {
					aligned = 0;
					break;
				}
			if (!aligned)
				continue;
			memcpy(end, cur, alen);
			for (b = plen; b < (int)(8 * alen); b++)
				end[b / 8] |= (uint8_t)(0x80 >> (b % 8));
			if (memcmp(end, hi, alen) <= 0)
				break;
		}
		memset(&out[n], 0, sizeof(out[n]));
		out[n].family = family;
		memcpy(out[n].addr, cur, alen);
		out[n].prefix = (uint8_t)plen;
		n++;
		memcpy(top, end, alen);
		/* cur = end + 1, stopping when it wraps. */
		for (i = alen; i-- > 0;) {
			if (++top[i] != 0)
				break;
			if (i == 0)
				return n;
		}
		memcpy(cur, top, alen);
	}
	return n;
}

/* Intersection of a client selector with a prefix; appends to out. */
static size_t
narrow(const struct ike_ts *ts, const struct cfg_net *net, struct cfg_net *out, size_t max)
{
	uint8_t lo[16], hi[16], a[16], b[16];
	size_t alen;

	if ((ts->type == IKE_TS_IPV4_ADDR_RANGE) != (net->family == AF_INET))
		return 0;
	alen = net->family == AF_INET ? 4 : 16;
	net_range(net, lo, hi);
	memcpy(a, memcmp(ts->start, lo, alen) > 0 ? ts->start : lo, alen);
	memcpy(b, memcmp(ts->end, hi, alen) < 0 ? ts->end : hi, alen);
	if (memcmp(a, b, alen) > 0)
		return 0;
	return range_to_nets(net->family, a, b, out, max);
}

static void
net_to_ts(const struct cfg_net *n, struct ike_ts *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->type = n->family == AF_INET ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;
	ts->proto = 0;
	ts->sport = 0;
	ts->eport = 0xffff;
	ts->alen = n->family == AF_INET ? 4 : 16;
	net_range(n, ts->start, ts->end);
}

static size_t
spi_slot(uint32_t spi)
{
	return (size_t)((spi * 2654435761u) >> 8) % IKE_SA_HASH;
}

static uint32_t
new_spi(struct ikegwd *gw)
{
	struct child_sa *c;
	uint32_t spi;
	int clash;

	do {
		ike_random(&spi, sizeof(spi));
		clash = spi < 256;	/* 1..255 are reserved (RFC 4303 2.1) */
		for (c = gw->child_by_spi[spi_slot(spi)]; c && !clash; c = c->hnext)
			clash = c->spi_in == spi;
	} while (clash);
	return spi;
}

struct child_sa *
child_find_in(struct ike_sa *sa, uint32_t spi_in)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->spi_in == spi_in)
			return c;
	return NULL;
}

struct child_sa *
child_find_out(struct ike_sa *sa, uint32_t spi_out)
{
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		if (c->spi_out == spi_out)
			return c;
	return NULL;
}

static void
child_free(struct child_sa *c)
{
	free(c->ts_local);
	free(c->ts_remote);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

void
child_delete(struct ike_sa *sa, struct child_sa *c, int from_kernel)
{
	struct child_sa **pp;

	for (pp = &sa->children; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	for (pp = &sa->gw->child_by_spi[spi_slot(c->spi_in)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	if (from_kernel && c->installed)
		(void)sa->gw->kernel->ops->del(sa->gw->kernel, c->spi_in);
	log_msg(LOG_INFO, sa->id, "CHILD SA %08x/%08x removed", c->spi_in, c->spi_out);
	child_free(c);
}

/* ---------------------------------------------------------------- create */

/*
 * Derives the CHILD SA's keys and hands the pair to the kernel backend.
 * KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr) with Ni the nonce of whoever
 * started the exchange; the first half of the keys protects traffic from
 * that side (RFC 7296 2.17).  Sets reqid, lifetimes and limits from the
 * phase 2s.  0, or -1 (nothing installed).
 */
static int
child_install(struct ike_sa *sa, struct child_sa *c, const uint8_t *gir, size_t girlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen, int we_initiated)
{
	const struct cfg_phase1 *p1 = sa->p1;
	const struct ike_encr_alg *encr = ike_encr_lookup(c->encr, c->encr_bits);
	const struct ike_integ_alg *integ = c->integ ? ike_integ_lookup(c->integ) : NULL;
	struct ike_child_keys ck;
	struct kernel_child kc;
	uint32_t lifetime = 0;
	size_t k;
	char err[300];

	if (encr == NULL || (c->integ && integ == NULL))
		return -1;
	c->reqid = ++sa->gw->next_reqid;
	for (k = 0; k < p1->nphase2; k++)
		if (lifetime == 0 || p1->phase2[k].lifetime < lifetime)
			lifetime = p1->phase2[k].lifetime;
	c->created = time(NULL);
	if (lifetime) {
		c->expire_at = c->created + lifetime;
		/* Soft: 90 %, less a little jitter so both sides rarely collide. */
		c->rekey_at = c->created + lifetime * 9 / 10 - (time_t)(c->spi_in % (lifetime / 20 + 1));
	}
	if (ike_keys_child(&ck, sa->prf, sa->sk_d, sa->sk_dlen, encr, integ, gir, girlen,
	    ni, nilen, nr, nrlen) == -1)
		return -1;
	memset(&kc, 0, sizeof(kc));
	kc.spi_in = c->spi_in;
	kc.spi_out = c->spi_out;
	kc.reqid = c->reqid;
	kc.ike_sa_id = sa->id;
	kc.local = sa->local;
	kc.remote = sa->remote;
	kc.encap = sa->natt;
	kc.encr = c->encr;
	kc.encr_bits = c->encr_bits;
	kc.integ = c->integ;
	kc.esn = c->esn;
	kc.enc_keylen = ck.ck_encrlen;
	kc.int_keylen = ck.ck_integlen;
	if (we_initiated) {
		memcpy(kc.enc_key_out, ck.ck_ei, ck.ck_encrlen);
		memcpy(kc.int_key_out, ck.ck_ai, ck.ck_integlen);
		memcpy(kc.enc_key_in, ck.ck_er, ck.ck_encrlen);
		memcpy(kc.int_key_in, ck.ck_ar, ck.ck_integlen);
	} else {
		memcpy(kc.enc_key_in, ck.ck_ei, ck.ck_encrlen);
		memcpy(kc.int_key_in, ck.ck_ai, ck.ck_integlen);
		memcpy(kc.enc_key_out, ck.ck_er, ck.ck_encrlen);
		memcpy(kc.int_key_out, ck.ck_ar, ck.ck_integlen);
	}
	ike_child_keys_wipe(&ck);
	memcpy(kc.ts_local, c->ts_local, c->nts_local * sizeof(c->ts_local[0]));
	kc.nts_local = c->nts_local;
	memcpy(kc.ts_remote, c->ts_remote, c->nts_remote * sizeof(c->ts_remote[0]));
	kc.nts_remote = c->nts_remote;
	for (k = 0; k < p1->nphase2; k++) {
		if (p1->phase2[k].life_bytes && (kc.hard_bytes == 0 ||
		    p1->phase2[k].life_bytes < kc.hard_bytes))
			kc.hard_bytes = p1->phase2[k].life_bytes;
		if (p1->phase2[k].life_packets && (kc.hard_packets == 0 ||
		    p1->phase2[k].life_packets < kc.hard_packets))
			kc.hard_packets = p1->phase2[k].life_packets;
	}
	c->hard_bytes = kc.hard_bytes;
	c->hard_packets = kc.hard_packets;
	kc.soft_bytes = kc.hard_bytes / 10 * 9;
	kc.soft_packets = kc.hard_packets / 10 * 9;
	if (sa->gw->kernel->ops->add(sa->gw->kernel, &kc, err, sizeof(err)) == -1) {
		explicit_bzero(&kc, sizeof(kc));
		log_msg(LOG_ERR, sa->id, "installing CHILD SA failed: %s", err);
		return -1;
	}
	explicit_bzero(&kc, sizeof(kc));
	c->installed = 1;
	return 0;
}

uint16_t
child_create(struct ike_sa *sa, struct ike_out *out, const uint8_t *gir, size_t girlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen, struct child_req *req,
    uint16_t dh)
{
	const struct cfg_phase1 *p1 = sa->p1;
	const struct ike_encr_alg *encr;
	const struct ike_integ_alg *integ = NULL;
	struct cfg_proposal chosen;
	struct child_sa *c = NULL;
	struct ike_prop prop;
	struct ike_xform xf[5];
	struct ike_pl_sa rsa;
	struct ike_ts tsi[KERNEL_MAX_TS], tsr[KERNEL_MAX_TS];
	struct cfg_net vip;
	uint8_t spi[4];
	uint32_t peer_spi = 0;
	size_t i, k, j, n;
	int idx;

	if (!req->present)
		return 0;
	if ((idx = proposal_select_esp(sa->gw->cfg, p1, req->props, req->nprops, dh, &chosen,
	    &peer_spi)) < 0)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	struct cfg_net tl[KERNEL_MAX_TS], tr[KERNEL_MAX_TS];
	size_t ntl = 0, ntr = 0;

	/* Our side: the client's TSr narrowed to our local networks. */
	for (i = 0; i < req->ntsr; i++)
		for (k = 0; k < p1->nphase2; k++)
			for (j = 0; j < p1->phase2[k].nlocal_ts; j++)
				ntl += narrow(&req->tsr[i], &p1->phase2[k].local_ts[j],
				    tl + ntl, KERNEL_MAX_TS - ntl);
	/* The client's side: its virtual address, else its outer address. */
	for (i = 0; i < req->ntsi; i++) {
		memset(&vip, 0, sizeof(vip));
		if (sa->have_vip4 && req->tsi[i].type == IKE_TS_IPV4_ADDR_RANGE) {
			vip.family = AF_INET;
			memcpy(vip.addr, &sa->vip4, 4);
			vip.prefix = 32;
		} else if (sa->have_vip6 && req->tsi[i].type == IKE_TS_IPV6_ADDR_RANGE) {
			vip.family = AF_INET6;
			memcpy(vip.addr, &sa->vip6, 16);
			vip.prefix = 128;
		} else if (!sa->have_vip4 && !sa->have_vip6) {
			vip.family = sa->remote.ss_family;
			net_addr_bytes(&sa->remote, vip.addr);
			vip.prefix = vip.family == AF_INET ? 32 : 128;
		} else
			continue;
		/* De-duplicate (the client may send 0.0.0.0/0 and its address). */
		for (j = 0; j < ntr; j++)
			if (memcmp(&tr[j], &vip, sizeof(vip)) == 0)
				break;
		if (j == ntr)
			ntr += narrow(&req->tsi[i], &vip, tr + ntr, KERNEL_MAX_TS - ntr);
	}
	if (ntl == 0 || ntr == 0)
		return IKE_N_TS_UNACCEPTABLE;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->ts_local = calloc(ntl, sizeof(*tl))) == NULL ||
	    (c->ts_remote = calloc(ntr, sizeof(*tr))) == NULL) {
		if (c)
			free(c->ts_local);
		free(c);
		return IKE_N_TEMPORARY_FAILURE;
	}
	memcpy(c->ts_local, tl, ntl * sizeof(*tl));
	c->nts_local = ntl;
	memcpy(c->ts_remote, tr, ntr * sizeof(*tr));
	c->nts_remote = ntr;

	encr = ike_encr_lookup(chosen.encr, chosen.encr_bits);
	if (chosen.integ)
		integ = ike_integ_lookup(chosen.integ);
	if (encr == NULL || (chosen.integ && integ == NULL)) {
		child_free(c);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	c->spi_in = new_spi(sa->gw);
	c->spi_out = peer_spi;
	c->encr = chosen.encr;
	c->encr_bits = chosen.encr_bits;
	c->integ = chosen.integ;
	c->esn = chosen.esn;
	c->dh = dh;
	if (child_install(sa, c, gir, girlen, ni, nilen, nr, nrlen, 0) == -1) {
		child_free(c);
		return IKE_N_TEMPORARY_FAILURE;
	}
	c->next = sa->children;
	sa->children = c;
	c->hnext = sa->gw->child_by_spi[spi_slot(c->spi_in)];
	sa->gw->child_by_spi[spi_slot(c->spi_in)] = c;

	/* SAr2 with our SPI, TSi (client) and TSr (us). */
	spi[0] = (uint8_t)(c->spi_in >> 24);
	spi[1] = (uint8_t)(c->spi_in >> 16);
	spi[2] = (uint8_t)(c->spi_in >> 8);
	spi[3] = (uint8_t)c->spi_in;
	chosen.dh = dh;
	proposal_to_pl(&chosen, IKE_PROTO_ESP, spi, 4, req->props[idx].num, &prop, xf);
	rsa.nprops = 1;
	rsa.props = &prop;
	ike_gen_sa(&out->g, &rsa);
	for (n = 0; n < c->nts_remote; n++)
		net_to_ts(&c->ts_remote[n], &tsi[n]);
	for (n = 0; n < c->nts_local; n++)
		net_to_ts(&c->ts_local[n], &tsr[n]);
	ike_gen_ts(&out->g, IKE_PL_TSI, tsi, c->nts_remote);
	ike_gen_ts(&out->g, IKE_PL_TSR, tsr, c->nts_local);
	{
		char l[64], rm[64];

		cfg_net_str(&c->ts_local[0], l, sizeof(l));
		cfg_net_str(&c->ts_remote[0], rm, sizeof(rm));
		log_msg(LOG_INFO, sa->id, "CHILD SA %08x/%08x %s%s%s %s%s === %s%s",
		    c->spi_in, c->spi_out, encr->ea_name, integ ? "/" : "",
		    integ ? integ->ia_name : "", l, c->nts_local > 1 ? ",..." : "", rm,
		    c->nts_remote > 1 ? ",..." : "");
	}
	return 0;
}

/* ---------------------------------------------------------------- our rekeys */

void
child_rekey_free(struct ike_sa *sa)
{
	if (sa->rekey == NULL)
		return;
	ike_dh_free(sa->rekey->dhkey);
	explicit_bzero(sa->rekey, sizeof(*sa->rekey));
	free(sa->rekey);
	sa->rekey = NULL;
}

int
ike_nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = memcmp(a, b, n);

	if (c)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}

void
child_rekey_collision(struct ike_sa *sa, struct child_sa *old, const uint8_t *ni, size_t nilen,
    const uint8_t *nr, size_t nrlen)
{
	struct child_rekey *rk = sa->rekey;
	const uint8_t *lo = ni;
	size_t lolen = nilen;

	if (rk == NULL || old == NULL || rk->old_spi_in != old->spi_in)
		return;
	if (ike_nonce_cmp(nr, nrlen, ni, nilen) < 0) {
		lo = nr;
		lolen = nrlen;
	}
	rk->collided = 1;
	memcpy(rk->their_min, lo, lolen);
	rk->their_minlen = lolen;
	log_msg(LOG_INFO, sa->id, "rekey collision on CHILD SA %08x", old->spi_in);
}

int
child_rekey_start(struct ike_sa *sa, struct child_sa *old)
{
	const struct cfg_phase1 *p1 = sa->p1;
	struct child_rekey *rk;
	struct ike_prop props[16];
	struct ike_xform xf[16][5];
	struct ike_pl_sa spl;
	struct ike_ts tsi[KERNEL_MAX_TS], tsr[KERNEL_MAX_TS];
	struct ike_out o;
	uint8_t spi[4], rspi[4], pub[IKE_DH_PUB_MAX];
	size_t np = 0, k, i, publen = 0;

	if (sa->req_pending || sa->rekey || old->rekeyed || p1 == NULL || sa->state != SA_ESTABLISHED)
		return -1;
	if ((rk = calloc(1, sizeof(*rk))) == NULL)
		return -1;
	rk->old_spi_in = old->spi_in;
	rk->new_spi_in = new_spi(sa->gw);
	ike_random(rk->ni, sizeof(rk->ni));
	/* PFS with the first group the phase 2s ask for. */
	for (k = 0; k < p1->nphase2 && rk->dh == 0; k++)
		for (i = 0; i < p1->phase2[k].nproposals && rk->dh == 0; i++)
			rk->dh = p1->phase2[k].proposals[i].dh;
	if (rk->dh && ((rk->dhkey = ike_dh_new(rk->dh)) == NULL ||
	    ike_dh_public(rk->dhkey, pub, sizeof(pub), &publen) == -1)) {
		ike_dh_free(rk->dhkey);
		free(rk);
		return -1;
	}
	spi[0] = (uint8_t)(rk->new_spi_in >> 24);
	spi[1] = (uint8_t)(rk->new_spi_in >> 16);
	spi[2] = (uint8_t)(rk->new_spi_in >> 8);
	spi[3] = (uint8_t)rk->new_spi_in;
	for (k = 0; k < p1->nphase2; k++)
		for (i = 0; i < p1->phase2[k].nproposals && np < 16; i++) {
			struct cfg_proposal c = p1->phase2[k].proposals[i];

			c.dh = rk->dh;
			c.esn = 0;
			proposal_to_pl(&c, IKE_PROTO_ESP, spi, 4, (uint8_t)(np + 1), &props[np], xf[np]);
			np++;
		}
	spl.nprops = np;
	spl.props = props;
	rspi[0] = (uint8_t)(old->spi_in >> 24);
	rspi[1] = (uint8_t)(old->spi_in >> 16);
	rspi[2] = (uint8_t)(old->spi_in >> 8);
	rspi[3] = (uint8_t)old->spi_in;
	for (i = 0; i < old->nts_local; i++)
		net_to_ts(&old->ts_local[i], &tsi[i]);
	for (i = 0; i < old->nts_remote; i++)
		net_to_ts(&old->ts_remote[i], &tsr[i]);
	ike_out_begin(&o);
	ike_gen_notify(&o.g, IKE_PROTO_ESP, rspi, 4, IKE_N_REKEY_SA, NULL, 0);
	ike_gen_sa(&o.g, &spl);
	ike_gen_nonce(&o.g, rk->ni, sizeof(rk->ni));
	if (rk->dh)
		ike_gen_ke(&o.g, rk->dh, pub, publen);
	/* We start this exchange: TSi are our selectors, TSr the client's. */
	ike_gen_ts(&o.g, IKE_PL_TSI, tsi, old->nts_local);
	ike_gen_ts(&o.g, IKE_PL_TSR, tsr, old->nts_remote);
	sa->req_max = 0;
	sa->req_interval = 0;
	sa->rekey = rk;
	if (ike_request(sa, CREATE_CHILD_SA, REQ_REKEY_CHILD, &o) == -1) {
		ike_out_free(&o);
		child_rekey_free(sa);
		return -1;
	}
	ike_out_free(&o);
	log_msg(LOG_INFO, sa->id, "rekeying CHILD SA %08x/%08x%s", old->spi_in, old->spi_out,
	    rk->dh ? " with PFS" : "");
	return 0;
}

/* Selectors of a TS payload as prefixes (what the peer narrowed them to). */
static size_t
ts_to_nets(const struct ike_pl *p, struct cfg_net *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; p && i < p->u.ts.nts && n < max; i++) {
		const struct ike_ts *t = &p->u.ts.ts[i];

		if (t->type == IKE_TS_IPV4_ADDR_RANGE)
			n += range_to_nets(AF_INET, t->start, t->end, out + n, max - n);
		else if (t->type == IKE_TS_IPV6_ADDR_RANGE)
			n += range_to_nets(AF_INET6, t->start, t->end, out + n, max - n);
	}
	return n;
}

void
child_rekey_done(struct ike_sa *sa, const struct ike_msg *m)
{
	struct child_rekey *rk = sa->rekey;
	const struct ike_pl *sap, *np, *kep, *n;
	struct child_sa *old, *c = NULL;
	struct cfg_net tl[KERNEL_MAX_TS], tr[KERNEL_MAX_TS];
	uint8_t gir[IKE_DH_SECRET_MAX];
	size_t girlen = 0, ntl, ntr, i;
	const struct ike_prop *p;
	const char *why = NULL;
	int ours_redundant = 0;

	if (rk == NULL)
		return;
	old = child_find_in(sa, rk->old_spi_in);
	if ((n = ike_msg_find(m, IKE_PL_NOTIFY, NULL)) != NULL && n->u.notify.type < 16384) {
		if (n->u.notify.type == IKE_N_INVALID_KE_PAYLOAD && !rk->retried_ke &&
		    n->u.notify.len == 2 && old) {
			uint16_t g = (uint16_t)(n->u.notify.data[0] << 8 | n->u.notify.data[1]);

			log_msg(LOG_INFO, sa->id, "CHILD rekey: the peer wants group %u", g);
			child_rekey_free(sa);
			/* One retry; the phase 2s decide the group, so ask again later. */
			old->rekey_at = time(NULL) + 5;
			return;
		}
		log_msg(LOG_INFO, sa->id, "CHILD rekey refused by the peer: %s",
		    ike_notify_name(n->u.notify.type));
		if (old)
			old->rekey_at = time(NULL) + 30;
		child_rekey_free(sa);
		return;
	}
	sap = ike_msg_find(m, IKE_PL_SA, NULL);
	np = ike_msg_find(m, IKE_PL_NONCE, NULL);
	kep = ike_msg_find(m, IKE_PL_KE, NULL);
	if (sap == NULL || np == NULL || sap->u.sa.nprops != 1 ||
	    (p = &sap->u.sa.props[0])->proto != IKE_PROTO_ESP || p->spi_size != 4 ||
	    (rk->dh && (kep == NULL || kep->u.ke.group != rk->dh))) {
		log_msg(LOG_INFO, sa->id, "CHILD rekey: malformed answer");
		goto fail;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->spi_in = rk->new_spi_in;
	c->spi_out = (uint32_t)p->spi[0] << 24 | (uint32_t)p->spi[1] << 16 |
	    (uint32_t)p->spi[2] << 8 | p->spi[3];
	for (i = 0; i < p->nxforms; i++) {
		const struct ike_xform *x = &p->xforms[i];

		if (x->type == IKE_XF_ENCR) {
			c->encr = x->id;
			c->encr_bits = x->keylen;
		} else if (x->type == IKE_XF_INTEG)
			c->integ = x->id;
		else if (x->type == IKE_XF_ESN)
			c->esn = x->id == IKE_ESN_YES;
	}
	c->dh = rk->dh;
	/* The answer must be one of the proposals we made. */
	{
		struct cfg_proposal chosen;
		uint32_t dummy;
		struct ike_prop one = *p;

		if (proposal_select_esp(sa->gw->cfg, sa->p1, &one, 1, rk->dh, &chosen, &dummy) < 0 ||
		    chosen.encr != c->encr || chosen.encr_bits != c->encr_bits ||
		    chosen.integ != c->integ) {
			log_msg(LOG_INFO, sa->id, "CHILD rekey: the peer chose what we did not offer");
			goto fail;
		}
	}
	ntl = ts_to_nets(ike_msg_find(m, IKE_PL_TSI, NULL), tl, KERNEL_MAX_TS);
	ntr = ts_to_nets(ike_msg_find(m, IKE_PL_TSR, NULL), tr, KERNEL_MAX_TS);
	if (ntl == 0 || ntr == 0 || (c->ts_local = calloc(ntl, sizeof(*tl))) == NULL ||
	    (c->ts_remote = calloc(ntr, sizeof(*tr))) == NULL)
		goto fail;
	memcpy(c->ts_local, tl, ntl * sizeof(*tl));
	c->nts_local = ntl;
	memcpy(c->ts_remote, tr, ntr * sizeof(*tr));
	c->nts_remote = ntr;
	if (rk->dh && (ike_dh_check_peer(rk->dh, kep->u.ke.data, kep->u.ke.len, &why) != 0 ||
	    ike_dh_shared(rk->dhkey, kep->u.ke.data, kep->u.ke.len, gir, sizeof(gir), &girlen,
	    &why) == -1)) {
		log_msg(LOG_INFO, sa->id, "CHILD rekey: bad KE (%s)", why ? why : "error");
		goto fail;
	}
	if (child_install(sa, c, girlen ? gir : NULL, girlen, rk->ni, sizeof(rk->ni),
	    np->u.nonce.data, np->u.nonce.len, 1) == -1)
		goto fail;
	explicit_bzero(gir, sizeof(gir));
	c->next = sa->children;
	sa->children = c;
	if (old)
		old->rekeyed = 1;
	log_msg(LOG_INFO, sa->id, "CHILD SA %08x/%08x rekeyed into %08x/%08x%s",
	    rk->old_spi_in, old ? old->spi_out : 0, c->spi_in, c->spi_out, rk->dh ? " with PFS" : "");
	/*
	 * 2.8.1: when both sides rekeyed the same CHILD SA, the new SA whose
	 * exchange holds the lowest of the four nonces is redundant; the side
	 * that started that exchange deletes it.  Otherwise the old SA goes.
	 */
	if (rk->collided) {
		const uint8_t *lo = rk->ni;
		size_t lolen = sizeof(rk->ni);

		if (ike_nonce_cmp(np->u.nonce.data, np->u.nonce.len, lo, lolen) < 0) {
			lo = np->u.nonce.data;
			lolen = np->u.nonce.len;
		}
		ours_redundant = ike_nonce_cmp(lo, lolen, rk->their_min, rk->their_minlen) < 0;
	}
	child_rekey_free(sa);
	if (ours_redundant) {
		log_msg(LOG_INFO, sa->id, "rekey collision: ours is redundant, deleting %08x", c->spi_in);
		exch_delete_child(sa, c);
	} else if (old != NULL && child_find_in(sa, old->spi_in) == old)
		exch_delete_child(sa, old);
	sa_schedule(sa);
	return;
fail:
	explicit_bzero(gir, sizeof(gir));
	if (c) {
		free(c->ts_local);
		free(c->ts_remote);
		free(c);
	}
	if (old)
		old->rekey_at = time(NULL) + 30;
	child_rekey_free(sa);
}
