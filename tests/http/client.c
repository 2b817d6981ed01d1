/* client — see client.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "client.h"

struct hc {
	CURL			*curl;
	struct curl_slist	*extra;
	struct hc_resp		 resp;
	size_t			 cap;
	size_t			 hlen;
	char			*csrf;
};

const char *
hc_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s is not set: run through tests/http/run.sh\n", name);
		abort();
	}
	return v;
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct hc *c = arg;
	size_t len = sz * n;

	if (c->resp.body_len + len + 1 > c->cap) {
		c->cap = (c->resp.body_len + len + 1) * 2;
		if ((c->resp.body = realloc(c->resp.body, c->cap)) == NULL)
			abort();
	}
	memcpy(c->resp.body + c->resp.body_len, p, len);
	c->resp.body_len += len;
	c->resp.body[c->resp.body_len] = '\0';
	return len;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct hc *c = arg;
	size_t len = sz * n;

	/* A new status line (after a redirect or 100-continue) starts a new block. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		c->hlen = 0;
	if ((c->resp.headers = realloc(c->resp.headers, c->hlen + len + 1)) == NULL)
		abort();
	memcpy(c->resp.headers + c->hlen, p, len);
	c->hlen += len;
	c->resp.headers[c->hlen] = '\0';
	return len;
}

struct hc *
hc_new(void)
{
	struct hc *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->curl = curl_easy_init()) == NULL)
		abort();
	curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 120L);
	if (getenv("HC_VERBOSE"))
		curl_easy_setopt(c->curl, CURLOPT_VERBOSE, 1L);
	return c;
}

void
hc_free(struct hc *c)
{
	if (c == NULL)
		return;
	curl_slist_free_all(c->extra);
	curl_easy_cleanup(c->curl);
	free(c->resp.body);
	free(c->resp.headers);
	free(c->csrf);
	free(c);
}

void
hc_header(struct hc *c, const char *h)
{
	if (h == NULL) {
		curl_slist_free_all(c->extra);
		c->extra = NULL;
		return;
	}
	c->extra = curl_slist_append(c->extra, h);
}

/* Remembers <input type="hidden" name="csrf" value="..."> from HTML pages. */
static void
scan_csrf(struct hc *c)
{
	const char *p, *v, *e;

	if (c->resp.body == NULL || (p = strstr(c->resp.body, "name=\"csrf\" value=\"")) == NULL)
		return;
	v = p + strlen("name=\"csrf\" value=\"");
	if ((e = strchr(v, '"')) == NULL)
		return;
	free(c->csrf);
	c->csrf = strndup(v, (size_t)(e - v));
}

const struct hc_resp *
hc_request(struct hc *c, const char *method, const char *path, const char *ctype,
    const char *body, size_t len)
{
	char url[4096], ct[256];
	struct curl_slist *h = NULL, *it;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s%s", hc_env("IKEGW_URL"), path);
	c->resp.body_len = 0;
	c->hlen = 0;
	if (c->resp.body)
		c->resp.body[0] = '\0';
	for (it = c->extra; it; it = it->next)
		h = curl_slist_append(h, it->data);
	if (ctype) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		h = curl_slist_append(h, ct);
	}
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, NULL);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(c->curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		fprintf(stderr, "%s %s: %s\n", method, url, curl_easy_strerror(rc));
		c->resp.status = 0;
		return &c->resp;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->resp.status);
	if (c->resp.body == NULL && (c->resp.body = calloc(1, 1)) == NULL)
		abort();
	scan_csrf(c);
	return &c->resp;
}

const struct hc_resp *
hc_get(struct hc *c, const char *path)
{
	return hc_request(c, "GET", path, NULL, NULL, 0);
}

const struct hc_resp *
hc_post(struct hc *c, const char *path, const char *ctype, const char *body, size_t len)
{
	return hc_request(c, "POST", path, ctype, body, len);
}

const struct hc_resp *
hc_form(struct hc *c, const char *path, const char *fields)
{
	return hc_post(c, path, "application/x-www-form-urlencoded", fields, strlen(fields));
}

