/* clusters.c -- ADX cluster configuration (seed 001 ADXCluster and its federation section; issue 8
 * "Configuration"): validation with per-field errors shared by upsertAdxCluster and --adx-config, endpoint
 * normalization, the Kusto targets of a cluster, the lookup API of the shared contract, and the --adx-config
 * loader. The SQL is in store.c. */
#include "federation/clusters.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "federation/store.h"
#include "util/buf.h"
#include "util/duration.h"
#include "util/log.h"

/* ---- small things ---- */

int64_t adx_cluster_ttl(const adx_cluster *c) {
    return c->heartbeat_ttl > 0 ? c->heartbeat_ttl : ADX_DEFAULT_TTL;
}
const char *adx_cluster_prefix(const adx_cluster *c) {
    return c->function_prefix ? c->function_prefix : "";
}
const char *adx_cluster_folder(const adx_cluster *c) {
    return c->folder && *c->folder ? c->folder : ADX_DEFAULT_FOLDER;
}
bool adx_cluster_best_effort(const adx_cluster *c) {
    return c->best_effort != 0; /* -1 (unset) means the default: true */
}

const char *adx_role_name(adx_role r) {
    return r == ADX_ROLE_FEDERATED ? "FEDERATED" : "PARTITION";
}

static const char *const auth_names[] = {"NONE", "TOKEN", "MANAGED_IDENTITY", "CLIENT_SECRET"};

const char *adx_auth_kind_name(kusto_auth_kind k) {
    switch (k) {
    case KUSTO_AUTH_TOKEN:
        return auth_names[1];
    case KUSTO_AUTH_MANAGED_IDENTITY:
        return auth_names[2];
    case KUSTO_AUTH_CLIENT_SECRET:
        return auth_names[3];
    case KUSTO_AUTH_NONE:
    default:
        return auth_names[0];
    }
}

int adx_auth_kind_parse(const char *s, kusto_auth_kind *out) {
    static const kusto_auth_kind kinds[] = {KUSTO_AUTH_NONE, KUSTO_AUTH_TOKEN, KUSTO_AUTH_MANAGED_IDENTITY,
                                            KUSTO_AUTH_CLIENT_SECRET};
    for (size_t i = 0; i < 4; i++)
        if (s && strcasecmp(s, auth_names[i]) == 0) {
            *out = kinds[i];
            return 0;
        }
    return -1;
}

void adx_errors_add(adx_errors *e, const char *field, const char *fmt, ...) {
    e->items = arena_grow(e->arena, e->items, e->count, &e->cap, sizeof *e->items, 8);
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(e->arena, fmt, ap);
    va_end(ap);
    e->items[e->count++] = (adx_field_error){field ? arena_strdup(e->arena, field) : NULL, msg};
}

