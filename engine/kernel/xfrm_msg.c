/*
 * xfrm_msg — NETLINK_XFRM requests built in caller buffers, and the
 * kernel's answers parsed; no socket here (see xfrm.h).  Structures and
 * attribute types are the kernel's uapi (<linux/xfrm.h>); building uses
 * libmnl, parsing copies every header into a stack struct after checking
 * its length, as for any other bytes we did not write.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <libmnl/libmnl.h>

#include "xfrm.h"
#include "engine/ike/ike.h"

/* ---------------------------------------------------------------- algorithms */

struct enc_name {
	uint16_t	 id;
	const char	*name;
	int		 aead;
	unsigned	 icv_bits;
};

struct auth_name {
	uint16_t	 id;
	const char	*name;
	unsigned	 trunc_bits;
};

/* Linux crypto API names for ESP: RFC 4106 (GCM), RFC 7634 (ChaCha20-
   Poly1305; "rfc7539esp" in Linux), RFC 3602, RFC 3686, RFC 2451. */
static const struct enc_name enc_names[] = {
	{ IKE_ENCR_AES_GCM_16,		"rfc4106(gcm(aes))",		1, 128 },
	{ IKE_ENCR_AES_GCM_12,		"rfc4106(gcm(aes))",		1, 96 },
	{ IKE_ENCR_AES_GCM_8,		"rfc4106(gcm(aes))",		1, 64 },
	{ IKE_ENCR_CHACHA20_POLY1305,	"rfc7539esp(chacha20,poly1305)", 1, 128 },
	{ IKE_ENCR_AES_CBC,		"cbc(aes)",			0, 0 },
	{ IKE_ENCR_AES_CTR,		"rfc3686(ctr(aes))",		0, 0 },
	{ IKE_ENCR_3DES,		"cbc(des3_ede)",		0, 0 },
};

/* RFC 4868 (SHA-2, truncated to half), RFC 2404, RFC 2403, RFC 3566. */
static const struct auth_name auth_names[] = {
	{ IKE_INTEG_HMAC_SHA2_256_128,	"hmac(sha256)",	128 },
	{ IKE_INTEG_HMAC_SHA2_384_192,	"hmac(sha384)",	192 },
	{ IKE_INTEG_HMAC_SHA2_512_256,	"hmac(sha512)",	256 },
	{ IKE_INTEG_HMAC_SHA1_96,	"hmac(sha1)",	96 },
	{ IKE_INTEG_HMAC_MD5_96,	"hmac(md5)",	96 },
	{ IKE_INTEG_AES_XCBC_96,	"xcbc(aes)",	96 },
};

int
xfrm_algs_lookup(uint16_t encr, uint16_t integ, struct xfrm_algs *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(enc_names) / sizeof(enc_names[0]); i++)
		if (enc_names[i].id == encr)
			break;
	if (i == sizeof(enc_names) / sizeof(enc_names[0]))
		return -1;
	out->aead = enc_names[i].aead;
	out->enc_name = enc_names[i].name;
	out->icv_bits = enc_names[i].icv_bits;
	if (out->aead)
		return integ == IKE_INTEG_NONE ? 0 : -1;
	/* ESP without integrity is never negotiated here. */
	for (i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++) {
		if (auth_names[i].id == integ) {
			out->auth_name = auth_names[i].name;
			out->trunc_bits = auth_names[i].trunc_bits;
			return 0;
		}
	}
	return -1;
}

/* ---------------------------------------------------------------- from a CHILD SA */

void
xfrm_sa_from_child(const struct kernel_child *c, int inbound, const struct xfrm_mark_cfg *mark,
    struct xfrm_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (inbound) {
		sa->spi = c->spi_in;
		sa->src = c->remote;
		sa->dst = c->local;
		sa->enc_key = c->enc_key_in;
		sa->int_key = c->int_keylen ? c->int_key_in : NULL;
	} else {
		sa->spi = c->spi_out;
		sa->src = c->local;
		sa->dst = c->remote;
		sa->enc_key = c->enc_key_out;
		sa->int_key = c->int_keylen ? c->int_key_out : NULL;
	}
	sa->enc_keylen = c->enc_keylen;
	sa->int_keylen = c->int_keylen;
	sa->encap = c->encap;
	sa->reqid = c->reqid;
	sa->encr = c->encr;
	sa->encr_bits = c->encr_bits;
	sa->integ = c->integ;
	sa->esn = c->esn;
	sa->soft_bytes = c->soft_bytes;
	sa->hard_bytes = c->hard_bytes;
	sa->soft_packets = c->soft_packets;
	sa->hard_packets = c->hard_packets;
	if (mark)
		sa->mark = *mark;
}

