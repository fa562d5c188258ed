/* scheduler.h -- the SummaryRules worker tick (scheduler.c) and the module's state (resolvers.c owns
 * its life cycle). */
#ifndef ENTITYD_SUMMARYRULES_SCHEDULER_H
#define ENTITYD_SUMMARYRULES_SCHEDULER_H

#include "app.h"
#include "config.h"
#include "kusto/kusto.h"
#include "store/store.h"
#include "summaryrules/summaryrules.h"
#include "workers/worker.h"

/* What one tick did (for the log line, /metrics and bench/summaryrules_bench.py). */
typedef struct {
    long rules;       /* rules looked at */
    long skipped;     /* rules whose criteria do not match this server's labels */
    long polls;       /* `.show operations` calls */
    long submissions; /* `.set-or-append async` accepted */
    long failures;    /* submissions or polls that failed */
    long commits;     /* SQLite write transactions committed */
    long rows;        /* SQLite rows changed */
    double cpu_s;     /* CPU time of the worker thread during the tick */
} sr_tick_stats;

/* The module's state. */
typedef struct {
    const config_t *cfg;
    kusto_client *kusto;
    sr_labels labels; /* --cluster-label */
    worker_t *worker;
} sr_module_state;

/* One tick at `now` (ticks), for every rule: poll its open operations first (a crash never resubmits
 * a window that has an id), then submit due windows up to cfg->summary_max_windows, never skipping
 * one, then the backfill step (seed 002 flow). Returns 0, or -1 when the store failed. */
int sr_tick(const sr_module_state *m, store_t *st, int64_t now, sr_tick_stats *stats);

/* worker_fn: sr_tick at clock_now_ticks(); arg is the sr_module_state. */
int sr_worker_run(store_t *st, const config_t *cfg, void *arg);

#endif
