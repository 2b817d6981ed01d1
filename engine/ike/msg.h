/*
 * msg.h — the IKEv2 wire codec: one parser and one generator for the
 * message header (RFC 7296 3.1), the generic payload chain (3.2) and every
 * payload a road-warrior exchange uses (3.3-3.16, RFC 7383 2.5 for SKF).
 *
 * PARSING (validate, then parse)
 *
 *	struct ike_msg m;
 *	ike_msg_init(&m);
 *	rc = ike_msg_parse(&m, pkt, pktlen);	// header + outer chain
 *	... decrypt m.pl[m.sk_idx].u.sk (the crypto layer) into plain ...
 *	rc = ike_msg_parse_inner(&m, m.pl[m.sk_idx].u.sk.next, plain, plainlen);
 *	... use m.pl[0 .. m.npl-1] ...
 *	ike_msg_free(&m);
 *
 * Ownership: every pointer inside a parsed message (payload bodies, nonce,
 * KE data, notify data, CP attribute values, ...) is BORROWED from the byte
 * buffer handed to ike_msg_parse() or ike_msg_parse_inner(); those buffers
 * must stay alive and unchanged until ike_msg_free().  Small fixed fields
 * (numbers, SPIs of proposals, traffic-selector addresses) are copied.
 * Variable-sized arrays (proposals, transforms, selectors, CP attributes,
 * Delete SPIs) live in an arena owned by the message and freed, all at
 * once, by ike_msg_free().  The payload list itself is fixed-size inside
 * struct ike_msg (IKE_MSG_MAX_PAYLOADS; the struct is about 5 KB).  Data
 * pointers are NULL exactly when their length is 0.  ike_pl.off is the
 * generic header's offset in the buffer the payload came from (the message
 * for outer payloads, the plaintext for inner ones).
 *
 * Order and bounds: payloads are stored in wire order; the outer chain
 * first (m.nouter of them), then those of the decrypted inner chain.  The
 * parser never casts packet bytes to structs: each fixed header is checked
 * against the bytes left, copied into a stack struct with memcpy, and its
 * length fields are checked (declared >= header, declared <= left) before
 * anything behind them is read.
 *
 * Rules enforced (anything else is left to the exchange layer):
 *  - buffer >= 28 bytes, else SHORT (nothing to answer: no SPIs);
 *  - major version 2, else BAD_VERSION (answer INVALID_MAJOR_VERSION);
 *    minor version and unknown flags are ignored (RFC 7296 2.5);
 *  - header length == received length exactly; a datagram longer or
 *    shorter than its length field is MALFORMED (no silent truncation,
 *    no trailing bytes);
 *  - each generic payload length >= 4 and <= the bytes left; the chain
 *    must end (next payload 0) exactly at the end of the buffer;
 *  - at most IKE_MSG_MAX_PAYLOADS payloads per message (outer + inner,
 *    skipped ones included), else TOO_MANY;
 *  - unknown payload type with the critical bit: UNSUPPORTED_CRITICAL with
 *    the type in err.crit_type (answer UNSUPPORTED_CRITICAL_PAYLOAD with
 *    that one byte as data); unknown without it: skipped and counted in
 *    nskipped.  The critical bit of known payloads is recorded, not used;
 *  - SK and SKF must be the last payload of the outer chain and may not
 *    appear inside an inner chain; parsing of the outer chain stops there;
 *  - payload specifics: see the comments on each struct below.
 *
 * BAD_VERSION, MALFORMED, TOO_MANY and UNSUPPORTED_CRITICAL map to a
 * notify the caller may send (ike_parse_rc_notify()); whether to answer an unauthenticated message at
 * all is the exchange layer's call (RFC 7296 2.21).  err.msg holds a short
 * text for debug logs; it never contains packet bytes.
 *
 * GENERATING
 *
 *	struct wbuf wb; struct ike_gen g;
 *	wbuf_init(&wb);
 *	ike_gen_msg(&g, &wb, &hdr);		// header, length fixed up later
 *	ike_gen_sa(&g, &sa); ike_gen_ke(&g, 19, pub, publen); ...
 *	if (ike_gen_finish(&g) == -1) ...	// lengths and chaining done
 *
 * Each payload helper appends one payload and links it into the chain: the
 * "next payload" byte of the previous payload (or of the header) is patched
 * to the new type, lengths are filled in when the payload is complete, and
 * the message length when ike_gen_finish() runs.  Errors are sticky (like
 * struct wbuf): helpers return -1 and every later call fails, so callers
 * may check only ike_gen_finish().
 *
 * Encrypted messages are built in two parts.  The inner chain is built on
 * its own with ike_gen_chain() into a separate wbuf; ike_gen_finish() then
 * leaves its first payload type in g.first.  The crypto layer pads and
 * encrypts those bytes, and builds the outer message with ike_gen_sk() (or
 * ike_gen_skf()), which reserves the IV, ciphertext and ICV regions and
 * reports their offsets in struct ike_sk_layout.  After ike_gen_finish()
 * every length in the header is final, so the crypto layer can fill the IV
 * and ciphertext, then compute the ICV over [hdr_off, icv_off) or use
 * [hdr_off, iv_off) as AEAD associated data.
 *
 * NAT-T: IKE on UDP 4500 carries a 4-byte zero non-ESP marker before the
 * header (RFC 3948 2.2, RFC 7296 2.23).  Strip it before ike_msg_parse()
 * and add it after the message is final (ICVs never cover it).
 */
