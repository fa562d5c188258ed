/* UniqueFragmentNamesRule.c -- spec §5.5.1.1 Fragment Name Uniqueness. */
#include "graphql/validation/rules.h"

typedef struct {
    strmap_t known; /* name -> const gql_name * */
} state_t;

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    state_t *st = state;
    if (kind == GQL_VN_DOCUMENT) {
        strmap_init(&st->known, ctx->arena);
    } else if (kind == GQL_VN_FRAGMENT) {
        const gql_definition *f = node;
        const gql_name *prev = strmap_get(&st->known, f->name.value);
        if (prev) {
            gql_loc locs[2] = {prev->loc, f->name.loc};
            gql_vctx_report(ctx, locs, 2, "There can be only one fragment named \"%s\".", f->name.value);
        } else {
            strmap_put(&st->known, f->name.value, (void *)&f->name);
        }
        return GQL_VISIT_SKIP;
    } else if (kind == GQL_VN_OPERATION) {
        return GQL_VISIT_SKIP;
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_UniqueFragmentNamesRule = {"UniqueFragmentNamesRule", sizeof(state_t), enter, NULL};
