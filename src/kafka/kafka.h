/* kafka.h -- public API of the Kafka entity platform (seeds 003, 004; issue 4): the GraphQL
 * bindings (resolvers.c), the event ingest behind POST /v1/events (ingest.c) and the cleanup
 * worker job (cleanup.c). */
#ifndef ENTITYD_KAFKA_H
#define ENTITYD_KAFKA_H

#include <stddef.h>

#include "../config.h" /* src/config.h, not autoconf's */
#include "context.h"
#include "graphql/type/schema.h"
#include "store/store.h"
#include "util/buf.h"

/* KafkaNamespace, KafkaEntity, synthetic entity mutations, Account.kafka/tenants. */
extern const gql_binding kafka_bindings[];
extern const size_t kafka_nbindings;
/* The module descriptor (app.h): schema/kafka.graphql, its resolvers, the cleanup worker. */
extern const struct app_module kafka_module;

/* The outcome of one batch (the HTTP layer maps it to a status code). */
typedef enum {
    KAFKA_INGEST_OK = 0,          /* processed: response_json holds the summary */
    KAFKA_INGEST_UNAUTHENTICATED, /* no valid key */
    KAFKA_INGEST_BAD_BODY,        /* not a JSON array/object or NDJSON, or empty */
    KAFKA_INGEST_TOO_LARGE,       /* more records or bytes than the limits */
    KAFKA_INGEST_STORE_ERROR,     /* nothing stored; the client may retry the batch */
    KAFKA_INGEST_DISK_FULL        /* nothing stored: the disk is full (SQLITE_FULL); retry once space is freed */
} kafka_ingest_code;

typedef enum { KAFKA_BODY_JSON, KAFKA_BODY_NDJSON } kafka_body_format;

/* The event ingest (shared/api/events.md): the body is a JSON array of records (or one record
 * object), or NDJSON. Each record is validated and authorized on its own; the accepted ones are
 * written in ONE transaction committed before this returns. On KAFKA_INGEST_OK appends
 *   {"accepted":N,"rejected":M,"errors":[{"index":i,"reason":"...","message":"..."}]}
 * to response_json; otherwise returns the code with the reason in err. */
kafka_ingest_code kafka_ingest(request_ctx *ctx, const char *body, size_t len, kafka_body_format format,
                               buf_t *response_json, char *err, size_t errlen);

/* worker_fn of the cleanup thread (seed 004 cleanupStaleEntities, seed 003 dead tenants): deletes
 * in batches of cfg->cleanup_batch rows per short transaction stale ohi/api entities, expired
 * synthetic entities and tenants silent for cfg->tenant_ttl with their entities. arg is unused. */
int kafka_cleanup_run(store_t *store, const config_t *cfg, void *arg);
/* Module hooks: the state (holds the cleanup worker); start the cleanup thread (every cfg->cleanup_interval), stop it. */
int kafka_module_init(app_t *app, void **state, char *err, size_t errlen);
int kafka_cleanup_start(app_t *app, void *state, char *err, size_t errlen);
void kafka_cleanup_stop(app_t *app, void *state);

#endif
