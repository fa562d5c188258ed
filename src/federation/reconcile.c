/* reconcile.c -- the federated role (seed 000; seed 001 "Federated Querying"; issue 8 "Federated role"):
 * every reconcile interval, and at once on reconcileFederation, each federated cluster
 *   1. ensures its heartbeat table (.create-merge table),
 *   2. reads the live heartbeats (arg_max per ClusterEndpoint within the TTL), normalizes and merges endpoints,
 *   3. changes nothing at all when no heartbeat is live (seed 000 zero-heartbeat protection),
 *   4. keeps one {Database}_Partitions entity group per database seen live (.show entity_groups once per
 *      database and reconcile; .create / .alter only when the membership changed; ours dropped when stale),
 *   5. keeps one macro-expand function per (database, table or view) seen live, sent through
 *      `.execute database script with (ContinueOnErrors=true)` in batches under 1 MiB, only when its text
 *      changed, with each statement's result read back; ours dropped when stale,
 *   6. isolates failures: an error in one database or statement is recorded and the others go on,
 *   7. saves the status (status.c, store.c) and counts in /metrics.
 * It also checks the configured databases of every cluster (seed 001 databases: existence and retention).
 * The text of every command comes from plan.c; this file only talks to Kusto and records outcomes. */
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

/* How long a partition that stopped heartbeating stays in the status (live: false) before it is forgotten. */
#define FED_KEEP_GONE_SECS 86400

static int64_t mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

typedef struct {
    kusto_client *kc;
    store_t *store;
    const adx_cluster *c;
    kusto_target hub;
    arena_t *a;   /* the run: partitions, plan, status */
    arena_t *tmp; /* one database's answers and commands, freed after it (bounds the peak memory) */
    fed_errlist *errs;
    int64_t now;
    fed_counts *n;
    bool cancelled;
    ptrvec_t groups;    /* fed_group_status* in place after this run */
    ptrvec_t functions; /* fed_function_status* */
} rctx;

static const char *kerr(arena_t *a, kusto_code rc, const kusto_error *e) {
    return arena_printf(a, "%s (%s%s%s%s)", e->message[0] ? e->message : "no message", kusto_code_name(rc),
                        e->http_status ? arena_printf(a, ", HTTP %d", e->http_status) : "",
                        e->kusto_code[0] ? ", " : "", e->kusto_code);
}

/* One management command on the hub; the primary table in *t (may be NULL when the answer has none). */
static kusto_code mgmt(rctx *x, const char *db, const char *csl, const kusto_table **t, kusto_error *e) {
    kusto_result *r = NULL;
    x->n->commands++;
    kusto_code rc = kusto_mgmt(x->kc, &x->hub, db, csl, x->tmp, &r, e);
    if (rc == KUSTO_E_CANCELLED) x->cancelled = true;
    if (t) *t = rc == KUSTO_OK ? kusto_primary(r) : NULL;
    return rc;
}

static void metric(const char *name, const char *help, const char *cluster, const char *action, double v) {
    char labels[192];
    if (action)
        snprintf(labels, sizeof labels, "cluster=\"%s\",action=\"%s\"", cluster, action);
    else
        snprintf(labels, sizeof labels, "cluster=\"%s\"", cluster);
    metrics_counter_add(name, help, labels, v);
}

static void gauge(const char *name, const char *help, const char *cluster, double v) {
    char labels[160];
    snprintf(labels, sizeof labels, "cluster=\"%s\"", cluster);
    metrics_gauge_set(name, help, labels, v);
}

#define GROUPS_CHANGED "entityd_federation_entity_groups_changed_total"
#define GROUPS_HELP "Entity group commands that succeeded, by action (create, alter, drop)"
#define FUNCTIONS_CHANGED "entityd_federation_functions_changed_total"
#define FUNCTIONS_HELP "Federated function statements, by action (create_or_alter, drop) and failed"

/* ---- entity groups (seed 000 Task 1 and Task 4) ---- */

static void keep_group(rctx *x, const fed_want_db *w, bool changed) {
    fed_group_status *g = arena_alloc(x->a, sizeof *g);
    g->name = w->group;
    g->database = w->database;
    g->nmembers = w->nendpoints;
    g->members = arena_alloc(x->a, (w->nendpoints ? w->nendpoints : 1) * sizeof *g->members);
    for (size_t i = 0; i < w->nendpoints; i++)
        g->members[i] = fed_entity_ref(x->a, w->endpoints[i], w->database);
    g->updated_at = x->now;
    int64_t at;
    if (!changed && fed_store_group_updated(x->store, x->c->id, w->database,
                                            fed_json_strings(x->tmp, g->members, g->nmembers), &at) == 1)
        g->updated_at = at;
    ptrvec_push(x->a, &x->groups, g);
}

