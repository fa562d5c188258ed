/* SingleFieldSubscriptionsRule.c -- spec §5.2.3.1 Single root field: a subscription selects exactly one root
 * field (after CollectFields, §6.3.2), and that field is not an introspection field. */
#include "graphql/validation/rules.h"

#include <string.h>

typedef struct {
    const char *key;
    ptrvec_t nodes; /* const gql_selection * */
} entry;

typedef struct {
    gql_vctx *ctx;
    const gql_type *type;
    strmap_t visited;
    strmap_t index; /* response key -> entry * */
    ptrvec_t order; /* entry * */
} collector;

/* §3.13.2/§3.13.3 @skip/@include with literal arguments; a variable cannot be known here, so it includes. */
static bool literal_if(const gql_directive *d, bool *out) {
    for (size_t i = 0; i < d->nargs; i++)
        if (strcmp(d->args[i]->name.value, "if") == 0 && d->args[i]->value->kind == GQL_VALUE_BOOLEAN) {
            *out = d->args[i]->value->boolean;
            return true;
        }
    return false;
}

static bool should_include(const gql_selection *sel) {
    for (size_t i = 0; i < sel->ndirectives; i++) {
        const gql_directive *d = sel->directives[i];
        bool v;
        if (strcmp(d->name.value, "skip") == 0 && literal_if(d, &v) && v) return false;
        if (strcmp(d->name.value, "include") == 0 && literal_if(d, &v) && !v) return false;
    }
    return true;
}

/* §6.3.2 DoesFragmentTypeApply */
static bool type_applies(collector *c, const char *cond) {
    if (!cond) return true;
    const gql_type *ct = gql_schema_type(c->ctx->schema, cond);
    if (!ct) return false;
    if (ct == c->type) return true;
    return gql_is_abstract_type(ct) && gql_is_possible_type(ct, c->type);
}

/* §6.3.2 CollectFields */
static void collect(collector *c, const gql_selection_set *ss) {
    arena_t *a = c->ctx->arena;
    for (size_t i = 0; i < ss->count; i++) {
        const gql_selection *sel = ss->items[i];
        if (!should_include(sel)) continue;
        if (sel->kind == GQL_SEL_FIELD) {
            const char *key = sel->alias.value ? sel->alias.value : sel->name.value;
            entry *e = strmap_get(&c->index, key);
            if (!e) {
                e = arena_alloc(a, sizeof *e);
                e->key = key;
                strmap_put(&c->index, key, e);
                ptrvec_push(a, &c->order, e);
            }
            ptrvec_push(a, &e->nodes, (void *)sel);
        } else if (sel->kind == GQL_SEL_INLINE_FRAGMENT) {
            if (type_applies(c, sel->type_condition.value) && sel->selection_set) collect(c, sel->selection_set);
        } else {
            if (strmap_get(&c->visited, sel->name.value)) continue;
            strmap_put(&c->visited, sel->name.value, (void *)sel);
            const gql_definition *frag = gql_vctx_fragment(c->ctx, sel->name.value);
            if (!frag || !type_applies(c, frag->type_condition.value) || !frag->selection_set) continue;
            collect(c, frag->selection_set);
        }
    }
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_OPERATION) return GQL_VISIT_CONTINUE;
    const gql_definition *op = node;
    if (op->operation != GQL_OP_SUBSCRIPTION || !ctx->schema->subscription || !op->selection_set)
        return GQL_VISIT_CONTINUE;
    collector c = {.ctx = ctx, .type = ctx->schema->subscription};
    strmap_init(&c.visited, ctx->arena);
    strmap_init(&c.index, ctx->arena);
    collect(&c, op->selection_set);
    const char *who =
        op->name.value ? arena_printf(ctx->arena, "Subscription \"%s\"", op->name.value) : "Anonymous Subscription";
    if (c.order.count > 1) {
        size_t n = 0;
        for (size_t i = 1; i < c.order.count; i++)
            n += ((entry *)c.order.items[i])->nodes.count;
        gql_loc *locs = arena_alloc(ctx->arena, n * sizeof *locs);
        n = 0;
        for (size_t i = 1; i < c.order.count; i++) {
            entry *e = c.order.items[i];
            for (size_t j = 0; j < e->nodes.count; j++)
                locs[n++] = ((const gql_selection *)e->nodes.items[j])->loc;
        }
        gql_vctx_report(ctx, locs, n, "%s must select only one top level field.", who);
    }
    for (size_t i = 0; i < c.order.count; i++) {
        entry *e = c.order.items[i];
        const gql_selection *first = e->nodes.items[0];
        if (strncmp(first->name.value, "__", 2) != 0) continue;
        gql_loc *locs = arena_alloc(ctx->arena, e->nodes.count * sizeof *locs);
        for (size_t j = 0; j < e->nodes.count; j++)
            locs[j] = ((const gql_selection *)e->nodes.items[j])->loc;
        gql_vctx_report(ctx, locs, e->nodes.count, "%s must not select an introspection top level field.", who);
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_SingleFieldSubscriptionsRule = {"SingleFieldSubscriptionsRule", 0, enter, NULL};
