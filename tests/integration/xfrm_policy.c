/*
 * xfrm_policy — drives the xfrm backend's netlink functions by hand, for
 * t_xfrm.sh (run it inside a network namespace: it changes the kernel's
 * SPD).  One made-up CHILD SA: gateway 192.0.2.1:4500, client behind a NAT
 * at 198.51.100.7:4501, reqid 42, local networks 10.1.0.0/24 and
 * 2001:db8:1::/64, client addresses 10.10.10.5 and 2001:db8:ff::5.
 *
 *   xfrm_policy [--mark VALUE/MASK] add   installs its out/in/fwd policies
 *   xfrm_policy [--mark VALUE/MASK] del   removes them
 *   xfrm_policy sa      installs its inbound SA (AES-GCM-16-256)
 *   xfrm_policy probe   what ikegwd checks at start-up
 *   xfrm_policy sa-check
 *       sends SA requests of every shape the backend builds (CBC + HMAC,
 *       3DES, ESP in UDP, marks, lifetimes, ESN, IPv6, carried replay
 *       state) and GETSA/DELSA: on a kernel with ESP each SA is installed,
 *       read back and removed; on one without, the kernel still checks
 *       each request completely before it looks for the algorithms and
 *       ESP, so "Protocol not supported" (no ESP) or "Function not
 *       implemented" (no such algorithm) means the request was well
 *       formed, and EINVAL that it was not.
 *
 * Exit status 0 on success; otherwise the backend's message on stderr.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/xfrm.h>

#include "engine/kernel/xfrm.h"
#include "engine/ike/crypto.h"
#include "engine/ike/ike.h"

static void
addr(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in sin;

	memset(ss, 0, sizeof(*ss));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, a, &sin.sin_addr);
	memcpy(ss, &sin, sizeof(sin));
}

static void
net(struct cfg_net *n, int family, const char *a, unsigned prefix)
{
	memset(n, 0, sizeof(*n));
	n->family = family;
	inet_pton(family, a, n->addr);
	n->prefix = (uint8_t)prefix;
}

static void
made_up_child(struct kernel_child *c)
{
	memset(c, 0, sizeof(*c));
	c->spi_in = 0xc1000001;
	c->spi_out = 0xc2000002;
	c->reqid = 42;
	addr(&c->local, "192.0.2.1", 4500);
	addr(&c->remote, "198.51.100.7", 4501);
	c->encap = 1;
	c->encr = IKE_ENCR_AES_GCM_16;
	c->encr_bits = 256;
	c->integ = IKE_INTEG_NONE;
	c->enc_keylen = 36;
	ike_random(c->enc_key_in, c->enc_keylen);
	ike_random(c->enc_key_out, c->enc_keylen);
	net(&c->ts_local[0], AF_INET, "10.1.0.0", 24);
	net(&c->ts_local[1], AF_INET6, "2001:db8:1::", 64);
	c->nts_local = 2;
	net(&c->ts_remote[0], AF_INET, "10.10.10.5", 32);
	net(&c->ts_remote[1], AF_INET6, "2001:db8:ff::5", 128);
	c->nts_remote = 2;
}

struct variant {
	const char	*name;
	uint16_t	 encr, bits;
	size_t		 ekey;
	uint16_t	 integ;
	size_t		 akey;
	int		 encap, esn, v6, outbound, mark, limits, carry;
};

static const struct variant variants[] = {
	{ "cbc(aes) + hmac(sha256)", IKE_ENCR_AES_CBC, 128, 16, IKE_INTEG_HMAC_SHA2_256_128, 32,
	  0, 0, 0, 0, 0, 0, 0 },
	{ "cbc(aes)-256 + hmac(sha512), outbound", IKE_ENCR_AES_CBC, 256, 32,
	  IKE_INTEG_HMAC_SHA2_512_256, 64, 0, 0, 0, 1, 0, 0, 0 },
	{ "cbc(des3_ede) + hmac(sha1)", IKE_ENCR_3DES, 0, 24, IKE_INTEG_HMAC_SHA1_96, 20,
	  0, 0, 0, 0, 0, 0, 0 },
	{ "ESP in UDP, mark, byte/packet limits", IKE_ENCR_AES_CBC, 128, 16,
	  IKE_INTEG_HMAC_SHA2_256_128, 32, 1, 0, 0, 0, 1, 1, 0 },
	{ "ESN", IKE_ENCR_AES_CBC, 128, 16, IKE_INTEG_HMAC_SHA2_256_128, 32, 0, 1, 0, 0, 0, 0, 0 },
	{ "ESN, outbound", IKE_ENCR_AES_CBC, 128, 16, IKE_INTEG_HMAC_SHA2_256_128, 32,
	  0, 1, 0, 1, 0, 0, 0 },
	{ "IPv6 outer, ESP in UDP", IKE_ENCR_AES_CBC, 192, 24, IKE_INTEG_HMAC_SHA2_384_192, 48,
	  1, 0, 1, 0, 0, 0, 0 },
	{ "carried replay state and counters", IKE_ENCR_AES_CBC, 128, 16,
	  IKE_INTEG_HMAC_SHA2_256_128, 32, 1, 0, 0, 1, 0, 0, 1 },
	{ "carried ESN replay state", IKE_ENCR_AES_CBC, 128, 16, IKE_INTEG_HMAC_SHA2_256_128, 32,
	  0, 1, 0, 1, 0, 0, 1 },
	{ "rfc4106(gcm(aes))", IKE_ENCR_AES_GCM_16, 256, 36, IKE_INTEG_NONE, 0,
	  0, 0, 0, 0, 0, 0, 0 },
	{ "rfc7539esp(chacha20,poly1305)", IKE_ENCR_CHACHA20_POLY1305, 0, 36, IKE_INTEG_NONE, 0,
	  1, 1, 0, 0, 0, 0, 0 },
};

static void
sin6(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in6 s6;

	memset(ss, 0, sizeof(*ss));
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(port);
	inet_pton(AF_INET6, a, &s6.sin6_addr);
	memcpy(ss, &s6, sizeof(s6));
}

/* A carried replay state as GETSA would return it. */
static void
carry_state(struct xfrm_sa_state *st, int esn)
{
	memset(st, 0, sizeof(*st));
	st->esn = esn;
	st->bytes = 4096;
	st->packets = 32;
	if (esn) {
		struct xfrm_replay_state_esn rs;

		memset(&rs, 0, sizeof(rs));
		rs.bmp_len = XFRM_REPLAY_WINDOW_ESN / 32;
		rs.replay_window = XFRM_REPLAY_WINDOW_ESN;
		rs.oseq = 500;
		memcpy(st->replay, &rs, sizeof(rs));
		st->replay_len = sizeof(rs) + XFRM_REPLAY_WINDOW_ESN / 8;
		st->replay_type = XFRMA_REPLAY_ESN_VAL;
	} else {
		struct xfrm_replay_state rs = { 500, 0, 0 };

		memcpy(st->replay, &rs, sizeof(rs));
		st->replay_len = sizeof(rs);
		st->replay_type = XFRMA_REPLAY_VAL;
	}
	xfrm_sa_state_skip(st, XFRM_OSEQ_MARGIN);
}

