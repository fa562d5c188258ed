/* KnownFragmentNamesRule.c -- spec §5.5.2.1 Fragment spread target defined. */
#include "graphql/validation/rules.h"

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_FRAGMENT_SPREAD) return GQL_VISIT_CONTINUE;
    const gql_selection *sp = node;
    if (!gql_vctx_fragment(ctx, sp->name.value))
        gql_vctx_report(ctx, &sp->name.loc, 1, "Unknown fragment \"%s\".", sp->name.value);
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_KnownFragmentNamesRule = {"KnownFragmentNamesRule", 0, enter, NULL};
