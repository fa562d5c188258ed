/* test_print_schema.c -- gql_schema_print against graphql-js printSchema. The expected texts were
 * produced by graphql-core 3.2 from the same SDL (graphql-js 16.15 prints the same) and pasted here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/type/schema.h"
#include "rich_schema_sdl.h"

static const char *const exp_rich =
    "\"\"\"The schema's description\"\"\"\n"
    "schema {\n"
    "  query: Root\n"
    "  mutation: Mut\n"
    "}\n"
    "\n"
    "directive @auth(\n"
    "  role: String = \"admin\"\n"
    "\n"
    "  \"\"\"why\"\"\"\n"
    "  why: Int\n"
    ") repeatable on FIELD_DEFINITION | OBJECT\n"
    "\n"
    "directive @cache on FIELD\n"
    "\n"
    "\"\"\"\n"
    "A multi-line\n"
    "description with \"quotes\"\n"
    "\"\"\"\n"
    "type Root implements Node & Named {\n"
    "  \"\"\"the id\"\"\"\n"
    "  id: ID!\n"
    "  name(upper: Boolean = false, format: String = \"x\\ty\", limit: Int = 10, ratio: Float = 1, tags: "
    "[String!] = [\"a\", \"b\"]): String @deprecated\n"
    "\n"
    "  \"\"\"second field\"\"\"\n"
    "  other(\n"
    "    \"\"\"arg doc\"\"\"\n"
    "    a: Int = 3\n"
    "    b: Color = RED\n"
    "    c: Filter = {a: \"x\", b: 2}\n"
    "    d: ID = 123\n"
    "    e: ID = \"abc\"\n"
    "    f: [Int] = [5]\n"
    "  ): [Node!]! @deprecated(reason: \"use `id` instead\")\n"
    "  when: DateTime\n"
    "  json: JSON\n"
    "  s: Search\n"
    "}\n"
    "\n"
    "interface Node {\n"
    "  id: ID!\n"
    "}\n"
    "\n"
    "interface Named implements Node {\n"
    "  id: ID!\n"
    "  name: String\n"
    "}\n"
    "\n"
    "type Mut {\n"
    "  do(x: Int!): Boolean\n"
    "  undo: Boolean\n"
    "}\n"
    "\n"
    "enum Color {\n"
    "  \"\"\"red\"\"\"\n"
    "  RED\n"
    "  GREEN @deprecated\n"
    "  BLUE @deprecated(reason: \"too blue\")\n"
    "}\n"
    "\n"
    "input Filter {\n"
    "  a: String\n"
    "  b: Int = 1\n"
    "  old: Int @deprecated\n"
    "}\n"
    "\n"
    "input One @oneOf {\n"
    "  x: Int\n"
    "  y: String\n"
    "}\n"
    "\n"
    "scalar DateTime @specifiedBy(url: \"https://tools.ietf.org/html/rfc3339\")\n"
    "\n"
    "scalar JSON\n"
    "\n"
    "union Search = Root | Mut | Other\n"
    "\n"
    "type Other {\n"
    "  x: Int\n"
    "}\n"
    "\n"
    "\"\"\"   indented first line\"\"\"\n"
    "scalar Weird\n"
    "\n"
    "\"\"\"ends with quote\" \"\"\"\n"
    "scalar Q1\n"
    "\n"
    "\"\"\"has \\\"\"\" inside\"\"\"\n"
    "scalar Q2\n"
    "\n"
    "\"a\\nb\\u0001\"\n"
    "scalar Q3";

static const char *const sdl_defaults = "type Query { a: Int }\n"
                                        "type Mutation { b(x: [[Int!]]! = [[1], [2, 3]]): String }\n"
                                        "type Subscription { c: Boolean }";
static const char *const exp_defaults = "type Query {\n"
                                        "  a: Int\n"
                                        "}\n"
                                        "\n"
                                        "type Mutation {\n"
                                        "  b(x: [[Int!]]! = [[1], [2, 3]]): String\n"
                                        "}\n"
                                        "\n"
                                        "type Subscription {\n"
                                        "  c: Boolean\n"
                                        "}";

static const char *const sdl_renamed_root = "schema { query: Q } type Q { a: Int } type Query { z: ID }";
static const char *const exp_renamed_root = "schema {\n"
                                            "  query: Q\n"
                                            "}\n"
                                            "\n"
                                            "type Q {\n"
                                            "  a: Int\n"
                                            "}\n"
                                            "\n"
                                            "type Query {\n"
                                            "  z: ID\n"
                                            "}";

static const char *const sdl_schema_description = "\"\"\"Described\"\"\"\n"
                                                  "schema { query: Query } type Query { a: Int }";
static const char *const exp_schema_description = "\"\"\"Described\"\"\"\n"
                                                  "schema {\n"
                                                  "  query: Query\n"
                                                  "}\n"
                                                  "\n"
                                                  "type Query {\n"
                                                  "  a: Int\n"
                                                  "}";

static const char *const sdl_descriptions =
    "\n"
    "\"This description is a very long single line that certainly exceeds the seventy character limit of "
    "graphql-js\"\n"
    "type Query {\n"
    "  \"Ünïcödé description that is close to seventy characters long, really ok\"\n"
    "  a(\n"
    "    \"\"\"\n"
    "    Multi\n"
    "      indented\n"
    "    \"\"\"\n"
    "    x: Int\n"
    "    y: String = \"line\\nbreak\"\n"
    "    \"z doc\" z: Boolean = true\n"
    "  ): Int\n"
    "  \"   leading spaces\"\n"
    "  b: Int\n"
    "  \"ends with backslash \\\\\"\n"
    "  c: Int\n"
    "}\n"
    "\"enum doc\"\n"
    "enum E {\n"
    "  \"first\" A\n"
    "  \"second\" B\n"
    "  C\n"
    "}\n"
    "input In {\n"
    "  \"f1\" f1: E = A\n"
    "  f2: [E] = [A, B]\n"
    "  f3: In2 = {y: 1.5, x: \"s\"}\n"
    "}\n"
    "input In2 { x: String y: Float z: ID = 7 }\n"
    "type Obj { f(a: In, b: In2 = {z: \"8\"}): E }\n"
    "";
static const char *const exp_descriptions =
    "\"\"\"\n"
    "This description is a very long single line that certainly exceeds the seventy character limit of gr"
    "aphql-js\n"
    "\"\"\"\n"
    "type Query {\n"
    "  \"\"\"\n"
    "  Ünïcödé description that is close to seventy characters long, really ok\n"
    "  \"\"\"\n"
    "  a(\n"
    "    \"\"\"\n"
    "    Multi\n"
    "      indented\n"
    "    \"\"\"\n"
    "    x: Int\n"
    "    y: String = \"line\\nbreak\"\n"
    "\n"
    "    \"\"\"z doc\"\"\"\n"
    "    z: Boolean = true\n"
    "  ): Int\n"
    "\n"
    "  \"\"\"   leading spaces\"\"\"\n"
    "  b: Int\n"
    "\n"
    "  \"\"\"\n"
    "  ends with backslash \\\n"
    "  \"\"\"\n"
    "  c: Int\n"
    "}\n"
    "\n"
    "\"\"\"enum doc\"\"\"\n"
    "enum E {\n"
    "  \"\"\"first\"\"\"\n"
    "  A\n"
    "\n"
    "  \"\"\"second\"\"\"\n"
    "  B\n"
    "  C\n"
    "}\n"
    "\n"
    "input In {\n"
    "  \"\"\"f1\"\"\"\n"
    "  f1: E = A\n"
    "  f2: [E] = [A, B]\n"
    "  f3: In2 = {x: \"s\", y: 1.5, z: 7}\n"
    "}\n"
    "\n"
    "input In2 {\n"
    "  x: String\n"
    "  y: Float\n"
    "  z: ID = 7\n"
    "}\n"
    "\n"
    "type Obj {\n"
    "  f(a: In, b: In2 = {z: 8}): E\n"
    "}";

static const char *const sdl_directives =
    "\n"
    "\"Directive doc\"\n"
    "directive @tag(name: String!, \"weight\" w: Float = 2) repeatable on UNION | OBJECT | FIELD_DEFINITI"
    "ON | ENUM_VALUE\n"
    "directive @internal on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | SCHEMA\n"
    "type Query @tag(name: \"q\") { a(x: Int @internal): Int @tag(name: \"a\") }\n"
    "";
static const char *const exp_directives =
    "\"\"\"Directive doc\"\"\"\n"
    "directive @tag(\n"
    "  name: String!\n"
    "\n"
    "  \"\"\"weight\"\"\"\n"
    "  w: Float = 2\n"
    ") repeatable on UNION | OBJECT | FIELD_DEFINITION | ENUM_VALUE\n"
    "\n"
    "directive @internal on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | SCHEMA\n"
    "\n"
    "type Query {\n"
    "  a(x: Int): Int\n"
    "}";

/* Default values that do not coerce to their type are dropped, as graphql-js buildASTSchema does
 * (expected text from graphql-js 16.15). */
