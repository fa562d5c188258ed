/* metrics_map.h -- provider-native metric names -> canonical Kafka metrics (seed 004, Metric
 * Transformation Service). The seed's table, completed for throughputOut and Confluent Cloud from
 * each provider's public metric names; documented in docs/entities.md. */
#ifndef ENTITYD_KAFKA_METRICS_MAP_H
#define ENTITYD_KAFKA_METRICS_MAP_H

#include <stddef.h>

typedef enum {
    KAFKA_METRIC_THROUGHPUT_IN = 0, /* bytes/s into the entity */
    KAFKA_METRIC_THROUGHPUT_OUT,    /* bytes/s out of the entity */
    KAFKA_METRIC_CONSUMER_LAG,      /* messages (offsets) behind */
    KAFKA_NMETRICS
} kafka_metric;

typedef struct {
    const char *provider; /* "ohi", "aws-msk", ... */
    const char *native;   /* the provider's metric name */
    kafka_metric canonical;
    double scale; /* canonical = native * scale (per-minute totals -> per second) */
} kafka_metric_mapping;

/* The whole table, in priority order: when a record carries two names for the same canonical
 * metric, the earlier entry wins. */
const kafka_metric_mapping *kafka_metric_mappings(size_t *n);

/* "throughputIn", "throughputOut", "consumerLag". */
const char *kafka_metric_name(kafka_metric m);

/* Looks a native name up for a provider. Returns the mapping (its position in the table is its
 * priority, *priority set when non-NULL) or NULL when the name is unknown (kept in metadata). */
const kafka_metric_mapping *kafka_metric_lookup(const char *provider, const char *native, size_t *priority);

#endif
