/*
 * db_internal.h — shared by the files of db/ only.
 */
#ifndef IKEGW_DB_INTERNAL_H
#define IKEGW_DB_INTERNAL_H

#include <sqlite3.h>

#include "db.h"

#define DB_STMT_CACHE 256

struct db_stmt {
	const char	*sql;	/* string literal: cached by address */
	sqlite3_stmt	*stmt;
};

struct db {
	sqlite3		*sq;
	struct db_stmt	 cache[DB_STMT_CACHE];
	size_t		 ncache;
	char		 err[256];
};

struct db_migration {
	int		 version;
	const char	*sql;
};

extern const struct db_migration db_migrations[];
extern const size_t db_nmigrations;

/*
 * Returns the prepared (and reset) statement for sql, preparing it on first
 * use.  sql must be a string literal (the cache key is its address).  NULL
 * with db->err set on failure.
 */
sqlite3_stmt	*db_stmt(struct db *, const char *sql);
/* Records sqlite's message for the failed call `what`; returns -1. */
int		 db_fail(struct db *, const char *what);
/* Steps a statement that returns no rows: 0, DB_EXISTS on UNIQUE violation, -1. */
int		 db_exec_stmt(struct db *, sqlite3_stmt *, const char *what);
/* Column helpers: malloc'ed copy of a text column (NULL stays NULL). */
char		*db_col_text(sqlite3_stmt *, int col);
/* "" instead of NULL. */
char		*db_col_text0(sqlite3_stmt *, int col);
int		 db_bind_text(sqlite3_stmt *, int idx, const char *);

#endif
