/* test_execute.c -- unit tests for execution (src/graphql/execution/execute.c, spec §6) and the
 * engine facade (src/graphql/graphql.c): small SDL schemas with C resolvers, documents run end to
 * end, and the exact JSON responses compared with what graphql-js produces. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/execution/execute.h"
#include "graphql/graphql.h"
#include "graphql/language/parser.h"

static const char *SDL =
    "interface Node { id: ID! }\n"
    "type User implements Node { id: ID! name: String age: Int friends: [User!] bestFriend: User! }\n"
    "type Post implements Node { id: ID! title: String! }\n"
    "union SearchResult = User | Post\n"
    "enum Role { ADMIN USER }\n"
    "input Filter @oneOf { id: ID name: String }\n"
    "input Range { from: Int! to: Int = 10 }\n"
    "type Outer { inner: Inner! }\n"
    "type Inner { value: String! }\n"
    "type Query {\n"
    "  user(id: ID!): User\n"
    "  node(id: ID!): Node\n"
    "  search: [SearchResult]\n"
    "  hello(name: String = \"world\"): String\n"
    "  fail: String\n"
    "  failCode: String\n"
    "  failNonNull: String!\n"
    "  outer: Outer\n"
    "  listNonNull: [Int!]\n"
    "  listNullable: [Int]\n"
    "  notAList: [Int]\n"
    "  role: Role\n"
    "  roles: [Role!]!\n"
    "  badRole: Role\n"
    "  sum(xs: [Int!]!): Int\n"
    "  find(by: Filter!): String\n"
    "  range(r: Range!): String\n"
    "  float: Float\n"
    "  floats: [Float]\n"
    "  big: Int\n"
    "  idNum: ID\n"
    "  str: String\n"
    "}\n"
    "type Mutation { inc(by: Int = 1): Int! log: [Int!]! }\n";

static gql_schema *schema;
static arena_t *arena;

/* A domain object handed to child resolvers as GQL_V_OBJECT. */
typedef struct {
    const char *id;
    const char *name;
} user_rec;

static const user_rec ANN = {"1", "Ann"};

static gql_val user_map(arena_t *a, const char *id, const char *name) {
    gql_val m = gql_map(a, 4);
    gql_map_set(a, &m, "id", gql_str(id));
    gql_map_set(a, &m, "name", gql_str(name));
    gql_map_set(a, &m, "age", gql_int(30));
    return m;
}

static int r_user(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    const char *id = gql_arg_str(args, "id");
    if (strcmp(id, "404") == 0) {
        *out = gql_null();
        return 0;
    }
    if (strcmp(id, "obj") == 0) {
        *out = gql_object((void *)&ANN, gql_schema_type(info->schema, "User"));
        return 0;
    }
    gql_val m = user_map(info->arena, id, "Ann");
    gql_val friends = gql_list(info->arena, 2);
    friends.list.items[0] = user_map(info->arena, "2", "Bob");
    friends.list.items[1] = user_map(info->arena, "3", "Cy");
    gql_map_set(info->arena, &m, "friends", friends);
    *out = m;
    return 0;
}

/* User.name / User.id: from a C struct (GQL_V_OBJECT) or a map. */
static int r_user_name(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)args;
    if (parent->kind == GQL_V_OBJECT) {
        *out = gql_str(((const user_rec *)parent->obj.ptr)->name);
        return 0;
    }
    const gql_val *v = gql_map_get(parent, info->field->name);
    *out = v ? *v : gql_null();
    return 0;
}

static int r_user_id(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    if (parent->kind == GQL_V_OBJECT) {
        *out = gql_str(((const user_rec *)parent->obj.ptr)->id);
        return 0;
    }
    return r_user_name(info, parent, args, out);
}

static int r_best_friend(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_null(); /* violates User.bestFriend: User! */
    return 0;
}

static int r_node(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    const char *id = gql_arg_str(args, "id");
    gql_val m = gql_map(info->arena, 3);
    gql_map_set(info->arena, &m, "id", gql_str(id));
    if (strcmp(id, "p1") == 0) {
        gql_map_set(info->arena, &m, "__typename", gql_str("Post"));
        gql_map_set(info->arena, &m, "title", gql_str("Hello"));
    } else if (strcmp(id, "bad") == 0) {
        gql_map_set(info->arena, &m, "__typename", gql_str("Nope"));
    } else if (strcmp(id, "role") == 0) {
        gql_map_set(info->arena, &m, "__typename", gql_str("Role"));
    } else if (strcmp(id, "none") != 0) {
        gql_map_set(info->arena, &m, "__typename", gql_str("User"));
        gql_map_set(info->arena, &m, "name", gql_str("Ann"));
    }
    *out = m;
    return 0;
}

