/* resolvers.c -- GraphQL resolvers of the Kafka entity API (schema/kafka.graphql; seed 004 Entity
 * Query API, seed 003 tenants): Actor.entity, Account.kafka/tenants, KafkaNamespace.entities/entity,
 * the connection and entity fields, and the binding table kafka_bindings. SQL lives in query.c,
 * the mutations in synthetic.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "context.h"
#include "kafka/identity.h"
#include "kafka/kafka.h"
#include "kafka/lifecycle.h"
#include "kafka/query.h"
#include "kafka/synthetic.h"
#include "util/base64.h"
#include "util/datetime.h"
#include "util/log.h"

/* KafkaEntityConnection: the page is read eagerly (so argument errors surface on `entities`),
 * totalCount only when selected. */
typedef struct {
    store_t *store;
    int64_t account_id;
    kafka_filter filter;
    int64_t reporting_since;
    kafka_page *page;
} kafka_conn;

/* KafkaNamespace: the account whose entities it lists. */
typedef struct {
    int64_t account_id;
} kafka_ns;

static request_ctx *ctx_of(gql_resolve_info *info) {
    return (request_ctx *)info->context;
}

static int internal_error(gql_resolve_info *info, const char *what, const char *detail) {
    log_error("kafka query failed", "what=%s err=\"%s\"", what, detail);
    return gql_resolver_error(info, GQL_CODE_INTERNAL, "internal error while reading %s", what);
}

/* DateTime output: RFC 3339 UTC with seconds, "YYYY-MM-DDTHH:MM:SSZ". */
static gql_val datetime_val(arena_t *a, int64_t t) {
    char buf[DT_MAX];
    if (!dt_format(t, buf)) return gql_null();
    return gql_str(arena_strndup(a, buf, strlen(buf)));
}

/* A string value as a NUL-terminated arena copy, bounded; NULL for null/absent. Returns NULL on
 * success, or why the value cannot be used (for the caller's BAD_USER_INPUT message). */
static const char *string_of(arena_t *a, const gql_val *v, const char **out) {
    *out = NULL;
    if (gql_is_null(v)) return NULL;
    if (v->kind != GQL_V_STRING && v->kind != GQL_V_ENUM) return "must be a string";
    if (v->s.len > KAFKA_MAX_FILTER_STRING) return arena_printf(a, "must be at most %d bytes", KAFKA_MAX_FILTER_STRING);
    if (memchr(v->s.ptr, '\0', v->s.len)) return "must not contain NUL characters";
    *out = arena_strndup(a, v->s.ptr, v->s.len);
    return NULL;
}

static int list_of(gql_resolve_info *info, const gql_val *filter, const char *key, const char ***list, size_t *n) {
    const gql_val *v = gql_map_get(filter, key);
    if (gql_is_null(v)) return 0;
    const gql_val *items = v;
    size_t count = 1;
    if (v->kind == GQL_V_LIST) {
        items = v->list.items;
        count = v->list.count;
    }
    for (size_t i = 0; i < count; i++) {
        const char *s;
        const char *why = string_of(info->arena, &items[i], &s);
        if (why) return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "filter.%s: each value %s", key, why);
        if (!s || kafka_filter_add(info->arena, list, n, s) < 0)
            return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "filter.%s: at most %d values", key,
                                      KAFKA_MAX_LIST_FILTER);
    }
    return 0;
}

static int tristate_of(const gql_val *filter, const char *key) {
    const gql_val *v = gql_map_get(filter, key);
    if (gql_is_null(v) || v->kind != GQL_V_BOOL) return -1;
    return v->b ? 1 : 0;
}

/* KafkaEntityFilter argument -> kafka_filter (every field optional, all ANDed). */
static int parse_filter(gql_resolve_info *info, const gql_val *args, kafka_filter *f) {
    memset(f, 0, sizeof *f);
    f->reporting = -1;
    f->synthetic = -1;
    const gql_val *filter = gql_map_get(args, "filter");
    if (gql_is_null(filter)) return 0;
    if (filter->kind != GQL_V_MAP) return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "filter must be an object");
    if (list_of(info, filter, "type", &f->types, &f->ntypes) < 0 ||
        list_of(info, filter, "provider", &f->providers, &f->nproviders) < 0 ||
        list_of(info, filter, "alertSeverity", &f->severities, &f->nseverities) < 0)
        return -1;
    static const char *const strings[] = {"clusterName", "nameContains", "tenant"};
    const char **dst[] = {&f->cluster_name, &f->name_contains, &f->tenant};
    for (size_t i = 0; i < 3; i++) {
        const char *why = string_of(info->arena, gql_map_get(filter, strings[i]), dst[i]);
        if (why) return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "filter.%s %s", strings[i], why);
    }
    f->reporting = tristate_of(filter, "reporting");
    f->synthetic = tristate_of(filter, "synthetic");
    return 0;
}

