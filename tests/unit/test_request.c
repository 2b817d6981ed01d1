/* Unit tests for webapp/request.c: urlencoded, multipart, cookies, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "webapp/buf.h"
#include "webapp/request.h"

/* Small limits so every cap is easy to reach. */
static const struct web_limits small = {
	.max_body = 64,
	.max_upload = 512,
	.max_header = 48,
	.max_fields = 3,
	.max_name = 8,
	.max_value = 16,
};

static enum web_status
urlenc(struct web_params *ps, const char *s, const struct web_limits *lim)
{
	return web_parse_urlencoded(ps, s, strlen(s), lim);
}

/* Parses s alone and frees the result; for status-only checks. */
static enum web_status
urlenc_status(const char *s, const struct web_limits *lim)
{
	struct web_params ps = { 0 };
	enum web_status rc = urlenc(&ps, s, lim);

	web_params_free(&ps);
	return rc;
}

/* ------------------------------------------------------------------ limits */

static void
test_default_limits(void **state)
{
	(void)state;
	assert_int_equal(web_default_limits.max_body, 1024 * 1024);
	assert_int_equal(web_default_limits.max_upload, 4 * 1024 * 1024);
	assert_int_equal(web_default_limits.max_header, 8 * 1024);
	assert_int_equal(web_default_limits.max_fields, 256);
	assert_int_equal(web_default_limits.max_name, 128);
	assert_int_equal(web_default_limits.max_value, 64 * 1024);
}

/* ------------------------------------------------------------------ urlencoded */

static void
test_urlenc_basic(void **state)
{
	struct web_params ps = { 0 };

	(void)state;
	assert_int_equal(urlenc(&ps, "a=1&b=hello+world&c=%41%62%2b&d=%c3%A9", NULL), WEB_OK);
	assert_int_equal(ps.n, 4);
	assert_string_equal(web_param_get(&ps, "a"), "1");
	assert_string_equal(web_param_get(&ps, "b"), "hello world");
	assert_string_equal(web_param_get(&ps, "c"), "Ab+");
	assert_string_equal(web_param_get(&ps, "d"), "\xc3\xa9");
	assert_int_equal(web_param_find(&ps, "d")->value_len, 2);
	assert_null(web_param_find(&ps, "d")->filename);
	assert_null(web_param_find(&ps, "d")->content_type);
	assert_null(web_param_get(&ps, "e"));
	web_params_free(&ps);
	assert_int_equal(ps.n, 0);
	assert_null(ps.v);
}

static void
test_urlenc_repeated_and_empty(void **state)
{
	struct web_params ps = { 0 };

	(void)state;
	assert_int_equal(urlenc(&ps, "x=1&x=2&&x=3&e=&f&=skipped&", NULL), WEB_OK);
	assert_int_equal(web_param_count(&ps, "x"), 3);
	assert_string_equal(web_param_get(&ps, "x"), "1");
	assert_string_equal(ps.v[2].value, "3");
	assert_string_equal(web_param_get(&ps, "e"), "");
	assert_string_equal(web_param_get(&ps, "f"), "");
	assert_int_equal(web_param_count(&ps, ""), 0);
	assert_int_equal(ps.n, 5);
	web_params_free(&ps);

	/* Empty input, and a name encoded with + and %. */
	assert_int_equal(urlenc(&ps, "", NULL), WEB_OK);
	assert_int_equal(ps.n, 0);
	assert_int_equal(urlenc(&ps, "my+na%6De=v=w", NULL), WEB_OK);
	assert_string_equal(web_param_get(&ps, "my name"), "v=w");
	web_params_free(&ps);
}

static void
test_urlenc_not_terminated(void **state)
{
	struct web_params ps = { 0 };
	const char s[] = { 'a', '=', '1', '&', 'b', '=', '%', '4', '1' };

	(void)state;
	/* Only the first 8 bytes: "b=%4" is a bad escape, not "b=A". */
	assert_int_equal(web_parse_urlencoded(&ps, s, 8, NULL), WEB_MALFORMED);
	web_params_free(&ps);
	assert_int_equal(web_parse_urlencoded(&ps, s, sizeof(s), NULL), WEB_OK);
	assert_string_equal(web_param_get(&ps, "b"), "A");
	web_params_free(&ps);
	assert_int_equal(web_parse_urlencoded(&ps, s, 3, NULL), WEB_OK);
	assert_int_equal(ps.n, 1);
	web_params_free(&ps);
}