static unsigned
prefix_sum(const struct cfg_net *a, const struct cfg_net *b)
{
	return (unsigned)a->prefix + b->prefix;
}

size_t
xfrm_pols_from_child(const struct kernel_child *c, size_t i, size_t j,
    const struct xfrm_mark_cfg *mark, struct xfrm_pol pol[3])
{
	const struct cfg_net *l = &c->ts_local[i], *r = &c->ts_remote[j];
	size_t k;

	if (l->family != r->family)
		return 0;
	memset(pol, 0, 3 * sizeof(*pol));
	for (k = 0; k < 3; k++) {
		pol[k].reqid = c->reqid;
		/* Longer prefixes win (the kernel takes the lowest number). */
		pol[k].priority = XFRM_PRIO_BASE - prefix_sum(l, r);
		if (mark)
			pol[k].mark = *mark;
	}
	pol[0].dir = XFRM_POLICY_OUT;
	pol[0].src = *l;
	pol[0].dst = *r;
	pol[0].tmpl_src = c->local;
	pol[0].tmpl_dst = c->remote;
	for (k = 1; k < 3; k++) {
		pol[k].dir = k == 1 ? XFRM_POLICY_IN : XFRM_POLICY_FWD;
		pol[k].src = *r;
		pol[k].dst = *l;
		pol[k].tmpl_src = c->remote;
		pol[k].tmpl_dst = c->local;
	}
	return 3;
}

/* ---------------------------------------------------------------- building */

static int
addr_of(const struct sockaddr_storage *ss, xfrm_address_t *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, ss, sizeof(sin));
		memcpy(&a->a4, &sin.sin_addr, 4);
		if (port)
			*port = sin.sin_port;	/* network order */
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, ss, sizeof(sin6));
		memcpy(&a->in6, &sin6.sin6_addr, 16);
		if (port)
			*port = sin6.sin6_port;
		return 0;
	}
	return -1;
}

/* Selector address: the prefix with its host bits cleared. */
static int
net_of(const struct cfg_net *n, xfrm_address_t *a)
{
	size_t alen, i;
	uint8_t b[16];
	unsigned bits;

	memset(a, 0, sizeof(*a));
	if (n->family == AF_INET)
		alen = 4;
	else if (n->family == AF_INET6)
		alen = 16;
	else
		return -1;
	if (n->prefix > 8 * alen)
		return -1;
	for (i = 0; i < alen; i++) {
		bits = n->prefix > 8 * i ? n->prefix - 8 * i : 0;
		b[i] = bits >= 8 ? n->addr[i] : (uint8_t)(n->addr[i] & (0xff << (8 - bits)));
	}
	memcpy(a, b, alen);
	return 0;
}

/* Zeroes buf, writes the netlink header and the fixed part; NULL if cap is short. */
static struct nlmsghdr *
msg_start(void *buf, size_t cap, uint16_t type, uint16_t flags, uint32_t seq,
    const void *fixed, size_t fixedlen)
{
	struct nlmsghdr *nlh;
	void *p;

	if (cap < MNL_NLMSG_HDRLEN + MNL_ALIGN(fixedlen))
		return NULL;
	memset(buf, 0, cap);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	p = mnl_nlmsg_put_extra_header(nlh, fixedlen);
	memcpy(p, fixed, fixedlen);
	return nlh;
}

static int
put(struct nlmsghdr *nlh, size_t cap, uint16_t type, size_t len, const void *data)
{
	return mnl_attr_put_check(nlh, cap, type, len, data) ? 0 : -1;
}

static int
put_mark(struct nlmsghdr *nlh, size_t cap, const struct xfrm_mark_cfg *m)
{
	struct xfrm_mark xm;

	if (m->mask == 0)
		return 0;
	xm.v = m->value;
	xm.m = m->mask;
	return put(nlh, cap, XFRMA_MARK, sizeof(xm), &xm);
}

static uint64_t
limit(uint64_t v)
{
	return v ? v : XFRM_INF;
}

