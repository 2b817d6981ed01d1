/*
 * test_pool — virtual address leases: sticky bindings, lowest free address,
 * exhaustion, LRU takeover of offline leases, shared and exclusive leases,
 * persistence (mode, atomic replace, round trip), reconfiguration, IPv6 and
 * a 10 000-lease fill.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/pool/pool.h"

/* ------------------------------------------------------------ helpers */

static time_t fake_time = 1700000000;

static time_t
fake_now(void)
{
	return fake_time;
}

static struct cfg_pool
mkpool(const char *name, const char *v4, const char *v6)
{
	struct cfg_pool p;
	char buf[64], *slash;

	memset(&p, 0, sizeof(p));
	p.name = (char *)(uintptr_t)name;
	if (v4 != NULL) {
		snprintf(buf, sizeof(buf), "%s", v4);
		slash = strchr(buf, '/');
		*slash = '\0';
		p.v4.family = AF_INET;
		p.v4.prefix = (uint8_t)atoi(slash + 1);
		assert_int_equal(inet_pton(AF_INET, buf, p.v4.addr), 1);
	}
	if (v6 != NULL) {
		snprintf(buf, sizeof(buf), "%s", v6);
		slash = strchr(buf, '/');
		*slash = '\0';
		p.v6.family = AF_INET6;
		p.v6.prefix = (uint8_t)atoi(slash + 1);
		assert_int_equal(inet_pton(AF_INET6, buf, p.v6.addr), 1);
	}
	return p;
}

static struct pool_set *
mkset(const struct cfg_pool *pools, size_t n, const char *file)
{
	char err[256] = "";
	struct pool_set *s = pool_set_new(pools, n, file, err, sizeof(err));

	if (s == NULL)
		fail_msg("pool_set_new: %s", err);
	pool_set_clock(s, fake_now);
	return s;
}

/* Acquires and returns the address as text (static buffer per call site). */
static const char *
acq(struct pool_set *s, const char *pool, const char *id, int family, int flags,
    char out[64])
{
	uint8_t addr[16];
	int rc = pool_acquire(s, pool, id, family, flags, addr);

	if (rc != POOL_OK) {
		snprintf(out, 64, "error %d", rc);
		return out;
	}
	inet_ntop(family, addr, out, 64);
	return out;
}

static int
rel(struct pool_set *s, const char *pool, const char *text)
{
	uint8_t addr[16];
	int family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(family, text, addr), 1);
	return pool_release(s, pool, family, addr);
}

static void
assert_acq(struct pool_set *s, const char *pool, const char *id, int family,
    int flags, const char *want)
{
	char got[64];

	assert_string_equal(acq(s, pool, id, family, flags, got), want);
}

static void
assert_stats(struct pool_set *s, size_t idx, uint64_t size, uint64_t online,
    uint64_t bound)
{
	struct pool_stats st[8];
	size_t n = pool_stats(s, st, 8);

	assert_true(idx < n);
	assert_true(st[idx].size == size);
	assert_true(st[idx].online == online);
	assert_true(st[idx].bound == bound);
}

static char tmpdir[64];

