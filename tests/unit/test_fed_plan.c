/* test_fed_plan.c -- the pure part of the federated role (src/federation/plan.c) and the heartbeat row
 * (heartbeat.c): heartbeat rows -> validated partitions (malicious names rejected, endpoints normalized and
 * merged), the desired {Database}_Partitions groups and functions, the exact text of every command, change
 * detection against what a hub reports, and the 1 MiB script batching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "federation/fed.h"
#include "federation/plan.h"

static bool has_error(const fed_errlist *e, const char *needle) {
    for (size_t i = 0; i < e->count; i++)
        if (strstr(e->items[i].message, needle) || strstr(e->items[i].scope, needle)) return true;
    return false;
}

static fed_partition parse(arena_t *a, fed_errlist *e, const char *ep, int64_t ts, const char *schema, int *rc) {
    fed_partition p;
    *rc = fed_parse_heartbeat(a, ep, ts, schema, schema ? strlen(schema) : 0, "{\"geo\":\"EU\"}", &p, e);
    return p;
}

static void test_parse_heartbeat(void **state) {
    (void)state;
    arena_t *a = arena_new();
    fed_errlist e;
    fed_errlist_init(&e, a, 1000);
    int rc;
    fed_partition p = parse(a, &e, "HTTPS://Eu.Kusto.Windows.NET/", 42,
                            "[{\"database\":\"Metrics\",\"tables\":[\"Mem\",\"Cpu\",\"Cpu\"],\"views\":[\"V\"]},"
                            "{\"database\":\"Logs\",\"tables\":null,\"views\":null,\"tableSchemas\":{}}]",
                            &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(e.count, 0);
    assert_string_equal(p.endpoint, "https://eu.kusto.windows.net");
    assert_int_equal(p.last_heartbeat, 42);
    assert_true(p.live);
    assert_int_equal(p.ndbs, 2);
    assert_string_equal(p.dbs[0].name, "Logs"); /* sorted */
    assert_int_equal(p.dbs[0].ntables, 0);
    assert_string_equal(p.dbs[1].name, "Metrics");
    assert_int_equal(p.dbs[1].ntables, 2);
    assert_string_equal(p.dbs[1].tables[0], "Cpu");
    assert_string_equal(p.dbs[1].tables[1], "Mem");
    assert_int_equal(p.dbs[1].nviews, 1);
    assert_string_equal(p.metadata, "{\"geo\":\"EU\"}");
    arena_free(a);
}

