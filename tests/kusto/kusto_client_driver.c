/* kusto_client_driver.c -- the Kusto client (src/kusto) against the loopback Kusto test server
 * (tests/kusto/kusto_server.py on 127.0.0.1, port in KUSTO_TEST_PORT; started by
 * test_kusto_client.sh). Checks what only a real exchange shows: the headers and body sent, a new
 * request id per attempt, gzip, connection reuse, retries (429 with and without Retry-After, 5xx,
 * dropped connections), what is not retried (@permanent, 4xx, malformed bodies), timeouts and
 * cancel, the size bound, and the token providers (static, IMDS, AAD) with caching, refresh after
 * a short lifetime and one refresh on 401. The server's /_test endpoints set up faults and report
 * what it received. */
#include <curl/curl.h>
#include <jansson.h>
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

#include "kusto/kusto.h"
#include "util/buf.h"
#include "util/log.h"

static char g_base[64];      /* http://127.0.0.1:PORT */
static char g_imds_url[128]; /* the server's IMDS path */

/* ---- the server's /_test control endpoints (plain libcurl, not the client under test) */

static size_t ctl_write(char *d, size_t s, size_t n, void *u) {
    buf_append(u, d, s * n);
    return s * n;
}

/* Sends method path [json] and returns the parsed JSON answer (asserting HTTP 200). */
static json_t *ctl(const char *method, const char *path, const char *json) {
    char url[256];
    snprintf(url, sizeof url, "%s%s", g_base, path);
    CURL *h = curl_easy_init();
    buf_t b = BUF_INIT;
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, ctl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    if (strcmp(method, "POST") == 0) curl_easy_setopt(h, CURLOPT_POSTFIELDS, json ? json : "{}");
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK || status != 200)
        fail_msg("control %s %s: %s HTTP %ld %s", method, path, curl_easy_strerror(rc), status, buf_cstr(&b));
    json_t *j = json_loadb(b.data, b.len, 0, NULL);
    buf_free(&b);
    assert_non_null(j);
    return j;
}

static void ctl_post(const char *path, const char *json) {
    json_decref(ctl("POST", path, json));
}

/* The Kusto requests the server logged since the last reset. */
static json_t *commands(void) {
    json_t *j = ctl("GET", "/_test/commands?since=0", NULL);
    json_t *c = json_incref(json_object_get(j, "commands"));
    json_decref(j);
    assert_true(json_is_array(c));
    return c;
}

static json_t *token_requests(void) {
    json_t *j = ctl("GET", "/_test/state", NULL);
    json_t *t = json_incref(json_object_get(j, "token_requests"));
    json_decref(j);
    assert_true(json_is_array(t));
    return t;
}

static const char *jstr(json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- fixtures */

static const char SETUP[] = "{\"databases\":{\"db1\":{\"tables\":{\"T\":\"Name:string,N:long,D:dynamic\"},"
                            "\"rows\":{\"T\":[[\"a\",1,{\"k\":[1,2]}],[\"b\",2,null],[\"c\",3,\"x\"]]}}}}";

static int reset(void **state) {
    (void)state;
    ctl_post("/_test/reset", "{}");
    ctl_post("/_test/setup", SETUP);
    return 0;
}

static kusto_options fast_options(void) {
    kusto_options o = {0};
    o.imds_url = g_imds_url;
    o.aad_url = g_base;
    o.app_name = "entityd-test";
    o.client_version = "entityd-test/1.2.3";
    o.timeout_ms = 10000;
    o.max_attempts = 3;
    o.backoff_base_ms = 5;
    o.backoff_max_ms = 200;
    return o;
}

static kusto_target target_none(void) {
    kusto_target t = {g_base, {KUSTO_AUTH_NONE, NULL, NULL, NULL, NULL}};
    return t;
}

static bool is_request_id(const char *s) {
    /* entityd;xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx */
    if (strncmp(s, "entityd;", 8) != 0 || strlen(s) != 44) return false;
    const char *u = s + 8;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (u[i] != '-') return false;
        } else if (!strchr("0123456789abcdef", u[i])) {
            return false;
        }
    }
    return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

/* ---- plain calls */

