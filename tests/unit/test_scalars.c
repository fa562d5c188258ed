/* test_scalars.c -- scalar coercion (spec §3.5 result and input coercion) with graphql-js's messages,
 * the JSON / DateTime / Duration scalars, and the literal / number printers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/language/parser.h"
#include "graphql/type/scalars.h"
#include "util/duration.h"

static arena_t *A;

static int setup(void **state) {
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    arena_free(A);
    return 0;
}

static gql_value *lit(const char *src) {
    gql_errors e;
    gql_errors_init(&e, A);
    gql_value *v = gql_parse_value(A, src, strlen(src), &e);
    assert_non_null(v);
    return v;
}

/* Runs f on in; expects failure with message msg. */
static void ser_err(const gql_scalar_funcs *f, gql_val in, const char *msg) {
    gql_val out;
    const char *err = NULL;
    assert_int_equal(f->serialize(A, &in, &out, &err), -1);
    assert_string_equal(err, msg);
}

static void pv_err(const gql_scalar_funcs *f, gql_val in, const char *msg) {
    gql_val out;
    const char *err = NULL;
    assert_int_equal(f->parse_value(A, &in, &out, &err), -1);
    assert_string_equal(err, msg);
}

static void pl_err(const gql_scalar_funcs *f, const char *src, const char *msg) {
    gql_val out;
    const char *err = NULL;
    assert_int_equal(f->parse_literal(A, lit(src), NULL, &out, &err), -1);
    assert_string_equal(err, msg);
}

static gql_val ser(const gql_scalar_funcs *f, gql_val in) {
    gql_val out;
    const char *err = NULL;
    assert_int_equal(f->serialize(A, &in, &out, &err), 0);
    return out;
}

static gql_val pv(const gql_scalar_funcs *f, gql_val in) {
    gql_val out;
    const char *err = NULL;
    assert_int_equal(f->parse_value(A, &in, &out, &err), 0);
    return out;
}

static gql_val pl(const gql_scalar_funcs *f, const char *src) {
    gql_val out;
    const char *err = NULL;
    int rc = f->parse_literal(A, lit(src), NULL, &out, &err);
    if (rc) fprintf(stderr, "# %s: %s\n", src, err);
    assert_int_equal(rc, 0);
    return out;
}

static void test_int(void **state) {
    (void)state;
    const gql_scalar_funcs *f = &gql_scalar_int;
    assert_int_equal(ser(f, gql_int(42)).i, 42);
    assert_int_equal(ser(f, gql_float(3.0)).i, 3);
    assert_int_equal(ser(f, gql_bool(true)).i, 1);
    assert_int_equal(ser(f, gql_str("-12")).i, -12);
    assert_int_equal(ser(f, gql_int(2147483647)).i, 2147483647);
    ser_err(f, gql_float(1.5), "Int cannot represent non-integer value: 1.5");
    ser_err(f, gql_str("abc"), "Int cannot represent non-integer value: \"abc\"");
    ser_err(f, gql_str(""), "Int cannot represent non-integer value: \"\"");
    ser_err(f, gql_int(2147483648LL), "Int cannot represent non 32-bit signed integer value: 2147483648");
    ser_err(f, gql_float(1e100), "Int cannot represent non 32-bit signed integer value: 1e+100");
    ser_err(f, gql_null(), "Int cannot represent non-integer value: null");
    assert_int_equal(pv(f, gql_int(-5)).i, -5);
    pv_err(f, gql_str("5"), "Int cannot represent non-integer value: \"5\"");
    pv_err(f, gql_float(0.1), "Int cannot represent non-integer value: 0.1");
    pv_err(f, gql_int(-2147483649LL), "Int cannot represent non 32-bit signed integer value: -2147483649");
    pv_err(f, gql_bool(true), "Int cannot represent non-integer value: true");
    assert_int_equal(pl(f, "-2147483648").i, -2147483648LL);
    pl_err(f, "1.5", "Int cannot represent non-integer value: 1.5");
    pl_err(f, "\"1\"", "Int cannot represent non-integer value: \"1\"");
    pl_err(f, "ENUM", "Int cannot represent non-integer value: ENUM");
    pl_err(f, "2147483648", "Int cannot represent non 32-bit signed integer value: 2147483648");
    pl_err(f, "99999999999999999999999",
           "Int cannot represent non 32-bit signed integer value: 99999999999999999999999");
}

