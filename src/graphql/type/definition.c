/* definition.c -- lookups, type predicates and type relations of a built schema (spec §3, graphql-js
 * type/definition and utilities/typeComparators), resolver binding, and gql_resolver_error. All of it
 * reads the schema only, so request threads may call it concurrently. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "graphql/type/schema.h"

int gql_resolver_error(gql_resolve_info *info, const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    info->error_message = arena_vprintf(info->arena, fmt, ap);
    va_end(ap);
    info->error_code = code;
    return -1;
}

gql_type *gql_schema_type(const gql_schema *s, const char *name) {
    return name ? strmap_get(&s->types, name) : NULL;
}

const gql_directive_def *gql_schema_directive(const gql_schema *s, const char *name) {
    return name ? strmap_get(&s->directive_map, name) : NULL;
}

const gql_field *gql_type_field(const gql_type *t, const char *name) {
    if (!t || !name || (t->kind != GQL_OBJECT && t->kind != GQL_INTERFACE)) return NULL;
    return strmap_get(&t->field_map, name);
}

gql_type *gql_named_type(gql_type *t) {
    while (t && (t->kind == GQL_LIST || t->kind == GQL_NON_NULL))
        t = t->of_type;
    return t;
}

static const gql_type *named(const gql_type *t) {
    while (t && (t->kind == GQL_LIST || t->kind == GQL_NON_NULL))
        t = t->of_type;
    return t;
}

/* §3.5-3.10: scalars, enums and input objects are input types. */
bool gql_is_input_type(const gql_type *t) {
    t = named(t);
    return t && (t->kind == GQL_SCALAR || t->kind == GQL_ENUM || t->kind == GQL_INPUT_OBJECT);
}

bool gql_is_output_type(const gql_type *t) {
    t = named(t);
    return t && t->kind != GQL_INPUT_OBJECT;
}

bool gql_is_leaf_type(const gql_type *t) {
    return t && (t->kind == GQL_SCALAR || t->kind == GQL_ENUM);
}

bool gql_is_composite_type(const gql_type *t) {
    return t && (t->kind == GQL_OBJECT || t->kind == GQL_INTERFACE || t->kind == GQL_UNION);
}

bool gql_is_abstract_type(const gql_type *t) {
    return t && (t->kind == GQL_INTERFACE || t->kind == GQL_UNION);
}

/* graphql-js isEqualType: the same named type, or the same wrappers around equal types. */
bool gql_type_equal(const gql_type *a, const gql_type *b) {
    if (a == b) return true;
    if (!a || !b) return false;
    if (a->kind != b->kind) return false;
    if (a->kind == GQL_LIST || a->kind == GQL_NON_NULL) return gql_type_equal(a->of_type, b->of_type);
    return false;
}

bool gql_is_possible_type(const gql_type *abs, const gql_type *obj) {
    if (!abs || !obj) return false;
    for (size_t i = 0; i < abs->npossible_types; i++)
        if (abs->possible_types[i] == obj) return true;
    return false;
}

/* graphql-js GraphQLSchema.isSubType: obj/interface `sub` is a member or implementation of `abs`. */
static bool schema_is_sub_type(const gql_type *abs, const gql_type *sub) {
    if (gql_is_possible_type(abs, sub)) return true;
    if (abs->kind == GQL_INTERFACE)
        for (size_t i = 0; i < abs->nimplementing_interfaces; i++)
            if (abs->implementing_interfaces[i] == sub) return true;
    return false;
}

/* §3.6.2 IsSubType / graphql-js isTypeSubTypeOf (covariant output field types). */
bool gql_is_subtype(const gql_schema *s, const gql_type *maybe_sub, const gql_type *super) {
    if (!maybe_sub || !super) return false;
    if (gql_type_equal(maybe_sub, super)) return true;
    if (super->kind == GQL_NON_NULL) {
        if (maybe_sub->kind == GQL_NON_NULL) return gql_is_subtype(s, maybe_sub->of_type, super->of_type);
        return false;
    }
    if (maybe_sub->kind == GQL_NON_NULL) return gql_is_subtype(s, maybe_sub->of_type, super);
    if (super->kind == GQL_LIST) {
        if (maybe_sub->kind == GQL_LIST) return gql_is_subtype(s, maybe_sub->of_type, super->of_type);
        return false;
    }
    if (maybe_sub->kind == GQL_LIST) return false;
    return gql_is_abstract_type(super) && (maybe_sub->kind == GQL_INTERFACE || maybe_sub->kind == GQL_OBJECT) &&
           schema_is_sub_type(super, maybe_sub);
}

