/* synthetic.c -- synthetic Kafka entities (seed 004, Synthetic Entity Creation API and Security
 * Model): createSyntheticKafkaEntity needs a SYNTHETIC or ADMIN key of the account and the
 * account's syntheticPermission; refusals and invalid fields come back in the payload
 * (success: false, errors with the field), not as GraphQL errors. Entities are provider API,
 * synthetic, and expire at creation + ttl (the cleanup thread removes them). */
#include "kafka/synthetic.h"

#include <stdarg.h>
#include <string.h>

#include "auth/auth.h"
#include "context.h"
#include "payload.h"
#include "kafka/identity.h"
#include "kafka/query.h"
#include "kafka/relationships.h"
#include "kafka/tenant.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/utf8.h"

bool kafka_cluster_name_valid(const char *s, size_t len) {
    if (len == 0 || len > KAFKA_SYNTHETIC_NAME_MAX) return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-';
        if (!ok) return false;
    }
    return true;
}

/* ---- payloads ---- */

/* {entity?, success, errors} (payload.h). */
static gql_val payload(user_errors *ue, const char *object_key, gql_val object) {
    return user_payload(ue, &object_key, &object, object_key ? 1 : 0);
}

/* Level check shared by both mutations: a SYNTHETIC or ADMIN key (seed 004 AuthorizationLevel). */
static bool level_allows(request_ctx *ctx, user_errors *ue, const char *what) {
    if (ctx->principal.level >= AUTH_SYNTHETIC) return true;
    user_error_add(ue, NULL, "API key level %s may not %s synthetic entities: SYNTHETIC or ADMIN is required",
              auth_level_name(ctx->principal.level), what);
    return false;
}

/* A string input field as a NUL-terminated arena copy; NULL when absent or null. */
static const char *input_str(arena_t *a, const gql_val *input, const char *key, size_t *len) {
    const gql_val *v = gql_map_get(input, key);
    if (gql_is_null(v) || (v->kind != GQL_V_STRING && v->kind != GQL_V_ENUM)) return NULL;
    *len = v->s.len;
    return arena_strndup(a, v->s.ptr, v->s.len);
}

static bool all_space(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') return false;
    return true;
}

typedef struct {
    int64_t account_id;
    const char *type; /* stored KafkaEntityType */
    const char *name;
    const char *cluster_name;
    const char *metadata; /* JSON object text or NULL */
    int64_t ttl;
} synthetic_input;

/* Field validation (seed 004 input): every bad field is reported, not only the first. */
static void validate_input(request_ctx *ctx, const gql_val *input, synthetic_input *in, user_errors *ue) {
    arena_t *a = ue->arena;
    size_t len = 0;

    const char *type = input_str(a, input, "type", &len);
    in->type = type ? kafka_type_resolve("api", type) : NULL;
    if (!in->type) user_error_add(ue, "input.type", "type must be a KafkaEntityType");

    len = 0;
    in->name = input_str(a, input, "name", &len);
    if (!in->name || len == 0 || all_space(in->name, len))
        user_error_add(ue, "input.name", "name must not be empty");
    else if (len > KAFKA_SYNTHETIC_NAME_MAX || memchr(in->name, '\0', len))
        user_error_add(ue, "input.name", "name must be at most %d bytes without NUL characters", KAFKA_SYNTHETIC_NAME_MAX);

    len = 0;
    in->cluster_name = input_str(a, input, "clusterName", &len);
    if (!in->cluster_name || !kafka_cluster_name_valid(in->cluster_name, len))
        user_error_add(ue, "input.clusterName", "clusterName must be 1 to %d characters of A-Z a-z 0-9 . _ -",
                  KAFKA_SYNTHETIC_NAME_MAX);

    /* ttl: absent or null means the configured maximum (--synthetic-max-ttl). */
    int64_t max_ttl = ctx->cfg ? ctx->cfg->synthetic_max_ttl : 604800;
    in->ttl = max_ttl;
    const gql_val *ttl = gql_map_get(input, "ttl");
    if (!gql_is_null(ttl)) {
        in->ttl = ttl->kind == GQL_V_INT ? ttl->i : 0;
        if (in->ttl <= 0)
            user_error_add(ue, "input.ttl", "ttl must be a positive number of seconds");
        else if (in->ttl > max_ttl)
            user_error_add(ue, "input.ttl", "ttl must be at most %lld seconds", (long long)max_ttl);
    }

    in->metadata = NULL;
    const gql_val *md = gql_map_get(input, "metadata");
    if (!gql_is_null(md)) {
        if (md->kind != GQL_V_MAP) {
            user_error_add(ue, "input.metadata", "metadata must be a JSON object");
        } else {
            buf_t b = BUF_INIT;
            if (gql_val_write_json(md, &b) < 0)
                user_error_add(ue, "input.metadata", "metadata must be a JSON object");
            else if (b.len > KAFKA_SYNTHETIC_METADATA_MAX)
                user_error_add(ue, "input.metadata", "metadata must be at most %d bytes of JSON",
                          KAFKA_SYNTHETIC_METADATA_MAX);
            else
                in->metadata = arena_strndup(a, buf_cstr(&b), b.len);
            buf_free(&b);
        }
    }
}

