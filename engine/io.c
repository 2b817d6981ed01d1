/*
 * io — IKE messages in and out of an SA: the responder window (RFC 7296
 * 2.1-2.3: resend the cached response for a retransmitted request, drop
 * anything else out of order), SK decryption, SKF reassembly (RFC 7383),
 * encryption and fragmentation of what we send, and retransmission of our
 * own requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "engine.h"
#include "ike/names.h"

static void	sa_request_in(struct ike_sa *, const struct ike_hdr *, const uint8_t *, size_t,
    const struct sockaddr_storage *, const struct sockaddr_storage *, int);
static void	sa_response_in(struct ike_sa *, const struct ike_hdr *, const uint8_t *, size_t);

/* ---------------------------------------------------------------- sending */

static int
dgram_add(struct dgram_set *ds, const uint8_t *p, size_t len, int natt)
{
	uint8_t *d;
	size_t off = natt ? IKE_NON_ESP_MARKER_LEN : 0;

	struct dgram *nd;

	if (ds->n >= IKE_MAX_DGRAMS || (d = malloc(len + off)) == NULL)
		return -1;
	if ((nd = realloc(ds->d, (ds->n + 1) * sizeof(*nd))) == NULL) {
		free(d);
		return -1;
	}
	ds->d = nd;
	memset(d, 0, off);
	memcpy(d + off, p, len);
	ds->d[ds->n].data = d;
	ds->d[ds->n].len = len + off;
	ds->n++;
	return 0;
}

static void
dgram_send_all(struct ike_sa *sa, const struct dgram_set *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		(void)net_send(sa->gw, &sa->local, &sa->remote, ds->d[i].data, ds->d[i].len);
}

void
ike_out_begin(struct ike_out *o)
{
	wbuf_init(&o->inner);
	ike_gen_chain(&o->g, &o->inner);
}

void
ike_out_free(struct ike_out *o)
{
	if (o->inner.data)
		explicit_bzero(o->inner.data, o->inner.cap);
	wbuf_free(&o->inner);
}

/*
 * Encrypts plain (an inner payload chain whose first type is `first`) as
 * one SK message, or as SKF fragments of at most frag_size bytes when the
 * peer supports fragmentation and the message would be larger (RFC 7383
 * 2.5: every fragment is protected on its own).
 */
static int
encrypt_into(struct ike_sa *sa, uint8_t exchange, uint8_t flags, uint32_t msgid, uint8_t first,
    const uint8_t *plain, size_t plainlen, struct dgram_set *out)
{
	const struct ike_encr_alg *e = sa->encr;
	size_t ivlen = e->ea_ivlen, icvlen = e->ea_aead ? e->ea_icvlen : sa->integ->ia_icvlen;
	size_t body = ike_sk_body_len(&sa->sk_out, plainlen);
	size_t limit = sa->p1 && sa->p1->fragment_size ? sa->p1->fragment_size : 1280;
	size_t hdrs, room, total, i, off, chunk;
	struct ike_hdr h;
	struct ike_sk_layout lay;
	struct ike_gen g;
	struct wbuf wb;
	int rc = -1;

	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, sa->spi_i, 8);
	memcpy(h.spi_r, sa->spi_r, 8);
	h.exchange = exchange;
	/* 3.1: the I flag marks messages of the SA's original initiator. */
	h.flags = (uint8_t)(flags | (sa->initiator ? IKE_FLAG_INITIATOR : 0));
	h.msgid = msgid;

	/* IP + UDP headers and the NAT-T marker count against the limit. */
	hdrs = (sa->remote.ss_family == AF_INET6 ? 40 : 20) + 8 +
	    (sa->natt ? IKE_NON_ESP_MARKER_LEN : 0);
	if (!(sa->peer_frag && sa->p1 && sa->p1->fragmentation) ||
	    IKE_HDR_LEN + 4 + body + hdrs <= limit || exchange == IKE_SA_INIT) {
		wbuf_init(&wb);
		ike_gen_msg(&g, &wb, &h);
		ike_gen_sk(&g, first, ivlen, body - ivlen - icvlen, icvlen, &lay);
		if (ike_gen_finish(&g) == -1 ||
		    ike_sk_encrypt(&sa->sk_out, wb.data, lay.iv_off, plain, plainlen,
		    wb.data + lay.iv_off, lay.end - lay.iv_off) == -1 ||
		    dgram_add(out, wb.data, wb.len, sa->natt) == -1) {
			wbuf_free(&wb);
			return -1;
		}
		wbuf_free(&wb);
		return 0;
	}
	/* Fragments: each carries as much plaintext as fits. */
	room = ike_sk_plain_room(&sa->sk_out, limit - hdrs - IKE_HDR_LEN - 8);
	if (room < 64)
		return -1;
	total = (plainlen + room - 1) / room;
	if (total > IKE_MAX_DGRAMS)
		return -1;
	for (i = 0, off = 0; i < total; i++, off += chunk) {
		chunk = plainlen - off < room ? plainlen - off : room;
		body = ike_sk_body_len(&sa->sk_out, chunk);
		wbuf_init(&wb);
		ike_gen_msg(&g, &wb, &h);
		ike_gen_skf(&g, i == 0 ? first : 0, (uint16_t)(i + 1), (uint16_t)total, ivlen,
		    body - ivlen - icvlen, icvlen, &lay);
		if (ike_gen_finish(&g) == -1 ||
		    ike_sk_encrypt(&sa->sk_out, wb.data, lay.iv_off, plain + off, chunk,
		    wb.data + lay.iv_off, lay.end - lay.iv_off) == -1 ||
		    dgram_add(out, wb.data, wb.len, sa->natt) == -1) {
			wbuf_free(&wb);
			goto out;
		}
		wbuf_free(&wb);
	}
	log_msg(LOG_DEBUG, sa->id, "%s sent in %zu fragments", ike_exchange_name(exchange), total);
	rc = 0;
