/* payload.h -- the mutation payload convention every module shares (schema/base.graphql UserError):
 * `{ <object fields>, success, errors: [UserError!]! }`. Bad input is reported in `errors` with the
 * input field it concerns, never as a GraphQL error. */
#ifndef ENTITYD_PAYLOAD_H
#define ENTITYD_PAYLOAD_H

#include <stddef.h>

#include "graphql/type/schema.h"
#include "util/arena.h"

typedef struct {
    arena_t *arena;
    gql_val errors; /* list of UserError maps {message, field} */
    size_t nerrors;
} user_errors;

/* Adds a UserError; field (e.g. "input.accountId") may be NULL. */
void user_error_add(user_errors *ue, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The payload map: keys[i] -> vals[i] (every value null when vals is NULL), then success (no
 * error added) and errors. */
gql_val user_payload(const user_errors *ue, const char *const *keys, const gql_val *vals, size_t n);

#endif
