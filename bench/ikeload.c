/*
 * ikeload — an IKEv2 initiator for load tests, benchmarks and protocol
 * probes, built on the engine's wire codec (engine/ike/msg.h) and crypto
 * (crypto.h, keys.h, dh.h, auth.h, eap/mschapv2.h).  The engine holds only
 * responder code; everything initiator-side lives here.
 *
 *   ikeload --server 192.0.2.1 --clients 200 --concurrency 50 --ca ca.pem \
 *       --user-pattern 'user%d' --password-pattern 'pass%d' --json
 *   ikeload --server 192.0.2.1 --psk SECRET --id carol \
 *       --ike-proposal aes128gcm16-prfsha256-x25519 --clients 2000
 *   ikeload probe retransmit|invalid-ke|no-proposal|critical|garbage|flood ...
 *
 * One process, one libevent loop, no threads.  The protocol half (struct
 * ini, the ini_* functions) does no I/O: it builds the next request into
 * ini.req and digests the datagrams it is given, so the load driver
 * (libevent, thousands of clients) and the probes (blocking, one exchange
 * at a time) share it.
 *
 * Exchanges (RFC 7296 1.2, 2.6, 2.16; RFC 7383):
 *   IKE_SA_INIT -> [N(COOKIE)] SAi1 KEi Ni N(NAT_DETECTION_SOURCE_IP)
 *                  N(NAT_DETECTION_DESTINATION_IP) N(IKEV2_FRAGMENTATION_SUPPORTED)
 *                  N(SIGNATURE_HASH_ALGORITHMS)
 *               <- N(COOKIE): resend with it first; N(INVALID_KE_PAYLOAD): new KE
 *               <- SAr1 KEr Nr N(NAT_DETECTION_*) ...
 *   IKE_AUTH    -> IDi N(INITIAL_CONTACT) [AUTH (PSK)] CP(CFG_REQUEST) SAi2 TSi TSr
 *     PSK:      <- IDr AUTH(PSK) CP(CFG_REPLY) SAr2 TSi TSr
 *     EAP:      <- IDr CERT AUTH(signature, checked against --ca) EAP(Request/Identity)
 *               -> EAP(Response/Identity)      <- MSCHAPv2 Challenge
 *               -> MSCHAPv2 Response           <- MSCHAPv2 Success "S=..." (checked)
 *               -> MSCHAPv2 Success ack        <- EAP-Success
 *               -> AUTH(MSK)                   <- AUTH(MSK) CP(CFG_REPLY) SAr2 TSi TSr
 *   INFORMATIONAL -> D(IKE) (--delete); the responder's DPD and Delete are answered.
 *
 * Responses may come as SKF fragments (RFC 7383), reassembled here.  Our own
 * requests are small and never fragmented.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "engine/eap/mschapv2.h"
#include "engine/ike/auth.h"
#include "engine/ike/cert.h"
#include "engine/ike/crypto.h"
#include "engine/ike/dh.h"
#include "engine/ike/ike.h"
#include "engine/ike/keys.h"
#include "engine/ike/msg.h"
#include "engine/ike/names.h"
#include "engine/ike/wbuf.h"
#include "pki/pki.h"

#define NONCE_LEN	32
#define MAX_FRAGS	32		/* fragments of one response */
#define MAX_REQ_FRAGS	8		/* fragments of one request (probes) */
#define MAX_PROPS	8		/* proposals per SA payload */
#define MAX_XFORMS	24		/* transforms per proposal */
#define MAX_COOKIES	3		/* COOKIE rounds before giving up */
#define MAX_KE_RETRY	2		/* INVALID_KE_PAYLOAD rounds */
#define MAX_REASONS	64
#define MS_OP_CHALLENGE	1
#define MS_OP_RESPONSE	2
#define MS_OP_SUCCESS	3
#define MS_OP_FAILURE	4
#define DGRAM_MAX	65536

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *progname = "ikeload";

/* ================================================================ utilities */

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Checked decimal conversion (strtonum style): -1 when s is not a number in [lo, hi]. */
static int
num_arg(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static double
secs_arg(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
		die("%s: expected a number of seconds in [%g, %g], not \"%s\"", opt, lo, hi, s);
	return v;
}

/*
 * Expands a user/password pattern: "%d" becomes n, "%%" a percent sign;
 * any other '%' is refused (the pattern never reaches printf).  0 or -1.
 */
static int
pattern_expand(const char *pat, long long n, char *out, size_t outlen)
{
	size_t o = 0;
	char num[24];
	int k;

	for (; *pat; pat++) {
		if (*pat == '%' && pat[1] == 'd') {
			k = snprintf(num, sizeof(num), "%lld", n);
			if (k < 0 || o + (size_t)k >= outlen)
				return -1;
			memcpy(out + o, num, (size_t)k);
			o += (size_t)k;
			pat++;
			continue;
		}
		if (*pat == '%') {
			if (pat[1] != '%')
				return -1;
			pat++;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = *pat;
	}
	out[o] = '\0';
	return 0;
}

/* "192.0.2.1", "192.0.2.1:500", "[2001:db8::1]:500", "2001:db8::1". */
static int
parse_hostport(const char *s, uint16_t defport, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *rb;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	long long p = defport;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		if ((rb = strchr(s, ']')) == NULL || (size_t)(rb - s - 1) >= sizeof(host))
			return -1;
		n = (size_t)(rb - s - 1);
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (rb[1] == ':')
			port = rb + 2;
		else if (rb[1] != '\0')
			return -1;
	} else if (strchr(s, ':') != NULL && strchr(s, ':') == strrchr(s, ':')) {
		n = (size_t)(strchr(s, ':') - s);
		if (n >= sizeof(host))
			return -1;
		memcpy(host, s, n);
		host[n] = '\0';
		port = s + n + 1;
	} else {
		if (strlen(s) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%s", s);
	}
	if (port && num_arg(port, 1, 65535, &p) == -1)
		return -1;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		return 0;
	}
	return -1;
}

static socklen_t
sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static void
sa_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

static uint16_t
sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static const char *
sa_str(const struct sockaddr_storage *ss, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	const void *p = ss->ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (inet_ntop(ss->ss_family, p, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(out, len, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, sa_port(ss));
	return out;
}

/*
 * A small seeded generator (xorshift64*) for the reproducible parts of the
 * probes; key material always comes from ike_random().
 */
static uint64_t rng_state = 1;

static void
rng_seed(uint64_t seed)
{
	rng_state = seed ? seed * 0x9e3779b97f4a7c15ULL : 0x9e3779b97f4a7c15ULL;
}

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void
rng_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			v = rng();
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* ================================================================ proposals */

/*
 * A small strongSwan-like proposal syntax: proposals separated by ',',
 * transforms inside one by '-':  aes256gcm16-prfsha256-modp2048,
 * aes128-sha256-ecp256-x25519, 3des-sha1-modp1024, aes256gcm16-esn.
 */
struct xf {
	uint8_t		 type;		/* IKE_XF_* */
	uint16_t	 id;
	uint16_t	 bits;		/* key length attribute, 0 = none */
};

struct prop {
	struct xf	 xf[MAX_XFORMS];
	size_t		 n;
};

struct props {
	struct prop	 p[MAX_PROPS];
	size_t		 n;
	int		 esp;		/* ESP (no PRF, DH optional) */
};

static const struct tok {
	const char	*name;
	uint8_t		 type;
	uint16_t	 id;
	uint16_t	 bits;
} toks[] = {
	{ "aes128",		IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128 },
	{ "aes192",		IKE_XF_ENCR, IKE_ENCR_AES_CBC, 192 },
	{ "aes256",		IKE_XF_ENCR, IKE_ENCR_AES_CBC, 256 },
	{ "aes128gcm16",	IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes192gcm16",	IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 192 },
	{ "aes256gcm16",	IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm",		IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes256gcm",		IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm12",	IKE_XF_ENCR, IKE_ENCR_AES_GCM_12, 128 },
	{ "aes256gcm12",	IKE_XF_ENCR, IKE_ENCR_AES_GCM_12, 256 },
	{ "aes128gcm8",		IKE_XF_ENCR, IKE_ENCR_AES_GCM_8, 128 },
	{ "aes256gcm8",		IKE_XF_ENCR, IKE_ENCR_AES_GCM_8, 256 },
	{ "chacha20poly1305",	IKE_XF_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0 },
	{ "3des",		IKE_XF_ENCR, IKE_ENCR_3DES, 0 },
	{ "sha1",		IKE_XF_INTEG, IKE_INTEG_HMAC_SHA1_96, 0 },
	{ "sha256",		IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384",		IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512",		IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "prfsha1",		IKE_XF_PRF, IKE_PRF_HMAC_SHA1, 0 },
	{ "prfsha256",		IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384",		IKE_XF_PRF, IKE_PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512",		IKE_XF_PRF, IKE_PRF_HMAC_SHA2_512, 0 },
	{ "modp1024",		IKE_XF_DH, IKE_DH_MODP1024, 0 },
	{ "modp1536",		IKE_XF_DH, IKE_DH_MODP1536, 0 },
	{ "modp2048",		IKE_XF_DH, IKE_DH_MODP2048, 0 },
	{ "modp3072",		IKE_XF_DH, IKE_DH_MODP3072, 0 },
	{ "modp4096",		IKE_XF_DH, IKE_DH_MODP4096, 0 },
	{ "modp6144",		IKE_XF_DH, IKE_DH_MODP6144, 0 },
	{ "modp8192",		IKE_XF_DH, IKE_DH_MODP8192, 0 },
	{ "ecp256",		IKE_XF_DH, IKE_DH_ECP256, 0 },
	{ "ecp384",		IKE_XF_DH, IKE_DH_ECP384, 0 },
	{ "ecp521",		IKE_XF_DH, IKE_DH_ECP521, 0 },
	{ "curve25519",		IKE_XF_DH, IKE_DH_CURVE25519, 0 },
	{ "x25519",		IKE_XF_DH, IKE_DH_CURVE25519, 0 },
	{ "curve448",		IKE_XF_DH, IKE_DH_CURVE448, 0 },
	{ "x448",		IKE_XF_DH, IKE_DH_CURVE448, 0 },
	{ "esn",		IKE_XF_ESN, IKE_ESN_YES, 0 },
	{ "noesn",		IKE_XF_ESN, IKE_ESN_NO, 0 },
};

/* The PRF strongSwan derives from an integrity algorithm when none is named. */
static uint16_t
prf_for_integ(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_SHA1_96:		return IKE_PRF_HMAC_SHA1;
	case IKE_INTEG_HMAC_SHA2_384_192:	return IKE_PRF_HMAC_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256:	return IKE_PRF_HMAC_SHA2_512;
	default:				return IKE_PRF_HMAC_SHA2_256;
	}
}

static int
prop_has(const struct prop *p, uint8_t type)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->xf[i].type == type)
			return 1;
	return 0;
}

static int
prop_add(struct prop *p, uint8_t type, uint16_t id, uint16_t bits)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->xf[i].type == type && p->xf[i].id == id && p->xf[i].bits == bits)
			return 0;
	if (p->n >= MAX_XFORMS)
		return -1;
	p->xf[p->n].type = type;
	p->xf[p->n].id = id;
	p->xf[p->n++].bits = bits;
	return 0;
}

/* Parses one proposal list; returns 0 or -1 with err set. */
static int
props_parse(const char *text, int esp, struct props *out, char *err, size_t errlen)
{
	char buf[1024], *save1 = NULL, *save2 = NULL, *ps, *t;
	struct prop *p;
	size_t i, k;
	int aead, cbc;

	memset(out, 0, sizeof(*out));
	out->esp = esp;
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "proposal too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	for (ps = strtok_r(buf, ",", &save1); ps; ps = strtok_r(NULL, ",", &save1)) {
		if (out->n >= MAX_PROPS) {
			snprintf(err, errlen, "at most %d proposals", MAX_PROPS);
			return -1;
		}
		p = &out->p[out->n++];
		for (t = strtok_r(ps, "-", &save2); t; t = strtok_r(NULL, "-", &save2)) {
			for (k = 0; k < NELEM(toks); k++)
				if (strcasecmp(t, toks[k].name) == 0)
					break;
			if (k == NELEM(toks)) {
				snprintf(err, errlen, "unknown algorithm \"%.40s\"", t);
				return -1;
			}
			if ((esp && toks[k].type == IKE_XF_PRF) || (!esp && toks[k].type == IKE_XF_ESN)) {
				snprintf(err, errlen, "%s does not belong in an %s proposal",
				    toks[k].name, esp ? "ESP" : "IKE");
				return -1;
			}
			if (prop_add(p, toks[k].type, toks[k].id, toks[k].bits) == -1) {
				snprintf(err, errlen, "too many transforms in one proposal");
				return -1;
			}
		}
		aead = cbc = 0;
		for (i = 0; i < p->n; i++) {
			const struct ike_encr_alg *e;

			if (p->xf[i].type != IKE_XF_ENCR)
				continue;
			if ((e = ike_encr_lookup(p->xf[i].id, p->xf[i].bits)) == NULL) {
				snprintf(err, errlen, "cipher %s/%u is not implemented",
				    ike_transform_name(IKE_XF_ENCR, p->xf[i].id), p->xf[i].bits);
				return -1;
			}
			if (e->ea_aead)
				aead = 1;
			else
				cbc = 1;
		}
		if (!aead && !cbc) {
			snprintf(err, errlen, "proposal %zu has no cipher", out->n);
			return -1;
		}
		if (aead && cbc) {
			snprintf(err, errlen, "put AEAD and non-AEAD ciphers in separate proposals");
			return -1;
		}
		if (cbc && !prop_has(p, IKE_XF_INTEG)) {
			snprintf(err, errlen, "proposal %zu needs an integrity algorithm", out->n);
			return -1;
		}
		if (aead && prop_has(p, IKE_XF_INTEG)) {
			snprintf(err, errlen, "no integrity algorithm with an AEAD cipher");
			return -1;
		}
		if (!esp && !prop_has(p, IKE_XF_PRF)) {
			uint16_t integ = IKE_INTEG_HMAC_SHA2_256_128;

			for (i = 0; i < p->n; i++)
				if (p->xf[i].type == IKE_XF_INTEG) {
					integ = p->xf[i].id;
					break;
				}
			(void)prop_add(p, IKE_XF_PRF, prf_for_integ(integ), 0);
		}
		if (!esp && !prop_has(p, IKE_XF_DH)) {
			snprintf(err, errlen, "IKE proposal %zu needs a key exchange group", out->n);
			return -1;
		}
		if (esp && !prop_has(p, IKE_XF_ESN))
			(void)prop_add(p, IKE_XF_ESN, IKE_ESN_NO, 0);
		for (i = 0; i < p->n; i++)
			if (p->xf[i].type == IKE_XF_DH && ike_dh_lookup(p->xf[i].id) == NULL) {
				snprintf(err, errlen, "group %u is not implemented", p->xf[i].id);
				return -1;
			}
	}
	if (out->n == 0) {
		snprintf(err, errlen, "empty proposal");
		return -1;
	}
	return 0;
}

/* The first key exchange group of the list (the KE we start with). */
static uint16_t
props_first_group(const struct props *ps)
{
	size_t i, j;

	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->p[i].n; j++)
			if (ps->p[i].xf[j].type == IKE_XF_DH)
				return ps->p[i].xf[j].id;
	return 0;
}

static int
props_have(const struct props *ps, uint8_t type, uint16_t id)
{
	size_t i, j;

	for (i = 0; i < ps->n; i++)
		for (j = 0; j < ps->p[i].n; j++)
			if (ps->p[i].xf[j].type == type && ps->p[i].xf[j].id == id)
				return 1;
	return 0;
}

/*
 * Fills an SA payload description from a list.  xfs must hold
 * MAX_PROPS * MAX_XFORMS entries; spi (spi_size bytes) goes into every
 * proposal.
 */
static void
props_to_pl(const struct props *ps, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
    struct ike_pl_sa *sa, struct ike_prop *pr, struct ike_xform *xfs)
{
	size_t i, j, n = 0;

	memset(pr, 0, MAX_PROPS * sizeof(*pr));
	for (i = 0; i < ps->n; i++) {
		pr[i].num = (uint8_t)(i + 1);
		pr[i].proto = proto;
		pr[i].spi_size = spi_size;
		if (spi_size)
			memcpy(pr[i].spi, spi, spi_size);
		pr[i].xforms = xfs + n;
		for (j = 0; j < ps->p[i].n; j++, n++) {
			memset(&xfs[n], 0, sizeof(xfs[n]));
			xfs[n].type = ps->p[i].xf[j].type;
			xfs[n].id = ps->p[i].xf[j].id;
			xfs[n].keylen = ps->p[i].xf[j].bits;
		}
		pr[i].nxforms = ps->p[i].n;
	}
	sa->nprops = ps->n;
	sa->props = pr;
}

/*
 * Checks the responder's choice: one proposal of our protocol whose every
 * transform is in the proposal it claims to answer, one per type.  Fills the
 * chosen IDs (0 when a type is absent).  0 or -1.
 */
static int
props_check_choice(const struct props *ps, const struct ike_pl_sa *sa, uint8_t proto,
    struct xf chosen[6])
{
	const struct ike_prop *p;
	const struct prop *ours;
	size_t i, j;

	memset(chosen, 0, 6 * sizeof(*chosen));
	if (sa->nprops != 1)
		return -1;
	p = &sa->props[0];
	if (p->proto != proto || p->num == 0 || p->num > ps->n)
		return -1;
	ours = &ps->p[p->num - 1];
	for (i = 0; i < p->nxforms; i++) {
		const struct ike_xform *x = &p->xforms[i];

		if (x->type == 0 || x->type > 5 || x->bad_attr || chosen[x->type].type != 0)
			return -1;
		for (j = 0; j < ours->n; j++)
			if (ours->xf[j].type == x->type && ours->xf[j].id == x->id &&
			    ours->xf[j].bits == x->keylen)
				break;
		if (j == ours->n)
			return -1;
		chosen[x->type].type = x->type;
		chosen[x->type].id = x->id;
		chosen[x->type].bits = x->keylen;
	}
	return 0;
}

/* ================================================================ configuration */

enum auth_mode { AM_EAP, AM_PSK };

/* The login banner of the first reply that carried one (--banner). */
static char banner_seen[512];

struct conf {
	struct sockaddr_storage server;	/* address and IKE port */
	uint16_t	 natt_port;
	int		 natt;		/* start on the NAT-T port with the marker */
	struct props	 ike, esp;
	enum auth_mode	 mode;
	const char	*user, *password, *user_pat, *pass_pat;
	long long	 index_base;
	const char	*psk;
	const char	*id;		/* IDi text; default: the user name */
	const char	*remote_id;	/* expected IDr text, or NULL */
	X509_STORE	*ca;		/* trust anchors for the responder's certificate */
	int		 frag;		/* announce IKEV2_FRAGMENTATION_SUPPORTED */
	int		 cp;		/* ask for a virtual address */
	int		 banner;	/* also ask for the login banner (UNITY_BANNER) */
	size_t		 clients, concurrency;
	double		 timeout, hold;
	int		 del;
	int		 json, verbose;
	const char	*sources, *source_list;
	/* probes */
	uint16_t	 ke_group;	/* invalid-ke: the KE payload's group */
	uint8_t		 crit_type;	/* critical: the unknown payload type */
	long long	 count, seed, rate;
	double		 duration;
	const char	*spoof;
};

