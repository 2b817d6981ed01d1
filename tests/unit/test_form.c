/* Unit tests for webapp/form.c: validators, normalisation, messages, context. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "webapp/buf.h"
#include "webapp/form.h"
#include "webapp/request.h"

static const char *const ciphers[] = { "aes128", "aes256", NULL };

/* One field per kind of check, all named "f". */
#define F(label, type, flags, min, max) { "f", label, type, flags, min, max, NULL, NULL, NULL }
static const struct form_field f_int = F("Lifetime", FORM_INT, 0, 60, 86400);
static const struct form_field f_anyint = F("Count", FORM_INT, 0, 0, 0);
static const struct form_field f_ipv4 = F("Address", FORM_IPV4, 0, 0, 0);
static const struct form_field f_ipv6 = F("Address", FORM_IPV6, 0, 0, 0);
static const struct form_field f_ip = F("Address", FORM_IP, 0, 0, 0);
static const struct form_field f_cidr4 = F("Network", FORM_CIDR4, 0, 0, 0);
static const struct form_field f_cidr6 = F("Network", FORM_CIDR6, 0, 0, 0);
static const struct form_field f_cidr = F("Network", FORM_CIDR, 0, 0, 0);
static const struct form_field f_host = F("Host", FORM_HOSTNAME, 0, 0, 0);
static const struct form_field f_fqdn = F("Domain", FORM_FQDN, 0, 0, 0);
static const struct form_field f_wild = F("Domain", FORM_FQDN, FORM_WILDCARD, 0, 0);
static const struct form_field f_email = F("Email", FORM_EMAIL, 0, 0, 0);
static const struct form_field f_date = F("Expires", FORM_DATE, 0, 0, 0);
static const struct form_field f_bool = F("Enabled", FORM_BOOL, 0, 0, 0);
static const struct form_field f_rbool = F("Accept", FORM_BOOL, FORM_REQUIRED, 0, 0);
static const struct form_field f_text = F("Name", FORM_TEXT, 0, 0, 5);
static const struct form_field f_text3 = F("Name", FORM_TEXT, 0, 3, 0);
static const struct form_field f_textdef = F("Name", FORM_TEXT, 0, 0, 0);
static const struct form_field f_textml = F("Notes", FORM_TEXT, FORM_MULTILINE, 0, 0);
static const struct form_field f_req = F("Name", FORM_TEXT, FORM_REQUIRED, 0, 0);
static const struct form_field f_pass = F("Password", FORM_PASSWORD, 0, 8, 0);
static const struct form_field f_enum = { "f", "Cipher", FORM_ENUM, 0, 0, 0, ciphers, NULL, NULL };
static const struct form_field f_pat = { "f", "Id", FORM_TEXT, 0, 0, 0, NULL, "[a-z]+",
	"Use lowercase letters only." };
static const struct form_field f_alt = { "f", "Id", FORM_TEXT, 0, 0, 0, NULL, "a|b", NULL };
static const struct form_field f_hostpat = { "f", "Host", FORM_HOSTNAME, 0, 0, 0, NULL,
	"[a-z.]+", "Lowercase, please." };

/*
 * Validates {"f": in} (in NULL: no parameter) against one field and returns
 * 0 with out = normalised value or -1 with out = the message.
 */
static int
check1(const struct form_field *fld, const char *in, size_t inlen, char *out, size_t outsz)
{
	struct web_params ps = { 0 };
	struct form form;
	json_t *v;
	int rc;

	if (in != NULL)
		assert_int_equal(web_param_add(&ps, "f", in, inlen, NULL), WEB_OK);
	rc = form_validate(&form, fld, 1, &ps);
	if (rc == 0) {
		assert_true(form_ok(&form));
		snprintf(out, outsz, "%s", form_str(&form, "f"));
	} else {
		assert_false(form_ok(&form));
		v = json_object_get(form.errors, "f");
		assert_true(json_is_string(v));
		snprintf(out, outsz, "%s", json_string_value(v));
	}
	form_free(&form);
	web_params_free(&ps);
	return rc;
}

/* Adds a text parameter (no NULs). */
static void
add(struct web_params *ps, const char *name, const char *value)
{
	assert_int_equal(web_param_add(ps, name, value, strlen(value), NULL), WEB_OK);
}

struct vcase {
	const struct form_field *fld;
	const char	*in;
	int		 ok;		/* 1 valid, 0 not */
	const char	*want;		/* normalised value or message; NULL: not compared */
};

