/* store.c -- all SQL of the federation module (tables of migrations/0004_adx.sql): clusters with their
 * databases and heartbeat targets, the results of heartbeats and database checks, and the status of each
 * federated cluster's last reconcile. Every statement is a static string prepared once per connection through
 * the store_stmt cache and reset after use. Times are stored as RFC 3339 UTC text with seconds. */
#include "federation/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/datetime.h"
#include "util/log.h"

/* ---- the statements ---- */

#define CLUSTER_COLUMNS                                                                                                \
    "id, name, endpoint, role, auth_kind, auth_token, auth_tenant_id, auth_client_id, auth_client_secret, "            \
    "partitioning, heartbeat_database, heartbeat_table, heartbeat_ttl, function_prefix, best_effort, folder, "         \
    "source, created_at, updated_at"

static const char CLUSTER_BY_NAME[] = "SELECT " CLUSTER_COLUMNS " FROM adx_clusters WHERE name = ?1";
static const char CLUSTER_BY_ID[] = "SELECT " CLUSTER_COLUMNS " FROM adx_clusters WHERE id = ?1";
static const char CLUSTER_ALL[] = "SELECT " CLUSTER_COLUMNS " FROM adx_clusters ORDER BY name LIMIT ?1";

static const char DATABASES_OF[] =
    "SELECT name, telemetry_type, retention_days, exists_on_cluster, actual_retention_days, checked_at, last_error "
    "FROM adx_cluster_databases WHERE cluster_id = ?1 ORDER BY position";

static const char TARGETS_OF[] =
    "SELECT endpoint, heartbeat_database, heartbeat_table, managed_identity_client_id, last_attempt_at, "
    "last_sent_at, last_error FROM adx_heartbeat_targets WHERE cluster_id = ?1 ORDER BY position";

static const char CLUSTER_UPSERT[] =
    "INSERT INTO adx_clusters (name, endpoint, role, auth_kind, auth_token, auth_tenant_id, auth_client_id, "
    "  auth_client_secret, partitioning, heartbeat_database, heartbeat_table, heartbeat_ttl, function_prefix, "
    "  best_effort, folder, source, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17) "
    "ON CONFLICT(name) DO UPDATE SET endpoint = excluded.endpoint, role = excluded.role, "
    "  auth_kind = excluded.auth_kind, auth_token = excluded.auth_token, auth_tenant_id = excluded.auth_tenant_id, "
    "  auth_client_id = excluded.auth_client_id, auth_client_secret = excluded.auth_client_secret, "
    "  partitioning = excluded.partitioning, heartbeat_database = excluded.heartbeat_database, "
    "  heartbeat_table = excluded.heartbeat_table, heartbeat_ttl = excluded.heartbeat_ttl, "
    "  function_prefix = excluded.function_prefix, best_effort = excluded.best_effort, folder = excluded.folder, "
    "  source = excluded.source, updated_at = excluded.updated_at";

static const char CLUSTER_ID[] = "SELECT id FROM adx_clusters WHERE name = ?1";

static const char DATABASE_UPSERT[] =
    "INSERT INTO adx_cluster_databases (cluster_id, position, name, telemetry_type, retention_days) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(cluster_id, name) DO UPDATE SET position = excluded.position, "
    "  telemetry_type = excluded.telemetry_type, retention_days = excluded.retention_days";

/* ?2: JSON array of the names still configured */
static const char DATABASES_PRUNE[] =
    "DELETE FROM adx_cluster_databases WHERE cluster_id = ?1 AND name NOT IN (SELECT value FROM json_each(?2))";

static const char TARGET_UPSERT[] =
    "INSERT INTO adx_heartbeat_targets (cluster_id, position, endpoint, heartbeat_database, heartbeat_table, "
    "  managed_identity_client_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT(cluster_id, endpoint, heartbeat_database, heartbeat_table) DO UPDATE SET "
    "  position = excluded.position, managed_identity_client_id = excluded.managed_identity_client_id";

/* ?2: JSON array of "endpoint|database|table" still configured ('|' appears in none of them) */
static const char TARGETS_PRUNE[] =
    "DELETE FROM adx_heartbeat_targets WHERE cluster_id = ?1 AND "
    "  endpoint || '|' || heartbeat_database || '|' || heartbeat_table NOT IN (SELECT value FROM json_each(?2))";

static const char CLUSTER_DELETE[] = "DELETE FROM adx_clusters WHERE name = ?1";

