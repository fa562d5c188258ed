/* test_schema.c -- gql_schema_build (SDL -> schema, extensions, SDL rules), every validateSchema
 * check with graphql-js's message, and the lookups / type relations of definition.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/language/parser.h"
#include "graphql/type/introspection.h"
#include "graphql/type/scalars.h"
#include "graphql/type/schema.h"

static gql_schema *build(const char *sdl, gql_errors *e) {
    return gql_schema_build(&sdl, NULL, NULL, 1, e);
}

/* Builds sdl, expects failure with an error whose message is exactly msg. */
static void expect_error(const char *sdl, const char *msg) {
    arena_t *a = arena_new();
    gql_errors e;
    gql_errors_init(&e, a);
    gql_schema *s = build(sdl, &e);
    bool found = false;
    for (const gql_error *err = e.head; err; err = err->next)
        found = found || strcmp(err->message, msg) == 0;
    if (!found || s) {
        fprintf(stderr, "# SDL: %s\n# wanted: %s\n", sdl, msg);
        for (const gql_error *err = e.head; err; err = err->next)
            fprintf(stderr, "#   got: %s\n", err->message);
    }
    gql_schema_free(s);
    arena_free(a);
    assert_null(s);
    assert_true(found);
}

static gql_schema *expect_ok(const char *sdl, arena_t *a) {
    gql_errors e;
    gql_errors_init(&e, a);
    gql_schema *s = build(sdl, &e);
    for (const gql_error *err = e.head; err; err = err->next)
        fprintf(stderr, "# unexpected: %s\n", err->message);
    assert_non_null(s);
    return s;
}

/* ---- SDL rules (graphql-js validateSDL) ---- */

static void test_sdl_rules(void **state) {
    (void)state;
    expect_error("type Query { a: Int } type Query { b: Int }", "There can be only one type named \"Query\".");
    expect_error("schema { query: Query } schema { query: Query } type Query { a: Int }",
                 "Must provide only one schema definition.");
    expect_error("schema { query: Query query: Query } type Query { a: Int }",
                 "There can be only one query type in schema.");
    expect_error("type Query { a: Int } schema { query: Query } extend schema { query: Query }",
                 "There can be only one query type in schema.");
    expect_error("type Query { a: Int a: String }", "Field \"Query.a\" can only be defined once.");
    expect_error("type Query { a: Int } extend type Query { a: Int }", "Field \"Query.a\" can only be defined once.");
    expect_error("type Query { a: Int } input I { x: Int x: Int }", "Field \"I.x\" can only be defined once.");
    expect_error("type Query { a(x: Int, x: Int): Int }", "Argument \"Query.a(x:)\" can only be defined once.");
    expect_error("type Query { a: Int } directive @d(x: Int, x: Int) on FIELD",
                 "Argument \"@d(x:)\" can only be defined once.");
    expect_error("type Query { a: Int } enum E { A A }", "Enum value \"E.A\" can only be defined once.");
    expect_error("type Query { a: Int } enum E { A } extend enum E { A }",
                 "Enum value \"E.A\" can only be defined once.");
    expect_error("type Query { a: Int } directive @d on FIELD directive @d on FIELD",
                 "There can be only one directive named \"@d\".");
    expect_error("type Query { a: Foo }", "Unknown type \"Foo\".");
    expect_error("type Query { a(x: [Foo!]): Int }", "Unknown type \"Foo\".");
    expect_error("type Query { a: Int } union U = Query | Foo", "Unknown type \"Foo\".");
    expect_error("type Query implements Foo { a: Int }", "Unknown type \"Foo\".");
    expect_error("schema { query: Foo } type Query { a: Int }", "Unknown type \"Foo\".");
    expect_error("type Query { a: Int } extend type X { a: Int }",
                 "Cannot extend type \"X\" because it is not defined.");
    expect_error("type Query { a: Int } extend type __Type { x: Int }",
                 "Cannot extend type \"__Type\" because it is not defined.");
    expect_error("type Query { a: Int } enum E { A } extend type E { a: Int }", "Cannot extend non-object type \"E\".");
    expect_error("type Query { a: Int } extend input Query { a: Int }",
                 "Cannot extend non-input object type \"Query\".");
    expect_error("type Query { a: Int @foo }", "Unknown directive \"@foo\".");
    expect_error("type Query @deprecated { a: Int }", "Directive \"@deprecated\" may not be used on OBJECT.");
    expect_error("type Query { a: Int } directive @d on OBJECT type X @d @d { a: Int }",
                 "The directive \"@d\" can only be used once at this location.");
    expect_error("type Query { a: Int } directive @d on OBJECT type X @d { a: Int } extend type X @d",
                 "The directive \"@d\" can only be used once at this location.");
    expect_error("type Query { a: Int @deprecated(foo: 1) }", "Unknown argument \"foo\" on directive \"@deprecated\".");
    expect_error(
        "type Query { a: Int } scalar S @specifiedBy",
        "Directive \"@specifiedBy\" argument \"url\" of type \"String!\" is required, but it was not provided.");
    expect_error("type Query { a: Int @deprecated(reason: \"x\", reason: \"y\") }",
                 "There can be only one argument named \"reason\".");
    expect_error(
        "type Query { a(x: In = {a: 1, b: [{c: 1, c: 2}]}): Int } input In { a: Int b: [In2] } input In2 { c: Int }",
        "There can be only one input field named \"c\".");
    expect_error("type Query { a: Int } type __Schema { x: Int }",
                 "Schema must contain uniquely named types but contains multiple types named \"__Schema\".");
    expect_error("type Query { a: Int } query { a }", "The operation definition is not allowed in a schema document.");
    expect_error("type Query { a: Int", "Syntax Error: Expected Name, found <EOF>.");
}

