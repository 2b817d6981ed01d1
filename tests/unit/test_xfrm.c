/*
 * test_xfrm — the xfrm backend's netlink messages, built into buffers and
 * read back field by field with a walker of this file's own (not the one
 * under test): SAs (AEAD, CBC + HMAC, ESP in UDP, marks, ESN, lifetimes,
 * carried replay state), DELSA/GETSA, policies for each selector pair with
 * their tunnel templates, and the parsers of the kernel's answers (errors
 * with extended messages, XFRM_MSG_NEWSA replies with counters); then the
 * backend's operations (add, del, update, stats, dump) against a fake
 * kernel that keeps an SAD and SPD: order of requests, rollback, policies
 * shared by two CHILD SAs, the move of an SA with its replay state, the
 * messages a refusal produces.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>

#include "engine/kernel/xfrm.h"
#include "engine/ike/ike.h"

/* ------------------------------------------------------------ helpers */

union buf {
	uint64_t	 align;
	uint8_t		 b[XFRM_MSG_BUFSIZE];
};

static void
sin4(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in sin;

	memset(ss, 0, sizeof(*ss));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	memcpy(ss, &sin, sizeof(sin));
}

static void
sin6(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in6 s6;

	memset(ss, 0, sizeof(*ss));
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, a, &s6.sin6_addr), 1);
	memcpy(ss, &s6, sizeof(s6));
}

static struct cfg_net
net(int family, const char *a, unsigned prefix)
{
	struct cfg_net n;

	memset(&n, 0, sizeof(n));
	n.family = family;
	assert_int_equal(inet_pton(family, a, n.addr), 1);
	n.prefix = (uint8_t)prefix;
	return n;
}

static uint32_t
a4(const char *a)
{
	uint32_t v;

	assert_int_equal(inet_pton(AF_INET, a, &v), 1);
	return v;
}

/* Gateway 192.0.2.1:500, client 192.0.2.2:500, AES-GCM-16-256, two local
   networks (v4, v6) and two client addresses (v4, v6). */
static void
child(struct kernel_child *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->spi_in = 0xc1000001;
	c->spi_out = 0xc2000002;
	c->reqid = 7;
	sin4(&c->local, "192.0.2.1", 500);
	sin4(&c->remote, "192.0.2.2", 500);
	c->encr = IKE_ENCR_AES_GCM_16;
	c->encr_bits = 256;
	c->integ = IKE_INTEG_NONE;
	c->enc_keylen = 36;
	for (i = 0; i < c->enc_keylen; i++) {
		c->enc_key_in[i] = (uint8_t)(0x10 + i);
		c->enc_key_out[i] = (uint8_t)(0x80 + i);
	}
	c->ts_local[0] = net(AF_INET, "10.1.0.0", 24);
	c->ts_local[1] = net(AF_INET6, "2001:db8:1::", 64);
	c->nts_local = 2;
	c->ts_remote[0] = net(AF_INET, "10.10.10.5", 32);
	c->ts_remote[1] = net(AF_INET6, "2001:db8:ff::5", 128);
	c->nts_remote = 2;
}

static void
cbc_child(struct kernel_child *c, uint16_t encr, uint16_t bits, size_t ekey, uint16_t integ,
    size_t akey)
{
	size_t i;

	child(c);
	c->encr = encr;
	c->encr_bits = bits;
	c->integ = integ;
	c->enc_keylen = ekey;
	c->int_keylen = akey;
	for (i = 0; i < akey; i++) {
		c->int_key_in[i] = (uint8_t)(0x40 + i);
		c->int_key_out[i] = (uint8_t)(0xc0 + i);
	}
}

/* The message header, checked against the returned length. */
static struct nlmsghdr
hdr(const union buf *m, size_t len)
{
	struct nlmsghdr h;

	assert_true(len >= sizeof(h));
	memcpy(&h, m->b, sizeof(h));
	assert_int_equal(h.nlmsg_len, len);
	assert_int_equal(h.nlmsg_pid, 0);
	return h;
}

/* Attribute of a type after a fixed part of fixedlen bytes: its payload
   and length, NULL if absent; fails on a malformed chain. */
static const uint8_t *
attr(const union buf *m, size_t len, size_t fixedlen, uint16_t type, size_t *dlen)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(fixedlen);
	const uint8_t *found = NULL;
	struct nlattr a;

	while (off < len) {
		assert_true(len - off >= sizeof(a));
		memcpy(&a, m->b + off, sizeof(a));
		assert_true(a.nla_len >= sizeof(a) && a.nla_len <= len - off);
		if (a.nla_type == type) {
			assert_null(found);	/* never twice */
			found = m->b + off + sizeof(a);
			*dlen = a.nla_len - sizeof(a);
		}
		off += NLA_ALIGN(a.nla_len);
	}
	assert_int_equal(off, len);
	return found;
}

static size_t
nattrs(const union buf *m, size_t len, size_t fixedlen)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(fixedlen), n = 0;
	struct nlattr a;

	while (off < len) {
		memcpy(&a, m->b + off, sizeof(a));
		off += NLA_ALIGN(a.nla_len);
		n++;
	}
	return n;
}

static struct xfrm_usersa_info
sa_info(const union buf *m)
{
	struct xfrm_usersa_info i;

	memcpy(&i, m->b + NLMSG_HDRLEN, sizeof(i));
	return i;
}

static size_t
build_sa(union buf *m, const struct kernel_child *c, int inbound,
    const struct xfrm_mark_cfg *mark, int update)
{
	struct xfrm_sa sa;
	char err[128];
	size_t len;

	xfrm_sa_from_child(c, inbound, mark, &sa);
	len = xfrm_msg_newsa(m->b, sizeof(m->b), 99, update, &sa, err, sizeof(err));
	assert_true(len > 0);
	return len;
}

/* ------------------------------------------------------------ SAs */

static void
test_sa_aead_inbound(void **state)
{
	struct kernel_child c;
	struct xfrm_usersa_info i;
	struct xfrm_algo_aead alg;
	struct nlmsghdr h;
	union buf m;
	const uint8_t *p;
	size_t len, dlen, zero;
	uint8_t z[sizeof(struct xfrm_selector)];

	(void)state;
	child(&c);
	len = build_sa(&m, &c, 1, NULL, 0);
	h = hdr(&m, len);
	assert_int_equal(h.nlmsg_type, XFRM_MSG_NEWSA);
	assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(h.nlmsg_seq, 99);
	/* The type in the wire bytes, and the SPI big-endian where it lives. */
	assert_int_equal(m.b[4], 0x10);
	assert_int_equal(m.b[5], 0x00);
	p = m.b + NLMSG_HDRLEN + offsetof(struct xfrm_usersa_info, id) +
	    offsetof(struct xfrm_id, spi);
	assert_memory_equal(p, "\xc1\x00\x00\x01", 4);

	i = sa_info(&m);
	/* Inbound: client → gateway. */
	assert_int_equal(i.id.daddr.a4, a4("192.0.2.1"));
	assert_int_equal(i.saddr.a4, a4("192.0.2.2"));
	assert_int_equal(ntohl(i.id.spi), 0xc1000001);
	assert_int_equal(i.id.proto, IPPROTO_ESP);
	assert_int_equal(i.family, AF_INET);
	assert_int_equal(i.mode, XFRM_MODE_TUNNEL);
	assert_int_equal(i.reqid, 7);
	assert_int_equal(i.flags, XFRM_STATE_AF_UNSPEC);
	assert_int_equal(i.replay_window, XFRM_REPLAY_WINDOW);
	memset(z, 0, sizeof(z));
	assert_memory_equal(&i.sel, z, sizeof(z));
	/* No limits: infinity, not 0 (0 would expire at once). */
	assert_true(i.lft.soft_byte_limit == XFRM_INF);
	assert_true(i.lft.hard_byte_limit == XFRM_INF);
	assert_true(i.lft.soft_packet_limit == XFRM_INF);
	assert_true(i.lft.hard_packet_limit == XFRM_INF);
	assert_true(i.lft.hard_add_expires_seconds == 0);
	zero = 0;
	assert_memory_equal(&i.curlft.bytes, &zero, sizeof(zero));

	p = attr(&m, len, sizeof(i), XFRMA_ALG_AEAD, &dlen);
	assert_non_null(p);
	assert_int_equal(dlen, sizeof(alg) + 36);
	memcpy(&alg, p, sizeof(alg));
	assert_string_equal(alg.alg_name, "rfc4106(gcm(aes))");
	assert_int_equal(alg.alg_key_len, 288);	/* 256-bit key + 32-bit salt */
	assert_int_equal(alg.alg_icv_len, 128);
	assert_memory_equal(p + sizeof(alg), c.enc_key_in, 36);	/* initiator's keys */
	assert_null(attr(&m, len, sizeof(i), XFRMA_ALG_CRYPT, &dlen));
	assert_null(attr(&m, len, sizeof(i), XFRMA_ALG_AUTH_TRUNC, &dlen));
	assert_null(attr(&m, len, sizeof(i), XFRMA_ENCAP, &dlen));
	assert_null(attr(&m, len, sizeof(i), XFRMA_MARK, &dlen));
	assert_null(attr(&m, len, sizeof(i), XFRMA_REPLAY_ESN_VAL, &dlen));
	assert_int_equal(nattrs(&m, len, sizeof(i)), 1);
}