/* ================================================================ the initiator */

enum ini_state {
	IS_NEW = 0,
	IS_INIT,		/* IKE_SA_INIT sent */
	IS_AUTH,		/* IKE_AUTH rounds */
	IS_ESTABLISHED,
	IS_DELETING,		/* our Delete sent */
	IS_CLOSED,		/* deleted (by us or the peer) */
	IS_FAILED,
};

/* What ini_input() asks of its driver. */
enum ini_rc {
	INI_IGNORE = 0,		/* not for us, a duplicate, or unverifiable */
	INI_WAIT,		/* a fragment; more to come */
	INI_SEND,		/* a new request is in ini.req: send it, restart timers */
	INI_REPLY,		/* an answer to the peer's request is in ini.resp */
	INI_DONE,		/* established (or, when deleting, closed) */
	INI_FAIL,		/* ini.why says why */
};

struct ini {
	const struct conf *c;
	enum ini_state	 state;
	/* [0]: the IKE port path, [1]: the NAT-T port path */
	struct sockaddr_storage local[2], remote[2];
	int		 natt;		/* current path */

	/* who we are */
	char		 user[256];
	uint8_t		 nt_hash[16];
	uint8_t		 idi[4 + 256];	/* IDi' = type | 3 reserved | data */
	size_t		 idilen;

	/* IKE_SA_INIT */
	uint8_t		 spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	uint8_t		 ni[NONCE_LEN], nr[IKE_NONCE_MAX];
	size_t		 nrlen;
	uint16_t	 group;		/* of our KE */
	struct ike_dh_key *dh;
	uint8_t		 cookie[256];
	size_t		 cookielen;
	int		 ncookies, nke_retries;
	uint8_t		*init_req, *init_resp;	/* for the AUTH octets */
	size_t		 init_req_len, init_resp_len;
	int		 peer_frag, nat_detected;

	/* the IKE SA */
	const struct ike_encr_alg  *encr;
	const struct ike_integ_alg *integ;
	const struct ike_prf_alg   *prf;
	struct ike_sa_keys keys;
	struct ike_sk	 sk_in, sk_out;
	int		 have_keys;

	/* our request in flight (with the NAT-T marker when natt); when
	   nreq_frag > 0 it also exists as SKF fragments, sent instead */
	uint32_t	 msgid;
	struct wbuf	 req;
	struct wbuf	 req_frag[MAX_REQ_FRAGS];
	size_t		 nreq_frag;
	/* the peer's requests: last answer, resent on retransmits */
	uint32_t	 peer_msgid;
	struct wbuf	 resp;
	int		 have_resp, peer_deleted;

	/* reassembly (RFC 7383 2.6) */
	uint32_t	 frag_msgid;
	uint16_t	 frag_total, frag_have;
	uint8_t		 frag_first;
	uint8_t		*frag_part[MAX_FRAGS + 1];
	size_t		 frag_len[MAX_FRAGS + 1];
	int		 nreassembled;

	/* authentication */
	uint8_t		 idr[4 + 512];	/* IDr' */
	size_t		 idrlen;
	int		 server_authed, eap_done, have_msk;
	uint8_t		 ms_id, auth_chal[16], peer_chal[16], nt_resp[24];
	uint8_t		 msk[EAP_MSCHAPV2_MSK_LEN];
	uint8_t		 esp_spi[4];

	/* results */
	struct in_addr	 vip;
	int		 have_vip;
	size_t		 ndns;
	int		 ike_up;	/* both AUTHs verified: the responder holds an IKE SA */
	struct xf	 ike_chosen[6], esp_chosen[6];
	const char	*why;		/* failure class (a constant, or a notify name) */
	char		 detail[200];
	uint16_t	 err_notify;	/* error notify received, and its data */
	uint8_t		 err_data[16];
	size_t		 err_len;

	/* probe knobs */
	int		 no_retry;	/* report INVALID_KE instead of retrying */
	uint16_t	 ke_override;	/* KE group different from the SA's */
	uint8_t		 crit_type;	/* add an unknown critical payload */
	int		 mutate;	/* garbage: flip bytes of the next encrypted request */
	size_t		 frag_req;	/* retransmit: send the next request in this many
					   SKF fragments (RFC 7383) */
};

static enum ini_rc
ini_fail(struct ini *s, const char *why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum ini_rc
ini_fail(struct ini *s, const char *why, const char *fmt, ...)
{
	va_list ap;

	s->why = why;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	s->state = IS_FAILED;
	return INI_FAIL;
}

static void
frag_reset(struct ini *s)
{
	size_t i;

	for (i = 0; i <= MAX_FRAGS; i++) {
		if (s->frag_part[i]) {
			explicit_bzero(s->frag_part[i], s->frag_len[i]);
			free(s->frag_part[i]);
		}
		s->frag_part[i] = NULL;
		s->frag_len[i] = 0;
	}
	s->frag_total = s->frag_have = 0;
	s->frag_msgid = 0;
	s->frag_first = 0;
}

/* IDi from text: an address, user@domain (RFC822) or a name (FQDN). */
static int
id_from_text(const char *t, uint8_t *out, size_t cap, size_t *len)
{
	struct in_addr a4;
	struct in6_addr a6;
	size_t n = strlen(t);

	if (cap < 4 + 16 || n == 0 || n > cap - 4)
		return -1;
	memset(out, 0, 4);
	if (inet_pton(AF_INET, t, &a4) == 1) {
		out[0] = IKE_ID_IPV4_ADDR;
		memcpy(out + 4, &a4, 4);
		*len = 8;
	} else if (inet_pton(AF_INET6, t, &a6) == 1) {
		out[0] = IKE_ID_IPV6_ADDR;
		memcpy(out + 4, &a6, 16);
		*len = 20;
	} else {
		out[0] = strchr(t, '@') ? IKE_ID_RFC822_ADDR : IKE_ID_FQDN;
		memcpy(out + 4, t, n);
		*len = 4 + n;
	}
	return 0;
}

/*
 * Prepares an initiator for one client: identity, NT hash (EAP), the two
 * paths.  local[] are the addresses our sockets are bound to (as the
 * responder sees them without a NAT).  0 or -1 with detail set.
 */
static int
ini_setup(struct ini *s, const struct conf *c, const char *user, const char *password,
    const struct sockaddr_storage local[2])
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->c = c;
	wbuf_init(&s->req);
	wbuf_init(&s->resp);
	for (i = 0; i < MAX_REQ_FRAGS; i++)
		wbuf_init(&s->req_frag[i]);
	s->local[0] = local[0];
	s->local[1] = local[1];
	s->remote[0] = c->server;
	s->remote[1] = c->server;
	sa_set_port(&s->remote[1], c->natt_port);
	s->natt = c->natt;
	snprintf(s->user, sizeof(s->user), "%s", user ? user : "");
	if (c->mode == AM_EAP && (password == NULL || pki_nt_hash(password, s->nt_hash) == -1)) {
		snprintf(s->detail, sizeof(s->detail), "cannot hash the password of %.120s", s->user);
		return -1;
	}
	if (id_from_text(c->id ? c->id : s->user, s->idi, sizeof(s->idi), &s->idilen) == -1) {
		snprintf(s->detail, sizeof(s->detail), "bad identity \"%.120s\"", c->id ? c->id : s->user);
		return -1;
	}
	s->crit_type = c->crit_type;
	return 0;
}

static void
ini_free(struct ini *s)
{
	size_t i;

	for (i = 0; i < MAX_REQ_FRAGS; i++)
		wbuf_free(&s->req_frag[i]);
	ike_dh_free(s->dh);
	s->dh = NULL;
	frag_reset(s);
	free(s->init_req);
	free(s->init_resp);
	s->init_req = s->init_resp = NULL;
	wbuf_free(&s->req);
	wbuf_free(&s->resp);
	ike_keys_wipe(&s->keys);
	ike_sk_wipe(&s->sk_in);
	ike_sk_wipe(&s->sk_out);
	explicit_bzero(s->msk, sizeof(s->msk));
	explicit_bzero(s->nt_hash, sizeof(s->nt_hash));
}

/* ---------------------------------------------------------------- IKE_SA_INIT */

struct init_params {
	const uint8_t	*spi_i;
	const uint8_t	*cookie;
	size_t		 cookielen;
	const struct props *props;
	uint16_t	 ke_group;
	const uint8_t	*ke;
	size_t		 kelen;
	const uint8_t	*nonce;
	size_t		 noncelen;
	const uint8_t	*natd_src, *natd_dst;	/* NULL: left out */
	int		 frag;
	uint8_t		 crit_type;		/* 0: none */
};

/* Appends an IKE_SA_INIT request (no marker) to wb.  0 or -1. */
static int
gen_init(struct wbuf *wb, const struct init_params *p)
{
	struct ike_prop pr[MAX_PROPS];
	struct ike_xform xfs[MAX_PROPS * MAX_XFORMS];
	static const uint16_t hashes[] = { IKE_HASH_SHA2_256, IKE_HASH_SHA2_384, IKE_HASH_SHA2_512 };
	static const uint8_t crit_body[] = "ikeload probe";
	struct ike_pl_sa sa;
	struct ike_hdr h;
	struct ike_gen g;

	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, p->spi_i, IKE_SPI_LEN);
	h.exchange = IKE_SA_INIT;
	h.flags = IKE_FLAG_INITIATOR;
	props_to_pl(p->props, IKE_PROTO_IKE, NULL, 0, &sa, pr, xfs);
	ike_gen_msg(&g, wb, &h);
	/* RFC 7296 2.6: the cookie comes first, everything else unchanged. */
	if (p->cookielen)
		ike_gen_notify(&g, 0, NULL, 0, IKE_N_COOKIE, p->cookie, p->cookielen);
	ike_gen_sa(&g, &sa);
	ike_gen_ke(&g, p->ke_group, p->ke, p->kelen);
	ike_gen_nonce(&g, p->nonce, p->noncelen);
	if (p->natd_src)
		ike_gen_notify(&g, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, p->natd_src,
		    IKE_NATD_LEN);
	if (p->natd_dst)
		ike_gen_notify(&g, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, p->natd_dst,
		    IKE_NATD_LEN);
	if (p->frag)
		ike_gen_notify(&g, 0, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	ike_gen_notify_hash_algs(&g, hashes, NELEM(hashes));
	if (p->crit_type)
		ike_gen_raw(&g, p->crit_type, true, crit_body, sizeof(crit_body) - 1);
	return ike_gen_finish(&g);
}

/* Builds our IKE_SA_INIT into s->req from the current SPI, nonce, KE, cookie. */
static int
build_init(struct ini *s)
{
	uint8_t pub[IKE_DH_PUB_MAX], src[IKE_NATD_LEN], dst[IKE_NATD_LEN];
	static const uint8_t zero[IKE_SPI_LEN];
	struct init_params p;
	size_t publen;

	if (ike_dh_public(s->dh, pub, sizeof(pub), &publen) == -1 ||
	    ike_natd_hash_sa(s->spi_i, zero, (const struct sockaddr *)&s->local[s->natt], src) == -1 ||
	    ike_natd_hash_sa(s->spi_i, zero, (const struct sockaddr *)&s->remote[s->natt], dst) == -1)
		return -1;
	memset(&p, 0, sizeof(p));
	p.spi_i = s->spi_i;
	p.cookie = s->cookie;
	p.cookielen = s->cookielen;
	p.props = &s->c->ike;
	p.ke_group = s->group;
	p.ke = pub;
	p.kelen = publen;
	p.nonce = s->ni;
	p.noncelen = sizeof(s->ni);
	p.natd_src = src;
	p.natd_dst = dst;
	p.frag = s->c->frag;
	p.crit_type = s->crit_type;
	wbuf_reset(&s->req);
	if (gen_init(&s->req, &p) == -1 || (s->natt && ike_natt_add_marker(&s->req, 0) == -1))
		return -1;
	s->msgid = 0;
	return 0;
}

/* Starts the handshake: SPI, nonce, DH; the IKE_SA_INIT is in s->req. */
static enum ini_rc
ini_start(struct ini *s)
{
	uint16_t group = props_first_group(&s->c->ike);

	do {
		ike_random(s->spi_i, sizeof(s->spi_i));
	} while (memcmp(s->spi_i, "\0\0\0\0\0\0\0\0", 8) == 0);
	ike_random(s->ni, sizeof(s->ni));
	s->group = s->ke_override ? s->ke_override : group;
	if ((s->dh = ike_dh_new(s->group)) == NULL)
		return ini_fail(s, "internal", "cannot make a %s key",
		    ike_transform_name(IKE_XF_DH, s->group));
	if (build_init(s) == -1)
		return ini_fail(s, "internal", "cannot build IKE_SA_INIT");
	s->state = IS_INIT;
	return INI_SEND;
}

/* First error notify (type < 16384) of a message; 0 if none. */
static const struct ike_pl *
error_notify(const struct ike_msg *m)
{
	size_t i;

	for (i = 0; i < m->npl; i++)
		if (m->pl[i].type == IKE_PL_NOTIFY && m->pl[i].u.notify.type < 16384)
			return &m->pl[i];
	return NULL;
}

static void
save_error(struct ini *s, const struct ike_pl *n)
{
	s->err_notify = n->u.notify.type;
	s->err_len = n->u.notify.len < sizeof(s->err_data) ? n->u.notify.len : sizeof(s->err_data);
	if (s->err_len)
		memcpy(s->err_data, n->u.notify.data, s->err_len);
}

/* RFC 7296 2.23: 1 when a NAT_DETECTION notify of this kind matches addr. */
static int
natd_matches(const struct ini *s, const struct ike_msg *m, uint16_t kind,
    const struct sockaddr_storage *addr)
{
	uint8_t want[IKE_NATD_LEN];
	const struct ike_pl *p;
	size_t from = 0;

	if (ike_natd_hash_sa(s->spi_i, s->spi_r, (const struct sockaddr *)addr, want) == -1)
		return 0;
	while ((p = ike_msg_find(m, IKE_PL_NOTIFY, &from)) != NULL)
		if (p->u.notify.type == kind && p->u.notify.len == IKE_NATD_LEN &&
		    memcmp(p->u.notify.data, want, IKE_NATD_LEN) == 0)
			return 1;
	return 0;
}

static enum ini_rc build_auth1(struct ini *);

static enum ini_rc
on_init(struct ini *s, const uint8_t *buf, size_t len)
{
	const struct ike_pl *sap, *kep, *np, *n;
	uint8_t gir[IKE_DH_SECRET_MAX], skeyseed[IKE_PRF_MAX];
	size_t girlen, reqoff = s->natt ? IKE_NON_ESP_MARKER_LEN : 0;
	const char *why = NULL;
	struct ike_msg m;
	enum ini_rc rc;
	uint16_t grp;

	ike_msg_init(&m);
	if (ike_msg_parse(&m, buf, len) != IKE_PARSE_OK) {
		rc = ini_fail(s, "malformed_response", "IKE_SA_INIT response: %s", m.err.msg);
		goto out;
	}
	if ((n = ike_msg_find_notify(&m, IKE_N_COOKIE)) != NULL) {
		if (++s->ncookies > MAX_COOKIES || n->u.notify.len == 0 ||
		    n->u.notify.len > sizeof(s->cookie)) {
			rc = ini_fail(s, "cookie_loop", "COOKIE %d times (length %zu)", s->ncookies,
			    n->u.notify.len);
			goto out;
		}
		if (n->u.notify.len == s->cookielen &&
		    memcmp(n->u.notify.data, s->cookie, s->cookielen) == 0) {
			/* the answer to a retransmission of the cookie-less request */
			s->ncookies--;
			rc = INI_IGNORE;
			goto out;
		}
		memcpy(s->cookie, n->u.notify.data, n->u.notify.len);
		s->cookielen = n->u.notify.len;
		rc = build_init(s) == 0 ? INI_SEND : ini_fail(s, "internal", "rebuild failed");
		goto out;
	}
	if ((n = ike_msg_find_notify(&m, IKE_N_INVALID_KE_PAYLOAD)) != NULL) {
		save_error(s, n);
		grp = n->u.notify.len == 2 ? (uint16_t)(n->u.notify.data[0] << 8 | n->u.notify.data[1]) : 0;
		if (s->no_retry) {
			rc = ini_fail(s, "INVALID_KE_PAYLOAD", "responder wants %s(%u)",
			    ike_transform_name(IKE_XF_DH, grp), grp);
			goto out;
		}
		if (grp == s->group && s->nke_retries > 0) {
			/* the answer to a retransmission with the old group */
			rc = INI_IGNORE;
			goto out;
		}
		if (!props_have(&s->c->ike, IKE_XF_DH, grp) || grp == s->group ||
		    ++s->nke_retries > MAX_KE_RETRY) {
			rc = ini_fail(s, "INVALID_KE_PAYLOAD", "responder wants %s(%u), not offered",
			    ike_transform_name(IKE_XF_DH, grp), grp);
			goto out;
		}
		ike_dh_free(s->dh);
		s->group = grp;
		if ((s->dh = ike_dh_new(grp)) == NULL || build_init(s) == -1) {
			rc = ini_fail(s, "internal", "cannot redo KE with group %u", grp);
			goto out;
		}
		rc = INI_SEND;
		goto out;
	}
	if ((n = error_notify(&m)) != NULL) {
		save_error(s, n);
		rc = ini_fail(s, ike_notify_name(n->u.notify.type), "IKE_SA_INIT refused: %s(%u)",
		    ike_notify_name(n->u.notify.type), n->u.notify.type);
		goto out;
	}
	sap = ike_msg_find(&m, IKE_PL_SA, NULL);
	kep = ike_msg_find(&m, IKE_PL_KE, NULL);
	np = ike_msg_find(&m, IKE_PL_NONCE, NULL);
	if (sap == NULL || kep == NULL || np == NULL ||
	    memcmp(m.hdr.spi_r, "\0\0\0\0\0\0\0\0", 8) == 0) {
		rc = ini_fail(s, "bad_init_response", "IKE_SA_INIT response lacks SA, KE, Nr or SPIr");
		goto out;
	}
	if (props_check_choice(&s->c->ike, &sap->u.sa, IKE_PROTO_IKE, s->ike_chosen) == -1 ||
	    (s->encr = ike_encr_lookup(s->ike_chosen[IKE_XF_ENCR].id,
	    s->ike_chosen[IKE_XF_ENCR].bits)) == NULL ||
	    (s->prf = ike_prf_lookup(s->ike_chosen[IKE_XF_PRF].id)) == NULL ||
	    (s->encr->ea_aead != (s->ike_chosen[IKE_XF_INTEG].id == 0)) ||
	    (!s->encr->ea_aead &&
	    (s->integ = ike_integ_lookup(s->ike_chosen[IKE_XF_INTEG].id)) == NULL) ||
	    s->ike_chosen[IKE_XF_DH].id != s->group) {
		rc = ini_fail(s, "bad_proposal", "responder chose a proposal we did not offer");
		goto out;
	}
	if (kep->u.ke.group != s->group ||
	    ike_dh_check_peer(s->group, kep->u.ke.data, kep->u.ke.len, &why) == -1 ||
	    ike_dh_shared(s->dh, kep->u.ke.data, kep->u.ke.len, gir, sizeof(gir), &girlen, &why) == -1) {
		rc = ini_fail(s, "bad_ke", "responder KE: %s", why ? why : "wrong group");
		goto out;
	}
	memcpy(s->spi_r, m.hdr.spi_r, IKE_SPI_LEN);
	memcpy(s->nr, np->u.nonce.data, np->u.nonce.len);
	s->nrlen = np->u.nonce.len;
	if (ike_keys_skeyseed(s->prf, s->ni, sizeof(s->ni), s->nr, s->nrlen, gir, girlen,
	    skeyseed) == -1 ||
	    ike_keys_derive(&s->keys, s->prf, s->encr, s->integ, skeyseed, s->prf->pa_len, s->ni,
	    sizeof(s->ni), s->nr, s->nrlen, s->spi_i, s->spi_r) == -1 ||
	    ike_keys_sk(&s->keys, 1, &s->sk_out, &s->sk_in) == -1) {
		explicit_bzero(gir, sizeof(gir));
		explicit_bzero(skeyseed, sizeof(skeyseed));
		rc = ini_fail(s, "internal", "key derivation failed");
		goto out;
	}
	explicit_bzero(gir, sizeof(gir));
	explicit_bzero(skeyseed, sizeof(skeyseed));
	s->have_keys = 1;
	ike_dh_free(s->dh);
	s->dh = NULL;
	s->peer_frag = ike_msg_find_notify(&m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED) != NULL;
	/* The messages the AUTH payloads sign (2.15): ours as sent, theirs as received. */
	s->init_req_len = s->req.len - reqoff;
	s->init_resp_len = len;
	if ((s->init_req = malloc(s->init_req_len)) == NULL ||
	    (s->init_resp = malloc(len)) == NULL) {
		rc = ini_fail(s, "internal", "out of memory");
		goto out;
	}
	memcpy(s->init_req, s->req.data + reqoff, s->init_req_len);
	memcpy(s->init_resp, buf, len);
	/* 2.23: a NAT on either side moves us to the NAT-T port. */
	if (!natd_matches(s, &m, IKE_N_NAT_DETECTION_DESTINATION_IP, &s->local[s->natt]) ||
	    !natd_matches(s, &m, IKE_N_NAT_DETECTION_SOURCE_IP, &s->remote[s->natt])) {
		s->nat_detected = 1;
		s->natt = 1;
	}
	s->state = IS_AUTH;
	rc = build_auth1(s);
out:
	ike_msg_free(&m);
	return rc;
}

