/* esp — userspace ESP; see esp.h. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "esp.h"
#include "engine/ike/crypto.h"
#include "engine/engine.h"
#include "engine/ike/ike.h"
#include "engine/ike/names.h"

#define NH_IPV4		4
#define NH_IPV6		41

/* A remote selector pointing at its SA: host routes hash, wider ones list. */
struct esp_route {
	struct esp_route *next;		/* chain in by_dst, or the wide list */
	struct esp_route *sa_next;	/* the SA's routes */
	struct esp_sa	*sa;
	struct cfg_net	 net;
	int		 host;
};

struct esp_table {
	struct esp_sa	*by_spi[ESP_HASH];
	struct esp_route *by_dst[ESP_HASH];
	struct esp_route *wide;		/* longest prefix first */
	struct esp_sa	*all;
	size_t		 n;
	uint64_t	 drops[ESP_DROP_MAX];
	int		 expiry_pending;
};

static const char *const drop_names[ESP_DROP_MAX] = {
	[ESP_OK] = "ok",
	[ESP_DROP_MALFORMED] = "malformed",
	[ESP_DROP_SPI] = "unknown_spi",
	[ESP_DROP_REPLAY] = "replay",
	[ESP_DROP_ICV] = "icv",
	[ESP_DROP_PAD] = "padding",
	[ESP_DROP_PROTO] = "next_header",
	[ESP_DROP_SELECTOR] = "selector",
	[ESP_DROP_EXPIRED] = "expired",
	[ESP_DROP_NO_SA] = "no_sa",
	[ESP_DROP_SEQ] = "seq_exhausted",
	[ESP_DROP_TOO_BIG] = "too_big",
	[ESP_DROP_IO] = "io",
};

const char *
esp_drop_name(enum esp_drop d)
{
	return (unsigned)d < ESP_DROP_MAX ? drop_names[d] : "?";
}

/* ---------------------------------------------------------------- helpers */

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline size_t
hash32(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x7feb352dU;
	v ^= v >> 15;
	v *= 0x846ca68bU;
	v ^= v >> 16;
	return v % ESP_HASH;
}

static size_t
hash_addr(int family, const uint8_t *a)
{
	uint32_t v = 0, w;
	size_t i, n = family == AF_INET ? 4 : 16;

	for (i = 0; i < n; i += 4) {
		memcpy(&w, a + i, 4);
		v = v * 31 + w;
	}
	return hash32(v);
}

static size_t
alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

void
esp_count_drop(struct esp_table *t, struct esp_sa *sa, enum esp_drop d)
{
	if ((unsigned)d >= ESP_DROP_MAX)
		return;
	t->drops[d]++;
	if (sa)
		sa->drops[d]++;
}

/* Volume limits: sticky flags, reported later from the event loop. */
static void
check_limits(struct esp_table *t, struct esp_sa *sa)
{
	uint64_t b = sa->in.bytes > sa->out.bytes ? sa->in.bytes : sa->out.bytes;
	uint64_t p = sa->in.packets > sa->out.packets ? sa->in.packets : sa->out.packets;

	if (!sa->soft_hit && ((sa->soft_bytes && b >= sa->soft_bytes) ||
	    (sa->soft_packets && p >= sa->soft_packets))) {
		sa->soft_hit = 1;
		t->expiry_pending = 1;
	}
	if (!sa->hard_hit && ((sa->hard_bytes && b >= sa->hard_bytes) ||
	    (sa->hard_packets && p >= sa->hard_packets))) {
		sa->hard_hit = 1;
		t->expiry_pending = 1;
	}
}

/* ---------------------------------------------------------------- table */

struct esp_table *
esp_table_new(void)
{
	return calloc(1, sizeof(struct esp_table));
}

static void
sa_free(struct esp_sa *sa)
{
	struct esp_route *r, *n;

	for (r = sa->routes; r; r = n) {
		n = r->sa_next;
		free(r);
	}
	EVP_CIPHER_CTX_free(sa->ctx_in);
	EVP_CIPHER_CTX_free(sa->ctx_out);
	EVP_MAC_CTX_free(sa->mac_in);
	EVP_MAC_CTX_free(sa->mac_out);
	explicit_bzero(sa, sizeof(*sa));
	free(sa);
}

