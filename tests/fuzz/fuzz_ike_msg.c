/*
 * fuzz_ike_msg.c — libFuzzer target for the IKEv2 message parser
 * (engine/ike/msg.h).
 *
 * The input is one IKE message as received on UDP 500 (no NAT-T marker).
 * It is parsed; when it carries SK or SKF, the encrypted body is fed to
 * the inner-chain parser as if it were already decrypted plaintext.  Every
 * message that parses is then re-encoded with the generator and must parse
 * again, and a second re-encoding must give the same bytes (the generator
 * refuses what the parser rejects, so this catches the two drifting apart).
 * NAT-T classification runs over the raw input too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ike/msg.h"
#include "engine/ike/names.h"
#include "engine/ike/wbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

/* Re-encode payloads [from, to) of m: as a message if from is 0, else as a chain. */
static void
regen(const struct ike_msg *m, size_t from, size_t to, struct wbuf *wb,
    uint8_t *first)
{
	struct ike_gen	g;
	size_t		i;

	wbuf_init(wb);
	if (from == 0)
		CHECK(ike_gen_msg(&g, wb, &m->hdr) == 0);
	else
		CHECK(ike_gen_chain(&g, wb) == 0);
	for (i = from; i < to; i++)
		CHECK(ike_gen_payload(&g, &m->pl[i]) == 0);
	CHECK(ike_gen_finish(&g) == 0);
	*first = g.first;
}

/* Touch every decoded field once so sanitizers see every pointer. */
static unsigned
walk(const struct ike_msg *m)
{
	const struct ike_pl	*p;
	unsigned		 h = 0;
	size_t			 i, j, k;

	for (i = 0; i < m->npl; i++) {
		p = &m->pl[i];
		h += (unsigned)strlen(ike_payload_name(p->type));
		if (p->len > 0)
			h += p->body[0] + p->body[p->len - 1];
		switch (p->type) {
		case IKE_PL_SA:
			for (j = 0; j < p->u.sa.nprops; j++) {
				const struct ike_prop *pr = &p->u.sa.props[j];

				h += pr->num + pr->spi[0];
				for (k = 0; k < pr->nxforms; k++)
					h += (unsigned)strlen(ike_transform_name(
					    pr->xforms[k].type, pr->xforms[k].id)) +
					    pr->xforms[k].keylen;
			}
			break;
		case IKE_PL_TSI:
		case IKE_PL_TSR:
			for (j = 0; j < p->u.ts.nts; j++)
				h += p->u.ts.ts[j].start[0] +
				    (p->u.ts.ts[j].raw_len > 0 ?
				    p->u.ts.ts[j].raw[p->u.ts.ts[j].raw_len - 1] : 0);
			break;
		case IKE_PL_CP:
			for (j = 0; j < p->u.cp.nattrs; j++)
				h += p->u.cp.attrs[j].len > 0 ?
				    p->u.cp.attrs[j].value[p->u.cp.attrs[j].len - 1] :
				    (unsigned)strlen(ike_cfg_attr_name(
				    p->u.cp.attrs[j].type));
			break;
		case IKE_PL_DELETE:
			for (j = 0; j < p->u.del.nspi; j++)
				h += p->u.del.spis[j];
			break;
		case IKE_PL_NOTIFY: {
			uint16_t algs[8];

			h += (unsigned)strlen(ike_notify_name(p->u.notify.type));
			if (p->u.notify.type == IKE_N_SIGNATURE_HASH_ALGORITHMS)
				h += (unsigned)ike_notify_hash_algs(&p->u.notify,
				    algs, 8);
			break;
		}
		case IKE_PL_EAP:
			if (p->u.eap.len > 0)
				h += p->u.eap.data[p->u.eap.len - 1];
			break;
		}
	}
	return h;
}

/*
 * Parsed OK: regenerate payloads [from, npl), parse that, regenerate again;
 * both re-encodings must agree.  For the inner chain the outer message
 * m->buf is parsed again to get a fresh message to append to.
 */
static void
roundtrip(const struct ike_msg *m, bool inner)
{
	struct wbuf	 a, b;
	struct ike_msg	 m2;
	uint8_t		 first_a, first_b;
	size_t		 from = inner ? m->nouter : 0;

	regen(m, from, m->npl, &a, &first_a);
	ike_msg_init(&m2);
	if (!inner) {
		CHECK(ike_msg_parse(&m2, a.data, a.len) == IKE_PARSE_OK);
		CHECK(m2.npl == m->npl);
		regen(&m2, 0, m2.npl, &b, &first_b);
	} else {
		CHECK(ike_msg_parse(&m2, m->buf, m->len) == IKE_PARSE_OK);
		CHECK(ike_msg_parse_inner(&m2, first_a, a.data, a.len) ==
		    IKE_PARSE_OK);
		CHECK(m2.npl == m->npl);
		regen(&m2, m2.nouter, m2.npl, &b, &first_b);
	}
	CHECK(first_a == first_b);
	CHECK(a.len == b.len);
	CHECK(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
	ike_msg_free(&m2);
	wbuf_free(&a);
	wbuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_msg		 m;
	const struct ike_pl	*sk;
	const uint8_t		*body, *msg;
	size_t			 len, msglen;
	uint8_t			 next;
	volatile unsigned	 sink;

	(void)ike_natt_classify(data, size);
	(void)ike_natt_strip(data, size, &msg, &msglen);

	ike_msg_init(&m);
	if (ike_msg_parse(&m, data, size) != IKE_PARSE_OK) {
		CHECK(m.err.rc != IKE_PARSE_OK && m.err.msg[0] != '\0');
		CHECK(ike_parse_rc_name(m.err.rc) != NULL);
		sink = walk(&m);
		ike_msg_free(&m);
		return 0;
	}
	sink = walk(&m);
	roundtrip(&m, false);

	if (m.sk_idx >= 0) {
		sk = &m.pl[m.sk_idx];
		if (sk->type == IKE_PL_SK) {
			next = sk->u.sk.next;
			body = sk->u.sk.body;
			len = sk->u.sk.len;
		} else {
			next = sk->u.skf.next;
			body = sk->u.skf.body;
			len = sk->u.skf.len;
		}
		if (ike_msg_parse_inner(&m, next, body, len) == IKE_PARSE_OK) {
			sink += walk(&m);
			roundtrip(&m, true);
		}
	}
	(void)sink;
	ike_msg_free(&m);
	return 0;
}
