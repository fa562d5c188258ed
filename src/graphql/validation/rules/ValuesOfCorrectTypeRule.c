/* ValuesOfCorrectTypeRule.c -- spec §5.6.1 Values of Correct Type (with §3.10.1 OneOf input objects): each literal
 * is acceptable input for the type expected where it appears. Scalars judge their literals through
 * parse_literal; enums, input objects and lists are checked here with graphql-js messages. */
#include "graphql/validation/rules.h"

#include <string.h>

typedef struct {
    strmap_t var_defs; /* name -> const gql_variable_def * of the current operation */
} state_t;

static const gql_type *named_of(const gql_type *t) {
    while (t && (t->kind == GQL_LIST || t->kind == GQL_NON_NULL))
        t = t->of_type;
    return t;
}

static const char *enum_suggestion(gql_vctx *ctx, const gql_type *e, const char *value) {
    const char **names = arena_alloc(ctx->arena, (e->nenum_values + 1) * sizeof *names);
    for (size_t i = 0; i < e->nenum_values; i++)
        names[i] = e->enum_values[i]->name;
    ptrvec_t sugg = {0};
    gql_suggestion_list(ctx->arena, value, names, e->nenum_values, &sugg);
    return gql_did_you_mean(ctx->arena, "the enum value", &sugg);
}

/* graphql-js isValidValueNode: a literal where a leaf (or a mismatched composite) is expected. */
static void check_leaf(gql_vctx *ctx, const gql_value *v) {
    const gql_type *loc_type = gql_vctx_input_type(ctx);
    if (!loc_type) return;
    const gql_type *t = named_of(loc_type);
    const char *printed = gql_print_value_str(ctx->arena, v, 0);
    if (!gql_is_leaf_type(t)) {
        gql_vctx_report(ctx, &v->loc, 1, "Expected value of type \"%s\", found %s.", gql_type_str(ctx->arena, loc_type),
                        printed);
        return;
    }
    if (t->kind == GQL_ENUM) { /* graphql-js GraphQLEnumType.parseLiteral */
        if (v->kind != GQL_VALUE_ENUM) {
            gql_vctx_report(ctx, &v->loc, 1, "Enum \"%s\" cannot represent non-enum value: %s.%s", t->name, printed,
                            enum_suggestion(ctx, t, printed));
            return;
        }
        for (size_t i = 0; i < t->nenum_values; i++)
            if (strcmp(t->enum_values[i]->name, v->str) == 0) return;
        gql_vctx_report(ctx, &v->loc, 1, "Value \"%s\" does not exist in \"%s\" enum.%s", printed, t->name,
                        enum_suggestion(ctx, t, printed));
        return;
    }
    if (!t->scalar || !t->scalar->parse_literal) return; /* a custom scalar without coercion accepts any literal */
    gql_val out;
    const char *err = NULL;
    if (t->scalar->parse_literal(ctx->arena, v, NULL, &out, &err) == 0) return;
    if (err)
        gql_vctx_report(ctx, &v->loc, 1, "%s", err);
    else
        gql_vctx_report(ctx, &v->loc, 1, "Expected value of type \"%s\", found %s.", gql_type_str(ctx->arena, loc_type),
                        printed);
}

/* §3.10.1 OneOf Input Objects: exactly one field, not null, and a variable there must be non-nullable. */
static void check_one_of(gql_vctx *ctx, state_t *st, const gql_value *v, const gql_type *t) {
    /* keys are distinct names; a repeated name counts once and its last value wins (graphql-js keyMap) */
    for (size_t i = 1; i < v->object.count; i++)
        if (strcmp(v->object.fields[i]->name.value, v->object.fields[0]->name.value) != 0) {
            gql_vctx_report(ctx, &v->loc, 1, "OneOf Input Object \"%s\" must specify exactly one key.", t->name);
            return;
        }
    if (v->object.count == 0) {
        gql_vctx_report(ctx, &v->loc, 1, "OneOf Input Object \"%s\" must specify exactly one key.", t->name);
        return;
    }
    const gql_object_field *f = v->object.fields[v->object.count - 1];
    if (!f->value || f->value->kind == GQL_VALUE_NULL) {
        gql_vctx_report(ctx, &v->loc, 1, "Field \"%s.%s\" must be non-null.", t->name, f->name.value);
        return;
    }
    if (f->value->kind == GQL_VALUE_VARIABLE) {
        const gql_variable_def *vd = strmap_get(&st->var_defs, f->value->str);
        if (vd && vd->type->kind != GQL_TYPEREF_NON_NULL)
            gql_vctx_report(ctx, &v->loc, 1,
                            "Variable \"%s\" must be non-nullable to be used for OneOf Input Object \"%s\".",
                            f->value->str, t->name);
    }
}

