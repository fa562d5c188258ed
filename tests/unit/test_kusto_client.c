/* test_kusto_client.c -- the Kusto client's pieces that need no server (src/kusto/client.c,
 * token.c): option defaults, the token audience of an endpoint, request ids, backoff bounds,
 * cancel waking a backoff sleep, and argument checks. The exchanges themselves are tested against
 * the Kusto test server by tests/kusto/test_kusto_client.sh. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kusto/kusto_internal.h"
#include "util/log.h"

static void test_defaults(void **state) {
    (void)state;
    kusto_options o;
    kusto_options_resolve(NULL, &o);
    assert_string_equal(o.imds_url, "http://169.254.169.254/metadata/identity/oauth2/token");
    assert_string_equal(o.aad_url, "https://login.microsoftonline.com");
    assert_string_equal(o.app_name, "entityd");
    assert_int_equal(strncmp(o.client_version, "entityd/", 8), 0);
    assert_int_equal(o.timeout_ms, 120000);
    assert_int_equal(o.max_attempts, 4);
    assert_int_equal(o.backoff_base_ms, 500);
    assert_int_equal(o.backoff_max_ms, 30000);
    assert_int_equal(o.max_response_bytes, 64u << 20);
    assert_int_equal(o.connect_timeout_ms, 10000);
    assert_int_equal(o.max_cells, 10000000);
    kusto_options in = {0};
    in.timeout_ms = 2000;
    in.max_attempts = 1;
    kusto_options_resolve(&in, &o);
    assert_int_equal(o.timeout_ms, 2000);
    assert_int_equal(o.max_attempts, 1);
    assert_int_equal(o.connect_timeout_ms, 2000); /* never longer than the attempt */
}

static void test_client_new(void **state) {
    (void)state;
    kusto_client *kc = kusto_client_new(NULL);
    assert_non_null(kc);
    kusto_client_free(kc);
    kusto_client_free(NULL);
    kusto_options o = {0};
    o.imds_url = "file:///etc/passwd";
    assert_null(kusto_client_new(&o));
    o.imds_url = NULL;
    o.aad_url = "https://login.example/ x";
    assert_null(kusto_client_new(&o));
    /* Header values are made header-safe. */
    o.aad_url = NULL;
    o.app_name = "app\r\nX-Evil: 1";
    kc = kusto_client_new(&o);
    assert_string_equal(kc->app_name, "app??X-Evil: 1");
    kusto_client_free(kc);
}

