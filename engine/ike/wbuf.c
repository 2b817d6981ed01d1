/*
 * wbuf.c — growable byte buffer (see wbuf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "wbuf.h"

void
wbuf_init(struct wbuf *wb)
{
	memset(wb, 0, sizeof(*wb));
	wb->max = WBUF_MAX_DEFAULT;
}

void
wbuf_free(struct wbuf *wb)
{
	size_t max;

	if (wb == NULL)
		return;
	max = wb->max;
	free(wb->data);
	memset(wb, 0, sizeof(*wb));
	wb->max = max;
}

void
wbuf_reset(struct wbuf *wb)
{
	wb->len = 0;
	wb->err = 0;
}

int
wbuf_error(const struct wbuf *wb)
{
	return wb->err ? -1 : 0;
}

/* Make room for n more bytes; sets the sticky error on failure. */
static int
wbuf_grow(struct wbuf *wb, size_t n)
{
	size_t	 need, ncap;
	uint8_t	*p;

	if (wb->err)
		return -1;
	if (n > wb->max || wb->len > wb->max - n) {
		wb->err = 1;
		return -1;
	}
	need = wb->len + n;
	if (need <= wb->cap)
		return 0;
	ncap = wb->cap ? wb->cap : 256;
	while (ncap < need)
		ncap = ncap > wb->max / 2 ? wb->max : ncap * 2;
	p = realloc(wb->data, ncap);
	if (p == NULL) {
		wb->err = 1;
		return -1;
	}
	wb->data = p;
	wb->cap = ncap;
	return 0;
}

int
wbuf_put(struct wbuf *wb, const void *p, size_t n)
{
	if (wbuf_grow(wb, n) == -1)
		return -1;
	if (n > 0)
		memcpy(wb->data + wb->len, p, n);
	wb->len += n;
	return 0;
}

int
wbuf_put_u8(struct wbuf *wb, uint8_t v)
{
	return wbuf_put(wb, &v, 1);
}

int
wbuf_put_u16(struct wbuf *wb, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_put(wb, b, sizeof(b));
}

int
wbuf_put_u32(struct wbuf *wb, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_put(wb, b, sizeof(b));
}

int
wbuf_reserve(struct wbuf *wb, size_t n, size_t *off)
{
	if (wbuf_grow(wb, n) == -1)
		return -1;
	if (n > 0)
		memset(wb->data + wb->len, 0, n);
	if (off != NULL)
		*off = wb->len;
	wb->len += n;
	return 0;
}

int
wbuf_insert(struct wbuf *wb, size_t off, const void *p, size_t n)
{
	if (off > wb->len) {
		wb->err = 1;
		return -1;
	}
	if (wbuf_grow(wb, n) == -1)
		return -1;
	if (n == 0)
		return 0;
	memmove(wb->data + off + n, wb->data + off, wb->len - off);
	memcpy(wb->data + off, p, n);
	wb->len += n;
	return 0;
}

uint8_t *
wbuf_ptr(struct wbuf *wb, size_t off, size_t n)
{
	if (wb->data == NULL || off > wb->len || n > wb->len - off)
		return NULL;
	return wb->data + off;
}

int
wbuf_set(struct wbuf *wb, size_t off, const void *p, size_t n)
{
	uint8_t *d;

	if ((d = wbuf_ptr(wb, off, n)) == NULL) {
		wb->err = 1;
		return -1;
	}
	if (n > 0)
		memcpy(d, p, n);
	return 0;
}

int
wbuf_set_u8(struct wbuf *wb, size_t off, uint8_t v)
{
	return wbuf_set(wb, off, &v, 1);
}

int
wbuf_set_u16(struct wbuf *wb, size_t off, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_set(wb, off, b, sizeof(b));
}

int
wbuf_set_u32(struct wbuf *wb, size_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_set(wb, off, b, sizeof(b));
}
