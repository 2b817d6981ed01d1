/*
 * test_certs_reject — every bad input the issue lists, through the forms
 * (multipart, as browsers send files) and the API: each gets a clear
 * message next to its field, and no row is written.
 */
#include "certs.h"

static char *ca_pem, *ca_key, *srv_pem, *user_pem, *user_key, *user_p12;
static size_t user_p12_len;
static long long ca_id;

/* A fresh CA with a server and a user certificate, and their files. */
static int
setup(void **state)
{
	struct hc *c;
	char body[512], path[128];
	long long srv, usr;
	const struct hc_resp *r;

	(void)state;
	reset_throttle(NULL);
	c = api_client();
	ca_id = api_create(c, "/api/v1/cas", "{\"method\":\"internal\",\"name\":\"Reject CA\","
	    "\"key\":\"ec256\",\"cn\":\"Reject CA\"}", 201);
	snprintf(body, sizeof(body), "{\"method\":\"internal\",\"name\":\"rej server\",\"ca\":%lld,"
	    "\"type\":\"server\",\"key\":\"ec256\",\"cn\":\"rej.example.com\"}", ca_id);
	srv = api_create(c, "/api/v1/certs", body, 201);
	snprintf(body, sizeof(body), "{\"method\":\"internal\",\"name\":\"rej user\",\"ca\":%lld,"
	    "\"type\":\"user\",\"key\":\"ec256\",\"cn\":\"rej-user\"}", ca_id);
	usr = api_create(c, "/api/v1/certs", body, 201);
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/export?format=pem", ca_id);
	ca_pem = get_copy(c, path, 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export?format=pem", srv);
	srv_pem = get_copy(c, path, 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export?format=pem", usr);
	user_pem = get_copy(c, path, 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/export", ca_id);
	r = api_post(c, path, "{\"format\":\"key\",\"passphrase\":\"ca-key-pass\"}");
	assert_int_equal(r->status, 200);
	ca_key = strndup(r->body, r->body_len);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export", usr);
	r = api_post(c, path, "{\"format\":\"key\"}");
	user_key = strndup(r->body, r->body_len);
	r = api_post(c, path, "{\"format\":\"p12\",\"passphrase\":\"right-pass\"}");
	assert_int_equal(r->status, 200);
	user_p12_len = r->body_len;
	user_p12 = malloc(r->body_len);
	memcpy(user_p12, r->body, r->body_len);
	hc_free(c);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(ca_pem);
	free(ca_key);
	free(srv_pem);
	free(user_pem);
	free(user_key);
	free(user_p12);
	return 0;
}

/*
 * Posts an import form (multipart) to path: cert, key (may be NULL) and
 * passphrase; expects 422 with `message` shown next to field `field`, and
 * no new row in `count_sql`.
 */
static void
import_refused(const char *path, const char *method, const void *cert, size_t certlen,
    const char *key, const char *pass, const char *field, const char *message,
    const char *count_sql)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	long long before = hc_sql_int(count_sql);
	char *csrf, want[256], *page;
	const char *at;

	hc_get(c, strcmp(method, "import") == 0 && strstr(path, "/ca/") ?
	    "/system/certmanager/ca/new" : "/system/certmanager/certs/new");
	csrf = strdup(hc_csrf(c));
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "method", NULL, method, 0 },
			{ "name", NULL, "refused import", 0 },
			{ "cert", "upload.bin", cert, certlen },
			{ "private_key", "key.pem", key ? key : "", 0 },
			{ "passphrase", NULL, pass ? pass : "", 0 },
		};
		r = hc_multipart(c, path, p, 6);
	}
	if (r->status != 422)
		fprintf(stderr, "status %ld: %.2000s\n", r->status, r->body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "Nothing was saved.");
	/* The message sits right after the field's input. */
	page = r->body;
	snprintf(want, sizeof(want), "id=\"%s\"", field);
	at = strstr(page, want);
	assert_non_null(at);
	at = strstr(at, ">");
	assert_non_null(at);
	{
		const char *next = "\n          <p class=\"field-error\">";

		if (strncmp(at + 1, next, strlen(next)) != 0)
			fprintf(stderr, "after #%s: %.200s\n", field, at + 1);
		assert_int_equal(strncmp(at + 1, next, strlen(next)), 0);
	}
	assert_contains(at, message);
	assert_int_equal(hc_sql_int(count_sql), before);
	free(csrf);
	hc_free(c);
}

