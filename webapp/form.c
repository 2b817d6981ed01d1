/*
 * form — see form.h.
 *
 * Messages are sentences for the person filling in the form, shown next to
 * the field: either "<Label> must …" or an instruction with an example
 * ("Enter an IPv4 address such as 192.0.2.1.").  Examples use the
 * documentation ranges (RFC 5737, RFC 3849, RFC 2606).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "form.h"

#define FORM_MSG_MAX	512
#define FORM_TEXT_MAX	1024			/* default max length, code points */
#define FORM_MULTI_MAX	64			/* default max number of values */
#define FORM_FILE_MAX	(4LL * 1024 * 1024)	/* default max file size */
#define FORM_ITEM_SHOW	40			/* bytes of a bad item quoted in a message */

/* ------------------------------------------------------------------ small helpers */

static const char *
form_label(const struct form_field *fld)
{
	return fld->label ? fld->label : fld->name;
}

static int
form_secret(const struct form_field *fld)
{
	return fld->type == FORM_PASSWORD || (fld->flags & FORM_NOECHO);
}

static const struct form_field *
form_field_find(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}

/* HTML's ASCII whitespace, plus VT. */
static int
form_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void
form_trim(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && form_space(s[*a]))
		(*a)++;
	while (*b > *a && form_space(s[*b - 1]))
		(*b)--;
}

static int
form_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

static json_t *
form_checked(json_t *j)
{
	if (j == NULL)
		abort();		/* out of memory, as in buf.c */
	return j;
}

/*
 * A JSON string of s that is always valid: jansson refuses invalid UTF-8,
 * and values reach here before (or without) validation.  Bytes that do not
 * start a well-formed sequence, and NULs, become U+FFFD.
 */
static json_t *
form_jstr(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	struct buf b = { 0 };
	json_t *j;
	size_t i = 0, k;

	if (web_utf8_valid(s, n) && memchr(s, '\0', n) == NULL)
		return form_checked(json_stringn(s, n));
	while (i < n) {
		if (u[i] < 0x80)
			k = 1;
		else if (u[i] >= 0xc2 && u[i] <= 0xdf)
			k = 2;
		else if (u[i] >= 0xe0 && u[i] <= 0xef)
			k = 3;
		else if (u[i] >= 0xf0 && u[i] <= 0xf4)
			k = 4;
		else
			k = 0;
		if (k == 0 || k > n - i || !web_utf8_valid(s + i, k) || u[i] == 0) {
			buf_add(&b, "\xef\xbf\xbd", 3);
			i++;
		} else {
			buf_add(&b, s + i, k);
			i += k;
		}
	}
	j = form_checked(json_stringn(buf_str(&b), b.len));
	buf_free(&b);
	return j;
}

static void
form_set_error(struct form *f, const char *name, const char *msg)
{
	if (json_object_get(f->errors, name) == NULL)
		json_object_set_new(f->errors, name, form_jstr(msg, strlen(msg)));
}

/* Overwrites the strings of v (a string or array of strings) if nothing else holds them. */
static void
form_wipe_json(json_t *v)
{
	json_t *item;
	size_t i;

	if (v == NULL || v->refcount != 1)
		return;
	if (json_is_string(v))
		explicit_bzero((char *)(uintptr_t)json_string_value(v), json_string_length(v));
	else if (json_is_array(v))
		json_array_foreach(v, i, item)
			form_wipe_json(item);
}

/* ------------------------------------------------------------------ validators */

/*
 * Like OpenBSD strtonum: the whole string is one decimal number, optionally
 * negative; no "+", no white space, no trailing characters, no overflow.
 * Digits are accumulated as a negative number so LLONG_MIN fits.
 */
int
parse_int(const char *s, long long min, long long max, long long *out)
{
	long long v = 0;
	int neg = 0, d;

	if (s == NULL || min > max)
		return -1;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = *s - '0';
		if (v < (LLONG_MIN + d) / 10)
			return -1;
		v = v * 10 - d;
	}
	if (*s != '\0')
		return -1;
	if (!neg) {
		if (v == LLONG_MIN)
			return -1;
		v = -v;
	}
	if (v < min || v > max)
		return -1;
	if (out != NULL)
		*out = v;
	return 0;
}

/*
 * A dotted quad with a part like "010": inet_aton() reads it as octal (8),
 * other software as decimal (10), so it is refused rather than guessed.
 */
