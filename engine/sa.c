/*
 * sa — the IKE SA table (hashed by our SPI and by the peer's), the state
 * machine's one transition function, timers (half-open timeout, lifetime,
 * retransmissions) and teardown.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "engine.h"
#include "ike/names.h"
#include "pool/pool.h"

const char *
sa_state_name(enum sa_state s)
{
	switch (s) {
	case SA_HALF_OPEN:	return "HALF_OPEN";
	case SA_AUTH:		return "AUTH";
	case SA_ESTABLISHED:	return "ESTABLISHED";
	case SA_DELETING:	return "DELETING";
	case SA_DEAD:		return "DEAD";
	}
	return "UNKNOWN";
}

static size_t
spi_hash(const uint8_t spi[8])
{
	uint64_t v;

	memcpy(&v, spi, 8);
	v ^= v >> 29;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 32;
	return (size_t)(v % IKE_SA_HASH);
}

static void sa_timer(evutil_socket_t, short, void *);

const char *
sa_identity(const struct ike_sa *sa)
{
	return sa->eap_id ? sa->eap_id : SA_STR(sa->peer_id);
}

/* FNV-1a over the lower-cased identity (duplicates compare with strcasecmp). */
static size_t
id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (uint8_t)tolower((unsigned char)*s);
		h *= 1099511628211ULL;
	}
	return (size_t)(h % IKE_SA_HASH);
}

struct ike_sa *
sa_by_identity(struct ikegwd *gw, const char *identity)
{
	return gw->by_id[id_hash(identity)];
}

static void
id_unlink(struct ike_sa *sa)
{
	struct ike_sa **pp;

	for (pp = &sa->gw->by_id[id_hash(sa_identity(sa))]; *pp; pp = &(*pp)->hnext_id)
		if (*pp == sa) {
			*pp = sa->hnext_id;
			break;
		}
	sa->hnext_id = NULL;
}

void
sa_new_spi(struct ikegwd *gw, uint8_t spi[8])
{
	do {
		ike_random(spi, 8);
	} while (sa_find_ours(gw, spi) != NULL || memcmp(spi, "\0\0\0\0\0\0\0\0", 8) == 0);
}

/* Allocates an SA with both SPIs set and links it into the tables. */
static struct ike_sa *
sa_alloc(struct ikegwd *gw, const uint8_t spi_i[8], const uint8_t spi_r[8], int initiator,
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote)
{
	struct ike_sa *sa;
	size_t h;

	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return NULL;
	sa->gw = gw;
	sa->id = ++gw->next_sa_id;
	memcpy(sa->spi_i, spi_i, 8);
	memcpy(sa->spi_r, spi_r, 8);
	sa->initiator = (uint8_t)initiator;
	sa->local = *local;
	sa->remote = *remote;
	sa->state = SA_HALF_OPEN;
	sa->created = time(NULL);
	sa->timer = event_new(gw->base, -1, 0, sa_timer, sa);
	h = spi_hash(SA_OUR_SPI(sa));
	sa->hnext_r = gw->by_r[h];
	gw->by_r[h] = sa;
	h = spi_hash(sa->spi_i);
	sa->hnext_i = gw->by_i[h];
	gw->by_i[h] = sa;
	sa->next = gw->sa_list;
	gw->sa_list = sa;
	gw->nsa++;
	gw->nhalf_open++;
	return sa;
}

struct ike_sa *
sa_new(struct ikegwd *gw, const uint8_t spi_i[8], const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote)
{
	uint8_t ours[8];

	sa_new_spi(gw, ours);
	return sa_alloc(gw, spi_i, ours, 0, local, remote);
}

struct ike_sa *
sa_new_initiator(struct ikegwd *gw, const uint8_t our_spi[8], const uint8_t peer_spi[8],
    const struct sockaddr_storage *local, const struct sockaddr_storage *remote)
{
	if (sa_find_ours(gw, our_spi) != NULL)
		return NULL;
	return sa_alloc(gw, our_spi, peer_spi, 1, local, remote);
}

struct ike_sa *
sa_find_ours(struct ikegwd *gw, const uint8_t spi[8])
{
	struct ike_sa *sa;

	for (sa = gw->by_r[spi_hash(spi)]; sa; sa = sa->hnext_r)
		if (sa->state != SA_DEAD && memcmp(SA_OUR_SPI(sa), spi, 8) == 0)
			return sa;
	return NULL;
}

