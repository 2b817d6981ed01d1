/*
 * config.c — engine.json to struct ike_config (format: docs/engine-config.md).
 *
 * One pass over the document with a "schema in code": every object first
 * has its keys checked against the list it may hold, then each key is read
 * with a typed getter that pushes the key onto the current JSON path, so
 * every message names where it applies ("phase1[0].proposals[1].dh: ...").
 * Checking carries on after a problem, so one load reports every problem
 * (up to IKE_CONFIG_MAX_ERRORS lines); the struct is only handed out when
 * there were none.  Cross-references (pool names, duplicate names,
 * overlapping pools, what an auth method needs) are checked once their
 * parts are read.  Values echoed in messages are quoted and cut short;
 * secrets are never echoed.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "engine/config.h"
#include "engine/fw/fw.h"
#include "engine/ike/crypto.h"
#include "engine/ike/ike.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Limits (documented in docs/engine-config.md). */
#define MAX_NAME	64		/* phase 1/2, pool, CA, group names */
#define MAX_ID		255		/* identity values, user names */
#define MAX_PEM		(1024 * 1024)	/* one PEM field */
#define MAX_PSK		1024
#define MIN_PSK		16
#define MAX_CERT_ID	1024
#define MAX_DOMAIN	253
#define MAX_SOCKET	107		/* sun_path less its NUL */
#define MAX_PATH	4095
#define MAX_IFNAME	15
#define MAX_PHASE1	64
#define MAX_PHASE2	64
#define MAX_PROPOSALS	32
#define MAX_TS		64
#define MAX_POOLS	256
#define MAX_USERS	100000
#define MAX_CAS		64
#define MAX_LISTEN	16
#define MAX_GROUPS	64
#define MAX_CERT_IDS	16
#define MAX_DNS		8
#define MAX_SPLIT_DNS	32
#define MAX_SPLIT_INC	64

#define PATH_LEN	512
#define SHOW_LEN	64		/* bytes of a value quoted in a message */

/* ------------------------------------------------------------ memory */

/* Out of memory while loading a configuration aborts (as webapp/buf.c). */
static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		abort();
	return p;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static void
free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------------ context */

struct ctx {
	struct ike_config		*cfg;
	struct ike_config_errors	*errs;
	size_t				 nerr;		/* problems found */
	size_t				 nlines;	/* lines appended */
	int				 legacy;	/* legacy_clients */
	int				 server_present;
	int				 have_user_psk;
	X509				*server_cert;	/* parsed leaf, for DN ids */
	char				 path[PATH_LEN];
	size_t				 plen;
};

static void
add_line(struct ctx *c, const char *path, const char *msg)
{
	struct ike_config_errors *e = c->errs;
	char *line, **v;

	c->nerr++;
	if (e == NULL)
		return;
	if (c->nlines == IKE_CONFIG_MAX_ERRORS) {
		if (c->nerr != IKE_CONFIG_MAX_ERRORS + 1)
			return;
		/* the first one too many: the last line says so instead */
		free(e->v[e->n - 1]);
		if (asprintf(&line, "(document): too many errors; only the first %d are shown",
		    IKE_CONFIG_MAX_ERRORS - 1) < 0)
			abort();
		e->v[e->n - 1] = line;
		return;
	}
	if (asprintf(&line, "%s: %s", path[0] != '\0' ? path : "(document)", msg) < 0)
		abort();
	v = realloc(e->v, (e->n + 1) * sizeof(*v));
	if (v == NULL)
		abort();
	e->v = v;
	e->v[e->n++] = line;
	c->nlines++;
}

static void errv_at(struct ctx *, const char *, const char *, va_list)
    __attribute__((format(printf, 3, 0)));
static void err(struct ctx *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static void err_at(struct ctx *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
errv_at(struct ctx *c, const char *path, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	add_line(c, path, msg);
}

/* A problem at the current path. */
static void
err(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errv_at(c, c->path, fmt, ap);
	va_end(ap);
}

/* A problem at a path given in full. */
static void
err_at(struct ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errv_at(c, path, fmt, ap);
	va_end(ap);
}

/*
 * A value for a message: printable ASCII kept, quotes, backslashes and
 * everything else escaped, cut at SHOW_LEN bytes ("...").  out holds
 * SHOW_LEN * 4 + 4 bytes.
 */
#define SHOW_BUF	(SHOW_LEN * 4 + 4)
static const char *
show(const char *s, char out[SHOW_BUF])
{
	size_t i, o = 0;
	unsigned char ch;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == SHOW_LEN) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch >= 0x20 && ch < 0x7f) {
			out[o++] = (char)ch;
		} else {
			snprintf(out + o, 5, "\\x%02x", ch);
			o += 4;
		}
	}
	out[o] = '\0';
	return out;
}

static void
path_set(struct ctx *c, size_t len)
{
	c->plen = len;
	c->path[len] = '\0';
}

static size_t
path_add(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t
path_add(struct ctx *c, const char *fmt, ...)
{
	size_t old = c->plen, room = sizeof(c->path) - c->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->plen, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->plen += (size_t)n < room ? (size_t)n : room - 1;
	return old;
}

/* Pushes ".key" (or "key" at the top); returns the length to restore. */
static size_t
path_key(struct ctx *c, const char *key)
{
	char shown[SHOW_BUF];

	return path_add(c, "%s%s", c->plen > 0 ? "." : "", show(key, shown));
}

static size_t
path_idx(struct ctx *c, size_t i)
{
	return path_add(c, "[%zu]", i);
}

/* ------------------------------------------------------------ getters */

/* A member, with JSON null the same as absent. */
static json_t *
member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v == NULL || json_is_null(v) ? NULL : v;
}

/* Reports every key of obj not in allowed (NULL-terminated). */
static void
check_keys(struct ctx *c, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	size_t i, o;

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			o = path_key(c, key);
			err(c, "unknown key");
			path_set(c, o);
		}
	}
}

#define REQUIRED	0x1
#define ALLOW_EMPTY	0x2

/*
 * A string value at the current path: NULL after reporting a wrong type,
 * an embedded NUL, emptiness (unless ALLOW_EMPTY) or more than max bytes.
 */
static const char *
str_value(struct ctx *c, json_t *v, size_t max, int flags)
{
	const char *s;
	size_t len;

	if (!json_is_string(v)) {
		err(c, "must be a string");
		return NULL;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (memchr(s, '\0', len) != NULL) {
		err(c, "must not contain NUL characters");
		return NULL;
	}
	if (len == 0 && !(flags & ALLOW_EMPTY)) {
		err(c, "must not be empty");
		return NULL;
	}
	if (len > max) {
		err(c, "must be at most %zu bytes long", max);
		return NULL;
	}
	return s;
}

/*
 * obj.key as a string (borrowed from the document), or NULL when absent
 * (reported when REQUIRED) or bad (reported).  *bad is set for the latter
 * when bad is not NULL.
 */
static const char *
get_str(struct ctx *c, json_t *obj, const char *key, size_t max, int flags,
    int *bad)
{
	json_t *v = member(obj, key);
	const char *s = NULL;
	size_t o = path_key(c, key);

	if (bad != NULL)
		*bad = 0;
	if (v == NULL) {
		if (flags & REQUIRED) {
			err(c, "required");
			if (bad != NULL)
				*bad = 1;
		}
	} else if ((s = str_value(c, v, max, flags)) == NULL && bad != NULL)
		*bad = 1;
	path_set(c, o);
	return s;
}

/* obj.key as a boolean into *out, which keeps its default when absent. */
static void
get_bool(struct ctx *c, json_t *obj, const char *key, int *out)
{
	json_t *v = member(obj, key);
	size_t o;

	if (v == NULL)
		return;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return;
	}
	o = path_key(c, key);
	err(c, "must be a boolean");
	path_set(c, o);
}

/*
 * obj.key as an integer in [min, max] into *out, which keeps its default
 * when absent.  Returns 1 when a valid value was read, 0 when absent, -1
 * when reported.
 */
static int
get_int(struct ctx *c, json_t *obj, const char *key, long long min,
    long long max, int flags, long long *out)
{
	json_t *v = member(obj, key);
	size_t o = path_key(c, key);
	long long n;
	int rc = -1;

	if (v == NULL) {
		rc = 0;
		if (flags & REQUIRED) {
			err(c, "required");
			rc = -1;
		}
	} else if (!json_is_integer(v)) {
		err(c, "must be an integer");
	} else if ((n = json_integer_value(v)) < min || n > max) {
		err(c, "must be between %lld and %lld", min, max);
	} else {
		*out = n;
		rc = 1;
	}
	path_set(c, o);
	return rc;
}

static uint32_t
get_u32(struct ctx *c, json_t *obj, const char *key, long long min,
    long long max, uint32_t dflt)
{
	long long n = dflt;

	get_int(c, obj, key, min, max, 0, &n);
	return (uint32_t)n;
}