static const char HAS_SUMMARY_RULES[] = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'summary_rules'";
static const char RULES_OF_CLUSTER[] =
    "SELECT name FROM summary_rules WHERE cluster_id = (SELECT id FROM adx_clusters WHERE name = ?1) "
    "ORDER BY name LIMIT 11";

static const char TARGET_RESULT[] =
    "UPDATE adx_heartbeat_targets SET last_attempt_at = ?5, "
    "  last_sent_at = CASE WHEN ?6 IS NULL THEN ?5 ELSE last_sent_at END, last_error = ?6 "
    "WHERE cluster_id = ?1 AND endpoint = ?2 AND heartbeat_database = ?3 AND heartbeat_table = ?4";

static const char DATABASE_RESULT[] =
    "UPDATE adx_cluster_databases SET exists_on_cluster = ?3, actual_retention_days = ?4, checked_at = ?5, "
    "  last_error = ?6 WHERE cluster_id = ?1 AND name = ?2";

static const char STATUS_UPSERT[] =
    "INSERT INTO fed_status (cluster_id, last_reconcile_at, zero_heartbeat_protection, ok, duration_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(cluster_id) DO UPDATE SET "
    "  last_reconcile_at = excluded.last_reconcile_at, "
    "  zero_heartbeat_protection = excluded.zero_heartbeat_protection, ok = excluded.ok, "
    "  duration_ms = excluded.duration_ms";

static const char STATUS_CLEAR[] = "DELETE FROM fed_status WHERE cluster_id = ?1";
static const char PARTITIONS_CLEAR[] = "DELETE FROM fed_partitions WHERE cluster_id = ?1";
static const char PARTITION_INSERT[] =
    "INSERT INTO fed_partitions (cluster_id, endpoint, last_heartbeat, live, databases, partition_metadata) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char GROUPS_CLEAR[] = "DELETE FROM fed_entity_groups WHERE cluster_id = ?1";
static const char GROUP_INSERT[] =
    "INSERT INTO fed_entity_groups (cluster_id, database, name, members, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char FUNCTIONS_CLEAR[] = "DELETE FROM fed_functions WHERE cluster_id = ?1";
static const char FUNCTION_INSERT[] =
    "INSERT INTO fed_functions (cluster_id, database, name, table_name, endpoints, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char ERROR_INSERT[] = "INSERT INTO fed_errors (cluster_id, at, scope, message) VALUES (?1, ?2, ?3, ?4)";
static const char ERRORS_TRIM[] = "DELETE FROM fed_errors WHERE cluster_id = ?1 AND id NOT IN "
                                  "  (SELECT id FROM fed_errors WHERE cluster_id = ?1 ORDER BY id DESC LIMIT ?2)";

/* ?1 = 0: every federated cluster */
static const char STATUS_LOAD[] =
    "SELECT cluster_id, last_reconcile_at, zero_heartbeat_protection, ok, duration_ms FROM fed_status "
    "WHERE ?1 = 0 OR cluster_id = ?1 ORDER BY cluster_id";
static const char PARTITIONS_LOAD[] =
    "SELECT endpoint, last_heartbeat, live, databases, partition_metadata FROM fed_partitions "
    "WHERE ?1 = 0 OR cluster_id = ?1 ORDER BY endpoint, cluster_id";
static const char GROUPS_LOAD[] =
    "SELECT database, name, members, updated_at FROM fed_entity_groups WHERE ?1 = 0 OR cluster_id = ?1 "
    "ORDER BY database, cluster_id";
static const char FUNCTIONS_LOAD[] =
    "SELECT database, name, table_name, endpoints, updated_at FROM fed_functions WHERE ?1 = 0 OR cluster_id = ?1 "
    "ORDER BY database, name, cluster_id";
static const char ERRORS_LOAD[] =
    "SELECT at, scope, message FROM fed_errors WHERE ?1 = 0 OR cluster_id = ?1 ORDER BY id DESC LIMIT ?2";
static const char GROUP_UPDATED[] =
    "SELECT updated_at FROM fed_entity_groups WHERE cluster_id = ?1 AND database = ?2 AND members = ?3";
static const char FUNCTION_UPDATED[] =
    "SELECT updated_at FROM fed_functions WHERE cluster_id = ?1 AND database = ?2 AND name = ?3 AND endpoints = ?4";

/* ---- helpers ---- */