/* ---------------------------------------------------------------- protection */

/*
 * Encrypts plain (an inner payload chain whose first type is `first`) as
 * one SK message into out, with the marker on the NAT-T path.  flags:
 * IKE_FLAG_RESPONSE or 0 (we are always the original initiator).  0 or -1.
 */
static int
seal_raw(struct ini *s, struct wbuf *out, uint8_t exchange, uint8_t flags, uint32_t msgid,
    uint8_t first, const uint8_t *plain, size_t plainlen)
{
	size_t ivlen = s->encr->ea_ivlen;
	size_t icvlen = s->encr->ea_aead ? s->encr->ea_icvlen : s->integ->ia_icvlen;
	size_t body = ike_sk_body_len(&s->sk_out, plainlen);
	struct ike_sk_layout lay;
	struct ike_hdr h;
	struct ike_gen g;

	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, s->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, s->spi_r, IKE_SPI_LEN);
	h.exchange = exchange;
	h.flags = IKE_FLAG_INITIATOR | flags;
	h.msgid = msgid;
	wbuf_reset(out);
	ike_gen_msg(&g, out, &h);
	ike_gen_sk(&g, first, ivlen, body - ivlen - icvlen, icvlen, &lay);
	if (ike_gen_finish(&g) == -1 ||
	    ike_sk_encrypt(&s->sk_out, out->data, lay.iv_off, plain, plainlen,
	    out->data + lay.iv_off, lay.end - lay.iv_off) == -1)
		return -1;
	if (s->natt && ike_natt_add_marker(out, 0) == -1)
		return -1;
	return 0;
}

/* The same for a chain built with ike_gen_chain(ig, inner). */
static int
seal(struct ini *s, struct wbuf *out, uint8_t exchange, uint8_t flags, uint32_t msgid,
    struct ike_gen *ig, struct wbuf *inner)
{
	if (ike_gen_finish(ig) == -1)
		return -1;
	return seal_raw(s, out, exchange, flags, msgid, ig->first, inner->data, inner->len);
}

/*
 * RFC 7383 2.5: plain split into n SKF fragments, each encrypted on its
 * own (the first carries the inner chain's first type), into s->req_frag.
 * 0 or -1.
 */
static int
seal_frags(struct ini *s, uint8_t exchange, uint32_t msgid, uint8_t first, const uint8_t *plain,
    size_t plainlen, size_t n)
{
	size_t ivlen = s->encr->ea_ivlen;
	size_t icvlen = s->encr->ea_aead ? s->encr->ea_icvlen : s->integ->ia_icvlen;
	size_t i, off, chunk, body, each = (plainlen + n - 1) / n;
	struct ike_sk_layout lay;
	struct ike_hdr h;
	struct ike_gen g;

	if (n < 1 || n > MAX_REQ_FRAGS || plainlen < n)
		return -1;
	memset(&h, 0, sizeof(h));
	memcpy(h.spi_i, s->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, s->spi_r, IKE_SPI_LEN);
	h.exchange = exchange;
	h.flags = IKE_FLAG_INITIATOR;
	h.msgid = msgid;
	for (i = 0, off = 0; i < n; i++, off += chunk) {
		struct wbuf *out = &s->req_frag[i];

		chunk = i + 1 < n ? each : plainlen - off;
		body = ike_sk_body_len(&s->sk_out, chunk);
		wbuf_reset(out);
		ike_gen_msg(&g, out, &h);
		ike_gen_skf(&g, i == 0 ? first : 0, (uint16_t)(i + 1), (uint16_t)n, ivlen,
		    body - ivlen - icvlen, icvlen, &lay);
		if (ike_gen_finish(&g) == -1 ||
		    ike_sk_encrypt(&s->sk_out, out->data, lay.iv_off, plain + off, chunk,
		    out->data + lay.iv_off, lay.end - lay.iv_off) == -1 ||
		    (s->natt && ike_natt_add_marker(out, 0) == -1))
			return -1;
	}
	s->nreq_frag = n;
	return 0;
}

/* Encrypts the next request (message ID s->msgid + 1 unless first). */
static enum ini_rc
send_request(struct ini *s, uint8_t exchange, struct ike_gen *ig, struct wbuf *inner)
{
	size_t i;
	int r;

	s->nreq_frag = 0;
	if (s->frag_req && s->peer_frag && ike_gen_finish(ig) == 0) {
		r = seal_frags(s, exchange, s->msgid, ig->first, inner->data, inner->len,
		    s->frag_req);
		s->frag_req = 0;
		if (r == -1) {
			wbuf_free(inner);
			return ini_fail(s, "internal", "cannot fragment the %s request",
			    ike_exchange_name(exchange));
		}
	}
	if (s->mutate && ike_gen_finish(ig) == 0 && inner->len > 0) {
		/* garbage probe: a few bytes of a well-formed chain, changed */
		for (i = 1 + rng() % 3; i > 0; i--)
			inner->data[rng() % inner->len] = (uint8_t)rng();
		s->mutate = 0;
		r = seal_raw(s, &s->req, exchange, 0, s->msgid, ig->first, inner->data, inner->len);
	} else
		r = seal(s, &s->req, exchange, 0, s->msgid, ig, inner);
	if (inner->data)
		explicit_bzero(inner->data, inner->cap);
	wbuf_free(inner);
	if (r == -1)
		return ini_fail(s, "internal", "cannot build the %s request", ike_exchange_name(exchange));
	return INI_SEND;
}

/*
 * Decrypts a protected message into m; 1: complete (*plain holds the
 * buffer m's inner payloads point into, *plaincap bytes: caller wipes and
 * frees it after ike_msg_free), 0: a fragment, more
 * to come, -1: drop it.
 */
static int
open_msg(struct ini *s, const struct ike_hdr *h, const uint8_t *buf, size_t len, int frag_ok,
    struct ike_msg *m, uint8_t **plain, size_t *plaincap)
{
	const struct ike_pl *p;
	uint8_t *pt, *whole;
	size_t ptlen = 0, ptcap = len, total, i;
	uint8_t first;
	uint16_t num, tot;

	*plain = NULL;
	if (ike_msg_parse(m, buf, len) != IKE_PARSE_OK || m->sk_idx < 0)
		return -1;
	p = &m->pl[m->sk_idx];
	if ((pt = malloc(len)) == NULL)
		return -1;
	if (p->type == IKE_PL_SK) {
		if (ike_sk_decrypt(&s->sk_in, buf, p->u.sk.enc_off, len, pt, len, &ptlen) == -1)
			goto drop;
		first = p->u.sk.next;
	} else {
		num = p->u.skf.num;
		tot = p->u.skf.total;
		if (!frag_ok || tot > MAX_FRAGS || num == 0 || num > tot ||
		    ike_sk_decrypt(&s->sk_in, buf, p->u.skf.enc_off, len, pt, len, &ptlen) == -1)
			goto drop;
		if (s->frag_total && (s->frag_msgid != h->msgid || s->frag_total != tot))
			frag_reset(s);
		s->frag_msgid = h->msgid;
		s->frag_total = tot;
		if (s->frag_part[num]) {	/* a retransmitted fragment */
			explicit_bzero(pt, len);
			free(pt);
			return 0;
		}
		s->frag_part[num] = pt;
		s->frag_len[num] = ptlen;
		if (num == 1)
			s->frag_first = p->u.skf.next;
		if (++s->frag_have < tot)
			return 0;
		for (i = 1, total = 0; i <= tot; i++)
			total += s->frag_len[i];
		if ((whole = malloc(total ? total : 1)) == NULL) {
			frag_reset(s);
			return -1;
		}
		for (i = 1, ptlen = 0; i <= tot; i++) {
			memcpy(whole + ptlen, s->frag_part[i], s->frag_len[i]);
			ptlen += s->frag_len[i];
		}
		first = s->frag_first;
		frag_reset(s);
		pt = whole;
		ptcap = total ? total : 1;
		s->nreassembled++;
	}
	if (ike_msg_parse_inner(m, first, pt, ptlen) != IKE_PARSE_OK)
		goto drop;
	*plain = pt;
	*plaincap = ptcap;
	return 1;
drop:
	explicit_bzero(pt, ptcap);
	free(pt);
	return -1;
}

/* ---------------------------------------------------------------- IKE_AUTH */

/* Our AUTH value: prf(prf(secret, "Key Pad for IKEv2"), octets_i) (2.15, 2.16). */
static int
our_auth(struct ini *s, const uint8_t *secret, size_t secretlen, uint8_t mac[IKE_PRF_MAX])
{
	uint8_t *oct = NULL;
	size_t octlen;
	int rc;

	if (ike_auth_octets(s->prf, s->keys.k_pi, s->keys.k_prflen, s->init_req, s->init_req_len,
	    s->nr, s->nrlen, s->idi, s->idilen, &oct, &octlen) == -1)
		return -1;
	rc = ike_auth_psk(s->prf, secret, secretlen, oct, octlen, mac);
	free(oct);
	return rc;
}

/* The octets the responder signed or MACed: RealMessage2 | Ni | prf(SK_pr, IDr'). */
static int
octets_r(struct ini *s, uint8_t **oct, size_t *octlen)
{
	return ike_auth_octets(s->prf, s->keys.k_pr, s->keys.k_prflen, s->init_resp,
	    s->init_resp_len, s->ni, sizeof(s->ni), s->idr, s->idrlen, oct, octlen);
}

