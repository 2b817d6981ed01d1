/*
 * xfrm — the "xfrm" kernel backend: ESP in the Linux kernel, configured over
 * NETLINK_XFRM with libmnl.  Two halves:
 *
 *   xfrm_msg.c  builds the requests (XFRM_MSG_NEWSA/UPDSA/DELSA/GETSA,
 *               NEWPOLICY/UPDPOLICY/DELPOLICY) in caller buffers and parses
 *               the kernel's answers (acks with extended error messages,
 *               XFRM_MSG_NEWSA replies).  No socket: unit-tested byte by byte.
 *   xfrm.c      the socket, the request/answer loop, the probe for ESP
 *               support, policy bookkeeping, and struct kernel_backend.
 *
 * What goes into the kernel for one CHILD SA (RFC 4301 4.4, tunnel mode):
 *
 *   SA in    client outer → gateway outer, SPI = ours (spi_in), initiator keys
 *   SA out   gateway outer → client outer, SPI = the client's, responder keys
 *   for each (local TS, remote TS) pair of the same family:
 *     policy out   local → remote, template gateway → client, reqid
 *     policy in    remote → local, template client → gateway, reqid
 *     policy fwd   remote → local, template client → gateway, reqid
 *
 * With NAT-T both SAs carry XFRMA_ENCAP (ESP in UDP, RFC 3948) with the
 * current ports; the NAT-T sockets get the UDP_ENCAP option so the kernel
 * takes ESP off port 4500 and leaves IKE (non-ESP marker) to ikegwd.
 */
#ifndef IKEGW_KERNEL_XFRM_H
#define IKEGW_KERNEL_XFRM_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "kernel.h"

#define XFRM_MSG_BUFSIZE	2048	/* any request we build fits */
#define XFRM_REPLAY_WINDOW	32	/* packets, without ESN (one u32 bitmap) */
#define XFRM_REPLAY_WINDOW_ESN	128	/* packets, with ESN */
#define XFRM_REPLAY_MAX		(24 + 4096 / 8)	/* struct xfrm_replay_state_esn + bitmap */
#define XFRM_PRIO_BASE		200000	/* policy priority; more specific = lower */
#define XFRM_OSEQ_MARGIN	65536	/* outbound sequence numbers skipped on update */

/* Mark on SAs and policies (XFRMA_MARK); mask 0 means no mark. */
struct xfrm_mark_cfg {
	uint32_t	 value;
	uint32_t	 mask;
};

/* Kernel names of an IKE transform pair (Linux crypto API). */
struct xfrm_algs {
	int		 aead;		/* 1: enc_name is an AEAD, no auth */
	const char	*enc_name;	/* "rfc4106(gcm(aes))", "cbc(aes)", ... */
	unsigned	 icv_bits;	/* AEAD tag */
	const char	*auth_name;	/* "hmac(sha256)", NULL with AEAD */
	unsigned	 trunc_bits;	/* ICV of the HMAC */
};

/*
 * What the kernel tells about one SA (XFRM_MSG_NEWSA reply to GETSA):
 * counters and the replay state, which update() carries over into the
 * SA that replaces it.
 */
struct xfrm_sa_state {
	uint32_t	 spi;		/* host order */
	int		 family;
	uint32_t	 reqid;
	uint64_t	 bytes, packets;
	uint64_t	 add_time, use_time;	/* seconds since the epoch, 0: never used */
	int		 esn;		/* XFRM_STATE_ESN set */
	uint16_t	 replay_type;	/* XFRMA_REPLAY_VAL or XFRMA_REPLAY_ESN_VAL */
	uint8_t		 replay[XFRM_REPLAY_MAX];	/* that attribute's payload */
	size_t		 replay_len;	/* 0: none received */
	uint32_t	 oseq, oseq_hi;	/* from replay, for logs */
};