static int
setup_dir(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ikegw-pool.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
leases_path(char *out, size_t len)
{
	snprintf(out, len, "%s/leases.json", tmpdir);
}

/* ------------------------------------------------------------ tests */

static void
test_sticky(void **state)
{
	struct cfg_pool p = mkpool("rw", "10.10.10.0/24", NULL);
	struct pool_set *s = mkset(&p, 1, NULL);

	assert_acq(s, "rw", "alice", AF_INET, 0, "10.10.10.1");
	assert_acq(s, "rw", "bob", AF_INET, 0, "10.10.10.2");
	assert_int_equal(rel(s, "rw", "10.10.10.1"), POOL_OK);
	assert_int_equal(rel(s, "rw", "10.10.10.1"), POOL_UNKNOWN);	/* offline */
	assert_acq(s, "rw", "carol", AF_INET, 0, "10.10.10.3");
	assert_acq(s, "rw", "alice", AF_INET, 0, "10.10.10.1");	/* sticky */
	assert_int_equal(rel(s, "rw", "10.10.10.2"), POOL_OK);
	assert_acq(s, "rw", "bob", AF_INET, 0, "10.10.10.2");
	assert_stats(s, 0, 254, 3, 3);
	pool_set_free(s);
}

static void
test_lowest_free(void **state)
{
	struct cfg_pool big = mkpool("rw", "10.0.0.0/29", NULL);
	struct cfg_pool small = mkpool("rw", "10.0.0.0/30", NULL);
	struct pool_set *s = mkset(&big, 1, NULL);
	char id[16];
	size_t gone;
	int i;

	/* .0 is the network, .7 the broadcast: .1 to .6 */
	for (i = 1; i <= 6; i++) {
		char want[32];

		snprintf(id, sizeof(id), "u%d", i);
		snprintf(want, sizeof(want), "10.0.0.%d", i);
		assert_acq(s, "rw", id, AF_INET, 0, want);
	}
	assert_stats(s, 0, 6, 6, 6);
	/* shrink (drops .3 to .6), grow back: the holes are found again */
	assert_int_equal(pool_set_reconfigure(s, &small, 1, &gone, NULL, 0), POOL_OK);
	assert_int_equal(gone, 4);
	assert_int_equal(pool_set_reconfigure(s, &big, 1, &gone, NULL, 0), POOL_OK);
	assert_int_equal(gone, 0);
	assert_acq(s, "rw", "new", AF_INET, 0, "10.0.0.3");
	assert_acq(s, "rw", "u1", AF_INET, 0, "10.0.0.1");
	assert_acq(s, "rw", "u5", AF_INET, 0, "10.0.0.4");
	pool_set_free(s);
}

static void
test_exhausted(void **state)
{
	struct cfg_pool p = mkpool("tiny", "192.168.7.0/30", NULL);
	struct pool_set *s = mkset(&p, 1, NULL);
	uint8_t addr[16];

	assert_acq(s, "tiny", "a", AF_INET, 0, "192.168.7.1");
	assert_acq(s, "tiny", "b", AF_INET, 0, "192.168.7.2");
	assert_int_equal(pool_acquire(s, "tiny", "c", AF_INET, 0, addr), POOL_EXHAUSTED);
	assert_int_equal(pool_acquire(s, "other", "c", AF_INET, 0, addr), POOL_UNKNOWN);
	assert_int_equal(pool_acquire(s, "tiny", "c", AF_INET6, 0, addr), POOL_UNKNOWN);
	assert_int_equal(pool_acquire(s, "tiny", "", AF_INET, 0, addr), POOL_ERROR);
	assert_int_equal(pool_acquire(s, "tiny", "c", 12345, 0, addr), POOL_UNKNOWN);
	/* a known identity still gets its own (online, shared) address */
	assert_acq(s, "tiny", "a", AF_INET, 0, "192.168.7.1");
	/* but not a second one of its own */
	assert_int_equal(pool_acquire(s, "tiny", "a", AF_INET, POOL_EXCLUSIVE, addr),
	    POOL_EXHAUSTED);
	pool_set_free(s);
}

static void
test_lru_takeover(void **state)
{
	struct cfg_pool p = mkpool("tiny", "192.168.7.0/30", NULL);
	struct pool_set *s = mkset(&p, 1, NULL);
	struct pool_lease_info *v;
	uint8_t addr[16];
	size_t n;

	assert_acq(s, "tiny", "a", AF_INET, 0, "192.168.7.1");
	assert_acq(s, "tiny", "b", AF_INET, 0, "192.168.7.2");
	assert_int_equal(rel(s, "tiny", "192.168.7.2"), POOL_OK);	/* b first */
	assert_int_equal(rel(s, "tiny", "192.168.7.1"), POOL_OK);
	/* full of offline leases: c takes b's, the least recently used */
	assert_acq(s, "tiny", "c", AF_INET, 0, "192.168.7.2");
	/* b lost its binding and takes a's */
	assert_acq(s, "tiny", "b", AF_INET, 0, "192.168.7.1");
	/* now a finds nothing */
	assert_int_equal(pool_acquire(s, "tiny", "a", AF_INET, 0, addr), POOL_EXHAUSTED);
	assert_int_equal(pool_list(s, &v, &n), POOL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].addr, "192.168.7.1");
	assert_string_equal(v[0].identity, "b");
	assert_string_equal(v[1].addr, "192.168.7.2");
	assert_string_equal(v[1].identity, "c");
	pool_list_free(v, n);
	pool_set_free(s);
}

