/*
 * pool — virtual addresses for road-warrior clients (INTERNAL_IP4_ADDRESS,
 * INTERNAL_IP6_ADDRESS), leased from the pools of engine.json and
 * persisted so a restart hands every identity the address it had.
 *
 * A pool set holds, per configured pool and address family, a range of
 * leasable addresses:
 *   IPv4  every address of the prefix except the network address and the
 *         broadcast address (10.10.10.0/24 leases .1 to .254); the gateway
 *         takes none for itself (with IKEv2 it needs no address inside the
 *         pool; the kernel backends route the pool towards the SAs);
 *   IPv6  every address except the all-zero one (the subnet-router anycast
 *         address, RFC 4291 2.6.1); fd00:1::/112 leases fd00:1::1 to
 *         fd00:1::ffff.
 *
 * A lease binds an address to an identity (the authenticated peer name the
 * caller chooses, typically the EAP identity or the certificate subject).
 * Bindings are sticky: releasing a lease only marks it offline, and the
 * next acquire for the same identity gets the same address back.  A new
 * identity gets the lowest free address; when none is left, it takes over
 * the least recently released offline lease (whose old identity loses its
 * binding); when every address is online the pool is exhausted.
 *
 * Leases are stored in a map keyed by address and one keyed by identity
 * (no bitmaps, so /64 IPv6 pools cost nothing until used); the lowest free
 * address is found from a cursor below which every address is taken, so
 * filling a pool is linear overall.
 *
 * Persistence: the whole set is written as JSON (format in
 * docs/engine-config.md, "Lease file") to a temporary file in the same
 * folder, created 0600, fsync'ed, renamed over the lease file, and the
 * folder fsync'ed.  By default every change is written at once; with
 * pool_set_batch() changes only mark the set dirty and pool_flush() writes
 * them (the engine calls it from a timer and at exit).  Leases are loaded
 * offline (no SA survives a restart), in their saved LRU order.
 *
 * Not thread-safe: one event loop owns a set.
 */
#ifndef IKEGW_ENGINE_POOL_H
#define IKEGW_ENGINE_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "engine/config.h"

struct pool_set;

/* Results of pool_acquire() and friends. */
enum pool_status {
	POOL_OK		= 0,
	POOL_ERROR	= -1,	/* bad argument, out of memory */
	POOL_UNKNOWN	= -2,	/* no such pool, or it has no range of that
				   family, or (release) no such online lease */
	POOL_EXHAUSTED	= -3,	/* every address is online: answer
				   INTERNAL_ADDRESS_FAILURE */
};

/* pool_acquire() flags */
#define POOL_EXCLUSIVE	0x1	/* never share an online lease of the same
				   identity: a second device of one identity
				   (duplicates "keep") gets its own address */

/* Longest identity accepted (bytes, without the NUL). */
#define POOL_MAX_IDENTITY	1024
/* Lease files larger than this are refused. */
#define POOL_MAX_FILE		(256u * 1024 * 1024)

/*
 * A pool set for pools[0..npools) (names, v4 and v6 prefixes are copied;
 * the config may be freed afterwards).  leases_file NULL: no persistence.
 * An existing lease file is loaded; leases whose pool is gone or whose
 * address no longer lies in its pool's range are dropped (and the file
 * rewritten).  A missing file is an empty set.  Returns NULL with a
 * message in err for an unreadable or malformed file, or for pools the
 * config parser would not have accepted (family/prefix out of range).
 * Caller frees with pool_set_free().
 */
struct pool_set	*pool_set_new(const struct cfg_pool *pools, size_t npools,
    const char *leases_file, char *err, size_t errlen);
/* Writes pending changes (batch mode), then frees.  NULL-safe. */
void		 pool_set_free(struct pool_set *);

/*
 * Applies a new pool configuration.  Leases whose pool (by name) still
 * exists and whose address still lies in its range stay exactly as they
 * are, online or not, with their LRU order; all others are dropped.
 * *dropped_online (may be NULL) receives how many online leases were
 * dropped (their SAs no longer fit and are the caller's to close).
 * All or nothing: on POOL_ERROR (bad pools, out of memory) the old state
 * is kept and err says why.
 */
int		 pool_set_reconfigure(struct pool_set *, const struct cfg_pool *pools,
    size_t npools, size_t *dropped_online, char *err, size_t errlen);

/*
 * Leases an address of family (AF_INET, AF_INET6) from the pool named
 * pool for identity, online from now; the address goes to addr (4 or 16
 * bytes, network order; addr has room for 16).
 *   1. the identity's online lease, shared (unless POOL_EXCLUSIVE: then
 *      skipped) — a client that reconnects before its old SA is gone
 *      (duplicates "replace") keeps its address;
 *   2. the identity's most recently used offline lease;
 *   3. the lowest free address;
 *   4. the least recently released offline lease of another identity;
 *   5. POOL_EXHAUSTED.
 * An online lease counts its holders: it goes offline when each acquire
 * has been matched by a release.
 */
int		 pool_acquire(struct pool_set *, const char *pool, const char *identity,
    int family, int flags, uint8_t addr[16]);

/*
 * One holder of the online lease of addr in pool gives it up; at the last
 * one the lease goes offline (binding kept).  POOL_OK, or POOL_UNKNOWN
 * when addr is not an online lease of that pool.
 */
int		 pool_release(struct pool_set *, const char *pool, int family,
    const uint8_t *addr);

/* One lease, as listed (every string owned by the list). */
struct pool_lease_info {
	char		*pool;
	int		 family;
	char		 addr[46];	/* INET6_ADDRSTRLEN */
	char		*identity;
	int		 online;
	time_t		 since;		/* when it last went online or offline */
};

/*
 * Every lease, ordered by pool (config order), family (IPv4 first) and
 * address.  *out is malloc'ed (pool_list_free); POOL_OK or POOL_ERROR.
 */
int		 pool_list(const struct pool_set *, struct pool_lease_info **out,
    size_t *n);
void		 pool_list_free(struct pool_lease_info *, size_t n);

/* Counters of one range (pool and family). */
struct pool_stats {
	const char	*pool;		/* borrowed from the set */
	int		 family;
	uint64_t	 size;		/* leasable addresses (2^64 - 1 for /64) */
	uint64_t	 online;	/* online leases */
	uint64_t	 bound;		/* leases, online or offline */
};

/*
 * Fills out[0..cap) with the ranges in pool_list() order and returns how
 * many there are (which may exceed cap: call again with a bigger array).
 * The pool names are valid until the next reconfigure or free.
 */
size_t		 pool_stats(const struct pool_set *, struct pool_stats *out, size_t cap);

/* 1: changes only mark the set dirty until pool_flush(); 0 (the default):
   every change is written at once (and pending ones flushed now). */
void		 pool_set_batch(struct pool_set *, int on);
/* Writes the lease file if something changed since the last write.
   0, or -1 with the message kept for pool_set_error(). */
int		 pool_flush(struct pool_set *);
/* The last persistence error (a failed write leaves the set dirty, so the
   next change or flush retries), or NULL when the last write worked.
   Acquire and release succeed even when writing fails: a full disk must
   not stop clients from connecting.  Borrowed. */
const char	*pool_set_error(const struct pool_set *);

/* The clock used for "since" (time(NULL) by default); tests set their own. */
void		 pool_set_clock(struct pool_set *, time_t (*now)(void));

#endif