static int
sa_check(struct xfrm_nl *nl)
{
	const struct xfrm_mark_cfg mark = { 0x2a, 0xff };
	struct xfrm_sa_state st, got;
	struct kernel_child c;
	struct xfrm_sa sa;
	char err[512];
	size_t i;
	int e, bad = 0;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		const struct variant *v = &variants[i];

		made_up_child(&c);
		c.encr = v->encr;
		c.encr_bits = v->bits;
		c.integ = v->integ;
		c.enc_keylen = v->ekey;
		c.int_keylen = v->akey;
		ike_random(c.int_key_in, sizeof(c.int_key_in));
		ike_random(c.int_key_out, sizeof(c.int_key_out));
		c.encap = v->encap;
		c.esn = v->esn;
		if (v->v6) {
			sin6(&c.local, "2001:db8::1", 4500);
			sin6(&c.remote, "2001:db8::7", 4501);
		}
		if (v->limits) {
			c.soft_bytes = 9000;
			c.hard_bytes = 10000;
			c.soft_packets = 90;
			c.hard_packets = 100;
		}
		xfrm_sa_from_child(&c, !v->outbound, v->mark ? &mark : NULL, &sa);
		if (v->carry) {
			carry_state(&st, v->esn);
			sa.carry = &st;
		}
		if (xfrm_nl_sa_install(nl, &sa, !v->outbound, &e, err, sizeof(err)) == 0) {
			/* A kernel with ESP: read it back, remove it. */
			if (xfrm_nl_sa_get(nl, &sa.dst, sa.spi, &sa.mark, &got, NULL, err,
			    sizeof(err)) == -1 || (v->carry && got.packets != 32) ||
			    xfrm_nl_sa_del(nl, &sa.dst, sa.spi, &sa.mark, err, sizeof(err)) == -1) {
				printf("FAIL  %s: installed, but %s\n", v->name, err);
				bad = 1;
			} else
				printf("ok    %s: installed, read back, removed\n", v->name);
		} else if (e == EPROTONOSUPPORT || e == ENOSYS) {
			printf("ok    %s: well formed, refused with %s\n", v->name,
			    strerrorname_np(e));
		} else {
			printf("FAIL  %s: %s\n", v->name, err);
			bad = 1;
		}
		explicit_bzero(&c, sizeof(c));
	}
	/* GETSA and DELSA of an SA that is not there: "no such SA". */
	made_up_child(&c);
	if (xfrm_nl_sa_get(nl, &c.local, 0x0badf00d, NULL, &got, &e, err, sizeof(err)) == 0 ||
	    e != ESRCH) {
		printf("FAIL  GETSA of a missing SA: %s\n", err);
		bad = 1;
	} else
		printf("ok    GETSA of a missing SA: ESRCH\n");
	if (xfrm_nl_sa_del(nl, &c.local, 0x0badf00d, &mark, err, sizeof(err)) == -1) {
		printf("FAIL  DELSA of a missing SA: %s\n", err);
		bad = 1;
	} else
		printf("ok    DELSA of a missing SA: ESRCH (no error)\n");
	explicit_bzero(&c, sizeof(c));
	return bad ? -1 : 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: xfrm_policy [--mark VALUE/MASK] add | del | sa | probe | sa-check\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct xfrm_mark_cfg mark = { 0, 0 };
	struct kernel_child c;
	struct xfrm_nl *nl;
	char err[512], *end;
	const char *cmd;
	int r = 1;

	if (argc == 4 && strcmp(argv[1], "--mark") == 0) {
		mark.value = (uint32_t)strtoul(argv[2], &end, 0);
		if (*end != '/')
			return usage();
		mark.mask = (uint32_t)strtoul(end + 1, &end, 0);
		if (*end != '\0')
			return usage();
		argv += 2;
		argc -= 2;
	}
	if (argc != 2)
		return usage();
	cmd = argv[1];
	made_up_child(&c);
	if ((nl = xfrm_nl_open(err, sizeof(err))) == NULL) {
		fprintf(stderr, "xfrm_policy: %s\n", err);
		return 1;
	}
	if (strcmp(cmd, "add") == 0)
		r = xfrm_nl_policies_add(nl, &c, &mark, err, sizeof(err));
	else if (strcmp(cmd, "del") == 0)
		r = xfrm_nl_policies_del(nl, &c, &mark, err, sizeof(err));
	else if (strcmp(cmd, "sa") == 0)
		r = xfrm_nl_sa_add(nl, &c, 1, &mark, err, sizeof(err));
	else if (strcmp(cmd, "probe") == 0)
		r = xfrm_nl_probe_esp(nl, err, sizeof(err));
	else if (strcmp(cmd, "sa-check") == 0) {
		if ((r = sa_check(nl)) == -1)
			snprintf(err, sizeof(err), "some SA requests were malformed");
	}
	else {
		xfrm_nl_close(nl);
		return usage();
	}
	if (r == -1)
		fprintf(stderr, "xfrm_policy %s: %s\n", cmd, err);
	else
		printf("xfrm_policy %s: ok\n", cmd);
	explicit_bzero(&c, sizeof(c));
	xfrm_nl_close(nl);
	return r == -1 ? 1 : 0;
}