static void test_repeatable_directive_ok(void **state) {
    (void)state;
    arena_t *a = arena_new();
    gql_schema *s = expect_ok("directive @d repeatable on OBJECT type Query @d @d { a: Int }", a);
    const gql_directive_def *d = gql_schema_directive(s, "d");
    assert_non_null(d);
    assert_true(d->repeatable);
    assert_int_equal(d->locations, GQL_DL_OBJECT);
    assert_false(d->builtin);
    gql_schema_free(s);
    arena_free(a);
}

/* ---- validateSchema ---- */

static void test_root_types(void **state) {
    (void)state;
    expect_error("type Foo { a: Int }", "Query root type must be provided.");
    expect_error("schema { mutation: M } type M { a: Int }", "Query root type must be provided.");
    expect_error("schema { query: Q } input Q { a: Int }", "Query root type must be Object type, it cannot be Q.");
    expect_error("type Query { a: Int } schema { query: Query mutation: M } scalar M",
                 "Mutation root type must be Object type if provided, it cannot be M.");
    expect_error("type Query { a: Int } schema { query: Query subscription: S } enum S { A }",
                 "Subscription root type must be Object type if provided, it cannot be S.");
    expect_error("type Query { a: Int } union Mutation = Query",
                 "Mutation root type must be Object type if provided, it cannot be Mutation.");
}

static void test_reserved_names(void **state) {
    (void)state;
    expect_error("type Query { a: Int } type __Foo { a: Int }",
                 "Name \"__Foo\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    expect_error("type Query { __a: Int }",
                 "Name \"__a\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    expect_error("type Query { a(__x: Int): Int }",
                 "Name \"__x\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    expect_error("type Query { a: Int } enum E { __A }",
                 "Name \"__A\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    expect_error("type Query { a: Int } input I { __f: Int }",
                 "Name \"__f\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    expect_error("type Query { a: Int } directive @__d on FIELD",
                 "Name \"__d\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    expect_error("type Query { a: Int } directive @d(__x: Int) on FIELD",
                 "Name \"__x\" must not begin with \"__\", which is reserved by GraphQL introspection.");
}

static void test_fields_and_args(void **state) {
    (void)state;
    expect_error("type Query { a: Int } type Empty", "Type Empty must define one or more fields.");
    expect_error("type Query { a: Int } interface Empty", "Type Empty must define one or more fields.");
    expect_error("type Query { a: In } input In { x: Int }", "The type of Query.a must be Output Type but got: In.");
    expect_error("type Query { a: [In!] } input In { x: Int }",
                 "The type of Query.a must be Output Type but got: [In!].");
    expect_error("type Query { a(x: Query): Int }", "The type of Query.a(x:) must be Input Type but got: Query.");
    expect_error("type Query { a(x: [Query]!): Int }", "The type of Query.a(x:) must be Input Type but got: [Query]!.");
    expect_error("type Query { a(x: Int! @deprecated): Int }", "Required argument Query.a(x:) cannot be deprecated.");
    expect_error("type Query { a: Int } directive @d(x: Query) on FIELD",
                 "The type of @d(x:) must be Input Type but got: Query.");
    expect_error("type Query { a: Int } directive @d(x: Int! @deprecated) on FIELD",
                 "Required argument @d(x:) cannot be deprecated.");
}