static enum ini_rc
build_auth1(struct ini *s)
{
	struct ike_prop pr[MAX_PROPS];
	struct ike_xform xfs[MAX_PROPS * MAX_XFORMS];
	struct ike_cp_attr at[3];
	uint8_t mac[IKE_PRF_MAX];
	struct ike_pl_sa sa;
	struct ike_ts ts;
	struct wbuf inner;
	struct ike_gen g;

	do {
		ike_random(s->esp_spi, sizeof(s->esp_spi));
	} while (s->esp_spi[0] == 0 && s->esp_spi[1] == 0 && s->esp_spi[2] == 0);
	wbuf_init(&inner);
	ike_gen_chain(&g, &inner);
	ike_gen_id(&g, IKE_PL_IDI, s->idi[0], s->idi + 4, s->idilen - 4);
	ike_gen_notify(&g, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (s->c->mode == AM_PSK) {
		if (our_auth(s, (const uint8_t *)s->c->psk, strlen(s->c->psk), mac) == -1) {
			wbuf_free(&inner);
			return ini_fail(s, "internal", "cannot compute AUTH");
		}
		ike_gen_auth(&g, IKE_AUTH_SHARED_KEY, mac, s->prf->pa_len);
		explicit_bzero(mac, sizeof(mac));
	}
	if (s->c->cp) {
		memset(at, 0, sizeof(at));
		at[0].type = IKE_CA_INTERNAL_IP4_ADDRESS;
		at[1].type = IKE_CA_INTERNAL_IP4_DNS;
		at[2].type = IKE_CA_UNITY_BANNER;
		ike_gen_cp(&g, IKE_CFG_REQUEST, at, s->c->banner ? 3 : 2);
	}
	props_to_pl(&s->c->esp, IKE_PROTO_ESP, s->esp_spi, sizeof(s->esp_spi), &sa, pr, xfs);
	ike_gen_sa(&g, &sa);
	memset(&ts, 0, sizeof(ts));
	ts.type = IKE_TS_IPV4_ADDR_RANGE;
	ts.eport = 0xffff;
	ts.alen = 4;
	memset(ts.end, 0xff, 4);
	ike_gen_ts(&g, IKE_PL_TSI, &ts, 1);
	ike_gen_ts(&g, IKE_PL_TSR, &ts, 1);
	s->msgid = 1;
	return send_request(s, IKE_AUTH, &g, &inner);
}

/*
 * The responder's certificate: the chain must lead to --ca (when given)
 * and the certificate must carry the IDr.  The last good answer is kept,
 * so thousands of clients against one gateway verify the chain once.
 */
static struct {
	uint8_t		*der;
	size_t		 derlen;
	uint8_t		 idr[4 + 512];
	size_t		 idrlen;
	EVP_PKEY	*pub;
} cert_cache;

static int
cert_names_id(X509 *x, const uint8_t *idr, size_t idrlen)
{
	const uint8_t *d = idr + 4, *p;
	size_t n = idrlen - 4;
	X509_NAME *nm;
	int ok;

	switch (idr[0]) {
	case IKE_ID_FQDN:
		return X509_check_host(x, (const char *)d, n, 0, NULL) == 1;
	case IKE_ID_RFC822_ADDR:
		return X509_check_email(x, (const char *)d, n, 0) == 1;
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		return X509_check_ip(x, d, n, 0) == 1;
	case IKE_ID_DER_ASN1_DN:
		p = d;
		if ((nm = d2i_X509_NAME(NULL, &p, (long)n)) == NULL)
			return 0;
		ok = X509_NAME_cmp(nm, X509_get_subject_name(x)) == 0;
		X509_NAME_free(nm);
		return ok;
	default:
		return 1;	/* KEY_ID and friends name no certificate field */
	}
}

static int
server_key(struct ini *s, const struct ike_msg *m, EVP_PKEY **pub, char *why, size_t whylen)
{
	const uint8_t *ders[8], *p;
	size_t lens[8], n = 0, from = 0, i;
	const struct ike_pl *cp;
	STACK_OF(X509) *chain = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509 *leaf = NULL, *x;
	int rc = -1;

	while ((cp = ike_msg_find(m, IKE_PL_CERT, &from)) != NULL && n < NELEM(ders))
		if (cp->u.cert.enc == IKE_CERT_X509_SIG && cp->u.cert.len > 0) {
			ders[n] = cp->u.cert.data;
			lens[n++] = cp->u.cert.len;
		}
	if (n == 0) {
		snprintf(why, whylen, "no certificate from the responder");
		return -1;
	}
	if (cert_cache.pub && cert_cache.derlen == lens[0] && cert_cache.idrlen == s->idrlen &&
	    memcmp(cert_cache.der, ders[0], lens[0]) == 0 &&
	    memcmp(cert_cache.idr, s->idr, s->idrlen) == 0) {
		*pub = cert_cache.pub;
		return 0;
	}
	p = ders[0];
	if ((leaf = d2i_X509(NULL, &p, (long)lens[0])) == NULL || p != ders[0] + lens[0]) {
		snprintf(why, whylen, "the responder's certificate does not parse");
		goto out;
	}
	if ((chain = sk_X509_new_null()) == NULL)
		goto out;
	for (i = 1; i < n; i++) {
		p = ders[i];
		if ((x = d2i_X509(NULL, &p, (long)lens[i])) == NULL || !sk_X509_push(chain, x)) {
			X509_free(x);
			snprintf(why, whylen, "an intermediate certificate does not parse");
			goto out;
		}
	}
	if (s->c->ca) {
		if ((ctx = X509_STORE_CTX_new()) == NULL ||
		    !X509_STORE_CTX_init(ctx, s->c->ca, leaf, chain))
			goto out;
		if (X509_verify_cert(ctx) != 1) {
			snprintf(why, whylen, "certificate chain: %s",
			    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
			goto out;
		}
	}
	if (!cert_names_id(leaf, s->idr, s->idrlen)) {
		char t[256];

		ike_id_text(s->idr[0], s->idr + 4, s->idrlen - 4, t, sizeof(t));
		snprintf(why, whylen, "the certificate does not name IDr %.120s", t);
		goto out;
	}
	EVP_PKEY_free(cert_cache.pub);
	free(cert_cache.der);
	memset(&cert_cache, 0, sizeof(cert_cache));
	if ((cert_cache.der = malloc(lens[0])) == NULL ||
	    (cert_cache.pub = X509_get_pubkey(leaf)) == NULL) {
		free(cert_cache.der);
		cert_cache.der = NULL;
		goto out;
	}
	memcpy(cert_cache.der, ders[0], lens[0]);
	cert_cache.derlen = lens[0];
	memcpy(cert_cache.idr, s->idr, s->idrlen);
	cert_cache.idrlen = s->idrlen;
	*pub = cert_cache.pub;
	rc = 0;
out:
	if (rc == -1 && why[0] == '\0')
		snprintf(why, whylen, "certificate check failed");
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	ERR_clear_error();
	return rc;
}

/* Verifies the responder's AUTH: a signature (EAP) or a MAC with secret. */
static enum ini_rc
check_server_auth(struct ini *s, const struct ike_msg *m, const struct ike_pl *authp,
    const uint8_t *secret, size_t secretlen)
{
	const struct ike_pl_auth *a = &authp->u.auth;
	uint8_t *oct = NULL;
	size_t octlen;
	const char *vwhy = NULL;
	char why[200] = "";
	EVP_PKEY *pub = NULL;
	uint16_t hash;
	int ok;

	if (octets_r(s, &oct, &octlen) == -1)
		return ini_fail(s, "internal", "cannot compute the responder's octets");
	if (secret) {
		ok = a->method == IKE_AUTH_SHARED_KEY &&
		    ike_auth_psk_verify(s->prf, secret, secretlen, oct, octlen, a->data, a->len) == 0;
		free(oct);
		if (!ok)
			return ini_fail(s, "bad_server_auth", "the responder's %s AUTH does not verify",
			    s->eap_done ? "MSK" : "PSK");
		return INI_IGNORE;	/* fine: the caller goes on */
	}
	if (a->method == IKE_AUTH_SHARED_KEY) {
		free(oct);
		return ini_fail(s, "bad_server_auth", "the responder used a shared key before EAP");
	}
	if (server_key(s, m, &pub, why, sizeof(why)) == -1) {
		free(oct);
		return ini_fail(s, "bad_server_cert", "%s", why);
	}
	ok = ike_auth_verify(pub, a->method, a->data, a->len, oct, octlen, &hash, &vwhy) == 0;
	free(oct);
	if (!ok)
		return ini_fail(s, "bad_server_auth", "the responder's signature does not verify%s%s",
		    vwhy ? ": " : "", vwhy ? vwhy : "");
	return INI_IGNORE;
}

static enum ini_rc
eap_reply(struct ini *s, uint8_t id, uint8_t type, const void *data, size_t len)
{
	struct wbuf inner;
	struct ike_gen g;

	wbuf_init(&inner);
	ike_gen_chain(&g, &inner);
	ike_gen_eap(&g, EAP_CODE_RESPONSE, id, type, data, len);
	s->msgid++;
	return send_request(s, IKE_AUTH, &g, &inner);
}

/* After EAP-Success: AUTH computed with the MSK (RFC 7296 2.16). */
static enum ini_rc
send_msk_auth(struct ini *s)
{
	uint8_t mac[IKE_PRF_MAX];
	struct wbuf inner;
	struct ike_gen g;

	if (our_auth(s, s->msk, sizeof(s->msk), mac) == -1)
		return ini_fail(s, "internal", "cannot compute AUTH from the MSK");
	wbuf_init(&inner);
	ike_gen_chain(&g, &inner);
	ike_gen_auth(&g, IKE_AUTH_SHARED_KEY, mac, s->prf->pa_len);
	explicit_bzero(mac, sizeof(mac));
	s->msgid++;
	return send_request(s, IKE_AUTH, &g, &inner);
}

/*
 * EAP-Identity and EAP-MSCHAPv2 as the peer (RFC 2759 packets inside EAP,
 * draft-kamath-pppext-eap-mschapv2): answer the challenge from the NT hash,
 * check the authenticator's "S=" response, acknowledge, derive the MSK.
 */
static enum ini_rc
on_eap(struct ini *s, const struct ike_pl_eap *e)
{
	uint8_t out[5 + 49 + sizeof(s->user)];
	char expect[EAP_MSCHAPV2_AUTH_RESPONSE_LEN + 1];
	size_t ulen = strlen(s->user), nlen, mslen;
	const char *name = eap_mschapv2_strip_domain(s->user, ulen, &nlen);

	if (e->code == EAP_CODE_SUCCESS) {
		if (!s->have_msk)
			return ini_fail(s, "bad_eap", "EAP-Success before MSCHAPv2 succeeded");
		s->eap_done = 1;
		return send_msk_auth(s);
	}
	if (e->code == EAP_CODE_FAILURE)
		return ini_fail(s, "eap_failure", "EAP-Failure");
	if (e->code != EAP_CODE_REQUEST)
		return ini_fail(s, "bad_eap", "EAP code %u from the responder", e->code);
	if (e->type == EAP_TYPE_IDENTITY)
		return eap_reply(s, e->id, EAP_TYPE_IDENTITY, s->user, ulen);
	if (e->type != EAP_TYPE_MSCHAPV2)
		return ini_fail(s, "eap_unsupported", "EAP method %s(%u) requested",
		    eap_type_name(e->type), e->type);
	if (e->len < 4)
		return ini_fail(s, "bad_eap", "short MSCHAPv2 packet");
	switch (e->data[0]) {
	case MS_OP_CHALLENGE:
		if (e->len < 5 + 16 || e->data[4] != 16)
			return ini_fail(s, "bad_eap", "malformed MSCHAPv2 challenge");
		s->ms_id = e->data[1];
		memcpy(s->auth_chal, e->data + 5, 16);
		ike_random(s->peer_chal, sizeof(s->peer_chal));
		if (eap_mschapv2_nt_response(s->nt_hash, s->auth_chal, s->peer_chal, name, nlen,
		    s->nt_resp) == -1)
			return ini_fail(s, "internal", "NT-Response failed");
		/* OpCode | ID | MS-Length | Value-Size 49 | PeerChallenge | 8 reserved |
		   NT-Response | Flags | Name */
		mslen = 5 + 49 + ulen;
		out[0] = MS_OP_RESPONSE;
		out[1] = s->ms_id;
		out[2] = (uint8_t)(mslen >> 8);
		out[3] = (uint8_t)mslen;
		out[4] = 49;
		memcpy(out + 5, s->peer_chal, 16);
		memset(out + 21, 0, 8);
		memcpy(out + 29, s->nt_resp, 24);
		out[53] = 0;
		memcpy(out + 54, s->user, ulen);
		return eap_reply(s, e->id, EAP_TYPE_MSCHAPV2, out, mslen);
	case MS_OP_SUCCESS:
		if (e->len < 4 + EAP_MSCHAPV2_AUTH_RESPONSE_LEN || e->data[1] != s->ms_id)
			return ini_fail(s, "bad_eap", "malformed MSCHAPv2 success");
		if (eap_mschapv2_auth_response(s->nt_hash, s->nt_resp, s->peer_chal, s->auth_chal,
		    name, nlen, expect) == -1)
			return ini_fail(s, "internal", "authenticator response failed");
		if (strncasecmp((const char *)e->data + 4, expect, EAP_MSCHAPV2_AUTH_RESPONSE_LEN) != 0)
			return ini_fail(s, "bad_server_auth",
			    "MSCHAPv2 authenticator response does not match (server lacks our NT hash)");
		if (eap_mschapv2_msk(s->nt_hash, s->nt_resp, s->msk) == -1)
			return ini_fail(s, "internal", "MSK derivation failed");
		s->have_msk = 1;
		out[0] = MS_OP_SUCCESS;
		return eap_reply(s, e->id, EAP_TYPE_MSCHAPV2, out, 1);
	case MS_OP_FAILURE:
		return ini_fail(s, "eap_failure", "MSCHAPv2 failure: %.*s",
		    (int)(e->len > 4 ? (e->len - 4 > 60 ? 60 : e->len - 4) : 0),
		    e->len > 4 ? (const char *)e->data + 4 : "");
	default:
		return ini_fail(s, "bad_eap", "MSCHAPv2 opcode %u", e->data[0]);
	}
}

/* The last IKE_AUTH response: configuration payload and the CHILD SA. */
static enum ini_rc
finish(struct ini *s, const struct ike_msg *m, const struct ike_pl *errp)
{
	const struct ike_pl *cp = ike_msg_find(m, IKE_PL_CP, NULL);
	const struct ike_pl *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	size_t i;

	if (errp) {
		save_error(s, errp);
		return ini_fail(s, ike_notify_name(errp->u.notify.type),
		    "IKE SA up, no CHILD SA: %s(%u)", ike_notify_name(errp->u.notify.type),
		    errp->u.notify.type);
	}
	if (cp && cp->u.cp.type == IKE_CFG_REPLY) {
		for (i = 0; i < cp->u.cp.nattrs; i++) {
			const struct ike_cp_attr *a = &cp->u.cp.attrs[i];

			if (a->type == IKE_CA_INTERNAL_IP4_ADDRESS && a->len == 4 && !s->have_vip) {
				memcpy(&s->vip, a->value, 4);
				s->have_vip = 1;
			} else if (a->type == IKE_CA_INTERNAL_IP4_DNS && a->len == 4)
				s->ndns++;
			else if (a->type == IKE_CA_UNITY_BANNER && banner_seen[0] == '\0') {
				size_t bl = a->len < sizeof(banner_seen) - 1 ? a->len :
				    sizeof(banner_seen) - 1;

				memcpy(banner_seen, a->value, bl);
				banner_seen[bl] = '\0';
			}
		}
	}
	if (s->c->cp && !s->have_vip)
		return ini_fail(s, "no_virtual_ip", "no INTERNAL_IP4_ADDRESS in the reply");
	if (sap == NULL || sap->u.sa.nprops != 1 || sap->u.sa.props[0].spi_size != 4 ||
	    props_check_choice(&s->c->esp, &sap->u.sa, IKE_PROTO_ESP, s->esp_chosen) == -1)
		return ini_fail(s, "bad_child_proposal", "no acceptable SAr2");
	if (ike_msg_find(m, IKE_PL_TSI, NULL) == NULL || ike_msg_find(m, IKE_PL_TSR, NULL) == NULL)
		return ini_fail(s, "bad_child_ts", "no TSi/TSr in the reply");
	s->state = IS_ESTABLISHED;
	return INI_DONE;
}

static enum ini_rc
on_auth(struct ini *s, const struct ike_msg *m)
{
	const struct ike_pl *authp = ike_msg_find(m, IKE_PL_AUTH, NULL);
	const struct ike_pl *eapp = ike_msg_find(m, IKE_PL_EAP, NULL);
	const struct ike_pl *idp = ike_msg_find(m, IKE_PL_IDR, NULL);
	const struct ike_pl *errp = error_notify(m);
	char t[256];
	int final = 0;

	if (errp && authp == NULL) {
		save_error(s, errp);
		return ini_fail(s, ike_notify_name(errp->u.notify.type), "IKE_AUTH refused: %s(%u)",
		    ike_notify_name(errp->u.notify.type), errp->u.notify.type);
	}
	if (idp && !s->server_authed) {
		if (idp->len > sizeof(s->idr) || idp->len < 4)
			return ini_fail(s, "bad_server_auth", "IDr of %zu bytes", idp->len);
		memcpy(s->idr, idp->body, idp->len);
		s->idrlen = idp->len;
		if (s->c->remote_id) {
			ike_id_text(idp->u.id.type, idp->u.id.data, idp->u.id.len, t, sizeof(t));
			if (strcasecmp(t, s->c->remote_id) != 0)
				return ini_fail(s, "remote_id_mismatch", "IDr is %s, not %s", t,
				    s->c->remote_id);
		}
	}
	if (authp) {
		if (!s->server_authed) {
			if (s->idrlen == 0)
				return ini_fail(s, "bad_server_auth", "AUTH without IDr");
			if (s->c->mode == AM_PSK) {
				if (check_server_auth(s, m, authp, (const uint8_t *)s->c->psk,
				    strlen(s->c->psk)) == INI_FAIL)
					return INI_FAIL;
				final = 1;
			} else if (check_server_auth(s, m, authp, NULL, 0) == INI_FAIL)
				return INI_FAIL;
			s->server_authed = 1;
		} else if (s->eap_done) {
			if (check_server_auth(s, m, authp, s->msk, sizeof(s->msk)) == INI_FAIL)
				return INI_FAIL;
			final = 1;
		} else
			return ini_fail(s, "bad_server_auth", "a second AUTH before EAP finished");
	} else if (!s->server_authed)
		return ini_fail(s, "bad_server_auth", "the responder sent no AUTH");
	if (final) {
		s->ike_up = 1;
		return finish(s, m, errp);
	}
	if (eapp && s->c->mode == AM_EAP)
		return on_eap(s, &eapp->u.eap);
	return ini_fail(s, "unexpected_response", "IKE_AUTH response with nothing to act on");
}

/* ---------------------------------------------------------------- INFORMATIONAL */

/* Our Delete of the IKE SA (RFC 7296 1.4.1). */
static enum ini_rc
ini_delete(struct ini *s)
{
	struct wbuf inner;
	struct ike_gen g;

	if (!s->have_keys)
		return ini_fail(s, "internal", "no IKE SA to delete");
	wbuf_init(&inner);
	ike_gen_chain(&g, &inner);
	ike_gen_delete(&g, IKE_PROTO_IKE, NULL, 0);
	s->msgid++;
	s->state = IS_DELETING;
	return send_request(s, INFORMATIONAL, &g, &inner);
}

/*
 * A request from the responder (liveness check, Delete, a rekey we do not
 * do): answered, the answer kept for its retransmissions (2.1).
 */
static enum ini_rc
on_request(struct ini *s, const struct ike_hdr *h, const uint8_t *buf, size_t len)
{
	const struct ike_pl *p;
	struct wbuf inner;
	struct ike_gen g;
	struct ike_msg m;
	uint8_t *plain = NULL;
	size_t cap = 0, from = 0;
	enum ini_rc rc = INI_IGNORE;

	if (!s->have_keys || memcmp(h->spi_r, s->spi_r, IKE_SPI_LEN) != 0)
		return INI_IGNORE;
	if (s->have_resp && h->msgid + 1 == s->peer_msgid)
		return INI_REPLY;
	if (h->msgid != s->peer_msgid)
		return INI_IGNORE;
	ike_msg_init(&m);
	if (open_msg(s, h, buf, len, 0, &m, &plain, &cap) != 1)
		goto out;
	wbuf_init(&inner);
	ike_gen_chain(&g, &inner);
	if (h->exchange == INFORMATIONAL) {
		while ((p = ike_msg_find(&m, IKE_PL_DELETE, &from)) != NULL)
			if (p->u.del.proto == IKE_PROTO_IKE)
				s->peer_deleted = 1;
	} else if (h->exchange == CREATE_CHILD_SA)
		ike_gen_notify(&g, 0, NULL, 0, IKE_N_NO_ADDITIONAL_SAS, NULL, 0);
	if (seal(s, &s->resp, h->exchange, IKE_FLAG_RESPONSE, h->msgid, &g, &inner) == 0) {
		s->have_resp = 1;
		s->peer_msgid++;
		rc = INI_REPLY;
		if (s->peer_deleted)
			s->state = IS_CLOSED;
	}
	wbuf_free(&inner);
out:
	ike_msg_free(&m);
	if (plain) {
		explicit_bzero(plain, cap);
		free(plain);
	}
	return rc;
}

/*
 * Entry for every datagram addressed to this initiator (NAT-T marker
 * already stripped).  See enum ini_rc for what the driver does next.
 */
static enum ini_rc
ini_input(struct ini *s, const uint8_t *buf, size_t len)
{
	struct ike_hdr h;
	struct ike_msg m;
	uint8_t *plain = NULL;
	size_t cap = 0;
	enum ini_rc rc;
	int r;

	if (ike_hdr_parse(buf, len, &h) == -1 || memcmp(h.spi_i, s->spi_i, IKE_SPI_LEN) != 0)
		return INI_IGNORE;
	if (!(h.flags & IKE_FLAG_RESPONSE))
		return on_request(s, &h, buf, len);
	if (h.msgid != s->msgid)
		return INI_IGNORE;
	switch (s->state) {
	case IS_INIT:
		if (h.exchange != IKE_SA_INIT)
			return INI_IGNORE;
		return on_init(s, buf, len);
	case IS_AUTH:
	case IS_DELETING:
		if (memcmp(h.spi_r, s->spi_r, IKE_SPI_LEN) != 0 ||
		    h.exchange != (s->state == IS_AUTH ? IKE_AUTH : INFORMATIONAL))
			return INI_IGNORE;
		ike_msg_init(&m);
		r = open_msg(s, &h, buf, len, 1, &m, &plain, &cap);
		if (r == 1 && s->state == IS_AUTH)
			rc = on_auth(s, &m);
		else if (r == 1) {
			s->state = IS_CLOSED;
			rc = INI_DONE;
		} else
			rc = r == 0 ? INI_WAIT : INI_IGNORE;
		ike_msg_free(&m);
		if (plain) {
			explicit_bzero(plain, cap);
			free(plain);
		}
		return rc;
	default:
		return INI_IGNORE;
	}
}

/* ================================================================ sources and sockets */

/*
 * One local source address with two UDP sockets connected to the server:
 * [0] to the IKE port, [1] to the NAT-T port (messages there carry the
 * non-ESP marker).  Every client on a source shares its sockets; answers
 * are told apart by our SPI.
 */
struct src {
	struct sockaddr_storage addr;		/* bind address; family 0 = any */
	int		 fd[2];
	struct sockaddr_storage local[2];	/* after connect(): address and port */
	struct event	*ev[2];
};

static void
src_add(struct src **v, size_t *n, const struct sockaddr_storage *a)
{
	struct src *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (nv == NULL)
		die("out of memory");
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	nv[*n].addr = *a;
	nv[*n].fd[0] = nv[*n].fd[1] = -1;
	(*n)++;
}

/* "192.0.2.10/24/8": 8 addresses from 192.0.2.10 up, inside 192.0.2.0/24. */
static void
sources_cidr(const char *spec, struct src **v, size_t *n)
{
	char buf[64], *s1, *s2;
	struct sockaddr_storage ss;
	struct in_addr a;
	long long plen, cnt, i;
	uint32_t base, mask;

	if (strlen(spec) >= sizeof(buf))
		die("--sources: too long");
	snprintf(buf, sizeof(buf), "%s", spec);
	if ((s1 = strchr(buf, '/')) == NULL || (s2 = strchr(s1 + 1, '/')) == NULL)
		die("--sources: expected FIRST-ADDRESS/PREFIXLEN/COUNT, e.g. 192.0.2.10/24/8");
	*s1++ = '\0';
	*s2++ = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || num_arg(s1, 0, 32, &plen) == -1 ||
	    num_arg(s2, 1, 65536, &cnt) == -1)
		die("--sources: bad \"%s\"", spec);
	base = ntohl(a.s_addr);
	mask = plen ? ~0u << (32 - plen) : 0;
	for (i = 0; i < cnt; i++) {
		uint32_t v4 = base + (uint32_t)i;

		if ((v4 & mask) != (base & mask))
			die("--sources: %lld addresses from %s leave the /%lld", cnt, buf, plen);
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(v4);
		src_add(v, n, &ss);
	}
}

static void
sources_file(const char *path, struct src **v, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[256], *p, *e;
	struct sockaddr_storage ss;

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		for (e = p + strlen(p); e > p && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		if (*p == '\0')
			continue;
		if (parse_hostport(p, 0, &ss) == -1)
			die("%s: bad address \"%s\"", path, p);
		src_add(v, n, &ss);
	}
	fclose(f);
	if (*n == 0)
		die("%s: no addresses", path);
}

static void
src_open(struct src *s, const struct conf *c)
{
	struct sockaddr_storage to;
	socklen_t sl;
	int i, big = 8 << 20, fl;
	char a[80];

	for (i = 0; i < 2; i++) {
		to = c->server;
		if (i == 1)
			sa_set_port(&to, c->natt_port);
		if ((s->fd[i] = socket(to.ss_family, SOCK_DGRAM, 0)) == -1)
			die("socket: %s", strerror(errno));
		if (setsockopt(s->fd[i], SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) == -1)
			(void)setsockopt(s->fd[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		if (setsockopt(s->fd[i], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) == -1)
			(void)setsockopt(s->fd[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		if (s->addr.ss_family != 0) {
			if (s->addr.ss_family != to.ss_family)
				die("source %s: not the server's address family",
				    sa_str(&s->addr, a, sizeof(a)));
			if (bind(s->fd[i], (struct sockaddr *)&s->addr, sa_len(&s->addr)) == -1)
				die("bind %s: %s (is the address on an interface?)",
				    sa_str(&s->addr, a, sizeof(a)), strerror(errno));
		}
		if (connect(s->fd[i], (struct sockaddr *)&to, sa_len(&to)) == -1)
			die("connect %s: %s", sa_str(&to, a, sizeof(a)), strerror(errno));
		sl = sizeof(s->local[i]);
		if (getsockname(s->fd[i], (struct sockaddr *)&s->local[i], &sl) == -1)
			die("getsockname: %s", strerror(errno));
		if ((fl = fcntl(s->fd[i], F_GETFL)) == -1 ||
		    fcntl(s->fd[i], F_SETFL, fl | O_NONBLOCK) == -1)
			die("fcntl: %s", strerror(errno));
	}
}

static void
src_close(struct src *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (s->ev[i])
			event_free(s->ev[i]);
		if (s->fd[i] != -1)
			close(s->fd[i]);
		s->ev[i] = NULL;
		s->fd[i] = -1;
	}
}

static void
sources_make(const struct conf *c, struct src **v, size_t *n)
{
	struct sockaddr_storage any;
	size_t i;

	*v = NULL;
	*n = 0;
	if (c->sources)
		sources_cidr(c->sources, v, n);
	if (c->source_list)
		sources_file(c->source_list, v, n);
	if (*n == 0) {
		memset(&any, 0, sizeof(any));
		src_add(v, n, &any);
	}
	for (i = 0; i < *n; i++)
		src_open(&(*v)[i], c);
}

/* Sends one datagram on the path the initiator uses now. */
static int
src_send(struct src *s, int natt, const struct wbuf *wb)
{
	return send(s->fd[natt ? 1 : 0], wb->data, wb->len, 0) == (ssize_t)wb->len ? 0 : -1;
}

/* Sends the initiator's current request: its SKF fragments, or the message. */
static int
req_send(struct src *src, const struct ini *s)
{
	size_t i;
	int rc = 0;

	if (s->nreq_frag == 0)
		return src_send(src, s->natt, &s->req);
	for (i = 0; i < s->nreq_frag; i++)
		if (src_send(src, s->natt, &s->req_frag[i]) == -1)
			rc = -1;
	return rc;
}

/* ================================================================ the load run */

enum client_phase { CP_HANDSHAKE = 0, CP_OPEN, CP_DELETING };

struct run;

struct client {
	struct ini	 s;
	struct run	*r;
	long long	 idx;		/* user number */
	struct src	*src;
	struct event	*timer;
	enum client_phase phase;
	double		 t0;		/* first IKE_SA_INIT sent */
	double		 t_req;		/* current request first sent */
	int		 tries;		/* retransmissions of it */
	struct client	*hnext;		/* by SPIi */
	struct client	*onext, *oprev;	/* open (established) clients */
};

struct reason {
	char		 name[48];
	char		 example[200];
	size_t		 n;
};

struct run {
	struct conf	*c;
	struct event_base *base;
	struct src	*srcs;
	size_t		 nsrcs;
	struct client  **hash;
	size_t		 hmask;
	long long	 next;		/* clients started */
	size_t		 inflight;	/* handshakes under way */
	size_t		 deleting;	/* Deletes under way */
	struct client	*open;		/* established, not yet deleted */
	size_t		 nopen;
	int		 ending;	/* every handshake is over */
	struct event	*hold_ev;
	int		 held;

	/* results */
	size_t		 established, failed, deleted, delete_failed, peer_deleted;
	size_t		 retransmits, cookies, ke_retries, reassembled, nat_switched;
	double		*lat;
	size_t		 nlat;
	uint32_t	*vips;
	size_t		 nvips;
	struct reason	 reasons[MAX_REASONS];
	size_t		 nreasons;
	double		 t_start, t_last_done;
	uint8_t		 rbuf[DGRAM_MAX];
};

static size_t
spi_hash(const uint8_t spi[8], size_t mask)
{
	uint64_t v;

	memcpy(&v, spi, 8);
	v ^= v >> 31;
	v *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(v >> 17) & mask;
}

static void
hash_add(struct run *r, struct client *cl)
{
	size_t h = spi_hash(cl->s.spi_i, r->hmask);

	cl->hnext = r->hash[h];
	r->hash[h] = cl;
}

static void
hash_del(struct run *r, struct client *cl)
{
	struct client **pp;

	for (pp = &r->hash[spi_hash(cl->s.spi_i, r->hmask)]; *pp; pp = &(*pp)->hnext)
		if (*pp == cl) {
			*pp = cl->hnext;
			return;
		}
}

static struct client *
hash_find(struct run *r, const uint8_t spi[8])
{
	struct client *cl;

	for (cl = r->hash[spi_hash(spi, r->hmask)]; cl; cl = cl->hnext)
		if (memcmp(cl->s.spi_i, spi, 8) == 0)
			return cl;
	return NULL;
}

static void
reason_count(struct run *r, const char *name, const char *detail)
{
	size_t i;

	for (i = 0; i < r->nreasons; i++)
		if (strcmp(r->reasons[i].name, name) == 0)
			break;
	if (i == r->nreasons) {
		if (r->nreasons == MAX_REASONS)
			i = MAX_REASONS - 1;	/* the last slot collects the rest */
		else
			r->nreasons++;
		snprintf(r->reasons[i].name, sizeof(r->reasons[i].name), "%s",
		    i == MAX_REASONS - 1 ? "other" : name);
		snprintf(r->reasons[i].example, sizeof(r->reasons[i].example), "%s", detail);
	}
	r->reasons[i].n++;
}

static void open_unlink(struct run *, struct client *);
static void run_pump(struct run *);

static void
client_free(struct client *cl)
{
	struct run *r = cl->r;

	hash_del(r, cl);
	if (cl->phase == CP_OPEN)
		open_unlink(r, cl);
	if (cl->timer)
		event_free(cl->timer);
	ini_free(&cl->s);
	free(cl);
}

static void
open_link(struct run *r, struct client *cl)
{
	cl->oprev = NULL;
	cl->onext = r->open;
	if (r->open)
		r->open->oprev = cl;
	r->open = cl;
	r->nopen++;
}

static void
open_unlink(struct run *r, struct client *cl)
{
	if (cl->oprev)
		cl->oprev->onext = cl->onext;
	else
		r->open = cl->onext;
	if (cl->onext)
		cl->onext->oprev = cl->oprev;
	cl->onext = cl->oprev = NULL;
	r->nopen--;
}

/* Sends the request in cl->s.req and arms the retransmission timer (1 s). */
static void
client_send(struct client *cl)
{
	struct timeval tv = { 1, 0 };

	(void)req_send(cl->src, &cl->s);
	cl->t_req = now();
	cl->tries = 0;
	event_add(cl->timer, &tv);
}

static void
client_verbose(struct client *cl, const char *what)
{
	char a[INET_ADDRSTRLEN] = "-";

	if (!cl->r->c->verbose)
		return;
	if (cl->s.have_vip)
		inet_ntop(AF_INET, &cl->s.vip, a, sizeof(a));
	fprintf(stderr, "client %lld %s: %s %s%s%s (%.1f ms)\n", cl->idx, cl->s.user, what, a,
	    cl->s.state == IS_FAILED ? " " : "", cl->s.state == IS_FAILED ? cl->s.detail : "",
	    (now() - cl->t0) * 1000);
}

/* A handshake is over (either way): its slot goes to the next client. */
static void
handshake_over(struct client *cl, int ok)
{
	struct run *r = cl->r;
	double t = now();

	r->inflight--;
	r->cookies += (size_t)cl->s.ncookies;
	r->ke_retries += (size_t)cl->s.nke_retries;
	r->reassembled += (size_t)cl->s.nreassembled;
	r->nat_switched += (size_t)cl->s.nat_detected;
	if (ok) {
		r->established++;
		r->lat[r->nlat++] = (t - cl->t0) * 1000;
		if (cl->s.have_vip)
			r->vips[r->nvips++] = ntohl(cl->s.vip.s_addr);
		r->t_last_done = t;
		client_verbose(cl, "established");
	} else {
		r->failed++;
		reason_count(r, cl->s.why ? cl->s.why : "unknown", cl->s.detail);
		client_verbose(cl, "failed");
	}
}

static void
client_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct client *cl = arg;
	struct run *r = cl->r;
	double t = now(), limit = r->c->timeout;
	struct timeval tv;

	(void)fd;
	(void)what;
	if ((cl->phase == CP_HANDSHAKE ? t - cl->t0 : t - cl->t_req) >= limit) {
		if (cl->phase == CP_HANDSHAKE) {
			(void)ini_fail(&cl->s, "timeout", "no answer to %s (message %u) after %.1f s",
			    cl->s.state == IS_INIT ? "IKE_SA_INIT" : "IKE_AUTH", cl->s.msgid,
			    t - cl->t0);
			handshake_over(cl, 0);
		} else {
			r->delete_failed++;
			r->deleting--;
		}
		client_free(cl);
		run_pump(r);
		return;
	}
	/* RFC 7296 2.1: retransmit the same bytes, 1 s, 2 s, 4 s, ... apart. */
	cl->tries++;
	r->retransmits++;
	(void)req_send(cl->src, &cl->s);
	tv.tv_sec = 1L << (cl->tries < 5 ? cl->tries : 5);
	tv.tv_usec = 0;
	if (t + (double)tv.tv_sec > (cl->phase == CP_HANDSHAKE ? cl->t0 : cl->t_req) + limit) {
		double rest = (cl->phase == CP_HANDSHAKE ? cl->t0 : cl->t_req) + limit - t;

		tv.tv_sec = (time_t)rest;
		tv.tv_usec = (suseconds_t)((rest - (double)tv.tv_sec) * 1e6);
	}
	event_add(cl->timer, &tv);
}

static void
client_start(struct run *r)
{
	const struct conf *c = r->c;
	struct client *cl;
	char user[256], pass[256];
	const char *u = c->user, *pw = c->password;
	long long idx = c->index_base + r->next;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		die("out of memory");
	cl->r = r;
	cl->idx = idx;
	cl->src = &r->srcs[(size_t)r->next % r->nsrcs];
	r->next++;
	if (c->user_pat) {
		if (pattern_expand(c->user_pat, idx, user, sizeof(user)) == -1)
			die("--user-pattern: only %%d and %%%% may follow a %%");
		u = user;
	}
	if (c->pass_pat) {
		if (pattern_expand(c->pass_pat, idx, pass, sizeof(pass)) == -1)
			die("--password-pattern: only %%d and %%%% may follow a %%");
		pw = pass;
	}
	r->inflight++;
	if ((cl->timer = evtimer_new(r->base, client_timeout, cl)) == NULL)
		die("out of memory");
	if (ini_setup(&cl->s, c, u ? u : "", pw, cl->src->local) == -1)
		die("client %lld: %s", idx, cl->s.detail);
	explicit_bzero(pass, sizeof(pass));
	cl->t0 = now();
	if (ini_start(&cl->s) != INI_SEND) {
		handshake_over(cl, 0);
		client_free(cl);
		return;
	}
	hash_add(r, cl);
	client_send(cl);
}

static void
start_delete(struct client *cl)
{
	struct run *r = cl->r;

	open_unlink(r, cl);
	cl->phase = CP_DELETING;
	if (ini_delete(&cl->s) != INI_SEND) {
		r->delete_failed++;
		client_free(cl);
		return;
	}
	r->deleting++;
	client_send(cl);
}

static void
hold_over(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	(void)fd;
	(void)what;
	r->held = 1;
	run_pump(r);
}

/*
 * Starts handshakes while there is room; when all are over: hold, then
 * Delete what is open (--delete), then stop the loop.
 */
static void
run_pump(struct run *r)
{
	const struct conf *c = r->c;
	struct timeval tv;

	while (r->inflight < c->concurrency && (size_t)r->next < c->clients)
		client_start(r);
	if ((size_t)r->next < c->clients || r->inflight > 0)
		return;
	if (!r->ending) {
		r->ending = 1;
		if (c->verbose)
			fprintf(stderr, "%s: all %zu handshakes over (%zu established)\n", progname,
			    c->clients, r->established);
	}
	if (c->hold > 0 && !r->held) {
		if (r->hold_ev == NULL) {
			r->hold_ev = evtimer_new(r->base, hold_over, r);
			tv.tv_sec = (time_t)c->hold;
			tv.tv_usec = (suseconds_t)((c->hold - (double)tv.tv_sec) * 1e6);
			event_add(r->hold_ev, &tv);
		}
		return;
	}
	if (c->del)
		while (r->open && r->deleting < c->concurrency)
			start_delete(r->open);
	if (r->deleting == 0 && (!c->del || r->open == NULL))
		event_base_loopbreak(r->base);
}

static void
client_input(struct client *cl, const uint8_t *buf, size_t len)
{
	struct run *r = cl->r;
	enum ini_rc rc = ini_input(&cl->s, buf, len);

	switch (rc) {
	case INI_IGNORE:
	case INI_WAIT:
		return;
	case INI_SEND:
		client_send(cl);
		return;
	case INI_REPLY:
		(void)src_send(cl->src, cl->s.natt, &cl->s.resp);
		if (cl->s.peer_deleted && cl->phase != CP_HANDSHAKE) {
			r->peer_deleted++;
			if (cl->phase == CP_DELETING)
				r->deleting--;
			client_free(cl);
			run_pump(r);
		}
		return;
	case INI_DONE:
		event_del(cl->timer);
		if (cl->phase == CP_DELETING) {
			r->deleted++;
			r->deleting--;
			client_free(cl);
			run_pump(r);
			return;
		}
		handshake_over(cl, 1);
		cl->phase = CP_OPEN;
		open_link(r, cl);
		/* Without --hold, --delete closes each SA as soon as it is up. */
		if (r->c->del && r->c->hold <= 0)
			start_delete(cl);
		run_pump(r);
		return;
	case INI_FAIL:
		event_del(cl->timer);
		handshake_over(cl, 0);
		/* The IKE SA is up without its CHILD SA: with --delete, say so to
		   the responder once (best effort, no answer awaited). */
		if (cl->s.ike_up && r->c->del && ini_delete(&cl->s) == INI_SEND)
			(void)req_send(cl->src, &cl->s);
		client_free(cl);
		run_pump(r);
		return;
	}
}

struct sockev {
	struct run	*r;
	struct src	*src;
	int		 natt;
};

static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct sockev *se = arg;
	struct run *r = se->r;
	const uint8_t *msg;
	struct client *cl;
	size_t len;
	ssize_t n;
	int i;

	(void)what;
	for (i = 0; i < 64; i++) {
		n = recv(fd, r->rbuf, sizeof(r->rbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ECONNREFUSED || errno == EINTR)
				continue;	/* an ICMP error for an earlier datagram */
			return;
		}
		msg = r->rbuf;
		len = (size_t)n;
		if (se->natt && ike_natt_strip(r->rbuf, (size_t)n, &msg, &len) == -1)
			continue;	/* ESP or a keepalive: not ours */
		if (len < IKE_HDR_LEN || (cl = hash_find(r, msg)) == NULL)
			continue;
		client_input(cl, msg, len);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double
pct(const double *v, size_t n, double p)
{
	double want = p / 100.0 * (double)n;
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)want;
	if ((double)k < want)
		k++;	/* the rank is ceil(p% of n), without libm */
	if (k > n)
		k = n;
	return v[k ? k - 1 : 0];
}

static void
run_report(struct run *r)
{
	const struct conf *c = r->c;
	double elapsed = r->t_last_done > r->t_start ? r->t_last_done - r->t_start : 0;
	double rate = elapsed > 0 ? (double)r->established / elapsed : 0, sum = 0;
	size_t i, distinct = 0;
	json_t *o, *fails, *lat;
	char srv[80], *txt;

	qsort(r->lat, r->nlat, sizeof(*r->lat), cmp_double);
	qsort(r->vips, r->nvips, sizeof(*r->vips), cmp_u32);
	for (i = 0; i < r->nvips; i++)
		if (i == 0 || r->vips[i] != r->vips[i - 1])
			distinct++;
	for (i = 0; i < r->nlat; i++)
		sum += r->lat[i];
	sa_str(&c->server, srv, sizeof(srv));
	if (c->json) {
		fails = json_object();
		for (i = 0; i < r->nreasons; i++)
			json_object_set_new(fails, r->reasons[i].name, json_integer((json_int_t)r->reasons[i].n));
		lat = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}",
		    "min", r->nlat ? r->lat[0] : 0.0, "median", pct(r->lat, r->nlat, 50),
		    "p90", pct(r->lat, r->nlat, 90), "p99", pct(r->lat, r->nlat, 99),
		    "max", r->nlat ? r->lat[r->nlat - 1] : 0.0,
		    "mean", r->nlat ? sum / (double)r->nlat : 0.0);
		o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:f, s:f, s:o, s:{s:I, s:I},"
		    " s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		    "server", srv, "auth", c->mode == AM_PSK ? "psk" : "eap-mschapv2",
		    "attempted", (json_int_t)r->next, "established", (json_int_t)r->established,
		    "failed", (json_int_t)r->failed, "sources", (json_int_t)r->nsrcs,
		    "failures", fails, "elapsed_s", elapsed, "handshakes_per_second", rate,
		    "latency_ms", lat, "virtual_ips", "assigned", (json_int_t)r->nvips,
		    "distinct", (json_int_t)distinct,
		    "concurrency", (json_int_t)c->concurrency,
		    "retransmits", (json_int_t)r->retransmits, "cookies", (json_int_t)r->cookies,
		    "invalid_ke_retries", (json_int_t)r->ke_retries,
		    "fragmented_responses", (json_int_t)r->reassembled,
		    "nat_detected", (json_int_t)r->nat_switched, "deleted", (json_int_t)r->deleted,
		    "deleted_by_peer", (json_int_t)r->peer_deleted);
		if (o && c->banner)
			json_object_set_new(o, "banner", json_string(banner_seen));
		if (o == NULL || (txt = json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) == NULL)
			die("cannot build the JSON summary");
		printf("%s\n", txt);
		free(txt);
		json_decref(o);
	} else {
		printf("server %s, %s, %zu source(s), concurrency %zu\n", srv,
		    c->mode == AM_PSK ? "PSK" : "EAP-MSCHAPv2", r->nsrcs, c->concurrency);
		printf("attempted %lld, established %zu, failed %zu\n", r->next, r->established,
		    r->failed);
		for (i = 0; i < r->nreasons; i++)
			printf("  failed %-24s %zu  (e.g. %s)\n", r->reasons[i].name, r->reasons[i].n,
			    r->reasons[i].example);
		printf("%.1f handshakes/s over %.2f s\n", rate, elapsed);
		printf("latency ms: median %.1f, p90 %.1f, p99 %.1f, max %.1f\n",
		    pct(r->lat, r->nlat, 50), pct(r->lat, r->nlat, 90), pct(r->lat, r->nlat, 99),
		    r->nlat ? r->lat[r->nlat - 1] : 0.0);
		printf("virtual IPs: %zu assigned, %zu distinct\n", r->nvips, distinct);
		printf("retransmits %zu, cookies %zu, INVALID_KE retries %zu, fragmented responses %zu,"
		    " NAT detected %zu\n", r->retransmits, r->cookies, r->ke_retries, r->reassembled,
		    r->nat_switched);
		if (c->del || r->peer_deleted)
			printf("deleted %zu (failed %zu), deleted by the responder %zu\n", r->deleted,
			    r->delete_failed, r->peer_deleted);
	}
	fflush(stdout);
}

