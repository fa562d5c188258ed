/* MaxIntrospectionDepthRule.c -- graphql-js 16.9+ recommendedRules (part of specifiedRules): inside
 * `__schema` or `__type`, the introspection list fields `fields`, `interfaces`, `possibleTypes` and
 * `inputFields` may not be nested 3 deep (fragments followed), since each level multiplies the response by
 * the schema's size (issue 11 item 4). One error, "Maximum introspection depth exceeded", located at the
 * `__schema`/`__type` field; its subtree is not looked at again.
 *
 * graphql-js walks fragment spreads once per path, which a document whose fragments spread each other
 * several times turns exponential; this walk also stops after MAX_VISITS selections and then reports the
 * error too (only such a document, far past any real introspection query, is answered differently). */
#include <string.h>

#include "graphql/validation/rules.h"

#define MAX_LISTS_DEPTH 3
#define MAX_VISITS 100000

typedef struct {
    gql_vctx *ctx;
    ptrvec_t visiting; /* names of the fragments on the current path */
    size_t visits;
    arena_t *a;
} walk_t;

static bool introspection_list(const char *name) {
    return strcmp(name, "fields") == 0 || strcmp(name, "interfaces") == 0 || strcmp(name, "possibleTypes") == 0 ||
           strcmp(name, "inputFields") == 0;
}

static bool on_path(const walk_t *w, const char *name) {
    for (size_t i = 0; i < w->visiting.count; i++)
        if (strcmp(w->visiting.items[i], name) == 0) return true;
    return false;
}

/* graphql-js checkDepth: true when the limit is reached below sel. */
static bool check_depth(walk_t *w, const gql_selection *sel, int depth) {
    if (++w->visits > MAX_VISITS) return true;
    if (sel->kind == GQL_SEL_FRAGMENT_SPREAD) {
        const char *name = sel->name.value;
        if (on_path(w, name)) return false; /* cycles are NoFragmentCyclesRule's */
        const gql_definition *f = gql_vctx_fragment(w->ctx, name);
        if (!f || !f->selection_set) return false; /* unknown fragments are KnownFragmentNamesRule's */
        ptrvec_push(w->a, &w->visiting, (void *)name);
        bool hit = false;
        for (size_t i = 0; i < f->selection_set->count && !hit; i++)
            hit = check_depth(w, f->selection_set->items[i], depth);
        w->visiting.count--;
        return hit;
    }
    if (sel->kind == GQL_SEL_FIELD && introspection_list(sel->name.value) && ++depth >= MAX_LISTS_DEPTH) return true;
    if (sel->selection_set)
        for (size_t i = 0; i < sel->selection_set->count; i++)
            if (check_depth(w, sel->selection_set->items[i], depth)) return true;
    return false;
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_FIELD) return GQL_VISIT_CONTINUE;
    const gql_selection *field = node;
    const char *name = field->name.value;
    if (strcmp(name, "__schema") != 0 && strcmp(name, "__type") != 0) return GQL_VISIT_CONTINUE;
    walk_t w = {.ctx = ctx, .a = ctx->arena};
    if (!check_depth(&w, field, 0)) return GQL_VISIT_CONTINUE;
    gql_vctx_report(ctx, &field->loc, 1, "Maximum introspection depth exceeded");
    return GQL_VISIT_SKIP;
}

const gql_vrule gql_MaxIntrospectionDepthRule = {"MaxIntrospectionDepthRule", 0, enter, NULL};
