/* query.h -- reading Kafka entities for the GraphQL API (seed 004, Entity Query API): the
 * filtered entity list with keyset pagination and totalCount, lookups by GUID, relationships of a
 * whole page in one query, and the tenant list (seed 003). Knows SQL, not GraphQL: the resolvers
 * in resolvers.c turn these structs into values. All memory comes from the caller's arena. */
#ifndef ENTITYD_KAFKA_QUERY_H
#define ENTITYD_KAFKA_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"

/* Bounds on strings that come from a request (filter values, cursors, GUIDs). */
#define KAFKA_MAX_FILTER_STRING 1024
#define KAFKA_MAX_CURSOR 2048
#define KAFKA_MAX_LIST_FILTER 16

/* KafkaEntityFilter: NULL / 0-length / -1 means "do not filter". List values are GraphQL enum
 * names (KafkaEntityType, KafkaProviderType, AlertSeverity), exactly as stored in entities. */
typedef struct {
    const char **types;
    size_t ntypes;
    const char **providers;
    size_t nproviders;
    const char *cluster_name;
    const char *name_contains;
    int reporting; /* -1, 0, 1 */
    const char *tenant;
    int synthetic; /* -1, 0, 1 */
    const char **severities;
    size_t nseverities;
} kafka_filter;

typedef struct kafka_page kafka_page;

/* One end of a relationship (EntityOutline). */
typedef struct {
    const char *guid;
    const char *name; /* NULL when unknown */
    const char *type; /* never NULL */
} kafka_outline;

typedef struct {
    kafka_outline source;
    kafka_outline target;
    const char *type; /* RelationshipType name */
} kafka_entity_rel;

/* One row of entities (column names in migrations/0002_kafka.sql). */
typedef struct {
    const char *guid;
    int64_t account_id;
    const char *type;
    const char *provider;
    const char *name;
    const char *cluster_name;
    const char *tenant;      /* NULL when none */
    const char *external_id; /* NULL when none */
    bool synthetic;
    int64_t created_at;
    int64_t last_seen;
    bool has_expires_at;
    int64_t expires_at;
    const char *metadata; /* JSON text or NULL */
    bool has_throughput_in, has_throughput_out, has_consumer_lag, has_metrics_updated_at;
    double throughput_in, throughput_out, consumer_lag;
    int64_t metrics_updated_at;
    const char *alert_severity;
    /* Relationships, filled for the whole page at once by kafka_load_relationships(). */
    kafka_page *page;
    kafka_entity_rel *rels;
    size_t nrels;
} kafka_entity;

struct kafka_page {
    kafka_entity **items;
    size_t count;
    bool has_next;
    bool rels_loaded;
};

/* Appends a filter list value (bounded by KAFKA_MAX_LIST_FILTER; -1 when full). */
int kafka_filter_add(arena_t *a, const char ***list, size_t *n, const char *value);

/* The legacy twin of an entity type (seed 004, Migration Strategy phase 1), or NULL. */
const char *kafka_type_twin(const char *type);

/* One page of the entities of account_id matching f, ordered by guid, strictly after after_guid
 * (NULL: from the start), at most limit (>= 1) rows; has_next tells whether more follow.
 * reporting_since: the oldest last_seen that still counts as reporting. 0, or -1 on a SQL error
 * (message in err). */
int kafka_query_entities(store_t *s, arena_t *a, int64_t account_id, const kafka_filter *f, int64_t reporting_since,
                         const char *after_guid, uint32_t limit, kafka_page **out, char *err, size_t errlen);

/* How many entities of account_id match f (all pages). 0 or -1. */
int kafka_count_entities(store_t *s, int64_t account_id, const kafka_filter *f, int64_t reporting_since, int64_t *out,
                         char *err, size_t errlen);

/* One entity by GUID; account_id < 0 means any account. A page of one is attached so the
 * relationship loader works alike. 0 found, 1 not found, -1 error. */
int kafka_get_entity(store_t *s, arena_t *a, const char *guid, int64_t account_id, kafka_entity **out, char *err,
                     size_t errlen);

/* Loads the relationships of every entity of the page with ONE query (json_each over the page's
 * GUIDs), both ends resolved to name and type. Idempotent. 0 or -1. */
int kafka_load_relationships(store_t *s, arena_t *a, kafka_page *page, char *err, size_t errlen);

/* Opaque cursors: base64url of the last GUID of a page. decode returns -1 for anything that is
 * not a cursor this server produced (bad length, alphabet, or content). */
const char *kafka_cursor_encode(arena_t *a, const char *guid);
int kafka_cursor_decode(arena_t *a, const char *cursor, const char **guid);

typedef struct {
    const char *id;
    int64_t first_seen;
    int64_t last_seen;
    int64_t entity_count;
} kafka_tenant;

/* The tenants of an account ordered by id, with their entity counts. 0 or -1. */
int kafka_list_tenants(store_t *s, arena_t *a, int64_t account_id, kafka_tenant **out, size_t *n, char *err,
                       size_t errlen);

#endif