void
esp_table_free(struct esp_table *t)
{
	struct esp_sa *sa, *n;

	if (t == NULL)
		return;
	for (sa = t->all; sa; sa = n) {
		n = sa->next;
		sa_free(sa);
	}
	free(t);
}

struct esp_sa *
esp_sa_first(struct esp_table *t)
{
	return t->all;
}

struct esp_sa *
esp_sa_find(struct esp_table *t, uint32_t spi_in)
{
	struct esp_sa *sa;

	for (sa = t->by_spi[hash32(spi_in)]; sa; sa = sa->hnext)
		if (sa->spi_in == spi_in)
			return sa;
	return NULL;
}

static EVP_CIPHER_CTX *
cipher_ctx(const struct ike_encr_alg *e, const uint8_t *key, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, e->ea_evp, NULL);
	int ok = ctx != NULL && c != NULL &&
	    EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) == 1;

	if (ok && e->ea_aead)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1;
	if (ok)
		ok = EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, enc) == 1;
	if (ok && !e->ea_aead)
		ok = EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
	EVP_CIPHER_free(c);
	if (!ok) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static EVP_MAC_CTX *
mac_ctx(const struct ike_integ_alg *ia, const uint8_t *key)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)ia->ia_digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	EVP_MAC_free(mac);
	if (ctx == NULL || EVP_MAC_init(ctx, key, ia->ia_keylen, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
add_routes(struct esp_table *t, struct esp_sa *sa)
{
	struct esp_route *r, **pp;
	size_t i;

	for (i = 0; i < sa->nts_remote; i++) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return -1;
		r->sa = sa;
		r->net = sa->ts_remote[i];
		r->host = r->net.prefix == alen(r->net.family) * 8;
		r->sa_next = sa->routes;
		sa->routes = r;
	}
	for (r = sa->routes; r; r = r->sa_next) {
		if (r->host) {
			size_t h = hash_addr(r->net.family, r->net.addr);

			r->next = t->by_dst[h];
			t->by_dst[h] = r;
			continue;
		}
		/* Before every route of the same or a shorter prefix. */
		for (pp = &t->wide; *pp && (*pp)->net.prefix > r->net.prefix; pp = &(*pp)->next)
			;
		r->next = *pp;
		*pp = r;
	}
	return 0;
}

static void
unlink_routes(struct esp_table *t, struct esp_sa *sa)
{
	struct esp_route *r, **pp;

	for (r = sa->routes; r; r = r->sa_next) {
		pp = r->host ? &t->by_dst[hash_addr(r->net.family, r->net.addr)] : &t->wide;
		for (; *pp; pp = &(*pp)->next)
			if (*pp == r) {
				*pp = r->next;
				break;
			}
	}
}

struct esp_sa *
esp_sa_add(struct esp_table *t, const struct kernel_child *c, int legacy, char *err,
    size_t errlen)
{
	const struct ike_encr_alg *e = ike_encr_lookup(c->encr, c->encr_bits);
	const struct ike_integ_alg *ia = NULL;
	struct esp_sa *sa = NULL;
	size_t h;

	if (e == NULL) {
		snprintf(err, errlen, "ESP: cipher %u/%u not supported", c->encr, c->encr_bits);
		return NULL;
	}
	if (!e->ea_aead && (c->integ == IKE_INTEG_NONE ||
	    (ia = ike_integ_lookup(c->integ)) == NULL)) {
		snprintf(err, errlen, "ESP: %s needs a supported integrity algorithm", e->ea_name);
		return NULL;
	}
	if (e->ea_aead && c->integ != IKE_INTEG_NONE) {
		snprintf(err, errlen, "ESP: %s takes no integrity algorithm", e->ea_name);
		return NULL;
	}
	if (!legacy && (e->ea_legacy || (ia && ia->ia_legacy))) {
		snprintf(err, errlen, "ESP: %s%s%s needs legacy_clients", e->ea_name,
		    ia ? "/" : "", ia ? ia->ia_name : "");
		return NULL;
	}
	if (c->enc_keylen != e->ea_keylen + e->ea_saltlen ||
	    (ia && c->int_keylen != ia->ia_keylen)) {
		snprintf(err, errlen, "ESP: wrong key length for %s", e->ea_name);
		return NULL;
	}
	if (c->nts_remote == 0 || c->nts_local == 0 || c->nts_remote > KERNEL_MAX_TS ||
	    c->nts_local > KERNEL_MAX_TS) {
		snprintf(err, errlen, "ESP: no traffic selectors");
		return NULL;
	}
	if (esp_sa_find(t, c->spi_in) != NULL) {
		snprintf(err, errlen, "SPI %08x already installed", c->spi_in);
		return NULL;
	}
	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		goto oom;
	sa->spi_in = c->spi_in;
	sa->spi_out = c->spi_out;
	sa->reqid = c->reqid;
	sa->ike_sa_id = c->ike_sa_id;
	sa->local = c->local;
	sa->remote = c->remote;
	sa->encap = c->encap;
	sa->encr = e;
	sa->integ = ia;
	sa->esn = c->esn;
	sa->ivlen = e->ea_ivlen;
	sa->icvlen = e->ea_aead ? e->ea_icvlen : ia->ia_icvlen;
	sa->blocklen = e->ea_blocklen < 4 ? 4 : e->ea_blocklen;
	memcpy(sa->salt_in, c->enc_key_in + e->ea_keylen, e->ea_saltlen);
	memcpy(sa->salt_out, c->enc_key_out + e->ea_keylen, e->ea_saltlen);
	if ((sa->ctx_in = cipher_ctx(e, c->enc_key_in, 0)) == NULL ||
	    (sa->ctx_out = cipher_ctx(e, c->enc_key_out, 1)) == NULL) {
		snprintf(err, errlen, "ESP: OpenSSL cannot set up %s", e->ea_name);
		sa_free(sa);
		return NULL;
	}
	if (ia && ((sa->mac_in = mac_ctx(ia, c->int_key_in)) == NULL ||
	    (sa->mac_out = mac_ctx(ia, c->int_key_out)) == NULL)) {
		snprintf(err, errlen, "ESP: OpenSSL cannot set up %s", ia->ia_name);
		sa_free(sa);
		return NULL;
	}
	if (RAND_bytes((uint8_t *)&sa->iv_ctr, sizeof(sa->iv_ctr)) != 1) {
		snprintf(err, errlen, "ESP: no random bytes");
		sa_free(sa);
		return NULL;
	}
	memcpy(sa->ts_local, c->ts_local, c->nts_local * sizeof(c->ts_local[0]));
	sa->nts_local = c->nts_local;
	memcpy(sa->ts_remote, c->ts_remote, c->nts_remote * sizeof(c->ts_remote[0]));
	sa->nts_remote = c->nts_remote;
	sa->soft_bytes = c->soft_bytes;
	sa->hard_bytes = c->hard_bytes;
	sa->soft_packets = c->soft_packets;
	sa->hard_packets = c->hard_packets;
	if (add_routes(t, sa) == -1) {
		unlink_routes(t, sa);
		sa_free(sa);
		goto oom;
	}
	h = hash32(sa->spi_in);
	sa->hnext = t->by_spi[h];
	t->by_spi[h] = sa;
	sa->next = t->all;
	t->all = sa;
	t->n++;
	return sa;
oom:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

int
esp_sa_del(struct esp_table *t, uint32_t spi_in)
{
	struct esp_sa **pp, *sa = NULL;

	for (pp = &t->by_spi[hash32(spi_in)]; *pp; pp = &(*pp)->hnext)
		if ((*pp)->spi_in == spi_in) {
			sa = *pp;
			*pp = sa->hnext;
			break;
		}
	if (sa == NULL)
		return -1;
	for (pp = &t->all; *pp; pp = &(*pp)->next)
		if (*pp == sa) {
			*pp = sa->next;
			break;
		}
	unlink_routes(t, sa);
	t->n--;
	sa_free(sa);
	return 0;
}

int
esp_sa_update(struct esp_table *t, uint32_t spi_in, const struct sockaddr *local,
    const struct sockaddr *remote, int encap)
{
	struct esp_sa *sa = esp_sa_find(t, spi_in);

	if (sa == NULL || (local->sa_family != AF_INET && local->sa_family != AF_INET6) ||
	    (remote->sa_family != AF_INET && remote->sa_family != AF_INET6))
		return -1;
	memset(&sa->local, 0, sizeof(sa->local));
	memset(&sa->remote, 0, sizeof(sa->remote));
	memcpy(&sa->local, local, local->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6));
	memcpy(&sa->remote, remote, remote->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6));
	sa->encap = encap;
	return 0;
}