/* SearchResult's resolveType: used for values carrying no type of their own. */
static const gql_type *resolve_search(const gql_val *value, gql_resolve_info *info) {
    return gql_map_get(value, "title") ? gql_schema_type(info->schema, "Post") : NULL;
}

static int r_search(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args;
    gql_val l = gql_list(info->arena, 3);
    l.list.items[0] = gql_object((void *)&ANN, gql_schema_type(info->schema, "User"));
    gql_val p = gql_map(info->arena, 3);
    gql_map_set(info->arena, &p, "__typename", gql_str("Post"));
    gql_map_set(info->arena, &p, "id", gql_str("p1"));
    gql_map_set(info->arena, &p, "title", gql_str("First"));
    l.list.items[1] = p;
    gql_val q = gql_map(info->arena, 2);
    gql_map_set(info->arena, &q, "id", gql_str("p2"));
    gql_map_set(info->arena, &q, "title", gql_str("Second"));
    l.list.items[2] = q; /* no __typename: resolved by resolve_search */
    *out = l;
    return 0;
}

static int r_hello(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    const char *name = gql_arg_str(args, "name");
    *out = gql_str(arena_printf(info->arena, "hello %s", name ? name : "(null)"));
    return 0;
}

static int r_fail(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args, (void)out;
    return -1; /* an unexpected failure: no message chosen */
}

static int r_fail_code(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args, (void)out;
    return gql_resolver_error(info, GQL_CODE_FORBIDDEN, "not allowed to read %s", info->field->name);
}

static int r_null(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_null();
    return 0;
}

static int r_outer(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args;
    gql_val inner = gql_map(info->arena, 1); /* no "value": Inner.value: String! becomes null */
    gql_val o = gql_map(info->arena, 1);
    gql_map_set(info->arena, &o, "inner", inner);
    *out = o;
    return 0;
}

static int r_list_non_null(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args;
    gql_val l = gql_list(info->arena, 3);
    l.list.items[0] = gql_int(1);
    l.list.items[2] = gql_int(3);
    *out = l;
    return 0;
}

static int r_list_nullable(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args;
    gql_val l = gql_list(info->arena, 3);
    l.list.items[0] = gql_int(1);
    l.list.items[1] = gql_str("x");
    l.list.items[2] = gql_float(3.0);
    *out = l;
    return 0;
}

static int r_int7(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_int(7);
    return 0;
}

static int r_role(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_enum("ADMIN");
    return 0;
}

static int r_roles(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args;
    gql_val l = gql_list(info->arena, 2);
    l.list.items[0] = gql_str("USER"); /* a plain string naming the value serializes too */
    l.list.items[1] = gql_enum("ADMIN");
    *out = l;
    return 0;
}

static int r_bad_role(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_str("ROOT");
    return 0;
}

static int r_sum(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent;
    const gql_val *xs = gql_map_get(args, "xs");
    int64_t s = 0;
    for (size_t i = 0; i < xs->list.count; i++)
        s += xs->list.items[i].i;
    *out = gql_int(s);
    return 0;
}

static int r_find(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    const gql_val *by = gql_map_get(args, "by");
    *out = gql_str(arena_printf(info->arena, "%s=%s", by->map.keys[0], by->map.vals[0].s.ptr));
    return 0;
}

static int r_range(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent;
    const gql_val *r = gql_map_get(args, "r");
    *out = gql_str(arena_printf(info->arena, "%lld..%lld", (long long)gql_map_get(r, "from")->i,
                                (long long)gql_map_get(r, "to")->i));
    return 0;
}

static int r_float(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_float(1.0);
    return 0;
}

static int r_floats(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args;
    gql_val l = gql_list(info->arena, 4);
    l.list.items[0] = gql_float(0.1);
    l.list.items[1] = gql_int(2);
    l.list.items[2] = gql_float(1e21);
    l.list.items[3] = gql_str("2.5");
    *out = l;
    return 0;
}

static int r_big(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_int(3000000000LL);
    return 0;
}

