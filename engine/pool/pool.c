/*
 * pool.c — virtual address leases (see pool.h for the policy).
 *
 * Each range (one pool, one family) keeps its leases in two chained hash
 * tables with intrusive links: by address offset and by identity.  Offline
 * leases also sit on a doubly linked list in release order (head = least
 * recently used).  Offsets are relative to the prefix's network address,
 * so both families use uint64_t arithmetic (pools are at most 64 host bits
 * wide: IPv4 /8 or longer, IPv6 /64 or longer).  The lowest free address
 * comes from a cursor: every offset below it is leased; dropping a lease
 * moves the cursor back.
 *
 * Allocation happens only in range_reserve() and in the few string copies,
 * always before anything is changed, so a failure leaves the set as it was.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/ike/crypto.h"
#include "engine/pool/pool.h"

struct range;

struct lease {
	struct range	*l_range;
	uint64_t	 l_off;		/* from the network address */
	char		*l_id;
	uint64_t	 l_idhash;
	unsigned int	 l_holders;	/* acquires not yet released; 0: offline */
	time_t		 l_since;
	uint64_t	 l_used;	/* set sequence number of the last change */
	struct lease	*l_off_next;	/* hash chains */
	struct lease	*l_id_next;
	struct lease	*l_lru_prev;	/* offline list */
	struct lease	*l_lru_next;
};

struct range {
	const char	*r_pool;	/* the owning pool's name */
	int		 r_family;
	uint8_t		 r_base[16];	/* network address */
	uint8_t		 r_prefix;
	uint64_t	 r_first;	/* first leasable offset */
	uint64_t	 r_size;	/* leasable offsets: r_first .. + r_size - 1 */
	uint64_t	 r_cursor;	/* every index below this is leased */
	struct lease   **r_by_off;
	struct lease   **r_by_id;
	size_t		 r_nbuckets;	/* power of two, both tables */
	size_t		 r_nleases;
	size_t		 r_nonline;
	struct lease	*r_lru_head;
	struct lease	*r_lru_tail;
};

struct pool {
	char		*p_name;
	struct range	*p_range[2];	/* [0] IPv4, [1] IPv6; NULL when unset */
};

struct pool_set {
	struct pool	*s_pools;
	size_t		 s_npools;
	char		*s_file;
	int		 s_batch;
	int		 s_dirty;
	int		 s_failed;
	char		 s_err[512];
	uint64_t	 s_seq;
	uint64_t	 s_seed;	/* hash key */
	time_t		(*s_now)(void);
};

#define MIN_BUCKETS	16

/* ------------------------------------------------------------ helpers */

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static time_t
clock_now(void)
{
	return time(NULL);
}

/* splitmix64 finaliser */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* FNV-1a over the identity, keyed by the set's random seed and mixed: the
   identities are authenticated peers, so this only has to spread well. */
