/*
 * xfrm — the "xfrm" kernel backend: CHILD SAs as Linux kernel ESP SAs and
 * policies, configured over NETLINK_XFRM (see xfrm.h for what is installed;
 * the messages are built in xfrm_msg.c).
 *
 * Requests are synchronous: one message, then its answer (an ack, an error
 * with the kernel's extended message, or the reply), with a receive timeout
 * so a stuck kernel cannot hang the event loop for good.
 *
 * Policies are per selector pair.  Two CHILD SAs may want the same pair (a
 * client that reconnects before its old IKE SA is gone gets the same
 * virtual address): the newer one replaces the policy (UPDPOLICY) and owns
 * it; when the owner goes, the policy passes back to the other CHILD SA
 * that still wants it, and is removed only when nobody does.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <libmnl/libmnl.h>

#include "xfrm.h"
#include "engine/engine.h"
#include "engine/ike/names.h"

#define NL_TIMEOUT_SEC	3
#define NL_RXBUF	16384

struct xfrm_nl {
	struct mnl_socket *sock;
	uint32_t	 seq;
	xfrm_fake_fn	*fake;		/* tests: answers instead of the kernel */
	void		*fake_arg;
	size_t		 fake_len;	/* its pending answer */
	union {
		struct nlmsghdr	 h;
		uint8_t		 b[NL_RXBUF];
	} rx;
};

/* A request buffer aligned for struct nlmsghdr. */
union nl_buf {
	struct nlmsghdr	 h;
	uint64_t	 align;
	uint8_t		 b[XFRM_MSG_BUFSIZE];
};

/* ---------------------------------------------------------------- socket */

struct xfrm_nl *
xfrm_nl_open(char *err, size_t errlen)
{
	struct xfrm_nl *nl;
	struct timeval tv = { NL_TIMEOUT_SEC, 0 };
	int on = 1;

	if ((nl = calloc(1, sizeof(*nl))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((nl->sock = mnl_socket_open(NETLINK_XFRM)) == NULL) {
		int e = errno;

		if (e == EPROTONOSUPPORT)
			snprintf(err, errlen, "this kernel has no XFRM netlink interface"
			    " (CONFIG_XFRM_USER); use the \"tun\" kernel backend");
		else
			snprintf(err, errlen, "netlink XFRM socket: %s", strerror(e));
		free(nl);
		return NULL;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) == -1) {
		snprintf(err, errlen, "netlink XFRM bind: %s", strerror(errno));
		xfrm_nl_close(nl);
		return NULL;
	}
	/* Errors with the kernel's own words, without our request echoed. */
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &on, sizeof(on));
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &on, sizeof(on));
	(void)setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ike_random(&nl->seq, sizeof(nl->seq));
	return nl;
}

struct xfrm_nl *
xfrm_nl_fake(xfrm_fake_fn *fn, void *arg)
{
	struct xfrm_nl *nl;

	if ((nl = calloc(1, sizeof(*nl))) == NULL)
		return NULL;
	nl->fake = fn;
	nl->fake_arg = arg;
	nl->seq = 1000;
	return nl;
}

void
xfrm_nl_close(struct xfrm_nl *nl)
{
	if (nl == NULL)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	explicit_bzero(nl, sizeof(*nl));
	free(nl);
}

static uint32_t
nl_seq(struct xfrm_nl *nl)
{
	return ++nl->seq;
}

/*
 * Sends the request in buf (len bytes, its sequence number inside) and
 * waits for the answer: an NLMSG_ERROR (0 = ack), or with reply != NULL an
 * XFRM_MSG_NEWSA parsed into *reply.  0, or -1 with *kerr the errno and ext
 * the kernel's message (possibly "").  buf is wiped: it may hold keys.
 */