/* Who may create for the account: the key's own account (ADMIN: any), and the account's
 * syntheticPermission (seed 004 validateAuthorization, case 'api'). */
static bool account_allows(request_ctx *ctx, int64_t account_id, user_errors *ue) {
    if (!auth_may_access_account(&ctx->principal, account_id)) {
        user_error_add(ue, "input.accountId", "the API key belongs to account %lld, not account %lld",
                  (long long)ctx->principal.account_id, (long long)account_id);
        return false;
    }
    account_t acc;
    int rc = auth_account_get(ctx->store, account_id, ue->arena, &acc);
    if (rc == 1) {
        user_error_add(ue, "input.accountId", "account %lld does not exist", (long long)account_id);
        return false;
    }
    if (rc < 0) {
        user_error_add(ue, NULL, "internal error while reading account %lld", (long long)account_id);
        return false;
    }
    if (!acc.synthetic_permission) {
        user_error_add(ue, "input.accountId",
                  "account %lld does not have syntheticPermission: synthetic entity creation not allowed",
                  (long long)account_id);
        return false;
    }
    return true;
}

static const char UPSERT_SQL[] =
    "INSERT INTO entities (guid, account_id, type, provider, name, cluster_name, tenant, synthetic, created_at, "
    "  last_seen, expires_at, metadata, alert_severity) "
    "VALUES (?1, ?2, ?3, 'API', ?4, ?5, ?6, 1, ?7, ?7, ?8, ?9, 'NOT_ALERTING') "
    "ON CONFLICT(guid) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen, "
    "  expires_at = excluded.expires_at, metadata = excluded.metadata "
    "WHERE entities.synthetic = 1";

static const char TENANT_SQL[] =
    "INSERT INTO tenants (account_id, id, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3) "
    "ON CONFLICT(account_id, id) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)";

/* Writes the entity, its tenant and its inferred relationships (a synthetic broker or topic is
 * CONTAINed / HOSTed by the synthetic cluster of the same clusterName, as for reported ones) in one
 * transaction. 0, 1 when a non-synthetic entity already has this identity, -1 on a store error. */