static int
form_v4_leading_zero(const char *s)
{
	const char *p = s;

	if (strspn(s, "0123456789.") != strlen(s))
		return 0;
	for (;;) {
		if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
			return 1;
		p = strchr(p, '.');
		if (p == NULL)
			return 0;
		p++;
	}
}

int
valid_ipv4(const char *s)
{
	struct in_addr a;

	return s != NULL && !form_v4_leading_zero(s) && inet_pton(AF_INET, s, &a) == 1;
}

int
valid_ipv6(const char *s)
{
	struct in6_addr a;
	const char *colon;

	if (s == NULL || inet_pton(AF_INET6, s, &a) != 1)
		return 0;
	/* RFC 4291 2.2 form 3 (x:x:x:x:x:x:d.d.d.d): the same rule for the dotted part. */
	colon = strrchr(s, ':');
	return colon == NULL || !form_v4_leading_zero(colon + 1);
}

static int
form_cidr_check(const char *s, int family, struct buf *norm, char *msg, size_t sz)
{
	unsigned char a[16], net[16];
	char addr[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN];
	const char *slash, *example;
	size_t alen, plen, i;
	long long bits, first;
	int af, maxbits;

	if (family == AF_INET)
		example = "Enter an IPv4 network such as 192.0.2.0/24.";
	else if (family == AF_INET6)
		example = "Enter an IPv6 network such as 2001:db8::/32.";
	else
		example = "Enter a network such as 192.0.2.0/24 or 2001:db8::/32.";
	if (s == NULL || (slash = strrchr(s, '/')) == NULL)
		goto bad;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(addr))
		goto bad;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (family != 0 && af != family)
		goto bad;
	if (!(af == AF_INET ? valid_ipv4(addr) : valid_ipv6(addr)))
		goto bad;
	if (inet_pton(af, addr, a) != 1)
		goto bad;
	maxbits = af == AF_INET ? 32 : 128;
	/* The prefix length: decimal, no sign, no leading zeros (RFC 4632 3.1, RFC 4291 2.3). */
	plen = strlen(slash + 1);
	if (!form_digits(slash + 1, plen) || plen > 3 || (plen > 1 && slash[1] == '0') ||
	    parse_int(slash + 1, 0, maxbits, &bits) != 0) {
		if (msg != NULL && sz > 0)
			snprintf(msg, sz, "The prefix length after / must be a number "
			    "between 0 and %d.", maxbits);
		return 0;
	}
	/* Clear the host bits: byte i holds address bits 8i .. 8i+7. */
	memcpy(net, a, sizeof(net));
	for (i = 0; i < (size_t)maxbits / 8; i++) {
		first = (long long)i * 8;
		if (bits <= first)
			net[i] = 0;
		else if (bits < first + 8)
			net[i] &= (unsigned char)(0xff << (8 - (bits - first)));
	}
	inet_ntop(af, net, out, sizeof(out));
	if (memcmp(net, a, (size_t)maxbits / 8) != 0) {
		if (msg != NULL && sz > 0)
			snprintf(msg, sz, "%s has host bits set; did you mean %s/%lld?",
			    s, out, bits);
		return 0;
	}
	if (norm != NULL)
		buf_printf(norm, "%s/%lld", out, bits);
	return 1;
bad:
	if (msg != NULL && sz > 0)
		snprintf(msg, sz, "%s", example);
	return 0;
}

int
valid_cidr(const char *s, int family, char *msg, size_t sz)
{
	return form_cidr_check(s, family, NULL, msg, sz);
}

enum form_dns {
	DNS_OK,
	DNS_EMPTY,
	DNS_CHAR,
	DNS_LABEL_LEN,
	DNS_HYPHEN,
	DNS_TOO_LONG,
	DNS_ONE_LABEL,
	DNS_NUMERIC,
};

/*
 * RFC 1123 2.1 (amending RFC 952): labels of letters, digits and hyphens,
 * not starting or ending with a hyphen, 1..63 characters (RFC 1035 2.3.4),
 * at most 253 characters in all (255 octets on the wire); "the highest-level
 * component label will be alphabetic", so the last label is not all digits
 * (which also keeps "1.2.3.4" from passing as a name).  A trailing dot
 * (the root) is accepted; *len is shortened to drop it.
 */
