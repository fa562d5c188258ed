/* ast.c -- helpers for the AST: names of directive locations (spec §3.13 DirectiveLocations). */
#include "graphql/language/ast.h"

#include <string.h>

/* Indexed by bit number; the order of the GQL_DL_* enum in ast.h. */
static const char *const location_names[GQL_DL_COUNT] = {
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
    "SCHEMA",
    "SCALAR",
    "OBJECT",
    "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION",
    "INTERFACE",
    "UNION",
    "ENUM",
    "ENUM_VALUE",
    "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
};

const char *gql_directive_location_name(uint32_t bit) {
    for (unsigned i = 0; i < GQL_DL_COUNT; i++)
        if (bit == (1u << i)) return location_names[i];
    return NULL;
}

uint32_t gql_directive_location_from_name(const char *name) {
    if (!name) return 0;
    for (unsigned i = 0; i < GQL_DL_COUNT; i++)
        if (strcmp(name, location_names[i]) == 0) return 1u << i;
    return 0;
}