static void
test_shared_exclusive(void **state)
{
	struct cfg_pool p = mkpool("rw", "10.1.0.0/24", NULL);
	struct pool_set *s = mkset(&p, 1, NULL);

	/* reconnect before the old SA is gone: same address, two holders */
	assert_acq(s, "rw", "alice", AF_INET, 0, "10.1.0.1");
	assert_acq(s, "rw", "alice", AF_INET, 0, "10.1.0.1");
	assert_stats(s, 0, 254, 1, 1);
	assert_int_equal(rel(s, "rw", "10.1.0.1"), POOL_OK);
	assert_stats(s, 0, 254, 1, 1);
	assert_int_equal(rel(s, "rw", "10.1.0.1"), POOL_OK);
	assert_stats(s, 0, 254, 0, 1);
	/* two devices of one identity (duplicates "keep") */
	assert_acq(s, "rw", "alice", AF_INET, POOL_EXCLUSIVE, "10.1.0.1");
	assert_acq(s, "rw", "alice", AF_INET, POOL_EXCLUSIVE, "10.1.0.2");
	assert_int_equal(rel(s, "rw", "10.1.0.1"), POOL_OK);
	/* the offline one is reused first, even exclusively */
	assert_acq(s, "rw", "alice", AF_INET, POOL_EXCLUSIVE, "10.1.0.1");
	assert_int_equal(rel(s, "rw", "10.1.0.1"), POOL_OK);
	assert_int_equal(rel(s, "rw", "10.1.0.2"), POOL_OK);
	/* most recently used of its offline leases */
	assert_acq(s, "rw", "alice", AF_INET, 0, "10.1.0.2");
	pool_set_free(s);
}

static void
test_persistence(void **state)
{
	struct cfg_pool p = mkpool("rw", "10.10.10.0/24", "fd00:1::/112");
	struct pool_lease_info *v;
	struct pool_set *s;
	struct dirent *de;
	struct stat st;
	char file[128];
	size_t n, files = 0;
	DIR *d;

	leases_path(file, sizeof(file));
	s = mkset(&p, 1, file);
	assert_acq(s, "rw", "alice", AF_INET, 0, "10.10.10.1");
	assert_acq(s, "rw", "bob", AF_INET, 0, "10.10.10.2");
	assert_acq(s, "rw", "carol", AF_INET, 0, "10.10.10.3");
	assert_acq(s, "rw", "alice", AF_INET6, 0, "fd00:1::1");
	fake_time += 10;
	assert_int_equal(rel(s, "rw", "10.10.10.3"), POOL_OK);	/* carol, then bob */
	assert_int_equal(rel(s, "rw", "10.10.10.2"), POOL_OK);
	assert_null(pool_set_error(s));

	/* written at once, 0600, no temporary file left behind */
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_non_null(d = opendir(tmpdir));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			files++;
	closedir(d);
	assert_int_equal(files, 1);
	pool_set_free(s);	/* like a crash: nothing was pending */

	s = mkset(&p, 1, file);
	assert_int_equal(pool_list(s, &v, &n), POOL_OK);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].addr, "10.10.10.1");
	assert_string_equal(v[0].identity, "alice");
	assert_int_equal(v[0].online, 0);	/* no SA survives a restart */
	assert_int_equal(v[1].since, fake_time);	/* bob released at +10 */
	assert_string_equal(v[2].identity, "carol");
	assert_int_equal(v[3].family, AF_INET6);
	assert_string_equal(v[3].addr, "fd00:1::1");
	assert_string_equal(v[3].identity, "alice");
	pool_list_free(v, n);
	/* sticky across the restart */
	assert_acq(s, "rw", "bob", AF_INET, 0, "10.10.10.2");
	assert_acq(s, "rw", "alice", AF_INET6, 0, "fd00:1::1");
	assert_acq(s, "rw", "dave", AF_INET, 0, "10.10.10.4");
	pool_set_free(s);

	/* dave's binding was saved too */
	s = mkset(&p, 1, file);
	assert_acq(s, "rw", "erin", AF_INET, 0, "10.10.10.5");
	pool_set_free(s);

	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void