static void test_float(void **state) {
    (void)state;
    const gql_scalar_funcs *f = &gql_scalar_float;
    assert_true(ser(f, gql_int(2)).f == 2.0);
    assert_int_equal(ser(f, gql_int(2)).kind, GQL_V_FLOAT);
    assert_true(ser(f, gql_str("1.25")).f == 1.25);
    assert_true(ser(f, gql_bool(false)).f == 0.0);
    ser_err(f, gql_str("one"), "Float cannot represent non numeric value: \"one\"");
    ser_err(f, gql_float(1.0 / 0.0), "Float cannot represent non numeric value: Infinity");
    ser_err(f, gql_str("nan"), "Float cannot represent non numeric value: \"nan\"");
    assert_true(pv(f, gql_int(7)).f == 7.0);
    pv_err(f, gql_str("7"), "Float cannot represent non numeric value: \"7\"");
    pv_err(f, gql_bool(true), "Float cannot represent non numeric value: true");
    assert_true(pl(f, "1").f == 1.0);
    assert_true(pl(f, "-1.5e3").f == -1500.0);
    pl_err(f, "\"1.5\"", "Float cannot represent non numeric value: \"1.5\"");
    pl_err(f, "[1]", "Float cannot represent non numeric value: [1]");
}

static void test_string_boolean_id(void **state) {
    (void)state;
    const gql_scalar_funcs *s = &gql_scalar_string, *b = &gql_scalar_boolean, *id = &gql_scalar_id;
    assert_string_equal(ser(s, gql_str("x")).s.ptr, "x");
    assert_string_equal(ser(s, gql_int(12)).s.ptr, "12");
    assert_string_equal(ser(s, gql_float(1.5)).s.ptr, "1.5");
    assert_string_equal(ser(s, gql_bool(true)).s.ptr, "true");
    assert_string_equal(ser(s, gql_enum("RED")).s.ptr, "RED");
    assert_int_equal(ser(s, gql_enum("RED")).kind, GQL_V_STRING);
    gql_val list = gql_list(A, 2);
    list.list.items[0] = gql_int(1);
    list.list.items[1] = gql_str("a");
    ser_err(s, list, "String cannot represent value: [1, \"a\"]");
    gql_val map = gql_map(A, 1);
    gql_map_set(A, &map, "k", gql_bool(true));
    ser_err(s, map, "String cannot represent value: { k: true }");
    pv_err(s, gql_int(1), "String cannot represent a non string value: 1");
    assert_string_equal(pl(s, "\"\\u00e9\"").s.ptr, "\xc3\xa9");
    pl_err(s, "1", "String cannot represent a non string value: 1");
    pl_err(s, "{a: \"x\"}", "String cannot represent a non string value: {a: \"x\"}");

    assert_true(ser(b, gql_int(3)).b);
    assert_false(ser(b, gql_float(0.0)).b);
    ser_err(b, gql_str("true"), "Boolean cannot represent a non boolean value: \"true\"");
    pv_err(b, gql_int(1), "Boolean cannot represent a non boolean value: 1");
    assert_true(pl(b, "true").b);
    pl_err(b, "\"true\"", "Boolean cannot represent a non boolean value: \"true\"");

    assert_string_equal(ser(id, gql_int(7)).s.ptr, "7");
    assert_string_equal(ser(id, gql_str("a-1")).s.ptr, "a-1");
    assert_string_equal(ser(id, gql_float(12.0)).s.ptr, "12");
    assert_string_equal(ser(id, gql_float(1e21)).s.ptr, "1e+21");
    ser_err(id, gql_float(1.5), "ID cannot represent value: 1.5");
    ser_err(id, gql_bool(true), "ID cannot represent value: true");
    assert_string_equal(pv(id, gql_int(42)).s.ptr, "42");
    assert_int_equal(pv(id, gql_int(42)).kind, GQL_V_STRING);
    pv_err(id, gql_bool(false), "ID cannot represent value: false");
    assert_string_equal(pl(id, "123").s.ptr, "123");
    assert_string_equal(pl(id, "\"abc\"").s.ptr, "abc");
    pl_err(id, "1.0", "ID cannot represent a non-string and non-integer value: 1.0");
    pl_err(id, "null", "ID cannot represent a non-string and non-integer value: null");
}

