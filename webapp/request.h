/*
 * request — the one parser for what a browser or API client sends: query
 * string, application/x-www-form-urlencoded and multipart/form-data bodies,
 * Cookie headers, and JSON bodies (flattened into the same parameter list so
 * the form layer validates API input exactly like form input).
 *
 * Every function works on plain buffers (no FastCGI here), so the parser is
 * unit-tested and fuzzed directly.  Limits come from struct web_limits;
 * exceeding one gives WEB_TOO_LARGE (→ HTTP 413), anything malformed gives
 * WEB_MALFORMED (→ HTTP 400).  On error the output list may hold a partial
 * result; the caller discards the request.
 */
#ifndef IKEGW_WEB_REQUEST_H
#define IKEGW_WEB_REQUEST_H

#include <stddef.h>

enum web_status {
	WEB_OK = 0,
	WEB_MALFORMED = -1,	/* → 400 */
	WEB_TOO_LARGE = -2,	/* → 413 */
};

struct web_limits {
	size_t	max_body;	/* urlencoded / JSON body, bytes (1 MiB) */
	size_t	max_upload;	/* multipart body, bytes (4 MiB) */
	size_t	max_header;	/* one header value: Cookie, query string (8 KiB) */
	size_t	max_fields;	/* parameters per list (256) */
	size_t	max_name;	/* parameter name, bytes after decoding (128) */
	size_t	max_value;	/* non-file parameter value, bytes after decoding (64 KiB) */
};

extern const struct web_limits web_default_limits;

/*
 * One parameter.  name and value are NUL-terminated and owned by the list.
 * value may contain NUL bytes only for file uploads (use value_len); for
 * ordinary fields a decoded NUL byte makes the input WEB_MALFORMED.
 * For multipart file parts, filename is set (possibly "") and content_type is
 * the part's Content-Type (or NULL); for everything else both are NULL.
 */
struct web_param {
	char	*name;
	char	*value;
	size_t	 value_len;
	char	*filename;
	char	*content_type;
};

/* An ordered list; the same name may occur more than once (multi-valued). */
struct web_params {
	struct web_param *v;
	size_t	 n;
	size_t	 cap;
};

/*
 * key=value&… with + and %XX decoding; empty pairs ("a=1&&b=2") and pairs
 * with an empty name ("=x") are skipped; "a" alone is a = "".  The body is
 * capped at max_body.  lim may be NULL (web_default_limits) here and below.
 */
enum web_status web_parse_urlencoded(struct web_params *, const char *, size_t,
    const struct web_limits *);
/* The same for a query string, capped at max_header instead of max_body. */
enum web_status web_parse_query(struct web_params *, const char *, size_t,
    const struct web_limits *);

/*
 * multipart/form-data: content_type is the full header (boundary= parameter).
 * Parts with a filename parameter are file parts: raw bytes, any size up to
 * max_upload, filename reduced to its last path component (RFC 7578 4.2).
 * Each part's header block is capped at max_header.
 */
enum web_status web_parse_multipart(struct web_params *, const char *content_type,
    const unsigned char *body, size_t len, const struct web_limits *);

/* Cookie: a=b; c=d (RFC 6265 cookie-string; values are not %-decoded). */
enum web_status web_parse_cookies(struct web_params *, const char *, size_t,
    const struct web_limits *);

/*
 * A JSON object body.  Scalars become one parameter each (true → "1",
 * false → "0", null → skipped, numbers as written); an array of scalars
 * becomes several parameters of the same name.  Nested objects, arrays of
 * arrays/objects, or a non-object top level are WEB_MALFORMED.
 */
enum web_status web_parse_json(struct web_params *, const char *, size_t,
    const struct web_limits *);

/* First value of name, or NULL.  Borrowed. */
const char	*web_param_get(const struct web_params *, const char *name);
/* The parameter itself (for uploads), or NULL.  Borrowed. */
const struct web_param *web_param_find(const struct web_params *, const char *name);
/* Number of values for name. */
size_t		 web_param_count(const struct web_params *, const char *name);
/*
 * Appends a copy (value may hold NULs; value_len bytes are copied); returns
 * WEB_TOO_LARGE past max_fields (lim may be NULL: no cap).  No other checks.
 */
enum web_status	 web_param_add(struct web_params *, const char *name,
    const char *value, size_t value_len, const struct web_limits *);
/* Frees every parameter (values are wiped: they may hold passwords). */
void		 web_params_free(struct web_params *);

/* 1 when the bytes are well-formed UTF-8 (RFC 3629: no overlongs, no surrogates), else 0. */
int		 web_utf8_valid(const void *, size_t);

#endif
