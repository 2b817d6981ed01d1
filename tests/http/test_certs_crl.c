/*
 * test_certs_crl — revocation and CRLs (reasons, hold and its undoing, CRL
 * numbers, distribution point, exports checked with openssl, importing a
 * CRL from a URL served by this test), CSRs for an outside CA (signed here
 * with the openssl command), signing uploaded CSRs, and renewal.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include "certs.h"

static long long ca_id;
static char *ca_pem;

/* ---------------------------------------------------------------- a tiny HTTP server */

struct route {
	const char	*path;
	int		 status;
	const void	*data;
	size_t		 len;
};

static struct route routes[8];
static size_t nroutes;
static int port;

static void *
serve(void *arg)
{
	int ls = *(int *)arg, s;
	char req[2048], head[256], *sp, *ep;
	ssize_t n;
	size_t i, off;

	for (;;) {
		if ((s = accept(ls, NULL, NULL)) == -1)
			continue;
		n = recv(s, req, sizeof(req) - 1, 0);
		req[n > 0 ? n : 0] = '\0';
		sp = strchr(req, ' ');
		ep = sp ? strchr(sp + 1, ' ') : NULL;
		if (ep)
			*ep = '\0';
		for (i = 0; i < nroutes; i++)
			if (sp && strcmp(sp + 1, routes[i].path) == 0)
				break;
		if (i == nroutes) {
			snprintf(head, sizeof(head), "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
			send(s, head, strlen(head), MSG_NOSIGNAL);
		} else {
			snprintf(head, sizeof(head), "HTTP/1.0 %d X\r\nContent-Length: %zu\r\n\r\n",
			    routes[i].status, routes[i].len);
			send(s, head, strlen(head), MSG_NOSIGNAL);
			for (off = 0; off < routes[i].len; off += (size_t)n) {
				n = send(s, (const char *)routes[i].data + off, routes[i].len - off,
				    MSG_NOSIGNAL);
				if (n <= 0)
					break;
			}
		}
		close(s);
	}
	return NULL;
}

static void
serve_start(void)
{
	static int ls;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	pthread_t t;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(ls, 16), 0);
	getsockname(ls, (struct sockaddr *)&a, &alen);
	port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&t, NULL, serve, &ls), 0);
	pthread_detach(t);
}

/* A port nothing listens on. */
static int
closed_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), p;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	getsockname(s, (struct sockaddr *)&a, &alen);
	p = ntohs(a.sin_port);
	close(s);
	return p;
}

/* ---------------------------------------------------------------- helpers */

static int
setup(void **state)
{
	struct hc *c;
	char path[128];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	reset_throttle(NULL);
	c = api_client();
	ca_id = api_create(c, "/api/v1/cas", "{\"method\":\"internal\",\"name\":\"CRL CA\","
	    "\"key\":\"ec256\",\"cn\":\"CRL CA\"}", 201);
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/export?format=pem", ca_id);
	ca_pem = get_copy(c, path, 200, NULL);
	write_file(scratch("crl-ca.pem"), ca_pem, strlen(ca_pem));
	hc_free(c);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(ca_pem);
	return 0;
}

static long long
user_cert(struct hc *c, const char *name)
{
	char json[512];

	snprintf(json, sizeof(json), "{\"method\":\"internal\",\"name\":\"%s\",\"ca\":%lld,"
	    "\"type\":\"user\",\"key\":\"ec256\",\"cn\":\"%s\"}", name, ca_id, name);
	return api_create(c, "/api/v1/certs", json, 201);
}

static char *
serial_of(long long cert)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT serial FROM certs WHERE id = %lld", cert);
	return hc_sql(sql);
}

static long long
crl_number(void)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT number FROM crl_state WHERE ca_id = %lld", ca_id);
	return hc_sql_int(sql);
}

