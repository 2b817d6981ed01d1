/*
 * exch_info — INFORMATIONAL exchanges (RFC 7296 1.4): the peer's Delete of
 * the IKE SA or of CHILD SAs, empty liveness checks, and our own Delete.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine.h"
#include "names.h"

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
exch_info_response(struct ike_sa *sa, const struct ike_msg *m)
{
	(void)m;
	if (sa->state == SA_DELETING)
		sa_kill(sa, "deleted");
}

void
exch_delete_ike(struct ike_sa *sa)
{
	struct ike_out o;
	struct child_sa *c;

	if (sa->state != SA_ESTABLISHED && sa->state != SA_AUTH) {
		if (sa->state != SA_DELETING)
			sa_kill(sa, "closed");
		return;
	}
	/* The kernel SAs go at once; the IKE SA when the peer answers. */
	while ((c = sa->children) != NULL)
		child_delete(sa, c, 1);
	if (sa->req_pending) {
		/* Our window is busy (a liveness check): give up on it. */
		sa->req_pending = 0;
		dgram_set_free(&sa->req);
	}
	ike_out_begin(&o);
	ike_gen_delete(&o.g, IKE_PROTO_IKE, NULL, 0);
	if (ike_request(sa, INFORMATIONAL, REQ_DELETE, &o) == -1) {
		ike_out_free(&o);
		sa_kill(sa, "could not send Delete");
		return;
	}
	ike_out_free(&o);
	sa_state(sa, SA_DELETING);
}