test_persistence_lru(void **state)
{
	struct cfg_pool p = mkpool("tiny", "10.9.0.0/30", NULL);
	struct pool_set *s;
	char file[128];

	leases_path(file, sizeof(file));
	s = mkset(&p, 1, file);
	assert_acq(s, "tiny", "a", AF_INET, 0, "10.9.0.1");
	assert_acq(s, "tiny", "b", AF_INET, 0, "10.9.0.2");
	assert_int_equal(rel(s, "tiny", "10.9.0.2"), POOL_OK);
	assert_int_equal(rel(s, "tiny", "10.9.0.1"), POOL_OK);
	pool_set_free(s);
	s = mkset(&p, 1, file);
	assert_acq(s, "tiny", "c", AF_INET, 0, "10.9.0.2");	/* b's went first */
	pool_set_free(s);
}

static void
test_load_drops_misfits(void **state)
{
	struct cfg_pool wide = mkpool("rw", "10.20.0.0/24", NULL);
	struct cfg_pool narrow = mkpool("rw", "10.20.0.0/30", NULL);
	struct cfg_pool renamed = mkpool("other", "10.20.0.0/24", NULL);
	struct pool_lease_info *v;
	struct pool_set *s;
	char file[128], err[256];
	size_t n;
	FILE *f;

	leases_path(file, sizeof(file));
	s = mkset(&wide, 1, file);
	assert_acq(s, "rw", "a", AF_INET, 0, "10.20.0.1");
	assert_acq(s, "rw", "b", AF_INET, 0, "10.20.0.2");
	assert_acq(s, "rw", "c", AF_INET, 0, "10.20.0.3");
	pool_set_free(s);

	s = mkset(&narrow, 1, file);
	assert_int_equal(pool_list(s, &v, &n), POOL_OK);
	assert_int_equal(n, 2);
	pool_list_free(v, n);
	pool_set_free(s);

	/* the file was rewritten without c */
	s = mkset(&wide, 1, file);
	assert_int_equal(pool_list(s, &v, &n), POOL_OK);
	assert_int_equal(n, 2);
	pool_list_free(v, n);
	pool_set_free(s);

	s = mkset(&renamed, 1, file);
	assert_int_equal(pool_list(s, &v, &n), POOL_OK);
	assert_int_equal(n, 0);
	pool_list_free(v, n);
	pool_set_free(s);

	/* a malformed file is refused, not silently emptied */
	assert_non_null(f = fopen(file, "w"));
	fputs("{\"version\": 1, \"leases\": [{\"pool\": 3}]}", f);
	fclose(f);
	assert_null(pool_set_new(&wide, 1, file, err, sizeof(err)));
	assert_non_null(strstr(err, "leases[0]: malformed"));
	assert_non_null(f = fopen(file, "w"));
	fputs("{\"version\": 1, \"leases\": [", f);
	fclose(f);
	assert_null(pool_set_new(&wide, 1, file, err, sizeof(err)));
	assert_non_null(strstr(err, "line 1"));
}

