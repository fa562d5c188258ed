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

/* POST /v1/events (shared/api/events.md): body is a JSON array of records, or NDJSON when
 * content_type is application/x-ndjson. Each record is validated and authorized on its own; the
 * accepted ones are written in ONE transaction committed before this returns. Sets *http_status
 * and appends the JSON response body to response_json:
 *   202 {"accepted":N,"rejected":M,"errors":[{"index":i,"message":"..."}]}
 *   400 / 401 / 413 / 500 {"error":"..."}
 * Returns 0 when the batch was processed (202), -1 otherwise. */
int kafka_ingest(request_ctx *ctx, const char *body, size_t len, const char *content_type, buf_t *response_json,
                 int *http_status);

/* worker_fn of the cleanup thread (seed 004 cleanupStaleEntities, seed 003 dead tenants): deletes
 * in batches of cfg->cleanup_batch rows per short transaction stale ohi/api entities, expired
 * synthetic entities and tenants silent for cfg->tenant_ttl with their entities. arg is unused. */
int kafka_cleanup_run(store_t *store, const config_t *cfg, void *arg);
/* Module hooks: the state (holds the cleanup worker); start the cleanup thread (every cfg->cleanup_interval), stop it. */
int kafka_module_init(app_t *app, void **state, char *err, size_t errlen);
int kafka_cleanup_start(app_t *app, void *state, char *err, size_t errlen);
void kafka_cleanup_stop(app_t *app, void *state);

#endif
