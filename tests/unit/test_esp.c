/*
 * test_esp — the userspace ESP data plane (engine/kernel/esp.c): a
 * known-answer test for AES-GCM ESP (RFC 4106) from the GCM test vector
 * draft (draft-mcgrew-gcm-test-01, test case 4), round trips for every
 * algorithm between a "gateway" table and a mirrored "peer" table, the
 * anti-replay window (edges, jumps, ESN across the 2^32 boundary), and each
 * drop reason: unknown SPI, replay, bad ICV, bad padding, wrong next
 * header, inner addresses outside the selectors, volume limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "engine/kernel/esp.h"
#include "engine/ike/ike.h"
#include "engine/ike/crypto.h"

/* ------------------------------------------------------------ helpers */

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned int v;

	for (; hex[0] && hex[1]; hex += 2) {
		if (hex[0] == ' ') {
			hex--;
			continue;
		}
		assert_true(n < cap);
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void
net4(struct cfg_net *n, const char *a, int prefix)
{
	memset(n, 0, sizeof(*n));
	n->family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, n->addr), 1);
	n->prefix = (uint8_t)prefix;
}

static void
net6(struct cfg_net *n, const char *a, int prefix)
{
	memset(n, 0, sizeof(*n));
	n->family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, a, n->addr), 1);
	n->prefix = (uint8_t)prefix;
}

static void
sin4(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, a, &s->sin_addr);
}

/*
 * The gateway's view of a CHILD SA: local 10.1.0.0/24 (and 2001:db8:1::/64),
 * remote the client's 10.10.10.5/32 (and 2001:db8:a::5/128).
 */
static void
child(struct kernel_child *c, uint16_t encr, uint16_t bits, uint16_t integ, int esn)
{
	const struct ike_encr_alg *e = ike_encr_lookup(encr, bits);
	const struct ike_integ_alg *ia = integ ? ike_integ_lookup(integ) : NULL;
	size_t i;

	assert_non_null(e);
	memset(c, 0, sizeof(*c));
	c->spi_in = 0xc0010001;
	c->spi_out = 0xd0020002;
	c->reqid = 1;
	c->ike_sa_id = 7;
	sin4(&c->local, "192.0.2.1", 4500);
	sin4(&c->remote, "192.0.2.2", 4500);
	c->encap = 1;
	c->encr = encr;
	c->encr_bits = bits;
	c->integ = integ;
	c->esn = esn;
	c->enc_keylen = e->ea_keylen + e->ea_saltlen;
	c->int_keylen = ia ? ia->ia_keylen : 0;
	for (i = 0; i < KERNEL_KEY_MAX; i++) {
		c->enc_key_in[i] = (uint8_t)(0x11 + i);
		c->enc_key_out[i] = (uint8_t)(0x81 + 3 * i);
		c->int_key_in[i] = (uint8_t)(0x22 + 5 * i);
		c->int_key_out[i] = (uint8_t)(0x44 + 7 * i);
	}
	net4(&c->ts_local[0], "10.1.0.0", 24);
	net6(&c->ts_local[1], "2001:db8:1::", 64);
	c->nts_local = 2;
	net4(&c->ts_remote[0], "10.10.10.5", 32);
	net6(&c->ts_remote[1], "2001:db8:a::5", 128);
	c->nts_remote = 2;
}

/* The same SA seen from the client: directions swapped. */
static void
mirror(const struct kernel_child *g, struct kernel_child *p)
{
	*p = *g;
	p->spi_in = g->spi_out;
	p->spi_out = g->spi_in;
	memcpy(p->enc_key_in, g->enc_key_out, KERNEL_KEY_MAX);
	memcpy(p->enc_key_out, g->enc_key_in, KERNEL_KEY_MAX);
	memcpy(p->int_key_in, g->int_key_out, KERNEL_KEY_MAX);
	memcpy(p->int_key_out, g->int_key_in, KERNEL_KEY_MAX);
	memcpy(p->ts_local, g->ts_remote, sizeof(p->ts_local));
	memcpy(p->ts_remote, g->ts_local, sizeof(p->ts_remote));
	p->nts_local = g->nts_remote;
	p->nts_remote = g->nts_local;
	p->local = g->remote;
	p->remote = g->local;
}

struct pair {
	struct esp_table *gt, *pt;	/* gateway, peer */
	struct esp_sa	*g, *p;
};