static void test_mgmt_headers_body(void **state) {
    (void)state;
    kusto_options o = fast_options();
    o.timeout_ms = 125000; /* servertimeout = 95 s */
    kusto_client *kc = kusto_client_new(&o);
    kusto_target t = target_none();
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    assert_int_equal(e.attempts, 1);
    assert_true(is_request_id(e.request_id));
    const kusto_table *tb = kusto_primary(r);
    assert_non_null(tb);
    int c = kusto_column_index(tb, "TableName");
    assert_true(c >= 0);
    assert_int_equal(tb->nrows, 1);
    assert_string_equal(kusto_value_str(&tb->rows[0][c]), "T");

    json_t *cmds = commands();
    assert_int_equal(json_array_size(cmds), 1);
    json_t *c0 = json_array_get(cmds, 0);
    assert_string_equal(jstr(c0, "path"), "/v1/rest/mgmt");
    assert_string_equal(jstr(c0, "db"), "db1");
    assert_string_equal(jstr(c0, "csl"), ".show tables");
    assert_string_equal(jstr(c0, "client_request_id"), e.request_id);
    assert_string_equal(jstr(c0, "x_ms_app"), "entityd-test");
    assert_string_equal(jstr(c0, "x_ms_client_version"), "entityd-test/1.2.3");
    assert_true(json_is_null(json_object_get(c0, "authorization")));
    json_t *opts = json_object_get(json_object_get(json_object_get(c0, "properties"), "Options"), "servertimeout");
    assert_string_equal(json_string_value(opts), "00:01:35");
    json_decref(cmds);
    arena_free(a);
    kusto_client_free(kc);
}

static void test_query_v2_primary_and_fragments(void **state) {
    (void)state;
    for (int frag = 0; frag < 2; frag++) {
        kusto_options o = fast_options();
        o.fragment_primary_tables = frag;
        kusto_client *kc = kusto_client_new(&o);
        kusto_target t = target_none();
        arena_t *a = arena_new();
        kusto_result *r;
        kusto_error e;
        assert_int_equal(kusto_query(kc, &t, "db1", "T | take 10", a, &r, &e), KUSTO_OK);
        assert_int_equal(r->ntables, 1); /* @ExtendedProperties and QueryCompletionInformation dropped */
        const kusto_table *tb = kusto_primary(r);
        assert_string_equal(tb->kind, "PrimaryResult");
        assert_int_equal(tb->nrows, 3);
        int n = kusto_column_index(tb, "N"), d = kusto_column_index(tb, "D");
        assert_int_equal(tb->columns[n].type, KUSTO_T_LONG);
        assert_int_equal(tb->rows[2][n].i, 3);
        assert_string_equal(kusto_value_str(&tb->rows[0][d]), "{\"k\":[1,2]}");
        assert_int_equal(tb->rows[1][d].type, KUSTO_T_NULL);
        json_t *cmds = commands();
        json_t *opt =
            json_object_get(json_object_get(json_array_get(cmds, json_array_size(cmds) - 1), "properties"), "Options");
        assert_int_equal(json_is_true(json_object_get(opt, "results_v2_fragment_primary_tables")), frag);
        json_decref(cmds);
        arena_free(a);
        kusto_client_free(kc);
    }
}

/* A command on the query endpoint: the service's plain-text 400. */
static void test_plain_text_errors(void **state) {
    (void)state;
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    kusto_target t = target_none();
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    assert_int_equal(kusto_query(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_BAD_REQUEST);
    assert_null(r);
    assert_int_equal(e.http_status, 400);
    assert_true(e.permanent);
    assert_int_equal(e.attempts, 1);
    assert_non_null(strstr(e.message, "Control commands (starting with a dot '.') do not support api_version=v2"));
    /* An injected plain-text error. */
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":400,\"plain_text\":\"General_BadRequest: Request is invalid "
                              "and cannot be executed.\\r\\nError details:\\r\\nClientRequestId='x'.\"}]}");
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_BAD_REQUEST);
    assert_string_equal(
        e.message,
        "General_BadRequest: Request is invalid and cannot be executed. Error details: ClientRequestId='x'.");
    /* A syntax error from the server's parser: a OneApiError, @permanent true. */
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tablez", a, &r, &e), KUSTO_E_BAD_REQUEST);
    assert_true(e.permanent);
    assert_true(e.kusto_code[0] != '\0');
    assert_int_equal(e.attempts, 1);
    arena_free(a);
    kusto_client_free(kc);
}