static void reconcile_group(rctx *x, const char *db, const fed_want_db *w) {
    const char *scope = arena_printf(x->tmp, "database %s", db);
    const kusto_table *t;
    kusto_error e;
    kusto_code rc = mgmt(x, db, ".show entity_groups", &t, &e);
    if (rc != KUSTO_OK) {
        fed_err(x->errs, scope, ".show entity_groups failed: %s", kerr(x->tmp, rc, &e));
        return;
    }
    int ni = t ? kusto_column_index(t, "Name") : -1, ei = t ? kusto_column_index(t, "Entities") : -1;
    if (ni < 0 || ei < 0) {
        fed_err(x->errs, scope, ".show entity_groups answered without Name and Entities columns");
        return;
    }
    const char *group = w ? w->group : arena_printf(x->tmp, "%s" FED_GROUP_SUFFIX, db);
    const char *entities = NULL;
    for (size_t r = 0; r < t->nrows && !entities; r++)
        if (strcmp(kusto_value_str(&t->rows[r][ni]), group) == 0) entities = kusto_value_str(&t->rows[r][ei]);
    if (!w) {
        /* Only ours: the group named after this very database, and only while heartbeats exist (the caller
         * never gets here under zero-heartbeat protection). */
        if (!entities) return;
        rc = mgmt(x, db, fed_group_drop_command(x->tmp, group), NULL, &e);
        if (rc != KUSTO_OK) {
            fed_err(x->errs, scope, "dropping stale entity group %s failed: %s", group, kerr(x->tmp, rc, &e));
            return;
        }
        x->n->groups_dropped++;
        metric(GROUPS_CHANGED, GROUPS_HELP, x->c->name, "drop", 1);
        log_info("entity group dropped", "cluster=%s database=\"%s\" group=\"%s\"", x->c->name, db, group);
        return;
    }
    const char *verb = !entities ? "create" : fed_members_equal(x->tmp, w, entities) ? NULL : "alter";
    if (verb) {
        const char *cmd = fed_group_command(x->tmp, verb, w);
        if (!cmd) {
            fed_err(x->errs, scope, "entity group %s: a member cannot be written safely: skipped", group);
            return;
        }
        rc = mgmt(x, db, cmd, NULL, &e);
        if (rc != KUSTO_OK) {
            fed_err(x->errs, scope, ".%s entity_group %s failed: %s", verb, group, kerr(x->tmp, rc, &e));
            return;
        }
        if (*verb == 'c')
            x->n->groups_created++;
        else
            x->n->groups_altered++;
        metric(GROUPS_CHANGED, GROUPS_HELP, x->c->name, verb, 1);
        log_info("entity group changed", "cluster=%s database=\"%s\" group=\"%s\" action=%s members=%zu", x->c->name,
                 db, group, verb, w->nendpoints);
    }
    keep_group(x, w, verb != NULL);
}

/* ---- functions (seeds 000/001 macro-expand facades) ---- */

typedef struct {
    const char *name;
    const fed_want_fn *fn; /* NULL: a drop */
} stmt_info;

static void keep_function(rctx *x, const fed_want_db *w, const fed_want_fn *f, bool changed) {
    fed_function_status *s = arena_alloc(x->a, sizeof *s);
    s->name = f->function;
    s->database = w->database;
    s->table = f->table;
    s->endpoints = f->endpoints;
    s->nendpoints = f->nendpoints;
    s->updated_at = x->now;
    int64_t at;
    if (!changed && fed_store_function_updated(x->store, x->c->id, w->database, f->function,
                                               fed_json_strings(x->tmp, f->endpoints, f->nendpoints), &at) == 1)
        s->updated_at = at;
    ptrvec_push(x->a, &x->functions, s);
}

