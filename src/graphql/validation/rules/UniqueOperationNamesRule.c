/* UniqueOperationNamesRule.c -- spec §5.2.1.1 Operation Name Uniqueness. */
#include "graphql/validation/rules.h"

typedef struct {
    strmap_t known; /* name -> const gql_name * */
} state_t;

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    state_t *st = state;
    if (kind == GQL_VN_DOCUMENT) {
        strmap_init(&st->known, ctx->arena);
    } else if (kind == GQL_VN_OPERATION) {
        const gql_definition *op = node;
        if (op->name.value) {
            const gql_name *prev = strmap_get(&st->known, op->name.value);
            if (prev) {
                gql_loc locs[2] = {prev->loc, op->name.loc};
                gql_vctx_report(ctx, locs, 2, "There can be only one operation named \"%s\".", op->name.value);
            } else {
                strmap_put(&st->known, op->name.value, (void *)&op->name);
            }
        }
        return GQL_VISIT_SKIP;
    } else if (kind == GQL_VN_FRAGMENT) {
        return GQL_VISIT_SKIP;
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_UniqueOperationNamesRule = {"UniqueOperationNamesRule", sizeof(state_t), enter, NULL};
