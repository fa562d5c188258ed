/* test_parser.c -- the GraphQL parser (spec §2 and the type system language of §3): kitchen-sink
 * documents for the executable and the schema language with AST shape assertions, node locations,
 * value literals, syntax errors with graphql-js's exact messages and positions, and the parse
 * limits (bytes, tokens, depth) including hostile nesting that must not exhaust the C stack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/language/lexer.h"
#include "graphql/language/parser.h"

static arena_t *arena;

static int setup(void **state) {
    (void)state;
    arena = arena_new();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    arena_free(arena);
    return 0;
}

static gql_document *parse_limited(const char *src, const gql_parse_limits *limits) {
    gql_errors errs;
    gql_errors_init(&errs, arena);
    gql_document *d = gql_parse(arena, src, strlen(src), limits, &errs);
    if (!d) {
        fail_msg("parse failed: %s at %u:%u", errs.head->message,
                 errs.head->nlocations ? errs.head->locations[0].line : 0,
                 errs.head->nlocations ? errs.head->locations[0].column : 0);
    }
    assert_int_equal(errs.count, 0);
    return d;
}

static gql_document *parse_ok(const char *src) {
    return parse_limited(src, NULL);
}

/* Parses src (length n) with limits and expects exactly one error: message, code and position
 * (line 0 means the error has no location). */
static void expect_error_n(const char *src, size_t n, const gql_parse_limits *limits, const char *code, const char *msg,
                           uint32_t line, uint32_t column) {
    gql_errors errs;
    gql_errors_init(&errs, arena);
    gql_document *d = gql_parse(arena, src, n, limits, &errs);
    if (d) fail_msg("expected \"%s\", but [%.*s] parsed", msg, (int)(n > 200 ? 200 : n), src);
    assert_int_equal(errs.count, 1);
    assert_string_equal(errs.head->message, msg);
    assert_string_equal(errs.head->code, code);
    if (line == 0) {
        assert_int_equal(errs.head->nlocations, 0);
        return;
    }
    assert_int_equal(errs.head->nlocations, 1);
    if (errs.head->locations[0].line != line || errs.head->locations[0].column != column)
        fail_msg("%s: at %u:%u, expected %u:%u", msg, errs.head->locations[0].line, errs.head->locations[0].column,
                 line, column);
}

static void syntax_error(const char *src, const char *msg, uint32_t line, uint32_t column) {
    expect_error_n(src, strlen(src), NULL, GQL_CODE_GRAPHQL_PARSE_FAILED, msg, line, column);
}

static void assert_name(gql_name n, const char *want) {
    if (!want) {
        assert_null(n.value);
        return;
    }
    assert_non_null(n.value);
    assert_string_equal(n.value, want);
}

static void assert_loc(gql_loc loc, uint32_t line, uint32_t column, uint32_t start, uint32_t end) {
    if (loc.line != line || loc.column != column || loc.start != start || loc.end != end)
        fail_msg("loc %u:%u [%u,%u), expected %u:%u [%u,%u)", loc.line, loc.column, loc.start, loc.end, line, column,
                 start, end);
}

/* The type reference printed back ("[Int!]!") so whole types compare in one assertion. */
static const char *type_str(const gql_typeref *t) {
    switch (t->kind) {
    case GQL_TYPEREF_NAMED:
        return t->name.value;
    case GQL_TYPEREF_LIST:
        return arena_printf(arena, "[%s]", type_str(t->of));
    case GQL_TYPEREF_NON_NULL:
        return arena_printf(arena, "%s!", type_str(t->of));
    }
    return "?";
}

/* A value printed back in a compact canonical form, to compare whole literals at once. */
static const char *value_str(const gql_value *v) {
    switch (v->kind) {
    case GQL_VALUE_VARIABLE:
        return arena_printf(arena, "$%s", v->str);
    case GQL_VALUE_INT:
    case GQL_VALUE_FLOAT:
    case GQL_VALUE_ENUM:
        return v->str;
    case GQL_VALUE_STRING:
        return arena_printf(arena, "%s\"%s\"", v->block ? "B" : "", v->str);
    case GQL_VALUE_BOOLEAN:
        return v->boolean ? "true" : "false";
    case GQL_VALUE_NULL:
        return "null";
    case GQL_VALUE_LIST: {
        const char *s = "[";
        for (size_t i = 0; i < v->list.count; i++)
            s = arena_printf(arena, "%s%s%s", s, i ? "," : "", value_str(v->list.items[i]));
        return arena_printf(arena, "%s]", s);
    }
    case GQL_VALUE_OBJECT: {
        const char *s = "{";
        for (size_t i = 0; i < v->object.count; i++)
            s = arena_printf(arena, "%s%s%s:%s", s, i ? "," : "", v->object.fields[i]->name.value,
                             value_str(v->object.fields[i]->value));
        return arena_printf(arena, "%s}", s);
    }
    }
    return "?";
}

static const char *args_str(gql_argument **args, size_t n) {
    const char *s = "(";
    for (size_t i = 0; i < n; i++)
        s = arena_printf(arena, "%s%s%s:%s", s, i ? "," : "", args[i]->name.value, value_str(args[i]->value));
    return arena_printf(arena, "%s)", s);
}

static const char *directives_str(gql_directive **ds, size_t n) {
    const char *s = "";
    for (size_t i = 0; i < n; i++) {
        s = arena_printf(arena, "%s%s@%s", s, i ? " " : "", ds[i]->name.value);
        if (ds[i]->nargs) s = arena_printf(arena, "%s%s", s, args_str(ds[i]->args, ds[i]->nargs));
    }
    return s;
}

static const char *names_str(const gql_name *names, size_t n) {
    const char *s = "";
    for (size_t i = 0; i < n; i++)
        s = arena_printf(arena, "%s%s%s", s, i ? "," : "", names[i].value);
    return s;
}

/* Significant tokens of src as the lexer sees them (comments and EOF excluded). */
static uint32_t count_tokens(const char *src) {
    gql_lexer lx;
    gql_lexer_init(&lx, arena, src, strlen(src));
    uint32_t n = 0;
    while (gql_lexer_next(&lx) && lx.token.kind != GQL_TOK_EOF)
        n++;
    assert_null(lx.err_msg);
    return n;
}

static const char *const kitchen_sink_query =
    "query queryName($foo: ComplexType, $site: Site = MOBILE, $list: [[Int!]]! = [[1, 2], [3]]) @onQuery {\n"
    "  whoever123is: node(id: [123, 456]) {\n"
    "    id ,\n"
    "    ... on User @onInlineFragment {\n"
    "      field2 {\n"
    "        id ,\n"
    "        alias: field1(first:10, after:$foo,) @include(if: $foo) {\n"
    "          id,\n"
    "          ...frag @onFragmentSpread\n"
    "        }\n"
    "      }\n"
    "    }\n"
    "    ... @skip(unless: $foo) {\n"
    "      id\n"
    "    }\n"
    "    ... {\n"
    "      id\n"
    "    }\n"
    "  }\n"
    "}\n"
    "\n"
    "mutation likeStory @onMutation {\n"
    "  like(story: 123) @onField {\n"
    "    story {\n"
    "      id @onField\n"
    "    }\n"
    "  }\n"
    "}\n"
    "\n"
    "subscription StoryLikeSubscription($input: StoryLikeSubscribeInput @onVariableDefinition)\n"
    "  @onSubscription {\n"
    "  storyLikeSubscribe(input: $input) {\n"
    "    story {\n"
    "      likers {\n"
    "        count\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n"
    "\n"
    "fragment frag on Friend @onFragmentDefinition {\n"
    "  foo(size: $size, bar: $b, obj: {key: \"value\", block: \"\"\"\n"
    "      block string uses \\\"\"\"\n"
    "  \"\"\"})\n"
    "}\n"
    "\n"
    "{\n"
    "  unnamed(truthy: true, falsy: false, nullish: null, float: -1.5e3, esc: \"a\\u00e9\\n\"),\n"
    "  query\n"
    "}\n"
    "\n"
    "query { __typename }\n";