static int store_synthetic(store_t *s, arena_t *a, const kafka_identity *id, const char *guid,
                           const synthetic_input *in, int64_t now) {
    const char *tenant = id->tenant;
    sqlite3 *db = store_db(s);
    if (store_begin(s) < 0) return -1;
    sqlite3_stmt *st = NULL;
    int ret = -1;
    if (tenant) {
        if (!(st = store_stmt(s, TENANT_SQL))) goto fail;
        sqlite3_bind_int64(st, 1, in->account_id);
        sqlite3_bind_text(st, 2, tenant, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        if (sqlite3_step(st) != SQLITE_DONE) goto fail;
        sqlite3_reset(st);
        st = NULL;
    }
    if (!(st = store_stmt(s, UPSERT_SQL))) goto fail;
    sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, in->account_id);
    sqlite3_bind_text(st, 3, in->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, in->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, in->cluster_name, -1, SQLITE_STATIC);
    if (tenant)
        sqlite3_bind_text(st, 6, tenant, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_int64(st, 8, now + in->ttl);
    if (in->metadata)
        sqlite3_bind_text(st, 9, in->metadata, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 9);
    if (sqlite3_step(st) != SQLITE_DONE) goto fail;
    ret = sqlite3_changes(db) > 0 ? 0 : 1;
    sqlite3_reset(st);
    st = NULL;
    if (ret != 0) {
        store_rollback(s);
        return ret;
    }
    kafka_rel_entity rel = {.id = *id, .guid = guid, .name = in->name};
    if (kafka_relationships_store(s, a, in->account_id, &rel, now) < 0) goto fail;
    if (store_commit(s) < 0) {
        store_rollback(s);
        return -1;
    }
    return 0;
fail:
    log_error("synthetic entity write failed", "err=\"%s\"", sqlite3_errmsg(db));
    if (st) sqlite3_reset(st);
    store_rollback(s);
    return -1;
}

int kafka_create_synthetic(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    request_ctx *ctx = info->context;
    if (!ctx->principal.authenticated) return auth_require_level(info, AUTH_SYNTHETIC);
    user_errors ue = {.arena = info->arena};
    const gql_val *input = gql_map_get(args, "input");
    synthetic_input in = {0};
    if (!gql_arg_int(input, "accountId", &in.account_id)) user_error_add(&ue, "input.accountId", "accountId is required");

    if (ue.nerrors == 0 && level_allows(ctx, &ue, "create") && account_allows(ctx, in.account_id, &ue))
        validate_input(ctx, input, &in, &ue);
    if (ue.nerrors) {
        *out = payload(&ue, "entity", gql_null());
        return 0;
    }

    const char *tenant = NULL;
    if (kafka_tenant_of(info->arena, NULL, ctx->cfg, &tenant) < 0) tenant = NULL;
    kafka_identity id = {
        .account_id = in.account_id,
        .tenant = tenant,
        .provider = "api",
        .type = in.type,
        .cluster_name = in.cluster_name,
        .member = kafka_type_kind(in.type) == KAFKA_KIND_CLUSTER ? NULL : in.name,
    };
    const char *guid = kafka_guid(info->arena, &id);
    if (!guid) return gql_resolver_error(info, GQL_CODE_INTERNAL, "could not compute the entity GUID");

    int rc = store_synthetic(ctx->store, info->arena, &id, guid, &in, ctx->now);
    if (rc < 0) return gql_resolver_error(info, GQL_CODE_INTERNAL, "internal error while storing the entity");
    if (rc == 1) {
        user_error_add(&ue, "input.name", "a reported (not synthetic) entity already has this identity");
        *out = payload(&ue, "entity", gql_null());
        return 0;
    }
    kafka_entity *e = NULL;
    char err[256] = "";
    if (kafka_get_entity(ctx->store, info->arena, guid, in.account_id, &e, err, sizeof err) != 0) {
        log_error("synthetic entity reload failed", "guid=\"%s\" err=\"%s\"", guid, err);
        return gql_resolver_error(info, GQL_CODE_INTERNAL, "internal error while reading the entity");
    }
    log_info("synthetic entity created", "account=%lld guid=\"%s\" ttl=%lld", (long long)in.account_id, guid,
             (long long)in.ttl);
    *out = payload(&ue, "entity", gql_object(e, NULL));
    return 0;
}

int kafka_delete_synthetic(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    request_ctx *ctx = info->context;
    if (!ctx->principal.authenticated) return auth_require_level(info, AUTH_SYNTHETIC);
    user_errors ue = {.arena = info->arena};
    const gql_val *g = gql_map_get(args, "guid");
    const char *guid = NULL;
    if (!gql_is_null(g) && g->kind == GQL_V_STRING && g->s.len <= KAFKA_MAX_FILTER_STRING &&
        !memchr(g->s.ptr, '\0', g->s.len))
        guid = arena_strndup(info->arena, g->s.ptr, g->s.len);
    if (!level_allows(ctx, &ue, "delete")) {
        *out = payload(&ue, NULL, gql_null());
        return 0;
    }
    kafka_entity *e = NULL;
    char err[256] = "";
    int64_t account = ctx->principal.level == AUTH_ADMIN ? -1 : ctx->principal.account_id;
    int rc = guid ? kafka_get_entity(ctx->store, info->arena, guid, account, &e, err, sizeof err) : 1;
    if (rc < 0) return gql_resolver_error(info, GQL_CODE_INTERNAL, "internal error while reading the entity");
    if (rc == 1) {
        user_error_add(&ue, "guid", "no entity with this GUID in an account the API key may read");
    } else if (!e->synthetic) {
        user_error_add(&ue, "guid", "entity is not synthetic: only synthetic entities can be deleted");
    } else {
        /* Relationships go with it (trigger entities_delete_relationships). */
        sqlite3 *db = store_db(ctx->store);
        sqlite3_stmt *st = store_stmt(ctx->store, "DELETE FROM entities WHERE guid = ?1 AND synthetic = 1");
        if (!st || sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
            log_error("synthetic entity delete failed", "guid=\"%s\" err=\"%s\"", guid, sqlite3_errmsg(db));
            if (st) sqlite3_reset(st);
            return gql_resolver_error(info, GQL_CODE_INTERNAL, "internal error while deleting the entity");
        }
        if (sqlite3_changes(db) == 0) user_error_add(&ue, "guid", "entity was deleted concurrently");
        sqlite3_reset(st);
        if (ue.nerrors == 0)
            log_info("synthetic entity deleted", "account=%lld guid=\"%s\"", (long long)e->account_id, guid);
    }
    *out = payload(&ue, NULL, gql_null());
    return 0;
}
