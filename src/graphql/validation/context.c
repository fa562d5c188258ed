/* context.c -- the validation walker, TypeInfo and the caches the §5 rules share (see context.h). */
#include "graphql/validation/context.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* ---- small stack helpers over ptrvec_t ---- */

static void *top(const ptrvec_t *v) {
    return v->count ? v->items[v->count - 1] : NULL;
}
static void pop(ptrvec_t *v) {
    if (v->count) v->count--;
}

static const gql_type *nullable_of(const gql_type *t) {
    return t && t->kind == GQL_NON_NULL ? t->of_type : t;
}
static const gql_type *named_of(const gql_type *t) {
    while (t && (t->kind == GQL_LIST || t->kind == GQL_NON_NULL))
        t = t->of_type;
    return t;
}

/* ---- the visitor: rules run in parallel, each may skip a subtree ---- */

typedef struct {
    const gql_vrule *rule;
    void *state;
    const void *skipping; /* node whose subtree this rule skips, or NULL */
} vslot;

typedef struct {
    gql_vctx *ctx;
    gql_typeinfo *ti;
    vslot *slots;
    size_t nslots;
    bool abortable; /* the main walk of the rules: stops calling them once the validation aborted */
} walker;

/* graphql-js TypeInfo.enter (the part that depends on the node kind). */
static void ti_enter(walker *w, gql_vnode_kind kind, const void *node) {
    gql_vctx *ctx = w->ctx;
    gql_typeinfo *ti = w->ti;
    arena_t *a = ctx->arena;
    switch (kind) {
    case GQL_VN_SELECTION_SET: {
        const gql_type *named = named_of(top(&ti->types));
        ptrvec_push(a, &ti->parent_types, gql_is_composite_type(named) ? (void *)named : NULL);
        break;
    }
    case GQL_VN_FIELD: {
        const gql_selection *f = node;
        const gql_type *parent = top(&ti->parent_types);
        const gql_field *def = parent ? gql_vctx_get_field_def(ctx, parent, f->name.value) : NULL;
        const gql_type *ft = def ? def->type : NULL;
        ptrvec_push(a, &ti->field_defs, (void *)def);
        ptrvec_push(a, &ti->types, gql_is_output_type(ft) ? (void *)ft : NULL);
        break;
    }
    case GQL_VN_DIRECTIVE: {
        const gql_directive *d = node;
        ti->directive = gql_schema_directive(ctx->schema, d->name.value);
        break;
    }
    case GQL_VN_OPERATION: {
        const gql_definition *op = node;
        const gql_type *root = op->operation == GQL_OP_QUERY      ? ctx->schema->query
                               : op->operation == GQL_OP_MUTATION ? ctx->schema->mutation
                                                                  : ctx->schema->subscription;
        ptrvec_push(a, &ti->types, root && root->kind == GQL_OBJECT ? (void *)root : NULL);
        break;
    }
    case GQL_VN_FRAGMENT:
    case GQL_VN_INLINE_FRAGMENT: {
        const gql_name *cond = kind == GQL_VN_FRAGMENT ? &((const gql_definition *)node)->type_condition
                                                       : &((const gql_selection *)node)->type_condition;
        const gql_type *t = cond->value ? gql_schema_type(ctx->schema, cond->value) : named_of(top(&ti->types));
        ptrvec_push(a, &ti->types, gql_is_output_type(t) ? (void *)t : NULL);
        break;
    }
    case GQL_VN_VARIABLE_DEF: {
        const gql_variable_def *vd = node;
        const gql_type *t = gql_type_from_ast(ctx->schema, a, vd->type);
        ptrvec_push(a, &ti->input_types, gql_is_input_type(t) ? (void *)t : NULL);
        break;
    }
    case GQL_VN_ARGUMENT: {
        const gql_argument *arg = node;
        const gql_input_value *def = NULL;
        gql_input_value **args = NULL;
        size_t nargs = 0;
        if (ti->directive) {
            args = ti->directive->args;
            nargs = ti->directive->nargs;
        } else {
            const gql_field *fd = top(&ti->field_defs);
            if (fd) {
                args = fd->args;
                nargs = fd->nargs;
            }
        }
        for (size_t i = 0; i < nargs; i++)
            if (strcmp(args[i]->name, arg->name.value) == 0) def = args[i];
        ti->argument = def;
        ptrvec_push(a, &ti->default_values, def ? (void *)def->default_value : NULL);
        ptrvec_push(a, &ti->input_types, def && gql_is_input_type(def->type) ? (void *)def->type : NULL);
        break;
    }
    case GQL_VN_VALUE: {
        const gql_value *v = node;
        if (v->kind == GQL_VALUE_LIST) {
            const gql_type *lt = nullable_of(top(&ti->input_types));
            const gql_type *item = lt && lt->kind == GQL_LIST ? lt->of_type : lt;
            ptrvec_push(a, &ti->default_values, NULL);
            ptrvec_push(a, &ti->input_types, gql_is_input_type(item) ? (void *)item : NULL);
        }
        break;
    }
    case GQL_VN_OBJECT_FIELD: {
        const gql_object_field *of = node;
        const gql_type *ot = named_of(top(&ti->input_types));
        const gql_input_value *field = NULL;
        if (ot && ot->kind == GQL_INPUT_OBJECT) {
            for (size_t i = 0; i < ot->ninput_fields; i++)
                if (strcmp(ot->input_fields[i]->name, of->name.value) == 0) field = ot->input_fields[i];
        }
        ptrvec_push(a, &ti->default_values, field ? (void *)field->default_value : NULL);
        ptrvec_push(a, &ti->input_types, field && gql_is_input_type(field->type) ? (void *)field->type : NULL);
        break;
    }
    default:
        break;
    }
}

