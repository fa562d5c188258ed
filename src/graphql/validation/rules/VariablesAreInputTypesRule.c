/* VariablesAreInputTypesRule.c -- spec §5.8.2 Variables Are Input Types. */
#include "graphql/validation/rules.h"

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_VARIABLE_DEF) return GQL_VISIT_CONTINUE;
    const gql_variable_def *vd = node;
    const gql_type *t = gql_type_from_ast(ctx->schema, ctx->arena, vd->type);
    if (t && !gql_is_input_type(t))
        gql_vctx_report(ctx, &vd->type->loc, 1, "Variable \"$%s\" cannot be non-input type \"%s\".", vd->variable.value,
                        gql_type_str(ctx->arena, t));
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_VariablesAreInputTypesRule = {"VariablesAreInputTypesRule", 0, enter, NULL};