/*
 * obj.key as an array of min..max elements, or NULL when absent (reported
 * when REQUIRED) or bad (reported).
 */
static json_t *
get_array(struct ctx *c, json_t *obj, const char *key, size_t min,
    size_t max, int flags)
{
	json_t *v = member(obj, key);
	size_t o = path_key(c, key);

	if (v == NULL) {
		if (flags & REQUIRED)
			err(c, "required");
	} else if (!json_is_array(v)) {
		err(c, "must be an array");
		v = NULL;
	} else if (json_array_size(v) < min) {
		if (min == 1)
			err(c, "must not be empty");
		else
			err(c, "must have at least %zu entries", min);
		v = NULL;
	} else if (json_array_size(v) > max) {
		err(c, "must have at most %zu entries", max);
		v = NULL;
	}
	path_set(c, o);
	return v;
}

/* An array element or sub-object at the current path that must be an object. */
static int
is_object(struct ctx *c, json_t *v)
{
	if (json_is_object(v))
		return 1;
	err(c, "must be an object");
	return 0;
}

/* Appends word to a comma-separated list in list (len bytes). */
static void
list_add(char *list, size_t len, const char *word)
{
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%s", used > 0 ? ", " : "", word);
}

/*
 * One of a fixed set of words, as its index into words (NULL-terminated);
 * dflt when absent, -1 when bad (reported).
 */
static int
get_enum(struct ctx *c, json_t *obj, const char *key, const char *const *words,
    int dflt, int flags)
{
	char shown[SHOW_BUF], list[256] = "";
	const char *s;
	size_t o, i;
	int bad;

	s = get_str(c, obj, key, 64, flags, &bad);
	if (s == NULL)
		return bad ? -1 : dflt;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return (int)i;
	for (i = 0; words[i] != NULL; i++) {
		list_add(list, sizeof(list), words[i]);
	}
	o = path_key(c, key);
	err(c, "unknown value \"%s\" (one of %s)", show(s, shown), list);
	path_set(c, o);
	return -1;
}

static int
has_ctl(const char *s)
{
	const unsigned char *u;

	for (u = (const unsigned char *)s; *u != '\0'; u++)
		if (*u < 0x20 || *u == 0x7f)
			return 1;
	return 0;
}

/* A name (checked for length by the caller): no control characters. */
static int
name_ok(struct ctx *c, const char *s)
{
	if (!has_ctl(s))
		return 1;
	err(c, "must not contain control characters");
	return 0;
}

static char *
get_name(struct ctx *c, json_t *obj, const char *key, size_t max)
{
	const char *s = get_str(c, obj, key, max, REQUIRED, NULL);
	size_t o;
	int ok;

	if (s == NULL)
		return NULL;
	o = path_key(c, key);
	ok = name_ok(c, s);
	path_set(c, o);
	return ok ? xstrdup(s) : NULL;
}

/*
 * obj.key: an array of names (group names and the like), each 1..maxlen
 * bytes without control characters.  Copies into *out / *n.
 */
static void
get_names(struct ctx *c, json_t *obj, const char *key, size_t maxn,
    size_t maxlen, char ***out, size_t *n)
{
	json_t *a = get_array(c, obj, key, 0, maxn, 0), *v;
	const char *s;
	size_t i, o, o2;

	if (a == NULL)
		return;
	*out = xcalloc(json_array_size(a), sizeof(**out));
	o = path_key(c, key);
	json_array_foreach(a, i, v) {
		o2 = path_idx(c, i);
		if ((s = str_value(c, v, maxlen, 0)) != NULL && name_ok(c, s))
			(*out)[(*n)++] = xstrdup(s);
		path_set(c, o2);
	}
	path_set(c, o);
}

/* ------------------------------------------------------------ addresses */

static int
addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/*
 * Text to an address ("192.0.2.1", "2001:db8::1") or, with want_prefix,
 * a prefix ("10.0.0.0/24"): the length is required, decimal, no sign or
 * leading zero, within the family's bits.  0 or -1.
 */
static int
parse_net(const char *s, int want_prefix, struct cfg_net *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/'), *p;
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned int len = 0;
	int family;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(buf) || (slash != NULL) != want_prefix)
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	family = strchr(buf, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(family, buf, out->addr) != 1)
		return -1;
	out->family = family;
	out->prefix = (uint8_t)(addr_len(family) * 8);
	if (!want_prefix)
		return 0;
	p = slash + 1;
	if (*p == '\0' || (p[0] == '0' && p[1] != '\0'))
		return -1;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		len = len * 10 + (unsigned int)(*p - '0');
		if (len > 128)
			return -1;
	}
	if (len > out->prefix)
		return -1;
	out->prefix = (uint8_t)len;
	return 0;
}

/* The network of n (host bits cleared) into out. */
static void
net_network(const struct cfg_net *n, struct cfg_net *out)
{
	size_t i, full = n->prefix / 8;

	*out = *n;
	for (i = full; i < 16; i++) {
		if (i == full && n->prefix % 8 != 0)
			out->addr[i] &= (uint8_t)(0xff << (8 - n->prefix % 8));
		else
			out->addr[i] = 0;
	}
}

static int
net_host_bits_zero(const struct cfg_net *n)
{
	struct cfg_net m;

	net_network(n, &m);
	return memcmp(m.addr, n->addr, 16) == 0;
}

