/* test_auth.c -- accounts and API keys: key format, constant-time compare, authentication of
 * valid / unknown / malformed / revoked keys, the last-ADMIN-key guard, account reads and
 * updates, and the first-start bootstrap (account 1, admin.key with mode 0600, only once). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/auth_internal.h"
#include "auth/principal.h"
#include "store/store.h"
#include "util/log.h"

typedef struct {
    test_store ts; /* fixture.h: temporary migrated store */
    char key_path[128];
    store_t *s;
} fixture;

static int setup(void **state) {
    static fixture storage; /* static: nothing to free when setup fails */
    fixture *f = &storage;
    memset(f, 0, sizeof *f);
    if (test_store_open(&f->ts, "auth") != 0) return -1;
    f->s = f->ts.s;
    snprintf(f->key_path, sizeof f->key_path, "%.63s/admin.key", f->ts.dir);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    unlink(f->key_path);
    test_store_close(&f->ts);
    return 0;
}

static long long q_int(store_t *s, const char *sql) {
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_levels(void **state) {
    (void)state;
    assert_string_equal(auth_level_name(AUTH_NONE), "NONE");
    assert_string_equal(auth_level_name(AUTH_OHI_ONLY), "OHI_ONLY");
    assert_string_equal(auth_level_name(AUTH_CLOUD_INTEGRATED), "CLOUD_INTEGRATED");
    assert_string_equal(auth_level_name(AUTH_SYNTHETIC), "SYNTHETIC");
    assert_string_equal(auth_level_name(AUTH_ADMIN), "ADMIN");
    for (int l = AUTH_NONE; l <= AUTH_ADMIN; l++)
        assert_int_equal(auth_level_parse(auth_level_name(l)), l);
    assert_int_equal(auth_level_parse("admin"), -1);
    assert_int_equal(auth_level_parse(""), -1);
    assert_int_equal(auth_level_parse(NULL), -1);
}

static void test_key_format(void **state) {
    (void)state;
    char a[AUTH_KEY_LEN + 1], b[AUTH_KEY_LEN + 1];
    assert_int_equal(auth_key_generate(a), 0);
    assert_int_equal(auth_key_generate(b), 0);
    assert_int_equal(strlen(a), 46);
    assert_memory_equal(a, "ek_", 3);
    assert_string_not_equal(a, b);
    assert_true(auth_key_well_formed(a));
    for (size_t i = 3; i < strlen(a); i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", a[i]));
    char bad[64];
    assert_false(auth_key_well_formed(NULL));
    assert_false(auth_key_well_formed(""));
    assert_false(auth_key_well_formed("ek_"));
    snprintf(bad, sizeof bad, "%sA", a); /* too long */
    assert_false(auth_key_well_formed(bad));
    snprintf(bad, sizeof bad, "%.45s", a); /* too short */
    assert_false(auth_key_well_formed(bad));
    snprintf(bad, sizeof bad, "xk_%s", a + 3);
    assert_false(auth_key_well_formed(bad));
    snprintf(bad, sizeof bad, "%s", a);
    bad[10] = '+'; /* base64, not base64url */
    assert_false(auth_key_well_formed(bad));
}

static void test_ct_equal(void **state) {
    (void)state;
    uint8_t x[32], y[32];
    memset(x, 0xab, sizeof x);
    memcpy(y, x, sizeof y);
    assert_true(auth_ct_equal(x, y, 32));
    assert_true(auth_ct_equal(x, y, 0));
    for (size_t i = 0; i < 32; i++) {
        y[i] ^= 1;
        assert_false(auth_ct_equal(x, y, 32));
        y[i] ^= 1;
    }
    y[31] = 0;
    assert_true(auth_ct_equal(x, y, 31));
}

static void test_authenticate(void **state) {
    fixture *f = *state;
    test_exec(f->s, "INSERT INTO accounts(id,name,created_at) VALUES (5,'five','2024-01-01T00:00:00Z')");
    char key[AUTH_KEY_LEN + 1], err[256];
    int64_t id = 0;
    assert_int_equal(auth_key_create(f->s, 5, AUTH_SYNTHETIC, "ci", 1700000000, key, &id, err, sizeof err), 0);
    assert_true(id > 0);
    /* Only the hash and a display prefix are stored. */
    assert_int_equal(q_int(f->s, "SELECT length(hash) FROM api_keys"), 32);
    assert_int_equal(q_int(f->s, "SELECT length(prefix) FROM api_keys"), AUTH_KEY_DISPLAY_LEN);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM api_keys WHERE created_at = '2023-11-14T22:13:20Z'"), 1);

    principal_t p;
    assert_int_equal(auth_authenticate(f->s, key, &p), 0);
    assert_true(p.authenticated);
    assert_int_equal(p.account_id, 5);
    assert_int_equal(p.key_id, id);
    assert_int_equal(p.level, AUTH_SYNTHETIC);

    char other[AUTH_KEY_LEN + 1];
    assert_int_equal(auth_key_generate(other), 0);
    assert_int_equal(auth_authenticate(f->s, other, &p), -1);
    assert_false(p.authenticated);
    assert_int_equal(auth_authenticate(f->s, NULL, &p), -1);
    assert_int_equal(auth_authenticate(f->s, "", &p), -1);
    char longer[128];
    snprintf(longer, sizeof longer, "%s%s", key, "x");
    assert_int_equal(auth_authenticate(f->s, longer, &p), -1);
    assert_false(p.authenticated);

    /* Bad input to key creation. */
    assert_int_equal(auth_key_create(f->s, 5, AUTH_NONE, "", 0, other, &id, err, sizeof err), -1);
    assert_int_equal(auth_key_create(f->s, 999, AUTH_NONE, "x", 0, other, &id, err, sizeof err), -1); /* FK */

    /* Revocation. */
    assert_int_equal(auth_authenticate(f->s, key, &p), 0);
    int64_t kid = p.key_id;
    assert_int_equal(auth_key_revoke(f->s, kid, 1700000001), 0);
    assert_int_equal(auth_authenticate(f->s, key, &p), -1);
    assert_false(p.authenticated);
    assert_int_equal(auth_key_revoke(f->s, kid, 1700000002), 1); /* already revoked */
    assert_int_equal(auth_key_revoke(f->s, 424242, 1700000002), 1);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM api_keys WHERE revoked_at = '2023-11-14T22:13:21Z'"), 1);

    /* Listing: valid keys only unless revoked ones are asked for; never the key. */
    arena_t *a = arena_new();
    auth_key_info *keys;
    size_t n;
    assert_int_equal(auth_key_list(f->s, 5, false, a, &keys, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(auth_key_list(f->s, 5, true, a, &keys, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(keys[0].id, kid);
    assert_string_equal(keys[0].name, "ci");
    assert_int_equal(keys[0].level, AUTH_SYNTHETIC);
    assert_memory_equal(keys[0].prefix, key, AUTH_KEY_DISPLAY_LEN);
    assert_int_equal(strlen(keys[0].prefix), AUTH_KEY_DISPLAY_LEN);
    assert_string_equal(keys[0].created_at, "2023-11-14T22:13:20Z");
    assert_string_equal(keys[0].revoked_at, "2023-11-14T22:13:21Z");
    arena_free(a);
}

static void test_last_admin_key_guard(void **state) {
    fixture *f = *state;
    test_exec(f->s, "INSERT INTO accounts(id,name,created_at) VALUES (1,'one','2024-01-01T00:00:00Z')");
    char k1[AUTH_KEY_LEN + 1], k2[AUTH_KEY_LEN + 1], err[256];
    int64_t id1, id2;
    assert_int_equal(auth_key_create(f->s, 1, AUTH_ADMIN, "a1", 0, k1, &id1, err, sizeof err), 0);
    assert_int_equal(auth_key_create(f->s, 1, AUTH_ADMIN, "a2", 0, k2, &id2, err, sizeof err), 0);
    assert_int_equal(auth_key_revoke(f->s, id1, 0), 0);
    assert_int_equal(auth_key_revoke(f->s, id2, 0), 2); /* the last valid ADMIN key stays */
    principal_t p;
    assert_int_equal(auth_authenticate(f->s, k2, &p), 0);
    assert_int_equal(p.level, AUTH_ADMIN);
    assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);
}

static void test_accounts(void **state) {
    fixture *f = *state;
    arena_t *a = arena_new();
    account_t acc;
    assert_int_equal(auth_account_get(f->s, 3, a, &acc), 1);
    test_exec(f->s, "INSERT INTO accounts(id,name,created_at) VALUES (3,'three','2024-01-01T00:00:00Z')");
    test_exec(f->s, "INSERT INTO accounts(id,name,aws_integration,created_at) VALUES (2,'two',1,'2024-01-01T00:00:00Z')");
    assert_int_equal(auth_account_get(f->s, 3, a, &acc), 0);
    assert_int_equal(acc.id, 3);
    assert_string_equal(acc.name, "three");
    assert_false(acc.aws_integration);
    assert_false(acc.synthetic_permission);
    assert_int_equal(acc.ninfrastructure_agents, 0);
    assert_false(auth_account_has_agent(&acc, "agent-1"));

    const char *agents[] = {"agent-b", "agent-a", "agent-b"};
    auth_account_update_t u = {.name = "renamed",
                               .set_synthetic = true,
                               .synthetic_permission = true,
                               .set_agents = true,
                               .agents = agents,
                               .nagents = 3};
    assert_int_equal(auth_account_update(f->s, 3, &u), 0);
    assert_int_equal(auth_account_get(f->s, 3, a, &acc), 0);
    assert_string_equal(acc.name, "renamed");
    assert_true(acc.synthetic_permission);
    assert_false(acc.aws_integration);
    assert_int_equal(acc.ninfrastructure_agents, 2);
    assert_string_equal(acc.infrastructure_agents[0], "agent-a");
    assert_string_equal(acc.infrastructure_agents[1], "agent-b");
    assert_true(auth_account_has_agent(&acc, "agent-a"));
    assert_false(auth_account_has_agent(&acc, "agent-c"));
    assert_false(auth_account_has_agent(&acc, NULL));

    /* Absent fields stay; an empty agent list clears. */
    auth_account_update_t u2 = {.set_aws = true, .aws_integration = true, .set_agents = true};
    assert_int_equal(auth_account_update(f->s, 3, &u2), 0);
    assert_int_equal(auth_account_get(f->s, 3, a, &acc), 0);
    assert_string_equal(acc.name, "renamed");
    assert_true(acc.aws_integration);
    assert_true(acc.synthetic_permission);
    assert_int_equal(acc.ninfrastructure_agents, 0);

    assert_int_equal(auth_account_update(f->s, 99, &u2), 1);
    /* A name the table refuses (too long) rolls back the whole update. */
    char longname[AUTH_NAME_MAX + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    auth_account_update_t u3 = {.name = longname, .set_aws = true, .aws_integration = false};
    assert_int_equal(auth_account_update(f->s, 3, &u3), -1);
    assert_int_equal(auth_account_get(f->s, 3, a, &acc), 0);
    assert_true(acc.aws_integration);
    assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);

    /* Creation: the next free id, or a chosen one; a taken id is refused. */
    const char *one[] = {"agent-x"};
    auth_account_update_t c1 = {.name = "new", .set_agents = true, .agents = one, .nagents = 1};
    int64_t nid = 0;
    assert_int_equal(auth_account_create(f->s, &nid, &c1, 1700000000), 0);
    assert_int_equal(nid, 4);
    assert_int_equal(auth_account_get(f->s, 4, a, &acc), 0);
    assert_string_equal(acc.name, "new");
    assert_true(auth_account_has_agent(&acc, "agent-x"));
    nid = 3;
    assert_int_equal(auth_account_create(f->s, &nid, &c1, 1700000000), 1);
    nid = 0;
    auth_account_update_t noname = {0};
    assert_int_equal(auth_account_create(f->s, &nid, &noname, 1700000000), -1);
    test_exec(f->s, "DELETE FROM accounts WHERE id = 4");

    int64_t *ids;
    size_t n;
    assert_int_equal(auth_account_ids(f->s, a, &ids, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], 3);
    arena_free(a);
}

static void test_bootstrap(void **state) {
    fixture *f = *state;
    char err[512] = "";
    assert_int_equal(auth_bootstrap(f->s, f->ts.dir, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(f->key_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    FILE *fp = fopen(f->key_path, "r");
    assert_non_null(fp);
    char key[128] = "";
    assert_non_null(fgets(key, sizeof key, fp));
    fclose(fp);
    assert_int_equal(strlen(key), AUTH_KEY_LEN + 1);
    assert_int_equal(key[AUTH_KEY_LEN], '\n');
    key[AUTH_KEY_LEN] = 0;
    principal_t p;
    assert_int_equal(auth_authenticate(f->s, key, &p), 0);
    assert_int_equal(p.account_id, 1);
    assert_int_equal(p.level, AUTH_ADMIN);
    arena_t *a = arena_new();
    account_t acc;
    assert_int_equal(auth_account_get(f->s, 1, a, &acc), 0);
    assert_string_equal(acc.name, "default");
    arena_free(a);

    /* Second start: nothing created, the file untouched. */
    assert_int_equal(auth_bootstrap(f->s, f->ts.dir, err, sizeof err), 0);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM accounts"), 1);
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM api_keys"), 1);
    struct stat st2;
    assert_int_equal(stat(f->key_path, &st2), 0);
    assert_int_equal(st2.st_ino, st.st_ino);
    assert_int_equal(st2.st_mtime, st.st_mtime);

    /* An empty database next to a stale admin.key: refused with a clear message, nothing created. */
    test_exec(f->s, "DELETE FROM accounts");
    assert_int_equal(auth_bootstrap(f->s, f->ts.dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "already exists"));
    assert_int_equal(q_int(f->s, "SELECT count(*) FROM accounts"), 0);
    assert_int_equal(sqlite3_get_autocommit(store_db(f->s)), 1);

    /* A data directory that cannot be created. */
    assert_int_equal(auth_bootstrap(f->s, "/nonexistent-entityd/sub", err, sizeof err), -1);
    assert_non_null(strstr(err, "data directory"));
}

int main(void) {
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_key_format),
        cmocka_unit_test(test_ct_equal),
        cmocka_unit_test_setup_teardown(test_authenticate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_admin_key_guard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bootstrap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