static void test_json(void **state) {
    (void)state;
    const gql_scalar_funcs *j = &gql_scalar_json;
    gql_val vars = gql_map(A, 1);
    gql_map_set(A, &vars, "v", gql_str("from var"));
    gql_val out;
    const char *err = NULL;
    assert_int_equal(
        j->parse_literal(A, lit("{a: [1, 2.5, \"s\", true, null, E], b: {c: $v}, d: $missing}"), &vars, &out, &err), 0);
    assert_int_equal(out.kind, GQL_V_MAP);
    const gql_val *a = gql_map_get(&out, "a");
    assert_int_equal(a->list.count, 6);
    assert_int_equal(a->list.items[0].i, 1);
    assert_true(a->list.items[1].f == 2.5);
    assert_string_equal(a->list.items[5].s.ptr, "E");
    assert_int_equal(a->list.items[4].kind, GQL_V_NULL);
    assert_string_equal(gql_map_get(gql_map_get(&out, "b"), "c")->s.ptr, "from var");
    assert_int_equal(gql_map_get(&out, "d")->kind, GQL_V_NULL);
    buf_t b = BUF_INIT;
    gql_val s = ser(j, out);
    assert_int_equal(gql_val_write_json(&s, &b), 0);
    assert_string_equal(buf_cstr(&b), "{\"a\":[1,2.5,\"s\",true,null,\"E\"],\"b\":{\"c\":\"from var\"},\"d\":null}");
    buf_free(&b);
    assert_int_equal(pv(j, gql_int(3)).i, 3);
    int x;
    ser_err(j, gql_object(&x, NULL), "JSON cannot represent value: {}");
}

static void test_datetime(void **state) {
    (void)state;
    char out[GQL_DATETIME_MAX];
    assert_int_equal(gql_datetime_normalize("2024-01-01T10:00:00Z", 20, out), 0);
    assert_string_equal(out, "2024-01-01T10:00:00Z");
    const char *s = "2024-03-01T01:30:00.250+02:00";
    assert_int_equal(gql_datetime_normalize(s, strlen(s), out), 0);
    assert_string_equal(out, "2024-02-29T23:30:00.250Z");
    s = "2023-12-31t23:59:59-00:30";
    assert_int_equal(gql_datetime_normalize(s, strlen(s), out), 0);
    assert_string_equal(out, "2024-01-01T00:29:59Z");
    const char *bad[] = {"2024-01-01",
                         "2024-13-01T00:00:00Z",
                         "2023-02-29T00:00:00Z",
                         "2024-01-01T24:00:00Z",
                         "2024-01-01T00:00:00",
                         "2024-01-01T00:00:00+0100",
                         "2024-01-01T00:00:00.Z",
                         "0000-01-01T00:00:00+01:00",
                         "2024-01-01T00:00:00Zjunk",
                         "2024-01-01T00:60:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (gql_datetime_normalize(bad[i], strlen(bad[i]), out) == 0) fprintf(stderr, "# accepted %s\n", bad[i]);
        assert_int_equal(gql_datetime_normalize(bad[i], strlen(bad[i]), out), -1);
    }
    const gql_scalar_funcs *f = &gql_scalar_datetime;
    assert_string_equal(ser(f, gql_str("2024-06-01T12:00:00+01:00")).s.ptr, "2024-06-01T11:00:00Z");
    assert_string_equal(pv(f, gql_str("2024-06-01T12:00:00.5Z")).s.ptr, "2024-06-01T12:00:00.5Z");
    assert_string_equal(pl(f, "\"2024-06-01T00:00:00-05:00\"").s.ptr, "2024-06-01T05:00:00Z");
    ser_err(f, gql_str("yesterday"), "DateTime cannot represent an invalid date-time string: \"yesterday\"");
    pv_err(f, gql_int(5), "DateTime cannot represent a non string value: 5");
    pl_err(f, "20240101", "DateTime cannot represent a non string value: 20240101");
}

