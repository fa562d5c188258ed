/* build.c -- gql_schema_build: SDL sources -> a read-only schema (graphql-js utilities/buildASTSchema
 * with extendSchemaImpl, and the SDL rules of validation/validateSDL: unique names, known types,
 * known directives, possible type extensions). Runs once at start; afterwards every lookup is a
 * strmap probe and the schema is never written, so request threads share it without locks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "graphql/language/parser.h"
#include "graphql/type/scalars.h"
#include "graphql/type/schema.h"
#include "graphql/type/type_internal.h"
#include "util/log.h"

typedef struct {
    gql_definition *def;
    int src; /* index of the user source, -1 for the built-in prelude */
} item_t;

typedef struct {
    gql_schema_box *box;
    gql_schema *s;
    arena_t *a;
    gql_errors *errs;
    const char *const *names;
    size_t nerrs0;
    ptrvec_t type_items; /* item_t* of each type definition, parallel to types */
    ptrvec_t types;      /* gql_type* in definition order */
    ptrvec_t exts;       /* item_t* of every type extension */
    strmap_t ext_map;    /* type name -> ptrvec_t* of item_t* (valid extensions) */
    ptrvec_t dir_items;  /* item_t* of each directive definition in use */
    strmap_t dir_item_map;
} bctx;

static void berr(bctx *c, int src, const gql_loc *l1, const gql_loc *l2, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Adds a build error; messages from user sources are prefixed with the source's name when named. */
static void berr(bctx *c, int src, const gql_loc *l1, const gql_loc *l2, const char *fmt, ...) {
    gql_loc locs[2];
    size_t n = 0;
    if (l1) locs[n++] = *l1;
    if (l2) locs[n++] = *l2;
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(c->errs->arena, fmt, ap);
    va_end(ap);
    if (src >= 0 && c->names && c->names[src])
        gql_errors_add(c->errs, NULL, locs, n, NULL, "%s: %s", c->names[src], msg);
    else
        gql_errors_add(c->errs, NULL, locs, n, NULL, "%s", msg);
}

static item_t *new_item(bctx *c, gql_definition *d, int src) {
    item_t *it = arena_alloc(c->a, sizeof *it);
    it->def = d;
    it->src = src;
    return it;
}

/* Copies a ptrvec into a typed array (void* and T* need not share a representation in C). */
#define VEC_TO_ARRAY(c, vec, T, out, nout)                                                                             \
    do {                                                                                                               \
        (nout) = (vec).count;                                                                                          \
        (out) = (vec).count ? arena_alloc((c)->a, (vec).count * sizeof(T *)) : NULL;                                   \
        for (size_t vi_ = 0; vi_ < (vec).count; vi_++)                                                                 \
            (out)[vi_] = (T *)(vec).items[vi_];                                                                        \
    } while (0)

static gql_type_kind def_type_kind(gql_def_kind k) {
    switch (k) {
    case GQL_DEF_SCALAR:
        return GQL_SCALAR;
    case GQL_DEF_OBJECT:
        return GQL_OBJECT;
    case GQL_DEF_INTERFACE:
        return GQL_INTERFACE;
    case GQL_DEF_UNION:
        return GQL_UNION;
    case GQL_DEF_ENUM:
        return GQL_ENUM;
    default:
        return GQL_INPUT_OBJECT;
    }
}

static const char *kind_word(gql_type_kind k) {
    switch (k) {
    case GQL_SCALAR:
        return "scalar";
    case GQL_OBJECT:
        return "object";
    case GQL_INTERFACE:
        return "interface";
    case GQL_UNION:
        return "union";
    case GQL_ENUM:
        return "enum";
    default:
        return "input object";
    }
}

static bool is_std_scalar(const char *name) {
    return !strcmp(name, "String") || !strcmp(name, "Int") || !strcmp(name, "Float") || !strcmp(name, "Boolean") ||
           !strcmp(name, "ID");
}

/* Resolves a type reference (graphql-js KnownTypeNames: `Unknown type "X".`). */
static gql_type *resolve_ref(bctx *c, int src, const gql_typeref *ref) {
    if (ref->kind == GQL_TYPEREF_NAMED) {
        gql_type *t = strmap_get(&c->s->types, ref->name.value);
        if (!t) {
            berr(c, src, &ref->name.loc, NULL, "Unknown type \"%s\".", ref->name.value);
            return NULL;
        }
        return t;
    }
    gql_type *inner = resolve_ref(c, src, ref->of);
    if (!inner) return NULL;
    gql_type *t = arena_alloc(c->a, sizeof *t);
    t->kind = ref->kind == GQL_TYPEREF_LIST ? GQL_LIST : GQL_NON_NULL;
    t->of_type = inner;
    return t;
}

static const gql_directive *find_directive(gql_directive *const *dirs, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(dirs[i]->name.value, name) == 0) return dirs[i];
    return NULL;
}

static const gql_value *directive_arg(const gql_directive *d, const char *name) {
    for (size_t i = 0; i < d->nargs; i++)
        if (strcmp(d->args[i]->name.value, name) == 0) return d->args[i]->value;
    return NULL;
}