out:
	return rc;
}

int
ike_respond(struct ike_sa *sa, uint8_t exchange, uint32_t msgid, struct ike_out *o)
{
	if (ike_gen_finish(&o->g) == -1) {
		log_msg(LOG_ERR, sa->id, "could not build the %s response",
		    ike_exchange_name(exchange));
		return -1;
	}
	dgram_set_free(&sa->cached);
	if (encrypt_into(sa, exchange, IKE_FLAG_RESPONSE, msgid, o->g.first, o->inner.data,
	    o->inner.len, &sa->cached) == -1) {
		dgram_set_free(&sa->cached);
		log_msg(LOG_ERR, sa->id, "could not encrypt the %s response",
		    ike_exchange_name(exchange));
		return -1;
	}
	sa->cached_msgid = msgid;
	sa->have_cached = 1;
	dgram_send_all(sa, &sa->cached);
	return 0;
}

static void
retransmit(evutil_socket_t fd, short what, void *arg)
{
	struct ike_sa *sa = arg;
	struct timeval tv;

	(void)fd;
	(void)what;
	if (!sa->req_pending || sa->state == SA_DEAD)
		return;
	if (++sa->req_tries >= (sa->req_max ? sa->req_max : IKE_RETRANSMIT_TRIES)) {
		sa->req_pending = 0;
		if (sa->req_kind == REQ_DPD)
			sa_kill(sa, "dead peer: no answer to liveness checks");
		else if (sa->req_kind == REQ_DELETE)
			sa_kill(sa, "peer did not answer our Delete");
		else
			sa_kill(sa, "peer stopped answering");
		return;
	}
	sa->gw->stats.tx_retransmit++;
	dgram_send_all(sa, &sa->req);
	tv.tv_sec = sa->req_interval ? sa->req_interval : IKE_RETRANSMIT_BASE << sa->req_tries;
	tv.tv_usec = 0;
	event_add(sa->retx, &tv);
}

int
ike_request(struct ike_sa *sa, uint8_t exchange, int kind, struct ike_out *o)
{
	struct timeval tv = { sa->req_interval ? sa->req_interval : IKE_RETRANSMIT_BASE, 0 };

	if (sa->req_pending)
		return -1;	/* window of one (RFC 7296 2.3) */
	if (ike_gen_finish(&o->g) == -1)
		return -1;
	dgram_set_free(&sa->req);
	if (encrypt_into(sa, exchange, 0, sa->our_msgid, o->g.first, o->inner.data, o->inner.len,
	    &sa->req) == -1) {
		dgram_set_free(&sa->req);
		return -1;
	}
	sa->req_pending = 1;
	sa->req_kind = kind;
	sa->req_tries = 0;
	if (sa->retx == NULL)
		sa->retx = event_new(sa->gw->base, -1, 0, retransmit, sa);
	event_add(sa->retx, &tv);
	dgram_send_all(sa, &sa->req);
	return 0;
}

