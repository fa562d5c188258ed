/* validate_schema.c -- the type system validity rules of spec §3 as graphql-js type/validate
 * (validateSchema) checks them, with its messages: root operation types (§3.3.1), reserved "__"
 * names (§3.1), fields and arguments (§3.6), interface implementation (§3.6.2 IsValidImplementation,
 * including transitively implemented interfaces), unions (§3.8), enums (§3.9), input objects
 * (§3.10, OneOf input objects, §3.10.1 circular non-null references) and directives (§3.13). */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "graphql/type/introspection.h"
#include "graphql/type/schema.h"
#include "graphql/type/type_internal.h"

typedef struct {
    const gql_schema *s;
    gql_errors *errs;
    size_t count;
    /* §3.10.1 cycle detection state (graphql-js createInputObjectCircularRefsValidator) */
    strmap_t visited;
    strmap_t path_index; /* type name -> (index in path) + 1, or NULL when not on the path */
    ptrvec_t path;       /* gql_input_value* */
    const char *label;   /* name of the source the checked definition comes from, or NULL */
} vctx;

static void verr(vctx *v, const gql_loc *l1, const gql_loc *l2, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void verr(vctx *v, const gql_loc *l1, const gql_loc *l2, const char *fmt, ...) {
    gql_loc locs[2];
    size_t n = 0;
    if (l1) locs[n++] = *l1;
    if (l2) locs[n++] = *l2;
    va_list ap;
    va_start(ap, fmt);
    if (v->label) {
        const char *msg = arena_vprintf(v->errs->arena, fmt, ap);
        gql_errors_add(v->errs, NULL, locs, n, NULL, "%s: %s", v->label, msg);
    } else {
        gql_errors_vadd(v->errs, NULL, locs, n, NULL, fmt, ap);
    }
    va_end(ap);
    v->count++;
}

/* Errors about a definition are labelled with its source's name, like the build's own errors. */
static void set_label(vctx *v, const char *key) {
    v->label = key ? strmap_get(&((const gql_schema_box *)v->s)->source_names, key) : NULL;
}

static const char *ts(vctx *v, const gql_type *t) {
    return gql_type_str(v->errs->arena, t);
}

static const gql_loc *type_loc(const gql_type *t) {
    return t->ast ? &t->ast->name.loc : NULL;
}
static const gql_loc *field_loc(const gql_field *f) {
    return f->ast ? &f->ast->name.loc : NULL;
}
static const gql_loc *iv_loc(const gql_input_value *iv) {
    return iv->ast ? &iv->ast->name.loc : NULL;
}

/* §3.1 Names: names starting with "__" are reserved for introspection. */
static void validate_name(vctx *v, const char *name, const gql_loc *loc) {
    if (name[0] == '_' && name[1] == '_')
        verr(v, loc, NULL, "Name \"%s\" must not begin with \"__\", which is reserved by GraphQL introspection.", name);
}

static bool is_required(const gql_input_value *iv) {
    return iv->type && iv->type->kind == GQL_NON_NULL && !iv->default_value;
}

/* §3.3.1 Root Operation Types. */
static void validate_roots(vctx *v) {
    const gql_schema *s = v->s;
    if (!s->query)
        verr(v, NULL, NULL, "Query root type must be provided.");
    else if (s->query->kind != GQL_OBJECT && (set_label(v, s->query->name), true))
        verr(v, type_loc(s->query), NULL, "Query root type must be Object type, it cannot be %s.", s->query->name);
    if (s->mutation && s->mutation->kind != GQL_OBJECT && (set_label(v, s->mutation->name), true))
        verr(v, type_loc(s->mutation), NULL, "Mutation root type must be Object type if provided, it cannot be %s.",
             s->mutation->name);
    if (s->subscription && s->subscription->kind != GQL_OBJECT && (set_label(v, s->subscription->name), true))
        verr(v, type_loc(s->subscription), NULL,
             "Subscription root type must be Object type if provided, it cannot be %s.", s->subscription->name);
}

/* §3.13 Type System Directives: arguments well-formed. */
static void validate_directives(vctx *v) {
    for (size_t i = 0; i < v->s->ndirectives; i++) {
        const gql_directive_def *d = v->s->directives[i];
        if (d->builtin) continue;
        const gql_schema_box *box = (const gql_schema_box *)v->s;
        const gql_definition *ast = strmap_get(&box->directive_asts, d->name);
        set_label(v, arena_printf(v->errs->arena, "@%s", d->name));
        validate_name(v, d->name, ast ? &ast->name.loc : NULL);
        for (size_t j = 0; j < d->nargs; j++) {
            const gql_input_value *a = d->args[j];
            validate_name(v, a->name, iv_loc(a));
            if (!gql_is_input_type(a->type))
                verr(v, iv_loc(a), NULL, "The type of @%s(%s:) must be Input Type but got: %s.", d->name, a->name,
                     ts(v, a->type));
            if (is_required(a) && a->deprecated)
                verr(v, iv_loc(a), NULL, "Required argument @%s(%s:) cannot be deprecated.", d->name, a->name);
        }
    }
}

/* §3.6 Objects / §3.7 Interfaces: fields and their arguments. */
static void validate_fields(vctx *v, const gql_type *t) {
    if (t->nfields == 0) verr(v, type_loc(t), NULL, "Type %s must define one or more fields.", t->name);
    for (size_t i = 0; i < t->nfields; i++) {
        const gql_field *f = t->fields[i];
        validate_name(v, f->name, field_loc(f));
        if (!gql_is_output_type(f->type))
            verr(v, f->ast ? &f->ast->type->loc : NULL, NULL, "The type of %s.%s must be Output Type but got: %s.",
                 t->name, f->name, ts(v, f->type));
        for (size_t j = 0; j < f->nargs; j++) {
            const gql_input_value *a = f->args[j];
            validate_name(v, a->name, iv_loc(a));
            if (!gql_is_input_type(a->type))
                verr(v, a->ast ? &a->ast->type->loc : NULL, NULL,
                     "The type of %s.%s(%s:) must be Input Type but got: %s.", t->name, f->name, a->name,
                     ts(v, a->type));
            if (is_required(a) && a->deprecated)
                verr(v, iv_loc(a), NULL, "Required argument %s.%s(%s:) cannot be deprecated.", t->name, f->name,
                     a->name);
        }
    }
}

static const gql_input_value *find_arg(const gql_field *f, const char *name) {
    for (size_t i = 0; i < f->nargs; i++)
        if (strcmp(f->args[i]->name, name) == 0) return f->args[i];
    return NULL;
}

/* §3.6.2 IsValidImplementation: fields of `iface` present on `t` with covariant types and
 * equal argument types; extra arguments optional. */
static void validate_implements_interface(vctx *v, const gql_type *t, const gql_type *iface) {
    for (size_t i = 0; i < iface->nfields; i++) {
        const gql_field *ifield = iface->fields[i];
        const gql_field *tfield = gql_type_field(t, ifield->name);
        if (!tfield) {
            verr(v, field_loc(ifield), type_loc(t), "Interface field %s.%s expected but %s does not provide it.",
                 iface->name, ifield->name, t->name);
            continue;
        }
        if (!gql_is_subtype(v->s, tfield->type, ifield->type))
            verr(v, ifield->ast ? &ifield->ast->type->loc : NULL, tfield->ast ? &tfield->ast->type->loc : NULL,
                 "Interface field %s.%s expects type %s but %s.%s is type %s.", iface->name, ifield->name,
                 ts(v, ifield->type), t->name, tfield->name, ts(v, tfield->type));
        for (size_t j = 0; j < ifield->nargs; j++) {
            const gql_input_value *iarg = ifield->args[j];
            const gql_input_value *targ = find_arg(tfield, iarg->name);
            if (!targ) {
                verr(v, iv_loc(iarg), field_loc(tfield),
                     "Interface field argument %s.%s(%s:) expected but %s.%s does not provide it.", iface->name,
                     ifield->name, iarg->name, t->name, tfield->name);
                continue;
            }
            if (!gql_type_equal(iarg->type, targ->type))
                verr(v, iarg->ast ? &iarg->ast->type->loc : NULL, targ->ast ? &targ->ast->type->loc : NULL,
                     "Interface field argument %s.%s(%s:) expects type %s but %s.%s(%s:) is type %s.", iface->name,
                     ifield->name, iarg->name, ts(v, iarg->type), t->name, tfield->name, targ->name, ts(v, targ->type));
        }
        for (size_t j = 0; j < tfield->nargs; j++) {
            const gql_input_value *targ = tfield->args[j];
            if (!find_arg(ifield, targ->name) && is_required(targ))
                verr(v, iv_loc(targ), field_loc(ifield),
                     "Object field %s.%s includes required argument %s that is missing from the Interface field "
                     "%s.%s.",
                     t->name, tfield->name, targ->name, iface->name, ifield->name);
        }
    }
}

/* §3.7 Interfaces Implementing Interfaces: every interface of `iface` must be implemented too. */
static void validate_implements_ancestors(vctx *v, const gql_type *t, const gql_type *iface) {
    for (size_t i = 0; i < iface->ninterfaces; i++) {
        const gql_type *trans = iface->interfaces[i];
        bool found = false;
        for (size_t j = 0; j < t->ninterfaces && !found; j++)
            found = t->interfaces[j] == trans;
        if (found) continue;
        if (trans == t)
            verr(v, type_loc(t), type_loc(iface),
                 "Type %s cannot implement %s because it would create a circular reference.", t->name, iface->name);
        else
            verr(v, type_loc(t), type_loc(iface), "Type %s must implement %s because it is implemented by %s.", t->name,
                 trans->name, iface->name);
    }
}

static void validate_interfaces(vctx *v, const gql_type *t) {
    for (size_t i = 0; i < t->ninterfaces; i++) {
        const gql_type *iface = t->interfaces[i];
        const gql_loc *l = t->ast && i < t->ast->ninterfaces ? &t->ast->interfaces[i].loc : type_loc(t);
        if (iface->kind != GQL_INTERFACE) {
            verr(v, l, NULL, "Type %s must only implement Interface types, it cannot implement %s.", t->name,
                 iface->name);
            continue;
        }
        if (iface == t) {
            verr(v, l, NULL, "Type %s cannot implement itself because it would create a circular reference.", t->name);
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = t->interfaces[j] == iface;
        if (dup) {
            verr(v, l, NULL, "Type %s can only implement %s once.", t->name, iface->name);
            continue;
        }
        validate_implements_ancestors(v, t, iface);
        validate_implements_interface(v, t, iface);
    }
}

/* §3.8 Unions: at least one member, object types only, no repeats. */
static void validate_union(vctx *v, const gql_type *t) {
    if (t->npossible_types == 0)
        verr(v, type_loc(t), NULL, "Union type %s must define one or more member types.", t->name);
    for (size_t i = 0; i < t->npossible_types; i++) {
        const gql_type *m = t->possible_types[i];
        const gql_loc *l = t->ast && i < t->ast->nmembers ? &t->ast->members[i].loc : type_loc(t);
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = t->possible_types[j] == m;
        if (dup) {
            verr(v, l, NULL, "Union type %s can only include type %s once.", t->name, m->name);
            continue;
        }
        if (m->kind != GQL_OBJECT)
            verr(v, l, NULL, "Union type %s can only include Object types, it cannot include %s.", t->name, m->name);
    }
}

/* §3.9 Enums. */
static void validate_enum(vctx *v, const gql_type *t) {
    if (t->nenum_values == 0) verr(v, type_loc(t), NULL, "Enum type %s must define one or more values.", t->name);
    for (size_t i = 0; i < t->nenum_values; i++) {
        const gql_enum_value *e = t->enum_values[i];
        validate_name(v, e->name, e->ast ? &e->ast->name.loc : NULL);
    }
}

/* §3.10 Input Objects, including OneOf Input Objects. */
static void validate_input_fields(vctx *v, const gql_type *t) {
    if (t->ninput_fields == 0)
        verr(v, type_loc(t), NULL, "Input Object type %s must define one or more fields.", t->name);
    for (size_t i = 0; i < t->ninput_fields; i++) {
        const gql_input_value *f = t->input_fields[i];
        validate_name(v, f->name, iv_loc(f));
        if (!gql_is_input_type(f->type))
            verr(v, f->ast ? &f->ast->type->loc : NULL, NULL, "The type of %s.%s must be Input Type but got: %s.",
                 t->name, f->name, ts(v, f->type));
        if (is_required(f) && f->deprecated)
            verr(v, iv_loc(f), NULL, "Required input field %s.%s cannot be deprecated.", t->name, f->name);
        if (t->one_of) {
            if (f->type && f->type->kind == GQL_NON_NULL)
                verr(v, iv_loc(f), NULL, "OneOf input field %s.%s must be nullable.", t->name, f->name);
            if (f->default_value)
                verr(v, iv_loc(f), NULL, "OneOf input field %s.%s cannot have a default value.", t->name, f->name);
        }
    }
}

/* §3.10.1 Circular References: no cycle of input objects through non-null fields (such a value
 * could never be written). Depth is bounded by the number of input object types. */
static void detect_cycles(vctx *v, const gql_type *t) {
    if (strmap_get(&v->visited, t->name)) return;
    strmap_put(&v->visited, t->name, (void *)t);
    strmap_put(&v->path_index, t->name, (void *)(uintptr_t)(v->path.count + 1));
    for (size_t i = 0; i < t->ninput_fields; i++) {
        gql_input_value *f = t->input_fields[i];
        if (!f->type || f->type->kind != GQL_NON_NULL || f->type->of_type->kind != GQL_INPUT_OBJECT) continue;
        const gql_type *ft = f->type->of_type;
        uintptr_t idx = (uintptr_t)strmap_get(&v->path_index, ft->name);
        ptrvec_push(v->errs->arena, &v->path, f);
        if (!idx) {
            detect_cycles(v, ft);
        } else {
            buf_t b = BUF_INIT;
            size_t from = idx - 1, nl = v->path.count - from;
            gql_loc *locs = arena_alloc(v->errs->arena, nl * sizeof *locs);
            size_t n = 0;
            for (size_t j = from; j < v->path.count; j++) {
                const gql_input_value *pf = v->path.items[j];
                if (j > from) buf_putc(&b, '.');
                buf_puts(&b, pf->name);
                if (pf->ast) locs[n++] = pf->ast->loc;
            }
            gql_errors_add(v->errs, NULL, locs, n, NULL,
                           "%s%sCannot reference Input Object \"%s\" within itself through a series of non-null "
                           "fields: \"%s\".",
                           v->label ? v->label : "", v->label ? ": " : "", ft->name, buf_cstr(&b));
            v->count++;
            buf_free(&b);
        }
        v->path.count--;
    }
    strmap_put(&v->path_index, t->name, NULL);
}

size_t gql_schema_validate(const gql_schema *s, gql_errors *errs) {
    vctx v = {.s = s, .errs = errs};
    strmap_init(&v.visited, errs->arena);
    strmap_init(&v.path_index, errs->arena);
    validate_roots(&v);
    validate_directives(&v);
    for (size_t i = 0; i < s->ntypes; i++) {
        const gql_type *t = s->type_list[i];
        if (t->builtin) continue;
        set_label(&v, t->name);
        validate_name(&v, t->name, type_loc(t));
        switch (t->kind) {
        case GQL_OBJECT:
        case GQL_INTERFACE:
            validate_fields(&v, t);
            validate_interfaces(&v, t);
            break;
        case GQL_UNION:
            validate_union(&v, t);
            break;
        case GQL_ENUM:
            validate_enum(&v, t);
            break;
        case GQL_INPUT_OBJECT:
            validate_input_fields(&v, t);
            detect_cycles(&v, t);
            break;
        default:
            break;
        }
    }
    return v.count;
}
