/* fed.h -- the federation module (issue 8; seeds 000 and 001): its descriptor, its state (the two worker
 * threads: heartbeat sender for partition clusters, reconciler for federated clusters) and the entry points of
 * one run of each, which the workers call and tests and the bench call directly. Prefix fed_. */
#ifndef ENTITYD_FEDERATION_FED_H
#define ENTITYD_FEDERATION_FED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../config.h" /* src/config.h, not autoconf's */
#include "federation/clusters.h"
#include "federation/status.h"
#include "kusto/kusto.h"
#include "store/store.h"

/* The module descriptor (app.h): schema/adx.graphql, its resolvers, the two workers. */
extern const struct app_module federation_module;

/* Per-step timeouts of a heartbeat (upstream collectHeartbeatSchema: .show databases 30 s, database schema
 * 45 s, .show functions 30 s, one function's schema 15 s, the ingest 30 s; 2 min per target overall). The
 * Kusto client has one per-attempt timeout (--kusto-timeout); these bound each step's total by deadline. */
#define FED_HB_TARGET_BUDGET_MS 120000
#define FED_HB_MAX_FUNCTIONS 1000 /* functions examined for views, per database */
#define FED_HB_MAX_DATABASES 1000
#define FED_HB_MAX_ROW_BYTES (4u << 20)

typedef struct fed_state {
    const config_t *cfg;
    kusto_client *kusto;
    struct worker *heartbeat;
    struct worker *reconcile;
    /* reconcileFederation waits for a run that started after its kick (resolvers.c). */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t runs_started;
    uint64_t runs_done;
    atomic_bool stopping;
} fed_state;

/* worker_fn of the heartbeat thread: every partition cluster with federatedClusters collects its schema and
 * sends one heartbeat row to each target (one failing target never stops the others). arg: fed_state. */
int fed_heartbeat_run(store_t *store, const config_t *cfg, void *arg);
/* worker_fn of the reconcile thread: reconciles every federated cluster and checks the configured databases of
 * every cluster. arg: fed_state. */
int fed_reconcile_run(store_t *store, const config_t *cfg, void *arg);

/* One heartbeat of one partition cluster to all its targets; 0 when every target got its row. */
int fed_heartbeat_cluster(kusto_client *kc, store_t *store, const adx_cluster *c, int64_t now_ticks);

/* The heartbeat row (issue 8 "Partition role"): Timestamp, ClusterEndpoint, Schema, PartitionMetadata as one
 * RFC 4180 CSV line, and the `.ingest inline` command that carries it. schema_json is the Schema array. */
const char *fed_heartbeat_row(arena_t *a, int64_t ts_ticks, const char *endpoint, const char *schema_json,
                              const char *partitioning);
const char *fed_heartbeat_command(arena_t *a, const char *table, const char *row);
/* Schema JSON [{"database","tables","views"}] of collected partitions (sorted, arrays never null). */
const char *fed_schema_json(arena_t *a, const fed_pdb *dbs, size_t n);

/* Counters of one reconcile (for logs, metrics and the bench). */
typedef struct {
    size_t groups_created, groups_altered, groups_dropped;
    size_t functions_sent, functions_dropped, functions_failed;
    size_t scripts, commands;
    size_t live_partitions, missed;
} fed_counts;

/* One reconcile of one federated cluster (issue 8 steps 1-7); saves its status. 0 ok (errors inside a
 * database are recorded and do not fail the run), -1 when a step that the others need failed (the heartbeat
 * table or the heartbeat query), -2 on shutdown. counts may be NULL. */
int fed_reconcile_cluster(kusto_client *kc, store_t *store, const adx_cluster *c, int64_t now, fed_counts *counts);
/* Seed 001 databases: each configured database exists on the cluster and has its retention
 * (.alter-merge database <db> policy retention softdelete = <N>d when it differs). Results stored; errors
 * appended to errs (or stored when errs is NULL). */
int fed_check_databases(kusto_client *kc, store_t *store, const adx_cluster *c, int64_t now, fed_errlist *errs);

#endif
