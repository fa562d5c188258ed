/* test_auth_resolvers.c -- the accounts / API key resolvers called as the executor calls them
 * (gql_resolve_info with a request_ctx): UNAUTHENTICATED and FORBIDDEN errors, account
 * visibility per key, and createApiKey / revokeApiKey / updateAccount / createAccount payloads and effects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include <unistd.h>

#include "auth/auth.h"
#include "auth/auth_internal.h"
#include "context.h"
#include "graphql/error.h"
#include "util/embedded.h"
#include "util/log.h"

typedef struct {
    test_store ts; /* fixture.h: temporary migrated store */
    store_t *s;
    arena_t *arena;
    request_ctx ctx;
    gql_field field;
    gql_resolve_info info;
    char admin_key[AUTH_KEY_LEN + 1];
} fixture;

static arena_t *g_arena; /* the current fixture's arena, for str_of */

static int setup(void **state) {
    static fixture storage; /* static: nothing to free when setup fails */
    fixture *f = &storage;
    memset(f, 0, sizeof *f);
    char err[512];
    if (test_store_open(&f->ts, "authr") != 0) return -1;
    f->s = f->ts.s;
    test_exec(f->s, "INSERT INTO accounts(id,name,created_at) VALUES (1,'one','2024-01-01T00:00:00Z'),"
               "(2,'two','2024-01-01T00:00:00Z')");
    int64_t id;
    if (auth_key_create(f->s, 1, AUTH_ADMIN, "admin", 1700000000, f->admin_key, &id, err, sizeof err) != 0) return -1;
    f->arena = arena_new();
    g_arena = f->arena;
    f->ctx.store = f->s;
    f->ctx.arena = f->arena;
    f->ctx.now = 1700000000;
    f->info.arena = f->arena;
    f->info.context = &f->ctx;
    f->info.field = &f->field;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    test_store_close(&f->ts);
    arena_free(f->arena);
    g_arena = NULL;
    return 0;
}

static gql_resolve_fn binding(const char *coordinate) {
    for (size_t i = 0; i < auth_nbindings; i++)
        if (strcmp(auth_bindings[i].coordinate, coordinate) == 0) return auth_bindings[i].fn;
    fail_msg("no binding for %s", coordinate);
    return NULL;
}

/* Calls the resolver bound to coordinate as field `field` (the part after the dot). */
static int call(fixture *f, const char *coordinate, const gql_val *parent, const gql_val *args, gql_val *out) {
    f->field.name = strchr(coordinate, '.') + 1;
    f->info.error_message = NULL;
    f->info.error_code = NULL;
    gql_val none = gql_null(), noargs = gql_map(f->arena, 0);
    *out = gql_null();
    return binding(coordinate)(&f->info, parent ? parent : &none, args ? args : &noargs, out);
}

static void as_key(fixture *f, int64_t account, auth_level_t level) {
    f->ctx.principal = (principal_t){.authenticated = true, .key_id = 99, .account_id = account, .level = level};
}

static int64_t int_of(const gql_val *m, const char *k) {
    const gql_val *v = gql_map_get(m, k);
    assert_non_null(v);
    assert_int_equal(v->kind, GQL_V_INT);
    return v->i;
}

static const char *str_of(const gql_val *m, const char *k) {
    const gql_val *v = gql_map_get(m, k);
    assert_non_null(v);
    assert_int_equal(v->kind, GQL_V_STRING);
    return arena_strndup(g_arena, v->s.ptr, v->s.len);
}

static bool bool_of(const gql_val *m, const char *k) {
    const gql_val *v = gql_map_get(m, k);
    assert_non_null(v);
    assert_int_equal(v->kind, GQL_V_BOOL);
    return v->b;
}

/* The single UserError of a failed payload: checks success=false and the field. */
static void assert_user_error(const gql_val *p, const char *field) {
    assert_int_equal(p->kind, GQL_V_MAP);
    assert_false(bool_of(p, "success"));
    const gql_val *errs = gql_map_get(p, "errors");
    assert_non_null(errs);
    assert_int_equal(errs->list.count, 1);
    const gql_val *fv = gql_map_get(&errs->list.items[0], "field");
    assert_non_null(fv);
    assert_int_equal(fv->kind, GQL_V_STRING);
    assert_memory_equal(fv->s.ptr, field, strlen(field));
    assert_int_equal(fv->s.len, strlen(field));
}