static uint64_t
id_hash(const struct pool_set *s, const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ s->s_seed;
	const unsigned char *p;

	for (p = (const unsigned char *)id; *p != '\0'; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return mix(h);
}

static size_t
off_bucket(const struct range *r, uint64_t off)
{
	return (size_t)(mix(off) & (r->r_nbuckets - 1));
}

static size_t
id_bucket(const struct range *r, uint64_t h)
{
	return (size_t)(h & (r->r_nbuckets - 1));
}

static int
family_index(int family)
{
	return family == AF_INET ? 0 : family == AF_INET6 ? 1 : -1;
}

/* ------------------------------------------------------------ addresses */

static uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
store_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* The address of offset off into out (16 bytes; IPv4 in the first 4). */
static void
range_addr(const struct range *r, uint64_t off, uint8_t out[16])
{
	uint32_t v4;

	memset(out, 0, 16);
	if (r->r_family == AF_INET) {
		v4 = (uint32_t)r->r_base[0] << 24 | (uint32_t)r->r_base[1] << 16 |
		    (uint32_t)r->r_base[2] << 8 | r->r_base[3];
		v4 += (uint32_t)off;
		out[0] = (uint8_t)(v4 >> 24);
		out[1] = (uint8_t)(v4 >> 16);
		out[2] = (uint8_t)(v4 >> 8);
		out[3] = (uint8_t)v4;
	} else {
		memcpy(out, r->r_base, 8);
		store_be64(out + 8, load_be64(r->r_base + 8) | off);
	}
}

/* The offset of addr in r, when it is one r leases.  0 or -1. */
static int
range_off(const struct range *r, const uint8_t *addr, uint64_t *off)
{
	struct cfg_net net = { 0 };
	uint64_t o;

	net.family = r->r_family;
	net.prefix = r->r_prefix;
	memcpy(net.addr, r->r_base, 16);
	if (!cfg_net_contains(&net, r->r_family, addr))
		return -1;
	if (r->r_family == AF_INET)
		o = ((uint64_t)addr[0] << 24 | (uint64_t)addr[1] << 16 |
		    (uint64_t)addr[2] << 8 | addr[3]) -
		    ((uint64_t)r->r_base[0] << 24 | (uint64_t)r->r_base[1] << 16 |
		    (uint64_t)r->r_base[2] << 8 | r->r_base[3]);
	else
		o = load_be64(addr + 8) - load_be64(r->r_base + 8);
	if (o < r->r_first || o - r->r_first >= r->r_size)
		return -1;
	*off = o;
	return 0;
}

static void
addr_text(int family, const uint8_t *addr, char out[46])
{
	if (inet_ntop(family, addr, out, 46) == NULL)
		snprintf(out, 46, "?");
}

/* ------------------------------------------------------------ ranges */

static struct range *
range_new(const char *pool, const struct cfg_net *net, char *err, size_t errlen)
{
	struct range *r;
	unsigned int hostbits, bits;
	char text[64];
	size_t i;

	cfg_net_str(net, text, sizeof(text));
	if ((net->family == AF_INET && (net->prefix < 1 || net->prefix > 30)) ||
	    (net->family == AF_INET6 && (net->prefix < 64 || net->prefix > 126)) ||
	    (net->family != AF_INET && net->family != AF_INET6)) {
		set_err(err, errlen, "pool %s: %s: unsupported prefix length", pool, text);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	r->r_family = net->family;
	r->r_prefix = net->prefix;
	/* the network address, host bits cleared in case the caller did not */
	for (i = 0, bits = net->prefix; i < 16; i++, bits = bits > 8 ? bits - 8 : 0)
		r->r_base[i] = net->addr[i] &
		    (bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits)));
	hostbits = (net->family == AF_INET ? 32u : 128u) - net->prefix;
	r->r_first = 1;
	if (net->family == AF_INET)
		r->r_size = (UINT64_C(1) << hostbits) - 2;	/* no broadcast */
	else if (hostbits == 64)
		r->r_size = UINT64_MAX;				/* 2^64 - 1 */
	else
		r->r_size = (UINT64_C(1) << hostbits) - 1;
	r->r_pool = pool;
	return r;
}

/* Makes room for want leases in both tables (load factor <= 1). */
static int
range_reserve(struct range *r, size_t want)
{
	struct lease **boff, **bid, *l, *next;
	size_t nb = r->r_nbuckets ? r->r_nbuckets : MIN_BUCKETS, i, old = r->r_nbuckets;

	while (nb < want)
		nb *= 2;
	if (nb == r->r_nbuckets)
		return 0;
	boff = calloc(nb, sizeof(*boff));
	bid = calloc(nb, sizeof(*bid));
	if (boff == NULL || bid == NULL) {
		free(boff);
		free(bid);
		return -1;
	}
	r->r_nbuckets = nb;
	for (i = 0; i < old; i++)
		for (l = r->r_by_off[i]; l != NULL; l = next) {
			next = l->l_off_next;
			l->l_off_next = boff[off_bucket(r, l->l_off)];
			boff[off_bucket(r, l->l_off)] = l;
		}
	for (i = 0; i < old; i++)
		for (l = r->r_by_id[i]; l != NULL; l = next) {
			next = l->l_id_next;
			l->l_id_next = bid[id_bucket(r, l->l_idhash)];
			bid[id_bucket(r, l->l_idhash)] = l;
		}
	free(r->r_by_off);
	free(r->r_by_id);
	r->r_by_off = boff;
	r->r_by_id = bid;
	return 0;
}

static struct lease *
range_find(const struct range *r, uint64_t off)
{
	struct lease *l;

	if (r->r_nbuckets == 0)
		return NULL;
	for (l = r->r_by_off[off_bucket(r, off)]; l != NULL; l = l->l_off_next)
		if (l->l_off == off)
			return l;
	return NULL;
}