static void
pair_open(struct pair *x, const struct kernel_child *gc)
{
	struct kernel_child pc;
	char err[128];

	mirror(gc, &pc);
	x->gt = esp_table_new();
	x->pt = esp_table_new();
	assert_non_null(x->gt);
	assert_non_null(x->pt);
	x->g = esp_sa_add(x->gt, gc, 1, err, sizeof(err));
	if (x->g == NULL)
		fail_msg("gateway SA: %s", err);
	x->p = esp_sa_add(x->pt, &pc, 1, err, sizeof(err));
	if (x->p == NULL)
		fail_msg("peer SA: %s", err);
}

static void
pair_close(struct pair *x)
{
	esp_table_free(x->gt);
	esp_table_free(x->pt);
}

/* An IPv4/UDP packet of total length len into p. */
static size_t
ip4(uint8_t *p, size_t len, const char *src, const char *dst, uint8_t fill)
{
	size_t i;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[8] = 64;
	p[9] = 17;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	for (i = 20; i < len; i++)
		p[i] = (uint8_t)(fill + i);
	return len;
}

static size_t
ip6(uint8_t *p, size_t len, const char *src, const char *dst)
{
	size_t i;

	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = 17;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	for (i = 40; i < len; i++)
		p[i] = (uint8_t)i;
	return len;
}

#define BUFSZ	(ESP_HEADROOM + 2048 + ESP_TAILROOM)

/* Client → gateway: encapsulated by the peer table, decapsulated by the
   gateway's.  Returns the drop reason; the inner packet lands in out. */
static enum esp_drop
up(struct pair *x, const uint8_t *inner, size_t len, uint8_t *wire, size_t *wlen,
    uint8_t *out, size_t *outlen)
{
	uint8_t buf[BUFSZ], *esp;
	struct esp_sa *sa;

	memcpy(buf + ESP_HEADROOM, inner, len);
	assert_int_equal(esp_encap(x->pt, x->p, buf + ESP_HEADROOM, len, &esp, wlen, 100),
	    ESP_OK);
	memcpy(wire, esp, *wlen);
	return esp_decap(x->gt, wire, *wlen, out, 4096, outlen, &sa, 101);
}

/* ------------------------------------------------------------ known answer */

/*
 * draft-mcgrew-gcm-test-01 test case 4 (AES-128-GCM ESP with a 64-bit
 * extended sequence number): key 4c80cdefbb5d10da906ac73c3613a634, salt
 * 2e443b68, SPI 0x4321, sequence number 0x87654321_00000000 (AAD = SPI |
 * seq_hi | seq_lo, RFC 4106 5), IV 4956ed7e3b244cfe; the plaintext is the
 * ESP payload including its trailer.  The tag was also recomputed outside
 * this code (Python cryptography's AESGCM) before relying on it.
 */
static void
test_gcm_kat(void **state)
{
	static const char *key = "4c80cdefbb5d10da906ac73c3613a634" "2e443b68";
	static const char *plain =
	    "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
	    "00000000045f736970045f75647003736970096379626572636974790264"
	    "6b0000210001" "01020201";
	static const char *cipher =
	    "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
	    "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
	    "61bc17d768fd9732" "459018148f6cbe722fd04796562dfdb4";
	struct kernel_child c;
	struct esp_table *t = esp_table_new();
	struct esp_sa *sa;
	uint8_t pkt[256], p[128], ct[128], out[256], iv[8], mine[256];
	size_t plen, ctlen, n, got;
	uint64_t seq;
	char err[128];

	(void)state;
	child(&c, IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 1);
	c.spi_in = c.spi_out = 0x4321;
	unhex(key, c.enc_key_in, sizeof(c.enc_key_in));
	unhex(key, c.enc_key_out, sizeof(c.enc_key_out));
	assert_non_null(sa = esp_sa_add(t, &c, 0, err, sizeof(err)));
	plen = unhex(plain, p, sizeof(p));
	ctlen = unhex(cipher, ct, sizeof(ct));
	assert_int_equal(plen, 72);
	assert_int_equal(ctlen, 88);
	unhex("4956ed7e3b244cfe", iv, sizeof(iv));

	/* Decrypt the published packet; the window puts seq_hi at 0x87654321. */
	esp_replay_update(sa, 0x8765432100000000ULL - 5);
	memcpy(pkt, "\x00\x00\x43\x21\x00\x00\x00\x00", 8);
	memcpy(pkt + 8, iv, 8);
	memcpy(pkt + 16, ct, ctlen);
	n = 16 + ctlen;
	assert_int_equal(esp_open(sa, pkt, n, out, sizeof(out), &got, &seq), ESP_OK);
	assert_int_equal(got, plen);
	assert_memory_equal(out, p, plen);
	assert_int_equal(seq, 0x8765432100000000ULL);

	/* Encrypt it again: byte for byte the published packet. */
	memcpy(mine + 16, p, plen);
	assert_int_equal(esp_seal(sa, mine, plen, 0x8765432100000000ULL, iv), n);
	assert_memory_equal(mine, pkt, n);

	/* One bit of the tag flipped: refused. */
	pkt[n - 1] ^= 1;
	assert_int_equal(esp_open(sa, pkt, n, out, sizeof(out), &got, &seq), ESP_DROP_ICV);
	esp_table_free(t);
}

