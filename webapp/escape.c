/*
 * escape — see escape.h.
 *
 * Every escaper copies runs of harmless bytes in one buf_add and only stops
 * at the bytes it has to rewrite, so escaping plain text costs one copy.
 */
#include "escape.h"

/*
 * HTML text and double-quoted attribute values share one rule: the five
 * characters that can start markup, end a quoted value or start an entity
 * become entities (OWASP XSS Prevention Cheat Sheet, rules 1 and 2).  ' is
 * included so that a single-quoted attribute written by mistake stays safe.
 * Other bytes, UTF-8 sequences included, pass through unchanged.
 */
static void
esc_entities(struct buf *b, const char *s, size_t n)
{
	const char *ent;
	size_t i, run = 0;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		buf_add(b, s + run, i - run);
		buf_adds(b, ent);
		run = i + 1;
	}
	buf_add(b, s + run, n - run);
}

void
esc_html(struct buf *b, const char *s, size_t n)
{
	esc_entities(b, s, n);
}

void
esc_attr(struct buf *b, const char *s, size_t n)
{
	esc_entities(b, s, n);
}

/* RFC 3986 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" (ASCII only, no locale). */
static int
esc_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

/*
 * URL arguments (path segments and query values alike): every byte that is
 * not unreserved becomes %XX, uppercase hex (RFC 3986 2.1 says producers
 * should use uppercase).  Space is %20, never '+', so the result is right in
 * a path as well as in a query.
 */
void
esc_url(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char pct[3];
	unsigned char c;
	size_t i, run = 0;

	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (esc_unreserved(c))
			continue;
		buf_add(b, s + run, i - run);
		pct[0] = '%';
		pct[1] = hex[c >> 4];
		pct[2] = hex[c & 0x0f];
		buf_add(b, pct, sizeof(pct));
		run = i + 1;
	}
	buf_add(b, s + run, n - run);
}
