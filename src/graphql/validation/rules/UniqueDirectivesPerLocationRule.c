/* UniqueDirectivesPerLocationRule.c -- spec §5.7.3 Directives Are Unique Per Location (non-repeatable ones). */
#include "graphql/validation/rules.h"

typedef struct {
    strmap_t schema_seen; /* schema definition and extensions share one set */
    strmap_t type_seen;   /* type name -> strmap_t *: a type's definition and extensions share one set */
    bool ready;
} state_t;

/* seen: directive name -> first const gql_directive * at this location (a fresh map for most nodes) */
static void check(gql_vctx *ctx, strmap_t *seen, gql_directive *const *ds, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const gql_definition *doc_def = gql_vctx_doc_directive(ctx, ds[i]->name.value);
        const gql_directive_def *def = doc_def ? NULL : gql_schema_directive(ctx->schema, ds[i]->name.value);
        if (doc_def ? doc_def->repeatable : (!def || def->repeatable)) continue;
        const gql_directive *first = strmap_get(seen, ds[i]->name.value);
        if (first) {
            gql_loc locs[2] = {first->loc, ds[i]->loc};
            gql_vctx_report(ctx, locs, 2, "The directive \"@%s\" can only be used once at this location.",
                            ds[i]->name.value);
        } else {
            strmap_put(seen, ds[i]->name.value, ds[i]);
        }
    }
}

static void check_fresh(gql_vctx *ctx, gql_directive *const *ds, size_t n) {
    if (n < 2) return;
    strmap_t seen;
    strmap_init(&seen, ctx->arena);
    check(ctx, &seen, ds, n);
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    state_t *st = state;
    if (!st->ready) {
        strmap_init(&st->schema_seen, ctx->arena);
        strmap_init(&st->type_seen, ctx->arena);
        st->ready = true;
    }
    switch (kind) {
    case GQL_VN_OPERATION:
    case GQL_VN_FRAGMENT: {
        const gql_definition *d = node;
        check_fresh(ctx, d->directives, d->ndirectives);
        break;
    }
    case GQL_VN_TYPE_SYSTEM: {
        const gql_definition *d = node;
        if (d->kind == GQL_DEF_SCHEMA) {
            check(ctx, &st->schema_seen, d->directives, d->ndirectives);
        } else if (d->kind != GQL_DEF_DIRECTIVE && d->name.value) {
            strmap_t *seen = strmap_get(&st->type_seen, d->name.value);
            if (!seen) {
                seen = arena_alloc(ctx->arena, sizeof *seen);
                strmap_init(seen, ctx->arena);
                strmap_put(&st->type_seen, d->name.value, seen);
            }
            check(ctx, seen, d->directives, d->ndirectives);
        }
        break;
    }
    case GQL_VN_FIELD:
    case GQL_VN_FRAGMENT_SPREAD:
    case GQL_VN_INLINE_FRAGMENT: {
        const gql_selection *s = node;
        check_fresh(ctx, s->directives, s->ndirectives);
        break;
    }
    case GQL_VN_VARIABLE_DEF: {
        const gql_variable_def *vd = node;
        check_fresh(ctx, vd->directives, vd->ndirectives);
        break;
    }
    case GQL_VN_FIELD_DEF: {
        const gql_field_def *f = node;
        check_fresh(ctx, f->directives, f->ndirectives);
        break;
    }
    case GQL_VN_INPUT_VALUE_DEF: {
        const gql_input_value_def *iv = node;
        check_fresh(ctx, iv->directives, iv->ndirectives);
        break;
    }
    case GQL_VN_ENUM_VALUE_DEF: {
        const gql_enum_value_def *v = node;
        check_fresh(ctx, v->directives, v->ndirectives);
        break;
    }
    default:
        break;
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_UniqueDirectivesPerLocationRule = {"UniqueDirectivesPerLocationRule", sizeof(state_t), enter, NULL};