bool adx_cluster_name_valid(const char *s, size_t len) {
    if (len == 0 || len > ADX_MAX_CLUSTER_NAME) return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

bool adx_simple_name_valid(const char *s, size_t len, size_t max) {
    if (len == 0 || len > max) return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

/* ---- endpoints ---- */

const char *adx_endpoint_normalize(arena_t *a, const char *s, size_t len, const char **why) {
    *why = NULL;
    if (len == 0) {
        *why = "must not be empty";
        return NULL;
    }
    if (len > ADX_MAX_ENDPOINT) {
        *why = "must be at most 512 characters";
        return NULL;
    }
    size_t skip;
    if (len > 8 && strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else if (len > 7 && strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else {
        *why = "must start with https:// (or http:// for a local emulator)";
        return NULL;
    }
    if (s[len - 1] == '/') len--; /* one trailing slash */
    char *out = arena_alloc(a, len + 1);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[len] = '\0';
    const char *p = out + skip;
    const char *end = out + len;
    if (p < end && *p == '[') {
        const char *q = p + 1;
        while (q < end && (strchr("0123456789abcdef:.", *q) && *q))
            q++;
        if (q == p + 1 || q >= end || *q != ']') {
            *why = "has an invalid IPv6 host";
            return NULL;
        }
        p = q + 1;
    } else {
        const char *host = p;
        char prev = '.';
        while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')) {
            if (*p == '.' && prev == '.') {
                *why = "has an empty host label";
                return NULL;
            }
            prev = *p++;
        }
        if (p == host || prev == '.' || *host == '-') {
            *why = "has no valid host name";
            return NULL;
        }
    }
    if (p < end && *p == ':') {
        const char *digits = ++p;
        long port = 0;
        while (p < end && *p >= '0' && *p <= '9' && p - digits < 5)
            port = port * 10 + (*p++ - '0');
        if (p == digits || port < 1 || port > 65535) {
            *why = "has an invalid port";
            return NULL;
        }
    }
    if (p != end) {
        *why = "must be scheme://host[:port] with no path, query, user or other characters";
        return NULL;
    }
    return out;
}

bool adx_endpoint_is_loopback(const char *e) {
    const char *h = strncmp(e, "https://", 8) == 0 ? e + 8 : strncmp(e, "http://", 7) == 0 ? e + 7 : NULL;
    if (!h) return false;
    size_t n = strcspn(h, ":");
    if (strncmp(h, "[::1]", 5) == 0) return true;
    if (n == 9 && strncmp(h, "localhost", 9) == 0) return true;
    if (strncmp(h, "127.", 4) != 0) return false;
    for (size_t i = 4; i < n; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.')) return false;
    return true;
}

bool adx_endpoint_allows_auth(const char *e, kusto_auth_kind kind) {
    return kind == KUSTO_AUTH_NONE || strncmp(e, "https://", 8) == 0 || adx_endpoint_is_loopback(e);
}

kusto_target adx_cluster_target(const adx_cluster *c) {
    kusto_target t = {.endpoint = c->endpoint, .auth = c->auth};
    return t;
}

kusto_target adx_heartbeat_target(const adx_cluster *c, const adx_target *t) {
    kusto_target k = {.endpoint = t->endpoint, .auth = c->auth};
    if (t->managed_identity_client_id && *t->managed_identity_client_id) {
        memset(&k.auth, 0, sizeof k.auth);
        k.auth.kind = KUSTO_AUTH_MANAGED_IDENTITY;
        k.auth.client_id = t->managed_identity_client_id;
    }
    return k;
}

/* ---- validation ---- */

typedef struct {
    arena_t *a;
    adx_errors *errs;
    bool strict;
} vctx;

static const char *path(vctx *v, const char *prefix, const char *key) {
    return arena_printf(v->a, "%s.%s", prefix, key);
}

/* Refuses keys not in allowed (the file; GraphQL input coercion already refuses unknown fields). */
static void check_keys(vctx *v, const gql_val *m, const char *prefix, const char *const *allowed) {
    if (!v->strict || !m || m->kind != GQL_V_MAP) return;
    for (size_t i = 0; i < m->map.count; i++) {
        const char *k = m->map.keys[i];
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, k) == 0;
        if (!ok) {
            char shown[64];
            snprintf(shown, sizeof shown, "%s", k);
            for (char *p = shown; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == '"') *p = '?';
            adx_errors_add(v->errs, path(v, prefix, shown), "unknown field \"%s\"", shown);
        }
    }
}

/* A string member: NULL when absent or null; *bad set (and an error recorded) when it is not a string, is too
 * long or holds a NUL or control character. */
static const char *str_field(vctx *v, const gql_val *m, const char *prefix, const char *key, size_t max, bool *bad) {
    const gql_val *x = gql_map_get(m, key);
    if (gql_is_null(x)) return NULL;
    if (x->kind != GQL_V_STRING && x->kind != GQL_V_ENUM) {
        adx_errors_add(v->errs, path(v, prefix, key), "%s must be a string", key);
        *bad = true;
        return NULL;
    }
    if (x->s.len > max) {
        adx_errors_add(v->errs, path(v, prefix, key), "%s must be at most %zu characters", key, max);
        *bad = true;
        return NULL;
    }
    for (size_t i = 0; i < x->s.len; i++)
        if ((unsigned char)x->s.ptr[i] < 0x20 || x->s.ptr[i] == 0x7f) {
            adx_errors_add(v->errs, path(v, prefix, key), "%s must not contain control characters", key);
            *bad = true;
            return NULL;
        }
    return arena_strndup(v->a, x->s.ptr, x->s.len);
}

static const char *required_str(vctx *v, const gql_val *m, const char *prefix, const char *key, size_t max) {
    bool bad = false;
    const char *s = str_field(v, m, prefix, key, max, &bad);
    if (!s && !bad) adx_errors_add(v->errs, path(v, prefix, key), "%s is required", key);
    return s;
}

static const char *endpoint_field(vctx *v, const gql_val *m, const char *prefix, const char *key) {
    const char *raw = required_str(v, m, prefix, key, ADX_MAX_ENDPOINT);
    if (!raw) return NULL;
    const char *why;
    const char *ep = adx_endpoint_normalize(v->a, raw, strlen(raw), &why);
    if (!ep) adx_errors_add(v->errs, path(v, prefix, key), "%s %s", key, why);
    return ep;
}

/* ^[a-zA-Z0-9_]+$ names (seed 001 databaseName, heartbeatDatabase, heartbeatTable). */
static const char *simple_name(vctx *v, const gql_val *m, const char *prefix, const char *key, size_t max,
                               bool required) {
    bool bad = false;
    const char *s = str_field(v, m, prefix, key, max, &bad);
    if (bad) return NULL;
    if (!s) {
        if (required) adx_errors_add(v->errs, path(v, prefix, key), "%s is required", key);
        return NULL;
    }
    if (!adx_simple_name_valid(s, strlen(s), max)) {
        adx_errors_add(v->errs, path(v, prefix, key), "%s must match ^[a-zA-Z0-9_]+$ (1 to %zu characters)", key, max);
        return NULL;
    }
    return s;
}

/* A list member: NULL when absent/null; an error when not a list or longer than max. */
static const gql_val *list_field(vctx *v, const gql_val *m, const char *prefix, const char *key, size_t max) {
    const gql_val *x = gql_map_get(m, key);
    if (gql_is_null(x)) return NULL;
    if (x->kind != GQL_V_LIST) {
        adx_errors_add(v->errs, path(v, prefix, key), "%s must be a list", key);
        return NULL;
    }
    if (x->list.count > max) {
        adx_errors_add(v->errs, path(v, prefix, key), "%s must have at most %zu items", key, max);
        return NULL;
    }
    return x;
}

static const gql_val *object_field(vctx *v, const gql_val *m, const char *prefix, const char *key) {
    const gql_val *x = gql_map_get(m, key);
    if (gql_is_null(x)) return NULL;
    if (x->kind != GQL_V_MAP) {
        adx_errors_add(v->errs, path(v, prefix, key), "%s must be an object", key);
        return NULL;
    }
    return x;
}

static void validate_databases(vctx *v, const gql_val *input, const char *prefix, adx_cluster *out) {
    const gql_val *l = list_field(v, input, prefix, "databases", ADX_MAX_DATABASES);
    if (!l) return;
    static const char *const keys[] = {"databaseName", "telemetryType", "retentionInDays", NULL};
    static const char *const types[] = {"Metrics", "Logs", "Traces"};
    out->databases = arena_alloc(v->a, (l->list.count ? l->list.count : 1) * sizeof *out->databases);
    for (size_t i = 0; i < l->list.count; i++) {
        const gql_val *d = &l->list.items[i];
        const char *p = arena_printf(v->a, "%s.databases[%zu]", prefix, i);
        if (d->kind != GQL_V_MAP) {
            adx_errors_add(v->errs, p, "each database must be an object");
            continue;
        }
        check_keys(v, d, p, keys);
        adx_database db = {.exists = -1, .actual_retention_days = -1, .retention_days = ADX_DEFAULT_RETENTION_DAYS};
        db.name = simple_name(v, d, p, "databaseName", ADX_MAX_DB_NAME, true);
        bool bad = false;
        const char *tt = str_field(v, d, p, "telemetryType", 16, &bad);
        for (size_t t = 0; tt && t < 3; t++)
            if (strcasecmp(tt, types[t]) == 0) db.telemetry_type = types[t];
        if (!db.telemetry_type && !bad)
            adx_errors_add(v->errs, path(v, p, "telemetryType"), "telemetryType must be one of Metrics, Logs, Traces");
        const gql_val *r = gql_map_get(d, "retentionInDays");
        if (!gql_is_null(r)) {
            if (r->kind != GQL_V_INT || r->i < 1 || r->i > ADX_MAX_RETENTION_DAYS)
                adx_errors_add(v->errs, path(v, p, "retentionInDays"),
                               "retentionInDays must be an integer from 1 to %d", ADX_MAX_RETENTION_DAYS);
            else
                db.retention_days = (int)r->i;
        }
        for (size_t j = 0; db.name && j < out->ndatabases; j++)
            if (out->databases[j].name && strcmp(out->databases[j].name, db.name) == 0) {
                adx_errors_add(v->errs, path(v, p, "databaseName"), "database %s is listed twice", db.name);
                db.name = NULL;
            }
        if (db.name && db.telemetry_type) out->databases[out->ndatabases++] = db;
    }
}

static void validate_auth(vctx *v, const gql_val *input, const char *prefix, adx_cluster *out) {
    memset(&out->auth, 0, sizeof out->auth);
    const gql_val *au = object_field(v, input, prefix, "auth");
    if (!au) return;
    const char *p = path(v, prefix, "auth");
    static const char *const keys[] = {"kind", "token", "tenantId", "clientId", "clientSecret", NULL};
    check_keys(v, au, p, keys);
    bool bad = false;
    const char *kind = str_field(v, au, p, "kind", 32, &bad);
    if (!kind || adx_auth_kind_parse(kind, &out->auth.kind) != 0) {
        if (!bad)
            adx_errors_add(v->errs, path(v, p, "kind"),
                           "kind must be one of NONE, TOKEN, MANAGED_IDENTITY, CLIENT_SECRET");
        return;
    }
    bad = false;
    out->auth.token = str_field(v, au, p, "token", ADX_MAX_SECRET, &bad);
    out->auth.tenant_id = str_field(v, au, p, "tenantId", ADX_MAX_ID, &bad);
    out->auth.client_id = str_field(v, au, p, "clientId", ADX_MAX_ID, &bad);
    out->auth.client_secret = str_field(v, au, p, "clientSecret", ADX_MAX_SECRET, &bad);
    kusto_auth_kind k = out->auth.kind;
    /* A field that the kind does not use is a mistake worth reporting (a secret sent for nothing). */
    if (out->auth.token && k != KUSTO_AUTH_TOKEN)
        adx_errors_add(v->errs, path(v, p, "token"), "token is used only with kind TOKEN");
    if (out->auth.tenant_id && k != KUSTO_AUTH_CLIENT_SECRET)
        adx_errors_add(v->errs, path(v, p, "tenantId"), "tenantId is used only with kind CLIENT_SECRET");
    if (out->auth.client_secret && k != KUSTO_AUTH_CLIENT_SECRET)
        adx_errors_add(v->errs, path(v, p, "clientSecret"), "clientSecret is used only with kind CLIENT_SECRET");
    if (out->auth.client_id && k != KUSTO_AUTH_CLIENT_SECRET && k != KUSTO_AUTH_MANAGED_IDENTITY)
        adx_errors_add(v->errs, path(v, p, "clientId"),
                       "clientId is used only with kinds CLIENT_SECRET and MANAGED_IDENTITY");
    /* The tenant goes into the token URL path and ids into a query string: plain characters only. */
    const char *ids[] = {out->auth.tenant_id, out->auth.client_id};
    const char *names[] = {"tenantId", "clientId"};
    for (size_t i = 0; i < 2; i++) {
        if (!ids[i]) continue;
        bool ok = *ids[i] != '\0';
        for (const char *c = ids[i]; *c && ok; c++)
            ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
                 *c == '.' || *c == '_';
        if (!ok)
            adx_errors_add(v->errs, path(v, p, names[i]), "%s must be 1 to %d characters of A-Z a-z 0-9 - . _",
                           names[i], ADX_MAX_ID);
    }
    if (out->auth.token && !*out->auth.token) adx_errors_add(v->errs, path(v, p, "token"), "token must not be empty");
    if (out->auth.client_secret && !*out->auth.client_secret)
        adx_errors_add(v->errs, path(v, p, "clientSecret"), "clientSecret must not be empty");
}

static void validate_targets(vctx *v, const gql_val *input, const char *prefix, adx_cluster *out) {
    const gql_val *l = list_field(v, input, prefix, "federatedClusters", ADX_MAX_TARGETS);
    if (!l) return;
    if (out->role != ADX_ROLE_PARTITION) {
        adx_errors_add(v->errs, path(v, prefix, "federatedClusters"),
                       "federatedClusters is for role PARTITION (where a partition sends its heartbeats)");
        return;
    }
    static const char *const keys[] = {"endpoint", "heartbeatDatabase", "heartbeatTable", "managedIdentityClientId",
                                       NULL};
    out->targets = arena_alloc(v->a, (l->list.count ? l->list.count : 1) * sizeof *out->targets);
    for (size_t i = 0; i < l->list.count; i++) {
        const gql_val *t = &l->list.items[i];
        const char *p = arena_printf(v->a, "%s.federatedClusters[%zu]", prefix, i);
        if (t->kind != GQL_V_MAP) {
            adx_errors_add(v->errs, p, "each federated cluster must be an object");
            continue;
        }
        check_keys(v, t, p, keys);
        adx_target x = {0};
        size_t before = v->errs->count;
        x.endpoint = endpoint_field(v, t, p, "endpoint");
        x.heartbeat_database = simple_name(v, t, p, "heartbeatDatabase", ADX_MAX_DB_NAME, true);
        x.heartbeat_table = simple_name(v, t, p, "heartbeatTable", ADX_MAX_TABLE_NAME, true);
        bool bad = false;
        x.managed_identity_client_id = str_field(v, t, p, "managedIdentityClientId", ADX_MAX_ID, &bad);
        if (x.managed_identity_client_id && !*x.managed_identity_client_id) x.managed_identity_client_id = NULL;
        for (const char *c = x.managed_identity_client_id; c && *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-')) {
                adx_errors_add(v->errs, path(v, p, "managedIdentityClientId"),
                               "managedIdentityClientId must be a client id (A-Z a-z 0-9 -)");
                break;
            }
        if (v->errs->count != before) continue;
        for (size_t j = 0; j < out->ntargets; j++)
            if (strcmp(out->targets[j].endpoint, x.endpoint) == 0 &&
                strcmp(out->targets[j].heartbeat_database, x.heartbeat_database) == 0 &&
                strcmp(out->targets[j].heartbeat_table, x.heartbeat_table) == 0) {
                adx_errors_add(v->errs, path(v, p, "endpoint"), "this heartbeat target is listed twice");
                x.endpoint = NULL;
            }
        if (x.endpoint) out->targets[out->ntargets++] = x;
    }
}

/* partitioning: a JSON object (seed 001: open-ended map of partitioning attributes), stored as sorted compact
 * JSON so that identical maps compare equal. */
static void validate_partitioning(vctx *v, const gql_val *input, const char *prefix, adx_cluster *out) {
    const gql_val *m = gql_map_get(input, "partitioning");
    if (gql_is_null(m)) return;
    if (out->role != ADX_ROLE_PARTITION) {
        adx_errors_add(v->errs, path(v, prefix, "partitioning"), "partitioning is for role PARTITION");
        return;
    }
    if (m->kind != GQL_V_MAP) {
        adx_errors_add(v->errs, path(v, prefix, "partitioning"), "partitioning must be a JSON object");
        return;
    }
    buf_t b = BUF_INIT;
    json_t *j = NULL;
    if (gql_val_write_json(m, &b) == 0) j = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!text)
        adx_errors_add(v->errs, path(v, prefix, "partitioning"), "partitioning must be a JSON object");
    else if (strlen(text) > ADX_MAX_PARTITIONING)
        adx_errors_add(v->errs, path(v, prefix, "partitioning"), "partitioning must be at most %d bytes of JSON",
                       ADX_MAX_PARTITIONING);
    else
        out->partitioning = arena_strdup(v->a, text);
    free(text);
    json_decref(j);
    buf_free(&b);
}

static bool folder_valid(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > ADX_MAX_FOLDER || s[0] == ' ' || s[n - 1] == ' ') return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("_-. /\\", *s)))
            return false;
    return true;
}