/* The CA's CRL as openssl prints it (caller frees); checks headers and signature. */
static char *
crl_text(struct hc *c)
{
	char path[128], cmd[512], *out;
	const struct hc_resp *r;

	snprintf(path, sizeof(path), "/system/certmanager/crl/%lld/export?format=der", ca_id);
	r = hc_get(c, path);
	assert_int_equal(r->status, 200);
	assert_string_equal(hc_resp_header(c, "Content-Type"), "application/pkix-crl");
	assert_string_equal(hc_resp_header(c, "Content-Disposition"),
	    "attachment; filename=\"CRL_CA.crl\"");
	write_file(scratch("crl.der"), r->body, r->body_len);
	snprintf(cmd, sizeof(cmd), "openssl crl -inform DER -in '%s' -CAfile '%s' -noout -text",
	    scratch("crl.der"), scratch("crl-ca.pem"));
	assert_int_equal(run(cmd, &out), 0);
	assert_contains(out, "verify OK");
	assert_contains(out, "ecdsa-with-SHA256");
	return out;
}

/* ---------------------------------------------------------------- tests */

static void
test_revoke_hold_unhold_and_crl(void **state)
{
	struct hc *c = api_client(), *b = admin_client();
	const struct hc_resp *r;
	long long a, h, n0, rid, later;
	char path[160], body[256], *sa, *sh, *out, want[128];

	(void)state;
	a = user_cert(c, "crl-a");
	h = user_cert(c, "crl-b");
	sa = serial_of(a);
	sh = serial_of(h);
	n0 = crl_number();
	/* Through the page: keyCompromise. */
	snprintf(path, sizeof(path), "/system/certmanager/crl/%lld?cert=%lld", ca_id, a);
	r = hc_get(b, path);
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "crl-a (");
	snprintf(path, sizeof(path), "/system/certmanager/crl/%lld/revoke", ca_id);
	snprintf(body, sizeof(body), "csrf=%s&cert=%lld&reason=keyCompromise", hc_csrf(b), a);
	r = hc_form(b, path, body);
	assert_int_equal(r->status, 303);
	snprintf(want, sizeof(want), "/system/certmanager/crl/%lld?msg=cert-revoked", ca_id);
	assert_string_equal(hc_resp_header(b, "Location"), want);
	assert_contains(hc_get(b, want)->body, "Certificate revoked; the CRL was updated.");
	assert_int_equal(crl_number(), n0 + 1);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld", a);
	assert_contains(hc_get(c, path)->body, "\"status\":\"revoked\"");
	out = crl_text(b);
	assert_contains(out, sa);
	assert_contains(out, "Key Compromise");
	free(out);
	/* Again: refused, nothing changes. */
	r = hc_form(b, "/system/certmanager/crl/0/revoke", body);
	assert_int_equal(r->status, 404);
	snprintf(path, sizeof(path), "/system/certmanager/crl/%lld/revoke", ca_id);
	r = hc_form(b, path, body);
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "already revoked");
	assert_int_equal(crl_number(), n0 + 1);

	/* Through the API: a hold, then undone. */
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/revocations", ca_id);
	snprintf(body, sizeof(body), "{\"cert\":%lld,\"reason\":\"certificateHold\"}", h);
	r = api_post(c, path, body);
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"reason\":\"certificateHold\"");
	assert_int_equal(crl_number(), n0 + 2);
	out = crl_text(b);
	assert_contains(out, sh);
	assert_contains(out, "Certificate Hold");
	free(out);
	snprintf(body, sizeof(body), "SELECT id FROM revocations WHERE serial = '%s'", sa);
	rid = hc_sql_int(body);
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/revocations/%lld", ca_id, rid);
	r = hc_request(c, "DELETE", path, NULL, NULL, 0);
	assert_int_equal(r->status, 409);
	assert_contains(r->body, "Only a certificate on hold can be reinstated");
	snprintf(body, sizeof(body), "SELECT id FROM revocations WHERE serial = '%s'", sh);
	rid = hc_sql_int(body);
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/revocations/%lld", ca_id, rid);
	assert_int_equal(hc_request(c, "DELETE", path, NULL, NULL, 0)->status, 200);
	assert_int_equal(crl_number(), n0 + 3);
	out = crl_text(b);
	assert_not_contains(out, sh);
	assert_contains(out, sa);
	free(out);
	/* A serial that is not stored here; a malformed one. */
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/revocations", ca_id);
	r = api_post(c, path, "{\"serial\":\"0x1234abcd\",\"reason\":\"superseded\"}");
	assert_int_equal(r->status, 200);
	snprintf(body, sizeof(body), "SELECT reason FROM revocations WHERE ca_id = %lld AND"
	    " serial = '1234ABCD'", ca_id);
	assert_int_equal(hc_sql_int(body), 4);
	r = api_post(c, path, "{\"serial\":\"xyz\"}");
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "hexadecimal");
	r = api_post(c, path, "{\"reason\":\"keyCompromise\"}");
	assert_int_equal(r->status, 422);
	assert_int_equal(crl_number(), n0 + 4);
	/* The list page shows the reasons. */
	snprintf(path, sizeof(path), "/system/certmanager/crl/%lld", ca_id);
	r = hc_get(b, path);
	assert_contains(r->body, "Key compromise");
	assert_contains(r->body, "Superseded");

	/* Settings: next update and the distribution point of later certificates. */
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/crl", ca_id);
	r = api_put(c, path, "{\"next_days\":0,\"dist_url\":"
	    "\"ftp://x/y.crl\"}");
	assert_int_equal(r->status, 422);
	assert_contains(r->body, "\"next_days\"");
	assert_contains(r->body, "http://");
	body[0] = '\0';
	snprintf(body, sizeof(body), "{\"next_days\":7,\"dist_url\":\"http://vpn.example.com/crl-ca.crl\"}");
	r = api_put(c, path, body);
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"next_days\":7");
	assert_int_equal(crl_number(), n0 + 5);
	out = crl_text(b);
	assert_contains(out, "Next Update");
	free(out);
	later = user_cert(c, "crl-later");
	snprintf(path, sizeof(path), "/api/v1/certs/%lld", later);
	assert_contains(hc_get(c, path)->body, "\"crl_uris\":[\"http://vpn.example.com/crl-ca.crl\"]");
	/* PEM too. */
	snprintf(path, sizeof(path), "/system/certmanager/crl/%lld/export?format=pem", ca_id);
	r = hc_get(b, path);
	assert_string_equal(hc_resp_header(b, "Content-Type"), "application/x-pem-file");
	assert_string_equal(hc_resp_header(b, "Content-Disposition"),
	    "attachment; filename=\"CRL_CA-crl.pem\"");
	assert_int_equal(strncmp(r->body, "-----BEGIN X509 CRL-----", 24), 0);
	/* Audited. */
	assert_true(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'cert.revoke'") >= 3);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'cert.unhold'"), 1);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'crl.settings'"), 1);
	free(sa);
	free(sh);
	hc_free(b);
	hc_free(c);
}