/* ------------------------------------------------------------ round trips */

struct alg {
	uint16_t	 encr, bits, integ;
};

static const struct alg algs[] = {
	{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_12, 128, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_8, 256, IKE_INTEG_NONE },
	{ IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_384_192 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_512_256 },
	{ IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_96 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96 },
};

static void
test_roundtrip(void **state)
{
	uint8_t inner[2048], wire[4096], out[4096], buf[BUFSZ], *esp;
	size_t a, len, wlen, olen, esn;
	struct kernel_child c;
	struct pair x;
	struct esp_sa *sa;

	(void)state;
	for (a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
		for (esn = 0; esn < 2; esn++) {
			child(&c, algs[a].encr, algs[a].bits, algs[a].integ, (int)esn);
			pair_open(&x, &c);
			/* Every length from tiny to the TUN MTU, so every pad length. */
			for (len = 20; len <= 1400; len += len < 80 ? 1 : 97) {
				ip4(inner, len, "10.10.10.5", "10.1.0.10", (uint8_t)len);
				assert_int_equal(up(&x, inner, len, wire, &wlen, out, &olen), ESP_OK);
				assert_int_equal(olen, len);
				assert_memory_equal(out, inner, len);
				/* ESP payload | trailer is 4-byte aligned (block aligned for CBC). */
				assert_int_equal((wlen - ESP_HDR_LEN - x.p->ivlen - x.p->icvlen) %
				    x.p->blocklen, 0);
			}
			/* IPv6 inside. */
			ip6(inner, 200, "2001:db8:a::5", "2001:db8:1::10");
			assert_int_equal(up(&x, inner, 200, wire, &wlen, out, &olen), ESP_OK);
			assert_memory_equal(out, inner, 200);
			/* Gateway → client. */
			ip4(inner, 300, "10.1.0.10", "10.10.10.5", 9);
			memcpy(buf + ESP_HEADROOM, inner, 300);
			assert_ptr_equal(esp_route_lookup(x.gt, AF_INET, inner + 16), x.g);
			assert_int_equal(esp_encap(x.gt, x.g, buf + ESP_HEADROOM, 300, &esp, &wlen, 5),
			    ESP_OK);
			assert_int_equal(esp_decap(x.pt, esp, wlen, out, sizeof(out), &olen, &sa, 5),
			    ESP_OK);
			assert_ptr_equal(sa, x.p);
			assert_memory_equal(out, inner, 300);
			/* Counters: inner bytes, packets, last use. */
			assert_int_equal(x.g->out.packets, 1);
			assert_int_equal(x.g->out.bytes, 300);
			assert_int_equal(x.g->out.last, 5);
			assert_int_equal(x.g->in.packets, x.p->out.packets);
			assert_int_equal(x.g->in.bytes, x.p->out.bytes);
			pair_close(&x);
		}
	}
}