#ifndef IKEGW_IKE_MSG_H
#define IKEGW_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"
#include "wbuf.h"

#define IKE_MSG_MAX_PAYLOADS	64
#define IKE_NONCE_MIN		16	/* RFC 7296 2.10 */
#define IKE_NONCE_MAX		256
#define IKE_MAX_SPI_LEN		8

/* ------------------------------------------------------------ header */

/* The fixed IKE header (RFC 7296 3.1), host byte order for the numbers. */
struct ike_hdr {
	uint8_t		spi_i[IKE_SPI_LEN];
	uint8_t		spi_r[IKE_SPI_LEN];
	uint8_t		next;		/* first payload type */
	uint8_t		version;	/* major << 4 | minor */
	uint8_t		exchange;	/* enum ike_exchange */
	uint8_t		flags;		/* IKE_FLAG_* */
	uint32_t	msgid;
	uint32_t	length;		/* whole message, header included */
};

/* ------------------------------------------------------------ payloads */

/*
 * SA (3.3).  Proposals must be numbered 1, 2, 3, ... in a request; a single
 * proposal (a response) may carry any number.  Protocol IKE allows SPI
 * size 0 (IKE_SA_INIT) or 8 (rekey), AH/ESP exactly 4, other protocols 0,
 * 4 or 8 (the proposal matcher rejects them).  "Last substructure" bytes
 * must be 2/3 on all but the last proposal/transform and 0 on the last;
 * Num Transforms must equal the transforms present.
 */
struct ike_xform {
	uint8_t		type;		/* enum ike_xform_type */
	uint16_t	id;		/* algorithm */
	uint16_t	keylen;		/* key length attribute in bits, 0 = absent */
	bool		bad_attr;	/* unknown/duplicate/TLV key-length attribute:
					 * the matcher must ignore this proposal
					 * (RFC 7296 3.3.6) */
};

struct ike_prop {
	uint8_t		 num;
	uint8_t		 proto;		/* enum ike_proto */
	uint8_t		 spi_size;	/* 0, 4 or 8 */
	uint8_t		 spi[IKE_MAX_SPI_LEN];	/* copy, spi_size bytes used */
	size_t		 nxforms;
	struct ike_xform *xforms;	/* arena */
};

struct ike_pl_sa {
	size_t		 nprops;	/* >= 1 */
	struct ike_prop	*props;		/* arena */
};

/* KE (3.4): body >= 4 (group, reserved); data may be empty here. */
struct ike_pl_ke {
	uint16_t	 group;		/* enum ike_dh */
	const uint8_t	*data;
	size_t		 len;
};

/* IDi/IDr (3.5): body >= 4; ID_IPV4_ADDR needs 4 data bytes, ID_IPV6_ADDR 16. */
struct ike_pl_id {
	uint8_t		 type;		/* enum ike_id_type */
	const uint8_t	*data;
	size_t		 len;
};	/* IDi'/IDr' of RFC 7296 2.15 is the payload body: ike_pl.body/len */

