/*
 * msg.c — IKEv2 message header, generic payload chain, parse/generate
 * framing, NAT-T framing (see msg.h for the model and the rules).
 *
 * RFC 7296 3.1 (header), 3.2 (generic payload header), 3.14 (SK),
 * RFC 7383 2.5 (SKF), RFC 3948 2.2-2.3 (non-ESP marker, keepalive).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "names.h"
#include "payload.h"

/* Wire layouts, copied into with memcpy; never overlaid on packet bytes. */
struct ike_wire_hdr {
	uint8_t		spi_i[IKE_SPI_LEN];
	uint8_t		spi_r[IKE_SPI_LEN];
	uint8_t		next;
	uint8_t		version;
	uint8_t		exchange;
	uint8_t		flags;
	uint32_t	msgid;
	uint32_t	length;
};
_Static_assert(sizeof(struct ike_wire_hdr) == IKE_HDR_LEN, "IKE header layout");

struct ike_wire_gen {
	uint8_t		next;
	uint8_t		flags;		/* C bit + reserved */
	uint16_t	length;
};
_Static_assert(sizeof(struct ike_wire_gen) == IKE_GENERIC_HDR_LEN, "generic header layout");

#define HDR_OFF_NEXT	16	/* offset of "next payload" in the header */
#define HDR_OFF_LENGTH	24	/* offset of "length" in the header */
#define SKF_HDR_LEN	4	/* fragment number + total fragments */

const uint8_t ike_non_esp_marker[IKE_NON_ESP_MARKER_LEN] = { 0, 0, 0, 0 };

/* ------------------------------------------------------------ arena */

/* One allocation per block; blocks chained and freed together. */
struct ike_arena {
	struct ike_arena	*next;
	max_align_t		 data[];
};

void *
ike_arena_alloc(struct ike_msg *m, size_t n, size_t size)
{
	struct ike_arena *a;

	if (n == 0 || size == 0)
		return NULL;
	if (n > (SIZE_MAX - sizeof(*a)) / size)
		return NULL;
	if ((a = calloc(1, sizeof(*a) + n * size)) == NULL)
		return NULL;
	a->next = m->arena;
	m->arena = a;
	return a->data;
}