/* The same through the API: 422 with the message under fields.<field>. */
static void
api_refused(const char *path, const char *json, const char *field, const char *message,
    const char *count_sql)
{
	struct hc *c = api_client();
	const struct hc_resp *r;
	long long before = hc_sql_int(count_sql);
	json_t *j;
	const char *m;

	r = api_post(c, path, json);
	if (r->status != 422)
		fprintf(stderr, "status %ld: %.1000s\n", r->status, r->body);
	assert_int_equal(r->status, 422);
	j = resp_json(r);
	assert_string_equal(json_string_value(json_object_get(j, "error")), "validation");
	m = json_string_value(json_object_get(json_object_get(j, "fields"), field));
	if (m == NULL)
		fprintf(stderr, "no message for %s in %s\n", field, r->body);
	assert_non_null(m);
	assert_contains(m, message);
	json_decref(j);
	assert_int_equal(hc_sql_int(count_sql), before);
	hc_free(c);
}

static void
test_non_ca_imported_as_ca(void **state)
{
	char *json, *pem, *cert, *key;

	(void)state;
	import_refused("/system/certmanager/ca/new", "import", srv_pem, strlen(srv_pem), NULL,
	    NULL, "cert", "The certificate is not a CA (basicConstraints CA:TRUE is missing).",
	    CAS);
	fixture_cert(2048, -1, 30, 0, "self-signed leaf", &cert, &key);
	import_refused("/system/certmanager/ca/new", "import", cert, strlen(cert), key, NULL,
	    "cert", "is not a CA", CAS);
	pem = jstr(srv_pem);
	if (asprintf(&json, "{\"method\":\"import\",\"name\":\"x\",\"cert\":%s}", pem) < 0)
		abort();
	api_refused("/api/v1/cas", json, "cert", "is not a CA", CAS);
	free(json);
	free(pem);
	free(cert);
	free(key);
}

static void
test_ca_import_key_checks(void **state)
{
	struct hc *c;
	char *json, *a, *b;
	long long n;

	(void)state;
	/* A key that is not the CA's. */
	import_refused("/system/certmanager/ca/new", "import", ca_pem, strlen(ca_pem), user_key,
	    NULL, "private_key", "The private key does not match the CA certificate.", CAS);
	/* The right, encrypted key with a wrong passphrase. */
	import_refused("/system/certmanager/ca/new", "import", ca_pem, strlen(ca_pem), ca_key,
	    "not-the-pass", "passphrase", "passphrase", CAS);
	/* ...and with the right one: imported, with its key sealed. */
	c = api_client();
	a = jstr(ca_pem);
	b = jstr(ca_key);
	n = hc_sql_int(CAS);
	if (asprintf(&json, "{\"method\":\"import\",\"name\":\"Imported with key\",\"cert\":%s,"
	    "\"private_key\":%s,\"passphrase\":\"ca-key-pass\"}", a, b) < 0)
		abort();
	assert_true(api_create(c, "/api/v1/cas", json, 201) > 0);
	assert_int_equal(hc_sql_int(CAS), n + 1);
	assert_int_equal(hc_sql_int("SELECT origin = 3 AND length(key_sealed) > 100 FROM cas"
	    " WHERE name = 'Imported with key'"), 1);
	free(json);
	free(a);
	free(b);
	hc_free(c);
}

