/* status.c -- the federation status model (issue 8 step 7): the JSON forms store.c keeps lists in, and the
 * FederationStatus GraphQL value of adx.federation and reconcileFederation (schema/adx.graphql). */
#include "federation/status.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/datetime.h"

const char *fed_json_strings(arena_t *a, const char *const *v, size_t n) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(v[i]));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    const char *out = arena_strdup(a, text ? text : "[]");
    free(text);
    return out;
}

static json_t *string_array(const char *const *v, size_t n) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(v[i]));
    return arr;
}

const char *fed_json_databases(arena_t *a, const fed_partition *p) {
    json_t *arr = json_array();
    for (size_t i = 0; i < p->ndbs; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(p->dbs[i].name));
        json_object_set_new(o, "tables", string_array(p->dbs[i].tables, p->dbs[i].ntables));
        json_object_set_new(o, "views", string_array(p->dbs[i].views, p->dbs[i].nviews));
        json_array_append_new(arr, o);
    }
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    const char *out = arena_strdup(a, text ? text : "[]");
    free(text);
    return out;
}

static void strings_of(arena_t *a, json_t *arr, const char ***out, size_t *n) {
    size_t count = json_is_array(arr) ? json_array_size(arr) : 0;
    const char **v = arena_alloc(a, (count ? count : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (s) v[k++] = arena_strdup(a, s);
    }
    *out = v;
    *n = k;
}

void fed_parse_strings(arena_t *a, const char *json, const char ***out, size_t *n) {
    json_t *arr = json ? json_loads(json, 0, NULL) : NULL;
    strings_of(a, arr, out, n);
    json_decref(arr);
}

void fed_parse_databases(arena_t *a, const char *json, fed_pdb **out, size_t *n) {
    json_t *arr = json ? json_loads(json, 0, NULL) : NULL;
    size_t count = json_is_array(arr) ? json_array_size(arr) : 0;
    fed_pdb *v = arena_alloc(a, (count ? count : 1) * sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        json_t *o = json_array_get(arr, i);
        const char *name = json_string_value(json_object_get(o, "name"));
        if (!name) continue;
        v[k].name = arena_strdup(a, name);
        strings_of(a, json_object_get(o, "tables"), &v[k].tables, &v[k].ntables);
        strings_of(a, json_object_get(o, "views"), &v[k].views, &v[k].nviews);
        k++;
    }
    json_decref(arr);
    *out = v;
    *n = k;
}

/* ---- GraphQL values ---- */

static gql_val time_val(arena_t *a, int64_t secs) {
    char buf[DT_MAX];
    if (secs <= 0 || dt_format(secs, buf) == 0) return gql_null();
    return gql_str_dup(a, buf);
}

static gql_val str_list(arena_t *a, const char *const *v, size_t n) {
    gql_val l = gql_list(a, n);
    for (size_t i = 0; i < n; i++)
        l.list.items[i] = gql_str(v[i]);
    return l;
}

gql_val fed_status_value(arena_t *a, const fed_status *s) {
    gql_val m = gql_map(a, 8);
    gql_map_set(a, &m, "lastReconcileAt", time_val(a, s->last_reconcile_at));
    gql_map_set(a, &m, "lastReconcileSucceeded", s->last_reconcile_at > 0 ? gql_bool(s->ok) : gql_null());
    gql_map_set(a, &m, "zeroHeartbeatProtection", gql_bool(s->zero_heartbeat_protection));

    gql_val parts = gql_list(a, s->npartitions);
    for (size_t i = 0; i < s->npartitions; i++) {
        const fed_partition *p = &s->partitions[i];
        gql_val pm = gql_map(a, 5);
        gql_map_set(a, &pm, "endpoint", gql_str(p->endpoint));
        gql_map_set(a, &pm, "lastHeartbeat", time_val(a, dt_floor_div(p->last_heartbeat, DT_TICKS_PER_SEC)));
        gql_map_set(a, &pm, "live", gql_bool(p->live));
        gql_val dbs = gql_list(a, p->ndbs);
        for (size_t j = 0; j < p->ndbs; j++) {
            gql_val d = gql_map(a, 3);
            gql_map_set(a, &d, "name", gql_str(p->dbs[j].name));
            gql_map_set(a, &d, "tables", str_list(a, p->dbs[j].tables, p->dbs[j].ntables));
            gql_map_set(a, &d, "views", str_list(a, p->dbs[j].views, p->dbs[j].nviews));
            dbs.list.items[j] = d;
        }
        gql_map_set(a, &pm, "databases", dbs);
        gql_map_set(a, &pm, "partitionMetadata", p->metadata ? gql_raw_json(p->metadata) : gql_null());
        parts.list.items[i] = pm;
    }
    gql_map_set(a, &m, "partitions", parts);

    gql_val groups = gql_list(a, s->ngroups);
    for (size_t i = 0; i < s->ngroups; i++) {
        const fed_group_status *g = &s->groups[i];
        gql_val gm = gql_map(a, 4);
        gql_map_set(a, &gm, "name", gql_str(g->name));
        gql_map_set(a, &gm, "database", gql_str(g->database));
        gql_map_set(a, &gm, "members", str_list(a, g->members, g->nmembers));
        gql_map_set(a, &gm, "updatedAt", time_val(a, g->updated_at));
        groups.list.items[i] = gm;
    }
    gql_map_set(a, &m, "entityGroups", groups);

    gql_val fns = gql_list(a, s->nfunctions);
    for (size_t i = 0; i < s->nfunctions; i++) {
        const fed_function_status *f = &s->functions[i];
        gql_val fm = gql_map(a, 5);
        gql_map_set(a, &fm, "name", gql_str(f->name));
        gql_map_set(a, &fm, "database", gql_str(f->database));
        gql_map_set(a, &fm, "table", gql_str(f->table));
        gql_map_set(a, &fm, "endpoints", str_list(a, f->endpoints, f->nendpoints));
        gql_map_set(a, &fm, "updatedAt", time_val(a, f->updated_at));
        fns.list.items[i] = fm;
    }
    gql_map_set(a, &m, "functions", fns);

    gql_val errs = gql_list(a, s->nerrors);
    for (size_t i = 0; i < s->nerrors; i++) {
        gql_val em = gql_map(a, 3);
        gql_map_set(a, &em, "at", time_val(a, s->errors[i].at));
        gql_map_set(a, &em, "scope", gql_str(s->errors[i].scope));
        gql_map_set(a, &em, "message", gql_str(s->errors[i].message));
        errs.list.items[i] = em;
    }
    gql_map_set(a, &m, "errors", errs);
    return m;
}