/* graphql-js getDeprecationReason: "No longer supported" when @deprecated has no reason, NULL when
 * not deprecated (an explicit `reason: null` also means not deprecated). */
static const char *deprecation_reason(gql_directive *const *dirs, size_t n) {
    const gql_directive *d = find_directive(dirs, n, "deprecated");
    if (!d) return NULL;
    const gql_value *r = directive_arg(d, "reason");
    if (!r) return "No longer supported";
    if (r->kind == GQL_VALUE_STRING) return r->str;
    if (r->kind == GQL_VALUE_NULL) return NULL;
    return "No longer supported";
}

/* Argument or input field definitions (§3.6.1, §3.10) appended to vec; a repeated name is reported with
 * dup_fmt, which gets owner ("Type.field", "@directive" or the input type) and the name. */
static void build_input_values(bctx *c, int src, gql_input_value_def *const *defs, size_t n, ptrvec_t *vec,
                               const char *dup_fmt, const char *owner) {
    for (size_t i = 0; i < n; i++) {
        const gql_input_value_def *d = defs[i];
        bool dup = false;
        for (size_t j = 0; j < vec->count; j++) {
            gql_input_value *o = vec->items[j];
            if (strcmp(o->name, d->name.value) == 0) {
                berr(c, src, &o->ast->name.loc, &d->name.loc, dup_fmt, owner, d->name.value);
                dup = true;
                break;
            }
        }
        if (dup) continue;
        gql_input_value *iv = arena_alloc(c->a, sizeof *iv);
        iv->name = d->name.value;
        iv->description = d->description;
        iv->type = resolve_ref(c, src, d->type);
        iv->default_value = d->default_value;
        iv->deprecation_reason = deprecation_reason(d->directives, d->ndirectives);
        iv->deprecated = iv->deprecation_reason != NULL;
        iv->ast = d;
        ptrvec_push(c->a, vec, iv);
    }
}

/* Field definitions (§3.6) of one definition or extension, unique per type across all of them. */
static void add_fields(bctx *c, int src, gql_type *t, const gql_definition *d, ptrvec_t *fields) {
    for (size_t i = 0; i < d->nfields; i++) {
        const gql_field_def *fd = d->fields[i];
        gql_field *old = strmap_get(&t->field_map, fd->name.value);
        if (old) {
            berr(c, src, &old->ast->name.loc, &fd->name.loc, "Field \"%s.%s\" can only be defined once.", t->name,
                 fd->name.value);
            continue;
        }
        gql_field *f = arena_alloc(c->a, sizeof *f);
        f->name = fd->name.value;
        f->description = fd->description;
        f->type = resolve_ref(c, src, fd->type);
        f->parent = t;
        f->ast = fd;
        f->deprecation_reason = deprecation_reason(fd->directives, fd->ndirectives);
        f->deprecated = f->deprecation_reason != NULL;
        ptrvec_t args = {0};
        const char *owner = arena_printf(c->a, "%s.%s", t->name, f->name);
        build_input_values(c, src, fd->args, fd->nargs, &args, "Argument \"%s(%s:)\" can only be defined once.", owner);
        VEC_TO_ARRAY(c, args, gql_input_value, f->args, f->nargs);
        strmap_put(&t->field_map, f->name, f);
        ptrvec_push(c->a, fields, f);
    }
}

/* Resolves implemented interfaces or union members by name. */
static void add_named_refs(bctx *c, int src, const gql_name *names, size_t n, ptrvec_t *out) {
    for (size_t i = 0; i < n; i++) {
        gql_type *t = strmap_get(&c->s->types, names[i].value);
        if (!t) {
            berr(c, src, &names[i].loc, NULL, "Unknown type \"%s\".", names[i].value);
            continue;
        }
        ptrvec_push(c->a, out, t);
    }
}

