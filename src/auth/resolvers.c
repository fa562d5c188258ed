/* resolvers.c -- GraphQL resolvers for accounts and API keys (schema/base.graphql,
 * schema/accounts.graphql; seed 004 Security Model; issue 2), and the authorization helpers that
 * every module's resolvers use.
 *
 * An Account value is a GQL_V_MAP with the keys "id" (INT), "name", "awsIntegration",
 * "syntheticPermission" and "infrastructureAgents", so other modules' Account fields (kafka,
 * tenants) read the account id with gql_map_get(parent, "id"). Account.* resolvers also accept a
 * GQL_V_OBJECT holding an account_t.
 *
 * Authorization: no or a bad key -> UNAUTHENTICATED; a key may read only its own account unless
 * it is ADMIN (otherwise FORBIDDEN, whether or not the account exists, so a key cannot probe
 * for accounts); an ADMIN key asking for a missing account gets null without an error. Bad
 * mutation input is reported in the payload's errors (UserError), not as a GraphQL error. */
#include <string.h>

#include "auth/auth.h"
#include "auth/auth_internal.h"
#include "context.h"
#include "payload.h"
#include "graphql/error.h"
#include "util/log.h"

static request_ctx *rctx(gql_resolve_info *info) {
    return (request_ctx *)info->context;
}

static bool authenticated(gql_resolve_info *info) {
    request_ctx *c = rctx(info);
    return c && c->principal.authenticated && c->store;
}

int auth_require_level(gql_resolve_info *info, auth_level_t level) {
    if (!authenticated(info))
        return gql_resolver_error(info, GQL_CODE_UNAUTHENTICATED, "a valid API key is required (header API-Key)");
    const principal_t *p = &rctx(info)->principal;
    if (p->level < level)
        return gql_resolver_error(info, GQL_CODE_FORBIDDEN,
                                  "this needs an API key of level %s or higher; this key is %s", auth_level_name(level),
                                  auth_level_name(p->level));
    return 0;
}

int auth_require_account(gql_resolve_info *info, int64_t account_id) {
    if (!authenticated(info))
        return gql_resolver_error(info, GQL_CODE_UNAUTHENTICATED, "a valid API key is required (header API-Key)");
    const principal_t *p = &rctx(info)->principal;
    if (!auth_may_access_account(p, account_id))
        return gql_resolver_error(info, GQL_CODE_FORBIDDEN, "this API key may not read account %lld",
                                  (long long)account_id);
    return 0;
}

static int internal(gql_resolve_info *info, const char *what) {
    log_error("auth resolver failed", "what=\"%s\"", what);
    return gql_resolver_error(info, GQL_CODE_INTERNAL, "internal error: %s", what);
}

/* ---- values ---- */

static gql_val account_value(arena_t *a, const account_t *acc) {
    gql_val m = gql_map(a, 5);
    gql_map_set(a, &m, "id", gql_int(acc->id));
    gql_map_set(a, &m, "name", gql_str(acc->name));
    gql_map_set(a, &m, "awsIntegration", gql_bool(acc->aws_integration));
    gql_map_set(a, &m, "syntheticPermission", gql_bool(acc->synthetic_permission));
    gql_val agents = gql_list(a, acc->ninfrastructure_agents);
    for (size_t i = 0; i < acc->ninfrastructure_agents; i++)
        agents.list.items[i] = gql_str(acc->infrastructure_agents[i]);
    gql_map_set(a, &m, "infrastructureAgents", agents);
    return m;
}

/* Loads an account as a value: 0 found, 1 not found, -1 error (already reported). */
static int load_account(gql_resolve_info *info, int64_t id, gql_val *out) {
    account_t acc;
    int rc = auth_account_get(rctx(info)->store, id, info->arena, &acc);
    if (rc < 0) return internal(info, "cannot read the account");
    *out = rc == 0 ? account_value(info->arena, &acc) : gql_null();
    return rc;
}

