/* FieldsOnCorrectTypeRule.c -- spec §5.3.1 Field Selections: a selected field must be defined on the parent type
 * (or be a meta field). Suggestions follow graphql-js: types to use an inline fragment on, else similar names. */
#include "graphql/validation/rules.h"

#include <string.h>

typedef struct {
    const gql_type *type;
    int usage;
} cand;

static bool has_field(const gql_type *t, const char *name) {
    return gql_type_field(t, name) != NULL;
}

static int cand_cmp(const gql_vctx *ctx, const cand *a, const cand *b) {
    if (a->usage != b->usage) return b->usage - a->usage;
    if (a->type->kind == GQL_INTERFACE && gql_is_subtype(ctx->schema, b->type, a->type)) return -1;
    if (b->type->kind == GQL_INTERFACE && gql_is_subtype(ctx->schema, a->type, b->type)) return 1;
    return gql_natural_compare(a->type->name, b->type->name);
}

/* graphql-js getSuggestedTypeNames: implementations (and their interfaces) that define the field. */
static void suggested_types(gql_vctx *ctx, const gql_type *t, const char *field, ptrvec_t *out) {
    if (!gql_is_abstract_type(t)) return;
    size_t cap = 0;
    for (size_t i = 0; i < t->npossible_types; i++)
        cap += 1 + t->possible_types[i]->ninterfaces;
    if (!cap) return;
    cand *c = arena_alloc(ctx->arena, cap * sizeof *c);
    size_t n = 0;
    for (size_t i = 0; i < t->npossible_types; i++) {
        const gql_type *pt = t->possible_types[i];
        if (!has_field(pt, field)) continue;
        size_t k;
        for (k = 0; k < n && c[k].type != pt; k++) {
        }
        if (k == n) c[n++] = (cand){pt, 0};
        c[k].usage = 1;
        for (size_t j = 0; j < pt->ninterfaces; j++) {
            const gql_type *it = pt->interfaces[j];
            if (!has_field(it, field)) continue;
            for (k = 0; k < n && c[k].type != it; k++) {
            }
            if (k == n) c[n++] = (cand){it, 0};
            c[k].usage++;
        }
    }
    /* The comparison is not a total order, so the result depends on the algorithm: sort as TimSort does on short
     * arrays (V8's Array.prototype.sort and CPython's sorted): take the leading run (reversed when strictly
     * descending), then binary insertion of the rest. */
    size_t run = n ? 1 : 0;
    if (n > 1) {
        bool desc = cand_cmp(ctx, &c[1], &c[0]) < 0;
        run = 2;
        while (run < n && (cand_cmp(ctx, &c[run], &c[run - 1]) < 0) == desc)
            run++;
        if (desc)
            for (size_t i = 0, j = run - 1; i < j; i++, j--) {
                cand tmp = c[i];
                c[i] = c[j];
                c[j] = tmp;
            }
    }
    for (size_t i = run; i < n; i++) {
        cand pivot = c[i];
        size_t l = 0, r = i;
        while (l < r) {
            size_t mid = l + (r - l) / 2;
            if (cand_cmp(ctx, &pivot, &c[mid]) < 0)
                r = mid;
            else
                l = mid + 1;
        }
        memmove(&c[l + 1], &c[l], (i - l) * sizeof *c);
        c[l] = pivot;
    }
    for (size_t i = 0; i < n; i++)
        ptrvec_push(ctx->arena, out, (void *)c[i].type->name);
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    (void)state;
    if (kind != GQL_VN_FIELD) return GQL_VISIT_CONTINUE;
    const gql_selection *f = node;
    const gql_type *parent = gql_vctx_parent_type(ctx);
    if (!parent || gql_vctx_field_def(ctx)) return GQL_VISIT_CONTINUE;
    ptrvec_t types = {0};
    suggested_types(ctx, parent, f->name.value, &types);
    const char *suggestion = gql_did_you_mean(ctx->arena, "to use an inline fragment on", &types);
    if (!*suggestion && (parent->kind == GQL_OBJECT || parent->kind == GQL_INTERFACE)) {
        const char **names = arena_alloc(ctx->arena, (parent->nfields + 1) * sizeof *names);
        for (size_t i = 0; i < parent->nfields; i++)
            names[i] = parent->fields[i]->name;
        ptrvec_t sugg = {0};
        gql_suggestion_list(ctx->arena, f->name.value, names, parent->nfields, &sugg);
        suggestion = gql_did_you_mean(ctx->arena, NULL, &sugg);
    }
    gql_vctx_report(ctx, &f->loc, 1, "Cannot query field \"%s\" on type \"%s\".%s", f->name.value, parent->name,
                    suggestion);
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_FieldsOnCorrectTypeRule = {"FieldsOnCorrectTypeRule", 0, enter, NULL};
