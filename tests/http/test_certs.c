/*
 * test_certs — System > Cert. Manager through its forms (as a browser sends
 * them) and its JSON API: the pfSense IKEv2 guide's CA, server and user
 * certificates; exports with their headers, checked with openssl; private
 * keys sealed at rest and never on a page; audit entries for key exports.
 */
#include "certs.h"

static long long guide_ca, server_id, user_id;

/* The id at the end of a Location like /system/certmanager/ca/7?msg=ca-created. */
static long long
location_id(struct hc *c, const char *prefix, const char *msg)
{
	const char *loc = hc_resp_header(c, "Location");
	char want[128];
	long long id;

	assert_non_null(loc);
	assert_int_equal(strncmp(loc, prefix, strlen(prefix)), 0);
	id = strtoll(loc + strlen(prefix), NULL, 10);
	snprintf(want, sizeof(want), "%s%lld?msg=%s", prefix, id, msg);
	assert_string_equal(loc, want);
	return id;
}

/* Content-Type and the file name of Content-Disposition of the last response. */
static void
assert_download(struct hc *c, const char *ctype, const char *filename)
{
	char want[256];

	assert_string_equal(hc_resp_header(c, "Content-Type"), ctype);
	snprintf(want, sizeof(want), "attachment; filename=\"%s\"", filename);
	assert_string_equal(hc_resp_header(c, "Content-Disposition"), want);
}

static void
test_guide_ca_server_user_through_forms(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char path[128], *csrf;
	long long ncas = hc_sql_int(CAS), ncerts = hc_sql_int(CERTS);

	(void)state;
	r = hc_get(c, "/system/certmanager/ca/new");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "data-busy=\"Generating the key");
	assert_contains(r->body, "enctype=\"multipart/form-data\"");
	csrf = strdup(hc_csrf(c));
	{
		/* The guide's CA: RSA 4096, SHA-256, 3650 days. */
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "method", NULL, "internal", 0 },
			{ "name", NULL, "Guide CA", 0 }, { "key", NULL, "rsa4096", 0 },
			{ "digest", NULL, "sha256", 0 }, { "days", NULL, "3650", 0 },
			{ "cn", NULL, "ikegw-guide-ca", 0 }, { "c", NULL, "US", 0 },
			{ "st", NULL, "Texas", 0 }, { "l", NULL, "Austin", 0 },
			{ "o", NULL, "Example Co", 0 }, { "ou", NULL, "IT", 0 },
			{ "cert", "", "", 0 }, { "private_key", "", "", 0 },
		};
		r = hc_multipart(c, "/system/certmanager/ca/new", p, sizeof(p) / sizeof(p[0]));
	}
	assert_int_equal(r->status, 303);
	guide_ca = location_id(c, "/system/certmanager/ca/", "ca-created");
	snprintf(path, sizeof(path), "/system/certmanager/ca/%lld?msg=ca-created", guide_ca);
	r = hc_get(c, path);
	assert_contains(r->body, "Certificate authority created.");
	assert_contains(r->body, "RSA 4096");
	assert_contains(r->body, "CN=ikegw-guide-ca,OU=IT,O=Example Co,L=Austin,ST=Texas,C=US");
	assert_contains(r->body, "SHA-256 fingerprint");
	assert_int_equal(hc_sql_int(CAS), ncas + 1);
	{
		/* The guide's server certificate: RSA 2048, 825 days, FQDN SAN. */
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "method", NULL, "internal", 0 },
			{ "name", NULL, "vpn.example.com", 0 }, { "ca", NULL, "", 0 },
			{ "type", NULL, "server", 0 }, { "key", NULL, "rsa2048", 0 },
			{ "digest", NULL, "sha256", 0 }, { "days", NULL, "825", 0 },
			{ "cn", NULL, "vpn.example.com", 0 }, { "san", NULL, "vpn.example.com", 0 },
		};
		struct hc_part q[sizeof(p) / sizeof(p[0])];
		char id[32];

		memcpy(q, p, sizeof(p));
		snprintf(id, sizeof(id), "%lld", guide_ca);
		q[3].data = id;
		r = hc_multipart(c, "/system/certmanager/certs/new", q, sizeof(q) / sizeof(q[0]));
		assert_int_equal(r->status, 303);
		server_id = location_id(c, "/system/certmanager/certs/", "cert-created");
		q[2].data = "user-smith";
		q[4].data = "user";
		q[7].data = "365";
		q[8].data = "user-smith";
		q[9].data = "";
		r = hc_multipart(c, "/system/certmanager/certs/new", q, sizeof(q) / sizeof(q[0]));
		assert_int_equal(r->status, 303);
		user_id = location_id(c, "/system/certmanager/certs/", "cert-created");
	}
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld?msg=cert-created", server_id);
	r = hc_get(c, path);
	assert_contains(r->body, "Certificate created.");
	assert_contains(r->body, "dns: vpn.example.com");
	assert_contains(r->body, "serverAuth");
	assert_not_contains(r->body, "class=\"warning\"");
	assert_int_equal(hc_sql_int(CERTS), ncerts + 2);
	snprintf(path, sizeof(path), "SELECT type || ' ' || key_type || ' ' || ((not_after -"
	    " not_before + 60) / 86400) FROM certs WHERE id = %lld", server_id);
	{
		char *s = hc_sql(path);

		assert_string_equal(s, "1 RSA 2048 825");
		free(s);
	}
	snprintf(path, sizeof(path), "SELECT type || ' ' || ((not_after - not_before + 60) / 86400)"
	    " FROM certs WHERE id = %lld", user_id);
	{
		char *s = hc_sql(path);

		assert_string_equal(s, "2 365");
		free(s);
	}
	free(csrf);
	hc_free(c);
}