static void test_gzip_and_reuse(void **state) {
    (void)state;
    /* 300 rows of repetitive text: compresses well. */
    buf_t s = BUF_INIT;
    buf_puts(&s, "{\"databases\":{\"big\":{\"tables\":{\"B\":\"S:string\"},\"rows\":{\"B\":[");
    for (int i = 0; i < 300; i++)
        buf_printf(&s, "%s[\"row %d: the quick brown fox jumps over the lazy dog, again and again\"]", i ? "," : "", i);
    buf_puts(&s, "]}}}}");
    ctl_post("/_test/setup", s.data);
    buf_free(&s);
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    kusto_target t = target_none();
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(kusto_query(kc, &t, "big", "B | take 1000", a, &r, &e), KUSTO_OK);
        assert_int_equal(kusto_primary(r)->nrows, 300);
    }
    kusto_stats st;
    kusto_client_stats(kc, &st);
    assert_int_equal(st.calls, 5);
    assert_int_equal(st.attempts, 5);
    assert_int_equal(st.connects, 1); /* keep-alive: one connection for five calls */
    assert_true(st.bytes_body > 20000);
    assert_true(st.bytes_wire * 4 < st.bytes_body); /* the answers came gzip-compressed */
    arena_free(a);
    kusto_client_free(kc);
}

typedef struct {
    kusto_client *kc;
    int ok;
} thread_arg;

static void *thread_calls(void *p) {
    thread_arg *ta = p;
    kusto_target t = target_none();
    for (int i = 0; i < 10; i++) {
        arena_t *a = arena_new();
        kusto_result *r;
        kusto_error e;
        if (kusto_query(ta->kc, &t, "db1", "T | count", a, &r, &e) == KUSTO_OK && kusto_primary(r)->nrows == 1 &&
            kusto_primary(r)->rows[0][0].i == 3)
            ta->ok++;
        arena_free(a);
    }
    return NULL;
}

/* One client from several threads; connections are reused through the handle pool. */
static void test_threads(void **state) {
    (void)state;
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    pthread_t th[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){kc, 0};
        pthread_create(&th[i], NULL, thread_calls, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].ok, 10);
    }
    kusto_stats st;
    kusto_client_stats(kc, &st);
    assert_int_equal(st.calls, 40);
    assert_true(st.connects >= 1 && st.connects <= 8);
    kusto_client_free(kc);
}

/* ---- retries */

static kusto_code call_mgmt(kusto_client *kc, kusto_error *e) {
    kusto_target t = target_none();
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_code c = kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, e);
    if (c == KUSTO_OK)
        assert_non_null(r);
    else
        assert_null(r);
    arena_free(a);
    return c;
}

/* Each attempt sent its own request id; the last one is in err. */
static void check_request_ids(const kusto_error *e, size_t want) {
    json_t *cmds = commands();
    assert_int_equal(json_array_size(cmds), want);
    for (size_t i = 0; i < want; i++) {
        const char *id = jstr(json_array_get(cmds, i), "client_request_id");
        assert_true(is_request_id(id));
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(id, jstr(json_array_get(cmds, k), "client_request_id"));
    }
    assert_string_equal(jstr(json_array_get(cmds, want - 1), "client_request_id"), e->request_id);
    json_decref(cmds);
}

static void test_retry_429_retry_after(void **state) {
    (void)state;
    kusto_options o = fast_options();
    o.backoff_max_ms = 5000;
    kusto_client *kc = kusto_client_new(&o);
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":429,\"retry_after\":1}]}");
    kusto_error e;
    int64_t t0 = now_ms();
    assert_int_equal(call_mgmt(kc, &e), KUSTO_OK);
    int64_t el = now_ms() - t0;
    assert_int_equal(e.attempts, 2);
    assert_true(el >= 950); /* waited Retry-After: 1 s, not the 5 ms backoff */
    assert_true(el < 4000);
    check_request_ids(&e, 2);
    kusto_stats st;
    kusto_client_stats(kc, &st);
    assert_int_equal(st.retries, 1);
    kusto_client_free(kc);
}

static void test_retry_after_capped(void **state) {
    (void)state;
    kusto_options o = fast_options();
    o.backoff_max_ms = 300;
    kusto_client *kc = kusto_client_new(&o);
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":429,\"retry_after\":120}]}");
    kusto_error e;
    int64_t t0 = now_ms();
    assert_int_equal(call_mgmt(kc, &e), KUSTO_OK);
    assert_true(now_ms() - t0 < 3000); /* 120 s capped at backoff_max_ms */
    assert_int_equal(e.attempts, 2);
    kusto_client_free(kc);
}