/* Sends the statements in scripts and reads each statement's result (upstream ignored them). */
static void run_scripts(rctx *x, const char *db, const fed_want_db *w, const char **stmts, stmt_info *info, size_t n) {
    const char *scope = arena_printf(x->tmp, "database %s", db);
    bool *too_big = arena_alloc(x->tmp, (n ? n : 1) * sizeof *too_big);
    fed_batch *batches;
    size_t nb;
    fed_batch_statements(x->tmp, stmts, n, FED_SCRIPT_MAX_BYTES, &batches, &nb, too_big);
    for (size_t i = 0; i < n; i++)
        if (too_big[i]) {
            fed_err(x->errs, scope, "function %s: its command is %zu bytes, too big for a 1 MiB script: not sent",
                    info[i].name, strlen(stmts[i]));
            x->n->functions_failed++;
        }
    for (size_t b = 0; b < nb && !x->cancelled; b++) {
        const fed_batch *bt = &batches[b];
        const kusto_table *t;
        kusto_error e;
        x->n->scripts++;
        kusto_code rc = mgmt(x, db, bt->text, &t, &e);
        int ri = t ? kusto_column_index(t, "Result") : -1, why = t ? kusto_column_index(t, "Reason") : -1;
        const char *batch_error = NULL;
        if (rc != KUSTO_OK)
            batch_error = arena_printf(x->tmp, "script of %zu statements failed: %s", bt->count, kerr(x->tmp, rc, &e));
        else if (ri < 0)
            batch_error = arena_printf(x->tmp, "script of %zu statements answered without a Result column", bt->count);
        else if (t->nrows != bt->count)
            batch_error = arena_printf(x->tmp, "script of %zu statements answered %zu results: outcome unknown",
                                       bt->count, t->nrows);
        if (batch_error) {
            fed_err(x->errs, scope, "%s", batch_error);
            x->n->functions_failed += bt->count;
            metric(FUNCTIONS_CHANGED, FUNCTIONS_HELP, x->c->name, "failed", (double)bt->count);
            continue;
        }
        for (size_t k = 0; k < bt->count; k++) {
            const stmt_info *si = &info[bt->index[k]];
            const char *result = kusto_value_str(&t->rows[k][ri]);
            if (strcmp(result, "Completed") != 0) {
                fed_err(x->errs, scope, "%s function %s: %s: %s", si->fn ? ".create-or-alter" : ".drop", si->name,
                        *result ? result : "no result", why >= 0 ? kusto_value_str(&t->rows[k][why]) : "");
                x->n->functions_failed++;
                metric(FUNCTIONS_CHANGED, FUNCTIONS_HELP, x->c->name, "failed", 1);
                continue;
            }
            if (si->fn) {
                x->n->functions_sent++;
                metric(FUNCTIONS_CHANGED, FUNCTIONS_HELP, x->c->name, "create_or_alter", 1);
                keep_function(x, w, si->fn, true);
            } else {
                x->n->functions_dropped++;
                metric(FUNCTIONS_CHANGED, FUNCTIONS_HELP, x->c->name, "drop", 1);
                log_info("stale function dropped", "cluster=%s database=\"%s\" function=\"%s\"", x->c->name, db,
                         si->name);
            }
        }
    }
}

static bool params_empty(const char *p) {
    if (!p) return true;
    while (*p == ' ')
        p++;
    if (!*p) return true;
    if (*p++ != '(') return false;
    while (*p == ' ')
        p++;
    return *p == ')';
}