struct ike_sa *
sa_find_msg(struct ikegwd *gw, const struct ike_hdr *h)
{
	int from_initiator = (h->flags & IKE_FLAG_INITIATOR) != 0;
	struct ike_sa *sa;

	sa = sa_find_ours(gw, from_initiator ? h->spi_r : h->spi_i);
	if (sa == NULL || sa->initiator == from_initiator ||
	    memcmp(SA_PEER_SPI(sa), from_initiator ? h->spi_i : h->spi_r, 8) != 0)
		return NULL;
	return sa;
}

void
sa_inherit(struct ike_sa *nsa, struct ike_sa *old)
{
	sa_set_str(&nsa->p1_name, old->p1_name);
	nsa->p1 = old->p1;
	nsa->natt = old->natt;
	nsa->nat_peer = old->nat_peer;
	nsa->nat_local = old->nat_local;
	nsa->peer_frag = old->peer_frag;
	nsa->peer_mobike = old->peer_mobike;
	nsa->peer_hashes = old->peer_hashes;
	nsa->auth_method = old->auth_method;
	sa_set_str(&nsa->peer_id, old->peer_id);
	sa_set_str(&nsa->eap_id, old->eap_id);
	sa_set_str(&nsa->user, old->user);
	sa_set_str(&nsa->pool, old->pool);
	/* Rekeying renews keys, not the authentication (RFC 4478). */
	nsa->reauth_at = old->reauth_at;
	nsa->last_in = time(NULL);
}

void
sa_take_over(struct ike_sa *nsa, struct ike_sa *old)
{
	nsa->have_vip4 = old->have_vip4;
	nsa->have_vip6 = old->have_vip6;
	nsa->vip4 = old->vip4;
	nsa->vip6 = old->vip6;
	old->have_vip4 = old->have_vip6 = 0;	/* the lease moves, not released */
	nsa->children = old->children;
	old->children = NULL;
}

void
sa_set_lifetimes(struct ike_sa *sa)
{
	const struct cfg_phase1 *p1 = sa->p1;
	time_t now = time(NULL);
	uint32_t jitter;

	sa->expire_at = p1 && p1->lifetime ? now + p1->lifetime : 0;
	sa->rekey_at = 0;
	if (p1 && p1->rekey && p1->rekey < p1->lifetime) {
		/* Up to 5 % earlier, so that SAs made together do not rekey together. */
		jitter = (uint32_t)(sa->spi_r[7] | sa->spi_r[6] << 8) % (p1->rekey / 20 + 1);
		sa->rekey_at = now + p1->rekey - jitter;
	}
}

struct ike_sa *
sa_find_init(struct ikegwd *gw, const uint8_t spi_i[8], const struct sockaddr_storage *remote)
{
	struct ike_sa *sa;

	for (sa = gw->by_i[spi_hash(spi_i)]; sa; sa = sa->hnext_i)
		if (sa->state != SA_DEAD && memcmp(sa->spi_i, spi_i, 8) == 0 &&
		    net_addr_equal(&sa->remote, remote))
			return sa;
	return NULL;
}

struct ike_sa *
sa_find_id(struct ikegwd *gw, uint64_t id)
{
	struct ike_sa *sa;

	for (sa = gw->sa_list; sa; sa = sa->next)
		if (sa->id == id && sa->state != SA_DEAD)
			return sa;
	return NULL;
}

/*
 * The one transition function: refuses what the diagram in engine.h does
 * not allow and logs every change.
 */
void
sa_state(struct ike_sa *sa, enum sa_state next)
{
	enum sa_state cur = sa->state;
	int ok;

	switch (next) {
	case SA_AUTH:		ok = cur == SA_HALF_OPEN; break;
	case SA_ESTABLISHED:	ok = cur == SA_HALF_OPEN || cur == SA_AUTH; break;
	case SA_DELETING:	ok = cur == SA_ESTABLISHED || cur == SA_AUTH; break;
	case SA_DEAD:		ok = cur != SA_DEAD; break;
	default:		ok = 0; break;
	}
	if (!ok) {
		log_msg(LOG_ERR, sa->id, "refused state change %s -> %s", sa_state_name(cur),
		    sa_state_name(next));
		return;
	}
	if (cur == SA_HALF_OPEN && sa->gw->nhalf_open > 0)
		sa->gw->nhalf_open--;
	/* by_id holds exactly the ESTABLISHED SAs (identities are set before) */
	if (cur == SA_ESTABLISHED)
		id_unlink(sa);
	sa->state = next;
	log_msg(LOG_INFO, sa->id, "%s -> %s", sa_state_name(cur), sa_state_name(next));
	if (next == SA_ESTABLISHED) {
		size_t h = id_hash(sa_identity(sa));

		sa->hnext_id = sa->gw->by_id[h];
		sa->gw->by_id[h] = sa;
		sa->established = time(NULL);
		sa->gw->stats.established_total++;
	}
	sa_schedule(sa);
}