static void test_retry_429_then_500_then_ok(void **state) {
    (void)state;
    kusto_options o = fast_options();
    o.max_attempts = 4;
    kusto_client *kc = kusto_client_new(&o);
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":429},{\"status\":500},{\"status\":503}]}");
    kusto_error e;
    assert_int_equal(call_mgmt(kc, &e), KUSTO_OK);
    assert_int_equal(e.attempts, 4);
    check_request_ids(&e, 4);
    kusto_client_free(kc);
}

static void test_retry_exhausted(void **state) {
    (void)state;
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":503,\"count\":-1,\"code\":\"ServiceUnavailable\","
                              "\"message\":\"try later\"}]}");
    kusto_error e;
    assert_int_equal(call_mgmt(kc, &e), KUSTO_E_SERVER);
    assert_int_equal(e.attempts, 3);
    assert_int_equal(e.http_status, 503);
    assert_false(e.permanent);
    assert_string_equal(e.kusto_code, "ServiceUnavailable");
    check_request_ids(&e, 3);
    ctl_post("/_test/reset", "{}");
    ctl_post("/_test/setup", SETUP);
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":429,\"count\":-1}]}");
    assert_int_equal(call_mgmt(kc, &e), KUSTO_E_THROTTLED);
    assert_int_equal(e.attempts, 3);
    kusto_client_free(kc);
}

static void test_not_retried(void **state) {
    (void)state;
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    kusto_error e;
    /* 5xx with @permanent: true */
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":500,\"permanent\":true,\"count\":5}]}");
    assert_int_equal(call_mgmt(kc, &e), KUSTO_E_SERVER);
    assert_true(e.permanent);
    assert_int_equal(e.attempts, 1);
    check_request_ids(&e, 1);
    reset(NULL);
    /* 4xx */
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":409,\"count\":5}]}");
    assert_int_equal(call_mgmt(kc, &e), KUSTO_E_BAD_REQUEST);
    assert_int_equal(e.attempts, 1);
    reset(NULL);
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":403,\"count\":5}]}");
    assert_int_equal(call_mgmt(kc, &e), KUSTO_E_AUTH);
    assert_int_equal(e.attempts, 1);
    reset(NULL);
    /* A malformed (cut) body */
    ctl_post("/_test/faults", "{\"faults\":[{\"kind\":\"malformed\",\"count\":5}]}");
    assert_int_equal(call_mgmt(kc, &e), KUSTO_E_PROTOCOL);
    assert_int_equal(e.attempts, 1);
    assert_int_equal(e.http_status, 200);
    assert_non_null(strstr(e.message, "malformed JSON"));
    kusto_client_free(kc);
}

static void test_dropped_connection_retried(void **state) {
    (void)state;
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    ctl_post("/_test/faults", "{\"faults\":[{\"kind\":\"drop_connection\"}]}");
    kusto_error e;
    assert_int_equal(call_mgmt(kc, &e), KUSTO_OK);
    assert_int_equal(e.attempts, 2);
    kusto_client_free(kc);
}

/* KUSTO_F_NOT_IDEMPOTENT: failures after which the command may have run are not retried. */
static kusto_code call_once(kusto_client *kc, const char *endpoint, kusto_error *e) {
    kusto_target t = {endpoint, {KUSTO_AUTH_NONE, NULL, NULL, NULL, NULL}};
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_code c =
        kusto_mgmt_ex(kc, &t, "db1", ".ingest inline into table T <| z,9,", KUSTO_F_NOT_IDEMPOTENT, a, &r, e);
    arena_free(a);
    return c;
}

static void test_not_idempotent(void **state) {
    (void)state;
    kusto_options o = fast_options();
    o.timeout_ms = 400;
    kusto_client *kc = kusto_client_new(&o);
    kusto_error e;
    ctl_post("/_test/faults", "{\"faults\":[{\"kind\":\"drop_connection\",\"execute\":true}]}");
    assert_int_equal(call_once(kc, g_base, &e), KUSTO_E_NETWORK);
    assert_int_equal(e.attempts, 1);
    assert_non_null(strstr(e.message, "(not retried: the command may have run)"));
    /* (with a status, the delayed request does not run the command when it wakes up) */
    ctl_post("/_test/faults", "{\"faults\":[{\"delay_ms\":2000,\"status\":503}]}");
    assert_int_equal(call_once(kc, g_base, &e), KUSTO_E_TIMEOUT);
    assert_int_equal(e.attempts, 1);
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":503}]}");
    assert_int_equal(call_once(kc, g_base, &e), KUSTO_E_SERVER);
    assert_int_equal(e.attempts, 1);
    /* Throttled before running: retried, and the command ran once. */
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":429}]}");
    assert_int_equal(call_once(kc, g_base, &e), KUSTO_OK);
    assert_int_equal(e.attempts, 2);
    json_t *st = ctl("GET", "/_test/state", NULL);
    json_t *rows = json_object_get(
        json_object_get(json_object_get(json_object_get(json_object_get(st, "databases"), "db1"), "tables"), "T"),
        "rows");
    assert_int_equal(json_array_size(rows), 4); /* 3 from the setup + 1 */
    json_decref(st);
    /* Never connected: retried. */
    assert_int_equal(call_once(kc, "http://127.0.0.1:1", &e), KUSTO_E_NETWORK);
    assert_int_equal(e.attempts, 3);
    kusto_client_free(kc);
}