static void
ike_arena_free(struct ike_arena *a)
{
	struct ike_arena *next;

	for (; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
}

/* ------------------------------------------------------------ messages */

void
ike_msg_init(struct ike_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->sk_idx = -1;
}

void
ike_msg_free(struct ike_msg *m)
{
	if (m == NULL)
		return;
	ike_arena_free(m->arena);
	ike_msg_init(m);
}

enum ike_parse_rc
ike_parse_fail(struct ike_msg *m, enum ike_parse_rc rc, size_t off,
    const char *fmt, ...)
{
	va_list ap;

	m->err.rc = rc;
	m->err.off = off;
	va_start(ap, fmt);
	vsnprintf(m->err.msg, sizeof(m->err.msg), fmt, ap);
	va_end(ap);
	return rc;
}

int
ike_hdr_parse(const uint8_t *buf, size_t len, struct ike_hdr *h)
{
	struct ike_wire_hdr w;

	if (buf == NULL || len < sizeof(w))
		return -1;
	memcpy(&w, buf, sizeof(w));
	memcpy(h->spi_i, w.spi_i, sizeof(h->spi_i));
	memcpy(h->spi_r, w.spi_r, sizeof(h->spi_r));
	h->next = w.next;
	h->version = w.version;
	h->exchange = w.exchange;
	h->flags = w.flags;
	h->msgid = ntohl(w.msgid);
	h->length = ntohl(w.length);
	return 0;
}

/*
 * Walk one payload chain in buf[off, len), starting with type next.  The
 * outer chain stops after SK/SKF, which must end exactly at len.
 */
static enum ike_parse_rc
ike_chain_parse(struct ike_msg *m, uint8_t next, const uint8_t *buf,
    size_t off, size_t len, bool inner)
{
	struct ike_wire_gen	 gh;
	struct ike_pl		*p;
	size_t			 plen;
	enum ike_parse_rc	 rc;

	while (next != IKE_PL_NONE) {
		if (m->nseen >= IKE_MSG_MAX_PAYLOADS)
			return ike_parse_fail(m, IKE_PARSE_TOO_MANY, off,
			    "more than %d payloads", IKE_MSG_MAX_PAYLOADS);
		if (off > len || len - off < sizeof(gh))
			return ike_parse_fail(m, IKE_PARSE_MALFORMED, off,
			    "%s: %zu bytes left, no room for its header",
			    ike_payload_name(next), off > len ? 0 : len - off);
		memcpy(&gh, buf + off, sizeof(gh));
		plen = ntohs(gh.length);
		if (plen < sizeof(gh))
			return ike_parse_fail(m, IKE_PARSE_MALFORMED, off,
			    "%s: payload length %zu < 4",
			    ike_payload_name(next), plen);
		if (plen > len - off)
			return ike_parse_fail(m, IKE_PARSE_MALFORMED, off,
			    "%s: payload length %zu > %zu bytes left",
			    ike_payload_name(next), plen, len - off);
		m->nseen++;

		if (!ike_pl_known(next)) {
			/* RFC 7296 3.2: reject only unknown critical payloads */
			if (gh.flags & IKE_PL_CRITICAL) {
				m->err.crit_type = next;
				return ike_parse_fail(m,
				    IKE_PARSE_UNSUPPORTED_CRITICAL, off,
				    "unsupported critical payload %u", next);
			}
			m->nskipped++;
			next = gh.next;
			off += plen;
			continue;
		}
		if (inner && (next == IKE_PL_SK || next == IKE_PL_SKF))
			return ike_parse_fail(m, IKE_PARSE_MALFORMED, off,
			    "%s inside an encrypted payload",
			    ike_payload_name(next));

		p = &m->pl[m->npl];
		memset(p, 0, sizeof(*p));
		p->type = next;
		p->critical = (gh.flags & IKE_PL_CRITICAL) != 0;
		p->inner = inner;
		p->off = off;
		p->body = buf + off + sizeof(gh);
		p->len = plen - sizeof(gh);
		rc = ike_pl_parse(m, p, buf, off + sizeof(gh), plen - sizeof(gh),
		    gh.next);
		if (rc != IKE_PARSE_OK)
			return rc;
		m->npl++;
		if (!inner)
			m->nouter++;

		if (next == IKE_PL_SK || next == IKE_PL_SKF) {
			/* RFC 7296 3.14, RFC 7383 2.5: must be last */
			if (plen != len - off)
				return ike_parse_fail(m, IKE_PARSE_MALFORMED,
				    off, "%s is not the last payload",
				    ike_payload_name(next));
			m->sk_idx = (int)(m->npl - 1);
			return IKE_PARSE_OK;
		}
		next = gh.next;
		off += plen;
	}
	if (off != len)
		return ike_parse_fail(m, IKE_PARSE_MALFORMED, off,
		    "%zu bytes after the last payload", len - off);
	return IKE_PARSE_OK;
}

enum ike_parse_rc
ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len)
{
	enum ike_parse_rc rc;

	ike_msg_free(m);
	m->buf = buf;
	m->len = len;
	if (ike_hdr_parse(buf, len, &m->hdr) == -1)
		return ike_parse_fail(m, IKE_PARSE_SHORT, 0,
		    "%zu bytes, shorter than the IKE header", len);
	/* RFC 7296 2.5: major version 2; the minor version is ignored */
	if ((m->hdr.version >> 4) != 2)
		return ike_parse_fail(m, IKE_PARSE_BAD_VERSION, 17,
		    "major version %u", m->hdr.version >> 4);
	if (m->hdr.length != len)
		return ike_parse_fail(m, IKE_PARSE_MALFORMED, HDR_OFF_LENGTH,
		    "length field %u, received %zu bytes",
		    (unsigned)m->hdr.length, len);
	rc = ike_chain_parse(m, m->hdr.next, buf, IKE_HDR_LEN, len, false);
	if (rc == IKE_PARSE_OK)
		m->err.rc = IKE_PARSE_OK;
	return rc;
}

enum ike_parse_rc
ike_msg_parse_inner(struct ike_msg *m, uint8_t first, const uint8_t *plain,
    size_t len)
{
	enum ike_parse_rc rc;

	if (m->inner_done)
		return ike_parse_fail(m, IKE_PARSE_USAGE, 0,
		    "inner chain already parsed");
	if (plain == NULL && len != 0)
		return ike_parse_fail(m, IKE_PARSE_USAGE, 0, "no plaintext");
	m->inner_done = true;
	rc = ike_chain_parse(m, first, plain, 0, len, true);
	if (rc == IKE_PARSE_OK)
		m->err.rc = IKE_PARSE_OK;
	return rc;
}

const struct ike_pl *
ike_msg_find(const struct ike_msg *m, uint8_t t, size_t *from)
{
	size_t i;

	for (i = from != NULL ? *from : 0; i < m->npl; i++) {
		if (m->pl[i].type == t) {
			if (from != NULL)
				*from = i + 1;
			return &m->pl[i];
		}
	}
	if (from != NULL)
		*from = m->npl;
	return NULL;
}

const struct ike_pl *
ike_msg_find_notify(const struct ike_msg *m, uint16_t ntype)
{
	size_t i;

	for (i = 0; i < m->npl; i++)
		if (m->pl[i].type == IKE_PL_NOTIFY &&
		    m->pl[i].u.notify.type == ntype)
			return &m->pl[i];
	return NULL;
}