static void reconcile_functions(rctx *x, const char *db, const fed_want_db *w) {
    const char *scope = arena_printf(x->tmp, "database %s", db);
    const kusto_table *t;
    kusto_error e;
    kusto_code rc = mgmt(x, db, ".show functions", &t, &e);
    if (rc != KUSTO_OK) {
        fed_err(x->errs, scope, ".show functions failed: %s", kerr(x->tmp, rc, &e));
        return;
    }
    int ni = t ? kusto_column_index(t, "Name") : -1, bi = t ? kusto_column_index(t, "Body") : -1;
    int fi = t ? kusto_column_index(t, "Folder") : -1, di = t ? kusto_column_index(t, "DocString") : -1;
    int pi = t ? kusto_column_index(t, "Parameters") : -1;
    if (ni < 0 || bi < 0 || fi < 0) {
        fed_err(x->errs, scope, ".show functions answered without Name, Body and Folder columns");
        return;
    }
    const char *folder = adx_cluster_folder(x->c), *prefix = adx_cluster_prefix(x->c);
    bool best_effort = adx_cluster_best_effort(x->c);
    strmap_t existing;
    strmap_init(&existing, x->tmp);
    for (size_t r = 0; r < t->nrows; r++)
        strmap_put(&existing, kusto_value_str(&t->rows[r][ni]), (void *)(uintptr_t)(r + 1));
    size_t cap = (w ? w->nfns : 0) + t->nrows;
    const char **stmts = arena_alloc(x->tmp, (cap ? cap : 1) * sizeof *stmts);
    stmt_info *info = arena_alloc(x->tmp, (cap ? cap : 1) * sizeof *info);
    size_t n = 0;
    strmap_t wanted;
    strmap_init(&wanted, x->tmp);
    for (size_t i = 0; w && i < w->nfns; i++) {
        const fed_want_fn *f = &w->fns[i];
        strmap_put(&wanted, f->function, (void *)f);
        const char *body = fed_function_body(x->tmp, w, f, best_effort);
        if (!body) {
            fed_err(x->errs, scope, "function %s: a member cannot be written safely: skipped", f->function);
            continue;
        }
        const char *doc = fed_function_docstring(x->tmp, w, f);
        uintptr_t r = (uintptr_t)strmap_get(&existing, f->function);
        if (r) {
            const kusto_value *row = t->rows[r - 1];
            const char *ex_folder = kusto_value_str(&row[fi]);
            if (!fed_function_is_ours(f->function, ex_folder, folder, prefix)) {
                fed_err(x->errs, scope,
                        "function %s exists outside folder %s (folder \"%s\"): not replaced; rename it or change "
                        "macroExpand.functionPrefix",
                        f->function, folder, ex_folder);
                continue;
            }
            if (fed_body_equal(kusto_value_str(&row[bi]), body) &&
                (di < 0 || strcmp(kusto_value_str(&row[di]), doc) == 0) &&
                (pi < 0 || params_empty(kusto_value_str(&row[pi])))) {
                keep_function(x, w, f, false);
                continue;
            }
        }
        stmts[n] = fed_function_command(x->tmp, f->function, folder, doc, body);
        info[n++] = (stmt_info){f->function, f};
    }
    /* Stale: ours (our folder and prefix) whose table is no longer in any live heartbeat of this database. */
    for (size_t r = 0; r < t->nrows; r++) {
        const char *name = kusto_value_str(&t->rows[r][ni]);
        if (!fed_function_is_ours(name, kusto_value_str(&t->rows[r][fi]), folder, prefix)) continue;
        if (strmap_get(&wanted, name)) continue;
        stmts[n] = fed_function_drop_command(x->tmp, name);
        info[n++] = (stmt_info){arena_strdup(x->tmp, name), NULL};
    }
    if (n) run_scripts(x, db, w, stmts, info, n);
}

/* ---- databases (seed 001 `databases`: existence and retentionInDays) ---- */

/* Whole days of a Kusto timespan "d.hh:mm:ss[.f]" ("30.00:00:00"); -1 when not a whole number of days. */
static int timespan_days(const char *s) {
    long d = 0, h = -1, m = -1, sec = -1;
    char tail[16] = "";
    if (sscanf(s, "%ld.%ld:%ld:%ld%15s", &d, &h, &m, &sec, tail) >= 4) {
        /* with days */
    } else if (sscanf(s, "%ld:%ld:%ld%15s", &h, &m, &sec, tail) >= 3) {
        d = 0;
    } else {
        return -1;
    }
    if (h != 0 || m != 0 || sec != 0 || d < 0 || d > 100000000) return -1;
    for (const char *p = tail; *p; p++)
        if (*p != '.' && *p != '0') return -1;
    return (int)d;
}

/* The database's SoftDeletePeriod in days from `.show database X policy retention` (Policy: JSON text, or null
 * when none is set). -1 when unset or not whole days. */
static int retention_days(const kusto_table *t) {
    int pi = t ? kusto_column_index(t, "Policy") : -1;
    if (pi < 0 || t->nrows < 1) return -1;
    json_t *j = json_loads(kusto_value_str(&t->rows[0][pi]), JSON_DECODE_ANY, NULL);
    if (j && json_is_string(j)) { /* a JSON string holding the policy JSON */
        json_t *inner = json_loads(json_string_value(j), 0, NULL);
        json_decref(j);
        j = inner;
    }
    const char *sd = json_string_value(json_object_get(j, "SoftDeletePeriod"));
    int days = sd ? timespan_days(sd) : -1;
    json_decref(j);
    return days;
}