/* CERT (3.6) and CERTREQ (3.7): body >= 1 (encoding). */
struct ike_pl_cert {
	uint8_t		 enc;		/* enum ike_cert_enc */
	const uint8_t	*data;
	size_t		 len;
};

/* AUTH (3.8): body >= 4 (method, reserved). */
struct ike_pl_auth {
	uint8_t		 method;	/* enum ike_auth_method */
	const uint8_t	*data;
	size_t		 len;
};

/* Nonce (3.9): 16..256 bytes (RFC 7296 2.10). */
struct ike_pl_nonce {
	const uint8_t	*data;
	size_t		 len;
};

/* Notify (3.10): body >= 4; SPI size 0, 4 or 8 and inside the body. */
struct ike_pl_notify {
	uint8_t		 proto;
	uint8_t		 spi_size;
	uint16_t	 type;		/* enum ike_notify */
	const uint8_t	*spi;		/* spi_size bytes, NULL if 0 */
	const uint8_t	*data;
	size_t		 len;
};

/*
 * Delete (3.11): protocol IKE with SPI size 0 and no SPIs, or AH/ESP with
 * SPI size 4; count * size must equal the bytes present.
 */
struct ike_pl_delete {
	uint8_t		 proto;
	uint8_t		 spi_size;
	size_t		 nspi;
	uint32_t	*spis;		/* arena, host order; NULL if nspi == 0 */
};

/* Vendor ID (3.12): any length. */
struct ike_pl_vendor {
	const uint8_t	*data;
	size_t		 len;
};

/*
 * TSi/TSr (3.13): count >= 1 and exactly that many selectors filling the
 * body.  Type 7 has length 16, type 8 length 40; other types (RFC 9478
 * security labels, ...) are kept as opaque entries with length >= 4 for
 * the policy layer to refuse.
 */
struct ike_ts {
	uint8_t		 type;		/* enum ike_ts_type */
	uint8_t		 proto;		/* IP protocol, 0 = any */
	uint16_t	 sport, eport;
	size_t		 alen;		/* 4 or 16; 0 for other types */
	uint8_t		 start[16], end[16];
	const uint8_t	*raw;		/* other types: bytes after the 4-byte */
	size_t		 raw_len;	/* selector header (borrowed) */
};

struct ike_pl_ts {
	size_t		 nts;
	struct ike_ts	*ts;		/* arena */
};

/*
 * SK (3.14): must be the last payload.  The parser cannot look inside; it
 * records where the encrypted region starts so the crypto layer can work
 * on the raw message:  [0, enc_off) = header + SK generic header (the AEAD
 * associated data), [enc_off, msg end) = IV | ciphertext | ICV.
 */
struct ike_pl_sk {
	uint8_t		 next;		/* first inner payload type */
	size_t		 off;		/* SK generic header offset in message */
	size_t		 enc_off;	/* = off + 4 */
	const uint8_t	*body;		/* IV | ciphertext | ICV */
	size_t		 len;
};

/*
 * SKF (RFC 7383 2.5): body >= 4; 1 <= number <= total.  next is the first
 * inner payload type in fragment 1 and should be 0 in the others (not
 * enforced).  [0, enc_off) is the associated data, enc_off = off + 8.
 */
struct ike_pl_skf {
	uint8_t		 next;
	uint16_t	 num;
	uint16_t	 total;
	size_t		 off;
	size_t		 enc_off;
	const uint8_t	*body;		/* IV | ciphertext | ICV */
	size_t		 len;
};

/* CP (3.15): body >= 4; attributes (type, length, value) must fill it. */
struct ike_cp_attr {
	uint16_t	 type;		/* enum ike_cfg_attr, reserved bit cleared */
	const uint8_t	*value;		/* NULL if len == 0 */
	size_t		 len;
};

struct ike_pl_cp {
	uint8_t		 type;		/* enum ike_cfg_type */
	size_t		 nattrs;
	struct ike_cp_attr *attrs;	/* arena */
};

/*
 * EAP (3.16): the EAP length field must equal the payload body length.
 * Request/Response carry a type (length >= 5); Success/Failure are exactly
 * 4 bytes.  Other codes are kept with type 0 and data after the 4 bytes.
 */
