/* test_kafka_relationships.c -- relationship inference (seed 004, Relationship Manager) and the
 * per-record authorization rules (seed 004, Security Model), as pure functions: which relationships
 * each entity kind implies with both ends named and typed, ARN parsing for MANAGED_BY, and every
 * authorization outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kafka/authorization.h"
#include "kafka/relationships.h"
#include "util/metrics.h"

static void test_arn(void **state) {
    (void)state;
    arena_t *a = arena_new();
    assert_string_equal(kafka_arn_account(a, "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abc"),
                        "123456789012");
    assert_string_equal(kafka_arn_account(a, "arn:aws-cn:kafka:cn-north-1:000000000001:cluster/x/y"), "000000000001");
    assert_null(kafka_arn_account(a, "arn:aws:kafka:us-east-1:12345678901:cluster/x"));   /* 11 digits */
    assert_null(kafka_arn_account(a, "arn:aws:kafka:us-east-1:1234567890123:cluster/x")); /* 13 digits */
    assert_null(kafka_arn_account(a, "arn:aws:kafka:us-east-1:12345678901a:cluster/x"));
    assert_null(kafka_arn_account(a, "arn:aws:kafka:us-east-1:123456789012"));
    assert_null(kafka_arn_account(a, "/subscriptions/123456789012/resourceGroups/rg"));
    assert_null(kafka_arn_account(a, "arn:aws"));
    assert_null(kafka_arn_account(a, NULL));
    arena_free(a);
}

static kafka_rel_entity entity(arena_t *a, const char *tenant, const char *provider, const char *type,
                               const char *member, const char *name) {
    kafka_rel_entity e;
    memset(&e, 0, sizeof e);
    e.id = (kafka_identity){1, tenant, provider, type, "payments", member};
    e.guid = kafka_guid(a, &e.id);
    e.name = name;
    return e;
}

static void test_infer(void **state) {
    (void)state;
    arena_t *a = arena_new();
    kafka_relationship r[8];

    kafka_rel_entity b = entity(a, "af-10", "ohi", "KAFKA_BROKER", "1", "broker-1");
    b.hostname = "kafka-1.internal";
    assert_int_equal(kafka_relationships_infer(a, &b, r, 8), 2);
    kafka_identity cluster = {1, "af-10", "ohi", "KAFKA_CLUSTER", "payments", NULL};
    assert_string_equal(r[0].type, "CONTAINS");
    assert_string_equal(r[0].source_guid, kafka_guid(a, &cluster));
    assert_string_equal(r[0].source_name, "payments");
    assert_string_equal(r[0].source_type, "KAFKA_CLUSTER");
    assert_string_equal(r[0].target_guid, b.guid);
    assert_string_equal(r[0].target_name, "broker-1");
    assert_string_equal(r[1].type, "RUNS_ON");
    assert_string_equal(r[1].target_guid, kafka_host_guid(a, 1, "kafka-1.internal"));
    assert_string_equal(r[1].target_name, "kafka-1.internal");
    assert_string_equal(r[1].target_type, "HOST");

    /* RUNS_ON only for ohi; an MSK broker's cluster is the AWSMSKCLUSTER. */
    kafka_rel_entity mb = entity(a, NULL, "aws-msk", "AWSMSKBROKER", "2", "broker-2");
    mb.hostname = "b-2.msk.amazonaws.com";
    assert_int_equal(kafka_relationships_infer(a, &mb, r, 8), 1);
    assert_string_equal(r[0].source_type, "AWSMSKCLUSTER");
    kafka_identity mcluster = {1, NULL, "aws-msk", "AWSMSKCLUSTER", "payments", NULL};
    assert_string_equal(r[0].source_guid, kafka_guid(a, &mcluster));

    kafka_rel_entity t = entity(a, "af-10", "confluent-cloud", "KAFKA_TOPIC", "orders", "orders");
    assert_int_equal(kafka_relationships_infer(a, &t, r, 8), 1);
    assert_string_equal(r[0].type, "HOSTS");
    assert_string_equal(r[0].target_guid, t.guid);

    kafka_rel_entity g = entity(a, "af-10", "aws-msk", "KAFKA_CONSUMER_GROUP", "billing", "billing");
    const char *topics[] = {"orders", "refunds"};
    g.topics = topics;
    g.ntopics = 2;
    assert_int_equal(kafka_relationships_infer(a, &g, r, 8), 2);
    kafka_identity topic = {1, "af-10", "aws-msk", "AWSMSKTOPIC", "payments", "refunds"};
    assert_string_equal(r[1].type, "CONSUMES");
    assert_string_equal(r[1].source_guid, g.guid);
    assert_string_equal(r[1].target_guid, kafka_guid(a, &topic));
    assert_string_equal(r[1].target_type, "AWSMSKTOPIC");
    assert_string_equal(r[1].target_name, "refunds");
    /* The output bound is respected. */
    assert_int_equal(kafka_relationships_infer(a, &g, r, 1), 1);

    kafka_rel_entity c = entity(a, NULL, "aws-msk", "AWSMSKCLUSTER", NULL, "payments");
    c.external_id = "arn:aws:kafka:us-east-1:123456789012:cluster/payments/abc";
    assert_int_equal(kafka_relationships_infer(a, &c, r, 8), 1);
    assert_string_equal(r[0].type, "MANAGED_BY");
    assert_string_equal(r[0].target_guid, kafka_aws_account_guid(a, 1, "123456789012"));
    assert_string_equal(r[0].target_type, "AWS_ACCOUNT");
    c.external_id = "not-an-arn";
    assert_int_equal(kafka_relationships_infer(a, &c, r, 8), 0);
    /* Other providers' clusters are not MANAGED_BY an AWS account. */
    kafka_rel_entity ec = entity(a, NULL, "azure-eventhubs", "KAFKA_CLUSTER", NULL, "payments");
    ec.external_id = "arn:aws:kafka:us-east-1:123456789012:cluster/payments/abc";
    assert_int_equal(kafka_relationships_infer(a, &ec, r, 8), 0);
    arena_free(a);
}

