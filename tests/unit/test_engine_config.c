/*
 * test_engine_config — engine.json parsing (engine/config.c): a full
 * road-warrior configuration, every default, and one test per class of
 * error asserting the exact "path: message" lines.
 *
 * The PKI is made at test time with OpenSSL (P-256 keys): a CA, a server
 * certificate it signs, a CRL it signs, and a second CA whose CRL must be
 * refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "engine/config.h"
#include "engine/ike/ike.h"

/* ------------------------------------------------------------ PKI */

struct pki {
	char	*ca;		/* CA certificate */
	char	*ca_crl;	/* CRL signed by the CA */
	char	*server;	/* server certificate, signed by the CA */
	char	*server_key;
	char	*other_key;	/* matches nothing */
	char	*other_crl;	/* CRL of another CA with the same name */
};

static struct pki pki;

static EVP_PKEY *
new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static X509 *
new_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	assert_non_null(x);
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"ikegw test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name);
	X509_NAME_free(name);
	X509_set_pubkey(x, key);
	if (ca) {
		add_ext(x, issuer != NULL ? issuer : x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer != NULL ? issuer : x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
		add_ext(x, issuer, NID_subject_alt_name, "DNS:vpn.example.com");
		add_ext(x, issuer, NID_ext_key_usage, "serverAuth,1.3.6.1.5.5.8.2.2");
	}
	assert_true(X509_sign(x, issuer_key, EVP_sha256()) > 0);
	return x;
}

static X509_CRL *
new_crl(X509 *ca, EVP_PKEY *key)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();

	assert_non_null(crl);
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_gmtime_adj(t, 0);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, 86400);
	X509_CRL_set1_nextUpdate(crl, t);
	ASN1_TIME_free(t);
	assert_true(X509_CRL_sign(crl, key, EVP_sha256()) > 0);
	return crl;
}

static char *
bio_text(BIO *b)
{
	char *data, *s;
	long len = BIO_get_mem_data(b, &data);

	s = calloc(1, (size_t)len + 1);
	assert_non_null(s);
	memcpy(s, data, (size_t)len);
	BIO_free(b);
	return s;
}

static char *
cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	return bio_text(b);
}

static char *
key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	return bio_text(b);
}

static char *
crl_pem(X509_CRL *c)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_int_equal(PEM_write_bio_X509_CRL(b, c), 1);
	return bio_text(b);
}

static int
make_pki(void **state)
{
	EVP_PKEY *cak = new_key(), *sk = new_key(), *ok = new_key();
	X509 *ca = new_cert("ikegw test CA", cak, NULL, cak, 1);
	X509 *srv = new_cert("vpn.example.com", sk, ca, cak, 0);
	X509 *other = new_cert("ikegw test CA", ok, NULL, ok, 1);
	X509_CRL *crl = new_crl(ca, cak), *ocrl = new_crl(other, ok);

	pki.ca = cert_pem(ca);
	pki.ca_crl = crl_pem(crl);
	pki.server = cert_pem(srv);
	pki.server_key = key_pem(sk);
	pki.other_key = key_pem(ok);
	pki.other_crl = crl_pem(ocrl);
	X509_CRL_free(crl);
	X509_CRL_free(ocrl);
	X509_free(ca);
	X509_free(srv);
	X509_free(other);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ok);
	return 0;
}

static int
free_pki(void **state)
{
	free(pki.ca);
	free(pki.ca_crl);
	free(pki.server);
	free(pki.server_key);
	free(pki.other_key);
	free(pki.other_crl);
	return 0;
}

/* ------------------------------------------------------------ documents */

/* The road-warrior example of docs/engine-config.md, PEMs filled in. */
static const char full_json[] =
"{\n"
"  \"version\": 1,\n"
"  \"listen\": [\"192.0.2.1\", \"2001:db8::1\"],\n"
"  \"ike_port\": 500,\n"
"  \"natt_port\": 4500,\n"
"  \"control_socket\": \"/run/ikegwd/control.sock\",\n"
"  \"leases_file\": \"/var/lib/ikegw/leases.json\",\n"
"  \"kernel\": { \"backend\": \"xfrm\" },\n"
"  \"legacy_clients\": false,\n"
"  \"server\": { \"certificate\": \"\", \"chain\": \"\", \"private_key\": \"\" },\n"
"  \"cas\": [ { \"name\": \"ikegw-ca\", \"certificate\": \"\", \"crl\": \"\" } ],\n"
"  \"pools\": [ {\n"
"    \"name\": \"mobile\",\n"
"    \"ipv4\": \"10.10.10.0/24\",\n"
"    \"ipv6\": \"fd00:10::/112\",\n"
"    \"dns\": [\"10.1.0.53\", \"fd00:1::53\"],\n"
"    \"domain\": \"corp.example.com\",\n"
"    \"split_dns\": [\"corp.example.com\", \"lab.example.com\"],\n"
"    \"split_include\": [\"10.1.0.0/16\", \"fd00:1::/64\"]\n"
"  } ],\n"
"  \"users\": [\n"
"    { \"name\": \"alice\", \"nt_hash\": \"8846F7EAEE8FB117AD06BDD830B7586C\",\n"
"      \"groups\": [\"vpn\"] },\n"
"    { \"name\": \"bob\", \"nt_hash\": \"32ed87bdb5fdc5e9cba88547376818d4\",\n"
"      \"groups\": [\"vpn\", \"admins\"],\n"
"      \"cert_ids\": [\"C=US, O=ikegw test, CN=bob\", \"bob@example.com\"] },\n"
"    { \"name\": \"mallory\", \"nt_hash\": \"00112233445566778899aabbccddeeff\" }\n"
"  ],\n"
"  \"phase1\": [ {\n"
"    \"name\": \"mobile\",\n"
"    \"auth\": \"eap-mschapv2\",\n"
"    \"local_id\": { \"type\": \"fqdn\", \"value\": \"vpn.example.com\" },\n"
"    \"proposals\": [\n"
"      { \"encryption\": \"aes-gcm-16\", \"key_length\": 256,\n"
"        \"prf\": \"hmac-sha2-256\", \"dh\": \"ecp256\" },\n"
"      { \"encryption\": \"aes-cbc\", \"key_length\": 256,\n"
"        \"integrity\": \"hmac-sha2-256-128\", \"prf\": \"hmac-sha2-256\",\n"
"        \"dh\": \"modp2048\" }\n"
"    ],\n"
"    \"lifetime\": 28800,\n"
"    \"dpd_delay\": 30,\n"
"    \"groups\": [\"vpn\"],\n"
"    \"pool\": \"mobile\",\n"
"    \"phase2\": [\n"
"      { \"name\": \"full-tunnel\",\n"
"        \"local_ts\": [\"0.0.0.0/0\", \"::/0\"],\n"
"        \"proposals\": [\n"
"          { \"encryption\": \"aes-gcm-16\", \"key_length\": 256 },\n"
"          { \"encryption\": \"aes-cbc\", \"key_length\": 128,\n"
"            \"integrity\": \"hmac-sha2-256-128\", \"dh\": \"none\" }\n"
"        ],\n"
"        \"lifetime\": 3600 },\n"
"      { \"name\": \"lan\",\n"
"        \"local_ts\": [\"10.1.0.0/16\"],\n"
"        \"proposals\": [ { \"encryption\": \"chacha20-poly1305\", \"dh\": 31, \"esn\": true } ],\n"
"        \"life_bytes\": 1000000000, \"life_packets\": 5000000 }\n"
"    ]\n"
"  } ],\n"
"  \"firewall\": { \"interfaces\": { \"wan\": \"eth0\" }, \"rules\": { \"wan\": [] } }\n"
"}\n";