static int
net_equal(const struct cfg_net *a, const struct cfg_net *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	    memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static int
net_overlap(const struct cfg_net *a, const struct cfg_net *b)
{
	if (a->family != b->family)
		return 0;
	return a->prefix <= b->prefix ? cfg_net_contains(a, b->family, b->addr)
	    : cfg_net_contains(b, a->family, a->addr);
}

/*
 * The value at the current path as a prefix with host bits clear (or, with
 * want_prefix 0, a plain address).  family 0 allows either.  0 or -1.
 */
static int
net_value(struct ctx *c, json_t *v, int want_prefix, int family,
    struct cfg_net *out)
{
	char shown[SHOW_BUF], text[INET6_ADDRSTRLEN + 8];
	struct cfg_net m;
	const char *s;

	if ((s = str_value(c, v, INET6_ADDRSTRLEN + 4, 0)) == NULL)
		return -1;
	if (parse_net(s, want_prefix, out) != 0) {
		if (want_prefix)
			err(c, "not an address prefix: \"%s\"", show(s, shown));
		else
			err(c, "not an IP address: \"%s\"", show(s, shown));
		return -1;
	}
	if (family != 0 && out->family != family) {
		err(c, "must be an %s %s", family == AF_INET ? "IPv4" : "IPv6",
		    want_prefix ? "prefix" : "address");
		return -1;
	}
	if (want_prefix && !net_host_bits_zero(out)) {
		net_network(out, &m);
		cfg_net_str(&m, text, sizeof(text));
		err(c, "host bits set in \"%s\" (the network is %s)", show(s, shown), text);
		return -1;
	}
	return 0;
}

/* obj.key: an array of prefixes or addresses into *out / *n. */
static void
get_nets(struct ctx *c, json_t *obj, const char *key, size_t min, size_t max,
    int flags, int want_prefix, struct cfg_net **out, size_t *n)
{
	json_t *a = get_array(c, obj, key, min, max, flags), *v;
	size_t i, j, o, o2;

	if (a == NULL)
		return;
	*out = xcalloc(json_array_size(a), sizeof(**out));
	o = path_key(c, key);
	json_array_foreach(a, i, v) {
		o2 = path_idx(c, i);
		if (net_value(c, v, want_prefix, 0, &(*out)[*n]) == 0) {
			for (j = 0; j < *n; j++)
				if (net_equal(&(*out)[j], &(*out)[*n]))
					break;
			if (j < *n)
				err(c, "duplicate of %s[%zu]", key, j);
			else
				(*n)++;
		}
		path_set(c, o2);
	}
	path_set(c, o);
}

/* ------------------------------------------------------------ names */

/* A DNS name: labels of 1..63 letters, digits and inner hyphens, <= 253. */
static int
hostname_ok(const char *s)
{
	size_t len = strlen(s), label = 0, i;
	char ch, prev = '.';

	if (len == 0 || len > MAX_DOMAIN)
		return 0;
	for (i = 0; i <= len; i++) {
		ch = s[i];
		if (ch == '.' || ch == '\0') {
			if (label == 0 || prev == '-')
				return 0;
			label = 0;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || (ch == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
		prev = ch;
	}
	return 1;
}

/*
 * A distinguished name as text: RDNs "type=value" separated by unescaped
 * ',' or '+' (RFC 4514 style, "C=US, O=Example, CN=vpn.example.com"),
 * each type a name or OID OpenSSL knows, each value non-empty.
 */
static int
dn_ok(const char *s)
{
	char part[MAX_ID + 1], *eq, *t, *end;
	size_t n = 0;
	ASN1_OBJECT *obj;
	int done = 0;

	while (!done) {
		n = 0;
		for (; *s != '\0' && *s != ',' && *s != '+'; s++) {
			if (*s == '\\' && s[1] != '\0')
				part[n++] = *s++;
			part[n++] = *s;
		}
		part[n] = '\0';
		done = *s == '\0';
		if (!done)
			s++;
		if ((eq = strchr(part, '=')) == NULL)
			return 0;
		*eq = '\0';
		for (t = part; *t == ' '; t++)
			;
		for (end = eq; end > t && end[-1] == ' '; end--)
			;
		*end = '\0';
		if (*t == '\0' || (obj = OBJ_txt2obj(t, 0)) == NULL)
			return 0;
		ASN1_OBJECT_free(obj);
		for (t = eq + 1; *t == ' '; t++)
			;
		if (*t == '\0')
			return 0;
	}
	return 1;
}

/* A subject name as "C=US, O=Example, CN=vpn" (UTF-8).  Caller frees. */
static char *
x509_name_text(const X509_NAME *name)
{
	unsigned long flags = (XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ &
	    ~(unsigned long)ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long len;

	if (b == NULL)
		abort();
	if (X509_NAME_print_ex(b, name, 0, flags) >= 0) {
		len = BIO_get_mem_data(b, &data);
		if (len > 0 && len <= MAX_ID) {
			out = xcalloc(1, (size_t)len + 1);
			memcpy(out, data, (size_t)len);
		}
	}
	BIO_free(b);
	return out;
}

/* ------------------------------------------------------------ PEM */

static int
passwd_none(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return 0;	/* encrypted keys are refused, never prompted for */
}

/* The number of "-----BEGIN <label>-----" lines whose label ends in
   suffix (any label when suffix is NULL). */
static size_t
pem_blocks(const char *s, const char *suffix)
{
	const char *end;
	size_t n = 0, len, slen = suffix != NULL ? strlen(suffix) : 0;

	while ((s = strstr(s, "-----BEGIN ")) != NULL) {
		s += 11;
		if ((end = strstr(s, "-----")) == NULL)
			break;
		len = (size_t)(end - s);
		if (suffix == NULL || (len >= slen && memcmp(end - slen, suffix, slen) == 0))
			n++;
	}
	return n;
}

/*
 * Every certificate in pem, in order, when pem consists of certificates
 * only (at least one).  *n receives the count.  NULL otherwise.
 */
static STACK_OF(X509) *
pem_certs(const char *pem, size_t *n)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *b = BIO_new_mem_buf(pem, (int)strlen(pem));
	X509 *x;

	if (sk == NULL || b == NULL)
		abort();
	while ((x = PEM_read_bio_X509(b, NULL, passwd_none, NULL)) != NULL)
		if (sk_X509_push(sk, x) <= 0)
			abort();
	BIO_free(b);
	ERR_clear_error();
	*n = (size_t)sk_X509_num(sk);
	if (*n == 0 || *n != pem_blocks(pem, NULL)) {
		sk_X509_pop_free(sk, X509_free);
		return NULL;
	}
	return sk;
}

/* One certificate (the only block of pem), or NULL with *many set when
   the text holds more than one. */
static X509 *
pem_one_cert(const char *pem, int *many)
{
	STACK_OF(X509) *sk;
	X509 *x;
	size_t n;

	*many = 0;
	if ((sk = pem_certs(pem, &n)) == NULL)
		return NULL;
	if (n != 1) {
		*many = 1;
		sk_X509_pop_free(sk, X509_free);
		return NULL;
	}
	x = sk_X509_shift(sk);
	sk_X509_free(sk);
	return x;
}

static EVP_PKEY *
pem_key(const char *pem)
{
	BIO *b;
	EVP_PKEY *k;

	/* one key; other blocks ("EC PARAMETERS") are skipped by OpenSSL */
	if (pem_blocks(pem, "PRIVATE KEY") != 1)
		return NULL;
	if ((b = BIO_new_mem_buf(pem, (int)strlen(pem))) == NULL)
		abort();
	k = PEM_read_bio_PrivateKey(b, NULL, passwd_none, NULL);
	BIO_free(b);
	ERR_clear_error();
	return k;
}

static X509_CRL *
pem_crl(const char *pem)
{
	BIO *b;
	X509_CRL *crl;

	if (pem_blocks(pem, NULL) != 1)
		return NULL;
	if ((b = BIO_new_mem_buf(pem, (int)strlen(pem))) == NULL)
		abort();
	crl = PEM_read_bio_X509_CRL(b, NULL, passwd_none, NULL);
	BIO_free(b);
	ERR_clear_error();
	return crl;
}

/* ------------------------------------------------------------ algorithms */

/*
 * Names of transforms in engine.json.  The key lengths an encryption
 * algorithm accepts come from the crypto layer's table (ike_encr_lookup),
 * so the parser never admits a cipher the engine cannot run; fixed_bits is
 * the implied size of ciphers that carry no Key Length attribute.
 */
struct encr_name {
	const char	*name;
	uint16_t	 id;
	uint16_t	 fixed_bits;	/* 0: key_length required */
};

static const struct encr_name encr_names[] = {
	{ "aes-cbc",		IKE_ENCR_AES_CBC,		0 },
	{ "aes-gcm-16",		IKE_ENCR_AES_GCM_16,		0 },
	{ "aes-gcm-12",		IKE_ENCR_AES_GCM_12,		0 },
	{ "aes-gcm-8",		IKE_ENCR_AES_GCM_8,		0 },
	{ "chacha20-poly1305",	IKE_ENCR_CHACHA20_POLY1305,	256 },
	{ "3des",		IKE_ENCR_3DES,			192 },
};

struct xf_name {
	const char	*name;
	uint16_t	 id;
};

static const struct xf_name integ_names[] = {
	{ "hmac-sha2-256-128",	IKE_INTEG_HMAC_SHA2_256_128 },
	{ "hmac-sha2-384-192",	IKE_INTEG_HMAC_SHA2_384_192 },
	{ "hmac-sha2-512-256",	IKE_INTEG_HMAC_SHA2_512_256 },
	{ "hmac-sha1-96",	IKE_INTEG_HMAC_SHA1_96 },
};

static const struct xf_name prf_names[] = {
	{ "hmac-sha2-256",	IKE_PRF_HMAC_SHA2_256 },
	{ "hmac-sha2-384",	IKE_PRF_HMAC_SHA2_384 },
	{ "hmac-sha2-512",	IKE_PRF_HMAC_SHA2_512 },
	{ "hmac-sha1",		IKE_PRF_HMAC_SHA1 },
};

static const struct xf_name dh_names[] = {
	{ "none",		IKE_DH_NONE },
	{ "modp1024",		IKE_DH_MODP1024 },
	{ "modp1536",		IKE_DH_MODP1536 },
	{ "modp2048",		IKE_DH_MODP2048 },
	{ "modp3072",		IKE_DH_MODP3072 },
	{ "modp4096",		IKE_DH_MODP4096 },
	{ "modp6144",		IKE_DH_MODP6144 },
	{ "modp8192",		IKE_DH_MODP8192 },
	{ "ecp256",		IKE_DH_ECP256 },
	{ "ecp384",		IKE_DH_ECP384 },
	{ "ecp521",		IKE_DH_ECP521 },
	{ "curve25519",		IKE_DH_CURVE25519 },
	{ "curve448",		IKE_DH_CURVE448 },
};

static const char *
dh_name(uint16_t id)
{
	size_t i;

	for (i = 0; i < NELEM(dh_names); i++)
		if (dh_names[i].id == id)
			return dh_names[i].name;
	return "?";
}

static void
legacy_err(struct ctx *c, const char *name)
{
	err(c, "%s is a legacy algorithm; set \"legacy_clients\": true to allow it",
	    name);
}

/* Looks up obj.key in table; -1 when absent (REQUIRED: reported) or bad. */
static int
get_xf(struct ctx *c, json_t *obj, const char *key, const struct xf_name *tab,
    size_t n, int flags)
{
	char shown[SHOW_BUF], list[256] = "";
	const char *s = get_str(c, obj, key, 64, flags, NULL);
	size_t i, o;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(s, tab[i].name) == 0)
			return (int)i;
	for (i = 0; i < n; i++) {
		list_add(list, sizeof(list), tab[i].name);
	}
	o = path_key(c, key);
	err(c, "unknown algorithm \"%s\" (one of %s)", show(s, shown), list);
	path_set(c, o);
	return -1;
}

/* The DH group of a proposal: a name from dh_names or an IANA number.
   Returns the group (IKE_DH_NONE allowed for ESP), or -1 (reported). */
static int
get_dh(struct ctx *c, json_t *p, int esp)
{
	char shown[SHOW_BUF], list[256] = "";
	json_t *v = member(p, "dh");
	const struct ike_dh_group *g;
	long long num = -1;
	size_t i, o = path_key(c, "dh");
	int id = -1;

	if (v == NULL) {
		if (esp)
			id = IKE_DH_NONE;
		else
			err(c, "required");
	} else if (json_is_integer(v)) {
		num = json_integer_value(v);
		if (num == 0 || (num > 0 && num <= 0xffff && ike_dh_lookup((uint16_t)num) != NULL))
			id = (int)num;
		else
			err(c, "unknown group %lld", num);
	} else if (json_is_string(v)) {
		for (i = 0; i < NELEM(dh_names); i++)
			if (strcmp(json_string_value(v), dh_names[i].name) == 0)
				id = dh_names[i].id;
		if (id < 0) {
			for (i = 0; i < NELEM(dh_names); i++) {
				list_add(list, sizeof(list), dh_names[i].name);
			}
			err(c, "unknown group \"%s\" (one of %s, or an IANA group number)",
			    show(json_string_value(v), shown), list);
		}
	} else {
		err(c, "must be a string or an integer");
	}
	if (id == IKE_DH_NONE && !esp && v != NULL) {
		err(c, "\"none\" is not allowed in an IKE proposal");
		id = -1;
	} else if (id > 0) {
		g = ike_dh_lookup((uint16_t)id);
		if (g->dg_legacy && !c->legacy) {
			legacy_err(c, dh_name((uint16_t)id));
			id = -1;
		}
	}
	path_set(c, o);
	return id;
}

/*
 * One proposal object at the current path: IKE (esp 0: encryption,
 * key_length, integrity, prf, dh) or ESP (esp 1: encryption, key_length,
 * integrity, dh, esn).  0, or -1 when something was reported.
 */
static int
parse_proposal(struct ctx *c, json_t *p, int esp, struct cfg_proposal *out)
{
	static const char *const keys[] = { "encryption", "key_length",
	    "integrity", "prf", "dh", "esn", NULL };
	const struct encr_name *en = NULL;
	const struct ike_encr_alg *ea = NULL, *all;
	char shown[SHOW_BUF], list[256] = "", num[8];
	long long bits = 0;
	size_t i, n, o, before = c->nerr;
	const char *s;
	int k, has_bits;

	memset(out, 0, sizeof(*out));
	if (!is_object(c, p))
		return -1;
	check_keys(c, p, keys);

	if ((s = get_str(c, p, "encryption", 64, REQUIRED, NULL)) != NULL) {
		for (i = 0; i < NELEM(encr_names); i++)
			if (strcmp(s, encr_names[i].name) == 0)
				en = &encr_names[i];
		if (en == NULL) {
			for (i = 0; i < NELEM(encr_names); i++) {
				list_add(list, sizeof(list), encr_names[i].name);
			}
			o = path_key(c, "encryption");
			err(c, "unknown algorithm \"%s\" (one of %s)", show(s, shown), list);
			path_set(c, o);
		}
	}
	has_bits = get_int(c, p, "key_length", 0, 0xffff, 0, &bits);
	if (en != NULL && en->fixed_bits != 0) {
		if (has_bits > 0 && bits != en->fixed_bits) {
			o = path_key(c, "key_length");
			err(c, "must be %u for %s (or left out)", en->fixed_bits, en->name);
			path_set(c, o);
		} else
			ea = ike_encr_lookup(en->id, 0);
	} else if (en != NULL && has_bits == 0) {
		o = path_key(c, "key_length");
		err(c, "required for %s", en->name);
		path_set(c, o);
	} else if (en != NULL && has_bits > 0) {
		if ((ea = ike_encr_lookup(en->id, (uint16_t)bits)) == NULL) {
			list[0] = '\0';
			all = ike_encr_all(&n);
			for (i = n; i-- > 0; )	/* the table lists 256 first */
				if (all[i].ea_id == en->id) {
					snprintf(num, sizeof(num), "%u", all[i].ea_keybits);
					list_add(list, sizeof(list), num);
				}
			o = path_key(c, "key_length");
			err(c, "must be one of %s for %s", list, en->name);
			path_set(c, o);
		}
	}
	if (ea != NULL) {
		out->encr = ea->ea_id;
		out->encr_bits = ea->ea_keybits;
		if (ea->ea_legacy && !c->legacy) {
			o = path_key(c, "encryption");
			legacy_err(c, en->name);
			path_set(c, o);
		}
	}

	k = get_xf(c, p, "integrity", integ_names, NELEM(integ_names), 0);
	if (k >= 0) {
		out->integ = integ_names[k].id;
		o = path_key(c, "integrity");
		if (ea != NULL && ea->ea_aead)
			err(c, "not allowed with an AEAD cipher (%s)", en->name);
		else if (ike_integ_lookup(out->integ)->ia_legacy && !c->legacy)
			legacy_err(c, integ_names[k].name);
		path_set(c, o);
	} else if (ea != NULL && !ea->ea_aead && member(p, "integrity") == NULL) {
		o = path_key(c, "integrity");
		err(c, "required with %s (not an AEAD cipher)", en->name);
		path_set(c, o);
	}

	if (esp) {
		if (member(p, "prf") != NULL) {
			o = path_key(c, "prf");
			err(c, "not allowed in an ESP proposal");
			path_set(c, o);
		}
	} else if ((k = get_xf(c, p, "prf", prf_names, NELEM(prf_names), REQUIRED)) >= 0) {
		out->prf = prf_names[k].id;
		if (ike_prf_lookup(out->prf)->pa_legacy && !c->legacy) {
			o = path_key(c, "prf");
			legacy_err(c, prf_names[k].name);
			path_set(c, o);
		}
	}

	if ((k = get_dh(c, p, esp)) >= 0)
		out->dh = (uint16_t)k;

	if (!esp && member(p, "esn") != NULL) {
		o = path_key(c, "esn");
		err(c, "not allowed in an IKE proposal");
		path_set(c, o);
	} else if (esp)
		get_bool(c, p, "esn", &out->esn);
	return c->nerr == before ? 0 : -1;
}

static void
get_proposals(struct ctx *c, json_t *obj, int esp, struct cfg_proposal **out,
    size_t *n)
{
	json_t *a = get_array(c, obj, "proposals", 1, MAX_PROPOSALS, REQUIRED), *v;
	size_t i, o, o2;

	if (a == NULL)
		return;
	*out = xcalloc(json_array_size(a), sizeof(**out));
	o = path_key(c, "proposals");
	json_array_foreach(a, i, v) {
		o2 = path_idx(c, i);
		if (parse_proposal(c, v, esp, &(*out)[*n]) == 0)
			(*n)++;
		path_set(c, o2);
	}
	path_set(c, o);
}

/* ------------------------------------------------------------ sections */

static void
parse_identity(struct ctx *c, json_t *obj, struct cfg_identity *id)
{
	static const char *const keys[] = { "type", "value", NULL };
	static const char *const types[] = { "fqdn", "ipv4", "ipv6", "dn",
	    "email", "keyid", NULL };
	char shown[SHOW_BUF], text[INET6_ADDRSTRLEN];
	json_t *v = member(obj, "local_id");
	uint8_t bin[16];
	const char *s, *at;
	size_t o = path_key(c, "local_id"), o2;
	int t, bad;

	if (v == NULL) {
		err(c, "required");
		goto done;
	}
	if (!is_object(c, v))
		goto done;
	check_keys(c, v, keys);
	t = get_enum(c, v, "type", types, -1, REQUIRED);
	s = get_str(c, v, "value", MAX_ID, t == 3 ? 0 : REQUIRED, &bad);
	if (t < 0 || bad)
		goto done;
	id->type = (enum cfg_id_type)(t + 1);	/* types[] follows enum cfg_id_type */
	o2 = path_key(c, "value");
	switch (id->type) {
	case CFG_ID_FQDN:
		if (!hostname_ok(s))
			err(c, "not a valid host name: \"%s\"", show(s, shown));
		else
			id->value = xstrdup(s);
		break;
	case CFG_ID_IPV4:
	case CFG_ID_IPV6:
		t = id->type == CFG_ID_IPV4 ? AF_INET : AF_INET6;
		if (inet_pton(t, s, bin) != 1)
			err(c, "not an %s address: \"%s\"", t == AF_INET ? "IPv4" : "IPv6",
			    show(s, shown));
		else if (inet_ntop(t, bin, text, sizeof(text)) != NULL)
			id->value = xstrdup(text);
		break;
	case CFG_ID_DN:
		if (s == NULL) {
			if (c->server_cert == NULL)
				err(c, "required (or a valid server.certificate to take the subject from)");
			else if ((id->value = x509_name_text(
			    X509_get_subject_name(c->server_cert))) == NULL)
				err(c, "required (the server certificate's subject cannot be used)");
		} else if (!dn_ok(s))
			err(c, "not a distinguished name (\"C=US, O=Example, CN=vpn.example.com\"): \"%s\"",
			    show(s, shown));
		else
			id->value = xstrdup(s);
		break;
	case CFG_ID_EMAIL:
		at = strrchr(s, '@');
		if (at == NULL || at == s || !hostname_ok(at + 1) ||
		    strchr(s, ' ') != NULL || has_ctl(s))
			err(c, "not an e-mail address: \"%s\"", show(s, shown));
		else
			id->value = xstrdup(s);
		break;
	case CFG_ID_KEYID:
		if (name_ok(c, s))
			id->value = xstrdup(s);
		break;
	}
	path_set(c, o2);
done:
	path_set(c, o);
}

static void
parse_phase2(struct ctx *c, json_t *v, struct cfg_phase2 *p2)
{
	static const char *const keys[] = { "name", "local_ts", "proposals",
	    "lifetime", "life_bytes", "life_packets", NULL };
	long long n;

	if (!is_object(c, v))
		return;
	check_keys(c, v, keys);
	p2->name = get_name(c, v, "name", MAX_NAME);
	get_nets(c, v, "local_ts", 1, MAX_TS, REQUIRED, 1, &p2->local_ts, &p2->nlocal_ts);
	get_proposals(c, v, 1, &p2->proposals, &p2->nproposals);
	p2->lifetime = get_u32(c, v, "lifetime", 60, 86400, 3600);
	n = 0;
	get_int(c, v, "life_bytes", 0, INT64_MAX, 0, &n);
	p2->life_bytes = (uint64_t)n;
	n = 0;
	get_int(c, v, "life_packets", 0, INT64_MAX, 0, &n);
	p2->life_packets = (uint64_t)n;
}

static void
parse_phase1(struct ctx *c, json_t *v, struct cfg_phase1 *p1)
{
	static const char *const keys[] = { "name", "enabled", "auth", "local_id",
	    "proposals", "lifetime", "rekey", "reauth", "nat_traversal", "mobike",
	    "dpd_delay", "dpd_max_failures", "fragmentation", "fragment_size",
	    "duplicates", "groups", "pool", "phase2", NULL };
	static const char *const auths[] = { "eap-mschapv2", "certificate", "psk", NULL };
	static const char *const natts[] = { "auto", "force", NULL };
	static const char *const dups[] = { "replace", "keep", "never", NULL };
	char shown[SHOW_BUF];
	const char *s;
	json_t *a, *e;
	long long n = 0;
	size_t i, j, o, o2;
	int k, lifetime_ok;

	if (!is_object(c, v))
		return;
	check_keys(c, v, keys);
	p1->name = get_name(c, v, "name", MAX_NAME);
	p1->enabled = 1;
	get_bool(c, v, "enabled", &p1->enabled);
	k = get_enum(c, v, "auth", auths, -1, REQUIRED);
	p1->auth = (enum cfg_auth)(k + 1);	/* 0 when bad: no requirement checks */
	parse_identity(c, v, &p1->local_id);
	get_proposals(c, v, 0, &p1->proposals, &p1->nproposals);

	n = 28800;
	lifetime_ok = get_int(c, v, "lifetime", 60, 604800, 0, &n) >= 0;
	p1->lifetime = (uint32_t)n;
	p1->rekey = p1->lifetime - p1->lifetime / 10;
	n = 0;
	if (get_int(c, v, "rekey", 30, 604799, 0, &n) > 0) {
		if (lifetime_ok && (uint32_t)n >= p1->lifetime) {
			o = path_key(c, "rekey");
			err(c, "must be less than lifetime (%u)", p1->lifetime);
			path_set(c, o);
		}
		p1->rekey = (uint32_t)n;
	}
	n = 0;
	if (get_int(c, v, "reauth", 0, 604800, 0, &n) > 0 && n > 0 && n < 60) {
		o = path_key(c, "reauth");
		err(c, "must be 0 (off) or between 60 and 604800");
		path_set(c, o);
	}
	p1->reauth = (uint32_t)n;
	k = get_enum(c, v, "nat_traversal", natts, CFG_NATT_AUTO, 0);
	p1->natt = k < 0 ? CFG_NATT_AUTO : (enum cfg_natt)k;
	p1->mobike = 1;
	get_bool(c, v, "mobike", &p1->mobike);
	p1->dpd_delay = get_u32(c, v, "dpd_delay", 0, 86400, 30);
	p1->dpd_max_failures = get_u32(c, v, "dpd_max_failures", 1, 100, 5);
	p1->fragmentation = 1;
	get_bool(c, v, "fragmentation", &p1->fragmentation);
	p1->fragment_size = get_u32(c, v, "fragment_size", 576, 65535, 1280);
	k = get_enum(c, v, "duplicates", dups, CFG_DUP_REPLACE, 0);
	p1->duplicates = k < 0 ? CFG_DUP_REPLACE : (enum cfg_dup)k;
	get_names(c, v, "groups", MAX_GROUPS, MAX_NAME, &p1->groups, &p1->ngroups);

	if ((s = get_str(c, v, "pool", MAX_NAME, 0, NULL)) != NULL) {
		if (ike_config_pool(c->cfg, s) != NULL)
			p1->pool = xstrdup(s);
		else {
			o = path_key(c, "pool");
			err(c, "no pool named \"%s\"", show(s, shown));
			path_set(c, o);
		}
	}

	if ((a = get_array(c, v, "phase2", 1, MAX_PHASE2, REQUIRED)) == NULL)
		return;
	p1->phase2 = xcalloc(json_array_size(a), sizeof(*p1->phase2));
	p1->nphase2 = json_array_size(a);
	o = path_key(c, "phase2");
	json_array_foreach(a, i, e) {
		o2 = path_idx(c, i);
		parse_phase2(c, e, &p1->phase2[i]);
		for (j = 0; j < i && p1->phase2[i].name != NULL; j++)
			if (p1->phase2[j].name != NULL &&
			    strcmp(p1->phase2[j].name, p1->phase2[i].name) == 0) {
				path_key(c, "name");
				err(c, "duplicate name (also phase2[%zu])", j);
				break;
			}
		path_set(c, o2);
	}
	path_set(c, o);
}

static void
parse_pool(struct ctx *c, json_t *v, struct cfg_pool *p)
{
	static const char *const keys[] = { "name", "ipv4", "ipv6", "dns",
	    "domain", "split_dns", "split_include", "banner", NULL };
	char shown[SHOW_BUF];
	const char *s;
	json_t *a, *e;
	size_t i, o, o2;

	if (!is_object(c, v))
		return;
	check_keys(c, v, keys);
	p->name = get_name(c, v, "name", MAX_NAME);

	if ((e = member(v, "ipv4")) != NULL) {
		o = path_key(c, "ipv4");
		if (net_value(c, e, 1, AF_INET, &p->v4) != 0) {
			p->v4.family = 0;
		} else if (p->v4.prefix < 8 || p->v4.prefix > 30) {
			err(c, "prefix length must be between /8 and /30");
			p->v4.family = 0;
		}
		path_set(c, o);
	}
	if ((e = member(v, "ipv6")) != NULL) {
		o = path_key(c, "ipv6");
		if (net_value(c, e, 1, AF_INET6, &p->v6) != 0) {
			p->v6.family = 0;
		} else if (p->v6.prefix < 64 || p->v6.prefix > 126) {
			err(c, "prefix length must be between /64 and /126");
			p->v6.family = 0;
		}
		path_set(c, o);
	}
	if (member(v, "ipv4") == NULL && member(v, "ipv6") == NULL)
		err(c, "needs ipv4 or ipv6 (or both)");

	get_nets(c, v, "dns", 0, MAX_DNS, 0, 0, &p->dns, &p->ndns);
	if ((s = get_str(c, v, "domain", MAX_DOMAIN, 0, NULL)) != NULL) {
		if (hostname_ok(s))
			p->domain = xstrdup(s);
		else {
			o = path_key(c, "domain");
			err(c, "not a valid domain name: \"%s\"", show(s, shown));
			path_set(c, o);
		}
	}
	if ((s = get_str(c, v, "banner", 4096, 0, NULL)) != NULL)
		p->banner = xstrdup(s);
	if ((a = get_array(c, v, "split_dns", 0, MAX_SPLIT_DNS, 0)) != NULL) {
		p->split_dns = xcalloc(json_array_size(a), sizeof(*p->split_dns));
		o = path_key(c, "split_dns");
		json_array_foreach(a, i, e) {
			o2 = path_idx(c, i);
			if ((s = str_value(c, e, MAX_DOMAIN, 0)) != NULL) {
				if (hostname_ok(s))
					p->split_dns[p->nsplit_dns++] = xstrdup(s);
				else
					err(c, "not a valid domain name: \"%s\"", show(s, shown));
			}
			path_set(c, o2);
		}
		path_set(c, o);
	}
	get_nets(c, v, "split_include", 0, MAX_SPLIT_INC, 0, 1, &p->split_include,
	    &p->nsplit_include);
}

/* Reports pools whose ranges overlap an earlier pool's. */
static void
check_pool_overlaps(struct ctx *c)
{
	const struct ike_config *cfg = c->cfg;
	const struct cfg_net *a, *b;
	char path[64], text[INET6_ADDRSTRLEN + 8], other[INET6_ADDRSTRLEN + 8];
	size_t i, j;
	int f;

	for (i = 0; i < cfg->npools; i++)
		for (f = 0; f < 2; f++) {
			a = f == 0 ? &cfg->pools[i].v4 : &cfg->pools[i].v6;
			if (a->family == 0)
				continue;
			for (j = 0; j < i; j++) {
				b = f == 0 ? &cfg->pools[j].v4 : &cfg->pools[j].v6;
				if (b->family == 0 || !net_overlap(a, b))
					continue;
				snprintf(path, sizeof(path), "pools[%zu].%s", i,
				    f == 0 ? "ipv4" : "ipv6");
				cfg_net_str(a, text, sizeof(text));
				cfg_net_str(b, other, sizeof(other));
				err_at(c, path, "%s overlaps pools[%zu].%s (%s)", text, j,
				    f == 0 ? "ipv4" : "ipv6", other);
				break;
			}
		}
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static char *
get_psk(struct ctx *c, json_t *obj)
{
	const char *s = get_str(c, obj, "psk", MAX_PSK, 0, NULL);
	size_t o;

	if (s == NULL)
		return NULL;
	if (strlen(s) < MIN_PSK) {
		o = path_key(c, "psk");
		err(c, "must be at least %d characters long", MIN_PSK);
		path_set(c, o);
		return NULL;
	}
	return xstrdup(s);
}

static void
parse_user(struct ctx *c, json_t *v, struct cfg_user *u)
{
	static const char *const keys[] = { "name", "nt_hash", "psk", "groups",
	    "cert_ids", NULL };
	const char *s;
	size_t i, o;
	int hi, lo;

	if (!is_object(c, v))
		return;
	check_keys(c, v, keys);
	u->name = get_name(c, v, "name", MAX_ID);
	if ((s = get_str(c, v, "nt_hash", 64, 0, NULL)) != NULL) {
		for (i = 0; i < 16 && strlen(s) == 32; i++) {
			if ((hi = hexval(s[2 * i])) < 0 || (lo = hexval(s[2 * i + 1])) < 0)
				break;
			u->nt_hash[i] = (uint8_t)(hi << 4 | lo);
		}
		if (i == 16)
			u->has_nt_hash = 1;
		else {
			explicit_bzero(u->nt_hash, sizeof(u->nt_hash));
			o = path_key(c, "nt_hash");
			err(c, "must be 32 hexadecimal digits");
			path_set(c, o);
		}
	}
	if ((u->psk = get_psk(c, v)) != NULL)
		c->have_user_psk = 1;
	get_names(c, v, "groups", MAX_GROUPS, MAX_NAME, &u->groups, &u->ngroups);
	get_names(c, v, "cert_ids", MAX_CERT_IDS, MAX_CERT_ID, &u->cert_ids,
	    &u->ncert_ids);
}

struct user_key {
	const char	*name;
	size_t		 idx;
};

static int
user_key_cmp(const void *a, const void *b)
{
	const struct user_key *ka = a, *kb = b;
	int r = strcasecmp(ka->name, kb->name);

	if (r != 0)
		return r;
	return ka->idx < kb->idx ? -1 : ka->idx > kb->idx;
}

/* Builds cfg->user_index and reports names equal ignoring ASCII case. */
static void
index_users(struct ctx *c)
{
	struct ike_config *cfg = c->cfg;
	struct user_key *keys;
	char path[48], shown[SHOW_BUF];
	size_t i, n = 0, first = 0;

	if (cfg->nusers == 0)
		return;
	keys = xcalloc(cfg->nusers, sizeof(*keys));
	for (i = 0; i < cfg->nusers; i++)
		if (cfg->users[i].name != NULL) {
			keys[n].name = cfg->users[i].name;
			keys[n++].idx = i;
		}
	qsort(keys, n, sizeof(*keys), user_key_cmp);
	cfg->user_index = xcalloc(cfg->nusers, sizeof(*cfg->user_index));
	for (i = 0; i < n; i++)
		cfg->user_index[i] = keys[i].idx;
	free(keys);
	for (i = 1; i < n; i++) {
		if (strcasecmp(cfg->users[cfg->user_index[i]].name,
		    cfg->users[cfg->user_index[i - 1]].name) != 0) {
			first = i;
			continue;
		}
		snprintf(path, sizeof(path), "users[%zu].name", cfg->user_index[i]);
		err_at(c, path, "duplicate user name \"%s\" (also users[%zu])",
		    show(cfg->users[cfg->user_index[i]].name, shown),
		    cfg->user_index[first]);
	}
}

static void
parse_server(struct ctx *c, json_t *root)
{
	static const char *const keys[] = { "certificate", "chain", "private_key", NULL };
	struct ike_config *cfg = c->cfg;
	json_t *v = member(root, "server");
	STACK_OF(X509) *chain;
	EVP_PKEY *key = NULL;
	const char *s;
	size_t o = path_key(c, "server"), o2, n;
	int many;

	if (v == NULL || !is_object(c, v))
		goto done;
	c->server_present = 1;
	check_keys(c, v, keys);
	if ((s = get_str(c, v, "certificate", MAX_PEM, REQUIRED, NULL)) != NULL) {
		o2 = path_key(c, "certificate");
		if ((c->server_cert = pem_one_cert(s, &many)) != NULL)
			cfg->server_cert_pem = xstrdup(s);
		else if (many)
			err(c, "must hold one certificate (intermediates go in server.chain)");
		else
			err(c, "not a PEM certificate");
		path_set(c, o2);
	}
	if ((s = get_str(c, v, "chain", MAX_PEM, 0, NULL)) != NULL) {
		o2 = path_key(c, "chain");
		if ((chain = pem_certs(s, &n)) == NULL)
			err(c, "not a sequence of PEM certificates");
		else {
			cfg->server_chain_pem = xstrdup(s);
			sk_X509_pop_free(chain, X509_free);
		}
		path_set(c, o2);
	}
	if ((s = get_str(c, v, "private_key", MAX_PEM, REQUIRED, NULL)) != NULL) {
		o2 = path_key(c, "private_key");
		if ((key = pem_key(s)) == NULL)
			err(c, "%s", strstr(s, "ENCRYPTED") != NULL ?
			    "encrypted private keys are not supported" :
			    "not a PEM private key");
		else if (c->server_cert != NULL &&
		    X509_check_private_key(c->server_cert, key) != 1)
			err(c, "does not match server.certificate");
		else
			cfg->server_key_pem = xstrdup(s);
		ERR_clear_error();
		EVP_PKEY_free(key);
		path_set(c, o2);
	}
done:
	path_set(c, o);
}

static void
parse_ca(struct ctx *c, json_t *v, struct cfg_ca *ca)
{
	static const char *const keys[] = { "name", "certificate", "crl", NULL };
	X509 *x = NULL;
	X509_CRL *crl;
	EVP_PKEY *pub;
	const char *s;
	size_t o;
	int many;

	if (!is_object(c, v))
		return;
	check_keys(c, v, keys);
	ca->name = get_name(c, v, "name", MAX_NAME);
	if ((s = get_str(c, v, "certificate", MAX_PEM, REQUIRED, NULL)) != NULL) {
		o = path_key(c, "certificate");
		if ((x = pem_one_cert(s, &many)) == NULL)
			err(c, many ? "must hold one certificate" : "not a PEM certificate");
		else if (X509_check_ca(x) != 1)
			err(c, "not a CA certificate (basicConstraints CA:TRUE is missing)");
		else
			ca->cert_pem = xstrdup(s);
		path_set(c, o);
	}
	if ((s = get_str(c, v, "crl", MAX_PEM, 0, NULL)) != NULL) {
		o = path_key(c, "crl");
		if ((crl = pem_crl(s)) == NULL)
			err(c, "not a PEM CRL");
		else {
			if (ca->cert_pem != NULL &&
			    (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(x)) != 0 ||
			    (pub = X509_get0_pubkey(x)) == NULL || X509_CRL_verify(crl, pub) != 1))
				err(c, "not issued by this CA");
			else
				ca->crl_pem = xstrdup(s);
			X509_CRL_free(crl);
			ERR_clear_error();
		}
		path_set(c, o);
	}
	X509_free(x);
}

/* Array section key of the root: each element parsed by fn into an array
   of elements of size size; *n is the element count. */
static void *
parse_section(struct ctx *c, json_t *root, const char *key, size_t max,
    size_t size, size_t *n, void (*fn)(struct ctx *, json_t *, void *))
{
	json_t *a = get_array(c, root, key, 0, max, 0), *v;
	char *arr;
	size_t i, o, o2;

	*n = 0;
	if (a == NULL)
		return NULL;
	arr = xcalloc(json_array_size(a), size);
	*n = json_array_size(a);
	o = path_key(c, key);
	json_array_foreach(a, i, v) {
		o2 = path_idx(c, i);
		fn(c, v, arr + i * size);
		path_set(c, o2);
	}
	path_set(c, o);
	return arr;
}

static void
pool_fn(struct ctx *c, json_t *v, void *p)
{
	parse_pool(c, v, p);
}

static void
user_fn(struct ctx *c, json_t *v, void *p)
{
	parse_user(c, v, p);
}

static void
ca_fn(struct ctx *c, json_t *v, void *p)
{
	parse_ca(c, v, p);
}

static void
phase1_fn(struct ctx *c, json_t *v, void *p)
{
	parse_phase1(c, v, p);
}

/* The name (char * at offset off) of element i of an array of stride-byte
   structs. */
static const char *
name_at(const void *base, size_t stride, size_t off, size_t i)
{
	const char *p;

	memcpy(&p, (const char *)base + i * stride + off, sizeof(p));
	return p;
}

/* Reports a name used twice in one section (names may be NULL: skipped). */
static void
check_unique(struct ctx *c, const char *section, const char *what,
    const void *base, size_t stride, size_t off, size_t n)
{
	char path[64];
	const char *a, *b;
	size_t i, j;

	for (i = 0; i < n; i++) {
		a = name_at(base, stride, off, i);
		for (j = 0; a != NULL && j < i; j++) {
			b = name_at(base, stride, off, j);
			if (b != NULL && strcmp(a, b) == 0) {
				snprintf(path, sizeof(path), "%s[%zu].name", section, i);
				err_at(c, path, "duplicate %s name (also %s[%zu])", what,
				    section, j);
				break;
			}
		}
	}
}

static const char *const auth_words[] = { "?", "eap-mschapv2", "certificate", "psk" };

/* What each enabled phase 1's auth method needs from the rest: reported once
   each, naming the first phase 1 that needs it. */
static void
check_auth_needs(struct ctx *c)
{
	struct ike_config *cfg = c->cfg;
	const struct cfg_phase1 *p1;
	size_t i;
	int cert_done = 0, ca_done = 0, psk_done = 0;

	for (i = 0; i < cfg->nphase1; i++) {
		p1 = &cfg->phase1[i];
		if (!p1->enabled || p1->auth == 0)
			continue;
		if (p1->auth != CFG_AUTH_PSK && !c->server_present && !cert_done) {
			err_at(c, "server", "a certificate and private key are required by "
			    "phase1[%zu] (auth \"%s\")", i, auth_words[p1->auth]);
			cert_done = 1;
		}
		if (p1->auth == CFG_AUTH_CERT && cfg->ncas == 0 && !ca_done) {
			err_at(c, "cas", "a CA to verify client certificates is required by "
			    "phase1[%zu] (auth \"certificate\")", i);
			ca_done = 1;
		}
		if (p1->auth == CFG_AUTH_PSK && member(c->cfg->json, "psk") == NULL &&
		    !c->have_user_psk && !psk_done) {
			err_at(c, "psk", "required by phase1[%zu] (auth \"psk\"): set a "
			    "top-level psk or a psk for users", i);
			psk_done = 1;
		}
	}
}

static void
parse_daemon(struct ctx *c, json_t *root)
{
	static const char *const kkeys[] = { "backend", "tun_name", NULL };
	static const char *const backends[] = { "null", "tun", "xfrm", "auto", NULL };
	struct ike_config *cfg = c->cfg;
	char shown[SHOW_BUF];
	const char *s;
	json_t *k;
	size_t o, o2, i;
	int b;

	get_nets(c, root, "listen", 0, MAX_LISTEN, 0, 0, &cfg->listen, &cfg->nlisten);
	cfg->ike_port = (uint16_t)get_u32(c, root, "ike_port", 1, 65535, IKE_PORT);
	cfg->natt_port = (uint16_t)get_u32(c, root, "natt_port", 1, 65535, IKE_NATT_PORT);
	if (cfg->ike_port == cfg->natt_port) {
		o = path_key(c, "natt_port");
		err(c, "must differ from ike_port");
		path_set(c, o);
	}
	if ((s = get_str(c, root, "control_socket", MAX_SOCKET, REQUIRED, NULL)) != NULL)
		cfg->control_socket = xstrdup(s);
	if ((s = get_str(c, root, "leases_file", MAX_PATH, REQUIRED, NULL)) != NULL)
		cfg->leases_file = xstrdup(s);

	b = 3;
	o = path_key(c, "kernel");
	if ((k = member(root, "kernel")) != NULL && is_object(c, k)) {
		check_keys(c, k, kkeys);
		b = get_enum(c, k, "backend", backends, 3, 0);
		if ((s = get_str(c, k, "tun_name", MAX_IFNAME, 0, NULL)) != NULL) {
			for (i = 0; s[i] != '\0'; i++)
				if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
				    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' ||
				    s[i] == '.'))
					break;
			if (s[i] != '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
				o2 = path_key(c, "tun_name");
				err(c, "not an interface name: \"%s\"", show(s, shown));
				path_set(c, o2);
			} else
				cfg->tun_name = xstrdup(s);
		}
	}
	path_set(c, o);
	cfg->kernel_backend = xstrdup(backends[b < 0 ? 3 : b]);
	if (cfg->tun_name == NULL)
		cfg->tun_name = xstrdup("ipsec0");

	cfg->half_open_cookie = get_u32(c, root, "half_open_cookie", 0, 1000000, 50);
	cfg->half_open_per_source = get_u32(c, root, "half_open_per_source", 0,
	    1000000, 10);

	if ((k = member(root, "firewall")) != NULL) {
		o = path_key(c, "firewall");
		if (is_object(c, k))
			cfg->firewall = json_incref(k);
		path_set(c, o);
	}
}

