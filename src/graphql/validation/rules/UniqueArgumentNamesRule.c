/* UniqueArgumentNamesRule.c -- spec §5.4.2 Argument Uniqueness, for fields and directives. */
#include "graphql/validation/rules.h"

#include <string.h>

static void check(gql_vctx *ctx, gql_argument *const *args, size_t nargs) {
    for (size_t i = 0; i < nargs; i++) {
        bool seen_before = false;
        for (size_t j = 0; j < i && !seen_before; j++)
            seen_before = strcmp(args[j]->name.value, args[i]->name.value) == 0;
        if (seen_before) continue;
        size_t n = 0;
        for (size_t j = i; j < nargs; j++)
            if (strcmp(args[j]->name.value, args[i]->name.value) == 0) n++;
        if (n < 2) continue;
        gql_loc *locs = arena_alloc(ctx->arena, n * sizeof *locs);
        n = 0;
        for (size_t j = i; j < nargs; j++)
            if (strcmp(args[j]->name.value, args[i]->name.value) == 0) locs[n++] = args[j]->name.loc;
        gql_vctx_report(ctx, locs, n, "There can be only one argument named \"%s\".", args[i]->name.value);
    }
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind == GQL_VN_FIELD) {
        const gql_selection *f = node;
        check(ctx, f->args, f->nargs);
    } else if (kind == GQL_VN_DIRECTIVE) {
        const gql_directive *d = node;
        check(ctx, d->args, d->nargs);
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_UniqueArgumentNamesRule = {"UniqueArgumentNamesRule", 0, enter, NULL};
