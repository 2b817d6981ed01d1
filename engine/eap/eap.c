/*
 * eap — EAP-Identity and EAP-MSCHAPv2 as the authenticator; see eap.h.
 *
 * MSCHAPv2 inside EAP (draft-kamath-pppext-eap-mschapv2-02 §2):
 *   Challenge: OpCode 1 | MS-CHAPv2-ID | MS-Length(2) | Value-Size=16 |
 *              Challenge(16) | Name
 *   Response:  OpCode 2 | MS-CHAPv2-ID | MS-Length(2) | Value-Size=49 |
 *              Peer-Challenge(16) | Reserved(8) | NT-Response(24) | Flags(1) | Name
 *   Success:   OpCode 3 | MS-CHAPv2-ID | MS-Length(2) | "S=<40 hex> M=<text>"
 *              (the peer answers with a bare OpCode 3)
 *   Failure:   OpCode 4 | MS-CHAPv2-ID | MS-Length(2) | "E=691 R=0 C=<32 hex> V=3 M=..."
 */
#include <stdio.h>
#include <string.h>

#include "eap.h"
#include "mschapv2.h"
#include "engine/ike/ike.h"
#include "engine/ike/crypto.h"

#define MS_OP_CHALLENGE	1
#define MS_OP_RESPONSE	2
#define MS_OP_SUCCESS	3
#define MS_OP_FAILURE	4

static const char server_name[] = "ikegw";

const char *
eap_state_name(enum eap_srv_state s)
{
	switch (s) {
	case EAP_S_IDLE:		return "IDLE";
	case EAP_S_IDENTITY_SENT:	return "IDENTITY_SENT";
	case EAP_S_CHALLENGE_SENT:	return "CHALLENGE_SENT";
	case EAP_S_SUCCESS_SENT:	return "SUCCESS_SENT";
	case EAP_S_DONE:		return "DONE";
	case EAP_S_FAILED:		return "FAILED";
	}
	return "UNKNOWN";
}

void
eap_wipe(struct eap_server *s)
{
	explicit_bzero(s, sizeof(*s));
}

static enum eap_result
fail(struct eap_server *s, const char *why)
{
	snprintf(s->why, sizeof(s->why), "%s", why);
	s->state = EAP_S_FAILED;
	explicit_bzero(s->nt_hash, sizeof(s->nt_hash));
	return EAP_FAILURE;
}

void
eap_start(struct eap_server *s, struct eap_pkt *out)
{
	memset(s, 0, sizeof(*s));
	(void)ike_random(&s->id, 1);
	memset(out, 0, sizeof(*out));
	out->code = EAP_CODE_REQUEST;
	out->id = s->id;
	out->type = EAP_TYPE_IDENTITY;
	out->len = 0;
	s->state = EAP_S_IDENTITY_SENT;
}

/* Builds the MSCHAPv2 Challenge request. */
static void
send_challenge(struct eap_server *s, struct eap_pkt *out)
{
	size_t mslen = 4 + 1 + 16 + sizeof(server_name) - 1;

	(void)ike_random(s->auth_chal, sizeof(s->auth_chal));
	(void)ike_random(&s->ms_id, 1);
	s->id++;
	memset(out, 0, sizeof(*out));
	out->code = EAP_CODE_REQUEST;
	out->id = s->id;
	out->type = EAP_TYPE_MSCHAPV2;
	out->data[0] = MS_OP_CHALLENGE;
	out->data[1] = s->ms_id;
	out->data[2] = (uint8_t)(mslen >> 8);
	out->data[3] = (uint8_t)mslen;
	out->data[4] = 16;
	memcpy(out->data + 5, s->auth_chal, 16);
	memcpy(out->data + 21, server_name, sizeof(server_name) - 1);
	out->len = mslen;
	s->state = EAP_S_CHALLENGE_SENT;
}

static enum eap_result
on_identity(struct eap_server *s, const uint8_t *data, size_t len, eap_lookup_fn lookup,
    void *arg, struct eap_pkt *out)
{
	const char *name;
	size_t nlen;
	char raw[256];

	/* RFC 3748 5.1: the identity is not NUL-terminated; refuse odd bytes. */
	if (len == 0 || len >= sizeof(raw))
		return fail(s, "empty or oversized EAP identity");
	memcpy(raw, data, len);
	raw[len] = '\0';
	/* An identity is a name: no control characters (they would end up in
	   logs, lease files and status pages). */
	for (size_t i = 0; i < len; i++)
		if (data[i] < 0x20 || data[i] == 0x7f)
			return fail(s, "EAP identity contains control characters");
	name = eap_mschapv2_strip_domain(raw, len, &nlen);
	if (nlen == 0 || nlen >= sizeof(s->identity))
		return fail(s, "empty EAP identity");
	memcpy(s->identity, name, nlen);
	s->identity[nlen] = '\0';
	/*
	 * Unknown users still get a challenge (with no hash to match), so the
	 * answer to a wrong user name looks like the answer to a wrong password.
	 */
	s->have_hash = lookup(arg, s->identity, s->nt_hash) == 0;
	send_challenge(s, out);
	return EAP_CONTINUE;
}