static void test_partial(void **state) {
    (void)state;
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    kusto_target t = target_none();
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    ctl_post("/_test/faults", "{\"faults\":[{\"kind\":\"one_api_partial\",\"path\":\"/v2/rest/query\"}]}");
    assert_int_equal(kusto_query(kc, &t, "db1", "T | take 10", a, &r, &e), KUSTO_E_PARTIAL);
    assert_null(r);
    assert_int_equal(e.http_status, 200);
    assert_int_equal(e.attempts, 1);
    assert_string_equal(e.kusto_code, "LimitsExceeded");
    assert_non_null(strstr(e.message, "Query execution has exceeded the allowed limits"));
    /* The same with the errors at the end of the fragmented table. */
    kusto_options o2 = fast_options();
    o2.fragment_primary_tables = true;
    kusto_client *kc2 = kusto_client_new(&o2);
    ctl_post("/_test/faults", "{\"faults\":[{\"kind\":\"one_api_partial\",\"path\":\"/v2/rest/query\","
                              "\"code\":\"E_QUERY_RESULT_SET_TOO_LARGE\",\"message\":\"too large\"}]}");
    assert_int_equal(kusto_query(kc2, &t, "db1", "T | take 10", a, &r, &e), KUSTO_E_PARTIAL);
    assert_string_equal(e.kusto_code, "E_QUERY_RESULT_SET_TOO_LARGE");
    assert_string_equal(e.message, "too large");
    kusto_client_free(kc2);
    /* v1 Exceptions. */
    ctl_post("/_test/faults", "{\"faults\":[{\"kind\":\"v1_exceptions\",\"path\":\"/v1/rest/mgmt\"}]}");
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_PARTIAL);
    assert_non_null(strstr(e.message, "LimitsExceeded"));
    assert_int_equal(e.attempts, 1);
    arena_free(a);
    kusto_client_free(kc);
}

/* ---- timeouts, cancel, bounds */

static void test_timeout_bounded_attempts(void **state) {
    (void)state;
    kusto_options o = fast_options();
    o.timeout_ms = 400;
    o.max_attempts = 2;
    kusto_client *kc = kusto_client_new(&o);
    ctl_post("/_test/faults", "{\"faults\":[{\"delay_ms\":6000,\"count\":2}]}");
    kusto_error e;
    int64_t t0 = now_ms();
    assert_int_equal(call_mgmt(kc, &e), KUSTO_E_TIMEOUT);
    int64_t el = now_ms() - t0;
    assert_int_equal(e.attempts, 2);
    assert_false(e.permanent);
    assert_true(el >= 800 && el < 4500); /* two 400 ms attempts, not the 6 s delay */
    assert_non_null(strstr(e.message, "400 ms"));
    kusto_client_free(kc);
}

typedef struct {
    kusto_client *kc;
    kusto_code code;
    int64_t done_ms;
} cancel_arg;

static void *cancel_call(void *p) {
    cancel_arg *ca = p;
    kusto_error e;
    ca->code = call_mgmt(ca->kc, &e);
    ca->done_ms = now_ms();
    return NULL;
}

