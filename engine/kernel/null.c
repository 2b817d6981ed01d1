/*
 * null — a kernel backend that only records what it is given.  It moves no
 * packets and needs no privileges; ikegwctl shows what it holds, so the
 * IKE tests can check SPIs, algorithms and selectors.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "engine/engine.h"
#include "engine/ike/ike.h"
#include "engine/ike/names.h"

/*
 * What an SA's dump shows: the kernel_child without its keys (the null
 * backend never needs them, and an SA held by the hundred thousand should
 * not cost 1.4 KB each) and with only the selectors it has.
 */
struct null_sa {
	struct null_sa		*next;
	struct null_sa		*hnext;		/* by spi_in */
	uint32_t		 spi_in, spi_out, reqid;
	uint64_t		 ike_sa_id;
	struct sockaddr_storage	 local, remote;
	int			 encap, esn;
	uint16_t		 encr, encr_bits, integ;
	uint16_t		 enc_keylen, int_keylen;
	uint8_t			 nts_local, nts_remote;
	struct cfg_net		 ts[];		/* local, then remote */
};

#define NULL_HASH	4096

/* k->priv: every SA (newest first, for dump) and a hash by inbound SPI. */
struct null_state {
	struct null_sa		*list;
	struct null_sa		*by_spi[NULL_HASH];
};

static size_t
slot(uint32_t spi)
{
	return (size_t)((spi * 2654435761u) >> 8) % NULL_HASH;
}

static struct null_sa *
find(struct kernel *k, uint32_t spi_in)
{
	struct null_state *st = k->priv;
	struct null_sa *s;

	for (s = st ? st->by_spi[slot(spi_in)] : NULL; s; s = s->hnext)
		if (s->spi_in == spi_in)
			return s;
	return NULL;
}

static int
null_add(struct kernel *k, const struct kernel_child *c, char *err, size_t errlen)
{
	struct null_state *st;
	struct null_sa *s;

	if (k->priv == NULL && (k->priv = calloc(1, sizeof(struct null_state))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st = k->priv;
	if (find(k, c->spi_in) != NULL) {
		snprintf(err, errlen, "SPI %08x already installed", c->spi_in);
		return -1;
	}
	if ((s = calloc(1, sizeof(*s) + (c->nts_local + c->nts_remote) * sizeof(s->ts[0]))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->spi_in = c->spi_in;
	s->spi_out = c->spi_out;
	s->reqid = c->reqid;
	s->ike_sa_id = c->ike_sa_id;
	s->local = c->local;
	s->remote = c->remote;
	s->encap = c->encap;
	s->esn = c->esn;
	s->encr = c->encr;
	s->encr_bits = c->encr_bits;
	s->integ = c->integ;
	s->enc_keylen = (uint16_t)c->enc_keylen;
	s->int_keylen = (uint16_t)c->int_keylen;
	s->nts_local = (uint8_t)c->nts_local;
	s->nts_remote = (uint8_t)c->nts_remote;
	memcpy(s->ts, c->ts_local, c->nts_local * sizeof(s->ts[0]));
	memcpy(s->ts + c->nts_local, c->ts_remote, c->nts_remote * sizeof(s->ts[0]));
	s->next = st->list;
	st->list = s;
	s->hnext = st->by_spi[slot(c->spi_in)];
	st->by_spi[slot(c->spi_in)] = s;
	return 0;
}

static int
null_del(struct kernel *k, uint32_t spi_in)
{
	struct null_state *st = k->priv;
	struct null_sa **pp, *s = find(k, spi_in);

	if (s == NULL)
		return -1;
	for (pp = &st->by_spi[slot(spi_in)]; *pp != s; pp = &(*pp)->hnext)
		;
	*pp = s->hnext;
	for (pp = &st->list; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	free(s);
	return 0;
}

static int
null_update(struct kernel *k, uint32_t spi_in, const struct sockaddr *local,
    const struct sockaddr *remote, int encap)
{
	struct null_sa *s = find(k, spi_in);

	if (s != NULL) {
		memcpy(&s->local, local, local->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		memcpy(&s->remote, remote, remote->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		s->encap = encap;
		return 0;
	}
	return -1;
}

static int
null_stats(struct kernel *k, uint32_t spi_in, struct kernel_stats *st)
{
	memset(st, 0, sizeof(*st));
	return find(k, spi_in) != NULL ? 0 : -1;
}

static json_t *
null_dump(struct kernel *k)
{
	json_t *a = json_array();
	struct null_state *st = k->priv;
	struct null_sa *s;
	char in[16], out[16];

	for (s = st ? st->list : NULL; s; s = s->next) {
		snprintf(in, sizeof(in), "%08x", s->spi_in);
		snprintf(out, sizeof(out), "%08x", s->spi_out);
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:b, s:s, s:i,"
		    " s:s, s:b, s:I, s:I, s:o, s:o}",
		    "spi_in", in, "spi_out", out, "reqid", (json_int_t)s->reqid,
		    "ike_sa", (json_int_t)s->ike_sa_id,
		    "local", net_addr_json(&s->local), "remote", net_addr_json(&s->remote),
		    "encap", s->encap, "encryption", ike_transform_name(IKE_XF_ENCR, s->encr),
		    "key_bits", s->encr_bits,
		    "integrity", ike_transform_name(IKE_XF_INTEG, s->integ), "esn", s->esn,
		    "enc_key_len", (json_int_t)s->enc_keylen,
		    "int_key_len", (json_int_t)s->int_keylen,
		    "ts_local", cfg_nets_json(s->ts, s->nts_local),
		    "ts_remote", cfg_nets_json(s->ts + s->nts_local, s->nts_remote)));
	}
	return a;
}

static void
null_fini(struct kernel *k)
{
	struct null_state *st = k->priv;
	struct null_sa *s, *n;

	for (s = st ? st->list : NULL; s; s = n) {
		n = s->next;
		free(s);
	}
	free(st);
	k->priv = NULL;
}

const struct kernel_backend kernel_null = {
	.name = "null",
	.add = null_add,
	.del = null_del,
	.update = null_update,
	.stats = null_stats,
	.dump = null_dump,
	.fini = null_fini,
};
