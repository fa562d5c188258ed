/* resolvers.c -- the GraphQL side of SummaryRules (schema/summaryrules.graphql; issue 9): Adx.summaryRules,
 * Adx.summaryRule, the SummaryRule fields, upsertSummaryRule, deleteSummaryRule,
 * startSummaryRuleBackfill, cancelSummaryRuleBackfill, and the module descriptor summaryrules_module
 * (its worker runs scheduler.c's tick every --summary-interval seconds). Reading needs an API key;
 * every mutation an ADMIN key (notes/adx-shared-contract.md). Bad input comes back in the payload's
 * errors, one per field, never as a GraphQL error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "context.h"
#include "federation/clusters.h"
#include "summaryrules/scheduler.h"
#include "summaryrules/store.h"
#include "util/clock.h"
#include "util/duration.h"
#include "util/log.h"

static request_ctx *ctx_of(gql_resolve_info *info) {
    return (request_ctx *)info->context;
}

static int internal_error(gql_resolve_info *info, const char *what) {
    log_error("summaryrules request failed", "what=\"%s\"", what);
    return gql_resolver_error(info, GQL_CODE_INTERNAL, "internal error while %s", what);
}

static sr_module_state *module_of(gql_resolve_info *info) {
    return app_state(ctx_of(info)->app, &summaryrules_module);
}

/* Wakes the scheduler so a change shows up in Kusto without waiting a whole tick. */
static void kick(gql_resolve_info *info) {
    sr_module_state *m = module_of(info);
    if (m && m->worker) worker_kick(m->worker);
}

static gql_val time_val(arena_t *a, int64_t ticks) {
    if (ticks == SR_NONE) return gql_null();
    char buf[DT_MAX];
    if (!sr_format_time(ticks, buf)) return gql_null();
    return gql_str_dup(a, buf);
}

static gql_val window_val(arena_t *a, sr_window w) {
    gql_val m = gql_map(a, 2);
    gql_map_set(a, &m, "start", time_val(a, w.start));
    gql_map_set(a, &m, "end", time_val(a, w.end));
    return m;
}

/* ---- SummaryRule values ---- */

/* What a SummaryRule field resolves from: the row, read once per request. */
typedef struct {
    sr_rule rule;
    store_t *store;
    bool skipped;
} sr_view;

static gql_val rule_val(gql_resolve_info *info, const sr_rule *r) {
    sr_view *v = arena_alloc(info->arena, sizeof *v);
    v->rule = *r;
    v->store = ctx_of(info)->store;
    sr_module_state *m = module_of(info);
    v->skipped = m && !sr_criteria_match(r->criteria, &m->labels);
    return gql_object(v, NULL);
}

enum sr_field {
    SF_NAME = 1,
    SF_CLUSTER,
    SF_DATABASE,
    SF_TABLE,
    SF_BODY,
    SF_INTERVAL,
    SF_DELAY,
    SF_CRITERIA,
    SF_LAST_SUCCESS,
    SF_NEXT_WINDOW,
    SF_OPERATIONS,
    SF_BACKFILL,
    SF_SKIPPED,
    SF_LAST_ERROR,
    SF_LAST_ERROR_AT,
    SF_CREATED,
    SF_UPDATED
};

#define SF(x) ((const void *)(intptr_t)(x))

static gql_val backfill_val(arena_t *a, const sr_rule *r) {
    const sr_backfill *b = &r->bf;
    gql_val m = gql_map(a, 8);
    gql_map_set(a, &m, "start", time_val(a, b->start));
    gql_map_set(a, &m, "end", time_val(a, b->end));
    gql_map_set(a, &m, "operationId", gql_str(b->operation_id));
    gql_val current = gql_null();
    if (b->operation_id && b->op_window.start != SR_NONE)
        current = window_val(a, b->op_window);
    else if (b->start < b->end)
        current = window_val(a, sr_backfill_window(b->start, b->end, r->interval_s * SR_TICKS));
    gql_map_set(a, &m, "currentWindow", current);
    gql_map_set(a, &m, "progress", gql_float(sr_progress(b->requested_start, b->start, b->end)));
    gql_map_set(a, &m, "requestedStart", time_val(a, b->requested_start));
    gql_map_set(a, &m, "state", gql_enum(b->state));
    gql_map_set(a, &m, "message", gql_str(b->message));
    return m;
}