size_t
ike_msg_count(const struct ike_msg *m, uint8_t t)
{
	size_t i, n = 0;

	for (i = 0; i < m->npl; i++)
		if (m->pl[i].type == t)
			n++;
	return n;
}

uint16_t
ike_parse_rc_notify(enum ike_parse_rc rc)
{
	switch (rc) {
	case IKE_PARSE_BAD_VERSION:
		return IKE_N_INVALID_MAJOR_VERSION;
	case IKE_PARSE_MALFORMED:
	case IKE_PARSE_TOO_MANY:
		return IKE_N_INVALID_SYNTAX;
	case IKE_PARSE_UNSUPPORTED_CRITICAL:
		return IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD;
	case IKE_PARSE_OK:
	case IKE_PARSE_SHORT:
	case IKE_PARSE_NOMEM:
	case IKE_PARSE_USAGE:
		break;
	}
	return 0;
}

const char *
ike_parse_rc_name(enum ike_parse_rc rc)
{
	switch (rc) {
	case IKE_PARSE_OK:			return "OK";
	case IKE_PARSE_SHORT:			return "SHORT";
	case IKE_PARSE_BAD_VERSION:		return "BAD_VERSION";
	case IKE_PARSE_MALFORMED:		return "MALFORMED";
	case IKE_PARSE_UNSUPPORTED_CRITICAL:	return "UNSUPPORTED_CRITICAL";
	case IKE_PARSE_TOO_MANY:		return "TOO_MANY";
	case IKE_PARSE_NOMEM:			return "NOMEM";
	case IKE_PARSE_USAGE:			return "USAGE";
	}
	return "UNKNOWN";
}

/* ------------------------------------------------------------ generator */

static int
ike_gen_fail(struct ike_gen *g)
{
	g->err = 1;
	return -1;
}

static void
ike_gen_start(struct ike_gen *g, struct wbuf *wb)
{
	memset(g, 0, sizeof(*g));
	g->wb = wb;
	g->hdr_off = SIZE_MAX;
	g->np_off = SIZE_MAX;
	g->start = wb->len;
	if (wbuf_error(wb) == -1)
		g->err = 1;
}

int
ike_gen_msg(struct ike_gen *g, struct wbuf *wb, const struct ike_hdr *h)
{
	ike_gen_start(g, wb);
	if (g->err)
		return -1;
	g->hdr_off = wb->len;
	g->np_off = g->hdr_off + HDR_OFF_NEXT;
	wbuf_put(wb, h->spi_i, IKE_SPI_LEN);
	wbuf_put(wb, h->spi_r, IKE_SPI_LEN);
	wbuf_put_u8(wb, IKE_PL_NONE);
	wbuf_put_u8(wb, IKE_VERSION);
	wbuf_put_u8(wb, h->exchange);
	wbuf_put_u8(wb, h->flags);
	wbuf_put_u32(wb, h->msgid);
	wbuf_put_u32(wb, 0);		/* fixed up by ike_gen_finish */
	if (wbuf_error(wb) == -1)
		return ike_gen_fail(g);
	return 0;
}

int
ike_gen_chain(struct ike_gen *g, struct wbuf *wb)
{
	ike_gen_start(g, wb);
	return g->err ? -1 : 0;
}

int
ike_gen_begin(struct ike_gen *g, uint8_t t, bool critical)
{
	if (g->err || g->open || g->closed || t == IKE_PL_NONE)
		return ike_gen_fail(g);
	/* link: the previous next-payload byte (or the header's) names us */
	if (g->np_off != SIZE_MAX && wbuf_set_u8(g->wb, g->np_off, t) == -1)
		return ike_gen_fail(g);
	if (g->first == IKE_PL_NONE)
		g->first = t;
	g->pl_off = g->wb->len;
	g->np_off = g->pl_off;
	g->open = true;
	wbuf_put_u8(g->wb, IKE_PL_NONE);
	wbuf_put_u8(g->wb, critical ? IKE_PL_CRITICAL : 0);
	wbuf_put_u16(g->wb, 0);		/* fixed up by ike_gen_end */
	if (wbuf_error(g->wb) == -1)
		return ike_gen_fail(g);
	return 0;
}

int
ike_gen_end(struct ike_gen *g)
{
	size_t plen;

	if (g->err || !g->open || wbuf_error(g->wb) == -1)
		return ike_gen_fail(g);
	g->open = false;
	plen = g->wb->len - g->pl_off;
	if (plen > UINT16_MAX)
		return ike_gen_fail(g);
	if (wbuf_set_u16(g->wb, g->pl_off + 2, (uint16_t)plen) == -1)
		return ike_gen_fail(g);
	return 0;
}