static void test_unauthenticated(void **state) {
    fixture *f = *state;
    gql_val out, args = gql_map(f->arena, 1);
    gql_map_set(f->arena, &args, "id", gql_int(1));
    const char *coords[] = {"Query.actor",           "Actor.accounts",        "Actor.account",
                            "Mutation.createApiKey", "Mutation.revokeApiKey", "Mutation.updateAccount"};
    for (size_t i = 0; i < sizeof coords / sizeof coords[0]; i++) {
        assert_int_equal(call(f, coords[i], NULL, &args, &out), -1);
        assert_string_equal(f->info.error_code, GQL_CODE_UNAUTHENTICATED);
        assert_non_null(f->info.error_message);
    }
    as_key(f, 2, AUTH_NONE);
    assert_int_equal(call(f, "Query.actor", NULL, NULL, &out), 0);
    assert_int_equal(out.kind, GQL_V_MAP);
    assert_int_equal(out.map.count, 0);
}

static void test_account_visibility(void **state) {
    fixture *f = *state;
    gql_val out, args = gql_map(f->arena, 1);
    as_key(f, 2, AUTH_SYNTHETIC);
    gql_map_set(f->arena, &args, "id", gql_int(2));
    assert_int_equal(call(f, "Actor.account", NULL, &args, &out), 0);
    assert_int_equal(int_of(&out, "id"), 2);
    assert_string_equal(str_of(&out, "name"), "two");
    /* Account.* read the map, by field name. */
    gql_val acc = out, v;
    assert_int_equal(call(f, "Account.name", &acc, NULL, &v), 0);
    assert_int_equal(v.kind, GQL_V_STRING);
    assert_int_equal(call(f, "Account.awsIntegration", &acc, NULL, &v), 0);
    assert_int_equal(v.kind, GQL_V_BOOL);
    assert_int_equal(call(f, "Account.infrastructureAgents", &acc, NULL, &v), 0);
    assert_int_equal(v.kind, GQL_V_LIST);

    /* Another account, existing or not: FORBIDDEN for a non-ADMIN key. */
    gql_map_set(f->arena, &args, "id", gql_int(1));
    assert_int_equal(call(f, "Actor.account", NULL, &args, &out), -1);
    assert_string_equal(f->info.error_code, GQL_CODE_FORBIDDEN);
    gql_map_set(f->arena, &args, "id", gql_int(77));
    assert_int_equal(call(f, "Actor.account", NULL, &args, &out), -1);
    assert_string_equal(f->info.error_code, GQL_CODE_FORBIDDEN);
    assert_int_equal(call(f, "Actor.accounts", NULL, NULL, &out), 0);
    assert_int_equal(out.list.count, 1);
    assert_int_equal(int_of(&out.list.items[0], "id"), 2);

    /* ADMIN: every account; a missing one is null without an error. */
    as_key(f, 1, AUTH_ADMIN);
    assert_int_equal(call(f, "Actor.account", NULL, &args, &out), 0);
    assert_int_equal(out.kind, GQL_V_NULL);
    assert_null(f->info.error_code);
    assert_int_equal(call(f, "Actor.accounts", NULL, NULL, &out), 0);
    assert_int_equal(out.list.count, 2);
    assert_int_equal(int_of(&out.list.items[0], "id"), 1);
    assert_int_equal(int_of(&out.list.items[1], "id"), 2);

    /* The helpers other modules use. */
    assert_int_equal(auth_require_account(&f->info, 2), 0);
    as_key(f, 1, AUTH_OHI_ONLY);
    assert_int_equal(auth_require_account(&f->info, 1), 0);
    assert_int_equal(auth_require_account(&f->info, 2), -1);
    assert_string_equal(f->info.error_code, GQL_CODE_FORBIDDEN);
    assert_int_equal(auth_require_level(&f->info, AUTH_OHI_ONLY), 0);
    assert_int_equal(auth_require_level(&f->info, AUTH_CLOUD_INTEGRATED), -1);
    assert_string_equal(f->info.error_code, GQL_CODE_FORBIDDEN);
    assert_non_null(strstr(f->info.error_message, "CLOUD_INTEGRATED"));
}