static int rule_operations(gql_resolve_info *info, const sr_view *v, gql_val *out) {
    sr_operation *ops;
    size_t n;
    if (sr_store_operations(v->store, info->arena, v->rule.id, &ops, &n) != 0)
        return internal_error(info, "reading operations");
    arena_t *a = info->arena;
    *out = gql_list(a, n);
    for (size_t i = 0; i < n; i++) {
        gql_val m = gql_map(a, 7);
        gql_map_set(a, &m, "operationId", gql_str(ops[i].operation_id));
        gql_map_set(a, &m, "window", window_val(a, ops[i].window));
        gql_map_set(a, &m, "state", gql_str(ops[i].state));
        gql_map_set(a, &m, "submittedAt", time_val(a, ops[i].submitted_at));
        gql_map_set(a, &m, "message", gql_str(ops[i].message));
        gql_map_set(a, &m, "kind", gql_enum(ops[i].kind));
        gql_map_set(a, &m, "updatedAt", time_val(a, ops[i].updated_at));
        out->list.items[i] = m;
    }
    return 0;
}

/* nextWindow: the oldest window waiting for a retry, else the window at the position (on the first run
 * the one sr_first_window gives for now). */
static int rule_next_window(gql_resolve_info *info, const sr_view *v, gql_val *out) {
    const sr_rule *r = &v->rule;
    *out = gql_null();
    if (v->skipped) return 0;
    sr_window w;
    int rc = r->nwindows > 0 ? sr_store_first_waiting_window(v->store, r->id, &w) : 1;
    if (rc < 0) return internal_error(info, "reading windows");
    if (rc == 1) {
        int64_t iv = r->interval_s * SR_TICKS;
        int64_t delay = r->delay_s == SR_NONE ? 0 : r->delay_s * SR_TICKS;
        w = r->next_start != SR_NONE ? sr_next_window(r->next_start, iv)
                                     : sr_first_window(clock_now_ticks(), iv, delay);
    }
    *out = window_val(info->arena, w);
    return 0;
}

static int rule_field(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const sr_view *v = parent->obj.ptr;
    const sr_rule *r = &v->rule;
    arena_t *a = info->arena;
    switch ((enum sr_field)(intptr_t)info->field->resolve_data) {
    case SF_NAME:
        *out = gql_str(r->name);
        break;
    case SF_CLUSTER:
        *out = gql_str(r->cluster_name ? r->cluster_name : "");
        break;
    case SF_DATABASE:
        *out = gql_str(r->database);
        break;
    case SF_TABLE:
        *out = gql_str(r->table);
        break;
    case SF_BODY:
        *out = gql_str(r->body);
        break;
    case SF_INTERVAL:
        *out = gql_int(r->interval_s);
        break;
    case SF_DELAY:
        *out = r->delay_s == SR_NONE ? gql_null() : gql_int(r->delay_s);
        break;
    case SF_CRITERIA:
        *out = gql_raw_json(r->criteria);
        break;
    case SF_LAST_SUCCESS:
        *out = time_val(a, r->last_success_end);
        break;
    case SF_NEXT_WINDOW:
        return rule_next_window(info, v, out);
    case SF_OPERATIONS:
        return rule_operations(info, v, out);
    case SF_BACKFILL:
        *out = r->has_backfill ? backfill_val(a, r) : gql_null();
        break;
    case SF_SKIPPED:
        *out = gql_bool(v->skipped);
        break;
    case SF_LAST_ERROR:
        *out = gql_str(r->last_error);
        break;
    case SF_LAST_ERROR_AT:
        *out = time_val(a, r->last_error_at);
        break;
    case SF_CREATED:
        *out = time_val(a, r->created_at * SR_TICKS);
        break;
    case SF_UPDATED:
        *out = time_val(a, r->updated_at * SR_TICKS);
        break;
    default:
        return internal_error(info, "resolving a SummaryRule field");
    }
    return 0;
}

/* ---- queries ---- */

static int adx_summary_rules(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    (void)args;
    if (auth_require_level(info, AUTH_NONE) < 0) return -1;
    sr_rule *rules;
    size_t n;
    if (sr_store_rules(ctx_of(info)->store, info->arena, &rules, &n) != 0) return internal_error(info, "listing rules");
    *out = gql_list(info->arena, n);
    for (size_t i = 0; i < n; i++)
        out->list.items[i] = rule_val(info, &rules[i]);
    return 0;
}

