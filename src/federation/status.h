/* status.h -- the federation status (issue 8 step 7, served by adx.federation): what the last reconcile of
 * each federated cluster found and left in place. Built by reconcile.c, persisted by store.c, turned into
 * GraphQL values by status.c. */
#ifndef ENTITYD_FEDERATION_STATUS_H
#define ENTITYD_FEDERATION_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "federation/plan.h"
#include "graphql/jsutils/value.h"
#include "util/arena.h"

typedef struct {
    const char *name;
    const char *database;
    const char **members; /* cluster('e').database('d') */
    size_t nmembers;
    int64_t updated_at; /* unix seconds */
} fed_group_status;

typedef struct {
    const char *name;
    const char *database;
    const char *table;
    const char **endpoints;
    size_t nendpoints;
    int64_t updated_at;
} fed_function_status;

typedef struct {
    int64_t cluster_id;
    int64_t last_reconcile_at; /* unix seconds; 0 = never */
    bool zero_heartbeat_protection;
    bool ok;
    int64_t duration_ms;
    fed_partition *partitions;
    size_t npartitions;
    fed_group_status *groups;
    size_t ngroups;
    fed_function_status *functions;
    size_t nfunctions;
    fed_error *errors; /* newest first when loaded */
    size_t nerrors;
} fed_status;

/* JSON text of string lists and of a partition's databases, as stored. */
const char *fed_json_strings(arena_t *a, const char *const *v, size_t n);
const char *fed_json_databases(arena_t *a, const fed_partition *p);
/* The reverse (bounded, tolerant of a missing value: an empty list). */
void fed_parse_strings(arena_t *a, const char *json, const char ***out, size_t *n);
void fed_parse_databases(arena_t *a, const char *json, fed_pdb **out, size_t *n);

/* The FederationStatus value (schema/adx.graphql) of a loaded status. */
gql_val fed_status_value(arena_t *a, const fed_status *s);

#endif