/* The PSK example of docs/engine-config.md: every default left out. */
static const char psk_json[] =
"{\n"
"  \"version\": 1,\n"
"  \"control_socket\": \"/run/ikegwd/control.sock\",\n"
"  \"leases_file\": \"/var/lib/ikegw/leases.json\",\n"
"  \"psk\": \"correct horse battery staple\",\n"
"  \"phase1\": [ {\n"
"    \"name\": \"site\",\n"
"    \"auth\": \"psk\",\n"
"    \"local_id\": { \"type\": \"ipv4\", \"value\": \"192.0.2.1\" },\n"
"    \"proposals\": [ { \"encryption\": \"aes-cbc\", \"key_length\": 128,\n"
"      \"integrity\": \"hmac-sha2-256-128\", \"prf\": \"hmac-sha2-256\", \"dh\": \"curve25519\" } ],\n"
"    \"phase2\": [ { \"name\": \"lan\", \"local_ts\": [\"10.1.0.0/24\"],\n"
"      \"proposals\": [ { \"encryption\": \"aes-gcm-16\", \"key_length\": 128 } ] } ]\n"
"  } ]\n"
"}\n";

static json_t *
parse(const char *text)
{
	json_error_t e;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &e);

	if (doc == NULL)
		fail_msg("test JSON: line %d: %s", e.line, e.text);
	return doc;
}

static json_t *
full_doc(void)
{
	json_t *doc = parse(full_json), *server, *ca;

	server = json_object_get(doc, "server");
	json_object_set_new(server, "certificate", json_string(pki.server));
	json_object_set_new(server, "chain", json_string(pki.ca));
	json_object_set_new(server, "private_key", json_string(pki.server_key));
	ca = json_array_get(json_object_get(doc, "cas"), 0);
	json_object_set_new(ca, "certificate", json_string(pki.ca));
	json_object_set_new(ca, "crl", json_string(pki.ca_crl));
	return doc;
}

/* Walks a path like "phase1.0.proposals.1" (numbers index arrays). */
static json_t *
at(json_t *doc, const char *path)
{
	char buf[256], *tok, *save = NULL;
	json_t *v = doc;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL; tok = strtok_r(NULL, ".", &save)) {
		if (json_is_array(v))
			v = json_array_get(v, (size_t)atoi(tok));
		else
			v = json_object_get(v, tok);
		if (v == NULL)
			fail_msg("no %s in the test document", path);
	}
	return v;
}

/* Sets (or, with NULL, deletes) key in the object at path, from JSON text. */
static void
set(json_t *doc, const char *path, const char *key, const char *value)
{
	json_t *obj = path[0] != '\0' ? at(doc, path) : doc;

	json_t *v = value != NULL ? json_loads(value, JSON_DECODE_ANY, NULL) : NULL;

	if (value != NULL && v == NULL)
		fail_msg("test JSON: %s", value);
	if (json_is_array(obj))
		assert_int_equal(json_array_set_new(obj, (size_t)atoi(key), v), 0);
	else if (value == NULL)
		json_object_del(obj, key);
	else
		json_object_set_new(obj, key, v);
}

static struct ike_config *
load_ok(json_t *doc)
{
	struct ike_config_errors errs = { 0 };
	struct ike_config *cfg = NULL;
	size_t i;

	if (ike_config_load_json(doc, &cfg, &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			print_error("  %s\n", errs.v[i]);
		ike_config_errors_free(&errs);
		fail_msg("the document should load");
	}
	assert_int_equal(errs.n, 0);
	return cfg;
}

/* Loads doc (then drops it), which must fail with exactly the lines want. */
static void
expect(json_t *doc, const char *const *want)
{
	struct ike_config_errors errs = { 0 };
	struct ike_config *cfg = NULL;
	size_t i, n;
	int bad = 0;

	assert_int_equal(ike_config_load_json(doc, &cfg, &errs), -1);
	assert_null(cfg);
	json_decref(doc);
	for (n = 0; want[n] != NULL; n++)
		;
	if (errs.n != n)
		bad = 1;
	for (i = 0; i < n && i < errs.n; i++)
		if (strcmp(errs.v[i], want[i]) != 0)
			bad = 1;
	if (bad) {
		for (i = 0; i < errs.n; i++)
			print_error("  got:  %s\n", errs.v[i]);
		for (i = 0; i < n; i++)
			print_error("  want: %s\n", want[i]);
	}
	ike_config_errors_free(&errs);
	assert_false(bad);
}

#define EXPECT(doc, ...) do {						\
	const char *const want_[] = { __VA_ARGS__, NULL };		\
	expect((doc), want_);						\
} while (0)

