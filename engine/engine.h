/*
 * engine.h — ikegwd's internal header: the daemon state, the IKE SA and
 * CHILD SA records, and the functions the exchange files share.
 *
 * IKE SA states (one transition function, sa_state(), logs "A -> B"):
 *
 *	   IKE_SA_INIT answered
 *	HALF_OPEN ──────────────► AUTH ──(EAP rounds)──┐
 *	    │  (PSK, certificate: one round)            │ AUTH payloads verified
 *	    └───────────────────────────────────────────┴─► ESTABLISHED
 *	                                                       │ we send Delete
 *	                                                       ▼
 *	any state ─────────────────────────────────────► DELETING ──► DEAD
 *	(failure, peer's Delete, timeout) ────────────────────────────► DEAD
 *
 * DEAD SAs are unlinked and freed from the event loop, never from inside
 * the handler that killed them.
 */
#ifndef IKEGW_ENGINE_H
#define IKEGW_ENGINE_H

#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/types.h>

#include "config.h"
#include "log.h"
#include "eap/eap.h"
#include "ike/crypto.h"
#include "ike/keys.h"
#include "ike/msg.h"
#include "kernel/kernel.h"

struct event_base;
struct event;
struct pool_set;
struct ctl_server;
struct ike_certs;
struct ike_dh_key;

#define IKE_NONCE_LEN		32
#define IKE_MAX_DGRAMS		32	/* fragments of one message */
#define IKE_HALF_OPEN_TIMEOUT	30	/* seconds to finish IKE_AUTH */
#define IKE_RETRANSMIT_BASE	2	/* seconds; doubles per try */
#define IKE_RETRANSMIT_TRIES	5
#define IKE_FRAG_TIMEOUT	10	/* seconds to collect all fragments */
#define IKE_FRAG_MAX_BYTES	(64 * 1024)	/* per SA */
#define IKE_FRAG_MAX_GLOBAL	(16 * 1024 * 1024)
#define IKE_SA_HASH		4096

enum sa_state {
	SA_HALF_OPEN = 0,
	SA_AUTH,
	SA_ESTABLISHED,
	SA_DELETING,
	SA_DEAD,
};

const char	*sa_state_name(enum sa_state);

/* One datagram as sent (with the NAT-T marker when on port 4500). */
struct dgram {
	uint8_t	*data;
	size_t	 len;
};

struct dgram_set {
	struct dgram	*d;		/* at most IKE_MAX_DGRAMS */
	size_t		 n;
};

struct child_sa {
	struct child_sa	*next;
	struct child_sa	*hnext;		/* gateway-wide hash chain by spi_in */
	uint32_t	 spi_in;	/* ours */
	uint32_t	 spi_out;	/* the peer's */
	uint32_t	 reqid;
	uint16_t	 encr, encr_bits, integ, dh;
	int		 esn;
	struct cfg_net	*ts_local;	/* nts_local of them */
	size_t		 nts_local;
	struct cfg_net	*ts_remote;
	size_t		 nts_remote;
	time_t		 created;
	time_t		 rekey_at;	/* soft lifetime */
	time_t		 expire_at;	/* hard lifetime */
	int		 installed;
	int		 rekeyed;	/* a newer CHILD SA replaced it */
	uint64_t	 hard_bytes, hard_packets;	/* 0: no limit */
	uint64_t	 bytes_in, bytes_out, packets_in, packets_out;
};

/* What a client asked for in the IKE_AUTH that carried SAi2/TSi/TSr/CP. */
struct child_req {
	int		 present;
	struct ike_prop	*props;		/* copies; ESP proposals */
	size_t		 nprops;
	struct ike_xform *xforms;	/* storage for all props' transforms */
	struct ike_ts	 tsi[KERNEL_MAX_TS];
	size_t		 ntsi;
	struct ike_ts	 tsr[KERNEL_MAX_TS];
	size_t		 ntsr;
	int		 cp_request;	/* CFG_REQUEST present */
	int		 want_v4, want_v6;
	int		 want_dns4, want_dns6, want_domain, want_subnets, want_banner;
};