static int
nl_request(struct xfrm_nl *nl, void *buf, size_t len, struct xfrm_sa_state *reply, int *kerr,
    char *ext, size_t extlen)
{
	struct nlmsghdr req;
	struct sockaddr_nl from;
	socklen_t fromlen;
	const uint8_t *pl;
	size_t off, plen;
	uint32_t seq;
	uint16_t type, flags;
	ssize_t n;
	int r, e;

	if (extlen)
		ext[0] = '\0';
	*kerr = 0;
	memcpy(&req, buf, sizeof(req));
	if (nl->fake) {
		nl->fake_len = nl->fake(nl->fake_arg, buf, len, nl->rx.b, sizeof(nl->rx.b));
		n = (ssize_t)len;
	} else
		n = mnl_socket_sendto(nl->sock, buf, len);
	e = errno;
	explicit_bzero(buf, len);
	if (n < 0 || (size_t)n != len) {
		*kerr = n < 0 ? e : EMSGSIZE;
		return -1;
	}
	for (;;) {
		if (nl->fake) {
			if ((n = (ssize_t)nl->fake_len) == 0) {
				*kerr = ETIMEDOUT;
				return -1;
			}
			nl->fake_len = 0;
		} else {
			fromlen = sizeof(from);
			memset(&from, 0, sizeof(from));
			n = recvfrom(mnl_socket_get_fd(nl->sock), nl->rx.b, sizeof(nl->rx.b), 0,
			    (struct sockaddr *)&from, &fromlen);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				*kerr = errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT :
				    errno;
				return -1;
			}
			if (from.nl_pid != 0)
				continue;	/* only the kernel answers */
		}
		off = 0;
		while ((r = xfrm_msg_next(nl->rx.b, (size_t)n, &off, &type, &flags, &seq, &pl,
		    &plen)) == 1) {
			if (seq != req.nlmsg_seq)
				continue;	/* an answer to an earlier, timed-out request */
			if (type == NLMSG_ERROR) {
				if (xfrm_msg_parse_error(pl, plen, flags, &e, ext, extlen) == -1) {
					*kerr = EBADMSG;
					return -1;
				}
				*kerr = e;
				return e ? -1 : 0;
			}
			if (type == XFRM_MSG_NEWSA && reply) {
				if (xfrm_msg_parse_sa(pl, plen, reply) == -1) {
					*kerr = EBADMSG;
					return -1;
				}
				if (!(req.nlmsg_flags & NLM_F_ACK))
					return 0;
			}
		}
		if (r == -1) {
			*kerr = EBADMSG;
			return -1;
		}
	}
}

/* ---------------------------------------------------------------- messages for people */

/* "what: strerror (kernel: ext)[ — hint]" */
static void
kerr_msg(char *err, size_t errlen, const char *what, int e, const char *ext, const char *hint)
{
	snprintf(err, errlen, "%s: %s%s%s%s%s%s", what, strerror(e), ext[0] ? " (kernel: " : "",
	    ext, ext[0] ? ")" : "", hint ? " — " : "", hint ? hint : "");
}

/* What to do about a refused SA. */
static const char *
sa_hint(int e, int family, const char *alg, char *buf, size_t len)
{
	switch (e) {
	case EPROTONOSUPPORT:
		snprintf(buf, len, "this kernel has no ESP (%s); use the \"tun\" kernel backend",
		    family == AF_INET6 ? "CONFIG_INET6_ESP" : "CONFIG_INET_ESP");
		return buf;
	case ENOSYS:
	case ENOENT:
		snprintf(buf, len, "this kernel lacks the algorithm %s (see /proc/crypto);"
		    " choose another ESP proposal or the \"tun\" kernel backend", alg);
		return buf;
	case EPERM:
		return "ikegwd needs CAP_NET_ADMIN for the \"xfrm\" kernel backend";
	case EEXIST:
		return "an SA with this SPI and destination is already installed";
	default:
		return NULL;
	}
}

/* ---------------------------------------------------------------- SAs */

/* Sends sa: 0, or -1 with *kerr the kernel's errno and ext its words
   (*kerr 0: the request could not be built, err says why). */
static int
sa_send(struct xfrm_nl *nl, const struct xfrm_sa *sa, int *kerr, char *ext, size_t extlen,
    char *err, size_t errlen)
{
	union nl_buf buf;
	size_t len;

	*kerr = 0;
	if ((len = xfrm_msg_newsa(buf.b, sizeof(buf.b), nl_seq(nl), 0, sa, err, errlen)) == 0)
		return -1;
	return nl_request(nl, buf.b, len, NULL, kerr, ext, extlen);
}

/*
 * "what: strerror — advice".  The kernel's own words go in when there is
 * no advice, or with_ext: CHILD SA errors end up in the engine's short
 * log buffers, where the advice matters more.
 */
static void
sa_refused(char *err, size_t errlen, const char *what, const struct xfrm_sa *sa, int e,
    const char *ext, int with_ext)
{
	struct xfrm_algs algs;
	const char *hint;
	char hbuf[320], alg[160];

	if (xfrm_algs_lookup(sa->encr, sa->integ, &algs) == 0 && algs.auth_name)
		snprintf(alg, sizeof(alg), "%s or %s", algs.enc_name, algs.auth_name);
	else
		snprintf(alg, sizeof(alg), "%s", algs.enc_name ? algs.enc_name : "?");
	hint = sa_hint(e, sa->dst.ss_family, alg, hbuf, sizeof(hbuf));
	kerr_msg(err, errlen, what, e, hint && !with_ext ? "" : ext, hint);
}

int
xfrm_nl_sa_install(struct xfrm_nl *nl, const struct xfrm_sa *sa, int inbound, int *kerr,
    char *err, size_t errlen)
{
	char ext[256], what[64];

	if (sa_send(nl, sa, kerr, ext, sizeof(ext), err, errlen) == 0)
		return 0;
	if (*kerr == 0)
		return -1;
	snprintf(what, sizeof(what), "kernel refused the %s ESP SA %08x",
	    inbound ? "inbound" : "outbound", sa->spi);
	sa_refused(err, errlen, what, sa, *kerr, ext, 0);
	return -1;
}

