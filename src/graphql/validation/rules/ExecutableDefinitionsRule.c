/* ExecutableDefinitionsRule.c -- spec §5.1.1 Executable Definitions: a document sent for execution may only
 * hold operations and fragments. */
#include "graphql/validation/rules.h"

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_DOCUMENT) return GQL_VISIT_CONTINUE;
    const gql_document *doc = node;
    for (size_t i = 0; i < doc->ndefs; i++) {
        const gql_definition *d = doc->defs[i];
        if (d->kind == GQL_DEF_OPERATION || d->kind == GQL_DEF_FRAGMENT) continue;
        if (d->kind == GQL_DEF_SCHEMA || !d->name.value)
            gql_vctx_report(ctx, &d->loc, 1, "The schema definition is not executable.");
        else
            gql_vctx_report(ctx, &d->loc, 1, "The \"%s\" definition is not executable.", d->name.value);
    }
    return GQL_VISIT_SKIP;
}

const gql_vrule gql_ExecutableDefinitionsRule = {"ExecutableDefinitionsRule", 0, enter, NULL};
