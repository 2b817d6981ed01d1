/*
 * esp — userspace ESP (RFC 4303) for the "tun" kernel backend: the SA table
 * (hashed by inbound SPI, routes by inner destination), per-SA OpenSSL
 * contexts prepared once, the anti-replay window (with ESN, RFC 4303
 * appendix A), encapsulation and decapsulation in tunnel mode, and the
 * counters: bytes, packets and last use per SA, drops per reason per SA and
 * for the whole table.
 *
 * Nothing here does I/O or knows about TUN devices or sockets (tun.c does);
 * everything runs on one thread.  Packets are processed in place where the
 * cipher allows it: esp_encap() encrypts the inner packet where it lies and
 * writes the ESP header in the headroom before it; esp_decap() decrypts into
 * a caller buffer (the one copy decryption makes anyway).
 *
 * Wire format (RFC 4303 2, RFC 4106 3, RFC 3602):
 *
 *	SPI(4) | Sequence(4) | IV(8 or 16) | E(inner | pad 1,2,3.. | padlen | next) | ICV
 *
 *	AES-GCM / ChaCha20-Poly1305: nonce = salt(4, from KEYMAT) | IV(8),
 *	AAD = SPI | seq (| seq_hi | seq_lo with ESN: 12 bytes).
 *	AES-CBC, 3DES: ICV = HMAC(SPI | seq | IV | ciphertext (| seq_hi with ESN)).
 */
#ifndef IKEGW_KERNEL_ESP_H
#define IKEGW_KERNEL_ESP_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "kernel.h"
#include "engine/ike/crypto.h"

#define ESP_HDR_LEN		8
#define ESP_IV_MAX		16
#define ESP_ICV_MAX		32
/* Room esp_encap() needs before and after the inner packet. */
#define ESP_HEADROOM		(ESP_HDR_LEN + ESP_IV_MAX)
#define ESP_TAILROOM		(16 + 2 + ESP_ICV_MAX)
/* Replay bitmap (RFC 6479 style): ESP_REPLAY_WORDS 64-bit words, of which
   one is the slack that lets the window slide a word at a time. */
#define ESP_REPLAY_WORDS	32
#define ESP_REPLAY_WINDOW	((ESP_REPLAY_WORDS - 1) * 64)	/* 1984 packets */
#define ESP_HASH		1024
#define ESP_CBC_IV_POOL		4096	/* random bytes fetched at a time */

/* Why a packet was dropped.  ESP_OK is not a drop. */
enum esp_drop {
	ESP_OK = 0,
	ESP_DROP_MALFORMED,	/* too short, bad length or block alignment */
	ESP_DROP_SPI,		/* no SA with this SPI */
	ESP_DROP_REPLAY,	/* sequence number seen or left of the window */
	ESP_DROP_ICV,		/* integrity check failed */
	ESP_DROP_PAD,		/* pad length or padding bytes wrong */
	ESP_DROP_PROTO,		/* next header not IPv4/IPv6 (or not the inner version) */
	ESP_DROP_SELECTOR,	/* inner addresses outside the CHILD SA's selectors */
	ESP_DROP_EXPIRED,	/* hard byte/packet limit reached */
	ESP_DROP_NO_SA,		/* outbound: no CHILD SA for the destination */
	ESP_DROP_SEQ,		/* outbound: sequence numbers exhausted */
	ESP_DROP_TOO_BIG,	/* outbound: larger than the TUN read buffer */
	ESP_DROP_IO,		/* the TUN write or the UDP send failed */
	ESP_DROP_MAX
};

/* "replay", "icv", ... (the keys of the counters in JSON). */
const char	*esp_drop_name(enum esp_drop);

struct esp_dir_stats {
	uint64_t	 bytes;		/* inner packet bytes */
	uint64_t	 packets;
	time_t		 last;		/* 0: never */
};

struct esp_route;

/* One CHILD SA: both directions.  Owned by its table. */
struct esp_sa {
	struct esp_sa	*hnext;		/* chain in by_spi */
	struct esp_sa	*next;		/* list of all */
	uint32_t	 spi_in, spi_out;
	uint32_t	 reqid;
	uint64_t	 ike_sa_id;
	struct sockaddr_storage local, remote;	/* outer, with ports */
	int		 encap;

	const struct ike_encr_alg  *encr;
	const struct ike_integ_alg *integ;	/* NULL with AEAD */
	int		 esn;
	size_t		 ivlen, icvlen, blocklen;
	struct evp_cipher_ctx_st *ctx_in, *ctx_out;
	struct evp_mac_ctx_st	 *mac_in, *mac_out;
	uint8_t		 salt_in[4], salt_out[4];

	uint64_t	 seq_out;	/* last sequence number sent */
	uint64_t	 iv_ctr;	/* AEAD IVs: a counter, unique per SA */
	uint8_t		 ivpool[ESP_CBC_IV_POOL];	/* CBC IVs: random, fetched in batches */
	size_t		 ivpool_left;

	uint64_t	 replay_top;	/* highest authenticated sequence number */
	uint64_t	 replay_map[ESP_REPLAY_WORDS];

	struct cfg_net	 ts_local[KERNEL_MAX_TS];
	size_t		 nts_local;
	struct cfg_net	 ts_remote[KERNEL_MAX_TS];
	size_t		 nts_remote;
	struct esp_route *routes;	/* one per remote selector */

	struct esp_dir_stats in, out;
	uint64_t	 drops[ESP_DROP_MAX];
	uint64_t	 soft_bytes, hard_bytes, soft_packets, hard_packets;
	int		 soft_hit, hard_hit;	/* limit crossed (sticky) */
	int		 soft_told, hard_told;	/* reported by esp_table_expired() */
};

