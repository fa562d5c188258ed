/* NoUndefinedVariablesRule.c -- spec §5.8.3 All Variable Uses Defined: every variable used by an operation,
 * directly or through the fragments it spreads, is defined by that operation. */
#include "graphql/validation/rules.h"

#include <string.h>

static void leave(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_OPERATION) return;
    const gql_definition *op = node;
    const ptrvec_t *usages = gql_vctx_recursive_variable_usages(ctx, op);
    for (size_t i = 0; i < usages->count; i++) {
        const gql_var_usage *u = usages->items[i];
        bool defined = false;
        for (size_t j = 0; j < op->nvars && !defined; j++)
            defined = strcmp(op->vars[j]->variable.value, u->node->str) == 0;
        if (defined) continue;
        gql_loc locs[2] = {u->node->loc, op->loc};
        if (op->name.value)
            gql_vctx_report(ctx, locs, 2, "Variable \"$%s\" is not defined by operation \"%s\".", u->node->str,
                            op->name.value);
        else
            gql_vctx_report(ctx, locs, 2, "Variable \"$%s\" is not defined.", u->node->str);
    }
}

const gql_vrule gql_NoUndefinedVariablesRule = {"NoUndefinedVariablesRule", 0, NULL, leave};