/* Fills a type from its definition and then its extensions, in document order (extendSchemaImpl). */
static void fill_type(bctx *c, gql_type *t, item_t *def_item) {
    ptrvec_t parts = {0};
    ptrvec_push(c->a, &parts, def_item);
    ptrvec_t *exts = strmap_get(&c->ext_map, t->name);
    if (exts)
        for (size_t i = 0; i < exts->count; i++)
            ptrvec_push(c->a, &parts, exts->items[i]);

    ptrvec_t fields = {0}, ifaces = {0}, members = {0}, values = {0}, inputs = {0};
    strmap_init(&t->field_map, c->a);
    for (size_t p = 0; p < parts.count; p++) {
        item_t *it = parts.items[p];
        const gql_definition *d = it->def;
        switch (t->kind) {
        case GQL_OBJECT:
        case GQL_INTERFACE:
            add_named_refs(c, it->src, d->interfaces, d->ninterfaces, &ifaces);
            add_fields(c, it->src, t, d, &fields);
            break;
        case GQL_UNION:
            add_named_refs(c, it->src, d->members, d->nmembers, &members);
            break;
        case GQL_ENUM:
            for (size_t i = 0; i < d->nvalues; i++) {
                const gql_enum_value_def *vd = d->values[i];
                bool dup = false;
                for (size_t j = 0; j < values.count && !dup; j++) {
                    gql_enum_value *o = values.items[j];
                    if (strcmp(o->name, vd->name.value) == 0) {
                        berr(c, it->src, &o->ast->name.loc, &vd->name.loc,
                             "Enum value \"%s.%s\" can only be defined once.", t->name, vd->name.value);
                        dup = true;
                    }
                }
                if (dup) continue;
                gql_enum_value *ev = arena_alloc(c->a, sizeof *ev);
                ev->name = vd->name.value;
                ev->description = vd->description;
                ev->deprecation_reason = deprecation_reason(vd->directives, vd->ndirectives);
                ev->deprecated = ev->deprecation_reason != NULL;
                ev->ast = vd;
                ptrvec_push(c->a, &values, ev);
            }
            break;
        case GQL_INPUT_OBJECT:
            build_input_values(c, it->src, d->input_fields, d->ninput_fields, &inputs,
                               "Field \"%s.%s\" can only be defined once.", t->name);
            /* graphql-js buildASTSchema reads @oneOf and @specifiedBy from the definition only */
            if (p == 0 && find_directive(d->directives, d->ndirectives, "oneOf")) t->one_of = true;
            break;
        case GQL_SCALAR: {
            const gql_directive *sb = p == 0 ? find_directive(d->directives, d->ndirectives, "specifiedBy") : NULL;
            const gql_value *url = sb ? directive_arg(sb, "url") : NULL;
            if (url && url->kind == GQL_VALUE_STRING) t->specified_by_url = url->str;
            break;
        }
        default:
            break;
        }
    }
    VEC_TO_ARRAY(c, fields, gql_field, t->fields, t->nfields);
    VEC_TO_ARRAY(c, ifaces, gql_type, t->interfaces, t->ninterfaces);
    if (t->kind == GQL_UNION) VEC_TO_ARRAY(c, members, gql_type, t->possible_types, t->npossible_types);
    VEC_TO_ARRAY(c, values, gql_enum_value, t->enum_values, t->nenum_values);
    VEC_TO_ARRAY(c, inputs, gql_input_value, t->input_fields, t->ninput_fields);
}

/* Phase 1: create the named types and note directive definitions, schema definitions, extensions. */
static void collect(bctx *c, gql_document *doc, int src, item_t **schema_def, ptrvec_t *schema_exts) {
    for (size_t i = 0; i < doc->ndefs; i++) {
        gql_definition *d = doc->defs[i];
        switch (d->kind) {
        case GQL_DEF_OPERATION:
        case GQL_DEF_FRAGMENT:
            berr(c, src, &d->loc, NULL, "The %s definition is not allowed in a schema document.",
                 d->kind == GQL_DEF_FRAGMENT ? "fragment" : "operation");
            break;
        case GQL_DEF_SCHEMA:
            if (d->extension) {
                ptrvec_push(c->a, schema_exts, new_item(c, d, src));
            } else if (*schema_def) {
                berr(c, src, &d->loc, NULL, "Must provide only one schema definition.");
            } else {
                *schema_def = new_item(c, d, src);
            }
            break;
        case GQL_DEF_DIRECTIVE: {
            item_t *old = strmap_get(&c->dir_item_map, d->name.value);
            if (old && old->src >= 0) {
                berr(c, src, &old->def->name.loc, &d->name.loc, "There can be only one directive named \"@%s\".",
                     d->name.value);
                break;
            }
            item_t *it = new_item(c, d, src);
            if (old) { /* a user definition replaces a built-in one, in place */
                for (size_t j = 0; j < c->dir_items.count; j++)
                    if (c->dir_items.items[j] == old) c->dir_items.items[j] = it;
            } else {
                ptrvec_push(c->a, &c->dir_items, it);
            }
            strmap_put(&c->dir_item_map, d->name.value, it);
            if (src >= 0 && c->names && c->names[src])
                strmap_put(&c->box->source_names, arena_printf(c->a, "@%s", d->name.value), (void *)c->names[src]);
            break;
        }
        default:
            if (d->extension) {
                ptrvec_push(c->a, &c->exts, new_item(c, d, src));
                break;
            }
            gql_type *old = strmap_get(&c->s->types, d->name.value);
            if (old) {
                if (old->builtin && src >= 0 && is_std_scalar(old->name)) break; /* the standard one is used */
                if (old->builtin) {
                    berr(c, src, &d->name.loc, NULL,
                         "Schema must contain uniquely named types but contains multiple types named \"%s\".",
                         d->name.value);
                } else {
                    berr(c, src, &old->ast->name.loc, &d->name.loc, "There can be only one type named \"%s\".",
                         d->name.value);
                }
                break;
            }
            gql_type *t = arena_alloc(c->a, sizeof *t);
            t->kind = def_type_kind(d->kind);
            t->name = d->name.value;
            t->description = d->description;
            t->builtin = src < 0;
            t->ast = src < 0 ? NULL : d;
            strmap_put(&c->s->types, t->name, t);
            if (src >= 0 && c->names && c->names[src])
                strmap_put(&c->box->source_names, t->name, (void *)c->names[src]);
            ptrvec_push(c->a, &c->types, t);
            ptrvec_push(c->a, &c->type_items, new_item(c, d, src));
        }
    }
}