static const char *col_str(arena_t *a, sqlite3_stmt *st, int i) {
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? arena_strndup(a, (const char *)s, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

/* RFC 3339 text -> unix seconds (0 when NULL or unreadable). */
static int64_t col_time(sqlite3_stmt *st, int i) {
    const char *s = (const char *)sqlite3_column_text(st, i);
    dt_instant t;
    if (!s || dt_parse(s, strlen(s), 0, &t) != 0) return 0;
    return t.secs;
}

static void bind_time(sqlite3_stmt *st, int i, int64_t secs) {
    char buf[DT_MAX];
    if (secs <= 0 || dt_format(secs, buf) == 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s) {
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int fail(store_t *s, sqlite3_stmt *st, char *err, size_t errlen, const char *what) {
    if (err) snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(store_db(s)));
    log_error("federation store failed", "what=\"%s\" error=\"%s\"", what, sqlite3_errmsg(store_db(s)));
    if (st) sqlite3_reset(st);
    return -1;
}

/* Runs a statement that returns no rows; resets it. */
static int step_done(store_t *s, sqlite3_stmt *st, const char *what) {
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) return fail(s, st, NULL, 0, what);
    sqlite3_reset(st);
    return 0;
}

/* ---- clusters ---- */

static void read_cluster(arena_t *a, sqlite3_stmt *st, adx_cluster *c) {
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->name = col_str(a, st, 1);
    c->endpoint = col_str(a, st, 2);
    const char *role = (const char *)sqlite3_column_text(st, 3);
    c->role = role && strcmp(role, "FEDERATED") == 0 ? ADX_ROLE_FEDERATED : ADX_ROLE_PARTITION;
    const char *kind = (const char *)sqlite3_column_text(st, 4);
    if (adx_auth_kind_parse(kind, &c->auth.kind) != 0) c->auth.kind = KUSTO_AUTH_NONE;
    c->auth.token = col_str(a, st, 5);
    c->auth.tenant_id = col_str(a, st, 6);
    c->auth.client_id = col_str(a, st, 7);
    c->auth.client_secret = col_str(a, st, 8);
    c->partitioning = col_str(a, st, 9);
    c->heartbeat_database = col_str(a, st, 10);
    c->heartbeat_table = col_str(a, st, 11);
    c->heartbeat_ttl = sqlite3_column_type(st, 12) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 12);
    c->function_prefix = col_str(a, st, 13);
    c->best_effort = sqlite3_column_type(st, 14) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 14);
    c->folder = col_str(a, st, 15);
    c->source = col_str(a, st, 16);
    c->created_at = col_time(st, 17);
    c->updated_at = col_time(st, 18);
}

static int load_children(store_t *s, arena_t *a, adx_cluster *c, char *err, size_t errlen) {
    sqlite3_stmt *st = store_stmt(s, DATABASES_OF);
    if (!st) return fail(s, NULL, err, errlen, "prepare databases");
    sqlite3_bind_int64(st, 1, c->id);
    ptrvec_t v = {0};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        adx_database *d = arena_alloc(a, sizeof *d);
        d->name = col_str(a, st, 0);
        d->telemetry_type = col_str(a, st, 1);
        d->retention_days = sqlite3_column_int(st, 2);
        d->exists = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
        d->actual_retention_days = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
        d->checked_at = col_time(st, 5);
        d->last_error = col_str(a, st, 6);
        ptrvec_push(a, &v, d);
    }
    if (rc != SQLITE_DONE) return fail(s, st, err, errlen, "read databases");
    sqlite3_reset(st);
    c->databases = arena_alloc(a, (v.count ? v.count : 1) * sizeof *c->databases);
    for (size_t i = 0; i < v.count; i++)
        c->databases[i] = *(adx_database *)v.items[i];
    c->ndatabases = v.count;

    st = store_stmt(s, TARGETS_OF);
    if (!st) return fail(s, NULL, err, errlen, "prepare targets");
    sqlite3_bind_int64(st, 1, c->id);
    ptrvec_t t = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        adx_target *x = arena_alloc(a, sizeof *x);
        x->endpoint = col_str(a, st, 0);
        x->heartbeat_database = col_str(a, st, 1);
        x->heartbeat_table = col_str(a, st, 2);
        x->managed_identity_client_id = col_str(a, st, 3);
        x->last_attempt_at = col_time(st, 4);
        x->last_sent_at = col_time(st, 5);
        x->last_error = col_str(a, st, 6);
        ptrvec_push(a, &t, x);
    }
    if (rc != SQLITE_DONE) return fail(s, st, err, errlen, "read targets");
    sqlite3_reset(st);
    c->targets = arena_alloc(a, (t.count ? t.count : 1) * sizeof *c->targets);
    for (size_t i = 0; i < t.count; i++)
        c->targets[i] = *(adx_target *)t.items[i];
    c->ntargets = t.count;
    return 0;
}

