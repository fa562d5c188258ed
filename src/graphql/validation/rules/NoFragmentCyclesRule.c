/* NoFragmentCyclesRule.c -- spec §5.5.2.2 Fragment spreads must not form cycles. Depth-first from each fragment,
 * each fragment explored once; a cycle is reported with the spreads that form it (graphql-js order). */
#include "graphql/validation/rules.h"

#include <stdint.h>

typedef struct {
    strmap_t visited;
    strmap_t path_index; /* fragment name -> (index in path + 1), NULL when not on the path */
    ptrvec_t path;       /* const gql_selection * spreads */
} state_t;

static void detect(gql_vctx *ctx, state_t *st, const gql_definition *frag) {
    const char *name = frag->name.value;
    if (strmap_get(&st->visited, name)) return;
    strmap_put(&st->visited, name, (void *)frag);
    const ptrvec_t *spreads = gql_vctx_fragment_spreads(ctx, frag->selection_set);
    if (!spreads->count) return;
    strmap_put(&st->path_index, name, (void *)(uintptr_t)(st->path.count + 1));
    for (size_t i = 0; i < spreads->count; i++) {
        const gql_selection *sp = spreads->items[i];
        uintptr_t cycle = (uintptr_t)strmap_get(&st->path_index, sp->name.value);
        ptrvec_push(ctx->arena, &st->path, (void *)sp);
        if (!cycle) {
            const gql_definition *next = gql_vctx_fragment(ctx, sp->name.value);
            if (next) detect(ctx, st, next);
        } else {
            size_t from = cycle - 1, n = st->path.count - from;
            gql_loc *locs = arena_alloc(ctx->arena, n * sizeof *locs);
            buf_t via = BUF_INIT;
            for (size_t k = 0; k < n; k++) {
                const gql_selection *s = st->path.items[from + k];
                locs[k] = s->loc;
                if (k + 1 < n) buf_printf(&via, "%s\"%s\"", k ? ", " : "", s->name.value);
            }
            if (via.len)
                gql_vctx_report(ctx, locs, n, "Cannot spread fragment \"%s\" within itself via %s.", sp->name.value,
                                buf_cstr(&via));
            else
                gql_vctx_report(ctx, locs, n, "Cannot spread fragment \"%s\" within itself.", sp->name.value);
            buf_free(&via);
        }
        st->path.count--;
    }
    strmap_put(&st->path_index, name, NULL);
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    state_t *st = state;
    if (kind == GQL_VN_DOCUMENT) {
        strmap_init(&st->visited, ctx->arena);
        strmap_init(&st->path_index, ctx->arena);
    } else if (kind == GQL_VN_OPERATION) {
        return GQL_VISIT_SKIP;
    } else if (kind == GQL_VN_FRAGMENT) {
        detect(ctx, st, node);
        return GQL_VISIT_SKIP;
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_NoFragmentCyclesRule = {"NoFragmentCyclesRule", sizeof(state_t), enter, NULL};