int fed_check_databases(kusto_client *kc, store_t *store, const adx_cluster *c, int64_t now, fed_errlist *errs_in) {
    if (c->ndatabases == 0) return 0;
    arena_t *a = arena_new();
    fed_errlist own;
    fed_errlist *errs = errs_in;
    if (!errs) {
        fed_errlist_init(&own, a, now);
        errs = &own;
    }
    fed_counts counts = {0};
    rctx x = {.kc = kc,
              .store = store,
              .c = c,
              .hub = adx_cluster_target(c),
              .a = a,
              .tmp = a,
              .errs = errs,
              .now = now,
              .n = &counts};
    const kusto_table *t;
    kusto_error e;
    int rc = 0;
    kusto_code kr = mgmt(&x, NULL, ".show databases", &t, &e);
    int ni = t ? kusto_column_index(t, "DatabaseName") : -1;
    if (kr != KUSTO_OK || ni < 0) {
        const char *why = kr != KUSTO_OK ? kerr(a, kr, &e) : "no DatabaseName column";
        fed_err(errs, arena_printf(a, "cluster %s", c->name), "database check: .show databases failed: %s", why);
        for (size_t i = 0; i < c->ndatabases && kr != KUSTO_E_CANCELLED; i++)
            fed_store_database_result(store, c->id, c->databases[i].name, -1, -1, now,
                                      arena_printf(a, ".show databases failed: %s", why));
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < c->ndatabases && !x.cancelled; i++) {
        const adx_database *d = &c->databases[i];
        const char *scope = arena_printf(a, "cluster %s database %s", c->name, d->name);
        bool found = false;
        for (size_t r = 0; r < t->nrows && !found; r++)
            found = strcmp(kusto_value_str(&t->rows[r][ni]), d->name) == 0;
        if (!found) {
            const char *msg = arena_printf(a,
                                           "database %s does not exist on %s: create it with the Azure management "
                                           "plane (portal, ARM, az kusto database create); entityd cannot",
                                           d->name, c->endpoint);
            fed_err(errs, scope, "%s", msg);
            fed_store_database_result(store, c->id, d->name, 0, -1, now, msg);
            rc = -1;
            continue;
        }
        buf_t b = BUF_INIT;
        buf_puts(&b, ".show database ");
        kql_append_name(&b, d->name);
        buf_puts(&b, " policy retention");
        const kusto_table *pt;
        kr = mgmt(&x, d->name, buf_cstr(&b), &pt, &e);
        buf_free(&b);
        const char *error = NULL;
        int actual = -1;
        if (kr != KUSTO_OK) {
            error = arena_printf(a, "reading the retention policy failed: %s", kerr(a, kr, &e));
        } else {
            actual = retention_days(pt);
            if (actual != d->retention_days) {
                buf_t c2 = BUF_INIT;
                buf_puts(&c2, ".alter-merge database ");
                kql_append_name(&c2, d->name);
                buf_printf(&c2, " policy retention softdelete = %dd", d->retention_days);
                kr = mgmt(&x, d->name, buf_cstr(&c2), NULL, &e);
                buf_free(&c2);
                if (kr != KUSTO_OK) {
                    error =
                        arena_printf(a, "setting retention to %d days failed: %s", d->retention_days, kerr(a, kr, &e));
                } else {
                    log_info("database retention set", "cluster=%s database=\"%s\" was=%d days=%d", c->name, d->name,
                             actual, d->retention_days);
                    actual = d->retention_days;
                }
            }
        }
        if (error) {
            fed_err(errs, scope, "%s", error);
            rc = -1;
        }
        if (!x.cancelled) fed_store_database_result(store, c->id, d->name, 1, actual, now, error);
    }
out:
    if (!errs_in && errs->count && !x.cancelled) fed_store_errors_add(store, c->id, errs->items, errs->count);
    arena_free(a);
    return x.cancelled ? -2 : rc;
}

/* ---- one federated cluster ---- */

static bool has_endpoint(const fed_partition *p, size_t n, const char *endpoint) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].endpoint, endpoint) == 0) return true;
    return false;
}

/* Status partitions: the live ones, then those seen before and now silent (live: false) for a day. Counts
 * the partitions that were live at the previous reconcile and are not now (missed heartbeats). */
static void status_partitions(rctx *x, const fed_partition *live, size_t nlive, fed_status *st) {
    fed_partition *prev = NULL;
    size_t nprev = 0;
    fed_store_partitions_load(x->store, x->a, x->c->id, &prev, &nprev);
    st->partitions = arena_alloc(x->a, ((nlive + nprev) ? (nlive + nprev) : 1) * sizeof *st->partitions);
    for (size_t i = 0; i < nlive; i++)
        st->partitions[st->npartitions++] = live[i];
    for (size_t i = 0; i < nprev; i++) {
        if (has_endpoint(live, nlive, prev[i].endpoint)) continue;
        if (prev[i].live) x->n->missed++;
        if (dt_floor_div(prev[i].last_heartbeat, DT_TICKS_PER_SEC) + FED_KEEP_GONE_SECS < x->now) continue;
        prev[i].live = false;
        st->partitions[st->npartitions++] = prev[i];
    }
}