static void
test_sa_outbound_encap_mark_lifetimes(void **state)
{
	struct xfrm_mark_cfg mark = { 0x2a, 0xff };
	struct kernel_child c;
	struct xfrm_usersa_info i;
	struct xfrm_encap_tmpl et;
	struct xfrm_algo_aead alg;
	struct xfrm_mark xm;
	union buf m;
	const uint8_t *p;
	size_t len, dlen;
	uint8_t z[sizeof(et.encap_oa)];

	(void)state;
	child(&c);
	sin4(&c.local, "192.0.2.1", 4500);
	sin4(&c.remote, "198.51.100.7", 4501);	/* a NAT's mapping */
	c.encap = 1;
	c.encr = IKE_ENCR_AES_GCM_12;
	c.encr_bits = 128;
	c.enc_keylen = 20;
	c.soft_bytes = 900;
	c.hard_bytes = 1000;
	c.soft_packets = 90;
	c.hard_packets = 100;
	len = build_sa(&m, &c, 0, &mark, 0);
	i = sa_info(&m);
	/* Outbound: gateway → client, the client's SPI, responder keys. */
	assert_int_equal(i.id.daddr.a4, a4("198.51.100.7"));
	assert_int_equal(i.saddr.a4, a4("192.0.2.1"));
	assert_int_equal(ntohl(i.id.spi), 0xc2000002);
	assert_true(i.lft.soft_byte_limit == 900);
	assert_true(i.lft.hard_byte_limit == 1000);
	assert_true(i.lft.soft_packet_limit == 90);
	assert_true(i.lft.hard_packet_limit == 100);

	p = attr(&m, len, sizeof(i), XFRMA_ALG_AEAD, &dlen);
	assert_non_null(p);
	memcpy(&alg, p, sizeof(alg));
	assert_int_equal(alg.alg_key_len, 160);
	assert_int_equal(alg.alg_icv_len, 96);
	assert_memory_equal(p + sizeof(alg), c.enc_key_out, 20);

	p = attr(&m, len, sizeof(i), XFRMA_ENCAP, &dlen);
	assert_non_null(p);
	assert_int_equal(dlen, sizeof(et));
	memcpy(&et, p, sizeof(et));
	assert_int_equal(et.encap_type, UDP_ENCAP_ESPINUDP);
	assert_int_equal(ntohs(et.encap_sport), 4500);
	assert_int_equal(ntohs(et.encap_dport), 4501);
	memset(z, 0, sizeof(z));
	assert_memory_equal(&et.encap_oa, z, sizeof(z));

	p = attr(&m, len, sizeof(i), XFRMA_MARK, &dlen);
	assert_non_null(p);
	assert_int_equal(dlen, sizeof(xm));
	memcpy(&xm, p, sizeof(xm));
	assert_int_equal(xm.v, 0x2a);
	assert_int_equal(xm.m, 0xff);

	/* Inbound: the ports the other way round. */
	len = build_sa(&m, &c, 1, &mark, 0);
	p = attr(&m, len, sizeof(i), XFRMA_ENCAP, &dlen);
	assert_non_null(p);
	memcpy(&et, p, sizeof(et));
	assert_int_equal(ntohs(et.encap_sport), 4501);
	assert_int_equal(ntohs(et.encap_dport), 4500);
}

static void
check_cbc(uint16_t encr, uint16_t bits, size_t ekey, const char *ename, uint16_t integ,
    size_t akey, const char *aname, unsigned trunc)
{
	struct kernel_child c;
	struct xfrm_usersa_info i;
	struct xfrm_algo ea;
	struct xfrm_algo_auth aa;
	union buf m;
	const uint8_t *p;
	size_t len, dlen;

	cbc_child(&c, encr, bits, ekey, integ, akey);
	len = build_sa(&m, &c, 1, NULL, 0);
	assert_null(attr(&m, len, sizeof(i), XFRMA_ALG_AEAD, &dlen));
	p = attr(&m, len, sizeof(i), XFRMA_ALG_CRYPT, &dlen);
	assert_non_null(p);
	assert_int_equal(dlen, sizeof(ea) + ekey);
	memcpy(&ea, p, sizeof(ea));
	assert_string_equal(ea.alg_name, ename);
	assert_int_equal(ea.alg_key_len, ekey * 8);
	assert_memory_equal(p + sizeof(ea), c.enc_key_in, ekey);
	p = attr(&m, len, sizeof(i), XFRMA_ALG_AUTH_TRUNC, &dlen);
	assert_non_null(p);
	assert_int_equal(dlen, sizeof(aa) + akey);
	memcpy(&aa, p, sizeof(aa));
	assert_string_equal(aa.alg_name, aname);
	assert_int_equal(aa.alg_key_len, akey * 8);
	assert_int_equal(aa.alg_trunc_len, trunc);
	assert_memory_equal(p + sizeof(aa), c.int_key_in, akey);
	assert_null(attr(&m, len, sizeof(i), XFRMA_ALG_AUTH, &dlen));
}

static void
test_sa_cbc_hmac(void **state)
{
	(void)state;
	check_cbc(IKE_ENCR_AES_CBC, 128, 16, "cbc(aes)", IKE_INTEG_HMAC_SHA2_256_128, 32,
	    "hmac(sha256)", 128);
	check_cbc(IKE_ENCR_AES_CBC, 256, 32, "cbc(aes)", IKE_INTEG_HMAC_SHA2_384_192, 48,
	    "hmac(sha384)", 192);
	check_cbc(IKE_ENCR_AES_CBC, 192, 24, "cbc(aes)", IKE_INTEG_HMAC_SHA2_512_256, 64,
	    "hmac(sha512)", 256);
	check_cbc(IKE_ENCR_3DES, 0, 24, "cbc(des3_ede)", IKE_INTEG_HMAC_SHA1_96, 20,
	    "hmac(sha1)", 96);
}

static void
test_sa_esn_and_v6(void **state)
{
	struct kernel_child c;
	struct xfrm_usersa_info i;
	struct xfrm_replay_state_esn rs;
	struct in6_addr gw, cl;
	union buf m;
	const uint8_t *p;
	size_t len, dlen, k;

	(void)state;
	child(&c);
	c.esn = 1;
	sin6(&c.local, "2001:db8::1", 500);
	sin6(&c.remote, "2001:db8::2", 500);
	len = build_sa(&m, &c, 1, NULL, 0);
	i = sa_info(&m);
	assert_int_equal(i.family, AF_INET6);
	inet_pton(AF_INET6, "2001:db8::1", &gw);
	inet_pton(AF_INET6, "2001:db8::2", &cl);
	assert_memory_equal(&i.id.daddr.in6, &gw, 16);
	assert_memory_equal(&i.saddr.in6, &cl, 16);
	assert_int_equal(i.flags, XFRM_STATE_AF_UNSPEC | XFRM_STATE_ESN);
	/* The kernel refuses the u8 window next to the ESN attribute. */
	assert_int_equal(i.replay_window, 0);
	p = attr(&m, len, sizeof(i), XFRMA_REPLAY_ESN_VAL, &dlen);
	assert_non_null(p);
	assert_int_equal(dlen, sizeof(rs) + XFRM_REPLAY_WINDOW_ESN / 8);
	memcpy(&rs, p, sizeof(rs));
	assert_int_equal(rs.bmp_len, XFRM_REPLAY_WINDOW_ESN / 32);
	assert_int_equal(rs.replay_window, XFRM_REPLAY_WINDOW_ESN);
	assert_int_equal(rs.oseq, 0);
	assert_int_equal(rs.seq, 0);
	for (k = sizeof(rs); k < dlen; k++)
		assert_int_equal(p[k], 0);
	assert_null(attr(&m, len, sizeof(i), XFRMA_REPLAY_VAL, &dlen));
	assert_null(attr(&m, len, sizeof(i), XFRMA_LTIME_VAL, &dlen));
}

static void
test_sa_update_carries_state(void **state)
{
	struct kernel_child c;
	struct xfrm_sa sa;
	struct xfrm_sa_state st;
	struct xfrm_replay_state rs;
	struct xfrm_lifetime_cur cur;
	struct xfrm_usersa_info i;
	struct nlmsghdr h;
	union buf m;
	const uint8_t *p;
	char err[128];
	size_t len, dlen;

	(void)state;
	child(&c);
	len = build_sa(&m, &c, 0, NULL, 1);
	h = hdr(&m, len);
	assert_int_equal(h.nlmsg_type, XFRM_MSG_UPDSA);

	memset(&st, 0, sizeof(st));
	rs.oseq = 1000;
	rs.seq = 0;
	rs.bitmap = 0;
	memcpy(st.replay, &rs, sizeof(rs));
	st.replay_len = sizeof(rs);
	st.replay_type = XFRMA_REPLAY_VAL;
	st.bytes = 123456;
	st.packets = 789;
	st.add_time = 1700000000;
	st.use_time = 1700000100;
	xfrm_sa_state_skip(&st, XFRM_OSEQ_MARGIN);
	xfrm_sa_from_child(&c, 0, NULL, &sa);
	sa.carry = &st;
	len = xfrm_msg_newsa(m.b, sizeof(m.b), 5, 0, &sa, err, sizeof(err));
	assert_true(len > 0);
	i = sa_info(&m);
	assert_int_equal(i.replay_window, XFRM_REPLAY_WINDOW);
	p = attr(&m, len, sizeof(i), XFRMA_REPLAY_VAL, &dlen);
	assert_non_null(p);
	assert_int_equal(dlen, sizeof(rs));
	memcpy(&rs, p, sizeof(rs));
	assert_int_equal(rs.oseq, 1000 + XFRM_OSEQ_MARGIN);
	p = attr(&m, len, sizeof(i), XFRMA_LTIME_VAL, &dlen);
	assert_non_null(p);
	assert_int_equal(dlen, sizeof(cur));
	memcpy(&cur, p, sizeof(cur));
	assert_true(cur.bytes == 123456);
	assert_true(cur.packets == 789);
	assert_true(cur.add_time == 1700000000);
	assert_true(cur.use_time == 1700000100);

	/* ESN SA with a short replay state: refused, nothing half-built. */
	c.esn = 1;
	xfrm_sa_from_child(&c, 0, NULL, &sa);
	sa.carry = &st;
	assert_int_equal(xfrm_msg_newsa(m.b, sizeof(m.b), 5, 0, &sa, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "ESN"));
}

