/* test_sr_store.c -- the SummaryRules store (src/summaryrules/store.c) on a real temporary SQLite file
 * with the real migrations: the schedule's position and lastSuccessfulWindowEnd over out-of-order
 * completions, failed windows and their backoff, the history capped at 200 per rule with open
 * operations kept, the backfill life cycle of seed 002 (one at a time, advance on completion, FAILED
 * after N non-retryable failures, removal at start >= end, cancel leaving the operation polled with a
 * note), and a rule change keeping position and history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "summaryrules/store.h"

#define HOUR (INT64_C(3600) * SR_TICKS)
#define T0 (INT64_C(1704067200) * SR_TICKS) /* 2024-01-01T00:00:00Z */

typedef struct {
    char dir[64];
    char path[128];
    store_t *s;
    arena_t *a;
    int64_t rule_id;
} fixture;

static void exec_sql(store_t *s, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(store_db(s), sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "# %s: %s\n", sql, err ? err : "?");
        sqlite3_free(err);
        fail();
    }
}

static int64_t count(fixture *f, const char *sql) {
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static sr_rule rule(fixture *f, const char *name) {
    sr_rule r;
    assert_int_equal(sr_store_rule(f->s, f->a, name, &r), 0);
    return r;
}

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/test_sr_store.XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/entityd.db", f->dir);
    char err[256];
    f->s = store_open(f->path, err, sizeof err);
    if (!f->s || store_migrate(f->s, err, sizeof err) != 0) {
        fprintf(stderr, "# store: %s\n", err);
        return -1;
    }
    /* The federation module's table (migration 0004) when this build has it; the columns the
     * summaryrules module relies on (id, name) otherwise. */
    exec_sql(f->s, "CREATE TABLE IF NOT EXISTS adx_clusters (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, "
                   "endpoint TEXT NOT NULL, role TEXT NOT NULL, auth_kind TEXT NOT NULL, created_at TEXT NOT NULL, "
                   "updated_at TEXT NOT NULL)");
    exec_sql(f->s, "INSERT INTO adx_clusters (id, name, endpoint, role, auth_kind, created_at, updated_at) VALUES "
                   "(7, 'hub', 'http://127.0.0.1:1', 'PARTITION', 'NONE', '2024-01-01T00:00:00Z', "
                   "'2024-01-01T00:00:00Z')");
    f->a = arena_new();
    sr_rule_def d = {.name = "cpu-hourly",
                     .cluster_id = 7,
                     .database = "Metrics",
                     .table = "CpuHourly",
                     .body = "Cpu | where Timestamp between (_startTime .. _endTime)",
                     .interval_s = 3600,
                     .delay_s = SR_NONE};
    bool created = false;
    assert_int_equal(sr_store_rule_upsert(f->s, &d, 1000, &created, err, sizeof err), 0);
    assert_true(created);
    f->rule_id = rule(f, "cpu-hourly").id;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    arena_free(f->a);
    store_close(f->s);
    char p[192];
    static const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static const char *opid(int i) {
    static char buf[8][40];
    static int k;
    char *b = buf[k++ % 8];
    snprintf(b, 40, "00000000-0000-0000-0000-%012d", i);
    return b;
}

/* Submits window i (hour i after T0) as a new window with operation i. */
static void submit(fixture *f, int i) {
    sr_window w = {T0 + i * HOUR, T0 + (i + 1) * HOUR};
    assert_int_equal(sr_store_insert_operation(f->s, f->rule_id, opid(i), "SCHEDULE", 7, "Metrics", w, T0), 1);
    assert_int_equal(sr_store_window_new(f->s, f->rule_id, w, opid(i)), 1);
    assert_int_equal(sr_store_rule_submitted(f->s, f->rule_id, w), 1);
}

static void test_position_and_success_end(void **state) {
    fixture *f = *state;
    sr_rule r = rule(f, "cpu-hourly");
    assert_true(r.next_start == SR_NONE && r.origin == SR_NONE && r.last_success_end == SR_NONE);
    for (int i = 0; i < 3; i++)
        submit(f, i);
    r = rule(f, "cpu-hourly");
    assert_true(r.origin == T0);
    assert_true(r.next_start == T0 + 3 * HOUR);
    assert_int_equal(r.nwindows, 3);
    assert_int_equal(r.nopen_ops, 3);
    /* window 1 completes first: nothing before it is done, so no success yet */
    assert_int_equal(sr_store_window_completed(f->s, f->rule_id, opid(1)), 1);
    assert_true(rule(f, "cpu-hourly").last_success_end == SR_NONE);
    /* window 0 completes: the run of completed windows now ends where window 2 starts */
    assert_int_equal(sr_store_window_completed(f->s, f->rule_id, opid(0)), 1);
    assert_true(rule(f, "cpu-hourly").last_success_end == T0 + 2 * HOUR);
    /* window 2 fails: it waits, the success end stays */
    assert_int_equal(sr_store_window_failed(f->s, f->rule_id, opid(2), T0 + 10 * HOUR, 60 * SR_TICKS, HOUR), 1);
    assert_true(rule(f, "cpu-hourly").last_success_end == T0 + 2 * HOUR);
    sr_window w;
    assert_int_equal(sr_store_first_waiting_window(f->s, f->rule_id, &w), 0);
    assert_true(w.start == T0 + 2 * HOUR);
    /* backoff from the window's attempts: 1 attempt -> base */
    sr_window *retry;
    size_t n;
    assert_int_equal(sr_store_retry_windows(f->s, f->a, f->rule_id, T0 + 10 * HOUR + 59 * SR_TICKS, 10, &retry, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(sr_store_retry_windows(f->s, f->a, f->rule_id, T0 + 10 * HOUR + 60 * SR_TICKS, 10, &retry, &n), 0);
    assert_int_equal(n, 1);
    assert_true(retry[0].start == T0 + 2 * HOUR);
    /* resubmission fails: 2 attempts -> twice the base */
    assert_int_equal(
        sr_store_window_submit_failed(f->s, f->rule_id, T0 + 2 * HOUR, T0 + 11 * HOUR, 60 * SR_TICKS, HOUR), 1);
    assert_int_equal(sr_store_retry_windows(f->s, f->a, f->rule_id, T0 + 11 * HOUR + 119 * SR_TICKS, 10, &retry, &n),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(sr_store_retry_windows(f->s, f->a, f->rule_id, T0 + 11 * HOUR + 120 * SR_TICKS, 10, &retry, &n),
                     0);
    assert_int_equal(n, 1);
    /* resubmitted and completed: the run reaches next_start */
    assert_int_equal(sr_store_window_resubmitted(f->s, f->rule_id, T0 + 2 * HOUR, opid(22)), 1);
    assert_int_equal(sr_store_window_completed(f->s, f->rule_id, opid(22)), 1);
    r = rule(f, "cpu-hourly");
    assert_true(r.last_success_end == T0 + 3 * HOUR);
    assert_int_equal(r.nwindows, 0);
    /* an operation that belongs to no window changes nothing */
    assert_int_equal(sr_store_window_completed(f->s, f->rule_id, opid(99)), 0);
}

static void test_error_cleared_only_when_healthy(void **state) {
    fixture *f = *state;
    submit(f, 0);
    assert_int_equal(sr_store_rule_error(f->s, f->rule_id, "boom", T0), 1);
    assert_int_equal(sr_store_window_failed(f->s, f->rule_id, opid(0), T0, 0, HOUR), 1);
    assert_int_equal(sr_store_rule_clear_error(f->s, f->rule_id), 0); /* a window still waits */
    assert_string_equal(rule(f, "cpu-hourly").last_error, "boom");
    assert_int_equal(sr_store_window_resubmitted(f->s, f->rule_id, T0, opid(1)), 1);
    assert_int_equal(sr_store_rule_clear_error(f->s, f->rule_id), 1);
    assert_null(rule(f, "cpu-hourly").last_error);
    assert_int_equal(sr_store_rule_submit_failed(f->s, f->rule_id, 2, T0 + HOUR, "throttled", T0), 1);
    assert_int_equal(sr_store_rule_clear_error(f->s, f->rule_id), 0); /* submissions are failing */
    sr_rule r = rule(f, "cpu-hourly");
    assert_int_equal(r.failures, 2);
    assert_true(r.retry_at == T0 + HOUR);
}

static void test_history_capped(void **state) {
    fixture *f = *state;
    sr_window w = {T0, T0 + HOUR};
    for (int i = 0; i < 250; i++) {
        assert_int_equal(sr_store_insert_operation(f->s, f->rule_id, opid(i), "SCHEDULE", 7, "Metrics", w, T0 + i), 1);
        /* every operation but #3 and #5 is done */
        if (i != 3 && i != 5)
            assert_int_equal(sr_store_operation_update(f->s, (int64_t)i + 1, "Completed", false, SR_NONE, NULL, T0), 1);
        assert_true(sr_store_prune_operations(f->s, f->rule_id) >= 0);
    }
    /* the newest 200, plus the two still open */
    assert_int_equal(count(f, "SELECT count(*) FROM summary_rule_operations"), 202);
    assert_int_equal(count(f, "SELECT min(id) FROM summary_rule_operations WHERE open = 0"), 51);
    assert_int_equal(count(f, "SELECT count(*) FROM summary_rule_operations WHERE open = 1"), 2);
    sr_operation *ops;
    size_t n;
    assert_int_equal(sr_store_operations(f->s, f->a, f->rule_id, &ops, &n), 0);
    assert_int_equal(n, 202);
    assert_string_equal(ops[0].operation_id, opid(249)); /* newest first */
    assert_int_equal(sr_store_open_operations(f->s, f->a, f->rule_id, 10, &ops, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ops[0].operation_id, opid(3)); /* oldest first */
    assert_string_equal(ops[0].state, "Submitted");
}

static void test_backfill_life(void **state) {
    fixture *f = *state;
    int64_t end = T0 + 3 * HOUR;
    assert_int_equal(sr_store_backfill_start(f->s, f->rule_id, T0, end, 1000), 0);
    assert_int_equal(sr_store_backfill_start(f->s, f->rule_id, T0, end, 1000), 1); /* one per rule */
    sr_rule r = rule(f, "cpu-hourly");
    assert_true(r.has_backfill);
    assert_string_equal(r.bf.state, "RUNNING");
    assert_null(r.bf.operation_id);
    /* window 0 submitted and completed: start advances by one interval */
    sr_window w = {T0, T0 + HOUR};
    assert_int_equal(sr_store_backfill_submitted(f->s, r.bf.id, w, opid(0)), 1);
    assert_int_equal(sr_store_backfill_submitted(f->s, r.bf.id, w, opid(1)), 0); /* one operation at a time */
    assert_int_equal(sr_store_backfill_completed(f->s, f->rule_id, opid(0)), 1);
    r = rule(f, "cpu-hourly");
    assert_true(r.bf.start == T0 + HOUR);
    assert_null(r.bf.operation_id);
    /* window 1: a retryable failure (does not count), then non-retryable ones up to the limit */
    w = (sr_window){T0 + HOUR, T0 + 2 * HOUR};
    assert_int_equal(sr_store_backfill_submitted(f->s, r.bf.id, w, opid(10)), 1);
    assert_int_equal(sr_store_backfill_failed(f->s, 0, f->rule_id, opid(10), false, T0, "should retry", 3), 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sr_store_backfill_submitted(f->s, r.bf.id, w, opid(11 + i)), 1);
        assert_string_equal(rule(f, "cpu-hourly").bf.state, "RUNNING");
        assert_int_equal(sr_store_backfill_failed(f->s, 0, f->rule_id, opid(11 + i), true, T0, "Failed: bad body", 3),
                         1);
    }
    r = rule(f, "cpu-hourly");
    assert_string_equal(r.bf.state, "FAILED");
    assert_string_equal(r.bf.message, "Failed: bad body");
    assert_int_equal(r.bf.failures, 4);
    assert_true(r.bf.start == T0 + HOUR); /* nothing lost */
    /* a FAILED backfill is replaced by a new one */
    assert_int_equal(sr_store_backfill_start(f->s, f->rule_id, T0 + 2 * HOUR, end, 1000), 0);
    r = rule(f, "cpu-hourly");
    assert_string_equal(r.bf.state, "RUNNING");
    assert_true(r.bf.start == T0 + 2 * HOUR);
    /* the last window completes; the backfill removes itself only once start >= end */
    assert_int_equal(sr_store_backfill_remove_done(f->s, f->rule_id), 0);
    w = (sr_window){T0 + 2 * HOUR, end};
    assert_int_equal(sr_store_backfill_submitted(f->s, r.bf.id, w, opid(20)), 1);
    assert_int_equal(sr_store_backfill_completed(f->s, f->rule_id, opid(20)), 1);
    assert_int_equal(sr_store_backfill_remove_done(f->s, f->rule_id), 1);
    assert_false(rule(f, "cpu-hourly").has_backfill);
    /* submission failures are matched by backfill id */
    assert_int_equal(sr_store_backfill_start(f->s, f->rule_id, T0, end, 1000), 0);
    r = rule(f, "cpu-hourly");
    assert_int_equal(sr_store_backfill_failed(f->s, r.bf.id, f->rule_id, NULL, false, T0 + HOUR, "429", 3), 1);
    assert_true(rule(f, "cpu-hourly").bf.retry_at == T0 + HOUR);
}

static void test_backfill_cancel_keeps_operation(void **state) {
    fixture *f = *state;
    assert_int_equal(sr_store_backfill_cancel(f->s, f->rule_id, T0), 1); /* none */
    assert_int_equal(sr_store_backfill_start(f->s, f->rule_id, T0, T0 + 2 * HOUR, 1000), 0);
    sr_rule r = rule(f, "cpu-hourly");
    sr_window w = {T0, T0 + HOUR};
    assert_int_equal(sr_store_insert_operation(f->s, f->rule_id, opid(5), "BACKFILL", 7, "Metrics", w, T0), 1);
    assert_int_equal(sr_store_backfill_submitted(f->s, r.bf.id, w, opid(5)), 1);
    assert_int_equal(sr_store_backfill_cancel(f->s, f->rule_id, T0 + 1), 0);
    assert_false(rule(f, "cpu-hourly").has_backfill);
    sr_operation *ops;
    size_t n;
    assert_int_equal(sr_store_open_operations(f->s, f->a, f->rule_id, 10, &ops, &n), 0);
    assert_int_equal(n, 1); /* still polled to its end */
    assert_string_equal(ops[0].message, "backfill cancelled: the operation is left to finish");
    /* its completion then matches no backfill */
    assert_int_equal(sr_store_backfill_completed(f->s, f->rule_id, opid(5)), 0);
}

static void test_rule_change_keeps_position(void **state) {
    fixture *f = *state;
    submit(f, 0);
    assert_int_equal(sr_store_rule_submit_failed(f->s, f->rule_id, 3, T0 + 9 * HOUR, "x", T0), 1);
    sr_rule_def d = {.name = "cpu-hourly",
                     .cluster_id = 7,
                     .database = "Metrics",
                     .table = "CpuDaily",
                     .body = "Cpu | summarize avg(Value)",
                     .interval_s = 86400,
                     .delay_s = 600,
                     .criteria = "{\"region\":[\"eastus\"]}"};
    bool created = true;
    char err[128];
    assert_int_equal(sr_store_rule_upsert(f->s, &d, 2000, &created, err, sizeof err), 0);
    assert_false(created);
    sr_rule r = rule(f, "cpu-hourly");
    assert_string_equal(r.table, "CpuDaily");
    assert_int_equal(r.interval_s, 86400);
    assert_int_equal(r.delay_s, 600);
    assert_string_equal(r.criteria, "{\"region\":[\"eastus\"]}");
    assert_string_equal(r.cluster_name, "hub");
    assert_true(r.next_start == T0 + HOUR); /* position kept */
    assert_int_equal(r.nwindows, 1);
    assert_int_equal(r.failures, 0); /* the old definition's backoff is dropped */
    assert_true(r.retry_at == 0);
    assert_int_equal(r.created_at, 1000);
    assert_int_equal(r.updated_at, 2000);
    /* the cluster cannot be deleted under a rule */
    char *e = NULL;
    assert_int_not_equal(sqlite3_exec(store_db(f->s), "DELETE FROM adx_clusters WHERE id = 7", NULL, NULL, &e),
                         SQLITE_OK);
    sqlite3_free(e);
    /* deleting the rule takes its windows, backfill and history */
    assert_int_equal(sr_store_backfill_start(f->s, f->rule_id, T0, T0 + HOUR, 1000), 0);
    assert_int_equal(sr_store_rule_delete(f->s, "cpu-hourly"), 0);
    assert_int_equal(sr_store_rule_delete(f->s, "cpu-hourly"), 1);
    assert_int_equal(count(f, "SELECT (SELECT count(*) FROM summary_rule_windows) + (SELECT count(*) FROM "
                              "summary_rule_operations) + (SELECT count(*) FROM summary_rule_backfills)"),
                     0);
    sr_rule *rules;
    size_t n;
    assert_int_equal(sr_store_rules(f->s, f->a, &rules, &n), 0);
    assert_int_equal(n, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_position_and_success_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_cleared_only_when_healthy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backfill_life, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backfill_cancel_keeps_operation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rule_change_keeps_position, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
