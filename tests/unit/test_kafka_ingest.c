/* test_kafka_ingest.c -- POST /v1/events processing (kafka_ingest) against a real temporary SQLite
 * file: a mixed batch of every provider and entity type, tenants, metric mapping, relationships,
 * every rejection path next to good records, idempotent updates and lifecycle, NDJSON, 400/401/413,
 * and the batch being one transaction (a failing write stores nothing; a 202 is durable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include <jansson.h>
#include <time.h>
#include <unistd.h>

#include "kafka/identity.h"
#include "kafka/kafka.h"
#include "kafka/lifecycle.h"
#include "util/metrics.h"

typedef struct {
    test_store ts; /* fixture.h: temporary migrated store */
    store_t *s;
    config_t cfg;
    int64_t now;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    if (test_store_open(&f->ts, "ingest") != 0) {
        free(f);
        return -1;
    }
    f->s = f->ts.s;
    f->cfg.max_batch_events = 50;
    f->cfg.max_body_bytes = 1 << 20;
    f->cfg.reporting_window = 300;
    f->cfg.stale_threshold = 86400;
    f->cfg.tenant_ttl = 604800;
    f->cfg.cleanup_batch = 500;
    f->cfg.lag_warning = 10000;
    f->cfg.lag_critical = 100000;
    f->now = (int64_t)time(NULL);
    /* Account 1 can do everything; account 2 has no AWS integration and no synthetic permission;
     * account 3 has the AWS integration only. */
    test_exec(f->s, "INSERT INTO accounts(id, name, aws_integration, synthetic_permission, created_at) VALUES"
                   " (1, 'one', 1, 1, '2026-01-01T00:00:00Z'), (2, 'two', 0, 0, '2026-01-01T00:00:00Z'),"
                   " (3, 'three', 1, 0, '2026-01-01T00:00:00Z');"
                   "INSERT INTO account_agents(account_id, agent_id) VALUES (1, 'agent-42'), (2, 'agent-7');");
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

static principal_t key_of(int64_t account, auth_level_t level) {
    principal_t p = {true, 1, account, level};
    return p;
}

/* Runs kafka_ingest; returns the parsed response (caller decrefs) and the status. */
/* Runs one batch; *status gets the kafka_ingest_code. The result is the summary JSON on
 * KAFKA_INGEST_OK, else {"message": why}. */
static json_t *ingest_as(fixture *f, principal_t p, const char *body, const char *ctype, int *status) {
    arena_t *a = arena_new();
    request_ctx ctx = {.cfg = &f->cfg, .store = f->s, .principal = p, .arena = a, .now = f->now};
    buf_t out = BUF_INIT;
    char err[512] = "";
    kafka_body_format fmt = strncmp(ctype, "application/x-ndjson", 20) == 0 ? KAFKA_BODY_NDJSON : KAFKA_BODY_JSON;
    *status = (int)kafka_ingest(&ctx, body, strlen(body), fmt, &out, err, sizeof err);
    json_t *resp;
    if (*status == KAFKA_INGEST_OK) {
        json_error_t jerr;
        resp = json_loads(buf_cstr(&out), 0, &jerr);
        if (!resp) fprintf(stderr, "# response is not JSON: %s\n", buf_cstr(&out));
    } else {
        assert_int_equal(out.len, 0); /* nothing written on failure */
        assert_true(err[0] != '\0');  /* always a reason */
        resp = json_pack("{s:s}", "message", err);
    }
    assert_non_null(resp);
    buf_free(&out);
    arena_free(a);
    return resp;
}

static json_t *ingest(fixture *f, const char *body, int *status) {
    return ingest_as(f, key_of(1, AUTH_ADMIN), body, "application/json", status);
}

static long long count(fixture *f, const char *sql) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A text column of the entity named guid; NULL when absent. Copies into buf. */
static const char *entity_col(fixture *f, const char *guid, const char *col, char *buf, size_t len) {
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM entities WHERE guid = ?1", col);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->s), sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
    const char *res = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
        res = buf;
    }
    sqlite3_finalize(st);
    return res;
}

static double entity_num(fixture *f, const char *guid, const char *col) {
    char buf[64];
    const char *v = entity_col(f, guid, col, buf, sizeof buf);
    if (!v) fail_msg("entity %s has no %s", guid, col);
    return strtod(v, NULL);
}

static const char *guid_of(arena_t *a, int64_t acct, const char *tenant, const char *provider, const char *type,
                           const char *cluster, const char *member) {
    kafka_identity id = {acct, tenant, provider, type, cluster, member};
    return kafka_guid(a, &id);
}

static bool has_relationship(fixture *f, const char *src, const char *dst, const char *type) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->s),
                                        "SELECT count(*) FROM relationships WHERE source_guid = ?1 AND"
                                        " target_guid = ?2 AND type = ?3",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, src, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dst, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n == 1;
}

