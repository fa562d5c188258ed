/* test_coerce.c -- unit tests for input coercion (src/graphql/execution/coerce.c): variable
 * values from JSON (§6.1.2) with graphql-js messages, literals (valueFromAST), argument values
 * (§6.4.1), and the JavaScript number printer of response.c. */
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "graphql/execution/coerce.h"
#include "graphql/execution/response.h"
#include "graphql/jsutils/inspect.h"
#include "graphql/language/parser.h"
#include "util/utf8.h"

static const char *SDL = "enum Color { RED GREEN BLUE }\n"
                         "input Point { x: Int! y: Int = 7 tags: [String!] }\n"
                         "input Nested { p: Point! list: [[Int]] }\n"
                         "input Pick @oneOf { a: Int b: String }\n"
                         "type Query { f(n: Int!, s: String = \"dflt\", c: Color, p: Point, l: [Int]): Int\n"
                         "  g(x: Float, y: ID, z: Boolean, o: Pick, n: Nested): String }\n";

static gql_schema *schema;
static arena_t *arena;

static int setup(void **state) {
    (void)state;
    arena_t *ea = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, ea);
    size_t len = strlen(SDL);
    const char *name = "test";
    schema = gql_schema_build(&SDL, &len, &name, 1, &errs);
    if (!schema && errs.head) fprintf(stderr, "schema: %s\n", errs.head->message);
    arena_free(ea);
    return schema ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    gql_schema_free(schema);
    return 0;
}

static int per_test_setup(void **state) {
    (void)state;
    arena = arena_new();
    return 0;
}

static int per_test_teardown(void **state) {
    (void)state;
    arena_free(arena);
    return 0;
}

/* Coerces the variables of `query` from JSON text; returns the first error message or NULL. */
static const char *coerce_vars(const char *query, const char *json, gql_val *out, size_t *nerrors) {
    gql_errors errs;
    gql_errors_init(&errs, arena);
    gql_document *doc = gql_parse(arena, query, strlen(query), NULL, &errs);
    assert_non_null(doc);
    json_t *j = json ? json_loads(json, 0, NULL) : NULL;
    if (json) assert_non_null(j);
    int rc = gql_coerce_variable_values(schema, doc->defs[0], j, arena, out, &errs);
    json_decref(j);
    if (nerrors) *nerrors = errs.count;
    assert_int_equal(rc == 0, errs.count == 0);
    if (errs.head) {
        assert_string_equal(errs.head->code, GQL_CODE_BAD_USER_INPUT);
        assert_int_equal(errs.head->nlocations, 1);
    }
    return errs.head ? errs.head->message : NULL;
}

