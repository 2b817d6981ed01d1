/*
 * proposal — choosing among the peer's SA proposals (RFC 7296 2.7, 3.3).
 *
 * We walk our configured proposals in the administrator's order and take
 * the first that one of the peer's proposals fully covers, so the admin's
 * ordering decides.  A peer proposal with an attribute we do not
 * understand is skipped whole (3.3.6).
 */
#include <string.h>

#include "engine/engine.h"

/* 1 when the peer proposal offers transform (type, id, keybits). */
static int
offers(const struct ike_prop *p, uint8_t type, uint16_t id, uint16_t keybits)
{
	size_t i;

	for (i = 0; i < p->nxforms; i++)
		if (p->xforms[i].type == type && p->xforms[i].id == id &&
		    p->xforms[i].keylen == keybits)
			return 1;
	return 0;
}

static int
has_type(const struct ike_prop *p, uint8_t type)
{
	size_t i;

	for (i = 0; i < p->nxforms; i++)
		if (p->xforms[i].type == type)
			return 1;
	return 0;
}

static int
usable(const struct ike_prop *p)
{
	size_t i;

	for (i = 0; i < p->nxforms; i++)
		if (p->xforms[i].bad_attr)
			return 0;
	return 1;
}

/* An AEAD proposal may list INTEG NONE or no INTEG at all. */
static int
integ_ok(const struct ike_prop *p, uint16_t integ)
{
	if (integ == IKE_INTEG_NONE)
		return !has_type(p, IKE_XF_INTEG) || offers(p, IKE_XF_INTEG, IKE_INTEG_NONE, 0);
	return offers(p, IKE_XF_INTEG, integ, 0);
}

int
proposal_select_ike(const struct ike_config *cfg, const struct cfg_phase1 *p1,
    const struct ike_pl_sa *sa, uint8_t spi_size, struct cfg_proposal *out)
{
	const struct cfg_proposal *c;
	const struct ike_prop *p;
	size_t i, j;

	(void)cfg;
	for (i = 0; i < p1->nproposals; i++) {
		c = &p1->proposals[i];
		for (j = 0; j < sa->nprops; j++) {
			p = &sa->props[j];
			if (p->proto != IKE_PROTO_IKE || p->spi_size != spi_size || !usable(p))
				continue;
			if (offers(p, IKE_XF_ENCR, c->encr, c->encr_bits) &&
			    offers(p, IKE_XF_PRF, c->prf, 0) && integ_ok(p, c->integ) &&
			    offers(p, IKE_XF_DH, c->dh, 0)) {
				*out = *c;
				return (int)j;
			}
		}
	}
	return -1;
}

int
proposal_select_esp(const struct ike_config *cfg, const struct cfg_phase1 *p1,
    const struct ike_prop *props, size_t nprops, uint16_t pfs_group, struct cfg_proposal *out,
    uint32_t *peer_spi)
{
	const struct cfg_proposal *c;
	const struct ike_prop *p;
	size_t k, i, j;
	int esn;

	(void)cfg;
	for (k = 0; k < p1->nphase2; k++) {
		for (i = 0; i < p1->phase2[k].nproposals; i++) {
			c = &p1->phase2[k].proposals[i];
			for (j = 0; j < nprops; j++) {
				p = &props[j];
				if (p->proto != IKE_PROTO_ESP || p->spi_size != 4 || !usable(p))
					continue;
				if (!offers(p, IKE_XF_ENCR, c->encr, c->encr_bits) ||
				    !integ_ok(p, c->integ))
					continue;
				/*
				 * PFS: with a KE payload (CREATE_CHILD_SA) the group must be
				 * in the proposal.  Without one (IKE_AUTH, or a macOS rekey
				 * without PFS) DH transforms are ignored, so clients that do
				 * and do not offer PFS at rekey both connect.
				 */
				if (pfs_group && !offers(p, IKE_XF_DH, pfs_group, 0))
					continue;
				/* Extended sequence numbers: what both sides allow. */
				if (!has_type(p, IKE_XF_ESN) || offers(p, IKE_XF_ESN, IKE_ESN_NO, 0))
					esn = c->esn && offers(p, IKE_XF_ESN, IKE_ESN_YES, 0);
				else if (c->esn && offers(p, IKE_XF_ESN, IKE_ESN_YES, 0))
					esn = 1;
				else
					continue;
				*out = *c;
				out->dh = pfs_group;
				out->esn = esn;
				*peer_spi = (uint32_t)p->spi[0] << 24 | (uint32_t)p->spi[1] << 16 |
				    (uint32_t)p->spi[2] << 8 | p->spi[3];
				return (int)j;
			}
		}
	}
	return -1;
}

void
proposal_to_pl(const struct cfg_proposal *c, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
    uint8_t num, struct ike_prop *prop, struct ike_xform *xf)
{
	size_t n = 0;

	memset(prop, 0, sizeof(*prop));
	prop->num = num;
	prop->proto = proto;
	prop->spi_size = spi_size;
	if (spi_size)
		memcpy(prop->spi, spi, spi_size);
	memset(xf, 0, 5 * sizeof(*xf));
	xf[n].type = IKE_XF_ENCR;
	xf[n].id = c->encr;
	xf[n++].keylen = c->encr_bits;
	if (proto == IKE_PROTO_IKE) {
		xf[n].type = IKE_XF_PRF;
		xf[n++].id = c->prf;
	}
	if (c->integ != IKE_INTEG_NONE) {
		xf[n].type = IKE_XF_INTEG;
		xf[n++].id = c->integ;
	}
	if (c->dh != IKE_DH_NONE) {
		xf[n].type = IKE_XF_DH;
		xf[n++].id = c->dh;
	}
	if (proto == IKE_PROTO_ESP) {
		xf[n].type = IKE_XF_ESN;
		xf[n++].id = c->esn ? IKE_ESN_YES : IKE_ESN_NO;
	}
	prop->nxforms = n;
	prop->xforms = xf;
}