static void
check_net(const struct cfg_net *n, const char *want)
{
	char text[64];

	cfg_net_str(n, text, sizeof(text));
	assert_string_equal(text, want);
}

/* ------------------------------------------------------------ valid */

static void
test_full(void **state)
{
	json_t *doc = full_doc();
	struct ike_config *cfg = load_ok(doc);
	const struct cfg_phase1 *p1;
	const struct cfg_phase2 *p2;
	const struct cfg_pool *pool;
	const struct cfg_user *u;
	static const uint8_t alice_hash[16] = { 0x88, 0x46, 0xf7, 0xea, 0xee, 0x8f,
	    0xb1, 0x17, 0xad, 0x06, 0xbd, 0xd8, 0x30, 0xb7, 0x58, 0x6c };

	assert_ptr_equal(cfg->json, doc);
	assert_null(cfg->path);
	assert_int_equal(cfg->nlisten, 2);
	check_net(&cfg->listen[0], "192.0.2.1/32");
	check_net(&cfg->listen[1], "2001:db8::1/128");
	assert_int_equal(cfg->ike_port, 500);
	assert_int_equal(cfg->natt_port, 4500);
	assert_string_equal(cfg->control_socket, "/run/ikegwd/control.sock");
	assert_string_equal(cfg->leases_file, "/var/lib/ikegw/leases.json");
	assert_string_equal(cfg->kernel_backend, "xfrm");
	assert_string_equal(cfg->tun_name, "ipsec0");
	assert_string_equal(cfg->server_cert_pem, pki.server);
	assert_string_equal(cfg->server_chain_pem, pki.ca);
	assert_string_equal(cfg->server_key_pem, pki.server_key);
	assert_null(cfg->psk);
	assert_int_equal(cfg->ncas, 1);
	assert_string_equal(cfg->cas[0].name, "ikegw-ca");
	assert_string_equal(cfg->cas[0].crl_pem, pki.ca_crl);
	assert_true(json_is_object(cfg->firewall));

	assert_int_equal(cfg->npools, 1);
	pool = ike_config_pool(cfg, "mobile");
	assert_ptr_equal(pool, &cfg->pools[0]);
	assert_null(ike_config_pool(cfg, "Mobile"));
	check_net(&pool->v4, "10.10.10.0/24");
	check_net(&pool->v6, "fd00:10::/112");
	assert_int_equal(pool->ndns, 2);
	check_net(&pool->dns[1], "fd00:1::53/128");
	assert_string_equal(pool->domain, "corp.example.com");
	assert_int_equal(pool->nsplit_dns, 2);
	assert_string_equal(pool->split_dns[1], "lab.example.com");
	assert_int_equal(pool->nsplit_include, 2);
	check_net(&pool->split_include[0], "10.1.0.0/16");

	assert_int_equal(cfg->nusers, 3);
	u = ike_config_user(cfg, "ALICE");
	assert_ptr_equal(u, &cfg->users[0]);
	assert_int_equal(u->has_nt_hash, 1);
	assert_memory_equal(u->nt_hash, alice_hash, 16);
	assert_ptr_equal(ike_config_user(cfg, "bob"), &cfg->users[1]);
	assert_ptr_equal(ike_config_user(cfg, "mallory"), &cfg->users[2]);
	assert_null(ike_config_user(cfg, "eve"));
	assert_int_equal(cfg->users[1].ncert_ids, 2);
	assert_string_equal(cfg->users[1].cert_ids[1], "bob@example.com");

	assert_int_equal(cfg->nphase1, 1);
	p1 = &cfg->phase1[0];
	assert_string_equal(p1->name, "mobile");
	assert_int_equal(p1->enabled, 1);
	assert_int_equal(p1->auth, CFG_AUTH_EAP_MSCHAPV2);
	assert_int_equal(p1->local_id.type, CFG_ID_FQDN);
	assert_string_equal(p1->local_id.value, "vpn.example.com");
	assert_int_equal(p1->nproposals, 2);
	assert_int_equal(p1->proposals[0].encr, IKE_ENCR_AES_GCM_16);
	assert_int_equal(p1->proposals[0].encr_bits, 256);
	assert_int_equal(p1->proposals[0].integ, IKE_INTEG_NONE);
	assert_int_equal(p1->proposals[0].prf, IKE_PRF_HMAC_SHA2_256);
	assert_int_equal(p1->proposals[0].dh, IKE_DH_ECP256);
	assert_int_equal(p1->proposals[1].encr, IKE_ENCR_AES_CBC);
	assert_int_equal(p1->proposals[1].integ, IKE_INTEG_HMAC_SHA2_256_128);
	assert_int_equal(p1->proposals[1].dh, IKE_DH_MODP2048);
	assert_string_equal(p1->pool, "mobile");
	assert_int_equal(p1->ngroups, 1);
	assert_int_equal(ike_config_user_allowed(p1, ike_config_user(cfg, "bob")), 1);
	assert_int_equal(ike_config_user_allowed(p1, ike_config_user(cfg, "mallory")), 0);
	assert_int_equal(ike_config_user_allowed(p1, NULL), 0);

	assert_int_equal(p1->nphase2, 2);
	p2 = &p1->phase2[0];
	assert_string_equal(p2->name, "full-tunnel");
	assert_int_equal(p2->nlocal_ts, 2);
	check_net(&p2->local_ts[0], "0.0.0.0/0");
	check_net(&p2->local_ts[1], "::/0");
	assert_int_equal(p2->nproposals, 2);
	assert_int_equal(p2->proposals[0].encr, IKE_ENCR_AES_GCM_16);
	assert_int_equal(p2->proposals[0].dh, IKE_DH_NONE);
	assert_int_equal(p2->proposals[0].prf, 0);
	assert_int_equal(p2->proposals[1].encr_bits, 128);
	assert_int_equal(p2->proposals[1].integ, IKE_INTEG_HMAC_SHA2_256_128);
	p2 = &p1->phase2[1];
	assert_int_equal(p2->proposals[0].encr, IKE_ENCR_CHACHA20_POLY1305);
	assert_int_equal(p2->proposals[0].encr_bits, 0);
	assert_int_equal(p2->proposals[0].dh, IKE_DH_CURVE25519);
	assert_int_equal(p2->proposals[0].esn, 1);
	assert_int_equal(p2->lifetime, 3600);
	assert_true(p2->life_bytes == 1000000000);
	assert_true(p2->life_packets == 5000000);

	ike_config_free(cfg);
	json_decref(doc);
}

