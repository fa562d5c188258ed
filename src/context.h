/* context.h -- the per-request context that the HTTP layer builds and resolvers receive as
 * gql_resolve_info.context (and that the event ingest receives). */
#ifndef ENTITYD_CONTEXT_H
#define ENTITYD_CONTEXT_H

#include "app.h"
#include "auth/principal.h"
#include "config.h"
#include "store/store.h"
#include "util/arena.h"

typedef struct {
    app_t *app;            /* the application: module state, services (app.h) */
    const config_t *cfg;
    store_t *store;        /* this thread's SQLite connection */
    principal_t principal; /* unauthenticated when no or a bad API-Key was sent */
    arena_t *arena;        /* the request arena */
    int64_t now;           /* request time, unix seconds (UTC); tests may not fake it */
} request_ctx;

#endif