static void
test_reconfigure(void **state)
{
	struct cfg_pool before[2] = { mkpool("rw", "10.0.0.0/24", "fd00:1::/120"),
	    mkpool("guests", "10.50.0.0/24", NULL) };
	struct cfg_pool after[2] = { mkpool("rw", "10.0.0.0/30", "fd00:1::/64"),
	    mkpool("staff", "10.50.0.0/24", NULL) };
	struct cfg_pool wider = mkpool("rw", "10.0.0.0/16", NULL);
	struct pool_lease_info *v;
	struct pool_set *s;
	char file[128], err[128];
	size_t n, gone;

	leases_path(file, sizeof(file));
	s = mkset(before, 2, file);
	assert_acq(s, "rw", "a", AF_INET, 0, "10.0.0.1");
	assert_acq(s, "rw", "b", AF_INET, 0, "10.0.0.2");
	assert_acq(s, "rw", "c", AF_INET, 0, "10.0.0.3");
	assert_acq(s, "rw", "a", AF_INET6, 0, "fd00:1::1");
	assert_acq(s, "guests", "g", AF_INET, 0, "10.50.0.1");
	assert_int_equal(rel(s, "rw", "10.0.0.2"), POOL_OK);	/* b offline */

	/* a (online) and b (offline) fit the /30, c does not; the IPv6
	   lease fits the wider /64; "guests" is gone */
	assert_int_equal(pool_set_reconfigure(s, after, 2, &gone, err, sizeof(err)), POOL_OK);
	assert_int_equal(gone, 2);	/* c and g were online */
	assert_int_equal(pool_list(s, &v, &n), POOL_OK);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].addr, "10.0.0.1");
	assert_int_equal(v[0].online, 1);
	assert_string_equal(v[1].addr, "10.0.0.2");
	assert_int_equal(v[1].online, 0);
	assert_string_equal(v[2].addr, "fd00:1::1");
	assert_int_equal(v[2].online, 1);
	pool_list_free(v, n);
	assert_stats(s, 0, 2, 1, 2);
	assert_stats(s, 1, UINT64_MAX, 1, 1);
	assert_stats(s, 2, 254, 0, 0);
	/* connected clients keep working: their release is still known */
	assert_int_equal(rel(s, "rw", "10.0.0.1"), POOL_OK);
	assert_int_equal(rel(s, "rw", "10.0.0.3"), POOL_UNKNOWN);
	assert_acq(s, "rw", "b", AF_INET, 0, "10.0.0.2");
	assert_acq(s, "staff", "g", AF_INET, 0, "10.50.0.1");

	/* growing keeps every address where it was */
	assert_int_equal(pool_set_reconfigure(s, &wider, 1, &gone, NULL, 0), POOL_OK);
	assert_int_equal(gone, 2);	/* g in staff, a's IPv6 lease */
	assert_acq(s, "rw", "a", AF_INET, 0, "10.0.0.1");
	assert_acq(s, "rw", "b", AF_INET, 0, "10.0.0.2");
	assert_acq(s, "rw", "z", AF_INET, 0, "10.0.0.3");

	/* bad pools: refused, old state kept */
	after[0].v4.prefix = 31;
	assert_int_equal(pool_set_reconfigure(s, after, 2, &gone, err, sizeof(err)), POOL_ERROR);
	assert_non_null(strstr(err, "unsupported prefix length"));
	assert_acq(s, "rw", "z", AF_INET, 0, "10.0.0.3");
	pool_set_free(s);

	/* and the file followed */
	s = mkset(&wider, 1, file);
	assert_int_equal(pool_list(s, &v, &n), POOL_OK);
	assert_int_equal(n, 3);
	pool_list_free(v, n);
	pool_set_free(s);
}