static void
test_crl_import_from_url(void **state)
{
	struct hc *c = api_client(), *b;
	const struct hc_resp *r;
	char *json, *pem, path[128], url[256], *crl, *other, *csrf;
	size_t crllen, otherlen, bigl = 11 * 1024 * 1024;
	long long imp, other_ca, fetched;
	char *big = malloc(bigl);

	(void)state;
	memset(big, 'A', bigl);
	pem = jstr(ca_pem);
	if (asprintf(&json, "{\"method\":\"import\",\"name\":\"CRL CA imported\",\"cert\":%s}",
	    pem) < 0)
		abort();
	imp = api_create(c, "/api/v1/cas", json, 201);
	free(json);
	free(pem);
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/crl/export?format=der", ca_id);
	crl = get_copy(c, path, 200, &crllen);
	other_ca = api_create(c, "/api/v1/cas", "{\"method\":\"internal\",\"name\":\"Other CA\","
	    "\"key\":\"ec256\",\"cn\":\"Other CA\"}", 201);
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/crl/export?format=der", other_ca);
	other = get_copy(c, path, 200, &otherlen);
	routes[0] = (struct route){ "/ca.crl", 200, crl, crllen };
	routes[1] = (struct route){ "/garbage", 200, "hello, world", 12 };
	routes[2] = (struct route){ "/other.crl", 200, other, otherlen };
	routes[3] = (struct route){ "/huge.crl", 200, big, bigl };
	routes[4] = (struct route){ "/error", 500, "", 0 };
	nroutes = 5;
	serve_start();

	/* Fetched, checked against the CA, stored. */
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/crl/import", imp);
	if (asprintf(&json, "{\"url\":\"http://127.0.0.1:%d/ca.crl\"}", port) < 0)
		abort();
	r = api_post(c, path, json);
	free(json);
	if (r->status != 200)
		fprintf(stderr, "%s\n", r->body);
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "\"imported\":{");
	snprintf(url, sizeof(url), "SELECT entries FROM crls_imported WHERE ca_id = %lld", imp);
	assert_true(hc_sql_int(url) >= 2);
	snprintf(url, sizeof(url), "SELECT fetched FROM crls_imported WHERE ca_id = %lld", imp);
	fetched = hc_sql_int(url);
	free(hc_sql("UPDATE crls_imported SET fetched = 1"));

	/* Each failure: a clear message next to the URL, nothing changed. */
	b = admin_client();
	{
		static const struct {
			const char *path;
			const char *msg;
		} bad[] = {
			{ "/missing.crl", "HTTP 404 from http://127.0.0.1:" },
			{ "/error", "HTTP 500" },
			{ "/garbage", "/garbage returned is not a CRL: Not a certificate" },
			{ "/other.crl", "not by" },
			{ "/huge.crl", "larger than" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]) + 2; i++) {
			snprintf(path, sizeof(path), "/system/certmanager/crl/%lld", imp);
			hc_get(b, path);
			csrf = strdup(hc_csrf(b));
			if (i < sizeof(bad) / sizeof(bad[0]))
				snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, bad[i].path);
			else if (i == sizeof(bad) / sizeof(bad[0]))
				snprintf(url, sizeof(url), "file:///etc/passwd");
			else
				snprintf(url, sizeof(url), "http://127.0.0.1:%d/ca.crl", closed_port());
			const struct hc_part p[] = {
				{ "csrf", NULL, csrf, 0 }, { "url", NULL, url, 0 },
				{ "crl", "", "", 0 },
			};
			snprintf(path, sizeof(path), "/system/certmanager/crl/%lld/import", imp);
			r = hc_multipart(b, path, p, 3);
			if (r->status != 422)
				fprintf(stderr, "%s: %ld\n", url, r->status);
			assert_int_equal(r->status, 422);
			assert_contains(r->body, "<input id=\"crl_url\"");
			assert_contains(r->body, "field-error");
			if (getenv("HC_DEBUG"))
				fprintf(stderr, "%s: %.300s\n", url, strstr(r->body, "field-error"));
			if (i < sizeof(bad) / sizeof(bad[0]))
				assert_contains(r->body, bad[i].msg);
			else if (i == sizeof(bad) / sizeof(bad[0]))
				assert_contains(r->body, "Only http:// and https:// URLs can be fetched");
			else
				assert_contains(r->body, "Cannot fetch");
			free(csrf);
		}
	}
	snprintf(url, sizeof(url), "SELECT fetched FROM crls_imported WHERE ca_id = %lld", imp);
	assert_int_equal(hc_sql_int(url), 1);
	assert_true(fetched > 1);

	/* Uploaded as a file instead. */
	snprintf(path, sizeof(path), "/system/certmanager/crl/%lld", imp);
	hc_get(b, path);
	csrf = strdup(hc_csrf(b));
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "url", NULL, "", 0 },
			{ "crl", "ca.crl", crl, crllen },
		};
		snprintf(path, sizeof(path), "/system/certmanager/crl/%lld/import", imp);
		r = hc_multipart(b, path, p, 3);
		assert_int_equal(r->status, 303);
	}
	free(csrf);
	snprintf(url, sizeof(url), "SELECT fetched > 1 AND url = '' FROM crls_imported"
	    " WHERE ca_id = %lld", imp);
	assert_int_equal(hc_sql_int(url), 1);
	/* A CA without key here hands out the imported CRL. */
	snprintf(path, sizeof(path), "/system/certmanager/crl/%lld/export?format=pem", imp);
	r = hc_get(b, path);
	assert_int_equal(r->status, 200);
	assert_contains(r->body, "-----BEGIN X509 CRL-----");
	/* CAs here make their own: no import. */
	snprintf(path, sizeof(path), "/api/v1/cas/%lld/crl/import", ca_id);
	assert_int_equal(api_post(c, path, "{\"url\":\"http://127.0.0.1/x\"}")->status, 409);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'crl.import'"), 2);
	free(crl);
	free(other);
	hc_free(b);
	hc_free(c);
	/* big stays allocated: the server thread may still be sending it. */
}