static void
test_legacy_refused(void **state)
{
	struct esp_table *t = esp_table_new();
	struct kernel_child c;
	char err[128];

	(void)state;
	child(&c, IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_96, 0);
	assert_null(esp_sa_add(t, &c, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "legacy"));
	child(&c, IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 0);
	assert_null(esp_sa_add(t, &c, 0, err, sizeof(err)));
	/* A wrong key length and a missing integrity algorithm. */
	child(&c, IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, 0);
	assert_null(esp_sa_add(t, &c, 1, err, sizeof(err)));
	child(&c, IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 0);
	c.enc_keylen = 32;
	assert_null(esp_sa_add(t, &c, 1, err, sizeof(err)));
	/* Duplicate SPI. */
	child(&c, IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 0);
	assert_non_null(esp_sa_add(t, &c, 0, err, sizeof(err)));
	assert_null(esp_sa_add(t, &c, 0, err, sizeof(err)));
	assert_int_equal(esp_sa_del(t, c.spi_in), 0);
	assert_int_equal(esp_sa_del(t, c.spi_in), -1);
	esp_table_free(t);
}

/* ------------------------------------------------------------ replay */

static void
test_replay_window(void **state)
{
	struct esp_sa sa;
	uint64_t top = 5000, s;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	assert_false(esp_replay_check(&sa, 0));
	assert_true(esp_replay_check(&sa, 1));
	esp_replay_update(&sa, 1);
	assert_false(esp_replay_check(&sa, 1));
	assert_true(esp_replay_check(&sa, 2));
	/* A jump, then the window's edges. */
	esp_replay_update(&sa, top);
	assert_false(esp_replay_check(&sa, top));
	assert_true(esp_replay_check(&sa, top - 1));
	assert_true(esp_replay_check(&sa, top - ESP_REPLAY_WINDOW + 1));
	assert_false(esp_replay_check(&sa, top - ESP_REPLAY_WINDOW));
	assert_false(esp_replay_check(&sa, 1));
	esp_replay_update(&sa, top - ESP_REPLAY_WINDOW + 1);
	assert_false(esp_replay_check(&sa, top - ESP_REPLAY_WINDOW + 1));
	/* Out of order within the window: each once. */
	for (s = top - 100; s < top; s += 3) {
		assert_true(esp_replay_check(&sa, s));
		esp_replay_update(&sa, s);
		assert_false(esp_replay_check(&sa, s));
	}
	/* Sliding by less than a word keeps the older bits. */
	esp_replay_update(&sa, top + 10);
	assert_false(esp_replay_check(&sa, top - 100));
	assert_true(esp_replay_check(&sa, top - 99));
	assert_true(esp_replay_check(&sa, top + 5));
	/* A jump far ahead forgets everything before the window. */
	esp_replay_update(&sa, top + 100000);
	assert_true(esp_replay_check(&sa, top + 100000 - 1));
	assert_false(esp_replay_check(&sa, top + 10));
	/* Without ESN the 32 bits on the wire are the sequence number. */
	assert_int_equal(esp_replay_seq(&sa, 7), 7);
}

static void
test_replay_esn(void **state)
{
	struct esp_sa sa;
	uint64_t b32 = 1ULL << 32;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.esn = 1;
	/* Case A: the window lies in one subspace; small numbers are the next one. */
	esp_replay_update(&sa, b32 - 10);
	assert_int_equal(esp_replay_seq(&sa, 0xfffffff0u), b32 - 16);
	assert_int_equal(esp_replay_seq(&sa, 5), b32 + 5);
	assert_int_equal(esp_replay_seq(&sa, 0), b32);
	assert_true(esp_replay_check(&sa, esp_replay_seq(&sa, 0)));
	esp_replay_update(&sa, b32 + 5);
	/* Case B: the window reaches back into the previous subspace. */
	assert_int_equal(esp_replay_seq(&sa, 0xfffffff6u), b32 - 10);
	assert_false(esp_replay_check(&sa, esp_replay_seq(&sa, 0xfffffff6u)));
	assert_true(esp_replay_check(&sa, esp_replay_seq(&sa, 0xfffffff7u)));
	assert_int_equal(esp_replay_seq(&sa, 3), b32 + 3);
	assert_true(esp_replay_check(&sa, b32 + 3));
	assert_int_equal(esp_replay_seq(&sa, 100), b32 + 100);
	/* Full 64-bit zero is never valid. */
	memset(&sa, 0, sizeof(sa));
	sa.esn = 1;
	assert_false(esp_replay_check(&sa, esp_replay_seq(&sa, 0)));
}

