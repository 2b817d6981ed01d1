/*
 * net — the engine's UDP sockets: IKE on 500 and 4500 (NAT-T), IPv4 and
 * IPv6.  Replies leave from the address the request arrived on
 * (IP_PKTINFO / IPV6_RECVPKTINFO), so a multi-homed gateway answers from
 * the address the client dialled.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "engine.h"

#define MAX_DGRAM	65536
#define READ_BATCH	256	/* datagrams per wakeup before yielding */
#define RECV_BATCH	32	/* datagrams per recvmmsg() */

uint16_t
net_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

json_t *
net_addr_json(const struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN] = "?";
	uint8_t b[16];

	if (net_addr_bytes(ss, b))
		inet_ntop(ss->ss_family, b, a, sizeof(a));
	return json_pack("{s:s, s:i}", "address", a, "port", net_port(ss));
}

size_t
net_addr_bytes(const struct sockaddr_storage *ss, uint8_t out[16])
{
	if (ss->ss_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return 4;
	}
	if (ss->ss_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return 16;
	}
	return 0;
}

int
net_addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	uint8_t x[16], y[16];
	size_t n;

	if (a->ss_family != b->ss_family || net_port(a) != net_port(b))
		return 0;
	n = net_addr_bytes(a, x);
	return n > 0 && net_addr_bytes(b, y) == n && memcmp(x, y, n) == 0;
}

const char *
net_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	uint8_t b[16];

	if (net_addr_bytes(ss, b) == 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	inet_ntop(ss->ss_family, b, a, sizeof(a));
	if (ss->ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, net_port(ss));
	else
		snprintf(buf, len, "%s:%u", a, net_port(ss));
	return buf;
}

/* The local address a datagram was sent to, from its ancillary data. */
static int
pktinfo_to(struct msghdr *mh, uint16_t port, struct sockaddr_storage *to)
{
	struct cmsghdr *cm;

	memset(to, 0, sizeof(*to));
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			struct sockaddr_in *sin = (struct sockaddr_in *)to;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			sin->sin_family = AF_INET;
			sin->sin_addr = pi.ipi_addr;
			sin->sin_port = htons(port);
			return 0;
		}
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)to;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = pi.ipi6_addr;
			sin6->sin6_port = htons(port);
			return 0;
		}
	}
	return -1;
}

/* One datagram as received, handed on by kind (port 4500 carries three). */
static void
dispatch(struct sock *s, uint8_t *buf, size_t n, const struct sockaddr_storage *to,
    const struct sockaddr_storage *from)
{
	const uint8_t *msg;
	size_t msglen;

	s->gw->stats.rx++;
	if (!s->natt) {
		ike_input(s->gw, buf, n, to, from, 0);
		return;
	}
	/* Port 4500 carries IKE (zero marker), ESP and keepalives (RFC 3948). */
	switch (ike_natt_classify(buf, n)) {
	case IKE_NATT_IKE:
		if (ike_natt_strip(buf, n, &msg, &msglen) == 0)
			ike_input(s->gw, msg, msglen, to, from, 1);
		break;
	case IKE_NATT_ESP:
		if (s->gw->esp_input)
			s->gw->esp_input(s->gw, buf, n, to, from);
		break;
	case IKE_NATT_KEEPALIVE:
	case IKE_NATT_INVALID:
		break;
	}
}

/*
 * Reads what is queued on one socket, RECV_BATCH datagrams per system call
 * (recvmmsg), up to READ_BATCH per wakeup so one busy socket cannot starve
 * the others.
 */