/* Reassembly of SKF fragments (RFC 7383 2.6) for one message. */
struct frag_state {
	uint32_t	 msgid;
	uint16_t	 total;
	uint16_t	 have;
	uint8_t		 first_next;	/* next payload of fragment 1 */
	uint8_t		 exchange;
	size_t		 bytes;
	time_t		 started;
	uint8_t		*part[IKE_MAX_DGRAMS + 1];	/* decrypted fragments, by number */
	size_t		 partlen[IKE_MAX_DGRAMS + 1];
};

struct ikegwd;

/*
 * One IKE SA.  Kept small (many thousands per gateway): what only the
 * handshake needs (IKE_SA_INIT messages, nonces, the saved CHILD request,
 * the EAP state) is allocated for it and freed once the SA is established.
 */
struct ike_sa {
	struct ikegwd	*gw;
	struct ike_sa	*hnext_r;	/* hash chain by our SPI (SA_OUR_SPI) */
	struct ike_sa	*hnext_i;	/* hash chain by spi_i */
	struct ike_sa	*hnext_id;	/* hash chain by identity, while ESTABLISHED */
	struct ike_sa	*next;		/* list of all SAs */
	uint64_t	 id;
	enum sa_state	 state;
	uint8_t		 spi_i[IKE_SPI_LEN];
	uint8_t		 spi_r[IKE_SPI_LEN];

	/* where */
	struct sockaddr_storage local;	/* our address and port of the last exchange */
	struct sockaddr_storage remote;
	uint8_t		 natt;		/* on port 4500 with the non-ESP marker */
	uint8_t		 nat_peer;	/* the peer is behind a NAT */
	uint8_t		 nat_local;	/* we are behind a NAT */

	/* what the peer supports */
	uint8_t		 peer_frag, peer_mobike, peer_initial_contact;
	uint8_t		 auth_method;	/* how the peer authenticated (for status) */
	uint8_t		 rekeyed;	/* replaced by a rekeyed IKE SA; waits for Delete */
	uint8_t		 initiator;	/* we are its original initiator: we rekeyed
					   the IKE SA (RFC 7296 2.18); else responder */
	uint8_t		 have_vip4, have_vip6;
	uint32_t	 peer_hashes;	/* RFC 7427 mask, 0 = none sent */

	/* policy */
	char		*p1_name;
	const struct cfg_phase1 *p1;	/* refreshed by apply */

	/* algorithms and keys */
	const struct ike_encr_alg  *encr;
	const struct ike_integ_alg *integ;
	const struct ike_prf_alg   *prf;
	uint16_t	 dh;
	uint8_t		 sk_d[IKE_PRF_MAX];	/* SK_d: CHILD SA keys, rekeys */
	uint8_t		 sk_dlen;
	struct ike_sk	 sk_in, sk_out;

	/* handshake only (freed when established) */
	uint8_t		*ni, *nr;
	size_t		 nilen, nrlen;
	uint8_t		*init_req, *init_resp;	/* IKE_SA_INIT messages, for AUTH */
	size_t		 init_req_len, init_resp_len;
	struct ike_sa_keys *hs_keys;	/* SK_pi, SK_pr for the AUTH payloads */
	uint8_t		*idi_body;	/* IDi' (RFC 7296 2.15) */
	size_t		 idi_len;
	struct eap_server *eap;		/* during EAP (holds the MSK) */
	struct child_req *creq;		/* what the IKE_AUTH asked for */
	struct child_rekey *rekey;	/* our CHILD rekey in flight */
	struct ike_rekey *ike_rekey;	/* our IKE SA rekey in flight */

	/* responder window (RFC 7296 2.1-2.3) */
	uint32_t	 peer_msgid;	/* next request we expect */
	uint32_t	 cached_msgid;
	int		 have_cached;
	struct dgram_set cached;	/* last response, resent on retransmits */