void
ike_init_notify(struct ikegwd *gw, const struct ike_hdr *req, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote, int natt, uint16_t ntype, const void *data, size_t len)
{
	struct ike_hdr h;
	struct ike_gen g;
	struct wbuf wb;

	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, req->spi_i, 8);
	h.exchange = IKE_SA_INIT;
	h.flags = IKE_FLAG_RESPONSE;
	h.msgid = req->msgid;
	wbuf_init(&wb);
	if (natt)
		wbuf_put(&wb, ike_non_esp_marker, IKE_NON_ESP_MARKER_LEN);
	ike_gen_msg(&g, &wb, &h);
	ike_gen_notify(&g, 0, NULL, 0, ntype, data, len);
	if (ike_gen_finish(&g) == 0)
		(void)net_send(gw, local, remote, wb.data, wb.len);
	wbuf_free(&wb);
}

/* ---------------------------------------------------------------- receiving */

void
ike_input(struct ikegwd *gw, const uint8_t *buf, size_t len, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote, int natt)
{
	struct ike_hdr h;
	struct ike_msg m;
	struct ike_sa *sa;
	char a[80];
	enum ike_parse_rc rc;

	if (ike_hdr_parse(buf, len, &h) == -1) {
		gw->stats.rx_invalid++;
		return;
	}
	if (h.flags & IKE_FLAG_RESPONSE) {
		/* An answer to one of our requests. */
		if ((sa = sa_find_msg(gw, &h)) != NULL)
			sa_response_in(sa, &h, buf, len);
		return;
	}
	if (h.exchange == IKE_SA_INIT) {
		/* A retransmitted IKE_SA_INIT gets the same answer (2.1). */
		if ((sa = sa_find_init(gw, h.spi_i, remote)) != NULL) {
			if (sa->state == SA_HALF_OPEN && sa->init_resp && h.msgid == 0) {
				gw->stats.rx_retransmit++;
				struct dgram_set one = { 0 };
				if (dgram_add(&one, sa->init_resp, sa->init_resp_len, natt) == 0)
					(void)net_send(gw, local, remote, one.d[0].data, one.d[0].len);
				dgram_set_free(&one);
			}
			return;
		}
		if (memcmp(h.spi_r, "\0\0\0\0\0\0\0\0", 8) != 0 || h.msgid != 0) {
			gw->stats.rx_invalid++;
			return;
		}
		ike_msg_init(&m);
		rc = ike_msg_parse(&m, buf, len);
		if (rc == IKE_PARSE_OK)
			exch_init(gw, &m, buf, len, local, remote, natt);
		else {
			gw->stats.rx_invalid++;
			log_debug("IKE_SA_INIT from %s: %s", net_addr_str(remote, a, sizeof(a)),
			    m.err.msg);
			/* Unauthenticated: answer only what the RFC asks for. */
			if (rc == IKE_PARSE_BAD_VERSION) {
				uint8_t v = IKE_VERSION;
				ike_init_notify(gw, &h, local, remote, natt,
				    IKE_N_INVALID_MAJOR_VERSION, &v, 1);
			} else if (rc == IKE_PARSE_UNSUPPORTED_CRITICAL)
				ike_init_notify(gw, &h, local, remote, natt,
				    IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &m.err.crit_type, 1);
		}
		ike_msg_free(&m);
		return;
	}
	if ((sa = sa_find_msg(gw, &h)) == NULL) {
		/* RFC 7296 2.21.4 allows INVALID_IKE_SPI here; we stay silent rather
		   than be used as a reflector. */
		gw->stats.rx_invalid++;
		log_debug("%s from %s for an unknown IKE SA", ike_exchange_name(h.exchange),
		    net_addr_str(remote, a, sizeof(a)));
		return;
	}
	sa_request_in(sa, &h, buf, len, local, remote, natt);
}

/*
 * Stores one decrypted fragment; when all have arrived, returns 1 with the
 * reassembled plaintext in *out (caller frees).  0: waiting; -1: give up.
 */
