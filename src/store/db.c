/* db.c -- one SQLite connection (DESIGN "Threads": one connection per thread, WAL mode,
 * short write transactions) with its pragmas and a cache of prepared statements.
 *
 * A store_t is owned by one thread at a time; the statement cache is not locked. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/strmap.h"

struct store {
    sqlite3 *db;
    arena_t *arena; /* owns the cache's key copies and map storage */
    strmap_t stmts; /* SQL text -> sqlite3_stmt* */
    bool last_full; /* the last failed write of this connection found the disk full */
    const char *path; /* as opened (in arena) */
};

/* Free space /readyz wants on the database's file system, besides a write that succeeds, before it
 * reports ready again after a full disk: one small write fitting in the last few KiB says little. */
#define STORE_READY_MIN_FREE (1024.0 * 1024.0)

/* Set while writes fail because the disk is full (issue 11 item 7): /readyz reports it. Cleared by
 * the next commit that succeeds, on any connection. */
static atomic_bool store_full;

/* Runs a pragma statement and, when want is not NULL, checks that its first column reads `want`
 * (case-insensitive): "PRAGMA journal_mode=WAL" answers the mode actually in force. */
static int store_pragma(sqlite3 *db, const char *sql, const char *want, char *err, size_t errlen) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
        return -1;
    }
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    if (want) {
        const char *got = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (!got || strcasecmp(got, want) != 0) {
            snprintf(err, errlen, "%s: got %s, want %s", sql, got ? got : "(nothing)", want);
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    return 0;
}

/* --durability: synchronous=FULL (true) or NORMAL (false) for every connection opened after. */
static atomic_bool store_sync_full;

void store_set_durability(bool full) {
    atomic_store(&store_sync_full, full);
}

/* A database file that does not exist yet is created here, mode 0600 (it holds API key hashes and
 * every tenant's data), before SQLite would create it 0644; SQLite gives its -wal and -shm files the
 * database file's mode. An existing file keeps the mode its operator gave it. */
static int store_create_private(const char *path, char *err, size_t errlen) {
    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0) return 0;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) return close(fd);
    if (errno == EEXIST) return 0;
    snprintf(err, errlen, "cannot open database %s: cannot create it: %s", path, strerror(errno));
    return -1;
}
/* Process-wide SQLite settings, applied once before the library initializes: no global
 * memory-statistics mutex on every allocation (SQLITE_CONFIG_MEMSTATUS; sqlite3_status() is not
 * used). If something initialized SQLite first, sqlite3_config() refuses and the default stays. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_global_init(void) {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

/* Page cache per connection, in KiB (negative cache_size); SQLite's default is 2 MiB. */
#define STORE_CACHE_KIB 16384
#define ENTITYD_STR_(x) #x
#define ENTITYD_STR(x) ENTITYD_STR_(x)

store_t *store_open(const char *path, char *err, size_t errlen) {
    pthread_once(&sqlite_once, sqlite_global_init);
    if (!path || !*path) {
        snprintf(err, errlen, "no database path given");
        return NULL;
    }
    if (store_create_private(path, err, errlen) != 0) return NULL;
    sqlite3 *db = NULL;
    /* NOMUTEX: a connection is used by one thread at a time (the pool gives each thread its own; a
     * worker opens its own), so SQLite's per-connection mutex on every call only costs. */
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_extended_result_codes(db, 1);
    /* The busy timeout first, so that switching to WAL waits for another process' lock. */
    sqlite3_busy_timeout(db, 5000);
    /* An in-memory database cannot use WAL (it answers "memory"); every file database must. */
    int memory = strcmp(path, ":memory:") == 0 || strncmp(path, "file::memory:", 13) == 0;
    if (store_pragma(db, "PRAGMA journal_mode=WAL", memory ? "memory" : "wal", err, errlen) != 0 ||
        store_pragma(db, "PRAGMA foreign_keys=ON", NULL, err, errlen) != 0 ||
        store_pragma(db, "PRAGMA foreign_keys", "1", err, errlen) != 0 ||
        store_pragma(db, atomic_load(&store_sync_full) ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                     NULL, err, errlen) != 0 ||
        /* after a checkpoint restarts the WAL, truncate the file back to 64 MiB instead of keeping
         * the high-water mark of the largest burst on disk */
        store_pragma(db, "PRAGMA journal_size_limit=67108864", NULL, err, errlen) != 0 ||
        store_pragma(db, "PRAGMA cache_size=-" ENTITYD_STR(STORE_CACHE_KIB), NULL, err, errlen) != 0) {
        sqlite3_close(db);
        return NULL;
    }
    store_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    s->db = db;
    s->arena = arena_new();
    s->path = arena_strdup(s->arena, path);
    strmap_init(&s->stmts, s->arena);
    return s;
}

