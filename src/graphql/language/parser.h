/* parser.h -- GraphQL parser (spec §2 Language and the type system language of §3).
 * Recursive descent over the lexer's tokens; the AST is allocated in the given arena. */
#ifndef ENTITYD_GQL_PARSER_H
#define ENTITYD_GQL_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "graphql/error.h"
#include "graphql/language/ast.h"
#include "util/arena.h"

typedef struct {
    size_t max_bytes;    /* 0 = unlimited; larger sources are refused before lexing */
    uint32_t max_tokens; /* 0 = unlimited; parsing stops with an error after this many tokens */
    uint32_t max_depth;  /* 0 = unlimited; nesting of selection sets / lists / objects (protects the C stack) */
} gql_parse_limits;

/* Parses a document (executable and/or type system definitions). On a syntax error returns NULL
 * and adds exactly one error to errs, graphql-js style: "Syntax Error: Expected Name, found <EOF>."
 * with the line and column, code GRAPHQL_PARSE_FAILED. src need not be NUL-terminated. */
gql_document *gql_parse(arena_t *a, const char *src, size_t len, const gql_parse_limits *limits, gql_errors *errs);

/* Parses a single value literal (for tests and default values); NULL on error. */
gql_value *gql_parse_value(arena_t *a, const char *src, size_t len, gql_errors *errs);

#endif