/* The sender crosses 2^32 with ESN; the receiver follows (ICV covers seq_hi). */
static void
test_esn_wrap_traffic(void **state)
{
	uint8_t inner[256], wire[512], out[512];
	size_t wlen, olen, i, a;
	struct kernel_child c;
	struct pair x;
	static const struct alg two[] = {
		{ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE },
		{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128 },
	};

	(void)state;
	for (a = 0; a < 2; a++) {
		child(&c, two[a].encr, two[a].bits, two[a].integ, 1);
		pair_open(&x, &c);
		x.p->seq_out = (1ULL << 32) - 3;
		esp_replay_update(x.g, (1ULL << 32) - 3);
		for (i = 0; i < 6; i++) {
			ip4(inner, 100, "10.10.10.5", "10.1.0.10", (uint8_t)i);
			assert_int_equal(up(&x, inner, 100, wire, &wlen, out, &olen), ESP_OK);
		}
		assert_int_equal(x.g->replay_top, (1ULL << 32) + 3);
		/* Replaying the last one fails; with a wrong high half the ICV would. */
		{
			struct esp_sa *sa;

			assert_int_equal(esp_decap(x.gt, wire, wlen, out, sizeof(out), &olen, &sa, 1),
			    ESP_DROP_REPLAY);
		}
		pair_close(&x);
	}
	/* Without ESN the sender stops before cycling. */
	child(&c, IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0);
	pair_open(&x, &c);
	x.p->seq_out = UINT32_MAX;
	{
		uint8_t buf[BUFSZ], *esp;

		ip4(buf + ESP_HEADROOM, 100, "10.10.10.5", "10.1.0.10", 1);
		assert_int_equal(esp_encap(x.pt, x.p, buf + ESP_HEADROOM, 100, &esp, &wlen, 1),
		    ESP_DROP_SEQ);
		assert_true(x.p->hard_hit);
	}
	pair_close(&x);
}

/* ------------------------------------------------------------ drops */

static void
test_drops(void **state)
{
	uint8_t inner[512], wire[1024], out[1024], copy[1024];
	size_t wlen, olen;
	struct kernel_child c;
	struct pair x;
	struct esp_sa *sa;
	const uint64_t *d;

	(void)state;
	child(&c, IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 0);
	pair_open(&x, &c);
	ip4(inner, 84, "10.10.10.5", "10.1.0.10", 3);
	assert_int_equal(up(&x, inner, 84, wire, &wlen, out, &olen), ESP_OK);
	/* Replay of the same packet. */
	assert_int_equal(esp_decap(x.gt, wire, wlen, out, sizeof(out), &olen, &sa, 1),
	    ESP_DROP_REPLAY);
	/* A flipped bit in a fresh packet: ICV, and the window does not move. */
	assert_int_equal(up(&x, inner, 84, wire, &wlen, out, &olen), ESP_OK);
	ip4(inner, 84, "10.10.10.5", "10.1.0.10", 4);
	{
		uint8_t buf[BUFSZ], *esp;

		memcpy(buf + ESP_HEADROOM, inner, 84);
		assert_int_equal(esp_encap(x.pt, x.p, buf + ESP_HEADROOM, 84, &esp, &wlen, 1),
		    ESP_OK);
		memcpy(copy, esp, wlen);
	}
	copy[30] ^= 0x04;
	assert_int_equal(esp_decap(x.gt, copy, wlen, out, sizeof(out), &olen, &sa, 1),
	    ESP_DROP_ICV);
	copy[30] ^= 0x04;
	assert_int_equal(esp_decap(x.gt, copy, wlen, out, sizeof(out), &olen, &sa, 1), ESP_OK);
	/* Unknown SPI, too short, truncated, wrong block alignment. */
	copy[0] ^= 0xff;
	assert_int_equal(esp_decap(x.gt, copy, wlen, out, sizeof(out), &olen, &sa, 1),
	    ESP_DROP_SPI);
	assert_null(sa);
	assert_int_equal(esp_decap(x.gt, copy, 5, out, sizeof(out), &olen, &sa, 1),
	    ESP_DROP_MALFORMED);
	{
		uint8_t buf[BUFSZ], *esp;

		memcpy(buf + ESP_HEADROOM, inner, 84);
		assert_int_equal(esp_encap(x.pt, x.p, buf + ESP_HEADROOM, 84, &esp, &wlen, 1),
		    ESP_OK);
		assert_int_equal(esp_decap(x.gt, esp, 20, out, sizeof(out), &olen, &sa, 1),
		    ESP_DROP_MALFORMED);
		assert_int_equal(esp_decap(x.gt, esp, wlen - 3, out, sizeof(out), &olen, &sa, 1),
		    ESP_DROP_MALFORMED);
	}
	d = esp_table_drops(x.gt);
	assert_int_equal(d[ESP_DROP_REPLAY], 1);
	assert_int_equal(d[ESP_DROP_ICV], 1);
	assert_int_equal(d[ESP_DROP_SPI], 1);
	assert_int_equal(d[ESP_DROP_MALFORMED], 3);
	assert_int_equal(x.g->drops[ESP_DROP_REPLAY], 1);
	assert_int_equal(x.g->drops[ESP_DROP_ICV], 1);
	assert_int_equal(x.g->in.packets, 3);
	assert_int_equal(x.g->in.bytes, 3 * 84);
	pair_close(&x);
}