static void
test_csr_for_outside_ca(void **state)
{
	struct hc *c = api_client(), *b;
	const struct hc_resp *r;
	char path[128], cmd[1024], *csr, *out, *signed_pem, *csrf, *wrong, *wrongkey;
	long long id;
	json_t *j;
	FILE *f;
	size_t len;

	(void)state;
	r = api_post(c, "/api/v1/certs", "{\"method\":\"csr\",\"name\":\"outside csr\","
	    "\"type\":\"server\",\"key\":\"ec256\",\"cn\":\"ext.example.com\",\"o\":\"Example\","
	    "\"san\":[\"ext.example.com\",\"203.0.113.9\"]}");
	assert_int_equal(r->status, 201);
	j = resp_json(r);
	id = json_integer_value(json_object_get(j, "id"));
	assert_true(json_is_true(json_object_get(j, "pending")));
	assert_string_equal(json_string_value(json_object_get(j, "status")), "pending");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export?format=csr", id);
	csr = get_copy(c, path, 200, NULL);
	assert_string_equal(hc_resp_header(c, "Content-Disposition"),
	    "attachment; filename=\"outside_csr.csr\"");
	assert_contains(csr, "-----BEGIN CERTIFICATE REQUEST-----");
	write_file(scratch("outside.csr"), csr, strlen(csr));
	snprintf(cmd, sizeof(cmd), "openssl req -in '%s' -noout -verify -text", scratch("outside.csr"));
	assert_int_equal(run(cmd, &out), 0);
	assert_contains(out, "DNS:ext.example.com");
	free(out);
	/* Nothing to export but the request while it waits. */
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export", id);
	assert_int_equal(api_post(c, path, "{\"format\":\"p12\",\"passphrase\":\"xxxxxx\"}")->status,
	    409);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export?format=pem", id);
	assert_int_equal(hc_get(c, path)->status, 422);
	/* The outside CA signs it (openssl). */
	snprintf(cmd, sizeof(cmd), "cd '%s/scratch' && openssl req -x509 -newkey ec -pkeyopt"
	    " ec_paramgen_curve:P-256 -nodes -keyout outside-ca.key -out outside-ca.pem"
	    " -subj '/CN=Outside CA' -days 30 && openssl x509 -req -in outside.csr -CA"
	    " outside-ca.pem -CAkey outside-ca.key -CAcreateserial -days 30 -copy_extensions copy"
	    " -out outside-signed.pem", hc_env("IKEGW_VAR"));
	assert_int_equal(run(cmd, &out), 0);
	free(out);
	f = fopen(scratch("outside-signed.pem"), "r");
	assert_non_null(f);
	signed_pem = calloc(1, 8192);
	len = fread(signed_pem, 1, 8191, f);
	fclose(f);
	assert_true(len > 100);
	/* A certificate for another key: refused, still waiting. */
	fixture_cert(2048, -1, 30, 0, "ext.example.com", &wrong, &wrongkey);
	b = admin_client();
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld", id);
	r = hc_get(b, path);
	assert_contains(r->body, "Import signed certificate");
	csrf = strdup(hc_csrf(b));
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld/complete", id);
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "cert", "wrong.pem", wrong, 0 },
		};
		r = hc_multipart(b, path, p, 2);
		assert_int_equal(r->status, 422);
		assert_contains(r->body, "The certificate is not for this CSR&#39;s key.");
	}
	snprintf(cmd, sizeof(cmd), "SELECT pending FROM certs WHERE id = %lld", id);
	assert_int_equal(hc_sql_int(cmd), 1);
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "cert", "signed.pem", signed_pem, 0 },
		};
		r = hc_multipart(b, path, p, 2);
		assert_int_equal(r->status, 303);
	}
	snprintf(cmd, sizeof(cmd), "SELECT pending = 0 AND serial IS NOT NULL AND origin = 3"
	    " AND ca_id IS NULL FROM certs WHERE id = %lld", id);
	assert_int_equal(hc_sql_int(cmd), 1);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld", id);
	r = hc_get(c, path);
	assert_contains(r->body, "\"status\":\"valid\"");
	assert_contains(r->body, "CN=Outside CA");
	/* Now a PKCS#12 can be made with the key kept here. */
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export", id);
	r = api_post(c, path, "{\"format\":\"p12\",\"passphrase\":\"outside\"}");
	assert_int_equal(r->status, 200);
	assert_int_equal(hc_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'cert.complete'"), 1);
	free(csrf);
	free(wrong);
	free(wrongkey);
	free(signed_pem);
	free(csr);
	hc_free(b);
	hc_free(c);
}