static enum form_dns
form_dns_check(const char *s, size_t *len, int need_two)
{
	size_t n = *len, i, start = 0, labels = 0;
	unsigned char c;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0)
		return DNS_EMPTY;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			c = (unsigned char)s[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-'))
				return DNS_CHAR;
			continue;
		}
		if (i == start || i - start > 63)
			return DNS_LABEL_LEN;
		if (s[start] == '-' || s[i - 1] == '-')
			return DNS_HYPHEN;
		labels++;
		if (i < n)
			start = i + 1;
	}
	if (n > 253)
		return DNS_TOO_LONG;
	if (need_two && labels < 2)
		return DNS_ONE_LABEL;
	if (form_digits(s + start, n - start))
		return DNS_NUMERIC;
	*len = n;
	return DNS_OK;
}

int
valid_hostname(const char *s)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	return form_dns_check(s, &n, 0) == DNS_OK;
}

int
valid_fqdn(const char *s, int allow_wildcard)
{
	size_t n;

	if (s == NULL)
		return 0;
	if (allow_wildcard && s[0] == '*' && s[1] == '.')
		s += 2;
	n = strlen(s);
	return form_dns_check(s, &n, 1) == DNS_OK;
}

/* RFC 5322 3.2.3: atext. */
static int
form_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/*
 * Deliberately narrow: local part a dot-atom (RFC 5322 3.4.1; no quoted
 * strings, comments or IP literals) of at most 64 octets (RFC 5321
 * 4.5.3.1.1), domain an FQDN without trailing dot, 254 octets in all (RFC
 * 5321 4.5.3.1.3 path limit less the angle brackets).
 */
int
valid_email(const char *s)
{
	const char *at;
	size_t llen, dlen, i;

	if (s == NULL || strlen(s) > 254 || (at = strchr(s, '@')) == NULL)
		return 0;
	llen = (size_t)(at - s);
	if (llen == 0 || llen > 64 || s[0] == '.' || s[llen - 1] == '.')
		return 0;
	for (i = 0; i < llen; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return 0;
		if (s[i] != '.' && !form_atext((unsigned char)s[i]))
			return 0;
	}
	dlen = strlen(at + 1);
	if (dlen == 0 || at[dlen] == '.')
		return 0;
	return form_dns_check(at + 1, &dlen, 1) == DNS_OK;
}

/* 0: a real date; 1: not YYYY-MM-DD; 2: the form is right but no such day. */
static int
form_date_check(const char *s)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long long y, m, d;
	int days;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !form_digits(s, 4) || !form_digits(s + 5, 2) || !form_digits(s + 8, 2))
		return 1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return 2;
	days = mdays[m - 1];
	/* Gregorian leap years: divisible by 4, except centuries not divisible by 400. */
	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		days = 29;
	return d > days ? 2 : 0;
}

int
valid_date(const char *s)
{
	return form_date_check(s) == 0;
}

/* ------------------------------------------------------------------ patterns */

/*
 * Compiled patterns, kept for the life of the process: field declarations
 * are static, so the list is as long as the number of patterns in the
 * program.  Keyed by pointer, checked by content in case a caller reuses
 * storage.  The web app is single-threaded.
 */
struct form_re {
	struct form_re	*next;
	const char	*key;
	char		*src;
	regex_t		 re;
	int		 ok;
};
static struct form_re *form_re_list;

static const regex_t *
form_pattern(const char *pat)
{
	struct form_re *r;
	struct buf anchored = { 0 };

	for (r = form_re_list; r != NULL; r = r->next)
		if (r->key == pat && strcmp(r->src, pat) == 0)
			return r->ok ? &r->re : NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->src = strdup(pat)) == NULL)
		abort();
	r->key = pat;
	buf_printf(&anchored, "^(%s)$", pat);
	r->ok = regcomp(&r->re, buf_str(&anchored), REG_EXTENDED | REG_NOSUB) == 0;
	if (!r->ok)
		fprintf(stderr, "form: pattern does not compile: %s\n", pat);
	buf_free(&anchored);
	r->next = form_re_list;
	form_re_list = r;
	return r->ok ? &r->re : NULL;
}

/* ------------------------------------------------------------------ one value */

static const char *
form_dns_msg(enum form_dns e, const char *noun, char *msg, size_t sz)
{
	switch (e) {
	case DNS_CHAR:
		snprintf(msg, sz, "A %s may contain only letters, digits, hyphens and dots.",
		    noun);
		break;
	case DNS_LABEL_LEN:
		snprintf(msg, sz, "Each dot-separated part of a %s must be 1 to 63 "
		    "characters long.", noun);
		break;
	case DNS_HYPHEN:
		snprintf(msg, sz, "A part of a %s must not start or end with a hyphen.",
		    noun);
		break;
	case DNS_TOO_LONG:
		snprintf(msg, sz, "A %s must be at most 253 characters long.", noun);
		break;
	case DNS_NUMERIC:
		snprintf(msg, sz, "The last part of a %s must not be all digits.", noun);
		break;
	default:
		snprintf(msg, sz, "Enter a %s such as vpn.example.com.", noun);
		break;
	}
	return msg;
}