int
xfrm_nl_sa_del(struct xfrm_nl *nl, const struct sockaddr_storage *dst, uint32_t spi,
    const struct xfrm_mark_cfg *mark, char *err, size_t errlen)
{
	union nl_buf buf;
	char ext[256];
	size_t len;
	int e;

	if ((len = xfrm_msg_sa_id(buf.b, sizeof(buf.b), nl_seq(nl), 1, dst, spi, mark)) == 0) {
		snprintf(err, errlen, "cannot build DELSA");
		return -1;
	}
	if (nl_request(nl, buf.b, len, NULL, &e, ext, sizeof(ext)) == 0 || e == ESRCH)
		return 0;
	kerr_msg(err, errlen, "kernel refused to remove an ESP SA", e, ext, NULL);
	return -1;
}

int
xfrm_nl_sa_get(struct xfrm_nl *nl, const struct sockaddr_storage *dst, uint32_t spi,
    const struct xfrm_mark_cfg *mark, struct xfrm_sa_state *st, int *kerr, char *err,
    size_t errlen)
{
	union nl_buf buf;
	char ext[256];
	size_t len;
	int e;

	if (kerr)
		*kerr = 0;
	if ((len = xfrm_msg_sa_id(buf.b, sizeof(buf.b), nl_seq(nl), 0, dst, spi, mark)) == 0) {
		snprintf(err, errlen, "cannot build GETSA");
		return -1;
	}
	memset(st, 0, sizeof(*st));
	if (nl_request(nl, buf.b, len, st, &e, ext, sizeof(ext)) == 0 && st->spi == spi)
		return 0;
	if (e == 0)
		e = ESRCH;	/* answered, but about another SA */
	if (kerr)
		*kerr = e;
	kerr_msg(err, errlen, "cannot read the ESP SA", e, ext, NULL);
	return -1;
}

int
xfrm_nl_sa_add(struct xfrm_nl *nl, const struct kernel_child *c, int inbound,
    const struct xfrm_mark_cfg *mark, char *err, size_t errlen)
{
	struct xfrm_sa sa;
	int e;

	xfrm_sa_from_child(c, inbound, mark, &sa);
	return xfrm_nl_sa_install(nl, &sa, inbound, &e, err, errlen);
}

int
xfrm_nl_probe_esp(struct xfrm_nl *nl, char *err, size_t errlen)
{
	struct sockaddr_in lo;
	struct xfrm_sa sa;
	uint8_t key[16 + 32];
	char why[400], ext[256];
	int tries, e, r = -1;

	memset(&lo, 0, sizeof(lo));
	lo.sin_family = AF_INET;
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&sa, 0, sizeof(sa));
	memcpy(&sa.src, &lo, sizeof(lo));
	memcpy(&sa.dst, &lo, sizeof(lo));
	/* Algorithms any kernel with ESP has. */
	sa.encr = IKE_ENCR_AES_CBC;
	sa.encr_bits = 128;
	sa.integ = IKE_INTEG_HMAC_SHA2_256_128;
	ike_random(key, sizeof(key));
	sa.enc_key = key;
	sa.enc_keylen = 16;
	sa.int_key = key + 16;
	sa.int_keylen = 32;
	for (tries = 0; tries < 4; tries++) {
		do
			ike_random(&sa.spi, sizeof(sa.spi));
		while (sa.spi < 256);
		if ((r = sa_send(nl, &sa, &e, ext, sizeof(ext), err, errlen)) == 0 || e != EEXIST)
			break;	/* only an SPI clash is worth another try */
	}
	explicit_bzero(key, sizeof(key));
	if (r == -1) {
		if (e)
			sa_refused(err, errlen, "the kernel refused a test ESP SA", &sa, e, ext, 1);
		return -1;
	}
	if (xfrm_nl_sa_del(nl, &sa.dst, sa.spi, &sa.mark, why, sizeof(why)) == -1)
		log_warn("xfrm: the test ESP SA %08x stays: %s", sa.spi, why);
	return 0;
}

/* ---------------------------------------------------------------- policies */

static int
pol_send(struct xfrm_nl *nl, const struct xfrm_pol *p, int del, char *err, size_t errlen)
{
	static const char *const dirs[] = { "in", "out", "fwd" };
	union nl_buf buf;
	char ext[256], what[200], s[64], d[64];
	size_t len;
	int e;

	len = del ? xfrm_msg_delpolicy(buf.b, sizeof(buf.b), nl_seq(nl), p) :
	    xfrm_msg_newpolicy(buf.b, sizeof(buf.b), nl_seq(nl), 1, p);
	if (len == 0) {
		snprintf(err, errlen, "cannot build a policy message");
		return -1;
	}
	if (nl_request(nl, buf.b, len, NULL, &e, ext, sizeof(ext)) == 0 || (del && e == ENOENT))
		return 0;
	cfg_net_str(&p->src, s, sizeof(s));
	cfg_net_str(&p->dst, d, sizeof(d));
	snprintf(what, sizeof(what), "kernel refused to %s the policy %s === %s dir %s",
	    del ? "remove" : "install", s, d, p->dir >= 0 && p->dir < 3 ? dirs[p->dir] : "?");
	kerr_msg(err, errlen, what, e, ext, e == EPERM ?
	    "ikegwd needs CAP_NET_ADMIN for the \"xfrm\" kernel backend" : NULL);
	return -1;
}