static void test_deprecated_with_default_ok(void **state) {
    (void)state;
    arena_t *a = arena_new();
    gql_schema *s = expect_ok("type Query { a(x: Int! = 1 @deprecated): Int }", a);
    const gql_field *f = gql_type_field(s->query, "a");
    assert_true(f->args[0]->deprecated);
    assert_string_equal(f->args[0]->deprecation_reason, "No longer supported");
    assert_non_null(f->args[0]->default_value);
    gql_schema_free(s);
    /* a default that does not coerce is dropped (graphql-js valueFromAST gives undefined) */
    s = expect_ok("type Query { a(x: Int = \"abc\", y: [Int] = 1, z: Int! = null): Int }", a);
    f = gql_type_field(s->query, "a");
    assert_null(f->args[0]->default_value);
    assert_non_null(f->args[1]->default_value);
    assert_null(f->args[2]->default_value);
    gql_schema_free(s);
    arena_free(a);
}

static void test_interfaces(void **state) {
    (void)state;
    expect_error("type Query implements Q2 { a: Int } type Q2 { a: Int }",
                 "Type Query must only implement Interface types, it cannot implement Q2.");
    expect_error("type Query { a: Int } interface I implements I { a: Int }",
                 "Type I cannot implement itself because it would create a circular reference.");
    expect_error("type Query implements I & I { a: Int } interface I { a: Int }",
                 "Type Query can only implement I once.");
    expect_error("type Query implements I { b: Int } interface I { a: Int }",
                 "Interface field I.a expected but Query does not provide it.");
    expect_error("type Query implements I { a: String } interface I { a: Int }",
                 "Interface field I.a expects type Int but Query.a is type String.");
    expect_error("type Query implements I { a: [Int] } interface I { a: Int }",
                 "Interface field I.a expects type Int but Query.a is type [Int].");
    expect_error("type Query implements I { a: Int } interface I { a: Int! }",
                 "Interface field I.a expects type Int! but Query.a is type Int.");
    expect_error("interface I { a(x: Int): Int } type Query implements I { a: Int }",
                 "Interface field argument I.a(x:) expected but Query.a does not provide it.");
    expect_error("interface I { a(x: Int): Int } type Query implements I { a(x: Int!): Int }",
                 "Interface field argument I.a(x:) expects type Int but Query.a(x:) is type Int!.");
    expect_error("interface I { a: Int } type Query implements I { a(y: Int!): Int }",
                 "Object field Query.a includes required argument y that is missing from the Interface field I.a.");
    expect_error("interface A { a: Int } interface B implements A { a: Int } type Query implements B { a: Int }",
                 "Type Query must implement A because it is implemented by B.");
    expect_error("interface A implements B { a: Int } interface B implements A { a: Int } type Query { a: Int }",
                 "Type A cannot implement B because it would create a circular reference.");
    expect_error("type Query { a: Int } type O implements U { a: Int } union U = Query",
                 "Type O must only implement Interface types, it cannot implement U.");
}

