/*
 * fuzz_esp.c — libFuzzer target for inbound ESP decapsulation
 * (engine/kernel/esp.h), the path every datagram arriving on UDP 4500 with
 * a non-zero first word takes.
 *
 * The first input byte picks a mode and an SA (AES-GCM without ESN, AES-CBC
 * + HMAC with ESN, both keyed alike in both directions and with spi_in ==
 * spi_out so packets sealed "outbound" decapsulate "inbound"):
 *   mode 0: the rest is the UDP payload as received (its SPI replaced by the
 *           SA's half the time, so the replay and ICV paths run too);
 *   mode 1: the rest is ESP plaintext (inner packet, padding, pad length,
 *           next header), sealed with the SA's keys first, so the trailer,
 *           next header, inner header and selector checks see arbitrary bytes
 *           behind a valid ICV.
 * Whatever happens, an accepted inner packet must lie within the output
 * buffer and the counters must add up.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ike/ike.h"
#include "engine/kernel/esp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static struct esp_table *table;
static struct esp_sa *sas[2];

static void
setup(void)
{
	static const struct { uint16_t encr, bits, integ; int esn; uint32_t spi; } def[2] = {
		{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 0, 0x1001 },
		{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 1, 0x2002 },
	};
	struct kernel_child c;
	char err[128];
	int i;

	table = esp_table_new();
	CHECK(table != NULL);
	for (i = 0; i < 2; i++) {
		memset(&c, 0, sizeof(c));
		c.spi_in = c.spi_out = def[i].spi;
		c.encap = 1;
		c.encr = def[i].encr;
		c.encr_bits = def[i].bits;
		c.integ = def[i].integ;
		c.esn = def[i].esn;
		c.enc_keylen = def[i].encr == IKE_ENCR_AES_GCM_16 ? 20 : 16;
		c.int_keylen = def[i].integ ? 32 : 0;
		memset(c.enc_key_in, 0x5a + i, sizeof(c.enc_key_in));
		memset(c.enc_key_out, 0x5a + i, sizeof(c.enc_key_out));
		memset(c.int_key_in, 0x3c + i, sizeof(c.int_key_in));
		memset(c.int_key_out, 0x3c + i, sizeof(c.int_key_out));
		c.ts_local[0].family = AF_INET;
		c.ts_local[0].prefix = 0;
		c.ts_local[1].family = AF_INET6;
		c.ts_local[1].prefix = 0;
		c.nts_local = 2;
		c.ts_remote[0].family = AF_INET;
		inet_pton(AF_INET, "10.10.10.5", c.ts_remote[0].addr);
		c.ts_remote[0].prefix = 32;
		c.ts_remote[1].family = AF_INET6;
		c.ts_remote[1].prefix = 0;
		c.nts_remote = 2;
		sas[i] = esp_sa_add(table, &c, 0, err, sizeof(err));
		CHECK(sas[i] != NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[70000], out[70000];
	static const uint8_t iv[16] = { 9, 8, 7 };
	struct esp_sa *sa, *got;
	uint64_t before = 0, after = 0;
	const uint64_t *drops;
	size_t len, outlen = 0, n, i;
	enum esp_drop d;

	if (table == NULL)
		setup();
	if (size < 1 || size > 65000)
		return 0;
	sa = sas[data[0] & 1];
	/* A fresh window each run keeps runs independent of each other. */
	sa->replay_top = 0;
	memset(sa->replay_map, 0, sizeof(sa->replay_map));
	drops = esp_table_drops(table);
	for (i = 1; i < ESP_DROP_MAX; i++)
		before += drops[i];
	if ((data[0] & 2) == 0) {
		len = size - 1;
		memcpy(pkt, data + 1, len);
		if ((data[0] & 4) && len >= 4) {
			pkt[0] = (uint8_t)(sa->spi_in >> 24);
			pkt[1] = (uint8_t)(sa->spi_in >> 16);
			pkt[2] = (uint8_t)(sa->spi_in >> 8);
			pkt[3] = (uint8_t)sa->spi_in;
		}
	} else {
		n = size - 1;
		/* CBC needs whole blocks: cut the plaintext down to them. */
		if (!sa->encr->ea_aead)
			n -= n % sa->encr->ea_blocklen;
		if (n == 0)
			return 0;
		memcpy(pkt + ESP_HDR_LEN + sa->ivlen, data + 1, n);
		len = esp_seal(sa, pkt, n, 1 + (data[0] >> 4), iv);
		CHECK(len == ESP_HDR_LEN + sa->ivlen + n + sa->icvlen);
	}
	d = esp_decap(table, pkt, len, out, sizeof(out), &outlen, &got, 1);
	for (i = 1; i < ESP_DROP_MAX; i++)
		after += drops[i];
	if (d == ESP_OK) {
		CHECK(got == sa || (data[0] & 2) == 0);
		CHECK(outlen >= 20 && outlen <= len);
		CHECK(after == before);
	} else
		CHECK(after == before + 1);
	return 0;
}