static void
test_state_skip(void **state)
{
	struct xfrm_sa_state st;
	struct xfrm_replay_state rs;
	struct xfrm_replay_state_esn es;

	(void)state;
	/* Without ESN the counter stops at the top instead of wrapping. */
	memset(&st, 0, sizeof(st));
	memset(&rs, 0, sizeof(rs));
	rs.oseq = UINT32_MAX - 10;
	memcpy(st.replay, &rs, sizeof(rs));
	st.replay_len = sizeof(rs);
	st.replay_type = XFRMA_REPLAY_VAL;
	xfrm_sa_state_skip(&st, 100);
	memcpy(&rs, st.replay, sizeof(rs));
	assert_int_equal(rs.oseq, UINT32_MAX);

	/* With ESN it carries into the high half. */
	memset(&st, 0, sizeof(st));
	memset(&es, 0, sizeof(es));
	es.bmp_len = 4;
	es.replay_window = 128;
	es.oseq = UINT32_MAX - 10;
	es.oseq_hi = 3;
	memcpy(st.replay, &es, sizeof(es));
	st.replay_len = sizeof(es) + 16;
	st.replay_type = XFRMA_REPLAY_ESN_VAL;
	st.esn = 1;
	xfrm_sa_state_skip(&st, 100);
	memcpy(&es, st.replay, sizeof(es));
	assert_int_equal(es.oseq_hi, 4);
	assert_int_equal(es.oseq, 89);	/* 2^32 - 11 + 100 - 2^32 */
	assert_int_equal(st.oseq, 89);
	assert_int_equal(st.oseq_hi, 4);
	assert_int_equal(es.bmp_len, 4);
	assert_int_equal(es.replay_window, 128);
}

static void
test_sa_refused(void **state)
{
	struct kernel_child c;
	struct xfrm_sa sa;
	union buf m;
	char err[128];

	(void)state;
	/* No kernel name. */
	child(&c);
	c.encr = IKE_ENCR_NULL;
	xfrm_sa_from_child(&c, 1, NULL, &sa);
	assert_int_equal(xfrm_msg_newsa(m.b, sizeof(m.b), 1, 0, &sa, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no kernel algorithm"));
	/* AEAD with an INTEG transform, CBC without one. */
	child(&c);
	c.integ = IKE_INTEG_HMAC_SHA2_256_128;
	xfrm_sa_from_child(&c, 1, NULL, &sa);
	assert_int_equal(xfrm_msg_newsa(m.b, sizeof(m.b), 1, 0, &sa, err, sizeof(err)), 0);
	cbc_child(&c, IKE_ENCR_AES_CBC, 128, 16, IKE_INTEG_NONE, 0);
	xfrm_sa_from_child(&c, 1, NULL, &sa);
	assert_int_equal(xfrm_msg_newsa(m.b, sizeof(m.b), 1, 0, &sa, err, sizeof(err)), 0);
	/* Mixed families. */
	child(&c);
	sin6(&c.remote, "2001:db8::2", 500);
	xfrm_sa_from_child(&c, 1, NULL, &sa);
	assert_int_equal(xfrm_msg_newsa(m.b, sizeof(m.b), 1, 0, &sa, err, sizeof(err)), 0);
	/* A buffer too small, for every size up to the message: never a
	   write past it, never a partial message, no key left behind. */
	{
		size_t need, cap, k;

		child(&c);
		xfrm_sa_from_child(&c, 1, NULL, &sa);
		need = xfrm_msg_newsa(m.b, sizeof(m.b), 1, 0, &sa, err, sizeof(err));
		assert_true(need > 0);
		for (cap = 0; cap < need; cap += 4) {
			memset(m.b, 0xee, sizeof(m.b));
			assert_int_equal(xfrm_msg_newsa(m.b, cap, 1, 0, &sa, err, sizeof(err)), 0);
			for (k = cap; k < sizeof(m.b); k++)
				assert_int_equal(m.b[k], 0xee);
			for (k = 0; k < cap; k++)
				assert_true(m.b[k] == 0 || cap < NLMSG_HDRLEN +
				    NLMSG_ALIGN(sizeof(struct xfrm_usersa_info)));
		}
	}
}

static void
test_algs(void **state)
{
	struct xfrm_algs a;

	(void)state;
	assert_int_equal(xfrm_algs_lookup(IKE_ENCR_CHACHA20_POLY1305, IKE_INTEG_NONE, &a), 0);
	assert_true(a.aead);
	assert_string_equal(a.enc_name, "rfc7539esp(chacha20,poly1305)");
	assert_int_equal(a.icv_bits, 128);
	assert_int_equal(xfrm_algs_lookup(IKE_ENCR_AES_GCM_8, IKE_INTEG_NONE, &a), 0);
	assert_int_equal(a.icv_bits, 64);
	assert_int_equal(xfrm_algs_lookup(IKE_ENCR_AES_CTR, IKE_INTEG_AES_XCBC_96, &a), 0);
	assert_string_equal(a.enc_name, "rfc3686(ctr(aes))");
	assert_string_equal(a.auth_name, "xcbc(aes)");
	assert_int_equal(a.trunc_bits, 96);
	assert_int_equal(xfrm_algs_lookup(IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_MD5_96, &a), 0);
	assert_string_equal(a.auth_name, "hmac(md5)");
	assert_int_equal(xfrm_algs_lookup(IKE_ENCR_AES_GCM_16, IKE_INTEG_HMAC_SHA1_96, &a), -1);
	assert_int_equal(xfrm_algs_lookup(IKE_ENCR_AES_CBC, IKE_INTEG_NONE, &a), -1);
	assert_int_equal(xfrm_algs_lookup(IKE_ENCR_NULL, IKE_INTEG_HMAC_SHA1_96, &a), -1);
}

static void
test_delsa_getsa(void **state)
{
	struct xfrm_mark_cfg mark = { 7, 0xffffffff };
	struct sockaddr_storage dst;
	struct xfrm_usersa_id id;
	struct xfrm_mark xm;
	struct nlmsghdr h;
	union buf m;
	const uint8_t *p;
	size_t len, dlen;

	(void)state;
	sin4(&dst, "192.0.2.2", 4500);
	len = xfrm_msg_sa_id(m.b, sizeof(m.b), 3, 1, &dst, 0xc2000002, NULL);
	h = hdr(&m, len);
	assert_int_equal(h.nlmsg_type, XFRM_MSG_DELSA);
	assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(h.nlmsg_seq, 3);
	assert_int_equal(len, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(id)));
	memcpy(&id, m.b + NLMSG_HDRLEN, sizeof(id));
	assert_int_equal(id.daddr.a4, a4("192.0.2.2"));
	assert_int_equal(id.daddr.a6[1], 0);
	assert_int_equal(ntohl(id.spi), 0xc2000002);
	assert_int_equal(id.family, AF_INET);
	assert_int_equal(id.proto, IPPROTO_ESP);

	len = xfrm_msg_sa_id(m.b, sizeof(m.b), 4, 0, &dst, 0xc2000002, &mark);
	h = hdr(&m, len);
	assert_int_equal(h.nlmsg_type, XFRM_MSG_GETSA);
	assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST);	/* the reply is the answer */
	p = attr(&m, len, sizeof(id), XFRMA_MARK, &dlen);
	assert_non_null(p);
	memcpy(&xm, p, sizeof(xm));
	assert_int_equal(xm.v, 7);
	assert_int_equal(xm.m, 0xffffffff);
}

/* ------------------------------------------------------------ policies */

static void
test_pols_from_child(void **state)
{
	struct kernel_child c;
	struct xfrm_pol pol[3];
	struct cfg_net l, r;

	(void)state;
	child(&c);
	sin4(&c.remote, "198.51.100.7", 4501);
	l = c.ts_local[0];
	r = c.ts_remote[0];
	assert_int_equal(xfrm_pols_from_child(&c, 0, 0, NULL, pol), 3);
	assert_int_equal(pol[0].dir, XFRM_POLICY_OUT);
	assert_memory_equal(&pol[0].src, &l, sizeof(l));
	assert_memory_equal(&pol[0].dst, &r, sizeof(r));
	assert_memory_equal(&pol[0].tmpl_src, &c.local, sizeof(c.local));
	assert_memory_equal(&pol[0].tmpl_dst, &c.remote, sizeof(c.remote));
	assert_int_equal(pol[1].dir, XFRM_POLICY_IN);
	assert_int_equal(pol[2].dir, XFRM_POLICY_FWD);
	assert_memory_equal(&pol[1].src, &r, sizeof(r));
	assert_memory_equal(&pol[1].dst, &l, sizeof(l));
	assert_memory_equal(&pol[2].src, &r, sizeof(r));
	assert_memory_equal(&pol[1].tmpl_src, &c.remote, sizeof(c.remote));
	assert_memory_equal(&pol[2].tmpl_dst, &c.local, sizeof(c.local));
	assert_int_equal(pol[0].reqid, 7);
	assert_int_equal(pol[2].reqid, 7);
	assert_int_equal(pol[0].priority, XFRM_PRIO_BASE - 56);
	assert_int_equal(pol[1].priority, pol[0].priority);
	/* v6 pair: more specific, lower number. */
	assert_int_equal(xfrm_pols_from_child(&c, 1, 1, NULL, pol), 3);
	assert_int_equal(pol[0].priority, XFRM_PRIO_BASE - 192);
	/* v4 with v6: no policy. */
	assert_int_equal(xfrm_pols_from_child(&c, 0, 1, NULL, pol), 0);
	assert_int_equal(xfrm_pols_from_child(&c, 1, 0, NULL, pol), 0);
}

