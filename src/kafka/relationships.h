/* relationships.h -- relationships inferred from ingested records (seed 004, Relationship
 * Manager): cluster CONTAINS broker, cluster HOSTS topic, broker RUNS_ON host (ohi with a
 * hostname), consumer group CONSUMES topic (from value.topics), cluster MANAGED_BY AWS account
 * (aws-msk with an ARN). Writes are idempotent; names and types of both ends are stored so that
 * ends which are not Kafka entities (hosts, cloud accounts) or not yet reported still resolve. */
#ifndef ENTITYD_KAFKA_RELATIONSHIPS_H
#define ENTITYD_KAFKA_RELATIONSHIPS_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/identity.h"
#include "store/store.h"
#include "util/arena.h"

/* What the inference needs to know about one ingested entity. */
typedef struct {
    kafka_identity id;       /* the entity's identity (id.type is the stored type) */
    const char *guid;        /* kafka_guid(&id) */
    const char *name;        /* its display name */
    const char *hostname;    /* ohi brokers: the host they run on; NULL otherwise */
    const char *external_id; /* ARN / resource id; NULL when absent */
    const char **topics;     /* consumer groups: topics consumed */
    size_t ntopics;
} kafka_rel_entity;

/* One relationship row. */
typedef struct {
    const char *source_guid, *source_name, *source_type;
    const char *target_guid, *target_name, *target_type;
    const char *type; /* RelationshipType name */
} kafka_relationship;

/* The relationships an entity implies (pure; strings in a). Returns how many were put in out
 * (at most max). */
size_t kafka_relationships_infer(arena_t *a, const kafka_rel_entity *e, kafka_relationship *out, size_t max);

/* The 12-digit AWS account id inside an ARN ("arn:aws:kafka:us-east-1:123456789012:cluster/..."),
 * or NULL when arn is not an ARN with one. */
const char *kafka_arn_account(arena_t *a, const char *arn);

/* Infers and stores (INSERT ... ON CONFLICT DO NOTHING) the entity's relationships in the
 * caller's transaction. Returns the number of rows examined, or -1 on a store error. */
int kafka_relationships_store(store_t *s, arena_t *a, int64_t account_id, const kafka_rel_entity *e, int64_t now);

#endif