void store_close(store_t *s) {
    if (!s) return;
    for (size_t i = 0; i < s->stmts.cap; i++)
        if (s->stmts.keys[i]) sqlite3_finalize(s->stmts.vals[i]);
    /* Any statement a caller prepared outside the cache is finalized too, so close cannot fail. */
    sqlite3_stmt *st;
    while ((st = sqlite3_next_stmt(s->db, NULL)) != NULL)
        sqlite3_finalize(st);
    int rc = sqlite3_close(s->db);
    if (rc != SQLITE_OK) log_error("store close failed", "error=\"%s\"", sqlite3_errstr(rc));
    arena_free(s->arena);
    free(s);
}

sqlite3 *store_db(store_t *s) {
    return s ? s->db : NULL;
}

static int store_exec(store_t *s, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("store statement failed", "sql=\"%s\" error=\"%s\"", sql, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* BEGIN IMMEDIATE takes the write lock up front, so a writer waits (busy timeout) at the start
 * instead of failing with SQLITE_BUSY halfway through when upgrading a read lock. */
bool store_check_full(store_t *s) {
    int rc = sqlite3_extended_errcode(s->db);
    bool full = (rc & 0xff) == SQLITE_FULL || ((rc & 0xff) == SQLITE_IOERR && sqlite3_system_errno(s->db) == ENOSPC);
    s->last_full = full;
    if (full) {
        if (!atomic_exchange(&store_full, true))
            log_error("disk full: writes fail until space is freed", "error=\"%s\"", sqlite3_errmsg(s->db));
        metrics_counter_add("entityd_store_disk_full_errors_total",
                            "Write transactions that failed because the disk is full (SQLITE_FULL)", NULL, 1);
    }
    return full;
}

bool store_last_was_full(const store_t *s) {
    return s->last_full;
}

bool store_disk_full(void) {
    return atomic_load(&store_full);
}

/* Bytes available to entityd on the file system of the database file; -1 when unknown. */
static double store_free_bytes(const store_t *s) {
    if (!s->path || strcmp(s->path, ":memory:") == 0 || strncmp(s->path, "file:", 5) == 0) return -1;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", s->path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    struct statvfs v;
    if (statvfs(dir, &v) != 0) return -1;
    return (double)v.f_bavail * (double)v.f_frsize;
}

int store_probe_write(store_t *s) {
    double avail = store_free_bytes(s);
    if (avail >= 0 && avail < STORE_READY_MIN_FREE) {
        s->last_full = true;
        return -1;
    }
    /* Rewriting user_version with its own value is a real write transaction (page 1 goes to the WAL)
     * that changes nothing; entityd does not use user_version otherwise. */
    sqlite3_stmt *st = NULL;
    int v = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v);
    if (store_begin(s) != 0) return -1;
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        store_check_full(s);
        store_rollback(s);
        return -1;
    }
    return store_commit(s);
}

int store_begin(store_t *s) {
    s->last_full = false;
    if (store_exec(s, "BEGIN IMMEDIATE") == 0) return 0;
    store_check_full(s);
    return -1;
}
int store_commit(store_t *s) {
    if (store_exec(s, "COMMIT") == 0) {
        if (atomic_load(&store_full) && atomic_exchange(&store_full, false))
            log_info("disk space is back: writes succeed again", "%s", "");
        return 0;
    }
    store_check_full(s);
    return -1;
}

int store_rollback(store_t *s) {
    /* Rolling back when no transaction is open (e.g. SQLite already rolled back after an error)
     * is not an error for the caller. */
    if (sqlite3_get_autocommit(s->db)) return 0;
    return store_exec(s, "ROLLBACK");
}

sqlite3_stmt *store_stmt(store_t *s, const char *sql) {
    sqlite3_stmt *st = strmap_get(&s->stmts, sql);
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("store prepare failed", "sql=\"%s\" error=\"%s\"", sql, sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        return NULL;
    }
    strmap_put(&s->stmts, arena_strdup(s->arena, sql), st);
    return st;
}

void store_release(store_t *s) {
    if (!s) return;
    for (size_t i = 0; i < s->stmts.cap; i++)
        if (s->stmts.keys[i]) sqlite3_reset(s->stmts.vals[i]);
    if (!sqlite3_get_autocommit(s->db)) {
        log_error("a transaction was left open at the end of a request or worker run", "action=rollback");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

long long store_size_bytes(store_t *s) {
    sqlite3_stmt *st = store_stmt(s, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
    if (!st) return -1;
    long long size = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return size;
}