static void run_cancel(const char *fault, int backoff_max_ms) {
    kusto_options o = fast_options();
    o.backoff_max_ms = backoff_max_ms;
    kusto_client *kc = kusto_client_new(&o);
    ctl_post("/_test/faults", fault);
    cancel_arg ca = {kc, KUSTO_OK, 0};
    pthread_t th;
    pthread_create(&th, NULL, cancel_call, &ca);
    usleep(300 * 1000);
    int64_t t0 = now_ms();
    kusto_client_cancel(kc);
    pthread_join(th, NULL);
    assert_int_equal(ca.code, KUSTO_E_CANCELLED);
    /* Prompt: libcurl calls the progress callback about once a second while waiting, so within
     * ~1 s in flight and at once in a backoff sleep; never after the 8 s delay / 30 s Retry-After. */
    assert_true(ca.done_ms - t0 < 3000);
    /* Later calls fail fast. */
    kusto_error e;
    t0 = now_ms();
    assert_int_equal(call_mgmt(kc, &e), KUSTO_E_CANCELLED);
    assert_true(now_ms() - t0 < 100);
    kusto_client_free(kc);
}

static void test_cancel_in_flight(void **state) {
    (void)state;
    run_cancel("{\"faults\":[{\"delay_ms\":8000}]}", 200);
}

static void test_cancel_in_backoff(void **state) {
    (void)state;
    run_cancel("{\"faults\":[{\"status\":429,\"retry_after\":30}]}", 30000);
}

static void test_response_bound(void **state) {
    (void)state;
    kusto_options o = fast_options();
    o.max_response_bytes = 600;
    kusto_client *kc = kusto_client_new(&o);
    kusto_target t = target_none();
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    assert_int_equal(kusto_query(kc, &t, "db1", "T | take 10", a, &r, &e), KUSTO_E_PROTOCOL);
    assert_string_equal(e.message, "response larger than max_response_bytes (600 bytes); refusing to truncate it");
    assert_int_equal(e.attempts, 1);
    /* The mgmt answer is smaller and fits. */
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    arena_free(a);
    kusto_client_free(kc);
}

static void test_bad_endpoints(void **state) {
    (void)state;
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    kusto_target t = {"ftp://127.0.0.1/x", {KUSTO_AUTH_NONE, NULL, NULL, NULL, NULL}};
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_BAD_REQUEST);
    assert_true(e.permanent);
    assert_int_equal(e.attempts, 0);
    t.endpoint = NULL;
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_BAD_REQUEST);
    /* Nothing listens on port 1 of 127.0.0.1: connection refused, retried, then NETWORK. */
    t.endpoint = "http://127.0.0.1:1";
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_NETWORK);
    assert_int_equal(e.attempts, 3);
    assert_false(e.permanent);
    assert_int_equal(e.http_status, 0);
    /* csl that is not UTF-8 never leaves the client. */
    t.endpoint = g_base;
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables \xff", a, &r, &e), KUSTO_E_BAD_REQUEST);
    assert_non_null(strstr(e.message, "UTF-8"));
    assert_int_equal(kusto_mgmt(NULL, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_INTERNAL);
    arena_free(a);
    kusto_client_free(kc);
}

/* ---- authentication */

static void test_auth_static(void **state) {
    (void)state;
    ctl_post("/_test/auth", "{\"require\":true,\"static_tokens\":[\"s3cr3t-token\"]}");
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    kusto_target t = {g_base, {KUSTO_AUTH_TOKEN, "s3cr3t-token", NULL, NULL, NULL}};
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    json_t *cmds = commands();
    assert_string_equal(jstr(json_array_get(cmds, 0), "authorization"), "Bearer s3cr3t-token");
    json_decref(cmds);
    t.auth.token = "wrong";
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_AUTH);
    assert_int_equal(e.http_status, 401);
    assert_int_equal(e.attempts, 1); /* a static token cannot be refreshed */
    assert_non_null(strstr(e.message, "Unauthorized"));
    t.auth.kind = KUSTO_AUTH_NONE;
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_AUTH);
    t.auth.kind = KUSTO_AUTH_TOKEN;
    t.auth.token = "bad token\r\nX-Evil: 1";
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_AUTH);
    assert_non_null(strstr(e.message, "not allowed in a header"));
    arena_free(a);
    kusto_client_free(kc);
}

static size_t count_endpoint(json_t *reqs, const char *endpoint) {
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(reqs); i++)
        if (strcmp(jstr(json_array_get(reqs, i), "endpoint"), endpoint) == 0) n++;
    return n;
}

