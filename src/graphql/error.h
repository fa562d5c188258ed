/* error.h -- GraphQL errors (spec §7.1.2 Errors): message, locations, path, extensions.code.
 * Errors live in the arena of the request (or document) that produced them. */
#ifndef ENTITYD_GQL_ERROR_H
#define ENTITYD_GQL_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "graphql/language/ast.h"
#include "util/arena.h"
#include "util/buf.h"

/* Response path while executing (§7.1.2 "path"): a linked list from leaf to root, on the stack. */
typedef struct gql_path {
    const struct gql_path *prev;
    const char *key; /* field response key, or NULL for a list index */
    size_t index;
} gql_path;

typedef struct {
    const char *key; /* NULL when this segment is an index */
    size_t index;
} gql_path_segment;

/* extensions.code values used by entityd */
#define GQL_CODE_GRAPHQL_PARSE_FAILED "GRAPHQL_PARSE_FAILED"
#define GQL_CODE_GRAPHQL_VALIDATION_FAILED "GRAPHQL_VALIDATION_FAILED"
#define GQL_CODE_BAD_USER_INPUT "BAD_USER_INPUT"
#define GQL_CODE_UNAUTHENTICATED "UNAUTHENTICATED"
#define GQL_CODE_FORBIDDEN "FORBIDDEN"
#define GQL_CODE_NOT_FOUND "NOT_FOUND"
#define GQL_CODE_INTERNAL "INTERNAL"
#define GQL_CODE_LIMIT_EXCEEDED "LIMIT_EXCEEDED"
#define GQL_CODE_RESPONSE_TOO_LARGE "RESPONSE_TOO_LARGE"
#define GQL_CODE_MAX_COST_EXCEEDED "MAX_COST_EXCEEDED"

typedef struct gql_error {
    const char *message;
    gql_loc *locations; /* only line/column are reported */
    size_t nlocations;
    gql_path_segment *path; /* root first; NULL when not a field error */
    size_t npath;
    const char *code; /* extensions.code; NULL for none */
    struct gql_error *next;
} gql_error;

typedef struct {
    arena_t *arena;
    gql_error *head;
    gql_error *tail;
    size_t count;
} gql_errors;

void gql_errors_init(gql_errors *e, arena_t *a);
/* Appends an error. locs may be NULL with nlocs 0; path may be NULL. Returns the new error. */
gql_error *gql_errors_add(gql_errors *e, const char *code, const gql_loc *locs, size_t nlocs, const gql_path *path,
                          const char *fmt, ...) __attribute__((format(printf, 6, 7)));
gql_error *gql_errors_vadd(gql_errors *e, const char *code, const gql_loc *locs, size_t nlocs, const gql_path *path,
                           const char *fmt, va_list ap);
/* Writes the JSON array `[{"message":..,"locations":[..],"path":[..],"extensions":{"code":..}}, ...]`. */
void gql_errors_write_json(const gql_errors *e, buf_t *out);
/* One line per error on f: "<prefix>: <what> error: message (line L, column C)". */
void gql_errors_print(FILE *f, const gql_errors *e, const char *prefix, const char *what);

#endif