int fed_store_cluster_get(store_t *s, arena_t *a, const char *name, int64_t id, adx_cluster *out, char *err,
                          size_t errlen) {
    sqlite3_stmt *st = store_stmt(s, name ? CLUSTER_BY_NAME : CLUSTER_BY_ID);
    if (!st) return fail(s, NULL, err, errlen, "prepare cluster");
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return 1;
    }
    if (rc != SQLITE_ROW) return fail(s, st, err, errlen, "read cluster");
    read_cluster(a, st, out);
    sqlite3_reset(st);
    return load_children(s, a, out, err, errlen) == 0 ? 0 : -1;
}

int fed_store_cluster_list(store_t *s, arena_t *a, adx_cluster **out, size_t *n, char *err, size_t errlen) {
    sqlite3_stmt *st = store_stmt(s, CLUSTER_ALL);
    if (!st) return fail(s, NULL, err, errlen, "prepare clusters");
    sqlite3_bind_int(st, 1, ADX_MAX_CLUSTERS);
    ptrvec_t v = {0};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        adx_cluster *c = arena_alloc(a, sizeof *c);
        read_cluster(a, st, c);
        ptrvec_push(a, &v, c);
    }
    if (rc != SQLITE_DONE) return fail(s, st, err, errlen, "read clusters");
    sqlite3_reset(st);
    *out = arena_alloc(a, (v.count ? v.count : 1) * sizeof **out);
    for (size_t i = 0; i < v.count; i++) {
        (*out)[i] = *(adx_cluster *)v.items[i];
        if (load_children(s, a, &(*out)[i], err, errlen) != 0) return -1;
    }
    *n = v.count;
    return 0;
}

/* The configuration of a cluster as one canonical text (status and timestamps left out), to tell an identical
 * upsert from a change. */
static char *fingerprint(arena_t *a, const adx_cluster *c) {
    buf_t b = BUF_INIT;
    const char *f[] = {c->name,
                       c->endpoint,
                       adx_role_name(c->role),
                       adx_auth_kind_name(c->auth.kind),
                       c->auth.token,
                       c->auth.tenant_id,
                       c->auth.client_id,
                       c->auth.client_secret,
                       c->partitioning,
                       c->heartbeat_database,
                       c->heartbeat_table,
                       c->function_prefix,
                       c->folder,
                       c->source};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (f[i])
            buf_json_string(&b, f[i], strlen(f[i]));
        else
            buf_puts(&b, "null");
        buf_putc(&b, ',');
    }
    buf_printf(&b, "%lld,%d;", (long long)c->heartbeat_ttl, c->best_effort);
    for (size_t i = 0; i < c->ndatabases; i++)
        buf_printf(&b, "%s/%s/%d;", c->databases[i].name, c->databases[i].telemetry_type,
                   c->databases[i].retention_days);
    buf_putc(&b, '|');
    for (size_t i = 0; i < c->ntargets; i++)
        buf_printf(&b, "%s/%s/%s/%s;", c->targets[i].endpoint, c->targets[i].heartbeat_database,
                   c->targets[i].heartbeat_table,
                   c->targets[i].managed_identity_client_id ? c->targets[i].managed_identity_client_id : "");
    char *out = arena_strndup(a, buf_cstr(&b), b.len);
    buf_free(&b);
    return out;
}