/* graphql-js TypeInfo.leave */
static void ti_leave(walker *w, gql_vnode_kind kind, const void *node) {
    gql_typeinfo *ti = w->ti;
    switch (kind) {
    case GQL_VN_SELECTION_SET:
        pop(&ti->parent_types);
        break;
    case GQL_VN_FIELD:
        pop(&ti->field_defs);
        pop(&ti->types);
        break;
    case GQL_VN_DIRECTIVE:
        ti->directive = NULL;
        break;
    case GQL_VN_OPERATION:
    case GQL_VN_FRAGMENT:
    case GQL_VN_INLINE_FRAGMENT:
        pop(&ti->types);
        break;
    case GQL_VN_VARIABLE_DEF:
        pop(&ti->input_types);
        break;
    case GQL_VN_ARGUMENT:
        ti->argument = NULL;
        pop(&ti->default_values);
        pop(&ti->input_types);
        break;
    case GQL_VN_VALUE:
        if (((const gql_value *)node)->kind == GQL_VALUE_LIST) {
            pop(&ti->default_values);
            pop(&ti->input_types);
        }
        break;
    case GQL_VN_OBJECT_FIELD:
        pop(&ti->default_values);
        pop(&ti->input_types);
        break;
    default:
        break;
    }
}

static void enter(walker *w, gql_vnode_kind kind, const void *node) {
    ti_enter(w, kind, node);
    if (w->abortable && w->ctx->aborted) return; /* graphql-js throws out of the visit; here TypeInfo is kept */
    for (size_t i = 0; i < w->nslots; i++) {
        vslot *s = &w->slots[i];
        if (s->skipping || !s->rule->enter) continue;
        if (s->rule->enter(w->ctx, s->state, kind, node) == GQL_VISIT_SKIP) s->skipping = node;
    }
}

static void leave(walker *w, gql_vnode_kind kind, const void *node) {
    for (size_t i = 0; i < w->nslots && !(w->abortable && w->ctx->aborted); i++) {
        vslot *s = &w->slots[i];
        if (s->skipping) {
            if (s->skipping == node) s->skipping = NULL;
            continue;
        }
        if (s->rule->leave) s->rule->leave(w->ctx, s->state, kind, node);
    }
    ti_leave(w, kind, node);
}

static void walk_value(walker *w, const gql_value *v);

static void walk_value(walker *w, const gql_value *v) {
    if (!v) return;
    enter(w, GQL_VN_VALUE, v);
    if (v->kind == GQL_VALUE_LIST) {
        for (size_t i = 0; i < v->list.count; i++)
            walk_value(w, v->list.items[i]);
    } else if (v->kind == GQL_VALUE_OBJECT) {
        for (size_t i = 0; i < v->object.count; i++) {
            const gql_object_field *f = v->object.fields[i];
            enter(w, GQL_VN_OBJECT_FIELD, f);
            walk_value(w, f->value);
            leave(w, GQL_VN_OBJECT_FIELD, f);
        }
    }
    leave(w, GQL_VN_VALUE, v);
}