static int r_str(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent, (void)args;
    *out = gql_float(2.5); /* String serializes numbers as JavaScript prints them */
    return 0;
}

static int counter;
static int order[8];
static int norder;

static int r_inc(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)info, (void)parent;
    int64_t by = 0;
    assert_true(gql_arg_int(args, "by", &by));
    counter += (int)by;
    if (norder < 8) order[norder++] = counter;
    *out = gql_int(counter);
    return 0;
}

static int r_log(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out) {
    (void)parent, (void)args;
    gql_val l = gql_list(info->arena, (size_t)norder);
    for (int i = 0; i < norder; i++)
        l.list.items[i] = gql_int(order[i]);
    *out = l;
    return 0;
}

static const gql_binding BINDINGS[] = {
    {"Query.user", r_user, NULL},
    {"Query.node", r_node, NULL},
    {"Query.search", r_search, NULL},
    {"Query.hello", r_hello, NULL},
    {"Query.fail", r_fail, NULL},
    {"Query.failCode", r_fail_code, NULL},
    {"Query.failNonNull", r_null, NULL},
    {"Query.outer", r_outer, NULL},
    {"Query.listNonNull", r_list_non_null, NULL},
    {"Query.listNullable", r_list_nullable, NULL},
    {"Query.notAList", r_int7, NULL},
    {"Query.role", r_role, NULL},
    {"Query.roles", r_roles, NULL},
    {"Query.badRole", r_bad_role, NULL},
    {"Query.sum", r_sum, NULL},
    {"Query.find", r_find, NULL},
    {"Query.range", r_range, NULL},
    {"Query.float", r_float, NULL},
    {"Query.floats", r_floats, NULL},
    {"Query.big", r_big, NULL},
    {"Query.idNum", r_int7, NULL},
    {"Query.str", r_str, NULL},
    {"User.name", r_user_name, NULL},
    {"User.id", r_user_id, NULL},
    {"User.bestFriend", r_best_friend, NULL},
    {"Mutation.inc", r_inc, NULL},
    {"Mutation.log", r_log, NULL},
};

static gql_schema *build_schema(void) {
    arena_t *ea = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, ea);
    size_t len = strlen(SDL);
    const char *name = "test";
    gql_schema *s = gql_schema_build(&SDL, &len, &name, 1, &errs);
    if (!s && errs.head) fprintf(stderr, "schema: %s\n", errs.head->message);
    arena_free(ea);
    if (!s) return NULL;
    char err[256];
    if (gql_schema_bind_all(s, BINDINGS, sizeof BINDINGS / sizeof BINDINGS[0], err, sizeof err)) {
        fprintf(stderr, "bind: %s\n", err);
        gql_schema_free(s);
        return NULL;
    }
    gql_schema_set_type_resolver(s, "SearchResult", resolve_search);
    return s;
}

static int setup(void **state) {
    (void)state;
    schema = build_schema();
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
    counter = 0;
    norder = 0;
    return 0;
}

static int per_test_teardown(void **state) {
    (void)state;
    arena_free(arena);
    return 0;
}

/* Parses and executes (no validation) and returns the response text. */
static const char *exec_ex(const char *query, const char *vars_json, const char *op_name, gql_exec_status *st) {
    gql_errors errs;
    gql_errors_init(&errs, arena);
    gql_document *doc = gql_parse(arena, query, strlen(query), NULL, &errs);
    if (!doc) fail_msg("parse: %s", errs.head->message);
    json_t *vars = vars_json ? json_loads(vars_json, 0, NULL) : NULL;
    gql_exec_params p = {.schema = schema,
                         .document = doc,
                         .operation_name = op_name,
                         .variables = vars,
                         .context = NULL,
                         .arena = arena};
    buf_t out = BUF_INIT;
    gql_exec_status s = gql_execute(&p, &out);
    if (st) *st = s;
    json_decref(vars);
    /* the response is always one well-formed JSON object */
    json_error_t jerr;
    json_t *check = json_loads(buf_cstr(&out), 0, &jerr);
    if (!check) fail_msg("invalid JSON %s: %s", buf_cstr(&out), jerr.text);
    json_decref(check);
    const char *r = arena_strdup(arena, buf_cstr(&out));
    buf_free(&out);
    return r;
}