static void test_authorize(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const char *agents[] = {"agent-42"};
    account_t full = {1, "one", true, true, agents, 1};
    account_t bare = {2, "two", false, false, NULL, 0};
    kafka_authz_denial d;
    principal_t admin = {true, 1, 1, AUTH_ADMIN};
    principal_t ohi = {true, 2, 1, AUTH_OHI_ONLY};
    principal_t cloud = {true, 3, 1, AUTH_CLOUD_INTEGRATED};
    principal_t synth = {true, 4, 1, AUTH_SYNTHETIC};
    principal_t anon = {false, 0, 0, AUTH_NONE};

    assert_int_equal(kafka_authorize(a, &admin, 1, &full, "ohi", "agent-42", &d), 0);
    assert_int_equal(kafka_authorize(a, &admin, 1, &full, "aws-msk", NULL, &d), 0);
    assert_int_equal(kafka_authorize(a, &admin, 1, &full, "api", NULL, &d), 0);
    assert_int_equal(kafka_authorize(a, &ohi, 1, &full, "ohi", "agent-42", &d), 0);
    assert_int_equal(kafka_authorize(a, &cloud, 1, &full, "confluent-cloud", NULL, &d), 0);
    assert_int_equal(kafka_authorize(a, &synth, 1, &full, "api", NULL, &d), 0);

    assert_int_equal(kafka_authorize(a, &anon, 1, &full, "ohi", "agent-42", &d), -1);
    assert_string_equal(d.reason, "unauthenticated");
    assert_int_equal(kafka_authorize(a, &synth, 2, &bare, "azure-eventhubs", NULL, &d), -1);
    assert_string_equal(d.reason, "account_mismatch");
    assert_int_equal(kafka_authorize(a, &admin, 9, NULL, "azure-eventhubs", NULL, &d), -1);
    assert_string_equal(d.reason, "unknown_account");
    assert_int_equal(kafka_authorize(a, &ohi, 1, &full, "azure-eventhubs", NULL, &d), -1);
    assert_string_equal(d.reason, "key_level");
    assert_non_null(strstr(d.message, "CLOUD_INTEGRATED"));
    assert_int_equal(kafka_authorize(a, &cloud, 1, &full, "api", NULL, &d), -1);
    assert_string_equal(d.reason, "key_level");
    assert_int_equal(kafka_authorize(a, &admin, 1, &full, "ohi", "agent-9", &d), -1);
    assert_string_equal(d.reason, "agent");
    assert_int_equal(kafka_authorize(a, &admin, 1, &full, "ohi", NULL, &d), -1);
    assert_string_equal(d.reason, "agent");
    /* The account's capabilities bind ADMIN keys too. */
    assert_int_equal(kafka_authorize(a, &admin, 2, &bare, "aws-msk", NULL, &d), -1);
    assert_string_equal(d.reason, "aws_integration");
    assert_string_equal(d.message, "AWS integration required for MSK entities (account 2)");
    assert_int_equal(kafka_authorize(a, &admin, 2, &bare, "api", NULL, &d), -1);
    assert_string_equal(d.reason, "synthetic_permission");
    /* Azure and Confluent need no account capability beyond the key level. */
    assert_int_equal(kafka_authorize(a, &admin, 2, &bare, "azure-eventhubs", NULL, &d), 0);
    assert_int_equal(kafka_authorize(a, &admin, 2, &bare, "confluent-cloud", NULL, &d), 0);

    assert_int_equal(kafka_provider_min_level("ohi"), AUTH_OHI_ONLY);
    assert_int_equal(kafka_provider_min_level("aws-msk"), AUTH_CLOUD_INTEGRATED);
    assert_int_equal(kafka_provider_min_level("api"), AUTH_SYNTHETIC);

    kafka_authz_report(&d, 2, "api", 3);
    buf_t m = BUF_INIT;
    metrics_render(&m);
    assert_non_null(strstr(buf_cstr(&m), "entityd_ingest_rejected_total{reason=\"synthetic_permission\"} 1"));
    buf_free(&m);
    metrics_reset();
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arn),
        cmocka_unit_test(test_infer),
        cmocka_unit_test(test_authorize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
