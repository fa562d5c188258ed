/* test_util.c -- the shared helpers of src/util/: base64 (RFC 4648 §4/§5, padded and not), RFC 3339
 * instants (parse, format, Kusto ticks, bounds, leap seconds, offsets), durations, and the JSON
 * string writer (short strings in place, long ones run by run: the same bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/datetime.h"
#include "util/duration.h"

static void test_base64_vectors(void **state) {
    (void)state;
    arena_t *a = arena_new();
    /* RFC 4648 section 10 test vectors, padded, then without padding. */
    static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    static const char *nopad[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(b64_encode_arena(a, in[i], strlen(in[i]), B64_STD), out[i]);
        assert_string_equal(b64_encode_arena(a, in[i], strlen(in[i]), B64_URL | B64_NOPAD), nopad[i]);
        assert_int_equal(b64_encoded_len(strlen(in[i]), B64_STD), strlen(out[i]));
        assert_int_equal(b64_encoded_len(strlen(in[i]), B64_NOPAD), strlen(nopad[i]));
        unsigned char buf[16];
        assert_int_equal(b64_decode(out[i], strlen(out[i]), B64_STD, buf), (long)strlen(in[i]));
        assert_memory_equal(buf, in[i], strlen(in[i]));
        assert_int_equal(b64_decode(nopad[i], strlen(nopad[i]), B64_URL, buf), (long)strlen(in[i]));
        assert_memory_equal(buf, in[i], strlen(in[i]));
    }
    /* The two alphabets differ in their last two symbols. */
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    assert_string_equal(b64_encode_arena(a, bytes, 3, B64_STD), "+/+/");
    assert_string_equal(b64_encode_arena(a, bytes, 3, B64_URL), "-_-_");
    arena_free(a);
}

static void test_base64_rejects(void **state) {
    (void)state;
    unsigned char buf[16];
    assert_int_equal(b64_decode("+/+/", 4, B64_URL, buf), -1); /* wrong alphabet */
    assert_int_equal(b64_decode("-_-_", 4, B64_STD, buf), -1);
    assert_int_equal(b64_decode("Zg=", 3, B64_STD, buf), -1);   /* bad padding */
    assert_int_equal(b64_decode("Z", 1, B64_STD, buf), -1);     /* impossible length */
    assert_int_equal(b64_decode("Zh", 2, B64_STD, buf), -1);    /* non-zero trailing bits */
    assert_int_equal(b64_decode("Zm 9", 4, B64_STD, buf), -1);  /* whitespace */
}

static int64_t parse_ticks(const char *s) {
    dt_instant t;
    if (dt_parse(s, strlen(s), 0, &t) != 0) return INT64_MIN;
    return dt_ticks(&t);
}