static void test_create_and_revoke(void **state) {
    fixture *f = *state;
    gql_val out, args = gql_map(f->arena, 3);
    gql_map_set(f->arena, &args, "accountId", gql_int(2));
    gql_map_set(f->arena, &args, "level", gql_enum("OHI_ONLY"));
    gql_map_set(f->arena, &args, "name", gql_str("agent key"));

    as_key(f, 1, AUTH_SYNTHETIC);
    assert_int_equal(call(f, "Mutation.createApiKey", NULL, &args, &out), -1);
    assert_string_equal(f->info.error_code, GQL_CODE_FORBIDDEN);

    as_key(f, 1, AUTH_ADMIN);
    assert_int_equal(call(f, "Mutation.createApiKey", NULL, &args, &out), 0);
    assert_true(bool_of(&out, "success"));
    assert_int_equal(gql_map_get(&out, "errors")->list.count, 0);
    const char *key = str_of(&out, "key");
    const char *id = str_of(&out, "id");
    principal_t p;
    assert_int_equal(auth_authenticate(f->s, key, &p), 0);
    assert_int_equal(p.account_id, 2);
    assert_int_equal(p.level, AUTH_OHI_ONLY);
    char idbuf[32];
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)p.key_id);
    assert_string_equal(id, idbuf);

    /* Bad input: reported in the payload, nothing created. */
    gql_map_set(f->arena, &args, "accountId", gql_int(42));
    assert_int_equal(call(f, "Mutation.createApiKey", NULL, &args, &out), 0);
    assert_user_error(&out, "accountId");
    assert_int_equal(gql_map_get(&out, "key")->kind, GQL_V_NULL);
    gql_map_set(f->arena, &args, "accountId", gql_int(2));
    gql_map_set(f->arena, &args, "name", gql_str("  "));
    assert_int_equal(call(f, "Mutation.createApiKey", NULL, &args, &out), 0);
    assert_user_error(&out, "name");
    gql_map_set(f->arena, &args, "name", gql_strn("a\0b", 3));
    assert_int_equal(call(f, "Mutation.createApiKey", NULL, &args, &out), 0);
    assert_user_error(&out, "name");

    /* Revoke: the key stops working; unknown and malformed ids are user errors. */
    gql_val rargs = gql_map(f->arena, 1);
    gql_map_set(f->arena, &rargs, "id", gql_str("x1"));
    assert_int_equal(call(f, "Mutation.revokeApiKey", NULL, &rargs, &out), 0);
    assert_user_error(&out, "id");
    gql_map_set(f->arena, &rargs, "id", gql_str("999"));
    assert_int_equal(call(f, "Mutation.revokeApiKey", NULL, &rargs, &out), 0);
    assert_user_error(&out, "id");
    gql_map_set(f->arena, &rargs, "id", gql_str(id));
    as_key(f, 2, AUTH_OHI_ONLY);
    assert_int_equal(call(f, "Mutation.revokeApiKey", NULL, &rargs, &out), -1);
    assert_string_equal(f->info.error_code, GQL_CODE_FORBIDDEN);
    as_key(f, 1, AUTH_ADMIN);
    assert_int_equal(call(f, "Mutation.revokeApiKey", NULL, &rargs, &out), 0);
    assert_true(bool_of(&out, "success"));
    assert_int_equal(auth_authenticate(f->s, key, &p), -1);
    assert_int_equal(call(f, "Mutation.revokeApiKey", NULL, &rargs, &out), 0);
    assert_user_error(&out, "id");

    /* Account.apiKeys: ADMIN only; revoked keys on request. */
    gql_val acc2 = gql_map(f->arena, 1), kargs = gql_map(f->arena, 1);
    gql_map_set(f->arena, &acc2, "id", gql_int(2));
    assert_int_equal(call(f, "Account.apiKeys", &acc2, &kargs, &out), 0);
    assert_int_equal(out.kind, GQL_V_LIST);
    assert_int_equal(out.list.count, 0);
    gql_map_set(f->arena, &kargs, "includeRevoked", gql_bool(true));
    assert_int_equal(call(f, "Account.apiKeys", &acc2, &kargs, &out), 0);
    assert_int_equal(out.list.count, 1);
    assert_string_equal(str_of(&out.list.items[0], "id"), id);
    assert_string_equal(str_of(&out.list.items[0], "name"), "agent key");
    assert_string_equal(str_of(&out.list.items[0], "revokedAt"), "2023-11-14T22:13:20Z");
    assert_memory_equal(str_of(&out.list.items[0], "prefix"), key, AUTH_KEY_DISPLAY_LEN);
    assert_null(gql_map_get(&out.list.items[0], "key"));
    as_key(f, 2, AUTH_SYNTHETIC);
    assert_int_equal(call(f, "Account.apiKeys", &acc2, &kargs, &out), -1);
    assert_string_equal(f->info.error_code, GQL_CODE_FORBIDDEN);
    as_key(f, 1, AUTH_ADMIN);

    /* The only ADMIN key cannot be revoked. */
    assert_int_equal(auth_authenticate(f->s, f->admin_key, &p), 0);
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)p.key_id);
    gql_map_set(f->arena, &rargs, "id", gql_str(idbuf));
    assert_int_equal(call(f, "Mutation.revokeApiKey", NULL, &rargs, &out), 0);
    assert_user_error(&out, "id");
    assert_int_equal(auth_authenticate(f->s, f->admin_key, &p), 0);
}