/* One ESP SA (one direction) as it is given to the kernel. */
struct xfrm_sa {
	uint32_t	 spi;		/* host order */
	struct sockaddr_storage src;	/* outer addresses, ports used with encap */
	struct sockaddr_storage dst;
	int		 encap;		/* UDP_ENCAP_ESPINUDP with src/dst ports */
	uint32_t	 reqid;
	uint16_t	 encr, encr_bits, integ;	/* IKE transform IDs */
	int		 esn;
	const uint8_t	*enc_key;	/* borrowed: cipher key | salt */
	size_t		 enc_keylen;
	const uint8_t	*int_key;	/* borrowed; NULL with AEAD */
	size_t		 int_keylen;
	uint64_t	 soft_bytes, hard_bytes;	/* 0: unlimited */
	uint64_t	 soft_packets, hard_packets;
	struct xfrm_mark_cfg mark;
	const struct xfrm_sa_state *carry;	/* NULL, or counters and replay
						   state to start from (update) */
};

/* One policy: the selector, its direction and the tunnel template. */
struct xfrm_pol {
	struct cfg_net	 src;		/* selector, inner addresses */
	struct cfg_net	 dst;
	int		 dir;		/* XFRM_POLICY_IN / OUT / FWD */
	struct sockaddr_storage tmpl_src;	/* outer tunnel endpoints */
	struct sockaddr_storage tmpl_dst;
	uint32_t	 reqid;
	uint32_t	 priority;
	struct xfrm_mark_cfg mark;
};

/* ---------------------------------------------------------------- xfrm_msg.c */

/* Kernel algorithm names for an IKE ENCR (+ INTEG) pair; -1 if unsupported. */
int	 xfrm_algs_lookup(uint16_t encr, uint16_t integ, struct xfrm_algs *out);

/*
 * Fills sa with one direction of a CHILD SA: inbound (client → gateway,
 * spi_in, initiator keys) or outbound.  Keys are borrowed from c.
 */
void	 xfrm_sa_from_child(const struct kernel_child *c, int inbound,
    const struct xfrm_mark_cfg *mark, struct xfrm_sa *sa);

/*
 * The out, in and fwd policies of local TS i and remote TS j of c, into
 * pol[0..2]; returns 3, or 0 when the two selectors differ in family.
 */
size_t	 xfrm_pols_from_child(const struct kernel_child *c, size_t i, size_t j,
    const struct xfrm_mark_cfg *mark, struct xfrm_pol pol[3]);

/*
 * Message builders.  Each writes one complete netlink request with
 * sequence number seq into buf (cap bytes, aligned for struct nlmsghdr) and
 * returns its length, or 0 when it does not fit or (SAs) the algorithm has
 * no kernel name; err then says why.  Buffers holding an SA message hold
 * keys: the caller wipes them.
 */
size_t	 xfrm_msg_newsa(void *buf, size_t cap, uint32_t seq, int update,
    const struct xfrm_sa *sa, char *err, size_t errlen);
/* DELSA (del = 1) or GETSA (del = 0) of the SA (dst, spi, ESP). */
size_t	 xfrm_msg_sa_id(void *buf, size_t cap, uint32_t seq, int del,
    const struct sockaddr_storage *dst, uint32_t spi, const struct xfrm_mark_cfg *mark);
/* NEWPOLICY, or UPDPOLICY (create or replace) with update = 1. */
size_t	 xfrm_msg_newpolicy(void *buf, size_t cap, uint32_t seq, int update,
    const struct xfrm_pol *pol);
size_t	 xfrm_msg_delpolicy(void *buf, size_t cap, uint32_t seq, const struct xfrm_pol *pol);

/*
 * Walks a datagram of netlink messages: at *off (start at 0) returns 1 and
 * the message's type, flags, sequence number and payload (borrowed), 0 at
 * the end, -1 for a malformed message.
 */
int	 xfrm_msg_next(const uint8_t *buf, size_t len, size_t *off, uint16_t *type,
    uint16_t *flags, uint32_t *seq, const uint8_t **payload, size_t *plen);
/*
 * An NLMSG_ERROR payload (flags from its header): *error receives the
 * (positive) errno, 0 for an ack, and ext the kernel's extended message
 * ("" if none).  0, or -1 if malformed.
 */
int	 xfrm_msg_parse_error(const uint8_t *payload, size_t plen, uint16_t flags,
    int *error, char *ext, size_t extlen);
