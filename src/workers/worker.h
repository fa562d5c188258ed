/* worker.h -- background threads (DESIGN: workers sleep on a condition variable so that
 * shutdown is immediate). Each worker runs fn every interval seconds on its own thread with
 * its own SQLite connection. Federation and summary-rule workers will use the same loop. */
#ifndef ENTITYD_WORKER_H
#define ENTITYD_WORKER_H

#include "config.h"
#include "store/store.h"

/* One run of a worker's job; returns 0 on success, -1 on failure (logged by the loop). */
typedef int (*worker_fn)(store_t *store, const config_t *cfg, void *arg);

typedef struct worker worker_t;

/* Starts a thread that opens db_path, then calls fn immediately and every interval_sec. */
worker_t *worker_start(const char *name, const char *db_path, const config_t *cfg, int interval_sec, worker_fn fn,
                       void *arg);
/* Wakes the worker for an immediate run (e.g. a GraphQL mutation asks for a reconcile). */
void worker_kick(worker_t *w);
/* Signals stop, joins the thread, frees. */
void worker_stop(worker_t *w);

#endif