/* A payload {success, errors} with at most one UserError plus, on failure, the given null fields. */
static gql_val payload(arena_t *a, const char *message, const char *field, const char *const *nulls, size_t nnulls) {
    user_errors ue = {.arena = a};
    if (message) user_error_add(&ue, field, "%s", message);
    return user_payload(&ue, nulls, NULL, nnulls);
}

/* A string argument or input field copied into the arena: NULL when absent or null; *bad set
 * when it holds a NUL byte (which no name may contain). */
static const char *string_of(arena_t *a, const gql_val *v, bool *bad) {
    if (gql_is_null(v) || (v->kind != GQL_V_STRING && v->kind != GQL_V_ENUM)) return NULL;
    if (memchr(v->s.ptr, 0, v->s.len)) {
        *bad = true;
        return NULL;
    }
    return arena_strndup(a, v->s.ptr, v->s.len);
}

/* A name must have 1 to AUTH_NAME_MAX bytes and not be blank. Returns NULL when fine, else why. */
static const char *name_problem(const char *name, bool bad) {
    if (bad) return "must not contain NUL characters";
    if (!name) return "is required";
    size_t n = strlen(name);
    if (n > AUTH_NAME_MAX) return "is too long (at most 200 bytes)";
    for (size_t i = 0; i < n; i++)
        if (name[i] != ' ' && name[i] != '\t' && name[i] != '\n' && name[i] != '\r') return NULL;
    return "must not be empty";
}

/* ---- Query.actor, Actor.account, Actor.accounts ---- */

static int query_actor(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    if (auth_require_level(info, AUTH_NONE) < 0) return -1;
    *out = gql_map(info->arena, 0);
    return 0;
}

static int actor_account(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    int64_t id;
    if (!gql_arg_int(args, "id", &id)) return gql_resolver_error(info, GQL_CODE_BAD_USER_INPUT, "id is required");
    if (auth_require_account(info, id) < 0) return -1;
    return load_account(info, id, out) < 0 ? -1 : 0;
}

static int actor_accounts(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    if (auth_require_level(info, AUTH_NONE) < 0) return -1;
    const principal_t *p = &rctx(info)->principal;
    int64_t own = p->account_id, *ids = &own;
    size_t n = 1;
    if (p->level == AUTH_ADMIN && auth_account_ids(rctx(info)->store, info->arena, &ids, &n) != 0)
        return internal(info, "cannot list accounts");
    gql_val list = gql_list(info->arena, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = load_account(info, ids[i], &list.list.items[k]);
        if (rc < 0) return -1;
        if (rc == 0) k++; /* deleted meanwhile: skipped */
    }
    list.list.count = k;
    *out = list;
    return 0;
}

/* ---- Account.* ---- */

static int account_field(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    const char *name = info->field->name;
    if (parent->kind == GQL_V_OBJECT && parent->obj.ptr) {
        gql_val m = account_value(info->arena, parent->obj.ptr);
        const gql_val *v = gql_map_get(&m, name);
        *out = v ? *v : gql_null();
        return 0;
    }
    const gql_val *v = gql_map_get(parent, name);
    if (!v) return internal(info, "the parent is not an account");
    *out = *v;
    return 0;
}

/* Account.apiKeys: ADMIN only (null and FORBIDDEN otherwise). */
static int account_api_keys(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    arena_t *a = info->arena;
    int64_t id;
    if (parent->kind == GQL_V_OBJECT && parent->obj.ptr)
        id = ((const account_t *)parent->obj.ptr)->id;
    else {
        const gql_val *v = gql_map_get(parent, "id");
        if (!v || v->kind != GQL_V_INT) return internal(info, "the parent is not an account");
        id = v->i;
    }
    bool include_revoked = false;
    gql_arg_bool(args, "includeRevoked", &include_revoked);
    auth_key_info *keys;
    size_t n;
    if (auth_key_list(rctx(info)->store, id, include_revoked, a, &keys, &n) != 0)
        return internal(info, "cannot list the keys");
    gql_val list = gql_list(a, n);
    for (size_t i = 0; i < n; i++) {
        gql_val k = gql_map(a, 6);
        gql_map_set(a, &k, "id", gql_str(arena_printf(a, "%lld", (long long)keys[i].id)));
        gql_map_set(a, &k, "name", gql_str(keys[i].name));
        gql_map_set(a, &k, "level", gql_enum(auth_level_name(keys[i].level)));
        gql_map_set(a, &k, "prefix", gql_str(keys[i].prefix));
        gql_map_set(a, &k, "createdAt", gql_str(keys[i].created_at));
        gql_map_set(a, &k, "revokedAt", gql_str(keys[i].revoked_at));
        list.list.items[i] = k;
    }
    *out = list;
    return 0;
}