static void test_valid_implementations(void **state) {
    (void)state;
    arena_t *a = arena_new();
    gql_schema *s = expect_ok("interface Node { id: ID! }\n"
                              "interface Named implements Node { id: ID! name: String }\n"
                              "type Query implements Named & Node { id: ID! name: String! self(opt: Int): Query }\n"
                              "type Other implements Node { id: ID! }\n"
                              "interface Parent { child: Node }\n"
                              "type P implements Parent { child: Other }\n"
                              "union U = Query | Other\n",
                              a);
    gql_type *node = gql_schema_type(s, "Node"), *named = gql_schema_type(s, "Named");
    gql_type *q = gql_schema_type(s, "Query"), *other = gql_schema_type(s, "Other");
    gql_type *u = gql_schema_type(s, "U"), *p = gql_schema_type(s, "P");
    /* §4.2.1 possibleTypes: objects in definition order; interfaces tracked separately */
    assert_int_equal(node->npossible_types, 2);
    assert_ptr_equal(node->possible_types[0], q);
    assert_ptr_equal(node->possible_types[1], other);
    assert_int_equal(node->nimplementing_interfaces, 1);
    assert_ptr_equal(node->implementing_interfaces[0], named);
    assert_int_equal(named->npossible_types, 1);
    assert_int_equal(u->npossible_types, 2);
    assert_true(gql_is_possible_type(node, q));
    assert_false(gql_is_possible_type(named, other));
    assert_true(gql_is_possible_type(u, other));
    assert_false(gql_is_possible_type(u, p));
    /* isTypeSubTypeOf */
    assert_true(gql_is_subtype(s, q, node));
    assert_true(gql_is_subtype(s, named, node));
    assert_false(gql_is_subtype(s, node, named));
    assert_false(gql_is_subtype(s, p, node));
    assert_true(gql_is_subtype(s, q, u));
    /* doTypesOverlap */
    assert_true(gql_types_overlap(s, node, u));
    assert_true(gql_types_overlap(s, named, u));
    assert_true(gql_types_overlap(s, q, named));
    assert_false(gql_types_overlap(s, p, node));
    assert_false(gql_types_overlap(s, q, other));
    assert_true(gql_types_overlap(s, other, other));
    /* field lookups */
    const gql_field *f = gql_type_field(q, "self");
    assert_non_null(f);
    assert_ptr_equal(f->parent, q);
    assert_int_equal(f->nargs, 1);
    assert_null(gql_type_field(q, "nope"));
    assert_null(gql_type_field(u, "id"));
    assert_string_equal(gql_type_str(a, gql_type_field(q, "name")->type), "String!");
    gql_schema_free(s);
    arena_free(a);
}

static void test_unions_enums_inputs(void **state) {
    (void)state;
    expect_error("type Query { a: Int } union U", "Union type U must define one or more member types.");
    expect_error("type Query { a: Int } union U = Query | Query", "Union type U can only include type Query once.");
    expect_error("type Query { a: Int } union U = I interface I { a: Int }",
                 "Union type U can only include Object types, it cannot include I.");
    expect_error("type Query { a: Int } union U = Query extend union U = Query",
                 "Union type U can only include type Query once.");
    expect_error("type Query { a: Int } enum E", "Enum type E must define one or more values.");
    expect_error("type Query { a: Int } input I", "Input Object type I must define one or more fields.");
    expect_error("type Query { a: Int } input I { q: Query }", "The type of I.q must be Input Type but got: Query.");
    expect_error("type Query { a: Int } input I { a: Int! @deprecated }",
                 "Required input field I.a cannot be deprecated.");
    expect_error("type Query { a: Int } input I @oneOf { a: Int! b: Int }", "OneOf input field I.a must be nullable.");
    expect_error("type Query { a: Int } input I @oneOf { a: Int b: Int = 3 }",
                 "OneOf input field I.b cannot have a default value.");
    expect_error("type Query { a: Int } input I @oneOf { a: Int } extend input I { b: [Int]! }",
                 "OneOf input field I.b must be nullable.");
}

static void test_input_cycles(void **state) {
    (void)state;
    expect_error("type Query { a: Int } input A { self: A! }",
                 "Cannot reference Input Object \"A\" within itself through a series of non-null fields: \"self\".");
    expect_error("type Query { a: Int } input A { x: Int b: B! } input B { c: C! } input C { a: A! }",
                 "Cannot reference Input Object \"A\" within itself through a series of non-null fields: \"b.c.a\".");
    arena_t *a = arena_new();
    /* lists and nullable fields break the cycle (§3.10.1) */
    gql_schema *s = expect_ok("type Query { a(x: A): Int } input A { l: [A!]! n: A b: B! } input B { a: A }", a);
    gql_schema_free(s);
    arena_free(a);
}

/* ---- building ---- */