/* graphql-js PossibleTypeExtensions. */
static void check_extensions(bctx *c) {
    for (size_t i = 0; i < c->exts.count; i++) {
        item_t *it = c->exts.items[i];
        gql_type *t = strmap_get(&c->s->types, it->def->name.value);
        if (!t || (t->builtin && !is_std_scalar(t->name))) { /* introspection types cannot be extended */
            berr(c, it->src, &it->def->name.loc, NULL, "Cannot extend type \"%s\" because it is not defined.",
                 it->def->name.value);
            continue;
        }
        if (t->kind != def_type_kind(it->def->kind)) {
            berr(c, it->src, &it->def->name.loc, NULL, "Cannot extend non-%s type \"%s\".",
                 kind_word(def_type_kind(it->def->kind)), t->name);
            continue;
        }
        ptrvec_t *v = strmap_get(&c->ext_map, t->name);
        if (!v) {
            v = arena_alloc(c->a, sizeof *v);
            strmap_put(&c->ext_map, t->name, v);
        }
        ptrvec_push(c->a, v, it);
    }
}

/* Directive definitions (§3.13), the built-ins first; a user definition of a built-in name replaces it. */
static void build_directives(bctx *c) {
    ptrvec_t out = {0};
    for (size_t i = 0; i < c->dir_items.count; i++) {
        item_t *it = c->dir_items.items[i];
        const gql_definition *d = it->def;
        gql_directive_def *dd = arena_alloc(c->a, sizeof *dd);
        dd->name = d->name.value;
        dd->description = d->description;
        dd->locations = d->locations;
        dd->repeatable = d->repeatable;
        dd->builtin = it->src < 0;
        ptrvec_t args = {0};
        const char *owner = arena_printf(c->a, "@%s", dd->name);
        build_input_values(c, it->src, d->input_fields, d->ninput_fields, &args,
                           "Argument \"%s(%s:)\" can only be defined once.", owner);
        VEC_TO_ARRAY(c, args, gql_input_value, dd->args, dd->nargs);
        strmap_put(&c->s->directive_map, dd->name, dd);
        strmap_put(&c->box->directive_asts, dd->name, (void *)d);
        ptrvec_push(c->a, &out, dd);
    }
    VEC_TO_ARRAY(c, out, gql_directive_def, c->s->directives, c->s->ndirectives);
}

/* graphql-js UniqueInputFieldNames: no object literal names a field twice. Literal nesting is
 * bounded by the parser's depth limit. */
static void check_literal(bctx *c, int src, const gql_value *v) {
    if (!v) return;
    if (v->kind == GQL_VALUE_LIST) {
        for (size_t i = 0; i < v->list.count; i++)
            check_literal(c, src, v->list.items[i]);
    } else if (v->kind == GQL_VALUE_OBJECT) {
        for (size_t i = 0; i < v->object.count; i++) {
            const gql_object_field *f = v->object.fields[i];
            for (size_t j = 0; j < i; j++) {
                if (strcmp(v->object.fields[j]->name.value, f->name.value) == 0) {
                    berr(c, src, &v->object.fields[j]->name.loc, &f->name.loc,
                         "There can be only one input field named \"%s\".", f->name.value);
                    break;
                }
            }
            check_literal(c, src, f->value);
        }
    }
}

/* graphql-js UniqueArgumentNames for one directive application: one error per repeated name,
 * located at every use of it. */
static void check_unique_args(bctx *c, int src, const gql_directive *use) {
    for (size_t i = 0; i < use->nargs; i++) {
        bool first = true, dup = false;
        for (size_t j = 0; j < use->nargs && first; j++) {
            if (strcmp(use->args[j]->name.value, use->args[i]->name.value) != 0) continue;
            if (j < i) first = false;
            if (j != i) dup = true;
        }
        if (!first || !dup) continue;
        gql_loc *locs = arena_alloc(c->a, use->nargs * sizeof *locs);
        size_t n = 0;
        for (size_t j = 0; j < use->nargs; j++)
            if (strcmp(use->args[j]->name.value, use->args[i]->name.value) == 0) locs[n++] = use->args[j]->name.loc;
        const char *msg = arena_printf(c->a, "There can be only one argument named \"%s\".", use->args[i]->name.value);
        if (src >= 0 && c->names && c->names[src])
            gql_errors_add(c->errs, NULL, locs, n, NULL, "%s: %s", c->names[src], msg);
        else
            gql_errors_add(c->errs, NULL, locs, n, NULL, "%s", msg);
    }
}

/* graphql-js KnownDirectives, UniqueDirectivesPerLocation, KnownArgumentNamesOnDirectives and
 * ProvidedRequiredArgumentsOnDirectives for the directives used at one SDL location. `seen`
 * collects non-repeatable directives already used at the same location (type + extensions). */