static int
run_load(struct conf *c)
{
	struct run r;
	struct sockev *se;
	size_t i, hsize = 1024;
	int j;

	memset(&r, 0, sizeof(r));
	r.c = c;
	if ((r.base = event_base_new()) == NULL)
		die("event_base_new failed");
	sources_make(c, &r.srcs, &r.nsrcs);
	while (hsize < 2 * c->clients && hsize < (1u << 22))
		hsize <<= 1;
	r.hmask = hsize - 1;
	r.hash = calloc(hsize, sizeof(*r.hash));
	r.lat = calloc(c->clients, sizeof(*r.lat));
	r.vips = calloc(c->clients, sizeof(*r.vips));
	se = calloc(2 * r.nsrcs, sizeof(*se));
	if (r.hash == NULL || r.lat == NULL || r.vips == NULL || se == NULL)
		die("out of memory");
	for (i = 0; i < r.nsrcs; i++)
		for (j = 0; j < 2; j++) {
			se[2 * i + (size_t)j].r = &r;
			se[2 * i + (size_t)j].src = &r.srcs[i];
			se[2 * i + (size_t)j].natt = j;
			r.srcs[i].ev[j] = event_new(r.base, r.srcs[i].fd[j], EV_READ | EV_PERSIST,
			    on_readable, &se[2 * i + (size_t)j]);
			if (r.srcs[i].ev[j] == NULL || event_add(r.srcs[i].ev[j], NULL) == -1)
				die("event_add failed");
		}
	r.t_start = now();
	run_pump(&r);
	event_base_dispatch(r.base);
	run_report(&r);

	while (r.open)
		client_free(r.open);
	for (i = 0; i <= r.hmask; i++)
		while (r.hash[i])
			client_free(r.hash[i]);
	for (i = 0; i < r.nsrcs; i++)
		src_close(&r.srcs[i]);
	if (r.hold_ev)
		event_free(r.hold_ev);
	event_base_free(r.base);
	free(r.srcs);
	free(r.hash);
	free(se);
	free(r.lat);
	free(r.vips);
	return r.established == c->clients ? 0 : 1;
}

