/* inspect.h -- graphql-js jsutils/inspect: how a runtime value is quoted in a message
 * ("Int cannot represent non-integer value: \"abc\"", "got invalid value { a: 1 }").
 * The one rendering of gql_val for messages, used by type/scalars (result and input coercion)
 * and by execution/ (variables, enums). */
#ifndef ENTITYD_GQL_INSPECT_H
#define ENTITYD_GQL_INSPECT_H

#include "graphql/jsutils/value.h"
#include "util/arena.h"

/* graphql-js inspect(): strings JSON-quoted, lists "[1, 2]" (at most 10 items, then
 * "... N more items"), objects "{ a: 1 }", "[Array]"/"[Object]" past the nesting limit; a domain
 * object "{}", raw JSON as written. Bounded: about INSPECT_MAX (1 KiB) bytes at most, a longer string
 * cut at a UTF-8 boundary and marked "...", further keys counted ("... N more keys"). The result is in
 * arena a. */
const char *gql_inspect(arena_t *a, const gql_val *v);

#endif