/* ---- Mutation.createApiKey, revokeApiKey, updateAccount (ADMIN only) ---- */

static int mutation_create_api_key(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    request_ctx *c = rctx(info);
    arena_t *a = info->arena;
    static const char *const nulls[] = {"key", "id"};
    int64_t account_id = 0;
    bool bad = false;
    const char *name = string_of(a, gql_map_get(args, "name"), &bad);
    int level = auth_level_parse(gql_arg_str(args, "level"));
    if (!gql_arg_int(args, "accountId", &account_id)) {
        *out = payload(a, "accountId is required", "accountId", nulls, 2);
        return 0;
    }
    const char *why = name_problem(name, bad);
    if (why) {
        *out = payload(a, arena_printf(a, "name %s", why), "name", nulls, 2);
        return 0;
    }
    if (level < 0) {
        *out = payload(a, "unknown authorization level", "level", nulls, 2);
        return 0;
    }
    account_t acc;
    int rc = auth_account_get(c->store, account_id, a, &acc);
    if (rc < 0) return internal(info, "cannot read the account");
    if (rc == 1) {
        *out = payload(a, arena_printf(a, "account %lld does not exist", (long long)account_id), "accountId", nulls, 2);
        return 0;
    }
    char key[AUTH_KEY_LEN + 1], err[256];
    int64_t id = 0;
    if (auth_key_create(c->store, account_id, (auth_level_t)level, name, c->now, key, &id, err, sizeof err) != 0)
        return internal(info, "cannot create the key");
    log_info("api key created", "key_id=%lld account_id=%lld level=%s by_key=%lld", (long long)id,
             (long long)account_id, auth_level_name((auth_level_t)level), (long long)c->principal.key_id);
    gql_val p = payload(a, NULL, NULL, NULL, 0);
    gql_map_set(a, &p, "key", gql_str_dup(a, key));
    gql_map_set(a, &p, "id", gql_str(arena_printf(a, "%lld", (long long)id)));
    memset(key, 0, sizeof key);
    *out = p;
    return 0;
}

/* An ID holding a positive decimal row id; -1 when it is not one. */
static int64_t parse_id(const gql_val *v) {
    if (gql_is_null(v)) return -1;
    if (v->kind == GQL_V_INT) return v->i > 0 ? v->i : -1;
    if (v->kind != GQL_V_STRING || v->s.len == 0 || v->s.len > 18) return -1;
    int64_t n = 0;
    for (size_t i = 0; i < v->s.len; i++) {
        char ch = v->s.ptr[i];
        if (ch < '0' || ch > '9') return -1;
        n = n * 10 + (ch - '0');
    }
    return n > 0 ? n : -1;
}

static int mutation_revoke_api_key(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    request_ctx *c = rctx(info);
    arena_t *a = info->arena;
    int64_t id = parse_id(gql_map_get(args, "id"));
    if (id < 0) {
        *out = payload(a, "id must be the id of an API key (a positive integer)", "id", NULL, 0);
        return 0;
    }
    switch (auth_key_revoke(c->store, id, c->now)) {
    case 0:
        *out = payload(a, NULL, NULL, NULL, 0);
        return 0;
    case 1:
        *out = payload(a, arena_printf(a, "no valid API key has id %lld", (long long)id), "id", NULL, 0);
        return 0;
    case 2:
        *out = payload(a, "the last valid ADMIN key cannot be revoked; create another ADMIN key first", "id", NULL, 0);
        return 0;
    default:
        return internal(info, "cannot revoke the key");
    }
}