static const char mixed_batch[] =
    "["
    /* 0: ohi broker, tenant af-10, on a host */
    "{\"key\":\"af-10::7f9c2d1e-broker-1\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"value\":{\"provider\":\"ohi\","
    "\"entityType\":\"KAFKA_BROKER\",\"accountId\":1,\"clusterName\":\"payments\",\"brokerId\":\"1\","
    "\"hostname\":\"kafka-1.internal\",\"agentId\":\"agent-42\",\"metrics\":{\"broker.bytesInPerSec\":1024.5,"
    "\"broker.bytesOutPerSec\":2048,\"broker.messagesInPerSec\":12},\"metadata\":{\"version\":\"3.7.0\"}}},"
    /* 1: ohi cluster, same tenant */
    "{\"key\":\"af-10::c\",\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,"
    "\"clusterName\":\"payments\",\"agentId\":\"agent-42\"}},"
    /* 2: aws-msk cluster with an ARN, tenant af-11 -> AWSMSKCLUSTER, MANAGED_BY */
    "{\"key\":\"af-11::msk\",\"value\":{\"provider\":\"aws-msk\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,"
    "\"clusterName\":\"orders\",\"externalId\":\"arn:aws:kafka:us-east-1:123456789012:cluster/orders/abc\"}},"
    /* 3: aws-msk topic with MSK metrics */
    "{\"key\":\"af-11::t\",\"value\":{\"provider\":\"aws-msk\",\"entityType\":\"KAFKA_TOPIC\",\"accountId\":1,"
    "\"clusterName\":\"orders\",\"topic\":\"order-events\",\"metrics\":{\"provider.bytesInPerSec.Average\":10,"
    "\"provider.bytesOutPerSec.Average\":20}}},"
    /* 4: azure topic, per-minute totals */
    "{\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_TOPIC\",\"accountId\":1,"
    "\"clusterName\":\"eh-ns\",\"topic\":\"telemetry\",\"metrics\":{\"IncomingBytes\":600,\"OutgoingBytes\":1200}}},"
    /* 5: confluent consumer group with topics and lag */
    "{\"key\":\"af-10::cg\",\"value\":{\"provider\":\"confluent-cloud\",\"entityType\":\"KAFKA_CONSUMER_GROUP\","
    "\"accountId\":\"1\",\"clusterName\":\"lkc-1\",\"consumerGroup\":\"billing\",\"topics\":[\"invoices\",\"refunds\"],"
    "\"metrics\":{\"io.confluent.kafka.server/consumer_lag_offsets\":20000}}},"
    /* 6: api (synthetic) broker with an integer brokerId */
    "{\"value\":{\"provider\":\"api\",\"entityType\":\"KAFKA_BROKER\",\"accountId\":1,\"clusterName\":\"lab\","
    "\"brokerId\":7,\"metrics\":{\"throughputIn\":5}}},"
    /* 7: aws-msk consumer group stays KAFKA_CONSUMER_GROUP */
    "{\"value\":{\"provider\":\"aws-msk\",\"entityType\":\"KAFKA_CONSUMER_GROUP\",\"accountId\":1,"
    "\"clusterName\":\"orders\",\"consumerGroup\":\"shipping\",\"topics\":[\"order-events\"],"
    "\"metrics\":{\"provider.sumOffsetLag.Average\":150000}}}"
    "]";

