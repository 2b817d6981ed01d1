/*
 * escape — one escaper per output context (as cgit does).  Each appends to a
 * struct buf.  HTML text and HTML attributes (always double-quoted) share the
 * same rule: & < > " ' become entities.  URL arguments are %-encoded except
 * for RFC 3986 unreserved characters.  JSON is jansson's job.
 */
#ifndef IKEGW_WEB_ESCAPE_H
#define IKEGW_WEB_ESCAPE_H

#include <stddef.h>

#include "buf.h"

void	esc_html(struct buf *, const char *, size_t);
void	esc_attr(struct buf *, const char *, size_t);
void	esc_url(struct buf *, const char *, size_t);

#endif