static void
test_newpolicy(void **state)
{
	struct xfrm_mark_cfg mark = { 0x10, 0xf0 };
	struct kernel_child c;
	struct xfrm_pol pol[3];
	struct xfrm_userpolicy_info info;
	struct xfrm_user_tmpl t;
	struct xfrm_mark xm;
	struct nlmsghdr h;
	union buf m;
	const uint8_t *p;
	size_t len, dlen;

	(void)state;
	child(&c);
	sin4(&c.remote, "198.51.100.7", 4501);
	c.ts_local[0] = net(AF_INET, "10.1.0.77", 24);	/* host bits: cleared on the wire */
	assert_int_equal(xfrm_pols_from_child(&c, 0, 0, NULL, pol), 3);

	/* out */
	len = xfrm_msg_newpolicy(m.b, sizeof(m.b), 11, 0, &pol[0]);
	h = hdr(&m, len);
	assert_int_equal(h.nlmsg_type, XFRM_MSG_NEWPOLICY);
	assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	memcpy(&info, m.b + NLMSG_HDRLEN, sizeof(info));
	assert_int_equal(info.sel.family, AF_INET);
	assert_int_equal(info.sel.saddr.a4, a4("10.1.0.0"));
	assert_int_equal(info.sel.prefixlen_s, 24);
	assert_int_equal(info.sel.daddr.a4, a4("10.10.10.5"));
	assert_int_equal(info.sel.prefixlen_d, 32);
	assert_int_equal(info.sel.proto, 0);
	assert_int_equal(info.sel.sport_mask, 0);
	assert_int_equal(info.sel.dport_mask, 0);
	assert_int_equal(info.dir, XFRM_POLICY_OUT);
	assert_int_equal(info.action, XFRM_POLICY_ALLOW);
	assert_int_equal(info.priority, XFRM_PRIO_BASE - 56);
	assert_int_equal(info.index, 0);
	assert_true(info.lft.hard_byte_limit == XFRM_INF);
	assert_true(info.lft.hard_packet_limit == XFRM_INF);
	p = attr(&m, len, sizeof(info), XFRMA_TMPL, &dlen);
	assert_non_null(p);
	assert_int_equal(dlen, sizeof(t));
	memcpy(&t, p, sizeof(t));
	assert_int_equal(t.saddr.a4, a4("192.0.2.1"));
	assert_int_equal(t.id.daddr.a4, a4("198.51.100.7"));
	assert_int_equal(t.id.proto, IPPROTO_ESP);
	assert_int_equal(t.id.spi, 0);
	assert_int_equal(t.family, AF_INET);
	assert_int_equal(t.reqid, 7);
	assert_int_equal(t.mode, XFRM_MODE_TUNNEL);
	assert_int_equal(t.optional, 0);
	assert_int_equal(t.aalgos, 0xffffffff);
	assert_int_equal(t.ealgos, 0xffffffff);
	assert_null(attr(&m, len, sizeof(info), XFRMA_MARK, &dlen));
	assert_int_equal(nattrs(&m, len, sizeof(info)), 1);

	/* fwd, as UPDPOLICY, with a mark */
	pol[2].mark = mark;
	len = xfrm_msg_newpolicy(m.b, sizeof(m.b), 12, 1, &pol[2]);
	h = hdr(&m, len);
	assert_int_equal(h.nlmsg_type, XFRM_MSG_UPDPOLICY);
	memcpy(&info, m.b + NLMSG_HDRLEN, sizeof(info));
	assert_int_equal(info.dir, XFRM_POLICY_FWD);
	assert_int_equal(info.sel.saddr.a4, a4("10.10.10.5"));
	assert_int_equal(info.sel.daddr.a4, a4("10.1.0.0"));
	assert_int_equal(info.sel.prefixlen_s, 32);
	assert_int_equal(info.sel.prefixlen_d, 24);
	p = attr(&m, len, sizeof(info), XFRMA_TMPL, &dlen);
	memcpy(&t, p, sizeof(t));
	assert_int_equal(t.saddr.a4, a4("198.51.100.7"));
	assert_int_equal(t.id.daddr.a4, a4("192.0.2.1"));
	p = attr(&m, len, sizeof(info), XFRMA_MARK, &dlen);
	assert_non_null(p);
	memcpy(&xm, p, sizeof(xm));
	assert_int_equal(xm.v, 0x10);
	assert_int_equal(xm.m, 0xf0);

	/* in, IPv6 selectors in an IPv4 tunnel */
	assert_int_equal(xfrm_pols_from_child(&c, 1, 1, NULL, pol), 3);
	len = xfrm_msg_newpolicy(m.b, sizeof(m.b), 13, 0, &pol[1]);
	memcpy(&info, m.b + NLMSG_HDRLEN, sizeof(info));
	assert_int_equal(info.dir, XFRM_POLICY_IN);
	assert_int_equal(info.sel.family, AF_INET6);
	{
		struct in6_addr a;

		inet_pton(AF_INET6, "2001:db8:ff::5", &a);
		assert_memory_equal(&info.sel.saddr.in6, &a, 16);
		inet_pton(AF_INET6, "2001:db8:1::", &a);
		assert_memory_equal(&info.sel.daddr.in6, &a, 16);
	}
	assert_int_equal(info.sel.prefixlen_s, 128);
	assert_int_equal(info.sel.prefixlen_d, 64);
	p = attr(&m, len, sizeof(info), XFRMA_TMPL, &dlen);
	memcpy(&t, p, sizeof(t));
	assert_int_equal(t.family, AF_INET);

	/* too small */
	assert_int_equal(xfrm_msg_newpolicy(m.b, sizeof(info), 1, 0, &pol[0]), 0);
	assert_int_equal(xfrm_msg_newpolicy(m.b, NLMSG_HDRLEN + sizeof(info) + 8, 1, 0, &pol[0]),
	    0);
}

static void
test_delpolicy(void **state)
{
	struct xfrm_mark_cfg mark = { 1, 1 };
	struct kernel_child c;
	struct xfrm_pol pol[3];
	struct xfrm_userpolicy_id id;
	struct nlmsghdr h;
	union buf m;
	size_t len, dlen;

	(void)state;
	child(&c);
	assert_int_equal(xfrm_pols_from_child(&c, 0, 0, &mark, pol), 3);
	len = xfrm_msg_delpolicy(m.b, sizeof(m.b), 21, &pol[1]);
	h = hdr(&m, len);
	assert_int_equal(h.nlmsg_type, XFRM_MSG_DELPOLICY);
	assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	memcpy(&id, m.b + NLMSG_HDRLEN, sizeof(id));
	assert_int_equal(id.dir, XFRM_POLICY_IN);
	assert_int_equal(id.index, 0);
	assert_int_equal(id.sel.family, AF_INET);
	assert_int_equal(id.sel.saddr.a4, a4("10.10.10.5"));
	assert_int_equal(id.sel.daddr.a4, a4("10.1.0.0"));
	assert_int_equal(id.sel.prefixlen_s, 32);
	assert_int_equal(id.sel.prefixlen_d, 24);
	assert_non_null(attr(&m, len, sizeof(id), XFRMA_MARK, &dlen));
	assert_null(attr(&m, len, sizeof(id), XFRMA_TMPL, &dlen));
	/* A selector that is not IPv4 or IPv6 has no message. */
	pol[1].src.family = 0;
	assert_int_equal(xfrm_msg_delpolicy(m.b, sizeof(m.b), 22, &pol[1]), 0);
}

/* ------------------------------------------------------------ answers */

/* Appends a netlink attribute at *off. */
static void
put_attr(uint8_t *b, size_t *off, uint16_t type, const void *data, size_t len)
{
	struct nlattr a;

	a.nla_len = (uint16_t)(sizeof(a) + len);
	a.nla_type = type;
	memcpy(b + *off, &a, sizeof(a));
	memcpy(b + *off + sizeof(a), data, len);
	memset(b + *off + sizeof(a) + len, 0, NLA_ALIGN(a.nla_len) - a.nla_len);
	*off += NLA_ALIGN(a.nla_len);
}