static void
test_ipv6(void **state)
{
	struct cfg_pool pools[2] = { mkpool("big", NULL, "fd00:1::/64"),
	    mkpool("small", NULL, "fd00:2::/126") };
	struct pool_set *s = mkset(pools, 2, NULL);
	uint8_t addr[16];

	assert_acq(s, "big", "a", AF_INET6, 0, "fd00:1::1");
	assert_acq(s, "big", "b", AF_INET6, 0, "fd00:1::2");
	assert_int_equal(pool_acquire(s, "big", "a", AF_INET, 0, addr), POOL_UNKNOWN);
	assert_acq(s, "small", "a", AF_INET6, 0, "fd00:2::1");
	assert_acq(s, "small", "b", AF_INET6, 0, "fd00:2::2");
	assert_acq(s, "small", "c", AF_INET6, 0, "fd00:2::3");
	assert_int_equal(pool_acquire(s, "small", "d", AF_INET6, 0, addr), POOL_EXHAUSTED);
	assert_stats(s, 0, UINT64_MAX, 2, 2);
	assert_stats(s, 1, 3, 3, 3);
	/* an address outside the pool, or the anycast one, is not a lease */
	assert_int_equal(rel(s, "small", "fd00:2::"), POOL_UNKNOWN);
	assert_int_equal(rel(s, "small", "fd00:3::1"), POOL_UNKNOWN);
	pool_set_free(s);
}

static void
test_ten_thousand(void **state)
{
	struct cfg_pool p = mkpool("rw", "10.128.0.0/16", "fd00:9::/64");
	struct pool_lease_info *v;
	struct pool_set *s;
	char file[128], id[32], got[64];
	uint8_t addr[16];
	size_t n;
	int i;

	leases_path(file, sizeof(file));
	s = mkset(&p, 1, file);
	pool_set_batch(s, 1);
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof(id), "user%05d@example.com", i);
		assert_int_equal(pool_acquire(s, "rw", id, AF_INET, 0, addr), POOL_OK);
		assert_int_equal(pool_acquire(s, "rw", id, AF_INET6, 0, addr), POOL_OK);
	}
	/* offset 10000 = 39 * 256 + 16 */
	assert_acq(s, "rw", "user09999@example.com", AF_INET, 0, "10.128.39.16");
	assert_acq(s, "rw", "user09999@example.com", AF_INET6, 0, "fd00:9::2710");
	for (i = 0; i < 10000; i += 2) {
		snprintf(id, sizeof(id), "user%05d@example.com", i);
		assert_int_equal(pool_acquire(s, "rw", id, AF_INET, 0, addr), POOL_OK);
		assert_int_equal(pool_release(s, "rw", AF_INET, addr), POOL_OK);
		assert_int_equal(pool_release(s, "rw", AF_INET, addr), POOL_OK);
	}
	assert_stats(s, 0, 65534, 5000, 10000);
	assert_int_equal(pool_flush(s), 0);
	pool_set_free(s);

	s = mkset(&p, 1, file);
	assert_int_equal(pool_list(s, &v, &n), POOL_OK);
	assert_int_equal(n, 20000);
	pool_list_free(v, n);
	assert_acq(s, "rw", "user04242@example.com", AF_INET, 0, "10.128.16.147");
	assert_string_equal(acq(s, "rw", "newcomer", AF_INET, 0, got), "10.128.39.17");
	pool_set_free(s);
}

static void
test_bad_pools(void **state)
{
	struct cfg_pool dup[2] = { mkpool("a", "10.0.0.0/24", NULL),
	    mkpool("a", "10.1.0.0/24", NULL) };
	struct cfg_pool wide6 = mkpool("w", NULL, "fd00::/48");
	char err[128];

	assert_null(pool_set_new(dup, 2, NULL, err, sizeof(err)));
	assert_string_equal(err, "pool a: duplicate name");
	assert_null(pool_set_new(&wide6, 1, NULL, err, sizeof(err)));
	assert_string_equal(err, "pool w: fd00::/48: unsupported prefix length");
	assert_non_null(strstr(err, "unsupported"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sticky),
		cmocka_unit_test(test_lowest_free),
		cmocka_unit_test(test_exhausted),
		cmocka_unit_test(test_lru_takeover),
		cmocka_unit_test(test_shared_exclusive),
		cmocka_unit_test_setup_teardown(test_persistence, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_persistence_lru, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_drops_misfits, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_reconfigure, setup_dir, teardown_dir),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test_setup_teardown(test_ten_thousand, setup_dir, teardown_dir),
		cmocka_unit_test(test_bad_pools),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