static const char *exec_q(const char *query, const char *vars_json) {
    gql_exec_status st;
    const char *r = exec_ex(query, vars_json, NULL, &st);
    assert_int_equal(st, GQL_EXEC_OK);
    return r;
}

static void test_basic_aliases_defaults(void **state) {
    (void)state;
    assert_string_equal(exec_q("{ hello a: hello(name: \"Bob\") b: hello(name: null) }", NULL),
                        "{\"data\":{\"hello\":\"hello world\",\"a\":\"hello Bob\",\"b\":\"hello (null)\"}}");
    assert_string_equal(exec_q("{ user(id: \"1\") { id name age friends { name } } }", NULL),
                        "{\"data\":{\"user\":{\"id\":\"1\",\"name\":\"Ann\",\"age\":30,\"friends\":[{\"name\":\"Bob\"},"
                        "{\"name\":\"Cy\"}]}}}");
    assert_string_equal(exec_q("{ user(id: \"404\") { id } }", NULL), "{\"data\":{\"user\":null}}");
    /* a domain object (GQL_V_OBJECT) with its own resolvers; missing map keys give null */
    assert_string_equal(exec_q("{ user(id: \"obj\") { id name age } }", NULL),
                        "{\"data\":{\"user\":{\"id\":\"1\",\"name\":\"Ann\",\"age\":null}}}");
}

static void test_fragments_and_order(void **state) {
    (void)state;
    /* response keys follow the first occurrence in request order; fields merge (§6.3.2) */
    assert_string_equal(exec_q("{ user(id: \"1\") { name ...F id ... on User { age friends { id } } ... { name } } }"
                               " fragment F on User { age name friends { name } }",
                               NULL),
                        "{\"data\":{\"user\":{\"name\":\"Ann\",\"age\":30,\"friends\":[{\"name\":\"Bob\",\"id\":\"2\"},"
                        "{\"name\":\"Cy\",\"id\":\"3\"}],\"id\":\"1\"}}}");
    /* a fragment on another type does not apply */
    assert_string_equal(exec_q("{ node(id: \"p1\") { id ... on User { name } ... on Post { title } } }", NULL),
                        "{\"data\":{\"node\":{\"id\":\"p1\",\"title\":\"Hello\"}}}");
}

static void test_skip_include(void **state) {
    (void)state;
    const char *q = "query($s: Boolean!, $i: Boolean = true) { a: hello @skip(if: $s) b: hello @include(if: $i) "
                    "c: hello @skip(if: false) @include(if: $s) ... @include(if: $s) { d: hello } "
                    "...F @skip(if: true) } fragment F on Query { e: hello }";
    assert_string_equal(exec_q(q, "{\"s\": true}"),
                        "{\"data\":{\"b\":\"hello world\",\"c\":\"hello world\",\"d\":\"hello world\"}}");
    assert_string_equal(exec_q(q, "{\"s\": false, \"i\": false}"), "{\"data\":{\"a\":\"hello world\"}}");
}

static void test_abstract_types(void **state) {
    (void)state;
    assert_string_equal(
        exec_q("{ search { __typename ... on User { name } ... on Post { id title } } }", NULL),
        "{\"data\":{\"search\":[{\"__typename\":\"User\",\"name\":\"Ann\"},{\"__typename\":\"Post\","
        "\"id\":\"p1\",\"title\":\"First\"},{\"__typename\":\"Post\",\"id\":\"p2\",\"title\":\"Second\"}]}}");
    assert_string_equal(exec_q("{ node(id: \"u1\") { __typename id ... on User { name } } }", NULL),
                        "{\"data\":{\"node\":{\"__typename\":\"User\",\"id\":\"u1\",\"name\":\"Ann\"}}}");
    assert_string_equal(
        exec_q("{ node(id: \"none\") { id } }", NULL),
        "{\"errors\":[{\"message\":\"Abstract type \\\"Node\\\" must resolve to an Object type at runtime for field "
        "\\\"Query.node\\\". Either the \\\"Node\\\" type should provide a \\\"resolveType\\\" function or each "
        "possible "
        "type should provide an \\\"isTypeOf\\\" "
        "function.\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"node\"],"
        "\"extensions\":{\"code\":\"INTERNAL\"}}],\"data\":{\"node\":null}}");
    assert_string_equal(
        exec_q("{ node(id: \"bad\") { id } }", NULL),
        "{\"errors\":[{\"message\":\"Abstract type \\\"Node\\\" was resolved to a type \\\"Nope\\\" that "
        "does not exist inside the schema.\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"node\"],"
        "\"extensions\":{\"code\":\"INTERNAL\"}}],\"data\":{\"node\":null}}");
    const char *r = exec_q("{ node(id: \"role\") { id } }", NULL);
    assert_non_null(strstr(r, "\"data\":{\"node\":null}"));
    assert_non_null(strstr(r, "Abstract type \\\"Node\\\" was resolved to a non-object type \\\"Role\\\"."));
}