void
dgram_set_free(struct dgram_set *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		free(ds->d[i].data);
	free(ds->d);
	memset(ds, 0, sizeof(*ds));
}

void
sa_frag_reset(struct ike_sa *sa)
{
	size_t i;

	if (sa->frag == NULL)
		return;
	for (i = 0; i <= IKE_MAX_DGRAMS; i++) {
		if (sa->frag->part[i]) {
			explicit_bzero(sa->frag->part[i], sa->frag->partlen[i]);
			free(sa->frag->part[i]);
		}
	}
	if (sa->gw->frag_bytes >= sa->frag->bytes)
		sa->gw->frag_bytes -= sa->frag->bytes;
	free(sa->frag);
	sa->frag = NULL;
}

void
sa_set_str(char **field, const char *value)
{
	char *v = value ? strdup(value) : NULL;

	if (value && v == NULL)
		abort();
	free(*field);
	*field = v;
}

static void
free_bytes(uint8_t **p, size_t *len)
{
	if (*p) {
		explicit_bzero(*p, *len);
		free(*p);
	}
	*p = NULL;
	*len = 0;
}

void
sa_handshake_done(struct ike_sa *sa)
{
	free_bytes(&sa->ni, &sa->nilen);
	free_bytes(&sa->nr, &sa->nrlen);
	free_bytes(&sa->init_req, &sa->init_req_len);
	free_bytes(&sa->init_resp, &sa->init_resp_len);
	free_bytes(&sa->idi_body, &sa->idi_len);
	if (sa->hs_keys) {
		ike_keys_wipe(sa->hs_keys);
		free(sa->hs_keys);
		sa->hs_keys = NULL;
	}
	if (sa->eap) {
		eap_wipe(sa->eap);
		free(sa->eap);
		sa->eap = NULL;
	}
	if (sa->creq) {
		child_req_free(sa->creq);
		free(sa->creq);
		sa->creq = NULL;
	}
}

int
sa_set_keys(struct ike_sa *sa, struct ike_sa_keys *k, int initiator, int handshake)
{
	int rc = -1;

	if (k->k_prflen > sizeof(sa->sk_d) ||
	    ike_keys_sk(k, initiator, &sa->sk_out, &sa->sk_in) == -1)
		goto out;
	memcpy(sa->sk_d, k->k_d, k->k_prflen);
	sa->sk_dlen = (uint8_t)k->k_prflen;
	if (handshake) {
		if ((sa->hs_keys = malloc(sizeof(*k))) == NULL)
			goto out;
		memcpy(sa->hs_keys, k, sizeof(*k));
	}
	rc = 0;
out:
	ike_keys_wipe(k);
	return rc;
}

static void
sa_unlink(struct ike_sa *sa)
{
	struct ikegwd *gw = sa->gw;
	struct ike_sa **pp;

	for (pp = &gw->by_r[spi_hash(SA_OUR_SPI(sa))]; *pp; pp = &(*pp)->hnext_r)
		if (*pp == sa) {
			*pp = sa->hnext_r;
			break;
		}
	for (pp = &gw->by_i[spi_hash(sa->spi_i)]; *pp; pp = &(*pp)->hnext_i)
		if (*pp == sa) {
			*pp = sa->hnext_i;
			break;
		}
	for (pp = &gw->sa_list; *pp; pp = &(*pp)->next)
		if (*pp == sa) {
			*pp = sa->next;
			break;
		}
	gw->nsa--;
}

