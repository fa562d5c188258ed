/* resolvers.c -- the GraphQL side of ADX clusters and federation (schema/adx.graphql; issue 8
 * "Configuration", step 7 and reconcileFederation) and the module descriptor federation_module: its state,
 * the --adx-config file applied at init, and the heartbeat and reconcile worker threads.
 *
 * Authorization (/work/notes/adx-shared-contract.md): ADX configuration is server-wide; reading `adx` needs a
 * valid key of any level, every ADX mutation an ADMIN key. Bad input is reported in the payload's errors with
 * the field's path (UserError), never as a GraphQL error. Secrets are never returned. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth/auth.h"
#include "context.h"
#include "federation/fed.h"
#include "federation/store.h"
#include "util/clock.h"
#include "util/datetime.h"
#include "util/log.h"
#include "workers/worker.h"

static request_ctx *ctx_of(gql_resolve_info *info) {
    return (request_ctx *)info->context;
}

static fed_state *state_of(gql_resolve_info *info) {
    request_ctx *ctx = ctx_of(info);
    return ctx && ctx->app ? app_state(ctx->app, &federation_module) : NULL;
}

static int internal_error(gql_resolve_info *info, const char *what, const char *detail) {
    log_error("federation request failed", "what=%s err=\"%s\"", what, detail);
    return gql_resolver_error(info, GQL_CODE_INTERNAL, "internal error while %s", what);
}

static gql_val time_val(arena_t *a, int64_t secs) {
    char buf[DT_MAX];
    if (secs <= 0 || dt_format(secs, buf) == 0) return gql_null();
    return gql_str_dup(a, buf);
}

static gql_val opt_str(const char *s) {
    return s ? gql_str(s) : gql_null();
}

/* ---- values ---- */

static gql_val cluster_value(arena_t *a, const adx_cluster *c) {
    gql_val m = gql_map(a, 20);
    gql_map_set(a, &m, "name", gql_str(c->name));
    gql_map_set(a, &m, "endpoint", gql_str(c->endpoint));
    gql_map_set(a, &m, "role", gql_enum(adx_role_name(c->role)));
    gql_map_set(a, &m, "authKind", gql_enum(adx_auth_kind_name(c->auth.kind)));
    gql_val dbs = gql_list(a, c->ndatabases);
    for (size_t i = 0; i < c->ndatabases; i++) {
        const adx_database *d = &c->databases[i];
        gql_val dm = gql_map(a, 7);
        gql_map_set(a, &dm, "databaseName", gql_str(d->name));
        gql_map_set(a, &dm, "telemetryType", gql_str(d->telemetry_type));
        gql_map_set(a, &dm, "retentionInDays", gql_int(d->retention_days));
        gql_map_set(a, &dm, "exists", d->exists < 0 ? gql_null() : gql_bool(d->exists == 1));
        gql_map_set(a, &dm, "actualRetentionInDays",
                    d->actual_retention_days < 0 ? gql_null() : gql_int(d->actual_retention_days));
        gql_map_set(a, &dm, "checkedAt", time_val(a, d->checked_at));
        gql_map_set(a, &dm, "lastError", opt_str(d->last_error));
        dbs.list.items[i] = dm;
    }
    gql_map_set(a, &m, "databases", dbs);
    gql_val targets = gql_list(a, c->ntargets);
    int64_t last_sent = 0, last_failed = 0;
    const char *last_error = NULL;
    for (size_t i = 0; i < c->ntargets; i++) {
        const adx_target *t = &c->targets[i];
        gql_val tm = gql_map(a, 7);
        gql_map_set(a, &tm, "endpoint", gql_str(t->endpoint));
        gql_map_set(a, &tm, "heartbeatDatabase", gql_str(t->heartbeat_database));
        gql_map_set(a, &tm, "heartbeatTable", gql_str(t->heartbeat_table));
        gql_map_set(a, &tm, "managedIdentityClientId", opt_str(t->managed_identity_client_id));
        gql_map_set(a, &tm, "lastAttemptAt", time_val(a, t->last_attempt_at));
        gql_map_set(a, &tm, "lastHeartbeatSentAt", time_val(a, t->last_sent_at));
        gql_map_set(a, &tm, "lastError", opt_str(t->last_error));
        targets.list.items[i] = tm;
        if (t->last_sent_at > last_sent) last_sent = t->last_sent_at;
        if (t->last_error && t->last_attempt_at >= last_failed) {
            last_failed = t->last_attempt_at;
            last_error = arena_printf(a, "%s: %s", t->endpoint, t->last_error);
        }
    }
    gql_map_set(a, &m, "federatedClusters", targets);
    gql_map_set(a, &m, "partitioning", c->partitioning ? gql_raw_json(c->partitioning) : gql_null());
    bool fed = c->role == ADX_ROLE_FEDERATED;
    gql_map_set(a, &m, "heartbeatDatabase", fed ? opt_str(c->heartbeat_database) : gql_null());
    gql_map_set(a, &m, "heartbeatTable", fed ? opt_str(c->heartbeat_table) : gql_null());
    gql_map_set(a, &m, "heartbeatTTL", fed ? gql_int(adx_cluster_ttl(c)) : gql_null());
    gql_map_set(a, &m, "functionPrefix", fed ? gql_str(adx_cluster_prefix(c)) : gql_null());
    gql_map_set(a, &m, "bestEffort", fed ? gql_bool(adx_cluster_best_effort(c)) : gql_null());
    gql_map_set(a, &m, "folder", fed ? gql_str(adx_cluster_folder(c)) : gql_null());
    gql_map_set(a, &m, "lastHeartbeatSentAt", time_val(a, last_sent));
    gql_map_set(a, &m, "lastError", opt_str(last_error));
    gql_map_set(a, &m, "source", gql_str(c->source ? c->source : "api"));
    gql_map_set(a, &m, "createdAt", time_val(a, c->created_at));
    gql_map_set(a, &m, "updatedAt", time_val(a, c->updated_at));
    return m;
}

