/* test_kusto_response.c -- Kusto response parsing (src/kusto/response.c): every v1/v2 example of
 * shared/reference/kusto-protocol.md byte for byte, fragments, partial failures of each kind,
 * every value type and encoding (NaN, timespans, dynamic-as-string...), bad shapes, bounds, and
 * the classification of error bodies. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kusto/kusto.h"
#include "util/datetime.h"

#define TICKS(s) ((int64_t)(s)*DT_TICKS_PER_SEC)

/* ---- helpers */

static kusto_result *v1_ok(arena_t *a, const char *body) {
    kusto_result *r = NULL;
    kusto_error e;
    kusto_code c = kusto_parse_v1(body, strlen(body), NULL, a, &r, &e);
    if (c != KUSTO_OK) fprintf(stderr, "unexpected: %s %s\n", kusto_code_name(c), e.message);
    assert_int_equal(c, KUSTO_OK);
    assert_non_null(r);
    return r;
}

static kusto_result *v2_ok(arena_t *a, const char *body, bool primary_only) {
    kusto_result *r = NULL;
    kusto_error e;
    kusto_code c = kusto_parse_v2(body, strlen(body), NULL, primary_only, a, &r, &e);
    if (c != KUSTO_OK) fprintf(stderr, "unexpected: %s %s\n", kusto_code_name(c), e.message);
    assert_int_equal(c, KUSTO_OK);
    assert_non_null(r);
    return r;
}

/* Parses expecting code; returns the error (message checked by the caller). */
static kusto_error v1_fail(const char *body, const kusto_options *o, kusto_code want) {
    arena_t *a = arena_new();
    kusto_result *r = (kusto_result *)1;
    kusto_error e;
    kusto_code c = kusto_parse_v1(body, strlen(body), o, a, &r, &e);
    if (c != want) fprintf(stderr, "got %s: %s\n", kusto_code_name(c), e.message);
    assert_int_equal(c, want);
    assert_int_equal(e.code, want);
    assert_null(r);
    assert_true(e.message[0] != '\0');
    arena_free(a);
    return e;
}

static kusto_error v2_fail(const char *body, const kusto_options *o, kusto_code want) {
    arena_t *a = arena_new();
    kusto_result *r = (kusto_result *)1;
    kusto_error e;
    kusto_code c = kusto_parse_v2(body, strlen(body), o, true, a, &r, &e);
    if (c != want) fprintf(stderr, "got %s: %s\n", kusto_code_name(c), e.message);
    assert_int_equal(c, want);
    assert_int_equal(e.code, want);
    assert_null(r);
    assert_true(e.message[0] != '\0');
    arena_free(a);
    return e;
}

static void assert_contains(const char *hay, const char *needle) {
    if (!strstr(hay, needle)) fail_msg("'%s' does not contain '%s'", hay, needle);
}

/* A v2 body with one PrimaryResult DataTable of the given columns and rows JSON. */
static char *v2_table(const char *columns, const char *rows) {
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":false,\"Version\":\"v2.0\"},"
             "{\"FrameType\":\"DataTable\",\"TableId\":1,\"TableKind\":\"PrimaryResult\",\"TableName\":"
             "\"PrimaryResult\",\"Columns\":%s,\"Rows\":%s},"
             "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":false,\"Cancelled\":false}]",
             columns, rows);
    return buf;
}

/* ---- the protocol doc's examples, byte for byte */

/* §2 v1: a recorded `.show version` (DataType only, no ColumnType). */
static const char DOC_V1_SHOW_VERSION[] =
    "{\"Tables\":[{\"TableName\":\"Table_0\",\"Columns\":[{\"ColumnName\":\"BuildVersion\",\"DataType\":\"String\"},"
    "{\"ColumnName\":\"BuildTime\",\"DataType\":\"DateTime\"},{\"ColumnName\":\"ServiceType\",\"DataType\":"
    "\"String\"},{\"ColumnName\":\"ProductVersion\",\"DataType\":\"String\"}],\"Rows\":[[\"1.0.6693.14577\","
    "\"2018-04-29T08:05:54Z\",\"Engine\",\"KustoMain_2018.04.29.5\"]]}]}";

/* §2 v1: the 2023 recording's first table (with ColumnType), wrapped in {"Tables":[...]}. */
static const char DOC_V1_TABLE_2023[] =
    "{\"TableName\":\"Table_0\",\"Columns\":[{\"ColumnName\":\"a\",\"DataType\":\"Int32\",\"ColumnType\":\"int\"}],"
    "\"Rows\":[[1],[2],[3]]}";

/* §2 v2: lines of twoTables.json (fragmented primary table, newline layout). */
static const char DOC_V2_TWO_TABLES[] =
    "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":false,\"Version\":\"v2.0\",\"IsFragmented\":true,"
    "\"ErrorReportingPlacement\":\"EndOfTable\"}\n"
    ",{\"FrameType\":\"TableHeader\",\"TableId\":1,\"TableKind\":\"PrimaryResult\",\"TableName\":\"PrimaryResult\","
    "\"Columns\":[{\"ColumnName\":\"A\",\"ColumnType\":\"int\"}]}\n"
    ",{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":1,\"Rows\":[[1]]}\n"
    ",{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":1,\"Rows\":[[2], [3]]}\n"
    ",{\"FrameType\":\"TableCompletion\",\"TableId\":1,\"RowCount\":3}\n"
    ",{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":false,\"Cancelled\":false}\n"
    "]";

/* §2 v2: a non-fragmented primary table from a 2018 recording. */
static const char DOC_V2_DATATABLE[] =
    "{\"FrameType\":\"DataTable\",\"TableId\":1,\"TableKind\":\"PrimaryResult\",\"TableName\":\"PrimaryResult\","
    "\"Columns\":[{\"ColumnName\":\"x\",\"ColumnType\":\"long\"}],\"Rows\":[[1],[2],[3],[4],[5]]}";

/* §3: the recorded plain-text v1 error body's shape (the doc elides the ids; these are made up). */
static const char DOC_PLAIN_ERROR[] =
    "General_BadRequest: Request is invalid and cannot be executed.\r\nError details:\r\n"
    "ClientRequestId='KGC.execute;d3a43e37-0d7f-47a9-b6cd-a889b2aee3d3', "
    "ActivityId='a2fbc6f0-a2ef-4f8b-8df9-a6e4df7ef4e5', Timestamp='2023-11-26T13:34:17.8654393Z'.";

/* §1: the v2 endpoint's plain-text answer to a command (first line verbatim, details made up). */
static const char DOC_V2_COMMAND_ERROR[] =
    "Bad request: Control commands (starting with a dot '.') do not support api_version=v2\r\n"
    "Error details:\r\nClientRequestId='x', ActivityId='y', Timestamp='z'.";