static void
test_parse_error(void **state)
{
	uint8_t b[512];
	struct nlmsghdr orig;
	char ext[64];
	size_t off;
	int32_t e;
	int err;

	(void)state;
	/* Capped, with an extended message. */
	memset(b, 0, sizeof(b));
	e = -EPROTONOSUPPORT;
	memcpy(b, &e, 4);
	memset(&orig, 0, sizeof(orig));
	orig.nlmsg_len = 300;	/* the request's length; its body is not there */
	orig.nlmsg_type = XFRM_MSG_NEWSA;
	memcpy(b + 4, &orig, sizeof(orig));
	off = 4 + sizeof(orig);
	put_attr(b, &off, NLMSGERR_ATTR_MSG, "Requested type not found", 25);
	assert_int_equal(xfrm_msg_parse_error(b, off, NLM_F_CAPPED | NLM_F_ACK_TLVS, &err, ext,
	    sizeof(ext)), 0);
	assert_int_equal(err, EPROTONOSUPPORT);
	assert_string_equal(ext, "Requested type not found");
	/* Truncated to the room we have, and control bytes neutralised. */
	assert_int_equal(xfrm_msg_parse_error(b, off, NLM_F_CAPPED | NLM_F_ACK_TLVS, &err, ext,
	    10), 0);
	assert_string_equal(ext, "Requested");

	/* Not capped: the echoed request sits between header and TLVs. */
	memset(b, 0, sizeof(b));
	e = -ENOSYS;
	memcpy(b, &e, 4);
	orig.nlmsg_len = sizeof(orig) + 10;
	memcpy(b + 4, &orig, sizeof(orig));
	memset(b + 4 + sizeof(orig), 0x41, 10);
	off = 4 + sizeof(orig) + NLMSG_ALIGN(10);
	put_attr(b, &off, 2 /* NLMSGERR_ATTR_OFFS */, "\x10\x00\x00\x00", 4);
	put_attr(b, &off, NLMSGERR_ATTR_MSG, "bad\nkey", 8);
	assert_int_equal(xfrm_msg_parse_error(b, off, NLM_F_ACK_TLVS, &err, ext, sizeof(ext)), 0);
	assert_int_equal(err, ENOSYS);
	assert_string_equal(ext, "bad?key");

	/* A plain ack. */
	memset(b, 0, sizeof(b));
	assert_int_equal(xfrm_msg_parse_error(b, 4 + sizeof(orig), 0, &err, ext, sizeof(ext)), 0);
	assert_int_equal(err, 0);
	assert_string_equal(ext, "");

	/* Malformed: short, an echo longer than the message, a bad TLV. */
	assert_int_equal(xfrm_msg_parse_error(b, 19, 0, &err, ext, sizeof(ext)), -1);
	orig.nlmsg_len = 400;
	memcpy(b + 4, &orig, sizeof(orig));
	assert_int_equal(xfrm_msg_parse_error(b, 40, NLM_F_ACK_TLVS, &err, ext, sizeof(ext)), -1);
	memset(b, 0, sizeof(b));
	b[4 + sizeof(orig)] = 200;	/* nla_len beyond the end */
	assert_int_equal(xfrm_msg_parse_error(b, 4 + sizeof(orig) + 8,
	    NLM_F_CAPPED | NLM_F_ACK_TLVS, &err, ext, sizeof(ext)), -1);
}

/* An XFRM_MSG_NEWSA reply as the kernel sends one for GETSA. */
static size_t
reply_sa(uint8_t *b, int esn, uint32_t bmp_len)
{
	struct xfrm_usersa_info i;
	struct xfrm_algo_aead alg;
	uint8_t ab[sizeof(alg) + 36];
	size_t off;

	memset(&i, 0, sizeof(i));
	i.id.spi = htonl(0xc1000001);
	i.id.proto = IPPROTO_ESP;
	i.family = AF_INET;
	i.reqid = 7;
	i.curlft.bytes = 5000;
	i.curlft.packets = 40;
	i.curlft.add_time = 1700000000;
	i.curlft.use_time = 1700000123;
	i.flags = XFRM_STATE_AF_UNSPEC | (esn ? XFRM_STATE_ESN : 0);
	memcpy(b, &i, sizeof(i));
	off = NLMSG_ALIGN(sizeof(i));
	memset(&alg, 0, sizeof(alg));
	strcpy(alg.alg_name, "rfc4106(gcm(aes))");
	memcpy(ab, &alg, sizeof(alg));
	memset(ab + sizeof(alg), 0x55, 36);
	put_attr(b, &off, XFRMA_ALG_AEAD, ab, sizeof(ab));
	put_attr(b, &off, XFRMA_PAD, "", 0);
	if (esn) {
		struct xfrm_replay_state_esn rs;
		uint8_t rb[sizeof(rs) + 16];

		memset(&rs, 0, sizeof(rs));
		rs.bmp_len = bmp_len;
		rs.oseq = 77;
		rs.oseq_hi = 2;
		rs.replay_window = 128;
		memset(rb, 0, sizeof(rb));
		memcpy(rb, &rs, sizeof(rs));
		rb[sizeof(rs)] = 0x0f;
		put_attr(b, &off, XFRMA_REPLAY_ESN_VAL, rb, sizeof(rb));
	} else {
		struct xfrm_replay_state rs = { 55, 54, 3 };

		put_attr(b, &off, XFRMA_REPLAY_VAL, &rs, sizeof(rs));
	}
	return off;
}

static void
test_parse_sa(void **state)
{
	struct xfrm_sa_state st;
	struct xfrm_replay_state rs;
	uint8_t b[1024];
	size_t len;

	(void)state;
	len = reply_sa(b, 0, 0);
	assert_int_equal(xfrm_msg_parse_sa(b, len, &st), 0);
	assert_int_equal(st.spi, 0xc1000001);
	assert_int_equal(st.family, AF_INET);
	assert_int_equal(st.reqid, 7);
	assert_true(st.bytes == 5000);
	assert_true(st.packets == 40);
	assert_true(st.use_time == 1700000123);
	assert_true(st.add_time == 1700000000);
	assert_int_equal(st.esn, 0);
	assert_int_equal(st.replay_type, XFRMA_REPLAY_VAL);
	assert_int_equal(st.replay_len, sizeof(rs));
	memcpy(&rs, st.replay, sizeof(rs));
	assert_int_equal(rs.oseq, 55);
	assert_int_equal(rs.seq, 54);
	assert_int_equal(rs.bitmap, 3);
	assert_int_equal(st.oseq, 55);

	len = reply_sa(b, 1, 4);
	assert_int_equal(xfrm_msg_parse_sa(b, len, &st), 0);
	assert_int_equal(st.esn, 1);
	assert_int_equal(st.replay_type, XFRMA_REPLAY_ESN_VAL);
	assert_int_equal(st.replay_len, sizeof(struct xfrm_replay_state_esn) + 16);
	assert_int_equal(st.oseq, 77);
	assert_int_equal(st.oseq_hi, 2);
	assert_int_equal(st.replay[sizeof(struct xfrm_replay_state_esn)], 0x0f);

	/* Malformed: the fixed part cut, a bitmap longer than sent, a huge
	   bitmap, an attribute running past the end, an ESN SA with the
	   short form. */
	assert_int_equal(xfrm_msg_parse_sa(b, sizeof(struct xfrm_usersa_info) - 1, &st), -1);
	len = reply_sa(b, 1, 5);
	assert_int_equal(xfrm_msg_parse_sa(b, len, &st), -1);
	len = reply_sa(b, 1, 100000);
	assert_int_equal(xfrm_msg_parse_sa(b, len, &st), -1);
	len = reply_sa(b, 0, 0);
	assert_int_equal(xfrm_msg_parse_sa(b, len - 1, &st), -1);
	b[offsetof(struct xfrm_usersa_info, flags)] |= XFRM_STATE_ESN;
	assert_int_equal(xfrm_msg_parse_sa(b, len, &st), -1);
	/* Just the fixed part: counters, no replay state. */
	len = reply_sa(b, 0, 0);
	assert_int_equal(xfrm_msg_parse_sa(b, sizeof(struct xfrm_usersa_info), &st), 0);
	assert_int_equal(st.replay_len, 0);
	assert_true(st.bytes == 5000);
}

static void
test_msg_next(void **state)
{
	uint8_t b[256];
	struct nlmsghdr h;
	const uint8_t *pl;
	size_t off = 0, plen;
	uint32_t seq;
	uint16_t type, flags;

	(void)state;
	memset(b, 0, sizeof(b));
	h.nlmsg_len = sizeof(h) + 5;	/* padded to 24 */
	h.nlmsg_type = XFRM_MSG_NEWSA;
	h.nlmsg_flags = NLM_F_MULTI;
	h.nlmsg_seq = 9;
	h.nlmsg_pid = 0;
	memcpy(b, &h, sizeof(h));
	memcpy(b + sizeof(h), "hello", 5);
	h.nlmsg_len = sizeof(h) + 4;
	h.nlmsg_type = NLMSG_ERROR;
	h.nlmsg_flags = 0;
	h.nlmsg_seq = 10;
	memcpy(b + 24, &h, sizeof(h));
	assert_int_equal(xfrm_msg_next(b, 44, &off, &type, &flags, &seq, &pl, &plen), 1);
	assert_int_equal(type, XFRM_MSG_NEWSA);
	assert_int_equal(flags, NLM_F_MULTI);
	assert_int_equal(seq, 9);
	assert_int_equal(plen, 5);
	assert_memory_equal(pl, "hello", 5);
	assert_int_equal(off, 24);
	assert_int_equal(xfrm_msg_next(b, 44, &off, &type, &flags, &seq, &pl, &plen), 1);
	assert_int_equal(type, NLMSG_ERROR);
	assert_int_equal(seq, 10);
	assert_int_equal(plen, 4);
	assert_int_equal(xfrm_msg_next(b, 44, &off, &type, &flags, &seq, &pl, &plen), 0);
	/* Cut short, and a length below the header. */
	off = 24;
	assert_int_equal(xfrm_msg_next(b, 43, &off, &type, &flags, &seq, &pl, &plen), -1);
	off = 0;
	assert_int_equal(xfrm_msg_next(b, 10, &off, &type, &flags, &seq, &pl, &plen), -1);
	h.nlmsg_len = 8;
	memcpy(b, &h, sizeof(h));
	off = 0;
	assert_int_equal(xfrm_msg_next(b, 44, &off, &type, &flags, &seq, &pl, &plen), -1);
}

/* ------------------------------------------------------------ a fake kernel */

/*
 * Just enough of the kernel's SAD and SPD to run the backend's operations
 * against: it keeps what NEWSA/UPDPOLICY install, answers GETSA, removes
 * on DELSA/DELPOLICY, and fails a chosen request with a chosen errno and
 * extended message.
 */