static void
lru_append(struct range *r, struct lease *l)
{
	l->l_lru_next = NULL;
	l->l_lru_prev = r->r_lru_tail;
	if (r->r_lru_tail != NULL)
		r->r_lru_tail->l_lru_next = l;
	else
		r->r_lru_head = l;
	r->r_lru_tail = l;
}

static void
lru_remove(struct range *r, struct lease *l)
{
	if (l->l_lru_prev != NULL)
		l->l_lru_prev->l_lru_next = l->l_lru_next;
	else
		r->r_lru_head = l->l_lru_next;
	if (l->l_lru_next != NULL)
		l->l_lru_next->l_lru_prev = l->l_lru_prev;
	else
		r->r_lru_tail = l->l_lru_prev;
	l->l_lru_prev = l->l_lru_next = NULL;
}

static void
id_link(struct range *r, struct lease *l)
{
	size_t b = id_bucket(r, l->l_idhash);

	l->l_id_next = r->r_by_id[b];
	r->r_by_id[b] = l;
}

static void
id_unlink(struct range *r, struct lease *l)
{
	struct lease **pp;

	for (pp = &r->r_by_id[id_bucket(r, l->l_idhash)]; *pp != NULL; pp = &(*pp)->l_id_next)
		if (*pp == l) {
			*pp = l->l_id_next;
			return;
		}
}

/*
 * Links l (l_off, l_id, l_idhash, l_holders set) into r; room must have
 * been reserved.  Offline leases go to the LRU tail.
 */
static void
range_link(struct range *r, struct lease *l)
{
	size_t b = off_bucket(r, l->l_off);

	l->l_range = r;
	l->l_off_next = r->r_by_off[b];
	r->r_by_off[b] = l;
	id_link(r, l);
	r->r_nleases++;
	if (l->l_holders > 0)
		r->r_nonline++;
	else
		lru_append(r, l);
}

static void
lease_free(struct lease *l)
{
	if (l != NULL) {
		free(l->l_id);
		free(l);
	}
}

static void
range_free(struct range *r)
{
	struct lease *l, *next;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->r_nbuckets; i++)
		for (l = r->r_by_off[i]; l != NULL; l = next) {
			next = l->l_off_next;
			lease_free(l);
		}
	free(r->r_by_off);
	free(r->r_by_id);
	free(r);
}

/* Every lease of r, sorted by offset.  *out malloc'ed; 0 or -1. */
static int
lease_off_cmp(const void *a, const void *b)
{
	const struct lease *la = *(struct lease *const *)a, *lb = *(struct lease *const *)b;

	return la->l_off < lb->l_off ? -1 : la->l_off > lb->l_off;
}

