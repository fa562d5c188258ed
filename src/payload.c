/* payload.c -- mutation payloads with UserErrors (see payload.h). */
#include "payload.h"

#include <stdarg.h>
#include <string.h>

void user_error_add(user_errors *ue, const char *field, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(ue->arena, fmt, ap);
    va_end(ap);
    gql_val m = gql_map(ue->arena, 2);
    gql_map_set(ue->arena, &m, "message", gql_str(msg));
    gql_map_set(ue->arena, &m, "field", gql_str(field));
    gql_val *items = arena_alloc(ue->arena, (ue->nerrors + 1) * sizeof *items);
    if (ue->nerrors) memcpy(items, ue->errors.list.items, ue->nerrors * sizeof *items);
    items[ue->nerrors++] = m;
    ue->errors.kind = GQL_V_LIST;
    ue->errors.list.items = items;
    ue->errors.list.count = ue->nerrors;
}

gql_val user_payload(const user_errors *ue, const char *const *keys, const gql_val *vals, size_t n) {
    gql_val m = gql_map(ue->arena, n + 2);
    for (size_t i = 0; i < n; i++)
        gql_map_set(ue->arena, &m, keys[i], vals ? vals[i] : gql_null());
    gql_map_set(ue->arena, &m, "success", gql_bool(ue->nerrors == 0));
    gql_map_set(ue->arena, &m, "errors", ue->nerrors ? ue->errors : gql_list(ue->arena, 0));
    return m;
}