static void
test_defaults(void **state)
{
	json_t *doc = parse(psk_json);
	struct ike_config *cfg = load_ok(doc);
	const struct cfg_phase1 *p1 = &cfg->phase1[0];
	const struct cfg_phase2 *p2 = &p1->phase2[0];

	assert_int_equal(cfg->nlisten, 0);
	assert_int_equal(cfg->ike_port, 500);
	assert_int_equal(cfg->natt_port, 4500);
	assert_string_equal(cfg->kernel_backend, "auto");
	assert_string_equal(cfg->tun_name, "ipsec0");
	assert_int_equal(cfg->legacy_clients, 0);
	assert_int_equal(cfg->half_open_cookie, 50);
	assert_int_equal(cfg->half_open_per_source, 10);
	assert_null(cfg->server_cert_pem);
	assert_null(cfg->server_chain_pem);
	assert_null(cfg->server_key_pem);
	assert_string_equal(cfg->psk, "correct horse battery staple");
	assert_int_equal(cfg->ncas, 0);
	assert_int_equal(cfg->npools, 0);
	assert_int_equal(cfg->nusers, 0);
	assert_null(cfg->user_index);
	assert_null(ike_config_user(cfg, "alice"));
	assert_null(cfg->firewall);

	assert_int_equal(p1->enabled, 1);
	assert_int_equal(p1->local_id.type, CFG_ID_IPV4);
	assert_int_equal(p1->lifetime, 28800);
	assert_int_equal(p1->rekey, 25920);		/* 90 % */
	assert_int_equal(p1->reauth, 0);
	assert_int_equal(p1->natt, CFG_NATT_AUTO);
	assert_int_equal(p1->mobike, 1);
	assert_int_equal(p1->dpd_delay, 30);
	assert_int_equal(p1->dpd_max_failures, 5);
	assert_int_equal(p1->fragmentation, 1);
	assert_int_equal(p1->fragment_size, 1280);
	assert_int_equal(p1->duplicates, CFG_DUP_REPLACE);
	assert_int_equal(p1->ngroups, 0);
	assert_null(p1->pool);
	assert_int_equal(ike_config_user_allowed(p1, NULL), 1);
	assert_int_equal(p2->lifetime, 3600);
	assert_true(p2->life_bytes == 0);
	assert_true(p2->life_packets == 0);
	assert_int_equal(p2->proposals[0].dh, IKE_DH_NONE);
	assert_int_equal(p2->proposals[0].esn, 0);
	ike_config_free(cfg);

	/* rekey follows a shorter lifetime; explicit values are kept */
	set(doc, "phase1.0", "lifetime", "3600");
	cfg = load_ok(doc);
	assert_int_equal(cfg->phase1[0].rekey, 3240);
	ike_config_free(cfg);
	set(doc, "phase1.0", "rekey", "1800");
	set(doc, "phase1.0", "enabled", "false");
	set(doc, "phase1.0", "nat_traversal", "\"force\"");
	set(doc, "phase1.0", "duplicates", "\"never\"");
	set(doc, "phase1.0", "mobike", "null");		/* null = left out */
	set(doc, "", "kernel", "{\"backend\": \"tun\", \"tun_name\": \"ike7\"}");
	cfg = load_ok(doc);
	assert_int_equal(cfg->phase1[0].rekey, 1800);
	assert_int_equal(cfg->phase1[0].enabled, 0);
	assert_int_equal(cfg->phase1[0].natt, CFG_NATT_FORCE);
	assert_int_equal(cfg->phase1[0].duplicates, CFG_DUP_NEVER);
	assert_int_equal(cfg->phase1[0].mobike, 1);
	assert_string_equal(cfg->kernel_backend, "tun");
	assert_string_equal(cfg->tun_name, "ike7");
	ike_config_free(cfg);
	json_decref(doc);
}

static void
test_identities(void **state)
{
	json_t *doc = full_doc();
	struct ike_config *cfg;

	/* dn without a value: the server certificate's subject */
	set(doc, "phase1.0", "local_id", "{\"type\": \"dn\"}");
	cfg = load_ok(doc);
	assert_int_equal(cfg->phase1[0].local_id.type, CFG_ID_DN);
	assert_string_equal(cfg->phase1[0].local_id.value,
	    "C=US, O=ikegw test, CN=vpn.example.com");
	ike_config_free(cfg);
	set(doc, "phase1.0", "local_id", "{\"type\": \"ipv6\", \"value\": \"2001:DB8:0::1\"}");
	cfg = load_ok(doc);
	assert_string_equal(cfg->phase1[0].local_id.value, "2001:db8::1");
	ike_config_free(cfg);
	set(doc, "phase1.0", "local_id", "{\"type\": \"email\", \"value\": \"vpn@example.com\"}");
	cfg = load_ok(doc);
	assert_int_equal(cfg->phase1[0].local_id.type, CFG_ID_EMAIL);
	ike_config_free(cfg);
	set(doc, "phase1.0", "local_id",
	    "{\"type\": \"dn\", \"value\": \"C=US, O=Example\\\\, Inc., CN=vpn\"}");
	cfg = load_ok(doc);
	ike_config_free(cfg);

	set(doc, "phase1.0", "local_id", "{\"type\": \"fqdn\", \"value\": \"-vpn.example.com\"}");
	EXPECT(json_deep_copy(doc),
	    "phase1[0].local_id.value: not a valid host name: \"-vpn.example.com\"");
	set(doc, "phase1.0", "local_id", "{\"type\": \"ipv4\", \"value\": \"192.0.2\"}");
	EXPECT(json_deep_copy(doc),
	    "phase1[0].local_id.value: not an IPv4 address: \"192.0.2\"");
	set(doc, "phase1.0", "local_id", "{\"type\": \"dn\", \"value\": \"CN\"}");
	EXPECT(json_deep_copy(doc),
	    "phase1[0].local_id.value: not a distinguished name "
	    "(\"C=US, O=Example, CN=vpn.example.com\"): \"CN\"");
	set(doc, "phase1.0", "local_id", "{\"type\": \"email\", \"value\": \"@example.com\"}");
	EXPECT(json_deep_copy(doc),
	    "phase1[0].local_id.value: not an e-mail address: \"@example.com\"");
	set(doc, "phase1.0", "local_id", "{\"type\": \"uri\", \"value\": \"x\"}");
	EXPECT(json_deep_copy(doc),
	    "phase1[0].local_id.type: unknown value \"uri\" (one of fqdn, ipv4, ipv6, dn, email, keyid)");
	set(doc, "phase1.0", "local_id", NULL);
	EXPECT(doc, "phase1[0].local_id: required");
}