static void validate_federated(vctx *v, const gql_val *input, const char *prefix, adx_cluster *out) {
    static const char *const fed_keys[] = {"heartbeatDatabase", "heartbeatTable", "heartbeatTTL", "macroExpand"};
    if (out->role != ADX_ROLE_FEDERATED) {
        for (size_t i = 0; i < 4; i++)
            if (!gql_is_null(gql_map_get(input, fed_keys[i])))
                adx_errors_add(v->errs, path(v, prefix, fed_keys[i]),
                               "%s is for role FEDERATED (partitions name their targets in federatedClusters)",
                               fed_keys[i]);
        return;
    }
    out->heartbeat_database = simple_name(v, input, prefix, "heartbeatDatabase", ADX_MAX_DB_NAME, true);
    out->heartbeat_table = simple_name(v, input, prefix, "heartbeatTable", ADX_MAX_TABLE_NAME, true);
    const gql_val *ttl = gql_map_get(input, "heartbeatTTL");
    if (!gql_is_null(ttl)) {
        int64_t secs = -1;
        if (ttl->kind == GQL_V_INT)
            secs = ttl->i;
        else if (ttl->kind == GQL_V_STRING && duration_parse(ttl->s.ptr, ttl->s.len, &secs) != 0)
            secs = -1;
        if (secs <= 0 || secs > ADX_MAX_TTL)
            adx_errors_add(v->errs, path(v, prefix, "heartbeatTTL"),
                           "heartbeatTTL must be a positive duration of at most 30d, e.g. \"1h\"");
        else
            out->heartbeat_ttl = secs;
    }
    const gql_val *me = object_field(v, input, prefix, "macroExpand");
    if (!me) return;
    const char *p = path(v, prefix, "macroExpand");
    static const char *const keys[] = {"functionPrefix", "bestEffort", "folder", NULL};
    check_keys(v, me, p, keys);
    bool bad = false;
    const char *pre = str_field(v, me, p, "functionPrefix", ADX_MAX_PREFIX, &bad);
    if (pre && *pre && !adx_simple_name_valid(pre, strlen(pre), ADX_MAX_PREFIX))
        adx_errors_add(v->errs, path(v, p, "functionPrefix"), "functionPrefix must match ^[a-zA-Z0-9_]*$");
    else
        out->function_prefix = pre;
    const gql_val *be = gql_map_get(me, "bestEffort");
    if (!gql_is_null(be)) {
        if (be->kind != GQL_V_BOOL)
            adx_errors_add(v->errs, path(v, p, "bestEffort"), "bestEffort must be true or false");
        else
            out->best_effort = be->b ? 1 : 0;
    }
    const char *folder = str_field(v, me, p, "folder", ADX_MAX_FOLDER, &bad);
    if (folder && !folder_valid(folder))
        adx_errors_add(v->errs, path(v, p, "folder"),
                       "folder must be 1 to %d characters of A-Z a-z 0-9 _ - . / \\ and inner spaces", ADX_MAX_FOLDER);
    else
        out->folder = folder;
}