static int cmp_cstr(const void *p, const void *q) {
    return strcmp(*(const char *const *)p, *(const char *const *)q);
}

/* The live heartbeats (issue 8 step 2): rows -> validated, normalized, merged partitions. -1 when the query
 * failed or answered a table without the heartbeat columns. */
static int read_heartbeats(rctx *x, fed_partition **out, size_t *n) {
    const adx_cluster *c = x->c;
    buf_t q = BUF_INIT;
    kql_append_name(&q, c->heartbeat_table);
    buf_puts(&q, " | where Timestamp > ago(");
    kql_append_timespan(&q, adx_cluster_ttl(c) * DT_TICKS_PER_SEC);
    buf_puts(&q, ") | summarize arg_max(Timestamp, *) by ClusterEndpoint");
    kusto_result *r = NULL;
    kusto_error e;
    x->n->commands++;
    kusto_code rc = kusto_query(x->kc, &x->hub, c->heartbeat_database, buf_cstr(&q), x->a, &r, &e);
    buf_free(&q);
    const char *scope = arena_printf(x->a, "heartbeats %s.%s", c->heartbeat_database, c->heartbeat_table);
    if (rc != KUSTO_OK) {
        if (rc == KUSTO_E_CANCELLED) x->cancelled = true;
        fed_err(x->errs, scope, "reading heartbeats failed: %s", kerr(x->a, rc, &e));
        return -1;
    }
    const kusto_table *t = kusto_primary(r);
    int ci = t ? kusto_column_index(t, "ClusterEndpoint") : -1, ti = t ? kusto_column_index(t, "Timestamp") : -1;
    int si = t ? kusto_column_index(t, "Schema") : -1, mi = t ? kusto_column_index(t, "PartitionMetadata") : -1;
    if (ci < 0 || ti < 0 || si < 0) {
        fed_err(x->errs, scope, "the heartbeat query answered without ClusterEndpoint, Timestamp and Schema");
        return -1;
    }
    if (t->nrows > FED_MAX_PARTITIONS) {
        fed_err(x->errs, scope, "%zu live heartbeats, more than %d: nothing changed", t->nrows, FED_MAX_PARTITIONS);
        return -1;
    }
    fed_partition *p = arena_alloc(x->a, (t->nrows ? t->nrows : 1) * sizeof *p);
    size_t k = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        const kusto_value *row = t->rows[i];
        if (row[ti].type != KUSTO_T_DATETIME) {
            fed_err(x->errs, scope, "row %zu has no Timestamp: skipped", i);
            continue;
        }
        const char *schema = row[si].type == KUSTO_T_NULL ? NULL : kusto_value_str(&row[si]);
        if (fed_parse_heartbeat(x->a, kusto_value_str(&row[ci]), row[ti].i, schema, schema ? strlen(schema) : 0,
                                mi >= 0 && row[mi].type != KUSTO_T_NULL ? kusto_value_str(&row[mi]) : NULL, &p[k],
                                x->errs) == 0)
            k++;
    }
    *out = p;
    *n = fed_merge_partitions(p, k);
    return 0;
}

static void finish_metrics(const adx_cluster *c, const fed_counts *n, bool ok, bool zero, double secs) {
    metric("entityd_federation_reconcile_runs_total", "Federation reconciles, by federated cluster", c->name, NULL, 1);
    if (!ok)
        metric("entityd_federation_reconcile_failures_total",
               "Federation reconciles that failed before changing anything", c->name, NULL, 1);
    if (n->missed)
        metric("entityd_federation_missed_heartbeats_total",
               "Partitions live at the previous reconcile whose heartbeat is no longer live", c->name, NULL,
               (double)n->missed);
    gauge("entityd_federation_live_partitions", "Partitions with a live heartbeat at the last reconcile", c->name,
          (double)n->live_partitions);
    gauge("entityd_federation_zero_heartbeat_protection",
          "1 when the last reconcile found no live heartbeat and changed nothing", c->name, zero ? 1 : 0);
    char labels[160];
    snprintf(labels, sizeof labels, "cluster=\"%s\"", c->name);
    metrics_observe("entityd_federation_reconcile_duration_seconds", "Time of one federation reconcile", labels, secs);
}

