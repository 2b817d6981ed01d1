/*
 * eap — the EAP server side inside IKE_AUTH (RFC 7296 2.16): EAP-Identity
 * first (Windows expects it), then EAP-MSCHAPv2 (RFC 2759 packets as
 * carried by draft-kamath-pppext-eap-mschapv2), producing the MSK both
 * AUTH payloads are computed with.
 *
 *	IDLE --start--> IDENTITY_SENT --Response/Identity--> CHALLENGE_SENT
 *	CHALLENGE_SENT --Response (NT-Response ok)--> SUCCESS_SENT
 *	SUCCESS_SENT --Response/Success--> DONE (send EAP-Success)
 *	any --bad response / wrong password--> FAILED
 */
#ifndef IKEGW_EAP_H
#define IKEGW_EAP_H

#include <stddef.h>
#include <stdint.h>

enum eap_srv_state {
	EAP_S_IDLE = 0,
	EAP_S_IDENTITY_SENT,
	EAP_S_CHALLENGE_SENT,
	EAP_S_SUCCESS_SENT,
	EAP_S_DONE,
	EAP_S_FAILED,
};

struct eap_server {
	enum eap_srv_state state;
	uint8_t		 id;		/* EAP Identifier of our last request */
	uint8_t		 ms_id;		/* MS-CHAPv2-ID */
	uint8_t		 auth_chal[16];
	uint8_t		 nt_hash[16];
	int		 have_hash;
	char		 identity[256];	/* as sent, domain stripped */
	uint8_t		 msk[64];
	size_t		 msklen;
	char		 why[128];	/* reason of a failure, for the log */
};

/* An EAP packet to send. */
struct eap_pkt {
	uint8_t		 code;
	uint8_t		 id;
	uint8_t		 type;
	uint8_t		 data[512];
	size_t		 len;
};

enum eap_result {
	EAP_CONTINUE = 0,	/* send pkt (a Request) */
	EAP_SUCCESS,		/* send pkt (EAP-Success); msk is ready */
	EAP_FAILURE,		/* authentication failed (why says why) */
};

/*
 * Looks up the NT hash of an identity (already stripped of DOMAIN\).
 * Returns 0 and fills nt_hash, or -1 for an unknown or disabled user.
 */
typedef int (*eap_lookup_fn)(void *arg, const char *identity, uint8_t nt_hash[16]);

/* Starts with EAP-Request/Identity. */
void		 eap_start(struct eap_server *, struct eap_pkt *out);
/*
 * Processes the peer's EAP packet (the EAP payload body: code, id, length,
 * type, data).  Returns what to do next; out is filled for CONTINUE and
 * SUCCESS.
 */
enum eap_result	 eap_process(struct eap_server *, const uint8_t *pkt, size_t len,
    eap_lookup_fn, void *arg, struct eap_pkt *out);
const char	*eap_state_name(enum eap_srv_state);
void		 eap_wipe(struct eap_server *);

#endif