struct esp_table;

/* An empty table; NULL when out of memory.  Free with esp_table_free(). */
struct esp_table *esp_table_new(void);
/* Frees every SA (keys and contexts wiped).  NULL-safe. */
void	 esp_table_free(struct esp_table *);

/*
 * Adds a CHILD SA from the IKE side's description (keys copied into
 * prepared OpenSSL contexts).  legacy allows 3DES and HMAC-SHA1-96.
 * Returns the SA, or NULL with a message (unsupported algorithm, wrong key
 * size, duplicate SPI, out of memory).
 */
struct esp_sa	*esp_sa_add(struct esp_table *, const struct kernel_child *, int legacy,
    char *err, size_t errlen);
/* Removes and frees; 0, or -1 when there is no such SA. */
int		 esp_sa_del(struct esp_table *, uint32_t spi_in);
struct esp_sa	*esp_sa_find(struct esp_table *, uint32_t spi_in);
/* The SA list, for iteration (borrowed). */
struct esp_sa	*esp_sa_first(struct esp_table *);
/* New outer addresses (NAT-T mapping, MOBIKE). 0 or -1. */
int		 esp_sa_update(struct esp_table *, uint32_t spi_in, const struct sockaddr *local,
    const struct sockaddr *remote, int encap);
/* Number of SAs other than `except` with a remote selector equal to n. */
size_t		 esp_route_users(struct esp_table *, const struct cfg_net *n,
    const struct esp_sa *except);

/*
 * Outbound: the SA whose remote selectors contain the destination address
 * (4 or 16 bytes); host selectors by hash, wider ones longest prefix first;
 * the most recently added SA wins a tie.  NULL when none.
 */
struct esp_sa	*esp_route_lookup(struct esp_table *, int family, const uint8_t *dst);

/*
 * Decapsulates one ESP packet (the UDP payload, non-ESP marker absent):
 * SA by SPI, replay check, ICV, decryption into out (capacity outcap; len
 * suffices), padding, next header, inner source and destination against the
 * selectors, then the window moves and the counters count.  On ESP_OK the
 * inner IP packet is out[0 .. *outlen) and *sap its SA.  Any other value is
 * the drop reason, already counted (in the SA when one was found, always in
 * the table).  Never reads outside pkt[0 .. len).
 */
enum esp_drop	 esp_decap(struct esp_table *, const uint8_t *pkt, size_t len, uint8_t *out,
    size_t outcap, size_t *outlen, struct esp_sa **sap, time_t now);

/*
 * Encapsulates the inner IP packet at pkt[0 .. len) for sa, if its source
 * and destination lie in the SA's local and remote selectors (else
 * ESP_DROP_SELECTOR: RFC 4301 5.1, nothing else enters the tunnel).  The caller
 * guarantees ESP_HEADROOM writable bytes before pkt and ESP_TAILROOM after
 * pkt + len.  On ESP_OK the ESP packet is (*outp)[0 .. *outlen); otherwise
 * the drop reason, already counted.
 */
enum esp_drop	 esp_encap(struct esp_table *, struct esp_sa *sa, uint8_t *pkt, size_t len,
    uint8_t **outp, size_t *outlen, time_t now);

/*
 * The two halves without the packet logic, for known-answer tests:
 * esp_seal() protects buf[ESP_HDR_LEN + ivlen .. + plainlen) (inner packet
 * and trailer already there) with sequence number seq and the given IV,
 * writes the header and the ICV after the ciphertext; returns the packet
 * length or 0 on failure.  esp_open() checks the ICV and decrypts pkt into
 * out (plaintext with trailer, *plainlen); the 64-bit sequence number
 * (ESN high half inferred from the window) goes to *seq.  It does not look
 * at or move the replay window beyond inferring the high half.  0 / drop.
 */
size_t		 esp_seal(struct esp_sa *, uint8_t *buf, size_t plainlen, uint64_t seq,
    const uint8_t *iv);
enum esp_drop	 esp_open(struct esp_sa *, const uint8_t *pkt, size_t len, uint8_t *out,
    size_t outcap, size_t *plainlen, uint64_t *seq);

/*
 * Replay window (RFC 4303 3.4.3, appendix A2 for ESN).  esp_replay_seq()
 * turns the 32 bits on the wire into the full sequence number; check says
 * whether it may be accepted, update records it after the ICV passed.
 */
uint64_t	 esp_replay_seq(const struct esp_sa *, uint32_t wire);
int		 esp_replay_check(const struct esp_sa *, uint64_t seq);
void		 esp_replay_update(struct esp_sa *, uint64_t seq);

/*
 * Soft/hard limits crossed since the last call: calls fn once per SA and
 * limit (hard 0 or 1).  fn must not add or delete SAs: it collects SPIs
 * and the caller acts on them afterwards.
 */
void		 esp_table_expired(struct esp_table *,
    void (*fn)(void *arg, const struct esp_sa *, int hard), void *arg);
/* 1 when some SA crossed a limit not reported yet. */
int		 esp_table_expiry_pending(const struct esp_table *);

/* Counts a drop seen outside esp_decap/esp_encap (I/O); sa may be NULL. */
void		 esp_count_drop(struct esp_table *, struct esp_sa *, enum esp_drop);
/* Table-wide drop counters (every drop, attributable or not). */
const uint64_t	*esp_table_drops(const struct esp_table *);
/* {"drops": {reason: n, ...}, "sas": n} — new reference. */
json_t		*esp_table_json(const struct esp_table *);
/* One SA for ikegwctl kernel-sas (never a key) — new reference. */
json_t		*esp_sa_json(const struct esp_sa *);

#endif