static void test_mixed_batch(void **state) {
    fixture *f = *state;
    int status;
    json_t *r = ingest(f, mixed_batch, &status);
    assert_int_equal(status, KAFKA_INGEST_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "accepted")), 8);
    assert_int_equal(json_integer_value(json_object_get(r, "rejected")), 0);
    assert_int_equal(json_array_size(json_object_get(r, "errors")), 0);
    json_decref(r);
    assert_int_equal(count(f, "SELECT count(*) FROM entities"), 8);

    arena_t *a = arena_new();
    char buf[512];
    const char *broker = guid_of(a, 1, "af-10", "ohi", "KAFKA_BROKER", "payments", "1");
    const char *cluster = guid_of(a, 1, "af-10", "ohi", "KAFKA_CLUSTER", "payments", NULL);
    assert_string_equal(entity_col(f, broker, "type", buf, sizeof buf), "KAFKA_BROKER");
    assert_string_equal(entity_col(f, broker, "provider", buf, sizeof buf), "OHI");
    assert_string_equal(entity_col(f, broker, "tenant", buf, sizeof buf), "af-10");
    assert_string_equal(entity_col(f, broker, "name", buf, sizeof buf), "broker-1");
    assert_true(entity_num(f, broker, "throughput_in") == 1024.5);
    assert_true(entity_num(f, broker, "throughput_out") == 2048.0);
    assert_null(entity_col(f, broker, "consumer_lag", buf, sizeof buf));
    /* 2026-01-01T00:00:00Z */
    assert_true(entity_num(f, broker, "last_seen") == 1767225600.0);
    assert_true(entity_num(f, broker, "metrics_updated_at") == 1767225600.0);
    /* unknown metric names are kept in metadata, with the record's metadata and host */
    assert_string_equal(entity_col(f, broker, "json_extract(metadata, '$.unmappedMetrics.\"broker.messagesInPerSec\"')",
                                   buf, sizeof buf),
                        "12");
    assert_string_equal(entity_col(f, broker, "json_extract(metadata, '$.version')", buf, sizeof buf), "3.7.0");
    assert_string_equal(entity_col(f, broker, "json_extract(metadata, '$.hostname')", buf, sizeof buf),
                        "kafka-1.internal");
    assert_true(has_relationship(f, cluster, broker, "CONTAINS"));
    assert_true(has_relationship(f, broker, kafka_host_guid(a, 1, "kafka-1.internal"), "RUNS_ON"));
    assert_string_equal(entity_col(f, cluster, "name", buf, sizeof buf), "payments");
    /* no timestamp: the receive time */
    assert_true(entity_num(f, cluster, "last_seen") == (double)f->now);

    const char *msk = guid_of(a, 1, "af-11", "aws-msk", "AWSMSKCLUSTER", "orders", NULL);
    assert_string_equal(entity_col(f, msk, "type", buf, sizeof buf), "AWSMSKCLUSTER");
    assert_string_equal(entity_col(f, msk, "provider", buf, sizeof buf), "AWS_MSK");
    assert_string_equal(entity_col(f, msk, "external_id", buf, sizeof buf),
                        "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abc");
    const char *aws = kafka_aws_account_guid(a, 1, "123456789012");
    assert_true(has_relationship(f, msk, aws, "MANAGED_BY"));
    assert_int_equal(count(f, "SELECT count(*) FROM relationships WHERE type = 'MANAGED_BY' AND target_type ="
                              " 'AWS_ACCOUNT' AND target_name = '123456789012' AND source_type = 'AWSMSKCLUSTER'"),
                     1);
    const char *msk_topic = guid_of(a, 1, "af-11", "aws-msk", "AWSMSKTOPIC", "orders", "order-events");
    assert_true(entity_num(f, msk_topic, "throughput_in") == 10.0);
    assert_true(has_relationship(f, msk, msk_topic, "HOSTS"));

    const char *eh = guid_of(a, 1, NULL, "azure-eventhubs", "KAFKA_TOPIC", "eh-ns", "telemetry");
    assert_true(entity_num(f, eh, "throughput_in") == 10.0);  /* 600 bytes per minute */
    assert_true(entity_num(f, eh, "throughput_out") == 20.0); /* 1200 bytes per minute */
    assert_null(entity_col(f, eh, "tenant", buf, sizeof buf));
    assert_string_equal(entity_col(f, eh, "provider", buf, sizeof buf), "AZURE_EVENTHUBS");

    const char *cg = guid_of(a, 1, "af-10", "confluent-cloud", "KAFKA_CONSUMER_GROUP", "lkc-1", "billing");
    assert_true(entity_num(f, cg, "consumer_lag") == 20000.0);
    assert_string_equal(entity_col(f, cg, "alert_severity", buf, sizeof buf), "WARNING");
    assert_true(has_relationship(f, cg, guid_of(a, 1, "af-10", "confluent-cloud", "KAFKA_TOPIC", "lkc-1", "invoices"),
                                 "CONSUMES"));
    assert_true(has_relationship(f, cg, guid_of(a, 1, "af-10", "confluent-cloud", "KAFKA_TOPIC", "lkc-1", "refunds"),
                                 "CONSUMES"));

    const char *api = guid_of(a, 1, NULL, "api", "KAFKA_BROKER", "lab", "7");
    assert_string_equal(entity_col(f, api, "synthetic", buf, sizeof buf), "1");
    assert_string_equal(entity_col(f, api, "provider", buf, sizeof buf), "API");
    assert_string_equal(entity_col(f, broker, "synthetic", buf, sizeof buf), "0");

    const char *msk_cg = guid_of(a, 1, NULL, "aws-msk", "KAFKA_CONSUMER_GROUP", "orders", "shipping");
    assert_string_equal(entity_col(f, msk_cg, "type", buf, sizeof buf), "KAFKA_CONSUMER_GROUP");
    assert_string_equal(entity_col(f, msk_cg, "alert_severity", buf, sizeof buf), "CRITICAL");
    /* The CONSUMES target is the MSK topic (AWSMSKTOPIC), with its name and type stored. */
    assert_true(has_relationship(f, msk_cg, guid_of(a, 1, NULL, "aws-msk", "AWSMSKTOPIC", "orders", "order-events"),
                                 "CONSUMES"));

    /* Tenants discovered from keys, per account. */
    assert_int_equal(count(f, "SELECT count(*) FROM tenants WHERE account_id = 1"), 2);
    assert_int_equal(count(f, "SELECT first_seen FROM tenants WHERE id = 'af-10'"), 1767225600);
    assert_int_equal(count(f, "SELECT last_seen FROM tenants WHERE id = 'af-10'"), f->now);
    arena_free(a);
}