	/* our own requests (delete, liveness) */
	uint32_t	 our_msgid;
	int		 req_pending;
	int		 delete_queued;	/* our Delete waits for req_pending's answer */
	int		 req_kind;	/* REQ_* */
	int		 req_tries;
	int		 req_max;	/* transmissions before giving up */
	int		 req_interval;	/* seconds between them (0: exponential) */
	struct dgram_set req;
	struct event	*retx;

	/* who */
	char		*peer_id;	/* text form of IDi */
	char		*eap_id;	/* EAP identity, domain stripped */
	char		*user;		/* cfg_user name */

	/* configuration payload */
	struct in_addr	 vip4;
	struct in6_addr	 vip6;
	char		*pool;

	struct child_sa	*children;
	struct frag_state *frag;	/* while fragments arrive */

	time_t		 created;
	time_t		 established;
	time_t		 last_in;	/* last authenticated message from the peer */
	time_t		 rekey_at;	/* soft lifetime: we rekey the IKE SA */
	time_t		 expire_at;	/* hard lifetime */
	time_t		 reauth_at;	/* the client must authenticate again by then
					   (AUTH_LIFETIME, RFC 4478); kept across rekeys */
	struct event	*timer;
};

/* Our SPI and the peer's, whichever role we have in the SA. */
#define SA_OUR_SPI(sa)	((sa)->initiator ? (sa)->spi_i : (sa)->spi_r)
#define SA_PEER_SPI(sa)	((sa)->initiator ? (sa)->spi_r : (sa)->spi_i)

/* "" for a string field that is not set. */
#define SA_STR(x)	((x) ? (x) : "")
/* Sets a string field (frees the old value). */
void	 sa_set_str(char **field, const char *value);
/* Frees what only the handshake needed (after IKE_AUTH). */
void	 sa_handshake_done(struct ike_sa *);
/* Takes the keys of a new SA from k (then wiped): SK_d, the SK payload keys
   for our role (initiator: we started the exchange that made the SA), and
   with `handshake` SK_pi/SK_pr until IKE_AUTH is done.  0 or -1. */
int	 sa_set_keys(struct ike_sa *, struct ike_sa_keys *k, int initiator, int handshake);

#define REQ_DELETE	1	/* Delete of the IKE SA */
#define REQ_DPD		2	/* empty INFORMATIONAL: liveness */
#define REQ_DELETE_CHILD 3	/* Delete of one CHILD SA */
#define REQ_REKEY_CHILD	4	/* CREATE_CHILD_SA rekeying one of ours */
#define REQ_REKEY_IKE	5	/* CREATE_CHILD_SA rekeying the IKE SA */

/*
 * Our own IKE SA rekey in flight (RFC 7296 1.3.2, 2.18).  The new SA has
 * our SPI as SPIi: we become its original initiator.  When the peer rekeys
 * the same IKE SA meanwhile (2.8.2), `theirs` names the SA its exchange
 * made and their_min holds the lower nonce of that exchange.
 */
struct ike_rekey {
	uint8_t		 spi[IKE_SPI_LEN];	/* ours, for the new SA */
	uint16_t	 dh;
	struct ike_dh_key *dhkey;
	uint8_t		 ni[IKE_NONCE_LEN];
	int		 retried_ke;
	uint64_t	 theirs;		/* sa id, 0: no collision */
	uint8_t		 their_min[IKE_NONCE_MAX];
	size_t		 their_minlen;
};

/* Our own CHILD SA rekey in flight (RFC 7296 1.3.3, 2.8, 2.8.1). */
struct child_rekey {
	uint32_t	 old_spi_in;
	uint32_t	 new_spi_in;
	uint16_t	 dh;		/* PFS group, 0: none */
	struct ike_dh_key *dhkey;
	uint8_t		 ni[IKE_NONCE_LEN];
	int		 retried_ke;	/* INVALID_KE_PAYLOAD answered once */
	int		 collided;	/* the peer rekeyed the same CHILD SA meanwhile */
	uint8_t		 their_min[IKE_NONCE_MAX];	/* lowest nonce of its exchange */
	size_t		 their_minlen;
};