/* An algorithm attribute: the fixed header (name, bit lengths) then the key. */
static int
put_alg(struct nlmsghdr *nlh, size_t cap, uint16_t type, const char *name, unsigned extra_bits,
    const uint8_t *key, size_t keylen)
{
	/* Header of struct xfrm_algo_aead / xfrm_algo_auth / xfrm_algo; the
	   three share name and key length, the first two add one u32. */
	uint8_t a[sizeof(struct xfrm_algo_auth) + KERNEL_KEY_MAX];
	struct xfrm_algo_auth h;	/* same layout as xfrm_algo_aead */
	size_t hlen = type == XFRMA_ALG_CRYPT ? sizeof(struct xfrm_algo) : sizeof(h);
	int r;

	if (keylen > KERNEL_KEY_MAX || strlen(name) >= sizeof(h.alg_name))
		return -1;
	memset(&h, 0, sizeof(h));
	memcpy(h.alg_name, name, strlen(name));
	h.alg_key_len = (unsigned)(keylen * 8);
	h.alg_trunc_len = extra_bits;
	memcpy(a, &h, hlen);
	memcpy(a + hlen, key, keylen);
	r = put(nlh, cap, type, hlen + keylen, a);
	explicit_bzero(a, sizeof(a));
	return r;
}

size_t
xfrm_msg_newsa(void *buf, size_t cap, uint32_t seq, int update, const struct xfrm_sa *sa,
    char *err, size_t errlen)
{
	struct xfrm_usersa_info info;
	struct xfrm_algs algs;
	struct nlmsghdr *nlh;
	uint16_t sport = 0, dport = 0;
	int esn_form;

	if (xfrm_algs_lookup(sa->encr, sa->integ, &algs) == -1) {
		snprintf(err, errlen, "no kernel algorithm for ENCR %u / INTEG %u", sa->encr,
		    sa->integ);
		return 0;
	}
	if (sa->src.ss_family != sa->dst.ss_family) {
		snprintf(err, errlen, "SA endpoints of different address families");
		return 0;
	}
	if ((algs.aead && sa->int_keylen) || (!algs.aead && sa->int_key == NULL) ||
	    sa->enc_keylen == 0) {
		snprintf(err, errlen, "keys do not fit the algorithms");
		return 0;
	}
	memset(&info, 0, sizeof(info));
	if (addr_of(&sa->dst, &info.id.daddr, &dport) == -1 ||
	    addr_of(&sa->src, &info.saddr, &sport) == -1) {
		snprintf(err, errlen, "SA endpoint is not IPv4 or IPv6");
		return 0;
	}
	info.id.spi = htonl(sa->spi);
	info.id.proto = IPPROTO_ESP;
	info.family = sa->src.ss_family;
	info.mode = XFRM_MODE_TUNNEL;
	info.reqid = sa->reqid;
	/* Tunnel mode: no selector on the SA, inner traffic of either family. */
	info.flags = XFRM_STATE_AF_UNSPEC;
	if (sa->esn)
		info.flags |= XFRM_STATE_ESN;
	if (sa->carry && sa->carry->replay_len) {
		esn_form = sa->carry->replay_type == XFRMA_REPLAY_ESN_VAL;
		if (sa->esn && !esn_form) {
			snprintf(err, errlen, "replay state does not match the ESN setting");
			return 0;
		}
	} else
		esn_form = sa->esn;
	/* The kernel wants the window in one place only: the long form when
	   XFRMA_REPLAY_ESN_VAL is sent, the u8 field otherwise. */
	if (!esn_form)
		info.replay_window = XFRM_REPLAY_WINDOW;
	info.lft.soft_byte_limit = limit(sa->soft_bytes);
	info.lft.hard_byte_limit = limit(sa->hard_bytes);
	info.lft.soft_packet_limit = limit(sa->soft_packets);
	info.lft.hard_packet_limit = limit(sa->hard_packets);
	/* Time limits stay 0 (none): the engine rekeys and expires by time. */

	if ((nlh = msg_start(buf, cap, update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA,
	    NLM_F_REQUEST | NLM_F_ACK, seq, &info, sizeof(info))) == NULL)
		goto short_buf;
	if (algs.aead) {
		if (put_alg(nlh, cap, XFRMA_ALG_AEAD, algs.enc_name, algs.icv_bits, sa->enc_key,
		    sa->enc_keylen) == -1)
			goto short_buf;
	} else {
		if (put_alg(nlh, cap, XFRMA_ALG_CRYPT, algs.enc_name, 0, sa->enc_key,
		    sa->enc_keylen) == -1 ||
		    put_alg(nlh, cap, XFRMA_ALG_AUTH_TRUNC, algs.auth_name, algs.trunc_bits,
		    sa->int_key, sa->int_keylen) == -1)
			goto short_buf;
	}
	if (sa->encap) {
		struct xfrm_encap_tmpl et;

		/* RFC 3948: ESP in UDP between the current outer ports. */
		memset(&et, 0, sizeof(et));
		et.encap_type = UDP_ENCAP_ESPINUDP;
		et.encap_sport = sport;
		et.encap_dport = dport;
		if (put(nlh, cap, XFRMA_ENCAP, sizeof(et), &et) == -1)
			goto short_buf;
	}
	if (put_mark(nlh, cap, &sa->mark) == -1)
		goto short_buf;
	if (sa->carry && sa->carry->replay_len) {
		if (put(nlh, cap, sa->carry->replay_type, sa->carry->replay_len,
		    sa->carry->replay) == -1)
			goto short_buf;
	} else if (sa->esn) {
		struct xfrm_replay_state_esn rs;
		uint8_t b[sizeof(rs) + XFRM_REPLAY_WINDOW_ESN / 8];

		memset(&rs, 0, sizeof(rs));
		rs.bmp_len = XFRM_REPLAY_WINDOW_ESN / 32;	/* in u32 words */
		rs.replay_window = XFRM_REPLAY_WINDOW_ESN;
		memset(b, 0, sizeof(b));
		memcpy(b, &rs, sizeof(rs));
		if (put(nlh, cap, XFRMA_REPLAY_ESN_VAL, sizeof(b), b) == -1)
			goto short_buf;
	}
	if (sa->carry) {
		struct xfrm_lifetime_cur cur;

		/* Counters (and with them byte/packet lifetimes) go on. */
		memset(&cur, 0, sizeof(cur));
		cur.bytes = sa->carry->bytes;
		cur.packets = sa->carry->packets;
		cur.add_time = sa->carry->add_time;
		cur.use_time = sa->carry->use_time;
		if (put(nlh, cap, XFRMA_LTIME_VAL, sizeof(cur), &cur) == -1)
			goto short_buf;
	}
	return nlh->nlmsg_len;

short_buf:
	explicit_bzero(buf, cap);
	snprintf(err, errlen, "netlink message too large");
	return 0;
}