static void test_auth_imds_cache_and_refresh(void **state) {
    (void)state;
    ctl_post("/_test/auth", "{\"require\":true,\"token_ttl_s\":2,\"msi_client_ids\":[\"mi-1\"],"
                            "\"audiences\":[\"http://127.0.0.1\"]}");
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    kusto_target t = {g_base, {KUSTO_AUTH_MANAGED_IDENTITY, NULL, NULL, "mi-1", NULL}};
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    assert_int_equal(kusto_query(kc, &t, "db1", "T | count", a, &r, &e), KUSTO_OK);
    json_t *reqs = token_requests();
    assert_int_equal(count_endpoint(reqs, "imds"), 1); /* cached for the second call */
    json_t *r0 = json_array_get(reqs, 0);
    assert_string_equal(jstr(r0, "resource"), "http://127.0.0.1"); /* scheme://host, no port */
    assert_string_equal(jstr(r0, "client_id"), "mi-1");
    json_decref(reqs);
    json_t *cmds = commands();
    assert_int_equal(strncmp(jstr(json_array_get(cmds, 0), "authorization"), "Bearer ey", 9), 0);
    json_decref(cmds);
    /* After the 2 s lifetime, a new token. */
    usleep(2100 * 1000);
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    assert_int_equal(e.attempts, 1);
    reqs = token_requests();
    assert_int_equal(count_endpoint(reqs, "imds"), 2);
    json_decref(reqs);
    /* An identity IMDS does not know: refused, permanent, no Kusto request. */
    t.auth.client_id = "mi-unknown";
    json_t *before = commands();
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_AUTH);
    assert_true(e.permanent);
    assert_int_equal(e.http_status, 400);
    assert_non_null(strstr(e.message, "IMDS token endpoint answered HTTP 400"));
    json_t *after = commands();
    assert_int_equal(json_array_size(after), json_array_size(before));
    json_decref(before);
    json_decref(after);
    arena_free(a);
    kusto_client_free(kc);
}

static void test_auth_imds_retries(void **state) {
    (void)state;
    ctl_post("/_test/auth", "{\"require\":true}");
    ctl_post("/_test/faults", "{\"faults\":[{\"path\":\"/metadata/identity/oauth2/token\",\"status\":503,\"count\":2},"
                              "{\"path\":\"/metadata/identity/oauth2/token\",\"status\":410}]}");
    kusto_options o = fast_options();
    o.backoff_base_ms = 2; /* IMDS waits 2*base*(2,6,14) ms */
    kusto_client *kc = kusto_client_new(&o);
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    kusto_target t = {g_base, {KUSTO_AUTH_MANAGED_IDENTITY, NULL, NULL, NULL, NULL}};
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    json_t *reqs = token_requests();
    assert_int_equal(count_endpoint(reqs, "imds"), 4);
    json_decref(reqs);
    /* Five failures: the IMDS schedule gives up after 5 tries, as transient. */
    ctl_post("/_test/auth", "{\"revoke_all\":true}");
    ctl_post("/_test/faults",
             "{\"faults\":[{\"path\":\"/metadata/identity/oauth2/token\",\"status\":500,\"count\":5}]}");
    kusto_client_free(kc);
    kc = kusto_client_new(&o);
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_SERVER);
    assert_false(e.permanent);
    assert_int_equal(e.attempts, 5);
    arena_free(a);
    kusto_client_free(kc);
}

