/*
 * exch_info — INFORMATIONAL exchanges (RFC 7296 1.4): the peer's Delete of
 * the IKE SA or of CHILD SAs, empty liveness checks, and our own Delete.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/engine.h"
#include "names.h"

/*
 * RFC 4555 3.5: after UPDATE_SA_ADDRESSES (the SA already follows the new
 * address, see io.c), redo NAT detection and answer with our NAT-D
 * notifies; COOKIE2 (3.5, 3.8) is echoed unchanged.
 */
static void
mobike(struct ike_sa *sa, const struct ike_msg *m, struct ike_out *o)
{
	const struct ike_pl *p;
	uint8_t want[IKE_NATD_LEN];
	size_t from = 0;
	int src_seen = 0, src_ok = 0, dst_seen = 0, dst_ok = 0;

	if ((p = ike_msg_find_notify(m, IKE_N_COOKIE2)) != NULL)
		ike_gen_notify(&o->g, 0, NULL, 0, IKE_N_COOKIE2, p->u.notify.data, p->u.notify.len);
	if (ike_msg_find_notify(m, IKE_N_UPDATE_SA_ADDRESSES) == NULL)
		return;
	while ((p = ike_msg_find(m, IKE_PL_NOTIFY, &from)) != NULL) {
		if (p->u.notify.type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			src_seen = 1;
			ike_natd_hash_sa(sa->spi_i, sa->spi_r, (const struct sockaddr *)&sa->remote, want);
			src_ok |= p->u.notify.len == IKE_NATD_LEN && !memcmp(p->u.notify.data, want, 20);
		} else if (p->u.notify.type == IKE_N_NAT_DETECTION_DESTINATION_IP) {
			dst_seen = 1;
			ike_natd_hash_sa(sa->spi_i, sa->spi_r, (const struct sockaddr *)&sa->local, want);
			dst_ok |= p->u.notify.len == IKE_NATD_LEN && !memcmp(p->u.notify.data, want, 20);
		}
	}
	if (src_seen) {
		sa->nat_peer = !src_ok;
		sa->nat_local = dst_seen && !dst_ok;
		ike_natd_hash_sa(sa->spi_i, sa->spi_r, (const struct sockaddr *)&sa->local, want);
		ike_gen_notify(&o->g, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, want, sizeof(want));
		ike_natd_hash_sa(sa->spi_i, sa->spi_r, (const struct sockaddr *)&sa->remote, want);
		ike_gen_notify(&o->g, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, want,
		    sizeof(want));
	}
	log_msg(LOG_INFO, sa->id, "MOBIKE: addresses updated to %s%s",
	    net_addr_str(&sa->remote, (char[80]){ 0 }, 80), sa->nat_peer ? " (NAT)" : "");
}

void
exch_info(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pl *p;
	struct ike_out o;
	struct child_sa *c;
	uint32_t ours[64];
	size_t from = 0, i, n = 0;
	int delete_ike = 0;

	ike_out_begin(&o);
	if (sa->p1 && sa->p1->mobike && sa->peer_mobike)
		mobike(sa, m, &o);
	while ((p = ike_msg_find(m, IKE_PL_DELETE, &from)) != NULL) {
		if (p->u.del.proto == IKE_PROTO_IKE) {
			delete_ike = 1;
			continue;
		}
		if (p->u.del.proto != IKE_PROTO_ESP)
			continue;
		/* The SPIs are the peer's inbound ones: our outbound (1.4.1). */
		for (i = 0; i < p->u.del.nspi; i++) {
			if ((c = child_find_out(sa, p->u.del.spis[i])) == NULL)
				continue;
			if (n < sizeof(ours) / sizeof(ours[0]))
				ours[n++] = c->spi_in;
			child_delete(sa, c, 1);
		}
	}
	if (delete_ike) {
		/* Answer with an empty message, then the SA is gone (1.4.1). */
		(void)ike_respond(sa, INFORMATIONAL, m->hdr.msgid, &o);
		ike_out_free(&o);
		sa_kill(sa, "deleted by the peer");
		return;
	}
	if (n)
		ike_gen_delete(&o.g, IKE_PROTO_ESP, ours, n);
	(void)ike_respond(sa, INFORMATIONAL, m->hdr.msgid, &o);
	ike_out_free(&o);
}

void
exch_info_response(struct ike_sa *sa, const struct ike_msg *m, int kind)
{
	(void)m;
	if (kind == REQ_DELETE || sa->state == SA_DELETING)
		sa_kill(sa, "deleted");
	sa_schedule(sa);
}

void
exch_dpd(struct ike_sa *sa)
{
	struct ike_out o;

	ike_out_begin(&o);
	sa->req_max = sa->p1 && sa->p1->dpd_max_failures ? (int)sa->p1->dpd_max_failures : 5;
	sa->req_interval = sa->p1 && sa->p1->dpd_delay ? (int)sa->p1->dpd_delay : 30;
	if (ike_request(sa, INFORMATIONAL, REQ_DPD, &o) == 0)
		log_msg(LOG_DEBUG, sa->id, "liveness check sent");
	ike_out_free(&o);
}

void
exch_delete_child(struct ike_sa *sa, struct child_sa *c)
{
	struct ike_out o;
	uint32_t spi = c->spi_in;

	/* 1.4.1: we name our inbound SPI; the kernel pair goes at once. */
	child_delete(sa, c, 1);
	ike_out_begin(&o);
	ike_gen_delete(&o.g, IKE_PROTO_ESP, &spi, 1);
	sa->req_max = 0;
	sa->req_interval = 0;
	(void)ike_request(sa, INFORMATIONAL, REQ_DELETE_CHILD, &o);
	ike_out_free(&o);
}

static void
delete_send(struct ike_sa *sa)
{
	struct ike_out o;

	ike_out_begin(&o);
	ike_gen_delete(&o.g, IKE_PROTO_IKE, NULL, 0);
	sa->req_max = 0;
	sa->req_interval = 0;
	if (ike_request(sa, INFORMATIONAL, REQ_DELETE, &o) == -1)
		sa_kill(sa, "could not send Delete");
	ike_out_free(&o);
}

void
exch_delete_ike(struct ike_sa *sa)
{
	struct child_sa *c;

	if (sa->state != SA_ESTABLISHED && sa->state != SA_AUTH) {
		if (sa->state != SA_DELETING)
			sa_kill(sa, "closed");
		return;
	}
	/* The kernel SAs go at once; the IKE SA when the peer answers. */
	while ((c = sa->children) != NULL)
		child_delete(sa, c, 1);
	sa_state(sa, SA_DELETING);
	if (sa->req_pending) {
		if (!sa->gw->stopping) {
			/* Window of one (2.3): the Delete follows once our open
			   request (a liveness check, a rekey) is answered. */
			sa->delete_queued = 1;
			return;
		}
		/* Shutting down: no time to wait; the next message id. */
		sa->req_pending = 0;
		sa->our_msgid++;
		dgram_set_free(&sa->req);
	}
	delete_send(sa);
}

void
exch_delete_queued(struct ike_sa *sa)
{
	if (!sa->delete_queued || sa->state != SA_DELETING)
		return;
	sa->delete_queued = 0;
	child_rekey_free(sa);
	ike_rekey_free(sa);
	delete_send(sa);
}
