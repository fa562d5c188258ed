/* test_sr_rules.c -- the SummaryRule checks (src/summaryrules/rules.c, issue 9 "Rules" and "Criteria"):
 * --cluster-label parsing, criteria matching against this server's labels (case-insensitive keys and
 * values, any single match passes, empty matches, a missing label does not), criteria validation and
 * canonical form, per-field validation reporting every bad field, and bounded message copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "summaryrules/summaryrules.h"

static void test_labels_parse(void **state) {
    (void)state;
    sr_labels l;
    assert_int_equal(sr_labels_parse("region=eastus,env=prod=blue,tier=", &l), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0].key, "region");
    assert_string_equal(l.items[0].value, "eastus");
    assert_string_equal(l.items[1].key, "env");
    assert_string_equal(l.items[1].value, "prod=blue"); /* split at the first '=' */
    assert_string_equal(l.items[2].value, "");
    sr_labels_free(&l);
    assert_int_equal(sr_labels_parse("", &l), 0);
    assert_int_equal(l.n, 0);
    sr_labels_free(&l);
    assert_int_equal(sr_labels_parse(NULL, &l), 0);
    assert_int_equal(l.n, 0);
}

static void test_criteria_match(void **state) {
    (void)state;
    sr_labels l;
    assert_int_equal(sr_labels_parse("Region=EastUS,env=prod", &l), 0);
    /* empty matches */
    assert_true(sr_criteria_match(NULL, &l));
    assert_true(sr_criteria_match("", &l));
    assert_true(sr_criteria_match("{}", &l));
    /* key and value compared case-insensitively */
    assert_true(sr_criteria_match("{\"region\":[\"eastus\"]}", &l));
    assert_true(sr_criteria_match("{\"REGION\":[\"westus\",\"EASTUS\"]}", &l));
    assert_false(sr_criteria_match("{\"region\":[\"westus\"]}", &l));
    /* any single match passes (OR across keys) */
    assert_true(sr_criteria_match("{\"region\":[\"westus\"],\"env\":[\"prod\"]}", &l));
    assert_false(sr_criteria_match("{\"region\":[\"westus\"],\"env\":[\"dev\"]}", &l));
    /* a key this server has no label for does not match */
    assert_false(sr_criteria_match("{\"zone\":[\"1\"]}", &l));
    /* unparseable or wrong shape never matches */
    assert_false(sr_criteria_match("[1]", &l));
    assert_false(sr_criteria_match("{", &l));
    sr_labels_free(&l);
    /* no labels at all: only empty criteria match */
    sr_labels none = {0};
    assert_true(sr_criteria_match("{}", &none));
    assert_false(sr_criteria_match("{\"region\":[\"eastus\"]}", &none));
}

static void test_criteria_normalize(void **state) {
    (void)state;
    char *out = NULL;
    char err[256];
    assert_int_equal(sr_criteria_normalize("{ \"z\": [\"1\"], \"a\" : [\"x\", \"y\"] }", &out, err, sizeof err), 0);
    assert_string_equal(out, "{\"a\":[\"x\",\"y\"],\"z\":[\"1\"]}");
    free(out);
    assert_int_equal(sr_criteria_normalize("{}", &out, err, sizeof err), 0);
    assert_string_equal(out, "{}");
    free(out);
    static const char *const bad[] = {
        "[\"a\"]",                       /* not an object */
        "\"eastus\"",                    /* not an object */
        "{\"region\":\"eastus\"}",       /* values must be a list */
        "{\"region\":[]}",               /* at least one value */
        "{\"region\":[1]}",              /* strings only */
        "{\"\":[\"a\"]}",                /* empty label */
        "{\"a\":[\"x\"],\"a\":[\"y\"]}", /* duplicate label */
        "{\"a\":[\"x\\u0000y\"]}",       /* NUL inside */
        "{\"a\":[\"line\\nbreak\"]}",    /* control character */
        "{nope",                         /* not JSON */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out = NULL;
        err[0] = '\0';
        assert_int_equal(sr_criteria_normalize(bad[i], &out, err, sizeof err), -1);
        assert_null(out);
        assert_true(strlen(err) > 0);
    }
    /* bounds: 33 labels, 33 values, a 257-byte value */
    char big[8192];
    size_t n = (size_t)snprintf(big, sizeof big, "{");
    for (int i = 0; i < 33; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"k%d\":[\"v\"]", i ? "," : "", i);
    snprintf(big + n, sizeof big - n, "}");
    assert_int_equal(sr_criteria_normalize(big, &out, err, sizeof err), -1);
    n = (size_t)snprintf(big, sizeof big, "{\"k\":[");
    for (int i = 0; i < 33; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"v%d\"", i ? "," : "", i);
    snprintf(big + n, sizeof big - n, "]}");
    assert_int_equal(sr_criteria_normalize(big, &out, err, sizeof err), -1);
    n = (size_t)snprintf(big, sizeof big, "{\"k\":[\"");
    memset(big + n, 'x', 257);
    snprintf(big + n + 257, sizeof big - n - 257, "\"]}");
    assert_int_equal(sr_criteria_normalize(big, &out, err, sizeof err), -1);
    big[n + 256] = '"'; /* 256 bytes is fine */
    snprintf(big + n + 257, sizeof big - n - 257, "]}");
    assert_int_equal(sr_criteria_normalize(big, &out, err, sizeof err), 0);
    free(out);
}