struct ike_stats {
	uint64_t	 rx, tx, rx_invalid, rx_retransmit, tx_retransmit;
	uint64_t	 init_ok, init_refused, auth_ok, auth_failed, cookies_sent;
	uint64_t	 half_open, established_total;
};

struct sock {
	struct ikegwd	*gw;
	int		 fd;
	int		 family;
	uint16_t	 port;
	int		 natt;
	struct event	*ev;
};

struct ikegwd {
	struct event_base *base;
	struct ike_config *cfg;
	struct ike_certs *certs;
	struct kernel	*kernel;
	struct pool_set	*pools;
	struct ctl_server *ctl;
	struct sock	 socks[8];
	size_t		 nsocks;

	struct ike_sa	*sa_list;
	struct ike_sa	*by_r[IKE_SA_HASH];
	struct ike_sa	*by_i[IKE_SA_HASH];
	struct ike_sa	*by_id[IKE_SA_HASH];	/* ESTABLISHED SAs by sa_identity() */
	struct child_sa	*child_by_spi[IKE_SA_HASH];	/* installed CHILD SAs */
	size_t		 nsa, nhalf_open;
	uint64_t	 next_sa_id;
	uint32_t	 next_reqid;
	struct event	*reaper;	/* frees DEAD SAs */
	size_t		 frag_bytes;	/* all SAs' reassembly buffers */

	uint8_t		 cookie_secret[32];
	uint8_t		 cookie_secret_old[32];
	uint8_t		 cookie_version;
	time_t		 cookie_rotated;
	struct event	*housekeeping;	/* lease file flush */

	/* ESP in UDP from port 4500 goes to the data plane, if it takes it. */
	void		(*esp_input)(struct ikegwd *, const uint8_t *, size_t,
			    const struct sockaddr_storage *local,
			    const struct sockaddr_storage *remote);

	struct ike_stats stats;
	time_t		 started;
	int		 stopping;
};

/* ---------------------------------------------------------------- net.c */

int	 net_open(struct ikegwd *, char *err, size_t errlen);
void	 net_close(struct ikegwd *);
/* Sends one datagram from local to remote (both with ports). 0 or -1. */
int	 net_send(struct ikegwd *, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote, const void *buf, size_t len);
/* "192.0.2.1:500" */
const char *net_addr_str(const struct sockaddr_storage *, char *buf, size_t len);
uint16_t net_port(const struct sockaddr_storage *);
/* The UDP socket on the NAT-T port (ESP in UDP goes out on it). */
int	 net_natt_fd(struct ikegwd *, int family);
int	 net_addr_equal(const struct sockaddr_storage *, const struct sockaddr_storage *);
/* Address only (no port): 4 or 16 bytes, returns the length. */
size_t	 net_addr_bytes(const struct sockaddr_storage *, uint8_t out[16]);
/* {"address": "192.0.2.1", "port": 500} ("?" for no address); caller owns it. */
json_t	*net_addr_json(const struct sockaddr_storage *);

/* ---------------------------------------------------------------- sa.c */

/* A new SA the peer initiates (IKE_SA_INIT, or its IKE SA rekey). */
struct ike_sa	*sa_new(struct ikegwd *, const uint8_t spi_i[8],
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote);
/* A new SA we initiated (our IKE SA rekey): our_spi from sa_new_spi(). */
struct ike_sa	*sa_new_initiator(struct ikegwd *, const uint8_t our_spi[8],
    const uint8_t peer_spi[8], const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote);
/* A random, non-zero SPI no SA of ours uses. */
void		 sa_new_spi(struct ikegwd *, uint8_t spi[8]);
/* The SA whose SPI of ours this is. */
struct ike_sa	*sa_find_ours(struct ikegwd *, const uint8_t spi[8]);
/* The SA a message belongs to, by both SPIs and the sender's role (the I
   flag says which SPI is ours); NULL when none. */
struct ike_sa	*sa_find_msg(struct ikegwd *, const struct ike_hdr *);
/* Copies what is not keys from old to its rekeyed successor nsa: identity,
   policy, addresses, the reauthentication deadline. */
