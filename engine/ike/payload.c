/*
 * payload.c — validate, parse and generate the body of each IKEv2 payload
 * (RFC 7296 3.3-3.16, RFC 7383 2.5, RFC 7427 4).  msg.c handles the
 * message header and the generic payload headers; see msg.h for the rules.
 *
 * Every parser gets (buf, off, left): the chain's buffer and the body's
 * offset and length.  Fixed headers are checked against left, copied into
 * stack structs with memcpy, and their length fields are checked before
 * anything behind them is read.  Structures with sub-elements (SA, TS, CP,
 * Delete) are walked twice by the same function: once to validate and
 * count (out == NULL), once to fill the arrays allocated in between.
 *
 * The generators refuse what the parsers would reject (same predicates),
 * so a message this codec builds always parses.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "msg.h"
#include "names.h"
#include "payload.h"

/* ------------------------------------------------------------ wire layouts */

struct ike_wire_prop {			/* RFC 7296 3.3.1 */
	uint8_t		last;
	uint8_t		reserved;
	uint16_t	length;
	uint8_t		num;
	uint8_t		proto;
	uint8_t		spi_size;
	uint8_t		nxforms;
};
_Static_assert(sizeof(struct ike_wire_prop) == 8, "proposal layout");

struct ike_wire_xform {			/* RFC 7296 3.3.2 */
	uint8_t		last;
	uint8_t		reserved;
	uint16_t	length;
	uint8_t		type;
	uint8_t		reserved2;
	uint16_t	id;
};
_Static_assert(sizeof(struct ike_wire_xform) == 8, "transform layout");

struct ike_wire_attr {			/* RFC 7296 3.3.5 */
	uint16_t	type;		/* AF bit + type */
	uint16_t	value;		/* TV: value; TLV: length */
};
_Static_assert(sizeof(struct ike_wire_attr) == 4, "attribute layout");

struct ike_wire_ke {			/* RFC 7296 3.4 */
	uint16_t	group;
	uint16_t	reserved;
};
_Static_assert(sizeof(struct ike_wire_ke) == 4, "KE layout");

/* ID (3.5), AUTH (3.8), TS count (3.13), CP (3.15): one byte, 3 reserved */
struct ike_wire_byte3 {
	uint8_t		value;
	uint8_t		reserved[3];
};
_Static_assert(sizeof(struct ike_wire_byte3) == 4, "byte+reserved layout");

struct ike_wire_notify {		/* RFC 7296 3.10 */
	uint8_t		proto;
	uint8_t		spi_size;
	uint16_t	type;
};
_Static_assert(sizeof(struct ike_wire_notify) == 4, "notify layout");

struct ike_wire_delete {		/* RFC 7296 3.11 */
	uint8_t		proto;
	uint8_t		spi_size;
	uint16_t	nspi;
};
_Static_assert(sizeof(struct ike_wire_delete) == 4, "delete layout");

struct ike_wire_ts {			/* RFC 7296 3.13.1, first 4 bytes */
	uint8_t		type;
	uint8_t		proto;
	uint16_t	length;
};
_Static_assert(sizeof(struct ike_wire_ts) == 4, "TS layout");

struct ike_wire_ports {
	uint16_t	sport;
	uint16_t	eport;
};
_Static_assert(sizeof(struct ike_wire_ports) == 4, "TS ports layout");

struct ike_wire_cfg_attr {		/* RFC 7296 3.15.1 */
	uint16_t	type;		/* R bit + type */
	uint16_t	length;
};
_Static_assert(sizeof(struct ike_wire_cfg_attr) == 4, "CP attribute layout");

struct ike_wire_eap {			/* RFC 3748 4 */
	uint8_t		code;
	uint8_t		id;
	uint16_t	length;
};
_Static_assert(sizeof(struct ike_wire_eap) == 4, "EAP layout");

struct ike_wire_skf {			/* RFC 7383 2.5 */
	uint16_t	num;
	uint16_t	total;
};
_Static_assert(sizeof(struct ike_wire_skf) == 4, "SKF layout");

#define TS_RANGE_HDR	8	/* type, proto, length, ports */
#define EAP_TYPE_OFF	4

/* ------------------------------------------------------------ shared rules */

/* RFC 7296 3.3.1: IKE 0 (IKE_SA_INIT) or 8 (rekey), AH/ESP 4. */
static bool
prop_spi_size_ok(uint8_t proto, uint8_t size)
{
	switch (proto) {
	case IKE_PROTO_IKE:
		return size == 0 || size == IKE_SPI_LEN;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		return size == 4;
	}
	return size == 0 || size == 4 || size == IKE_SPI_LEN;
}

static bool
notify_spi_size_ok(uint8_t size)
{
	return size == 0 || size == 4 || size == IKE_SPI_LEN;
}

/* RFC 7296 3.11: IKE: no SPI at all; AH/ESP: 4-byte SPIs. */
static bool
delete_ok(uint8_t proto, uint8_t size, size_t nspi)
{
	switch (proto) {
	case IKE_PROTO_IKE:
		return size == 0 && nspi == 0;
	case IKE_PROTO_AH:
	case IKE_PROTO_ESP:
		return size == 4;
	}
	return false;
}

static bool
id_len_ok(uint8_t type, size_t len)
{
	switch (type) {
	case IKE_ID_IPV4_ADDR:
		return len == 4;
	case IKE_ID_IPV6_ADDR:
		return len == 16;
	}
	return true;
}

