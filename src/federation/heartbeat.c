/* heartbeat.c -- the partition role (seed 001 "Discovery Mechanism"; issue 8 "Partition role"; upstream
 * collectHeartbeatSchema + ingestHeartbeatRow): every heartbeat interval each partition cluster collects its
 * own schema (.show databases, per database its tables and its views) and sends one row to each federated
 * target's heartbeat table with `.ingest inline`. One failing target never stops the others; the last sent
 * time and last error of each target are stored. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "federation/fed.h"
#include "federation/store.h"
#include "kusto/kql.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/datetime.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/strmap.h"

static int64_t mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- the row ---- */

static json_t *names_json(const char *const *v, size_t n) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(v[i]));
    return arr;
}

const char *fed_schema_json(arena_t *a, const fed_pdb *dbs, size_t n) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "database", json_string(dbs[i].name));
        json_object_set_new(o, "tables", names_json(dbs[i].tables, dbs[i].ntables));
        json_object_set_new(o, "views", names_json(dbs[i].views, dbs[i].nviews));
        json_array_append_new(arr, o);
    }
    char *text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    const char *out = arena_strdup(a, text ? text : "[]");
    free(text);
    return out;
}

/* Columns in the heartbeat table's order (Timestamp, ClusterEndpoint, Schema, PartitionMetadata), each an RFC
 * 4180 field: a JSON value for a dynamic column is quoted with its quotes doubled (protocol doc, ingest inline). */
const char *fed_heartbeat_row(arena_t *a, int64_t ts_ticks, const char *endpoint, const char *schema_json,
                              const char *partitioning) {
    char ts[DT_MAX];
    dt_format_ticks(ts_ticks, ts);
    buf_t b = BUF_INIT;
    csv_append_field(&b, ts);
    buf_putc(&b, ',');
    csv_append_field(&b, endpoint);
    buf_putc(&b, ',');
    csv_append_field(&b, schema_json);
    buf_putc(&b, ',');
    csv_append_field(&b, partitioning && *partitioning ? partitioning : "{}");
    const char *out = arena_strndup(a, buf_cstr(&b), b.len);
    buf_free(&b);
    return out;
}

const char *fed_heartbeat_command(arena_t *a, const char *table, const char *row) {
    buf_t b = BUF_INIT;
    buf_puts(&b, ".ingest inline into table ");
    kql_append_name(&b, table);
    buf_puts(&b, " <| ");
    buf_puts(&b, row);
    const char *out = arena_strndup(a, buf_cstr(&b), b.len);
    buf_free(&b);
    return out;
}

/* ---- schema collection ---- */

typedef struct {
    kusto_client *kc;
    const kusto_target *src;
    arena_t *a;
    int64_t deadline_ms;
    char *err;
    size_t errlen;
    bool cancelled;
} collect_ctx;

/* One management command of the collection, bounded by the target's deadline: "<stage> failed: ..." or
 * "<stage> timed out after <d>" as upstream words them. */
static const kusto_table *step(collect_ctx *cx, const char *stage, const char *db, const char *csl) {
    if (mono_ms() > cx->deadline_ms) {
        snprintf(cx->err, cx->errlen, "%s timed out: the heartbeat's %d s budget is spent", stage,
                 FED_HB_TARGET_BUDGET_MS / 1000);
        return NULL;
    }
    kusto_result *r = NULL;
    kusto_error e;
    kusto_code rc = kusto_mgmt(cx->kc, cx->src, db, csl, cx->a, &r, &e);
    if (rc != KUSTO_OK) {
        if (rc == KUSTO_E_CANCELLED) cx->cancelled = true;
        snprintf(cx->err, cx->errlen, "%s %s: %s (%s%s%s)", stage,
                 rc == KUSTO_E_TIMEOUT     ? "timed out"
                 : rc == KUSTO_E_CANCELLED ? "canceled"
                                           : "failed",
                 e.message, kusto_code_name(rc), e.kusto_code[0] ? ", " : "", e.kusto_code);
        return NULL;
    }
    const kusto_table *t = kusto_primary(r);
    if (!t) snprintf(cx->err, cx->errlen, "%s failed: the answer has no table", stage);
    return t;
}

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Distinct non-empty values of one column, sorted. */
static int column_values(collect_ctx *cx, const kusto_table *t, const char *col, const char *stage, const char ***out,
                         size_t *n, size_t max) {
    int c = kusto_column_index(t, col);
    if (c < 0) {
        snprintf(cx->err, cx->errlen, "%s failed: the answer has no %s column", stage, col);
        return -1;
    }
    const char **v = arena_alloc(cx->a, (t->nrows ? t->nrows : 1) * sizeof *v);
    strmap_t seen;
    strmap_init(&seen, cx->a);
    size_t k = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *s = kusto_value_str(&t->rows[r][c]);
        if (!*s || strmap_get(&seen, s)) continue; /* upstream: rows with an empty TableName are skipped */
        v[k] = arena_strdup(cx->a, s);
        strmap_put(&seen, v[k], (void *)v[k]);
        k++;
    }
    if (k > max) {
        snprintf(cx->err, cx->errlen, "%s: %zu entries, more than %zu", stage, k, max);
        return -1;
    }
    qsort(v, k, sizeof *v, cmp_str);
    *out = v;
    *n = k;
    return 0;
}