static void test_datetime_parse(void **state) {
    (void)state;
    assert_int_equal(parse_ticks("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ticks("2024-01-01T00:00:00Z"), INT64_C(1704067200) * DT_TICKS_PER_SEC);
    assert_int_equal(parse_ticks("2024-01-01T00:00:00.5Z"), INT64_C(1704067200) * DT_TICKS_PER_SEC + 5000000);
    assert_int_equal(parse_ticks("2024-01-01T00:59:59.9999999Z"),
                     (INT64_C(1704067200) + 3600) * DT_TICKS_PER_SEC - 1);
    /* More than seven digits are cut to the tick; offsets move to UTC; lower-case t and z. */
    assert_int_equal(parse_ticks("2024-01-01T00:00:00.123456789Z"), INT64_C(1704067200) * DT_TICKS_PER_SEC + 1234567);
    assert_int_equal(parse_ticks("2024-01-01T02:00:00+02:00"), INT64_C(1704067200) * DT_TICKS_PER_SEC);
    assert_int_equal(parse_ticks("2023-12-31t19:00:00-05:00"), INT64_C(1704067200) * DT_TICKS_PER_SEC);
    assert_int_equal(parse_ticks("1969-12-31T23:59:59Z"), -DT_TICKS_PER_SEC);
    assert_int_equal(parse_ticks("0001-01-01T00:00:00Z"), INT64_C(-62135596800) * DT_TICKS_PER_SEC);
    static const char *bad[] = {"2024-01-01",           "2024-01-01T00:00:00",   "2024-13-01T00:00:00Z",
                                "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z",  "2024-01-01T00:00:60Z",
                                "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+0200", "0000-12-31T23:59:59Z",
                                "0001-01-01T00:00:00+00:01", "2024-01-01T00:00:00Zjunk"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse_ticks(bad[i]) != INT64_MIN) fail_msg("accepted %s", bad[i]);
    dt_instant t;
    assert_int_equal(dt_parse("2016-12-31T23:59:60Z", 20, 1, &t), 0); /* a leap second, when allowed */
    assert_int_equal(t.secs, INT64_C(1483228800));
    assert_int_equal(dt_parse("2016-12-31T23:59:60Z", 20, 0, &t), -1);
}

static void test_datetime_format(void **state) {
    (void)state;
    char out[DT_MAX];
    assert_int_equal(dt_format(0, out), 20);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    dt_format(INT64_C(-62104060800), out); /* year 2 */
    assert_string_equal(out, "0002-01-01T00:00:00Z");
    assert_int_equal(dt_format(INT64_C(253402300800), out), 0); /* year 10000 */
    assert_string_equal(out, "");
    dt_format_ticks(INT64_C(1704067200) * DT_TICKS_PER_SEC, out);
    assert_string_equal(out, "2024-01-01T00:00:00.0000000Z");
    dt_format_ticks(INT64_C(1704070800) * DT_TICKS_PER_SEC - 1, out);
    assert_string_equal(out, "2024-01-01T00:59:59.9999999Z");
    dt_format_ticks(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.9999999Z");
    dt_instant t;
    assert_int_equal(dt_parse("2024-01-01T10:00:00.50+01:00", 28, 0, &t), 0);
    dt_format_instant(&t, out);
    assert_string_equal(out, "2024-01-01T09:00:00.50Z");
    assert_int_equal(dt_floor_div(-1, 10), -1);
    assert_int_equal(dt_floor_div(-10, 10), -1);
    assert_int_equal(dt_floor_div(9, 10), 0);
}

static void test_duration(void **state) {
    (void)state;
    int64_t s;
    assert_int_equal(duration_parse("1h30m", 5, &s), 0);
    assert_int_equal(s, 5400);
    assert_int_equal(duration_parse("7d", 2, &s), 0);
    assert_int_equal(s, 604800);
    assert_int_equal(duration_parse("90s", 3, &s), 0);
    assert_int_equal(s, 90);
    assert_int_equal(duration_parse("", 0, &s), -1);
    assert_int_equal(duration_parse("30m1h", 5, &s), -1); /* units in order */
    assert_int_equal(duration_parse("1h1h", 4, &s), -1);
    assert_int_equal(duration_parse("10", 2, &s), -1);
    assert_int_equal(duration_parse("1w", 2, &s), -1);
    assert_int_equal(duration_parse("9999999999999999d", 17, &s), -1);
    char out[DURATION_MAX];
    duration_format(5400, out);
    assert_string_equal(out, "1h30m");
    duration_format(93784, out);
    assert_string_equal(out, "1d2h3m4s");
    duration_format(0, out);
    assert_string_equal(out, "0s");
}

static void test_json_string(void **state) {
    (void)state;
    /* Every escape, plain ASCII, DEL, a valid 2-byte sequence, an invalid byte, a truncated sequence. */
    static const char piece[] = "ab\"c\\d\n\r\t\b\f\x01\x1f \x7f\xc3\xa9z\xff!\xe2\x82";
    const size_t plen = sizeof piece - 1;
    buf_t b = BUF_INIT;
    buf_json_string(&b, piece, plen);
    assert_string_equal(buf_cstr(&b),
                        "\"ab\\\"c\\\\d\\n\\r\\t\\b\\f\\u0001\\u001f \x7f\xc3\xa9z\xef\xbf\xbd!\xef\xbf\xbd\xef\xbf\xbd\"");
    /* The escaped piece without its quotes, repeated past the in-place limit, must equal the long path. */
    size_t inner_len = b.len - 2;
    char *inner = malloc(inner_len);
    memcpy(inner, b.data + 1, inner_len);
    enum { REPS = 400 };
    char *big = malloc(plen * REPS);
    for (int i = 0; i < REPS; i++)
        memcpy(big + (size_t)i * plen, piece, plen);
    buf_t want = BUF_INIT, got = BUF_INIT;
    buf_putc(&want, '"');
    for (int i = 0; i < REPS; i++)
        buf_append(&want, inner, inner_len);
    buf_putc(&want, '"');
    buf_append(&got, "x", 1); /* appends after existing content */
    buf_json_string(&got, big, plen * REPS);
    assert_int_equal(got.len, want.len + 1);
    assert_memory_equal(got.data + 1, want.data, want.len);
    assert_int_equal(got.data[got.len], '\0');
    free(inner);
    free(big);
    buf_free(&b);
    buf_free(&want);
    buf_free(&got);
}

static void test_arena_grow(void **state) {
    (void)state;
    arena_t *a = arena_new();
    int *v = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 100; i++) {
        v = arena_grow(a, v, n, &cap, sizeof *v, 4);
        assert_true(cap > n);
        v[n++] = i;
    }
    assert_int_equal(cap, 128); /* 4, 8, ..., 128: doubling from the first capacity */
    for (int i = 0; i < 100; i++)
        assert_int_equal(v[i], i); /* earlier elements copied on every growth */
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_vectors), cmocka_unit_test(test_base64_rejects),
        cmocka_unit_test(test_datetime_parse), cmocka_unit_test(test_datetime_format),
        cmocka_unit_test(test_duration), cmocka_unit_test(test_arena_grow), cmocka_unit_test(test_json_string),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
