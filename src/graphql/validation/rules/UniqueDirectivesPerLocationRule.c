/* UniqueDirectivesPerLocationRule.c -- spec §5.7.3 Directives Are Unique Per Location (non-repeatable ones). */
#include "graphql/validation/rules.h"

#include <string.h>

static void check(gql_vctx *ctx, gql_directive *const *ds, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const gql_directive_def *def = gql_schema_directive(ctx->schema, ds[i]->name.value);
        if (!def || def->repeatable) continue;
        /* report against the first occurrence only once per later duplicate */
        for (size_t j = 0; j < i; j++) {
            if (strcmp(ds[j]->name.value, ds[i]->name.value) != 0) continue;
            gql_loc locs[2] = {ds[j]->loc, ds[i]->loc};
            gql_vctx_report(ctx, locs, 2, "The directive \"@%s\" can only be used once at this location.",
                            ds[i]->name.value);
            break;
        }
    }
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    switch (kind) {
    case GQL_VN_OPERATION:
    case GQL_VN_FRAGMENT: {
        const gql_definition *d = node;
        check(ctx, d->directives, d->ndirectives);
        break;
    }
    case GQL_VN_FIELD:
    case GQL_VN_FRAGMENT_SPREAD:
    case GQL_VN_INLINE_FRAGMENT: {
        const gql_selection *s = node;
        check(ctx, s->directives, s->ndirectives);
        break;
    }
    case GQL_VN_VARIABLE_DEF: {
        const gql_variable_def *vd = node;
        check(ctx, vd->directives, vd->ndirectives);
        break;
    }
    default:
        break;
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_UniqueDirectivesPerLocationRule = {"UniqueDirectivesPerLocationRule", 0, enter, NULL};
