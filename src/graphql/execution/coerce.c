/* coerce.c -- input coercion: variables from JSON (spec §6.1.2), field and directive arguments
 * from literals (§6.4.1), literal values (graphql-js valueFromAST) and external values
 * (graphql-js coerceInputValue, §3.10 Input Coercion). Messages follow graphql-js 16. */
#include "graphql/execution/coerce.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/jsutils/inspect.h"
#include "graphql/jsutils/suggestions.h"
#include "graphql/language/printer.h"
#include "util/buf.h"

#define MAX_VARIABLE_ERRORS 50

static const gql_enum_value *enum_lookup(const gql_type *t, const char *name, size_t len) {
    for (size_t i = 0; i < t->nenum_values; i++) {
        const char *n = t->enum_values[i]->name;
        if (strlen(n) == len && memcmp(n, name, len) == 0) return t->enum_values[i];
    }
    return NULL;
}

/* ---- valueFromAST ---- */

static bool is_missing_variable(const gql_value *v, const gql_val *variables) {
    return v->kind == GQL_VALUE_VARIABLE && !gql_map_get(variables, v->str);
}

/* graphql-js valueFromASTUntyped: a literal as a plain value (custom scalars without parse_literal). */
static gql_val value_untyped(arena_t *a, const gql_value *lit, const gql_val *variables) {
    switch (lit->kind) {
    case GQL_VALUE_VARIABLE: {
        const gql_val *v = gql_map_get(variables, lit->str);
        return v ? *v : gql_null();
    }
    case GQL_VALUE_INT: {
        errno = 0;
        long long n = strtoll(lit->str, NULL, 10);
        if (errno) return gql_float(strtod(lit->str, NULL));
        return gql_int(n);
    }
    case GQL_VALUE_FLOAT:
        return gql_float(strtod(lit->str, NULL));
    case GQL_VALUE_STRING:
        return gql_strn(lit->str, lit->str_len);
    case GQL_VALUE_BOOLEAN:
        return gql_bool(lit->boolean);
    case GQL_VALUE_NULL:
        return gql_null();
    case GQL_VALUE_ENUM:
        return gql_str(lit->str);
    case GQL_VALUE_LIST: {
        gql_val l = gql_list(a, lit->list.count);
        for (size_t i = 0; i < lit->list.count; i++)
            l.list.items[i] = value_untyped(a, lit->list.items[i], variables);
        return l;
    }
    case GQL_VALUE_OBJECT: {
        gql_val m = gql_map(a, lit->object.count);
        for (size_t i = 0; i < lit->object.count; i++)
            gql_map_set(a, &m, lit->object.fields[i]->name.value,
                        value_untyped(a, lit->object.fields[i]->value, variables));
        return m;
    }
    }
    return gql_null();
}

int gql_value_from_ast(const gql_schema *s, const gql_value *lit, const gql_type *type, const gql_val *variables,
                       arena_t *a, gql_val *out) {
    if (!lit || !type) return -1;
    if (lit->kind == GQL_VALUE_VARIABLE) {
        const gql_val *v = gql_map_get(variables, lit->str);
        if (!v) return -1;
        if (v->kind == GQL_V_NULL && type->kind == GQL_NON_NULL) return -1;
        /* variables were coerced against their own (compatible, §5.8.5) types already */
        *out = *v;
        return 0;
    }
    if (type->kind == GQL_NON_NULL) {
        if (lit->kind == GQL_VALUE_NULL) return -1;
        return gql_value_from_ast(s, lit, type->of_type, variables, a, out);
    }
    if (lit->kind == GQL_VALUE_NULL) {
        *out = gql_null();
        return 0;
    }
    switch (type->kind) {
    case GQL_LIST: {
        const gql_type *item = type->of_type;
        if (lit->kind != GQL_VALUE_LIST) {
            gql_val one;
            if (gql_value_from_ast(s, lit, item, variables, a, &one)) return -1;
            *out = gql_list(a, 1);
            out->list.items[0] = one;
            return 0;
        }
        gql_val l = gql_list(a, lit->list.count);
        for (size_t i = 0; i < lit->list.count; i++) {
            const gql_value *iv = lit->list.items[i];
            if (is_missing_variable(iv, variables)) {
                if (item->kind == GQL_NON_NULL) return -1;
                l.list.items[i] = gql_null();
            } else if (gql_value_from_ast(s, iv, item, variables, a, &l.list.items[i])) {
                return -1;
            }
        }
        *out = l;
        return 0;
    }
    case GQL_INPUT_OBJECT: {
        if (lit->kind != GQL_VALUE_OBJECT) return -1;
        gql_val m = gql_map(a, type->ninput_fields);
        for (size_t f = 0; f < type->ninput_fields; f++) {
            const gql_input_value *def = type->input_fields[f];
            const gql_object_field *node = NULL;
            for (size_t i = 0; i < lit->object.count; i++)
                if (strcmp(lit->object.fields[i]->name.value, def->name) == 0) node = lit->object.fields[i];
            if (!node || is_missing_variable(node->value, variables)) {
                if (def->default_value) {
                    gql_val dv;
                    if (gql_value_from_ast(s, def->default_value, def->type, NULL, a, &dv)) return -1;
                    gql_map_set(a, &m, def->name, dv);
                } else if (def->type->kind == GQL_NON_NULL) {
                    return -1;
                }
                continue;
            }
            gql_val fv;
            if (gql_value_from_ast(s, node->value, def->type, variables, a, &fv)) return -1;
            gql_map_set(a, &m, def->name, fv);
        }
        if (type->one_of) {
            if (m.map.count != 1 || m.map.vals[0].kind == GQL_V_NULL) return -1;
        }
        *out = m;
        return 0;
    }
    case GQL_ENUM: {
        if (lit->kind != GQL_VALUE_ENUM) return -1;
        const gql_enum_value *ev = enum_lookup(type, lit->str, strlen(lit->str));
        if (!ev) return -1;
        *out = gql_enum(ev->name);
        return 0;
    }
    case GQL_SCALAR: { /* §3.5 input coercion of a literal, built-in scalars included: type/scalars.c */
        if (type->scalar && type->scalar->parse_literal) {
            const char *err = NULL;
            return type->scalar->parse_literal(a, lit, variables, out, &err) ? -1 : 0;
        }
        *out = value_untyped(a, lit, variables);
        return 0;
    }
    default:
        return -1;
    }
}