static gql_visit_action enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    state_t *st = state;
    switch (kind) {
    case GQL_VN_OPERATION:
        strmap_init(&st->var_defs, ctx->arena);
        break;
    case GQL_VN_VARIABLE_DEF: {
        const gql_variable_def *vd = node;
        if (!st->var_defs.arena) strmap_init(&st->var_defs, ctx->arena);
        strmap_put(&st->var_defs, vd->variable.value, (void *)vd);
        break;
    }
    case GQL_VN_OBJECT_FIELD: {
        const gql_object_field *f = node;
        const gql_type *parent = named_of(gql_vctx_parent_input_type(ctx));
        if (!gql_vctx_input_type(ctx) && parent && parent->kind == GQL_INPUT_OBJECT) {
            const char **names = arena_alloc(ctx->arena, (parent->ninput_fields + 1) * sizeof *names);
            for (size_t i = 0; i < parent->ninput_fields; i++)
                names[i] = parent->input_fields[i]->name;
            ptrvec_t sugg = {0};
            gql_suggestion_list(ctx->arena, f->name.value, names, parent->ninput_fields, &sugg);
            gql_vctx_report(ctx, &f->loc, 1, "Field \"%s\" is not defined by type \"%s\".%s", f->name.value,
                            parent->name, gql_did_you_mean(ctx->arena, NULL, &sugg));
        }
        break;
    }
    case GQL_VN_VALUE: {
        const gql_value *v = node;
        switch (v->kind) {
        case GQL_VALUE_VARIABLE:
            break;
        case GQL_VALUE_LIST: {
            /* TypeInfo already entered the item type: the list's own type is the parent input type. */
            const gql_type *lt = gql_vctx_parent_input_type(ctx);
            if (lt && lt->kind == GQL_NON_NULL) lt = lt->of_type;
            if (!lt || lt->kind != GQL_LIST) {
                /* report against the list's own expected type, as graphql-js's isValidValueNode does */
                check_leaf(ctx, v);
                return GQL_VISIT_SKIP;
            }
            break;
        }
        case GQL_VALUE_OBJECT: {
            const gql_type *t = named_of(gql_vctx_input_type(ctx));
            if (!t || t->kind != GQL_INPUT_OBJECT) {
                check_leaf(ctx, v);
                return GQL_VISIT_SKIP;
            }
            for (size_t i = 0; i < t->ninput_fields; i++) {
                const gql_input_value *fd = t->input_fields[i];
                bool given = false;
                for (size_t j = 0; j < v->object.count && !given; j++)
                    given = strcmp(v->object.fields[j]->name.value, fd->name) == 0;
                if (!given && gql_is_required_input(fd))
                    gql_vctx_report(ctx, &v->loc, 1, "Field \"%s.%s\" of required type \"%s\" was not provided.",
                                    t->name, fd->name, gql_type_str(ctx->arena, fd->type));
            }
            if (t->one_of) check_one_of(ctx, st, v, t);
            break;
        }
        case GQL_VALUE_NULL: {
            const gql_type *t = gql_vctx_input_type(ctx);
            if (t && t->kind == GQL_NON_NULL)
                gql_vctx_report(ctx, &v->loc, 1, "Expected value of type \"%s\", found null.",
                                gql_type_str(ctx->arena, t));
            break;
        }
        default:
            check_leaf(ctx, v);
            break;
        }
        break;
    }
    default:
        break;
    }
    return GQL_VISIT_CONTINUE;
}

const gql_vrule gql_ValuesOfCorrectTypeRule = {"ValuesOfCorrectTypeRule", sizeof(state_t), enter, NULL};
