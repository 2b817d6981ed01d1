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

uint16_t
child_create(struct ike_sa *sa, struct ike_out *out, const uint8_t *gir, size_t girlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen, struct child_req *req,
    uint16_t dh)
{
	const struct cfg_phase1 *p1 = sa->p1;
	const struct ike_encr_alg *encr;
	const struct ike_integ_alg *integ = NULL;
	struct cfg_proposal chosen;
	struct ike_child_keys ck;
	struct kernel_child kc;
	struct child_sa *c = NULL;
	struct ike_prop prop;
	struct ike_xform xf[5];
	struct ike_pl_sa rsa;
	struct ike_ts tsi[KERNEL_MAX_TS], tsr[KERNEL_MAX_TS];
	struct cfg_net vip;
	uint8_t spi[4];
	uint32_t peer_spi = 0, lifetime = 0;
	size_t i, k, j, n;
	char err[160];
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
	c->reqid = ++sa->gw->next_reqid;
	c->encr = chosen.encr;
	c->encr_bits = chosen.encr_bits;
	c->integ = chosen.integ;
	c->esn = chosen.esn;
	c->dh = dh;
	for (k = 0; k < p1->nphase2; k++)
		if (lifetime == 0 || p1->phase2[k].lifetime < lifetime)
			lifetime = p1->phase2[k].lifetime;
	c->created = time(NULL);
	if (lifetime) {
		c->expire_at = c->created + lifetime;
		c->rekey_at = c->created + lifetime * 9 / 10;
	}

	/* KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr), i→r keys first (2.17). */
	if (ike_keys_child(&ck, sa->prf, sa->keys.k_d, sa->keys.k_prflen, encr, integ, gir, girlen,
	    ni, nilen, nr, nrlen) == -1) {
		child_free(c);
		return IKE_N_TEMPORARY_FAILURE;
	}
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
	/* We are the responder: inbound uses the initiator's keys. */
	memcpy(kc.enc_key_in, ck.ck_ei, ck.ck_encrlen);
	memcpy(kc.int_key_in, ck.ck_ai, ck.ck_integlen);
	memcpy(kc.enc_key_out, ck.ck_er, ck.ck_encrlen);
	memcpy(kc.int_key_out, ck.ck_ar, ck.ck_integlen);
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
		child_free(c);
		return IKE_N_TEMPORARY_FAILURE;
	}
	explicit_bzero(&kc, sizeof(kc));
	c->installed = 1;
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
