/* VariablesInAllowedPositionRule.c -- spec §5.8.5 All Variable Usages Are Allowed: a variable's type must fit
 * each position it is used in (IsVariableUsageAllowed), through fragments too. A nullable variable may feed a
 * non-null position when the variable or the position has a non-null default. */
#include "graphql/validation/rules.h"

#include <string.h>

/* §5.8.5 IsVariableUsageAllowed */
static bool allowed(gql_vctx *ctx, const gql_type *var_type, const gql_value *var_default, const gql_type *loc_type,
                    const gql_value *loc_default) {
    if (loc_type->kind == GQL_NON_NULL && var_type->kind != GQL_NON_NULL) {
        bool var_has_default = var_default && var_default->kind != GQL_VALUE_NULL;
        bool loc_has_default = loc_default != NULL;
        if (!var_has_default && !loc_has_default) return false;
        return gql_is_subtype(ctx->schema, var_type, loc_type->of_type);
    }
    return gql_is_subtype(ctx->schema, var_type, loc_type);
}

static void leave(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_OPERATION) return;
    const gql_definition *op = node;
    const ptrvec_t *usages = gql_vctx_recursive_variable_usages(ctx, op);
    for (size_t i = 0; i < usages->count; i++) {
        const gql_var_usage *u = usages->items[i];
        if (!u->type) continue;
        const gql_variable_def *vd = NULL;
        for (size_t j = 0; j < op->nvars && !vd; j++)
            if (strcmp(op->vars[j]->variable.value, u->node->str) == 0) vd = op->vars[j];
        if (!vd) continue;
        const gql_type *vt = gql_type_from_ast(ctx->schema, ctx->arena, vd->type);
        if (!vt || allowed(ctx, vt, vd->default_value, u->type, u->default_value)) continue;
        gql_loc locs[2] = {vd->loc, u->node->loc};
        gql_vctx_report(ctx, locs, 2, "Variable \"$%s\" of type \"%s\" used in position expecting type \"%s\".",
                        u->node->str, gql_type_str(ctx->arena, vt), gql_type_str(ctx->arena, u->type));
    }
}

const gql_vrule gql_VariablesInAllowedPositionRule = {"VariablesInAllowedPositionRule", 0, NULL, leave};