/* Reads an AccountInput into *u. Returns NULL when it is valid, else a failed AccountPayload
 * (a UserError naming the input field) to return as is. */
static const gql_val *account_input(gql_resolve_info *info, const gql_val *input, auth_account_update_t *u) {
    arena_t *a = info->arena;
    static const char *const nulls[] = {"account"};
    gql_val *bad_payload = arena_alloc(a, sizeof *bad_payload);
    memset(u, 0, sizeof *u);
    if (!input || input->kind != GQL_V_MAP) {
        *bad_payload = payload(a, "input is required", "input", nulls, 1);
        return bad_payload;
    }
    const gql_val *v = gql_map_get(input, "name");
    if (!gql_is_null(v)) {
        bool bad = false;
        u->name = string_of(a, v, &bad);
        const char *why = name_problem(u->name, bad);
        if (why) {
            *bad_payload = payload(a, arena_printf(a, "name %s", why), "input.name", nulls, 1);
            return bad_payload;
        }
    }
    u->set_aws = gql_arg_bool(input, "awsIntegration", &u->aws_integration);
    u->set_synthetic = gql_arg_bool(input, "syntheticPermission", &u->synthetic_permission);
    v = gql_map_get(input, "infrastructureAgents");
    if (!gql_is_null(v)) {
        if (v->kind != GQL_V_LIST) {
            *bad_payload =
                payload(a, "infrastructureAgents must be a list of strings", "input.infrastructureAgents", nulls, 1);
            return bad_payload;
        }
        if (v->list.count > AUTH_AGENTS_MAX) {
            *bad_payload = payload(a, arena_printf(a, "at most %d infrastructure agents", AUTH_AGENTS_MAX),
                                   "input.infrastructureAgents", nulls, 1);
            return bad_payload;
        }
        const char **agents = arena_alloc(a, (v->list.count + 1) * sizeof *agents);
        for (size_t i = 0; i < v->list.count; i++) {
            bool bad = false;
            agents[i] = string_of(a, &v->list.items[i], &bad);
            const char *why = name_problem(agents[i], bad);
            if (why) {
                *bad_payload = payload(a, arena_printf(a, "infrastructure agent id %zu %s", i, why),
                                       arena_printf(a, "input.infrastructureAgents.%zu", i), nulls, 1);
                return bad_payload;
            }
        }
        u->set_agents = true;
        u->agents = agents;
        u->nagents = v->list.count;
    }
    return NULL;
}

/* A successful AccountPayload with the account as stored now. */
static int account_payload(gql_resolve_info *info, int64_t id, gql_val *out) {
    gql_val acc;
    if (load_account(info, id, &acc) < 0) return -1;
    gql_val p = payload(info->arena, NULL, NULL, NULL, 0);
    gql_map_set(info->arena, &p, "account", acc);
    *out = p;
    return 0;
}

static int mutation_update_account(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    request_ctx *c = rctx(info);
    arena_t *a = info->arena;
    static const char *const nulls[] = {"account"};
    int64_t id = 0;
    if (!gql_arg_int(args, "id", &id)) {
        *out = payload(a, "id is required", "id", nulls, 1);
        return 0;
    }
    auth_account_update_t u;
    const gql_val *bad = account_input(info, gql_map_get(args, "input"), &u);
    if (bad) {
        *out = *bad;
        return 0;
    }
    int rc = auth_account_update(c->store, id, &u);
    if (rc < 0) return internal(info, "cannot update the account");
    if (rc == 1) {
        *out = payload(a, arena_printf(a, "account %lld does not exist", (long long)id), "id", nulls, 1);
        return 0;
    }
    return account_payload(info, id, out);
}