static void test_null_propagation(void **state) {
    (void)state;
    /* Inner.value: String! -> Outer.inner: Inner! -> Query.outer (nullable) becomes null */
    assert_string_equal(
        exec_q("{ hello outer { inner { value } } }", NULL),
        "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Inner.value.\","
        "\"locations\":[{\"line\":1,\"column\":25}],\"path\":[\"outer\",\"inner\",\"value\"],"
        "\"extensions\":{\"code\":\"INTERNAL\"}}],\"data\":{\"hello\":\"hello world\",\"outer\":null}}");
    /* a non-null root field nulls the whole data */
    assert_string_equal(exec_q("{ hello failNonNull }", NULL),
                        "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Query.failNonNull.\","
                        "\"locations\":[{\"line\":1,\"column\":9}],\"path\":[\"failNonNull\"],\"extensions\":{\"code\":"
                        "\"INTERNAL\"}}],\"data\":null}");
    /* [Int!]: a null item nulls the list; [Int]: a bad item is null on its own */
    assert_string_equal(
        exec_q("{ listNonNull listNullable }", NULL),
        "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Query.listNonNull.\","
        "\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"listNonNull\",1],\"extensions\":{\"code\":"
        "\"INTERNAL\"}},{\"message\":\"Int cannot represent non-integer value: \\\"x\\\"\",\"locations\":"
        "[{\"line\":1,\"column\":15}],\"path\":[\"listNullable\",1],\"extensions\":{\"code\":\"INTERNAL\"}}],"
        "\"data\":{\"listNonNull\":null,\"listNullable\":[1,null,3]}}");
    /* User.bestFriend: User! inside a [User!] list item: the item, then the list, then user become null */
    assert_string_equal(
        exec_q("{ user(id: \"1\") { name friends { bestFriend { name } } } }", NULL),
        "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field User.bestFriend.\","
        "\"locations\":[{\"line\":1,\"column\":34}],\"path\":[\"user\",\"friends\",0,\"bestFriend\"],"
        "\"extensions\":{\"code\":\"INTERNAL\"}}],\"data\":{\"user\":{\"name\":\"Ann\",\"friends\":null}}}");
    assert_string_equal(exec_q("{ notAList }", NULL),
                        "{\"errors\":[{\"message\":\"Expected Iterable, but did not find one for field "
                        "\\\"Query.notAList\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"notAList\"],"
                        "\"extensions\":{\"code\":\"INTERNAL\"}}],\"data\":{\"notAList\":null}}");
}

static void test_resolver_errors(void **state) {
    (void)state;
    assert_string_equal(
        exec_q("{ a: failCode hello\n  b: fail }", NULL),
        "{\"errors\":[{\"message\":\"not allowed to read failCode\",\"locations\":[{\"line\":1,"
        "\"column\":3}],\"path\":[\"a\"],\"extensions\":{\"code\":\"FORBIDDEN\"}},{\"message\":"
        "\"Unexpected error resolving field \\\"Query.fail\\\".\",\"locations\":[{\"line\":2,\"column\":3}],"
        "\"path\":[\"b\"],\"extensions\":{\"code\":\"INTERNAL\"}}],\"data\":{\"a\":null,\"hello\":"
        "\"hello world\",\"b\":null}}");
    /* the same field twice under one key: one error, every location */
    assert_string_equal(exec_q("{ failCode failCode }", NULL),
                        "{\"errors\":[{\"message\":\"not allowed to read failCode\",\"locations\":[{\"line\":1,"
                        "\"column\":3},{\"line\":1,\"column\":12}],\"path\":[\"failCode\"],\"extensions\":{\"code\":"
                        "\"FORBIDDEN\"}}],\"data\":{\"failCode\":null}}");
}

