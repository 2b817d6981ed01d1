/*
 * session — who is asking: session cookies, API tokens, CSRF tokens and
 * login throttling.
 *
 * Session and API tokens are 256-bit random values; only their SHA-256 is
 * stored, so a copy of the database does not hand out sessions.  Each
 * session has its own CSRF token, sent back in a hidden form field "csrf"
 * or the X-CSRF-Token header.  A login always creates a new session id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web.h"

#define THROTTLE_AFTER	5	/* failures before the first lock */
#define THROTTLE_BASE	30	/* seconds of the first lock; doubles each failure */
#define THROTTLE_MAX	3600

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

/* A user may act when enabled and not past the expiry date. */
static int
user_active(const struct db_user *u, int64_t now)
{
	char today[16];
	time_t t = (time_t)now;
	struct tm tm;

	if (u->disabled)
		return 0;
	if (u->expires && *u->expires) {
		gmtime_r(&t, &tm);
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
		if (strcmp(u->expires, today) < 0)
			return 0;
	}
	return 1;
}

static void
auth_token(struct web_req *r, const char *secret)
{
	struct db_token tok;
	char hash[65];

	if (strncmp(secret, WEB_TOKEN_PREFIX, strlen(WEB_TOKEN_PREFIX)) != 0 ||
	    strlen(secret) != strlen(WEB_TOKEN_PREFIX) + 64 ||
	    !is_hex(secret + strlen(WEB_TOKEN_PREFIX), 64))
		return;
	pki_sha256_hex(secret, strlen(secret), hash);
	if (db_token_find(r->app->db, hash, &tok) != 0)
		return;
	if (db_user_get(r->app->db, tok.user_id, &r->user) == 0) {
		if (!user_active(&r->user, r->now))
			db_user_free(&r->user);
		else {
			r->via_token = 1;
			(void)db_token_touch(r->app->db, tok.id, r->now);
		}
	}
	db_token_free(&tok);
}

void
web_auth(struct web_req *r)
{
	const char *cookie, *a = r->authorization;
	char hash[65];
	long long idle;

	if (r->user.id)
		return;
	if (a && strncmp(a, "Bearer ", 7) == 0) {
		auth_token(r, a + 7);
		return;
	}
	cookie = web_param_get(&r->cookies, WEB_SESSION_COOKIE);
	if (cookie == NULL || strlen(cookie) != 64 || !is_hex(cookie, 64))
		return;
	pki_sha256_hex(cookie, 64, hash);
	if (db_session_find(r->app->db, hash, &r->session) != 0)
		return;
	idle = db_setting_int(r->app->db, "session_idle_timeout", WEB_IDLE_DEFAULT);
	if (r->now - r->session.last_seen > idle) {
		(void)db_session_delete(r->app->db, r->session.id);
		db_session_free(&r->session);
		r->expired = 1;
		web_header(r, "Set-Cookie", "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
		    WEB_SESSION_COOKIE, r->https ? "; Secure" : "");
		return;
	}
	if (db_user_get(r->app->db, r->session.user_id, &r->user) != 0 ||
	    !user_active(&r->user, r->now)) {
		(void)db_session_delete(r->app->db, r->session.id);
		db_session_free(&r->session);
		db_user_free(&r->user);
		return;
	}
	/* Avoid a write per request: a minute of precision is plenty. */
	if (r->now - r->session.last_seen >= 60)
		(void)db_session_touch(r->app->db, r->session.id, r->now);
}

const char *
web_csrf(const struct web_req *r)
{
	return r->session.id && r->session.csrf ? r->session.csrf : "";
}

int
web_csrf_ok(const struct web_req *r)
{
	const char *sent;

	if (r->session.id == 0 || r->session.csrf == NULL)
		return 0;
	sent = r->csrf_header && *r->csrf_header ? r->csrf_header : web_param_get(&r->form, "csrf");
	if (sent == NULL || strlen(sent) != strlen(r->session.csrf))
		return 0;
	return pki_equal(sent, r->session.csrf, strlen(sent));
}

