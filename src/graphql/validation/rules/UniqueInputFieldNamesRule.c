/* UniqueInputFieldNamesRule.c -- spec §5.6.3 Input Object Field Uniqueness. */
#include "graphql/validation/rules.h"

typedef struct {
    ptrvec_t stack; /* strmap_t * of the object values being visited: name -> const gql_name * */
} state_t;

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    state_t *st = state;
    if (kind == GQL_VN_VALUE && ((const gql_value *)node)->kind == GQL_VALUE_OBJECT) {
        strmap_t *m = arena_alloc(ctx->arena, sizeof *m);
        strmap_init(m, ctx->arena);
        ptrvec_push(ctx->arena, &st->stack, m);
    } else if (kind == GQL_VN_OBJECT_FIELD && st->stack.count) {
        const gql_object_field *f = node;
        strmap_t *m = st->stack.items[st->stack.count - 1];
        const gql_name *prev = strmap_get(m, f->name.value);
        if (prev) {
            gql_loc locs[2] = {prev->loc, f->name.loc};
            gql_vctx_report(ctx, locs, 2, "There can be only one input field named \"%s\".", f->name.value);
        } else {
            strmap_put(m, f->name.value, (void *)&f->name);
        }
    }
    return GQL_VISIT_CONTINUE;
}

static void leave(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)ctx;
    state_t *st = state;
    if (kind == GQL_VN_VALUE && ((const gql_value *)node)->kind == GQL_VALUE_OBJECT && st->stack.count)
        st->stack.count--;
}

const gql_vrule gql_UniqueInputFieldNamesRule = {"UniqueInputFieldNamesRule", sizeof(state_t), enter, leave};