/* Each record fails one rule; index 0 and the last one are good and must be kept. */
static void test_rejections(void **state) {
    fixture *f = *state;
    static const struct {
        const char *record;
        const char *reason;
        const char *message_part;
    } cases[] = {
        {"[1]", "invalid", "JSON object"},
        {"{\"key\":\"t::x\"}", "invalid", "value must be a JSON object"},
        {"{\"key\":5,\"value\":{}}", "invalid", "key must be a string"},
        {"{\"timestamp\":\"2026-13-01T00:00:00Z\",\"value\":{}}", "invalid", "RFC 3339"},
        {"{\"timestamp\":\"2026-01-01 00:00:00\",\"value\":{}}", "invalid", "RFC 3339"},
        {"{\"timestamp\":1767225600,\"value\":{}}", "invalid", "RFC 3339"},
        {"{\"value\":{\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"c\"}}", "invalid",
         "value.provider is required"},
        {"{\"value\":{\"provider\":\"kafka\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"c\"}}",
         "invalid", "'kafka' is not one of"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"AWSMSKBROKER\",\"accountId\":1,\"clusterName\":\"c\","
         "\"brokerId\":\"1\"}}",
         "invalid", "not a valid entity type for provider ohi"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"HOST\",\"accountId\":1,\"clusterName\":\"c\"}}", "invalid",
         "not a valid entity type"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"clusterName\":\"c\"}}", "invalid",
         "value.accountId is required"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":-4,\"clusterName\":\"c\"}}",
         "invalid", "positive integer"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1.5,\"clusterName\":\"c\"}}",
         "invalid", "positive integer"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1}}", "invalid",
         "value.clusterName is required"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"\"}}",
         "invalid", "value.clusterName must not be empty"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_BROKER\",\"accountId\":1,\"clusterName\":\"c\"}}",
         "invalid", "value.brokerId is required"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_BROKER\",\"accountId\":1,\"clusterName\":\"c\","
         "\"brokerId\":[1]}}",
         "invalid", "brokerId must be a string or an integer"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_TOPIC\",\"accountId\":1,\"clusterName\":\"c\"}}",
         "invalid", "value.topic is required"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CONSUMER_GROUP\",\"accountId\":1,"
         "\"clusterName\":\"c\"}}",
         "invalid", "value.consumerGroup is required"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CONSUMER_GROUP\",\"accountId\":1,"
         "\"clusterName\":\"c\",\"consumerGroup\":\"g\",\"topics\":\"t\"}}",
         "invalid", "value.topics must be a list"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"c\","
         "\"agentId\":\"agent-42\",\"metrics\":{\"broker.bytesInPerSec\":\"fast\"}}}",
         "invalid", "value.metrics.broker.bytesInPerSec must be a number"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"c\","
         "\"metrics\":[1]}}",
         "invalid", "value.metrics must be an object"},
        /* unknown metrics collected before the bad one are freed (LeakSanitizer checks) */
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"c\","
         "\"agentId\":\"agent-42\",\"metrics\":{\"zzz.unknown\":1,\"other.unknown\":2.5,\"bad\":\"x\"}}}",
         "invalid", "value.metrics.bad must be a number"},
        {"{\"timestamp\":\"1969-12-31T23:59:59Z\",\"value\":{}}", "invalid", "must not be before 1970"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"c\","
         "\"metadata\":\"x\"}}",
         "invalid", "value.metadata must be an object"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"c\"}}",
         "agent", "ohi records need value.agentId"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"c\","
         "\"agentId\":\"agent-7\"}}",
         "agent", "'agent-7' is not registered for account 1"},
        {"{\"value\":{\"provider\":\"aws-msk\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":2,\"clusterName\":\"c\"}"
         "}",
         "aws_integration", "AWS integration required"},
        {"{\"value\":{\"provider\":\"api\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":3,\"clusterName\":\"c\"}}",
         "synthetic_permission", "Synthetic entity creation not allowed"},
        {"{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":99,\"clusterName\":\"c\","
         "\"agentId\":\"a\"}}",
         "unknown_account", "account 99 does not exist"},
    };
    const char *good = "{\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":2,"
                       "\"clusterName\":\"good\"}}";
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        char body[2048];
        snprintf(body, sizeof body, "[%s,%s,%s]", good, cases[i].record, good);
        int status;
        json_t *r = ingest(f, body, &status);
        assert_int_equal(status, KAFKA_INGEST_OK);
        json_t *errors = json_object_get(r, "errors");
        if (json_integer_value(json_object_get(r, "rejected")) != 1 || json_array_size(errors) != 1)
            fail_msg("case %zu (%s): %s", i, cases[i].record, json_dumps(r, 0));
        assert_int_equal(json_integer_value(json_object_get(r, "accepted")), 2);
        json_t *e = json_array_get(errors, 0);
        assert_int_equal(json_integer_value(json_object_get(e, "index")), 1);
        assert_string_equal(json_string_value(json_object_get(e, "reason")), cases[i].reason);
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (!msg || !strstr(msg, cases[i].message_part))
            fail_msg("case %zu: message '%s' lacks '%s'", i, msg ? msg : "(null)", cases[i].message_part);
        json_decref(r);
    }
    /* Only the good cluster exists, once (the same record each time is one entity). */
    assert_int_equal(count(f, "SELECT count(*) FROM entities"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE account_id = 2 AND name = 'good'"), 1);
    buf_t m = BUF_INIT;
    metrics_render(&m);
    assert_non_null(strstr(buf_cstr(&m), "entityd_ingest_rejected_total{reason=\"aws_integration\"} 1"));
    buf_free(&m);
}

/* value.metadata deeper than 64 levels is one rejected record, not a failed batch (SQLite's json_patch
 * refuses very deep JSON); a record's own "unmappedMetrics" key does not hide the computed one. */
static void test_metadata_bounds(void **state) {
    fixture *f = *state;
    const char *head = "[{\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\","
                       "\"accountId\":2,\"clusterName\":\"deep\",\"metadata\":";
    const char *good = ",{\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\","
                       "\"accountId\":2,\"clusterName\":\"fine\",\"metadata\":{\"unmappedMetrics\":\"mine\"},"
                       "\"metrics\":{\"zzz.custom\":7}}}]";
    for (int depth = 64; depth <= 2000; depth += 1936) {
        buf_t b = BUF_INIT;
        buf_puts(&b, head);
        for (int i = 0; i < depth; i++)
            buf_puts(&b, "{\"a\":");
        buf_puts(&b, "1");
        for (int i = 0; i < depth; i++)
            buf_putc(&b, '}');
        buf_puts(&b, "}}");
        buf_puts(&b, good);
        int status;
        json_t *r = ingest(f, buf_cstr(&b), &status);
        assert_int_equal(status, KAFKA_INGEST_OK);
        if (depth == 64) {
            assert_int_equal(json_integer_value(json_object_get(r, "rejected")), 0);
        } else {
            assert_int_equal(json_integer_value(json_object_get(r, "accepted")), 1);
            const char *msg =
                json_string_value(json_object_get(json_array_get(json_object_get(r, "errors"), 0), "message"));
            assert_non_null(msg);
            assert_non_null(strstr(msg, "value.metadata nests deeper than 64 levels"));
        }
        json_decref(r);
        buf_free(&b);
    }
    char buf[512];
    const char *md = NULL;
    arena_t *a = arena_new();
    md = entity_col(f, guid_of(a, 2, NULL, "azure-eventhubs", "KAFKA_CLUSTER", "fine", NULL), "metadata", buf,
                    sizeof buf);
    assert_non_null(md);
    if (!strstr(md, "\"unmappedMetrics\":{\"zzz.custom\":7}")) fail_msg("metadata: %s", md);
    arena_free(a);
}

/* Key levels and accounts (seed 004 Security Model). */
static void test_key_levels(void **state) {
    fixture *f = *state;
    const char *ohi = "{\"value\":{\"provider\":\"ohi\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,"
                      "\"clusterName\":\"c\",\"agentId\":\"agent-42\"}}";
    const char *msk = "{\"value\":{\"provider\":\"aws-msk\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,"
                      "\"clusterName\":\"c\"}}";
    const char *api = "{\"value\":{\"provider\":\"api\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,"
                      "\"clusterName\":\"c\"}}";
    char body[1024];
    snprintf(body, sizeof body, "[%s,%s,%s]", ohi, msk, api);
    static const struct {
        auth_level_t level;
        int64_t account;
        int accepted;
        const char *reason;
    } cases[] = {
        {AUTH_NONE, 1, 0, "key_level"},
        {AUTH_OHI_ONLY, 1, 1, "key_level"},
        {AUTH_CLOUD_INTEGRATED, 1, 2, "key_level"},
        {AUTH_SYNTHETIC, 1, 3, NULL},
        {AUTH_ADMIN, 2, 3, NULL},                   /* ADMIN of another account may write anywhere */
        {AUTH_SYNTHETIC, 2, 0, "account_mismatch"}, /* any other key only into its own account */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int status;
        json_t *r = ingest_as(f, key_of(cases[i].account, cases[i].level), body, "application/json", &status);
        assert_int_equal(status, KAFKA_INGEST_OK);
        if (json_integer_value(json_object_get(r, "accepted")) != cases[i].accepted)
            fail_msg("case %zu: %s", i, json_dumps(r, 0));
        if (cases[i].reason) {
            json_t *e = json_array_get(json_object_get(r, "errors"), 0);
            assert_string_equal(json_string_value(json_object_get(e, "reason")), cases[i].reason);
        }
        json_decref(r);
    }
    /* Unauthenticated: 401 and nothing parsed. */
    principal_t anon = {0};
    int status;
    json_t *r = ingest_as(f, anon, body, "application/json", &status);
    assert_int_equal(status, KAFKA_INGEST_UNAUTHENTICATED);
    assert_non_null(json_object_get(r, "message"));
    json_decref(r);
}

/* Same entity twice: updated, never duplicated; an older event neither moves last_seen backwards
 * nor overwrites newer metrics; metadata merges. */
static void test_idempotent_update(void **state) {
    fixture *f = *state;
    const char *fmt = "[{\"key\":\"af-10::x\",\"timestamp\":\"%s\",\"value\":{\"provider\":\"confluent-cloud\","
                      "\"entityType\":\"KAFKA_CONSUMER_GROUP\",\"accountId\":1,\"clusterName\":\"lkc\","
                      "\"consumerGroup\":\"g\",\"topics\":[\"a\"],\"metrics\":{"
                      "\"io.confluent.kafka.server/consumer_lag_offsets\":%d},\"metadata\":{\"%s\":1}}}]";
    char body[1024];
    int status;
    char t1[32], t0[32];
    time_t now = (time_t)f->now;
    time_t older = now - 3600;
    strftime(t1, sizeof t1, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    strftime(t0, sizeof t0, "%Y-%m-%dT%H:%M:%SZ", gmtime(&older));

    snprintf(body, sizeof body, fmt, t1, 5, "first");
    json_decref(ingest(f, body, &status));
    assert_int_equal(status, KAFKA_INGEST_OK);
    snprintf(body, sizeof body, fmt, t1, 200000, "second");
    json_decref(ingest(f, body, &status));
    assert_int_equal(count(f, "SELECT count(*) FROM entities"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM relationships"), 1);
    arena_t *a = arena_new();
    char buf[256];
    const char *g = guid_of(a, 1, "af-10", "confluent-cloud", "KAFKA_CONSUMER_GROUP", "lkc", "g");
    assert_true(entity_num(f, g, "consumer_lag") == 200000.0);
    assert_string_equal(entity_col(f, g, "alert_severity", buf, sizeof buf), "CRITICAL");
    assert_string_equal(
        entity_col(f, g, "json_extract(metadata, '$.first') || json_extract(metadata, '$.second')", buf, sizeof buf),
        "11");

    /* An hour-old event: accepted, but last_seen, metrics and metadata keep the newer state. */
    snprintf(body, sizeof body, fmt, t0, 1, "old");
    json_t *r = ingest(f, body, &status);
    assert_int_equal(json_integer_value(json_object_get(r, "accepted")), 1);
    json_decref(r);
    assert_true(entity_num(f, g, "last_seen") == (double)f->now);
    assert_true(entity_num(f, g, "consumer_lag") == 200000.0);
    assert_null(entity_col(f, g, "json_extract(metadata, '$.old')", buf, sizeof buf));
    assert_true(kafka_is_reporting((int64_t)entity_num(f, g, "last_seen"), f->now, &f->cfg));
    assert_int_equal(count(f, "SELECT count(*) FROM entities"), 1);

    /* A timestamp in the future counts as now. */
    snprintf(body, sizeof body, fmt, "2999-01-01T00:00:00+01:00", 3, "future");
    json_decref(ingest(f, body, &status));
    assert_true(entity_num(f, g, "last_seen") == (double)f->now);
    assert_true(entity_num(f, g, "consumer_lag") == 3.0);
    assert_string_equal(entity_col(f, g, "alert_severity", buf, sizeof buf), "NOT_ALERTING");

    /* A new entity from an old event is not reporting (events.md). */
    snprintf(body, sizeof body,
             "[{\"timestamp\":\"%s\",\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\","
             "\"accountId\":1,\"clusterName\":\"old\"}}]",
             t0);
    json_decref(ingest(f, body, &status));
    const char *old = guid_of(a, 1, NULL, "azure-eventhubs", "KAFKA_CLUSTER", "old", NULL);
    assert_false(kafka_is_reporting((int64_t)entity_num(f, old, "last_seen"), f->now, &f->cfg));
    arena_free(a);
}

/* An update that keeps the alert severity takes the statement without alert_severity (ingest.c):
 * every other column is still written, the severity index still finds the entity, and a change of
 * severity is still stored. */
static void test_update_keeps_severity(void **state) {
    fixture *f = *state;
    const char *fmt = "[{\"key\":\"af-10::x\",\"value\":{\"provider\":\"aws-msk\",\"entityType\":\"KAFKA_TOPIC\","
                      "\"accountId\":1,\"clusterName\":\"orders\",\"topic\":\"t\",\"name\":\"%s\","
                      "\"externalId\":\"%s\",\"metrics\":{\"provider.sumOffsetLag.Average\":%d},"
                      "\"metadata\":{\"%s\":1}}}]";
    char body[1024];
    char buf[256];
    int status;
    arena_t *a = arena_new();
    const char *g = guid_of(a, 1, "af-10", "aws-msk", "AWSMSKTOPIC", "orders", "t");
    const char *warning = "SELECT count(*) FROM entities INDEXED BY entities_account_severity"
                          " WHERE account_id = 1 AND alert_severity = 'WARNING'";

    snprintf(body, sizeof body, fmt, "one", "id-1", 20000, "first");
    json_decref(ingest(f, body, &status));
    assert_int_equal(status, KAFKA_INGEST_OK);
    assert_string_equal(entity_col(f, g, "alert_severity", buf, sizeof buf), "WARNING");

    /* Still WARNING: name, externalId, metadata and metrics change, the severity stays. */
    f->now += 10;
    snprintf(body, sizeof body, fmt, "two", "id-2", 30000, "second");
    json_decref(ingest(f, body, &status));
    assert_int_equal(status, KAFKA_INGEST_OK);
    assert_string_equal(entity_col(f, g, "alert_severity", buf, sizeof buf), "WARNING");
    assert_string_equal(entity_col(f, g, "name", buf, sizeof buf), "two");
    assert_string_equal(entity_col(f, g, "external_id", buf, sizeof buf), "id-2");
    assert_true(entity_num(f, g, "consumer_lag") == 30000.0);
    assert_true(entity_num(f, g, "metrics_updated_at") == (double)f->now);
    assert_true(entity_num(f, g, "last_seen") == (double)f->now);
    assert_string_equal(
        entity_col(f, g, "json_extract(metadata, '$.first') || json_extract(metadata, '$.second')", buf, sizeof buf),
        "11");
    assert_int_equal(count(f, warning), 1);

    /* A change of severity is written, and the index follows it. */
    snprintf(body, sizeof body, fmt, "three", "id-3", 200000, "third");
    json_decref(ingest(f, body, &status));
    assert_string_equal(entity_col(f, g, "alert_severity", buf, sizeof buf), "CRITICAL");
    assert_int_equal(count(f, warning), 0);
    snprintf(body, sizeof body, fmt, "four", "id-4", 1, "fourth");
    json_decref(ingest(f, body, &status));
    assert_string_equal(entity_col(f, g, "alert_severity", buf, sizeof buf), "NOT_ALERTING");
    assert_int_equal(count(f, "SELECT count(*) FROM entities INDEXED BY entities_account_severity"
                              " WHERE account_id = 1 AND alert_severity = 'NOT_ALERTING'"),
                     1);
    arena_free(a);
}

static void test_timestamps(void **state) {
    fixture *f = *state;
    static const struct {
        const char *ts;
        int64_t want;
    } cases[] = {
        {"2025-11-24T10:00:00Z", 1763978400},
        {"2025-11-24T10:00:00.123456Z", 1763978400},
        {"2025-11-24t10:00:00z", 1763978400},
        {"2025-11-24T12:30:00+02:30", 1763978400},
        {"2025-11-24T05:00:00-05:00", 1763978400},
        {"2024-02-29T00:00:00Z", 1709164800},
        {"1970-01-01T00:00:00Z", 0},
    };
    arena_t *a = arena_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[512];
        char cluster[16];
        snprintf(cluster, sizeof cluster, "ts%zu", i);
        snprintf(body, sizeof body,
                 "[{\"timestamp\":\"%s\",\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\","
                 "\"accountId\":1,\"clusterName\":\"%s\"}}]",
                 cases[i].ts, cluster);
        int status;
        json_t *r = ingest(f, body, &status);
        if (json_integer_value(json_object_get(r, "accepted")) != 1) fail_msg("%s: %s", cases[i].ts, json_dumps(r, 0));
        json_decref(r);
        const char *g = guid_of(a, 1, NULL, "azure-eventhubs", "KAFKA_CLUSTER", cluster, NULL);
        assert_true(entity_num(f, g, "last_seen") == (double)cases[i].want);
    }
    static const char *bad[] = {"2023-02-29T00:00:00Z",
                                "2026-11-24T24:00:00Z",
                                "2026-11-24T10:00:00",
                                "2026-11-24T10:00:00+0200",
                                "2026-11-24T10:00:00.Z",
                                "yesterday",
                                ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "[{\"timestamp\":\"%s\",\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\","
                 "\"accountId\":1,\"clusterName\":\"bad\"}}]",
                 bad[i]);
        int status;
        json_t *r = ingest(f, body, &status);
        if (json_integer_value(json_object_get(r, "rejected")) != 1)
            fail_msg("%s accepted: %s", bad[i], json_dumps(r, 0));
        json_decref(r);
    }
    arena_free(a);
}

static void test_body_errors(void **state) {
    fixture *f = *state;
    int status;
    json_t *r = ingest(f, "{not json", &status);
    assert_int_equal(status, KAFKA_INGEST_BAD_BODY);
    assert_non_null(strstr(json_string_value(json_object_get(r, "message")), "not JSON"));
    json_decref(r);
    r = ingest(f, "   ", &status);
    assert_int_equal(status, KAFKA_INGEST_BAD_BODY);
    json_decref(r);
    r = ingest(f, "\"a string\"", &status);
    assert_int_equal(status, KAFKA_INGEST_BAD_BODY);
    assert_string_equal(json_string_value(json_object_get(r, "message")), "body must be a JSON array of records");
    json_decref(r);
    r = ingest(f, "[]", &status);
    assert_int_equal(status, KAFKA_INGEST_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "accepted")), 0);
    json_decref(r);

    /* Over max_batch_events (50): 413, nothing stored. */
    buf_t big = BUF_INIT;
    buf_putc(&big, '[');
    for (int i = 0; i < 51; i++)
        buf_printf(&big,
                   "%s{\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_TOPIC\",\"accountId\":1,"
                   "\"clusterName\":\"big\",\"topic\":\"t%d\"}}",
                   i ? "," : "", i);
    buf_putc(&big, ']');
    r = ingest(f, buf_cstr(&big), &status);
    assert_int_equal(status, KAFKA_INGEST_TOO_LARGE);
    assert_non_null(strstr(json_string_value(json_object_get(r, "message")), "limit is 50"));
    json_decref(r);
    assert_int_equal(count(f, "SELECT count(*) FROM entities"), 0);
    /* Exactly the limit is fine. */
    f->cfg.max_batch_events = 51;
    r = ingest(f, buf_cstr(&big), &status);
    assert_int_equal(status, KAFKA_INGEST_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "accepted")), 51);
    json_decref(r);
    buf_free(&big);

    /* Over the body size limit. */
    f->cfg.max_body_bytes = 10;
    r = ingest(f, "[{\"value\":{}}]", &status);
    assert_int_equal(status, KAFKA_INGEST_TOO_LARGE);
    json_decref(r);
}

