/*
 * wbuf.h — a small growable byte buffer for building packets in the engine.
 *
 * A wbuf owns its storage (data is malloc'ed, freed by wbuf_free).  Writes
 * append at the end; fixed-up fields (lengths, next-payload bytes) are
 * patched later by offset with the wbuf_set_* calls.  Offsets stay valid
 * across growth; pointers returned by wbuf_ptr() do not (a later append may
 * move the storage), so keep offsets and take pointers only right before use.
 *
 * Errors are sticky: the first failed append (out of memory, or the size
 * limit reached) sets wb->err, later writes do nothing, and wbuf_error()
 * reports it once at the end.  That lets builders chain many appends and
 * check once.  Multi-byte integers are written in network byte order.
 */
#ifndef IKEGW_WBUF_H
#define IKEGW_WBUF_H

#include <stddef.h>
#include <stdint.h>

#define WBUF_MAX_DEFAULT	(1u << 20)	/* 1 MiB: far above any IKE message */

struct wbuf {
	uint8_t	*data;		/* owned; NULL until the first write */
	size_t	 len;		/* bytes written */
	size_t	 cap;		/* bytes allocated */
	size_t	 max;		/* refuse to grow beyond this many bytes */
	int	 err;		/* sticky: non-zero after a failed write */
};

/* Start empty with the default size limit.  Never fails. */
void	wbuf_init(struct wbuf *wb);
/* Free the storage (NULL-safe) and leave the buffer empty and reusable. */
void	wbuf_free(struct wbuf *wb);
/* Forget the contents and the error but keep the storage. */
void	wbuf_reset(struct wbuf *wb);
/* 0, or -1 if any write so far failed. */
int	wbuf_error(const struct wbuf *wb);

/* Append n bytes; -1 (and err set) on failure. */
int	wbuf_put(struct wbuf *wb, const void *p, size_t n);
int	wbuf_put_u8(struct wbuf *wb, uint8_t v);
int	wbuf_put_u16(struct wbuf *wb, uint16_t v);
int	wbuf_put_u32(struct wbuf *wb, uint32_t v);
/* Append n zero bytes and store their offset in *off (off may be NULL). */
int	wbuf_reserve(struct wbuf *wb, size_t n, size_t *off);
/* Insert n bytes at offset off, moving what follows; -1 on failure. */
int	wbuf_insert(struct wbuf *wb, size_t off, const void *p, size_t n);

/* Overwrite bytes already written; -1 if the range is not inside the buffer. */
int	wbuf_set(struct wbuf *wb, size_t off, const void *p, size_t n);
int	wbuf_set_u8(struct wbuf *wb, size_t off, uint8_t v);
int	wbuf_set_u16(struct wbuf *wb, size_t off, uint16_t v);
int	wbuf_set_u32(struct wbuf *wb, size_t off, uint32_t v);

/*
 * Pointer to byte off (borrowed; valid until the next append), or NULL when
 * off + n runs past what was written.
 */
uint8_t	*wbuf_ptr(struct wbuf *wb, size_t off, size_t n);

#endif