static void
test_exports_headers_and_openssl(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char path[128], body[512], cmd[1024], *out;
	const char *f;

	(void)state;
	assert_true(guide_ca > 0 && user_id > 0);
	/* The CA as DER .crt: what Windows, iOS and Android users open. */
	snprintf(path, sizeof(path), "/system/certmanager/ca/%lld/export?format=der", guide_ca);
	r = hc_get(c, path);
	assert_int_equal(r->status, 200);
	assert_download(c, "application/x-x509-ca-cert", "Guide_CA.crt");
	f = scratch("guide-ca.crt");
	write_file(f, r->body, r->body_len);
	snprintf(cmd, sizeof(cmd), "openssl x509 -inform DER -noout -subject -in '%s'", f);
	assert_int_equal(run(cmd, &out), 0);
	assert_contains(out, "CN = ikegw-guide-ca");
	free(out);
	snprintf(path, sizeof(path), "/system/certmanager/ca/%lld/export?format=pem", guide_ca);
	r = hc_get(c, path);
	assert_download(c, "application/x-pem-file", "Guide_CA.pem");
	assert_int_equal(strncmp(r->body, "-----BEGIN CERTIFICATE-----", 27), 0);
	/* The user's certificate. */
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld/export?format=der", user_id);
	r = hc_get(c, path);
	assert_download(c, "application/pkix-cert", "user-smith.crt");
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld/export?format=pem", user_id);
	r = hc_get(c, path);
	assert_download(c, "application/x-pem-file", "user-smith.pem");
	write_file(scratch("user-smith.pem"), r->body, r->body_len);
	/* Key material never through a GET. */
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld/export?format=key", user_id);
	assert_int_equal(hc_get(c, path)->status, 405);
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld/export?format=p12", user_id);
	assert_int_equal(hc_get(c, path)->status, 405);

	/* PKCS#12, modern: AES-256-CBC, SHA-256 MAC, with the CA. */
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld", user_id);
	hc_get(c, path);
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld/export", user_id);
	snprintf(body, sizeof(body), "csrf=%s&format=p12&passphrase=Smith-P12-pass"
	    "&passphrase_confirm=Smith-P12-pass&level=modern", hc_csrf(c));
	r = hc_form(c, path, body);
	assert_int_equal(r->status, 200);
	assert_download(c, "application/x-pkcs12", "user-smith.p12");
	f = scratch("user-smith-modern.p12");
	write_file(f, r->body, r->body_len);
	snprintf(cmd, sizeof(cmd), "openssl pkcs12 -info -nokeys -passin pass:Smith-P12-pass"
	    " -in '%s'", f);
	assert_int_equal(run(cmd, &out), 0);
	assert_contains(out, "MAC: sha256");
	assert_contains(out, "AES-256-CBC");
	assert_contains(out, "subject=CN = user-smith");
	assert_contains(out, "CN = ikegw-guide-ca");
	free(out);
	snprintf(cmd, sizeof(cmd), "openssl pkcs12 -info -nokeys -passin pass:wrong -in '%s'", f);
	assert_int_not_equal(run(cmd, NULL), 0);
	/* Legacy: 3DES, SHA-1 MAC, for older Apple and Windows. */
	snprintf(body, sizeof(body), "csrf=%s&format=p12&passphrase=Smith-P12-pass"
	    "&passphrase_confirm=Smith-P12-pass&level=legacy", hc_csrf(c));
	r = hc_form(c, path, body);
	assert_int_equal(r->status, 200);
	assert_download(c, "application/x-pkcs12", "user-smith.p12");
	f = scratch("user-smith-legacy.p12");
	write_file(f, r->body, r->body_len);
	snprintf(cmd, sizeof(cmd), "openssl pkcs12 -info -nokeys -legacy"
	    " -passin pass:Smith-P12-pass -in '%s'", f);
	assert_int_equal(run(cmd, &out), 0);
	assert_contains(out, "MAC: sha1");
	assert_contains(out, "pbeWithSHA1And3-KeyTripleDES-CBC");
	assert_contains(out, "subject=CN = user-smith");
	free(out);
	/* A password the confirmation does not repeat: the page again, no file. */
	snprintf(body, sizeof(body), "csrf=%s&format=p12&passphrase=Smith-P12-pass"
	    "&passphrase_confirm=other&level=modern", hc_csrf(c));
	r = hc_form(c, path, body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "The two entries do not match.");
	snprintf(body, sizeof(body), "csrf=%s&format=p12&passphrase=&passphrase_confirm=",
	    hc_csrf(c));
	r = hc_form(c, path, body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "at least 4 characters");

	/* The private key, plain and encrypted. */
	snprintf(body, sizeof(body), "csrf=%s&format=key", hc_csrf(c));
	r = hc_form(c, path, body);
	assert_int_equal(r->status, 200);
	assert_download(c, "application/x-pem-file", "user-smith.key");
	assert_contains(r->body, "-----BEGIN PRIVATE KEY-----");
	write_file(scratch("user-smith.key"), r->body, r->body_len);
	snprintf(cmd, sizeof(cmd), "test \"$(openssl pkey -in '%s' -pubout)\" ="
	    " \"$(openssl x509 -in '%s' -noout -pubkey)\"", scratch("user-smith.key"),
	    scratch("user-smith.pem"));
	assert_int_equal(run(cmd, NULL), 0);
	snprintf(body, sizeof(body), "csrf=%s&format=key&passphrase=Key-pass-1"
	    "&passphrase_confirm=Key-pass-1", hc_csrf(c));
	r = hc_form(c, path, body);
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "-----BEGIN ENCRYPTED PRIVATE KEY-----");
	f = scratch("user-smith-enc.key");
	write_file(f, r->body, r->body_len);
	snprintf(cmd, sizeof(cmd), "openssl pkey -in '%s' -passin pass:Key-pass-1 -noout", f);
	assert_int_equal(run(cmd, NULL), 0);
	snprintf(cmd, sizeof(cmd), "openssl pkey -in '%s' -passin pass:nope -noout", f);
	assert_int_not_equal(run(cmd, NULL), 0);

	/* The CA's key (through the API, which needs no confirmation). */
	hc_free(c);
	c = api_client();
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/export?format=key", guide_ca);
	r = api_post(c, path, "{}");
	assert_int_equal(r->status, 200);
	assert_download(c, "application/x-pem-file", "Guide_CA.key");
	assert_contains(r->body, "-----BEGIN PRIVATE KEY-----");
	/* Every export of key material is in the audit log. */
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'cert.export.p12'"
	    " AND object = 'user-smith' AND detail LIKE '%modern%'"), 1);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'cert.export.p12'"
	    " AND object = 'user-smith' AND detail LIKE '%legacy%'"), 1);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'cert.export.key'"
	    " AND object = 'user-smith'"), 2);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'ca.export.key'"
	    " AND object = 'Guide CA' AND actor = 'admin'"), 1);
	hc_free(c);
}

