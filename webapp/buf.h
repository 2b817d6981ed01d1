/*
 * buf — a growable byte buffer, always NUL-terminated after its data.
 *
 * A zero-initialised struct buf is empty and ready.  Allocation failure is
 * fatal (abort): the web app cannot do anything sensible without memory, and
 * every caller checking for it would hide the real error paths.
 */
#ifndef IKEGW_WEB_BUF_H
#define IKEGW_WEB_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* NUL-terminated; NULL until something is added */
	size_t	 len;
	size_t	 cap;
};

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list) __attribute__((format(printf, 2, 0)));
void	 buf_reset(struct buf *);
/* Returns the data (caller frees) and leaves the buffer empty. */
char	*buf_release(struct buf *);
/* Frees the data after wiping it (for buffers that held secrets). */
void	 buf_wipe(struct buf *);
void	 buf_free(struct buf *);
/* The data as a C string; "" for an empty buffer. Borrowed. */
const char *buf_str(const struct buf *);

#endif