/* Hand-made trailers sealed with the peer's keys. */
static enum esp_drop
sealed(struct pair *x, const uint8_t *plain, size_t plen)
{
	uint8_t buf[1024], out[1024], iv[16] = { 1, 2, 3 };
	struct esp_sa *sa;
	size_t n, olen;

	memcpy(buf + ESP_HDR_LEN + x->p->ivlen, plain, plen);
	n = esp_seal(x->p, buf, plen, ++x->p->seq_out, iv);
	assert_true(n > 0);
	return esp_decap(x->gt, buf, n, out, sizeof(out), &olen, &sa, 1);
}

static void
test_padding_and_selectors(void **state)
{
	uint8_t p[512];
	struct kernel_child c;
	struct pair x;

	(void)state;
	child(&c, IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 0);
	pair_open(&x, &c);
	/* 94-byte packet + pad 0 + 2 = 96: correct. */
	ip4(p, 94, "10.10.10.5", "10.1.0.10", 0);
	p[94] = 0;
	p[95] = 4;
	assert_int_equal(sealed(&x, p, 96), ESP_OK);
	/* 84 + pad 10 + 2: padding bytes must be 1, 2, 3... */
	ip4(p, 84, "10.10.10.5", "10.1.0.10", 0);
	for (int i = 0; i < 10; i++)
		p[84 + i] = (uint8_t)(i + 1);
	p[94] = 10;
	p[95] = 4;
	assert_int_equal(sealed(&x, p, 96), ESP_OK);
	p[90] = 0x77;
	assert_int_equal(sealed(&x, p, 96), ESP_DROP_PAD);
	/* Pad length beyond the payload. */
	p[90] = 7;
	p[94] = 200;
	assert_int_equal(sealed(&x, p, 96), ESP_DROP_PAD);
	/* Next header: 59 (dummy), 6, and IPv6 declared for an IPv4 packet. */
	p[94] = 10;
	p[95] = 59;
	assert_int_equal(sealed(&x, p, 96), ESP_DROP_PROTO);
	p[95] = 41;
	assert_int_equal(sealed(&x, p, 96), ESP_DROP_PROTO);
	/* Inner length larger than the payload. */
	p[95] = 4;
	p[3] = 200;
	assert_int_equal(sealed(&x, p, 96), ESP_DROP_PROTO);
	/* Inner source outside the client's selector (spoofing), destination
	   outside ours. */
	ip4(p, 84, "10.10.10.6", "10.1.0.10", 0);
	for (int i = 0; i < 10; i++)
		p[84 + i] = (uint8_t)(i + 1);
	p[94] = 10;
	p[95] = 4;
	assert_int_equal(sealed(&x, p, 96), ESP_DROP_SELECTOR);
	ip4(p, 84, "10.10.10.5", "10.2.0.10", 0);
	assert_int_equal(sealed(&x, p, 96), ESP_DROP_SELECTOR);
	/* Outbound: a source outside our selectors never enters the tunnel. */
	{
		uint8_t buf[BUFSZ], *esp;
		size_t wlen;

		ip4(buf + ESP_HEADROOM, 84, "10.2.0.10", "10.10.10.5", 0);
		assert_int_equal(esp_encap(x.gt, x.g, buf + ESP_HEADROOM, 84, &esp, &wlen, 1),
		    ESP_DROP_SELECTOR);
		ip4(buf + ESP_HEADROOM, 84, "10.1.0.10", "10.10.10.9", 0);
		assert_int_equal(esp_encap(x.gt, x.g, buf + ESP_HEADROOM, 84, &esp, &wlen, 1),
		    ESP_DROP_SELECTOR);
		assert_int_equal(x.g->out.packets, 0);
	}
	assert_int_equal(x.g->drops[ESP_DROP_SELECTOR], 4);
	assert_int_equal(x.g->drops[ESP_DROP_PAD], 2);
	assert_int_equal(x.g->drops[ESP_DROP_PROTO], 3);
	assert_int_equal(x.g->in.packets, 2);
	pair_close(&x);
}