static void test_update_account(void **state) {
    fixture *f = *state;
    gql_val out, args = gql_map(f->arena, 2), input = gql_map(f->arena, 4);
    gql_val agents = gql_list(f->arena, 2);
    agents.list.items[0] = gql_str("agent-2");
    agents.list.items[1] = gql_str("agent-1");
    gql_map_set(f->arena, &input, "name", gql_str("renamed"));
    gql_map_set(f->arena, &input, "awsIntegration", gql_bool(true));
    gql_map_set(f->arena, &input, "infrastructureAgents", agents);
    gql_map_set(f->arena, &args, "id", gql_int(2));
    gql_map_set(f->arena, &args, "input", input);

    as_key(f, 2, AUTH_SYNTHETIC);
    assert_int_equal(call(f, "Mutation.updateAccount", NULL, &args, &out), -1);
    assert_string_equal(f->info.error_code, GQL_CODE_FORBIDDEN);

    as_key(f, 1, AUTH_ADMIN);
    assert_int_equal(call(f, "Mutation.updateAccount", NULL, &args, &out), 0);
    assert_true(bool_of(&out, "success"));
    const gql_val *acc = gql_map_get(&out, "account");
    assert_non_null(acc);
    assert_string_equal(str_of(acc, "name"), "renamed");
    assert_true(bool_of(acc, "awsIntegration"));
    assert_false(bool_of(acc, "syntheticPermission"));
    const gql_val *ag = gql_map_get(acc, "infrastructureAgents");
    assert_int_equal(ag->list.count, 2);
    assert_memory_equal(ag->list.items[0].s.ptr, "agent-1", 7);

    /* Only the given fields change; explicit null keeps the value. */
    gql_val input2 = gql_map(f->arena, 2);
    gql_map_set(f->arena, &input2, "name", gql_null());
    gql_map_set(f->arena, &input2, "syntheticPermission", gql_bool(true));
    gql_map_set(f->arena, &args, "input", input2);
    assert_int_equal(call(f, "Mutation.updateAccount", NULL, &args, &out), 0);
    acc = gql_map_get(&out, "account");
    assert_string_equal(str_of(acc, "name"), "renamed");
    assert_true(bool_of(acc, "awsIntegration"));
    assert_true(bool_of(acc, "syntheticPermission"));
    assert_int_equal(gql_map_get(acc, "infrastructureAgents")->list.count, 2);

    /* Bad input. */
    gql_val input3 = gql_map(f->arena, 1);
    gql_map_set(f->arena, &input3, "name", gql_str(""));
    gql_map_set(f->arena, &args, "input", input3);
    assert_int_equal(call(f, "Mutation.updateAccount", NULL, &args, &out), 0);
    assert_user_error(&out, "input.name");
    assert_int_equal(gql_map_get(&out, "account")->kind, GQL_V_NULL);
    gql_val bad_agents = gql_list(f->arena, 2);
    bad_agents.list.items[0] = gql_str("ok");
    bad_agents.list.items[1] = gql_str("");
    gql_val input4 = gql_map(f->arena, 1);
    gql_map_set(f->arena, &input4, "infrastructureAgents", bad_agents);
    gql_map_set(f->arena, &args, "input", input4);
    assert_int_equal(call(f, "Mutation.updateAccount", NULL, &args, &out), 0);
    assert_user_error(&out, "input.infrastructureAgents.1");
    gql_map_set(f->arena, &args, "id", gql_int(55));
    gql_map_set(f->arena, &args, "input", input2);
    assert_int_equal(call(f, "Mutation.updateAccount", NULL, &args, &out), 0);
    assert_user_error(&out, "id");

    arena_t *a = arena_new();
    account_t stored;
    assert_int_equal(auth_account_get(f->s, 2, a, &stored), 0);
    assert_string_equal(stored.name, "renamed");
    assert_int_equal(stored.ninfrastructure_agents, 2);
    arena_free(a);
}