size_t
xfrm_msg_sa_id(void *buf, size_t cap, uint32_t seq, int del, const struct sockaddr_storage *dst,
    uint32_t spi, const struct xfrm_mark_cfg *mark)
{
	struct xfrm_usersa_id id;
	struct nlmsghdr *nlh;

	memset(&id, 0, sizeof(id));
	if (addr_of(dst, &id.daddr, NULL) == -1)
		return 0;
	id.spi = htonl(spi);
	id.family = dst->ss_family;
	id.proto = IPPROTO_ESP;
	if ((nlh = msg_start(buf, cap, del ? XFRM_MSG_DELSA : XFRM_MSG_GETSA,
	    del ? NLM_F_REQUEST | NLM_F_ACK : NLM_F_REQUEST, seq, &id, sizeof(id))) == NULL)
		return 0;
	if (mark && put_mark(nlh, cap, mark) == -1)
		return 0;
	return nlh->nlmsg_len;
}

static int
selector(const struct xfrm_pol *p, struct xfrm_selector *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (p->src.family != p->dst.family || net_of(&p->src, &sel->saddr) == -1 ||
	    net_of(&p->dst, &sel->daddr) == -1)
		return -1;
	sel->family = (uint16_t)p->src.family;
	sel->prefixlen_s = p->src.prefix;
	sel->prefixlen_d = p->dst.prefix;
	/* proto 0, ports and masks 0: any protocol, any port. */
	return 0;
}