/* ================================================================ probes */

/*
 * Probes drive one initiator at a time with blocking I/O on one source
 * (the first of --sources/--source-list, or any), and print one line per
 * finding, "probe NAME: ...".  Exit status: 0 when the responder behaved as
 * the probe expects, 1 when it answered otherwise, 2 when it did not answer.
 */
struct dgrams {
	uint8_t		*d[MAX_FRAGS];
	size_t		 len[MAX_FRAGS];
	size_t		 n;
};

struct probe {
	struct conf	*c;
	struct src	 src;
	uint8_t		 buf[DGRAM_MAX];
};

static void
dgrams_add(struct dgrams *v, const uint8_t *p, size_t len)
{
	if (v->n >= MAX_FRAGS || (v->d[v->n] = malloc(len ? len : 1)) == NULL)
		return;
	memcpy(v->d[v->n], p, len);
	v->len[v->n++] = len;
}

static void
dgrams_free(struct dgrams *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->d[i]);
	memset(v, 0, sizeof(*v));
}

static int
cmp_dgram(const struct dgrams *v, size_t a, size_t b)
{
	size_t n = v->len[a] < v->len[b] ? v->len[a] : v->len[b];
	int r = memcmp(v->d[a], v->d[b], n);

	return r ? r : (v->len[a] > v->len[b]) - (v->len[a] < v->len[b]);
}

static void
dgrams_sort(struct dgrams *v)
{
	size_t i, j;
	uint8_t *tp;
	size_t tl;

	for (i = 1; i < v->n; i++)
		for (j = i; j > 0 && cmp_dgram(v, j - 1, j) > 0; j--) {
			tp = v->d[j];
			v->d[j] = v->d[j - 1];
			v->d[j - 1] = tp;
			tl = v->len[j];
			v->len[j] = v->len[j - 1];
			v->len[j - 1] = tl;
		}
}

/* The same datagrams, in any order. */
static int
dgrams_equal(struct dgrams *a, struct dgrams *b)
{
	size_t i;

	if (a->n != b->n || a->n == 0)
		return 0;
	dgrams_sort(a);
	dgrams_sort(b);
	for (i = 0; i < a->n; i++)
		if (a->len[i] != b->len[i] || memcmp(a->d[i], b->d[i], a->len[i]) != 0)
			return 0;
	return 1;
}

/*
 * Waits up to `wait` seconds for one IKE datagram on either socket; *msg
 * points into p->buf after the NAT-T marker.  0, or -1 on timeout.
 */