/* The three policies of pair (i, j).  On failure, with undo the ones
   already sent are deleted again.  0, -1, or 1 when the pair has nothing
   to install (families differ). */
static int
pair_install(struct xfrm_nl *nl, const struct kernel_child *c, size_t i, size_t j,
    const struct xfrm_mark_cfg *mark, int undo, char *err, size_t errlen)
{
	struct xfrm_pol pol[3];
	char dummy[8];
	size_t k, m;

	if (xfrm_pols_from_child(c, i, j, mark, pol) == 0)
		return 1;
	for (k = 0; k < 3; k++) {
		if (pol_send(nl, &pol[k], 0, err, errlen) == -1) {
			for (m = 0; undo && m < k; m++)
				(void)pol_send(nl, &pol[m], 1, dummy, sizeof(dummy));
			return -1;
		}
	}
	return 0;
}

static int
pair_remove(struct xfrm_nl *nl, const struct kernel_child *c, size_t i, size_t j,
    const struct xfrm_mark_cfg *mark, char *err, size_t errlen)
{
	struct xfrm_pol pol[3];
	char later[8];
	size_t k;
	int r = 0;

	if (xfrm_pols_from_child(c, i, j, mark, pol) == 0)
		return 0;
	/* All three go; the first failure is the one reported. */
	for (k = 0; k < 3; k++)
		if (pol_send(nl, &pol[k], 1, r ? later : err, r ? sizeof(later) : errlen) == -1)
			r = -1;
	return r;
}

int
xfrm_nl_policies_add(struct xfrm_nl *nl, const struct kernel_child *c,
    const struct xfrm_mark_cfg *mark, char *err, size_t errlen)
{
	char dummy[8];
	size_t i, j, i2, j2;

	for (i = 0; i < c->nts_local; i++) {
		for (j = 0; j < c->nts_remote; j++) {
			if (pair_install(nl, c, i, j, mark, 1, err, errlen) != -1)
				continue;
			/* Undo every pair before (i, j). */
			for (i2 = 0; i2 <= i; i2++)
				for (j2 = 0; j2 < (i2 < i ? c->nts_remote : j); j2++)
					(void)pair_remove(nl, c, i2, j2, mark, dummy,
					    sizeof(dummy));
			return -1;
		}
	}
	return 0;
}

int
xfrm_nl_policies_del(struct xfrm_nl *nl, const struct kernel_child *c,
    const struct xfrm_mark_cfg *mark, char *err, size_t errlen)
{
	char dummy[8];
	size_t i, j;
	int r = 0;

	for (i = 0; i < c->nts_local; i++)
		for (j = 0; j < c->nts_remote; j++)
			if (pair_remove(nl, c, i, j, mark, r ? dummy : err,
			    r ? sizeof(dummy) : errlen) == -1)
				r = -1;
	return r;
}

/* ---------------------------------------------------------------- the backend */

struct xfrm_child {
	struct xfrm_child *next;
	struct kernel_child c;		/* with keys: update() adds the SAs anew */
	/* owned[i][j]: the kernel's policies for this pair are ours */
	uint8_t		 owned[KERNEL_MAX_TS][KERNEL_MAX_TS];
	int		 expired;	/* the kernel removed an SA (logged once) */
};

struct xfrm_priv {
	struct xfrm_nl	*nl;
	struct xfrm_mark_cfg mark;	/* none for now; see docs/dataplane.md */
	struct xfrm_child *children;	/* newest first */
};

static int
net_same(const struct cfg_net *a, const struct cfg_net *b)
{
	size_t alen = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && a->prefix == b->prefix &&
	    memcmp(a->addr, b->addr, alen) == 0;
}

static int
pair_same(const struct kernel_child *a, size_t i, size_t j, const struct kernel_child *b,
    size_t i2, size_t j2)
{
	return net_same(&a->ts_local[i], &b->ts_local[i2]) &&
	    net_same(&a->ts_remote[j], &b->ts_remote[j2]);
}