/* ---- coerceInputValue ---- */

/* graphql-js didYouMeanEnumValue: " Did you mean the enum value "RED"?" or "". */
static const char *enum_did_you_mean(arena_t *a, const gql_type *t, const char *input) {
    const char **names = arena_alloc(a, (t->nenum_values + 1) * sizeof *names);
    for (size_t i = 0; i < t->nenum_values; i++)
        names[i] = t->enum_values[i]->name;
    ptrvec_t sugg = {0};
    gql_suggestion_list(a, input, names, t->nenum_values, &sugg);
    return gql_did_you_mean(a, "the enum value", &sugg);
}

typedef struct {
    const gql_schema *schema;
    arena_t *a;
    gql_coerce_error_fn on_error;
    void *ud;
    int failed;
} coerce_ctx;

static void cerr(coerce_ctx *c, const gql_path *path, const gql_val *value, const char *msg) {
    c->failed = 1;
    c->on_error(c->ud, path, value, msg);
}

static gql_val coerce_input(coerce_ctx *c, const gql_val *in, const gql_type *type, const gql_path *path) {
    arena_t *a = c->a;
    if (type->kind == GQL_NON_NULL) {
        if (in->kind != GQL_V_NULL) return coerce_input(c, in, type->of_type, path);
        cerr(c, path, in, arena_printf(a, "Expected non-nullable type \"%s\" not to be null.", gql_type_str(a, type)));
        return gql_null();
    }
    if (in->kind == GQL_V_NULL) return gql_null();
    switch (type->kind) {
    case GQL_LIST:
        if (in->kind == GQL_V_LIST) {
            gql_val l = gql_list(a, in->list.count);
            for (size_t i = 0; i < in->list.count; i++) {
                gql_path ip = {.prev = path, .key = NULL, .index = i};
                l.list.items[i] = coerce_input(c, &in->list.items[i], type->of_type, &ip);
            }
            return l;
        } else {
            gql_val l = gql_list(a, 1);
            l.list.items[0] = coerce_input(c, in, type->of_type, path);
            return l;
        }
    case GQL_INPUT_OBJECT: {
        if (in->kind != GQL_V_MAP) {
            cerr(c, path, in, arena_printf(a, "Expected type \"%s\" to be an object.", type->name));
            return gql_null();
        }
        gql_val m = gql_map(a, type->ninput_fields);
        for (size_t f = 0; f < type->ninput_fields; f++) {
            const gql_input_value *def = type->input_fields[f];
            const gql_val *fv = gql_map_get(in, def->name);
            if (!fv) {
                if (def->default_value) {
                    gql_val dv;
                    if (gql_value_from_ast(c->schema, def->default_value, def->type, NULL, a, &dv) == 0)
                        gql_map_set(a, &m, def->name, dv);
                } else if (def->type->kind == GQL_NON_NULL) {
                    cerr(c, path, in,
                         arena_printf(a, "Field \"%s\" of required type \"%s\" was not provided.", def->name,
                                      gql_type_str(a, def->type)));
                }
                continue;
            }
            gql_path fp = {.prev = path, .key = def->name, .index = 0};
            gql_map_set(a, &m, def->name, coerce_input(c, fv, def->type, &fp));
        }
        for (size_t i = 0; i < in->map.count; i++) {
            bool known = false;
            for (size_t f = 0; f < type->ninput_fields && !known; f++)
                known = strcmp(type->input_fields[f]->name, in->map.keys[i]) == 0;
            if (!known) {
                const char **names = arena_alloc(a, (type->ninput_fields + 1) * sizeof *names);
                for (size_t f = 0; f < type->ninput_fields; f++)
                    names[f] = type->input_fields[f]->name;
                ptrvec_t sugg = {0};
                gql_suggestion_list(a, in->map.keys[i], names, type->ninput_fields, &sugg);
                cerr(c, path, in,
                     arena_printf(a, "Field \"%s\" is not defined by type \"%s\".%s", in->map.keys[i], type->name,
                                  gql_did_you_mean(a, NULL, &sugg)));
            }
        }
        if (type->one_of) {
            if (m.map.count != 1) {
                cerr(c, path, in,
                     arena_printf(a, "Exactly one key must be specified for OneOf type \"%s\".", type->name));
            } else if (m.map.vals[0].kind == GQL_V_NULL) {
                gql_path kp = {.prev = path, .key = m.map.keys[0], .index = 0};
                cerr(c, &kp, &m.map.vals[0], arena_printf(a, "Field \"%s\" must be non-null.", m.map.keys[0]));
            }
        }
        return m;
    }
    case GQL_ENUM: {
        if (in->kind != GQL_V_STRING && in->kind != GQL_V_ENUM) {
            const char *shown = gql_inspect(a, in);
            cerr(c, path, in,
                 arena_printf(a, "Enum \"%s\" cannot represent non-string value: %s.%s", type->name, shown,
                              enum_did_you_mean(a, type, shown)));
            return gql_null();
        }
        const gql_enum_value *ev = enum_lookup(type, in->s.ptr, in->s.len);
        if (!ev) {
            const char *str = arena_strndup(a, in->s.ptr, in->s.len);
            cerr(c, path, in,
                 arena_printf(a, "Value \"%s\" does not exist in \"%s\" enum.%s", str, type->name,
                              enum_did_you_mean(a, type, str)));
            return gql_null();
        }
        return gql_enum(ev->name);
    }
    case GQL_SCALAR: {
        gql_val out = gql_null();
        const char *err = NULL;
        int rc = 0;
        /* §3.5 input coercion of an external value, built-in scalars included: type/scalars.c */
        if (type->scalar && type->scalar->parse_value)
            rc = type->scalar->parse_value(a, in, &out, &err);
        else
            out = *in; /* a custom scalar without coercion functions takes the value as is */
        if (rc) {
            cerr(c, path, in, err ? err : arena_printf(a, "Expected type \"%s\".", type->name));
            return gql_null();
        }
        return out;
    }
    default:
        cerr(c, path, in, arena_printf(a, "Expected type \"%s\".", type->name ? type->name : "?"));
        return gql_null();
    }
}

