/* migrate.c -- forward-only schema migrations (DESIGN "Layout": migrations/NNNN_name.sql,
 * applied in order inside a transaction, recorded in schema_migrations; issue 2 "Store": a
 * database newer than the binary is refused with a clear message).
 *
 * The .sql files are compiled into the binary (util/embedded.h), sorted by name. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "store/store_internal.h"
#include "util/datetime.h"
#include "util/embedded.h"
#include "util/log.h"

/* Longest accepted file name; the version part is at most 9 digits so it fits an int64 easily. */
#define MIGRATION_NAME_MAX 128
#define MIGRATION_VERSION_DIGITS_MAX 9

long long store_migration_version(const char *name) {
    if (!name) return -1;
    size_t len = strlen(name);
    if (len > MIGRATION_NAME_MAX || len < 6 || strcmp(name + len - 4, ".sql") != 0) return -1;
    size_t i = 0;
    long long v = 0;
    while (i < len && isdigit((unsigned char)name[i])) {
        if (i >= MIGRATION_VERSION_DIGITS_MAX) return -1;
        v = v * 10 + (name[i] - '0');
        i++;
    }
    if (i == 0 || name[i] != '_') return -1;
    size_t start = ++i;
    for (; i < len - 4; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return -1;
    }
    if (i == start || v <= 0) return -1;
    return v;
}

static int migrate_exec(sqlite3 *db, const char *sql, const char *what, char *err, size_t errlen) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Highest recorded version (0 for none); -1 on error. */
static long long migrate_current(sqlite3 *db, char *err, size_t errlen) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "reading schema_migrations: %s", sqlite3_errmsg(db));
        return -1;
    }
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        snprintf(err, errlen, "reading schema_migrations: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return v;
}

static int migrate_is_applied(sqlite3 *db, long long version, char *err, size_t errlen) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations WHERE version = ?", -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "reading schema_migrations: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, version);
    int rc = sqlite3_step(st);
    int applied = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (applied < 0) snprintf(err, errlen, "reading schema_migrations: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return applied;
}

static int migrate_record(sqlite3 *db, long long version, const char *name, char *err, size_t errlen) {
    char now[DT_MAX];
    dt_format((int64_t)time(NULL), now);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)", -1, &st,
                           NULL) != SQLITE_OK) {
        snprintf(err, errlen, "recording migration %s: %s", name, sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_int64(st, 1, version);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) snprintf(err, errlen, "recording migration %s: %s", name, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Applies one migration in its own IMMEDIATE transaction. The "already applied?" check is
 * repeated under the write lock so two processes starting on one file apply it once. */
static int migrate_one(sqlite3 *db, const embedded_file *f, long long version, char *err, size_t errlen) {
    char what[MIGRATION_NAME_MAX + 32];
    snprintf(what, sizeof what, "migration %s", f->name);
    if (migrate_exec(db, "BEGIN IMMEDIATE", what, err, errlen) != 0) return -1;
    int applied = migrate_is_applied(db, version, err, errlen);
    if (applied == 0) {
        if (migrate_exec(db, f->data, what, err, errlen) != 0 || migrate_record(db, version, f->name, err, errlen) != 0)
            applied = -1;
    }
    if (applied < 0) {
        if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (migrate_exec(db, "COMMIT", what, err, errlen) != 0) {
        if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (applied == 0) log_info("migration applied", "version=%lld name=%s", version, f->name);
    return 0;
}

int store_migrate_files(store_t *s, const embedded_file *files, size_t n, char *err, size_t errlen) {
    sqlite3 *db = store_db(s);
    if (!db) {
        snprintf(err, errlen, "no database connection");
        return -1;
    }
    /* Validate every name and the order before touching the database. */
    long long newest = 0;
    for (size_t i = 0; i < n; i++) {
        long long v = store_migration_version(files[i].name);
        if (v < 0) {
            snprintf(err, errlen, "invalid migration file name \"%s\" (want NNNN_name.sql, name in [a-z0-9_])",
                     files[i].name);
            return -1;
        }
        if (v <= newest) {
            snprintf(err, errlen, "migration %s: version %lld does not follow %lld (duplicate or out of order)",
                     files[i].name, v, newest);
            return -1;
        }
        if (!files[i].data) {
            snprintf(err, errlen, "migration %s has no content", files[i].name);
            return -1;
        }
        newest = v;
    }
    if (migrate_exec(db,
                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
                     "creating schema_migrations", err, errlen) != 0)
        return -1;
    long long current = migrate_current(db, err, errlen);
    if (current < 0) return -1;
    if (current > newest) {
        snprintf(err, errlen,
                 "database schema version %lld is newer than this entityd supports (newest migration %lld): "
                 "refusing to start; run a newer entityd or point --db at another database",
                 current, newest);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        long long v = store_migration_version(files[i].name);
        int applied = migrate_is_applied(db, v, err, errlen);
        if (applied < 0) return -1;
        if (applied) continue; /* the common case at start: no write lock taken */
        if (migrate_one(db, &files[i], v, err, errlen) != 0) return -1;
    }
    return 0;
}

int store_migrate(store_t *s, char *err, size_t errlen) {
    return store_migrate_files(s, entityd_migration_files, entityd_migration_nfiles, err, errlen);
}
