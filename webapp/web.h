/*
 * web.h — the internal header of ikegw-web: the per-worker application
 * state, the request/response object every handler receives, the route
 * table and the helpers pages share.
 *
 * Request path (one way in):
 *   FastCGI accept (main.c) → web_request_read (bounded sizes, request.c
 *   parsers) → web_dispatch (route table: method, path, role, CSRF) →
 *   handler (ui-*.c) → template render (tmpl.c) → web_response_write.
 */
#ifndef IKEGW_WEB_H
#define IKEGW_WEB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "form.h"
#include "request.h"
#include "tmpl.h"
#include "db/db.h"
#include "pki/pki.h"

#define WEB_SESSION_COOKIE	"ikegw_session"
#define WEB_LOGIN_COOKIE	"ikegw_login"
#define WEB_TOKEN_PREFIX	"ikegw_"
#define WEB_IDLE_DEFAULT	(4 * 3600)	/* seconds */

/* Per-worker application state. */
struct web_app {
	struct db	*db;
	struct tmpl_set	*tmpl;
	uint8_t		 secret[PKI_SECRET_KEY_LEN];
	char		*var_dir;
	char		*engine_socket;		/* ikegwd control socket path */
	struct web_limits limits;
};

/* What one request carries in and the response it builds. */
struct web_req {
	struct web_app	*app;

	/* in: from the FastCGI environment (borrowed strings) */
	const char	*method;
	const char	*path;		/* decoded, without the query string */
	const char	*query_string;
	const char	*content_type;
	const char	*remote_addr;
	const char	*user_agent;
	const char	*csrf_header;	/* X-CSRF-Token */
	const char	*authorization;
	const char	*origin;
	const char	*host;
	int		 https;
	struct web_params query;
	struct web_params form;		/* body: urlencoded, multipart or JSON */
	struct web_params cookies;
	int64_t		 path_id[2];	/* {id} segments of the matched route */
	int		 is_api;	/* /api/...: JSON in and out */

	/* who: set by the dispatcher */
	struct db_user	 user;		/* valid when user.id != 0 */
	struct db_session session;	/* valid when session.id != 0 */
	int		 via_token;	/* authenticated by an API token */
	int		 audited;	/* the handler wrote an audit entry */
	int		 expired;	/* a session cookie came in but had expired */

	/* out */
	int		 status;
	struct buf	 headers;	/* extra header lines, each ending in \r\n */
	struct buf	 body;
	const char	*content_type_out;
	int64_t		 now;
};

/* Route flags */
#define ROUTE_PUBLIC	0x01	/* no login needed (login page, static health) */
#define ROUTE_ADMIN	0x02	/* admin role required (the default for non-public) */
#define ROUTE_NOCSRF	0x04	/* state-changing but checked otherwise (login form) */

struct web_route {
	const char	*method;	/* "GET", "POST", "PUT", "DELETE" */
	const char	*pattern;	/* "/system/users/{id}/edit" — {id} is a positive integer */
	unsigned	 flags;
	void		(*handler)(struct web_req *);
};

/* ---------------------------------------------------------------- app.c */

/* Opens the database, loads the secret key and templates. 0 or -1 with err. */
int	 web_app_init(struct web_app *, const char *var_dir, const char *tmpl_dir,
    char *err, size_t errlen);
void	 web_app_free(struct web_app *);
/* Routes, authenticates, checks CSRF, runs the handler; fills r's response. */
void	 web_dispatch(struct web_req *);
/* Releases what a request holds (params are wiped). */
void	 web_req_free(struct web_req *);

/* ---------------------------------------------------------------- responses */