static void test_ndjson(void **state) {
    fixture *f = *state;
    const char *body =
        "{\"key\":\"af-12::a\",\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\","
        "\"accountId\":1,\"clusterName\":\"n1\"}}\n"
        "\n"
        "{this line is broken\r\n"
        "{\"key\":\"af-12::b\",\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\","
        "\"accountId\":1,\"clusterName\":\"n2\"}}\r\n"
        "{\"value\":{\"provider\":\"nope\"}}";
    int status;
    json_t *r = ingest_as(f, key_of(1, AUTH_ADMIN), body, "application/x-ndjson; charset=utf-8", &status);
    assert_int_equal(status, KAFKA_INGEST_OK);
    assert_int_equal(json_integer_value(json_object_get(r, "accepted")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "rejected")), 2);
    json_t *errors = json_object_get(r, "errors");
    /* Indexes count records (non-blank lines), in order. */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 0), "index")), 1);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(errors, 0), "message")), "invalid JSON"));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 1), "index")), 3);
    json_decref(r);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE tenant = 'af-12'"), 2);

    /* No line is JSON: 400. */
    r = ingest_as(f, key_of(1, AUTH_ADMIN), "nope\nnope\n", "application/x-ndjson", &status);
    assert_int_equal(status, KAFKA_INGEST_BAD_BODY);
    json_decref(r);
    /* Over the limit: 413. */
    f->cfg.max_batch_events = 2;
    r = ingest_as(f, key_of(1, AUTH_ADMIN), "{}\n{}\n{}\n", "application/x-ndjson", &status);
    assert_int_equal(status, KAFKA_INGEST_TOO_LARGE);
    json_decref(r);
}