static const char *const sdl_bad_defaults =
    "type Query {\n"
    "  a(x: Int = \"abc\", y: Int = 3, z: [Int] = [1, \"x\"], w: E = B, v: E = A, u: In = {b: 1}, t: In ="
    " {a: 1}, s: In = {a: 1, zz: 2}, r: One = {p: 1, q: 2}, q: One = {p: 1}, o: Int! = null, n: [Int!] = "
    "[null], m: [Int] = null, l: JSON = \"str\", k: Float = 1e3, j: ID = 12): Int\n"
    "}\n"
    "enum E { A }\n"
    "input In { a: Int! b: Int = 5 }\n"
    "input One @oneOf { p: Int q: Int }\n"
    "scalar JSON\n"
    "";
static const char *const exp_bad_defaults =
    "type Query {\n"
    "  a(x: Int, y: Int = 3, z: [Int], w: E, v: E = A, u: In, t: In = {a: 1, b: 5}, s: In = {a: 1, b: 5},"
    " r: One, q: One = {p: 1}, o: Int!, n: [Int!], m: [Int] = null, l: JSON = \"str\", k: Float = 1000, j"
    ": ID = 12): Int\n"
    "}\n"
    "\n"
    "enum E {\n"
    "  A\n"
    "}\n"
    "\n"
    "input In {\n"
    "  a: Int!\n"
    "  b: Int = 5\n"
    "}\n"
    "\n"
    "input One @oneOf {\n"
    "  p: Int\n"
    "  q: Int\n"
    "}\n"
    "\n"
    "scalar JSON";