void	 web_header(struct web_req *, const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* 303 See Other to a local path (never to a user-supplied URL). */
void	 web_redirect(struct web_req *, const char *path);
/* Renders templates/<tmpl>.html inside the layout with ctx (stolen). */
void	 web_page(struct web_req *, int status, const char *title, const char *tmpl, json_t *ctx);
/* "Not Found" for 404 and so on. */
const char *web_status_text(int status);
/* A plain error page (no request data echoed); JSON for API requests. */
void	 web_error(struct web_req *, int status, const char *message);
/* JSON response; body stolen. */
void	 web_json(struct web_req *, int status, json_t *body);
/* File download with Content-Disposition: attachment. */
void	 web_download(struct web_req *, const char *content_type, const char *filename,
    const void *data, size_t len);
/* Form validation failure: re-render (HTML) or 422 JSON (API). ctx stolen. */
void	 web_form_invalid(struct web_req *, const struct form *, const char *title,
    const char *tmpl, json_t *ctx);
/* A list page: {"<key>": list} for the API, else tmpl with ctx.<key> = list.
   list stolen. */
void	 web_list(struct web_req *, const char *key, json_t *list, const char *title,
    const char *tmpl);
/*
 * rc of reading the object a path names (db_*_get): DB_NOTFOUND answers
 * 404 "No such <what>.", another failure 500 "The <what> could not be
 * read.".  Returns rc, so a loader is `return web_load_result(r, db_x_get(..), "x");`.
 */
int	 web_load_result(struct web_req *, int rc, const char *what);
/* The answer to a delete that worked: {"deleted": true} (API) or a 303 to redirect. */
void	 web_deleted(struct web_req *, const char *redirect);

/* ---------------------------------------------------------------- session.c */

/* Looks up the session cookie / bearer token; fills r->user and r->session. */
void	 web_auth(struct web_req *);
/* 1 when the request carries the session's CSRF token (form field or header). */
int	 web_csrf_ok(const struct web_req *);
/* Starts a session for user (new id every login) and sets the cookie. */
int	 web_session_start(struct web_req *, const struct db_user *);
void	 web_session_end(struct web_req *);
/* Session CSRF token for forms, or "" when there is no session. */
const char *web_csrf(const struct web_req *);
/* Login throttling: seconds left on a lock for this address or user, or 0. */
long long web_throttle_check(struct web_req *, const char *user);
void	 web_throttle_fail(struct web_req *, const char *user);
void	 web_throttle_clear(struct web_req *, const char *user);
/* New API token: writes the secret (shown once) into out; 0 or -1. */
int	 web_token_new(struct web_req *, int64_t user_id, const char *name, char *out,
    size_t outlen, int64_t *id);

/* ---------------------------------------------------------------- audit */

/* Records who did what; the dispatcher adds a generic entry for
   state-changing requests whose handler did not. */
void	 web_audit(struct web_req *, const char *action, const char *object,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---------------------------------------------------------------- helpers */

/* Base context every page gets: csrf, user. New reference. */
json_t	*web_ctx(struct web_req *);
/* Flash message from ?msg=<code>: looked up in a fixed table, never echoed. */
const char *web_flash_text(const char *code);
/* Format a unix time as "2026-11-23 05:29 UTC" into out. */
void	 web_time(int64_t t, char *out, size_t outlen);

/* ---------------------------------------------------------------- pending changes (ui-apply.c) */

/*
 * Records a change the running engine does not have yet ("user alice
 * added"); every page shows it in the Apply banner until an Apply puts it
 * in place.  Failures are logged, never fatal.
 */
void	 web_pending(struct web_req *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The banner for the layout: {"items": [...], "more": N}, or NULL when
   nothing is pending.  New reference. */
json_t	*web_pending_json(struct web_req *);
/*
 * Deletes row id with del and records "<label> deleted" as a pending
 * change, in one transaction.  0, or -1 after answering 500 "The <what>
 * could not be deleted.".
 */
int	 web_delete_pending(struct web_req *, int (*del)(struct db *, int64_t), int64_t id,
    const char *what, const char *label);

/* ---------------------------------------------------------------- pages */

extern const struct web_route web_routes_login[];
extern const struct web_route web_routes_users[];
extern const struct web_route web_routes_system[];
extern const struct web_route web_routes_status[];
extern const struct web_route web_routes_ca[];		/* ui-ca.c */
extern const struct web_route web_routes_cert[];	/* ui-cert.c */
extern const struct web_route web_routes_crl[];		/* ui-crl.c */
extern const struct web_route web_routes_vpn[];		/* ui-vpn.c */
extern const struct web_route web_routes_apply[];	/* ui-apply.c */
extern const struct web_route web_routes_ipsec_status[];	/* ui-ipsec-status.c */
extern const struct web_route web_routes_firewall[];	/* ui-firewall.c */

#endif