static void
test_keys_sealed_and_never_shown(void **state)
{
	struct hc *c = admin_client();
	char *key, line[80], path[128], aad[64];
	const char *lists[] = {
		"/system/certmanager/ca", "/system/certmanager/certs", "/system/certmanager/crl",
		"/api/v1/cas", "/api/v1/certs", "/api/v1/crls", NULL, NULL, NULL, NULL,
	};
	char p1[96], p2[96], p3[96], p4[96];
	uint8_t secret[PKI_SECRET_KEY_LEN], *blob, *plain = NULL;
	size_t blen, plen, i;
	FILE *f;

	(void)state;
	f = fopen(scratch("user-smith.key"), "r");
	assert_non_null(f);
	key = calloc(1, 8192);
	assert_true(fread(key, 1, 8191, f) > 100);
	fclose(f);
	/* The second line of the PEM: 64 characters of the key itself. */
	snprintf(line, sizeof(line), "%.64s", strchr(key, '\n') + 1);
	assert_int_equal(strlen(line), 64);
	snprintf(p1, sizeof(p1), "/system/certmanager/certs/%lld", user_id);
	snprintf(p2, sizeof(p2), "/api/v1/certs/%lld", user_id);
	snprintf(p3, sizeof(p3), "/system/certmanager/ca/%lld", guide_ca);
	snprintf(p4, sizeof(p4), "/api/v1/cas/%lld", guide_ca);
	lists[6] = p1;
	lists[7] = p2;
	lists[8] = p3;
	lists[9] = p4;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const struct hc_resp *r = hc_get(c, lists[i]);

		assert_int_equal(r->status, 200);
		assert_not_contains(r->body, "PRIVATE KEY");
		assert_not_contains(r->body, line);
		assert_not_contains(r->body, "key_sealed");
	}
	assert_contains(hc_get(c, "/api/v1/certs")->body, "\"has_key\":true");
	/* At rest: only the sealed blob (version, nonce, ciphertext, tag). */
	free(hc_sql("PRAGMA wal_checkpoint(TRUNCATE)"));
	assert_false(db_contains(line));
	assert_false(db_contains("PRIVATE KEY"));
	snprintf(path, sizeof(path), "SELECT key_sealed FROM certs WHERE id = %lld", user_id);
	blob = sql_blob(path, &blen);
	assert_non_null(blob);
	assert_int_equal(blen, strlen(key) + 29);
	/* It opens with the instance's key for its own row only. */
	instance_secret(secret);
	snprintf(aad, sizeof(aad), "cert:%lld:key", user_id);
	assert_int_equal(pki_unseal(secret, aad, blob, blen, &plain, &plen), 0);
	assert_int_equal(plen, strlen(key));
	assert_memory_equal(plain, key, plen);
	free(plain);
	plain = NULL;
	snprintf(aad, sizeof(aad), "cert:%lld:key", server_id);
	assert_int_equal(pki_unseal(secret, aad, blob, blen, &plain, &plen), -1);
	free(blob);
	snprintf(path, sizeof(path), "SELECT key_sealed FROM cas WHERE id = %lld", guide_ca);
	blob = sql_blob(path, &blen);
	snprintf(aad, sizeof(aad), "ca:%lld:key", guide_ca);
	assert_int_equal(pki_unseal(secret, aad, blob, blen, &plain, &plen), 0);
	assert_non_null(memmem(plain, plen, "-----BEGIN PRIVATE KEY-----", 27));
	explicit_bzero(plain, plen);
	explicit_bzero(secret, sizeof(secret));
	free(plain);
	free(blob);
	free(key);
	hc_free(c);
}