static int
frag_add(struct ike_sa *sa, const struct ike_hdr *h, const struct ike_pl_skf *f,
    const uint8_t *plain, size_t plainlen, uint8_t **out, size_t *outlen)
{
	struct frag_state *fs = sa->frag;
	size_t i, total = 0;
	uint8_t *p;

	if (f->total > IKE_MAX_DGRAMS || f->num == 0 || f->num > f->total)
		return -1;
	if (fs && (fs->msgid != h->msgid || fs->total != f->total)) {
		/* A newer message replaces an unfinished older one (7383 2.6.1). */
		if (h->msgid < fs->msgid)
			return 0;
		sa_frag_reset(sa);
		fs = NULL;
	}
	if (fs == NULL) {
		if ((fs = sa->frag = calloc(1, sizeof(*fs))) == NULL)
			return -1;
		fs->msgid = h->msgid;
		fs->total = f->total;
		fs->exchange = h->exchange;
		fs->started = time(NULL);
		sa_schedule(sa);
	}
	if (fs->part[f->num])
		return 0;	/* duplicate */
	if (fs->bytes + plainlen > IKE_FRAG_MAX_BYTES ||
	    sa->gw->frag_bytes + plainlen > IKE_FRAG_MAX_GLOBAL)
		return -1;
	if ((fs->part[f->num] = malloc(plainlen ? plainlen : 1)) == NULL)
		return -1;
	memcpy(fs->part[f->num], plain, plainlen);
	fs->partlen[f->num] = plainlen;
	fs->bytes += plainlen;
	sa->gw->frag_bytes += plainlen;
	if (f->num == 1)
		fs->first_next = f->next;
	if (++fs->have < fs->total)
		return 0;
	for (i = 1; i <= fs->total; i++)
		total += fs->partlen[i];
	if ((p = malloc(total ? total : 1)) == NULL)
		return -1;
	*outlen = 0;
	for (i = 1; i <= fs->total; i++) {
		memcpy(p + *outlen, fs->part[i], fs->partlen[i]);
		*outlen += fs->partlen[i];
		explicit_bzero(fs->part[i], fs->partlen[i]);
		free(fs->part[i]);
		fs->part[i] = NULL;
	}
	*out = p;
	return 1;
}

/*
 * Decrypts a protected message into m.  Returns 1 when m holds a complete
 * message, 0 when more fragments are needed, -1 when it must be dropped.
 * *plain receives the buffer m's inner payloads point into, *plainlen its
 * size (a reassembled message's is not the datagram's).
 */
static int
decrypt_msg(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *buf, size_t len,
    struct ike_msg *m, uint8_t **plain, size_t *plainlen)
{
	const struct ike_pl *p;
	uint8_t *pt = NULL, *whole = NULL;
	size_t ptlen = 0, wlen = 0;
	uint8_t first;
	int r;

	*plain = NULL;
	*plainlen = 0;
	if (ike_msg_parse(m, buf, len) != IKE_PARSE_OK || m->sk_idx < 0) {
		log_msg(LOG_DEBUG, sa->id, "%s: %s", ike_exchange_name(h->exchange),
		    m->sk_idx < 0 ? "no SK payload" : m->err.msg);
		return -1;
	}
	p = &m->pl[m->sk_idx];
	if ((pt = malloc(len)) == NULL)
		return -1;
	if (p->type == IKE_PL_SK) {
		if (ike_sk_decrypt(&sa->sk_in, buf, p->u.sk.enc_off, len, pt, len, &ptlen) == -1)
			goto bad;
		first = p->u.sk.next;
	} else {
		if (!(sa->p1 && sa->p1->fragmentation) ||
		    ike_sk_decrypt(&sa->sk_in, buf, p->u.skf.enc_off, len, pt, len, &ptlen) == -1)
			goto bad;
		r = frag_add(sa, h, &p->u.skf, pt, ptlen, &whole, &wlen);
		explicit_bzero(pt, len);
		free(pt);
		pt = NULL;
		if (r <= 0)
			return r;
		first = sa->frag->first_next;
		sa_frag_reset(sa);
		pt = whole;
		ptlen = wlen;
		log_msg(LOG_DEBUG, sa->id, "reassembled %s from fragments (%zu bytes)",
		    ike_exchange_name(h->exchange), wlen);
	}
	if (ike_msg_parse_inner(m, first, pt, ptlen) != IKE_PARSE_OK) {
		log_msg(LOG_DEBUG, sa->id, "inner payloads: %s", m->err.msg);
		explicit_bzero(pt, ptlen);
		free(pt);
		return -1;
	}
	*plain = pt;
	*plainlen = ptlen;
	return 1;
bad:
	log_msg(LOG_DEBUG, sa->id, "%s: integrity check failed", ike_exchange_name(h->exchange));
	sa->gw->stats.rx_invalid++;
	free(pt);
	return -1;
}