static int
form_check_text(const struct form_field *fld, const char *v, size_t len,
    struct buf *norm, char *msg, size_t sz)
{
	const unsigned char *s = (const unsigned char *)v;
	long long max = fld->max > 0 ? fld->max : FORM_TEXT_MAX, chars = 0;
	int lines = (fld->flags & FORM_MULTILINE) != 0;
	unsigned char c;
	size_t i;

	if (!web_utf8_valid(v, len)) {
		snprintf(msg, sz, "%s contains bytes that are not valid UTF-8 text.",
		    form_label(fld));
		return -1;
	}
	for (i = 0; i < len; i++) {
		c = s[i];
		if (lines && c == '\r') {
			/* HTML submits textarea line breaks as CRLF; keep LF. */
			if (len - i > 1 && s[i + 1] == '\n')
				i++;
			c = '\n';
		}
		/* C0 controls, DEL, and C1 controls (U+0080..U+009F = C2 80..C2 9F). */
		if ((c < 0x20 && !(lines && c == '\n')) || c == 0x7f ||
		    (c == 0xc2 && len - i > 1 && s[i + 1] <= 0x9f)) {
			snprintf(msg, sz, "%s must not contain control characters%s.",
			    form_label(fld), lines ? " other than line breaks" : "");
			return -1;
		}
		if ((c & 0xc0) != 0x80)
			chars++;
		buf_addc(norm, (char)c);
	}
	if (chars < fld->min) {
		snprintf(msg, sz, "%s must be at least %lld characters long.",
		    form_label(fld), fld->min);
		return -1;
	}
	if (chars > max) {
		snprintf(msg, sz, "%s must be at most %lld characters long.",
		    form_label(fld), max);
		return -1;
	}
	return 0;
}

static int
form_bool_parse(const char *s)
{
	static const char *const no[] = { "", "0", "off", "false", "no" };
	static const char *const yes[] = { "1", "on", "true", "yes" };
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	return -1;
}

/*
 * Checks one trimmed value v (len bytes, NUL-terminated) against the field's
 * type and pattern.  0 with the normalised value appended to norm, or -1
 * with a message in msg.
 */