/* The account id of an Account value from the auth module (a map with "id", or an account_t). */
static int account_id_of(const gql_val *parent, int64_t *id) {
    if (parent->kind == GQL_V_MAP) {
        const gql_val *v = gql_map_get(parent, "id");
        if (v && v->kind == GQL_V_INT) {
            *id = v->i;
            return 0;
        }
    } else if (parent->kind == GQL_V_OBJECT && parent->obj.ptr) {
        *id = ((const account_t *)parent->obj.ptr)->id;
        return 0;
    }
    return -1;
}

/* ---- Account.kafka, Account.tenants ---- */

static int account_kafka(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    int64_t id;
    if (account_id_of(parent, &id) < 0) return internal_error(info, "account", "parent is not an account");
    if (auth_require_account(info, id) < 0) return -1;
    kafka_ns *ns = arena_alloc(info->arena, sizeof *ns);
    ns->account_id = id;
    *out = gql_object(ns, NULL);
    return 0;
}

static int account_tenants(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    int64_t id;
    if (account_id_of(parent, &id) < 0) return internal_error(info, "account", "parent is not an account");
    if (auth_require_account(info, id) < 0) return -1;
    kafka_tenant *ts;
    size_t n;
    char err[256] = "";
    if (kafka_list_tenants(ctx_of(info)->store, info->arena, id, &ts, &n, err, sizeof err) < 0)
        return internal_error(info, "tenants", err);
    *out = gql_list(info->arena, n);
    for (size_t i = 0; i < n; i++) {
        gql_val m = gql_map(info->arena, 4);
        gql_map_set(info->arena, &m, "id", gql_str(ts[i].id));
        gql_map_set(info->arena, &m, "firstSeen", datetime_val(info->arena, ts[i].first_seen));
        gql_map_set(info->arena, &m, "lastSeen", datetime_val(info->arena, ts[i].last_seen));
        gql_map_set(info->arena, &m, "entityCount", gql_int(ts[i].entity_count));
        out->list.items[i] = m;
    }
    return 0;
}

/* ---- KafkaNamespace ---- */

/* Whether the request set `first` (a literal, or a variable that was provided) rather than
 * leaving it to the schema default. */
static bool first_given(const gql_resolve_info *info) {
    for (size_t n = 0; n < info->nfield_nodes; n++) {
        const gql_selection *sel = info->field_nodes[n];
        for (size_t i = 0; i < sel->nargs; i++) {
            const gql_argument *arg = sel->args[i];
            if (!arg->name.value || strcmp(arg->name.value, "first") != 0) continue;
            if (arg->value && arg->value->kind == GQL_VALUE_VARIABLE)
                return gql_map_get(info->variables, arg->value->str) != NULL;
            return true;
        }
    }
    return false;
}

/* Whether a decoded cursor names an entity GUID of this account, as the server writes them
 * (identity.h): "{accountId}|INFRA|{KafkaEntityType}|{padded standard base64}". kafka_cursor_decode
 * only checks the envelope, so base64url("v1:anything") would otherwise pass for a cursor
 * (issue 11 item 9: a forged cursor is BAD_USER_INPUT, as docs/querying.md says). */
static bool cursor_guid_ok(arena_t *a, const char *guid, int64_t account_id) {
    char want[32];
    int n = snprintf(want, sizeof want, "%lld|INFRA|", (long long)account_id);
    if (n < 0 || (size_t)n >= sizeof want || strncmp(guid, want, (size_t)n) != 0) return false;
    const char *type = guid + n;
    const char *bar = strchr(type, '|');
    if (!bar || bar == type || (size_t)(bar - type) > 64) return false;
    char tname[65];
    memcpy(tname, type, (size_t)(bar - type));
    tname[bar - type] = '\0';
    if (kafka_type_kind(tname) == KAFKA_KIND_UNKNOWN) return false;
    const char *id = bar + 1;
    size_t idlen = strlen(id);
    if (idlen == 0 || idlen % 4 != 0) return false;
    unsigned char *scratch = arena_alloc(a, idlen / 4 * 3 + 4);
    return b64_decode(id, idlen, B64_STD, scratch) > 0;
}