/* A partition must never be able to inject KQL into the hub (issue 8): bad names are errors and skipped. */
static void test_parse_rejects_malicious_names(void **state) {
    (void)state;
    arena_t *a = arena_new();
    fed_errlist e;
    fed_errlist_init(&e, a, 1000);
    int rc;
    fed_partition p = parse(a, &e, "https://p1.kusto.windows.net", 1,
                            "[{\"database\":\"Metrics\",\"tables\":[\"Good\",\"Bad') } | .drop table X //\","
                            "\"Quote'\",\"__reserved\",7],\"views\":[\"V\\nX\"]},"
                            "{\"database\":\"Db'); .drop database X\",\"tables\":[\"T\"]},"
                            "{\"tables\":[\"NoDb\"]}, 5]",
                            &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(p.ndbs, 1);
    assert_string_equal(p.dbs[0].name, "Metrics");
    assert_int_equal(p.dbs[0].ntables, 1);
    assert_string_equal(p.dbs[0].tables[0], "Good");
    assert_int_equal(p.dbs[0].nviews, 0);
    assert_true(has_error(&e, "Bad') } | .drop table X //"));
    assert_true(has_error(&e, "Quote'"));
    assert_true(has_error(&e, "__reserved"));
    assert_true(has_error(&e, "table[4] is not a string"));
    assert_true(has_error(&e, "view name \"V?X\""));
    assert_true(has_error(&e, "database name \"Db'); .drop database X\""));
    assert_true(has_error(&e, "Schema[2] has no \"database\""));
    assert_true(has_error(&e, "Schema[3] has no \"database\""));
    /* NUL inside a JSON string: the Schema is refused as a whole (never truncated to "a"). */
    size_t nerr = e.count;
    parse(a, &e, "https://p1.kusto.windows.net", 1, "[{\"database\":\"M\",\"tables\":[\"a\\u0000b\"]}]", &rc);
    assert_int_equal(rc, -1);
    assert_int_equal(e.count, nerr + 1);

    /* Endpoints: quotes, paths, user info and other schemes are refused; the row is skipped. */
    const char *bad[] = {"https://evil') , cluster('x",
                         "https://a.b/c",
                         "ftp://a.b",
                         "https://user@a.b",
                         "https://a b",
                         "",
                         "https://a..b",
                         "https://a.b:99999",
                         "https://a.b?x=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t before = e.count;
        parse(a, &e, bad[i], 1, "[]", &rc);
        assert_int_equal(rc, -1);
        assert_int_equal(e.count, before + 1);
    }
    /* A Schema that is not an array of databases skips the row. */
    parse(a, &e, "https://p2.kusto.windows.net", 1, "{\"database\":\"x\"}", &rc);
    assert_int_equal(rc, -1);
    parse(a, &e, "https://p2.kusto.windows.net", 1, "not json", &rc);
    assert_int_equal(rc, -1);
    parse(a, &e, "https://p2.kusto.windows.net", 1, NULL, &rc);
    assert_int_equal(rc, -1);
    /* PartitionMetadata that is not an object is ignored (with an error), the row is kept. */
    fed_partition q;
    size_t before = e.count;
    assert_int_equal(fed_parse_heartbeat(a, "https://p3.kusto.windows.net", 1, "[]", 2, "[1,2]", &q, &e), 0);
    assert_null(q.metadata);
    assert_int_equal(e.count, before + 1);
    arena_free(a);
}

static void test_parse_merges_duplicate_databases(void **state) {
    (void)state;
    arena_t *a = arena_new();
    fed_errlist e;
    fed_errlist_init(&e, a, 1000);
    int rc;
    fed_partition p = parse(a, &e, "https://p1.x", 1,
                            "[{\"database\":\"M\",\"tables\":[\"B\"]},{\"database\":\"M\",\"tables\":[\"A\",\"B\"],"
                            "\"views\":[\"V\"]}]",
                            &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(p.ndbs, 1);
    assert_int_equal(p.dbs[0].ntables, 2);
    assert_string_equal(p.dbs[0].tables[0], "A");
    assert_string_equal(p.dbs[0].tables[1], "B");
    assert_int_equal(p.dbs[0].nviews, 1);
    arena_free(a);
}

static void test_merge_partitions(void **state) {
    (void)state;
    arena_t *a = arena_new();
    fed_errlist e;
    fed_errlist_init(&e, a, 1000);
    int rc;
    fed_partition p[4];
    p[0] = parse(a, &e, "https://B.x/", 10, "[{\"database\":\"Old\"}]", &rc);
    p[1] = parse(a, &e, "https://a.x", 5, "[]", &rc);
    p[2] = parse(a, &e, "https://b.x", 20, "[{\"database\":\"New\"}]", &rc);
    p[3] = parse(a, &e, "HTTPS://B.X", 15, "[{\"database\":\"Mid\"}]", &rc);
    size_t n = fed_merge_partitions(p, 4);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].endpoint, "https://a.x");
    assert_string_equal(p[1].endpoint, "https://b.x");
    assert_int_equal(p[1].last_heartbeat, 20); /* the latest heartbeat wins */
    assert_string_equal(p[1].dbs[0].name, "New");
    arena_free(a);
}

static void two_partitions(arena_t *a, fed_partition p[2]) {
    fed_errlist e;
    fed_errlist_init(&e, a, 1000);
    int rc;
    p[0] = parse(
        a, &e, "https://p2.kusto.windows.net", 1,
        "[{\"database\":\"Metrics\",\"tables\":[\"Cpu\",\"Disk\"]},{\"database\":\"Logs\",\"tables\":[\"App\"]}]", &rc);
    p[1] = parse(a, &e, "https://p1.kusto.windows.net", 1,
                 "[{\"database\":\"Metrics\",\"tables\":[\"Cpu\",\"my-table\"],\"views\":[\"CpuView\"]}]", &rc);
    assert_int_equal(e.count, 0);
}