static void test_create_account(void **state) {
    fixture *f = *state;
    gql_val out, args = gql_map(f->arena, 2), input = gql_map(f->arena, 2);
    gql_map_set(f->arena, &input, "name", gql_str("three"));
    gql_map_set(f->arena, &input, "syntheticPermission", gql_bool(true));
    gql_map_set(f->arena, &args, "input", input);

    as_key(f, 1, AUTH_SYNTHETIC);
    assert_int_equal(call(f, "Mutation.createAccount", NULL, &args, &out), -1);
    assert_string_equal(f->info.error_code, GQL_CODE_FORBIDDEN);

    as_key(f, 1, AUTH_ADMIN);
    assert_int_equal(call(f, "Mutation.createAccount", NULL, &args, &out), 0);
    assert_true(bool_of(&out, "success"));
    const gql_val *acc = gql_map_get(&out, "account");
    assert_int_equal(int_of(acc, "id"), 3); /* next free id */
    assert_string_equal(str_of(acc, "name"), "three");
    assert_true(bool_of(acc, "syntheticPermission"));
    assert_false(bool_of(acc, "awsIntegration"));

    gql_map_set(f->arena, &args, "id", gql_int(100));
    assert_int_equal(call(f, "Mutation.createAccount", NULL, &args, &out), 0);
    assert_int_equal(int_of(gql_map_get(&out, "account"), "id"), 100);
    assert_int_equal(call(f, "Mutation.createAccount", NULL, &args, &out), 0);
    assert_user_error(&out, "id"); /* taken */
    gql_map_set(f->arena, &args, "id", gql_int(0));
    assert_int_equal(call(f, "Mutation.createAccount", NULL, &args, &out), 0);
    assert_user_error(&out, "id");
    gql_map_set(f->arena, &args, "id", gql_int(101));
    gql_val noname = gql_map(f->arena, 1);
    gql_map_set(f->arena, &noname, "awsIntegration", gql_bool(true));
    gql_map_set(f->arena, &args, "input", noname);
    assert_int_equal(call(f, "Mutation.createAccount", NULL, &args, &out), 0);
    assert_user_error(&out, "input.name");
    assert_int_equal(call(f, "Actor.accounts", NULL, NULL, &out), 0);
    assert_int_equal(out.list.count, 4);
}

/* schema/base.graphql + schema/accounts.graphql build with the engine, and every binding names
 * a field that exists there. */
static void test_schema_binds(void **state) {
    (void)state;
    const char *src[2] = {NULL, NULL}, *names[2] = {"base.graphql", "accounts.graphql"};
    size_t lens[2] = {0, 0};
    for (size_t i = 0; i < entityd_schema_nfiles; i++)
        for (size_t j = 0; j < 2; j++)
            if (strcmp(entityd_schema_files[i].name, names[j]) == 0) {
                src[j] = entityd_schema_files[i].data;
                lens[j] = entityd_schema_files[i].len;
            }
    assert_non_null(src[0]);
    assert_non_null(src[1]);
    arena_t *ea = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, ea);
    gql_schema *schema = gql_schema_build(src, lens, names, 2, &errs);
    if (!schema) fail_msg("schema build failed: %s", errs.head ? errs.head->message : "?");
    char err[256] = "";
    assert_int_equal(gql_schema_bind_all(schema, auth_bindings, auth_nbindings, err, sizeof err), 0);
    const gql_type *level = gql_schema_type(schema, "AuthorizationLevel");
    assert_non_null(level);
    assert_int_equal(level->nenum_values, 5);
    for (size_t i = 0; i < level->nenum_values; i++)
        assert_int_equal(auth_level_parse(level->enum_values[i]->name), (int)i); /* same names, same order */
    gql_schema_free(schema);
    arena_free(ea);
}

int main(void) {
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_binds),
        cmocka_unit_test_setup_teardown(test_unauthenticated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_and_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_account, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