static int ns_entities(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    request_ctx *ctx = ctx_of(info);
    const kafka_ns *ns = parent->obj.ptr;
    kafka_conn *c = arena_alloc(info->arena, sizeof *c);
    c->store = ctx->store;
    c->account_id = ns->account_id;
    c->reporting_since = ctx->now - (ctx->cfg ? ctx->cfg->reporting_window : 300);
    if (parse_filter(info, args, &c->filter) < 0) return -1;

    /* first: 1 .. --max-page-size; a value the caller gave out of range is the caller's mistake,
     * not silently clamped. The schema default (50) is capped at a smaller --max-page-size so that
     * documents without `first` (the seed's GetKafkaEntities) run on every configuration. */
    uint32_t max = ctx->cfg && ctx->cfg->max_page_size ? ctx->cfg->max_page_size : 500;
    int64_t first = 50;
    if (!gql_arg_int(args, "first", &first) || !first_given(info)) first = first < (int64_t)max ? first : (int64_t)max;
    if (first < 1 || first > (int64_t)max)
        return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "first must be between 1 and %u, got %lld", max,
                                  (long long)first);
    const char *after = NULL, *after_guid = NULL;
    if (string_of(info->arena, gql_map_get(args, "after"), &after) ||
        (after && (kafka_cursor_decode(info->arena, after, &after_guid) < 0 ||
                   !cursor_guid_ok(info->arena, after_guid, c->account_id))))
        return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "after is not a cursor returned by this API");

    char err[256] = "";
    if (kafka_query_entities(c->store, info->arena, c->account_id, &c->filter, c->reporting_since, after_guid,
                             (uint32_t)first, &c->page, err, sizeof err) < 0)
        return internal_error(info, "entities", err);
    *out = gql_object(c, NULL);
    return 0;
}

static int ns_entity(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    const kafka_ns *ns = parent->obj.ptr;
    const char *guid = NULL;
    const char *why = string_of(info->arena, gql_map_get(args, "guid"), &guid);
    if (why || !guid) return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "guid %s", why ? why : "is required");
    kafka_entity *e = NULL;
    char err[256] = "";
    int rc = kafka_get_entity(ctx_of(info)->store, info->arena, guid, ns->account_id, &e, err, sizeof err);
    if (rc < 0) return internal_error(info, "entity", err);
    *out = rc == 0 ? gql_object(e, NULL) : gql_null();
    return 0;
}

/* Actor.entity: any account the key may read (its own; every account for ADMIN). An entity of
 * another account is reported as absent, not as forbidden, so GUIDs cannot be probed. */
static int actor_entity(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    request_ctx *ctx = ctx_of(info);
    if (!ctx->principal.authenticated) return auth_require_level(info, AUTH_NONE);
    const char *guid = NULL;
    const char *why = string_of(info->arena, gql_map_get(args, "guid"), &guid);
    if (why || !guid) return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "guid %s", why ? why : "is required");
    int64_t account = ctx->principal.level == AUTH_ADMIN ? -1 : ctx->principal.account_id;
    kafka_entity *e = NULL;
    char err[256] = "";
    int rc = kafka_get_entity(ctx->store, info->arena, guid, account, &e, err, sizeof err);
    if (rc < 0) return internal_error(info, "entity", err);
    *out = rc == 0 ? gql_object(e, NULL) : gql_null();
    return 0;
}

/* ---- KafkaEntityConnection ---- */

static int conn_nodes(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const kafka_conn *c = parent->obj.ptr;
    *out = gql_list(info->arena, c->page->count);
    for (size_t i = 0; i < c->page->count; i++)
        out->list.items[i] = gql_object(c->page->items[i], NULL);
    return 0;
}

static int conn_page_info(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const kafka_conn *c = parent->obj.ptr;
    gql_val m = gql_map(info->arena, 2);
    gql_map_set(info->arena, &m, "hasNextPage", gql_bool(c->page->has_next));
    gql_val cursor = gql_null();
    if (c->page->count) cursor = gql_str(kafka_cursor_encode(info->arena, c->page->items[c->page->count - 1]->guid));
    gql_map_set(info->arena, &m, "endCursor", cursor);
    *out = m;
    return 0;
}

static int conn_total_count(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    kafka_conn *c = parent->obj.ptr;
    int64_t n = 0;
    char err[256] = "";
    if (kafka_count_entities(c->store, c->account_id, &c->filter, c->reporting_since, &n, err, sizeof err) < 0)
        return internal_error(info, "totalCount", err);
    *out = gql_int(n);
    return 0;
}

/* ---- KafkaEntity ---- */

static gql_val outline_val(arena_t *a, const kafka_outline *o) {
    gql_val m = gql_map(a, 3);
    gql_map_set(a, &m, "guid", gql_str(o->guid));
    gql_map_set(a, &m, "name", gql_str(o->name));
    gql_map_set(a, &m, "type", gql_str(o->type));
    return m;
}

