/*
 * request — see request.h.
 *
 * Each parser first checks the whole input against its size limit, then
 * walks it with explicit (pointer, length) slices: every read is preceded by
 * a check that enough bytes are left.  Nothing here relies on the input being
 * NUL-terminated.  Allocation failure aborts, as in buf.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "request.h"

const struct web_limits web_default_limits = {
	.max_body = 1024 * 1024,
	.max_upload = 4 * 1024 * 1024,
	.max_header = 8 * 1024,
	.max_fields = 256,
	.max_name = 128,
	.max_value = 64 * 1024,
};

/* ------------------------------------------------------------------ helpers */

/* n bytes plus a NUL, uninitialised. */
static char *
req_alloc(size_t n)
{
	char *s;

	if (n == SIZE_MAX)
		abort();
	s = malloc(n + 1);
	if (s == NULL)
		abort();
	return s;
}

static char *
req_memdup(const void *p, size_t n)
{
	char *s = req_alloc(n);

	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Frees one parameter's strings, wiping the value first. */
static void
req_param_clear(struct web_param *p)
{
	if (p->value != NULL)
		explicit_bzero(p->value, p->value_len);
	free(p->value);
	free(p->name);
	free(p->filename);
	free(p->content_type);
	memset(p, 0, sizeof(*p));
}

/*
 * Appends p to the list, taking ownership of its strings (they are freed
 * and wiped on failure too).  WEB_TOO_LARGE once the list holds max_fields.
 */
static enum web_status
req_push(struct web_params *ps, struct web_param *p, const struct web_limits *lim)
{
	struct web_param *v;
	size_t cap;

	if (lim != NULL && ps->n >= lim->max_fields) {
		req_param_clear(p);
		return WEB_TOO_LARGE;
	}
	if (ps->n == ps->cap) {
		cap = ps->cap ? ps->cap * 2 : 8;
		v = reallocarray(ps->v, cap, sizeof(*v));
		if (v == NULL)
			abort();
		ps->v = v;
		ps->cap = cap;
	}
	ps->v[ps->n++] = *p;
	memset(p, 0, sizeof(*p));
	return WEB_OK;
}

/*
 * RFC 3629 section 4 (UTF8-octets): the second byte's range depends on the
 * first, which excludes overlong forms (C0, C1, E0 80..9F, F0 80..8F),
 * UTF-16 surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF).
 */
int
web_utf8_valid(const void *p, size_t len)
{
	const unsigned char *s = p;
	unsigned char c, lo, hi;
	size_t i = 0, need, k;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c == 0xe0) {
			need = 2;
			lo = 0xa0;
		} else if (c == 0xed) {
			need = 2;
			hi = 0x9f;
		} else if (c >= 0xe1 && c <= 0xef)
			need = 2;
		else if (c == 0xf0) {
			need = 3;
			lo = 0x90;
		} else if (c >= 0xf1 && c <= 0xf3)
			need = 3;
		else if (c == 0xf4) {
			need = 3;
			hi = 0x8f;
		} else
			return 0;
		if (len - i - 1 < need)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= need; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		i += need + 1;
	}
	return 1;
}

/* RFC 9110 5.6.2: tchar, the characters of a token. */
static int
req_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static size_t
req_token_len(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && req_tchar((unsigned char)s[i]); i++)
		;
	return i;
}