size_t
esp_route_users(struct esp_table *t, const struct cfg_net *n, const struct esp_sa *except)
{
	struct esp_sa *sa;
	size_t i, users = 0;

	for (sa = t->all; sa; sa = sa->next) {
		if (sa == except)
			continue;
		for (i = 0; i < sa->nts_remote; i++)
			if (sa->ts_remote[i].family == n->family &&
			    sa->ts_remote[i].prefix == n->prefix &&
			    memcmp(sa->ts_remote[i].addr, n->addr, alen(n->family)) == 0)
				users++;
	}
	return users;
}

struct esp_sa *
esp_route_lookup(struct esp_table *t, int family, const uint8_t *dst)
{
	struct esp_route *r;
	size_t n = alen(family);

	for (r = t->by_dst[hash_addr(family, dst)]; r; r = r->next)
		if (r->net.family == family && memcmp(r->net.addr, dst, n) == 0)
			return r->sa;
	for (r = t->wide; r; r = r->next)
		if (cfg_net_contains(&r->net, family, dst))
			return r->sa;
	return NULL;
}

/* ---------------------------------------------------------------- replay */

/*
 * RFC 4303 A2.2: with ESN the receiver infers the high half from the
 * window: the packet lies in the current subspace if it is at or right of
 * the window's bottom, else in the next (case A) or previous (case B) one.
 */