static void test_plan(void **state) {
    (void)state;
    arena_t *a = arena_new();
    fed_partition p[2];
    two_partitions(a, p);
    fed_errlist e;
    fed_errlist_init(&e, a, 1000);
    fed_plan plan;
    fed_plan_build(a, p, 2, "fed_", &plan, &e);
    assert_int_equal(e.count, 0);
    assert_int_equal(plan.ndbs, 2);
    assert_int_equal(plan.nfns, 5);
    const fed_want_db *logs = fed_plan_db(&plan, "Logs");
    assert_non_null(logs);
    assert_string_equal(logs->group, "Logs_Partitions");
    assert_int_equal(logs->nendpoints, 1);
    assert_string_equal(logs->endpoints[0], "https://p2.kusto.windows.net");
    const fed_want_db *m = fed_plan_db(&plan, "Metrics");
    assert_non_null(m);
    assert_int_equal(m->nendpoints, 2);
    assert_string_equal(m->endpoints[0], "https://p1.kusto.windows.net"); /* sorted */
    assert_string_equal(m->endpoints[1], "https://p2.kusto.windows.net");
    assert_int_equal(m->nfns, 4);
    const char *names[] = {"fed_Cpu", "fed_CpuView", "fed_Disk", "fed_my-table"};
    size_t counts[] = {2, 1, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(m->fns[i].function, names[i]);
        assert_int_equal(m->fns[i].nendpoints, counts[i]);
    }
    assert_string_equal(m->fns[2].endpoints[0], "https://p2.kusto.windows.net"); /* only who has Disk */
    assert_null(fed_plan_db(&plan, "Traces"));

    /* Not live: not planned. */
    p[0].live = false;
    fed_plan_build(a, p, 2, "", &plan, &e);
    assert_int_equal(plan.ndbs, 1);
    assert_string_equal(plan.dbs[0].database, "Metrics");
    assert_int_equal(plan.dbs[0].nendpoints, 1);
    assert_string_equal(plan.dbs[0].fns[0].function, "Cpu");

    /* A prefix that makes the name invalid (over 1024 characters) is an error, the function skipped. */
    char prefix[1100];
    memset(prefix, 'p', sizeof prefix - 1);
    prefix[sizeof prefix - 1] = '\0';
    fed_plan_build(a, p, 2, prefix, &plan, &e);
    assert_int_equal(plan.nfns, 0);
    assert_true(has_error(&e, "is not a valid Kusto name"));
    arena_free(a);
}

static void test_command_text(void **state) {
    (void)state;
    arena_t *a = arena_new();
    fed_partition p[2];
    two_partitions(a, p);
    fed_errlist e;
    fed_errlist_init(&e, a, 1000);
    fed_plan plan;
    fed_plan_build(a, p, 2, "fed_", &plan, &e);
    const fed_want_db *m = fed_plan_db(&plan, "Metrics");
    assert_string_equal(fed_group_command(a, "create", m),
                        ".create entity_group Metrics_Partitions (cluster('https://p1.kusto.windows.net')"
                        ".database('Metrics'), cluster('https://p2.kusto.windows.net').database('Metrics'))");
    assert_string_equal(fed_group_command(a, "alter", fed_plan_db(&plan, "Logs")),
                        ".alter entity_group Logs_Partitions (cluster('https://p2.kusto.windows.net')"
                        ".database('Logs'))");
    assert_string_equal(fed_group_drop_command(a, "Old_Partitions"), ".drop entity_group Old_Partitions");
    assert_string_equal(fed_group_drop_command(a, "my-db_Partitions"), ".drop entity_group ['my-db_Partitions']");
    assert_string_equal(fed_entity_ref(a, "https://x", "D"), "cluster('https://x').database('D')");
    assert_null(fed_entity_ref(a, "https://x'", "D"));

    const fed_want_fn *cpu = &m->fns[0];
    const char *body = fed_function_body(a, m, cpu, true);
    assert_string_equal(body, "{ macro-expand isfuzzy=true entity_group [cluster('https://p1.kusto.windows.net')"
                              ".database('Metrics'), cluster('https://p2.kusto.windows.net').database('Metrics')] "
                              "as X ( X.Cpu ) }");
    assert_string_equal(fed_function_body(a, m, &m->fns[3], false),
                        "{ macro-expand entity_group [cluster('https://p1.kusto.windows.net').database('Metrics')] "
                        "as X ( X.['my-table'] ) }");
    const char *doc = fed_function_docstring(a, m, cpu);
    assert_string_equal(doc, "Federated fed_Cpu: Cpu of database Metrics across the live partitions (entityd "
                             "federation)");
    assert_string_equal(fed_function_command(a, "fed_Cpu", "federation_facades", "d\"q", "{ x }"),
                        ".create-or-alter function with (folder=\"federation_facades\", docstring=\"d\\\"q\", "
                        "skipvalidation=\"true\") fed_Cpu() { x }");
    assert_string_equal(fed_function_command(a, "fed_my-table", "a\\b", "d", "{ x }"),
                        ".create-or-alter function with (folder=\"a\\\\b\", docstring=\"d\", skipvalidation=\"true\") "
                        "['fed_my-table']() { x }");
    assert_string_equal(fed_function_drop_command(a, "fed_Cpu"), ".drop function fed_Cpu ifexists");
    assert_string_equal(fed_function_drop_command(a, "count"), ".drop function ['count'] ifexists");
    arena_free(a);
}