static void
sa_free(struct ike_sa *sa)
{
	if (sa->timer)
		event_free(sa->timer);
	if (sa->retx)
		event_free(sa->retx);
	dgram_set_free(&sa->cached);
	dgram_set_free(&sa->req);
	sa_frag_reset(sa);
	sa_handshake_done(sa);
	child_rekey_free(sa);
	ike_rekey_free(sa);
	free(sa->p1_name);
	free(sa->peer_id);
	free(sa->eap_id);
	free(sa->user);
	free(sa->pool);
	explicit_bzero(sa->sk_d, sizeof(sa->sk_d));
	ike_sk_wipe(&sa->sk_in);
	ike_sk_wipe(&sa->sk_out);
	explicit_bzero(sa, sizeof(*sa));
	free(sa);
}

/* Frees DEAD SAs; runs from the event loop, never inside a handler. */
static void
reap(evutil_socket_t fd, short what, void *arg)
{
	struct ikegwd *gw = arg;
	struct ike_sa *sa, *next;

	(void)fd;
	(void)what;
	for (sa = gw->sa_list; sa; sa = next) {
		next = sa->next;
		if (sa->state == SA_DEAD) {
			sa_unlink(sa);
			sa_free(sa);
		}
	}
}

void
sa_kill(struct ike_sa *sa, const char *why)
{
	struct child_sa *c;
	struct timeval now = { 0, 0 };

	if (sa->state == SA_DEAD)
		return;
	log_msg(LOG_INFO, sa->id, "closing: %s", why);
	ike_rekey_abandon(sa);
	while ((c = sa->children) != NULL)
		child_delete(sa, c, 1);
	cp_release(sa);
	sa_state(sa, SA_DEAD);
	if (sa->timer)
		event_del(sa->timer);
	if (sa->retx)
		event_del(sa->retx);
	if (sa->gw->reaper == NULL)
		sa->gw->reaper = event_new(sa->gw->base, -1, 0, reap, sa->gw);
	event_active(sa->gw->reaper, 0, 0);
	(void)now;
}

void
sa_free_all(struct ikegwd *gw)
{
	struct ike_sa *sa, *next;

	for (sa = gw->sa_list; sa; sa = next) {
		next = sa->next;
		if (sa->state != SA_DEAD)
			sa_kill(sa, "shutdown");
	}
	reap(-1, 0, gw);
	if (gw->reaper)
		event_free(gw->reaper);
	gw->reaper = NULL;
}

/* ---------------------------------------------------------------- timers */

/* The last time we heard from the peer: IKE messages or ESP traffic. */
static time_t
last_activity(struct ike_sa *sa)
{
	struct kernel_stats st;
	struct child_sa *c;
	time_t t = sa->last_in ? sa->last_in : sa->established;

	for (c = sa->children; c; c = c->next)
		if (c->installed && sa->gw->kernel->ops->stats(sa->gw->kernel, c->spi_in, &st) == 0 &&
		    st.last_in > t)
			t = st.last_in;
	return t;
}