int
web_session_start(struct web_req *r, const struct db_user *u)
{
	char token[65], csrf[65], hash[65];

	/* A new id at every login (no session fixation); drop the old one. */
	if (r->session.id) {
		(void)db_session_delete(r->app->db, r->session.id);
		db_session_free(&r->session);
	}
	pki_random_hex(token, 32);
	pki_random_hex(csrf, 32);
	pki_sha256_hex(token, 64, hash);
	(void)db_session_expire(r->app->db,
	    r->now - db_setting_int(r->app->db, "session_idle_timeout", WEB_IDLE_DEFAULT));
	if (db_session_create(r->app->db, hash, u->id, csrf, r->now, r->remote_addr,
	    r->user_agent) != 0) {
		fprintf(stderr, "ikegw-web: session: %s\n", db_errmsg(r->app->db));
		return -1;
	}
	web_header(r, "Set-Cookie", "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
	    WEB_SESSION_COOKIE, token, r->https ? "; Secure" : "");
	explicit_bzero(token, sizeof(token));
	return 0;
}

void
web_session_end(struct web_req *r)
{
	if (r->session.id)
		(void)db_session_delete(r->app->db, r->session.id);
	web_header(r, "Set-Cookie", "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
	    WEB_SESSION_COOKIE, r->https ? "; Secure" : "");
}

/* ---------------------------------------------------------------- throttling */

static void
throttle_key(char *out, size_t len, const char *kind, const char *v)
{
	snprintf(out, len, "%s:%s", kind, v ? v : "");
}

long long
web_throttle_check(struct web_req *r, const char *user)
{
	char key[300];
	long long fails, left = 0;
	int64_t until;

	throttle_key(key, sizeof(key), "addr", r->remote_addr);
	if (db_throttle_get(r->app->db, key, &fails, &until) == 0 && until > r->now)
		left = until - r->now;
	throttle_key(key, sizeof(key), "user", user);
	if (user && *user && db_throttle_get(r->app->db, key, &fails, &until) == 0 &&
	    until - r->now > left)
		left = until - r->now;
	return left;
}

static void
throttle_bump(struct web_req *r, const char *key)
{
	long long fails, lock;
	int64_t until;

	if (db_throttle_get(r->app->db, key, &fails, &until) != 0)
		return;
	fails++;
	until = 0;
	if (fails >= THROTTLE_AFTER) {
		/* 30 s after the 5th failure, doubling with each further one. */
		lock = THROTTLE_BASE;
		for (long long i = THROTTLE_AFTER; i < fails && lock < THROTTLE_MAX; i++)
			lock *= 2;
		if (lock > THROTTLE_MAX)
			lock = THROTTLE_MAX;
		until = r->now + lock;
	}
	(void)db_throttle_set(r->app->db, key, fails, r->now, until);
}

void
web_throttle_fail(struct web_req *r, const char *user)
{
	char key[300];

	throttle_key(key, sizeof(key), "addr", r->remote_addr);
	throttle_bump(r, key);
	if (user && *user) {
		throttle_key(key, sizeof(key), "user", user);
		throttle_bump(r, key);
	}
}

void
web_throttle_clear(struct web_req *r, const char *user)
{
	char key[300];

	throttle_key(key, sizeof(key), "addr", r->remote_addr);
	(void)db_throttle_clear(r->app->db, key);
	throttle_key(key, sizeof(key), "user", user);
	(void)db_throttle_clear(r->app->db, key);
}

/* ---------------------------------------------------------------- API tokens */

int
web_token_new(struct web_req *r, int64_t user_id, const char *name, char *out, size_t outlen,
    int64_t *id)
{
	char rnd[65], hash[65], prefix[16];

	if (outlen < strlen(WEB_TOKEN_PREFIX) + 65)
		return -1;
	pki_random_hex(rnd, 32);
	snprintf(out, outlen, "%s%s", WEB_TOKEN_PREFIX, rnd);
	explicit_bzero(rnd, sizeof(rnd));
	pki_sha256_hex(out, strlen(out), hash);
	snprintf(prefix, sizeof(prefix), "%.*s", (int)strlen(WEB_TOKEN_PREFIX) + 6, out);
	if (db_token_create(r->app->db, user_id, name, hash, prefix, r->now, id) != 0) {
		explicit_bzero(out, outlen);
		return -1;
	}
	return 0;
}