static void
net_read(evutil_socket_t fd, short what, void *arg)
{
	static uint8_t bufs[RECV_BATCH][MAX_DGRAM];
	static union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbufs[RECV_BATCH];
	static struct sockaddr_storage from[RECV_BATCH];
	struct sock *s = arg;
	struct mmsghdr mm[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_storage to;
	int i, n, total = 0;

	(void)what;
	while (total < READ_BATCH) {
		memset(mm, 0, sizeof(mm));
		for (i = 0; i < RECV_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = MAX_DGRAM;
			mm[i].msg_hdr.msg_name = &from[i];
			mm[i].msg_hdr.msg_namelen = sizeof(from[i]);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_control = &cbufs[i];
			mm[i].msg_hdr.msg_controllen = sizeof(cbufs[i]);
		}
		if ((n = recvmmsg(fd, mm, RECV_BATCH, MSG_DONTWAIT, NULL)) <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (pktinfo_to(&mm[i].msg_hdr, s->port, &to) == -1)
				continue;
			dispatch(s, bufs[i], mm[i].msg_len, &to, &from[i]);
		}
		total += n;
		if (n < RECV_BATCH)
			break;
	}
}

static int
sock_open(struct ikegwd *gw, int family, uint16_t port, int natt, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sock *s;
	socklen_t slen;
	int fd, on = 1;

	if (gw->nsocks >= sizeof(gw->socks) / sizeof(gw->socks[0])) {
		snprintf(err, errlen, "too many sockets");
		return -1;
	}
	if ((fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ss, 0, sizeof(ss));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* Hundreds of handshakes at once overflow the default buffer; beyond
	   the sysctl limit only root (SO_RCVBUFFORCE) gets the size asked for. */
	{
		int sz = 4 * 1024 * 1024;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		slen = sizeof(*sin);
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		slen = sizeof(*sin6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	}
	if (bind(fd, (struct sockaddr *)&ss, slen) == -1) {
		/* No IPv6 on this host is not an error worth refusing to start. */
		if (family == AF_INET6 && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
			close(fd);
			return 0;
		}
		snprintf(err, errlen, "bind UDP %s port %u: %s", family == AF_INET ? "IPv4" : "IPv6",
		    port, strerror(errno));
		close(fd);
		return -1;
	}
	s = &gw->socks[gw->nsocks++];
	s->gw = gw;
	s->fd = fd;
	s->family = family;
	s->port = port;
	s->natt = natt;
	s->ev = event_new(gw->base, fd, EV_READ | EV_PERSIST, net_read, s);
	event_add(s->ev, NULL);
	return 0;
}

int
net_open(struct ikegwd *gw, char *err, size_t errlen)
{
	int v6;

	if (sock_open(gw, AF_INET, gw->cfg->ike_port, 0, err, errlen) == -1 ||
	    sock_open(gw, AF_INET, gw->cfg->natt_port, 1, err, errlen) == -1)
		return -1;
	v6 = socket(AF_INET6, SOCK_DGRAM, 0);
	if (v6 >= 0) {
		close(v6);
		if (sock_open(gw, AF_INET6, gw->cfg->ike_port, 0, err, errlen) == -1 ||
		    sock_open(gw, AF_INET6, gw->cfg->natt_port, 1, err, errlen) == -1)
			return -1;
	}
	return 0;
}

void
net_close(struct ikegwd *gw)
{
	size_t i;

	for (i = 0; i < gw->nsocks; i++) {
		event_free(gw->socks[i].ev);
		close(gw->socks[i].fd);
	}
	gw->nsocks = 0;
}

/* The socket bound to the local port and family. */
static struct sock *
sock_for(struct ikegwd *gw, int family, uint16_t port)
{
	size_t i;

	for (i = 0; i < gw->nsocks; i++)
		if (gw->socks[i].family == family && gw->socks[i].port == port)
			return &gw->socks[i];
	return NULL;
}

int
net_send(struct ikegwd *gw, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote, const void *buf, size_t len)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct sock *s = sock_for(gw, remote->ss_family, net_port(local));
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *cm;

	if (s == NULL)
		return -1;
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_name = (void *)(uintptr_t)remote;
	mh.msg_namelen = remote->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = &cbuf;
	cm = (struct cmsghdr *)cbuf.buf;
	if (remote->ss_family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	if (sendmsg(s->fd, &mh, MSG_DONTWAIT) < 0) {
		log_debug("send to %s: %s", net_addr_str(remote, (char[64]){0}, 64), strerror(errno));
		return -1;
	}
	gw->stats.tx++;
	return 0;
}

int
net_natt_fd(struct ikegwd *gw, int family)
{
	struct sock *s = sock_for(gw, family, gw->cfg->natt_port);

	return s ? s->fd : -1;
}