size_t
xfrm_msg_newpolicy(void *buf, size_t cap, uint32_t seq, int update, const struct xfrm_pol *p)
{
	struct xfrm_userpolicy_info info;
	struct xfrm_user_tmpl t;
	struct nlmsghdr *nlh;

	memset(&info, 0, sizeof(info));
	memset(&t, 0, sizeof(t));
	if (selector(p, &info.sel) == -1 || p->tmpl_src.ss_family != p->tmpl_dst.ss_family ||
	    addr_of(&p->tmpl_src, &t.saddr, NULL) == -1 ||
	    addr_of(&p->tmpl_dst, &t.id.daddr, NULL) == -1)
		return 0;
	info.lft.soft_byte_limit = XFRM_INF;
	info.lft.hard_byte_limit = XFRM_INF;
	info.lft.soft_packet_limit = XFRM_INF;
	info.lft.hard_packet_limit = XFRM_INF;
	info.priority = p->priority;
	info.dir = (uint8_t)p->dir;
	info.action = XFRM_POLICY_ALLOW;
	info.share = XFRM_SHARE_ANY;

	t.id.proto = IPPROTO_ESP;	/* SPI 0: any SA of this reqid */
	t.family = p->tmpl_src.ss_family;
	t.reqid = p->reqid;
	t.mode = XFRM_MODE_TUNNEL;
	t.share = XFRM_SHARE_ANY;
	t.aalgos = ~0u;
	t.ealgos = ~0u;
	t.calgos = ~0u;

	if ((nlh = msg_start(buf, cap, update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY,
	    NLM_F_REQUEST | NLM_F_ACK, seq, &info, sizeof(info))) == NULL ||
	    put(nlh, cap, XFRMA_TMPL, sizeof(t), &t) == -1 || put_mark(nlh, cap, &p->mark) == -1)
		return 0;
	return nlh->nlmsg_len;
}

size_t
xfrm_msg_delpolicy(void *buf, size_t cap, uint32_t seq, const struct xfrm_pol *p)
{
	struct xfrm_userpolicy_id id;
	struct nlmsghdr *nlh;

	memset(&id, 0, sizeof(id));
	if (selector(p, &id.sel) == -1)
		return 0;
	id.dir = (uint8_t)p->dir;
	if ((nlh = msg_start(buf, cap, XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK, seq, &id,
	    sizeof(id))) == NULL || put_mark(nlh, cap, &p->mark) == -1)
		return 0;
	return nlh->nlmsg_len;
}

/* ---------------------------------------------------------------- parsing */

int
xfrm_msg_next(const uint8_t *buf, size_t len, size_t *off, uint16_t *type, uint16_t *flags,
    uint32_t *seq, const uint8_t **payload, size_t *plen)
{
	struct nlmsghdr h;
	size_t left, step;

	if (*off >= len)
		return 0;
	left = len - *off;
	if (left < sizeof(h))
		return -1;
	memcpy(&h, buf + *off, sizeof(h));
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > left)
		return -1;
	*type = h.nlmsg_type;
	*flags = h.nlmsg_flags;
	*seq = h.nlmsg_seq;
	*payload = buf + *off + sizeof(h);
	*plen = h.nlmsg_len - sizeof(h);
	step = NLMSG_ALIGN(h.nlmsg_len);
	*off += step < left ? step : left;
	return 1;
}

/* One attribute at *off of a block of len bytes: 1, 0 at the end, -1 if bad. */
static int
attr_next(const uint8_t *p, size_t len, size_t *off, uint16_t *type, const uint8_t **data,
    size_t *dlen)
{
	struct nlattr a;
	size_t left, step;

	if (*off >= len)
		return 0;
	left = len - *off;
	if (left < sizeof(a))
		return -1;
	memcpy(&a, p + *off, sizeof(a));
	if (a.nla_len < sizeof(a) || a.nla_len > left)
		return -1;
	*type = a.nla_type & NLA_TYPE_MASK;
	*data = p + *off + sizeof(a);
	*dlen = a.nla_len - sizeof(a);
	step = NLA_ALIGN(a.nla_len);
	*off += step < left ? step : left;
	return 1;
}

int
xfrm_msg_parse_error(const uint8_t *payload, size_t plen, uint16_t flags, int *error, char *ext,
    size_t extlen)
{
	struct nlmsghdr orig;
	const uint8_t *data;
	size_t off, dlen, i, n;
	uint16_t type;
	int32_t e;
	int r;

	if (extlen)
		ext[0] = '\0';
	if (plen < sizeof(e) + sizeof(orig))
		return -1;
	memcpy(&e, payload, sizeof(e));
	memcpy(&orig, payload + sizeof(e), sizeof(orig));
	*error = e < 0 ? -e : e;
	if (!(flags & NLM_F_ACK_TLVS))
		return 0;
	/* The request comes back whole unless NETLINK_CAP_ACK capped it. */
	off = sizeof(e) + sizeof(orig);
	if (!(flags & NLM_F_CAPPED)) {
		if (orig.nlmsg_len < sizeof(orig))
			return -1;
		off += NLMSG_ALIGN(orig.nlmsg_len - sizeof(orig));
	}
	if (off > plen)
		return -1;
	while ((r = attr_next(payload, plen, &off, &type, &data, &dlen)) == 1) {
		if (type != NLMSGERR_ATTR_MSG || extlen == 0)
			continue;
		for (i = 0, n = 0; i < dlen && data[i] != '\0' && n + 1 < extlen; i++)
			ext[n++] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '?';
		ext[n] = '\0';
	}
	return r;
}

