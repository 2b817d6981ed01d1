/*
 * certs — helpers shared by the certificate manager tests (test_certs*.c):
 * an API client, JSON, files, shell commands (openssl), test fixtures the
 * pages cannot make on purpose (weak keys, expired or non-CA certificates,
 * built with OpenSSL directly), and looks into the instance's files.
 */
#ifndef IKEGW_TEST_HTTP_CERTS_H
#define IKEGW_TEST_HTTP_CERTS_H

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <jansson.h>
#include <sqlite3.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common.h"
#include "pki/pki.h"

#define CAS	"SELECT COUNT(*) FROM cas"
#define CERTS	"SELECT COUNT(*) FROM certs"

/* A logged-in admin client that sends the session's CSRF token as a header. */
static inline struct hc *
api_client(void)
{
	struct hc *c = admin_client();
	const struct hc_resp *r = hc_get(c, "/api/v1/session");
	const char *p = strstr(r->body, "\"csrf\":\"");
	char hdr[128];

	assert_non_null(p);
	snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %.64s", p + 8);
	hc_header(c, hdr);
	return c;
}

/* The response body as JSON (caller json_decref's). */
static inline json_t *
resp_json(const struct hc_resp *r)
{
	json_error_t e;
	json_t *j = json_loadb(r->body, r->body_len, 0, &e);

	if (j == NULL)
		fprintf(stderr, "not JSON (%s): %.500s\n", e.text, r->body);
	assert_non_null(j);
	return j;
}

static inline const struct hc_resp *
api_post(struct hc *c, const char *path, const char *json)
{
	return hc_post(c, path, "application/json", json, strlen(json));
}

static inline const struct hc_resp *
api_put(struct hc *c, const char *path, const char *json)
{
	return hc_request(c, "PUT", path, "application/json", json, strlen(json));
}

/* POSTs json, expects `status`, returns the "id" of the answer (or 0). */
static inline long long
api_create(struct hc *c, const char *path, const char *json, long status)
{
	const struct hc_resp *r = api_post(c, path, json);
	json_t *j;
	long long id;

	if (r->status != status)
		fprintf(stderr, "POST %s %s: %ld %.800s\n", path, json, r->status, r->body);
	assert_int_equal(r->status, status);
	j = resp_json(r);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* A JSON string for embedding PEM text in a request body (caller frees). */
static inline char *
jstr(const char *s)
{
	json_t *j = json_string(s);
	char *out = json_dumps(j, JSON_ENCODE_ANY);

	json_decref(j);
	return out;
}

/* The body of a GET as a malloc'ed NUL-terminated copy (length in *len). */
static inline char *
get_copy(struct hc *c, const char *path, long want, size_t *len)
{
	const struct hc_resp *r = hc_get(c, path);
	char *out;

	if (r->status != want)
		fprintf(stderr, "GET %s: %ld %.500s\n", path, r->status, r->body);
	assert_int_equal(r->status, want);
	out = malloc(r->body_len + 1);
	memcpy(out, r->body, r->body_len);
	out[r->body_len] = '\0';
	if (len)
		*len = r->body_len;
	return out;
}

static inline void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Runs a shell command; returns its exit status, output (stdout+stderr) in
   *out when out is not NULL (caller frees). */
static inline int
run(const char *cmd, char **out)
{
	char *buf = NULL, line[4096], full[8192];
	size_t len = 0;
	FILE *p;
	int st;

	snprintf(full, sizeof(full), "( %s ) 2>&1", cmd);
	if ((p = popen(full, "r")) == NULL)
		abort();
	while (fgets(line, sizeof(line), p)) {
		buf = realloc(buf, len + strlen(line) + 1);
		memcpy(buf + len, line, strlen(line) + 1);
		len += strlen(line);
	}
	st = pclose(p);
	if (buf == NULL)
		buf = strdup("");
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* path of a scratch file (in the instance's var/ directory, removed with it). */
static inline const char *
scratch(const char *name)
{
	static char path[4][4096];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, 4096, "%s/scratch", hc_env("IKEGW_VAR"));
	mkdir(p, 0700);
	snprintf(p, 4096, "%s/scratch/%s", hc_env("IKEGW_VAR"), name);
	return p;
}

/* A blob column (first row) as malloc'ed bytes, or NULL. */
static inline uint8_t *
sql_blob(const char *sql, size_t *len)
{
	char path[4096];
	sqlite3 *sq;
	sqlite3_stmt *st;
	uint8_t *out = NULL;

	*len = 0;
	snprintf(path, sizeof(path), "%s/ikegw.db", hc_env("IKEGW_VAR"));
	assert_int_equal(sqlite3_open_v2(path, &sq, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(sq, 5000);
	assert_int_equal(sqlite3_prepare_v2(sq, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) > 0) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		out = malloc(*len);
		memcpy(out, sqlite3_column_blob(st, 0), *len);
	}
	sqlite3_finalize(st);
	sqlite3_close(sq);
	return out;
}

/* 1 when the bytes of s occur anywhere in the file. */
static inline int
file_contains(const char *path, const char *s, size_t slen)
{
	struct stat st;
	int fd = open(path, O_RDONLY), found = 0;
	void *m;

	if (fd == -1)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			found = memmem(m, (size_t)st.st_size, s, slen) != NULL;
			munmap(m, (size_t)st.st_size);
		}
	}
	close(fd);
	return found;
}

/* 1 when s is anywhere in the database files (main file and WAL). */
static inline int
db_contains(const char *s)
{
	char p[4096];
	int f;

	snprintf(p, sizeof(p), "%s/ikegw.db", hc_env("IKEGW_VAR"));
	f = file_contains(p, s, strlen(s));
	snprintf(p, sizeof(p), "%s/ikegw.db-wal", hc_env("IKEGW_VAR"));
	return f || file_contains(p, s, strlen(s));
}

/* ---------------------------------------------------------------- fixtures */

/*
 * A self-signed certificate and its key as PEM (caller frees both): RSA of
 * `bits`, valid from now+from_days to now+to_days, with basicConstraints
 * CA:TRUE when ca.
 */
static inline void
fixture_cert(int bits, long from_days, long to_days, int ca, const char *cn, char **cert_pem,
    char **key_pem)
{
	EVP_PKEY *k = EVP_RSA_gen((unsigned)bits);
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509_EXTENSION *ext;
	X509V3_CTX v3;
	BIO *b;
	char *p;
	long len;

	assert_non_null(k);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(b, x);
	len = BIO_get_mem_data(b, &p);
	*cert_pem = strndup(p, (size_t)len);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	len = BIO_get_mem_data(b, &p);
	*key_pem = strndup(p, (size_t)len);
	BIO_free(b);
	X509_NAME_free(n);
	X509_free(x);
	EVP_PKEY_free(k);
}

/* The instance's secret key (var/secret.key), to check sealed blobs. */
static inline void
instance_secret(uint8_t key[PKI_SECRET_KEY_LEN])
{
	char path[4096], err[256];

	snprintf(path, sizeof(path), "%s/secret.key", hc_env("IKEGW_VAR"));
	if (pki_secret_key_load(path, 0, key, err, sizeof(err)) != 0)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(pki_secret_key_load(path, 0, key, err, sizeof(err)), 0);
}

#endif