int
ike_gen_finish(struct ike_gen *g)
{
	size_t mlen;

	if (g->err || g->open || wbuf_error(g->wb) == -1)
		return ike_gen_fail(g);
	if (g->hdr_off == SIZE_MAX)
		return 0;
	mlen = g->wb->len - g->hdr_off;
	if (mlen > UINT32_MAX)
		return ike_gen_fail(g);
	if (wbuf_set_u32(g->wb, g->hdr_off + HDR_OFF_LENGTH, (uint32_t)mlen) == -1)
		return ike_gen_fail(g);
	return 0;
}

int
ike_gen_raw(struct ike_gen *g, uint8_t t, bool critical, const void *body,
    size_t len)
{
	if (ike_gen_begin(g, t, critical) == -1)
		return -1;
	wbuf_put(g->wb, body, len);
	return ike_gen_end(g);
}

/* Shared by SK and SKF: the encrypted region after a fixed prefix. */
static int
ike_gen_encrypted(struct ike_gen *g, uint8_t t, uint8_t inner_first,
    const uint8_t *prefix, size_t prefix_len, size_t iv_len, size_t ct_len,
    size_t icv_len, struct ike_sk_layout *out)
{
	struct ike_sk_layout l;

	if (iv_len > UINT16_MAX || ct_len > UINT16_MAX || icv_len > UINT16_MAX)
		return ike_gen_fail(g);
	if (ike_gen_begin(g, t, false) == -1)
		return -1;
	/* the inner type goes into our own next-payload byte, and nothing
	 * may follow (RFC 7296 3.14, RFC 7383 2.5) */
	if (wbuf_set_u8(g->wb, g->pl_off, inner_first) == -1)
		return ike_gen_fail(g);
	g->np_off = SIZE_MAX;
	l.pl_off = g->pl_off;
	wbuf_put(g->wb, prefix, prefix_len);
	if (wbuf_reserve(g->wb, iv_len, &l.iv_off) == -1 ||
	    wbuf_reserve(g->wb, ct_len, &l.ct_off) == -1 ||
	    wbuf_reserve(g->wb, icv_len, &l.icv_off) == -1)
		return ike_gen_fail(g);
	l.end = g->wb->len;
	if (ike_gen_end(g) == -1)
		return -1;
	g->closed = true;
	if (out != NULL)
		*out = l;
	return 0;
}

int
ike_gen_sk(struct ike_gen *g, uint8_t inner_first, size_t iv_len,
    size_t ct_len, size_t icv_len, struct ike_sk_layout *out)
{
	return ike_gen_encrypted(g, IKE_PL_SK, inner_first, NULL, 0, iv_len,
	    ct_len, icv_len, out);
}

int
ike_gen_skf(struct ike_gen *g, uint8_t inner_first, uint16_t num,
    uint16_t total, size_t iv_len, size_t ct_len, size_t icv_len,
    struct ike_sk_layout *out)
{
	uint8_t prefix[SKF_HDR_LEN] = { (uint8_t)(num >> 8), (uint8_t)num,
	    (uint8_t)(total >> 8), (uint8_t)total };

	/* RFC 7383 2.5: 1 <= number <= total */
	if (num == 0 || num > total)
		return ike_gen_fail(g);
	return ike_gen_encrypted(g, IKE_PL_SKF, inner_first, prefix,
	    sizeof(prefix), iv_len, ct_len, icv_len, out);
}

/* ------------------------------------------------------------ NAT-T */

enum ike_natt_kind
ike_natt_classify(const uint8_t *buf, size_t len)
{
	if (buf == NULL)
		return IKE_NATT_INVALID;
	if (len == 1 && buf[0] == 0xff)
		return IKE_NATT_KEEPALIVE;
	if (len < IKE_NON_ESP_MARKER_LEN)
		return IKE_NATT_INVALID;
	if (memcmp(buf, ike_non_esp_marker, IKE_NON_ESP_MARKER_LEN) == 0)
		return IKE_NATT_IKE;
	/* RFC 4303: SPI and sequence number are the least an ESP packet has */
	if (len < 8)
		return IKE_NATT_INVALID;
	return IKE_NATT_ESP;
}

int
ike_natt_strip(const uint8_t *buf, size_t len, const uint8_t **msg,
    size_t *msglen)
{
	if (ike_natt_classify(buf, len) != IKE_NATT_IKE)
		return -1;
	*msg = buf + IKE_NON_ESP_MARKER_LEN;
	*msglen = len - IKE_NON_ESP_MARKER_LEN;
	return 0;
}

int
ike_natt_add_marker(struct wbuf *wb, size_t off)
{
	return wbuf_insert(wb, off, ike_non_esp_marker, IKE_NON_ESP_MARKER_LEN);
}