int fed_store_cluster_put(store_t *s, adx_cluster *c, int64_t now, bool *changed, char *err, size_t errlen) {
    *changed = false;
    arena_t *a = arena_new();
    adx_cluster old;
    int got = fed_store_cluster_get(s, a, c->name, 0, &old, err, errlen);
    if (got < 0) {
        arena_free(a);
        return -1;
    }
    if (got == 0 && strcmp(fingerprint(a, &old), fingerprint(a, c)) == 0) {
        c->id = old.id;
        c->created_at = old.created_at;
        c->updated_at = old.updated_at;
        arena_free(a);
        return 0;
    }
    sqlite3_stmt *st = store_stmt(s, CLUSTER_UPSERT);
    if (!st) {
        arena_free(a);
        return fail(s, NULL, err, errlen, "prepare cluster upsert");
    }
    sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, c->endpoint, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, adx_role_name(c->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, adx_auth_kind_name(c->auth.kind), -1, SQLITE_STATIC);
    bind_opt(st, 5, c->auth.token);
    bind_opt(st, 6, c->auth.tenant_id);
    bind_opt(st, 7, c->auth.client_id);
    bind_opt(st, 8, c->auth.client_secret);
    bind_opt(st, 9, c->partitioning);
    bind_opt(st, 10, c->heartbeat_database);
    bind_opt(st, 11, c->heartbeat_table);
    if (c->heartbeat_ttl > 0)
        sqlite3_bind_int64(st, 12, c->heartbeat_ttl);
    else
        sqlite3_bind_null(st, 12);
    bind_opt(st, 13, c->function_prefix);
    if (c->best_effort >= 0)
        sqlite3_bind_int(st, 14, c->best_effort);
    else
        sqlite3_bind_null(st, 14);
    bind_opt(st, 15, c->folder);
    sqlite3_bind_text(st, 16, c->source ? c->source : "api", -1, SQLITE_TRANSIENT);
    bind_time(st, 17, now);
    if (sqlite3_step(st) != SQLITE_DONE) {
        arena_free(a);
        return fail(s, st, err, errlen, "write cluster");
    }
    sqlite3_reset(st);
    st = store_stmt(s, CLUSTER_ID);
    if (!st) {
        arena_free(a);
        return fail(s, NULL, err, errlen, "prepare cluster id");
    }
    sqlite3_bind_text(st, 1, c->name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        arena_free(a);
        return fail(s, st, err, errlen, "read cluster id");
    }
    c->id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);

    buf_t names = BUF_INIT;
    buf_putc(&names, '[');
    for (size_t i = 0; i < c->ndatabases; i++) {
        st = store_stmt(s, DATABASE_UPSERT);
        if (!st) goto child_fail;
        sqlite3_bind_int64(st, 1, c->id);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        sqlite3_bind_text(st, 3, c->databases[i].name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, c->databases[i].telemetry_type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 5, c->databases[i].retention_days);
        if (step_done(s, st, "write database") != 0) goto child_fail;
        if (i) buf_putc(&names, ',');
        buf_json_string(&names, c->databases[i].name, strlen(c->databases[i].name));
    }
    buf_putc(&names, ']');
    st = store_stmt(s, DATABASES_PRUNE);
    if (!st) goto child_fail;
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_text(st, 2, buf_cstr(&names), -1, SQLITE_TRANSIENT);
    if (step_done(s, st, "prune databases") != 0) goto child_fail;

    buf_reset(&names);
    buf_putc(&names, '[');
    for (size_t i = 0; i < c->ntargets; i++) {
        const adx_target *t = &c->targets[i];
        st = store_stmt(s, TARGET_UPSERT);
        if (!st) goto child_fail;
        sqlite3_bind_int64(st, 1, c->id);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        sqlite3_bind_text(st, 3, t->endpoint, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, t->heartbeat_database, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, t->heartbeat_table, -1, SQLITE_TRANSIENT);
        bind_opt(st, 6, t->managed_identity_client_id);
        if (step_done(s, st, "write target") != 0) goto child_fail;
        if (i) buf_putc(&names, ',');
        char *key = arena_printf(a, "%s|%s|%s", t->endpoint, t->heartbeat_database, t->heartbeat_table);
        buf_json_string(&names, key, strlen(key));
    }
    buf_putc(&names, ']');
    st = store_stmt(s, TARGETS_PRUNE);
    if (!st) goto child_fail;
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_text(st, 2, buf_cstr(&names), -1, SQLITE_TRANSIENT);
    if (step_done(s, st, "prune targets") != 0) goto child_fail;
    buf_free(&names);
    /* A cluster that is not (or no longer) federated has no reconcile status: adx.federation must not show
     * what it held while it was a hub. */
    if (c->role != ADX_ROLE_FEDERATED && got == 0 && old.role == ADX_ROLE_FEDERATED) {
        const char *const clears[] = {STATUS_CLEAR, PARTITIONS_CLEAR, GROUPS_CLEAR, FUNCTIONS_CLEAR};
        for (size_t i = 0; i < 4; i++) {
            st = store_stmt(s, clears[i]);
            if (!st) goto child_fail;
            sqlite3_bind_int64(st, 1, c->id);
            if (step_done(s, st, "clear status") != 0) goto child_fail;
        }
    }
    c->created_at = got == 0 ? old.created_at : now;
    c->updated_at = now;
    *changed = true;
    arena_free(a);
    return 0;
child_fail:
    buf_free(&names);
    arena_free(a);
    return fail(s, NULL, err, errlen, "write cluster children");
}

