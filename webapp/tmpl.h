/*
 * tmpl — a small mustache-like template engine over jansson values.
 *
 *   {{name}}        value, HTML-escaped (& < > " ' → entities); dotted names
 *                   (a.b.c) walk objects; {{.}} is the current value.  Strings,
 *                   integers, reals and booleans print; an object, an array or a
 *                   name that resolves to nothing is a render error.
 *   {{&name}}       raw output, the one explicit way to skip escaping.
 *   {{#name}}…{{/name}}  section: rendered once per element of a non-empty
 *                   array (the element becomes the current context), once with
 *                   the object pushed for an object, once for any other truthy
 *                   value (true, non-empty string, non-zero number); skipped
 *                   for false, null, "", 0, [] and for a missing name.
 *   {{^name}}…{{/name}}  inverted section: rendered when the section would not be.
 *   {{>name}}       partial: templates/<name>.html of the same set ([a-z0-9_]
 *                   only, no paths); recursion depth is capped.
 *   {{! comment }}  ignored.
 *
 * Names are looked up from the innermost context outwards (mustache rules).
 * Templates are parsed once (tmpl_load_dir at worker start) into a tree;
 * rendering never re-parses.  Parse errors name the file and line.
 */
#ifndef IKEGW_WEB_TMPL_H
#define IKEGW_WEB_TMPL_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"

struct tmpl_set;

/*
 * Parses every *.html file in dir (not recursive); the template name is the
 * file name without ".html".  Returns NULL on error with a message in err
 * ("file.html:12: unclosed section 'users'").  Caller frees the set.
 */
struct tmpl_set	*tmpl_load_dir(const char *dir, char *err, size_t errlen);

/* Parses one template from memory into a new set, under the given name (tests). */
struct tmpl_set	*tmpl_load_string(const char *name, const char *text, size_t len,
    char *err, size_t errlen);

/* Adds one more template from memory to a set; 0 or -1 with err. */
int		 tmpl_add_string(struct tmpl_set *, const char *name, const char *text,
    size_t len, char *err, size_t errlen);

/*
 * Renders template name with ctx (borrowed) and appends to out.
 * Returns 0, or -1 with err set ("users.html:7: undefined variable 'x'") —
 * out then holds a partial rendering the caller must discard.
 */
int		 tmpl_render(const struct tmpl_set *, const char *name, json_t *ctx,
    struct buf *out, char *err, size_t errlen);

int		 tmpl_exists(const struct tmpl_set *, const char *name);
void		 tmpl_set_free(struct tmpl_set *);

#endif
