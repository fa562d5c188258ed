/* cost.h -- a request's estimated cost, computed before it runs (issue 11 item 1), in the manner of
 * GitHub's and Shopify's GraphQL APIs: every field selection costs 1, multiplied by the sizes of the
 * lists it sits in. A field with an Int argument `first` or `last` multiplies its selection set by that
 * value (the Relay connection pattern; the list fields directly below it, `nodes`/`edges`, are that same
 * page and do not multiply again); any other list field multiplies by an assumed list size.
 * Introspection (`__schema`, `__type`) is bounded by the schema and costs 1 per selection. */
#ifndef ENTITYD_GQL_COST_H
#define ENTITYD_GQL_COST_H

#include <stdint.h>

#include "graphql/language/ast.h"
#include "graphql/type/schema.h"
#include "util/arena.h"

/* The estimated cost of operation op of doc (validated) with its coerced variables (a GQL_V_MAP).
 * The walk stops once the cost passes `stop_above` (the result is then above it too). */
uint64_t gql_operation_cost(const gql_schema *schema, const gql_document *doc, const gql_definition *op,
                            const gql_val *variables, uint32_t list_size, uint64_t stop_above, arena_t *arena);

#endif