static void
test_urlenc_malformed(void **state)
{
	static const char *const bad[] = {
		"a=%", "a=%4", "a=%G1", "a=%4G", "a=%%41", "%zz=1", "a=1&b=%",
		"a=%00", "%00=1", "a=x%00y",
		/* invalid UTF-8: lone lead, lone continuation, overlongs, surrogates, > U+10FFFF */
		"a=%C3", "a=%80", "a=%C0%AF", "a=%C1%BF", "a=%E0%80%AF", "a=%F0%80%80%AF",
		"a=%ED%A0%80", "a=%ED%BF%BF", "a=%F4%90%80%80", "a=%F5%80%80%80", "a=%FF",
		"a=%E2%82", "%C3=1",
	};
	static const char *const good[] = {
		"a=%F0%9F%98%80", "a=%EF%BF%BF", "a=%F4%8F%BF%BF", "a=%ED%9F%BF", "a=%C2%80",
		"a=%E0%A0%80", "a=%25",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (urlenc_status(bad[i], NULL) != WEB_MALFORMED)
			fail_msg("accepted %s", bad[i]);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (urlenc_status(good[i], NULL) != WEB_OK)
			fail_msg("refused %s", good[i]);
	}
	/* A raw NUL byte in the body. */
	{
		struct web_params ps = { 0 };

		assert_int_equal(web_parse_urlencoded(&ps, "a=b\0c", 5, NULL), WEB_MALFORMED);
		web_params_free(&ps);
	}
}

static void
test_urlenc_limits(void **state)
{
	char big[70];

	(void)state;
	/* max_body 64 */
	memset(big, 'x', sizeof(big));
	big[0] = 'a';
	big[1] = '=';
	big[65] = '\0';
	assert_int_equal(urlenc_status(big, &small), WEB_TOO_LARGE);
	/* max_fields 3 */
	assert_int_equal(urlenc_status("a=1&b=2&c=3", &small), WEB_OK);
	assert_int_equal(urlenc_status("a=1&b=2&c=3&d=4", &small), WEB_TOO_LARGE);
	/* max_name 8 (after decoding: %41 is one byte) */
	assert_int_equal(urlenc_status("abcdefgh=1", &small), WEB_OK);
	assert_int_equal(urlenc_status("%41bcdefgh=1", &small), WEB_OK);
	assert_int_equal(urlenc_status("%41bcdefghi=1", &small), WEB_TOO_LARGE);
	assert_int_equal(urlenc_status("ab%41defghi=1", &small), WEB_TOO_LARGE);
	/* max_value 16 */
	assert_int_equal(urlenc_status("a=0123456789abcdef", &small), WEB_OK);
	assert_int_equal(urlenc_status("a=%30123456789abcdef", &small), WEB_OK);
	assert_int_equal(urlenc_status("a=%300123456789abcdef", &small), WEB_TOO_LARGE);
	assert_int_equal(urlenc_status("a=0123456789abcdefg", &small), WEB_TOO_LARGE);
	/* Default limits: 1 MiB body. */
	{
		size_t n = 1024 * 1024 + 1;
		char *s = malloc(n + 1);
		struct web_params ps = { 0 };

		assert_non_null(s);
		memset(s, 'x', n);
		s[0] = 'a';
		s[1] = '=';
		assert_int_equal(web_parse_urlencoded(&ps, s, n, NULL), WEB_TOO_LARGE);
		/* 1 MiB is fine for the body but not for one value. */
		assert_int_equal(web_parse_urlencoded(&ps, s, n - 1, NULL), WEB_TOO_LARGE);
		web_params_free(&ps);
		free(s);
	}
}

static void
test_query(void **state)
{
	struct web_params ps = { 0 };

	(void)state;
	/* max_header 48 applies to query strings, not max_body 64. */
	assert_int_equal(web_parse_query(&ps, "a=1&b=2", 7, &small), WEB_OK);
	assert_int_equal(ps.n, 2);
	web_params_free(&ps);
	assert_int_equal(web_parse_query(&ps,
	    "a=0123456789abcdef&b=0123456789abcdef&c=01234567", 48, &small), WEB_OK);
	web_params_free(&ps);
	assert_int_equal(web_parse_query(&ps,
	    "a=0123456789abcdef&b=0123456789abcdef&c=012345678", 49, &small),
	    WEB_TOO_LARGE);
	web_params_free(&ps);
}

