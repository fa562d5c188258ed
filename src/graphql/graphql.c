/* graphql.c -- the engine facade (graphql.h): document cache -> parse (§2) -> GET restriction
 * (GraphQL over HTTP) -> validate (§5) -> GetOperation (§6.1) -> execute (§6), writing one
 * complete response object (§7.1) per request. */
#include "graphql/graphql.h"

#include <stdbool.h>
#include <stdlib.h>

#include "graphql/cache.h"
#include "graphql/execution/response.h"

/* Bound on the memory of cached documents (their arenas), on top of gql_limits.cache_entries:
 * 512 entries of near-1 MiB documents would otherwise hold gigabytes. */
#define GQL_CACHE_MAX_BYTES ((size_t)64 * 1024 * 1024)

struct gql_engine {
    gql_schema *schema;
    gql_limits limits;
    gql_doc_cache *cache; /* NULL when disabled */
};

void gql_limits_default(gql_limits *l) {
    l->max_document_bytes = 1024 * 1024;
    l->max_tokens = 20000;
    l->max_depth = 20; /* GraphiQL's introspection query has depth 15: leave headroom */
    l->max_aliases = 100;
    l->max_fields = 2000;
    l->max_response_bytes = 0;
    l->max_cost = 0;
    l->cost_list_size = 10;
    l->cache_entries = 512;
}

gql_engine *gql_engine_new(gql_schema *schema, const gql_limits *limits) {
    gql_engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->schema = schema;
    if (limits)
        e->limits = *limits;
    else
        gql_limits_default(&e->limits);
    if (e->limits.cache_entries) {
        e->cache = gql_doc_cache_new(e->limits.cache_entries, GQL_CACHE_MAX_BYTES);
        if (!e->cache) {
            free(e);
            return NULL;
        }
    }
    return e;
}

void gql_engine_free(gql_engine *e) {
    if (!e) return;
    gql_doc_cache_free(e->cache);
    gql_schema_free(e->schema);
    free(e);
}

const gql_schema *gql_engine_schema(const gql_engine *e) {
    return e->schema;
}

/* GraphQL over HTTP (GET): only query operations may run. Checked right after parsing, before
 * validation, as graphql-http does, with its message ("Cannot perform mutations over GET"). */
static bool refused_over_get(const gql_request *req, const gql_document *doc, arena_t *arena, gql_errors *errs) {
    if (!req->only_queries) return false;
    gql_errors scratch; /* an unknown or ambiguous operation is reported later, after validation */
    gql_errors_init(&scratch, arena);
    const gql_definition *op = gql_get_operation(doc, req->operation_name, &scratch);
    if (!op || op->operation == GQL_OP_QUERY) return false;
    gql_errors_add(errs, NULL, NULL, 0, NULL, "Cannot perform %s over GET",
                   op->operation == GQL_OP_MUTATION ? "mutations" : "subscriptions");
    return true;
}

gql_result_status gql_engine_run(gql_engine *e, const gql_request *req, arena_t *arena, buf_t *out) {
    gql_errors errs;
    gql_errors_init(&errs, arena);
    const gql_limits *lim = &e->limits;
    gql_parse_limits pl = {
        .max_bytes = lim->max_document_bytes, .max_tokens = lim->max_tokens, .max_depth = lim->max_depth};
    gql_validate_limits vl = {
        .max_depth = lim->max_depth, .max_aliases = lim->max_aliases, .max_fields = lim->max_fields};
    const char *query = req->query ? req->query : "";
    size_t qlen = req->query ? req->query_len : 0;
    bool cacheable = e->cache && !(lim->max_document_bytes && qlen > lim->max_document_bytes);

    gql_cached_doc *entry = cacheable ? gql_doc_cache_get(e->cache, query, qlen) : NULL;
    bool from_cache = entry != NULL;
    const gql_document *doc = NULL;
    arena_t *owned = NULL; /* the document's arena while it is not (yet) in the cache */
    if (entry) {
        doc = gql_cached_doc_document(entry);
    } else {
        arena_t *da = arena;
        if (cacheable) da = owned = arena_new();
        gql_document *parsed = gql_parse(da, query, qlen, &pl, &errs);
        if (!parsed) {
            arena_free(owned);
            gql_response_write(out, &errs, false, NULL);
            return GQL_RESULT_PARSE_ERROR;
        }
        if (refused_over_get(req, parsed, arena, &errs)) {
            arena_free(owned);
            gql_response_write(out, &errs, false, NULL);
            return GQL_RESULT_NOT_ALLOWED;
        }
        if (gql_validate(e->schema, parsed, &vl, &errs) > 0) {
            arena_free(owned);
            gql_response_write(out, &errs, false, NULL);
            return GQL_RESULT_VALIDATION_ERROR;
        }
        doc = parsed;
        if (owned) {
            entry = gql_doc_cache_put(e->cache, query, qlen, owned, parsed);
            if (entry) {
                owned = NULL;
                doc = gql_cached_doc_document(entry);
            }
        }
    }

    gql_result_status st;
    if (from_cache && refused_over_get(req, doc, arena, &errs)) { /* a cached document skipped the check above */
        gql_response_write(out, &errs, false, NULL);
        st = GQL_RESULT_NOT_ALLOWED;
    } else if (!gql_get_operation(doc, req->operation_name, &errs)) {
        gql_response_write(out, &errs, false, NULL);
        st = GQL_RESULT_REQUEST_ERROR;
    } else {
        gql_exec_params p = {.schema = e->schema,
                             .document = doc,
                             .operation_name = req->operation_name,
                             .variables = req->variables,
                             .context = req->context,
                             .arena = arena,
                             .max_response_bytes = lim->max_response_bytes,
                             .max_cost = lim->max_cost,
                             .cost_list_size = lim->cost_list_size};
        st = gql_execute(&p, out) == GQL_EXEC_OK ? GQL_RESULT_OK : GQL_RESULT_REQUEST_ERROR;
    }
    if (entry) gql_doc_cache_release(e->cache, entry);
    arena_free(owned);
    return st;
}
