/* UniqueVariableNamesRule.c -- spec §5.8.1 Variable Uniqueness: one definition per variable name in an operation. */
#include "graphql/validation/rules.h"

#include <string.h>

/* graphql-js reports the variable's Name node: the variable location spans "$name", so the name is its last
 * strlen(name) bytes (on the same line: names cannot contain line breaks). */
static gql_loc name_loc(const gql_name *var) {
    gql_loc l = var->loc;
    size_t len = strlen(var->value);
    if (l.end >= l.start + len) {
        uint32_t skip = l.end - (uint32_t)len - l.start;
        l.start += skip;
        l.column += skip;
    }
    return l;
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_OPERATION) return GQL_VISIT_CONTINUE;
    const gql_definition *op = node;
    bool *done = arena_alloc(ctx->arena, op->nvars + 1);
    for (size_t i = 0; i < op->nvars; i++) {
        if (done[i]) continue;
        const char *name = op->vars[i]->variable.value;
        size_t n = 1;
        for (size_t j = i + 1; j < op->nvars; j++)
            if (strcmp(op->vars[j]->variable.value, name) == 0) n++;
        if (n == 1) continue;
        gql_loc *locs = arena_alloc(ctx->arena, n * sizeof *locs);
        n = 0;
        for (size_t j = i; j < op->nvars; j++)
            if (strcmp(op->vars[j]->variable.value, name) == 0) {
                done[j] = true;
                locs[n++] = name_loc(&op->vars[j]->variable);
            }
        gql_vctx_report(ctx, locs, n, "There can be only one variable named \"$%s\".", name);
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_UniqueVariableNamesRule = {"UniqueVariableNamesRule", 0, enter, NULL};