struct fk_sa {
	int			 used;
	struct xfrm_usersa_info	 info;
	int			 encap;
	uint16_t		 sport, dport;	/* host order */
	struct xfrm_mark	 mark;
	uint16_t		 replay_type;
	uint8_t			 replay[XFRM_REPLAY_MAX];
	size_t			 replay_len;
	char			 alg[64];
};

struct fk_pol {
	int			 used;
	struct xfrm_userpolicy_info info;
	struct xfrm_user_tmpl	 tmpl;
	struct xfrm_mark	 mark;
};

struct fake {
	struct fk_sa	 sa[8];
	struct fk_pol	 pol[32];
	uint16_t	 fail_type;	/* this request type fails ... */
	int		 fail_skip;	/* ... after this many succeeded */
	int		 fail_errno;
	const char	*fail_ext;
	int		 silent;	/* no answer at all */
	char		 log[2048];	/* request types in order */
};

static struct fake fk;

static const char *
fk_name(uint16_t type)
{
	switch (type) {
	case XFRM_MSG_NEWSA:		return "NEWSA";
	case XFRM_MSG_UPDSA:		return "UPDSA";
	case XFRM_MSG_DELSA:		return "DELSA";
	case XFRM_MSG_GETSA:		return "GETSA";
	case XFRM_MSG_NEWPOLICY:	return "NEWPOLICY";
	case XFRM_MSG_UPDPOLICY:	return "UPDPOLICY";
	case XFRM_MSG_DELPOLICY:	return "DELPOLICY";
	default:			return "?";
	}
}

static size_t
fk_error(uint8_t *ans, size_t cap, const struct nlmsghdr *req, int e, const char *ext)
{
	struct nlmsghdr h;
	int32_t v = -e;
	size_t off = sizeof(h);

	assert_true(cap >= 256);
	memset(ans, 0, 256);
	memcpy(ans + off, &v, 4);
	memcpy(ans + off + 4, req, sizeof(*req));
	off += 4 + sizeof(*req);
	h.nlmsg_flags = NLM_F_CAPPED;
	if (ext) {
		put_attr(ans, &off, NLMSGERR_ATTR_MSG, ext, strlen(ext) + 1);
		h.nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	h.nlmsg_len = (uint32_t)off;
	h.nlmsg_type = NLMSG_ERROR;
	h.nlmsg_seq = req->nlmsg_seq;
	h.nlmsg_pid = 4242;
	memcpy(ans, &h, sizeof(h));
	return off;
}

static struct fk_sa *
fk_sa_find(const xfrm_address_t *daddr, uint32_t spi)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (fk.sa[i].used && fk.sa[i].info.id.spi == spi &&
		    memcmp(&fk.sa[i].info.id.daddr, daddr, sizeof(*daddr)) == 0)
			return &fk.sa[i];
	return NULL;
}

static struct fk_pol *
fk_pol_find(const struct xfrm_selector *sel, uint8_t dir)
{
	size_t i;

	for (i = 0; i < 32; i++)
		if (fk.pol[i].used && fk.pol[i].info.dir == dir &&
		    memcmp(&fk.pol[i].info.sel, sel, sizeof(*sel)) == 0)
			return &fk.pol[i];
	return NULL;
}

static size_t
fk_count_sa(void)
{
	size_t i, n = 0;

	for (i = 0; i < 8; i++)
		n += fk.sa[i].used;
	return n;
}

static size_t
fk_count_pol(void)
{
	size_t i, n = 0;

	for (i = 0; i < 32; i++)
		n += fk.pol[i].used;
	return n;
}

/* Attributes after the fixed part of a request. */
static void
fk_attrs(const uint8_t *req, size_t len, size_t fixed, struct fk_sa *sa, struct fk_pol *pol,
    struct xfrm_mark *mark)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(fixed);
	struct nlattr a;
	const uint8_t *d;

	memset(mark, 0, sizeof(*mark));
	while (off < len) {
		memcpy(&a, req + off, sizeof(a));
		assert_true(a.nla_len >= sizeof(a) && a.nla_len <= len - off);
		d = req + off + sizeof(a);
		switch (a.nla_type) {
		case XFRMA_MARK:
			memcpy(mark, d, sizeof(*mark));
			break;
		case XFRMA_ENCAP:
			if (sa) {
				struct xfrm_encap_tmpl et;

				memcpy(&et, d, sizeof(et));
				sa->encap = et.encap_type;
				sa->sport = ntohs(et.encap_sport);
				sa->dport = ntohs(et.encap_dport);
			}
			break;
		case XFRMA_ALG_AEAD:
		case XFRMA_ALG_CRYPT:
			if (sa)
				memcpy(sa->alg, d, sizeof(sa->alg));
			break;
		case XFRMA_REPLAY_VAL:
		case XFRMA_REPLAY_ESN_VAL:
			if (sa) {
				sa->replay_type = a.nla_type;
				sa->replay_len = a.nla_len - sizeof(a);
				memcpy(sa->replay, d, sa->replay_len);
			}
			break;
		case XFRMA_LTIME_VAL:
			if (sa)
				memcpy(&sa->info.curlft, d, sizeof(sa->info.curlft));
			break;
		case XFRMA_TMPL:
			if (pol)
				memcpy(&pol->tmpl, d, sizeof(pol->tmpl));
			break;
		default:
			break;
		}
		off += NLA_ALIGN(a.nla_len);
	}
}

static size_t
fk_answer(void *arg, const uint8_t *req, size_t len, uint8_t *ans, size_t cap)
{
	struct nlmsghdr h;
	size_t i;

	(void)arg;
	memcpy(&h, req, sizeof(h));
	assert_int_equal(h.nlmsg_len, len);
	strncat(fk.log, fk_name(h.nlmsg_type), sizeof(fk.log) - strlen(fk.log) - 2);
	strcat(fk.log, " ");
	if (fk.silent)
		return 0;
	if (h.nlmsg_type == fk.fail_type && fk.fail_skip-- == 0)
		return fk_error(ans, cap, &h, fk.fail_errno, fk.fail_ext);

	switch (h.nlmsg_type) {
	case XFRM_MSG_NEWSA: {
		struct fk_sa n;

		memset(&n, 0, sizeof(n));
		memcpy(&n.info, req + NLMSG_HDRLEN, sizeof(n.info));
		fk_attrs(req, len, sizeof(n.info), &n, NULL, &n.mark);
		if (fk_sa_find(&n.info.id.daddr, n.info.id.spi))
			return fk_error(ans, cap, &h, EEXIST, NULL);
		for (i = 0; i < 8 && fk.sa[i].used; i++)
			;
		assert_true(i < 8);
		n.used = 1;
		fk.sa[i] = n;
		return fk_error(ans, cap, &h, 0, NULL);
	}
	case XFRM_MSG_DELSA:
	case XFRM_MSG_GETSA: {
		struct xfrm_usersa_id id;
		struct fk_sa *s;

		memcpy(&id, req + NLMSG_HDRLEN, sizeof(id));
		if ((s = fk_sa_find(&id.daddr, id.spi)) == NULL)
			return fk_error(ans, cap, &h, ESRCH, NULL);
		if (h.nlmsg_type == XFRM_MSG_DELSA) {
			s->used = 0;
			return fk_error(ans, cap, &h, 0, NULL);
		} else {
			struct nlmsghdr r;
			size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(s->info));

			assert_false(h.nlmsg_flags & NLM_F_ACK);
			memset(ans, 0, off);
			memcpy(ans + NLMSG_HDRLEN, &s->info, sizeof(s->info));
			if (s->replay_len)
				put_attr(ans, &off, s->replay_type, s->replay, s->replay_len);
			else {
				struct xfrm_replay_state rs = { 0, 0, 0 };

				put_attr(ans, &off, XFRMA_REPLAY_VAL, &rs, sizeof(rs));
			}
			r.nlmsg_len = (uint32_t)off;
			r.nlmsg_type = XFRM_MSG_NEWSA;
			r.nlmsg_flags = 0;
			r.nlmsg_seq = h.nlmsg_seq;
			r.nlmsg_pid = 0;
			memcpy(ans, &r, sizeof(r));
			return off;
		}
	}
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY: {
		struct fk_pol n, *o;

		memset(&n, 0, sizeof(n));
		memcpy(&n.info, req + NLMSG_HDRLEN, sizeof(n.info));
		fk_attrs(req, len, sizeof(n.info), NULL, &n, &n.mark);
		n.used = 1;
		if ((o = fk_pol_find(&n.info.sel, n.info.dir)) != NULL) {
			if (h.nlmsg_type == XFRM_MSG_NEWPOLICY)
				return fk_error(ans, cap, &h, EEXIST, NULL);
			*o = n;
			return fk_error(ans, cap, &h, 0, NULL);
		}
		for (i = 0; i < 32 && fk.pol[i].used; i++)
			;
		assert_true(i < 32);
		fk.pol[i] = n;
		return fk_error(ans, cap, &h, 0, NULL);
	}
	case XFRM_MSG_DELPOLICY: {
		struct xfrm_userpolicy_id id;
		struct xfrm_mark mark;
		struct fk_pol *o;

		memcpy(&id, req + NLMSG_HDRLEN, sizeof(id));
		fk_attrs(req, len, sizeof(id), NULL, NULL, &mark);
		if ((o = fk_pol_find(&id.sel, id.dir)) == NULL ||
		    memcmp(&o->mark, &mark, sizeof(mark)) != 0)
			return fk_error(ans, cap, &h, ENOENT, NULL);
		o->used = 0;
		return fk_error(ans, cap, &h, 0, NULL);
	}
	default:
		fail_msg("unexpected request type %u", h.nlmsg_type);
		return 0;
	}
}