/* The text of a cell that may be a string or a dynamic holding a string (FunctionKind is
 * todynamic(...).FunctionKind: a dynamic, so its text is the JSON "ViewFunction" with the quotes). */
static const char *cell_text(arena_t *a, const kusto_value *v) {
    const char *s = kusto_value_str(v);
    if (v->type != KUSTO_T_DYNAMIC || s[0] != '"') return s;
    json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
    const char *out = json_is_string(j) ? arena_strdup(a, json_string_value(j)) : s;
    json_decref(j);
    return out;
}

/* Views of one database (upstream: `.show functions`, then each function's FunctionKind; a ViewFunction counts
 * as a view). A failure on one function is not fatal: it is skipped and counted (logged with the first error). */
static int collect_views(collect_ctx *cx, const char *db, fed_pdb *out, const char *cluster) {
    const kusto_table *t = step(cx, ".show functions", db, ".show functions");
    if (!t) return -1;
    const char **fns;
    size_t nfns;
    if (column_values(cx, t, "Name", ".show functions", &fns, &nfns, SIZE_MAX) != 0) return -1;
    size_t examined = nfns > FED_HB_MAX_FUNCTIONS ? FED_HB_MAX_FUNCTIONS : nfns;
    if (nfns > examined)
        log_warn("heartbeat: too many functions to examine for views",
                 "cluster=%s database=\"%s\" functions=%zu "
                 "examined=%zu",
                 cluster, db, nfns, examined);
    out->views = arena_alloc(cx->a, (examined ? examined : 1) * sizeof *out->views);
    size_t failed = 0;
    char first[256] = "";
    for (size_t i = 0; i < examined; i++) {
        buf_t b = BUF_INIT;
        buf_puts(&b, ".show function ");
        kql_append_name(&b, fns[i]);
        buf_puts(&b, " schema as json | project FunctionKind = todynamic(Schema).FunctionKind, "
                     "OutputColumns = todynamic(Schema).OutputColumns");
        char err[512] = "";
        char *saved = cx->err;
        size_t savedlen = cx->errlen;
        cx->err = err;
        cx->errlen = sizeof err;
        const kusto_table *ft = step(cx, ".show function schema", db, buf_cstr(&b));
        cx->err = saved;
        cx->errlen = savedlen;
        buf_free(&b);
        if (cx->cancelled) {
            snprintf(cx->err, cx->errlen, "%s", err);
            return -1;
        }
        int kc = ft ? kusto_column_index(ft, "FunctionKind") : -1;
        if (!ft || kc < 0 || ft->nrows != 1) {
            if (failed++ == 0) snprintf(first, sizeof first, "%.100s: %.150s", fns[i], ft ? "unexpected answer" : err);
            continue;
        }
        if (strcmp(cell_text(cx->a, &ft->rows[0][kc]), "ViewFunction") == 0) out->views[out->nviews++] = fns[i];
    }
    if (failed)
        log_warn("heartbeat: functions skipped in view detection",
                 "cluster=%s database=\"%s\" skipped=%zu "
                 "first=\"%s\"",
                 cluster, db, failed, first);
    return 0;
}

/* The local schema of the partition cluster (upstream collectHeartbeatSchema). Errors in .show databases,
 * a database's schema or .show functions abort the heartbeat: a row with a database or table missing would
 * make the hub drop this partition from those functions until the next heartbeat. */
static int collect_schema(collect_ctx *cx, const char *cluster, fed_pdb **out, size_t *n) {
    const kusto_table *t = step(cx, ".show databases", NULL, ".show databases");
    if (!t) return -1;
    const char **dbs;
    size_t ndbs;
    if (column_values(cx, t, "DatabaseName", ".show databases", &dbs, &ndbs, FED_HB_MAX_DATABASES) != 0) return -1;
    fed_pdb *v = arena_alloc(cx->a, (ndbs ? ndbs : 1) * sizeof *v);
    for (size_t i = 0; i < ndbs; i++) {
        v[i].name = dbs[i];
        buf_t b = BUF_INIT;
        buf_puts(&b, ".show database ");
        kql_append_name(&b, dbs[i]);
        buf_puts(&b, " schema");
        const char *stage = arena_printf(cx->a, ".show database %s schema", dbs[i]);
        const kusto_table *st = step(cx, stage, dbs[i], buf_cstr(&b));
        buf_free(&b);
        if (!st) return -1;
        if (column_values(cx, st, "TableName", stage, &v[i].tables, &v[i].ntables, 100000) != 0) return -1;
        if (collect_views(cx, dbs[i], &v[i], cluster) != 0) return -1;
    }
    *out = v;
    *n = ndbs;
    return 0;
}

