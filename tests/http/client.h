/*
 * client — a small HTTP client over libcurl for the black-box tests of
 * ikegw-web through nginx.  Each struct hc is one browser: it keeps its
 * cookies, and remembers the last CSRF token it saw on a page.
 *
 * The instance under test comes from the environment set by
 * tests/http/run.sh: IKEGW_URL (http://127.0.0.1:PORT), IKEGW_VAR (its
 * var/ directory) and IKEGW_ADMIN_PASSWORD (printed by the first run).
 */
#ifndef IKEGW_TEST_HTTP_CLIENT_H
#define IKEGW_TEST_HTTP_CLIENT_H

#include <stddef.h>

struct hc_resp {
	long	 status;
	char	*headers;	/* raw header block */
	char	*body;
	size_t	 body_len;
};

struct hc;

struct hc	*hc_new(void);
void		 hc_free(struct hc *);
/* Extra request header for the next requests ("Name: value"), NULL clears all. */
void		 hc_header(struct hc *, const char *);

/* Requests; body may be NULL.  The response stays valid until the next call. */
const struct hc_resp *hc_get(struct hc *, const char *path);
const struct hc_resp *hc_post(struct hc *, const char *path, const char *content_type,
    const char *body, size_t len);
/* POST a form; fields "a=1&b=2" are sent as given (already encoded). */
const struct hc_resp *hc_form(struct hc *, const char *path, const char *fields);
const struct hc_resp *hc_request(struct hc *, const char *method, const char *path,
    const char *content_type, const char *body, size_t len);

/* One part of a multipart/form-data body: a plain field when filename is
   NULL, else a file.  len 0 means strlen(data). */
struct hc_part {
	const char	*name;
	const char	*filename;
	const void	*data;
	size_t		 len;
};
/* POST parts as multipart/form-data, as a browser sends a form with files. */
const struct hc_resp *hc_multipart(struct hc *, const char *path, const struct hc_part *parts,
    size_t n);

/* The value of hidden field csrf in the last page, or NULL. Borrowed. */
const char	*hc_csrf(struct hc *);
/* Logs in through the form; returns the final status after the redirect. */
long		 hc_login(struct hc *, const char *user, const char *password);
/* Header value from the last response (case-insensitive name), or NULL. Borrowed. */
const char	*hc_resp_header(struct hc *, const char *name);
/* Value of cookie `name` in this client's jar, or NULL (caller frees). */
char		*hc_cookie(struct hc *, const char *name);
/* Adds a cookie to the jar. */
void		 hc_set_cookie(struct hc *, const char *name, const char *value);

/* URL-encodes s into a static-free malloc'ed string (caller frees). */
char		*hc_escape(const char *s);
/* Environment helpers; abort the test when unset. */
const char	*hc_env(const char *name);

/* Runs SQL against the instance's database; returns the first column of the
   first row as a malloc'ed string ("" when no row). */
char		*hc_sql(const char *sql);
long long	 hc_sql_int(const char *sql);

#endif