static int
form_check(const struct form_field *fld, const char *v, size_t len, struct buf *norm,
    char *msg, size_t sz)
{
	const char *l = form_label(fld);
	const regex_t *re;
	unsigned char a[16];
	char out[INET6_ADDRSTRLEN];
	const char *const *c;
	long long n, lo, hi;
	size_t dlen;
	enum form_dns e;
	int r, af;

	if (fld->type != FORM_TEXT && fld->type != FORM_PASSWORD &&
	    memchr(v, '\0', len) != NULL) {
		v = "\x01";		/* a NUL fails every grammar below */
		len = 1;
	}
	switch (fld->type) {
	case FORM_TEXT:
	case FORM_PASSWORD:
		if (form_check_text(fld, v, len, norm, msg, sz) != 0)
			return -1;
		break;
	case FORM_INT:
		lo = fld->min;
		hi = fld->max;
		if (lo == 0 && hi == 0) {
			lo = LLONG_MIN;
			hi = LLONG_MAX;
		}
		if (parse_int(v, lo, hi, &n) != 0) {
			if (fld->min == 0 && fld->max == 0)
				snprintf(msg, sz, "%s must be a whole number.", l);
			else
				snprintf(msg, sz, "%s must be a whole number between "
				    "%lld and %lld.", l, lo, hi);
			return -1;
		}
		buf_printf(norm, "%lld", n);
		break;
	case FORM_IPV4:
	case FORM_IPV6:
	case FORM_IP:
		af = strchr(v, ':') ? AF_INET6 : AF_INET;
		if (af == AF_INET && fld->type != FORM_IPV6 && form_v4_leading_zero(v)) {
			snprintf(msg, sz, "Enter the IPv4 address without leading zeros, "
			    "such as 192.0.2.1.");
			return -1;
		}
		if ((fld->type == FORM_IPV4 && af != AF_INET) ||
		    (fld->type == FORM_IPV6 && af != AF_INET6) ||
		    !(af == AF_INET ? valid_ipv4(v) : valid_ipv6(v)) ||
		    inet_pton(af, v, a) != 1) {
			if (fld->type == FORM_IPV4)
				snprintf(msg, sz, "Enter an IPv4 address such as 192.0.2.1.");
			else if (fld->type == FORM_IPV6)
				snprintf(msg, sz, "Enter an IPv6 address such as 2001:db8::1.");
			else
				snprintf(msg, sz, "Enter an IPv4 or IPv6 address such as "
				    "192.0.2.1 or 2001:db8::1.");
			return -1;
		}
		/* RFC 5952: one text form per IPv6 address. */
		inet_ntop(af, a, out, sizeof(out));
		buf_adds(norm, out);
		break;
	case FORM_CIDR4:
	case FORM_CIDR6:
	case FORM_CIDR:
		af = fld->type == FORM_CIDR4 ? AF_INET : fld->type == FORM_CIDR6 ? AF_INET6 : 0;
		if (!form_cidr_check(v, af, norm, msg, sz))
			return -1;
		break;
	case FORM_HOSTNAME:
	case FORM_FQDN:
		dlen = len;
		r = fld->type == FORM_FQDN && (fld->flags & FORM_WILDCARD) &&
		    len > 2 && v[0] == '*' && v[1] == '.';
		if (r)
			dlen -= 2;
		e = form_dns_check(v + (r ? 2 : 0), &dlen, fld->type == FORM_FQDN);
		if (e != DNS_OK) {
			form_dns_msg(e, fld->type == FORM_FQDN ? "domain name" : "host name",
			    msg, sz);
			if (e == DNS_ONE_LABEL || e == DNS_EMPTY)
				snprintf(msg, sz, "Enter a fully qualified domain name "
				    "such as vpn.example.com.");
			return -1;
		}
		buf_add(norm, v, dlen + (r ? 2 : 0));
		break;
	case FORM_EMAIL:
		if (!valid_email(v)) {
			snprintf(msg, sz, "Enter an email address such as admin@example.com.");
			return -1;
		}
		buf_add(norm, v, len);
		break;
	case FORM_ENUM:
		for (c = fld->choices; c != NULL && *c != NULL; c++)
			if (strcmp(*c, v) == 0)
				break;
		if (c == NULL || *c == NULL) {
			snprintf(msg, sz, "Choose one of the listed options.");
			return -1;
		}
		buf_add(norm, v, len);
		break;
	case FORM_BOOL:
		r = form_bool_parse(v);
		if (r < 0) {
			snprintf(msg, sz, "%s must be either on or off.", l);
			return -1;
		}
		buf_addc(norm, r ? '1' : '0');
		return 0;		/* no pattern on a checkbox */
	case FORM_DATE:
		r = form_date_check(v);
		if (r == 1)
			snprintf(msg, sz, "Enter a date as YYYY-MM-DD, such as 2024-02-29.");
		else if (r == 2)
			snprintf(msg, sz, "%s is not a date in the calendar.", v);
		if (r != 0)
			return -1;
		buf_add(norm, v, len);
		break;
	case FORM_FILE:
	default:
		snprintf(msg, sz, "%s cannot be checked.", l);
		return -1;
	}
	if (fld->pattern != NULL) {
		re = form_pattern(fld->pattern);
		if (re == NULL || regexec(re, buf_str(norm), 0, NULL, 0) != 0) {
			if (fld->pattern_msg != NULL)
				snprintf(msg, sz, "%s", fld->pattern_msg);
			else
				snprintf(msg, sz, "%s is not in the expected format.", l);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ one field */

static void
form_validate_single(struct form *f, const struct form_field *fld)
{
	const struct web_param *p = web_param_find(f->in, fld->name);
	struct buf val = { 0 }, norm = { 0 };
	char msg[FORM_MSG_MAX];
	size_t a = 0, b = p ? p->value_len : 0;

	if (p != NULL && fld->type != FORM_PASSWORD)
		form_trim(p->value, &a, &b);
	if (p != NULL)
		buf_add(&val, p->value + a, b - a);
	json_object_set_new(f->entered, fld->name, form_secret(fld) ?
	    form_checked(json_string("")) : form_jstr(buf_str(&val), val.len));
	if (val.len == 0 && fld->type != FORM_BOOL) {
		if (fld->flags & FORM_REQUIRED)
			form_set_error(f, fld->name, "Required.");
		else
			json_object_set_new(f->values, fld->name, form_checked(json_string("")));
		goto out;
	}
	if (form_check(fld, buf_str(&val), val.len, &norm, msg, sizeof(msg)) != 0) {
		form_set_error(f, fld->name, msg);
		goto out;
	}
	if (fld->type == FORM_BOOL && (fld->flags & FORM_REQUIRED) &&
	    strcmp(buf_str(&norm), "1") != 0) {
		form_set_error(f, fld->name, "Required.");
		goto out;
	}
	json_object_set_new(f->values, fld->name, form_jstr(buf_str(&norm), norm.len));
out:
	buf_wipe(&val);
	buf_wipe(&norm);
}

static int
form_sep(char c)
{
	return c == '\n' || c == '\r' || c == ',';
}

/*
 * The next non-empty item of s[*pos..len), trimmed, as [*ia, *ib).  With
 * lines, items are separated by newlines and commas; otherwise s is one item.
 */
static int
form_next_item(const char *s, size_t len, int lines, size_t *pos, size_t *ia, size_t *ib)
{
	size_t i, a, b;

	while (*pos < len) {
		for (i = *pos; i < len && !(lines && form_sep(s[i])); i++)
			;
		a = *pos;
		b = i;
		*pos = i + 1;
		form_trim(s, &a, &b);
		if (b > a) {
			*ia = a;
			*ib = b;
			return 1;
		}
	}
	return 0;
}

/* "item: message", the item cut short at a character boundary. */
static void
form_item_error(struct form *f, const struct form_field *fld, const char *item,
    size_t len, const char *msg)
{
	struct buf b = { 0 };
	size_t cut = len;

	if (form_secret(fld)) {
		form_set_error(f, fld->name, msg);
		return;
	}
	if (cut > FORM_ITEM_SHOW) {
		cut = FORM_ITEM_SHOW;
		while (cut > 0 && ((unsigned char)item[cut] & 0xc0) == 0x80)
			cut--;
	}
	buf_add(&b, item, cut);
	if (cut < len)
		buf_adds(&b, "\xe2\x80\xa6");	/* … */
	buf_printf(&b, ": %s", msg);
	if (json_object_get(f->errors, fld->name) == NULL)
		json_object_set_new(f->errors, fld->name, form_jstr(buf_str(&b), b.len));
	buf_free(&b);
}

static void
form_validate_multi(struct form *f, const struct form_field *fld)
{
	long long max = fld->max > 0 ? fld->max : FORM_MULTI_MAX, count = 0;
	int lines = (fld->flags & FORM_LINES) != 0, failed = 0;
	struct buf text = { 0 }, item = { 0 }, norm = { 0 };
	const struct web_param *p;
	json_t *vals, *entered = NULL;
	char msg[FORM_MSG_MAX];
	size_t i, pos, a, b, ia, ib;

	vals = form_checked(json_array());
	if (!lines)
		entered = form_checked(json_array());
	for (i = 0; f->in != NULL && i < f->in->n && !failed; i++) {
		p = &f->in->v[i];
		if (strcmp(p->name, fld->name) != 0)
			continue;
		a = 0;
		b = p->value_len;
		form_trim(p->value, &a, &b);
		if (lines) {
			if (text.len > 0 && b > a)
				buf_addc(&text, '\n');
			buf_add(&text, p->value + a, b - a);
		} else if (b > a && !form_secret(fld))
			json_array_append_new(entered, form_jstr(p->value + a, b - a));
		pos = a;
		while (!failed && form_next_item(p->value, b, lines, &pos, &ia, &ib)) {
			if (++count > max) {
				snprintf(msg, sizeof(msg), "%s can have at most %lld entries.",
				    form_label(fld), max);
				form_set_error(f, fld->name, msg);
				failed = 1;
				break;
			}
			buf_reset(&item);
			buf_reset(&norm);
			buf_add(&item, p->value + ia, ib - ia);
			if (form_check(fld, buf_str(&item), item.len, &norm, msg,
			    sizeof(msg)) != 0) {
				form_item_error(f, fld, item.data, item.len, msg);
				failed = 1;
				break;
			}
			json_array_append_new(vals, form_jstr(buf_str(&norm), norm.len));
		}
	}
	if (form_secret(fld))
		json_object_set_new(f->entered, fld->name, form_checked(json_string("")));
	else if (lines)
		json_object_set_new(f->entered, fld->name, form_jstr(buf_str(&text), text.len));
	else
		json_object_set(f->entered, fld->name, entered);
	if (!failed && count == 0 && (fld->flags & FORM_REQUIRED)) {
		form_set_error(f, fld->name, "Required.");
		failed = 1;
	}
	if (!failed)
		json_object_set(f->values, fld->name, vals);
	else
		form_wipe_json(vals);
	json_decref(vals);
	json_decref(entered);
	buf_wipe(&text);
	buf_wipe(&item);
	buf_wipe(&norm);
}

static void
form_size_text(char *out, size_t sz, long long n)
{
	if (n > 0 && n % (1024 * 1024) == 0)
		snprintf(out, sz, "%lld MiB", n / (1024 * 1024));
	else if (n > 0 && n % 1024 == 0)
		snprintf(out, sz, "%lld KiB", n / 1024);
	else
		snprintf(out, sz, "%lld bytes", n);
}

static void
form_validate_file(struct form *f, const struct form_field *fld)
{
	const struct web_param *p = web_param_find(f->in, fld->name);
	long long max = fld->max > 0 ? fld->max : FORM_FILE_MAX;
	const char *fname;
	char msg[FORM_MSG_MAX], size[64];
	json_t *info;

	if (p == NULL || p->value_len == 0) {
		if (fld->flags & FORM_REQUIRED)
			form_set_error(f, fld->name, "Required.");
		else
			json_object_set_new(f->values, fld->name, form_checked(json_string("")));
		return;
	}
	if (p->value_len > (unsigned long long)max) {
		form_size_text(size, sizeof(size), max);
		snprintf(msg, sizeof(msg), "File is larger than %s.", size);
		form_set_error(f, fld->name, msg);
		return;
	}
	fname = p->filename ? p->filename : "";
	info = form_checked(json_object());
	json_object_set_new(info, "filename", form_jstr(fname, strlen(fname)));
	json_object_set_new(info, "content_type", p->content_type ?
	    form_jstr(p->content_type, strlen(p->content_type)) : json_null());
	json_object_set_new(info, "size", form_checked(json_integer((json_int_t)p->value_len)));
	json_object_set_new(f->files, fld->name, info);
	json_object_set_new(f->values, fld->name, form_jstr(fname, strlen(fname)));
}

/* ------------------------------------------------------------------ the form */

void
form_init(struct form *f, const struct form_field *fields, size_t nfields)
{
	memset(f, 0, sizeof(*f));
	f->fields = fields;
	f->nfields = fields ? nfields : 0;
	f->values = form_checked(json_object());
	f->entered = form_checked(json_object());
	f->errors = form_checked(json_object());
	f->files = form_checked(json_object());
}

int
form_validate(struct form *f, const struct form_field *fields, size_t nfields,
    const struct web_params *in)
{
	const struct form_field *fld;
	size_t i;

	form_init(f, fields, nfields);
	f->in = in;
	for (i = 0; i < f->nfields; i++) {
		fld = &f->fields[i];
		if (fld->type == FORM_FILE)
			form_validate_file(f, fld);
		else if (fld->flags & FORM_MULTI)
			form_validate_multi(f, fld);
		else
			form_validate_single(f, fld);
	}
	return form_ok(f) ? 0 : -1;
}

void
form_error(struct form *f, const char *name, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	form_set_error(f, name, buf_str(&b));
	buf_free(&b);
}

int
form_ok(const struct form *f)
{
	return f->errors == NULL || json_object_size(f->errors) == 0;
}

void
form_set(struct form *f, const char *name, const char *value)
{
	const struct form_field *fld = form_field_find(f, name);
	size_t len, pos = 0, a, b;
	json_t *arr, *ent;
	struct buf text = { 0 };
	int secret = fld != NULL && form_secret(fld), lines;

	if (value == NULL)
		value = "";
	len = strlen(value);
	if (fld == NULL || !(fld->flags & FORM_MULTI)) {
		json_object_set_new(f->values, name, form_jstr(value, len));
		json_object_set_new(f->entered, name, secret ?
		    form_checked(json_string("")) : form_jstr(value, len));
		return;
	}
	lines = (fld->flags & FORM_LINES) != 0;
	arr = json_object_get(f->values, name);
	if (!json_is_array(arr)) {
		arr = form_checked(json_array());
		json_object_set_new(f->values, name, arr);
	}
	while (form_next_item(value, len, lines, &pos, &a, &b))
		json_array_append_new(arr, form_jstr(value + a, b - a));
	ent = json_object_get(f->entered, name);
	if (secret)
		json_object_set_new(f->entered, name, form_checked(json_string("")));
	else if (lines) {
		if (json_is_string(ent) && json_string_length(ent) > 0) {
			buf_add(&text, json_string_value(ent), json_string_length(ent));
			buf_addc(&text, '\n');
		}
		buf_add(&text, value, len);
		json_object_set_new(f->entered, name, form_jstr(buf_str(&text), text.len));
		buf_free(&text);
	} else {
		if (!json_is_array(ent)) {
			ent = form_checked(json_array());
			json_object_set_new(f->entered, name, ent);
		}
		json_array_append_new(ent, form_jstr(value, len));
	}
}

const char *
form_str(const struct form *f, const char *name)
{
	json_t *v = json_object_get(f->values, name);

	if (json_is_array(v))
		v = json_array_get(v, 0);
	return json_is_string(v) ? json_string_value(v) : "";
}

long long
form_int(const struct form *f, const char *name)
{
	long long n;

	if (parse_int(form_str(f, name), LLONG_MIN, LLONG_MAX, &n) != 0)
		return 0;
	return n;
}

int
form_bool(const struct form *f, const char *name)
{
	return strcmp(form_str(f, name), "1") == 0;
}

size_t
form_count(const struct form *f, const char *name)
{
	json_t *v = json_object_get(f->values, name);

	if (json_is_array(v))
		return json_array_size(v);
	return json_is_string(v) && json_string_length(v) > 0 ? 1 : 0;
}

const char *
form_item(const struct form *f, const char *name, size_t i)
{
	json_t *v = json_object_get(f->values, name);

	if (json_is_array(v))
		v = json_array_get(v, i);
	else if (i != 0)
		v = NULL;
	return json_is_string(v) ? json_string_value(v) : "";
}

const unsigned char *
form_file(const struct form *f, const char *name, size_t *len)
{
	const struct form_field *fld = form_field_find(f, name);
	const struct web_param *p;

	if (len != NULL)
		*len = 0;
	if (fld == NULL || fld->type != FORM_FILE || json_object_get(f->errors, name))
		return NULL;
	p = web_param_find(f->in, name);
	if (p == NULL || p->value_len == 0)
		return NULL;
	if (len != NULL)
		*len = p->value_len;
	return (const unsigned char *)p->value;
}

json_t *
form_context(const struct form *f)
{
	json_t *values, *errors;
	size_t i;

	values = f->entered ? json_deep_copy(f->entered) : json_object();
	errors = f->errors ? json_deep_copy(f->errors) : json_object();
	form_checked(values);
	form_checked(errors);
	/*
	 * Templates are strict about undefined names, so every declared field
	 * is present: secrets blank, checkboxes as booleans (a section on the
	 * string "0" would be truthy), absent fields "" or [].
	 */
	for (i = 0; i < f->nfields; i++) {
		const struct form_field *fd = &f->fields[i];

		if (form_secret(fd))
			json_object_set_new(values, fd->name, form_checked(json_string("")));
		else if (fd->type == FORM_BOOL)
			json_object_set_new(values, fd->name, json_boolean(form_bool(f, fd->name)));
		else if (json_object_get(values, fd->name) == NULL)
			json_object_set_new(values, fd->name, form_checked(
			    (fd->flags & FORM_MULTI) && !(fd->flags & FORM_LINES) ?
			    json_array() : json_string("")));
	}
	return form_checked(json_pack("{s:o, s:o, s:b}", "values", values,
	    "errors", errors, "has_errors", !form_ok(f)));
}

json_t *
form_options(const char *const *values, const char *const *labels, const char *selected)
{
	json_t *out = json_array();
	size_t i;

	for (i = 0; values[i]; i++)
		json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "value", values[i],
		    "label", labels ? labels[i] : values[i],
		    "selected", selected && strcmp(selected, values[i]) == 0));
	return out;
}

json_t *
form_errors_json(const struct form *f)
{
	json_t *errors = f->errors ? json_deep_copy(f->errors) : json_object();

	return form_checked(json_pack("{s:s, s:o}", "error", "validation",
	    "fields", form_checked(errors)));
}

void
form_free(struct form *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nfields && f->values != NULL; i++)
		if (form_secret(&f->fields[i]))
			form_wipe_json(json_object_get(f->values, f->fields[i].name));
	json_decref(f->values);
	json_decref(f->entered);
	json_decref(f->errors);
	json_decref(f->files);
	memset(f, 0, sizeof(*f));
}