static void
test_load_file(void **state)
{
	struct ike_config_errors errs = { 0 };
	struct ike_config *cfg = NULL;
	char path[] = "/tmp/ikegw-cfg.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(psk_json, f);
	fclose(f);
	assert_int_equal(ike_config_load_file(path, &cfg, &errs), 0);
	assert_string_equal(cfg->path, path);
	assert_int_equal(cfg->json->refcount, 1);	/* the config owns it */
	ike_config_free(cfg);

	assert_non_null(f = fopen(path, "w"));
	fputs("{\"version\": 1, \"version\": 1}", f);
	fclose(f);
	assert_int_equal(ike_config_load_file(path, &cfg, &errs), -1);
	assert_null(cfg);
	assert_non_null(f = fopen(path, "w"));
	fputs("[1, 2]", f);
	fclose(f);
	assert_int_equal(ike_config_load_file(path, &cfg, &errs), -1);
	unlink(path);
	assert_int_equal(ike_config_load_file(path, &cfg, &errs), -1);
	assert_int_equal(errs.n, 3);
	assert_string_equal(errs.v[0],
	    "(document): line 1, column 24: duplicate object key near '\"version\"'");
	assert_string_equal(errs.v[1], "(document): must be a JSON object");
	assert_string_equal(errs.v[2], "(document): cannot open: No such file or directory");
	ike_config_errors_free(&errs);
	assert_null(errs.v);
	assert_int_equal(errs.n, 0);
	ike_config_errors_free(NULL);
	ike_config_free(NULL);
}

/* ------------------------------------------------------------ errors */

static void
test_err_unknown_key(void **state)
{
	json_t *doc = full_doc();

	set(doc, "phase1.0", "lifetme", "3600");
	set(doc, "", "pool", "\"mobile\"");
	set(doc, "phase1.0.proposals.1", "hash", "\"sha256\"");
	set(doc, "pools.0", "dns\n", "[]");
	EXPECT(doc,
	    "pool: unknown key",
	    "pools[0].dns\\x0a: unknown key",
	    "phase1[0].lifetme: unknown key",
	    "phase1[0].proposals[1].hash: unknown key");
}

static void
test_err_wrong_type(void **state)
{
	json_t *doc = full_doc();

	set(doc, "", "ike_port", "\"500\"");
	set(doc, "", "listen", "\"192.0.2.1\"");
	set(doc, "", "kernel", "[]");
	set(doc, "phase1.0", "lifetime", "28800.0");
	set(doc, "phase1.0", "mobike", "\"yes\"");
	set(doc, "phase1.0", "groups", "[\"vpn\", 7]");
	set(doc, "phase1.0.proposals.0", "dh", "true");
	set(doc, "users.0", "name", "42");
	set(doc, "pools", "0", "\"mobile\"");
	EXPECT(doc,
	    "listen: must be an array",
	    "ike_port: must be an integer",
	    "kernel: must be an object",
	    "pools[0]: must be an object",
	    "users[0].name: must be a string",
	    "phase1[0].proposals[0].dh: must be a string or an integer",
	    "phase1[0].lifetime: must be an integer",
	    "phase1[0].mobike: must be a boolean",
	    "phase1[0].groups[1]: must be a string",
	    "phase1[0].pool: no pool named \"mobile\"");
}

static void
test_err_cidr(void **state)
{
	json_t *doc = full_doc();

	set(doc, "phase1.0.phase2.0", "local_ts",
	    "[\"10.0.0.300/24\", \"10.0.0.0\", \"10.0.0.0/33\", \"10.0.0.0/08\", \"fe80::/1x\"]");
	set(doc, "pools.0", "dns", "[\"10.1.0.53/32\"]");
	set(doc, "", "listen", "[\"192.0.2.1\", \"192.0.2.1\"]");
	EXPECT(doc,
	    "listen[1]: duplicate of listen[0]",
	    "pools[0].dns[0]: not an IP address: \"10.1.0.53/32\"",
	    "phase1[0].phase2[0].local_ts[0]: not an address prefix: \"10.0.0.300/24\"",
	    "phase1[0].phase2[0].local_ts[1]: not an address prefix: \"10.0.0.0\"",
	    "phase1[0].phase2[0].local_ts[2]: not an address prefix: \"10.0.0.0/33\"",
	    "phase1[0].phase2[0].local_ts[3]: not an address prefix: \"10.0.0.0/08\"",
	    "phase1[0].phase2[0].local_ts[4]: not an address prefix: \"fe80::/1x\"");
}

static void
test_err_host_bits(void **state)
{
	json_t *doc = full_doc();

	set(doc, "phase1.0.phase2.1", "local_ts", "[\"10.1.0.1/16\"]");
	set(doc, "pools.0", "ipv6", "\"fd00:10::1/112\"");
	EXPECT(doc,
	    "pools[0].ipv6: host bits set in \"fd00:10::1/112\" (the network is fd00:10::/112)",
	    "phase1[0].phase2[1].local_ts[0]: host bits set in \"10.1.0.1/16\" (the network is 10.1.0.0/16)");
}