static void
run_cases(const struct vcase *c, size_t n)
{
	char out[600];
	size_t i, failed = 0;
	int rc;

	for (i = 0; i < n; i++) {
		rc = check1(c[i].fld, c[i].in, c[i].in ? strlen(c[i].in) : 0, out, sizeof(out));
		if ((rc == 0) != c[i].ok || (c[i].want != NULL && strcmp(out, c[i].want) != 0)) {
			print_error("case %zu (%s, \"%s\"): got %s \"%s\"\n", i,
			    c[i].fld->label, c[i].in ? c[i].in : "(absent)",
			    rc == 0 ? "ok" : "error", out);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

static const char int_msg[] = "Lifetime must be a whole number between 60 and 86400.";

static void
test_int(void **state)
{
	static const struct vcase c[] = {
		{ &f_int, "3600", 1, "3600" },
		{ &f_int, "60", 1, "60" },
		{ &f_int, "86400", 1, "86400" },
		{ &f_int, " 3600\t", 1, "3600" },	/* the form trims */
		{ &f_int, "03600", 1, "3600" },
		{ &f_int, "59", 0, int_msg },
		{ &f_int, "86401", 0, int_msg },
		{ &f_int, "+3600", 0, int_msg },
		{ &f_int, "36 00", 0, int_msg },
		{ &f_int, "3600s", 0, int_msg },
		{ &f_int, "0x100", 0, int_msg },
		{ &f_int, "1e3", 0, int_msg },
		{ &f_int, "-", 0, int_msg },
		{ &f_int, "99999999999999999999", 0, int_msg },
		{ &f_int, "", 1, "" },
		{ &f_int, NULL, 1, "" },
		{ &f_anyint, "-9223372036854775808", 1, "-9223372036854775808" },
		{ &f_anyint, "9223372036854775807", 1, "9223372036854775807" },
		{ &f_anyint, "9223372036854775808", 0, "Count must be a whole number." },
		{ &f_anyint, "-9223372036854775809", 0, "Count must be a whole number." },
		{ &f_anyint, "-0", 1, "0" },
		{ &f_anyint, "--1", 0, NULL },
	};

	(void)state;
	RUN(c);
}

static void
test_parse_int(void **state)
{
	long long v = 42;

	(void)state;
	assert_int_equal(parse_int("5", 0, 10, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(parse_int("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	v = 42;
	assert_int_equal(parse_int("+5", 0, 10, &v), -1);
	assert_int_equal(parse_int(" 5", 0, 10, &v), -1);
	assert_int_equal(parse_int("5 ", 0, 10, &v), -1);
	assert_int_equal(parse_int("", 0, 10, &v), -1);
	assert_int_equal(parse_int(NULL, 0, 10, &v), -1);
	assert_int_equal(parse_int("11", 0, 10, &v), -1);
	assert_int_equal(parse_int("-1", 0, 10, &v), -1);
	assert_int_equal(parse_int("5", 10, 0, &v), -1);
	assert_int_equal(v, 42);		/* untouched on failure */
	assert_int_equal(parse_int("9223372036854775807", LLONG_MIN, LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MAX);
	assert_int_equal(parse_int("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MIN);
	assert_int_equal(parse_int("9223372036854775808", LLONG_MIN, LLONG_MAX, &v), -1);
	assert_int_equal(parse_int("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v), -1);
	assert_int_equal(parse_int("18446744073709551616", LLONG_MIN, LLONG_MAX, &v), -1);
	assert_int_equal(parse_int("0", 0, 0, NULL), 0);
}

static const char v4_msg[] = "Enter an IPv4 address such as 192.0.2.1.";
static const char v4_zero[] = "Enter the IPv4 address without leading zeros, such as 192.0.2.1.";
static const char v6_msg[] = "Enter an IPv6 address such as 2001:db8::1.";
static const char ip_msg[] = "Enter an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1.";

static void
test_ip(void **state)
{
	static const struct vcase c[] = {
		{ &f_ipv4, "192.0.2.1", 1, "192.0.2.1" },
		{ &f_ipv4, "255.255.255.255", 1, "255.255.255.255" },
		{ &f_ipv4, "0.0.0.0", 1, "0.0.0.0" },
		{ &f_ipv4, "256.0.0.1", 0, v4_msg },
		{ &f_ipv4, "1.2.3.256", 0, v4_msg },
		{ &f_ipv4, "010.0.0.1", 0, v4_zero },
		{ &f_ipv4, "10.0.0.01", 0, v4_zero },
		{ &f_ipv4, "00.0.0.0", 0, v4_zero },
		{ &f_ipv4, "1.2.3", 0, v4_msg },
		{ &f_ipv4, "1.2.3.4.5", 0, v4_msg },
		{ &f_ipv4, "1.2.3.", 0, v4_msg },
		{ &f_ipv4, "1.2.3.-4", 0, v4_msg },
		{ &f_ipv4, "0x7f.0.0.1", 0, v4_msg },
		{ &f_ipv4, "2130706433", 0, v4_msg },
		{ &f_ipv4, "::1", 0, v4_msg },
		{ &f_ipv4, " 192.0.2.1 ", 1, "192.0.2.1" },
		{ &f_ipv6, "::", 1, "::" },
		{ &f_ipv6, "::1", 1, "::1" },
		{ &f_ipv6, "2001:DB8:0:0:0:0:0:1", 1, "2001:db8::1" },
		{ &f_ipv6, "2001:db8:0:0:1:0:0:1", 1, "2001:db8::1:0:0:1" },
		{ &f_ipv6, "::ffff:1.2.3.4", 1, "::ffff:1.2.3.4" },
		{ &f_ipv6, "::ffff:01.2.3.4", 0, v6_msg },
		{ &f_ipv6, "1::2::3", 0, v6_msg },
		{ &f_ipv6, "12345::", 0, v6_msg },
		{ &f_ipv6, "fe80::1%eth0", 0, v6_msg },
		{ &f_ipv6, "1:2:3:4:5:6:7:8:9", 0, v6_msg },
		{ &f_ipv6, "192.0.2.1", 0, v6_msg },
		{ &f_ip, "192.0.2.1", 1, "192.0.2.1" },
		{ &f_ip, "2001:db8::1", 1, "2001:db8::1" },
		{ &f_ip, "010.1.1.1", 0, v4_zero },
		{ &f_ip, "vpn.example.com", 0, ip_msg },
		{ &f_ip, "1.2.3.4\xc3\xa9", 0, ip_msg },
	};

	(void)state;
	RUN(c);
	assert_true(valid_ipv4("192.0.2.1"));
	assert_false(valid_ipv4("010.0.0.1"));
	assert_false(valid_ipv4(NULL));
	assert_true(valid_ipv6("::ffff:1.2.3.4"));
	assert_false(valid_ipv6("::ffff:1.2.3.04"));
	assert_false(valid_ipv6(NULL));
}

static void
test_cidr(void **state)
{
	static const char n4[] = "Enter an IPv4 network such as 192.0.2.0/24.";
	static const char n6[] = "Enter an IPv6 network such as 2001:db8::/32.";
	static const char p32[] = "The prefix length after / must be a number between 0 and 32.";
	static const char p128[] = "The prefix length after / must be a number between 0 and 128.";
	static const struct vcase c[] = {
		{ &f_cidr4, "10.0.0.0/24", 1, "10.0.0.0/24" },
		{ &f_cidr4, "10.0.0.1/24", 0,
		    "10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?" },
		{ &f_cidr4, "192.168.1.128/25", 1, "192.168.1.128/25" },
		{ &f_cidr4, "192.168.1.129/25", 0,
		    "192.168.1.129/25 has host bits set; did you mean 192.168.1.128/25?" },
		{ &f_cidr4, "172.16.255.255/12", 0,
		    "172.16.255.255/12 has host bits set; did you mean 172.16.0.0/12?" },
		{ &f_cidr4, "0.0.0.0/0", 1, "0.0.0.0/0" },
		{ &f_cidr4, "1.0.0.0/0", 0, NULL },
		{ &f_cidr4, "10.0.0.1/32", 1, "10.0.0.1/32" },
		{ &f_cidr4, "10.0.0.0/33", 0, p32 },
		{ &f_cidr4, "10.0.0.0/024", 0, p32 },
		{ &f_cidr4, "10.0.0.0/-1", 0, p32 },
		{ &f_cidr4, "10.0.0.0/+8", 0, p32 },
		{ &f_cidr4, "10.0.0.0/", 0, p32 },
		{ &f_cidr4, "10.0.0.0/8x", 0, p32 },
		{ &f_cidr4, "10.0.0.0", 0, n4 },
		{ &f_cidr4, "/8", 0, n4 },
		{ &f_cidr4, "010.0.0.0/8", 0, "Enter an IPv4 network such as 192.0.2.0/24." },
		{ &f_cidr4, "2001:db8::/32", 0, n4 },
		{ &f_cidr6, "2001:db8::/32", 1, "2001:db8::/32" },
		{ &f_cidr6, "2001:DB8:0::/48", 1, "2001:db8::/48" },
		{ &f_cidr6, "2001:db8::1/64", 0,
		    "2001:db8::1/64 has host bits set; did you mean 2001:db8::/64?" },
		{ &f_cidr6, "2001:db8:0:ff80::/57", 1, "2001:db8:0:ff80::/57" },
		{ &f_cidr6, "2001:db8:0:ffc0::/57", 0,
		    "2001:db8:0:ffc0::/57 has host bits set; did you mean 2001:db8:0:ff80::/57?" },
		{ &f_cidr6, "::/0", 1, "::/0" },
		{ &f_cidr6, "::1/128", 1, "::1/128" },
		{ &f_cidr6, "::/129", 0, p128 },
		{ &f_cidr6, "10.0.0.0/8", 0, n6 },
		{ &f_cidr, "10.0.0.0/8", 1, "10.0.0.0/8" },
		{ &f_cidr, "fd00::/8", 1, "fd00::/8" },
		{ &f_cidr, "fd00::", 0, "Enter a network such as 192.0.2.0/24 or 2001:db8::/32." },
	};
	char msg[200];

	(void)state;
	RUN(c);
	assert_true(valid_cidr("10.0.0.0/8", 0, NULL, 0));
	assert_true(valid_cidr("10.0.0.0/8", AF_INET, msg, sizeof(msg)));
	assert_false(valid_cidr("10.0.0.0/8", AF_INET6, msg, sizeof(msg)));
	assert_false(valid_cidr("10.1.0.0/8", AF_INET, msg, sizeof(msg)));
	assert_string_equal(msg, "10.1.0.0/8 has host bits set; did you mean 10.0.0.0/8?");
	assert_false(valid_cidr(NULL, 0, msg, sizeof(msg)));
	assert_false(valid_cidr("10.1.0.0/8", 0, msg, 10));
	assert_int_equal(strlen(msg), 9);
}

static void
test_dns(void **state)
{
	static const char l63[] =
	    "abcdefghij" "abcdefghij" "abcdefghij" "abcdefghij" "abcdefghij" "abcdefghij" "abc";
	static const char l64[] =
	    "abcdefghij" "abcdefghij" "abcdefghij" "abcdefghij" "abcdefghij" "abcdefghij" "abcd";
	static const char lbl[] = "Each dot-separated part of a host name must be 1 to 63 "
	    "characters long.";
	static const char fq[] = "Enter a fully qualified domain name such as vpn.example.com.";
	char name63[80], name64[80], n253[300], n254[300], n253dot[310];
	size_t i;
	struct vcase c[] = {
		{ &f_host, "vpn", 1, "vpn" },
		{ &f_host, "vpn.example.com", 1, "vpn.example.com" },
		{ &f_host, "VPN.Example.COM.", 1, "VPN.Example.COM" },
		{ &f_host, "xn--bcher-kva.example", 1, NULL },
		{ &f_host, "a-b.c0", 1, NULL },
		{ &f_host, "3com.net", 1, NULL },
		{ &f_host, name63, 1, NULL },
		{ &f_host, name64, 0, lbl },
		{ &f_host, "-vpn", 0, "A part of a host name must not start or end with a hyphen." },
		{ &f_host, "vpn-.example", 0, NULL },
		{ &f_host, "v_pn", 0, "A host name may contain only letters, digits, hyphens and dots." },
		{ &f_host, "vpn.ex ample", 0, NULL },
		{ &f_host, "b\xc3\xbc" "cher.example", 0, NULL },
		{ &f_host, "a..b", 0, lbl },
		{ &f_host, ".a", 0, lbl },
		{ &f_host, "a.b..", 0, lbl },
		{ &f_host, ".", 0, NULL },
		{ &f_host, "1.2.3.4", 0, "The last part of a host name must not be all digits." },
		{ &f_host, "1234", 0, NULL },
		{ &f_host, n253, 1, NULL },
		{ &f_host, n253dot, 1, NULL },
		{ &f_host, n254, 0, "A host name must be at most 253 characters long." },
		{ &f_fqdn, "example.com", 1, "example.com" },
		{ &f_fqdn, "a.b.", 1, "a.b" },
		{ &f_fqdn, "localhost", 0, fq },
		{ &f_fqdn, "localhost.", 0, fq },
		{ &f_fqdn, "example.123", 0, "The last part of a domain name must not be all digits." },
		{ &f_fqdn, "*.example.com", 0, NULL },
		{ &f_wild, "*.example.com", 1, "*.example.com" },
		{ &f_wild, "*.example.com.", 1, "*.example.com" },
		{ &f_wild, "example.com", 1, "example.com" },
		{ &f_wild, "*.com", 0, fq },
		{ &f_wild, "*", 0, NULL },
		{ &f_wild, "*.", 0, NULL },
		{ &f_wild, "a.*.example.com", 0, NULL },
		{ &f_wild, "**.example.com", 0, NULL },
	};

	(void)state;
	snprintf(name63, sizeof(name63), "%s.example", l63);
	snprintf(name64, sizeof(name64), "%s.example", l64);
	/* 4 labels of 63 + 3 dots = 255; trim the last label to 61 / 62. */
	snprintf(n253, sizeof(n253), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	snprintf(n254, sizeof(n254), "%s.%s.%s.%.62s", l63, l63, l63, l63);
	snprintf(n253dot, sizeof(n253dot), "%s.", n253);
	assert_int_equal(strlen(n253), 253);
	assert_int_equal(strlen(n254), 254);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		assert_non_null(c[i].in);
	RUN(c);
	assert_true(valid_hostname("vpn"));
	assert_false(valid_hostname("vpn_"));
	assert_false(valid_hostname(NULL));
	assert_true(valid_fqdn("vpn.example.com", 0));
	assert_false(valid_fqdn("vpn", 0));
	assert_true(valid_fqdn("*.example.com", 1));
	assert_false(valid_fqdn("*.example.com", 0));
	assert_false(valid_fqdn(NULL, 1));
}

static void
test_email(void **state)
{
	static const char m[] = "Enter an email address such as admin@example.com.";
	static const struct vcase c[] = {
		{ &f_email, "admin@example.com", 1, "admin@example.com" },
		{ &f_email, "first.last+tag@sub.example.org", 1, NULL },
		{ &f_email, "o'brien@example.ie", 1, NULL },
		{ &f_email, "a@b", 0, m },
		{ &f_email, "@example.com", 0, m },
		{ &f_email, "admin@", 0, m },
		{ &f_email, "admin", 0, m },
		{ &f_email, "a@@example.com", 0, m },
		{ &f_email, "a@b@example.com", 0, m },
		{ &f_email, ".a@example.com", 0, m },
		{ &f_email, "a.@example.com", 0, m },
		{ &f_email, "a..b@example.com", 0, m },
		{ &f_email, "a b@example.com", 0, m },
		{ &f_email, "\"a b\"@example.com", 0, m },
		{ &f_email, "a@example.com.", 0, m },
		{ &f_email, "a@-x.example.com", 0, m },
		{ &f_email, "a@[192.0.2.1]", 0, m },
		{ &f_email, "a(comment)@example.com", 0, m },
		{ &f_email, "\xc3\xa9@example.com", 0, m },
		{ &f_email, "1234567890123456789012345678901234567890123456789012345678901234"
		    "@example.com", 1, NULL },
		{ &f_email, "12345678901234567890123456789012345678901234567890123456789012345"
		    "@example.com", 0, m },
	};

	(void)state;
	RUN(c);
	assert_true(valid_email("a@example.com"));
	assert_false(valid_email(NULL));
}

static void
test_date(void **state)
{
	static const char fmt[] = "Enter a date as YYYY-MM-DD, such as 2024-02-29.";
	static const struct vcase c[] = {
		{ &f_date, "2024-02-29", 1, "2024-02-29" },
		{ &f_date, "2000-02-29", 1, NULL },
		{ &f_date, "2023-02-28", 1, NULL },
		{ &f_date, "2024-12-31", 1, NULL },
		{ &f_date, "0001-01-01", 1, NULL },
		{ &f_date, "2023-02-29", 0, "2023-02-29 is not a date in the calendar." },
		{ &f_date, "1900-02-29", 0, NULL },
		{ &f_date, "2100-02-29", 0, NULL },
		{ &f_date, "2024-04-31", 0, NULL },
		{ &f_date, "2024-13-01", 0, NULL },
		{ &f_date, "2024-00-10", 0, NULL },
		{ &f_date, "2024-01-00", 0, NULL },
		{ &f_date, "2024-01-32", 0, NULL },
		{ &f_date, "0000-01-01", 0, NULL },
		{ &f_date, "2024-1-01", 0, fmt },
		{ &f_date, "2024/12/31", 0, fmt },
		{ &f_date, "24-12-31", 0, fmt },
		{ &f_date, "2024-12-31T00:00", 0, fmt },
		{ &f_date, "+024-12-31", 0, fmt },
	};

	(void)state;
	RUN(c);
	assert_true(valid_date("2024-02-29"));
	assert_false(valid_date("2023-02-29"));
	assert_false(valid_date(NULL));
}

static void
test_bool_enum(void **state)
{
	static const struct vcase c[] = {
		{ &f_bool, NULL, 1, "0" },
		{ &f_bool, "", 1, "0" },
		{ &f_bool, "on", 1, "1" },
		{ &f_bool, "1", 1, "1" },
		{ &f_bool, "TRUE", 1, "1" },
		{ &f_bool, "Yes", 1, "1" },
		{ &f_bool, "off", 1, "0" },
		{ &f_bool, "false", 1, "0" },
		{ &f_bool, "no", 1, "0" },
		{ &f_bool, "0", 1, "0" },
		{ &f_bool, "maybe", 0, "Enabled must be either on or off." },
		{ &f_bool, "2", 0, NULL },
		{ &f_rbool, NULL, 0, "Required." },
		{ &f_rbool, "off", 0, "Required." },
		{ &f_rbool, "on", 1, "1" },
		{ &f_enum, "aes256", 1, "aes256" },
		{ &f_enum, " aes128 ", 1, "aes128" },
		{ &f_enum, "des", 0, "Choose one of the listed options." },
		{ &f_enum, "AES256", 0, NULL },
		{ &f_enum, "aes", 0, NULL },
	};

	(void)state;
	RUN(c);
}

static void
test_text(void **state)
{
	static const char ctl[] = "Name must not contain control characters.";
	static const char utf[] = "Name contains bytes that are not valid UTF-8 text.";
	char big[1100];
	struct vcase c[] = {
		{ &f_text, "hello", 1, "hello" },
		{ &f_text, "h\xc3\xa9llo", 1, "h\xc3\xa9llo" },		/* 5 characters, 6 bytes */
		{ &f_text, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 1, NULL },	/* 3 characters */
		{ &f_text, "h\xc3\xa9llo!", 0, "Name must be at most 5 characters long." },
		{ &f_text, "  trim  ", 1, "trim" },
		{ &f_text, "a\tb", 0, ctl },
		{ &f_text, "a\nb", 0, ctl },
		{ &f_text, "a\x7f", 0, ctl },
		{ &f_text, "a\x1b[m", 0, ctl },
		{ &f_text, "a\xc2\x85", 0, ctl },		/* U+0085, a C1 control */
		{ &f_text, "a\xc2\xa0z", 1, NULL },		/* U+00A0 is printable */
		{ &f_text, "\xc3\x28", 0, utf },
		{ &f_text, "\xc0\xaf", 0, utf },
		{ &f_text, "\xed\xa0\x80", 0, utf },
		{ &f_text, "\xf4\x90\x80\x80", 0, utf },
		{ &f_text3, "ab", 0, "Name must be at least 3 characters long." },
		{ &f_text3, "abc", 1, NULL },
		{ &f_textml, "line 1\r\nline 2\rline 3\nend", 1, "line 1\nline 2\nline 3\nend" },
		{ &f_textml, "tab\there", 0,
		    "Notes must not contain control characters other than line breaks." },
		{ &f_req, "", 0, "Required." },
		{ &f_req, " \t\r\n", 0, "Required." },
		{ &f_req, NULL, 0, "Required." },
		{ &f_req, "x", 1, "x" },
		{ &f_textdef, big, 1, NULL },
		{ &f_pass, " pass word ", 1, " pass word " },
		{ &f_pass, "short", 0, "Password must be at least 8 characters long." },
		{ &f_pass, "12345678\x01", 0, "Password must not contain control characters." },
		{ &f_pat, "abc", 1, "abc" },
		{ &f_pat, "abc1", 0, "Use lowercase letters only." },
		{ &f_pat, "1abc", 0, "Use lowercase letters only." },
		{ &f_alt, "a", 1, NULL },
		{ &f_alt, "b", 1, NULL },
		{ &f_alt, "ab", 0, "Id is not in the expected format." },
		{ &f_hostpat, "vpn.example.com.", 1, "vpn.example.com" },
		{ &f_hostpat, "VPN.example.com", 0, "Lowercase, please." },
	};
	char out[600];

	(void)state;
	memset(big, 'x', 1024);
	big[1024] = '\0';
	RUN(c);
	big[1024] = 'x';
	big[1025] = '\0';
	assert_int_equal(check1(&f_textdef, big, 1025, out, sizeof(out)), -1);
	assert_string_equal(out, "Name must be at most 1024 characters long.");
	/* A NUL byte inside a value (possible through web_param_add or a file part). */
	assert_int_equal(check1(&f_text, "a\0b", 3, out, sizeof(out)), -1);
	assert_string_equal(out, ctl);
	assert_int_equal(check1(&f_ipv4, "1.2.3.4\0x", 9, out, sizeof(out)), -1);
	assert_string_equal(out, v4_msg);
	assert_int_equal(check1(&f_host, "vpn\0x", 5, out, sizeof(out)), -1);
	assert_int_equal(check1(&f_int, "100\0", 4, out, sizeof(out)), -1);
}

static void
test_password(void **state)
{
	static const struct form_field fields[] = {
		{ "user", "User", FORM_TEXT, FORM_REQUIRED, 0, 0, NULL, NULL, NULL },
		{ "pass", "Password", FORM_PASSWORD, FORM_REQUIRED, 8, 0, NULL, NULL, NULL },
		{ "psk", "Key", FORM_TEXT, FORM_NOECHO, 0, 0, NULL, NULL, NULL },
	};
	struct web_params ps = { 0 };
	struct form form;
	json_t *ctx, *v;
	char *dump;

	(void)state;
	add(&ps, "user", " alice ");
	add(&ps, "pass", " s3cret pass ");
	add(&ps, "psk", "topsecret");
	assert_int_equal(form_validate(&form, fields, 3, &ps), 0);
	assert_string_equal(form_str(&form, "user"), "alice");
	assert_string_equal(form_str(&form, "pass"), " s3cret pass ");	/* not trimmed */
	assert_string_equal(form_str(&form, "psk"), "topsecret");
	ctx = form_context(&form);
	v = json_object_get(ctx, "values");
	assert_string_equal(json_string_value(json_object_get(v, "user")), "alice");
	assert_string_equal(json_string_value(json_object_get(v, "pass")), "");
	assert_string_equal(json_string_value(json_object_get(v, "psk")), "");
	dump = json_dumps(ctx, 0);
	assert_null(strstr(dump, "s3cret"));
	assert_null(strstr(dump, "topsecret"));
	free(dump);
	json_decref(ctx);
	form_free(&form);
	web_params_free(&ps);

	/* Too short: the message, and still nothing echoed. */
	add(&ps, "user", "bob");
	add(&ps, "pass", "short");
	assert_int_equal(form_validate(&form, fields, 3, &ps), -1);
	assert_string_equal(json_string_value(json_object_get(form.errors, "pass")),
	    "Password must be at least 8 characters long.");
	ctx = form_context(&form);
	dump = json_dumps(ctx, 0);
	assert_null(strstr(dump, "short"));
	free(dump);
	json_decref(ctx);
	form_free(&form);
	web_params_free(&ps);
}

static void
test_multi(void **state)
{
	static const struct form_field fields[] = {
		{ "dns", "DNS servers", FORM_IPV4, FORM_MULTI | FORM_LINES, 0, 3, NULL, NULL, NULL },
		{ "ciphers", "Ciphers", FORM_ENUM, FORM_MULTI | FORM_REQUIRED, 0, 0, ciphers,
		    NULL, NULL },
		{ "nets", "Networks", FORM_CIDR, FORM_MULTI | FORM_LINES | FORM_REQUIRED, 0, 0,
		    NULL, NULL, NULL },
	};
	struct web_params ps = { 0 };
	struct form form;
	json_t *ctx, *v;

	(void)state;
	add(&ps, "dns", "192.0.2.1\r\n 192.0.2.2 , 192.0.2.3\n\n,");
	add(&ps, "ciphers", "aes128");
	add(&ps, "ciphers", "");
	add(&ps, "ciphers", "aes256");
	add(&ps, "nets", "2001:DB8::/32");
	add(&ps, "undeclared", "x");
	assert_int_equal(form_validate(&form, fields, 3, &ps), 0);
	assert_int_equal(form_count(&form, "dns"), 3);
	assert_string_equal(form_item(&form, "dns", 0), "192.0.2.1");
	assert_string_equal(form_item(&form, "dns", 2), "192.0.2.3");
	assert_string_equal(form_item(&form, "dns", 3), "");
	assert_string_equal(form_str(&form, "dns"), "192.0.2.1");
	assert_int_equal(form_count(&form, "ciphers"), 2);
	assert_string_equal(form_item(&form, "ciphers", 1), "aes256");
	assert_string_equal(form_item(&form, "nets", 0), "2001:db8::/32");
	assert_null(json_object_get(form.values, "undeclared"));
	ctx = form_context(&form);
	v = json_object_get(ctx, "values");
	/* LINES: the text as entered; other MULTI: an array. */
	assert_string_equal(json_string_value(json_object_get(v, "dns")),
	    "192.0.2.1\r\n 192.0.2.2 , 192.0.2.3\n\n,");
	assert_true(json_is_array(json_object_get(v, "ciphers")));
	assert_int_equal(json_array_size(json_object_get(v, "ciphers")), 2);
	assert_null(json_object_get(v, "undeclared"));
	assert_true(json_is_false(json_object_get(ctx, "has_errors")));
	json_decref(ctx);
	form_free(&form);
	web_params_free(&ps);

	/* A bad item is named; too many items; nothing but blanks is "Required.". */
	add(&ps, "dns", "192.0.2.1\n300.1.1.1");
	add(&ps, "ciphers", "aes128");
	add(&ps, "ciphers", "rc4");
	add(&ps, "nets", " \n, ");
	assert_int_equal(form_validate(&form, fields, 3, &ps), -1);
	assert_string_equal(json_string_value(json_object_get(form.errors, "dns")),
	    "300.1.1.1: Enter an IPv4 address such as 192.0.2.1.");
	assert_string_equal(json_string_value(json_object_get(form.errors, "ciphers")),
	    "rc4: Choose one of the listed options.");
	assert_string_equal(json_string_value(json_object_get(form.errors, "nets")),
	    "Required.");
	assert_int_equal(form_count(&form, "dns"), 0);
	ctx = form_context(&form);
	assert_true(json_is_true(json_object_get(ctx, "has_errors")));
	assert_int_equal(json_object_size(json_object_get(ctx, "errors")), 3);
	json_decref(ctx);
	form_free(&form);
	web_params_free(&ps);

	add(&ps, "dns", "192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4");
	add(&ps, "nets", "10.0.0.1/8");
	assert_int_equal(form_validate(&form, fields, 3, &ps), -1);
	assert_string_equal(json_string_value(json_object_get(form.errors, "dns")),
	    "DNS servers can have at most 3 entries.");
	assert_string_equal(json_string_value(json_object_get(form.errors, "ciphers")),
	    "Required.");
	assert_string_equal(json_string_value(json_object_get(form.errors, "nets")),
	    "10.0.0.1/8: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?");
	form_free(&form);
	web_params_free(&ps);

	/* Long bad items are shortened in the message. */
	add(&ps, "dns", "0123456789012345678901234567890123456789xyz");
	form_validate(&form, fields, 1, &ps);
	assert_string_equal(json_string_value(json_object_get(form.errors, "dns")),
	    "0123456789012345678901234567890123456789\xe2\x80\xa6: "
	    "Enter an IPv4 address such as 192.0.2.1.");
	form_free(&form);
	web_params_free(&ps);
}

static void
test_file(void **state)
{
	static const struct form_field fields[] = {
		{ "cert", "Certificate", FORM_FILE, FORM_REQUIRED, 0, 0, NULL, NULL, NULL },
		{ "small", "Small", FORM_FILE, 0, 0, 10, NULL, NULL, NULL },
		{ "kb", "KB", FORM_FILE, 0, 0, 2048, NULL, NULL, NULL },
	};
	static const unsigned char bin[] = "\x00\x01\r\n--x\x00";
	struct web_params ps = { 0 };
	struct form form;
	const unsigned char *data;
	struct buf body = { 0 };
	json_t *info;
	size_t len;
	char *big;

	(void)state;
	buf_adds(&body, "--B\r\nContent-Disposition: form-data; name=\"cert\"; filename=\"c.der\"\r\n"
	    "Content-Type: application/pkix-cert\r\n\r\n");
	buf_add(&body, bin, sizeof(bin) - 1);
	buf_adds(&body, "\r\n--B\r\nContent-Disposition: form-data; name=\"small\"; filename=\"\"\r\n"
	    "\r\n\r\n--B--\r\n");
	assert_int_equal(web_parse_multipart(&ps, "multipart/form-data; boundary=B",
	    (const unsigned char *)body.data, body.len, NULL), WEB_OK);
	assert_int_equal(form_validate(&form, fields, 3, &ps), 0);
	data = form_file(&form, "cert", &len);
	assert_non_null(data);
	assert_int_equal(len, sizeof(bin) - 1);
	assert_memory_equal(data, bin, len);
	assert_string_equal(form_str(&form, "cert"), "c.der");
	info = json_object_get(form.files, "cert");
	assert_string_equal(json_string_value(json_object_get(info, "filename")), "c.der");
	assert_string_equal(json_string_value(json_object_get(info, "content_type")),
	    "application/pkix-cert");
	assert_int_equal(json_integer_value(json_object_get(info, "size")), sizeof(bin) - 1);
	/* No file chosen: the browser sends an empty part with filename="". */
	assert_null(form_file(&form, "small", &len));
	assert_int_equal(len, 0);
	assert_null(form_file(&form, "kb", &len));
	assert_null(form_file(&form, "undeclared", &len));
	form_free(&form);
	web_params_free(&ps);

	/* Required and empty; too large (default 4 MiB, and explicit caps). */
	add(&ps, "small", "01234567890");
	add(&ps, "kb", "x");
	assert_int_equal(form_validate(&form, fields, 3, &ps), -1);
	assert_string_equal(json_string_value(json_object_get(form.errors, "cert")), "Required.");
	assert_string_equal(json_string_value(json_object_get(form.errors, "small")),
	    "File is larger than 10 bytes.");
	assert_null(form_file(&form, "small", &len));
	/* A plain parameter (API client) is accepted as the file's bytes. */
	assert_non_null(form_file(&form, "kb", &len));
	assert_int_equal(len, 1);
	form_free(&form);
	web_params_free(&ps);

	big = calloc(1, 4 * 1024 * 1024 + 1);
	assert_non_null(big);
	web_param_add(&ps, "cert", big, 4 * 1024 * 1024 + 1, NULL);
	web_param_add(&ps, "kb", big, 2049, NULL);
	assert_int_equal(form_validate(&form, fields, 3, &ps), -1);
	assert_string_equal(json_string_value(json_object_get(form.errors, "cert")),
	    "File is larger than 4 MiB.");
	assert_string_equal(json_string_value(json_object_get(form.errors, "kb")),
	    "File is larger than 2 KiB.");
	form_free(&form);
	web_params_free(&ps);
	web_param_add(&ps, "cert", big, 4 * 1024 * 1024, NULL);
	assert_int_equal(form_validate(&form, fields, 1, &ps), 0);
	form_free(&form);
	web_params_free(&ps);
	free(big);
	buf_free(&body);
}

static void
test_context_and_api(void **state)
{
	static const struct form_field fields[] = {
		{ "name", "Name", FORM_TEXT, FORM_REQUIRED, 0, 0, NULL, NULL, NULL },
		{ "life", "Lifetime", FORM_INT, 0, 60, 86400, NULL, NULL, NULL },
		{ "on", "Enabled", FORM_BOOL, 0, 0, 0, NULL, NULL, NULL },
		{ "tags", "Tags", FORM_TEXT, FORM_MULTI, 0, 0, NULL, NULL, NULL },
		{ "dns", "DNS", FORM_IPV4, FORM_MULTI | FORM_LINES, 0, 0, NULL, NULL, NULL },
		{ "key", "Key", FORM_PASSWORD, 0, 0, 0, NULL, NULL, NULL },
	};
	struct web_params ps = { 0 };
	struct form form;
	json_t *ctx, *err;
	char *dump;

	(void)state;
	/* An entered value with invalid UTF-8 is shown with U+FFFD, not dropped. */
	add(&ps, "name", "bad\xff");
	add(&ps, "life", " 30 ");
	add(&ps, "on", "on");
	assert_int_equal(form_validate(&form, fields, 6, &ps), -1);
	form_error(&form, "name", "Ignored: %d", 1);		/* first message wins */
	form_error(&form, "on", "%s is taken.", "This");
	ctx = form_context(&form);
	dump = json_dumps(ctx, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
	assert_string_equal(dump,
	    "{\"errors\":{\"life\":\"Lifetime must be a whole number between 60 and 86400.\","
	    "\"name\":\"Name contains bytes that are not valid UTF-8 text.\","
	    "\"on\":\"This is taken.\"},"
	    "\"has_errors\":true,"
	    "\"values\":{\"dns\":\"\",\"key\":\"\",\"life\":\"30\",\"name\":\"bad\\uFFFD\","
	    "\"on\":true,\"tags\":[]}}");
	free(dump);
	json_decref(ctx);
	err = form_errors_json(&form);
	assert_string_equal(json_string_value(json_object_get(err, "error")), "validation");
	assert_int_equal(json_object_size(json_object_get(err, "fields")), 3);
	json_decref(err);
	form_free(&form);
	web_params_free(&ps);

	/* A new, empty form: a FORM_LINES field is text for its textarea too. */
	form_init(&form, fields, 6);
	ctx = form_context(&form);
	assert_true(json_is_string(json_object_get(json_object_get(ctx, "values"), "dns")));
	assert_true(json_is_array(json_object_get(json_object_get(ctx, "values"), "tags")));
	json_decref(ctx);
	form_free(&form);

	/* Editing: form_init + form_set, then typed access. */
	form_init(&form, fields, 6);
	form_set(&form, "name", "gw1");
	form_set(&form, "life", "3600");
	form_set(&form, "on", "1");
	form_set(&form, "tags", "a");
	form_set(&form, "tags", "b");
	form_set(&form, "dns", "192.0.2.1\n192.0.2.2");
	form_set(&form, "dns", "192.0.2.3");
	form_set(&form, "key", "secret");
	assert_true(form_ok(&form));
	assert_string_equal(form_str(&form, "name"), "gw1");
	assert_int_equal(form_int(&form, "life"), 3600);
	assert_true(form_bool(&form, "on"));
	assert_int_equal(form_count(&form, "tags"), 2);
	assert_int_equal(form_count(&form, "dns"), 3);
	assert_string_equal(form_item(&form, "dns", 2), "192.0.2.3");
	assert_string_equal(form_str(&form, "key"), "secret");
	assert_string_equal(form_str(&form, "missing"), "");
	assert_int_equal(form_int(&form, "missing"), 0);
	assert_false(form_bool(&form, "missing"));
	assert_int_equal(form_count(&form, "missing"), 0);
	assert_int_equal(form_count(&form, "name"), 1);
	assert_string_equal(form_item(&form, "name", 0), "gw1");
	assert_string_equal(form_item(&form, "name", 1), "");
	ctx = form_context(&form);
	dump = json_dumps(json_object_get(ctx, "values"), JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(dump, "{\"dns\":\"192.0.2.1\\n192.0.2.2\\n192.0.2.3\",\"key\":\"\","
	    "\"life\":\"3600\",\"name\":\"gw1\",\"on\":true,\"tags\":[\"a\",\"b\"]}");
	assert_true(json_is_false(json_object_get(ctx, "has_errors")));
	free(dump);
	json_decref(ctx);
	form_free(&form);
	form_free(&form);

	/* Validation with no parameters at all. */
	assert_int_equal(form_validate(&form, fields, 6, NULL), -1);
	assert_string_equal(json_string_value(json_object_get(form.errors, "name")), "Required.");
	assert_int_equal(json_object_size(form.errors), 1);
	assert_string_equal(form_str(&form, "on"), "0");
	form_free(&form);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_bool_enum),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_context_and_api),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