/* The newest other CHILD SA that wants pair (i, j) of x; NULL if none. */
static struct xfrm_child *
pair_heir(struct xfrm_priv *p, const struct xfrm_child *x, size_t i, size_t j, size_t *pi,
    size_t *pj)
{
	struct xfrm_child *o;
	size_t a, b;

	for (o = p->children; o; o = o->next) {
		if (o == x)
			continue;
		for (a = 0; a < o->c.nts_local; a++)
			for (b = 0; b < o->c.nts_remote; b++)
				if (pair_same(&x->c, i, j, &o->c, a, b)) {
					*pi = a;
					*pj = b;
					return o;
				}
	}
	return NULL;
}

/* Gives up x's policies: each goes to its heir, or out of the kernel. */
static int
policies_release(struct xfrm_priv *p, struct xfrm_child *x, char *err, size_t errlen)
{
	struct xfrm_child *h;
	char why[400];
	size_t i, j, hi, hj;
	int r = 0;

	for (i = 0; i < x->c.nts_local; i++) {
		for (j = 0; j < x->c.nts_remote; j++) {
			if (!x->owned[i][j])
				continue;
			x->owned[i][j] = 0;
			if ((h = pair_heir(p, x, i, j, &hi, &hj)) != NULL &&
			    pair_install(p->nl, &h->c, hi, hj, &p->mark, 1, why, sizeof(why)) == 0) {
				h->owned[hi][hj] = 1;
				continue;
			}
			if (pair_remove(p->nl, &x->c, i, j, &p->mark, why, sizeof(why)) == -1 &&
			    r == 0) {
				snprintf(err, errlen, "%s", why);
				r = -1;
			}
		}
	}
	return r;
}

/* The CHILD SA other than x that owns pair (i, j) of x; NULL if none. */
static struct xfrm_child *
pair_owner(struct xfrm_priv *p, const struct xfrm_child *x, size_t i, size_t j, size_t *pi,
    size_t *pj)
{
	struct xfrm_child *o;
	size_t a, b;

	for (o = p->children; o; o = o->next)
		if (o != x)
			for (a = 0; a < o->c.nts_local; a++)
				for (b = 0; b < o->c.nts_remote; b++)
					if (o->owned[a][b] && pair_same(&x->c, i, j, &o->c, a, b)) {
						*pi = a;
						*pj = b;
						return o;
					}
	return NULL;
}

/* Installs x's policies, taking over pairs other CHILD SAs own. */
static int
policies_take(struct xfrm_priv *p, struct xfrm_child *x, char *err, size_t errlen)
{
	struct xfrm_child *o;
	char why[400];
	size_t i, j, i2, j2, oi = 0, oj = 0;
	int r, dup;

	for (i = 0; i < x->c.nts_local; i++) {
		for (j = 0; j < x->c.nts_remote; j++) {
			/* The same pair twice in one CHILD SA: installed once. */
			dup = 0;
			for (i2 = 0; i2 <= i && !dup; i2++)
				for (j2 = 0; j2 < (i2 < i ? x->c.nts_remote : j) && !dup; j2++)
					dup = pair_same(&x->c, i, j, &x->c, i2, j2);
			if (dup)
				continue;
			o = pair_owner(p, x, i, j, &oi, &oj);
			r = pair_install(p->nl, &x->c, i, j, &p->mark, o == NULL, err, errlen);
			if (r == -1) {
				/* What was replaced goes back to its owner. */
				if (o && pair_install(p->nl, &o->c, oi, oj, &p->mark, 0, why,
				    sizeof(why)) == -1)
					log_msg(LOG_ERR, o->c.ike_sa_id, "xfrm: %s", why);
				return -1;
			}
			if (r == 1)
				continue;
			x->owned[i][j] = 1;
			if (o)
				o->owned[oi][oj] = 0;
		}
	}
	return 0;
}

static struct xfrm_child *
child_find(struct xfrm_priv *p, uint32_t spi_in, struct xfrm_child ***pp)
{
	struct xfrm_child **q, *x;

	for (q = &p->children; (x = *q) != NULL; q = &x->next) {
		if (x->c.spi_in == spi_in) {
			if (pp)
				*pp = q;
			return x;
		}
	}
	return NULL;
}

static void
child_free(struct xfrm_child *x)
{
	explicit_bzero(x, sizeof(*x));
	free(x);
}