static void test_extensions_and_details(void **state) {
    (void)state;
    arena_t *a = arena_new();
    const char *src1 = "\"\"\"Entry points\"\"\"\n"
                       "type Query { a: Int \"the b\" b(x: Int = 3, c: Color = RED): String @deprecated }\n"
                       "extend type Query implements Node { id: ID! }\n"
                       "interface Node { id: ID! }\n"
                       "enum Color { RED GREEN @deprecated(reason: \"no green\") }\n";
    const char *src2 = "extend enum Color { BLUE }\n"
                       "extend type Query { c: Float }\n"
                       "input F @oneOf { a: Int }\n"
                       "extend input F { b: String }\n"
                       "input G { a: Int }\n"
                       "extend input G @oneOf\n" /* graphql-js: only the definition's @oneOf counts */
                       "scalar DateTime @specifiedBy(url: \"https://example.com/dt\")\n"
                       "scalar Stamp\n"
                       "extend scalar Stamp @specifiedBy(url: \"https://example.com/st\")\n"
                       "scalar Duration\nscalar JSON\nscalar Custom\nscalar String\n"
                       "type Mutation { m: Int }\n"
                       "extend schema @dummy\n"
                       "directive @dummy on SCHEMA\n";
    const char *srcs[] = {src1, src2};
    const char *names[] = {"one.graphql", "two.graphql"};
    gql_errors e;
    gql_errors_init(&e, a);
    gql_schema *s = gql_schema_build(srcs, NULL, names, 2, &e);
    for (const gql_error *err = e.head; err; err = err->next)
        fprintf(stderr, "# unexpected: %s\n", err->message);
    assert_non_null(s);
    gql_type *q = s->query;
    assert_string_equal(q->name, "Query");
    assert_string_equal(q->description, "Entry points");
    assert_non_null(s->mutation);
    assert_null(s->subscription);
    assert_int_equal(q->nfields, 4);
    assert_string_equal(q->fields[0]->name, "a");
    assert_string_equal(q->fields[2]->name, "id");
    assert_string_equal(q->fields[3]->name, "c");
    assert_int_equal(q->ninterfaces, 1);
    const gql_field *b = gql_type_field(q, "b");
    assert_string_equal(b->description, "the b");
    assert_true(b->deprecated);
    assert_string_equal(b->deprecation_reason, "No longer supported");
    assert_int_equal(b->args[0]->default_value->kind, GQL_VALUE_INT);
    assert_string_equal(b->args[0]->default_value->str, "3");
    assert_int_equal(b->args[1]->default_value->kind, GQL_VALUE_ENUM);
    gql_type *color = gql_schema_type(s, "Color");
    assert_int_equal(color->nenum_values, 3);
    assert_string_equal(color->enum_values[2]->name, "BLUE");
    assert_true(color->enum_values[1]->deprecated);
    assert_string_equal(color->enum_values[1]->deprecation_reason, "no green");
    gql_type *f = gql_schema_type(s, "F");
    assert_true(f->one_of);
    assert_int_equal(f->ninput_fields, 2);
    assert_false(gql_schema_type(s, "G")->one_of);
    assert_null(gql_schema_type(s, "Stamp")->specified_by_url);
    gql_type *dt = gql_schema_type(s, "DateTime");
    assert_string_equal(dt->specified_by_url, "https://example.com/dt");
    assert_ptr_equal(dt->scalar, &gql_scalar_datetime);
    assert_ptr_equal(gql_schema_type(s, "Duration")->scalar, &gql_scalar_duration);
    assert_ptr_equal(gql_schema_type(s, "JSON")->scalar, &gql_scalar_json);
    assert_non_null(gql_schema_type(s, "Custom")->scalar);
    /* `scalar String` is the standard String */
    assert_ptr_equal(gql_schema_type(s, "String"), s->t_string);
    assert_true(s->t_string->builtin);
    assert_ptr_equal(s->t_string->scalar, &gql_scalar_string);
    /* Float is referenced (Query.c), ID too; introspection types are present */
    assert_non_null(gql_schema_type(s, "Float"));
    assert_non_null(gql_schema_type(s, "__Schema"));
    assert_true(gql_is_introspection_type(gql_schema_type(s, "__Type")));
    assert_false(gql_is_introspection_type(q));
    /* built-in directives first */
    assert_string_equal(s->directives[0]->name, "include");
    assert_true(s->directives[0]->builtin);
    assert_non_null(gql_schema_directive(s, "oneOf"));
    assert_non_null(gql_schema_directive(s, "dummy"));
    assert_null(gql_schema_directive(s, "nope"));
    assert_int_equal(s->nsources, 2);
    gql_schema_free(s);

    /* unreferenced standard scalars are not part of the schema (graphql-js) */
    s = expect_ok("type Query { a: String }", a);
    assert_null(gql_schema_type(s, "Float"));
    assert_null(gql_schema_type(s, "ID"));
    assert_non_null(gql_schema_type(s, "Boolean"));
    for (size_t i = 0; i < s->ntypes; i++)
        assert_ptr_equal(gql_schema_type(s, s->type_list[i]->name), s->type_list[i]);
    assert_string_equal(s->type_list[0]->name, "Query");
    gql_schema_free(s);

    /* validation errors are labelled with the source of the definition they concern */
    gql_errors_init(&e, a);
    srcs[0] = "type Query { a: Int }";
    srcs[1] = "input A { self: A! }\ntype B implements Q2 { a: Int }\ntype Q2 { a: Int }";
    s = gql_schema_build(srcs, NULL, names, 2, &e);
    assert_null(s);
    assert_int_equal(e.count, 2);
    assert_string_equal(e.tail->message,
                        "two.graphql: Type B must only implement Interface types, it cannot implement Q2.");
    assert_string_equal(e.head->message, "two.graphql: Cannot reference Input Object \"A\" within itself through a "
                                         "series of non-null fields: \"self\".");

    /* errors carry the source name and location */
    gql_errors_init(&e, a);
    srcs[0] = "type Query { a: Int }";
    srcs[1] = "\n  extend type Nope { b: Int }";
    s = gql_schema_build(srcs, NULL, names, 2, &e);
    assert_null(s);
    assert_int_equal(e.count, 1);
    assert_string_equal(e.head->message, "two.graphql: Cannot extend type \"Nope\" because it is not defined.");
    assert_int_equal(e.head->nlocations, 1);
    assert_int_equal(e.head->locations[0].line, 2);
    assert_int_equal(e.head->locations[0].column, 15);
    arena_free(a);
}