static time_t
earliest(time_t a, time_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/*
 * The SA's next deadline: half-open timeout, reassembly timeout, IKE and
 * CHILD lifetimes, dead peer detection.
 */
/* A rekey that is due waits while one of our requests is open (window of
   one): look again in a second rather than spin. */
static time_t
soft_due(const struct ike_sa *sa, time_t t, time_t now)
{
	if (t != 0 && t <= now && (sa->req_pending || sa->rekey || sa->ike_rekey))
		return now + 1;
	return t;
}

void
sa_schedule(struct ike_sa *sa)
{
	time_t now = time(NULL), at = 0;
	struct child_sa *c;
	struct timeval tv;

	if (sa->state == SA_DEAD || sa->timer == NULL)
		return;
	if (sa->state == SA_HALF_OPEN || sa->state == SA_AUTH)
		at = sa->created + IKE_HALF_OPEN_TIMEOUT;
	else if (sa->state == SA_ESTABLISHED) {
		at = sa->expire_at;
		if (!sa->rekeyed)
			at = earliest(at, sa->reauth_at);
		if (!sa->rekeyed && sa->ike_rekey == NULL)
			at = earliest(at, soft_due(sa, sa->rekey_at, now));
		for (c = sa->children; c; c = c->next) {
			/* a CHILD SA's Delete, like a rekey, waits for our window */
			at = earliest(at, soft_due(sa, c->expire_at, now));
			if (!c->rekeyed && !sa->rekeyed)
				at = earliest(at, soft_due(sa, c->rekey_at, now));
		}
		if (sa->p1 && sa->p1->dpd_delay && !sa->req_pending && !sa->rekeyed)
			at = earliest(at, last_activity(sa) + (time_t)sa->p1->dpd_delay);
		/* Byte and packet limits are checked now and then. */
		if (sa->children)
			at = earliest(at, now + 10);
	}
	if (sa->frag && sa->frag->total)
		at = earliest(at, sa->frag->started + IKE_FRAG_TIMEOUT);
	event_del(sa->timer);
	if (at == 0)
		return;
	tv.tv_sec = at > now ? at - now : 0;
	tv.tv_usec = 0;
	event_add(sa->timer, &tv);
}

/* Hard byte/packet limits reached (the soft ones are the client's to act on). */
static int
child_over_limit(struct ike_sa *sa, struct child_sa *c)
{
	struct kernel_stats st;

	if (!c->installed || sa->gw->kernel->ops->stats(sa->gw->kernel, c->spi_in, &st) != 0)
		return 0;
	c->bytes_in = st.bytes_in;
	c->bytes_out = st.bytes_out;
	c->packets_in = st.packets_in;
	c->packets_out = st.packets_out;
	/* Each direction is an SA of its own with its own count (as XFRM). */
	return (c->hard_bytes && (st.bytes_in >= c->hard_bytes || st.bytes_out >= c->hard_bytes)) ||
	    (c->hard_packets && (st.packets_in >= c->hard_packets ||
	    st.packets_out >= c->hard_packets));
}

static void
sa_timer(evutil_socket_t fd, short what, void *arg)
{
	struct ike_sa *sa = arg;
	struct child_sa *c, *next;
	time_t now = time(NULL);

	(void)fd;
	(void)what;
	if (sa->frag && sa->frag->started + IKE_FRAG_TIMEOUT <= now) {
		log_msg(LOG_DEBUG, sa->id, "fragments of message %u timed out", sa->frag->msgid);
		sa_frag_reset(sa);
	}
	if ((sa->state == SA_HALF_OPEN || sa->state == SA_AUTH) &&
	    sa->created + IKE_HALF_OPEN_TIMEOUT <= now) {
		sa_kill(sa, "not authenticated in time");
		return;
	}
	if (sa->state != SA_ESTABLISHED) {
		sa_schedule(sa);
		return;
	}
	if (sa->expire_at && sa->expire_at <= now) {
		if (sa->rekeyed)
			sa_kill(sa, "replaced by its rekeyed successor");
		else {
			log_msg(LOG_INFO, sa->id, "hard lifetime reached");
			exch_delete_ike(sa);
		}
		return;
	}
	if (sa->reauth_at && sa->reauth_at <= now && !sa->rekeyed) {
		/* RFC 4478: the client was told when; it did not come back. */
		log_msg(LOG_INFO, sa->id, "not reauthenticated in time (AUTH_LIFETIME)");
		exch_delete_ike(sa);
		return;
	}
	/* Soft lifetime of the IKE SA: we rekey it (the client may first). */
	if (sa->rekey_at && sa->rekey_at <= now && !sa->rekeyed && !sa->req_pending &&
	    sa->ike_rekey == NULL && sa->rekey == NULL) {
		if (ike_rekey_start(sa) == -1)
			sa->rekey_at = now + 10;
		sa_schedule(sa);
		return;
	}
	for (c = sa->children; c; c = next) {
		next = c->next;
		if ((c->expire_at && c->expire_at <= now) || child_over_limit(sa, c)) {
			if (sa->req_pending)
				continue;	/* one request at a time; next tick */
			exch_delete_child(sa, c);
		}
	}
	/* Soft lifetime: we rekey (one at a time); the client may too (2.8.1). */
	for (c = sa->children; c && !sa->req_pending && !sa->rekeyed; c = c->next)
		if (!c->rekeyed && c->rekey_at && c->rekey_at <= now &&
		    (c->expire_at == 0 || c->expire_at > now)) {
			if (child_rekey_start(sa, c) == -1)
				c->rekey_at = now + 10;
			break;
		}
	if (sa->p1 && sa->p1->dpd_delay && !sa->req_pending && !sa->rekeyed &&
	    last_activity(sa) + (time_t)sa->p1->dpd_delay <= now)
		exch_dpd(sa);
	sa_schedule(sa);
}

/* ---------------------------------------------------------------- status */

static json_t *
child_json(struct ike_sa *sa, struct child_sa *c)
{
	struct kernel_stats st;
	char in[16], out[16];

	memset(&st, 0, sizeof(st));
	if (c->installed && sa->gw->kernel->ops->stats(sa->gw->kernel, c->spi_in, &st) == 0) {
		c->bytes_in = st.bytes_in;
		c->bytes_out = st.bytes_out;
		c->packets_in = st.packets_in;
		c->packets_out = st.packets_out;
	}
	snprintf(in, sizeof(in), "%08x", c->spi_in);
	snprintf(out, sizeof(out), "%08x", c->spi_out);
	return json_pack("{s:s, s:s, s:I, s:s, s:i, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I,"
	    " s:I, s:I, s:I, s:I}",
	    "spi_in", in, "spi_out", out, "reqid", (json_int_t)c->reqid,
	    "encryption", ike_transform_name(IKE_XF_ENCR, c->encr), "key_bits", c->encr_bits,
	    "integrity", ike_transform_name(IKE_XF_INTEG, c->integ),
	    "dh", ike_transform_name(IKE_XF_DH, c->dh),
	    "ts_local", cfg_nets_json(c->ts_local, c->nts_local),
	    "ts_remote", cfg_nets_json(c->ts_remote, c->nts_remote),
	    "bytes_in", (json_int_t)c->bytes_in, "bytes_out", (json_int_t)c->bytes_out,
	    "packets_in", (json_int_t)c->packets_in, "packets_out", (json_int_t)c->packets_out,
	    "created", (json_int_t)c->created, "rekey_at", (json_int_t)c->rekey_at,
	    "expire_at", (json_int_t)c->expire_at,
	    "last_used", (json_int_t)(st.last_in > st.last_out ? st.last_in : st.last_out));
}

static void
spi_hex(const uint8_t spi[8], char out[17])
{
	static const char hx[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 8; i++) {
		out[2 * i] = hx[spi[i] >> 4];
		out[2 * i + 1] = hx[spi[i] & 15];
	}
	out[16] = '\0';
}

json_t *
sa_json(struct ike_sa *sa)
{
	char local[80], remote[80], si[17], sr[17], v4[INET_ADDRSTRLEN] = "",
	    v6[INET6_ADDRSTRLEN] = "";
	json_t *children = json_array(), *vips = json_array();
	struct child_sa *c;

	for (c = sa->children; c; c = c->next)
		json_array_append_new(children, child_json(sa, c));
	if (sa->have_vip4) {
		inet_ntop(AF_INET, &sa->vip4, v4, sizeof(v4));
		json_array_append_new(vips, json_string(v4));
	}
	if (sa->have_vip6) {
		inet_ntop(AF_INET6, &sa->vip6, v6, sizeof(v6));
		json_array_append_new(vips, json_string(v6));
	}
	spi_hex(sa->spi_i, si);
	spi_hex(sa->spi_r, sr);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:b,"
	    " s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:b, s:o, s:o}",
	    "id", (json_int_t)sa->id, "state", sa_state_name(sa->state),
	    "connection", SA_STR(sa->p1_name), "spi_i", si, "spi_r", sr,
	    "local_id", sa->p1 && sa->p1->local_id.value ? sa->p1->local_id.value : "",
	    "remote_id", SA_STR(sa->peer_id), "eap_id", SA_STR(sa->eap_id),
	    "user", SA_STR(sa->user),
	    "remote", net_addr_str(&sa->remote, remote, sizeof(remote)),
	    "remote_port", net_port(&sa->remote),
	    "nat_remote", sa->nat_peer, "nat_local", sa->nat_local, "natt", sa->natt,
	    "local", net_addr_str(&sa->local, local, sizeof(local)),
	    "encryption", sa->encr ? sa->encr->ea_name : "",
	    "integrity", sa->integ ? sa->integ->ia_name : (sa->encr && sa->encr->ea_aead ? "AEAD" : ""),
	    "prf", sa->prf ? sa->prf->pa_name : "",
	    "dh", json_string(ike_transform_name(IKE_XF_DH, sa->dh)),
	    "created", (json_int_t)sa->created, "established", (json_int_t)sa->established,
	    "rekey_at", (json_int_t)sa->rekey_at, "expire_at", (json_int_t)sa->expire_at,
	    "reauth_at", (json_int_t)sa->reauth_at, "initiator", sa->initiator,
	    "virtual_ips", vips, "children", children);
}