static void walk_args(walker *w, gql_argument *const *args, size_t n) {
    for (size_t i = 0; i < n; i++) {
        enter(w, GQL_VN_ARGUMENT, args[i]);
        walk_value(w, args[i]->value);
        leave(w, GQL_VN_ARGUMENT, args[i]);
    }
}

static void walk_directives(walker *w, gql_directive *const *ds, size_t n, uint32_t location) {
    for (size_t i = 0; i < n; i++) {
        w->ctx->directive_location = location;
        enter(w, GQL_VN_DIRECTIVE, ds[i]);
        walk_args(w, ds[i]->args, ds[i]->nargs);
        leave(w, GQL_VN_DIRECTIVE, ds[i]);
    }
}

static void walk_named_type(walker *w, const gql_name *name) {
    enter(w, GQL_VN_NAMED_TYPE, name);
    leave(w, GQL_VN_NAMED_TYPE, name);
}

static void walk_selection_set(walker *w, const gql_selection_set *ss);

static void walk_selection(walker *w, const gql_selection *sel) {
    switch (sel->kind) {
    case GQL_SEL_FIELD:
        enter(w, GQL_VN_FIELD, sel);
        walk_args(w, sel->args, sel->nargs);
        walk_directives(w, sel->directives, sel->ndirectives, GQL_DL_FIELD);
        if (sel->selection_set) walk_selection_set(w, sel->selection_set);
        leave(w, GQL_VN_FIELD, sel);
        break;
    case GQL_SEL_FRAGMENT_SPREAD:
        enter(w, GQL_VN_FRAGMENT_SPREAD, sel);
        walk_directives(w, sel->directives, sel->ndirectives, GQL_DL_FRAGMENT_SPREAD);
        leave(w, GQL_VN_FRAGMENT_SPREAD, sel);
        break;
    case GQL_SEL_INLINE_FRAGMENT:
        enter(w, GQL_VN_INLINE_FRAGMENT, sel);
        if (sel->type_condition.value) walk_named_type(w, &sel->type_condition);
        walk_directives(w, sel->directives, sel->ndirectives, GQL_DL_INLINE_FRAGMENT);
        if (sel->selection_set) walk_selection_set(w, sel->selection_set);
        leave(w, GQL_VN_INLINE_FRAGMENT, sel);
        break;
    }
}

static void walk_selection_set(walker *w, const gql_selection_set *ss) {
    enter(w, GQL_VN_SELECTION_SET, ss);
    for (size_t i = 0; i < ss->count; i++)
        walk_selection(w, ss->items[i]);
    leave(w, GQL_VN_SELECTION_SET, ss);
}

static const gql_name *typeref_name(const gql_typeref *t) {
    while (t && t->kind != GQL_TYPEREF_NAMED)
        t = t->of;
    return t ? &t->name : NULL;
}

static void walk_input_value_def(walker *w, const gql_input_value_def *iv, uint32_t location) {
    enter(w, GQL_VN_INPUT_VALUE_DEF, iv);
    const gql_name *tn = typeref_name(iv->type);
    if (tn) walk_named_type(w, tn);
    walk_value(w, iv->default_value);
    walk_directives(w, iv->directives, iv->ndirectives, location);
    leave(w, GQL_VN_INPUT_VALUE_DEF, iv);
}

/* Type-system definitions and extensions, in graphql-js visiting order (their type references, directives and
 * default values are validated too; ExecutableDefinitionsRule rejects the definitions themselves). */