static int mutation_create_account(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    if (auth_require_level(info, AUTH_ADMIN) < 0) return -1;
    request_ctx *c = rctx(info);
    arena_t *a = info->arena;
    static const char *const nulls[] = {"account"};
    int64_t id = 0;
    if (gql_arg_int(args, "id", &id) && id <= 0) {
        *out = payload(a, "id must be a positive integer", "id", nulls, 1);
        return 0;
    }
    auth_account_update_t u;
    const gql_val *bad = account_input(info, gql_map_get(args, "input"), &u);
    if (bad) {
        *out = *bad;
        return 0;
    }
    if (!u.name) {
        *out = payload(a, "name is required for a new account", "input.name", nulls, 1);
        return 0;
    }
    int rc = auth_account_create(c->store, &id, &u, c->now);
    if (rc < 0) return internal(info, "cannot create the account");
    if (rc == 1) {
        *out = payload(a, arena_printf(a, "account %lld already exists", (long long)id), "id", nulls, 1);
        return 0;
    }
    return account_payload(info, id, out);
}

const gql_binding auth_bindings[] = {
    {"Query.actor", query_actor, NULL},
    {"Actor.account", actor_account, NULL},
    {"Actor.accounts", actor_accounts, NULL},
    {"Account.id", account_field, NULL},
    {"Account.name", account_field, NULL},
    {"Account.awsIntegration", account_field, NULL},
    {"Account.syntheticPermission", account_field, NULL},
    {"Account.infrastructureAgents", account_field, NULL},
    {"Account.apiKeys", account_api_keys, NULL},
    {"Mutation.createApiKey", mutation_create_api_key, NULL},
    {"Mutation.revokeApiKey", mutation_revoke_api_key, NULL},
    {"Mutation.updateAccount", mutation_update_account, NULL},
    {"Mutation.createAccount", mutation_create_account, NULL},
    /* Values built as maps by the resolvers above (and PageInfo/UserError/DeletePayload of base.graphql). */
    GQL_BIND_PROPERTY("ApiKey.id"),
    GQL_BIND_PROPERTY("ApiKey.name"),
    GQL_BIND_PROPERTY("ApiKey.level"),
    GQL_BIND_PROPERTY("ApiKey.prefix"),
    GQL_BIND_PROPERTY("ApiKey.createdAt"),
    GQL_BIND_PROPERTY("ApiKey.revokedAt"),
    GQL_BIND_PROPERTY("CreateApiKeyPayload.key"),
    GQL_BIND_PROPERTY("CreateApiKeyPayload.id"),
    GQL_BIND_PROPERTY("CreateApiKeyPayload.success"),
    GQL_BIND_PROPERTY("CreateApiKeyPayload.errors"),
    GQL_BIND_PROPERTY("AccountPayload.account"),
    GQL_BIND_PROPERTY("AccountPayload.success"),
    GQL_BIND_PROPERTY("AccountPayload.errors"),
    GQL_BIND_PROPERTY("UserError.message"),
    GQL_BIND_PROPERTY("UserError.field"),
    GQL_BIND_PROPERTY("DeletePayload.success"),
    GQL_BIND_PROPERTY("DeletePayload.errors"),
    GQL_BIND_PROPERTY("PageInfo.hasNextPage"),
    GQL_BIND_PROPERTY("PageInfo.endCursor"),
};
const size_t auth_nbindings = sizeof auth_bindings / sizeof auth_bindings[0];

/* Module init: creates account 1 and the ADMIN key on an empty store (auth_bootstrap). No state. */
static int auth_module_init(app_t *app, void **state, char *err, size_t errlen) {
    *state = NULL;
    store_t *st = store_open(app->cfg->db_path, err, errlen);
    if (!st) return -1;
    char why[384];
    int rc = auth_bootstrap(st, app->cfg->data_dir, why, sizeof why);
    if (rc != 0) snprintf(err, errlen, "cannot create the admin key: %s", why);
    store_close(st);
    return rc;
}

static const char *const auth_schema_files[] = {"base.graphql", "accounts.graphql", NULL};

/* The auth module (app.h): the API roots and accounts, and the first-start bootstrap. */
const app_module auth_module = {
    .name = "auth",
    .schema_files = auth_schema_files,
    .bindings = auth_bindings,
    .nbindings = sizeof auth_bindings / sizeof auth_bindings[0],
    .init = auth_module_init,
};