typedef struct {
    arena_t *arena;
    gql_val errors;
    size_t n;
} user_errors;

static void user_error(user_errors *ue, const char *field, const char *message) {
    gql_val m = gql_map(ue->arena, 2);
    gql_map_set(ue->arena, &m, "message", gql_str(message));
    gql_map_set(ue->arena, &m, "field", opt_str(field));
    gql_val l = gql_list(ue->arena, ue->n + 1);
    for (size_t i = 0; i < ue->n; i++)
        l.list.items[i] = ue->errors.list.items[i];
    l.list.items[ue->n++] = m;
    ue->errors = l;
}

static gql_val payload(user_errors *ue, const char *key, gql_val obj) {
    gql_val m = gql_map(ue->arena, 3);
    if (key) gql_map_set(ue->arena, &m, key, obj);
    gql_map_set(ue->arena, &m, "success", gql_bool(ue->n == 0));
    gql_map_set(ue->arena, &m, "errors", ue->n ? ue->errors : gql_list(ue->arena, 0));
    return m;
}

/* ---- Query.adx and Adx ---- */

static int query_adx(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    (void)args;
    if (auth_require_level(info, AUTH_NONE) < 0) return -1;
    *out = gql_map(info->arena, 0);
    return 0;
}

static int adx_clusters(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    (void)args;
    adx_cluster *cs;
    size_t n;
    char err[256] = "";
    if (fed_store_cluster_list(ctx_of(info)->store, info->arena, &cs, &n, err, sizeof err) != 0)
        return internal_error(info, "reading ADX clusters", err);
    *out = gql_list(info->arena, n);
    for (size_t i = 0; i < n; i++)
        out->list.items[i] = cluster_value(info->arena, &cs[i]);
    return 0;
}

static int adx_cluster_field(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    const char *name = gql_arg_str(args, "name");
    adx_cluster c;
    char err[256] = "";
    int rc = name ? fed_store_cluster_get(ctx_of(info)->store, info->arena, name, 0, &c, err, sizeof err) : 1;
    if (rc < 0) return internal_error(info, "reading an ADX cluster", err);
    *out = rc == 0 ? cluster_value(info->arena, &c) : gql_null();
    return 0;
}

