/* test_kql.c -- KQL text building (src/kusto/kql.c): entity-name validation per the Kusto naming
 * rules, quoting of names that are not plain identifiers or are keywords, string / datetime /
 * timespan literals, CSV fields for `.ingest inline`, and injection attempts that must stay inside
 * their literal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kusto/kql.h"
#include "util/datetime.h"

typedef void (*appender)(buf_t *, const char *);

static void check(appender f, const char *in, const char *want) {
    buf_t b = BUF_INIT;
    buf_puts(&b, "<");
    f(&b, in);
    buf_puts(&b, ">");
    char expect[2048];
    snprintf(expect, sizeof expect, "<%s>", want);
    assert_string_equal(buf_cstr(&b), expect);
    buf_free(&b);
}

/* Reads a KQL single- or double-quoted literal starting at s (the way the KQL lexer does: a
 * backslash escapes the next character, the unescaped quote ends it). Returns the offset just
 * past the closing quote, or 0 if the literal never ends. Line breaks inside end nothing but are
 * reported through *raw_newline. */
static size_t kql_literal_end(const char *s, bool *raw_newline) {
    char q = s[0];
    *raw_newline = false;
    for (size_t i = 1; s[i]; i++) {
        if (s[i] == '\n' || s[i] == '\r') *raw_newline = true;
        if (s[i] == '\\') {
            if (!s[i + 1]) return 0;
            i++;
        } else if (s[i] == q) {
            return i + 1;
        }
    }
    return 0;
}

