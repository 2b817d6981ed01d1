/*
 * tun — the userspace ESP backend: a TUN device (kernel.tun_name, default
 * ipsec0) carries the decrypted traffic, ESP travels in UDP on the NAT-T
 * port (RFC 3948).  For kernels without ESP (CONFIG_INET_ESP off).
 *
 *   inbound:  engine/net.c reads UDP 4500 in batches and hands every ESP
 *             datagram to tun_esp_input() → esp_decap() → write(TUN)
 *   outbound: TUN readable → up to TUN_BATCH packets read → route by inner
 *             destination → esp_encap() in place → one sendmmsg() per batch
 *             on the NAT-T socket, to each SA's current peer address
 *
 * Everything runs on the engine's event loop thread (see docs/dataplane.md
 * for why there is no second thread).  Each CHILD SA's remote selectors
 * (the client's virtual address, normally a /32) are routed to the TUN
 * device over rtnetlink while the SA exists; a route shared by two SAs
 * (a client reconnecting) stays until the last one goes.  Volume limits
 * crossed in the data path are acted on from a deferred event: at the hard
 * limit the SA stops passing traffic and its CHILD SA is deleted at once,
 * the soft one is logged (the client rekeys), unless the engine set
 * kernel->expired.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <libmnl/libmnl.h>

#include "esp.h"
#include "kernel.h"
#include "engine/engine.h"

#define TUN_MTU		1400	/* 1500 - IPv4 20 - UDP 8 - ESP 8 - IV 16 - pad 17 - ICV 32, rounded */
#define TUN_BATCH	32	/* packets per TUN read loop and per sendmmsg */
#define TUN_ROUNDS	8	/* batches per wakeup before yielding to the loop */
#define TUN_PKT_MAX	9216	/* largest inner packet read from the TUN */
#define TUN_SLOT	(ESP_HEADROOM + TUN_PKT_MAX + ESP_TAILROOM)
#define TUN_IN_MAX	65536

struct tun_slot {
	uint8_t		 buf[TUN_SLOT];
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
};

struct tun_state {
	struct kernel	*k;
	struct esp_table *tbl;
	int		 fd;
	unsigned int	 ifindex;
	char		 name[IFNAMSIZ];
	struct event	*ev_read;
	struct event	*ev_expire;
	struct mnl_socket *nl;
	unsigned int	 nlseq;
	struct tun_slot	*slots;		/* TUN_BATCH */
	struct mmsghdr	 msgs[TUN_BATCH];
	struct iovec	 iov[TUN_BATCH];
	int		 msgfd[TUN_BATCH];
	uint8_t		*inbuf;		/* TUN_IN_MAX: decrypted inbound packet */
};

/* ---------------------------------------------------------------- device */