static int load_status(gql_resolve_info *info, const char *cluster, gql_val *out) {
    request_ctx *ctx = ctx_of(info);
    int64_t id = 0;
    char err[256] = "";
    if (cluster) {
        adx_cluster c;
        int rc = fed_store_cluster_get(ctx->store, info->arena, cluster, 0, &c, err, sizeof err);
        if (rc < 0) return internal_error(info, "reading an ADX cluster", err);
        if (rc == 1 || c.role != ADX_ROLE_FEDERATED)
            return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "no federated ADX cluster is named \"%.100s\"",
                                      cluster);
        id = c.id;
    }
    fed_status st;
    if (fed_store_status_load(ctx->store, info->arena, id, &st, err, sizeof err) != 0)
        return internal_error(info, "reading the federation status", err);
    *out = fed_status_value(info->arena, &st);
    return 0;
}

static int adx_federation(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    return load_status(info, gql_arg_str(args, "cluster"), out);
}

/* ---- mutations ---- */

static int upsert_cluster(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    request_ctx *ctx = ctx_of(info);
    arena_t *a = info->arena;
    user_errors ue = {.arena = a};
    adx_errors errs = {.arena = a};
    adx_cluster c;
    adx_cluster_validate(a, gql_map_get(args, "input"), "input", false, &c, &errs);
    adx_cluster old;
    char err[256] = "";
    int got = c.name ? fed_store_cluster_get(ctx->store, a, c.name, 0, &old, err, sizeof err) : 1;
    if (got < 0) return internal_error(info, "reading an ADX cluster", err);
    adx_cluster_complete_secrets(&c, got == 0 ? &old : NULL, "input", &errs);
    for (size_t i = 0; i < errs.count; i++)
        user_error(&ue, errs.items[i].field, errs.items[i].message);
    if (ue.n) {
        *out = payload(&ue, "cluster", gql_null());
        return 0;
    }
    c.source = "api";
    bool changed = false;
    if (store_begin(ctx->store) != 0) return internal_error(info, "storing an ADX cluster", "begin");
    if (fed_store_cluster_put(ctx->store, &c, ctx->now, &changed, err, sizeof err) != 0) {
        store_rollback(ctx->store);
        return internal_error(info, "storing an ADX cluster", err);
    }
    if (store_commit(ctx->store) != 0) {
        store_rollback(ctx->store);
        return internal_error(info, "storing an ADX cluster", "commit");
    }
    adx_cluster stored;
    if (fed_store_cluster_get(ctx->store, a, c.name, 0, &stored, err, sizeof err) != 0)
        return internal_error(info, "reading an ADX cluster", err);
    if (changed) {
        log_info("adx cluster stored", "cluster=%s role=%s endpoint=%s auth=%s", c.name, adx_role_name(c.role),
                 c.endpoint, adx_auth_kind_name(c.auth.kind));
        /* A partition starts heartbeating at once rather than at the next interval. */
        fed_state *fs = state_of(info);
        if (fs && c.role == ADX_ROLE_PARTITION && c.ntargets > 0) worker_kick(fs->heartbeat);
    }
    *out = payload(&ue, "cluster", cluster_value(a, &stored));
    return 0;
}

static int delete_cluster(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    request_ctx *ctx = ctx_of(info);
    user_errors ue = {.arena = info->arena};
    const char *name = gql_arg_str(args, "name");
    char err[768] = "";
    int rc = name && adx_cluster_name_valid(name, strlen(name))
                 ? fed_store_cluster_delete(ctx->store, name, err, sizeof err)
                 : 1;
    if (rc < 0) return internal_error(info, "deleting an ADX cluster", err);
    if (rc == 1) user_error(&ue, "name", "no ADX cluster has this name");
    if (rc == 2) user_error(&ue, "name", arena_strdup(info->arena, err));
    if (rc == 0) log_info("adx cluster deleted", "cluster=%s", name);
    *out = payload(&ue, NULL, gql_null());
    return 0;
}

/* reconcileFederation: kicks the reconcile worker and waits for a run that started after the kick (so the
 * answer reflects the configuration as of this request), bounded by --request-timeout minus 5 s (at least 1 s);
 * then answers the stored status. A run that takes longer keeps going; the answer is then the previous status
 * and its lastReconcileAt says so. */