static void test_change_detection(void **state) {
    (void)state;
    arena_t *a = arena_new();
    fed_partition p[2];
    two_partitions(a, p);
    fed_errlist e;
    fed_errlist_init(&e, a, 1000);
    fed_plan plan;
    fed_plan_build(a, p, 2, "", &plan, &e);
    const fed_want_db *m = fed_plan_db(&plan, "Metrics");
    /* Same members in another order, quote style, spacing and endpoint case: unchanged. */
    assert_true(fed_members_equal(a, m,
                                  "[\"cluster('https://p2.kusto.windows.net').database('Metrics')\","
                                  "\"cluster(\\\"HTTPS://P1.kusto.windows.net/\\\") . database('Metrics')\"]"));
    /* The same array sent as a string holding JSON (Entities declared string in Kusto.Language). */
    assert_true(fed_members_equal(a, m,
                                  "\"[\\\"cluster('https://p1.kusto.windows.net').database('Metrics')\\\","
                                  "\\\"cluster('https://p2.kusto.windows.net').database('Metrics')\\\"]\""));
    assert_false(fed_members_equal(a, m, "[\"cluster('https://p1.kusto.windows.net').database('Metrics')\"]"));
    assert_false(fed_members_equal(a, m,
                                   "[\"cluster('https://p1.kusto.windows.net').database('Metrics')\","
                                   "\"cluster('https://p3.kusto.windows.net').database('Metrics')\"]"));
    assert_false(fed_members_equal(a, m,
                                   "[\"cluster('https://p1.kusto.windows.net').database('Logs')\","
                                   "\"cluster('https://p2.kusto.windows.net').database('Metrics')\"]"));
    assert_false(fed_members_equal(a, m, "not json"));
    assert_false(fed_members_equal(a, m, "[1,2]"));
    assert_false(fed_members_equal(a, m, NULL));
    /* Duplicates in the hub's answer still mean the same set. */
    assert_true(fed_members_equal(a, m,
                                  "[\"cluster('https://p1.kusto.windows.net').database('Metrics')\","
                                  "\"cluster('https://p1.kusto.windows.net').database('Metrics')\","
                                  "\"cluster('https://p2.kusto.windows.net').database('Metrics')\"]"));

    assert_true(
        fed_body_equal("{ macro-expand entity_group [a] as X ( X.T ) }", "{macro-expand entity_group [a] as X (X.T)}"));
    assert_true(fed_body_equal("{ a  b\n c }", "{ a b c }"));
    assert_false(fed_body_equal("{ ab }", "{ a b }"));
    assert_false(fed_body_equal("{ X.T }", "{ X.U }"));
    assert_false(fed_body_equal("{ X.T }", NULL));

    assert_true(fed_function_is_ours("fed_T", "federation_facades", "federation_facades", "fed_"));
    assert_false(fed_function_is_ours("T", "federation_facades", "federation_facades", "fed_"));
    assert_false(fed_function_is_ours("fed_T", "other", "federation_facades", "fed_"));
    assert_true(fed_function_is_ours("T", "federation_facades", "federation_facades", ""));
    assert_false(fed_function_is_ours("T", "", "federation_facades", ""));
    arena_free(a);
}