/* An XFRM_MSG_NEWSA payload (reply to GETSA or a dump).  0 or -1. */
int	 xfrm_msg_parse_sa(const uint8_t *payload, size_t plen, struct xfrm_sa_state *out);
/*
 * Advances the outbound sequence number in st's replay state by n (with
 * ESN into the high half; without, it stops at 2^32 - 1, where the kernel
 * refuses to send rather than wrap).  update() reads the state, deletes
 * the SA and adds it anew: packets sent in between must not see their
 * sequence numbers (and with them the AEAD IVs) used twice.
 */
void	 xfrm_sa_state_skip(struct xfrm_sa_state *st, uint32_t n);

/* ---------------------------------------------------------------- xfrm.c */

struct xfrm_nl;

/* A NETLINK_XFRM socket in the caller's network namespace.  NULL + err. */
struct xfrm_nl	*xfrm_nl_open(char *err, size_t errlen);
void		 xfrm_nl_close(struct xfrm_nl *);

/*
 * Installs a throwaway ESP SA (random SPI, 127.0.0.1, cbc(aes) +
 * hmac(sha256)) and removes it: 0 when the kernel can do ESP, else -1 and a
 * message that says why and what to do.
 */
int	 xfrm_nl_probe_esp(struct xfrm_nl *, char *err, size_t errlen);

/*
 * Installs (UPDPOLICY: created or replaced) or removes the out/in/fwd
 * policies of every selector pair of c.  Adding rolls back what it added
 * when one fails.  Removing goes on after a failure and reports the first.
 * 0 or -1 with a message.  These are what the backend uses, exported for
 * tests/integration/xfrm_policy.c.
 */
int	 xfrm_nl_policies_add(struct xfrm_nl *, const struct kernel_child *c,
    const struct xfrm_mark_cfg *mark, char *err, size_t errlen);
int	 xfrm_nl_policies_del(struct xfrm_nl *, const struct kernel_child *c,
    const struct xfrm_mark_cfg *mark, char *err, size_t errlen);
/* Installs the SA of one direction of c (as add() does).  0 or -1. */
int	 xfrm_nl_sa_add(struct xfrm_nl *, const struct kernel_child *c, int inbound,
    const struct xfrm_mark_cfg *mark, char *err, size_t errlen);
/* Installs sa (inbound: for messages only).  0, or -1 with a message and
   *kerr the kernel's errno (0 when the request could not be built). */
int	 xfrm_nl_sa_install(struct xfrm_nl *, const struct xfrm_sa *sa, int inbound, int *kerr,
    char *err, size_t errlen);
/* Removes the SA (dst, spi); one already gone (expired) is no error.  0/-1. */
int	 xfrm_nl_sa_del(struct xfrm_nl *, const struct sockaddr_storage *dst, uint32_t spi,
    const struct xfrm_mark_cfg *mark, char *err, size_t errlen);
/* Reads the SA's counters and replay state (GETSA).  0, or -1 with a
   message and (kerr != NULL) the errno: ESRCH when there is no such SA. */
int	 xfrm_nl_sa_get(struct xfrm_nl *, const struct sockaddr_storage *dst, uint32_t spi,
    const struct xfrm_mark_cfg *mark, struct xfrm_sa_state *st, int *kerr, char *err,
    size_t errlen);

/*
 * Tests (tests/unit/test_xfrm.c): a "socket" whose requests fn answers in
 * place of the kernel.  fn gets each request (req, len) and writes the
 * answer datagram into ans (cap bytes), returning its length, 0 for none
 * (a timeout).  Never NULL unless out of memory.
 */
typedef size_t	 xfrm_fake_fn(void *arg, const uint8_t *req, size_t len, uint8_t *ans,
    size_t cap);
struct xfrm_nl	*xfrm_nl_fake(xfrm_fake_fn *fn, void *arg);
/*
 * Tests: makes k (k->ops = &kernel_xfrm, k->gw may be NULL) a working xfrm
 * backend on nl, without the ESP probe and the socket options; mark goes on
 * every SA and policy.  Takes nl.  0 or -1.
 */
int	 xfrm_kernel_attach(struct kernel *k, struct xfrm_nl *nl,
    const struct xfrm_mark_cfg *mark);

#endif