static gql_val opt_float(bool has, double v) {
    return has ? gql_float(v) : gql_null();
}

/* Relationships of the whole page are read by the first entity that needs them (one query). */
static int entity_relationships(gql_resolve_info *info, kafka_entity *e, gql_val *out) {
    char err[256] = "";
    if (!e->page->rels_loaded &&
        kafka_load_relationships(ctx_of(info)->store, info->arena, e->page, err, sizeof err) < 0)
        return internal_error(info, "relationships", err);
    *out = gql_list(info->arena, e->nrels);
    for (size_t i = 0; i < e->nrels; i++) {
        gql_val m = gql_map(info->arena, 3);
        gql_map_set(info->arena, &m, "source", outline_val(info->arena, &e->rels[i].source));
        gql_map_set(info->arena, &m, "target", outline_val(info->arena, &e->rels[i].target));
        gql_map_set(info->arena, &m, "type", gql_enum(e->rels[i].type));
        out->list.items[i] = m;
    }
    return 0;
}

/* The KafkaEntity fields served by entity_field; each binding carries one of these as its datum. */
enum kafka_entity_field {
    KF_GUID = 1, KF_ACCOUNT_ID, KF_NAME, KF_TYPE, KF_PROVIDER, KF_CLUSTER_NAME, KF_TENANT, KF_EXTERNAL_ID,
    KF_REPORTING, KF_LAST_SEEN, KF_CREATED_AT, KF_SYNTHETIC, KF_EXPIRES_AT, KF_ALERT_SEVERITY, KF_METADATA,
    KF_METRICS
};

#define KF(x) ((const void *)(intptr_t)(x))

static int entity_field(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const kafka_entity *e = parent->obj.ptr;
    arena_t *a = info->arena;
    switch ((enum kafka_entity_field)(intptr_t)info->field->resolve_data) {
    case KF_GUID: *out = gql_str(e->guid); break;
    case KF_ACCOUNT_ID: *out = gql_int(e->account_id); break;
    case KF_NAME: *out = gql_str(e->name); break;
    case KF_TYPE: *out = gql_enum(e->type); break;
    case KF_PROVIDER: *out = gql_enum(e->provider); break;
    case KF_CLUSTER_NAME: *out = gql_str(e->cluster_name); break;
    case KF_TENANT: *out = gql_str(e->tenant); break;
    case KF_EXTERNAL_ID: *out = gql_str(e->external_id); break;
    case KF_REPORTING: {
        const request_ctx *ctx = ctx_of(info);
        *out = gql_bool(kafka_is_reporting(e->last_seen, ctx->now, ctx->cfg));
        break;
    }
    case KF_LAST_SEEN: *out = datetime_val(a, e->last_seen); break;
    case KF_CREATED_AT: *out = datetime_val(a, e->created_at); break;
    case KF_SYNTHETIC: *out = gql_bool(e->synthetic); break;
    case KF_EXPIRES_AT: *out = e->has_expires_at ? datetime_val(a, e->expires_at) : gql_null(); break;
    case KF_ALERT_SEVERITY: *out = gql_enum(e->alert_severity ? e->alert_severity : "NOT_ALERTING"); break;
    case KF_METADATA: *out = gql_raw_json(e->metadata); break;
    /* The entity itself is the KafkaMetrics value: metrics_field computes only what is selected. */
    case KF_METRICS: *out = gql_object((void *)e, NULL); break;
    default: return internal_error(info, "entity field", info->field->name);
    }
    return 0;
}

/* KafkaMetrics fields, read from the entity (KafkaEntity.metrics returns the entity). */
enum kafka_metrics_field { KM_THROUGHPUT_IN = 1, KM_THROUGHPUT_OUT, KM_CONSUMER_LAG, KM_UPDATED_AT };

static int metrics_field(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    const kafka_entity *e = parent->obj.ptr;
    switch ((enum kafka_metrics_field)(intptr_t)info->field->resolve_data) {
    case KM_THROUGHPUT_IN: *out = opt_float(e->has_throughput_in, e->throughput_in); break;
    case KM_THROUGHPUT_OUT: *out = opt_float(e->has_throughput_out, e->throughput_out); break;
    case KM_CONSUMER_LAG: *out = opt_float(e->has_consumer_lag, e->consumer_lag); break;
    case KM_UPDATED_AT:
        *out = e->has_metrics_updated_at ? datetime_val(info->arena, e->metrics_updated_at) : gql_null();
        break;
    default: return internal_error(info, "metrics field", info->field->name);
    }
    return 0;
}

