/* synthetic.h -- synthetic Kafka entities (seed 004, Synthetic Entity Creation API):
 * Mutation.createSyntheticKafkaEntity and Mutation.deleteSyntheticKafkaEntity, and the input
 * validation they share with tests. */
#ifndef ENTITYD_KAFKA_SYNTHETIC_H
#define ENTITYD_KAFKA_SYNTHETIC_H

#include <stdbool.h>
#include <stddef.h>

#include "graphql/type/schema.h"

/* Longest synthetic entity name and cluster name, in bytes. */
#define KAFKA_SYNTHETIC_NAME_MAX 255
/* Largest metadata object, serialized. */
#define KAFKA_SYNTHETIC_METADATA_MAX 65536

/* clusterName format of synthetic entities: 1 to 255 of [A-Za-z0-9._-]. */
bool kafka_cluster_name_valid(const char *s, size_t len);

int kafka_create_synthetic(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out);
int kafka_delete_synthetic(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out);

#endif