static void
test_err_pools(void **state)
{
	json_t *doc = full_doc();

	set(doc, "", "pools",
	    "[{\"name\": \"mobile\", \"ipv4\": \"10.10.10.0/24\"},"
	    " {\"name\": \"big\", \"ipv4\": \"10.10.0.0/16\", \"ipv6\": \"fd00::/64\"},"
	    " {\"name\": \"six\", \"ipv6\": \"fd00::/112\"},"
	    " {\"name\": \"mobile\", \"ipv4\": \"10.99.0.0/31\"},"
	    " {\"name\": \"wide\", \"ipv4\": \"10.0.0.0/7\", \"ipv6\": \"fd01::/48\"},"
	    " {\"name\": \"v4v6\", \"ipv4\": \"fd02::/64\", \"domain\": \"a..b\"},"
	    " {\"name\": \"none\", \"dns\": [\"1.1.1.1\"]}]");
	EXPECT(doc,
	    "pools[3].ipv4: prefix length must be between /8 and /30",
	    "pools[4].ipv4: prefix length must be between /8 and /30",
	    "pools[4].ipv6: prefix length must be between /64 and /126",
	    "pools[5].ipv4: must be an IPv4 prefix",
	    "pools[5].domain: not a valid domain name: \"a..b\"",
	    "pools[6]: needs ipv4 or ipv6 (or both)",
	    "pools[3].name: duplicate pool name (also pools[0])",
	    "pools[1].ipv4: 10.10.0.0/16 overlaps pools[0].ipv4 (10.10.10.0/24)",
	    "pools[2].ipv6: fd00::/112 overlaps pools[1].ipv6 (fd00::/64)");
}

static void
test_err_pool_reference(void **state)
{
	json_t *doc = full_doc();

	set(doc, "phase1.0", "pool", "\"mobil\"");
	EXPECT(doc, "phase1[0].pool: no pool named \"mobil\"");
}

static void
test_err_proposals(void **state)
{
	json_t *doc = full_doc();

	set(doc, "phase1.0.proposals.0", "integrity", "\"hmac-sha2-256-128\"");
	set(doc, "phase1.0.proposals.1", "integrity", NULL);
	set(doc, "phase1.0.phase2.0.proposals.0", "integrity", "\"hmac-sha2-512-256\"");
	set(doc, "phase1.0.phase2.0.proposals.1", "prf", "\"hmac-sha2-256\"");
	set(doc, "phase1.0.phase2.1.proposals.0", "key_length", "128");
	EXPECT(doc,
	    "phase1[0].proposals[0].integrity: not allowed with an AEAD cipher (aes-gcm-16)",
	    "phase1[0].proposals[1].integrity: required with aes-cbc (not an AEAD cipher)",
	    "phase1[0].phase2[0].proposals[0].integrity: not allowed with an AEAD cipher (aes-gcm-16)",
	    "phase1[0].phase2[0].proposals[1].prf: not allowed in an ESP proposal",
	    "phase1[0].phase2[1].proposals[0].key_length: must be 256 for chacha20-poly1305 (or left out)");

	doc = full_doc();
	set(doc, "phase1.0.proposals.0", "dh", "99");
	set(doc, "phase1.0.proposals.0", "key_length", NULL);
	set(doc, "phase1.0.proposals.0", "esn", "true");
	set(doc, "phase1.0.proposals.1", "dh", "\"none\"");
	set(doc, "phase1.0.proposals.1", "key_length", "100");
	set(doc, "phase1.0.proposals.1", "prf", NULL);
	set(doc, "phase1.0.phase2.0.proposals.0", "encryption", "\"aes-ccm\"");
	set(doc, "phase1.0.phase2.0.proposals.1", "dh", "\"ecp255\"");
	set(doc, "phase1.0.phase2.1", "proposals", "[]");
	EXPECT(doc,
	    "phase1[0].proposals[0].key_length: required for aes-gcm-16",
	    "phase1[0].proposals[0].dh: unknown group 99",
	    "phase1[0].proposals[0].esn: not allowed in an IKE proposal",
	    "phase1[0].proposals[1].key_length: must be one of 128, 192, 256 for aes-cbc",
	    "phase1[0].proposals[1].prf: required",
	    "phase1[0].proposals[1].dh: \"none\" is not allowed in an IKE proposal",
	    "phase1[0].phase2[0].proposals[0].encryption: unknown algorithm \"aes-ccm\" "
	    "(one of aes-cbc, aes-gcm-16, aes-gcm-12, aes-gcm-8, chacha20-poly1305, 3des)",
	    "phase1[0].phase2[0].proposals[1].dh: unknown group \"ecp255\" (one of none, "
	    "modp1024, modp1536, modp2048, modp3072, modp4096, modp6144, modp8192, ecp256, "
	    "ecp384, ecp521, curve25519, curve448, or an IANA group number)",
	    "phase1[0].phase2[1].proposals: must not be empty");
}

