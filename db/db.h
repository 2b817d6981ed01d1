/*
 * db — the only place with SQL.  SQLite in WAL mode with foreign keys on and
 * a busy timeout; numbered migrations (db/migrate.c) applied at open and
 * recorded in schema_version; every query a cached prepared statement.
 *
 * Return convention for functions returning int: 0 success, DB_NOTFOUND,
 * DB_EXISTS (a UNIQUE constraint refused the write), or -1 with a message
 * from db_errmsg().  Strings in returned structs are malloc'ed and freed by
 * the matching *_free(); blobs the same.
 */
#ifndef IKEGW_DB_H
#define IKEGW_DB_H

#include <stddef.h>
#include <stdint.h>

#define DB_NOTFOUND	1
#define DB_EXISTS	2

struct db;

/* Opens (creating if needed) and migrates.  NULL with err on failure. */
struct db	*db_open(const char *path, char *err, size_t errlen);
void		 db_close(struct db *);
const char	*db_errmsg(struct db *);
/* Highest applied migration. */
int		 db_schema_version(struct db *);
/* Transactions (BEGIN IMMEDIATE so writers queue on the busy timeout). */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);

/* ------------------------------------------------------------ settings */

/* *value malloc'ed; DB_NOTFOUND when unset. */
int	 db_setting_get(struct db *, const char *key, char **value);
int	 db_setting_set(struct db *, const char *key, const char *value);
/* Integer setting with a default for unset or unparsable values. */
long long db_setting_int(struct db *, const char *key, long long dflt);

/* ------------------------------------------------------------ users */

enum db_role { DB_ROLE_ADMIN = 1, DB_ROLE_VPN = 2 };

struct db_user {
	int64_t		 id;
	char		*name;
	char		*full_name;
	enum db_role	 role;
	int		 disabled;
	char		*expires;	/* "YYYY-MM-DD" or NULL */
	char		*pw_hash;	/* yescrypt, or NULL (no web login) */
	uint8_t		*vpn_secret;	/* sealed NT hash, or NULL */
	size_t		 vpn_secret_len;
	int		 must_change_pw;
	int64_t		 created;
	int64_t		 updated;
};

const char *db_role_name(enum db_role);		/* "admin", "vpn" */
int	 db_role_parse(const char *, enum db_role *);

int	 db_user_get(struct db *, int64_t id, struct db_user *);
int	 db_user_find(struct db *, const char *name, struct db_user *);
/* All users ordered by name; *users malloc'ed array of *n. */
int	 db_user_list(struct db *, struct db_user **users, size_t *n);
/* Inserts u (id, created, updated are set). */
int	 db_user_insert(struct db *, struct db_user *u);
/* Updates name, full_name, role, disabled, expires (not secrets). */
int	 db_user_update(struct db *, const struct db_user *u);
int	 db_user_set_password(struct db *, int64_t id, const char *pw_hash, int must_change);
int	 db_user_set_vpn_secret(struct db *, int64_t id, const uint8_t *, size_t);
int	 db_user_delete(struct db *, int64_t id);
/* Enabled admins with a password, excluding `except` (0 for none). */
int	 db_user_count_admins(struct db *, int64_t except, long long *count);
void	 db_user_free(struct db_user *);
void	 db_user_list_free(struct db_user *, size_t);

/* ------------------------------------------------------------ groups */

struct db_group {
	int64_t	 id;
	char	*name;
	char	*description;
	long long members;	/* filled by list */
};

int	 db_group_get(struct db *, int64_t id, struct db_group *);
int	 db_group_list(struct db *, struct db_group **, size_t *);
int	 db_group_insert(struct db *, struct db_group *);
int	 db_group_update(struct db *, const struct db_group *);
int	 db_group_delete(struct db *, int64_t id);
/* Group ids of a user (*ids malloc'ed). */
int	 db_user_groups(struct db *, int64_t user_id, int64_t **ids, size_t *n);
/* Replaces a user's memberships with ids[0..n). */
int	 db_user_set_groups(struct db *, int64_t user_id, const int64_t *ids, size_t n);
void	 db_group_free(struct db_group *);
void	 db_group_list_free(struct db_group *, size_t);

/* ------------------------------------------------------------ sessions */

struct db_session {
	int64_t	 id;
	int64_t	 user_id;
	char	*csrf;
	int64_t	 created;
	int64_t	 last_seen;
	char	*remote_addr;
};

/* token_hash: hex SHA-256 of the cookie value (the token itself is never stored). */
int	 db_session_create(struct db *, const char *token_hash, int64_t user_id,
    const char *csrf, int64_t now, const char *remote_addr, const char *user_agent);
int	 db_session_find(struct db *, const char *token_hash, struct db_session *);
int	 db_session_touch(struct db *, int64_t id, int64_t now);
int	 db_session_delete(struct db *, int64_t id);
/* Deletes every session of a user except `keep` (0: all). */
int	 db_session_delete_user(struct db *, int64_t user_id, int64_t keep);
/* Deletes sessions idle since before `cutoff`. */
int	 db_session_expire(struct db *, int64_t cutoff);
void	 db_session_free(struct db_session *);

/* ------------------------------------------------------------ login throttling */

/* Failures and lock for key ("addr:192.0.2.1", "user:alice"); zeros when unknown. */
int	 db_throttle_get(struct db *, const char *key, long long *failures,
    int64_t *locked_until);
int	 db_throttle_set(struct db *, const char *key, long long failures,
    int64_t now, int64_t locked_until);
int	 db_throttle_clear(struct db *, const char *key);

/* ------------------------------------------------------------ API tokens */

struct db_token {
	int64_t	 id;
	int64_t	 user_id;
	char	*user_name;	/* filled by list and find */
	char	*name;
	char	*prefix;	/* first characters, shown to identify a token */
	int64_t	 created;
	int64_t	 last_used;	/* 0: never */
	int	 revoked;
};

int	 db_token_create(struct db *, int64_t user_id, const char *name,
    const char *token_hash, const char *prefix, int64_t now, int64_t *id);
/* Finds an unrevoked token by hash. */
int	 db_token_find(struct db *, const char *token_hash, struct db_token *);
int	 db_token_list(struct db *, struct db_token **, size_t *);
int	 db_token_revoke(struct db *, int64_t id);
int	 db_token_touch(struct db *, int64_t id, int64_t now);
void	 db_token_free(struct db_token *);
void	 db_token_list_free(struct db_token *, size_t);

/* ------------------------------------------------------------ audit log */

struct db_audit {
	int64_t	 id;
	int64_t	 ts;
	char	*actor;
	char	*remote_addr;
	char	*action;	/* "user.create", "login.failure", ... */
	char	*object;
	char	*detail;
};

int	 db_audit_add(struct db *, int64_t ts, const char *actor, const char *remote_addr,
    const char *action, const char *object, const char *detail);
/* Newest first; entries with id < before (0: from the newest), at most limit. */
int	 db_audit_list(struct db *, int64_t before, int limit, struct db_audit **, size_t *);
void	 db_audit_list_free(struct db_audit *, size_t);

#endif