uint64_t
esp_replay_seq(const struct esp_sa *sa, uint32_t wire)
{
	uint32_t tl = (uint32_t)sa->replay_top, th = (uint32_t)(sa->replay_top >> 32);
	uint32_t w = ESP_REPLAY_WINDOW, bottom = tl - w + 1;

	if (!sa->esn)
		return wire;
	if (tl >= w - 1) {			/* case A: window within one subspace */
		if (wire >= bottom)
			return (uint64_t)th << 32 | wire;
		return (uint64_t)(th + 1) << 32 | wire;
	}
	/* case B: the window spans the previous subspace */
	if (wire >= bottom && th > 0)
		return (uint64_t)(th - 1) << 32 | wire;
	return (uint64_t)th << 32 | wire;
}

int
esp_replay_check(const struct esp_sa *sa, uint64_t seq)
{
	uint64_t bit;

	if (seq == 0)
		return 0;			/* sequence numbers start at 1 */
	if (seq > sa->replay_top)
		return 1;
	if (sa->replay_top - seq >= ESP_REPLAY_WINDOW)
		return 0;
	bit = seq & 63;
	return !(sa->replay_map[(seq >> 6) % ESP_REPLAY_WORDS] & (1ULL << bit));
}

void
esp_replay_update(struct esp_sa *sa, uint64_t seq)
{
	uint64_t idx, top_idx, i, diff;

	if (seq > sa->replay_top) {
		idx = seq >> 6;
		top_idx = sa->replay_top >> 6;
		diff = idx - top_idx;
		if (diff > ESP_REPLAY_WORDS)
			diff = ESP_REPLAY_WORDS;
		for (i = 1; i <= diff; i++)
			sa->replay_map[(top_idx + i) % ESP_REPLAY_WORDS] = 0;
		sa->replay_top = seq;
	}
	sa->replay_map[(seq >> 6) % ESP_REPLAY_WORDS] |= 1ULL << (seq & 63);
}