/* ------------------------------------------------------------------ multipart */

#define CT "multipart/form-data; boundary=XyZzy"

static enum web_status
mp(struct web_params *ps, const char *ct, const void *body, size_t len,
    const struct web_limits *lim)
{
	return web_parse_multipart(ps, ct, body, len, lim);
}

static enum web_status
mp_status(const char *ct, const char *body, const struct web_limits *lim)
{
	struct web_params ps = { 0 };
	enum web_status rc = mp(&ps, ct, body, strlen(body), lim);

	web_params_free(&ps);
	return rc;
}

static void
test_multipart_basic(void **state)
{
	/* A file with NULs, CRLFs, "--", and near-misses of the delimiter. */
	static const unsigned char file[] = "\x00\x01\r\n--XyZz\r\n--XyZzx\r\n\r\n\x00\xff--";
	const size_t flen = sizeof(file) - 1;
	struct web_params ps = { 0 };
	const struct web_param *p;
	struct buf b = { 0 };

	(void)state;
	buf_adds(&b, "This is the preamble.\r\n--XyZzy\r\n"
	    "Content-Disposition: form-data; name=\"user\"\r\n\r\n"
	    "alice\r\n--XyZzy\r\n"
	    "content-disposition: FORM-DATA; name=\"note\"\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "line 1\r\nline 2 \xc3\xa9\r\n--XyZzy\r\n"
	    "Content-Disposition: form-data; name=\"cert\"; filename=\"a.der\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n");
	buf_add(&b, file, flen);
	buf_adds(&b, "\r\n--XyZzy\r\n"
	    "Content-Disposition: form-data; name=empty\r\n\r\n"
	    "\r\n--XyZzy--\r\nepilogue, ignored\r\n--XyZzy\r\nnot a part");
	assert_int_equal(mp(&ps, CT, b.data, b.len, NULL), WEB_OK);
	assert_int_equal(ps.n, 4);
	assert_string_equal(web_param_get(&ps, "user"), "alice");
	assert_string_equal(web_param_get(&ps, "note"), "line 1\r\nline 2 \xc3\xa9");
	p = web_param_find(&ps, "note");
	assert_null(p->filename);
	assert_null(p->content_type);
	p = web_param_find(&ps, "cert");
	assert_non_null(p);
	assert_int_equal(p->value_len, flen);
	assert_memory_equal(p->value, file, flen);
	assert_string_equal(p->filename, "a.der");
	assert_string_equal(p->content_type, "application/octet-stream");
	assert_string_equal(web_param_get(&ps, "empty"), "");
	web_params_free(&ps);
	buf_free(&b);
}

static void
test_multipart_boundary_forms(void **state)
{
	struct web_params ps = { 0 };
	const char *body =
	    "--a b:c'()+_,-./=?\r\n"
	    "Content-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n"
	    "--a b:c'()+_,-./=?  \t\r\n"		/* transport padding */
	    "Content-Disposition: form-data; name=\"y\"\r\n\r\n2\r\n"
	    "--a b:c'()+_,-./=?--";

	(void)state;
	/* Quoted boundary with every bchar, other parameters around it, any case. */
	assert_int_equal(mp(&ps, "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c'()+_,-./=?\"",
	    body, strlen(body), NULL), WEB_OK);
	assert_int_equal(ps.n, 2);
	assert_string_equal(web_param_get(&ps, "y"), "2");
	web_params_free(&ps);

	/* Only the closing delimiter: no parts. */
	assert_int_equal(mp_status(CT, "--XyZzy--", NULL), WEB_OK);
	/* Nothing at all. */
	assert_int_equal(mp_status(CT, "", NULL), WEB_MALFORMED);

	/* Boundary parameter problems. */
	assert_int_equal(mp_status("multipart/form-data", "--XyZzy--", NULL), WEB_MALFORMED);
	assert_int_equal(mp_status("multipart/form-data; charset=utf-8", "--XyZzy--", NULL),
	    WEB_MALFORMED);
	assert_int_equal(mp_status("multipart/form-data; boundary=", "----", NULL),
	    WEB_MALFORMED);
	assert_int_equal(mp_status("multipart/form-data; boundary=\"\"", "----", NULL),
	    WEB_MALFORMED);
	assert_int_equal(mp_status("multipart/form-data; boundary=\"ab \"", "--ab --", NULL),
	    WEB_MALFORMED);
	assert_int_equal(mp_status("multipart/form-data; boundary=\"a", "--a--", NULL),
	    WEB_MALFORMED);
	assert_int_equal(mp_status("multipart/form-data; boundary=a; boundary=b", "--a--", NULL),
	    WEB_MALFORMED);
	assert_int_equal(mp_status("multipart/form-data; boundary=\"a\x01\"", "--a--", NULL),
	    WEB_MALFORMED);
	assert_int_equal(mp_status("multipart/mixed; boundary=XyZzy", "--XyZzy--", NULL),
	    WEB_MALFORMED);
	assert_int_equal(mp_status("text/plain; boundary=XyZzy", "--XyZzy--", NULL),
	    WEB_MALFORMED);
	assert_int_equal(web_parse_multipart(&ps, NULL, (const unsigned char *)"", 0, NULL),
	    WEB_MALFORMED);
	/* 70 characters is the most; 71 is too many. */
	assert_int_equal(mp_status("multipart/form-data; boundary="
	    "0123456789012345678901234567890123456789012345678901234567890123456789",
	    "--0123456789012345678901234567890123456789012345678901234567890123456789--",
	    NULL), WEB_OK);
	assert_int_equal(mp_status("multipart/form-data; boundary="
	    "01234567890123456789012345678901234567890123456789012345678901234567890",
	    "--01234567890123456789012345678901234567890123456789012345678901234567890--",
	    NULL), WEB_MALFORMED);
}