/* graphql-js doTypesOverlap (used by §5.5.2.3 Fragment spread is possible). */
bool gql_types_overlap(const gql_schema *s, const gql_type *a, const gql_type *b) {
    (void)s;
    if (!a || !b) return false;
    if (a == b) return true;
    if (gql_is_abstract_type(a)) {
        if (gql_is_abstract_type(b)) {
            for (size_t i = 0; i < b->npossible_types; i++)
                if (gql_is_possible_type(a, b->possible_types[i])) return true;
            return false;
        }
        return gql_is_possible_type(a, b);
    }
    if (gql_is_abstract_type(b)) return gql_is_possible_type(b, a);
    return false;
}

/* graphql-js typeFromAST. */
gql_type *gql_type_from_ast(const gql_schema *s, arena_t *a, const gql_typeref *ref) {
    if (!ref) return NULL;
    if (ref->kind == GQL_TYPEREF_NAMED) return gql_schema_type(s, ref->name.value);
    gql_type *inner = gql_type_from_ast(s, a, ref->of);
    if (!inner) return NULL;
    gql_type *t = arena_alloc(a, sizeof *t);
    t->kind = ref->kind == GQL_TYPEREF_LIST ? GQL_LIST : GQL_NON_NULL;
    t->of_type = inner;
    return t;
}

static void type_str(buf_t *b, const gql_type *t) {
    if (t->kind == GQL_LIST) {
        buf_putc(b, '[');
        type_str(b, t->of_type);
        buf_putc(b, ']');
    } else if (t->kind == GQL_NON_NULL) {
        type_str(b, t->of_type);
        buf_putc(b, '!');
    } else {
        buf_puts(b, t->name);
    }
}

const char *gql_type_str(arena_t *a, const gql_type *t) {
    if (!t) return "";
    if (t->name) return t->name;
    buf_t b = BUF_INIT;
    type_str(&b, t);
    const char *r = arena_strdup(a, buf_cstr(&b));
    buf_free(&b);
    return r;
}

/* ---- binding ---- */

static gql_field *find_coordinate(gql_schema *s, const char *coordinate, char *err, size_t errlen) {
    const char *dot = strchr(coordinate, '.');
    if (!dot || dot == coordinate || !dot[1]) {
        snprintf(err, errlen, "invalid schema coordinate \"%s\" (want \"Type.field\")", coordinate);
        return NULL;
    }
    gql_type *t = strmap_getn(&s->types, coordinate, (size_t)(dot - coordinate));
    if (!t) {
        snprintf(err, errlen, "unknown type in schema coordinate \"%s\"", coordinate);
        return NULL;
    }
    gql_field *f = (gql_field *)gql_type_field(t, dot + 1);
    if (!f) {
        snprintf(err, errlen, "unknown field in schema coordinate \"%s\"", coordinate);
        return NULL;
    }
    return f;
}

int gql_schema_bind(gql_schema *s, const char *coordinate, gql_resolve_fn fn, void *data, char *err, size_t errlen) {
    gql_field *f = find_coordinate(s, coordinate, err, errlen);
    if (!f) return -1;
    f->resolve = fn;
    f->resolve_data = data;
    f->bound = true;
    return 0;
}

int gql_schema_bind_all(gql_schema *s, const gql_binding *table, size_t n, char *err, size_t errlen) {
    for (size_t i = 0; i < n; i++)
        if (gql_schema_bind(s, table[i].coordinate, table[i].fn, (void *)table[i].data, err, errlen)) return -1;
    return 0;
}

int gql_schema_check_bound(const gql_schema *s, size_t *nunbound, char *err, size_t errlen) {
    size_t n = 0;
    for (size_t i = 0; i < s->ntypes; i++) {
        const gql_type *t = s->type_list[i];
        if (t->kind != GQL_OBJECT || t->builtin || strncmp(t->name, "__", 2) == 0) continue;
        for (size_t j = 0; j < t->nfields; j++) {
            if (t->fields[j]->bound) continue;
            if (n++ == 0) snprintf(err, errlen, "%s.%s has no resolver", t->name, t->fields[j]->name);
        }
    }
    if (nunbound) *nunbound = n;
    return n ? -1 : 0;
}

int gql_schema_set_type_resolver(gql_schema *s, const char *type_name, gql_type_resolve_fn fn) {
    gql_type *t = gql_schema_type(s, type_name);
    if (!gql_is_abstract_type(t)) return -1;
    t->resolve_type = fn;
    return 0;
}

int gql_schema_set_scalar(gql_schema *s, const char *name, const gql_scalar_funcs *funcs) {
    gql_type *t = gql_schema_type(s, name);
    if (!t || t->kind != GQL_SCALAR || !funcs) return -1;
    t->scalar = funcs;
    return 0;
}