int fed_reconcile_cluster(kusto_client *kc, store_t *store, const adx_cluster *c, int64_t now, fed_counts *counts) {
    if (c->role != ADX_ROLE_FEDERATED || !c->heartbeat_database || !c->heartbeat_table) return 0;
    fed_counts local = {0};
    if (!counts) counts = &local;
    memset(counts, 0, sizeof *counts);
    arena_t *a = arena_new();
    int64_t t0 = mono_ms();
    fed_errlist errs;
    fed_errlist_init(&errs, a, now);
    rctx x = {.kc = kc,
              .store = store,
              .c = c,
              .hub = adx_cluster_target(c),
              .a = a,
              .tmp = a,
              .errs = &errs,
              .now = now,
              .n = counts};
    fed_status st = {.cluster_id = c->id, .last_reconcile_at = now, .ok = true};
    bool keep_objects = true;
    int rc = 0;

    /* 1. The heartbeat table (partitions never create it). */
    buf_t b = BUF_INIT;
    buf_puts(&b, ".create-merge table ");
    kql_append_name(&b, c->heartbeat_table);
    buf_puts(&b, " (Timestamp:datetime, ClusterEndpoint:string, Schema:dynamic, PartitionMetadata:dynamic)");
    kusto_error e;
    kusto_code kr = mgmt(&x, c->heartbeat_database, buf_cstr(&b), NULL, &e);
    buf_free(&b);
    fed_partition *live = NULL;
    size_t nlive = 0;
    if (kr != KUSTO_OK) {
        fed_err(&errs, arena_printf(a, "heartbeats %s.%s", c->heartbeat_database, c->heartbeat_table),
                "ensuring the heartbeat table failed: %s", kerr(a, kr, &e));
        goto failed;
    }
    /* 2. Live heartbeats. */
    if (read_heartbeats(&x, &live, &nlive) != 0) goto failed;
    counts->live_partitions = nlive;
    status_partitions(&x, live, nlive, &st);

    /* 3. Zero-heartbeat protection (seed 000 Task 4): no live heartbeat -> change nothing, drop nothing. Live
     * heartbeats that list no database at all (a partition that cannot read its own schema, every row's Schema
     * refused) would otherwise drop every group and function just the same: protected too (upstream only logs
     * a warning for that case; the safer behaviour wins). */
    fed_plan plan;
    fed_plan_build(a, live, nlive, adx_cluster_prefix(c), &plan, &errs);
    if (nlive == 0 || plan.ndbs == 0) {
        st.zero_heartbeat_protection = true;
        if (nlive == 0)
            log_warn("federation: no live heartbeat; nothing changed (zero-heartbeat protection)",
                     "cluster=%s table=%s.%s ttl=%lld", c->name, c->heartbeat_database, c->heartbeat_table,
                     (long long)adx_cluster_ttl(c));
        else
            log_warn("federation: live heartbeats list no database; nothing changed (zero-heartbeat protection)",
                     "cluster=%s live=%zu", c->name, nlive);
        fed_check_databases(kc, store, c, now, &errs);
        goto save;
    }

    /* 4-6. Per hub database, isolated. */
    const kusto_table *dbt;
    kr = mgmt(&x, NULL, ".show databases", &dbt, &e);
    int ni = dbt ? kusto_column_index(dbt, "DatabaseName") : -1;
    if (kr != KUSTO_OK || ni < 0) {
        fed_err(&errs, arena_printf(a, "cluster %s", c->name), ".show databases failed: %s",
                kr != KUSTO_OK ? kerr(a, kr, &e) : "no DatabaseName column");
        goto failed;
    }
    size_t nhub = dbt->nrows;
    const char **dbs = arena_alloc(a, ((nhub + plan.ndbs) ? (nhub + plan.ndbs) : 1) * sizeof *dbs);
    strmap_t on_hub;
    strmap_init(&on_hub, a);
    size_t ndbs = 0;
    for (size_t i = 0; i < nhub; i++) {
        const char *name = kusto_value_str(&dbt->rows[i][ni]);
        if (!*name || strmap_get(&on_hub, name)) continue;
        strmap_put(&on_hub, name, (void *)name);
        dbs[ndbs++] = name;
    }
    for (size_t i = 0; i < plan.ndbs; i++) {
        const fed_want_db *w = &plan.dbs[i];
        if (strmap_get(&on_hub, w->database)) continue;
        fed_err(&errs, arena_printf(a, "database %s", w->database),
                "database %s is in the heartbeats of %zu partition(s) but does not exist on %s: its entity group and "
                "%zu function(s) are skipped (create the database with the Azure management plane)",
                w->database, w->nendpoints, c->endpoint, w->nfns);
    }
    qsort(dbs, ndbs, sizeof *dbs, cmp_cstr);
    for (size_t i = 0; i < ndbs && !x.cancelled; i++) {
        const fed_want_db *w = fed_plan_db(&plan, dbs[i]);
        x.tmp = arena_new();
        reconcile_group(&x, dbs[i], w);
        if (!x.cancelled) reconcile_functions(&x, dbs[i], w);
        arena_free(x.tmp);
        x.tmp = a;
    }
    if (x.cancelled) goto cancelled;
    fed_check_databases(kc, store, c, now, &errs);
    keep_objects = false;
    goto save;

failed:
    if (x.cancelled) goto cancelled;
    rc = -1;
    st.ok = false;
    /* The previous partitions keep their live flag: this run learned nothing new about them. */
    fed_store_partitions_load(store, a, c->id, &st.partitions, &st.npartitions);
    counts->missed = 0;
save:
    if (x.cancelled) goto cancelled;
    st.duration_ms = mono_ms() - t0;
    st.groups = arena_alloc(a, (x.groups.count ? x.groups.count : 1) * sizeof *st.groups);
    for (size_t i = 0; i < x.groups.count; i++)
        st.groups[st.ngroups++] = *(fed_group_status *)x.groups.items[i];
    st.functions = arena_alloc(a, (x.functions.count ? x.functions.count : 1) * sizeof *st.functions);
    for (size_t i = 0; i < x.functions.count; i++)
        st.functions[st.nfunctions++] = *(fed_function_status *)x.functions.items[i];
    if (errs.dropped) {
        errs.count = errs.count ? errs.count - 1 : 0; /* room for the summary */
        size_t dropped = errs.dropped + 1;
        errs.dropped = 0;
        fed_err(&errs, "federation", "%zu more errors in this reconcile were not kept", dropped);
    }
    st.errors = errs.items;
    st.nerrors = errs.count;
    if (fed_store_status_save(store, &st, keep_objects) != 0) {
        log_error("federation status not saved", "cluster=%s", c->name);
        rc = -1;
    }
    finish_metrics(c, counts, rc == 0, st.zero_heartbeat_protection, (double)st.duration_ms / 1000.0);
    if (errs.count)
        metric("entityd_federation_errors_total", "Errors recorded by federation reconciles", c->name, NULL,
               (double)errs.count);
    log_msg(rc == 0 && errs.count == 0 ? LOG_INFO : LOG_WARN, "federation reconcile",
            "cluster=%s ok=%s live=%zu missed=%zu zero_heartbeat_protection=%s groups_created=%zu groups_altered=%zu "
            "groups_dropped=%zu functions_sent=%zu functions_dropped=%zu functions_failed=%zu scripts=%zu "
            "commands=%zu errors=%zu ms=%lld",
            c->name, rc == 0 ? "true" : "false", counts->live_partitions, counts->missed,
            st.zero_heartbeat_protection ? "true" : "false", counts->groups_created, counts->groups_altered,
            counts->groups_dropped, counts->functions_sent, counts->functions_dropped, counts->functions_failed,
            counts->scripts, counts->commands, errs.count, (long long)st.duration_ms);
    arena_free(a);
    return rc;
cancelled:
    log_info("federation reconcile interrupted by shutdown", "cluster=%s", c->name);
    arena_free(a);
    return -2;
}