static void count(const char *name, const char *help, const char *cluster, const char *result) {
    char labels[192];
    if (result)
        snprintf(labels, sizeof labels, "cluster=\"%s\",result=\"%s\"", cluster, result);
    else
        snprintf(labels, sizeof labels, "cluster=\"%s\"", cluster);
    metrics_counter_add(name, help, labels, 1);
}

int fed_heartbeat_cluster(kusto_client *kc, store_t *store, const adx_cluster *c, int64_t now_ticks) {
    if (c->role != ADX_ROLE_PARTITION || c->ntargets == 0) return 0;
    arena_t *a = arena_new();
    int64_t t0 = mono_ms();
    int64_t now = dt_floor_div(now_ticks, DT_TICKS_PER_SEC);
    char err[768] = "";
    kusto_target src = adx_cluster_target(c);
    collect_ctx cx = {kc, &src, a, t0 + FED_HB_TARGET_BUDGET_MS, err, sizeof err, false};
    fed_pdb *dbs = NULL;
    size_t ndbs = 0;
    const char *row = NULL;
    if (collect_schema(&cx, c->name, &dbs, &ndbs) == 0) {
        row = fed_heartbeat_row(a, now_ticks, c->endpoint, fed_schema_json(a, dbs, ndbs), c->partitioning);
        if (strlen(row) > FED_HB_MAX_ROW_BYTES) {
            snprintf(err, sizeof err, "the heartbeat row is %zu bytes, more than %u", strlen(row),
                     FED_HB_MAX_ROW_BYTES);
            row = NULL;
        }
    }
    if (cx.cancelled) {
        arena_free(a);
        return -1;
    }
    int failures = 0;
    for (size_t i = 0; i < c->ntargets; i++) {
        const adx_target *t = &c->targets[i];
        const char *error = NULL;
        if (!row) {
            error = arena_printf(a, "schema collection: %s", err);
        } else {
            kusto_target kt = adx_heartbeat_target(c, t);
            kusto_result *r = NULL;
            kusto_error e;
            int64_t s0 = mono_ms();
            kusto_code rc = kusto_mgmt(kc, &kt, t->heartbeat_database,
                                       fed_heartbeat_command(a, t->heartbeat_table, row), a, &r, &e);
            if (rc == KUSTO_E_CANCELLED) {
                arena_free(a);
                return -1;
            }
            if (rc != KUSTO_OK)
                error = arena_printf(a, "ingest into %s.%s %s after %lld ms: %s (%s%s%s)", t->heartbeat_database,
                                     t->heartbeat_table, rc == KUSTO_E_TIMEOUT ? "timed out" : "failed",
                                     (long long)(mono_ms() - s0), e.message, kusto_code_name(rc),
                                     e.kusto_code[0] ? ", " : "", e.kusto_code);
        }
        if (fed_store_target_result(store, c->id, t, now, error) != 0)
            log_error("heartbeat result not stored", "cluster=%s target=%s", c->name, t->endpoint);
        if (error) {
            failures++;
            count("entityd_federation_heartbeats_failed_total", "Heartbeats a partition cluster failed to send",
                  c->name, NULL);
            log_warn("heartbeat failed", "cluster=%s target=%s database=%s table=%s error=\"%s\"", c->name, t->endpoint,
                     t->heartbeat_database, t->heartbeat_table, error);
        } else {
            count("entityd_federation_heartbeats_sent_total", "Heartbeats sent by partition clusters", c->name, NULL);
            log_debug("heartbeat sent", "cluster=%s target=%s databases=%zu", c->name, t->endpoint, ndbs);
        }
    }
    char labels[160];
    snprintf(labels, sizeof labels, "cluster=\"%s\"", c->name);
    metrics_observe("entityd_federation_heartbeat_duration_seconds",
                    "Time to collect a partition's schema and send its heartbeats", labels,
                    (double)(mono_ms() - t0) / 1000.0);
    arena_free(a);
    return failures ? -1 : 0;
}

int fed_heartbeat_run(store_t *store, const config_t *cfg, void *arg) {
    (void)cfg;
    fed_state *fs = arg;
    arena_t *a = arena_new();
    adx_cluster *cs = NULL;
    size_t n = 0;
    char err[256];
    int rc = 0;
    if (fed_store_cluster_list(store, a, &cs, &n, err, sizeof err) != 0) {
        log_error("heartbeat: cannot list clusters", "error=\"%s\"", err);
        arena_free(a);
        return -1;
    }
    for (size_t i = 0; i < n && !atomic_load(&fs->stopping); i++)
        if (cs[i].role == ADX_ROLE_PARTITION && cs[i].ntargets > 0 &&
            fed_heartbeat_cluster(fs->kusto, store, &cs[i], clock_now_ticks()) != 0)
            rc = -1;
    arena_free(a);
    return rc;
}