static void
test_api_twins(void **state)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	json_t *j, *v;
	char path[128], *out, cmd[512];
	long long root, inter, srv, wild, n;
	size_t i;
	int ip_dns = 0, ip = 0, email = 0, uri = 0;

	(void)state;
	root = api_create(c, "/api/v1/cas", "{\"method\":\"internal\",\"name\":\"API root\","
	    "\"key\":\"ec256\",\"cn\":\"API Root CA\",\"c\":\"de\"}", 201);
	r = hc_get(c, "/api/v1/cas");
	assert_contains(r->body, "\"name\":\"API root\"");
	snprintf(path, sizeof(path), "SELECT subject FROM cas WHERE id = %lld", root);
	out = hc_sql(path);
	assert_string_equal(out, "CN=API Root CA,C=DE");	/* country upper-cased */
	free(out);
	snprintf(cmd, sizeof(cmd), "{\"method\":\"intermediate\",\"name\":\"API inter\","
	    "\"parent\":%lld,\"key\":\"ec384\",\"digest\":\"sha384\",\"days\":1825,"
	    "\"cn\":\"API Intermediate\"}", root);
	inter = api_create(c, "/api/v1/cas", cmd, 201);
	snprintf(cmd, sizeof(cmd), "{\"method\":\"internal\",\"name\":\"api server\",\"ca\":%lld,"
	    "\"type\":\"server\",\"key\":\"ec256\",\"cn\":\"gw.example.net\",\"san\":"
	    "[\"198.51.100.7\",\"ops@example.net\",\"URI:https://gw.example.net/\","
	    "\"2001:db8::7\"],\"days\":900}", inter);
	r = api_post(c, "/api/v1/certs", cmd);
	assert_int_equal(r->status, 201);
	j = resp_json(r);
	srv = json_integer_value(json_object_get(j, "id"));
	/* CN added as a SAN; each IP also as a dNSName (for Windows). */
	json_array_foreach(json_object_get(j, "san"), i, v) {
		const char *t = json_string_value(json_object_get(v, "type"));
		const char *val = json_string_value(json_object_get(v, "value"));

		if (strcmp(t, "dns") == 0 && strcmp(val, "198.51.100.7") == 0)
			ip_dns = 1;
		if (strcmp(t, "ip") == 0)
			ip++;
		if (strcmp(t, "email") == 0)
			email = 1;
		if (strcmp(t, "uri") == 0)
			uri = 1;
	}
	assert_true(ip_dns && ip == 2 && email && uri);
	assert_contains(json_dumps(json_object_get(j, "san"), 0), "gw.example.net");
	/* Over 825 days: stored, with the Apple warning. */
	assert_contains(json_string_value(json_array_get(json_object_get(j, "warnings"), 0)),
	    "Apple devices");
	json_decref(j);
	hc_header(c, NULL);
	hc_free(c);
	c = admin_client();
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld", srv);
	r = hc_get(c, path);
	assert_contains(r->body, "class=\"warning\"");
	assert_contains(r->body, "Apple devices (macOS, iOS) reject");
	assert_contains(r->body, "Each IP address also appears as a DNS name");
	assert_contains(hc_get(c, "/system/certmanager/certs/new")->body,
	    "Every IP address is also added as a DNS name holding the same text, because Windows");
	hc_free(c);
	c = api_client();
	/* Only wildcards: stored, with a warning. */
	snprintf(cmd, sizeof(cmd), "{\"method\":\"internal\",\"name\":\"wild\",\"ca\":%lld,"
	    "\"type\":\"server\",\"key\":\"ec256\",\"cn\":\"*.example.org\"}", inter);
	r = api_post(c, "/api/v1/certs", cmd);
	assert_int_equal(r->status, 201);
	assert_contains(r->body, "wildcard");
	j = resp_json(r);
	wild = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	/* A chain of three in the PKCS#12 file. */
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export?format=p12", srv);
	r = api_post(c, path, "{\"passphrase\":\"chain-pass\"}");
	assert_int_equal(r->status, 200);
	assert_string_equal(hc_resp_header(c, "Content-Type"), "application/x-pkcs12");
	write_file(scratch("chain.p12"), r->body, r->body_len);
	snprintf(cmd, sizeof(cmd), "openssl pkcs12 -info -nokeys -passin pass:chain-pass -in '%s'",
	    scratch("chain.p12"));
	assert_int_equal(run(cmd, &out), 0);
	{
		const char *p = out;
		int subjects = 0;

		while ((p = strstr(p, "\nsubject=")) != NULL) {
			subjects++;
			p++;
		}
		assert_int_equal(subjects, 3);
		assert_contains(out, "CN = API Root CA");
		assert_contains(out, "CN = API Intermediate");
	}
	free(out);
	/* GET details: what it issued; rename; deleting a CA in use is refused. */
	snprintf(path, sizeof(path), "/api/v1/cas/%lld", inter);
	r = hc_get(c, path);
	assert_contains(r->body, "\"name\":\"api server\"");
	assert_contains(r->body, "\"parent\":{\"id\":");
	r = api_put(c, path, "{\"name\":\"API intermediate\"}");
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"name\":\"API intermediate\"");
	r = api_put(c, path, "{\"name\":\"\"}");
	assert_int_equal(r->status, 422);
	n = hc_sql_int(CAS);
	assert_int_equal(hc_request(c, "DELETE", path, NULL, NULL, 0)->status, 409);
	assert_int_equal(hc_sql_int(CAS), n);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld", wild);
	assert_int_equal(hc_request(c, "DELETE", path, NULL, NULL, 0)->status, 200);
	assert_int_equal(hc_request(c, "GET", path, NULL, NULL, 0)->status, 404);
	/* Serials: 128 random bits, unique per CA. */
	snprintf(path, sizeof(path), "SELECT COUNT(*) FROM certs WHERE ca_id = %lld AND"
	    " length(serial) BETWEEN 26 AND 32", inter);
	assert_int_equal(hc_sql_int(path), 1);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM (SELECT ca_id, serial FROM certs"
	    " WHERE ca_id IS NOT NULL GROUP BY ca_id, serial HAVING COUNT(*) > 1)"), 0);
	hc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_guide_ca_server_user_through_forms, reset_throttle),
		cmocka_unit_test_setup(test_exports_headers_and_openssl, reset_throttle),
		cmocka_unit_test_setup(test_keys_sealed_and_never_shown, reset_throttle),
		cmocka_unit_test_setup(test_api_twins, reset_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
