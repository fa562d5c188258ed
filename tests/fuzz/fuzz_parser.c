/* fuzz_parser.c -- libFuzzer target for the GraphQL lexer and parser.
 *
 * Each input is lexed token by token and parsed as a document (with limits) and as a single value,
 * each on a fresh arena. Besides the sanitizers' checks it asserts the parser's contract: either a
 * document and no error, or no document and exactly one error; tokens in source order; and, walking
 * the whole AST, every node's location inside the source and inside its parent's. */
#include <stdint.h>
#include <stdlib.h>

#include "graphql/language/lexer.h"
#include "graphql/language/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok) {
    if (!ok) abort();
}

static void check_loc(const gql_loc *loc, size_t size) {
    check(loc->line >= 1 && loc->column >= 1);
    check(loc->start <= loc->end && loc->end <= size);
}

static void fuzz_lexer(const char *src, size_t size) {
    arena_t *a = arena_new();
    gql_lexer lx;
    gql_lexer_init(&lx, a, src, size);
    lx.keep_comments = 1;
    uint32_t prev_end = 0;
    while (gql_lexer_next(&lx) && lx.token.kind != GQL_TOK_EOF) {
        check(lx.token.start >= prev_end && lx.token.end > lx.token.start && lx.token.end <= size);
        prev_end = lx.token.end;
    }
    if (lx.err_msg) check(lx.err_loc.line >= 1 && lx.err_loc.column >= 1);
    arena_free(a);
}

/* A child's location must lie inside its parent's. */
static void check_inside(const gql_loc *child, const gql_loc *parent, size_t size) {
    check_loc(child, size);
    check(child->start >= parent->start && child->end <= parent->end);
}

static void walk_value(const gql_value *v, const gql_loc *parent, size_t size) {
    check_inside(&v->loc, parent, size);
    if (v->kind == GQL_VALUE_STRING || v->kind == GQL_VALUE_INT || v->kind == GQL_VALUE_FLOAT ||
        v->kind == GQL_VALUE_ENUM || v->kind == GQL_VALUE_VARIABLE)
        check(v->str != NULL && v->str[v->str_len] == '\0');
    for (size_t i = 0; i < v->list.count; i++)
        walk_value(v->list.items[i], &v->loc, size);
    for (size_t i = 0; i < v->object.count; i++) {
        check_inside(&v->object.fields[i]->loc, &v->loc, size);
        walk_value(v->object.fields[i]->value, &v->object.fields[i]->loc, size);
    }
}

static void walk_type(const gql_typeref *t, const gql_loc *parent, size_t size) {
    check_inside(&t->loc, parent, size);
    if (t->kind == GQL_TYPEREF_NAMED)
        check(t->name.value != NULL);
    else
        walk_type(t->of, &t->loc, size);
}

static void walk_directives(gql_directive **ds, size_t n, const gql_loc *parent, size_t size) {
    for (size_t i = 0; i < n; i++) {
        check_inside(&ds[i]->loc, parent, size);
        for (size_t j = 0; j < ds[i]->nargs; j++)
            walk_value(ds[i]->args[j]->value, &ds[i]->loc, size);
    }
}

static void walk_selection_set(const gql_selection_set *ss, const gql_loc *parent, size_t size) {
    check_inside(&ss->loc, parent, size);
    check(ss->count >= 1);
    for (size_t i = 0; i < ss->count; i++) {
        const gql_selection *s = ss->items[i];
        check_inside(&s->loc, &ss->loc, size);
        check(s->name.value != NULL || s->kind == GQL_SEL_INLINE_FRAGMENT);
        for (size_t j = 0; j < s->nargs; j++)
            walk_value(s->args[j]->value, &s->loc, size);
        walk_directives(s->directives, s->ndirectives, &s->loc, size);
        if (s->kind == GQL_SEL_INLINE_FRAGMENT) check(s->selection_set != NULL);
        if (s->selection_set) walk_selection_set(s->selection_set, &s->loc, size);
    }
}

static void walk_input_values(gql_input_value_def **ivs, size_t n, const gql_loc *parent, size_t size) {
    for (size_t i = 0; i < n; i++) {
        check_inside(&ivs[i]->loc, parent, size);
        walk_type(ivs[i]->type, &ivs[i]->loc, size);
        if (ivs[i]->default_value) walk_value(ivs[i]->default_value, &ivs[i]->loc, size);
        walk_directives(ivs[i]->directives, ivs[i]->ndirectives, &ivs[i]->loc, size);
    }
}

static void walk_definition(const gql_definition *d, size_t size) {
    check_loc(&d->loc, size);
    walk_directives(d->directives, d->ndirectives, &d->loc, size);
    for (size_t j = 0; j < d->nvars; j++) {
        check_inside(&d->vars[j]->loc, &d->loc, size);
        walk_type(d->vars[j]->type, &d->vars[j]->loc, size);
        if (d->vars[j]->default_value) walk_value(d->vars[j]->default_value, &d->vars[j]->loc, size);
    }
    if (d->kind == GQL_DEF_OPERATION || d->kind == GQL_DEF_FRAGMENT)
        walk_selection_set(d->selection_set, &d->loc, size);
    for (size_t j = 0; j < d->nfields; j++) {
        check_inside(&d->fields[j]->loc, &d->loc, size);
        walk_input_values(d->fields[j]->args, d->fields[j]->nargs, &d->fields[j]->loc, size);
        walk_type(d->fields[j]->type, &d->fields[j]->loc, size);
    }
    walk_input_values(d->input_fields, d->ninput_fields, &d->loc, size);
    for (size_t j = 0; j < d->nvalues; j++)
        check_inside(&d->values[j]->loc, &d->loc, size);
    for (size_t j = 0; j < d->nroot_ops; j++)
        check_inside(&d->root_ops[j]->loc, &d->loc, size);
    for (size_t j = 0; j < d->ninterfaces; j++)
        check_inside(&d->interfaces[j].loc, &d->loc, size);
    for (size_t j = 0; j < d->nmembers; j++)
        check_inside(&d->members[j].loc, &d->loc, size);
    for (size_t j = 0; j < d->nlocations; j++)
        check_inside(&d->location_names[j].loc, &d->loc, size);
    if (d->kind == GQL_DEF_DIRECTIVE) check(d->nlocations >= 1 && d->locations != 0);
}

static void fuzz_document(const char *src, size_t size) {
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_parse_limits limits = {1u << 16, 20000, 64};
    gql_document *doc = gql_parse(a, src, size, &limits, &errs);
    if (doc) {
        check(errs.count == 0 && doc->ndefs >= 1 && doc->source_len == size);
        for (size_t i = 0; i < doc->ndefs; i++) {
            walk_definition(doc->defs[i], size);
            if (i) check(doc->defs[i]->loc.start >= doc->defs[i - 1]->loc.end);
        }
    } else {
        check(errs.count == 1 && errs.head->message != NULL);
    }
    arena_free(a);
}

static void fuzz_value(const char *src, size_t size) {
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_value *v = gql_parse_value(a, src, size, &errs);
    if (v)
        check_loc(&v->loc, size);
    else
        check(errs.count == 1);
    arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *src = (const char *)data;
    fuzz_lexer(src, size);
    fuzz_document(src, size);
    fuzz_value(src, size);
    return 0;
}