/* RFC 7296 2.10: at least 16 and at most 256 bytes. */
static bool
nonce_len_ok(size_t len)
{
	return len >= IKE_NONCE_MIN && len <= IKE_NONCE_MAX;
}

/* Address length of a traffic selector type, 0 for types we keep opaque. */
static size_t
ts_addr_len(uint8_t type)
{
	switch (type) {
	case IKE_TS_IPV4_ADDR_RANGE:
		return 4;
	case IKE_TS_IPV6_ADDR_RANGE:
		return 16;
	}
	return 0;
}

bool
ike_pl_known(uint8_t t)
{
	switch (t) {
	case IKE_PL_SA:
	case IKE_PL_KE:
	case IKE_PL_IDI:
	case IKE_PL_IDR:
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ:
	case IKE_PL_AUTH:
	case IKE_PL_NONCE:
	case IKE_PL_NOTIFY:
	case IKE_PL_DELETE:
	case IKE_PL_VENDOR:
	case IKE_PL_TSI:
	case IKE_PL_TSR:
	case IKE_PL_SK:
	case IKE_PL_CP:
	case IKE_PL_EAP:
	case IKE_PL_SKF:
		return true;
	}
	return false;
}

/* Borrowed pointer to buf[off, off + len), NULL when len is 0. */
static const uint8_t *
ptr_or_null(const uint8_t *buf, size_t off, size_t len)
{
	return len == 0 ? NULL : buf + off;
}

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return ntohs(v);
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

#define FAIL(m, off, ...) \
	ike_parse_fail((m), IKE_PARSE_MALFORMED, (off), __VA_ARGS__)
#define NOMEM(m, off) \
	ike_parse_fail((m), IKE_PARSE_NOMEM, (off), "out of memory")

/* ------------------------------------------------------------ SA */

/*
 * Transform attributes in buf[off, off + left) (RFC 7296 3.3.5).  Only
 * Key Length in TV form is understood; anything else, a repeat or a zero
 * key length marks the transform bad_attr (RFC 7296 3.3.6: the proposal
 * must then be ignored), but only an overrun makes the message malformed.
 */
static enum ike_parse_rc
sa_attrs_walk(struct ike_msg *m, const uint8_t *buf, size_t off, size_t left,
    struct ike_xform *out)
{
	struct ike_wire_attr	wa;
	size_t			alen;
	uint16_t		type, value;

	while (left > 0) {
		if (left < sizeof(wa))
			return FAIL(m, off, "SA: transform attribute header "
			    "truncated (%zu bytes)", left);
		memcpy(&wa, buf + off, sizeof(wa));
		type = ntohs(wa.type);
		value = ntohs(wa.value);
		alen = sizeof(wa);
		if (!(type & IKE_ATTR_TV)) {
			alen += value;
			if (alen > left)
				return FAIL(m, off, "SA: transform attribute "
				    "length %u overruns its transform", value);
		}
		if (out != NULL) {
			if (type == (IKE_ATTR_TV | IKE_ATTR_KEY_LENGTH) &&
			    out->keylen == 0 && value != 0)
				out->keylen = value;
			else
				out->bad_attr = true;
		}
		off += alen;
		left -= alen;
	}
	return IKE_PARSE_OK;
}

/* One transform at buf[off], at most left bytes (RFC 7296 3.3.2). */
static enum ike_parse_rc
sa_xform_walk(struct ike_msg *m, const uint8_t *buf, size_t off, size_t left,
    size_t *tlen_out, struct ike_xform *out)
{
	struct ike_wire_xform	wx;
	size_t			tlen;
	uint8_t			want;

	if (left < sizeof(wx))
		return FAIL(m, off, "SA: transform header truncated "
		    "(%zu bytes)", left);
	memcpy(&wx, buf + off, sizeof(wx));
	tlen = ntohs(wx.length);
	if (tlen < sizeof(wx) || tlen > left)
		return FAIL(m, off, "SA: transform length %zu, %zu bytes left",
		    tlen, left);
	want = tlen < left ? IKE_LAST_MORE_XFORMS : IKE_LAST_NONE;
	if (wx.last != want)
		return FAIL(m, off, "SA: transform 'last substructure' %u, "
		    "expected %u", wx.last, want);
	if (out != NULL) {
		out->type = wx.type;
		out->id = ntohs(wx.id);
	}
	*tlen_out = tlen;
	return sa_attrs_walk(m, buf, off + sizeof(wx), tlen - sizeof(wx), out);
}