int fed_reconcile_run(store_t *store, const config_t *cfg, void *arg) {
    (void)cfg;
    fed_state *fs = arg;
    pthread_mutex_lock(&fs->mu);
    uint64_t run = ++fs->runs_started;
    pthread_mutex_unlock(&fs->mu);
    arena_t *a = arena_new();
    adx_cluster *cs = NULL;
    size_t n = 0;
    char err[256];
    int rc = 0;
    if (fed_store_cluster_list(store, a, &cs, &n, err, sizeof err) != 0) {
        log_error("reconcile: cannot list clusters", "error=\"%s\"", err);
        rc = -1;
    }
    for (size_t i = 0; i < n && !atomic_load(&fs->stopping); i++) {
        int r = 0;
        if (cs[i].role == ADX_ROLE_FEDERATED)
            r = fed_reconcile_cluster(fs->kusto, store, &cs[i], clock_now(), NULL);
        else if (cs[i].ndatabases > 0)
            r = fed_check_databases(fs->kusto, store, &cs[i], clock_now(), NULL);
        if (r == -2) break;
        if (r != 0) rc = -1;
    }
    arena_free(a);
    pthread_mutex_lock(&fs->mu);
    fs->runs_done = run;
    pthread_cond_broadcast(&fs->cv);
    pthread_mutex_unlock(&fs->mu);
    return rc;
}