/* Up to ten names of SummaryRules that use the cluster (only when the summaryrules migration created its table),
 * for the "used by" message of deleteAdxCluster. Returns how many were found. */
static int rules_using(store_t *s, const char *name, char *out, size_t outlen) {
    out[0] = '\0';
    sqlite3_stmt *st = store_stmt(s, HAS_SUMMARY_RULES);
    if (!st) return 0;
    int has = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (!has) return 0;
    st = store_stmt(s, RULES_OF_CLUSTER);
    if (!st) return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int n = 0;
    size_t len = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (++n > 10) {
            snprintf(out + len, outlen - len, ", ...");
            break;
        }
        int w = snprintf(out + len, outlen - len, "%s%s", n > 1 ? ", " : "", (const char *)sqlite3_column_text(st, 0));
        if (w < 0 || (size_t)w >= outlen - len) break;
        len += (size_t)w;
    }
    sqlite3_reset(st);
    return n;
}

int fed_store_cluster_delete(store_t *s, const char *name, char *err, size_t errlen) {
    char rules[512];
    if (rules_using(s, name, rules, sizeof rules) > 0) {
        snprintf(err, errlen, "cluster %s is used by SummaryRule(s) %s: delete or move them first", name, rules);
        return 2;
    }
    sqlite3_stmt *st = store_stmt(s, CLUSTER_DELETE);
    if (!st) return fail(s, NULL, err, errlen, "prepare delete");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT) {
        sqlite3_reset(st);
        snprintf(err, errlen, "cluster %s is used by SummaryRule(s): delete or move them first", name);
        return 2;
    }
    if (rc != SQLITE_DONE) return fail(s, st, err, errlen, "delete cluster");
    sqlite3_reset(st);
    return sqlite3_changes(store_db(s)) > 0 ? 0 : 1;
}

int fed_store_target_result(store_t *s, int64_t cluster_id, const adx_target *t, int64_t at, const char *error) {
    sqlite3_stmt *st = store_stmt(s, TARGET_RESULT);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, cluster_id);
    sqlite3_bind_text(st, 2, t->endpoint, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, t->heartbeat_database, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, t->heartbeat_table, -1, SQLITE_TRANSIENT);
    bind_time(st, 5, at);
    bind_opt(st, 6, error);
    return step_done(s, st, "heartbeat result");
}

int fed_store_database_result(store_t *s, int64_t cluster_id, const char *name, int exists, int actual_retention,
                              int64_t at, const char *error) {
    sqlite3_stmt *st = store_stmt(s, DATABASE_RESULT);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, cluster_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    if (exists >= 0)
        sqlite3_bind_int(st, 3, exists);
    else
        sqlite3_bind_null(st, 3);
    if (actual_retention >= 0)
        sqlite3_bind_int(st, 4, actual_retention);
    else
        sqlite3_bind_null(st, 4);
    bind_time(st, 5, at);
    bind_opt(st, 6, error);
    return step_done(s, st, "database result");
}

/* ---- status ---- */

static int add_errors(store_t *s, int64_t cluster_id, const fed_error *e, size_t n) {
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = store_stmt(s, ERROR_INSERT);
        if (!st) return -1;
        sqlite3_bind_int64(st, 1, cluster_id);
        bind_time(st, 2, e[i].at);
        sqlite3_bind_text(st, 3, e[i].scope, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, e[i].message, -1, SQLITE_TRANSIENT);
        if (step_done(s, st, "write error") != 0) return -1;
    }
    if (n == 0) return 0;
    sqlite3_stmt *st = store_stmt(s, ERRORS_TRIM);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, cluster_id);
    sqlite3_bind_int(st, 2, FED_KEEP_ERRORS);
    return step_done(s, st, "trim errors");
}

int fed_store_errors_add(store_t *s, int64_t cluster_id, const fed_error *e, size_t n) {
    if (n == 0) return 0;
    if (store_begin(s) != 0) return -1;
    if (add_errors(s, cluster_id, e, n) != 0 || store_commit(s) != 0) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

static int clear(store_t *s, const char *sql, int64_t cluster_id) {
    sqlite3_stmt *st = store_stmt(s, sql);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, cluster_id);
    return step_done(s, st, "clear status");
}