static void
test_wrong_p12_password(void **state)
{
	struct hc *c;
	char *csrf;
	const struct hc_resp *r;
	long long n = hc_sql_int(CERTS);

	(void)state;
	import_refused("/system/certmanager/certs/new", "import", user_p12, user_p12_len, NULL,
	    "wrong-pass", "passphrase", "Wrong password for the PKCS#12 file", CERTS);
	import_refused("/system/certmanager/certs/new", "import", user_p12, user_p12_len, NULL,
	    "", "passphrase", "PKCS#12", CERTS);
	/* The right password imports it, key included. */
	c = admin_client();
	hc_get(c, "/system/certmanager/certs/new");
	csrf = strdup(hc_csrf(c));
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "method", NULL, "import", 0 },
			{ "name", NULL, "from p12", 0 }, { "cert", "u.p12", user_p12, user_p12_len },
			{ "passphrase", NULL, "right-pass", 0 },
		};
		r = hc_multipart(c, "/system/certmanager/certs/new", p, 5);
	}
	assert_int_equal(r->status, 303);
	assert_int_equal(hc_sql_int(CERTS), n + 1);
	assert_int_equal(hc_sql_int("SELECT type = 2 AND origin = 2 AND key_sealed IS NOT NULL"
	    " AND chain_pem LIKE '%BEGIN CERTIFICATE%' FROM certs WHERE name = 'from p12'"), 1);
	free(csrf);
	hc_free(c);
}

static void
test_mismatched_key(void **state)
{
	char *json, *a, *b;

	(void)state;
	import_refused("/system/certmanager/certs/new", "import", srv_pem, strlen(srv_pem),
	    user_key, NULL, "private_key", "The private key does not match the certificate.",
	    CERTS);
	a = jstr(srv_pem);
	b = jstr(user_key);
	if (asprintf(&json, "{\"method\":\"import\",\"name\":\"x\",\"cert\":%s,"
	    "\"private_key\":%s}", a, b) < 0)
		abort();
	api_refused("/api/v1/certs", json, "private_key", "does not match", CERTS);
	free(json);
	free(a);
	free(b);
}

static void
test_garbage_and_truncated_pem(void **state)
{
	const char *garbage = "this is not a certificate at all\n";
	const char *badpem = "-----BEGIN CERTIFICATE-----\nNot*Base64!!\n-----END CERTIFICATE-----\n";
	unsigned char noise[600];
	char *half;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(noise); i++)
		noise[i] = (unsigned char)(i * 131 + 7);
	half = strndup(ca_pem, strlen(ca_pem) / 2);
	import_refused("/system/certmanager/ca/new", "import", garbage, strlen(garbage), NULL,
	    NULL, "cert", "Not a certificate, private key, CSR, CRL or PKCS#12 file", CAS);
	import_refused("/system/certmanager/ca/new", "import", badpem, strlen(badpem), NULL,
	    NULL, "cert", "certificate", CAS);
	import_refused("/system/certmanager/ca/new", "import", half, strlen(half), NULL, NULL,
	    "cert", "truncated", CAS);
	import_refused("/system/certmanager/certs/new", "import", half, strlen(half), NULL, NULL,
	    "cert", "truncated", CERTS);
	import_refused("/system/certmanager/certs/new", "import", noise, sizeof(noise), NULL,
	    NULL, "cert", ".", CERTS);
	api_refused("/api/v1/cas", "{\"method\":\"import\",\"name\":\"x\",\"cert\":\"-----BEGIN"
	    " CERTIFICATE-----\\nMIIB\\n\"}", "cert", "truncated", CAS);
	api_refused("/api/v1/cas", "{\"method\":\"import\",\"name\":\"x\"}", "cert", "Required",
	    CAS);
	free(half);
}