static int reconcile_now(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    (void)args;
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    fed_state *fs = state_of(info);
    if (fs && fs->reconcile) {
        int wait_s = (ctx_of(info)->cfg ? ctx_of(info)->cfg->request_timeout : 30) - 5;
        if (wait_s < 1) wait_s = 1;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += wait_s;
        pthread_mutex_lock(&fs->mu);
        uint64_t want = fs->runs_started + 1;
        pthread_mutex_unlock(&fs->mu);
        worker_kick(fs->reconcile);
        pthread_mutex_lock(&fs->mu);
        int rc = 0;
        while (fs->runs_done < want && !atomic_load(&fs->stopping) && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&fs->cv, &fs->mu, &until);
        bool done = fs->runs_done >= want;
        pthread_mutex_unlock(&fs->mu);
        if (!done) log_warn("reconcileFederation answered before the reconcile finished", "waited_s=%d", wait_s);
    }
    return load_status(info, NULL, out);
}

/* ---- the module ---- */

static int fed_module_init(app_t *app, void **state, char *err, size_t errlen) {
    if (!app->kusto) {
        snprintf(err, errlen, "the Kusto client was not created");
        return -1;
    }
    if (app->cfg->adx_config && *app->cfg->adx_config) {
        store_t *st = store_open(app->cfg->db_path, err, errlen);
        if (!st) return -1;
        size_t applied = 0;
        int rc = adx_config_load_file(st, app->cfg->adx_config, clock_now(), &applied, err, errlen);
        store_close(st);
        if (rc != 0) return -1;
    }
    fed_state *fs = calloc(1, sizeof *fs);
    if (!fs) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    fs->cfg = app->cfg;
    fs->kusto = app->kusto;
    pthread_mutex_init(&fs->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&fs->cv, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&fs->stopping, false);
    *state = fs;
    return 0;
}

static int fed_module_start(app_t *app, void *state, char *err, size_t errlen) {
    fed_state *fs = state;
    const config_t *cfg = app->cfg;
    fs->heartbeat = worker_start("heartbeat", cfg->db_path, cfg, cfg->heartbeat_interval, fed_heartbeat_run, fs);
    fs->reconcile = worker_start("reconcile", cfg->db_path, cfg, cfg->reconcile_interval, fed_reconcile_run, fs);
    if (!fs->heartbeat || !fs->reconcile) {
        snprintf(err, errlen, "cannot start the federation threads");
        return -1;
    }
    return 0;
}

/* The Kusto client is cancelled by main.c before modules stop, so a worker in the middle of a Kusto call
 * returns at once; `stopping` ends the loops over clusters. */
static void fed_module_stop(app_t *app, void *state) {
    (void)app;
    fed_state *fs = state;
    if (!fs) return;
    atomic_store(&fs->stopping, true);
    pthread_mutex_lock(&fs->mu);
    pthread_cond_broadcast(&fs->cv);
    pthread_mutex_unlock(&fs->mu);
    if (fs->heartbeat) worker_stop(fs->heartbeat);
    if (fs->reconcile) worker_stop(fs->reconcile);
    pthread_cond_destroy(&fs->cv);
    pthread_mutex_destroy(&fs->mu);
    free(fs);
}