/* ---------------------------------------------------------------- crypto */

static int
next_iv(struct esp_sa *sa, uint8_t *iv)
{
	if (sa->encr->ea_aead) {
		uint64_t v = sa->iv_ctr++;
		int i;

		for (i = 7; i >= 0; i--, v >>= 8)
			iv[i] = (uint8_t)v;
		return 0;
	}
	if (sa->ivpool_left < sa->ivlen) {
		if (RAND_bytes(sa->ivpool, sizeof(sa->ivpool)) != 1)
			return -1;
		sa->ivpool_left = sizeof(sa->ivpool);
	}
	memcpy(iv, sa->ivpool + sizeof(sa->ivpool) - sa->ivpool_left, sa->ivlen);
	sa->ivpool_left -= sa->ivlen;
	return 0;
}

size_t
esp_seal(struct esp_sa *sa, uint8_t *buf, size_t plainlen, uint64_t seq, const uint8_t *iv)
{
	EVP_CIPHER_CTX *ctx = sa->ctx_out;
	uint8_t *ct = buf + ESP_HDR_LEN + sa->ivlen, nonce[12], aad[12], hi[4];
	size_t total = ESP_HDR_LEN + sa->ivlen + plainlen + sa->icvlen;
	int l, l2;

	if (plainlen > INT32_MAX || (plainlen % (sa->encr->ea_aead ? 1 : sa->encr->ea_blocklen)))
		return 0;
	put32(buf, sa->spi_out);
	put32(buf + 4, (uint32_t)seq);
	memcpy(buf + ESP_HDR_LEN, iv, sa->ivlen);
	if (sa->encr->ea_aead) {
		size_t aadlen = 8;

		memcpy(nonce, sa->salt_out, 4);
		memcpy(nonce + 4, iv, 8);
		memcpy(aad, buf, 4);
		if (sa->esn) {
			put32(aad + 4, (uint32_t)(seq >> 32));
			put32(aad + 8, (uint32_t)seq);
			aadlen = 12;
		} else
			memcpy(aad + 4, buf + 4, 4);
		if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
		    EVP_EncryptUpdate(ctx, NULL, &l, aad, (int)aadlen) != 1 ||
		    EVP_EncryptUpdate(ctx, ct, &l, ct, (int)plainlen) != 1 ||
		    EVP_EncryptFinal_ex(ctx, ct + l, &l2) != 1 ||
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)sa->icvlen,
		    ct + plainlen) != 1)
			return 0;
		return total;
	} else {
		uint8_t mac[EVP_MAX_MD_SIZE];
		size_t maclen;

		if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
		    EVP_EncryptUpdate(ctx, ct, &l, ct, (int)plainlen) != 1 ||
		    EVP_EncryptFinal_ex(ctx, ct + l, &l2) != 1)
			return 0;
		put32(hi, (uint32_t)(seq >> 32));
		if (EVP_MAC_init(sa->mac_out, NULL, 0, NULL) != 1 ||
		    EVP_MAC_update(sa->mac_out, buf, ESP_HDR_LEN + sa->ivlen + plainlen) != 1 ||
		    (sa->esn && EVP_MAC_update(sa->mac_out, hi, 4) != 1) ||
		    EVP_MAC_final(sa->mac_out, mac, &maclen, sizeof(mac)) != 1 ||
		    maclen < sa->icvlen)
			return 0;
		memcpy(ct + plainlen, mac, sa->icvlen);
		return total;
	}
}