static void
test_expired_and_weak_keys(void **state)
{
	char *cert, *key, path[128], *csr, cmd[512];
	struct hc *c;
	const struct hc_resp *r;
	long long n;

	(void)state;
	fixture_cert(2048, -40, -10, 0, "expired.example.com", &cert, &key);
	import_refused("/system/certmanager/certs/new", "import", cert, strlen(cert), key, NULL,
	    "cert", "has expired", CERTS);
	free(cert);
	free(key);
	fixture_cert(2048, -40, -10, 1, "Expired CA", &cert, &key);
	import_refused("/system/certmanager/ca/new", "import", cert, strlen(cert), NULL, NULL,
	    "cert", "has expired", CAS);
	free(cert);
	free(key);
	/* Keys under 2048 bits: imported certificates, CAs and signed CSRs. */
	fixture_cert(1024, -1, 30, 0, "weak.example.com", &cert, &key);
	import_refused("/system/certmanager/certs/new", "import", cert, strlen(cert), key, NULL,
	    "cert", "RSA keys of 1024 bits are too weak", CERTS);
	free(cert);
	free(key);
	fixture_cert(1024, -1, 30, 1, "Weak CA", &cert, &key);
	import_refused("/system/certmanager/ca/new", "import", cert, strlen(cert), NULL, NULL,
	    "cert", "too weak", CAS);
	free(cert);
	free(key);
	snprintf(cmd, sizeof(cmd), "openssl req -new -newkey rsa:1024 -nodes -subj"
	    " /CN=weak-csr.example.com -keyout '%s' -out '%s'", scratch("weak.key"),
	    scratch("weak.csr"));
	assert_int_equal(run(cmd, NULL), 0);
	c = admin_client();
	hc_get(c, "/system/certmanager/certs/new");
	{
		FILE *f = fopen(scratch("weak.csr"), "r");
		char buf[4096] = "", id[32], *cs = strdup(hc_csrf(c));
		size_t len;

		assert_non_null(f);
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		csr = strdup(buf);
		snprintf(id, sizeof(id), "%lld", ca_id);
		const struct hc_part p[] = {
			{ "csrf", NULL, cs, 0 }, { "method", NULL, "sign", 0 },
			{ "name", NULL, "weak csr", 0 }, { "ca", NULL, id, 0 },
			{ "type", NULL, "server", 0 }, { "csr", "weak.csr", csr, 0 },
		};
		n = hc_sql_int(CERTS);
		r = hc_multipart(c, "/system/certmanager/certs/new", p, 6);
		assert_int_equal(r->status, 422);
		assert_contains(r->body, "too weak");
		assert_int_equal(hc_sql_int(CERTS), n);
		free(cs);
	}
	free(csr);
	/* Only key types of 2048 bits and more are offered. */
	r = hc_get(c, "/system/certmanager/certs/new");
	assert_not_contains(r->body, "value=\"rsa1024\"");
	snprintf(path, sizeof(path), "{\"method\":\"internal\",\"name\":\"w\",\"ca\":%lld,"
	    "\"type\":\"user\",\"key\":\"rsa1024\",\"cn\":\"w\"}", ca_id);
	hc_free(c);
	api_refused("/api/v1/certs", path, "key", "Choose one of the listed options.", CERTS);
}

static void
test_upload_of_10mb(void **state)
{
	struct hc *c = admin_client();
	size_t len = 10 * 1024 * 1024;
	char *big = malloc(len), *csrf;
	const struct hc_resp *r;
	long long nca = hc_sql_int(CAS), ncert = hc_sql_int(CERTS);

	(void)state;
	memset(big, 'A', len);
	memcpy(big, "-----BEGIN CERTIFICATE-----\n", 28);
	hc_get(c, "/system/certmanager/certs/new");
	csrf = strdup(hc_csrf(c));
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "method", NULL, "import", 0 },
			{ "name", NULL, "huge", 0 }, { "cert", "huge.pem", big, len },
		};
		r = hc_multipart(c, "/system/certmanager/certs/new", p, 4);
		assert_int_equal(r->status, 413);
		/* A page a person can read, not a bare status. */
		assert_string_equal(hc_resp_header(c, "Content-Type"), "text/html; charset=utf-8");
		assert_contains(r->body, "<!DOCTYPE html>");
		assert_contains(r->body, "The file is too large: uploads may be at most 4 MiB in all."
		    " Nothing was saved.");
		assert_not_contains(r->body, "AAAAAAAA");
		r = hc_multipart(c, "/system/certmanager/ca/new", p, 4);
		assert_int_equal(r->status, 413);
		assert_contains(r->body, "at most 4 MiB");
	}
	/* The API answers in JSON. */
	r = hc_post(c, "/api/v1/certs", "multipart/form-data; boundary=x", big, len);
	assert_int_equal(r->status, 413);
	assert_contains(r->body, "\"error\":\"The file is too large");
	assert_int_equal(hc_sql_int(CAS), nca);
	assert_int_equal(hc_sql_int(CERTS), ncert);
	free(csrf);
	free(big);
	hc_free(c);
}