/* Firewall problems come back with their full path ("firewall.rules.wan[0]..."). */
static void
fw_err(void *arg, const char *path, const char *msg)
{
	add_line((struct ctx *)arg, path, msg);
}

/* ------------------------------------------------------------ entry points */

int
ike_config_load_json(json_t *doc, struct ike_config **out,
    struct ike_config_errors *errs)
{
	static const char *const keys[] = { "version", "listen", "ike_port",
	    "natt_port", "control_socket", "leases_file", "kernel",
	    "legacy_clients", "half_open_cookie", "half_open_per_source",
	    "server", "psk", "cas", "pools", "users", "phase1", "firewall", NULL };
	struct ctx c;
	struct ike_config *cfg;
	json_t *v;

	memset(&c, 0, sizeof(c));
	c.errs = errs;
	*out = NULL;
	if (doc == NULL || !json_is_object(doc)) {
		err(&c, "must be a JSON object");
		return -1;
	}
	cfg = xcalloc(1, sizeof(*cfg));
	cfg->json = json_incref(doc);
	c.cfg = cfg;

	v = member(doc, "version");
	if (v == NULL) {
		err_at(&c, "version", "required");
	} else if (!json_is_integer(v)) {
		err_at(&c, "version", "must be an integer");
	} else if (json_integer_value(v) != 1) {
		/* another format: checking the rest against this one is noise */
		err_at(&c, "version", "unsupported version %" JSON_INTEGER_FORMAT
		    " (this engine reads version 1)", json_integer_value(v));
		goto done;
	}
	check_keys(&c, doc, keys);
	get_bool(&c, doc, "legacy_clients", &cfg->legacy_clients);
	c.legacy = cfg->legacy_clients;
	parse_daemon(&c, doc);
	parse_server(&c, doc);
	cfg->psk = get_psk(&c, doc);
	cfg->cas = parse_section(&c, doc, "cas", MAX_CAS, sizeof(*cfg->cas),
	    &cfg->ncas, ca_fn);
	check_unique(&c, "cas", "CA", cfg->cas, sizeof(*cfg->cas),
	    offsetof(struct cfg_ca, name), cfg->ncas);
	cfg->pools = parse_section(&c, doc, "pools", MAX_POOLS, sizeof(*cfg->pools),
	    &cfg->npools, pool_fn);
	check_unique(&c, "pools", "pool", cfg->pools, sizeof(*cfg->pools),
	    offsetof(struct cfg_pool, name), cfg->npools);
	check_pool_overlaps(&c);
	cfg->users = parse_section(&c, doc, "users", MAX_USERS, sizeof(*cfg->users),
	    &cfg->nusers, user_fn);
	index_users(&c);
	cfg->phase1 = parse_section(&c, doc, "phase1", MAX_PHASE1,
	    sizeof(*cfg->phase1), &cfg->nphase1, phase1_fn);
	check_unique(&c, "phase1", "phase 1", cfg->phase1, sizeof(*cfg->phase1),
	    offsetof(struct cfg_phase1, name), cfg->nphase1);
	check_auth_needs(&c);
	if (cfg->firewall && c.nerr == 0)
		(void)fw_parse(cfg->firewall, cfg, &cfg->fw, fw_err, &c);
done:
	X509_free(c.server_cert);
	if (c.nerr > 0) {
		ike_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

/* Reads at most IKE_CONFIG_MAX_FILE bytes of fd; *out is malloc'ed with a
   NUL after the data.  0, -1 with errno, or -2 when the file is too big. */
static int
read_capped(int fd, char **out, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;

	if (buf == NULL)
		abort();
	for (;;) {
		if (n == cap) {
			if (cap > IKE_CONFIG_MAX_FILE) {
				explicit_bzero(buf, n);
				free(buf);
				return -2;
			}
			/* grow in steps, wiping the old copy (it holds secrets) */
			if ((nb = malloc(cap * 2)) == NULL)
				abort();
			memcpy(nb, buf, n);
			explicit_bzero(buf, n);
			free(buf);
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			explicit_bzero(buf, n);
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > IKE_CONFIG_MAX_FILE) {
		explicit_bzero(buf, n);
		free(buf);
		return -2;
	}
	if (n == cap && (nb = realloc(buf, cap + 1)) != NULL)
		buf = nb;
	else if (n == cap)
		abort();
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/*
 * Overwrites the secret strings of an engine.json document in place when
 * nothing else holds it.  jansson has no API for this: its string values
 * are heap copies that json_string_value() returns as const, so writing
 * through the cast is safe for a document that is about to be freed.
 */
static void
wipe_str(json_t *v)
{
	if (json_is_string(v))
		explicit_bzero((char *)(uintptr_t)json_string_value(v),
		    json_string_length(v));
}

static void
doc_release(json_t *doc)
{
	json_t *v, *u;
	size_t i;

	if (doc == NULL)
		return;
	if (doc->refcount == 1 && json_is_object(doc)) {
		wipe_str(json_object_get(doc, "psk"));
		if ((v = json_object_get(doc, "server")) != NULL && json_is_object(v))
			wipe_str(json_object_get(v, "private_key"));
		if ((v = json_object_get(doc, "users")) != NULL && json_is_array(v))
			json_array_foreach(v, i, u)
				if (json_is_object(u)) {
					wipe_str(json_object_get(u, "psk"));
					wipe_str(json_object_get(u, "nt_hash"));
				}
	}
	json_decref(doc);
}

int
ike_config_load_file(const char *path, struct ike_config **out,
    struct ike_config_errors *errs)
{
	struct ctx c;
	json_error_t jerr;
	json_t *doc;
	char *buf;
	size_t len;
	int fd, rc;

	memset(&c, 0, sizeof(c));
	c.errs = errs;
	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		err(&c, "cannot open: %s", strerror(errno));
		return -1;
	}
	rc = read_capped(fd, &buf, &len);
	if (rc == -1)
		err(&c, "cannot read: %s", strerror(errno));
	close(fd);
	if (rc == -2)
		err(&c, "larger than %u bytes", IKE_CONFIG_MAX_FILE);
	if (rc != 0)
		return -1;
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	explicit_bzero(buf, len);
	free(buf);
	if (doc == NULL) {
		err(&c, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		return -1;
	}
	rc = ike_config_load_json(doc, out, errs);
	if (rc == 0)
		(*out)->path = xstrdup(path);
	doc_release(doc);
	return rc;
}

static void
free_phase1(struct cfg_phase1 *p1)
{
	size_t i;

	free(p1->name);
	free(p1->local_id.value);
	free(p1->proposals);
	free_strv(p1->groups, p1->ngroups);
	free(p1->pool);
	for (i = 0; i < p1->nphase2; i++) {
		free(p1->phase2[i].name);
		free(p1->phase2[i].local_ts);
		free(p1->phase2[i].proposals);
	}
	free(p1->phase2);
}

void
ike_config_free(struct ike_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->listen);
	free(cfg->control_socket);
	free(cfg->leases_file);
	free(cfg->kernel_backend);
	free(cfg->tun_name);
	free(cfg->server_cert_pem);
	free(cfg->server_chain_pem);
	free_secret(cfg->server_key_pem);
	free_secret(cfg->psk);
	for (i = 0; i < cfg->ncas; i++) {
		free(cfg->cas[i].name);
		free(cfg->cas[i].cert_pem);
		free(cfg->cas[i].crl_pem);
	}
	free(cfg->cas);
	for (i = 0; i < cfg->nphase1; i++)
		free_phase1(&cfg->phase1[i]);
	free(cfg->phase1);
	for (i = 0; i < cfg->npools; i++) {
		free(cfg->pools[i].name);
		free(cfg->pools[i].dns);
		free(cfg->pools[i].domain);
		free_strv(cfg->pools[i].split_dns, cfg->pools[i].nsplit_dns);
		free(cfg->pools[i].split_include);
		free(cfg->pools[i].banner);
	}
	free(cfg->pools);
	for (i = 0; i < cfg->nusers; i++) {
		free(cfg->users[i].name);
		explicit_bzero(cfg->users[i].nt_hash, sizeof(cfg->users[i].nt_hash));
		free_secret(cfg->users[i].psk);
		free_strv(cfg->users[i].groups, cfg->users[i].ngroups);
		free_strv(cfg->users[i].cert_ids, cfg->users[i].ncert_ids);
	}
	free(cfg->users);
	free(cfg->user_index);
	json_decref(cfg->firewall);
	fw_free(cfg->fw);
	doc_release(cfg->json);
	free(cfg);
}

void
ike_config_errors_free(struct ike_config_errors *errs)
{
	if (errs == NULL)
		return;
	free_strv(errs->v, errs->n);
	errs->v = NULL;
	errs->n = 0;
}

/* ------------------------------------------------------------ lookups */

const struct cfg_user *
ike_config_user(const struct ike_config *cfg, const char *name)
{
	size_t lo = 0, hi = cfg->nusers, mid;
	const struct cfg_user *u;
	int r;

	if (name == NULL || cfg->user_index == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		u = &cfg->users[cfg->user_index[mid]];
		if ((r = strcasecmp(name, u->name)) == 0)
			return u;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct cfg_pool *
ike_config_pool(const struct ike_config *cfg, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < cfg->npools; i++)
		if (cfg->pools[i].name != NULL && strcmp(cfg->pools[i].name, name) == 0)
			return &cfg->pools[i];
	return NULL;
}

int
ike_config_user_allowed(const struct cfg_phase1 *p1, const struct cfg_user *u)
{
	size_t i, j;

	if (p1->ngroups == 0)
		return 1;
	if (u == NULL)
		return 0;
	for (i = 0; i < p1->ngroups; i++)
		for (j = 0; j < u->ngroups; j++)
			if (strcmp(p1->groups[i], u->groups[j]) == 0)
				return 1;
	return 0;
}

void
cfg_net_str(const struct cfg_net *n, char *out, size_t len)
{
	char text[INET6_ADDRSTRLEN];

	if (len == 0)
		return;
	out[0] = '\0';
	if ((n->family != AF_INET && n->family != AF_INET6) ||
	    inet_ntop(n->family, n->addr, text, sizeof(text)) == NULL)
		return;
	snprintf(out, len, "%s/%u", text, n->prefix);
}

json_t *
cfg_nets_json(const struct cfg_net *n, size_t cnt)
{
	json_t *a = json_array();
	char buf[INET6_ADDRSTRLEN + 4];
	size_t i;

	for (i = 0; i < cnt; i++) {
		cfg_net_str(&n[i], buf, sizeof(buf));
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

int
cfg_net_contains(const struct cfg_net *n, int family, const uint8_t *addr)
{
	unsigned int full, rest;

	if (n->family != family || (family != AF_INET && family != AF_INET6) ||
	    n->prefix > addr_len(family) * 8)
		return 0;
	full = n->prefix / 8;
	rest = n->prefix % 8;
	if (memcmp(n->addr, addr, full) != 0)
		return 0;
	if (rest != 0 && ((n->addr[full] ^ addr[full]) & (0xff << (8 - rest))) != 0)
		return 0;
	return 1;
}