int gql_coerce_input_value(const gql_schema *s, arena_t *a, const gql_val *in, const gql_type *type, gql_val *out,
                           gql_coerce_error_fn on_error, void *ud) {
    coerce_ctx c = {.schema = s, .a = a, .on_error = on_error, .ud = ud, .failed = 0};
    *out = coerce_input(&c, in, type, NULL);
    return c.failed ? -1 : 0;
}

/* ---- §6.1.2 CoerceVariableValues ---- */

typedef struct {
    gql_errors *errs;
    arena_t *a;
    const gql_variable_def *def;
    size_t nerrors;
} var_error_ctx;

static void print_path(buf_t *b, const gql_path *p) {
    if (!p) return;
    print_path(b, p->prev);
    if (p->key)
        buf_printf(b, ".%s", p->key);
    else
        buf_printf(b, "[%zu]", p->index);
}

static void on_variable_error(void *ud, const gql_path *path, const gql_val *value, const char *message) {
    var_error_ctx *v = ud;
    if (v->nerrors >= MAX_VARIABLE_ERRORS) return;
    v->nerrors++;
    buf_t b = BUF_INIT;
    buf_printf(&b, "Variable \"$%s\" got invalid value %s", v->def->variable.value, gql_inspect(v->a, value));
    if (path) {
        buf_printf(&b, " at \"%s", v->def->variable.value);
        print_path(&b, path);
        buf_putc(&b, '"');
    }
    buf_printf(&b, "; %s", message);
    gql_errors_add(v->errs, GQL_CODE_BAD_USER_INPUT, &v->def->loc, 1, NULL, "%s", buf_cstr(&b));
    buf_free(&b);
}

