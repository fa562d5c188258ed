/* test_kafka_cleanup.c -- the cleanup job (kafka_cleanup_run) on a real temporary SQLite file, with
 * short thresholds from config and event timestamps in the past instead of sleeping: stale ohi/api
 * entities go and cloud ones stay, expired synthetic entities go, dead tenants go with their
 * entities, relationships go with their ends, work is done in batches of cfg->cleanup_batch, and the
 * counts reach /metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include <time.h>
#include <unistd.h>

#include "kafka/kafka.h"
#include "util/metrics.h"

typedef struct {
    test_store ts; /* fixture.h: temporary migrated store */
    store_t *s;
    config_t cfg;
    int64_t now;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    if (test_store_open(&f->ts, "cleanup") != 0) {
        free(f);
        return -1;
    }
    f->s = f->ts.s;
    f->cfg.max_batch_events = 1000;
    f->cfg.max_body_bytes = 1 << 20;
    f->cfg.reporting_window = 300;
    f->cfg.stale_threshold = 600; /* 10 minutes instead of 24 h */
    f->cfg.tenant_ttl = 3600;     /* 1 hour instead of 7 days */
    f->cfg.cleanup_batch = 3;
    f->cfg.lag_warning = 10000;
    f->cfg.lag_critical = 100000;
    f->now = (int64_t)time(NULL);
    test_exec(f->s, "INSERT INTO accounts(id, name, aws_integration, synthetic_permission, created_at) VALUES"
                   " (1, 'one', 1, 1, '2026-01-01T00:00:00Z');"
                   "INSERT INTO account_agents(account_id, agent_id) VALUES (1, 'agent-42');");
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    test_store_close(&f->ts);
    free(f);
    metrics_reset();
    return 0;
}

static long long count(fixture *f, const char *sql) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Appends one record `age` seconds old to a JSON array in b. */
static void add_record(buf_t *b, int64_t now, int64_t age, const char *key, const char *provider, const char *type,
                       const char *cluster, const char *member_field, const char *member) {
    char ts[32];
    time_t t = (time_t)(now - age);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    buf_puts(b, b->len > 1 ? "," : "");
    buf_printf(b,
               "{%s%s%s\"timestamp\":\"%s\",\"value\":{\"provider\":\"%s\",\"entityType\":\"%s\",\"accountId\":1,"
               "\"clusterName\":\"%s\",\"agentId\":\"agent-42\"",
               key ? "\"key\":\"" : "", key ? key : "", key ? "\"," : "", ts, provider, type, cluster);
    if (member_field) buf_printf(b, ",\"%s\":\"%s\"", member_field, member);
    buf_puts(b, "}}");
}

static void ingest(fixture *f, buf_t *b) {
    buf_putc(b, ']');
    arena_t *a = arena_new();
    principal_t p = {true, 1, 1, AUTH_ADMIN};
    request_ctx ctx = {.cfg = &f->cfg, .store = f->s, .principal = p, .arena = a, .now = f->now};
    buf_t out = BUF_INIT;
    char err[512] = "";
    kafka_ingest_code rc = kafka_ingest(&ctx, b->data, b->len, KAFKA_BODY_JSON, &out, err, sizeof err);
    if (rc != KAFKA_INGEST_OK || strstr(buf_cstr(&out), "\"rejected\":0") == NULL)
        fail_msg("ingest: %d %s %s", rc, err, buf_cstr(&out));
    buf_free(&out);
    arena_free(a);
}