static void test_doc_v1_show_version(void **state) {
    (void)state;
    arena_t *a = arena_new();
    kusto_result *r = v1_ok(a, DOC_V1_SHOW_VERSION);
    assert_int_equal(r->ntables, 1);
    const kusto_table *t = kusto_primary(r);
    assert_string_equal(t->name, "Table_0");
    assert_null(t->kind);
    assert_int_equal(t->ncolumns, 4);
    assert_string_equal(t->columns[1].name, "BuildTime");
    assert_int_equal(t->columns[0].type, KUSTO_T_STRING);
    assert_int_equal(t->columns[1].type, KUSTO_T_DATETIME); /* mapped from DataType */
    assert_int_equal(t->nrows, 1);
    assert_string_equal(kusto_value_str(&t->rows[0][0]), "1.0.6693.14577");
    assert_int_equal(t->rows[0][0].len, 14);
    assert_int_equal(t->rows[0][1].type, KUSTO_T_DATETIME);
    /* 2018-04-29T08:05:54Z = 1524989154 */
    assert_int_equal(t->rows[0][1].i, TICKS(1524989154));
    assert_string_equal(kusto_value_str(&t->rows[0][3]), "KustoMain_2018.04.29.5");
    assert_int_equal(kusto_column_index(t, "ProductVersion"), 3);
    assert_int_equal(kusto_column_index(t, "productversion"), -1); /* case-sensitive */
    arena_free(a);
}

static void test_doc_v1_column_type(void **state) {
    (void)state;
    arena_t *a = arena_new();
    char body[512];
    snprintf(body, sizeof body, "{\"Tables\":[%s]}", DOC_V1_TABLE_2023);
    kusto_result *r = v1_ok(a, body);
    const kusto_table *t = kusto_primary(r);
    assert_int_equal(t->columns[0].type, KUSTO_T_INT);
    assert_int_equal(t->nrows, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(t->rows[i][0].type, KUSTO_T_INT);
        assert_int_equal(t->rows[i][0].i, i + 1);
    }
    arena_free(a);
}