static void check_directives(bctx *c, int src, gql_directive *const *dirs, size_t n, uint32_t location,
                             ptrvec_t *seen) {
    ptrvec_t local = {0};
    if (!seen) seen = &local;
    for (size_t i = 0; i < n; i++) {
        const gql_directive *use = dirs[i];
        check_unique_args(c, src, use);
        for (size_t k = 0; k < use->nargs; k++)
            check_literal(c, src, use->args[k]->value);
        const gql_directive_def *dd = strmap_get(&c->s->directive_map, use->name.value);
        if (!dd) {
            berr(c, src, &use->name.loc, NULL, "Unknown directive \"@%s\".", use->name.value);
            continue;
        }
        if (!(dd->locations & location)) {
            berr(c, src, &use->name.loc, NULL, "Directive \"@%s\" may not be used on %s.", use->name.value,
                 gql_directive_location_name(location));
        }
        if (!dd->repeatable) {
            for (size_t j = 0; j < seen->count; j++) {
                const gql_directive *prev = seen->items[j];
                if (strcmp(prev->name.value, use->name.value) == 0) {
                    berr(c, src, &prev->name.loc, &use->name.loc,
                         "The directive \"@%s\" can only be used once at this location.", use->name.value);
                    break;
                }
            }
            ptrvec_push(c->a, seen, (void *)use);
        }
        for (size_t k = 0; k < use->nargs; k++) {
            bool known = false;
            for (size_t j = 0; j < dd->nargs && !known; j++)
                known = !strcmp(dd->args[j]->name, use->args[k]->name.value);
            if (!known)
                berr(c, src, &use->args[k]->name.loc, NULL, "Unknown argument \"%s\" on directive \"@%s\".",
                     use->args[k]->name.value, dd->name);
        }
        for (size_t j = 0; j < dd->nargs; j++) {
            const gql_input_value *a = dd->args[j];
            if (!a->type || a->type->kind != GQL_NON_NULL || a->default_value) continue;
            if (!directive_arg(use, a->name))
                berr(c, src, &use->loc, NULL,
                     "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it was not provided.", dd->name,
                     a->name, gql_type_str(c->a, a->type));
        }
    }
}

static void check_input_value_directives(bctx *c, int src, gql_input_value_def *const *defs, size_t n,
                                         uint32_t location) {
    for (size_t i = 0; i < n; i++) {
        check_directives(c, src, defs[i]->directives, defs[i]->ndirectives, location, NULL);
        check_literal(c, src, defs[i]->default_value);
    }
}

static uint32_t type_location(gql_def_kind k) {
    switch (k) {
    case GQL_DEF_SCALAR:
        return GQL_DL_SCALAR;
    case GQL_DEF_OBJECT:
        return GQL_DL_OBJECT;
    case GQL_DEF_INTERFACE:
        return GQL_DL_INTERFACE;
    case GQL_DEF_UNION:
        return GQL_DL_UNION;
    case GQL_DEF_ENUM:
        return GQL_DL_ENUM;
    default:
        return GQL_DL_INPUT_OBJECT;
    }
}

static void check_def_directives(bctx *c, const item_t *it, ptrvec_t *seen) {
    const gql_definition *d = it->def;
    check_directives(c, it->src, d->directives, d->ndirectives, type_location(d->kind), seen);
    for (size_t i = 0; i < d->nfields; i++) {
        check_directives(c, it->src, d->fields[i]->directives, d->fields[i]->ndirectives, GQL_DL_FIELD_DEFINITION,
                         NULL);
        check_input_value_directives(c, it->src, d->fields[i]->args, d->fields[i]->nargs, GQL_DL_ARGUMENT_DEFINITION);
    }
    for (size_t i = 0; i < d->nvalues; i++)
        check_directives(c, it->src, d->values[i]->directives, d->values[i]->ndirectives, GQL_DL_ENUM_VALUE, NULL);
    check_input_value_directives(c, it->src, d->input_fields, d->ninput_fields, GQL_DL_INPUT_FIELD_DEFINITION);
}

/* Checks every directive application in the user's sources at its SDL location (§3.13 DirectiveLocations). */
static void check_all_directives(bctx *c, item_t *schema_def, ptrvec_t *schema_exts) {
    ptrvec_t seen = {0};
    if (schema_def)
        check_directives(c, schema_def->src, schema_def->def->directives, schema_def->def->ndirectives, GQL_DL_SCHEMA,
                         &seen);
    for (size_t i = 0; i < schema_exts->count; i++) {
        item_t *it = schema_exts->items[i];
        check_directives(c, it->src, it->def->directives, it->def->ndirectives, GQL_DL_SCHEMA, &seen);
    }
    for (size_t i = 0; i < c->types.count; i++) {
        item_t *it = c->type_items.items[i];
        if (it->src < 0) continue;
        ptrvec_t tseen = {0};
        check_def_directives(c, it, &tseen);
        ptrvec_t *exts = strmap_get(&c->ext_map, it->def->name.value);
        for (size_t j = 0; exts && j < exts->count; j++)
            check_def_directives(c, exts->items[j], &tseen);
    }
    for (size_t i = 0; i < c->dir_items.count; i++) {
        item_t *it = c->dir_items.items[i];
        if (it->src >= 0)
            check_input_value_directives(c, it->src, it->def->input_fields, it->def->ninput_fields,
                                         GQL_DL_ARGUMENT_DEFINITION);
    }
}

