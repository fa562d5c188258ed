/* test_kafka_tenant.c -- tenant ids from record keys (seed 003, splitTenantKey): the part before the
 * first "::", the configured default tenant as fallback, and the bounds on a tenant id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kafka/tenant.h"

static void test_split(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const char *t, *r;
    kafka_split_tenant_key(a, "af-10::event-uid-123", &t, &r);
    assert_string_equal(t, "af-10");
    assert_string_equal(r, "event-uid-123");
    /* Only the first "::" separates. */
    kafka_split_tenant_key(a, "af-11::pod::uid", &t, &r);
    assert_string_equal(t, "af-11");
    assert_string_equal(r, "pod::uid");
    kafka_split_tenant_key(a, "no-prefix", &t, &r);
    assert_null(t);
    assert_string_equal(r, "no-prefix");
    kafka_split_tenant_key(a, "single:colon", &t, &r);
    assert_null(t);
    kafka_split_tenant_key(a, "::rest", &t, &r);
    assert_string_equal(t, "");
    assert_string_equal(r, "rest");
    kafka_split_tenant_key(a, NULL, &t, &r);
    assert_null(t);
    assert_null(r);
    arena_free(a);
}

static void test_tenant_of(void **state) {
    (void)state;
    arena_t *a = arena_new();
    config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    const char *t = "unset";
    assert_int_equal(kafka_tenant_of(a, "af-10::x", &cfg, &t), 0);
    assert_string_equal(t, "af-10");
    /* No default configured: no tenant. */
    assert_int_equal(kafka_tenant_of(a, "plain-key", &cfg, &t), 0);
    assert_null(t);
    assert_int_equal(kafka_tenant_of(a, NULL, &cfg, &t), 0);
    assert_null(t);
    char dflt[] = "default-cluster";
    cfg.default_tenant = dflt;
    assert_int_equal(kafka_tenant_of(a, "plain-key", &cfg, &t), 0);
    assert_string_equal(t, "default-cluster");
    assert_int_equal(kafka_tenant_of(a, NULL, &cfg, &t), 0);
    assert_string_equal(t, "default-cluster");
    /* An empty prefix is no prefix. */
    assert_int_equal(kafka_tenant_of(a, "::x", &cfg, &t), 0);
    assert_string_equal(t, "default-cluster");
    /* The key's tenant wins over the default. */
    assert_int_equal(kafka_tenant_of(a, "af-12::x", &cfg, &t), 0);
    assert_string_equal(t, "af-12");
    char empty[] = "";
    cfg.default_tenant = empty;
    assert_int_equal(kafka_tenant_of(a, "k", &cfg, &t), 0);
    assert_null(t);
    arena_free(a);
}

static void test_bounds(void **state) {
    (void)state;
    arena_t *a = arena_new();
    config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    const char *t;
    char key[KAFKA_TENANT_MAX + 16];
    memset(key, 'x', KAFKA_TENANT_MAX);
    strcpy(key + KAFKA_TENANT_MAX, "::r");
    assert_int_equal(kafka_tenant_of(a, key, &cfg, &t), 0);
    assert_int_equal(strlen(t), KAFKA_TENANT_MAX);
    memset(key, 'x', KAFKA_TENANT_MAX + 1);
    strcpy(key + KAFKA_TENANT_MAX + 1, "::r");
    assert_int_equal(kafka_tenant_of(a, key, &cfg, &t), -1);
    assert_int_equal(kafka_tenant_of(a, "bad\ttenant::r", &cfg, &t), -1);
    assert_int_equal(kafka_tenant_of(a, "bad\x7ftenant::r", &cfg, &t), -1);
    /* UTF-8 tenant ids are fine. */
    assert_int_equal(kafka_tenant_of(a, "z\xc3\xbcrich::r", &cfg, &t), 0);
    assert_string_equal(t, "z\xc3\xbcrich");
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_tenant_of),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