int adx_cluster_validate(arena_t *a, const gql_val *input, const char *prefix, bool strict, adx_cluster *out,
                         adx_errors *errs) {
    memset(out, 0, sizeof *out);
    out->best_effort = -1;
    out->source = "api";
    vctx v = {a, errs, strict};
    size_t before = errs->count;
    if (!input || input->kind != GQL_V_MAP) {
        adx_errors_add(errs, prefix, "the cluster must be an object");
        return -1;
    }
    static const char *const keys[] = {"name",           "endpoint",          "role",         "databases",
                                       "auth",           "federatedClusters", "partitioning", "heartbeatDatabase",
                                       "heartbeatTable", "heartbeatTTL",      "macroExpand",  NULL};
    check_keys(&v, input, prefix, keys);
    bool bad = false;
    out->name = str_field(&v, input, prefix, "name", ADX_MAX_CLUSTER_NAME, &bad);
    if (!out->name && !bad)
        adx_errors_add(errs, path(&v, prefix, "name"), "name is required");
    else if (out->name && !adx_cluster_name_valid(out->name, strlen(out->name)))
        adx_errors_add(errs, path(&v, prefix, "name"), "name must match ^[a-zA-Z0-9-]+$ (1 to 100 characters)");
    bad = false;
    const char *role = str_field(&v, input, prefix, "role", 16, &bad);
    out->role = ADX_ROLE_PARTITION;
    if (role) {
        if (strcasecmp(role, "FEDERATED") == 0)
            out->role = ADX_ROLE_FEDERATED;
        else if (strcasecmp(role, "PARTITION") != 0)
            adx_errors_add(errs, path(&v, prefix, "role"), "role must be PARTITION or FEDERATED");
    }
    validate_auth(&v, input, prefix, out);
    out->endpoint = endpoint_field(&v, input, prefix, "endpoint");
    if (out->endpoint && !adx_endpoint_allows_auth(out->endpoint, out->auth.kind))
        adx_errors_add(errs, path(&v, prefix, "endpoint"),
                       "endpoint must use https:// when auth is %s (http:// is only for auth NONE or 127.0.0.1)",
                       adx_auth_kind_name(out->auth.kind));
    validate_databases(&v, input, prefix, out);
    validate_targets(&v, input, prefix, out);
    for (size_t i = 0; i < out->ntargets; i++) {
        kusto_target t = adx_heartbeat_target(out, &out->targets[i]);
        if (!adx_endpoint_allows_auth(t.endpoint, t.auth.kind))
            adx_errors_add(errs, arena_printf(a, "%s.federatedClusters[%zu].endpoint", prefix, i),
                           "endpoint must use https:// when heartbeats carry auth %s", adx_auth_kind_name(t.auth.kind));
    }
    validate_partitioning(&v, input, prefix, out);
    validate_federated(&v, input, prefix, out);
    return errs->count == before ? 0 : -1;
}

