/* PossibleFragmentSpreadsRule.c -- spec §5.5.2.3 Fragment spread is possible: the fragment's type and the
 * parent type must have at least one possible object type in common. */
#include "graphql/validation/rules.h"

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind == GQL_VN_INLINE_FRAGMENT) {
        const gql_selection *sel = node;
        const gql_type *frag_type = gql_vctx_type(ctx);
        const gql_type *parent = gql_vctx_parent_type(ctx);
        if (gql_is_composite_type(frag_type) && gql_is_composite_type(parent) &&
            !gql_types_overlap(ctx->schema, frag_type, parent))
            gql_vctx_report(ctx, &sel->loc, 1,
                            "Fragment cannot be spread here as objects of type \"%s\" can never be of type \"%s\".",
                            parent->name, frag_type->name);
    } else if (kind == GQL_VN_FRAGMENT_SPREAD) {
        const gql_selection *sp = node;
        const gql_definition *frag = gql_vctx_fragment(ctx, sp->name.value);
        if (!frag || !frag->type_condition.value) return GQL_VISIT_CONTINUE;
        const gql_type *frag_type = gql_schema_type(ctx->schema, frag->type_condition.value);
        const gql_type *parent = gql_vctx_parent_type(ctx);
        if (gql_is_composite_type(frag_type) && gql_is_composite_type(parent) &&
            !gql_types_overlap(ctx->schema, frag_type, parent))
            gql_vctx_report(
                ctx, &sp->loc, 1,
                "Fragment \"%s\" cannot be spread here as objects of type \"%s\" can never be of type \"%s\".",
                sp->name.value, parent->name, frag_type->name);
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_PossibleFragmentSpreadsRule = {"PossibleFragmentSpreadsRule", 0, enter, NULL};