/* One proposal at buf[off], at most left bytes (RFC 7296 3.3.1). */
static enum ike_parse_rc
sa_prop_walk(struct ike_msg *m, const uint8_t *buf, size_t off, size_t left,
    size_t *plen_out, uint8_t *num_out, struct ike_prop *out)
{
	struct ike_wire_prop	wp;
	enum ike_parse_rc	rc;
	size_t			plen, o, end, tlen = 0, n;
	uint8_t			want;

	if (left < sizeof(wp))
		return FAIL(m, off, "SA: proposal header truncated (%zu bytes)",
		    left);
	memcpy(&wp, buf + off, sizeof(wp));
	plen = ntohs(wp.length);
	if (plen < sizeof(wp) + wp.spi_size || plen > left)
		return FAIL(m, off, "SA: proposal length %zu, SPI size %u, "
		    "%zu bytes left", plen, wp.spi_size, left);
	want = plen < left ? IKE_LAST_MORE_PROPOSALS : IKE_LAST_NONE;
	if (wp.last != want)
		return FAIL(m, off, "SA: proposal 'last substructure' %u, "
		    "expected %u", wp.last, want);
	if (wp.num == 0)
		return FAIL(m, off, "SA: proposal number 0");
	if (!prop_spi_size_ok(wp.proto, wp.spi_size))
		return FAIL(m, off, "SA: proposal %u: SPI size %u for %s",
		    wp.num, wp.spi_size, ike_proto_name(wp.proto));

	if (out != NULL) {
		out->num = wp.num;
		out->proto = wp.proto;
		out->spi_size = wp.spi_size;
		memcpy(out->spi, buf + off + sizeof(wp), wp.spi_size);
		out->nxforms = wp.nxforms;
		out->xforms = ike_arena_alloc(m, wp.nxforms,
		    sizeof(*out->xforms));
		if (wp.nxforms > 0 && out->xforms == NULL)
			return NOMEM(m, off);
	}

	end = off + plen;
	n = 0;
	for (o = off + sizeof(wp) + wp.spi_size; o < end; o += tlen) {
		if (n == wp.nxforms)
			return FAIL(m, o, "SA: proposal %u: more transforms "
			    "than the %u announced", wp.num, wp.nxforms);
		rc = sa_xform_walk(m, buf, o, end - o, &tlen,
		    out != NULL ? &out->xforms[n] : NULL);
		if (rc != IKE_PARSE_OK)
			return rc;
		n++;
	}
	if (n != wp.nxforms)
		return FAIL(m, off, "SA: proposal %u: %zu transforms, %u "
		    "announced", wp.num, n, wp.nxforms);
	*plen_out = plen;
	*num_out = wp.num;
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_sa(struct ike_msg *m, struct ike_pl_sa *sa, const uint8_t *buf, size_t off,
    size_t left)
{
	enum ike_parse_rc	rc;
	size_t			o, end = off + left, plen = 0, n;
	uint8_t			num, first = 0, prev = 0;

	if (left == 0)
		return FAIL(m, off, "SA: no proposal");
	/* validate, count and check numbering */
	n = 0;
	for (o = off; o < end; o += plen) {
		rc = sa_prop_walk(m, buf, o, end - o, &plen, &num, NULL);
		if (rc != IKE_PARSE_OK)
			return rc;
		if (n == 0)
			first = num;
		else if (num != (uint8_t)(prev + 1) || prev == 255)
			return FAIL(m, o, "SA: proposal %u follows %u", num,
			    prev);
		prev = num;
		n++;
	}
	/* RFC 7296 3.3.1: a list of proposals starts at 1 */
	if (n > 1 && first != 1)
		return FAIL(m, off, "SA: first of %zu proposals is number %u",
		    n, first);

	if ((sa->props = ike_arena_alloc(m, n, sizeof(*sa->props))) == NULL)
		return NOMEM(m, off);
	sa->nprops = n;
	n = 0;
	for (o = off; o < end; o += plen) {
		rc = sa_prop_walk(m, buf, o, end - o, &plen, &num,
		    &sa->props[n++]);
		if (rc != IKE_PARSE_OK)
			return rc;
	}
	return IKE_PARSE_OK;
}

/* ------------------------------------------------------------ simple ones */

static enum ike_parse_rc
pl_ke(struct ike_msg *m, struct ike_pl_ke *ke, const uint8_t *buf, size_t off,
    size_t left)
{
	struct ike_wire_ke wk;

	if (left < sizeof(wk))
		return FAIL(m, off, "KE: %zu bytes, need %zu", left, sizeof(wk));
	memcpy(&wk, buf + off, sizeof(wk));
	ke->group = ntohs(wk.group);
	ke->len = left - sizeof(wk);
	ke->data = ptr_or_null(buf, off + sizeof(wk), ke->len);
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_id(struct ike_msg *m, struct ike_pl_id *id, const uint8_t *buf, size_t off,
    size_t left)
{
	struct ike_wire_byte3 wi;

	if (left < sizeof(wi))
		return FAIL(m, off, "ID: %zu bytes, need %zu", left, sizeof(wi));
	memcpy(&wi, buf + off, sizeof(wi));
	if (!id_len_ok(wi.value, left - sizeof(wi)))
		return FAIL(m, off, "ID: %s with %zu bytes",
		    ike_id_type_name(wi.value), left - sizeof(wi));
	id->type = wi.value;
	id->len = left - sizeof(wi);
	id->data = ptr_or_null(buf, off + sizeof(wi), id->len);
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_cert(struct ike_msg *m, struct ike_pl_cert *c, const uint8_t *buf,
    size_t off, size_t left)
{
	if (left < 1)
		return FAIL(m, off, "CERT/CERTREQ: no encoding byte");
	c->enc = buf[off];
	c->len = left - 1;
	c->data = ptr_or_null(buf, off + 1, c->len);
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_auth(struct ike_msg *m, struct ike_pl_auth *a, const uint8_t *buf,
    size_t off, size_t left)
{
	struct ike_wire_byte3 wa;

	if (left < sizeof(wa))
		return FAIL(m, off, "AUTH: %zu bytes, need %zu", left,
		    sizeof(wa));
	memcpy(&wa, buf + off, sizeof(wa));
	a->method = wa.value;
	a->len = left - sizeof(wa);
	a->data = ptr_or_null(buf, off + sizeof(wa), a->len);
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_nonce(struct ike_msg *m, struct ike_pl_nonce *n, const uint8_t *buf,
    size_t off, size_t left)
{
	if (!nonce_len_ok(left))
		return FAIL(m, off, "Nonce: %zu bytes, need %d..%d", left,
		    IKE_NONCE_MIN, IKE_NONCE_MAX);
	n->len = left;
	n->data = buf + off;
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_notify(struct ike_msg *m, struct ike_pl_notify *n, const uint8_t *buf,
    size_t off, size_t left)
{
	struct ike_wire_notify wn;

	if (left < sizeof(wn))
		return FAIL(m, off, "N: %zu bytes, need %zu", left, sizeof(wn));
	memcpy(&wn, buf + off, sizeof(wn));
	if (!notify_spi_size_ok(wn.spi_size) ||
	    wn.spi_size > left - sizeof(wn))
		return FAIL(m, off, "N(%s): SPI size %u in %zu bytes",
		    ike_notify_name(ntohs(wn.type)), wn.spi_size, left);
	n->proto = wn.proto;
	n->spi_size = wn.spi_size;
	n->type = ntohs(wn.type);
	n->spi = ptr_or_null(buf, off + sizeof(wn), wn.spi_size);
	n->len = left - sizeof(wn) - wn.spi_size;
	n->data = ptr_or_null(buf, off + sizeof(wn) + wn.spi_size, n->len);
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_delete(struct ike_msg *m, struct ike_pl_delete *d, const uint8_t *buf,
    size_t off, size_t left)
{
	struct ike_wire_delete	wd;
	size_t			nspi, i;

	if (left < sizeof(wd))
		return FAIL(m, off, "D: %zu bytes, need %zu", left, sizeof(wd));
	memcpy(&wd, buf + off, sizeof(wd));
	nspi = ntohs(wd.nspi);
	if (!delete_ok(wd.proto, wd.spi_size, nspi))
		return FAIL(m, off, "D: protocol %s, SPI size %u, %zu SPIs",
		    ike_proto_name(wd.proto), wd.spi_size, nspi);
	/* nspi <= 65535 and spi_size is 0 or 4: no overflow */
	if (left - sizeof(wd) != nspi * wd.spi_size)
		return FAIL(m, off, "D: %zu SPIs of %u bytes in %zu bytes",
		    nspi, wd.spi_size, left - sizeof(wd));
	d->proto = wd.proto;
	d->spi_size = wd.spi_size;
	d->nspi = nspi;
	d->spis = NULL;
	if (nspi == 0)
		return IKE_PARSE_OK;
	if ((d->spis = ike_arena_alloc(m, nspi, sizeof(*d->spis))) == NULL)
		return NOMEM(m, off);
	for (i = 0; i < nspi; i++)
		d->spis[i] = get32(buf + off + sizeof(wd) + i * 4);
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_vendor(struct ike_pl_vendor *v, const uint8_t *buf, size_t off, size_t left)
{
	v->len = left;
	v->data = ptr_or_null(buf, off, left);
	return IKE_PARSE_OK;
}

/* ------------------------------------------------------------ TS */

/* count selectors in buf[off, off + left), which they must fill exactly. */
static enum ike_parse_rc
ts_walk(struct ike_msg *m, const uint8_t *buf, size_t off, size_t left,
    size_t count, struct ike_ts *out)
{
	struct ike_wire_ts	wt;
	struct ike_wire_ports	wp;
	size_t			i, slen, alen;

	for (i = 0; i < count; i++) {
		if (left < sizeof(wt))
			return FAIL(m, off, "TS: selector %zu of %zu truncated",
			    i + 1, count);
		memcpy(&wt, buf + off, sizeof(wt));
		slen = ntohs(wt.length);
		if (slen < sizeof(wt) || slen > left)
			return FAIL(m, off, "TS: selector length %zu, %zu "
			    "bytes left", slen, left);
		alen = ts_addr_len(wt.type);
		if (alen != 0 && slen != TS_RANGE_HDR + 2 * alen)
			return FAIL(m, off, "TS: %s with length %zu",
			    ike_ts_type_name(wt.type), slen);
		if (out != NULL) {
			out[i].type = wt.type;
			out[i].proto = wt.proto;
			out[i].alen = alen;
			if (alen != 0) {
				memcpy(&wp, buf + off + sizeof(wt), sizeof(wp));
				out[i].sport = ntohs(wp.sport);
				out[i].eport = ntohs(wp.eport);
				memcpy(out[i].start, buf + off + TS_RANGE_HDR,
				    alen);
				memcpy(out[i].end,
				    buf + off + TS_RANGE_HDR + alen, alen);
			} else {
				out[i].raw_len = slen - sizeof(wt);
				out[i].raw = ptr_or_null(buf, off + sizeof(wt),
				    out[i].raw_len);
			}
		}
		off += slen;
		left -= slen;
	}
	if (left != 0)
		return FAIL(m, off, "TS: %zu bytes after %zu selectors", left,
		    count);
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_ts(struct ike_msg *m, struct ike_pl_ts *ts, const uint8_t *buf, size_t off,
    size_t left)
{
	struct ike_wire_byte3	wc;
	enum ike_parse_rc	rc;

	if (left < sizeof(wc))
		return FAIL(m, off, "TS: %zu bytes, need %zu", left, sizeof(wc));
	memcpy(&wc, buf + off, sizeof(wc));
	if (wc.value == 0)
		return FAIL(m, off, "TS: no selector");
	rc = ts_walk(m, buf, off + sizeof(wc), left - sizeof(wc), wc.value,
	    NULL);
	if (rc != IKE_PARSE_OK)
		return rc;
	if ((ts->ts = ike_arena_alloc(m, wc.value, sizeof(*ts->ts))) == NULL)
		return NOMEM(m, off);
	ts->nts = wc.value;
	return ts_walk(m, buf, off + sizeof(wc), left - sizeof(wc), wc.value,
	    ts->ts);
}

/* ------------------------------------------------------------ CP */

/* Attributes in buf[off, off + left); returns their number in *n. */
static enum ike_parse_rc
cp_walk(struct ike_msg *m, const uint8_t *buf, size_t off, size_t left,
    size_t *n, struct ike_cp_attr *out)
{
	struct ike_wire_cfg_attr	wa;
	size_t				alen, i = 0;

	while (left > 0) {
		if (left < sizeof(wa))
			return FAIL(m, off, "CP: attribute header truncated "
			    "(%zu bytes)", left);
		memcpy(&wa, buf + off, sizeof(wa));
		alen = ntohs(wa.length);
		if (alen > left - sizeof(wa))
			return FAIL(m, off, "CP: attribute %s length %zu, "
			    "%zu bytes left",
			    ike_cfg_attr_name(ntohs(wa.type) &
			    IKE_CFG_ATTR_TYPE_MASK), alen, left - sizeof(wa));
		if (out != NULL) {
			out[i].type = ntohs(wa.type) & IKE_CFG_ATTR_TYPE_MASK;
			out[i].len = alen;
			out[i].value = ptr_or_null(buf, off + sizeof(wa), alen);
		}
		i++;
		off += sizeof(wa) + alen;
		left -= sizeof(wa) + alen;
	}
	*n = i;
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_cp(struct ike_msg *m, struct ike_pl_cp *cp, const uint8_t *buf, size_t off,
    size_t left)
{
	struct ike_wire_byte3	wc;
	enum ike_parse_rc	rc;
	size_t			n;

	if (left < sizeof(wc))
		return FAIL(m, off, "CP: %zu bytes, need %zu", left, sizeof(wc));
	memcpy(&wc, buf + off, sizeof(wc));
	cp->type = wc.value;
	rc = cp_walk(m, buf, off + sizeof(wc), left - sizeof(wc), &n, NULL);
	if (rc != IKE_PARSE_OK || n == 0)
		return rc;
	if ((cp->attrs = ike_arena_alloc(m, n, sizeof(*cp->attrs))) == NULL)
		return NOMEM(m, off);
	cp->nattrs = n;
	return cp_walk(m, buf, off + sizeof(wc), left - sizeof(wc), &n,
	    cp->attrs);
}

/* ------------------------------------------------------------ EAP */

static enum ike_parse_rc
pl_eap(struct ike_msg *m, struct ike_pl_eap *e, const uint8_t *buf, size_t off,
    size_t left)
{
	struct ike_wire_eap	we;
	size_t			elen;

	if (left < sizeof(we))
		return FAIL(m, off, "EAP: %zu bytes, need %zu", left,
		    sizeof(we));
	memcpy(&we, buf + off, sizeof(we));
	elen = ntohs(we.length);
	/* RFC 7296 3.16: the payload holds exactly one EAP message */
	if (elen != left)
		return FAIL(m, off, "EAP: length field %zu, payload holds %zu",
		    elen, left);
	e->code = we.code;
	e->id = we.id;
	e->length = (uint16_t)elen;
	e->type = 0;
	switch (we.code) {
	case EAP_CODE_REQUEST:
	case EAP_CODE_RESPONSE:
		if (elen < sizeof(we) + 1)
			return FAIL(m, off, "EAP %s without a type",
			    eap_code_name(we.code));
		e->type = buf[off + EAP_TYPE_OFF];
		e->len = elen - sizeof(we) - 1;
		e->data = ptr_or_null(buf, off + sizeof(we) + 1, e->len);
		break;
	case EAP_CODE_SUCCESS:
	case EAP_CODE_FAILURE:
		/* RFC 3748 4.2: exactly the 4-byte header */
		if (elen != sizeof(we))
			return FAIL(m, off, "EAP %s with length %zu",
			    eap_code_name(we.code), elen);
		e->len = 0;
		e->data = NULL;
		break;
	default:
		e->len = elen - sizeof(we);
		e->data = ptr_or_null(buf, off + sizeof(we), e->len);
		break;
	}
	return IKE_PARSE_OK;
}

/* ------------------------------------------------------------ SK, SKF */

static enum ike_parse_rc
pl_sk(struct ike_pl *p, const uint8_t *buf, size_t off, size_t left,
    uint8_t np)
{
	struct ike_pl_sk *sk = &p->u.sk;

	sk->next = np;
	sk->off = p->off;
	sk->enc_off = off;
	sk->len = left;
	sk->body = ptr_or_null(buf, off, left);
	return IKE_PARSE_OK;
}

static enum ike_parse_rc
pl_skf(struct ike_msg *m, struct ike_pl *p, const uint8_t *buf, size_t off,
    size_t left, uint8_t np)
{
	struct ike_pl_skf	*f = &p->u.skf;
	struct ike_wire_skf	 wf;

	if (left < sizeof(wf))
		return FAIL(m, off, "SKF: %zu bytes, need %zu", left,
		    sizeof(wf));
	memcpy(&wf, buf + off, sizeof(wf));
	f->num = ntohs(wf.num);
	f->total = ntohs(wf.total);
	/* RFC 7383 2.5: neither is zero, and number <= total */
	if (f->num == 0 || f->num > f->total)
		return FAIL(m, off, "SKF: fragment %u of %u", f->num, f->total);
	f->next = np;
	f->off = p->off;
	f->enc_off = off + sizeof(wf);
	f->len = left - sizeof(wf);
	f->body = ptr_or_null(buf, off + sizeof(wf), f->len);
	return IKE_PARSE_OK;
}

/* ------------------------------------------------------------ dispatch */

enum ike_parse_rc
ike_pl_parse(struct ike_msg *m, struct ike_pl *p, const uint8_t *buf,
    size_t off, size_t left, uint8_t np)
{
	switch (p->type) {
	case IKE_PL_SA:
		return pl_sa(m, &p->u.sa, buf, off, left);
	case IKE_PL_KE:
		return pl_ke(m, &p->u.ke, buf, off, left);
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		return pl_id(m, &p->u.id, buf, off, left);
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ:
		return pl_cert(m, &p->u.cert, buf, off, left);
	case IKE_PL_AUTH:
		return pl_auth(m, &p->u.auth, buf, off, left);
	case IKE_PL_NONCE:
		return pl_nonce(m, &p->u.nonce, buf, off, left);
	case IKE_PL_NOTIFY:
		return pl_notify(m, &p->u.notify, buf, off, left);
	case IKE_PL_DELETE:
		return pl_delete(m, &p->u.del, buf, off, left);
	case IKE_PL_VENDOR:
		return pl_vendor(&p->u.vendor, buf, off, left);
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return pl_ts(m, &p->u.ts, buf, off, left);
	case IKE_PL_SK:
		return pl_sk(p, buf, off, left, np);
	case IKE_PL_CP:
		return pl_cp(m, &p->u.cp, buf, off, left);
	case IKE_PL_EAP:
		return pl_eap(m, &p->u.eap, buf, off, left);
	case IKE_PL_SKF:
		return pl_skf(m, p, buf, off, left, np);
	}
	return ike_parse_fail(m, IKE_PARSE_USAGE, off, "no parser for %u",
	    p->type);
}

int
ike_notify_hash_algs(const struct ike_pl_notify *n, uint16_t *out, size_t max)
{
	size_t i, count;

	if (n->len % 2 != 0 || n->len / 2 > INT32_MAX)
		return -1;
	count = n->len / 2;
	for (i = 0; i < count && i < max; i++)
		out[i] = get16(n->data + 2 * i);
	return (int)count;
}

/* ------------------------------------------------------------ generators */

static int
gen_fail(struct ike_gen *g)
{
	g->err = 1;
	return -1;
}

int
ike_gen_sa(struct ike_gen *g, const struct ike_pl_sa *sa)
{
	const struct ike_prop	*pr;
	const struct ike_xform	*xf;
	struct wbuf		*wb = g->wb;
	size_t			 i, j, poff, plen;

	if (sa == NULL || sa->nprops == 0 || sa->nprops > 255)
		return gen_fail(g);
	if (ike_gen_begin(g, IKE_PL_SA, false) == -1)
		return -1;
	for (i = 0; i < sa->nprops; i++) {
		pr = &sa->props[i];
		if (!prop_spi_size_ok(pr->proto, pr->spi_size) ||
		    pr->nxforms > 255 || (pr->nxforms > 0 && pr->xforms == NULL))
			return gen_fail(g);
		poff = wb->len;
		wbuf_put_u8(wb, i + 1 < sa->nprops ?
		    IKE_LAST_MORE_PROPOSALS : IKE_LAST_NONE);
		wbuf_put_u8(wb, 0);
		wbuf_put_u16(wb, 0);		/* length, below */
		/* number 0 means "number them for me": 1, 2, ... */
		wbuf_put_u8(wb, pr->num != 0 ? pr->num : (uint8_t)(i + 1));
		wbuf_put_u8(wb, pr->proto);
		wbuf_put_u8(wb, pr->spi_size);
		wbuf_put_u8(wb, (uint8_t)pr->nxforms);
		wbuf_put(wb, pr->spi, pr->spi_size);
		for (j = 0; j < pr->nxforms; j++) {
			xf = &pr->xforms[j];
			wbuf_put_u8(wb, j + 1 < pr->nxforms ?
			    IKE_LAST_MORE_XFORMS : IKE_LAST_NONE);
			wbuf_put_u8(wb, 0);
			wbuf_put_u16(wb, xf->keylen != 0 ? 12 : 8);
			wbuf_put_u8(wb, xf->type);
			wbuf_put_u8(wb, 0);
			wbuf_put_u16(wb, xf->id);
			if (xf->keylen != 0) {
				wbuf_put_u16(wb, IKE_ATTR_TV |
				    IKE_ATTR_KEY_LENGTH);
				wbuf_put_u16(wb, xf->keylen);
			}
		}
		plen = wb->len - poff;
		if (plen > UINT16_MAX ||
		    wbuf_set_u16(wb, poff + 2, (uint16_t)plen) == -1)
			return gen_fail(g);
	}
	return ike_gen_end(g);
}

int
ike_gen_ke(struct ike_gen *g, uint16_t group, const void *data, size_t len)
{
	if (ike_gen_begin(g, IKE_PL_KE, false) == -1)
		return -1;
	wbuf_put_u16(g->wb, group);
	wbuf_put_u16(g->wb, 0);
	wbuf_put(g->wb, data, len);
	return ike_gen_end(g);
}

/* One type byte, three reserved bytes, then data: ID, AUTH. */
static int
gen_byte3(struct ike_gen *g, uint8_t t, uint8_t v, const void *data, size_t len)
{
	if (ike_gen_begin(g, t, false) == -1)
		return -1;
	wbuf_put_u8(g->wb, v);
	wbuf_reserve(g->wb, 3, NULL);
	wbuf_put(g->wb, data, len);
	return ike_gen_end(g);
}

int
ike_gen_id(struct ike_gen *g, uint8_t t, uint8_t idtype, const void *data,
    size_t len)
{
	if ((t != IKE_PL_IDI && t != IKE_PL_IDR) || !id_len_ok(idtype, len))
		return gen_fail(g);
	return gen_byte3(g, t, idtype, data, len);
}

int
ike_gen_cert(struct ike_gen *g, uint8_t t, uint8_t enc, const void *data,
    size_t len)
{
	if (t != IKE_PL_CERT && t != IKE_PL_CERTREQ)
		return gen_fail(g);
	if (ike_gen_begin(g, t, false) == -1)
		return -1;
	wbuf_put_u8(g->wb, enc);
	wbuf_put(g->wb, data, len);
	return ike_gen_end(g);
}

int
ike_gen_auth(struct ike_gen *g, uint8_t method, const void *data, size_t len)
{
	return gen_byte3(g, IKE_PL_AUTH, method, data, len);
}

int
ike_gen_nonce(struct ike_gen *g, const void *data, size_t len)
{
	if (!nonce_len_ok(len))
		return gen_fail(g);
	return ike_gen_raw(g, IKE_PL_NONCE, false, data, len);
}

int
ike_gen_notify(struct ike_gen *g, uint8_t proto, const void *spi,
    uint8_t spi_size, uint16_t ntype, const void *data, size_t len)
{
	if (!notify_spi_size_ok(spi_size) || (spi_size > 0 && spi == NULL))
		return gen_fail(g);
	if (ike_gen_begin(g, IKE_PL_NOTIFY, false) == -1)
		return -1;
	wbuf_put_u8(g->wb, proto);
	wbuf_put_u8(g->wb, spi_size);
	wbuf_put_u16(g->wb, ntype);
	wbuf_put(g->wb, spi, spi_size);
	wbuf_put(g->wb, data, len);
	return ike_gen_end(g);
}

int
ike_gen_notify_hash_algs(struct ike_gen *g, const uint16_t *algs, size_t n)
{
	size_t i;

	if (n > 0 && algs == NULL)
		return gen_fail(g);
	if (ike_gen_begin(g, IKE_PL_NOTIFY, false) == -1)
		return -1;
	wbuf_put_u8(g->wb, 0);
	wbuf_put_u8(g->wb, 0);
	wbuf_put_u16(g->wb, IKE_N_SIGNATURE_HASH_ALGORITHMS);
	for (i = 0; i < n; i++)
		wbuf_put_u16(g->wb, algs[i]);
	return ike_gen_end(g);
}

int
ike_gen_delete(struct ike_gen *g, uint8_t proto, const uint32_t *spis,
    size_t nspi)
{
	uint8_t	size = proto == IKE_PROTO_IKE ? 0 : 4;
	size_t	i;

	if (!delete_ok(proto, size, nspi) || nspi > UINT16_MAX ||
	    (nspi > 0 && spis == NULL))
		return gen_fail(g);
	if (ike_gen_begin(g, IKE_PL_DELETE, false) == -1)
		return -1;
	wbuf_put_u8(g->wb, proto);
	wbuf_put_u8(g->wb, size);
	wbuf_put_u16(g->wb, (uint16_t)nspi);
	for (i = 0; i < nspi; i++)
		wbuf_put_u32(g->wb, spis[i]);
	return ike_gen_end(g);
}

int
ike_gen_vendor(struct ike_gen *g, const void *data, size_t len)
{
	return ike_gen_raw(g, IKE_PL_VENDOR, false, data, len);
}

int
ike_gen_ts(struct ike_gen *g, uint8_t t, const struct ike_ts *ts, size_t n)
{
	size_t i, alen;

	if ((t != IKE_PL_TSI && t != IKE_PL_TSR) || n == 0 || n > 255 ||
	    ts == NULL)
		return gen_fail(g);
	if (ike_gen_begin(g, t, false) == -1)
		return -1;
	wbuf_put_u8(g->wb, (uint8_t)n);
	wbuf_reserve(g->wb, 3, NULL);
	for (i = 0; i < n; i++) {
		alen = ts_addr_len(ts[i].type);
		if (alen != 0) {
			if (ts[i].alen != alen)
				return gen_fail(g);
			wbuf_put_u8(g->wb, ts[i].type);
			wbuf_put_u8(g->wb, ts[i].proto);
			wbuf_put_u16(g->wb, (uint16_t)(TS_RANGE_HDR + 2 * alen));
			wbuf_put_u16(g->wb, ts[i].sport);
			wbuf_put_u16(g->wb, ts[i].eport);
			wbuf_put(g->wb, ts[i].start, alen);
			wbuf_put(g->wb, ts[i].end, alen);
		} else {
			/* opaque selector kept from a parse */
			if (ts[i].raw_len > UINT16_MAX - 4 ||
			    (ts[i].raw_len > 0 && ts[i].raw == NULL))
				return gen_fail(g);
			wbuf_put_u8(g->wb, ts[i].type);
			wbuf_put_u8(g->wb, ts[i].proto);
			wbuf_put_u16(g->wb, (uint16_t)(4 + ts[i].raw_len));
			wbuf_put(g->wb, ts[i].raw, ts[i].raw_len);
		}
	}
	return ike_gen_end(g);
}

int
ike_gen_cp(struct ike_gen *g, uint8_t cfgtype, const struct ike_cp_attr *attrs,
    size_t n)
{
	size_t i;

	if (n > 0 && attrs == NULL)
		return gen_fail(g);
	if (ike_gen_begin(g, IKE_PL_CP, false) == -1)
		return -1;
	wbuf_put_u8(g->wb, cfgtype);
	wbuf_reserve(g->wb, 3, NULL);
	for (i = 0; i < n; i++) {
		if (attrs[i].len > UINT16_MAX ||
		    (attrs[i].len > 0 && attrs[i].value == NULL))
			return gen_fail(g);
		wbuf_put_u16(g->wb, attrs[i].type & IKE_CFG_ATTR_TYPE_MASK);
		wbuf_put_u16(g->wb, (uint16_t)attrs[i].len);
		wbuf_put(g->wb, attrs[i].value, attrs[i].len);
	}
	return ike_gen_end(g);
}

int
ike_gen_eap(struct ike_gen *g, uint8_t code, uint8_t id, uint8_t type,
    const void *data, size_t len)
{
	size_t elen;

	switch (code) {
	case EAP_CODE_REQUEST:
	case EAP_CODE_RESPONSE:
		elen = 5 + len;
		break;
	case EAP_CODE_SUCCESS:
	case EAP_CODE_FAILURE:
		elen = 4;
		len = 0;
		break;
	default:
		elen = 4 + len;
		break;
	}
	/* the EAP length must fit, and so must the payload around it */
	if (len > UINT16_MAX || elen > UINT16_MAX - IKE_GENERIC_HDR_LEN)
		return gen_fail(g);
	if (ike_gen_begin(g, IKE_PL_EAP, false) == -1)
		return -1;
	wbuf_put_u8(g->wb, code);
	wbuf_put_u8(g->wb, id);
	wbuf_put_u16(g->wb, (uint16_t)elen);
	if (code == EAP_CODE_REQUEST || code == EAP_CODE_RESPONSE)
		wbuf_put_u8(g->wb, type);
	wbuf_put(g->wb, data, len);
	return ike_gen_end(g);
}

int
ike_gen_payload(struct ike_gen *g, const struct ike_pl *p)
{
	struct ike_sk_layout	l;
	const struct ike_pl_notify *n;

	switch (p->type) {
	case IKE_PL_SA:
		return ike_gen_sa(g, &p->u.sa);
	case IKE_PL_KE:
		return ike_gen_ke(g, p->u.ke.group, p->u.ke.data, p->u.ke.len);
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		return ike_gen_id(g, p->type, p->u.id.type, p->u.id.data,
		    p->u.id.len);
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ:
		return ike_gen_cert(g, p->type, p->u.cert.enc, p->u.cert.data,
		    p->u.cert.len);
	case IKE_PL_AUTH:
		return ike_gen_auth(g, p->u.auth.method, p->u.auth.data,
		    p->u.auth.len);
	case IKE_PL_NONCE:
		return ike_gen_nonce(g, p->u.nonce.data, p->u.nonce.len);
	case IKE_PL_NOTIFY:
		n = &p->u.notify;
		return ike_gen_notify(g, n->proto, n->spi, n->spi_size,
		    n->type, n->data, n->len);
	case IKE_PL_DELETE:
		return ike_gen_delete(g, p->u.del.proto, p->u.del.spis,
		    p->u.del.nspi);
	case IKE_PL_VENDOR:
		return ike_gen_vendor(g, p->u.vendor.data, p->u.vendor.len);
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		return ike_gen_ts(g, p->type, p->u.ts.ts, p->u.ts.nts);
	case IKE_PL_CP:
		return ike_gen_cp(g, p->u.cp.type, p->u.cp.attrs,
		    p->u.cp.nattrs);
	case IKE_PL_EAP:
		return ike_gen_eap(g, p->u.eap.code, p->u.eap.id,
		    p->u.eap.type, p->u.eap.data, p->u.eap.len);
	case IKE_PL_SK:
		if (ike_gen_sk(g, p->u.sk.next, 0, p->u.sk.len, 0, &l) == -1)
			return -1;
		if (wbuf_set(g->wb, l.ct_off, p->u.sk.body, p->u.sk.len) == -1)
			return gen_fail(g);
		return 0;
	case IKE_PL_SKF:
		if (ike_gen_skf(g, p->u.skf.next, p->u.skf.num,
		    p->u.skf.total, 0, p->u.skf.len, 0, &l) == -1)
			return -1;
		if (wbuf_set(g->wb, l.ct_off, p->u.skf.body,
		    p->u.skf.len) == -1)
			return gen_fail(g);
		return 0;
	}
	return ike_gen_raw(g, p->type, p->critical, p->body, p->len);
}
