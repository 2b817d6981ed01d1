/*
 * cookie — stateless cookies against IKE_SA_INIT floods (RFC 7296 2.6).
 *
 * Above the configured number of half-open SAs, an IKE_SA_INIT without a
 * valid cookie is answered with N(COOKIE) and no state is kept.  A cookie
 * is  version(1) | SHA-256(secret | Ni | IPi | SPIi)[0..15]; the secret
 * changes every few minutes and the previous one stays valid for a while,
 * so a client that got a cookie just before a change still gets in.
 */
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "engine/engine.h"

#define COOKIE_ROTATE	300	/* seconds */
#define COOKIE_LEN	17

static void
cookie_rotate(struct ikegwd *gw)
{
	time_t now = time(NULL);

	if (gw->cookie_rotated == 0) {
		ike_random(gw->cookie_secret, sizeof(gw->cookie_secret));
		ike_random(gw->cookie_secret_old, sizeof(gw->cookie_secret_old));
		gw->cookie_rotated = now;
		gw->cookie_version = 0;
	} else if (now - gw->cookie_rotated >= COOKIE_ROTATE) {
		memcpy(gw->cookie_secret_old, gw->cookie_secret, sizeof(gw->cookie_secret));
		ike_random(gw->cookie_secret, sizeof(gw->cookie_secret));
		gw->cookie_rotated = now;
		gw->cookie_version ^= 1;
	}
}

int
cookie_required(struct ikegwd *gw, const struct sockaddr_storage *remote)
{
	(void)remote;
	cookie_rotate(gw);
	return gw->nhalf_open >= gw->cfg->half_open_cookie;
}

size_t
cookie_make(struct ikegwd *gw, const uint8_t *secret, const uint8_t spi_i[8], const uint8_t *ni,
    size_t nilen, const struct sockaddr_storage *remote, uint8_t *out)
{
	uint8_t ip[16], md[EVP_MAX_MD_SIZE];
	size_t iplen = net_addr_bytes(remote, ip);
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, secret, 32) != 1 || EVP_DigestUpdate(ctx, ni, nilen) != 1 ||
	    EVP_DigestUpdate(ctx, ip, iplen) != 1 || EVP_DigestUpdate(ctx, spi_i, 8) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
		EVP_MD_CTX_free(ctx);
		return 0;
	}
	EVP_MD_CTX_free(ctx);
	out[0] = secret == gw->cookie_secret ? gw->cookie_version : gw->cookie_version ^ 1;
	memcpy(out + 1, md, COOKIE_LEN - 1);
	return COOKIE_LEN;
}

int
cookie_valid(struct ikegwd *gw, const struct ike_msg *m, const struct sockaddr_storage *remote)
{
	const struct ike_pl *n = ike_msg_find_notify(m, IKE_N_COOKIE), *nonce;
	const uint8_t *secret;
	uint8_t want[COOKIE_LEN];

	cookie_rotate(gw);
	nonce = ike_msg_find(m, IKE_PL_NONCE, NULL);
	if (n == NULL || nonce == NULL || n->u.notify.len != COOKIE_LEN)
		return 0;
	secret = n->u.notify.data[0] == gw->cookie_version ? gw->cookie_secret :
	    gw->cookie_secret_old;
	if (cookie_make(gw, secret, m->hdr.spi_i, nonce->u.nonce.data, nonce->u.nonce.len, remote,
	    want) != COOKIE_LEN)
		return 0;
	return CRYPTO_memcmp(want, n->u.notify.data, COOKIE_LEN) == 0;
}