static void test_batching(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const size_t head = strlen(FED_SCRIPT_HEAD);
    /* Five statements of 100 bytes each (+4 framing): two fit under the limit after the header, three do not. */
    char *stmts[6];
    for (int i = 0; i < 5; i++) {
        stmts[i] = arena_alloc(a, 101);
        memset(stmts[i], 'a' + i, 100);
    }
    stmts[5] = arena_alloc(a, 400); /* too big for any script */
    memset(stmts[5], 'z', 399);
    bool too_big[6];
    fed_batch *b;
    size_t nb;
    size_t max = head + 2 * 104 + 1;
    fed_batch_statements(a, (const char *const *)stmts, 6, max, &b, &nb, too_big);
    assert_int_equal(nb, 3);
    assert_true(too_big[5]);
    for (int i = 0; i < 5; i++)
        assert_false(too_big[i]);
    size_t seen = 0;
    for (size_t i = 0; i < nb; i++) {
        assert_true(b[i].len < max);
        assert_int_equal(strlen(b[i].text), b[i].len);
        assert_memory_equal(b[i].text, FED_SCRIPT_HEAD, head);
        for (size_t k = 0; k < b[i].count; k++) {
            assert_int_equal(b[i].index[k], seen);
            /* Each statement follows a "//" line, in order. */
            char *want = arena_printf(a, "//\n%s\n", stmts[seen]);
            assert_non_null(strstr(b[i].text, want));
            seen++;
        }
    }
    assert_int_equal(seen, 5);
    assert_int_equal(b[2].count, 1);

    /* The real limit: 1 MiB. 300 statements of 9 KiB (the bench's 200-endpoint functions) need 3 scripts. */
    char **big = arena_alloc(a, 300 * sizeof *big);
    for (int i = 0; i < 300; i++) {
        big[i] = arena_alloc(a, 9001);
        memset(big[i], 'x', 9000);
    }
    bool tb[300];
    fed_batch_statements(a, (const char *const *)big, 300, FED_SCRIPT_MAX_BYTES, &b, &nb, tb);
    assert_int_equal(nb, 3);
    for (size_t i = 0; i < nb; i++)
        assert_true(b[i].len < FED_SCRIPT_MAX_BYTES);
    assert_int_equal(b[0].count + b[1].count + b[2].count, 300);
    /* Nothing to send: no script. */
    /* Exactly at the limit is one byte too many: the statement is split off / refused. */
    fed_batch_statements(a, (const char *const *)stmts, 2, head + 2 * 104, &b, &nb, too_big);
    assert_int_equal(nb, 2);
    const char *one[] = {stmts[0]};
    fed_batch_statements(a, one, 1, head + 104, &b, &nb, too_big);
    assert_true(too_big[0]);
    assert_int_equal(nb, 0);
    fed_batch_statements(a, one, 1, head + 105, &b, &nb, too_big);
    assert_false(too_big[0]);
    assert_int_equal(nb, 1);
    assert_int_equal(b[0].len, head + 104);
    fed_batch_statements(a, NULL, 0, FED_SCRIPT_MAX_BYTES, &b, &nb, tb);
    assert_int_equal(nb, 0);
    arena_free(a);
}

static void test_heartbeat_row(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const char *tables[] = {"A", "B"};
    const char *views[] = {"V"};
    fed_pdb dbs[] = {{"Logs", NULL, 0, NULL, 0}, {"Metrics", tables, 2, views, 1}};
    const char *schema = fed_schema_json(a, dbs, 2);
    assert_string_equal(schema, "[{\"database\":\"Logs\",\"tables\":[],\"views\":[]},"
                                "{\"database\":\"Metrics\",\"tables\":[\"A\",\"B\"],\"views\":[\"V\"]}]");
    /* 2030-01-01T00:00:00Z in ticks */
    int64_t ts = INT64_C(1893456000) * 10000000 + 1234567;
    const char *row = fed_heartbeat_row(a, ts, "https://p1.x", "[{\"database\":\"D\",\"tables\":[\"T\"]}]",
                                        "{\"geo\":\"EU\",\"n\":\"a,b\"}");
    assert_string_equal(row, "2030-01-01T00:00:00.1234567Z,https://p1.x,"
                             "\"[{\"\"database\"\":\"\"D\"\",\"\"tables\"\":[\"\"T\"\"]}]\","
                             "\"{\"\"geo\"\":\"\"EU\"\",\"\"n\"\":\"\"a,b\"\"}\"");
    assert_string_equal(fed_heartbeat_row(a, ts, "https://p1.x", "[]", NULL),
                        "2030-01-01T00:00:00.1234567Z,https://p1.x,[],{}");
    assert_string_equal(fed_heartbeat_command(a, "Heartbeats", "r"), ".ingest inline into table Heartbeats <| r");
    assert_string_equal(fed_heartbeat_command(a, "count", "r"), ".ingest inline into table ['count'] <| r");
    arena_free(a);
}

static void test_errlist_bounded(void **state) {
    (void)state;
    arena_t *a = arena_new();
    fed_errlist e;
    fed_errlist_init(&e, a, 7);
    for (int i = 0; i < FED_MAX_ERRORS + 50; i++)
        fed_err(&e, "s", "error %d", i);
    assert_int_equal(e.count, FED_MAX_ERRORS);
    assert_int_equal(e.dropped, 50);
    assert_int_equal(e.items[0].at, 7);
    char big[3000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    fed_errlist_init(&e, a, 7);
    fed_err(&e, "s", "%s", big);
    assert_int_equal(strlen(e.items[0].message), 1000);
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_heartbeat),
        cmocka_unit_test(test_parse_rejects_malicious_names),
        cmocka_unit_test(test_parse_merges_duplicate_databases),
        cmocka_unit_test(test_merge_partitions),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_command_text),
        cmocka_unit_test(test_change_detection),
        cmocka_unit_test(test_batching),
        cmocka_unit_test(test_heartbeat_row),
        cmocka_unit_test(test_errlist_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