int fed_store_status_save(store_t *s, const fed_status *f, bool keep_objects) {
    arena_t *a = arena_new();
    if (store_begin(s) != 0) {
        arena_free(a);
        return -1;
    }
    sqlite3_stmt *st = store_stmt(s, STATUS_UPSERT);
    if (!st) goto fail;
    sqlite3_bind_int64(st, 1, f->cluster_id);
    bind_time(st, 2, f->last_reconcile_at);
    sqlite3_bind_int(st, 3, f->zero_heartbeat_protection ? 1 : 0);
    sqlite3_bind_int(st, 4, f->ok ? 1 : 0);
    sqlite3_bind_int64(st, 5, f->duration_ms);
    if (step_done(s, st, "write status") != 0) goto fail;
    if (clear(s, PARTITIONS_CLEAR, f->cluster_id) != 0) goto fail;
    for (size_t i = 0; i < f->npartitions; i++) {
        const fed_partition *p = &f->partitions[i];
        st = store_stmt(s, PARTITION_INSERT);
        if (!st) goto fail;
        sqlite3_bind_int64(st, 1, f->cluster_id);
        sqlite3_bind_text(st, 2, p->endpoint, -1, SQLITE_TRANSIENT);
        bind_time(st, 3, dt_floor_div(p->last_heartbeat, DT_TICKS_PER_SEC));
        sqlite3_bind_int(st, 4, p->live ? 1 : 0);
        sqlite3_bind_text(st, 5, fed_json_databases(a, p), -1, SQLITE_TRANSIENT);
        bind_opt(st, 6, p->metadata);
        if (step_done(s, st, "write partition") != 0) goto fail;
    }
    if (!keep_objects) {
        if (clear(s, GROUPS_CLEAR, f->cluster_id) != 0 || clear(s, FUNCTIONS_CLEAR, f->cluster_id) != 0) goto fail;
        for (size_t i = 0; i < f->ngroups; i++) {
            const fed_group_status *g = &f->groups[i];
            st = store_stmt(s, GROUP_INSERT);
            if (!st) goto fail;
            sqlite3_bind_int64(st, 1, f->cluster_id);
            sqlite3_bind_text(st, 2, g->database, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, g->name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 4, fed_json_strings(a, g->members, g->nmembers), -1, SQLITE_TRANSIENT);
            bind_time(st, 5, g->updated_at);
            if (step_done(s, st, "write group") != 0) goto fail;
        }
        for (size_t i = 0; i < f->nfunctions; i++) {
            const fed_function_status *fn = &f->functions[i];
            st = store_stmt(s, FUNCTION_INSERT);
            if (!st) goto fail;
            sqlite3_bind_int64(st, 1, f->cluster_id);
            sqlite3_bind_text(st, 2, fn->database, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, fn->name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 4, fn->table, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 5, fed_json_strings(a, fn->endpoints, fn->nendpoints), -1, SQLITE_TRANSIENT);
            bind_time(st, 6, fn->updated_at);
            if (step_done(s, st, "write function") != 0) goto fail;
        }
    }
    if (add_errors(s, f->cluster_id, f->errors, f->nerrors) != 0) goto fail;
    if (store_commit(s) != 0) goto fail;
    arena_free(a);
    return 0;
fail:
    store_rollback(s);
    arena_free(a);
    return -1;
}

int fed_store_partitions_load(store_t *s, arena_t *a, int64_t cluster_id, fed_partition **out, size_t *n) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = store_stmt(s, PARTITIONS_LOAD);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, cluster_id);
    ptrvec_t v = {0};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fed_partition *p = arena_alloc(a, sizeof *p);
        p->endpoint = col_str(a, st, 0);
        p->last_heartbeat = col_time(st, 1) * DT_TICKS_PER_SEC;
        p->live = sqlite3_column_int(st, 2) != 0;
        fed_parse_databases(a, (const char *)sqlite3_column_text(st, 3), &p->dbs, &p->ndbs);
        p->metadata = col_str(a, st, 4);
        ptrvec_push(a, &v, p);
    }
    if (rc != SQLITE_DONE) return fail(s, st, NULL, 0, "read partitions");
    sqlite3_reset(st);
    *out = arena_alloc(a, (v.count ? v.count : 1) * sizeof **out);
    for (size_t i = 0; i < v.count; i++)
        (*out)[i] = *(fed_partition *)v.items[i];
    *n = v.count;
    return 0;
}