static int
xfrm_add(struct kernel *k, const struct kernel_child *c, char *err, size_t errlen)
{
	struct xfrm_priv *p = k->priv;
	struct xfrm_child *x, **pp;
	char why[400];

	if (child_find(p, c->spi_in, NULL)) {
		snprintf(err, errlen, "SPI %08x already installed", c->spi_in);
		return -1;
	}
	if (c->local.ss_family != c->remote.ss_family) {
		snprintf(err, errlen, "outer addresses of different families");
		return -1;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->c = *c;
	/* SAs first, policies last: no window in which a policy asks for an
	   SA that is not there yet. */
	if (xfrm_nl_sa_add(p->nl, c, 1, &p->mark, err, errlen) == -1) {
		child_free(x);
		return -1;
	}
	if (xfrm_nl_sa_add(p->nl, c, 0, &p->mark, err, errlen) == -1) {
		(void)xfrm_nl_sa_del(p->nl, &c->local, c->spi_in, &p->mark, why, sizeof(why));
		child_free(x);
		return -1;
	}
	x->next = p->children;
	p->children = x;
	if (policies_take(p, x, err, errlen) == -1) {
		(void)policies_release(p, x, why, sizeof(why));
		(void)xfrm_nl_sa_del(p->nl, &c->remote, c->spi_out, &p->mark, why, sizeof(why));
		(void)xfrm_nl_sa_del(p->nl, &c->local, c->spi_in, &p->mark, why, sizeof(why));
		if (child_find(p, c->spi_in, &pp))
			*pp = x->next;
		child_free(x);
		return -1;
	}
	log_msg(LOG_DEBUG, c->ike_sa_id, "xfrm: SAs %08x/%08x and policies installed (reqid %u)",
	    c->spi_in, c->spi_out, c->reqid);
	return 0;
}

static int
xfrm_del(struct kernel *k, uint32_t spi_in)
{
	struct xfrm_priv *p = k->priv;
	struct xfrm_child *x, **pp;
	char why[400];
	int r = 0;

	if ((x = child_find(p, spi_in, &pp)) == NULL)
		return -1;
	if (policies_release(p, x, why, sizeof(why)) == -1) {
		log_msg(LOG_WARN, x->c.ike_sa_id, "xfrm: %s", why);
		r = -1;
	}
	if (xfrm_nl_sa_del(p->nl, &x->c.local, x->c.spi_in, &p->mark, why, sizeof(why)) == -1 ||
	    xfrm_nl_sa_del(p->nl, &x->c.remote, x->c.spi_out, &p->mark, why, sizeof(why)) == -1) {
		log_msg(LOG_WARN, x->c.ike_sa_id, "xfrm: %s", why);
		r = -1;
	}
	*pp = x->next;
	child_free(x);
	return r;
}

static void
set_addr(struct sockaddr_storage *ss, const struct sockaddr *sa)
{
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, sa, sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6));
}

/*
 * Moves one SA to new addresses/ports: the kernel keys SAs by destination
 * and cannot change their source or add encapsulation in place, so read
 * its counters and replay state, delete it, add it anew from there.
 */
static int
sa_move(struct xfrm_priv *p, const struct kernel_child *old, const struct kernel_child *nc,
    int inbound, char *err, size_t errlen)
{
	const struct sockaddr_storage *odst = inbound ? &old->local : &old->remote;
	uint32_t spi = inbound ? old->spi_in : old->spi_out;
	struct xfrm_sa_state st;
	struct xfrm_sa sa;
	char why[400];
	int e;

	if (xfrm_nl_sa_get(p->nl, odst, spi, &p->mark, &st, NULL, err, errlen) == -1)
		return -1;
	if (!inbound)
		xfrm_sa_state_skip(&st, XFRM_OSEQ_MARGIN);
	if (xfrm_nl_sa_del(p->nl, odst, spi, &p->mark, err, errlen) == -1)
		return -1;
	xfrm_sa_from_child(nc, inbound, &p->mark, &sa);
	sa.carry = &st;
	if (xfrm_nl_sa_install(p->nl, &sa, inbound, &e, err, errlen) == 0)
		return 0;
	/* Put the old one back, so the SA at least lives on where it was. */
	xfrm_sa_from_child(old, inbound, &p->mark, &sa);
	sa.carry = &st;
	if (xfrm_nl_sa_install(p->nl, &sa, inbound, &e, why, sizeof(why)) == -1)
		log_msg(LOG_ERR, old->ike_sa_id, "xfrm: SA %08x lost: %s", spi, why);
	return -1;
}

