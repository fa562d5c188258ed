/* LoneAnonymousOperationRule.c -- spec §5.2.2.1 Lone Anonymous Operation: an anonymous operation must be the
 * only operation of the document. */
#include "graphql/validation/rules.h"

typedef struct {
    size_t operations;
} state_t;

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    state_t *st = state;
    if (kind == GQL_VN_DOCUMENT) {
        const gql_document *doc = node;
        for (size_t i = 0; i < doc->ndefs; i++)
            if (doc->defs[i]->kind == GQL_DEF_OPERATION) st->operations++;
    } else if (kind == GQL_VN_OPERATION) {
        const gql_definition *op = node;
        if (!op->name.value && st->operations > 1)
            gql_vctx_report(ctx, &op->loc, 1, "This anonymous operation must be the only defined operation.");
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_LoneAnonymousOperationRule = {"LoneAnonymousOperationRule", sizeof(state_t), enter, NULL};