static void
test_sign_uploaded_csr(void **state)
{
	struct hc *c = api_client(), *b = admin_client();
	const struct hc_resp *r;
	char cmd[1024], id[32], *csr, *csrf, path[128];
	size_t len;
	long long n = hc_sql_int(CERTS), cert;
	FILE *f;

	(void)state;
	snprintf(cmd, sizeof(cmd), "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256"
	    " -nodes -subj /CN=phone.example.com -addext"
	    " subjectAltName=DNS:phone.example.com,DNS:alt.example.com -keyout '%s' -out '%s'",
	    scratch("phone.key"), scratch("phone.csr"));
	assert_int_equal(run(cmd, NULL), 0);
	f = fopen(scratch("phone.csr"), "r");
	csr = calloc(1, 8192);
	len = fread(csr, 1, 8191, f);
	fclose(f);
	assert_true(len > 100);
	snprintf(id, sizeof(id), "%lld", ca_id);
	hc_get(b, "/system/certmanager/certs/new");
	csrf = strdup(hc_csrf(b));
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "method", NULL, "sign", 0 },
			{ "name", NULL, "phone", 0 }, { "ca", NULL, id, 0 },
			{ "type", NULL, "server", 0 }, { "days", NULL, "30", 0 },
			{ "csr", "phone.csr", csr, 0 }, { "keep_sans", NULL, "1", 0 },
			{ "san", NULL, "extra.example.com", 0 },
		};
		r = hc_multipart(b, "/system/certmanager/certs/new", p, 9);
		assert_int_equal(r->status, 303);
	}
	cert = hc_sql_int("SELECT id FROM certs WHERE name = 'phone'");
	snprintf(path, sizeof(path), "/api/v1/certs/%lld", cert);
	r = hc_get(c, path);
	assert_contains(r->body, "alt.example.com");
	assert_contains(r->body, "extra.example.com");
	assert_contains(r->body, "\"has_key\":false");
	assert_contains(r->body, "\"origin\":\"signed\"");
	/* Without the request's own names. */
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "method", NULL, "sign", 0 },
			{ "name", NULL, "phone2", 0 }, { "ca", NULL, id, 0 },
			{ "type", NULL, "user", 0 }, { "csr", "phone.csr", csr, 0 },
		};
		r = hc_multipart(b, "/system/certmanager/certs/new", p, 6);
		assert_int_equal(r->status, 303);
	}
	cert = hc_sql_int("SELECT id FROM certs WHERE name = 'phone2'");
	snprintf(path, sizeof(path), "/api/v1/certs/%lld", cert);
	r = hc_get(c, path);
	assert_not_contains(r->body, "alt.example.com");
	assert_contains(r->body, "phone.example.com");
	assert_contains(r->body, "clientAuth");
	/* A request that is not one. */
	{
		const struct hc_part p[] = {
			{ "csrf", NULL, csrf, 0 }, { "method", NULL, "sign", 0 },
			{ "name", NULL, "phone3", 0 }, { "ca", NULL, id, 0 },
			{ "type", NULL, "user", 0 }, { "csr", "x.csr", "garbage", 0 },
		};
		r = hc_multipart(b, "/system/certmanager/certs/new", p, 6);
		assert_int_equal(r->status, 422);
		assert_contains(r->body, "<input id=\"csr\"");
	}
	assert_int_equal(hc_sql_int(CERTS), n + 2);
	free(csrf);
	free(csr);
	hc_free(b);
	hc_free(c);
}

