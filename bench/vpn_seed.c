/*
 * vpn_seed — fills an ikegw database for bench/vpn.sh: N VPN users (each
 * with a sealed NT hash, as the User Manager stores it, and in group
 * "staff") and M more Phase 2 entries under Phase 1 #1 (10.100.x.0/24).
 *
 *   vpn_seed VARDIR USERS PHASE2S
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "pki/pki.h"

int
main(int argc, char **argv)
{
	uint8_t key[PKI_SECRET_KEY_LEN], nt[16], *blob = NULL;
	struct db_vpn_proposal props[2] = {
		{ (char *)"aes-gcm-16", 256, (char *)"", NULL, NULL },
		{ (char *)"aes-cbc", 256, (char *)"hmac-sha2-256-128", NULL, NULL },
	};
	struct db_vpn_phase2 p2;
	struct db_group g;
	struct db_user u;
	char path[4096], err[512], name[64], aad[64], net[64];
	size_t bloblen;
	struct db *db;
	long n, m, i;

	if (argc != 4)
		return fprintf(stderr, "usage: vpn_seed VARDIR USERS PHASE2S\n"), 2;
	n = strtol(argv[2], NULL, 10);
	m = strtol(argv[3], NULL, 10);
	snprintf(path, sizeof(path), "%s/secret.key", argv[1]);
	if (pki_secret_key_load(path, 0, key, err, sizeof(err)) == -1)
		return fprintf(stderr, "%s\n", err), 1;
	snprintf(path, sizeof(path), "%s/ikegw.db", argv[1]);
	if ((db = db_open(path, err, sizeof(err))) == NULL)
		return fprintf(stderr, "%s\n", err), 1;
	if (db_begin(db) != 0)
		goto dbfail;
	memset(&g, 0, sizeof(g));
	g.name = (char *)"staff";
	g.description = (char *)"";
	if (db_group_insert(db, &g) != 0)
		goto dbfail;
	if (pki_nt_hash("Bench-Pass-1", nt) == -1)
		return 1;
	for (i = 0; i < n; i++) {
		memset(&u, 0, sizeof(u));
		snprintf(name, sizeof(name), "benchuser%05ld", i);
		u.name = name;
		u.full_name = (char *)"";
		u.role = DB_ROLE_VPN;
		if (db_user_insert(db, &u) != 0)
			goto dbfail;
		snprintf(aad, sizeof(aad), "user:%lld:vpn-nt-hash", (long long)u.id);
		if (pki_seal(key, aad, nt, sizeof(nt), &blob, &bloblen) == -1 ||
		    db_user_set_vpn_secret(db, u.id, blob, bloblen) != 0 ||
		    db_user_set_groups(db, u.id, &g.id, 1) != 0)
			goto dbfail;
		free(blob);
		blob = NULL;
	}
	for (i = 0; i < m; i++) {
		memset(&p2, 0, sizeof(p2));
		snprintf(net, sizeof(net), "10.100.%ld.0/24", i);
		snprintf(name, sizeof(name), "bench %ld", i);
		p2.phase1_id = 1;
		p2.enabled = 1;
		p2.mode = (char *)"tunnel4";
		p2.local_type = (char *)"network";
		p2.local_value = net;
		p2.description = name;
		p2.pfs = (char *)"modp2048";
		p2.lifetime = 3600;
		p2.props = props;
		p2.nprops = 2;
		if (db_vpn_phase2_insert(db, &p2) != 0)
			goto dbfail;
	}
	if (db_commit(db) != 0)
		goto dbfail;
	db_close(db);
	explicit_bzero(key, sizeof(key));
	printf("seeded %ld users and %ld Phase 2 entries\n", n, m);
	return 0;
dbfail:
	fprintf(stderr, "vpn_seed: %s\n", db_errmsg(db));
	db_rollback(db);
	db_close(db);
	return 1;
}
