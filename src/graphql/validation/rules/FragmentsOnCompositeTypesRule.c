/* FragmentsOnCompositeTypesRule.c -- spec §5.5.1.3 Fragments On Composite Types: type conditions must name an
 * object, interface or union type. */
#include "graphql/validation/rules.h"

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind == GQL_VN_INLINE_FRAGMENT) {
        const gql_selection *sel = node;
        if (!sel->type_condition.value) return GQL_VISIT_CONTINUE;
        const gql_type *t = gql_schema_type(ctx->schema, sel->type_condition.value);
        if (t && !gql_is_composite_type(t))
            gql_vctx_report(ctx, &sel->type_condition.loc, 1, "Fragment cannot condition on non composite type \"%s\".",
                            sel->type_condition.value);
    } else if (kind == GQL_VN_FRAGMENT) {
        const gql_definition *f = node;
        const gql_type *t = f->type_condition.value ? gql_schema_type(ctx->schema, f->type_condition.value) : NULL;
        if (t && !gql_is_composite_type(t))
            gql_vctx_report(ctx, &f->type_condition.loc, 1,
                            "Fragment \"%s\" cannot condition on non composite type \"%s\".", f->name.value,
                            f->type_condition.value);
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_FragmentsOnCompositeTypesRule = {"FragmentsOnCompositeTypesRule", 0, enter, NULL};