void adx_cluster_complete_secrets(adx_cluster *c, const adx_cluster *existing, const char *prefix, adx_errors *errs) {
    kusto_auth *au = &c->auth;
    const kusto_auth *old = existing && existing->auth.kind == au->kind ? &existing->auth : NULL;
    arena_t *a = errs->arena;
    if (au->kind == KUSTO_AUTH_TOKEN && !au->token) {
        if (old && old->token)
            au->token = old->token;
        else
            adx_errors_add(errs, arena_printf(a, "%s.auth.token", prefix), "token is required for kind TOKEN");
    }
    if (au->kind == KUSTO_AUTH_CLIENT_SECRET) {
        if (!au->tenant_id && old) au->tenant_id = old->tenant_id;
        if (!au->client_id && old) au->client_id = old->client_id;
        if (!au->client_secret && old) au->client_secret = old->client_secret;
        if (!au->tenant_id)
            adx_errors_add(errs, arena_printf(a, "%s.auth.tenantId", prefix), "tenantId is required for CLIENT_SECRET");
        if (!au->client_id)
            adx_errors_add(errs, arena_printf(a, "%s.auth.clientId", prefix), "clientId is required for CLIENT_SECRET");
        if (!au->client_secret)
            adx_errors_add(errs, arena_printf(a, "%s.auth.clientSecret", prefix),
                           "clientSecret is required for CLIENT_SECRET");
    }
}