static void test_kitchen_sink_query(void **state) {
    (void)state;
    gql_document *doc = parse_ok(kitchen_sink_query);
    assert_int_equal(doc->ndefs, 6);
    assert_int_equal(doc->source_len, strlen(kitchen_sink_query));
    assert_string_equal(doc->source, kitchen_sink_query);
    assert_int_equal(doc->token_count, count_tokens(kitchen_sink_query));

    /* query queryName(...) @onQuery */
    const gql_definition *q = doc->defs[0];
    assert_int_equal(q->kind, GQL_DEF_OPERATION);
    assert_int_equal(q->operation, GQL_OP_QUERY);
    assert_false(q->extension);
    assert_null(q->description);
    assert_name(q->name, "queryName");
    assert_int_equal(q->nvars, 3);
    assert_name(q->vars[0]->variable, "foo");
    assert_string_equal(type_str(q->vars[0]->type), "ComplexType");
    assert_null(q->vars[0]->default_value);
    assert_name(q->vars[1]->variable, "site");
    assert_string_equal(value_str(q->vars[1]->default_value), "MOBILE");
    assert_string_equal(type_str(q->vars[2]->type), "[[Int!]]!");
    assert_string_equal(value_str(q->vars[2]->default_value), "[[1,2],[3]]");
    assert_string_equal(directives_str(q->directives, q->ndirectives), "@onQuery");

    const gql_selection_set *ss = q->selection_set;
    assert_int_equal(ss->count, 1);
    const gql_selection *who = ss->items[0];
    assert_int_equal(who->kind, GQL_SEL_FIELD);
    assert_name(who->alias, "whoever123is");
    assert_name(who->name, "node");
    assert_string_equal(args_str(who->args, who->nargs), "(id:[123,456])");
    assert_int_equal(who->selection_set->count, 4);

    const gql_selection *id = who->selection_set->items[0];
    assert_int_equal(id->kind, GQL_SEL_FIELD);
    assert_name(id->alias, NULL);
    assert_name(id->name, "id");
    assert_null(id->selection_set);
    assert_int_equal(id->nargs, 0);

    const gql_selection *on_user = who->selection_set->items[1];
    assert_int_equal(on_user->kind, GQL_SEL_INLINE_FRAGMENT);
    assert_name(on_user->type_condition, "User");
    assert_string_equal(directives_str(on_user->directives, on_user->ndirectives), "@onInlineFragment");
    const gql_selection *field2 = on_user->selection_set->items[0];
    assert_name(field2->name, "field2");
    const gql_selection *alias = field2->selection_set->items[1];
    assert_name(alias->alias, "alias");
    assert_name(alias->name, "field1");
    assert_string_equal(args_str(alias->args, alias->nargs), "(first:10,after:$foo)");
    assert_string_equal(directives_str(alias->directives, alias->ndirectives), "@include(if:$foo)");
    const gql_selection *spread = alias->selection_set->items[1];
    assert_int_equal(spread->kind, GQL_SEL_FRAGMENT_SPREAD);
    assert_name(spread->name, "frag");
    assert_string_equal(directives_str(spread->directives, spread->ndirectives), "@onFragmentSpread");
    assert_null(spread->selection_set);

    const gql_selection *skip = who->selection_set->items[2];
    assert_int_equal(skip->kind, GQL_SEL_INLINE_FRAGMENT);
    assert_name(skip->type_condition, NULL);
    assert_string_equal(directives_str(skip->directives, skip->ndirectives), "@skip(unless:$foo)");
    const gql_selection *bare = who->selection_set->items[3];
    assert_int_equal(bare->kind, GQL_SEL_INLINE_FRAGMENT);
    assert_name(bare->type_condition, NULL);
    assert_int_equal(bare->ndirectives, 0);
    assert_int_equal(bare->selection_set->count, 1);

    /* mutation */
    const gql_definition *m = doc->defs[1];
    assert_int_equal(m->operation, GQL_OP_MUTATION);
    assert_name(m->name, "likeStory");
    assert_int_equal(m->nvars, 0);
    const gql_selection *like = m->selection_set->items[0];
    assert_string_equal(args_str(like->args, like->nargs), "(story:123)");
    assert_string_equal(directives_str(like->directives, like->ndirectives), "@onField");

    /* subscription with a directive on the variable definition */
    const gql_definition *s = doc->defs[2];
    assert_int_equal(s->operation, GQL_OP_SUBSCRIPTION);
    assert_name(s->name, "StoryLikeSubscription");
    assert_int_equal(s->nvars, 1);
    assert_string_equal(directives_str(s->vars[0]->directives, s->vars[0]->ndirectives), "@onVariableDefinition");
    assert_string_equal(directives_str(s->directives, s->ndirectives), "@onSubscription");

    /* fragment with an object value holding a block string */
    const gql_definition *f = doc->defs[3];
    assert_int_equal(f->kind, GQL_DEF_FRAGMENT);
    assert_name(f->name, "frag");
    assert_name(f->type_condition, "Friend");
    assert_string_equal(directives_str(f->directives, f->ndirectives), "@onFragmentDefinition");
    const gql_selection *foo = f->selection_set->items[0];
    assert_string_equal(args_str(foo->args, foo->nargs),
                        "(size:$size,bar:$b,obj:{key:\"value\",block:B\"block string uses \"\"\"\"})");

    /* shorthand query */
    const gql_definition *anon = doc->defs[4];
    assert_int_equal(anon->kind, GQL_DEF_OPERATION);
    assert_int_equal(anon->operation, GQL_OP_QUERY);
    assert_name(anon->name, NULL);
    assert_int_equal(anon->nvars, 0);
    const gql_selection *unnamed = anon->selection_set->items[0];
    assert_string_equal(args_str(unnamed->args, unnamed->nargs),
                        "(truthy:true,falsy:false,nullish:null,float:-1.5e3,esc:\"a\xC3\xA9\n\")");
    assert_name(anon->selection_set->items[1]->name, "query");

    /* anonymous query with the keyword */
    const gql_definition *last = doc->defs[5];
    assert_name(last->name, NULL);
    assert_name(last->selection_set->items[0]->name, "__typename");
}

