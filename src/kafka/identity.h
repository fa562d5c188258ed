/* identity.h -- Kafka entity identity (seed 004, Entity Identity Service): GUIDs, entity type and
 * provider names, and the legacy AWSMSK* type mapping (seed 004, Migration Strategy phase 1).
 *
 * GUID = {accountId}|INFRA|{type}|{base64(identifier)} with standard base64 (RFC 4648, padded).
 * The identifier joins tenant, provider, cluster name and member (brokerId, topic, consumer group
 * or synthetic name) with '|', each component escaped ('\' -> "\\", '|' -> "\|"), so two different
 * entities never share a GUID across providers and tenants, and the same entity always gets the
 * same one. */
#ifndef ENTITYD_KAFKA_IDENTITY_H
#define ENTITYD_KAFKA_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct {
    int64_t account_id;
    const char *tenant;   /* NULL: none */
    const char *provider; /* "ohi","aws-msk","azure-eventhubs","confluent-cloud","api" */
    const char *type;     /* KafkaEntityType name */
    const char *cluster_name;
    const char *member; /* brokerId/topic/consumerGroup/name; NULL for clusters */
} kafka_identity;

/* The unencoded identifier (see above); NULL when provider, type or cluster_name is missing. */
const char *kafka_identifier(arena_t *a, const kafka_identity *id);
/* The GUID; NULL when the identity is incomplete. */
const char *kafka_guid(arena_t *a, const kafka_identity *id);

/* GUIDs of relationship ends that are not Kafka entities (seed 004, Relationship Manager). */
const char *kafka_host_guid(arena_t *a, int64_t account_id, const char *hostname);
const char *kafka_aws_account_guid(arena_t *a, int64_t account_id, const char *aws_account_id);

/* What an entity type is, whatever its provider flavour. */
typedef enum {
    KAFKA_KIND_UNKNOWN = 0,
    KAFKA_KIND_CLUSTER,
    KAFKA_KIND_BROKER,
    KAFKA_KIND_TOPIC,
    KAFKA_KIND_CONSUMER_GROUP
} kafka_kind;

/* Kind of a KafkaEntityType name (KAFKA_* and AWSMSK*); KAFKA_KIND_UNKNOWN for anything else. */
kafka_kind kafka_type_kind(const char *type);
/* True for AWSMSKCLUSTER, AWSMSKBROKER, AWSMSKTOPIC. */
bool kafka_type_is_legacy(const char *type);
/* The generic twin of a type: AWSMSKCLUSTER -> KAFKA_CLUSTER, ...; KAFKA_* unchanged; NULL if unknown. */
const char *kafka_type_generic(const char *type);
/* The legacy twin: KAFKA_CLUSTER -> AWSMSKCLUSTER, ...; NULL when the type has none (consumer groups). */
const char *kafka_type_legacy(const char *type);
/* The type an entity of this kind is stored as for a provider: aws-msk records create AWSMSK*
 * clusters, brokers and topics (consumer groups stay KAFKA_CONSUMER_GROUP); others KAFKA_*. */
const char *kafka_type_for_provider(const char *provider, kafka_kind kind);
/* The type to store for a record's entityType from a provider: the legacy mapping above for
 * aws-msk; NULL when the type is unknown or not valid for the provider (AWSMSK* types come only
 * from aws-msk, or api for synthetic entities). */
const char *kafka_type_resolve(const char *provider, const char *type);

/* Provider name ("aws-msk") <-> KafkaProviderType enum name ("AWS_MSK"); NULL when unknown. */
const char *kafka_provider_enum(const char *provider);
const char *kafka_provider_from_enum(const char *enum_name);
/* True for the cloud providers (aws-msk, azure-eventhubs, confluent-cloud). */
bool kafka_provider_is_cloud(const char *provider);

#endif
