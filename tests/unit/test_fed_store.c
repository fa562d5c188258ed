/* test_fed_store.c -- the federation module's SQL (src/federation/store.c) on a real SQLite file with the
 * real migrations: cluster upserts (idempotent, results of still-configured targets kept, removed ones
 * pruned), heartbeat and database results, deletion (cascade, and refusal while a SummaryRule uses the
 * cluster), the status of a reconcile saved and loaded (zero-heartbeat protection keeps the groups and
 * functions), errors bounded per cluster, and the status of all federated clusters together. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "federation/store.h"
#include "store/store.h"

static char db_path[64];

static int setup(void **state) {
    snprintf(db_path, sizeof db_path, "/tmp/test_fed_store_XXXXXX");
    int fd = mkstemp(db_path);
    if (fd < 0) return -1;
    close(fd);
    char err[256];
    store_t *st = store_open(db_path, err, sizeof err);
    if (!st || store_migrate(st, err, sizeof err) != 0) return -1;
    *state = st;
    return 0;
}

static int teardown(void **state) {
    store_close(*state);
    char side[80];
    unlink(db_path);
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    return 0;
}

static adx_cluster partition(const char *name, adx_target *targets, size_t n, adx_database *dbs, size_t ndbs) {
    adx_cluster c;
    memset(&c, 0, sizeof c);
    c.name = name;
    c.endpoint = "https://p.kusto.windows.net";
    c.role = ADX_ROLE_PARTITION;
    c.best_effort = -1;
    c.source = "api";
    c.targets = targets;
    c.ntargets = n;
    c.databases = dbs;
    c.ndatabases = ndbs;
    return c;
}

static void test_cluster_put(void **state) {
    store_t *st = *state;
    char err[256];
    arena_t *a = arena_new();
    adx_target t[2] = {{.endpoint = "https://hub1.x", .heartbeat_database = "D", .heartbeat_table = "T"},
                       {.endpoint = "https://hub2.x", .heartbeat_database = "D", .heartbeat_table = "T"}};
    adx_database d[1] = {{.name = "Logs", .telemetry_type = "Logs", .retention_days = 30}};
    adx_cluster c = partition("p", t, 2, d, 1);
    c.auth.kind = KUSTO_AUTH_TOKEN;
    c.auth.token = "tok";
    bool changed;
    assert_int_equal(fed_store_cluster_put(st, &c, 100, &changed, err, sizeof err), 0);
    assert_true(changed);
    assert_true(c.id > 0);
    assert_int_equal(fed_store_cluster_put(st, &c, 200, &changed, err, sizeof err), 0);
    assert_false(changed); /* identical: nothing written */

    assert_int_equal(fed_store_target_result(st, c.id, &t[0], 150, NULL), 0);
    assert_int_equal(fed_store_target_result(st, c.id, &t[1], 150, "ingest failed"), 0);
    assert_int_equal(fed_store_target_result(st, c.id, &t[0], 160, "later failure"), 0);
    assert_int_equal(fed_store_database_result(st, c.id, "Logs", 1, 7, 150, NULL), 0);
    adx_cluster got;
    assert_int_equal(fed_store_cluster_get(st, a, "p", 0, &got, err, sizeof err), 0);
    assert_string_equal(got.auth.token, "tok");
    assert_int_equal(got.ntargets, 2);
    assert_int_equal(got.targets[0].last_sent_at, 150); /* kept from the success */
    assert_int_equal(got.targets[0].last_attempt_at, 160);
    assert_string_equal(got.targets[0].last_error, "later failure");
    assert_int_equal(got.targets[1].last_sent_at, 0);
    assert_int_equal(got.databases[0].exists, 1);
    assert_int_equal(got.databases[0].actual_retention_days, 7);
    assert_int_equal(got.created_at, 100);

    /* Re-configured: hub2 removed, hub1 kept with its results, one new target; the database swapped. */
    adx_target t2[2] = {{.endpoint = "https://hub3.x", .heartbeat_database = "D", .heartbeat_table = "T"},
                        {.endpoint = "https://hub1.x", .heartbeat_database = "D", .heartbeat_table = "T"}};
    adx_database d2[1] = {{.name = "Metrics", .telemetry_type = "Metrics", .retention_days = 90}};
    adx_cluster c2 = partition("p", t2, 2, d2, 1);
    assert_int_equal(fed_store_cluster_put(st, &c2, 300, &changed, err, sizeof err), 0);
    assert_true(changed);
    assert_int_equal(c2.id, c.id);
    assert_int_equal(fed_store_cluster_get(st, a, "p", 0, &got, err, sizeof err), 0);
    assert_int_equal(got.auth.kind, KUSTO_AUTH_NONE);
    assert_null(got.auth.token);
    assert_int_equal(got.ntargets, 2);
    assert_string_equal(got.targets[0].endpoint, "https://hub3.x"); /* configured order */
    assert_string_equal(got.targets[1].endpoint, "https://hub1.x");
    assert_int_equal(got.targets[1].last_sent_at, 150);
    assert_int_equal(got.ndatabases, 1);
    assert_string_equal(got.databases[0].name, "Metrics");
    assert_int_equal(got.databases[0].exists, -1);
    assert_int_equal(got.created_at, 100);
    assert_int_equal(got.updated_at, 300);

    adx_cluster *all;
    size_t n;
    adx_cluster other = partition("a-first", NULL, 0, NULL, 0);
    assert_int_equal(fed_store_cluster_put(st, &other, 400, &changed, err, sizeof err), 0);
    assert_int_equal(fed_store_cluster_list(st, a, &all, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(all[0].name, "a-first");
    assert_int_equal(all[1].ntargets, 2);
    arena_free(a);
}

static void test_delete(void **state) {
    store_t *st = *state;
    char err[512];
    bool changed;
    adx_target t[1] = {{.endpoint = "https://hub1.x", .heartbeat_database = "D", .heartbeat_table = "T"}};
    adx_cluster c = partition("gone", t, 1, NULL, 0);
    assert_int_equal(fed_store_cluster_put(st, &c, 100, &changed, err, sizeof err), 0);
    assert_int_equal(fed_store_cluster_delete(st, "gone", err, sizeof err), 0);
    assert_int_equal(fed_store_cluster_delete(st, "gone", err, sizeof err), 1);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM adx_heartbeat_targets", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0); /* cascaded */
    sqlite3_finalize(q);

    /* A SummaryRule that uses the cluster (migration 0005's summary_rules) blocks the delete. */
    adx_cluster used = partition("used", NULL, 0, NULL, 0);
    assert_int_equal(fed_store_cluster_put(st, &used, 100, &changed, err, sizeof err), 0);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO summary_rules (name, cluster_id, database_name, table_name, body, interval_s, created_at,"
             " updated_at) VALUES ('hourly', %lld, 'D', 'T', 'T', 3600, 0, 0), ('daily', %lld, 'D', 'T', 'T', 86400, 0, 0)",
             (long long)used.id, (long long)used.id);
    assert_int_equal(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(fed_store_cluster_delete(st, "used", err, sizeof err), 2);
    assert_non_null(strstr(err, "daily, hourly"));
    arena_t *a = arena_new();
    adx_cluster got;
    assert_int_equal(fed_store_cluster_get(st, a, "used", 0, &got, err, sizeof err), 0);
    arena_free(a);
}

static void test_status(void **state) {
    store_t *st = *state;
    char err[256];
    bool changed;
    arena_t *a = arena_new();
    adx_cluster hub = partition("hub", NULL, 0, NULL, 0);
    hub.role = ADX_ROLE_FEDERATED;
    hub.heartbeat_database = "D";
    hub.heartbeat_table = "T";
    assert_int_equal(fed_store_cluster_put(st, &hub, 100, &changed, err, sizeof err), 0);

    const char *tables[] = {"Cpu"};
    fed_pdb dbs[] = {{"Metrics", tables, 1, NULL, 0}};
    fed_partition parts[] = {{"https://p1.x", INT64_C(1000) * 10000000, true, dbs, 1, "{\"geo\":\"EU\"}"}};
    const char *members[] = {"cluster('https://p1.x').database('Metrics')"};
    fed_group_status groups[] = {{"Metrics_Partitions", "Metrics", members, 1, 1000}};
    const char *eps[] = {"https://p1.x"};
    fed_function_status fns[] = {{"fed_Cpu", "Metrics", "Cpu", eps, 1, 1000}};
    fed_error errs[] = {{1000, "database Logs", "it failed"}};
    fed_status s = {.cluster_id = hub.id,
                    .last_reconcile_at = 1000,
                    .ok = true,
                    .duration_ms = 12,
                    .partitions = parts,
                    .npartitions = 1,
                    .groups = groups,
                    .ngroups = 1,
                    .functions = fns,
                    .nfunctions = 1,
                    .errors = errs,
                    .nerrors = 1};
    assert_int_equal(fed_store_status_save(st, &s, false), 0);

    fed_status got;
    assert_int_equal(fed_store_status_load(st, a, hub.id, &got, err, sizeof err), 0);
    assert_int_equal(got.last_reconcile_at, 1000);
    assert_false(got.zero_heartbeat_protection);
    assert_int_equal(got.npartitions, 1);
    assert_string_equal(got.partitions[0].endpoint, "https://p1.x");
    assert_int_equal(got.partitions[0].last_heartbeat, INT64_C(1000) * 10000000);
    assert_string_equal(got.partitions[0].dbs[0].tables[0], "Cpu");
    assert_string_equal(got.partitions[0].metadata, "{\"geo\":\"EU\"}");
    assert_int_equal(got.ngroups, 1);
    assert_string_equal(got.groups[0].members[0], members[0]);
    assert_int_equal(got.nfunctions, 1);
    assert_string_equal(got.functions[0].endpoints[0], "https://p1.x");
    assert_int_equal(got.nerrors, 1);
    int64_t at = 0;
    assert_int_equal(
        fed_store_group_updated(st, hub.id, "Metrics", "[\"cluster('https://p1.x').database('Metrics')\"]", &at), 1);
    assert_int_equal(at, 1000);
    assert_int_equal(fed_store_group_updated(st, hub.id, "Metrics", "[]", &at), 0);
    assert_int_equal(fed_store_function_updated(st, hub.id, "Metrics", "fed_Cpu", "[\"https://p1.x\"]", &at), 1);

    /* Zero-heartbeat protection: the partitions change (not live), groups and functions stay. */
    parts[0].live = false;
    fed_status z = {.cluster_id = hub.id,
                    .last_reconcile_at = 2000,
                    .zero_heartbeat_protection = true,
                    .ok = true,
                    .partitions = parts,
                    .npartitions = 1};
    assert_int_equal(fed_store_status_save(st, &z, true), 0);
    assert_int_equal(fed_store_status_load(st, a, hub.id, &got, err, sizeof err), 0);
    assert_true(got.zero_heartbeat_protection);
    assert_false(got.partitions[0].live);
    assert_int_equal(got.ngroups, 1);
    assert_int_equal(got.nfunctions, 1);

    /* Errors are bounded per cluster, newest first. */
    fed_error many[150];
    for (int i = 0; i < 150; i++)
        many[i] = (fed_error){3000 + i, "s", arena_printf(a, "error %d", i)};
    assert_int_equal(fed_store_errors_add(st, hub.id, many, 150), 0);
    assert_int_equal(fed_store_status_load(st, a, hub.id, &got, err, sizeof err), 0);
    assert_int_equal(got.nerrors, FED_KEEP_ERRORS);
    assert_string_equal(got.errors[0].message, "error 149");
    assert_int_equal(got.errors[0].at, 3149);

    /* All federated clusters together: lists concatenated, the latest time, protection if any. */
    adx_cluster hub2 = hub;
    hub2.name = "hub2";
    hub2.id = 0;
    assert_int_equal(fed_store_cluster_put(st, &hub2, 100, &changed, err, sizeof err), 0);
    fed_status s2 = {.cluster_id = hub2.id, .last_reconcile_at = 5000, .ok = false, .groups = groups, .ngroups = 1};
    assert_int_equal(fed_store_status_save(st, &s2, false), 0);
    assert_int_equal(fed_store_status_load(st, a, 0, &got, err, sizeof err), 0);
    assert_int_equal(got.last_reconcile_at, 5000);
    assert_true(got.zero_heartbeat_protection);
    assert_false(got.ok);
    assert_int_equal(got.ngroups, 2);
    /* A hub turned partition loses its reconcile status (but keeps its errors). */
    adx_cluster demoted = hub2;
    demoted.role = ADX_ROLE_PARTITION;
    demoted.heartbeat_database = demoted.heartbeat_table = NULL;
    assert_int_equal(fed_store_cluster_put(st, &demoted, 150, &changed, err, sizeof err), 0);
    assert_true(changed);
    assert_int_equal(fed_store_status_load(st, a, hub2.id, &got, err, sizeof err), 0);
    assert_int_equal(got.last_reconcile_at, 0);
    assert_int_equal(got.ngroups, 0);
    assert_int_equal(fed_store_cluster_put(st, &hub2, 160, &changed, err, sizeof err), 0);
    assert_int_equal(fed_store_status_save(st, &s2, false), 0);
    /* Deleting a hub removes its status. */
    assert_int_equal(fed_store_cluster_delete(st, "hub2", err, sizeof err), 0);
    assert_int_equal(fed_store_status_load(st, a, 0, &got, err, sizeof err), 0);
    assert_int_equal(got.last_reconcile_at, 2000);
    assert_int_equal(got.ngroups, 1);
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cluster_put, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