static void test_doc_v2_fragments(void **state) {
    (void)state;
    arena_t *a = arena_new();
    kusto_result *r = v2_ok(a, DOC_V2_TWO_TABLES, true);
    assert_int_equal(r->ntables, 1);
    const kusto_table *t = kusto_primary(r);
    assert_string_equal(t->name, "PrimaryResult");
    assert_string_equal(t->kind, "PrimaryResult");
    assert_int_equal(t->nrows, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(t->rows[i][0].i, i + 1);
    arena_free(a);
}

static void test_doc_v2_datatable(void **state) {
    (void)state;
    arena_t *a = arena_new();
    char body[1024];
    snprintf(body, sizeof body,
             "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":false,\"Version\":\"v2.0\"},%s,"
             "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":false,\"Cancelled\":false}]",
             DOC_V2_DATATABLE);
    kusto_result *r = v2_ok(a, body, true);
    const kusto_table *t = kusto_primary(r);
    assert_int_equal(t->columns[0].type, KUSTO_T_LONG);
    assert_int_equal(t->nrows, 5);
    assert_int_equal(t->rows[4][0].i, 5);
    arena_free(a);
}

/* A typical v2 answer: @ExtendedProperties, two primary tables, QueryCompletionInformation. */
static const char V2_TYPICAL[] =
    "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":false,\"Version\":\"v2.0\"},"
    "{\"FrameType\":\"DataTable\",\"TableId\":0,\"TableKind\":\"QueryProperties\",\"TableName\":"
    "\"@ExtendedProperties\",\"Columns\":[{\"ColumnName\":\"TableId\",\"ColumnType\":\"int\"},{\"ColumnName\":\"Key\","
    "\"ColumnType\":\"string\"},{\"ColumnName\":\"Value\",\"ColumnType\":\"dynamic\"}],\"Rows\":[[1,\"Visualization\","
    "\"{\\\"Visualization\\\":null,\\\"Title\\\":null}\"]]},"
    "{\"FrameType\":\"DataTable\",\"TableId\":1,\"TableKind\":\"PrimaryResult\",\"TableName\":\"PrimaryResult\","
    "\"Columns\":[{\"ColumnName\":\"A\",\"ColumnType\":\"string\"}],\"Rows\":[[\"x\"]]},"
    "{\"FrameType\":\"DataTable\",\"TableId\":2,\"TableKind\":\"PrimaryResult\",\"TableName\":\"Second\","
    "\"Columns\":[{\"ColumnName\":\"B\",\"ColumnType\":\"long\"}],\"Rows\":[[7],[8]]},"
    "{\"FrameType\":\"DataTable\",\"TableId\":3,\"TableKind\":\"QueryCompletionInformation\",\"TableName\":"
    "\"QueryCompletionInformation\",\"Columns\":[{\"ColumnName\":\"Timestamp\",\"ColumnType\":\"datetime\"},"
    "{\"ColumnName\":\"ClientRequestId\",\"ColumnType\":\"string\"},{\"ColumnName\":\"ActivityId\",\"ColumnType\":"
    "\"guid\"},{\"ColumnName\":\"SubActivityId\",\"ColumnType\":\"guid\"},{\"ColumnName\":\"ParentActivityId\","
    "\"ColumnType\":\"guid\"},{\"ColumnName\":\"Level\",\"ColumnType\":\"int\"},{\"ColumnName\":\"LevelName\","
    "\"ColumnType\":\"string\"},{\"ColumnName\":\"StatusCode\",\"ColumnType\":\"int\"},{\"ColumnName\":"
    "\"StatusCodeName\",\"ColumnType\":\"string\"},{\"ColumnName\":\"EventType\",\"ColumnType\":\"int\"},"
    "{\"ColumnName\":\"EventTypeName\",\"ColumnType\":\"string\"},{\"ColumnName\":\"Payload\",\"ColumnType\":"
    "\"string\"}],\"Rows\":[[\"2019-02-12T10:23:02.0413963Z\",\"KPC.execute;1\",\"0e9e6d5e-3e36-4c1c-9d5e-"
    "5b1f7d0a4d7e\",\"0e9e6d5e-3e36-4c1c-9d5e-5b1f7d0a4d7f\",\"0e9e6d5e-3e36-4c1c-9d5e-5b1f7d0a4d80\",4,\"Info\",0,"
    "\"S_OK (0)\",4,\"QueryInfo\",\"{\\\"Count\\\":1}\"]]},"
    "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":false,\"Cancelled\":false}]";

static void test_v2_primary_only(void **state) {
    (void)state;
    arena_t *a = arena_new();
    kusto_result *r = v2_ok(a, V2_TYPICAL, true);
    assert_int_equal(r->ntables, 2);
    assert_string_equal(r->tables[0].name, "PrimaryResult");
    assert_string_equal(r->tables[1].name, "Second");
    assert_int_equal(r->tables[1].rows[1][0].i, 8);
    r = v2_ok(a, V2_TYPICAL, false);
    assert_int_equal(r->ntables, 4);
    assert_string_equal(r->tables[0].kind, "QueryProperties");
    /* @ExtendedProperties' Value is a dynamic sent as a string holding JSON. */
    assert_string_equal(kusto_value_str(&r->tables[0].rows[0][2]), "{\"Visualization\":null,\"Title\":null}");
    assert_string_equal(r->tables[3].kind, "QueryCompletionInformation");
    assert_int_equal(r->tables[3].rows[0][0].i, TICKS(1549966982) + 413963);
    arena_free(a);
}

/* ---- fragments */

static void test_v2_fragment_replace_progress(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const char *body =
        "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":true,\"Version\":\"v2.0\"},"
        "{\"FrameType\":\"TableHeader\",\"TableId\":5,\"TableKind\":\"PrimaryResult\",\"TableName\":\"T\","
        "\"Columns\":[{\"ColumnName\":\"s\",\"ColumnType\":\"string\"}]},"
        "{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":5,\"Rows\":[[\"a\"],[\"b\"]]"
        "},"
        "{\"FrameType\":\"TableProgress\",\"TableId\":5,\"TableProgress\":50.0},"
        "{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataReplace\",\"TableId\":5,\"Rows\":[[\"c\"]]},"
        "{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":5,\"Rows\":[]},"
        "{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":5,\"Rows\":[[\"d\"]]},"
        "{\"FrameType\":\"TableCompletion\",\"TableId\":5,\"RowCount\":2},"
        "{\"FrameType\":\"SomethingNew\",\"X\":1},"
        "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":false,\"Cancelled\":false}]";
    kusto_result *r = v2_ok(a, body, true);
    const kusto_table *t = kusto_primary(r);
    assert_int_equal(t->nrows, 2);
    assert_string_equal(kusto_value_str(&t->rows[0][0]), "c");
    assert_string_equal(kusto_value_str(&t->rows[1][0]), "d");
    arena_free(a);
}

static void test_v2_fragment_errors(void **state) {
    (void)state;
    static const char hdr[] = "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":false,\"Version\":\"v2.0\"},"
                              "{\"FrameType\":\"TableHeader\",\"TableId\":1,\"TableKind\":\"PrimaryResult\","
                              "\"TableName\":\"P\",\"Columns\":[{\"ColumnName\":\"A\",\"ColumnType\":\"int\"}]},";
    static const char end[] = "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":false,\"Cancelled\":false}]";
    char body[2048];
    /* RowCount disagrees with the rows received: never a silent truncation. */
    snprintf(body, sizeof body,
             "%s{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":1,\"Rows\":[[1]]},"
             "{\"FrameType\":\"TableCompletion\",\"TableId\":1,\"RowCount\":2},%s",
             hdr, end);
    assert_contains(v2_fail(body, NULL, KUSTO_E_PROTOCOL).message, "TableCompletion says 2 rows, 1 received");
    /* No TableCompletion. */
    snprintf(body, sizeof body,
             "%s{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":1,\"Rows\":[[1]]},%s",
             hdr, end);
    assert_contains(v2_fail(body, NULL, KUSTO_E_PROTOCOL).message, "has no TableCompletion");
    /* A fragment for a table never announced. */
    snprintf(body, sizeof body,
             "%s{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":9,\"Rows\":[[1]]},%s",
             hdr, end);
    assert_contains(v2_fail(body, NULL, KUSTO_E_PROTOCOL).message, "refers to no open table");
    /* A fragment after the completion. */
    snprintf(body, sizeof body,
             "%s{\"FrameType\":\"TableCompletion\",\"TableId\":1,\"RowCount\":0},"
             "{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":1,\"Rows\":[[1]]},%s",
             hdr, end);
    v2_fail(body, NULL, KUSTO_E_PROTOCOL);
    /* Unknown fragment type. */
    snprintf(body, sizeof body,
             "%s{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataMerge\",\"TableId\":1,\"Rows\":[[1]]},%s",
             hdr, end);
    assert_contains(v2_fail(body, NULL, KUSTO_E_PROTOCOL).message, "DataMerge");
    /* Truncated: no DataSetCompletion. */
    snprintf(body, sizeof body, "%s{\"FrameType\":\"TableCompletion\",\"TableId\":1,\"RowCount\":0}]", hdr);
    assert_contains(v2_fail(body, NULL, KUSTO_E_PROTOCOL).message, "without DataSetCompletion");
    /* A frame after DataSetCompletion. */
    snprintf(body, sizeof body, "%s{\"FrameType\":\"TableCompletion\",\"TableId\":1,\"RowCount\":0},%s", hdr, end);
    body[strlen(body) - 1] = '\0';
    strcat(body, ",{\"FrameType\":\"TableProgress\",\"TableId\":1}]");
    assert_contains(v2_fail(body, NULL, KUSTO_E_PROTOCOL).message, "follows DataSetCompletion");
    /* Duplicate TableId. */
    snprintf(body, sizeof body,
             "%s{\"FrameType\":\"TableHeader\",\"TableId\":1,\"TableKind\":\"PrimaryResult\",\"TableName\":\"Q\","
             "\"Columns\":[]},%s",
             hdr, end);
    assert_contains(v2_fail(body, NULL, KUSTO_E_PROTOCOL).message, "repeats TableId 1");
}

/* ---- partial failures inside HTTP 200 (protocol doc §3) */

#define LIMITS_ERROR                                                                                                   \
    "{\"error\":{\"code\":\"LimitsExceeded\",\"message\":\"Request is invalid and cannot be executed.\",\"@type\":"    \
    "\"Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException\",\"@message\":\"Query "           \
    "execution has exceeded the allowed limits (80DA0003): .\",\"@context\":{\"timestamp\":\"2018-12-10T15:10:48."     \
    "8352222Z\"},\"@permanent\":false}}"

static void check_limits_partial(kusto_error e) {
    assert_int_equal(e.http_status, 200);
    assert_string_equal(e.kusto_code, "LimitsExceeded");
    assert_string_equal(e.message, "Query execution has exceeded the allowed limits (80DA0003): .");
    assert_false(e.permanent);
}

static void test_partial_v2_inline_row(void **state) {
    (void)state;
    char body[4096];
    snprintf(body, sizeof body,
             "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":false,\"Version\":\"v2.0\"},"
             "{\"FrameType\":\"DataTable\",\"TableId\":1,\"TableKind\":\"PrimaryResult\",\"TableName\":"
             "\"PrimaryResult\",\"Columns\":[{\"ColumnName\":\"x\",\"ColumnType\":\"long\"}],\"Rows\":[[1],[2],"
             "{\"OneApiErrors\":[%s]}]},"
             "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":true,\"Cancelled\":false,\"OneApiErrors\":[%s]}]",
             LIMITS_ERROR, LIMITS_ERROR);
    check_limits_partial(v2_fail(body, NULL, KUSTO_E_PARTIAL));
}

static void test_partial_v2_end_of_table(void **state) {
    (void)state;
    char body[4096];
    snprintf(body, sizeof body,
             "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":false,\"Version\":\"v2.0\",\"IsFragmented\":true,"
             "\"ErrorReportingPlacement\":\"EndOfTable\"},"
             "{\"FrameType\":\"TableHeader\",\"TableId\":1,\"TableKind\":\"PrimaryResult\",\"TableName\":\"P\","
             "\"Columns\":[{\"ColumnName\":\"x\",\"ColumnType\":\"long\"}]},"
             "{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":1,\"Rows\":[[1]]},"
             "{\"FrameType\":\"TableCompletion\",\"TableId\":1,\"RowCount\":1,\"OneApiErrors\":[%s]},"
             "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":true,\"Cancelled\":false,\"OneApiErrors\":[%s]}]",
             LIMITS_ERROR, LIMITS_ERROR);
    check_limits_partial(v2_fail(body, NULL, KUSTO_E_PARTIAL));
}

static void test_partial_v2_dataset_completion(void **state) {
    (void)state;
    char body[8192];
    snprintf(body, sizeof body, "%s", v2_table("[{\"ColumnName\":\"x\",\"ColumnType\":\"long\"}]", "[[1]]"));
    char *p = strstr(body, "\"HasErrors\":false");
    memcpy(p, "\"HasErrors\":true ", 17);
    kusto_error e = v2_fail(body, NULL, KUSTO_E_PARTIAL);
    assert_contains(e.message, "HasErrors");
    /* With the errors listed, their text is the message. */
    snprintf(body, sizeof body,
             "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":false,\"Version\":\"v2.0\"},"
             "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":true,\"Cancelled\":false,\"OneApiErrors\":[%s]}]",
             LIMITS_ERROR);
    check_limits_partial(v2_fail(body, NULL, KUSTO_E_PARTIAL));
    /* Cancelled by the service. */
    snprintf(body, sizeof body,
             "[{\"FrameType\":\"DataSetHeader\",\"IsProgressive\":false,\"Version\":\"v2.0\"},"
             "{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":false,\"Cancelled\":true}]");
    assert_contains(v2_fail(body, NULL, KUSTO_E_PARTIAL).message, "cancelled");
}

/* deferpartialqueryfailures: only a QueryCompletionInformation row at Level 2 tells (protocol doc §3). */
static void test_partial_v2_deferred_qci(void **state) {
    (void)state;
    char body[8192];
    snprintf(body, sizeof body, "%s", V2_TYPICAL);
    char *p = strstr(body, "4,\"Info\",0,\"S_OK (0)\",4,\"QueryInfo\"");
    assert_non_null(p);
    const char *repl = "2,\"Error\",-2133196797,\"Query result set too large (E_QUERY_RESULT_SET_TOO_LARGE). "
                       "(-2133196797)\",3,\"QueryLimitsExceeded\"";
    char tail[4096];
    snprintf(tail, sizeof tail, "%s", p + strlen("4,\"Info\",0,\"S_OK (0)\",4,\"QueryInfo\""));
    snprintf(p, sizeof body - (size_t)(p - body), "%s%s", repl, tail);
    kusto_error e = v2_fail(body, NULL, KUSTO_E_PARTIAL);
    assert_contains(e.message, "QueryLimitsExceeded");
    assert_contains(e.message, "E_QUERY_RESULT_SET_TOO_LARGE");
}

static void test_partial_v1(void **state) {
    (void)state;
    /* Root Exceptions next to Tables, and the error row (Go's 2023 partialError.json shape). */
    const char *body = "{\"Tables\":[{\"TableName\":\"Table_0\",\"Columns\":[{\"ColumnName\":\"a\",\"DataType\":"
                       "\"Int32\",\"ColumnType\":\"int\"}],\"Rows\":[[1],{\"Exceptions\":[\"Query execution has "
                       "exceeded the allowed limits (80DA0003).\"]}]}],\"Exceptions\":[\"Query execution has exceeded "
                       "the allowed limits (80DA0003).\"]}";
    kusto_error e = v1_fail(body, NULL, KUSTO_E_PARTIAL);
    assert_string_equal(e.message, "Query execution has exceeded the allowed limits (80DA0003).");
    assert_int_equal(e.http_status, 200);
    /* The row alone. */
    body = "{\"Tables\":[{\"TableName\":\"Table_0\",\"Columns\":[{\"ColumnName\":\"a\",\"ColumnType\":\"int\"}],"
           "\"Rows\":[[1],{\"Exceptions\":[\"boom\\nsecond line\"]}]}]}";
    e = v1_fail(body, NULL, KUSTO_E_PARTIAL);
    assert_string_equal(e.message, "boom second line");
    /* A OneApiErrors row in v1 too. */
    char b2[2048];
    snprintf(b2, sizeof b2,
             "{\"Tables\":[{\"TableName\":\"Table_0\",\"Columns\":[{\"ColumnName\":\"a\",\"ColumnType\":\"int\"}],"
             "\"Rows\":[{\"OneApiErrors\":[%s]}]}]}",
             LIMITS_ERROR);
    check_limits_partial(v1_fail(b2, NULL, KUSTO_E_PARTIAL));
}

/* A v1 query's QueryStatus table, found through the TableOfContents, with Severity 2. */
static void test_partial_v1_query_status(void **state) {
    (void)state;
    const char *fmt =
        "{\"Tables\":[{\"TableName\":\"Table_0\",\"Columns\":[{\"ColumnName\":\"x\",\"DataType\":\"Int64\"}],"
        "\"Rows\":[[1]]},"
        "{\"TableName\":\"Table_1\",\"Columns\":[{\"ColumnName\":\"Timestamp\",\"DataType\":\"DateTime\"},"
        "{\"ColumnName\":\"Severity\",\"DataType\":\"Int32\"},{\"ColumnName\":\"SeverityName\",\"DataType\":"
        "\"String\"},{\"ColumnName\":\"StatusCode\",\"DataType\":\"Int32\"},{\"ColumnName\":\"StatusDescription\","
        "\"DataType\":\"String\"}],\"Rows\":[[\"2023-01-01T00:00:00Z\",%d,\"X\",0,\"Query failed halfway\"]]},"
        "{\"TableName\":\"Table_2\",\"Columns\":[{\"ColumnName\":\"Ordinal\",\"DataType\":\"Int64\"},{\"ColumnName\":"
        "\"Kind\",\"DataType\":\"String\"},{\"ColumnName\":\"Name\",\"DataType\":\"String\"},{\"ColumnName\":\"Id\","
        "\"DataType\":\"String\"},{\"ColumnName\":\"PrettyName\",\"DataType\":\"String\"}],\"Rows\":[[0,"
        "\"QueryResult\",\"PrimaryResult\",\"a\",\"\"],[1,\"QueryStatus\",\"QueryStatus\",\"b\",\"\"]]}]}";
    char body[4096];
    snprintf(body, sizeof body, fmt, 4);
    arena_t *a = arena_new();
    kusto_result *r = v1_ok(a, body);
    assert_int_equal(r->ntables, 3);
    arena_free(a);
    snprintf(body, sizeof body, fmt, 2);
    assert_string_equal(v1_fail(body, NULL, KUSTO_E_PARTIAL).message, "Query failed halfway");
}

/* ---- error bodies (non-2xx) */

static void test_error_oneapi(void **state) {
    (void)state;
    const char *body =
        "{\"error\":{\"code\":\"General_BadRequest\",\"message\":\"Request is invalid and cannot be executed.\","
        "\"@type\":\"Kusto.Data.Exceptions.KustoBadRequestException\",\"@message\":\"Syntax error: SYN0002: A "
        "recognition error occurred.\",\"@context\":{\"timestamp\":\"2023-01-01T00:00:00Z\",\"clientRequestId\":"
        "\"entityd;1\"},\"@permanent\":true,\"@text\":\"T | wher\",\"@database\":\"Samples\",\"@ClientRequestLogger\":"
        "\"\",\"innererror\":{\"code\":\"SYN0002\",\"message\":\"x\"}}}";
    kusto_error e;
    assert_int_equal(kusto_parse_error(400, body, strlen(body), &e), KUSTO_E_BAD_REQUEST);
    assert_int_equal(e.http_status, 400);
    assert_true(e.permanent);
    assert_string_equal(e.kusto_code, "General_BadRequest");
    assert_string_equal(e.message, "Syntax error: SYN0002: A recognition error occurred.");

    /* The recorded 429 body: no @message, so message. */
    body = "{\"error\":{\"code\":\"Too many requests\",\"message\":\"Request is denied due to throttling.\"}}";
    assert_int_equal(kusto_parse_error(429, body, strlen(body), &e), KUSTO_E_THROTTLED);
    assert_false(e.permanent);
    assert_string_equal(e.kusto_code, "Too many requests");
    assert_string_equal(e.message, "Request is denied due to throttling.");

    /* 5xx: @permanent decides. */
    body = "{\"error\":{\"code\":\"Internal\",\"message\":\"m\",\"@message\":\"\",\"@permanent\":true}}";
    assert_int_equal(kusto_parse_error(500, body, strlen(body), &e), KUSTO_E_SERVER);
    assert_true(e.permanent);
    assert_string_equal(e.message, "m"); /* empty @message falls back */
    body = "{\"error\":{\"code\":\"ServiceError\",\"message\":\"m\",\"@permanent\":false}}";
    assert_int_equal(kusto_parse_error(520, body, strlen(body), &e), KUSTO_E_SERVER);
    assert_false(e.permanent);
    assert_int_equal(kusto_parse_error(503, "", 0, &e), KUSTO_E_SERVER);
    assert_false(e.permanent);
    assert_string_equal(e.message, "HTTP 503 with an empty body");
    /* 4xx stays permanent whatever @permanent says; 429 stays transient. */
    body = "{\"error\":{\"code\":\"X\",\"message\":\"m\",\"@permanent\":false}}";
    kusto_parse_error(409, body, strlen(body), &e);
    assert_true(e.permanent);
    body = "{\"error\":{\"code\":\"X\",\"message\":\"m\",\"@permanent\":true}}";
    kusto_parse_error(429, body, strlen(body), &e);
    assert_false(e.permanent);
    /* 401/403 */
    assert_int_equal(kusto_parse_error(401, "Unauthorized", 12, &e), KUSTO_E_AUTH);
    assert_string_equal(e.message, "Unauthorized");
    assert_int_equal(kusto_parse_error(403, NULL, 0, &e), KUSTO_E_AUTH);
    /* Redirects are not followed. */
    assert_int_equal(kusto_parse_error(302, "", 0, &e), KUSTO_E_PROTOCOL);
    assert_contains(e.message, "302");
}

static void test_error_plain_text(void **state) {
    (void)state;
    kusto_error e;
    assert_int_equal(kusto_parse_error(400, DOC_PLAIN_ERROR, strlen(DOC_PLAIN_ERROR), &e), KUSTO_E_BAD_REQUEST);
    assert_string_equal(e.message, "General_BadRequest: Request is invalid and cannot be executed. Error details: "
                                   "ClientRequestId='KGC.execute;d3a43e37-0d7f-47a9-b6cd-a889b2aee3d3', "
                                   "ActivityId='a2fbc6f0-a2ef-4f8b-8df9-a6e4df7ef4e5', "
                                   "Timestamp='2023-11-26T13:34:17.8654393Z'.");
    assert_int_equal(e.kusto_code[0], '\0');
    kusto_parse_error(400, DOC_V2_COMMAND_ERROR, strlen(DOC_V2_COMMAND_ERROR), &e);
    assert_contains(e.message, "do not support api_version=v2 Error details:");
    /* Long text: first 400 bytes at most, never cut inside a UTF-8 sequence; bad bytes become '?'. */
    char big[1000];
    memset(big, 'x', 399);
    strcpy(big + 399, "\xC3\xA9tail and more text after that");
    kusto_parse_error(500, big, strlen(big), &e);
    assert_int_equal(strlen(e.message), 399);
    memset(big, 'y', sizeof big);
    kusto_parse_error(500, big, sizeof big, &e);
    assert_int_equal(strlen(e.message), 400);
    kusto_parse_error(500,
                      "a\xff\x01"
                      "b",
                      4, &e);
    assert_string_equal(e.message, "a??b");
    /* OAuth-style body (AAD, IMDS). */
    const char *oauth = "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret "
                        "provided.\\r\\nTrace ID: 1\",\"error_codes\":[7000215]}";
    assert_int_equal(kusto_parse_error(401, oauth, strlen(oauth), &e), KUSTO_E_AUTH);
    assert_string_equal(e.kusto_code, "invalid_client");
    assert_string_equal(e.message, "AADSTS7000215: Invalid client secret provided. Trace ID: 1");
    /* JSON that is not an error object is shown as text. */
    kusto_parse_error(502, "{\"x\":1}", 7, &e);
    assert_string_equal(e.message, "{\"x\":1}");
}

/* ---- values (protocol doc §4) */

static const kusto_table *one_table(arena_t *a, const char *cols, const char *rows) {
    kusto_result *r = v2_ok(a, v2_table(cols, rows), true);
    assert_int_equal(r->ntables, 1);
    return &r->tables[0];
}

static void test_values_long_int(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const kusto_table *t =
        one_table(a, "[{\"ColumnName\":\"l\",\"ColumnType\":\"long\"},{\"ColumnName\":\"i\",\"ColumnType\":\"int\"}]",
                  "[[9223372036854775807,2147483647],[\"-9223372036854775808\",\"-12\"],[null,null],"
                  "[\"42\",-2147483648]]");
    assert_int_equal(t->rows[0][0].type, KUSTO_T_LONG);
    assert_true(t->rows[0][0].i == INT64_MAX);
    assert_int_equal(t->rows[0][1].i, 2147483647);
    assert_true(t->rows[1][0].i == INT64_MIN);
    assert_int_equal(t->rows[1][1].i, -12);
    assert_int_equal(t->rows[2][0].type, KUSTO_T_NULL);
    assert_int_equal(t->rows[2][1].type, KUSTO_T_NULL);
    assert_string_equal(kusto_value_str(&t->rows[2][0]), "");
    assert_int_equal(t->rows[3][0].i, 42);
    arena_free(a);
    const char *lc = "[{\"ColumnName\":\"n\",\"ColumnType\":\"long\"}]";
    kusto_error e = v2_fail(v2_table(lc, "[[1],[1.5]]"), NULL, KUSTO_E_PROTOCOL);
    assert_string_equal(e.message, "table 'PrimaryResult' row 1 column 'n' (long): wrong JSON type, got a real number");
    e = v2_fail(v2_table(lc, "[[\"9223372036854775808\"]]"), NULL, KUSTO_E_PROTOCOL);
    assert_contains(e.message, "got \"9223372036854775808\"");
    v2_fail(v2_table(lc, "[[\"12a\"]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(lc, "[[\"\"]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(lc, "[[true]]"), NULL, KUSTO_E_PROTOCOL);
    e = v2_fail(v2_table("[{\"ColumnName\":\"i\",\"ColumnType\":\"int\"}]", "[[2147483648]]"), NULL, KUSTO_E_PROTOCOL);
    assert_contains(e.message, "out of the 32-bit range");
}

static void test_values_real(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const kusto_table *t = one_table(a, "[{\"ColumnName\":\"r\",\"ColumnType\":\"real\"}]",
                                     "[[1.5],[2],[\"NaN\"],[\"Infinity\"],[\"-Infinity\"],[\"1e3\"],[null],[-0.25]]");
    assert_true(t->rows[0][0].d == 1.5);
    assert_true(t->rows[1][0].d == 2.0);
    assert_true(isnan(t->rows[2][0].d));
    assert_int_equal(t->rows[2][0].type, KUSTO_T_REAL);
    assert_true(isinf(t->rows[3][0].d) && t->rows[3][0].d > 0);
    assert_true(isinf(t->rows[4][0].d) && t->rows[4][0].d < 0);
    assert_true(t->rows[5][0].d == 1000.0);
    assert_int_equal(t->rows[6][0].type, KUSTO_T_NULL);
    assert_true(t->rows[7][0].d == -0.25);
    arena_free(a);
    const char *rc = "[{\"ColumnName\":\"r\",\"ColumnType\":\"real\"}]";
    v2_fail(v2_table(rc, "[[\"nan\"]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(rc, "[[\"0x10\"]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(rc, "[[\"1.5 \"]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(rc, "[[false]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(rc, "[[[1]]]"), NULL, KUSTO_E_PROTOCOL);
}

static void test_values_bool(void **state) {
    (void)state;
    arena_t *a = arena_new();
    /* v1 may send 0/1 (Go's booleanInt.json); SByte is how v1 names bool. */
    kusto_result *r =
        v1_ok(a, "{\"Tables\":[{\"TableName\":\"Table_0\",\"Columns\":[{\"ColumnName\":\"b\",\"DataType\":"
                 "\"SByte\"},{\"ColumnName\":\"c\",\"DataType\":\"Boolean\",\"ColumnType\":\"bool\"}],"
                 "\"Rows\":[[1,true],[0,false],[null,true]]}]}");
    const kusto_table *t = kusto_primary(r);
    assert_int_equal(t->columns[0].type, KUSTO_T_BOOL);
    assert_true(t->rows[0][0].b);
    assert_true(t->rows[0][1].b);
    assert_false(t->rows[1][0].b);
    assert_false(t->rows[1][1].b);
    assert_int_equal(t->rows[1][0].type, KUSTO_T_BOOL);
    assert_int_equal(t->rows[2][0].type, KUSTO_T_NULL);
    arena_free(a);
    const char *bc = "[{\"ColumnName\":\"b\",\"ColumnType\":\"bool\"}]";
    v2_fail(v2_table(bc, "[[2]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(bc, "[[\"true\"]]"), NULL, KUSTO_E_PROTOCOL);
}

static void test_values_datetime(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const kusto_table *t = one_table(a, "[{\"ColumnName\":\"d\",\"ColumnType\":\"datetime\"}]",
                                     "[[\"2007-01-01T00:00:00Z\"],[\"2019-02-12T10:23:02.0413963Z\"],"
                                     "[\"2014-01-01T01:01:01.0000000Z\"],[\"2019-02-12T10:23:02.041Z\"],[null],"
                                     "[\"1969-12-31T23:59:59.9999999Z\"]]");
    assert_int_equal(t->rows[0][0].i, TICKS(1167609600));
    assert_int_equal(t->rows[1][0].i, TICKS(1549966982) + 413963);
    assert_int_equal(t->rows[2][0].i, TICKS(1388538061));
    assert_int_equal(t->rows[3][0].i, TICKS(1549966982) + 410000);
    assert_int_equal(t->rows[4][0].type, KUSTO_T_NULL);
    assert_int_equal(t->rows[5][0].i, -1);
    arena_free(a);
    const char *dc = "[{\"ColumnName\":\"d\",\"ColumnType\":\"datetime\"}]";
    kusto_error e = v2_fail(v2_table(dc, "[[\"2019-02-12\"]]"), NULL, KUSTO_E_PROTOCOL);
    assert_contains(e.message, "column 'd' (datetime): not an ISO 8601 UTC datetime");
    v2_fail(v2_table(dc, "[[1549966982]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(dc, "[[\"\"]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(dc, "[[\"2019-02-30T00:00:00Z\"]]"), NULL, KUSTO_E_PROTOCOL);
}

static void test_values_timespan(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const kusto_table *t = one_table(a, "[{\"ColumnName\":\"t\",\"ColumnType\":\"timespan\"}]",
                                     "[[\"00:00:00\"],[\"1.00:00:01.0010001\"],[\"-2.00:00:02.0020002\"],"
                                     "[\"1.01:02:03.004\"],[\"00:04:00\"],[36000000000],[null],[\"-00:00:00.0000001\"],"
                                     "[\"10675199.02:48:05.4775807\"]]");
    assert_int_equal(t->rows[0][0].i, 0);
    assert_int_equal(t->rows[1][0].i, TICKS(86401) + 10001); /* .0010001 s */
    assert_int_equal(t->rows[2][0].i, -(TICKS(2 * 86400 + 2) + 20002));
    assert_int_equal(t->rows[3][0].i, TICKS(86400 + 3600 + 120 + 3) + 40000);
    assert_int_equal(t->rows[4][0].i, TICKS(240));
    assert_int_equal(t->rows[5][0].i, TICKS(3600)); /* bare ticks */
    assert_int_equal(t->rows[6][0].type, KUSTO_T_NULL);
    assert_int_equal(t->rows[7][0].i, -1);
    assert_true(t->rows[8][0].i == INT64_MAX); /* TimeSpan.MaxValue */
    arena_free(a);
    const char *tc = "[{\"ColumnName\":\"t\",\"ColumnType\":\"timespan\"}]";
    static const char *bad[] = {"[[\"25:00:00\"]]",  "[[\"1:2:3\"]]",
                                "[[\"00:60:00\"]]",  "[[\"00:00:00.12345678\"]]",
                                "[[\"00:00:00.\"]]", "[[\"1.\"]]",
                                "[[\"00:00\"]]",     "[[\"-\"]]",
                                "[[\"00:00:00Z\"]]", "[[\"10675200.00:00:00\"]]",
                                "[[1.5]]",           "[[\"1d\"]]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kusto_error e = v2_fail(v2_table(tc, bad[i]), NULL, KUSTO_E_PROTOCOL);
        assert_contains(e.message, "(timespan)");
    }
}

/* Dynamic: native JSON or a string holding JSON (PY dynamic.json mixes 123, "123", null,
 * "{\"rowId\":2,...}" and {...}); a string that is not JSON stays a JSON string. */
static void test_values_dynamic(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const kusto_table *t = one_table(
        a, "[{\"ColumnName\":\"d\",\"ColumnType\":\"dynamic\"}]",
        "[[123],[\"123\"],[null],[\"{\\\"rowId\\\":2,\\\"arr\\\":[1, 2.5 ,\\\"x\\\"]}\"],[{\"rowId\":3,\"o\":{\"k\":"
        "[true,false,null]}}],[\"hello\"],[0.1],[[]],[\"\"],[\"null\"],[\"a\\\"b\"],[1e300],[3.0]]");
    static const char *want[] = {"123",
                                 "123",
                                 NULL,
                                 "{\"rowId\":2,\"arr\":[1,2.5,\"x\"]}",
                                 "{\"rowId\":3,\"o\":{\"k\":[true,false,null]}}",
                                 "\"hello\"",
                                 "0.1",
                                 "[]",
                                 "\"\"",
                                 "null",
                                 "\"a\\\"b\"",
                                 "1e+300",
                                 "3.0"};
    assert_int_equal(t->nrows, sizeof want / sizeof want[0]);
    for (size_t r = 0; r < t->nrows; r++) {
        if (!want[r]) {
            assert_int_equal(t->rows[r][0].type, KUSTO_T_NULL);
            continue;
        }
        assert_int_equal(t->rows[r][0].type, KUSTO_T_DYNAMIC);
        assert_string_equal(kusto_value_str(&t->rows[r][0]), want[r]);
        assert_int_equal(t->rows[r][0].len, strlen(want[r]));
    }
    arena_free(a);
}

static void test_values_strings_guid_decimal(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const kusto_table *t =
        one_table(a,
                  "[{\"ColumnName\":\"s\",\"ColumnType\":\"string\"},{\"ColumnName\":\"g\","
                  "\"ColumnType\":\"guid\"},{\"ColumnName\":\"m\",\"ColumnType\":\"decimal\"}]",
                  "[[\"\",\"e9f884e4-90f0-404a-8e8b-01d883023bf1\",\"1.50\"],"
                  "[null,null,null],[\"caf\\u00e9 \\u0000x\",\"E9F884E4-90F0-404A-8E8B-01D883023BF1\","
                  "\"-79228162514264337593543950335\"]]");
    /* Strings are never null: "" both for "" and for null. */
    assert_int_equal(t->rows[0][0].type, KUSTO_T_STRING);
    assert_string_equal(t->rows[0][0].s, "");
    assert_int_equal(t->rows[1][0].type, KUSTO_T_STRING);
    assert_non_null(t->rows[1][0].s);
    assert_string_equal(t->rows[1][0].s, "");
    assert_int_equal(t->rows[1][1].type, KUSTO_T_NULL);
    assert_int_equal(t->rows[1][2].type, KUSTO_T_NULL);
    assert_string_equal(kusto_value_str(&t->rows[0][1]), "e9f884e4-90f0-404a-8e8b-01d883023bf1");
    assert_int_equal(t->rows[0][1].type, KUSTO_T_GUID);
    assert_string_equal(kusto_value_str(&t->rows[0][2]), "1.50");
    assert_int_equal(t->rows[0][2].type, KUSTO_T_DECIMAL);
    /* An embedded NUL is kept: len counts it. */
    assert_int_equal(t->rows[2][0].len, 8);
    assert_memory_equal(t->rows[2][0].s, "caf\xC3\xA9 \0x", 8);
    arena_free(a);
    const char *sc = "[{\"ColumnName\":\"s\",\"ColumnType\":\"string\"}]";
    v2_fail(v2_table(sc, "[[1]]"), NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table(sc, "[[{}]]"), NULL, KUSTO_E_PROTOCOL);
    kusto_error e = v2_fail(v2_table("[{\"ColumnName\":\"g\",\"ColumnType\":\"guid\"}]", "[[\"not-a-guid\"]]"), NULL,
                            KUSTO_E_PROTOCOL);
    assert_contains(e.message, "column 'g' (guid): not an 8-4-4-4-12 guid, got \"not-a-guid\"");
    v2_fail(
        v2_table("[{\"ColumnName\":\"g\",\"ColumnType\":\"guid\"}]", "[[\"e9f884e4-90f0-404a-8e8b-01d883023bfz\"]]"),
        NULL, KUSTO_E_PROTOCOL);
    v2_fail(v2_table("[{\"ColumnName\":\"m\",\"ColumnType\":\"decimal\"}]", "[[1.5]]"), NULL, KUSTO_E_PROTOCOL);
}

static void test_type_names(void **state) {
    (void)state;
    assert_int_equal(kusto_type_parse("long"), KUSTO_T_LONG);
    assert_int_equal(kusto_type_parse("Int64"), KUSTO_T_LONG);
    assert_int_equal(kusto_type_parse("System.Int64"), KUSTO_T_LONG);
    assert_int_equal(kusto_type_parse("System.String"), KUSTO_T_STRING);
    assert_int_equal(kusto_type_parse("Object"), KUSTO_T_DYNAMIC);
    assert_int_equal(kusto_type_parse("SqlDecimal"), KUSTO_T_DECIMAL);
    assert_int_equal(kusto_type_parse("TimeSpan"), KUSTO_T_TIMESPAN);
    assert_int_equal(kusto_type_parse("Guid"), KUSTO_T_GUID);
    assert_int_equal(kusto_type_parse("Double"), KUSTO_T_REAL);
    assert_int_equal(kusto_type_parse("Long"), -1);
    assert_int_equal(kusto_type_parse("varchar"), -1);
    assert_int_equal(kusto_type_parse(NULL), -1);
    assert_string_equal(kusto_type_name(KUSTO_T_TIMESPAN), "timespan");
    assert_string_equal(kusto_code_name(KUSTO_E_PARTIAL), "KUSTO_E_PARTIAL");
    assert_string_equal(kusto_code_name((kusto_code)99), "KUSTO_E_UNKNOWN");
    /* ColumnType wins over DataType; DataType is the fallback for an unknown ColumnType too. */
    arena_t *a = arena_new();
    kusto_result *r = v1_ok(a, "{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"ColumnName\":\"a\",\"DataType\":"
                               "\"String\",\"ColumnType\":\"long\"},{\"ColumnName\":\"b\",\"DataType\":\"Int64\","
                               "\"ColumnType\":\"futuretype\"}],\"Rows\":[[1,2]]}]}");
    assert_int_equal(r->tables[0].columns[0].type, KUSTO_T_LONG);
    assert_int_equal(r->tables[0].columns[1].type, KUSTO_T_LONG);
    arena_free(a);
}

/* ---- bad shapes */

static void test_bad_shapes(void **state) {
    (void)state;
    /* A v1 body not starting with '{' is the service's error text. */
    kusto_error e = v1_fail(DOC_PLAIN_ERROR, NULL, KUSTO_E_PROTOCOL);
    assert_contains(e.message, "v1 response is not JSON: General_BadRequest: Request is invalid");
    e = v2_fail(DOC_V2_COMMAND_ERROR, NULL, KUSTO_E_PROTOCOL);
    assert_contains(e.message, "v2 response is not JSON: Bad request: Control commands");
    /* A v1 body given to the v2 parser and the reverse. */
    v2_fail(DOC_V1_SHOW_VERSION, NULL, KUSTO_E_PROTOCOL);
    v1_fail(DOC_V2_TWO_TABLES, NULL, KUSTO_E_PROTOCOL);
    assert_contains(v1_fail("", NULL, KUSTO_E_PROTOCOL).message, "empty");
    assert_contains(v2_fail(" \r\n", NULL, KUSTO_E_PROTOCOL).message, "empty");
    assert_contains(v2_fail("[{\"FrameType\":", NULL, KUSTO_E_PROTOCOL).message, "malformed JSON");
    assert_contains(v1_fail("{\"Tables\":[]} trailing", NULL, KUSTO_E_PROTOCOL).message, "malformed JSON");
    assert_contains(v1_fail("{\"tables\":[]}", NULL, KUSTO_E_PROTOCOL).message, "no Tables array");
    assert_contains(v1_fail("{\"Tables\":[1]}", NULL, KUSTO_E_PROTOCOL).message, "not an object");
    assert_contains(v1_fail("{\"Tables\":[{\"TableName\":\"T\",\"Rows\":[]}]}", NULL, KUSTO_E_PROTOCOL).message,
                    "Columns is missing");
    assert_contains(v1_fail("{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[]}]}", NULL, KUSTO_E_PROTOCOL).message,
                    "Rows is missing");
    assert_contains(v1_fail("{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"DataType\":\"String\"}],\"Rows\":[]}]}",
                            NULL, KUSTO_E_PROTOCOL)
                        .message,
                    "has no ColumnName");
    assert_contains(v1_fail("{\"Tables\":[{\"TableName\":\"T\",\"Columns\":[{\"ColumnName\":\"a\",\"DataType\":"
                            "\"Blob\"}],\"Rows\":[]}]}",
                            NULL, KUSTO_E_PROTOCOL)
                        .message,
                    "unknown type");
    const char *cols =
        "[{\"ColumnName\":\"a\",\"ColumnType\":\"long\"},{\"ColumnName\":\"b\",\"ColumnType\":\"long\"}]";
    assert_string_equal(v2_fail(v2_table(cols, "[[1,2],[3]]"), NULL, KUSTO_E_PROTOCOL).message,
                        "table 'PrimaryResult' row 1 has 1 values for 2 columns");
    assert_contains(v2_fail(v2_table(cols, "[[1,2],7]"), NULL, KUSTO_E_PROTOCOL).message, "row 1 is not an array");
    assert_contains(v2_fail("[]", NULL, KUSTO_E_PROTOCOL).message, "no frames");
    assert_contains(v2_fail("[1]", NULL, KUSTO_E_PROTOCOL).message, "frame 0 is not an object");
    assert_contains(v2_fail("[{\"Frame\":\"x\"}]", NULL, KUSTO_E_PROTOCOL).message, "no FrameType");
    assert_contains(
        v2_fail("[{\"FrameType\":\"DataSetCompletion\",\"HasErrors\":false}]", NULL, KUSTO_E_PROTOCOL).message,
        "not DataSetHeader");
    assert_contains(v2_fail("[{\"FrameType\":\"DataSetHeader\"},{\"FrameType\":\"DataTable\",\"TableKind\":"
                            "\"PrimaryResult\",\"Columns\":[],\"Rows\":[]},{\"FrameType\":\"DataSetCompletion\"}]",
                            NULL, KUSTO_E_PROTOCOL)
                        .message,
                    "no integer TableId");
    assert_contains(v2_fail("[{\"FrameType\":\"DataSetHeader\"},{\"FrameType\":\"DataSetHeader\"},"
                            "{\"FrameType\":\"DataSetCompletion\"}]",
                            NULL, KUSTO_E_PROTOCOL)
                        .message,
                    "second DataSetHeader");
    /* Leading whitespace and a BOM are fine; an empty PrimaryResult list is a result with no tables. */
    arena_t *a = arena_new();
    kusto_result *r = v2_ok(a,
                            "\xEF\xBB\xBF\n [{\"FrameType\":\"DataSetHeader\"},{\"FrameType\":\"DataSetCompletion\","
                            "\"HasErrors\":false,\"Cancelled\":false}]",
                            true);
    assert_int_equal(r->ntables, 0);
    assert_null(kusto_primary(r));
    assert_null(kusto_primary(NULL));
    /* A NULL err is allowed. */
    assert_int_equal(kusto_parse_v2(DOC_V2_TWO_TABLES, strlen(DOC_V2_TWO_TABLES), NULL, true, a, &r, NULL), KUSTO_OK);
    assert_int_equal(kusto_parse_v1("[]", 2, NULL, a, &r, NULL), KUSTO_E_PROTOCOL);
    assert_int_equal(kusto_parse_error(503, "x", 1, NULL), KUSTO_E_SERVER);
    assert_int_equal(kusto_column_index(NULL, "a"), -1);
    assert_string_equal(kusto_value_str(NULL), "");
    arena_free(a);
}

/* ---- bounds: an error past each bound, never a silent truncation */

static void test_bounds(void **state) {
    (void)state;
    kusto_options o = {0};
    o.max_tables = 2;
    const char *t = "{\"TableName\":\"T\",\"Columns\":[],\"Rows\":[]}";
    char body[1024];
    snprintf(body, sizeof body, "{\"Tables\":[%s,%s]}", t, t);
    arena_t *a = arena_new();
    kusto_result *r = NULL;
    kusto_error e;
    assert_int_equal(kusto_parse_v1(body, strlen(body), &o, a, &r, &e), KUSTO_OK);
    snprintf(body, sizeof body, "{\"Tables\":[%s,%s,%s]}", t, t, t);
    assert_string_equal(v1_fail(body, &o, KUSTO_E_PROTOCOL).message, "response has more than 2 tables (the bound)");

    o = (kusto_options){0};
    o.max_columns = 2;
    const char *c3 = "[{\"ColumnName\":\"a\",\"ColumnType\":\"int\"},{\"ColumnName\":\"b\",\"ColumnType\":\"int\"},"
                     "{\"ColumnName\":\"c\",\"ColumnType\":\"int\"}]";
    assert_contains(v2_fail(v2_table(c3, "[]"), &o, KUSTO_E_PROTOCOL).message, "3 columns, more than the bound of 2");

    o = (kusto_options){0};
    o.max_cells = 6;
    assert_int_equal(kusto_parse_v2(v2_table(c3, "[[1,2,3],[4,5,6]]"), strlen(v2_table(c3, "[[1,2,3],[4,5,6]]")), &o,
                                    true, a, &r, &e),
                     KUSTO_OK);
    assert_contains(v2_fail(v2_table(c3, "[[1,2,3],[4,5,6],[7,8,9]]"), &o, KUSTO_E_PROTOCOL).message,
                    "more than 6 cells");
    /* Cells are counted across fragments and tables, replaced rows included. */
    o.max_cells = 3;
    const char *frag =
        "[{\"FrameType\":\"DataSetHeader\"},{\"FrameType\":\"TableHeader\",\"TableId\":1,\"TableKind\":"
        "\"PrimaryResult\",\"TableName\":\"P\",\"Columns\":[{\"ColumnName\":\"a\",\"ColumnType\":\"int\"}]},"
        "{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataAppend\",\"TableId\":1,\"Rows\":"
        "[[1],[2]]},{\"FrameType\":\"TableFragment\",\"TableFragmentType\":\"DataReplace\",\"TableId\":1,"
        "\"Rows\":[[3],[4]]},{\"FrameType\":\"TableCompletion\",\"TableId\":1},{\"FrameType\":"
        "\"DataSetCompletion\",\"HasErrors\":false,\"Cancelled\":false}]";
    v2_fail(frag, &o, KUSTO_E_PROTOCOL);
    /* Rows without columns still count. */
    o.max_cells = 2;
    assert_contains(v2_fail(v2_table("[]", "[[],[],[]]"), &o, KUSTO_E_PROTOCOL).message, "more than 2 cells");
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_v1_show_version),
        cmocka_unit_test(test_doc_v1_column_type),
        cmocka_unit_test(test_doc_v2_fragments),
        cmocka_unit_test(test_doc_v2_datatable),
        cmocka_unit_test(test_v2_primary_only),
        cmocka_unit_test(test_v2_fragment_replace_progress),
        cmocka_unit_test(test_v2_fragment_errors),
        cmocka_unit_test(test_partial_v2_inline_row),
        cmocka_unit_test(test_partial_v2_end_of_table),
        cmocka_unit_test(test_partial_v2_dataset_completion),
        cmocka_unit_test(test_partial_v2_deferred_qci),
        cmocka_unit_test(test_partial_v1),
        cmocka_unit_test(test_partial_v1_query_status),
        cmocka_unit_test(test_error_oneapi),
        cmocka_unit_test(test_error_plain_text),
        cmocka_unit_test(test_values_long_int),
        cmocka_unit_test(test_values_real),
        cmocka_unit_test(test_values_bool),
        cmocka_unit_test(test_values_datetime),
        cmocka_unit_test(test_values_timespan),
        cmocka_unit_test(test_values_dynamic),
        cmocka_unit_test(test_values_strings_guid_decimal),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_bad_shapes),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests_name("kusto_response", tests, NULL, NULL);
}
