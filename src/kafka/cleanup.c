/* cleanup.c -- the cleanup thread's job (seed 004 EntityLifecycleManager.cleanupStaleEntities,
 * seed 003 "automatic cleanup of dead clusters"). Deletes, in batches of cfg->cleanup_batch rows
 * each in its own short write transaction (WAL readers are never blocked, other writers wait at
 * most one batch):
 *  - stale entities: last_seen older than cfg->stale_threshold, providers ohi and api only (cloud
 *    entities are kept; synthetic entities with an expiry live until it),
 *  - expired synthetic entities: expires_at in the past,
 *  - dead tenants: silent for cfg->tenant_ttl, with all their entities.
 * Relationships go with their entities (trigger in migrations/0002_kafka.sql). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka/kafka.h"
#include "workers/worker.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/metrics.h"

/* Bound on batches per reason per run, so that shutdown never waits on a huge backlog; the next
 * run goes on where this one stopped. */
#define KAFKA_CLEANUP_MAX_BATCHES 200

static const char kafka_stale_sql[] =
    "DELETE FROM entities WHERE rowid IN (SELECT rowid FROM entities WHERE provider IN ('OHI', 'API')"
    " AND last_seen < ?1 AND expires_at IS NULL LIMIT ?2)";

static const char kafka_expired_sql[] =
    "DELETE FROM entities WHERE rowid IN (SELECT rowid FROM entities WHERE expires_at IS NOT NULL"
    " AND expires_at < ?1 LIMIT ?2)";

static const char kafka_dead_tenants_sql[] =
    "SELECT account_id, id FROM tenants WHERE last_seen < ?1 ORDER BY last_seen LIMIT ?2";

/* The tenant is checked again inside each transaction: an event that revived it stops the cleanup. */
static const char kafka_tenant_entities_sql[] =
    "DELETE FROM entities WHERE rowid IN (SELECT e.rowid FROM entities e WHERE e.account_id = ?1 AND e.tenant = ?2"
    " AND EXISTS (SELECT 1 FROM tenants t WHERE t.account_id = ?1 AND t.id = ?2 AND t.last_seen < ?3) LIMIT ?4)";

static const char kafka_tenant_row_sql[] = "DELETE FROM tenants WHERE account_id = ?1 AND id = ?2 AND last_seen < ?3";

/* A tenant id for a quoted log value: '"' and '\\' (allowed in tenant ids) become '_'. */
static const char *kafka_log_safe(arena_t *a, const char *s) {
    char *out = arena_strdup(a, s);
    for (char *p = out; *p; p++)
        if (*p == '"' || *p == '\\') *p = '_';
    return out;
}

/* One batch in its own transaction; returns rows deleted or -1. */
static int kafka_cleanup_batch(store_t *s, const char *sql, int64_t account_id, const char *tenant, int64_t cutoff,
                               int limit) {
    if (store_begin(s) != 0) return -1;
    sqlite3_stmt *st = store_stmt(s, sql);
    if (!st) {
        store_rollback(s);
        return -1;
    }
    if (tenant) {
        sqlite3_bind_int64(st, 1, account_id);
        sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, cutoff);
        if (sql == kafka_tenant_entities_sql) sqlite3_bind_int(st, 4, limit);
    } else {
        sqlite3_bind_int64(st, 1, cutoff);
        sqlite3_bind_int(st, 2, limit);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("cleanup delete failed", "error=\"%s\"", sqlite3_errmsg(store_db(s)));
        store_rollback(s);
        return -1;
    }
    int n = sqlite3_changes(store_db(s));
    if (store_commit(s) != 0) {
        store_rollback(s);
        return -1;
    }
    return n;
}

/* Repeats batches until one comes back short. Adds to *total; -1 on error. */
static int kafka_cleanup_all(store_t *s, const char *sql, int64_t account_id, const char *tenant, int64_t cutoff,
                             int limit, long long *total) {
    for (int i = 0; i < KAFKA_CLEANUP_MAX_BATCHES; i++) {
        int n = kafka_cleanup_batch(s, sql, account_id, tenant, cutoff, limit);
        if (n < 0) return -1;
        *total += n;
        if (n < limit) break;
    }
    return 0;
}

