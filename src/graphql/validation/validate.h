/* validate.h -- document validation (spec §5 Validation). Each rule of §5 lives in its
 * own file under rules/, named as the spec (and graphql-js) names it. */
#ifndef ENTITYD_GQL_VALIDATE_H
#define ENTITYD_GQL_VALIDATE_H

#include <stdint.h>

#include "graphql/error.h"
#include "graphql/language/ast.h"
#include "graphql/type/schema.h"

typedef struct {
    uint32_t max_depth;   /* 0 = unlimited: selection set nesting depth, fragments expanded */
    uint32_t max_aliases; /* 0 = unlimited: aliased fields in the document */
    uint32_t max_fields;  /* 0 = unlimited: field nodes, fragments expanded */
} gql_validate_limits;

/* Runs every rule of §5 (all errors are reported, graphql-js order and messages, code
 * GRAPHQL_VALIDATION_FAILED), then the protection limits (code LIMIT_EXCEEDED). Returns the
 * number of errors added. Scratch memory comes from errs->arena. */
size_t gql_validate(const gql_schema *s, const gql_document *doc, const gql_validate_limits *limits, gql_errors *errs);

#endif