static void walk_type_system(walker *w, const gql_definition *d) {
    enter(w, GQL_VN_TYPE_SYSTEM, d);
    switch (d->kind) {
    case GQL_DEF_SCHEMA:
        walk_directives(w, d->directives, d->ndirectives, GQL_DL_SCHEMA);
        for (size_t i = 0; i < d->nroot_ops; i++)
            walk_named_type(w, &d->root_ops[i]->type);
        break;
    case GQL_DEF_SCALAR:
        walk_directives(w, d->directives, d->ndirectives, GQL_DL_SCALAR);
        break;
    case GQL_DEF_OBJECT:
    case GQL_DEF_INTERFACE:
        for (size_t i = 0; i < d->ninterfaces; i++)
            walk_named_type(w, &d->interfaces[i]);
        walk_directives(w, d->directives, d->ndirectives, d->kind == GQL_DEF_OBJECT ? GQL_DL_OBJECT : GQL_DL_INTERFACE);
        for (size_t i = 0; i < d->nfields; i++) {
            const gql_field_def *f = d->fields[i];
            enter(w, GQL_VN_FIELD_DEF, f);
            for (size_t j = 0; j < f->nargs; j++)
                walk_input_value_def(w, f->args[j], GQL_DL_ARGUMENT_DEFINITION);
            const gql_name *tn = typeref_name(f->type);
            if (tn) walk_named_type(w, tn);
            walk_directives(w, f->directives, f->ndirectives, GQL_DL_FIELD_DEFINITION);
            leave(w, GQL_VN_FIELD_DEF, f);
        }
        break;
    case GQL_DEF_UNION:
        walk_directives(w, d->directives, d->ndirectives, GQL_DL_UNION);
        for (size_t i = 0; i < d->nmembers; i++)
            walk_named_type(w, &d->members[i]);
        break;
    case GQL_DEF_ENUM:
        walk_directives(w, d->directives, d->ndirectives, GQL_DL_ENUM);
        for (size_t i = 0; i < d->nvalues; i++) {
            const gql_enum_value_def *v = d->values[i];
            enter(w, GQL_VN_ENUM_VALUE_DEF, v);
            walk_directives(w, v->directives, v->ndirectives, GQL_DL_ENUM_VALUE);
            leave(w, GQL_VN_ENUM_VALUE_DEF, v);
        }
        break;
    case GQL_DEF_INPUT_OBJECT:
        walk_directives(w, d->directives, d->ndirectives, GQL_DL_INPUT_OBJECT);
        for (size_t i = 0; i < d->ninput_fields; i++)
            walk_input_value_def(w, d->input_fields[i], GQL_DL_INPUT_FIELD_DEFINITION);
        break;
    case GQL_DEF_DIRECTIVE:
        for (size_t i = 0; i < d->ninput_fields; i++)
            walk_input_value_def(w, d->input_fields[i], GQL_DL_ARGUMENT_DEFINITION);
        break;
    default:
        break;
    }
    leave(w, GQL_VN_TYPE_SYSTEM, d);
}

static void walk_definition(walker *w, const gql_definition *def) {
    if (def->kind == GQL_DEF_OPERATION) {
        enter(w, GQL_VN_OPERATION, def);
        for (size_t i = 0; i < def->nvars; i++) {
            const gql_variable_def *vd = def->vars[i];
            enter(w, GQL_VN_VARIABLE_DEF, vd);
            const gql_name *tn = typeref_name(vd->type);
            if (tn) walk_named_type(w, tn);
            walk_value(w, vd->default_value);
            walk_directives(w, vd->directives, vd->ndirectives, GQL_DL_VARIABLE_DEFINITION);
            leave(w, GQL_VN_VARIABLE_DEF, vd);
        }
        uint32_t loc = def->operation == GQL_OP_QUERY      ? GQL_DL_QUERY
                       : def->operation == GQL_OP_MUTATION ? GQL_DL_MUTATION
                                                           : GQL_DL_SUBSCRIPTION;
        walk_directives(w, def->directives, def->ndirectives, loc);
        if (def->selection_set) walk_selection_set(w, def->selection_set);
        leave(w, GQL_VN_OPERATION, def);
    } else if (def->kind == GQL_DEF_FRAGMENT) {
        enter(w, GQL_VN_FRAGMENT, def);
        if (def->type_condition.value) walk_named_type(w, &def->type_condition);
        walk_directives(w, def->directives, def->ndirectives, GQL_DL_FRAGMENT_DEFINITION);
        if (def->selection_set) walk_selection_set(w, def->selection_set);
        leave(w, GQL_VN_FRAGMENT, def);
    } else {
        walk_type_system(w, def);
    }
}

static void walker_init(walker *w, gql_vctx *ctx, gql_typeinfo *ti, const gql_vrule *const *rules, size_t n,
                        void **states) {
    memset(ti, 0, sizeof *ti);
    w->ctx = ctx;
    w->ti = ti;
    w->nslots = n;
    w->abortable = false;
    w->slots = arena_alloc(ctx->arena, (n ? n : 1) * sizeof *w->slots);
    for (size_t i = 0; i < n; i++) {
        w->slots[i].rule = rules[i];
        w->slots[i].state =
            states ? states[i] : arena_alloc(ctx->arena, rules[i]->state_size ? rules[i]->state_size : 1);
    }
}