static int kafka_cleanup_tenants(store_t *s, int64_t cutoff, int limit, long long *entities, long long *tenants) {
    for (int round = 0; round < KAFKA_CLEANUP_MAX_BATCHES; round++) {
        arena_t *a = arena_new();
        sqlite3_stmt *st = store_stmt(s, kafka_dead_tenants_sql);
        if (!st) {
            arena_free(a);
            return -1;
        }
        sqlite3_bind_int64(st, 1, cutoff);
        sqlite3_bind_int(st, 2, limit);
        ptrvec_t ids = {0};
        ptrvec_t accounts = {0};
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t *acc = arena_alloc(a, sizeof *acc);
            *acc = sqlite3_column_int64(st, 0);
            ptrvec_push(a, &accounts, acc);
            ptrvec_push(a, &ids, arena_strdup(a, (const char *)sqlite3_column_text(st, 1)));
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            arena_free(a);
            return -1;
        }
        size_t found = ids.count;
        for (size_t i = 0; i < ids.count; i++) {
            int64_t acc = *(int64_t *)accounts.items[i];
            const char *id = ids.items[i];
            long long n = 0;
            if (kafka_cleanup_all(s, kafka_tenant_entities_sql, acc, id, cutoff, limit, &n) != 0) {
                arena_free(a);
                return -1;
            }
            *entities += n;
            int t = kafka_cleanup_batch(s, kafka_tenant_row_sql, acc, id, cutoff, limit);
            if (t < 0) {
                arena_free(a);
                return -1;
            }
            if (t > 0) {
                *tenants += t;
                log_info("tenant removed", "account=%" PRId64 " tenant=\"%s\" entities=%lld", acc,
                         kafka_log_safe(a, id), n);
            }
        }
        arena_free(a);
        if (found < (size_t)limit) break;
    }
    return 0;
}

static void kafka_cleanup_count(const char *reason, long long n) {
    char labels[48];
    snprintf(labels, sizeof labels, "reason=\"%s\"", reason);
    metrics_counter_add("entityd_cleanup_deleted_total", "Entities deleted by the cleanup thread, by reason", labels,
                        (double)n);
}

int kafka_cleanup_run(store_t *store, const config_t *cfg, void *arg) {
    (void)arg;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t now = (int64_t)time(NULL);
    int limit = cfg->cleanup_batch > 0 ? cfg->cleanup_batch : 500;
    long long stale = 0, expired = 0, tenant_entities = 0, tenants = 0;
    int rc = 0;
    if (kafka_cleanup_all(store, kafka_stale_sql, 0, NULL, now - cfg->stale_threshold, limit, &stale) != 0 ||
        kafka_cleanup_all(store, kafka_expired_sql, 0, NULL, now, limit, &expired) != 0 ||
        kafka_cleanup_tenants(store, now - cfg->tenant_ttl, limit, &tenant_entities, &tenants) != 0)
        rc = -1;
    kafka_cleanup_count("stale", stale);
    kafka_cleanup_count("expired", expired);
    kafka_cleanup_count("tenant", tenant_entities);
    metrics_counter_add("entityd_cleanup_tenants_deleted_total", "Tenants removed after the tenant TTL", NULL,
                        (double)tenants);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1000.0 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    log_msg(stale + expired + tenant_entities + tenants > 0 || rc != 0 ? LOG_INFO : LOG_DEBUG, "kafka cleanup",
            "stale=%lld expired=%lld tenant_entities=%lld tenants=%lld ms=%.1f ok=%s", stale, expired, tenant_entities,
            tenants, ms, rc == 0 ? "true" : "false");
    return rc;
}

/* The kafka module's state (app.h): its cleanup worker. */
typedef struct {
    worker_t *cleanup;
} kafka_state;

int kafka_module_init(app_t *app, void **state, char *err, size_t errlen) {
    (void)app;
    *state = calloc(1, sizeof(kafka_state));
    if (!*state) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int kafka_cleanup_start(app_t *app, void *state, char *err, size_t errlen) {
    kafka_state *ks = state;
    ks->cleanup = worker_start("cleanup", app->cfg->db_path, app->cfg, app->cfg->cleanup_interval, kafka_cleanup_run,
                               NULL);
    if (!ks->cleanup) {
        snprintf(err, errlen, "cannot start the cleanup thread");
        return -1;
    }
    return 0;
}

void kafka_cleanup_stop(app_t *app, void *state) {
    (void)app;
    kafka_state *ks = state;
    if (!ks) return;
    if (ks->cleanup) worker_stop(ks->cleanup);
    free(ks);
}