/* Sets the MTU and brings the device up (classic ioctls: no netlink needed). */
static int
tun_link_up(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (s == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	ifr.ifr_mtu = TUN_MTU;
	if (ioctl(s, SIOCSIFMTU, &ifr) == -1) {
		snprintf(err, errlen, "%s: MTU %d: %s", name, TUN_MTU, strerror(errno));
		goto out;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1) {
		snprintf(err, errlen, "%s: flags: %s", name, strerror(errno));
		goto out;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1) {
		snprintf(err, errlen, "%s: up: %s", name, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(s);
	return rc;
}

static int
tun_open(const char *name, char *out, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		snprintf(err, errlen, "TUN device %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(out, ifr.ifr_name, IFNAMSIZ);
	out[IFNAMSIZ - 1] = '\0';
	return fd;
}

/* ---------------------------------------------------------------- routes */

/* RTM_NEWROUTE / RTM_DELROUTE for net via the TUN device; waits for the ack. */
static int
route_op(struct tun_state *ts, int type, const struct cfg_net *n)
{
	uint8_t buf[8192];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	unsigned int seq = ++ts->nlseq, portid = mnl_socket_get_portid(ts->nl);
	ssize_t r;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWROUTE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)n->family;
	rtm->rtm_dst_len = n->prefix;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = type == RTM_NEWROUTE ? RTPROT_STATIC : 0;
	rtm->rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, n->family == AF_INET ? 4 : 16, n->addr);
	mnl_attr_put_u32(nlh, RTA_OIF, ts->ifindex);
	if (mnl_socket_sendto(ts->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((r = mnl_socket_recvfrom(ts->nl, buf, sizeof(buf))) > 0) {
		int rc = mnl_cb_run(buf, (size_t)r, seq, portid, NULL, NULL);

		if (rc <= MNL_CB_STOP)
			return rc == MNL_CB_ERROR ? -1 : 0;
	}
	return -1;
}

/* 1 when the selector covers the peer's outer address: routing it into
   the tunnel would send the ESP packets themselves there. */
static int
covers_peer(const struct cfg_net *n, const struct sockaddr_storage *remote)
{
	uint8_t a[16];

	return net_addr_bytes(remote, a) > 0 && cfg_net_contains(n, remote->ss_family, a);
}

static void
routes_add(struct tun_state *ts, const struct esp_sa *sa)
{
	char s[64];
	size_t i;

	for (i = 0; i < sa->nts_remote; i++) {
		cfg_net_str(&sa->ts_remote[i], s, sizeof(s));
		if (covers_peer(&sa->ts_remote[i], &sa->remote)) {
			log_warn("tun: no route for %s: it holds the peer's own address", s);
			continue;
		}
		if (route_op(ts, RTM_NEWROUTE, &sa->ts_remote[i]) == -1)
			log_err("tun: route %s dev %s: %s", s, ts->name, strerror(errno));
		else
			log_debug("tun: route %s dev %s", s, ts->name);
	}
}

static void
routes_del(struct tun_state *ts, const struct esp_sa *sa)
{
	char s[64];
	size_t i;

	for (i = 0; i < sa->nts_remote; i++) {
		if (covers_peer(&sa->ts_remote[i], &sa->remote) ||
		    esp_route_users(ts->tbl, &sa->ts_remote[i], sa) > 0)
			continue;
		if (route_op(ts, RTM_DELROUTE, &sa->ts_remote[i]) == -1 && errno != ESRCH) {
			cfg_net_str(&sa->ts_remote[i], s, sizeof(s));
			log_debug("tun: removing route %s: %s", s, strerror(errno));
		}
	}
}

/* ---------------------------------------------------------------- expiry */

struct expiry {
	uint32_t	 spi_in;
	uint64_t	 ike_sa_id;
	int		 hard;
};

struct expiry_list {
	struct expiry	 v[64];
	size_t		 n;
};

static void
collect_expired(void *arg, const struct esp_sa *sa, int hard)
{
	struct expiry_list *l = arg;

	if (l->n < sizeof(l->v) / sizeof(l->v[0])) {
		l->v[l->n].spi_in = sa->spi_in;
		l->v[l->n].ike_sa_id = sa->ike_sa_id;
		l->v[l->n].hard = hard;
		l->n++;
	}
}

static void
on_expire(evutil_socket_t fd, short what, void *arg)
{
	struct tun_state *ts = arg;
	struct kernel *k = ts->k;
	struct expiry_list l;
	struct child_sa *c;
	struct ike_sa *sa;
	size_t i;

	(void)fd;
	(void)what;
	l.n = 0;
	esp_table_expired(ts->tbl, collect_expired, &l);
	for (i = 0; i < l.n; i++) {
		log_msg(LOG_INFO, l.v[i].ike_sa_id, "CHILD SA %08x reached its %s volume limit",
		    l.v[i].spi_in, l.v[i].hard ? "hard" : "soft");
		if (k->expired) {
			k->expired(k, l.v[i].spi_in, l.v[i].hard);
			continue;
		}
		/* The soft limit is the client's to act on (it rekeys); at the
		   hard one the CHILD SA goes now rather than at the engine's
		   next periodic check (which also catches it when a request
		   of ours is outstanding). */
		if (l.v[i].hard && (sa = sa_find_id(k->gw, l.v[i].ike_sa_id)) != NULL &&
		    sa->state == SA_ESTABLISHED && !sa->req_pending &&
		    (c = child_find_in(sa, l.v[i].spi_in)) != NULL)
			exch_delete_child(sa, c);
	}
	if (esp_table_expiry_pending(ts->tbl))
		event_active(ts->ev_expire, 0, 0);
}

static void
expiry_kick(struct tun_state *ts)
{
	if (esp_table_expiry_pending(ts->tbl))
		event_active(ts->ev_expire, 0, 0);
}

/* ---------------------------------------------------------------- data path */

/* Inbound: one ESP packet from the NAT-T socket (engine/net.c). */
static void
tun_esp_input(struct ikegwd *gw, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote)
{
	struct tun_state *ts = gw->kernel ? gw->kernel->priv : NULL;
	struct esp_sa *sa;
	size_t outlen;

	(void)local;
	(void)remote;
	if (ts == NULL)
		return;
	if (esp_decap(ts->tbl, buf, len, ts->inbuf, TUN_IN_MAX, &outlen, &sa,
	    time(NULL)) != ESP_OK) {
		expiry_kick(ts);
		return;
	}
	if (write(ts->fd, ts->inbuf, outlen) != (ssize_t)outlen) {
		esp_count_drop(ts->tbl, sa, ESP_DROP_IO);
	}
	expiry_kick(ts);
}

static void
set_pktinfo(struct msghdr *mh, struct tun_slot *s, const struct sockaddr_storage *local)
{
	struct cmsghdr *cm = (struct cmsghdr *)s->cbuf.buf;

	memset(&s->cbuf, 0, sizeof(s->cbuf));
	mh->msg_control = s->cbuf.buf;
	if (local->ss_family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else if (local->ss_family == AF_INET6) {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr;
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else {
		mh->msg_control = NULL;
		mh->msg_controllen = 0;
	}
}

/* Sends msgs[from .. to) (all on one socket); counts what did not go. */
static void
flush(struct tun_state *ts, size_t from, size_t to)
{
	size_t off = from;
	int r;

	while (off < to) {
		r = sendmmsg(ts->msgfd[from], ts->msgs + off, (unsigned int)(to - off),
		    MSG_DONTWAIT);
		if (r <= 0) {
			/* A full socket buffer or an unreachable peer: drop the rest
			   of this run, as a router does. */
			for (; off < to; off++)
				esp_count_drop(ts->tbl, NULL, ESP_DROP_IO);
			return;
		}
		off += (size_t)r;
	}
}

/* Outbound: the TUN device has packets for the tunnel. */
static void
on_tun_read(evutil_socket_t fd, short what, void *arg)
{
	struct tun_state *ts = arg;
	struct ikegwd *gw = ts->k->gw;
	time_t now = time(NULL);
	struct esp_sa *sa;
	struct tun_slot *s;
	uint8_t *pkt, *out;
	size_t n, i, run, outlen;
	ssize_t r;
	int round, more = 1, family;

	(void)what;
	for (round = 0; round < TUN_ROUNDS && more; round++) {
		n = 0;
		while (n < TUN_BATCH) {
			s = &ts->slots[n];
			pkt = s->buf + ESP_HEADROOM;
			if ((r = read(fd, pkt, TUN_PKT_MAX)) <= 0) {
				more = 0;
				break;
			}
			if (r >= TUN_PKT_MAX) {
				/* Maybe cut short: larger than any MTU we set. */
				esp_count_drop(ts->tbl, NULL, ESP_DROP_TOO_BIG);
				continue;
			}
			if ((pkt[0] >> 4) == 4 && r >= 20) {
				family = AF_INET;
				sa = esp_route_lookup(ts->tbl, AF_INET, pkt + 16);
			} else if ((pkt[0] >> 4) == 6 && r >= 40) {
				family = AF_INET6;
				sa = esp_route_lookup(ts->tbl, AF_INET6, pkt + 24);
			} else {
				family = 0;
				sa = NULL;
			}
			if (sa == NULL) {
				esp_count_drop(ts->tbl, NULL, family ? ESP_DROP_NO_SA :
				    ESP_DROP_MALFORMED);
				continue;
			}
			if (esp_encap(ts->tbl, sa, pkt, (size_t)r, &out, &outlen, now) != ESP_OK)
				continue;
			if ((ts->msgfd[n] = net_natt_fd(gw, sa->remote.ss_family)) == -1) {
				esp_count_drop(ts->tbl, sa, ESP_DROP_IO);
				continue;
			}
			ts->iov[n].iov_base = out;
			ts->iov[n].iov_len = outlen;
			memset(&ts->msgs[n], 0, sizeof(ts->msgs[n]));
			ts->msgs[n].msg_hdr.msg_name = &sa->remote;
			ts->msgs[n].msg_hdr.msg_namelen = sa->remote.ss_family == AF_INET ?
			    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
			ts->msgs[n].msg_hdr.msg_iov = &ts->iov[n];
			ts->msgs[n].msg_hdr.msg_iovlen = 1;
			set_pktinfo(&ts->msgs[n].msg_hdr, s, &sa->local);
			n++;
		}
		/* One sendmmsg per run of packets on the same socket (family). */
		for (i = 0, run = 0; i <= n; i++) {
			if (i == n || ts->msgfd[i] != ts->msgfd[run]) {
				if (i > run)
					flush(ts, run, i);
				run = i;
			}
		}
	}
	expiry_kick(ts);
}

/* ---------------------------------------------------------------- backend */

static int
tun_init(struct kernel *k, char *err, size_t errlen)
{
	struct tun_state *ts;
	const char *name = k->gw->cfg->tun_name ? k->gw->cfg->tun_name : "ipsec0";

	if ((ts = calloc(1, sizeof(*ts))) == NULL ||
	    (ts->slots = calloc(TUN_BATCH, sizeof(*ts->slots))) == NULL ||
	    (ts->inbuf = malloc(TUN_IN_MAX)) == NULL || (ts->tbl = esp_table_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	ts->k = k;
	ts->fd = -1;
	if ((ts->fd = tun_open(name, ts->name, err, errlen)) == -1)
		goto fail;
	if (tun_link_up(ts->name, err, errlen) == -1)
		goto fail;
	if ((ts->ifindex = if_nametoindex(ts->name)) == 0) {
		snprintf(err, errlen, "%s: %s", ts->name, strerror(errno));
		goto fail;
	}
	if ((ts->nl = mnl_socket_open(NETLINK_ROUTE)) == NULL ||
	    mnl_socket_bind(ts->nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(errno));
		goto fail;
	}
	ts->ev_read = event_new(k->gw->base, ts->fd, EV_READ | EV_PERSIST, on_tun_read, ts);
	ts->ev_expire = event_new(k->gw->base, -1, 0, on_expire, ts);
	if (ts->ev_read == NULL || ts->ev_expire == NULL || event_add(ts->ev_read, NULL) == -1) {
		snprintf(err, errlen, "libevent: cannot watch %s", ts->name);
		goto fail;
	}
	k->priv = ts;
	k->gw->esp_input = tun_esp_input;
	log_info("tun: userspace ESP on %s (MTU %d), ESP in UDP on port %u", ts->name, TUN_MTU,
	    k->gw->cfg->natt_port);
	return 0;
fail:
	if (ts) {
		if (ts->ev_read)
			event_free(ts->ev_read);
		if (ts->ev_expire)
			event_free(ts->ev_expire);
		if (ts->nl)
			mnl_socket_close(ts->nl);
		if (ts->fd != -1)
			close(ts->fd);
		esp_table_free(ts->tbl);
		free(ts->inbuf);
		free(ts->slots);
		free(ts);
	}
	return -1;
}

static int
tun_add(struct kernel *k, const struct kernel_child *c, char *err, size_t errlen)
{
	struct tun_state *ts = k->priv;
	struct esp_sa *sa;

	if (!c->encap) {
		snprintf(err, errlen, "the tun backend carries ESP in UDP only: the peer is not"
		    " using NAT-T (set phase1 nat_traversal to \"force\")");
		return -1;
	}
	if ((sa = esp_sa_add(ts->tbl, c, k->gw->cfg->legacy_clients, err, errlen)) == NULL)
		return -1;
	routes_add(ts, sa);
	return 0;
}

static int
tun_del(struct kernel *k, uint32_t spi_in)
{
	struct tun_state *ts = k->priv;
	struct esp_sa *sa = esp_sa_find(ts->tbl, spi_in);

	if (sa == NULL)
		return -1;
	routes_del(ts, sa);
	return esp_sa_del(ts->tbl, spi_in);
}

static int
tun_update(struct kernel *k, uint32_t spi_in, const struct sockaddr *local,
    const struct sockaddr *remote, int encap)
{
	struct tun_state *ts = k->priv;

	if (!encap)
		return -1;
	return esp_sa_update(ts->tbl, spi_in, local, remote, encap);
}

static int
tun_stats(struct kernel *k, uint32_t spi_in, struct kernel_stats *st)
{
	struct tun_state *ts = k->priv;
	struct esp_sa *sa = esp_sa_find(ts->tbl, spi_in);
	int i;

	memset(st, 0, sizeof(*st));
	if (sa == NULL)
		return -1;
	st->bytes_in = sa->in.bytes;
	st->bytes_out = sa->out.bytes;
	st->packets_in = sa->in.packets;
	st->packets_out = sa->out.packets;
	st->last_in = sa->in.last;
	st->last_out = sa->out.last;
	for (i = 1; i < ESP_DROP_MAX; i++)
		st->drops += sa->drops[i];
	return 0;
}

static json_t *
tun_dump(struct kernel *k)
{
	struct tun_state *ts = k->priv;
	json_t *a = json_array();
	struct esp_sa *sa;

	for (sa = esp_sa_first(ts->tbl); sa; sa = sa->next)
		json_array_append_new(a, esp_sa_json(sa));
	return a;
}

static json_t *
tun_counters(struct kernel *k)
{
	struct tun_state *ts = k->priv;
	json_t *o = esp_table_json(ts->tbl);

	json_object_set_new(o, "device", json_string(ts->name));
	json_object_set_new(o, "mtu", json_integer(TUN_MTU));
	return o;
}

static void
tun_fini(struct kernel *k)
{
	struct tun_state *ts = k->priv;

	if (ts == NULL)
		return;
	if (k->gw->esp_input == tun_esp_input)
		k->gw->esp_input = NULL;
	event_free(ts->ev_read);
	event_free(ts->ev_expire);
	mnl_socket_close(ts->nl);
	close(ts->fd);		/* the device and its routes go with it */
	esp_table_free(ts->tbl);
	free(ts->inbuf);
	free(ts->slots);
	free(ts);
	k->priv = NULL;
}

const struct kernel_backend kernel_tun = {
	.name = "tun",
	.add = tun_add,
	.del = tun_del,
	.update = tun_update,
	.stats = tun_stats,
	.dump = tun_dump,
	.fini = tun_fini,
	.init = tun_init,
	.counters = tun_counters,
};
