/* execute.h -- execution (spec §6 Execution) and the response (§7 Response). */
#ifndef ENTITYD_GQL_EXECUTE_H
#define ENTITYD_GQL_EXECUTE_H

#include <jansson.h>
#include <stdint.h>

#include "graphql/error.h"
#include "graphql/language/ast.h"
#include "graphql/type/schema.h"
#include "util/arena.h"
#include "util/buf.h"

typedef struct {
    const gql_schema *schema;
    const gql_document *document; /* already validated */
    const char *operation_name;   /* NULL when not given */
    const json_t *variables;      /* JSON object, or NULL */
    void *context;                /* handed to resolvers as info->context */
    arena_t *arena;               /* request arena: all execution memory */
    /* Resource bounds (issue 11 item 1); 0 disables each. */
    size_t max_response_bytes; /* past it execution stops: only an error with code RESPONSE_TOO_LARGE */
    uint64_t max_cost;         /* estimated cost (cost.h) above it: refused before execution, MAX_COST_EXCEEDED */
    uint32_t cost_list_size;   /* the size cost.h assumes for a list without `first`/`last` */
} gql_exec_params;

/* §6.1 GetOperation: finds the operation to run; NULL with an error in errs when it cannot
 * (no operation, several without operationName, unknown name). */
const gql_definition *gql_get_operation(const gql_document *doc, const char *operation_name, gql_errors *errs);

typedef enum {
    GQL_EXEC_OK = 0, /* data was produced (possibly with field errors) */
    GQL_EXEC_REQUEST_ERROR =
        1 /* no execution: operation not found or variable coercion failed; response has only "errors" */
} gql_exec_status;

/* Executes the operation (§6.2; mutations serially §6.2.2) and writes the complete response
 * JSON object to out: {"errors":[...],"data":{...}} (errors omitted when none, data omitted on a
 * request error). Response keys follow request order. */
gql_exec_status gql_execute(const gql_exec_params *p, buf_t *out);

#endif