typedef struct {
    char fields[16][32];
    int n;
} collected;

static void collect(void *ctx, const char *field, const char *message) {
    collected *c = ctx;
    assert_true(strlen(message) > 10);
    snprintf(c->fields[c->n++], sizeof c->fields[0], "%s", field);
}

static bool has(const collected *c, const char *field) {
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->fields[i], field) == 0) return true;
    return false;
}

static void test_validate(void **state) {
    (void)state;
    sr_rule_input ok = {.name = "cpu-hourly.v2",
                        .cluster = "hub",
                        .database = "Metrics",
                        .table = "Cpu Hourly",
                        .body = "Cpu | where Timestamp between (_startTime .. _endTime) | summarize avg(Value)",
                        .interval_s = 3600,
                        .ingestion_delay_s = -1,
                        .criteria_json = "{\"region\":[\"eastus\"]}"};
    collected c = {0};
    assert_int_equal(sr_rule_validate(&ok, collect, &c), 0);
    ok.ingestion_delay_s = 0;
    assert_int_equal(sr_rule_validate(&ok, collect, &c), 0);

    /* every field wrong at once: one error per field */
    sr_rule_input bad = {.name = "bad name!",
                         .cluster = "",
                         .database = " Metrics",
                         .table = "__reserved",
                         .body = "  \n\t ",
                         .interval_s = 0,
                         .ingestion_delay_s = 8 * 86400,
                         .criteria_json = "{\"region\":\"eastus\"}"};
    memset(&c, 0, sizeof c);
    assert_int_equal(sr_rule_validate(&bad, collect, &c), 8);
    static const char *const fields[] = {"input.name", "input.cluster",  "input.database",       "input.table",
                                         "input.body", "input.interval", "input.ingestionDelay", "input.criteria"};
    for (size_t i = 0; i < 8; i++)
        assert_true(has(&c, fields[i]));

    /* absent fields are errors too */
    sr_rule_input empty = {.interval_s = -1, .ingestion_delay_s = -1};
    memset(&c, 0, sizeof c);
    assert_int_equal(sr_rule_validate(&empty, collect, &c), 6);

    /* bounds */
    char name[200];
    memset(name, 'a', 129);
    name[129] = '\0';
    sr_rule_input b2 = ok;
    b2.name = name;
    b2.interval_s = 30 * 86400 + 1;
    memset(&c, 0, sizeof c);
    assert_int_equal(sr_rule_validate(&b2, collect, &c), 2);
    name[128] = '\0';
    b2.interval_s = 30 * 86400;
    memset(&c, 0, sizeof c);
    assert_int_equal(sr_rule_validate(&b2, collect, &c), 0);
    char *body = malloc(SR_BODY_MAX + 2);
    memset(body, 'x', SR_BODY_MAX + 1);
    body[SR_BODY_MAX + 1] = '\0';
    b2.body = body;
    memset(&c, 0, sizeof c);
    assert_int_equal(sr_rule_validate(&b2, collect, &c), 1);
    assert_true(has(&c, "input.body"));
    free(body);
    b2.body = "Cpu | take 1 \xff";
    memset(&c, 0, sizeof c);
    assert_int_equal(sr_rule_validate(&b2, collect, &c), 1);
}

static void test_names(void **state) {
    (void)state;
    assert_true(sr_rule_name_valid("a"));
    assert_true(sr_rule_name_valid("cpu_hourly-v2.1"));
    assert_false(sr_rule_name_valid(""));
    assert_false(sr_rule_name_valid(NULL));
    assert_false(sr_rule_name_valid("a b"));
    assert_false(sr_rule_name_valid("a/b"));
    assert_true(sr_kusto_name_valid("My Table-1.v2"));
    assert_false(sr_kusto_name_valid("Tab'le"));
    assert_false(sr_kusto_name_valid("Tab]le"));
    assert_false(sr_kusto_name_valid("Table "));
    assert_false(sr_kusto_name_valid(""));
    assert_false(sr_kusto_name_valid(NULL));
}

static void test_bounded_copy(void **state) {
    (void)state;
    char out[8];
    sr_bounded_copy(out, sizeof out, "abc\x01\r\n\tz");
    assert_string_equal(out, "abc  \n\t"); /* cut at 7 bytes, controls but \n \t made spaces */
    sr_bounded_copy(out, sizeof out, "abcde\xc3\xa9");
    assert_string_equal(out, "abcde\xc3\xa9"); /* 7 bytes fit */
    sr_bounded_copy(out, sizeof out, "abcdef\xc3\xa9");
    assert_string_equal(out, "abcdef"); /* never half a character */
    sr_bounded_copy(out, sizeof out, "a\xffz");
    assert_string_equal(out, "a?z");
    sr_bounded_copy(out, sizeof out, NULL);
    assert_string_equal(out, "");
    char big[SR_MESSAGE_MAX];
    char *src = malloc(5000);
    memset(src, 'm', 4999);
    src[4999] = '\0';
    sr_bounded_copy(big, sizeof big, src);
    assert_int_equal(strlen(big), SR_MESSAGE_MAX - 1);
    free(src);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_parse),
        cmocka_unit_test(test_criteria_match),
        cmocka_unit_test(test_criteria_normalize),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_bounded_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