enum esp_drop
esp_open(struct esp_sa *sa, const uint8_t *pkt, size_t len, uint8_t *out, size_t outcap,
    size_t *plainlen, uint64_t *seqp)
{
	EVP_CIPHER_CTX *ctx = sa->ctx_in;
	const uint8_t *iv = pkt + ESP_HDR_LEN, *ct = iv + sa->ivlen;
	uint8_t nonce[12], aad[12], tag[ESP_ICV_MAX], hi[4];
	size_t ctlen;
	uint64_t seq;
	int l, l2;

	if (len < ESP_HDR_LEN + sa->ivlen + sa->icvlen + 2)
		return ESP_DROP_MALFORMED;
	ctlen = len - ESP_HDR_LEN - sa->ivlen - sa->icvlen;
	if (ctlen > outcap || ctlen > INT32_MAX)
		return ESP_DROP_MALFORMED;
	seq = esp_replay_seq(sa, get32(pkt + 4));
	*seqp = seq;
	if (sa->encr->ea_aead) {
		size_t aadlen = 8;

		memcpy(nonce, sa->salt_in, 4);
		memcpy(nonce + 4, iv, 8);
		memcpy(aad, pkt, 4);
		if (sa->esn) {
			put32(aad + 4, (uint32_t)(seq >> 32));
			memcpy(aad + 8, pkt + 4, 4);
			aadlen = 12;
		} else
			memcpy(aad + 4, pkt + 4, 4);
		memcpy(tag, ct + ctlen, sa->icvlen);
		if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
		    EVP_DecryptUpdate(ctx, NULL, &l, aad, (int)aadlen) != 1 ||
		    EVP_DecryptUpdate(ctx, out, &l, ct, (int)ctlen) != 1 ||
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)sa->icvlen, tag) != 1 ||
		    EVP_DecryptFinal_ex(ctx, out + l, &l2) != 1)
			return ESP_DROP_ICV;
	} else {
		uint8_t mac[EVP_MAX_MD_SIZE];
		size_t maclen;

		if (ctlen % sa->encr->ea_blocklen != 0)
			return ESP_DROP_MALFORMED;
		put32(hi, (uint32_t)(seq >> 32));
		if (EVP_MAC_init(sa->mac_in, NULL, 0, NULL) != 1 ||
		    EVP_MAC_update(sa->mac_in, pkt, len - sa->icvlen) != 1 ||
		    (sa->esn && EVP_MAC_update(sa->mac_in, hi, 4) != 1) ||
		    EVP_MAC_final(sa->mac_in, mac, &maclen, sizeof(mac)) != 1 ||
		    maclen < sa->icvlen ||
		    CRYPTO_memcmp(mac, pkt + len - sa->icvlen, sa->icvlen) != 0)
			return ESP_DROP_ICV;
		if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1 ||
		    EVP_DecryptUpdate(ctx, out, &l, ct, (int)ctlen) != 1 ||
		    EVP_DecryptFinal_ex(ctx, out + l, &l2) != 1)
			return ESP_DROP_MALFORMED;
	}
	*plainlen = ctlen;
	return ESP_OK;
}

/* ---------------------------------------------------------------- packets */

/* Inner source and destination of an IP packet; its real length. */
static enum esp_drop
inner_addrs(const uint8_t *p, size_t len, uint8_t nh, int *family, const uint8_t **src,
    const uint8_t **dst, size_t *iplen)
{
	size_t tot;

	if (nh == NH_IPV4) {
		if (len < 20 || (p[0] >> 4) != 4 || (p[0] & 15) < 5)
			return ESP_DROP_PROTO;
		tot = (size_t)p[2] << 8 | p[3];
		if (tot < (size_t)(p[0] & 15) * 4 || tot > len)
			return ESP_DROP_PROTO;
		*family = AF_INET;
		*src = p + 12;
		*dst = p + 16;
	} else if (nh == NH_IPV6) {
		if (len < 40 || (p[0] >> 4) != 6)
			return ESP_DROP_PROTO;
		tot = 40 + ((size_t)p[4] << 8 | p[5]);
		if (tot > len)
			return ESP_DROP_PROTO;
		*family = AF_INET6;
		*src = p + 8;
		*dst = p + 24;
	} else
		return ESP_DROP_PROTO;	/* includes 59, TFC dummy packets */
	*iplen = tot;	/* shorter than len with TFC padding (RFC 4303 2.7) */
	return ESP_OK;
}

static int
in_nets(const struct cfg_net *n, size_t cnt, int family, const uint8_t *a)
{
	size_t i;

	for (i = 0; i < cnt; i++)
		if (cfg_net_contains(&n[i], family, a))
			return 1;
	return 0;
}