struct ike_pl_eap {
	uint8_t		 code;		/* enum eap_code */
	uint8_t		 id;
	uint16_t	 length;
	uint8_t		 type;		/* enum eap_type, 0 if none */
	const uint8_t	*data;		/* type data */
	size_t		 len;
};	/* the whole EAP packet is the payload body: ike_pl.body/len */

struct ike_pl {
	uint8_t		 type;		/* enum ike_payload */
	bool		 critical;
	bool		 inner;		/* from the decrypted chain */
	size_t		 off;		/* generic header offset in its buffer */
	const uint8_t	*body;		/* after the generic header (borrowed) */
	size_t		 len;		/* body length */
	union {
		struct ike_pl_sa	sa;
		struct ike_pl_ke	ke;
		struct ike_pl_id	id;	/* IDI, IDR */
		struct ike_pl_cert	cert;	/* CERT, CERTREQ */
		struct ike_pl_auth	auth;
		struct ike_pl_nonce	nonce;
		struct ike_pl_notify	notify;
		struct ike_pl_delete	del;
		struct ike_pl_vendor	vendor;
		struct ike_pl_ts	ts;	/* TSI, TSR */
		struct ike_pl_sk	sk;
		struct ike_pl_skf	skf;
		struct ike_pl_cp	cp;
		struct ike_pl_eap	eap;
	} u;
};

/* ------------------------------------------------------------ parse */

enum ike_parse_rc {
	IKE_PARSE_OK = 0,
	IKE_PARSE_SHORT,		/* < 28 bytes: no header, drop */
	IKE_PARSE_BAD_VERSION,		/* major != 2 -> INVALID_MAJOR_VERSION */
	IKE_PARSE_MALFORMED,		/* -> INVALID_SYNTAX */
	IKE_PARSE_UNSUPPORTED_CRITICAL,	/* -> UNSUPPORTED_CRITICAL_PAYLOAD(type) */
	IKE_PARSE_TOO_MANY,		/* > IKE_MSG_MAX_PAYLOADS -> INVALID_SYNTAX */
	IKE_PARSE_NOMEM,		/* allocation failed: drop, retry later */
	IKE_PARSE_USAGE,		/* API misuse (e.g. inner chain twice) */
};

struct ike_parse_err {
	enum ike_parse_rc rc;
	uint8_t		 crit_type;	/* for UNSUPPORTED_CRITICAL */
	size_t		 off;		/* where it went wrong, in its buffer */
	char		 msg[96];	/* short text for debug logs */
};

struct ike_arena;

struct ike_msg {
	struct ike_hdr	 hdr;		/* valid unless rc was SHORT */
	const uint8_t	*buf;		/* borrowed: the message given to parse */
	size_t		 len;
	struct ike_pl	 pl[IKE_MSG_MAX_PAYLOADS];
	size_t		 npl;		/* payloads stored */
	size_t		 nouter;	/* of which from the outer chain */
	size_t		 nseen;		/* stored + skipped (the cap counts these) */
	size_t		 nskipped;	/* unknown non-critical payloads */
	int		 sk_idx;	/* index of SK or SKF in pl[], -1 if none */
	bool		 inner_done;	/* ike_msg_parse_inner() ran */
	struct ike_parse_err err;
	struct ike_arena *arena;	/* owned */
};

/* Prepare an empty message.  Never fails. */
void	ike_msg_init(struct ike_msg *m);

/*
 * Free everything the message owns (NULL-safe) and leave it initialised,
 * ready for another parse.  Borrowed buffers are not touched.
 */
void	ike_msg_free(struct ike_msg *m);

/*
 * Peek at the fixed header only (e.g. to find the IKE SA by SPI before a
 * full parse).  Returns 0, or -1 if len < 28.  No other check.
 */
int	ike_hdr_parse(const uint8_t *buf, size_t len, struct ike_hdr *h);

/*
 * Parse a whole message (no NAT-T marker): the header and the outer
 * payload chain, stopping at SK/SKF.  buf is borrowed (see above); any
 * earlier contents of m are freed first.  Returns the result code, also in
 * m->err.rc with a text in m->err.msg.  On failure m->hdr is still valid
 * (unless SHORT) and the payloads parsed so far stay in m->pl.
 */
