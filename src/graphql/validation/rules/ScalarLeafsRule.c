/* ScalarLeafsRule.c -- spec §5.3.3 Leaf Field Selections: leaves have no selection set, composites need one. */
#include "graphql/validation/rules.h"

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_FIELD) return GQL_VISIT_CONTINUE;
    const gql_selection *f = node;
    const gql_type *t = gql_vctx_type(ctx);
    if (!t) return GQL_VISIT_CONTINUE;
    const gql_type *named = gql_named_type((gql_type *)t);
    if (gql_is_leaf_type(named)) {
        if (f->selection_set)
            gql_vctx_report(ctx, &f->selection_set->loc, 1,
                            "Field \"%s\" must not have a selection since type \"%s\" has no subfields.", f->name.value,
                            gql_type_str(ctx->arena, t));
    } else if (!f->selection_set) {
        gql_vctx_report(ctx, &f->loc, 1,
                        "Field \"%s\" of type \"%s\" must have a selection of subfields. Did you mean \"%s { ... }\"?",
                        f->name.value, gql_type_str(ctx->arena, t), f->name.value);
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_ScalarLeafsRule = {"ScalarLeafsRule", 0, enter, NULL};