static void
test_err_legacy(void **state)
{
	static const char legacy[] =
	    "[{\"encryption\": \"3des\", \"integrity\": \"hmac-sha1-96\","
	    "  \"prf\": \"hmac-sha1\", \"dh\": \"modp1024\"},"
	    " {\"encryption\": \"aes-cbc\", \"key_length\": 256, \"integrity\": \"hmac-sha1-96\","
	    "  \"prf\": \"hmac-sha2-256\", \"dh\": 2}]";
	json_t *doc = full_doc();
	struct ike_config *cfg;

	set(doc, "phase1.0", "proposals", legacy);
	set(doc, "phase1.0.phase2.0.proposals.1", "integrity", "\"hmac-sha1-96\"");
	EXPECT(json_deep_copy(doc),
	    "phase1[0].proposals[0].encryption: 3des is a legacy algorithm; set \"legacy_clients\": true to allow it",
	    "phase1[0].proposals[0].integrity: hmac-sha1-96 is a legacy algorithm; set \"legacy_clients\": true to allow it",
	    "phase1[0].proposals[0].prf: hmac-sha1 is a legacy algorithm; set \"legacy_clients\": true to allow it",
	    "phase1[0].proposals[0].dh: modp1024 is a legacy algorithm; set \"legacy_clients\": true to allow it",
	    "phase1[0].proposals[1].integrity: hmac-sha1-96 is a legacy algorithm; set \"legacy_clients\": true to allow it",
	    "phase1[0].proposals[1].dh: modp1024 is a legacy algorithm; set \"legacy_clients\": true to allow it",
	    "phase1[0].phase2[0].proposals[1].integrity: hmac-sha1-96 is a legacy algorithm; set \"legacy_clients\": true to allow it");

	set(doc, "", "legacy_clients", "true");
	cfg = load_ok(doc);
	assert_int_equal(cfg->legacy_clients, 1);
	assert_int_equal(cfg->phase1[0].proposals[0].encr, IKE_ENCR_3DES);
	assert_int_equal(cfg->phase1[0].proposals[0].encr_bits, 0);
	assert_int_equal(cfg->phase1[0].proposals[0].prf, IKE_PRF_HMAC_SHA1);
	assert_int_equal(cfg->phase1[0].proposals[1].dh, IKE_DH_MODP1024);
	ike_config_free(cfg);
	json_decref(doc);
}

static void
test_err_key_mismatch(void **state)
{
	json_t *doc = full_doc();

	set(doc, "server", "private_key", NULL);
	json_object_set_new(at(doc, "server"), "private_key", json_string(pki.other_key));
	EXPECT(doc, "server.private_key: does not match server.certificate");

	doc = full_doc();
	json_object_set_new(at(doc, "server"), "private_key",
	    json_string("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"));
	json_object_set_new(at(doc, "server"), "chain", json_string("not PEM"));
	EXPECT(doc,
	    "server.chain: not a sequence of PEM certificates",
	    "server.private_key: encrypted private keys are not supported");
}

static void
test_err_server_cert(void **state)
{
	json_t *doc = full_doc();
	char *two;

	if (asprintf(&two, "%s%s", pki.server, pki.ca) < 0)
		fail();
	json_object_set_new(at(doc, "server"), "certificate", json_string(two));
	free(two);
	EXPECT(doc,
	    "server.certificate: must hold one certificate (intermediates go in server.chain)");
	doc = full_doc();
	json_object_set_new(at(doc, "server"), "certificate", json_string(pki.server_key));
	json_object_set_new(at(doc, "server"), "private_key", json_string(pki.server));
	EXPECT(doc,
	    "server.certificate: not a PEM certificate",
	    "server.private_key: not a PEM private key");
}

static void
test_err_ca(void **state)
{
	json_t *doc = full_doc();

	json_object_set_new(at(doc, "cas.0"), "certificate", json_string(pki.server));
	EXPECT(doc,
	    "cas[0].certificate: not a CA certificate (basicConstraints CA:TRUE is missing)");

	doc = full_doc();
	json_object_set_new(at(doc, "cas.0"), "crl", json_string(pki.other_crl));
	json_array_append_new(at(doc, "cas"), json_pack("{s:s, s:s, s:s}", "name", "ikegw-ca",
	    "certificate", pki.ca, "crl", "junk"));
	EXPECT(doc,
	    "cas[0].crl: not issued by this CA",
	    "cas[1].crl: not a PEM CRL",
	    "cas[1].name: duplicate CA name (also cas[0])");
}

static void
test_err_duplicate_users(void **state)
{
	json_t *doc = full_doc();

	json_array_append_new(at(doc, "users"), json_pack("{s:s}", "name", "Alice"));
	json_array_append_new(at(doc, "users"), json_pack("{s:s}", "name", "BOB"));
	json_array_append_new(at(doc, "users"), json_pack("{s:s}", "name", "ALICE"));
	EXPECT(doc,
	    "users[3].name: duplicate user name \"Alice\" (also users[0])",
	    "users[5].name: duplicate user name \"ALICE\" (also users[0])",
	    "users[4].name: duplicate user name \"BOB\" (also users[1])");
}

static void
test_err_rekey(void **state)
{
	json_t *doc = full_doc();

	set(doc, "phase1.0", "lifetime", "3600");
	set(doc, "phase1.0", "rekey", "3600");
	EXPECT(json_deep_copy(doc), "phase1[0].rekey: must be less than lifetime (3600)");
	set(doc, "phase1.0", "rekey", "10");
	set(doc, "phase1.0", "lifetime", "30");
	set(doc, "phase1.0", "reauth", "59");
	set(doc, "phase1.0", "fragment_size", "500");
	set(doc, "phase1.0.phase2.0", "lifetime", "86401");
	set(doc, "phase1.0.phase2.1", "life_bytes", "-1");
	EXPECT(doc,
	    "phase1[0].lifetime: must be between 60 and 604800",
	    "phase1[0].rekey: must be between 30 and 604799",
	    "phase1[0].reauth: must be 0 (off) or between 60 and 604800",
	    "phase1[0].fragment_size: must be between 576 and 65535",
	    "phase1[0].phase2[0].lifetime: must be between 60 and 86400",
	    "phase1[0].phase2[1].life_bytes: must be between 0 and 9223372036854775807");
}

static void
test_err_nt_hash(void **state)
{
	json_t *doc = full_doc();

	set(doc, "users.0", "nt_hash", "\"8846F7EAEE8FB117AD06BDD830B7586\"");
	set(doc, "users.1", "nt_hash", "\"zz46F7EAEE8FB117AD06BDD830B7586C\"");
	set(doc, "users.2", "psk", "\"short\"");
	EXPECT(doc,
	    "users[0].nt_hash: must be 32 hexadecimal digits",
	    "users[1].nt_hash: must be 32 hexadecimal digits",
	    "users[2].psk: must be at least 16 characters long");
}