static int
req_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Case-insensitive compare of a slice with a C string. */
static int
req_slice_is(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

/*
 * A decoded name and value share the checks every ordinary field gets: caps
 * (WEB_TOO_LARGE), no NUL byte and valid UTF-8 (WEB_MALFORMED).
 */
static enum web_status
req_check_text(const char *s, size_t len, size_t max)
{
	if (len > max)
		return WEB_TOO_LARGE;
	if (memchr(s, '\0', len) != NULL || !web_utf8_valid(s, len))
		return WEB_MALFORMED;
	return WEB_OK;
}

/* ------------------------------------------------------------------ urlencoded */

static int
req_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * WHATWG URL standard, application/x-www-form-urlencoded parsing: '+' is a
 * space and %XX a byte.  That algorithm passes a bad escape through as
 * literal text; no browser produces one, so here it is WEB_MALFORMED.  On
 * success *out (caller frees) holds len decoded bytes plus a NUL.
 */
static enum web_status
req_url_decode(const char *s, size_t n, size_t max, char **out, size_t *outlen)
{
	enum web_status rc = WEB_OK;
	unsigned char c;
	char *d;
	size_t i, o = 0;
	int hi, lo;

	*out = NULL;
	*outlen = 0;
	d = req_alloc(n);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (n - i < 3) {
				rc = WEB_MALFORMED;
				goto out;
			}
			hi = req_hex((unsigned char)s[i + 1]);
			lo = req_hex((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0) {
				rc = WEB_MALFORMED;
				goto out;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (o == max) {
			rc = WEB_TOO_LARGE;
			goto out;
		}
		d[o++] = (char)c;
	}
	d[o] = '\0';
	rc = req_check_text(d, o, max);
out:
	if (rc != WEB_OK) {
		explicit_bzero(d, o);
		free(d);
		return rc;
	}
	*out = d;
	*outlen = o;
	return WEB_OK;
}

enum web_status
web_parse_urlencoded(struct web_params *ps, const char *s, size_t len,
    const struct web_limits *lim)
{
	struct web_param p;
	enum web_status rc = WEB_OK;
	const char *piece, *eq, *amp;
	size_t pos = 0, plen, nlen, namelen;

	memset(&p, 0, sizeof(p));
	if (lim == NULL)
		lim = &web_default_limits;
	if (len > lim->max_body)
		return WEB_TOO_LARGE;
	while (pos < len) {
		piece = s + pos;
		amp = memchr(piece, '&', len - pos);
		plen = amp ? (size_t)(amp - piece) : len - pos;
		pos += plen + (amp ? 1 : 0);
		if (plen == 0)
			continue;		/* "a=1&&b=2" */
		eq = memchr(piece, '=', plen);
		nlen = eq ? (size_t)(eq - piece) : plen;
		rc = req_url_decode(piece, nlen, lim->max_name, &p.name, &namelen);
		if (rc != WEB_OK)
			goto out;
		if (eq != NULL)
			rc = req_url_decode(eq + 1, plen - nlen - 1, lim->max_value,
			    &p.value, &p.value_len);
		else
			rc = req_url_decode("", 0, lim->max_value, &p.value, &p.value_len);
		if (rc != WEB_OK)
			goto out;
		if (namelen == 0) {
			/* "=x": no field can have an empty name. */
			req_param_clear(&p);
			continue;
		}
		rc = req_push(ps, &p, lim);
		if (rc != WEB_OK)
			goto out;
	}
out:
	req_param_clear(&p);
	return rc;
}

enum web_status
web_parse_query(struct web_params *ps, const char *s, size_t len,
    const struct web_limits *lim)
{
	if (lim == NULL)
		lim = &web_default_limits;
	if (len > lim->max_header)
		return WEB_TOO_LARGE;
	return web_parse_urlencoded(ps, s, len, lim);
}

/* ------------------------------------------------------------------ header parameters */

/*
 * The next "; name=value" of a header value such as Content-Type or
 * Content-Disposition (RFC 9110 5.6.6: parameter = token "=" ( token /
 * quoted-string )).  Quoted strings lose their quotes and backslashes
 * (RFC 9110 5.6.4, quoted-pair).  Control characters other than HTAB are
 * refused.  Returns 1 with name and value filled, 0 at the end, -1 when malformed.
 */
static int
req_hdr_param(const char *s, size_t len, size_t *pos, struct buf *name, struct buf *val)
{
	size_t i = *pos, n;
	unsigned char c;

	buf_reset(name);
	buf_reset(val);
	while (i < len && req_ows(s[i]))
		i++;
	if (i == len)
		goto end;
	if (s[i] != ';')
		return -1;
	i++;
	while (i < len && req_ows(s[i]))
		i++;
	if (i == len)
		goto end;		/* a trailing ';' is harmless */
	n = req_token_len(s + i, len - i);
	if (n == 0)
		return -1;
	buf_add(name, s + i, n);
	i += n;
	if (i == len || s[i] != '=')
		return -1;
	i++;
	if (i < len && s[i] == '"') {
		for (i++;; i++) {
			if (i == len)
				return -1;	/* unterminated */
			c = (unsigned char)s[i];
			if (c == '"')
				break;
			if (c == '\\') {
				if (len - i < 2)
					return -1;
				c = (unsigned char)s[++i];
			}
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return -1;
			buf_addc(val, (char)c);
		}
		i++;
	} else {
		n = req_token_len(s + i, len - i);
		if (n == 0)
			return -1;
		buf_add(val, s + i, n);
		i += n;
	}
	*pos = i;
	return 1;
end:
	*pos = i;
	return 0;
}

/* ------------------------------------------------------------------ multipart */

#define MP_BOUNDARY_MAX	70	/* RFC 2046 5.1.1: 1*69<bchars> bcharsnospace */

/* RFC 2046 5.1.1: bchars. */
static int
req_bchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

/*
 * The boundary parameter of a multipart/form-data Content-Type (RFC 7578
 * 4.1), quoted or not; 1 to 70 bchars, not ending in a space.
 */
static enum web_status
req_mp_boundary(const char *ct, char *out, size_t *outlen)
{
	struct buf name = { 0 }, val = { 0 };
	enum web_status rc = WEB_MALFORMED;
	size_t len, pos, n, i;
	int r, found = 0;

	if (ct == NULL)
		goto out;
	len = strlen(ct);
	pos = 0;
	while (pos < len && req_ows(ct[pos]))
		pos++;
	n = req_token_len(ct + pos, len - pos);
	if (!req_slice_is(ct + pos, n, "multipart"))
		goto out;
	pos += n;
	if (pos == len || ct[pos] != '/')
		goto out;
	pos++;
	n = req_token_len(ct + pos, len - pos);
	if (!req_slice_is(ct + pos, n, "form-data"))
		goto out;
	pos += n;
	while ((r = req_hdr_param(ct, len, &pos, &name, &val)) == 1) {
		if (strcasecmp(buf_str(&name), "boundary") != 0)
			continue;
		if (found)
			goto out;	/* two boundaries: which one? */
		found = 1;
		if (val.len < 1 || val.len > MP_BOUNDARY_MAX ||
		    val.data[val.len - 1] == ' ')
			goto out;
		for (i = 0; i < val.len; i++)
			if (!req_bchar((unsigned char)val.data[i]))
				goto out;
		memcpy(out, val.data, val.len);
		*outlen = val.len;
	}
	if (r == 0 && found)
		rc = WEB_OK;
out:
	buf_free(&name);
	buf_free(&val);
	return rc;
}

/*
 * RFC 7578 4.2: "form-data; name=...; filename=...".  name and filename
 * receive the decoded parameters; *has_file says whether filename occurred.
 */
static enum web_status
req_mp_disposition(const char *v, size_t len, struct buf *fname, struct buf *ffile,
    int *has_name, int *has_file)
{
	struct buf name = { 0 }, val = { 0 };
	enum web_status rc = WEB_MALFORMED;
	size_t pos, n;
	int r;

	n = req_token_len(v, len);
	if (!req_slice_is(v, n, "form-data"))
		goto out;
	pos = n;
	while ((r = req_hdr_param(v, len, &pos, &name, &val)) == 1) {
		if (strcasecmp(buf_str(&name), "name") == 0) {
			if (*has_name)
				goto out;
			*has_name = 1;
			buf_add(fname, val.data, val.len);
		} else if (strcasecmp(buf_str(&name), "filename") == 0) {
			if (*has_file)
				goto out;
			*has_file = 1;
			buf_add(ffile, val.data, val.len);
		}
		/* RFC 7578 4.2: "filename*" MUST NOT be used; others are ignored. */
	}
	if (r == 0)
		rc = WEB_OK;
out:
	buf_free(&name);
	buf_free(&val);
	return rc;
}

/* One body part (between delimiters): its header block, then its content. */
static enum web_status
req_mp_part(struct web_params *ps, const unsigned char *part, size_t plen,
    const struct web_limits *lim)
{
	struct buf name = { 0 }, file = { 0 };
	struct web_param p;
	enum web_status rc = WEB_MALFORMED;
	const unsigned char *hend, *content, *le;
	const char *line, *val, *ctype = NULL, *base;
	size_t hlen, clen, ls, llen, n, win, vlen, ctlen = 0, i;
	int has_disp = 0, has_name = 0, has_file = 0;

	memset(&p, 0, sizeof(p));
	/* RFC 2046 5.1.1: body-part := MIME-part-headers [CRLF *OCTET] */
	if (plen >= 2 && part[0] == '\r' && part[1] == '\n') {
		hlen = 0;
		content = part + 2;
	} else {
		/* Look no further than a header block of max_header bytes. */
		win = lim->max_header < SIZE_MAX - 4 ? lim->max_header + 4 : SIZE_MAX;
		n = plen < win ? plen : win;
		hend = memmem(part, n, "\r\n\r\n", 4);
		if (hend == NULL) {
			rc = n == win ? WEB_TOO_LARGE : WEB_MALFORMED;
			goto out;
		}
		hlen = (size_t)(hend - part);
		content = hend + 4;
	}
	clen = plen - (size_t)(content - part);

	for (ls = 0; ls < hlen; ls += llen + 2) {
		line = (const char *)part + ls;
		le = memmem(line, hlen - ls, "\r\n", 2);
		llen = le ? (size_t)(le - (const unsigned char *)line) : hlen - ls;
		/* RFC 9110 5.5: no bare CR/LF; no obsolete line folding. */
		if (llen == 0 || req_ows(line[0]) || memchr(line, '\r', llen) ||
		    memchr(line, '\n', llen))
			goto out;
		n = req_token_len(line, llen);
		if (n == 0 || n == llen || line[n] != ':')
			goto out;
		val = line + n + 1;
		vlen = llen - n - 1;
		while (vlen > 0 && req_ows(val[0])) {
			val++;
			vlen--;
		}
		while (vlen > 0 && req_ows(val[vlen - 1]))
			vlen--;
		if (req_slice_is(line, n, "Content-Disposition")) {
			if (has_disp)
				goto out;
			has_disp = 1;
			if (req_mp_disposition(val, vlen, &name, &file, &has_name,
			    &has_file) != WEB_OK)
				goto out;
		} else if (req_slice_is(line, n, "Content-Type")) {
			if (ctype != NULL)
				goto out;
			for (i = 0; i < vlen; i++)
				if ((unsigned char)val[i] < 0x20 ||
				    (unsigned char)val[i] > 0x7e)
					goto out;
			ctype = val;
			ctlen = vlen;
		}
		/* RFC 7578 4.7: Content-Transfer-Encoding is deprecated; others ignored. */
	}
	/* RFC 7578 4.2: each part MUST have a Content-Disposition with a name. */
	if (!has_disp || !has_name)
		goto out;
	rc = req_check_text(buf_str(&name), name.len, lim->max_name);
	if (rc != WEB_OK)
		goto out;
	if (name.len == 0) {
		rc = WEB_OK;		/* as for "=x" in urlencoded bodies */
		goto out;
	}
	if (has_file) {
		if (!web_utf8_valid(buf_str(&file), file.len)) {
			rc = WEB_MALFORMED;
			goto out;
		}
		/* RFC 7578 4.2: directory information in filename is not to be used. */
		base = buf_str(&file);
		for (i = 0; i < file.len; i++)
			if (file.data[i] == '/' || file.data[i] == '\\')
				base = file.data + i + 1;
		p.filename = req_memdup(base, strlen(base));
		p.content_type = ctype ? req_memdup(ctype, ctlen) : NULL;
	} else {
		rc = req_check_text((const char *)content, clen, lim->max_value);
		if (rc != WEB_OK)
			goto out;
	}
	p.name = buf_release(&name);
	p.value = req_memdup(content, clen);
	p.value_len = clen;
	rc = req_push(ps, &p, lim);
out:
	req_param_clear(&p);
	buf_free(&name);
	buf_free(&file);
	return rc;
}

/*
 * RFC 2046 5.1.1 multipart body: preamble, "--boundary" lines separating
 * parts, "--boundary--" closing, epilogue.  Every delimiter but a first one
 * at offset 0 is preceded by CRLF, so the search is for CRLF "--" boundary,
 * with memmem (linear time).
 */
enum web_status
web_parse_multipart(struct web_params *ps, const char *content_type,
    const unsigned char *body, size_t len, const struct web_limits *lim)
{
	char delim[4 + MP_BOUNDARY_MAX];
	const unsigned char *hit;
	enum web_status rc;
	size_t blen = 0, dlen, pos, end;

	if (lim == NULL)
		lim = &web_default_limits;
	if (len > lim->max_upload)
		return WEB_TOO_LARGE;
	memcpy(delim, "\r\n--", 4);
	rc = req_mp_boundary(content_type, delim + 4, &blen);
	if (rc != WEB_OK)
		return rc;
	dlen = 4 + blen;
	if (body == NULL)
		return WEB_MALFORMED;

	/* The first delimiter: at the very start (no preamble) or after CRLF. */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		pos = dlen - 2;
	else {
		hit = memmem(body, len, delim, dlen);
		if (hit == NULL)
			return WEB_MALFORMED;
		pos = (size_t)(hit - body) + dlen;
	}
	for (;;) {
		/*
		 * RFC 2046 5.1.1: a delimiter is followed by "--" (close-delimiter,
		 * then the ignored epilogue) or by transport padding and CRLF.  The
		 * boundary only has to match a line's beginning, so anything else
		 * after it is malformed, not part content.
		 */
		if (len - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-')
			return WEB_OK;
		while (pos < len && req_ows((char)body[pos]))
			pos++;
		if (len - pos < 2 || body[pos] != '\r' || body[pos + 1] != '\n')
			return WEB_MALFORMED;
		pos += 2;
		hit = memmem(body + pos, len - pos, delim, dlen);
		if (hit == NULL)
			return WEB_MALFORMED;	/* no closing delimiter: truncated */
		end = (size_t)(hit - body);
		rc = req_mp_part(ps, body + pos, end - pos, lim);
		if (rc != WEB_OK)
			return rc;
		pos = end + dlen;
	}
}

/* ------------------------------------------------------------------ cookies */

/*
 * RFC 6265 4.1.1: cookie-octet, US-ASCII without CTLs, whitespace, DQUOTE,
 * comma, semicolon and backslash.
 */
static int
req_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
	    (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

/*
 * RFC 6265 4.2.1: cookie-string = cookie-pair *( ";" SP cookie-pair ).
 * Other applications on the same host can set cookies this grammar refuses;
 * such pairs are skipped, not fatal.
 */
enum web_status
web_parse_cookies(struct web_params *ps, const char *s, size_t len,
    const struct web_limits *lim)
{
	struct web_param p;
	const char *piece, *semi, *eq, *v;
	size_t pos = 0, plen, nlen, vlen, i;
	int ok;

	memset(&p, 0, sizeof(p));
	if (lim == NULL)
		lim = &web_default_limits;
	if (len > lim->max_header)
		return WEB_TOO_LARGE;
	while (pos < len) {
		piece = s + pos;
		semi = memchr(piece, ';', len - pos);
		plen = semi ? (size_t)(semi - piece) : len - pos;
		pos += plen + (semi ? 1 : 0);
		while (plen > 0 && req_ows(piece[0])) {
			piece++;
			plen--;
		}
		while (plen > 0 && req_ows(piece[plen - 1]))
			plen--;
		eq = memchr(piece, '=', plen);
		if (eq == NULL)
			continue;
		nlen = (size_t)(eq - piece);
		while (nlen > 0 && req_ows(piece[nlen - 1]))
			nlen--;
		if (nlen == 0 || nlen > lim->max_name ||
		    req_token_len(piece, nlen) != nlen)
			continue;
		v = eq + 1;
		vlen = plen - (size_t)(v - piece);
		while (vlen > 0 && req_ows(v[0])) {
			v++;
			vlen--;
		}
		/* cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ) */
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		ok = vlen <= lim->max_value;
		for (i = 0; ok && i < vlen; i++)
			ok = req_cookie_octet((unsigned char)v[i]);
		if (!ok)
			continue;
		p.name = req_memdup(piece, nlen);
		p.value = req_memdup(v, vlen);
		p.value_len = vlen;
		if (req_push(ps, &p, lim) != WEB_OK)
			return WEB_TOO_LARGE;
	}
	return WEB_OK;
}

/* ------------------------------------------------------------------ JSON */

/* The shortest %g form that reads back as the same double. */
static void
req_fmt_real(char *out, size_t outsz, double d)
{
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, outsz, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

static enum web_status
req_json_scalar(struct web_params *ps, const char *key, json_t *v,
    const struct web_limits *lim)
{
	struct web_param p;
	char num[64];
	const char *s;
	size_t n;
	enum web_status rc;

	memset(&p, 0, sizeof(p));
	switch (json_typeof(v)) {
	case JSON_NULL:
		return WEB_OK;
	case JSON_TRUE:
		s = "1";
		n = 1;
		break;
	case JSON_FALSE:
		s = "0";
		n = 1;
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		s = num;
		n = strlen(num);
		break;
	case JSON_REAL:
		req_fmt_real(num, sizeof(num), json_real_value(v));
		s = num;
		n = strlen(num);
		break;
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		rc = req_check_text(s, n, lim->max_value);
		if (rc != WEB_OK)
			return rc;
		break;
	default:
		return WEB_MALFORMED;	/* object, or array inside an array */
	}
	p.name = req_memdup(key, strlen(key));
	p.value = req_memdup(s, n);
	p.value_len = n;
	return req_push(ps, &p, lim);
}

/*
 * Wipes every string in a flat JSON object before it is freed: values may be
 * passwords.  (jansson's own lexer scratch buffer is freed unwiped.)
 */
static void
req_json_wipe(json_t *root)
{
	const char *key;
	json_t *v, *item;
	size_t i;

	json_object_foreach(root, key, v) {
		if (json_is_string(v))
			explicit_bzero((char *)(uintptr_t)json_string_value(v),
			    json_string_length(v));
		else if (json_is_array(v))
			json_array_foreach(v, i, item)
				if (json_is_string(item))
					explicit_bzero((char *)(uintptr_t)
					    json_string_value(item),
					    json_string_length(item));
	}
}

enum web_status
web_parse_json(struct web_params *ps, const char *s, size_t len,
    const struct web_limits *lim)
{
	enum web_status rc = WEB_MALFORMED;
	json_error_t err;
	json_t *root = NULL, *v, *item;
	const char *key;
	size_t i, klen;

	if (lim == NULL)
		lim = &web_default_limits;
	if (len > lim->max_body)
		return WEB_TOO_LARGE;
	if (s == NULL)
		return WEB_MALFORMED;
	/* RFC 8259 4: names SHOULD be unique; here they must be. */
	root = json_loadb(s, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL || !json_is_object(root))
		goto out;
	rc = WEB_OK;
	json_object_foreach(root, key, v) {
		klen = strlen(key);
		rc = req_check_text(key, klen, lim->max_name);
		if (rc != WEB_OK)
			goto out;
		if (klen == 0)
			continue;
		if (json_is_array(v)) {
			json_array_foreach(v, i, item) {
				rc = req_json_scalar(ps, key, item, lim);
				if (rc != WEB_OK)
					goto out;
			}
		} else {
			rc = req_json_scalar(ps, key, v, lim);
			if (rc != WEB_OK)
				goto out;
		}
	}
out:
	if (root != NULL && json_is_object(root))
		req_json_wipe(root);
	json_decref(root);
	return rc;
}

/* ------------------------------------------------------------------ the list */

const struct web_param *
web_param_find(const struct web_params *ps, const char *name)
{
	size_t i;

	if (ps == NULL || name == NULL)
		return NULL;
	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0)
			return &ps->v[i];
	return NULL;
}

const char *
web_param_get(const struct web_params *ps, const char *name)
{
	const struct web_param *p = web_param_find(ps, name);

	return p ? p->value : NULL;
}

size_t
web_param_count(const struct web_params *ps, const char *name)
{
	size_t i, n = 0;

	if (ps == NULL || name == NULL)
		return 0;
	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].name, name) == 0)
			n++;
	return n;
}

enum web_status
web_param_add(struct web_params *ps, const char *name, const char *value,
    size_t value_len, const struct web_limits *lim)
{
	struct web_param p;

	memset(&p, 0, sizeof(p));
	p.name = req_memdup(name, strlen(name));
	p.value = req_memdup(value ? value : "", value ? value_len : 0);
	p.value_len = value ? value_len : 0;
	return req_push(ps, &p, lim);
}

void
web_params_free(struct web_params *ps)
{
	size_t i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->n; i++)
		req_param_clear(&ps->v[i]);
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}