static void
test_multipart_malformed(void **state)
{
	static const char *const bad[] = {
		/* no closing delimiter */
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n",
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZzy\r\n",
		/* truncated inside a part, inside headers, inside a delimiter */
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1",
		"--XyZzy\r\nContent-Disposition: form-da",
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ",
		"--XyZzy",
		/* no delimiter at all */
		"Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n",
		/* part without name, without Content-Disposition, with empty headers */
		"--XyZzy\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\n1\r\n--XyZzy--",
		"--XyZzy\r\nContent-Type: text/plain\r\n\r\n1\r\n--XyZzy--",
		"--XyZzy\r\n\r\n1\r\n--XyZzy--",
		/* not form-data, duplicate headers and parameters */
		"--XyZzy\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n--XyZzy--",
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n"
		    "Content-Disposition: form-data; name=\"b\"\r\n\r\n1\r\n--XyZzy--",
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\n1\r\n--XyZzy--",
		/* unterminated quoted string, junk after a parameter, bad header line */
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1\r\n--XyZzy--",
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\" x\r\n\r\n1\r\n--XyZzy--",
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\nno colon\r\n\r\n1\r\n--XyZzy--",
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n folded\r\n\r\n1\r\n--XyZzy--",
		"--XyZzy\r\nContent-Disposition: form-data;\n name=\"a\"\r\n\r\n1\r\n--XyZzy--",
		/* something other than CRLF or "--" after a delimiter */
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZzyX\r\n"
		    "Content-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n--XyZzy--",
		"--XyZzyjunk\r\n",
		/* non-file parts: NUL, invalid UTF-8 */
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xc3\x28\r\n--XyZzy--",
		"--XyZzy\r\nContent-Disposition: form-data; name=\"\xc3\x28\"\r\n\r\n1\r\n--XyZzy--",
		"--XyZzy\r\nContent-Disposition: form-data; name=\"a\"; filename=\"\xed\xa0\x80\"\r\n"
		    "\r\n1\r\n--XyZzy--",
	};
	struct web_params ps = { 0 };
	const char nul[] =
	    "--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\0y\r\n--XyZzy--";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mp_status(CT, bad[i], NULL) != WEB_MALFORMED)
			fail_msg("accepted bad[%zu]", i);
	assert_int_equal(mp(&ps, CT, nul, sizeof(nul) - 1, NULL), WEB_MALFORMED);
	web_params_free(&ps);
}

