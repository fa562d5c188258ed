/* test_kafka_metrics_map.c -- the metric mapping table (seed 004, Metric Transformation Service):
 * the seed's entries, the completed throughputOut and Confluent names, scales, priorities, and
 * that unknown names or names of another provider are not mapped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kafka/identity.h"
#include "kafka/metrics_map.h"

static void expect_map(const char *provider, const char *native, kafka_metric canonical, double scale) {
    const kafka_metric_mapping *m = kafka_metric_lookup(provider, native, NULL);
    if (!m) fail_msg("%s %s is not mapped", provider, native);
    assert_int_equal(m->canonical, canonical);
    assert_true(m->scale == scale);
}

static void test_seed_table(void **state) {
    (void)state;
    /* The seed's metricMappings, verbatim. */
    expect_map("ohi", "broker.bytesInPerSec", KAFKA_METRIC_THROUGHPUT_IN, 1.0);
    expect_map("aws-msk", "provider.bytesInPerSec.Average", KAFKA_METRIC_THROUGHPUT_IN, 1.0);
    expect_map("azure-eventhubs", "IncomingBytes", KAFKA_METRIC_THROUGHPUT_IN, 1.0 / 60.0);
    expect_map("ohi", "consumer.totalLag", KAFKA_METRIC_CONSUMER_LAG, 1.0);
    expect_map("aws-msk", "provider.sumOffsetLag.Average", KAFKA_METRIC_CONSUMER_LAG, 1.0);
    expect_map("azure-eventhubs", "ConsumerLag", KAFKA_METRIC_CONSUMER_LAG, 1.0);
}

static void test_completed_table(void **state) {
    (void)state;
    expect_map("ohi", "broker.bytesOutPerSec", KAFKA_METRIC_THROUGHPUT_OUT, 1.0);
    expect_map("ohi", "consumerGroup.totalLag", KAFKA_METRIC_CONSUMER_LAG, 1.0);
    expect_map("aws-msk", "provider.bytesOutPerSec.Average", KAFKA_METRIC_THROUGHPUT_OUT, 1.0);
    expect_map("azure-eventhubs", "OutgoingBytes", KAFKA_METRIC_THROUGHPUT_OUT, 1.0 / 60.0);
    expect_map("confluent-cloud", "io.confluent.kafka.server/received_bytes", KAFKA_METRIC_THROUGHPUT_IN, 1.0 / 60.0);
    expect_map("confluent-cloud", "io.confluent.kafka.server/sent_bytes", KAFKA_METRIC_THROUGHPUT_OUT, 1.0 / 60.0);
    expect_map("confluent-cloud", "io.confluent.kafka.server/consumer_lag_offsets", KAFKA_METRIC_CONSUMER_LAG, 1.0);
    expect_map("api", "throughputIn", KAFKA_METRIC_THROUGHPUT_IN, 1.0);
    expect_map("api", "consumerLag", KAFKA_METRIC_CONSUMER_LAG, 1.0);

    /* Every provider with a provider type maps all three canonical metrics. */
    static const char *providers[] = {"ohi", "aws-msk", "azure-eventhubs", "confluent-cloud", "api"};
    size_t n;
    const kafka_metric_mapping *t = kafka_metric_mappings(&n);
    for (size_t p = 0; p < 5; p++) {
        int seen[KAFKA_NMETRICS] = {0};
        for (size_t i = 0; i < n; i++)
            if (strcmp(t[i].provider, providers[p]) == 0) seen[t[i].canonical]++;
        for (int m = 0; m < KAFKA_NMETRICS; m++)
            if (!seen[m]) fail_msg("%s has no mapping for %s", providers[p], kafka_metric_name((kafka_metric)m));
    }
    /* Every table provider is a known provider, every scale positive. */
    for (size_t i = 0; i < n; i++) {
        assert_non_null(kafka_provider_enum(t[i].provider));
        assert_true(t[i].scale > 0);
    }
}

static void test_unknown_and_priority(void **state) {
    (void)state;
    assert_null(kafka_metric_lookup("ohi", "broker.messagesInPerSec", NULL));
    assert_null(kafka_metric_lookup("ohi", "IncomingBytes", NULL)); /* another provider's name */
    assert_null(kafka_metric_lookup("aws-msk", "broker.bytesInPerSec", NULL));
    assert_null(kafka_metric_lookup("kafka", "throughputIn", NULL));
    assert_null(kafka_metric_lookup("ohi", "Broker.BytesInPerSec", NULL)); /* case matters */
    assert_null(kafka_metric_lookup(NULL, "x", NULL));
    size_t p1 = 99, p2 = 99;
    assert_non_null(kafka_metric_lookup("ohi", "consumer.totalLag", &p1));
    assert_non_null(kafka_metric_lookup("ohi", "consumerGroup.totalLag", &p2));
    assert_true(p1 < p2); /* the seed's name wins when both are sent */
    assert_string_equal(kafka_metric_name(KAFKA_METRIC_THROUGHPUT_IN), "throughputIn");
    assert_string_equal(kafka_metric_name(KAFKA_METRIC_THROUGHPUT_OUT), "throughputOut");
    assert_string_equal(kafka_metric_name(KAFKA_METRIC_CONSUMER_LAG), "consumerLag");
    assert_null(kafka_metric_name(KAFKA_NMETRICS));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_table),
        cmocka_unit_test(test_completed_table),
        cmocka_unit_test(test_unknown_and_priority),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
