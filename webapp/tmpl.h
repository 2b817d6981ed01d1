/*
 * tmpl — a small mustache-like template engine over jansson values.
 *
 *   {{name}}        value, HTML-escaped (& < > " ' → entities); dotted names
 *                   (a.b.c) walk objects; {{.}} is the current value.  Strings,
 *                   integers (%lld), reals (shortest %g form that reads back
 *                   exactly: 0.1, 1.5, 2, 1e+20) and booleans ("true",
 *                   "false") print; null prints nothing.  An object, an array
 *                   or a name that resolves to nothing is a render error.
 *   {{&name}}       raw output, the one explicit way to skip escaping.
 *   {{#name}}…{{/name}}  section: rendered once per element of a non-empty
 *                   array (the element becomes the current context), once with
 *                   the object pushed for an object (even {}), once with the
 *                   value pushed for any other truthy value (true, non-empty
 *                   string, non-zero number); skipped for false, null, "", 0,
 *                   0.0, [] and for a missing name.
 *   {{^name}}…{{/name}}  inverted section: rendered when the section would not be.
 *   {{>name}}       partial: templates/<name>.html of the same set ([a-z0-9_]
 *                   only, no paths), rendered with the current context stack.
 *                   Resolved at render time: an unknown partial is a render
 *                   error; more than 16 partials inside one another is a
 *                   render error (so a template that includes itself fails).
 *   {{! comment }}  ignored; may span lines.
 *
 * Inside an array section (the innermost one, even below other sections):
 *   {{@index}}      the element's position, 0-based;
 *   {{@first}}, {{@last}}  booleans, mostly as {{#@first}}…{{/@first}} or
 *                   {{^@last}}, {{/@last}}.  Outside any array section they
 *                   are undefined (an error in {{…}}, false as a section).
 *
 * Names are `.`, one of the @ names above, or segments of [A-Za-z0-9_-]
 * joined by single dots; white space inside the braces is ignored
 * ({{ name }}).  The first segment is looked up from the innermost context
 * outwards (mustache rules), the rest only inside the value found.  Other
 * sigils ({{{x}}}, {{=<% %>=}}, {{$x}}, …) are parse errors.
 *
 * Standalone lines (mustache): a line holding only white space and one
 * section, inverted, close, comment or partial tag is removed entirely, so
 * block tags on their own lines leave no blank lines.  A standalone partial's
 * indentation is dropped, not applied to the partial's lines.
 *
 * Templates are parsed once (tmpl_load_dir at worker start) into a tree;
 * rendering never re-parses and allocates only for the output.  Parse and
 * render errors read "<name>.html:LINE: message", also for templates added
 * from memory.  Limits: 1 MiB per template, 32 sections open at once in one
 * template; a render stops with an error after 2^26 steps or 256 MiB of
 * output (far beyond any page; a guard against runaway templates).
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

/*
 * Parses one template from memory (len bytes, no NUL needed) into a new set,
 * under the given name (tests).  Caller frees the set; NULL with err on error.
 */
struct tmpl_set	*tmpl_load_string(const char *name, const char *text, size_t len,
    char *err, size_t errlen);

/*
 * Adds one more template from memory to a set (the text is copied); 0 or -1
 * with err.  A name already in the set or containing '/' is an error.
 */
int		 tmpl_add_string(struct tmpl_set *, const char *name, const char *text,
    size_t len, char *err, size_t errlen);

/*
 * Renders template name with ctx (borrowed) and appends to out.
 * Returns 0, or -1 with err set ("users.html:7: undefined variable 'x'") —
 * out then holds a partial rendering the caller must discard.
 */
int		 tmpl_render(const struct tmpl_set *, const char *name, json_t *ctx,
    struct buf *out, char *err, size_t errlen);

/* 1 if the set holds a template of that name, else 0. */
int		 tmpl_exists(const struct tmpl_set *, const char *name);
/* Frees the set and every template in it; NULL is fine. */
void		 tmpl_set_free(struct tmpl_set *);

#endif