static int entity_relationships_field(gql_resolve_info *info, const gql_val *parent, const gql_val *args,
                                      gql_val *out) {
    (void)args;
    return entity_relationships(info, parent->obj.ptr, out);
}

const gql_binding kafka_bindings[] = {
    {"Actor.entity", actor_entity, NULL},
    {"Account.kafka", account_kafka, NULL},
    {"Account.tenants", account_tenants, NULL},
    {"KafkaNamespace.entities", ns_entities, NULL},
    {"KafkaNamespace.entity", ns_entity, NULL},
    {"KafkaEntityConnection.nodes", conn_nodes, NULL},
    {"KafkaEntityConnection.pageInfo", conn_page_info, NULL},
    {"KafkaEntityConnection.totalCount", conn_total_count, NULL},
    {"KafkaEntity.guid", entity_field, KF(KF_GUID)},
    {"KafkaEntity.accountId", entity_field, KF(KF_ACCOUNT_ID)},
    {"KafkaEntity.name", entity_field, KF(KF_NAME)},
    {"KafkaEntity.type", entity_field, KF(KF_TYPE)},
    {"KafkaEntity.provider", entity_field, KF(KF_PROVIDER)},
    {"KafkaEntity.clusterName", entity_field, KF(KF_CLUSTER_NAME)},
    {"KafkaEntity.tenant", entity_field, KF(KF_TENANT)},
    {"KafkaEntity.externalId", entity_field, KF(KF_EXTERNAL_ID)},
    {"KafkaEntity.reporting", entity_field, KF(KF_REPORTING)},
    {"KafkaEntity.lastSeen", entity_field, KF(KF_LAST_SEEN)},
    {"KafkaEntity.createdAt", entity_field, KF(KF_CREATED_AT)},
    {"KafkaEntity.synthetic", entity_field, KF(KF_SYNTHETIC)},
    {"KafkaEntity.expiresAt", entity_field, KF(KF_EXPIRES_AT)},
    {"KafkaEntity.alertSeverity", entity_field, KF(KF_ALERT_SEVERITY)},
    {"KafkaEntity.metadata", entity_field, KF(KF_METADATA)},
    {"KafkaEntity.metrics", entity_field, KF(KF_METRICS)},
    {"KafkaEntity.relationships", entity_relationships_field, NULL},
    {"KafkaMetrics.throughputIn", metrics_field, KF(KM_THROUGHPUT_IN)},
    {"KafkaMetrics.throughputOut", metrics_field, KF(KM_THROUGHPUT_OUT)},
    {"KafkaMetrics.consumerLag", metrics_field, KF(KM_CONSUMER_LAG)},
    {"KafkaMetrics.updatedAt", metrics_field, KF(KM_UPDATED_AT)},
    {"Mutation.createSyntheticKafkaEntity", kafka_create_synthetic, NULL},
    {"Mutation.deleteSyntheticKafkaEntity", kafka_delete_synthetic, NULL},
    /* Values built as maps by the resolvers above. */
    GQL_BIND_PROPERTY("Tenant.id"),
    GQL_BIND_PROPERTY("Tenant.firstSeen"),
    GQL_BIND_PROPERTY("Tenant.lastSeen"),
    GQL_BIND_PROPERTY("Tenant.entityCount"),
    GQL_BIND_PROPERTY("EntityRelationship.source"),
    GQL_BIND_PROPERTY("EntityRelationship.target"),
    GQL_BIND_PROPERTY("EntityRelationship.type"),
    GQL_BIND_PROPERTY("EntityOutline.guid"),
    GQL_BIND_PROPERTY("EntityOutline.name"),
    GQL_BIND_PROPERTY("EntityOutline.type"),
    GQL_BIND_PROPERTY("CreateSyntheticKafkaEntityPayload.entity"),
    GQL_BIND_PROPERTY("CreateSyntheticKafkaEntityPayload.success"),
    GQL_BIND_PROPERTY("CreateSyntheticKafkaEntityPayload.errors"),
};

const size_t kafka_nbindings = sizeof kafka_bindings / sizeof kafka_bindings[0];

static const char *const kafka_schema_files[] = {"kafka.graphql", NULL, NULL};

const app_module kafka_module = {
    .name = "kafka",
    .schema_files = kafka_schema_files,
    .bindings = kafka_bindings,
    .nbindings = sizeof kafka_bindings / sizeof kafka_bindings[0],
    .init = kafka_module_init,
    .start = kafka_cleanup_start,
    .stop = kafka_cleanup_stop,
};
