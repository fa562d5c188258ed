/* metrics_map.c -- the metric mapping table of seed 004 (Metric Transformation Service), completed.
 *
 * Sources for the names that the seed leaves out:
 *  - ohi (nri-kafka): KafkaBrokerSample broker.bytesInPerSec / broker.bytesOutPerSec,
 *    KafkaOffsetSample consumerGroup.totalLag next to the seed's consumer.totalLag.
 *  - aws-msk (New Relic CloudWatch integration): provider.bytesOutPerSec.Average.
 *  - azure-eventhubs (Azure Monitor): OutgoingBytes. IncomingBytes/OutgoingBytes are totals per
 *    one-minute grain (PT1M), hence the 1/60 scale to bytes per second.
 *  - confluent-cloud (Metrics API v2): io.confluent.kafka.server/received_bytes and sent_bytes are
 *    deltas per one-minute granularity (scale 1/60), consumer_lag_offsets is a gauge.
 *  - api (synthetic and custom senders): the canonical names themselves. */
#include "kafka/metrics_map.h"

#include <string.h>

#define PER_MINUTE (1.0 / 60.0)

static const kafka_metric_mapping kafka_mappings[] = {
    {"ohi", "broker.bytesInPerSec", KAFKA_METRIC_THROUGHPUT_IN, 1.0},
    {"ohi", "broker.bytesOutPerSec", KAFKA_METRIC_THROUGHPUT_OUT, 1.0},
    {"ohi", "consumer.totalLag", KAFKA_METRIC_CONSUMER_LAG, 1.0},
    {"ohi", "consumerGroup.totalLag", KAFKA_METRIC_CONSUMER_LAG, 1.0},

    {"aws-msk", "provider.bytesInPerSec.Average", KAFKA_METRIC_THROUGHPUT_IN, 1.0},
    {"aws-msk", "provider.bytesOutPerSec.Average", KAFKA_METRIC_THROUGHPUT_OUT, 1.0},
    {"aws-msk", "provider.sumOffsetLag.Average", KAFKA_METRIC_CONSUMER_LAG, 1.0},

    {"azure-eventhubs", "IncomingBytes", KAFKA_METRIC_THROUGHPUT_IN, PER_MINUTE},
    {"azure-eventhubs", "OutgoingBytes", KAFKA_METRIC_THROUGHPUT_OUT, PER_MINUTE},
    {"azure-eventhubs", "ConsumerLag", KAFKA_METRIC_CONSUMER_LAG, 1.0},

    {"confluent-cloud", "io.confluent.kafka.server/received_bytes", KAFKA_METRIC_THROUGHPUT_IN, PER_MINUTE},
    {"confluent-cloud", "io.confluent.kafka.server/sent_bytes", KAFKA_METRIC_THROUGHPUT_OUT, PER_MINUTE},
    {"confluent-cloud", "io.confluent.kafka.server/consumer_lag_offsets", KAFKA_METRIC_CONSUMER_LAG, 1.0},

    {"api", "throughputIn", KAFKA_METRIC_THROUGHPUT_IN, 1.0},
    {"api", "throughputOut", KAFKA_METRIC_THROUGHPUT_OUT, 1.0},
    {"api", "consumerLag", KAFKA_METRIC_CONSUMER_LAG, 1.0},
};

const kafka_metric_mapping *kafka_metric_mappings(size_t *n) {
    *n = sizeof kafka_mappings / sizeof kafka_mappings[0];
    return kafka_mappings;
}

const char *kafka_metric_name(kafka_metric m) {
    switch (m) {
    case KAFKA_METRIC_THROUGHPUT_IN:
        return "throughputIn";
    case KAFKA_METRIC_THROUGHPUT_OUT:
        return "throughputOut";
    case KAFKA_METRIC_CONSUMER_LAG:
        return "consumerLag";
    default:
        return NULL;
    }
}

const kafka_metric_mapping *kafka_metric_lookup(const char *provider, const char *native, size_t *priority) {
    if (!provider || !native) return NULL;
    for (size_t i = 0; i < sizeof kafka_mappings / sizeof kafka_mappings[0]; i++) {
        if (strcmp(kafka_mappings[i].provider, provider) == 0 && strcmp(kafka_mappings[i].native, native) == 0) {
            if (priority) *priority = i;
            return &kafka_mappings[i];
        }
    }
    return NULL;
}
