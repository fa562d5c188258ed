/* test_store.c -- store: connection pragmas, transactions, the statement cache, migrations
 * (idempotent, a newer database refused, bad file names, a failing migration rolled back) and
 * the per-thread pool (one connection per thread, closed at thread exit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_internal.h"
#include "util/embedded.h"
#include "util/log.h"

typedef struct {
    char dir[64];
    char path[128];
} tmpdb;

static int setup(void **state) {
    static tmpdb storage; /* static: nothing to free when setup fails */
    tmpdb *t = &storage;
    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/entityd-test-store-XXXXXX");
    if (!mkdtemp(t->dir)) return -1;
    snprintf(t->path, sizeof t->path, "%.63s/t.db", t->dir);
    *state = t;
    return 0;
}

static int teardown(void **state) {
    tmpdb *t = *state;
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, sfx[i]);
        unlink(p);
    }
    rmdir(t->dir);
    return 0;
}

static long long q_int(store_t *s, const char *sql) {
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void q_text(store_t *s, const char *sql, char *out, size_t n) {
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static void test_open_pragmas(void **state) {
    tmpdb *t = *state;
    char err[256] = "";
    store_t *s = store_open(t->path, err, sizeof err);
    assert_non_null(s);
    char mode[32];
    q_text(s, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    assert_int_equal(q_int(s, "PRAGMA foreign_keys"), 1);
    assert_int_equal(q_int(s, "PRAGMA synchronous"), 1); /* NORMAL */
    assert_int_equal(q_int(s, "PRAGMA busy_timeout"), 5000);
    assert_true(store_size_bytes(s) >= 0);
    store_close(s);
}

static void test_open_failure(void **state) {
    (void)state;
    char err[256] = "";
    store_t *s = store_open("/nonexistent-dir-entityd/x/t.db", err, sizeof err);
    assert_null(s);
    assert_non_null(strstr(err, "cannot open database"));
    err[0] = 0;
    assert_null(store_open("", err, sizeof err));
    assert_true(err[0] != 0);
}

static void test_migrate_idempotent(void **state) {
    tmpdb *t = *state;
    char err[512] = "";
    store_t *s = store_open(t->path, err, sizeof err);
    assert_non_null(s);
    assert_true(entityd_migration_nfiles > 0);
    assert_int_equal(store_migrate(s, err, sizeof err), 0);
    assert_int_equal(q_int(s, "SELECT count(*) FROM schema_migrations"), (long long)entityd_migration_nfiles);
    assert_int_equal(
        q_int(s, "SELECT count(*) FROM sqlite_schema WHERE name IN ('accounts','api_keys','account_agents')"), 3);
    char first[64], again[64];
    q_text(s, "SELECT group_concat(version || name || applied_at) FROM schema_migrations", first, sizeof first);
    store_close(s);
    /* A second start applies nothing and changes nothing. */
    s = store_open(t->path, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_migrate(s, err, sizeof err), 0);
    assert_int_equal(store_migrate(s, err, sizeof err), 0);
    assert_int_equal(q_int(s, "SELECT count(*) FROM schema_migrations"), (long long)entityd_migration_nfiles);
    q_text(s, "SELECT group_concat(version || name || applied_at) FROM schema_migrations", again, sizeof again);
    assert_string_equal(first, again);
    assert_true(store_size_bytes(s) > 0);
    store_close(s);
}

static void test_migrate_newer_db_refused(void **state) {
    tmpdb *t = *state;
    char err[512] = "";
    store_t *s = store_open(t->path, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_migrate(s, err, sizeof err), 0);
    assert_int_equal(
        sqlite3_exec(store_db(s),
                     "INSERT INTO schema_migrations VALUES (999999, '999999_future.sql', '2099-01-01T00:00:00Z')", NULL,
                     NULL, NULL),
        SQLITE_OK);
    err[0] = 0;
    assert_int_equal(store_migrate(s, err, sizeof err), -1);
    assert_non_null(strstr(err, "newer"));
    assert_non_null(strstr(err, "999999"));
    store_close(s);
}

static void test_migration_names(void **state) {
    (void)state;
    assert_int_equal(store_migration_version("0001_accounts.sql"), 1);
    assert_int_equal(store_migration_version("0042_kafka_entities.sql"), 42);
    assert_int_equal(store_migration_version("0001-accounts.sql"), -1);
    assert_int_equal(store_migration_version("0001_.sql"), -1);
    assert_int_equal(store_migration_version("_accounts.sql"), -1);
    assert_int_equal(store_migration_version("0001_Accounts.sql"), -1);
    assert_int_equal(store_migration_version("0001_accounts.sql.bak"), -1);
    assert_int_equal(store_migration_version("0000_zero.sql"), -1);
    assert_int_equal(store_migration_version("0001_a b.sql"), -1);
    assert_int_equal(store_migration_version("1234567890_big.sql"), -1);
    assert_int_equal(store_migration_version(NULL), -1);
}

static void test_migrate_bad_lists(void **state) {
    tmpdb *t = *state;
    char err[512] = "";
    store_t *s = store_open(t->path, err, sizeof err);
    assert_non_null(s);
    const embedded_file badname[] = {{"1_ok.sql", "CREATE TABLE a(x);", 18}, {"two.sql", "SELECT 1;", 9}};
    assert_int_equal(store_migrate_files(s, badname, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "two.sql"));
    const embedded_file dup[] = {{"1_a.sql", "CREATE TABLE a(x);", 18}, {"01_b.sql", "CREATE TABLE b(x);", 18}};
    assert_int_equal(store_migrate_files(s, dup, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "01_b.sql"));
    /* Nothing was applied for an invalid list. */
    assert_int_equal(q_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'a'"), 0);

    /* A failing migration is rolled back whole, recorded nowhere; earlier ones stay. */
    const embedded_file failing[] = {{"1_a.sql", "CREATE TABLE a(x);", 18},
                                     {"2_b.sql", "CREATE TABLE b(x); INSERT INTO nosuch VALUES (1);", 48}};
    assert_int_equal(store_migrate_files(s, failing, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "2_b.sql"));
    assert_int_equal(q_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'a'"), 1);
    assert_int_equal(q_int(s, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'"), 0);
    assert_int_equal(q_int(s, "SELECT group_concat(version) FROM schema_migrations"), 1);
    assert_int_equal(sqlite3_get_autocommit(store_db(s)), 1);
    store_close(s);
}

static void test_transactions_and_fk(void **state) {
    tmpdb *t = *state;
    char err[512] = "";
    store_t *s = store_open(t->path, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_migrate(s, err, sizeof err), 0);
    sqlite3 *db = store_db(s);
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO accounts(id,name,created_at) VALUES (7,'x','2024-01-01T00:00:00Z')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(store_rollback(s), 0);
    assert_int_equal(q_int(s, "SELECT count(*) FROM accounts"), 0);
    assert_int_equal(store_rollback(s), 0); /* no transaction open: not an error */

    assert_int_equal(store_begin(s), 0);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO accounts(id,name,created_at) VALUES (7,'x','2024-01-01T00:00:00Z')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(q_int(s, "SELECT count(*) FROM accounts"), 1);
    assert_int_equal(store_commit(s), -1); /* nothing to commit */

    /* Foreign keys are enforced, with ON DELETE CASCADE. */
    assert_int_not_equal(sqlite3_exec(db,
                                      "INSERT INTO api_keys(account_id,name,level,hash,prefix,created_at) VALUES "
                                      "(8,'k','ADMIN',zeroblob(32),'ek_','2024-01-01T00:00:00Z')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO api_keys(account_id,name,level,hash,prefix,created_at) VALUES "
                                  "(7,'k','ADMIN',zeroblob(32),'ek_','2024-01-01T00:00:00Z')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM accounts WHERE id = 7", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(q_int(s, "SELECT count(*) FROM api_keys"), 0);
    store_close(s);
}

static void test_stmt_cache(void **state) {
    tmpdb *t = *state;
    char err[512] = "";
    store_t *s = store_open(t->path, err, sizeof err);
    assert_non_null(s);
    char sql1[] = "SELECT ?1 + 1";
    char sql2[] = "SELECT ?1 + 1"; /* same text, other pointer */
    sqlite3_stmt *a = store_stmt(s, sql1);
    assert_non_null(a);
    sqlite3_bind_int(a, 1, 41);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(a, 0), 42);
    /* Not reset by the caller: the cache resets it and clears the binding (NULL + 1 = NULL). */
    sqlite3_stmt *b = store_stmt(s, sql2);
    assert_ptr_equal(a, b);
    assert_int_equal(sqlite3_step(b), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
    sqlite3_reset(b);
    assert_ptr_not_equal(store_stmt(s, "SELECT 2"), a);
    assert_null(store_stmt(s, "SELEKT nonsense"));
    store_close(s);
}

/* store_release ends what a request left behind: a SELECT stepped but not reset holds a read snapshot
 * (and with it the WAL: no checkpoint can restart it), and a forgotten transaction holds locks. */
static void test_release(void **state) {
    tmpdb *t = *state;
    char err[512] = "";
    store_t *s = store_open(t->path, err, sizeof err);
    store_t *w = store_open(t->path, err, sizeof err);
    assert_non_null(s);
    assert_non_null(w);
    assert_int_equal(sqlite3_exec(store_db(w), "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st = store_stmt(s, "SELECT x FROM t");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW); /* left mid-result, as a careless caller would */
    assert_true(sqlite3_stmt_busy(st));
    /* While the snapshot is held, a TRUNCATE checkpoint from another connection cannot finish. */
    assert_int_equal(sqlite3_exec(store_db(w), "INSERT INTO t VALUES (3)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(store_db(w), 0);
    assert_int_equal(sqlite3_wal_checkpoint_v2(store_db(w), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL), SQLITE_BUSY);
    store_release(s);
    assert_false(sqlite3_stmt_busy(st));
    assert_int_equal(sqlite3_wal_checkpoint_v2(store_db(w), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL), SQLITE_OK);
    /* A transaction left open is rolled back. */
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(sqlite3_exec(store_db(s), "INSERT INTO t VALUES (4)", NULL, NULL, NULL), SQLITE_OK);
    store_release(s);
    assert_true(sqlite3_get_autocommit(store_db(s)));
    assert_int_equal(q_int(w, "SELECT count(*) FROM t"), 3);
    store_release(NULL); /* harmless */
    store_close(w);
    store_close(s);
}

typedef struct {
    store_pool_t *pool;
    store_t *first, *second;
    int wrote;
} thread_arg;

static void *pool_thread(void *p) {
    thread_arg *a = p;
    a->first = store_pool_get(a->pool);
    a->second = store_pool_get(a->pool);
    if (a->first && sqlite3_exec(store_db(a->first), "INSERT INTO accounts(name,created_at) VALUES ('t','x')", NULL,
                                 NULL, NULL) == SQLITE_OK)
        a->wrote = 1;
    return NULL;
}

static void test_pool_threads(void **state) {
    tmpdb *t = *state;
    char err[512] = "", wal[160];
    store_t *s = store_open(t->path, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(store_migrate(s, err, sizeof err), 0);
    store_close(s);
    snprintf(wal, sizeof wal, "%s-wal", t->path);

    store_pool_t *pool = store_pool_new(t->path);
    assert_non_null(pool);
    thread_arg a1 = {.pool = pool}, a2 = {.pool = pool};
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, pool_thread, &a1), 0);
    assert_int_equal(pthread_create(&t2, NULL, pool_thread, &a2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_non_null(a1.first);
    assert_ptr_equal(a1.first, a1.second); /* one connection per thread */
    assert_ptr_equal(a2.first, a2.second);
    assert_int_equal(a1.wrote, 1);
    assert_int_equal(a2.wrote, 1);
    /* SQLite removes the -wal file when the last connection closes: both threads' connections
     * were closed by the key destructor at thread exit. */
    struct stat st;
    assert_int_equal(stat(wal, &st), -1);

    store_t *mine = store_pool_get(pool);
    assert_non_null(mine);
    assert_ptr_equal(store_pool_get(pool), mine);
    assert_int_equal(q_int(mine, "SELECT count(*) FROM accounts"), 2);
    store_pool_free(pool); /* closes this thread's connection too (LSan checks) */

    store_pool_t *bad = store_pool_new("/nonexistent-dir-entityd/x.db");
    assert_non_null(bad);
    assert_null(store_pool_get(bad));
    store_pool_free(bad);
}

int main(void) {
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_pragmas, setup, teardown),
        cmocka_unit_test(test_open_failure),
        cmocka_unit_test_setup_teardown(test_migrate_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_newer_db_refused, setup, teardown),
        cmocka_unit_test(test_migration_names),
        cmocka_unit_test_setup_teardown(test_migrate_bad_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions_and_fk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stmt_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_threads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
