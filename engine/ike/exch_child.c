/*
 * exch_child — CREATE_CHILD_SA (RFC 7296 1.3).  Rekeying is not offered
 * yet: the answer is NO_ADDITIONAL_SAS (1.3, 3.10.1), which clients take
 * as "keep the SAs you have".
 */
#include "engine/engine.h"

void
exch_child(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_out o;

	if (sa->state != SA_ESTABLISHED)
		return;
	ike_out_begin(&o);
	ike_gen_notify(&o.g, 0, NULL, 0, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
	(void)ike_respond(sa, CREATE_CHILD_SA, m->hdr.msgid, &o);
	ike_out_free(&o);
}