static const char *const kitchen_sink_schema =
    "\"\"\"This is a description\nof the `Foo` type.\"\"\"\n"
    "schema @onSchema {\n"
    "  query: QueryType\n"
    "  mutation: MutationType\n"
    "  subscription: SubscriptionType\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "  This is a description\n"
    "  of the `Foo` type.\n"
    "\"\"\"\n"
    "type Foo implements Bar & Baz & Two @onObject {\n"
    "  \"Description of the `one` field.\"\n"
    "  one: Type\n"
    "  \"\"\"This is a description of the `two` field.\"\"\"\n"
    "  two(\n"
    "    \"\"\"This is a description of the `argument` argument.\"\"\"\n"
    "    argument: InputType!\n"
    "  ): Type\n"
    "  three(argument: InputType, other: String): Int\n"
    "  four(argument: String = \"string\"): String\n"
    "  five(argument: [String] = [\"string\", \"string\"]): String\n"
    "  six(argument: InputType = {key: \"value\"}): Type\n"
    "  seven(argument: Int = null @onArgumentDefinition): Type @onFieldDefinition\n"
    "}\n"
    "\n"
    "type AnnotatedObject @onObject(arg: \"value\") {\n"
    "  annotatedField(arg: Type = \"default\" @onArgumentDefinition): Type @onField\n"
    "}\n"
    "\n"
    "type UndefinedType\n"
    "\n"
    "extend type Foo {\n"
    "  seven(argument: [String]): Type\n"
    "}\n"
    "\n"
    "extend type Foo @onObject\n"
    "\n"
    "interface Bar implements & Node {\n"
    "  one: Type\n"
    "  four(argument: String = \"string\"): String\n"
    "}\n"
    "\n"
    "interface UndefinedInterface\n"
    "\n"
    "extend interface Bar implements Two {\n"
    "  two(argument: InputType!): Type\n"
    "}\n"
    "\n"
    "extend interface Bar @onInterface\n"
    "\n"
    "union Feed =\n"
    "  | Story\n"
    "  | Article\n"
    "  | Advert\n"
    "\n"
    "union AnnotatedUnion @onUnion = A | B\n"
    "\n"
    "union UndefinedUnion\n"
    "\n"
    "extend union Feed = Photo | Video\n"
    "\n"
    "extend union Feed @onUnion\n"
    "\n"
    "scalar CustomScalar\n"
    "\n"
    "scalar AnnotatedScalar @onScalar\n"
    "\n"
    "extend scalar CustomScalar @onScalar\n"
    "\n"
    "enum Site {\n"
    "  \"\"\"This is a description of the `DESKTOP` value\"\"\"\n"
    "  DESKTOP\n"
    "\n"
    "  \"This is a description of the `MOBILE` value\"\n"
    "  MOBILE\n"
    "\n"
    "  \"This is a description of the `WEB` value\"\n"
    "  WEB @onEnumValue\n"
    "}\n"
    "\n"
    "enum UndefinedEnum\n"
    "\n"
    "extend enum Site {\n"
    "  VR\n"
    "}\n"
    "\n"
    "extend enum Site @onEnum\n"
    "\n"
    "input InputType {\n"
    "  key: String!\n"
    "  answer: Int = 42\n"
    "  \"described\" other: [Float!] = [1.5, 2] @onInputFieldDefinition\n"
    "}\n"
    "\n"
    "input UndefinedInput\n"
    "\n"
    "extend input InputType {\n"
    "  other: Float = 1.23e4 @onInputFieldDefinition\n"
    "}\n"
    "\n"
    "extend input InputType @onInputObject\n"
    "\n"
    "\"\"\"\n"
    "This is a description of the `@skip` directive\n"
    "\"\"\"\n"
    "directive @skip(\n"
    "  \"\"\"This is a description of the `if` argument\"\"\"\n"
    "  if: Boolean! @onArgumentDefinition\n"
    ") on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "\n"
    "directive @include(if: Boolean!)\n"
    "  on FIELD\n"
    "   | FRAGMENT_SPREAD\n"
    "   | INLINE_FRAGMENT\n"
    "\n"
    "directive @include2(if: Boolean!) on\n"
    "  | FIELD\n"
    "  | FRAGMENT_SPREAD\n"
    "  | INLINE_FRAGMENT\n"
    "\n"
    "directive @myRepeatableDir(name: String!) repeatable on\n"
    "  | OBJECT\n"
    "  | INTERFACE\n"
    "\n"
    "extend schema @onSchema\n"
    "\n"
    "extend schema @onSchema {\n"
    "  subscription: SubscriptionType\n"
    "}\n";

/* 1-based line of byte offset off in src (sources here use \n only) */
static uint32_t line_of(const char *src, uint32_t off) {
    uint32_t line = 1;
    for (uint32_t i = 0; i < off; i++)
        if (src[i] == '\n') line++;
    return line;
}

static const gql_definition *find_def(const gql_document *doc, size_t *i, gql_def_kind kind, bool ext) {
    for (; *i < doc->ndefs; (*i)++) {
        if (doc->defs[*i]->kind == kind && doc->defs[*i]->extension == ext) return doc->defs[(*i)++];
    }
    fail_msg("no further definition of kind %d", (int)kind);
    return NULL;
}