static void test_mutation_serial(void **state) {
    (void)state;
    assert_string_equal(exec_q("mutation { a: inc b: inc(by: 10) c: inc log }", NULL),
                        "{\"data\":{\"a\":1,\"b\":11,\"c\":12,\"log\":[1,11,12]}}");
}

static void test_variables(void **state) {
    (void)state;
    gql_exec_status st;
    const char *q = "query($xs: [Int!]!, $n: String) { sum(xs: $xs) hello(name: $n) }";
    assert_string_equal(exec_q(q, "{\"xs\": [1, 2, 3]}"), "{\"data\":{\"sum\":6,\"hello\":\"hello world\"}}");
    /* a single value is coerced to a list; an explicit null is passed as null */
    assert_string_equal(exec_q(q, "{\"xs\": 5, \"n\": null}"), "{\"data\":{\"sum\":5,\"hello\":\"hello (null)\"}}");
    assert_string_equal(exec_q("{ sum(xs: 4) }", NULL), "{\"data\":{\"sum\":4}}");
    assert_string_equal(
        exec_ex(q, "{\"xs\": [1, \"two\"]}", NULL, &st),
        "{\"errors\":[{\"message\":\"Variable \\\"$xs\\\" got invalid value \\\"two\\\" at \\\"xs[1]\\\"; "
        "Int cannot represent non-integer value: \\\"two\\\"\",\"locations\":[{\"line\":1,\"column\":7}],"
        "\"extensions\":{\"code\":\"BAD_USER_INPUT\"}}]}");
    assert_int_equal(st, GQL_EXEC_REQUEST_ERROR);
    assert_string_equal(exec_ex(q, NULL, NULL, &st),
                        "{\"errors\":[{\"message\":\"Variable \\\"$xs\\\" of required type \\\"[Int!]!\\\" was not "
                        "provided.\",\"locations\":[{\"line\":1,\"column\":7}],\"extensions\":{\"code\":"
                        "\"BAD_USER_INPUT\"}}]}");
    assert_int_equal(st, GQL_EXEC_REQUEST_ERROR);
    /* input objects: defaults fill absent fields */
    assert_string_equal(
        exec_q("query($r: Range!) { a: range(r: $r) b: range(r: {from: 2}) }", "{\"r\": {\"from\": 1}}"),
        "{\"data\":{\"a\":\"1..10\",\"b\":\"2..10\"}}");
}

static void test_one_of(void **state) {
    (void)state;
    gql_exec_status st;
    assert_string_equal(exec_q("{ a: find(by: {id: 7}) b: find(by: {name: \"x\"}) }", NULL),
                        "{\"data\":{\"a\":\"id=7\",\"b\":\"name=x\"}}");
    assert_string_equal(exec_q("query($f: Filter!) { find(by: $f) }", "{\"f\": {\"name\": \"n\"}}"),
                        "{\"data\":{\"find\":\"name=n\"}}");
    assert_string_equal(
        exec_ex("query($f: Filter!) { find(by: $f) }", "{\"f\": {\"name\": \"n\", \"id\": \"1\"}}", NULL, &st),
        "{\"errors\":[{\"message\":\"Variable \\\"$f\\\" got invalid value { name: \\\"n\\\", id: "
        "\\\"1\\\" }; Exactly one key must be specified for OneOf type \\\"Filter\\\".\",\"locations\":"
        "[{\"line\":1,\"column\":7}],\"extensions\":{\"code\":\"BAD_USER_INPUT\"}}]}");
    assert_int_equal(st, GQL_EXEC_REQUEST_ERROR);
    /* an invalid literal is a field error at the argument */
    assert_string_equal(exec_q("{ find(by: {id: 1, name: \"x\"}) }", NULL),
                        "{\"errors\":[{\"message\":\"Argument \\\"by\\\" has invalid value {id: 1, name: \\\"x\\\"}.\","
                        "\"locations\":[{\"line\":1,\"column\":12}],\"path\":[\"find\"],\"extensions\":{\"code\":"
                        "\"BAD_USER_INPUT\"}}],\"data\":{\"find\":null}}");
}