/* A default tenant applies to records without a tenant prefix. */
static void test_default_tenant(void **state) {
    fixture *f = *state;
    char dflt[] = "home";
    f->cfg.default_tenant = dflt;
    int status;
    json_decref(
        ingest(f,
               "[{\"key\":\"plain\",\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\","
               "\"accountId\":1,\"clusterName\":\"d\"}},{\"key\":\"af-10::x\",\"value\":{\"provider\":"
               "\"azure-eventhubs\",\"entityType\":\"KAFKA_CLUSTER\",\"accountId\":1,\"clusterName\":\"d\"}}]",
               &status));
    assert_int_equal(status, KAFKA_INGEST_OK);
    /* Same cluster name in two tenants: two entities. */
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE cluster_name = 'd'"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM entities WHERE tenant = 'home'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM tenants WHERE id IN ('home', 'af-10')"), 2);
}

/* One transaction per batch: a write that fails in the middle leaves nothing of the batch, and a
 * 202 is visible to another connection (committed before the response). */
static void test_atomic_and_durable(void **state) {
    fixture *f = *state;
    test_exec(f->s, "CREATE TEMP TRIGGER boom BEFORE INSERT ON entities WHEN NEW.cluster_name = 'boom'"
                   " BEGIN SELECT RAISE(ABORT, 'boom'); END;");
    const char *rec =
        "{\"key\":\"af-13::x\",\"value\":{\"provider\":\"azure-eventhubs\",\"entityType\":\"KAFKA_TOPIC\","
        "\"accountId\":1,\"clusterName\":\"%s\",\"topic\":\"t\"}}";
    char body[1024], r1[300], r2[300];
    snprintf(r1, sizeof r1, rec, "fine");
    snprintf(r2, sizeof r2, rec, "boom");
    snprintf(body, sizeof body, "[%s,%s]", r1, r2);
    int status;
    json_t *r = ingest(f, body, &status);
    assert_int_equal(status, KAFKA_INGEST_STORE_ERROR);
    json_decref(r);
    assert_int_equal(count(f, "SELECT count(*) FROM entities"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM tenants"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM relationships"), 0);
    /* The connection is usable again, and a good batch is committed. */
    snprintf(body, sizeof body, "[%s]", r1);
    r = ingest(f, body, &status);
    assert_int_equal(status, KAFKA_INGEST_OK);
    json_decref(r);
    assert_true(sqlite3_get_autocommit(store_db(f->s)));
    char err[128];
    store_t *other = store_open(f->ts.path, err, sizeof err);
    assert_non_null(other);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(store_db(other), "SELECT count(*) FROM entities WHERE cluster_name = 'fine'", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    store_close(other);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mixed_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idempotent_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_keeps_severity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ndjson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_tenant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic_and_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metadata_bounds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
