/*
 * exch_auth — IKE_AUTH as responder (RFC 7296 1.2, 2.15, 2.16):
 *
 *   certificate / PSK clients:  IDi [CERT] AUTH SAi2 TSi TSr [CP]
 *                           →   IDr [CERT] AUTH SAr2 TSi TSr [CP]
 *   EAP clients:                IDi SAi2 TSi TSr CP (no AUTH)
 *                           →   IDr CERT AUTH EAP(Identity)
 *                               EAP ... (MSCHAPv2 rounds) ... EAP(Success)
 *                               AUTH(MSK)
 *                           →   AUTH(MSK) CP SAr2 TSi TSr
 *
 * Every failure to authenticate is answered with AUTHENTICATION_FAILED and
 * nothing else, and the SA is closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "engine/engine.h"
#include "engine/eap/mschapv2.h"
#include "auth.h"
#include "cert.h"
#include "names.h"

/* ---------------------------------------------------------------- helpers */

static void
auth_failed(struct ike_sa *sa, uint32_t msgid, const char *why)
{
	struct ike_out o;

	log_msg(LOG_INFO, sa->id, "authentication failed for %s: %s",
	    sa->eap_id ? sa->eap_id : SA_STR(sa->peer_id), why);
	sa->gw->stats.auth_failed++;
	ike_out_begin(&o);
	ike_gen_notify(&o.g, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
	(void)ike_respond(sa, IKE_AUTH, msgid, &o);
	ike_out_free(&o);
	sa_kill(sa, "authentication failed");
}

/* Octets the initiator signed: RealMessage1 | Nr | prf(SK_pi, IDi'). */
static int
octets_i(struct ike_sa *sa, uint8_t **out, size_t *outlen)
{
	if (sa->hs_keys == NULL)
		return -1;
	return ike_auth_octets(sa->prf, sa->hs_keys->k_pi, sa->hs_keys->k_prflen, sa->init_req,
	    sa->init_req_len, sa->nr, sa->nrlen, sa->idi_body, sa->idi_len, out, outlen);
}

/* Octets we sign: RealMessage2 | Ni | prf(SK_pr, IDr'). */
static int
octets_r(struct ike_sa *sa, const uint8_t *idr, size_t idrlen, uint8_t **out, size_t *outlen)
{
	if (sa->hs_keys == NULL)
		return -1;
	return ike_auth_octets(sa->prf, sa->hs_keys->k_pr, sa->hs_keys->k_prflen, sa->init_resp,
	    sa->init_resp_len, sa->ni, sa->nilen, idr, idrlen, out, outlen);
}

/*
 * Appends [IDr] [our certificates] AUTH.  secret != NULL: shared-key AUTH
 * with it (PSK or MSK); otherwise a signature with our key.  IDr' enters
 * the signed octets even when IDr itself was sent earlier (the last round
 * of EAP).  0 or -1.
 */
static int
add_our_auth(struct ike_sa *sa, struct ike_out *o, const uint8_t *secret, size_t secretlen,
    int send_id, int send_certs)
{
	const struct cfg_phase1 *p1 = sa->p1;
	uint8_t idtype, *iddata = NULL, *idr = NULL, *oct = NULL, *sig = NULL, method;
	uint8_t mac[IKE_PRF_MAX];
	size_t idlen, idrlen, octlen, siglen, i, n;
	const uint8_t *der;
	uint16_t hash;
	EVP_PKEY *key = ike_certs_key(sa->gw->certs);
	int rc = -1;

	if (ike_certs_local_id(sa->gw->certs, &p1->local_id, &idtype, &iddata, &idlen) == -1)
		goto out;
	/* IDr' is the ID payload body: type, three reserved bytes, data. */
	idrlen = 4 + idlen;
	if ((idr = calloc(1, idrlen)) == NULL)
		goto out;
	idr[0] = idtype;
	memcpy(idr + 4, iddata, idlen);
	if (send_id)
		ike_gen_id(&o->g, IKE_PL_IDR, idtype, iddata, idlen);
	if (send_certs) {
		/* Always our certificate and chain: Apple clients send no CERTREQ. */
		for (i = 0; (der = ike_certs_der(sa->gw->certs, i, &n)) != NULL; i++)
			ike_gen_cert(&o->g, IKE_PL_CERT, IKE_CERT_X509_SIG, der, n);
	}
	if (octets_r(sa, idr, idrlen, &oct, &octlen) == -1)
		goto out;
	if (secret) {
		if (ike_auth_psk(sa->prf, secret, secretlen, oct, octlen, mac) == -1)
			goto out;
		ike_gen_auth(&o->g, IKE_AUTH_SHARED_KEY, mac, sa->prf->pa_len);
	} else {
		if (key == NULL || ike_auth_choose(key, sa->peer_hashes, &method, &hash) == -1 ||
		    ike_auth_sign(key, method, hash, 0, oct, octlen, &sig, &siglen) == -1)
			goto out;
		ike_gen_auth(&o->g, method, sig, siglen);
	}
	rc = 0;
out:
	explicit_bzero(mac, sizeof(mac));
	free(iddata);
	free(idr);
	free(oct);
	free(sig);
	return rc;
}

/* The configured user an identity maps to (EAP identity or IDi text). */
static const struct cfg_user *
find_user(struct ike_sa *sa, const char *identity)
{
	const struct ike_config *cfg = sa->gw->cfg;
	const struct cfg_user *u = ike_config_user(cfg, identity);
	size_t i, j;

	if (u)
		return u;
	for (i = 0; i < cfg->nusers; i++)
		for (j = 0; j < cfg->users[i].ncert_ids; j++)
			if (strcasecmp(cfg->users[i].cert_ids[j], identity) == 0)
				return &cfg->users[i];
	return NULL;
}

/* Group restriction (1 = allowed); logs the refusal. */
static int
group_ok(struct ike_sa *sa, const struct cfg_user *u)
{
	if (sa->p1->ngroups == 0)
		return 1;
	if (u != NULL && ike_config_user_allowed(sa->p1, u))
		return 1;
	log_msg(LOG_INFO, sa->id, "%s is not in a group allowed to connect",
	    u ? u->name : "client");
	return 0;
}

/* RFC 7296 2.4 / duplicate policy: an identity holds one IKE SA at a time. */
static int
duplicates(struct ike_sa *sa)
{
	struct ike_sa *o, *next;
	const char *me = sa_identity(sa);

	/* the ESTABLISHED SAs whose identity hashes like ours; killing one
	   unlinks it, so the next one is taken first */
	for (o = sa_by_identity(sa->gw, me); o; o = next) {
		next = o->hnext_id;
		if (o == sa || o->state != SA_ESTABLISHED || strcasecmp(me, sa_identity(o)) != 0)
			continue;
		if (sa->p1->duplicates == CFG_DUP_NEVER) {
			log_msg(LOG_INFO, sa->id, "%s is already connected (sa#%llu)", me,
			    (unsigned long long)o->id);
			return -1;
		}
		if (sa->p1->duplicates == CFG_DUP_REPLACE || sa->peer_initial_contact) {
			log_msg(LOG_INFO, sa->id, "replaces sa#%llu of %s", (unsigned long long)o->id,
			    me);
			exch_delete_ike(o);
			sa_kill(o, "replaced by a new connection");
		}
	}
	return 0;
}

/*
 * Authentication is done: configuration payload, first CHILD SA, and our
 * AUTH; the SA is established.  secret: the MSK or PSK for our AUTH, or
 * NULL to sign.
 */
static void
finish(struct ike_sa *sa, uint32_t msgid, const uint8_t *secret, size_t secretlen, int send_ids)
{
	struct ike_out o;
	uint16_t n = 0;

	if (duplicates(sa) == -1) {
		auth_failed(sa, msgid, "duplicate identity refused by policy");
		return;
	}
	ike_out_begin(&o);
	if (add_our_auth(sa, &o, secret, secretlen, send_ids,
	    send_ids && sa->p1->auth != CFG_AUTH_PSK) == -1) {
		ike_out_free(&o);
		auth_failed(sa, msgid, "could not compute our AUTH");
		return;
	}
	if (sa->p1->mobike && sa->peer_mobike)
		ike_gen_notify(&o.g, 0, NULL, 0, IKE_N_MOBIKE_SUPPORTED, NULL, 0);
	if (sa->p1->reauth) {
		/* RFC 4478: the client authenticates again within this many
		   seconds; we close the SA then if it has not. */
		uint8_t life[4];

		life[0] = (uint8_t)(sa->p1->reauth >> 24);
		life[1] = (uint8_t)(sa->p1->reauth >> 16);
		life[2] = (uint8_t)(sa->p1->reauth >> 8);
		life[3] = (uint8_t)sa->p1->reauth;
		ike_gen_notify(&o.g, 0, NULL, 0, IKE_N_AUTH_LIFETIME, life, sizeof(life));
	}
	if ((n = cp_assign(sa, &o)) == 0 && sa->creq)
		n = child_create(sa, &o, NULL, 0, sa->ni, sa->nilen, sa->nr, sa->nrlen, sa->creq, 0);
	if (n != 0) {
		/* The IKE SA stands; the CHILD SA could not be made (2.21.3). */
		log_msg(LOG_INFO, sa->id, "no CHILD SA: %s", ike_notify_name(n));
		ike_gen_notify(&o.g, 0, NULL, 0, n, NULL, 0);
	}
	sa->gw->stats.auth_ok++;
	sa_state(sa, SA_ESTABLISHED);
	sa_set_lifetimes(sa);
	if (sa->p1->reauth)
		sa->reauth_at = sa->established + sa->p1->reauth;
	sa_schedule(sa);
	(void)ike_respond(sa, IKE_AUTH, msgid, &o);
	ike_out_free(&o);
	sa_handshake_done(sa);
	log_msg(LOG_INFO, sa->id, "established: %s%s%s from %s", SA_STR(sa->peer_id),
	    sa->eap_id ? " EAP " : "", SA_STR(sa->eap_id),
	    net_addr_str(&sa->remote, (char[80]){ 0 }, 80));
}

/* ---------------------------------------------------------------- EAP */

static int
eap_lookup(void *arg, const char *identity, uint8_t nt_hash[16])
{
	struct ike_sa *sa = arg;
	const struct cfg_user *u = find_user(sa, identity);

	sa_set_str(&sa->eap_id, identity);
	if (u == NULL || !u->has_nt_hash)
		return -1;
	if (!group_ok(sa, u))
		return -1;
	sa_set_str(&sa->user, u->name);
	memcpy(nt_hash, u->nt_hash, 16);
	return 0;
}

static void
eap_round(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pl *p = ike_msg_find(m, IKE_PL_EAP, NULL);
	struct eap_pkt pkt;
	struct ike_out o;
	enum eap_result r;

	if (p == NULL) {
		auth_failed(sa, m->hdr.msgid, "expected an EAP payload");
		return;
	}
	r = eap_process(sa->eap, p->body, p->len, eap_lookup, sa, &pkt);
	if (r == EAP_FAILURE) {
		auth_failed(sa, m->hdr.msgid, sa->eap->why);
		return;
	}
	if (r == EAP_SUCCESS)
		log_msg(LOG_INFO, sa->id, "EAP-MSCHAPv2 succeeded for %s", SA_STR(sa->eap_id));
	ike_out_begin(&o);
	ike_gen_eap(&o.g, pkt.code, pkt.id, pkt.type, pkt.data, pkt.len);
	(void)ike_respond(sa, IKE_AUTH, m->hdr.msgid, &o);
	ike_out_free(&o);
}

/* After EAP-Success the client sends AUTH made with the MSK (2.16). */
static void
eap_final(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pl *p = ike_msg_find(m, IKE_PL_AUTH, NULL);
	uint8_t *oct = NULL;
	size_t octlen;
	int ok;

	if (p == NULL || p->u.auth.method != IKE_AUTH_SHARED_KEY) {
		auth_failed(sa, m->hdr.msgid, "expected AUTH computed from the EAP MSK");
		return;
	}
	if (octets_i(sa, &oct, &octlen) == -1) {
		auth_failed(sa, m->hdr.msgid, "internal error");
		return;
	}
	ok = ike_auth_psk_verify(sa->prf, sa->eap->msk, sa->eap->msklen, oct, octlen,
	    p->u.auth.data, p->u.auth.len) == 0;
	free(oct);
	if (!ok) {
		auth_failed(sa, m->hdr.msgid, "AUTH from the EAP MSK does not verify");
		return;
	}
	sa->auth_method = IKE_AUTH_SHARED_KEY;
	finish(sa, m->hdr.msgid, sa->eap->msk, sa->eap->msklen, 0);
}

/* ---------------------------------------------------------------- first IKE_AUTH */

static int
verify_psk(struct ike_sa *sa, const struct ike_pl *authp, const struct cfg_user *u)
{
	const char *secret = u && u->psk ? u->psk : sa->gw->cfg->psk;
	uint8_t *oct = NULL;
	size_t octlen;
	int ok;

	if (secret == NULL || authp->u.auth.method != IKE_AUTH_SHARED_KEY)
		return -1;
	if (octets_i(sa, &oct, &octlen) == -1)
		return -1;
	ok = ike_auth_psk_verify(sa->prf, (const uint8_t *)secret, strlen(secret), oct, octlen,
	    authp->u.auth.data, authp->u.auth.len) == 0;
	free(oct);
	return ok ? 0 : -1;
}

static int
verify_cert(struct ike_sa *sa, const struct ike_msg *m, const struct ike_pl *idp,
    const struct ike_pl *authp, char *why, size_t whylen)
{
	const uint8_t *ders[8];
	size_t lens[8], n = 0, from = 0, octlen;
	const struct ike_pl *p;
	EVP_PKEY *pub = NULL;
	uint8_t *oct = NULL;
	char subject[256];
	const char *vwhy = NULL;
	uint16_t hash;
	int rc = -1;

	while ((p = ike_msg_find(m, IKE_PL_CERT, &from)) != NULL && n < 8) {
		if (p->u.cert.enc != IKE_CERT_X509_SIG)
			continue;
		ders[n] = p->u.cert.data;
		lens[n++] = p->u.cert.len;
	}
	if (n == 0) {
		snprintf(why, whylen, "no client certificate");
		return -1;
	}
	if (ike_certs_verify_peer(sa->gw->certs, ders, lens, n, idp->u.id.type, idp->u.id.data,
	    idp->u.id.len, &pub, subject, sizeof(subject), why, whylen) == -1)
		return -1;
	if (octets_i(sa, &oct, &octlen) == -1)
		goto out;
	if (ike_auth_verify(pub, authp->u.auth.method, authp->u.auth.data, authp->u.auth.len, oct,
	    octlen, &hash, &vwhy) != 0) {
		snprintf(why, whylen, "signature does not verify%s%s", vwhy ? ": " : "",
		    vwhy ? vwhy : "");
		goto out;
	}
	log_msg(LOG_INFO, sa->id, "client certificate %s", subject);
	rc = 0;
out:
	free(oct);
	EVP_PKEY_free(pub);
	return rc;
}

static void
first_auth(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pl *idp = ike_msg_find(m, IKE_PL_IDI, NULL);
	const struct ike_pl *authp = ike_msg_find(m, IKE_PL_AUTH, NULL);
	const struct cfg_user *u;
	struct eap_pkt pkt;
	struct ike_out o;
	char why[256];

	char idtext[512];

	if (idp == NULL || (sa->creq = calloc(1, sizeof(*sa->creq))) == NULL ||
	    child_req_save(sa->creq, m) == -1) {
		auth_failed(sa, m->hdr.msgid, "IKE_AUTH without IDi");
		return;
	}
	if ((sa->idi_body = malloc(idp->len ? idp->len : 1)) == NULL)
		return;
	memcpy(sa->idi_body, idp->body, idp->len);
	sa->idi_len = idp->len;
	ike_id_text(idp->u.id.type, idp->u.id.data, idp->u.id.len, idtext, sizeof(idtext));
	sa_set_str(&sa->peer_id, idtext);
	sa->peer_mobike = ike_msg_find_notify(m, IKE_N_MOBIKE_SUPPORTED) != NULL;
	sa->peer_initial_contact = ike_msg_find_notify(m, IKE_N_INITIAL_CONTACT) != NULL;
	log_msg(LOG_INFO, sa->id, "IKE_AUTH from %s (%s)%s", SA_STR(sa->peer_id),
	    ike_id_type_name(idp->u.id.type), authp ? "" : ", wants EAP");

	if (authp == NULL) {
		/* EAP: we authenticate with our certificate first (2.16). */
		if (sa->p1->auth != CFG_AUTH_EAP_MSCHAPV2) {
			auth_failed(sa, m->hdr.msgid, "EAP is not enabled for this connection");
			return;
		}
		sa_state(sa, SA_AUTH);
		ike_out_begin(&o);
		if (add_our_auth(sa, &o, NULL, 0, 1, 1) == -1) {
			ike_out_free(&o);
			auth_failed(sa, m->hdr.msgid, "could not sign our AUTH");
			return;
		}
		if ((sa->eap = calloc(1, sizeof(*sa->eap))) == NULL) {
			ike_out_free(&o);
			auth_failed(sa, m->hdr.msgid, "out of memory");
			return;
		}
		eap_start(sa->eap, &pkt);
		ike_gen_eap(&o.g, pkt.code, pkt.id, pkt.type, pkt.data, pkt.len);
		(void)ike_respond(sa, IKE_AUTH, m->hdr.msgid, &o);
		ike_out_free(&o);
		return;
	}

	u = find_user(sa, SA_STR(sa->peer_id));
	switch (sa->p1->auth) {
	case CFG_AUTH_PSK:
		if (verify_psk(sa, authp, u) == -1) {
			auth_failed(sa, m->hdr.msgid, "wrong pre-shared key");
			return;
		}
		if (!group_ok(sa, u)) {
			auth_failed(sa, m->hdr.msgid, "not in an allowed group");
			return;
		}
		sa->auth_method = IKE_AUTH_SHARED_KEY;
		if (u)
			sa_set_str(&sa->user, u->name);
		{
			const char *secret = u && u->psk ? u->psk : sa->gw->cfg->psk;

			finish(sa, m->hdr.msgid, (const uint8_t *)secret, strlen(secret), 1);
		}
		return;
	case CFG_AUTH_CERT:
		if (verify_cert(sa, m, idp, authp, why, sizeof(why)) == -1) {
			auth_failed(sa, m->hdr.msgid, why);
			return;
		}
		if (!group_ok(sa, u)) {
			auth_failed(sa, m->hdr.msgid, "not in an allowed group");
			return;
		}
		sa->auth_method = authp->u.auth.method;
		if (u)
			sa_set_str(&sa->user, u->name);
		finish(sa, m->hdr.msgid, NULL, 0, 1);
		return;
	case CFG_AUTH_EAP_MSCHAPV2:
		auth_failed(sa, m->hdr.msgid, "this connection requires EAP");
		return;
	}
}

void
exch_auth(struct ike_sa *sa, const struct ike_msg *m)
{
	switch (sa->state) {
	case SA_HALF_OPEN:
		first_auth(sa, m);
		break;
	case SA_AUTH:
		if (sa->eap == NULL)
			auth_failed(sa, m->hdr.msgid, "unexpected IKE_AUTH");
		else if (sa->eap->state == EAP_S_DONE)
			eap_final(sa, m);
		else
			eap_round(sa, m);
		break;
	default:
		log_msg(LOG_DEBUG, sa->id, "IKE_AUTH in state %s ignored", sa_state_name(sa->state));
		break;
	}
}