static int
probe_recv(struct probe *p, double wait, const uint8_t **msg, size_t *len)
{
	double end = now() + wait, rest;
	struct pollfd pf[2];
	ssize_t n;
	int i;

	for (;;) {
		if ((rest = end - now()) <= 0)
			return -1;
		for (i = 0; i < 2; i++) {
			pf[i].fd = p->src.fd[i];
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		if (poll(pf, 2, (int)(rest * 1000) + 1) <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			if (!(pf[i].revents & POLLIN))
				continue;
			if ((n = recv(p->src.fd[i], p->buf, sizeof(p->buf), MSG_DONTWAIT)) < 0)
				continue;
			*msg = p->buf;
			*len = (size_t)n;
			if (i == 1 && ike_natt_strip(p->buf, (size_t)n, msg, len) == -1)
				continue;
			return 0;
		}
	}
}

/* Datagrams waiting now, thrown away; returns how many. */
static long long
probe_drain(struct probe *p, double wait)
{
	const uint8_t *m;
	size_t l;
	long long n = 0;

	while (probe_recv(p, wait, &m, &l) == 0)
		n++;
	return n;
}

/*
 * One exchange: sends s->req, retransmitting after 2 and 4 s, and feeds
 * the answers to ini_input() until it says more than IGNORE/WAIT.  The raw
 * answers (marker stripped) that were for s go to raw when not NULL.
 * Returns the last ini_rc, or -1 when nothing came back.
 */
static int
probe_xchg(struct probe *p, struct ini *s, struct dgrams *raw)
{
	const uint8_t *m;
	size_t l;
	double sent;
	int tries = 0;
	enum ini_rc rc;

	(void)req_send(&p->src, s);
	sent = now();
	for (;;) {
		if (probe_recv(p, sent + (double)(2 << tries) - now(), &m, &l) == -1) {
			if (++tries > 2)
				return -1;
			(void)req_send(&p->src, s);
			sent = now();
			continue;
		}
		if (l >= IKE_HDR_LEN && memcmp(m, s->spi_i, IKE_SPI_LEN) == 0 && raw)
			dgrams_add(raw, m, l);
		rc = ini_input(s, m, l);
		if (rc == INI_REPLY) {
			(void)src_send(&p->src, s->natt, &s->resp);
			continue;
		}
		if (rc != INI_IGNORE && rc != INI_WAIT)
			return (int)rc;
	}
}

/*
 * IKE_SA_INIT to the end, through COOKIE and INVALID_KE rounds: INI_SEND
 * with s->state == IS_AUTH when the IKE SA exists.  again (when not NULL)
 * receives the request that got the final answer, raw its answer.
 */
static int
probe_init(struct probe *p, struct ini *s, struct wbuf *again, struct dgrams *raw)
{
	int rc;

	do {
		if (again) {
			wbuf_reset(again);
			wbuf_put(again, s->req.data, s->req.len);
		}
		if (raw)
			dgrams_free(raw);
		rc = probe_xchg(p, s, raw);
	} while (rc == INI_SEND && s->state == IS_INIT);
	return rc;
}

/* Collects up to n answers for SPIi spi within wait seconds. */
static void
probe_collect(struct probe *p, const uint8_t *spi, size_t n, double wait, struct dgrams *out)
{
	double end = now() + wait;
	const uint8_t *m;
	size_t l;

	while (out->n < n && probe_recv(p, end - now(), &m, &l) == 0)
		if (l >= IKE_HDR_LEN && memcmp(m, spi, IKE_SPI_LEN) == 0)
			dgrams_add(out, m, l);
}

static void
probe_user(const struct conf *c, char *user, size_t ulen, char *pass, size_t plen)
{
	snprintf(user, ulen, "%s", c->user ? c->user : "");
	snprintf(pass, plen, "%s", c->password ? c->password : "");
	if (c->user_pat && pattern_expand(c->user_pat, c->index_base, user, ulen) == -1)
		die("--user-pattern: only %%d and %%%% may follow a %%");
	if (c->pass_pat && pattern_expand(c->pass_pat, c->index_base, pass, plen) == -1)
		die("--password-pattern: only %%d and %%%% may follow a %%");
}

static void
probe_ini(struct probe *p, struct ini *s)
{
	char user[256], pass[256];

	probe_user(p->c, user, sizeof(user), pass, sizeof(pass));
	if (ini_setup(s, p->c, user, p->c->mode == AM_EAP ? pass : NULL, p->src.local) == -1)
		die("%s", s->detail);
	explicit_bzero(pass, sizeof(pass));
}

static const char *
rc_text(int rc, const struct ini *s, char *buf, size_t len)
{
	if (rc == -1)
		snprintf(buf, len, "no answer");
	else if (rc == INI_FAIL)
		snprintf(buf, len, "%s (%s)", s->why ? s->why : "failed", s->detail);
	else
		snprintf(buf, len, "unexpected progress");
	return buf;
}

/* Runs an initiator to the end of its handshake, then deletes it. */
static int
probe_finish(struct probe *p, struct ini *s, int rc, const char *name)
{
	char a[INET_ADDRSTRLEN] = "-", t[300];

	while (rc == INI_SEND)
		rc = probe_xchg(p, s, NULL);
	if (rc != INI_DONE) {
		printf("probe %s: handshake not completed: %s\n", name, rc_text(rc, s, t, sizeof(t)));
		return -1;
	}
	if (s->have_vip)
		inet_ntop(AF_INET, &s->vip, a, sizeof(a));
	printf("probe %s: established, virtual IP %s\n", name, a);
	if (ini_delete(s) == INI_SEND && probe_xchg(p, s, NULL) == INI_DONE)
		printf("probe %s: deleted\n", name);
	return 0;
}

static int probe_retransmit_frag(struct probe *, size_t nfrag);

/*
 * retransmit: RFC 7296 2.1 — a retransmitted request gets the very same
 * answer.  The IKE_SA_INIT and the first IKE_AUTH are each sent twice.
 */
static int
probe_retransmit(struct probe *p)
{
	struct dgrams a1 = { 0 }, a2 = { 0 }, b1 = { 0 }, b2 = { 0 };
	struct wbuf again;
	struct ini s;
	char t[300];
	int rc, same_init, same_auth, status = 0;

	probe_ini(p, &s);
	wbuf_init(&again);
	if (ini_start(&s) != INI_SEND)
		die("%s", s.detail);
	if ((rc = probe_init(p, &s, &again, &a1)) != INI_SEND) {
		printf("probe retransmit: IKE_SA_INIT failed: %s\n", rc_text(rc, &s, t, sizeof(t)));
		status = rc == -1 ? 2 : 1;
		goto out;
	}
	(void)src_send(&p->src, s.c->natt, &again);
	probe_collect(p, s.spi_i, a1.n, 3, &a2);
	if (s.ncookies)
		printf("probe retransmit: (the responder asked for a cookie first)\n");
	same_init = dgrams_equal(&a1, &a2);
	printf("probe retransmit: IKE_SA_INIT %s (%zu/%zu datagrams, %zu bytes)\n",
	    same_init ? "identical" : a2.n ? "different" : "unanswered", a2.n, a1.n,
	    a1.n ? a1.len[0] : 0);

	wbuf_reset(&again);
	wbuf_put(&again, s.req.data, s.req.len);
	if ((rc = probe_xchg(p, &s, &b1)) != INI_SEND && rc != INI_DONE) {
		printf("probe retransmit: IKE_AUTH failed: %s\n", rc_text(rc, &s, t, sizeof(t)));
		status = rc == -1 ? 2 : 1;
		goto out;
	}
	(void)src_send(&p->src, s.natt, &again);
	probe_collect(p, s.spi_i, b1.n, 3, &b2);
	same_auth = dgrams_equal(&b1, &b2);
	printf("probe retransmit: IKE_AUTH %s (%zu/%zu datagrams)\n",
	    same_auth ? "identical" : b2.n ? "different" : "unanswered", b2.n, b1.n);
	if (!same_init || !same_auth)
		status = 1;
	if (probe_finish(p, &s, rc, "retransmit") == -1)
		status = status ? status : 1;
	rc = probe_retransmit_frag(p, 3);
	/* One SKF holding a whole message (Total Fragments 1): allowed, and
	   its plaintext is shorter than the datagram that carried it. */
	if (rc == 0)
		rc = probe_retransmit_frag(p, 1);
	status = status ? status : rc;
out:
	dgrams_free(&a1);
	dgrams_free(&a2);
	dgrams_free(&b1);
	dgrams_free(&b2);
	wbuf_free(&again);
	ini_free(&s);
	return status;
}

/*
 * RFC 7383 2.6.1: a retransmitted fragmented request makes the responder
 * resend its answer once, on the fragment numbered 1; the other fragments
 * of the retransmission are ignored.  The first IKE_AUTH goes out in nfrag
 * fragments, then all of them again.
 */
static int
probe_retransmit_frag(struct probe *p, size_t nfrag)
{
	struct dgrams frags = { 0 }, b1 = { 0 }, b2 = { 0 };
	struct ini s;
	size_t i, copies;
	char t[300];
	int rc, status = 0;

	probe_ini(p, &s);
	s.frag_req = nfrag;	/* taken by the first IKE_AUTH */
	if (ini_start(&s) != INI_SEND)
		die("%s", s.detail);
	if ((rc = probe_init(p, &s, NULL, NULL)) != INI_SEND) {
		printf("probe retransmit: IKE_SA_INIT failed: %s\n", rc_text(rc, &s, t, sizeof(t)));
		ini_free(&s);
		return rc == -1 ? 2 : 1;
	}
	if (s.nreq_frag == 0) {
		printf("probe retransmit: the responder did not offer fragmentation;"
		    " fragmented retransmission not checked\n");
		ini_free(&s);
		return 0;
	}
	for (i = 0; i < s.nreq_frag; i++)
		dgrams_add(&frags, s.req_frag[i].data, s.req_frag[i].len);
	if ((rc = probe_xchg(p, &s, &b1)) != INI_SEND && rc != INI_DONE) {
		printf("probe retransmit: fragmented IKE_AUTH failed: %s\n",
		    rc_text(rc, &s, t, sizeof(t)));
		status = rc == -1 ? 2 : 1;
		goto out;
	}
	for (i = 0; i < frags.n; i++)
		(void)send(p->src.fd[s.natt], frags.d[i], frags.len[i], 0);
	probe_collect(p, s.spi_i, MAX_FRAGS, 2, &b2);
	copies = b1.n ? b2.n / b1.n : 0;
	status = b2.n == b1.n && dgrams_equal(&b1, &b2) ? 0 : 1;
	printf("probe retransmit: IKE_AUTH in %zu fragment%s, retransmitted: answered %s"
	    " (%zu datagrams; the answer has %zu)\n", frags.n, frags.n == 1 ? "" : "s",
	    status == 0 ? "once, identical" : copies > 1 ? "MORE THAN ONCE" :
	    b2.n ? "differently" : "not at all", b2.n, b1.n);
	if (probe_finish(p, &s, rc, "retransmit") == -1)
		status = status ? status : 1;
out:
	dgrams_free(&frags);
	dgrams_free(&b1);
	dgrams_free(&b2);
	ini_free(&s);
	return status;
}

/* invalid-ke: SA offers group A, KE carries group B -> INVALID_KE_PAYLOAD(A) (1.2). */
static int
probe_invalid_ke(struct probe *p)
{
	uint16_t a = props_first_group(&p->c->ike), b = p->c->ke_group, want;
	struct ini s;
	char t[300];
	int rc, status;

	/* B: --ke-group, or a group other than the first one offered */
	if (b == 0)
		b = a == IKE_DH_ECP256 ? IKE_DH_MODP2048 : IKE_DH_ECP256;
	probe_ini(p, &s);
	s.no_retry = 1;
	s.ke_override = b;
	if (ini_start(&s) != INI_SEND)
		die("%s", s.detail);
	rc = probe_init(p, &s, NULL, NULL);
	if (rc == INI_FAIL && s.err_notify == IKE_N_INVALID_KE_PAYLOAD) {
		want = s.err_len == 2 ? (uint16_t)(s.err_data[0] << 8 | s.err_data[1]) : 0;
		status = props_have(&p->c->ike, IKE_XF_DH, want) && want != b ? 0 : 1;
		printf("probe invalid-ke: INVALID_KE_PAYLOAD group=%u %s (KE sent with %u %s)%s\n",
		    want, ike_transform_name(IKE_XF_DH, want), b, ike_transform_name(IKE_XF_DH, b),
		    status ? " NOT ONE WE OFFERED" : "");
	} else {
		printf("probe invalid-ke: no INVALID_KE_PAYLOAD: %s\n", rc_text(rc, &s, t, sizeof(t)));
		status = rc == -1 ? 2 : 1;
	}
	ini_free(&s);
	return status;
}

/*
 * no-proposal: the --ike-proposal list (by default legacy only) ->
 * NO_PROPOSAL_CHOSEN, or "accepted" with what the responder chose (then
 * the handshake is completed and deleted).
 */
static int
probe_no_proposal(struct probe *p)
{
	struct ini s;
	char t[300];
	int rc, status;

	probe_ini(p, &s);
	s.no_retry = 1;
	if (ini_start(&s) != INI_SEND)
		die("%s", s.detail);
	rc = probe_init(p, &s, NULL, NULL);
	if (rc == INI_FAIL && s.err_notify == IKE_N_NO_PROPOSAL_CHOSEN) {
		printf("probe no-proposal: NO_PROPOSAL_CHOSEN\n");
		status = 0;
	} else if (rc == INI_SEND) {
		printf("probe no-proposal: accepted %s/%s/%s/%s\n", s.encr->ea_name,
		    s.integ ? s.integ->ia_name : "AEAD", s.prf->pa_name,
		    ike_transform_name(IKE_XF_DH, s.group));
		status = 1;
		(void)probe_finish(p, &s, rc, "no-proposal");
	} else if (rc == INI_FAIL && s.err_notify == IKE_N_INVALID_KE_PAYLOAD) {
		printf("probe no-proposal: accepted (INVALID_KE_PAYLOAD: a proposal fits)\n");
		status = 1;
	} else {
		printf("probe no-proposal: %s\n", rc_text(rc, &s, t, sizeof(t)));
		status = rc == -1 ? 2 : 1;
	}
	ini_free(&s);
	return status;
}

/* critical: an unknown payload with the critical bit -> UNSUPPORTED_CRITICAL_PAYLOAD(type) (2.5). */
static int
probe_critical(struct probe *p)
{
	struct ini s;
	char t[300];
	int rc, status;

	probe_ini(p, &s);
	s.no_retry = 1;
	if (ini_start(&s) != INI_SEND)
		die("%s", s.detail);
	rc = probe_init(p, &s, NULL, NULL);
	if (rc == INI_FAIL && s.err_notify == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD) {
		status = s.err_len == 1 && s.err_data[0] == s.crit_type ? 0 : 1;
		printf("probe critical: UNSUPPORTED_CRITICAL_PAYLOAD type=%d (sent %u)\n",
		    s.err_len == 1 ? s.err_data[0] : -1, s.crit_type);
	} else {
		printf("probe critical: no UNSUPPORTED_CRITICAL_PAYLOAD: %s\n",
		    rc_text(rc, &s, t, sizeof(t)));
		status = rc == -1 ? 2 : 1;
	}
	ini_free(&s);
	return status;
}

/* ---------------------------------------------------------------- garbage */

/* The offsets of the payload generic headers of a plain message (no SK). */
static size_t
payload_offsets(const uint8_t *msg, size_t len, size_t *off, size_t max)
{
	size_t n = 0, o = IKE_HDR_LEN, pl;
	uint8_t next = len >= IKE_HDR_LEN ? msg[16] : 0;

	while (next != 0 && o + 4 <= len && n < max) {
		off[n++] = o;
		next = msg[o];
		pl = (size_t)msg[o + 2] << 8 | msg[o + 3];
		if (pl < 4)
			break;
		o += pl;
	}
	return n;
}

static void
put_hdr(uint8_t *b, const uint8_t *spi_i, const uint8_t *spi_r, uint8_t next, uint8_t exch,
    uint8_t flags, uint32_t msgid, uint32_t len)
{
	memcpy(b, spi_i, 8);
	memcpy(b + 8, spi_r, 8);
	b[16] = next;
	b[17] = IKE_VERSION;
	b[18] = exch;
	b[19] = flags;
	b[20] = (uint8_t)(msgid >> 24);
	b[21] = (uint8_t)(msgid >> 16);
	b[22] = (uint8_t)(msgid >> 8);
	b[23] = (uint8_t)msgid;
	b[24] = (uint8_t)(len >> 24);
	b[25] = (uint8_t)(len >> 16);
	b[26] = (uint8_t)(len >> 8);
	b[27] = (uint8_t)len;
}

/*
 * One garbage datagram of kind k into pkt (cap bytes); *natt picks the
 * port.  base is a well-formed IKE_SA_INIT, hs a real half-open IKE SA (keys
 * known) to aim authenticated-looking rubbish at.
 */
static size_t
garbage_make(int k, const struct wbuf *base, struct ini *hs, uint8_t *pkt, size_t cap,
    int *natt)
{
	size_t len = 0, i, n, offs[64], o;
	uint8_t spi_i[8], spi_r[8], next, plain[400];
	struct wbuf wb;

	*natt = (int)(rng() & 1);
	switch (k) {
	case 0:		/* random bytes */
	case 1:
		len = rng() % 1400;
		rng_bytes(pkt, len);
		*natt = k;
		break;
	case 2:		/* NAT-T marker, then random bytes */
		len = 4 + rng() % 1400;
		rng_bytes(pkt, len);
		memset(pkt, 0, 4);
		*natt = 1;
		break;
	case 3:		/* a valid message cut short */
		len = rng() % base->len;
		memcpy(pkt, base->data, len);
		break;
	case 4:		/* a wrong length field */
		memcpy(pkt, base->data, base->len);
		len = base->len;
		n = rng() % 3 == 0 ? (uint32_t)rng() : (uint32_t)(len + (rng() % 81) - 40);
		put_hdr(pkt, pkt, pkt + 8, pkt[16], pkt[18], pkt[19], 0, (uint32_t)n);
		break;
	case 5:		/* bit flips */
		memcpy(pkt, base->data, base->len);
		len = base->len;
		for (i = 1 + rng() % 8; i > 0; i--) {
			o = rng() % (len * 8);
			pkt[o / 8] ^= (uint8_t)(1u << (o % 8));
		}
		break;
	case 6:		/* a payload header rewritten: next type, critical bit or length */
		memcpy(pkt, base->data, base->len);
		len = base->len;
		if ((n = payload_offsets(pkt, len, offs, NELEM(offs))) == 0)
			break;
		o = offs[rng() % n];
		switch (rng() % 3) {
		case 0: pkt[o] = (uint8_t)rng(); break;
		case 1: pkt[o + 1] = (uint8_t)rng(); break;
		default: pkt[o + 2] = (uint8_t)rng(); pkt[o + 3] = (uint8_t)rng(); break;
		}
		break;
	case 7:		/* IKE_AUTH for an IKE SA that does not exist */
		rng_bytes(spi_i, 8);
		rng_bytes(spi_r, 8);
		len = IKE_HDR_LEN + 4 + 16 + rng() % 600;
		rng_bytes(pkt + IKE_HDR_LEN, len - IKE_HDR_LEN);
		put_hdr(pkt, spi_i, spi_r, IKE_PL_SK, IKE_AUTH, IKE_FLAG_INITIATOR, 1, (uint32_t)len);
		pkt[IKE_HDR_LEN] = IKE_PL_IDI;
		pkt[IKE_HDR_LEN + 1] = 0;
		pkt[IKE_HDR_LEN + 2] = (uint8_t)((len - IKE_HDR_LEN) >> 8);
		pkt[IKE_HDR_LEN + 3] = (uint8_t)(len - IKE_HDR_LEN);
		break;
	case 8:		/* the real half-open SA: SK with a body that cannot verify */
	case 9:		/* ... or SKF with random numbers */
		len = IKE_HDR_LEN + (k == 9 ? 8 : 4) + rng() % 700;
		rng_bytes(pkt + IKE_HDR_LEN, len - IKE_HDR_LEN);
		put_hdr(pkt, hs->spi_i, hs->spi_r, k == 9 ? IKE_PL_SKF : IKE_PL_SK,
		    rng() % 4 ? IKE_AUTH : (uint8_t)(IKE_SA_INIT + rng() % 4), IKE_FLAG_INITIATOR,
		    rng() % 4 ? 1 : (uint32_t)rng() % 8, (uint32_t)len);
		pkt[IKE_HDR_LEN + 1] = 0;
		pkt[IKE_HDR_LEN + 2] = (uint8_t)((len - IKE_HDR_LEN) >> 8);
		pkt[IKE_HDR_LEN + 3] = (uint8_t)(len - IKE_HDR_LEN);
		*natt = hs->natt;
		break;
	case 10:	/* "responses" nobody asked for */
		rng_bytes(spi_i, 8);
		rng_bytes(spi_r, 8);
		len = IKE_HDR_LEN + rng() % 200;
		rng_bytes(pkt + IKE_HDR_LEN, len - IKE_HDR_LEN);
		put_hdr(pkt, spi_i, rng() % 2 ? spi_r : hs->spi_r, (uint8_t)rng(),
		    (uint8_t)(IKE_SA_INIT + rng() % 4), IKE_FLAG_RESPONSE, (uint32_t)rng() % 4,
		    (uint32_t)len);
		break;
	case 11:	/* keepalives and tiny datagrams on the NAT-T port */
		len = rng() % 4;
		rng_bytes(pkt, len);
		if (len == 1 && rng() % 2)
			pkt[0] = 0xff;
		*natt = 1;
		break;
	case 12:	/* another IKE version */
		memcpy(pkt, base->data, base->len);
		len = base->len;
		pkt[17] = (uint8_t)rng();
		break;
	case 13:	/* a long chain of small unknown payloads (too many) */
		rng_bytes(spi_i, 8);
		memset(spi_r, 0, 8);
		n = 40 + rng() % 60;
		len = IKE_HDR_LEN + 4 * n;
		for (i = 0; i < n; i++) {
			o = IKE_HDR_LEN + 4 * i;
			pkt[o] = i + 1 < n ? (uint8_t)(128 + rng() % 100) : 0;
			pkt[o + 1] = 0;
			pkt[o + 2] = 0;
			pkt[o + 3] = 4;
		}
		put_hdr(pkt, spi_i, spi_r, (uint8_t)(128 + rng() % 100), IKE_SA_INIT,
		    IKE_FLAG_INITIATOR, 0, (uint32_t)len);
		break;
	default:	/* 14: properly encrypted rubbish inner payloads for hs */
		n = 8 + rng() % (sizeof(plain) - 8);
		rng_bytes(plain, n);
		if (rng() % 2) {	/* often a plausible first payload header */
			plain[0] = (uint8_t)(IKE_PL_SA + rng() % 16);
			plain[1] = 0;
			plain[2] = 0;
			plain[3] = (uint8_t)(8 + rng() % (n - 8 + 1));
		}
		next = rng() % 4 ? IKE_PL_IDI : (uint8_t)rng();
		wbuf_init(&wb);
		i = (size_t)hs->natt;
		hs->natt = 0;		/* the marker is added below */
		if (seal_raw(hs, &wb, IKE_AUTH, 0, 1, next, plain, n) == 0 && wb.len <= cap) {
			memcpy(pkt, wb.data, wb.len);
			len = wb.len;
		}
		hs->natt = (int)i;
		wbuf_free(&wb);
		*natt = hs->natt;
		break;
	}
	if (*natt && k != 1 && k != 2 && k != 11 && len + 4 <= cap) {
		memmove(pkt + 4, pkt, len);
		memset(pkt, 0, 4);
		len += 4;
	}
	return len;
}

static const char *const garbage_kinds[] = {
	"random/500", "random/4500", "marker+random", "truncated", "bad-length", "bit-flips",
	"payload-header", "unknown-SA", "SK-for-half-open", "SKF-for-half-open", "stray-response",
	"keepalive/tiny", "bad-version", "too-many-payloads", "encrypted-rubbish",
	"mutated-handshake",
};

/*
 * Kind 15: a real handshake up to a random request (the first IKE_AUTH or
 * an EAP round), which is sent once, well encrypted, with a few bytes of
 * its payload chain changed; this reaches past the decryption into the
 * exchange code.  Returns 1 when the request was sent.
 */
static int
garbage_handshake(struct probe *p)
{
	struct ini s;
	int step = 1 + (int)(rng() % 5), j, rc, sent = 0;

	probe_ini(p, &s);
	if (ini_start(&s) != INI_SEND)
		goto out;
	for (j = 1; j <= step; j++) {
		if (j == step)
			s.mutate = 1;	/* applies to the request built from this answer */
		rc = j == 1 ? probe_init(p, &s, NULL, NULL) : probe_xchg(p, &s, NULL);
		if (rc != INI_SEND) {
			s.mutate = 0;
			goto out;
		}
	}
	sent = src_send(&p->src, s.natt, &s.req) == 0;
	/* When the responder takes it, go on to the end: mutated SA, TS or CP
	   reach the CHILD SA and address code only in the last round. */
	rc = INI_IGNORE;
	while (rc == INI_IGNORE || rc == INI_WAIT) {
		const uint8_t *m;
		size_t l;

		if (probe_recv(p, 0.3, &m, &l) == -1)
			goto out;
		rc = ini_input(&s, m, l);
	}
	while (rc == INI_SEND)
		rc = probe_xchg(p, &s, NULL);
	if (rc == INI_DONE && ini_delete(&s) == INI_SEND)
		(void)probe_xchg(p, &s, NULL);
out:
	ini_free(&s);
	return sent;
}

/*
 * garbage: --count malformed datagrams (reproducible from --seed), then a
 * normal IKE_SA_INIT must still be answered ("alive").
 */
static int
probe_garbage(struct probe *p)
{
	const struct conf *c = p->c;
	uint16_t group = props_first_group(&c->ike);
	const struct ike_dh_group *dg = ike_dh_lookup(group);
	uint8_t spi[8], nonce[NONCE_LEN], ke[IKE_DH_PUB_MAX], pkt[4096];
	long long i, answers = 0, sent = 0, per[NELEM(garbage_kinds)];
	struct init_params ip;
	struct ini hs, s;
	struct wbuf base;
	char t[300];
	size_t len;
	int rc, natt, k, alive;

	memset(per, 0, sizeof(per));
	rng_seed((uint64_t)c->seed);
	/* A real half-open IKE SA to aim authenticated-looking rubbish at. */
	probe_ini(p, &hs);
	if (ini_start(&hs) != INI_SEND)
		die("%s", hs.detail);
	if ((rc = probe_init(p, &hs, NULL, NULL)) != INI_SEND) {
		printf("probe garbage: no IKE_SA_INIT answer before the garbage: %s\n",
		    rc_text(rc, &hs, t, sizeof(t)));
		ini_free(&hs);
		return 2;
	}
	/* A well-formed IKE_SA_INIT from the seed alone, to mutate. */
	rng_bytes(spi, sizeof(spi));
	rng_bytes(nonce, sizeof(nonce));
	rng_bytes(ke, dg->dg_publen);
	if (dg->dg_kind == IKE_DHK_MODP)
		ke[0] &= 0x7f;		/* below the prime */
	memset(&ip, 0, sizeof(ip));
	ip.spi_i = spi;
	ip.props = &c->ike;
	ip.ke_group = group;
	ip.ke = ke;
	ip.kelen = dg->dg_publen;
	ip.nonce = nonce;
	ip.noncelen = sizeof(nonce);
	ip.frag = 1;
	wbuf_init(&base);
	if (gen_init(&base, &ip) == -1)
		die("cannot build the base message");
	for (i = 0; i < c->count; i++) {
		k = (int)(rng() % NELEM(garbage_kinds));
		if (k == (int)NELEM(garbage_kinds) - 1) {
			/* a whole handshake per datagram: keep these to one in 8 */
			if (rng() % 8 == 0 && garbage_handshake(p)) {
				sent++;
				per[k]++;
			}
			continue;
		}
		len = garbage_make(k, &base, &hs, pkt, sizeof(pkt), &natt);
		if (send(p->src.fd[natt], pkt, len, 0) == (ssize_t)len) {
			sent++;
			per[k]++;
		}
		if (i % 32 == 31)
			answers += probe_drain(p, 0.002);
	}
	answers += probe_drain(p, 0.3);
	if (c->verbose)
		for (k = 0; k < (int)NELEM(garbage_kinds); k++)
			fprintf(stderr, "  %-20s %lld\n", garbage_kinds[k], per[k]);

	probe_ini(p, &s);
	if (ini_start(&s) != INI_SEND)
		die("%s", s.detail);
	rc = probe_init(p, &s, NULL, NULL);
	alive = rc == INI_SEND;
	printf("probe garbage: sent %lld datagrams (seed %lld), %lld answered; %s\n", sent, c->seed,
	    answers, alive ? "alive" : "NOT ALIVE");
	if (!alive)
		printf("probe garbage: a normal IKE_SA_INIT got: %s\n", rc_text(rc, &s, t, sizeof(t)));
	wbuf_free(&base);
	ini_free(&s);
	ini_free(&hs);
	return alive ? 0 : 2;
}

/* ---------------------------------------------------------------- flood */

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static volatile sig_atomic_t flood_stop;

static void
flood_signal(int sig)
{
	(void)sig;
	flood_stop = 1;
}

/*
 * flood: spoofed IKE_SA_INIT requests from random addresses of --spoof at
 * --rate per second, through a raw socket (IP_HDRINCL; root, and only ever
 * inside a test network namespace).  The answers go to the spoofed
 * addresses, never to us; the point is to push the responder into cookies.
 */
static int
probe_flood(struct probe *p)
{
	const struct conf *c = p->c;
	const struct sockaddr_in *dst = (const struct sockaddr_in *)&c->server;
	uint16_t group = props_first_group(&c->ike);
	uint8_t pub[IKE_DH_PUB_MAX], zero[NONCE_LEN], pkt[2048], pseudo[12];
	struct ike_dh_key *dh;
	struct init_params ip;
	struct ike_msg m;
	struct wbuf tmpl;
	const struct ike_pl *np;
	char buf[64], *sl;
	struct in_addr sa;
	uint32_t net, mask, src, sum;
	size_t publen, nonce_off, ikelen, tot;
	uint16_t sport;
	long long plen, sent = 0, k;
	double t0, t, end;
	struct timespec ts;
	struct sigaction sig;
	int fd;

	if (c->server.ss_family != AF_INET)
		die("flood: IPv4 only");
	snprintf(buf, sizeof(buf), "%s", c->spoof);
	if ((sl = strchr(buf, '/')) == NULL)
		die("--spoof: expected a prefix like 198.18.0.0/15");
	*sl++ = '\0';
	if (inet_pton(AF_INET, buf, &sa) != 1 || num_arg(sl, 8, 32, &plen) == -1)
		die("--spoof: bad prefix \"%s\"", c->spoof);
	mask = plen ? ~0u << (32 - plen) : 0;
	net = ntohl(sa.s_addr) & mask;
	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) == -1)
		die("raw socket: %s (the flood needs root, in a test namespace)", strerror(errno));

	/* One real public value: each spoofed request costs the responder a DH. */
	if ((dh = ike_dh_new(group)) == NULL || ike_dh_public(dh, pub, sizeof(pub), &publen) == -1)
		die("cannot make a %s key", ike_transform_name(IKE_XF_DH, group));
	ike_dh_free(dh);
	memset(zero, 0, sizeof(zero));
	memset(&ip, 0, sizeof(ip));
	ip.spi_i = zero;
	ip.props = &c->ike;
	ip.ke_group = group;
	ip.ke = pub;
	ip.kelen = publen;
	ip.nonce = zero;
	ip.noncelen = sizeof(zero);
	wbuf_init(&tmpl);
	ike_msg_init(&m);
	if (gen_init(&tmpl, &ip) == -1 || ike_msg_parse(&m, tmpl.data, tmpl.len) != IKE_PARSE_OK ||
	    (np = ike_msg_find(&m, IKE_PL_NONCE, NULL)) == NULL)
		die("cannot build the flood template");
	nonce_off = (size_t)(np->u.nonce.data - tmpl.data);
	ike_msg_free(&m);
	ikelen = tmpl.len;
	tot = 20 + 8 + ikelen;
	if (tot > sizeof(pkt))
		die("flood: template too large");

	/* SIGTERM/SIGINT end the flood with its summary line. */
	memset(&sig, 0, sizeof(sig));
	sig.sa_handler = flood_signal;
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	rng_seed((uint64_t)c->seed ^ (uint64_t)time(NULL));
	t0 = now();
	end = t0 + c->duration;
	for (k = 0; !flood_stop && (c->count <= 0 || k < c->count); k++) {
		t = now();
		if (c->duration > 0 && t >= end)
			break;
		/* pace: packet k leaves at t0 + k / rate */
		if (t0 + (double)k / (double)c->rate > t) {
			double d = t0 + (double)k / (double)c->rate - t;

			ts.tv_sec = (time_t)d;
			ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
		do {
			src = net | ((uint32_t)rng() & ~mask);
		} while (plen < 31 && ((src & ~mask) == 0 || (src & ~mask) == ~mask));
		memcpy(pkt + 28, tmpl.data, ikelen);
		rng_bytes(pkt + 28, 8);				/* SPIi */
		rng_bytes(pkt + 28 + nonce_off, 16);		/* Ni (half of it) */
		/* IPv4 header: the kernel fills in the checksum (and the ID when 0). */
		memset(pkt, 0, 28);
		pkt[0] = 0x45;
		pkt[2] = (uint8_t)(tot >> 8);
		pkt[3] = (uint8_t)tot;
		pkt[8] = 64;
		pkt[9] = IPPROTO_UDP;
		src = htonl(src);
		memcpy(pkt + 12, &src, 4);
		memcpy(pkt + 16, &dst->sin_addr, 4);
		/* UDP header and checksum over the pseudo header. */
		sport = (uint16_t)(1024 + rng() % 60000);
		pkt[20] = (uint8_t)(sport >> 8);
		pkt[21] = (uint8_t)sport;
		memcpy(pkt + 22, &dst->sin_port, 2);
		pkt[24] = (uint8_t)((8 + ikelen) >> 8);
		pkt[25] = (uint8_t)(8 + ikelen);
		memcpy(pseudo, pkt + 12, 8);
		pseudo[8] = 0;
		pseudo[9] = IPPROTO_UDP;
		pseudo[10] = pkt[24];
		pseudo[11] = pkt[25];
		sum = csum_add(csum_add(0, pseudo, sizeof(pseudo)), pkt + 20, 8 + ikelen);
		sum = csum_fold(sum);
		if (sum == 0)
			sum = 0xffff;
		pkt[26] = (uint8_t)(sum >> 8);
		pkt[27] = (uint8_t)sum;
		if (sendto(fd, pkt, tot, 0, (const struct sockaddr *)dst, sizeof(*dst)) == (ssize_t)tot)
			sent++;
	}
	t = now() - t0;
	printf("probe flood: sent %lld spoofed IKE_SA_INIT from %s in %.1f s (%.0f/s)%s\n", sent,
	    c->spoof, t, t > 0 ? (double)sent / t : 0.0, flood_stop ? ", stopped by a signal" : "");
	wbuf_free(&tmpl);
	close(fd);
	return sent > 0 ? 0 : 2;
}

