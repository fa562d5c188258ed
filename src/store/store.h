/* store.h -- SQLite connections and migrations (DESIGN: one connection per thread, WAL,
 * busy timeout, foreign keys; forward-only migrations recorded in schema_migrations). */
#ifndef ENTITYD_STORE_H
#define ENTITYD_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct store store_t;

/* Opens one connection with WAL, busy_timeout (5 s), foreign_keys=ON, synchronous=NORMAL (or FULL,
 * see store_set_durability). A database file it creates is mode 0600. Returns NULL with a message
 * in err. */
store_t *store_open(const char *path, char *err, size_t errlen);
void store_close(store_t *s);
/* --durability full|normal: synchronous=FULL (true: an acknowledged commit survives power loss) or
 * NORMAL (false, the default: WAL commits are not fsynced, the last ones can be lost on power loss
 * but never corrupt the database). Set once at start, before the first store_open. */
void store_set_durability(bool full);
sqlite3 *store_db(store_t *s);

/* Applies the embedded migrations (migrations/NNNN_name.sql) not yet recorded, each in its own
 * transaction. Refuses (-1, message) a database whose schema_migrations has a version newer
 * than the binary knows. */
int store_migrate(store_t *s, char *err, size_t errlen);

/* A pool hands each thread its own connection (opened on first use, closed at thread exit). */
typedef struct store_pool store_pool_t;
store_pool_t *store_pool_new(const char *path);
store_t *store_pool_get(store_pool_t *p); /* NULL when the database cannot be opened (logged) */
void store_pool_free(store_pool_t *p);    /* closes the calling thread's connection too */

/* Disk full (issue 11 item 7). store_check_full looks at the connection's last error: SQLITE_FULL
 * (or an I/O error with ENOSPC) marks the store full process-wide, counts it in
 * entityd_store_disk_full_errors_total and returns true; call it right after a failed write, before a
 * rollback resets the error. store_commit and store_begin call it themselves; store_last_was_full
 * says whether the connection's last failed write was a full disk. The mark stays until a commit
 * succeeds: store_disk_full reads it, and store_probe_write (for /readyz) finds out whether space is
 * back: at least 1 MiB free on the database's file system, and a write that changes nothing
 * succeeds (0; it clears the mark). */
bool store_check_full(store_t *s);
bool store_last_was_full(const store_t *s);
bool store_disk_full(void);
int store_probe_write(store_t *s);

/* Short helpers: BEGIN IMMEDIATE / COMMIT / ROLLBACK; return 0 or -1. */
int store_begin(store_t *s);
int store_commit(store_t *s);
int store_rollback(store_t *s);
/* Ends what the connection's cached statements may still hold: resets each one (a SELECT stepped but
 * not reset keeps its read snapshot, and while any snapshot is held the WAL can never restart, so it
 * grows without bound under steady writes) and rolls back a transaction left open by mistake (logged).
 * Called after every HTTP request and every worker run; a no-op on a quiet connection. */
void store_release(store_t *s);
/* store_release() on the calling thread's pooled connection, if it has opened one. */
void store_pool_release(store_pool_t *p);

/* Cached prepared statement for this connection (keyed by the SQL text pointer's content);
 * reset and bindings cleared before it is returned. NULL on prepare error (logged). */
sqlite3_stmt *store_stmt(store_t *s, const char *sql);
/* Size of the database file in bytes (page_count * page_size). */
long long store_size_bytes(store_t *s);

#endif