static void check(const char *sdl, const char *expected) {
    arena_t *a = arena_new();
    gql_errors e;
    gql_errors_init(&e, a);
    gql_schema *s = gql_schema_build(&sdl, NULL, NULL, 1, &e);
    for (const gql_error *err = e.head; err; err = err->next)
        fprintf(stderr, "# build error: %s\n", err->message);
    assert_non_null(s);
    buf_t b = BUF_INIT;
    gql_schema_print(s, &b);
    if (strcmp(buf_cstr(&b), expected) != 0) fprintf(stderr, "# got:\n%s\n# expected:\n%s\n", buf_cstr(&b), expected);
    assert_string_equal(buf_cstr(&b), expected);
    buf_free(&b);
    gql_schema_free(s);
    arena_free(a);
}

static void test_defaults(void **state) {
    (void)state;
    check(sdl_defaults, exp_defaults);
}

static void test_descriptions(void **state) {
    (void)state;
    check(sdl_descriptions, exp_descriptions);
}

static void test_directives(void **state) {
    (void)state;
    check(sdl_directives, exp_directives);
}

static void test_renamed_root(void **state) {
    (void)state;
    check(sdl_renamed_root, exp_renamed_root);
}

static void test_rich(void **state) {
    (void)state;
    check(rich_schema_sdl, exp_rich);
}

static void test_schema_description(void **state) {
    (void)state;
    check(sdl_schema_description, exp_schema_description);
}

static void test_bad_defaults(void **state) {
    (void)state;
    check(sdl_bad_defaults, exp_bad_defaults);
}

/* Several sources with extensions print as one merged schema (fields in definition + extension order). */
static void test_multi_source(void **state) {
    (void)state;
    const char *srcs[] = {"type Query { a: Int }\ninterface Node { id: ID! }",
                          "extend type Query implements Node { id: ID! }\nextend type Query { b: [String] }\n"
                          "type Account implements Node { id: ID! }"};
    arena_t *a = arena_new();
    gql_errors e;
    gql_errors_init(&e, a);
    gql_schema *s = gql_schema_build(srcs, NULL, NULL, 2, &e);
    assert_non_null(s);
    buf_t b = BUF_INIT;
    gql_schema_print(s, &b);
    assert_string_equal(buf_cstr(&b), "type Query implements Node {\n  a: Int\n  id: ID!\n  b: [String]\n}\n\n"
                                      "interface Node {\n  id: ID!\n}\n\ntype Account implements Node {\n  id: ID!\n}");
    buf_free(&b);
    gql_schema_free(s);
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),     cmocka_unit_test(test_descriptions),
        cmocka_unit_test(test_directives),   cmocka_unit_test(test_renamed_root),
        cmocka_unit_test(test_rich),         cmocka_unit_test(test_schema_description),
        cmocka_unit_test(test_bad_defaults), cmocka_unit_test(test_multi_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