static void test_schema_definition_roots(void **state) {
    (void)state;
    arena_t *a = arena_new();
    gql_schema *s = expect_ok("\"desc\" schema { query: Q mutation: M } type Q { a: Int } type M { b: Int }"
                              " type Query { c: Int } extend schema { subscription: S } type S { d: Int }",
                              a);
    assert_string_equal(s->query->name, "Q");
    assert_string_equal(s->mutation->name, "M");
    assert_string_equal(s->subscription->name, "S");
    assert_string_equal(s->description, "desc");
    gql_schema_free(s);
    arena_free(a);
}

static int dummy_resolve(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args;
    *out = gql_int(1);
    return gql_resolver_error(info, GQL_CODE_FORBIDDEN, "no access to %s", "x");
}

static const gql_type *dummy_type_resolver(const gql_val *value, gql_resolve_info *info) {
    (void)value, (void)info;
    return NULL;
}

static void test_binding(void **state) {
    (void)state;
    arena_t *a = arena_new();
    gql_schema *s = expect_ok("type Query { a: Int b: U } union U = Query scalar Money", a);
    char err[128];
    int marker;
    assert_int_equal(gql_schema_bind(s, "Query.a", dummy_resolve, &marker, err, sizeof err), 0);
    const gql_field *f = gql_type_field(s->query, "a");
    assert_ptr_equal(f->resolve, dummy_resolve);
    assert_ptr_equal(f->resolve_data, &marker);
    assert_int_equal(gql_schema_bind(s, "Query.zz", dummy_resolve, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "Query.zz"));
    assert_int_equal(gql_schema_bind(s, "Nope.a", dummy_resolve, NULL, err, sizeof err), -1);
    assert_int_equal(gql_schema_bind(s, "Query", dummy_resolve, NULL, err, sizeof err), -1);
    gql_binding table[] = {{"Query.b", dummy_resolve, NULL}, {"Query.c", dummy_resolve, NULL}};
    assert_int_equal(gql_schema_bind_all(s, table, 1, err, sizeof err), 0);
    assert_int_equal(gql_schema_bind_all(s, table, 2, err, sizeof err), -1);
    /* The start-up check: Query.a and Query.b are bound, so every field is; a new object type's
     * unbound field is named, and an explicit property binding (GQL_BIND_PROPERTY) counts. */
    size_t unbound = 99;
    assert_int_equal(gql_schema_check_bound(s, &unbound, err, sizeof err), 0);
    assert_int_equal(unbound, 0);
    gql_schema *s2 = expect_ok("type Query { a: Int t: T } type T { x: Int y: Int }", a);
    assert_int_equal(gql_schema_check_bound(s2, &unbound, err, sizeof err), -1);
    assert_int_equal(unbound, 4);
    assert_string_equal(err, "Query.a has no resolver");
    gql_binding t2[] = {{"Query.a", dummy_resolve, NULL}, {"Query.t", dummy_resolve, &marker},
                        GQL_BIND_PROPERTY("T.x")};
    assert_int_equal(gql_schema_bind_all(s2, t2, 3, err, sizeof err), 0);
    assert_ptr_equal(gql_type_field(s2->query, "t")->resolve_data, &marker);
    assert_int_equal(gql_schema_check_bound(s2, &unbound, err, sizeof err), -1);
    assert_int_equal(unbound, 1);
    assert_string_equal(err, "T.y has no resolver");
    gql_schema_free(s2);
    assert_int_equal(gql_schema_set_type_resolver(s, "U", dummy_type_resolver), 0);
    assert_ptr_equal(gql_schema_type(s, "U")->resolve_type, dummy_type_resolver);
    assert_int_equal(gql_schema_set_type_resolver(s, "Query", dummy_type_resolver), -1);
    assert_int_equal(gql_schema_set_scalar(s, "Money", &gql_scalar_float), 0);
    assert_ptr_equal(gql_schema_type(s, "Money")->scalar, &gql_scalar_float);
    assert_int_equal(gql_schema_set_scalar(s, "Query", &gql_scalar_float), -1);

    gql_resolve_info info = {.arena = a};
    gql_val out;
    assert_int_equal(dummy_resolve(&info, NULL, NULL, &out), -1);
    assert_string_equal(info.error_message, "no access to x");
    assert_string_equal(info.error_code, GQL_CODE_FORBIDDEN);
    gql_schema_free(s);
    arena_free(a);
}