int
xfrm_msg_parse_sa(const uint8_t *payload, size_t plen, struct xfrm_sa_state *out)
{
	struct xfrm_usersa_info info;
	const uint8_t *data;
	size_t off, dlen;
	uint16_t type;
	int r;

	memset(out, 0, sizeof(*out));
	if (plen < sizeof(info))
		return -1;
	memcpy(&info, payload, sizeof(info));
	out->spi = ntohl(info.id.spi);
	out->family = info.family;
	out->reqid = info.reqid;
	out->bytes = info.curlft.bytes;
	out->packets = info.curlft.packets;
	out->add_time = info.curlft.add_time;
	out->use_time = info.curlft.use_time;
	out->esn = (info.flags & XFRM_STATE_ESN) != 0;
	off = NLMSG_ALIGN(sizeof(info));
	while ((r = attr_next(payload, plen, &off, &type, &data, &dlen)) == 1) {
		if (type == XFRMA_REPLAY_VAL) {
			struct xfrm_replay_state rs;

			if (dlen < sizeof(rs))
				return -1;
			memcpy(&rs, data, sizeof(rs));
			memcpy(out->replay, &rs, sizeof(rs));
			out->replay_type = XFRMA_REPLAY_VAL;
			out->replay_len = sizeof(rs);
			out->oseq = rs.oseq;
			out->oseq_hi = 0;
		} else if (type == XFRMA_REPLAY_ESN_VAL) {
			struct xfrm_replay_state_esn rs;

			if (dlen < sizeof(rs))
				return -1;
			memcpy(&rs, data, sizeof(rs));
			if (rs.bmp_len > (XFRM_REPLAY_MAX - sizeof(rs)) / 4 ||
			    dlen < sizeof(rs) + (size_t)rs.bmp_len * 4)
				return -1;
			out->replay_type = XFRMA_REPLAY_ESN_VAL;
			out->replay_len = sizeof(rs) + (size_t)rs.bmp_len * 4;
			memcpy(out->replay, data, out->replay_len);
			out->oseq = rs.oseq;
			out->oseq_hi = rs.oseq_hi;
		}
	}
	if (r == -1)
		return -1;
	/* An ESN SA always keeps the long form. */
	if (out->esn && out->replay_len && out->replay_type != XFRMA_REPLAY_ESN_VAL)
		return -1;
	return 0;
}

void
xfrm_sa_state_skip(struct xfrm_sa_state *st, uint32_t n)
{
	if (st->replay_type == XFRMA_REPLAY_VAL && st->replay_len >= sizeof(struct xfrm_replay_state)) {
		struct xfrm_replay_state rs;

		memcpy(&rs, st->replay, sizeof(rs));
		rs.oseq = rs.oseq > UINT32_MAX - n ? UINT32_MAX : rs.oseq + n;
		memcpy(st->replay, &rs, sizeof(rs));
		st->oseq = rs.oseq;
	} else if (st->replay_type == XFRMA_REPLAY_ESN_VAL &&
	    st->replay_len >= sizeof(struct xfrm_replay_state_esn)) {
		struct xfrm_replay_state_esn rs;

		memcpy(&rs, st->replay, sizeof(rs));
		if (rs.oseq <= UINT32_MAX - n)
			rs.oseq += n;
		else if (st->esn && rs.oseq_hi < UINT32_MAX) {
			rs.oseq = n - (UINT32_MAX - rs.oseq) - 1;	/* wraps into the next 2^32 */
			rs.oseq_hi++;
		} else
			rs.oseq = UINT32_MAX;
		memcpy(st->replay, &rs, sizeof(rs));
		st->oseq = rs.oseq;
		st->oseq_hi = rs.oseq_hi;
	}
}