void gql_vctx_run(gql_vctx *ctx, const gql_vrule *const *rules, size_t nrules) {
    walker w;
    gql_typeinfo ti;
    walker_init(&w, ctx, &ti, rules, nrules, NULL);
    w.abortable = true;
    gql_typeinfo *saved = ctx->ti;
    ctx->ti = &ti;
    enter(&w, GQL_VN_DOCUMENT, ctx->doc);
    for (size_t i = 0; i < ctx->doc->ndefs; i++)
        walk_definition(&w, ctx->doc->defs[i]);
    leave(&w, GQL_VN_DOCUMENT, ctx->doc);
    ctx->ti = saved;
}

/* ---- context ---- */

static gql_field *make_meta_field(arena_t *a, const char *name, gql_type *type) {
    gql_field *f = arena_alloc(a, sizeof *f);
    f->name = name;
    f->type = type;
    return f;
}

static gql_type *wrap(arena_t *a, gql_type_kind kind, gql_type *of) {
    if (!of) return NULL;
    gql_type *t = arena_alloc(a, sizeof *t);
    t->kind = kind;
    t->of_type = of;
    return t;
}

void gql_vctx_init(gql_vctx *ctx, const gql_schema *s, const gql_document *doc, gql_errors *errs) {
    memset(ctx, 0, sizeof *ctx);
    ctx->schema = s;
    ctx->doc = doc;
    ctx->errs = errs;
    ctx->arena = errs->arena;
    strmap_init(&ctx->fragments, ctx->arena);
    strmap_init(&ctx->doc_directives, ctx->arena);
    gql_ptrmap_init(&ctx->spreads, ctx->arena);
    gql_ptrmap_init(&ctx->recursive_frags, ctx->arena);
    gql_ptrmap_init(&ctx->usages, ctx->arena);
    gql_ptrmap_init(&ctx->recursive_usages, ctx->arena);
    for (size_t i = 0; i < doc->ndefs; i++) {
        const gql_definition *d = doc->defs[i];
        if (d->kind == GQL_DEF_FRAGMENT && d->name.value) strmap_put(&ctx->fragments, d->name.value, (void *)d);
        if (d->kind == GQL_DEF_DIRECTIVE && d->name.value) strmap_put(&ctx->doc_directives, d->name.value, (void *)d);
    }
    arena_t *a = ctx->arena;
    ctx->meta_typename = make_meta_field(a, "__typename", wrap(a, GQL_NON_NULL, s->t_string));
    ctx->meta_schema = make_meta_field(a, "__schema", wrap(a, GQL_NON_NULL, gql_schema_type(s, "__Schema")));
    ctx->meta_type = make_meta_field(a, "__type", gql_schema_type(s, "__Type"));
    /* __type(name: String!) */
    gql_input_value *arg = arena_alloc(a, sizeof *arg);
    arg->name = "name";
    arg->type = wrap(a, GQL_NON_NULL, s->t_string);
    ctx->meta_type->args = arena_alloc(a, sizeof *ctx->meta_type->args);
    ctx->meta_type->args[0] = arg;
    ctx->meta_type->nargs = 1;
}

void gql_vctx_report(gql_vctx *ctx, const gql_loc *locs, size_t nlocs, const char *fmt, ...) {
    if (ctx->aborted) return;
    if (ctx->nreported >= GQL_VALIDATION_MAX_ERRORS) {
        gql_errors_add(ctx->errs, GQL_CODE_GRAPHQL_VALIDATION_FAILED, NULL, 0, NULL,
                       "Too many validation errors, error limit reached. Validation aborted.");
        ctx->aborted = true;
        return;
    }
    ctx->nreported++;
    va_list ap;
    va_start(ap, fmt);
    gql_errors_vadd(ctx->errs, GQL_CODE_GRAPHQL_VALIDATION_FAILED, locs, nlocs, NULL, fmt, ap);
    va_end(ap);
}

size_t gql_vctx_error_budget(const gql_vctx *ctx) {
    return ctx->aborted ? 0 : GQL_VALIDATION_MAX_ERRORS - ctx->nreported + 1;
}

