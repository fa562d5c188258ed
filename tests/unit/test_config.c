/* test_config.c -- config_load: defaults, environment, flags (flag beats environment),
 * computed defaults, size suffixes and every kind of rejected input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/config.h" /* not autoconf's config.h */

#define ARGV(...) ((char *[]){"entityd", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"entityd", __VA_ARGS__}) / sizeof(char *)))

static int setup(void **state) {
    (void)state;
    unsetenv("ENTITYD_PORT");
    unsetenv("ENTITYD_DATA_DIR");
    unsetenv("ENTITYD_DB");
    unsetenv("ENTITYD_MAX_BODY_BYTES");
    unsetenv("ENTITYD_LOG_LEVEL");
    unsetenv("ENTITYD_CORS_ORIGINS");
    return 0;
}

static void test_defaults(void **state) {
    (void)state;
    config_t c;
    char *argv[] = {"entityd", NULL};
    assert_int_equal(config_load(&c, 1, argv), 0);
    assert_string_equal(c.listen, "127.0.0.1");
    assert_int_equal(c.port, 8080);
    assert_string_equal(c.data_dir, "./data");
    assert_string_equal(c.db_path, "./data/entityd.db");
    assert_string_equal(c.log_level, "info");
    assert_string_equal(c.cors_origins, "");
    assert_true(c.threads >= 1);
    assert_non_null(c.web_root);
    assert_int_equal(c.max_body_bytes, 1024 * 1024);
    assert_int_equal(c.max_document_bytes, 256 * 1024);
    assert_int_equal(c.max_tokens, 20000);
    assert_int_equal(c.max_depth, 20);
    assert_int_equal(c.max_aliases, 100);
    assert_int_equal(c.max_fields, 2000);
    assert_int_equal(c.max_page_size, 500);
    assert_int_equal(c.max_batch_events, 5000);
    assert_int_equal(c.doc_cache_entries, 512);
    assert_int_equal(c.request_timeout, 30);
    assert_null(c.default_tenant);
    assert_int_equal(c.reporting_window, 300);
    assert_int_equal(c.stale_threshold, 86400);
    assert_int_equal(c.tenant_ttl, 604800);
    assert_int_equal(c.synthetic_max_ttl, 604800);
    assert_int_equal(c.cleanup_interval, 60);
    assert_int_equal(c.cleanup_batch, 500);
    assert_true(c.lag_warning == 10000.0);
    assert_true(c.lag_critical == 100000.0);
    config_free(&c);
}

static void test_flags_and_env(void **state) {
    (void)state;
    config_t c;
    setenv("ENTITYD_PORT", "9000", 1);
    setenv("ENTITYD_DATA_DIR", "/tmp/x", 1);
    setenv("ENTITYD_LOG_LEVEL", "debug", 1);
    assert_int_equal(config_load(&c, ARGC("--port", "9100", "--max-body-bytes=2M", "--default-tenant", "t1"),
                                 ARGV("--port", "9100", "--max-body-bytes=2M", "--default-tenant", "t1")),
                     0);
    assert_int_equal(c.port, 9100); /* the flag wins */
    assert_string_equal(c.data_dir, "/tmp/x");
    assert_string_equal(c.db_path, "/tmp/x/entityd.db");
    assert_string_equal(c.log_level, "debug");
    assert_int_equal(c.max_body_bytes, 2 * 1024 * 1024);
    assert_string_equal(c.default_tenant, "t1");
    config_free(&c);
    assert_null(c.listen);

    assert_int_equal(config_load(&c, ARGC("--db", "/tmp/y.db", "--lag-warning", "5.5", "--threads", "3"),
                                 ARGV("--db", "/tmp/y.db", "--lag-warning", "5.5", "--threads", "3")),
                     0);
    assert_string_equal(c.db_path, "/tmp/y.db");
    assert_true(c.lag_warning == 5.5);
    assert_int_equal(c.threads, 3);
    config_free(&c);
}

static void test_rejects(void **state) {
    (void)state;
    config_t c;
    assert_int_equal(config_load(&c, ARGC("--port", "0"), ARGV("--port", "0")), -1);
    assert_int_equal(config_load(&c, ARGC("--port", "70000"), ARGV("--port", "70000")), -1);
    assert_int_equal(config_load(&c, ARGC("--port", "80x"), ARGV("--port", "80x")), -1);
    assert_int_equal(config_load(&c, ARGC("--port", "-1"), ARGV("--port", "-1")), -1);
    assert_int_equal(config_load(&c, ARGC("--port"), ARGV("--port")), -1);
    assert_int_equal(config_load(&c, ARGC("--no-such-flag", "1"), ARGV("--no-such-flag", "1")), -1);
    assert_int_equal(config_load(&c, ARGC("positional"), ARGV("positional")), -1);
    assert_int_equal(config_load(&c, ARGC("--log-level", "loud"), ARGV("--log-level", "loud")), -1);
    assert_int_equal(config_load(&c, ARGC("--max-body-bytes", "12Q"), ARGV("--max-body-bytes", "12Q")), -1);
    assert_int_equal(config_load(&c, ARGC("--max-body-bytes", "10"), ARGV("--max-body-bytes", "10")), -1);
    assert_int_equal(config_load(&c, ARGC("--lag-warning", "10", "--lag-critical", "5"),
                                 ARGV("--lag-warning", "10", "--lag-critical", "5")),
                     -1);
    setenv("ENTITYD_PORT", "nope", 1);
    assert_int_equal(config_load(&c, 1, ARGV("--port", "1")), -1);
    unsetenv("ENTITYD_PORT");
}

static void test_help_version(void **state) {
    (void)state;
    config_t c;
    assert_int_equal(config_load(&c, ARGC("--help"), ARGV("--help")), 1);
    assert_int_equal(config_load(&c, ARGC("--version"), ARGV("--version")), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, setup),
        cmocka_unit_test_setup(test_flags_and_env, setup),
        cmocka_unit_test_setup(test_rejects, setup),
        cmocka_unit_test_setup(test_help_version, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