/* ================================================================ main */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ikeload --server IP[:PORT] [options]            load test / benchmark\n"
"       ikeload probe NAME --server IP[:PORT] [options]  protocol probe\n"
"\n"
"Load test: --clients N handshakes (IKE_SA_INIT + IKE_AUTH with EAP-MSCHAPv2,\n"
"or PSK with --psk), at most --concurrency C at once, each asking for a\n"
"virtual IPv4 address; prints a summary (--json: one JSON object).  Exit 0\n"
"when every client got established.\n"
"\n"
"  --server IP[:PORT]       responder (IKE port, default 500)\n"
"  --natt-port PORT         its NAT-T port (default 4500)\n"
"  --natt                   start on the NAT-T port with the non-ESP marker\n"
"  --sources A/LEN/N        N local addresses from A (inside A/LEN), round robin\n"
"  --source-list FILE       local addresses, one per line\n"
"  --clients N              total handshakes (default 1)\n"
"  --concurrency C          handshakes in flight at once (default 10)\n"
"  --user NAME, --password PW            one EAP identity for all\n"
"  --user-pattern P, --password-pattern P  per client; %%d = client number\n"
"  --index-base N           number of the first client (default 1)\n"
"  --psk SECRET             PSK authentication instead of EAP\n"
"  --id ID                  IDi (default: the user name)\n"
"  --remote-id ID           require this IDr\n"
"  --ca FILE                CA(s) the responder's certificate must chain to (EAP)\n"
"  --ike-proposal P         e.g. aes256gcm16-prfsha256-modp2048 (default),\n"
"                           aes128-sha256-x25519, 3des-sha1-modp1024; ',' separates proposals\n"
"  --esp-proposal P         e.g. aes256gcm16,aes256-sha256 (default)\n"
"  --timeout S              give up on a handshake after S seconds (default 10);\n"
"                           requests are retransmitted after 1, 2, 4, ... s\n"
"  --hold S                 keep the SAs S seconds after the last handshake\n"
"                           (answering liveness checks)\n"
"  --delete                 delete each IKE SA: at once, or after --hold\n"
"  --no-frag                do not announce IKEV2_FRAGMENTATION_SUPPORTED\n"
"  --no-cp                  ask for no virtual address\n"
"  --banner                 also ask for the login banner (UNITY_BANNER); printed in --json\n"
"  --json                   JSON summary\n"
"  -v, --verbose            one line per client on stderr\n"
"\n"
"Probes (one line each, \"probe NAME: ...\"; exit 0 = the expected answer):\n"
"  retransmit    IKE_SA_INIT and the first IKE_AUTH sent twice: answers \"identical\"?\n"
"  invalid-ke    SA with the --ike-proposal group, KE with --ke-group G\n"
"                -> INVALID_KE_PAYLOAD naming an offered group\n"
"  no-proposal   --ike-proposal (default 3des-sha1-modp1024) -> NO_PROPOSAL_CHOSEN,\n"
"                or \"accepted\" (then the handshake is completed and deleted)\n"
"  critical      unknown payload --type T (default 200) with the critical bit\n"
"                -> UNSUPPORTED_CRITICAL_PAYLOAD with that type\n"
"  garbage       --count N malformed datagrams (--seed S) to both ports, then a\n"
"                normal IKE_SA_INIT must be answered (\"alive\")\n"
"  flood         spoofed IKE_SA_INIT from --spoof PREFIX (default 198.18.0.0/15)\n"
"                at --rate R/s for --duration S (or --count N); raw socket, root,\n"
"                test namespaces only\n");
}

enum {
	O_SERVER = 256, O_NATT_PORT, O_NATT, O_SOURCES, O_SOURCE_LIST, O_CLIENTS, O_CONC,
	O_USER, O_PASSWORD, O_USER_PAT, O_PASS_PAT, O_INDEX, O_PSK, O_ID, O_REMOTE_ID, O_CA,
	O_IKE, O_ESP, O_TIMEOUT, O_HOLD, O_DELETE, O_NO_FRAG, O_NO_CP, O_BANNER, O_JSON, O_KE_GROUP,
	O_TYPE, O_COUNT, O_SEED, O_RATE, O_DURATION, O_SPOOF,
};

static const struct option long_opts[] = {
	{ "server",		required_argument, NULL, O_SERVER },
	{ "natt-port",		required_argument, NULL, O_NATT_PORT },
	{ "natt",		no_argument,	   NULL, O_NATT },
	{ "sources",		required_argument, NULL, O_SOURCES },
	{ "source-list",	required_argument, NULL, O_SOURCE_LIST },
	{ "clients",		required_argument, NULL, O_CLIENTS },
	{ "concurrency",	required_argument, NULL, O_CONC },
	{ "user",		required_argument, NULL, O_USER },
	{ "password",		required_argument, NULL, O_PASSWORD },
	{ "user-pattern",	required_argument, NULL, O_USER_PAT },
	{ "password-pattern",	required_argument, NULL, O_PASS_PAT },
	{ "index-base",		required_argument, NULL, O_INDEX },
	{ "psk",		required_argument, NULL, O_PSK },
	{ "id",			required_argument, NULL, O_ID },
	{ "remote-id",		required_argument, NULL, O_REMOTE_ID },
	{ "ca",			required_argument, NULL, O_CA },
	{ "ike-proposal",	required_argument, NULL, O_IKE },
	{ "esp-proposal",	required_argument, NULL, O_ESP },
	{ "timeout",		required_argument, NULL, O_TIMEOUT },
	{ "hold",		required_argument, NULL, O_HOLD },
	{ "delete",		no_argument,	   NULL, O_DELETE },
	{ "no-frag",		no_argument,	   NULL, O_NO_FRAG },
	{ "no-cp",		no_argument,	   NULL, O_NO_CP },
	{ "banner",		no_argument,	   NULL, O_BANNER },
	{ "json",		no_argument,	   NULL, O_JSON },
	{ "ke-group",		required_argument, NULL, O_KE_GROUP },
	{ "type",		required_argument, NULL, O_TYPE },
	{ "count",		required_argument, NULL, O_COUNT },
	{ "seed",		required_argument, NULL, O_SEED },
	{ "rate",		required_argument, NULL, O_RATE },
	{ "duration",		required_argument, NULL, O_DURATION },
	{ "spoof",		required_argument, NULL, O_SPOOF },
	{ "verbose",		no_argument,	   NULL, 'v' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A group by name ("ecp256") or number ("19"). */
static uint16_t
group_arg(const char *s)
{
	long long v;
	size_t k;

	if (num_arg(s, 1, 65535, &v) == 0 && ike_dh_lookup((uint16_t)v))
		return (uint16_t)v;
	for (k = 0; k < NELEM(toks); k++)
		if (toks[k].type == IKE_XF_DH && strcasecmp(s, toks[k].name) == 0)
			return toks[k].id;
	die("--ke-group: unknown group \"%s\"", s);
}

static X509_STORE *
ca_load(const char *path)
{
	X509_STORE *st = X509_STORE_new();

	if (st == NULL || X509_STORE_load_file(st, path) != 1)
		die("--ca %s: cannot load certificates", path);
	return st;
}

int
main(int argc, char **argv)
{
	struct conf c;
	const char *probe = NULL, *ike = NULL, *esp = "aes256gcm16,aes256-sha256", *server = NULL;
	char err[200];
	long long v;
	int o, rc;
	struct probe *p;
	struct src *srcs;
	size_t nsrcs, i;
	int full;

	if (argc > 1 && strcmp(argv[1], "probe") == 0) {
		if (argc < 3 || argv[2][0] == '-')
			die("probe: which one? retransmit, invalid-ke, no-proposal, critical, garbage, flood");
		probe = argv[2];
		argv += 2;
		argc -= 2;
	}
	memset(&c, 0, sizeof(c));
	c.natt_port = IKE_NATT_PORT;
	c.index_base = 1;
	c.clients = 1;
	c.concurrency = 10;
	c.timeout = 10;
	c.frag = 1;
	c.cp = 1;
	c.count = -1;
	c.seed = 1;
	c.rate = 1000;
	c.duration = -1;
	c.spoof = "198.18.0.0/15";
	while ((o = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (o) {
		case O_SERVER:		server = optarg; break;
		case O_NATT_PORT:
			if (num_arg(optarg, 1, 65535, &v) == -1)
				die("--natt-port: bad port");
			c.natt_port = (uint16_t)v;
			break;
		case O_NATT:		c.natt = 1; break;
		case O_SOURCES:		c.sources = optarg; break;
		case O_SOURCE_LIST:	c.source_list = optarg; break;
		case O_CLIENTS:
			if (num_arg(optarg, 1, 100000000, &v) == -1)
				die("--clients: 1 to 100000000");
			c.clients = (size_t)v;
			break;
		case O_CONC:
			if (num_arg(optarg, 1, 1000000, &v) == -1)
				die("--concurrency: 1 to 1000000");
			c.concurrency = (size_t)v;
			break;
		case O_USER:		c.user = optarg; break;
		case O_PASSWORD:	c.password = optarg; break;
		case O_USER_PAT:	c.user_pat = optarg; break;
		case O_PASS_PAT:	c.pass_pat = optarg; break;
		case O_INDEX:
			if (num_arg(optarg, 0, LLONG_MAX / 2, &c.index_base) == -1)
				die("--index-base: a number >= 0");
			break;
		case O_PSK:		c.psk = optarg; c.mode = AM_PSK; break;
		case O_ID:		c.id = optarg; break;
		case O_REMOTE_ID:	c.remote_id = optarg; break;
		case O_CA:		c.ca = ca_load(optarg); break;
		case O_IKE:		ike = optarg; break;
		case O_ESP:		esp = optarg; break;
		case O_TIMEOUT:		c.timeout = secs_arg("--timeout", optarg, 0.1, 86400); break;
		case O_HOLD:		c.hold = secs_arg("--hold", optarg, 0, 86400 * 30); break;
		case O_DELETE:		c.del = 1; break;
		case O_NO_FRAG:		c.frag = 0; break;
		case O_NO_CP:		c.cp = 0; break;
		case O_BANNER:		c.banner = 1; break;
		case O_JSON:		c.json = 1; break;
		case O_KE_GROUP:	c.ke_group = group_arg(optarg); break;
		case O_TYPE:
			if (num_arg(optarg, 1, 255, &v) == -1)
				die("--type: a payload type 1..255");
			c.crit_type = (uint8_t)v;
			break;
		case O_COUNT:
			if (num_arg(optarg, 1, LLONG_MAX, &c.count) == -1)
				die("--count: a number >= 1");
			break;
		case O_SEED:
			if (num_arg(optarg, 0, LLONG_MAX, &c.seed) == -1)
				die("--seed: a number >= 0");
			break;
		case O_RATE:
			if (num_arg(optarg, 1, 10000000, &c.rate) == -1)
				die("--rate: 1 to 10000000 per second");
			break;
		case O_DURATION:	c.duration = secs_arg("--duration", optarg, 0.1, 86400); break;
		case O_SPOOF:		c.spoof = optarg; break;
		case 'v':		c.verbose = 1; break;
		case 'h':		usage(stdout); return 0;
		default:		usage(stderr); return 2;
		}
	}
	if (optind != argc)
		die("unexpected argument \"%s\" (see --help)", argv[optind]);
	if (server == NULL)
		die("--server is required (see --help)");
	if (parse_hostport(server, IKE_PORT, &c.server) == -1)
		die("--server: bad address \"%s\"", server);
	if (ike == NULL)
		ike = probe && strcmp(probe, "no-proposal") == 0 ? "3des-sha1-prfsha1-modp1024" :
		    "aes256gcm16-prfsha256-modp2048";
	if (props_parse(ike, 0, &c.ike, err, sizeof(err)) == -1)
		die("--ike-proposal: %s", err);
	if (props_parse(esp, 1, &c.esp, err, sizeof(err)) == -1)
		die("--esp-proposal: %s", err);
	if (c.user && c.user_pat)
		die("--user and --user-pattern exclude each other");
	if (c.password && c.pass_pat)
		die("--password and --password-pattern exclude each other");
	/* A load run and the retransmit probe finish handshakes: they need a
	   real identity.  The other probes stop early and make one up. */
	full = probe == NULL || strcmp(probe, "retransmit") == 0;
	if (c.mode == AM_PSK && strlen(c.psk) == 0)
		die("--psk: empty");
	if (full && !(c.user || c.user_pat || c.id))
		die("no identity: give --user, --user-pattern or --id");
	if (full && c.mode == AM_EAP && (!(c.user || c.user_pat) || !(c.password || c.pass_pat)))
		die("EAP needs --user/--user-pattern and --password/--password-pattern"
		    " (or use --psk)");
	if (full && c.mode == AM_EAP && c.ca == NULL)
		fprintf(stderr, "%s: no --ca: the responder's signature is checked, its "
		    "certificate chain is not\n", progname);
	if (!(c.user || c.user_pat || c.id))
		c.user = "ikeload";
	if (c.mode == AM_EAP && !(c.password || c.pass_pat))
		c.password = "ikeload";

	if (probe == NULL) {
		rc = run_load(&c);
		goto out;
	}

	if (strcmp(probe, "flood") == 0) {
		if (c.duration < 0 && c.count < 0)
			c.duration = 5;
		if ((p = calloc(1, sizeof(*p))) == NULL)
			die("out of memory");
		p->c = &c;
		rc = probe_flood(p);
		free(p);
		goto out;
	}
	if (c.count < 0)
		c.count = 1000;
	if (strcmp(probe, "critical") == 0 && c.crit_type == 0)
		c.crit_type = 200;
	if (strcmp(probe, "critical") != 0)
		c.crit_type = 0;
	sources_make(&c, &srcs, &nsrcs);
	if ((p = calloc(1, sizeof(*p))) == NULL)
		die("out of memory");
	p->c = &c;
	p->src = srcs[0];
	for (i = 1; i < nsrcs; i++)
		src_close(&srcs[i]);
	free(srcs);
	if (strcmp(probe, "retransmit") == 0)
		rc = probe_retransmit(p);
	else if (strcmp(probe, "invalid-ke") == 0)
		rc = probe_invalid_ke(p);
	else if (strcmp(probe, "no-proposal") == 0)
		rc = probe_no_proposal(p);
	else if (strcmp(probe, "critical") == 0)
		rc = probe_critical(p);
	else if (strcmp(probe, "garbage") == 0)
		rc = probe_garbage(p);
	else
		die("unknown probe \"%s\" (see --help)", probe);
	src_close(&p->src);
	free(p);
out:
	EVP_PKEY_free(cert_cache.pub);
	free(cert_cache.der);
	X509_STORE_free(c.ca);
	fflush(stdout);
	return rc;
}