static struct kernel *
fk_kernel(const struct xfrm_mark_cfg *mark)
{
	static struct kernel k;
	struct xfrm_nl *nl;

	memset(&fk, 0, sizeof(fk));
	fk.fail_type = 0xffff;
	memset(&k, 0, sizeof(k));
	k.ops = &kernel_xfrm;
	assert_non_null(nl = xfrm_nl_fake(fk_answer, NULL));
	assert_int_equal(xfrm_kernel_attach(&k, nl, mark), 0);
	return &k;
}

static void
fk_fail(uint16_t type, int skip, int e, const char *ext)
{
	fk.fail_type = type;
	fk.fail_skip = skip;
	fk.fail_errno = e;
	fk.fail_ext = ext;
}

/* The policy (src, dst, dir) in the fake SPD, or NULL. */
static const struct fk_pol *
fk_pol(const char *src, unsigned sp, const char *dst, unsigned dp, uint8_t dir)
{
	struct xfrm_selector sel;

	memset(&sel, 0, sizeof(sel));
	sel.family = AF_INET;
	sel.saddr.a4 = a4(src);
	sel.daddr.a4 = a4(dst);
	sel.prefixlen_s = (uint8_t)sp;
	sel.prefixlen_d = (uint8_t)dp;
	return fk_pol_find(&sel, dir);
}

static struct fk_sa *
fk_sa(const char *daddr, uint32_t spi)
{
	xfrm_address_t a;

	memset(&a, 0, sizeof(a));
	a.a4 = a4(daddr);
	return fk_sa_find(&a, htonl(spi));
}

static void
test_backend_add_del(void **state)
{
	struct kernel *k = fk_kernel(NULL);
	struct kernel_child c;
	const struct fk_pol *p;
	struct fk_sa *s;
	char err[256];

	(void)state;
	child(&c);
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), 0);
	/* SAs first, then the policies of the two same-family pairs. */
	assert_string_equal(fk.log, "NEWSA NEWSA UPDPOLICY UPDPOLICY UPDPOLICY UPDPOLICY "
	    "UPDPOLICY UPDPOLICY ");
	assert_int_equal(fk_count_sa(), 2);
	assert_int_equal(fk_count_pol(), 6);
	assert_non_null(s = fk_sa("192.0.2.1", 0xc1000001));
	assert_int_equal(s->info.saddr.a4, a4("192.0.2.2"));
	assert_string_equal(s->alg, "rfc4106(gcm(aes))");
	assert_non_null(s = fk_sa("192.0.2.2", 0xc2000002));
	assert_int_equal(s->info.saddr.a4, a4("192.0.2.1"));
	assert_non_null(p = fk_pol("10.1.0.0", 24, "10.10.10.5", 32, XFRM_POLICY_OUT));
	assert_int_equal(p->tmpl.reqid, 7);
	assert_int_equal(p->tmpl.id.daddr.a4, a4("192.0.2.2"));
	assert_non_null(p = fk_pol("10.10.10.5", 32, "10.1.0.0", 24, XFRM_POLICY_FWD));
	assert_int_equal(p->tmpl.saddr.a4, a4("192.0.2.2"));
	assert_non_null(fk_pol("10.10.10.5", 32, "10.1.0.0", 24, XFRM_POLICY_IN));
	/* The same SPI twice is refused without asking the kernel. */
	fk.log[0] = '\0';
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), -1);
	assert_string_equal(fk.log, "");

	fk.log[0] = '\0';
	assert_int_equal(k->ops->del(k, 0xc1000001), 0);
	/* Policies first, then the SAs. */
	assert_string_equal(fk.log, "DELPOLICY DELPOLICY DELPOLICY DELPOLICY DELPOLICY "
	    "DELPOLICY DELSA DELSA ");
	assert_int_equal(fk_count_sa(), 0);
	assert_int_equal(fk_count_pol(), 0);
	assert_int_equal(k->ops->del(k, 0xc1000001), -1);
	kernel_xfrm.fini(k);
}

static void
test_backend_shared_policies(void **state)
{
	struct kernel *k = fk_kernel(NULL);
	struct kernel_child a, b;
	const struct fk_pol *p;
	char err[256];

	(void)state;
	/* One pair each, the same: a client back before its old SA is gone. */
	child(&a);
	a.nts_local = 1;
	a.nts_remote = 1;
	b = a;
	b.spi_in = 0xc1000011;
	b.spi_out = 0xc2000022;
	b.reqid = 8;
	sin4(&b.remote, "192.0.2.9", 500);
	assert_int_equal(k->ops->add(k, &a, err, sizeof(err)), 0);
	assert_int_equal(k->ops->add(k, &b, err, sizeof(err)), 0);
	assert_int_equal(fk_count_pol(), 3);
	assert_non_null(p = fk_pol("10.1.0.0", 24, "10.10.10.5", 32, XFRM_POLICY_OUT));
	assert_int_equal(p->tmpl.reqid, 8);	/* the newer one */
	assert_int_equal(p->tmpl.id.daddr.a4, a4("192.0.2.9"));
	/* The newer one goes: the policies pass back to the older one. */
	assert_int_equal(k->ops->del(k, b.spi_in), 0);
	assert_int_equal(fk_count_pol(), 3);
	assert_non_null(p = fk_pol("10.1.0.0", 24, "10.10.10.5", 32, XFRM_POLICY_OUT));
	assert_int_equal(p->tmpl.reqid, 7);
	assert_int_equal(p->tmpl.id.daddr.a4, a4("192.0.2.2"));
	assert_non_null(p = fk_pol("10.10.10.5", 32, "10.1.0.0", 24, XFRM_POLICY_IN));
	assert_int_equal(p->tmpl.reqid, 7);
	assert_int_equal(k->ops->del(k, a.spi_in), 0);
	assert_int_equal(fk_count_pol(), 0);
	assert_int_equal(fk_count_sa(), 0);

	/* The older one goes first: the newer one's policies stay. */
	assert_int_equal(k->ops->add(k, &a, err, sizeof(err)), 0);
	assert_int_equal(k->ops->add(k, &b, err, sizeof(err)), 0);
	assert_int_equal(k->ops->del(k, a.spi_in), 0);
	assert_int_equal(fk_count_pol(), 3);
	assert_non_null(p = fk_pol("10.1.0.0", 24, "10.10.10.5", 32, XFRM_POLICY_OUT));
	assert_int_equal(p->tmpl.reqid, 8);
	/* fini removes what is left. */
	kernel_xfrm.fini(k);
	assert_int_equal(fk_count_pol(), 0);
	assert_int_equal(fk_count_sa(), 0);

	/* The newer one fails half-way through the takeover: the older one
	   gets back what had been replaced, and keeps its policies. */
	k = fk_kernel(NULL);
	assert_int_equal(k->ops->add(k, &a, err, sizeof(err)), 0);
	fk_fail(XFRM_MSG_UPDPOLICY, 1, ENOMEM, NULL);
	assert_int_equal(k->ops->add(k, &b, err, sizeof(err)), -1);
	assert_int_equal(fk_count_pol(), 3);
	assert_int_equal(fk_count_sa(), 2);
	assert_non_null(p = fk_pol("10.1.0.0", 24, "10.10.10.5", 32, XFRM_POLICY_OUT));
	assert_int_equal(p->tmpl.reqid, 7);
	assert_non_null(p = fk_pol("10.10.10.5", 32, "10.1.0.0", 24, XFRM_POLICY_IN));
	assert_int_equal(p->tmpl.reqid, 7);
	assert_non_null(p = fk_pol("10.10.10.5", 32, "10.1.0.0", 24, XFRM_POLICY_FWD));
	assert_int_equal(p->tmpl.reqid, 7);
	assert_int_equal(k->ops->del(k, a.spi_in), 0);
	assert_int_equal(fk_count_pol(), 0);
	kernel_xfrm.fini(k);
}

static void
test_backend_refusals(void **state)
{
	struct kernel *k = fk_kernel(NULL);
	struct kernel_child c;
	char err[512];

	(void)state;
	child(&c);
	/* No ESP: the outbound SA fails, the inbound one is taken back. */
	fk_fail(XFRM_MSG_NEWSA, 1, EPROTONOSUPPORT, "Requested type not found");
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "kernel refused the outbound ESP SA c2000002: Protocol not"
	    " supported — this kernel has no ESP (CONFIG_INET_ESP); use the \"tun\" kernel"
	    " backend");
	assert_true(strlen(err) < 160);	/* child.c logs it from 160 bytes */
	assert_int_equal(fk_count_sa(), 0);
	assert_int_equal(fk_count_pol(), 0);

	/* No GCM. */
	fk_fail(XFRM_MSG_NEWSA, 0, ENOSYS, "Requested AEAD algorithm not found");
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kernel refused the inbound ESP SA c1000001: Function not"
	    " implemented — this kernel lacks the algorithm rfc4106(gcm(aes))"));

	/* IPv6 outer addresses name the IPv6 option. */
	sin6(&c.local, "2001:db8::1", 500);
	sin6(&c.remote, "2001:db8::2", 500);
	fk_fail(XFRM_MSG_NEWSA, 0, EPROTONOSUPPORT, NULL);
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "(CONFIG_INET6_ESP)"));
	child(&c);

	/* Without advice, the kernel's own words. */
	fk_fail(XFRM_MSG_NEWSA, 0, EINVAL, "Invalid replay window");
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "kernel refused the inbound ESP SA c1000001: Invalid argument"
	    " (kernel: Invalid replay window)");

	/* A policy fails half-way: everything comes out again. */
	fk_fail(XFRM_MSG_UPDPOLICY, 4, EPERM, NULL);
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kernel refused to install the policy 2001:db8:ff::5/128 ==="
	    " 2001:db8:1::/64 dir in: Operation not permitted — ikegwd needs CAP_NET_ADMIN"));
	assert_int_equal(fk_count_sa(), 0);
	assert_int_equal(fk_count_pol(), 0);
	assert_int_equal(k->ops->del(k, c.spi_in), -1);	/* not recorded */

	/* No answer at all. */
	fk_fail(0xffff, 0, 0, NULL);
	fk.silent = 1;
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Connection timed out"));
	fk.silent = 0;
	kernel_xfrm.fini(k);
}

