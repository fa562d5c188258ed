/* test_kafka_identity.c -- Kafka entity identity (seed 004, Entity Identity Service): GUID format
 * (standard base64 of the identifier), determinism, no collisions across providers, tenants, types and tricky names, and
 * the provider / legacy type mappings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kafka/identity.h"
#include "util/strmap.h"

static void test_guid_format(void **state) {
    (void)state;
    arena_t *a = arena_new();
    kafka_identity id = {1, "af-10", "ohi", "KAFKA_BROKER", "payments", "1"};
    assert_string_equal(kafka_identifier(a, &id), "af-10|ohi|payments|1");
    /* base64("af-10|ohi|payments|1") */
    assert_string_equal(kafka_guid(a, &id), "1|INFRA|KAFKA_BROKER|YWYtMTB8b2hpfHBheW1lbnRzfDE=");

    kafka_identity cluster = {42, NULL, "aws-msk", "AWSMSKCLUSTER", "orders", NULL};
    assert_string_equal(kafka_identifier(a, &cluster), "|aws-msk|orders");
    const char *g = kafka_guid(a, &cluster);
    assert_non_null(g);
    assert_int_equal(strncmp(g, "42|INFRA|AWSMSKCLUSTER|", 23), 0);

    kafka_identity incomplete = {1, NULL, "ohi", "KAFKA_CLUSTER", NULL, NULL};
    assert_null(kafka_guid(a, &incomplete));
    incomplete.cluster_name = "c";
    incomplete.provider = NULL;
    assert_null(kafka_guid(a, &incomplete));

    assert_string_equal(kafka_host_guid(a, 7, "kafka-1.internal"), "7|INFRA|HOST|a2Fma2EtMS5pbnRlcm5hbA==");
    assert_string_equal(kafka_aws_account_guid(a, 7, "123456789012"), "7|INFRA|AWS_ACCOUNT|MTIzNDU2Nzg5MDEy");
    arena_free(a);
}

static void test_deterministic(void **state) {
    (void)state;
    arena_t *a1 = arena_new();
    arena_t *a2 = arena_new();
    /* Same entity, separately built strings: same GUID. */
    char cluster[] = "payments";
    char member[] = "orders";
    kafka_identity x = {5, "t1", "confluent-cloud", "KAFKA_TOPIC", "payments", "orders"};
    kafka_identity y = {5, "t1", "confluent-cloud", "KAFKA_TOPIC", cluster, member};
    assert_string_equal(kafka_guid(a1, &x), kafka_guid(a2, &y));
    /* An empty tenant is no tenant. */
    kafka_identity n1 = {5, NULL, "ohi", "KAFKA_CLUSTER", "c", NULL};
    kafka_identity n2 = {5, "", "ohi", "KAFKA_CLUSTER", "c", NULL};
    assert_string_equal(kafka_guid(a1, &n1), kafka_guid(a2, &n2));
    arena_free(a1);
    arena_free(a2);
}

/* Every pair of distinct identities below must get distinct GUIDs: names crafted to collide under a
 * naive join (separators inside names, escapes, empty parts, tenant vs cluster shifts). */
static void test_no_collisions(void **state) {
    (void)state;
    arena_t *a = arena_new();
    static const char *tenants[] = {NULL, "af-10", "af-10|ohi", "af", "a|b", "a\\", "x::y"};
    static const char *providers[] = {"ohi", "aws-msk", "azure-eventhubs", "confluent-cloud", "api"};
    static const char *types[] = {"KAFKA_CLUSTER", "KAFKA_BROKER", "KAFKA_TOPIC", "KAFKA_CONSUMER_GROUP"};
    static const char *clusters[] = {"c", "c|1", "c\\", "c\\|1", "", "ohi|c", "10|ohi|c"};
    static const char *members[] = {NULL, "1", "|1", "\\|1", "1|", "", "c|1"};
    strmap_t seen;
    strmap_init(&seen, a);
    size_t n = 0;
    for (size_t ti = 0; ti < sizeof tenants / sizeof *tenants; ti++)
        for (size_t pi = 0; pi < sizeof providers / sizeof *providers; pi++)
            for (size_t yi = 0; yi < sizeof types / sizeof *types; yi++)
                for (size_t ci = 0; ci < sizeof clusters / sizeof *clusters; ci++)
                    for (size_t mi = 0; mi < sizeof members / sizeof *members; mi++)
                        for (int64_t acct = 1; acct <= 11; acct += 10) {
                            kafka_identity id = {acct,      tenants[ti],  providers[pi],
                                                 types[yi], clusters[ci], members[mi]};
                            const char *g = kafka_guid(a, &id);
                            assert_non_null(g);
                            char *desc = arena_printf(a, "%lld/%s/%s/%s/%s/%s", (long long)acct,
                                                      tenants[ti] ? tenants[ti] : "(none)", providers[pi], types[yi],
                                                      clusters[ci], members[mi] ? members[mi] : "(none)");
                            const char *prev = strmap_put(&seen, g, desc);
                            if (prev) {
                                fprintf(stderr, "# collision: %s and %s -> %s\n", prev, desc, g);
                                fail();
                            }
                            n++;
                        }
    assert_int_equal(seen.count, n);
    arena_free(a);
}

