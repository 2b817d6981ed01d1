/*
 * fuzz_tmpl — the template parser (the one way templates come in) and the
 * renderer over whatever tree it accepts.
 *
 * The input is parsed as template "f" in a set that also holds a fixed
 * partial "p"; if it parses, it is rendered against a fixed context that has
 * every JSON type, nested objects and arrays, so sections, @ names, dotted
 * lookups, partials (including "f" including itself) and every render error
 * are reachable.  Output and errors are discarded; the fuzz build's small
 * render limits (tmpl.c, IKEGW_FUZZ) keep runaway inputs fast.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "webapp/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_ctx[] =
    "{\"s\":\"<a href='x'>&amp;\\\"</a>\",\"i\":42,\"neg\":-1,\"r\":0.1,"
    "\"t\":true,\"f\":false,\"z\":null,\"e\":\"\",\"zero\":0,\"o\":{},"
    "\"obj\":{\"k\":\"v\",\"inner\":{\"x\":1,\"l\":[\"a\",\"b\"]}},"
    "\"items\":[{\"k\":\"a\",\"n\":1},{\"k\":\"b\",\"sub\":[1,2,3]},\"str\",7,null],"
    "\"list\":[\"x\",\"y\"],\"empty\":[]}";

static const char fuzz_partial[] = "<b>{{s}}</b>{{#items}}{{@index}}{{^@last}},{{/@last}}{{/items}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_set *set;
	struct buf out = { 0 };
	json_t *ctx;
	char err[256];

	set = tmpl_load_string("p", fuzz_partial, sizeof(fuzz_partial) - 1, err,
	    sizeof(err));
	if (set == NULL)
		abort();	/* the fixed partial must parse */
	if (tmpl_add_string(set, "f", (const char *)data, size, err, sizeof(err)) == 0) {
		ctx = json_loads(fuzz_ctx, 0, NULL);
		if (ctx == NULL)
			abort();
		(void)tmpl_render(set, "f", ctx, &out, err, sizeof(err));
		buf_free(&out);
		json_decref(ctx);
	}
	tmpl_set_free(set);
	return 0;
}