static void
test_dn_control_characters(void **state)
{
	struct hc *c = admin_client();
	const struct hc_resp *r;
	char *csrf;
	long long n = hc_sql_int(CAS);

	(void)state;
	hc_get(c, "/system/certmanager/ca/new");
	csrf = strdup(hc_csrf(c));
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "method", NULL, "internal", 0 },
			{ "name", NULL, "control", 0 }, { "key", NULL, "ec256", 0 },
			{ "cn", NULL, "Control CA", 0 }, { "o", NULL, "Evil\x1b[31m Corp", 0 },
			{ "c", NULL, "XX", 0 }, { "l", NULL, "Tab\there", 0 },
		};
		r = hc_multipart(c, "/system/certmanager/ca/new", p, 8);
	}
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "Organization must not contain control characters");
	assert_contains(r->body, "City must not contain control characters");
	assert_contains(r->body, "Country must be a two-letter ISO 3166 code");
	assert_int_equal(hc_sql_int(CAS), n);
	free(csrf);
	hc_free(c);
	api_refused("/api/v1/cas", "{\"method\":\"internal\",\"name\":\"x\",\"key\":\"ec256\","
	    "\"cn\":\"bell\\u0007\"}", "cn", "control characters", CAS);
	api_refused("/api/v1/cas", "{\"method\":\"internal\",\"name\":\"x\",\"key\":\"ec256\","
	    "\"cn\":\"ok\",\"st\":\"c1\\u0085\"}", "st", "control characters", CAS);
	api_refused("/api/v1/cas", "{\"method\":\"internal\",\"name\":\"x\",\"key\":\"ec256\"}",
	    "cn", "Required", CAS);
}

static void
test_certificate_rules(void **state)
{
	char json[512];

	(void)state;
	/* A server certificate nobody can connect to by name: refused. */
	snprintf(json, sizeof(json), "{\"method\":\"internal\",\"name\":\"nosan\",\"ca\":%lld,"
	    "\"type\":\"server\",\"key\":\"ec256\",\"cn\":\"My VPN Server\"}", ca_id);
	api_refused("/api/v1/certs", json, "san", "A server certificate needs at least one FQDN"
	    " or IP address", CERTS);
	snprintf(json, sizeof(json), "{\"method\":\"internal\",\"name\":\"badsan\",\"ca\":%lld,"
	    "\"type\":\"server\",\"key\":\"ec256\",\"cn\":\"ok.example.com\","
	    "\"san\":\"good.example.com\\nnot a host!\"}", ca_id);
	api_refused("/api/v1/certs", json, "san", "\"not a host!\" is not a valid host name",
	    CERTS);
	api_refused("/api/v1/certs", "{\"method\":\"internal\",\"name\":\"noca\",\"type\":\"user\","
	    "\"cn\":\"u\"}", "ca", "Choose the CA", CERTS);
	api_refused("/api/v1/certs", "{\"method\":\"internal\",\"name\":\"noca\",\"ca\":999999,"
	    "\"type\":\"user\",\"cn\":\"u\"}", "ca", "does not exist", CERTS);
	snprintf(json, sizeof(json), "{\"method\":\"internal\",\"name\":\"d\",\"ca\":%lld,"
	    "\"type\":\"user\",\"key\":\"ec256\",\"cn\":\"u\",\"days\":0}", ca_id);
	api_refused("/api/v1/certs", json, "days", "between 1 and 36500", CERTS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_non_ca_imported_as_ca, reset_throttle),
		cmocka_unit_test_setup(test_ca_import_key_checks, reset_throttle),
		cmocka_unit_test_setup(test_wrong_p12_password, reset_throttle),
		cmocka_unit_test_setup(test_mismatched_key, reset_throttle),
		cmocka_unit_test_setup(test_garbage_and_truncated_pem, reset_throttle),
		cmocka_unit_test_setup(test_expired_and_weak_keys, reset_throttle),
		cmocka_unit_test_setup(test_upload_of_10mb, reset_throttle),
		cmocka_unit_test_setup(test_dn_control_characters, reset_throttle),
		cmocka_unit_test_setup(test_certificate_rules, reset_throttle),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