static void
test_renew(void **state)
{
	struct hc *c = api_client(), *b = admin_client();
	const struct hc_resp *r;
	char json[512], path[128], *key1, *key2, *key3, *s1, *s2, *s3, *san1, want[160];
	long long id, n, imp;
	json_t *j;

	(void)state;
	snprintf(json, sizeof(json), "{\"method\":\"internal\",\"name\":\"renew me\",\"ca\":%lld,"
	    "\"type\":\"server\",\"key\":\"ec256\",\"cn\":\"renew.example.com\","
	    "\"san\":\"192.0.2.44\",\"days\":100}", ca_id);
	id = api_create(c, "/api/v1/certs", json, 201);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export", id);
	r = api_post(c, path, "{\"format\":\"key\"}");
	key1 = strndup(r->body, r->body_len);
	s1 = serial_of(id);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld", id);
	j = resp_json(hc_get(c, path));
	san1 = json_dumps(json_object_get(j, "san"), JSON_SORT_KEYS);
	json_decref(j);
	/* Keep the key: new serial and validity, same key and names. */
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/renew", id);
	r = api_post(c, path, "{\"keep_key\":true,\"days\":200}");
	assert_int_equal(r->status, 200);
	j = resp_json(r);
	assert_string_equal(json_dumps(json_object_get(j, "san"), JSON_SORT_KEYS), san1);
	json_decref(j);
	s2 = serial_of(id);
	assert_string_not_equal(s1, s2);
	snprintf(path, sizeof(path), "SELECT (not_after - not_before + 60) / 86400 FROM certs"
	    " WHERE id = %lld", id);
	assert_int_equal(hc_sql_int(path), 200);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export", id);
	r = api_post(c, path, "{\"format\":\"key\"}");
	key2 = strndup(r->body, r->body_len);
	assert_string_equal(key1, key2);
	/* Through the page: a new key, the old certificate revoked as superseded. */
	n = crl_number();
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld", id);
	r = hc_get(b, path);
	assert_contains(r->body, "Renew or reissue");
	snprintf(path, sizeof(path), "/system/certmanager/certs/%lld/renew", id);
	snprintf(json, sizeof(json), "csrf=%s&days=825&digest=sha384&key=ec384&revoke_old=1",
	    hc_csrf(b));
	r = hc_form(b, path, json);
	assert_int_equal(r->status, 303);
	snprintf(want, sizeof(want), "/system/certmanager/certs/%lld?msg=cert-renewed", id);
	assert_string_equal(hc_resp_header(b, "Location"), want);
	s3 = serial_of(id);
	assert_string_not_equal(s2, s3);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/export", id);
	r = api_post(c, path, "{\"format\":\"key\"}");
	key3 = strndup(r->body, r->body_len);
	assert_string_not_equal(key2, key3);
	snprintf(path, sizeof(path), "SELECT key_type FROM certs WHERE id = %lld", id);
	{
		char *kt = hc_sql(path);

		assert_string_equal(kt, "ECDSA P-384");
		free(kt);
	}
	snprintf(path, sizeof(path), "SELECT reason FROM revocations WHERE serial = '%s'", s2);
	assert_int_equal(hc_sql_int(path), 4);
	assert_int_equal(crl_number(), n + 1);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld", id);
	assert_contains(hc_get(c, path)->body, "\"status\":\"valid\"");
	/* Something not issued here cannot be renewed here. */
	imp = hc_sql_int("SELECT id FROM certs WHERE origin = 4 LIMIT 1");
	snprintf(path, sizeof(path), "SELECT id FROM certs WHERE origin = 3 LIMIT 1");
	imp = hc_sql_int(path);
	snprintf(path, sizeof(path), "/api/v1/certs/%lld/renew", imp);
	assert_int_equal(api_post(c, path, "{}")->status, 409);
	free(key1);
	free(key2);
	free(key3);
	free(s1);
	free(s2);
	free(s3);
	free(san1);
	hc_free(b);
	hc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_revoke_hold_unhold_and_crl, reset_throttle),
		cmocka_unit_test_setup(test_crl_import_from_url, reset_throttle),
		cmocka_unit_test_setup(test_csr_for_outside_ca, reset_throttle),
		cmocka_unit_test_setup(test_sign_uploaded_csr, reset_throttle),
		cmocka_unit_test_setup(test_renew, reset_throttle),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