int gql_coerce_variable_values(const gql_schema *s, const gql_definition *op, const json_t *inputs, arena_t *a,
                               gql_val *out, gql_errors *errs) {
    *out = gql_map(a, op->nvars);
    size_t before = errs->count;
    var_error_ctx vctx = {.errs = errs, .a = a, .def = NULL, .nerrors = 0};
    for (size_t i = 0; i < op->nvars; i++) {
        const gql_variable_def *def = op->vars[i];
        const char *name = def->variable.value;
        if (vctx.nerrors >= MAX_VARIABLE_ERRORS) {
            gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, NULL, 0, NULL,
                           "Too many errors processing variables, error limit reached. Execution aborted.");
            break;
        }
        const gql_type *type = gql_type_from_ast(s, a, def->type);
        if (!type || !gql_is_input_type(type)) {
            vctx.nerrors++;
            gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, &def->type->loc, 1, NULL,
                           "Variable \"$%s\" expected value of type \"%s\" which cannot be used as an input type.",
                           name, gql_print_typeref_str(a, def->type));
            continue;
        }
        const json_t *j = inputs && json_is_object(inputs) ? json_object_get(inputs, name) : NULL;
        if (!j) {
            if (def->default_value) {
                gql_val dv;
                if (gql_value_from_ast(s, def->default_value, type, NULL, a, &dv) == 0) gql_map_set(a, out, name, dv);
            } else if (type->kind == GQL_NON_NULL) {
                vctx.nerrors++;
                gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, &def->loc, 1, NULL,
                               "Variable \"$%s\" of required type \"%s\" was not provided.", name,
                               gql_print_typeref_str(a, def->type));
            }
            continue;
        }
        if (json_is_null(j) && type->kind == GQL_NON_NULL) {
            vctx.nerrors++;
            gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, &def->loc, 1, NULL,
                           "Variable \"$%s\" of non-null type \"%s\" must not be null.", name,
                           gql_print_typeref_str(a, def->type));
            continue;
        }
        gql_val raw = gql_val_from_json(a, j), coerced;
        vctx.def = def;
        if (gql_coerce_input_value(s, a, &raw, type, &coerced, on_variable_error, &vctx) == 0)
            gql_map_set(a, out, name, coerced);
    }
    return errs->count > before ? -1 : 0;
}

/* ---- §6.4.1 CoerceArgumentValues ---- */

int gql_coerce_argument_values(const gql_schema *s, gql_input_value *const *defs, size_t ndefs,
                               gql_argument *const *args, size_t nargs, const gql_val *variables, arena_t *a,
                               gql_val *out, gql_errors *errs, const gql_loc *loc, const gql_path *path) {
    *out = gql_map(a, ndefs);
    for (size_t d = 0; d < ndefs; d++) {
        const gql_input_value *def = defs[d];
        const gql_argument *arg = NULL;
        for (size_t i = 0; i < nargs; i++)
            if (strcmp(args[i]->name.value, def->name) == 0) arg = args[i];
        bool non_null = def->type->kind == GQL_NON_NULL;
        if (!arg) {
            if (def->default_value) {
                gql_val dv;
                if (gql_value_from_ast(s, def->default_value, def->type, NULL, a, &dv) == 0)
                    gql_map_set(a, out, def->name, dv);
            } else if (non_null) {
                gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, loc, loc ? 1 : 0, path,
                               "Argument \"%s\" of required type \"%s\" was not provided.", def->name,
                               gql_type_str(a, def->type));
                return -1;
            }
            continue;
        }
        const gql_value *vn = arg->value;
        bool is_null = vn->kind == GQL_VALUE_NULL;
        if (vn->kind == GQL_VALUE_VARIABLE) {
            const gql_val *vv = gql_map_get(variables, vn->str);
            if (!vv) {
                if (def->default_value) {
                    gql_val dv;
                    if (gql_value_from_ast(s, def->default_value, def->type, NULL, a, &dv) == 0)
                        gql_map_set(a, out, def->name, dv);
                } else if (non_null) {
                    gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, &vn->loc, 1, path,
                                   "Argument \"%s\" of required type \"%s\" was provided the variable \"$%s\" which "
                                   "was not provided a runtime value.",
                                   def->name, gql_type_str(a, def->type), vn->str);
                    return -1;
                }
                continue;
            }
            is_null = vv->kind == GQL_V_NULL;
        }
        if (is_null && non_null) {
            gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, &vn->loc, 1, path,
                           "Argument \"%s\" of non-null type \"%s\" must not be null.", def->name,
                           gql_type_str(a, def->type));
            return -1;
        }
        gql_val v;
        if (gql_value_from_ast(s, vn, def->type, variables, a, &v)) {
            gql_errors_add(errs, GQL_CODE_BAD_USER_INPUT, &vn->loc, 1, path, "Argument \"%s\" has invalid value %s.",
                           def->name, gql_print_value_str(a, vn, 0));
            return -1;
        }
        gql_map_set(a, out, def->name, v);
    }
    return 0;
}
