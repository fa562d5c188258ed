/* store.h -- every SQL statement of the federation module (migrations/0004_adx.sql), in src/federation/store.c
 * and nowhere else. Statements are prepared once per connection and reused (store_stmt cache). Prefix
 * fed_store_. Strings returned live in the caller's arena. */
#ifndef ENTITYD_FEDERATION_STORE_H
#define ENTITYD_FEDERATION_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "federation/clusters.h"
#include "federation/status.h"
#include "store/store.h"
#include "util/arena.h"

/* Loads one cluster (with databases, heartbeat targets and their last results). 0 found, 1 not found, -1
 * error (message in err). Exactly one of name / id is used (name when not NULL). */
int fed_store_cluster_get(store_t *st, arena_t *a, const char *name, int64_t id, adx_cluster *out, char *err,
                          size_t errlen);
/* Every cluster, ordered by name (at most ADX_MAX_CLUSTERS). */
int fed_store_cluster_list(store_t *st, arena_t *a, adx_cluster **out, size_t *n, char *err, size_t errlen);
/* Inserts or replaces the cluster named c->name with c's configuration (secrets included), keeping the
 * created_at and the results of targets and databases that are still configured. Inside the caller's
 * transaction when one is open. *changed is false when the stored configuration was already identical
 * (nothing written: idempotent upserts). Sets c->id. 0 or -1. */
int fed_store_cluster_put(store_t *st, adx_cluster *c, int64_t now, bool *changed, char *err, size_t errlen);
/* Deletes a cluster and its status. 0 deleted, 1 no such cluster, 2 used by SummaryRules (their names in
 * err), -1 error. */
int fed_store_cluster_delete(store_t *st, const char *name, char *err, size_t errlen);

/* Partition role: the outcome of one heartbeat to one target (error NULL = sent). */
int fed_store_target_result(store_t *st, int64_t cluster_id, const adx_target *t, int64_t at, const char *error);
/* Databases check (seed 001 databases): exists -1/0/1, actual retention -1 when unknown. */
int fed_store_database_result(store_t *st, int64_t cluster_id, const char *name, int exists, int actual_retention,
                              int64_t at, const char *error);

/* Federated role: saves one reconcile's status in one transaction: fed_status, the partitions, the entity
 * groups and functions in place (replacing the previous ones unless keep_objects: zero-heartbeat protection
 * leaves them as they were), and appends the run's errors, keeping the newest FED_KEEP_ERRORS per cluster. */
#define FED_KEEP_ERRORS 100
int fed_store_status_save(store_t *s, const fed_status *f, bool keep_objects);
/* Appends errors outside a reconcile (database checks of partition clusters). */
int fed_store_errors_add(store_t *st, int64_t cluster_id, const fed_error *e, size_t n);
/* The stored status of one federated cluster (cluster_id), or of all (cluster_id 0: lists concatenated,
 * lastReconcileAt the latest, zeroHeartbeatProtection true if any). 0, or -1 with err. */
int fed_store_status_load(store_t *st, arena_t *a, int64_t cluster_id, fed_status *out, char *err, size_t errlen);
/* The previous partitions of a cluster (to carry non-live ones forward and count missed heartbeats). */
int fed_store_partitions_load(store_t *st, arena_t *a, int64_t cluster_id, fed_partition **out, size_t *n);
/* updated_at of the groups and functions in place, to keep it across runs where they did not change. */
int fed_store_group_updated(store_t *st, int64_t cluster_id, const char *database, const char *members_json,
                            int64_t *updated_at);
int fed_store_function_updated(store_t *st, int64_t cluster_id, const char *database, const char *name,
                               const char *endpoints_json, int64_t *updated_at);

#endif
