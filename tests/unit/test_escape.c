/* test_escape — exact output of every escaper in webapp/escape.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "webapp/escape.h"

typedef void (*escaper)(struct buf *, const char *, size_t);

/* Runs one escaper over in (in_len bytes) and checks the whole output. */
static void
check(escaper f, const char *in, size_t in_len, const char *want)
{
	struct buf b = { 0 };

	f(&b, in, in_len);
	assert_int_equal(b.len, strlen(want));
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

#define CHECK(f, in, want)	check((f), (in), strlen(in), (want))

static void
test_html_specials(void **state)
{
	CHECK(esc_html, "&", "&amp;");
	CHECK(esc_html, "<", "&lt;");
	CHECK(esc_html, ">", "&gt;");
	CHECK(esc_html, "\"", "&quot;");
	CHECK(esc_html, "'", "&#39;");
	CHECK(esc_html, "&<>\"'", "&amp;&lt;&gt;&quot;&#39;");
	CHECK(esc_html, "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	/* an existing entity is escaped again: the input is text, not HTML */
	CHECK(esc_html, "&amp;", "&amp;amp;");
}

static void
test_html_plain(void **state)
{
	CHECK(esc_html, "", "");
	CHECK(esc_html, "hello world", "hello world");
	CHECK(esc_html, "a=b; c/d?e#f %20 `x` {y} \\z\n\t", "a=b; c/d?e#f %20 `x` {y} \\z\n\t");
	/* NUL-free UTF-8 passes through byte for byte */
	CHECK(esc_html, "Grüße, 日本, 🙂", "Grüße, 日本, 🙂");
	CHECK(esc_html, "é<ü", "é&lt;ü");
}

static void
test_html_xss(void **state)
{
	CHECK(esc_html, "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK(esc_html, "\" onmouseover=alert(1) x=\"",
	    "&quot; onmouseover=alert(1) x=&quot;");
	CHECK(esc_html, "' onfocus='alert(1)", "&#39; onfocus=&#39;alert(1)");
}

static void
test_html_length(void **state)
{
	struct buf b = { 0 };

	/* only n bytes are read; what follows is not touched */
	esc_html(&b, "a<b<c", 2);
	assert_string_equal(buf_str(&b), "a&lt;");
	/* appends, never resets */
	esc_html(&b, "&", 1);
	assert_string_equal(buf_str(&b), "a&lt;&amp;");
	esc_html(&b, NULL, 0);
	assert_string_equal(buf_str(&b), "a&lt;&amp;");
	buf_free(&b);
}

static void
test_attr(void **state)
{
	CHECK(esc_attr, "", "");
	CHECK(esc_attr, "&<>\"'", "&amp;&lt;&gt;&quot;&#39;");
	CHECK(esc_attr, "\" onmouseover=alert(1) x=\"",
	    "&quot; onmouseover=alert(1) x=&quot;");
	CHECK(esc_attr, "x' autofocus onfocus='alert(1)",
	    "x&#39; autofocus onfocus=&#39;alert(1)");
	CHECK(esc_attr, "10.0.0.0/24 Grüße", "10.0.0.0/24 Grüße");
}

static void
test_url_unreserved(void **state)
{
	CHECK(esc_url, "", "");
	CHECK(esc_url, "ABCXYZabcxyz0189-._~", "ABCXYZabcxyz0189-._~");
}

static void
test_url_reserved(void **state)
{
	CHECK(esc_url, " ", "%20");
	CHECK(esc_url, "a b+c", "a%20b%2Bc");
	CHECK(esc_url, ":/?#[]@!$&'()*,;=%",
	    "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2C%3B%3D%25");
	CHECK(esc_url, "<>\"", "%3C%3E%22");
	CHECK(esc_url, "../etc/passwd", "..%2Fetc%2Fpasswd");
	CHECK(esc_url, "\r\n\t", "%0D%0A%09");
	/* UTF-8 bytes, uppercase hex */
	CHECK(esc_url, "é", "%C3%A9");
	CHECK(esc_url, "日本", "%E6%97%A5%E6%9C%AC");
	CHECK(esc_url, "user@example.com", "user%40example.com");
	/* lengths, not NUL, end the input */
	check(esc_url, "a\0b", 3, "a%00b");
}

/* Every byte value: unreserved ones as themselves, the rest as %XX. */
static void
test_url_every_byte(void **state)
{
	struct buf b = { 0 };
	char in[256], want[4];
	int c;

	for (c = 0; c < 256; c++)
		in[c] = (char)c;
	esc_url(&b, in, sizeof(in));
	for (c = 0; c < 256; c++) {
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~')
			continue;
		snprintf(want, sizeof(want), "%%%02X", c);
		assert_non_null(memmem(b.data, b.len, want, 3));
	}
	/* 66 unreserved bytes stay single, 190 others take three */
	assert_int_equal(b.len, 66 + 190 * 3);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_specials),
		cmocka_unit_test(test_html_plain),
		cmocka_unit_test(test_html_xss),
		cmocka_unit_test(test_html_length),
		cmocka_unit_test(test_attr),
		cmocka_unit_test(test_url_unreserved),
		cmocka_unit_test(test_url_reserved),
		cmocka_unit_test(test_url_every_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