enum ike_parse_rc ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len);

/*
 * Parse the decrypted inner chain of the message's SK payload (or of a
 * reassembled SKF message) and append its payloads to m->pl with
 * inner = true; offsets are relative to plain.  first is the SK/SKF "next
 * payload" byte; plain (borrowed, must outlive m) holds the plaintext with
 * padding and pad length already removed.  first == 0 with len == 0 is an
 * empty chain (e.g. a liveness check).  Nested SK/SKF is MALFORMED.  May be
 * called once per message.
 */
enum ike_parse_rc ike_msg_parse_inner(struct ike_msg *m, uint8_t first,
	    const uint8_t *plain, size_t len);

/* First payload of type t at index >= *from (NULL when none).  *from is
 * set past the hit so repeated calls iterate; from may be NULL. */
const struct ike_pl *ike_msg_find(const struct ike_msg *m, uint8_t t, size_t *from);
/* First Notify payload of the given notify type, or NULL. */
const struct ike_pl *ike_msg_find_notify(const struct ike_msg *m, uint16_t ntype);
/* Number of payloads of type t. */
size_t	ike_msg_count(const struct ike_msg *m, uint8_t t);

/* Notify type to answer a parse failure with (0: drop silently). */
uint16_t ike_parse_rc_notify(enum ike_parse_rc rc);
const char *ike_parse_rc_name(enum ike_parse_rc rc);

/*
 * Decode SIGNATURE_HASH_ALGORITHMS notify data (RFC 7427 4): a list of
 * 2-byte hash algorithm numbers.  Stores up to max values in out and
 * returns how many the data holds, or -1 if its length is odd.
 */
int	ike_notify_hash_algs(const struct ike_pl_notify *n, uint16_t *out, size_t max);

/* ------------------------------------------------------------ generate */

struct ike_gen {
	struct wbuf	*wb;		/* borrowed; receives the bytes */
	size_t		 hdr_off;	/* header offset, SIZE_MAX for a chain */
	size_t		 start;		/* first byte of this message/chain */
	size_t		 np_off;	/* byte to patch with the next type */
	size_t		 pl_off;	/* open payload's generic header */
	bool		 open;		/* a payload is being built */
	bool		 closed;	/* SK/SKF written: nothing may follow */
	uint8_t		 first;		/* first payload type (0 if none) */
	int		 err;		/* sticky */
};

/* Offsets (in the wbuf) of the regions ike_gen_sk()/ike_gen_skf() reserved. */
struct ike_sk_layout {
	size_t		 pl_off;	/* SK/SKF generic header */
	size_t		 iv_off;	/* end of associated data */
	size_t		 ct_off;
	size_t		 icv_off;
	size_t		 end;
};

/* Start a message at the end of wb: writes the header from h (next and
 * length are ignored, they are filled in as payloads are added; the
 * version is always 2.0). */
int	ike_gen_msg(struct ike_gen *g, struct wbuf *wb, const struct ike_hdr *h);
/* Start a bare payload chain (an SK body before encryption). */
int	ike_gen_chain(struct ike_gen *g, struct wbuf *wb);
/* Close the message: length field (messages), first type in g->first.
 * Returns 0, or -1 if any step failed. */
int	ike_gen_finish(struct ike_gen *g);

/*
 * Low-level: open a payload of type t (writes the generic header and links
 * it), append its body to g->wb directly, then close it (fills its length;
 * -1 if it exceeds 65535).  The typed helpers below use these.
 */
int	ike_gen_begin(struct ike_gen *g, uint8_t t, bool critical);
int	ike_gen_end(struct ike_gen *g);
/* A payload with an opaque body (unknown types, tests, replays). */
int	ike_gen_raw(struct ike_gen *g, uint8_t t, bool critical,
	    const void *body, size_t len);

/* Proposals with num 0 are numbered by position (1, 2, ...); "last" bytes,
 * lengths and the key length attribute (when keylen != 0) are filled in. */
