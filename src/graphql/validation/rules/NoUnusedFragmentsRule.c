/* NoUnusedFragmentsRule.c -- spec §5.5.1.4 Fragments Must Be Used: every fragment is reached from some
 * operation (directly or through other fragments). */
#include "graphql/validation/rules.h"

typedef struct {
    ptrvec_t operations; /* const gql_definition * */
    ptrvec_t fragments;  /* const gql_definition * */
} state_t;

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    state_t *st = state;
    if (kind == GQL_VN_OPERATION) {
        ptrvec_push(ctx->arena, &st->operations, (void *)node);
        return GQL_VISIT_SKIP;
    }
    if (kind == GQL_VN_FRAGMENT) {
        ptrvec_push(ctx->arena, &st->fragments, (void *)node);
        return GQL_VISIT_SKIP;
    }
    return GQL_VISIT_CONTINUE;
}

static void leave(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)node;
    state_t *st = state;
    if (kind != GQL_VN_DOCUMENT) return;
    strmap_t used;
    strmap_init(&used, ctx->arena);
    for (size_t i = 0; i < st->operations.count; i++) {
        const ptrvec_t *frags = gql_vctx_recursive_fragments(ctx, st->operations.items[i]);
        for (size_t j = 0; j < frags->count; j++) {
            const gql_definition *f = frags->items[j];
            strmap_put(&used, f->name.value, (void *)f);
        }
    }
    for (size_t i = 0; i < st->fragments.count; i++) {
        const gql_definition *f = st->fragments.items[i];
        if (!strmap_get(&used, f->name.value))
            gql_vctx_report(ctx, &f->loc, 1, "Fragment \"%s\" is never used.", f->name.value);
    }
}

const gql_vrule gql_NoUnusedFragmentsRule = {"NoUnusedFragmentsRule", sizeof(state_t), enter, leave};