static void test_endpoint_resource(void **state) {
    (void)state;
    struct {
        const char *in, *want;
    } cases[] = {
        {"https://help.kusto.windows.net", "https://help.kusto.windows.net"},
        {"https://help.kusto.windows.net/", "https://help.kusto.windows.net"},
        {"https://c.westeurope.kusto.windows.net:443/db?x=1", "https://c.westeurope.kusto.windows.net"},
        {"http://127.0.0.1:8080", "http://127.0.0.1"},
        {"http://[::1]:9000/", "http://[::1]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = kusto_endpoint_resource(cases[i].in);
        assert_non_null(r);
        assert_string_equal(r, cases[i].want);
        free(r);
    }
    assert_null(kusto_endpoint_resource("not a url"));
    assert_null(kusto_endpoint_resource("gopher://x"));
}

static void test_request_ids(void **state) {
    (void)state;
    char a[80], b[80];
    kusto_new_request_id(a);
    kusto_new_request_id(b);
    assert_int_equal(strlen(a), 44);
    assert_int_equal(strncmp(a, "entityd;", 8), 0);
    assert_int_equal(a[8 + 14], '4');           /* version 4 */
    assert_non_null(strchr("89ab", a[8 + 19])); /* RFC 4122 variant */
    assert_string_not_equal(a, b);
}

static void test_backoff(void **state) {
    (void)state;
    kusto_options o = {0};
    o.backoff_base_ms = 100;
    o.backoff_max_ms = 1000;
    kusto_client *kc = kusto_client_new(&o);
    long max_seen[6] = {0};
    for (int retry = 1; retry <= 5; retry++) {
        long cap = 100L << (retry - 1);
        if (cap > 1000) cap = 1000;
        for (int i = 0; i < 2000; i++) {
            long d = kusto_backoff_ms(kc, retry);
            assert_true(d >= 0 && d <= cap);
            if (d > max_seen[retry]) max_seen[retry] = d;
        }
        assert_true(max_seen[retry] > cap / 2); /* spread over the range (full jitter) */
    }
    assert_true(kusto_backoff_ms(kc, 1000) <= 1000); /* no overflow far out */
    kusto_client_free(kc);
}

static void *cancel_later(void *p) {
    usleep(100 * 1000);
    kusto_client_cancel(p);
    return NULL;
}

static void test_cancel(void **state) {
    (void)state;
    kusto_client *kc = kusto_client_new(NULL);
    assert_true(kusto_sleep_ms(kc, 5));
    pthread_t th;
    pthread_create(&th, NULL, cancel_later, kc);
    int64_t t0 = kusto_mono_ms();
    assert_false(kusto_sleep_ms(kc, 20000)); /* woken by cancel, not after 20 s */
    assert_true(kusto_mono_ms() - t0 < 2000);
    pthread_join(th, NULL);
    assert_true(kusto_is_cancelled(kc));
    /* Calls after cancel fail fast without a request. */
    kusto_target t = {"http://127.0.0.1:1", {KUSTO_AUTH_NONE, NULL, NULL, NULL, NULL}};
    arena_t *a = arena_new();
    kusto_result *r = (kusto_result *)1;
    kusto_error e;
    assert_int_equal(kusto_mgmt(kc, &t, "db", ".show tables", a, &r, &e), KUSTO_E_CANCELLED);
    assert_null(r);
    assert_int_equal(e.attempts, 0);
    kusto_stats st;
    kusto_client_stats(kc, &st);
    assert_int_equal(st.calls, 1);
    assert_int_equal(st.attempts, 0);
    assert_int_equal(st.failures, 1);
    arena_free(a);
    kusto_client_free(kc);
}

static void test_arguments(void **state) {
    (void)state;
    kusto_client *kc = kusto_client_new(NULL);
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    kusto_target t = {"http://127.0.0.1:1", {KUSTO_AUTH_NONE, NULL, NULL, NULL, NULL}};
    assert_int_equal(kusto_query(kc, NULL, "db", "T", a, &r, &e), KUSTO_E_INTERNAL);
    assert_int_equal(kusto_query(kc, &t, "db", NULL, a, &r, &e), KUSTO_E_INTERNAL);
    assert_int_equal(kusto_query(kc, &t, "db", "T", NULL, &r, &e), KUSTO_E_INTERNAL);
    assert_int_equal(kusto_query(kc, &t, "db", "T", a, NULL, &e), KUSTO_E_INTERNAL);
    /* Auth configuration errors are found before any request. */
    t.auth.kind = KUSTO_AUTH_CLIENT_SECRET;
    t.auth.tenant_id = "t";
    assert_int_equal(kusto_query(kc, &t, "db", "T", a, &r, &e), KUSTO_E_AUTH);
    assert_true(e.permanent);
    t.auth = (kusto_auth){KUSTO_AUTH_TOKEN, "", NULL, NULL, NULL};
    assert_int_equal(kusto_query(kc, &t, "db", "T", a, &r, &e), KUSTO_E_AUTH);
    t.auth = (kusto_auth){(kusto_auth_kind)42, NULL, NULL, NULL, NULL};
    assert_int_equal(kusto_query(kc, &t, "db", "T", a, &r, &e), KUSTO_E_INTERNAL);
    /* A NULL err is allowed. */
    t.auth.kind = KUSTO_AUTH_NONE;
    t.endpoint = "mailto:x";
    assert_int_equal(kusto_query(kc, &t, "db", "T", a, &r, NULL), KUSTO_E_BAD_REQUEST);
    kusto_stats st;
    kusto_client_stats(kc, &st);
    assert_int_equal(st.attempts, 0);
    arena_free(a);
    kusto_client_free(kc);
}

int main(void) {
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),    cmocka_unit_test(test_client_new), cmocka_unit_test(test_endpoint_resource),
        cmocka_unit_test(test_request_ids), cmocka_unit_test(test_backoff),    cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests_name("kusto_client", tests, NULL, NULL);
}
