/* parser.c -- recursive descent parser for GraphQL documents (spec §2 Language and the type system
 * language of §3), following graphql-js language/parser.ts production by production so that
 * syntax errors carry the same messages ("Syntax Error: Expected Name, found "}".").
 *
 * The first error ends parsing: it is recorded in the caller's error list and control returns to
 * gql_parse() with longjmp. Nothing needs unwinding because every allocation lives in the arena.
 * Recursion depth is bounded (selection sets, list and object values, list types), so hostile
 * input cannot overflow the C stack. */
#include "graphql/language/parser.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include "graphql/language/lexer.h"

/* Nesting allowed when the caller sets no (or a larger) max_depth: deep enough for any sensible
 * document, shallow enough that the recursion stays well inside a small thread stack. */
#define GQL_PARSE_HARD_MAX_DEPTH 512

typedef struct {
    arena_t *a;
    gql_lexer lx;
    gql_errors *errs;
    jmp_buf jb;
    uint32_t ntokens;
    uint32_t max_tokens;
    uint32_t depth;
    uint32_t max_depth;
    uint32_t prev_end; /* end offset of the last consumed token, for node locations */
    /* Items of the lists being built, innermost last. Each list is copied out into an exactly
     * sized array when it ends, so a document costs no per-list doubling slack. */
    ptrvec_t scratch;
} parser;

/* A growable array of gql_name structs in the arena. */
typedef struct {
    gql_name *items;
    size_t count;
    size_t cap;
} namevec;

static void namevec_push(arena_t *a, namevec *v, gql_name n) {
    if (v->count == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 4;
        v->items = arena_realloc(a, v->items, v->cap * sizeof *v->items, ncap * sizeof *v->items);
        v->cap = ncap;
    }
    v->items[v->count++] = n;
}

static void scratch_push(parser *p, void *item) {
    ptrvec_push(p->a, &p->scratch, item);
}

/* Ends the list whose items were pushed since mark: copies them into an exactly sized arena array
 * (stored through items_out, a T*** for the list's element type) and pops them. */
static void scratch_take(parser *p, size_t mark, void *items_out, size_t *count_out) {
    size_t n = p->scratch.count - mark;
    void **items = NULL;
    if (n) {
        items = arena_alloc(p->a, n * sizeof *items);
        memcpy(items, p->scratch.items + mark, n * sizeof *items);
    }
    memcpy(items_out, &items, sizeof items);
    *count_out = n;
    p->scratch.count = mark;
}

