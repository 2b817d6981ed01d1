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

struct null_sa {
	struct kernel_child	 c;
	struct null_sa		*next;
	struct null_sa		*hnext;		/* by spi_in */
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
		if (s->c.spi_in == spi_in)
			return s;
	return NULL;
}

static void
null_wipe(struct null_sa *s)
{
	explicit_bzero(&s->c, sizeof(s->c));
	free(s);
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
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->c = *c;
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
	null_wipe(s);
	return 0;
}

static int
null_update(struct kernel *k, uint32_t spi_in, const struct sockaddr *local,
    const struct sockaddr *remote, int encap)
{
	struct null_sa *s = find(k, spi_in);

	if (s != NULL) {
		memcpy(&s->c.local, local, local->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		memcpy(&s->c.remote, remote, remote->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		s->c.encap = encap;
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
		snprintf(in, sizeof(in), "%08x", s->c.spi_in);
		snprintf(out, sizeof(out), "%08x", s->c.spi_out);
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:b, s:s, s:i,"
		    " s:s, s:b, s:I, s:I, s:o, s:o}",
		    "spi_in", in, "spi_out", out, "reqid", (json_int_t)s->c.reqid,
		    "ike_sa", (json_int_t)s->c.ike_sa_id,
		    "local", net_addr_json(&s->c.local), "remote", net_addr_json(&s->c.remote),
		    "encap", s->c.encap, "encryption", ike_transform_name(IKE_XF_ENCR, s->c.encr),
		    "key_bits", s->c.encr_bits,
		    "integrity", ike_transform_name(IKE_XF_INTEG, s->c.integ), "esn", s->c.esn,
		    "enc_key_len", (json_int_t)s->c.enc_keylen,
		    "int_key_len", (json_int_t)s->c.int_keylen,
		    "ts_local", cfg_nets_json(s->c.ts_local, s->c.nts_local),
		    "ts_remote", cfg_nets_json(s->c.ts_remote, s->c.nts_remote)));
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
		null_wipe(s);
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