static void test_types_and_providers(void **state) {
    (void)state;
    assert_int_equal(kafka_type_kind("KAFKA_CLUSTER"), KAFKA_KIND_CLUSTER);
    assert_int_equal(kafka_type_kind("AWSMSKBROKER"), KAFKA_KIND_BROKER);
    assert_int_equal(kafka_type_kind("AWSMSKTOPIC"), KAFKA_KIND_TOPIC);
    assert_int_equal(kafka_type_kind("KAFKA_CONSUMER_GROUP"), KAFKA_KIND_CONSUMER_GROUP);
    assert_int_equal(kafka_type_kind("kafka_cluster"), KAFKA_KIND_UNKNOWN);
    assert_int_equal(kafka_type_kind(NULL), KAFKA_KIND_UNKNOWN);

    assert_string_equal(kafka_type_generic("AWSMSKCLUSTER"), "KAFKA_CLUSTER");
    assert_string_equal(kafka_type_generic("KAFKA_TOPIC"), "KAFKA_TOPIC");
    assert_string_equal(kafka_type_legacy("KAFKA_BROKER"), "AWSMSKBROKER");
    assert_null(kafka_type_legacy("KAFKA_CONSUMER_GROUP"));
    assert_true(kafka_type_is_legacy("AWSMSKTOPIC"));
    assert_false(kafka_type_is_legacy("KAFKA_TOPIC"));

    /* aws-msk records create AWSMSK* entities; consumer groups stay generic. */
    assert_string_equal(kafka_type_resolve("aws-msk", "KAFKA_CLUSTER"), "AWSMSKCLUSTER");
    assert_string_equal(kafka_type_resolve("aws-msk", "AWSMSKBROKER"), "AWSMSKBROKER");
    assert_string_equal(kafka_type_resolve("aws-msk", "KAFKA_TOPIC"), "AWSMSKTOPIC");
    assert_string_equal(kafka_type_resolve("aws-msk", "KAFKA_CONSUMER_GROUP"), "KAFKA_CONSUMER_GROUP");
    assert_string_equal(kafka_type_resolve("ohi", "KAFKA_BROKER"), "KAFKA_BROKER");
    assert_null(kafka_type_resolve("ohi", "AWSMSKBROKER"));
    assert_null(kafka_type_resolve("confluent-cloud", "AWSMSKCLUSTER"));
    assert_string_equal(kafka_type_resolve("api", "AWSMSKCLUSTER"), "AWSMSKCLUSTER");
    assert_null(kafka_type_resolve("kafka", "KAFKA_BROKER"));
    assert_null(kafka_type_resolve("ohi", "HOST"));
    assert_string_equal(kafka_type_for_provider("aws-msk", KAFKA_KIND_CLUSTER), "AWSMSKCLUSTER");
    assert_string_equal(kafka_type_for_provider("azure-eventhubs", KAFKA_KIND_TOPIC), "KAFKA_TOPIC");

    static const char *names[] = {"ohi", "aws-msk", "azure-eventhubs", "confluent-cloud", "api"};
    static const char *enums[] = {"OHI", "AWS_MSK", "AZURE_EVENTHUBS", "CONFLUENT_CLOUD", "API"};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(kafka_provider_enum(names[i]), enums[i]);
        assert_string_equal(kafka_provider_from_enum(enums[i]), names[i]);
    }
    assert_null(kafka_provider_enum("OHI"));
    assert_null(kafka_provider_from_enum("ohi"));
    assert_true(kafka_provider_is_cloud("aws-msk"));
    assert_true(kafka_provider_is_cloud("confluent-cloud"));
    assert_false(kafka_provider_is_cloud("ohi"));
    assert_false(kafka_provider_is_cloud("api"));
}

int main(void) {
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_guid_format),
        cmocka_unit_test(test_deterministic),          cmocka_unit_test(test_no_collisions),
        cmocka_unit_test(test_types_and_providers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