static _Noreturn void fail_loc(parser *p, gql_loc loc, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static _Noreturn void fail_loc(parser *p, gql_loc loc, const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(p->a, fmt, ap);
    va_end(ap);
    gql_errors_add(p->errs, code, &loc, 1, NULL, "%s", msg);
    longjmp(p->jb, 1);
}

static gql_loc token_loc(const gql_token *t) {
    gql_loc loc = {t->line, t->column, t->start, t->end};
    return loc;
}

/* graphql-js getTokenDesc(): the kind (punctuators quoted) and the value when there is one. */
static const char *token_desc(parser *p, const gql_token *t) {
    if (gql_token_kind_is_punctuator(t->kind)) return arena_printf(p->a, "\"%s\"", gql_token_kind_str(t->kind));
    if (t->value) return arena_printf(p->a, "%s \"%.*s\"", gql_token_kind_str(t->kind), (int)t->value_len, t->value);
    return gql_token_kind_str(t->kind);
}

static _Noreturn void unexpected(parser *p, const gql_token *t) {
    fail_loc(p, token_loc(t), GQL_CODE_GRAPHQL_PARSE_FAILED, "Syntax Error: Unexpected %s.", token_desc(p, t));
}

static const gql_token *cur(parser *p) {
    return &p->lx.token;
}

/* Moves to the next token; counts it against max_tokens (graphql-js ParseOptions.maxTokens). */
static void advance(parser *p) {
    p->prev_end = p->lx.token.end;
    if (!gql_lexer_next(&p->lx)) fail_loc(p, p->lx.err_loc, GQL_CODE_GRAPHQL_PARSE_FAILED, "%s", p->lx.err_msg);
    if (p->lx.token.kind != GQL_TOK_EOF) {
        p->ntokens++;
        if (p->max_tokens && p->ntokens > p->max_tokens)
            fail_loc(p, token_loc(cur(p)), GQL_CODE_LIMIT_EXCEEDED,
                     "Syntax Error: Document contains more than %u tokens. Parsing aborted.", p->max_tokens);
    }
}

/* The token after the current one, without consuming anything. */
static gql_token lookahead(parser *p) {
    gql_lexer copy = p->lx;
    if (!gql_lexer_next(&copy)) fail_loc(p, copy.err_loc, GQL_CODE_GRAPHQL_PARSE_FAILED, "%s", copy.err_msg);
    return copy.token;
}

static bool peek(parser *p, gql_token_kind kind) {
    return p->lx.token.kind == kind;
}

static bool is_keyword(const gql_token *t, const char *kw) {
    size_t n = strlen(kw);
    return t->kind == GQL_TOK_NAME && t->value_len == n && memcmp(t->value, kw, n) == 0;
}

static gql_token expect(parser *p, gql_token_kind kind) {
    gql_token t = *cur(p);
    if (t.kind != kind) {
        const char *want = gql_token_kind_is_punctuator(kind) ? arena_printf(p->a, "\"%s\"", gql_token_kind_str(kind))
                                                              : gql_token_kind_str(kind);
        fail_loc(p, token_loc(&t), GQL_CODE_GRAPHQL_PARSE_FAILED, "Syntax Error: Expected %s, found %s.", want,
                 token_desc(p, &t));
    }
    advance(p);
    return t;
}

static bool expect_optional(parser *p, gql_token_kind kind) {
    if (!peek(p, kind)) return false;
    advance(p);
    return true;
}

static void expect_keyword(parser *p, const char *kw) {
    if (!is_keyword(cur(p), kw))
        fail_loc(p, token_loc(cur(p)), GQL_CODE_GRAPHQL_PARSE_FAILED, "Syntax Error: Expected \"%s\", found %s.", kw,
                 token_desc(p, cur(p)));
    advance(p);
}

static bool expect_optional_keyword(parser *p, const char *kw) {
    if (!is_keyword(cur(p), kw)) return false;
    advance(p);
    return true;
}

/* Location of a node starting at the current token; finish() fills in its end. */
static gql_loc start(parser *p) {
    return token_loc(cur(p));
}

static void finish(parser *p, gql_loc *loc) {
    loc->end = p->prev_end;
}

static void enter(parser *p) {
    if (++p->depth > p->max_depth)
        fail_loc(p, token_loc(cur(p)), GQL_CODE_LIMIT_EXCEEDED,
                 "Syntax Error: Document is nested more than %u levels deep. Parsing aborted.", p->max_depth);
}

static void leave(parser *p) {
    p->depth--;
}

/* Name (§2.1.9) */
static gql_name parse_name(parser *p) {
    gql_token t = expect(p, GQL_TOK_NAME);
    gql_name n = {arena_strndup(p->a, t.value, t.value_len), token_loc(&t)};
    return n;
}

static gql_value *parse_value(parser *p, bool is_const);

/* Arguments[Const] (§2.6): ( Argument+ ) */
static void parse_arguments(parser *p, bool is_const, gql_argument ***out, size_t *count) {
    if (!expect_optional(p, GQL_TOK_PAREN_L)) return;
    size_t mark = p->scratch.count;
    do {
        gql_argument *arg = arena_alloc(p->a, sizeof *arg);
        arg->loc = start(p);
        arg->name = parse_name(p);
        expect(p, GQL_TOK_COLON);
        arg->value = parse_value(p, is_const);
        finish(p, &arg->loc);
        scratch_push(p, arg);
    } while (!expect_optional(p, GQL_TOK_PAREN_R));
    scratch_take(p, mark, out, count);
}

/* Directives[Const] (§2.12): Directive+ where Directive : @ Name Arguments? */
static void parse_directives(parser *p, bool is_const, gql_directive ***out, size_t *count) {
    size_t mark = p->scratch.count;
    while (peek(p, GQL_TOK_AT)) {
        gql_directive *d = arena_alloc(p->a, sizeof *d);
        d->loc = start(p);
        advance(p);
        d->name = parse_name(p);
        parse_arguments(p, is_const, &d->args, &d->nargs);
        finish(p, &d->loc);
        scratch_push(p, d);
    }
    scratch_take(p, mark, out, count);
}

/* Value[Const] (§2.9). In a constant context a variable is an error (graphql-js wording). */
static gql_value *parse_value(parser *p, bool is_const) {
    gql_token t = *cur(p);
    gql_value *v = arena_alloc(p->a, sizeof *v);
    v->loc = start(p);
    switch (t.kind) {
    case GQL_TOK_BRACKET_L: {
        enter(p);
        advance(p);
        v->kind = GQL_VALUE_LIST;
        size_t mark = p->scratch.count;
        while (!expect_optional(p, GQL_TOK_BRACKET_R))
            scratch_push(p, parse_value(p, is_const));
        scratch_take(p, mark, &v->list.items, &v->list.count);
        leave(p);
        break;
    }
    case GQL_TOK_BRACE_L: {
        enter(p);
        advance(p);
        v->kind = GQL_VALUE_OBJECT;
        size_t mark = p->scratch.count;
        while (!expect_optional(p, GQL_TOK_BRACE_R)) {
            gql_object_field *f = arena_alloc(p->a, sizeof *f);
            f->loc = start(p);
            f->name = parse_name(p);
            expect(p, GQL_TOK_COLON);
            f->value = parse_value(p, is_const);
            finish(p, &f->loc);
            scratch_push(p, f);
        }
        scratch_take(p, mark, &v->object.fields, &v->object.count);
        leave(p);
        break;
    }
    case GQL_TOK_INT:
    case GQL_TOK_FLOAT:
        advance(p);
        v->kind = t.kind == GQL_TOK_INT ? GQL_VALUE_INT : GQL_VALUE_FLOAT;
        v->str = arena_strndup(p->a, t.value, t.value_len);
        v->str_len = t.value_len;
        break;
    case GQL_TOK_STRING:
    case GQL_TOK_BLOCK_STRING:
        advance(p);
        v->kind = GQL_VALUE_STRING;
        v->str = t.value;
        v->str_len = t.value_len;
        v->block = t.kind == GQL_TOK_BLOCK_STRING;
        break;
    case GQL_TOK_NAME:
        advance(p);
        if (is_keyword(&t, "true") || is_keyword(&t, "false")) {
            v->kind = GQL_VALUE_BOOLEAN;
            v->boolean = is_keyword(&t, "true");
        } else if (is_keyword(&t, "null")) {
            v->kind = GQL_VALUE_NULL;
        } else {
            v->kind = GQL_VALUE_ENUM;
            v->str = arena_strndup(p->a, t.value, t.value_len);
            v->str_len = t.value_len;
        }
        break;
    case GQL_TOK_DOLLAR:
        advance(p);
        if (is_const) {
            if (peek(p, GQL_TOK_NAME))
                fail_loc(p, token_loc(&t), GQL_CODE_GRAPHQL_PARSE_FAILED,
                         "Syntax Error: Unexpected variable \"$%.*s\" in constant value.", (int)cur(p)->value_len,
                         cur(p)->value);
            unexpected(p, &t);
        }
        v->kind = GQL_VALUE_VARIABLE;
        {
            gql_name n = parse_name(p);
            v->str = n.value;
            v->str_len = strlen(n.value);
        }
        break;
    default:
        unexpected(p, &t);
    }
    finish(p, &v->loc);
    return v;
}

/* Type (§2.11): NamedType, [Type], Type! */
static gql_typeref *parse_type(parser *p) {
    gql_typeref *t = arena_alloc(p->a, sizeof *t);
    t->loc = start(p);
    if (peek(p, GQL_TOK_BRACKET_L)) {
        enter(p);
        advance(p);
        t->kind = GQL_TYPEREF_LIST;
        t->of = parse_type(p);
        expect(p, GQL_TOK_BRACKET_R);
        leave(p);
    } else {
        t->kind = GQL_TYPEREF_NAMED;
        t->name = parse_name(p);
    }
    finish(p, &t->loc);
    if (expect_optional(p, GQL_TOK_BANG)) {
        gql_typeref *nn = arena_alloc(p->a, sizeof *nn);
        nn->kind = GQL_TYPEREF_NON_NULL;
        nn->loc = t->loc;
        nn->of = t;
        finish(p, &nn->loc);
        return nn;
    }
    return t;
}

static gql_selection_set *parse_selection_set(parser *p);

/* FragmentName (§2.8): Name but not `on` */
static gql_name parse_fragment_name(parser *p) {
    if (is_keyword(cur(p), "on")) unexpected(p, cur(p));
    return parse_name(p);
}

/* Selection (§2.4): Field, FragmentSpread or InlineFragment */
static gql_selection *parse_selection(parser *p) {
    gql_selection *s = arena_alloc(p->a, sizeof *s);
    s->loc = start(p);
    if (expect_optional(p, GQL_TOK_SPREAD)) {
        bool has_type_condition = expect_optional_keyword(p, "on");
        if (!has_type_condition && peek(p, GQL_TOK_NAME)) {
            s->kind = GQL_SEL_FRAGMENT_SPREAD;
            s->name = parse_fragment_name(p);
            parse_directives(p, false, &s->directives, &s->ndirectives);
        } else {
            s->kind = GQL_SEL_INLINE_FRAGMENT;
            if (has_type_condition) s->type_condition = parse_name(p);
            parse_directives(p, false, &s->directives, &s->ndirectives);
            s->selection_set = parse_selection_set(p);
        }
    } else {
        s->kind = GQL_SEL_FIELD;
        gql_name first = parse_name(p);
        if (expect_optional(p, GQL_TOK_COLON)) {
            s->alias = first;
            s->name = parse_name(p);
        } else {
            s->name = first;
        }
        parse_arguments(p, false, &s->args, &s->nargs);
        parse_directives(p, false, &s->directives, &s->ndirectives);
        if (peek(p, GQL_TOK_BRACE_L)) s->selection_set = parse_selection_set(p);
    }
    finish(p, &s->loc);
    return s;
}

/* SelectionSet (§2.4): { Selection+ } */
static gql_selection_set *parse_selection_set(parser *p) {
    gql_selection_set *ss = arena_alloc(p->a, sizeof *ss);
    ss->loc = start(p);
    enter(p);
    expect(p, GQL_TOK_BRACE_L);
    size_t mark = p->scratch.count;
    do {
        scratch_push(p, parse_selection(p));
    } while (!expect_optional(p, GQL_TOK_BRACE_R));
    leave(p);
    scratch_take(p, mark, &ss->items, &ss->count);
    finish(p, &ss->loc);
    return ss;
}

/* OperationType (§2.3): query | mutation | subscription */
static gql_op_type parse_operation_type(parser *p) {
    gql_token t = expect(p, GQL_TOK_NAME);
    if (is_keyword(&t, "query")) return GQL_OP_QUERY;
    if (is_keyword(&t, "mutation")) return GQL_OP_MUTATION;
    if (is_keyword(&t, "subscription")) return GQL_OP_SUBSCRIPTION;
    unexpected(p, &t);
}

/* VariableDefinitions (§2.10): ( VariableDefinition+ ) */
static void parse_variable_definitions(parser *p, gql_definition *def) {
    if (!expect_optional(p, GQL_TOK_PAREN_L)) return;
    size_t mark = p->scratch.count;
    do {
        gql_variable_def *vd = arena_alloc(p->a, sizeof *vd);
        vd->loc = start(p);
        gql_loc name_loc = start(p);
        expect(p, GQL_TOK_DOLLAR);
        vd->variable = parse_name(p);
        finish(p, &name_loc);
        vd->variable.loc = name_loc;
        expect(p, GQL_TOK_COLON);
        vd->type = parse_type(p);
        if (expect_optional(p, GQL_TOK_EQUALS)) vd->default_value = parse_value(p, true);
        parse_directives(p, true, &vd->directives, &vd->ndirectives);
        finish(p, &vd->loc);
        scratch_push(p, vd);
    } while (!expect_optional(p, GQL_TOK_PAREN_R));
    scratch_take(p, mark, &def->vars, &def->nvars);
}

static gql_definition *new_def(parser *p, gql_def_kind kind, gql_loc loc) {
    gql_definition *d = arena_alloc(p->a, sizeof *d);
    d->kind = kind;
    d->loc = loc;
    return d;
}

/* OperationDefinition (§2.3), including the query shorthand `{ ... }` */
static gql_definition *parse_operation_definition(parser *p) {
    gql_definition *d = new_def(p, GQL_DEF_OPERATION, start(p));
    if (peek(p, GQL_TOK_BRACE_L)) {
        d->operation = GQL_OP_QUERY;
    } else {
        d->operation = parse_operation_type(p);
        if (peek(p, GQL_TOK_NAME)) d->name = parse_name(p);
        parse_variable_definitions(p, d);
        parse_directives(p, false, &d->directives, &d->ndirectives);
    }
    d->selection_set = parse_selection_set(p);
    finish(p, &d->loc);
    return d;
}

/* FragmentDefinition (§2.8): fragment FragmentName TypeCondition Directives? SelectionSet */
static gql_definition *parse_fragment_definition(parser *p) {
    gql_definition *d = new_def(p, GQL_DEF_FRAGMENT, start(p));
    expect_keyword(p, "fragment");
    d->name = parse_fragment_name(p);
    expect_keyword(p, "on");
    d->type_condition = parse_name(p);
    parse_directives(p, false, &d->directives, &d->ndirectives);
    d->selection_set = parse_selection_set(p);
    finish(p, &d->loc);
    return d;
}

/* Description (§3.2): an optional StringValue before a type system definition */
static const char *parse_description(parser *p) {
    if (!peek(p, GQL_TOK_STRING) && !peek(p, GQL_TOK_BLOCK_STRING)) return NULL;
    const char *s = cur(p)->value;
    advance(p);
    return s;
}

/* InputValueDefinition (§3.6.1): Description? Name : Type DefaultValue? Directives[Const]? */
static gql_input_value_def *parse_input_value_def(parser *p) {
    gql_input_value_def *iv = arena_alloc(p->a, sizeof *iv);
    iv->loc = start(p);
    iv->description = parse_description(p);
    iv->name = parse_name(p);
    expect(p, GQL_TOK_COLON);
    iv->type = parse_type(p);
    if (expect_optional(p, GQL_TOK_EQUALS)) iv->default_value = parse_value(p, true);
    parse_directives(p, true, &iv->directives, &iv->ndirectives);
    finish(p, &iv->loc);
    return iv;
}

/* ArgumentsDefinition (§3.6.1) or InputFieldsDefinition (§3.10): open InputValueDefinition+ close */
static void parse_input_values(parser *p, gql_token_kind open, gql_token_kind close, gql_input_value_def ***out,
                               size_t *count) {
    if (!expect_optional(p, open)) return;
    size_t mark = p->scratch.count;
    do {
        scratch_push(p, parse_input_value_def(p));
    } while (!expect_optional(p, close));
    scratch_take(p, mark, out, count);
}

/* FieldsDefinition (§3.6): { FieldDefinition+ } */
static void parse_fields_definition(parser *p, gql_definition *d) {
    if (!expect_optional(p, GQL_TOK_BRACE_L)) return;
    size_t mark = p->scratch.count;
    do {
        gql_field_def *f = arena_alloc(p->a, sizeof *f);
        f->loc = start(p);
        f->description = parse_description(p);
        f->name = parse_name(p);
        parse_input_values(p, GQL_TOK_PAREN_L, GQL_TOK_PAREN_R, &f->args, &f->nargs);
        expect(p, GQL_TOK_COLON);
        f->type = parse_type(p);
        parse_directives(p, true, &f->directives, &f->ndirectives);
        finish(p, &f->loc);
        scratch_push(p, f);
    } while (!expect_optional(p, GQL_TOK_BRACE_R));
    scratch_take(p, mark, &d->fields, &d->nfields);
}

/* ImplementsInterfaces (§3.6): implements &? NamedType (& NamedType)* */
static void parse_implements(parser *p, gql_definition *d) {
    if (!expect_optional_keyword(p, "implements")) return;
    namevec v = {0};
    expect_optional(p, GQL_TOK_AMP);
    do {
        namevec_push(p->a, &v, parse_name(p));
    } while (expect_optional(p, GQL_TOK_AMP));
    d->interfaces = v.items;
    d->ninterfaces = v.count;
}

/* UnionMemberTypes (§3.8): = |? NamedType (| NamedType)* */
static void parse_union_members(parser *p, gql_definition *d) {
    if (!expect_optional(p, GQL_TOK_EQUALS)) return;
    namevec v = {0};
    expect_optional(p, GQL_TOK_PIPE);
    do {
        namevec_push(p->a, &v, parse_name(p));
    } while (expect_optional(p, GQL_TOK_PIPE));
    d->members = v.items;
    d->nmembers = v.count;
}

/* EnumValuesDefinition (§3.9): { EnumValueDefinition+ }; an enum value is a Name but not true,
 * false or null. */
static void parse_enum_values(parser *p, gql_definition *d) {
    if (!expect_optional(p, GQL_TOK_BRACE_L)) return;
    size_t mark = p->scratch.count;
    do {
        gql_enum_value_def *ev = arena_alloc(p->a, sizeof *ev);
        ev->loc = start(p);
        ev->description = parse_description(p);
        const gql_token *t = cur(p);
        if (is_keyword(t, "true") || is_keyword(t, "false") || is_keyword(t, "null"))
            fail_loc(p, token_loc(t), GQL_CODE_GRAPHQL_PARSE_FAILED,
                     "Syntax Error: %s is reserved and cannot be used for an enum value.", token_desc(p, t));
        ev->name = parse_name(p);
        parse_directives(p, true, &ev->directives, &ev->ndirectives);
        finish(p, &ev->loc);
        scratch_push(p, ev);
    } while (!expect_optional(p, GQL_TOK_BRACE_R));
    scratch_take(p, mark, &d->values, &d->nvalues);
}

/* RootOperationTypeDefinition+ inside { } (§3.3) */
static void parse_root_operations(parser *p, gql_definition *d, bool required) {
    if (required)
        expect(p, GQL_TOK_BRACE_L);
    else if (!expect_optional(p, GQL_TOK_BRACE_L))
        return;
    size_t mark = p->scratch.count;
    do {
        gql_root_operation_def *r = arena_alloc(p->a, sizeof *r);
        r->loc = start(p);
        r->operation = parse_operation_type(p);
        expect(p, GQL_TOK_COLON);
        r->type = parse_name(p);
        finish(p, &r->loc);
        scratch_push(p, r);
    } while (!expect_optional(p, GQL_TOK_BRACE_R));
    scratch_take(p, mark, &d->root_ops, &d->nroot_ops);
}

/* DirectiveLocations (§3.13): |? DirectiveLocation (| DirectiveLocation)* */
static void parse_directive_locations(parser *p, gql_definition *d) {
    namevec v = {0};
    expect_optional(p, GQL_TOK_PIPE);
    do {
        gql_token t = *cur(p);
        gql_name n = parse_name(p);
        uint32_t bit = gql_directive_location_from_name(n.value);
        if (!bit) unexpected(p, &t);
        d->locations |= bit;
        namevec_push(p->a, &v, n);
    } while (expect_optional(p, GQL_TOK_PIPE));
    d->location_names = v.items;
    d->nlocations = v.count;
}

/* The body of a type definition or extension after its keyword (§3.4-§3.10). For an extension
 * at least one part must be present (graphql-js throws "Unexpected" on the following token). */
static void parse_type_body(parser *p, gql_definition *d) {
    switch (d->kind) {
    case GQL_DEF_SCHEMA:
        parse_directives(p, true, &d->directives, &d->ndirectives);
        parse_root_operations(p, d, !d->extension);
        if (d->extension && !d->ndirectives && !d->nroot_ops) unexpected(p, cur(p));
        return;
    case GQL_DEF_SCALAR:
        d->name = parse_name(p);
        parse_directives(p, true, &d->directives, &d->ndirectives);
        if (d->extension && !d->ndirectives) unexpected(p, cur(p));
        return;
    case GQL_DEF_OBJECT:
    case GQL_DEF_INTERFACE:
        d->name = parse_name(p);
        parse_implements(p, d);
        parse_directives(p, true, &d->directives, &d->ndirectives);
        parse_fields_definition(p, d);
        if (d->extension && !d->ninterfaces && !d->ndirectives && !d->nfields) unexpected(p, cur(p));
        return;
    case GQL_DEF_UNION:
        d->name = parse_name(p);
        parse_directives(p, true, &d->directives, &d->ndirectives);
        parse_union_members(p, d);
        if (d->extension && !d->ndirectives && !d->nmembers) unexpected(p, cur(p));
        return;
    case GQL_DEF_ENUM:
        d->name = parse_name(p);
        parse_directives(p, true, &d->directives, &d->ndirectives);
        parse_enum_values(p, d);
        if (d->extension && !d->ndirectives && !d->nvalues) unexpected(p, cur(p));
        return;
    case GQL_DEF_INPUT_OBJECT:
        d->name = parse_name(p);
        parse_directives(p, true, &d->directives, &d->ndirectives);
        parse_input_values(p, GQL_TOK_BRACE_L, GQL_TOK_BRACE_R, &d->input_fields, &d->ninput_fields);
        if (d->extension && !d->ndirectives && !d->ninput_fields) unexpected(p, cur(p));
        return;
    case GQL_DEF_DIRECTIVE:
        expect(p, GQL_TOK_AT);
        d->name = parse_name(p);
        parse_input_values(p, GQL_TOK_PAREN_L, GQL_TOK_PAREN_R, &d->input_fields, &d->ninput_fields);
        d->repeatable = expect_optional_keyword(p, "repeatable");
        expect_keyword(p, "on");
        parse_directive_locations(p, d);
        return;
    case GQL_DEF_OPERATION:
    case GQL_DEF_FRAGMENT:
        break;
    }
}

/* The definition kind introduced by a type system keyword; OPERATION when it is none. */
static gql_def_kind type_system_kind(const gql_token *t) {
    static const struct {
        const char *kw;
        gql_def_kind kind;
    } kws[] = {
        {"schema", GQL_DEF_SCHEMA},       {"scalar", GQL_DEF_SCALAR},       {"type", GQL_DEF_OBJECT},
        {"interface", GQL_DEF_INTERFACE}, {"union", GQL_DEF_UNION},         {"enum", GQL_DEF_ENUM},
        {"input", GQL_DEF_INPUT_OBJECT},  {"directive", GQL_DEF_DIRECTIVE},
    };
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (is_keyword(t, kws[i].kw)) return kws[i].kind;
    return GQL_DEF_OPERATION;
}

/* TypeSystemDefinition (§3.1) with its optional description (§3.2) */
static gql_definition *parse_type_system_definition(parser *p, gql_def_kind kind) {
    gql_definition *d = new_def(p, kind, start(p));
    d->description = parse_description(p);
    advance(p); /* the keyword, already checked by the caller */
    parse_type_body(p, d);
    finish(p, &d->loc);
    return d;
}

/* TypeSystemExtension (§3.1): extend schema|scalar|type|interface|union|enum|input ... */
static gql_definition *parse_type_system_extension(parser *p) {
    gql_token kw = lookahead(p);
    gql_def_kind kind = type_system_kind(&kw);
    if (kind == GQL_DEF_OPERATION || kind == GQL_DEF_DIRECTIVE) unexpected(p, &kw);
    gql_definition *d = new_def(p, kind, start(p));
    d->extension = true;
    advance(p); /* extend */
    advance(p); /* the keyword */
    parse_type_body(p, d);
    finish(p, &d->loc);
    return d;
}

/* Definition (§2.2): graphql-js parseDefinition(), which looks past a description to the keyword. */
static gql_definition *parse_definition(parser *p) {
    if (peek(p, GQL_TOK_BRACE_L)) return parse_operation_definition(p);
    bool has_description = peek(p, GQL_TOK_STRING) || peek(p, GQL_TOK_BLOCK_STRING);
    gql_token kw = has_description ? lookahead(p) : *cur(p);
    if (kw.kind == GQL_TOK_NAME) {
        gql_def_kind kind = type_system_kind(&kw);
        if (kind != GQL_DEF_OPERATION) return parse_type_system_definition(p, kind);
        if (has_description)
            fail_loc(p, token_loc(cur(p)), GQL_CODE_GRAPHQL_PARSE_FAILED,
                     "Syntax Error: Unexpected description, descriptions are supported only on type definitions.");
        if (is_keyword(&kw, "query") || is_keyword(&kw, "mutation") || is_keyword(&kw, "subscription"))
            return parse_operation_definition(p);
        if (is_keyword(&kw, "fragment")) return parse_fragment_definition(p);
        if (is_keyword(&kw, "extend")) return parse_type_system_extension(p);
    }
    unexpected(p, &kw);
}

static void init_parser(parser *p, arena_t *a, const char *src, size_t len, gql_errors *errs) {
    p->a = a;
    p->errs = errs;
    p->max_depth = GQL_PARSE_HARD_MAX_DEPTH;
    gql_lexer_init(&p->lx, a, src, len);
}

static bool too_large(gql_errors *errs, size_t len, size_t max) {
    if (len <= max) return false;
    gql_errors_add(errs, GQL_CODE_LIMIT_EXCEEDED, NULL, 0, NULL,
                   "Syntax Error: Document is larger than %zu bytes. Parsing aborted.", max);
    return true;
}

/* Document (§2.2): Definition+ */
gql_document *gql_parse(arena_t *a, const char *src, size_t len, const gql_parse_limits *limits, gql_errors *errs) {
    size_t max_bytes = UINT32_MAX - 1; /* locations are 32-bit offsets */
    if (limits && limits->max_bytes && limits->max_bytes < max_bytes) max_bytes = limits->max_bytes;
    if (too_large(errs, len, max_bytes)) return NULL;

    gql_document *doc = arena_alloc(a, sizeof *doc);
    char *copy = arena_alloc_uninit(a, len + 1);
    if (len) memcpy(copy, src, len);
    copy[len] = '\0';
    doc->source = copy;
    doc->source_len = len;

    parser *p = arena_alloc(a, sizeof *p);
    init_parser(p, a, copy, len, errs);
    if (limits) {
        p->max_tokens = limits->max_tokens;
        if (limits->max_depth && limits->max_depth < p->max_depth) p->max_depth = limits->max_depth;
    }
    if (setjmp(p->jb)) return NULL;

    advance(p);
    size_t mark = p->scratch.count;
    do {
        scratch_push(p, parse_definition(p));
    } while (!expect_optional(p, GQL_TOK_EOF));
    scratch_take(p, mark, &doc->defs, &doc->ndefs);
    doc->token_count = p->ntokens;
    return doc;
}

/* graphql-js parseValue(): one Value (variables allowed), then the end of the source. */
gql_value *gql_parse_value(arena_t *a, const char *src, size_t len, gql_errors *errs) {
    if (too_large(errs, len, UINT32_MAX - 1)) return NULL;
    char *copy = arena_alloc_uninit(a, len + 1);
    if (len) memcpy(copy, src, len);
    copy[len] = '\0';
    parser *p = arena_alloc(a, sizeof *p);
    init_parser(p, a, copy, len, errs);
    if (setjmp(p->jb)) return NULL;
    advance(p);
    gql_value *v = parse_value(p, false);
    expect(p, GQL_TOK_EOF);
    return v;
}