static void test_kitchen_sink_schema(void **state) {
    (void)state;
    gql_document *doc = parse_ok(kitchen_sink_schema);
    assert_int_equal(doc->ndefs, 32);
    assert_int_equal(doc->token_count, count_tokens(kitchen_sink_schema));
    assert_int_equal(doc->token_count, 388); /* as counted by graphql-core's lexer */
    size_t i = 0;

    const gql_definition *d = find_def(doc, &i, GQL_DEF_SCHEMA, false);
    assert_int_equal(i, 1);
    assert_string_equal(d->description, "This is a description\nof the `Foo` type.");
    assert_name(d->name, NULL);
    assert_string_equal(directives_str(d->directives, d->ndirectives), "@onSchema");
    assert_int_equal(d->nroot_ops, 3);
    assert_int_equal(d->root_ops[0]->operation, GQL_OP_QUERY);
    assert_name(d->root_ops[0]->type, "QueryType");
    assert_int_equal(d->root_ops[1]->operation, GQL_OP_MUTATION);
    assert_int_equal(d->root_ops[2]->operation, GQL_OP_SUBSCRIPTION);
    assert_name(d->root_ops[2]->type, "SubscriptionType");
    assert_loc(d->loc, 1, 1, 0, (uint32_t)(strstr(kitchen_sink_schema, "}\n") - kitchen_sink_schema + 1));

    d = find_def(doc, &i, GQL_DEF_OBJECT, false);
    assert_name(d->name, "Foo");
    assert_string_equal(d->description, "This is a description\nof the `Foo` type.");
    assert_string_equal(names_str(d->interfaces, d->ninterfaces), "Bar,Baz,Two");
    assert_string_equal(directives_str(d->directives, d->ndirectives), "@onObject");
    assert_int_equal(d->nfields, 7);
    assert_string_equal(d->fields[0]->description, "Description of the `one` field.");
    assert_name(d->fields[0]->name, "one");
    assert_string_equal(type_str(d->fields[0]->type), "Type");
    assert_int_equal(d->fields[0]->nargs, 0);
    assert_string_equal(d->fields[1]->description, "This is a description of the `two` field.");
    assert_int_equal(d->fields[1]->nargs, 1);
    assert_string_equal(d->fields[1]->args[0]->description, "This is a description of the `argument` argument.");
    assert_string_equal(type_str(d->fields[1]->args[0]->type), "InputType!");
    assert_null(d->fields[2]->description);
    assert_int_equal(d->fields[2]->nargs, 2);
    assert_name(d->fields[2]->args[1]->name, "other");
    assert_string_equal(value_str(d->fields[3]->args[0]->default_value), "\"string\"");
    assert_string_equal(value_str(d->fields[4]->args[0]->default_value), "[\"string\",\"string\"]");
    assert_string_equal(value_str(d->fields[5]->args[0]->default_value), "{key:\"value\"}");
    assert_string_equal(value_str(d->fields[6]->args[0]->default_value), "null");
    assert_string_equal(directives_str(d->fields[6]->args[0]->directives, d->fields[6]->args[0]->ndirectives),
                        "@onArgumentDefinition");
    assert_string_equal(directives_str(d->fields[6]->directives, d->fields[6]->ndirectives), "@onFieldDefinition");

    d = find_def(doc, &i, GQL_DEF_OBJECT, false);
    assert_name(d->name, "AnnotatedObject");
    assert_string_equal(directives_str(d->directives, d->ndirectives), "@onObject(arg:\"value\")");
    d = find_def(doc, &i, GQL_DEF_OBJECT, false);
    assert_name(d->name, "UndefinedType");
    assert_int_equal(d->nfields, 0);
    assert_null(d->fields);

    d = find_def(doc, &i, GQL_DEF_OBJECT, true);
    assert_name(d->name, "Foo");
    assert_int_equal(d->nfields, 1);
    assert_string_equal(type_str(d->fields[0]->args[0]->type), "[String]");
    d = find_def(doc, &i, GQL_DEF_OBJECT, true);
    assert_int_equal(d->nfields, 0);
    assert_string_equal(directives_str(d->directives, d->ndirectives), "@onObject");

    d = find_def(doc, &i, GQL_DEF_INTERFACE, false);
    assert_name(d->name, "Bar");
    assert_string_equal(names_str(d->interfaces, d->ninterfaces), "Node");
    assert_int_equal(d->nfields, 2);
    d = find_def(doc, &i, GQL_DEF_INTERFACE, false);
    assert_name(d->name, "UndefinedInterface");
    d = find_def(doc, &i, GQL_DEF_INTERFACE, true);
    assert_string_equal(names_str(d->interfaces, d->ninterfaces), "Two");
    assert_int_equal(d->nfields, 1);
    d = find_def(doc, &i, GQL_DEF_INTERFACE, true);
    assert_string_equal(directives_str(d->directives, d->ndirectives), "@onInterface");

    d = find_def(doc, &i, GQL_DEF_UNION, false);
    assert_name(d->name, "Feed");
    assert_string_equal(names_str(d->members, d->nmembers), "Story,Article,Advert");
    d = find_def(doc, &i, GQL_DEF_UNION, false);
    assert_string_equal(names_str(d->members, d->nmembers), "A,B");
    assert_string_equal(directives_str(d->directives, d->ndirectives), "@onUnion");
    d = find_def(doc, &i, GQL_DEF_UNION, false);
    assert_int_equal(d->nmembers, 0);
    d = find_def(doc, &i, GQL_DEF_UNION, true);
    assert_string_equal(names_str(d->members, d->nmembers), "Photo,Video");
    d = find_def(doc, &i, GQL_DEF_UNION, true);
    assert_int_equal(d->nmembers, 0);
    assert_int_equal(d->ndirectives, 1);

    d = find_def(doc, &i, GQL_DEF_SCALAR, false);
    assert_name(d->name, "CustomScalar");
    assert_int_equal(d->ndirectives, 0);
    d = find_def(doc, &i, GQL_DEF_SCALAR, false);
    assert_string_equal(directives_str(d->directives, d->ndirectives), "@onScalar");
    d = find_def(doc, &i, GQL_DEF_SCALAR, true);
    assert_name(d->name, "CustomScalar");

    d = find_def(doc, &i, GQL_DEF_ENUM, false);
    assert_name(d->name, "Site");
    assert_int_equal(d->nvalues, 3);
    assert_string_equal(d->values[0]->description, "This is a description of the `DESKTOP` value");
    assert_name(d->values[1]->name, "MOBILE");
    assert_string_equal(directives_str(d->values[2]->directives, d->values[2]->ndirectives), "@onEnumValue");
    d = find_def(doc, &i, GQL_DEF_ENUM, false);
    assert_int_equal(d->nvalues, 0);
    d = find_def(doc, &i, GQL_DEF_ENUM, true);
    assert_name(d->values[0]->name, "VR");
    assert_null(d->values[0]->description);
    d = find_def(doc, &i, GQL_DEF_ENUM, true);
    assert_string_equal(directives_str(d->directives, d->ndirectives), "@onEnum");

    d = find_def(doc, &i, GQL_DEF_INPUT_OBJECT, false);
    assert_name(d->name, "InputType");
    assert_int_equal(d->ninput_fields, 3);
    assert_string_equal(type_str(d->input_fields[0]->type), "String!");
    assert_string_equal(value_str(d->input_fields[1]->default_value), "42");
    assert_string_equal(d->input_fields[2]->description, "described");
    assert_string_equal(value_str(d->input_fields[2]->default_value), "[1.5,2]");
    assert_int_equal(d->input_fields[2]->default_value->list.items[0]->kind, GQL_VALUE_FLOAT);
    assert_int_equal(d->input_fields[2]->default_value->list.items[1]->kind, GQL_VALUE_INT);
    d = find_def(doc, &i, GQL_DEF_INPUT_OBJECT, false);
    assert_int_equal(d->ninput_fields, 0);
    d = find_def(doc, &i, GQL_DEF_INPUT_OBJECT, true);
    assert_string_equal(value_str(d->input_fields[0]->default_value), "1.23e4");
    d = find_def(doc, &i, GQL_DEF_INPUT_OBJECT, true);
    assert_string_equal(directives_str(d->directives, d->ndirectives), "@onInputObject");

    d = find_def(doc, &i, GQL_DEF_DIRECTIVE, false);
    assert_name(d->name, "skip");
    assert_string_equal(d->description, "This is a description of the `@skip` directive");
    assert_false(d->repeatable);
    assert_int_equal(d->ninput_fields, 1);
    assert_string_equal(d->input_fields[0]->description, "This is a description of the `if` argument");
    assert_int_equal(d->locations, GQL_DL_FIELD | GQL_DL_FRAGMENT_SPREAD | GQL_DL_INLINE_FRAGMENT);
    assert_string_equal(names_str(d->location_names, d->nlocations), "FIELD,FRAGMENT_SPREAD,INLINE_FRAGMENT");
    d = find_def(doc, &i, GQL_DEF_DIRECTIVE, false);
    assert_name(d->name, "include");
    assert_int_equal(d->nlocations, 3);
    d = find_def(doc, &i, GQL_DEF_DIRECTIVE, false);
    assert_name(d->name, "include2");
    assert_int_equal(d->locations, GQL_DL_FIELD | GQL_DL_FRAGMENT_SPREAD | GQL_DL_INLINE_FRAGMENT);
    uint32_t off = (uint32_t)(strstr(kitchen_sink_schema, "on\n  | FIELD") - kitchen_sink_schema) + 7;
    assert_loc(d->location_names[0].loc, line_of(kitchen_sink_schema, off), 5, off, off + 5);
    d = find_def(doc, &i, GQL_DEF_DIRECTIVE, false);
    assert_name(d->name, "myRepeatableDir");
    assert_true(d->repeatable);
    assert_int_equal(d->locations, GQL_DL_OBJECT | GQL_DL_INTERFACE);

    d = find_def(doc, &i, GQL_DEF_SCHEMA, true);
    assert_int_equal(d->nroot_ops, 0);
    assert_int_equal(d->ndirectives, 1);
    d = find_def(doc, &i, GQL_DEF_SCHEMA, true);
    assert_int_equal(d->nroot_ops, 1);
    assert_int_equal(i, doc->ndefs);
}