static const gql_binding fed_bindings[] = {
    {"Query.adx", query_adx, NULL},
    {"Adx.clusters", adx_clusters, NULL},
    {"Adx.cluster", adx_cluster_field, NULL},
    {"Adx.federation", adx_federation, NULL},
    {"Mutation.upsertAdxCluster", upsert_cluster, NULL},
    {"Mutation.deleteAdxCluster", delete_cluster, NULL},
    {"Mutation.reconcileFederation", reconcile_now, NULL},
    /* Values built as maps above and in status.c. */
    GQL_BIND_PROPERTY("AdxCluster.name"),
    GQL_BIND_PROPERTY("AdxCluster.endpoint"),
    GQL_BIND_PROPERTY("AdxCluster.role"),
    GQL_BIND_PROPERTY("AdxCluster.databases"),
    GQL_BIND_PROPERTY("AdxCluster.authKind"),
    GQL_BIND_PROPERTY("AdxCluster.federatedClusters"),
    GQL_BIND_PROPERTY("AdxCluster.partitioning"),
    GQL_BIND_PROPERTY("AdxCluster.heartbeatDatabase"),
    GQL_BIND_PROPERTY("AdxCluster.heartbeatTable"),
    GQL_BIND_PROPERTY("AdxCluster.heartbeatTTL"),
    GQL_BIND_PROPERTY("AdxCluster.functionPrefix"),
    GQL_BIND_PROPERTY("AdxCluster.bestEffort"),
    GQL_BIND_PROPERTY("AdxCluster.folder"),
    GQL_BIND_PROPERTY("AdxCluster.lastHeartbeatSentAt"),
    GQL_BIND_PROPERTY("AdxCluster.lastError"),
    GQL_BIND_PROPERTY("AdxCluster.source"),
    GQL_BIND_PROPERTY("AdxCluster.createdAt"),
    GQL_BIND_PROPERTY("AdxCluster.updatedAt"),
    GQL_BIND_PROPERTY("AdxDatabase.databaseName"),
    GQL_BIND_PROPERTY("AdxDatabase.telemetryType"),
    GQL_BIND_PROPERTY("AdxDatabase.retentionInDays"),
    GQL_BIND_PROPERTY("AdxDatabase.exists"),
    GQL_BIND_PROPERTY("AdxDatabase.actualRetentionInDays"),
    GQL_BIND_PROPERTY("AdxDatabase.checkedAt"),
    GQL_BIND_PROPERTY("AdxDatabase.lastError"),
    GQL_BIND_PROPERTY("FederatedClusterTarget.endpoint"),
    GQL_BIND_PROPERTY("FederatedClusterTarget.heartbeatDatabase"),
    GQL_BIND_PROPERTY("FederatedClusterTarget.heartbeatTable"),
    GQL_BIND_PROPERTY("FederatedClusterTarget.managedIdentityClientId"),
    GQL_BIND_PROPERTY("FederatedClusterTarget.lastAttemptAt"),
    GQL_BIND_PROPERTY("FederatedClusterTarget.lastHeartbeatSentAt"),
    GQL_BIND_PROPERTY("FederatedClusterTarget.lastError"),
    GQL_BIND_PROPERTY("AdxClusterPayload.cluster"),
    GQL_BIND_PROPERTY("AdxClusterPayload.success"),
    GQL_BIND_PROPERTY("AdxClusterPayload.errors"),
    GQL_BIND_PROPERTY("FederationStatus.lastReconcileAt"),
    GQL_BIND_PROPERTY("FederationStatus.lastReconcileSucceeded"),
    GQL_BIND_PROPERTY("FederationStatus.zeroHeartbeatProtection"),
    GQL_BIND_PROPERTY("FederationStatus.partitions"),
    GQL_BIND_PROPERTY("FederationStatus.entityGroups"),
    GQL_BIND_PROPERTY("FederationStatus.functions"),
    GQL_BIND_PROPERTY("FederationStatus.errors"),
    GQL_BIND_PROPERTY("PartitionCluster.endpoint"),
    GQL_BIND_PROPERTY("PartitionCluster.lastHeartbeat"),
    GQL_BIND_PROPERTY("PartitionCluster.live"),
    GQL_BIND_PROPERTY("PartitionCluster.databases"),
    GQL_BIND_PROPERTY("PartitionCluster.partitionMetadata"),
    GQL_BIND_PROPERTY("PartitionDatabase.name"),
    GQL_BIND_PROPERTY("PartitionDatabase.tables"),
    GQL_BIND_PROPERTY("PartitionDatabase.views"),
    GQL_BIND_PROPERTY("EntityGroup.name"),
    GQL_BIND_PROPERTY("EntityGroup.database"),
    GQL_BIND_PROPERTY("EntityGroup.members"),
    GQL_BIND_PROPERTY("EntityGroup.updatedAt"),
    GQL_BIND_PROPERTY("FederatedFunction.name"),
    GQL_BIND_PROPERTY("FederatedFunction.database"),
    GQL_BIND_PROPERTY("FederatedFunction.table"),
    GQL_BIND_PROPERTY("FederatedFunction.endpoints"),
    GQL_BIND_PROPERTY("FederatedFunction.updatedAt"),
    GQL_BIND_PROPERTY("FederationError.at"),
    GQL_BIND_PROPERTY("FederationError.scope"),
    GQL_BIND_PROPERTY("FederationError.message"),
};

static const char *const fed_schema_files[] = {"adx.graphql", NULL};

const app_module federation_module = {
    .name = "federation",
    .schema_files = fed_schema_files,
    .bindings = fed_bindings,
    .nbindings = sizeof fed_bindings / sizeof fed_bindings[0],
    .init = fed_module_init,
    .start = fed_module_start,
    .stop = fed_module_stop,
};