static const char *vars_json(const gql_val *v) {
    buf_t b = BUF_INIT;
    assert_int_equal(gql_val_write_json(v, &b), 0);
    const char *s = arena_strdup(arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

static void test_variables_scalars(void **state) {
    (void)state;
    gql_val v;
    const char *q = "query($i: Int, $f: Float, $s: String, $b: Boolean, $id: ID) { f(n: 1) }";
    assert_null(coerce_vars(q, "{\"i\": 1.0, \"f\": 2, \"s\": \"x\", \"b\": true, \"id\": 42}", &v, NULL));
    assert_string_equal(vars_json(&v), "{\"i\":1,\"f\":2,\"s\":\"x\",\"b\":true,\"id\":\"42\"}");
    assert_int_equal(gql_map_get(&v, "i")->kind, GQL_V_INT);
    assert_int_equal(gql_map_get(&v, "f")->kind, GQL_V_FLOAT);
    assert_int_equal(gql_map_get(&v, "id")->kind, GQL_V_STRING);

    assert_string_equal(coerce_vars(q, "{\"i\": \"abc\"}", &v, NULL),
                        "Variable \"$i\" got invalid value \"abc\"; Int cannot represent non-integer value: \"abc\"");
    assert_string_equal(coerce_vars(q, "{\"i\": 1.5}", &v, NULL),
                        "Variable \"$i\" got invalid value 1.5; Int cannot represent non-integer value: 1.5");
    assert_string_equal(coerce_vars(q, "{\"i\": 2147483648}", &v, NULL),
                        "Variable \"$i\" got invalid value 2147483648; Int cannot represent non 32-bit signed integer "
                        "value: 2147483648");
    assert_string_equal(coerce_vars(q, "{\"s\": 5}", &v, NULL),
                        "Variable \"$s\" got invalid value 5; String cannot represent a non string value: 5");
    assert_string_equal(coerce_vars(q, "{\"b\": \"true\"}", &v, NULL),
                        "Variable \"$b\" got invalid value \"true\"; Boolean cannot represent a non boolean value: "
                        "\"true\"");
    /* ID's parseValue is type/scalars.c's for variables too: String(n) of an integral number, as graphql-js */
    assert_null(coerce_vars(q, "{\"id\": 1e21}", &v, NULL));
    assert_string_equal(vars_json(&v), "{\"id\":\"1e+21\"}");
    assert_null(coerce_vars(q, "{\"id\": 1.152921504606846976e18}", &v, NULL));
    assert_string_equal(vars_json(&v), "{\"id\":\"1152921504606847000\"}");
    assert_string_equal(coerce_vars(q, "{\"id\": 1.5}", &v, NULL),
                        "Variable \"$id\" got invalid value 1.5; ID cannot represent value: 1.5");
    assert_string_equal(coerce_vars(q, "{\"f\": [1]}", &v, NULL),
                        "Variable \"$f\" got invalid value [1]; Float cannot represent non numeric value: [1]");
}

static void test_variables_null_absent_default(void **state) {
    (void)state;
    gql_val v;
    const char *q = "query($a: Int!, $b: Int = 5, $c: Int, $d: String = \"z\") { f(n: 1) }";
    assert_string_equal(coerce_vars(q, "{}", &v, NULL), "Variable \"$a\" of required type \"Int!\" was not provided.");
    assert_string_equal(coerce_vars(q, "{\"a\": null}", &v, NULL),
                        "Variable \"$a\" of non-null type \"Int!\" must not be null.");
    /* absent keeps absent, explicit null stays null, defaults fill absent ones only */
    assert_null(coerce_vars(q, "{\"a\": 1, \"c\": null, \"d\": null}", &v, NULL));
    assert_string_equal(vars_json(&v), "{\"a\":1,\"b\":5,\"c\":null,\"d\":null}");
    assert_null(coerce_vars(q, "{\"a\": 1}", &v, NULL));
    assert_null(gql_map_get(&v, "c"));
    /* no variables object at all */
    size_t n;
    assert_non_null(coerce_vars(q, NULL, &v, &n));
    assert_int_equal(n, 1);
}

static void test_variables_lists(void **state) {
    (void)state;
    gql_val v;
    const char *q = "query($l: [Int], $m: [Int!]!, $n: [[Int]]) { f(n: 1) }";
    /* a single value is coerced to a list of one (§3.11 List input coercion) */
    assert_null(coerce_vars(q, "{\"l\": 3, \"m\": 4, \"n\": 5}", &v, NULL));
    assert_string_equal(vars_json(&v), "{\"l\":[3],\"m\":[4],\"n\":[[5]]}");
    assert_null(coerce_vars(q, "{\"l\": [1, null], \"m\": [], \"n\": [[1], null, 2]}", &v, NULL));
    assert_string_equal(vars_json(&v), "{\"l\":[1,null],\"m\":[],\"n\":[[1],null,[2]]}");
    assert_string_equal(coerce_vars(q, "{\"m\": [1, null]}", &v, NULL),
                        "Variable \"$m\" got invalid value null at \"m[1]\"; Expected non-nullable type \"Int!\" not "
                        "to be null.");
    size_t n;
    assert_string_equal(coerce_vars(q, "{\"m\": [\"a\", 2, \"b\"]}", &v, &n),
                        "Variable \"$m\" got invalid value \"a\" at \"m[0]\"; Int cannot represent non-integer value: "
                        "\"a\"");
    assert_int_equal(n, 2); /* every problem is reported */
}

static void test_variables_input_objects(void **state) {
    (void)state;
    gql_val v;
    const char *q = "query($p: Point, $n: Nested, $c: Color) { f(n: 1) }";
    assert_null(coerce_vars(q, "{\"p\": {\"x\": 1, \"tags\": \"t\"}, \"c\": \"RED\"}", &v, NULL));
    assert_string_equal(vars_json(&v), "{\"p\":{\"x\":1,\"y\":7,\"tags\":[\"t\"]},\"c\":\"RED\"}");
    assert_int_equal(gql_map_get(&v, "c")->kind, GQL_V_ENUM);
    assert_string_equal(coerce_vars(q, "{\"p\": {\"y\": 1}}", &v, NULL),
                        "Variable \"$p\" got invalid value { y: 1 }; Field \"x\" of required type \"Int!\" was not "
                        "provided.");
    assert_string_equal(coerce_vars(q, "{\"p\": {\"x\": 1, \"zz\": 2}}", &v, NULL),
                        "Variable \"$p\" got invalid value { x: 1, zz: 2 }; Field \"zz\" is not defined by type "
                        "\"Point\".");
    assert_string_equal(coerce_vars(q, "{\"p\": 3}", &v, NULL),
                        "Variable \"$p\" got invalid value 3; Expected type \"Point\" to be an object.");
    assert_string_equal(coerce_vars(q, "{\"n\": {\"p\": {\"x\": \"no\"}}}", &v, NULL),
                        "Variable \"$n\" got invalid value \"no\" at \"n.p.x\"; Int cannot represent non-integer "
                        "value: \"no\"");
    assert_string_equal(coerce_vars(q, "{\"n\": {\"p\": {\"x\": 1}, \"list\": [[1], [true]]}}", &v, NULL),
                        "Variable \"$n\" got invalid value true at \"n.list[1][0]\"; Int cannot represent "
                        "non-integer value: true");
    assert_string_equal(coerce_vars(q, "{\"c\": \"PINK\"}", &v, NULL),
                        "Variable \"$c\" got invalid value \"PINK\"; Value \"PINK\" does not exist in \"Color\" "
                        "enum.");
    assert_string_equal(coerce_vars(q, "{\"c\": 1}", &v, NULL),
                        "Variable \"$c\" got invalid value 1; Enum \"Color\" cannot represent non-string value: 1.");
}

static void test_variables_one_of(void **state) {
    (void)state;
    gql_val v;
    const char *q = "query($o: Pick) { f(n: 1) }";
    assert_null(coerce_vars(q, "{\"o\": {\"b\": \"x\"}}", &v, NULL));
    assert_string_equal(vars_json(&v), "{\"o\":{\"b\":\"x\"}}");
    assert_string_equal(coerce_vars(q, "{\"o\": {\"a\": 1, \"b\": \"x\"}}", &v, NULL),
                        "Variable \"$o\" got invalid value { a: 1, b: \"x\" }; Exactly one key must be specified for "
                        "OneOf type \"Pick\".");
    assert_string_equal(coerce_vars(q, "{\"o\": {}}", &v, NULL),
                        "Variable \"$o\" got invalid value {}; Exactly one key must be specified for OneOf type "
                        "\"Pick\".");
    assert_string_equal(coerce_vars(q, "{\"o\": {\"a\": null}}", &v, NULL),
                        "Variable \"$o\" got invalid value null at \"o.a\"; Field \"a\" must be non-null.");
}

/* valueFromAST of a literal text against a type written as GraphQL ("[Int!]"). */
static int literal(const char *lit, const char *type_src, const gql_val *vars, const char **json) {
    gql_errors errs;
    gql_errors_init(&errs, arena);
    gql_value *v = gql_parse_value(arena, lit, strlen(lit), &errs);
    assert_non_null(v);
    const char *q = arena_printf(arena, "query($v: %s) { f(n: 1) }", type_src);
    gql_document *doc = gql_parse(arena, q, strlen(q), NULL, &errs);
    assert_non_null(doc);
    const gql_type *t = gql_type_from_ast(schema, arena, doc->defs[0]->vars[0]->type);
    assert_non_null(t);
    gql_val out;
    if (gql_value_from_ast(schema, v, t, vars, arena, &out)) return -1;
    *json = vars_json(&out);
    return 0;
}

static void test_value_from_ast(void **state) {
    (void)state;
    const char *j;
    assert_int_equal(literal("3", "[Int]", NULL, &j), 0);
    assert_string_equal(j, "[3]");
    assert_int_equal(literal("[1, null]", "[Int]", NULL, &j), 0);
    assert_string_equal(j, "[1,null]");
    assert_int_equal(literal("[1, null]", "[Int!]", NULL, &j), -1);
    assert_int_equal(literal("null", "Int!", NULL, &j), -1);
    assert_int_equal(literal("2147483648", "Int", NULL, &j), -1);
    assert_int_equal(literal("1.5", "Int", NULL, &j), -1);
    assert_int_equal(literal("4", "Float", NULL, &j), 0);
    assert_string_equal(j, "4");
    assert_int_equal(literal("7", "ID", NULL, &j), 0);
    assert_string_equal(j, "\"7\"");
    assert_int_equal(literal("\"RED\"", "Color", NULL, &j), -1); /* enums take enum literals only */
    assert_int_equal(literal("GREEN", "Color", NULL, &j), 0);
    assert_string_equal(j, "\"GREEN\"");
    assert_int_equal(literal("{x: 1}", "Point", NULL, &j), 0);
    assert_string_equal(j, "{\"x\":1,\"y\":7}");
    assert_int_equal(literal("{y: 1}", "Point", NULL, &j), -1);
    assert_int_equal(literal("{a: 1}", "Pick", NULL, &j), 0);
    assert_int_equal(literal("{a: 1, b: \"x\"}", "Pick", NULL, &j), -1);
    assert_int_equal(literal("{a: null}", "Pick", NULL, &j), -1);

    gql_val vars = gql_map(arena, 2);
    gql_map_set(arena, &vars, "n", gql_int(9));
    gql_map_set(arena, &vars, "z", gql_null());
    assert_int_equal(literal("[$n, $missing]", "[Int]", &vars, &j), 0);
    assert_string_equal(j, "[9,null]"); /* an absent variable in a nullable list slot is null */
    assert_int_equal(literal("[$n, $missing]", "[Int!]", &vars, &j), -1);
    assert_int_equal(literal("$z", "Int!", &vars, &j), -1);
    assert_int_equal(literal("{x: $n, y: $missing}", "Point", &vars, &j), 0);
    assert_string_equal(j, "{\"x\":9,\"y\":7}"); /* an absent variable falls back to the field default */
}

static const char *args_of(const char *query, const gql_val *vars, gql_val *out) {
    gql_errors errs;
    gql_errors_init(&errs, arena);
    gql_document *doc = gql_parse(arena, query, strlen(query), NULL, &errs);
    assert_non_null(doc);
    const gql_selection *sel = doc->defs[0]->selection_set->items[0];
    const gql_field *f = gql_type_field(schema->query, "f");
    gql_path path = {.prev = NULL, .key = "f", .index = 0};
    int rc = gql_coerce_argument_values(schema, f->args, f->nargs, sel->args, sel->nargs, vars, arena, out, &errs,
                                        &sel->loc, &path);
    assert_int_equal(rc == 0, errs.count == 0);
    if (errs.head) {
        assert_int_equal(errs.head->npath, 1);
        assert_int_equal(errs.head->nlocations, 1);
    }
    return errs.head ? errs.head->message : NULL;
}

static void test_argument_values(void **state) {
    (void)state;
    gql_val a;
    assert_null(args_of("{ f(n: 1, c: RED, l: 2) }", NULL, &a));
    assert_string_equal(vars_json(&a), "{\"n\":1,\"s\":\"dflt\",\"c\":\"RED\",\"l\":[2]}");
    assert_string_equal(args_of("{ f }", NULL, &a), "Argument \"n\" of required type \"Int!\" was not provided.");
    assert_string_equal(args_of("{ f(n: null) }", NULL, &a),
                        "Argument \"n\" of non-null type \"Int!\" must not be null.");
    assert_string_equal(args_of("{ f(n: \"x\") }", NULL, &a), "Argument \"n\" has invalid value \"x\".");
    assert_string_equal(args_of("{ f(n: 1, p: {x: 1, y: \"q\"}) }", NULL, &a),
                        "Argument \"p\" has invalid value {x: 1, y: \"q\"}.");
    gql_val vars = gql_map(arena, 2);
    gql_map_set(arena, &vars, "s", gql_null());
    assert_string_equal(args_of("query($v: Int) { f(n: $v) }", &vars, &a),
                        "Argument \"n\" of required type \"Int!\" was provided the variable \"$v\" which was not "
                        "provided a runtime value.");
    /* an absent variable uses the argument default; an explicit null replaces it */
    assert_null(args_of("query($v: String) { f(n: 1, s: $v) }", NULL, &a));
    assert_string_equal(vars_json(&a), "{\"n\":1,\"s\":\"dflt\"}");
    assert_null(args_of("query($s: String) { f(n: 1, s: $s) }", &vars, &a));
    assert_string_equal(vars_json(&a), "{\"n\":1,\"s\":null}");
}

static const char *num(double d) {
    buf_t b = BUF_INIT;
    gql_write_number(&b, d);
    const char *s = arena_strdup(arena, buf_cstr(&b));
    buf_free(&b);
    return s;
}

static void test_js_numbers(void **state) {
    (void)state;
    assert_string_equal(num(1.0), "1");
    assert_string_equal(num(0.1), "0.1");
    assert_string_equal(num(-2.5), "-2.5");
    assert_string_equal(num(100), "100");
    assert_string_equal(num(0.1 + 0.2), "0.30000000000000004");
    assert_string_equal(num(1e21), "1e+21");
    assert_string_equal(num(1.5e21), "1.5e+21");
    assert_string_equal(num(123456789012345680000.0), "123456789012345680000");
    assert_string_equal(num(1e-7), "1e-7");
    assert_string_equal(num(1.5e-7), "1.5e-7");
    assert_string_equal(num(0.000001), "0.000001");
    assert_string_equal(num(-0.0), "0");
    assert_string_equal(num(5e-324), "5e-324");
    assert_string_equal(num(1.7976931348623157e308), "1.7976931348623157e+308");
    assert_string_equal(num(NAN), "null");
    assert_string_equal(num(INFINITY), "null");
}

static void test_inspect(void **state) {
    (void)state;
    gql_val m = gql_map(arena, 2);
    gql_val l = gql_list(arena, 2);
    l.list.items[0] = gql_int(1);
    l.list.items[1] = gql_str("a\"b");
    gql_map_set(arena, &m, "k", l);
    gql_map_set(arena, &m, "f", gql_float(2.0));
    assert_string_equal(gql_inspect(arena, &m), "{ k: [1, \"a\\\"b\"], f: 2 }");
    gql_val big = gql_list(arena, 12);
    assert_string_equal(gql_inspect(arena, &big),
                        "[null, null, null, null, null, null, null, null, null, null, ... 2 more items]");
    /* Nesting stops where graphql-js's inspect stops (MAX_RECURSIVE_DEPTH 2): inspect([[[1]]]) is
     * "[[[Array]]]", inspect({a:{b:{c:1}}}) is "{ a: { b: [Object] } }", inspect({a:[{b:1}]}) is
     * "{ a: [[Object]] }" (checked with graphql 16's jsutils/inspect). */
    gql_val l3 = gql_list(arena, 1), l2 = gql_list(arena, 1), l1 = gql_list(arena, 1);
    l3.list.items[0] = gql_int(1);
    l2.list.items[0] = l3;
    l1.list.items[0] = l2;
    assert_string_equal(gql_inspect(arena, &l1), "[[[Array]]]");
    assert_string_equal(gql_inspect(arena, &l2), "[[1]]");
    gql_val mc = gql_map(arena, 1), mb = gql_map(arena, 1), ma = gql_map(arena, 1);
    gql_map_set(arena, &mc, "c", gql_int(1));
    gql_map_set(arena, &mb, "b", mc);
    gql_map_set(arena, &ma, "a", mb);
    assert_string_equal(gql_inspect(arena, &ma), "{ a: { b: [Object] } }");
    gql_val inner = gql_map(arena, 1), arr = gql_list(arena, 1), outer = gql_map(arena, 1);
    gql_map_set(arena, &inner, "b", gql_int(1));
    arr.list.items[0] = inner;
    gql_map_set(arena, &outer, "a", arr);
    assert_string_equal(gql_inspect(arena, &outer), "{ a: [[Object]] }");
}

/* Regression: an input object with thousands of unknown keys produced one error per key (up to
 * 50) each printing the whole object, so ~0.8 MB of variables gave a 32 MB response. The printed
 * value is now bounded; small values still print in full (test_inspect). */
static void test_inspect_bounded(void **state) {
    (void)state;
    gql_val m = gql_map(arena, 5000);
    for (int i = 0; i < 5000; i++)
        gql_map_set(arena, &m, arena_printf(arena, "key%d", i), gql_int(i));
    const char *s = gql_inspect(arena, &m);
    assert_true(strlen(s) < 2048);
    assert_non_null(strstr(s, "{ key0: 0, key1: 1, "));
    assert_non_null(strstr(s, " more keys }"));

    /* A long string is cut on a UTF-8 boundary ("é" is 2 bytes, so 1024 is mid-character). */
    buf_t b = BUF_INIT;
    buf_putc(&b, 'x');
    for (int i = 0; i < 3000; i++)
        buf_puts(&b, "\xc3\xa9");
    gql_val str = gql_strn(b.data, b.len);
    s = gql_inspect(arena, &str);
    buf_free(&b);
    assert_true(strlen(s) < 1100);
    assert_true(utf8_valid(s, strlen(s), NULL));
    assert_int_equal(strncmp(s + strlen(s) - 4, "...\"", 4), 0);

    size_t nerrors = 0;
    gql_val v;
    buf_t j = BUF_INIT;
    buf_puts(&j, "{\"p\": {\"x\": 1");
    for (int i = 0; i < 20000; i++)
        buf_printf(&j, ", \"unknown%d\": %d", i, i);
    buf_puts(&j, "}}");
    const char *msg = coerce_vars("query($p: Point) { f(n: 1) }", buf_cstr(&j), &v, &nerrors);
    buf_free(&j);
    assert_int_equal(nerrors, 50); /* MAX_VARIABLE_ERRORS */
    assert_true(strlen(msg) < 2048);
    assert_non_null(strstr(msg, "Field \"unknown0\" is not defined by type \"Point\"."));
}

/* Regression: converting a JSON object checked every key against all earlier ones, so a
 * variables object of 60 000 keys (under 1 MB) held a worker for half a minute. */
static void test_from_json_many_keys(void **state) {
    (void)state;
    json_t *o = json_object();
    char k[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(k, sizeof k, "k%d", i);
        json_object_set_new(o, k, json_integer(i));
    }
    clock_t t0 = clock();
    gql_val v = gql_val_from_json(arena, o);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    json_decref(o);
    assert_int_equal(v.kind, GQL_V_MAP);
    assert_int_equal(v.map.count, 100000);
    assert_int_equal(gql_map_get(&v, "k99999")->i, 99999);
    assert_int_equal(gql_map_get(&v, "k0")->i, 0);
    /* Quadratic work (5e9 string comparisons) takes a minute or more; linear work well under a second. */
    assert_true(secs < 10.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_variables_scalars, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_variables_null_absent_default, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_variables_lists, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_variables_input_objects, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_variables_one_of, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_value_from_ast, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_argument_values, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_js_numbers, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_inspect, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_inspect_bounded, per_test_setup, per_test_teardown),
        cmocka_unit_test_setup_teardown(test_from_json_many_keys, per_test_setup, per_test_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