static void test_stale_entities(void **state) {
    fixture *f = *state;
    buf_t b = BUF_INIT;
    buf_putc(&b, '[');
    /* 5 stale ohi brokers (an hour old), a stale api cluster, a fresh ohi broker, stale cloud
     * entities of every cloud provider. */
    for (int i = 0; i < 5; i++) {
        char id[8];
        snprintf(id, sizeof id, "%d", i);
        add_record(&b, f->now, 3600, NULL, "ohi", "KAFKA_BROKER", "old", "brokerId", id);
    }
    add_record(&b, f->now, 3600, NULL, "api", "KAFKA_CLUSTER", "synthetic-old", NULL, NULL);
    add_record(&b, f->now, 10, NULL, "ohi", "KAFKA_BROKER", "old", "brokerId", "fresh");
    add_record(&b, f->now, 3600, NULL, "aws-msk", "KAFKA_CLUSTER", "msk", NULL, NULL);
    add_record(&b, f->now, 3600, NULL, "azure-eventhubs", "KAFKA_TOPIC", "eh", "topic", "t");
    add_record(&b, f->now, 3600, NULL, "confluent-cloud", "KAFKA_CONSUMER_GROUP", "cc", "consumerGroup", "g");
    ingest(f, &b);
    buf_free(&b);
    assert_int_equal(count(f, "SELECT count(*) FROM entities"), 10);
    /* Each broker has a CONTAINS from its cluster (6), the topic a HOSTS (1). */
    assert_int_equal(count(f, "SELECT count(*) FROM relationships"), 7);

    assert_int_equal(kafka_cleanup_run(f->s, &f->cfg, NULL), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE provider IN ('OHI', 'API')"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE name = 'broker-fresh'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE provider IN ('AWS_MSK', 'AZURE_EVENTHUBS',"
                              " 'CONFLUENT_CLOUD')"),
                     3);
    /* Relationships went with the deleted brokers. */
    assert_int_equal(count(f, "SELECT count(*) FROM relationships"), 2);
    assert_true(sqlite3_get_autocommit(store_db(f->s)));

    buf_t m = BUF_INIT;
    metrics_render(&m);
    /* 6 rows in batches of 3: both batches full, then an empty one. */
    if (!strstr(buf_cstr(&m), "entityd_cleanup_deleted_total{reason=\"stale\"} 6"))
        fail_msg("metrics: %s", buf_cstr(&m));
    buf_free(&m);

    /* A second run finds nothing more. */
    assert_int_equal(kafka_cleanup_run(f->s, &f->cfg, NULL), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM entities"), 4);
}