const struct hc_resp *
hc_multipart(struct hc *c, const char *path, const struct hc_part *parts, size_t n)
{
	static const char boundary[] = "hcBoundary7MA4YWxkTrZu0gW";
	char *body = NULL, ct[128];
	size_t blen = 0, i, len;
	FILE *f = open_memstream(&body, &blen);
	const struct hc_resp *r;

	if (f == NULL)
		abort();
	for (i = 0; i < n; i++) {
		len = parts[i].len ? parts[i].len : strlen(parts[i].data);
		fprintf(f, "--%s\r\nContent-Disposition: form-data; name=\"%s\"", boundary,
		    parts[i].name);
		if (parts[i].filename)
			fprintf(f, "; filename=\"%s\"\r\nContent-Type: application/octet-stream",
			    parts[i].filename);
		fprintf(f, "\r\n\r\n");
		fwrite(parts[i].data, 1, len, f);
		fprintf(f, "\r\n");
	}
	fprintf(f, "--%s--\r\n", boundary);
	fclose(f);
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", boundary);
	r = hc_post(c, path, ct, body, blen);
	free(body);
	return r;
}

const char *
hc_csrf(struct hc *c)
{
	return c->csrf;
}

long
hc_login(struct hc *c, const char *user, const char *password)
{
	char *u = hc_escape(user), *p = hc_escape(password), *body;
	const struct hc_resp *r;

	hc_get(c, "/login");
	if (asprintf(&body, "csrf=%s&username=%s&password=%s", c->csrf ? c->csrf : "", u, p) < 0)
		abort();
	r = hc_form(c, "/login", body);
	free(body);
	free(u);
	free(p);
	if (r->status != 303)
		return r->status;
	return hc_get(c, "/status/dashboard")->status;
}

const char *
hc_resp_header(struct hc *c, const char *name)
{
	static char val[1024];
	const char *p = c->resp.headers, *e;
	size_t n = strlen(name);

	while (p && *p) {
		e = strstr(p, "\r\n");
		if (e == NULL)
			break;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			snprintf(val, sizeof(val), "%.*s", (int)(e - p), p);
			return val;
		}
		p = e + 2;
	}
	return NULL;
}

char *
hc_cookie(struct hc *c, const char *name)
{
	struct curl_slist *list = NULL, *it;
	char *out = NULL;

	curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list);
	for (it = list; it; it = it->next) {
		/* Netscape format: domain, flag, path, secure, expiry, name, value */
		char *f[7], *save = NULL, *dup = strdup(it->data), *tok;
		int i = 0;

		for (tok = strtok_r(dup, "\t", &save); tok && i < 7; tok = strtok_r(NULL, "\t", &save))
			f[i++] = tok;
		if (i == 7 && strcmp(f[5], name) == 0)
			out = strdup(f[6]);
		free(dup);
	}
	curl_slist_free_all(list);
	return out;
}

void
hc_set_cookie(struct hc *c, const char *name, const char *value)
{
	char line[1024], host[256];
	const char *u = hc_env("IKEGW_URL"), *h = strstr(u, "://");

	/* Netscape cookie-file format, bound to the instance's host. */
	snprintf(host, sizeof(host), "%s", h ? h + 3 : u);
	host[strcspn(host, ":/")] = '\0';
	snprintf(line, sizeof(line), "%s\tFALSE\t/\tFALSE\t0\t%s\t%s", host, name, value);
	curl_easy_setopt(c->curl, CURLOPT_COOKIELIST, line);
}

char *
hc_escape(const char *s)
{
	CURL *e = curl_easy_init();
	char *t = curl_easy_escape(e, s, 0), *out = strdup(t);

	curl_free(t);
	curl_easy_cleanup(e);
	return out;
}

char *
hc_sql(const char *sql)
{
	char path[4096], *out;
	sqlite3 *sq;
	sqlite3_stmt *st;

	snprintf(path, sizeof(path), "%s/ikegw.db", hc_env("IKEGW_VAR"));
	if (sqlite3_open_v2(path, &sq, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		abort();
	sqlite3_busy_timeout(sq, 5000);
	if (sqlite3_prepare_v2(sq, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "sql: %s: %s\n", sql, sqlite3_errmsg(sq));
		abort();
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = strdup((const char *)sqlite3_column_text(st, 0));
	else
		out = strdup("");
	sqlite3_finalize(st);
	sqlite3_close(sq);
	return out;
}

long long
hc_sql_int(const char *sql)
{
	char *s = hc_sql(sql);
	long long v = strtoll(s, NULL, 10);

	free(s);
	return v;
}