const gql_type *gql_vctx_type(const gql_vctx *ctx) {
    return top(&ctx->ti->types);
}
const gql_type *gql_vctx_parent_type(const gql_vctx *ctx) {
    return top(&ctx->ti->parent_types);
}
const gql_type *gql_vctx_input_type(const gql_vctx *ctx) {
    return top(&ctx->ti->input_types);
}
const gql_type *gql_vctx_parent_input_type(const gql_vctx *ctx) {
    const ptrvec_t *v = &ctx->ti->input_types;
    return v->count >= 2 ? v->items[v->count - 2] : NULL;
}
const gql_field *gql_vctx_field_def(const gql_vctx *ctx) {
    return top(&ctx->ti->field_defs);
}
const gql_directive_def *gql_vctx_directive(const gql_vctx *ctx) {
    return ctx->ti->directive;
}
const gql_input_value *gql_vctx_argument(const gql_vctx *ctx) {
    return ctx->ti->argument;
}

const gql_field *gql_vctx_get_field_def(gql_vctx *ctx, const gql_type *parent, const char *name) {
    if (!parent || !name) return NULL;
    if (name[0] == '_' && name[1] == '_') {
        if (strcmp(name, "__typename") == 0 && gql_is_composite_type(parent)) return ctx->meta_typename;
        if (parent == ctx->schema->query) {
            if (strcmp(name, "__schema") == 0 && ctx->meta_schema->type) return ctx->meta_schema;
            if (strcmp(name, "__type") == 0 && ctx->meta_type->type) return ctx->meta_type;
        }
    }
    if (parent->kind != GQL_OBJECT && parent->kind != GQL_INTERFACE) return NULL;
    return gql_type_field(parent, name);
}

const gql_definition *gql_vctx_fragment(const gql_vctx *ctx, const char *name) {
    return name ? strmap_get(&ctx->fragments, name) : NULL;
}

const gql_definition *gql_vctx_doc_directive(const gql_vctx *ctx, const char *name) {
    return name ? strmap_get(&ctx->doc_directives, name) : NULL;
}

/* ---- pointer map ---- */

void gql_ptrmap_init(gql_ptrmap *m, arena_t *a) {
    memset(m, 0, sizeof *m);
    m->arena = a;
}

static size_t ptr_hash(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

void *gql_ptrmap_get(const gql_ptrmap *m, const void *key) {
    if (!m->cap) return NULL;
    for (size_t i = ptr_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == key) return m->vals[i];
        if (!m->keys[i]) return NULL;
    }
}