void		 sa_inherit(struct ike_sa *nsa, struct ike_sa *old);
/* Moves the lease and the CHILD SAs from old to nsa. */
void		 sa_take_over(struct ike_sa *nsa, struct ike_sa *old);
/* Sets the IKE SA lifetimes from its phase 1, counted from now. */
void		 sa_set_lifetimes(struct ike_sa *);
/* Half-open SA of this SPIi from this address (IKE_SA_INIT retransmits). */
struct ike_sa	*sa_find_init(struct ikegwd *, const uint8_t spi_i[8],
    const struct sockaddr_storage *remote);
void		 sa_state(struct ike_sa *, enum sa_state);
/* Marks the SA dead: removes its CHILD SAs from the kernel, releases the
   lease (kept sticky), frees it soon.  `why` is logged. */
void		 sa_kill(struct ike_sa *, const char *why);
/* Re-arms the SA timer for its next deadline. */
void		 sa_schedule(struct ike_sa *);
void		 sa_free_all(struct ikegwd *);
json_t		*sa_json(struct ike_sa *);
/* Finds by id or by identity (peer id, EAP id or user name). */
struct ike_sa	*sa_find_id(struct ikegwd *, uint64_t id);
/* The identity duplicates are judged by: EAP identity, else IDi ("" if none). */
const char	*sa_identity(const struct ike_sa *);
/* First ESTABLISHED SA whose identity may equal `identity` (same hash chain:
   compare, then follow hnext_id). */
struct ike_sa	*sa_by_identity(struct ikegwd *, const char *identity);
void		 dgram_set_free(struct dgram_set *);
/* Drops a partly received fragmented message. */
void		 sa_frag_reset(struct ike_sa *);

/* ---------------------------------------------------------------- io.c */

/* Entry for every IKE datagram (marker already stripped). */
void	 ike_input(struct ikegwd *, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote, int natt);

/* An outgoing encrypted message being built: the inner chain. */
struct ike_out {
	struct wbuf	 inner;
	struct ike_gen	 g;
};

void	 ike_out_begin(struct ike_out *);
void	 ike_out_free(struct ike_out *);
/* Encrypts, fragments if needed, caches and sends a response to the
   request with message id msgid.  0 or -1. */
int	 ike_respond(struct ike_sa *, uint8_t exchange, uint32_t msgid, struct ike_out *);
/* Sends a request of ours (retransmitted until answered).  0 or -1. */
int	 ike_request(struct ike_sa *, uint8_t exchange, int kind, struct ike_out *);
/* Sends an unencrypted IKE_SA_INIT response carrying one notify. */
void	 ike_init_notify(struct ikegwd *, const struct ike_hdr *req,
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote, int natt,
    uint16_t ntype, const void *data, size_t len);

/* ---------------------------------------------------------------- exchanges */

void	 exch_init(struct ikegwd *, const struct ike_msg *, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote, int natt);
void	 exch_auth(struct ike_sa *, const struct ike_msg *);
void	 exch_info(struct ike_sa *, const struct ike_msg *);
void	 exch_info_response(struct ike_sa *, const struct ike_msg *, int kind);
void	 exch_child(struct ike_sa *, const struct ike_msg *);
/* Sends a Delete for the IKE SA (terminate, shutdown). */
void	 exch_delete_ike(struct ike_sa *);
/* Sends the Delete that exch_delete_ike() queued behind an open request. */
void	 exch_delete_queued(struct ike_sa *);
/* Sends a Delete for one CHILD SA (hard lifetime) and removes it. */
void	 exch_delete_child(struct ike_sa *, struct child_sa *);
/* Sends a liveness check (dead peer detection). */
void	 exch_dpd(struct ike_sa *);

/* ---------------------------------------------------------------- proposal.c */

/* Chooses an IKE proposal from the peer's SA payload (spi_size 0 in
   IKE_SA_INIT, 8 when rekeying).  Returns the index of the chosen peer
   proposal and fills *out, or -1 (NO_PROPOSAL_CHOSEN). */