static void test_leaf_serialization(void **state) {
    (void)state;
    assert_string_equal(exec_q("{ role roles float floats idNum str }", NULL),
                        "{\"data\":{\"role\":\"ADMIN\",\"roles\":[\"USER\",\"ADMIN\"],\"float\":1,\"floats\":[0.1,2,"
                        "1e+21,2.5],\"idNum\":\"7\",\"str\":\"2.5\"}}");
    assert_string_equal(
        exec_q("{ badRole big }", NULL),
        "{\"errors\":[{\"message\":\"Enum \\\"Role\\\" cannot represent value: \\\"ROOT\\\"\",\"locations\":"
        "[{\"line\":1,\"column\":3}],\"path\":[\"badRole\"],\"extensions\":{\"code\":\"INTERNAL\"}},"
        "{\"message\":\"Int cannot represent non 32-bit signed integer value: 3000000000\",\"locations\":"
        "[{\"line\":1,\"column\":11}],\"path\":[\"big\"],\"extensions\":{\"code\":\"INTERNAL\"}}],"
        "\"data\":{\"badRole\":null,\"big\":null}}");
}

static void test_operations(void **state) {
    (void)state;
    gql_exec_status st;
    const char *doc = "query A { hello } query B { a: hello }";
    assert_string_equal(exec_ex(doc, NULL, "B", &st), "{\"data\":{\"a\":\"hello world\"}}");
    assert_string_equal(exec_ex(doc, NULL, NULL, &st),
                        "{\"errors\":[{\"message\":\"Must provide operation name if query contains multiple "
                        "operations.\",\"extensions\":{\"code\":\"BAD_USER_INPUT\"}}]}");
    assert_int_equal(st, GQL_EXEC_REQUEST_ERROR);
    assert_string_equal(exec_ex(doc, NULL, "C", &st),
                        "{\"errors\":[{\"message\":\"Unknown operation named \\\"C\\\".\",\"extensions\":{\"code\":"
                        "\"BAD_USER_INPUT\"}}]}");
    assert_int_equal(st, GQL_EXEC_REQUEST_ERROR);
    assert_string_equal(exec_ex("fragment F on Query { hello }", NULL, NULL, &st),
                        "{\"errors\":[{\"message\":\"Must provide an operation.\",\"extensions\":{\"code\":"
                        "\"BAD_USER_INPUT\"}}]}");
    /* graphql-js subscribe(): a request error, no data entry (a mutation without a root still answers data: null). */
    assert_string_equal(exec_ex("subscription { hello }", NULL, NULL, &st),
                        "{\"errors\":[{\"message\":\"Schema is not configured to execute subscription operation.\","
                        "\"locations\":[{\"line\":1,\"column\":1}]}]}");
    assert_int_equal(st, GQL_EXEC_REQUEST_ERROR);
}

static void test_introspection(void **state) {
    (void)state;
    assert_string_equal(exec_q("{ __typename user(id: \"1\") { __typename } __type(name: \"Role\") { name kind } "
                               "missing: __type(name: \"Nope\") { name } }",
                               NULL),
                        "{\"data\":{\"__typename\":\"Query\",\"user\":{\"__typename\":\"User\"},\"__type\":{\"name\":"
                        "\"Role\",\"kind\":\"ENUM\"},\"missing\":null}}");
    assert_string_equal(exec_q("mutation { __typename }", NULL), "{\"data\":{\"__typename\":\"Mutation\"}}");
    const char *r = exec_q("{ __schema { queryType { name } mutationType { name } } }", NULL);
    assert_string_equal(r, "{\"data\":{\"__schema\":{\"queryType\":{\"name\":\"Query\"},\"mutationType\":{\"name\":"
                           "\"Mutation\"}}}}");
}

/* ---- the engine facade ---- */

static const char *engine_run(gql_engine *e, const char *query, const char *op, int only_queries,
                              gql_result_status *st) {
    gql_request req = {.query = query,
                       .query_len = strlen(query),
                       .operation_name = op,
                       .variables = NULL,
                       .context = NULL,
                       .only_queries = only_queries};
    buf_t out = BUF_INIT;
    *st = gql_engine_run(e, &req, arena, &out);
    const char *r = arena_strdup(arena, buf_cstr(&out));
    buf_free(&out);
    return r;
}

