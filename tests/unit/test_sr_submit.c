/* test_sr_submit.c -- what SummaryRules send to Kusto and how they read the answers
 * (src/summaryrules/submit.c, issue 9 "Submission" and "Tracking"): the exact `.set-or-append async`
 * text (lets after `<|`, seven fraction digits, end minus one tick, the table quoted when needed, the
 * body trimmed), `.show operations <id>` only for GUIDs, and answers parsed by the Kusto client's own v1
 * parser: the operation id (column OperationId or column 0, a GUID or refused), the state classes,
 * ShouldRetry in its several types, the latest row among several, and malformed answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "summaryrules/submit.h"

#define T0 (INT64_C(1704067200) * SR_TICKS) /* 2024-01-01T00:00:00Z */
#define HOUR (INT64_C(3600) * SR_TICKS)

static void test_command_text(void **state) {
    (void)state;
    buf_t b = BUF_INIT;
    sr_window w = {T0, T0 + HOUR};
    assert_int_equal(
        sr_command_text(&b, "CpuHourly", w,
                        "\n  Cpu | where Timestamp between (_startTime .. _endTime) | summarize avg(Value)\n"),
        0);
    assert_string_equal(buf_cstr(&b), ".set-or-append async CpuHourly with (extend_schema=true) <| "
                                      "let _startTime=datetime(2024-01-01T00:00:00.0000000Z);\n"
                                      "let _endTime=datetime(2024-01-01T00:59:59.9999999Z);\n"
                                      "Cpu | where Timestamp between (_startTime .. _endTime) | summarize avg(Value)");
    /* a table name that is not a bare identifier, or is a keyword, is quoted */
    buf_reset(&b);
    assert_int_equal(
        sr_command_text(&b, "Cpu Hourly", (sr_window){T0 + 15 * 60 * SR_TICKS, T0 + 30 * 60 * SR_TICKS}, "T | take 1"),
        0);
    assert_string_equal(buf_cstr(&b), ".set-or-append async ['Cpu Hourly'] with (extend_schema=true) <| "
                                      "let _startTime=datetime(2024-01-01T00:15:00.0000000Z);\n"
                                      "let _endTime=datetime(2024-01-01T00:29:59.9999999Z);\nT | take 1");
    buf_reset(&b);
    assert_int_equal(sr_command_text(&b, "where", w, "T"), 0);
    assert_non_null(strstr(buf_cstr(&b), "async ['where'] with"));
    /* refused: an invalid table, an empty window, an empty body; nothing appended */
    buf_reset(&b);
    assert_int_equal(sr_command_text(&b, "T'; .drop table X", w, "T"), -1);
    assert_int_equal(sr_command_text(&b, "T", (sr_window){T0, T0}, "T"), -1);
    assert_int_equal(sr_command_text(&b, "T", w, " \n\t"), -1);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void test_show_operation_text(void **state) {
    (void)state;
    buf_t b = BUF_INIT;
    assert_int_equal(sr_show_operation_text(&b, "5c4ae1e1-8c2d-4b52-9e8b-1f0f1a2b3c4d"), 0);
    assert_string_equal(buf_cstr(&b), ".show operations 5c4ae1e1-8c2d-4b52-9e8b-1f0f1a2b3c4d");
    buf_reset(&b);
    assert_int_equal(sr_show_operation_text(&b, "5c4ae1e1-8c2d-4b52-9e8b-1f0f1a2b3c4d | count"), -1);
    assert_int_equal(sr_show_operation_text(&b, "5c4ae1e18c2d-4b52-9e8b-1f0f1a2b3c4d0"), -1);
    assert_int_equal(sr_show_operation_text(&b, "zc4ae1e1-8c2d-4b52-9e8b-1f0f1a2b3c4d"), -1);
    assert_int_equal(sr_show_operation_text(&b, NULL), -1);
    assert_int_equal(b.len, 0);
    buf_free(&b);
    assert_true(sr_guid_valid("ABCDEF01-2345-6789-abcd-ef0123456789"));
}

static kusto_result *v1(arena_t *a, const char *body) {
    kusto_result *r = NULL;
    kusto_error err;
    assert_int_equal(kusto_parse_v1(body, strlen(body), NULL, a, &r, &err), KUSTO_OK);
    return r;
}

#define OPID "5c4ae1e1-8c2d-4b52-9e8b-1f0f1a2b3c4d"

static void test_read_operation_id(void **state) {
    (void)state;
    arena_t *a = arena_new();
    char id[SR_OPID_MAX];
    char err[256];
    /* the documented answer: one column OperationId (guid) */
    assert_int_equal(sr_read_operation_id(v1(a, "{\"Tables\":[{\"TableName\":\"Table_0\",\"Columns\":[{\"ColumnName\":"
                                                "\"OperationId\",\"DataType\":\"Guid\",\"ColumnType\":\"guid\"}],"
                                                "\"Rows\":[[\"" OPID "\"]]}]}"),
                                          id, err, sizeof err),
                     0);
    assert_string_equal(id, OPID);
    /* another column first: OperationId is found by name */
    assert_int_equal(sr_read_operation_id(v1(a, "{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"ColumnName\":\"X\","
                                                "\"ColumnType\":\"string\"},{\"ColumnName\":\"OperationId\","
                                                "\"ColumnType\":\"string\"}],\"Rows\":[[\"junk\",\"" OPID "\"]]}]}"),
                                          id, err, sizeof err),
                     0);
    assert_string_equal(id, OPID);
    /* no OperationId column: column 0 (as Spark's connector reads it) */
    assert_int_equal(sr_read_operation_id(v1(a, "{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"ColumnName\":\"Id\","
                                                "\"ColumnType\":\"string\"}],\"Rows\":[[\"" OPID "\"]]}]}"),
                                          id, err, sizeof err),
                     0);
    /* refused: no rows, not a GUID, a number, no table */
    static const char *const bad[] = {
        "{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"ColumnName\":\"OperationId\",\"ColumnType\":\"guid\"}],"
        "\"Rows\":[]}]}",
        "{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"ColumnName\":\"OperationId\",\"ColumnType\":\"string\"}],"
        "\"Rows\":[[\"not-a-guid; .drop table T\"]]}]}",
        "{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"ColumnName\":\"OperationId\",\"ColumnType\":\"long\"}],"
        "\"Rows\":[[42]]}]}",
        "{\"Tables\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(sr_read_operation_id(v1(a, bad[i]), id, err, sizeof err), -1);
        assert_string_equal(id, "");
        assert_true(strlen(err) > 10);
    }
    assert_int_equal(sr_read_operation_id(NULL, id, err, sizeof err), -1);
    arena_free(a);
}

static void test_state_class(void **state) {
    (void)state;
    assert_int_equal(sr_state_class("Completed"), SR_OP_COMPLETED);
    assert_int_equal(sr_state_class("Failed"), SR_OP_FAILED);
    assert_int_equal(sr_state_class("PartiallySucceeded"), SR_OP_FAILED);
    assert_int_equal(sr_state_class("Canceled"), SR_OP_FAILED);
    assert_int_equal(sr_state_class("BadInput"), SR_OP_FAILED);
    assert_int_equal(sr_state_class("InProgress"), SR_OP_PENDING);
    assert_int_equal(sr_state_class("Scheduled"), SR_OP_PENDING);
    assert_int_equal(sr_state_class("Throttled"), SR_OP_PENDING);
    assert_int_equal(sr_state_class("SomethingNew"), SR_OP_PENDING);
    assert_int_equal(sr_state_class(""), SR_OP_NOT_FOUND);
    assert_int_equal(sr_state_class(NULL), SR_OP_NOT_FOUND);
}

#define SHOW_COLUMNS                                                                                                   \
    "\"Columns\":[{\"ColumnName\":\"OperationId\",\"ColumnType\":\"guid\"},{\"ColumnName\":\"Operation\","             \
    "\"ColumnType\":\"string\"},{\"ColumnName\":\"LastUpdatedOn\",\"ColumnType\":\"datetime\"},{\"ColumnName\":"       \
    "\"State\",\"ColumnType\":\"string\"},{\"ColumnName\":\"Status\",\"ColumnType\":\"string\"},{\"ColumnName\":"      \
    "\"ShouldRetry\",\"ColumnType\":\"%s\"}]"

static kusto_result *show(arena_t *a, const char *retry_type, const char *rows) {
    char *body =
        arena_printf(a, "{\"Tables\":[{\"TableName\":\"Table_0\"," SHOW_COLUMNS ",\"Rows\":[%s]}]}", retry_type, rows);
    return v1(a, body);
}

static void test_read_operation_status(void **state) {
    (void)state;
    arena_t *a = arena_new();
    sr_op_status s;
    char err[256];
    assert_int_equal(sr_read_operation_status(show(a, "bool",
                                                   "[\"" OPID "\",\"DataIngestPull\",\"2024-01-01T00:00:05Z\","
                                                   "\"InProgress\",\"\",false]"),
                                              OPID, &s, err, sizeof err),
                     0);
    assert_int_equal(s.cls, SR_OP_PENDING);
    assert_string_equal(s.state, "InProgress");
    assert_false(s.should_retry);
    /* several rows: the latest update wins, whatever the order */
    assert_int_equal(
        sr_read_operation_status(
            show(a, "bool",
                 "[\"" OPID "\",\"x\",\"2024-01-01T00:00:09Z\",\"Completed\",\"Extent(s) created\",false],"
                 "[\"" OPID "\",\"x\",\"2024-01-01T00:00:05Z\",\"InProgress\",\"\",false],"
                 "[\"00000000-0000-0000-0000-000000000000\",\"x\",\"2024-01-02T00:00:00Z\",\"Failed\",\"other\",true]"),
            OPID, &s, err, sizeof err),
        0);
    assert_int_equal(s.cls, SR_OP_COMPLETED);
    assert_string_equal(s.status, "Extent(s) created");
    /* failed with ShouldRetry as real (upstream's todouble), long, text */
    static const char *const types[] = {"real", "long", "string"};
    static const char *const yes[] = {"1.0", "1", "\"True\""};
    for (int i = 0; i < 3; i++) {
        char *row = arena_printf(a, "[\"" OPID "\",\"x\",\"2024-01-01T00:00:05Z\",\"Failed\",\"Timeout\",%s]", yes[i]);
        assert_int_equal(sr_read_operation_status(show(a, types[i], row), OPID, &s, err, sizeof err), 0);
        assert_int_equal(s.cls, SR_OP_FAILED);
        assert_true(s.should_retry);
        assert_string_equal(s.status, "Timeout");
    }
    /* not found: no row, or an empty State */
    assert_int_equal(sr_read_operation_status(show(a, "bool", ""), OPID, &s, err, sizeof err), 0);
    assert_int_equal(s.cls, SR_OP_NOT_FOUND);
    assert_int_equal(
        sr_read_operation_status(show(a, "bool", "[\"" OPID "\",\"x\",\"2024-01-01T00:00:05Z\",\"\",\"\",false]"), OPID,
                                 &s, err, sizeof err),
        0);
    assert_int_equal(s.cls, SR_OP_NOT_FOUND);
    /* a long Status is bounded */
    char *longstatus = arena_alloc(a, 5000);
    memset(longstatus, 'e', 4999);
    char *row = arena_printf(a, "[\"" OPID "\",\"x\",\"2024-01-01T00:00:05Z\",\"Failed\",\"%s\",false]", longstatus);
    assert_int_equal(sr_read_operation_status(show(a, "bool", row), OPID, &s, err, sizeof err), 0);
    assert_int_equal(strlen(s.status), SR_MESSAGE_MAX - 1);
    /* malformed: no State column, a State that is a number, no table */
    assert_int_equal(
        sr_read_operation_status(v1(a, "{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"ColumnName\":"
                                       "\"OperationId\",\"ColumnType\":\"string\"}],\"Rows\":[[\"" OPID "\"]]}]}"),
                                 OPID, &s, err, sizeof err),
        -1);
    assert_non_null(strstr(err, "State"));
    assert_int_equal(sr_read_operation_status(v1(a, "{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"ColumnName\":"
                                                    "\"State\",\"ColumnType\":\"long\"}],\"Rows\":[[3]]}]}"),
                                              OPID, &s, err, sizeof err),
                     -1);
    assert_int_equal(sr_read_operation_status(v1(a, "{\"Tables\":[]}"), OPID, &s, err, sizeof err), -1);
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_text),          cmocka_unit_test(test_show_operation_text),
        cmocka_unit_test(test_read_operation_id),     cmocka_unit_test(test_state_class),
        cmocka_unit_test(test_read_operation_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