static void test_valid_names(void **state) {
    (void)state;
    static const char *ok[] = {"T",     "Table_1", "my-table", "my.table", "My Table", "1day",
                               "where", "_x",      "x_",       "a__b",     "0"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_true(kql_is_valid_name(ok[i]));
    static const char *bad[] = {"",    " T",  "T ",  "a;b", "a:b", "a'b",         "a\"b", "a]b",        "a\nb",
                                "a|b", "a/b", "__x", "x__", "a$b", "caf\xC3\xA9", "a\tb", "T'] | evil", "x//y"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (kql_is_valid_name(bad[i])) fail_msg("'%s' accepted", bad[i]);
    }
    assert_false(kql_is_valid_name(NULL));
    char long_name[1026];
    memset(long_name, 'a', 1024);
    long_name[1024] = '\0';
    assert_true(kql_is_valid_name(long_name));
    long_name[1024] = 'a';
    long_name[1025] = '\0';
    assert_false(kql_is_valid_name(long_name));
}

static void test_needs_quoting_and_keywords(void **state) {
    (void)state;
    assert_false(kql_needs_quoting("Heartbeat"));
    assert_false(kql_needs_quoting("_x1"));
    assert_false(kql_needs_quoting("Where")); /* KQL is case-sensitive */
    assert_true(kql_needs_quoting("where"));
    assert_true(kql_needs_quoting("project"));
    assert_true(kql_needs_quoting("summarize"));
    assert_true(kql_needs_quoting("string"));
    assert_true(kql_needs_quoting("true"));
    assert_true(kql_needs_quoting("let"));
    assert_true(kql_needs_quoting("1day"));
    assert_true(kql_needs_quoting("my-table"));
    assert_true(kql_needs_quoting("a.b"));
    assert_true(kql_needs_quoting(""));
    assert_true(kql_needs_quoting(NULL));
    /* First and last of the sorted table (bsearch boundaries) and a few in between. */
    static const char *kw[] = {"__crossCluster", "writeaheadlog", "and", "by",   "datetime",    "dynamic",
                               "extend",         "has_any",       "in",  "join", "materialize", "or",
                               "take",           "timespan",      "with"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (!kql_is_keyword(kw[i])) fail_msg("'%s' not a keyword", kw[i]);
    static const char *not_kw[] = {"Timestamp", "ClusterEndpoint", "abc", "wherex", "zzz", "__", "A"};
    for (size_t i = 0; i < sizeof not_kw / sizeof not_kw[0]; i++)
        if (kql_is_keyword(not_kw[i])) fail_msg("'%s' is a keyword", not_kw[i]);
    assert_false(kql_is_keyword(NULL));
}

static void test_append_name(void **state) {
    (void)state;
    check(kql_append_name, "Heartbeat", "Heartbeat");
    check(kql_append_name, "where", "['where']");
    check(kql_append_name, "my-table", "['my-table']");
    check(kql_append_name, "My Table.v2", "['My Table.v2']");
    check(kql_append_name, "it's", "['it\\'s']");
    check(kql_append_name, "back\\slash", "['back\\\\slash']");
    check(kql_append_name, "", "['']");
    check(kql_append_name, NULL, "['']");
}

/* Injection attempts: whatever the name or string holds, the emitted literal ends exactly where
 * we closed it and holds no raw line break (a line break ends a command in .execute scripts, and
 * `//` after one would start a comment). */
static void test_injection(void **state) {
    (void)state;
    static const char *evil[] = {
        "x'] | evil",       "x\"] | evil",     "x\\'] | evil", "x\\",   "x\n.drop table T",         "x\r\n// comment",
        "x']\n| take 1 //", "a\x01\x1f\x7f b", "']['",         "\\\\'", "\"; .drop database D; \"", "```x```"};
    for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
        bool nl;
        /* Names: ['...'] */
        buf_t b = BUF_INIT;
        kql_append_name(&b, evil[i]);
        const char *s = buf_cstr(&b);
        assert_int_equal(strncmp(s, "['", 2), 0);
        size_t end = kql_literal_end(s + 1, &nl);
        assert_int_not_equal(end, 0);
        assert_false(nl);
        assert_string_equal(s + 1 + end, "]");
        buf_free(&b);
        /* Strings: "..." */
        kql_append_string(&b, evil[i]);
        s = buf_cstr(&b);
        end = kql_literal_end(s, &nl);
        assert_int_equal(end, strlen(s));
        assert_false(nl);
        buf_free(&b);
    }
}

static void test_append_string(void **state) {
    (void)state;
    check(kql_append_string, "plain", "\"plain\"");
    check(kql_append_string, "", "\"\"");
    check(kql_append_string, NULL, "\"\"");
    check(kql_append_string, "a\"b'c", "\"a\\\"b'c\"");
    check(kql_append_string, "a\\b", "\"a\\\\b\"");
    check(kql_append_string, "l1\nl2\r\tx", "\"l1\\nl2\\r\\tx\"");
    check(kql_append_string, "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
    check(kql_append_string, "caf\xC3\xA9", "\"caf\xC3\xA9\""); /* UTF-8 passes through */
    check(kql_append_string, "// not a comment", "\"// not a comment\"");
}

static void test_append_datetime(void **state) {
    (void)state;
    buf_t b = BUF_INIT;
    kql_append_datetime(&b, INT64_C(1704067200) * DT_TICKS_PER_SEC);
    assert_string_equal(buf_cstr(&b), "datetime(2024-01-01T00:00:00.0000000Z)");
    buf_reset(&b);
    kql_append_datetime(&b, INT64_C(1549966982) * DT_TICKS_PER_SEC + 413963);
    assert_string_equal(buf_cstr(&b), "datetime(2019-02-12T10:23:02.0413963Z)");
    buf_reset(&b);
    kql_append_datetime(&b, -1);
    assert_string_equal(buf_cstr(&b), "datetime(1969-12-31T23:59:59.9999999Z)");
    buf_reset(&b);
    kql_append_datetime(&b, INT64_MAX);
    assert_string_equal(buf_cstr(&b), "datetime(null)");
    buf_free(&b);
}

static void test_append_timespan(void **state) {
    (void)state;
    struct {
        int64_t ticks;
        const char *want;
    } cases[] = {
        {0, "timespan(00:00:00.0000000)"},
        {INT64_C(3600) * DT_TICKS_PER_SEC, "timespan(01:00:00.0000000)"},
        {(INT64_C(86400) + 2 * 3600 + 3 * 60 + 4) * DT_TICKS_PER_SEC, "timespan(1.02:03:04.0000000)"},
        {-((INT64_C(86400) + 2 * 3600 + 3 * 60 + 4) * DT_TICKS_PER_SEC + 5), "timespan(-1.02:03:04.0000005)"},
        {1, "timespan(00:00:00.0000001)"},
        {INT64_MAX, "timespan(10675199.02:48:05.4775807)"},
        {INT64_MIN, "timespan(-10675199.02:48:05.4775808)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_t b = BUF_INIT;
        kql_append_timespan(&b, cases[i].ticks);
        assert_string_equal(buf_cstr(&b), cases[i].want);
        buf_free(&b);
    }
}

static void test_csv(void **state) {
    (void)state;
    check(csv_append_field, "plain", "plain");
    check(csv_append_field, "", "");
    check(csv_append_field, NULL, "");
    check(csv_append_field, "a,b", "\"a,b\"");
    check(csv_append_field, "say \"hi\"", "\"say \"\"hi\"\"\"");
    check(csv_append_field, "l1\nl2", "\"l1\nl2\"");
    check(csv_append_field, "l1\r\nl2", "\"l1\r\nl2\"");
    check(csv_append_field, " lead", "\" lead\"");
    check(csv_append_field, "trail ", "\"trail \"");
    check(csv_append_field, "\ttab", "\"\ttab\"");
    check(csv_append_field, "in side", "in side");
    check(csv_append_field, "// kept", "// kept");
    /* The protocol doc's dynamic example: JSON wrapped in quotes, inner quotes doubled. */
    check(csv_append_field, "{\"EventType\":\"Read\", \"Count\":\"12\"}",
          "\"{\"\"EventType\"\":\"\"Read\"\", \"\"Count\"\":\"\"12\"\"}\"");
    /* A row: fields joined by commas cannot break out of their field. */
    buf_t b = BUF_INIT;
    csv_append_field(&b, "2015-01-01");
    buf_putc(&b, ',');
    csv_append_field(&b, "x\",evil\n.drop table T");
    assert_string_equal(buf_cstr(&b), "2015-01-01,\"x\"\",evil\n.drop table T\"");
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_names),     cmocka_unit_test(test_needs_quoting_and_keywords),
        cmocka_unit_test(test_append_name),     cmocka_unit_test(test_injection),
        cmocka_unit_test(test_append_string),   cmocka_unit_test(test_append_datetime),
        cmocka_unit_test(test_append_timespan), cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests_name("kql", tests, NULL, NULL);
}
