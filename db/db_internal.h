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
/* Binds id, or NULL when id is 0 (an optional reference). */
int		 db_bind_id(sqlite3_stmt *, int idx, int64_t id);
/* Binds a copy of the blob, or NULL when blob is NULL. */
int		 db_bind_blob(sqlite3_stmt *, int idx, const uint8_t *blob, size_t len);
/* A malloc'ed copy of a blob column, or NULL (and *len 0) when it is NULL or empty. */
uint8_t		*db_col_blob(sqlite3_stmt *, int col, size_t *len);

/*
 * Steps an UPDATE or DELETE of rows that must exist: as db_exec_stmt, and
 * DB_NOTFOUND when it changed no row.
 */
int		 db_exec_change(struct db *, sqlite3_stmt *, const char *what);

/*
 * Reading rows into structs.  A from_row function fills every field of
 * the element at elem from the current row of the statement (it starts
 * with a memset: the element may hold garbage); what it allocates, free
 * releases (NULL when an element holds nothing to free).
 */
typedef void	 db_row_fn(sqlite3_stmt *, void *elem);

struct db_rowtype {
	size_t		  size;		/* of one element */
	db_row_fn	 *from_row;
	void		(*free)(void *elem);
};

/*
 * Steps st (prepared and bound) once: on a row, from_row fills *elem and
 * 0 is returned; no row is DB_NOTFOUND (elem untouched); a failed step is
 * -1 with db_fail(what).  st is reset.
 */
int		 db_select_one(struct db *, sqlite3_stmt *st, db_row_fn *from_row, void *elem,
		    const char *what);
/*
 * Steps st (prepared and bound) to its end, one element per row, into a
 * malloc'ed array: *out (the address of the caller's typed array pointer,
 * passed as void **; the tree builds with -fno-strict-aliasing) and its
 * length *n, which the caller frees with db_list_free.  No rows: NULL, 0.
 * A failed step frees what was read and returns -1 with db_fail(what),
 * *out NULL and *n 0.  st is reset.
 */
int		 db_select_list(struct db *, sqlite3_stmt *st, const struct db_rowtype *,
		    void **out, size_t *n, const char *what);
/* Frees every element of v (rowtype's free), then v.  NULL-safe. */
void		 db_list_free(const struct db_rowtype *, void *v, size_t n);
/*
 * Room for element cnt in the array v of *cap elements of size bytes:
 * returns v, or v grown (doubling *cap).  Aborts when out of memory.
 */
void		*db_grow(void *v, size_t *cap, size_t cnt, size_t size);

#endif
