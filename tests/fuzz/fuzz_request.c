/*
 * libFuzzer target for webapp/request.c and webapp/form.c.
 *
 * The first byte chooses what the rest is:
 *   bits 0-1  0 urlencoded, 1 multipart, 2 Cookie header, 3 JSON body
 *   bit 2     tiny limits instead of the defaults (reaches every cap)
 *   bit 3     multipart only: the Content-Type is the input up to the first
 *             '\n', the body the rest (fuzzes the boundary parameter too)
 * Whatever parses is then validated against a form with one field of every
 * type (single-letter names, so the fuzzer finds them) and rendered with
 * form_context(), which must always give dumpable JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webapp/form.h"
#include "webapp/request.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct web_limits tiny = {
	.max_body = 256,
	.max_upload = 1024,
	.max_header = 64,
	.max_fields = 8,
	.max_name = 8,
	.max_value = 32,
};

static const char *const choices[] = { "aes128", "aes256", NULL };

static const struct form_field fields[] = {
	{ "i", "Int", FORM_INT, 0, -5, 86400, NULL, NULL, NULL },
	{ "j", "Any int", FORM_INT, FORM_REQUIRED, 0, 0, NULL, NULL, NULL },
	{ "4", "IPv4", FORM_IPV4, 0, 0, 0, NULL, NULL, NULL },
	{ "6", "IPv6", FORM_IPV6, 0, 0, 0, NULL, NULL, NULL },
	{ "p", "IP", FORM_IP, 0, 0, 0, NULL, NULL, NULL },
	{ "c", "CIDR", FORM_CIDR, 0, 0, 0, NULL, NULL, NULL },
	{ "C", "CIDR4", FORM_CIDR4, 0, 0, 0, NULL, NULL, NULL },
	{ "h", "Host", FORM_HOSTNAME, 0, 0, 0, NULL, NULL, NULL },
	{ "f", "FQDN", FORM_FQDN, FORM_WILDCARD, 0, 0, NULL, NULL, NULL },
	{ "e", "Email", FORM_EMAIL, 0, 0, 0, NULL, NULL, NULL },
	{ "n", "Enum", FORM_ENUM, 0, 0, 0, choices, NULL, NULL },
	{ "b", "Bool", FORM_BOOL, 0, 0, 0, NULL, NULL, NULL },
	{ "d", "Date", FORM_DATE, 0, 0, 0, NULL, NULL, NULL },
	{ "t", "Text", FORM_TEXT, FORM_MULTILINE, 2, 20, NULL, NULL, NULL },
	{ "r", "Pattern", FORM_TEXT, 0, 0, 0, NULL, "[a-z]+(-[0-9]+)?", NULL },
	{ "w", "Password", FORM_PASSWORD, 0, 4, 0, NULL, NULL, NULL },
	{ "m", "Multi", FORM_IPV4, FORM_MULTI | FORM_LINES, 0, 4, NULL, NULL, NULL },
	{ "M", "Multi enum", FORM_ENUM, FORM_MULTI, 0, 0, choices, NULL, NULL },
	{ "x", "File", FORM_FILE, 0, 0, 64, NULL, NULL, NULL },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct web_limits *lim;
	struct web_params ps = { 0 };
	struct form form;
	const char *ct = "multipart/form-data; boundary=XyZzy";
	char *ctbuf = NULL, *dump;
	const uint8_t *nl;
	size_t len;
	json_t *ctx;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	lim = (sel & 4) ? &tiny : &web_default_limits;
	switch (sel & 3) {
	case 0:
		web_parse_urlencoded(&ps, (const char *)data, size, lim);
		break;
	case 1:
		if ((sel & 8) && (nl = memchr(data, '\n', size)) != NULL) {
			len = (size_t)(nl - data);
			ctbuf = malloc(len + 1);
			if (ctbuf == NULL)
				abort();
			memcpy(ctbuf, data, len);
			ctbuf[len] = '\0';
			ct = ctbuf;
			data += len + 1;
			size -= len + 1;
		}
		web_parse_multipart(&ps, ct, data, size, lim);
		break;
	case 2:
		web_parse_cookies(&ps, (const char *)data, size, lim);
		break;
	default:
		web_parse_json(&ps, (const char *)data, size, lim);
		break;
	}

	/* A partial list after an error is still a valid list. */
	form_validate(&form, fields, sizeof(fields) / sizeof(fields[0]), &ps);
	ctx = form_context(&form);
	dump = json_dumps(ctx, JSON_COMPACT);
	if (dump == NULL)
		abort();
	free(dump);
	json_decref(ctx);
	ctx = form_errors_json(&form);
	json_decref(ctx);
	form_free(&form);
	web_params_free(&ps);
	free(ctbuf);
	return 0;
}