static void test_duration(void **state) {
    (void)state;
    int64_t secs;
    struct {
        const char *in;
        int64_t secs;
        const char *canon;
    } ok[] = {{"90s", 90, "1m30s"},     {"10m", 600, "10m"},   {"1h", 3600, "1h"},
              {"1h30m", 5400, "1h30m"}, {"7d", 604800, "7d"},  {"1d2h3m4s", 93784, "1d2h3m4s"},
              {"0s", 0, "0s"},          {"25h", 90000, "1d1h"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(duration_parse(ok[i].in, strlen(ok[i].in), &secs), 0);
        assert_int_equal(secs, ok[i].secs);
        char out[48];
        duration_format(secs, out);
        assert_string_equal(out, ok[i].canon);
    }
    const char *bad[] = {"", "10", "m", "1m1h", "1h1h", "-5s", "1.5h", "1w", "1h 30m", "9999999999999999d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(duration_parse(bad[i], strlen(bad[i]), &secs), -1);
    const gql_scalar_funcs *f = &gql_scalar_duration;
    assert_string_equal(ser(f, gql_int(3600 + 60)).s.ptr, "1h1m");
    assert_string_equal(ser(f, gql_str("120s")).s.ptr, "2m");
    assert_int_equal(pv(f, gql_str("1h")).i, 3600);
    assert_int_equal(pl(f, "\"2m\"").i, 120);
    ser_err(f, gql_int(-1), "Duration cannot represent value: -1");
    pv_err(f, gql_str("soon"), "Duration cannot represent an invalid duration string: \"soon\"");
    pl_err(f, "5", "Duration cannot represent value: 5");
}

static void test_printers(void **state) {
    (void)state;
    struct {
        double d;
        const char *js;
    } nums[] = {{1.5, "1.5"},
                {100, "100"},
                {1e21, "1e+21"},
                {1e-7, "1e-7"},
                {0.000001, "0.000001"},
                {-0.0, "0"},
                {123456789012345680000.0, "123456789012345680000"},
                {0.1, "0.1"},
                {1.0 / 3, "0.3333333333333333"},
                {-2.5e-10, "-2.5e-10"}};
    char out[40];
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        gql_js_number(nums[i].d, out);
        assert_string_equal(out, nums[i].js);
    }
    buf_t b = BUF_INIT;
    gql_print_literal(&b, lit("{a: [1, -2.5e3, \"q\\\"\\n\\u0001\"], b: $v, c: null, d: ENUM, e: false}"));
    assert_string_equal(buf_cstr(&b), "{a: [1, -2.5e3, \"q\\\"\\n\\u0001\"], b: $v, c: null, d: ENUM, e: false}");
    buf_reset(&b);
    gql_print_string(&b, "plain", 5, true);
    assert_string_equal(buf_cstr(&b), "\"\"\"plain\"\"\"");
    buf_reset(&b);
    gql_print_string(&b, "two\nlines", 9, true);
    assert_string_equal(buf_cstr(&b), "\"\"\"\ntwo\nlines\n\"\"\"");
    buf_reset(&b);
    gql_print_string(&b, "\nleading newline", 16, true); /* not printable as a block string */
    assert_string_equal(buf_cstr(&b), "\"\\nleading newline\"");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int),      cmocka_unit_test(test_float),    cmocka_unit_test(test_string_boolean_id),
        cmocka_unit_test(test_json),     cmocka_unit_test(test_datetime), cmocka_unit_test(test_duration),
        cmocka_unit_test(test_printers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