int	ike_gen_sa(struct ike_gen *g, const struct ike_pl_sa *sa);
int	ike_gen_ke(struct ike_gen *g, uint16_t group, const void *data, size_t len);
/* t is IKE_PL_IDI or IKE_PL_IDR. */
int	ike_gen_id(struct ike_gen *g, uint8_t t, uint8_t idtype,
	    const void *data, size_t len);
/* t is IKE_PL_CERT or IKE_PL_CERTREQ. */
int	ike_gen_cert(struct ike_gen *g, uint8_t t, uint8_t enc,
	    const void *data, size_t len);
int	ike_gen_auth(struct ike_gen *g, uint8_t method, const void *data, size_t len);
int	ike_gen_nonce(struct ike_gen *g, const void *data, size_t len);
/* spi_size 0, 4 or 8; spi may be NULL when spi_size is 0. */
int	ike_gen_notify(struct ike_gen *g, uint8_t proto, const void *spi,
	    uint8_t spi_size, uint16_t ntype, const void *data, size_t len);
/* SIGNATURE_HASH_ALGORITHMS with n algorithm numbers (RFC 7427 4). */
int	ike_gen_notify_hash_algs(struct ike_gen *g, const uint16_t *algs, size_t n);
/* proto IKE: nspi must be 0; AH/ESP: SPIs in host order, 4 bytes each. */
int	ike_gen_delete(struct ike_gen *g, uint8_t proto, const uint32_t *spis,
	    size_t nspi);
int	ike_gen_vendor(struct ike_gen *g, const void *data, size_t len);
/* t is IKE_PL_TSI or IKE_PL_TSR; types 7/8 only, alen must fit the type. */
int	ike_gen_ts(struct ike_gen *g, uint8_t t, const struct ike_ts *ts, size_t n);
int	ike_gen_cp(struct ike_gen *g, uint8_t cfgtype,
	    const struct ike_cp_attr *attrs, size_t n);
/* Request/Response: type + data; Success/Failure: 4 bytes, type ignored. */
int	ike_gen_eap(struct ike_gen *g, uint8_t code, uint8_t id, uint8_t type,
	    const void *data, size_t len);
/*
 * SK: reserve iv_len + ct_len + icv_len bytes after the SK generic header,
 * whose next-payload byte is set to inner_first.  Must be the last payload.
 */
int	ike_gen_sk(struct ike_gen *g, uint8_t inner_first, size_t iv_len,
	    size_t ct_len, size_t icv_len, struct ike_sk_layout *out);
/* SKF: as ike_gen_sk with fragment number and total (RFC 7383 2.5). */
int	ike_gen_skf(struct ike_gen *g, uint8_t inner_first, uint16_t num,
	    uint16_t total, size_t iv_len, size_t ct_len, size_t icv_len,
	    struct ike_sk_layout *out);

/*
 * Re-encode a parsed payload with the typed helper for its kind (opaque
 * types and SK/SKF bodies are copied raw).  Used by the tests and the fuzz
 * target; handy to forward or log payloads.
 */
int	ike_gen_payload(struct ike_gen *g, const struct ike_pl *p);

/* ------------------------------------------------------------ NAT-T */

enum ike_natt_kind {
	IKE_NATT_INVALID = 0,	/* too short to be anything */
	IKE_NATT_IKE,		/* 4 zero bytes, then an IKE message */
	IKE_NATT_ESP,		/* non-zero SPI: ESP in UDP (RFC 3948) */
	IKE_NATT_KEEPALIVE,	/* the single byte 0xFF (RFC 3948 2.3) */
};

extern const uint8_t ike_non_esp_marker[IKE_NON_ESP_MARKER_LEN];

/* Classify a UDP/4500 datagram.  ESP needs >= 8 bytes (SPI, sequence). */
enum ike_natt_kind ike_natt_classify(const uint8_t *buf, size_t len);
/*
 * If buf is an IKE datagram on port 4500, point *msg at the message after
 * the marker (borrowed from buf), set *msglen and return 0; otherwise -1.
 */
int	ike_natt_strip(const uint8_t *buf, size_t len, const uint8_t **msg,
	    size_t *msglen);
/* Insert the marker at offset off of wb (the start of a finished message). */
int	ike_natt_add_marker(struct wbuf *wb, size_t off);

#endif