/* RFC 7296 2.23 / RFC 3948: follow the peer's new NAT mapping. */
static void
follow_peer(struct ike_sa *sa, const struct ike_msg *m, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote, int natt)
{
	int update = m->hdr.exchange == INFORMATIONAL && sa->peer_mobike && sa->p1 &&
	    sa->p1->mobike && ike_msg_find_notify(m, IKE_N_UPDATE_SA_ADDRESSES) != NULL;

	char a[80], b[80];
	struct child_sa *c;

	if (net_addr_equal(&sa->remote, remote) && net_addr_equal(&sa->local, local) &&
	    sa->natt == natt)
		return;
	/* Only move when a NAT is involved; otherwise an authenticated message
	   from elsewhere is MOBIKE's business (UPDATE_SA_ADDRESSES). */
	if (!update && !(sa->nat_peer || sa->nat_local) &&
	    net_port(&sa->local) == net_port(local) && sa->state == SA_ESTABLISHED &&
	    sa->natt == natt && !net_addr_equal(&sa->remote, remote))
		return;
	log_msg(LOG_INFO, sa->id, "peer moved from %s to %s", net_addr_str(&sa->remote, a,
	    sizeof(a)), net_addr_str(remote, b, sizeof(b)));
	sa->remote = *remote;
	sa->local = *local;
	sa->natt = natt;
	for (c = sa->children; c; c = c->next)
		if (c->installed)
			(void)sa->gw->kernel->ops->update(sa->gw->kernel, c->spi_in,
			    (const struct sockaddr *)&sa->local, (const struct sockaddr *)&sa->remote,
			    sa->natt);
}

static void
sa_request_in(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *buf, size_t len,
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote, int natt)
{
	struct ike_msg m;
	uint8_t *plain = NULL;
	size_t plainlen = 0;
	int r;

	if (sa->state == SA_HALF_OPEN && h->exchange != IKE_AUTH) {
		log_msg(LOG_DEBUG, sa->id, "%s before IKE_AUTH ignored", ike_exchange_name(h->exchange));
		return;
	}
	/* A retransmission of the request we answered last: same answer. */
	if (sa->have_cached && h->msgid == sa->cached_msgid) {
		/*
		 * RFC 7383 2.6.1: a retransmitted fragmented request is answered
		 * once, on its first fragment; the others are dropped.  SKF is the
		 * first payload of such a message: generic header (4 bytes), then
		 * Fragment Number (2), Total Fragments (2).
		 */
		if (h->next == IKE_PL_SKF && (len < IKE_HDR_LEN + 8 ||
		    (buf[IKE_HDR_LEN + 4] << 8 | buf[IKE_HDR_LEN + 5]) != 1))
			return;
		sa->gw->stats.rx_retransmit++;
		dgram_send_all(sa, &sa->cached);
		return;
	}
	if (h->msgid != sa->peer_msgid) {
		log_msg(LOG_DEBUG, sa->id, "message id %u out of window (want %u)", h->msgid,
		    sa->peer_msgid);
		return;
	}
	ike_msg_init(&m);
	r = decrypt_msg(sa, h, buf, len, &m, &plain, &plainlen);
	if (r != 1)
		goto out;
	sa->last_in = time(NULL);
	follow_peer(sa, &m, local, remote, natt);
	sa->peer_msgid++;
	switch (h->exchange) {
	case IKE_AUTH:
		exch_auth(sa, &m);
		break;
	case INFORMATIONAL:
		exch_info(sa, &m);
		break;
	case CREATE_CHILD_SA:
		exch_child(sa, &m);
		break;
	default:
		log_msg(LOG_DEBUG, sa->id, "unknown exchange %u", h->exchange);
		break;
	}
out:
	ike_msg_free(&m);
	if (plain) {
		explicit_bzero(plain, plainlen);
		free(plain);
	}
}

static void
sa_response_in(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *buf, size_t len)
{
	struct ike_msg m;
	uint8_t *plain = NULL;
	size_t plainlen = 0;

	if (!sa->req_pending || h->msgid != sa->our_msgid)
		return;
	ike_msg_init(&m);
	if (decrypt_msg(sa, h, buf, len, &m, &plain, &plainlen) == 1) {
		sa->req_pending = 0;
		sa->our_msgid++;
		if (sa->retx)
			event_del(sa->retx);
		dgram_set_free(&sa->req);
		sa->last_in = time(NULL);
		if (sa->delete_queued)
			exch_delete_queued(sa);	/* the SA is going: nothing else matters */
		else if (h->exchange == INFORMATIONAL)
			exch_info_response(sa, &m, sa->req_kind);
		else if (h->exchange == CREATE_CHILD_SA && sa->req_kind == REQ_REKEY_CHILD)
			child_rekey_done(sa, &m);
		else if (h->exchange == CREATE_CHILD_SA && sa->req_kind == REQ_REKEY_IKE)
			ike_rekey_done(sa, &m);
	}
	ike_msg_free(&m);
	if (plain) {
		explicit_bzero(plain, plainlen);
		free(plain);
	}
}