static void test_expired_synthetic(void **state) {
    fixture *f = *state;
    char sql[1024];
    /* Synthetic entities as createSyntheticKafkaEntity stores them: expired, not yet expired. */
    snprintf(sql, sizeof sql,
             "INSERT INTO entities(guid, account_id, type, provider, name, cluster_name, synthetic, created_at,"
             " last_seen, expires_at) VALUES"
             " ('1|INFRA|KAFKA_TOPIC|a', 1, 'KAFKA_TOPIC', 'API', 'a', 'c', 1, %lld, %lld, %lld),"
             " ('1|INFRA|KAFKA_TOPIC|b', 1, 'KAFKA_TOPIC', 'API', 'b', 'c', 1, %lld, %lld, %lld),"
             " ('1|INFRA|KAFKA_TOPIC|c', 1, 'KAFKA_TOPIC', 'API', 'c', 'c', 1, %lld, %lld, %lld);"
             "INSERT INTO relationships(account_id, source_guid, target_guid, type, created_at) VALUES"
             " (1, 'x', '1|INFRA|KAFKA_TOPIC|a', 'HOSTS', 0);",
             (long long)f->now - 100, (long long)f->now - 100, (long long)f->now - 1, /* expired a second ago */
             (long long)f->now - 7200, (long long)f->now - 7200,
             (long long)f->now + 86400, /* stale by last_seen, but its TTL has not run out */
             (long long)f->now, (long long)f->now, (long long)f->now + 60);
    char *err = NULL;
    assert_int_equal(sqlite3_exec(store_db(f->s), sql, NULL, NULL, &err), SQLITE_OK);
    assert_int_equal(kafka_cleanup_run(f->s, &f->cfg, NULL), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE name = 'a'"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE name IN ('b', 'c')"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM relationships"), 0);
    buf_t m = BUF_INIT;
    metrics_render(&m);
    assert_non_null(strstr(buf_cstr(&m), "entityd_cleanup_deleted_total{reason=\"expired\"} 1"));
    buf_free(&m);
}

static void test_dead_tenants(void **state) {
    fixture *f = *state;
    buf_t b = BUF_INIT;
    buf_putc(&b, '[');
    /* af-10 silent for two hours (over the 1 h TTL): 7 entities of several providers, cloud ones
     * included. af-11 reported a minute ago. Entities without a tenant are not touched. */
    for (int i = 0; i < 5; i++) {
        char t[8];
        snprintf(t, sizeof t, "t%d", i);
        add_record(&b, f->now, 7200, "af-10::k", "azure-eventhubs", "KAFKA_TOPIC", "dead", "topic", t);
    }
    add_record(&b, f->now, 7200, "af-10::k", "aws-msk", "KAFKA_CLUSTER", "dead", NULL, NULL);
    add_record(&b, f->now, 7300, "af-10::k", "confluent-cloud", "KAFKA_CLUSTER", "dead2", NULL, NULL);
    add_record(&b, f->now, 60, "af-11::k", "azure-eventhubs", "KAFKA_TOPIC", "alive", "topic", "t");
    add_record(&b, f->now, 7200, "af-11::k", "aws-msk", "KAFKA_CLUSTER", "alive-old-cloud", NULL, NULL);
    add_record(&b, f->now, 7200, NULL, "azure-eventhubs", "KAFKA_CLUSTER", "no-tenant", NULL, NULL);
    ingest(f, &b);
    buf_free(&b);
    assert_int_equal(count(f, "SELECT count(*) FROM tenants"), 2);

    assert_int_equal(kafka_cleanup_run(f->s, &f->cfg, NULL), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM tenants"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM tenants WHERE id = 'af-11'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE tenant = 'af-10'"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE tenant = 'af-11'"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE tenant IS NULL"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM relationships r WHERE NOT EXISTS (SELECT 1 FROM entities e"
                              " WHERE e.guid = r.target_guid)"),
                     0);
    buf_t m = BUF_INIT;
    metrics_render(&m);
    assert_non_null(strstr(buf_cstr(&m), "entityd_cleanup_deleted_total{reason=\"tenant\"} 7"));
    assert_non_null(strstr(buf_cstr(&m), "entityd_cleanup_tenants_deleted_total 1"));
    buf_free(&m);

    /* A tenant that reports again after cleanup is discovered anew. */
    b = (buf_t)BUF_INIT;
    buf_putc(&b, '[');
    add_record(&b, f->now, 0, "af-10::k", "azure-eventhubs", "KAFKA_TOPIC", "dead", "topic", "t0");
    ingest(f, &b);
    buf_free(&b);
    assert_int_equal(kafka_cleanup_run(f->s, &f->cfg, NULL), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM tenants WHERE id = 'af-10'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE tenant = 'af-10'"), 1);
}

/* A cleanup batch never holds the write lock for more than cleanup_batch rows: with a batch of 3
 * and 10 stale rows the job commits 4 transactions of at most 3 entity deletions each. */
static int hook_pending, hook_max, hook_commits;

static void on_update(void *arg, int op, const char *db, const char *table, sqlite3_int64 rowid) {
    (void)arg;
    (void)db;
    (void)rowid;
    if (op == SQLITE_DELETE && strcmp(table, "entities") == 0) hook_pending++;
}

static int on_commit(void *arg) {
    (void)arg;
    if (hook_pending > 0) hook_commits++;
    if (hook_pending > hook_max) hook_max = hook_pending;
    hook_pending = 0;
    return 0;
}

static void test_batches_are_short(void **state) {
    fixture *f = *state;
    buf_t b = BUF_INIT;
    buf_putc(&b, '[');
    for (int i = 0; i < 10; i++) {
        char id[8];
        snprintf(id, sizeof id, "%d", i);
        add_record(&b, f->now, 3600, NULL, "ohi", "KAFKA_TOPIC", "c", "topic", id);
    }
    ingest(f, &b);
    buf_free(&b);
    hook_pending = hook_max = hook_commits = 0;
    sqlite3_update_hook(store_db(f->s), on_update, NULL);
    sqlite3_commit_hook(store_db(f->s), on_commit, NULL);
    assert_int_equal(kafka_cleanup_run(f->s, &f->cfg, NULL), 0);
    sqlite3_update_hook(store_db(f->s), NULL, NULL);
    sqlite3_commit_hook(store_db(f->s), NULL, NULL);
    assert_int_equal(count(f, "SELECT count(*) FROM entities"), 0);
    assert_int_equal(hook_commits, 4);
    assert_int_equal(hook_max, 3);
    buf_t m = BUF_INIT;
    metrics_render(&m);
    assert_non_null(strstr(buf_cstr(&m), "entityd_cleanup_deleted_total{reason=\"stale\"} 10"));
    buf_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stale_entities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_synthetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_tenants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batches_are_short, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