static int
range_sorted(const struct range *r, struct lease ***out)
{
	struct lease **v, *l;
	size_t i, n = 0;

	*out = NULL;
	if (r->r_nleases == 0)
		return 0;
	if ((v = calloc(r->r_nleases, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < r->r_nbuckets; i++)
		for (l = r->r_by_off[i]; l != NULL; l = l->l_off_next)
			v[n++] = l;
	qsort(v, n, sizeof(*v), lease_off_cmp);
	*out = v;
	return 0;
}

/* ------------------------------------------------------------ pools */

static void
pools_free(struct pool *pools, size_t n)
{
	size_t i;

	if (pools == NULL)
		return;
	for (i = 0; i < n; i++) {
		range_free(pools[i].p_range[0]);
		range_free(pools[i].p_range[1]);
		free(pools[i].p_name);
	}
	free(pools);
}

/* Empty ranges for cfg pools; NULL with err on bad input or no memory. */
static struct pool *
pools_new(const struct cfg_pool *cfg, size_t n, char *err, size_t errlen)
{
	struct pool *pools = calloc(n == 0 ? 1 : n, sizeof(*pools));
	size_t i, j;

	if (pools == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (cfg[i].name == NULL || cfg[i].name[0] == '\0') {
			set_err(err, errlen, "pool %zu has no name", i);
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (strcmp(cfg[i].name, cfg[j].name) == 0) {
				set_err(err, errlen, "pool %s: duplicate name", cfg[i].name);
				goto fail;
			}
		if ((pools[i].p_name = strdup(cfg[i].name)) == NULL) {
			set_err(err, errlen, "out of memory");
			goto fail;
		}
		if (cfg[i].v4.family != 0 &&
		    (cfg[i].v4.family != AF_INET ||
		    (pools[i].p_range[0] = range_new(pools[i].p_name, &cfg[i].v4, err, errlen)) == NULL)) {
			if (cfg[i].v4.family != AF_INET)
				set_err(err, errlen, "pool %s: ipv4 is not IPv4", cfg[i].name);
			goto fail;
		}
		if (cfg[i].v6.family != 0 &&
		    (cfg[i].v6.family != AF_INET6 ||
		    (pools[i].p_range[1] = range_new(pools[i].p_name, &cfg[i].v6, err, errlen)) == NULL)) {
			if (cfg[i].v6.family != AF_INET6)
				set_err(err, errlen, "pool %s: ipv6 is not IPv6", cfg[i].name);
			goto fail;
		}
	}
	return pools;
fail:
	pools_free(pools, n);
	return NULL;
}

static struct range *
find_range(const struct pool_set *s, const char *pool, int family)
{
	int fi = family_index(family);
	size_t i;

	if (pool == NULL || fi < 0)
		return NULL;
	for (i = 0; i < s->s_npools; i++)
		if (strcmp(s->s_pools[i].p_name, pool) == 0)
			return s->s_pools[i].p_range[fi];
	return NULL;
}

/* ------------------------------------------------------------ persistence */

static json_t *
set_json(const struct pool_set *s)
{
	json_t *doc = json_object(), *arr = json_array(), *o;
	struct lease **v;
	struct range *r;
	uint8_t addr[16];
	char text[46];
	size_t i, j;
	int f;

	if (doc == NULL || arr == NULL ||
	    json_object_set_new(doc, "version", json_integer(1)) != 0 ||
	    json_object_set(doc, "leases", arr) != 0)
		goto fail;
	for (i = 0; i < s->s_npools; i++)
		for (f = 0; f < 2; f++) {
			if ((r = s->s_pools[i].p_range[f]) == NULL)
				continue;
			if (range_sorted(r, &v) != 0)
				goto fail;
			for (j = 0; j < r->r_nleases; j++) {
				range_addr(r, v[j]->l_off, addr);
				addr_text(r->r_family, addr, text);
				o = json_pack("{s:s, s:s, s:s, s:b, s:I, s:I}",
				    "pool", r->r_pool, "address", text,
				    "identity", v[j]->l_id, "online", v[j]->l_holders > 0,
				    "since", (json_int_t)v[j]->l_since,
				    "used", (json_int_t)v[j]->l_used);
				if (o == NULL || json_array_append_new(arr, o) != 0) {
					free(v);
					goto fail;
				}
			}
			free(v);
		}
	json_decref(arr);
	return doc;
fail:
	json_decref(arr);
	json_decref(doc);
	return NULL;
}

static int
fsync_dir(const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir;
	int fd, rc;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == file)
		dir = strdup("/");
	else
		dir = strndup(file, (size_t)(slash - file));
	if (dir == NULL)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reads all of fd (at most max bytes) into a malloc'ed buffer.  0, -1
   with errno, or -2 when larger than max. */
static int
read_all(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf, *nb;
	ssize_t r;

	if (fstat(fd, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max)
		return -2;
	cap = (size_t)st.st_size + 1;
	if ((buf = malloc(cap)) == NULL)
		return -1;
	for (;;) {
		if (n == cap) {
			if (cap > max || (nb = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				return cap > max ? -2 : -1;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Temp file (0600, O_EXCL via mkostemp) + fsync + rename + fsync(dir). */
static int
write_file(struct pool_set *s)
{
	json_t *doc;
	char *tmp = NULL, *text = NULL;
	int fd = -1, rc = -1;

	if ((doc = set_json(s)) == NULL) {
		snprintf(s->s_err, sizeof(s->s_err), "%s: out of memory", s->s_file);
		return -1;
	}
	if (asprintf(&tmp, "%s.tmp.XXXXXX", s->s_file) < 0) {
		tmp = NULL;
		snprintf(s->s_err, sizeof(s->s_err), "%s: out of memory", s->s_file);
		goto done;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		snprintf(s->s_err, sizeof(s->s_err), "%s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto done;
	}
	/* one buffer, one write loop: json_dumpfd() writes token by token */
	if ((text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER)) == NULL) {
		snprintf(s->s_err, sizeof(s->s_err), "%s: out of memory", s->s_file);
		goto done;
	}
	if (write_all(fd, text, strlen(text)) != 0 || write_all(fd, "\n", 1) != 0) {
		snprintf(s->s_err, sizeof(s->s_err), "%s: write failed: %s", tmp,
		    strerror(errno));
		goto done;
	}
	if (fsync(fd) != 0) {
		snprintf(s->s_err, sizeof(s->s_err), "%s: fsync: %s", tmp, strerror(errno));
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(s->s_err, sizeof(s->s_err), "%s: close: %s", tmp, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, s->s_file) != 0) {
		snprintf(s->s_err, sizeof(s->s_err), "%s: rename: %s", s->s_file,
		    strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
	if (fsync_dir(s->s_file) != 0) {
		snprintf(s->s_err, sizeof(s->s_err), "%s: fsync of the folder: %s",
		    s->s_file, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	free(text);
	json_decref(doc);
	return rc;
}

int
pool_flush(struct pool_set *s)
{
	if (s->s_file == NULL || !s->s_dirty)
		return 0;
	if (write_file(s) != 0) {
		s->s_failed = 1;
		return -1;
	}
	s->s_dirty = 0;
	s->s_failed = 0;
	return 0;
}

/* Marks a change and writes it unless batching. */
static void
changed(struct pool_set *s)
{
	s->s_dirty = 1;
	if (!s->s_batch)
		pool_flush(s);
}

const char *
pool_set_error(const struct pool_set *s)
{
	return s->s_failed ? s->s_err : NULL;
}

void
pool_set_batch(struct pool_set *s, int on)
{
	s->s_batch = on;
	if (!on)
		pool_flush(s);
}

void
pool_set_clock(struct pool_set *s, time_t (*now)(void))
{
	s->s_now = now != NULL ? now : clock_now;
}

/* Loaded leases, kept apart until they are sorted into LRU order. */
struct loaded {
	struct range	*range;
	struct lease	*lease;
};

static int
loaded_cmp(const void *a, const void *b)
{
	const struct loaded *la = a, *lb = b;

	return la->lease->l_used < lb->lease->l_used ? -1 :
	    la->lease->l_used > lb->lease->l_used;
}

/*
 * Reads the lease file into the (empty) pools of s.  Leases that no longer
 * fit are dropped and *dropped counted.  0, or -1 with err.
 */
static int
load_file(struct pool_set *s, size_t *dropped, char *err, size_t errlen)
{
	struct loaded *ld = NULL;
	json_error_t jerr;
	json_t *doc = NULL, *arr, *e, *v;
	struct range *r;
	char *text;
	struct lease *l;
	const char *pool, *addr, *id;
	uint8_t bin[16];
	uint64_t off;
	size_t i, n = 0, len;
	int fd, family, rc;

	*dropped = 0;
	if ((fd = open(s->s_file, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		if (errno == ENOENT)
			return 0;
		set_err(err, errlen, "%s: %s", s->s_file, strerror(errno));
		return -1;
	}
	rc = read_all(fd, POOL_MAX_FILE, &text, &len);
	close(fd);
	if (rc == -2) {
		set_err(err, errlen, "%s: not a regular file of at most %u bytes",
		    s->s_file, POOL_MAX_FILE);
		return -1;
	}
	if (rc != 0) {
		set_err(err, errlen, "%s: %s", s->s_file, strerror(errno));
		return -1;
	}
	rc = -1;
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (doc == NULL) {
		set_err(err, errlen, "%s: line %d, column %d: %s", s->s_file, jerr.line,
		    jerr.column, jerr.text);
		return -1;
	}
	v = json_object_get(doc, "version");
	arr = json_object_get(doc, "leases");
	if (!json_is_integer(v) || json_integer_value(v) != 1 || !json_is_array(arr)) {
		set_err(err, errlen, "%s: not a version 1 lease file", s->s_file);
		goto done;
	}
	if ((ld = calloc(json_array_size(arr) + 1, sizeof(*ld))) == NULL) {
		set_err(err, errlen, "out of memory");
		goto done;
	}
	json_array_foreach(arr, i, e) {
		json_int_t since, used;

		pool = addr = id = NULL;
		since = used = -1;
		if (json_unpack(e, "{s:s, s:s, s:s, s:I, s:I}", "pool", &pool,
		    "address", &addr, "identity", &id, "since", &since, "used", &used) != 0 ||
		    id[0] == '\0' || strlen(id) > POOL_MAX_IDENTITY || used < 0) {
			set_err(err, errlen, "%s: leases[%zu]: malformed", s->s_file, i);
			goto done;
		}
		family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
		if (inet_pton(family, addr, bin) != 1) {
			set_err(err, errlen, "%s: leases[%zu]: bad address", s->s_file, i);
			goto done;
		}
		r = find_range(s, pool, family);
		if (r == NULL || range_off(r, bin, &off) != 0 || range_find(r, off) != NULL) {
			(*dropped)++;
			continue;
		}
		if (range_reserve(r, r->r_nleases + 1) != 0 ||
		    (l = calloc(1, sizeof(*l))) == NULL) {
			set_err(err, errlen, "out of memory");
			goto done;
		}
		if ((l->l_id = strdup(id)) == NULL) {
			free(l);
			set_err(err, errlen, "out of memory");
			goto done;
		}
		l->l_off = off;
		l->l_idhash = id_hash(s, id);
		l->l_since = (time_t)since;
		l->l_used = (uint64_t)used;
		if (l->l_used > s->s_seq)
			s->s_seq = l->l_used;
		/* in the off table now (duplicates are found), on the LRU
		   list after sorting below */
		range_link(r, l);
		lru_remove(r, l);
		ld[n].range = r;
		ld[n++].lease = l;
	}
	qsort(ld, n, sizeof(*ld), loaded_cmp);
	for (i = 0; i < n; i++)
		lru_append(ld[i].range, ld[i].lease);
	rc = 0;
done:
	/* on failure the partly filled ranges are freed with the set */
	free(ld);
	json_decref(doc);
	return rc;
}

struct pool_set *
pool_set_new(const struct cfg_pool *pools, size_t npools, const char *leases_file,
    char *err, size_t errlen)
{
	struct pool_set *s;
	size_t dropped;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	s->s_now = clock_now;
	if (ike_random(&s->s_seed, sizeof(s->s_seed)) != 0)
		s->s_seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)s;
	if ((s->s_pools = pools_new(pools, npools, err, errlen)) == NULL)
		goto fail;
	s->s_npools = npools;
	if (leases_file != NULL) {
		if ((s->s_file = strdup(leases_file)) == NULL) {
			set_err(err, errlen, "out of memory");
			goto fail;
		}
		if (load_file(s, &dropped, err, errlen) != 0)
			goto fail;
		if (dropped > 0)
			changed(s);
	}
	return s;
fail:
	pool_set_free(s);
	return NULL;
}

void
pool_set_free(struct pool_set *s)
{
	if (s == NULL)
		return;
	pool_flush(s);
	pools_free(s->s_pools, s->s_npools);
	free(s->s_file);
	free(s);
}

/* Every lease of r in table order (no sorting).  *out malloc'ed; 0 or -1. */
static int
range_collect(const struct range *r, struct lease ***out)
{
	struct lease *l;
	size_t i, n = 0;

	if ((*out = calloc(r->r_nleases + 1, sizeof(**out))) == NULL)
		return -1;
	for (i = 0; i < r->r_nbuckets; i++)
		for (l = r->r_by_off[i]; l != NULL; l = l->l_off_next)
			(*out)[n++] = l;
	return 0;
}

/* Moves l from its old range to nr at offset off (room reserved). */
static void
lease_move(struct range *nr, struct lease *l, uint64_t off)
{
	l->l_off = off;
	l->l_off_next = l->l_id_next = l->l_lru_prev = l->l_lru_next = NULL;
	range_link(nr, l);
}

int
pool_set_reconfigure(struct pool_set *s, const struct cfg_pool *cfg, size_t n,
    size_t *dropped_online, char *err, size_t errlen)
{
	struct pool *np;
	struct range *or, *nr, **newof = NULL;
	struct lease ***all = NULL, *l, *next;
	uint8_t addr[16];
	uint64_t off;
	size_t i, j, nold = s->s_npools * 2, want, gone = 0;
	int rc = POOL_ERROR;

	if (dropped_online != NULL)
		*dropped_online = 0;
	if ((np = pools_new(cfg, n, err, errlen)) == NULL)
		return POOL_ERROR;
	/*
	 * Everything that can fail first: each old range's leases in an
	 * array, and room in the new ranges for those that fit.  Old range
	 * k is s_pools[k / 2].p_range[k % 2]; newof[k] its successor or NULL.
	 */
	all = calloc(nold + 1, sizeof(*all));
	newof = calloc(nold + 1, sizeof(*newof));
	if (all == NULL || newof == NULL)
		goto nomem;
	for (i = 0; i < nold; i++) {
		if ((or = s->s_pools[i / 2].p_range[i % 2]) == NULL)
			continue;
		if (range_collect(or, &all[i]) != 0)
			goto nomem;
		for (j = 0; j < n; j++)
			if (strcmp(np[j].p_name, s->s_pools[i / 2].p_name) == 0)
				newof[i] = np[j].p_range[i % 2];
		if ((nr = newof[i]) == NULL)
			continue;
		for (want = 0, j = 0; j < or->r_nleases; j++) {
			range_addr(or, all[i][j]->l_off, addr);
			want += range_off(nr, addr, &off) == 0;
		}
		if (range_reserve(nr, want) != 0)
			goto nomem;
	}

	/* Nothing fails from here on. */
	for (i = 0; i < nold; i++) {
		if ((or = s->s_pools[i / 2].p_range[i % 2]) == NULL)
			continue;
		nr = newof[i];
		/* offline leases first, in LRU order, so the order carries over */
		for (l = or->r_lru_head; nr != NULL && l != NULL; l = next) {
			next = l->l_lru_next;
			range_addr(or, l->l_off, addr);
			if (range_off(nr, addr, &off) == 0)
				lease_move(nr, l, off);
		}
		for (j = 0; j < or->r_nleases; j++) {
			l = all[i][j];
			if (nr != NULL && l->l_range == nr)
				continue;			/* moved above */
			range_addr(or, l->l_off, addr);
			if (nr != NULL && l->l_holders > 0 && range_off(nr, addr, &off) == 0) {
				lease_move(nr, l, off);
				continue;
			}
			if (l->l_holders > 0)
				gone++;
			lease_free(l);
		}
		/* the leases are gone or moved: free only the tables */
		free(or->r_by_off);
		free(or->r_by_id);
		free(or);
		s->s_pools[i / 2].p_range[i % 2] = NULL;
	}
	pools_free(s->s_pools, s->s_npools);
	s->s_pools = np;
	s->s_npools = n;
	np = NULL;
	if (dropped_online != NULL)
		*dropped_online = gone;
	changed(s);
	rc = POOL_OK;
	goto done;
nomem:
	set_err(err, errlen, "out of memory");
done:
	if (all != NULL)
		for (i = 0; i < nold; i++)
			free(all[i]);
	free(all);
	free(newof);
	pools_free(np, n);
	return rc;
}

/* ------------------------------------------------------------ leases */

static void
go_online(struct pool_set *s, struct range *r, struct lease *l)
{
	if (l->l_holders++ == 0) {
		lru_remove(r, l);
		r->r_nonline++;
		l->l_since = s->s_now();
	}
	l->l_used = ++s->s_seq;
}

int
pool_acquire(struct pool_set *s, const char *pool, const char *identity,
    int family, int flags, uint8_t addr[16])
{
	struct range *r;
	struct lease *l, *online = NULL, *offline = NULL;
	uint64_t h, off;
	char *copy;

	if (s == NULL || identity == NULL || identity[0] == '\0' ||
	    strlen(identity) > POOL_MAX_IDENTITY || addr == NULL)
		return POOL_ERROR;
	if ((r = find_range(s, pool, family)) == NULL)
		return POOL_UNKNOWN;
	h = id_hash(s, identity);

	/* 1, 2: the identity's own leases */
	if (r->r_nbuckets > 0)
		for (l = r->r_by_id[id_bucket(r, h)]; l != NULL; l = l->l_id_next) {
			if (l->l_idhash != h || strcmp(l->l_id, identity) != 0)
				continue;
			if (l->l_holders > 0) {
				if (online == NULL || l->l_used > online->l_used)
					online = l;
			} else if (offline == NULL || l->l_used > offline->l_used)
				offline = l;
		}
	if (online != NULL && !(flags & POOL_EXCLUSIVE))
		l = online;
	else
		l = offline;
	if (l != NULL)
		goto found;

	/* 3: the lowest free address */
	while (r->r_cursor < r->r_size && range_find(r, r->r_first + r->r_cursor) != NULL)
		r->r_cursor++;
	if (r->r_cursor < r->r_size) {
		off = r->r_first + r->r_cursor;
		if (range_reserve(r, r->r_nleases + 1) != 0 ||
		    (l = calloc(1, sizeof(*l))) == NULL)
			return POOL_ERROR;
		if ((l->l_id = strdup(identity)) == NULL) {
			free(l);
			return POOL_ERROR;
		}
		l->l_off = off;
		l->l_idhash = h;
		l->l_holders = 1;
		r->r_cursor++;
		range_link(r, l);
		l->l_since = s->s_now();
		l->l_used = ++s->s_seq;
		goto done;
	}

	/* 4: take over the least recently used offline lease */
	if ((l = r->r_lru_head) == NULL)
		return POOL_EXHAUSTED;
	if ((copy = strdup(identity)) == NULL)
		return POOL_ERROR;
	id_unlink(r, l);
	free(l->l_id);
	l->l_id = copy;
	l->l_idhash = h;
	id_link(r, l);
found:
	go_online(s, r, l);
done:
	range_addr(r, l->l_off, addr);
	changed(s);
	return POOL_OK;
}

int
pool_release(struct pool_set *s, const char *pool, int family, const uint8_t *addr)
{
	struct range *r;
	struct lease *l;
	uint64_t off;

	if (s == NULL || addr == NULL)
		return POOL_ERROR;
	if ((r = find_range(s, pool, family)) == NULL || range_off(r, addr, &off) != 0 ||
	    (l = range_find(r, off)) == NULL || l->l_holders == 0)
		return POOL_UNKNOWN;
	l->l_used = ++s->s_seq;
	if (--l->l_holders == 0) {
		r->r_nonline--;
		lru_append(r, l);
		l->l_since = s->s_now();
	}
	changed(s);
	return POOL_OK;
}

/* ------------------------------------------------------------ listing */

int
pool_list(const struct pool_set *s, struct pool_lease_info **out, size_t *n)
{
	struct pool_lease_info *v;
	struct lease **sorted;
	struct range *r;
	uint8_t addr[16];
	size_t i, j, total = 0, k = 0;
	int f;

	*out = NULL;
	*n = 0;
	for (i = 0; i < s->s_npools; i++)
		for (f = 0; f < 2; f++)
			if ((r = s->s_pools[i].p_range[f]) != NULL)
				total += r->r_nleases;
	if ((v = calloc(total + 1, sizeof(*v))) == NULL)
		return POOL_ERROR;
	for (i = 0; i < s->s_npools; i++)
		for (f = 0; f < 2; f++) {
			if ((r = s->s_pools[i].p_range[f]) == NULL)
				continue;
			if (range_sorted(r, &sorted) != 0)
				goto fail;
			for (j = 0; j < r->r_nleases; j++, k++) {
				v[k].pool = strdup(r->r_pool);
				v[k].identity = strdup(sorted[j]->l_id);
				if (v[k].pool == NULL || v[k].identity == NULL) {
					free(sorted);
					k++;
					goto fail;
				}
				v[k].family = r->r_family;
				range_addr(r, sorted[j]->l_off, addr);
				addr_text(r->r_family, addr, v[k].addr);
				v[k].online = sorted[j]->l_holders > 0;
				v[k].since = sorted[j]->l_since;
			}
			free(sorted);
		}
	*out = v;
	*n = k;
	return POOL_OK;
fail:
	pool_list_free(v, k);
	return POOL_ERROR;
}

void
pool_list_free(struct pool_lease_info *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].pool);
		free(v[i].identity);
	}
	free(v);
}

size_t
pool_stats(const struct pool_set *s, struct pool_stats *out, size_t cap)
{
	struct range *r;
	size_t i, n = 0;
	int f;

	for (i = 0; i < s->s_npools; i++)
		for (f = 0; f < 2; f++) {
			if ((r = s->s_pools[i].p_range[f]) == NULL)
				continue;
			if (n < cap) {
				out[n].pool = r->r_pool;
				out[n].family = r->r_family;
				out[n].size = r->r_size;
				out[n].online = r->r_nonline;
				out[n].bound = r->r_nleases;
			}
			n++;
		}
	return n;
}