enum esp_drop
esp_decap(struct esp_table *t, const uint8_t *pkt, size_t len, uint8_t *out, size_t outcap,
    size_t *outlen, struct esp_sa **sap, time_t now)
{
	struct esp_sa *sa;
	const uint8_t *src, *dst;
	size_t plen, padlen, i, iplen;
	uint64_t seq;
	enum esp_drop d;
	int family;

	*sap = NULL;
	if (len < ESP_HDR_LEN) {
		esp_count_drop(t, NULL, ESP_DROP_MALFORMED);
		return ESP_DROP_MALFORMED;
	}
	if ((sa = esp_sa_find(t, get32(pkt))) == NULL) {
		esp_count_drop(t, NULL, ESP_DROP_SPI);
		return ESP_DROP_SPI;
	}
	*sap = sa;
	if (sa->hard_hit) {
		d = ESP_DROP_EXPIRED;
		goto drop;
	}
	/* Cheap check first; the window moves only after the ICV passed. */
	if (!esp_replay_check(sa, esp_replay_seq(sa, get32(pkt + 4)))) {
		d = ESP_DROP_REPLAY;
		goto drop;
	}
	if ((d = esp_open(sa, pkt, len, out, outcap, &plen, &seq)) != ESP_OK)
		goto drop;
	/* Authentic: the sequence number is used up whatever follows. */
	esp_replay_update(sa, seq);
	padlen = out[plen - 2];
	if (padlen + 2 > plen) {
		d = ESP_DROP_PAD;
		goto drop;
	}
	for (i = 0; i < padlen; i++)
		if (out[plen - 2 - padlen + i] != (uint8_t)(i + 1)) {
			d = ESP_DROP_PAD;
			goto drop;
		}
	if ((d = inner_addrs(out, plen - 2 - padlen, out[plen - 1], &family, &src, &dst,
	    &iplen)) != ESP_OK)
		goto drop;
	if (!in_nets(sa->ts_remote, sa->nts_remote, family, src) ||
	    !in_nets(sa->ts_local, sa->nts_local, family, dst)) {
		d = ESP_DROP_SELECTOR;
		goto drop;
	}
	*outlen = iplen;
	sa->in.bytes += iplen;
	sa->in.packets++;
	sa->in.last = now;
	check_limits(t, sa);
	return ESP_OK;
drop:
	esp_count_drop(t, sa, d);
	return d;
}

enum esp_drop
esp_encap(struct esp_table *t, struct esp_sa *sa, uint8_t *pkt, size_t len, uint8_t **outp,
    size_t *outlen, time_t now)
{
	uint8_t *buf = pkt - ESP_HDR_LEN - sa->ivlen, iv[ESP_IV_MAX], nh;
	const uint8_t *src, *dst;
	size_t pad, i, plain, total, iplen;
	uint64_t seq;
	enum esp_drop d;
	int family;

	if (sa->hard_hit) {
		d = ESP_DROP_EXPIRED;
		goto drop;
	}
	if (len < 1 || ((pkt[0] >> 4) != 4 && (pkt[0] >> 4) != 6)) {
		d = ESP_DROP_MALFORMED;
		goto drop;
	}
	nh = (pkt[0] >> 4) == 4 ? NH_IPV4 : NH_IPV6;
	/* RFC 4301 5.1: only what the selectors cover enters the tunnel. */
	if ((d = inner_addrs(pkt, len, nh, &family, &src, &dst, &iplen)) != ESP_OK) {
		d = ESP_DROP_MALFORMED;
		goto drop;
	}
	if (!in_nets(sa->ts_local, sa->nts_local, family, src) ||
	    !in_nets(sa->ts_remote, sa->nts_remote, family, dst)) {
		d = ESP_DROP_SELECTOR;
		goto drop;
	}
	seq = sa->seq_out + 1;
	if ((!sa->esn && seq > UINT32_MAX) || seq == 0) {
		/* RFC 4303 3.3.3: never cycle; the SA must be rekeyed. */
		sa->hard_hit = 1;
		t->expiry_pending = 1;
		d = ESP_DROP_SEQ;
		goto drop;
	}
	pad = (sa->blocklen - (len + 2) % sa->blocklen) % sa->blocklen;
	for (i = 0; i < pad; i++)
		pkt[len + i] = (uint8_t)(i + 1);
	pkt[len + pad] = (uint8_t)pad;
	pkt[len + pad + 1] = nh;
	plain = len + pad + 2;
	if (next_iv(sa, iv) == -1 || (total = esp_seal(sa, buf, plain, seq, iv)) == 0) {
		d = ESP_DROP_IO;
		goto drop;
	}
	sa->seq_out = seq;
	sa->out.bytes += len;
	sa->out.packets++;
	sa->out.last = now;
	check_limits(t, sa);
	*outp = buf;
	*outlen = total;
	return ESP_OK;
drop:
	esp_count_drop(t, sa, d);
	return d;
}