/* ---- lookups (shared contract) ---- */

static int fill_ref(adx_cluster *c, adx_cluster_ref *out) {
    out->id = c->id;
    out->name = c->name;
    out->endpoint = c->endpoint;
    out->role = adx_role_name(c->role);
    out->target = adx_cluster_target(c);
    return 0;
}

int adx_cluster_lookup(store_t *st, arena_t *a, const char *name, adx_cluster_ref *out, char *err, size_t errlen) {
    adx_cluster c;
    if (!name) return 1;
    int rc = fed_store_cluster_get(st, a, name, 0, &c, err, errlen);
    if (rc == 0) fill_ref(&c, out);
    return rc;
}

int adx_cluster_lookup_id(store_t *st, arena_t *a, int64_t id, adx_cluster_ref *out, char *err, size_t errlen) {
    adx_cluster c;
    int rc = fed_store_cluster_get(st, a, NULL, id, &c, err, errlen);
    if (rc == 0) fill_ref(&c, out);
    return rc;
}

/* ---- --adx-config ---- */

#define ADX_CONFIG_MAX_BYTES (1 << 20)

static char *read_file(const char *path, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "--adx-config %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(ADX_CONFIG_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, ADX_CONFIG_MAX_BYTES + 1, f) : 0;
    bool bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > ADX_CONFIG_MAX_BYTES) {
        snprintf(err, errlen, "--adx-config %s: %s", path, bad ? "cannot read the file" : "larger than 1 MiB");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The first error, as "cluster "NAME" (clusters[i]): field: message"; the rest counted. */
static void file_error(char *err, size_t errlen, const char *path, const char *cluster, size_t index,
                       const adx_errors *e) {
    snprintf(err, errlen, "--adx-config %s: cluster \"%s\" (clusters[%zu]): %s: %s%s", path, cluster ? cluster : "?",
             index, e->items[0].field ? e->items[0].field : "(cluster)", e->items[0].message,
             e->count > 1 ? " (and more errors)" : "");
}

int adx_config_load_file(store_t *st, const char *path, int64_t now, size_t *applied, char *err, size_t errlen) {
    *applied = 0;
    size_t len = 0;
    char *text = read_file(path, &len, err, errlen);
    if (!text) return -1;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!root) {
        snprintf(err, errlen, "--adx-config %s: not JSON (line %d, column %d: %s)", path, jerr.line, jerr.column,
                 jerr.text);
        return -1;
    }
    arena_t *a = arena_new();
    int rc = -1;
    json_t *list = json_is_object(root) ? json_object_get(root, "clusters") : NULL;
    const char *key;
    json_t *val;
    if (!list || !json_is_array(list)) {
        snprintf(err, errlen, "--adx-config %s: must be an object {\"clusters\": [ ... ]}", path);
        goto out;
    }
    json_object_foreach(root, key, val) {
        if (strcmp(key, "clusters") != 0) {
            snprintf(err, errlen, "--adx-config %s: unknown top-level field \"%.60s\" (only \"clusters\")", path, key);
            goto out;
        }
    }
    size_t n = json_array_size(list);
    if (n > ADX_MAX_CLUSTERS) {
        snprintf(err, errlen, "--adx-config %s: more than %d clusters", path, ADX_MAX_CLUSTERS);
        goto out;
    }
    adx_cluster *cs = arena_alloc(a, (n ? n : 1) * sizeof *cs);
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(list, i);
        gql_val in = gql_val_from_json(a, j);
        adx_errors e = {.arena = a};
        const char *prefix = arena_printf(a, "clusters[%zu]", i);
        const char *name = json_string_value(json_object_get(j, "name"));
        if (adx_cluster_validate(a, &in, prefix, true, &cs[i], &e) != 0) {
            file_error(err, errlen, path, name, i, &e);
            goto out;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(cs[k].name, cs[i].name) == 0) {
                snprintf(err, errlen, "--adx-config %s: cluster \"%s\" (clusters[%zu]): %s.name: listed twice", path,
                         cs[i].name, i, prefix);
                goto out;
            }
        cs[i].source = arena_strdup(a, path);
    }
    if (store_begin(st) != 0) {
        snprintf(err, errlen, "--adx-config %s: cannot open a transaction", path);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        adx_cluster old;
        char e2[256] = "";
        int got = fed_store_cluster_get(st, a, cs[i].name, 0, &old, e2, sizeof e2);
        if (got < 0) {
            snprintf(err, errlen, "--adx-config %s: %s", path, e2);
            store_rollback(st);
            goto out;
        }
        adx_errors e = {.arena = a};
        adx_cluster_complete_secrets(&cs[i], got == 0 ? &old : NULL, arena_printf(a, "clusters[%zu]", i), &e);
        if (e.count) {
            file_error(err, errlen, path, cs[i].name, i, &e);
            store_rollback(st);
            goto out;
        }
        bool changed = false;
        if (fed_store_cluster_put(st, &cs[i], now, &changed, e2, sizeof e2) != 0) {
            snprintf(err, errlen, "--adx-config %s: cluster \"%s\": %s", path, cs[i].name, e2);
            store_rollback(st);
            goto out;
        }
        if (changed) (*applied)++;
    }
    if (store_commit(st) != 0) {
        store_rollback(st);
        snprintf(err, errlen, "--adx-config %s: cannot commit", path);
        goto out;
    }
    log_info("adx config applied", "file=\"%s\" clusters=%zu changed=%zu", path, n, *applied);
    rc = 0;
out:
    json_decref(root);
    arena_free(a);
    return rc;
}