static int adx_summary_rule(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    if (auth_require_level(info, AUTH_NONE) < 0) return -1;
    const char *name = gql_arg_str(args, "name");
    sr_rule r;
    int rc = name ? sr_store_rule(ctx_of(info)->store, info->arena, name, &r) : 1;
    if (rc < 0) return internal_error(info, "reading a rule");
    *out = rc == 0 ? rule_val(info, &r) : gql_null();
    return 0;
}

/* ---- payloads ---- */

typedef struct {
    arena_t *arena;
    gql_val items[16];
    size_t n;
} sr_errors;

static void add_error(void *ctx, const char *field, const char *message) {
    sr_errors *e = ctx;
    if (e->n == sizeof e->items / sizeof e->items[0]) return;
    gql_val m = gql_map(e->arena, 2);
    gql_map_set(e->arena, &m, "message", gql_str_dup(e->arena, message));
    gql_map_set(e->arena, &m, "field", gql_str_dup(e->arena, field));
    e->items[e->n++] = m;
}

static void add_errorf(sr_errors *e, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add_errorf(sr_errors *e, const char *field, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(e->arena, fmt, ap);
    va_end(ap);
    add_error(e, field, msg);
}

static gql_val payload(sr_errors *e, const char *key, gql_val object) {
    arena_t *a = e->arena;
    gql_val m = gql_map(a, 3);
    if (key) gql_map_set(a, &m, key, e->n ? gql_null() : object);
    gql_map_set(a, &m, "success", gql_bool(e->n == 0));
    gql_val list = gql_list(a, e->n);
    for (size_t i = 0; i < e->n; i++)
        list.list.items[i] = e->items[i];
    gql_map_set(a, &m, "errors", list);
    return m;
}

/* The rule after a change, for the payload. */
static gql_val reread(gql_resolve_info *info, sr_errors *e, const char *name) {
    sr_rule r;
    int rc = sr_store_rule(ctx_of(info)->store, info->arena, name, &r);
    if (rc == 0) return rule_val(info, &r);
    add_error(e, NULL, rc < 0 ? "internal error while reading the rule back" : "the rule was deleted meanwhile");
    return gql_null();
}

/* A string argument or input field: NULL when absent or null; *bad when it holds a NUL character
 * (it would be cut short silently otherwise). */
static const char *str_of(arena_t *a, const gql_val *map, const char *key, bool *bad) {
    const gql_val *v = gql_map_get(map, key);
    if (gql_is_null(v) || (v->kind != GQL_V_STRING && v->kind != GQL_V_ENUM)) return NULL;
    if (memchr(v->s.ptr, '\0', v->s.len)) *bad = true;
    return arena_strndup(a, v->s.ptr, v->s.len);
}

/* ---- upsertSummaryRule ---- */

static int upsert_rule(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    request_ctx *ctx = ctx_of(info);
    arena_t *a = info->arena;
    sr_errors e = {.arena = a};
    const gql_val *input = gql_map_get(args, "input");
    sr_rule_input in = {.interval_s = -1, .ingestion_delay_s = -1};
    static const char *const strings[] = {"name", "cluster", "database", "table", "body"};
    const char **dst[] = {&in.name, &in.cluster, &in.database, &in.table, &in.body};
    for (size_t i = 0; i < 5; i++) {
        bool bad = false;
        *dst[i] = str_of(a, input, strings[i], &bad);
        if (bad) {
            add_errorf(&e, arena_printf(a, "input.%s", strings[i]), "%s must not contain NUL characters", strings[i]);
            *dst[i] = NULL;
        }
    }
    int64_t v;
    if (gql_arg_int(input, "interval", &v)) in.interval_s = v;
    if (gql_arg_int(input, "ingestionDelay", &v)) in.ingestion_delay_s = v;
    const gql_val *criteria = gql_map_get(input, "criteria");
    char *norm = NULL;
    if (!gql_is_null(criteria)) {
        buf_t b = BUF_INIT;
        if (gql_val_write_json(criteria, &b) == 0)
            in.criteria_json = arena_strdup(a, buf_cstr(&b));
        else
            add_error(&e, "input.criteria", "criteria must be a JSON object");
        buf_free(&b);
    }
    sr_rule_validate(&in, add_error, &e);
    /* The cluster is looked up whatever else is wrong, so that every bad field is reported at once. */
    adx_cluster_ref cluster = {0};
    if (in.cluster && *in.cluster) {
        char err[256] = "";
        int rc = adx_cluster_lookup(ctx->store, a, in.cluster, &cluster, err, sizeof err);
        if (rc == 1) add_errorf(&e, "input.cluster", "no AdxCluster named \"%s\" (see adx.clusters)", in.cluster);
        if (rc < 0) {
            log_error("summaryrules cluster lookup failed", "error=\"%s\"", err);
            add_error(&e, "input.cluster", "internal error while reading the cluster");
        }
    }
    if (e.n == 0 && in.criteria_json) {
        char err[256];
        if (sr_criteria_normalize(in.criteria_json, &norm, err, sizeof err) != 0) add_error(&e, "input.criteria", err);
    }
    if (e.n == 0) {
        sr_rule_def d = {.name = in.name,
                         .cluster_id = cluster.id,
                         .database = in.database,
                         .table = in.table,
                         .body = in.body,
                         .interval_s = in.interval_s,
                         .delay_s = in.ingestion_delay_s < 0 ? SR_NONE : in.ingestion_delay_s,
                         .criteria = norm};
        bool created = false;
        char err[256] = "";
        if (store_begin(ctx->store) != 0 ||
            sr_store_rule_upsert(ctx->store, &d, clock_now(), &created, err, sizeof err) != 0 ||
            store_commit(ctx->store) != 0) {
            store_rollback(ctx->store);
            add_error(&e, NULL, "internal error while storing the rule");
        } else {
            log_info("summaryrule stored", "rule=%s created=%s", in.name, created ? "true" : "false");
        }
    }
    free(norm);
    gql_val rule = e.n == 0 ? reread(info, &e, in.name) : gql_null();
    if (e.n == 0) kick(info);
    *out = payload(&e, "rule", rule);
    return 0;
}

/* ---- deleteSummaryRule ---- */

static int delete_rule(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    sr_errors e = {.arena = info->arena};
    const char *name = gql_arg_str(args, "name");
    int rc = name ? sr_store_rule_delete(ctx_of(info)->store, name) : 1;
    if (rc == 1) add_errorf(&e, "name", "no SummaryRule named \"%s\"", name ? name : "");
    if (rc < 0) add_error(&e, NULL, "internal error while deleting the rule");
    if (rc == 0) log_info("summaryrule deleted", "rule=%s", name);
    *out = payload(&e, NULL, gql_null());
    return 0;
}

/* ---- backfill ---- */

/* A DateTime argument (already RFC 3339 UTC from the scalar) in ticks; digits beyond the seventh
 * fraction digit must be zeros, since Kusto cannot represent them. 0, or -1. */
static int ticks_arg(const gql_val *args, const char *key, int64_t *out) {
    const char *s = gql_arg_str(args, key);
    dt_instant t;
    if (!s || dt_parse(s, strlen(s), 0, &t) != 0) return -1;
    for (size_t i = 7; i < t.nfrac; i++)
        if (t.frac[i] != '0') return -1;
    *out = dt_ticks(&t);
    return 0;
}

/* Issue 9 "Backfill": RFC 3339, start < end, start no older than 30 days, end not after now −
 * ingestionDelay, aligned to the interval (an unaligned range is refused naming the aligned range),
 * at most one per rule. */
static int start_backfill(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    request_ctx *ctx = ctx_of(info);
    arena_t *a = info->arena;
    sr_errors e = {.arena = a};
    const char *name = gql_arg_str(args, "name");
    sr_rule r;
    int rc = name ? sr_store_rule(ctx->store, a, name, &r) : 1;
    if (rc < 0) return internal_error(info, "reading a rule");
    if (rc == 1) add_errorf(&e, "name", "no SummaryRule named \"%s\"", name ? name : "");
    int64_t start = 0, end = 0;
    if (ticks_arg(args, "start", &start) != 0)
        add_error(&e, "start", "start must be an RFC 3339 date-time with at most 7 fraction digits");
    if (ticks_arg(args, "end", &end) != 0)
        add_error(&e, "end", "end must be an RFC 3339 date-time with at most 7 fraction digits");
    if (e.n == 0) {
        int64_t now = clock_now_ticks();
        int64_t iv = r.interval_s * SR_TICKS;
        int64_t delay = r.delay_s == SR_NONE ? 0 : r.delay_s * SR_TICKS;
        sr_window s = {0, 0};
        char t1[DT_MAX], t2[DT_MAX], ivs[DURATION_MAX];
        duration_format(r.interval_s, ivs);
        switch (sr_backfill_check(start, end, now, iv, delay, &s)) {
        case SR_BF_OK:
            break;
        case SR_BF_ORDER:
            add_error(&e, "end", "end must be after start");
            break;
        case SR_BF_TOO_OLD:
            sr_format_time(now - (int64_t)SR_BACKFILL_MAX_AGE_S * SR_TICKS, t1);
            add_errorf(&e, "start", "start must be at most %d days ago (not before %s)", SR_BACKFILL_MAX_AGE_S / 86400,
                       t1);
            break;
        case SR_BF_TOO_NEW:
            sr_format_time(now - delay, t1);
            add_errorf(&e, "end", "end must not be after now minus the rule's ingestionDelay (%s)", t1);
            break;
        case SR_BF_UNALIGNED:
            sr_format_time(s.start, t1);
            sr_format_time(s.end, t2);
            if (s.start < s.end)
                add_errorf(&e, sr_align_floor(start, iv) != start ? "start" : "end",
                           "start and end must be multiples of the interval %s counted from 1970-01-01T00:00:00Z: "
                           "use start %s and end %s",
                           ivs, t1, t2);
            else
                add_errorf(&e, sr_align_floor(start, iv) != start ? "start" : "end",
                           "start and end must be multiples of the interval %s counted from 1970-01-01T00:00:00Z, "
                           "and no whole window of %s fits in the allowed part of this range",
                           ivs, ivs);
            break;
        }
    }
    if (e.n == 0) {
        if (store_begin(ctx->store) != 0) return internal_error(info, "starting a backfill");
        rc = sr_store_backfill_start(ctx->store, r.id, start, end, clock_now());
        if (rc < 0 || store_commit(ctx->store) != 0) {
            store_rollback(ctx->store);
            return internal_error(info, "starting a backfill");
        }
        if (rc == 1) {
            char t1[DT_MAX], t2[DT_MAX];
            sr_format_time(r.bf.requested_start, t1);
            sr_format_time(r.bf.end, t2);
            add_errorf(&e, "name", "SummaryRule \"%s\" already has a running backfill (%s to %s): cancel it first",
                       name, t1, t2);
        } else {
            log_info("summaryrule backfill started", "rule=%s", name);
        }
    }
    gql_val rule = e.n == 0 ? reread(info, &e, name) : gql_null();
    if (e.n == 0) kick(info);
    *out = payload(&e, "rule", rule);
    return 0;
}

static int cancel_backfill(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    request_ctx *ctx = ctx_of(info);
    sr_errors e = {.arena = info->arena};
    const char *name = gql_arg_str(args, "name");
    sr_rule r;
    int rc = name ? sr_store_rule(ctx->store, info->arena, name, &r) : 1;
    if (rc < 0) return internal_error(info, "reading a rule");
    if (rc == 1) add_errorf(&e, "name", "no SummaryRule named \"%s\"", name ? name : "");
    if (e.n == 0) {
        if (store_begin(ctx->store) != 0) return internal_error(info, "cancelling a backfill");
        rc = sr_store_backfill_cancel(ctx->store, r.id, clock_now_ticks());
        if (rc < 0 || store_commit(ctx->store) != 0) {
            store_rollback(ctx->store);
            return internal_error(info, "cancelling a backfill");
        }
        if (rc == 1)
            add_errorf(&e, "name", "SummaryRule \"%s\" has no backfill", name);
        else
            log_info("summaryrule backfill cancelled", "rule=%s operation_in_flight=%s", name,
                     r.has_backfill && r.bf.operation_id ? r.bf.operation_id : "none");
    }
    gql_val rule = e.n == 0 ? reread(info, &e, name) : gql_null();
    *out = payload(&e, "rule", rule);
    return 0;
}

/* ---- bindings and module ---- */

static const gql_binding sr_bindings[] = {
    {"Adx.summaryRules", adx_summary_rules, NULL},
    {"Adx.summaryRule", adx_summary_rule, NULL},
    {"Mutation.upsertSummaryRule", upsert_rule, NULL},
    {"Mutation.deleteSummaryRule", delete_rule, NULL},
    {"Mutation.startSummaryRuleBackfill", start_backfill, NULL},
    {"Mutation.cancelSummaryRuleBackfill", cancel_backfill, NULL},
    {"SummaryRule.name", rule_field, SF(SF_NAME)},
    {"SummaryRule.cluster", rule_field, SF(SF_CLUSTER)},
    {"SummaryRule.database", rule_field, SF(SF_DATABASE)},
    {"SummaryRule.table", rule_field, SF(SF_TABLE)},
    {"SummaryRule.body", rule_field, SF(SF_BODY)},
    {"SummaryRule.interval", rule_field, SF(SF_INTERVAL)},
    {"SummaryRule.ingestionDelay", rule_field, SF(SF_DELAY)},
    {"SummaryRule.criteria", rule_field, SF(SF_CRITERIA)},
    {"SummaryRule.lastSuccessfulWindowEnd", rule_field, SF(SF_LAST_SUCCESS)},
    {"SummaryRule.nextWindow", rule_field, SF(SF_NEXT_WINDOW)},
    {"SummaryRule.operations", rule_field, SF(SF_OPERATIONS)},
    {"SummaryRule.backfill", rule_field, SF(SF_BACKFILL)},
    {"SummaryRule.skipped", rule_field, SF(SF_SKIPPED)},
    {"SummaryRule.lastError", rule_field, SF(SF_LAST_ERROR)},
    {"SummaryRule.lastErrorAt", rule_field, SF(SF_LAST_ERROR_AT)},
    {"SummaryRule.createdAt", rule_field, SF(SF_CREATED)},
    {"SummaryRule.updatedAt", rule_field, SF(SF_UPDATED)},
    GQL_BIND_PROPERTY("TimeWindow.start"),
    GQL_BIND_PROPERTY("TimeWindow.end"),
    GQL_BIND_PROPERTY("AsyncOperation.operationId"),
    GQL_BIND_PROPERTY("AsyncOperation.window"),
    GQL_BIND_PROPERTY("AsyncOperation.state"),
    GQL_BIND_PROPERTY("AsyncOperation.submittedAt"),
    GQL_BIND_PROPERTY("AsyncOperation.message"),
    GQL_BIND_PROPERTY("AsyncOperation.kind"),
    GQL_BIND_PROPERTY("AsyncOperation.updatedAt"),
    GQL_BIND_PROPERTY("Backfill.start"),
    GQL_BIND_PROPERTY("Backfill.end"),
    GQL_BIND_PROPERTY("Backfill.operationId"),
    GQL_BIND_PROPERTY("Backfill.currentWindow"),
    GQL_BIND_PROPERTY("Backfill.progress"),
    GQL_BIND_PROPERTY("Backfill.requestedStart"),
    GQL_BIND_PROPERTY("Backfill.state"),
    GQL_BIND_PROPERTY("Backfill.message"),
    GQL_BIND_PROPERTY("SummaryRulePayload.rule"),
    GQL_BIND_PROPERTY("SummaryRulePayload.success"),
    GQL_BIND_PROPERTY("SummaryRulePayload.errors"),
};

/* Refuses to start without the app's Kusto client (main.c creates it before the modules). */
static int sr_module_init(app_t *app, void **state, char *err, size_t errlen) {
    if (!app->kusto) {
        snprintf(err, errlen,
                 "the Kusto client is not available (app->kusto is NULL): SummaryRules cannot run "
                 "without it");
        return -1;
    }
    sr_module_state *m = calloc(1, sizeof *m);
    if (!m || sr_labels_parse(app->cfg->cluster_labels, &m->labels) != 0) {
        free(m);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    m->cfg = app->cfg;
    m->kusto = app->kusto;
    *state = m;
    return 0;
}

static int sr_module_start(app_t *app, void *state, char *err, size_t errlen) {
    sr_module_state *m = state;
    m->worker = worker_start("summaryrules", app->cfg->db_path, app->cfg, app->cfg->summary_interval, sr_worker_run, m);
    if (!m->worker) {
        snprintf(err, errlen, "cannot start the summaryrules thread");
        return -1;
    }
    return 0;
}

static void sr_module_stop(app_t *app, void *state) {
    (void)app;
    sr_module_state *m = state;
    if (!m) return;
    if (m->worker) worker_stop(m->worker);
    sr_labels_free(&m->labels);
    free(m);
}

static const char *const sr_schema_files[] = {"summaryrules.graphql", NULL};

const app_module summaryrules_module = {
    .name = "summaryrules",
    .schema_files = sr_schema_files,
    .bindings = sr_bindings,
    .nbindings = sizeof sr_bindings / sizeof sr_bindings[0],
    .init = sr_module_init,
    .start = sr_module_start,
    .stop = sr_module_stop,
};