/* Root operation types: the schema definition and its extensions (graphql-js LoneSchemaDefinition,
 * UniqueOperationTypes), else the types named Query, Mutation and Subscription (§3.3.1). */
static void set_roots(bctx *c, item_t *schema_def, ptrvec_t *schema_exts) {
    gql_schema *s = c->s;
    ptrvec_t parts = {0};
    if (schema_def) {
        ptrvec_push(c->a, &parts, schema_def);
        s->description = schema_def->def->description;
    }
    for (size_t i = 0; i < schema_exts->count; i++)
        ptrvec_push(c->a, &parts, schema_exts->items[i]);
    static const char *const op_names[] = {"query", "mutation", "subscription"};
    for (size_t p = 0; p < parts.count; p++) {
        item_t *it = parts.items[p];
        for (size_t i = 0; i < it->def->nroot_ops; i++) {
            const gql_root_operation_def *op = it->def->root_ops[i];
            gql_type **slot = op->operation == GQL_OP_QUERY      ? &s->query
                              : op->operation == GQL_OP_MUTATION ? &s->mutation
                                                                 : &s->subscription;
            if (*slot) {
                berr(c, it->src, &op->loc, NULL, "There can be only one %s type in schema.", op_names[op->operation]);
                continue;
            }
            gql_type *t = strmap_get(&s->types, op->type.value);
            if (!t) {
                berr(c, it->src, &op->type.loc, NULL, "Unknown type \"%s\".", op->type.value);
                continue;
            }
            *slot = t;
        }
    }
    if (!schema_def) {
        gql_type *q = strmap_get(&s->types, "Query"), *m = strmap_get(&s->types, "Mutation");
        gql_type *sub = strmap_get(&s->types, "Subscription");
        if (q) s->query = q;
        if (m) s->mutation = m;
        if (sub) s->subscription = sub;
    }
}

