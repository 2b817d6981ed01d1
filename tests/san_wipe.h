/*
 * san_wipe.h — forced into sanitizer builds (-include): AddressSanitizer
 * does not intercept explicit_bzero(), so a wipe past the end of a buffer
 * would go unseen.  Here every wipe is a memset (which it checks) that the
 * compiler may not drop.
 */
#ifndef IKEGW_SAN_WIPE_H
#define IKEGW_SAN_WIPE_H

#include <string.h>

static inline void
ikegw_san_wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

#define explicit_bzero(p, n)	ikegw_san_wipe((p), (n))

#endif
