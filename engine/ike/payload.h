/*
 * payload.h — codec-internal interface between msg.c (header, chain, arena,
 * generator framing) and payload.c (per-payload validate/parse/generate).
 * Not for use outside engine/ike/msg.c and engine/ike/payload.c.
 */
#ifndef IKEGW_IKE_PAYLOAD_H
#define IKEGW_IKE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

/*
 * Zeroed array of n elements of size bytes owned by m's arena (freed by
 * ike_msg_free); NULL on overflow or out of memory.  n == 0 gives NULL.
 */
void	*ike_arena_alloc(struct ike_msg *m, size_t n, size_t size);

/* Record a parse failure in m->err and return rc. */
enum ike_parse_rc ike_parse_fail(struct ike_msg *m, enum ike_parse_rc rc,
	    size_t off, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* true for the payload types this codec decodes (ike.h enum ike_payload). */
bool	ike_pl_known(uint8_t t);

/*
 * Validate and decode the body of one payload of known type p->type:
 * buf is the chain's buffer, [off, off + left) the body (generic header
 * already checked and stripped, p->type/off/body/len filled in by the
 * caller).  np is the generic header's next-payload byte (SK/SKF keep it as
 * the inner type).  Returns OK or the failure recorded with ike_parse_fail.
 */
enum ike_parse_rc ike_pl_parse(struct ike_msg *m, struct ike_pl *p,
	    const uint8_t *buf, size_t off, size_t left, uint8_t np);

#endif
