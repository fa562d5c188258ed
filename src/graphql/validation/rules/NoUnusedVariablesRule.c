/* NoUnusedVariablesRule.c -- spec §5.8.4 All Variables Used: every variable an operation defines is used by it,
 * directly or through the fragments it spreads. */
#include "graphql/validation/rules.h"

#include <string.h>

static void leave(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_OPERATION) return;
    const gql_definition *op = node;
    const ptrvec_t *usages = gql_vctx_recursive_variable_usages(ctx, op);
    strmap_t used;
    strmap_init(&used, ctx->arena);
    for (size_t i = 0; i < usages->count; i++) {
        const gql_var_usage *u = usages->items[i];
        strmap_put(&used, u->node->str, (void *)u);
    }
    for (size_t i = 0; i < op->nvars; i++) {
        const gql_variable_def *vd = op->vars[i];
        if (strmap_get(&used, vd->variable.value)) continue;
        if (op->name.value)
            gql_vctx_report(ctx, &vd->loc, 1, "Variable \"$%s\" is never used in operation \"%s\".", vd->variable.value,
                            op->name.value);
        else
            gql_vctx_report(ctx, &vd->loc, 1, "Variable \"$%s\" is never used.", vd->variable.value);
    }
}

const gql_vrule gql_NoUnusedVariablesRule = {"NoUnusedVariablesRule", 0, NULL, leave};