int	 proposal_select_ike(const struct ike_config *, const struct cfg_phase1 *,
    const struct ike_pl_sa *, uint8_t spi_size, struct cfg_proposal *out);
/* Same for ESP against the phase 2 list; pfs_group: KE group offered (0 none). */
int	 proposal_select_esp(const struct ike_config *, const struct cfg_phase1 *,
    const struct ike_prop *props, size_t nprops, uint16_t pfs_group,
    struct cfg_proposal *out, uint32_t *peer_spi);
/* Writes one proposal as an SA payload body (for our answers). */
void	 proposal_to_pl(const struct cfg_proposal *, uint8_t proto, const uint8_t *spi,
    uint8_t spi_size, uint8_t num, struct ike_prop *prop, struct ike_xform *xf);

/* ---------------------------------------------------------------- child.c */

/* Negotiates, keys and installs the first CHILD SA of an IKE_AUTH;
   appends SA, TSi, TSr to out.  Returns 0, or the notify type to send. */
uint16_t child_create(struct ike_sa *, struct ike_out *out, const uint8_t *gir,
    size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    struct child_req *req, uint16_t dh);
void	 child_delete(struct ike_sa *, struct child_sa *, int from_kernel);
struct child_sa *child_find_out(struct ike_sa *, uint32_t spi_out);
struct child_sa *child_find_in(struct ike_sa *, uint32_t spi_in);
void	 child_req_free(struct child_req *);
/* Starts rekeying c (soft lifetime or volume).  0, or -1 to try later. */
int	 child_rekey_start(struct ike_sa *, struct child_sa *c);
/* The peer's answer to our rekey. */
void	 child_rekey_done(struct ike_sa *, const struct ike_msg *);
/* Drops our rekey state (the SA is going away). */
void	 child_rekey_free(struct ike_sa *);
/* Starts rekeying the IKE SA (soft lifetime).  0, or -1 to try later. */
int	 ike_rekey_start(struct ike_sa *);
/* The peer's answer to our IKE SA rekey. */
void	 ike_rekey_done(struct ike_sa *, const struct ike_msg *);
void	 ike_rekey_free(struct ike_sa *);
/* Gives up our IKE SA rekey; after a collision (2.8.2) the peer's new SA
   takes the lease and the CHILD SAs, which stayed with the old SA. */
void	 ike_rekey_abandon(struct ike_sa *);
/* The peer rekeys the CHILD SA we are rekeying too: remember its nonces. */
void	 child_rekey_collision(struct ike_sa *, struct child_sa *old, const uint8_t *ni,
    size_t nilen, const uint8_t *nr, size_t nrlen);
/* Compares two nonces as RFC 7296 2.8.1 does ("lowest"): -1, 0 or 1. */
int	 ike_nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* Copies SAi2/TSi/TSr/CP of a message into req. 0 or -1. */
int	 child_req_save(struct child_req *, const struct ike_msg *);

/* ---------------------------------------------------------------- cp.c */

/* Assigns addresses for the client (sticky per identity).  Returns 0, or the
   notify type (INTERNAL_ADDRESS_FAILURE).  Appends the CP reply to out. */
uint16_t cp_assign(struct ike_sa *, struct ike_out *out);
void	 cp_release(struct ike_sa *);

/* ---------------------------------------------------------------- cookie.c */

/* 1 when the request must be answered with a cookie first. */
int	 cookie_required(struct ikegwd *, const struct sockaddr_storage *remote);
/* Computes our cookie for this request into out (returns its length). */
size_t	 cookie_make(struct ikegwd *, const uint8_t *secret, const uint8_t spi_i[8],
    const uint8_t *ni, size_t nilen, const struct sockaddr_storage *remote, uint8_t *out);
/* 1 when the message carries a valid cookie of ours. */
int	 cookie_valid(struct ikegwd *, const struct ike_msg *,
    const struct sockaddr_storage *remote);

#endif