static enum eap_result
on_response(struct eap_server *s, const uint8_t *data, size_t len, struct eap_pkt *out)
{
	const uint8_t *peer_chal, *nt_resp;
	char auth_resp[EAP_MSCHAPV2_AUTH_RESPONSE_LEN + 1];
	char name[256];
	size_t mslen, namelen, ulen;
	const char *user;
	int n;

	/* OpCode, MS-CHAPv2-ID, MS-Length(2), Value-Size, 49-byte value. */
	if (len < 5 + 49)
		return fail(s, "short MSCHAPv2 response");
	if (data[0] != MS_OP_RESPONSE)
		return fail(s, "unexpected MSCHAPv2 opcode");
	if (data[1] != s->ms_id)
		return fail(s, "MSCHAPv2 ID mismatch");
	mslen = (size_t)data[2] << 8 | data[3];
	if (mslen != len || data[4] != 49)
		return fail(s, "bad MSCHAPv2 lengths");
	peer_chal = data + 5;
	nt_resp = data + 5 + 16 + 8;
	namelen = len - 5 - 49;
	if (namelen >= sizeof(name))
		return fail(s, "MSCHAPv2 name too long");
	memcpy(name, data + 5 + 49, namelen);
	name[namelen] = '\0';
	/* The challenge hash uses the user name the peer sent, without domain. */
	user = eap_mschapv2_strip_domain(name, namelen, &ulen);
	if (ulen != strlen(s->identity) || strncasecmp(user, s->identity, ulen) != 0)
		return fail(s, "MSCHAPv2 name differs from the EAP identity");
	if (!s->have_hash)
		return fail(s, "unknown user or no VPN password");
	if (eap_mschapv2_verify(s->nt_hash, s->auth_chal, peer_chal, user, ulen, nt_resp) != 0)
		return fail(s, "wrong password");
	if (eap_mschapv2_auth_response(s->nt_hash, nt_resp, peer_chal, s->auth_chal, user, ulen,
	    auth_resp) != 0 || eap_mschapv2_msk(s->nt_hash, nt_resp, s->msk) != 0)
		return fail(s, "MSCHAPv2 key derivation failed");
	s->msklen = EAP_MSCHAPV2_MSK_LEN;
	explicit_bzero(s->nt_hash, sizeof(s->nt_hash));

	s->id++;
	memset(out, 0, sizeof(*out));
	out->code = EAP_CODE_REQUEST;
	out->id = s->id;
	out->type = EAP_TYPE_MSCHAPV2;
	n = snprintf((char *)out->data + 4, sizeof(out->data) - 4, "%s M=Welcome", auth_resp);
	mslen = 4 + (size_t)n;
	out->data[0] = MS_OP_SUCCESS;
	out->data[1] = s->ms_id;
	out->data[2] = (uint8_t)(mslen >> 8);
	out->data[3] = (uint8_t)mslen;
	out->len = mslen;
	s->state = EAP_S_SUCCESS_SENT;
	return EAP_CONTINUE;
}

enum eap_result
eap_process(struct eap_server *s, const uint8_t *pkt, size_t len, eap_lookup_fn lookup,
    void *arg, struct eap_pkt *out)
{
	uint8_t code, id, type;
	size_t plen;

	/* Code, Identifier, Length, Type (RFC 3748 4). */
	if (len < 5)
		return fail(s, "short EAP packet");
	code = pkt[0];
	id = pkt[1];
	plen = (size_t)pkt[2] << 8 | pkt[3];
	type = pkt[4];
	if (plen != len)
		return fail(s, "EAP length mismatch");
	if (code != EAP_CODE_RESPONSE)
		return fail(s, "not an EAP response");
	if (id != s->id)
		return fail(s, "EAP identifier mismatch");
	if (type == EAP_TYPE_NAK)
		return fail(s, "peer refused EAP-MSCHAPv2 (Nak)");

	switch (s->state) {
	case EAP_S_IDENTITY_SENT:
		if (type != EAP_TYPE_IDENTITY)
			return fail(s, "expected EAP-Identity");
		return on_identity(s, pkt + 5, len - 5, lookup, arg, out);
	case EAP_S_CHALLENGE_SENT:
		if (type != EAP_TYPE_MSCHAPV2)
			return fail(s, "expected EAP-MSCHAPv2");
		return on_response(s, pkt + 5, len - 5, out);
	case EAP_S_SUCCESS_SENT:
		if (type != EAP_TYPE_MSCHAPV2 || len < 6 || pkt[5] != MS_OP_SUCCESS)
			return fail(s, "expected the MSCHAPv2 success acknowledgement");
		s->id++;
		memset(out, 0, sizeof(*out));
		out->code = EAP_CODE_SUCCESS;
		out->id = s->id;
		s->state = EAP_S_DONE;
		return EAP_SUCCESS;
	default:
		return fail(s, "EAP exchange already finished");
	}
}