static void
test_multipart_filename(void **state)
{
	struct web_params ps = { 0 };
	const char *body =
	    "--XyZzy\r\n"
	    "Content-Disposition: form-data; name=\"f1\"; filename=\"my \\\"best\\\" key.pem\"\r\n"
	    "\r\nA\r\n--XyZzy\r\n"
	    "Content-Disposition: form-data; name=\"f2\"; filename=\"dir/sub\\\\x.pem\"\r\n"
	    "\r\nB\r\n--XyZzy\r\n"
	    "Content-Disposition: form-data; name=\"f3\"; filename=\"\"\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "\r\n\r\n--XyZzy\r\n"
	    "Content-Disposition: form-data; name=f4; filename=plain.txt; filename*=x\r\n"
	    "\r\n\r\n--XyZzy--";
	const struct web_param *p;

	(void)state;
	assert_int_equal(mp(&ps, CT, body, strlen(body), NULL), WEB_OK);
	assert_int_equal(ps.n, 4);
	p = web_param_find(&ps, "f1");
	assert_string_equal(p->filename, "my \"best\" key.pem");
	assert_null(p->content_type);
	assert_string_equal(p->value, "A");
	p = web_param_find(&ps, "f2");
	assert_string_equal(p->filename, "x.pem");
	p = web_param_find(&ps, "f3");
	assert_string_equal(p->filename, "");
	assert_int_equal(p->value_len, 0);
	assert_string_equal(p->content_type, "application/octet-stream");
	p = web_param_find(&ps, "f4");
	assert_string_equal(p->filename, "plain.txt");
	web_params_free(&ps);
}

static void
test_multipart_limits(void **state)
{
	struct web_params ps = { 0 };
	struct buf b = { 0 };
	size_t i;

	(void)state;
	/* max_value 16 for ordinary parts, not for files. */
	assert_int_equal(mp_status(CT, "--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n0123456789abcdef\r\n--XyZzy--", &small), WEB_OK);
	assert_int_equal(mp_status(CT, "--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n0123456789abcdefg\r\n--XyZzy--", &small), WEB_TOO_LARGE);
	assert_int_equal(mp_status(CT, "--XyZzy\r\nContent-Disposition: form-data;name=a;"
	    "filename=f\r\n\r\n0123456789abcdefg\r\n--XyZzy--", &small), WEB_OK);
	/* max_name 8 */
	assert_int_equal(mp_status(CT, "--XyZzy\r\nContent-Disposition: form-data; "
	    "name=\"abcdefghi\"\r\n\r\n1\r\n--XyZzy--", &small), WEB_TOO_LARGE);
	/* max_header 48 per part header block */
	assert_int_equal(mp_status(CT, "--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n1\r\n--XyZzy--", &small), WEB_OK);
	assert_int_equal(mp_status(CT, "--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n"
	    "X-Pad: 0123456789\r\n\r\n1\r\n--XyZzy--", &small), WEB_TOO_LARGE);
	/* max_fields 3 */
	for (i = 0; i < 4; i++)
		buf_printf(&b, "--XyZzy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n%zu\r\n", i);
	buf_adds(&b, "--XyZzy--");
	assert_int_equal(mp(&ps, CT, b.data, b.len, &small), WEB_TOO_LARGE);
	web_params_free(&ps);
	/* max_upload 512 */
	buf_reset(&b);
	buf_adds(&b, "--XyZzy\r\nContent-Disposition: form-data; name=\"a\"; filename=\"f\"\r\n\r\n");
	while (b.len < 500)
		buf_addc(&b, 'x');
	buf_adds(&b, "\r\n--XyZzy--");
	assert_int_equal(mp(&ps, CT, b.data, b.len, &small), WEB_TOO_LARGE);
	web_params_free(&ps);
	assert_int_equal(mp(&ps, CT, b.data, 500, &small), WEB_MALFORMED);
	web_params_free(&ps);
	buf_free(&b);
}

/* ------------------------------------------------------------------ cookies */