/* ------------------------------------------------------------ limits, routes */

static int expired_soft, expired_hard;

static void
on_expired(void *arg, const struct esp_sa *sa, int hard)
{
	(void)arg;
	(void)sa;
	if (hard)
		expired_hard++;
	else
		expired_soft++;
}

static void
test_limits(void **state)
{
	uint8_t inner[256], wire[512], out[512];
	size_t wlen, olen, i;
	struct kernel_child c;
	struct pair x;

	(void)state;
	child(&c, IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0);
	c.soft_bytes = 250;
	c.hard_bytes = 400;
	pair_open(&x, &c);
	x.p->soft_bytes = x.p->hard_bytes = 0;	/* only the gateway counts here */
	ip4(inner, 100, "10.10.10.5", "10.1.0.10", 1);
	for (i = 0; i < 4; i++)
		assert_int_equal(up(&x, inner, 100, wire, &wlen, out, &olen), ESP_OK);
	assert_true(esp_table_expiry_pending(x.gt));
	esp_table_expired(x.gt, on_expired, NULL);
	assert_int_equal(expired_soft, 1);
	assert_int_equal(expired_hard, 1);
	assert_false(esp_table_expiry_pending(x.gt));
	esp_table_expired(x.gt, on_expired, NULL);
	assert_int_equal(expired_soft + expired_hard, 2);
	assert_int_equal(up(&x, inner, 100, wire, &wlen, out, &olen), ESP_DROP_EXPIRED);
	pair_close(&x);
}

static void
test_routes(void **state)
{
	struct esp_table *t = esp_table_new();
	struct kernel_child c;
	struct esp_sa *a, *b, *w;
	uint8_t addr[16];
	char err[128];

	(void)state;
	child(&c, IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0);
	assert_non_null(a = esp_sa_add(t, &c, 0, err, sizeof(err)));
	/* A wide selector and a narrower one. */
	c.spi_in = 0x1000;
	net4(&c.ts_remote[0], "172.16.0.0", 12);
	c.nts_remote = 1;
	assert_non_null(w = esp_sa_add(t, &c, 0, err, sizeof(err)));
	c.spi_in = 0x1001;
	net4(&c.ts_remote[0], "172.16.5.0", 24);
	assert_non_null(b = esp_sa_add(t, &c, 0, err, sizeof(err)));
	inet_pton(AF_INET, "10.10.10.5", addr);
	assert_ptr_equal(esp_route_lookup(t, AF_INET, addr), a);
	inet_pton(AF_INET, "172.16.5.9", addr);
	assert_ptr_equal(esp_route_lookup(t, AF_INET, addr), b);
	inet_pton(AF_INET, "172.17.0.1", addr);
	assert_ptr_equal(esp_route_lookup(t, AF_INET, addr), w);
	inet_pton(AF_INET, "10.10.10.6", addr);
	assert_null(esp_route_lookup(t, AF_INET, addr));
	inet_pton(AF_INET6, "2001:db8:a::5", addr);
	assert_ptr_equal(esp_route_lookup(t, AF_INET6, addr), a);
	assert_int_equal(esp_route_users(t, &c.ts_remote[0], b), 0);
	assert_int_equal(esp_route_users(t, &c.ts_remote[0], NULL), 1);
	assert_int_equal(esp_sa_del(t, 0x1001), 0);
	inet_pton(AF_INET, "172.16.5.9", addr);
	assert_ptr_equal(esp_route_lookup(t, AF_INET, addr), w);
	esp_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcm_kat),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_legacy_refused),
		cmocka_unit_test(test_replay_window),
		cmocka_unit_test(test_replay_esn),
		cmocka_unit_test(test_esn_wrap_traffic),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_padding_and_selectors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