static int
xfrm_update(struct kernel *k, uint32_t spi_in, const struct sockaddr *local,
    const struct sockaddr *remote, int encap)
{
	struct xfrm_priv *p = k->priv;
	struct xfrm_child *x;
	struct kernel_child nc;
	char why[400];
	size_t i, j;
	int r = 0;

	if ((x = child_find(p, spi_in, NULL)) == NULL)
		return -1;
	if ((local->sa_family != AF_INET && local->sa_family != AF_INET6) ||
	    local->sa_family != remote->sa_family)
		return -1;
	nc = x->c;
	set_addr(&nc.local, local);
	set_addr(&nc.remote, remote);
	nc.encap = encap;
	if (net_addr_equal(&nc.local, &x->c.local) && net_addr_equal(&nc.remote, &x->c.remote) &&
	    nc.encap == x->c.encap) {
		explicit_bzero(&nc, sizeof(nc));
		return 0;
	}
	if (sa_move(p, &x->c, &nc, 1, why, sizeof(why)) == -1)
		goto fail;
	if (sa_move(p, &x->c, &nc, 0, why, sizeof(why)) == -1) {
		char why2[400];

		/* Both SAs stay where they were, as x->c says. */
		if (sa_move(p, &nc, &x->c, 1, why2, sizeof(why2)) == -1)
			log_msg(LOG_ERR, x->c.ike_sa_id, "xfrm: %s", why2);
		goto fail;
	}
	/* Templates carry the tunnel endpoints. */
	for (i = 0; i < nc.nts_local; i++)
		for (j = 0; j < nc.nts_remote; j++)
			if (x->owned[i][j] &&
			    pair_install(p->nl, &nc, i, j, &p->mark, 0, why, sizeof(why)) == -1) {
				log_msg(LOG_ERR, x->c.ike_sa_id, "xfrm: %s", why);
				r = -1;
			}
	x->c = nc;
	explicit_bzero(&nc, sizeof(nc));
	log_msg(LOG_DEBUG, x->c.ike_sa_id, "xfrm: CHILD SA %08x moved%s", spi_in,
	    encap ? " (UDP encapsulated)" : "");
	return r;
fail:
	log_msg(LOG_ERR, x->c.ike_sa_id, "xfrm: moving CHILD SA %08x failed: %s", spi_in, why);
	explicit_bzero(&nc, sizeof(nc));
	return -1;
}

/*
 * One direction's counters.  An SA the kernel no longer has reached its
 * hard byte or packet limit (the kernel removes it then, and only then):
 * its counters are reported at that limit, so the engine's own check
 * deletes the CHILD SA instead of keeping a pair that passes no traffic.
 */
static int
dir_stats(struct xfrm_priv *p, struct xfrm_child *x, int inbound, struct xfrm_sa_state *st)
{
	const struct kernel_child *c = &x->c;
	uint32_t spi = inbound ? c->spi_in : c->spi_out;
	char why[400];
	int e;

	if (xfrm_nl_sa_get(p->nl, inbound ? &c->local : &c->remote, spi, &p->mark, st, &e, why,
	    sizeof(why)) == 0)
		return 0;
	if (e != ESRCH || (c->hard_bytes == 0 && c->hard_packets == 0)) {
		log_msg(LOG_DEBUG, c->ike_sa_id, "xfrm: %s", why);
		return -1;
	}
	if (!x->expired) {
		log_msg(LOG_INFO, c->ike_sa_id, "xfrm: the kernel removed the ESP SA %08x"
		    " (hard byte/packet limit)", spi);
		x->expired = 1;
	}
	memset(st, 0, sizeof(*st));
	st->bytes = c->hard_bytes;
	st->packets = c->hard_packets;
	return 0;
}

static int
xfrm_stats(struct kernel *k, uint32_t spi_in, struct kernel_stats *st)
{
	struct xfrm_priv *p = k->priv;
	struct xfrm_child *x;
	struct xfrm_sa_state in, out;

	memset(st, 0, sizeof(*st));
	if ((x = child_find(p, spi_in, NULL)) == NULL)
		return -1;
	if (dir_stats(p, x, 1, &in) == -1 || dir_stats(p, x, 0, &out) == -1)
		return -1;
	st->bytes_in = in.bytes;
	st->packets_in = in.packets;
	st->last_in = (time_t)in.use_time;
	st->bytes_out = out.bytes;
	st->packets_out = out.packets;
	st->last_out = (time_t)out.use_time;
	return 0;
}

static json_t *
xfrm_dump(struct kernel *k)
{
	struct xfrm_priv *p = k->priv;
	struct xfrm_child *x;
	struct xfrm_algs algs;
	struct kernel_stats st;
	json_t *a = json_array(), *o;
	char in[16], out[16];
	size_t i, j, npairs;

	for (x = p->children; x; x = x->next) {
		const struct kernel_child *c = &x->c;

		(void)xfrm_algs_lookup(c->encr, c->integ, &algs);
		for (i = 0, npairs = 0; i < c->nts_local; i++)
			for (j = 0; j < c->nts_remote; j++)
				npairs += x->owned[i][j];
		snprintf(in, sizeof(in), "%08x", c->spi_in);
		snprintf(out, sizeof(out), "%08x", c->spi_out);
		o = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:b, s:s, s:i, s:s, s:b,"
		    " s:s, s:s?, s:o, s:o, s:I}",
		    "spi_in", in, "spi_out", out, "reqid", (json_int_t)c->reqid,
		    "ike_sa", (json_int_t)c->ike_sa_id,
		    "local", net_addr_json(&c->local), "remote", net_addr_json(&c->remote),
		    "encap", c->encap, "encryption", ike_transform_name(IKE_XF_ENCR, c->encr),
		    "key_bits", c->encr_bits,
		    "integrity", ike_transform_name(IKE_XF_INTEG, c->integ), "esn", c->esn,
		    "kernel_enc", algs.enc_name ? algs.enc_name : "?",
		    "kernel_auth", algs.auth_name,
		    "ts_local", cfg_nets_json(c->ts_local, c->nts_local),
		    "ts_remote", cfg_nets_json(c->ts_remote, c->nts_remote),
		    "policy_pairs", (json_int_t)npairs);
		if (o && xfrm_stats(k, c->spi_in, &st) == 0) {
			json_object_set_new(o, "bytes_in", json_integer((json_int_t)st.bytes_in));
			json_object_set_new(o, "bytes_out", json_integer((json_int_t)st.bytes_out));
			json_object_set_new(o, "packets_in",
			    json_integer((json_int_t)st.packets_in));
			json_object_set_new(o, "packets_out",
			    json_integer((json_int_t)st.packets_out));
		}
		if (o)
			json_array_append_new(a, o);
	}
	return a;
}