static void test_locations(void **state) {
    (void)state;
    const char *src = "query Q($v: [Int!] = [1]) {\n  a: b(x: {y: \"z\"}) @d\n  ... on T { c }\n}";
    gql_document *doc = parse_ok(src);
    const gql_definition *q = doc->defs[0];
    assert_loc(q->loc, 1, 1, 0, (uint32_t)strlen(src));
    assert_loc(q->name.loc, 1, 7, 6, 7);
    const gql_variable_def *v = q->vars[0];
    assert_loc(v->loc, 1, 9, 8, 24);
    assert_loc(v->variable.loc, 1, 9, 8, 10);
    assert_loc(v->type->loc, 1, 13, 12, 18);
    assert_int_equal(v->type->kind, GQL_TYPEREF_LIST);
    assert_loc(v->type->of->loc, 1, 14, 13, 17);
    assert_int_equal(v->type->of->kind, GQL_TYPEREF_NON_NULL);
    assert_loc(v->type->of->of->loc, 1, 14, 13, 16);
    assert_loc(v->default_value->loc, 1, 22, 21, 24);
    assert_loc(v->default_value->list.items[0]->loc, 1, 23, 22, 23);
    assert_loc(q->selection_set->loc, 1, 27, 26, (uint32_t)strlen(src));

    const gql_selection *a = q->selection_set->items[0];
    assert_loc(a->loc, 2, 3, 30, 50);
    assert_loc(a->alias.loc, 2, 3, 30, 31);
    assert_loc(a->name.loc, 2, 6, 33, 34);
    assert_loc(a->args[0]->loc, 2, 8, 35, 46);
    assert_loc(a->args[0]->value->loc, 2, 11, 38, 46);
    assert_loc(a->args[0]->value->object.fields[0]->loc, 2, 12, 39, 45);
    assert_loc(a->args[0]->value->object.fields[0]->value->loc, 2, 15, 42, 45);
    assert_loc(a->directives[0]->loc, 2, 21, 48, 50);

    const gql_selection *frag = q->selection_set->items[1];
    assert_loc(frag->loc, 3, 3, 53, 67);
    assert_loc(frag->type_condition.loc, 3, 10, 60, 61);
    assert_loc(frag->selection_set->loc, 3, 12, 62, 67);
    assert_loc(frag->selection_set->items[0]->loc, 3, 14, 64, 65);

    /* a description is part of the definition; the location starts there */
    doc = parse_ok("\n  \"d\" type T { \"f\" f: Int }");
    assert_loc(doc->defs[0]->loc, 2, 3, 3, 28);
    assert_loc(doc->defs[0]->name.loc, 2, 12, 12, 13);
    assert_loc(doc->defs[0]->fields[0]->loc, 2, 16, 16, 26);
    assert_loc(doc->defs[0]->fields[0]->type->loc, 2, 23, 23, 26);
    doc = parse_ok("extend scalar S @a");
    assert_loc(doc->defs[0]->loc, 1, 1, 0, 18);
}