static void
test_backend_update(void **state)
{
	struct kernel *k = fk_kernel(NULL);
	struct kernel_child c;
	struct sockaddr_storage l, r;
	struct xfrm_replay_state rs;
	struct xfrm_lifetime_cur cur;
	const struct fk_pol *p;
	struct fk_sa *s;
	char err[256];

	(void)state;
	child(&c);
	c.nts_local = 1;
	c.nts_remote = 1;
	sin4(&c.local, "192.0.2.1", 4500);
	sin4(&c.remote, "198.51.100.7", 4501);
	c.encap = 1;
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), 0);
	/* Traffic has flowed. */
	assert_non_null(s = fk_sa("198.51.100.7", 0xc2000002));
	assert_int_equal(s->sport, 4500);
	assert_int_equal(s->dport, 4501);
	s->info.curlft.bytes = 5000;
	s->info.curlft.packets = 50;
	memset(&rs, 0, sizeof(rs));
	rs.oseq = 700;
	memcpy(s->replay, &rs, sizeof(rs));
	s->replay_len = sizeof(rs);
	s->replay_type = XFRMA_REPLAY_VAL;

	/* Same place: nothing to do. */
	fk.log[0] = '\0';
	assert_int_equal(k->ops->update(k, c.spi_in, (struct sockaddr *)&c.local,
	    (struct sockaddr *)&c.remote, 1), 0);
	assert_string_equal(fk.log, "");

	/* The NAT's mapping changes. */
	sin4(&l, "192.0.2.1", 4500);
	sin4(&r, "198.51.100.9", 6000);
	assert_int_equal(k->ops->update(k, c.spi_in, (struct sockaddr *)&l,
	    (struct sockaddr *)&r, 1), 0);
	assert_string_equal(fk.log, "GETSA DELSA NEWSA GETSA DELSA NEWSA UPDPOLICY UPDPOLICY "
	    "UPDPOLICY ");
	assert_int_equal(fk_count_sa(), 2);
	assert_null(fk_sa("198.51.100.7", 0xc2000002));
	assert_non_null(s = fk_sa("198.51.100.9", 0xc2000002));
	assert_int_equal(s->info.saddr.a4, a4("192.0.2.1"));
	assert_int_equal(s->dport, 6000);
	/* Sequence numbers go on (past a margin), and so do the counters. */
	assert_int_equal(s->replay_type, XFRMA_REPLAY_VAL);
	memcpy(&rs, s->replay, sizeof(rs));
	assert_int_equal(rs.oseq, 700 + XFRM_OSEQ_MARGIN);
	memcpy(&cur, &s->info.curlft, sizeof(cur));
	assert_true(cur.bytes == 5000);
	assert_true(cur.packets == 50);
	assert_non_null(s = fk_sa("192.0.2.1", 0xc1000001));
	assert_int_equal(s->info.saddr.a4, a4("198.51.100.9"));
	assert_int_equal(s->sport, 6000);
	assert_int_equal(s->dport, 4500);
	memcpy(&rs, s->replay, sizeof(rs));
	assert_int_equal(rs.oseq, 0);	/* inbound: as it was */
	assert_non_null(p = fk_pol("10.1.0.0", 24, "10.10.10.5", 32, XFRM_POLICY_OUT));
	assert_int_equal(p->tmpl.id.daddr.a4, a4("198.51.100.9"));
	assert_non_null(p = fk_pol("10.10.10.5", 32, "10.1.0.0", 24, XFRM_POLICY_FWD));
	assert_int_equal(p->tmpl.saddr.a4, a4("198.51.100.9"));

	/* The new outbound SA is refused: both stay where they were. */
	sin4(&r, "198.51.100.10", 7000);
	fk_fail(XFRM_MSG_NEWSA, 1, EINVAL, NULL);
	assert_int_equal(k->ops->update(k, c.spi_in, (struct sockaddr *)&l,
	    (struct sockaddr *)&r, 1), -1);
	assert_non_null(s = fk_sa("198.51.100.9", 0xc2000002));
	assert_int_equal(s->dport, 6000);
	assert_non_null(s = fk_sa("192.0.2.1", 0xc1000001));
	assert_int_equal(s->info.saddr.a4, a4("198.51.100.9"));
	assert_int_equal(s->sport, 6000);
	assert_int_equal(fk_count_sa(), 2);
	assert_int_equal(k->ops->update(k, 0x1234, (struct sockaddr *)&l,
	    (struct sockaddr *)&r, 1), -1);
	kernel_xfrm.fini(k);
}

static void
test_backend_stats_dump_mark(void **state)
{
	struct xfrm_mark_cfg mark = { 5, 0xff };
	struct kernel *k = fk_kernel(&mark);
	struct kernel_child c;
	struct kernel_stats st;
	struct fk_sa *s;
	json_t *d, *o;
	char err[256], *text;
	size_t i;

	(void)state;
	child(&c);
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), 0);
	for (i = 0; i < 8; i++)
		if (fk.sa[i].used) {
			assert_int_equal(fk.sa[i].mark.v, 5);
			assert_int_equal(fk.sa[i].mark.m, 0xff);
		}
	for (i = 0; i < 32; i++)
		if (fk.pol[i].used)
			assert_int_equal(fk.pol[i].mark.v, 5);
	assert_non_null(s = fk_sa("192.0.2.1", 0xc1000001));
	s->info.curlft.bytes = 1000;
	s->info.curlft.packets = 10;
	s->info.curlft.use_time = 1700000500;
	assert_non_null(s = fk_sa("192.0.2.2", 0xc2000002));
	s->info.curlft.bytes = 2000;
	s->info.curlft.packets = 20;
	assert_int_equal(k->ops->stats(k, c.spi_in, &st), 0);
	assert_true(st.bytes_in == 1000);
	assert_true(st.packets_in == 10);
	assert_true(st.last_in == 1700000500);
	assert_true(st.bytes_out == 2000);
	assert_true(st.packets_out == 20);
	assert_true(st.last_out == 0);
	assert_int_equal(k->ops->stats(k, 0x999, &st), -1);
	/* An SA the kernel dropped: without limits an error ... */
	s->used = 0;
	assert_int_equal(k->ops->stats(k, c.spi_in, &st), -1);
	s->used = 1;

	d = k->ops->dump(k);
	assert_int_equal(json_array_size(d), 1);
	o = json_array_get(d, 0);
	assert_string_equal(json_string_value(json_object_get(o, "spi_in")), "c1000001");
	assert_string_equal(json_string_value(json_object_get(o, "spi_out")), "c2000002");
	assert_string_equal(json_string_value(json_object_get(o, "kernel_enc")),
	    "rfc4106(gcm(aes))");
	assert_true(json_is_null(json_object_get(o, "kernel_auth")) ||
	    json_object_get(o, "kernel_auth") == NULL);
	assert_int_equal(json_integer_value(json_object_get(o, "policy_pairs")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "bytes_in")), 1000);
	assert_int_equal(json_integer_value(json_object_get(o, "reqid")), 7);
	/* Never a key: no key bytes in any form. */
	text = json_dumps(d, 0);
	assert_non_null(text);
	assert_null(strstr(text, "key\":\""));
	assert_null(strstr(text, "101112"));
	free(text);
	json_decref(d);
	kernel_xfrm.fini(k);
	assert_int_equal(fk_count_sa(), 0);

	/* ... with a hard limit, the kernel removed it at that limit: the
	   counters say so, and the engine's check deletes the CHILD SA. */
	k = fk_kernel(NULL);
	c.hard_bytes = 1000000;
	c.hard_packets = 0;
	assert_int_equal(k->ops->add(k, &c, err, sizeof(err)), 0);
	assert_non_null(s = fk_sa("192.0.2.2", 0xc2000002));
	s->used = 0;
	assert_int_equal(k->ops->stats(k, c.spi_in, &st), 0);
	assert_true(st.bytes_out == 1000000);
	assert_true(st.bytes_in == 0);
	assert_int_equal(k->ops->del(k, c.spi_in), 0);	/* the other SA still goes */
	assert_int_equal(fk_count_sa(), 0);
	assert_int_equal(fk_count_pol(), 0);
	kernel_xfrm.fini(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa_aead_inbound),
		cmocka_unit_test(test_sa_outbound_encap_mark_lifetimes),
		cmocka_unit_test(test_sa_cbc_hmac),
		cmocka_unit_test(test_sa_esn_and_v6),
		cmocka_unit_test(test_sa_update_carries_state),
		cmocka_unit_test(test_state_skip),
		cmocka_unit_test(test_sa_refused),
		cmocka_unit_test(test_algs),
		cmocka_unit_test(test_delsa_getsa),
		cmocka_unit_test(test_pols_from_child),
		cmocka_unit_test(test_newpolicy),
		cmocka_unit_test(test_delpolicy),
		cmocka_unit_test(test_parse_error),
		cmocka_unit_test(test_parse_sa),
		cmocka_unit_test(test_msg_next),
		cmocka_unit_test(test_backend_add_del),
		cmocka_unit_test(test_backend_shared_policies),
		cmocka_unit_test(test_backend_refusals),
		cmocka_unit_test(test_backend_update),
		cmocka_unit_test(test_backend_stats_dump_mark),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