void gql_ptrmap_put(gql_ptrmap *m, const void *key, void *val) {
    if ((m->count + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 16;
        const void **keys = arena_alloc(m->arena, ncap * sizeof *keys);
        void **vals = arena_alloc(m->arena, ncap * sizeof *vals);
        for (size_t j = 0; j < m->cap; j++) {
            if (!m->keys[j]) continue;
            size_t i = ptr_hash(m->keys[j]) & (ncap - 1);
            while (keys[i])
                i = (i + 1) & (ncap - 1);
            keys[i] = m->keys[j];
            vals[i] = m->vals[j];
        }
        m->keys = keys;
        m->vals = vals;
        m->cap = ncap;
    }
    size_t i = ptr_hash(key) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    if (!m->keys[i]) m->count++;
    m->keys[i] = key;
    m->vals[i] = val;
}

/* graphql-js getFragmentSpreads order: a set's own spreads first, then nested sets from a stack (last first). */
static void collect_spreads(gql_vctx *ctx, const gql_selection_set *root, ptrvec_t *out) {
    ptrvec_t stack = {0};
    ptrvec_push(ctx->arena, &stack, (void *)root);
    while (stack.count) {
        const gql_selection_set *ss = stack.items[--stack.count];
        for (size_t i = 0; i < ss->count; i++) {
            const gql_selection *sel = ss->items[i];
            if (sel->kind == GQL_SEL_FRAGMENT_SPREAD)
                ptrvec_push(ctx->arena, out, (void *)sel);
            else if (sel->selection_set)
                ptrvec_push(ctx->arena, &stack, sel->selection_set);
        }
    }
}

const ptrvec_t *gql_vctx_fragment_spreads(gql_vctx *ctx, const gql_selection_set *ss) {
    static const ptrvec_t empty;
    if (!ss) return &empty;
    ptrvec_t *v = gql_ptrmap_get(&ctx->spreads, ss);
    if (v) return v;
    v = arena_alloc(ctx->arena, sizeof *v);
    collect_spreads(ctx, ss, v);
    gql_ptrmap_put(&ctx->spreads, ss, v);
    return v;
}

const ptrvec_t *gql_vctx_recursive_fragments(gql_vctx *ctx, const gql_definition *op) {
    ptrvec_t *v = gql_ptrmap_get(&ctx->recursive_frags, op);
    if (v) return v;
    v = arena_alloc(ctx->arena, sizeof *v);
    strmap_t seen;
    strmap_init(&seen, ctx->arena);
    ptrvec_t todo = {0};
    ptrvec_push(ctx->arena, &todo, op->selection_set);
    while (todo.count) { /* a stack, as graphql-js getRecursivelyReferencedFragments (the order shows in errors) */
        const ptrvec_t *spreads = gql_vctx_fragment_spreads(ctx, todo.items[--todo.count]);
        for (size_t i = 0; i < spreads->count; i++) {
            const gql_selection *sp = spreads->items[i];
            if (strmap_get(&seen, sp->name.value)) continue;
            strmap_put(&seen, sp->name.value, (void *)sp);
            const gql_definition *frag = gql_vctx_fragment(ctx, sp->name.value);
            if (frag) {
                ptrvec_push(ctx->arena, v, (void *)frag);
                ptrvec_push(ctx->arena, &todo, frag->selection_set);
            }
        }
    }
    gql_ptrmap_put(&ctx->recursive_frags, op, v);
    return v;
}

/* The usage collector: a rule that records each variable with the TypeInfo of its own walk. */
typedef struct {
    gql_typeinfo *ti;
    ptrvec_t *out;
} usage_state;

static gql_visit_action usage_enter(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node) {
    usage_state *st = state;
    if (kind == GQL_VN_VARIABLE_DEF) return GQL_VISIT_SKIP;
    if (kind == GQL_VN_VALUE && ((const gql_value *)node)->kind == GQL_VALUE_VARIABLE) {
        gql_var_usage *u = arena_alloc(ctx->arena, sizeof *u);
        u->node = node;
        u->type = top(&st->ti->input_types);
        u->default_value = top(&st->ti->default_values);
        const ptrvec_t *it = &st->ti->input_types;
        u->parent_type = it->count >= 2 ? it->items[it->count - 2] : NULL;
        ptrvec_push(ctx->arena, st->out, u);
    }
    return GQL_VISIT_CONTINUE;
}

static const gql_vrule usage_rule = {"VariableUsages", sizeof(usage_state), usage_enter, NULL};

const ptrvec_t *gql_vctx_variable_usages(gql_vctx *ctx, const gql_definition *def) {
    ptrvec_t *v = gql_ptrmap_get(&ctx->usages, def);
    if (v) return v;
    v = arena_alloc(ctx->arena, sizeof *v);
    walker w;
    gql_typeinfo ti;
    usage_state st = {&ti, v};
    void *states[1] = {&st};
    const gql_vrule *rules[1] = {&usage_rule};
    walker_init(&w, ctx, &ti, rules, 1, states);
    uint32_t saved_loc = ctx->directive_location;
    walk_definition(&w, def);
    ctx->directive_location = saved_loc;
    gql_ptrmap_put(&ctx->usages, def, v);
    return v;
}

const ptrvec_t *gql_vctx_recursive_variable_usages(gql_vctx *ctx, const gql_definition *op) {
    ptrvec_t *v = gql_ptrmap_get(&ctx->recursive_usages, op);
    if (v) return v;
    v = arena_alloc(ctx->arena, sizeof *v);
    const ptrvec_t *own = gql_vctx_variable_usages(ctx, op);
    for (size_t i = 0; i < own->count; i++)
        ptrvec_push(ctx->arena, v, own->items[i]);
    const ptrvec_t *frags = gql_vctx_recursive_fragments(ctx, op);
    for (size_t f = 0; f < frags->count; f++) {
        const ptrvec_t *u = gql_vctx_variable_usages(ctx, frags->items[f]);
        for (size_t i = 0; i < u->count; i++)
            ptrvec_push(ctx->arena, v, u->items[i]);
    }
    gql_ptrmap_put(&ctx->recursive_usages, op, v);
    return v;
}

bool gql_is_required_input(const gql_input_value *iv) {
    return iv->type && iv->type->kind == GQL_NON_NULL && iv->default_value == NULL;
}