static void
test_err_auth_needs(void **state)
{
	json_t *doc = full_doc();
	struct ike_config *cfg;

	set(doc, "", "server", NULL);
	EXPECT(json_deep_copy(doc),
	    "server: a certificate and private key are required by phase1[0] (auth \"eap-mschapv2\")");
	set(doc, "", "server", "{}");
	EXPECT(json_deep_copy(doc),
	    "server.certificate: required",
	    "server.private_key: required");
	/* a disabled phase 1 needs nothing */
	set(doc, "", "server", NULL);
	set(doc, "phase1.0", "enabled", "false");
	cfg = load_ok(doc);
	ike_config_free(cfg);
	json_decref(doc);

	doc = full_doc();
	set(doc, "phase1.0", "auth", "\"certificate\"");
	set(doc, "", "cas", "[]");
	EXPECT(doc,
	    "cas: a CA to verify client certificates is required by phase1[0] (auth \"certificate\")");

	doc = parse(psk_json);
	set(doc, "", "psk", NULL);
	EXPECT(json_deep_copy(doc),
	    "psk: required by phase1[0] (auth \"psk\"): set a top-level psk or a psk for users");
	set(doc, "", "users", "[{\"name\": \"gw2\", \"psk\": \"0123456789abcdef\"}]");
	cfg = load_ok(doc);
	assert_string_equal(cfg->users[0].psk, "0123456789abcdef");
	ike_config_free(cfg);
	json_decref(doc);
}

static void
test_err_daemon(void **state)
{
	json_t *doc = parse(psk_json);

	set(doc, "", "control_socket", NULL);
	set(doc, "", "leases_file", "\"\"");
	set(doc, "", "natt_port", "500");
	set(doc, "", "kernel", "{\"backend\": \"pfkey\", \"tun_name\": \"ipsec/0\"}");
	set(doc, "", "half_open_cookie", "-1");
	set(doc, "", "firewall", "[]");
	EXPECT(json_deep_copy(doc),
	    "natt_port: must differ from ike_port",
	    "control_socket: required",
	    "leases_file: must not be empty",
	    "kernel.backend: unknown value \"pfkey\" (one of null, tun, xfrm, auto)",
	    "kernel.tun_name: not an interface name: \"ipsec/0\"",
	    "half_open_cookie: must be between 0 and 1000000",
	    "firewall: must be an object");

	set(doc, "", "version", "2");
	EXPECT(json_deep_copy(doc),
	    "version: unsupported version 2 (this engine reads version 1)");
	set(doc, "", "version", NULL);
	set(doc, "", "natt_port", NULL);
	set(doc, "", "kernel", NULL);
	set(doc, "", "half_open_cookie", NULL);
	set(doc, "", "firewall", NULL);
	set(doc, "", "leases_file", "\"/x\"");
	EXPECT(doc, "version: required", "control_socket: required");
}

static void
test_err_many(void **state)
{
	json_t *doc = full_doc();

	/* one of several kinds at once, all reported, in document order */
	set(doc, "", "legacy", "true");
	set(doc, "", "ike_port", "0");
	json_object_set_new(at(doc, "server"), "private_key", json_string(pki.other_key));
	set(doc, "pools.0", "ipv4", "\"10.10.10.0/33\"");
	set(doc, "users.1", "name", "\"ALICE\"");
	set(doc, "users.2", "nt_hash", "\"xyz\"");
	set(doc, "phase1.0", "auth", "\"radius\"");
	set(doc, "phase1.0", "pool", "\"nope\"");
	set(doc, "phase1.0.proposals.0", "dh", "\"modp1024\"");
	set(doc, "phase1.0.phase2.1", "name", "\"full-tunnel\"");
	EXPECT(doc,
	    "legacy: unknown key",
	    "ike_port: must be between 1 and 65535",
	    "server.private_key: does not match server.certificate",
	    "pools[0].ipv4: not an address prefix: \"10.10.10.0/33\"",
	    "users[2].nt_hash: must be 32 hexadecimal digits",
	    "users[1].name: duplicate user name \"ALICE\" (also users[0])",
	    "phase1[0].auth: unknown value \"radius\" (one of eap-mschapv2, certificate, psk)",
	    "phase1[0].proposals[0].dh: modp1024 is a legacy algorithm; set \"legacy_clients\": true to allow it",
	    "phase1[0].pool: no pool named \"nope\"",
	    "phase1[0].phase2[1].name: duplicate name (also phase2[0])");
}

static void
test_err_too_many(void **state)
{
	struct ike_config_errors errs = { 0 };
	struct ike_config *cfg = NULL;
	json_t *doc = full_doc(), *users = json_array();
	char name[32];
	int i;

	for (i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		json_array_append_new(users, json_pack("{s:s, s:s}", "name", name,
		    "nt_hash", "bad"));
	}
	json_object_set_new(doc, "users", users);
	assert_int_equal(ike_config_load_json(doc, &cfg, &errs), -1);
	assert_int_equal(errs.n, IKE_CONFIG_MAX_ERRORS);
	assert_string_equal(errs.v[0], "users[0].nt_hash: must be 32 hexadecimal digits");
	assert_string_equal(errs.v[98], "users[98].nt_hash: must be 32 hexadecimal digits");
	assert_string_equal(errs.v[99], "(document): too many errors; only the first 99 are shown");
	ike_config_errors_free(&errs);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_identities),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_err_wrong_type),
		cmocka_unit_test(test_err_cidr),
		cmocka_unit_test(test_err_host_bits),
		cmocka_unit_test(test_err_pools),
		cmocka_unit_test(test_err_pool_reference),
		cmocka_unit_test(test_err_proposals),
		cmocka_unit_test(test_err_legacy),
		cmocka_unit_test(test_err_key_mismatch),
		cmocka_unit_test(test_err_server_cert),
		cmocka_unit_test(test_err_ca),
		cmocka_unit_test(test_err_duplicate_users),
		cmocka_unit_test(test_err_rekey),
		cmocka_unit_test(test_err_nt_hash),
		cmocka_unit_test(test_err_auth_needs),
		cmocka_unit_test(test_err_daemon),
		cmocka_unit_test(test_err_many),
		cmocka_unit_test(test_err_too_many),
	};

	return cmocka_run_group_tests(tests, make_pki, free_pki);
}