static void test_type_from_ast(void **state) {
    (void)state;
    arena_t *a = arena_new();
    gql_schema *s = expect_ok("type Query { a(x: [Int!]!): Int }", a);
    gql_errors e;
    gql_errors_init(&e, a);
    const char *q = "query($v: [Int!]!, $w: Nope, $z: [[String]]) { a }";
    gql_document *doc = gql_parse(a, q, strlen(q), NULL, &e);
    assert_non_null(doc);
    gql_definition *op = doc->defs[0];
    gql_type *t = gql_type_from_ast(s, a, op->vars[0]->type);
    assert_non_null(t);
    assert_int_equal(t->kind, GQL_NON_NULL);
    assert_string_equal(gql_type_str(a, t), "[Int!]!");
    assert_true(gql_type_equal(t, gql_type_field(s->query, "a")->args[0]->type));
    assert_false(gql_type_equal(t, t->of_type));
    assert_true(gql_is_input_type(t));
    assert_false(gql_is_leaf_type(t));
    assert_true(gql_is_leaf_type(gql_named_type(t)));
    assert_null(gql_type_from_ast(s, a, op->vars[1]->type));
    assert_string_equal(gql_type_str(a, gql_type_from_ast(s, a, op->vars[2]->type)), "[[String]]");
    assert_true(gql_is_composite_type(s->query));
    assert_false(gql_is_abstract_type(s->query));
    assert_false(gql_is_input_type(s->query));
    assert_true(gql_is_output_type(s->query));
    assert_true(gql_is_output_type(t));
    gql_schema_free(s);
    arena_free(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdl_rules),
        cmocka_unit_test(test_repeatable_directive_ok),
        cmocka_unit_test(test_root_types),
        cmocka_unit_test(test_reserved_names),
        cmocka_unit_test(test_fields_and_args),
        cmocka_unit_test(test_deprecated_with_default_ok),
        cmocka_unit_test(test_interfaces),
        cmocka_unit_test(test_valid_implementations),
        cmocka_unit_test(test_unions_enums_inputs),
        cmocka_unit_test(test_input_cycles),
        cmocka_unit_test(test_extensions_and_details),
        cmocka_unit_test(test_schema_definition_roots),
        cmocka_unit_test(test_binding),
        cmocka_unit_test(test_type_from_ast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