/*
 * The daemon's UDP sockets: IKE must never be caught by our own policies
 * (a CHILD SA without virtual address covers the client's outer address),
 * so each socket gets a per-socket bypass in both directions; the NAT-T
 * sockets hand ESP in UDP to the kernel (RFC 3948; IKE with the non-ESP
 * marker and keepalives still reach ikegwd).
 */
static int
sockets_prepare(struct ikegwd *gw, char *err, size_t errlen)
{
	struct xfrm_userpolicy_info pol;
	int type = UDP_ENCAP_ESPINUDP, dir, fd;
	size_t i;

	for (i = 0; i < gw->nsocks; i++) {
		const struct sock *s = &gw->socks[i];

		for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
			memset(&pol, 0, sizeof(pol));
			pol.action = XFRM_POLICY_ALLOW;
			pol.sel.family = (uint16_t)s->family;
			pol.dir = (uint8_t)dir;
			pol.lft.soft_byte_limit = XFRM_INF;
			pol.lft.hard_byte_limit = XFRM_INF;
			pol.lft.soft_packet_limit = XFRM_INF;
			pol.lft.hard_packet_limit = XFRM_INF;
			if (setsockopt(s->fd, s->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
			    s->family == AF_INET ? IP_XFRM_POLICY : IPV6_XFRM_POLICY, &pol,
			    sizeof(pol)) == 0)
				continue;
			if (s->family == AF_INET) {
				snprintf(err, errlen, "IKE socket bypass policy (UDP %u): %s",
				    s->port, strerror(errno));
				return -1;
			}
			log_warn("xfrm: IKE socket bypass policy (UDP %u, IPv6): %s", s->port,
			    strerror(errno));
			break;
		}
	}
	if ((fd = net_natt_fd(gw, AF_INET)) >= 0 &&
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) == -1) {
		snprintf(err, errlen, "UDP_ENCAP on the NAT-T socket: %s", strerror(errno));
		return -1;
	}
	if ((fd = net_natt_fd(gw, AF_INET6)) >= 0 &&
	    setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) == -1)
		log_warn("xfrm: UDP_ENCAP on the IPv6 NAT-T socket: %s (no ESP in UDP over IPv6)",
		    strerror(errno));
	return 0;
}

static int
xfrm_init(struct kernel *k, char *err, size_t errlen)
{
	struct xfrm_priv *p;
	const char *skip = secure_getenv("IKEGW_XFRM_SKIP_PROBE");

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((p->nl = xfrm_nl_open(err, errlen)) == NULL) {
		free(p);
		return -1;
	}
	/* Tests only: start without ESP to see how a refused SA is handled. */
	if (skip && strcmp(skip, "1") == 0)
		log_warn("xfrm: IKEGW_XFRM_SKIP_PROBE=1: not checking that the kernel has ESP");
	else if (xfrm_nl_probe_esp(p->nl, err, errlen) == -1)
		goto fail;
	if (k->gw && sockets_prepare(k->gw, err, errlen) == -1)
		goto fail;
	k->priv = p;
	return 0;
fail:
	xfrm_nl_close(p->nl);
	free(p);
	return -1;
}

int
xfrm_kernel_attach(struct kernel *k, struct xfrm_nl *nl, const struct xfrm_mark_cfg *mark)
{
	struct xfrm_priv *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		xfrm_nl_close(nl);
		return -1;
	}
	p->nl = nl;
	if (mark)
		p->mark = *mark;
	k->priv = p;
	return 0;
}

static void
xfrm_fini(struct kernel *k)
{
	struct xfrm_priv *p = k->priv;

	if (p == NULL)
		return;
	while (p->children)
		(void)xfrm_del(k, p->children->c.spi_in);
	xfrm_nl_close(p->nl);
	free(p);
	k->priv = NULL;
}

const struct kernel_backend kernel_xfrm = {
	.name = "xfrm",
	.add = xfrm_add,
	.del = xfrm_del,
	.update = xfrm_update,
	.stats = xfrm_stats,
	.dump = xfrm_dump,
	.fini = xfrm_fini,
	.init = xfrm_init,
};