/* ---------------------------------------------------------------- status */

int
esp_table_expiry_pending(const struct esp_table *t)
{
	return t->expiry_pending;
}

void
esp_table_expired(struct esp_table *t, void (*fn)(void *, const struct esp_sa *, int),
    void *arg)
{
	struct esp_sa *sa;

	t->expiry_pending = 0;
	for (sa = t->all; sa; sa = sa->next) {
		if (sa->soft_hit && !sa->soft_told) {
			sa->soft_told = 1;
			fn(arg, sa, 0);
		}
		if (sa->hard_hit && !sa->hard_told) {
			sa->hard_told = 1;
			fn(arg, sa, 1);
		}
	}
}

const uint64_t *
esp_table_drops(const struct esp_table *t)
{
	return t->drops;
}

static json_t *
drops_json(const uint64_t *d)
{
	json_t *o = json_object();
	int i;

	for (i = 1; i < ESP_DROP_MAX; i++)
		json_object_set_new(o, drop_names[i], json_integer((json_int_t)d[i]));
	return o;
}

json_t *
esp_table_json(const struct esp_table *t)
{
	return json_pack("{s:I, s:o}", "sas", (json_int_t)t->n, "drops", drops_json(t->drops));
}

json_t *
esp_sa_json(const struct esp_sa *sa)
{
	char in[16], out[16];

	snprintf(in, sizeof(in), "%08x", sa->spi_in);
	snprintf(out, sizeof(out), "%08x", sa->spi_out);
	return json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:b, s:s, s:i, s:s, s:b,"
	    " s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
	    "spi_in", in, "spi_out", out, "reqid", (json_int_t)sa->reqid,
	    "ike_sa", (json_int_t)sa->ike_sa_id,
	    "local", net_addr_json(&sa->local), "remote", net_addr_json(&sa->remote),
	    "encap", sa->encap, "encryption", ike_transform_name(IKE_XF_ENCR, sa->encr->ea_id),
	    "key_bits", sa->encr->ea_keybits,
	    "integrity", sa->integ ? ike_transform_name(IKE_XF_INTEG, sa->integ->ia_id) : "NONE",
	    "esn", sa->esn,
	    "enc_key_len", (json_int_t)(sa->encr->ea_keylen + sa->encr->ea_saltlen),
	    "int_key_len", (json_int_t)(sa->integ ? sa->integ->ia_keylen : 0),
	    "ts_local", cfg_nets_json(sa->ts_local, sa->nts_local),
	    "ts_remote", cfg_nets_json(sa->ts_remote, sa->nts_remote),
	    "bytes_in", (json_int_t)sa->in.bytes, "bytes_out", (json_int_t)sa->out.bytes,
	    "packets_in", (json_int_t)sa->in.packets, "packets_out", (json_int_t)sa->out.packets,
	    "last_in", (json_int_t)sa->in.last, "last_out", (json_int_t)sa->out.last,
	    "seq_out", (json_int_t)sa->seq_out, "replay_top", (json_int_t)sa->replay_top,
	    "drops", drops_json(sa->drops));
}