int fed_store_status_load(store_t *s, arena_t *a, int64_t cluster_id, fed_status *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    out->cluster_id = cluster_id;
    out->ok = true;
    sqlite3_stmt *st = store_stmt(s, STATUS_LOAD);
    if (!st) return fail(s, NULL, err, errlen, "prepare status");
    sqlite3_bind_int64(st, 1, cluster_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t at = col_time(st, 1);
        if (at > out->last_reconcile_at) {
            out->last_reconcile_at = at;
            out->duration_ms = sqlite3_column_int64(st, 4);
        }
        if (sqlite3_column_int(st, 2)) out->zero_heartbeat_protection = true;
        if (!sqlite3_column_int(st, 3)) out->ok = false;
    }
    if (rc != SQLITE_DONE) return fail(s, st, err, errlen, "read status");
    sqlite3_reset(st);
    if (fed_store_partitions_load(s, a, cluster_id, &out->partitions, &out->npartitions) != 0)
        return fail(s, NULL, err, errlen, "read partitions");

    st = store_stmt(s, GROUPS_LOAD);
    if (!st) return fail(s, NULL, err, errlen, "prepare groups");
    sqlite3_bind_int64(st, 1, cluster_id);
    ptrvec_t v = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fed_group_status *g = arena_alloc(a, sizeof *g);
        g->database = col_str(a, st, 0);
        g->name = col_str(a, st, 1);
        fed_parse_strings(a, (const char *)sqlite3_column_text(st, 2), &g->members, &g->nmembers);
        g->updated_at = col_time(st, 3);
        ptrvec_push(a, &v, g);
    }
    if (rc != SQLITE_DONE) return fail(s, st, err, errlen, "read groups");
    sqlite3_reset(st);
    out->groups = arena_alloc(a, (v.count ? v.count : 1) * sizeof *out->groups);
    for (size_t i = 0; i < v.count; i++)
        out->groups[i] = *(fed_group_status *)v.items[i];
    out->ngroups = v.count;

    st = store_stmt(s, FUNCTIONS_LOAD);
    if (!st) return fail(s, NULL, err, errlen, "prepare functions");
    sqlite3_bind_int64(st, 1, cluster_id);
    ptrvec_t fv = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fed_function_status *f = arena_alloc(a, sizeof *f);
        f->database = col_str(a, st, 0);
        f->name = col_str(a, st, 1);
        f->table = col_str(a, st, 2);
        fed_parse_strings(a, (const char *)sqlite3_column_text(st, 3), &f->endpoints, &f->nendpoints);
        f->updated_at = col_time(st, 4);
        ptrvec_push(a, &fv, f);
    }
    if (rc != SQLITE_DONE) return fail(s, st, err, errlen, "read functions");
    sqlite3_reset(st);
    out->functions = arena_alloc(a, (fv.count ? fv.count : 1) * sizeof *out->functions);
    for (size_t i = 0; i < fv.count; i++)
        out->functions[i] = *(fed_function_status *)fv.items[i];
    out->nfunctions = fv.count;

    st = store_stmt(s, ERRORS_LOAD);
    if (!st) return fail(s, NULL, err, errlen, "prepare errors");
    sqlite3_bind_int64(st, 1, cluster_id);
    sqlite3_bind_int(st, 2, FED_KEEP_ERRORS);
    ptrvec_t ev = {0};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fed_error *e = arena_alloc(a, sizeof *e);
        e->at = col_time(st, 0);
        e->scope = col_str(a, st, 1);
        e->message = col_str(a, st, 2);
        ptrvec_push(a, &ev, e);
    }
    if (rc != SQLITE_DONE) return fail(s, st, err, errlen, "read errors");
    sqlite3_reset(st);
    out->errors = arena_alloc(a, (ev.count ? ev.count : 1) * sizeof *out->errors);
    for (size_t i = 0; i < ev.count; i++)
        out->errors[i] = *(fed_error *)ev.items[i];
    out->nerrors = ev.count;
    return 0;
}

static int updated_at(store_t *s, const char *sql, int64_t cluster_id, const char *a2, const char *a3, const char *a4,
                      int64_t *out) {
    sqlite3_stmt *st = store_stmt(s, sql);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, cluster_id);
    sqlite3_bind_text(st, 2, a2, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, a3, -1, SQLITE_TRANSIENT);
    if (a4) sqlite3_bind_text(st, 4, a4, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW;
    if (found) *out = col_time(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

int fed_store_group_updated(store_t *s, int64_t cluster_id, const char *database, const char *members_json,
                            int64_t *at) {
    return updated_at(s, GROUP_UPDATED, cluster_id, database, members_json, NULL, at);
}

int fed_store_function_updated(store_t *s, int64_t cluster_id, const char *database, const char *name,
                               const char *endpoints_json, int64_t *at) {
    return updated_at(s, FUNCTION_UPDATED, cluster_id, database, name, endpoints_json, at);
}
