/* graphql.h -- the engine's public face, used by the HTTP layer and the CLI.
 * It parses (through a bounded LRU cache of parsed + validated documents), validates,
 * and executes. The engine knows no domain: resolvers are bound with gql_schema_bind(). */
#ifndef ENTITYD_GRAPHQL_H
#define ENTITYD_GRAPHQL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/error.h"
#include "graphql/execution/execute.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "graphql/validation/validate.h"
#include "util/buf.h"

typedef struct {
    size_t max_document_bytes; /* default 1 MiB */
    uint32_t max_tokens;       /* default 20000 */
    uint32_t max_depth;        /* default 20 */
    uint32_t max_aliases;      /* default 100 */
    uint32_t max_fields;       /* default 2000 */
    size_t cache_entries;      /* default 512; 0 disables the document cache */
    size_t max_response_bytes; /* default 0 (none): execution stops past it, RESPONSE_TOO_LARGE */
    uint64_t max_cost;         /* default 0 (none): estimated cost above it refused, MAX_COST_EXCEEDED */
    uint32_t cost_list_size;   /* default 10: assumed length of a list without `first`/`last` */
} gql_limits;

void gql_limits_default(gql_limits *l);

typedef struct gql_engine gql_engine;

/* The engine owns the schema from here on (frees it in gql_engine_free). Thread safe. */
gql_engine *gql_engine_new(gql_schema *schema, const gql_limits *limits);
void gql_engine_free(gql_engine *e);
const gql_schema *gql_engine_schema(const gql_engine *e);

typedef struct {
    const char *query;
    size_t query_len;
    const char *operation_name; /* NULL when absent */
    const json_t *variables;    /* NULL when absent */
    void *context;
    /* Set by the HTTP layer for GET: only query operations may run (GraphQL over HTTP §GET). */
    int only_queries;
} gql_request;

typedef enum {
    GQL_RESULT_OK = 0,           /* executed: data present (maybe with field errors) -> HTTP 200 */
    GQL_RESULT_PARSE_ERROR,      /* document failed to parse -> 400 */
    GQL_RESULT_VALIDATION_ERROR, /* document failed validation or limits -> 400 */
    GQL_RESULT_REQUEST_ERROR,    /* operation not found / variables invalid -> 400 */
    GQL_RESULT_NOT_ALLOWED       /* mutation over GET -> 405 */
} gql_result_status;

/* Runs one request, writing the response JSON object to out. arena is the request arena. */
gql_result_status gql_engine_run(gql_engine *e, const gql_request *req, arena_t *arena, buf_t *out);

#endif