static void test_auth_aad(void **state) {
    (void)state;
    ctl_post("/_test/auth", "{\"require\":true,\"client_secrets\":{\"app-1\":\"p&ss=w0rd+/\"},"
                            "\"audiences\":[\"http://127.0.0.1\"]}");
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    kusto_target t = {g_base, {KUSTO_AUTH_CLIENT_SECRET, NULL, "tenant-1", "app-1", "p&ss=w0rd+/"}};
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    json_t *reqs = token_requests();
    assert_int_equal(count_endpoint(reqs, "aad"), 1);
    json_t *r0 = json_array_get(reqs, 0);
    assert_string_equal(jstr(r0, "tenant"), "tenant-1");
    assert_string_equal(jstr(r0, "client_id"), "app-1");
    assert_string_equal(jstr(r0, "scope"), "http://127.0.0.1/.default");
    json_decref(reqs);
    /* Another tenant is another cache entry. */
    kusto_target t2 = t;
    t2.auth.tenant_id = "tenant-2";
    assert_int_equal(kusto_mgmt(kc, &t2, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    reqs = token_requests();
    assert_int_equal(count_endpoint(reqs, "aad"), 2);
    json_decref(reqs);
    /* A wrong secret: AAD's error, permanent, not retried. */
    t2.auth.client_secret = "nope";
    t2.auth.tenant_id = "tenant-3";
    assert_int_equal(kusto_mgmt(kc, &t2, "db1", ".show tables", a, &r, &e), KUSTO_E_AUTH);
    assert_true(e.permanent);
    assert_int_equal(e.attempts, 1);
    assert_non_null(strstr(e.message, "AAD token endpoint answered HTTP 400: invalid_client: AADSTS7000215"));
    assert_null(strstr(e.message, "nope"));
    /* Missing pieces of configuration. */
    t2.auth.client_secret = NULL;
    assert_int_equal(kusto_mgmt(kc, &t2, "db1", ".show tables", a, &r, &e), KUSTO_E_AUTH);
    assert_non_null(strstr(e.message, "needs tenant_id, client_id and client_secret"));
    arena_free(a);
    kusto_client_free(kc);
}

/* A token the cluster no longer accepts: one refresh, then success; a 401 that persists: one
 * refresh only. */
static void test_auth_401_refresh_once(void **state) {
    (void)state;
    ctl_post("/_test/auth", "{\"require\":true,\"token_ttl_s\":3600}");
    kusto_options o = fast_options();
    kusto_client *kc = kusto_client_new(&o);
    arena_t *a = arena_new();
    kusto_result *r;
    kusto_error e;
    kusto_target t = {g_base, {KUSTO_AUTH_MANAGED_IDENTITY, NULL, NULL, NULL, NULL}};
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    ctl_post("/_test/auth", "{\"revoke_all\":true}");
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_OK);
    assert_int_equal(e.attempts, 2);
    json_t *reqs = token_requests();
    assert_int_equal(count_endpoint(reqs, "imds"), 2);
    json_decref(reqs);
    ctl_post("/_test/faults", "{\"faults\":[{\"status\":401,\"count\":5}]}");
    assert_int_equal(kusto_mgmt(kc, &t, "db1", ".show tables", a, &r, &e), KUSTO_E_AUTH);
    assert_int_equal(e.attempts, 2);
    assert_int_equal(e.http_status, 401);
    reqs = token_requests();
    assert_int_equal(count_endpoint(reqs, "imds"), 3);
    json_decref(reqs);
    arena_free(a);
    kusto_client_free(kc);
}

int main(void) {
    const char *port = getenv("KUSTO_TEST_PORT");
    if (!port || !*port) {
        fprintf(stderr, "KUSTO_TEST_PORT is not set (run tests/kusto/test_kusto_client.sh)\n");
        return 2;
    }
    snprintf(g_base, sizeof g_base, "http://127.0.0.1:%s", port);
    snprintf(g_imds_url, sizeof g_imds_url, "%s/metadata/identity/oauth2/token", g_base);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    log_set_level(getenv("KUSTO_TEST_DEBUG") ? LOG_DEBUG : LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_mgmt_headers_body, reset),
        cmocka_unit_test_setup(test_query_v2_primary_and_fragments, reset),
        cmocka_unit_test_setup(test_plain_text_errors, reset),
        cmocka_unit_test_setup(test_gzip_and_reuse, reset),
        cmocka_unit_test_setup(test_threads, reset),
        cmocka_unit_test_setup(test_retry_429_retry_after, reset),
        cmocka_unit_test_setup(test_retry_after_capped, reset),
        cmocka_unit_test_setup(test_retry_429_then_500_then_ok, reset),
        cmocka_unit_test_setup(test_retry_exhausted, reset),
        cmocka_unit_test_setup(test_not_retried, reset),
        cmocka_unit_test_setup(test_dropped_connection_retried, reset),
        cmocka_unit_test_setup(test_not_idempotent, reset),
        cmocka_unit_test_setup(test_partial, reset),
        cmocka_unit_test_setup(test_timeout_bounded_attempts, reset),
        cmocka_unit_test_setup(test_cancel_in_flight, reset),
        cmocka_unit_test_setup(test_cancel_in_backoff, reset),
        cmocka_unit_test_setup(test_response_bound, reset),
        cmocka_unit_test_setup(test_bad_endpoints, reset),
        cmocka_unit_test_setup(test_auth_static, reset),
        cmocka_unit_test_setup(test_auth_imds_cache_and_refresh, reset),
        cmocka_unit_test_setup(test_auth_imds_retries, reset),
        cmocka_unit_test_setup(test_auth_aad, reset),
        cmocka_unit_test_setup(test_auth_401_refresh_once, reset),
    };
    int rc = cmocka_run_group_tests_name("kusto_client", tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