static void run_engine_checks(gql_engine *e) {
    gql_result_status st;
    for (int i = 0; i < 3; i++) { /* the second and third runs come from the document cache */
        assert_string_equal(engine_run(e, "{ hello }", NULL, 0, &st), "{\"data\":{\"hello\":\"hello world\"}}");
        assert_int_equal(st, GQL_RESULT_OK);
    }
    assert_string_equal(
        engine_run(e, "{ hello", NULL, 0, &st),
        "{\"errors\":[{\"message\":\"Syntax Error: Expected Name, found <EOF>.\",\"locations\":[{\"line\":"
        "1,\"column\":8}],\"extensions\":{\"code\":\"GRAPHQL_PARSE_FAILED\"}}]}");
    assert_int_equal(st, GQL_RESULT_PARSE_ERROR);
    const char *r = engine_run(e, "{ nope }", NULL, 0, &st);
    assert_int_equal(st, GQL_RESULT_VALIDATION_ERROR);
    assert_non_null(strstr(r, "Cannot query field \\\"nope\\\" on type \\\"Query\\\"."));
    assert_null(strstr(r, "\"data\""));
    /* GET: mutations are refused before validation (graphql-http), cached or not */
    for (int i = 0; i < 2; i++) {
        assert_string_equal(engine_run(e, "mutation M { inc }", NULL, 1, &st),
                            "{\"errors\":[{\"message\":\"Cannot perform mutations over GET\"}]}");
        assert_int_equal(st, GQL_RESULT_NOT_ALLOWED);
    }
    assert_string_equal(engine_run(e, "mutation M { inc nope }", NULL, 1, &st),
                        "{\"errors\":[{\"message\":\"Cannot perform mutations over GET\"}]}");
    assert_int_equal(st, GQL_RESULT_NOT_ALLOWED);
    assert_int_equal(counter, 0);
    assert_string_equal(engine_run(e, "query Q { hello } mutation M { inc }", "Q", 1, &st),
                        "{\"data\":{\"hello\":\"hello world\"}}");
    assert_string_equal(engine_run(e, "query Q { hello } mutation M { inc }", "M", 0, &st), "{\"data\":{\"inc\":1}}");
    /* now cached: the same document over GET is still refused */
    assert_string_equal(engine_run(e, "query Q { hello } mutation M { inc }", "M", 1, &st),
                        "{\"errors\":[{\"message\":\"Cannot perform mutations over GET\"}]}");
    assert_int_equal(st, GQL_RESULT_NOT_ALLOWED);
    assert_int_equal(counter, 1);
    assert_string_equal(engine_run(e, "query Q { hello }", "X", 0, &st),
                        "{\"errors\":[{\"message\":\"Unknown operation named \\\"X\\\".\",\"extensions\":{\"code\":"
                        "\"BAD_USER_INPUT\"}}]}");
    assert_int_equal(st, GQL_RESULT_REQUEST_ERROR);
}

static void test_engine(void **state) {
    (void)state;
    gql_limits lim;
    gql_limits_default(&lim);
    assert_int_equal(lim.cache_entries, 512);
    assert_int_equal(lim.max_document_bytes, 1024 * 1024);
    lim.cache_entries = 2;
    gql_engine *e = gql_engine_new(build_schema(), &lim);
    assert_non_null(e);
    assert_non_null(gql_engine_schema(e)->query);
    run_engine_checks(e);
    gql_engine_free(e);
    /* the same with the cache disabled */
    counter = 0;
    lim.cache_entries = 0;
    e = gql_engine_new(build_schema(), &lim);
    run_engine_checks(e);
    gql_engine_free(e);
}

static void test_engine_limits(void **state) {
    (void)state;
    gql_limits lim;
    gql_limits_default(&lim);
    lim.max_document_bytes = 16;
    gql_engine *e = gql_engine_new(build_schema(), &lim);
    gql_result_status st;
    engine_run(e, "{ hello hello hello hello }", NULL, 0, &st);
    assert_int_equal(st, GQL_RESULT_PARSE_ERROR);
    assert_string_equal(engine_run(e, "{ hello }", NULL, 0, &st), "{\"data\":{\"hello\":\"hello world\"}}");
    gql_engine_free(e);
}

#define T(f) cmocka_unit_test_setup_teardown(f, per_test_setup, per_test_teardown)

int main(void) {
    const struct CMUnitTest tests[] = {
        T(test_basic_aliases_defaults),
        T(test_fragments_and_order),
        T(test_skip_include),
        T(test_abstract_types),
        T(test_null_propagation),
        T(test_resolver_errors),
        T(test_mutation_serial),
        T(test_variables),
        T(test_one_of),
        T(test_leaf_serialization),
        T(test_operations),
        T(test_introspection),
        T(test_engine),
        T(test_engine_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
