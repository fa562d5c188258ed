/* fuzz_parser.c -- libFuzzer target for the GraphQL lexer and parser.
 *
 * Each input is lexed token by token and parsed as a document (with limits) and as a single value,
 * each on a fresh arena. Besides the sanitizers' checks it asserts the parser's contract: either a
 * document and no error, or no document and exactly one error; token and node locations inside the
 * source; and a small source-order invariant on the tokens. */
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

static void fuzz_document(const char *src, size_t size) {
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_parse_limits limits = {1u << 16, 20000, 64};
    gql_document *doc = gql_parse(a, src, size, &limits, &errs);
    if (doc) {
        check(errs.count == 0 && doc->ndefs >= 1 && doc->source_len == size);
        for (size_t i = 0; i < doc->ndefs; i++) {
            const gql_definition *d = doc->defs[i];
            check_loc(&d->loc, size);
            if (d->selection_set) check_loc(&d->selection_set->loc, size);
            for (size_t j = 0; j < d->nvars; j++)
                check_loc(&d->vars[j]->loc, size);
            for (size_t j = 0; j < d->nfields; j++)
                check_loc(&d->fields[j]->loc, size);
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