static void test_values(void **state) {
    (void)state;
    gql_errors errs;
    gql_errors_init(&errs, arena);
    static const struct {
        const char *src;
        gql_value_kind kind;
        const char *printed;
    } cases[] = {
        {"123", GQL_VALUE_INT, "123"},
        {"-0", GQL_VALUE_INT, "-0"},
        {"1.5e-3", GQL_VALUE_FLOAT, "1.5e-3"},
        {"\"s\"", GQL_VALUE_STRING, "\"s\""},
        {"\"\"\"  b\"\"\"", GQL_VALUE_STRING, "B\"  b\""},
        {"true", GQL_VALUE_BOOLEAN, "true"},
        {"false", GQL_VALUE_BOOLEAN, "false"},
        {"null", GQL_VALUE_NULL, "null"},
        {"RED", GQL_VALUE_ENUM, "RED"},
        {"nullish", GQL_VALUE_ENUM, "nullish"},
        {"$var", GQL_VALUE_VARIABLE, "$var"},
        {"[]", GQL_VALUE_LIST, "[]"},
        {"{}", GQL_VALUE_OBJECT, "{}"},
        {"[123 \"abc\" [$x] {a: [null]}]", GQL_VALUE_LIST, "[123,\"abc\",[$x],{a:[null]}]"},
        {" { a : 1 , b : { c : TRUE } } ", GQL_VALUE_OBJECT, "{a:1,b:{c:TRUE}}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gql_value *v = gql_parse_value(arena, cases[i].src, strlen(cases[i].src), &errs);
        if (!v) fail_msg("value %s: %s", cases[i].src, errs.head->message);
        assert_int_equal(v->kind, cases[i].kind);
        assert_string_equal(value_str(v), cases[i].printed);
    }
    gql_value *v = gql_parse_value(arena, "\"a\\u0000b\"", 10, &errs);
    assert_non_null(v);
    assert_int_equal(v->str_len, 3);
    assert_memory_equal(v->str, "a\0b", 4);
    v = gql_parse_value(arena, "false", 5, &errs);
    assert_false(v->boolean);
    assert_int_equal(errs.count, 0);

    /* not NUL-terminated: only len bytes are read */
    v = gql_parse_value(arena, "12345", 3, &errs);
    assert_string_equal(v->str, "123");

    assert_null(gql_parse_value(arena, "1 2", 3, &errs));
    assert_int_equal(errs.count, 1);
    assert_string_equal(errs.head->message, "Syntax Error: Expected <EOF>, found Int \"2\".");
    assert_string_equal(errs.head->code, GQL_CODE_GRAPHQL_PARSE_FAILED);
    gql_errors_init(&errs, arena);
    assert_null(gql_parse_value(arena, "", 0, &errs));
    assert_string_equal(errs.head->message, "Syntax Error: Unexpected <EOF>.");
    gql_errors_init(&errs, arena);
    assert_null(gql_parse_value(arena, "[1", 2, &errs));
    assert_string_equal(errs.head->message, "Syntax Error: Unexpected <EOF>.");
    assert_int_equal(errs.head->locations[0].column, 3);
    gql_errors_init(&errs, arena);
    assert_null(gql_parse_value(arena, "{a 1}", 5, &errs));
    assert_string_equal(errs.head->message, "Syntax Error: Expected \":\", found Int \"1\".");
}

static void test_syntax_errors(void **state) {
    (void)state;
    static const struct {
        const char *src;
        const char *msg;
        uint32_t line, column;
    } cases[] = {
        {"", "Syntax Error: Unexpected <EOF>.", 1, 1},
        {"  # only a comment\n", "Syntax Error: Unexpected <EOF>.", 2, 1},
        {"{", "Syntax Error: Expected Name, found <EOF>.", 1, 2},
        {"{}", "Syntax Error: Expected Name, found \"}\".", 1, 2},
        {"{ a }}", "Syntax Error: Unexpected \"}\".", 1, 6},
        {"{ ...MissingOn }\nfragment MissingOn Type", "Syntax Error: Expected \"on\", found Name \"Type\".", 2, 20},
        {"{ field: {} }", "Syntax Error: Expected Name, found \"{\".", 1, 10},
        {"notAnOperation Foo { field }", "Syntax Error: Unexpected Name \"notAnOperation\".", 1, 1},
        {"...", "Syntax Error: Unexpected \"...\".", 1, 1},
        {"{ \"\"", "Syntax Error: Expected Name, found String \"\".", 1, 3},
        {"{ \"\"\"a\"\"\" }", "Syntax Error: Expected Name, found BlockString \"a\".", 1, 3},
        {"query", "Syntax Error: Expected \"{\", found <EOF>.", 1, 6},
        {"query Foo", "Syntax Error: Expected \"{\", found <EOF>.", 1, 10},
        {"query Foo($a) { f }", "Syntax Error: Expected \":\", found \")\".", 1, 13},
        {"query Foo() { f }", "Syntax Error: Expected \"$\", found \")\".", 1, 11},
        {"query Foo($a: ) { f }", "Syntax Error: Expected Name, found \")\".", 1, 15},
        {"query Q($x: [Int) { a }", "Syntax Error: Expected \"]\", found \")\".", 1, 17},
        {"query Q($x: Int!!) { a }", "Syntax Error: Expected \"$\", found \"!\".", 1, 17},
        {"query Foo($x: Complex = { a: { b: [ $var ] } }) { field }",
         "Syntax Error: Unexpected variable \"$var\" in constant value.", 1, 37},
        {"query Foo($x: Int = $) { field }", "Syntax Error: Unexpected \"$\".", 1, 21},
        {"query Q($x: Int @d(a: $y)) { f }", "Syntax Error: Unexpected variable \"$y\" in constant value.", 1, 23},
        {"fragment on on on { on }", "Syntax Error: Unexpected Name \"on\".", 1, 10},
        {"{ ...on }", "Syntax Error: Expected Name, found \"}\".", 1, 9},
        {"{ ... on T }", "Syntax Error: Expected \"{\", found \"}\".", 1, 12},
        {"{ ... @d }", "Syntax Error: Expected \"{\", found \"}\".", 1, 10},
        {"{ f(a: ) }", "Syntax Error: Unexpected \")\".", 1, 8},
        {"{ f() }", "Syntax Error: Expected Name, found \")\".", 1, 5},
        {"{ f(a: $) }", "Syntax Error: Expected Name, found \")\".", 1, 9},
        {"{ f(a: 1 }", "Syntax Error: Expected Name, found \"}\".", 1, 10},
        {"{ f(a 1) }", "Syntax Error: Expected \":\", found Int \"1\".", 1, 7},
        {"{ f(a: [1 2) }", "Syntax Error: Unexpected \")\".", 1, 12},
        {"{ f(a: {b 1}) }", "Syntax Error: Expected \":\", found Int \"1\".", 1, 11},
        {"{ f @ }", "Syntax Error: Expected Name, found \"}\".", 1, 7},
        {"{ f @skip(if: true }", "Syntax Error: Expected Name, found \"}\".", 1, 20},
        {"{ a: }", "Syntax Error: Expected Name, found \"}\".", 1, 6},
        {"{ a: 1 }", "Syntax Error: Expected Name, found Int \"1\".", 1, 6},
        {"{ f(a: 00) }", "Syntax Error: Invalid number, unexpected digit after 0: \"0\".", 1, 9},
        {"{ f(a: \"x) }", "Syntax Error: Unterminated string.", 1, 13},
        {"{ f }\n\n  %", "Syntax Error: Unexpected character: \"%\".", 3, 3},
        {"mutation: { a }", "Syntax Error: Expected \"{\", found \":\".", 1, 9},
        {"subscription S($x: Int) @ { a }", "Syntax Error: Expected Name, found \"{\".", 1, 27},
        {"query @ { a }", "Syntax Error: Expected Name, found \"{\".", 1, 9},
        {"{ a } extend foo", "Syntax Error: Unexpected Name \"foo\".", 1, 14},
        {"{ a } fragment", "Syntax Error: Expected Name, found <EOF>.", 1, 15},
        {"fragment F { a }", "Syntax Error: Expected \"on\", found \"{\".", 1, 12},
        {"fragment F on { a }", "Syntax Error: Expected Name, found \"{\".", 1, 15},
        {"fragment F on T", "Syntax Error: Expected \"{\", found <EOF>.", 1, 16},
        {"\"desc\" query { a }",
         "Syntax Error: Unexpected description, descriptions are supported only on type definitions.", 1, 1},
        {"\"desc\" fragment F on T { a }",
         "Syntax Error: Unexpected description, descriptions are supported only on type definitions.", 1, 1},
        {"\"desc\" extend type T @d",
         "Syntax Error: Unexpected description, descriptions are supported only on type definitions.", 1, 1},
        {"\"desc\" { a }", "Syntax Error: Unexpected \"{\".", 1, 8},
        {"\"desc\"", "Syntax Error: Unexpected <EOF>.", 1, 7},
        {"\"desc\" \"more\" type T", "Syntax Error: Unexpected String \"more\".", 1, 8},
        {"\"desc\" ?", "Syntax Error: Unexpected character: \"?\".", 1, 8},
        {"type", "Syntax Error: Expected Name, found <EOF>.", 1, 5},
        {"type Foo {}", "Syntax Error: Expected Name, found \"}\".", 1, 11},
        {"type Foo { f }", "Syntax Error: Expected \":\", found \"}\".", 1, 14},
        {"type Foo { f: }", "Syntax Error: Expected Name, found \"}\".", 1, 15},
        {"type Foo { f(): Int }", "Syntax Error: Expected Name, found \")\".", 1, 14},
        {"type Foo { f(a: Int = $x): Int }", "Syntax Error: Unexpected variable \"$x\" in constant value.", 1, 23},
        {"type Foo { f: Int @d(a: $x) }", "Syntax Error: Unexpected variable \"$x\" in constant value.", 1, 25},
        {"type Foo @d(a: $x)", "Syntax Error: Unexpected variable \"$x\" in constant value.", 1, 16},
        {"type A implements { f: Int }", "Syntax Error: Expected Name, found \"{\".", 1, 19},
        {"type A implements B & { f: Int }", "Syntax Error: Expected Name, found \"{\".", 1, 23},
        {"type A implements B, C { f: Int }", "Syntax Error: Unexpected Name \"C\".", 1, 22},
        {"type A implements & & B", "Syntax Error: Expected Name, found \"&\".", 1, 21},
        {"interface I implements", "Syntax Error: Expected Name, found <EOF>.", 1, 23},
        {"union U =", "Syntax Error: Expected Name, found <EOF>.", 1, 10},
        {"union U = | | A", "Syntax Error: Expected Name, found \"|\".", 1, 13},
        {"union U = A |", "Syntax Error: Expected Name, found <EOF>.", 1, 14},
        {"union U = A B", "Syntax Error: Unexpected Name \"B\".", 1, 13},
        {"enum E { true }", "Syntax Error: Name \"true\" is reserved and cannot be used for an enum value.", 1, 10},
        {"enum E { A false }", "Syntax Error: Name \"false\" is reserved and cannot be used for an enum value.", 1, 12},
        {"enum E { \"d\" null }", "Syntax Error: Name \"null\" is reserved and cannot be used for an enum value.", 1,
         14},
        {"enum E {}", "Syntax Error: Expected Name, found \"}\".", 1, 9},
        {"enum E { A: Int }", "Syntax Error: Expected Name, found \":\".", 1, 11},
        {"input I { f: Int = $v }", "Syntax Error: Unexpected variable \"$v\" in constant value.", 1, 20},
        {"input I { f(a: Int): Int }", "Syntax Error: Expected \":\", found \"(\".", 1, 12},
        {"input I {}", "Syntax Error: Expected Name, found \"}\".", 1, 10},
        {"scalar", "Syntax Error: Expected Name, found <EOF>.", 1, 7},
        {"schema", "Syntax Error: Expected \"{\", found <EOF>.", 1, 7},
        {"schema {}", "Syntax Error: Expected Name, found \"}\".", 1, 9},
        {"schema { query }", "Syntax Error: Expected \":\", found \"}\".", 1, 16},
        {"schema { foo: Bar }", "Syntax Error: Unexpected Name \"foo\".", 1, 10},
        {"schema { query: [Q] }", "Syntax Error: Expected Name, found \"[\".", 1, 17},
        {"directive d on FIELD", "Syntax Error: Expected \"@\", found Name \"d\".", 1, 11},
        {"directive @d", "Syntax Error: Expected \"on\", found <EOF>.", 1, 13},
        {"directive @d on", "Syntax Error: Expected Name, found <EOF>.", 1, 16},
        {"directive @d on FIELD |", "Syntax Error: Expected Name, found <EOF>.", 1, 24},
        {"directive @d on | | FIELD", "Syntax Error: Expected Name, found \"|\".", 1, 19},
        {"directive @d on UNKNOWN", "Syntax Error: Unexpected Name \"UNKNOWN\".", 1, 17},
        {"directive @d on FIELD | field", "Syntax Error: Unexpected Name \"field\".", 1, 25},
        {"directive @d repeatable", "Syntax Error: Expected \"on\", found <EOF>.", 1, 24},
        {"directive @d on FIELD repeatable", "Syntax Error: Unexpected Name \"repeatable\".", 1, 23},
        {"directive @d(a: Int = $v) on FIELD", "Syntax Error: Unexpected variable \"$v\" in constant value.", 1, 23},
        {"extend", "Syntax Error: Unexpected <EOF>.", 1, 7},
        {"extend query { a }", "Syntax Error: Unexpected Name \"query\".", 1, 8},
        {"extend directive @d on FIELD", "Syntax Error: Unexpected Name \"directive\".", 1, 8},
        {"extend { a }", "Syntax Error: Unexpected \"{\".", 1, 8},
        {"extend schema", "Syntax Error: Unexpected <EOF>.", 1, 14},
        {"extend schema {}", "Syntax Error: Expected Name, found \"}\".", 1, 16},
        {"extend scalar S", "Syntax Error: Unexpected <EOF>.", 1, 16},
        {"extend type T", "Syntax Error: Unexpected <EOF>.", 1, 14},
        {"extend type T {}", "Syntax Error: Expected Name, found \"}\".", 1, 16},
        {"extend type T { a: Int }\nextend type U\nquery { q }", "Syntax Error: Unexpected Name \"query\".", 3, 1},
        {"extend interface I", "Syntax Error: Unexpected <EOF>.", 1, 19},
        {"extend union U", "Syntax Error: Unexpected <EOF>.", 1, 15},
        {"extend enum E", "Syntax Error: Unexpected <EOF>.", 1, 14},
        {"extend input I", "Syntax Error: Unexpected <EOF>.", 1, 15},
        {"extend type T @d(a: $x)", "Syntax Error: Unexpected variable \"$x\" in constant value.", 1, 21},
        {"type T { f: Int } extend scalar X { }", "Syntax Error: Unexpected \"{\".", 1, 35},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        syntax_error(cases[i].src, cases[i].msg, cases[i].line, cases[i].column);
}

static void test_not_nul_terminated(void **state) {
    (void)state;
    /* only len bytes are read, and the document's source is a NUL-terminated copy */
    char *buf = malloc(16);
    memcpy(buf, "{ abc }XXXXXXXXX", 16);
    gql_errors errs;
    gql_errors_init(&errs, arena);
    gql_document *doc = gql_parse(arena, buf, 7, NULL, &errs);
    assert_non_null(doc);
    assert_int_equal(doc->source_len, 7);
    assert_string_equal(doc->source, "{ abc }");
    assert_true(doc->source != buf);
    free(buf);
    assert_string_equal(doc->defs[0]->selection_set->items[0]->name.value, "abc");
    assert_int_equal(doc->token_count, 3);

    /* a NUL byte inside the document is an ordinary (unexpected) character */
    expect_error_n("{ a }\0{ b }", 11, NULL, GQL_CODE_GRAPHQL_PARSE_FAILED,
                   "Syntax Error: Unexpected character: U+0000.", 1, 6);
    expect_error_n("{ a(s: \"\xC3\") }", 13, NULL, GQL_CODE_GRAPHQL_PARSE_FAILED,
                   "Syntax Error: Invalid character within String: invalid UTF-8 byte 0xC3.", 1, 9);
}

/* The error lives in the error list's arena: a caller may free the document's arena first. */
static void test_error_outlives_document_arena(void **state) {
    (void)state;
    gql_errors errs;
    gql_errors_init(&errs, arena);
    static const char *const bad[] = {"{ a(x: \"\\q\") }", "{ a(x: $v) } fragment on", "\"d\" %",
                                      "type T { f: [[[Int]]] }"};
    for (size_t i = 0; i < 4; i++) {
        arena_t *doc_arena = arena_new();
        gql_parse_limits lim = {0, 0, 2};
        assert_null(gql_parse(doc_arena, bad[i], strlen(bad[i]), &lim, &errs));
        arena_free(doc_arena);
    }
    assert_int_equal(errs.count, 4);
    const gql_error *e = errs.head;
    assert_string_equal(e->message, "Syntax Error: Invalid character escape sequence: \"\\q\".");
    e = e->next;
    assert_string_equal(e->message, "Syntax Error: Unexpected Name \"on\".");
    assert_int_equal(e->locations[0].column, 23);
    e = e->next;
    assert_string_equal(e->message, "Syntax Error: Unexpected character: \"%\".");
    e = e->next;
    assert_string_equal(e->code, GQL_CODE_LIMIT_EXCEEDED);
    assert_int_equal(e->locations[0].column, 15);
}

static void test_limit_bytes(void **state) {
    (void)state;
    const char *src = "{ a b c }"; /* 9 bytes */
    gql_parse_limits lim = {9, 0, 0};
    assert_non_null(parse_limited(src, &lim));
    lim.max_bytes = 8;
    expect_error_n(src, 9, &lim, GQL_CODE_LIMIT_EXCEEDED,
                   "Syntax Error: Document is larger than 8 bytes. Parsing aborted.", 0, 0);
    /* checked before lexing: a lexical error past the limit is not reported */
    expect_error_n("{ a } %%%", 9, &lim, GQL_CODE_LIMIT_EXCEEDED,
                   "Syntax Error: Document is larger than 8 bytes. Parsing aborted.", 0, 0);
}

static void test_limit_tokens(void **state) {
    (void)state;
    const char *src = "{ a b c }"; /* 5 tokens */
    gql_parse_limits lim = {0, 5, 0};
    gql_document *doc = parse_limited(src, &lim);
    assert_int_equal(doc->token_count, 5);
    lim.max_tokens = 4;
    expect_error_n(src, strlen(src), &lim, GQL_CODE_LIMIT_EXCEEDED,
                   "Syntax Error: Document contains more than 4 tokens. Parsing aborted.", 1, 9);
    /* comments and ignored tokens are not counted */
    lim.max_tokens = 5;
    assert_non_null(parse_limited("# c\n{ a,,, b , c } # d", &lim));
    /* the lookahead past a description does not count twice */
    lim.max_tokens = 3;
    doc = parse_limited("\"d\" scalar S", &lim);
    assert_int_equal(doc->token_count, 3);
    lim.max_tokens = 2;
    expect_error_n("\"d\" scalar S", 12, &lim, GQL_CODE_LIMIT_EXCEEDED,
                   "Syntax Error: Document contains more than 2 tokens. Parsing aborted.", 1, 12);
    /* a huge flat document is stopped at the limit */
    size_t n = 200000;
    char *big = malloc(n * 2 + 3);
    big[0] = '{';
    for (size_t i = 0; i < n; i++) {
        big[1 + 2 * i] = ' ';
        big[2 + 2 * i] = 'a';
    }
    big[1 + 2 * n] = '}';
    big[2 + 2 * n] = '\0';
    lim.max_tokens = 1000;
    expect_error_n(big, strlen(big), &lim, GQL_CODE_LIMIT_EXCEEDED,
                   "Syntax Error: Document contains more than 1000 tokens. Parsing aborted.", 1, 2001);
    /* and without limits it parses, in linear time */
    doc = parse_ok(big);
    assert_int_equal(doc->defs[0]->selection_set->count, n);
    assert_int_equal(doc->token_count, n + 2);
    free(big);
}

/* src = prefix + open*n + middle + close*n + suffix (a heap string) */
static char *nest(const char *prefix, const char *open, size_t n, const char *middle, const char *close,
                  const char *suffix) {
    size_t lo = strlen(open), lc = strlen(close);
    size_t len = strlen(prefix) + n * (lo + lc) + strlen(middle) + strlen(suffix);
    char *s = malloc(len + 1);
    char *p = s;
    p = stpcpy(p, prefix);
    for (size_t i = 0; i < n; i++)
        p = stpcpy(p, open);
    p = stpcpy(p, middle);
    for (size_t i = 0; i < n; i++)
        p = stpcpy(p, close);
    stpcpy(p, suffix);
    return s;
}

static void test_limit_depth(void **state) {
    (void)state;
    gql_parse_limits lim = {0, 0, 3};
    assert_non_null(parse_limited("{ a { b { c } } }", &lim));
    assert_non_null(parse_limited("{ a(x: [[1]]) }", &lim));
    assert_non_null(parse_limited("{ a(x: {y: {z: 1}}) }", &lim));
    assert_non_null(parse_limited("query ($x: [[Int]]) { a }", &lim));
    assert_non_null(parse_limited("type T { f(a: [[Int!]!] = [[1]]): [[[Int]]] }", &lim));
    lim.max_depth = 2;
    const char *msg = "Syntax Error: Document is nested more than 2 levels deep. Parsing aborted.";
    expect_error_n("{ a { b { c } } }", 17, &lim, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 9);
    expect_error_n("{ a(x: [[1]]) }", 15, &lim, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 9);
    expect_error_n("{ a(x: {y: {z: 1}}) }", 21, &lim, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 12);
    expect_error_n("query ($x: [[[Int]]]) { a }", 27, &lim, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 14);
    expect_error_n("type T { f: [[[Int]]] }", 23, &lim, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 15);
    expect_error_n("{ ... { ... on T { a } } }", 26, &lim, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 18);
}

static void test_hostile_nesting(void **state) {
    (void)state;
    /* 100000 levels with no limit set: refused at the built-in bound, the stack never overflows */
    gql_parse_limits none = {0, 0, 0};
    gql_parse_limits big = {0, 0, 1000000};
    const char *msg = "Syntax Error: Document is nested more than 512 levels deep. Parsing aborted.";
    char *s = nest("{ a(x: ", "[", 100000, "", "", "");
    expect_error_n(s, strlen(s), NULL, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 519);
    expect_error_n(s, strlen(s), &none, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 519);
    expect_error_n(s, strlen(s), &big, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 519);
    free(s);
    s = nest("{ a(x: ", "{a:", 100000, "1", "}", ") }");
    expect_error_n(s, strlen(s), NULL, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 8 + 3 * 511);
    free(s);
    s = nest("query ($x: ", "[", 100000, "Int", "]", ") { a }");
    expect_error_n(s, strlen(s), NULL, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 12 + 512);
    free(s);
    s = nest("", "{ a ", 100000, "", "}", "");
    expect_error_n(s, strlen(s), NULL, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 1 + 4 * 512);
    free(s);
    s = nest("", "{...", 100000, "a", "}", "");
    expect_error_n(s, strlen(s), NULL, GQL_CODE_LIMIT_EXCEEDED, msg, 1, 1 + 4 * 512);
    free(s);
    /* exactly at the bound is fine */
    s = nest("{ a(x: ", "[", 511, "1", "]", ") }");
    assert_non_null(parse_ok(s));
    free(s);
}

static void test_directive_location_names(void **state) {
    (void)state;
    for (unsigned i = 0; i < GQL_DL_COUNT; i++) {
        const char *name = gql_directive_location_name(1u << i);
        assert_non_null(name);
        assert_int_equal(gql_directive_location_from_name(name), 1u << i);
    }
    assert_string_equal(gql_directive_location_name(GQL_DL_INPUT_FIELD_DEFINITION), "INPUT_FIELD_DEFINITION");
    assert_string_equal(gql_directive_location_name(GQL_DL_VARIABLE_DEFINITION), "VARIABLE_DEFINITION");
    assert_null(gql_directive_location_name(0));
    assert_null(gql_directive_location_name(GQL_DL_QUERY | GQL_DL_FIELD));
    assert_null(gql_directive_location_name(1u << GQL_DL_COUNT));
    assert_int_equal(gql_directive_location_from_name("field"), 0);
    assert_int_equal(gql_directive_location_from_name(""), 0);
    assert_int_equal(gql_directive_location_from_name(NULL), 0);

    /* every location parses in a directive definition */
    const char *src = "directive @all on QUERY | MUTATION | SUBSCRIPTION | FIELD | FRAGMENT_DEFINITION"
                      " | FRAGMENT_SPREAD"
                      " | INLINE_FRAGMENT | VARIABLE_DEFINITION | SCHEMA | SCALAR | OBJECT | FIELD_DEFINITION"
                      " | ARGUMENT_DEFINITION | INTERFACE | UNION | ENUM | ENUM_VALUE | INPUT_OBJECT"
                      " | INPUT_FIELD_DEFINITION";
    gql_document *doc = parse_ok(src);
    assert_int_equal(doc->defs[0]->locations, (1u << GQL_DL_COUNT) - 1);
    assert_int_equal(doc->defs[0]->nlocations, GQL_DL_COUNT);
}

static void test_keywords_as_names(void **state) {
    (void)state;
    /* keywords are ordinary names wherever a Name is expected */
    gql_document *doc = parse_ok("query query($query: query = query) @query { query: mutation(fragment: on)"
                                 " ... on type { schema } ...extend }"
                                 " fragment extend on subscription { true false null }");
    const gql_definition *q = doc->defs[0];
    assert_name(q->name, "query");
    assert_string_equal(type_str(q->vars[0]->type), "query");
    assert_string_equal(value_str(q->vars[0]->default_value), "query");
    const gql_selection *f = q->selection_set->items[0];
    assert_name(f->alias, "query");
    assert_name(f->name, "mutation");
    assert_string_equal(args_str(f->args, f->nargs), "(fragment:on)");
    assert_name(q->selection_set->items[1]->type_condition, "type");
    assert_name(q->selection_set->items[2]->name, "extend");
    assert_name(doc->defs[1]->name, "extend");
    assert_name(doc->defs[1]->selection_set->items[2]->name, "null");

    doc = parse_ok("type type implements interface { type(type: type = type): type } enum enum { on repeatable }");
    assert_name(doc->defs[0]->name, "type");
    assert_string_equal(names_str(doc->defs[0]->interfaces, doc->defs[0]->ninterfaces), "interface");
    assert_name(doc->defs[1]->values[0]->name, "on");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kitchen_sink_query),
        cmocka_unit_test(test_kitchen_sink_schema),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_error_outlives_document_arena),
        cmocka_unit_test(test_limit_bytes),
        cmocka_unit_test(test_limit_tokens),
        cmocka_unit_test(test_limit_depth),
        cmocka_unit_test(test_hostile_nesting),
        cmocka_unit_test(test_directive_location_names),
        cmocka_unit_test(test_keywords_as_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