static void push_unique(arena_t *a, gql_type ***arr, size_t *n, gql_type *t) {
    for (size_t i = 0; i < *n; i++)
        if ((*arr)[i] == t) return;
    *arr = arena_realloc(a, *arr, *n * sizeof **arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = t;
}

/* §4.2.1 possibleTypes of interfaces (implementing objects, in type order), plus the interfaces
 * that implement each interface. */
static void link_implementations(bctx *c) {
    for (size_t i = 0; i < c->s->ntypes; i++) {
        gql_type *t = c->s->type_list[i];
        if (t->kind != GQL_OBJECT && t->kind != GQL_INTERFACE) continue;
        for (size_t j = 0; j < t->ninterfaces; j++) {
            gql_type *iface = t->interfaces[j];
            if (iface->kind != GQL_INTERFACE) continue;
            if (t->kind == GQL_OBJECT)
                push_unique(c->a, &iface->possible_types, &iface->npossible_types, t);
            else
                push_unique(c->a, &iface->implementing_interfaces, &iface->nimplementing_interfaces, t);
        }
    }
}

/* Scalar coercion (§3.5): the built-ins, the engine's JSON/DateTime/Duration when declared, and for other
 * custom scalars graphql-js's default (values as they are, literals untyped) until the domain sets its own. */
static void set_scalars(const ptrvec_t *types) {
    static const struct {
        const char *name;
        const gql_scalar_funcs *funcs;
    } presets[] = {{"String", &gql_scalar_string},
                   {"Int", &gql_scalar_int},
                   {"Float", &gql_scalar_float},
                   {"Boolean", &gql_scalar_boolean},
                   {"ID", &gql_scalar_id},
                   {"JSON", &gql_scalar_json},
                   {"DateTime", &gql_scalar_datetime},
                   {"Duration", &gql_scalar_duration}};
    for (size_t i = 0; i < types->count; i++) {
        gql_type *t = types->items[i];
        if (t->kind != GQL_SCALAR) continue;
        t->scalar = &gql_scalar_json; /* graphql-js default for custom scalars: identity, untyped literals */
        for (size_t j = 0; j < sizeof presets / sizeof presets[0]; j++)
            if (strcmp(t->name, presets[j].name) == 0) t->scalar = presets[j].funcs;
    }
}

/* graphql-js valueFromAST without variables (§3.10 and §3.11 input coercion of a literal): whether a
 * default value can be coerced to its type. Depth is bounded: defaults may refer to their own type. */
static bool literal_coerces(arena_t *a, const gql_value *lit, const gql_type *t, int depth) {
    if (depth > 32) return false;
    if (t->kind == GQL_NON_NULL) return lit->kind != GQL_VALUE_NULL && literal_coerces(a, lit, t->of_type, depth + 1);
    if (lit->kind == GQL_VALUE_NULL) return true;
    if (lit->kind == GQL_VALUE_VARIABLE) return false;
    switch (t->kind) {
    case GQL_LIST:
        if (lit->kind != GQL_VALUE_LIST) return literal_coerces(a, lit, t->of_type, depth + 1);
        for (size_t i = 0; i < lit->list.count; i++)
            if (!literal_coerces(a, lit->list.items[i], t->of_type, depth + 1)) return false;
        return true;
    case GQL_INPUT_OBJECT: {
        if (lit->kind != GQL_VALUE_OBJECT) return false; /* fields the type lacks are ignored */
        size_t ncoerced = 0, nnull = 0;
        for (size_t f = 0; f < t->ninput_fields; f++) {
            const gql_input_value *iv = t->input_fields[f];
            const gql_value *fv = NULL;
            for (size_t i = 0; i < lit->object.count; i++)
                if (strcmp(iv->name, lit->object.fields[i]->name.value) == 0) fv = lit->object.fields[i]->value;
            if (!fv) {
                if (!iv->default_value && iv->type->kind == GQL_NON_NULL) return false;
                if (iv->default_value) ncoerced++;
                continue;
            }
            if (!literal_coerces(a, fv, iv->type, depth + 1)) return false;
            ncoerced++;
            if (fv->kind == GQL_VALUE_NULL) nnull++;
        }
        /* OneOf Input Objects: exactly one field, and it is not null */
        return !t->one_of || (ncoerced == 1 && nnull == 0);
    }
    case GQL_ENUM:
        if (lit->kind != GQL_VALUE_ENUM) return false;
        for (size_t i = 0; i < t->nenum_values; i++)
            if (strcmp(t->enum_values[i]->name, lit->str) == 0) return true;
        return false;
    case GQL_SCALAR: {
        gql_val out;
        const char *err = NULL;
        return t->scalar && t->scalar->parse_literal(a, lit, NULL, &out, &err) == 0;
    }
    default:
        return false;
    }
}

/* Like graphql-js buildASTSchema, a default value that does not coerce to its type is dropped: printSchema
 * and introspection show none and execution applies none. The server's log says so. */
static void drop_bad_default(arena_t *a, gql_input_value *iv, const char *owner, bool is_arg) {
    if (!iv->default_value || !iv->type || literal_coerces(a, iv->default_value, iv->type, 0)) return;
    log_warn("schema default value ignored", "coordinate=%s%s%s%s reason=\"does not coerce to %s\"", owner,
             is_arg ? "(" : ".", iv->name, is_arg ? ":)" : "", gql_type_str(a, iv->type));
    iv->default_value = NULL;
}

static void drop_bad_defaults(bctx *c) {
    for (size_t i = 0; i < c->s->ntypes; i++) {
        gql_type *t = c->s->type_list[i];
        if (t->builtin) continue;
        for (size_t f = 0; f < t->nfields; f++) {
            const char *owner = arena_printf(c->a, "%s.%s", t->name, t->fields[f]->name);
            for (size_t j = 0; j < t->fields[f]->nargs; j++)
                drop_bad_default(c->a, t->fields[f]->args[j], owner, true);
        }
        for (size_t f = 0; f < t->ninput_fields; f++)
            drop_bad_default(c->a, t->input_fields[f], t->name, false);
    }
    for (size_t i = 0; i < c->s->ndirectives; i++) {
        gql_directive_def *d = c->s->directives[i];
        if (d->builtin) continue;
        const char *owner = arena_printf(c->a, "@%s", d->name);
        for (size_t j = 0; j < d->nargs; j++)
            drop_bad_default(c->a, d->args[j], owner, true);
    }
}

/* graphql-js collectReferencedTypes, for the order of the type map. */
#define ORDER_PENDING ((void *)1)
#define ORDER_ADDED ((void *)2)

typedef struct {
    arena_t *a;
    strmap_t state; /* name -> ORDER_PENDING (a user type not reached yet) or ORDER_ADDED */
    ptrvec_t order;
} type_order;

static void order_collect(type_order *o, gql_type *t);

static void order_children(type_order *o, const gql_type *t) {
    switch (t->kind) {
    case GQL_UNION:
        for (size_t i = 0; i < t->npossible_types; i++)
            order_collect(o, t->possible_types[i]);
        break;
    case GQL_OBJECT:
    case GQL_INTERFACE:
        for (size_t i = 0; i < t->ninterfaces; i++)
            order_collect(o, t->interfaces[i]);
        for (size_t i = 0; i < t->nfields; i++) {
            order_collect(o, t->fields[i]->type);
            for (size_t j = 0; j < t->fields[i]->nargs; j++)
                order_collect(o, t->fields[i]->args[j]->type);
        }
        break;
    case GQL_INPUT_OBJECT:
        for (size_t i = 0; i < t->ninput_fields; i++)
            order_collect(o, t->input_fields[i]->type);
        break;
    default:
        break;
    }
}

static void order_collect(type_order *o, gql_type *t) {
    t = gql_named_type(t);
    if (!t || strmap_get(&o->state, t->name)) return;
    strmap_put(&o->state, t->name, ORDER_ADDED);
    ptrvec_push(o->a, &o->order, t);
    order_children(o, t);
}

static gql_document *parse_source(bctx *c, const char *src, size_t len, int idx) {
    gql_errors perr;
    gql_errors_init(&perr, c->errs->arena);
    gql_document *doc = gql_parse(c->a, src, len, NULL, &perr);
    if (!doc) {
        for (const gql_error *e = perr.head; e; e = e->next) {
            if (idx < 0) /* the embedded prelude always parses; this guards against a broken edit of it */
                gql_errors_add(c->errs, GQL_CODE_INTERNAL, e->locations, e->nlocations, NULL, "built-in SDL: %s",
                               e->message);
            else if (c->names && c->names[idx])
                gql_errors_add(c->errs, e->code, e->locations, e->nlocations, NULL, "%s: %s", c->names[idx],
                               e->message);
            else
                gql_errors_add(c->errs, e->code, e->locations, e->nlocations, NULL, "%s", e->message);
        }
        if (!perr.count) gql_errors_add(c->errs, NULL, NULL, 0, NULL, "Could not parse the schema source.");
    }
    return doc;
}

/* Phases: parse the prelude and the sources; create named types, note directive definitions, schema
 * definitions and extensions (collect); check extensions; build directives; fill every type from its
 * definition and extensions; root types; directive applications. Any error so far stops here, as
 * graphql-js assertValidSDL does. Then the type map order, possible types, scalar coercion,
 * introspection resolvers, and validateSchema. */
gql_schema *gql_schema_build(const char *const *sources, const size_t *lens, const char *const *names, size_t n,
                             gql_errors *errs) {
    arena_t *a = arena_new();
    gql_schema_box *box = arena_alloc(a, sizeof *box);
    gql_schema *s = &box->schema;
    s->arena = a;
    strmap_init(&s->types, a);
    strmap_init(&s->directive_map, a);
    strmap_init(&box->directive_asts, a);
    strmap_init(&box->source_names, a);
    bctx c = {.box = box, .s = s, .a = a, .errs = errs, .names = names, .nerrs0 = errs->count};
    strmap_init(&c.ext_map, a);
    strmap_init(&c.dir_item_map, a);

    gql_document *prelude = parse_source(&c, gql_introspection_prelude, strlen(gql_introspection_prelude), -1);
    s->sources = n ? arena_alloc(a, n * sizeof *s->sources) : NULL;
    s->nsources = n;
    for (size_t i = 0; i < n; i++) {
        size_t len = lens ? lens[i] : strlen(sources[i]);
        s->sources[i] = parse_source(&c, sources[i], len, (int)i);
    }
    if (errs->count > c.nerrs0 || !prelude) goto fail;

    item_t *schema_def = NULL;
    ptrvec_t schema_exts = {0};
    collect(&c, prelude, -1, &schema_def, &schema_exts);
    for (size_t i = 0; i < n; i++)
        collect(&c, s->sources[i], (int)i, &schema_def, &schema_exts);
    check_extensions(&c);
    build_directives(&c);
    for (size_t i = 0; i < c.types.count; i++)
        fill_type(&c, c.types.items[i], c.type_items.items[i]);
    set_roots(&c, schema_def, &schema_exts);
    check_all_directives(&c, schema_def, &schema_exts);
    if (errs->count > c.nerrs0) goto fail;

    s->t_string = strmap_get(&s->types, "String");
    s->t_int = strmap_get(&s->types, "Int");
    s->t_float = strmap_get(&s->types, "Float");
    s->t_boolean = strmap_get(&s->types, "Boolean");
    s->t_id = strmap_get(&s->types, "ID");

    /* The type map in graphql-js's order (GraphQLSchema constructor): user types in definition order,
     * each followed by the standard scalars it first refers to, then the types of directive arguments,
     * then the introspection types from __Schema. Standard scalars nothing refers to are left out. */
    type_order ord = {.a = a, .order = {0}};
    strmap_init(&ord.state, a);
    for (size_t i = 0; i < c.types.count; i++) {
        gql_type *t = c.types.items[i];
        if (!t->builtin) strmap_put(&ord.state, t->name, ORDER_PENDING);
    }
    for (size_t i = 0; i < c.types.count; i++) {
        gql_type *t = c.types.items[i];
        if (t->builtin) continue;
        strmap_put(&ord.state, t->name, ORDER_ADDED);
        ptrvec_push(a, &ord.order, t);
        order_children(&ord, t);
    }
    for (int pass = 0; pass < 2; pass++) /* graphql-js lists user directives before the specified ones */
        for (size_t i = 0; i < s->ndirectives; i++)
            if (s->directives[i]->builtin == (pass == 1))
                for (size_t j = 0; j < s->directives[i]->nargs; j++)
                    order_collect(&ord, s->directives[i]->args[j]->type);
    order_collect(&ord, strmap_get(&s->types, "__Schema"));
    ptrvec_t order = ord.order;
    VEC_TO_ARRAY(&c, order, gql_type, s->type_list, s->ntypes);
    strmap_init(&s->types, a);
    for (size_t i = 0; i < s->ntypes; i++)
        strmap_put(&s->types, s->type_list[i]->name, s->type_list[i]);

    link_implementations(&c);
    set_scalars(&c.types);
    drop_bad_defaults(&c);
    gql_introspection_setup(box);
    if (gql_schema_validate(s, errs)) goto fail;
    return s;

fail:
    arena_free(a);
    return NULL;
}

void gql_schema_free(gql_schema *s) {
    if (s) arena_free(s->arena);
}