static void
test_cookies(void **state)
{
	struct web_params ps = { 0 };
	const char *junk = "a=b; ;junk; =x; bad name=1; q=\"quoted\"; sp=has space;"
	    "e=; x=y\"z; u=\xc3\xa9; bs=a\\b;  ok = 1 ;tab=\t2\t";
	char big[60];

	(void)state;
	assert_int_equal(web_parse_cookies(&ps, "a=b; c=d", 8, NULL), WEB_OK);
	assert_int_equal(ps.n, 2);
	assert_string_equal(web_param_get(&ps, "a"), "b");
	assert_string_equal(web_param_get(&ps, "c"), "d");
	web_params_free(&ps);

	assert_int_equal(web_parse_cookies(&ps, junk, strlen(junk), NULL), WEB_OK);
	assert_string_equal(web_param_get(&ps, "a"), "b");
	assert_string_equal(web_param_get(&ps, "q"), "quoted");
	assert_string_equal(web_param_get(&ps, "e"), "");
	assert_string_equal(web_param_get(&ps, "ok"), "1");
	assert_string_equal(web_param_get(&ps, "tab"), "2");
	assert_null(web_param_get(&ps, "sp"));
	assert_null(web_param_get(&ps, "x"));
	assert_null(web_param_get(&ps, "u"));
	assert_null(web_param_get(&ps, "bs"));
	assert_null(web_param_get(&ps, "junk"));
	assert_int_equal(ps.n, 5);
	web_params_free(&ps);

	/* Values are not %-decoded; a lone quote stays part of an invalid value. */
	assert_int_equal(web_parse_cookies(&ps, "s=%41; t=\"", 10, NULL), WEB_OK);
	assert_string_equal(web_param_get(&ps, "s"), "%41");
	assert_null(web_param_get(&ps, "t"));
	web_params_free(&ps);

	/* max_header 48 */
	memset(big, 'v', sizeof(big));
	big[0] = 'k';
	big[1] = '=';
	assert_int_equal(web_parse_cookies(&ps, big, 48, &small), WEB_OK);
	web_params_free(&ps);
	assert_int_equal(web_parse_cookies(&ps, big, 49, &small), WEB_TOO_LARGE);
	web_params_free(&ps);
	/* too many cookies, and names over max_name are skipped */
	assert_int_equal(web_parse_cookies(&ps, "a=1;b=2;c=3;d=4", 15, &small), WEB_TOO_LARGE);
	web_params_free(&ps);
	assert_int_equal(web_parse_cookies(&ps, "abcdefghi=1;b=2", 15, &small), WEB_OK);
	assert_int_equal(ps.n, 1);
	web_params_free(&ps);
}

/* ------------------------------------------------------------------ JSON */

static enum web_status
js(struct web_params *ps, const char *s, const struct web_limits *lim)
{
	return web_parse_json(ps, s, strlen(s), lim);
}

static enum web_status
js_status(const char *s, const struct web_limits *lim)
{
	struct web_params ps = { 0 };
	enum web_status rc = js(&ps, s, lim);

	web_params_free(&ps);
	return rc;
}

static void
test_json_flatten(void **state)
{
	struct web_params ps = { 0 };

	(void)state;
	assert_int_equal(js(&ps, "{\"a\":\"x y\",\"n\":42,\"neg\":-7,\"r\":1.5,\"small\":0.1,"
	    "\"big\":1e300,\"t\":true,\"f\":false,\"z\":null,\"arr\":[\"1\",2,true,null],"
	    "\"none\":[],\"u\":\"\\u00e9\\ud83d\\ude00\",\"max\":9223372036854775807}", NULL),
	    WEB_OK);
	assert_string_equal(web_param_get(&ps, "a"), "x y");
	assert_string_equal(web_param_get(&ps, "n"), "42");
	assert_string_equal(web_param_get(&ps, "neg"), "-7");
	assert_string_equal(web_param_get(&ps, "r"), "1.5");
	assert_string_equal(web_param_get(&ps, "small"), "0.1");
	assert_string_equal(web_param_get(&ps, "big"), "1e+300");
	assert_string_equal(web_param_get(&ps, "t"), "1");
	assert_string_equal(web_param_get(&ps, "f"), "0");
	assert_null(web_param_get(&ps, "z"));
	assert_int_equal(web_param_count(&ps, "arr"), 3);
	assert_string_equal(ps.v[web_param_find(&ps, "arr") - ps.v + 1].value, "2");
	assert_int_equal(web_param_count(&ps, "none"), 0);
	assert_string_equal(web_param_get(&ps, "u"), "\xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(web_param_get(&ps, "max"), "9223372036854775807");
	/* Object order is kept. */
	assert_string_equal(ps.v[0].name, "a");
	assert_string_equal(ps.v[1].name, "n");
	web_params_free(&ps);
	assert_int_equal(js(&ps, "{}", NULL), WEB_OK);
	assert_int_equal(ps.n, 0);
	web_params_free(&ps);
}

static void
test_json_malformed(void **state)
{
	static const char *const bad[] = {
		"{\"a\":{\"b\":1}}", "{\"a\":[[1]]}", "{\"a\":[{}]}", "[1,2]", "\"str\"", "42",
		"null", "true", "{\"a\":1,\"a\":2}", "{\"a\":1", "{a:1}", "", "{\"a\":1} x",
		"{\"a\":\"x\\u0000y\"}", "{\"a\\u0000\":1}", "{\"a\":\"\\ud800\"}",
		"{\"a\":\"\xc3\x28\"}", "{\"a\":99999999999999999999}", "{\"a\":1e999}",
		"{\"a\":NaN}", "{\"a\":'x'}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (js_status(bad[i], NULL) != WEB_MALFORMED)
			fail_msg("accepted %s", bad[i]);
}

static void
test_json_limits(void **state)
{
	(void)state;
	assert_int_equal(js_status("{\"abcdefgh\":\"0123456789abcdef\"}", &small), WEB_OK);
	assert_int_equal(js_status("{\"abcdefghi\":1}", &small), WEB_TOO_LARGE);
	assert_int_equal(js_status("{\"a\":\"0123456789abcdefg\"}", &small), WEB_TOO_LARGE);
	assert_int_equal(js_status("{\"a\":[1,2,3]}", &small), WEB_OK);
	assert_int_equal(js_status("{\"a\":[1,2,3,4]}", &small), WEB_TOO_LARGE);
	assert_int_equal(js_status("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", &small), WEB_TOO_LARGE);
	assert_int_equal(js_status("{\"a\":\"0123456789abcdef\",\"b\":\"0123456789abcdef\","
	    "\"c\":\"0123456789\"}", &small), WEB_OK);	/* 64 bytes */
	assert_int_equal(js_status("{\"a\":\"0123456789abcdef\",\"b\":\"0123456789abcdef\","
	    "\"c\":\"0123456789a\"}", &small), WEB_TOO_LARGE);	/* 65 bytes > max_body */
}

/* ------------------------------------------------------------------ the list */

static void
test_param_list(void **state)
{
	struct web_params ps = { 0 };
	const struct web_param *p;

	(void)state;
	assert_int_equal(web_param_add(&ps, "bin", "a\0b", 3, NULL), WEB_OK);
	assert_int_equal(web_param_add(&ps, "bin", "second", 6, NULL), WEB_OK);
	assert_int_equal(web_param_add(&ps, "nul", NULL, 0, NULL), WEB_OK);
	p = web_param_find(&ps, "bin");
	assert_int_equal(p->value_len, 3);
	assert_memory_equal(p->value, "a\0b", 4);
	assert_int_equal(web_param_count(&ps, "bin"), 2);
	assert_string_equal(web_param_get(&ps, "nul"), "");
	assert_null(web_param_find(&ps, "missing"));
	assert_int_equal(web_param_count(NULL, "x"), 0);
	assert_null(web_param_get(NULL, "x"));
	web_params_free(&ps);
	web_params_free(&ps);
	web_params_free(NULL);

	assert_int_equal(web_param_add(&ps, "a", "1", 1, &small), WEB_OK);
	assert_int_equal(web_param_add(&ps, "a", "1", 1, &small), WEB_OK);
	assert_int_equal(web_param_add(&ps, "a", "1", 1, &small), WEB_OK);
	assert_int_equal(web_param_add(&ps, "a", "1", 1, &small), WEB_TOO_LARGE);
	assert_int_equal(ps.n, 3);
	web_params_free(&ps);
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(web_utf8_valid("", 0));
	assert_true(web_utf8_valid("plain", 5));
	assert_true(web_utf8_valid("\xe2\x82\xac\xf0\x90\x8d\x88", 7));
	assert_false(web_utf8_valid("\xe2\x82", 2));
	assert_false(web_utf8_valid("\xe2\x82\xac", 2));
	assert_false(web_utf8_valid("\xc0\x80", 2));
	assert_false(web_utf8_valid("\xf8\x88\x80\x80\x80", 5));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_limits),
		cmocka_unit_test(test_urlenc_basic),
		cmocka_unit_test(test_urlenc_repeated_and_empty),
		cmocka_unit_test(test_urlenc_not_terminated),
		cmocka_unit_test(test_urlenc_malformed),
		cmocka_unit_test(test_urlenc_limits),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_multipart_basic),
		cmocka_unit_test(test_multipart_boundary_forms),
		cmocka_unit_test(test_multipart_malformed),
		cmocka_unit_test(test_multipart_filename),
		cmocka_unit_test(test_multipart_limits),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_json_flatten),
		cmocka_unit_test(test_json_malformed),
		cmocka_unit_test(test_json_limits),
		cmocka_unit_test(test_param_list),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
